//! llvm-cov export JSON (`llvm-cov export -format=text`, also `cargo llvm-cov --json`), streamed.
//!
//! Shape (llvm `CoverageExporterJson.cpp`): `{"data": [{"files": [...], "functions": [...],
//! "totals": {...}}], "type": "llvm.coverage.json.export", "version": "2.0.1"}`. llvm writes
//! `type` last, so it is checked after the data is read.
//!
//! - Totals: the sum of `data[].totals` `lines`, `functions`, `regions`, `branches`, each
//!   `{count, covered}`: llvm-cov's own totals.
//! - Files: `files[].filename` with `files[].summary` as the file's totals.
//! - Lines: derived from `files[].segments` (`[line, col, count, hasCount, isRegionEntry,
//!   isGapRegion]`) exactly as llvm-cov derives line coverage ([`super::llvm_lines`]); absent
//!   with `-summary-only`. Branches per line from `files[].branches` (`[line, col, endLine,
//!   endCol, trueCount, falseCount, ...]`): two outcomes per branch region, as llvm-cov counts,
//!   with the copies of a region from several instantiations counted once.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::input::malformed;
use super::json;
use super::llvm_lines::{Segment, lines_from_segments};
use super::model::{Counter, FileCoverage, Tool, Totals};
use super::native;
use super::parse::Parsed;
use crate::report::{Position, ReportError};

const EXPORT_TYPE: &str = "llvm.coverage.json.export";

#[derive(Default)]
struct State {
    kind: Option<String>,
    version: Option<String>,
    totals: Totals,
    files: BTreeMap<String, FileCoverage>,
    /// Budget of line entries derived from segments, shared by all files.
    line_budget: u64,
}

pub(super) fn parse<R: BufRead>(name: &str, reader: R) -> Result<Parsed, ReportError> {
    let mut st = State {
        line_budget: super::llvm_lines::BASE_DERIVED_LINES,
        ..State::default()
    };
    json::read(name, reader, Top(&mut st))?;
    match st.kind.as_deref() {
        Some(EXPORT_TYPE) => {}
        Some(other) => {
            return Err(malformed(
                name,
                Position::NONE,
                format!("`type` is `{other}`; expected `{EXPORT_TYPE}` (an llvm-cov export)"),
            ));
        }
        None => {
            return Err(malformed(
                name,
                Position::NONE,
                format!(
                    "no `type` key; expected `\"type\": \"{EXPORT_TYPE}\"` (an llvm-cov export)"
                ),
            ));
        }
    }
    Ok(Parsed {
        native: native::headline(Tool::LlvmCov, &st.totals, None),
        totals: st.totals,
        files: st.files,
        tool: Some(Tool::LlvmCov),
        tool_version: st.version,
        ..Parsed::default()
    })
}

/// `{count, covered}` of one metric.
#[derive(Deserialize)]
struct RawCount {
    count: u64,
    covered: u64,
}

#[derive(Deserialize, Default)]
struct RawSummary {
    lines: Option<RawCount>,
    functions: Option<RawCount>,
    regions: Option<RawCount>,
    branches: Option<RawCount>,
}

impl RawSummary {
    fn totals<E: serde::de::Error>(&self) -> Result<Totals, E> {
        let c = |raw: &Option<RawCount>, what| {
            raw.as_ref()
                .map(|r| json::counter::<E>(r.covered, r.count, what))
                .transpose()
        };
        Ok(Totals {
            lines: c(&self.lines, "lines")?,
            functions: c(&self.functions, "functions")?,
            regions: c(&self.regions, "regions")?,
            branches: c(&self.branches, "branches")?,
            ..Totals::default()
        })
    }
}

/// `[line, col, endLine, endCol, trueCount, falseCount, ...]`: the location and both counts.
struct RawBranch {
    location: [u32; 4],
    true_count: u64,
    false_count: u64,
}

