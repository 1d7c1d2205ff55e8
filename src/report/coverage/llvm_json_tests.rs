//! Unit tests of the llvm-cov export parser on small inline exports.

use super::*;
use crate::report::coverage::{CoverageReport, Format, Metric, parse_reader};

fn parse_str(text: &str) -> Result<CoverageReport, ReportError> {
    parse_reader("cov.json", text.as_bytes(), Format::LlvmJson)
}

const EXPORT: &str = r#"{"data":[{"files":[{"branches":[[2,8,2,14,3,0,0,0,4]],"expansions":[],"filename":"/w/src/lib.rs","segments":[[1,1,3,true,true,false],[2,8,0,true,true,false],[4,5,3,true,false,false],[5,2,0,false,false,false]],"summary":{"branches":{"count":2,"covered":1,"notcovered":1,"percent":50},"functions":{"count":1,"covered":1,"percent":100},"instantiations":{"count":1,"covered":1,"percent":100},"lines":{"count":5,"covered":3,"percent":60},"regions":{"count":2,"covered":1,"notcovered":1,"percent":50}}},{"filename":"/w/src/main.rs","segments":[],"summary":{"functions":{"count":1,"covered":0,"percent":0},"lines":{"count":3,"covered":0,"percent":0},"regions":{"count":1,"covered":0,"notcovered":1,"percent":0}}}],"functions":[{"count":3,"filenames":["/w/src/lib.rs"],"name":"f","regions":[[1,1,5,2,3,0,0,0]]}],"totals":{"branches":{"count":2,"covered":1,"notcovered":1,"percent":50},"functions":{"count":2,"covered":1,"percent":50},"instantiations":{"count":2,"covered":1,"percent":50},"lines":{"count":8,"covered":3,"percent":37.5},"mcdc":{"count":0,"covered":0,"notcovered":0,"percent":0},"regions":{"count":3,"covered":1,"notcovered":2,"percent":33.333333333333336}}}],"type":"llvm.coverage.json.export","version":"2.0.1"}"#;

#[test]
fn totals_files_lines_and_native() {
    let r = parse_str(EXPORT).unwrap();
    assert_eq!(r.totals.lines, Some(Counter::new(3, 8)));
    assert_eq!(r.totals.functions, Some(Counter::new(1, 2)));
    assert_eq!(r.totals.regions, Some(Counter::new(1, 3)));
    assert_eq!(r.totals.branches, Some(Counter::new(1, 2)));
    assert_eq!(r.source.tool, Some(Tool::LlvmCov));
    assert_eq!(r.source.tool_version.as_deref(), Some("2.0.1"));
    let lib = &r.files["/w/src/lib.rs"];
    assert_eq!(lib.totals.lines, Some(Counter::new(3, 5)));
    // Lines derived from segments agree with llvm-cov's own per-file line summary.
    assert_eq!(lib.line_counter(), Counter::new(3, 5));
    assert_eq!(lib.branches[&2], Counter::new(1, 2));
    assert!(r.files["/w/src/main.rs"].lines.is_empty());
    let n = r.native.unwrap();
    assert_eq!((n.metric, n.percent.as_str()), (Metric::Lines, "37.50"));
}

#[test]
fn type_is_checked_even_though_it_comes_last() {
    let other = EXPORT.replace("llvm.coverage.json.export", "something.else");
    let e = parse_str(&other).unwrap_err().to_string();
    assert!(
        e.contains("`type` is `something.else`; expected `llvm.coverage.json.export`"),
        "{e}"
    );
    let e = parse_str(r#"{"data":[{"files":[],"totals":{}}]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no `type` key"), "{e}");
}

#[test]
fn malformed_exports_name_line_and_column() {
    let cases = [
        (
            r#"{"type":"llvm.coverage.json.export"}"#,
            "line 1, column 36: no `data` key",
        ),
        (
            r#"{"data":[{"files":[]}],"type":"llvm.coverage.json.export"}"#,
            "no `totals` key",
        ),
        (
            "{\"data\":[{\"files\":[{\"filename\":\"a\",\"segments\":[[1,1]],\"summary\":{}}],\"totals\":{}}]}",
            "a segment has fewer than 5 elements",
        ),
        (
            r#"{"data":[{"files":[],"totals":{"lines":{"count":1,"covered":2}}}]}"#,
            "`lines` says 2 covered of 1",
        ),
        (
            "{\"data\":[{\"files\":[\n{\"filename\":",
            "line 2, column 12: the JSON document ends early",
        ),
        (
            "{\"data\": @}",
            "line 1, column 10: malformed JSON: expected value",
        ),
        ("\u{feff}{}", "line 1, column 2: no `data` key"),
    ];
    for (input, expected) in cases {
        let message = parse_str(input).unwrap_err().to_string();
        assert!(
            message.starts_with("coverage report `cov.json`: "),
            "{message}"
        );
        assert!(
            message.contains(expected),
            "{input:?}\n  got: {message}\n want: {expected}"
        );
    }
}

#[test]
fn summary_only_exports_have_no_line_data() {
    let r = parse_str(
        r#"{"data":[{"files":[{"filename":"a.rs","summary":{"lines":{"count":2,"covered":2,"percent":100}}}],"totals":{"lines":{"count":2,"covered":2,"percent":100}}}],"type":"llvm.coverage.json.export","version":"2.0.1"}"#,
    )
    .unwrap();
    assert!(r.files["a.rs"].lines.is_empty());
    assert_eq!(r.native.unwrap().percent, "100.00");
}
