//! health-monitor with `--state github` and `--incidents github` against the stand-in GitHub
//! (requests validated against GitHub's OpenAPI description): a SHA conflict on the first write
//! is re-read and re-applied, incidents open once, get a comment on reminders, and close on
//! recovery — and two overlapping runs never open two.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::{Bin, Run};
use crate::support::chat::{Chat, Fault as ChatFault};
use crate::support::github::{Fault, GitHub, REPOSITORY, TOKEN};
use crate::support::nginx::{Nginx, free_port};

const STATE: &str = "decoder-ops/state.json";
const BRANCH: &str = "decoder-ops-state";

fn config(dir: &Path, port: u16) -> PathBuf {
    let path = dir.join("decoder-ops.yml");
    std::fs::write(
        &path,
        format!(
            r#"environments:
  production: {{base-url: "http://127.0.0.1:{port}"}}
checks:
  - {{name: api health, url: "{{base-url}}/health", timeout: 2s}}
monitor:
  alerts: {{failure-threshold: 1, success-threshold: 1, reminder-every: 30m, severity: high}}
"#
        ),
    )
    .unwrap();
    path
}

async fn run_at(github: &GitHub, dir: &Path, config: &Path, minute: u32) -> (Run, Value) {
    run_with(github, dir, config, minute, "").await
}

