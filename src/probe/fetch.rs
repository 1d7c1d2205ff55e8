//! One attempt of a check: the request, each redirect hop checked against the allowlist, the body
//! read up to the cap, timings and the server certificate.
//!
//! Redirects are followed here rather than by reqwest (whose client has `Policy::none()`), so that
//! every hop is checked before it is requested and the chain is recorded. As browsers and
//! reqwest do, 303 (and 301/302 after a POST) become a body-less GET, and credentials
//! (`Authorization`, `Cookie`, `Proxy-Authorization`) are dropped when the origin changes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap};
use reqwest::{Client, Method, StatusCode, Url};

use super::ProbeError;
use super::check::Check;
use super::result::Hop;
use crate::config::TlsSpec;

/// One HTTP client per TLS setting in use (extra CA file, insecure).
#[derive(Debug, Clone)]
pub struct Clients {
    by_tls: HashMap<TlsSpec, Client>,
}

impl Clients {
    /// Builds the clients `checks` need. An unreadable or empty CA file is an error here, before
    /// any request is made. `pool` is the number of idle connections kept per host.
    pub fn for_checks<'a>(
        checks: impl IntoIterator<Item = &'a Check>,
        pool: usize,
    ) -> Result<Clients, ProbeError> {
        // Fails only when a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut by_tls = HashMap::new();
        for check in checks {
            if !by_tls.contains_key(&check.tls) {
                by_tls.insert(check.tls.clone(), build(&check.tls, pool)?);
            }
        }
        Ok(Clients { by_tls })
    }

    pub fn get(&self, tls: &TlsSpec) -> Option<&Client> {
        self.by_tls.get(tls)
    }
}

fn build(tls: &TlsSpec, pool: usize) -> Result<Client, ProbeError> {
    let mut builder = Client::builder()
        .user_agent(concat!("decoder-ops-smoke/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        // Proxies are not taken from the environment: where requests go is decided by the
        // config and its allowlist alone.
        .no_proxy()
        .tls_info(true)
        .pool_max_idle_per_host(pool);
    if let Some(path) = &tls.ca_file {
        let err = |message: String| ProbeError::CaFile {
            path: path.display().to_string(),
            message,
        };
        let pem = std::fs::read(path).map_err(|e| err(format!("cannot read it: {e}")))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| err(format!("not a PEM certificate bundle: {e}")))?;
        if certs.is_empty() {
            return Err(err("it holds no PEM certificate".into()));
        }
        builder = builder.tls_certs_merge(certs);
    }
    if tls.insecure {
        builder = builder.danger_accept_invalid_certs(true);
    }
    builder
        .build()
        .map_err(|e| ProbeError::Client(error_chain(&e.without_url())))
}

/// A response read within the cap.
#[derive(Debug)]
pub struct Fetched {
    pub status: StatusCode,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub truncated: bool,
    pub redirects: Vec<Hop>,
    /// The final response's `Location`, resolved (a redirect that was not followed).
    pub location: Option<Url>,
    pub ttfb: Duration,
    pub total: Duration,
    /// The server's leaf certificate (DER), for https.
    pub peer_certificate: Option<Vec<u8>>,
}

/// Why an attempt produced no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Connect,
    Timeout,
    /// The connection was reset or closed early (before the response, or during the body).
    Reset,
    Tls,
    /// The allowlist refused the URL or a redirect target.
    NotAllowed,
    /// A redirect without a usable `Location`.
    BadRedirect,
    Other,
}

impl FailureKind {
    /// Whether waiting and trying again may help.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            FailureKind::Connect | FailureKind::Timeout | FailureKind::Reset
        )
    }
}

/// An attempt that produced no usable response. `message` may contain secrets until redacted.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    pub redirects: Vec<Hop>,
    pub elapsed: Duration,
}

/// Sends the check's request, following up to `follow_redirects` redirects, within `timeout`.
pub async fn fetch(client: &Client, check: &Check, timeout: Duration) -> Result<Fetched, Failure> {
    let start = Instant::now();
    let mut redirects = Vec::new();
    match tokio::time::timeout(timeout, follow(client, check, start, &mut redirects)).await {
        Ok(Ok(fetched)) => Ok(fetched),
        Ok(Err((kind, message))) => Err(Failure {
            kind,
            message,
            redirects,
            elapsed: start.elapsed(),
        }),
        Err(_) => Err(Failure {
            kind: FailureKind::Timeout,
            message: format!(
                "no complete response within {} (timeout)",
                crate::config::assertion::format_duration(timeout)
            ),
            redirects,
            elapsed: start.elapsed(),
        }),
    }
}

