//! A hand-made smoke report for the renderers' tests: a pass, a failed assertion, a request
//! error after retries, and hostile text in names, URLs and bodies.

use std::time::Duration;

use crate::probe::{
    AssertionResult, Attempt, AttemptKind, CheckResult, CheckStatus, Hop, Report, ResponseInfo,
    Timings,
};

fn base(name: &str, url: &str) -> CheckResult {
    CheckResult {
        name: name.into(),
        environment: Some("staging".into()),
        method: "GET".into(),
        url: url.into(),
        status: CheckStatus::Passed,
        error: None,
        timings: None,
        response: None,
        attempts: Vec::new(),
        waited: None,
        assertions: Vec::new(),
        warnings: Vec::new(),
        line: None,
    }
}

fn attempt(number: u32, outcome: &str, ms: u64) -> Attempt {
    Attempt {
        number,
        kind: AttemptKind::Attempt,
        outcome: outcome.into(),
        transient: outcome != "HTTP 200",
        elapsed: Duration::from_millis(ms),
    }
}

fn response(status: u16, url: &str, excerpt: Option<&str>) -> ResponseInfo {
    ResponseInfo {
        status,
        url: url.into(),
        redirects: Vec::new(),
        content_type: Some("text/plain".into()),
        body_bytes: excerpt.map_or(0, |e| e.len() as u64),
        body_truncated: false,
        cert_expiry_days: None,
        excerpt: excerpt.map(str::to_owned),
    }
}

pub fn report() -> Report {
    let mut health = base("health", "https://staging.example.com/healthz");
    health.timings = Some(Timings {
        total: Duration::from_micros(12_345),
        ttfb: Duration::from_micros(11_000),
    });
    health.attempts = vec![attempt(1, "HTTP 200", 12)];
    health.assertions = vec![AssertionResult {
        assertion: "status between 200 and 299".into(),
        passed: true,
        expected: "between 200 and 299".into(),
        actual: "200".into(),
    }];
    let mut r = response(200, "https://staging.example.com/healthz", None);
    r.redirects.push(Hop {
        url: "https://staging.example.com/health".into(),
        status: 301,
        location: "https://staging.example.com/healthz".into(),
    });
    health.response = Some(r);

    let mut api = base(
        "api <v1> & \"co\"",
        "https://staging.example.com/api?key=***",
    );
    api.status = CheckStatus::Failed;
    api.timings = Some(Timings {
        total: Duration::from_micros(45_100),
        ttfb: Duration::from_micros(40_000),
    });
    api.attempts = vec![attempt(1, "HTTP 500", 45)];
    api.assertions = vec![
        AssertionResult {
            assertion: "status equals 200".into(),
            passed: false,
            expected: "equals 200".into(),
            actual: "500".into(),
        },
        AssertionResult {
            assertion: "not body contains \"error\"".into(),
            passed: false,
            expected: "not contains \"error\"".into(),
            actual: "\"::error::pwned | <b>x</b> ]]> \\u{1b}[31m\"".into(),
        },
    ];
    api.response = Some(response(
        500,
        "https://staging.example.com/api?key=***",
        Some("::error::pwned | <b>x</b> ]]> \u{1b}[31m\u{0}"),
    ));

    let mut ready = base("ready", "https://staging.example.com/ready");
    ready.status = CheckStatus::Error;
    ready.error =
        Some("cannot connect: tcp connect error: Connection refused (os error 111)".into());
    ready.attempts = vec![
        attempt(1, "cannot connect: refused", 1),
        attempt(2, "cannot connect: refused", 1),
        attempt(3, "cannot connect: refused", 2),
    ];
    ready.warnings =
        vec!["TLS certificate verification is disabled for this check (`insecure`)".into()];

    Report::new(vec![health, api, ready], Duration::from_millis(1234))
}
