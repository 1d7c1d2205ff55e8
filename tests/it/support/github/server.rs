//! The HTTP side of the stand-in GitHub: hyper 1 on 127.0.0.1, and the pipeline every request
//! goes through — authentication, routing against the spec, injected faults, the read-only
//! token, query and body validation, the operation, a self-check of the answer, recording.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::codec::{now_epoch, parse_query};
use super::render::REPO_ID;
use super::repo::{Answer, Call, Repo};
use super::spec::Spec;
use super::{Fault, Recorded};

/// API versions the stand-in accepts in `X-GitHub-Api-Version`, like GitHub (400 otherwise).
const SUPPORTED_VERSIONS: [&str; 1] = ["2022-11-28"];

const GENERIC_DOC: &str = "https://docs.github.com/rest";

pub struct Shared {
    pub spec: &'static Spec,
    pub token: String,
    pub owner: String,
    pub repo: String,
    pub state: Mutex<Repo>,
    /// (operation filter, fault); the first matching entry is used once.
    pub faults: Mutex<VecDeque<(Option<String>, Fault)>>,
    pub read_only: AtomicBool,
    pub requests: Mutex<Vec<Recorded>>,
    /// Answers of the stand-in that broke the spec (its own bugs); checked on drop.
    pub violations: Mutex<Vec<String>>,
    /// Requests answered so far: drives the `x-ratelimit-*` headers and the request id.
    served: AtomicU64,
}

impl Shared {
    pub fn new(
        spec: &'static Spec,
        token: String,
        owner: String,
        repo: String,
        state: Repo,
    ) -> Shared {
        Shared {
            spec,
            token,
            owner,
            repo,
            state: Mutex::new(state),
            faults: Mutex::new(VecDeque::new()),
            read_only: AtomicBool::new(false),
            requests: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            served: AtomicU64::new(0),
        }
    }
}

pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(shared.clone(), req));
            // A dropped connection (the `Disconnect` fault) ends here; nothing to report.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The connection is dropped without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stand-in dropped the connection (fault)")
    }
}

