//! Unit tests of the JaCoCo parser on small inline reports.

use super::*;
use crate::report::coverage::{CoverageReport, Format, Metric, parse_reader};

fn parse_str(text: &str) -> Result<CoverageReport, ReportError> {
    parse_reader("jacoco.xml", text.as_bytes(), Format::Jacoco)
}

const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="demo"><sessioninfo id="host-1" start="1" dump="2"/><package name="com/example"><class name="com/example/Foo" sourcefilename="Foo.java"><method name="bar" desc="()V" line="5"><counter type="INSTRUCTION" missed="1" covered="4"/><counter type="LINE" missed="1" covered="2"/></method><counter type="INSTRUCTION" missed="99" covered="99"/></class><sourcefile name="Foo.java"><line nr="3" mi="0" ci="3" mb="0" cb="0"/><line nr="5" mi="2" ci="4" mb="1" cb="1"/><line nr="7" mi="3" ci="0" mb="0" cb="0"/><counter type="INSTRUCTION" missed="5" covered="7"/><counter type="BRANCH" missed="1" covered="1"/><counter type="LINE" missed="1" covered="2"/><counter type="COMPLEXITY" missed="1" covered="1"/><counter type="METHOD" missed="0" covered="2"/><counter type="CLASS" missed="0" covered="1"/></sourcefile><counter type="INSTRUCTION" missed="5" covered="7"/></package><package name=""><sourcefile name="Main.java"><line nr="1" mi="0" ci="2" mb="0" cb="0"/><counter type="INSTRUCTION" missed="0" covered="2"/><counter type="LINE" missed="0" covered="1"/></sourcefile></package><counter type="INSTRUCTION" missed="5" covered="194"/><counter type="BRANCH" missed="1" covered="1"/><counter type="LINE" missed="1" covered="3"/><counter type="COMPLEXITY" missed="1" covered="2"/><counter type="METHOD" missed="0" covered="3"/><counter type="CLASS" missed="0" covered="2"/></report>"#;

#[test]
fn report_counters_are_the_totals() {
    let r = parse_str(REPORT).unwrap();
    assert_eq!(r.totals.instructions, Some(Counter::new(194, 199)));
    assert_eq!(r.totals.branches, Some(Counter::new(1, 2)));
    assert_eq!(r.totals.lines, Some(Counter::new(3, 4)));
    assert_eq!(r.totals.functions, Some(Counter::new(3, 3)));
    assert_eq!(r.totals.statements, None);
    assert_eq!(r.source.tool, Some(Tool::Jacoco));
    let n = r.native.unwrap();
    // 194 / 199 = 97.49 % → JaCoCo floors to 97 %.
    assert_eq!((n.metric, n.percent.as_str()), (Metric::Instructions, "97"));
}

#[test]
fn sourcefiles_keyed_by_package_with_line_data() {
    let r = parse_str(REPORT).unwrap();
    let foo = &r.files["com/example/Foo.java"];
    assert_eq!(foo.totals.instructions, Some(Counter::new(7, 12)));
    assert_eq!(foo.totals.lines, Some(Counter::new(2, 3)));
    assert_eq!(
        foo.lines.iter().map(|(l, h)| (*l, *h)).collect::<Vec<_>>(),
        [(3, 3), (5, 4), (7, 0)]
    );
    assert_eq!(foo.branches[&5], Counter::new(1, 2));
    assert_eq!(foo.line_counter(), Counter::new(2, 3));
    let main = &r.files["Main.java"];
    // JaCoCo omits counters with a zero total: absent means 0 of 0.
    assert_eq!(main.totals.branches, Some(Counter::new(0, 0)));
    assert_eq!(r.files.len(), 2);
}

#[test]
fn errors() {
    let cases = [
        (
            "<coverage/>",
            "expected the JaCoCo root element `<report>`, found `<coverage>`",
        ),
        (
            "<report><counter type=\"WHAT\" missed=\"1\" covered=\"1\"/></report>",
            "unknown counter type `WHAT`",
        ),
        (
            "<report><counter missed=\"1\" covered=\"1\"/></report>",
            "`<counter>` has no `type` attribute",
        ),
        (
            "<report><counter type=\"LINE\" missed=\"x\" covered=\"1\"/></report>",
            "`missed` of `<counter>`",
        ),
        (
            "<report><package name=\"p\"><sourcefile name=\"A.java\"><line nr=\"1\" mi=\"0\" ci=\"1.0\" mb=\"0\"/>",
            "expected a non-negative integer in `ci` of `<line>`, found `1.0`",
        ),
        (
            "<report><package name=\"p\"><sourcefile>",
            "`<sourcefile>` has no `name` attribute",
        ),
        (
            "<report name=\"x\">\n<package name=\"p\">",
            "the file ends inside `<report>`",
        ),
        (
            "<!DOCTYPE report [<!ENTITY a \"aaaaaaaaaa\">]><report name=\"&a;\"/>",
            "line 1, column 1: the DOCTYPE declares entities",
        ),
    ];
    for (input, expected) in cases {
        let message = parse_str(input).unwrap_err().to_string();
        assert!(
            message.starts_with("coverage report `jacoco.xml`: "),
            "{message}"
        );
        assert!(
            message.contains(expected),
            "{input:?}\n  got: {message}\n want: {expected}"
        );
    }
}
