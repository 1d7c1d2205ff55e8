//! Command-line types (clap derive) and nothing else. `commands/` converts them into plain
//! option structs for the core.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::notify::{EventKind, Provider, Status};
use crate::scaffold::{Language, Template};

mod health_monitor;
mod smoke;
pub use health_monitor::{
    DEFAULT_STATE_BRANCH, FailOn, HealthMonitorArgs, IncidentsTarget, StateSpec,
};
pub use smoke::SmokeArgs;

const AFTER_HELP: &str = "\
Exit codes: 0 passed, 1 verdict failed, 2 invalid usage/config/input, 3 a required service failed,
4 inconclusive (not enough data; never a pass).

Configuration: .github/decoder-ops.yml (or --config); `decoder-ops config schema` prints its
JSON Schema. Logs go to stderr; results to stdout, --json files and the GitHub runtime. With
--json -, stdout holds only the JSON result and everything else goes to stderr.";

/// GitHub Actions-native production toolkit: gates, smoke tests, monitoring and notifications.
#[derive(Debug, Parser)]
#[command(name = "decoder-ops", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand accepts. The default is what an empty command line gives (used to
/// report a command line clap refused).
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Configuration file [default: .github/decoder-ops.yml when it exists]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v debug, -vv trace). DECODER_OPS_LOG=<filter> overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log format on stderr: human-readable text or one JSON object per line.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// When to colour terminal output (never inside GitHub Actions logs' workflow commands).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing buys nothing, and which variant is largest changes as commands grow"
)]
pub enum Command {
    /// Send a Slack or Discord message about a deploy, a health check or a gate — once, safely.
    #[command(after_help = NOTIFY_AFTER_HELP)]
    Notify(NotifyArgs),
    /// Check coverage totals and the change's own coverage against thresholds.
    #[command(name = "coverage-check", after_help = COVERAGE_AFTER_HELP)]
    CoverageCheck(CoverageArgs),
    /// Decide whether a build may be promoted: tests, change window, custom thresholds.
    #[command(name = "quality-gate", after_help = QUALITY_GATE_AFTER_HELP)]
    QualityGate(QualityGateArgs),
    /// Post-deploy smoke tests: wait for readiness, assert what matters, report like a test suite.
    #[command(after_help = smoke::SMOKE_AFTER_HELP)]
    Smoke(SmokeArgs),
    /// Scheduled production monitoring: alert once, remind, resolve, open incidents.
    #[command(name = "health-monitor", after_help = health_monitor::HEALTH_MONITOR_AFTER_HELP)]
    HealthMonitor(HealthMonitorArgs),
    /// Validate the configuration file or print its JSON Schema.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Add the decoder-ops workflows and a starter configuration to a repository.
    #[command(after_help = INIT_AFTER_HELP)]
    Init(InitArgs),
}

const INIT_AFTER_HELP: &str = "\
Examples:
  decoder-ops init                                   # every template, language detected
  decoder-ops init --template test --template deploy-staging
  decoder-ops init --ref 0123456789abcdef0123456789abcdef01234567   # pin the action by SHA

Writes .github/workflows/<template>.yml, .github/decoder-ops.yml and RUNBOOK.md, then lists what
the team must still fill in. Existing files are never overwritten without --force (RUNBOOK.md
never); files already identical are left alone, so running it twice is safe.";

/// `decoder-ops init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository to write into.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// A workflow to write (repeatable) [default: all]
    #[arg(long = "template", value_enum, value_name = "NAME")]
    pub templates: Vec<Template>,
    /// The language whose test and coverage commands to use [default: detected from the files]
    #[arg(long, value_enum)]
    pub language: Option<Language>,
    /// Replace files that exist and differ.
    #[arg(long)]
    pub force: bool,
    /// What the workflows put after `uses: decoder-ops/decoder-ops@`: a commit SHA (safest; it
    /// gets a `# vX.Y.Z` comment) or a tag [default: the commit of this release; `v1` for a build
    /// that knows no release]
    #[arg(long = "ref", visible_alias = "action-ref", value_name = "REF")]
    pub action_ref: Option<String>,
    /// Write the result object as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

const COVERAGE_AFTER_HELP: &str = "\
Examples:
  decoder-ops coverage-check lcov.info --min 80
  decoder-ops coverage-check coverage.xml --min 80 --base origin/main --min-patch 90
  decoder-ops coverage-check cover.out --metric statements --min 75 --json coverage.json
  decoder-ops coverage-check a/lcov.info b/lcov.info --min-file 50    # merged by file and line

Formats (detected from content): lcov, Cobertura, JaCoCo, llvm-cov export JSON, Go
coverprofile, coverage.py JSON, istanbul coverage-summary.json and coverage-final.json,
Clover, SimpleCov .resultset.json, gcovr JSON, OpenCover. Run it in a monorepo package's
directory to judge that package's change. Thresholds are exact: 80 means
covered*100 >= 80*total. Zero measured lines, or changed source files the reports do not
measure, is inconclusive (exit 4), never 100%. Reports may be globs, expanded here; one that
matches no file fails (exit 1) naming it. Without a usable --base (empty, 40 zeros on a first
push, or absent from the clone) the change is taken from the default branch's merge base, else
patch coverage is skipped with the reason and the total decides. See docs/coverage-check.md.";

