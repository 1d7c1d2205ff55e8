//! `decoder-ops health-monitor` flags.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::parse_duration;

pub const HEALTH_MONITOR_AFTER_HELP: &str = "\
Examples:
  decoder-ops health-monitor                                  # one scheduled run, state in .decoder-ops/state.json
  decoder-ops health-monitor --state github --incidents github --interval 15m   # the monitoring workflow
  decoder-ops health-monitor --record-baseline                # before a deploy: remember today's metrics
  decoder-ops health-monitor --watch 30m --every 1m           # after a deploy: exit 1 on a rollback rule

Checks: the `checks:` of the monitored environment (or `monitor.checks`) and the Prometheus queries
of `monitor.metrics`. A check alerts after `failure-threshold` consecutive failed runs (default 3),
reminds every `reminder-every` while down, and resolves after `success-threshold` passed runs
(default 2). One grouped message per run goes to `monitor.channels` (or DECODER_OPS_WEBHOOK); during
a maintenance window, or while a check it depends on fails, nothing is sent. A message is stored in
the state with the events before it is sent and counts as sent once the webhook accepted it; each
run first sends, in order, what earlier runs could not (429 Retry-After honoured up to --timeout).
State between runs is one JSON document: a file (locked, atomically replaced) or, with `--state
github`, a file on a branch of this repository written through the contents API. A gap of more than
2x --interval between runs is reported as blind time and never counted as up.

Outputs: healthy, rollback-recommended, firing, verdict. Exit 1 when a critical or high alert is
firing or a rollback rule fired (unless --fail-on never), 3 when the state store or GitHub could not
be reached, 2 for invalid config.";

/// Where the state between runs is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateSpec {
    /// A local JSON file.
    File(PathBuf),
    /// `state.json` on a branch of the repository, through the contents API.
    Github { branch: String },
}

/// The branch `--state github` uses unless `github:BRANCH` names another.
pub const DEFAULT_STATE_BRANCH: &str = "decoder-ops-state";

fn parse_state(s: &str) -> Result<StateSpec, String> {
    let s = s.trim();
    if s == "github" {
        return Ok(StateSpec::Github {
            branch: DEFAULT_STATE_BRANCH.into(),
        });
    }
    if let Some(branch) = s.strip_prefix("github:") {
        if branch.is_empty() || branch.contains("..") || branch.starts_with('/') {
            return Err(format!(
                "`{s}`: give a branch name, e.g. github:{DEFAULT_STATE_BRANCH}"
            ));
        }
        return Ok(StateSpec::Github {
            branch: branch.into(),
        });
    }
    match s.strip_prefix("file:") {
        Some(path) if !path.is_empty() => Ok(StateSpec::File(PathBuf::from(path))),
        _ => Err(format!(
            "`{s}`: expected file:PATH, github or github:BRANCH"
        )),
    }
}

/// Where incidents are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IncidentsTarget {
    None,
    Github,
}

/// When the command exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A critical or high alert is firing, or a rollback rule fired.
    Unhealthy,
    /// Never (alerts and incidents still happen).
    Never,
}

/// `decoder-ops health-monitor`.
#[derive(Debug, Args)]
pub struct HealthMonitorArgs {
    /// The environment whose checks to run [default: `monitor.environment`, or the only one]
    #[arg(long = "env", value_name = "NAME")]
    pub environment: Option<String>,
    /// Run only this check or metric (repeatable).
    #[arg(long = "check", value_name = "NAME")]
    pub checks: Vec<String>,
    /// Where state is kept between runs: file:PATH, github, or github:BRANCH.
    #[arg(long, value_name = "STORE", default_value = "file:.decoder-ops/state.json", value_parser = parse_state)]
    pub state: StateSpec,
    /// The schedule's interval: gaps longer than twice this are blind time [default: `monitor.interval`, or 15m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub interval: Option<Duration>,
    /// Open, comment on and close GitHub issues for alerts (needs `issues: write`).
    #[arg(long, value_enum, value_name = "WHERE", default_value_t = IncidentsTarget::None)]
    pub incidents: IncidentsTarget,
    /// Send alerts to this channel of `notify.channels` (repeatable) [default: `monitor.channels`]
    #[arg(long = "channel", value_name = "NAME")]
    pub channels: Vec<String>,
    /// The platform of the DECODER_OPS_WEBHOOK URLs, when it cannot be told from the URL (proxies,
    /// local stand-ins); channels of the config say it with `provider:`.
    #[arg(long, value_enum)]
    pub provider: Option<crate::notify::Provider>,
    /// Do not send messages (state, incidents and outputs are still updated; nothing is queued).
    #[arg(long)]
    pub no_notify: bool,
    /// Time limit for each delivery pass (what earlier runs left, then this round's message),
    /// rate-limit waits and retries included; what is not delivered by then waits for the next run.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// After a deploy: run the checks every --every for this long, stop early with exit 1 when a
    /// rollback rule fires.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Post-deploy watch")]
    pub watch: Option<Duration>,
    /// Time between rounds of --watch.
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = parse_duration, requires = "watch", help_heading = "Post-deploy watch")]
    pub every: Duration,
    /// Store the current value of every metric as its recorded baseline, then exit (before a deploy).
    #[arg(long, conflicts_with = "watch", help_heading = "Post-deploy watch")]
    pub record_baseline: bool,

    /// Push this run's results to a Prometheus Pushgateway at URL.
    #[arg(long, value_name = "URL", help_heading = "Output")]
    pub push_metrics: Option<String>,
    /// The Pushgateway `job` label.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "decoder-ops",
        requires = "push_metrics",
        help_heading = "Output"
    )]
    pub push_job: String,
    /// When to exit 1.
    #[arg(long, value_enum, default_value_t = FailOn::Unhealthy, help_heading = "Output")]
    pub fail_on: FailOn,
    /// Write the result object as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub json: Option<PathBuf>,

    /// HTTP checks in flight at once.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// The whole round of checks must finish within this.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub deadline: Duration,
    /// How long to wait for another run that holds the state file's lock before giving up (exit 3).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub lock_timeout: Duration,
    /// Evaluate as if it were this RFC 3339 instant (tests, replays); HTTP checks still run now.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_specs_parse() {
        assert_eq!(
            parse_state("github").unwrap(),
            StateSpec::Github {
                branch: "decoder-ops-state".into()
            }
        );
        assert_eq!(
            parse_state("github:ops/state").unwrap(),
            StateSpec::Github {
                branch: "ops/state".into()
            }
        );
        assert_eq!(
            parse_state("file:s.json").unwrap(),
            StateSpec::File("s.json".into())
        );
        assert!(
            parse_state("s3://bucket")
                .unwrap_err()
                .contains("expected file:PATH")
        );
        assert!(parse_state("github:").is_err());
    }
}
