//! Ordered delivery of queued payloads, for the monitor's outbox: each destination's payloads
//! one after another, oldest first, destinations side by side. Every result goes to the owner
//! of the queue (who records it in the state) and the next payload waits for the owner's
//! answer, so at any moment at most one acceptance per destination is not yet on record.
//!
//! A payload that is not delivered this time ([`Fate::Failed`]) ends its destination's turn:
//! the ones after it stay queued behind it, so people never read "resolved" before "firing".
//! A payload the endpoint refuses as such ([`Fate::Refused`]: HTTP 400, 413, 422) can never be
//! accepted; the ones after it go on.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::Destination;
use super::answer::refuses_payload;
use super::deliver::{Delivery, DeliveryOptions, DeliveryReport, Pacer, Watch};
use crate::secret::Redactor;

/// One destination and what to send it, in order.
#[derive(Debug, Clone)]
pub struct Queue {
    pub destination: Destination,
    /// `(id, payload)`, oldest first.
    pub items: Vec<(u64, serde_json::Value)>,
}

/// What became of one payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fate {
    /// The endpoint accepted it.
    Accepted,
    /// The endpoint refused the payload itself; sending it again cannot succeed.
    Refused,
    /// Not delivered this time; it (and what comes after it) waits for the next run.
    Failed,
}

/// One result, for the owner to record.
#[derive(Debug)]
pub struct Settled {
    pub id: u64,
    pub fate: Fate,
    pub report: DeliveryReport,
    /// Send `true` once recorded to go on with this destination, `false` to stop it.
    pub ack: oneshot::Sender<bool>,
}

impl Fate {
    fn of(report: &DeliveryReport) -> Fate {
        match (report.delivered, report.http_status) {
            (true, _) => Fate::Accepted,
            (false, Some(status)) if refuses_payload(status) => Fate::Refused,
            (false, _) => Fate::Failed,
        }
    }
}

/// Sends every queue, one task per destination, until each is empty, stopped by a failure or
/// by its owner, or out of time (`opts.overall_timeout` for everything). Results arrive on
/// `results`, each waiting for its `ack`.
pub async fn drain(
    client: &reqwest::Client,
    queues: Vec<Queue>,
    opts: &DeliveryOptions,
    redactor: &Redactor,
    pacer: &Arc<Pacer>,
    results: mpsc::Sender<Settled>,
) {
    let deadline = Instant::now() + opts.overall_timeout;
    let mut set = tokio::task::JoinSet::new();
    for queue in queues {
        let job = Job {
            client: client.clone(),
            opts: opts.clone(),
            redactor: redactor.clone(),
            pacer: Arc::clone(pacer),
            deadline,
            results: results.clone(),
        };
        set.spawn(job.run(queue));
    }
    drop(results);
    while set.join_next().await.is_some() {}
}

/// What every destination's task shares.
struct Job {
    client: reqwest::Client,
    opts: DeliveryOptions,
    redactor: Redactor,
    pacer: Arc<Pacer>,
    deadline: Instant,
    results: mpsc::Sender<Settled>,
}

impl Job {
    async fn run(self, queue: Queue) {
        let mut watch = Watch::new(queue.items.len());
        for (id, payload) in queue.items {
            let delivery = Delivery {
                client: self.client.clone(),
                dest: queue.destination.clone(),
                payload,
                opts: self.opts.clone(),
                redactor: self.redactor.clone(),
                pacer: Arc::clone(&self.pacer),
                deadline: self.deadline,
            };
            let mut report = delivery.run(&mut watch).await;
            report.outbox_id = Some(id);
            let fate = Fate::of(&report);
            let (ack, answer) = oneshot::channel();
            let settled = Settled {
                id,
                fate,
                report,
                ack,
            };
            if self.results.send(settled).await.is_err() {
                return;
            }
            let go_on = answer.await.unwrap_or(false);
            if fate == Fate::Accepted {
                watch.delivered += 1;
            }
            if fate == Fate::Failed || !go_on {
                return;
            }
        }
    }
}
