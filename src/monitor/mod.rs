//! The monitor's memory and judgement, pure and synchronous: observations of one run plus the
//! stored [`State`] → the new state and the [`Event`]s people should hear about.
//!
//! Per check, a run is `Up`, `Down` or `Unknown` (no data, not run). The rules:
//!
//! - **Up**: successes + 1, failures = 0. A firing alert resolves after `success-threshold`
//!   consecutive successes (`Resolved`, with how long it was down, unless `send-on-resolved` is
//!   off). A success before the alert fired ends the failing streak: 2 failures and a success
//!   (flapping) say nothing.
//! - **Down**: failures + 1, successes = 0; the first failure of a streak is `failing_since`. At
//!   `failure-threshold` consecutive failures the alert fires — unless a maintenance window is
//!   active or a check it `depends-on` is down or firing, in which case a `Suppressed` event
//!   records why and the alert stays unfired, so it fires on the first run after the window if
//!   the check is still down. A firing alert reminds every `reminder-every` (never in a window).
//! - **Unknown**: nothing changes but the history. It is never counted as up.
//!
//! Each run also records when it ran; a gap of more than twice the expected interval is a
//! [`BlindWindow`] ("monitoring was blind from … to …"), counted as unknown in uptime.

mod machine;
pub mod outbox;
mod state;
mod store;
mod uptime;

pub use machine::{Event, EventKind, Step, Suppression, step};
pub use outbox::Outbox;
pub use state::{BlindWindow, CheckState, SCHEMA_VERSION, Sample, State, StateError};
pub use store::{Loaded, StoreError, load_file, save_file};
pub use uptime::{Uptime, uptime};

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::gate::window::ChangeWindow;

/// The health of a check in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Up,
    Down,
    /// No data, inconclusive, not run: never counted as up.
    Unknown,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Up => "up",
            Health::Down => "down",
            Health::Unknown => "unknown",
        }
    }
}

/// How bad an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The incident label (docs/RUNBOOK.md's severity table).
    pub fn incident_label(self) -> &'static str {
        match self {
            Severity::Critical => "sev-1",
            Severity::High => "sev-2",
            Severity::Warning => "sev-3",
            Severity::Info => "sev-4",
        }
    }
}

/// What one check showed in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub check: String,
    pub health: Health,
    pub severity: Severity,
    /// What failed, expected vs actual; already redacted.
    pub detail: String,
    pub response_ms: Option<f64>,
    pub value: Option<f64>,
}

/// When a check alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertPolicy {
    pub failure_threshold: u32,
    pub success_threshold: u32,
    pub send_on_resolved: bool,
    pub reminder_every: Option<SignedDuration>,
    pub depends_on: Vec<String>,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        AlertPolicy {
            failure_threshold: 3,
            success_threshold: 2,
            send_on_resolved: true,
            reminder_every: None,
            depends_on: Vec::new(),
        }
    }
}

/// A time when checks run but do not alert.
#[derive(Debug, Clone)]
pub enum Maintenance {
    /// Weekdays and hours in a time zone.
    Recurring { name: String, window: ChangeWindow },
    /// From `from` (included) to `to` (excluded).
    Once {
        name: String,
        from: Timestamp,
        to: Timestamp,
    },
}

impl Maintenance {
    pub fn active(&self, now: Timestamp) -> bool {
        match self {
            Maintenance::Recurring { window, .. } => window.evaluate(now).allowed,
            Maintenance::Once { from, to, .. } => *from <= now && now < *to,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Maintenance::Recurring { name, .. } | Maintenance::Once { name, .. } => name,
        }
    }
}

/// Every check's policy, the maintenance windows, and the expected interval between runs.
#[derive(Debug, Clone)]
pub struct Policies {
    pub default: AlertPolicy,
    pub per_check: BTreeMap<String, AlertPolicy>,
    pub maintenance: Vec<Maintenance>,
    pub interval: SignedDuration,
}

impl Policies {
    pub fn for_check(&self, name: &str) -> &AlertPolicy {
        self.per_check.get(name).unwrap_or(&self.default)
    }
}

#[cfg(test)]
mod machine_tests;
