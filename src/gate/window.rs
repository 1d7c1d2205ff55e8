//! Change windows: may a production change happen now? Allowed weekdays and hours in an IANA
//! time zone, plus blackout date ranges (holiday freezes), evaluated at the moment the job runs.
//!
//! The civil time is computed in the window's zone for the instant being judged, so daylight
//! saving changes need no special case: 09:30 in New York is 13:30 UTC in summer and 14:30 UTC
//! in winter, and a window of 09:00–17:00 follows the clock on the wall. A rollback is never
//! blocked by a window (the caller skips it for `--purpose rollback`).

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::Serialize;

/// A blackout: no changes from `from` to `to`, both days included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blackout {
    pub from: Date,
    pub to: Date,
    pub reason: Option<String>,
}

/// When changes are allowed.
#[derive(Debug, Clone)]
pub struct ChangeWindow {
    pub zone_name: String,
    pub zone: TimeZone,
    /// Allowed weekdays; empty means every day.
    pub days: Vec<Weekday>,
    /// Allowed hours `[start, end)` in the zone; `None` means all day. `end <= start` wraps past
    /// midnight (22:00–02:00).
    pub hours: Option<(Time, Time)>,
    pub blackouts: Vec<Blackout>,
}

/// The judgement of one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowResult {
    pub allowed: bool,
    /// The local time judged, e.g. `2026-03-09T09:30:00-04:00[America/New_York]`.
    pub local_time: String,
    /// Why it is (not) allowed, for people.
    pub reason: String,
}

/// Errors in a window's definition; the caller adds the config location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error(
        "unknown time zone `{0}`: use an IANA name such as `Europe/Berlin` or `America/New_York`"
    )]
    Zone(String),
    #[error("invalid weekday `{0}`: use mon, tue, wed, thu, fri, sat or sun")]
    Weekday(String),
    #[error("invalid hours `{0}`: expected `HH:MM-HH:MM`, e.g. `09:00-17:00`")]
    Hours(String),
    #[error("invalid date `{0}`: expected `YYYY-MM-DD`")]
    Date(String),
    #[error("blackout from {from} to {to} ends before it starts")]
    Reversed { from: Date, to: Date },
}

