//! The alert outbox end to end: an alert whose delivery failed is sent by the next run, firing
//! and resolved alike, in order and once; a held state lock says so while the run waits.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cli::{Bin, Run};
use crate::support::chat::{Chat, Fault};
use crate::support::faults::{Behavior, FaultServer};
use crate::support::webhook::{Options, Webhook};

/// A `/health` that answers 200 while `up` is set, else 503.
pub async fn switch(up: Arc<AtomicBool>) -> FaultServer {
    FaultServer::start(move |_, _| {
        if up.load(Ordering::SeqCst) {
            Behavior::status(200, "ok")
        } else {
            Behavior::status(503, "down")
        }
    })
    .await
}

fn config(dir: &Path, health_url: &str) -> PathBuf {
    config_for(dir, health_url, "slack")
}

fn config_for(dir: &Path, health_url: &str, provider: &str) -> PathBuf {
    let path = dir.join("decoder-ops.yml");
    std::fs::write(
        &path,
        format!(
            r#"checks:
  - {{name: health, url: "{health_url}", timeout: 2s}}
notify:
  channels:
    ops: {{webhook: "${{OPS_WEBHOOK}}", provider: {provider}}}
monitor:
  alerts: {{failure-threshold: 1, success-threshold: 1}}
  channels: [ops]
"#
        ),
    )
    .unwrap();
    path
}

/// One run at `minute` minutes after 10:00 UTC; `extra` arguments are appended.
async fn run_at(
    dir: &Path,
    cfg: &Path,
    webhook: &str,
    minute: u32,
    extra: &[&str],
) -> (Run, Value) {
    let (dir, cfg, webhook) = (dir.to_owned(), cfg.to_owned(), webhook.to_owned());
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let json = dir.join(format!("result-{minute}.json"));
        let run = Bin::new()
            .in_actions(&dir)
            .env("OPS_WEBHOOK", &webhook)
            .args(["health-monitor", "--interval", "15m", "--now"])
            .arg(format!(
                "2026-11-23T{:02}:{:02}:00Z",
                10 + minute / 60,
                minute % 60
            ))
            .arg("--config")
            .arg_path(&cfg)
            .arg("--state")
            .arg(format!("file:{}", dir.join("state.json").display()))
            .arg("--json")
            .arg_path(&json)
            .args(extra)
            .run();
        let result = serde_json::from_str(&std::fs::read_to_string(&json).unwrap_or_default())
            .unwrap_or(Value::Null);
        (run, result)
    })
    .await
    .unwrap()
}

fn texts(slack: &Chat) -> Vec<String> {
    slack
        .accepted()
        .iter()
        .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The webhook answers 404 (revoked) when the alert fires; once it works again, the next run
/// (which has nothing new to say) delivers the alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firing_alert_the_webhook_refused_is_sent_by_the_next_run() {
    let slack = Chat::slack().await;
    let up = Arc::new(AtomicBool::new(false));
    let target = switch(up.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &target.url("/health"));

    slack.plan(Fault::Status(404));
    let (run, result) = run_at(dir.path(), &cfg, &slack.url(), 0, &[]).await;
    run.expect_code(1);
    assert_eq!(result["firing"], serde_json::json!(["health"]), "{result}");
    assert!(slack.accepted().is_empty());

    let (run, _) = run_at(dir.path(), &cfg, &slack.url(), 15, &[]).await;
    run.expect_code(1);
    let sent = texts(&slack);
    assert_eq!(
        sent.len(),
        1,
        "the refused alert is delivered by the next run: {sent:?}"
    );
    assert!(sent[0].contains("FIRING health"), "{}", sent[0]);

    // Delivered means done: a third run sends nothing more.
    run_at(dir.path(), &cfg, &slack.url(), 30, &[])
        .await
        .0
        .expect_code(1);
    assert_eq!(texts(&slack).len(), 1);
}

/// The same for a resolved alert: refused once, delivered by the next run, after nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolved_alert_the_webhook_refused_is_sent_by_the_next_run() {
    let slack = Chat::slack().await;
    let up = Arc::new(AtomicBool::new(false));
    let target = switch(up.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &target.url("/health"));

    run_at(dir.path(), &cfg, &slack.url(), 0, &[])
        .await
        .0
        .expect_code(1);
    assert_eq!(texts(&slack).len(), 1);
    up.store(true, Ordering::SeqCst);
    slack.plan(Fault::Status(404));
    let (run, result) = run_at(dir.path(), &cfg, &slack.url(), 15, &[]).await;
    run.expect_code(0);
    assert_eq!(result["events"][0]["kind"], "resolved", "{result}");
    assert_eq!(texts(&slack).len(), 1, "refused");

    run_at(dir.path(), &cfg, &slack.url(), 30, &[])
        .await
        .0
        .expect_code(0);
    let sent = texts(&slack);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].contains("RESOLVED health"), "{}", sent[1]);
    run_at(dir.path(), &cfg, &slack.url(), 45, &[])
        .await
        .0
        .expect_code(0);
    assert_eq!(texts(&slack).len(), 2, "once");
}

