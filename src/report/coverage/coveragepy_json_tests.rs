//! Unit tests of the coverage.py JSON parser on small inline reports.

use super::*;
use crate::report::coverage::{CoverageReport, Format, Metric, parse_reader};

fn parse_str(text: &str) -> Result<CoverageReport, ReportError> {
    parse_reader("coverage.json", text.as_bytes(), Format::CoveragepyJson)
}

const BRANCH: &str = r#"{"meta": {"format": 3, "version": "7.17.3", "timestamp": "2026-11-23T03:07:25", "branch_coverage": true, "show_contexts": false}, "files": {"pkg/a.py": {"executed_lines": [1, 2, 4], "summary": {"covered_lines": 3, "num_statements": 4, "percent_covered": 62.5, "percent_covered_display": "62", "missing_lines": 1, "excluded_lines": 0, "num_branches": 4, "num_partial_branches": 1, "covered_branches": 2, "missing_branches": 2}, "missing_lines": [5], "excluded_lines": [], "executed_branches": [[2, 4], [4, -1]], "missing_branches": [[2, 5], [4, 5]], "functions": {"f": {"executed_lines": [2], "summary": {"covered_lines": 1, "num_statements": 1}}}}}, "totals": {"covered_lines": 3, "num_statements": 4, "percent_covered": 62.5, "percent_covered_display": "62", "missing_lines": 1, "excluded_lines": 0, "num_branches": 4, "num_partial_branches": 1, "covered_branches": 2, "missing_branches": 2}}"#;

#[test]
fn totals_lines_branches_and_native() {
    let r = parse_str(BRANCH).unwrap();
    assert_eq!(r.totals.lines, Some(Counter::new(3, 4)));
    assert_eq!(r.totals.branches, Some(Counter::new(2, 4)));
    assert_eq!(r.source.tool, Some(Tool::CoveragePy));
    assert_eq!(r.source.tool_version.as_deref(), Some("7.17.3"));
    let a = &r.files["pkg/a.py"];
    assert_eq!(
        a.lines.iter().map(|(l, h)| (*l, *h)).collect::<Vec<_>>(),
        [(1, 1), (2, 1), (4, 1), (5, 0)]
    );
    assert_eq!(
        (a.branches[&2], a.branches[&4]),
        (Counter::new(1, 2), Counter::new(1, 2))
    );
    assert_eq!(a.totals.branches, Some(Counter::new(2, 4)));
    let n = r.native.unwrap();
    // (3 + 2) / (4 + 4) = 62.5 % → Python's round() gives 62.
    assert_eq!(
        (n.metric, n.covered, n.total, n.percent.as_str()),
        (Metric::StatementsAndBranches, 5, 8, "62")
    );
}

#[test]
fn line_mode_and_configured_precision() {
    let r = parse_str(
        r#"{"meta": {"version": "7.6.1"}, "files": {}, "totals": {"covered_lines": 2, "num_statements": 3, "percent_covered": 66.66666666666667, "percent_covered_display": "66.67", "missing_lines": 1, "excluded_lines": 0}}"#,
    )
    .unwrap();
    assert_eq!(r.totals.branches, None);
    let n = r.native.unwrap();
    assert_eq!(
        (n.metric, n.percent.as_str()),
        (Metric::Statements, "66.67")
    );
}

#[test]
fn errors() {
    let cases = [
        (r#"{"meta": {}, "files": {}}"#, "no `totals` key"),
        (
            r#"{"totals": {"covered_lines": 5, "num_statements": 4}}"#,
            "`covered_lines` says 5 covered of 4",
        ),
        (
            r#"{"totals": {"covered_lines": 1}}"#,
            "missing field `num_statements`",
        ),
        (
            r#"{"files": {"a.py": {"executed_lines": ["x"]}}, "totals": {}}"#,
            "invalid type: string \"x\"",
        ),
        (
            "{\"meta\": {\"version\": \"7\"},\n \"files\": {\"a.py\": {",
            "line 2, column 20: the JSON document ends early",
        ),
    ];
    for (input, expected) in cases {
        let message = parse_str(input).unwrap_err().to_string();
        assert!(
            message.starts_with("coverage report `coverage.json`: "),
            "{message}"
        );
        assert!(
            message.contains(expected),
            "{input:?}\n  got: {message}\n want: {expected}"
        );
    }
}
