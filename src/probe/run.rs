//! Running checks: at most `concurrency` at a time, the whole run within `deadline`, each check
//! with its one timing behaviour, assertions evaluated once on the final response.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::assert::{Observed, evaluate, excerpt, size};
use super::check::Check;
use super::fetch::{Clients, Failure, Fetched, fetch};
use super::result::{
    Attempt, AttemptKind, CheckResult, CheckStatus, Report, ResponseInfo, Timings,
};
use crate::config::Timing;
use crate::config::assertion::format_duration;
use crate::secret::Redactor;

/// Characters of the body kept in the result of a check that did not pass.
const EXCERPT_CHARS: usize = 500;

/// How a run is carried out.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Checks in flight at once (at least 1).
    pub concurrency: usize,
    /// The whole run; checks not finished by then end as errors.
    pub deadline: Option<Duration>,
    /// The current time as Unix seconds, for certificate expiry (injected so tests can move it).
    pub now_unix: i64,
}

/// Runs `checks` and returns their results in the same order, redacted with `redactor`.
pub async fn run(
    checks: &[Check],
    clients: &Clients,
    options: &RunOptions,
    redactor: &Redactor,
) -> Report {
    let start = Instant::now();
    let deadline = options
        .deadline
        .map(|d| tokio::time::Instant::from_std(start + d));
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (index, check) in checks.iter().enumerate() {
        let check = check.clone();
        let client = clients.get(&check.tls).cloned();
        let permits = Arc::clone(&permits);
        let now_unix = options.now_unix;
        let limit = options.deadline;
        set.spawn(async move {
            let work = async {
                // A closed semaphore cannot happen (it is never closed); run regardless.
                let _permit = permits.acquire_owned().await.ok();
                match client {
                    Some(client) => run_check(&check, &client, now_unix).await,
                    None => not_run(
                        &check,
                        "no HTTP client was built for its TLS settings".into(),
                    ),
                }
            };
            let result = match deadline {
                Some(at) => tokio::time::timeout_at(at, work).await.unwrap_or_else(|_| {
                    let limit = limit.map(format_duration).unwrap_or_default();
                    not_run(
                        &check,
                        format!("not finished within the run's deadline ({limit}, --deadline)"),
                    )
                }),
                None => work.await,
            };
            (index, result)
        });
    }
    let mut results: Vec<Option<CheckResult>> = vec![None; checks.len()];
    while let Some(joined) = set.join_next().await {
        if let Ok((index, result)) = joined {
            results[index] = Some(result);
        }
    }
    let results = results
        .into_iter()
        .zip(checks)
        .map(|(r, c)| r.unwrap_or_else(|| not_run(c, "the check's task failed".into())))
        .collect();
    let mut report = Report::new(results, start.elapsed());
    report.redact(redactor);
    report
}

type Outcome = Result<Fetched, Failure>;

fn is_transient(outcome: &Outcome) -> bool {
    match outcome {
        Ok(f) => f.status.is_server_error() || f.status.as_u16() == 429,
        Err(f) => f.kind.is_transient(),
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(f) => format!("HTTP {}", f.status.as_u16()),
        Err(f) => f.message.clone(),
    }
}

fn record(attempts: &mut Vec<Attempt>, kind: AttemptKind, outcome: &Outcome) {
    attempts.push(Attempt {
        number: u32::try_from(attempts.len() + 1).unwrap_or(u32::MAX),
        kind,
        outcome: describe(outcome),
        transient: is_transient(outcome),
        elapsed: match outcome {
            Ok(f) => f.total,
            Err(f) => f.elapsed,
        },
    });
}

/// Polls every `interval` until a response that is not transient, for the whole `deadline`:
/// the last poll starts at the deadline itself when the interval does not divide it (the old
/// loop gave up as soon as the next poll would have passed the deadline, one interval early).
/// A poll gets the check's timeout, cut to what is left of the deadline but never below
/// [`LAST_POLL_MIN`], so the poll at the deadline can still connect. Returns the last outcome
/// and, when it was ready, how long the waiting took.
async fn wait_until_ready(
    client: &reqwest::Client,
    check: &Check,
    deadline: Duration,
    interval: Duration,
    attempts: &mut Vec<Attempt>,
) -> (Outcome, Option<Duration>) {
    let start = Instant::now();
    let end = start + deadline;
    loop {
        let poll_start = start.elapsed();
        let left = end.saturating_duration_since(Instant::now());
        let o = fetch(client, check, check.timeout.min(left.max(LAST_POLL_MIN))).await;
        record(attempts, AttemptKind::Poll, &o);
        if !is_transient(&o) {
            return (o, Some(poll_start));
        }
        let now = Instant::now();
        if now >= end {
            return (o, None);
        }
        tokio::time::sleep(interval.min(end - now)).await;
    }
}

