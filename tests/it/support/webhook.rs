//! A stand-in Discord webhook for delivery under stress: bodies held to Discord's contract (the
//! OpenAPI schema and limits, through [`super::chat::check_discord`]), `?wait=true` answered
//! with the stored message and its id, and three behaviours the tests switch on:
//!
//! - **a rate limit of one request per wall-clock second**, as a proxy in front of a webhook
//!   enforces it: the first request of a second is served, every other one gets 429 with a
//!   `Retry-After` header only — delta-seconds (rounded up) or an HTTP date (RFC 9110
//!   IMF-fixdate, the start of the next second) — and no rate-limit headers or body
//!   `retry_after`, so a client can only go by `Retry-After`. A request that arrives before the
//!   time the last 429 asked for is counted as early;
//! - **refusal**: while [`Webhook::refuse`] names a status, every request gets it — 503 (an
//!   outage) or 404 `Unknown Webhook` (a revoked webhook, until it is replaced);
//! - **a slow answer**: every request is held for a fixed time before it is served; a request
//!   whose client went away meanwhile ([`Webhook::abandon`], what a proxy does when its client
//!   disconnects) is answered 499 and not stored.
//!
//! Every request is recorded with when it was answered, so tests can count deliveries.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::chat::{check_discord, discord_validators, message_json};

/// The secret part of the stand-in's URL.
pub const TOKEN: &str = "stormSECRETwebhook0099";
const ID: &str = "554433221100998877";

/// How a 429 says when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: 1` (whole seconds, rounded up).
    Seconds,
    /// `Retry-After: Sun, 06 Nov 1994 08:49:38 GMT`.
    HttpDate,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// One request per wall-clock second, the rest 429 with this form of `Retry-After`.
    pub limit: Option<RetryAfter>,
    /// Held before every answer.
    pub delay: Duration,
}

/// One request as the stand-in answered it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub query: String,
    pub body: Option<Value>,
    /// When it was answered.
    pub at: Instant,
    pub status: u16,
    /// It came before the time the previous 429 asked for.
    pub early: bool,
}

struct State {
    opts: Options,
    refusing: Option<u16>,
    /// The wall-clock second in which a request was last served.
    served_second: Option<u64>,
    /// What the last 429 asked for.
    asked_until: Option<SystemTime>,
    received: Vec<Received>,
    /// Requests that have arrived (answered or not).
    arrived: usize,
    /// Requests with a lower arrival number are dropped when their hold ends.
    abandoned_below: usize,
    messages: BTreeMap<u64, Value>,
    next_id: u64,
    validators: (jsonschema::Validator, jsonschema::Validator),
}

