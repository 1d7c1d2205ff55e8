//! Fail closed, end to end: every input that says "this failed" (or cannot say anything) must
//! keep `quality-gate` and `coverage-check` from passing, and hostile inputs are refused fast.
//! Each test is named after the false pass it guards against (issue 20).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cli::{Bin, read, repo_file};

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn fixture(rel: &str) -> PathBuf {
    repo_file(&format!("tests/fixtures/{rel}"))
}

const PASSING: &str = r#"<testsuites><testsuite name="api"><testcase classname="api" name="a"/>
<testcase classname="api" name="b"/></testsuite></testsuites>"#;

#[test]
fn a_report_whose_tests_are_all_disabled_is_inconclusive_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let report = write(
        dir.path(),
        "disabled.xml",
        r#"<testsuites><testsuite name="ctest">
<testcase name="slow" classname="slow" status="disabled" time="0"/>
<testcase name="DISABLED_Net" classname="Net" status="notrun" result="suppressed"/>
</testsuite></testsuites>"#,
    );
    let run = Bin::new().args(["quality-gate"]).arg_path(&report).run();
    run.expect_code(4);
    assert!(
        run.stdout
            .contains("0 passed, 0 failed, 0 errors, 2 skipped of 2"),
        "{}",
        run.stdout
    );
}

#[test]
fn k6_crossed_thresholds_fail_the_gate() {
    // k6 exited 99 ("thresholds on metrics 'http_req_duration{name:slow}, http_req_failed'
    // have been crossed"), tests/fixtures/perf/k6/README.md.
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    for file in ["perf/k6/summary.json", "perf/k6/summary-export.json"] {
        let run = Bin::new()
            .args(["quality-gate"])
            .arg_path(&ok)
            .arg_path(&fixture(file))
            .run();
        run.expect_code(1);
        assert!(
            run.stdout.contains("2 of 4 k6 thresholds crossed"),
            "{file}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("http_req_duration{name:slow}"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn trivy_secrets_and_misconfigurations_are_gated() {
    // Trivy printed 2 CRITICAL secrets and 24 misconfigurations (LOW 12, MEDIUM 7, HIGH 5).
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    let result = dir.path().join("r.json");
    let run = Bin::new()
        .args(["quality-gate", "--json"])
        .arg_path(&result)
        .arg_path(&ok)
        .arg_path(&fixture("audit/trivy/trivy-fs-misconfig-secret.json"))
        .run();
    run.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&read(&result)).unwrap();
    let gate = v["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "vulnerabilities")
        .cloned()
        .unwrap_or_default();
    assert_eq!(gate["outcome"], "fail", "{v}");
    assert_eq!(
        gate["actual"], "2 critical, 5 high, 7 medium, 12 low",
        "{gate}"
    );
}

#[test]
fn a_failed_smoke_report_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    let smoke = write(
        dir.path(),
        "smoke.json",
        r#"{"schema": "decoder-ops/smoke/v1", "command": "smoke", "verdict": "fail", "exit_code": 1, "stats": {"total": 3, "passed": 2, "failed": 1, "errors": 0, "p50_ms": 40.0, "p95_ms": 60.5, "max_ms": 60.5}, "checks": []}"#,
    );
    let run = Bin::new()
        .args(["quality-gate"])
        .arg_path(&ok)
        .arg_path(&smoke)
        .run();
    run.expect_code(1);
    assert!(
        run.stdout.contains("1 of 3 smoke checks did not pass"),
        "{}",
        run.stdout
    );
}

#[test]
fn flaky_tests_are_named_in_the_terminal_and_the_job_summary() {
    // nextest: "6 tests run: 5 passed (1 flaky), 1 failed, 1 skipped".
    let dir = tempfile::tempdir().unwrap();
    let run = Bin::new()
        .in_actions(dir.path())
        .args(["quality-gate", "--no-comment"])
        .arg_path(&fixture("junit/nextest/junit.xml"))
        .run();
    run.expect_code(1);
    assert!(
        run.stdout
            .contains("flaky: 1 test passed only after failing"),
        "{}",
        run.stdout
    );
    let summary = read(&dir.path().join("summary"));
    assert!(summary.contains("Flaky tests (1)"), "{summary}");
}

#[test]
fn quality_gate_reads_stdin_and_a_fifo_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = Bin::new()
        .current_dir(dir.path())
        .args(["quality-gate", "-"])
        .stdin(PASSING)
        .run();
    run.expect_code(0);
    assert!(run.stdout.contains("2 passed"), "{}", run.stdout);

    let fifo = dir.path().join("junit.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(&fifo, PASSING).unwrap())
    };
    let run = Bin::new()
        .current_dir(dir.path())
        .args(["quality-gate"])
        .arg_path(&fifo)
        .run();
    writer.join().unwrap();
    run.expect_code(0);
    assert!(run.stdout.contains("2 passed"), "{}", run.stdout);
}

