//! The SARIF reader against real scanner output (tests/fixtures/sarif/, each folder's README
//! says which tool and command made it and what the tool printed) and against bad input.

use super::*;

fn fixture(rel: &str) -> SarifReport {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sarif")
        .join(rel);
    parse_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn parse(text: &str) -> Result<SarifReport, SarifError> {
    parse_reader("t.sarif", text.as_bytes())
}

fn levels(s: &FindingSummary) -> (u64, u64, u64, u64) {
    let l = s.by_level;
    (l.error, l.warning, l.note, l.none)
}

#[test]
fn zizmor_seven_reported_findings() {
    // zizmor: "12 findings (5 suppressed, …): 0 informational, 0 low, 1 medium, 6 high"; the
    // 5 suppressed are left out of the SARIF, the 6 high are `error`, the medium a `warning`.
    let r = fixture("zizmor/zizmor.sarif");
    let s = r.summary;
    assert_eq!((s.total, s.suppressed), (7, 0));
    assert_eq!(levels(&s), (6, 1, 0, 0));
    // zizmor's rules carry no security-severity: these are judged by level.
    assert_eq!(s.by_severity.total(), 0);
    assert_eq!(
        r.tools,
        [Tool {
            name: "zizmor".into(),
            version: Some("1.32.0".into())
        }]
    );
    let artipacked = r
        .findings
        .iter()
        .find(|f| f.rule_id.as_deref() == Some("zizmor/artipacked"))
        .expect("artipacked finding");
    assert_eq!(artipacked.level, Level::Warning);
    assert_eq!(artipacked.file.as_deref(), Some(".github/workflows/ci.yml"));
    assert_eq!(artipacked.line, Some(14));
    assert!(artipacked.message.starts_with("credential persistence"));
}

#[test]
fn bandit_missing_level_is_the_spec_default_warning() {
    // bandit: Total issues (by severity) High 3, Medium 5, Low 4; MEDIUM has no `level`.
    let s = fixture("bandit/bandit.sarif").summary;
    assert_eq!(s.total, 12);
    assert_eq!(levels(&s), (3, 5, 4, 0));
}

#[test]
fn trivy_security_severity_bands() {
    // Trivy: 24 misconfigurations (LOW 12, MEDIUM 7, HIGH 5) + 2 secrets (CRITICAL 2); the
    // rules' security-severity strings are 9.5 / 8.0 / 5.5 / 2.0.
    let r = fixture("trivy/trivy.sarif");
    let s = r.summary;
    assert_eq!(s.total, 26);
    let b = s.by_severity;
    assert_eq!(
        (b.critical, b.high, b.medium, b.low, b.unknown),
        (2, 5, 7, 12, 0)
    );
    assert_eq!(levels(&s), (7, 7, 12, 0));
    assert_eq!(r.tools[0].version.as_deref(), Some("0.76.0"));
    let files: std::collections::BTreeSet<_> = r
        .findings
        .iter()
        .filter_map(|f| f.file.as_deref())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        [
            "Dockerfile",
            "config/settings.env",
            "deploy/deployment.yaml"
        ]
    );
}

#[test]
fn clippy_sarif_six_warnings_one_error_no_version() {
    // cargo: "generated 6 warnings" … "due to 1 previous error".
    let r = fixture("clippy-sarif/clippy.sarif");
    assert_eq!(r.summary.total, 7);
    assert_eq!(levels(&r.summary), (1, 6, 0, 0));
    assert_eq!(r.tools[0].version, None);
    let error = r.findings.iter().find(|f| f.level == Level::Error).unwrap();
    assert_eq!(error.rule_id.as_deref(), Some("clippy::approx_constant"));
    assert_eq!(
        (error.file.as_deref(), error.line),
        (Some("src/lib.rs"), Some(28))
    );
}

/// A two-rule log: `r0` with a numeric security-severity and a default level, `r1` in an
/// extension with a string one.
fn log(results: &str) -> String {
    format!(
        r#"{{"version": "2.1.0", "runs": [{{
  "tool": {{
    "driver": {{"name": "t", "semanticVersion": "2.0",
      "rules": [{{"id": "r0", "defaultConfiguration": {{"level": "note"}},
                 "properties": {{"security-severity": 9.1}}}}]}},
    "extensions": [{{"name": "ext", "rules": [{{"id": "r1", "properties": {{"security-severity": "4.0"}}}},
                                              {{"id": "q", "shortDescription": {{"text": "short"}}}},
                                              {{"id": "bad", "properties": {{"security-severity": "high"}}}}]}}]
  }},
  "artifacts": [{{"location": {{"uri": "src/a.rs"}}}}],
  "results": [{results}]
}}]}}"#
    )
}

