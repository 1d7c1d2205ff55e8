//! `decoder-ops smoke` flags.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::parse_duration;

pub const SMOKE_AFTER_HELP: &str = "\
Examples:
  decoder-ops smoke --env staging --junit smoke.xml --json smoke.json
  decoder-ops smoke --env production --slot green        # the idle slot, before switching traffic
  decoder-ops smoke --url https://staging.example.com/health --expect-status 200 \\
      --expect-body-contains ok --max-response-time 2s --wait-until-ready 2m

Checks come from `checks:` in the config (selected with --env/--slot/--check), or one check from
--url. Each check runs once, or polls until ready (wait-until-ready), or retries connect errors,
timeouts, resets, 5xx and 429 (retry-transient); assertions are evaluated once, on the final
response, and never retried. Hosts outside the environment's allowlist are refused, redirects
included. Exit 1 when any check fails; outputs passed, failed, p95-ms, verdict.";

/// `decoder-ops smoke`.
#[derive(Debug, Args)]
pub struct SmokeArgs {
    /// The environment (a key of `environments:` in the config) [default: the only one defined]
    #[arg(long = "env", value_name = "NAME")]
    pub environment: Option<String>,
    /// The slot for `{slot}` in the environment's base URL (blue/green).
    #[arg(long, value_name = "NAME")]
    pub slot: Option<String>,
    /// Run only this check from the config (repeatable).
    #[arg(long = "check", value_name = "NAME")]
    pub checks: Vec<String>,

    /// One check from flags instead of the config: request this URL.
    #[arg(long, value_name = "URL", conflicts_with_all = ["environment", "slot", "checks"], help_heading = "Single check")]
    pub url: Option<String>,
    /// HTTP method of the --url check.
    #[arg(
        long,
        default_value = "GET",
        requires = "url",
        help_heading = "Single check"
    )]
    pub method: String,
    /// A request header as `Name: value` (repeatable). Credential headers are masked.
    #[arg(
        long = "header",
        value_name = "NAME: VALUE",
        requires = "url",
        help_heading = "Single check"
    )]
    pub headers: Vec<String>,
    /// Expected status (repeatable: any of them) [default: any 2xx]
    #[arg(
        long = "expect-status",
        value_name = "CODE",
        requires = "url",
        help_heading = "Single check"
    )]
    pub expect_status: Vec<u16>,
    /// Text the body must contain (repeatable).
    #[arg(
        long = "expect-body-contains",
        value_name = "TEXT",
        requires = "url",
        help_heading = "Single check"
    )]
    pub expect_body_contains: Vec<String>,
    /// Upper bound for the response time (e.g. 500ms, 2s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "url", help_heading = "Single check")]
    pub max_response_time: Option<Duration>,
    /// Minimum whole days before the TLS certificate expires.
    #[arg(
        long,
        value_name = "DAYS",
        requires = "url",
        help_heading = "Single check"
    )]
    pub min_cert_days: Option<i64>,
    /// Redirects to follow (with 0 the redirect itself is the response).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        requires = "url",
        help_heading = "Single check"
    )]
    pub follow_redirects: u32,
    /// Another host the check may reach through redirects (repeatable; `*.example.com` allowed).
    #[arg(
        long = "allow-host",
        value_name = "HOST",
        requires = "url",
        help_heading = "Single check"
    )]
    pub allow_hosts: Vec<String>,
    /// Limit for one request, body included.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration, requires = "url", help_heading = "Single check")]
    pub timeout: Duration,
    /// Poll until the endpoint is ready (not 5xx/429, no connection error), for at most this long.
    #[arg(long, value_name = "DEADLINE", value_parser = parse_duration, requires = "url", conflicts_with = "retries", help_heading = "Single check")]
    pub wait_until_ready: Option<Duration>,
    /// Time between readiness polls.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration, requires = "wait_until_ready", help_heading = "Single check")]
    pub wait_interval: Duration,
    /// Total attempts when the outcome is transient (connect error, timeout, reset, 5xx, 429).
    #[arg(
        long,
        value_name = "N",
        requires = "url",
        help_heading = "Single check"
    )]
    pub retries: Option<u32>,
    /// A PEM file of extra CA certificates to trust.
    #[arg(
        long,
        value_name = "FILE",
        requires = "url",
        help_heading = "Single check"
    )]
    pub ca_file: Option<PathBuf>,
    /// Skip TLS certificate verification (warned about; prefer --ca-file).
    #[arg(long, requires = "url", help_heading = "Single check")]
    pub insecure: bool,

    /// Checks in flight at once.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub concurrency: u16,
    /// Limit for the whole run; checks not finished by then fail.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub deadline: Duration,
    /// Write a JUnit XML report (one testcase per check) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write the result object as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}
