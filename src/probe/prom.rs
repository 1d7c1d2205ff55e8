//! Metric checks against Prometheus: an instant PromQL query whose single value is compared
//! with warn/critical thresholds, optionally with its own earlier value (or a recorded one) as a
//! baseline, and a minimum-sample guard below which nothing is concluded.
//!
//! A query must return exactly one value: more than one series is an error that names them
//! (aggregate with `sum()` or `max()`), and no data is never silently "up" — it is
//! inconclusive unless the check says `on-no-data: fail|pass`.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use reqwest::Url;
use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// Attempts of one query when Prometheus is unreachable or answers 5xx.
const ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, thiserror::Error)]
pub enum PromError {
    /// Unreachable, timed out, 5xx, or an answer that is not Prometheus JSON.
    #[error("Prometheus is unavailable: {0}")]
    Unavailable(String),
    /// Prometheus refused the query (`status: error`), e.g. a PromQL syntax error.
    #[error("Prometheus rejected the query ({kind}): {message}")]
    Query { kind: String, message: String },
    #[error("cannot build the Prometheus client: {0}")]
    Client(String),
}

/// One series of an instant vector (or the scalar, with no labels).
#[derive(Debug, Clone, PartialEq)]
pub struct PromSample {
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A Prometheus HTTP API client.
#[derive(Debug, Clone)]
pub struct PromClient {
    http: reqwest::Client,
    base: Url,
    bearer: Option<Secret>,
}

impl PromClient {
    pub fn new(
        base: Url,
        bearer: Option<Secret>,
        timeout: Duration,
    ) -> Result<PromClient, PromError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("decoder-ops/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .build()
            .map_err(|e| PromError::Client(crate::error::chain(&e.without_url())))?;
        Ok(PromClient { http, base, bearer })
    }

    /// Evaluates `query` at `at` (or now) with `GET /api/v1/query`.
    pub async fn instant(
        &self,
        query: &str,
        at: Option<Timestamp>,
    ) -> Result<Vec<PromSample>, PromError> {
        let mut url = self.base.clone();
        {
            let mut path = url.path().trim_end_matches('/').to_owned();
            path.push_str("/api/v1/query");
            url.set_path(&path);
        }
        url.query_pairs_mut().append_pair("query", query);
        if let Some(t) = at {
            let secs = t.as_second() as f64 + f64::from(t.subsec_millisecond()) / 1000.0;
            url.query_pairs_mut()
                .append_pair("time", &format!("{secs:.3}"));
        }
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
            }
            let mut request = self.http.get(url.clone());
            if let Some(token) = &self.bearer {
                request = request.bearer_auth(token.expose());
            }
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    last = crate::error::chain(&e.without_url());
                    continue;
                }
            };
            let status = response.status();
            let body = match response.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    last = crate::error::chain(&e.without_url());
                    continue;
                }
            };
            if status.is_server_error() && !looks_like_api_error(&body) {
                last = format!("HTTP {}", status.as_u16());
                continue;
            }
            return parse_answer(&body, status.as_u16());
        }
        Err(PromError::Unavailable(last))
    }
}

fn looks_like_api_error(body: &[u8]) -> bool {
    serde_json::from_slice::<Answer>(body).is_ok_and(|a| a.status == "error")
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct VectorItem {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    value: (f64, String),
}

/// Prometheus writes sample values as strings: "1.5", "NaN", "+Inf", "-Inf".
fn number(text: &str) -> f64 {
    match text {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

fn parse_answer(body: &[u8], http_status: u16) -> Result<Vec<PromSample>, PromError> {
    let answer: Answer = serde_json::from_slice(body).map_err(|_| {
        PromError::Unavailable(format!(
            "HTTP {http_status} with a body that is not the Prometheus API's JSON; check monitor.prometheus.url"
        ))
    })?;
    if answer.status != "success" {
        return Err(PromError::Query {
            kind: answer.error_type.unwrap_or_else(|| "error".into()),
            message: answer.error.unwrap_or_default(),
        });
    }
    let data = answer
        .data
        .ok_or_else(|| PromError::Unavailable("an answer without `data`".into()))?;
    let bad = |what: &str| PromError::Unavailable(format!("a {what} result that cannot be read"));
    match data.result_type.as_str() {
        "vector" => {
            let items: Vec<VectorItem> =
                serde_json::from_value(data.result).map_err(|_| bad("vector"))?;
            Ok(items
                .into_iter()
                .map(|i| PromSample {
                    labels: i.metric,
                    value: number(&i.value.1),
                })
                .collect())
        }
        "scalar" => {
            let (_, v): (f64, String) =
                serde_json::from_value(data.result).map_err(|_| bad("scalar"))?;
            Ok(vec![PromSample {
                labels: BTreeMap::new(),
                value: number(&v),
            }])
        }
        other => Err(PromError::Query {
            kind: "bad_data".into(),
            message: format!(
                "the query returns a {other}; an instant query returning one number is needed"
            ),
        }),
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

/// `> 0.05`: holds when the value compares so.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    pub op: Op,
    pub value: f64,
}

impl Threshold {
    pub fn breached_by(&self, v: f64) -> bool {
        match self.op {
            Op::Gt => v > self.value,
            Op::Ge => v >= self.value,
            Op::Lt => v < self.value,
            Op::Le => v <= self.value,
        }
    }
}

impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        };
        write!(f, "{op} {}", self.value)
    }
}

/// The largest allowed increase over a baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delta {
    Relative { max_increase_percent: f64 },
    Absolute { max_increase: f64 },
}

/// What the value is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Baseline {
    /// The same query, `offset` earlier.
    Offset { offset: SignedDuration, rule: Delta },
    /// A fixed or recorded value.
    Recorded { value: f64, rule: Delta },
}

/// What an empty result means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoData {
    #[default]
    Inconclusive,
    Fail,
    Pass,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MinSamples {
    pub query: String,
    pub min: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricCheck {
    pub name: String,
    pub query: String,
    pub warn: Option<Threshold>,
    pub critical: Option<Threshold>,
    pub on_no_data: NoData,
    pub baseline: Option<Baseline>,
    pub min_samples: Option<MinSamples>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetricStatus {
    Ok,
    Warn,
    Critical,
    /// No data and `on-no-data: inconclusive`, too few samples, or a NaN.
    Inconclusive,
    /// The query failed (Prometheus unavailable, a PromQL error, more than one series).
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricResult {
    pub name: String,
    pub query: String,
    pub status: MetricStatus,
    pub value: Option<f64>,
    pub baseline_value: Option<f64>,
    /// For people: what was compared with what.
    pub detail: String,
    /// The baseline rule, when it fired: the rollback signal.
    pub rule_fired: Option<String>,
    #[serde(rename = "duration_ms", serialize_with = "as_millis")]
    pub duration: Duration,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

mod evaluate;
pub use evaluate::evaluate;
