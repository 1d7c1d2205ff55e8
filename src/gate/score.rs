//! The decision of a set of gates and its readiness score.
//!
//! Score: the weighted share of evaluated gates that passed, floored to a whole percent
//! (`passed_weight * 100 / total_weight`, integers only), in the bands of the production
//! readiness checklist: 90–100 ready, 70–89 ready with minor issues, 50–69 not ready, below 50
//! do not deploy. The decision does not follow the score: one failing blocking gate means not
//! ready whatever the score, and a blocking gate without data makes the whole decision
//! inconclusive, never a pass.

use serde::Serialize;

use crate::outcome::Verdict;

/// What one gate found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GateOutcome {
    Pass,
    Fail,
    /// Not enough data to judge (no tests, no measured lines).
    Inconclusive,
    /// Not evaluated on purpose (the change window on a rollback).
    Skipped,
    /// Nobody asked for it: a default gate whose kind of report was not given. Like a skip, it
    /// neither passes nor blocks (a configured gate without its input fails instead).
    #[serde(rename = "not-configured")]
    NotConfigured,
}

/// One gate's result as the decision sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateResult {
    pub id: String,
    pub outcome: GateOutcome,
    /// `on-fail: block` (true) or `warn` (false).
    pub blocking: bool,
    pub weight: u32,
}

/// The readiness band of a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    Ready,
    ReadyWithMinorIssues,
    NotReady,
    DoNotDeploy,
}

impl Band {
    pub fn of(score: u32) -> Band {
        match score {
            90.. => Band::Ready,
            70..=89 => Band::ReadyWithMinorIssues,
            50..=69 => Band::NotReady,
            _ => Band::DoNotDeploy,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::Ready => "ready",
            Band::ReadyWithMinorIssues => "ready with minor issues",
            Band::NotReady => "not ready",
            Band::DoNotDeploy => "do not deploy",
        }
    }
}

/// The decision over all gates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    pub verdict: Verdict,
    /// 0–100; `None` when no gate was evaluated.
    pub score: Option<u32>,
    pub band: Option<Band>,
    /// Why the verdict is what it is, naming the gates.
    pub reason: String,
}

pub fn decide(results: &[GateResult]) -> Readiness {
    let evaluated: Vec<&GateResult> = results
        .iter()
        .filter(|r| !matches!(r.outcome, GateOutcome::Skipped | GateOutcome::NotConfigured))
        .collect();
    let total: u64 = evaluated.iter().map(|r| u64::from(r.weight)).sum();
    let passed: u64 = evaluated
        .iter()
        .filter(|r| r.outcome == GateOutcome::Pass)
        .map(|r| u64::from(r.weight))
        .sum();
    let score = (total > 0).then(|| u32::try_from(passed * 100 / total).unwrap_or(100));
    let band = score.map(Band::of);
    let ids = |pred: &dyn Fn(&GateResult) -> bool| -> Vec<String> {
        evaluated
            .iter()
            .filter(|r| pred(r))
            .map(|r| r.id.clone())
            .collect()
    };
    let blocking_failed = ids(&|r| r.blocking && r.outcome == GateOutcome::Fail);
    let blocking_unknown = ids(&|r| r.blocking && r.outcome == GateOutcome::Inconclusive);
    let warned = ids(&|r| !r.blocking && r.outcome != GateOutcome::Pass);
    let (verdict, reason) = if evaluated.is_empty() {
        (Verdict::Inconclusive, nothing_evaluated(results))
    } else if !blocking_failed.is_empty() {
        (
            Verdict::Fail,
            format!("blocking gate(s) failed: {}", blocking_failed.join(", ")),
        )
    } else if !blocking_unknown.is_empty() {
        (
            Verdict::Inconclusive,
            format!(
                "no data to decide blocking gate(s): {}",
                blocking_unknown.join(", ")
            ),
        )
    } else if !warned.is_empty() {
        (
            Verdict::Warn,
            format!(
                "passed with warnings from: {} (review before deploying)",
                warned.join(", ")
            ),
        )
    } else {
        (Verdict::Pass, "every gate passed".to_owned())
    };
    Readiness {
        verdict,
        score,
        band,
        reason,
    }
}

