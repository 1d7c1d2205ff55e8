//! health-monitor run after run, with an injected clock, against a real nginx that the test
//! stops and starts, alerting to the stand-in Slack: one alert after the third failure, nothing
//! for flapping, a reminder only after its interval, one resolved after two successes, nothing
//! during maintenance, and a child check suppressed while its parent fails.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::{Bin, Run};
use crate::support::chat::Chat;
use crate::support::nginx::{Nginx, free_port};

const SERVER: &str = "server { listen 127.0.0.1:{port}; location = /health { return 200 'ok'; } location = /checkout { return 200 'ok'; } }";

fn nginx(port: u16) -> Nginx {
    Nginx::start(&SERVER.replace("{port}", &port.to_string()), &[port])
}

fn config(dir: &Path, port: u16) -> PathBuf {
    let path = dir.join("decoder-ops.yml");
    std::fs::write(
        &path,
        format!(
            r#"environments:
  production: {{base-url: "http://127.0.0.1:{port}"}}
checks:
  - {{name: health, url: "{{base-url}}/health", timeout: 2s}}
  - {{name: checkout, url: "{{base-url}}/checkout", timeout: 2s}}
notify:
  channels:
    ops: {{webhook: "${{OPS_WEBHOOK}}", provider: slack}}
monitor:
  environment: production
  alerts: {{reminder-every: 30m}}
  overrides:
    checkout: {{depends-on: [health]}}
  maintenance:
    - {{name: db-upgrade, from: "2026-11-23T12:45:00Z", to: "2026-11-23T13:30:00Z"}}
  channels: [ops]
"#
        ),
    )
    .unwrap();
    path
}

/// One scheduled run at `minute` minutes after 10:00 UTC.
async fn run_at(dir: &Path, config: &Path, slack: &str, minute: u32) -> (Run, Value) {
    let (dir, config, slack) = (dir.to_owned(), config.to_owned(), slack.to_owned());
    tokio::task::spawn_blocking(move || {
        let now = format!("2026-11-23T{:02}:{:02}:00Z", 10 + minute / 60, minute % 60);
        let json = dir.join("result.json");
        let run = Bin::new()
            .in_actions(&dir)
            .env("OPS_WEBHOOK", &slack)
            .args([
                "health-monitor",
                "--interval",
                "15m",
                "--now",
                &now,
                "--config",
            ])
            .arg_path(&config)
            .arg("--state")
            .arg(format!("file:{}", dir.join("state.json").display()))
            .arg("--json")
            .arg_path(&json)
            .run();
        let result = serde_json::from_str(&std::fs::read_to_string(&json).unwrap_or_default())
            .unwrap_or(Value::Null);
        (run, result)
    })
    .await
    .unwrap()
}

