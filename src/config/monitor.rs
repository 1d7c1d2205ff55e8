//! The `monitor:` section: what `health-monitor` checks, how it alerts, and when it keeps quiet.
//!
//! ```yaml
//! monitor:
//!   environment: production          # whose base-url the HTTP checks use
//!   checks: [health, checkout]       # from `checks:`; default: every check of the environment
//!   interval: 15m                    # the cron interval; a longer gap is "monitoring was blind"
//!   alerts: {failure-threshold: 3, success-threshold: 2, reminder-every: 1h}
//!   overrides:
//!     checkout: {depends-on: [health], severity: high}
//!   prometheus: {url: "${PROMETHEUS_URL}", bearer-token: "${PROMETHEUS_TOKEN}"}
//!   metrics:
//!     - name: error-rate
//!       query: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
//!       warn: "> 0.02"
//!       critical: "> 0.05"
//!       baseline: {offset: 1h, max-increase: 10%}
//!       min-samples: {query: "sum(increase(http_requests_total[5m]))", min: 100}
//!   maintenance:
//!     - {name: weekly-db, timezone: Europe/Berlin, days: [sun], hours: "02:00-03:00"}
//!     - {name: migration, from: "2026-12-01T02:00:00Z", to: "2026-12-01T04:00:00Z"}
//!   channels: [oncall]               # from `notify.channels`
//! ```
//!
//! Thresholds and baseline deltas are checked while the file is read, so a typo is reported at
//! its line and column; names (checks, channels, parents) are checked against the rest of the
//! file afterwards.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use super::scalar::{DurationValue, TemplateValue, parse_str, string_schema};
use super::{ConfigError, Located, Template, locate};
use crate::gate::window::ChangeWindow;

/// Expected time between two scheduled runs when `interval` is not given.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// Reminders more often than this are noise, whatever the config says.
pub const MIN_REMINDER: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMonitor {
    /// The environment (from `environments:`) whose `base-url` the HTTP checks use; may be
    /// omitted when only one is defined.
    #[serde(default)]
    pub environment: Option<String>,
    /// Names of `checks:` entries to monitor. Default: every check that runs in the environment.
    #[serde(default)]
    pub checks: Option<Vec<String>>,
    /// How often the monitor is scheduled (the cron interval). A gap of more than twice this
    /// between runs is reported as blind time. Default: 15m.
    #[serde(default)]
    pub interval: Option<DurationValue>,
    /// Alert policy for every check (HTTP and metric).
    #[serde(default)]
    pub alerts: Option<RawAlertPolicy>,
    /// Per-check changes to the alert policy, by check name.
    #[serde(default)]
    pub overrides: BTreeMap<String, RawAlertPolicy>,
    /// The Prometheus server the `metrics:` queries go to.
    #[serde(default)]
    pub prometheus: Option<RawPrometheus>,
    /// Instant PromQL queries whose single value is compared with thresholds.
    #[serde(default)]
    pub metrics: Vec<RawMetric>,
    /// Times when checks run but do not alert.
    #[serde(default)]
    pub maintenance: Vec<RawMaintenance>,
    /// Channels (from `notify.channels`) that get the alerts. Default: `notify.default-channels`,
    /// or `DECODER_OPS_WEBHOOK`.
    #[serde(default)]
    pub channels: Vec<String>,
}

/// When a failing check alerts, reminds and resolves.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAlertPolicy {
    /// Consecutive failed runs before the alert fires. Default: 3.
    #[serde(default)]
    pub failure_threshold: Option<u32>,
    /// Consecutive passed runs before a firing alert resolves. Default: 2.
    #[serde(default)]
    pub success_threshold: Option<u32>,
    /// Send a message when the alert resolves. Default: true.
    #[serde(default)]
    pub send_on_resolved: Option<bool>,
    /// Remind while the alert keeps firing, at most this often (at least 5m). Default: never.
    #[serde(default)]
    pub reminder_every: Option<DurationValue>,
    /// `critical`, `high`, `warning` or `info` (incident labels sev-1 … sev-4). Default: critical.
    #[serde(default)]
    pub severity: Option<SeverityName>,
    /// Checks this one depends on: while one of them fails, this check's alerts are suppressed.
    #[serde(default)]
    pub depends_on: Option<Vec<String>>,
}

