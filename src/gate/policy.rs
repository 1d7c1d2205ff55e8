//! Gate evaluation for `quality-gate`: validated gate specs + the evidence read from reports →
//! one result per gate with its threshold, the actual value, the outcome and the reason.
//!
//! Pure: the command reads the files and passes what they contain; the clock is an argument.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::score::{GateOutcome, GateResult};
use crate::config::gates::{GateCheck, GateSpec, OnFail, UnknownAs};
use crate::report::junit::TestSummary;
use crate::report::severity::Severity;

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
    /// Security findings and vulnerable dependencies; `None` when no scanner report was given.
    pub vulnerabilities: Option<Vec<SecurityFinding>>,
    /// Dependencies a scanner could not check (pip-audit `skip_reason`).
    pub unaudited: u64,
    /// Code-quality findings (SARIF without security severity) by level; `None` without SARIF.
    pub quality: Option<QualityCounts>,
    /// The highest p95 response time over the performance reports, in ms.
    pub p95_ms: Option<f64>,
    /// Coverage merged over every coverage report: the metric's name and its counter.
    pub coverage: Option<(&'static str, crate::report::coverage::Counter)>,
    /// The thresholds of every k6 summary; `None` when no k6 summary was given.
    pub k6: Option<K6Thresholds>,
    /// The checks of every `smoke --json` result; `None` when none was given.
    pub smoke: Option<SmokeRun>,
}

/// k6's own pass/fail criteria over every summary given.
#[derive(Debug, Clone, Default)]
pub struct K6Thresholds {
    pub total: u64,
    /// `metric expression` of each crossed threshold (`http_req_failed rate<0.01`).
    pub crossed: Vec<String>,
}

/// The checks of the `smoke --json` results given.
#[derive(Debug, Clone, Default)]
pub struct SmokeRun {
    pub total: u64,
    /// Checks that failed an assertion or got no usable response.
    pub not_passed: u64,
    /// The worst verdict among the results (`pass`, `fail`, …).
    pub verdict: String,
}

/// One vulnerability or security finding, whatever the scanner.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityFinding {
    pub id: String,
    pub aliases: Vec<String>,
    pub severity: Severity,
    pub title: String,
}

/// Code-quality findings by SARIF level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QualityCounts {
    pub error: u64,
    pub warning: u64,
    pub note: u64,
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

/// The gates used when the config has no `gates:` — the production-readiness table: tests
/// must all pass (block), coverage ≥ 80% (block), no critical or high vulnerability (block), p95 under 2 s (warn), code
/// quality "A": no error and no warning (warn). A gate whose kind of report was not given is
/// left out, except tests, which are always required.
pub fn default_gates(evidence: &Evidence) -> Vec<GateSpec> {
    let gate = |id: &str, on_fail, check| GateSpec {
        id: id.into(),
        on_fail,
        weight: 1,
        check,
    };
    let mut out = vec![gate(
        "tests",
        OnFail::Block,
        GateCheck::Tests {
            min_pass_rate: 100,
            min_tests: 1,
        },
    )];
    if evidence.coverage.is_some() {
        out.push(gate(
            "coverage",
            OnFail::Block,
            GateCheck::Coverage {
                min_hundredths: 8000,
            },
        ));
    }
    if evidence.vulnerabilities.is_some() {
        let check = GateCheck::Vulnerabilities {
            max_critical: 0,
            max_high: 0,
            max_medium: None,
            unknown_as: UnknownAs::High,
            allowlist: Vec::new(),
        };
        out.push(gate("vulnerabilities", OnFail::Block, check));
    }
    if evidence.p95_ms.is_some() {
        out.push(gate(
            "performance",
            OnFail::Warn,
            GateCheck::Performance { max_p95_ms: 2000.0 },
        ));
    }
    if evidence.quality.is_some() {
        out.push(gate(
            "code-quality",
            OnFail::Warn,
            GateCheck::CodeQuality {
                max_errors: 0,
                max_warnings: 0,
            },
        ));
    }
    out
}

/// Evaluates every gate, plus completeness when `expect_junit` is set, plus the gates the
/// reports' own verdicts decide (k6 thresholds, smoke runs; see [`super::reported`]).
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
    out.extend(super::reported::gates(evidence));
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
            GateCheck::Vulnerabilities {
                max_critical,
                max_high,
                max_medium,
                unknown_as,
                allowlist,
            } => super::vulnerabilities::judge(
                evidence,
                [*max_critical, *max_high],
                *max_medium,
                *unknown_as,
                allowlist,
                now,
            ),
            GateCheck::CodeQuality {
                max_errors,
                max_warnings,
            } => code_quality(evidence.quality, *max_errors, *max_warnings),
            GateCheck::Performance { max_p95_ms } => performance(evidence.p95_ms, *max_p95_ms),
            GateCheck::Coverage { min_hundredths } => coverage(evidence.coverage, *min_hundredths),
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

pub(super) type Judged = (&'static str, String, String, GateOutcome, String);

fn coverage(cov: Option<(&'static str, crate::report::coverage::Counter)>, min: u32) -> Judged {
    let pct = crate::gate::coverage::Pct(min);
    let threshold = format!("≥ {pct}");
    let Some((metric, c)) = cov else {
        return (
            "coverage",
            threshold,
            "no report".into(),
            GateOutcome::Inconclusive,
            "no coverage report was given".into(),
        );
    };
    let Some(shown) = crate::gate::coverage::percent(c) else {
        return (
            "coverage",
            threshold,
            format!("0 {metric} measured"),
            GateOutcome::Inconclusive,
            "the reports measure nothing".into(),
        );
    };
    let actual = format!("{shown}% {metric} ({}/{})", c.covered, c.total);
    if pct.holds(c) {
        (
            "coverage",
            threshold,
            actual,
            GateOutcome::Pass,
            "enough of the code is tested".into(),
        )
    } else {
        (
            "coverage",
            threshold,
            actual,
            GateOutcome::Fail,
            format!("{shown}% is below {pct}"),
        )
    }
}

fn code_quality(quality: Option<QualityCounts>, max_errors: u64, max_warnings: u64) -> Judged {
    let threshold = format!("A rating: ≤ {max_errors} errors, ≤ {max_warnings} warnings");
    let Some(q) = quality else {
        return (
            "code-quality",
            threshold,
            "no report".into(),
            GateOutcome::Inconclusive,
            "no SARIF report was given".into(),
        );
    };
    let actual = format!(
        "{} errors, {} warnings, {} notes",
        q.error, q.warning, q.note
    );
    if q.error > max_errors || q.warning > max_warnings {
        (
            "code-quality",
            threshold,
            actual,
            GateOutcome::Fail,
            "below an A rating".into(),
        )
    } else {
        (
            "code-quality",
            threshold,
            actual,
            GateOutcome::Pass,
            "A rating".into(),
        )
    }
}

fn performance(p95: Option<f64>, max: f64) -> Judged {
    let threshold = format!("p95 < {max} ms");
    let Some(p95) = p95 else {
        return (
            "performance",
            threshold,
            "no report".into(),
            GateOutcome::Inconclusive,
            "no k6 summary was given".into(),
        );
    };
    let actual = format!("p95 {p95:.1} ms");
    if p95 < max {
        (
            "performance",
            threshold,
            actual,
            GateOutcome::Pass,
            "fast enough".into(),
        )
    } else {
        (
            "performance",
            threshold,
            actual,
            GateOutcome::Fail,
            format!("p95 is {:.1} ms over the limit", p95 - max),
        )
    }
}

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
#[path = "policy_tests.rs"]
mod tests;
