//! The alert rules, run by run, with an injected clock.

use jiff::{SignedDuration, Timestamp};

use super::machine::DETAIL_MAX;
use super::*;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + minutes * 60).unwrap()
}

fn obs(check: &str, health: Health) -> Observation {
    Observation {
        check: check.into(),
        health,
        severity: Severity::Critical,
        detail: format!("{check} is {}", health.as_str()),
        response_ms: Some(12.0),
        value: None,
    }
}

fn policies() -> Policies {
    Policies {
        default: AlertPolicy::default(),
        per_check: BTreeMap::new(),
        maintenance: Vec::new(),
        interval: SignedDuration::from_mins(15),
    }
}

/// Runs one observation of `health` per 15 minutes from minute `start`; returns each run's events.
fn runs(state: &mut State, p: &Policies, start: i64, seq: &[Health]) -> Vec<Vec<EventKind>> {
    seq.iter()
        .enumerate()
        .map(|(i, h)| {
            let step = step(state, &[obs("health", *h)], p, at(start + 15 * i as i64));
            step.events.into_iter().map(|e| e.kind).collect()
        })
        .collect()
}

use Health::{Down, Unknown, Up};

#[test]
fn exactly_one_alert_on_the_third_failure_and_one_resolved_after_two_successes() {
    let mut s = State::fresh();
    let p = policies();
    let got = runs(&mut s, &p, 0, &[Down, Down, Down, Down, Up, Up, Up]);
    assert_eq!(got[0], vec![]);
    assert_eq!(got[1], vec![]);
    assert_eq!(got[2], vec![EventKind::Firing]);
    assert_eq!(got[3], vec![], "no reminder without reminder-every");
    assert_eq!(got[4], vec![], "one success is not enough");
    assert_eq!(
        got[5],
        vec![EventKind::Resolved {
            down_for: SignedDuration::from_mins(75)
        }],
        "down from the first failure (minute 0) to the second success (minute 75)"
    );
    assert_eq!(got[6], vec![]);
    let c = &s.checks["health"];
    assert!(!c.firing && c.failing_since.is_none());
    assert_eq!(c.history.len(), 7);
}

#[test]
fn flapping_never_alerts() {
    let mut s = State::fresh();
    let got = runs(
        &mut s,
        &policies(),
        0,
        &[Down, Down, Up, Down, Down, Up, Down],
    );
    assert!(got.iter().all(Vec::is_empty), "{got:?}");
    assert_eq!(s.checks["health"].consecutive_failures, 1);
}

#[test]
fn unknown_changes_nothing_but_the_history() {
    let mut s = State::fresh();
    let got = runs(
        &mut s,
        &policies(),
        0,
        &[Down, Down, Unknown, Unknown, Down],
    );
    assert_eq!(got[4], vec![EventKind::Firing]);
    assert_eq!(s.checks["health"].history.len(), 5);
}

#[test]
fn reminders_only_after_the_interval() {
    let mut s = State::fresh();
    let mut p = policies();
    p.default.reminder_every = Some(SignedDuration::from_mins(40));
    let got = runs(
        &mut s,
        &p,
        0,
        &[Down, Down, Down, Down, Down, Down, Down, Down],
    );
    // Fires at minute 30 (run 2); the next run at least 40 minutes later is minute 75 (run 5);
    // the one after that would be minute 120, past the last run (105).
    let reminders: Vec<usize> = got
        .iter()
        .enumerate()
        .filter(|(_, e)| e.contains(&EventKind::Reminder))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(reminders, vec![5]);
    assert_eq!(s.checks["health"].last_notified, Some(at(75)));
}

#[test]
fn nothing_during_maintenance_and_the_alert_fires_after_it_if_still_down() {
    let mut s = State::fresh();
    let mut p = policies();
    p.maintenance.push(Maintenance::Once {
        name: "db-upgrade".into(),
        from: at(0),
        to: at(60),
    });
    let got = runs(&mut s, &p, 0, &[Down, Down, Down, Down, Down]);
    assert_eq!(got[0], vec![]);
    assert_eq!(
        got[2],
        vec![EventKind::Suppressed {
            reason: Suppression::Maintenance("db-upgrade".into())
        }]
    );
    assert!(matches!(got[3][0], EventKind::Suppressed { .. }));
    assert_eq!(
        got[4],
        vec![EventKind::Firing],
        "minute 60: the window is over"
    );
}

