//! Merging several reports (or several records of one file inside a report) into one view.
//!
//! The rules, chosen so a merged figure is never better than the evidence:
//! - Lines are merged by (file, line): hit counts are summed, so a line is covered when any
//!   report covered it.
//! - Branches per line: no common format names branches stably across tools, so the merged line
//!   keeps the larger `covered` and the larger `total` of the inputs (a lower bound of the union
//!   when both describe the same code).
//! - Go blocks are merged as `go tool cover` merges duplicate blocks (`ParseProfiles` in
//!   golang.org/x/tools/cover): the same block (same start and end) has its counts OR-ed in `set`
//!   mode and summed in `count`/`atomic` mode, and a block whose statement count changed is an
//!   error (the two profiles are of different code).
//! - A file that appears in several inputs has its totals recomputed from the merged data: lines
//!   from line hits, branches from per-line branches, statements from Go blocks. A metric with no
//!   data to recompute from (functions, instructions, regions, or a side without line data) keeps
//!   the larger `covered` and larger `total` of the inputs, again a lower bound.
//! - The totals of a merge are the sum of its files' totals; a tool's own headline (`native`) is
//!   dropped, because no tool printed a figure for a merge it never saw.

use std::collections::BTreeMap;

use super::go;
use super::model::{
    Block, Counter, Coverage, CoverageReport, FileCoverage, GoMode, StatedLines, Totals,
};
use crate::report::{ReportError, ReportKind};

/// Merges reports into one [`Coverage`]. A single report keeps its native figure (`merged` is
/// false) and is counted by the same rules as a merge — each file's lines, branches and
/// statements from its records, the totals their sum — so that merging a report with itself
/// changes nothing (lcov's `LF`/`LH` and llvm-cov's summaries count lines that carry no
/// record: 89 against 88 in `tests/fixtures/coverage/cargo-llvm-cov`); two or more are merged
/// by the rules in the module documentation.
///
/// Fails when two Go profiles give the same block different statement counts, and when the
/// totals overflow 64 bits (a saturated sum could hide an uncovered block).
pub fn merge(reports: Vec<CoverageReport>) -> Result<Coverage, ReportError> {
    if reports.len() <= 1 {
        return Ok(match reports.into_iter().next() {
            Some(mut r) if !r.files.is_empty() => {
                let stated_lines = stated_lines(&r.files, StatedLines::default());
                for file in r.files.values_mut() {
                    recount(file);
                }
                let totals = sum_files(&r.files).map_err(|m| overflow(&r.source.path, m))?;
                Coverage {
                    sources: vec![r.source],
                    merged: false,
                    totals,
                    files: r.files,
                    native: r.native,
                    stated_lines: (stated_lines.files > 0).then_some(stated_lines),
                }
            }
            Some(r) => Coverage {
                sources: vec![r.source],
                merged: false,
                totals: r.totals,
                files: r.files,
                native: r.native,
                stated_lines: None,
            },
            None => Coverage {
                sources: Vec::new(),
                merged: false,
                totals: Totals::default(),
                files: BTreeMap::new(),
                native: None,
                stated_lines: None,
            },
        });
    }
    let mut files: BTreeMap<String, (FileCoverage, String, bool)> = BTreeMap::new();
    let mut sources = Vec::with_capacity(reports.len());
    let mut stated = StatedLines::default();
    for report in reports {
        stated = stated_lines(&report.files, stated);
        let set_mode = report.source.go_mode == Some(GoMode::Set);
        let name = report.source.path.clone();
        for (path, file) in report.files {
            match files.get_mut(&path) {
                None => {
                    files.insert(path, (file, name.clone(), set_mode));
                }
                Some((into, first, into_set)) => {
                    *into_set &= set_mode;
                    absorb(into, file, *into_set).map_err(|message| ReportError::Conflict {
                        kind: ReportKind::Coverage,
                        first: first.clone(),
                        second: name.clone(),
                        file: path.clone(),
                        message,
                    })?;
                }
            }
        }
        sources.push(report.source);
    }
    let files: BTreeMap<String, FileCoverage> =
        files.into_iter().map(|(k, (f, _, _))| (k, f)).collect();
    let names: Vec<&str> = sources.iter().map(|s| s.path.as_str()).collect();
    let totals = sum_files(&files).map_err(|m| overflow(&names.join("`, `"), m))?;
    Ok(Coverage {
        sources,
        merged: true,
        totals,
        files,
        native: None,
        stated_lines: (stated.files > 0).then_some(stated),
    })
}

