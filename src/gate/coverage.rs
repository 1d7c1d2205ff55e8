//! Coverage gates: thresholds on totals, per file, on the patch, and against a baseline; patch
//! coverage from changed lines. Report paths are resolved to repository paths by
//! [`super::paths`].
//!
//! Pass/fail is integer arithmetic on hundredths of a percent: `covered * 10000 >= min * total`
//! with `min` in hundredths, so 80 means 80.00% and a file with 799 of 1000 lines fails 80
//! exactly as a person would expect. Displayed percentages are floored and never read 100.00
//! unless every line is covered.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diff::ChangedLines;
use crate::report::coverage::{Counter, FileCoverage, Metric};

/// A percentage threshold in hundredths (80.5% → 8050).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pct(pub u32);

impl Pct {
    /// `80`, `80.5`, `80.25`, optionally with `%`. At most two decimals, at most 100.
    pub fn parse(s: &str) -> Result<Pct, String> {
        let t = s.trim().trim_end_matches('%');
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let bad = || {
            format!(
                "invalid percentage `{s}`: expected a number from 0 to 100 with at most two decimals, e.g. 80 or 72.5"
            )
        };
        if int.is_empty()
            || frac.len() > 2
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let int: u32 = int.parse().map_err(|_| bad())?;
        let frac: u32 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}").parse().map_err(|_| bad())?
        };
        let v = int
            .checked_mul(100)
            .and_then(|v| v.checked_add(frac))
            .ok_or_else(bad)?;
        if v > 10_000 {
            return Err(bad());
        }
        Ok(Pct(v))
    }

    pub fn holds(self, c: Counter) -> bool {
        u128::from(c.covered) * 10_000 >= u128::from(self.0) * u128::from(c.total)
    }
}

impl std::fmt::Display for Pct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_multiple_of(100) {
            write!(f, "{}%", self.0 / 100)
        } else {
            write!(f, "{}.{:02}%", self.0 / 100, self.0 % 100)
        }
    }
}

/// `covered/total` as a floored percentage with two decimals; "100.00" only when exact.
pub fn percent(c: Counter) -> Option<String> {
    if c.total == 0 {
        return None;
    }
    let mut hundredths = u128::from(c.covered) * 10_000 / u128::from(c.total);
    if hundredths == 10_000 && c.covered < c.total {
        hundredths = 9_999;
    }
    Some(format!("{}.{:02}", hundredths / 100, hundredths % 100))
}

/// A file's counter for the judged metric (`coverage-check --min-file` judges the metric
/// `--metric` chose); `None` when the file does not carry it. For the native figure (no tool
/// prints one per file) a file is judged on its lines, statements for Go.
pub fn file_counter(f: &FileCoverage, metric: Option<Metric>) -> Option<Counter> {
    match metric {
        Some(m) => f.totals.get(m).or_else(|| match m {
            Metric::Lines if !f.lines.is_empty() => Some(f.line_counter()),
            Metric::Branches if !f.branches.is_empty() => Some(f.branch_counter()),
            _ => None,
        }),
        None => Some(
            f.totals
                .lines
                .or(f.totals.statements)
                .unwrap_or_else(|| f.line_counter()),
        ),
    }
}

/// Per-line data of a file: `line → covered?`; Go blocks are expanded to the lines they span.
pub fn line_hits(file: &FileCoverage) -> BTreeMap<u32, bool> {
    if !file.lines.is_empty() {
        return file.lines.iter().map(|(l, h)| (*l, *h > 0)).collect();
    }
    let mut out = BTreeMap::new();
    for b in &file.blocks {
        for l in b.start_line..=b.end_line.max(b.start_line) {
            let e = out.entry(l).or_insert(false);
            *e |= b.count > 0;
        }
    }
    out
}

/// Coverage of the change: added lines the report measures, and which of them are covered.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Patch {
    pub covered: u64,
    pub measured: u64,
    pub added: u64,
    /// Changed files of the report's languages with no measured added line: the trap where a
    /// path mismatch makes every tool report 100% of nothing.
    pub unmeasured_files: Vec<String>,
    /// Uncovered added lines, as ranges per file.
    pub uncovered: BTreeMap<String, Vec<(u32, u32)>>,
}

impl Patch {
    pub fn counter(&self) -> Counter {
        Counter::new(self.covered, self.measured)
    }
}

