//! Delivery of rendered payloads to Slack and Discord webhooks.
//!
//! What a delivery does with each answer follows the platforms' published contracts
//! (shared/reference/README.md):
//! - 2xx: delivered (Discord `?wait=true` answers 200 with the message, whose `id` is reported);
//! - 429: wait what `Retry-After` (seconds or an HTTP date) or the body's `retry_after` asks,
//!   never less, plus up to 5 % jitter, then retry — unless that wait would pass the deadline;
//! - 5xx, timeouts, connection errors: exponential backoff with jitter, until the deadline;
//! - any other 4xx: no retry, the provider's own error text in the report.
//!
//! There is no fixed number of attempts: `overall_timeout` (the command's `--timeout`) bounds
//! everything. Requests to one webhook are paced so a burst does not hit the limit in the first
//! place: Slack about one message per second per webhook; Discord from `X-RateLimit-Remaining`
//! and `X-RateLimit-Reset-After`; after a 429, nobody calls that webhook before the time it
//! asked for. A wait says so on the progress sink: a line when it starts (what, and how long at
//! most), then every few seconds. Webhook URLs never reach a report or a log: reqwest errors are
//! stripped of their URL and everything is passed through the run's [`Redactor`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use super::retry::{self, Backoff};
use super::{Destination, NotifyError, Provider, answer};
use crate::logging::{Progress, Ticker};
use crate::secret::Redactor;

/// Slack's documented rate: about one message per second per webhook.
const SLACK_INTERVAL: Duration = Duration::from_secs(1);

/// How hard to try.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// Everything, retries and waits included, ends by then (the command's `--timeout`).
    pub overall_timeout: Duration,
    /// One HTTP request.
    pub request_timeout: Duration,
    /// Requests per payload at most (429 answers included); `None`: until the time is up.
    pub max_attempts: Option<u32>,
    /// Discord: `?wait=true`, so the answer carries the message id.
    pub wait: bool,
    /// Discord: edit this message instead of posting.
    pub update: Option<String>,
    /// Where waits are reported.
    pub progress: Progress,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        DeliveryOptions {
            overall_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
            max_attempts: None,
            wait: false,
            update: None,
            progress: Progress::default(),
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
    /// The outbox entry this delivery was for (health-monitor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox_id: Option<u64>,
}

impl DeliveryReport {
    fn new(dest: &Destination) -> DeliveryReport {
        DeliveryReport {
            destination: dest.name.clone(),
            provider: dest.provider,
            delivered: false,
            attempts: 0,
            http_status: None,
            message_id: None,
            error: None,
            elapsed_ms: 0,
            outbox_id: None,
        }
    }
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

    /// The webhook is out of requests until `until` (Discord's empty bucket, a 429's
    /// `Retry-After`): nobody calls it before then.
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
        set.spawn(async move { (index, job.run(&mut Watch::new(1)).await) });
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
                error: Some("delivery task failed".into()),
                ..DeliveryReport::new(dest)
            })
        })
        .collect()
}

/// The progress of one destination's deliveries, for the lines a wait prints.
#[derive(Debug, Clone)]
pub(super) struct Watch {
    ticker: Ticker,
    pub(super) delivered: usize,
    total: usize,
}

impl Watch {
    pub(super) fn new(total: usize) -> Watch {
        Watch {
            ticker: Ticker::default(),
            delivered: 0,
            total,
        }
    }
}

/// One payload's delivery to one destination, owned so it can run as a task.
pub(super) struct Delivery {
    pub(super) client: reqwest::Client,
    pub(super) dest: Destination,
    pub(super) payload: serde_json::Value,
    pub(super) opts: DeliveryOptions,
    pub(super) redactor: Redactor,
    pub(super) pacer: Arc<Pacer>,
    pub(super) deadline: Instant,
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
        wait: Option<Duration>,
        error: String,
    },
    Backoff {
        status: Option<u16>,
        error: String,
    },
}

