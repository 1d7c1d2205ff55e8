//! `notify`, `smoke`, `health-monitor` (file state), `config check` and `init` with the marker
//! secret, down every failure path.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::{Endpoints, FAILURES, Failure, Scenario, concurrently, scenario_dir};
use crate::cli::read;
use crate::support::chat::{Chat, Kind};
use crate::support::marker::{ENCODED, SECRET, Sinks};
use crate::support::nginx::Nginx;

fn result(dir: &Path) -> Value {
    serde_json::from_str(&read(&dir.join("result.json"))).unwrap_or(Value::Null)
}

/// Three webhooks (secret in the path, in the query, in the userinfo), each failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_every_failure() {
    let endpoints = Endpoints::start().await;
    let root = tempfile::tempdir().unwrap();
    for (i, failure) in FAILURES.into_iter().enumerate() {
        let name = format!("notify-{failure:?}");
        let dir = scenario_dir(root.path(), &name);
        let strict = i.is_multiple_of(2);
        let run = Scenario::new(&name, &dir)
            .json_logs(!i.is_multiple_of(2))
            .args(["notify", "--provider", "slack", "--status", "failure"])
            .args(["--webhook", &endpoints.path_url(failure)])
            .args(["--webhook", &endpoints.query_url(failure)])
            .args(["--webhook", &endpoints.userinfo_url(failure)])
            .args(["--timeout", "2s", "--json", "result.json"])
            .args(strict.then_some("--strict"))
            .run_and_scan(Sinks::default())
            .await;
        let doc = result(&dir);
        assert_eq!(doc["delivered"], false, "{name}: {doc}");
        assert_eq!(
            doc["deliveries"].as_array().map(Vec::len),
            Some(3),
            "{name}: {doc}"
        );
        assert_eq!(run.code, Some(if strict { 3 } else { 0 }), "{name}");
        if Endpoints::answered(failure) {
            assert!(
                endpoints.requests(failure) > 0,
                "{name}: the server was asked"
            );
        }
    }
}

/// Delivered through the stand-in Slack with the secret as the webhook's token; a config that
/// does not parse; a flag clap refuses next to a secret webhook.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_success_bad_config_and_bad_usage() {
    let slack = Chat::start(Kind::Slack, ENCODED).await;
    let root = tempfile::tempdir().unwrap();
    let dir = scenario_dir(root.path(), "notify-ok");
    Scenario::new("notify-ok", &dir)
        .args(["notify", "--provider", "slack", "--webhook", &slack.url()])
        .args(["--status", "success"])
        .args(["--json", "result.json"])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(
        result(&dir)["delivered"],
        true,
        "{}",
        read(&dir.join("result.json"))
    );
    let mut bodies = Sinks::default();
    for r in slack.received() {
        bodies.add(
            "payload sent to Slack",
            r.body.map(|b| b.to_string()).unwrap_or_default(),
        );
    }
    bodies.assert_clean("notify-ok payloads");

    let dir = scenario_dir(root.path(), "notify-bad-config");
    std::fs::write(
        dir.join("bad.yml"),
        "notify:\n  channels:\n    ops: {webhook: \"${OPS_WEBHOOK}\", provider: slack\n",
    )
    .unwrap();
    let run = Scenario::new("notify-bad-config", &dir)
        .env("OPS_WEBHOOK", slack.url())
        .args([
            "--config",
            "bad.yml",
            "notify",
            "--channel",
            "ops",
            "--json",
            "result.json",
        ])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(2));

    let dir = scenario_dir(root.path(), "notify-usage");
    let run = Scenario::new("notify-usage", &dir)
        .args([
            "notify",
            "--webhook",
            &slack.url(),
            "--status",
            &slack.url(),
        ])
        .args(["--json", "-"])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(2));
}

