//! gcovr's JSON report (`gcovr --json`, format versions 0.x), streamed one file at a time.
//!
//! Shape (gcovr `formats/json`): `{"gcovr/format_version": "0.15", "files": [{"file": "<path
//! relative to --root>", "lines": [{"line_number", "count", "branches": [{"count", ...}],
//! "gcovr/excluded"?, "gcovr/noncode"?}], "functions": [{"name", "lineno", "execution_count",
//! "gcovr/excluded"?}]}]}`.
//!
//! Figures as gcovr's summary prints them (`lines: 77.4% (41 out of 53)`): lines not marked
//! excluded or non-code, covered when their count is above zero; their branches (unless a
//! branch is excluded), covered when taken; functions not excluded, covered when called. A
//! line listed more than once (one entry per function in templated code) is one line, its
//! counts summed.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::json;
use super::merge::absorb;
use super::model::{Counter, FileCoverage, Tool, Totals};
use super::native;
use super::parse::Parsed;
use crate::report::ReportError;

#[derive(Default)]
struct State {
    files: BTreeMap<String, FileCoverage>,
    version: Option<String>,
}

pub(super) fn parse<R: BufRead>(name: &str, reader: R) -> Result<Parsed, ReportError> {
    let mut st = State::default();
    json::read(name, reader, Top(&mut st))?;
    let summed = st
        .files
        .values()
        .fold(Totals::default(), |acc, f| acc.add(&f.totals));
    let totals = Totals {
        lines: Some(summed.lines.unwrap_or_default()),
        branches: Some(summed.branches.unwrap_or_default()),
        functions: Some(summed.functions.unwrap_or_default()),
        ..Totals::default()
    };
    Ok(Parsed {
        native: native::headline(Tool::Gcovr, &totals, None),
        totals,
        files: st.files,
        tool: Some(Tool::Gcovr),
        tool_version: st.version,
        ..Parsed::default()
    })
}

#[derive(Deserialize)]
struct RawBranch {
    count: u64,
    #[serde(rename = "gcovr/excluded", default)]
    excluded: bool,
}

#[derive(Deserialize)]
struct RawLine {
    line_number: u32,
    count: u64,
    #[serde(default)]
    branches: Vec<RawBranch>,
    #[serde(rename = "gcovr/excluded", default)]
    excluded: bool,
    #[serde(rename = "gcovr/noncode", default)]
    noncode: bool,
}

#[derive(Deserialize)]
struct RawFunction {
    execution_count: u64,
    #[serde(rename = "gcovr/excluded", default)]
    excluded: bool,
}

#[derive(Deserialize)]
struct RawFile {
    file: String,
    lines: Vec<RawLine>,
    #[serde(default)]
    functions: Option<Vec<RawFunction>>,
}

impl RawFile {
    fn into_file(self) -> (String, FileCoverage) {
        let mut file = FileCoverage::default();
        for line in self.lines.iter().filter(|l| !l.excluded && !l.noncode) {
            let hits = file.lines.entry(line.line_number).or_insert(0);
            *hits = hits.saturating_add(line.count);
            let taken = line.branches.iter().filter(|b| !b.excluded);
            let counter = taken.fold(Counter::default(), |acc, b| {
                acc + Counter::new(u64::from(b.count > 0), 1)
            });
            if counter.total > 0 {
                let at = file.branches.entry(line.line_number).or_default();
                *at = *at + counter;
            }
        }
        let functions = self.functions.map(|fs| {
            fs.iter()
                .filter(|f| !f.excluded)
                .fold(Counter::default(), |acc, f| {
                    acc + Counter::new(u64::from(f.execution_count > 0), 1)
                })
        });
        file.totals = Totals {
            lines: Some(file.line_counter()),
            branches: Some(file.branch_counter()),
            functions,
            ..Totals::default()
        };
        (self.file, file)
    }
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
        f.write_str("a gcovr JSON report {\"gcovr/format_version\": ..., \"files\": [...]}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut files = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "files" => {
                    map.next_value_seed(Files(&mut self.0.files))?;
                    files = true;
                }
                "gcovr/format_version" => self.0.version = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !files {
            return Err(json::missing("files", "a gcovr JSON report"));
        }
        Ok(())
    }
}

struct Files<'a>(&'a mut BTreeMap<String, FileCoverage>);

impl<'de> DeserializeSeed<'de> for Files<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Files<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of files [{\"file\": ..., \"lines\": [...]}]")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<RawFile>()? {
            let (path, file) = raw.into_file();
            match self.0.get_mut(&path) {
                // Without Go blocks, merging cannot fail; it recounts the totals.
                Some(existing) => {
                    let _ = absorb(existing, file, false);
                }
                None => {
                    self.0.insert(path, file);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::coverage::{Format, Metric, parse_reader};

    #[test]
    fn excluded_and_noncode_lines_and_repeated_lines() {
        let json = r#"{"gcovr/format_version": "0.6", "files": [{"file": "a.c", "lines": [
            {"line_number": 1, "count": 0, "branches": []},
            {"line_number": 2, "count": 1, "branches": [{"count": 1}, {"count": 0}, {"count": 0, "gcovr/excluded": true}]},
            {"line_number": 2, "count": 2, "branches": []},
            {"line_number": 3, "count": 0, "branches": [], "gcovr/excluded": true},
            {"line_number": 4, "count": 0, "branches": [], "gcovr/noncode": true}],
          "functions": [{"name": "f", "lineno": 1, "execution_count": 0},
                        {"name": "g", "lineno": 2, "execution_count": 3},
                        {"name": "h", "lineno": 3, "execution_count": 0, "gcovr/excluded": true}]}]}"#;
        let r = parse_reader("gcovr.json", json.as_bytes(), Format::GcovrJson).unwrap();
        assert_eq!(r.files["a.c"].lines, [(1, 0), (2, 3)].into());
        assert_eq!(r.totals.lines, Some(Counter::new(1, 2)));
        assert_eq!(r.totals.branches, Some(Counter::new(1, 2)));
        assert_eq!(r.totals.functions, Some(Counter::new(1, 2)));
        assert_eq!(r.source.tool_version.as_deref(), Some("0.6"));
        let n = r.native.unwrap();
        assert_eq!((n.metric, n.percent.as_str()), (Metric::Lines, "50.0"));
    }

    #[test]
    fn errors_name_the_position() {
        for (input, what) in [
            (r#"{"gcovr/format_version": "0.6"}"#, "no `files` key"),
            (
                r#"{"files": [{"file": "a.c", "lines": [{"line_number": 1}]}]}"#,
                "missing field `count`",
            ),
            (
                r#"{"files": [{"file": "a.c", "lines": [{"line_number": 1, "count": 1.5}]}]}"#,
                "invalid type",
            ),
        ] {
            let err = parse_reader("g.json", input.as_bytes(), Format::GcovrJson)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("coverage report `g.json`: line 1, column"),
                "{err}"
            );
            assert!(err.contains(what), "{input}: {err}");
        }
    }
}
