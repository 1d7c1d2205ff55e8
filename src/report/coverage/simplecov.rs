//! SimpleCov result sets (`coverage/.resultset.json`, which SimpleCov writes on every run),
//! streamed one file entry at a time.
//!
//! Shape (SimpleCov 0.18+ `Result#to_hash`): `{"<command name>": {"coverage": {"<path>":
//! {"lines": [null | hits | "ignored", ...], "branches": {"[:if, 0, 11, 6, 11, 71]":
//! {"[:then, 1, 11, 6, 11, 54]": hits, ...}}}}, "timestamp": n}, ...}`; before 0.18 a file's
//! value was the `lines` array itself. Line `i` of the array is source line `i + 1`; `null`
//! (and `"ignored"`) is not a relevant line.
//!
//! Several command names (test suites) are merged as SimpleCov's `ResultMerger` merges them
//! (`Combine::LinesCombiner`: hits summed, and a line irrelevant on one side with 0 hits on the
//! other stays irrelevant; branches summed by key). SimpleCov drops results older than its
//! `merge_timeout` when it merges; every result in the file is read here.
//!
//! Figures as SimpleCov computes them (`coverage_statistics`): lines relevant and covered;
//! branches, each inner entry one branch, covered when its count is above zero, attributed to
//! the line of their condition. `# :nocov:` blocks are applied by SimpleCov from the source
//! files when it reports, not in the result set, so a project using them sees more relevant
//! lines here than SimpleCov prints.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::json;
use super::model::{Counter, FileCoverage, Tool, Totals};
use super::native;
use super::parse::Parsed;
use crate::report::ReportError;

/// One file's data merged over every command name: hits per line (`None`: not relevant) and
/// hits per branch, by the condition's line and the branch's key.
#[derive(Default)]
struct Merged {
    lines: Vec<Option<u64>>,
    branches: BTreeMap<(u32, String), u64>,
    has_branches: bool,
}

pub(super) fn parse<R: BufRead>(name: &str, reader: R) -> Result<Parsed, ReportError> {
    let mut merged: BTreeMap<String, Merged> = BTreeMap::new();
    json::read(name, reader, Commands(&mut merged))?;
    let with_branches = merged.values().any(|m| m.has_branches);
    let files: BTreeMap<String, FileCoverage> = merged
        .into_iter()
        .map(|(path, m)| (path, into_file(m, with_branches)))
        .collect();
    let summed = files
        .values()
        .fold(Totals::default(), |acc, f| acc.add(&f.totals));
    let totals = Totals {
        lines: Some(summed.lines.unwrap_or_default()),
        branches: summed.branches,
        ..Totals::default()
    };
    Ok(Parsed {
        native: native::headline(Tool::SimpleCov, &totals, None),
        totals,
        files,
        tool: Some(Tool::SimpleCov),
        ..Parsed::default()
    })
}

fn into_file(m: Merged, with_branches: bool) -> FileCoverage {
    let mut file = FileCoverage::default();
    for (i, hits) in m.lines.iter().enumerate() {
        if let (Some(hits), Ok(line)) = (hits, u32::try_from(i + 1)) {
            file.lines.insert(line, *hits);
        }
    }
    for ((line, _), hits) in &m.branches {
        let at = file.branches.entry(*line).or_default();
        *at = *at + Counter::new(u64::from(*hits > 0), 1);
    }
    file.totals = Totals {
        lines: Some(file.line_counter()),
        branches: with_branches.then(|| file.branch_counter()),
        ..Totals::default()
    };
    file
}

/// `LinesCombiner.merge_line_coverage`.
fn merge_line(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    let sum = a.unwrap_or(0).saturating_add(b.unwrap_or(0));
    (sum > 0 || (a.is_some() && b.is_some())).then_some(sum)
}

/// The top level: command name → result.
struct Commands<'a>(&'a mut BTreeMap<String, Merged>);

