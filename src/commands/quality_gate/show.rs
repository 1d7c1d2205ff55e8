//! How a quality-gate decision is shown to people: the terminal table, the job summary (which
//! is also the sticky PR comment), and the flaky tests in both.

use crate::commands::Session;
use crate::gate::policy::GateReport;
use crate::gate::score::{GateOutcome, Readiness};
use crate::outcome::Verdict;
use crate::report::junit::TestCase;

/// Flaky tests named in the terminal and the summary; the rest are counted.
const FLAKY_LISTED: usize = 20;

fn mark(outcome: GateOutcome) -> &'static str {
    match outcome {
        GateOutcome::Pass => "✅",
        GateOutcome::Fail => "❌",
        GateOutcome::Inconclusive => "❔",
        GateOutcome::Skipped => "⏭️",
    }
}

fn shown_mark(r: &GateReport) -> &'static str {
    if r.outcome == GateOutcome::Fail && r.on_fail == "warn" {
        "⚠️"
    } else {
        mark(r.outcome)
    }
}

pub(super) fn print_table(reports: &[GateReport], readiness: &Readiness, session: &mut Session) {
    for r in reports {
        session.say(&format!(
            "{} {:<16} {:<40} {}",
            shown_mark(r),
            r.id,
            r.actual,
            r.reason
        ));
    }
    let score = readiness
        .score
        .map(|s| format!(" · readiness {s}/100"))
        .unwrap_or_default();
    session.say(&format!(
        "quality gate: {}{score} — {}",
        readiness.verdict, readiness.reason
    ));
}

/// The job summary: the gate table with thresholds, actual values and marks.
pub(super) fn summary_markdown(
    reports: &[GateReport],
    readiness: &Readiness,
    flaky: &[TestCase],
) -> String {
    let esc = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut md = String::from(
        "### Quality gate\n\n| Gate | Threshold | Actual | On failure | Result |\n|---|---|---|---|---|\n",
    );
    for r in reports {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} {} |\n",
            esc(&r.id),
            esc(&r.threshold),
            esc(&r.actual),
            r.on_fail,
            shown_mark(r),
            esc(&r.reason)
        ));
    }
    let verdict = match readiness.verdict {
        Verdict::Pass => "✅ pass",
        Verdict::Warn => "⚠️ pass with warnings",
        Verdict::Fail => "❌ blocked",
        Verdict::Inconclusive => "❔ inconclusive",
        Verdict::Error => "error",
    };
    let score = match (readiness.score, readiness.band) {
        (Some(s), Some(b)) => format!(" · readiness **{s}/100** ({})", b.label()),
        _ => String::new(),
    };
    md.push_str(&format!(
        "\n**Decision: {verdict}**{score} — {}\n",
        esc(&readiness.reason)
    ));
    if !flaky.is_empty() {
        md.push_str(&format!(
            "\n#### Flaky tests ({})\n\nPassed only after failing; each counts as passed.\n\n",
            flaky.len()
        ));
        for case in flaky.iter().take(FLAKY_LISTED) {
            md.push_str(&format!(
                "- `{}`\n",
                esc(&test_name(case)).replace('`', "'")
            ));
        }
        if flaky.len() > FLAKY_LISTED {
            md.push_str(&format!("- … and {} more\n", flaky.len() - FLAKY_LISTED));
        }
    }
    md
}

/// The terminal line about flaky tests, when there are any.
pub(super) fn flaky_line(flaky: &[TestCase]) -> Option<String> {
    let first = flaky.first()?;
    let n = flaky.len();
    let mut line = format!(
        "flaky: {n} test{} passed only after failing: {}",
        if n == 1 { "" } else { "s" },
        test_name(first)
    );
    for case in flaky.iter().skip(1).take(FLAKY_LISTED - 1) {
        line.push_str(&format!(", {}", test_name(case)));
    }
    if n > FLAKY_LISTED {
        line.push_str(&format!(" … and {} more", n - FLAKY_LISTED));
    }
    Some(line)
}

/// `class › name`, or the name alone when the class is empty or repeats it (jest).
fn test_name(case: &TestCase) -> String {
    let class = case.classname.trim();
    if class.is_empty() || class == case.name.trim() {
        case.name.trim().to_owned()
    } else {
        format!("{class} › {}", case.name.trim())
    }
}
