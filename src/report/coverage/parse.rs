//! Entry points: open a report, recognize or take its format, run the matching streaming parser,
//! and fingerprint the bytes.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufRead;
use std::path::Path;

use super::detect::Detected;
use super::input::{malformed, read_error};
use super::model::{
    CoverageReport, FileCoverage, Format, GoMode, Native, ReportSource, Tool, Totals,
};
use super::source::Source;
use super::{
    clover, cobertura, coveragepy_json, detect, gcovr_json, go, istanbul, istanbul_json, jacoco,
    lcov, llvm_json, opencover, simplecov,
};
use crate::report::{Position, ReportError, ReportKind};

/// How much of the file format detection looks at.
const HEAD: usize = 64 * 1024;

/// What a format parser returns; [`parse_reader`] adds the source description.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    pub totals: Totals,
    pub files: BTreeMap<String, FileCoverage>,
    pub tool: Option<Tool>,
    pub tool_version: Option<String>,
    pub native: Option<Native>,
    pub source_roots: Vec<String>,
    pub go_mode: Option<GoMode>,
    pub duplicate_blocks: Option<u64>,
    pub excluded_lines: Option<u64>,
    pub warnings: Vec<String>,
}

/// Reads the report at `path`. Its format is `forced`, or else recognized from the first bytes
/// (see [`detect::detect`]).
pub fn parse_file(path: &Path, forced: Option<Format>) -> Result<CoverageReport, ReportError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| read_error(&name, e))?;
    // Read and hashed ahead on a second thread; the first chunk is at least HEAD bytes (or the
    // whole file).
    let mut input = Source::read_ahead(file);
    let format = match forced {
        Some(format) => format,
        None => {
            let head = input.fill_buf().map_err(|e| read_error(&name, e))?;
            detect_format(&name, &head[..head.len().min(HEAD)])?
        }
    };
    parse_source(&name, input, format)
}

/// The format of report `name` from its first bytes, or why it cannot be read.
fn detect_format(name: &str, head: &[u8]) -> Result<Format, ReportError> {
    match detect::identify(head) {
        Some(Detected::Coverage(format)) => Ok(format),
        Some(Detected::Unsupported { what, hint }) => Err(ReportError::Unsupported {
            kind: ReportKind::Coverage,
            name: name.to_owned(),
            what: what.to_owned(),
            expected: Format::names(),
            hint: hint.to_owned(),
        }),
        None => Err(ReportError::UnknownFormat {
            kind: ReportKind::Coverage,
            name: name.to_owned(),
            seen: detect::describe(head),
            expected: Format::names(),
        }),
    }
}

/// Reads a report of a known `format` from `reader`; `name` is used in errors and in the
/// result's [`ReportSource::path`].
pub fn parse_reader(
    name: &str,
    reader: impl BufRead + Send,
    format: Format,
) -> Result<CoverageReport, ReportError> {
    parse_source(name, Source::new(reader), format)
}

fn parse_source<R: std::io::Read + Send>(
    name: &str,
    mut input: Source<R>,
    format: Format,
) -> Result<CoverageReport, ReportError> {
    if input
        .fill_buf()
        .map_err(|e| read_error(name, e))?
        .is_empty()
    {
        return Err(malformed(
            name,
            Position::NONE,
            format!("the file is empty; expected a coverage report in `{format}` format"),
        ));
    }
    // A UTF-8 byte order mark is not part of any format; it still counts in the hash.
    if input
        .fill_buf()
        .map_err(|e| read_error(name, e))?
        .starts_with(b"\xEF\xBB\xBF")
    {
        input.consume(3);
    }
    let parsed = match format {
        Format::Lcov => lcov::parse(name, &mut input)?,
        Format::Cobertura => cobertura::parse(name, &mut input)?,
        Format::Jacoco => jacoco::parse(name, &mut input)?,
        Format::LlvmJson => llvm_json::parse(name, &mut input)?,
        Format::Go => go::parse(name, &mut input)?,
        Format::CoveragepyJson => coveragepy_json::parse(name, &mut input)?,
        Format::IstanbulSummary => istanbul::parse(name, &mut input)?,
        Format::IstanbulJson => istanbul_json::parse(name, &mut input)?,
        Format::Clover => clover::parse(name, &mut input)?,
        Format::Simplecov => simplecov::parse(name, &mut input)?,
        Format::GcovrJson => gcovr_json::parse(name, &mut input)?,
        Format::Opencover => opencover::parse(name, &mut input)?,
    };
    let sha256 = input.finish().map_err(|e| read_error(name, e))?;
    Ok(CoverageReport {
        source: ReportSource {
            path: name.to_owned(),
            format,
            tool: parsed.tool,
            tool_version: parsed.tool_version,
            sha256,
            go_mode: parsed.go_mode,
            duplicate_blocks: parsed.duplicate_blocks,
            excluded_lines: parsed.excluded_lines,
            warnings: parsed.warnings,
        },
        totals: parsed.totals,
        files: parsed.files,
        native: parsed.native,
        source_roots: parsed.source_roots,
    })
}

