//! Report formats teams gate on (issue 19), end to end: each test is one "Why" item that the
//! binary got wrong before — a format misread or refused, a dialect refused, a SARIF edge case,
//! unmatched paths printed on one line. Fixtures come from the real tools (their READMEs say
//! which command and what the tool printed); the .NET ones are built from the published formats.

use std::path::{Path, PathBuf};

use crate::cli::{Bin, Run, read, repo_file};

fn fixture(rel: &str) -> PathBuf {
    repo_file(&format!("tests/fixtures/coverage/{rel}"))
}

fn check(report: &Path, dir: &Path) -> (Run, serde_json::Value) {
    let result = dir.join("r.json");
    let run = Bin::new()
        .current_dir(dir)
        .args(["coverage-check", "--no-comment", "--json"])
        .arg_path(&result)
        .arg_path(report)
        .run();
    let v = serde_json::from_str(&read(&result)).unwrap_or(serde_json::Value::Null);
    (run, v)
}

#[test]
fn clover_and_sonarqube_coverage_roots_are_not_taken_for_cobertura() {
    let dir = tempfile::tempdir().unwrap();
    let (run, v) = check(&fixture("phpunit/clover.xml"), dir.path());
    run.expect_code(0);
    assert_eq!(v["reports"][0]["format"], "clover", "{v:#}");
    // PHPUnit 9.6.7: `Lines: 68.00% (17/25)`.
    assert_eq!(v["native"]["percent"], "68.00", "{v:#}");
    assert!(
        run.stdout.contains("phpunit itself reports 68.00% (lines)"),
        "{}",
        run.stdout
    );

    let sonar = dir.path().join("sonar.xml");
    std::fs::write(
        &sonar,
        "<coverage version=\"1\">\n  <file path=\"src/a.c\">\n    <lineToCover lineNumber=\"2\" covered=\"true\"/>\n  </file>\n</coverage>\n",
    )
    .unwrap();
    let (run, _) = check(&sonar, dir.path());
    run.expect_code(2);
    assert!(
        run.stderr.contains(
            "SonarQube generic coverage is not supported; supported are: lcov, cobertura, jacoco"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn new_formats_read_with_each_tools_own_figures() {
    // (fixture, format, lines covered/total, the tool's printed lines percent if it prints one)
    let cases = [
        ("nyc/clover.xml", "clover", (21, 34), Some("61.76")),
        ("c8/clover.xml", "clover", (64, 85), Some("75.29")),
        (
            "nyc/coverage-final.json",
            "istanbul-json",
            (21, 34),
            Some("61.76"),
        ),
        (
            "c8/coverage-final.json",
            "istanbul-json",
            (64, 85),
            Some("75.29"),
        ),
        (
            "simplecov/resultset.json",
            "simplecov",
            (26, 31),
            Some("83.87"),
        ),
        ("gcovr/gcovr.json", "gcovr-json", (41, 53), Some("77.4")),
        ("dotnet/opencover.xml", "opencover", (14, 19), None),
    ];
    for (report, format, (covered, total), printed) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (run, v) = check(&fixture(report), dir.path());
        run.expect_code(0);
        assert_eq!(v["reports"][0]["format"], format, "{report}: {v:#}");
        assert_eq!(v["totals"]["lines"]["covered"], covered, "{report}");
        assert_eq!(v["totals"]["lines"]["total"], total, "{report}");
        assert_eq!(v["native"]["percent"].as_str(), printed, "{report}");
    }
}

#[test]
fn gcovr_jacoco_unreadable_cobertura_numbers_and_coverlet_branches() {
    let dir = tempfile::tempdir().unwrap();
    // gcovr's JaCoCo has no `mi`/`ci`: read from its counters, with a warning.
    let (run, v) = check(&fixture("gcovr/gcovr-jacoco.xml"), dir.path());
    run.expect_code(0);
    assert_eq!(
        v["totals"]["lines"],
        serde_json::json!({"covered": 41, "total": 53})
    );
    assert!(
        run.stdout.contains("warning: coverage report"),
        "{}",
        run.stdout
    );
    // MATLAB-style `NaN` in an optional root attribute: a warning naming file and line, and
    // the totals counted from the lines.
    let matlab = dir.path().join("matlab.xml");
    std::fs::write(
        &matlab,
        "<?xml version=\"1.0\"?>\n<coverage line-rate=\"NaN\" branch-rate=\"NaN\" lines-covered=\"1\" lines-valid=\"NaN\" version=\"9.14\">\n<packages><package name=\"p\"><classes><class name=\"f\" filename=\"f.m\"><lines>\n<line number=\"1\" hits=\"1\"/><line number=\"2\" hits=\"0\"/>\n</lines></class></classes></package></packages></coverage>\n",
    )
    .unwrap();
    let (run, v) = check(&matlab, dir.path());
    run.expect_code(0);
    assert_eq!(
        v["totals"]["lines"],
        serde_json::json!({"covered": 1, "total": 2})
    );
    let warning = format!(
        "warning: coverage report `{}`: line 2, column 1: `lines-valid` of `<coverage>` is `NaN`",
        matlab.display()
    );
    assert!(run.stdout.contains(&warning), "{}", run.stdout);
    assert_eq!(
        v["reports"][0]["warnings"].as_array().map(Vec::len),
        Some(1)
    );
    // coverlet's `branch="True"`: each file has its branches.
    let (run, v) = check(&fixture("dotnet/coverlet.cobertura.xml"), dir.path());
    run.expect_code(0);
    assert_eq!(
        v["files"]["Shop/Price.cs"]["branches"],
        serde_json::json!({"covered": 3, "total": 6}),
        "{v:#}"
    );
}

#[test]
fn lcov_files_joined_with_cat_are_read() {
    // cargo-llvm-cov writes no final newline: `cat` glues `end_of_record` to the next `TN:`.
    let dir = tempfile::tempdir().unwrap();
    let joined = dir.path().join("merged.info");
    let mut bytes = std::fs::read(fixture("cargo-llvm-cov/stable/lcov.info")).unwrap();
    bytes.extend(std::fs::read(fixture("lcov/lcov.info")).unwrap());
    std::fs::write(&joined, bytes).unwrap();
    let (run, v) = check(&joined, dir.path());
    run.expect_code(0);
    // lcov 1.16 on the same file: branches 22 of 36.
    assert_eq!(
        v["totals"]["branches"],
        serde_json::json!({"covered": 22, "total": 36})
    );
    assert_eq!(v["files"].as_object().map(|f| f.len()), Some(5), "{v:#}");
}

fn gate(log: &[u8], dir: &Path) -> (Run, serde_json::Value) {
    let input = dir.join("scan.sarif");
    std::fs::write(&input, log).unwrap();
    let result = dir.join("gate.json");
    let run = Bin::new()
        .current_dir(dir)
        .args(["quality-gate", "--json"])
        .arg_path(&result)
        .arg_path(&input)
        .run();
    let v = serde_json::from_str(&read(&result)).unwrap_or(serde_json::Value::Null);
    (run, v)
}

const RULES: &str = r#"{"driver": {"name": "demo", "rules": [{"id": "R1", "defaultConfiguration": {"level": "warning"}}]}}"#;

#[test]
fn sarif_bom_rule_index_minus_one_version_1_and_baselines() {
    let dir = tempfile::tempdir().unwrap();
    // A UTF-8 BOM (PowerShell's Out-File, .NET writers) and `ruleIndex: -1` (the spec default).
    let log = format!(
        "\u{feff}{{\"version\": \"2.1.0\", \"runs\": [{{\"tool\": {RULES}, \"results\": [{{\"ruleId\": \"R1\", \"ruleIndex\": -1, \"message\": {{\"text\": \"x\"}}}}]}}]}}"
    );
    let (run, v) = gate(log.as_bytes(), dir.path());
    assert_ne!(run.code, Some(2), "read, not refused: {run:?}");
    assert_eq!(v["inputs"][0]["summary"]["by_level"]["warning"], 1, "{v:#}");
    // SARIF 1.0: named, with how to convert it, before its shape is read.
    let v1 = br#"{"version": "1.0.0", "runs": [{"tool": {"name": "csc"}, "results": [{"ruleId": "CS0168", "message": "unused"}]}]}"#;
    let (run, _) = gate(v1, dir.path());
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("SARIF 1.0 is not supported, convert with the SARIF Multitool"),
        "{}",
        run.stderr
    );
    // A run compared with a baseline: a result without `baselineState` is not new, an
    // `absent` one is gone.
    let log = format!(
        r#"{{"version": "2.1.0", "runs": [{{"tool": {RULES}, "baselineGuid": "6f0b3c1e-0000-4000-8000-000000000000", "results": [
            {{"ruleId": "R1", "baselineState": "new", "message": {{"text": "a"}}}},
            {{"ruleId": "R1", "message": {{"text": "b"}}}},
            {{"ruleId": "R1", "baselineState": "absent", "message": {{"text": "c"}}}}]}}]}}"#
    );
    let (_, v) = gate(log.as_bytes(), dir.path());
    let summary = &v["inputs"][0]["summary"];
    assert_eq!(
        (summary["total"].as_u64(), summary["new"].as_u64()),
        (Some(2), Some(1)),
        "{v:#}"
    );
    assert_eq!(summary["absent"], 1);
}

