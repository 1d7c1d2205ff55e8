//! JUnit XML test reports in all their dialects, read into the test-run model of
//! [`super::testrun`], which also decides how the cases count (repeats, skips, suite-level
//! failures: see its documentation).
//!
//! Suite attributes are not trusted: node's reporter writes non-recursive suite counts, jest-junit
//! leaves todo tests out of `tests`, a crashed suite simply vanishes. Each `<testcase>` is one
//! result (the fixtures' READMEs in tests/fixtures/junit/ show every dialect):
//! - `<failure>` → failed; `<error>` → error; `<skipped>` → skipped (`type="pytest.xfail"` is
//!   an xfail, `type="todo"` a todo — both still skipped); the worst of several wins;
//! - a `status`/`result` attribute (CTest, googletest) may decide too: `disabled`, `notrun`,
//!   `suppressed` … are skipped, `fail` failed ([`super::testrun::outcome_of_status`]);
//! - no such child → passed; `<flakyFailure>`/`<flakyError>` on a passing case (Surefire,
//!   Gradle, nextest) → passed and flaky; `<rerunFailure>`/`<rerunError>` → retried before the
//!   verdict;
//! - a `<failure>`/`<error>` directly under `<testsuite>` (a crash in set-up, written in place of
//!   the cases) → one failing result for the suite;
//! - two `<testcase>` elements with the same name are two results: JUnit XML has no way to mark
//!   one as a rerun of the other.
//!
//! The parser streams (quick-xml events over a `BufRead`) in time linear in the input: nesting
//! is capped at [`MAX_DEPTH`] elements and the report at [`MAX_CASES`] cases (the suite path
//! is rebuilt on every `<testsuite>`, quadratic without the cap), entities are never expanded beyond
//! XML's five predefined ones, and a DOCTYPE that declares entities is refused (billion laughs).

use std::io::BufRead;
use std::path::Path;

pub use super::testrun::{CaseOutcome, TestCase, TestRun as JunitReport, TestSummary};
use super::testrun::{Repeat, StatusWord, Tally, outcome_of_status, suite_case};
use super::text::{excerpt, truncate};
use quick_xml::events::{BytesStart, Event};

/// How much of a failure message is kept: enough for an annotation.
const MESSAGE_MAX: usize = 2000;

/// Elements nested deeper than this are refused: real reports nest suites a few levels (node's
/// `describe` blocks, pytest classes), and every open level costs memory and time.
pub const MAX_DEPTH: usize = 256;

/// Reports with more test cases than this are refused (split them): the counting keeps a few
/// dozen bytes per case.
pub const MAX_CASES: usize = 10_000_000;

/// Errors reading a JUnit report, located and saying what was expected.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    #[error("JUnit report `{path}`: cannot read it: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("JUnit report `{path}`: line {line}, column {column} (byte {offset}): {message}")]
    Malformed {
        path: String,
        line: u64,
        column: u64,
        /// Bytes read before the problem, for a file too long to open in an editor.
        offset: u64,
        message: String,
    },
    #[error("JUnit report `{path}`: {message}")]
    Invalid { path: String, message: String },
}

/// Reads a JUnit XML file.
pub fn parse_file(path: &Path) -> Result<JunitReport, JunitError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| JunitError::Read {
        path: shown.clone(),
        source,
    })?;
    parse_reader(&shown, std::io::BufReader::with_capacity(64 * 1024, file))
}

/// Reads JUnit XML from `reader`; `name` is used in errors.
pub fn parse_reader(name: &str, reader: impl BufRead) -> Result<JunitReport, JunitError> {
    let mut counting = LineCounter {
        inner: reader,
        line: 1,
        column: 1,
        offset: 0,
    };
    let mut parser = Parser::default();
    let result = {
        let mut xml = quick_xml::Reader::from_reader(&mut counting);
        xml.config_mut().check_end_names = true;
        parser.run(&mut xml)
    };
    match result {
        Ok(()) => parser.finish(name),
        Err(message) => Err(JunitError::Malformed {
            path: name.to_owned(),
            line: counting.line,
            column: counting.column,
            offset: counting.offset,
            message,
        }),
    }
}

/// Tracks the line, column and byte offset of what has been consumed, for error locations.
struct LineCounter<R> {
    inner: R,
    line: u64,
    column: u64,
    offset: u64,
}

impl<R: std::io::Read> std::io::Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let taken = &buf[..amt.min(buf.len())];
            self.offset += taken.len() as u64;
            for &b in taken {
                if b == b'\n' {
                    self.line += 1;
                    self.column = 1;
                } else if b & 0xC0 != 0x80 {
                    self.column += 1;
                }
            }
        }
        self.inner.consume(amt);
    }
}

