//! istanbul `coverage-summary.json` (the `json-summary` reporter of c8, nyc and jest), streamed.
//!
//! Shape (istanbul-reports `json-summary`): `{"total": {"lines": {...}, "statements": {...},
//! "functions": {...}, "branches": {...}}, "<file path>": {same}, ...}`, each metric
//! `{total, covered, skipped, pct}`. `pct` is ignored (it is derived, and is the string
//! `"Unknown"` when the total is 0); the native figure is recomputed with istanbul's own
//! truncation. There is no line-level data in a summary. Extra metrics (`branchesTrue`) are
//! ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::json;
use super::model::{FileCoverage, Tool, Totals};
use super::native;
use super::parse::Parsed;
use crate::report::ReportError;

#[derive(Default)]
struct State {
    total: Option<Totals>,
    files: BTreeMap<String, FileCoverage>,
}

pub(super) fn parse<R: BufRead>(name: &str, reader: R) -> Result<Parsed, ReportError> {
    let mut st = State::default();
    json::read(name, reader, Top(&mut st))?;
    let totals = st.total.unwrap_or_default();
    Ok(Parsed {
        native: native::headline(Tool::Istanbul, &totals, None),
        totals,
        files: st.files,
        tool: Some(Tool::Istanbul),
        ..Parsed::default()
    })
}

#[derive(Deserialize)]
struct RawMetric {
    total: u64,
    covered: u64,
}

#[derive(Deserialize)]
struct RawSummary {
    lines: Option<RawMetric>,
    statements: Option<RawMetric>,
    functions: Option<RawMetric>,
    branches: Option<RawMetric>,
}

impl RawSummary {
    fn totals<E: serde::de::Error>(&self) -> Result<Totals, E> {
        let c = |m: &Option<RawMetric>, what| {
            m.as_ref()
                .map(|m| json::counter::<E>(m.covered, m.total, what))
                .transpose()
        };
        Ok(Totals {
            lines: c(&self.lines, "lines")?,
            statements: c(&self.statements, "statements")?,
            functions: c(&self.functions, "functions")?,
            branches: c(&self.branches, "branches")?,
            ..Totals::default()
        })
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
        f.write_str("an istanbul coverage summary {\"total\": {...}, \"<file>\": {...}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let totals = map.next_value::<RawSummary>()?.totals()?;
            if key == "total" {
                self.0.total = Some(totals);
            } else {
                let file = FileCoverage {
                    totals,
                    ..FileCoverage::default()
                };
                self.0.files.insert(key, file);
            }
        }
        if self.0.total.is_none() {
            return Err(json::missing("total", "an istanbul coverage-summary.json"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::coverage::{Counter, Format, Metric, parse_reader};

    const SUMMARY: &str = r#"{"total": {"lines":{"total":69,"covered":51,"skipped":0,"pct":73.91},"statements":{"total":69,"covered":51,"skipped":0,"pct":73.91},"functions":{"total":9,"covered":6,"skipped":0,"pct":66.66},"branches":{"total":20,"covered":17,"skipped":0,"pct":85},"branchesTrue":{"total":0,"covered":0,"skipped":0,"pct":"Unknown"}}
,"/w/src/cart.js": {"lines":{"total":32,"covered":28,"skipped":0,"pct":87.5},"functions":{"total":5,"covered":4,"skipped":0,"pct":80},"statements":{"total":32,"covered":28,"skipped":0,"pct":87.5},"branches":{"total":8,"covered":7,"skipped":0,"pct":87.5}}
}"#;

    #[test]
    fn totals_files_and_truncated_native_figure() {
        let r = parse_reader(
            "coverage-summary.json",
            SUMMARY.as_bytes(),
            Format::IstanbulSummary,
        )
        .unwrap();
        assert_eq!(r.totals.lines, Some(Counter::new(51, 69)));
        assert_eq!(r.totals.statements, Some(Counter::new(51, 69)));
        assert_eq!(r.totals.functions, Some(Counter::new(6, 9)));
        assert_eq!(r.totals.branches, Some(Counter::new(17, 20)));
        assert_eq!(r.totals.instructions, None);
        assert_eq!(
            r.files["/w/src/cart.js"].totals.branches,
            Some(Counter::new(7, 8))
        );
        let n = r.native.unwrap();
        assert_eq!(
            (n.tool, n.metric, n.percent.as_str()),
            (Tool::Istanbul, Metric::Lines, "73.91")
        );
    }

    #[test]
    fn errors_name_the_position() {
        let cases = [
            (
                "{\"total\": {\"lines\": {\"total\": 1, \"covered\": 2}}}",
                "line 1, column",
                "covered cannot exceed",
            ),
            ("{\"/a.js\": {}}", "line 1, column", "no `total` key"),
            (
                "{\"total\": {\"lines\": {\"total\": -1, \"covered\": 0}}}",
                "line 1, column",
                "invalid value",
            ),
            (
                "{\"total\": {\"lines\": {\"total\": 1",
                "line 1, column",
                "truncated",
            ),
            (
                "{\"total\": {}} trailing",
                "line 1, column 15",
                "malformed JSON: trailing characters",
            ),
            ("[1, 2]", "line 1, column", "invalid type: sequence"),
        ];
        for (input, at, what) in cases {
            let err = parse_reader("s.json", input.as_bytes(), Format::IstanbulSummary)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("coverage report `s.json`: "), "{err}");
            assert!(err.contains(at) && err.contains(what), "{input}: {err}");
        }
    }
}
