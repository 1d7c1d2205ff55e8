//! Delivery of rendered payloads to Slack and Discord webhooks.
//!
//! Each destination is sent concurrently. What a delivery does with each answer follows the
//! platforms' published contracts (shared/reference/README.md):
//! - 2xx: delivered (Discord `?wait=true` answers 200 with the message, whose `id` is reported);
//! - 429: wait what `Retry-After` or the body's `retry_after` (seconds, a float on Discord) asks,
//!   never less, then retry — unless that wait would pass the overall deadline;
//! - 5xx, timeouts, connection errors: exponential backoff with jitter;
//! - any other 4xx: no retry, the provider's own error text in the report.
//!
//! Requests to one webhook are paced so a burst does not hit the limit in the first place:
//! Slack about one message per second per webhook; Discord from `X-RateLimit-Remaining` and
//! `X-RateLimit-Reset-After`. Webhook URLs never reach a report or a log: reqwest errors are
//! stripped of their URL and everything is passed through the run's [`Redactor`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use super::{Destination, NotifyError, Provider};
use crate::secret::Redactor;

/// Slack's documented rate: about one message per second per webhook.
const SLACK_INTERVAL: Duration = Duration::from_secs(1);
/// First backoff after a 5xx or a network error; doubled each attempt, capped at [`MAX_BACKOFF`].
const BASE_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Error bodies are short; anything longer is cut before it reaches a report.
const MAX_ERROR_BODY: usize = 300;

/// How hard to try.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// Everything, retries and waits included, ends by then.
    pub overall_timeout: Duration,
    /// One HTTP request.
    pub request_timeout: Duration,
    /// Requests per destination at most (429 answers included).
    pub max_attempts: u32,
    /// Discord: `?wait=true`, so the answer carries the message id.
    pub wait: bool,
    /// Discord: edit this message instead of posting.
    pub update: Option<String>,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        DeliveryOptions {
            overall_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
            max_attempts: 5,
            wait: false,
            update: None,
        }
    }
}

/// What happened to one destination. `error` is redacted and safe to print.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryReport {
    pub destination: String,
    pub provider: Provider,
    pub delivered: bool,
    pub attempts: u32,
    pub http_status: Option<u16>,
    pub message_id: Option<String>,
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

/// An HTTP client for webhooks: rustls with the ring provider, no redirects (a webhook that
/// redirects is misconfigured, and following it would send the payload elsewhere).
pub fn build_client() -> Result<reqwest::Client, NotifyError> {
    // Fails only when a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("decoder-ops/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| NotifyError::Client(crate::error::chain(&e.without_url())))
}

/// When each webhook may be called next. Shared by every delivery of a process, so several
/// messages to one webhook (a monitor run, a repeated `--webhook`) are spaced out.
#[derive(Debug, Default)]
pub struct Pacer {
    next: Mutex<HashMap<String, Instant>>,
}

impl Pacer {
    /// Reserves the next slot for `key` and returns when it starts. Slack slots are one
    /// interval apart; Discord slots are set from the rate-limit headers of the last answer.
    fn reserve(&self, key: &str, provider: Provider) -> Instant {
        let now = Instant::now();
        let Ok(mut next) = self.next.lock() else {
            return now;
        };
        let start = next.get(key).copied().unwrap_or(now).max(now);
        if provider == Provider::Slack {
            next.insert(key.to_owned(), start + SLACK_INTERVAL);
        }
        start
    }

    /// Discord's bucket is empty until `reset_after`: nobody calls this webhook before then.
    fn block_until(&self, key: &str, until: Instant) {
        if let Ok(mut next) = self.next.lock() {
            let slot = next.entry(key.to_owned()).or_insert(until);
            *slot = (*slot).max(until);
        }
    }
}

/// Sends every payload to its destination, concurrently, and reports on each in input order.
pub async fn deliver_all(
    client: &reqwest::Client,
    items: &[(Destination, serde_json::Value)],
    opts: &DeliveryOptions,
    redactor: &Redactor,
) -> Vec<DeliveryReport> {
    deliver_all_paced(client, items, opts, redactor, &Arc::new(Pacer::default())).await
}

