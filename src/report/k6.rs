//! k6 end-of-test summaries → request latency, failure rate, checks and thresholds.
//!
//! Two shapes (tests/fixtures/perf/k6/README.md has both side by side):
//! - `handleSummary(data)` JSON: each metric is `{type, contains, values: {...}, thresholds?}`
//!   and a threshold is `{"ok": bool}` — `ok: true` means it **passed**.
//! - legacy `k6 run --summary-export=FILE`: the values sit at the top level of each metric and a
//!   threshold is a bare boolean that is k6's `LastFailed`: **`true` means the threshold FAILED**
//!   (was crossed). [`Threshold::passed`] is the un-inverted answer for both shapes.
//!
//! The second trap: in a rate metric `passes` counts samples whose value is non-zero. For
//! `http_req_failed` that is the *failed* requests; [`RequestFailures`] names them so.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::json::{JsonFailure, classify, has_key};

/// Which of the two summary shapes a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum K6Format {
    HandleSummary,
    SummaryExport,
}

/// A trend metric's statistics in milliseconds (those k6 was configured to print;
/// `summaryTrendStats` may leave some out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Trend {
    pub avg: Option<f64>,
    pub min: Option<f64>,
    pub med: Option<f64>,
    pub max: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
}

/// `http_req_failed`, with k6's `passes` (non-zero samples = failed requests) renamed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RequestFailures {
    pub failed: u64,
    pub total: u64,
    /// As k6 reported it (0.0–1.0); for display — decide on `failed`/`total`.
    pub rate: Option<f64>,
}

/// The `checks` rate metric: succeeded and failed check evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Checks {
    pub passed: u64,
    pub failed: u64,
}

/// One threshold of one metric, with the legacy inversion already undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Threshold {
    /// The metric, with its tag filter for a sub-metric: `http_req_duration{name:slow}`.
    pub metric: String,
    /// The threshold expression: `p(95)<500`.
    pub expression: String,
    pub passed: bool,
}

/// One metric's numeric values (`p(95)`, `avg`, `count`, `rate`, `passes`, `value`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metric {
    pub values: BTreeMap<String, f64>,
}

/// A parsed k6 summary.
#[derive(Debug, Clone, Serialize)]
pub struct K6Summary {
    pub format: K6Format,
    /// `http_req_duration` (all requests, not only the expected responses).
    pub http_req_duration: Option<Trend>,
    pub http_req_failed: Option<RequestFailures>,
    pub http_reqs: Option<u64>,
    pub iterations: Option<u64>,
    pub checks: Option<Checks>,
    /// Sorted by metric, then expression.
    pub thresholds: Vec<Threshold>,
    /// Every metric by name, for custom gates (`metric("http_req_duration{name:slow}")`).
    pub metrics: BTreeMap<String, Metric>,
}

impl K6Summary {
    /// The 95th percentile of `http_req_duration`, in milliseconds.
    pub fn p95_ms(&self) -> Option<f64> {
        self.http_req_duration.and_then(|t| t.p95)
    }

    pub fn p90_ms(&self) -> Option<f64> {
        self.http_req_duration.and_then(|t| t.p90)
    }

    pub fn avg_ms(&self) -> Option<f64> {
        self.http_req_duration.and_then(|t| t.avg)
    }

    pub fn max_ms(&self) -> Option<f64> {
        self.http_req_duration.and_then(|t| t.max)
    }

    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.get(name)
    }

    pub fn failed_thresholds(&self) -> impl Iterator<Item = &Threshold> {
        self.thresholds.iter().filter(|t| !t.passed)
    }
}

/// Errors reading a k6 summary, located and saying what was expected.
#[derive(Debug, thiserror::Error)]
pub enum K6Error {
    #[error("k6 summary `{path}`: cannot read it: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("k6 summary `{path}`: line {line}, column {column}: {message}")]
    Malformed {
        path: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("k6 summary `{path}`: {message}")]
    Invalid { path: String, message: String },
}

/// Whether the first bytes of a file look like a k6 summary (either shape).
pub fn detect(head: &[u8]) -> bool {
    has_key(head, "metrics")
        && (has_key(head, "root_group")
            || has_key(head, "http_req_duration")
            || has_key(head, "iterations"))
}

/// Reads a k6 summary file of either shape.
pub fn parse_file(path: &Path) -> Result<K6Summary, K6Error> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| K6Error::Read {
        path: shown.clone(),
        source,
    })?;
    parse_reader(&shown, std::io::BufReader::new(file))
}

