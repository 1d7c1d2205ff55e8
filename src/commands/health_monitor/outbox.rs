//! Sending the outbox, wired to this run's store and destinations: claim what this run may send
//! (a state write), render each entry for each destination's platform, send through
//! [`notify::queue`](crate::notify::queue), and record each result in the state as it comes —
//! accepted or refused entries leave, failed ones stay for the next run. The rules (order,
//! claims, caps) are [`monitor::outbox`](crate::monitor::outbox)'s; this file only connects.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::mpsc;

use super::alerts;
use super::store::Store;
use crate::error::Error;
use crate::monitor::State;
use crate::monitor::outbox::{Claimant, Claimed, Dropped};
use crate::notify::deliver::{DeliveryOptions, DeliveryReport, Pacer};
use crate::notify::queue::{self, Fate, Queue, Settled};
use crate::notify::{Destination, Origin};
use crate::secret::Redactor;

/// A claim outlives the pass it is for by this much, in case the clock of the next run is off.
const LEASE_MARGIN: SignedDuration = SignedDuration::from_mins(2);

/// What a pass did, for the report.
#[derive(Debug, Default)]
pub struct Pass {
    pub reports: Vec<DeliveryReport>,
    pub warnings: Vec<String>,
    pub conflicts: u32,
    /// Destinations whose turn ended on a failure.
    pub failed: Vec<String>,
}

/// Sends the outbox for one run.
pub struct Courier {
    pub client: reqwest::Client,
    pub pacer: Arc<Pacer>,
    /// This run's name in claims.
    pub run: String,
    pub destinations: Vec<Destination>,
    pub options: DeliveryOptions,
    pub redactor: Redactor,
    pub origin: Origin,
    /// Destinations that failed earlier in this run: not tried again until the next run.
    pub failed: BTreeSet<String>,
}

impl Courier {
    /// A random name for this run's claims.
    pub fn run_name() -> String {
        let mut bytes = [0u8; 6];
        let _ = getrandom::fill(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Claims and sends whatever this run may send now, oldest first per destination.
    pub async fn pass(
        &mut self,
        store: &mut Store,
        state: State,
        now: Timestamp,
    ) -> Result<(State, Pass), Error> {
        let mut pass = Pass::default();
        let (state, claimed) = self.claim(store, state, now, &mut pass).await?;
        if claimed.queues.is_empty() {
            return Ok((state, pass));
        }
        let queues = self.queues(&state, &claimed, now);
        let claimed_total: usize = queues.iter().map(|q| q.items.len()).sum();
        let (tx, rx) = mpsc::channel(1);
        let sending = queue::drain(
            &self.client,
            queues,
            &self.options,
            &self.redactor,
            &self.pacer,
            tx,
        );
        let recording = record(store, state, rx, now, &mut pass);
        let ((), recorded) = tokio::join!(sending, recording);
        let (state, settled) = recorded?;
        self.failed.extend(pass.failed.iter().cloned());
        // Entries behind a failure (or past the deadline) were claimed and not tried.
        let state = if settled < claimed_total {
            let run = self.run.clone();
            let (state, (), conflicts) =
                store.commit(state, now, |s| s.outbox.release(&run)).await?;
            pass.conflicts += conflicts;
            state
        } else {
            state
        };
        Ok((state, pass))
    }

    /// Claims in a state write (when there is anything to claim), and explains what waits.
    async fn claim(
        &self,
        store: &mut Store,
        state: State,
        now: Timestamp,
        pass: &mut Pass,
    ) -> Result<(State, Claimed), Error> {
        let lease = SignedDuration::try_from(self.options.overall_timeout).unwrap_or_default();
        let until = now
            .checked_add(lease)
            .and_then(|t| t.checked_add(LEASE_MARGIN))
            .unwrap_or(now);
        let who = Claimant {
            run: &self.run,
            now,
            until,
            exclusive: store.exclusive(),
        };
        let available: Vec<String> = self
            .destinations
            .iter()
            .map(|d| d.name.clone())
            .filter(|n| !self.failed.contains(n))
            .collect();
        let mut probe = state.outbox.clone();
        let dropped = probe.expire(now);
        let preview = probe.claim(&who, &available);
        for (name, n) in &preview.unavailable {
            if !self.failed.contains(name) {
                pass.warnings.push(format!(
                    "{n} alert message(s) wait for `{name}`, which this run does not have (check `monitor.channels` and the webhook secrets)"
                ));
            }
        }
        pass.warnings.extend(dropped.iter().map(dropped_warning));
        if preview.queues.is_empty() && dropped.is_empty() {
            return Ok((state, preview));
        }
        let (state, claimed, conflicts) = store
            .commit(state, now, |s| {
                s.outbox.expire(now);
                s.outbox.claim(&who, &available)
            })
            .await?;
        pass.conflicts += conflicts;
        Ok((state, claimed))
    }

    /// One queue per destination with each claimed entry rendered for its platform.
    fn queues(&self, state: &State, claimed: &Claimed, now: Timestamp) -> Vec<Queue> {
        let mut queues = Vec::new();
        for (name, ids) in &claimed.queues {
            let Some(destination) = self.destinations.iter().find(|d| &d.name == name) else {
                continue;
            };
            let items = ids
                .iter()
                .filter_map(|id| state.outbox.get(*id))
                .map(|entry| {
                    let message = alerts::message(entry, &self.origin, now);
                    (entry.id, destination.provider.render(&message))
                })
                .collect();
            queues.push(Queue {
                destination: destination.clone(),
                items,
            });
        }
        queues
    }
}

/// Records each result as it arrives, then lets its destination go on. Returns the state as
/// stored and how many results were recorded.
async fn record(
    store: &mut Store,
    mut state: State,
    mut results: mpsc::Receiver<Settled>,
    now: Timestamp,
    pass: &mut Pass,
) -> Result<(State, usize), Error> {
    let mut settled = 0;
    while let Some(Settled {
        id,
        fate,
        report,
        ack,
    }) = results.recv().await
    {
        let dest = report.destination.clone();
        let error = report.error.clone().unwrap_or_default();
        let (next, (), conflicts) = store
            .commit(state, now, |s| match fate {
                Fate::Accepted | Fate::Refused => s.outbox.settle(id, &dest),
                Fate::Failed => s.outbox.fail(id, &dest, &error),
            })
            .await?;
        state = next;
        settled += 1;
        pass.conflicts += conflicts;
        match fate {
            Fate::Accepted => {}
            Fate::Refused => pass.warnings.push(format!(
                "alert message {id} refused by {dest} and dropped (sending it again cannot succeed): {error}"
            )),
            Fate::Failed => {
                pass.warnings.push(format!(
                    "alert message {id} not delivered to {dest}; it stays queued for the next run: {error}"
                ));
                pass.failed.push(dest);
            }
        }
        pass.reports.push(report);
        let _ = ack.send(true);
    }
    Ok((state, settled))
}

fn dropped_warning(d: &Dropped) -> String {
    format!(
        "alert message {} for {} dropped without delivery: {}",
        d.id,
        d.destinations.join(", "),
        d.reason
    )
}

/// The delivery options of a pass: `--timeout` for everything, Discord messages created with
/// `?wait=true` so their ids are reported.
pub fn options(timeout: Duration, progress: crate::logging::Progress) -> DeliveryOptions {
    DeliveryOptions {
        overall_timeout: timeout,
        request_timeout: timeout.min(Duration::from_secs(10)),
        wait: true,
        progress,
        ..DeliveryOptions::default()
    }
}
