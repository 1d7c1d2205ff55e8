//! `decoder-ops coverage-check` end to end: real-tool reports (tests/fixtures/coverage/, each
//! README gives what the tool printed), patch coverage on real git repositories, gates.

use std::path::Path;
use std::process::Command;

use crate::cli::{Bin, read, repo_file};

fn fixture(rel: &str) -> std::path::PathBuf {
    repo_file(&format!("tests/fixtures/coverage/{rel}"))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{e}: {}", read(path)))
}

#[test]
fn native_headlines_equal_what_each_tool_printed() {
    // (report, the tool's own percent as printed in the fixture README)
    let cases = [
        ("coveragepy/branch/coverage.json", "66"), // coverage report: TOTAL 60 20 28 6 66%
        ("go/cover-coverpkg.out", "80.9"),         // go tool cover -func: total 80.9%
        ("jacoco/jacoco.xml", "72"),               // JaCoCo HTML: instructions 72%
    ];
    for (report, printed) in cases {
        let dir = tempfile::tempdir().unwrap();
        let result = dir.path().join("r.json");
        Bin::new()
            .args(["coverage-check", "--json"])
            .arg_path(&result)
            .arg_path(&fixture(report))
            .run()
            .expect_code(0);
        let v = json(&result);
        assert_eq!(v["native"]["percent"], printed, "{report}: {v:#}");
        assert_eq!(v["schema"], "decoder-ops/coverage-check/v1");
    }
}

#[test]
fn thresholds_use_exact_integer_comparison_and_go_defaults_to_statements() {
    // Go -coverpkg: 38 of 47 statements after merging duplicate blocks (80.85%).
    let run = Bin::new()
        .args(["coverage-check", "--min", "80.85"])
        .arg_path(&fixture("go/cover-coverpkg.out"))
        .run();
    run.expect_code(0);
    assert!(
        run.stdout.contains("coverage (statements): 80.85%"),
        "{}",
        run.stdout
    );
    Bin::new()
        .args(["coverage-check", "--min", "80.86"])
        .arg_path(&fixture("go/cover-coverpkg.out"))
        .run()
        .expect_code(1);
}

#[test]
fn per_file_minimum_names_the_files_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    let run = Bin::new()
        .args(["coverage-check", "--min-file", "50", "--json"])
        .arg_path(&result)
        .arg_path(&fixture("coveragepy/branch/coverage.json"))
        .run();
    run.expect_code(1);
    let v = json(&result);
    let failing: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "fail")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert!(failing[0].ends_with("pyshop/cli.py"), "{failing:?}");
}

#[test]
fn zero_measured_lines_is_inconclusive_not_100_percent() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.info");
    std::fs::write(&empty, "TN:\nSF:src/a.rs\nend_of_record\n").unwrap();
    let run = Bin::new()
        .args(["coverage-check", "--min", "80"])
        .arg_path(&empty)
        .run();
    run.expect_code(4);
    assert!(run.stdout.contains("nothing to judge"), "{}", run.stdout);
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with `src/calc.py` on main and a feature branch that adds lines 4–6.
fn repo_with_change() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    git(r, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(r.join("src")).unwrap();
    std::fs::write(
        r.join("src/calc.py"),
        "def add(a, b):\n    return a + b\n\n",
    )
    .unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "base"]);
    git(r, &["checkout", "-qb", "feature"]);
    std::fs::write(
        r.join("src/calc.py"),
        "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    if a < b:\n        return 0\n",
    )
    .unwrap();
    git(r, &["commit", "-qam", "sub"]);
    dir
}

