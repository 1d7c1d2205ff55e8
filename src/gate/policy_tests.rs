//! The policy evaluation against hand-built evidence.

use super::*;
use crate::gate::window::ChangeWindow;

fn spec(id: &str, check: GateCheck) -> GateSpec {
    GateSpec {
        id: id.into(),
        on_fail: OnFail::Block,
        weight: 1,
        check,
    }
}

fn summary(passed: u64, failed: u64, skipped: u64) -> TestSummary {
    TestSummary {
        tests: passed + failed + skipped,
        passed,
        failed,
        skipped,
        ..TestSummary::default()
    }
}

fn now() -> Timestamp {
    "2026-11-21T12:00:00Z".parse().unwrap()
}

#[test]
fn tests_gate_passes_fails_and_is_inconclusive_without_tests() {
    let gate = [spec(
        "t",
        GateCheck::Tests {
            min_pass_rate: 100,
            min_tests: 5,
        },
    )];
    let run = |s: Option<TestSummary>| {
        let e = Evidence {
            tests: s,
            junit_reports: 1,
            ..Evidence::default()
        };
        evaluate(&gate, &e, None, now(), Purpose::Deploy).remove(0)
    };
    assert_eq!(run(Some(summary(9, 0, 3))).outcome, GateOutcome::Pass);
    let failed = run(Some(summary(8, 1, 0)));
    assert_eq!(failed.outcome, GateOutcome::Fail);
    assert_eq!(failed.reason, "1 of 9 tests failed or errored");
    assert_eq!(
        run(Some(summary(3, 0, 0))).outcome,
        GateOutcome::Inconclusive,
        "fewer than min-tests"
    );
    assert_eq!(
        run(Some(summary(0, 0, 7))).outcome,
        GateOutcome::Inconclusive,
        "only skips: nothing ran"
    );
    assert_eq!(
        run(None).outcome,
        GateOutcome::Inconclusive,
        "zero tests is never a pass"
    );
}

#[test]
fn pass_rate_threshold_is_integer_exact() {
    let gate = [spec(
        "t",
        GateCheck::Tests {
            min_pass_rate: 95,
            min_tests: 1,
        },
    )];
    let judge = |p, f| {
        let e = Evidence {
            tests: Some(summary(p, f, 0)),
            junit_reports: 1,
            ..Evidence::default()
        };
        evaluate(&gate, &e, None, now(), Purpose::Deploy)
            .remove(0)
            .outcome
    };
    assert_eq!(judge(19, 1), GateOutcome::Pass, "exactly 95%");
    assert_eq!(judge(189, 11), GateOutcome::Fail, "94.5%");
}

#[test]
fn completeness_refuses_a_partial_matrix() {
    let e = Evidence {
        tests: Some(summary(10, 0, 0)),
        junit_reports: 3,
        ..Evidence::default()
    };
    let r = evaluate(&default_gates(&e), &e, Some(4), now(), Purpose::Deploy);
    assert_eq!(r[0].outcome, GateOutcome::Inconclusive);
    assert!(r[0].reason.contains("only 3 of 4"));
}

#[test]
fn change_window_blocks_a_deploy_but_never_a_rollback() {
    // Saturday noon UTC, window Mon–Fri.
    let w = ChangeWindow::parse("UTC", &["mon".into(), "fri".into()], None, &[]).unwrap();
    let gate = [spec("window", GateCheck::ChangeWindow(w))];
    let deploy = evaluate(&gate, &Evidence::default(), None, now(), Purpose::Deploy).remove(0);
    assert_eq!(deploy.outcome, GateOutcome::Fail);
    assert!(deploy.reason.contains("sat is not a change day"));
    let rollback = evaluate(&gate, &Evidence::default(), None, now(), Purpose::Rollback).remove(0);
    assert_eq!(rollback.outcome, GateOutcome::Skipped);
}

#[test]
fn json_number_compares_and_explains_missing_values() {
    let mut e = Evidence::default();
    e.json_files.insert(
        "perf.json".into(),
        Ok(serde_json::json!({"p95": 2300.5, "name": "x"})),
    );
    let gate = |pointer: &str| {
        let check = GateCheck::JsonNumber {
            file: "perf.json".into(),
            pointer: pointer.into(),
            min: None,
            max: Some(2000.0),
        };
        evaluate(&[spec("p95", check)], &e, None, now(), Purpose::Deploy).remove(0)
    };
    let r = gate("/p95");
    assert_eq!(
        (r.outcome, r.actual.as_str()),
        (GateOutcome::Fail, "2300.5")
    );
    assert_eq!(gate("/name").outcome, GateOutcome::Inconclusive);
    assert!(gate("/nope").reason.contains("not found"));
}