/// Why no gate was evaluated: none configured (no report given, no `gates:`), or all skipped.
fn nothing_evaluated(results: &[GateResult]) -> String {
    if results
        .iter()
        .all(|r| r.outcome == GateOutcome::NotConfigured)
    {
        "no gate is configured: give a report (JUnit, coverage, SARIF, audit, k6) or configure `quality-gate.gates`".to_owned()
    } else {
        "no gate could be evaluated".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(id: &str, outcome: GateOutcome, blocking: bool, weight: u32) -> GateResult {
        GateResult {
            id: id.into(),
            outcome,
            blocking,
            weight,
        }
    }

    #[test]
    fn all_passing_is_ready_at_100() {
        let r = decide(&[
            gate("coverage", GateOutcome::Pass, true, 1),
            gate("tests", GateOutcome::Pass, true, 1),
        ]);
        assert_eq!(
            (r.verdict, r.score, r.band),
            (Verdict::Pass, Some(100), Some(Band::Ready))
        );
    }

    #[test]
    fn a_failing_blocking_gate_fails_whatever_the_score() {
        let mut gates: Vec<_> = (0..19)
            .map(|i| gate(&format!("g{i}"), GateOutcome::Pass, true, 1))
            .collect();
        gates.push(gate("vulnerabilities", GateOutcome::Fail, true, 1));
        let r = decide(&gates);
        assert_eq!(
            (r.verdict, r.score, r.band),
            (Verdict::Fail, Some(95), Some(Band::Ready))
        );
        assert!(r.reason.contains("vulnerabilities"));
    }

    #[test]
    fn warn_gates_lower_the_score_but_do_not_block() {
        let r = decide(&[
            gate("coverage", GateOutcome::Pass, true, 3),
            gate("performance", GateOutcome::Fail, false, 1),
            gate("quality", GateOutcome::Fail, false, 1),
        ]);
        // 3 of 5 weight: 60, "not ready" as a band, yet no blocking gate failed.
        assert_eq!(
            (r.verdict, r.score, r.band),
            (Verdict::Warn, Some(60), Some(Band::NotReady))
        );
    }

    #[test]
    fn missing_data_on_a_blocking_gate_is_inconclusive_and_skips_do_not_count() {
        let r = decide(&[
            gate("tests", GateOutcome::Inconclusive, true, 1),
            gate("window", GateOutcome::Skipped, true, 1),
            gate("coverage", GateOutcome::Pass, true, 1),
        ]);
        assert_eq!((r.verdict, r.score), (Verdict::Inconclusive, Some(50)));
        assert_eq!(
            decide(&[gate("w", GateOutcome::Skipped, true, 1)]).verdict,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn not_configured_gates_neither_count_nor_block() {
        let r = decide(&[
            gate("coverage", GateOutcome::Pass, true, 1),
            gate("performance", GateOutcome::NotConfigured, true, 1),
            gate("tests", GateOutcome::NotConfigured, true, 1),
        ]);
        assert_eq!((r.verdict, r.score), (Verdict::Pass, Some(100)));
        let none = decide(&[gate("tests", GateOutcome::NotConfigured, true, 1)]);
        assert_eq!(none.verdict, Verdict::Inconclusive);
        assert!(
            none.reason.starts_with("no gate is configured"),
            "{}",
            none.reason
        );
    }

    #[test]
    fn score_is_floored_and_bands_have_exact_edges() {
        // 2 of 3: 66.67 floors to 66.
        let r = decide(&[
            gate("a", GateOutcome::Pass, false, 1),
            gate("b", GateOutcome::Pass, false, 1),
            gate("c", GateOutcome::Fail, false, 1),
        ]);
        assert_eq!(r.score, Some(66));
        assert_eq!(
            [
                Band::of(90),
                Band::of(89),
                Band::of(70),
                Band::of(69),
                Band::of(50),
                Band::of(49)
            ],
            [
                Band::Ready,
                Band::ReadyWithMinorIssues,
                Band::ReadyWithMinorIssues,
                Band::NotReady,
                Band::NotReady,
                Band::DoNotDeploy
            ]
        );
    }
}
