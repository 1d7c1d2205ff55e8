//! `decoder-ops init` on fixture repositories of each language: files written, language
//! commands filled in, idempotent, never overwriting without `--force`.

use std::path::Path;

use decoder_ops::scaffold::{Language, Template};

use crate::cli::{Bin, read, repo_file};

const ALL_FILES: [&str; 7] = [
    ".github/workflows/validate.yml",
    ".github/workflows/test.yml",
    ".github/workflows/deploy-staging.yml",
    ".github/workflows/deploy-production.yml",
    ".github/workflows/monitoring.yml",
    ".github/workflows/rollback.yml",
    ".github/decoder-ops.yml",
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
    let cases = [
        ("rust", Language::Rust, "rust"),
        ("node", Language::Node, "node"),
        ("python-pyproject", Language::Python, "python"),
        ("python-requirements", Language::Python, "python"),
        ("go", Language::Go, "go"),
        ("maven", Language::Maven, "maven"),
        ("gradle", Language::Gradle, "gradle"),
        ("generic", Language::Generic, "generic"),
    ];
    for (name, language, label) in cases {
        let repo = fixture(name);
        let result = repo.path().join("result.json");
        Bin::new()
            .args(["init", "--dir"])
            .arg_path(repo.path())
            .args(["--json"])
            .arg_path(&result)
            .run()
            .expect_code(0);
        let r = json(&result);
        assert_eq!(r["schema"], "decoder-ops/init/v1");
        assert_eq!(r["language"], label, "{name}");
        let written = actions(&r);
        assert_eq!(written.len(), ALL_FILES.len());
        for ((path, action), expected) in written.iter().zip(ALL_FILES) {
            assert_eq!((path.as_str(), action.as_str()), (expected, "created"));
            assert!(repo.path().join(path).is_file(), "{name}: {path}");
        }
        let profile = language.profile(|f| repo.path().join(f).is_file());
        let test_yml = read(&repo.path().join(".github/workflows/test.yml"));
        assert!(
            test_yml.contains(&format!("        run: {}\n", profile.test)),
            "{name}:\n{test_yml}"
        );
        assert!(test_yml.contains(&format!("COVERAGE_REPORT: \"{}\"", profile.coverage_report)));
        let validate = read(&repo.path().join(".github/workflows/validate.yml"));
        assert!(validate.contains(&format!("        run: {}\n", profile.lint)));
        // The starter configuration is valid as written.
        Bin::new()
            .args(["config", "check", "--no-env"])
            .arg_path(&repo.path().join(".github/decoder-ops.yml"))
            .run()
            .expect_code(0);
    }
    // pyproject installs the project; requirements.txt installs the requirements.
    let py = fixture("python-requirements");
    Bin::new()
        .args(["init", "--dir"])
        .arg_path(py.path())
        .run()
        .expect_code(0);
    assert!(read(&py.path().join(".github/workflows/test.yml")).contains("-r requirements.txt"));
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
        ]
    );
    assert!(read(&test_yml).contains("npx --yes c8"));
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
        .args(["--action-ref", sha, "--dir"])
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
            &Language::Rust.profile(|_| false),
            Some(sha)
        )
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let repo = fixture("generic");
    let run = Bin::new()
        .args(["init", "--action-ref", "v1\nrun: curl evil", "--dir"])
        .arg_path(repo.path())
        .run();
    run.expect_code(2);
    assert!(run.stderr.contains("--action-ref"), "{}", run.stderr);
    assert!(!repo.path().join(".github").exists());
    Bin::new()
        .args(["init", "--dir"])
        .arg_path(&repo.path().join("missing"))
        .run()
        .expect_code(2);
}
