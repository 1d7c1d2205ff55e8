//! The outbox's delivery queue against a webhook that answers by request number: in order,
//! one result at a time, a refused payload skipped, a failure ending the destination's turn,
//! and the owner's "stop" obeyed.

use std::sync::Arc;
use std::time::Duration;

use decoder_ops::notify::deliver::{DeliveryOptions, Pacer, build_client};
use decoder_ops::notify::queue::{Fate, Queue, drain};
use decoder_ops::notify::{Destination, Provider};
use decoder_ops::secret::{Redactor, Secret};

use crate::support::faults::{Behavior, FaultServer};

fn queue(server: &FaultServer, ids: &[u64]) -> Queue {
    Queue {
        destination: Destination {
            name: "channel ops".into(),
            provider: Provider::Discord,
            url: Secret::new(server.url("/api/webhooks/1/queueTOKEN")),
        },
        items: ids
            .iter()
            .map(|id| (*id, serde_json::json!({"content": format!("alert {id}")})))
            .collect(),
    }
}

/// Drains `q`, answering each result with `go_on(id)`; returns `(id, fate)` in arrival order.
async fn run(q: Queue, go_on: impl Fn(u64) -> bool) -> Vec<(u64, Fate)> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    let opts = DeliveryOptions {
        overall_timeout: Duration::from_secs(10),
        ..DeliveryOptions::default()
    };
    let client = build_client().unwrap();
    let pacer = Arc::new(Pacer::default());
    let redactor = Redactor::new();
    let sending = drain(&client, vec![q], &opts, &redactor, &pacer, tx);
    let recording = async {
        let mut seen = Vec::new();
        while let Some(s) = rx.recv().await {
            seen.push((s.id, s.fate));
            assert_eq!(s.report.outbox_id, Some(s.id));
            let _ = s.ack.send(go_on(s.id));
        }
        seen
    };
    tokio::join!(sending, recording).1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_order_a_refused_payload_skipped_and_a_failure_ends_the_turn() {
    let server = FaultServer::start(|n, _| match n {
        1 => Behavior::status(400, r#"{"message": "Invalid Form Body", "code": 50035}"#),
        3 => Behavior::status(404, r#"{"message": "Unknown Webhook", "code": 10015}"#),
        _ => Behavior::status(204, ""),
    })
    .await;
    let results = run(queue(&server, &[10, 11, 12, 13, 14]), |_| true).await;
    assert_eq!(
        results,
        [
            (10, Fate::Accepted),
            (11, Fate::Refused),
            (12, Fate::Accepted),
            (13, Fate::Failed)
        ]
    );
    assert_eq!(server.requests(), 4, "14 waits behind 13");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_can_stop_a_destination_after_any_result() {
    let server = FaultServer::start(|_, _| Behavior::status(204, "")).await;
    let results = run(queue(&server, &[1, 2, 3]), |id| id < 2).await;
    assert_eq!(results, [(1, Fate::Accepted), (2, Fate::Accepted)]);
    assert_eq!(server.requests(), 2);
}