#[test]
fn patch_coverage_from_the_merge_base_with_annotations_on_uncovered_lines() {
    let dir = repo_with_change();
    let r = dir.path();
    // The report names the file by its absolute CI path; it resolves to src/calc.py.
    let abs = r.join("src/calc.py");
    std::fs::write(
        r.join("lcov.info"),
        format!(
            "SF:{}\nDA:1,1\nDA:2,1\nDA:4,1\nDA:5,1\nDA:6,0\nLF:5\nLH:4\nend_of_record\n",
            abs.display()
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = out.path().join("r.json");
    let run = Bin::new()
        .current_dir(r)
        .in_actions(out.path())
        .env("GITHUB_WORKSPACE", r)
        .args([
            "coverage-check",
            "lcov.info",
            "--base",
            "main",
            "--min-patch",
            "70",
            "--json",
        ])
        .arg_path(&result)
        .run();
    run.expect_code(1);
    let v = json(&result);
    assert_eq!(
        (
            v["patch"]["covered"].as_u64(),
            v["patch"]["measured"].as_u64()
        ),
        (Some(2), Some(3)),
        "{v:#}"
    );
    assert_eq!(v["patch"]["percent"], "66.66");
    assert!(
        run.stdout
            .contains("::warning file=src/calc.py,line=6,endLine=6,title=uncovered change::"),
        "{}",
        run.stdout
    );
    assert!(read(&out.path().join("summary")).contains("| `src/calc.py` | 6 |"));
    assert!(read(&out.path().join("output")).contains("patch-coverage<<"));
}

#[test]
fn changed_sources_the_report_does_not_measure_are_inconclusive() {
    // diff-cover's silent pass: the report's paths match nothing in the change.
    let dir = repo_with_change();
    let r = dir.path();
    std::fs::write(
        r.join("lcov.info"),
        "SF:/elsewhere/other.py\nDA:1,1\nLF:1\nLH:1\nend_of_record\n",
    )
    .unwrap();
    let run = Bin::new()
        .current_dir(r)
        .args([
            "coverage-check",
            "lcov.info",
            "--base",
            "main",
            "--min-patch",
            "80",
        ])
        .run();
    run.expect_code(4);
    assert!(
        run.stdout
            .contains("changed source files have no measured lines")
            && run.stdout.contains("src/calc.py"),
        "{}",
        run.stdout
    );
    Bin::new()
        .current_dir(r)
        .args([
            "coverage-check",
            "lcov.info",
            "--base",
            "main",
            "--allow-unmeasured",
            "--min",
            "50",
        ])
        .run()
        .expect_code(0);
}

#[test]
fn a_base_missing_from_a_shallow_clone_is_explained() {
    let dir = repo_with_change();
    std::fs::write(
        dir.path().join("lcov.info"),
        "SF:src/calc.py\nDA:1,1\nend_of_record\n",
    )
    .unwrap();
    // Before: exit 2 ("the base `origin/main` is not in this clone"), failing the whole job on
    // a clone that simply lacks the base. Now the patch is skipped with the reason and the
    // verdict rests on the total.
    let run = Bin::new()
        .current_dir(dir.path())
        .args([
            "coverage-check",
            "lcov.info",
            "--base",
            "origin/main",
            "--min-patch",
            "80",
        ])
        .args(["--min", "80"])
        .run();
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "patch coverage skipped: no base (the base `origin/main` is not in this clone (actions/checkout with `fetch-depth: 0` fetches it); the default branch `main` could not be fetched)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn first_push_with_a_zero_before_sha_passes_on_the_total_with_the_reason() {
    // A repository pushed for the first time: `before` is 40 zeros and there is nothing to
    // compare with. Before: exit 2 (the zeros are "not in this clone").
    let dir = repo_with_change();
    git(dir.path(), &["checkout", "-q", "main"]);
    std::fs::write(
        dir.path().join("lcov.info"),
        "SF:src/calc.py\nDA:1,1\nDA:2,1\nend_of_record\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = out.path().join("r.json");
    let zeros = "0".repeat(40);
    let run = Bin::new()
        .current_dir(dir.path())
        .in_actions(out.path())
        .args([
            "coverage-check",
            "lcov.info",
            "--min",
            "80",
            "--min-patch",
            "80",
        ])
        .args(["--base", &zeros, "--json"])
        .arg_path(&result)
        .run();
    run.expect_code(0);
    let summary = read(&out.path().join("summary"));
    assert!(
        summary.contains("**Patch coverage skipped: no base** — the push created the branch (its `before` commit is all zeros)"),
        "{summary}"
    );
    let r: serde_json::Value = serde_json::from_str(&read(&result)).unwrap();
    assert_eq!(r["verdict"], "pass");
    assert!(
        r["patch_skipped"].as_str().unwrap().contains("all zeros"),
        "{r}"
    );
    // Below the total threshold it still fails on the total.
    std::fs::write(
        dir.path().join("low.info"),
        "SF:src/calc.py\nDA:1,1\nDA:2,0\nend_of_record\n",
    )
    .unwrap();
    let low = Bin::new()
        .current_dir(dir.path())
        .args([
            "coverage-check",
            "low.info",
            "--min",
            "80",
            "--min-patch",
            "80",
        ])
        .args(["--base", &zeros])
        .run();
    low.expect_code(1);
    assert!(
        low.stdout.contains("patch coverage skipped: no base"),
        "{}",
        low.stdout
    );
}

#[test]
fn report_globs_merge_and_a_glob_matching_nothing_fails_by_name() {
    // Two real reports (c8 and cargo-llvm-cov fixtures) under one glob: merged, as if named.
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("coverage");
    std::fs::create_dir_all(&reports).unwrap();
    std::fs::copy(fixture("c8/lcov.info"), reports.join("a.lcov.info")).unwrap();
    std::fs::copy(fixture("lcov/lcov.info"), reports.join("b.lcov.info")).unwrap();
    let by_name = Bin::new()
        .current_dir(dir.path())
        .args([
            "coverage-check",
            "coverage/a.lcov.info",
            "coverage/b.lcov.info",
        ])
        .run();
    by_name.expect_code(0);
    let by_glob = Bin::new()
        .current_dir(dir.path())
        .args(["coverage-check", "coverage/*.lcov.info"])
        .run();
    by_glob.expect_code(0);
    assert!(
        by_glob.stdout.contains("(merged from 2 reports)"),
        "{}",
        by_glob.stdout
    );
    assert_eq!(by_glob.stdout, by_name.stdout);
    // Before: exit 2, "cannot read `target/site/jacoco/*.xml`" — an unexplained usage error.
    let out = tempfile::tempdir().unwrap();
    let run = Bin::new()
        .current_dir(dir.path())
        .in_actions(out.path())
        .args(["coverage-check", "target/site/jacoco/*.xml", "--min", "80"])
        .run();
    run.expect_code(1);
    assert!(
        run.stdout
            .contains("no file matches target/site/jacoco/*.xml — did the test step run?"),
        "{}",
        run.stdout
    );
    assert!(read(&out.path().join("summary")).contains("no file matches target/site/jacoco/*.xml"));
    // One pattern matches, one does not: still a failure, with the figures of the one found.
    let run = Bin::new()
        .current_dir(dir.path())
        .args([
            "coverage-check",
            "coverage/a.lcov.info",
            "reports/none.info",
        ])
        .run();
    run.expect_code(1);
    assert!(
        run.stdout.contains("❌ report reports/none.info"),
        "{}",
        run.stdout
    );
}

#[test]
fn baseline_drop_is_measured_in_points() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.json");
    Bin::new()
        .args(["coverage-check", "--json"])
        .arg_path(&before)
        .arg_path(&fixture("c8/lcov.info"))
        .run()
        .expect_code(0);
    // c8 75.29% lines vs nyc 61.76% on the other sample: a drop of 13.53 points.
    let run = Bin::new()
        .args(["coverage-check", "--max-drop", "5", "--baseline"])
        .arg_path(&before)
        .arg_path(&fixture("nyc/lcov.info"))
        .run();
    run.expect_code(1);
    assert!(run.stdout.contains("-13.53 points"), "{}", run.stdout);
}

#[test]
fn bad_reports_are_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("lcov.info");
    std::fs::write(&bad, "SF:a.rs\nDA:x,1\nend_of_record\n").unwrap();
    let run = Bin::new().args(["coverage-check"]).arg_path(&bad).run();
    run.expect_code(2);
    assert!(run.stderr.contains("lcov.info`: line 2"), "{}", run.stderr);
    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 255, 0, 1]).unwrap();
    Bin::new()
        .args(["coverage-check"])
        .arg_path(&garbage)
        .run()
        .expect_code(2);
    let run = Bin::new()
        .args(["coverage-check", "--format", "jacoco"])
        .arg_path(&fixture("c8/lcov.info"))
        .run();
    run.expect_code(2);
    Bin::new()
        .args(["coverage-check", "--min", "101", "x"])
        .run()
        .expect_code(2);
}

