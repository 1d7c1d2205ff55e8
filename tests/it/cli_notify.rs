//! `decoder-ops notify` end to end without a network: dry runs, destinations, the run context,
//! and what a lost notification does to the exit code.

use crate::cli::{Bin, read, repo_file};

const FAKE_SLACK: &str = "https://hooks.slack.com/services/T-FAKE/B-FAKE/dryrunMARKERtoken";

#[test]
fn readme_quick_start_dry_run_prints_both_payloads_and_no_secret() {
    let run = Bin::new()
        .args(["notify", "--dry-run", "--config"])
        .arg_path(&repo_file("examples/decoder-ops.yml"))
        .args([
            "--event",
            "deploy",
            "--status",
            "success",
            "--environment",
            "staging",
            "--text-file",
        ])
        .arg_path(&repo_file("examples/commit-message.txt"))
        .run();
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("# channel deploys (slack): dry run, not sent"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("# channel alerts (discord): dry run, not sent"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Deploy to staging succeeded"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("not-a-real-token"),
        "webhook token printed: {}",
        run.stdout
    );
}

#[test]
fn dry_run_json_has_the_contract_keys_and_payloads() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let run = Bin::new()
        .args([
            "notify",
            "--dry-run",
            "--webhook",
            FAKE_SLACK,
            "--status",
            "failure",
            "--title",
            "Smoke failed",
        ])
        .args(["--field", "Checks=3/5", "--json"])
        .arg_path(&json)
        .run();
    run.expect_code(0);
    let text = read(&json);
    assert!(text.starts_with("{\n  \"schema\": \"decoder-ops/notify/v1\",\n  \"command\": \"notify\",\n  \"verdict\": \"pass\",\n  \"exit_code\": 0,"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["delivered"], false);
    assert_eq!(v["payloads"][0]["provider"], "slack");
    assert_eq!(v["message"]["title"], "Smoke failed");
    assert!(!text.contains("dryrunMARKERtoken"));
}

#[test]
fn text_from_stdin_reaches_the_payload() {
    let run = Bin::new()
        .args([
            "notify",
            "--dry-run",
            "--webhook",
            FAKE_SLACK,
            "--text-file",
            "-",
        ])
        .stdin("line one from a pipe")
        .run();
    run.expect_code(0);
    assert!(
        run.stdout.contains("line one from a pipe"),
        "{}",
        run.stdout
    );
}

#[test]
fn actions_context_fills_repository_commit_and_run_links() {
    let dir = tempfile::tempdir().unwrap();
    let run = Bin::new()
        .in_actions(dir.path())
        .args([
            "notify",
            "--dry-run",
            "--provider",
            "discord",
            "--webhook",
            "https://discord.com/api/webhooks/1/dryrunMARKERtoken",
        ])
        .args([
            "--event",
            "deploy",
            "--status",
            "started",
            "--environment",
            "production",
        ])
        .run();
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("https://github.com/acme/shop/actions/runs/4242/attempts/2"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("0123456"), "{}", run.stdout);
    // The secret is masked first (the runner consumes that line), then never printed again.
    let mut lines = run.stdout.lines();
    let first_non_mask = lines
        .by_ref()
        .find(|l| !l.starts_with("::add-mask::"))
        .unwrap_or("");
    assert!(!first_non_mask.contains("dryrunMARKERtoken"));
    assert!(
        lines.all(|l| !l.contains("dryrunMARKERtoken")),
        "{}",
        run.stdout
    );
    let outputs = read(&dir.path().join("output"));
    assert!(
        outputs.contains("delivered<<") && outputs.contains("verdict<<"),
        "{outputs}"
    );
}

#[test]
fn no_destination_warns_and_exits_0_but_strict_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = Bin::new()
        .current_dir(dir.path())
        .args(["notify", "--status", "success"])
        .run();
    run.expect_code(0);
    assert!(run.stdout.contains("no destination"), "{}", run.stdout);
    let strict = Bin::new()
        .current_dir(dir.path())
        .args(["notify", "--status", "success", "--strict"])
        .run();
    strict.expect_code(2);
    assert!(
        strict.stderr.contains("no destination"),
        "{}",
        strict.stderr
    );
}

#[test]
fn undetectable_provider_and_plain_http_are_refused_without_printing_the_url() {
    let run = Bin::new()
        .args([
            "notify",
            "--strict",
            "--webhook",
            "https://proxy.example/hook/undetectableMARKER",
        ])
        .run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("pass --provider slack|discord"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("undetectableMARKER"), "{}", run.stderr);

    let run = Bin::new()
        .args([
            "notify",
            "--strict",
            "--provider",
            "slack",
            "--webhook",
            "http://hooks.example/services/plainMARKER",
        ])
        .run();
    run.expect_code(2);
    assert!(run.stderr.contains("plain http"), "{}", run.stderr);
    assert!(!run.stderr.contains("plainMARKER"), "{}", run.stderr);
}

#[test]
fn webhooks_from_the_environment_are_split_on_commas_and_newlines() {
    let run = Bin::new()
        .env(
            "DECODER_OPS_WEBHOOK",
            format!("{FAKE_SLACK},\n https://discord.com/api/webhooks/2/envMARKERtoken\n"),
        )
        .args(["notify", "--dry-run", "--status", "info"])
        .run();
    run.expect_code(0);
    assert!(
        run.stdout.contains("# DECODER_OPS_WEBHOOK 1 (slack)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("# DECODER_OPS_WEBHOOK 2 (discord)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("envMARKERtoken"));
}
