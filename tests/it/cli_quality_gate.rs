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

fn fixture(rel: &str) -> std::path::PathBuf {
    repo_file(&format!("tests/fixtures/{rel}"))
}

#[test]
fn findings_are_counted_as_the_scanners_printed_them() {
    // zizmor printed "1 medium, 6 high"; bandit "High 3, Medium 5, Low 4"; cargo-audit 4
    // vulnerabilities (smallvec 9.8 critical, regex 7.5 high, time 6.2 medium, chrono without
    // CVSS → unknown, counted as high); clippy 6 warnings and 1 error (code quality).
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    let ok = write(dir.path(), "ok.xml", PASSING);
    let run = Bin::new()
        .args(["quality-gate", "--json"])
        .arg_path(&result)
        .arg_path(&ok)
        .arg_path(&fixture("sarif/zizmor/zizmor.sarif"))
        .arg_path(&fixture("sarif/bandit/bandit.sarif"))
        .arg_path(&fixture("sarif/clippy-sarif/clippy.sarif"))
        .arg_path(&fixture("audit/cargo-audit/cargo-audit.json"))
        .run();
    run.expect_code(1);
    let v = json(&result);
    let gate = |id: &str| {
        v["gates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        gate("vulnerabilities")["actual"],
        "1 critical, 11 high, 7 medium, 4 low"
    );
    assert_eq!(gate("vulnerabilities")["outcome"], "fail");
    assert_eq!(
        gate("code-quality")["actual"],
        "1 errors, 6 warnings, 0 notes"
    );
    assert_eq!(
        (
            gate("code-quality")["on_fail"].as_str(),
            gate("tests")["outcome"].as_str()
        ),
        (Some("warn"), Some("pass"))
    );
}

#[test]
fn allowlist_entries_need_a_reason_and_fail_the_gate_once_expired() {
    let dir = tempfile::tempdir().unwrap();
    let audit = fixture("audit/cargo-audit/cargo-audit.json");
    let policy = |expires: &str| {
        format!(
            "quality-gate:\n  gates:\n    vulns:\n      kind: vulnerabilities\n      max-high: 1\n      max-critical: 1\n      allowlist:\n        - {{id: RUSTSEC-2020-0159, reason: no fixed chrono for our MSRV, expires: {expires}}}\n"
        )
    };
    let cfg = write(dir.path(), "cfg.yml", &policy("2027-01-31"));
    let run = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate", "--now", "2026-11-23T10:00:00Z"])
        .arg_path(&audit)
        .run();
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("1 critical, 1 high, 1 medium, 0 low (1 allowlisted)"),
        "{}",
        run.stdout
    );
    let expired = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate", "--now", "2027-02-01T10:00:00Z"])
        .arg_path(&audit)
        .run();
    expired.expect_code(1);
    assert!(
        expired
            .stdout
            .contains("`RUSTSEC-2020-0159` (expired 2027-01-31)"),
        "{}",
        expired.stdout
    );
    let cfg = write(
        dir.path(),
        "cfg2.yml",
        &policy("2027-01-31").replace("reason: no fixed chrono for our MSRV", "reason: \"\""),
    );
    let run = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate"])
        .arg_path(&audit)
        .run();
    run.expect_code(2);
    assert!(run.stderr.contains("needs a reason"), "{}", run.stderr);
}

#[test]
fn k6_p95_feeds_the_performance_gate_and_unaudited_dependencies_are_inconclusive() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    // Both k6 summary flavours give the same p95 (README: about 153 ms).
    for file in ["perf/k6/summary.json", "perf/k6/summary-export.json"] {
        let cfg = write(
            dir.path(),
            "cfg.yml",
            "quality-gate:\n  gates:\n    perf: {kind: performance, max-p95-ms: 100, on-fail: warn}\n",
        );
        let run = Bin::new()
            .args(["--config"])
            .arg_path(&cfg)
            .args(["quality-gate"])
            .arg_path(&fixture(file))
            .run();
        // The p95 gate only warns; k6's own crossed thresholds block (k6 exited 99).
        run.expect_code(1);
        assert!(
            run.stdout.contains("⚠️ perf") && run.stdout.contains("p95 1"),
            "{file}: {}",
            run.stdout
        );
    }
    // pip-audit could check none of the 7 dependencies: not a pass.
    let run = Bin::new()
        .args(["quality-gate"])
        .arg_path(&ok)
        .arg_path(&fixture("audit/pip-audit/pip-audit-unaudited.json"))
        .run();
    run.expect_code(4);
    assert!(
        run.stdout.contains("7 dependencies could not be checked"),
        "{}",
        run.stdout
    );
}

#[test]
fn coverage_reports_and_smoke_results_feed_the_coverage_and_performance_gates() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    // c8 printed 75.29% lines (64/85): below the default 80%, a blocking gate.
    let run = Bin::new()
        .args(["quality-gate"])
        .arg_path(&ok)
        .arg_path(&repo_file("tests/fixtures/coverage/c8/lcov.info"))
        .run();
    run.expect_code(1);
    assert!(
        run.stdout.contains("75.29% lines (64/85)"),
        "{}",
        run.stdout
    );
    // go tool cover printed 80.9% (38/47 statements after merging -coverpkg duplicates): passes.
    let run = Bin::new()
        .args(["quality-gate"])
        .arg_path(&ok)
        .arg_path(&repo_file("tests/fixtures/coverage/go/cover-coverpkg.out"))
        .run();
    run.expect_code(0);
    assert!(
        run.stdout.contains("80.85% statements (38/47)"),
        "{}",
        run.stdout
    );
    // A smoke result's p95 is a performance input.
    let smoke = write(
        dir.path(),
        "smoke.json",
        r#"{"schema": "decoder-ops/smoke/v1", "command": "smoke", "verdict": "pass", "exit_code": 0, "stats": {"total": 3, "passed": 3, "failed": 0, "errors": 0, "p50_ms": 40.0, "p95_ms": 2600.5, "max_ms": 2600.5}, "checks": []}"#,
    );
    let run = Bin::new()
        .args(["quality-gate"])
        .arg_path(&ok)
        .arg_path(&smoke)
        .run();
    run.expect_code(0);
    assert!(
        run.stdout.contains("⚠️ performance") && run.stdout.contains("p95 2600.5 ms"),
        "{}",
        run.stdout
    );
}
