//! One round of measurements: every HTTP check through the smoke engine and every metric query,
//! concurrently, turned into the state machine's observations.

use std::sync::Arc;

use jiff::Timestamp;

use super::setup::{self, Setup};
use crate::cli::HealthMonitorArgs;
use crate::config::monitor::MonitorConfig;
use crate::monitor::{Health, Observation, Severity, State};
use crate::probe::prom::{self, MetricResult, MetricStatus};
use crate::probe::{self, CheckStatus, Clients, RunOptions};
use crate::secret::Redactor;

/// What one round measured.
#[derive(Debug, Clone)]
pub struct Round {
    pub metrics: Vec<MetricResult>,
    pub observations: Vec<Observation>,
    /// Things people should know that do not change health (a baseline not recorded yet).
    pub notes: Vec<String>,
    /// Measurements that could not be made (Prometheus unreachable, a query error).
    pub problems: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn measure(
    setup: &Setup,
    clients: &Clients,
    monitor: &MonitorConfig,
    state: &State,
    args: &HealthMonitorArgs,
    now: Timestamp,
    redactor: &Redactor,
) -> Round {
    let options = RunOptions {
        concurrency: usize::from(args.concurrency),
        deadline: Some(args.deadline),
        now_unix: Timestamp::now().as_second(),
    };
    let http_run = probe::run(&setup.planned.checks, clients, &options, redactor);
    let mut notes = Vec::new();
    let mut set = tokio::task::JoinSet::new();
    if let Some(client) = &setup.prometheus {
        let client = Arc::new(client.clone());
        for (index, spec) in setup.metrics.iter().enumerate() {
            let (check, note) = setup::metric_check(spec, state.baselines.get(&spec.name).copied());
            notes.extend(note);
            let client = Arc::clone(&client);
            set.spawn(async move { (index, prom::evaluate(&client, &check, now).await) });
        }
    }
    let http = http_run.await;
    let mut metrics: Vec<Option<MetricResult>> = vec![None; setup.metrics.len()];
    while let Some(joined) = set.join_next().await {
        if let Ok((index, result)) = joined {
            metrics[index] = Some(result);
        }
    }
    let metrics: Vec<MetricResult> = metrics.into_iter().flatten().collect();

    let mut observations = Vec::new();
    let mut problems = Vec::new();
    for c in &http.checks {
        let health = match c.status {
            CheckStatus::Passed => Health::Up,
            CheckStatus::Failed | CheckStatus::Error => Health::Down,
        };
        let detail = match health {
            Health::Up => "passing".to_owned(),
            _ => format!(
                "{} {}: {}",
                c.method,
                c.url,
                c.reason().unwrap_or_else(|| "failed".into())
            ),
        };
        observations.push(Observation {
            check: c.name.clone(),
            health,
            severity: setup::check_severity(monitor, &c.name),
            detail: redactor.redact(&detail),
            response_ms: c.timings.as_ref().map(|t| t.total.as_secs_f64() * 1000.0),
            value: None,
        });
    }
    for m in &metrics {
        let (health, severity) = match m.status {
            MetricStatus::Ok => (Health::Up, setup::check_severity(monitor, &m.name)),
            MetricStatus::Warn => (Health::Down, Severity::Warning),
            MetricStatus::Critical => (Health::Down, setup::check_severity(monitor, &m.name)),
            MetricStatus::Inconclusive => {
                (Health::Unknown, setup::check_severity(monitor, &m.name))
            }
            MetricStatus::Error => {
                problems.push(format!("metric `{}`: {}", m.name, m.detail));
                (Health::Unknown, setup::check_severity(monitor, &m.name))
            }
        };
        observations.push(Observation {
            check: m.name.clone(),
            health,
            severity,
            detail: redactor.redact(&m.detail),
            response_ms: Some(m.duration.as_secs_f64() * 1000.0),
            value: m.value,
        });
    }
    Round {
        metrics,
        observations,
        notes,
        problems,
    }
}

/// The values `--record-baseline` stores: finite ones only (NaN from 0/0 is no baseline, and
/// JSON could not hold it).
pub fn baselines(metrics: &[MetricResult]) -> Vec<(String, f64)> {
    metrics
        .iter()
        .filter_map(|m| {
            m.value
                .filter(|v| v.is_finite())
                .map(|v| (m.name.clone(), v))
        })
        .collect()
}

/// The first rollback rule that holds after this round: a metric marked `rollback` that is
/// critical (its threshold or its baseline rule), or an HTTP check whose alert is firing.
pub fn rollback_rule(
    round: &Round,
    state: &State,
    monitor: &MonitorConfig,
    setup: &Setup,
) -> Option<String> {
    for m in &round.metrics {
        let spec = monitor.metrics.iter().find(|s| s.name == m.name)?;
        if spec.rollback && m.status == MetricStatus::Critical {
            return Some(match &m.rule_fired {
                Some(rule) => format!("{}: {rule}", m.name),
                None => format!("{}: {}", m.name, m.detail),
            });
        }
    }
    for check in &setup.planned.checks {
        let Some(c) = state.checks.get(&check.name) else {
            continue;
        };
        if c.firing && matches!(c.severity, Severity::Critical) {
            return Some(format!(
                "{}: failed {} consecutive runs (failure-threshold {})",
                check.name,
                c.consecutive_failures,
                setup.policies.for_check(&check.name).failure_threshold
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_finite_values_become_baselines_and_the_state_still_reads_back() {
        let result = |name: &str, value: Option<f64>| MetricResult {
            name: name.into(),
            query: "q".into(),
            status: MetricStatus::Ok,
            value,
            baseline_value: None,
            detail: String::new(),
            rule_fired: None,
            duration: std::time::Duration::ZERO,
        };
        let values = baselines(&[
            result("p95", Some(1500.0)),
            result("ratio", Some(f64::NAN)),
            result("inf", Some(f64::INFINITY)),
            result("none", None),
        ]);
        assert_eq!(values, vec![("p95".to_owned(), 1500.0)]);
        let mut state = State::fresh();
        state.baselines.extend(values);
        assert_eq!(State::from_json(&state.to_json()).unwrap(), state);
    }
}
