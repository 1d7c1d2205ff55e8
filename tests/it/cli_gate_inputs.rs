//! Report inputs as patterns, and what is configured: `quality-gate` on real runner output
//! (tests/fixtures/junit/, tests/fixtures/coverage/) placed where a pipeline's steps write it.

use std::path::{Path, PathBuf};

use crate::cli::{Bin, read, repo_file};

fn fixture(rel: &str) -> PathBuf {
    repo_file(&format!("tests/fixtures/{rel}"))
}

fn place(dir: &Path, rel: &str, from: &str) {
    let to = dir.join(rel);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(fixture(from), to).unwrap();
}

fn gate_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let result = dir.join("gate.json");
    let run = Bin::new()
        .current_dir(dir)
        .args(["quality-gate", "--json"])
        .arg_path(&result)
        .args(args.iter().copied())
        .run();
    let v = serde_json::from_str(&read(&result)).unwrap();
    (run.code.unwrap_or(-1), v, run.stdout)
}

fn gate<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("no gate {id}: {v}"))
}

#[test]
fn a_glob_reads_every_matching_report_once_and_sums_their_tests() {
    // Two passing suites written by two runners into one directory, as Surefire does.
    let dir = tempfile::tempdir().unwrap();
    place(
        dir.path(),
        "target/surefire-reports/TEST-a.xml",
        "junit/jest/junit.xml",
    );
    place(
        dir.path(),
        "target/surefire-reports/TEST-b.xml",
        "junit/node-test/junit.xml",
    );
    let (_, a, _) = gate_json(dir.path(), &["target/surefire-reports/TEST-a.xml"]);
    let (_, b, _) = gate_json(dir.path(), &["target/surefire-reports/TEST-b.xml"]);
    // Before: exit 2, "input `target/surefire-reports/*.xml`: cannot read it".
    let (code, both, stdout) = gate_json(
        dir.path(),
        &[
            "target/surefire-reports/*.xml",
            "target/surefire-reports/TEST-a.xml",
        ],
    );
    let tests = |v: &serde_json::Value| -> u64 {
        v["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["summary"]["tests"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(both["inputs"].as_array().unwrap().len(), 2, "{stdout}");
    assert_eq!(tests(&both), tests(&a) + tests(&b));
    assert_eq!(code, both["exit_code"].as_i64().unwrap() as i32);
    assert_eq!(
        gate(&both, "tests")["outcome"],
        gate(&a, "tests")["outcome"]
    );
}

#[test]
fn a_pattern_matching_nothing_fails_naming_it_and_the_step() {
    let dir = tempfile::tempdir().unwrap();
    place(dir.path(), "coverage/lcov.info", "coverage/c8/lcov.info");
    let out = tempfile::tempdir().unwrap();
    // Before: exit 2, "input `target/surefire-reports/*.xml`: cannot read it: No such file".
    let run = Bin::new()
        .current_dir(dir.path())
        .in_actions(out.path())
        .args([
            "quality-gate",
            "coverage/lcov.info",
            "target/surefire-reports/*.xml",
        ])
        .run();
    run.expect_code(1);
    let line = "no file matches target/surefire-reports/*.xml — did the test step run?";
    assert!(run.stdout.contains(line), "{}", run.stdout);
    let summary = read(&out.path().join("summary"));
    assert!(summary.contains(line), "{summary}");
    assert!(summary.contains("| inputs |"), "{summary}");
}

#[test]
fn unconfigured_default_gates_neither_fail_nor_block() {
    // Coverage only, no JUnit: before, the always-required tests gate made this exit 4.
    let dir = tempfile::tempdir().unwrap();
    place(dir.path(), "coverage/lcov.info", "coverage/lcov/lcov.info");
    let (code, v, stdout) = gate_json(dir.path(), &["coverage/lcov.info"]);
    for id in ["tests", "vulnerabilities", "performance", "code-quality"] {
        assert_eq!(gate(&v, id)["outcome"], "not-configured", "{id}: {stdout}");
    }
    assert!(
        stdout.contains("not configured: no k6 summary or `smoke --json` result was given"),
        "{stdout}"
    );
    let coverage = gate(&v, "coverage")["outcome"].as_str().unwrap().to_owned();
    assert_ne!(coverage, "not-configured");
    assert_eq!(code, if coverage == "pass" { 0 } else { 1 }, "{stdout}");
    assert_eq!(v["score"], if coverage == "pass" { 100 } else { 0 });
}

#[test]
fn a_configured_gate_without_its_input_fails() {
    let dir = tempfile::tempdir().unwrap();
    place(dir.path(), "reports/junit.xml", "junit/jest/junit.xml");
    let cfg = dir.path().join("cfg.yml");
    std::fs::write(
        &cfg,
        "quality-gate:\n  gates:\n    tests: {kind: tests}\n    load: {kind: performance, max-p95-ms: 500}\n",
    )
    .unwrap();
    let result = dir.path().join("gate.json");
    // Before: exit 4, "no k6 summary was given" (inconclusive).
    let run = Bin::new()
        .current_dir(dir.path())
        .args(["--config"])
        .arg_path(&cfg)
        .args(["quality-gate", "reports/junit.xml", "--json"])
        .arg_path(&result)
        .run();
    let v: serde_json::Value = serde_json::from_str(&read(&result)).unwrap();
    assert_eq!(gate(&v, "load")["outcome"], "fail", "{}", run.stdout);
    assert!(
        gate(&v, "load")["reason"]
            .as_str()
            .unwrap()
            .starts_with("configured, but no k6 summary"),
        "{v}"
    );
    run.expect_code(1);
}

/// The report patterns `init` writes into test.yml for a language.
fn init_patterns(language: &str) -> (String, String) {
    let repo = tempfile::tempdir().unwrap();
    Bin::new()
        .args([
            "init",
            "--template",
            "test",
            "--language",
            language,
            "--dir",
        ])
        .arg_path(repo.path())
        .run()
        .expect_code(0);
    let test: serde_json::Value =
        serde_norway::from_str(&read(&repo.path().join(".github/workflows/test.yml"))).unwrap();
    let env = &test["jobs"]["test"]["env"];
    (
        env["COVERAGE_REPORT"].as_str().unwrap().to_owned(),
        env["JUNIT_REPORT"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn maven_and_gradle_patterns_from_init_find_every_module_report() {
    // Maven Central is unreachable here, so the builds do not run: their reports are placed where
    // Surefire/Gradle and JaCoCo write them in a two-module build (a real JaCoCo report, JUnit
    // XML from real runners), and the gates read them through the patterns init wrote.
    for (language, junit_dir, jacoco) in [
        (
            "maven",
            "target/surefire-reports",
            "target/site/jacoco/jacoco.xml",
        ),
        (
            "gradle",
            "build/test-results/test",
            "build/reports/jacoco/test/jacocoTestReport.xml",
        ),
    ] {
        let (coverage, junit) = init_patterns(language);
        let dir = tempfile::tempdir().unwrap();
        for module in ["api", "core"] {
            place(
                dir.path(),
                &format!("{module}/{jacoco}"),
                "coverage/jacoco/jacoco.xml",
            );
            place(
                dir.path(),
                &format!("{module}/{junit_dir}/TEST-shop.xml"),
                "junit/jest/junit.xml",
            );
        }
        let (_, one, _) = gate_json(dir.path(), &[&format!("api/{junit_dir}/TEST-shop.xml")]);
        let (code, v, stdout) = gate_json(dir.path(), &[&coverage, &junit]);
        assert_eq!(
            v["inputs"].as_array().unwrap().len(),
            4,
            "{language}: {stdout}"
        );
        let tests = |v: &serde_json::Value| gate(v, "tests")["actual"].as_str().unwrap().to_owned();
        assert_ne!(
            tests(&v),
            tests(&one),
            "{language}: two modules' tests are summed"
        );
        assert_ne!(gate(&v, "coverage")["outcome"], "not-configured");
        assert_eq!(code, v["exit_code"].as_i64().unwrap() as i32);
        // Before the build ran: both patterns fail by name, nothing passes.
        let empty = tempfile::tempdir().unwrap();
        let (code, v, stdout) = gate_json(empty.path(), &[&coverage, &junit]);
        assert_eq!(code, 1, "{stdout}");
        let reason = gate(&v, "inputs")["reason"].as_str().unwrap().to_owned();
        assert!(
            reason.contains(&format!("no file matches {junit} — did the test step run?")),
            "{reason}"
        );
        assert!(
            reason.contains(&format!("no file matches {coverage}")),
            "{reason}"
        );
    }
}

#[test]
fn a_replay_looks_for_the_missing_pattern_again_and_re_derives_the_same_decision() {
    let dir = tempfile::tempdir().unwrap();
    place(dir.path(), "reports/junit.xml", "junit/jest/junit.xml");
    let (code, v, _) = gate_json(dir.path(), &["reports/junit.xml", "coverage/*.info"]);
    assert_eq!(code, 1);
    assert_eq!(v["missing_inputs"][0], "coverage/*.info");
    let run = Bin::new()
        .current_dir(dir.path())
        .args(["quality-gate", "--replay", "gate.json"])
        .run();
    run.expect_code(1);
    assert!(
        run.stdout.contains("replay: the same decision (fail)"),
        "{}",
        run.stdout
    );
}
