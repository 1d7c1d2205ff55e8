//! The file store: read at the start of a run, replaced atomically at the end (a temporary file
//! in the same directory, flushed to disk, then renamed over the old one), so a kill at any
//! moment leaves either the old or the new complete document.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::state::State;

/// The state read, and a warning when the stored one had to be set aside.
#[derive(Debug)]
pub struct Loaded {
    pub state: State,
    pub warning: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read it: {0}")]
    Read(std::io::Error),
    #[error("cannot move the unreadable state aside to `{path}`: {source}")]
    Aside {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write it: {0}")]
    Write(std::io::Error),
}

/// Reads the state at `path`: missing → fresh; unreadable content (corrupt, another schema
/// version) → renamed to `<path>.corrupt-<unix seconds>`, fresh, and a warning that says so.
pub fn load_file(path: &Path, now: Timestamp) -> Result<Loaded, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Loaded {
                state: State::fresh(),
                warning: None,
            });
        }
        Err(e) => return Err(StoreError::Read(e)),
    };
    match State::from_json(&bytes) {
        Ok(state) => Ok(Loaded {
            state,
            warning: None,
        }),
        Err(problem) => {
            let aside = aside_path(path, now);
            std::fs::rename(path, &aside).map_err(|source| StoreError::Aside {
                path: aside.display().to_string(),
                source,
            })?;
            Ok(Loaded {
                state: State::fresh(),
                warning: Some(format!(
                    "state `{}` could not be used ({problem}); it was kept as `{}` and monitoring continues from a fresh state",
                    path.display(),
                    aside.display()
                )),
            })
        }
    }
}

fn aside_path(path: &Path, now: Timestamp) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".corrupt-{}", now.as_second()));
    path.with_file_name(name)
}

/// Writes `state` to `path` atomically, creating the directory when needed.
pub fn save_file(path: &Path, state: &State) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(StoreError::Write)?;
    let prefix = format!(
        ".{}.tmp-",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    remove_leftovers(&dir, &prefix, LEFTOVER_AGE);
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .tempfile_in(&dir)
        .map_err(StoreError::Write)?;
    tmp.write_all(&state.to_json()).map_err(StoreError::Write)?;
    tmp.as_file().sync_all().map_err(StoreError::Write)?;
    tmp.persist(path).map_err(|e| StoreError::Write(e.error))?;
    Ok(())
}

/// A temporary file older than this is a writer's that was killed mid-save (a save takes
/// milliseconds).
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes the temporary files of saves that never finished (best effort: a file that cannot be
/// listed or removed stays, and the save goes on).
fn remove_leftovers(dir: &Path, prefix: &str, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(prefix)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|e| e >= age));
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-23T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_missing_file_is_a_fresh_state_and_a_saved_one_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/state.json");
        let loaded = load_file(&path, now()).unwrap();
        assert_eq!(loaded.state, State::fresh());
        assert!(loaded.warning.is_none());
        let mut state = State::fresh();
        state.baselines.insert("error-rate".into(), 0.25);
        state.runs.push(now());
        save_file(&path, &state).unwrap();
        assert_eq!(load_file(&path, now()).unwrap().state, state);
    }

    #[test]
    fn corrupt_and_foreign_versions_are_kept_aside_and_monitoring_starts_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        for (content, expect) in [
            (
                &b"{\"schema_version\": 1, \"runs\": [tru"[..],
                "line 1, column",
            ),
            (b"\x00\x9f binary", "line 1, column 1"),
            (
                b"{\"schema_version\": 0, \"checks\": {}}",
                "schema_version 0 is not",
            ),
            (
                b"{\"schema_version\": 3, \"new\": true}",
                "schema_version 3 is not",
            ),
            (b"[]", "no `schema_version`"),
            (
                b"{\"schema_version\": 1, \"runs\": 7}",
                "version 1 document",
            ),
        ] {
            std::fs::write(&path, content).unwrap();
            let loaded = load_file(&path, now()).unwrap();
            assert_eq!(loaded.state, State::fresh());
            let warning = loaded.warning.unwrap();
            assert!(warning.contains(expect), "{warning}");
            let aside = dir
                .path()
                .join(format!("state.json.corrupt-{}", now().as_second()));
            assert!(warning.contains(&aside.display().to_string()), "{warning}");
            assert_eq!(std::fs::read(&aside).unwrap(), content);
            assert!(!path.exists());
            std::fs::remove_file(aside).unwrap();
        }
    }

    /// The child side of the kill test: saves ever-growing states until it is killed.
    #[test]
    fn kill_test_child() {
        let Ok(path) = std::env::var("DECODER_OPS_KILL_TEST_STATE") else {
            return;
        };
        let mut state = State::fresh();
        for i in 0u64.. {
            state
                .runs
                .push(Timestamp::from_second(1_700_000_000 + i as i64).unwrap());
            state.baselines.insert(format!("m{}", i % 500), i as f64);
            state.trim();
            save_file(Path::new(&path), &state).unwrap();
        }
    }

    #[test]
    fn a_kill_at_any_moment_leaves_a_complete_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let exe = std::env::current_exe().unwrap();
        for round in 0..8 {
            let mut child = std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "monitor::store::tests::kill_test_child",
                    "--nocapture",
                ])
                .env("DECODER_OPS_KILL_TEST_STATE", &path)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(150 + 37 * round));
            child.kill().unwrap();
            child.wait().unwrap();
            let bytes = std::fs::read(&path).expect("a state file exists after the kill");
            let state = State::from_json(&bytes).expect("the state file is complete");
            assert!(!state.runs.is_empty());
        }
        // A kill mid-save leaves its temporary file; the next save removes the old ones.
        let leftovers = || -> Vec<std::path::PathBuf> {
            std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(".state.json.tmp-")
                })
                .collect()
        };
        let old = dir.path().join(".state.json.tmp-killed");
        std::fs::write(&old, b"{\"schema_version\": 1, \"ru").unwrap();
        let fresh = dir.path().join(".state.json.tmp-writing");
        std::fs::write(&fresh, b"{").unwrap();
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for p in leftovers() {
            if p != fresh {
                let f = std::fs::File::options().write(true).open(&p).unwrap();
                f.set_modified(an_hour_ago).unwrap();
            }
        }
        save_file(&path, &State::fresh()).unwrap();
        assert_eq!(
            leftovers(),
            vec![fresh],
            "only a recent one (a live writer's) stays"
        );
    }
}
