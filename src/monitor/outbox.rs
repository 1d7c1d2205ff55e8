//! The alert outbox: what the monitor decided to tell people and no endpoint has accepted yet.
//!
//! An entry is added in the same state write as the events it carries, so an alert is never
//! decided without its intent to send being stored too. Each entry has a stable id (never
//! reused) and one target per destination (a name such as `channel ops`; the URL is a secret
//! and is never stored). A target leaves the outbox when its endpoint accepted the message, or
//! when the endpoint refused the payload itself (it can never be accepted); any other failure
//! leaves it for the next run, with the number of failed runs and the last error.
//!
//! Order: per destination, entries are delivered oldest first, and a failed one holds back the
//! ones after it, so nobody reads "resolved" before "firing".
//!
//! Overlapping runs: a run *claims* the targets it is about to send, in a state write, for a
//! lease. With the file store the run holds a lock for its whole life, so another run's claim
//! can only be left by a run that died and is ignored (`exclusive`); with the GitHub store the
//! write's SHA precondition makes claims exclusive, and a lease that ran out (its run died) is
//! taken over.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::Severity;
use super::machine::{Event, EventKind};

/// Entries kept at most; the oldest beyond this are dropped, with a warning.
pub const MAX_PENDING: usize = 50;
/// Entries older than this are dropped, with a warning: an alert a week late helps nobody.
pub const MAX_AGE: SignedDuration = SignedDuration::from_hours(24 * 7);
/// Alerts kept per entry (a message shows 25 lines); the rest are counted in `more`.
pub const MAX_ALERTS: usize = 25;
/// The longest failure detail kept per alert in an entry, in bytes (then `…`).
pub const DETAIL_MAX: usize = 300;

/// The pending deliveries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outbox {
    /// The id the next entry gets.
    pub next_id: u64,
    /// Oldest first.
    pub pending: Vec<Pending>,
}

/// One message waiting for one or more destinations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    pub id: u64,
    /// When the run that decided it ran.
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The run that decided it, for the message's link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
    pub alerts: Vec<Alert>,
    /// Alerts beyond [`MAX_ALERTS`], counted only.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more: usize,
    /// Incident issue numbers by check, for the message's links.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub incidents: BTreeMap<String, u64>,
    /// The destinations that have not accepted it yet.
    pub targets: Vec<Target>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    Firing,
    Reminder,
    Resolved,
}

/// One alert of a message: an [`Event`] people hear about, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    pub check: String,
    pub kind: AlertKind,
    pub severity: Severity,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_for_seconds: Option<i64>,
}

impl Alert {
    /// The alert of an event, or `None` for a suppressed one (nobody is told).
    pub fn of(event: &Event) -> Option<Alert> {
        let (kind, down_for) = match event.kind {
            EventKind::Firing => (AlertKind::Firing, None),
            EventKind::Reminder => (AlertKind::Reminder, None),
            EventKind::Resolved { down_for } => (AlertKind::Resolved, Some(down_for.as_secs())),
            EventKind::Suppressed { .. } => return None,
        };
        Some(Alert {
            check: event.check.clone(),
            kind,
            severity: event.severity,
            detail: crate::report::text::truncate(&event.detail, DETAIL_MAX),
            failing_since: event.failing_since,
            down_for_seconds: down_for,
        })
    }
}

/// A destination an entry still has to reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub destination: String,
    /// Runs whose delivery to it failed.
    #[serde(default)]
    pub failures: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<Claim>,
}

/// A run sending this target now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub run: String,
    pub until: Timestamp,
}

/// Where and when an entry was decided.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub at: Option<Timestamp>,
    pub environment: Option<String>,
    pub run_url: Option<String>,
}

/// An entry that left the outbox without being delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub id: u64,
    pub destinations: Vec<String>,
    pub reason: &'static str,
}

/// Who is claiming, until when, and whether the store already makes the run exclusive.
#[derive(Debug, Clone)]
pub struct Claimant<'a> {
    pub run: &'a str,
    pub now: Timestamp,
    pub until: Timestamp,
    pub exclusive: bool,
}

/// What a run may send now: per destination, entry ids oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claimed {
    pub queues: BTreeMap<String, Vec<u64>>,
    /// Destinations with entries this run cannot send (not configured here), with counts.
    pub unavailable: BTreeMap<String, usize>,
    /// Destinations another live run is sending.
    pub busy: Vec<String>,
}

