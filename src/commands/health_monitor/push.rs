//! This run's results as Pushgateway metric families (names documented in `probe::push`).

use jiff::Timestamp;

use super::round::Round;
use crate::monitor::{Health, State};
use crate::probe::push::{self, MetricFamily, PushError};

fn family(name: &str, help: &str) -> MetricFamily {
    MetricFamily {
        name: name.into(),
        help: help.into(),
        samples: Vec::new(),
    }
}

/// The families of one run.
pub fn families(round: &Round, state: &State, now: Timestamp) -> Vec<MetricFamily> {
    let mut up = family(
        "decoder_ops_check_up",
        "1 when the check passed in the last run, 0 when it failed (absent when unknown).",
    );
    let mut response = family(
        "decoder_ops_check_response_seconds",
        "Response time of the check in the last run.",
    );
    let mut value = family(
        "decoder_ops_metric_value",
        "Value of the metric check's query in the last run.",
    );
    let mut firing = family(
        "decoder_ops_alert_firing",
        "1 while the check's alert is firing.",
    );
    let mut run = family(
        "decoder_ops_run_timestamp_seconds",
        "When the monitor last ran (Unix seconds).",
    );
    let mut blind = family(
        "decoder_ops_blind_seconds_total",
        "Seconds in which monitoring did not run (gaps over twice the interval) in the stored history.",
    );
    for o in &round.observations {
        let labels = vec![("check".to_owned(), o.check.clone())];
        match o.health {
            Health::Up => up.samples.push((labels.clone(), 1.0)),
            Health::Down => up.samples.push((labels.clone(), 0.0)),
            Health::Unknown => {}
        }
        if o.value.is_none()
            && let Some(ms) = o.response_ms
        {
            response.samples.push((labels.clone(), ms / 1000.0));
        }
        if let Some(v) = o.value {
            value.samples.push((labels.clone(), v));
        }
    }
    for (name, c) in &state.checks {
        firing.samples.push((
            vec![
                ("check".to_owned(), name.clone()),
                ("severity".to_owned(), c.severity.as_str().to_owned()),
            ],
            if c.firing { 1.0 } else { 0.0 },
        ));
    }
    run.samples.push((Vec::new(), now.as_second() as f64));
    let blind_total: i64 = state
        .blind
        .iter()
        .map(|b| b.to.duration_since(b.from).as_secs())
        .sum();
    blind.samples.push((Vec::new(), blind_total as f64));
    vec![up, response, value, firing, run, blind]
}

pub async fn push(
    client: &reqwest::Client,
    gateway: &str,
    job: &str,
    environment: Option<&str>,
    round: &Round,
    state: &State,
    now: Timestamp,
) -> Result<(), PushError> {
    let grouping: Vec<(String, String)> = environment
        .map(|e| vec![("environment".to_owned(), e.to_owned())])
        .unwrap_or_default();
    push::push(
        client,
        gateway,
        job,
        &grouping,
        &families(round, state, now),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dashboard in docs/grafana/ queries only metrics this module pushes, and shows each.
    #[test]
    fn the_grafana_dashboard_uses_exactly_the_pushed_metric_names() {
        let round = Round {
            metrics: Vec::new(),
            observations: Vec::new(),
            notes: Vec::new(),
            problems: Vec::new(),
        };
        let pushed: std::collections::BTreeSet<String> =
            families(&round, &State::fresh(), Timestamp::UNIX_EPOCH)
                .into_iter()
                .map(|f| f.name)
                .collect();
        let dashboard: serde_json::Value =
            serde_json::from_str(include_str!("../../../docs/grafana/decoder-ops.json")).unwrap();
        let name = regex::Regex::new(r"decoder_ops_[a-z_]+").unwrap();
        let mut used = std::collections::BTreeSet::new();
        for panel in dashboard["panels"].as_array().unwrap() {
            for target in panel["targets"].as_array().unwrap() {
                let expr = target["expr"].as_str().unwrap();
                used.extend(name.find_iter(expr).map(|m| m.as_str().to_owned()));
            }
        }
        assert_eq!(used, pushed);
    }
}
