//! The hidden marker that lets decoder-ops find its own comment or issue again:
//! `<!-- decoder-ops:<kind> -->`, invisible in rendered Markdown.

use std::fmt;

use super::error::ApiError;

/// A validated marker. Kinds are short slugs (`coverage`, `quality-gate`,
/// `incident:api-health`): nothing that could close the HTML comment early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker(String);

impl Marker {
    pub fn new(kind: &str) -> Result<Marker, ApiError> {
        let ok_char =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/');
        if kind.is_empty() || kind.len() > 100 || !kind.chars().all(ok_char) || kind.contains("--")
        {
            return Err(ApiError::InvalidInput(format!(
                "marker kind `{kind}` must be 1-100 characters of letters, digits, `-_.:/`, \
                 without `--`"
            )));
        }
        Ok(Marker(format!("<!-- decoder-ops:{kind} -->")))
    }

    /// The marker text, `<!-- decoder-ops:<kind> -->`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `body` with the marker on its own first line.
    pub fn with_body(&self, body: &str) -> String {
        format!("{}\n{body}", self.0)
    }

    /// The text starts with this marker. A reply that quotes our comment carries the marker
    /// after `> `, so it does not count as ours.
    pub fn starts(&self, text: &str) -> bool {
        text.trim_start().starts_with(&self.0)
    }

    /// The text contains this marker anywhere.
    pub fn is_in(&self, text: &str) -> bool {
        text.contains(&self.0)
    }
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_matches() {
        let m = Marker::new("coverage").unwrap();
        assert_eq!(m.as_str(), "<!-- decoder-ops:coverage -->");
        assert!(m.starts(&m.with_body("## Coverage")));
        assert!(!m.starts("> <!-- decoder-ops:coverage -->\n> quoted"));
        assert!(m.is_in("> <!-- decoder-ops:coverage -->"));
        // A kind that is a prefix of another kind does not match it.
        let other = Marker::new("coverage-diff").unwrap();
        assert!(!m.starts(other.as_str()));
    }

    #[test]
    fn rejects_kinds_that_break_the_comment() {
        for bad in ["", "a -->", "a--b", "x>y", "new\nline", &"k".repeat(101)] {
            assert!(Marker::new(bad).is_err(), "{bad:?}");
        }
        assert!(Marker::new("incident:api-health/eu.1").is_ok());
    }
}
