//! istanbul `coverage-final.json` (the `json` reporter of nyc, c8 and jest, and what they write
//! by default next to the HTML), streamed one file entry at a time.
//!
//! Shape (istanbul-lib-coverage `FileCoverage` data): `{"<path>": {"path", "statementMap":
//! {"<id>": {"start": {"line", "column"}, "end": {...}}}, "fnMap", "branchMap": {"<id>":
//! {"loc": {...}, "locations": [...], "line"}}, "s": {"<id>": hits}, "f": {"<id>": hits},
//! "b": {"<id>": [hits per branch]}}, ...}`.
//!
//! Figures as istanbul-lib-coverage 3.2 computes them (`FileCoverage.toSummary`) and its text
//! reporter prints them: statements are the entries of `s`, functions those of `f`, branches
//! every element of every `b` array, each covered when its count is above zero; lines are
//! `getLineCoverage()`: each statement's start line, with the largest count of the statements
//! starting there. Skipped entries are counted like the others, as istanbul counts them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::json;
use super::model::{Counter, FileCoverage, Tool, Totals};
use super::native;
use super::parse::Parsed;
use crate::report::ReportError;

pub(super) fn parse<R: BufRead>(name: &str, reader: R) -> Result<Parsed, ReportError> {
    let mut files = BTreeMap::new();
    json::read(name, reader, Top(&mut files))?;
    let totals = files
        .values()
        .fold(Totals::default(), |acc: Totals, f: &FileCoverage| {
            acc.add(&f.totals)
        });
    let totals = Totals {
        lines: Some(totals.lines.unwrap_or_default()),
        statements: Some(totals.statements.unwrap_or_default()),
        functions: Some(totals.functions.unwrap_or_default()),
        branches: Some(totals.branches.unwrap_or_default()),
        ..Totals::default()
    };
    Ok(Parsed {
        native: native::headline(Tool::Istanbul, &totals, None),
        totals,
        files,
        tool: Some(Tool::Istanbul),
        ..Parsed::default()
    })
}

#[derive(Deserialize)]
struct Position {
    line: u32,
}

#[derive(Deserialize)]
struct Location {
    start: Position,
}

#[derive(Deserialize)]
struct Branch {
    loc: Option<Location>,
    line: Option<u32>,
}

/// One file entry: only what the figures need.
#[derive(Deserialize)]
struct RawFile {
    #[serde(rename = "statementMap")]
    statement_map: HashMap<String, Location>,
    #[serde(rename = "branchMap", default)]
    branch_map: HashMap<String, Branch>,
    s: HashMap<String, u64>,
    f: HashMap<String, u64>,
    b: HashMap<String, Vec<u64>>,
}

impl RawFile {
    fn into_file(self) -> FileCoverage {
        let mut file = FileCoverage::default();
        for (id, hits) in &self.s {
            if let Some(at) = self.statement_map.get(id) {
                let line = file.lines.entry(at.start.line).or_insert(0);
                *line = (*line).max(*hits);
            }
        }
        let mut branches = Counter::default();
        for (id, hits) in &self.b {
            let covered = hits.iter().filter(|&&h| h > 0).count() as u64;
            let counter = Counter::new(covered, hits.len() as u64);
            branches = branches + counter;
            let line = self
                .branch_map
                .get(id)
                .and_then(|b| b.loc.as_ref().map(|l| l.start.line).or(b.line));
            if let Some(line) = line {
                let at = file.branches.entry(line).or_default();
                *at = *at + counter;
            }
        }
        let hit = |m: &HashMap<String, u64>| {
            Counter::new(
                m.values().filter(|&&h| h > 0).count() as u64,
                m.len() as u64,
            )
        };
        file.totals = Totals {
            lines: Some(file.line_counter()),
            statements: Some(hit(&self.s)),
            functions: Some(hit(&self.f)),
            branches: Some(branches),
            ..Totals::default()
        };
        file
    }
}

struct Top<'a>(&'a mut BTreeMap<String, FileCoverage>);

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("istanbul coverage data {\"<file>\": {\"statementMap\": ..., \"s\": ...}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let file = map.next_value::<RawFile>()?.into_file();
            self.0.insert(key, file);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::coverage::{Format, Metric, parse_reader};

    const TWO_FILES: &str = r#"{"/w/a.js": {"path": "/w/a.js",
 "statementMap": {"0": {"start": {"line": 1, "column": 0}, "end": {"line": 1, "column": 9}},
                  "1": {"start": {"line": 1, "column": 10}, "end": {"line": 1, "column": 20}},
                  "2": {"start": {"line": 3, "column": 2}, "end": {"line": 3, "column": 9}}},
 "fnMap": {"0": {"name": "f", "line": 1}},
 "branchMap": {"0": {"loc": {"start": {"line": 3, "column": 2}, "end": {"line": 3, "column": 9}}, "type": "if", "locations": [], "line": 3}},
 "s": {"0": 0, "1": 2, "2": 0}, "f": {"0": 1}, "b": {"0": [1, 0]},
 "_coverageSchema": "1a1c01bbd47fc00a2c39e90264f33305004495a9", "hash": "x"},
 "/w/b.js": {"path": "/w/b.js", "statementMap": {}, "fnMap": {}, "branchMap": {}, "s": {}, "f": {}, "b": {}}}"#;

    #[test]
    fn counts_like_istanbul_lib_coverage() {
        let r = parse_reader(
            "coverage-final.json",
            TWO_FILES.as_bytes(),
            Format::IstanbulJson,
        )
        .unwrap();
        // Line 1 has two statements, the larger count (2) decides it.
        assert_eq!(r.files["/w/a.js"].lines, [(1, 2), (3, 0)].into());
        assert_eq!(r.totals.lines, Some(Counter::new(1, 2)));
        assert_eq!(r.totals.statements, Some(Counter::new(1, 3)));
        assert_eq!(r.totals.functions, Some(Counter::new(1, 1)));
        assert_eq!(r.totals.branches, Some(Counter::new(1, 2)));
        assert_eq!(r.files["/w/a.js"].branches[&3], Counter::new(1, 2));
        assert_eq!(r.files["/w/b.js"].totals.lines, Some(Counter::new(0, 0)));
        let n = r.native.unwrap();
        assert_eq!((n.metric, n.percent.as_str()), (Metric::Lines, "50"));
    }

    #[test]
    fn errors_name_the_position() {
        for (input, what) in [
            (r#"{"/a.js": {"s": {}}}"#, "missing field"),
            (
                r#"{"/a.js": {"statementMap": {}, "s": {"0": -1}, "f": {}, "b": {}}}"#,
                "invalid value",
            ),
            (r#"{"/a.js": {"statementMap": {"#, "truncated"),
        ] {
            let err = parse_reader("c.json", input.as_bytes(), Format::IstanbulJson)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("coverage report `c.json`: line 1, column"),
                "{err}"
            );
            assert!(err.contains(what), "{input}: {err}");
        }
    }
}
