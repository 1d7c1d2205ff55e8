use super::*;
use crate::monitor::Suppression;

fn at(minute: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + minute * 60).unwrap()
}

fn event(check: &str, kind: EventKind) -> Event {
    Event {
        check: check.into(),
        kind,
        severity: Severity::Critical,
        detail: "x".repeat(2000),
        failing_since: Some(at(0)),
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn who(run: &str, minute: i64, exclusive: bool) -> Claimant<'_> {
    Claimant {
        run,
        now: at(minute),
        until: at(minute + 5),
        exclusive,
    }
}

#[test]
fn suppressed_events_and_empty_destinations_enqueue_nothing() {
    let mut o = Outbox::default();
    let suppressed = event(
        "a",
        EventKind::Suppressed {
            reason: Suppression::Parent("b".into()),
        },
    );
    assert_eq!(
        o.enqueue(&[suppressed], Context::default(), &names(&["ops"]), at(0))
            .0,
        None
    );
    let firing = event("a", EventKind::Firing);
    assert_eq!(o.enqueue(&[firing], Context::default(), &[], at(0)).0, None);
    assert!(o.pending.is_empty());
    assert_eq!(o.next_id, 0);
}

#[test]
fn entries_get_stable_ids_capped_alerts_and_short_details() {
    let mut o = Outbox::default();
    let events: Vec<Event> = (0..30)
        .map(|i| event(&format!("c{i}"), EventKind::Firing))
        .collect();
    let (id, dropped) = o.enqueue(&events, Context::default(), &names(&["ops", "dev"]), at(0));
    assert_eq!((id, dropped), (Some(0), vec![]));
    let resolved = event(
        "c0",
        EventKind::Resolved {
            down_for: SignedDuration::from_mins(50),
        },
    );
    assert_eq!(
        o.enqueue(&[resolved], Context::default(), &names(&["ops"]), at(1))
            .0,
        Some(1)
    );
    let first = o.get(0).unwrap();
    assert_eq!((first.alerts.len(), first.more), (MAX_ALERTS, 5));
    assert_eq!(
        first.alerts[0].detail,
        format!("{}…", "x".repeat(DETAIL_MAX))
    );
    assert_eq!(o.get(1).unwrap().alerts[0].down_for_seconds, Some(3000));
    // Settling one target keeps the entry for the other; ids are never reused.
    o.settle(0, "ops");
    assert_eq!(o.get(0).unwrap().targets.len(), 1);
    o.settle(0, "dev");
    o.settle(1, "ops");
    assert!(o.pending.is_empty());
    let again = o.enqueue(
        &[event("x", EventKind::Firing)],
        Context::default(),
        &names(&["ops"]),
        at(2),
    );
    assert_eq!(again.0, Some(2));
}

#[test]
fn claims_go_oldest_first_and_a_failure_stays_counted_and_unclaimed() {
    let mut o = Outbox::default();
    for m in 0..3 {
        o.enqueue(
            &[event("a", EventKind::Firing)],
            Context::default(),
            &names(&["ops", "dev"]),
            at(m),
        );
    }
    let claimed = o.claim(&who("r1", 10, true), &names(&["ops"]));
    assert_eq!(claimed.queues["ops"], vec![0, 1, 2]);
    assert_eq!(claimed.unavailable["dev"], 3);
    // The first fails: it stays, unclaimed, counted; the rest are given back untouched.
    o.fail(0, "ops", "Slack answered HTTP 503");
    o.release("r1");
    let t = &o.get(0).unwrap().targets[0];
    assert_eq!((t.failures, t.claim.is_none()), (1, true));
    assert!(
        o.pending
            .iter()
            .flat_map(|e| &e.targets)
            .all(|t| t.claim.is_none())
    );
    assert_eq!(o.waiting(), 6);
}

#[test]
fn a_live_claim_of_another_run_is_respected_in_order_unless_the_store_is_exclusive() {
    let mut o = Outbox::default();
    for m in 0..2 {
        o.enqueue(
            &[event("a", EventKind::Firing)],
            Context::default(),
            &names(&["ops"]),
            at(m),
        );
    }
    o.claim(&who("r1", 10, false), &names(&["ops"]));
    // Another run while r1's lease lasts: nothing for it, not even the later entry.
    let other = o.claim(&who("r2", 12, false), &names(&["ops"]));
    assert!(other.queues.is_empty());
    assert_eq!(other.busy, names(&["ops"]));
    // After the lease (r1 died), or with a lock that proves r1 is gone, it is taken over.
    assert_eq!(
        o.claim(&who("r2", 16, false), &names(&["ops"])).queues["ops"],
        vec![0, 1]
    );
    o.claim(&who("r1", 16, false), &names(&["ops"]));
    assert_eq!(
        o.claim(&who("r3", 17, true), &names(&["ops"])).queues["ops"],
        vec![0, 1]
    );
}

#[test]
fn old_entries_and_those_past_the_cap_are_dropped_with_a_reason() {
    let mut o = Outbox::default();
    for m in 0..(MAX_PENDING as i64 + 2) {
        o.enqueue(
            &[event("a", EventKind::Firing)],
            Context::default(),
            &names(&["ops"]),
            at(m),
        );
    }
    assert_eq!(o.pending.len(), MAX_PENDING);
    assert_eq!(o.pending[0].id, 2, "the two oldest went first");
    let week = MAX_AGE.as_secs() / 60;
    let dropped = o.expire(at(week + 4));
    assert_eq!(dropped.len(), 2);
    assert_eq!(dropped[0].reason, "older than 7 days");
    assert_eq!(dropped[0].destinations, names(&["ops"]));
}

#[test]
fn incident_numbers_attach_to_the_checks_of_an_entry() {
    let mut o = Outbox::default();
    let (id, _) = o.enqueue(
        &[event("api", EventKind::Firing)],
        Context::default(),
        &names(&["ops"]),
        at(0),
    );
    let id = id.unwrap();
    o.note_incidents(id, &[("api".into(), 7), ("db".into(), 8)]);
    assert_eq!(
        o.get(id).unwrap().incidents,
        BTreeMap::from([("api".to_owned(), 7)])
    );
}
