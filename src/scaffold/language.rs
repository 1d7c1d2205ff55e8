//! Language detection from marker files, and the commands each language's workflows run.
//!
//! The commands use only what GitHub's `ubuntu-latest` image already has (Rust, Node, Python,
//! Go, Java with Maven and Gradle), so the templates need no extra setup actions to pin.

use serde::Serialize;

/// A repository's main language, as far as the workflows care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Rust,
    Node,
    Python,
    Go,
    Maven,
    Gradle,
    /// Nothing recognised: the templates' generic `make lint` / `make coverage`.
    Generic,
}

/// Marker files in the order they are tried; the first present decides.
const MARKERS: &[(&str, Language)] = &[
    ("Cargo.toml", Language::Rust),
    ("package.json", Language::Node),
    ("pyproject.toml", Language::Python),
    ("requirements.txt", Language::Python),
    ("setup.py", Language::Python),
    ("go.mod", Language::Go),
    ("pom.xml", Language::Maven),
    ("build.gradle", Language::Gradle),
    ("build.gradle.kts", Language::Gradle),
];

/// What a language's workflows run and where the reports land.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub language: Language,
    /// The marker file that decided, when detected.
    pub detected_from: Option<&'static str>,
    pub lint: &'static str,
    pub test: &'static str,
    pub coverage_report: &'static str,
    /// JUnit XML the test command writes; empty when it writes none.
    pub junit_report: &'static str,
}

impl Language {
    pub fn label(self) -> &'static str {
        match self {
            Language::Rust => "Rust",
            Language::Node => "Node.js",
            Language::Python => "Python",
            Language::Go => "Go",
            Language::Maven => "Java (Maven)",
            Language::Gradle => "Java (Gradle)",
            Language::Generic => "generic",
        }
    }

    /// The first marker file `exists` reports, or `Generic`.
    pub fn detect(exists: impl Fn(&str) -> bool) -> (Language, Option<&'static str>) {
        MARKERS
            .iter()
            .find(|(file, _)| exists(file))
            .map_or((Language::Generic, None), |(file, lang)| {
                (*lang, Some(*file))
            })
    }

    /// The commands for this language. Python installs from `requirements.txt` when the
    /// repository has one, else the project itself.
    pub fn profile(self, exists: impl Fn(&str) -> bool) -> Profile {
        let (lint, test, coverage_report, junit_report) = match self {
            Language::Rust => (
                "cargo fmt --all --check && cargo clippy --locked --all-targets -- -D warnings",
                "cargo install cargo-llvm-cov --locked && cargo llvm-cov --locked --lcov --output-path coverage/lcov.info",
                "coverage/lcov.info",
                "",
            ),
            Language::Node => (
                "npm ci && npm run lint --if-present",
                "npm ci && npx --yes c8 --reporter=lcov --report-dir=coverage npm test",
                "coverage/lcov.info",
                "",
            ),
            Language::Python if exists("requirements.txt") => (
                "pipx run ruff check .",
                "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt pytest pytest-cov && .venv/bin/python -m pytest --cov --cov-branch --cov-report=xml:coverage/coverage.xml --junitxml=reports/junit.xml",
                "coverage/coverage.xml",
                "reports/junit.xml",
            ),
            Language::Python => (
                "pipx run ruff check .",
                "python3 -m venv .venv && .venv/bin/pip install . pytest pytest-cov && .venv/bin/python -m pytest --cov --cov-branch --cov-report=xml:coverage/coverage.xml --junitxml=reports/junit.xml",
                "coverage/coverage.xml",
                "reports/junit.xml",
            ),
            Language::Go => (
                "go vet ./...",
                "mkdir -p coverage reports && go run gotest.tools/gotestsum@v1.12.0 --junitfile reports/junit.xml -- -coverprofile=coverage/coverage.out ./...",
                "coverage/coverage.out",
                "reports/junit.xml",
            ),
            Language::Maven => (
                "mvn -B -ntp validate",
                "mvn -B -ntp verify",
                "target/site/jacoco/jacoco.xml",
                "target/surefire-reports/*.xml",
            ),
            Language::Gradle => (
                "./gradlew check -x test",
                "./gradlew test jacocoTestReport",
                "build/reports/jacoco/test/jacocoTestReport.xml",
                "build/test-results/test/*.xml",
            ),
            Language::Generic => (
                "make lint",
                "make coverage",
                "coverage/lcov.info",
                "reports/junit.xml",
            ),
        };
        Profile {
            language: self,
            detected_from: None,
            lint,
            test,
            coverage_report,
            junit_report,
        }
    }
}
