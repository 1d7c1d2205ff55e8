//! TRX files (`dotnet test --logger trx`, `vstest.console /logger:trx`), as Visual Studio's
//! `vstst.xsd` (namespace `http://microsoft.com/schemas/VisualStudio/TeamTest/2010`) defines
//! them.
//!
//! `<TestRun><Results><UnitTestResult testId testName outcome duration>[<Output><ErrorInfo>
//! <Message/></ErrorInfo></Output>][<InnerResults>…</InnerResults>]</UnitTestResult></Results>
//! <TestDefinitions><UnitTest id><TestMethod className name/></UnitTest></TestDefinitions>
//! <ResultSummary outcome><RunInfos><RunInfo outcome><Text/></RunInfo></RunInfos>
//! </ResultSummary></TestRun>`.
//!
//! - A result's `outcome`: `Passed`, `PassedButRunAborted`, `Completed`, `Warning` → passed;
//!   `Failed` → failed; `Error`, `Timeout`, `Aborted`, `Disconnected`, `InProgress` → error;
//!   `NotExecuted`, `NotRunnable`, `Inconclusive`, `Pending` → skipped.
//! - A data-driven result with `<InnerResults>` is counted by its inner results (one per data
//!   row), not as a test of its own.
//! - Class names come from `<TestDefinitions>` (written after the results), by `testId`.
//! - A `<RunInfo outcome="Error">` (a test host that crashed, an adapter that failed) is an
//!   error of its own, and so is a run whose summary outcome is `Error`, `Aborted` or `Timeout`
//!   without one.

use std::collections::HashMap;

use quick_xml::events::BytesStart;

use super::{Events, MESSAGE_MAX, attr, case, outside_tests, record};
use crate::report::testrun::{CaseOutcome, Tally, TestRun};

/// The result elements of `vstst.xsd`.
const RESULTS: [&str; 5] = [
    "UnitTestResult",
    "GenericTestResult",
    "ManualTestResult",
    "WebTestResult",
    "TestResultAggregation",
];

/// A result read, kept until the class names are known.
struct Result_ {
    test_id: String,
    name: String,
    outcome: CaseOutcome,
    message: Option<String>,
    time_secs: Option<f64>,
    has_inner: bool,
}

#[derive(Default)]
pub(crate) struct Reader {
    root: bool,
    /// Results being read, outermost first (data-driven ones nest).
    open: Vec<Result_>,
    done: Vec<Result_>,
    /// `testId` → class name, from `<TestDefinitions>`.
    classes: HashMap<String, String>,
    /// The `<UnitTest id>` being read.
    definition: Option<String>,
    capture: Capture,
    run_errors: Vec<(String, Option<String>)>,
    summary_outcome: Option<String>,
}

/// Where text goes.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Capture {
    #[default]
    Nothing,
    /// `<ErrorInfo><Message>` of the innermost open result.
    ResultMessage,
    /// `<RunInfo><Text>` of the last run error.
    RunInfo,
}

fn outcome(value: Option<&str>) -> Result<CaseOutcome, String> {
    Ok(match value {
        Some("Passed" | "PassedButRunAborted" | "Completed" | "Warning") => CaseOutcome::Passed,
        Some("Failed") => CaseOutcome::Failed,
        Some("Error" | "Timeout" | "Aborted" | "Disconnected" | "InProgress") => CaseOutcome::Error,
        Some("NotExecuted" | "NotRunnable" | "Inconclusive" | "Pending") => CaseOutcome::Skipped,
        Some(other) => {
            return Err(format!(
                "unknown test outcome `{}`; expected one of vstst.xsd's TestOutcome values (Passed, Failed, NotExecuted, …)",
                crate::report::text::truncate(other, 40)
            ));
        }
        None => return Err("a test result without an `outcome` attribute".into()),
    })
}