fn texts(slack: &Chat) -> Vec<String> {
    slack.accepted().iter().map(|p| p.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_once_reminds_resolves_and_keeps_quiet_when_it_should() {
    let slack = Chat::slack().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let cfg = config(dir.path(), port);
    let url = slack.url();
    let d = dir.path();

    // 10:00 up.
    let server = nginx(port);
    let (run, result) = run_at(d, &cfg, &url, 0).await;
    run.expect_code(0);
    assert_eq!(result["healthy"], true, "{result}");
    assert_eq!(result["checks"][0]["health"], "up");
    drop(server);

    // Flapping: two failures, then a success → nothing at all.
    for minute in [15, 30] {
        let (run, result) = run_at(d, &cfg, &url, minute).await;
        run.expect_code(0);
        assert_eq!(result["checks"][0]["health"], "down", "{result}");
        assert_eq!(
            result["checks"][0]["state"]["consecutive_failures"],
            minute / 15
        );
    }
    let server = nginx(port);
    run_at(d, &cfg, &url, 45).await.0.expect_code(0);
    assert!(
        slack.accepted().is_empty(),
        "flapping alerted: {:?}",
        texts(&slack)
    );
    drop(server);

    // Down from 11:00: the third failure (11:30) fires health once; checkout is suppressed.
    for minute in [60, 75] {
        run_at(d, &cfg, &url, minute).await.0.expect_code(0);
    }
    assert!(slack.accepted().is_empty());
    let (run, result) = run_at(d, &cfg, &url, 90).await;
    run.expect_code(1);
    assert_eq!(result["healthy"], false);
    assert_eq!(result["firing"], serde_json::json!(["health"]), "{result}");
    let kinds: Vec<(&str, &str)> = result["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["check"].as_str().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("health", "firing"), ("checkout", "suppressed")]);
    assert_eq!(result["events"][1]["suppressed_by"], "`health` is failing");
    let output = std::fs::read_to_string(d.join("output")).unwrap();
    assert!(
        output.contains("healthy<<") && output.contains("\nfalse\n"),
        "{output}"
    );
    let sent = texts(&slack);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("FIRING health [critical]"), "{}", sent[0]);
    assert!(
        sent[0].contains("failing since 2026-11-23 11:00 UTC"),
        "{}",
        sent[0]
    );
    assert!(!sent[0].contains("FIRING checkout"), "{}", sent[0]);

    // 11:45: no reminder yet (15 minutes after the alert); 12:00: one reminder (30 minutes).
    run_at(d, &cfg, &url, 105).await.0.expect_code(1);
    assert_eq!(slack.accepted().len(), 1);
    run_at(d, &cfg, &url, 120).await.0.expect_code(1);
    let sent = texts(&slack);
    assert_eq!(sent.len(), 2);
    assert!(sent[1].contains("STILL FIRING health"), "{}", sent[1]);

    // Back up: the first success resolves nothing, the second sends one "resolved".
    let server = nginx(port);
    let (run, result) = run_at(d, &cfg, &url, 135).await;
    run.expect_code(1);
    assert_eq!(result["firing"], serde_json::json!(["health"]));
    assert_eq!(slack.accepted().len(), 2);
    let (run, result) = run_at(d, &cfg, &url, 150).await;
    run.expect_code(0);
    assert_eq!(result["healthy"], true);
    let sent = texts(&slack);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(
        sent[2].contains("RESOLVED health — was down for 1h 30m"),
        "{}",
        sent[2]
    );
    assert_eq!(result["events"][0]["down_for_seconds"], 90 * 60);
    drop(server);

    // Maintenance 12:45–13:30: down (the third failure at 13:15 is suppressed); at 13:30 it fires.
    for minute in [165, 180, 195] {
        let (run, result) = run_at(d, &cfg, &url, minute).await;
        run.expect_code(0);
        assert_eq!(
            result["maintenance"],
            serde_json::json!(["db-upgrade"]),
            "{result}"
        );
    }
    assert_eq!(slack.accepted().len(), 3, "{:?}", texts(&slack));
    let (run, result) = run_at(d, &cfg, &url, 210).await;
    run.expect_code(1);
    assert_eq!(result["maintenance"], serde_json::json!([]));
    assert_eq!(slack.accepted().len(), 4);

    // Uptime is time-weighted over the history: never 100 with down time in it.
    let uptime = result["checks"][0]["state"]["uptime"]["percent"]
        .as_str()
        .unwrap();
    assert!(
        uptime.starts_with("2") || uptime.starts_with("1"),
        "{uptime}"
    );
    let summary = std::fs::read_to_string(d.join("summary")).unwrap();
    assert!(summary.contains("| health | ❌ down |"), "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_hour_gap_is_reported_as_blind_and_not_counted_as_up() {
    let slack = Chat::slack().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let cfg = config(dir.path(), port);
    let url = slack.url();
    let _server = nginx(port);
    for minute in [0, 15, 135] {
        run_at(dir.path(), &cfg, &url, minute)
            .await
            .0
            .expect_code(0);
    }
    let (run, result) = run_at(dir.path(), &cfg, &url, 150).await;
    run.expect_code(0);
    assert_eq!(
        result["blind"],
        Value::Null,
        "the gap was reported by the run after it"
    );
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("state.json")).unwrap())
            .unwrap();
    assert_eq!(
        state["blind"],
        serde_json::json!([{"from": "2026-11-23T10:15:00Z", "to": "2026-11-23T12:15:00Z"}])
    );
    let uptime = &result["checks"][0]["state"]["uptime"];
    assert_eq!(uptime["percent"], "100.00");
    // 10:00–10:30 and 12:15–12:30 up (45 min); 10:30–12:15 blind (105 min).
    assert_eq!(uptime["up_seconds"], 45 * 60, "{uptime}");
    assert_eq!(uptime["blind_seconds"], 105 * 60, "{uptime}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_state_is_kept_aside_and_monitoring_goes_on() {
    let slack = Chat::slack().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let cfg = config(dir.path(), port);
    let _server = nginx(port);
    std::fs::write(
        dir.path().join("state.json"),
        "{\"schema_version\": 1, \"runs\": [",
    )
    .unwrap();
    let (run, result) = run_at(dir.path(), &cfg, &slack.url(), 0).await;
    run.expect_code(0);
    assert_eq!(result["verdict"], "warn");
    let warning = result["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("could not be used") && warning.contains(".corrupt-"),
        "{warning}"
    );
    assert!(run.stdout.contains("::warning"), "{}", run.stdout);
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("state.json")).unwrap())
            .unwrap();
    assert_eq!(state["schema_version"], 2);
    assert_eq!(state["runs"].as_array().unwrap().len(), 1);
}

