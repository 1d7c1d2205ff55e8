//! When to try a GitHub request again, and how long to wait first. Pure: the client feeds it the
//! status, the headers and the clock, and sleeps for what it says.
//!
//! GitHub's rules ("Rate limits for the REST API", "Best practices for using the REST API"):
//! - a secondary rate limit answers 403 or 429; with `retry-after`, wait that many seconds;
//! - with `x-ratelimit-remaining: 0`, wait until `x-ratelimit-reset` (epoch seconds);
//! - otherwise wait at least one minute before retrying;
//! - 5xx and lost connections are worth a few retries with exponential backoff.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// How hard the client tries before giving up. Bounded everywhere: a CI job must not hang.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts for 5xx answers and network errors, the first one included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubled for each further one.
    pub base_delay: Duration,
    /// Cap of one backoff.
    pub max_delay: Duration,
    /// Total time one call may spend waiting for rate limits; a longer demand fails at once
    /// with [`ApiError::RateLimited`](super::ApiError::RateLimited) instead of sleeping.
    pub rate_limit_budget: Duration,
    /// The wait for a secondary rate limit that gives no hint (GitHub: "at least one minute").
    pub secondary_default_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            rate_limit_budget: Duration::from_secs(180),
            secondary_default_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The backoff after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// What an answer means for the retry loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 1xx–3xx: done.
    Success,
    /// A rate limit: wait this long, then send the same request again (it was not applied).
    RateLimited(Duration),
    /// 5xx: maybe retry with backoff (the request may or may not have been applied).
    ServerError,
    /// Any other 4xx: final.
    ClientError,
}

/// Never retry a rate limit sooner than this: a `retry-after: 0` loop would hammer GitHub.
const MIN_RATE_LIMIT_WAIT: Duration = Duration::from_secs(1);

/// Classifies an answer. `now_epoch` is the current Unix time in seconds, for
/// `x-ratelimit-reset`; `message` is GitHub's error `message`, if any.
pub fn classify(
    status: u16,
    headers: &HeaderMap,
    message: &str,
    now_epoch: u64,
    policy: &RetryPolicy,
) -> Verdict {
    if status < 400 {
        return Verdict::Success;
    }
    if status == 403 || status == 429 {
        if let Some(secs) = header_u64(headers, "retry-after") {
            return Verdict::RateLimited(Duration::from_secs(secs).max(MIN_RATE_LIMIT_WAIT));
        }
        if header_u64(headers, "x-ratelimit-remaining") == Some(0)
            && let Some(reset) = header_u64(headers, "x-ratelimit-reset")
        {
            // One extra second: the reset instant is rounded down to whole seconds.
            let wait = reset.saturating_sub(now_epoch).saturating_add(1);
            return Verdict::RateLimited(Duration::from_secs(wait).max(MIN_RATE_LIMIT_WAIT));
        }
        let lower = message.to_ascii_lowercase();
        if status == 429 || lower.contains("secondary rate limit") || lower.contains("abuse") {
            return Verdict::RateLimited(policy.secondary_default_wait.max(MIN_RATE_LIMIT_WAIT));
        }
        return Verdict::ClientError;
    }
    if status >= 500 {
        return Verdict::ServerError;
    }
    Verdict::ClientError
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_wins_for_403_and_429() {
        let p = RetryPolicy::default();
        for status in [403, 429] {
            assert_eq!(
                classify(status, &headers(&[("retry-after", "7")]), "", 0, &p),
                Verdict::RateLimited(Duration::from_secs(7))
            );
        }
    }

    #[test]
    fn zero_retry_after_still_waits_a_second() {
        let p = RetryPolicy::default();
        assert_eq!(
            classify(429, &headers(&[("retry-after", "0")]), "", 0, &p),
            Verdict::RateLimited(Duration::from_secs(1))
        );
    }

    #[test]
    fn primary_limit_waits_until_reset() {
        let p = RetryPolicy::default();
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1000"),
        ]);
        assert_eq!(
            classify(403, &h, "API rate limit exceeded", 990, &p),
            Verdict::RateLimited(Duration::from_secs(11))
        );
        // A reset in the past (clock skew) still waits the minimum.
        assert_eq!(
            classify(403, &h, "", 2000, &p),
            Verdict::RateLimited(Duration::from_secs(1))
        );
    }

    #[test]
    fn secondary_limit_without_hints_waits_the_default() {
        let p = RetryPolicy::default();
        let msg = "You have exceeded a secondary rate limit. Please wait a few minutes.";
        assert_eq!(
            classify(403, &HeaderMap::new(), msg, 0, &p),
            Verdict::RateLimited(Duration::from_secs(60))
        );
        assert_eq!(
            classify(429, &HeaderMap::new(), "", 0, &p),
            Verdict::RateLimited(Duration::from_secs(60))
        );
    }

    #[test]
    fn plain_403_and_4xx_are_final_5xx_retryable() {
        let p = RetryPolicy::default();
        let none = HeaderMap::new();
        assert_eq!(
            classify(403, &none, "Resource not accessible by integration", 0, &p),
            Verdict::ClientError
        );
        // Remaining quota left: a 403 is a permission problem, not a rate limit.
        let h = headers(&[("x-ratelimit-remaining", "4999")]);
        assert_eq!(classify(403, &h, "Forbidden", 0, &p), Verdict::ClientError);
        assert_eq!(classify(404, &none, "", 0, &p), Verdict::ClientError);
        assert_eq!(classify(502, &none, "", 0, &p), Verdict::ServerError);
        assert_eq!(classify(201, &none, "", 0, &p), Verdict::Success);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::from_secs(1));
        assert_eq!(p.backoff(2), Duration::from_secs(2));
        assert_eq!(p.backoff(3), Duration::from_secs(4));
        assert_eq!(p.backoff(10), Duration::from_secs(8));
        assert_eq!(p.backoff(200), Duration::from_secs(8));
    }
}
