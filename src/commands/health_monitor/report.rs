//! The run's result for every sink: terminal lines, job summary, outputs and `--json`.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::super::{Paint, Session};
use super::incidents::IncidentAction;
use super::round::Round;
use super::setup::Setup;
use crate::cli::{FailOn, HealthMonitorArgs};
use crate::error::{Error, ExitCode};
use crate::github::runtime::Annotation;
use crate::monitor::{self, EventKind, Health, Severity, State, Step, Suppression};
use crate::notify::deliver::DeliveryReport;
use crate::outcome::{Outcome, Verdict};

/// Uptime is computed over this much of the stored history.
const UPTIME_WINDOW: SignedDuration = SignedDuration::from_hours(24 * 30);

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub name: String,
    pub kind: &'static str,
    pub health: Health,
    pub severity: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_value: Option<f64>,
    pub state: CheckStateReport,
}

#[derive(Debug, Serialize)]
pub struct CheckStateReport {
    pub firing: bool,
    pub consecutive_failures: u32,
    pub consecutive_successes: u32,
    pub failing_since: Option<Timestamp>,
    pub firing_since: Option<Timestamp>,
    pub incident: Option<u64>,
    pub uptime: Option<monitor::Uptime>,
}

#[derive(Debug, Serialize)]
pub struct EventReport {
    pub check: String,
    pub kind: &'static str,
    pub severity: &'static str,
    pub detail: String,
    pub failing_since: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_for_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed_by: Option<String>,
}

/// One round of a `--watch` (or the single run).
#[derive(Debug, Clone, Serialize)]
pub struct RoundSummary {
    pub at: Timestamp,
    pub up: usize,
    pub down: usize,
    pub unknown: usize,
    pub events: usize,
}

impl RoundSummary {
    pub fn of(round: &Round, step: &Step, at: Timestamp) -> RoundSummary {
        let count = |h| round.observations.iter().filter(|o| o.health == h).count();
        RoundSummary {
            at,
            up: count(Health::Up),
            down: count(Health::Down),
            unknown: count(Health::Unknown),
            events: step.events.len(),
        }
    }

    pub fn line(&self) -> String {
        format!(
            "{} round: {} up, {} down, {} unknown",
            self.at.strftime("%H:%M:%S"),
            self.up,
            self.down,
            self.unknown
        )
    }
}

/// What the run decided, beyond the round itself.
pub struct Facts {
    pub healthy: bool,
    pub rollback_rule: Option<String>,
    pub firing: Vec<String>,
    pub store: String,
    pub conflicts: u32,
    pub deliveries: Vec<DeliveryReport>,
    pub incidents: Vec<IncidentAction>,
    pub rounds: Vec<RoundSummary>,
    pub warnings: Vec<String>,
    pub problems: Vec<String>,
    pub watch: Option<u64>,
}