/// A running stand-in; stops when dropped.
pub struct Webhook {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Webhook {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Webhook {
    pub async fn start(opts: Options) -> Webhook {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(State {
            opts,
            refusing: None,
            served_second: None,
            asked_until: None,
            received: Vec::new(),
            arrived: 0,
            abandoned_below: 0,
            messages: BTreeMap::new(),
            next_id: 1_400_000_000_000_000_000,
            validators: discord_validators(),
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Webhook { addr, state, task }
    }

    /// The webhook URL (with its secret token).
    pub fn url(&self) -> String {
        format!("http://{}/api/webhooks/{ID}/{TOKEN}", self.addr)
    }

    /// Until called with `None`, every request gets this status (404 or 503).
    pub fn refuse(&self, status: Option<u16>) {
        lock(&self.state).refusing = status;
    }

    /// Holds every later request this long before serving it.
    pub fn set_delay(&self, delay: Duration) {
        lock(&self.state).opts.delay = delay;
    }

    /// Requests that have arrived so far, answered or not.
    pub fn arrived(&self) -> usize {
        lock(&self.state).arrived
    }

    /// The clients of the requests held now are gone: those requests are not served.
    pub fn abandon(&self) {
        let mut s = lock(&self.state);
        s.abandoned_below = s.arrived;
    }

    pub fn received(&self) -> Vec<Received> {
        lock(&self.state).received.clone()
    }

    /// The requests that were served (2xx), in order.
    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .collect()
    }
}

async fn handle(
    state: Arc<Mutex<State>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = req.into_parts();
    let raw = body.collect().await?.to_bytes();
    let (delay, number) = {
        let mut s = lock(&state);
        s.arrived += 1;
        (s.opts.delay, s.arrived - 1)
    };
    tokio::time::sleep(delay).await;
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let (status, headers, text) = {
        let mut s = lock(&state);
        let wall = SystemTime::now();
        let early = s.asked_until.is_some_and(|until| wall < until);
        let answer = if number < s.abandoned_below {
            (499, vec![], String::new())
        } else {
            answer(&mut s, &method, &path, &query, &raw, wall)
        };
        s.received.push(Received {
            method,
            query,
            body: serde_json::from_slice(&raw).ok(),
            at: Instant::now(),
            status: answer.0,
            early,
        });
        answer
    };
    let mut builder = Response::builder().status(status);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    Ok(builder
        .body(Full::new(Bytes::from(text)))
        .expect("valid response"))
}

type Answer = (u16, Vec<(&'static str, String)>, String);

fn json_answer(status: u16, body: Value, mut headers: Vec<(&'static str, String)>) -> Answer {
    headers.push(("content-type", "application/json".into()));
    (status, headers, body.to_string())
}

fn error(status: u16, message: &str, code: u32) -> Answer {
    json_answer(status, json!({"message": message, "code": code}), vec![])
}

/// The answer to one request, in the order a webhook behind a limiting proxy decides it:
/// the path, an outage, the rate limit, then the body.
fn answer(
    s: &mut State,
    method: &str,
    path: &str,
    query: &str,
    raw: &[u8],
    wall: SystemTime,
) -> Answer {
    let Some(rest) = path.strip_prefix(&format!("/api/webhooks/{ID}/{TOKEN}")) else {
        return error(404, "Unknown Webhook", 10015);
    };
    match s.refusing {
        Some(404) => return error(404, "Unknown Webhook", 10015),
        Some(code) => return error(code, &format!("{code}: Service Unavailable"), 0),
        None => {}
    }
    if let Some(form) = s.opts.limit {
        let second = wall
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        if s.served_second == Some(second) {
            return rate_limited(s, form, second, wall);
        }
        s.served_second = Some(second);
    }
    let Ok(body) = serde_json::from_slice::<Value>(raw) else {
        return error(400, "The request body contains invalid JSON.", 50109);
    };
    let edit = rest.strip_prefix("/messages/");
    if let Err(e) = check_discord(Some(&s.validators), &body, edit.is_some()) {
        eprintln!("stand-in webhook rejected the payload: {e}");
        return error(400, "Invalid Form Body", 50035);
    }
    match (method, edit) {
        ("POST", None) if rest.is_empty() => {
            let id = s.next_id;
            s.next_id += 1;
            let stored = message_json(id, &body);
            s.messages.insert(id, stored.clone());
            if query.split('&').any(|p| p == "wait=true") {
                json_answer(200, stored, vec![])
            } else {
                (204, vec![], String::new())
            }
        }
        ("PATCH", Some(id)) => match id
            .parse::<u64>()
            .ok()
            .filter(|id| s.messages.contains_key(id))
        {
            Some(id) => {
                let stored = message_json(id, &body);
                s.messages.insert(id, stored.clone());
                json_answer(200, stored, vec![])
            }
            None => error(404, "Unknown Message", 10008),
        },
        _ => error(405, "405: Method Not Allowed", 0),
    }
}

/// 429 until the next wall-clock second, said the way `form` says it.
fn rate_limited(s: &mut State, form: RetryAfter, second: u64, wall: SystemTime) -> Answer {
    let next = SystemTime::UNIX_EPOCH + Duration::from_secs(second + 1);
    let (value, until) = match form {
        RetryAfter::Seconds => {
            let left = next.duration_since(wall).unwrap_or_default();
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            (secs.to_string(), wall + Duration::from_secs(secs))
        }
        RetryAfter::HttpDate => {
            let ts = jiff::Timestamp::from_second(second as i64 + 1).expect("a valid time");
            let date = jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&ts)
                .expect("formattable");
            (date, next)
        }
    };
    s.asked_until = Some(until);
    json_answer(
        429,
        json!({"message": "You are being rate limited.", "global": false}),
        vec![("retry-after", value)],
    )
}