impl<'de> DeserializeSeed<'de> for Commands<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Commands<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a SimpleCov result set {\"<command name>\": {\"coverage\": {...}}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut any = false;
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Command(&mut *self.0))?;
            any = true;
        }
        if !any {
            return Err(json::missing("<command name>", "a SimpleCov result set"));
        }
        Ok(())
    }
}

/// One command's result: `{"coverage": {...}, "timestamp": n}`.
struct Command<'a>(&'a mut BTreeMap<String, Merged>);

impl<'de> DeserializeSeed<'de> for Command<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Command<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a SimpleCov result {\"coverage\": {...}, \"timestamp\": n}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut coverage = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "coverage" {
                map.next_value_seed(Files(&mut *self.0))?;
                coverage = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !coverage {
            return Err(json::missing("coverage", "a SimpleCov result"));
        }
        Ok(())
    }
}

/// `{"<path>": entry}`, each entry merged into its file at once.
struct Files<'a>(&'a mut BTreeMap<String, Merged>);

impl<'de> DeserializeSeed<'de> for Files<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Files<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("SimpleCov coverage {\"<path>\": {\"lines\": [...]}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(path) = map.next_key::<String>()? {
            let entry: Entry = map.next_value()?;
            let lines: Vec<Option<u64>> = entry.lines.iter().map(|h| h.0).collect();
            let into = match self.0.entry(path) {
                std::collections::btree_map::Entry::Vacant(v) => v.insert(Merged {
                    lines,
                    ..Merged::default()
                }),
                std::collections::btree_map::Entry::Occupied(o) => {
                    let into = o.into_mut();
                    let n = into.lines.len().max(lines.len());
                    into.lines.resize(n, None);
                    for (i, at) in into.lines.iter_mut().enumerate() {
                        *at = merge_line(*at, lines.get(i).copied().flatten());
                    }
                    into
                }
            };
            if let Some(branches) = entry.branches {
                into.has_branches = true;
                for (condition, inner) in branches {
                    let line = condition_line(&condition)
                        .ok_or_else(|| serde::de::Error::custom(format!(
                            "expected a branch condition key like `[:if, 0, 11, 6, 11, 71]`, found `{}`",
                            super::input::excerpt(&condition)
                        )))?;
                    for (branch, hits) in inner {
                        let at = into.branches.entry((line, format!("{condition}{branch}")));
                        let at = at.or_default();
                        *at = at.saturating_add(hits);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The start line of a condition key `[:if, 0, 11, 6, 11, 71]` (its third element).
fn condition_line(key: &str) -> Option<u32> {
    key.trim_start_matches('[')
        .split(',')
        .nth(2)?
        .trim()
        .parse()
        .ok()
}

/// A file's entry: `{"lines": [...], "branches": {...}}`, or the bare `lines` array of
/// SimpleCov before 0.18.
struct Entry {
    lines: Vec<Hits>,
    branches: Option<BTreeMap<String, BTreeMap<String, u64>>>,
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a file's coverage {\"lines\": [...], \"branches\": {...}}")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Entry, A::Error> {
                let lines =
                    Vec::<Hits>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Entry {
                    lines,
                    branches: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
                let mut lines = None;
                let mut branches = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "lines" => lines = Some(map.next_value()?),
                        "branches" => branches = Some(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Entry {
                    lines: lines.ok_or_else(|| json::missing("lines", "a file's line coverage"))?,
                    branches,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// One element of a `lines` array: hits, or `null` / `"ignored"` for a line that is not
/// relevant.
struct Hits(Option<u64>);

impl<'de> Deserialize<'de> for Hits {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Hits;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a hit count, null or \"ignored\"")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Hits, E> {
                Ok(Hits(Some(v)))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Hits, E> {
                Ok(Hits(None))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Hits, E> {
                match v {
                    "ignored" => Ok(Hits(None)),
                    other => Err(E::invalid_value(serde::de::Unexpected::Str(other), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
#[path = "simplecov_tests.rs"]
mod tests;