/// How bad an alert is; decides the incident label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    Critical,
    High,
    Warning,
    Info,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPrometheus {
    /// Base URL, e.g. `http://prometheus:9090` (may use `${NAME}`).
    pub url: TemplateValue,
    /// Sent as `Authorization: Bearer …`; always from the environment: `${PROMETHEUS_TOKEN}`.
    #[serde(default)]
    pub bearer_token: Option<TemplateValue>,
    /// Limit for one query. Default: 10s.
    #[serde(default)]
    pub timeout: Option<DurationValue>,
}

/// One metric check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMetric {
    /// A unique name among checks and metrics.
    pub name: String,
    /// An instant PromQL query returning one value (aggregate with `sum()` or `max()`).
    pub query: String,
    /// Warning threshold: `"> 0.02"`, `">= 1500"`, `"< 0.99"`.
    #[serde(default)]
    pub warn: Option<ThresholdValue>,
    /// Critical threshold, same form.
    #[serde(default)]
    pub critical: Option<ThresholdValue>,
    /// What an empty result means: `inconclusive` (default), `fail` or `pass`.
    #[serde(default)]
    pub on_no_data: Option<NoDataName>,
    /// Compare with an earlier value of the same query or a recorded one.
    #[serde(default)]
    pub baseline: Option<RawBaseline>,
    /// Below this many samples the result is inconclusive (a quiet hour is not an outage).
    #[serde(default)]
    pub min_samples: Option<RawMinSamples>,
    /// Whether a critical result or a fired baseline rule recommends a rollback. Default: true.
    #[serde(default)]
    pub rollback: Option<bool>,
}

/// What an empty query result means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoDataName {
    #[default]
    Inconclusive,
    Fail,
    Pass,
}

/// The baseline a metric is compared with: exactly one of `offset`, `value`, `recorded`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBaseline {
    /// The same query, evaluated this long ago (e.g. `1h`, `1d`-style as `24h`).
    #[serde(default)]
    pub offset: Option<DurationValue>,
    /// A fixed baseline value.
    #[serde(default)]
    pub value: Option<f64>,
    /// The value stored by `health-monitor --record-baseline` (before a deploy).
    #[serde(default)]
    pub recorded: Option<bool>,
    /// Largest allowed increase: `"10%"` (relative) or a number in the metric's unit (absolute).
    pub max_increase: DeltaValue,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMinSamples {
    /// A query counting the samples behind the metric, e.g. `sum(increase(http_requests_total[5m]))`.
    pub query: String,
    pub min: f64,
}

/// A maintenance window: recurring (`days`/`hours` in `timezone`) or one-off (`from`/`to`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMaintenance {
    pub name: String,
    /// Recurring: IANA time zone. Default: UTC.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Recurring: weekdays (`mon` … `sun`). Default: every day.
    #[serde(default)]
    pub days: Option<Vec<String>>,
    /// Recurring: `HH:MM-HH:MM` in the zone.
    #[serde(default)]
    pub hours: Option<String>,
    /// One-off: start, RFC 3339 (`2026-12-01T02:00:00Z`).
    #[serde(default)]
    pub from: Option<String>,
    /// One-off: end, RFC 3339.
    #[serde(default)]
    pub to: Option<String>,
}

/// A comparison with a number: `> 0.05`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdValue {
    pub op: CmpOp,
    pub value: f64,
}

string_schema!(
    ThresholdValue,
    "Threshold",
    "A comparison with a number: `> 0.05`, `>= 2000`, `< 0.99`, `<= 10`."
);

impl<'de> Deserialize<'de> for ThresholdValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, parse_threshold)
    }
}

/// A comparison operator of a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
        }
    }
}

impl fmt::Display for ThresholdValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op.as_str(), self.value)
    }
}

/// Parses `> 0.05`, `>=2000`, `< 0.99`.
pub fn parse_threshold(text: &str) -> Result<ThresholdValue, String> {
    let s = text.trim();
    let hint = "expected a comparison with a number, e.g. `> 0.05` or `>= 2000`";
    let (op, rest) = if let Some(r) = s.strip_prefix(">=") {
        (CmpOp::Ge, r)
    } else if let Some(r) = s.strip_prefix("<=") {
        (CmpOp::Le, r)
    } else if let Some(r) = s.strip_prefix('>') {
        (CmpOp::Gt, r)
    } else if let Some(r) = s.strip_prefix('<') {
        (CmpOp::Lt, r)
    } else {
        return Err(format!("threshold `{s}` has no operator; {hint}"));
    };
    let value: f64 = rest
        .trim()
        .parse()
        .map_err(|_| format!("threshold `{s}`: `{}` is not a number; {hint}", rest.trim()))?;
    if !value.is_finite() {
        return Err(format!("threshold `{s}` must be a finite number"));
    }
    Ok(ThresholdValue { op, value })
}