#[test]
fn replay_uses_the_config_it_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.xml", PASSING);
    let cfg = write(
        dir.path(),
        "policy.yml",
        "quality-gate:\n  gates:\n    tests: {kind: tests, min-tests: 2}\n",
    );
    let recorded = dir.path().join("decision.json");
    Bin::new()
        .current_dir(dir.path())
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate", "--json"])
        .arg_path(&recorded)
        .arg_path(&ok)
        .run()
        .expect_code(0);
    let replay = Bin::new()
        .current_dir(dir.path())
        .args(["quality-gate", "--replay"])
        .arg_path(&recorded)
        .run();
    replay.expect_code(0);
    assert!(
        replay.stdout.contains("the same decision (pass)"),
        "{}\n{}",
        replay.stdout,
        replay.stderr
    );
}

/// `depth` nested elements, written without building the whole text twice.
fn deep_xml(depth: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(depth * 25);
    v.extend_from_slice(b"<testsuites>");
    for _ in 0..depth {
        v.extend_from_slice(b"<testsuite name=\"s\">");
    }
    for _ in 0..depth {
        v.extend_from_slice(b"</testsuite>");
    }
    v.extend_from_slice(b"</testsuites>");
    v
}

#[test]
fn a_million_deep_junit_report_is_refused_in_under_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let deep = write(dir.path(), "deep.xml", deep_xml(1_000_000));
    let started = Instant::now();
    let run = Bin::new().args(["quality-gate"]).arg_path(&deep).run();
    let took = started.elapsed();
    run.expect_code(2);
    assert!(
        run.stderr.contains("deep.xml") && run.stderr.contains("line 1"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nested deeper than"), "{}", run.stderr);
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[test]
fn a_million_deep_yaml_config_is_refused_in_under_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"quality-gate:\n  inputs: ".to_vec();
    text.extend(std::iter::repeat_n(b'[', 1_000_000));
    text.extend(std::iter::repeat_n(b']', 1_000_000));
    text.push(b'\n');
    let cfg = write(dir.path(), "deep.yml", &text);
    let started = Instant::now();
    let run = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["config", "check"])
        .run();
    let took = started.elapsed();
    run.expect_code(2);
    assert!(
        run.stderr.contains("deep.yml") && run.stderr.contains("line 2"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nested deeper than"), "{}", run.stderr);
    assert!(took < Duration::from_secs(1), "{took:?}");
}

#[test]
fn a_duplicate_key_in_the_config_is_an_error_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(
        dir.path(),
        "dup.yml",
        "quality-gate:\n  gates:\n    tests: {kind: tests}\n    vulns: {kind: vulnerabilities}\n    tests: {kind: tests, min-pass-rate: 0}\n",
    );
    let run = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["config", "check"])
        .run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("config `") && run.stderr.contains("dup.yml`: line 5"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("duplicate key `tests`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_config_error_never_echoes_a_huge_value_whole() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "x".repeat(1 << 20);
    let cfg = write(
        dir.path(),
        "huge.yml",
        format!("quality-gate:\n  gates:\n    t: {{kind: tests, min-tests: \"{huge}\"}}\n"),
    );
    let run = Bin::new()
        .args(["--config"])
        .arg_path(&cfg)
        .args(["config", "check"])
        .run();
    run.expect_code(2);
    assert!(run.stderr.contains("huge.yml"), "{}", &run.stderr[..300]);
    assert!(run.stderr.len() < 1000, "{} bytes", run.stderr.len());
    assert!(run.stderr.contains("byte "), "{}", run.stderr);
}

#[test]
fn min_file_judges_the_chosen_metric() {
    // Every line of a.c ran, but only 1 of its 4 branches: 25% branches.
    let dir = tempfile::tempdir().unwrap();
    let lcov = write(
        dir.path(),
        "lcov.info",
        "SF:a.c\nDA:1,1\nDA:2,1\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nBRDA:2,1,0,0\nBRDA:2,1,1,0\nLF:2\nLH:2\nBRF:4\nBRH:1\nend_of_record\n",
    );
    let run = Bin::new()
        .current_dir(dir.path())
        .args(["coverage-check", "--no-comment", "--metric", "branches"])
        .args(["--min-file", "80"])
        .arg_path(&lcov)
        .run();
    run.expect_code(1);
    assert!(run.stdout.contains("file a.c"), "{}", run.stdout);
}

#[test]
fn merging_a_report_with_itself_does_not_change_the_verdict() {
    // cargo-llvm-cov's lcov.info: LF/LH say 74 of 89 lines, its DA records 73 of 88.
    let lcov = fixture("coverage/cargo-llvm-cov/stable/lcov.info");
    let dir = tempfile::tempdir().unwrap();
    let once = Bin::new()
        .current_dir(dir.path())
        .args(["coverage-check", "--no-comment", "--min", "83"])
        .arg_path(&lcov)
        .run();
    let twice = Bin::new()
        .current_dir(dir.path())
        .args(["coverage-check", "--no-comment", "--min", "83"])
        .arg_path(&lcov)
        .arg_path(&lcov)
        .run();
    assert_eq!(
        once.code, twice.code,
        "once:\n{}\ntwice:\n{}",
        once.stdout, twice.stdout
    );
}

#[test]
fn a_go_profile_whose_statement_counts_overflow_is_refused_not_full() {
    let dir = tempfile::tempdir().unwrap();
    let profile = write(
        dir.path(),
        "cover.out",
        "mode: set\nexample.com/m/a.go:1.1,2.2 18446744073709551615 1\nexample.com/m/a.go:3.1,4.2 1 0\n",
    );
    let run = Bin::new()
        .current_dir(dir.path())
        .args(["coverage-check", "--no-comment", "--min", "100"])
        .arg_path(&profile)
        .run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("cover.out") && run.stderr.contains("line 3"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn wait_until_ready_waits_its_whole_deadline() {
    use crate::support::faults::{Behavior, FaultServer};
    use crate::support::nginx::free_port;
    use decoder_ops::probe::CheckStatus;
    // Polls at 0 s and 2 s find nothing; the server is up at 2.5 s, before the 3 s deadline:
    // one more poll at the deadline must find it.
    let port = free_port();
    let server = FaultServer::start_later(port, Duration::from_millis(2500), |_, _| {
        Behavior::status(200, "ok")
    });
    let report = crate::support::probe::run_checks(&format!(
        "checks:\n  - name: late\n    url: http://127.0.0.1:{port}/health\n    \
         wait-until-ready: {{deadline: 3s, interval: 2s}}\n"
    ))
    .await;
    let c = &report.checks[0];
    assert_eq!(c.status, CheckStatus::Passed, "{c:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flaky_tests_are_listed_in_the_pr_comment() {
    use crate::support::github::{GitHub, REPOSITORY, TOKEN};
    let github = GitHub::start().await;
    let pr = github.seed_pull_request("Retry the flaky client", "body");
    let dir = tempfile::tempdir().unwrap();
    let mut ev: serde_json::Value =
        serde_json::from_str(&read(&fixture("github/events/pull_request_same_repo.json"))).unwrap();
    ev["number"] = pr.into();
    ev["pull_request"]["number"] = pr.into();
    ev["pull_request"]["base"]["repo"]["full_name"] = REPOSITORY.into();
    ev["pull_request"]["head"]["repo"]["full_name"] = REPOSITORY.into();
    ev["pull_request"]["head"]["repo"]["id"] = ev["pull_request"]["base"]["repo"]["id"].clone();
    ev["repository"]["full_name"] = REPOSITORY.into();
    let event = write(dir.path(), "event.json", ev.to_string());
    let d = dir.path().to_owned();
    let base = github.base_url().to_owned();
    let run = tokio::task::spawn_blocking(move || {
        Bin::new()
            .in_actions(&d)
            .env("GITHUB_REPOSITORY", REPOSITORY)
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_API_URL", &base)
            .env("GITHUB_TOKEN", TOKEN)
            .args(["quality-gate"])
            .arg_path(&fixture("junit/nextest/junit.xml"))
            .run()
    })
    .await
    .unwrap();
    run.expect_code(1);
    let comments = github.comments(pr);
    assert_eq!(comments.len(), 1, "{}", run.stdout);
    assert!(
        comments[0].body.contains("Flaky tests (1)"),
        "{}",
        comments[0].body
    );
}