/// [`deliver_all`] with a pacer that outlives the call.
pub async fn deliver_all_paced(
    client: &reqwest::Client,
    items: &[(Destination, serde_json::Value)],
    opts: &DeliveryOptions,
    redactor: &Redactor,
    pacer: &Arc<Pacer>,
) -> Vec<DeliveryReport> {
    let deadline = Instant::now() + opts.overall_timeout;
    let mut set = tokio::task::JoinSet::new();
    for (index, (dest, payload)) in items.iter().enumerate() {
        let job = Delivery {
            client: client.clone(),
            dest: dest.clone(),
            payload: payload.clone(),
            opts: opts.clone(),
            redactor: redactor.clone(),
            pacer: Arc::clone(pacer),
            deadline,
        };
        set.spawn(async move { (index, job.run().await) });
    }
    let mut reports: Vec<Option<DeliveryReport>> = vec![None; items.len()];
    while let Some(joined) = set.join_next().await {
        if let Ok((index, report)) = joined {
            reports[index] = Some(report);
        }
    }
    reports
        .into_iter()
        .zip(items)
        .map(|(report, (dest, _))| {
            report.unwrap_or_else(|| DeliveryReport {
                destination: dest.name.clone(),
                provider: dest.provider,
                delivered: false,
                attempts: 0,
                http_status: None,
                message_id: None,
                error: Some("delivery task failed".into()),
                elapsed_ms: 0,
            })
        })
        .collect()
}

/// One destination's delivery, owned so it can run as a task.
struct Delivery {
    client: reqwest::Client,
    dest: Destination,
    payload: serde_json::Value,
    opts: DeliveryOptions,
    redactor: Redactor,
    pacer: Arc<Pacer>,
    deadline: Instant,
}

/// What one attempt tells the loop to do next.
enum Next {
    Done {
        status: u16,
        message_id: Option<String>,
    },
    Fail {
        status: Option<u16>,
        error: String,
    },
    RetryAfter {
        status: Option<u16>,
        wait: Duration,
        error: String,
    },
    Backoff {
        status: Option<u16>,
        error: String,
    },
}

impl Delivery {
    async fn run(self) -> DeliveryReport {
        let started = Instant::now();
        let mut report = DeliveryReport {
            destination: self.dest.name.clone(),
            provider: self.dest.provider,
            delivered: false,
            attempts: 0,
            http_status: None,
            message_id: None,
            error: None,
            elapsed_ms: 0,
        };
        let outcome = self.attempts(&mut report).await;
        match outcome {
            Ok((status, id)) => {
                report.delivered = true;
                report.http_status = Some(status);
                report.message_id = id;
            }
            Err(error) => report.error = Some(self.redactor.redact(&error)),
        }
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(
            destination = %report.destination,
            delivered = report.delivered,
            attempts = report.attempts,
            error = report.error.as_deref().unwrap_or(""),
            "delivery finished"
        );
        report
    }

    async fn attempts(&self, report: &mut DeliveryReport) -> Result<(u16, Option<String>), String> {
        let (method, url) = self.target()?;
        let key = self.dest.url.expose().to_owned();
        let mut backoff = BASE_BACKOFF;
        let mut last_error: Option<String> = None;
        for attempt in 1..=self.opts.max_attempts.max(1) {
            let start = self.pacer.reserve(&key, self.dest.provider);
            if start > self.deadline {
                return Err(match last_error {
                    Some(e) => format!("{e}; no time left for another attempt (raise --timeout)"),
                    None => {
                        "the time budget ran out while waiting for the webhook's rate limit".into()
                    }
                });
            }
            tokio::time::sleep_until(start).await;
            report.attempts = attempt;
            let next = self.attempt(method.clone(), &url, &key).await;
            let last = attempt == self.opts.max_attempts.max(1);
            match next {
                Next::Done { status, message_id } => return Ok((status, message_id)),
                Next::Fail { status, error } => {
                    report.http_status = status;
                    return Err(error);
                }
                Next::RetryAfter {
                    status,
                    wait,
                    error,
                } => {
                    report.http_status = status;
                    if last {
                        return Err(format!("{error}; gave up after {attempt} attempts"));
                    }
                    if Instant::now() + wait > self.deadline {
                        return Err(format!(
                            "{error}; the server asked to wait {:.1} s, longer than the time left (raise --timeout)",
                            wait.as_secs_f64()
                        ));
                    }
                    tracing::info!(destination = %self.dest.name, wait_ms = wait.as_millis() as u64, "rate limited, waiting as asked");
                    tokio::time::sleep(wait).await;
                }
                Next::Backoff { status, error } => {
                    report.http_status = status;
                    let wait = jitter(backoff);
                    if last || Instant::now() + wait > self.deadline {
                        return Err(format!("{error}; gave up after {attempt} attempt(s)"));
                    }
                    tracing::info!(destination = %self.dest.name, wait_ms = wait.as_millis() as u64, error = %self.redactor.redact(&error), "retrying");
                    tokio::time::sleep(wait).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    last_error = Some(format!("{error}; gave up after {attempt} attempt(s)"));
                }
            }
        }
        Err("no attempt was made".into())
    }

