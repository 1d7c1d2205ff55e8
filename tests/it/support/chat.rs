//! Stand-in Slack and Discord incoming webhooks on 127.0.0.1, held to the published contracts
//! (shared/reference/README.md, Discord's OpenAPI description in tests/fixtures/discord/):
//!
//! - Slack: JSON body with `text` or `blocks` (else 400 `no_text`), Block Kit limits (else 400
//!   `invalid_payload`), 200 `ok`, about one message per second per webhook (else 429 with
//!   `Retry-After` and `{"ok":false,"error":"rate_limited","retry_after":N}`), 404 `no_service`
//!   for an unknown webhook.
//! - Discord: bodies validated against `IncomingWebhookRequestPartial` (execute) or
//!   `IncomingWebhookUpdateRequestPartial` (edit) plus the limits the schema cannot say (embed
//!   total ≤ 6000, ≤ 10 embeds, content ≤ 2000); `X-RateLimit-*` on every answer with a bucket
//!   of 5 per 2 s; 429 with `Retry-After` and a float `retry_after`; `?wait=true` → 200 + the
//!   message, else 204; edits of stored messages; 404 `Unknown Webhook` (10015) / `Unknown
//!   Message` (10008).
//!
//! Planned faults (429, 5xx, slow answers, any status) are served first, in order. Every request
//! is recorded with the time it arrived, so tests can assert exactly-once delivery and that a
//! retry came no earlier than the server asked.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// The token part of every stand-in webhook URL unless a test picks another.
pub const TOKEN: &str = "standinSECRETtoken0123";
const DISCORD_ID: &str = "112233445566778899";
const DISCORD_BUCKET: u32 = 5;
const DISCORD_WINDOW: Duration = Duration::from_secs(2);
const SLACK_MIN_GAP: Duration = Duration::from_millis(950);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Slack,
    Discord,
}

/// An answer the stand-in gives instead of the normal one, once.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 with `Retry-After` (whole seconds, rounded up) and the body's precise `retry_after`.
    RateLimit(Duration),
    /// This status with the platform's usual body for it.
    Status(u16),
    /// Sleep before answering normally.
    Slow(Duration),
}

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Option<Value>,
    pub at: Instant,
    pub status: u16,
}

struct State {
    kind: Kind,
    token: String,
    faults: VecDeque<Fault>,
    received: Vec<Received>,
    /// Discord messages by id (the stand-in's channel).
    messages: BTreeMap<u64, Value>,
    next_id: u64,
    last_accepted: Option<Instant>,
    /// Discord bucket: requests counted in the current window and when it started.
    window: (u32, Instant),
    validator: Option<(jsonschema::Validator, jsonschema::Validator)>,
}

/// A running stand-in; stops when dropped.
pub struct Chat {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Chat {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl Chat {
    pub async fn slack() -> Chat {
        Chat::start(Kind::Slack, TOKEN).await
    }

    pub async fn discord() -> Chat {
        Chat::start(Kind::Discord, TOKEN).await
    }

