//! Errors of the GitHub REST client, typed by what a caller can do about them, and how an
//! error answer of GitHub (`basic-error`, `validation-error`) maps to them.
//!
//! Every message is built by the client after the token has been redacted from whatever the
//! server or the network layer said, so printing an [`ApiError`] never leaks the token.

use std::fmt;

use crate::secret::Redactor;

/// One entry of the `errors` array of GitHub's 422 "Validation Failed" answer
/// (`components/schemas/validation-error` in GitHub's OpenAPI description).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
pub struct FieldError {
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: Option<String>,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.resource, &self.field) {
            (Some(r), Some(field)) => write!(f, "{r}.{field}")?,
            (Some(r), None) => write!(f, "{r}")?,
            (None, Some(field)) => write!(f, "{field}")?,
            (None, None) => {}
        }
        if !self.code.is_empty() {
            write!(f, " {}", self.code)?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

/// What went wrong talking to GitHub.
///
/// `method` and `path` name the request (`PATCH /repos/o/r/issues/comments/7`); the host and the
/// query string are left out, the token never appears.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The caller passed something the client refuses before any request (exit 2).
    #[error("github api: {0}")]
    InvalidInput(String),

    /// The HTTP client could not be built (TLS setup); nothing was sent.
    #[error("github api: cannot set up the HTTP client: {0}")]
    Setup(String),

    /// 401: the token is missing, malformed, expired or revoked (exit 2: only new credentials help).
    #[error(
        "github api: {method} {path}: bad credentials (401): check the token passed to decoder-ops"
    )]
    Unauthorized { method: String, path: String },

    /// 403 "Resource not accessible by integration": the workflow token may read but not write.
    /// Pull requests from forks always get such a token; callers fall back to the job summary.
    #[error(
        "github api: {method} {path}: the token is read-only (403 resource not accessible by \
         integration); pull requests from forks get a read-only token, grant the job write \
         `permissions:` or report through the job summary"
    )]
    ReadOnlyToken { method: String, path: String },

    /// 409 (or a 422 about a stale blob `sha`): someone else changed the object first. Re-read it
    /// and retry.
    #[error("github api: {method} {path}: conflict ({status}): {message}; re-read and retry")]
    Conflict {
        method: String,
        path: String,
        status: u16,
        message: String,
    },

    /// A rate limit asked for a longer wait than the retry budget allows.
    #[error(
        "github api: {method} {path}: rate limited ({status}): GitHub asks to wait {wait_secs} s, \
         more than the remaining retry budget; run again later"
    )]
    RateLimited {
        method: String,
        path: String,
        status: u16,
        wait_secs: u64,
    },

    /// Any other error answer, after retries for 5xx. `errors` is GitHub's 422 detail list.
    #[error("github api: {method} {path}: {status} {message}{}", details(.errors))]
    Status {
        method: String,
        path: String,
        status: u16,
        message: String,
        errors: Vec<FieldError>,
    },

    /// The request never got an answer (connect, timeout, reset), after retries.
    #[error("github api: {method} {path}: {message} (after {attempts} attempts)")]
    Transport {
        method: String,
        path: String,
        message: String,
        attempts: u32,
    },

    /// The answer was not what GitHub's description promises.
    #[error("github api: {method} {path}: unexpected response: {message}")]
    Decode {
        method: String,
        path: String,
        message: String,
    },
}

