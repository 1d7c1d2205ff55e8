//! JUnit XML test reports in all their dialects, counted from the test cases themselves.
//!
//! Suite attributes are not trusted: node's reporter writes non-recursive suite counts, jest-junit
//! leaves todo tests out of `tests`, a crashed suite simply vanishes. Each `<testcase>` is one
//! result (the fixtures' READMEs in tests/fixtures/junit/ show every dialect):
//! - `<failure>` → failed; `<error>` → error; `<skipped>` → skipped (`type="pytest.xfail"` is
//!   an xfail, `type="todo"` a todo — both still skipped);
//! - no such child → passed; `<flakyFailure>`/`<flakyError>` on a passing case (Surefire,
//!   nextest) → passed and flaky; `<rerunFailure>`/`<rerunError>` → retried before the verdict.
//! - A test reported more than once (gotestsum `--rerun-fails`, merged uploads) counts once:
//!   its last result decides, and failed-then-passed is flaky.
//!
//! The parser streams (quick-xml events over a `BufRead`), never expands entities beyond XML's
//! five predefined ones, and refuses a DOCTYPE that declares entities (billion laughs).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::BufRead;
use std::path::Path;

use super::text::truncate;
use quick_xml::events::{BytesStart, Event};
use serde::Serialize;

/// How much of a failure message is kept: enough for an annotation.
const MESSAGE_MAX: usize = 2000;

/// The outcome of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseOutcome {
    Passed,
    Failed,
    Error,
    Skipped,
}

/// One test as reported (after de-duplication).
#[derive(Debug, Clone, Serialize)]
pub struct TestCase {
    /// The enclosing suites, outermost first, joined by ` › `.
    pub suite: String,
    pub classname: String,
    pub name: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub outcome: CaseOutcome,
    /// Passed after failing at least once (flakyFailure, or an earlier failed report).
    pub flaky: bool,
    /// Attempts before the verdict that failed (rerunFailure / rerunError / repeated reports).
    pub reruns: u32,
    /// `type` of the `<skipped>`: `pytest.xfail`, `todo`, …
    pub skip_kind: Option<String>,
    /// The failure, error or skip message, truncated.
    pub message: Option<String>,
    pub time_secs: Option<f64>,
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
}

/// A parsed report.
#[derive(Debug, Clone, Serialize)]
pub struct JunitReport {
    /// Every test that did not simply pass: failed, errored, skipped or flaky. Plain passes are
    /// only counted, which keeps a 350,000-test report in a few tens of megabytes.
    pub cases: Vec<TestCase>,
    pub summary: TestSummary,
    /// Cases that appeared more than once and were merged.
    pub duplicates: u64,
}

impl JunitReport {
    pub fn failing(&self) -> impl Iterator<Item = &TestCase> {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, CaseOutcome::Failed | CaseOutcome::Error))
    }
}

/// Errors reading a JUnit report, located and saying what was expected.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    #[error("JUnit report `{path}`: cannot read it: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("JUnit report `{path}`: line {line}, column {column}: {message}")]
    Malformed {
        path: String,
        line: u64,
        column: u64,
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
            message,
        }),
    }
}