/// The largest allowed increase over a baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DeltaValue {
    /// `10%`: at most 10 % above the baseline.
    Relative(f64),
    /// `0.01`: at most this much above the baseline, in the metric's unit.
    Absolute(f64),
}

impl JsonSchema for DeltaValue {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Delta")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["string", "number"],
            "description": "Largest allowed increase over the baseline: `\"10%\"` (relative) or a number in the metric's unit (absolute)."
        })
    }
}

impl<'de> Deserialize<'de> for DeltaValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = DeltaValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a percentage such as \"10%\" or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DeltaValue, E> {
                parse_delta(v).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<DeltaValue, E> {
                absolute(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DeltaValue, E> {
                absolute(v as f64).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DeltaValue, E> {
                absolute(v as f64).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

fn absolute(v: f64) -> Result<DeltaValue, String> {
    if v.is_finite() && v >= 0.0 {
        Ok(DeltaValue::Absolute(v))
    } else {
        Err(format!("max-increase {v} must be a number of at least 0"))
    }
}

/// Parses `10%` (relative) or `0.01` (absolute).
pub fn parse_delta(text: &str) -> Result<DeltaValue, String> {
    let s = text.trim();
    match s.strip_suffix('%') {
        Some(p) => match p.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(DeltaValue::Relative(v)),
            _ => Err(format!(
                "max-increase `{s}`: expected a percentage such as `10%` or a number such as `0.01`"
            )),
        },
        None => s.parse::<f64>().map_err(|_| {
            format!(
                "max-increase `{s}`: expected a percentage such as `10%` or a number such as `0.01`"
            )
        })
        .and_then(absolute),
    }
}

/// A validated alert policy; `None` fields fall back to the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertSpec {
    pub failure_threshold: Option<u32>,
    pub success_threshold: Option<u32>,
    pub send_on_resolved: Option<bool>,
    pub reminder_every: Option<Duration>,
    pub severity: Option<SeverityName>,
    pub depends_on: Vec<String>,
}

/// The Prometheus server.
#[derive(Debug, Clone)]
pub struct PrometheusSpec {
    pub url: Located<Template>,
    pub bearer_token: Option<Located<Template>>,
    pub timeout: Duration,
}

/// The baseline of a metric.
#[derive(Debug, Clone, PartialEq)]
pub enum BaselineSpec {
    Offset(Duration, DeltaValue),
    Value(f64, DeltaValue),
    Recorded(DeltaValue),
}

/// A validated metric check.
#[derive(Debug, Clone)]
pub struct MetricSpec {
    pub name: String,
    pub line: usize,
    pub query: String,
    pub warn: Option<ThresholdValue>,
    pub critical: Option<ThresholdValue>,
    pub on_no_data: NoDataName,
    pub baseline: Option<BaselineSpec>,
    pub min_samples: Option<(String, f64)>,
    pub rollback: bool,
}

/// A validated maintenance window.
#[derive(Debug, Clone)]
pub enum MaintenanceSpec {
    Recurring {
        name: String,
        window: ChangeWindow,
    },
    Once {
        name: String,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    },
}

/// The validated section.
#[derive(Debug, Clone, Default)]
pub struct MonitorConfig {
    pub environment: Option<String>,
    /// `None`: every check of the environment.
    pub checks: Option<Vec<String>>,
    pub interval: Option<Duration>,
    pub alerts: AlertSpec,
    pub overrides: BTreeMap<String, AlertSpec>,
    pub prometheus: Option<PrometheusSpec>,
    pub metrics: Vec<MetricSpec>,
    pub maintenance: Vec<MaintenanceSpec>,
    pub channels: Vec<String>,
}

impl MonitorConfig {
    /// The templates of the section, for `config check`.
    pub fn templates(&self) -> Vec<&Located<Template>> {
        let mut out = Vec::new();
        if let Some(p) = &self.prometheus {
            out.push(&p.url);
            out.extend(p.bearer_token.iter());
        }
        out
    }
}

/// Validates the section; `checks` and `channels` are the names defined elsewhere in the file.
pub(super) fn validate(
    raw: RawMonitor,
    checks: &BTreeSet<String>,
    channels: &BTreeSet<String>,
    text: &str,
    path: &str,
) -> Result<MonitorConfig, ConfigError> {
    let err = |needle: &str, key: String, message: String| {
        let (line, column) = locate(text, needle);
        ConfigError::Value {
            path: path.to_owned(),
            line,
            column,
            key,
            message,
        }
    };
    let mut names: BTreeSet<String> = BTreeSet::new();
    if let Some(list) = &raw.checks {
        for name in list {
            if !checks.contains(name) {
                return Err(err(
                    name,
                    "monitor.checks".into(),
                    format!("no check named `{name}` in `checks:`"),
                ));
            }
            names.insert(name.clone());
        }
    } else {
        names.extend(checks.iter().cloned());
    }
    let mut metrics = Vec::new();
    for m in raw.metrics {
        let key = format!("monitor.metrics.{}", m.name);
        if checks.contains(&m.name) || metrics.iter().any(|x: &MetricSpec| x.name == m.name) {
            return Err(err(
                &m.name,
                key,
                "the name is already used by a check or another metric; names must be unique"
                    .into(),
            ));
        }
        if m.query.trim().is_empty() {
            return Err(err(&m.name, key, "`query` is empty".into()));
        }
        if m.warn.is_none() && m.critical.is_none() && m.baseline.is_none() {
            return Err(err(
                &m.name,
                key,
                "give `warn`, `critical` or `baseline`: a metric with nothing to compare cannot fail"
                    .into(),
            ));
        }
        let baseline = match m.baseline {
            None => None,
            Some(b) => {
                let given = [
                    b.offset.is_some(),
                    b.value.is_some(),
                    b.recorded == Some(true),
                ];
                if given.iter().filter(|g| **g).count() != 1 {
                    return Err(err(
                        &m.name,
                        format!("{key}.baseline"),
                        "give exactly one of `offset`, `value` or `recorded: true`".into(),
                    ));
                }
                Some(match (b.offset, b.value) {
                    (Some(o), _) => BaselineSpec::Offset(o.0, b.max_increase),
                    (None, Some(v)) => BaselineSpec::Value(v, b.max_increase),
                    (None, None) => BaselineSpec::Recorded(b.max_increase),
                })
            }
        };
        let (line, _) = locate(text, &format!("name: {}", m.name));
        names.insert(m.name.clone());
        metrics.push(MetricSpec {
            name: m.name,
            line,
            query: m.query,
            warn: m.warn,
            critical: m.critical,
            on_no_data: m.on_no_data.unwrap_or_default(),
            baseline,
            min_samples: m.min_samples.map(|s| (s.query, s.min)),
            rollback: m.rollback.unwrap_or(true),
        });
    }
    if !metrics.is_empty() && raw.prometheus.is_none() {
        return Err(err(
            "metrics:",
            "monitor.metrics".into(),
            "metric checks need `monitor.prometheus.url`".into(),
        ));
    }
    let alerts = alert(raw.alerts.unwrap_or_default(), "monitor.alerts", &err)?;
    let mut overrides = BTreeMap::new();
    for (name, policy) in raw.overrides {
        let key = format!("monitor.overrides.{name}");
        if !names.contains(&name) {
            return Err(err(
                &format!("{name}:"),
                key,
                format!("`{name}` is not a monitored check or metric"),
            ));
        }
        let spec = alert(policy, &key, &err)?;
        for parent in &spec.depends_on {
            if !names.contains(parent) || parent == &name {
                return Err(err(
                    parent,
                    format!("{key}.depends-on"),
                    format!("`{parent}` is not another monitored check or metric"),
                ));
            }
        }
        overrides.insert(name, spec);
    }
    if let Some(cycle) = dependency_cycle(&overrides) {
        return Err(err(
            &format!("{}:", cycle[0]),
            format!("monitor.overrides.{}.depends-on", cycle[0]),
            format!(
                "`depends-on` goes round in a circle ({}): each would silence the other's alerts for good",
                cycle.join(" → ")
            ),
        ));
    }
    if !alerts.depends_on.is_empty() {
        return Err(err(
            "depends-on",
            "monitor.alerts.depends-on".into(),
            "`depends-on` belongs under `monitor.overrides.<check>`".into(),
        ));
    }
    let mut maintenance = Vec::new();
    for w in raw.maintenance {
        let key = format!("monitor.maintenance.{}", w.name);
        let recurring = w.timezone.is_some() || w.days.is_some() || w.hours.is_some();
        let once = w.from.is_some() || w.to.is_some();
        maintenance.push(match (recurring, once, w.from, w.to) {
            (false, true, Some(from), Some(to)) => {
                let parse = |s: &str| {
                    s.parse::<jiff::Timestamp>().map_err(|_| {
                        err(
                            s,
                            key.clone(),
                            format!("`{s}` is not an RFC 3339 time such as 2026-12-01T02:00:00Z"),
                        )
                    })
                };
                let (from_t, to_t) = (parse(&from)?, parse(&to)?);
                if to_t <= from_t {
                    return Err(err(&to, key, "`to` must be after `from`".into()));
                }
                MaintenanceSpec::Once {
                    name: w.name,
                    from: from_t,
                    to: to_t,
                }
            }
            (true, false, _, _) => {
                if w.hours.is_none() && w.days.is_none() {
                    return Err(err(
                        &w.name,
                        key,
                        "a recurring window needs `days`, `hours` or both".into(),
                    ));
                }
                let window = ChangeWindow::parse(
                    w.timezone.as_deref().unwrap_or("UTC"),
                    &w.days.unwrap_or_default(),
                    w.hours.as_deref(),
                    &[],
                )
                .map_err(|e| err(&w.name, key.clone(), e.to_string()))?;
                MaintenanceSpec::Recurring {
                    name: w.name,
                    window,
                }
            }
            _ => {
                return Err(err(
                    &w.name,
                    key,
                    "give either `from` and `to` (one-off) or `days`/`hours` with an optional `timezone` (recurring)"
                        .into(),
                ));
            }
        });
    }
    for name in &raw.channels {
        if !channels.contains(name) {
            return Err(err(
                name,
                "monitor.channels".into(),
                format!("no channel named `{name}`; define it under `notify.channels`"),
            ));
        }
    }
    let prometheus = match raw.prometheus {
        None => None,
        Some(p) => {
            let url = located(text, p.url, "monitor.prometheus.url");
            let bearer_token = p
                .bearer_token
                .map(|t| located(text, t, "monitor.prometheus.bearer-token"));
            Some(PrometheusSpec {
                url,
                bearer_token,
                timeout: p.timeout.map_or(Duration::from_secs(10), |d| d.0),
            })
        }
    };
    Ok(MonitorConfig {
        environment: raw.environment,
        checks: raw.checks,
        interval: raw.interval.map(|d| d.0),
        alerts,
        overrides,
        prometheus,
        metrics,
        maintenance,
        channels: raw.channels,
    })
}

/// A chain of `depends-on` that comes back to where it started, e.g. `[a, b, a]`.
fn dependency_cycle(overrides: &BTreeMap<String, AlertSpec>) -> Option<Vec<String>> {
    fn walk(
        name: &str,
        overrides: &BTreeMap<String, AlertSpec>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|p| p == name) {
            let mut cycle = path[start..].to_vec();
            cycle.push(name.to_owned());
            return Some(cycle);
        }
        if done.contains(name) {
            return None;
        }
        path.push(name.to_owned());
        for parent in overrides
            .get(name)
            .map(|o| o.depends_on.as_slice())
            .unwrap_or_default()
        {
            if let Some(cycle) = walk(parent, overrides, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(name.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    overrides
        .keys()
        .find_map(|name| walk(name, overrides, &mut Vec::new(), &mut done))
}

fn located(text: &str, value: TemplateValue, key: &str) -> Located<Template> {
    let (line, column) = locate(text, value.0.raw());
    Located {
        value: value.0,
        key: key.to_owned(),
        line,
        column,
    }
}

fn alert(
    raw: RawAlertPolicy,
    key: &str,
    err: &dyn Fn(&str, String, String) -> ConfigError,
) -> Result<AlertSpec, ConfigError> {
    for (name, v) in [
        ("failure-threshold", raw.failure_threshold),
        ("success-threshold", raw.success_threshold),
    ] {
        if v == Some(0) {
            return Err(err(
                name,
                format!("{key}.{name}"),
                "must be at least 1".into(),
            ));
        }
    }
    if let Some(r) = raw.reminder_every
        && r.0 < MIN_REMINDER
    {
        return Err(err(
            "reminder-every",
            format!("{key}.reminder-every"),
            "reminders more often than every 5m are noise; use at least `5m`".into(),
        ));
    }
    Ok(AlertSpec {
        failure_threshold: raw.failure_threshold,
        success_threshold: raw.success_threshold,
        send_on_resolved: raw.send_on_resolved,
        reminder_every: raw.reminder_every.map(|d| d.0),
        severity: raw.severity,
        depends_on: raw.depends_on.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests;
