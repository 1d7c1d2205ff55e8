//! The check engine against an in-process server that fails on purpose: refused connections,
//! resets mid-body, timeouts, a slow start, transient 503s, a wrong body, a huge body, and a
//! redirect out of the allowlist. Each test states what must (not) be retried.

use std::time::{Duration, Instant};

use decoder_ops::probe::{CheckStatus, RunOptions, Selection};

use crate::support::faults::{Behavior, FaultServer};
use crate::support::nginx::free_port;
use crate::support::probe::{options, run_checks, run_yaml};

fn check(name: &str, url: &str, extra: &str) -> String {
    format!("  - name: {name}\n    url: {url}\n{extra}")
}

fn config(checks: &[String]) -> String {
    format!("checks:\n{}", checks.concat())
}

#[tokio::test]
async fn connection_refused_is_an_error_and_transient() {
    let url = format!("http://127.0.0.1:{}/health", free_port());
    let report = run_checks(&config(&[
        check("once", &url, ""),
        check(
            "retried",
            &url,
            "    retry-transient: {attempts: 3, backoff: 10ms}\n",
        ),
    ]))
    .await;
    let once = &report.checks[0];
    assert_eq!(once.status, CheckStatus::Error);
    let error = once.error.as_deref().unwrap();
    assert!(
        error.starts_with("cannot connect:") && error.contains("refused"),
        "{error}"
    );
    assert_eq!(once.attempts.len(), 1);
    assert!(once.attempts[0].transient);
    let retried = &report.checks[1];
    assert_eq!(retried.attempts.len(), 3, "{retried:?}");
    assert!(retried.attempts.iter().all(|a| a.transient));
    assert_eq!((report.stats.failed, report.stats.errors), (2, 2));
}