/// The checks of `smoke` and `health-monitor`: the secret in a query value, the path, the
/// userinfo and an `Authorization` header.
fn checks(endpoints: &Endpoints, failure: Failure) -> String {
    let (scheme, host) = endpoints.origin(failure);
    format!(
        r#"checks:
  - name: query
    url: "{scheme}://{host}/hook?channel=ops&token=${{HOOK_SECRET}}&wait=true"
    timeout: 1s
    headers: {{Authorization: "Bearer ${{API_TOKEN}}"}}
  - {{name: path, url: "{scheme}://{host}/hook/${{HOOK_SECRET}}", timeout: 1s}}
  - {{name: basic, url: "{scheme}://deploy:${{HOOK_SECRET}}@{host}/hook", timeout: 1s}}
"#
    )
}

fn smoke_scenario(name: &str, dir: &Path, config: &str) -> Scenario {
    std::fs::write(dir.join("decoder-ops.yml"), config).unwrap();
    Scenario::new(name, dir)
        .env("HOOK_SECRET", ENCODED)
        .env("API_TOKEN", SECRET)
        .args(["smoke", "--config", "decoder-ops.yml"])
        .args(["--junit", "junit.xml", "--json", "result.json"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_every_failure_bad_config_and_success() {
    let endpoints = Endpoints::start().await;
    let root = tempfile::tempdir().unwrap();
    for (i, failure) in FAILURES.into_iter().enumerate() {
        let name = format!("smoke-{failure:?}");
        let dir = scenario_dir(root.path(), &name);
        let run = smoke_scenario(&name, &dir, &checks(&endpoints, failure))
            .json_logs(i.is_multiple_of(2))
            .run_and_scan(Sinks::default())
            .await;
        assert_eq!(
            run.code,
            Some(1),
            "{name}: failing checks fail\n{}",
            run.stderr
        );
        let doc = result(&dir);
        assert_eq!(doc["stats"]["passed"], 0, "{name}: {doc}");
        assert_eq!(doc["stats"]["total"], 3, "{name}: {doc}");
        if Endpoints::answered(failure) {
            assert!(
                endpoints.requests(failure) >= 3,
                "{name}: the server was asked"
            );
        }
    }
    let dir = scenario_dir(root.path(), "smoke-bad-config");
    let bad = format!(
        "{}  - {{name: x, url: \"${{HOOK_SECRET}}\", bogus: 1}}\n",
        checks(&endpoints, Failure::Unreachable)
    );
    let run = smoke_scenario("smoke-bad-config", &dir, &bad)
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(2));
    let port = crate::support::nginx::free_port();
    let nginx = Nginx::start(
        &format!("server {{ listen 127.0.0.1:{port}; location / {{ return 200 'ok'; }} }}"),
        &[port],
    );
    let dir = scenario_dir(root.path(), "smoke-ok");
    let ok = checks(&endpoints, Failure::Unreachable).replace(
        &endpoints.origin(Failure::Unreachable).1,
        &format!("127.0.0.1:{}", nginx.port),
    );
    let run = smoke_scenario("smoke-ok", &dir, &ok)
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(0), "{}", run.stdout);
}

/// `health-monitor` with every secret at once: checks, the Prometheus bearer token, the alert
/// webhook; state in a file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_monitor_every_failure() {
    let endpoints = Arc::new(Endpoints::start().await);
    let root = tempfile::tempdir().unwrap();
    let root_path = root.path().to_owned();
    concurrently(FAILURES, |i, failure| {
        let (endpoints, root) = (endpoints.clone(), root_path.clone());
        async move { monitor_case(&endpoints, &root, i, failure).await }
    })
    .await;
    let dir = scenario_dir(root.path(), "monitor-bad-config");
    std::fs::write(
        dir.join("decoder-ops.yml"),
        format!(
            "{}monitor: {{prometheus: {{bearer-token: \"${{PROM_TOKEN}}\"",
            checks(&endpoints, Failure::Unreachable)
        ),
    )
    .unwrap();
    let run = Scenario::new("monitor-bad-config", &dir)
        .env("PROM_TOKEN", SECRET)
        .env("HOOK_SECRET", ENCODED)
        .args([
            "health-monitor",
            "--config",
            "decoder-ops.yml",
            "--json",
            "result.json",
        ])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(2));
}

