//! The normalized test-run model every test-report reader produces (JUnit XML today; NUnit,
//! xUnit and TRX readers are to use it too), and the one place that decides how its cases are
//! counted. A reader turns each reported case into a [`TestCase`] and hands it to a [`Tally`];
//! it never counts by itself. The rules (docs/quality-gate.md, "Repeat rules"):
//!
//! - **Every reported case is one result.** Two cases with the same identity (suite, class,
//!   name) are two results: a failed and a passed `add[1-2]` are one failure and one pass. Test
//!   names repeat for ordinary reasons — TestNG data providers, jest `test.each` with a fixed
//!   title, parametrized tests without ids, gotestsum `--rerun-fails` — and reading the later
//!   one as a rerun that "fixed" the earlier hides a failure.
//! - **A rerun is a rerun only when the producer says so.** Attempts recorded *inside* a case
//!   (Surefire, Gradle `mergeReruns`, nextest: `<flakyFailure>`/`<flakyError>` on a passing
//!   case, `<rerunFailure>`/`<rerunError>` on a failing one) are [`TestCase::flaky`] and
//!   [`TestCase::reruns`]: the case's own outcome decides. A reader whose format marks a whole
//!   case as a later attempt of an earlier one records it with [`Repeat::RerunOfEarlier`]; only
//!   then does the later case replace the earlier, and failed-then-passed is flaky.
//! - **Not run is skipped, never passed.** A status word such as `disabled`, `notrun`,
//!   `ignored`, `pending` or `suppressed` is [`CaseOutcome::Skipped`] ([`outcome_of_status`]); a
//!   status word nobody documents is an error, so a new runner's vocabulary cannot pass by
//!   accident. A run in which nothing ran is inconclusive for the gate, not a pass.
//! - **A failure outside any case counts.** A suite that crashed in set-up and reported its
//!   error in place of its cases ([`Tally::suite_failure`]) is one failed (or errored) result
//!   named after the suite.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde::Serialize;

/// The outcome of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseOutcome {
    Passed,
    Failed,
    Error,
    Skipped,
}

impl CaseOutcome {
    /// How bad an outcome is: a case with several results (a `<failure>` and an `<error>`, a
    /// `status="notrun"` and a `<failure>`) keeps the worst.
    pub fn severity(self) -> u8 {
        match self {
            CaseOutcome::Passed => 0,
            CaseOutcome::Skipped => 1,
            CaseOutcome::Failed => 2,
            CaseOutcome::Error => 3,
        }
    }

    pub fn is_failing(self) -> bool {
        matches!(self, CaseOutcome::Failed | CaseOutcome::Error)
    }
}

/// One test as reported.
#[derive(Debug, Clone, Serialize)]
pub struct TestCase {
    /// The enclosing suites, outermost first, joined by ` › `.
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub outcome: CaseOutcome,
    /// Passed after failing at least once (flakyFailure, or a marked rerun that passed).
    pub flaky: bool,
    /// Attempts before the verdict that failed (rerunFailure / rerunError / marked reruns).
    pub reruns: u32,
    /// `type` of the `<skipped>`: `pytest.xfail`, `todo`, …
    pub skip_kind: Option<String>,
    /// The failure, error or skip message, truncated.
    pub message: Option<String>,
    pub time_secs: Option<f64>,
}

impl TestCase {
    /// A passing case with nothing but its place and name; readers fill in the rest.
    pub fn new(suite: &str, classname: String, name: String) -> Self {
        TestCase {
            suite: suite.to_owned(),
            classname,
            name,
            file: None,
            line: None,
            outcome: CaseOutcome::Passed,
            flaky: false,
            reruns: 0,
            skip_kind: None,
            message: None,
            time_secs: None,
        }
    }
}

/// The counts a gate decides on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TestSummary {
    pub tests: u64,
    pub passed: u64,
    pub failed: u64,
    pub errors: u64,
    pub skipped: u64,
    pub flaky: u64,
    /// Of `skipped`: expected failures (pytest xfail).
    pub xfailed: u64,
    /// Of `skipped`: todo tests (node:test).
    pub todo: u64,
}

impl TestSummary {
    /// Adds another report's counts (a matrix of jobs, several suites).
    pub fn add(&mut self, o: &TestSummary) {
        self.tests += o.tests;
        self.passed += o.passed;
        self.failed += o.failed;
        self.errors += o.errors;
        self.skipped += o.skipped;
        self.flaky += o.flaky;
        self.xfailed += o.xfailed;
        self.todo += o.todo;
    }

    /// Tests that ran to a verdict: passed, failed or errored (not skipped).
    pub fn ran(&self) -> u64 {
        self.passed + self.failed + self.errors
    }
}

