//! .NET test results — NUnit 3 (`TestResult.xml`), xUnit.net v2 (`-xml`) and TRX (VSTest's
//! `--logger trx`) — read into the same model as JUnit ([`TestRun`]) and counted by the same
//! rules ([`super::testrun::Tally`]): every reported case is one result (none of these formats
//! marks a case as a rerun of another), and an error outside any test is a result of its own.
//!
//! The XML is read event by event (quick-xml over a `BufRead`) with the same safety rules as
//! every report reader: no DTD is loaded, a DOCTYPE that declares entities is refused, only the
//! predefined entities and character references are resolved, nesting is capped, and a file
//! that ends inside an element is reported as truncated. Errors name the file, the line and the
//! column of what was being read.

pub mod nunit;
pub mod trx;
pub mod xunit;

use std::io::BufRead;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::testrun::{CaseOutcome, Repeat, Tally, TestCase, TestRun};
use super::text::truncate;

/// How much of a failure message is kept: enough for an annotation.
pub(crate) const MESSAGE_MAX: usize = 2000;

/// Deepest accepted element nesting (real result files nest under 20 deep).
const MAX_DEPTH: usize = 1000;

/// The .NET test result formats read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Nunit,
    Xunit,
    Trx,
}

impl Format {
    /// The name used in messages and in quality-gate's input records.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Nunit => "nunit",
            Format::Xunit => "xunit",
            Format::Trx => "trx",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Format::Nunit => "NUnit result file",
            Format::Xunit => "xUnit.net result file",
            Format::Trx => "TRX file",
        }
    }
}

/// Errors reading a .NET test result file, located and saying what was expected.
#[derive(Debug, thiserror::Error)]
pub enum TestResultsError {
    #[error("{title} `{path}`: cannot read it: {source}")]
    Read {
        title: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error("{title} `{path}`: line {line}, column {column}: {message}")]
    Malformed {
        title: &'static str,
        path: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{title} `{path}`: {message}")]
    Invalid {
        title: &'static str,
        path: String,
        message: String,
    },
}

/// The .NET result format of a file whose first bytes are `head`, from its XML root element:
/// `<test-run>` (NUnit 3), `<assemblies>` (xUnit.net v2), `<TestRun>` (TRX).
pub fn detect(head: &[u8]) -> Option<Format> {
    match crate::report::coverage::xml_root_name(head)? {
        b"test-run" => Some(Format::Nunit),
        b"assemblies" => Some(Format::Xunit),
        b"TestRun" => Some(Format::Trx),
        _ => None,
    }
}

/// Reads the result file at `path` in `format`.
pub fn parse_file(path: &Path, format: Format) -> Result<TestRun, TestResultsError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| TestResultsError::Read {
        title: format.title(),
        path: shown.clone(),
        source,
    })?;
    parse_reader(
        &shown,
        std::io::BufReader::with_capacity(64 * 1024, file),
        format,
    )
}

/// Reads a result file in `format` from `reader`; `name` is used in errors.
pub fn parse_reader(
    name: &str,
    reader: impl BufRead,
    format: Format,
) -> Result<TestRun, TestResultsError> {
    let invalid = |message: String| TestResultsError::Invalid {
        title: format.title(),
        path: name.to_owned(),
        message,
    };
    let mut counting = Counting {
        inner: reader,
        line: 1,
        column: 1,
    };
    let result = match format {
        Format::Nunit => read(&mut counting, nunit::Reader::default()),
        Format::Xunit => read(&mut counting, xunit::Reader::default()),
        Format::Trx => read(&mut counting, trx::Reader::default()),
    };
    match result {
        Ok(Ok(report)) => Ok(report),
        Ok(Err(message)) => Err(invalid(message)),
        Err(message) => Err(TestResultsError::Malformed {
            title: format.title(),
            path: name.to_owned(),
            line: counting.line,
            column: counting.column,
            message,
        }),
    }
}