/// What `coverage-check --metric` judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CoverageMetric {
    Lines,
    Branches,
    Functions,
    Statements,
    /// The producing tool's own headline (coverage.py: statements + branches).
    Native,
}

/// `decoder-ops coverage-check`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Coverage reports or globs; several are merged by file and line.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Force the format instead of detecting it.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<crate::report::coverage::Format>,
    /// Minimum total coverage in percent (e.g. 80 or 72.5).
    #[arg(long, value_name = "PCT", value_parser = parse_pct)]
    pub min: Option<crate::gate::coverage::Pct>,
    /// The metric --min judges [default: lines; statements for Go]
    #[arg(long, value_enum)]
    pub metric: Option<CoverageMetric>,
    /// Minimum coverage of every file.
    #[arg(long, value_name = "PCT", value_parser = parse_pct)]
    pub min_file: Option<crate::gate::coverage::Pct>,
    /// Minimum coverage of the lines the change adds (needs --base or --diff-file).
    #[arg(long, value_name = "PCT", value_parser = parse_pct)]
    pub min_patch: Option<crate::gate::coverage::Pct>,
    /// The change is `git merge-base REF HEAD`..HEAD (e.g. origin/main).
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Take the change from a unified diff file instead of git.
    #[arg(long, value_name = "FILE", conflicts_with = "base")]
    pub diff_file: Option<PathBuf>,
    /// Do not treat changed source files without measured lines as inconclusive.
    #[arg(long)]
    pub allow_unmeasured: bool,
    /// Rewrite a report path prefix (repeatable), e.g. /app/=src/.
    #[arg(long = "path-fix", value_name = "BEFORE=AFTER", value_parser = parse_pair)]
    pub path_fix: Vec<(String, String)>,
    /// Also write an SVG badge of the coverage to FILE (for a README).
    #[arg(long, value_name = "FILE.svg")]
    pub badge: Option<PathBuf>,
    /// Do not post or edit the sticky pull-request comment (posted with GITHUB_TOKEN on PRs).
    #[arg(long)]
    pub no_comment: bool,
    /// A previous run's --json result to compare with (e.g. from the default branch).
    #[arg(long, value_name = "FILE", requires = "max_drop")]
    pub baseline: Option<PathBuf>,
    /// Largest allowed drop from the baseline, in percentage points.
    #[arg(long, value_name = "PCT", value_parser = parse_pct, requires = "baseline")]
    pub max_drop: Option<crate::gate::coverage::Pct>,
    /// Write the result object as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// After the table, say why this figure and the producing tool's own headline differ
    /// (branch weighting, partial lines, rounding, merged or excluded lines, ...); also adds
    /// `explanation` to the --json result.
    #[arg(long)]
    pub explain: bool,
}

fn parse_pct(s: &str) -> Result<crate::gate::coverage::Pct, String> {
    crate::gate::coverage::Pct::parse(s)
}

fn parse_format(s: &str) -> Result<crate::report::coverage::Format, String> {
    s.parse()
        .map_err(|e: crate::report::coverage::UnknownFormatName| e.to_string())
}

const QUALITY_GATE_AFTER_HELP: &str = "\
Examples:
  decoder-ops quality-gate 'test-results/**/*.xml' coverage/lcov.info   # globs expanded here
  decoder-ops quality-gate --purpose rollback --json gate.json reports/junit.xml
  decoder-ops quality-gate --now 2026-12-24T10:00:00Z reports/junit.xml   # test the change window

Without `quality-gate.gates` in the config, the default table judges the reports given: every
test must pass and at least one must run, coverage >= 80%, ...; a default gate whose kind of
report was not given is not configured (it neither fails nor blocks). A report pattern that
matches no file, or a configured gate without its report, fails. Zero tests, a missing matrix
upload (`expect: {junit: N}`) or nothing configured at all is inconclusive (exit 4), never a
pass. See docs/quality-gate.md.";