fn git(repo: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unmatched_report_paths_are_summarised_with_the_likely_fix() {
    // 25 report paths built elsewhere (`/build/src/...`) for files at `app/src/...`: 3 are found
    // by their unique file names, which shows the rewrite that the 22 others need (their
    // suffixes `src/mN/mod.c` are also in lib/, so they are ambiguous).
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    git(r, &["init", "-q", "-b", "main"]);
    let mut lcov = String::new();
    for i in 0..25 {
        for root in ["app", "lib"] {
            let path = r.join(format!("{root}/src/m{i}/mod.c"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "int x;\n").unwrap();
        }
        let name = if i < 3 {
            format!("u{i}.c")
        } else {
            "mod.c".into()
        };
        if i < 3 {
            std::fs::write(r.join(format!("app/src/m{i}/{name}")), "int y;\n").unwrap();
        }
        lcov.push_str(&format!(
            "SF:/build/src/m{i}/{name}\nDA:1,1\nend_of_record\n"
        ));
    }
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "base"]);
    std::fs::write(r.join("lcov.info"), lcov).unwrap();
    let (run, v) = check(&r.join("lcov.info"), r);
    run.expect_code(0);
    let listed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("  /build/"))
        .collect();
    assert_eq!(listed.len(), 10, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("22 report path(s) not found in the repository"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("  … and 12 more"), "{}", run.stdout);
    assert!(
        run.stdout.contains("likely fix: --path-fix '/build/=app/'"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.lines().all(|l| l.len() < 200),
        "no giant line: {}",
        run.stdout
    );
    assert_eq!(
        v["unmatched_report_paths"].as_array().map(Vec::len),
        Some(22)
    );
    assert_eq!(v["path_fix_suggestion"], "/build/=app/");
    // With the fix, every path is found.
    let run = Bin::new()
        .current_dir(r)
        .args([
            "coverage-check",
            "--no-comment",
            "lcov.info",
            "--path-fix",
            "/build/=app/",
        ])
        .run();
    run.expect_code(0);
    assert!(!run.stdout.contains("not found"), "{}", run.stdout);
}

#[test]
fn nunit_xunit_and_trx_results_are_gated_like_junit() {
    // Built from the published formats (tests/fixtures/junit/dotnet/README.md): 6 tests, 4
    // passed, 1 failed, 1 skipped — the failure blocks the gate in every format.
    for (name, format) in [
        ("nunit3.xml", "nunit"),
        ("xunit2.xml", "xunit"),
        ("results.trx", "trx"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let result = dir.path().join("gate.json");
        let run = Bin::new()
            .args(["quality-gate", "--json"])
            .arg_path(&result)
            .arg_path(&repo_file(&format!("tests/fixtures/junit/dotnet/{name}")))
            .run();
        run.expect_code(1);
        let v: serde_json::Value = serde_json::from_str(&read(&result)).unwrap();
        let input = &v["inputs"][0];
        assert_eq!(input["format"], format, "{v:#}");
        let s = &input["summary"];
        assert_eq!(
            (
                s["tests"].as_u64(),
                s["passed"].as_u64(),
                s["failed"].as_u64(),
                s["skipped"].as_u64()
            ),
            (Some(6), Some(4), Some(1), Some(1)),
            "{name}: {v:#}"
        );
        assert!(
            run.stdout.contains("Export_WritesCsv"),
            "{name}: {}",
            run.stdout
        );
    }
}

#[test]
fn report_paths_resolve_in_linear_time_in_a_large_checkout() {
    // 20,000 tracked files and 20,000 report paths that match none of them but share their
    // suffixes (`src/mod.c` is everywhere): each path must cost a pass over itself, not a scan
    // of the checkout (which took seconds for 58 MB of lcov, minutes in a debug build).
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    git(r, &["init", "-q", "-b", "main"]);
    let empty_blob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
    let index: String = (0..20_000)
        .map(|i| format!("100644 {empty_blob}\tpkg{}/m{i}/src/mod.c\n", i % 7))
        .collect();
    let mut child = std::process::Command::new("git")
        .arg("-C")
        .arg(r)
        .args(["update-index", "--add", "--index-info"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(index.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let lcov: String = (0..20_000)
        .map(|i| format!("SF:/elsewhere/n{i}/src/mod.c\nDA:1,1\nend_of_record\n"))
        .collect();
    std::fs::write(r.join("lcov.info"), lcov).unwrap();
    let started = std::time::Instant::now();
    let (run, v) = check(&r.join("lcov.info"), r);
    let took = started.elapsed();
    run.expect_code(0);
    assert_eq!(
        v["unmatched_report_paths"].as_array().map(Vec::len),
        Some(20_000)
    );
    assert!(run.stdout.contains("… and 19990 more"), "{}", run.stdout);
    assert!(took.as_secs() < 20, "took {took:?}");
}
