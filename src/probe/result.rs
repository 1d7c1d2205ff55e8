//! What a run found: per check its status, attempts, timings, response and assertion results,
//! and the run's statistics. Serialized as the `checks` and `stats` of `smoke --json`.
//!
//! Every string here is redacted ([`Report::redact`]) before the engine hands it out.

use std::time::Duration;

use serde::{Serialize, Serializer};

use crate::secret::Redactor;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Every assertion held.
    Passed,
    /// A response came and an assertion did not hold.
    Failed,
    /// No usable response: refused, timed out, blocked by the allowlist, never ready, not run.
    Error,
}

/// Milliseconds with microsecond precision, the unit of every timing in the JSON.
pub fn ms(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}

fn ser_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(ms(*d))
}

fn ser_opt_ms<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64(ms(*d)),
        None => s.serialize_none(),
    }
}

/// Timings of the final attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Timings {
    /// First byte sent to last body byte read, redirects included.
    #[serde(rename = "total_ms", serialize_with = "ser_ms")]
    pub total: Duration,
    /// First byte sent to the final response's headers.
    #[serde(rename = "ttfb_ms", serialize_with = "ser_ms")]
    pub ttfb: Duration,
}

/// One redirect that was followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub url: String,
    pub status: u16,
    /// The `Location`, resolved against `url`.
    pub location: String,
}

/// The final response, summarized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseInfo {
    pub status: u16,
    /// The URL that answered (after redirects).
    pub url: String,
    pub redirects: Vec<Hop>,
    pub content_type: Option<String>,
    /// Bytes read (at most the cap).
    pub body_bytes: u64,
    /// The body was longer than `max-body` and was not read to the end.
    pub body_truncated: bool,
    /// Whole days until the server certificate expires (https only).
    pub cert_expiry_days: Option<i64>,
    /// The start of the body, shown for failed checks (truncated, control characters escaped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// Whether an attempt was a readiness poll or a request of the check proper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttemptKind {
    Attempt,
    Poll,
}

/// One request (with its redirects) made for a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub number: u32,
    pub kind: AttemptKind,
    /// `HTTP 503` or the error.
    pub outcome: String,
    /// A connect error, timeout, reset, 5xx or 429: what retries and readiness polls wait out.
    pub transient: bool,
    #[serde(rename = "elapsed_ms", serialize_with = "ser_ms")]
    pub elapsed: Duration,
}

/// One assertion, evaluated once on the final response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssertionResult {
    /// The assertion in words: `header `content-type` matches /json/`.
    pub assertion: String,
    pub passed: bool,
    pub expected: String,
    pub actual: String,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub name: String,
    pub environment: Option<String>,
    pub method: String,
    pub url: String,
    pub status: CheckStatus,
    /// Why there is no usable response (status `error`), or why readiness was never reached.
    pub error: Option<String>,
    pub timings: Option<Timings>,
    pub response: Option<ResponseInfo>,
    pub attempts: Vec<Attempt>,
    /// wait-until-ready: time spent polling before the endpoint was ready.
    #[serde(rename = "waited_ms", serialize_with = "ser_opt_ms")]
    pub waited: Option<Duration>,
    pub assertions: Vec<AssertionResult>,
    pub warnings: Vec<String>,
    /// The check's line in the config file.
    pub line: Option<usize>,
}

impl CheckResult {
    pub fn passed(&self) -> bool {
        self.status == CheckStatus::Passed
    }

    pub fn failed_assertions(&self) -> impl Iterator<Item = &AssertionResult> {
        self.assertions.iter().filter(|a| !a.passed)
    }

    /// The reason in one line: the error, else the first failed assertion.
    pub fn reason(&self) -> Option<String> {
        if let Some(e) = &self.error {
            return Some(e.clone());
        }
        self.failed_assertions()
            .next()
            .map(|a| format!("{}, got {}", a.assertion, a.actual))
    }

