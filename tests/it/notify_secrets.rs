//! The marker secret (`support/marker.rs`) as the token of a stand-in Slack or Discord webhook
//! and as `GITHUB_TOKEN` never appears, in any encoding, in stdout, stderr, `$GITHUB_OUTPUT`,
//! `$GITHUB_STEP_SUMMARY` or the `--json` file — across success, the platforms' own 4xx, 5xx,
//! timeout, DNS failure and invalid-URL paths, at trace level. The only place it may be printed
//! is the `::add-mask::` command itself, which the runner consumes and never shows.
//! (`secret_marker` drives the same secret through every other command and failure.)

use std::path::Path;
use std::time::Duration;

use crate::cli::{Bin, Run, read};
use crate::support::chat::{Chat, Fault, Kind};
use crate::support::marker::{ENCODED as MARKER, SECRET as GITHUB_TOKEN, Sinks};

/// Runs `notify` in an Actions environment and checks every sink for the markers.
async fn run_and_check(dir: &Path, url: String, provider: &str, extra: &[&str]) -> Run {
    let json = dir.join("result.json");
    let mut args: Vec<String> = [
        "-v",
        "notify",
        "--provider",
        provider,
        "--webhook",
        &url,
        "--status",
        "failure",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend([
        "--json".into(),
        json.display().to_string(),
        "--timeout".into(),
        "3s".into(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let dir_owned = dir.to_path_buf();
    let run = tokio::task::spawn_blocking(move || {
        Bin::new()
            .in_actions(&dir_owned)
            .env("GITHUB_TOKEN", GITHUB_TOKEN)
            .env("DECODER_OPS_LOG", "trace")
            .args(&args)
            .run()
    })
    .await
    .unwrap();
    let mut sinks = Sinks::of_run(&run);
    sinks.add_dir(dir);
    sinks.assert_clean("notify");
    // The masks come first, before any other line.
    let lines: Vec<&str> = run.stdout.lines().collect();
    if let Some(first_other) = lines.iter().position(|l| !l.starts_with("::add-mask::")) {
        let late = lines[first_other..]
            .iter()
            .any(|l| l.starts_with("::add-mask::"));
        assert!(!late, "a mask came after other output:\n{}", run.stdout);
    }
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("::add-mask::") && l.contains("MKe5-marker")),
        "{}",
        run.stdout
    );
    assert!(
        !read(&json).is_empty(),
        "the result file is written on every path"
    );
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn success_path() {
    let chat = Chat::start(Kind::Slack, MARKER).await;
    let dir = tempfile::tempdir().unwrap();
    let run = run_and_check(dir.path(), chat.url(), "slack", &[]).await;
    run.expect_code(0);
    assert_eq!(chat.accepted().len(), 1);
    assert!(read(&dir.path().join("output")).contains("delivered<<"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_error_path() {
    let chat = Chat::start(Kind::Discord, MARKER).await;
    chat.plan(Fault::Status(400));
    let dir = tempfile::tempdir().unwrap();
    let run = run_and_check(dir.path(), chat.url(), "discord", &[]).await;
    run.expect_code(0);
    assert!(run.stdout.contains("::warning"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_path_strict_exits_3() {
    let chat = Chat::start(Kind::Slack, MARKER).await;
    let dir = tempfile::tempdir().unwrap();
    let run = run_and_check(
        dir.path(),
        chat.unknown_url()
            .replace("revokedTOKEN", &format!("{MARKER}x")),
        "slack",
        &["--strict"],
    )
    .await;
    run.expect_code(3);
    assert!(run.stdout.contains("::error"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_path() {
    let chat = Chat::start(Kind::Slack, MARKER).await;
    for _ in 0..6 {
        chat.plan(Fault::Status(500));
    }
    let dir = tempfile::tempdir().unwrap();
    run_and_check(dir.path(), chat.url(), "slack", &[])
        .await
        .expect_code(0);
    assert!(chat.received().len() >= 2, "5xx retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_path() {
    let chat = Chat::start(Kind::Discord, MARKER).await;
    chat.plan(Fault::Slow(Duration::from_secs(5)));
    let dir = tempfile::tempdir().unwrap();
    let run = run_and_check(dir.path(), chat.url(), "discord", &["--strict"]).await;
    run.expect_code(3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_failure_path() {
    // `.invalid` is reserved (RFC 6761): the name can never resolve.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://hooks.decoder-ops.invalid/services/T1/B1/{MARKER}");
    let run = run_and_check(dir.path(), url, "slack", &["--strict"]).await;
    run.expect_code(3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_url_path() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://exa mple.com/services/T1/B1/{MARKER}");
    let run = run_and_check(dir.path(), url, "slack", &["--strict"]).await;
    run.expect_code(2);
    let relaxed = tempfile::tempdir().unwrap();
    let url = format!("not a url {MARKER}");
    run_and_check(relaxed.path(), url, "slack", &[])
        .await
        .expect_code(0);
}
