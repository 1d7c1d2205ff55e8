//! The check engine against a real nginx on 127.0.0.1: status codes, a JSON endpoint, redirect
//! chains, a slow upstream (nginx proxying to an in-process server that waits), and TLS with a
//! private CA made by openssl in the test: trusted through `tls.ca-file`, refused without it,
//! and a certificate close to expiry caught by `cert-expiry-days`.

use std::time::Duration;

use decoder_ops::probe::{CheckResult, CheckStatus, Report, RunOptions, Selection};

use crate::support::faults::{Behavior, FaultServer};
use crate::support::nginx::{Nginx, Pki, free_port};
use crate::support::probe::{options, run_yaml};

/// nginx with the plain-HTTP locations, proxying `/slow` to an in-process upstream that waits
/// `?ms=N` milliseconds.
async fn http_nginx() -> (Nginx, FaultServer) {
    let upstream = FaultServer::start(|_, path| {
        let ms = path
            .split("ms=")
            .nth(1)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        Behavior::Delay(
            Duration::from_millis(ms),
            Box::new(Behavior::status(200, "slow ok")),
        )
    })
    .await;
    let port = free_port();
    let servers = format!(
        r#"
    server {{
        listen 127.0.0.1:{port};
        location = /health {{ return 200 "ok"; }}
        location = /missing {{ return 404 "not here"; }}
        location = /broken {{ return 500 "boom"; }}
        location = /api/status {{
            default_type application/json;
            add_header X-Request-Id req-123;
            return 200 '{{"status":"ok","version":"1.4.2","items":[{{"id":1}},{{"id":2}},{{"id":3}}]}}';
        }}
        location = /old {{ return 301 /older; }}
        location = /older {{ return 302 /health; }}
        location = /loop {{ return 302 /loop; }}
        location /slow {{ proxy_pass http://127.0.0.1:{up}; proxy_buffering off; }}
    }}"#,
        up = upstream.port
    );
    (Nginx::start(&servers, &[port]), upstream)
}

fn env_config(nginx: &Nginx, checks: &str) -> String {
    format!(
        "environments:\n  local:\n    base-url: {}\nchecks:\n{checks}",
        nginx.url("")
    )
}

async fn run_env(yaml: &str, opts: RunOptions) -> Report {
    run_yaml(yaml, &Selection::default(), &|_| None, opts).await
}

fn by_name<'a>(report: &'a Report, name: &str) -> &'a CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name}"))
}

#[tokio::test]
async fn status_codes_from_nginx() {
    let (nginx, _up) = http_nginx().await;
    let checks = r#"
  - name: health
    url: "{base-url}/health"
    assert: [{body: ok}]
  - name: missing-default
    url: "{base-url}/missing"
  - name: missing-expected
    url: "{base-url}/missing"
    assert: [{status: 404}]
  - name: broken-retried
    url: "{base-url}/broken"
    retry-transient: {attempts: 2, backoff: 10ms}
    assert: [{status: {in: [200, 204]}}]
"#;
    let report = run_env(&env_config(&nginx, checks), options()).await;
    assert_eq!(by_name(&report, "health").status, CheckStatus::Passed);
    let missing = by_name(&report, "missing-default");
    assert_eq!(missing.status, CheckStatus::Failed);
    assert_eq!(
        (
            missing.assertions[0].expected.as_str(),
            missing.assertions[0].actual.as_str()
        ),
        ("between 200 and 299", "404")
    );
    assert_eq!(
        missing.response.as_ref().unwrap().excerpt.as_deref(),
        Some("not here")
    );
    assert_eq!(
        by_name(&report, "missing-expected").status,
        CheckStatus::Passed
    );
    let broken = by_name(&report, "broken-retried");
    assert_eq!(broken.status, CheckStatus::Failed);
    assert_eq!(broken.attempts.len(), 2);
    assert_eq!(broken.assertions[0].actual, "500");
    assert_eq!(
        (
            report.stats.passed,
            report.stats.failed,
            report.stats.errors
        ),
        (2, 2, 0)
    );
    assert!(report.stats.p95.is_some() && report.stats.p50 <= report.stats.p95);
}