/// A counted test run.
#[derive(Debug, Clone, Serialize)]
pub struct TestRun {
    /// Every test that did not simply pass: failed, errored, skipped or flaky. Plain passes are
    /// only counted, which keeps a 350,000-test report in a few tens of megabytes.
    pub cases: Vec<TestCase>,
    pub summary: TestSummary,
    /// Cases whose identity (suite, class, name) an earlier case already had. Each was counted
    /// (unless marked as a rerun); the number is shown so that a reader can tell.
    pub duplicates: u64,
}

impl TestRun {
    pub fn failing(&self) -> impl Iterator<Item = &TestCase> {
        self.cases.iter().filter(|c| c.outcome.is_failing())
    }

    /// Tests that passed only after failing (flaky): worth a look even when the gate passes.
    pub fn flaky(&self) -> impl Iterator<Item = &TestCase> {
        self.cases
            .iter()
            .filter(|c| c.flaky && c.outcome == CaseOutcome::Passed)
    }
}

/// How a recorded case relates to earlier cases of the same identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// A result of its own (the default, and the only reading JUnit XML allows).
    Separate,
    /// The producer marked this case as a later attempt of the earlier case with the same
    /// identity: it replaces it, and an earlier failure makes a pass flaky.
    RerunOfEarlier,
}

/// What a status word says about a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusWord {
    /// "It ran" (`run`, `completed`, `passed`): the case's content decides.
    Ran,
    /// The word decides (`disabled` → skipped, `fail` → failed, …).
    Decides(CaseOutcome),
    /// A word no runner documents: counted as an error, never as a pass.
    Unknown,
}

/// The reading of a status word (`status="disabled"`, `result="suppressed"`, `notrun`, …).
///
/// Sources: CTest `--output-junit` (`run`, `fail`, `notrun`, `disabled`), googletest
/// (`status="run|notrun"`, `result="completed|skipped|suppressed"`), NUnit/TRX vocabularies
/// (`Passed`, `Failed`, `Skipped`, `Ignored`, `Inconclusive`, `NotExecuted`, `Timeout`,
/// `Aborted`).
pub fn outcome_of_status(word: &str) -> StatusWord {
    let folded: String = word
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    StatusWord::Decides(match folded.as_str() {
        "" | "run" | "ran" | "pass" | "passed" | "success" | "succeeded" | "ok" | "completed"
        | "executed" | "finished" => return StatusWord::Ran,
        "disabled" | "notrun" | "notexecuted" | "skip" | "skipped" | "ignore" | "ignored"
        | "pending" | "suppressed" | "excluded" | "todo" | "inconclusive" | "notrunnable" => {
            CaseOutcome::Skipped
        }
        "fail" | "failed" | "failure" => CaseOutcome::Failed,
        "error" | "errored" | "broken" | "timeout" | "timedout" | "aborted" | "crashed" => {
            CaseOutcome::Error
        }
        _ => return StatusWord::Unknown,
    })
}

/// The case that stands for a failure reported outside any case of `suite` (a crash in its
/// set-up), for a reader that completes its message before recording it.
pub fn suite_case(suite: &str, outcome: CaseOutcome, message: Option<String>) -> TestCase {
    let name = match suite.rsplit(" › ").next() {
        Some(last) if !last.is_empty() => format!("(suite `{last}` outside any test)"),
        _ => "(outside any test)".to_owned(),
    };
    let mut case = TestCase::new(suite, String::new(), name);
    case.outcome = outcome;
    case.message = message;
    case
}

/// Counts cases by the rules in the module documentation.
#[derive(Default)]
pub struct Tally {
    entries: Vec<Entry>,
    /// 64-bit hash of (suite, classname, name) → the latest entry with it. Only hashes are kept
    /// (a collision among 10^6 tests has a chance of about 3·10^-8; it could only mis-merge a
    /// case marked as a rerun, or miscount `duplicates`).
    index: HashMap<u64, usize>,
    duplicates: u64,
}

