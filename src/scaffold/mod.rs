//! `decoder-ops init`'s pure part: the embedded workflow templates, language detection from the
//! files a repository has, and rendering a template for a language. No I/O here; the command in
//! `commands/init.rs` reads the repository and writes the files.
//!
//! The templates in `workflows-templates/` are complete, linted workflows on their own (for
//! GitHub's template chooser). Rendering replaces a few exact lines in them — the lint and test
//! commands and the report paths — so the file `init` writes is the same file the linters saw,
//! with only those values changed. A unit test keeps every anchor line present exactly once.

mod language;

use serde::Serialize;

pub use language::{Language, Profile};

/// The action reference the templates use until `--action-ref` pins another.
pub const DEFAULT_ACTION_USES: &str = "decoder-ops/decoder-ops@v1";

/// One workflow template, written to `.github/workflows/<name>.yml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Template {
    Validate,
    Test,
    DeployStaging,
    DeployProduction,
    Monitoring,
    Rollback,
}

impl Template {
    pub const ALL: [Template; 6] = [
        Template::Validate,
        Template::Test,
        Template::DeployStaging,
        Template::DeployProduction,
        Template::Monitoring,
        Template::Rollback,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Template::Validate => "validate",
            Template::Test => "test",
            Template::DeployStaging => "deploy-staging",
            Template::DeployProduction => "deploy-production",
            Template::Monitoring => "monitoring",
            Template::Rollback => "rollback",
        }
    }

    /// The template exactly as published in `workflows-templates/`.
    pub fn source(self) -> &'static str {
        match self {
            Template::Validate => include_str!("../../workflows-templates/validate.yml"),
            Template::Test => include_str!("../../workflows-templates/test.yml"),
            Template::DeployStaging => include_str!("../../workflows-templates/deploy-staging.yml"),
            Template::DeployProduction => {
                include_str!("../../workflows-templates/deploy-production.yml")
            }
            Template::Monitoring => include_str!("../../workflows-templates/monitoring.yml"),
            Template::Rollback => include_str!("../../workflows-templates/rollback.yml"),
        }
    }

    /// Where `init` writes it, relative to the repository root.
    pub fn path(self) -> String {
        format!(".github/workflows/{}.yml", self.name())
    }

    /// Whether the template calls the user's deploy scripts (for the "next steps" text).
    pub fn deploys(self) -> bool {
        matches!(
            self,
            Template::DeployStaging | Template::DeployProduction | Template::Rollback
        )
    }
}

/// Lines of the published templates that rendering replaces (the generic defaults).
const LINT_LINE: &str = "        run: make lint";
const TEST_LINE: &str = "        run: make coverage";
const COVERAGE_LINE: &str = "      COVERAGE_REPORT: coverage/lcov.info";
const JUNIT_LINE: &str = "      JUNIT_REPORT: reports/junit.xml";

/// Renders `template` for `profile`, with the action pinned to `action_ref` when given.
pub fn render(template: Template, profile: &Profile, action_ref: Option<&str>) -> String {
    let mut out = String::with_capacity(template.source().len() + 256);
    for line in template.source().lines() {
        let replaced = match line {
            LINT_LINE => format!("        run: {}", profile.lint),
            TEST_LINE => format!("        run: {}", profile.test),
            COVERAGE_LINE => format!("      COVERAGE_REPORT: {}", quote(profile.coverage_report)),
            JUNIT_LINE => format!("      JUNIT_REPORT: {}", quote(profile.junit_report)),
            _ => match action_ref {
                Some(r) if line.contains(DEFAULT_ACTION_USES) => pin(line, r),
                _ => line.to_owned(),
            },
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    out
}

/// A YAML double-quoted scalar (report paths may contain `*` globs or be empty).
fn quote(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// `uses: decoder-ops/decoder-ops@<ref>`; a commit SHA gets the version comment pinned actions
/// carry, naming the release of the binary that wrote it.
fn pin(line: &str, action_ref: &str) -> String {
    let uses = format!("decoder-ops/decoder-ops@{action_ref}");
    let mut out = line.replace(DEFAULT_ACTION_USES, &uses);
    if is_commit_sha(action_ref) {
        out.push_str(&format!(" # v{}", env!("CARGO_PKG_VERSION")));
    }
    out
}

pub fn is_commit_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a value is acceptable after `@` in `uses:`: a tag, branch or SHA, nothing that could
/// break out of the YAML line.
pub fn valid_action_ref(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/'))
}

/// The starter `.github/decoder-ops.yml`: valid for `decoder-ops config check` today, with the
/// language's commands recorded for reference.
pub fn starter_config(profile: &Profile) -> String {
    format!(
        "\
# decoder-ops configuration (https://github.com/decoder-ops/decoder-ops/blob/main/docs/configuration.md)
# Written by `decoder-ops init` for a {language} repository. Check it with `decoder-ops config check`.
# Secrets are never written here: `${{NAME}}` reads the environment when the value is used.
#
# The workflows run (see .github/workflows/test.yml):
#   tests with coverage: {test}
#   coverage report:     {coverage}
#   test results:        {junit}
notify:
  channels:
    deploys:
      # Set SLACK_WEBHOOK_URL as a secret of the staging and production environments.
      webhook: ${{SLACK_WEBHOOK_URL}}
    alerts:
      # Set ALERT_WEBHOOK_URL as a secret of the monitoring environment.
      webhook: ${{ALERT_WEBHOOK_URL}}
",
        language = profile.language.label(),
        test = profile.test,
        coverage = profile.coverage_report,
        junit = if profile.junit_report.is_empty() {
            "(none)"
        } else {
            profile.junit_report
        },
    )
}

#[cfg(test)]
mod tests;
