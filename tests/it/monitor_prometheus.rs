//! Metric checks against a real Prometheus (Debian's package) on 127.0.0.1 scraping a target
//! whose values the test sets: thresholds, no data, several series, the baseline rule (relative
//! and absolute, recorded and offset), the minimum-sample guard, query errors, an unreachable
//! server; then the command: rollback-recommended, `--watch` ending early, the Pushgateway.

use std::time::{Duration, Instant};

use decoder_ops::probe::prom::{
    Baseline, Delta, MetricCheck, MetricStatus, MinSamples, NoData, Op, PromClient, Threshold,
    evaluate,
};
use jiff::Timestamp;
use serde_json::Value;

use crate::cli::Bin;
use crate::support::nginx::free_port;
use crate::support::prometheus::{Target, prometheus, pushgateway};

fn metrics(error_ratio: f64, p95: f64, requests: f64) -> String {
    format!(
        "# TYPE app_error_ratio gauge\napp_error_ratio {error_ratio}\n\
         # TYPE app_latency_p95_ms gauge\napp_latency_p95_ms {p95}\n\
         # TYPE app_requests gauge\napp_requests {requests}\n\
         # TYPE app_multi gauge\napp_multi{{shard=\"a\"}} 1\napp_multi{{shard=\"b\"}} 2\n"
    )
}

fn client(url: &str) -> PromClient {
    PromClient::new(url.parse().unwrap(), None, Duration::from_secs(5)).unwrap()
}

fn check(query: &str) -> MetricCheck {
    MetricCheck {
        name: "m".into(),
        query: query.into(),
        warn: None,
        critical: None,
        on_no_data: NoData::Inconclusive,
        baseline: None,
        min_samples: None,
    }
}

fn gt(value: f64) -> Option<Threshold> {
    Some(Threshold { op: Op::Gt, value })
}

