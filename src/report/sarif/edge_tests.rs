//! Regression tests for SARIF logs that were refused or miscounted (issue 19): a byte order
//! mark, `ruleIndex: -1`, SARIF 1.0, and baselines.

use super::*;

fn parse(text: &[u8]) -> Result<SarifReport, SarifError> {
    parse_reader("t.sarif", text)
}

const RULES: &str = r#"{"driver": {"name": "demo", "rules": [{"id": "R1", "defaultConfiguration": {"level": "error"}}]}}"#;

#[test]
fn a_byte_order_mark_is_skipped() {
    let log = format!(
        "\u{feff}{{\"version\": \"2.1.0\", \"runs\": [{{\"tool\": {RULES}, \"results\": [{{\"ruleId\": \"R1\", \"message\": {{\"text\": \"x\"}}}}]}}]}}"
    );
    let r = parse(log.as_bytes()).unwrap();
    assert_eq!(r.summary.total, 1);
    assert_eq!(r.summary.by_level.error, 1);
}

#[test]
fn rule_index_minus_one_means_not_given() {
    // §3.27.6: -1 is the default; the rule is then found by id.
    let log = format!(
        r#"{{"version": "2.1.0", "runs": [{{"tool": {RULES}, "results": [
            {{"ruleId": "R1", "ruleIndex": -1, "rule": {{"index": -1, "toolComponent": {{"index": -1}}}},
              "message": {{"text": "x"}},
              "locations": [{{"physicalLocation": {{"artifactLocation": {{"uri": "a.py", "index": -1}}}}}}]}}]}}]}}"#
    );
    let r = parse(log.as_bytes()).unwrap();
    assert_eq!(
        r.findings[0].level,
        Level::Error,
        "the rule was found by id"
    );
    assert_eq!(r.findings[0].file.as_deref(), Some("a.py"));
}

#[test]
fn sarif_1_is_named_before_its_shape_is_read() {
    // SARIF 1.0 (Roslyn's default `/errorlog`): `message` is a string, `locations` hold
    // `resultFile`; the version is checked first.
    let v1 = br#"{"$schema": "http://json.schemastore.org/sarif-1.0.0", "version": "1.0.0",
      "runs": [{"tool": {"name": "Microsoft (R) Visual C# Compiler", "version": "3.100.0"},
                "results": [{"ruleId": "CS0168", "level": "warning", "message": "The variable 'e' is declared but never used",
                             "locations": [{"resultFile": {"uri": "file:///C:/a.cs", "region": {"startLine": 3}}}]}]}]}"#;
    let e = parse(v1).unwrap_err();
    assert!(matches!(e, SarifError::Version1 { .. }), "{e}");
    assert!(
        e.to_string().starts_with(
            "SARIF log `t.sarif`: SARIF 1.0 is not supported, convert with the SARIF Multitool: \
             `npx @microsoft/sarif-multitool transform t.sarif --sarif-output-version Current"
        ),
        "{e}"
    );
    assert_eq!(crate::Error::from(e).exit_code(), crate::ExitCode::Invalid);
    // The tool's own version deeper in the file is not the log's.
    let log = r#"{"runs": [{"tool": {"driver": {"name": "bandit", "version": "1.7.5"}}, "results": []}], "version": "2.1.0"}"#;
    assert!(parse(log.as_bytes()).is_ok());
    let e = parse(br#"{"version": "2.0.0", "runs": [{"results": [{"message": "s"}]}]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("version `2.0.0` is not supported"), "{e}");
}

#[test]
fn baseline_states_count_new_and_drop_absent() {
    let result = |state: &str| {
        let state = if state.is_empty() {
            String::new()
        } else {
            format!(r#""baselineState": "{state}", "#)
        };
        format!(r#"{{{state}"ruleId": "R1", "message": {{"text": "x"}}}}"#)
    };
    let log = |guid: &str, states: &[&str]| {
        let results: Vec<String> = states.iter().map(|s| result(s)).collect();
        format!(
            r#"{{"version": "2.1.0", "runs": [{{"tool": {RULES}, {guid}"results": [{}]}}]}}"#,
            results.join(",")
        )
    };
    // A run compared with a baseline: only `new` is new; a result without a state is not
    // assumed new; `absent` ones are gone and not findings.
    let r = parse(
        log(
            r#""baselineGuid": "0d5d3c6b-0000-4000-8000-000000000001", "#,
            &["new", "unchanged", "updated", "", "absent"],
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(r.summary.total, 4);
    assert_eq!(r.summary.new, Some(1));
    assert_eq!(r.summary.absent, 1);
    assert_eq!(r.summary.by_level.error, 4);
    // Without a baseline nothing says what is new.
    let r = parse(log("", &["", ""]).as_bytes()).unwrap();
    assert_eq!((r.summary.total, r.summary.new), (2, None));
}
