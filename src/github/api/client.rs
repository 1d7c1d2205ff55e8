//! The HTTP core of the GitHub client: construction, authentication, the retry loop, error
//! mapping and `Link`-header pagination. The operation files (`comments`, `statuses`, …) only
//! build URLs and bodies and call [`Client::json`] / [`Client::get_pages`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LINK};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use super::error::{ApiError, FieldError};
use super::link;
use super::retry::{self, RetryPolicy, Verdict};
use crate::secret::{Redactor, Secret};

/// The REST API version this client is written against (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";

/// GitHub answers at most 100 items per page.
const PER_PAGE: &str = "100";

/// 100 pages of 100 items: far beyond any real PR or label; a bound against a server that
/// keeps sending `rel="next"`.
const MAX_PAGES: usize = 100;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A GitHub REST client bound to one repository and one token.
pub struct Client {
    http: reqwest::Client,
    base: Url,
    owner: String,
    repo: String,
    /// `Bearer <token>`, marked sensitive so `Debug` of a request never shows it.
    auth: HeaderValue,
    /// Knows the token; every text from the server or the network passes through it.
    redactor: Redactor,
    policy: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("repository", &format_args!("{}/{}", self.owner, self.repo))
            .field("token", &"***")
            .finish_non_exhaustive()
    }
}

/// Whether a request may be sent again after an answer that leaves its effect unknown (5xx,
/// timeout, connection lost after sending). Requests that never left are always retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Replay {
    /// Idempotent (GET, PATCH, PUT) or harmless when doubled (a commit status).
    Safe,
    /// Doubling creates a duplicate (a comment, an issue): the caller looks before retrying.
    Never,
}

/// A successful answer.
pub(super) struct Reply {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Client {
    /// A client for `repository` (`owner/name`) at `api_base_url` (`https://api.github.com`, or
    /// `https://ghe.example.com/api/v3`, or a stand-in on 127.0.0.1).
    pub fn new(api_base_url: &str, token: Secret, repository: &str) -> Result<Client, ApiError> {
        let mut base = Url::parse(api_base_url.trim()).map_err(|e| {
            ApiError::InvalidInput(format!(
                "api url `{api_base_url}` is not a URL ({e}); use e.g. `https://api.github.com`"
            ))
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ApiError::InvalidInput(format!(
                "api url `{api_base_url}` must be an http(s) URL such as `https://api.github.com`"
            )));
        }
        base.set_query(None);
        base.set_fragment(None);
        let (owner, repo) = parse_repository(repository)?;
        let token_text = token.expose().trim();
        if token_text.is_empty() {
            return Err(ApiError::InvalidInput(
                "the GitHub token is empty; pass `github-token` (usually `${{ github.token }}`)"
                    .into(),
            ));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {token_text}")).map_err(|_| {
            ApiError::InvalidInput(
                "the GitHub token contains characters not allowed in an HTTP header".into(),
            )
        })?;
        auth.set_sensitive(true);
        let mut redactor = Redactor::new();
        redactor.add(token_text);

        // reqwest is built with `rustls-no-provider`: the process picks the crypto provider.
        // Installing twice fails harmlessly (another client or a test did it first).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "x-github-api-version",
            HeaderValue::from_static(API_VERSION),
        );
        let http = reqwest::Client::builder()
            .user_agent(concat!("decoder-ops/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| ApiError::Setup(redactor.redact(&error_chain(&e.without_url()))))?;
        Ok(Client {
            http,
            base,
            owner,
            repo,
            auth,
            redactor,
            policy: RetryPolicy::default(),
        })
    }

    /// Replaces the retry policy (tests shorten the waits; a long cron job may lengthen them).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Client {
        self.policy = policy;
        self
    }

    pub(super) fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn repo(&self) -> &str {
        &self.repo
    }

