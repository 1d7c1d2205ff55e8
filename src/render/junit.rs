//! JUnit XML of a smoke run, in the shape Maven Surefire writes and Jenkins, GitLab and the
//! test-report actions read: `testsuites` › `testsuite` (one per environment) › `testcase` (one
//! per check), a failed assertion as `<failure message type>` and a check without a usable
//! response as `<error message type>`, with the details in the element text and the response
//! excerpt in `<system-out>`. Counts on every suite add up over its testcases.
//!
//! Written by hand: the format is small, and the only hard part, escaping, is below and tested.

use std::fmt::Write as _;

use crate::probe::{CheckResult, CheckStatus, Report};

/// `failure`/`error` `type` attributes.
pub const ASSERTION_TYPE: &str = "AssertionFailure";
pub const ERROR_TYPE: &str = "RequestError";

/// The document for `report`. `timestamp` is the run's start (RFC 3339, no offset, as Surefire
/// writes it); `slot` is recorded as a suite property.
pub fn junit(report: &Report, timestamp: &str, slot: Option<&str>) -> String {
    let mut suites: Vec<(Option<&str>, Vec<&CheckResult>)> = Vec::new();
    for check in &report.checks {
        let env = check.environment.as_deref();
        match suites.iter_mut().find(|(e, _)| *e == env) {
            Some((_, list)) => list.push(check),
            None => suites.push((env, vec![check])),
        }
    }
    let s = &report.stats;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"decoder-ops smoke\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{}\">",
        s.total,
        s.failed - s.errors,
        s.errors,
        seconds(report.elapsed.as_micros())
    );
    for (env, checks) in suites {
        suite(&mut out, env, &checks, timestamp, slot);
    }
    out.push_str("</testsuites>\n");
    out
}

fn suite(
    out: &mut String,
    env: Option<&str>,
    checks: &[&CheckResult],
    timestamp: &str,
    slot: Option<&str>,
) {
    let name = env.map_or_else(|| "smoke".to_owned(), |e| format!("smoke.{e}"));
    let failures = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .count();
    let errors = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Error)
        .count();
    // Checks run concurrently: the suite's time is the longest check, not the sum.
    let time = checks.iter().map(|c| micros(c)).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{}\" timestamp=\"{}\">",
        attr(&name),
        checks.len(),
        seconds(time),
        attr(timestamp)
    );
    let props: Vec<(&str, &str)> = [("environment", env), ("slot", slot)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    if !props.is_empty() {
        out.push_str("    <properties>\n");
        for (k, v) in props {
            let _ = writeln!(out, "      <property name=\"{k}\" value=\"{}\"/>", attr(v));
        }
        out.push_str("    </properties>\n");
    }
    for check in checks {
        testcase(out, &name, check);
    }
    out.push_str("  </testsuite>\n");
}

fn testcase(out: &mut String, classname: &str, c: &CheckResult) {
    let head = format!(
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        attr(&c.name),
        attr(classname),
        seconds(micros(c))
    );
    if c.status == CheckStatus::Passed {
        let _ = writeln!(out, "{head}/>");
        return;
    }
    let _ = writeln!(out, "{head}>");
    let (element, kind) = match c.status {
        CheckStatus::Error => ("error", ERROR_TYPE),
        _ => ("failure", ASSERTION_TYPE),
    };
    let message = c.reason().unwrap_or_else(|| "failed".into());
    let _ = writeln!(
        out,
        "      <{element} message=\"{}\" type=\"{kind}\">{}</{element}>",
        attr(&message),
        text(&details(c))
    );
    if let Some(excerpt) = c.response.as_ref().and_then(|r| r.excerpt.as_deref()) {
        let _ = writeln!(out, "      <system-out>{}</system-out>", text(excerpt));
    }
    out.push_str("    </testcase>\n");
}

/// The body of `<failure>`/`<error>`: the request, each failed assertion with expected and
/// actual, and the attempts.
fn details(c: &CheckResult) -> String {
    let mut d = format!("{} {}\n", c.method, c.url);
    if let Some(e) = &c.error {
        let _ = writeln!(d, "error: {e}");
    }
    if let Some(r) = &c.response {
        let _ = writeln!(d, "response: HTTP {} from {}", r.status, r.url);
    }
    for a in c.failed_assertions() {
        let _ = writeln!(
            d,
            "assertion failed: {}\n  expected: {}\n  actual:   {}",
            a.assertion, a.expected, a.actual
        );
    }
    if c.attempts.len() > 1 {
        let outcomes: Vec<&str> = c.attempts.iter().map(|a| a.outcome.as_str()).collect();
        let _ = writeln!(d, "attempts: {}", outcomes.join(" | "));
    }
    d
}

fn micros(c: &CheckResult) -> u128 {
    c.timings.map_or_else(
        || c.attempts.iter().map(|a| a.elapsed.as_micros()).sum(),
        |t| t.total.as_micros(),
    )
}

/// Seconds with millisecond precision, as Surefire writes `time`.
fn seconds(micros: u128) -> String {
    let ms = micros.div_ceil(1000);
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Escapes an attribute value (quotes included; line breaks kept as character references so a
/// parser does not normalize them to spaces).
fn attr(s: &str) -> String {
    escape(s, true)
}

fn text(s: &str) -> String {
    escape(s, false)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            // XML 1.0 allows no other control characters, not even as references.
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "junit_tests.rs"]
mod tests;