    pub async fn start(kind: Kind, token: &str) -> Chat {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let validator = (kind == Kind::Discord).then(discord_validators);
        let state = Arc::new(Mutex::new(State {
            kind,
            token: token.to_owned(),
            faults: VecDeque::new(),
            received: Vec::new(),
            messages: BTreeMap::new(),
            next_id: 1_300_000_000_000_000_000,
            last_accepted: None,
            window: (0, Instant::now()),
            validator,
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Chat { addr, state, task }
    }

    /// The webhook URL of this stand-in (with the secret token in it).
    pub fn url(&self) -> String {
        let token = lock(&self.state).token.clone();
        match lock(&self.state).kind {
            Kind::Slack => format!("http://{}/services/TSTANDIN1/BSTANDIN2/{token}", self.addr),
            Kind::Discord => format!("http://{}/api/webhooks/{DISCORD_ID}/{token}", self.addr),
        }
    }

    /// A URL of this server that is not a known webhook (404 from the platform).
    pub fn unknown_url(&self) -> String {
        match lock(&self.state).kind {
            Kind::Slack => format!(
                "http://{}/services/TSTANDIN1/BSTANDIN2/revokedTOKEN",
                self.addr
            ),
            Kind::Discord => format!(
                "http://{}/api/webhooks/{DISCORD_ID}/revokedTOKEN",
                self.addr
            ),
        }
    }

    pub fn plan(&self, fault: Fault) {
        lock(&self.state).faults.push_back(fault);
    }

    pub fn received(&self) -> Vec<Received> {
        lock(&self.state).received.clone()
    }

    /// Bodies the platform accepted (2xx), in order.
    pub fn accepted(&self) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .filter_map(|r| r.body)
            .collect()
    }

    /// A stored Discord message.
    pub fn message(&self, id: &str) -> Option<Value> {
        lock(&self.state).messages.get(&id.parse().ok()?).cloned()
    }
}

async fn handle(
    state: Arc<Mutex<State>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let at = Instant::now();
    let (parts, body) = req.into_parts();
    let raw = body.collect().await?.to_bytes();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let fault = lock(&state).faults.pop_front();
    if let Some(Fault::Slow(d)) = fault {
        tokio::time::sleep(d).await;
    }
    let answer = {
        let mut s = lock(&state);
        let answer = match fault {
            Some(Fault::RateLimit(wait)) => rate_limited(s.kind, wait),
            Some(Fault::Status(code)) => status_answer(s.kind, code),
            Some(Fault::Slow(_)) | None => match s.kind {
                Kind::Slack => slack(&mut s, &method, &path, &raw, at),
                Kind::Discord => discord(&mut s, &method, &path, &query, &raw, at),
            },
        };
        s.received.push(Received {
            method,
            path,
            query,
            body: serde_json::from_slice(&raw).ok(),
            at,
            status: answer.0,
        });
        answer
    };
    let (status, headers, body) = answer;
    let mut builder = Response::builder().status(status);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    Ok(builder
        .body(Full::new(Bytes::from(body)))
        .expect("valid response"))
}

type Answer = (u16, Vec<(&'static str, String)>, String);

fn text(status: u16, body: &str) -> Answer {
    (
        status,
        vec![("content-type", "text/plain".into())],
        body.to_owned(),
    )
}

fn json_answer(status: u16, body: Value, mut headers: Vec<(&'static str, String)>) -> Answer {
    headers.push(("content-type", "application/json".into()));
    (status, headers, body.to_string())
}

fn rate_limited(kind: Kind, wait: Duration) -> Answer {
    let secs = wait.as_secs_f64();
    let header = ("retry-after", format!("{}", secs.ceil() as u64));
    match kind {
        Kind::Slack => json_answer(
            429,
            json!({"ok": false, "error": "rate_limited", "retry_after": secs}),
            vec![header],
        ),
        Kind::Discord => json_answer(
            429,
            json!({"message": "You are being rate limited.", "retry_after": secs, "global": false}),
            vec![
                header,
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset-after", format!("{secs:.3}")),
            ],
        ),
    }
}

fn status_answer(kind: Kind, code: u16) -> Answer {
    match (kind, code) {
        (Kind::Slack, 400) => text(400, "invalid_payload"),
        (Kind::Slack, 403) => text(403, "action_prohibited"),
        (Kind::Slack, 404) => text(404, "channel_not_found"),
        (Kind::Slack, 410) => text(410, "channel_is_archived"),
        (Kind::Slack, c) => text(c, "internal_error"),
        (Kind::Discord, 404) => json_answer(
            404,
            json!({"message": "Unknown Webhook", "code": 10015}),
            vec![],
        ),
        (Kind::Discord, c) if c >= 500 => json_answer(
            c,
            json!({"message": "500: Internal Server Error", "code": 0}),
            vec![],
        ),
        (Kind::Discord, c) => json_answer(
            c,
            json!({"message": "Invalid Form Body", "code": 50035}),
            vec![],
        ),
    }
}

fn slack(s: &mut State, method: &str, path: &str, raw: &[u8], at: Instant) -> Answer {
    if method != "POST" || path != format!("/services/TSTANDIN1/BSTANDIN2/{}", s.token) {
        return text(404, "no_service");
    }
    let Ok(body) = serde_json::from_slice::<Value>(raw) else {
        return text(400, "invalid_payload");
    };
    if let Some(last) = s.last_accepted
        && at.duration_since(last) < SLACK_MIN_GAP
    {
        return rate_limited(Kind::Slack, Duration::from_secs(1));
    }
    if let Err(e) = check_slack(&body) {
        eprintln!("stand-in Slack rejected the payload: {e}");
        return text(
            400,
            if e == "no_text" {
                "no_text"
            } else {
                "invalid_payload"
            },
        );
    }
    s.last_accepted = Some(at);
    text(200, "ok")
}

/// Slack's documented Block Kit limits. Returns what is wrong.
fn check_slack(body: &Value) -> Result<(), String> {
    let mut block_lists: Vec<&Vec<Value>> = body["blocks"].as_array().into_iter().collect();
    for a in body["attachments"].as_array().into_iter().flatten() {
        block_lists.extend(a["blocks"].as_array());
    }
    let has_text = body["text"].as_str().is_some_and(|t| !t.trim().is_empty());
    if !has_text && block_lists.iter().all(|b| b.is_empty()) {
        return Err("no_text".into());
    }
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.encode_utf16().count());
    for blocks in block_lists {
        if blocks.len() > 50 {
            return Err(format!("{} blocks > 50", blocks.len()));
        }
        for b in blocks {
            match b["type"].as_str() {
                Some("header") if (1..=150).contains(&chars(&b["text"]["text"])) => {}
                Some("section") => {
                    let fields = b["fields"].as_array();
                    if b["text"].is_null() && fields.is_none() {
                        return Err("section without text or fields".into());
                    }
                    if !b["text"].is_null() && !(1..=3000).contains(&chars(&b["text"]["text"])) {
                        return Err("section text length".into());
                    }
                    for f in fields
                        .into_iter()
                        .flatten()
                        .enumerate()
                        .map(|(i, f)| (i, chars(&f["text"])))
                    {
                        if f.0 >= 10 || !(1..=2000).contains(&f.1) {
                            return Err(format!("section field {} length {}", f.0, f.1));
                        }
                    }
                }
                Some("context")
                    if b["elements"]
                        .as_array()
                        .is_some_and(|e| (1..=10).contains(&e.len())) => {}
                Some("actions") => {
                    let elements = b["elements"].as_array().ok_or("actions without elements")?;
                    if elements.is_empty() || elements.len() > 25 {
                        return Err("actions element count".into());
                    }
                    for e in elements {
                        if !(1..=75).contains(&chars(&e["text"]["text"])) || !e["url"].is_string() {
                            return Err(format!("bad button {e}"));
                        }
                    }
                }
                other => return Err(format!("invalid block {other:?}: {b}")),
            }
        }
    }
    Ok(())
}

fn discord(
    s: &mut State,
    method: &str,
    path: &str,
    query: &str,
    raw: &[u8],
    at: Instant,
) -> Answer {
    let rest = path.strip_prefix("/api").unwrap_or(path);
    let Some(rest) = rest.strip_prefix(&format!("/webhooks/{DISCORD_ID}/")) else {
        return status_answer(Kind::Discord, 404);
    };
    let (token, message) = match rest.split_once("/messages/") {
        Some((t, m)) => (t, Some(m)),
        None => (rest, None),
    };
    if token != s.token {
        return status_answer(Kind::Discord, 404);
    }
    // The bucket: DISCORD_BUCKET requests per window.
    if at.duration_since(s.window.1) >= DISCORD_WINDOW {
        s.window = (0, at);
    }
    if s.window.0 >= DISCORD_BUCKET {
        let wait = DISCORD_WINDOW.saturating_sub(at.duration_since(s.window.1));
        return rate_limited(Kind::Discord, wait);
    }
    s.window.0 += 1;
    let remaining = DISCORD_BUCKET - s.window.0;
    let reset_after = DISCORD_WINDOW
        .saturating_sub(at.duration_since(s.window.1))
        .as_secs_f64();
    let headers = vec![
        ("x-ratelimit-limit", DISCORD_BUCKET.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset-after", format!("{reset_after:.3}")),
        ("x-ratelimit-bucket", "standin-bucket".into()),
    ];
    let Ok(body) = serde_json::from_slice::<Value>(raw) else {
        return json_answer(
            400,
            json!({"message": "The request body contains invalid JSON.", "code": 50109}),
            headers,
        );
    };
    let edit = message.is_some();
    if let Err(e) = check_discord(s.validator.as_ref(), &body, edit) {
        eprintln!("stand-in Discord rejected the payload: {e}");
        return json_answer(
            400,
            json!({"message": "Invalid Form Body", "code": 50035, "errors": {"_errors": [{"code": "BASE_TYPE_INVALID", "message": e}]}}),
            headers,
        );
    }
    match (method, message) {
        ("POST", None) => {
            let id = s.next_id;
            s.next_id += 1;
            let stored = message_json(id, &body);
            s.messages.insert(id, stored.clone());
            if query.split('&').any(|p| p == "wait=true") {
                json_answer(200, stored, headers)
            } else {
                (204, headers, String::new())
            }
        }
        ("PATCH", Some(mid)) => match mid
            .parse::<u64>()
            .ok()
            .filter(|id| s.messages.contains_key(id))
        {
            Some(id) => {
                let stored = message_json(id, &body);
                s.messages.insert(id, stored.clone());
                json_answer(200, stored, headers)
            }
            None => json_answer(
                404,
                json!({"message": "Unknown Message", "code": 10008}),
                headers,
            ),
        },
        _ => json_answer(
            405,
            json!({"message": "405: Method Not Allowed", "code": 0}),
            headers,
        ),
    }
}

/// The message Discord stores (and returns with `?wait=true`) for a body.
pub fn message_json(id: u64, body: &Value) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "channel_id": "998877665544332211",
        "content": body["content"].as_str().unwrap_or(""),
        "embeds": body["embeds"].clone(),
        "webhook_id": DISCORD_ID,
        "timestamp": "2026-11-23T10:15:00.000000+00:00",
    })
}

/// Discord's contract for an execute (`edit == false`) or edit body: the OpenAPI schema plus the
/// limits it cannot say. Returns what is wrong.
pub fn check_discord(
    validators: Option<&(jsonschema::Validator, jsonschema::Validator)>,
    body: &Value,
    edit: bool,
) -> Result<(), String> {
    if let Some((execute, update)) = validators {
        let validator = if edit { update } else { execute };
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        if !errors.is_empty() {
            return Err(errors.join("; "));
        }
    }
    let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    if len(&body["content"]) > 2000 {
        return Err("content > 2000".into());
    }
    let embeds = body["embeds"].as_array().map_or(&[][..], Vec::as_slice);
    if embeds.len() > 10 {
        return Err("more than 10 embeds".into());
    }
    let mut total = 0;
    for e in embeds {
        total += len(&e["title"])
            + len(&e["description"])
            + len(&e["footer"]["text"])
            + len(&e["author"]["name"]);
        for f in e["fields"].as_array().into_iter().flatten() {
            total += len(&f["name"]) + len(&f["value"]);
        }
    }
    if total > 6000 {
        return Err(format!("embeds total {total} > 6000"));
    }
    if body["content"].as_str().is_none_or(str::is_empty) && embeds.is_empty() && !edit {
        return Err("Cannot send an empty message".into());
    }
    Ok(())
}

/// Validators for Discord's execute and edit bodies, from its OpenAPI description.
pub fn discord_validators() -> (jsonschema::Validator, jsonschema::Validator) {
    let spec: Value = serde_json::from_str(include_str!(
        "../../fixtures/discord/webhook-openapi-subset.json"
    ))
    .expect("spec");
    let build = |name: &str| {
        let schema = json!({"$ref": format!("#/components/schemas/{name}"), "components": spec["components"]});
        jsonschema::validator_for(&schema).expect("Discord schema compiles")
    };
    (
        build("IncomingWebhookRequestPartial"),
        build("IncomingWebhookUpdateRequestPartial"),
    )
}