impl Delivery {
    pub(super) async fn run(self, watch: &mut Watch) -> DeliveryReport {
        let started = Instant::now();
        let mut report = DeliveryReport::new(&self.dest);
        match self.attempts(&mut report, watch).await {
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

    /// Attempts until one is final or the deadline (or `max_attempts`) leaves no room.
    async fn attempts(
        &self,
        report: &mut DeliveryReport,
        watch: &mut Watch,
    ) -> Result<(u16, Option<String>), String> {
        let (method, url) = self.target()?;
        let key = self.dest.url.expose().to_owned();
        let mut backoff = Backoff::default();
        let mut last_error: Option<String> = None;
        for attempt in 1u32.. {
            if self
                .opts
                .max_attempts
                .is_some_and(|max| attempt > max.max(1))
            {
                let error = last_error.unwrap_or_default();
                return Err(format!("{error}; gave up after {} attempts", attempt - 1));
            }
            let start = self.pacer.reserve(&key, self.dest.provider);
            if start > self.deadline {
                return Err(out_of_time(last_error));
            }
            tokio::time::sleep_until(start).await;
            report.attempts = attempt;
            match self.attempt(method.clone(), &url, &key).await {
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
                    let wait = retry::rate_limit_wait(wait);
                    if Instant::now() + wait > self.deadline {
                        return Err(format!(
                            "{error}; the server asked to wait {:.1} s, longer than the time left (raise --timeout)",
                            wait.as_secs_f64()
                        ));
                    }
                    self.pacer.block_until(&key, Instant::now() + wait);
                    self.tell(watch, "rate limited (HTTP 429)", wait);
                    last_error = Some(error);
                }
                Next::Backoff { status, error } => {
                    report.http_status = status;
                    let wait = backoff.next_wait();
                    if Instant::now() + wait > self.deadline {
                        return Err(format!(
                            "{error}; gave up after {attempt} attempt(s): no time left for another (raise --timeout)"
                        ));
                    }
                    self.tell(watch, &error, wait);
                    tokio::time::sleep(wait).await;
                    last_error = Some(error);
                }
            }
        }
        Err("no attempt was made".into())
    }

    /// A line on the progress sink when a wait starts, then every few seconds while they go on.
    fn tell(&self, watch: &mut Watch, why: &str, wait: Duration) {
        let now = Instant::now();
        let first = !watch.ticker.started();
        if !watch.ticker.due(now.into_std()) {
            return;
        }
        tracing::info!(destination = %self.dest.name, wait_ms = wait.as_millis() as u64, why = %self.redactor.redact(why), "retrying");
        let left = self.deadline.saturating_duration_since(now).as_secs();
        let line = if first {
            format!(
                "{}: {why}; waiting {:.1} s before retrying, for at most {left} s more (--timeout)",
                self.dest.name,
                wait.as_secs_f64()
            )
        } else {
            format!(
                "{}: still retrying ({why}); {} of {} delivered, at most {left} s more (--timeout)",
                self.dest.name, watch.delivered, watch.total
            )
        };
        self.opts.progress.say(&self.redactor.redact(&line));
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
                let error = format!("request failed: {error}");
                return if transient {
                    Next::Backoff {
                        status: None,
                        error,
                    }
                } else {
                    Next::Fail {
                        status: None,
                        error,
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
        let error = answer::describe(self.dest.provider, code, &body, &self.redactor);
        if code == 429 {
            return Next::RetryAfter {
                status: Some(code),
                wait: retry::retry_after(&headers, &body, std::time::SystemTime::now()),
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
}

/// The error when the next slot starts after the deadline.
fn out_of_time(last_error: Option<String>) -> String {
    match last_error {
        Some(e) => format!("{e}; no time left for another attempt (raise --timeout)"),
        None => "the time budget ran out while waiting for the webhook's rate limit".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
