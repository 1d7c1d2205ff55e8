//! `decoder-ops init` on fixture repositories of each language: files written, language
//! commands filled in, idempotent, never overwriting without `--force`.

use std::path::Path;

use decoder_ops::scaffold::{ActionPin, Language, RepoFiles, Template};

use crate::cli::{Bin, read, repo_file};

const ALL_FILES: [&str; 8] = [
    ".github/workflows/validate.yml",
    ".github/workflows/test.yml",
    ".github/workflows/deploy-staging.yml",
    ".github/workflows/deploy-production.yml",
    ".github/workflows/monitoring.yml",
    ".github/workflows/rollback.yml",
    ".github/decoder-ops.yml",
    "RUNBOOK.md",
];

/// A fresh copy of `tests/fixtures/init/<name>` in a temporary directory.
fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &repo_file(&format!("tests/fixtures/init/{name}")),
        dir.path(),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap()
}

fn actions(result: &serde_json::Value) -> Vec<(String, String)> {
    result["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn each_language_gets_its_commands_and_a_valid_config() {
    // (fixture, language, a line of its test job, its JUnit pattern)
    let cases = [
        (
            "rust",
            "rust",
            "cargo llvm-cov nextest --locked --profile ci",
            "target/nextest/ci/junit.xml",
        ),
        (
            "node",
            "node",
            "--test-reporter=junit --test-reporter-destination=reports/junit.xml",
            "reports/junit.xml",
        ),
        (
            "python-pyproject",
            "python",
            "pip\" install -e . pytest pytest-cov",
            "reports/junit.xml",
        ),
        (
            "python-requirements",
            "python",
            "pip\" install -r requirements.txt pytest pytest-cov",
            "reports/junit.xml",
        ),
        (
            "go",
            "go",
            "gotestsum --junitfile reports/junit.xml --",
            "reports/junit.xml",
        ),
        (
            "maven",
            "maven",
            "org.jacoco:jacoco-maven-plugin:0.8.12:prepare-agent verify",
            "**/target/surefire-reports/TEST-*.xml",
        ),
        (
            "gradle",
            "gradle",
            "--init-script \"$RUNNER_TEMP/jacoco.gradle\" test jacocoTestReport",
            "**/build/test-results/test/TEST-*.xml",
        ),
        ("generic", "generic", "make coverage", "reports/junit.xml"),
    ];
    for (name, label, test_line, junit) in cases {
        let repo = fixture(name);
        let result = repo.path().join("result.json");
        let run = Bin::new()
            .args(["init", "--dir"])
            .arg_path(repo.path())
            .args(["--json"])
            .arg_path(&result)
            .run();
        run.expect_code(0);
        let r = json(&result);
        assert_eq!(r["schema"], "decoder-ops/init/v1");
        assert_eq!(r["language"], label, "{name}");
        let written = actions(&r);
        assert_eq!(written.len(), ALL_FILES.len());
        for ((path, action), expected) in written.iter().zip(ALL_FILES) {
            assert_eq!((path.as_str(), action.as_str()), (expected, "created"));
            assert!(repo.path().join(path).is_file(), "{name}: {path}");
        }
        let test_yml = read(&repo.path().join(".github/workflows/test.yml"));
        assert!(test_yml.contains(test_line), "{name}:\n{test_yml}");
        assert!(
            test_yml.contains(&format!("JUNIT_REPORT: \"{junit}\"")),
            "{name}"
        );
        // What to fill in closes the output, naming the variables the starter config reads.
        let tail = run
            .stdout
            .split("Commit the files, then fill in:")
            .nth(1)
            .unwrap_or("");
        assert!(
            tail.contains("Repository variable STAGING_URL"),
            "{name}: {}",
            run.stdout
        );
        // The starter configuration is valid as written, workflows included ...
        let config = repo.path().join(".github/decoder-ops.yml");
        Bin::new()
            .args(["config", "check", "--no-env"])
            .arg_path(&config)
            .run()
            .expect_code(0);
        // ... and names the URL variable until it is set.
        let unset = Bin::new()
            .args(["config", "check", "--env", "staging"])
            .arg_path(&config)
            .run();
        unset.expect_code(2);
        assert!(
            unset.stderr.contains("`STAGING_URL` is not set"),
            "{}",
            unset.stderr
        );
        Bin::new()
            .env("STAGING_URL", "http://127.0.0.1:9")
            .args(["config", "check", "--env", "staging"])
            .arg_path(&config)
            .run()
            .expect_code(0);
        let runbook = read(&repo.path().join("RUNBOOK.md"));
        assert!(
            runbook.contains("## Rollback") && runbook.contains(test_line),
            "{name}:\n{runbook}"
        );
    }
}

#[test]
fn config_check_names_a_workflow_step_whose_environment_the_config_lacks() {
    let repo = fixture("go");
    Bin::new()
        .args(["init", "--dir"])
        .arg_path(repo.path())
        .run()
        .expect_code(0);
    let config = repo.path().join(".github/decoder-ops.yml");
    let text = read(&config).replace("  staging:\n    base-url: ${STAGING_URL}\n", "");
    std::fs::write(&config, text).unwrap();
    // Before: `config check` called such a config valid, and deploy-staging's smoke exited 2.
    let run = Bin::new()
        .args(["config", "check", "--no-env"])
        .arg_path(&config)
        .run();
    run.expect_code(2);
    let workflow = repo.path().join(".github/workflows/deploy-staging.yml");
    let line = read(&workflow)
        .lines()
        .position(|l| l.trim() == "staging")
        .unwrap()
        + 1;
    let expected = format!(
        "{}:{line}: `--env staging` names an environment the config lacks (it has production); add `staging` under `environments:`",
        workflow.display()
    );
    assert!(
        run.stdout.contains(&expected),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn an_existing_runbook_is_never_replaced() {
    let repo = fixture("generic");
    std::fs::write(repo.path().join("RUNBOOK.md"), "# ours\n").unwrap();
    let run = Bin::new()
        .args(["init", "--force", "--dir"])
        .arg_path(repo.path())
        .run();
    run.expect_code(0);
    assert_eq!(read(&repo.path().join("RUNBOOK.md")), "# ours\n");
    assert!(
        run.stdout.contains("kept         RUNBOOK.md"),
        "{}",
        run.stdout
    );
}

#[test]
fn second_run_changes_nothing() {
    let repo = fixture("go");
    Bin::new()
        .args(["init", "--dir"])
        .arg_path(repo.path())
        .run()
        .expect_code(0);
    let before: Vec<String> = ALL_FILES
        .iter()
        .map(|f| read(&repo.path().join(f)))
        .collect();
    let result = repo.path().join("result.json");
    let run = Bin::new()
        .args(["init", "--dir"])
        .arg_path(repo.path())
        .args(["--json"])
        .arg_path(&result)
        .run();
    run.expect_code(0);
    assert!(
        actions(&json(&result))
            .iter()
            .all(|(_, a)| a == "unchanged")
    );
    assert!(!run.stdout.contains("skipped"), "{}", run.stdout);
    let after: Vec<String> = ALL_FILES
        .iter()
        .map(|f| read(&repo.path().join(f)))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn edited_files_are_skipped_unless_forced() {
    let repo = fixture("node");
    Bin::new()
        .args(["init", "--dir"])
        .arg_path(repo.path())
        .run()
        .expect_code(0);
    let test_yml = repo.path().join(".github/workflows/test.yml");
    let config = repo.path().join(".github/decoder-ops.yml");
    std::fs::write(&test_yml, "# my own test workflow\n").unwrap();
    std::fs::write(&config, "notify: {}\n").unwrap();

    let run = Bin::new()
        .args(["init", "--dir"])
        .arg_path(repo.path())
        .run();
    run.expect_code(0);
    assert_eq!(read(&test_yml), "# my own test workflow\n");
    assert_eq!(read(&config), "notify: {}\n");
    assert!(
        run.stdout.contains(
            "Skipped 2 existing file(s) that differ: .github/workflows/test.yml, .github/decoder-ops.yml"
        ),
        "{}",
        run.stdout
    );

    let result = repo.path().join("result.json");
    Bin::new()
        .args(["init", "--force", "--template", "test", "--dir"])
        .arg_path(repo.path())
        .args(["--json"])
        .arg_path(&result)
        .run()
        .expect_code(0);
    assert_eq!(
        actions(&json(&result)),
        [
            (
                ".github/workflows/test.yml".to_owned(),
                "overwritten".to_owned()
            ),
            (
                ".github/decoder-ops.yml".to_owned(),
                "overwritten".to_owned()
            ),
            // Written for all templates on the first run; --force never replaces it.
            ("RUNBOOK.md".to_owned(), "skipped".to_owned()),
        ]
    );
    assert!(read(&test_yml).contains("npx --yes c8@10"));
}

#[test]
fn chosen_templates_only_and_pinned_action() {
    let repo = fixture("rust");
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let run = Bin::new()
        .args([
            "init",
            "--template",
            "monitoring",
            "--template",
            "deploy-production",
        ])
        .args(["--ref", sha, "--dir"])
        .arg_path(repo.path())
        .run();
    run.expect_code(0);
    let workflows: Vec<String> = std::fs::read_dir(repo.path().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(workflows, ["deploy-production.yml", "monitoring.yml"]);
    let monitoring = read(&repo.path().join(".github/workflows/monitoring.yml"));
    assert!(monitoring.contains(&format!("uses: decoder-ops/decoder-ops@{sha} # v")));
    assert!(!monitoring.contains("@v1"));
    // What to configure next, for these templates.
    assert!(
        run.stdout
            .contains("Environment `production`: add required reviewers")
    );
    assert!(run.stdout.contains("Environment `monitoring`"));
    assert!(!run.stdout.contains("Environment `staging`"));
    assert!(run.stdout.contains("scripts/switch-traffic.sh --to SLOT"));
    assert_eq!(
        read(&repo.path().join(".github/workflows/deploy-production.yml")),
        decoder_ops::scaffold::render(
            Template::DeployProduction,
            &Language::Rust.profile(&RepoFiles::default()),
            &ActionPin::choose(Some(sha), None)
        )
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let repo = fixture("generic");
    let run = Bin::new()
        .args(["init", "--ref", "v1\nrun: curl evil", "--dir"])
        .arg_path(repo.path())
        .run();
    run.expect_code(2);
    assert!(run.stderr.contains("--ref"), "{}", run.stderr);
    assert!(!repo.path().join(".github").exists());
    Bin::new()
        .args(["init", "--dir"])
        .arg_path(&repo.path().join("missing"))
        .run()
        .expect_code(2);
}
