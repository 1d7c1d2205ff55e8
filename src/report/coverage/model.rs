//! The normalized coverage model every format parser produces and the merge step consumes.
//!
//! Counters are integers (`covered` of `total`), never percentages: percentages are for display
//! only and are derived at the edge ([`super::native`] renders each tool's own figure). A metric a
//! format does not carry is `None`, never a made-up zero.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// `covered` of `total` items (lines, branches, functions, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counter {
    pub covered: u64,
    pub total: u64,
}

impl Counter {
    pub const fn new(covered: u64, total: u64) -> Self {
        Counter { covered, total }
    }

    pub fn missed(self) -> u64 {
        self.total.saturating_sub(self.covered)
    }

    /// The exact sum, or `None` when it does not fit in 64 bits.
    pub fn checked_add(self, other: Counter) -> Option<Counter> {
        Some(Counter {
            covered: self.covered.checked_add(other.covered)?,
            total: self.total.checked_add(other.total)?,
        })
    }
}

/// Sum of two counters; saturating, because counts come from untrusted files.
impl std::ops::Add for Counter {
    type Output = Counter;

    fn add(self, other: Counter) -> Counter {
        Counter {
            covered: self.covered.saturating_add(other.covered),
            total: self.total.saturating_add(other.total),
        }
    }
}

/// Adds two optional counters: absent on both sides stays absent.
pub(crate) fn add_opt(a: Option<Counter>, b: Option<Counter>) -> Option<Counter> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The metrics a report can carry. Which ones are present depends on the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub lines: Option<Counter>,
    pub branches: Option<Counter>,
    pub functions: Option<Counter>,
    pub statements: Option<Counter>,
    pub instructions: Option<Counter>,
    pub regions: Option<Counter>,
}

impl Totals {
    /// Metric-wise sum; a metric present on either side is present in the result.
    pub fn add(&self, other: &Totals) -> Totals {
        Totals {
            lines: add_opt(self.lines, other.lines),
            branches: add_opt(self.branches, other.branches),
            functions: add_opt(self.functions, other.functions),
            statements: add_opt(self.statements, other.statements),
            instructions: add_opt(self.instructions, other.instructions),
            regions: add_opt(self.regions, other.regions),
        }
    }

    /// Metric-wise exact sum; `None` when any sum does not fit in 64 bits.
    pub fn checked_add(&self, other: &Totals) -> Option<Totals> {
        let add = |a: Option<Counter>, b: Option<Counter>| match (a, b) {
            (Some(a), Some(b)) => a.checked_add(b).map(Some),
            (a, None) => Some(a),
            (None, b) => Some(b),
        };
        Some(Totals {
            lines: add(self.lines, other.lines)?,
            branches: add(self.branches, other.branches)?,
            functions: add(self.functions, other.functions)?,
            statements: add(self.statements, other.statements)?,
            instructions: add(self.instructions, other.instructions)?,
            regions: add(self.regions, other.regions)?,
        })
    }

    /// The counter for one metric, if the report carries it.
    pub fn get(&self, metric: Metric) -> Option<Counter> {
        match metric {
            Metric::Lines => self.lines,
            Metric::Branches => self.branches,
            Metric::Functions => self.functions,
            Metric::Statements => self.statements,
            Metric::Instructions => self.instructions,
            Metric::Regions => self.regions,
            Metric::StatementsAndBranches => {
                match (self.statements.or(self.lines), self.branches) {
                    (Some(s), Some(b)) => Some(s + b),
                    (s, None) => s,
                    (None, Some(_)) => None,
                }
            }
        }
    }
}

/// A coverage metric. `StatementsAndBranches` is coverage.py's combined figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Lines,
    Branches,
    Functions,
    Statements,
    Instructions,
    Regions,
    StatementsAndBranches,
}

