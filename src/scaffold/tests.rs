//! Rendering keeps the templates valid YAML and changes only the anchored lines.

use super::*;

fn count(haystack: &str, needle: &str) -> usize {
    haystack.lines().filter(|l| *l == needle).count()
}

#[test]
fn every_anchor_line_is_present_exactly_once() {
    assert_eq!(count(Template::Validate.source(), LINT_LINE), 1);
    assert_eq!(count(Template::Test.source(), TEST_LINE), 1);
    assert_eq!(count(Template::Test.source(), COVERAGE_LINE), 1);
    assert_eq!(count(Template::Test.source(), JUNIT_LINE), 1);
    for t in Template::ALL {
        assert!(t.source().contains(DEFAULT_ACTION_USES), "{}", t.name());
        if t != Template::Validate {
            assert_eq!(count(t.source(), LINT_LINE), 0, "{}", t.name());
        }
    }
}

#[test]
fn detection_follows_marker_order() {
    let only = |files: &'static [&'static str]| move |f: &str| files.contains(&f);
    assert_eq!(Language::detect(only(&["go.mod"])).0, Language::Go);
    assert_eq!(
        Language::detect(only(&["requirements.txt"])),
        (Language::Python, Some("requirements.txt"))
    );
    assert_eq!(
        Language::detect(only(&["build.gradle.kts"])).0,
        Language::Gradle
    );
    // A Rust crate with a package.json for its docs site is still a Rust repository.
    assert_eq!(
        Language::detect(only(&["package.json", "Cargo.toml"])).0,
        Language::Rust
    );
    assert_eq!(Language::detect(only(&[])), (Language::Generic, None));
}

#[test]
fn rendered_templates_are_yaml_with_the_language_commands() {
    let langs = [
        Language::Rust,
        Language::Node,
        Language::Python,
        Language::Go,
        Language::Maven,
        Language::Gradle,
        Language::Generic,
    ];
    for lang in langs {
        let profile = lang.profile(&RepoFiles::default());
        let pin = ActionPin::choose(None, None);
        for t in Template::ALL {
            let text = render(t, &profile, &pin);
            let doc: serde_json::Value = serde_norway::from_str(&text)
                .unwrap_or_else(|e| panic!("{lang:?} {}: {e}\n{text}", t.name()));
            assert!(doc.get("jobs").is_some(), "{}", t.name());
        }
        let test: serde_json::Value =
            serde_norway::from_str(&render(Template::Test, &profile, &pin)).unwrap();
        let job = &test["jobs"]["test"];
        assert_eq!(job["env"]["COVERAGE_REPORT"], profile.coverage_report);
        assert_eq!(job["env"]["JUNIT_REPORT"], profile.junit_report);
        let runs: Vec<&str> = job["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str())
            .collect();
        let script = profile.test.join("\n");
        assert_eq!(
            runs.iter().map(|r| r.trim_end()).collect::<Vec<_>>(),
            [script.as_str()],
            "{lang:?}"
        );
        let validate: serde_json::Value =
            serde_norway::from_str(&render(Template::Validate, &profile, &pin)).unwrap();
        assert_eq!(
            validate["jobs"]["validate"]["steps"][1]["run"],
            profile.lint
        );
    }
}

#[test]
fn only_anchored_lines_change() {
    let profile = Language::Maven.profile(&RepoFiles::default());
    let pin = ActionPin::choose(None, None);
    let source = Template::Test.source();
    let rendered = render(Template::Test, &profile, &pin);
    let changed: Vec<_> = source
        .lines()
        .zip(rendered.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a)
        .collect();
    assert_eq!(changed, [COVERAGE_LINE, JUNIT_LINE, TEST_LINE]);
    assert_eq!(source.lines().count(), rendered.lines().count());
}

#[test]
fn the_pin_is_the_ref_given_else_the_release_commit_else_the_tag() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let version = concat!("v", env!("CARGO_PKG_VERSION"));
    let release = ActionPin::choose(None, Some(sha));
    assert_eq!(release.reference, format!("{sha} # {version}"));
    assert!(release.pinned);
    let other = "89abcdef0123456789abcdef0123456789abcdef";
    assert_eq!(
        ActionPin::choose(Some(other), Some(sha)).reference,
        format!("{other} # {version}")
    );
    let tag = ActionPin::choose(Some("v2"), Some(sha));
    assert_eq!((tag.reference.as_str(), tag.pinned), ("v2", false));
    let unknown = ActionPin::choose(None, None);
    assert_eq!((unknown.reference.as_str(), unknown.pinned), ("v1", false));
    // A release build pins every use; the fallback leaves none pinned and says so.
    let profile = Language::Rust.profile(&RepoFiles::default());
    let text = render(Template::DeployProduction, &profile, &release);
    assert!(!text.contains(DEFAULT_ACTION_USES));
    let pinned = format!("uses: decoder-ops/decoder-ops@{sha} # {version}\n");
    assert_eq!(text.matches(&pinned).count(), 3, "{text}");
    let todo = fill_in(&profile, &[Template::Test], &unknown, |_| false);
    assert!(
        todo.iter().any(|l| l.contains("--ref <commit SHA")),
        "{todo:?}"
    );
    assert!(
        !fill_in(&profile, &[Template::Test], &release, |_| false)
            .iter()
            .any(|l| l.contains("--ref"))
    );
}