#[test]
fn a_recurring_window_follows_the_local_clock() {
    use crate::gate::window::ChangeWindow;
    let window =
        ChangeWindow::parse("Europe/Berlin", &["sun".into()], Some("02:00-03:00"), &[]).unwrap();
    let m = Maintenance::Recurring {
        name: "weekly".into(),
        window,
    };
    // Sunday 2026-11-22 02:30 in Berlin is 01:30 UTC (winter time).
    assert!(m.active("2026-11-22T01:30:00Z".parse().unwrap()));
    assert!(!m.active("2026-11-22T02:30:00Z".parse().unwrap()));
    // In summer (CEST) the same window is 00:00–01:00 UTC.
    assert!(m.active("2026-07-05T00:30:00Z".parse().unwrap()));
    assert!(
        !m.active("2026-07-06T00:30:00Z".parse().unwrap()),
        "a Monday"
    );
}

#[test]
fn children_are_suppressed_while_the_parent_fails() {
    let mut s = State::fresh();
    let mut p = policies();
    p.per_check.insert(
        "checkout".into(),
        AlertPolicy {
            depends_on: vec!["health".into()],
            ..AlertPolicy::default()
        },
    );
    let mut events = Vec::new();
    for i in 0..3 {
        let step = step(
            &mut s,
            &[obs("health", Down), obs("checkout", Down)],
            &p,
            at(15 * i),
        );
        events.push(step.events);
    }
    let last: Vec<(&str, &EventKind)> = events[2]
        .iter()
        .map(|e| (e.check.as_str(), &e.kind))
        .collect();
    assert_eq!(
        last,
        vec![
            ("health", &EventKind::Firing),
            (
                "checkout",
                &EventKind::Suppressed {
                    reason: Suppression::Parent("health".into())
                }
            )
        ]
    );
    // The parent recovers, the child is still down: now the child alerts.
    step(
        &mut s,
        &[obs("health", Up), obs("checkout", Down)],
        &p,
        at(45),
    );
    let e = step(
        &mut s,
        &[obs("health", Up), obs("checkout", Down)],
        &p,
        at(60),
    )
    .events;
    let kinds: Vec<(&str, &EventKind)> = e.iter().map(|e| (e.check.as_str(), &e.kind)).collect();
    assert_eq!(kinds[0].0, "health");
    assert!(matches!(kinds[0].1, EventKind::Resolved { .. }));
    assert_eq!(kinds[1], ("checkout", &EventKind::Firing));
}

#[test]
fn resolved_can_be_silenced_and_severity_follows_the_latest_failure() {
    let mut s = State::fresh();
    let mut p = policies();
    p.default.send_on_resolved = false;
    p.default.failure_threshold = 1;
    p.default.success_threshold = 1;
    let mut warn = obs("health", Down);
    warn.severity = Severity::Warning;
    let e = step(&mut s, &[warn], &p, at(0)).events;
    assert_eq!(e[0].severity, Severity::Warning);
    assert!(
        step(&mut s, &[obs("health", Up)], &p, at(15))
            .events
            .is_empty()
    );
    assert!(!s.checks["health"].firing);
}

#[test]
fn the_watchdog_reports_a_gap_longer_than_twice_the_interval() {
    let mut s = State::fresh();
    let p = policies();
    assert!(
        step(&mut s, &[obs("health", Up)], &p, at(0))
            .blind
            .is_none()
    );
    assert!(
        step(&mut s, &[obs("health", Up)], &p, at(30))
            .blind
            .is_none(),
        "exactly 2x is fine"
    );
    let blind = step(&mut s, &[obs("health", Up)], &p, at(150))
        .blind
        .unwrap();
    assert_eq!((blind.from, blind.to), (at(30), at(150)));
    assert_eq!(s.blind, vec![blind]);
    assert_eq!(s.runs.len(), 3);
}

#[test]
fn checks_not_observed_are_kept_and_history_is_capped() {
    let mut s = State::fresh();
    let p = policies();
    step(&mut s, &[obs("old", Down)], &p, at(0));
    for i in 1..=(state::MAX_HISTORY as i64 + 10) {
        step(&mut s, &[obs("health", Up)], &p, at(15 * i));
    }
    assert_eq!(s.checks["old"].consecutive_failures, 1);
    assert_eq!(s.checks["old"].history.len(), 1);
    assert_eq!(s.checks["health"].history.len(), state::MAX_HISTORY);
    assert_eq!(s.runs.len(), state::MAX_RUNS);
    let json = s.to_json();
    assert_eq!(State::from_json(&json).unwrap(), s);
}

#[test]
fn the_stored_failure_detail_is_capped() {
    let mut s = State::fresh();
    let mut o = obs("health", Down);
    o.detail = "x".repeat(DETAIL_MAX * 50);
    step(&mut s, &[o], &policies(), at(0));
    let detail = &s.checks["health"].last_detail;
    assert!(
        detail.len() <= DETAIL_MAX + '…'.len_utf8(),
        "{}",
        detail.len()
    );
    assert!(detail.ends_with('…'));
}