    /// `{base}/repos/{owner}/{repo}/{segments…}`, each segment percent-encoded (a `/` inside a
    /// segment included, so callers split multi-segment values such as file paths themselves).
    pub(super) fn repo_url<S: AsRef<str>>(
        &self,
        segments: impl IntoIterator<Item = S>,
    ) -> Result<Url, ApiError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| ApiError::InvalidInput("api url cannot carry a path".into()))?
            .pop_if_empty()
            .extend(["repos", self.owner.as_str(), self.repo.as_str()])
            .extend(segments);
        Ok(url)
    }

    /// Sends one JSON request and decodes the answer.
    pub(super) async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        replay: Replay,
    ) -> Result<T, ApiError> {
        let (m, path) = (method.to_string(), url.path().to_owned());
        let reply = self.send(method, url, body, replay).await?;
        self.decode(&m, &path, &reply.body)
    }

    /// GETs every page of a list, following `Link: rel="next"` from `per_page=100`.
    /// `items` pulls the list out of one page (the page itself for plain arrays).
    pub(super) async fn get_pages<P: DeserializeOwned, T>(
        &self,
        mut url: Url,
        mut items: impl FnMut(P) -> Vec<T>,
    ) -> Result<Vec<T>, ApiError> {
        set_query(&mut url, "per_page", PER_PAGE);
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let path = url.path().to_owned();
            let reply = self
                .send(Method::GET, url.clone(), None, Replay::Safe)
                .await?;
            let page: P = self.decode("GET", &path, &reply.body)?;
            out.extend(items(page));
            let next = reply
                .headers
                .get(LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(|h| link::find_rel(h, "next"));
            let Some(next) = next else {
                return Ok(out);
            };
            url = self.same_origin(&next).ok_or_else(|| ApiError::Decode {
                method: "GET".into(),
                path: path.clone(),
                message: "the next-page link leaves the API host; refusing to send the token there"
                    .into(),
            })?;
        }
        Err(ApiError::Decode {
            method: "GET".into(),
            path: url.path().to_owned(),
            message: format!("more than {MAX_PAGES} pages of 100 items; stopped paginating"),
        })
    }

    /// A pagination link, resolved against the base, if it stays on the API's origin.
    fn same_origin(&self, link: &str) -> Option<Url> {
        let url = self.base.join(link).ok()?;
        (url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default())
        .then_some(url)
    }

    /// The retry loop: rate limits wait within the budget, 5xx and network errors back off a
    /// bounded number of times (only when `replay` allows or nothing was sent).
    pub(super) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        replay: Replay,
    ) -> Result<Reply, ApiError> {
        let m = method.to_string();
        let path = url.path().to_owned();
        let bytes = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| ApiError::InvalidInput(format!("request body for {m} {path}: {e}")))?;
        let mut failures = 0u32;
        let mut attempts = 0u32;
        let mut rate_waited = Duration::ZERO;
        loop {
            attempts += 1;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, self.auth.clone());
            if let Some(bytes) = &bytes {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            let answer = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(b) => Ok((status, headers, b.to_vec())),
                        Err(e) => Err((e, true)),
                    }
                }
                Err(e) => {
                    let maybe_sent = !e.is_connect();
                    Err((e, maybe_sent))
                }
            };
            let (status, headers, body) = match answer {
                Ok(a) => a,
                Err((e, maybe_sent)) => {
                    failures += 1;
                    let message = self.redactor.redact(&error_chain(&e.without_url()));
                    if failures < self.policy.max_attempts
                        && (!maybe_sent || replay == Replay::Safe)
                    {
                        let wait = self.policy.backoff(failures);
                        tracing::warn!("github {m} {path}: {message}; retrying in {wait:?}");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(ApiError::Transport {
                        method: m,
                        path,
                        message,
                        attempts,
                    });
                }
            };
            tracing::debug!("github {m} {path}: {status}");
            let (message, errors) = self.error_fields(status, &body);
            match retry::classify(status, &headers, &message, now_epoch(), &self.policy) {
                Verdict::Success => return Ok(Reply { headers, body }),
                Verdict::RateLimited(wait) => {
                    if rate_waited + wait > self.policy.rate_limit_budget {
                        return Err(ApiError::RateLimited {
                            method: m,
                            path,
                            status,
                            wait_secs: wait.as_secs(),
                        });
                    }
                    tracing::warn!("github {m} {path}: rate limited ({status}), waiting {wait:?}");
                    tokio::time::sleep(wait).await;
                    rate_waited += wait;
                }
                Verdict::ServerError => {
                    failures += 1;
                    if failures < self.policy.max_attempts && replay == Replay::Safe {
                        let wait = self.policy.backoff(failures);
                        tracing::warn!("github {m} {path}: {status}; retrying in {wait:?}");
                        tokio::time::sleep(wait).await;
                    } else {
                        return Err(status_error(m, path, status, message, errors));
                    }
                }
                Verdict::ClientError => return Err(status_error(m, path, status, message, errors)),
            }
        }
    }

    /// GitHub's `message` and `errors[]` from an error body, redacted; for a non-JSON body
    /// (a proxy's HTML page) its first line, for an empty one the reason phrase.
    fn error_fields(&self, status: u16, body: &[u8]) -> (String, Vec<FieldError>) {
        if status < 400 {
            return (String::new(), Vec::new());
        }
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(default)]
            message: Option<String>,
            #[serde(default)]
            errors: Vec<serde_json::Value>,
        }
        let parsed: Option<Body> = serde_json::from_slice(body).ok();
        let (message, raw_errors) = match parsed {
            Some(b) => (b.message.unwrap_or_default(), b.errors),
            None => {
                let text = String::from_utf8_lossy(body);
                let first = text.lines().map(str::trim).find(|l| !l.is_empty());
                (first.unwrap_or("").chars().take(200).collect(), Vec::new())
            }
        };
        let message = if message.trim().is_empty() {
            reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("error")
                .to_owned()
        } else {
            self.redactor.redact(message.trim())
        };
        let errors = raw_errors
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => FieldError {
                    message: Some(s),
                    ..FieldError::default()
                },
                other => serde_json::from_value(other).unwrap_or_default(),
            })
            .map(|e| FieldError {
                resource: e.resource.map(|s| self.redactor.redact(&s)),
                field: e.field.map(|s| self.redactor.redact(&s)),
                code: self.redactor.redact(&e.code),
                message: e.message.map(|s| self.redactor.redact(&s)),
            })
            .collect();
        (message, errors)
    }

    pub(super) fn decode<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<T, ApiError> {
        serde_json::from_slice(body).map_err(|e| ApiError::Decode {
            method: method.to_owned(),
            path: path.to_owned(),
            message: self.redactor.redact(&e.to_string()),
        })
    }
}

