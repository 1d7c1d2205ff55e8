//! Every query and predicate on a hand-made response, with the expected/actual each reports.

use super::*;
use reqwest::header::{CONTENT_TYPE, HeaderValue};

#[derive(serde::Deserialize)]
struct Doc {
    #[serde(deserialize_with = "serde_norway::with::singleton_map_recursive::deserialize")]
    assert: Vec<Assertion>,
}

/// One flow-style assertion per line, indentation ignored.
fn assertions(yaml: &str) -> Vec<Assertion> {
    let items: String = yaml
        .lines()
        .map(|l| format!("  {}\n", l.trim_start()))
        .collect();
    serde_norway::from_str::<Doc>(&format!("assert:\n{items}"))
        .unwrap()
        .assert
}

struct Fixture {
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Fixture {
    fn new(body: &str) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.append("x-multi", HeaderValue::from_static("a"));
        headers.append("x-multi", HeaderValue::from_static("b"));
        Fixture {
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn observed(&self) -> Observed<'_> {
        Observed {
            status: 200,
            headers: &self.headers,
            body: &self.body,
            truncated: false,
            max_body: 1 << 20,
            url: "https://app.example.com/health",
            redirects: 1,
            redirect_location: Some("https://app.example.com/health"),
            total: Duration::from_micros(42_300),
            ttfb: Duration::from_micros(40_000),
            cert_days: Some(30),
        }
    }
}

const BODY: &str = r#"{"status": "ok", "version": "1.4.2", "n": 3, "ratio": 0.5,
  "items": [{"id": 1}, {"id": 2}], "tags": ["a", "b"], "empty": null}"#;

fn run(yaml: &str) -> Vec<AssertionResult> {
    let f = Fixture::new(BODY);
    evaluate(&assertions(yaml), &f.observed())
}

#[test]
fn passing_assertions_of_every_query() {
    let yaml = "\
  - status: 200
  - status: {in: [200, 204]}
  - status: {between: [200, 299]}
  - header: {name: Content-Type, matches: ^application/json$}
  - header: {name: x-multi, equals: 'a, b'}
  - header: {name: x-missing, exists: false}
  - body: {contains: '\"status\": \"ok\"'}
  - body: {matches: 'version\": \"1\\.\\d+'}
  - jsonpath: {path: $.status, equals: ok}
  - jsonpath: {path: $.n, equals: 3.0}
  - jsonpath: {path: $.ratio, less-than: 1}
  - jsonpath: {path: $.n, between: [1, 3]}
  - jsonpath: {path: '$.items[*].id', equals: [1, 2]}
  - jsonpath: {path: $.tags, contains: b}
  - jsonpath: {path: $.version, matches: ^1\\.}
  - jsonpath: {path: $.empty, exists: true}
  - jsonpath: {path: $.nope, exists: false}
  - jsonpath: {path: $.status, in: [ok, degraded]}
  - jsonpath-count: {path: '$.items[*]', equals: 2}
  - jsonpath-count: {path: '$.items[?@.id > 1]', equals: 1}
  - response-time: {less-than: 100ms}
  - time-to-first-byte: {at-least: 40ms}
  - cert-expiry-days: {at-least: 14}
  - redirect-location: {contains: /health}
  - redirects: 1
  - url: {equals: 'https://app.example.com/health'}
  - body: {contains: error, not: true}
";
    for r in run(yaml) {
        assert!(r.passed, "{r:?}");
    }
}

#[test]
fn failures_report_expected_and_actual() {
    let yaml = "\
  - status: 500
  - header: {name: x-request-id, exists: true}
  - jsonpath: {path: $.status, equals: degraded}
  - jsonpath: {path: $.nope, equals: 1}
  - jsonpath-count: {path: '$.items[*]', at-least: 3}
  - response-time: {less-than: 10ms}
  - cert-expiry-days: {at-least: 45}
  - body: {contains: ok, not: true}
  - jsonpath: {path: $.status, less-than: 3}
";
    let got: Vec<(bool, String, String)> = run(yaml)
        .into_iter()
        .map(|r| (r.passed, r.expected, r.actual))
        .collect();
    let want = [
        (false, "equals 200".replace("200", "500"), "200".to_owned()),
        (false, "exists".into(), "no `x-request-id` header".into()),
        (false, "equals \"degraded\"".into(), "\"ok\"".into()),
        (false, "equals 1".into(), "nothing at `$.nope`".into()),
        (false, "at-least 3".into(), "2".into()),
        (false, "less-than 10ms".into(), "42.3ms".into()),
        (false, "at-least 45".into(), "30".into()),
        (
            false,
            "not contains \"ok\"".into(),
            format!("\"{}\"", excerpt(BODY, 200)),
        ),
        (false, "less-than 3".into(), "\"ok\" (not a number)".into()),
    ];
    assert_eq!(got, want);
}

#[test]
fn unevaluable_queries_fail_even_when_negated() {
    let mut f = Fixture::new("<html>not json</html>");
    let r = evaluate(
        &assertions("  - jsonpath: {path: $.error, exists: true, not: true}\n"),
        &f.observed(),
    );
    assert!(!r[0].passed);
    assert!(
        r[0].actual.starts_with("the body is not JSON"),
        "{}",
        r[0].actual
    );

    f.body = vec![b'x'; 16];
    let mut obs = f.observed();
    obs.truncated = true;
    obs.max_body = 16;
    let r = evaluate(
        &assertions("  - status: 200\n  - body: {contains: y, not: true}\n"),
        &obs,
    );
    assert!(r[0].passed);
    assert!(!r[1].passed);
    assert_eq!(
        r[1].actual,
        "not evaluated: the body is larger than the 16 bytes cap (`max-body`)"
    );

    let mut obs = f.observed();
    obs.cert_days = None;
    obs.url = "http://app.example.com/";
    let r = evaluate(&assertions("  - cert-expiry-days: {at-least: 1}\n"), &obs);
    assert_eq!(
        (r[0].passed, r[0].actual.as_str()),
        (false, "no certificate: the final URL is not https")
    );
}

#[test]
fn excerpts_are_one_line_and_cut() {
    assert_eq!(excerpt("a\nb\r\u{1b}[31m", 10), "a\\nb\\r\\u{1b}[31m");
    assert_eq!(excerpt("::error::x", 4), "::er…");
    assert_eq!(excerpt("héllo", 2), "hé…");
}

#[test]
fn sizes_are_readable() {
    assert_eq!(size(1 << 20), "1 MiB");
    assert_eq!(size(64 << 10), "64 KiB");
    assert_eq!(size(1500), "1500 bytes");
}