/// `00:01:02.5000000` → 62.5 seconds.
fn duration(value: Option<String>) -> Option<f64> {
    let value = value?;
    let mut parts = value.trim().split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    let secs =
        h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?;
    (secs.is_finite() && secs >= 0.0).then_some(secs)
}

impl Reader {
    fn result(&mut self, e: &BytesStart<'_>) -> Result<(), String> {
        if let Some(parent) = self.open.last_mut() {
            parent.has_inner = true;
        }
        self.open.push(Result_ {
            test_id: attr(e, "testId")?.unwrap_or_default(),
            name: attr(e, "testName")?.ok_or("a test result without a `testName` attribute")?,
            outcome: outcome(attr(e, "outcome")?.as_deref())?,
            message: None,
            time_secs: duration(attr(e, "duration")?),
            has_inner: false,
        });
        Ok(())
    }

    fn close_result(&mut self) {
        if let Some(result) = self.open.pop()
            && !result.has_inner
        {
            self.done.push(result);
        }
    }
}

impl Events for Reader {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        let name = e.local_name();
        if !self.root {
            return match name.as_ref() {
                "TestRun" => {
                    self.root = true;
                    Ok(())
                }
                other => Err(format!(
                    "expected the TRX root element `<TestRun>`, found `<{}>`",
                    other
                )),
            };
        }
        match name.as_ref() {
            n if RESULTS.contains(&n) => {
                self.result(e)?;
                if empty {
                    self.close_result();
                }
            }
            "Message" if !empty && !self.open.is_empty() => self.capture = Capture::ResultMessage,
            "UnitTest" => self.definition = attr(e, "id")?,
            "TestMethod" => {
                if let (Some(id), Some(class)) = (self.definition.clone(), attr(e, "className")?) {
                    self.classes.insert(id, class);
                }
            }
            "ResultSummary" => self.summary_outcome = attr(e, "outcome")?,
            "RunInfo" if attr(e, "outcome")?.as_deref() == Some("Error") => {
                let computer = attr(e, "computerName")?.unwrap_or_default();
                self.run_errors
                    .push((format!("run error on {computer}"), None));
            }
            "Text" if !empty && !self.run_errors.is_empty() => self.capture = Capture::RunInfo,
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), String> {
        match name {
            n if RESULTS.contains(&n) => self.close_result(),
            "Message" | "Text" => self.capture = Capture::Nothing,
            "UnitTest" => self.definition = None,
            "RunInfo" => self.capture = Capture::Nothing,
            _ => {}
        }
        Ok(())
    }

    fn text(&mut self, text: &str) {
        let target = match self.capture {
            Capture::Nothing => return,
            Capture::ResultMessage => match self.open.last_mut() {
                Some(result) => &mut result.message,
                None => return,
            },
            Capture::RunInfo => match self.run_errors.last_mut() {
                Some((_, message)) => message,
                None => return,
            },
        };
        let message = target.get_or_insert_with(String::new);
        if message.len() < MESSAGE_MAX {
            message.push_str(text);
        }
    }

    fn finish(self) -> Result<TestRun, String> {
        if !self.root {
            return Err("no `<TestRun>` element: this is not a TRX file".into());
        }
        let mut tally = Tally::default();
        for r in self.done {
            let class = self.classes.get(&r.test_id).map_or("", String::as_str);
            let mut case = case("", class, &r.name, r.outcome);
            case.message = r.message;
            case.time_secs = r.time_secs;
            record(&mut tally, case);
        }
        let aborted = matches!(
            self.summary_outcome.as_deref(),
            Some("Error" | "Aborted" | "Timeout")
        );
        if aborted && self.run_errors.is_empty() {
            let outcome = self.summary_outcome.unwrap_or_default();
            outside_tests(&mut tally, "", &format!("test run ({outcome})"), None);
        }
        for (what, message) in self.run_errors {
            outside_tests(&mut tally, "", &what, message);
        }
        Ok(tally.finish())
    }
}