impl Metric {
    /// The metric in words, as the terminal and the summary name it.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Lines => "lines",
            Metric::Branches => "branches",
            Metric::Functions => "functions",
            Metric::Statements => "statements",
            Metric::Instructions => "instructions",
            Metric::Regions => "regions",
            Metric::StatementsAndBranches => "statements and branches",
        }
    }
}

/// One Go coverprofile block: `file:startLine.startCol,endLine.endCol numStmt count`.
///
/// Kept per file so that merging Go profiles can follow `go tool cover` exactly (same block →
/// counts OR-ed in `set` mode, summed otherwise) and statements can be recounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Block {
    pub start_line: u32,
    pub start_col: u32,
    pub end_line: u32,
    pub end_col: u32,
    pub statements: u64,
    pub count: u64,
}

/// Coverage of one source file as the report names it (paths are not rewritten here).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct FileCoverage {
    /// The file's own totals, taken the way the format defines them.
    pub totals: Totals,
    /// Executable line → hit count, where the format has line data. Formats that only know
    /// "covered or not" (coverage.py JSON) store 1 and 0.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub lines: BTreeMap<u32, u64>,
    /// Line → branches taken of branches on that line, where the format has branch data.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub branches: BTreeMap<u32, Counter>,
    /// Go statement blocks (Go coverprofiles only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
}

impl FileCoverage {
    /// Lines hit at least once of lines with data.
    pub fn line_counter(&self) -> Counter {
        let covered = self.lines.values().filter(|&&hits| hits > 0).count() as u64;
        Counter::new(covered, self.lines.len() as u64)
    }

    /// Sum of the per-line branch counters.
    pub fn branch_counter(&self) -> Counter {
        self.branches
            .values()
            .fold(Counter::default(), |acc, c| acc + *c)
    }

    /// [`Self::statement_counter`] in exact arithmetic: `None` when the sum does not fit in
    /// 64 bits.
    pub fn checked_statement_counter(&self) -> Option<Counter> {
        self.blocks.iter().try_fold(Counter::default(), |acc, b| {
            let covered = if b.count > 0 { b.statements } else { 0 };
            acc.checked_add(Counter::new(covered, b.statements))
        })
    }

    /// Statements in blocks that ran of all statements (Go's statement-weighted figure).
    /// Saturating: callers that merge blocks from several inputs use
    /// [`Self::checked_statement_counter`].
    pub fn statement_counter(&self) -> Counter {
        self.blocks.iter().fold(Counter::default(), |acc, b| {
            let covered = if b.count > 0 { b.statements } else { 0 };
            acc + Counter::new(covered, b.statements)
        })
    }
}

/// Builds a line → hits map from `(line, hits)` pairs, summing repeated lines. Parsers collect
/// pairs in file order (already sorted in practice), so this is a linear bulk build instead of
/// one tree insertion per line.
pub(crate) fn collect_lines(mut pairs: Vec<(u32, u64)>) -> BTreeMap<u32, u64> {
    collect_lines_from(&mut pairs)
}

/// [`collect_lines`] that leaves `pairs` empty with its capacity, for a parser that reuses one
/// buffer for every file instead of growing a new one each time.
pub(crate) fn collect_lines_from(pairs: &mut Vec<(u32, u64)>) -> BTreeMap<u32, u64> {
    collect(pairs, |into, hits| *into = into.saturating_add(hits))
}

/// Builds a line → branches map from `(line, counter)` pairs, folding repeated lines with `fold`.
pub(crate) fn collect_branches(
    pairs: Vec<(u32, Counter)>,
    fold: fn(Counter, Counter) -> Counter,
) -> BTreeMap<u32, Counter> {
    let mut pairs = pairs;
    collect_branches_from(&mut pairs, fold)
}

/// [`collect_branches`] that leaves `pairs` empty with its capacity.
pub(crate) fn collect_branches_from(
    pairs: &mut Vec<(u32, Counter)>,
    fold: fn(Counter, Counter) -> Counter,
) -> BTreeMap<u32, Counter> {
    collect(pairs, |into, c| *into = fold(*into, c))
}

