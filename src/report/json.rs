//! Shared reading of JSON reports: serde errors turned into located, human messages.
//!
//! serde_json reports line and column itself, so a reader streams the document straight into
//! typed structs and still says where it broke.

/// Why a JSON report could not be deserialized.
#[derive(Debug)]
pub(crate) enum JsonFailure {
    /// The reader itself failed.
    Io(std::io::Error),
    /// Nothing at all before the end of the file.
    Empty,
    /// Bad syntax, a truncated document or an unexpected shape, at a location.
    At {
        line: u64,
        column: u64,
        message: String,
    },
}

/// Sorts a serde_json error into the three cases a report error distinguishes.
pub(crate) fn classify(err: serde_json::Error) -> JsonFailure {
    use serde_json::error::Category;
    let (line, column) = (err.line() as u64, err.column() as u64);
    match err.classify() {
        Category::Io => JsonFailure::Io(err.into()),
        Category::Eof if line <= 1 && column == 0 => JsonFailure::Empty,
        Category::Eof => JsonFailure::At {
            line,
            column,
            message: "the file ends before the JSON document is complete (truncated?)".into(),
        },
        Category::Syntax => JsonFailure::At {
            line,
            column,
            message: format!("malformed JSON: {}", bare_message(&err)),
        },
        Category::Data => JsonFailure::At {
            line,
            column,
            message: format!("unexpected JSON shape: {}", bare_message(&err)),
        },
    }
}

/// serde_json's message without its ` at line L column C` suffix (the caller prints the location).
fn bare_message(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
}

/// Whether `head` (the first bytes of a file) has `"key"` used as an object key.
///
/// A cheap content sniff for format detection: the key in quotes followed by optional
/// whitespace and a colon. A value that merely contains the word does not match.
pub(crate) fn has_key(head: &[u8], key: &str) -> bool {
    let needle = format!("\"{key}\"");
    let needle = needle.as_bytes();
    let mut from = 0;
    while let Some(pos) = find(&head[from..], needle) {
        let after = from + pos + needle.len();
        let rest = head[after..].iter().find(|b| !b.is_ascii_whitespace());
        if rest == Some(&b':') {
            return true;
        }
        from = after;
    }
    false
}

/// `deserialize_with` for arrays that producers write as `null` when empty (Go's nil slices in
/// Trivy, `runs: null` in SARIF).
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Damaged copies of a valid report for no-panic tests: truncations at spread-out offsets and
/// single-byte replacements at pseudo-random positions (a fixed LCG, so failures reproduce).
#[cfg(test)]
pub(crate) fn mutations(valid: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let step = (valid.len() / 200).max(1);
    for cut in (0..valid.len()).step_by(step) {
        out.push(valid[..cut].to_vec());
    }
    let replacements = b"{}[]\",:0-e.\"n\xff";
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..300 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let Some(len) = std::num::NonZeroUsize::new(valid.len()) else {
            break;
        };
        let at = (state >> 33) as usize % len.get();
        let mut damaged = valid.to_vec();
        damaged[at] = replacements[(state >> 20) as usize % replacements.len()];
        out.push(damaged);
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(text: &str) -> JsonFailure {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(_) => panic!("`{text}` parsed"),
            Err(e) => classify(e),
        }
    }

    #[test]
    fn empty_truncated_and_malformed_are_told_apart() {
        assert!(matches!(fail(""), JsonFailure::Empty));
        match fail("{\n  \"a\": [1,") {
            JsonFailure::At { line, message, .. } => {
                assert_eq!(line, 2);
                assert!(message.contains("truncated"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        match fail("{\n  \"a\": tru }") {
            JsonFailure::At {
                line,
                column,
                message,
            } => {
                assert_eq!((line, column), (2, 11));
                assert!(message.starts_with("malformed JSON: "), "{message}");
                assert!(!message.contains(" at line "), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn has_key_wants_a_key_not_a_value() {
        assert!(has_key(br#"{ "runs" : []}"#, "runs"));
        assert!(!has_key(br#"{"name": "runs"}"#, "runs"));
        assert!(has_key(br#"{"x": "runs", "runs":1}"#, "runs"));
        assert!(!has_key(b"", "runs"));
    }
}