/// The typed error for a final error answer.
fn status_error(
    method: String,
    path: String,
    status: u16,
    message: String,
    errors: Vec<FieldError>,
) -> ApiError {
    match status {
        401 => ApiError::Unauthorized { method, path },
        403 if message
            .to_ascii_lowercase()
            .contains("resource not accessible by integration") =>
        {
            ApiError::ReadOnlyToken { method, path }
        }
        409 => ApiError::Conflict {
            method,
            path,
            status,
            message,
        },
        _ => ApiError::Status {
            method,
            path,
            status,
            message,
            errors,
        },
    }
}

/// `owner/name`, with GitHub's allowed characters.
fn parse_repository(repository: &str) -> Result<(String, String), ApiError> {
    let valid = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match repository.trim().split_once('/') {
        Some((owner, name)) if valid(owner) && valid(name) => Ok((owner.into(), name.into())),
        _ => Err(ApiError::InvalidInput(format!(
            "repository `{repository}` is not `owner/name`; pass e.g. `octo-org/hello-world`"
        ))),
    }
}

/// Replaces (or adds) one query parameter.
pub(super) fn set_query(url: &mut Url, key: &str, value: &str) {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != key)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut pairs = url.query_pairs_mut();
    pairs.clear();
    for (k, v) in &kept {
        pairs.append_pair(k, v);
    }
    pairs.append_pair(key, value);
}

/// The error and its causes on one line: reqwest's top-level text ("error sending request")
/// says little, the cause ("connection refused") is what a reader needs.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::new(
            "https://api.github.com",
            Secret::new("ghs_unitTESTtoken123"),
            "octo-org/hello-world",
        )
        .unwrap()
    }

    #[test]
    fn repository_must_be_owner_slash_name() {
        for bad in ["", "octo", "/x", "x/", "a/b/c", "a b/c", "../x"] {
            let e = Client::new("https://api.github.com", Secret::new("t0ken-x"), bad).unwrap_err();
            assert!(e.is_usage(), "{bad}: {e}");
        }
    }

    #[test]
    fn bad_base_url_and_empty_token_are_usage_errors() {
        let e = Client::new("ftp://x", Secret::new("tok"), "o/r").unwrap_err();
        assert!(e.is_usage());
        let e = Client::new("https://api.github.com", Secret::new("  "), "o/r").unwrap_err();
        assert!(e.is_usage());
    }

    #[test]
    fn urls_keep_a_base_path_and_encode_segments() {
        let c = Client::new(
            "https://ghe.example.com/api/v3/",
            Secret::new("tok-abcdef"),
            "o/r",
        )
        .unwrap();
        let url = c.repo_url(["contents", "dir with space", "a#b"]).unwrap();
        assert_eq!(
            url.as_str(),
            "https://ghe.example.com/api/v3/repos/o/r/contents/dir%20with%20space/a%23b"
        );
    }

    #[test]
    fn per_page_is_replaced_not_duplicated() {
        let mut url = Url::parse("https://h/x?per_page=30&state=open").unwrap();
        set_query(&mut url, "per_page", "100");
        assert_eq!(url.query(), Some("state=open&per_page=100"));
    }

    #[test]
    fn pagination_links_must_stay_on_the_api_origin() {
        let c = client();
        assert!(
            c.same_origin("https://api.github.com/repositories/1/issues?page=2")
                .is_some()
        );
        assert!(c.same_origin("https://evil.example/x?page=2").is_none());
        assert!(c.same_origin("http://api.github.com/x").is_none());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let text = format!("{:?}", client());
        assert!(!text.contains("unitTESTtoken"), "{text}");
    }

    #[test]
    fn error_bodies_are_redacted() {
        let c = client();
        let (message, errors) = c.error_fields(
            422,
            br#"{"message":"bad ghs_unitTESTtoken123","errors":["token ghs_unitTESTtoken123"]}"#,
        );
        assert_eq!(message, "bad ***");
        assert_eq!(errors[0].message.as_deref(), Some("token ***"));
        let (message, _) = c.error_fields(502, b"<html>\n<h1>Bad gateway</h1>");
        assert_eq!(message, "<html>");
        let (message, _) = c.error_fields(503, b"");
        assert_eq!(message, "Service Unavailable");
    }
}