fn collect<V: Copy>(pairs: &mut Vec<(u32, V)>, fold: impl FnMut(&mut V, V)) -> BTreeMap<u32, V> {
    sort_dedup(pairs, fold);
    pairs.drain(..).collect()
}

/// Sorts `pairs` by line (they usually are) and folds repeated lines into one with `fold`: the
/// input of a map built in bulk.
pub(crate) fn sort_dedup<V: Copy>(pairs: &mut Vec<(u32, V)>, mut fold: impl FnMut(&mut V, V)) {
    if !pairs.is_sorted_by_key(|p| p.0) {
        pairs.sort_by_key(|p| p.0);
    }
    // `later` is dropped after its value is folded into the entry kept for the same line.
    pairs.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            fold(&mut kept.1, later.1);
        }
        same
    });
}

/// The report formats this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Lcov,
    Cobertura,
    Jacoco,
    LlvmJson,
    Go,
    CoveragepyJson,
    IstanbulSummary,
    IstanbulJson,
    Clover,
    Simplecov,
    GcovrJson,
    Opencover,
}

impl Format {
    pub const ALL: [Format; 12] = [
        Format::Lcov,
        Format::Cobertura,
        Format::Jacoco,
        Format::LlvmJson,
        Format::Go,
        Format::CoveragepyJson,
        Format::IstanbulSummary,
        Format::IstanbulJson,
        Format::Clover,
        Format::Simplecov,
        Format::GcovrJson,
        Format::Opencover,
    ];

    /// The name users write on the command line and in the config file.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Lcov => "lcov",
            Format::Cobertura => "cobertura",
            Format::Jacoco => "jacoco",
            Format::LlvmJson => "llvm-json",
            Format::Go => "go",
            Format::CoveragepyJson => "coveragepy-json",
            Format::IstanbulSummary => "istanbul-summary",
            Format::IstanbulJson => "istanbul-json",
            Format::Clover => "clover",
            Format::Simplecov => "simplecov",
            Format::GcovrJson => "gcovr-json",
            Format::Opencover => "opencover",
        }
    }

    /// All names, comma-separated, for error messages.
    pub fn names() -> String {
        Format::ALL.map(Format::as_str).join(", ")
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown format name; the message lists the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown coverage format `{0}`; expected one of: {names}", names = Format::names())]
pub struct UnknownFormatName(pub String);

impl FromStr for Format {
    type Err = UnknownFormatName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormatName(s.to_owned()))
    }
}

/// The tool that wrote a report, when the file says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    #[serde(rename = "coverage.py")]
    CoveragePy,
    LlvmCov,
    Istanbul,
    Go,
    Jacoco,
    #[serde(rename = "phpunit")]
    PhpUnit,
    #[serde(rename = "simplecov")]
    SimpleCov,
    Gcovr,
}

impl Tool {
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::CoveragePy => "coverage.py",
            Tool::LlvmCov => "llvm-cov",
            Tool::Istanbul => "istanbul",
            Tool::Go => "go",
            Tool::Jacoco => "jacoco",
            Tool::PhpUnit => "phpunit",
            Tool::SimpleCov => "simplecov",
            Tool::Gcovr => "gcovr",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a report came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportSource {
    /// The path (or name) the report was read from, as given.
    pub path: String,
    pub format: Format,
    pub tool: Option<Tool>,
    /// The version the file states for its producer. For llvm-cov exports this is the export
    /// schema version (`"version": "2.0.1"`), the only version the file carries.
    pub tool_version: Option<String>,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// The counting mode of a Go coverprofile (`mode: set|count|atomic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go_mode: Option<GoMode>,
    /// Go blocks listed more than once (`-coverpkg` runs) that were merged into one, when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_blocks: Option<u64>,
    /// Lines the tool was told to exclude (coverage.py's `# pragma: no cover`), when the report
    /// says how many; they count in no figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded_lines: Option<u64>,
    /// What the reader tolerated and how it read it instead (an optional attribute it could not
    /// read, and the figure it recounted), each naming the file and the line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// How a Go coverprofile counted: `set` records 0/1, `count` and `atomic` record hit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GoMode {
    Set,
    Count,
    Atomic,
}

/// The producing tool's own headline figure, rendered exactly as that tool prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Native {
    pub tool: Tool,
    pub metric: Metric,
    pub covered: u64,
    pub total: u64,
    /// The number the tool prints, without the `%` sign (`"66"`, `"73.91"`, `"75.0"`).
    pub percent: String,
}