async fn follow(
    client: &Client,
    check: &Check,
    start: Instant,
    redirects: &mut Vec<Hop>,
) -> Result<Fetched, (FailureKind, String)> {
    let mut url = check.url.clone();
    let mut method = check.method.clone();
    let mut headers = check.headers.clone();
    let mut body = check.body.clone();
    loop {
        if !check.allow.allows(&url) {
            return Err((FailureKind::NotAllowed, not_allowed(check, &url, redirects)));
        }
        let mut request = client
            .request(method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(b) = &body {
            request = request.body(b.expose().to_owned());
        }
        let mut response = request.send().await.map_err(|e| classify(&e))?;
        let ttfb = start.elapsed();
        let status = response.status();
        let location = location(&response, &url);
        let follow = (redirects.len() as u32) < check.follow_redirects;
        if follow && status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let Some(next) = location.clone() else {
                return Err((
                    FailureKind::BadRedirect,
                    format!(
                        "HTTP {} from {url} without a valid `Location` header to follow",
                        status.as_u16()
                    ),
                ));
            };
            redirects.push(Hop {
                url: url.to_string(),
                status: status.as_u16(),
                location: next.to_string(),
            });
            if origin(&next) != origin(&url) {
                for name in [
                    header::AUTHORIZATION,
                    header::COOKIE,
                    header::PROXY_AUTHORIZATION,
                ] {
                    headers.remove(name);
                }
            }
            let to_get = status == StatusCode::SEE_OTHER && method != Method::HEAD
                || matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
                    && method == Method::POST;
            if to_get {
                method = Method::GET;
                body = None;
                headers.remove(header::CONTENT_TYPE);
                headers.remove(header::CONTENT_LENGTH);
            }
            url = next;
            continue;
        }
        let peer_certificate = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|i| i.peer_certificate())
            .map(<[u8]>::to_vec);
        let mut read = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            let (kind, message) = classify(&e);
            let kind = if kind == FailureKind::Other {
                FailureKind::Reset
            } else {
                kind
            };
            (
                kind,
                format!(
                    "{message} (while reading the body after HTTP {})",
                    status.as_u16()
                ),
            )
        })? {
            let room = usize::try_from(check.max_body)
                .unwrap_or(usize::MAX)
                .saturating_sub(read.len());
            if chunk.len() > room {
                read.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            read.extend_from_slice(&chunk);
        }
        return Ok(Fetched {
            status,
            headers: response.headers().clone(),
            url,
            body: read,
            truncated,
            redirects: std::mem::take(redirects),
            location: location.filter(|_| status.is_redirection()),
            ttfb,
            total: start.elapsed(),
            peer_certificate,
        });
    }
}

fn location(response: &reqwest::Response, base: &Url) -> Option<Url> {
    let value = response.headers().get(header::LOCATION)?.to_str().ok()?;
    base.join(value.trim()).ok()
}

fn origin(url: &Url) -> (String, Option<String>, Option<u16>) {
    (
        url.scheme().to_owned(),
        url.host_str().map(str::to_owned),
        url.port_or_known_default(),
    )
}

fn not_allowed(check: &Check, url: &Url, redirects: &[Hop]) -> String {
    let host = url.host_str().unwrap_or("");
    let allowed = check.allow.patterns().join(", ");
    let scope = check
        .environment
        .as_deref()
        .map_or_else(|| "this check".to_owned(), |e| format!("environment `{e}`"));
    let fix = if check.environment.is_some() {
        "add it to the environment's `allow-hosts` if it is expected"
    } else {
        "pass --allow-host if it is expected"
    };
    match redirects.last() {
        Some(hop) => format!(
            "redirect from {} to host `{host}` refused: not in the allowlist of {scope} ({allowed}); {fix}",
            hop.url
        ),
        None => format!(
            "request to host `{host}` refused: not in the allowlist of {scope} ({allowed}); {fix}"
        ),
    }
}

/// Sorts a reqwest error into a [`FailureKind`] with a message free of the URL (which may hold a
/// token) that names the cause.
pub fn classify(e: &reqwest::Error) -> (FailureKind, String) {
    let chain = error_chain(e);
    let mut io_kind = None;
    let mut is_tls = false;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.downcast_ref::<rustls::Error>().is_some() {
            is_tls = true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
            if io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
            {
                is_tls = true;
            }
        }
        source = err.source();
    }
    use std::io::ErrorKind as K;
    let lower = chain.to_ascii_lowercase();
    let kind = if is_tls || lower.contains("certificate") || lower.contains("handshake") {
        FailureKind::Tls
    } else if e.is_timeout() || io_kind == Some(K::TimedOut) {
        FailureKind::Timeout
    } else if matches!(
        io_kind,
        Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof)
    ) || lower.contains("connection closed")
        || lower.contains("incomplete message")
        || lower.contains("end of file")
    {
        FailureKind::Reset
    } else if e.is_connect() {
        FailureKind::Connect
    } else {
        FailureKind::Other
    };
    let message = match kind {
        FailureKind::Tls => format!(
            "TLS: {chain}; trust the issuing CA with `tls.ca-file` (or --ca-file) if it is private"
        ),
        FailureKind::Connect => format!("cannot connect: {chain}"),
        FailureKind::Reset => format!("connection reset or closed early: {chain}"),
        _ => chain,
    };
    (kind, message)
}

/// An error and its sources in one line, the URL left out (it may hold a token).
pub fn error_chain(e: &reqwest::Error) -> String {
    let mut out = String::new();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let top = match e.url() {
        Some(url) => e.to_string().replace(&format!(" ({url})"), ""),
        None => e.to_string(),
    };
    out.push_str(&top);
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