/// The verdict of a finished run, with `healthy` and `firing` filled in from the state.
pub fn judge(state: &State, mut facts: Facts, fail_on: FailOn) -> (Verdict, Facts) {
    facts.firing = state
        .checks
        .iter()
        .filter(|(_, c)| c.firing)
        .map(|(k, _)| k.clone())
        .collect();
    let blocking = state
        .checks
        .values()
        .any(|c| c.firing && matches!(c.severity, Severity::Critical | Severity::High));
    facts.healthy = !blocking && facts.rollback_rule.is_none();
    let verdict = if !facts.healthy {
        match fail_on {
            FailOn::Unhealthy => Verdict::Fail,
            FailOn::Never => Verdict::Warn,
        }
    } else if !facts.problems.is_empty() {
        Verdict::Error
    } else if !facts.firing.is_empty() || !facts.warnings.is_empty() {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    (verdict, facts)
}

/// Each warning to the log and as an annotation.
pub fn warn(warnings: &[String], session: &mut Session) -> Result<(), Error> {
    for w in warnings {
        tracing::warn!("{w}");
        session
            .runtime
            .annotate(Annotation::warning(session.redact(w)).title("decoder-ops health-monitor"))?;
    }
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct StoreReport {
    pub store: String,
    pub conflicts: u32,
}

/// What waits in the outbox after the run.
#[derive(Debug, Serialize)]
pub struct OutboxReport {
    /// Messages not yet accepted by every destination.
    pub pending: usize,
    /// When the oldest of them was decided.
    pub oldest: Option<Timestamp>,
}

#[derive(Debug, Serialize)]
pub struct Details {
    pub environment: Option<String>,
    pub healthy: bool,
    pub rollback_recommended: bool,
    pub rollback_rule: Option<String>,
    pub firing: Vec<String>,
    pub checks: Vec<CheckReport>,
    pub events: Vec<EventReport>,
    pub blind: Option<monitor::BlindWindow>,
    pub maintenance: Vec<String>,
    pub notifications: Vec<DeliveryReport>,
    pub outbox: OutboxReport,
    pub incidents: Vec<IncidentAction>,
    pub state: StoreReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watch_seconds: Option<u64>,
    pub rounds: Vec<RoundSummary>,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    pub problems: Vec<String>,
}

impl Details {
    pub fn new(
        setup: &Setup,
        round: &Round,
        step: &Step,
        state: &State,
        now: Timestamp,
        facts: Facts,
    ) -> Details {
        let since = now.checked_sub(UPTIME_WINDOW).unwrap_or(now);
        let checks = round
            .observations
            .iter()
            .map(|o| {
                let metric = round.metrics.iter().find(|m| m.name == o.check);
                let spec = setup.metrics.iter().find(|m| m.name == o.check);
                let c = state.checks.get(&o.check);
                CheckReport {
                    name: o.check.clone(),
                    kind: if metric.is_some() { "metric" } else { "http" },
                    health: o.health,
                    severity: o.severity.as_str(),
                    detail: o.detail.clone(),
                    response_ms: o.response_ms.filter(|_| metric.is_none()),
                    value: o.value,
                    warn: spec.and_then(|s| s.warn.map(|t| t.to_string())),
                    critical: spec.and_then(|s| s.critical.map(|t| t.to_string())),
                    baseline_value: metric.and_then(|m| m.baseline_value),
                    state: CheckStateReport {
                        firing: c.is_some_and(|c| c.firing),
                        consecutive_failures: c.map_or(0, |c| c.consecutive_failures),
                        consecutive_successes: c.map_or(0, |c| c.consecutive_successes),
                        failing_since: c.and_then(|c| c.failing_since),
                        firing_since: c.and_then(|c| c.firing_since),
                        incident: c.and_then(|c| c.incident),
                        uptime: monitor::uptime(
                            state,
                            &o.check,
                            since,
                            now,
                            setup.policies.interval,
                        ),
                    },
                }
            })
            .collect();
        let events = step
            .events
            .iter()
            .map(|e| EventReport {
                check: e.check.clone(),
                kind: match e.kind {
                    EventKind::Firing => "firing",
                    EventKind::Reminder => "reminder",
                    EventKind::Resolved { .. } => "resolved",
                    EventKind::Suppressed { .. } => "suppressed",
                },
                severity: e.severity.as_str(),
                detail: e.detail.clone(),
                failing_since: e.failing_since,
                down_for_seconds: match e.kind {
                    EventKind::Resolved { down_for } => Some(down_for.as_secs()),
                    _ => None,
                },
                suppressed_by: match &e.kind {
                    EventKind::Suppressed {
                        reason: Suppression::Maintenance(m),
                    } => Some(format!("maintenance window `{m}`")),
                    EventKind::Suppressed {
                        reason: Suppression::Parent(p),
                    } => Some(format!("`{p}` is failing")),
                    _ => None,
                },
            })
            .collect();
        Details {
            environment: setup.environment.clone(),
            healthy: facts.healthy,
            rollback_recommended: facts.rollback_rule.is_some(),
            rollback_rule: facts.rollback_rule,
            firing: facts.firing,
            checks,
            events,
            blind: step.blind,
            maintenance: step.in_maintenance.clone(),
            notifications: facts.deliveries,
            outbox: OutboxReport {
                pending: state.outbox.pending.len(),
                oldest: state.outbox.pending.first().map(|e| e.at),
            },
            incidents: facts.incidents,
            state: StoreReport {
                store: facts.store,
                conflicts: facts.conflicts,
            },
            watch_seconds: facts.watch,
            rounds: facts.rounds,
            notes: round.notes.clone(),
            warnings: facts.warnings,
            problems: facts.problems,
        }
    }
}

fn terminal(d: &Details, session: &Session) -> String {
    let mut out = Vec::new();
    for c in &d.checks {
        let (mark, paint) = match c.health {
            Health::Up => ("✓", Paint::Good),
            Health::Down => ("✗", Paint::Bad),
            Health::Unknown => ("?", Paint::Warn),
        };
        let firing = if c.state.firing { " [FIRING]" } else { "" };
        let uptime = c
            .state
            .uptime
            .as_ref()
            .map(|u| format!(" (uptime {}%)", u.percent))
            .unwrap_or_default();
        let measure = match (c.value, c.response_ms) {
            (Some(v), _) => format!(" {v}"),
            (None, Some(ms)) => format!(" {ms:.0} ms"),
            _ => String::new(),
        };
        let detail = if c.health == Health::Up {
            String::new()
        } else {
            format!(" — {}", c.detail)
        };
        out.push(format!(
            "{} {} {}{measure}{firing}{uptime}{detail}",
            session.paint(paint, mark),
            c.name,
            c.health.as_str()
        ));
    }
    for e in &d.events {
        out.push(format!("{}: {} ({})", e.kind, e.check, e.severity));
    }
    if let Some(b) = &d.blind {
        out.push(format!(
            "monitoring was blind from {} to {}",
            b.from.strftime("%Y-%m-%d %H:%M UTC"),
            b.to.strftime("%Y-%m-%d %H:%M UTC")
        ));
    }
    if d.outbox.pending > 0 {
        out.push(format!(
            "{} alert message(s) not delivered yet; the next run sends them first",
            d.outbox.pending
        ));
    }
    if let Some(rule) = &d.rollback_rule {
        out.push(format!(
            "{} rollback recommended: {rule}",
            session.paint(Paint::Bad, "✗")
        ));
    }
    let verdict = if d.healthy {
        session.paint(Paint::Good, "healthy")
    } else {
        session.paint(Paint::Bad, "UNHEALTHY")
    };
    out.push(format!(
        "{verdict} — {} firing; state {}",
        d.firing.len(),
        d.state.store
    ));
    out.join("\n")
}

fn escape_md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(d: &Details) -> String {
    let mut md = String::new();
    let env = d
        .environment
        .as_deref()
        .map(|e| format!(" — {e}"))
        .unwrap_or_default();
    let head = if d.healthy {
        "✅ healthy"
    } else {
        "❌ unhealthy"
    };
    md.push_str(&format!("## decoder-ops health-monitor{env}: {head}\n\n"));
    md.push_str(
        "| Check | Status | Value | Uptime | Alert | Detail |\n|---|---|---|---|---|---|\n",
    );
    for c in &d.checks {
        let status = match c.health {
            Health::Up => "✅ up",
            Health::Down => "❌ down",
            Health::Unknown => "❔ unknown",
        };
        let value = match (c.value, c.response_ms) {
            (Some(v), _) => v.to_string(),
            (None, Some(ms)) => format!("{ms:.0} ms"),
            _ => "—".into(),
        };
        let uptime = c
            .state
            .uptime
            .as_ref()
            .map_or("—".into(), |u| format!("{}%", u.percent));
        let alert = if c.state.firing {
            format!("🔴 firing ({})", c.severity)
        } else if c.state.consecutive_failures > 0 {
            format!("{} failed run(s)", c.state.consecutive_failures)
        } else {
            "—".into()
        };
        md.push_str(&format!(
            "| {} | {status} | {value} | {uptime} | {alert} | {} |\n",
            escape_md(&c.name),
            escape_md(&c.detail)
        ));
    }
    if !d.events.is_empty() {
        md.push_str("\n**This run:**\n");
        for e in &d.events {
            let why = e
                .suppressed_by
                .as_deref()
                .map(|s| format!(" (suppressed: {s})"))
                .unwrap_or_default();
            md.push_str(&format!(
                "- {} `{}` [{}]{why}\n",
                e.kind,
                escape_md(&e.check),
                e.severity
            ));
        }
    }
    if let Some(b) = &d.blind {
        md.push_str(&format!(
            "\n⚠️ Monitoring was blind from {} to {} (counted as unknown, not up).\n",
            b.from, b.to
        ));
    }
    if !d.maintenance.is_empty() {
        md.push_str(&format!("\n🛠 Maintenance: {}\n", d.maintenance.join(", ")));
    }
    if let Some(rule) = &d.rollback_rule {
        md.push_str(&format!(
            "\n**Rollback recommended:** {}\n",
            escape_md(rule)
        ));
    }
    md
}

pub fn emit(
    args: &HealthMonitorArgs,
    verdict: Verdict,
    details: Details,
    session: &mut Session,
) -> Result<ExitCode, Error> {
    let text = session.redact(&terminal(&details, session));
    session.runtime.stop_commands(&text)?;
    let rt = &mut session.runtime;
    rt.set_output("healthy", if details.healthy { "true" } else { "false" })?;
    rt.set_output(
        "rollback-recommended",
        if details.rollback_recommended {
            "true"
        } else {
            "false"
        },
    )?;
    rt.set_output("firing", &details.firing.join(","))?;
    rt.set_output("verdict", verdict.as_str())?;
    rt.set_output("exit-code", &verdict.exit_code().to_string())?;
    if let Some(json) = &args.json {
        rt.set_output("result", &json.display().to_string())?;
    }
    let summary = session.redact(&markdown(&details));
    session.runtime.append_summary(&summary)?;
    let outcome = Outcome::new("health-monitor", verdict, details);
    if let Some(target) = &args.json {
        super::super::write_json(target, &outcome, session)?;
    }
    Ok(outcome.exit_code)
}

#[derive(Debug, Serialize)]
struct BaselineDetails {
    recorded: Vec<RecordedBaseline>,
    not_recorded: Vec<String>,
    state: StoreReport,
}

#[derive(Debug, Serialize)]
struct RecordedBaseline {
    metric: String,
    value: f64,
}

/// The report of `--record-baseline`.
pub fn baselines(
    args: &HealthMonitorArgs,
    values: &[(String, f64)],
    round: &Round,
    store: &str,
    conflicts: u32,
    session: &mut Session,
) -> Result<ExitCode, Error> {
    let not_recorded: Vec<String> = round
        .metrics
        .iter()
        .filter(|m| m.value.is_none())
        .map(|m| format!("{}: {}", m.name, m.detail))
        .collect();
    for (name, value) in values {
        session.say(&format!("baseline {name} = {value}"));
    }
    for line in &not_recorded {
        session.say_untrusted(&format!("no baseline for {line}"));
    }
    let verdict = if values.is_empty() {
        Verdict::Inconclusive
    } else if not_recorded.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Warn
    };
    session.runtime.set_output("verdict", verdict.as_str())?;
    session
        .runtime
        .set_output("exit-code", &verdict.exit_code().to_string())?;
    let outcome = Outcome::new(
        "health-monitor",
        verdict,
        BaselineDetails {
            recorded: values
                .iter()
                .map(|(metric, value)| RecordedBaseline {
                    metric: metric.clone(),
                    value: *value,
                })
                .collect(),
            not_recorded,
            state: StoreReport {
                store: store.to_owned(),
                conflicts,
            },
        },
    );
    if let Some(target) = &args.json {
        super::super::write_json(target, &outcome, session)?;
    }
    Ok(outcome.exit_code)
}