impl<'de> Deserialize<'de> for RawBranch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawBranch;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a branch array [line, col, endLine, endCol, trueCount, falseCount, ...]",
                )
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawBranch, A::Error> {
                let short = || serde::de::Error::custom("a branch array has fewer than 6 numbers");
                let mut location = [0u32; 4];
                for slot in &mut location {
                    *slot = seq.next_element()?.ok_or_else(short)?;
                }
                let true_count: u64 = seq.next_element()?.ok_or_else(short)?;
                let false_count: u64 = seq.next_element()?.ok_or_else(short)?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawBranch {
                    location,
                    true_count,
                    false_count,
                })
            }
        }
        d.deserialize_seq(V)
    }
}

#[derive(Deserialize)]
struct RawFile {
    filename: String,
    #[serde(default)]
    segments: Vec<Segment>,
    #[serde(default)]
    branches: Vec<RawBranch>,
    #[serde(default)]
    summary: RawSummary,
}

/// The top-level object.
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
        f.write_str("an llvm-cov export object {\"data\": [...], \"type\": ..., \"version\": ...}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_data = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "data" => {
                    map.next_value_seed(Data(&mut *self.0))?;
                    seen_data = true;
                }
                "type" => self.0.kind = Some(map.next_value()?),
                "version" => self.0.version = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !seen_data {
            return Err(json::missing(
                "data",
                "an llvm-cov export with `\"data\": [...]`",
            ));
        }
        Ok(())
    }
}

/// Declares a seed that reads an array, handing each element to the seed `$element`.
macro_rules! array_of {
    ($name:ident, $element:ident, $what:literal) => {
        struct $name<'a>(&'a mut State);

        impl<'de> DeserializeSeed<'de> for $name<'_> {
            type Value = ();
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.deserialize_seq(self)
            }
        }

        impl<'de> Visitor<'de> for $name<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str($what)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while seq.next_element_seed($element(&mut *self.0))?.is_some() {}
                Ok(())
            }
        }
    };
}

array_of!(Data, Export, "the `data` array of export objects");
array_of!(Files, FileSeed, "the `files` array");

/// One `data[]` element: `{"files": [...], "functions": [...], "totals": {...}}`.
struct Export<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for Export<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Export<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an export object {\"files\": [...], \"totals\": {...}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_totals = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "files" => map.next_value_seed(Files(&mut *self.0))?,
                "totals" => {
                    let totals = map.next_value::<RawSummary>()?.totals()?;
                    self.0.totals = self.0.totals.add(&totals);
                    seen_totals = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !seen_totals {
            return Err(json::missing(
                "totals",
                "`data[].totals` with llvm-cov's totals",
            ));
        }
        Ok(())
    }
}

/// One `files[]` element, turned into a [`FileCoverage`] as soon as it is read.
struct FileSeed<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let raw = RawFile::deserialize(d)?;
        let allowance = (raw.segments.len() as u64)
            .saturating_mul(super::llvm_lines::DERIVED_LINES_PER_SEGMENT);
        self.0.line_budget = self.0.line_budget.saturating_add(allowance);
        let lines = lines_from_segments(&raw.segments, &mut self.0.line_budget)
            .map_err(serde::de::Error::custom)?;
        // The same branch region appears once per instantiation of its function (and per test
        // binary); llvm-cov counts it once with the counts summed, and so does this.
        let mut regions: BTreeMap<[u32; 4], (u64, u64)> = BTreeMap::new();
        for b in &raw.branches {
            let slot = regions.entry(b.location).or_default();
            slot.0 = slot.0.saturating_add(b.true_count);
            slot.1 = slot.1.saturating_add(b.false_count);
        }
        let mut branches: BTreeMap<u32, Counter> = BTreeMap::new();
        for (location, (true_count, false_count)) in regions {
            let taken = u64::from(true_count > 0) + u64::from(false_count > 0);
            let slot = branches.entry(location[0]).or_default();
            *slot = *slot + Counter::new(taken, 2);
        }
        let file = FileCoverage {
            totals: raw.summary.totals()?,
            lines,
            branches,
            blocks: Vec::new(),
        };
        match self.0.files.get_mut(&raw.filename) {
            Some(existing) => {
                super::merge::absorb(existing, file, false).map_err(serde::de::Error::custom)?
            }
            None => {
                self.0.files.insert(raw.filename, file);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "llvm_json_tests.rs"]
mod tests;