/// One counted result, and the full case only when it is worth reporting.
struct Entry {
    outcome: CaseOutcome,
    flaky: bool,
    skip_kind: SkipKind,
    detail: Option<Box<TestCase>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SkipKind {
    None,
    Xfail,
    Todo,
}

impl Tally {
    /// How many results are counted so far (readers cap it).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Counts one case.
    pub fn record(&mut self, mut case: TestCase, repeat: Repeat) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&case.suite, &case.classname, &case.name).hash(&mut h);
        let key = h.finish();
        let earlier = self.index.get(&key).copied();
        if earlier.is_some() {
            self.duplicates += 1;
        }
        let replace = match (earlier, repeat) {
            (Some(i), Repeat::RerunOfEarlier) => {
                let before = &self.entries[i];
                let failed_before = before.outcome.is_failing();
                case.flaky |=
                    before.flaky || (failed_before && case.outcome == CaseOutcome::Passed);
                let earlier_reruns = before.detail.as_ref().map_or(0, |d| d.reruns);
                case.reruns += earlier_reruns + u32::from(failed_before);
                Some(i)
            }
            _ => None,
        };
        let entry = Entry {
            outcome: case.outcome,
            flaky: case.flaky,
            skip_kind: match case.skip_kind.as_deref() {
                Some("pytest.xfail") => SkipKind::Xfail,
                Some("todo") => SkipKind::Todo,
                _ => SkipKind::None,
            },
            detail: (case.outcome != CaseOutcome::Passed || case.flaky || case.reruns > 0)
                .then(|| Box::new(case)),
        };
        match replace {
            Some(i) => self.entries[i] = entry,
            None => {
                self.index.insert(key, self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    /// Counts a failure reported outside any case (a suite whose set-up crashed): one failed
    /// (`<failure>`) or errored (`<error>`) result named after the suite.
    pub fn suite_failure(&mut self, suite: &str, outcome: CaseOutcome, message: Option<String>) {
        self.record(suite_case(suite, outcome, message), Repeat::Separate);
    }

    /// The counted run.
    pub fn finish(self) -> TestRun {
        let mut s = TestSummary {
            tests: self.entries.len() as u64,
            ..TestSummary::default()
        };
        let mut cases = Vec::new();
        for e in self.entries {
            match e.outcome {
                CaseOutcome::Passed => s.passed += 1,
                CaseOutcome::Failed => s.failed += 1,
                CaseOutcome::Error => s.errors += 1,
                CaseOutcome::Skipped => {
                    s.skipped += 1;
                    match e.skip_kind {
                        SkipKind::Xfail => s.xfailed += 1,
                        SkipKind::Todo => s.todo += 1,
                        SkipKind::None => {}
                    }
                }
            }
            if e.flaky && e.outcome == CaseOutcome::Passed {
                s.flaky += 1;
            }
            cases.extend(e.detail.map(|d| *d));
        }
        TestRun {
            cases,
            summary: s,
            duplicates: self.duplicates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, outcome: CaseOutcome) -> TestCase {
        let mut c = TestCase::new("s", "c".into(), name.into());
        c.outcome = outcome;
        c
    }

    #[test]
    fn repeats_count_each_unless_marked_as_a_rerun() {
        let mut t = Tally::default();
        t.record(case("a", CaseOutcome::Failed), Repeat::Separate);
        t.record(case("a", CaseOutcome::Passed), Repeat::Separate);
        let run = t.finish();
        assert_eq!(
            (run.summary.tests, run.summary.failed, run.summary.passed),
            (2, 1, 1)
        );
        assert_eq!((run.summary.flaky, run.duplicates), (0, 1));

        let mut t = Tally::default();
        t.record(case("a", CaseOutcome::Failed), Repeat::Separate);
        t.record(case("a", CaseOutcome::Failed), Repeat::RerunOfEarlier);
        t.record(case("a", CaseOutcome::Passed), Repeat::RerunOfEarlier);
        let run = t.finish();
        assert_eq!(
            (run.summary.tests, run.summary.passed, run.summary.flaky),
            (1, 1, 1)
        );
        assert_eq!(run.flaky().next().map(|c| c.reruns), Some(2));
    }

    #[test]
    fn status_words_never_read_as_a_pass_unless_they_say_it_ran() {
        for word in [
            "disabled",
            "notrun",
            "NotRun",
            "not_run",
            "Ignored",
            "suppressed",
        ] {
            assert_eq!(
                outcome_of_status(word),
                StatusWord::Decides(CaseOutcome::Skipped),
                "{word}"
            );
        }
        for word in ["run", "completed", "Passed", ""] {
            assert_eq!(outcome_of_status(word), StatusWord::Ran, "{word}");
        }
        assert_eq!(
            outcome_of_status("fail"),
            StatusWord::Decides(CaseOutcome::Failed)
        );
        assert_eq!(
            outcome_of_status("Timeout"),
            StatusWord::Decides(CaseOutcome::Error)
        );
        assert_eq!(outcome_of_status("wobbly"), StatusWord::Unknown);
    }

    #[test]
    fn a_suite_failure_is_one_named_failing_result() {
        let mut t = Tally::default();
        t.suite_failure("all › db", CaseOutcome::Error, Some("boom".into()));
        let run = t.finish();
        assert_eq!((run.summary.tests, run.summary.errors), (1, 1));
        assert_eq!(run.cases[0].name, "(suite `db` outside any test)");
        assert_eq!(run.cases[0].suite, "all › db");
    }
}
