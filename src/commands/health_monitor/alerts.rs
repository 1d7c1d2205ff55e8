//! One grouped message per run: newly firing, still firing (reminders) and resolved alerts
//! together — never one message per check, so a shared outage is one notification, not forty.

use jiff::{SignedDuration, Timestamp};

use crate::monitor::{Event, EventKind, Severity};
use crate::notify::{EventKind as MessageEvent, Field, Link, Message, Origin, Status};

/// Lines of a message before the rest is summarised as "… and N more".
const MAX_LINES: usize = 25;

/// `2h 5m`, `47m`, `30s`: how long something lasted, for people.
pub fn human(d: SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

fn since(at: Option<Timestamp>, now: Timestamp) -> String {
    match at {
        Some(t) => format!(
            " — failing since {} ({} ago)",
            t.strftime("%Y-%m-%d %H:%M UTC"),
            human(now.duration_since(t))
        ),
        None => String::new(),
    }
}

/// The message for the events that people should hear about (suppressed ones are left out), or
/// `None` when there is nothing to say.
pub fn message(
    events: &[Event],
    environment: Option<&str>,
    origin: &Origin,
    incident_links: &[(String, String)],
    now: Timestamp,
) -> Option<Message> {
    let firing: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Firing))
        .collect();
    let reminders: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Reminder))
        .collect();
    let resolved: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Resolved { .. }))
        .collect();
    if firing.is_empty() && reminders.is_empty() && resolved.is_empty() {
        return None;
    }
    let alerting: Vec<&&Event> = firing.iter().chain(reminders.iter()).collect();
    let worst = alerting.iter().map(|e| e.severity).min_by_key(|s| rank(*s));
    let status = match worst {
        Some(Severity::Critical | Severity::High) => Status::Critical,
        Some(Severity::Warning | Severity::Info) => Status::Warning,
        None => Status::Resolved,
    };
    let on = environment.map(|e| format!(" on {e}")).unwrap_or_default();
    let names = |list: &[&Event]| {
        list.iter()
            .map(|e| e.check.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let title = match (firing.len(), reminders.len(), resolved.len()) {
        (0, 0, _) => format!("Resolved{on}: {}", names(&resolved)),
        (f, 0, 0) => format!("{f} alert{} firing{on}: {}", plural(f), names(&firing)),
        (0, _, 0) => format!("Still firing{on}: {}", names(&reminders)),
        (f, r, s) => {
            let mut parts = Vec::new();
            if f > 0 {
                parts.push(format!("{f} firing"));
            }
            if r > 0 {
                parts.push(format!("{r} still firing"));
            }
            if s > 0 {
                parts.push(format!("{s} resolved"));
            }
            format!("Health{on}: {}", parts.join(", "))
        }
    };
    let mut lines = Vec::new();
    for e in &firing {
        lines.push(format!(
            "🔴 FIRING {} [{}] {}{}",
            e.check,
            e.severity.as_str(),
            e.detail,
            since(e.failing_since, now)
        ));
    }
    for e in &reminders {
        lines.push(format!(
            "🔁 STILL FIRING {} [{}] {}{}",
            e.check,
            e.severity.as_str(),
            e.detail,
            since(e.failing_since, now)
        ));
    }
    for e in &resolved {
        if let EventKind::Resolved { down_for } = e.kind {
            lines.push(format!(
                "💚 RESOLVED {} — was down for {}",
                e.check,
                human(down_for)
            ));
        }
    }
    let extra = lines.len().saturating_sub(MAX_LINES);
    lines.truncate(MAX_LINES);
    if extra > 0 {
        lines.push(format!("… and {extra} more (see the run's summary)"));
    }
    let mut fields = Vec::new();
    for (label, n) in [
        ("Firing", firing.len()),
        ("Still firing", reminders.len()),
        ("Resolved", resolved.len()),
    ] {
        if n > 0 {
            fields.push(Field {
                name: label.into(),
                value: n.to_string(),
            });
        }
    }
    let mut links: Vec<Link> = incident_links
        .iter()
        .take(5)
        .map(|(check, url)| Link {
            label: format!("Incident: {check}"),
            url: url.clone(),
        })
        .collect();
    if let Some(url) = origin.run_url() {
        links.push(Link {
            label: "Monitoring run".into(),
            url,
        });
    }
    Some(Message {
        status,
        event: MessageEvent::Health,
        title,
        text: lines.join("\n"),
        fields,
        links,
        environment: environment.map(str::to_owned),
        origin: origin.clone(),
        timestamp: now,
    })
}

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Warning => 2,
        Severity::Info => 3,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(check: &str, kind: EventKind, severity: Severity) -> Event {
        Event {
            check: check.into(),
            kind,
            severity,
            detail: "status 503, expected 200..299".into(),
            failing_since: Some("2026-11-23T10:00:00Z".parse().unwrap()),
        }
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human(SignedDuration::from_secs(30)), "30s");
        assert_eq!(human(SignedDuration::from_secs(47 * 60)), "47m");
        assert_eq!(human(SignedDuration::from_secs(7500)), "2h 5m");
        assert_eq!(human(SignedDuration::from_secs(7200)), "2h");
        assert_eq!(human(SignedDuration::from_secs(90_000)), "1d 1h");
    }

    #[test]
    fn one_message_groups_every_kind_and_leaves_suppressed_out() {
        let now: Timestamp = "2026-11-23T10:45:00Z".parse().unwrap();
        let events = [
            event("api", EventKind::Firing, Severity::Warning),
            event("health", EventKind::Firing, Severity::Critical),
            event(
                "db",
                EventKind::Resolved {
                    down_for: SignedDuration::from_secs(3000),
                },
                Severity::Critical,
            ),
            event(
                "child",
                EventKind::Suppressed {
                    reason: crate::monitor::Suppression::Parent("health".into()),
                },
                Severity::Critical,
            ),
        ];
        let m = message(&events, Some("production"), &Origin::default(), &[], now).unwrap();
        assert_eq!(m.status, Status::Critical);
        assert_eq!(m.title, "Health on production: 2 firing, 1 resolved");
        assert!(
            m.text.contains("🔴 FIRING health [critical] status 503"),
            "{}",
            m.text
        );
        assert!(
            m.text
                .contains("failing since 2026-11-23 10:00 UTC (45m ago)"),
            "{}",
            m.text
        );
        assert!(
            m.text.contains("💚 RESOLVED db — was down for 50m"),
            "{}",
            m.text
        );
        assert!(!m.text.contains("child"));
        let only_suppressed = &events[3..];
        assert!(message(only_suppressed, None, &Origin::default(), &[], now).is_none());
        let resolved = message(&events[2..3], None, &Origin::default(), &[], now).unwrap();
        assert_eq!(resolved.status, Status::Resolved);
        assert_eq!(resolved.title, "Resolved: db");
    }
}
