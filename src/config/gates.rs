//! The `quality-gate:` section: which reports to read, how many to expect, and the gates.
//!
//! ```yaml
//! quality-gate:
//!   inputs: ["test-results/**/*.xml"]
//!   expect: {junit: 4}            # refuse to decide on a partial matrix upload
//!   gates:
//!     e2e-tests: {kind: tests, min-pass-rate: 100, min-tests: 20}
//!     change-window:
//!       kind: change-window
//!       timezone: Europe/Berlin
//!       days: [mon, tue, wed, thu]
//!       hours: "09:00-16:00"
//!       blackouts: [{from: 2026-12-21, to: 2027-01-04, reason: holiday freeze}]
//!     p95-latency: {kind: json-number, file: perf/summary.json, pointer: /p95_ms, max: 2000, on-fail: warn}
//! ```
//!
//! One flat struct per gate (not an untagged enum, whose errors say nothing); validation then
//! checks that every key given applies to the gate's kind and names the ones that do not.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{ConfigError, locate};
use crate::gate::window::ChangeWindow;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawQualityGate {
    /// Report files or globs read in addition to the command-line inputs.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// How many reports of each kind must be present (`junit: 4` for a 4-job test matrix).
    #[serde(default)]
    pub expect: BTreeMap<String, u32>,
    /// Gates by id. Without this key the default policy applies (see docs/quality-gate.md).
    #[serde(default)]
    pub gates: Option<BTreeMap<String, RawGate>>,
}

/// What a gate checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GateKind {
    /// Test results (JUnit XML): pass rate and minimum count.
    Tests,
    /// Allowed days, hours and blackouts; skipped for `--purpose rollback`.
    ChangeWindow,
    /// A number at a JSON pointer in a JSON file, compared with `min` / `max`.
    JsonNumber,
    /// Security findings and vulnerable dependencies (SARIF with security-severity, npm audit,
    /// cargo audit, pip-audit, Trivy) by severity.
    Vulnerabilities,
    /// Code-quality findings (SARIF without security-severity) by level: the "A rating".
    CodeQuality,
    /// Response-time percentile from k6 summaries and `smoke --json` results.
    Performance,
    /// Line coverage (statements for Go) through the `coverage-check` engine.
    Coverage,
}

/// An accepted vulnerability: skipped until it expires, then it fails the gate by name.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAllow {
    /// Advisory id or alias (`RUSTSEC-2020-0159`, `GHSA-…`, `CVE-…`).
    pub id: String,
    /// Why it is accepted (required: an auditor will ask).
    pub reason: String,
    /// `YYYY-MM-DD`; from the day after, the entry fails the gate.
    pub expires: String,
}

/// What a failing gate does to the decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OnFail {
    #[default]
    Block,
    Warn,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBlackout {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// One gate. Which keys apply depends on `kind`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawGate {
    pub kind: GateKind,
    /// `block` (default) or `warn`.
    #[serde(default)]
    pub on_fail: Option<OnFail>,
    /// Weight in the readiness score (default 1).
    #[serde(default)]
    pub weight: Option<u32>,
    /// tests: minimum percentage of passing tests among those that ran (default 100).
    #[serde(default)]
    pub min_pass_rate: Option<u32>,
    /// tests: fewer tests than this is inconclusive — catches a suite that vanished (default 1).
    #[serde(default)]
    pub min_tests: Option<u64>,
    /// change-window: IANA time zone (default UTC).
    #[serde(default)]
    pub timezone: Option<String>,
    /// change-window: allowed weekdays (`mon` … `sun`; default every day).
    #[serde(default)]
    pub days: Option<Vec<String>>,
    /// change-window: allowed hours `HH:MM-HH:MM` in the zone (default all day).
    #[serde(default)]
    pub hours: Option<String>,
    /// change-window: no changes in these date ranges.
    #[serde(default)]
    pub blackouts: Option<Vec<RawBlackout>>,
    /// json-number: the JSON file.
    #[serde(default)]
    pub file: Option<String>,
    /// json-number: RFC 6901 pointer to the number, e.g. `/metrics/p95`.
    #[serde(default)]
    pub pointer: Option<String>,
    /// json-number: the number must be at least this.
    #[serde(default)]
    pub min: Option<f64>,
    /// json-number: the number must be at most this.
    #[serde(default)]
    pub max: Option<f64>,
    /// vulnerabilities: most critical findings allowed (default 0).
    #[serde(default)]
    pub max_critical: Option<u64>,
    /// vulnerabilities: most high findings allowed (default 0).
    #[serde(default)]
    pub max_high: Option<u64>,
    /// vulnerabilities: most medium findings allowed (default: no limit).
    #[serde(default)]
    pub max_medium: Option<u64>,
    /// vulnerabilities: how to count a finding of unknown severity (default high).
    #[serde(default)]
    pub unknown_as: Option<UnknownAs>,
    /// vulnerabilities: accepted advisories with a reason and an expiry date.
    #[serde(default)]
    pub allowlist: Option<Vec<RawAllow>>,
    /// code-quality: most error-level findings (default 0).
    #[serde(default)]
    pub max_errors: Option<u64>,
    /// code-quality: most warning-level findings (default 0).
    #[serde(default)]
    pub max_warnings: Option<u64>,
    /// performance: highest p95 response time in milliseconds (default 2000).
    #[serde(default)]
    pub max_p95_ms: Option<f64>,
    /// coverage: minimum total coverage in percent (default 80).
    #[serde(default)]
    pub min_coverage: Option<f64>,
}