#[tokio::test]
async fn reset_mid_body_is_reported_and_retried_as_transient() {
    let server = FaultServer::start(|_, _| Behavior::CutBody {
        declared: 100_000,
        sent: 1_000,
    })
    .await;
    let report = run_checks(&config(&[check(
        "cut",
        &server.url("/page"),
        "    retry-transient: {attempts: 2, backoff: 10ms}\n",
    )]))
    .await;
    let c = &report.checks[0];
    assert_eq!(c.status, CheckStatus::Error);
    let error = c.error.as_deref().unwrap();
    assert!(
        error.contains("connection reset or closed early"),
        "{error}"
    );
    assert!(
        error.contains("while reading the body after HTTP 200"),
        "{error}"
    );
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn timeout_ends_the_attempt_on_time() {
    let server = FaultServer::start(|_, _| Behavior::Hang).await;
    let started = Instant::now();
    let report = run_checks(&config(&[check(
        "hang",
        &server.url("/"),
        "    timeout: 300ms\n",
    )]))
    .await;
    let elapsed = started.elapsed();
    let c = &report.checks[0];
    assert_eq!(
        c.error.as_deref(),
        Some("no complete response within 300ms (timeout)")
    );
    assert!(c.attempts[0].transient);
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn wait_until_ready_outlasts_a_slow_start_that_fails_a_plain_check() {
    let port = free_port();
    let server = FaultServer::start_later(port, Duration::from_millis(1500), |_, _| {
        Behavior::status(200, "ok")
    });
    let url = format!("http://127.0.0.1:{port}/health");
    let plain = run_checks(&config(&[check("plain", &url, "")])).await;
    assert_eq!(
        plain.checks[0].status,
        CheckStatus::Error,
        "{:?}",
        plain.checks[0]
    );

    let waited = run_checks(&config(&[check(
        "waited",
        &url,
        "    wait-until-ready: {deadline: 10s, interval: 200ms}\n    assert:\n      - body: ok\n",
    )]))
    .await;
    let c = &waited.checks[0];
    assert_eq!(c.status, CheckStatus::Passed, "{c:?}");
    assert!(c.attempts.len() >= 3, "{:?}", c.attempts);
    let (last, before) = c.attempts.split_last().unwrap();
    assert!(
        before
            .iter()
            .all(|a| a.transient && a.outcome.contains("refused"))
    );
    assert_eq!(last.outcome, "HTTP 200");
    assert!(
        c.waited.unwrap() >= Duration::from_millis(1000),
        "{:?}",
        c.waited
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn wait_until_ready_gives_up_at_its_deadline() {
    let server = FaultServer::start(|_, _| Behavior::status(503, "starting")).await;
    let report = run_checks(&config(&[check(
        "never",
        &server.url("/"),
        "    wait-until-ready: {deadline: 600ms, interval: 100ms}\n",
    )]))
    .await;
    let c = &report.checks[0];
    assert_eq!(c.status, CheckStatus::Error);
    let error = c.error.as_deref().unwrap();
    assert!(
        error.starts_with("not ready within 600ms (wait-until-ready):"),
        "{error}"
    );
    assert!(error.ends_with("the last: HTTP 503"), "{error}");
    assert!(server.requests() >= 4, "{}", server.requests());
}

#[tokio::test]
async fn retry_transient_passes_after_503s_and_a_plain_check_fails() {
    let flaky = |i: usize, _: &str| {
        if i < 2 {
            Behavior::status(503, "busy")
        } else {
            Behavior::status(200, "ok")
        }
    };
    let retried = FaultServer::start(flaky).await;
    let plain = FaultServer::start(flaky).await;
    let report = run_checks(&config(&[
        check(
            "retried",
            &retried.url("/"),
            "    retry-transient: {attempts: 3, backoff: 20ms}\n",
        ),
        check("plain", &plain.url("/"), ""),
    ]))
    .await;
    let r = &report.checks[0];
    assert_eq!(r.status, CheckStatus::Passed, "{r:?}");
    let outcomes: Vec<&str> = r.attempts.iter().map(|a| a.outcome.as_str()).collect();
    assert_eq!(outcomes, ["HTTP 503", "HTTP 503", "HTTP 200"]);
    let p = &report.checks[1];
    assert_eq!(p.status, CheckStatus::Failed);
    assert_eq!(p.assertions[0].actual, "503");
    assert_eq!(p.assertions[0].expected, "between 200 and 299");
}

#[tokio::test]
async fn a_wrong_body_fails_once_and_is_never_retried() {
    let retry = FaultServer::start(|_, _| Behavior::status(200, "maintenance")).await;
    let wait = FaultServer::start(|_, _| Behavior::status(200, "maintenance")).await;
    let assert = "    assert:\n      - body: {contains: ok}\n";
    let report = run_checks(&config(&[
        check(
            "retry",
            &retry.url("/"),
            &format!("    retry-transient: {{attempts: 3, backoff: 10ms}}\n{assert}"),
        ),
        check(
            "wait",
            &wait.url("/"),
            &format!("    wait-until-ready: {{deadline: 5s, interval: 100ms}}\n{assert}"),
        ),
    ]))
    .await;
    for c in &report.checks {
        assert_eq!(c.status, CheckStatus::Failed, "{c:?}");
        assert_eq!(c.attempts.len(), 1, "{c:?}");
        assert_eq!(c.assertions[0].actual, "\"maintenance\"");
        assert_eq!(
            c.response.as_ref().unwrap().excerpt.as_deref(),
            Some("maintenance")
        );
    }
    assert_eq!((retry.requests(), wait.requests()), (1, 1));
}

#[tokio::test]
async fn a_body_over_the_cap_is_not_read_and_body_assertions_refuse() {
    let big = vec![b'a'; 5 << 20];
    let server = FaultServer::start(move |_, _| Behavior::Respond {
        status: 200,
        headers: Vec::new(),
        body: big.clone(),
    })
    .await;
    let report = run_checks(&config(&[
        check("status-only", &server.url("/big"), ""),
        check("body", &server.url("/big"), "    max-body: 64KiB\n    assert:\n      - status: 200\n      - body: {contains: b, not: true}\n"),
    ]))
    .await;
    let s = &report.checks[0];
    assert_eq!(s.status, CheckStatus::Passed, "{s:?}");
    let resp = s.response.as_ref().unwrap();
    assert_eq!((resp.body_bytes, resp.body_truncated), (1 << 20, true));
    assert_eq!(
        s.warnings,
        ["the body was read up to the 1 MiB cap (`max-body`) only"]
    );
    let b = &report.checks[1];
    assert_eq!(b.status, CheckStatus::Failed);
    assert!(b.assertions[0].passed);
    assert_eq!(
        b.assertions[1].actual,
        "not evaluated: the body is larger than the 64 KiB cap (`max-body`)"
    );
    assert_eq!(b.response.as_ref().unwrap().body_bytes, 64 << 10);
}

#[tokio::test]
async fn a_redirect_out_of_the_allowlist_is_refused_before_it_is_requested() {
    let outside = FaultServer::start(|_, _| Behavior::status(200, "elsewhere")).await;
    let target = format!("http://localhost:{}/landing", outside.port);
    let server = FaultServer::start(move |_, _| Behavior::redirect(302, &target)).await;
    let report = run_checks(&config(&[check(
        "away",
        &server.url("/go"),
        "    follow-redirects: 3\n",
    )]))
    .await;
    let c = &report.checks[0];
    assert_eq!(c.status, CheckStatus::Error);
    assert_eq!(
        c.error.as_deref().unwrap(),
        format!(
            "redirect from {} to host `localhost` refused: not in the allowlist of this check \
             (127.0.0.1); pass --allow-host if it is expected",
            server.url("/go")
        )
    );
    assert_eq!(outside.requests(), 0);
}

#[tokio::test]
async fn an_allowed_cross_host_redirect_drops_credentials() {
    let landing = FaultServer::start(|_, _| Behavior::status(200, "landed")).await;
    let target = format!("http://localhost:{}/landing", landing.port);
    let start = FaultServer::start(move |_, _| Behavior::redirect(302, &target)).await;
    let yaml = format!(
        "environments:\n  local:\n    base-url: {}\n    allow-hosts: [127.0.0.1, localhost]\n{}",
        start.url(""),
        config(&[check(
            "hop",
            "\"{base-url}/go\"",
            "    follow-redirects: 1\n    headers: {Authorization: Bearer fake-token-0000, X-Trace: t1}\n    assert:\n      - redirects: 1\n      - redirect-location: {contains: /landing}\n      - url: {contains: localhost}\n",
        )])
    );
    let report = run_yaml(&yaml, &Selection::default(), &|_| None, options()).await;
    let c = &report.checks[0];
    assert_eq!(c.status, CheckStatus::Passed, "{c:?}");
    assert!(start.heads()[0].contains("authorization: bearer fake-token-0000"));
    let landed = &landing.heads()[0];
    assert!(
        !landed.contains("authorization") && landed.contains("x-trace: t1"),
        "{landed}"
    );
    let hop = &c.response.as_ref().unwrap().redirects[0];
    assert_eq!(
        (hop.status, hop.url.as_str()),
        (302, start.url("/go").as_str())
    );
}

#[tokio::test]
async fn concurrency_and_the_overall_deadline_bound_the_run() {
    let server = FaultServer::start(|_, _| {
        Behavior::Delay(
            Duration::from_millis(200),
            Box::new(Behavior::status(200, "ok")),
        )
    })
    .await;
    let checks: Vec<String> = (0..8)
        .map(|i| check(&format!("c{i}"), &server.url("/"), ""))
        .collect();
    let yaml = config(&checks);
    let bounded = RunOptions {
        concurrency: 2,
        ..options()
    };
    let report = run_yaml(&yaml, &Selection::default(), &|_| None, bounded).await;
    assert_eq!(report.stats.passed, 8);
    // Four waves of two.
    assert!(
        report.elapsed >= Duration::from_millis(800),
        "{:?}",
        report.elapsed
    );

    let cut = RunOptions {
        concurrency: 2,
        deadline: Some(Duration::from_millis(500)),
        ..options()
    };
    let report = run_yaml(&yaml, &Selection::default(), &|_| None, cut).await;
    assert!(
        report.elapsed < Duration::from_millis(800),
        "{:?}",
        report.elapsed
    );
    assert_eq!(report.stats.passed, 4, "{:?}", report.stats);
    let late = report
        .checks
        .iter()
        .find(|c| c.status == CheckStatus::Error)
        .unwrap();
    assert_eq!(
        late.error.as_deref(),
        Some("not finished within the run's deadline (500ms, --deadline)")
    );
}

#[tokio::test]
async fn secrets_never_reach_the_report() {
    let server = FaultServer::start(|_, path| Behavior::status(500, &format!("echo {path}"))).await;
    let yaml = config(&[check(
        "leaky",
        &format!("\"{}\"", server.url("/x?token=${API_TOKEN}")),
        "    headers: {Authorization: \"Bearer ${API_TOKEN}\"}\n",
    )]);
    let env = |n: &str| (n == "API_TOKEN").then(|| "fake-secret-token-0123".to_owned());
    let report = run_yaml(&yaml, &Selection::default(), &env, options()).await;
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("fake-secret-token-0123"), "{json}");
    assert!(json.contains("token=***"), "{json}");
    assert!(server.heads()[0].contains("fake-secret-token-0123"));
}

#[tokio::test]
async fn a_redirect_without_location_is_an_answer_unless_it_must_be_followed() {
    let server = FaultServer::start(|_, _| Behavior::status(302, "")).await;
    let report = run_checks(&config(&[
        check(
            "reported",
            &server.url("/"),
            "    assert: [{status: 302}, {redirect-location: {exists: false}}]\n",
        ),
        check("followed", &server.url("/"), "    follow-redirects: 2\n"),
    ]))
    .await;
    assert_eq!(
        report.checks[0].status,
        CheckStatus::Passed,
        "{:?}",
        report.checks[0]
    );
    let followed = &report.checks[1];
    assert_eq!(followed.status, CheckStatus::Error);
    assert!(
        followed
            .error
            .as_deref()
            .unwrap()
            .ends_with("without a valid `Location` header to follow"),
        "{followed:?}"
    );
}
