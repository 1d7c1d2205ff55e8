//! Stdout discipline: with `--json -`, standard output carries exactly one JSON document and
//! everything for people (result lines, workflow commands, annotations outside Actions) goes to
//! standard error, so `decoder-ops … --json - | jq` always works.
//!
//! [`Stdout`] is the one owner of the process's standard output: it hands out the stream for
//! people and writes the JSON document, once. (The Actions runner reads workflow commands from
//! both streams, so `::add-mask::` and `::error` still work on stderr.)

use std::io::Write;

use serde::Serialize;

use super::RenderError;
use crate::secret::Redactor;

/// Who writes what to standard output for this run.
pub struct Stdout {
    /// `--json -`: stdout is the JSON document's alone.
    json: bool,
    /// Where the document goes (the process's stdout; a buffer in tests).
    out: Box<dyn Write>,
    written: bool,
}

impl Stdout {
    /// The process's standard output; `json` when `--json -` was given.
    pub fn process(json: bool) -> Self {
        Self::new(json, Box::new(std::io::stdout()))
    }

    pub fn new(json: bool, out: Box<dyn Write>) -> Self {
        Stdout {
            json,
            out,
            written: false,
        }
    }

    /// Whether stdout is reserved for the JSON document.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// The stream for people and workflow commands, and whether it is a terminal: stdout, or
    /// stderr when stdout holds the JSON document.
    pub fn human(&self) -> (Box<dyn Write>, bool) {
        use std::io::IsTerminal;
        if self.json {
            (Box::new(std::io::stderr()), std::io::stderr().is_terminal())
        } else {
            (Box::new(std::io::stdout()), std::io::stdout().is_terminal())
        }
    }

    /// Whether the document has been written.
    pub fn written(&self) -> bool {
        self.written
    }

    /// Writes `value` as the run's one JSON document, redacted. A second document is refused:
    /// two would make stdout unreadable for `jq` and `json.tool`.
    pub fn write_document<T: Serialize>(
        &mut self,
        value: &T,
        redactor: &Redactor,
    ) -> Result<(), RenderError> {
        if self.written {
            return Err(RenderError::SecondDocument);
        }
        let bytes = super::json::to_bytes(value, redactor)?;
        self.written = true;
        self.out
            .write_all(&bytes)
            .and_then(|()| self.out.flush())
            .map_err(|source| RenderError::Write {
                path: "-".into(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn one_redacted_document_and_no_second() {
        let buf = Shared::default();
        let mut stdout = Stdout::new(true, Box::new(buf.clone()));
        let mut r = Redactor::new();
        r.add("doc-SECRET-value");
        stdout
            .write_document(&serde_json::json!({"e": "doc-SECRET-value"}), &r)
            .unwrap();
        assert!(stdout.written());
        let err = stdout
            .write_document(&serde_json::json!({}), &r)
            .unwrap_err();
        assert!(matches!(err, RenderError::SecondDocument), "{err}");
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "{\n  \"e\": \"***\"\n}\n");
    }
}
