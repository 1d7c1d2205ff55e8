//! Errors of the Actions runtime: each names the file or variable involved and how to fix it.

use std::path::PathBuf;

/// Everything that can go wrong talking to the runner.
///
/// [`RuntimeError::is_io`] separates "the runner's files could not be written" (exit 3: the run
/// could not complete) from bad input such as a malformed event payload (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// A file command (`$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`) could not be appended to.
    #[error(
        "cannot append to ${var} `{path}`: {source}; the runner creates this file for each step, \
         so check the step's disk space and permissions, or unset {var} when running outside Actions"
    )]
    Append {
        var: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// Workflow commands or log lines could not be written to standard output.
    #[error("cannot write to standard output: {source}; is the output pipe closed?")]
    Stdout { source: std::io::Error },
    /// The operating system could not provide random bytes for a delimiter or token.
    #[error("cannot draw random bytes for a workflow-command delimiter: {0}")]
    Random(getrandom::Error),
    /// `$GITHUB_EVENT_PATH` is set but the file cannot be read.
    #[error(
        "cannot read the event payload `{path}` named by GITHUB_EVENT_PATH: {source}; \
         unset GITHUB_EVENT_PATH when running outside Actions"
    )]
    EventRead {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The event payload is not valid JSON or lacks a field the event must have.
    #[error(
        "event payload `{path}` named by GITHUB_EVENT_PATH: line {line}, column {column}: {message}"
    )]
    EventParse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A `GITHUB_*` variable has a value of the wrong shape.
    #[error("environment variable {name}: `{value}` is not {expected}")]
    Variable {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    /// An output name the runner would misparse or a workflow could not reference.
    #[error(
        "output name `{name}` is invalid: {reason}; output names start with a letter or `_` and \
         contain only letters, digits, `-` and `_`"
    )]
    OutputName { name: String, reason: &'static str },
    /// The value contains the random delimiter drawn for it, so the runner would end it early.
    #[error(
        "output `{name}`: the value contains its heredoc delimiter and would be cut short; \
         refusing to write it"
    )]
    DelimiterInValue { name: String },
}

impl RuntimeError {
    /// True when the runner's files or the process's output could not be written: the run could
    /// not complete, as opposed to being given bad input.
    pub fn is_io(&self) -> bool {
        matches!(
            self,
            RuntimeError::Append { .. } | RuntimeError::Stdout { .. } | RuntimeError::Random(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_error_names_variable_file_and_fix() {
        let e = RuntimeError::Append {
            var: "GITHUB_OUTPUT",
            path: PathBuf::from("out/set_output_1"),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        let msg = e.to_string();
        assert!(
            msg.starts_with("cannot append to $GITHUB_OUTPUT `out/set_output_1`: "),
            "{msg}"
        );
        assert!(msg.contains("unset GITHUB_OUTPUT"), "{msg}");
        assert!(e.is_io());
    }

    #[test]
    fn input_errors_are_not_io() {
        let e = RuntimeError::OutputName {
            name: "a=b".into(),
            reason: "it contains `=`",
        };
        assert!(!e.is_io());
        let e = RuntimeError::EventParse {
            path: PathBuf::from("event.json"),
            line: 3,
            column: 7,
            message: "expected value".into(),
        };
        assert!(!e.is_io());
        assert_eq!(
            e.to_string(),
            "event payload `event.json` named by GITHUB_EVENT_PATH: line 3, column 7: expected value"
        );
    }
}