/// [`run_at`] with `OPS_WEBHOOK` set.
async fn run_with(
    github: &GitHub,
    dir: &Path,
    config: &Path,
    minute: u32,
    webhook: &str,
) -> (Run, Value) {
    let (dir, config, webhook) = (dir.to_owned(), config.to_owned(), webhook.to_owned());
    let base = github.base_url().to_owned();
    let sha = github.ref_sha("heads/main").unwrap();
    tokio::task::spawn_blocking(move || {
        let now = format!("2026-11-23T{:02}:{:02}:00Z", 10 + minute / 60, minute % 60);
        let json = dir.join(format!("result-{minute}-{}.json", rand_suffix()));
        let run = Bin::new()
            .in_actions(&dir)
            .env("GITHUB_REPOSITORY", REPOSITORY)
            .env("GITHUB_API_URL", &base)
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_SHA", &sha)
            .env("OPS_WEBHOOK", &webhook)
            .args([
                "health-monitor",
                "--state",
                "github",
                "--incidents",
                "github",
            ])
            .args(["--interval", "15m", "--now", &now, "--config"])
            .arg_path(&config)
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

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn stored_state(github: &GitHub) -> Value {
    let file = github
        .file(BRANCH, STATE)
        .expect("the state file is on the state branch");
    serde_json::from_slice(&file.content).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_on_a_branch_survives_a_conflict_and_incidents_open_comment_and_close() {
    let github = GitHub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let cfg = config(dir.path(), port);

    // Another run writes the state between our read and our first write.
    let other = r#"{"schema_version": 1, "runs": ["2026-11-23T09:55:00Z"], "blind": [], "baselines": {"p95": 120.0}, "checks": {}}"#;
    github.push_fault(Fault::ShaConflict {
        other_content: other.as_bytes().to_vec(),
    });
    let (run, result) = run_at(&github, dir.path(), &cfg, 0).await;
    run.expect_code(1);
    assert_eq!(result["state"]["conflicts"], 1, "{result}");
    assert!(
        github.ref_sha(&format!("heads/{BRANCH}")).is_some(),
        "the state branch was created"
    );
    let state = stored_state(&github);
    assert_eq!(
        state["runs"],
        serde_json::json!(["2026-11-23T09:55:00Z", "2026-11-23T10:00:00Z"]),
        "our run was re-applied on top of the other writer's state"
    );
    assert_eq!(state["baselines"]["p95"], 120.0);

    // The alert fired: one incident, labelled, with the marker, and its number in the state.
    let issues = github.issues();
    assert_eq!(issues.len(), 1);
    let issue = &issues[0];
    assert_eq!(issue.title, "[sev-2] production: api health is failing");
    let body = issue.body.as_deref().unwrap_or_default();
    assert!(
        body.contains("<!-- decoder-ops:incident:api-health -->"),
        "{body}"
    );
    let labels: Vec<&str> = issue.labels.iter().map(String::as_str).collect();
    assert_eq!(labels, ["incident", "sev-2"]);
    assert_eq!(state["checks"]["api health"]["incident"], issue.number);
    assert_eq!(result["incidents"][0]["action"], "opened");

    // 15 minutes later: no reminder yet. 30 minutes after the alert: one comment.
    run_at(&github, dir.path(), &cfg, 15).await.0.expect_code(1);
    assert!(github.comments(issue.number).is_empty());
    run_at(&github, dir.path(), &cfg, 30).await.0.expect_code(1);
    let comments = github.comments(issue.number);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].body.starts_with("🔁 Still failing"),
        "{}",
        comments[0].body
    );

    // Recovery: a comment with the duration, and the issue closed.
    let _server = Nginx::start(
        &format!("server {{ listen 127.0.0.1:{port}; location = /health {{ return 200 'ok'; }} }}"),
        &[port],
    );
    let (run, result) = run_at(&github, dir.path(), &cfg, 45).await;
    run.expect_code(0);
    assert_eq!(result["incidents"][0]["action"], "closed", "{result}");
    let closed = github.issue(issue.number).unwrap();
    assert_eq!(closed.state, "closed");
    let comments = github.comments(issue.number);
    assert!(
        comments[1].body.contains("passing again after 45m"),
        "{}",
        comments[1].body
    );
    assert_eq!(
        stored_state(&github)["checks"]["api health"]["incident"],
        Value::Null
    );
    assert_eq!(github.issues().len(), 1, "never a second issue");
    let failed: Vec<(String, u16)> = github
        .failed_requests()
        .into_iter()
        .map(|r| (r.operation.unwrap_or_default(), r.status))
        .collect();
    assert_eq!(
        failed,
        [
            ("repos/get-content".to_owned(), 404),
            ("git/get-ref".to_owned(), 404),
            ("repos/create-or-update-file-contents".to_owned(), 422),
        ],
        "only the missing state, the missing branch and the one conflict"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_runs_open_one_incident() {
    let github = GitHub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), free_port());
    let (a, b) = tokio::join!(
        run_at(&github, dir.path(), &cfg, 0),
        run_at(&github, dir.path(), &cfg, 0)
    );
    a.0.expect_code(1);
    b.0.expect_code(1);
    assert_eq!(
        github.issues().len(),
        1,
        "{:?} {:?}",
        a.1["incidents"],
        b.1["incidents"]
    );
    let conflicts =
        a.1["state"]["conflicts"].as_u64().unwrap() + b.1["state"]["conflicts"].as_u64().unwrap();
    let opened = [&a.1, &b.1]
        .iter()
        .filter(|r| r["incidents"].as_array().is_some_and(|i| !i.is_empty()))
        .count();
    assert!(
        opened == 1 || conflicts == 0,
        "the run that lost the race saw the alert already firing"
    );
    // A re-run of the same scheduled minute changes nothing on GitHub.
    run_at(&github, dir.path(), &cfg, 15).await.0.expect_code(1);
    assert_eq!(github.issues().len(), 1);
}

/// The outbox lives on the branch too: an alert the webhook refused is sent by the next run,
/// and when two runs overlap only one of them sends it (the claim is a conditional write).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_alert_waits_on_the_branch_and_overlapping_runs_send_it_once() {
    let github = GitHub::start().await;
    let slack = Chat::slack().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), free_port());
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("  channels: [ops]\nnotify:\n  channels:\n    ops: {webhook: \"${OPS_WEBHOOK}\", provider: slack}\n");
    std::fs::write(&cfg, text).unwrap();

    let url = slack.url();
    slack.plan(ChatFault::Status(404));
    let (run, result) = run_with(&github, dir.path(), &cfg, 0, &url).await;
    run.expect_code(1);
    assert!(slack.accepted().is_empty());
    assert_eq!(result["outbox"]["pending"], 1, "{result}");
    let pending = &stored_state(&github)["outbox"]["pending"][0];
    assert_eq!(
        pending["targets"][0]["destination"], "channel ops",
        "{pending}"
    );
    assert_eq!(pending["targets"][0]["failures"], 1, "{pending}");
    assert_eq!(pending["incidents"]["api health"], 1, "{pending}");

    // The winner's delivery takes a while: the other run comes by while it is claimed.
    slack.plan(ChatFault::Slow(std::time::Duration::from_millis(1500)));
    // The winner's delivery takes a while: the other run comes by while it is claimed.
    slack.plan(ChatFault::Slow(std::time::Duration::from_millis(1500)));
    let (a, b) = tokio::join!(
        run_with(&github, dir.path(), &cfg, 15, &url),
        run_with(&github, dir.path(), &cfg, 15, &url)
    );
    a.0.expect_code(1);
    b.0.expect_code(1);
    let sent = slack.accepted();
    assert_eq!(sent.len(), 1, "once: {sent:?}");
    let senders = [&a.1, &b.1]
        .iter()
        .filter(|r| r["notifications"].as_array().is_some_and(|n| !n.is_empty()))
        .count();
    assert_eq!(
        senders, 1,
        "{} / {}",
        a.1["notifications"], b.1["notifications"]
    );
    let text = sent[0].to_string();
    assert!(text.contains("FIRING api health"), "{text}");
    assert!(
        text.contains("https://github.com/octo-org/hello-world/issues/1"),
        "the incident is linked: {text}"
    );
    assert_eq!(
        stored_state(&github)["outbox"]["pending"],
        serde_json::json!([])
    );
}