#[test]
fn rule_lookup_default_level_and_suppressions() {
    let r = parse(&log(r#"
      {"ruleId": "r0", "message": {"text": "a"}},
      {"rule": {"id": "r1"}, "level": "error", "message": {"text": "b"}},
      {"ruleId": "x", "rule": {"index": 0, "toolComponent": {"index": 0}}, "message": {}},
      {"ruleId": "q", "message": {"text": "c"},
       "locations": [{"physicalLocation": {"artifactLocation": {"index": 0}, "region": {"startLine": 3}}}]},
      {"ruleId": "bad", "level": "warning", "message": {"text": "d"}},
      {"ruleId": "r0", "suppressions": [{"kind": "inSource"}], "message": {"text": "e"}},
      {"ruleId": "r0", "suppressions": [{"kind": "external", "status": "underReview"}], "message": {"text": "f"}},
      {"ruleId": "r0", "suppressions": [{"status": "accepted"}, {"status": "rejected"}], "message": {"text": "g"}},
      {"ruleId": "q", "kind": "review", "message": {"text": "h"}},
      {"ruleId": "q", "kind": "pass", "message": {"text": "i"}}
    "#))
    .unwrap();
    let f = &r.findings;
    assert_eq!(f.len(), 9, "the `pass` result is not a finding");
    assert_eq!(
        (f[0].severity, f[0].level),
        (Severity::Critical, Level::Note)
    );
    assert_eq!(
        (f[1].severity, f[1].level),
        (Severity::Medium, Level::Error)
    );
    // Index lookup in extension 0 wins over the unknown ruleId; the message falls back to the
    // rule's short description.
    assert_eq!(f[2].severity, Severity::Medium);
    assert_eq!(f[2].message, "");
    assert_eq!(
        (f[3].severity, f[3].level),
        (Severity::None, Level::Warning)
    );
    assert_eq!(
        (f[3].file.as_deref(), f[3].line),
        (Some("src/a.rs"), Some(3))
    );
    assert_eq!(
        f[4].severity,
        Severity::Unknown,
        "non-numeric security-severity"
    );
    assert!(f[5].suppressed);
    assert!(!f[6].suppressed, "under review is not suppressed");
    assert!(!f[7].suppressed, "a rejected suppression is not suppressed");
    assert_eq!(f[8].level, Level::None, "kind review without level");
    let s = r.summary;
    assert_eq!((s.total, s.suppressed), (8, 1));
    let b = s.by_severity;
    assert_eq!(
        (b.critical, b.high, b.medium, b.low, b.unknown),
        (3, 0, 2, 0, 1)
    );
    assert_eq!(levels(&s), (1, 3, 3, 1));
    assert_eq!(r.tools[0].version.as_deref(), Some("2.0"));
}

#[test]
fn short_description_is_the_fallback_message() {
    let r = parse(&log(r#"{"ruleId": "q"}"#)).unwrap();
    assert_eq!(r.findings[0].message, "short");
}

#[test]
fn long_messages_are_truncated_on_a_char_boundary() {
    let text = "é".repeat(MESSAGE_MAX);
    let r = parse(&log(&format!(
        r#"{{"ruleId": "q", "message": {{"text": "{text}"}}}}"#
    )))
    .unwrap();
    let m = &r.findings[0].message;
    assert!(m.len() <= MESSAGE_MAX + '…'.len_utf8() && m.ends_with('…'));
}

#[test]
fn null_runs_and_results_are_empty() {
    let r = parse(r#"{"version": "2.1.0", "runs": null}"#).unwrap();
    assert!(r.findings.is_empty() && r.tools.is_empty());
    let r = parse(
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": null}]}"#,
    )
    .unwrap();
    assert_eq!(r.summary, FindingSummary::default());
}

#[test]
fn wrong_version_names_the_version_found() {
    let err = parse(r#"{"version": "2.0.0", "runs": []}"#).unwrap_err();
    assert!(matches!(&err, SarifError::Version { found, .. } if found == "2.0.0"));
    let msg = err.to_string();
    assert!(
        msg.contains("`t.sarif`") && msg.contains("`2.0.0`") && msg.contains("2.1.0"),
        "{msg}"
    );
}

#[test]
fn bad_input_is_located_and_never_panics() {
    let err = parse("{\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\"tool\": }").unwrap_err();
    match err {
        SarifError::Malformed {
            line,
            column,
            ref message,
            ..
        } => {
            assert_eq!((line, column), (4, 14), "{message}");
        }
        other => panic!("{other}"),
    }
    assert!(matches!(parse(""), Err(SarifError::Invalid { .. })));
    let empty = parse("").unwrap_err().to_string();
    assert!(
        empty.contains("empty") && empty.contains("t.sarif"),
        "{empty}"
    );
    let truncated = parse(r#"{"version": "2.1.0", "runs": [{"res"#)
        .unwrap_err()
        .to_string();
    assert!(truncated.contains("line 1"), "{truncated}");
    let other = parse(r#"{"auditReportVersion": 2, "vulnerabilities": {}}"#).unwrap_err();
    assert!(other.to_string().contains("not a SARIF log"), "{other}");
    let shape = parse(r#"{"version": "2.1.0", "runs": {"a": 1}}"#)
        .unwrap_err()
        .to_string();
    assert!(shape.contains("unexpected JSON shape"), "{shape}");
    assert!(matches!(
        parse(r#"{"version": "2.1.0"}"#),
        Err(SarifError::Invalid { .. })
    ));
    assert!(parse("[1, 2]").is_err());
    assert!(parse("\u{feff}").is_err());
}

#[test]
fn unreadable_file_names_the_file() {
    let err = parse_file(Path::new("no/such/file.sarif")).unwrap_err();
    assert!(matches!(err, SarifError::Read { .. }));
    assert!(err.to_string().contains("no/such/file.sarif"));
}

#[test]
fn detect_by_content() {
    assert!(detect(
        br#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": ["#
    ));
    assert!(detect(br#"{"version": "2.1.0", "runs": []}"#));
    assert!(!detect(
        br#"{"auditReportVersion": 2, "vulnerabilities": {}}"#
    ));
}

#[test]
fn damaged_fixtures_give_errors_not_panics() {
    for rel in ["zizmor/zizmor.sarif", "clippy-sarif/clippy.sarif"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sarif")
            .join(rel);
        let valid = std::fs::read(path).unwrap();
        for damaged in crate::report::json::mutations(&valid) {
            // A flipped byte may still be valid JSON; a cut-short document never is.
            let result = parse_reader(rel, damaged.as_slice());
            if damaged.len() < valid.trim_ascii_end().len() {
                assert!(
                    result.is_err(),
                    "{rel} cut to {} bytes parsed",
                    damaged.len()
                );
            }
        }
    }
}
