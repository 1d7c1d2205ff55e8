//! From flags and the `monitor:` section to what a run needs: concrete HTTP checks, metric
//! checks, alert policies, alert destinations — with every secret registered before anything
//! is printed.

use std::collections::BTreeMap;
use std::time::Duration;

use super::super::Session;
use crate::cli::HealthMonitorArgs;
use crate::config::monitor::{
    AlertSpec, BaselineSpec, CmpOp, DEFAULT_INTERVAL, DeltaValue, MaintenanceSpec, MetricSpec,
    MonitorConfig, NoDataName, SeverityName, ThresholdValue,
};
use crate::config::{ChannelProvider, Config};
use crate::error::Error;
use crate::monitor::{AlertPolicy, Maintenance, Policies, Severity};
use crate::notify::{Destination, Provider};
use crate::probe::prom::{self, PromClient};
use crate::probe::{self, Planned, Selection};
use crate::secret::Secret;

/// Everything a round needs, resolved once.
pub struct Setup {
    pub environment: Option<String>,
    pub planned: Planned,
    pub metrics: Vec<MetricSpec>,
    pub prometheus: Option<PromClient>,
    pub policies: Policies,
    pub destinations: Vec<Destination>,
    /// Destinations that could not be used (a warning each; alerts go to the others).
    pub destination_problems: Vec<String>,
}

pub fn prepare(
    args: &HealthMonitorArgs,
    config: &Config,
    session: &mut Session,
) -> Result<Setup, Error> {
    let monitor = config.monitor.clone().unwrap_or_default();
    let metric_names: Vec<&str> = monitor.metrics.iter().map(|m| m.name.as_str()).collect();
    for name in &args.checks {
        let known =
            config.checks.iter().any(|c| &c.name == name) || metric_names.contains(&name.as_str());
        if !known {
            return Err(Error::Usage(format!(
                "--check {name}: no check or metric of that name in `{}`",
                config.display_path()
            )));
        }
    }
    let wanted = |name: &str| args.checks.is_empty() || args.checks.iter().any(|c| c == name);
    let environment = args
        .environment
        .clone()
        .or_else(|| monitor.environment.clone());

    // HTTP checks: `monitor.checks` (or every check), narrowed by --check.
    let mut http_names: Vec<String> = match &monitor.checks {
        Some(list) => list.clone(),
        None => config.checks.iter().map(|c| c.name.clone()).collect(),
    };
    http_names.retain(|n| wanted(n));
    let lookup = |k: &str| session.env.get(k).map(str::to_owned);
    let planned = if http_names.is_empty() {
        Planned::default()
    } else {
        let selection = Selection {
            environment: environment.clone(),
            slot: None,
            names: http_names,
        };
        probe::plan(config, &selection, &lookup)?
    };
    let metrics: Vec<MetricSpec> = monitor
        .metrics
        .iter()
        .filter(|m| wanted(&m.name))
        .cloned()
        .collect();
    if planned.checks.is_empty() && metrics.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to monitor: add `checks:` or `monitor.metrics` to `{}`",
            config.display_path()
        )));
    }
    let prometheus = match (&monitor.prometheus, metrics.is_empty()) {
        (Some(p), false) => {
            let url = config.resolve(&p.url, &lookup)?;
            let token = match &p.bearer_token {
                Some(t) => Some(config.resolve(t, &lookup)?),
                None => None,
            };
            Some((url, token, p.timeout))
        }
        _ => None,
    };
    let destinations = destinations(args, config, &monitor, session)?;
    for secret in &planned.secrets {
        session.add_secret(secret);
    }
    let prometheus = match prometheus {
        Some((url, token, timeout)) => {
            if let Some(t) = &token {
                session.add_secret(t);
            }
            let base = url::Url::parse(&url).map_err(|e| {
                Error::Usage(format!(
                    "monitor.prometheus.url `{}` is not a URL ({e})",
                    session.redact(&url)
                ))
            })?;
            Some(
                PromClient::new(base, token.map(Secret::new), timeout)
                    .map_err(|e| Error::Service(e.to_string()))?,
            )
        }
        None => None,
    };
    let interval = args
        .interval
        .or(monitor.interval)
        .unwrap_or(DEFAULT_INTERVAL);
    Ok(Setup {
        environment: environment.or_else(|| {
            (config.environments.len() == 1)
                .then(|| config.environments.keys().next().cloned())
                .flatten()
        }),
        planned,
        metrics,
        prometheus,
        policies: policies(&monitor, interval)?,
        destinations: destinations.0,
        destination_problems: destinations.1,
    })
}

fn severity(name: SeverityName) -> Severity {
    match name {
        SeverityName::Critical => Severity::Critical,
        SeverityName::High => Severity::High,
        SeverityName::Warning => Severity::Warning,
        SeverityName::Info => Severity::Info,
    }
}

fn signed(d: Duration) -> jiff::SignedDuration {
    jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::MAX)
}

/// The severity of a check's alerts: its override, else the section's default, else critical.
pub fn check_severity(monitor: &MonitorConfig, name: &str) -> Severity {
    let over = monitor.overrides.get(name).and_then(|o| o.severity);
    severity(
        over.or(monitor.alerts.severity)
            .unwrap_or(SeverityName::Critical),
    )
}