#[test]
fn badge_is_written_with_the_floored_percentage() {
    let dir = tempfile::tempdir().unwrap();
    let badge = dir.path().join("badges/coverage.svg");
    Bin::new()
        .args(["coverage-check", "--badge"])
        .arg_path(&badge)
        .arg_path(&fixture("go/cover-coverpkg.out"))
        .run()
        .expect_code(0);
    let svg = read(&badge);
    assert!(
        svg.starts_with("<svg") && svg.contains(">80.85%</text>"),
        "{svg}"
    );
}

#[test]
fn explain_names_the_combined_count_behind_coveragepys_figure() {
    // coverage.py 7.17.3 --branch on the fixture project printed `TOTAL 60 20 28 6 66%`:
    // 40 of 60 statements and 18 of 28 branches, 6 partial, 5 lines excluded.
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    let run = Bin::new()
        .args(["coverage-check", "--explain", "--json"])
        .arg_path(&result)
        .arg_path(&fixture("coveragepy/branch/coverage.json"))
        .run();
    run.expect_code(0);
    let table_then_why = run
        .stdout
        .find("coverage.py itself reports 66% (statements and branches)")
        .zip(run.stdout.find("why the figures differ:"));
    assert!(
        matches!(table_then_why, Some((table, why)) if table < why),
        "{}",
        run.stdout
    );
    for expected in [
        "coverage.py itself reports 66% of statements and branches combined (58/88)",
        "(covered statements + covered branches) / (statements + branches) = (40 + 18) / (60 + 28) = 58/88 = 65.90%",
        "statements alone are 40/60 = 66.66% and branches alone 18/28 = 64.28%",
        "decoder-ops floors to two decimals: 65.90%; coverage.py rounds half to even to a whole percent (0 and 100 only when exact): 66%",
        "6 line(s) ran but did not take every branch",
        "5 line(s) were excluded",
    ] {
        assert!(run.stdout.contains(expected), "{expected}\n{}", run.stdout);
    }
    let v = json(&result);
    let explanation: Vec<&str> = v["explanation"]
        .as_array()
        .unwrap_or_else(|| panic!("{v:#}"))
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(
        explanation
            .iter()
            .any(|l| l.contains("(40 + 18) / (60 + 28) = 58/88")),
        "{explanation:#?}"
    );
    assert_eq!(v["reports"][0]["excluded_lines"], 5);
}

