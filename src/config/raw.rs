//! The configuration file exactly as written: serde types that reject unknown keys, and from
//! which the JSON Schema shipped in `docs/` is generated.
//!
//! Nothing here is validated beyond its shape; [`super::load`] turns these into the typed config.

use std::collections::BTreeMap;

pub mod checks;

use schemars::JsonSchema;
use serde::Deserialize;

/// `.github/decoder-ops.yml`: one file shared by every decoder-ops subcommand.
///
/// Strings may reference environment variables as `${NAME}` or `${NAME:-default}`; they are read
/// when the value is used, so secrets stay in the workflow's `env:` and never in this file.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "decoder-ops configuration")]
pub struct RawConfig {
    /// Where `notify` (and the monitor's alerts) send messages.
    #[serde(default)]
    pub notify: Option<RawNotify>,
    /// The promote/block policy of `quality-gate`.
    #[serde(default)]
    pub quality_gate: Option<super::gates::RawQualityGate>,
    /// Where `smoke` checks run: base URL (with `{slot}` for blue/green), allowed hosts.
    #[serde(default)]
    pub environments: BTreeMap<String, checks::RawEnvironment>,
    /// HTTP checks run by `smoke` against the selected environment.
    #[serde(default)]
    pub checks: Vec<checks::RawCheck>,
    /// `health-monitor`: which checks, Prometheus metrics, alert policy, maintenance windows.
    #[serde(default)]
    pub monitor: Option<super::monitor::RawMonitor>,
}

/// Named notification channels.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawNotify {
    /// Channels by name, used with `notify --channel NAME`.
    #[serde(default)]
    pub channels: BTreeMap<String, RawChannel>,
    /// Channels used when `notify` is given no `--webhook`, `--channel` or `DECODER_OPS_WEBHOOK`.
    #[serde(default)]
    pub default_channels: Vec<String>,
}

/// One Slack or Discord incoming webhook.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawChannel {
    /// The webhook URL, always from the environment: `${SLACK_WEBHOOK_URL}`.
    pub webhook: String,
    /// The platform; detected from the URL when omitted (needed for proxies and local stand-ins).
    #[serde(default)]
    pub provider: Option<RawProvider>,
}

/// A chat platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RawProvider {
    Slack,
    Discord,
}
