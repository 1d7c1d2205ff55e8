//! Regression tests for the Cobertura dialects that were refused or misread (issue 19): MATLAB's
//! and Swift exporters' unreadable optional numbers, and coverlet's `branch="True"`.

use super::*;
use crate::report::coverage::{CoverageReport, Format, parse_reader};

fn parse_str(text: &str) -> Result<CoverageReport, ReportError> {
    parse_reader("coverage.xml", text.as_bytes(), Format::Cobertura)
}

const BODY: &str = r#"<packages><package name="p"><classes>
<class name="A" filename="src/a.m"><lines>
<line number="1" hits="HITS"/>
<line number="2" hits="0" branch="BRANCH" condition-coverage="50% (1/2)"/>
<line number="3" hits="4"/>
</lines></class></classes></package></packages></coverage>"#;

fn report(root: &str, hits: &str, branch: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n{root}\n{}",
        BODY.replace("HITS", hits).replace("BRANCH", branch)
    )
}

#[test]
fn unreadable_root_totals_are_a_warning_and_recounted_from_the_lines() {
    let xml = report(
        r#"<coverage line-rate="NaN" branch-rate="NaN" lines-valid="NaN" lines-covered="2" branches-valid="2.0" branches-covered="1" version="MATLAB">"#,
        "1",
        "true",
    );
    let r = parse_str(&xml).unwrap();
    assert_eq!(
        r.totals.lines,
        Some(Counter::new(2, 3)),
        "counted from the lines"
    );
    assert_eq!(
        r.totals.branches,
        Some(Counter::new(1, 2)),
        "counted from the lines"
    );
    assert_eq!(r.source.warnings.len(), 2, "{:?}", r.source.warnings);
    assert_eq!(
        r.source.warnings[0],
        "coverage report `coverage.xml`: line 2, column 1: `lines-valid` of `<coverage>` is \
         `NaN`, not a whole number; that figure is counted from the `<line>` records instead"
    );
    assert!(r.source.warnings[1].contains("`branches-valid` of `<coverage>` is `2.0`"));
}

#[test]
fn hits_written_with_a_decimal_point_are_read_with_one_warning() {
    let xml = report(
        r#"<coverage lines-valid="3" lines-covered="2">"#,
        "1.0",
        "false",
    );
    let xml = xml.replace("hits=\"4\"", "hits=\"4.00\"");
    let r = parse_str(&xml).unwrap();
    assert_eq!(r.files["src/a.m"].lines, [(1, 1), (2, 0), (3, 4)].into());
    assert_eq!(r.source.warnings.len(), 1, "{:?}", r.source.warnings);
    assert!(
        r.source.warnings[0].starts_with(
            "coverage report `coverage.xml`: line 5, column 1: `hits` of `<line>` is `1.0`"
        ),
        "{:?}",
        r.source.warnings
    );
}

#[test]
fn required_data_that_cannot_be_read_still_fails() {
    for hits in ["NaN", "1.5", "-1", ""] {
        let xml = report(
            r#"<coverage lines-valid="3" lines-covered="2">"#,
            hits,
            "false",
        );
        let e = parse_str(&xml).unwrap_err().to_string();
        assert!(
            e.starts_with("coverage report `coverage.xml`: line 5, column 1: expected a non-negative integer in `hits` of `<line>`"),
            "{hits}: {e}"
        );
        assert_eq!(
            crate::Error::from(parse_str(&xml).unwrap_err()).exit_code(),
            crate::ExitCode::Invalid
        );
    }
}

#[test]
fn coverlet_branch_true_is_counted() {
    // coverlet writes `branch="True"`; without root branch attributes the total comes from the
    // lines, and with them each file still has its branches.
    for root in [
        r#"<coverage lines-valid="3" lines-covered="2">"#,
        r#"<coverage lines-valid="3" lines-covered="2" branches-valid="2" branches-covered="1">"#,
    ] {
        let r = parse_str(&report(root, "1", "True")).unwrap();
        assert_eq!(r.totals.branches, Some(Counter::new(1, 2)), "{root}");
        assert_eq!(
            r.files["src/a.m"].totals.branches,
            Some(Counter::new(1, 2)),
            "{root}"
        );
    }
}