pub fn patch(files: &BTreeMap<String, FileCoverage>, changed: &ChangedLines) -> Patch {
    let extensions: BTreeSet<&str> = files.keys().filter_map(|p| extension(p)).collect();
    let mut out = Patch::default();
    for (path, added) in &changed.files {
        out.added += added.len() as u64;
        let hits = files.get(path).map(line_hits).unwrap_or_default();
        let mut measured_here = 0;
        let mut uncovered = BTreeSet::new();
        for line in added {
            if let Some(&covered) = hits.get(line) {
                measured_here += 1;
                if covered {
                    out.covered += 1;
                } else {
                    uncovered.insert(*line);
                }
            }
        }
        out.measured += measured_here;
        if measured_here == 0
            && extension(path).is_some_and(|e| extensions.contains(e))
            && !is_test_file(path)
        {
            out.unmeasured_files.push(path.clone());
        }
        if !uncovered.is_empty() {
            out.uncovered
                .insert(path.clone(), ChangedLines::ranges(&uncovered));
        }
    }
    out
}

/// Test code by the conventions of the runners `init` configures (pytest, jest, node:test, Go,
/// cargo, Maven/Gradle): coverage tools leave it out on purpose, so a change to it has no
/// measured lines without any path being wrong.
pub fn is_test_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let in_test_dir = path
        .split('/')
        .rev()
        .skip(1)
        .any(|dir| matches!(dir, "test" | "tests" | "__tests__" | "spec" | "testdata"));
    let stem = name.split('.').next().unwrap_or(name);
    in_test_dir
        || name == "conftest.py"
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("Test")
        || stem.ends_with("Tests")
        || [".test.", ".spec."].iter().any(|m| name.contains(m))
}

fn extension(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next()?;
    name.rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_exact_in_hundredths() {
        assert_eq!(Pct::parse("80"), Ok(Pct(8000)));
        assert_eq!(Pct::parse("72.5%"), Ok(Pct(7250)));
        assert_eq!(Pct::parse("0.05"), Ok(Pct(5)));
        for bad in ["", "abc", "80.123", "101", "-1", "1e2"] {
            assert!(Pct::parse(bad).is_err(), "{bad}");
        }
        assert!(Pct(8000).holds(Counter::new(800, 1000)));
        assert!(!Pct(8000).holds(Counter::new(799, 1000)));
        assert!(Pct(0).holds(Counter::new(0, 0)));
    }

    #[test]
    fn display_is_floored_and_never_100_unless_exact() {
        assert_eq!(percent(Counter::new(2, 3)).as_deref(), Some("66.66"));
        assert_eq!(
            percent(Counter::new(99_999, 100_000)).as_deref(),
            Some("99.99")
        );
        assert_eq!(percent(Counter::new(5, 5)).as_deref(), Some("100.00"));
        assert_eq!(percent(Counter::new(0, 0)), None);
    }

    #[test]
    fn test_files_are_recognised_by_the_runners_conventions() {
        for t in [
            "tests/test_pricing.py",
            "test_app.py",
            "pkg/conftest.py",
            "shop_test.go",
            "test/pricing.test.js",
            "src/pricing.spec.ts",
            "tests/shop.rs",
            "src/test/java/shop/PricingTest.java",
            "src/__tests__/x.js",
        ] {
            assert!(is_test_file(t), "{t}");
        }
        for s in [
            "src/shop/pricing.py",
            "shop.go",
            "src/lib.rs",
            "src/latest.js",
            "contest.py",
        ] {
            assert!(!is_test_file(s), "{s}");
        }
    }

    #[test]
    fn patch_counts_added_measured_lines_and_flags_unmeasured_sources() {
        let mut files = BTreeMap::new();
        let f = FileCoverage {
            lines: [(10, 1), (11, 0), (12, 3)].into_iter().collect(),
            ..FileCoverage::default()
        };
        files.insert("src/app.py".to_owned(), f);
        let mut changed = ChangedLines::default();
        changed
            .files
            .insert("src/app.py".into(), [10, 11, 13].into_iter().collect());
        changed
            .files
            .insert("src/new.py".into(), [1, 2].into_iter().collect());
        changed
            .files
            .insert("README.md".into(), [5].into_iter().collect());
        let p = patch(&files, &changed);
        assert_eq!((p.covered, p.measured, p.added), (1, 2, 6));
        assert_eq!(
            p.unmeasured_files,
            ["src/new.py"],
            "README.md is not a source file of the report"
        );
        assert_eq!(p.uncovered["src/app.py"], [(11, 11)]);
    }
}