/// What a format's reader does with the events of its file.
pub(crate) trait Events {
    /// An element opens (`empty`: it also closes, with no content).
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String>;
    /// The element named `name` closes.
    fn end(&mut self, name: &str) -> Result<(), String>;
    /// Text or CDATA inside the innermost open element, entities resolved.
    fn text(&mut self, text: &str);
    /// The file is read; the result, or why the file is not this format.
    fn finish(self) -> Result<TestRun, String>;
}

/// Drives `events` over the XML in `reader`: `Err` is a located problem in the XML, `Ok(Err)`
/// one about the file as a whole.
fn read<R: BufRead, E: Events>(
    reader: &mut Counting<R>,
    mut events: E,
) -> Result<Result<TestRun, String>, String> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    xml.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut open: Vec<String> = Vec::new();
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| format!("malformed XML: {e}"))?;
        match event {
            Event::Eof => {
                if let Some(tag) = open.last() {
                    return Err(format!(
                        "the file ends inside `<{tag}>`: it is truncated (did the test run crash?)"
                    ));
                }
                return Ok(events.finish());
            }
            Event::DocType(d) if d.to_ascii_uppercase().contains("<!ENTITY") => {
                return Err("the DOCTYPE declares entities; refusing to expand them (entity-expansion attack?)".into());
            }
            Event::Start(e) => {
                if open.len() == MAX_DEPTH {
                    return Err(format!("elements are nested more than {MAX_DEPTH} deep"));
                }
                open.push(e.local_name().as_ref().to_owned());
                events.start(&e, false)?;
            }
            Event::Empty(e) => events.start(&e, true)?,
            Event::End(e) => {
                open.pop();
                events.end(e.local_name().as_ref())?;
            }
            Event::Text(t) => events.text(&t),
            Event::CData(t) => events.text(&t),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r)
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            format!(
                                "unknown entity `&{};`: only XML's predefined entities are allowed",
                                &*r
                            )
                        })?,
                };
                events.text(&resolved);
            }
            _ => {}
        }
        buf.clear();
    }
}

/// A case with its identity and outcome; readers fill in the rest.
pub(crate) fn case(suite: &str, classname: &str, name: &str, outcome: CaseOutcome) -> TestCase {
    let mut case = TestCase::new(suite, classname.to_owned(), name.to_owned());
    case.outcome = outcome;
    case
}

/// Counts `case` as a result of its own, its message trimmed and truncated.
pub(crate) fn record(tally: &mut Tally, mut case: TestCase) {
    case.message = case
        .message
        .map(|m| truncate(m.trim(), MESSAGE_MAX))
        .filter(|m| !m.is_empty());
    tally.record(case, Repeat::Separate);
}

/// Counts an error outside any test (a suite's set-up or clean-up, a crashed run) as an errored
/// result named `what`.
pub(crate) fn outside_tests(tally: &mut Tally, suite: &str, what: &str, message: Option<String>) {
    let mut error = case(suite, "", what, CaseOutcome::Error);
    error.message = message;
    record(tally, error);
}

/// The value of attribute `name` of `e`, entities resolved.
pub(crate) fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    match e.try_get_attribute(name) {
        Ok(Some(a)) => a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| Some(v.into_owned()))
            .map_err(|err| format!("attribute `{name}`: {err}")),
        Ok(None) => Ok(None),
        Err(err) => Err(format!("malformed attribute: {err}")),
    }
}

/// A duration attribute in seconds (`0.0123`), when it is a finite number.
pub(crate) fn seconds(value: Option<String>) -> Option<f64> {
    value
        .and_then(|t| t.trim().parse::<f64>().ok())
        .filter(|t| t.is_finite() && *t >= 0.0)
}

/// Tracks the line and column of what has been consumed, for error locations.
struct Counting<R> {
    inner: R,
    line: u64,
    column: u64,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
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

#[cfg(test)]
#[path = "dotnet/tests.rs"]
mod tests;