/// The severity an unrated finding counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownAs {
    Critical,
    High,
    Medium,
    Low,
    Ignore,
}

/// A validated gate.
#[derive(Debug, Clone)]
pub struct GateSpec {
    pub id: String,
    pub on_fail: OnFail,
    pub weight: u32,
    pub check: GateCheck,
}

#[derive(Debug, Clone)]
pub enum GateCheck {
    Tests {
        min_pass_rate: u32,
        min_tests: u64,
    },
    ChangeWindow(ChangeWindow),
    JsonNumber {
        file: String,
        pointer: String,
        min: Option<f64>,
        max: Option<f64>,
    },
    Vulnerabilities {
        max_critical: u64,
        max_high: u64,
        max_medium: Option<u64>,
        unknown_as: UnknownAs,
        allowlist: Vec<Allow>,
    },
    CodeQuality {
        max_errors: u64,
        max_warnings: u64,
    },
    Performance {
        max_p95_ms: f64,
    },
    /// Minimum coverage in hundredths of a percent (8000 = 80%).
    Coverage {
        min_hundredths: u32,
    },
}

/// A validated allowlist entry.
#[derive(Debug, Clone)]
pub struct Allow {
    pub id: String,
    pub reason: String,
    pub expires: jiff::civil::Date,
}

/// The validated section.
#[derive(Debug, Clone, Default)]
pub struct QualityGateConfig {
    pub inputs: Vec<String>,
    pub expect: BTreeMap<String, u32>,
    /// `None`: no `gates:` key, the default policy applies.
    pub gates: Option<Vec<GateSpec>>,
}

pub(super) fn validate(
    raw: RawQualityGate,
    text: &str,
    path: &str,
) -> Result<QualityGateConfig, ConfigError> {
    let mut out = QualityGateConfig {
        inputs: raw.inputs,
        expect: BTreeMap::new(),
        gates: None,
    };
    for (kind, n) in raw.expect {
        if kind != "junit" {
            let (line, column) = locate(text, &kind);
            return Err(ConfigError::Value {
                path: path.to_owned(),
                line,
                column,
                key: format!("quality-gate.expect.{kind}"),
                message: "unknown report kind; expected `junit`".into(),
            });
        }
        out.expect.insert(kind, n);
    }
    if let Some(gates) = raw.gates {
        let mut specs = Vec::new();
        for (id, g) in gates {
            specs.push(gate(&id, g).map_err(|message| {
                let (line, column) = locate(text, &format!("{id}:"));
                ConfigError::Value {
                    path: path.to_owned(),
                    line,
                    column,
                    key: format!("quality-gate.gates.{id}"),
                    message,
                }
            })?);
        }
        out.gates = Some(specs);
    }
    Ok(out)
}

