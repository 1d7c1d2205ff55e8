//! Go coverprofiles (`go test -coverprofile`), read line by line.
//!
//! Format (golang.org/x/tools/cover `ParseProfiles`): a first line `mode: set|count|atomic`, then
//! one block per line, `import/path/file.go:startLine.startCol,endLine.endCol numStmt count`.
//! `-coverpkg` runs repeat blocks; they are merged exactly as `ParseProfiles` merges them (see
//! [`super::merge::dedup_blocks`]). Totals are statement-weighted like `go test -cover` and
//! `go tool cover -func`: statements in blocks that ran of all statements.
//!
//! Line data (for patch coverage) is derived from blocks: every line a block with statements
//! spans is executable, with the largest count of the blocks spanning it. Go has no line metric,
//! so the totals carry statements only. Profiles concatenated from several runs may repeat the
//! `mode:` line; that is accepted when the mode is the same.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use super::input::{Lines, excerpt, malformed};
use super::merge::dedup_blocks;
use super::model::{Block, Counter, FileCoverage, GoMode, Tool, Totals};
use super::native;
use super::parse::Parsed;
use super::source::Source;
use crate::report::{Position, ReportError};

/// Block spans may derive at most this many (file, line) entries, plus [`DERIVED_LINES_PER_BLOCK`]
/// for each block read, so memory stays proportional to the input: a 2 KB hostile profile with a
/// block spanning millions of lines used to build a map of hundreds of megabytes (found by
/// fuzzing). Real blocks span a few lines each.
const BASE_DERIVED_LINES: u64 = 1024 * 1024;
const DERIVED_LINES_PER_BLOCK: u64 = 64;

const BLOCK_SYNTAX: &str = "<file>:<line>.<column>,<line>.<column> <statements> <count>";

pub(super) fn parse<R: Read>(name: &str, source: &mut Source<R>) -> Result<Parsed, ReportError> {
    let mut lines = Lines::new(name, source);
    let mut mode: Option<GoMode> = None;
    let mut blocks: HashMap<String, Vec<Block>> = HashMap::new();
    let mut span_budget = BASE_DERIVED_LINES;
    // Every statement count summed as read: when this fits in 64 bits, so does every total
    // derived from the blocks (merging only removes blocks), and no saturated sum can read
    // as 100% while a block went uncovered.
    let mut statements_read = 0u64;
    while let Some(current) = lines.next_line()? {
        let line = current.text()?;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(value) = line.strip_prefix("mode:") {
            let this = parse_mode(value.trim()).ok_or_else(|| {
                current.error(format!(
                    "expected `mode: set`, `mode: count` or `mode: atomic`, found `{}`",
                    excerpt(line)
                ))
            })?;
            if mode.is_some_and(|m| m != this) {
                return Err(current.error(
                    "a second `mode:` line with a different mode; profiles of different modes cannot be combined",
                ));
            }
            mode = Some(this);
            continue;
        }
        if mode.is_none() {
            return Err(current.error(format!(
                "expected `mode: set|count|atomic` before any block, found `{}`",
                excerpt(line)
            )));
        }
        let (file, block) = parse_block(line).ok_or_else(|| {
            current.error(format!(
                "expected `{BLOCK_SYNTAX}`, found `{}`",
                excerpt(line)
            ))
        })?;
        if (block.end_line, block.end_col) < (block.start_line, block.start_col) {
            return Err(current.error("the block ends before it starts"));
        }
        statements_read = statements_read
            .checked_add(block.statements)
            .ok_or_else(|| {
                current.error(
                    "the statement counts add up to more than 2^64; this is not a real profile",
                )
            })?;
        span_budget = span_budget.saturating_add(DERIVED_LINES_PER_BLOCK);
        if block.statements > 0 {
            let span = u64::from(block.end_line - block.start_line) + 1;
            span_budget = span_budget.checked_sub(span).ok_or_else(|| {
                current.error(format!(
                    "the blocks span more than {BASE_DERIVED_LINES} lines plus \
                     {DERIVED_LINES_PER_BLOCK} per block in all; this is not a real profile"
                ))
            })?;
        }
        blocks.entry(file.to_owned()).or_default().push(block);
    }
    let Some(mode) = mode else {
        return Err(malformed(
            name,
            Position::NONE,
            "no `mode:` line; expected a Go coverage profile",
        ));
    };
    let mut files = BTreeMap::new();
    let mut duplicates = 0u64;
    for (path, mut file_blocks) in blocks {
        let listed = file_blocks.len();
        dedup_blocks(&mut file_blocks, mode == GoMode::Set)
            .map_err(|m| malformed(name, Position::NONE, format!("`{}`: {m}", excerpt(&path))))?;
        duplicates += (listed - file_blocks.len()) as u64;
        let mut file = FileCoverage {
            lines: lines_from_blocks(&file_blocks),
            blocks: file_blocks,
            ..FileCoverage::default()
        };
        file.totals.statements = Some(file.statement_counter());
        files.insert(path, file);
    }
    // Present even with no blocks: the format always carries statements ("[no statements]").
    let statements = files
        .values()
        .fold(Counter::default(), |acc, f: &FileCoverage| {
            acc + f.totals.statements.unwrap_or_default()
        });
    let totals = Totals {
        statements: Some(statements),
        ..Totals::default()
    };
    Ok(Parsed {
        native: native::headline(Tool::Go, &totals, None),
        totals,
        files,
        tool: Some(Tool::Go),
        go_mode: Some(mode),
        duplicate_blocks: (duplicates > 0).then_some(duplicates),
        ..Parsed::default()
    })
}

