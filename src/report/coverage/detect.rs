//! Recognizing a report's format from its first bytes.
//!
//! Only the head of the file is looked at (a few KiB are plenty), and only for markers each
//! producing tool always writes first: the XML root element with its attributes and its first
//! child (or the DOCTYPE), the top-level JSON keys, the first line of a line-based format. Three
//! answers: a format this module reads; a format known by name that it does not read (the
//! caller says so and what to do instead, rather than a misleading parse error of the wrong
//! reader); nothing recognizable (the caller says what it saw). Guessing further would turn a
//! wrong file into a wrong number.

use super::model::Format;
use crate::report::json::has_key;

/// What the head of a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// A coverage format this module reads.
    Coverage(Format),
    /// A format known by name that this module does not read as coverage; `hint` says what
    /// to pass instead (a fragment that follows "; ").
    Unsupported {
        what: &'static str,
        hint: &'static str,
    },
}

/// The coverage format of a report whose file starts with `head`, if it is one this module reads.
pub fn detect(head: &[u8]) -> Option<Format> {
    match identify(head)? {
        Detected::Coverage(format) => Some(format),
        Detected::Unsupported { .. } => None,
    }
}

/// What a file starting with `head` is, when it is recognizable:
///
/// - XML: `<coverage>` with `line-rate`/`lines-valid` or `<sources>`/`<packages>` → Cobertura;
///   `<coverage>` with a `clover` or `generated` attribute or a `<project>` child → Clover;
///   `<coverage version="1">` with `<file>` children → SonarQube generic coverage (not read);
///   `<report>` (or the JaCoCo DOCTYPE) → JaCoCo, unless its first child is Emma's `<stats>`;
///   `<CoverageSession>` → OpenCover; test results (`<testsuites>`, `<test-run>`,
///   `<assemblies>`, `<TestRun>`) are named as such.
/// - JSON: first key `"data"` or `llvm.coverage.json.export` → llvm-cov export; `"meta"` →
///   coverage.py JSON (SimpleCov's JSON formatter also starts with `"meta"`, and names
///   `simplecov_version`); `"total"` → istanbul `coverage-summary.json`; a `"statementMap"`
///   key → istanbul `coverage-final.json`; `"gcovr/format_version"` → gcovr JSON; keys
///   `"coverage"` and `"timestamp"` → SimpleCov `.resultset.json`.
/// - Lines: `mode: set|count|atomic` → Go coverprofile; `TN:`, `SF:` or `VER:` → lcov.
pub fn identify(head: &[u8]) -> Option<Detected> {
    let text = trim_start(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    match text.first()? {
        b'<' => detect_xml(text),
        b'{' => detect_json(text),
        _ => detect_lines(text).map(Detected::Coverage),
    }
}

/// The name of the XML root element of a file starting with `head` (after a BOM, the prolog
/// and comments), when the head has one.
pub fn xml_root_name(head: &[u8]) -> Option<&[u8]> {
    let text = trim_start(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    Some(xml_root(text)?.name)
}

/// A short description of the head for "cannot tell the format" messages.
pub fn describe(head: &[u8]) -> String {
    let text = trim_start(head);
    if text.is_empty() {
        return "the file is empty".to_owned();
    }
    let sample = &text[..text.len().min(512)];
    let binary = sample
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !b"\t\r\n".contains(&b)))
        .count();
    // An incomplete character at the cut is fine; an invalid sequence is not text.
    let invalid = matches!(std::str::from_utf8(sample), Err(e) if e.error_len().is_some());
    if binary > 0 || invalid {
        return "it looks like binary data".to_owned();
    }
    if let Some(root) = xml_root(trim_start(
        head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head),
    )) {
        return format!(
            "its XML root element is `<{}>`",
            super::input::excerpt(&String::from_utf8_lossy(root.name))
        );
    }
    let first_line = String::from_utf8_lossy(sample);
    let first_line = first_line.lines().next().unwrap_or_default();
    format!("it starts with `{}`", super::input::excerpt(first_line))
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The root element of an XML head: its name, its attribute text (as far as the head goes) and
/// the name of its first child element, when the head reaches it.
struct Root<'a> {
    name: &'a [u8],
    attrs: &'a [u8],
    child: Option<&'a [u8]>,
}

/// The root element after the prolog (declaration, comments, DOCTYPE); for a DOCTYPE that the
/// head cuts before the root, the DOCTYPE's name stands for the root.
fn xml_root(mut text: &[u8]) -> Option<Root<'_>> {
    loop {
        text = trim_start(text);
        if text.starts_with(b"<?") {
            text = after(text, b"?>")?;
        } else if text.starts_with(b"<!--") {
            text = after(text, b"-->")?;
        } else if let Some(rest) = text.strip_prefix(b"<!DOCTYPE") {
            let doctype = name_at(trim_start(rest));
            match after(rest, b">").and_then(xml_root) {
                Some(root) => return Some(root),
                None if !doctype.is_empty() => {
                    return Some(Root {
                        name: doctype,
                        attrs: b"",
                        child: None,
                    });
                }
                None => return None,
            }
        } else if let Some(rest) = text.strip_prefix(b"<") {
            let name = name_at(rest);
            if name.is_empty() {
                return None;
            }
            let (attrs, body) = tag_end(&rest[name.len()..]);
            return Some(Root {
                name,
                attrs,
                child: body.and_then(first_child),
            });
        } else {
            return None;
        }
    }
}

