//! Gates that a report's own verdict decides, whatever the policy says: a k6 summary with a
//! crossed threshold (k6 itself exits 99) and a `smoke --json` result with a check that did not
//! pass (smoke itself exits 1). A policy may leave out a gate kind; it cannot make a failed
//! run it was given count as a pass. Each is present only when such a report was given, and
//! blocks.

use super::policy::{Evidence, GateReport, K6Thresholds, SmokeRun};
use super::score::GateOutcome;

/// How many crossed thresholds a reason names before "and N more".
const NAMED: usize = 5;

/// One gate per kind of report that carries its own verdict.
pub fn gates(evidence: &Evidence) -> Vec<GateReport> {
    let mut out = Vec::new();
    if let Some(k6) = &evidence.k6 {
        out.push(k6_thresholds(k6));
    }
    if let Some(smoke) = &evidence.smoke {
        out.push(smoke_run(smoke));
    }
    out
}

/// A blocking gate whose id is its kind.
fn gate(
    kind: &'static str,
    threshold: &str,
    actual: String,
    outcome: GateOutcome,
    reason: String,
) -> GateReport {
    GateReport {
        id: kind.into(),
        kind,
        on_fail: "block",
        weight: 1,
        threshold: threshold.into(),
        actual,
        outcome,
        reason,
    }
}

fn k6_thresholds(k6: &K6Thresholds) -> GateReport {
    let crossed = k6.crossed.len() as u64;
    let actual = format!("{crossed} of {} crossed", k6.total);
    if crossed == 0 {
        let reason = if k6.total == 0 {
            "the k6 summaries define no thresholds".to_owned()
        } else {
            format!("all {} k6 thresholds held", k6.total)
        };
        return gate(
            "k6-thresholds",
            "no threshold crossed",
            actual,
            GateOutcome::Pass,
            reason,
        );
    }
    let mut named = k6
        .crossed
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if k6.crossed.len() > NAMED {
        named.push_str(&format!(" and {} more", k6.crossed.len() - NAMED));
    }
    let reason = format!("{crossed} of {} k6 thresholds crossed: {named}", k6.total);
    gate(
        "k6-thresholds",
        "no threshold crossed",
        actual,
        GateOutcome::Fail,
        reason,
    )
}

fn smoke_run(smoke: &SmokeRun) -> GateReport {
    let threshold = "every smoke check passes";
    let actual = format!("{} of {} not passed", smoke.not_passed, smoke.total);
    if smoke.not_passed > 0 {
        let reason = format!(
            "{} of {} smoke checks did not pass (verdict {})",
            smoke.not_passed, smoke.total, smoke.verdict
        );
        return gate("smoke", threshold, actual, GateOutcome::Fail, reason);
    }
    if smoke.total == 0 {
        let reason = "the smoke results ran no check".to_owned();
        return gate(
            "smoke",
            threshold,
            actual,
            GateOutcome::Inconclusive,
            reason,
        );
    }
    let reason = format!("all {} smoke checks passed", smoke.total);
    gate("smoke", threshold, actual, GateOutcome::Pass, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crossed_threshold_or_a_failed_check_blocks_and_nothing_run_is_inconclusive() {
        let e = Evidence {
            k6: Some(K6Thresholds {
                total: 4,
                crossed: vec!["http_req_failed rate<0.01".into()],
            }),
            smoke: Some(SmokeRun {
                total: 0,
                not_passed: 0,
                verdict: "pass".into(),
            }),
            ..Evidence::default()
        };
        let g = gates(&e);
        assert_eq!(
            (g[0].id.as_str(), g[0].outcome),
            ("k6-thresholds", GateOutcome::Fail)
        );
        assert_eq!(
            g[0].reason,
            "1 of 4 k6 thresholds crossed: http_req_failed rate<0.01"
        );
        assert_eq!(
            (g[1].id.as_str(), g[1].outcome),
            ("smoke", GateOutcome::Inconclusive)
        );
        assert!(gates(&Evidence::default()).is_empty());
    }
}