/// `decoder-ops quality-gate`.
#[derive(Debug, Args)]
pub struct QualityGateArgs {
    /// Report files or globs (format detected from content): JUnit XML, NUnit 3, xUnit.net v2,
    /// TRX, SARIF, audit JSON, coverage reports, k6 and `smoke --json` results.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Why: `rollback` is never blocked by the change window.
    #[arg(long, value_enum, default_value_t = crate::gate::policy::Purpose::Deploy)]
    pub purpose: crate::gate::policy::Purpose,
    /// Judge the change window at this RFC 3339 instant instead of now.
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<String>,
    /// Do not post the sticky pull-request comment or the commit status (both need GITHUB_TOKEN).
    #[arg(long)]
    pub no_comment: bool,
    /// Re-derive a recorded decision from its `--json` result: same inputs (sha256-checked),
    /// same instant, same purpose, same policy. Exit 1 if the decision comes out different.
    #[arg(long, value_name = "RESULT", conflicts_with_all = ["inputs", "now", "purpose"])]
    pub replay: Option<PathBuf>,
    /// Write the result object as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

const NOTIFY_AFTER_HELP: &str = "\
Examples:
  decoder-ops notify --webhook \"$SLACK_WEBHOOK\" --event deploy --status success --environment production
  decoder-ops notify --channel alerts --status failure --title 'Smoke tests failed' --text-file report.txt
  decoder-ops notify --provider discord --webhook \"$HOOK\" --status started --wait   # prints message-id
  decoder-ops notify --provider discord --webhook \"$HOOK\" --status success --update \"$MESSAGE_ID\"
  decoder-ops notify --dry-run --webhook https://hooks.slack.com/services/T/B/X --status info --text hi

Destinations: --webhook (repeatable), else DECODER_OPS_WEBHOOK (comma/newline separated), else
--channel names or `notify.default-channels` from the config. A failed delivery warns and exits 0
(outputs delivered=false, error=...) unless --strict, which exits 3. Webhook URLs are masked and
never printed.";

/// `decoder-ops notify`.
#[derive(Debug, Args)]
pub struct NotifyArgs {
    /// Webhook URL (repeatable). Prefer passing it from a secret through the environment.
    #[arg(long = "webhook", value_name = "URL")]
    pub webhooks: Vec<String>,
    /// A channel defined under `notify.channels` in the config (repeatable).
    #[arg(long = "channel", value_name = "NAME")]
    pub channels: Vec<String>,
    /// The platform, when it cannot be detected from the URL (proxies, local stand-ins).
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,
    /// How it went; sets colour and emoji.
    #[arg(long, value_enum, default_value_t = Status::Info)]
    pub status: Status,
    /// What the message is about; sets the default title and layout.
    #[arg(long, value_enum, default_value_t = EventKind::Custom)]
    pub event: EventKind,
    /// Title [default: from --event, --status and --environment]
    #[arg(long)]
    pub title: Option<String>,
    /// Message text (plain text; escaped for each platform).
    #[arg(long, conflicts_with = "text_file")]
    pub text: Option<String>,
    /// Read the message text from a file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<PathBuf>,
    /// An extra field as name=value (repeatable).
    #[arg(long = "field", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub fields: Vec<(String, String)>,
    /// A link button as label=url (repeatable).
    #[arg(long = "link", value_name = "LABEL=URL", value_parser = parse_pair)]
    pub links: Vec<(String, String)>,
    /// The environment (staging, production, …), shown in deploy and health messages.
    #[arg(long)]
    pub environment: Option<String>,
    /// Print the exact payloads (webhooks redacted) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Exit 3 when a message cannot be delivered (default: warn and exit 0).
    #[arg(long)]
    pub strict: bool,
    /// Overall time limit for delivery, retries included (e.g. 30s, 2m, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Discord: wait for the message and output its id (`message-id`) for a later --update.
    #[arg(long)]
    pub wait: bool,
    /// Discord: edit the message with this id in place instead of posting a new one.
    #[arg(long, value_name = "MESSAGE_ID")]
    pub update: Option<String>,
    /// Write the result object as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file: syntax, unknown keys, types, `${VAR}` references, and that the
    /// workflows beside it name only environments, checks and channels it defines.
    Check(ConfigCheckArgs),
    /// Print the JSON Schema of the configuration file (for editors and check-jsonschema).
    Schema,
}

#[derive(Debug, Args)]
pub struct ConfigCheckArgs {
    /// The file [default: --config, else .github/decoder-ops.yml]
    pub file: Option<PathBuf>,
    /// Do not require the referenced environment variables to be set (e.g. on a PR without secrets).
    #[arg(long)]
    pub no_env: bool,
    /// Require only the variables this environment's smoke test reads (its `environments:` entry
    /// and `checks:`), as its deploy job has them.
    #[arg(long = "env", value_name = "NAME")]
    pub environment: Option<String>,
    /// Write the result object as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// `name=value`; the value may contain `=`.
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

/// A duration such as `500ms`, `30s`, `2m`, `1h`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration `{s}`: expected e.g. 500ms, 30s, 2m, 1h"))?;
    let secs = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "invalid duration unit `{other}` in `{s}`: use ms, s, m or h"
            ));
        }
    };
    if !secs.is_finite() || !(0.0..=7.0 * 86_400.0).contains(&secs) {
        return Err(format!("duration `{s}` is out of range (0 to 7 days)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_and_pairs_parse() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("-1s").is_err());
        assert_eq!(parse_pair("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_pair("=x").is_err());
        assert!(parse_pair("novalue").is_err());
    }
}
