use super::*;
use crate::report::coverage::{Format, parse_reader};

fn parse_str(xml: &str) -> Result<crate::report::coverage::CoverageReport, ReportError> {
    parse_reader("opencover.xml", xml.as_bytes(), Format::Opencover)
}

#[test]
fn skipped_modules_and_methods_and_method_points_do_not_count() {
    let xml = r#"<CoverageSession><Modules>
      <Module skippedDueTo="Filter"><Files><File uid="1" fullPath="/gac/System.Xml.cs"/></Files>
        <Classes><Class><Methods><Method visited="true"><FileRef uid="1"/><SequencePoints>
          <SequencePoint vc="1" sl="1" fileid="1"/></SequencePoints></Method></Methods></Class></Classes></Module>
      <Module><Files><File uid="1" fullPath="/w/A.cs"/></Files><Classes><Class><Methods>
        <Method visited="true"><FileRef uid="1"/><SequencePoints>
          <SequencePoint vc="2" sl="3" el="4" fileid="1"/><SequencePoint vc="0" sl="6" fileid="1"/></SequencePoints>
          <BranchPoints><BranchPoint vc="1" sl="3" fileid="1"/><BranchPoint vc="0" sl="3" fileid="1"/></BranchPoints>
          <MethodPoint vc="2" sl="3" fileid="1"/></Method>
        <Method visited="false" skippedDueTo="Attribute"><FileRef uid="1"/><SequencePoints>
          <SequencePoint vc="0" sl="9" fileid="1"/></SequencePoints></Method>
      </Methods></Class></Classes></Module></Modules></CoverageSession>"#;
    let r = parse_str(xml).unwrap();
    assert_eq!(r.files.len(), 1, "{:?}", r.files.keys());
    let a = &r.files["/w/A.cs"];
    assert_eq!(a.lines, [(3, 2), (4, 2), (6, 0)].into());
    assert_eq!(a.branches[&3], Counter::new(1, 2));
    assert_eq!(
        r.totals.statements,
        Some(Counter::new(1, 2)),
        "counted: no <Summary>"
    );
    assert_eq!(r.totals.functions, Some(Counter::new(1, 1)));
    assert_eq!(r.totals.lines, Some(Counter::new(2, 3)));
}

#[test]
fn unreadable_summary_values_are_warnings() {
    let xml = "<CoverageSession>\n<Summary numSequencePoints=\"NaN\" visitedSequencePoints=\"1\" \
        numBranchPoints=\"2\" visitedBranchPoints=\"1\"/>\n<Modules><Module><Files><File uid=\"1\" \
        fullPath=\"/w/A.cs\"/></Files><Classes><Class><Methods><Method visited=\"true\">\
        <FileRef uid=\"1\"/><SequencePoints><SequencePoint vc=\"1\" sl=\"1\" fileid=\"1\"/>\
        </SequencePoints></Method></Methods></Class></Classes></Module></Modules></CoverageSession>";
    let r = parse_str(xml).unwrap();
    assert_eq!(
        r.totals.statements,
        Some(Counter::new(1, 1)),
        "counted from the points"
    );
    assert_eq!(
        r.totals.branches,
        Some(Counter::new(1, 2)),
        "as the summary says"
    );
    assert_eq!(r.source.warnings.len(), 1, "{:?}", r.source.warnings);
    assert!(
        r.source.warnings[0].starts_with(
            "coverage report `opencover.xml`: line 2, column 1: `numSequencePoints` of \
             `<Summary>` is `NaN`"
        ),
        "{:?}",
        r.source.warnings
    );
}

#[test]
fn errors() {
    for (xml, want) in [
        (
            "<Coverage/>",
            "expected the OpenCover root element `<CoverageSession>`",
        ),
        (
            "<CoverageSession><Modules><Module><Files/><Classes><Class><Methods><Method><SequencePoints><SequencePoint vc=\"1\" sl=\"1\" fileid=\"7\"/>",
            "file id 7 is not among the module's `<File uid=...>` elements",
        ),
        (
            "<CoverageSession><Modules><Module><Files><File uid=\"1\" fullPath=\"a\"/></Files><Classes><Class><Methods><Method><SequencePoints><SequencePoint vc=\"x\" sl=\"1\" fileid=\"1\"/>",
            "expected a non-negative integer in `vc` of `<SequencePoint>`, found `x`",
        ),
        (
            "<CoverageSession><Modules><Module><Files><File uid=\"1\"/></Files>",
            "`<File>` has no `fullPath` attribute",
        ),
        (
            "<CoverageSession><Modules>",
            "the file ends inside `<CoverageSession>`",
        ),
    ] {
        let err = parse_str(xml).unwrap_err().to_string();
        assert!(
            err.starts_with("coverage report `opencover.xml`: line 1, column"),
            "{err}"
        );
        assert!(err.contains(want), "{xml}\n  got: {err}\n want: {want}");
    }
}
