//! Gate evaluation for `quality-gate`: validated gate specs + the evidence read from reports →
//! one result per gate with its threshold, the actual value, the outcome and the reason.
//!
//! Pure: the command reads the files and passes what they contain; the clock is an argument.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::score::{GateOutcome, GateResult};
use crate::config::gates::{GateCheck, GateSpec, OnFail};
use crate::report::junit::TestSummary;

/// Why the gate runs: a rollback is never held back by a change window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    #[default]
    Deploy,
    Rollback,
}

/// What the reports said, already parsed.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Test results summed over every JUnit report, and how many reports there were.
    pub tests: Option<TestSummary>,
    pub junit_reports: u32,
    /// JSON files named by `json-number` gates: their content, or why it could not be read.
    pub json_files: BTreeMap<String, Result<serde_json::Value, String>>,
}

/// One gate's verdict with everything an auditor needs.
#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    pub id: String,
    pub kind: &'static str,
    pub on_fail: &'static str,
    pub weight: u32,
    pub threshold: String,
    pub actual: String,
    pub outcome: GateOutcome,
    pub reason: String,
}

impl GateReport {
    pub fn as_result(&self) -> GateResult {
        GateResult {
            id: self.id.clone(),
            outcome: self.outcome,
            blocking: self.on_fail == "block",
            weight: self.weight,
        }
    }
}

/// The gates used when the config has no `gates:`: every test must pass, and at least one must
/// have run. (Coverage, vulnerability, performance and code-quality gates join this default
/// policy as their report readers land.)
pub fn default_gates() -> Vec<GateSpec> {
    vec![GateSpec {
        id: "tests".into(),
        on_fail: OnFail::Block,
        weight: 1,
        check: GateCheck::Tests {
            min_pass_rate: 100,
            min_tests: 1,
        },
    }]
}

/// Evaluates every gate, plus completeness when `expect_junit` is set.
pub fn evaluate(
    specs: &[GateSpec],
    evidence: &Evidence,
    expect_junit: Option<u32>,
    now: Timestamp,
    purpose: Purpose,
) -> Vec<GateReport> {
    let mut out = Vec::new();
    if let Some(expected) = expect_junit {
        let got = evidence.junit_reports;
        let (outcome, reason) = if got >= expected {
            (
                GateOutcome::Pass,
                format!("{got} JUnit report(s) as expected"),
            )
        } else {
            (
                GateOutcome::Inconclusive,
                format!(
                    "only {got} of {expected} expected JUnit reports: a matrix job's upload is missing; refusing to decide"
                ),
            )
        };
        out.push(GateReport {
            id: "completeness".into(),
            kind: "completeness",
            on_fail: "block",
            weight: 0,
            threshold: format!("{expected} JUnit reports"),
            actual: got.to_string(),
            outcome,
            reason,
        });
    }
    for spec in specs {
        let (kind, threshold, actual, outcome, reason) = match &spec.check {
            GateCheck::Tests {
                min_pass_rate,
                min_tests,
            } => tests(evidence.tests, *min_pass_rate, *min_tests),
            GateCheck::ChangeWindow(w) => {
                let threshold = "inside the change window".to_owned();
                if purpose == Purpose::Rollback {
                    (
                        "change-window",
                        threshold,
                        "rollback".into(),
                        GateOutcome::Skipped,
                        "a rollback is never blocked by the change window".into(),
                    )
                } else {
                    let r = w.evaluate(now);
                    let outcome = if r.allowed {
                        GateOutcome::Pass
                    } else {
                        GateOutcome::Fail
                    };
                    ("change-window", threshold, r.local_time, outcome, r.reason)
                }
            }
            GateCheck::JsonNumber {
                file,
                pointer,
                min,
                max,
            } => json_number(evidence, file, pointer, *min, *max),
        };
        out.push(GateReport {
            id: spec.id.clone(),
            kind,
            on_fail: match spec.on_fail {
                OnFail::Block => "block",
                OnFail::Warn => "warn",
            },
            weight: spec.weight,
            threshold,
            actual,
            outcome,
            reason,
        });
    }
    out
}