#[test]
fn action_refs_are_checked() {
    assert!(valid_action_ref("v1.2.3"));
    assert!(valid_action_ref("feature/x_y"));
    assert!(!valid_action_ref(""));
    assert!(!valid_action_ref("v1 # x"));
    assert!(!valid_action_ref("v1\nrun: evil"));
    assert!(is_commit_sha("0123456789abcdef0123456789abcdef01234567"));
    assert!(!is_commit_sha("v1"));
}

#[test]
fn starter_config_is_valid_and_names_both_environments_and_a_check() {
    for lang in [Language::Python, Language::Generic] {
        let text = starter_config(&lang.profile(&RepoFiles::of(&["requirements.txt"])));
        let config = crate::config::parse(&text, ".github/decoder-ops.yml")
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(
            config.environments.keys().collect::<Vec<_>>(),
            ["production", "staging"]
        );
        assert_eq!(config.checks.len(), 1);
        let vars: Vec<&str> = config
            .templates()
            .into_iter()
            .flat_map(|t| t.value.var_names())
            .collect();
        for (_, var) in starter::URL_VARIABLES {
            assert!(vars.contains(&var), "{var}: {vars:?}");
        }
    }
}

#[test]
fn python_coverage_measures_the_source_never_the_tests_or_an_installed_copy() {
    // src layout: the source directory, never the site-packages copy or tests/.
    let src = Language::Python.profile(&RepoFiles::of(&[
        "pyproject.toml",
        "src/",
        "src/shop/",
        "tests/",
        "tests/test_shop.py",
    ]));
    let pytest = src.test.last().unwrap();
    assert!(pytest.contains(" --cov=src "), "{pytest}");
    assert!(src.test.iter().any(|l| l.contains("install -e .")));
    assert!(
        src.test.iter().all(|l| !l.contains(".venv")),
        "{:?}",
        src.test
    );
    // Flat layout: its packages and modules, not tests, conftest or setup.py.
    let flat = Language::Python.profile(&RepoFiles::of(&[
        "requirements.txt",
        "shop/",
        "shop/__init__.py",
        "scripts/",
        "app.py",
        "conftest.py",
        "setup.py",
        "tests/",
        "tests/__init__.py",
        "test_app.py",
    ]));
    let pytest = flat.test.last().unwrap();
    assert!(pytest.contains(" --cov=app --cov=shop "), "{pytest}");
    assert!(
        !pytest.contains("--cov=tests") && !pytest.contains("--cov=."),
        "{pytest}"
    );
}

#[test]
fn node_configures_jest_junit_only_for_jest_projects() {
    let mut repo = RepoFiles::of(&["package.json", "src/"]);
    repo.package_json = Some(r#"{"devDependencies": {"jest": "^29"}}"#.into());
    let jest = Language::Node.profile(&repo);
    // Never installed ad hoc: the team adds it to the lockfile, and init says so.
    assert!(
        jest.test.iter().all(|l| !l.contains("npm install")),
        "{:?}",
        jest.test
    );
    assert!(
        jest.fill_in
            .iter()
            .any(|l| l.contains("Add jest-junit to devDependencies"))
    );
    let run = jest.test.last().unwrap();
    assert!(
        run.starts_with("JEST_JUNIT_OUTPUT_FILE=reports/junit.xml npx jest"),
        "{run}"
    );
    assert!(run.contains("--collectCoverageFrom=src/"), "{run}");
    repo.package_json = Some(r#"{"scripts": {"test": "node --test"}}"#.into());
    let node_test = Language::Node.profile(&repo);
    assert!(
        node_test
            .test
            .last()
            .unwrap()
            .contains("--test-reporter=junit")
    );
}
