//! The HTTP core of the GitHub client: construction, authentication, the retry loop, error
//! mapping (pagination is in `paginate`). The operation files (`comments`, `statuses`, …) only
//! build URLs and bodies and call [`Client::json`] / [`Client::get_pages`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use super::error::{self, ApiError};
use super::retry::{self, RetryPolicy, Verdict};
use crate::secret::{Redactor, Secret};

/// The REST API version this client is written against (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A GitHub REST client bound to one repository and one token.
#[derive(Clone)]
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
        if !base.username().is_empty() || base.password().is_some() {
            return Err(ApiError::InvalidInput(
                "api url must not carry credentials; the token is passed separately".into(),
            ));
        }
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
            .map_err(|e| {
                ApiError::Setup(redactor.redact(&crate::error::chain(&e.without_url())))
            })?;
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

    pub(super) fn base(&self) -> &Url {
        &self.base
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
                    let message = self.redactor.redact(&crate::error::chain(&e.without_url()));
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
            let (message, errors) = error::parse_body(status, &body, &self.redactor);
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
                        return Err(error::from_answer(m, path, status, message, errors));
                    }
                }
                Verdict::ClientError => {
                    return Err(error::from_answer(m, path, status, message, errors));
                }
            }
        }
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
        let e = Client::new(
            "https://u:ghp_inURL1234@ghe.example",
            Secret::new("tok"),
            "o/r",
        )
        .unwrap_err();
        assert!(
            e.is_usage() && !e.to_string().contains("ghp_inURL1234"),
            "{e}"
        );
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
    fn debug_never_shows_the_token() {
        let text = format!("{:?}", client());
        assert!(!text.contains("unitTESTtoken"), "{text}");
    }
}
