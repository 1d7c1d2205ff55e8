//! How long to wait before the next attempt: what a 429 asks for (RFC 9110 §10.2.3
//! `Retry-After`, delta-seconds or an HTTP date; Slack's and Discord's JSON `retry_after`), and
//! exponential backoff for 5xx and network errors. Every wait gets random jitter on top — never
//! taken off: a retry never comes earlier than the server asked.

use std::time::{Duration, SystemTime};

/// First backoff after a 5xx or a network error; doubled each attempt, capped at [`MAX_BACKOFF`].
const BASE_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The shortest wait after a 429, so a server that says "0" (or a date just passed) is not
/// hammered.
const MIN_RATE_WAIT: Duration = Duration::from_millis(100);
/// The most jitter added to a 429's wait.
const MAX_RATE_JITTER: Duration = Duration::from_millis(500);
/// No server gets to park a run for longer than this per answer.
const MAX_RATE_WAIT: Duration = Duration::from_secs(3600);

/// The wait a 429 asks for: `Retry-After` (seconds, fractional accepted, or an HTTP date such as
/// `Sun, 06 Nov 1994 08:49:37 GMT`), and the JSON body's `retry_after` (seconds; Discord sends a
/// float). The longer of those given; `None` when neither says.
pub fn retry_after(
    headers: &reqwest::header::HeaderMap,
    body: &str,
    now: SystemTime,
) -> Option<Duration> {
    let header = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| header_wait(v, now));
    let from_body = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("retry_after")?.as_f64())
        .and_then(seconds);
    match (header, from_body) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn seconds(secs: f64) -> Option<Duration> {
    (secs.is_finite() && secs >= 0.0)
        .then(|| Duration::from_secs_f64(secs.min(MAX_RATE_WAIT.as_secs_f64())))
}

/// One `Retry-After` value: delta-seconds, else an HTTP date (IMF-fixdate, or the RFC 2822 forms
/// it is a profile of). A date in the past asks for no wait at all.
fn header_wait(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let date = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let now = jiff::Timestamp::try_from(now).ok()?;
    let wait = Duration::try_from(date.duration_since(now)).unwrap_or(Duration::ZERO);
    Some(wait.min(MAX_RATE_WAIT))
}

/// The wait after a 429 that asked for `asked` (1 s when it did not say): at least that, plus up
/// to a twentieth more (at most 0.5 s), so clients limited together do not come back together —
/// and a storm paced by one-second waits still takes close to one second a message.
pub fn rate_limit_wait(asked: Option<Duration>) -> Duration {
    let asked = asked.unwrap_or(Duration::from_secs(1)).max(MIN_RATE_WAIT);
    asked + (asked / 20).min(MAX_RATE_JITTER).mul_f64(random_fraction())
}

/// Exponential backoff with jitter: 0.5 s, 1 s, 2 s … up to 8 s, each plus up to half again.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: BASE_BACKOFF }
    }
}

impl Backoff {
    pub fn next_wait(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        d + d.mul_f64(random_fraction() / 2.0)
    }
}

/// A random number in [0, 1]; 0 when the system has no randomness to give.
fn random_fraction() -> f64 {
    let mut bytes = [0u8; 2];
    getrandom::fill(&mut bytes)
        .map(|()| f64::from(u16::from_le_bytes(bytes)) / f64::from(u16::MAX))
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn header(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("retry-after", value.parse().unwrap());
        h
    }

    #[test]
    fn retry_after_prefers_the_longer_of_header_and_body() {
        let now = at(1_700_000_000);
        assert_eq!(
            retry_after(&HeaderMap::new(), r#"{"retry_after": 0.35}"#, now),
            Some(Duration::from_millis(350))
        );
        assert_eq!(
            retry_after(&header("2"), "rate_limited", now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&header("2"), r#"{"retry_after": 3.5}"#, now),
            Some(Duration::from_millis(3500))
        );
        assert_eq!(retry_after(&HeaderMap::new(), "x", now), None);
        assert_eq!(retry_after(&header("soon"), "x", now), None);
        assert_eq!(retry_after(&header("-1"), "x", now), None);
    }

    #[test]
    fn retry_after_reads_an_http_date() {
        // 1994-11-06T08:49:37Z is RFC 9110's own example.
        let now = at(784_111_777 - 3) + Duration::from_millis(250);
        assert_eq!(
            retry_after(&header("Sun, 06 Nov 1994 08:49:37 GMT"), "", now),
            Some(Duration::from_millis(2750))
        );
        assert_eq!(
            retry_after(&header("Sun, 06 Nov 1994 08:49:37 +0000"), "", now),
            Some(Duration::from_millis(2750)),
            "the RFC 2822 form"
        );
        assert_eq!(
            retry_after(&header("Sun, 06 Nov 1994 08:49:30 GMT"), "", now),
            Some(Duration::ZERO),
            "a date passed asks for no wait"
        );
        assert_eq!(
            retry_after(
                &header("Sun, 06 Nov 1994 08:49:37 GMT"),
                r#"{"retry_after": 5}"#,
                now
            ),
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn waits_are_never_shorter_than_asked_and_the_jitter_is_bounded() {
        for _ in 0..200 {
            let w = rate_limit_wait(Some(Duration::from_secs(2)));
            assert!(
                w >= Duration::from_secs(2) && w <= Duration::from_millis(2200),
                "{w:?}"
            );
            let w = rate_limit_wait(Some(Duration::from_secs(60)));
            assert!(w <= Duration::from_secs(61), "{w:?}");
            let w = rate_limit_wait(Some(Duration::ZERO));
            assert!(w >= MIN_RATE_WAIT && w <= MIN_RATE_WAIT * 11 / 10, "{w:?}");
            let w = rate_limit_wait(None);
            assert!(w >= Duration::from_secs(1), "{w:?}");
        }
        let waits: Vec<Duration> = (0..50)
            .map(|_| rate_limit_wait(Some(Duration::from_secs(2))))
            .collect();
        assert!(
            waits.iter().any(|w| *w > Duration::from_secs(2))
                && waits.iter().any(|w| *w != waits[0]),
            "jitter is added: {waits:?}"
        );
        let mut b = Backoff::default();
        let waits: Vec<Duration> = (0..6).map(|_| b.next_wait()).collect();
        for (w, base) in waits.iter().zip([500u64, 1000, 2000, 4000, 8000, 8000]) {
            let base = Duration::from_millis(base);
            assert!(*w >= base && *w <= base * 3 / 2, "{w:?} for {base:?}");
        }
    }
}
