//! xUnit.net v2 result files (`xunit.console -xml`, `dotnet test --logger xunit`), as the
//! xUnit.net v2 XML format defines them.
//!
//! `<assemblies><assembly name total passed failed skipped errors><errors><error type name>
//! <failure><message/></failure></error></errors><collection name><test name type method
//! result time>[<failure exception-type><message/><stack-trace/></failure>][<reason/>]</test>
//! </collection></assembly></assemblies>`.
//!
//! - A test's `result`: `Pass` → passed, `Fail` → failed, `Skip` and `NotRun` (explicit tests
//!   not asked for) → skipped. Theory rows are tests of their own (their names carry the data).
//! - Each `<error>` (a fixture or collection cleanup that threw, a fatal runner error) is an
//!   error of its own: the tests may all have passed, the run did not.
//! - xUnit.net v1's `<assembly>` root is another format and is refused.

use quick_xml::events::BytesStart;

use super::{Events, MESSAGE_MAX, attr, case, outside_tests, record, seconds};
use crate::report::testrun::{CaseOutcome, Tally, TestCase, TestRun};

/// An `<error>` outside the tests, being read.
struct RunError {
    what: String,
    message: Option<String>,
}

#[derive(Default)]
pub(crate) struct Reader {
    root: bool,
    assembly: String,
    collection: String,
    case: Option<TestCase>,
    error: Option<RunError>,
    /// Inside a `<message>` of a `<failure>`, or a `<reason>`.
    capturing: bool,
    tally: Tally,
}

impl Reader {
    fn suite(&self) -> String {
        if self.collection.is_empty() {
            self.assembly.clone()
        } else {
            format!("{} › {}", self.assembly, self.collection)
        }
    }

    fn test(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        let name = attr(e, "name")?.ok_or("`<test>` without a `name` attribute")?;
        let outcome = match attr(e, "result")?.as_deref() {
            Some("Pass") => CaseOutcome::Passed,
            Some("Fail") => CaseOutcome::Failed,
            Some("Skip" | "NotRun") => CaseOutcome::Skipped,
            Some(other) => {
                return Err(format!(
                    "unknown test result `{}`; expected Pass, Fail, Skip or NotRun",
                    crate::report::text::truncate(other, 40)
                ));
            }
            None => return Err("`<test>` without a `result` attribute".into()),
        };
        let classname = attr(e, "type")?.unwrap_or_default();
        let mut case = case(&self.suite(), &classname, &name, outcome);
        case.time_secs = seconds(attr(e, "time")?);
        self.case = Some(case);
        if empty {
            self.close_test();
        }
        Ok(())
    }

    fn close_test(&mut self) {
        if let Some(case) = self.case.take() {
            record(&mut self.tally, case);
        }
    }
}

/// The file name of an assembly path (`/src/Shop.Tests/bin/Shop.Tests.dll` → `Shop.Tests.dll`).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl Events for Reader {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        let name = e.local_name();
        if !self.root {
            return match name.as_ref() {
                "assemblies" => {
                    self.root = true;
                    Ok(())
                }
                other => Err(format!(
                    "expected the xUnit.net v2 root element `<assemblies>`, found `<{}>`",
                    other
                )),
            };
        }
        match name.as_ref() {
            "assembly" => {
                let path = attr(e, "name")?.unwrap_or_default();
                self.assembly = file_name(&path).to_owned();
            }
            "collection" => self.collection = attr(e, "name")?.unwrap_or_default(),
            "test" => self.test(e, empty)?,
            "error" if self.case.is_none() => {
                let kind = attr(e, "type")?.unwrap_or_else(|| "error".into());
                let what = match attr(e, "name")? {
                    Some(n) => format!("{kind}: {n}"),
                    None => kind,
                };
                self.error = Some(RunError {
                    what,
                    message: None,
                });
                if empty {
                    self.end("error")?;
                }
            }
            "message" | "reason" if !empty => self.capturing = true,
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), String> {
        match name {
            "test" => self.close_test(),
            "collection" => self.collection.clear(),
            "error" => {
                if let Some(error) = self.error.take() {
                    let suite = self.suite();
                    outside_tests(&mut self.tally, &suite, &error.what, error.message);
                }
            }
            "message" | "reason" => self.capturing = false,
            _ => {}
        }
        Ok(())
    }

    fn text(&mut self, text: &str) {
        if !self.capturing {
            return;
        }
        let target = match (self.case.as_mut(), self.error.as_mut()) {
            (Some(case), _) => &mut case.message,
            (None, Some(error)) => &mut error.message,
            (None, None) => return,
        };
        let message = target.get_or_insert_with(String::new);
        if message.len() < MESSAGE_MAX {
            message.push_str(text);
        }
    }

    fn finish(self) -> Result<TestRun, String> {
        if !self.root {
            return Err(
                "no `<assemblies>` element: this is not an xUnit.net v2 result file".into(),
            );
        }
        Ok(self.tally.finish())
    }
}