/// Waits until Prometheus returns `value` for `query` (the target is scraped every second).
async fn until(c: &PromClient, query: &str, value: f64) {
    let start = Instant::now();
    loop {
        if let Ok(s) = c.instant(query, None).await
            && s.len() == 1
            && s[0].value == value
        {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{query} never became {value}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metric_checks_against_a_real_prometheus() {
    let target = Target::start(&metrics(0.03, 1500.0, 50.0));
    let prom = prometheus(&target.address());
    let c = client(&prom.url());
    until(&c, "app_error_ratio", 0.03).await;

    let mut error_rate = check("app_error_ratio");
    error_rate.warn = gt(0.02);
    error_rate.critical = gt(0.05);
    let r = evaluate(&c, &error_rate, Timestamp::now()).await;
    assert_eq!(
        (r.status, r.value),
        (MetricStatus::Warn, Some(0.03)),
        "{r:?}"
    );
    assert_eq!(r.detail, "m is 0.03 (> 0.02: warning)");

    // No data: inconclusive by default, or what the check says.
    let mut missing = check("app_does_not_exist");
    missing.critical = gt(1.0);
    assert_eq!(
        evaluate(&c, &missing, Timestamp::now()).await.status,
        MetricStatus::Inconclusive
    );
    missing.on_no_data = NoData::Fail;
    assert_eq!(
        evaluate(&c, &missing, Timestamp::now()).await.status,
        MetricStatus::Critical
    );
    missing.on_no_data = NoData::Pass;
    let r = evaluate(&c, &missing, Timestamp::now()).await;
    assert_eq!(
        (r.status, r.detail.as_str()),
        (MetricStatus::Ok, "no data for the query (on-no-data: pass)")
    );

    // Several series: an error that names them and says how to fix the query.
    let mut multi = check("app_multi");
    multi.warn = gt(5.0);
    let r = evaluate(&c, &multi, Timestamp::now()).await;
    assert_eq!(r.status, MetricStatus::Error);
    assert!(
        r.detail
            .starts_with("2 series returned: {__name__=\"app_multi\""),
        "{}",
        r.detail
    );
    assert!(
        r.detail.contains("shard=\"b\"") && r.detail.contains("sum() or max()"),
        "{}",
        r.detail
    );

    // The baseline rule: relative and absolute against a recorded value.
    let mut p95 = check("app_latency_p95_ms");
    let rel = |percent| Delta::Relative {
        max_increase_percent: percent,
    };
    p95.baseline = Some(Baseline::Recorded {
        value: 1000.0,
        rule: rel(50.0),
    });
    let r = evaluate(&c, &p95, Timestamp::now()).await;
    assert_eq!(r.status, MetricStatus::Ok, "+50% exactly is allowed: {r:?}");
    p95.baseline = Some(Baseline::Recorded {
        value: 900.0,
        rule: rel(50.0),
    });
    let r = evaluate(&c, &p95, Timestamp::now()).await;
    assert_eq!(r.status, MetricStatus::Critical);
    assert_eq!(
        r.rule_fired.as_deref(),
        Some(
            "baseline rule: m is 1500, +67% over its baseline 900 (recorded); at most +50% allowed"
        )
    );
    p95.baseline = Some(Baseline::Recorded {
        value: 1400.0,
        rule: Delta::Absolute { max_increase: 50.0 },
    });
    let r = evaluate(&c, &p95, Timestamp::now()).await;
    assert!(
        r.rule_fired
            .as_deref()
            .unwrap()
            .contains("100 over its baseline 1400"),
        "{r:?}"
    );

    // The minimum-sample guard: 50 requests are too few to judge.
    error_rate.min_samples = Some(MinSamples {
        query: "app_requests".into(),
        min: 100.0,
    });
    let r = evaluate(&c, &error_rate, Timestamp::now()).await;
    assert_eq!(r.status, MetricStatus::Inconclusive);
    assert_eq!(
        r.detail,
        "only 50 samples (min-samples 100): too few to judge 0.03"
    );

    // Offset baseline: the same query earlier. The error ratio rises from 0.03 to 0.04 (+33%).
    let before = Timestamp::now();
    target.set(&metrics(0.04, 1500.0, 500.0));
    until(&c, "app_error_ratio", 0.04).await;
    let now = Timestamp::now();
    let mut rising = check("app_error_ratio");
    rising.baseline = Some(Baseline::Offset {
        offset: now.duration_since(before),
        rule: rel(10.0),
    });
    let r = evaluate(&c, &rising, now).await;
    assert_eq!(
        (r.status, r.baseline_value),
        (MetricStatus::Critical, Some(0.03)),
        "{r:?}"
    );
    assert!(
        r.rule_fired
            .as_deref()
            .unwrap()
            .contains("+33% over its baseline 0.03"),
        "{r:?}"
    );
    rising.baseline = Some(Baseline::Offset {
        offset: now.duration_since(before),
        rule: Delta::Absolute { max_increase: 0.02 },
    });
    assert_eq!(evaluate(&c, &rising, now).await.status, MetricStatus::Ok);

    // PromQL errors and an unreachable server are errors, never "up".
    let r = evaluate(&c, &check("sum(app_error_ratio"), Timestamp::now()).await;
    assert_eq!(r.status, MetricStatus::Error);
    assert!(
        r.detail
            .starts_with("Prometheus rejected the query (bad_data)"),
        "{}",
        r.detail
    );
    let gone = client(&format!("http://127.0.0.1:{}", free_port()));
    let r = evaluate(&gone, &error_rate, Timestamp::now()).await;
    assert_eq!(r.status, MetricStatus::Error);
    assert!(
        r.detail.starts_with("Prometheus is unavailable"),
        "{}",
        r.detail
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_recommends_a_rollback_ends_a_watch_early_and_pushes_metrics() {
    let target = Target::start(&metrics(0.07, 1500.0, 500.0));
    let prom = prometheus(&target.address());
    let gateway = pushgateway();
    until(&client(&prom.url()), "app_error_ratio", 0.07).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("decoder-ops.yml");
    std::fs::write(
        &config,
        format!(
            r#"monitor:
  prometheus: {{url: "{}"}}
  metrics:
    - name: error-rate
      query: app_error_ratio
      warn: "> 0.02"
      critical: "> 0.05"
    - name: p95
      query: app_latency_p95_ms
      baseline: {{recorded: true, max-increase: 50%}}
"#,
            prom.url()
        ),
    )
    .unwrap();
    let state = format!("file:{}", dir.path().join("state.json").display());
    let json = dir.path().join("r.json");
    let (d, cfg, st, js, gw) = (
        dir.path().to_owned(),
        config.clone(),
        state.clone(),
        json.clone(),
        gateway.url(),
    );
    let run = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let run = Bin::new()
            .in_actions(&d)
            .args([
                "health-monitor",
                "--watch",
                "20s",
                "--every",
                "1s",
                "--state",
                &st,
            ])
            .args(["--push-metrics", &gw, "--config"])
            .arg_path(&cfg)
            .arg("--json")
            .arg_path(&js)
            .run();
        (run, started.elapsed())
    })
    .await
    .unwrap();
    let (run, elapsed) = run;
    run.expect_code(1);
    assert!(
        elapsed < Duration::from_secs(10),
        "the watch ended early: {elapsed:?}"
    );
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(result["rollback_recommended"], true, "{result}");
    assert_eq!(
        result["rollback_rule"],
        "error-rate: error-rate is 0.07 (> 0.05: critical)"
    );
    assert!(
        result["notes"][0]
            .as_str()
            .unwrap()
            .contains("no recorded baseline yet"),
        "{result}"
    );
    let output = std::fs::read_to_string(dir.path().join("output")).unwrap();
    assert!(output.contains("rollback-recommended<<"), "{output}");

    // The Pushgateway has this run's values.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let body = reqwest::get(format!("{}/metrics", gateway.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pushed: Vec<&str> = body
        .lines()
        .filter(|l| l.starts_with("decoder_ops_"))
        .collect();
    assert!(
        pushed.iter().any(
            |l| l.starts_with("decoder_ops_metric_value{check=\"error-rate\",")
                && l.ends_with(" 0.07")
        ),
        "{pushed:#?}"
    );
    assert!(
        pushed.iter().any(
            |l| l.starts_with("decoder_ops_check_up{check=\"error-rate\",") && l.ends_with(" 0")
        ),
        "{pushed:#?}"
    );

    // --record-baseline stores today's p95; the next run judges against it.
    let (d, cfg, st) = (dir.path().to_owned(), config.clone(), state.clone());
    let run = tokio::task::spawn_blocking(move || {
        Bin::new()
            .in_actions(&d)
            .args([
                "health-monitor",
                "--record-baseline",
                "--state",
                &st,
                "--config",
            ])
            .arg_path(&cfg)
            .run()
    })
    .await
    .unwrap();
    run.expect_code(0);
    assert!(run.stdout.contains("baseline p95 = 1500"), "{}", run.stdout);
    let stored: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("state.json")).unwrap())
            .unwrap();
    assert_eq!(stored["baselines"]["p95"], 1500.0);
}
