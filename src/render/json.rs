//! The `--json` result file: pretty JSON, written atomically (temp file + rename).

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::RenderError;

/// The bytes of a result object: pretty-printed JSON with a trailing newline.
pub fn to_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, RenderError> {
    let mut out = serde_json::to_vec_pretty(value)?;
    out.push(b'\n');
    Ok(out)
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
pub fn write_value_atomic<T: Serialize>(path: &Path, value: &T) -> Result<(), RenderError> {
    atomic(path, |file| {
        let mut out = std::io::BufWriter::new(file);
        serde_json::to_writer_pretty(&mut out, value).map_err(|e| {
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
        .tempfile_in(dir)
        .map_err(err)?;
    fill(tmp.as_file_mut())?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
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
        write_value_atomic(&path, &value).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), to_bytes(&value).unwrap());
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
