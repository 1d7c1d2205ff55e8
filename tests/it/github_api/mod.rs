//! `github::api` against the stand-in GitHub: sticky comments, statuses on change, incident
//! issues, contents with SHA conflicts, read-only tokens, rate limits, pagination, redaction.

mod comments;
mod contents;
mod faults;
mod issues;
mod statuses;

use std::time::Duration;

use decoder_ops::github::api::{Client, RetryPolicy};
use decoder_ops::secret::Secret;

use crate::support::github::GitHub;

pub const SHA: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

/// Short waits so retries do not slow the suite; rate-limit waits stay real (seconds).
pub fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        rate_limit_budget: Duration::from_secs(10),
        secondary_default_wait: Duration::from_secs(1),
    }
}

pub fn client(gh: &GitHub) -> Client {
    Client::new(gh.base_url(), Secret::new(gh.token()), gh.repository())
        .unwrap()
        .with_retry_policy(fast())
}

/// Every request the client sent was an operation of the spec, with the headers GitHub expects.
pub fn assert_contract(gh: &GitHub) {
    assert!(
        gh.failed_requests()
            .iter()
            .all(|r| r.status == 404 || r.status == 409 || r.status == 422)
    );
    for r in gh.requests() {
        assert!(
            r.operation.is_some(),
            "not in the spec: {} {}",
            r.method,
            r.path
        );
        assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(r.header("x-github-api-version"), Some("2022-11-28"));
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {}", gh.token()).as_str())
        );
        assert!(
            r.header("user-agent")
                .is_some_and(|u| u.starts_with("decoder-ops/"))
        );
    }
}
