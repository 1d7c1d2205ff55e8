//! Counting test results into the model the gates read ([`JunitReport`]), for the readers of
//! formats other than JUnit (NUnit 3, xUnit.net v2, TRX): one place for the rules, so every
//! test-result format is counted alike.
//!
//! The rules are today's JUnit rules (`report::junit`), fail-closed:
//! - each reported test is one result; only failed, errored, skipped and flaky ones are kept in
//!   full, plain passes are only counted;
//! - a test reported more than once (same suite, class and name) counts once: its last result
//!   decides, earlier failures count as reruns, and failed-then-passed is flaky;
//! - an error outside any test (a suite's setup or cleanup, a crashed run) is a result of its
//!   own, an error, so it can never pass unnoticed.
//!
//! The JUnit reader keeps its own copy of these rules until its rework moves them here.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::junit::{CaseOutcome, JunitReport, TestCase, TestSummary};
use super::text::truncate;

/// How much of a failure message is kept: enough for an annotation.
pub const MESSAGE_MAX: usize = 2000;

/// One distinct test: its result, and the full case only when it is worth reporting.
struct Entry {
    outcome: CaseOutcome,
    flaky: bool,
    reruns: u32,
    detail: Option<Box<TestCase>>,
}

/// Results being counted.
#[derive(Default)]
pub struct Tally {
    entries: Vec<Entry>,
    /// 64-bit hash of (suite, classname, name) → position in `entries`.
    index: HashMap<u64, usize>,
    duplicates: u64,
}

impl Tally {
    /// A test case with the given identity and outcome, nothing else known yet.
    pub fn case(suite: &str, classname: &str, name: &str, outcome: CaseOutcome) -> TestCase {
        TestCase {
            suite: suite.to_owned(),
            classname: classname.to_owned(),
            name: name.to_owned(),
            file: None,
            line: None,
            outcome,
            flaky: false,
            reruns: 0,
            skip_kind: None,
            message: None,
            time_secs: None,
        }
    }

    /// An error outside any test: a result of its own named `what` (`suite setup`, …).
    pub fn error_outside_tests(&mut self, suite: &str, what: &str, message: Option<String>) {
        let mut case = Tally::case(suite, "", what, CaseOutcome::Error);
        case.message = message.map(|m| truncate(m.trim(), MESSAGE_MAX));
        self.push(case);
    }

    /// Adds a result, merging a repeat of the same test: the later report decides.
    pub fn push(&mut self, mut case: TestCase) {
        case.message = case.message.map(|m| truncate(m.trim(), MESSAGE_MAX));
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&case.suite, &case.classname, &case.name).hash(&mut h);
        let key = h.finish();
        let (flaky, reruns) = match self.index.get(&key) {
            Some(&i) => {
                self.duplicates += 1;
                let earlier = &self.entries[i];
                let failed_before =
                    matches!(earlier.outcome, CaseOutcome::Failed | CaseOutcome::Error);
                (
                    earlier.flaky
                        || case.flaky
                        || (failed_before && case.outcome == CaseOutcome::Passed),
                    earlier.reruns + u32::from(failed_before) + case.reruns,
                )
            }
            None => (case.flaky, case.reruns),
        };
        let keep = case.outcome != CaseOutcome::Passed || flaky;
        let entry = Entry {
            outcome: case.outcome,
            flaky,
            reruns,
            detail: keep.then(|| {
                Box::new(TestCase {
                    flaky,
                    reruns,
                    ..case
                })
            }),
        };
        match self.index.get(&key) {
            Some(&i) => self.entries[i] = entry,
            None => {
                self.index.insert(key, self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    /// The counts and the cases worth reporting.
    pub fn finish(self) -> JunitReport {
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
                CaseOutcome::Skipped => s.skipped += 1,
            }
            if e.flaky && e.outcome == CaseOutcome::Passed {
                s.flaky += 1;
            }
            cases.extend(e.detail.map(|d| *d));
        }
        JunitReport {
            cases,
            summary: s,
            duplicates: self.duplicates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_merge_last_wins_and_errors_outside_tests_count() {
        let mut t = Tally::default();
        t.push(Tally::case("S", "C", "a", CaseOutcome::Failed));
        t.push(Tally::case("S", "C", "a", CaseOutcome::Passed));
        t.push(Tally::case("S", "C", "b", CaseOutcome::Skipped));
        t.push(Tally::case("S", "D", "a", CaseOutcome::Passed));
        t.error_outside_tests("S", "suite cleanup", Some("  boom \n".into()));
        let r = t.finish();
        let s = r.summary;
        assert_eq!(
            (s.tests, s.passed, s.failed, s.errors, s.skipped, s.flaky),
            (4, 2, 0, 1, 1, 1)
        );
        assert_eq!(r.duplicates, 1);
        let flaky = r.cases.iter().find(|c| c.name == "a").unwrap();
        assert_eq!((flaky.flaky, flaky.reruns), (true, 1));
        let error = r.cases.iter().find(|c| c.name == "suite cleanup").unwrap();
        assert_eq!(error.message.as_deref(), Some("boom"));
    }
}