/// The webhook's token and the Prometheus token never appear in any output, whatever fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_leak_from_a_failing_monitor() {
    use crate::support::chat::{Fault, TOKEN};
    const PROM_TOKEN: &str = "promSECRETmarker0042";
    let slack = Chat::slack().await;
    // The first delivery is refused with the platform's 404 body; the second run's succeeds.
    slack.plan(Fault::Status(404));
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("decoder-ops.yml");
    let closed = free_port();
    std::fs::write(
        &cfg,
        format!(
            r#"checks:
  - {{name: api, url: "http://127.0.0.1:{closed}/health?key=${{API_KEY}}", timeout: 1s}}
notify:
  channels:
    ops: {{webhook: "${{OPS_WEBHOOK}}", provider: slack}}
monitor:
  channels: [ops]
  alerts: {{failure-threshold: 1}}
  prometheus: {{url: "http://127.0.0.1:{closed}", bearer-token: "${{PROM_TOKEN}}", timeout: 1s}}
  metrics:
    - {{name: errors, query: "sum(rate(x[5m]))", critical: "> 1"}}
"#
        ),
    )
    .unwrap();
    for (i, verbose) in ["-v", "-vv"].into_iter().enumerate() {
        let json = dir.path().join(format!("r{i}.json"));
        let run = Bin::new()
            .in_actions(dir.path())
            .env("OPS_WEBHOOK", slack.url())
            .env("PROM_TOKEN", PROM_TOKEN)
            .env("API_KEY", "apiSECRETmarker0077")
            .env("DECODER_OPS_LOG", "trace")
            .args([
                "health-monitor",
                verbose,
                "--now",
                &format!("2026-11-23T10:{:02}:00Z", 15 * i),
            ])
            .arg("--state")
            .arg(format!("file:{}", dir.path().join("state.json").display()))
            .arg("--config")
            .arg_path(&cfg)
            .arg("--json")
            .arg_path(&json)
            .run();
        run.expect_code(1);
        let visible: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect();
        let mut everything = vec![visible.join("\n"), run.stderr.clone()];
        for f in ["output", "summary", "state.json", &format!("r{i}.json")] {
            everything.push(std::fs::read_to_string(dir.path().join(f)).unwrap_or_default());
        }
        for secret in [TOKEN, PROM_TOKEN, "apiSECRETmarker0077"] {
            for (n, text) in everything.iter().enumerate() {
                assert!(
                    !text.contains(secret),
                    "{secret} leaked in output #{n}:\n{text}"
                );
            }
            assert!(
                run.stdout.contains(&format!("::add-mask::{secret}")),
                "{secret} is masked first"
            );
        }
        let result: Value = serde_json::from_str(&everything[5]).unwrap();
        assert_eq!(result["problems"].as_array().unwrap().len(), 1, "{result}");
    }
    // The alert fired once; its delivery was refused with 404 (a warning, the error kept in the
    // outbox, redacted), and the second run, with nothing new to say, sent it again.
    assert_eq!(slack.received().len(), 2);
    assert_eq!(slack.accepted().len(), 1);
}

/// DECODER_OPS_WEBHOOK alone (the monitoring template's way): a URL that does not say its
/// platform (a proxy, this stand-in) is refused with a warning naming `--provider`, and
/// `--provider slack` delivers the alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decoder_ops_webhook_takes_its_platform_from_provider() {
    let slack = Chat::slack().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port(); // nothing listens: every run fails
    let path = dir.path().join("decoder-ops.yml");
    std::fs::write(
        &path,
        format!(
            r#"environments:
  production: {{base-url: "http://127.0.0.1:{port}"}}
checks:
  - {{name: health, url: "{{base-url}}/health", timeout: 2s}}
monitor:
  environment: production
  alerts: {{failure-threshold: 1}}
"#
        ),
    )
    .unwrap();
    let run = |provider: Option<&'static str>, now: &'static str| {
        let (dir, path, url) = (dir.path().to_owned(), path.clone(), slack.url());
        tokio::task::spawn_blocking(move || {
            let mut bin = Bin::new()
                .in_actions(&dir)
                .env("DECODER_OPS_WEBHOOK", &url)
                .args(["health-monitor", "--now", now, "--config"])
                .arg_path(&path)
                .arg("--state")
                .arg(format!("file:{}", dir.join("state.json").display()));
            if let Some(p) = provider {
                bin = bin.args(["--provider", p]);
            }
            bin.run()
        })
    };
    let first = run(None, "2026-11-23T10:00:00Z").await.unwrap();
    first.expect_code(1);
    assert!(
        first.stdout.contains("cannot tell Slack from Discord")
            && first.stdout.contains("--provider"),
        "{}",
        first.stdout
    );
    assert!(slack.accepted().is_empty());
    // The URL is masked (`::add-mask::`) and appears nowhere else, not even in the warning.
    let shown: Vec<&str> = first
        .stdout
        .lines()
        .chain(first.stderr.lines())
        .filter(|l| !l.starts_with("::add-mask::"))
        .collect();
    assert!(
        shown
            .iter()
            .all(|l| !l.contains(crate::support::chat::TOKEN)),
        "{shown:?}"
    );

    // Still firing: a new state, so the alert is new again.
    std::fs::remove_file(dir.path().join("state.json")).unwrap();
    let second = run(Some("slack"), "2026-11-23T10:15:00Z").await.unwrap();
    second.expect_code(1);
    let sent = texts(&slack);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("health"), "{}", sent[0]);
}