#[tokio::test]
async fn json_endpoint_and_headers() {
    let (nginx, _up) = http_nginx().await;
    let checks = r#"
  - name: api
    url: "{base-url}/api/status"
    assert:
      - status: 200
      - header: {name: content-type, matches: ^application/json}
      - header: {name: x-request-id, equals: req-123}
      - jsonpath: {path: $.status, equals: ok}
      - jsonpath: {path: $.version, matches: '^1\.4\.'}
      - jsonpath-count: {path: '$.items[*]', at-least: 3}
      - jsonpath: {path: '$.items[?@.id > 2].id', equals: 3}
      - jsonpath: {path: $.error, exists: false}
  - name: api-wrong
    url: "{base-url}/api/status"
    assert:
      - jsonpath: {path: $.status, equals: degraded}
      - jsonpath-count: {path: '$.items[*]', equals: 2}
"#;
    let report = run_env(&env_config(&nginx, checks), options()).await;
    let api = by_name(&report, "api");
    assert_eq!(api.status, CheckStatus::Passed, "{:#?}", api.assertions);
    let wrong = by_name(&report, "api-wrong");
    let got: Vec<(&str, &str)> = wrong
        .assertions
        .iter()
        .map(|a| (a.expected.as_str(), a.actual.as_str()))
        .collect();
    assert_eq!(got, [("equals \"degraded\"", "\"ok\""), ("equals 2", "3")]);
}

#[tokio::test]
async fn redirect_chains() {
    let (nginx, _up) = http_nginx().await;
    let checks = r#"
  - name: followed
    url: "{base-url}/old"
    follow-redirects: 5
    assert:
      - status: 200
      - redirects: 2
      - url: {equals: "{base-url}/health"}
  - name: not-followed
    url: "{base-url}/old"
    assert:
      - status: 301
      - redirect-location: {equals: "{base-url}/older"}
  - name: loop
    url: "{base-url}/loop"
    follow-redirects: 3
"#
    .replace(
        "{base-url}/health\"}",
        &format!("{}\"}}", nginx.url("/health")),
    )
    .replace(
        "{base-url}/older\"}",
        &format!("{}\"}}", nginx.url("/older")),
    );
    let report = run_env(&env_config(&nginx, &checks), options()).await;
    let followed = by_name(&report, "followed");
    assert_eq!(
        followed.status,
        CheckStatus::Passed,
        "{:#?}",
        followed.assertions
    );
    let hops: Vec<(u16, &str)> = followed
        .response
        .as_ref()
        .unwrap()
        .redirects
        .iter()
        .map(|h| (h.status, h.location.as_str()))
        .collect();
    let (older, health) = (nginx.url("/older"), nginx.url("/health"));
    assert_eq!(hops, [(301, older.as_str()), (302, health.as_str())]);
    assert_eq!(by_name(&report, "not-followed").status, CheckStatus::Passed);
    let looped = by_name(&report, "loop");
    assert_eq!(looped.status, CheckStatus::Failed);
    assert_eq!(looped.response.as_ref().unwrap().redirects.len(), 3);
    assert_eq!(looped.assertions[0].actual, "302");
}

#[tokio::test]
async fn slow_upstream_timings_and_timeout() {
    let (nginx, upstream) = http_nginx().await;
    let checks = r#"
  - name: slow
    url: "{base-url}/slow?ms=300"
    assert:
      - status: 200
      - response-time: {less-than: 100ms}
  - name: too-slow
    url: "{base-url}/slow?ms=2000"
    timeout: 200ms
"#;
    let report = run_env(&env_config(&nginx, checks), options()).await;
    let slow = by_name(&report, "slow");
    assert_eq!(slow.status, CheckStatus::Failed);
    assert!(slow.assertions[0].passed);
    let t = slow.timings.unwrap();
    assert!(t.ttfb >= Duration::from_millis(300), "{t:?}");
    assert!(t.total < Duration::from_millis(400), "{t:?}");
    assert!(slow.assertions[1].actual.ends_with("ms"));
    let too_slow = by_name(&report, "too-slow");
    assert_eq!(too_slow.status, CheckStatus::Error);
    assert_eq!(
        too_slow.error.as_deref(),
        Some("no complete response within 200ms (timeout)")
    );
    assert_eq!(upstream.requests(), 2);
}