/// Reads a k6 summary from `reader`; `name` is used in errors.
pub fn parse_reader(name: &str, reader: impl BufRead) -> Result<K6Summary, K6Error> {
    let invalid = |message: String| K6Error::Invalid {
        path: name.to_owned(),
        message,
    };
    let raw: RawSummary = serde_json::from_reader(reader).map_err(|e| match classify(e) {
        JsonFailure::Io(source) => K6Error::Read {
            path: name.to_owned(),
            source,
        },
        JsonFailure::Empty => invalid(
            "the file is empty; expected k6's handleSummary or --summary-export JSON".into(),
        ),
        JsonFailure::At {
            line,
            column,
            message,
        } => K6Error::Malformed {
            path: name.to_owned(),
            line,
            column,
            message,
        },
    })?;
    let Some(raw_metrics) = raw.metrics else {
        return Err(invalid(
            "no `metrics` object: this is not a k6 summary (expected handleSummary data or --summary-export JSON)".into(),
        ));
    };
    let format = if raw.state.is_some()
        || raw.options.is_some()
        || raw_metrics.values().any(|m| m.values.is_some())
    {
        K6Format::HandleSummary
    } else {
        K6Format::SummaryExport
    };
    let mut metrics = BTreeMap::new();
    let mut thresholds = Vec::new();
    for (metric, raw) in raw_metrics {
        for (expression, t) in raw.thresholds {
            let passed = match (format, t) {
                (K6Format::HandleSummary, RawThreshold::Ok { ok }) => ok,
                // Legacy export: the boolean is LastFailed.
                (K6Format::SummaryExport, RawThreshold::Crossed(crossed)) => !crossed,
                (K6Format::HandleSummary, RawThreshold::Crossed(_)) => {
                    return Err(invalid(format!(
                        "metric `{metric}`, threshold `{expression}`: a bare boolean (the --summary-export shape) in a handleSummary file; expected `{{\"ok\": true|false}}`"
                    )));
                }
                (K6Format::SummaryExport, RawThreshold::Ok { .. }) => {
                    return Err(invalid(format!(
                        "metric `{metric}`, threshold `{expression}`: `{{\"ok\": …}}` (the handleSummary shape) in a --summary-export file whose metrics have no `values`"
                    )));
                }
            };
            thresholds.push(Threshold {
                metric: metric.clone(),
                expression,
                passed,
            });
        }
        let values = match raw.values {
            Some(values) => values,
            // Export: every numeric top-level field is a value.
            None => raw
                .flat
                .into_iter()
                .filter_map(|(k, v)| v.as_f64().map(|n| (k, n)))
                .collect(),
        };
        metrics.insert(metric, Metric { values });
    }
    Ok(summarize(format, metrics, thresholds))
}

fn summarize(
    format: K6Format,
    metrics: BTreeMap<String, Metric>,
    thresholds: Vec<Threshold>,
) -> K6Summary {
    let value = |metric: &str, key: &str| metrics.get(metric)?.values.get(key).copied();
    // Counts are whole numbers in the JSON; a negative or fractional one is not a count.
    let count = |metric: &str, key: &str| {
        value(metric, key)
            .filter(|n| *n >= 0.0 && n.fract() == 0.0 && *n <= u64::MAX as f64)
            .map(|n| n as u64)
    };
    let http_req_duration = metrics.get("http_req_duration").map(|_| Trend {
        avg: value("http_req_duration", "avg"),
        min: value("http_req_duration", "min"),
        med: value("http_req_duration", "med"),
        max: value("http_req_duration", "max"),
        p90: value("http_req_duration", "p(90)"),
        p95: value("http_req_duration", "p(95)"),
    });
    let http_req_failed = match (
        count("http_req_failed", "passes"),
        count("http_req_failed", "fails"),
    ) {
        (Some(failed), Some(ok)) => Some(RequestFailures {
            failed,
            total: failed.saturating_add(ok),
            rate: value("http_req_failed", "rate").or(value("http_req_failed", "value")),
        }),
        _ => None,
    };
    let checks = match (count("checks", "passes"), count("checks", "fails")) {
        (Some(passed), Some(failed)) => Some(Checks { passed, failed }),
        _ => None,
    };
    K6Summary {
        format,
        http_req_duration,
        http_req_failed,
        http_reqs: count("http_reqs", "count"),
        iterations: count("iterations", "count"),
        checks,
        thresholds,
        metrics,
    }
}

/// The top level of both shapes; `state`/`options` exist only in handleSummary data.
#[derive(Deserialize)]
struct RawSummary {
    metrics: Option<BTreeMap<String, RawMetric>>,
    state: Option<serde::de::IgnoredAny>,
    options: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct RawMetric {
    /// handleSummary only.
    values: Option<BTreeMap<String, f64>>,
    #[serde(default)]
    thresholds: BTreeMap<String, RawThreshold>,
    /// Export: the values themselves (plus `type`/`contains` strings in handleSummary, ignored).
    #[serde(flatten)]
    flat: BTreeMap<String, serde_json::Value>,
}

// Internal to this reader; the two shapes are exactly these.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawThreshold {
    Ok { ok: bool },
    Crossed(bool),
}

#[cfg(test)]
mod tests;
