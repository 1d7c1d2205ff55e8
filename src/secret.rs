//! Secrets as values that cannot leak by accident, and the redactor that scrubs them from text.
//!
//! A [`Secret`] prints `***` through `Debug` and `Display`; the only way to the plain text is
//! [`Secret::expose`], which makes every use easy to audit. A [`Redactor`] knows every secret of a
//! run in each form it may take on the wire (whole, URL-encoded, the token segment of a webhook
//! URL) and replaces all of them in any text before that text reaches a sink.

use std::fmt;

/// A string that must never be printed: a webhook URL, a token.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The plain value, for the one place that must send it (an HTTP request, a mask command).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The text that replaces a secret.
pub const REDACTED: &str = "***";

/// Shorter fragments are not registered: masking `a` or `12` would garble every message and
/// protects nothing.
const MIN_FRAGMENT: usize = 6;

/// Replaces every known secret, in every known form, with `***`.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so a URL is replaced whole before its token segment is.
    fragments: Vec<String>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a secret and the forms it takes in URLs, logs and error messages.
    pub fn add(&mut self, secret: &str) {
        for form in forms(secret) {
            if form.len() >= MIN_FRAGMENT && !self.fragments.contains(&form) {
                self.fragments.push(form);
            }
        }
        self.fragments.sort_by_key(|f| std::cmp::Reverse(f.len()));
    }

    /// Every registered form, longest first: what `::add-mask::` must be told.
    pub fn fragments(&self) -> &[String] {
        &self.fragments
    }

    pub fn is_empty(&self) -> bool {
        self.fragments.is_empty()
    }

    /// `text` with every registered form replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for fragment in &self.fragments {
            if out.contains(fragment.as_str()) {
                out = out.replace(fragment.as_str(), REDACTED);
            }
        }
        out
    }
}

/// The forms a secret can take: itself, each of its lines (multi-line secrets are masked line by
/// line by the runner), its percent-encoded form, and for URLs the path segments that carry the
/// credential (Slack `/services/T../B../token`, Discord `/api/webhooks/id/token`) and any
/// userinfo or query string.
fn forms(secret: &str) -> Vec<String> {
    let secret = secret.trim();
    let mut out = vec![secret.to_owned()];
    out.extend(secret.lines().map(|l| l.trim().to_owned()));
    if let Some((_, rest)) = secret.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            out.push(userinfo.to_owned());
        }
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        if !query.is_empty() {
            out.push(query.to_owned());
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        // The credential is the last path segments: everything after `services` (Slack) or
        // after `webhooks/<id>` (Discord); for other URLs, the last segment.
        if let Some(pos) = segments.iter().position(|s| *s == "services") {
            out.push(segments[pos + 1..].join("/"));
            out.extend(segments[pos + 1..].iter().map(|s| (*s).to_owned()));
        } else if let Some(pos) = segments.iter().position(|s| *s == "webhooks") {
            out.push(segments[pos + 1..].join("/"));
            if let Some(token) = segments.get(pos + 2) {
                out.push((*token).to_owned());
            }
        } else if let Some(last) = segments.last() {
            out.push((*last).to_owned());
        }
    }
    // Each form as it appears when percent-encoded once (a URL passed as a query parameter).
    let encoded: Vec<String> = out.iter().map(|f| percent_encode(f)).collect();
    out.extend(encoded);
    out
}

/// RFC 3986 percent-encoding of everything but unreserved characters: the form a URL takes when
/// it is itself a query parameter or logged by a client that encodes it.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_and_display_are_redacted() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn slack_url_token_and_encoded_forms_are_redacted() {
        let url = "https://hooks.slack.com/services/T-MARKER01/B-MARKER02/marker-SECRET-token123";
        let mut r = Redactor::new();
        r.add(url);
        let text = format!(
            "error sending to {url}; token marker-SECRET-token123; encoded {}",
            percent_encode(url)
        );
        let out = r.redact(&text);
        assert!(!out.contains("marker-SECRET-token123"), "{out}");
        assert!(!out.contains("B-MARKER02"), "{out}");
        assert!(out.contains("error sending to ***"), "{out}");
    }

    #[test]
    fn discord_token_segment_is_redacted_alone() {
        let url = "https://discord.com/api/webhooks/123456789012345678/tokTOKENmarker_abcdef";
        let mut r = Redactor::new();
        r.add(url);
        assert_eq!(
            r.redact("path /webhooks/123456789012345678/tokTOKENmarker_abcdef?wait=true"),
            "path /webhooks/***?wait=true"
        );
        assert_eq!(r.redact("tok=tokTOKENmarker_abcdef"), "tok=***");
    }

    #[test]
    fn multi_line_secret_is_redacted_line_by_line() {
        let mut r = Redactor::new();
        r.add("first-line-secret\nsecond-line-secret");
        assert_eq!(r.redact("a second-line-secret b"), "a *** b");
    }

    #[test]
    fn short_fragments_are_not_registered() {
        let mut r = Redactor::new();
        r.add("http://127.0.0.1:1/x");
        assert_eq!(r.redact("x marks"), "x marks");
    }
}
