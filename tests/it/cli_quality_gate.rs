//! `decoder-ops quality-gate` end to end on real runner output (tests/fixtures/junit/).

use std::path::Path;

use crate::cli::{Bin, read, repo_file};

const PASSING: &str = r#"<?xml version="1.0"?>
<testsuites><testsuite name="api"><testcase classname="api" name="a"/><testcase classname="api" name="b"/>
<testcase classname="api" name="c"><skipped/></testcase></testsuite></testsuites>"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{e}: {}", read(path)))
}

#[test]
fn failing_tests_block_with_summary_outputs_and_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("gate.json");
    let run = Bin::new()
        .in_actions(dir.path())
        .args(["quality-gate", "--json"])
        .arg_path(&result)
        .arg_path(&repo_file("tests/fixtures/junit/pytest/junit-xunit1.xml"))
        .run();
    run.expect_code(1);
    let v = json(&result);
    assert_eq!(
        (v["schema"].as_str(), v["verdict"].as_str()),
        (Some("decoder-ops/quality-gate/v1"), Some("fail"))
    );
    assert_eq!(v["gates"][0]["outcome"], "fail");
    assert_eq!(v["inputs"][0]["summary"]["failed"], 2);
    assert_eq!(v["inputs"][0]["summary"]["errors"], 2);
    let summary = read(&dir.path().join("summary"));
    assert!(
        summary.contains("| Gate | Threshold | Actual | On failure | Result |"),
        "{summary}"
    );
    assert!(summary.contains("❌ blocked"), "{summary}");
    // pytest xunit1 carries file= and line=: failing tests are annotated where they are.
    assert!(
        run.stdout.contains("::error file=tests/test_calc.py,line="),
        "{}",
        run.stdout
    );
    let outputs = read(&dir.path().join("output"));
    assert!(
        outputs.contains("verdict<<") && outputs.contains("score<<"),
        "{outputs}"
    );
}

#[test]
fn passing_tests_pass_and_zero_tests_are_inconclusive() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    Bin::new()
        .current_dir(dir.path())
        .args(["quality-gate"])
        .arg_path(&ok)
        .run()
        .expect_code(0);
    let empty = write(dir.path(), "empty.xml", "<testsuites/>");
    let run = Bin::new()
        .current_dir(dir.path())
        .args(["quality-gate"])
        .arg_path(&empty)
        .run();
    run.expect_code(4);
    assert!(run.stdout.contains("inconclusive"), "{}", run.stdout);
    Bin::new()
        .current_dir(dir.path())
        .args(["quality-gate"])
        .run()
        .expect_code(4);
}

#[test]
fn a_missing_matrix_upload_is_inconclusive() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    let cfg = write(
        dir.path(),
        "cfg.yml",
        "quality-gate:\n  expect: {junit: 2}\n",
    );
    let run = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate"])
        .arg_path(&ok)
        .run();
    run.expect_code(4);
    assert!(
        run.stdout.contains("only 1 of 2 expected JUnit reports"),
        "{}",
        run.stdout
    );
}

#[test]
fn change_window_blocks_a_weekend_deploy_but_not_a_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    let cfg = write(
        dir.path(),
        "cfg.yml",
        "quality-gate:\n  gates:\n    tests: {kind: tests}\n    window:\n      kind: change-window\n      timezone: Europe/Berlin\n      days: [mon, tue, wed, thu]\n      hours: \"09:00-16:00\"\n",
    );
    let gate = |extra: &[&str]| {
        Bin::new()
            .args(["--config"])
            .arg_path(&cfg)
            .args(["quality-gate"])
            .args(extra)
            .arg_path(&ok)
            .run()
    };
    let saturday = gate(&["--now", "2026-11-21T10:00:00Z"]);
    saturday.expect_code(1);
    assert!(
        saturday.stdout.contains("sat is not a change day"),
        "{}",
        saturday.stdout
    );
    gate(&["--now", "2026-11-21T10:00:00Z", "--purpose", "rollback"]).expect_code(0);
    // Tuesday 08:30 UTC is 09:30 in Berlin (CET, UTC+1): inside.
    gate(&["--now", "2026-11-24T08:30:00Z"]).expect_code(0);
}