type Judged = (&'static str, String, String, GateOutcome, String);

fn tests(summary: Option<TestSummary>, min_pass_rate: u32, min_tests: u64) -> Judged {
    let threshold = format!("≥ {min_pass_rate}% pass, ≥ {min_tests} test(s)");
    let Some(s) = summary else {
        return (
            "tests",
            threshold,
            "no JUnit report".into(),
            GateOutcome::Inconclusive,
            "no test results were given".into(),
        );
    };
    let ran = s.passed + s.failed + s.errors;
    let actual = format!(
        "{} passed, {} failed, {} errors, {} skipped of {}",
        s.passed, s.failed, s.errors, s.skipped, s.tests
    );
    if s.tests < min_tests || ran == 0 {
        let reason = format!(
            "only {} test(s) reported, {ran} ran; expected at least {min_tests} — did a suite crash or vanish?",
            s.tests
        );
        return (
            "tests",
            threshold,
            actual,
            GateOutcome::Inconclusive,
            reason,
        );
    }
    // Integer arithmetic decides: passed / ran ≥ min%.
    let ok = s.passed * 100 >= u64::from(min_pass_rate) * ran;
    let reason = if ok {
        format!("{} of {ran} tests passed", s.passed)
    } else {
        format!("{} of {ran} tests failed or errored", s.failed + s.errors)
    };
    (
        "tests",
        threshold,
        actual,
        if ok {
            GateOutcome::Pass
        } else {
            GateOutcome::Fail
        },
        reason,
    )
}

fn json_number(
    evidence: &Evidence,
    file: &str,
    pointer: &str,
    min: Option<f64>,
    max: Option<f64>,
) -> Judged {
    let threshold = match (min, max) {
        (Some(a), Some(b)) => format!("{a} ≤ {file}#{pointer} ≤ {b}"),
        (Some(a), None) => format!("{file}#{pointer} ≥ {a}"),
        (None, Some(b)) => format!("{file}#{pointer} ≤ {b}"),
        (None, None) => format!("{file}#{pointer}"),
    };
    let value = match evidence.json_files.get(file) {
        Some(Ok(doc)) => doc.pointer(pointer).cloned(),
        Some(Err(e)) => {
            return (
                "json-number",
                threshold,
                "unreadable".into(),
                GateOutcome::Inconclusive,
                e.clone(),
            );
        }
        None => None,
    };
    let Some(number) = value.as_ref().and_then(serde_json::Value::as_f64) else {
        let reason = match value {
            Some(v) => format!("`{pointer}` in `{file}` is not a number: {v}"),
            None => format!("`{pointer}` not found in `{file}`"),
        };
        return (
            "json-number",
            threshold,
            "no value".into(),
            GateOutcome::Inconclusive,
            reason,
        );
    };
    let low = min.is_some_and(|m| number < m);
    let high = max.is_some_and(|m| number > m);
    let (outcome, reason) = if low || high {
        (
            GateOutcome::Fail,
            format!(
                "{number} is {} the limit",
                if low { "below" } else { "above" }
            ),
        )
    } else {
        (GateOutcome::Pass, format!("{number} is within the limit"))
    };
    (
        "json-number",
        threshold,
        number.to_string(),
        outcome,
        reason,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::window::ChangeWindow;

    fn spec(id: &str, check: GateCheck) -> GateSpec {
        GateSpec {
            id: id.into(),
            on_fail: OnFail::Block,
            weight: 1,
            check,
        }
    }

    fn summary(passed: u64, failed: u64, skipped: u64) -> TestSummary {
        TestSummary {
            tests: passed + failed + skipped,
            passed,
            failed,
            skipped,
            ..TestSummary::default()
        }
    }

    fn now() -> Timestamp {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn tests_gate_passes_fails_and_is_inconclusive_without_tests() {
        let gate = [spec(
            "t",
            GateCheck::Tests {
                min_pass_rate: 100,
                min_tests: 5,
            },
        )];
        let run = |s: Option<TestSummary>| {
            let e = Evidence {
                tests: s,
                junit_reports: 1,
                ..Evidence::default()
            };
            evaluate(&gate, &e, None, now(), Purpose::Deploy).remove(0)
        };
        assert_eq!(run(Some(summary(9, 0, 3))).outcome, GateOutcome::Pass);
        let failed = run(Some(summary(8, 1, 0)));
        assert_eq!(failed.outcome, GateOutcome::Fail);
        assert_eq!(failed.reason, "1 of 9 tests failed or errored");
        assert_eq!(
            run(Some(summary(3, 0, 0))).outcome,
            GateOutcome::Inconclusive,
            "fewer than min-tests"
        );
        assert_eq!(
            run(Some(summary(0, 0, 7))).outcome,
            GateOutcome::Inconclusive,
            "only skips: nothing ran"
        );
        assert_eq!(
            run(None).outcome,
            GateOutcome::Inconclusive,
            "zero tests is never a pass"
        );
    }

    #[test]
    fn pass_rate_threshold_is_integer_exact() {
        let gate = [spec(
            "t",
            GateCheck::Tests {
                min_pass_rate: 95,
                min_tests: 1,
            },
        )];
        let judge = |p, f| {
            let e = Evidence {
                tests: Some(summary(p, f, 0)),
                junit_reports: 1,
                ..Evidence::default()
            };
            evaluate(&gate, &e, None, now(), Purpose::Deploy)
                .remove(0)
                .outcome
        };
        assert_eq!(judge(19, 1), GateOutcome::Pass, "exactly 95%");
        assert_eq!(judge(189, 11), GateOutcome::Fail, "94.5%");
    }

    #[test]
    fn completeness_refuses_a_partial_matrix() {
        let e = Evidence {
            tests: Some(summary(10, 0, 0)),
            junit_reports: 3,
            ..Evidence::default()
        };
        let r = evaluate(&default_gates(), &e, Some(4), now(), Purpose::Deploy);
        assert_eq!(r[0].outcome, GateOutcome::Inconclusive);
        assert!(r[0].reason.contains("only 3 of 4"));
    }

    #[test]
    fn change_window_blocks_a_deploy_but_never_a_rollback() {
        // Saturday noon UTC, window Mon–Fri.
        let w = ChangeWindow::parse("UTC", &["mon".into(), "fri".into()], None, &[]).unwrap();
        let gate = [spec("window", GateCheck::ChangeWindow(w))];
        let deploy = evaluate(&gate, &Evidence::default(), None, now(), Purpose::Deploy).remove(0);
        assert_eq!(deploy.outcome, GateOutcome::Fail);
        assert!(deploy.reason.contains("sat is not a change day"));
        let rollback =
            evaluate(&gate, &Evidence::default(), None, now(), Purpose::Rollback).remove(0);
        assert_eq!(rollback.outcome, GateOutcome::Skipped);
    }

    #[test]
    fn json_number_compares_and_explains_missing_values() {
        let mut e = Evidence::default();
        e.json_files.insert(
            "perf.json".into(),
            Ok(serde_json::json!({"p95": 2300.5, "name": "x"})),
        );
        let gate = |pointer: &str| {
            let check = GateCheck::JsonNumber {
                file: "perf.json".into(),
                pointer: pointer.into(),
                min: None,
                max: Some(2000.0),
            };
            evaluate(&[spec("p95", check)], &e, None, now(), Purpose::Deploy).remove(0)
        };
        let r = gate("/p95");
        assert_eq!(
            (r.outcome, r.actual.as_str()),
            (GateOutcome::Fail, "2300.5")
        );
        assert_eq!(gate("/name").outcome, GateOutcome::Inconclusive);
        assert!(gate("/nope").reason.contains("not found"));
    }
}
