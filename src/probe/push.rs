//! Metrics out: a run's results pushed to a Prometheus Pushgateway in the text exposition format
//! (0.0.4), replacing the group's previous push (`PUT`).
//!
//! Metric names used by `health-monitor` and the Grafana dashboard in docs/grafana/:
//! `decoder_ops_check_up{check}` (1 up, 0 down, absent when unknown),
//! `decoder_ops_check_response_seconds{check}`, `decoder_ops_metric_value{check}`,
//! `decoder_ops_alert_firing{check,severity}`, `decoder_ops_run_timestamp_seconds`,
//! `decoder_ops_blind_seconds_total`.

use std::fmt::Write as _;

use reqwest::Url;

/// One metric family (all gauges here).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFamily {
    pub name: String,
    pub help: String,
    pub samples: Vec<(Vec<(String, String)>, f64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("Pushgateway URL `{0}` is not an http(s) URL")]
    Url(String),
    #[error("the Pushgateway could not be reached: {0}")]
    Unreachable(String),
    #[error("the Pushgateway answered HTTP {status}: {body}")]
    Status { status: u16, body: String },
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

fn value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

/// The text exposition format of `families`.
pub fn render(families: &[MetricFamily]) -> String {
    let mut out = String::new();
    for f in families {
        let _ = writeln!(out, "# HELP {} {}", f.name, escape_help(&f.help));
        let _ = writeln!(out, "# TYPE {} gauge", f.name);
        for (labels, v) in &f.samples {
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                .collect();
            let labels = if labels.is_empty() {
                String::new()
            } else {
                format!("{{{}}}", labels.join(","))
            };
            let _ = writeln!(out, "{}{labels} {}", f.name, value(*v));
        }
    }
    out
}

/// The group's URL: `/metrics/job/<job>/<label>/<value>…`; values with a `/` (or empty) use
/// the `@base64` form the Pushgateway defines.
pub fn group_url(gateway: &Url, job: &str, grouping: &[(String, String)]) -> Url {
    let mut url = gateway.clone();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push("metrics");
        for (k, v) in std::iter::once(("job", job))
            .chain(grouping.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        {
            if v.contains('/') || v.is_empty() {
                segments.push(&format!("{k}@base64"));
                segments.push(&base64_url(v.as_bytes()));
            } else {
                segments.push(k);
                segments.push(v);
            }
        }
    }
    url
}

fn base64_url(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "=".into();
    }
    crate::github::api::base64_encode(bytes)
        .replace('+', "-")
        .replace('/', "_")
}

/// Replaces the group's metrics with `families`.
pub async fn push(
    client: &reqwest::Client,
    gateway: &str,
    job: &str,
    grouping: &[(String, String)],
    families: &[MetricFamily],
) -> Result<(), PushError> {
    let base = Url::parse(gateway)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| PushError::Url(gateway.to_owned()))?;
    let url = group_url(&base, job, grouping);
    let response = client
        .put(url)
        .header("content-type", "text/plain; version=0.0.4")
        .body(render(families))
        .send()
        .await
        .map_err(|e| PushError::Unreachable(crate::error::chain(&e.without_url())))?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Err(PushError::Status {
            status: status.as_u16(),
            body: body.chars().take(200).collect(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_text_escapes_labels_and_help() {
        let f = MetricFamily {
            name: "decoder_ops_check_up".into(),
            help: "1 when the check passed\nin this run".into(),
            samples: vec![
                (vec![("check".into(), "say \"hi\"\\n".into())], 1.0),
                (vec![], f64::NAN),
            ],
        };
        assert_eq!(
            render(&[f]),
            "# HELP decoder_ops_check_up 1 when the check passed\\nin this run\n\
             # TYPE decoder_ops_check_up gauge\n\
             decoder_ops_check_up{check=\"say \\\"hi\\\"\\\\n\"} 1\n\
             decoder_ops_check_up NaN\n"
        );
    }

    #[test]
    fn group_urls_use_base64_for_slashes() {
        let base = Url::parse("http://127.0.0.1:9091/").unwrap();
        let url = group_url(
            &base,
            "decoder-ops",
            &[("environment".into(), "eu/prod".into())],
        );
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9091/metrics/job/decoder-ops/environment@base64/ZXUvcHJvZA=="
        );
        let url = group_url(
            &base,
            "decoder-ops",
            &[("environment".into(), "prod".into())],
        );
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9091/metrics/job/decoder-ops/environment/prod"
        );
    }
}