/// An element name at the start of `rest` (possibly empty).
fn name_at(rest: &[u8]) -> &[u8] {
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || b"_-:.".contains(b)))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Splits the rest of a start tag into its attribute text and what follows the tag (`None` when
/// the head ends inside the tag or the element is empty). A `>` inside quotes does not end it.
fn tag_end(rest: &[u8]) -> (&[u8], Option<&[u8]>) {
    let mut quote = None;
    for (i, &b) in rest.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => {
                let empty = i > 0 && rest[i - 1] == b'/';
                return (&rest[..i], (!empty).then(|| &rest[i + 1..]));
            }
            _ => {}
        }
    }
    (rest, None)
}

/// The name of the first element in `body`, skipping text, comments and processing instructions.
fn first_child(mut body: &[u8]) -> Option<&[u8]> {
    loop {
        let at = memchr::memchr(b'<', body)?;
        body = &body[at..];
        if body.starts_with(b"<!--") {
            body = after(body, b"-->")?;
        } else if body.starts_with(b"<?") || body.starts_with(b"<!") {
            body = after(body, b">")?;
        } else {
            let name = name_at(&body[1..]);
            return (!name.is_empty()).then_some(name);
        }
    }
}

/// Whether the attribute text has the attribute `key` (a whole name followed by `=`).
fn has_attr(attrs: &[u8], key: &str) -> bool {
    let key = key.as_bytes();
    memchr::memmem::find_iter(attrs, key).any(|at| {
        let before = at.checked_sub(1).map(|i| attrs[i]);
        let rest = trim_start(&attrs[at + key.len()..]);
        before.is_none_or(|b| b.is_ascii_whitespace()) && rest.first() == Some(&b'=')
    })
}

/// The slice after the first `marker`.
fn after<'a>(text: &'a [u8], marker: &[u8]) -> Option<&'a [u8]> {
    let at = memchr::memmem::find(text, marker)?;
    Some(&text[at + marker.len()..])
}

fn detect_xml(text: &[u8]) -> Option<Detected> {
    let root = xml_root(text)?;
    let child = root.child.unwrap_or_default();
    let coverage = |f| Some(Detected::Coverage(f));
    let unsupported = |what, hint| Some(Detected::Unsupported { what, hint });
    match root.name {
        b"coverage" => {
            let clover = has_attr(root.attrs, "clover") || has_attr(root.attrs, "generated");
            if clover || child == b"project" {
                coverage(Format::Clover)
            } else if child == b"file" && !has_attr(root.attrs, "line-rate") {
                unsupported(
                    "SonarQube generic coverage",
                    "write Cobertura or lcov for decoder-ops (gcovr: `--cobertura`)",
                )
            } else {
                coverage(Format::Cobertura)
            }
        }
        b"report" if child == b"stats" => unsupported(
            "Emma XML",
            "write a JaCoCo XML report instead (JaCoCo reads Emma's instrumentation)",
        ),
        b"report" => coverage(Format::Jacoco),
        b"CoverageSession" => coverage(Format::Opencover),
        b"CoverageDSPriv" => unsupported(
            "Visual Studio coverage XML",
            "write Cobertura (`dotnet-coverage merge -f cobertura`, or coverlet's cobertura \
             output)",
        ),
        b"testsuites" | b"testsuite" => unsupported(
            "a JUnit test report (not a coverage report)",
            "pass test results to `quality-gate`",
        ),
        b"test-run" | b"assemblies" | b"TestRun" => unsupported(
            "a .NET test result file (not a coverage report)",
            "pass test results to `quality-gate`",
        ),
        _ => None,
    }
}

fn detect_json(text: &[u8]) -> Option<Detected> {
    let coverage = |f| Some(Detected::Coverage(f));
    if after(text, b"\"llvm.coverage.json.export\"").is_some() {
        return coverage(Format::LlvmJson);
    }
    if has_key(text, "gcovr/format_version") {
        return coverage(Format::GcovrJson);
    }
    if has_key(text, "gcovr/summary_format_version") {
        return Some(Detected::Unsupported {
            what: "gcovr's JSON summary (`--json-summary`, no line data)",
            hint: "write gcovr's full JSON (`gcovr --json`) or its Cobertura or lcov output",
        });
    }
    if has_key(text, "simplecov_version") {
        return Some(Detected::Unsupported {
            what: "SimpleCov's JSON formatter output",
            hint: "pass `coverage/.resultset.json`, which SimpleCov always writes",
        });
    }
    if has_key(text, "$schema") && memchr::memmem::find(text, b"sarif").is_some()
        || has_key(text, "runs") && has_key(text, "version")
    {
        return Some(Detected::Unsupported {
            what: "a SARIF log (not a coverage report)",
            hint: "pass SARIF logs to `quality-gate`",
        });
    }
    let rest = trim_start(text.strip_prefix(b"{")?);
    let rest = rest.strip_prefix(b"\"")?;
    let end = memchr::memchr(b'"', rest)?;
    match &rest[..end] {
        b"data" => coverage(Format::LlvmJson),
        b"meta" => coverage(Format::CoveragepyJson),
        b"total" => coverage(Format::IstanbulSummary),
        _ if has_key(text, "statementMap") => coverage(Format::IstanbulJson),
        _ if has_key(text, "coverage") && has_key(text, "timestamp") => coverage(Format::Simplecov),
        _ => None,
    }
}

fn detect_lines(text: &[u8]) -> Option<Format> {
    let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
    let first = &text[..end];
    if let Some(mode) = first.strip_prefix(b"mode:") {
        return matches!(
            trim_start(mode).trim_ascii_end(),
            b"set" | b"count" | b"atomic"
        )
        .then_some(Format::Go);
    }
    [&b"TN:"[..], b"SF:", b"VER:"]
        .iter()
        .any(|p| first.starts_with(p))
        .then_some(Format::Lcov)
}

#[cfg(test)]
#[path = "detect_tests.rs"]
mod tests;