/// The shortest timeout a readiness poll gets, even at the very end of its deadline.
const LAST_POLL_MIN: Duration = Duration::from_millis(500);

/// One check with its timing behaviour.
async fn run_check(check: &Check, client: &reqwest::Client, now_unix: i64) -> CheckResult {
    let mut attempts = Vec::new();
    let mut waited = None;
    let mut not_ready = None;
    let outcome = match check.timing {
        Timing::Once => {
            let o = fetch(client, check, check.timeout).await;
            record(&mut attempts, AttemptKind::Attempt, &o);
            o
        }
        Timing::RetryTransient {
            attempts: max,
            backoff,
        } => {
            let mut wait = backoff;
            loop {
                let o = fetch(client, check, check.timeout).await;
                record(&mut attempts, AttemptKind::Attempt, &o);
                if attempts.len() >= max as usize || !is_transient(&o) {
                    break o;
                }
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
        }
        Timing::WaitUntilReady { deadline, interval } => {
            let (o, ready_after) =
                wait_until_ready(client, check, deadline, interval, &mut attempts).await;
            match ready_after {
                Some(after) => waited = Some(after),
                None => {
                    not_ready = Some(format!(
                        "not ready within {} (wait-until-ready): {} polls, the last: {}",
                        format_duration(deadline),
                        attempts.len(),
                        describe(&o)
                    ));
                }
            }
            o
        }
    };
    let mut result = base(check);
    result.attempts = attempts;
    result.waited = waited;
    if check.tls.insecure {
        result.warnings.push(
            "TLS certificate verification is disabled for this check (`insecure`): \
             anyone on the path could answer in its place; prefer `tls.ca-file`"
                .into(),
        );
    }
    match outcome {
        Err(failure) => {
            result.status = CheckStatus::Error;
            result.error = Some(not_ready.unwrap_or(failure.message));
        }
        Ok(f) => {
            let cert_days = f
                .peer_certificate
                .as_deref()
                .and_then(super::cert::not_after)
                .map(|t| super::cert::days_left(t, now_unix));
            let url = f.url.to_string();
            let redirect_location = f
                .location
                .as_ref()
                .map(ToString::to_string)
                .or_else(|| f.redirects.last().map(|h| h.location.clone()));
            let observed = Observed {
                status: f.status.as_u16(),
                headers: &f.headers,
                body: &f.body,
                truncated: f.truncated,
                max_body: check.max_body,
                url: &url,
                redirects: f.redirects.len(),
                redirect_location: redirect_location.as_deref(),
                total: f.total,
                ttfb: f.ttfb,
                cert_days,
            };
            result.assertions = evaluate(&check.assertions, &observed);
            result.status = if not_ready.is_some() {
                CheckStatus::Error
            } else if result.assertions.iter().all(|a| a.passed) {
                CheckStatus::Passed
            } else {
                CheckStatus::Failed
            };
            result.error = not_ready;
            if f.truncated {
                result.warnings.push(format!(
                    "the body was read up to the {} cap (`max-body`) only",
                    size(check.max_body)
                ));
            }
            result.timings = Some(Timings {
                total: f.total,
                ttfb: f.ttfb,
            });
            result.response = Some(ResponseInfo {
                status: f.status.as_u16(),
                url,
                content_type: f
                    .headers
                    .get(reqwest::header::CONTENT_TYPE)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
                body_bytes: f.body.len() as u64,
                body_truncated: f.truncated,
                cert_expiry_days: cert_days,
                excerpt: (result.status != CheckStatus::Passed && !f.body.is_empty())
                    .then(|| excerpt(&String::from_utf8_lossy(&f.body), EXCERPT_CHARS)),
                redirects: f.redirects,
            });
        }
    }
    result
}

fn base(check: &Check) -> CheckResult {
    CheckResult {
        name: check.name.clone(),
        environment: check.environment.clone(),
        method: check.method.to_string(),
        url: check.url.to_string(),
        status: CheckStatus::Error,
        error: None,
        timings: None,
        response: None,
        attempts: Vec::new(),
        waited: None,
        assertions: Vec::new(),
        warnings: Vec::new(),
        line: check.line,
    }
}

fn not_run(check: &Check, why: String) -> CheckResult {
    CheckResult {
        error: Some(why),
        ..base(check)
    }
}