    /// The method and URL of the request: POST to the webhook (Discord `?wait=true` when asked
    /// for), or PATCH `<webhook>/messages/<id>` to edit a Discord message.
    fn target(&self) -> Result<(reqwest::Method, reqwest::Url), String> {
        let mut url = reqwest::Url::parse(self.dest.url.expose())
            .map_err(|_| "the webhook is not a valid URL".to_owned())?;
        match (&self.opts.update, self.dest.provider) {
            (Some(_), Provider::Slack) => {
                Err("Slack incoming webhooks cannot edit messages; --update works with Discord webhooks only".into())
            }
            (Some(id), Provider::Discord) => {
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("--update `{id}` is not a Discord message id (a number)"));
                }
                url.path_segments_mut()
                    .map_err(|_| "the webhook URL cannot take a path".to_owned())?
                    .pop_if_empty()
                    .extend(["messages", id.as_str()]);
                Ok((reqwest::Method::PATCH, url))
            }
            (None, provider) => {
                if provider == Provider::Discord && self.opts.wait {
                    url.query_pairs_mut().append_pair("wait", "true");
                }
                Ok((reqwest::Method::POST, url))
            }
        }
    }

    async fn attempt(&self, method: reqwest::Method, url: &reqwest::Url, key: &str) -> Next {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Next::Fail {
                status: None,
                error: "the time budget ran out (raise --timeout)".into(),
            };
        }
        let request = self
            .client
            .request(method, url.clone())
            .timeout(self.opts.request_timeout.min(remaining))
            .json(&self.payload);
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                let transient = e.is_timeout() || e.is_connect() || e.is_request();
                let error = self.redactor.redact(&crate::error::chain(&e.without_url()));
                return if transient {
                    Next::Backoff {
                        status: None,
                        error: format!("request failed: {error}"),
                    }
                } else {
                    Next::Fail {
                        status: None,
                        error: format!("request failed: {error}"),
                    }
                };
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        if self.dest.provider == Provider::Discord {
            self.note_discord_bucket(&headers, key);
        }
        let body = response.text().await.unwrap_or_default();
        let code = status.as_u16();
        if status.is_success() {
            let message_id = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_owned));
            return Next::Done {
                status: code,
                message_id,
            };
        }
        let error = self.describe(code, &body);
        if code == 429 {
            let wait = retry_after(&headers, &body).unwrap_or(Duration::from_secs(1));
            return Next::RetryAfter {
                status: Some(code),
                wait,
                error,
            };
        }
        if status.is_server_error() {
            return Next::Backoff {
                status: Some(code),
                error,
            };
        }
        Next::Fail {
            status: Some(code),
            error,
        }
    }

    /// Discord says how many requests are left in the webhook's bucket and when it refills.
    fn note_discord_bucket(&self, headers: &reqwest::header::HeaderMap, key: &str) {
        let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
        if let (Some(remaining), Some(reset_after)) =
            (num("x-ratelimit-remaining"), num("x-ratelimit-reset-after"))
            && remaining <= 0.0
            && reset_after.is_finite()
            && reset_after > 0.0
        {
            let wait = Duration::from_secs_f64(reset_after.min(3600.0));
            self.pacer.block_until(key, Instant::now() + wait);
        }
    }

    /// The provider's own words for a refusal, plus what to do about the common ones.
    fn describe(&self, code: u16, body: &str) -> String {
        let body = self.redactor.redact(body.trim());
        let text: String = body.chars().take(MAX_ERROR_BODY).collect();
        match self.dest.provider {
            Provider::Slack => {
                let hint = match text.as_str() {
                    "invalid_payload" | "no_text" => {
                        " (the message was malformed; please report this as a decoder-ops bug)"
                    }
                    "channel_not_found" | "no_service" | "no_service_id" | "no_team" => {
                        " (the webhook was revoked or its channel deleted; create a new webhook)"
                    }
                    "channel_is_archived" => " (the channel is archived)",
                    "action_prohibited" => " (an admin restricted posting to this channel)",
                    _ => "",
                };
                format!(
                    "Slack answered HTTP {code}: {}{hint}",
                    if text.is_empty() { "(no body)" } else { &text }
                )
            }
            Provider::Discord => {
                let parsed: Option<serde_json::Value> = serde_json::from_str(&body).ok();
                let message = parsed
                    .as_ref()
                    .and_then(|v| v.get("message")?.as_str().map(str::to_owned))
                    .unwrap_or_else(|| text.clone());
                let code_field = parsed.as_ref().and_then(|v| v.get("code")?.as_u64());
                if code == 404 && (code_field == Some(10015) || message.contains("Unknown Webhook"))
                {
                    return "Discord answered HTTP 404: the webhook no longer exists (Unknown Webhook); create a new one".into();
                }
                if code == 404 && (code_field == Some(10008) || message.contains("Unknown Message"))
                {
                    return "Discord answered HTTP 404: no such message to edit (Unknown Message)"
                        .into();
                }
                format!(
                    "Discord answered HTTP {code}: {}",
                    if message.is_empty() {
                        "(no body)".into()
                    } else {
                        message
                    }
                )
            }
        }
    }
}

