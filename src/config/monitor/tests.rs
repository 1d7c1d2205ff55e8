//! The `monitor:` section: defaults, every value form, and located errors.

use super::*;
use crate::config::parse;

const BASE: &str = "environments:\n  production: {base-url: \"https://shop.example.com\"}\nchecks:\n  - name: health\n    url: \"{base-url}/health\"\n  - name: checkout\n    url: \"{base-url}/checkout\"\nnotify:\n  channels:\n    oncall: {webhook: \"${ONCALL}\"}\n";

fn monitor(section: &str) -> Result<MonitorConfig, ConfigError> {
    let text = format!("{BASE}monitor:\n{section}");
    parse(&text, "m.yml").map(|c| c.monitor.unwrap_or_default())
}

fn error(section: &str) -> String {
    match monitor(section) {
        Ok(_) => panic!("accepted:\n{section}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_full_section_is_read_with_every_form() {
    let m = monitor(concat!(
        "  environment: production\n",
        "  checks: [health, checkout]\n",
        "  interval: 5m\n",
        "  alerts: {failure-threshold: 2, reminder-every: 1h, severity: high}\n",
        "  overrides:\n",
        "    checkout: {depends-on: [health], severity: warning}\n",
        "  prometheus: {url: \"${PROM_URL}\", bearer-token: \"${PROM_TOKEN}\", timeout: 3s}\n",
        "  metrics:\n",
        "    - name: error-rate\n",
        "      query: sum(rate(errors[5m]))\n",
        "      warn: \"> 0.02\"\n",
        "      critical: \">=0.05\"\n",
        "      baseline: {offset: 1h, max-increase: 10%}\n",
        "      min-samples: {query: \"sum(increase(requests[5m]))\", min: 100}\n",
        "    - name: p95\n",
        "      query: p95\n",
        "      baseline: {recorded: true, max-increase: 250}\n",
        "      on-no-data: fail\n",
        "      rollback: false\n",
        "  maintenance:\n",
        "    - {name: weekly, timezone: Europe/Berlin, days: [sun], hours: \"02:00-03:00\"}\n",
        "    - {name: once, from: \"2026-12-01T02:00:00Z\", to: \"2026-12-01T04:00:00Z\"}\n",
        "  channels: [oncall]\n",
    ))
    .unwrap();
    assert_eq!(m.environment.as_deref(), Some("production"));
    assert_eq!(m.interval, Some(Duration::from_secs(300)));
    assert_eq!(m.alerts.failure_threshold, Some(2));
    assert_eq!(m.alerts.reminder_every, Some(Duration::from_secs(3600)));
    assert_eq!(m.alerts.severity, Some(SeverityName::High));
    assert_eq!(m.overrides["checkout"].depends_on, vec!["health"]);
    let p = m.prometheus.as_ref().unwrap();
    assert_eq!(p.timeout, Duration::from_secs(3));
    assert_eq!(p.url.line, 18);
    let e = &m.metrics[0];
    assert_eq!(
        e.warn,
        Some(ThresholdValue {
            op: CmpOp::Gt,
            value: 0.02
        })
    );
    assert_eq!(
        e.critical,
        Some(ThresholdValue {
            op: CmpOp::Ge,
            value: 0.05
        })
    );
    assert_eq!(
        e.baseline,
        Some(BaselineSpec::Offset(
            Duration::from_secs(3600),
            DeltaValue::Relative(10.0)
        ))
    );
    assert_eq!(
        e.min_samples,
        Some(("sum(increase(requests[5m]))".into(), 100.0))
    );
    assert!(e.rollback);
    assert_eq!(e.line, 20);
    let p95 = &m.metrics[1];
    assert_eq!(
        p95.baseline,
        Some(BaselineSpec::Recorded(DeltaValue::Absolute(250.0)))
    );
    assert_eq!(p95.on_no_data, NoDataName::Fail);
    assert!(!p95.rollback);
    assert_eq!(m.maintenance.len(), 2);
    assert_eq!(m.channels, vec!["oncall"]);
}

#[test]
fn mistakes_are_located_and_explained() {
    let e = error("  metrics:\n    - name: x\n      query: up\n      warn: \"0.5\"\n");
    assert!(
        e.contains("line 15") && e.contains("has no operator"),
        "{e}"
    );
    let e = error("  metrics:\n    - name: x\n      query: up\n      warn: \"> lots\"\n");
    assert!(e.contains("`lots` is not a number"), "{e}");
    let e = error("  checks: [helth]\n");
    assert!(
        e.contains("line 12") && e.contains("no check named `helth`"),
        "{e}"
    );
    let e = error("  metrics:\n    - name: x\n      query: up\n      critical: \"> 1\"\n");
    assert!(e.contains("need `monitor.prometheus.url`"), "{e}");
    let e = error(
        "  prometheus: {url: \"http://127.0.0.1:9090\"}\n  metrics:\n    - {name: x, query: up}\n",
    );
    assert!(e.contains("give `warn`, `critical` or `baseline`"), "{e}");
    let e = error(
        "  prometheus: {url: \"http://p\"}\n  metrics:\n    - {name: health, query: up, warn: \"> 1\"}\n",
    );
    assert!(e.contains("already used by a check"), "{e}");
    let e = error("  overrides:\n    checkout: {depends-on: [nothing]}\n");
    assert!(
        e.contains("`nothing` is not another monitored check"),
        "{e}"
    );
    let e = error("  overrides:\n    checkout: {depends-on: [checkout]}\n");
    assert!(e.contains("not another monitored check"), "{e}");
    let e = error(
        "  overrides:\n    checkout: {depends-on: [health]}\n    health: {depends-on: [checkout]}\n",
    );
    assert!(
        e.contains("line 13")
            && e.contains("goes round in a circle (checkout → health → checkout)"),
        "{e}"
    );
    let e = error("  alerts: {reminder-every: 1m}\n");
    assert!(e.contains("at least `5m`"), "{e}");
    let e = error("  alerts: {failure-threshold: 0}\n");
    assert!(e.contains("must be at least 1"), "{e}");
    let e = error("  maintenance:\n    - {name: w, days: [sun], from: \"2026-12-01T02:00:00Z\"}\n");
    assert!(e.contains("give either `from` and `to`"), "{e}");
    let e = error(
        "  maintenance:\n    - {name: w, from: \"2026-12-01T02:00:00Z\", to: \"2026-12-01T01:00:00Z\"}\n",
    );
    assert!(e.contains("`to` must be after `from`"), "{e}");
    let e =
        error("  maintenance:\n    - {name: w, timezone: Mars/Olympus, hours: \"01:00-02:00\"}\n");
    assert!(e.contains("unknown time zone"), "{e}");
    let e = error("  environment: prod\n");
    assert!(e.contains("no environment named `prod`"), "{e}");
    let e = error("  channels: [pager]\n");
    assert!(e.contains("no channel named `pager`"), "{e}");
    let e = error(
        "  prometheus: {url: \"http://p\"}\n  metrics:\n    - {name: x, query: up, baseline: {offset: 1h, value: 2, max-increase: 1}}\n",
    );
    assert!(e.contains("exactly one of `offset`, `value`"), "{e}");
    let e = error(
        "  prometheus: {url: \"http://p\"}\n  metrics:\n    - {name: x, query: up, baseline: {offset: 1h, max-increase: \"ten%\"}}\n",
    );
    assert!(e.contains("expected a percentage"), "{e}");
    let e = error("  alerts: {severity: urgent}\n");
    assert!(e.contains("unknown variant `urgent`"), "{e}");
}

#[test]
fn an_empty_section_means_every_check_with_default_policy() {
    let m = monitor("  {}\n").unwrap();
    assert!(m.checks.is_none());
    assert_eq!(m.alerts, AlertSpec::default());
    assert!(m.metrics.is_empty());
}

#[test]
fn thresholds_and_deltas_parse_exactly() {
    assert_eq!(
        parse_threshold("<=10").unwrap(),
        ThresholdValue {
            op: CmpOp::Le,
            value: 10.0
        }
    );
    assert_eq!(parse_threshold(" < 0.99 ").unwrap().to_string(), "< 0.99");
    assert!(parse_threshold("> inf").is_err());
    assert_eq!(parse_delta("50%").unwrap(), DeltaValue::Relative(50.0));
    assert_eq!(parse_delta("0.01").unwrap(), DeltaValue::Absolute(0.01));
    assert!(parse_delta("-5%").is_err());
    assert!(parse_delta("-1").is_err());
}