/// Tracks the line and column of what has been consumed, for error locations.
struct LineCounter<R> {
    inner: R,
    line: u64,
    column: u64,
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
            for &b in &buf[..amt.min(buf.len())] {
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
}

/// One distinct test: its result, and the full case only when it is worth reporting.
struct Entry {
    outcome: CaseOutcome,
    flaky: bool,
    reruns: u32,
    skip_kind: SkipKind,
    detail: Option<Box<TestCase>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SkipKind {
    None,
    Xfail,
    Todo,
}

#[derive(Default)]
struct Parser {
    suites: Vec<String>,
    open: Open,
    entries: Vec<Entry>,
    /// The enclosing suites joined, kept up to date as suites open and close.
    suite_path: String,
    /// 64-bit hash of (suite, classname, name) → position in `entries`, to merge repeated
    /// reports without keeping every name (a collision among 10^6 tests has a chance of about
    /// 3·10^-8).
    index: HashMap<u64, usize>,
    duplicates: u64,
    saw_root: bool,
    /// Elements open right now, to tell a truncated file from a complete one.
    open_elements: Vec<String>,
}

impl Parser {
    fn run<R: BufRead>(&mut self, xml: &mut quick_xml::Reader<R>) -> Result<(), String> {
        let mut buf = Vec::new();
        loop {
            let event = xml
                .read_event_into(&mut buf)
                .map_err(|e| format!("malformed XML: {e}"))?;
            match event {
                Event::Eof => {
                    return match self.open_elements.last() {
                        Some(tag) => Err(format!(
                            "the file ends inside `<{tag}>`: it is truncated (did the test run crash?)"
                        )),
                        None => Ok(()),
                    };
                }
                Event::DocType(d) if d.to_ascii_uppercase().contains("<!ENTITY") => {
                    return Err("the DOCTYPE declares entities; refusing to expand them (entity-expansion attack?)".into());
                }
                Event::Start(e) => {
                    self.open_elements.push(e.local_name().as_ref().to_owned());
                    self.start(&e, false)?;
                }
                Event::Empty(e) => self.start(&e, true)?,
                Event::End(e) => {
                    self.open_elements.pop();
                    self.end(e.local_name().as_ref());
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
                                    "unknown entity `&{other};`: only XML's predefined entities are allowed"
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
                let case = TestCase {
                    suite: self.suite_path.clone(),
                    classname: attr(e, "classname")?.unwrap_or_default(),
                    name: attr(e, "name")?.ok_or("`<testcase>` without a `name` attribute")?,
                    file: attr(e, "file")?,
                    line: attr(e, "line")?.and_then(|l| l.parse().ok()),
                    outcome: CaseOutcome::Passed,
                    flaky: false,
                    reruns: 0,
                    skip_kind: None,
                    message: None,
                    time_secs: attr(e, "time")?
                        .and_then(|t| t.parse().ok())
                        .filter(|t: &f64| t.is_finite()),
                };
                if empty {
                    self.push(case);
                } else {
                    self.open.case = Some(case);
                }
            }
            detail @ ("failure" | "error" | "skipped") => {
                let message = attr(e, "message")?;
                let kind = attr(e, "type")?;
                if let Some(case) = self.open.case.as_mut() {
                    let rank = |o: CaseOutcome| match o {
                        CaseOutcome::Error => 3,
                        CaseOutcome::Failed => 2,
                        CaseOutcome::Skipped => 1,
                        CaseOutcome::Passed => 0,
                    };
                    let outcome = match detail {
                        "failure" => CaseOutcome::Failed,
                        "error" => CaseOutcome::Error,
                        _ => CaseOutcome::Skipped,
                    };
                    if rank(outcome) > rank(case.outcome) {
                        case.outcome = outcome;
                        case.message = message.map(|m| truncate(&m, MESSAGE_MAX));
                        if outcome == CaseOutcome::Skipped {
                            case.skip_kind = kind.filter(|k| !k.is_empty());
                        }
                    }
                    let decides = case.outcome == outcome;
                    self.open.in_detail = !empty && decides && case.message.is_none();
                }
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

    fn end(&mut self, tag: &str) {
        match tag {
            "testsuite" => {
                self.suites.pop();
                self.suite_path = self.suites.join(" › ");
            }
            "testcase" => {
                if let Some(case) = self.open.case.take() {
                    self.push(case);
                }
                self.open.in_detail = false;
            }
            "failure" | "error" | "skipped" => self.open.in_detail = false,
            _ => {}
        }
    }

    /// The first text of a failure becomes its message when the element had no `message`.
    fn text(&mut self, text: &str) {
        if let Some(case) = self.open.case.as_mut()
            && matches!(case.outcome, CaseOutcome::Failed | CaseOutcome::Error)
        {
            let current = case.message.get_or_insert_with(String::new);
            if current.len() < MESSAGE_MAX {
                current.push_str(text);
                *current = truncate(current.trim_start(), MESSAGE_MAX);
            }
        }
    }

    /// Adds a case, merging a repeat of the same test: the later report decides.
    fn push(&mut self, case: TestCase) {
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
        let skip_kind = match case.skip_kind.as_deref() {
            Some("pytest.xfail") => SkipKind::Xfail,
            Some("todo") => SkipKind::Todo,
            _ => SkipKind::None,
        };
        let keep = case.outcome != CaseOutcome::Passed || flaky;
        let entry = Entry {
            outcome: case.outcome,
            flaky,
            reruns,
            skip_kind,
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

    fn finish(self, name: &str) -> Result<JunitReport, JunitError> {
        if !self.saw_root {
            return Err(JunitError::Invalid {
                path: name.to_owned(),
                message:
                    "no `<testsuites>` or `<testsuite>` element: this is not a JUnit XML report"
                        .into(),
            });
        }
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
        Ok(JunitReport {
            cases,
            summary: s,
            duplicates: self.duplicates,
        })
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    match e.try_get_attribute(name) {
        Ok(Some(a)) => a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| Some(v.into_owned()))
            .map_err(|err| format!("attribute `{name}`: {err}")),
        Ok(None) => Ok(None),
        Err(err) => Err(format!("malformed attribute: {err}")),
    }
}

#[cfg(test)]
mod tests;
