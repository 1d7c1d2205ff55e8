//! coverage.py JSON reports (`coverage json`), streamed.
//!
//! Shape (coverage.py `jsonreport.py`): `{"meta": {"version", "format", ...}, "files": {path:
//! {"executed_lines", "missing_lines", "executed_branches", "missing_branches", "summary"}},
//! "totals": {...}}`.
//!
//! - Totals: `totals.covered_lines` of `num_statements` (stored as lines: coverage.py's unit is
//!   the statement, reported per line) and, in branch mode, `covered_branches` of `num_branches`.
//! - Lines: `executed_lines` as 1 hit, `missing_lines` as 0 (the JSON has no counts).
//! - Branches per line from the arcs `[from, to]` in `executed_branches`/`missing_branches`.
//! - Native: coverage.py's combined figure, with the precision of `percent_covered_display`
//!   (which is the string coverage.py printed, and is what the figure shows).

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::json;
use super::model::{Counter, FileCoverage, Tool, Totals, collect_lines};
use super::native;
use super::parse::Parsed;
use crate::report::ReportError;

#[derive(Default)]
struct State {
    version: Option<String>,
    totals: Option<RawSummary>,
    files: BTreeMap<String, FileCoverage>,
}

pub(super) fn parse<R: BufRead>(name: &str, reader: R) -> Result<Parsed, ReportError> {
    let mut st = State::default();
    json::read(name, reader, Top(&mut st))?;
    // `Top` fails without totals, so they are present here.
    let raw = st.totals.unwrap_or_default();
    let totals = raw.totals::<serde_json::Error>().unwrap_or_default();
    let precision = raw
        .percent_covered_display
        .as_deref()
        .map(|d| d.split_once('.').map_or(0, |(_, frac)| frac.len() as u32));
    let mut headline = native::headline(Tool::CoveragePy, &totals, precision);
    if let (Some(n), Some(display)) = (headline.as_mut(), raw.percent_covered_display) {
        n.percent = display;
    }
    Ok(Parsed {
        native: headline,
        totals,
        files: st.files,
        tool: Some(Tool::CoveragePy),
        tool_version: st.version,
        excluded_lines: raw.excluded_lines.filter(|&n| n > 0),
        ..Parsed::default()
    })
}

#[derive(Deserialize, Default)]
struct RawSummary {
    covered_lines: u64,
    num_statements: u64,
    num_branches: Option<u64>,
    covered_branches: Option<u64>,
    percent_covered_display: Option<String>,
    excluded_lines: Option<u64>,
}

impl RawSummary {
    fn totals<E: serde::de::Error>(&self) -> Result<Totals, E> {
        let branches = match (self.covered_branches, self.num_branches) {
            (Some(covered), Some(total)) => {
                Some(json::counter(covered, total, "covered_branches")?)
            }
            _ => None,
        };
        Ok(Totals {
            lines: Some(json::counter(
                self.covered_lines,
                self.num_statements,
                "covered_lines",
            )?),
            branches,
            ..Totals::default()
        })
    }
}

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    executed_lines: Vec<u32>,
    #[serde(default)]
    missing_lines: Vec<u32>,
    #[serde(default)]
    executed_branches: Vec<(i64, i64)>,
    #[serde(default)]
    missing_branches: Vec<(i64, i64)>,
    summary: RawSummary,
}

#[derive(Deserialize)]
struct RawMeta {
    version: Option<String>,
}

struct Top<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a coverage.py JSON report {\"meta\": ..., \"files\": ..., \"totals\": ...}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "meta" => self.0.version = map.next_value::<RawMeta>()?.version,
                "files" => map.next_value_seed(Files(&mut *self.0))?,
                "totals" => {
                    let raw: RawSummary = map.next_value()?;
                    raw.totals::<A::Error>()?;
                    self.0.totals = Some(raw);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if self.0.totals.is_none() {
            return Err(json::missing("totals", "a coverage.py JSON report"));
        }
        Ok(())
    }
}

/// The `files` object, each entry converted as soon as it is read.
struct Files<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for Files<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Files<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the `files` object {path: {...}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(path) = map.next_key::<String>()? {
            let raw: RawFile = map.next_value()?;
            let mut file = FileCoverage {
                totals: raw.summary.totals()?,
                ..FileCoverage::default()
            };
            let missing = raw.missing_lines.iter().map(|&l| (l, 0));
            let executed = raw.executed_lines.iter().map(|&l| (l, 1));
            file.lines = collect_lines(missing.chain(executed).collect());
            let arcs = raw
                .executed_branches
                .iter()
                .map(|a| (a, 1))
                .chain(raw.missing_branches.iter().map(|a| (a, 0)));
            for (&(from, _to), covered) in arcs {
                if let Ok(line) = u32::try_from(from) {
                    let slot = file.branches.entry(line).or_default();
                    *slot = *slot + Counter::new(covered, 1);
                }
            }
            self.0.files.insert(path, file);
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "coveragepy_json_tests.rs"]
mod tests;