async fn monitor_case(endpoints: &Endpoints, root: &Path, i: usize, failure: Failure) {
    let name = format!("monitor-{failure:?}");
    let dir = scenario_dir(root, &name);
    let (scheme, host) = endpoints.origin(failure);
    let config = format!(
        r#"{}notify:
  channels:
    ops: {{webhook: "${{OPS_WEBHOOK}}", provider: slack}}
monitor:
  channels: [ops]
  alerts: {{failure-threshold: 1}}
  prometheus: {{url: "{scheme}://{host}", bearer-token: "${{PROM_TOKEN}}", timeout: 1s}}
  metrics:
    - {{name: errors, query: "sum(rate(x[5m]))", critical: "> 1"}}
"#,
        checks(endpoints, failure)
    );
    std::fs::write(dir.join("decoder-ops.yml"), config).unwrap();
    let run = Scenario::new(&name, &dir)
        .json_logs(!i.is_multiple_of(2))
        .env("HOOK_SECRET", ENCODED)
        .env("API_TOKEN", SECRET)
        .env("PROM_TOKEN", SECRET)
        .env("OPS_WEBHOOK", endpoints.query_url(failure))
        .args(["health-monitor", "--config", "decoder-ops.yml"])
        .args(["--state", "file:state.json", "--json", "result.json"])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(1), "{name}\n{}", run.stderr);
    let doc = result(&dir);
    assert_eq!(doc["healthy"], false, "{name}: {doc}");
    assert_eq!(
        doc["checks"].as_array().map(Vec::len),
        Some(4),
        "{name}: {doc}"
    );
    let alerts = doc["notifications"].as_array().cloned().unwrap_or_default();
    assert!(
        !alerts.is_empty() && alerts.iter().all(|a| a["delivered"] == false),
        "{name}: the alert went to the failing webhook: {doc}"
    );
    assert!(
        dir.join("state.json").exists(),
        "{name}: the state was written"
    );
}

/// `config check` names the variables it resolves (never their values); `init` with the token
/// in the environment, and with a flag it refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_check_and_init() {
    let endpoints = Endpoints::start().await;
    let root = tempfile::tempdir().unwrap();
    let dir = scenario_dir(root.path(), "config-ok");
    std::fs::write(
        dir.join("decoder-ops.yml"),
        checks(&endpoints, Failure::Unreachable),
    )
    .unwrap();
    let run = Scenario::new("config-ok", &dir)
        .env("HOOK_SECRET", ENCODED)
        .env("API_TOKEN", SECRET)
        .args([
            "config",
            "check",
            "--config",
            "decoder-ops.yml",
            "--json",
            "result.json",
        ])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let dir = scenario_dir(root.path(), "config-bad");
    std::fs::write(
        dir.join("decoder-ops.yml"),
        format!(
            "{}  - {{name: q, url: \"${{HOOK_SECRET}}\", timeout: soon}}\n",
            checks(&endpoints, Failure::Unreachable)
        ),
    )
    .unwrap();
    let run = Scenario::new("config-bad", &dir)
        .env("HOOK_SECRET", ENCODED)
        .args([
            "config",
            "check",
            "--config",
            "decoder-ops.yml",
            "--json",
            "-",
        ])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(2));
    let dir = scenario_dir(root.path(), "init-ok");
    let run = Scenario::new("init-ok", &dir)
        .args(["init", "--json", "result.json"])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let dir = scenario_dir(root.path(), "init-usage");
    let run = Scenario::new("init-usage", &dir)
        .args(["init", "--language", "cobol", "--json", "-"])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(2));
}
