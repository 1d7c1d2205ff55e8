//! The per-check state machine: one run's observations applied to the stored state (the rules
//! are in the module docs of [`super`]).

use jiff::{SignedDuration, Timestamp};

use super::state::{BlindWindow, CheckState, Sample, State};
use super::{Health, Observation, Policies, Severity};

/// The longest failure detail kept in the state (the start of a body or an error is enough to
/// recognise it; the state is committed every run).
pub const DETAIL_MAX: usize = 1000;

/// Why an alert that would fire did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    /// The named maintenance window is active.
    Maintenance(String),
    /// The named parent check is down or firing.
    Parent(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Firing,
    Reminder,
    Resolved { down_for: SignedDuration },
    Suppressed { reason: Suppression },
}

/// Something that happened to an alert in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub check: String,
    pub kind: EventKind,
    pub severity: Severity,
    pub detail: String,
    pub failing_since: Option<Timestamp>,
}

/// The result of applying one run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Step {
    pub events: Vec<Event>,
    /// The gap before this run, when it was longer than twice the interval.
    pub blind: Option<BlindWindow>,
    /// Names of the maintenance windows active at this run.
    pub in_maintenance: Vec<String>,
}

/// Applies `observations`, made at `now`, to `state`.
pub fn step(
    state: &mut State,
    observations: &[Observation],
    policies: &Policies,
    now: Timestamp,
) -> Step {
    let mut out = Step::default();
    if let Some(&last) = state.runs.last() {
        let limit = policies
            .interval
            .checked_mul(2)
            .unwrap_or(SignedDuration::MAX);
        if now.duration_since(last) > limit {
            let window = BlindWindow {
                from: last,
                to: now,
            };
            state.blind.push(window);
            out.blind = Some(window);
        }
    }
    state.runs.push(now);
    out.in_maintenance = policies
        .maintenance
        .iter()
        .filter(|m| m.active(now))
        .map(|m| m.name().to_owned())
        .collect();

    // Parents are judged by this run's observations and by what was already firing.
    let is_down = |state: &State, name: &str| {
        observations
            .iter()
            .any(|o| o.check == name && o.health == Health::Down)
            || state.checks.get(name).is_some_and(|c| c.firing)
    };
    for obs in observations {
        let policy = policies.for_check(&obs.check);
        let parent_down = policy
            .depends_on
            .iter()
            .find(|p| is_down(state, p))
            .cloned();
        let c = state
            .checks
            .entry(obs.check.clone())
            .or_insert_with(|| CheckState::new(obs.severity));
        c.history.push(Sample {
            at: now,
            health: obs.health,
            response_ms: obs.response_ms,
        });
        let event = |kind: EventKind, c: &CheckState| Event {
            check: obs.check.clone(),
            kind,
            severity: c.severity,
            detail: obs.detail.clone(),
            failing_since: c.failing_since,
        };
        match obs.health {
            Health::Unknown => {}
            Health::Up => {
                c.consecutive_failures = 0;
                c.consecutive_successes = c.consecutive_successes.saturating_add(1);
                if c.firing && c.consecutive_successes >= policy.success_threshold {
                    let down_for = now.duration_since(c.failing_since.unwrap_or(now));
                    if policy.send_on_resolved {
                        out.events.push(event(EventKind::Resolved { down_for }, c));
                    }
                    c.firing = false;
                    c.firing_since = None;
                    c.failing_since = None;
                } else if !c.firing {
                    c.failing_since = None;
                }
            }
            Health::Down => {
                c.consecutive_successes = 0;
                c.consecutive_failures = c.consecutive_failures.saturating_add(1);
                c.failing_since.get_or_insert(now);
                c.severity = obs.severity;
                c.last_detail = crate::report::text::truncate(&obs.detail, DETAIL_MAX);
                let maintenance = out.in_maintenance.first().cloned();
                if !c.firing && c.consecutive_failures >= policy.failure_threshold {
                    let reason = match (maintenance, parent_down) {
                        (Some(m), _) => Some(Suppression::Maintenance(m)),
                        (None, Some(p)) => Some(Suppression::Parent(p)),
                        (None, None) => None,
                    };
                    match reason {
                        Some(reason) => {
                            out.events.push(event(EventKind::Suppressed { reason }, c));
                        }
                        None => {
                            c.firing = true;
                            c.firing_since = Some(now);
                            c.last_notified = Some(now);
                            out.events.push(event(EventKind::Firing, c));
                        }
                    }
                } else if c.firing && maintenance.is_none() {
                    let due = match (policy.reminder_every, c.last_notified) {
                        (Some(every), Some(last)) => now.duration_since(last) >= every,
                        (Some(_), None) => true,
                        (None, _) => false,
                    };
                    if due {
                        c.last_notified = Some(now);
                        out.events.push(event(EventKind::Reminder, c));
                    }
                }
            }
        }
    }
    state.trim();
    out
}
