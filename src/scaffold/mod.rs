//! `decoder-ops init`'s pure part: the embedded workflow templates, language detection from the
//! files a repository has, and rendering a template for a language. No I/O here; the command in
//! `commands/init.rs` reads the repository and writes the files.
//!
//! The templates in `workflows-templates/` are complete, linted workflows on their own (for
//! GitHub's template chooser). Rendering replaces a few exact lines in them — the lint and test
//! commands and the report paths — so the file `init` writes is the same file the linters saw,
//! with only those values changed. A unit test keeps every anchor line present exactly once.

mod language;
mod profile;
mod starter;

use serde::Serialize;

pub use language::{Language, RepoFiles};
pub use profile::Profile;
pub use starter::{FillIn, fill_in, runbook, starter_config};

/// The action reference the templates use until `--ref` pins another.
pub const DEFAULT_ACTION_USES: &str = "decoder-ops/decoder-ops@v1";

/// The commit this binary's release was built from, when it is a release build
/// (`scripts/release/build.sh` sets it); `init` pins the action to it.
pub const RELEASE_COMMIT: Option<&str> = option_env!("DECODER_OPS_RELEASE_COMMIT");

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

/// What follows `uses: decoder-ops/decoder-ops@`, and whether it is pinned to a known release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPin {
    /// The ref with its trailing comment, e.g. `<sha> # v0.2.0`.
    pub reference: String,
    /// Pinned to a full commit SHA (what zizmor's default policy requires).
    pub pinned: bool,
}

impl ActionPin {
    /// `--ref` when given; else this release's own commit; else (a source build that knows no
    /// release) the published tag `v1`, which the team must pin by hand.
    pub fn choose(explicit: Option<&str>, release_commit: Option<&str>) -> ActionPin {
        let version = concat!("v", env!("CARGO_PKG_VERSION"));
        match explicit.or(release_commit.filter(|c| is_commit_sha(c))) {
            Some(r) if is_commit_sha(r) => ActionPin {
                reference: format!("{r} # {version}"),
                pinned: true,
            },
            Some(r) => ActionPin {
                reference: r.to_owned(),
                pinned: false,
            },
            None => ActionPin {
                reference: "v1".to_owned(),
                pinned: false,
            },
        }
    }
}

/// Renders `template` for `profile`, with the action at `pin`.
pub fn render(template: Template, profile: &Profile, pin: &ActionPin) -> String {
    let mut out = String::with_capacity(template.source().len() + 512);
    for line in template.source().lines() {
        let replaced = match line {
            LINT_LINE => format!("        run: {}", profile.lint),
            TEST_LINE => run_block(&profile.test),
            COVERAGE_LINE => format!("      COVERAGE_REPORT: {}", quote(&profile.coverage_report)),
            JUNIT_LINE => format!("      JUNIT_REPORT: {}", quote(&profile.junit_report)),
            _ if line.contains(DEFAULT_ACTION_USES) => pin_line(line, pin),
            _ => line.to_owned(),
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    out
}

/// `run: <command>` for one command, a literal block for several.
fn run_block(commands: &[String]) -> String {
    match commands {
        [one] => format!("        run: {one}"),
        _ => {
            let mut block = "        run: |".to_owned();
            for c in commands {
                block.push_str("\n          ");
                block.push_str(c);
            }
            block
        }
    }
}

/// A YAML double-quoted scalar (report paths may contain `*` globs).
fn quote(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// `uses: decoder-ops/decoder-ops@<ref>`, with the version comment pinned actions carry.
fn pin_line(line: &str, pin: &ActionPin) -> String {
    let (reference, comment) = match pin.reference.split_once(" # ") {
        Some((r, c)) => (r, format!(" # {c}")),
        None => (pin.reference.as_str(), String::new()),
    };
    let uses = format!("decoder-ops/decoder-ops@{reference}");
    format!("{}{comment}", line.replace(DEFAULT_ACTION_USES, &uses))
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

#[cfg(test)]
mod tests;
