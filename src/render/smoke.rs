//! The human views of a smoke run: the terminal list (✅/❌ per check, and per failed assertion
//! its expected and actual value) and the job summary table.
//!
//! Both embed text from the servers checked (bodies, header values), which is untrusted. Every
//! such value reaches here already cut to one line with control characters escaped (see
//! [`crate::probe::assert::excerpt`]); the terminal text is printed by the command inside
//! `::stop-commands::` so the runner reads none of it as a workflow command, and the Markdown
//! escapes every character Markdown or HTML would interpret.

use std::fmt::Write as _;
use std::time::Duration;

use crate::probe::assert::excerpt;
use crate::probe::{CheckResult, CheckStatus, Report};

/// Characters of a body excerpt shown in the terminal and the summary (the JSON keeps more).
const EXCERPT_CHARS: usize = 200;

/// Where the run happened, for headings.
#[derive(Debug, Clone, Default)]
pub struct RunLabel {
    pub environment: Option<String>,
    pub slot: Option<String>,
}

impl RunLabel {
    fn describe(&self) -> String {
        match (&self.environment, &self.slot) {
            (Some(e), Some(s)) => format!("{e} (slot {s})"),
            (Some(e), None) => e.clone(),
            (None, Some(s)) => format!("slot {s}"),
            (None, None) => String::new(),
        }
    }
}

/// `12.3 ms`: one decimal below 10 s, whole milliseconds above.
pub fn ms(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 10_000_000 {
        format!("{}.{} ms", micros / 1000, (micros % 1000) / 100)
    } else {
        format!("{} ms", micros / 1000)
    }
}

/// The totals line. Deliberately not `N passed, N failed` alone: CI systems read that shape as
/// a test runner's closing line.
pub fn totals(report: &Report) -> String {
    let s = &report.stats;
    let mut line = format!("{} of {} checks passed", s.passed, s.total);
    if s.failed > 0 {
        let _ = write!(line, ", {} failed", s.failed);
        if s.errors > 0 {
            let _ = write!(line, " ({} without a response)", s.errors);
        }
    }
    let secs = report.elapsed.as_millis();
    let _ = write!(line, " in {}.{:02} s", secs / 1000, (secs % 1000) / 10);
    if let (Some(p50), Some(p95), Some(max)) = (s.p50, s.p95, s.max) {
        let _ = write!(
            line,
            "; response time p50 {}, p95 {}, max {}",
            ms(p50),
            ms(p95),
            ms(max)
        );
    }
    line
}

/// The terminal list. `color` adds ANSI colours to the marks and the totals.
pub fn terminal(report: &Report, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    // Every value is cut to one line with control characters escaped, whatever its source.
    let line = |s: &str| excerpt(s, 1000);
    let mut out = String::new();
    for c in &report.checks {
        let mark = if c.passed() { "✅" } else { "❌" };
        let _ = write!(
            out,
            "{mark} {}  {} {}",
            line(&c.name),
            c.method,
            line(&c.url)
        );
        if let Some(r) = &c.response {
            let _ = write!(out, "  HTTP {}", r.status);
        }
        if let Some(t) = c.timings {
            let _ = write!(out, "  {}", ms(t.total));
        }
        if c.attempts.len() > 1 {
            let _ = write!(out, "  ({} attempts)", c.attempts.len());
        }
        if let Some(w) = c.waited.filter(|w| !w.is_zero()) {
            let _ = write!(out, "  (ready after {})", ms(w));
        }
        out.push('\n');
        if let Some(e) = &c.error {
            let _ = writeln!(out, "   {} {}", paint("31", "error:"), line(e));
        }
        for a in c.failed_assertions() {
            let _ = writeln!(
                out,
                "   ❌ {}\n      expected: {}\n      actual:   {}",
                line(&a.assertion),
                line(&a.expected),
                line(&a.actual)
            );
        }
        if let Some(body) = c.response.as_ref().and_then(|r| r.excerpt.as_deref()) {
            let _ = writeln!(out, "   body: {}", excerpt(body, EXCERPT_CHARS));
        }
        for w in &c.warnings {
            let _ = writeln!(out, "   {} {}", paint("33", "⚠ warning:"), line(w));
        }
    }
    let code = if report.passed() { "32" } else { "31" };
    let _ = writeln!(out, "{}", paint(code, &totals(report)));
    out
}

/// The job summary: a heading with the verdict, a table of checks, and the failures in detail.
pub fn markdown(report: &Report, label: &RunLabel) -> String {
    let mark = if report.passed() { "✅" } else { "❌" };
    let place = label.describe();
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" — {}", md(&place))
    };
    let mut out = format!("### {mark} Smoke tests{place}\n\n{}\n\n", totals(report));
    out.push_str("| | check | result | time | attempts |\n|---|---|---|---|---|\n");
    for c in &report.checks {
        let mark = if c.passed() { "✅" } else { "❌" };
        let time = c.timings.map_or_else(|| "–".to_owned(), |t| ms(t.total));
        let _ = writeln!(
            out,
            "| {mark} | {} | {} | {time} | {} |",
            md(&c.name),
            md(&result_cell(c)),
            c.attempts.len()
        );
    }
    let failed: Vec<&CheckResult> = report.checks.iter().filter(|c| !c.passed()).collect();
    if !failed.is_empty() {
        out.push_str("\n#### Failures\n\n");
        for c in failed {
            let _ = writeln!(
                out,
                "- **{}** — {} {}",
                md(&c.name),
                md(&c.method),
                md(&c.url)
            );
            if let Some(e) = &c.error {
                let _ = writeln!(out, "  - error: {}", md(e));
            }
            for a in c.failed_assertions() {
                let _ = writeln!(
                    out,
                    "  - {}: expected {}, got {}",
                    md(&a.assertion),
                    md(&a.expected),
                    md(&a.actual)
                );
            }
            if let Some(body) = c.response.as_ref().and_then(|r| r.excerpt.as_deref()) {
                let _ = writeln!(out, "  - body: {}", md(&excerpt(body, EXCERPT_CHARS)));
            }
        }
    }
    out
}

fn result_cell(c: &CheckResult) -> String {
    match c.status {
        CheckStatus::Passed => c
            .response
            .as_ref()
            .map_or_else(|| "passed".to_owned(), |r| format!("HTTP {}", r.status)),
        _ => c.reason().unwrap_or_else(|| "failed".into()),
    }
}

/// Text that Markdown (GitHub flavour) and its inline HTML render literally: every ASCII
/// punctuation character backslash-escaped (CommonMark allows this for all of them, and GitHub
/// treats `\|` as a literal pipe inside tables), line breaks as spaces.
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "smoke_tests.rs"]
mod tests;