impl ChangeWindow {
    /// Builds a window from the strings of the config file.
    pub fn parse(
        zone: &str,
        days: &[String],
        hours: Option<&str>,
        blackouts: &[(String, String, Option<String>)],
    ) -> Result<ChangeWindow, WindowError> {
        let tz = TimeZone::get(zone).map_err(|_| WindowError::Zone(zone.to_owned()))?;
        let days = days
            .iter()
            .map(|d| parse_weekday(d))
            .collect::<Result<Vec<_>, _>>()?;
        let hours = hours.map(parse_hours).transpose()?;
        let blackouts = blackouts
            .iter()
            .map(|(from, to, reason)| {
                let from: Date = from.parse().map_err(|_| WindowError::Date(from.clone()))?;
                let to: Date = to.parse().map_err(|_| WindowError::Date(to.clone()))?;
                if to < from {
                    return Err(WindowError::Reversed { from, to });
                }
                Ok(Blackout {
                    from,
                    to,
                    reason: reason.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ChangeWindow {
            zone_name: zone.to_owned(),
            zone: tz,
            days,
            hours,
            blackouts,
        })
    }

    /// Whether a change may happen at `now`.
    pub fn evaluate(&self, now: Timestamp) -> WindowResult {
        let local: Zoned = now.to_zoned(self.zone.clone());
        let local_time = local.to_string();
        let date = local.date();
        if let Some(b) = self
            .blackouts
            .iter()
            .find(|b| b.from <= date && date <= b.to)
        {
            let why = b
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            return WindowResult {
                allowed: false,
                local_time,
                reason: format!("{date} is inside the blackout {} to {}{why}", b.from, b.to),
            };
        }
        let weekday = local.weekday();
        if !self.days.is_empty() && !self.days.contains(&weekday) {
            let allowed: Vec<&str> = self.days.iter().map(|d| weekday_name(*d)).collect();
            return WindowResult {
                allowed: false,
                local_time,
                reason: format!(
                    "{} is not a change day (allowed: {})",
                    weekday_name(weekday),
                    allowed.join(", ")
                ),
            };
        }
        if let Some((start, end)) = self.hours {
            let t = local.time();
            let inside = if start < end {
                start <= t && t < end
            } else {
                t >= start || t < end
            };
            if !inside {
                return WindowResult {
                    allowed: false,
                    local_time,
                    reason: format!(
                        "{} is outside the change hours {}–{} {}",
                        hm(t),
                        hm(start),
                        hm(end),
                        self.zone_name
                    ),
                };
            }
        }
        WindowResult {
            allowed: true,
            local_time,
            reason: format!("inside the change window ({})", self.zone_name),
        }
    }
}

fn parse_weekday(s: &str) -> Result<Weekday, WindowError> {
    Ok(match s.trim().to_ascii_lowercase().get(..3) {
        Some("mon") => Weekday::Monday,
        Some("tue") => Weekday::Tuesday,
        Some("wed") => Weekday::Wednesday,
        Some("thu") => Weekday::Thursday,
        Some("fri") => Weekday::Friday,
        Some("sat") => Weekday::Saturday,
        Some("sun") => Weekday::Sunday,
        _ => return Err(WindowError::Weekday(s.to_owned())),
    })
}

fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

fn parse_hours(s: &str) -> Result<(Time, Time), WindowError> {
    let bad = || WindowError::Hours(s.to_owned());
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| -> Result<Time, WindowError> {
        let (h, m) = t.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h == 24 && m == 0 {
            return Ok(Time::MAX);
        }
        Time::new(h, m, 0, 0).map_err(|_| bad())
    };
    let (start, end) = (time(a)?, time(b)?);
    if start == end {
        return Err(bad());
    }
    Ok((start, end))
}

fn hm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(zone: &str, hours: &str) -> ChangeWindow {
        let days: Vec<String> = ["mon", "tue", "wed", "thu", "fri"]
            .map(String::from)
            .to_vec();
        let blackouts = vec![(
            "2026-12-21".to_owned(),
            "2027-01-04".to_owned(),
            Some("holiday freeze".to_owned()),
        )];
        ChangeWindow::parse(zone, &days, Some(hours), &blackouts).unwrap()
    }

    fn at(ts: &str) -> Timestamp {
        ts.parse().unwrap()
    }

    #[test]
    fn the_window_follows_the_wall_clock_across_dst_in_new_york() {
        let w = window("America/New_York", "09:00-17:00");
        // Monday 2026-03-09, the day after spring-forward: 13:30 UTC is 09:30 EDT (UTC-4).
        let r = w.evaluate(at("2026-03-09T13:30:00Z"));
        assert!(r.allowed, "{r:?}");
        assert!(
            r.local_time.starts_with("2026-03-09T09:30:00-04:00"),
            "{}",
            r.local_time
        );
        // The Monday before, still EST (UTC-5): the same UTC time is 08:30, before the window.
        let r = w.evaluate(at("2026-03-02T13:30:00Z"));
        assert!(
            !r.allowed
                && r.reason
                    .contains("08:30 is outside the change hours 09:00–17:00"),
            "{r:?}"
        );
        // Monday 2026-11-02, after fall-back (EST again): 13:30 UTC is 08:30.
        assert!(!w.evaluate(at("2026-11-02T13:30:00Z")).allowed);
        assert!(w.evaluate(at("2026-11-02T14:30:00Z")).allowed);
    }

    #[test]
    fn weekdays_are_judged_in_the_windows_zone_not_utc() {
        // Friday 23:30 UTC is already Saturday 08:30 in Tokyo.
        let w = window("Asia/Tokyo", "08:00-18:00");
        let r = w.evaluate(at("2026-11-20T23:30:00Z"));
        assert!(
            !r.allowed && r.reason.starts_with("sat is not a change day"),
            "{r:?}"
        );
        // And Sunday 23:30 UTC is Monday morning there.
        assert!(w.evaluate(at("2026-11-22T23:30:00Z")).allowed);
    }

    #[test]
    fn blackouts_include_both_ends_in_local_dates() {
        let w = window("Europe/Berlin", "00:00-24:00");
        // 2027-01-04 23:30 in Berlin is 22:30 UTC: still the last day of the freeze.
        let r = w.evaluate(at("2027-01-04T22:30:00Z"));
        assert!(!r.allowed && r.reason.contains("holiday freeze"), "{r:?}");
        // Half an hour later it is Tuesday 2027-01-05 in Berlin: allowed.
        assert!(w.evaluate(at("2027-01-04T23:30:00Z")).allowed);
    }

    #[test]
    fn hours_may_wrap_past_midnight() {
        let w = ChangeWindow::parse("UTC", &[], Some("22:00-02:00"), &[]).unwrap();
        assert!(w.evaluate(at("2026-11-23T23:00:00Z")).allowed);
        assert!(w.evaluate(at("2026-11-24T01:59:00Z")).allowed);
        assert!(!w.evaluate(at("2026-11-24T02:00:00Z")).allowed);
    }

    #[test]
    fn bad_definitions_say_what_is_expected() {
        let err = |z: &str, d: &[&str], h: Option<&str>, b: &[(&str, &str)]| {
            let days: Vec<String> = d.iter().map(|s| s.to_string()).collect();
            let b: Vec<_> = b
                .iter()
                .map(|(f, t)| (f.to_string(), t.to_string(), None))
                .collect();
            ChangeWindow::parse(z, &days, h, &b)
                .unwrap_err()
                .to_string()
        };
        assert!(err("Mars/Olympus", &[], None, &[]).contains("unknown time zone `Mars/Olympus`"));
        assert!(err("UTC", &["funday"], None, &[]).contains("invalid weekday `funday`"));
        assert!(err("UTC", &[], Some("9-5"), &[]).contains("expected `HH:MM-HH:MM`"));
        assert!(
            err("UTC", &[], None, &[("2026-12-31", "2026-12-01")])
                .contains("ends before it starts")
        );
        assert!(err("UTC", &[], None, &[("31/12/2026", "2027-01-01")]).contains("invalid date"));
    }
}
