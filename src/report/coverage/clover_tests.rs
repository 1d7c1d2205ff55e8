use super::*;
use crate::report::coverage::{Format, parse_reader};

fn parse_str(xml: &str) -> Result<crate::report::coverage::CoverageReport, ReportError> {
    parse_reader("clover.xml", xml.as_bytes(), Format::Clover)
}

#[test]
fn openclover_conditions_count_two_outcomes() {
    let xml = r#"<coverage generated="1" clover="4.4.1"><project timestamp="1">
      <metrics statements="3" coveredstatements="2" conditionals="4" coveredconditionals="3" methods="1" coveredmethods="1"/>
      <package name="p"><file name="A.java" path="src/p/A.java">
        <line num="3" count="2" type="method"/>
        <line num="4" count="2" type="cond" truecount="2" falsecount="0"/>
        <line num="5" count="1" type="cond" truecount="1" falsecount="1"/>
        <line num="6" count="0" type="stmt"/>
      </file></package></project></coverage>"#;
    let r = parse_str(xml).unwrap();
    let a = &r.files["src/p/A.java"];
    assert_eq!(a.branches[&4], Counter::new(1, 2));
    assert_eq!(a.branches[&5], Counter::new(2, 2));
    assert_eq!(
        r.totals.branches,
        Some(Counter::new(3, 4)),
        "the project's metrics"
    );
    assert_eq!(r.totals.lines, Some(Counter::new(2, 3)));
    assert_eq!(
        r.source.tool, None,
        "neither istanbul nor PHPUnit: no native figure"
    );
    assert_eq!(r.native, None);
}

#[test]
fn unreadable_metrics_are_warnings_and_recounted() {
    let xml = "<coverage generated=\"1\"><project timestamp=\"1\">\n<file name=\"/w/a.php\">\n\
        <line num=\"2\" count=\"1\" type=\"stmt\"/><line num=\"3\" count=\"0\" type=\"stmt\"/>\n\
        <metrics statements=\"NaN\" coveredstatements=\"1\" methods=\"1.0\" coveredmethods=\"0\"/>\n\
        </file>\n<metrics statements=\"2\" coveredstatements=\"1.0\"/>\n</project></coverage>";
    let r = parse_str(xml).unwrap();
    assert_eq!(
        r.totals.statements,
        Some(Counter::new(1, 2)),
        "from the lines"
    );
    assert_eq!(r.totals.functions, None);
    assert_eq!(r.source.warnings.len(), 3, "{:?}", r.source.warnings);
    assert!(
        r.source.warnings[0].starts_with(
            "coverage report `clover.xml`: line 4, column 1: `statements` of `<metrics>` is \
             `NaN`, not a whole number; that figure is counted from the `<line>` records instead"
        ),
        "{:?}",
        r.source.warnings
    );
    assert!(r.source.warnings[2].contains("line 6, column 1: `coveredstatements`"));
}

#[test]
fn required_data_still_fails() {
    for (xml, want) in [
        (
            "<coverage generated=\"1\"><project><file name=\"a\"><line num=\"1\" count=\"NaN\" type=\"stmt\"/></file></project></coverage>",
            "line 1, column 49: expected a non-negative integer in `count` of `<line>`, found `NaN`",
        ),
        (
            "<coverage generated=\"1\"><project><file><line num=\"1\" count=\"1\" type=\"stmt\"/></file></project></coverage>",
            "`<file>` has neither a `path` nor a `name` attribute",
        ),
        (
            "<coverage generated=\"1\"><project><file name=\"a\"><line num=\"1\" count=\"1\" type=\"x\"/></file></project></coverage>",
            "unknown `<line>` type `x`",
        ),
        (
            "<coverage generated=\"1\"><project><metrics statements=\"1\" coveredstatements=\"2\"/></project></coverage>",
            "`coveredstatements` (2) is greater than `statements` (1)",
        ),
        (
            "<project/>",
            "expected the Clover root element `<coverage>`, found `<project>`",
        ),
        (
            "<coverage generated=\"1\"><project>",
            "the file ends inside `<coverage>`",
        ),
    ] {
        let err = parse_str(xml).unwrap_err().to_string();
        assert!(err.starts_with("coverage report `clover.xml`: "), "{err}");
        assert!(err.contains(want), "{xml}\n  got: {err}\n want: {want}");
    }
}
