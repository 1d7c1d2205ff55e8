//! The k6 reader against real k6 v1.1.0 output (tests/fixtures/perf/k6/README.md: commands,
//! what k6 printed, and the inverted legacy thresholds) and against bad input.

use super::*;

fn fixture(rel: &str) -> K6Summary {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/perf/k6")
        .join(rel);
    parse_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn parse(text: &str) -> Result<K6Summary, K6Error> {
    parse_reader("s.json", text.as_bytes())
}

/// k6 printed: `checks rate>0.6` ✓, `http_req_duration p(95)<500` ✓,
/// `http_req_duration{name:slow} p(90)<100` ✗, `http_req_failed rate<0.01` ✗ (exit 99).
fn assert_k6_verdicts(s: &K6Summary) {
    let got: Vec<_> = s
        .thresholds
        .iter()
        .map(|t| (t.metric.as_str(), t.expression.as_str(), t.passed))
        .collect();
    assert_eq!(
        got,
        [
            ("checks", "rate>0.6", true),
            ("http_req_duration", "p(95)<500", true),
            ("http_req_duration{name:slow}", "p(90)<100", false),
            ("http_req_failed", "rate<0.01", false),
        ]
    );
    assert_eq!(s.failed_thresholds().count(), 2);
    // http_reqs 60, iterations 20, checks 40 ✓ / 20 ✗, http_req_failed 20 out of 60.
    assert_eq!((s.http_reqs, s.iterations), (Some(60), Some(20)));
    assert_eq!(
        s.checks,
        Some(Checks {
            passed: 40,
            failed: 20
        })
    );
    let f = s.http_req_failed.expect("http_req_failed");
    assert_eq!((f.failed, f.total), (20, 60));
    assert!((f.rate.unwrap() - 1.0 / 3.0).abs() < 1e-9);
}

#[test]
fn legacy_summary_export_thresholds_are_inverted_back() {
    let s = fixture("summary-export.json");
    assert_eq!(s.format, K6Format::SummaryExport);
    assert_k6_verdicts(&s);
    // k6 printed (truncating to two decimals) `avg=51.94ms … max=155.45ms p(90)=152.1ms
    // p(95)=153.24ms`.
    let within = |v: Option<f64>, lo: f64, hi: f64| v.is_some_and(|v| (lo..hi).contains(&v));
    assert!(within(s.p95_ms(), 153.24, 153.25));
    assert!(within(s.p90_ms(), 152.1, 152.11));
    assert!(within(s.avg_ms(), 51.94, 51.95));
    assert!(within(s.max_ms(), 155.45, 155.46));
    let slow = s.metric("http_req_duration{name:slow}").unwrap();
    assert_eq!(slow.values.get("p(90)"), Some(&153.80117320000002));
}

#[test]
fn handle_summary_ok_means_passed() {
    let s = fixture("summary.json");
    assert_eq!(s.format, K6Format::HandleSummary);
    assert_k6_verdicts(&s);
    assert_eq!(s.p95_ms(), Some(151.6660966));
    assert_eq!(s.p90_ms(), Some(151.5307669));
    assert_eq!(s.avg_ms(), Some(51.79044013333334));
    assert_eq!(s.max_ms(), Some(160.114621));
}

#[test]
fn a_boolean_threshold_is_read_by_the_file_shape() {
    let export = r#"{"metrics": {"http_req_duration": {"p(95)": 2500, "thresholds": {"p(95)<2000": true}}}}"#;
    let s = parse(export).unwrap();
    assert_eq!(s.format, K6Format::SummaryExport);
    assert!(!s.thresholds[0].passed, "true = crossed");
    let handle = r#"{"metrics": {"http_req_duration": {"type": "trend", "values": {"p(95)": 2500},
      "thresholds": {"p(95)<2000": {"ok": false}}}}}"#;
    let s = parse(handle).unwrap();
    assert_eq!(
        (s.format, s.thresholds[0].passed),
        (K6Format::HandleSummary, false)
    );
    assert_eq!(s.p95_ms(), Some(2500.0));
}

#[test]
fn mixed_threshold_shapes_are_refused_rather_than_guessed() {
    let mixed = r#"{"metrics": {"a": {"values": {"rate": 1}, "thresholds": {"rate>0": true}}}}"#;
    let err = parse(mixed).unwrap_err().to_string();
    assert!(
        err.contains("`a`") && err.contains("rate>0") && err.contains("s.json"),
        "{err}"
    );
    let mixed = r#"{"metrics": {"a": {"rate": 1, "thresholds": {"rate>0": {"ok": true}}}}}"#;
    assert!(matches!(parse(mixed), Err(K6Error::Invalid { .. })));
}

#[test]
fn a_summary_without_http_metrics_has_no_latency() {
    let s = parse(r#"{"metrics": {"iterations": {"count": 3, "rate": 1.5}}, "root_group": {}}"#)
        .unwrap();
    assert_eq!(
        (s.p95_ms(), s.http_req_failed, s.iterations),
        (None, None, Some(3))
    );
    let s = parse(
        r#"{"metrics": {"http_reqs": {"count": -1}, "checks": {"passes": 1.5, "fails": 0}}}"#,
    )
    .unwrap();
    assert_eq!((s.http_reqs, s.checks), (None, None), "not counts");
}

#[test]
fn bad_input_is_located_and_never_panics() {
    match parse("{\n \"metrics\": {\"x\": {\"values\": {\"avg\": \"fast\"}}}\n}") {
        Err(K6Error::Malformed { line, message, .. }) => {
            assert_eq!(line, 2);
            assert!(message.contains("unexpected JSON shape"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let empty = parse("").unwrap_err().to_string();
    assert!(
        empty.contains("empty") && empty.contains("s.json"),
        "{empty}"
    );
    let other = parse(r#"{"version": "2.1.0", "runs": []}"#)
        .unwrap_err()
        .to_string();
    assert!(other.contains("not a k6 summary"), "{other}");
    assert!(matches!(
        parse("{\"metrics\": {"),
        Err(K6Error::Malformed { .. })
    ));
    assert!(parse("[]").is_err());
    assert!(matches!(
        parse_file(Path::new("no/such/summary.json")),
        Err(K6Error::Read { .. })
    ));
}

#[test]
fn detect_by_content() {
    let head = |rel: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(rel),
        )
        .unwrap()
    };
    assert!(detect(&head("perf/k6/summary.json")));
    assert!(detect(&head("perf/k6/summary-export.json")));
    assert!(!detect(&head("sarif/zizmor/zizmor.sarif")));
    assert!(!detect(&head("audit/cargo-audit/cargo-audit.json")));
}

#[test]
fn damaged_fixtures_give_errors_not_panics() {
    for rel in ["summary.json", "summary-export.json"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/perf/k6")
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