impl std::error::Error for Dropped {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, BoxError> {
    let at = Instant::now();
    let (parts, body) = req.into_parts();
    let raw = body.collect().await?.to_bytes();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let (operation, answer) = respond(&shared, &method, &path, &query, &headers, &raw);
    lock(&shared.requests).push(Recorded {
        method,
        path,
        query,
        operation,
        body: serde_json::from_slice(&raw).ok(),
        raw_body: String::from_utf8_lossy(&raw).into_owned(),
        headers,
        status: answer.as_ref().map_or(0, |a| a.status),
        at,
    });
    let Some(answer) = answer else {
        return Err(Box::new(Dropped));
    };
    let used = shared.served.fetch_add(1, Ordering::Relaxed) + 1;
    let mut builder = Response::builder()
        .status(answer.status)
        .header("content-type", "application/json; charset=utf-8")
        .header("x-github-api-version-selected", SUPPORTED_VERSIONS[0])
        .header("x-github-media-type", "github.v3; format=json")
        .header("x-github-request-id", format!("0000:{used:08X}"));
    let overridden = |name: &str| answer.headers.iter().any(|(k, _)| k == name);
    for (name, value) in [
        ("x-ratelimit-limit", "5000".to_owned()),
        (
            "x-ratelimit-remaining",
            5000u64.saturating_sub(used).to_string(),
        ),
        ("x-ratelimit-reset", (now_epoch() + 3600).to_string()),
        ("x-ratelimit-used", used.to_string()),
        ("x-ratelimit-resource", "core".to_owned()),
    ] {
        if !overridden(name) {
            builder = builder.header(name, value);
        }
    }
    for (k, v) in &answer.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let body = if answer.status == 204 {
        Vec::new()
    } else {
        serde_json::to_vec(&answer.body)?
    };
    Ok(builder.body(Full::new(Bytes::from(body)))?)
}

fn basic_error(status: u16, message: &str, doc: &str) -> Answer {
    Answer {
        status,
        body: json!({ "message": message, "documentation_url": doc, "status": status.to_string() }),
        headers: Vec::new(),
    }
}

/// The decision for one request: the operation it matched and the answer (`None`: drop the
/// connection).
fn respond(
    shared: &Shared,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (Option<String>, Option<Answer>) {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    // GitHub's pagination links use `/repositories/{id}/…` for `/repos/{owner}/{repo}/…`.
    let path = match raw_path.strip_prefix(&format!("/repositories/{REPO_ID}/")) {
        Some(rest) => format!("/repos/{}/{}/{rest}", shared.owner, shared.repo),
        None => raw_path.to_owned(),
    };
    match header("authorization") {
        None => {
            return (
                None,
                Some(basic_error(401, "Requires authentication", GENERIC_DOC)),
            );
        }
        Some(auth) => {
            let given = auth
                .strip_prefix("Bearer ")
                .or_else(|| auth.strip_prefix("token "));
            if given != Some(shared.token.as_str()) {
                return (None, Some(basic_error(401, "Bad credentials", GENERIC_DOC)));
            }
        }
    }
    if header("user-agent").is_none_or(str::is_empty) {
        let msg = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.";
        return (None, Some(basic_error(403, msg, GENERIC_DOC)));
    }
    if let Some(v) = header("x-github-api-version")
        && !SUPPORTED_VERSIONS.contains(&v)
    {
        let msg = format!("API version {v} is not supported.");
        return (None, Some(basic_error(400, &msg, GENERIC_DOC)));
    }
    let spec = shared.spec;
    let Some(route) = spec.route(method, &path) else {
        return (None, Some(basic_error(404, "Not Found", GENERIC_DOC)));
    };
    let op = route.op;
    let id = Some(op.id.clone());
    let repo_ok = route
        .params
        .get("owner")
        .is_none_or(|o| o.eq_ignore_ascii_case(&shared.owner))
        && route
            .params
            .get("repo")
            .is_none_or(|r| r.eq_ignore_ascii_case(&shared.repo));
    if !repo_ok {
        return (id, Some(basic_error(404, "Not Found", &op.doc_url)));
    }
    let fault = {
        let mut faults = lock(&shared.faults);
        let pos = faults
            .iter()
            .position(|(only, _)| only.as_ref().is_none_or(|o| *o == op.id));
        pos.and_then(|i| faults.remove(i)).map(|(_, f)| f)
    };
    let query = parse_query(raw_query);
    let mut fail_after = None;
    let answer = match fault {
        Some(Fault::ApplyThenFail(status)) => {
            fail_after = Some(status);
            None
        }
        Some(Fault::ShaConflict { other_content }) => {
            // Another writer commits first; the request itself then meets a stale SHA.
            let branch = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|b| b["branch"].as_str().map(str::to_owned));
            let mut state = lock(&shared.state);
            let branch = branch.unwrap_or_else(|| state.default_branch.clone());
            let file = route.params.get("path").cloned().unwrap_or_default();
            state.write_file(&branch, &file, other_content);
            None
        }
        Some(f) => Some(fault_answer(f, &op.doc_url)),
        None => None,
    };
    let answer = match answer {
        Some(Some(a)) => Some(a),
        Some(None) => return (id, None),
        None => {
            if shared.read_only.load(Ordering::Relaxed) && method != "GET" {
                Some(read_only(&op.doc_url))
            } else if let Err(r) = spec.check_query(op, &query) {
                Some(Answer {
                    status: r.status,
                    body: r.body,
                    headers: Vec::new(),
                })
            } else {
                match spec.check_body(op, body) {
                    Err(r) => Some(Answer {
                        status: r.status,
                        body: r.body,
                        headers: Vec::new(),
                    }),
                    Ok(parsed) => {
                        let null = Value::Null;
                        let call = Call {
                            spec,
                            op_id: &op.id,
                            doc: &op.doc_url,
                            params: &route.params,
                            query: &query,
                            body: parsed.as_ref().unwrap_or(&null),
                        };
                        Some(lock(&shared.state).handle(&call))
                    }
                }
            }
        }
    };
    let Some(mut answer) = answer else {
        return (id, None);
    };
    if let Some(status) = fail_after {
        answer = fault_answer(Fault::ServerError(status), &op.doc_url).unwrap_or(answer);
    }
    if let Err(violation) = spec.check_response(op, answer.status, &answer.body) {
        lock(&shared.violations).push(violation.clone());
        return (id, Some(basic_error(500, &violation, &op.doc_url)));
    }
    (id, Some(answer))
}

fn read_only(doc: &str) -> Answer {
    basic_error(403, "Resource not accessible by integration", doc)
}

/// `Some(None)`: drop the connection.
fn fault_answer(fault: Fault, doc: &str) -> Option<Answer> {
    Some(match fault {
        Fault::ReadOnlyToken => read_only(doc),
        Fault::SecondaryRateLimit {
            status,
            retry_after_secs,
        } => {
            let mut a = basic_error(
                status,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:00000000.",
                "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            );
            a.headers
                .push(("retry-after".into(), retry_after_secs.to_string()));
            a
        }
        Fault::PrimaryRateLimit { reset_in_secs } => {
            let mut a = basic_error(
                403,
                "API rate limit exceeded for installation ID 1234567.",
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            );
            a.headers.push(("x-ratelimit-remaining".into(), "0".into()));
            a.headers.push((
                "x-ratelimit-reset".into(),
                (now_epoch() + reset_in_secs).to_string(),
            ));
            a
        }
        Fault::ServerError(status) => {
            let reason = hyper::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Server Error");
            basic_error(status, reason, GENERIC_DOC)
        }
        Fault::Respond {
            status,
            body,
            headers,
        } => Answer {
            status,
            body,
            headers,
        },
        Fault::Disconnect => return None,
        // Handled around the operation.
        Fault::ShaConflict { .. } | Fault::ApplyThenFail(_) => return None,
    })
}