impl Outbox {
    /// Adds a message with `alerts` for every destination; `None` when there is nothing to
    /// send or nobody to send it to. Returns the entry's id and what the caps dropped.
    pub fn enqueue(
        &mut self,
        events: &[Event],
        context: Context,
        destinations: &[String],
        now: Timestamp,
    ) -> (Option<u64>, Vec<Dropped>) {
        let mut alerts: Vec<Alert> = events.iter().filter_map(Alert::of).collect();
        if alerts.is_empty() || destinations.is_empty() {
            return (None, self.expire(now));
        }
        let more = alerts.len().saturating_sub(MAX_ALERTS);
        alerts.truncate(MAX_ALERTS);
        let id = self.next_id;
        self.next_id += 1;
        self.pending.push(Pending {
            id,
            at: context.at.unwrap_or(now),
            environment: context.environment,
            run_url: context.run_url,
            alerts,
            more,
            incidents: BTreeMap::new(),
            targets: destinations
                .iter()
                .map(|d| Target {
                    destination: d.clone(),
                    failures: 0,
                    last_error: None,
                    claim: None,
                })
                .collect(),
        });
        (Some(id), self.expire(now))
    }

    /// Drops entries older than [`MAX_AGE`], then the oldest beyond [`MAX_PENDING`].
    pub fn expire(&mut self, now: Timestamp) -> Vec<Dropped> {
        let mut dropped = Vec::new();
        let mut keep = Vec::with_capacity(self.pending.len());
        let excess = self.pending.len().saturating_sub(MAX_PENDING);
        for (index, entry) in std::mem::take(&mut self.pending).into_iter().enumerate() {
            let reason = if now.duration_since(entry.at) > MAX_AGE {
                Some("older than 7 days")
            } else if index < excess {
                Some("more than 50 messages were waiting")
            } else {
                None
            };
            match reason {
                Some(reason) => dropped.push(Dropped {
                    id: entry.id,
                    destinations: entry
                        .targets
                        .iter()
                        .map(|t| t.destination.clone())
                        .collect(),
                    reason,
                }),
                None => keep.push(entry),
            }
        }
        self.pending = keep;
        dropped
    }

    /// Claims, for `who`, every target it may send now to the `available` destinations, oldest
    /// first per destination, stopping at a target another live run holds (order).
    pub fn claim(&mut self, who: &Claimant<'_>, available: &[String]) -> Claimed {
        let mut out = Claimed::default();
        for entry in &mut self.pending {
            for target in &mut entry.targets {
                let name = &target.destination;
                if !available.contains(name) {
                    *out.unavailable.entry(name.clone()).or_default() += 1;
                    continue;
                }
                if out.busy.contains(name) {
                    continue;
                }
                let held = target
                    .claim
                    .as_ref()
                    .is_some_and(|c| c.run != who.run && !who.exclusive && c.until > who.now);
                if held {
                    out.busy.push(name.clone());
                    continue;
                }
                target.claim = Some(Claim {
                    run: who.run.to_owned(),
                    until: who.until,
                });
                out.queues.entry(name.clone()).or_default().push(entry.id);
            }
        }
        out
    }

    /// The endpoint accepted entry `id` at `destination` (or refused its payload for good).
    pub fn settle(&mut self, id: u64, destination: &str) {
        for entry in self.pending.iter_mut().filter(|e| e.id == id) {
            entry.targets.retain(|t| t.destination != destination);
        }
        self.pending.retain(|e| !e.targets.is_empty());
    }

    /// Delivery of entry `id` to `destination` failed this run: it stays, unclaimed.
    pub fn fail(&mut self, id: u64, destination: &str, error: &str) {
        if let Some(t) = self.target_mut(id, destination) {
            t.failures = t.failures.saturating_add(1);
            t.last_error = Some(crate::report::text::truncate(error, DETAIL_MAX));
            t.claim = None;
        }
    }

    /// Gives back what `run` claimed and did not get to.
    pub fn release(&mut self, run: &str) {
        for t in self.pending.iter_mut().flat_map(|e| e.targets.iter_mut()) {
            if t.claim.as_ref().is_some_and(|c| c.run == run) {
                t.claim = None;
            }
        }
    }

    /// Records the incident issues of entry `id`'s checks, for its links.
    pub fn note_incidents(&mut self, id: u64, numbers: &[(String, u64)]) {
        if let Some(entry) = self.pending.iter_mut().find(|e| e.id == id) {
            for (check, number) in numbers {
                if entry.alerts.iter().any(|a| &a.check == check) {
                    entry.incidents.insert(check.clone(), *number);
                }
            }
        }
    }

    pub fn get(&self, id: u64) -> Option<&Pending> {
        self.pending.iter().find(|e| e.id == id)
    }

    /// Targets waiting, over all entries.
    pub fn waiting(&self) -> usize {
        self.pending.iter().map(|e| e.targets.len()).sum()
    }

    fn target_mut(&mut self, id: u64, destination: &str) -> Option<&mut Target> {
        self.pending
            .iter_mut()
            .find(|e| e.id == id)?
            .targets
            .iter_mut()
            .find(|t| t.destination == destination)
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
