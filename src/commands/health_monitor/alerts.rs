//! One grouped message per run: newly firing, still firing (reminders) and resolved alerts
//! together — never one message per check, so a shared outage is one notification, not forty.
//! It is made from an outbox entry when it is sent, so a message that waited for a later run
//! still says what was seen when, and links the run that saw it.

use jiff::{SignedDuration, Timestamp};

use crate::monitor::Severity;
use crate::monitor::outbox::{Alert, AlertKind, Pending};
use crate::notify::{EventKind as MessageEvent, Field, Link, Message, Origin, Status};

/// A message sent this much later than its run decided it says so.
const LATE: SignedDuration = SignedDuration::from_mins(1);

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

/// The message of an outbox entry, sent at `now`. The context fields (repository, commit …)
/// are this run's; the times, the run link and the alerts are the entry's.
pub fn message(entry: &Pending, origin: &Origin, now: Timestamp) -> Message {
    let of = |kind: AlertKind| -> Vec<&Alert> {
        entry.alerts.iter().filter(|a| a.kind == kind).collect()
    };
    let (firing, reminders, resolved) = (
        of(AlertKind::Firing),
        of(AlertKind::Reminder),
        of(AlertKind::Resolved),
    );
    let worst = firing
        .iter()
        .chain(&reminders)
        .map(|a| a.severity)
        .min_by_key(|s| rank(*s));
    let status = match worst {
        Some(Severity::Critical | Severity::High) => Status::Critical,
        Some(Severity::Warning | Severity::Info) => Status::Warning,
        None => Status::Resolved,
    };
    let on = entry
        .environment
        .as_deref()
        .map(|e| format!(" on {e}"))
        .unwrap_or_default();
    let mut lines = lines(&firing, &reminders, &resolved, entry.at);
    let extra = lines.len().saturating_sub(MAX_LINES) + entry.more;
    lines.truncate(MAX_LINES);
    if extra > 0 {
        lines.push(format!("… and {extra} more (see the run's summary)"));
    }
    if now.duration_since(entry.at) >= LATE {
        lines.push(format!(
            "⏱ Seen at {}; sent late because earlier deliveries did not get through.",
            entry.at.strftime("%Y-%m-%d %H:%M UTC")
        ));
    }
    Message {
        status,
        event: MessageEvent::Health,
        title: title(&firing, &reminders, &resolved, &on),
        text: lines.join("\n"),
        fields: fields(firing.len(), reminders.len(), resolved.len()),
        links: links(entry, origin),
        environment: entry.environment.clone(),
        origin: origin.clone(),
        timestamp: entry.at,
    }
}

fn title(firing: &[&Alert], reminders: &[&Alert], resolved: &[&Alert], on: &str) -> String {
    let names = |list: &[&Alert]| {
        list.iter()
            .map(|e| e.check.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (firing.len(), reminders.len(), resolved.len()) {
        (0, 0, _) => format!("Resolved{on}: {}", names(resolved)),
        (f, 0, 0) => format!("{f} alert{} firing{on}: {}", plural(f), names(firing)),
        (0, _, 0) => format!("Still firing{on}: {}", names(reminders)),
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
    }
}

fn lines(
    firing: &[&Alert],
    reminders: &[&Alert],
    resolved: &[&Alert],
    at: Timestamp,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (label, list) in [("🔴 FIRING", firing), ("🔁 STILL FIRING", reminders)] {
        for a in list {
            lines.push(format!(
                "{label} {} [{}] {}{}",
                a.check,
                a.severity.as_str(),
                a.detail,
                since(a.failing_since, at)
            ));
        }
    }
    for a in resolved {
        let down_for = SignedDuration::from_secs(a.down_for_seconds.unwrap_or(0));
        lines.push(format!(
            "💚 RESOLVED {} — was down for {}",
            a.check,
            human(down_for)
        ));
    }
    lines
}

fn fields(firing: usize, reminders: usize, resolved: usize) -> Vec<Field> {
    [
        ("Firing", firing),
        ("Still firing", reminders),
        ("Resolved", resolved),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(label, n)| Field {
        name: label.into(),
        value: n.to_string(),
    })
    .collect()
}

/// The entry's incident issues (at most five), then the run that saw it.
fn links(entry: &Pending, origin: &Origin) -> Vec<Link> {
    let mut links: Vec<Link> = match origin.repository_url() {
        Some(repo) => entry
            .incidents
            .iter()
            .take(5)
            .map(|(check, number)| Link {
                label: format!("Incident: {check}"),
                url: format!("{repo}/issues/{number}"),
            })
            .collect(),
        None => Vec::new(),
    };
    if let Some(url) = &entry.run_url {
        links.push(Link {
            label: "Monitoring run".into(),
            url: url.clone(),
        });
    }
    links
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
    use crate::monitor::outbox::{Context, Outbox};
    use crate::monitor::{Event, EventKind, Suppression};

    fn event(check: &str, kind: EventKind, severity: Severity) -> Event {
        Event {
            check: check.into(),
            kind,
            severity,
            detail: "status 503, expected 200..299".into(),
            failing_since: Some("2026-11-23T10:00:00Z".parse().unwrap()),
        }
    }

    fn entry(events: &[Event], environment: Option<&str>, at: Timestamp) -> Pending {
        let mut outbox = Outbox::default();
        let context = Context {
            at: Some(at),
            environment: environment.map(str::to_owned),
            run_url: Some("https://github.com/acme/shop/actions/runs/7".into()),
        };
        let (id, _) = outbox.enqueue(events, context, &["ops".into()], at);
        outbox.get(id.unwrap()).unwrap().clone()
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
                    reason: Suppression::Parent("health".into()),
                },
                Severity::Critical,
            ),
        ];
        let origin = Origin::default();
        let m = message(&entry(&events, Some("production"), now), &origin, now);
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
        assert!(
            !m.text.contains("child") && !m.text.contains("late"),
            "{}",
            m.text
        );
        assert_eq!(m.links[0].label, "Monitoring run");
        let resolved = message(&entry(&events[2..3], None, now), &origin, now);
        assert_eq!(resolved.status, Status::Resolved);
        assert_eq!(resolved.title, "Resolved: db");
    }

    #[test]
    fn a_late_message_keeps_its_times_and_links_its_incident() {
        let seen: Timestamp = "2026-11-23T10:45:00Z".parse().unwrap();
        let mut e = entry(
            &[event("api", EventKind::Firing, Severity::High)],
            None,
            seen,
        );
        e.incidents.insert("api".into(), 12);
        let origin = Origin {
            server_url: Some("https://github.com".into()),
            repository: Some("acme/shop".into()),
            ..Origin::default()
        };
        let later = seen.checked_add(SignedDuration::from_mins(30)).unwrap();
        let m = message(&e, &origin, later);
        assert!(
            m.text.contains("(45m ago)"),
            "as of when it was seen: {}",
            m.text
        );
        assert!(
            m.text.contains("⏱ Seen at 2026-11-23 10:45 UTC; sent late"),
            "{}",
            m.text
        );
        assert_eq!(m.timestamp, seen);
        assert_eq!(m.links[0].url, "https://github.com/acme/shop/issues/12");
        assert_eq!(
            m.links[1].url,
            "https://github.com/acme/shop/actions/runs/7"
        );
    }
}
