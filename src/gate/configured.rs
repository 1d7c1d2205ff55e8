//! What is configured decides what is judged.
//!
//! - A gate nobody asked for — a default-policy gate whose kind of report was not given (no k6
//!   summary, no SARIF) — is `not-configured`: shown, never failing, never blocking.
//! - A gate the config names (`quality-gate.gates`) whose input is missing fails, saying which
//!   report it lacks: the pipeline promised that report.
//! - A report pattern that names no file fails the `inputs` gate, naming the pattern and the step
//!   that should have written it.
//!
//! Pure, like [`super::policy`], whose judgement it wraps.

use jiff::Timestamp;

use super::policy::{self, Evidence, GateReport, Purpose};
use super::score::GateOutcome;
use crate::config::gates::{GateCheck, GateSpec};

/// Where the gates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// No `gates:` in the config: the default table.
    Default,
    /// `quality-gate.gates` in the config.
    Config,
}

/// The reason a gate gives for a pattern that matched nothing; `step` names what should have
/// written it ("the test step").
pub fn missing_reason(pattern: &str, step: &str) -> String {
    format!("no file matches {pattern} — did {step} run?")
}

/// Every gate's report: the `inputs` gate first when a pattern matched nothing, then completeness
/// (`expect:`), then each gate — judged by [`policy::evaluate`] when its input is there, else
/// not configured or failed according to `source`.
pub fn judge(
    specs: &[GateSpec],
    source: Source,
    evidence: &Evidence,
    expect_junit: Option<u32>,
    now: Timestamp,
    purpose: Purpose,
    missing_patterns: &[String],
) -> Vec<GateReport> {
    let mut out = Vec::with_capacity(specs.len() + 2);
    out.extend(inputs_gate(missing_patterns));
    out.extend(policy::evaluate(&[], evidence, expect_junit, now, purpose));
    for spec in specs {
        let judged = match missing_input(&spec.check, evidence) {
            Some(what) => without_input(spec, what, source, now, purpose),
            None => policy::evaluate(std::slice::from_ref(spec), evidence, None, now, purpose),
        };
        out.extend(judged);
    }
    out
}

/// The `inputs` gate: fails when a report pattern matched no file.
fn inputs_gate(missing: &[String]) -> Option<GateReport> {
    if missing.is_empty() {
        return None;
    }
    let reasons: Vec<String> = missing
        .iter()
        .map(|p| missing_reason(p, "the test step"))
        .collect();
    Some(GateReport {
        id: "inputs".into(),
        kind: "inputs",
        on_fail: "block",
        weight: 1,
        threshold: "every report pattern names a file".into(),
        actual: format!("{} pattern(s) matched nothing", missing.len()),
        outcome: GateOutcome::Fail,
        reason: reasons.join("; "),
    })
}

/// The kind of report a gate needs and the evidence lacks; `None` when it has its input (or
/// needs none: the change window reads the clock, json-number its own file).
fn missing_input(check: &GateCheck, evidence: &Evidence) -> Option<&'static str> {
    match check {
        GateCheck::Tests { .. } => evidence.tests.is_none().then_some("JUnit XML test results"),
        GateCheck::Coverage { .. } => evidence.coverage.is_none().then_some("coverage report"),
        GateCheck::Vulnerabilities { .. } => evidence
            .vulnerabilities
            .is_none()
            .then_some("vulnerability report (SARIF, npm audit, cargo audit, pip-audit, Trivy)"),
        GateCheck::CodeQuality { .. } => evidence.quality.is_none().then_some("SARIF report"),
        GateCheck::Performance { .. } => evidence
            .p95_ms
            .is_none()
            .then_some("k6 summary or `smoke --json` result"),
        GateCheck::ChangeWindow(_) | GateCheck::JsonNumber { .. } => None,
    }
}

/// A gate without its input: its threshold as [`policy::evaluate`] states it, and the outcome
/// its source gives it.
fn without_input(
    spec: &GateSpec,
    what: &str,
    source: Source,
    now: Timestamp,
    purpose: Purpose,
) -> Vec<GateReport> {
    let mut reports = policy::evaluate(
        std::slice::from_ref(spec),
        &Evidence::default(),
        None,
        now,
        purpose,
    );
    for r in &mut reports {
        match source {
            Source::Default => {
                r.actual = "not configured".into();
                r.outcome = GateOutcome::NotConfigured;
                r.reason = format!("not configured: no {what} was given");
            }
            Source::Config => {
                r.actual = "no report".into();
                r.outcome = GateOutcome::Fail;
                r.reason = format!(
                    "configured, but no {what} was given — did the step that writes it run?"
                );
            }
        }
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::gates::OnFail;
    use crate::report::junit::TestSummary;

    fn spec(id: &str, check: GateCheck) -> GateSpec {
        GateSpec {
            id: id.into(),
            on_fail: OnFail::Block,
            weight: 1,
            check,
        }
    }

    fn now() -> Timestamp {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    fn outcomes(reports: &[GateReport]) -> Vec<(&str, GateOutcome)> {
        reports.iter().map(|r| (r.id.as_str(), r.outcome)).collect()
    }

    #[test]
    fn a_default_gate_without_its_report_is_not_configured() {
        let e = Evidence {
            tests: Some(TestSummary {
                tests: 2,
                passed: 2,
                ..TestSummary::default()
            }),
            junit_reports: 1,
            ..Evidence::default()
        };
        let r = judge(
            &policy::default_gates(&e),
            Source::Default,
            &e,
            None,
            now(),
            Purpose::Deploy,
            &[],
        );
        let perf = r.iter().find(|g| g.id == "performance").unwrap();
        assert_eq!(perf.outcome, GateOutcome::NotConfigured);
        assert_eq!(
            perf.reason,
            "not configured: no k6 summary or `smoke --json` result was given"
        );
        assert!(outcomes(&r).contains(&("tests", GateOutcome::Pass)));
    }

    #[test]
    fn a_configured_gate_without_its_report_fails_and_says_which() {
        let gates = [spec("perf", GateCheck::Performance { max_p95_ms: 2000.0 })];
        let r = judge(
            &gates,
            Source::Config,
            &Evidence::default(),
            None,
            now(),
            Purpose::Deploy,
            &[],
        );
        assert_eq!(outcomes(&r), [("perf", GateOutcome::Fail)]);
        assert!(r[0].reason.contains("k6 summary"), "{}", r[0].reason);
        assert_eq!(r[0].threshold, "p95 < 2000 ms");
    }

    #[test]
    fn a_pattern_that_matched_nothing_fails_the_inputs_gate() {
        let r = judge(
            &[],
            Source::Default,
            &Evidence::default(),
            None,
            now(),
            Purpose::Deploy,
            &["target/surefire-reports/*.xml".to_owned()],
        );
        assert_eq!(outcomes(&r), [("inputs", GateOutcome::Fail)]);
        assert_eq!(
            r[0].reason,
            "no file matches target/surefire-reports/*.xml — did the test step run?"
        );
    }
}