/// The wait a 429 asks for: the `Retry-After` header (seconds), else the JSON body's
/// `retry_after` (seconds; Discord sends a float). The longer of the two when both are present.
fn retry_after(headers: &reqwest::header::HeaderMap, body: &str) -> Option<Duration> {
    let header = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok());
    let from_body = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("retry_after")?.as_f64());
    let secs = match (header, from_body) {
        (Some(a), Some(b)) => a.max(b),
        (a, b) => a.or(b)?,
    };
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

/// `d` plus up to 50% random jitter, so retries from many jobs do not align.
fn jitter(d: Duration) -> Duration {
    let mut byte = [0u8; 2];
    let r = getrandom::fill(&mut byte)
        .map(|()| u16::from_le_bytes(byte))
        .unwrap_or(0);
    d + d.mul_f64(f64::from(r) / f64::from(u16::MAX) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_prefers_the_longer_of_header_and_body() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(
            retry_after(&h, r#"{"retry_after": 0.35}"#),
            Some(Duration::from_millis(350))
        );
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(
            retry_after(&h, "rate_limited"),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&h, r#"{"retry_after": 3.5}"#),
            Some(Duration::from_millis(3500))
        );
        assert_eq!(retry_after(&reqwest::header::HeaderMap::new(), "x"), None);
    }

    #[test]
    fn jitter_stays_within_half_again() {
        for _ in 0..100 {
            let j = jitter(Duration::from_millis(100));
            assert!(
                j >= Duration::from_millis(100) && j <= Duration::from_millis(150),
                "{j:?}"
            );
        }
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn slack_slots_are_one_second_apart_per_webhook() {
        let pacer = Pacer::default();
        let a1 = pacer.reserve("a", Provider::Slack);
        let a2 = pacer.reserve("a", Provider::Slack);
        let b1 = pacer.reserve("b", Provider::Slack);
        assert_eq!(a2 - a1, SLACK_INTERVAL);
        assert_eq!(b1, a1);
        let d1 = pacer.reserve("d", Provider::Discord);
        assert_eq!(
            pacer.reserve("d", Provider::Discord),
            d1,
            "discord is paced by its headers only"
        );
        pacer.block_until("d", d1 + Duration::from_secs(2));
        assert_eq!(
            pacer.reserve("d", Provider::Discord),
            d1 + Duration::from_secs(2)
        );
    }
}
