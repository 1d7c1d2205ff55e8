//! What each language's workflows run: the lint command, the test command that writes the
//! JUnit and coverage reports the gates read, and where those reports land.
//!
//! Rules every profile keeps (each was a day-one failure):
//! - The test command writes JUnit XML (through the runner's reporter: pytest `--junitxml`,
//!   jest-junit, nextest's JUnit profile, gotestsum, Surefire, Gradle) and a coverage report.
//! - Coverage measures the project's own source, never an installed copy and never the tests:
//!   Python names its source directories in `--cov` and keeps its virtualenv outside the
//!   checkout; jest collects from `src/` when there is one; cargo-llvm-cov, Go, JaCoCo and c8
//!   leave tests out by themselves.
//! - Report paths may be globs (`**/target/surefire-reports/TEST-*.xml`); the binary expands them.
//! - Tools the runner image lacks are installed by the job only when missing, so a runner that
//!   has them (a self-hosted one, or act on a prepared host) uses its own.

use serde::Serialize;

use super::language::{Language, RepoFiles};

/// What a language's workflows run and where the reports land.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub language: Language,
    /// The marker file that decided, when detected.
    pub detected_from: Option<&'static str>,
    pub lint: String,
    /// The test step's script, one command a line.
    pub test: Vec<String>,
    pub coverage_report: String,
    /// JUnit XML the test command writes (a path or a glob).
    pub junit_report: String,
    /// What the team must still check or fill in for this language.
    pub fill_in: Vec<String>,
}

impl Language {
    /// The commands for this language in the repository `repo`.
    pub fn profile(self, repo: &RepoFiles) -> Profile {
        let mut p = match self {
            Language::Rust => rust(),
            Language::Node => node(repo),
            Language::Python => python(repo),
            Language::Go => go(),
            Language::Maven => maven(),
            Language::Gradle => gradle(repo),
            Language::Generic => generic(),
        };
        p.language = self;
        p
    }
}

fn profile(lint: &str, test: &[&str], coverage: &str, junit: &str) -> Profile {
    Profile {
        language: Language::Generic,
        detected_from: None,
        lint: lint.to_owned(),
        test: test.iter().map(|l| (*l).to_owned()).collect(),
        coverage_report: coverage.to_owned(),
        junit_report: junit.to_owned(),
        fill_in: Vec::new(),
    }
}

/// nextest's JUnit profile, layered over the repository's own nextest config as a tool config.
const NEXTEST_PROFILE: &str = r#"printf '[profile.ci]\nfail-fast = false\n\n[profile.ci.junit]\npath = "junit.xml"\n' > "$RUNNER_TEMP/nextest-ci.toml""#;

fn rust() -> Profile {
    profile(
        "cargo fmt --all --check && cargo clippy --locked --all-targets -- -D warnings",
        &[
            "command -v cargo-llvm-cov >/dev/null || cargo install --locked cargo-llvm-cov",
            "command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest",
            // cargo-llvm-cov finds llvm-cov through LLVM_COV when the host provides its own.
            r#"[ -n "${LLVM_COV:-}" ] || rustup component add llvm-tools-preview"#,
            NEXTEST_PROFILE,
            "mkdir -p coverage",
            r#"cargo llvm-cov nextest --locked --profile ci --tool-config-file "decoder-ops:$RUNNER_TEMP/nextest-ci.toml" --no-report"#,
            "cargo llvm-cov report --lcov --output-path coverage/lcov.info",
            "cargo llvm-cov report --summary-only",
        ],
        "coverage/lcov.info",
        "target/nextest/ci/junit.xml",
    )
}

fn node(repo: &RepoFiles) -> Profile {
    let package = repo.package_json.as_deref().unwrap_or("");
    if !package.contains("\"jest\"") {
        let mut p = profile(
            "npm ci && npm run lint --if-present",
            &[
                "npm ci",
                "mkdir -p reports",
                "npx --yes c8@10 --reporter=lcov --reporter=text-summary --report-dir=coverage node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml",
            ],
            "coverage/lcov.info",
            "reports/junit.xml",
        );
        p.fill_in.push(
            "test.yml runs the tests with node's own runner (`node --test`); if they need another runner, write its JUnit XML to reports/junit.xml and lcov to coverage/lcov.info.".into(),
        );
        return p;
    }
    let mut fill_in = Vec::new();
    if !package.contains("\"jest-junit\"") {
        // Installed through the lockfile, never ad hoc in the job (zizmor: adhoc-packages).
        fill_in.push("Add jest-junit to devDependencies (`npm install --save-dev jest-junit`): test.yml's jest writes its JUnit XML through it.".to_owned());
    }
    let from_src = if repo.has("src/") {
        " '--collectCoverageFrom=src/**/*.{js,jsx,mjs,cjs,ts,tsx}'"
    } else {
        ""
    };
    let test = vec![
        "npm ci".to_owned(),
        format!(
            "JEST_JUNIT_OUTPUT_FILE=reports/junit.xml npx jest --ci --coverage --coverageDirectory=coverage --coverageReporters=lcov --coverageReporters=text-summary --reporters=default --reporters=jest-junit{from_src}"
        ),
    ];
    Profile {
        test,
        fill_in,
        ..profile(
            "npm ci && npm run lint --if-present",
            &[],
            "coverage/lcov.info",
            "reports/junit.xml",
        )
    }
}