fn parse_mode(value: &str) -> Option<GoMode> {
    match value {
        "set" => Some(GoMode::Set),
        "count" => Some(GoMode::Count),
        "atomic" => Some(GoMode::Atomic),
        _ => None,
    }
}

/// Splits a block line from the end, as `parseLine` does, so file names may contain `:`.
fn parse_block(line: &str) -> Option<(&str, Block)> {
    fn n<T: std::str::FromStr>(s: &str) -> Option<T> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    }
    let (rest, count) = line.rsplit_once(' ')?;
    let (rest, statements) = rest.rsplit_once(' ')?;
    let (rest, end_col) = rest.rsplit_once('.')?;
    let (rest, end_line) = rest.rsplit_once(',')?;
    let (rest, start_col) = rest.rsplit_once('.')?;
    let (file, start_line) = rest.rsplit_once(':')?;
    if file.is_empty() {
        return None;
    }
    Some((
        file,
        Block {
            start_line: n(start_line)?,
            start_col: n(start_col)?,
            end_line: n(end_line)?,
            end_col: n(end_col)?,
            statements: n(statements)?,
            count: n(count)?,
        },
    ))
}

/// Line → largest count of the blocks with statements that span the line.
pub(super) fn lines_from_blocks(blocks: &[Block]) -> BTreeMap<u32, u64> {
    let mut lines = BTreeMap::new();
    for b in blocks.iter().filter(|b| b.statements > 0) {
        for line in b.start_line..=b.end_line {
            let slot = lines.entry(line).or_insert(0);
            *slot = (*slot).max(b.count);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::coverage::{Format, parse_reader};

    fn parse_str(text: &str) -> Result<crate::report::coverage::CoverageReport, ReportError> {
        parse_reader("cover.out", text.as_bytes(), Format::Go)
    }

    #[test]
    fn statement_weighted_totals_and_lines() {
        let r = parse_str(
            "mode: set\n\
             example.com/m/a.go:3.20,5.2 2 1\n\
             example.com/m/a.go:7.10,9.3 3 0\n\
             example.com/m/b.go:1.1,1.9 1 1\n",
        )
        .unwrap();
        assert_eq!(r.totals.statements, Some(Counter::new(3, 6)));
        assert_eq!(r.totals.lines, None);
        let a = &r.files["example.com/m/a.go"];
        assert_eq!(a.totals.statements, Some(Counter::new(2, 5)));
        assert_eq!(a.lines.get(&4), Some(&1));
        assert_eq!(a.lines.get(&8), Some(&0));
        assert_eq!(a.lines.get(&6), None);
        let native = r.native.unwrap();
        assert_eq!(
            (native.percent.as_str(), native.covered, native.total),
            ("50.0", 3, 6)
        );
        assert_eq!(r.source.go_mode, Some(GoMode::Set));
    }

    #[test]
    fn duplicate_blocks_merge_like_parse_profiles() {
        let set =
            parse_str("mode: set\nm/a.go:1.1,2.2 2 0\nm/a.go:1.1,2.2 2 1\nm/a.go:1.1,2.2 2 1\n")
                .unwrap();
        let blocks = &set.files["m/a.go"].blocks;
        assert_eq!((blocks.len(), blocks[0].count), (1, 1));
        assert_eq!(set.totals.statements, Some(Counter::new(2, 2)));
        let count =
            parse_str("mode: count\nm/a.go:1.1,2.2 2 3\nm/a.go:4.1,5.2 1 0\nm/a.go:1.1,2.2 2 4\n")
                .unwrap();
        let blocks = &count.files["m/a.go"].blocks;
        assert_eq!((blocks.len(), blocks[0].count), (2, 7));
        assert_eq!(count.totals.statements, Some(Counter::new(2, 3)));
    }

    #[test]
    fn inconsistent_statement_counts_are_an_error() {
        let err = parse_str("mode: count\nm/a.go:1.1,2.2 2 3\nm/a.go:1.1,2.2 3 1\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`m/a.go`: block 1.1,2.2 has 2 statements"),
            "{err}"
        );
    }

    #[test]
    fn file_names_may_contain_colons_and_modes_may_repeat() {
        let r = parse_str(
            "mode: atomic\nC:/src/a.go:1.1,1.5 1 9\nmode: atomic\nC:/src/a.go:2.1,2.5 1 0\n",
        )
        .unwrap();
        assert_eq!(
            r.files["C:/src/a.go"].totals.statements,
            Some(Counter::new(1, 2))
        );
    }

    #[test]
    fn malformed_profiles_name_the_line() {
        let cases = [
            (
                "m/a.go:1.1,2.2 1 1\n",
                "line 1: expected `mode: set|count|atomic` before any block",
            ),
            ("mode: sometimes\n", "line 1: expected `mode: set`"),
            (
                "mode: set\nm/a.go:1.1,2.2 1\n",
                "line 2: expected `<file>:<line>.<column>",
            ),
            (
                "mode: set\nm/a.go:1.1,2.2 1 -1\n",
                "line 2: expected `<file>:",
            ),
            ("mode: set\n:1.1,2.2 1 1\n", "line 2: expected `<file>:"),
            (
                "mode: set\nm/a.go:5.1,2.2 1 1\n",
                "line 2: the block ends before it starts",
            ),
            ("mode: set\nmode: count\n", "line 2: a second `mode:` line"),
            ("\n\n", "no `mode:` line"),
            (
                "mode: set\nm/a.go:1.1,4000000000.1 1 1\n",
                "line 2: the blocks span more than",
            ),
        ];
        for (input, expected) in cases {
            let err = parse_str(input).unwrap_err().to_string();
            assert!(err.starts_with("coverage report `cover.out`: "), "{err}");
            assert!(err.contains(expected), "{input:?}: {err}");
        }
    }

    #[test]
    fn a_small_profile_cannot_derive_millions_of_lines() {
        // Found by `cargo fuzz run go` (docs/fuzzing.md): a 2.7 KB profile whose block
        // `37.11,4666660.3` built a line map of 4.6 million entries (over 512 MB under ASan).
        let mut input = String::from("mode: set\n");
        for i in 1..40 {
            input.push_str(&format!("m/a.go:{i}.1,{i}.9 1 1\n"));
        }
        input.push_str("m/a.go:37.11,4666660.3 2 0\n");
        let err = parse_str(&input).unwrap_err().to_string();
        assert!(
            err.contains("line 41: the blocks span more than 1048576 lines plus 64 per block"),
            "{err}"
        );
        // The fuzzer's input itself fails the same way, at once.
        let found = include_bytes!(
            "../../../fuzz/regressions/go/oom-09b5d21cfccbf6b05a8087195a14f1106fa54add"
        );
        let err = parse_reader("cover.out", &found[..], Format::Go)
            .unwrap_err()
            .to_string();
        assert!(err.contains("the blocks span more than"), "{err}");
        // A long block within the allowance is still read.
        let r = parse_str("mode: set\nm/a.go:1.1,1000000.1 1 1\n").unwrap();
        assert_eq!(r.files["m/a.go"].lines.len(), 1_000_000);
    }

    #[test]
    fn empty_profile_has_no_native_figure() {
        let r = parse_str("mode: set\n").unwrap();
        assert_eq!(r.totals.statements, Some(Counter::new(0, 0)));
        assert_eq!(r.native, None);
    }
}