fn policy(default: &AlertSpec, over: Option<&AlertSpec>) -> AlertPolicy {
    let base = AlertPolicy::default();
    let pick = |f: fn(&AlertSpec) -> Option<u32>, d: u32| {
        over.and_then(f).or_else(|| f(default)).unwrap_or(d)
    };
    AlertPolicy {
        failure_threshold: pick(|s| s.failure_threshold, base.failure_threshold),
        success_threshold: pick(|s| s.success_threshold, base.success_threshold),
        send_on_resolved: over
            .and_then(|s| s.send_on_resolved)
            .or(default.send_on_resolved)
            .unwrap_or(base.send_on_resolved),
        reminder_every: over
            .and_then(|s| s.reminder_every)
            .or(default.reminder_every)
            .map(signed)
            .or(base.reminder_every),
        depends_on: over.map(|s| s.depends_on.clone()).unwrap_or_default(),
    }
}

fn policies(monitor: &MonitorConfig, interval: Duration) -> Result<Policies, Error> {
    let per_check: BTreeMap<String, AlertPolicy> = monitor
        .overrides
        .iter()
        .map(|(name, spec)| (name.clone(), policy(&monitor.alerts, Some(spec))))
        .collect();
    let maintenance = monitor
        .maintenance
        .iter()
        .map(|m| match m {
            MaintenanceSpec::Recurring { name, window } => Maintenance::Recurring {
                name: name.clone(),
                window: window.clone(),
            },
            MaintenanceSpec::Once { name, from, to } => Maintenance::Once {
                name: name.clone(),
                from: *from,
                to: *to,
            },
        })
        .collect();
    Ok(Policies {
        default: policy(&monitor.alerts, None),
        per_check,
        maintenance,
        interval: signed(interval),
    })
}

fn threshold(t: &ThresholdValue) -> prom::Threshold {
    let op = match t.op {
        CmpOp::Gt => prom::Op::Gt,
        CmpOp::Ge => prom::Op::Ge,
        CmpOp::Lt => prom::Op::Lt,
        CmpOp::Le => prom::Op::Le,
    };
    prom::Threshold { op, value: t.value }
}

fn delta(d: DeltaValue) -> prom::Delta {
    match d {
        DeltaValue::Relative(p) => prom::Delta::Relative {
            max_increase_percent: p,
        },
        DeltaValue::Absolute(v) => prom::Delta::Absolute { max_increase: v },
    }
}

/// The engine's form of a metric check. A `recorded` baseline takes its value from the state;
/// without one the metric is judged by its thresholds alone and the note says why.
pub fn metric_check(
    spec: &MetricSpec,
    recorded: Option<f64>,
) -> (prom::MetricCheck, Option<String>) {
    let mut note = None;
    let baseline = match &spec.baseline {
        None => None,
        Some(BaselineSpec::Offset(offset, d)) => Some(prom::Baseline::Offset {
            offset: signed(*offset),
            rule: delta(*d),
        }),
        Some(BaselineSpec::Value(v, d)) => Some(prom::Baseline::Recorded {
            value: *v,
            rule: delta(*d),
        }),
        Some(BaselineSpec::Recorded(d)) => match recorded {
            Some(value) => Some(prom::Baseline::Recorded {
                value,
                rule: delta(*d),
            }),
            None => {
                note = Some(format!(
                    "{}: no recorded baseline yet; run `health-monitor --record-baseline` before a deploy",
                    spec.name
                ));
                None
            }
        },
    };
    let check = prom::MetricCheck {
        name: spec.name.clone(),
        query: spec.query.clone(),
        warn: spec.warn.as_ref().map(threshold),
        critical: spec.critical.as_ref().map(threshold),
        on_no_data: match spec.on_no_data {
            NoDataName::Inconclusive => prom::NoData::Inconclusive,
            NoDataName::Fail => prom::NoData::Fail,
            NoDataName::Pass => prom::NoData::Pass,
        },
        baseline,
        min_samples: spec.min_samples.as_ref().map(|(q, min)| prom::MinSamples {
            query: q.clone(),
            min: *min,
        }),
    };
    (check, note)
}

/// Alert destinations: `--channel`, else `monitor.channels`, else `DECODER_OPS_WEBHOOK`, else
/// `notify.default-channels`. Every URL is a secret from the moment it is read.
fn destinations(
    args: &HealthMonitorArgs,
    config: &Config,
    monitor: &MonitorConfig,
    session: &mut Session,
) -> Result<(Vec<Destination>, Vec<String>), Error> {
    if args.no_notify {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut raw: Vec<(String, String, Option<Provider>)> = Vec::new();
    let names = if !args.channels.is_empty() {
        args.channels.clone()
    } else {
        monitor.channels.clone()
    };
    if names.is_empty()
        && let Some(list) = session.env.get("DECODER_OPS_WEBHOOK").map(str::to_owned)
    {
        for (i, url) in super::super::notify::env_webhooks(&list).enumerate() {
            raw.push((
                format!("DECODER_OPS_WEBHOOK {}", i + 1),
                url.to_owned(),
                args.provider,
            ));
        }
    }
    let names = if names.is_empty() && raw.is_empty() {
        config.notify.default_channels.clone()
    } else {
        names
    };
    for name in names {
        let channel = config.notify.channels.get(&name).ok_or_else(|| {
            Error::Usage(format!(
                "--channel {name}: no such channel in `notify.channels` of `{}`",
                config.display_path()
            ))
        })?;
        let url = config.resolve(&channel.webhook, &|k| session.env.get(k).map(str::to_owned))?;
        let provider = channel.provider.map(|p| match p {
            ChannelProvider::Slack => Provider::Slack,
            ChannelProvider::Discord => Provider::Discord,
        });
        raw.push((format!("channel {name}"), url, provider));
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (name, url, provider) in raw {
        session.add_secret(&url);
        match super::super::notify::check_destination(&name, &url, provider) {
            Ok(d) => out.push(d),
            Err(e) => problems.push(e.to_string()),
        }
    }
    Ok((out, problems))
}
