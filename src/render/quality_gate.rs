//! quality-gate's job summary: the gate table with thresholds, actual values and marks, and the
//! decision. Pure: gate reports in, Markdown out.

use crate::gate::policy::GateReport;
use crate::gate::score::{GateOutcome, Readiness};
use crate::outcome::Verdict;

/// A gate outcome's mark.
pub fn mark(outcome: GateOutcome) -> &'static str {
    match outcome {
        GateOutcome::Pass => "✅",
        GateOutcome::Fail => "❌",
        GateOutcome::Inconclusive => "❔",
        GateOutcome::Skipped => "⏭️",
    }
}

/// A gate's mark; a failed gate that only warns shows as a warning.
pub fn shown_mark(r: &GateReport) -> &'static str {
    if r.outcome == GateOutcome::Fail && r.on_fail == "warn" {
        "⚠️"
    } else {
        mark(r.outcome)
    }
}

/// The job summary: the gate table with thresholds, actual values and marks.
pub fn summary_markdown(reports: &[GateReport], readiness: &Readiness) -> String {
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
    md
}