/// kill -9 while the webhook holds the alert's request (its client gone, it is never served):
/// the next run, which has nothing new to say, delivers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_whose_run_was_killed_during_delivery_is_sent_by_the_next_run() {
    let hook = Webhook::start(Options {
        delay: Duration::from_secs(5),
        ..Options::default()
    })
    .await;
    let target = switch(Arc::new(AtomicBool::new(false))).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(dir.path(), &target.url("/health"), "discord");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("decoder-ops"))
        .env_clear()
        .env("OPS_WEBHOOK", hook.url())
        .args([
            "health-monitor",
            "--now",
            "2026-11-23T10:00:00Z",
            "--config",
        ])
        .arg(&cfg)
        .arg("--state")
        .arg(format!("file:{}", dir.path().join("state.json").display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while hook.arrived() == 0 {
        assert!(Instant::now() < deadline, "no delivery started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    hook.abandon();
    hook.set_delay(Duration::ZERO);

    run_at(dir.path(), &cfg, &hook.url(), 15, &[])
        .await
        .0
        .expect_code(1);
    let accepted = hook.accepted();
    assert_eq!(
        accepted.len(),
        1,
        "delivered by the run after the kill: {accepted:?}"
    );
    let text = accepted[0].body.as_ref().unwrap()["embeds"][0]["description"].to_string();
    assert!(text.contains("FIRING health"), "{text}");
}

/// A second run on the machine waits for the state lock and says so on stderr: a line when it
/// starts waiting, then one every few seconds, plain text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_state_lock_is_reported_while_the_run_waits() {
    let up = Arc::new(AtomicBool::new(true));
    let target = switch(up).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &target.url("/health"));
    let lock = std::fs::File::create(dir.path().join("state.json.lock")).unwrap();
    lock.lock().unwrap();

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("decoder-ops"))
        .env_clear()
        .env("NO_COLOR", "1")
        .args(["health-monitor", "--no-notify", "--config"])
        .arg(&cfg)
        .arg("--state")
        .arg(format!("file:{}", dir.path().join("state.json").display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .map(|line| (started.elapsed(), line))
            .collect::<Vec<_>>()
    });
    tokio::time::sleep(Duration::from_millis(6500)).await;
    lock.unlock().unwrap();
    let status = child.wait().unwrap();
    let lines = reader.join().unwrap();
    assert!(status.success(), "{lines:?}");
    let waiting: Vec<&(Duration, String)> =
        lines.iter().filter(|(_, l)| l.contains("lock")).collect();
    assert!(
        waiting
            .first()
            .is_some_and(|(at, _)| *at < Duration::from_secs(2)),
        "a line as soon as the run starts waiting: {lines:?}"
    );
    let first = &waiting[0].1;
    assert!(
        first.contains("waiting") && first.contains("at most"),
        "{first}"
    );
    assert!(
        waiting
            .iter()
            .filter(|(at, _)| *at < Duration::from_millis(6500))
            .count()
            >= 2,
        "then at a steady pace: {lines:?}"
    );
    assert!(
        lines
            .iter()
            .all(|(_, l)| !l.contains('\x1b') && !l.contains('\r')),
        "{lines:?}"
    );
}

/// A lock held past `--lock-timeout`: exit 3, saying what to look for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_past_the_lock_timeout_is_exit_3() {
    let target = switch(Arc::new(AtomicBool::new(true))).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &target.url("/health"));
    let lock = std::fs::File::create(dir.path().join("state.json.lock")).unwrap();
    lock.lock().unwrap();
    let (run, result) = run_at(
        dir.path(),
        &cfg,
        "http://127.0.0.1:9/services/T/B/x",
        0,
        &["--lock-timeout", "1s"],
    )
    .await;
    run.expect_code(3);
    assert!(
        run.stderr
            .contains("still holds its lock after 1 s (--lock-timeout)"),
        "{}",
        run.stderr
    );
    assert_eq!(result["exit_code"], 3);
    assert!(
        !dir.path().join("state.json").exists(),
        "nothing was written"
    );
}
