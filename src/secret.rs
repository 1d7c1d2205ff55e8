//! Secrets as values that cannot leak by accident, and the one redactor every sink writes
//! through.
//!
//! A [`Secret`] prints `***` through `Debug` and `Display`; the only way to the plain text is
//! [`Secret::expose`], which makes every use easy to audit.
//!
//! A [`Redactor`] is built from every secret the process holds (webhook URLs, tokens, values
//! interpolated from `${VAR}`). For each it knows the forms the secret takes on its way to a sink
//! (see [`forms`]): raw, percent-encoded, percent-decoded, JSON-, Debug- and XML-escaped, and for
//! a URL its userinfo (also as the `Authorization: Basic` base64 of `user:password`), every query
//! parameter value and the path segments that carry the credential (percent escapes in either hex
//! case: `%2f` is `%2F`). It replaces all of them, leftmost-longest, with `***`. The sinks — the runtime
//! writer (stdout/stderr, annotations, outputs, summary), the `--json` writer, the logger, the
//! bodies sent to GitHub — each go through it; [`SharedRedactor`] is the handle they share, so a
//! secret registered late still reaches all of them.

mod forms;
mod shared;

use std::borrow::Cow;
use std::fmt;

use aho_corasick::{AhoCorasick, MatchKind};

pub use shared::SharedRedactor;

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

/// Shorter secrets (and URL parts) are not registered: masking `a` or `12` would garble every
/// message and protects nothing.
pub const MIN_FRAGMENT: usize = 6;

/// Replaces every known secret, in every known form, with `***`.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first: the order `::add-mask::` is told them in.
    fragments: Vec<String>,
    /// All fragments in one automaton; `None` while there are none.
    matcher: Option<AhoCorasick>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a secret and every form it may take in URLs, logs, JSON and error messages.
    pub fn add(&mut self, secret: &str) {
        let before = self.fragments.len();
        for form in forms::forms(secret) {
            if !self.fragments.contains(&form) {
                self.fragments.push(form);
            }
        }
        if self.fragments.len() == before {
            return;
        }
        self.fragments
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        self.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.fragments)
            .ok();
        // The automaton is small (a few dozen patterns per secret); failing to build one would
        // mean no redaction at all, which `redact` turns into withholding the text.
        debug_assert!(self.matcher.is_some());
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
        self.redact_cow(text).into_owned()
    }

    /// [`Redactor::redact`] without a copy when there is nothing to replace (the common case
    /// for the many strings of a large `--json` result).
    pub fn redact_cow<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.fragments.is_empty() {
            return Cow::Borrowed(text);
        }
        let Some(matcher) = &self.matcher else {
            // Secrets are known but cannot be matched: print nothing rather than risk one.
            return Cow::Borrowed("[withheld: the redactor could not be built]");
        };
        let mut matches = matcher.find_iter(text).peekable();
        if matches.peek().is_none() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for m in matches {
            out.push_str(&text[last..m.start()]);
            out.push_str(REDACTED);
            last = m.end();
        }
        out.push_str(&text[last..]);
        Cow::Owned(out)
    }

    /// Whether `text` holds any registered form.
    pub fn finds_in(&self, text: &str) -> bool {
        match &self.matcher {
            Some(m) => m.is_match(text),
            None => !self.fragments.is_empty(),
        }
    }
}

#[cfg(test)]
mod leak_tests;
#[cfg(test)]
mod tests;