/// Merges `from` into `into` (the same source file) and recomputes `into`'s totals. `set_mode`
/// says both sides' Go blocks were counted in `set` mode. Returns a message on a Go block
/// conflict.
pub(super) fn absorb(
    into: &mut FileCoverage,
    from: FileCoverage,
    set_mode: bool,
) -> Result<(), String> {
    let both_lines = !into.lines.is_empty() && !from.lines.is_empty();
    let both_branches = !into.branches.is_empty() && !from.branches.is_empty();
    let both_blocks = !into.blocks.is_empty() && !from.blocks.is_empty();
    let old = into.totals;
    let new = from.totals;

    if both_blocks {
        merge_blocks(&mut into.blocks, from.blocks, set_mode)?;
        // Go line data is derived from blocks, so it is derived again rather than summed.
        into.lines = go::lines_from_blocks(&into.blocks);
    } else {
        into.blocks.extend(from.blocks);
        for (line, hits) in from.lines {
            let slot = into.lines.entry(line).or_insert(0);
            *slot = slot.saturating_add(hits);
        }
    }
    for (line, counter) in from.branches {
        let slot = into.branches.entry(line).or_default();
        *slot = max_counter(*slot, counter);
    }

    into.totals = Totals {
        // A metric is recomputed only where it existed: Go profiles have line data for patch
        // coverage but no line metric, and merging must not invent one.
        lines: match old.lines.or(new.lines) {
            Some(_) if both_lines => Some(into.line_counter()),
            _ => max_opt(old.lines, new.lines),
        },
        branches: match old.branches.or(new.branches) {
            Some(_) if both_branches => Some(into.branch_counter()),
            _ => max_opt(old.branches, new.branches),
        },
        statements: match old.statements.or(new.statements) {
            Some(_) if both_blocks => Some(into.checked_statement_counter().ok_or(
                "the statement counts add up to more than 2^64; these are not real profiles",
            )?),
            _ => max_opt(old.statements, new.statements),
        },
        functions: max_opt(old.functions, new.functions),
        instructions: max_opt(old.instructions, new.instructions),
        regions: max_opt(old.regions, new.regions),
    };
    Ok(())
}

/// Recounts a file's lines, branches and statements from its records, where it has both the
/// metric and records of it (the rule [`absorb`] applies to a merged file).
fn recount(file: &mut FileCoverage) {
    if file.totals.lines.is_some() && !file.lines.is_empty() {
        file.totals.lines = Some(file.line_counter());
    }
    if file.totals.branches.is_some() && !file.branches.is_empty() {
        file.totals.branches = Some(file.branch_counter());
    }
    if file.totals.statements.is_some() && !file.blocks.is_empty() {
        file.totals.statements = Some(file.statement_counter());
    }
}

/// Adds to `sum` the files whose stated line totals disagree with their line records (Go's
/// line data is derived from blocks and has no stated line total to disagree with).
fn stated_lines(files: &BTreeMap<String, FileCoverage>, mut sum: StatedLines) -> StatedLines {
    for file in files.values() {
        let Some(stated) = file.totals.lines else {
            continue;
        };
        if file.lines.is_empty() || !file.blocks.is_empty() {
            continue;
        }
        let records = file.line_counter();
        if records != stated {
            sum.files += 1;
            sum.stated = sum.stated + stated;
            sum.records = sum.records + records;
        }
    }
    sum
}

/// The metric-wise sum of the files' totals, in exact arithmetic: `Err` when a sum does not
/// fit in 64 bits.
fn sum_files(files: &BTreeMap<String, FileCoverage>) -> Result<Totals, String> {
    files.values().try_fold(Totals::default(), |acc, f| {
        acc.checked_add(&f.totals).ok_or_else(|| {
            "the counts add up to more than 2^64; this is not a real report".to_owned()
        })
    })
}

fn overflow(name: &str, message: String) -> ReportError {
    ReportError::Malformed {
        kind: ReportKind::Coverage,
        name: name.to_owned(),
        at: crate::report::Position::NONE,
        message,
    }
}

/// Merges Go blocks the way `ParseProfiles` does: sorted by position, the same block counted
/// once, its counts OR-ed (`set`) or summed (`count`, `atomic`).
pub(super) fn merge_blocks(
    into: &mut Vec<Block>,
    from: Vec<Block>,
    set_mode: bool,
) -> Result<(), String> {
    into.extend(from);
    dedup_blocks(into, set_mode)
}

/// Sorts blocks by position and folds duplicates in place.
pub(super) fn dedup_blocks(blocks: &mut Vec<Block>, set_mode: bool) -> Result<(), String> {
    // Sorting by start and then end (Go sorts by start only) keeps every duplicate adjacent.
    blocks.sort_by_key(|b| (b.start_line, b.start_col, b.end_line, b.end_col));
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for b in blocks.drain(..) {
        match out.last_mut() {
            Some(last)
                if (last.start_line, last.start_col, last.end_line, last.end_col)
                    == (b.start_line, b.start_col, b.end_line, b.end_col) =>
            {
                if last.statements != b.statements {
                    return Err(format!(
                        "block {}.{},{}.{} has {} statements in one profile and {} in the \
                         other; they were made from different versions of the code",
                        b.start_line,
                        b.start_col,
                        b.end_line,
                        b.end_col,
                        last.statements,
                        b.statements
                    ));
                }
                last.count = if set_mode {
                    last.count | b.count
                } else {
                    last.count.saturating_add(b.count)
                };
            }
            _ => out.push(b),
        }
    }
    *blocks = out;
    Ok(())
}

