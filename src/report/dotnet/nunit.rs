//! NUnit 3 result files (`nunit3-console --result=TestResult.xml`, `dotnet test --logger
//! nunit`), as the NUnit 3 result schema (`TestResult.xsd`) defines them.
//!
//! `<test-run><test-suite type="Assembly|TestSuite|TestFixture|…" name fullname result
//! [label] [site]>…<test-case name fullname classname result [label] duration>[<failure>
//! <message/></failure>][<reason><message/></reason>]</test-case>…</test-suite></test-run>`.
//!
//! - A case's `result`: `Passed` → passed; `Warning` → passed (NUnit does not fail a run for
//!   it); `Failed` → failed, or an error when `label` is `Error`, `Cancelled` or `Invalid` (a
//!   test that could not run); `Skipped` (`Ignored`, `Explicit`) and `Inconclusive` → skipped.
//! - A suite that failed on its own `site` (`SetUp`, `TearDown`: a `OneTimeSetUp` or
//!   `OneTimeTearDown` that threw) with no failed case below it — a teardown after passing
//!   tests, an assembly that did not load — is an error of its own; one that failed because a
//!   case failed (`site="Child"`) adds nothing.
//! - NUnit 2's `<test-results>` is another format and is refused.

use quick_xml::events::BytesStart;

use super::{Events, MESSAGE_MAX, attr, case, outside_tests, record, seconds};
use crate::report::testrun::{CaseOutcome, Tally, TestCase, TestRun};

/// An open `<test-suite>`.
struct Suite {
    name: String,
    fullname: String,
    /// Failed on its own site (not `Child`/`Parent`), with its label or site for the message.
    own_failure: Option<String>,
    message: Option<String>,
    failed_below: bool,
}

/// Where the text being read goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    /// `<failure>` or `<reason>` of the open case, or of the innermost suite.
    Detail,
    /// The `<message>` inside such a detail.
    Message,
}

#[derive(Default)]
pub(crate) struct Reader {
    root: bool,
    suites: Vec<Suite>,
    case: Option<TestCase>,
    capture: Option<Capture>,
    tally: Tally,
}

impl Reader {
    fn suite_path(&self) -> String {
        let names: Vec<&str> = self.suites.iter().map(|s| s.name.as_str()).collect();
        names.join(" › ")
    }

    fn test_case(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        let name = attr(e, "name")?.ok_or("`<test-case>` without a `name` attribute")?;
        let classname = attr(e, "classname")?.unwrap_or_default();
        let label = attr(e, "label")?;
        let outcome = outcome(attr(e, "result")?.as_deref(), label.as_deref())?;
        let mut case = case(&self.suite_path(), &classname, &name, outcome);
        case.time_secs = seconds(attr(e, "duration")?);
        if outcome == CaseOutcome::Skipped {
            case.skip_kind = label.map(|l| l.to_ascii_lowercase());
        }
        self.case = Some(case);
        if empty {
            self.close_case();
        }
        Ok(())
    }

    fn close_case(&mut self) {
        if let Some(case) = self.case.take() {
            if matches!(case.outcome, CaseOutcome::Failed | CaseOutcome::Error) {
                for suite in &mut self.suites {
                    suite.failed_below = true;
                }
            }
            record(&mut self.tally, case);
        }
    }

    fn close_suite(&mut self) {
        let Some(suite) = self.suites.pop() else {
            return;
        };
        if let Some(parent) = self.suites.last_mut() {
            parent.failed_below |= suite.failed_below;
        }
        if let (Some(why), false) = (&suite.own_failure, suite.failed_below) {
            let path = self.suite_path();
            let what = format!("{} ({why})", suite.fullname);
            outside_tests(&mut self.tally, &path, &what, suite.message);
            for s in &mut self.suites {
                s.failed_below = true;
            }
        }
    }
}

/// A case's outcome from its `result` and `label`.
fn outcome(result: Option<&str>, label: Option<&str>) -> Result<CaseOutcome, String> {
    Ok(match result {
        Some("Passed" | "Warning") => CaseOutcome::Passed,
        Some("Failed") if matches!(label, Some("Error" | "Cancelled" | "Invalid")) => {
            CaseOutcome::Error
        }
        Some("Failed") => CaseOutcome::Failed,
        Some("Skipped" | "Inconclusive") => CaseOutcome::Skipped,
        Some(other) => {
            return Err(format!(
                "unknown test result `{}`; expected Passed, Failed, Skipped, Inconclusive or Warning",
                crate::report::text::truncate(other, 40)
            ));
        }
        None => return Err("`<test-case>` without a `result` attribute".into()),
    })
}

impl Events for Reader {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        let name = e.local_name();
        if !self.root {
            return match name.as_ref() {
                "test-run" => {
                    self.root = true;
                    Ok(())
                }
                "test-results" => Err("this is an NUnit 2 result file (`<test-results>`); NUnit 3 writes the format read here (`--result=TestResult.xml;format=nunit3`, the default)".into()),
                other => Err(format!(
                    "expected the NUnit 3 root element `<test-run>`, found `<{}>`",
                    other
                )),
            };
        }
        match name.as_ref() {
            "test-suite" => {
                let result = attr(e, "result")?;
                let site = attr(e, "site")?;
                let label = attr(e, "label")?;
                let own = result.as_deref() == Some("Failed")
                    && !matches!(site.as_deref(), Some("Child" | "Parent"));
                let suite = Suite {
                    name: attr(e, "name")?.unwrap_or_default(),
                    fullname: attr(e, "fullname")?
                        .or(attr(e, "name")?)
                        .unwrap_or_default(),
                    own_failure: own.then(|| site.or(label).unwrap_or_else(|| "Failed".into())),
                    message: None,
                    failed_below: false,
                };
                self.suites.push(suite);
                if empty {
                    self.close_suite();
                }
            }
            "test-case" => self.test_case(e, empty)?,
            "failure" | "reason" if !empty => self.capture = Some(Capture::Detail),
            "message" if self.capture == Some(Capture::Detail) && !empty => {
                self.capture = Some(Capture::Message);
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), String> {
        match name {
            "test-case" => self.close_case(),
            "test-suite" => self.close_suite(),
            "message" if self.capture == Some(Capture::Message) => {
                self.capture = Some(Capture::Detail);
            }
            "failure" | "reason" => self.capture = None,
            _ => {}
        }
        Ok(())
    }

    fn text(&mut self, text: &str) {
        if self.capture != Some(Capture::Message) {
            return;
        }
        let target = match self.case.as_mut() {
            Some(case) => &mut case.message,
            None => match self.suites.last_mut() {
                Some(suite) => &mut suite.message,
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
            return Err("no `<test-run>` element: this is not an NUnit 3 result file".into());
        }
        Ok(self.tally.finish())
    }
}
