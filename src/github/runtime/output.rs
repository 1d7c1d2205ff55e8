//! Step outputs through the `$GITHUB_OUTPUT` file command.
//!
//! Every value is written in the runner's heredoc form, `name<<DELIM\nvalue\nDELIM\n`, with a
//! fresh random delimiter per call (as `actions/toolkit` does with `ghadelimiter_<uuid>`). The
//! runner reads value lines until one equals the delimiter exactly, so a value that cannot know
//! the delimiter in advance cannot end itself early and smuggle in other outputs. The one way it
//! still could, by containing the delimiter, is refused.

use std::io::Write;
use std::path::Path;

use super::RuntimeError;
use super::command::random_hex;

/// The prefix of every delimiter, the same as `actions/toolkit`'s.
pub const DELIMITER_PREFIX: &str = "ghadelimiter_";

/// Checks that the runner will read `name` back as written and a workflow can reference it as
/// `steps.<id>.outputs.<name>`.
pub fn validate_output_name(name: &str) -> Result<(), RuntimeError> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name.contains('\n') || name.contains('\r') {
        Some("it contains a line break")
    } else if name.contains("<<") {
        Some("it contains `<<`")
    } else if name.contains('=') {
        Some("it contains `=`")
    } else if name.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        Some("it does not start with a letter or `_`")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Some("it contains a character other than a letter, digit, `-` or `_`")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(RuntimeError::OutputName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The file-command record for one output with the given delimiter.
///
/// Pure so the refusal of a value that contains its delimiter can be tested; real callers go
/// through `Runtime::set_output`, which draws the delimiter.
pub fn format_output(name: &str, value: &str, delimiter: &str) -> Result<String, RuntimeError> {
    validate_output_name(name)?;
    if value.contains(delimiter) || name.contains(delimiter) {
        return Err(RuntimeError::DelimiterInValue {
            name: name.to_owned(),
        });
    }
    Ok(format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"))
}

/// A new random delimiter: `ghadelimiter_` and 32 hex digits.
pub fn new_delimiter() -> Result<String, RuntimeError> {
    Ok(format!("{DELIMITER_PREFIX}{}", random_hex()?))
}

/// Appends one output to the file at `path` in a single write, so concurrent writers to the
/// same file (other tools in the step) cannot interleave inside the record.
pub fn append_output(path: &Path, name: &str, value: &str) -> Result<(), RuntimeError> {
    let record = format_output(name, value, &new_delimiter()?)?;
    append(path, "GITHUB_OUTPUT", record.as_bytes())
}

/// Appends `bytes` to a file-command file, creating it if the runner has not.
pub(crate) fn append(path: &Path, var: &'static str, bytes: &[u8]) -> Result<(), RuntimeError> {
    let err = |source| RuntimeError::Append {
        var,
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(err)?;
    file.write_all(bytes).map_err(err)?;
    file.flush().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_shape() {
        assert_eq!(
            format_output("result-file", "a\nb", "ghadelimiter_x").unwrap(),
            "result-file<<ghadelimiter_x\na\nb\nghadelimiter_x\n"
        );
    }

    #[test]
    fn value_containing_the_delimiter_is_refused() {
        let d = "ghadelimiter_0123";
        for value in [d.to_owned(), format!("x\n{d}\ny=1"), format!("pre{d}post")] {
            let e = format_output("out", &value, d).unwrap_err();
            assert!(matches!(e, RuntimeError::DelimiterInValue { .. }), "{e}");
            assert!(!e.is_io());
        }
    }

    #[test]
    fn bad_names_are_refused_with_a_reason() {
        for (name, reason) in [
            ("", "it is empty"),
            ("a\nb", "it contains a line break"),
            ("a<<EOF", "it contains `<<`"),
            ("a=b", "it contains `=`"),
            ("1st", "it does not start with a letter or `_`"),
            (
                "a b",
                "it contains a character other than a letter, digit, `-` or `_`",
            ),
        ] {
            match validate_output_name(name) {
                Err(RuntimeError::OutputName { reason: r, .. }) => {
                    assert_eq!(r, reason, "{name:?}")
                }
                other => panic!("{name:?}: {other:?}"),
            }
        }
        for ok in ["passed", "result_file", "coverage-percent", "_x9"] {
            validate_output_name(ok).unwrap();
        }
    }

    #[test]
    fn delimiters_are_fresh() {
        let a = new_delimiter().unwrap();
        assert!(a.starts_with(DELIMITER_PREFIX));
        assert_eq!(a.len(), DELIMITER_PREFIX.len() + 32);
        assert_ne!(a, new_delimiter().unwrap());
    }
}
