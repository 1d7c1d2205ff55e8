//! Judging one metric check: thresholds, no data, the minimum-sample guard, the baseline rule.

use std::time::Instant;

use jiff::Timestamp;

use super::{
    Baseline, Delta, MetricCheck, MetricResult, MetricStatus, NoData, PromClient, PromSample,
};

/// Series named in a "more than one series" error.
const SHOWN_SERIES: usize = 3;

fn series_name(s: &PromSample) -> String {
    let labels: Vec<String> = s
        .labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    format!("{{{}}}", labels.join(", "))
}

/// The one value of a query: `Ok(None)` for no data, an error for more than one series.
async fn single(
    client: &PromClient,
    query: &str,
    at: Option<Timestamp>,
) -> Result<Option<f64>, String> {
    let samples = client.instant(query, at).await.map_err(|e| e.to_string())?;
    match samples.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.value)),
        many => {
            let shown: Vec<String> = many.iter().take(SHOWN_SERIES).map(series_name).collect();
            let more = many.len().saturating_sub(SHOWN_SERIES);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            Err(format!(
                "{} series returned: {}{more}; the query must return one value — aggregate it with sum() or max()",
                many.len(),
                shown.join(", ")
            ))
        }
    }
}

/// Short numbers for messages: `0.071`, `1530`, `12.5`.
fn num(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.into()
    }
}

/// Evaluates `check` at `now`. Never fails: every problem is a status with a detail.
pub async fn evaluate(client: &PromClient, check: &MetricCheck, now: Timestamp) -> MetricResult {
    let started = Instant::now();
    let mut result = MetricResult {
        name: check.name.clone(),
        query: check.query.clone(),
        status: MetricStatus::Error,
        value: None,
        baseline_value: None,
        detail: String::new(),
        rule_fired: None,
        duration: Default::default(),
    };
    judge(client, check, now, &mut result).await;
    result.duration = started.elapsed();
    result
}

async fn judge(client: &PromClient, check: &MetricCheck, now: Timestamp, r: &mut MetricResult) {
    let value = match single(client, &check.query, Some(now)).await {
        Ok(v) => v,
        Err(e) => {
            r.status = MetricStatus::Error;
            r.detail = e;
            return;
        }
    };
    let Some(value) = value else {
        (r.status, r.detail) = match check.on_no_data {
            NoData::Inconclusive => (
                MetricStatus::Inconclusive,
                "no data for the query (on-no-data: inconclusive)".into(),
            ),
            NoData::Fail => (
                MetricStatus::Critical,
                "no data for the query (on-no-data: fail)".into(),
            ),
            NoData::Pass => (
                MetricStatus::Ok,
                "no data for the query (on-no-data: pass)".into(),
            ),
        };
        return;
    };
    r.value = Some(value);
    if value.is_nan() {
        r.status = MetricStatus::Inconclusive;
        r.detail = "the query returned NaN (e.g. 0/0: no requests in the window)".into();
        return;
    }
    if let Some(guard) = &check.min_samples {
        match single(client, &guard.query, Some(now)).await {
            Ok(Some(n)) if n >= guard.min => {}
            Ok(n) => {
                r.status = MetricStatus::Inconclusive;
                r.detail = format!(
                    "only {} samples (min-samples {}): too few to judge {}",
                    num(n.unwrap_or(0.0)),
                    num(guard.min),
                    num(value)
                );
                return;
            }
            Err(e) => {
                r.status = MetricStatus::Error;
                r.detail = format!("min-samples query: {e}");
                return;
            }
        }
    }
    if let Some(t) = &check.critical
        && t.breached_by(value)
    {
        r.status = MetricStatus::Critical;
        r.detail = format!("{} is {} ({t}: critical)", check.name, num(value));
        return;
    }
    if let Some(baseline) = &check.baseline {
        let (base, rule, when) = match baseline {
            Baseline::Offset { offset, rule } => {
                let then = now.checked_sub(*offset).unwrap_or(now);
                match single(client, &check.query, Some(then)).await {
                    Ok(Some(b)) => (
                        b,
                        *rule,
                        format!(
                            "{} ago",
                            crate::config::assertion::format_duration(
                                std::time::Duration::try_from(*offset).unwrap_or_default()
                            )
                        ),
                    ),
                    Ok(None) => {
                        r.status = MetricStatus::Inconclusive;
                        r.detail = format!(
                            "{} is {}, but the query has no data at the baseline time",
                            check.name,
                            num(value)
                        );
                        return;
                    }
                    Err(e) => {
                        r.status = MetricStatus::Error;
                        r.detail = format!("baseline query: {e}");
                        return;
                    }
                }
            }
            Baseline::Recorded { value, rule } => (*value, *rule, "recorded".into()),
        };
        r.baseline_value = Some(base);
        if let Some(fired) = baseline_rule(check, value, base, rule, &when) {
            r.status = MetricStatus::Critical;
            r.detail.clone_from(&fired);
            r.rule_fired = Some(fired);
            return;
        }
    }
    if let Some(t) = &check.warn
        && t.breached_by(value)
    {
        r.status = MetricStatus::Warn;
        r.detail = format!("{} is {} ({t}: warning)", check.name, num(value));
        return;
    }
    r.status = MetricStatus::Ok;
    r.detail = match r.baseline_value {
        Some(b) => format!("{} is {} (baseline {})", check.name, num(value), num(b)),
        None => format!("{} is {}", check.name, num(value)),
    };
}

/// The rule's description when `value` rose more over `base` than allowed. A zero baseline
/// makes a relative rule meaningless, so any increase over zero is judged as absolute.
fn baseline_rule(
    check: &MetricCheck,
    value: f64,
    base: f64,
    rule: Delta,
    when: &str,
) -> Option<String> {
    let increase = value - base;
    match rule {
        Delta::Relative { max_increase_percent } if base > 0.0 => {
            let percent = increase / base * 100.0;
            (percent > max_increase_percent).then(|| {
                format!(
                    "baseline rule: {} is {}, {:+.0}% over its baseline {} ({when}); at most +{}% allowed",
                    check.name,
                    num(value),
                    percent,
                    num(base),
                    num(max_increase_percent)
                )
            })
        }
        Delta::Relative { max_increase_percent } => (increase > 0.0).then(|| {
            format!(
                "baseline rule: {} is {} over a baseline of {} ({when}); +{}% of zero allows no increase",
                check.name,
                num(value),
                num(base),
                num(max_increase_percent)
            )
        }),
        Delta::Absolute { max_increase } => (increase > max_increase).then(|| {
            format!(
                "baseline rule: {} is {}, {} over its baseline {} ({when}); at most +{} allowed",
                check.name,
                num(value),
                num(increase),
                num(base),
                num(max_increase)
            )
        }),
    }
}