/// The larger `covered` and the larger `total` of two counters.
pub(super) fn max_counter(a: Counter, b: Counter) -> Counter {
    Counter::new(a.covered.max(b.covered), a.total.max(b.total))
}

fn max_opt(a: Option<Counter>, b: Option<Counter>) -> Option<Counter> {
    match (a, b) {
        (Some(a), Some(b)) => Some(max_counter(a, b)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::coverage::{Format, parse_reader};

    fn report(name: &str, format: Format, text: &str) -> CoverageReport {
        parse_reader(name, text.as_bytes(), format).unwrap()
    }

    #[test]
    fn single_report_passes_through() {
        let r = report(
            "a.out",
            Format::Go,
            "mode: set\nm/a.go:1.1,2.2 2 1\nm/a.go:3.1,4.2 2 0\n",
        );
        let c = merge(vec![r.clone()]).unwrap();
        assert!(!c.merged);
        assert_eq!((c.totals, c.native.clone()), (r.totals, r.native));
        assert_eq!(merge(Vec::new()).unwrap().files.len(), 0);
    }

    #[test]
    fn lines_merge_by_file_and_line_and_totals_are_recomputed() {
        let unit = report(
            "unit.info",
            Format::Lcov,
            "SF:a.c\nDA:1,1\nDA:2,0\nDA:3,0\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nLF:3\nLH:1\nBRF:2\nBRH:1\nFNF:2\nFNH:1\nend_of_record\n\
             SF:only_unit.c\nDA:1,1\nLF:1\nLH:1\nend_of_record\n",
        );
        let e2e = report(
            "e2e.info",
            Format::Lcov,
            "SF:a.c\nDA:1,2\nDA:2,5\nDA:3,0\nBRDA:2,0,0,0\nBRDA:2,0,1,1\nLF:3\nLH:2\nBRF:2\nBRH:1\nFNF:2\nFNH:2\nend_of_record\n",
        );
        let c = merge(vec![unit, e2e]).unwrap();
        assert!(c.merged);
        assert_eq!(c.native, None);
        assert_eq!(c.sources.len(), 2);
        let a = &c.files["a.c"];
        assert_eq!((a.lines[&1], a.lines[&2], a.lines[&3]), (3, 5, 0));
        assert_eq!(a.totals.lines, Some(Counter::new(2, 3)));
        // Per-line branches keep the larger covered and total (identities are not comparable).
        assert_eq!(a.totals.branches, Some(Counter::new(1, 2)));
        assert_eq!(a.totals.functions, Some(Counter::new(2, 2)));
        // Totals are the sum over files: a.c (2/3) + only_unit.c (1/1).
        assert_eq!(c.totals.lines, Some(Counter::new(3, 4)));
    }

    #[test]
    fn go_profiles_merge_blocks_like_go() {
        let a = report(
            "a.out",
            Format::Go,
            "mode: set\nm/a.go:1.1,2.2 2 1\nm/a.go:3.1,4.2 3 0\n",
        );
        let b = report(
            "b.out",
            Format::Go,
            "mode: set\nm/a.go:1.1,2.2 2 1\nm/a.go:3.1,4.2 3 1\n",
        );
        let c = merge(vec![a, b]).unwrap();
        let f = &c.files["m/a.go"];
        assert_eq!(
            f.blocks.iter().map(|b| b.count).collect::<Vec<_>>(),
            [1, 1],
            "set mode ORs"
        );
        assert_eq!(c.totals.statements, Some(Counter::new(5, 5)));
        assert_eq!(c.totals.lines, None, "no line metric is invented for Go");
        assert_eq!(f.lines[&3], 1);

        let a = report("a.out", Format::Go, "mode: count\nm/a.go:1.1,2.2 2 4\n");
        let b = report("b.out", Format::Go, "mode: count\nm/a.go:1.1,2.2 2 3\n");
        let c = merge(vec![a, b]).unwrap();
        assert_eq!(c.files["m/a.go"].blocks[0].count, 7, "count mode sums");
    }

    #[test]
    fn go_blocks_of_different_code_conflict() {
        let a = report("a.out", Format::Go, "mode: set\nm/a.go:1.1,2.2 2 1\n");
        let b = report("b.out", Format::Go, "mode: set\nm/a.go:1.1,2.2 3 1\n");
        let e = merge(vec![a, b]).unwrap_err().to_string();
        assert!(
            e.starts_with("coverage reports `a.out` and `b.out` disagree about `m/a.go`: block 1.1,2.2 has 2 statements"),
            "{e}"
        );
    }

    #[test]
    fn metrics_without_data_keep_the_larger_counter() {
        let summary = |covered: u64| {
            report(
                "s.json",
                Format::IstanbulSummary,
                &format!(
                    r#"{{"total": {{"lines": {{"total": 10, "covered": {covered}}}}}, "a.js": {{"lines": {{"total": 10, "covered": {covered}}}}}}}"#
                ),
            )
        };
        let c = merge(vec![summary(4), summary(7)]).unwrap();
        assert_eq!(c.totals.lines, Some(Counter::new(7, 10)));
    }
}
