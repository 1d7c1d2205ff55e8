//! Uptime over the stored history, weighted by time, with blind time left out.
//!
//! Each sample stands for the time until the next one (or until now). A gap longer than twice
//! the interval means monitoring did not run: only the first interval of it is credited to the
//! sample, the rest is blind. Unknown samples are blind too. Uptime is up / (up + down): time
//! nobody looked at is never counted as up.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::Health;
use super::state::State;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uptime {
    pub up_seconds: i64,
    pub down_seconds: i64,
    pub blind_seconds: i64,
    /// Two decimals, rounded down; "100.00" only when nothing was down.
    pub percent: String,
}

/// Uptime of `check` from `since` to `now`; `None` when nothing was measured.
pub fn uptime(
    state: &State,
    check: &str,
    since: Timestamp,
    now: Timestamp,
    interval: SignedDuration,
) -> Option<Uptime> {
    let history = &state.checks.get(check)?.history;
    let limit = interval.checked_mul(2).unwrap_or(SignedDuration::MAX);
    let (mut up, mut down, mut blind) = (0i64, 0i64, 0i64);
    for (i, sample) in history.iter().enumerate() {
        let end = history.get(i + 1).map_or(now, |next| next.at).min(now);
        let start = sample.at.max(since);
        if end <= start {
            continue;
        }
        let span = end.duration_since(start).as_secs();
        let credited = if end.duration_since(sample.at) > limit {
            interval.as_secs().min(span)
        } else {
            span
        };
        match sample.health {
            Health::Up => up += credited,
            Health::Down => down += credited,
            Health::Unknown => blind += credited,
        }
        blind += span - credited;
    }
    let measured = up + down;
    if measured == 0 {
        return None;
    }
    let hundredths = (i128::from(up) * 10_000 / i128::from(measured)) as i64;
    Some(Uptime {
        up_seconds: up,
        down_seconds: down,
        blind_seconds: blind,
        percent: format!("{}.{:02}", hundredths / 100, hundredths % 100),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::Severity;
    use crate::monitor::state::{CheckState, Sample};

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minutes * 60).unwrap()
    }

    fn state(samples: &[(i64, Health)]) -> State {
        let mut s = State::fresh();
        let mut c = CheckState::new(Severity::Critical);
        c.history = samples
            .iter()
            .map(|&(m, health)| Sample {
                at: at(m),
                health,
                response_ms: None,
            })
            .collect();
        s.checks.insert("health".into(), c);
        s
    }

    #[test]
    fn a_two_hour_gap_is_blind_not_up() {
        let every = SignedDuration::from_mins(15);
        // Up every 15 minutes for an hour, then nothing for two hours, then down for 30 minutes.
        let s = state(&[
            (0, Health::Up),
            (15, Health::Up),
            (30, Health::Up),
            (45, Health::Up),
            (165, Health::Down),
            (180, Health::Down),
        ]);
        let u = uptime(&s, "health", at(0), at(195), every).unwrap();
        assert_eq!(u.up_seconds, 60 * 60);
        assert_eq!(u.blind_seconds, 105 * 60);
        assert_eq!(u.down_seconds, 30 * 60);
        assert_eq!(u.percent, "66.66");
    }

    #[test]
    fn never_one_hundred_unless_nothing_was_down_and_unknown_is_not_up() {
        let every = SignedDuration::from_mins(15);
        let mut samples: Vec<(i64, Health)> = (0..2000).map(|i| (i * 15, Health::Up)).collect();
        samples.push((30_000, Health::Down));
        let s = state(&samples);
        let u = uptime(&s, "health", at(0), at(30_001), every).unwrap();
        assert_eq!(u.percent, "99.99");
        let s = state(&[(0, Health::Up), (15, Health::Unknown), (30, Health::Up)]);
        let u = uptime(&s, "health", at(0), at(45), every).unwrap();
        assert_eq!(
            (u.up_seconds, u.blind_seconds, u.percent.as_str()),
            (1800, 900, "100.00")
        );
        assert!(
            uptime(
                &state(&[(0, Health::Unknown)]),
                "health",
                at(0),
                at(15),
                every
            )
            .is_none()
        );
        assert!(uptime(&s, "other", at(0), at(15), every).is_none());
    }

    #[test]
    fn only_time_after_since_counts() {
        let every = SignedDuration::from_mins(15);
        let s = state(&[(0, Health::Down), (15, Health::Up), (30, Health::Up)]);
        let u = uptime(&s, "health", at(15), at(45), every).unwrap();
        assert_eq!((u.up_seconds, u.down_seconds), (1800, 0));
    }
}