    fn redact(&mut self, r: &Redactor) {
        let fix = |s: &mut String| *s = r.redact(s);
        fix(&mut self.name);
        fix(&mut self.url);
        self.error.iter_mut().for_each(fix);
        if let Some(resp) = &mut self.response {
            fix(&mut resp.url);
            resp.excerpt.iter_mut().for_each(fix);
            for hop in &mut resp.redirects {
                fix(&mut hop.url);
                fix(&mut hop.location);
            }
        }
        self.attempts.iter_mut().for_each(|a| fix(&mut a.outcome));
        for a in &mut self.assertions {
            fix(&mut a.assertion);
            fix(&mut a.expected);
            fix(&mut a.actual);
        }
        self.warnings.iter_mut().for_each(fix);
    }
}

/// Counts and response-time percentiles over the run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    pub total: usize,
    pub passed: usize,
    /// Checks that did not pass: failed assertions and errors.
    pub failed: usize,
    /// Of `failed`, those without a usable response.
    pub errors: usize,
    /// Nearest-rank percentiles of the final attempts' total times, over checks with a response.
    #[serde(rename = "p50_ms", serialize_with = "ser_opt_ms")]
    pub p50: Option<Duration>,
    #[serde(rename = "p95_ms", serialize_with = "ser_opt_ms")]
    pub p95: Option<Duration>,
    #[serde(rename = "max_ms", serialize_with = "ser_opt_ms")]
    pub max: Option<Duration>,
}

impl Stats {
    pub fn of(checks: &[CheckResult]) -> Stats {
        let mut times: Vec<Duration> = checks
            .iter()
            .filter_map(|c| c.timings.map(|t| t.total))
            .collect();
        times.sort_unstable();
        let passed = checks.iter().filter(|c| c.passed()).count();
        Stats {
            total: checks.len(),
            passed,
            failed: checks.len() - passed,
            errors: checks
                .iter()
                .filter(|c| c.status == CheckStatus::Error)
                .count(),
            p50: percentile(&times, 50),
            p95: percentile(&times, 95),
            max: times.last().copied(),
        }
    }
}

/// Nearest-rank percentile of sorted values: the smallest value with at least `p`% of the
/// values at or below it. Integer arithmetic, so p95 of 20 values is exactly the 19th.
pub fn percentile(sorted: &[Duration], p: usize) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub stats: Stats,
    #[serde(rename = "elapsed_ms", serialize_with = "ser_ms")]
    pub elapsed: Duration,
    pub checks: Vec<CheckResult>,
}

impl Report {
    pub fn new(checks: Vec<CheckResult>, elapsed: Duration) -> Report {
        Report {
            stats: Stats::of(&checks),
            checks,
            elapsed,
        }
    }

    /// Replaces every secret the redactor knows in every string of the report.
    pub fn redact(&mut self, redactor: &Redactor) {
        if redactor.is_empty() {
            return;
        }
        self.checks.iter_mut().for_each(|c| c.redact(redactor));
    }

    pub fn passed(&self) -> bool {
        self.stats.failed == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Duration> = (1..=20).map(d).collect();
        assert_eq!(percentile(&v, 95), Some(d(19)));
        assert_eq!(percentile(&v, 50), Some(d(10)));
        assert_eq!(percentile(&v, 100), Some(d(20)));
        assert_eq!(percentile(&[d(7)], 95), Some(d(7)));
        assert_eq!(percentile(&[], 95), None);
        let v: Vec<Duration> = (1..=3).map(d).collect();
        assert_eq!(percentile(&v, 95), Some(d(3)));
        assert_eq!(percentile(&v, 50), Some(d(2)));
    }

    #[test]
    fn timings_serialize_as_milliseconds() {
        let t = Timings {
            total: Duration::from_micros(12_345),
            ttfb: Duration::from_micros(1_500),
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"total_ms":12.345,"ttfb_ms":1.5}"#
        );
    }
}