#[test]
fn explain_names_lcov_summaries_that_disagree_with_their_records_and_go_duplicates() {
    // cargo-llvm-cov 0.9.1 lcov: one file's LF/LH say 30 of 40, its DA records 29 of 39.
    let run = Bin::new()
        .args(["coverage-check", "--explain"])
        .arg_path(&fixture("cargo-llvm-cov/stable/lcov.info"))
        .run();
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "in 1 file(s) the report's `LF`/`LH` summaries say 30/40 = 75.00% of lines covered, \
             but its `DA` records give 29/39 = 74.35%"
        ),
        "{}",
        run.stdout
    );
    // go -coverpkg=./...: blocks repeated per test binary, merged to 38 of 47 (go: 80.9%).
    let run = Bin::new()
        .args(["coverage-check", "--explain"])
        .arg_path(&fixture("go/cover-coverpkg.out"))
        .run();
    run.expect_code(0);
    for expected in [
        "Go block(s) were listed more than once",
        "decoder-ops floors to two decimals: 80.85%; go rounds to one decimal (printf `%.1f`): 80.9%",
    ] {
        assert!(run.stdout.contains(expected), "{expected}\n{}", run.stdout);
    }
    // Without --explain, neither the section nor the JSON key.
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    let run = Bin::new()
        .args(["coverage-check", "--json"])
        .arg_path(&result)
        .arg_path(&fixture("go/cover-coverpkg.out"))
        .run();
    assert!(
        !run.stdout.contains("why the figures differ"),
        "{}",
        run.stdout
    );
    assert!(json(&result).get("explanation").is_none());
}

#[test]
fn explain_says_when_reports_were_merged() {
    let run = Bin::new()
        .args(["coverage-check", "--explain"])
        .arg_path(&fixture("c8/lcov.info"))
        .arg_path(&fixture("nyc/lcov.info"))
        .run();
    run.expect_code(0);
    assert!(
        run.stdout.contains("2 reports were merged ("),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("no tool printed one for this merge"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_change_to_files_no_report_covers_skips_patch_coverage_instead_of_failing() {
    // A docs-only pull request: before, exit 4 ("the change adds no line the reports
    // measure"), which failed the test workflow of every such PR.
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    git(r, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(r.join("src")).unwrap();
    std::fs::write(r.join("src/calc.py"), "def add(a, b):\n    return a + b\n").unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "base"]);
    git(r, &["checkout", "-qb", "docs"]);
    std::fs::write(r.join("README.md"), "# calc\n").unwrap();
    git(r, &["add", "README.md"]);
    git(r, &["commit", "-qm", "docs"]);
    std::fs::write(
        r.join("lcov.info"),
        "SF:src/calc.py\nDA:1,1\nDA:2,1\nend_of_record\n",
    )
    .unwrap();
    let run = Bin::new()
        .current_dir(r)
        .args([
            "coverage-check",
            "lcov.info",
            "--min",
            "80",
            "--min-patch",
            "80",
        ])
        .args(["--base", "main"])
        .run();
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("patch coverage skipped: nothing to measure"),
        "{}",
        run.stdout
    );
}