/// nginx serving https with a leaf valid for `days` from a private CA.
fn tls_nginx(pki: &Pki, days: u32) -> (Nginx, std::path::PathBuf) {
    let (cert, key) = pki.leaf(&format!("leaf{days}"), days);
    let port = free_port();
    let servers = format!(
        r#"
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {};
        ssl_certificate_key {};
        location / {{ return 200 "secure"; }}
    }}"#,
        cert.display(),
        key.display()
    );
    (Nginx::start(&servers, &[port]), cert)
}

#[tokio::test]
async fn tls_trusted_through_the_ca_file_and_refused_without_it() {
    let pki = Pki::new();
    let (nginx, _) = tls_nginx(&pki, 90);
    let ca = pki.path("ca.pem");
    let checks = format!(
        r#"
  - name: trusted
    url: https://localhost:{port}/
    tls: {{ca-file: {ca}}}
    assert: [{{body: secure}}, {{cert-expiry-days: {{at-least: 14}}}}]
  - name: trusted-ip
    url: https://127.0.0.1:{port}/
    tls: {{ca-file: {ca}}}
  - name: untrusted
    url: https://localhost:{port}/
  - name: insecure
    url: https://localhost:{port}/
    tls: {{insecure: true}}
"#,
        port = nginx.port,
        ca = ca.display()
    );
    let yaml = format!(
        "environments:\n  tls:\n    base-url: https://localhost:{}\n    allow-hosts: [localhost, 127.0.0.1]\nchecks:\n{checks}",
        nginx.port
    );
    let report = run_env(&yaml, options()).await;
    let trusted = by_name(&report, "trusted");
    assert_eq!(trusted.status, CheckStatus::Passed, "{trusted:#?}");
    assert_eq!(by_name(&report, "trusted-ip").status, CheckStatus::Passed);
    let untrusted = by_name(&report, "untrusted");
    assert_eq!(untrusted.status, CheckStatus::Error);
    let error = untrusted.error.as_deref().unwrap();
    assert!(
        error.starts_with("TLS: ") && error.contains("UnknownIssuer"),
        "{error}"
    );
    assert!(
        !untrusted.attempts[0].transient,
        "a certificate error is not transient"
    );
    let insecure = by_name(&report, "insecure");
    assert_eq!(insecure.status, CheckStatus::Passed);
    assert!(
        insecure.warnings[0].contains("verification is disabled"),
        "{:?}",
        insecure.warnings
    );
}

#[tokio::test]
async fn near_expiry_certificate_is_caught_with_the_days_openssl_reports() {
    let pki = Pki::new();
    let (nginx, cert) = tls_nginx(&pki, 3);
    let yaml = format!(
        r#"checks:
  - name: expiry
    url: https://localhost:{}/
    tls: {{ca-file: {}}}
    assert: [{{status: 200}}, {{cert-expiry-days: {{at-least: 14}}}}]
"#,
        nginx.port,
        pki.path("ca.pem").display()
    );
    let opts = options();
    let expected_days = (pki.not_after(&cert) - opts.now_unix).div_euclid(86_400);
    assert!((1..=3).contains(&expected_days), "{expected_days}");
    let report = run_env(&yaml, opts).await;
    let c = &report.checks[0];
    assert_eq!(c.status, CheckStatus::Failed, "{c:#?}");
    assert!(c.assertions[0].passed);
    assert_eq!(c.assertions[1].expected, "at-least 14");
    assert_eq!(c.assertions[1].actual, expected_days.to_string());
    assert_eq!(
        c.response.as_ref().unwrap().cert_expiry_days,
        Some(expected_days)
    );

    // The same certificate seen 20 days earlier is fine: the clock is an input.
    let earlier = RunOptions {
        now_unix: opts.now_unix - 20 * 86_400,
        ..opts
    };
    let report = run_env(&yaml, earlier).await;
    assert_eq!(
        report.checks[0].status,
        CheckStatus::Passed,
        "{:#?}",
        report.checks[0]
    );
}
