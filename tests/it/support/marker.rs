//! The marker secret and the scan for it: a secret with a tab, a quote, `%` and `/`, and a check
//! that none of it — raw, percent-encoded (any case), percent-decoded, JSON-, Debug- or
//! XML-escaped, or inside a Basic `user:password` base64 — is in any text a run left behind.
//!
//! The secret is built from unique pieces joined by the awkward characters, so every text
//! encoding of it (and any part of it that leaked alone) still contains a piece verbatim; only
//! base64 hides the pieces, so the base64 forms are searched for whole.

use std::path::Path;

use base64::Engine;

use crate::cli::Run;

/// The secret, as a process holds it.
pub const SECRET: &str = "MKa1\tMKb2\"MKc3%MKd4/MKe5-marker";
/// `SECRET` as it must be written inside a URL.
pub const ENCODED: &str = "MKa1%09MKb2%22MKc3%25MKd4%2FMKe5-marker";
/// The user name that goes with `SECRET` as a URL password.
pub const USER: &str = "deploy";
const PIECES: [&str; 5] = ["MKa1", "MKb2", "MKc3", "MKd4", "MKe5-marker"];

/// What a sink must never contain, lower-cased (the scan ignores case).
fn needles() -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
    let mut out: Vec<String> = PIECES.iter().map(|p| (*p).to_owned()).collect();
    for plain in [
        format!("{USER}:{SECRET}"),
        format!("{USER}:{ENCODED}"),
        SECRET.to_owned(),
    ] {
        for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE] {
            out.push(engine.encode(&plain));
        }
    }
    out.into_iter().map(|n| n.to_ascii_lowercase()).collect()
}

/// Every text a run produced, by name.
#[derive(Default)]
pub struct Sinks {
    texts: Vec<(String, String)>,
}

impl Sinks {
    /// Stdout and stderr without the `::add-mask::` lines, which the runner consumes and never
    /// shows: the one place a secret may be printed.
    pub fn of_run(run: &Run) -> Sinks {
        let mut sinks = Sinks::default();
        for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            let visible: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with("::add-mask::"))
                .collect();
            sinks.add(name, visible.join("\n"));
        }
        sinks
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) {
        self.texts.push((name.into(), text.into()));
    }

    pub fn extend(&mut self, other: Sinks) {
        self.texts.extend(other.texts);
    }

    /// Every file under `dir` (outputs, summary, `--json`, state, JUnit, temp files).
    pub fn add_dir(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                self.add_dir(&path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                self.add(
                    path.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                );
            }
        }
    }

    /// Fails, naming the sink and showing the text around it, on any form of the secret.
    #[track_caller]
    pub fn assert_clean(&self, scenario: &str) {
        let needles = needles();
        for (name, text) in &self.texts {
            // ASCII lower-casing keeps byte offsets, so `at` indexes `text` too.
            let lower = text.to_ascii_lowercase();
            for needle in &needles {
                if let Some(at) = lower.find(needle.as_str()) {
                    let from = (0..=at.saturating_sub(120))
                        .rev()
                        .find(|&i| text.is_char_boundary(i))
                        .unwrap_or(0);
                    let to = ((at + 120).min(text.len())..=text.len())
                        .find(|&i| text.is_char_boundary(i))
                        .unwrap_or(text.len());
                    panic!(
                        "{scenario}: `{needle}` leaked into {name}:\n…{}…",
                        &text[from..to]
                    );
                }
            }
        }
    }
}

#[test]
fn the_scan_finds_every_form() {
    let json = serde_json::to_string(SECRET).unwrap();
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{SECRET}").as_bytes());
    for leak in [
        SECRET.to_owned(),
        ENCODED.to_owned(),
        ENCODED.to_lowercase(),
        json,
        format!("{SECRET:?}"),
        format!("Authorization: Basic {basic}"),
        "only MKd4/MKe5-marker".to_owned(),
    ] {
        let mut sinks = Sinks::default();
        sinks.add("t", leak.clone());
        let caught = std::panic::catch_unwind(|| sinks.assert_clean("self-test")).is_err();
        assert!(caught, "not caught: {leak}");
    }
    let mut clean = Sinks::default();
    clean.add("t", "token *** redacted; MKa; basic ZGVw");
    clean.assert_clean("self-test");
}