/// The case being read.
#[derive(Default)]
struct Open {
    case: Option<TestCase>,
    /// Inside a `<failure>`/`<error>` without a `message` attribute: its text is the message.
    in_detail: bool,
    /// `case` is a failure written directly under a `<testsuite>`, counted when it closes.
    suite_level: bool,
}

#[derive(Default)]
struct Parser {
    suites: Vec<String>,
    open: Open,
    tally: Tally,
    /// The enclosing suites joined, kept up to date as suites open and close.
    suite_path: String,
    saw_root: bool,
    /// Elements open right now, to tell a truncated file from a complete one and to know
    /// what a `<failure>` is directly under.
    open_elements: Vec<String>,
}

impl Parser {
    fn run<R: BufRead>(&mut self, xml: &mut quick_xml::Reader<R>) -> Result<(), String> {
        let mut buf = Vec::new();
        loop {
            let event = xml
                .read_event_into(&mut buf)
                .map_err(|e| format!("malformed XML: {}", excerpt(&e.to_string())))?;
            match event {
                Event::Eof => {
                    return match self.open_elements.last() {
                        Some(tag) => Err(format!(
                            "the file ends inside `<{}>`: it is truncated (did the test run crash?)",
                            excerpt(tag)
                        )),
                        None => Ok(()),
                    };
                }
                Event::DocType(d) if d.to_ascii_uppercase().contains("<!ENTITY") => {
                    return Err("the DOCTYPE declares entities; refusing to expand them (entity-expansion attack?)".into());
                }
                Event::Start(e) => {
                    if self.open_elements.len() >= MAX_DEPTH {
                        return Err(format!(
                            "elements nested deeper than {MAX_DEPTH} levels; this is not a test report a runner wrote"
                        ));
                    }
                    self.start(&e, false)?;
                    let tag = e.local_name().as_ref().to_owned();
                    self.open_elements.push(tag);
                }
                Event::Empty(e) => self.start(&e, true)?,
                Event::End(e) => {
                    self.open_elements.pop();
                    self.end(e.local_name().as_ref())?;
                }
                Event::Text(t) if self.open.in_detail => self.text(&t),
                Event::CData(t) if self.open.in_detail => self.text(&t),
                Event::GeneralRef(r) if self.open.in_detail => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => match r.as_ref() {
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "amp" => "&".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            other => {
                                return Err(format!(
                                    "unknown entity `&{};`: only XML's predefined entities are allowed",
                                    excerpt(other)
                                ));
                            }
                        },
                    };
                    self.text(&resolved);
                }
                _ => {}
            }
            buf.clear();
        }
    }

    /// The element `e` opens; `open_elements` does not hold it yet.
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        let tag = e.local_name();
        match tag.as_ref() {
            "testsuites" => self.saw_root = true,
            "testsuite" => {
                self.saw_root = true;
                if !empty {
                    self.suites.push(attr(e, "name")?.unwrap_or_default());
                    self.suite_path = self.suites.join(" › ");
                }
            }
            "testcase" => {
                if !self.saw_root {
                    return Err(
                        "expected `<testsuites>` or `<testsuite>` before `<testcase>`".into(),
                    );
                }
                let case = self.case(e)?;
                if empty {
                    self.push(case)?;
                } else {
                    self.open.case = Some(case);
                }
            }
            detail @ ("failure" | "error" | "skipped") => {
                let outcome = match detail {
                    "failure" => CaseOutcome::Failed,
                    "error" => CaseOutcome::Error,
                    _ => CaseOutcome::Skipped,
                };
                if self.open.case.is_none()
                    && outcome.is_failing()
                    && self.open_elements.last().map(String::as_str) == Some("testsuite")
                {
                    return self.suite_failure(e, outcome, empty);
                }
                self.detail(e, outcome, empty)?;
            }
            "flakyFailure" | "flakyError" => {
                if let Some(case) = self.open.case.as_mut() {
                    case.flaky = true;
                }
            }
            "rerunFailure" | "rerunError" => {
                if let Some(case) = self.open.case.as_mut() {
                    case.reruns += 1;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A `<testcase>`'s attributes as a case; a `status`/`result` word may already decide it.
    fn case(&self, e: &BytesStart<'_>) -> Result<TestCase, String> {
        let name = attr(e, "name")?.ok_or("`<testcase>` without a `name` attribute")?;
        let mut case = TestCase::new(
            &self.suite_path,
            attr(e, "classname")?.unwrap_or_default(),
            name,
        );
        case.file = attr(e, "file")?;
        case.line = attr(e, "line")?.and_then(|l| l.parse().ok());
        case.time_secs = attr(e, "time")?
            .and_then(|t| t.parse().ok())
            .filter(|t: &f64| t.is_finite());
        for key in ["status", "result"] {
            let Some(word) = attr(e, key)? else { continue };
            let (outcome, message) = match outcome_of_status(&word) {
                StatusWord::Ran => continue,
                StatusWord::Decides(o) => (o, format!("{key}=\"{}\"", excerpt(&word))),
                StatusWord::Unknown => (
                    CaseOutcome::Error,
                    format!(
                        "{key}=\"{}\" is not a status decoder-ops knows; counted as an error",
                        excerpt(&word)
                    ),
                ),
            };
            if outcome.severity() > case.outcome.severity() {
                case.outcome = outcome;
                case.message = Some(message);
            }
        }
        Ok(case)
    }

    /// A `<failure>`, `<error>` or `<skipped>` inside the open case: the worst result wins.
    fn detail(
        &mut self,
        e: &BytesStart<'_>,
        outcome: CaseOutcome,
        empty: bool,
    ) -> Result<(), String> {
        let message = attr(e, "message")?;
        let kind = attr(e, "type")?;
        if let Some(case) = self.open.case.as_mut() {
            if outcome.severity() > case.outcome.severity()
                || (outcome == case.outcome && case.message.as_deref().is_some_and(is_status_note))
            {
                case.outcome = outcome;
                case.message = message.map(|m| truncate(&m, MESSAGE_MAX));
                if outcome == CaseOutcome::Skipped {
                    case.skip_kind = kind.filter(|k| !k.is_empty());
                }
            }
            let decides = case.outcome == outcome;
            self.open.in_detail = !empty && decides && case.message.is_none();
        }
        Ok(())
    }

    /// A `<failure>`/`<error>` directly under `<testsuite>`: one failing result for the suite.
    fn suite_failure(
        &mut self,
        e: &BytesStart<'_>,
        outcome: CaseOutcome,
        empty: bool,
    ) -> Result<(), String> {
        let message = attr(e, "message")?.map(|m| truncate(&m, MESSAGE_MAX));
        let case = suite_case(&self.suite_path, outcome, message);
        if empty {
            return self.push(case);
        }
        self.open.in_detail = case.message.is_none();
        self.open.case = Some(case);
        self.open.suite_level = true;
        Ok(())
    }

    fn end(&mut self, tag: &str) -> Result<(), String> {
        match tag {
            "testsuite" => {
                self.suites.pop();
                self.suite_path = self.suites.join(" › ");
            }
            "testcase" => {
                self.open.in_detail = false;
                if let Some(case) = self.open.case.take() {
                    self.push(case)?;
                }
            }
            "failure" | "error" | "skipped" => {
                self.open.in_detail = false;
                if std::mem::take(&mut self.open.suite_level)
                    && let Some(case) = self.open.case.take()
                {
                    self.push(case)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The first text of a failure becomes its message when the element had no `message`.
    fn text(&mut self, text: &str) {
        if let Some(case) = self.open.case.as_mut()
            && case.outcome.is_failing()
        {
            let current = case.message.get_or_insert_with(String::new);
            if current.len() < MESSAGE_MAX {
                current.push_str(text);
                *current = truncate(current.trim_start(), MESSAGE_MAX);
            }
        }
    }

    fn push(&mut self, case: TestCase) -> Result<(), String> {
        if self.tally.len() >= MAX_CASES {
            return Err(format!(
                "more than {MAX_CASES} test cases in one report; split it"
            ));
        }
        self.tally.record(case, Repeat::Separate);
        Ok(())
    }

    fn finish(self, name: &str) -> Result<JunitReport, JunitError> {
        if !self.saw_root {
            return Err(JunitError::Invalid {
                path: name.to_owned(),
                message:
                    "no `<testsuites>` or `<testsuite>` element: this is not a JUnit XML report"
                        .into(),
            });
        }
        Ok(self.tally.finish())
    }
}

/// Whether a message is the note a status attribute left (`status="notrun"`), which a
/// `<skipped message=…>` of the same outcome may replace with the runner's own words.
fn is_status_note(message: &str) -> bool {
    message.starts_with("status=\"") || message.starts_with("result=\"")
}

/// An attribute's value, found in one pass over the element's attributes (without
/// quick-xml's duplicate-attribute check: with it, each lookup on an element with 200,000
/// attributes took about a second in a debug build).
fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| format!("malformed attribute: {}", excerpt(&err.to_string())))?;
        if a.key.local_name().as_ref() == name {
            return a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| Some(v.into_owned()))
                .map_err(|err| format!("attribute `{name}`: {}", excerpt(&err.to_string())));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests;