fn gate(id: &str, g: RawGate) -> Result<GateSpec, String> {
    let given = |name: &'static str, present: bool| present.then_some(name);
    let keys = [
        given("min-pass-rate", g.min_pass_rate.is_some()),
        given("min-tests", g.min_tests.is_some()),
        given("timezone", g.timezone.is_some()),
        given("days", g.days.is_some()),
        given("hours", g.hours.is_some()),
        given("blackouts", g.blackouts.is_some()),
        given("file", g.file.is_some()),
        given("pointer", g.pointer.is_some()),
        given("min", g.min.is_some()),
        given("max", g.max.is_some()),
        given("max-critical", g.max_critical.is_some()),
        given("max-high", g.max_high.is_some()),
        given("max-medium", g.max_medium.is_some()),
        given("unknown-as", g.unknown_as.is_some()),
        given("allowlist", g.allowlist.is_some()),
        given("max-errors", g.max_errors.is_some()),
        given("max-warnings", g.max_warnings.is_some()),
        given("max-p95-ms", g.max_p95_ms.is_some()),
        given("min-coverage", g.min_coverage.is_some()),
    ];
    let allowed: &[&str] = match g.kind {
        GateKind::Tests => &["min-pass-rate", "min-tests"],
        GateKind::ChangeWindow => &["timezone", "days", "hours", "blackouts"],
        GateKind::JsonNumber => &["file", "pointer", "min", "max"],
        GateKind::Vulnerabilities => &[
            "max-critical",
            "max-high",
            "max-medium",
            "unknown-as",
            "allowlist",
        ],
        GateKind::CodeQuality => &["max-errors", "max-warnings"],
        GateKind::Performance => &["max-p95-ms"],
        GateKind::Coverage => &["min-coverage"],
    };
    if let Some(bad) = keys.iter().flatten().find(|k| !allowed.contains(k)) {
        return Err(format!(
            "`{bad}` does not apply to this kind of gate; it takes {}",
            allowed.join(", ")
        ));
    }
    let check = match g.kind {
        GateKind::Tests => {
            let min_pass_rate = g.min_pass_rate.unwrap_or(100);
            if min_pass_rate > 100 {
                return Err(format!("min-pass-rate {min_pass_rate} is over 100"));
            }
            GateCheck::Tests {
                min_pass_rate,
                min_tests: g.min_tests.unwrap_or(1),
            }
        }
        GateKind::ChangeWindow => {
            let blackouts: Vec<_> = g
                .blackouts
                .unwrap_or_default()
                .into_iter()
                .map(|b| (b.from, b.to, b.reason))
                .collect();
            let w = ChangeWindow::parse(
                g.timezone.as_deref().unwrap_or("UTC"),
                &g.days.unwrap_or_default(),
                g.hours.as_deref(),
                &blackouts,
            )
            .map_err(|e| e.to_string())?;
            GateCheck::ChangeWindow(w)
        }
        GateKind::JsonNumber => {
            let file = g.file.ok_or("`file` is required: the JSON file to read")?;
            let pointer = g
                .pointer
                .ok_or("`pointer` is required, e.g. `/metrics/p95`")?;
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                return Err(format!(
                    "pointer `{pointer}` must start with `/` (RFC 6901)"
                ));
            }
            if g.min.is_none() && g.max.is_none() {
                return Err("give `min`, `max` or both".into());
            }
            GateCheck::JsonNumber {
                file,
                pointer,
                min: g.min,
                max: g.max,
            }
        }
        GateKind::Vulnerabilities => {
            let allowlist = g
                .allowlist
                .unwrap_or_default()
                .into_iter()
                .map(|a| {
                    if a.reason.trim().is_empty() {
                        return Err(format!("allowlist entry `{}` needs a reason", a.id));
                    }
                    let expires = a.expires.parse().map_err(|_| {
                        format!(
                            "allowlist entry `{}`: expires `{}` is not a date (YYYY-MM-DD)",
                            a.id, a.expires
                        )
                    })?;
                    Ok(Allow {
                        id: a.id,
                        reason: a.reason,
                        expires,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            GateCheck::Vulnerabilities {
                max_critical: g.max_critical.unwrap_or(0),
                max_high: g.max_high.unwrap_or(0),
                max_medium: g.max_medium,
                unknown_as: g.unknown_as.unwrap_or(UnknownAs::High),
                allowlist,
            }
        }
        GateKind::CodeQuality => GateCheck::CodeQuality {
            max_errors: g.max_errors.unwrap_or(0),
            max_warnings: g.max_warnings.unwrap_or(0),
        },
        GateKind::Performance => {
            let max_p95_ms = g.max_p95_ms.unwrap_or(2000.0);
            if !(max_p95_ms.is_finite() && max_p95_ms > 0.0) {
                return Err(format!(
                    "max-p95-ms {max_p95_ms} must be a positive number of milliseconds"
                ));
            }
            GateCheck::Performance { max_p95_ms }
        }
        GateKind::Coverage => {
            let min = g.min_coverage.unwrap_or(80.0);
            let pct = crate::gate::coverage::Pct::parse(&min.to_string())?;
            GateCheck::Coverage {
                min_hundredths: pct.0,
            }
        }
    };
    Ok(GateSpec {
        id: id.to_owned(),
        on_fail: g.on_fail.unwrap_or_default(),
        weight: g.weight.unwrap_or(1),
        check,
    })
}
