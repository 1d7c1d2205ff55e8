//! `decoder-ops config …` and configuration errors as users meet them: exit 2, file, line,
//! column and key on stderr, an annotation on Actions, and the committed JSON Schema up to date.

use crate::cli::{Bin, read, repo_file};

fn write(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("decoder-ops.yml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn config_check_accepts_the_example_and_reports_variables() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let run = Bin::new()
        .args(["config", "check", "--no-env", "--json"])
        .arg_path(&json)
        .arg_path(&repo_file("examples/decoder-ops.yml"))
        .run();
    run.expect_code(0);
    assert!(run.stdout.contains("is valid"), "{}", run.stdout);
    let v: serde_json::Value = serde_json::from_str(&read(&json)).unwrap();
    assert_eq!(v["schema"], "decoder-ops/config/v1");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["variables"][0]["name"], "EXAMPLE_DISCORD_WEBHOOK");
}

#[test]
fn unknown_key_is_exit_2_with_file_line_column_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "notify:\n  channels:\n    ops:\n      webhok: x\n",
    );
    let run = Bin::new().args(["config", "check"]).arg_path(&path).run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("decoder-ops.yml`: line 4, column 7:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("notify.channels.ops: unknown field `webhok`"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stdout.contains("::"),
        "no workflow commands outside Actions: {}",
        run.stdout
    );
}

#[test]
fn wrong_type_is_exit_2_with_location() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "notify:\n  default-channels: {a: 1}\n");
    let run = Bin::new().args(["config", "check"]).arg_path(&path).run();
    run.expect_code(2);
    assert!(run.stderr.contains("line 2, column 21"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("invalid type: map, expected a sequence"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_env_var_is_exit_2_at_its_line_with_an_annotation_on_actions() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "# alerts\nnotify:\n  channels:\n    ops:\n      webhook: ${OPS_HOOK}\n",
    );
    let json = dir.path().join("result.json");
    let run = Bin::new()
        .in_actions(dir.path())
        .args(["config", "check", "--json"])
        .arg_path(&json)
        .arg_path(&path)
        .run();
    run.expect_code(2);
    assert!(run.stderr.contains("line 5, column 16: `notify.channels.ops.webhook`: environment variable `OPS_HOOK` is not set"), "{}", run.stderr);
    assert!(run.stdout.contains("::error file="), "{}", run.stdout);
    assert!(run.stdout.contains(",line=5,"), "{}", run.stdout);
    let v: serde_json::Value = serde_json::from_str(&read(&json)).unwrap();
    assert_eq!(
        (v["verdict"].as_str(), v["exit_code"].as_u64()),
        (Some("error"), Some(2))
    );
    assert!(read(&dir.path().join("output")).contains("exit-code<<"));
}

#[test]
fn set_env_var_resolves_and_its_value_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "notify:\n  channels:\n    ops:\n      webhook: ${OPS_HOOK}\n",
    );
    let run = Bin::new()
        .env(
            "OPS_HOOK",
            "https://hooks.slack.com/services/TSECRET/BSECRET/configMARKERsecret",
        )
        .args(["config", "check", "-vv", "--json", "-"])
        .arg_path(&path)
        .run();
    run.expect_code(0);
    assert!(
        !run.stdout.contains("configMARKERsecret") && !run.stderr.contains("configMARKERsecret")
    );
    assert!(run.stdout.contains("\"set\": true"), "{}", run.stdout);
}

#[test]
fn explicit_missing_config_is_exit_2() {
    let run = Bin::new()
        .args(["--config", "nope.yml", "notify", "--dry-run"])
        .run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("config `nope.yml`: cannot read it"),
        "{}",
        run.stderr
    );
}

#[test]
fn committed_schema_matches_the_generated_one() {
    let run = Bin::new().args(["config", "schema"]).run();
    run.expect_code(0);
    let generated: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let committed: serde_json::Value =
        serde_json::from_str(&read(&repo_file("docs/decoder-ops.schema.json")))
            .expect("docs/decoder-ops.schema.json");
    assert_eq!(
        generated, committed,
        "regenerate with: cargo run -- config schema > docs/decoder-ops.schema.json"
    );
}

#[test]
fn usage_errors_exit_2_and_help_teaches() {
    Bin::new()
        .args(["notify", "--status", "exploded"])
        .run()
        .expect_code(2);
    let help = Bin::new().args(["--help"]).run();
    help.expect_code(0);
    assert!(
        help.stdout.contains("notify") && help.stdout.contains("Exit codes"),
        "{}",
        help.stdout
    );
    let commands: Vec<&str> = help
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        commands,
        [
            "notify",
            "coverage-check",
            "quality-gate",
            "smoke",
            "health-monitor",
            "config",
            "init",
            "help"
        ],
        "only working subcommands are listed"
    );
}
