//! An alert storm through the outbox: 30 alerts wait in the state (the webhook was revoked while
//! they fired), then one run delivers them through a webhook that serves one request a second
//! and answers every other with 429 and `Retry-After` — in whole seconds in one test, as an
//! HTTP date in the other. All 30 arrive, each once, in order, in at most 1.2× the 29 s the
//! rate limit needs at least, and no retry comes before the time the webhook asked for.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cli::{Bin, Run};
use crate::support::faults::{Behavior, FaultServer};
use crate::support::webhook::{Options, RetryAfter, Webhook};

const ALERTS: usize = 30;
/// One request a second: 30 deliveries need 29 s at least.
const MINIMUM: Duration = Duration::from_secs(ALERTS as u64 - 1);

fn config(dir: &Path, down_url: &str) -> PathBuf {
    let mut checks = String::new();
    for n in 1..=ALERTS {
        checks.push_str(&format!(
            "  - {{name: c{n:02}, url: \"{down_url}/c{n:02}\", timeout: 2s}}\n"
        ));
    }
    let path = dir.join("decoder-ops.yml");
    std::fs::write(
        &path,
        format!(
            r#"checks:
{checks}notify:
  channels:
    ops: {{webhook: "${{OPS_WEBHOOK}}", provider: discord}}
monitor:
  alerts: {{failure-threshold: 1}}
  channels: [ops]
"#
        ),
    )
    .unwrap();
    path
}

fn run(dir: &Path, cfg: &Path, webhook: &str, minute: usize, extra: &[&str]) -> Run {
    Bin::new()
        .env("OPS_WEBHOOK", webhook)
        .args(["health-monitor", "--interval", "15m", "--now"])
        .arg(format!(
            "2026-11-23T{:02}:{:02}:00Z",
            10 + minute / 60,
            minute % 60
        ))
        .arg("--config")
        .arg_path(cfg)
        .arg("--state")
        .arg(format!("file:{}", dir.join("state.json").display()))
        .args(extra)
        .run()
}

/// The check an accepted Discord message fired for.
fn fired(body: &Value) -> String {
    let text = body["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    let at = text.find("FIRING c").map_or(0, |i| i + "FIRING ".len());
    text.get(at..at + 3).unwrap_or_default().to_owned()
}

/// Thirty runs, one new alert each, while the webhook is revoked: each stays pending.
async fn fill_outbox(hook: &Webhook, dir: &Path, cfg: &Path) {
    hook.refuse(Some(404));
    let (d, cfg, url) = (dir.to_owned(), cfg.to_owned(), hook.url());
    tokio::task::spawn_blocking(move || {
        for n in 1..=ALERTS {
            run(&d, &cfg, &url, n, &["--check", &format!("c{n:02}")]).expect_code(1);
        }
    })
    .await
    .unwrap();
    assert!(hook.accepted().is_empty());
    hook.refuse(None);
}

async fn storm(form: RetryAfter) {
    let hook = Webhook::start(Options {
        limit: Some(form),
        ..Options::default()
    })
    .await;
    let down = FaultServer::start(|_, _| Behavior::status(503, "down")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &down.url(""));
    fill_outbox(&hook, dir.path(), &cfg).await;

    // The webhook is back, rate limited: one run with nothing new delivers the backlog (within
    // the default --timeout of 60 s).
    let started = Instant::now();
    let (d, url) = (dir.path().to_owned(), hook.url());
    let flush = tokio::task::spawn_blocking(move || run(&d, &cfg, &url, 31, &["--check", "c01"]));
    let flush = flush.await.unwrap();
    let took = started.elapsed();
    flush.expect_code(1);
    assert!(
        flush.stderr.lines().any(|l| l.contains("rate limited")),
        "the back-off is reported: {}",
        flush.stderr
    );
    let (span, limited) = assert_delivered_once_in_order(&hook);
    assert!(
        took <= MINIMUM.mul_f64(1.2) + Duration::from_secs(3),
        "the run took {took:?}"
    );
    eprintln!(
        "{form:?}: 30 deliveries in {span:?} (29 s at one a second, at most {:?}), {limited} answers 429, the run {took:?}",
        MINIMUM.mul_f64(1.2)
    );
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("state.json")).unwrap())
            .unwrap();
    assert_eq!(
        state["outbox"]["pending"],
        serde_json::json!([]),
        "{}",
        state["outbox"]
    );
}

/// 30/30, each once, in order, within 1.2x the minimum, never earlier than asked. Returns the
/// time from the first to the last delivery and how many answers were 429.
fn assert_delivered_once_in_order(hook: &Webhook) -> (Duration, usize) {
    let accepted = hook.accepted();
    let order: Vec<String> = accepted
        .iter()
        .map(|r| fired(r.body.as_ref().unwrap()))
        .collect();
    let expected: Vec<String> = (1..=ALERTS).map(|n| format!("c{n:02}")).collect();
    assert_eq!(order, expected, "30/30, each once, in order");
    assert!(
        accepted
            .iter()
            .all(|r| r.method == "POST" && r.query == "wait=true"),
        "new messages, created with their ids returned"
    );
    let span = accepted[ALERTS - 1].at - accepted[0].at;
    assert!(span <= MINIMUM.mul_f64(1.2), "30 deliveries took {span:?}");
    // Thirty requests in thirty different wall-clock seconds: more than 28 s apart.
    assert!(
        span > MINIMUM - Duration::from_secs(1),
        "the limit held: {span:?}"
    );
    let received = hook.received();
    let limited = received.iter().filter(|r| r.status == 429).count();
    // Most deliveries met a 429 first and waited it out (a wait that drifts into the next
    // second can go straight through).
    assert!(limited >= ALERTS / 2, "{limited} answers were 429");
    let early: Vec<_> = received.iter().filter(|r| r.early).collect();
    assert!(early.is_empty(), "retried before the time asked: {early:?}");
    (span, limited)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_30_alerts_waits_out_retry_after_in_seconds() {
    storm(RetryAfter::Seconds).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_30_alerts_waits_out_retry_after_as_an_http_date() {
    storm(RetryAfter::HttpDate).await;
}
