//! Recognizing a report's format from its first bytes.
//!
//! Only the head of the file is looked at (a few KiB are plenty), and only for markers each
//! producing tool always writes first: the XML root element (or DOCTYPE), the first JSON key,
//! the first line of a line-based format. When nothing matches the caller must name the format;
//! guessing further would turn a wrong file into a wrong number.

use super::model::Format;

/// The format of a report whose file starts with `head`, if it is recognizable.
///
/// - `<coverage ...>` root (or `<!DOCTYPE coverage`) → Cobertura;
/// - `<report ...>` root (or the JaCoCo DOCTYPE) → JaCoCo;
/// - JSON whose first key is `"data"` (llvm-cov writes `{"data":[{"files":...`) or that names
///   `llvm.coverage.json.export` → llvm-cov export;
/// - JSON whose first key is `"meta"` → coverage.py JSON;
/// - JSON whose first key is `"total"` → istanbul `coverage-summary.json`;
/// - first line `mode: set|count|atomic` → Go coverprofile;
/// - first line `TN:`, `SF:` or `VER:` → lcov.
pub fn detect(head: &[u8]) -> Option<Format> {
    let text = trim_start(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head));
    match text.first()? {
        b'<' => detect_xml(text),
        b'{' => detect_json(text),
        _ => detect_lines(text),
    }
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

fn detect_xml(mut text: &[u8]) -> Option<Format> {
    loop {
        text = trim_start(text);
        if text.starts_with(b"<?") {
            text = after(text, b"?>")?;
        } else if text.starts_with(b"<!--") {
            text = after(text, b"-->")?;
        } else if let Some(rest) = text.strip_prefix(b"<!DOCTYPE") {
            return root_format(trim_start(rest));
        } else if let Some(rest) = text.strip_prefix(b"<") {
            return root_format(rest);
        } else {
            return None;
        }
    }
}

/// The format named by an element (or DOCTYPE) name at the start of `rest`.
fn root_format(rest: &[u8]) -> Option<Format> {
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || b"_-:.".contains(b)))
        .unwrap_or(rest.len());
    match &rest[..end] {
        b"coverage" => Some(Format::Cobertura),
        b"report" => Some(Format::Jacoco),
        _ => None,
    }
}

/// The slice after the first `marker`.
fn after<'a>(text: &'a [u8], marker: &[u8]) -> Option<&'a [u8]> {
    let at = text.windows(marker.len()).position(|w| w == marker)?;
    Some(&text[at + marker.len()..])
}

fn detect_json(text: &[u8]) -> Option<Format> {
    if after(text, b"\"llvm.coverage.json.export\"").is_some() {
        return Some(Format::LlvmJson);
    }
    let rest = trim_start(text.strip_prefix(b"{")?);
    let rest = rest.strip_prefix(b"\"")?;
    let end = rest.iter().position(|&b| b == b'"')?;
    match &rest[..end] {
        b"data" => Some(Format::LlvmJson),
        b"meta" => Some(Format::CoveragepyJson),
        b"total" => Some(Format::IstanbulSummary),
        _ => None,
    }
}

fn detect_lines(text: &[u8]) -> Option<Format> {
    let end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
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
mod tests {
    use super::*;

    #[test]
    fn recognizes_each_format_from_its_head() {
        let cases: [(&[u8], Format); 12] = [
            (b"TN:\nSF:/src/a.c\n", Format::Lcov),
            (b"SF:src/a.js\nFN:1,f\n", Format::Lcov),
            (b"\xEF\xBB\xBFTN:name\n", Format::Lcov),
            (b"mode: atomic\nm/a.go:1.1,2.2 1 0\n", Format::Go),
            (
                b"<?xml version=\"1.0\" ?>\n<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n<coverage",
                Format::Cobertura,
            ),
            (
                b"<?xml version=\"1.0\" ?>\n<!-- Generated by coverage.py -->\n<coverage version=\"7.6\">",
                Format::Cobertura,
            ),
            (
                b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><!DOCTYPE report PUBLIC \"-//JACOCO//DTD Report 1.1//EN\" \"report.dtd\"><report name=\"x\">",
                Format::Jacoco,
            ),
            (b"<report name=\"x\"><sessioninfo", Format::Jacoco),
            (b"{\"data\":[{\"files\":[", Format::LlvmJson),
            (b"{\"meta\": {\"format\": 3, \"version\": \"7.6.1\"", Format::CoveragepyJson),
            (b"{\"total\": {\"lines\":{\"total\":69", Format::IstanbulSummary),
            (b"{\"x\":1,\"type\":\"llvm.coverage.json.export\"}", Format::LlvmJson),
        ];
        for (head, format) in cases {
            assert_eq!(
                detect(head),
                Some(format),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn refuses_to_guess() {
        let cases: [&[u8]; 8] = [
            b"",
            b"   \n",
            b"\x00\x01\x02garbage",
            b"<html><body>",
            b"{\"/src/a.js\": {\"path\": \"/src/a.js\", \"statementMap\"",
            b"mode: sometimes\n",
            b"hello world\n",
            b"<?xml version=\"1.0\"?><!-- unterminated",
        ];
        for head in cases {
            assert_eq!(detect(head), None, "{}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn describes_what_it_saw() {
        assert_eq!(describe(b""), "the file is empty");
        assert_eq!(describe(b"\x00\x01\xff"), "it looks like binary data");
        assert_eq!(describe(b"hello\nworld"), "it starts with `hello`");
    }
}
