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
        let profile = lang.profile(|_| false);
        for t in Template::ALL {
            let text = render(t, &profile, None);
            let doc: serde_json::Value = serde_norway::from_str(&text)
                .unwrap_or_else(|e| panic!("{lang:?} {}: {e}\n{text}", t.name()));
            assert!(doc.get("jobs").is_some(), "{}", t.name());
        }
        let test: serde_json::Value =
            serde_norway::from_str(&render(Template::Test, &profile, None)).unwrap();
        let job = &test["jobs"]["test"];
        assert_eq!(job["env"]["COVERAGE_REPORT"], profile.coverage_report);
        assert_eq!(job["env"]["JUNIT_REPORT"], profile.junit_report);
        let runs: Vec<&str> = job["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str())
            .collect();
        assert_eq!(runs, [profile.test], "{lang:?}");
        let validate: serde_json::Value =
            serde_norway::from_str(&render(Template::Validate, &profile, None)).unwrap();
        assert_eq!(
            validate["jobs"]["validate"]["steps"][1]["run"],
            profile.lint
        );
    }
}

#[test]
fn only_anchored_lines_change() {
    let profile = Language::Go.profile(|_| false);
    let source = Template::Test.source();
    let rendered = render(Template::Test, &profile, None);
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
fn action_ref_pins_every_use() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let profile = Language::Rust.profile(|_| false);
    let text = render(Template::DeployProduction, &profile, Some(sha));
    assert!(!text.contains(DEFAULT_ACTION_USES));
    let pinned = format!(
        "uses: decoder-ops/decoder-ops@{sha} # v{}",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(text.matches(&pinned).count(), 3, "{text}");
    let tagged = render(Template::Monitoring, &profile, Some("v2"));
    assert!(
        tagged.contains("uses: decoder-ops/decoder-ops@v2\n"),
        "{tagged}"
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
fn starter_config_is_valid_configuration() {
    for lang in [Language::Python, Language::Generic] {
        let text = starter_config(&lang.profile(|f| f == "requirements.txt"));
        let config = crate::config::parse(&text, ".github/decoder-ops.yml")
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(config.templates().len(), 2);
    }
}
