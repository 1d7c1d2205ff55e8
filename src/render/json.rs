//! The `--json` result: pretty JSON with every string passed through the run's [`Redactor`],
//! and the one place that writes result files — atomically (temp file + rename), with the mode a
//! plain file create would give them.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::RenderError;
use super::redacting::RedactingFormatter;
use crate::secret::Redactor;

/// The bytes of a result object: pretty-printed, redacted JSON with a trailing newline.
pub fn to_bytes<T: Serialize>(value: &T, redactor: &Redactor) -> Result<Vec<u8>, RenderError> {
    let mut out = Vec::new();
    serialize(&mut out, value, redactor)?;
    out.push(b'\n');
    Ok(out)
}

fn serialize<T: Serialize>(
    out: &mut impl Write,
    value: &T,
    redactor: &Redactor,
) -> Result<(), serde_json::Error> {
    let mut ser = serde_json::Serializer::with_formatter(out, RedactingFormatter::new(redactor));
    value.serialize(&mut ser)
}

/// Writes `bytes` to `path` so that readers see either the old file or the whole new one:
/// a temporary file in the same directory, synced, then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
    atomic(path, |file| {
        file.write_all(bytes).map_err(|e| write_error(path, e))
    })
}

/// Writes `value` as [`to_bytes`] would, atomically like [`write_atomic`], serializing straight
/// into the file: a result listing every file of a large report never sits in memory as a whole.
pub fn write_value_atomic<T: Serialize>(
    path: &Path,
    value: &T,
    redactor: &Redactor,
) -> Result<(), RenderError> {
    atomic(path, |file| {
        let mut out = std::io::BufWriter::new(file);
        serialize(&mut out, value, redactor).map_err(|e| {
            if e.is_io() {
                write_error(path, e.into())
            } else {
                RenderError::Serialize(e)
            }
        })?;
        out.write_all(b"\n")
            .and_then(|()| out.flush())
            .map_err(|e| write_error(path, e))
    })
}

fn write_error(path: &Path, source: std::io::Error) -> RenderError {
    RenderError::Write {
        path: path.display().to_string(),
        source,
    }
}

fn atomic(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> Result<(), RenderError>,
) -> Result<(), RenderError> {
    let err = |source| write_error(path, source);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".decoder-ops-")
        .suffix(".tmp")
        .permissions(mode_for(path))
        .tempfile_in(dir)
        .map_err(err)?;
    fill(tmp.as_file_mut())?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// The mode the new file gets: the old file's when it is replaced, else what a plain create
/// asks for (0666, which the umask usually turns into 0644). A temporary file's own 0600 would
/// survive the rename and lock out the other users and container steps that read results.
fn mode_for(path: &Path) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            std::fs::Permissions::from_mode(meta.permissions().mode() & 0o7777)
        }
        _ => std::fs::Permissions::from_mode(0o666),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/result.json");
        write_atomic(&path, b"{\"a\":1}\n").unwrap();
        write_atomic(&path, b"{\"a\":2}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\":2}\n");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn streamed_value_is_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        let value = serde_json::json!({"a": [1, 2], "b": "é"});
        write_value_atomic(&path, &value, &Redactor::new()).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            to_bytes(&value, &Redactor::new()).unwrap()
        );
        assert_eq!(
            to_bytes(&value, &Redactor::new()).unwrap(),
            format!("{}\n", serde_json::to_string_pretty(&value).unwrap()).into_bytes()
        );
    }

    #[test]
    fn new_files_get_a_plain_create_mode_and_replaced_ones_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let umasked = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        let path = dir.path().join("r.json");
        write_atomic(&path, b"{}").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), umasked);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"{\"a\":1}").unwrap();
        assert_eq!(mode(&path), 0o640);
    }

    #[test]
    fn secrets_are_redacted_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        let mut r = Redactor::new();
        r.add("file-SECRET\tvalue");
        write_value_atomic(&path, &serde_json::json!({"e": "x file-SECRET\tvalue"}), &r).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\n  \"e\": \"x ***\"\n}\n"
        );
    }

    #[test]
    fn unwritable_target_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let err = write_atomic(&blocker.join("sub/result.json"), b"{}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("sub/result.json"), "{err}");
    }
}