/// One parsed report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageReport {
    pub source: ReportSource,
    /// Report-level totals, taken the way the format or tool defines them (never averaged).
    pub totals: Totals,
    /// Per-file coverage keyed by the path the report uses.
    pub files: BTreeMap<String, FileCoverage>,
    /// The tool's own headline figure, where the report identifies the tool.
    pub native: Option<Native>,
    /// Directories the report says its file paths are relative to (Cobertura `<source>`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_roots: Vec<String>,
}

/// Coverage from one or more reports, ready for gates and patch coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub sources: Vec<ReportSource>,
    /// True when more than one report went in; totals are then recomputed (see
    /// [`super::merge::merge`]).
    pub merged: bool,
    pub totals: Totals,
    pub files: BTreeMap<String, FileCoverage>,
    /// The producing tool's figure; only for a single report, since no tool printed a figure
    /// for a merge it never saw.
    pub native: Option<Native>,
    /// Files whose stated line totals (lcov `LF`/`LH`) disagree with their line records, which
    /// the totals above count instead; for `--explain`.
    pub stated_lines: Option<StatedLines>,
}

/// Stated line totals that disagree with the line records, summed over the files concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct StatedLines {
    pub files: u64,
    pub stated: Counter,
    pub records: Counter,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        }
        let err = "emma".parse::<Format>().unwrap_err();
        assert!(err.to_string().contains("`emma`"), "{err}");
        assert!(err.to_string().contains("istanbul-summary"), "{err}");
    }

    #[test]
    fn totals_add_keeps_absent_metrics_absent() {
        let a = Totals {
            lines: Some(Counter::new(1, 2)),
            ..Totals::default()
        };
        let b = Totals {
            lines: Some(Counter::new(3, 4)),
            branches: Some(Counter::new(0, 2)),
            ..Totals::default()
        };
        let sum = a.add(&b);
        assert_eq!(sum.lines, Some(Counter::new(4, 6)));
        assert_eq!(sum.branches, Some(Counter::new(0, 2)));
        assert_eq!(sum.functions, None);
        assert_eq!(
            sum.get(Metric::StatementsAndBranches),
            Some(Counter::new(4, 8))
        );
    }

    #[test]
    fn counters_saturate_instead_of_overflowing() {
        let c = Counter::new(u64::MAX, u64::MAX) + Counter::new(1, 1);
        assert_eq!(c, Counter::new(u64::MAX, u64::MAX));
    }

    #[test]
    fn file_counters_from_line_and_block_data() {
        let mut f = FileCoverage::default();
        f.lines.extend([(1, 3), (2, 0), (3, 1)]);
        f.branches.insert(3, Counter::new(1, 2));
        f.blocks.push(Block {
            start_line: 1,
            start_col: 1,
            end_line: 2,
            end_col: 2,
            statements: 2,
            count: 0,
        });
        f.blocks.push(Block {
            start_line: 3,
            start_col: 1,
            end_line: 3,
            end_col: 9,
            statements: 1,
            count: 4,
        });
        assert_eq!(f.line_counter(), Counter::new(2, 3));
        assert_eq!(f.branch_counter(), Counter::new(1, 2));
        assert_eq!(f.statement_counter(), Counter::new(1, 3));
    }
}