/// Runs a parser in two stages: `read` parses and hands batches of finished items to a `send`
/// function, `file` turns each batch into the result (and may leave it emptied for reuse). A
/// report larger than one buffer is read on a second thread while this one files, with at most
/// `waiting` batches between them; a smaller one is read here alone, where a thread costs more
/// than it saves. Filing stays on this thread so the result's memory comes from the main
/// allocator arena. Only `read` can fail, so errors are those of a single-threaded read.
pub(super) fn in_two_stages<R, B, T>(
    name: &str,
    source: &mut Source<R>,
    thread: &str,
    waiting: usize,
    read: impl FnOnce(
        &mut Source<R>,
        &mut dyn FnMut(Vec<B>) -> Option<Vec<B>>,
    ) -> Result<T, ReportError>
    + Send,
    mut file: impl FnMut(&mut Vec<B>),
) -> Result<T, ReportError>
where
    R: std::io::Read + Send,
    B: Send,
    T: Send,
{
    if source.is_small() {
        return read(source, &mut |mut batch| {
            file(&mut batch);
            Some(batch)
        });
    }
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<B>>(waiting);
    let (spare_tx, spare_rx) = std::sync::mpsc::sync_channel::<Vec<B>>(waiting + 2);
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name(thread.into())
            .spawn_scoped(scope, move || {
                read(source, &mut |batch| {
                    // The filing side only stops early by panicking, which is passed on.
                    let _ = full_tx.send(batch);
                    spare_rx.try_recv().ok()
                })
            })
            .map_err(|e| read_error(name, e))?;
        for mut batch in full_rx {
            file(&mut batch);
            let _ = spare_tx.try_send(batch);
        }
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content).unwrap();
        f
    }

    #[test]
    fn detects_and_fingerprints_the_whole_file() {
        let content = b"TN:\nSF:a.c\nDA:1,1\nLF:1\nLH:1\nend_of_record\n\n\n";
        let f = file(content);
        let r = parse_file(f.path(), None).unwrap();
        assert_eq!(r.source.format, Format::Lcov);
        assert_eq!(r.source.path, f.path().display().to_string());
        // The trailing blank lines belong to the file too.
        let expected: String = {
            use sha2::{Digest, Sha256};
            Sha256::digest(content)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        assert_eq!(r.source.sha256, expected);
    }

    #[test]
    fn a_wrong_forced_format_is_an_error() {
        let f = file(b"mode: set\nm/a.go:1.1,2.2 1 1\n");
        assert_eq!(
            parse_file(f.path(), None).unwrap().source.format,
            Format::Go
        );
        for format in [
            Format::Lcov,
            Format::Cobertura,
            Format::Jacoco,
            Format::LlvmJson,
            Format::CoveragepyJson,
            Format::IstanbulSummary,
            Format::IstanbulJson,
            Format::Clover,
            Format::Simplecov,
            Format::GcovrJson,
            Format::Opencover,
        ] {
            let e = parse_file(f.path(), Some(format)).unwrap_err();
            assert!(matches!(e, ReportError::Malformed { .. }), "{format}: {e}");
        }
    }

    #[test]
    fn unknown_content_asks_for_the_format() {
        let f = file(b"\x7fELF\x02\x01\x01\x00\x00\x00");
        let e = parse_file(f.path(), None).unwrap_err().to_string();
        assert!(
            e.contains("cannot tell its format from the content (it looks like binary data)"),
            "{e}"
        );
        assert!(
            e.contains(
                "lcov, cobertura, jacoco, llvm-json, go, coveragepy-json, istanbul-summary, \
                 istanbul-json, clover, simplecov, gcovr-json, opencover"
            ),
            "{e}"
        );
        let e = parse_file(file(b"").path(), None).unwrap_err().to_string();
        assert!(e.contains("(the file is empty)"), "{e}");
    }

    #[test]
    fn missing_files_are_read_errors() {
        let e = parse_file(Path::new("no/such/lcov.info"), None).unwrap_err();
        assert!(matches!(e, ReportError::Read { .. }));
        assert!(
            e.to_string()
                .starts_with("coverage report `no/such/lcov.info`: cannot read it: "),
            "{e}"
        );
        assert_eq!(crate::Error::from(e).exit_code(), crate::ExitCode::Invalid);
    }
}