#[test]
fn json_number_gate_warns_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    write(dir.path(), "perf.json", r#"{"metrics": {"p95": 2450}}"#);
    let cfg = write(
        dir.path(),
        "cfg.yml",
        "quality-gate:\n  gates:\n    tests: {kind: tests}\n    p95: {kind: json-number, file: perf.json, pointer: /metrics/p95, max: 2000, on-fail: warn}\n",
    );
    let result = dir.path().join("r.json");
    let run = Bin::new()
        .current_dir(dir.path())
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate", "--json"])
        .arg_path(&result)
        .arg_path(&ok)
        .run();
    run.expect_code(0);
    let v = json(&result);
    assert_eq!(
        (v["verdict"].as_str(), v["score"].as_u64()),
        (Some("warn"), Some(50))
    );
    let p95 = v["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "p95")
        .unwrap();
    assert_eq!(
        (p95["actual"].as_str(), p95["outcome"].as_str()),
        (Some("2450"), Some("fail"))
    );
}

#[test]
fn bad_policy_and_bad_inputs_are_exit_2_with_location() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    let cfg = write(
        dir.path(),
        "cfg.yml",
        "quality-gate:\n  gates:\n    tests: {kind: tests, max: 3}\n",
    );
    let run = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate"])
        .arg_path(&ok)
        .run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("line 3") && run.stderr.contains("`max` does not apply"),
        "{}",
        run.stderr
    );
    let cfg = write(
        dir.path(),
        "cfg2.yml",
        "quality-gate:\n  gates:\n    w: {kind: change-window, timezone: Mars/Base}\n",
    );
    let run = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate"])
        .arg_path(&ok)
        .run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("unknown time zone `Mars/Base`"),
        "{}",
        run.stderr
    );
    let truncated = write(
        dir.path(),
        "t.xml",
        "<testsuites>\n<testsuite name=\"x\">\n<testcase name=\"a\">",
    );
    let run = Bin::new().args(["quality-gate"]).arg_path(&truncated).run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("t.xml`: line 3") && run.stderr.contains("truncated"),
        "{}",
        run.stderr
    );
    let run = Bin::new()
        .args(["quality-gate"])
        .arg_path(&repo_file("Cargo.toml"))
        .run();
    run.expect_code(2);
    assert!(run.stderr.contains("expected JUnit XML"), "{}", run.stderr);
}

#[test]
fn replay_re_derives_the_decision_and_refuses_a_tampered_input() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    let cfg = write(
        dir.path(),
        "cfg.yml",
        "quality-gate:\n  gates:\n    tests: {kind: tests}\n    window: {kind: change-window, days: [mon, tue, wed, thu, fri]}\n",
    );
    let recorded = dir.path().join("decision.json");
    Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate", "--now", "2026-11-23T10:00:00Z", "--json"])
        .arg_path(&recorded)
        .arg_path(&ok)
        .run()
        .expect_code(0);
    let v = json(&recorded);
    assert_eq!(v["inputs"][0]["sha256"].as_str().map(str::len), Some(64));

    // Replayed later (a Saturday now): the recorded instant is used, same decision.
    let replay = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate", "--replay"])
        .arg_path(&recorded)
        .run();
    replay.expect_code(0);
    assert!(
        replay.stdout.contains("the same decision (pass)"),
        "{}",
        replay.stdout
    );

    std::fs::write(
        &ok,
        PASSING.replace("name=\"b\"/>", "name=\"b\"><failure/></testcase>"),
    )
    .unwrap();
    let tampered = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate", "--replay"])
        .arg_path(&recorded)
        .run();
    tampered.expect_code(2);
    assert!(
        tampered
            .stderr
            .contains("is not the file the decision was made on"),
        "{}",
        tampered.stderr
    );

    std::fs::write(&ok, PASSING).unwrap();
    std::fs::write(
        &cfg,
        "quality-gate:\n  gates:\n    tests: {kind: tests, min-tests: 50}\n",
    )
    .unwrap();
    let changed = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate", "--replay"])
        .arg_path(&recorded)
        .run();
    changed.expect_code(2);
    assert!(
        changed.stderr.contains("the policy changed since"),
        "{}",
        changed.stderr
    );
}