fn details(errors: &[FieldError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!(" ({})", parts.join("; "))
}

impl ApiError {
    /// The caller's fault: fixing the invocation or the credentials helps, retrying does not.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ApiError::InvalidInput(_) | ApiError::Unauthorized { .. }
        )
    }

    /// The HTTP status GitHub answered with, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized { .. } => Some(401),
            ApiError::ReadOnlyToken { .. } => Some(403),
            ApiError::Conflict { status, .. }
            | ApiError::RateLimited { status, .. }
            | ApiError::Status { status, .. } => Some(*status),
            ApiError::InvalidInput(_)
            | ApiError::Setup(_)
            | ApiError::Transport { .. }
            | ApiError::Decode { .. } => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::Status { status: 404, .. })
    }

    /// A failure after which the request may or may not have been applied (5xx, lost answer):
    /// a non-idempotent write must look before it tries again.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Status { status, .. } => *status >= 500,
            ApiError::Transport { .. } => true,
            _ => false,
        }
    }

    /// GitHub's `message` (and 422 `errors[]`) mention `needle`, case-insensitively.
    pub(crate) fn mentions(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        match self {
            ApiError::Status {
                message, errors, ..
            } => {
                message.to_ascii_lowercase().contains(&needle)
                    || errors.iter().any(|e| {
                        e.to_string().to_ascii_lowercase().contains(&needle)
                            || e.field.as_deref() == Some(needle.as_str())
                    })
            }
            ApiError::Conflict { message, .. } => message.to_ascii_lowercase().contains(&needle),
            _ => false,
        }
    }
}

/// GitHub's `message` and `errors[]` from an error body, redacted; for a non-JSON body
/// (a proxy's HTML page) its first line, for an empty one the reason phrase.
pub(super) fn parse_body(
    status: u16,
    body: &[u8],
    redactor: &Redactor,
) -> (String, Vec<FieldError>) {
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
        redactor.redact(message.trim())
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
            resource: e.resource.map(|s| redactor.redact(&s)),
            field: e.field.map(|s| redactor.redact(&s)),
            code: redactor.redact(&e.code),
            message: e.message.map(|s| redactor.redact(&s)),
        })
        .collect();
    (message, errors)
}

/// The typed error for a final error answer.
pub(super) fn from_answer(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_details_are_listed() {
        let e = ApiError::Status {
            method: "POST".into(),
            path: "/repos/o/r/labels".into(),
            status: 422,
            message: "Validation Failed".into(),
            errors: vec![FieldError {
                resource: Some("Label".into()),
                field: Some("color".into()),
                code: "invalid".into(),
                message: None,
            }],
        };
        assert_eq!(
            e.to_string(),
            "github api: POST /repos/o/r/labels: 422 Validation Failed (Label.color invalid)"
        );
        assert!(e.mentions("color"));
        assert!(!e.is_transient());
    }

    #[test]
    fn classification() {
        let transport = ApiError::Transport {
            method: "GET".into(),
            path: "/".into(),
            message: "connection refused".into(),
            attempts: 3,
        };
        assert!(transport.is_transient());
        assert_eq!(transport.status(), None);
        assert!(ApiError::InvalidInput("x".into()).is_usage());
        let ro = ApiError::ReadOnlyToken {
            method: "POST".into(),
            path: "/".into(),
        };
        assert!(!ro.is_usage());
        assert_eq!(ro.status(), Some(403));
    }

    #[test]
    fn exit_codes_follow_the_readme_table() {
        use crate::{Error, ExitCode};
        let service = ApiError::ReadOnlyToken {
            method: "POST".into(),
            path: "/".into(),
        };
        assert_eq!(Error::from(service).exit_code(), ExitCode::Incomplete);
        let usage = ApiError::InvalidInput("repository `x` is not `owner/name`".into());
        assert_eq!(Error::from(usage).exit_code(), ExitCode::Invalid);
        let creds = ApiError::Unauthorized {
            method: "GET".into(),
            path: "/".into(),
        };
        assert_eq!(Error::from(creds).exit_code(), ExitCode::Invalid);
    }

    #[test]
    fn error_bodies_are_redacted() {
        let mut r = Redactor::new();
        r.add("ghs_unitTESTtoken123");
        let (message, errors) = parse_body(
            422,
            br#"{"message":"bad ghs_unitTESTtoken123","errors":["token ghs_unitTESTtoken123"]}"#,
            &r,
        );
        assert_eq!(message, "bad ***");
        assert_eq!(errors[0].message.as_deref(), Some("token ***"));
        let (message, _) = parse_body(502, b"<html>\n<h1>Bad gateway</h1>", &r);
        assert_eq!(message, "<html>");
        let (message, _) = parse_body(503, b"", &r);
        assert_eq!(message, "Service Unavailable");
    }
}
