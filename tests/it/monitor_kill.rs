//! kill -9 of the real binary during delivery, at random points, at least 50 times, each run
//! followed by the next: every alert is delivered at least once; a second copy only of the one
//! message a killed run had just handed over (the endpoint accepted it, the kill came before
//! the state could record that — webhooks have no idempotency key); the state file is a
//! complete document of the current schema after every kill.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::faults::{Behavior, FaultServer};
use crate::support::webhook::{Options, Webhook};

const KILLS: usize = 50;
const MAX_RUNS: usize = 200;

fn config(dir: &Path, down_url: &str) -> PathBuf {
    let mut checks = String::new();
    for n in 1..=MAX_RUNS + 1 {
        checks.push_str(&format!(
            "  - {{name: k{n:03}, url: \"{down_url}/k{n:03}\", timeout: 2s}}\n"
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

fn command(dir: &Path, cfg: &Path, webhook: &str, n: usize) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("decoder-ops"));
    cmd.env_clear()
        .env("NO_COLOR", "1")
        .env("OPS_WEBHOOK", webhook)
        .args(["health-monitor", "--interval", "15m", "--check"])
        .arg(format!("k{n:03}"))
        .arg("--now")
        .arg(format!("2026-11-23T{:02}:{:02}:00Z", 10 + n / 60, n % 60))
        .arg("--config")
        .arg(cfg)
        .arg("--state")
        .arg(format!("file:{}", dir.join("state.json").display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(profile) = std::env::var_os("LLVM_PROFILE_FILE") {
        cmd.env("LLVM_PROFILE_FILE", profile);
    }
    cmd
}

fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b) % n
}

/// The state after a kill: a complete document this build reads, of the schema it writes.
fn assert_state_valid(dir: &Path, run: usize) {
    let bytes = std::fs::read(dir.join("state.json")).unwrap_or_default();
    if bytes.is_empty() {
        return; // killed before its first write
    }
    let state = decoder_ops::monitor::State::from_json(&bytes)
        .unwrap_or_else(|e| panic!("state after kill {run} unusable: {e}"));
    assert_eq!(state.schema_version, decoder_ops::monitor::SCHEMA_VERSION);
}

/// The check an accepted Discord message fired for.
fn fired(body: &Value) -> String {
    let text = body["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    let at = text.find("FIRING k").map_or(0, |i| i + "FIRING ".len());
    text.get(at..at + 4).unwrap_or_default().to_owned()
}

/// One run per check until enough were killed during delivery: each is killed at a random
/// point after its first request reached the webhook. Returns (spawned at, was killed) per run.
async fn kill_during_delivery(hook: &Webhook, dir: &Path, cfg: &Path) -> Vec<(Instant, bool)> {
    let mut runs: Vec<(Instant, bool)> = Vec::new();
    let mut kills = 0;
    for n in 1..=MAX_RUNS {
        if kills >= KILLS + 5 {
            break;
        }
        let seen = hook.arrived();
        let mut child = command(dir, cfg, &hook.url(), n).spawn().unwrap();
        runs.push((Instant::now(), false));
        let deadline = Instant::now() + Duration::from_secs(10);
        while hook.arrived() == seen && child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "run {n} never delivered");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_micros(random_below(40_000))).await;
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.signal() == Some(9) {
            kills += 1;
            runs.last_mut().unwrap().1 = true;
        } else {
            assert!(status.code() == Some(1), "run {n} ended with {status}");
        }
        assert_state_valid(dir, n);
    }
    assert!(
        kills >= KILLS,
        "only {kills} runs were killed during delivery"
    );
    runs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_delivery_loses_no_alert_and_leaves_a_valid_state() {
    let hook = Webhook::start(Options {
        delay: Duration::from_millis(15),
        ..Options::default()
    })
    .await;
    let down = FaultServer::start(|_, _| Behavior::status(503, "down")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &down.url(""));
    let started = Instant::now();
    let mut runs = kill_during_delivery(&hook, dir.path(), &cfg).await;

    // The run after the last kill delivers what is left.
    let status = command(dir.path(), &cfg, &hook.url(), 1).status().unwrap();
    assert_eq!(status.code(), Some(1));
    runs.push((Instant::now(), false));
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("state.json")).unwrap())
            .unwrap();
    let (alerts, duplicates) = assert_delivered(&state, &hook, &runs);
    assert_eq!(
        state["outbox"]["pending"],
        serde_json::json!([]),
        "{}",
        state["outbox"]
    );
    let kills = runs.iter().filter(|r| r.1).count();
    eprintln!(
        "{} runs, {kills} killed during delivery, {alerts} alerts, {duplicates} second copies, {:?}",
        runs.len(),
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

/// Every alert that fired was delivered, nothing else was, and a second copy only of the last
/// message a killed run handed over, one per kill. Returns the alerts and the second copies.
fn assert_delivered(state: &Value, hook: &Webhook, runs: &[(Instant, bool)]) -> (usize, usize) {
    let firing: Vec<String> = state["checks"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, c)| c["firing"] == true)
        .map(|(k, _)| k.clone())
        .collect();
    let accepted = hook.accepted();
    let mut copies: BTreeMap<String, usize> = BTreeMap::new();
    for r in &accepted {
        *copies.entry(fired(r.body.as_ref().unwrap())).or_default() += 1;
    }
    for check in &firing {
        assert!(
            copies.contains_key(check),
            "{check} fired and was never delivered"
        );
    }
    assert_eq!(copies.len(), firing.len(), "{copies:?} vs {firing:?}");
    let mut allowed: BTreeMap<String, usize> = BTreeMap::new();
    for (i, (spawned, killed)) in runs.iter().enumerate() {
        let end = runs.get(i + 1).map(|r| r.0);
        let last = accepted
            .iter()
            .rfind(|r| r.at >= *spawned && end.is_none_or(|e| r.at < e));
        if let (true, Some(last)) = (*killed, last) {
            *allowed
                .entry(fired(last.body.as_ref().unwrap()))
                .or_default() += 1;
        }
    }
    for (check, n) in &copies {
        assert!(
            n - 1 <= allowed.get(check).copied().unwrap_or(0),
            "{check} delivered {n} times; kills right after its acceptance: {:?}",
            allowed.get(check)
        );
    }
    (firing.len(), copies.values().map(|c| c - 1).sum())
}