/// Directories and top-level modules holding the project's own Python code: `src` for the
/// src layout, else packages (a directory with `__init__.py`) and modules at the root, never
/// tests, docs or build scripts.
fn python_sources(repo: &RepoFiles) -> Vec<String> {
    if repo.has("src/") {
        return vec!["src".to_owned()];
    }
    let not_ours = |name: &str| {
        name.starts_with('.')
            || name.starts_with("test")
            || name.ends_with("_test")
            || matches!(
                name,
                "setup" | "conftest" | "noxfile" | "docs" | "build" | "dist" | "venv" | "examples"
            )
    };
    repo.entries("")
        .filter_map(|e| match e.strip_suffix('/') {
            Some(dir) => repo.has(&format!("{dir}/__init__.py")).then_some(dir),
            None => e.strip_suffix(".py"),
        })
        .filter(|name| !not_ours(name))
        .map(str::to_owned)
        .collect()
}

fn python(repo: &RepoFiles) -> Profile {
    let project = repo.has("pyproject.toml") || repo.has("setup.py");
    let install = match (repo.has("requirements.txt"), project) {
        (true, true) => "-r requirements.txt -e .",
        (true, false) => "-r requirements.txt",
        (false, _) => "-e .",
    };
    let sources = python_sources(repo);
    let cov = if sources.is_empty() {
        "--cov=.".to_owned()
    } else {
        sources
            .iter()
            .map(|s| format!("--cov={s}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut p = profile(
        "pipx run ruff check .",
        &[],
        "coverage/coverage.xml",
        "reports/junit.xml",
    );
    // The virtualenv lives outside the checkout, so `--cov` can never reach an installed copy.
    p.test = vec![
        r#"python3 -m venv "$RUNNER_TEMP/venv""#.to_owned(),
        format!(r#""$RUNNER_TEMP/venv/bin/pip" install {install} pytest pytest-cov"#),
        format!(
            r#""$RUNNER_TEMP/venv/bin/python" -m pytest {cov} --cov-branch --cov-report=term --cov-report=xml:coverage/coverage.xml --junitxml=reports/junit.xml"#
        ),
    ];
    if sources.is_empty() {
        p.fill_in.push(
            "test.yml measures coverage with `--cov=.` because init found no package: name your source directory instead, or the tests count as covered code.".into(),
        );
    }
    p
}

fn go() -> Profile {
    profile(
        "go vet ./...",
        &[
            r#"PATH="$PATH:$(go env GOPATH)/bin""#,
            "command -v gotestsum >/dev/null || go install gotest.tools/gotestsum@v1.12.0",
            "mkdir -p coverage reports",
            "gotestsum --junitfile reports/junit.xml -- -coverprofile=coverage/coverage.out ./...",
        ],
        "coverage/coverage.out",
        "reports/junit.xml",
    )
}

/// JaCoCo by its plugin coordinates from the command line: no change to the pom needed.
const JACOCO_MAVEN: &str = "org.jacoco:jacoco-maven-plugin:0.8.12";

fn maven() -> Profile {
    let test = format!("mvn -B -ntp {JACOCO_MAVEN}:prepare-agent verify {JACOCO_MAVEN}:report");
    profile(
        "mvn -B -ntp validate",
        &[test.as_str()],
        "**/target/site/jacoco/jacoco.xml",
        "**/target/surefire-reports/TEST-*.xml",
    )
}

/// An init script applying JaCoCo with XML reports to every project: no change to the build.
const JACOCO_GRADLE: &str = r#"printf '%s\n' 'allprojects { apply plugin: "jacoco"; tasks.withType(JacocoReport).configureEach { reports { xml.required = true } } }' > "$RUNNER_TEMP/jacoco.gradle""#;

fn gradle(repo: &RepoFiles) -> Profile {
    let gradle = if repo.has("gradlew") {
        "./gradlew"
    } else {
        "gradle"
    };
    let mut p = profile(
        &format!("{gradle} check -x test"),
        &[JACOCO_GRADLE],
        "**/build/reports/jacoco/test/jacocoTestReport.xml",
        "**/build/test-results/test/TEST-*.xml",
    );
    p.test.push(format!(
        r#"{gradle} --no-daemon --init-script "$RUNNER_TEMP/jacoco.gradle" test jacocoTestReport"#
    ));
    p
}

fn generic() -> Profile {
    let mut p = profile(
        "make lint",
        &["make coverage"],
        "coverage/lcov.info",
        "reports/junit.xml",
    );
    p.fill_in.push(
        "No language recognised: make `make lint` lint, and `make coverage` run the tests writing JUnit XML to reports/junit.xml and lcov to coverage/lcov.info (or edit test.yml).".into(),
    );
    p
}
