//! Delivery against the stand-in Slack and Discord servers: exactly once despite 429s, never
//! earlier than the server asked, 5xx retried, other 4xx not, pacing, the Discord edit flow.

use std::time::Duration;

use decoder_ops::notify::deliver::{DeliveryOptions, DeliveryReport, build_client, deliver_all};
use decoder_ops::notify::{Destination, EventKind, Message, Origin, Provider, Status};
use decoder_ops::secret::{Redactor, Secret};

use crate::support::chat::{Chat, Fault, TOKEN};

fn message(status: Status) -> Message {
    let origin = Origin::default();
    Message {
        status,
        event: EventKind::Deploy,
        title: Message::default_title(EventKind::Deploy, status, Some("staging"), &origin),
        text: "build 7".into(),
        fields: vec![],
        links: vec![],
        environment: Some("staging".into()),
        origin,
        timestamp: jiff::Timestamp::UNIX_EPOCH,
    }
}

fn dest(provider: Provider, url: String) -> Destination {
    Destination {
        name: format!("{} stand-in", provider.as_str()),
        provider,
        url: Secret::new(url),
    }
}

async fn send(items: Vec<Destination>, opts: DeliveryOptions) -> Vec<DeliveryReport> {
    let mut redactor = Redactor::new();
    for d in &items {
        redactor.add(d.url.expose());
    }
    let m = message(Status::Success);
    let items: Vec<_> = items
        .into_iter()
        .map(|d| {
            let p = d.provider.render(&m);
            (d, p)
        })
        .collect();
    deliver_all(&build_client().unwrap(), &items, &opts, &redactor).await
}

fn quick() -> DeliveryOptions {
    DeliveryOptions {
        overall_timeout: Duration::from_secs(15),
        request_timeout: Duration::from_secs(3),
        ..Default::default()
    }
}

fn assert_no_token(report: &DeliveryReport) {
    let text = format!("{report:?}");
    assert!(!text.contains(TOKEN), "token leaked: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_429_is_waited_out_as_asked_and_delivered_once() {
    let slack = Chat::slack().await;
    slack.plan(Fault::RateLimit(Duration::from_millis(600)));
    let r = send(vec![dest(Provider::Slack, slack.url())], quick()).await;
    assert!(r[0].delivered, "{r:?}");
    assert_eq!(r[0].attempts, 2);
    let got = slack.received();
    assert_eq!(got.len(), 2);
    assert_eq!(slack.accepted().len(), 1, "exactly once");
    // Retry-After said 1 s (the body 0.6 s): the retry may not come earlier than the longer.
    let gap = got[1].at - got[0].at;
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_429_with_float_retry_after_then_delivered_once() {
    let discord = Chat::discord().await;
    discord.plan(Fault::RateLimit(Duration::from_millis(350)));
    discord.plan(Fault::RateLimit(Duration::from_millis(350)));
    let r = send(vec![dest(Provider::Discord, discord.url())], quick()).await;
    assert!(r[0].delivered, "{r:?}");
    assert_eq!(discord.received().len(), 3);
    assert_eq!(discord.accepted().len(), 1);
    let got = discord.received();
    for pair in got.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(350));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_with_backoff() {
    let slack = Chat::slack().await;
    slack.plan(Fault::Status(500));
    slack.plan(Fault::Status(503));
    let r = send(vec![dest(Provider::Slack, slack.url())], quick()).await;
    assert!(r[0].delivered, "{r:?}");
    assert_eq!(
        (
            r[0].attempts,
            slack.received().len(),
            slack.accepted().len()
        ),
        (3, 3, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_and_bad_request_are_not_retried_and_say_why() {
    let slack = Chat::slack().await;
    let discord = Chat::discord().await;
    discord.plan(Fault::Status(400));
    let r = send(
        vec![
            dest(Provider::Slack, slack.unknown_url()),
            dest(Provider::Discord, discord.url()),
        ],
        quick(),
    )
    .await;
    assert_eq!(slack.received().len(), 1, "404 is final");
    assert_eq!(discord.received().len(), 1, "400 is final");
    assert!(!r[0].delivered && !r[1].delivered);
    assert_eq!(r[0].http_status, Some(404));
    assert!(
        r[0].error.as_deref().unwrap().contains("no_service"),
        "{r:?}"
    );
    assert!(r[0].error.as_deref().unwrap().contains("revoked"), "{r:?}");
    assert!(
        r[1].error.as_deref().unwrap().contains("Invalid Form Body"),
        "{r:?}"
    );

    let gone = Chat::discord().await;
    let r = send(vec![dest(Provider::Discord, gone.unknown_url())], quick()).await;
    assert_eq!(gone.received().len(), 1);
    assert!(
        r[0].error.as_deref().unwrap().contains("no longer exists"),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_past_the_request_timeout_is_retried() {
    let discord = Chat::discord().await;
    discord.plan(Fault::Slow(Duration::from_millis(1500)));
    let opts = DeliveryOptions {
        request_timeout: Duration::from_millis(400),
        ..quick()
    };
    let r = send(vec![dest(Provider::Discord, discord.url())], opts).await;
    assert!(r[0].delivered, "{r:?}");
    assert_eq!(r[0].attempts, 2);
    assert_no_token(&r[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_is_reported_without_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/services/TSTANDIN1/BSTANDIN2/{TOKEN}");
    let opts = DeliveryOptions {
        overall_timeout: Duration::from_secs(3),
        max_attempts: Some(3),
        ..quick()
    };
    let r = send(vec![dest(Provider::Slack, url)], opts).await;
    assert!(!r[0].delivered);
    assert_eq!(r[0].attempts, 3, "connection errors are retried");
    let error = r[0].error.as_deref().unwrap();
    assert!(error.contains("onnect"), "{error}");
    assert!(
        !error.contains("http://") && !error.contains("/services/"),
        "no URL at all: {error}"
    );
    assert_no_token(&r[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_longer_than_the_budget_gives_up_at_once() {
    let slack = Chat::slack().await;
    slack.plan(Fault::RateLimit(Duration::from_secs(30)));
    let opts = DeliveryOptions {
        overall_timeout: Duration::from_secs(2),
        ..quick()
    };
    let started = std::time::Instant::now();
    let r = send(vec![dest(Provider::Slack, slack.url())], opts).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(slack.received().len(), 1);
    assert!(
        r[0].error
            .as_deref()
            .unwrap()
            .contains("longer than the time left"),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_to_one_slack_webhook_are_paced_below_its_rate_limit() {
    let slack = Chat::slack().await;
    let url = slack.url();
    let r = send(
        vec![
            dest(Provider::Slack, url.clone()),
            dest(Provider::Slack, url.clone()),
            dest(Provider::Slack, url),
        ],
        quick(),
    )
    .await;
    assert!(r.iter().all(|x| x.delivered && x.attempts == 1), "{r:?}");
    let got = slack.received();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|g| g.status == 200), "no 429 at all");
    let mut times: Vec<_> = got.iter().map(|g| g.at).collect();
    times.sort();
    assert!(
        times
            .windows(2)
            .all(|w| w[1] - w[0] >= Duration::from_millis(950))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_bucket_headers_pace_a_burst_without_429() {
    let discord = Chat::discord().await;
    let items: Vec<_> = (0..7)
        .map(|_| dest(Provider::Discord, discord.url()))
        .collect();
    // Sequential sends so the pacer sees each answer's headers before the next request.
    let mut redactor = Redactor::new();
    redactor.add(&discord.url());
    let client = build_client().unwrap();
    let pacer = std::sync::Arc::new(decoder_ops::notify::deliver::Pacer::default());
    let m = message(Status::Info);
    for d in items {
        let payload = d.provider.render(&m);
        let r = decoder_ops::notify::deliver::deliver_all_paced(
            &client,
            &[(d, payload)],
            &quick(),
            &redactor,
            &pacer,
        )
        .await;
        assert!(r[0].delivered, "{r:?}");
    }
    assert!(
        discord.received().iter().all(|g| g.status == 204),
        "{:?}",
        discord
            .received()
            .iter()
            .map(|g| g.status)
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_wait_returns_the_id_and_update_edits_in_place() {
    let discord = Chat::discord().await;
    let started = message(Status::Started);
    let d = dest(Provider::Discord, discord.url());
    let client = build_client().unwrap();
    let mut redactor = Redactor::new();
    redactor.add(&discord.url());
    let opts = DeliveryOptions {
        wait: true,
        ..quick()
    };
    let r = deliver_all(
        &client,
        &[(d.clone(), Provider::Discord.render(&started))],
        &opts,
        &redactor,
    )
    .await;
    let id = r[0].message_id.clone().expect("message id with --wait");
    assert!(discord.received()[0].query.contains("wait=true"));
    assert!(
        discord.message(&id).unwrap()["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("started")
    );

    let done = message(Status::Success);
    let opts = DeliveryOptions {
        update: Some(id.clone()),
        ..quick()
    };
    let r = deliver_all(
        &client,
        &[(d, Provider::Discord.render(&done))],
        &opts,
        &redactor,
    )
    .await;
    assert!(r[0].delivered, "{r:?}");
    let last = discord.received().pop().unwrap();
    assert_eq!(last.method, "PATCH");
    assert!(last.path.ends_with(&format!("/messages/{id}")));
    assert!(
        discord.message(&id).unwrap()["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("succeeded")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_cannot_edit_and_says_so_without_a_request() {
    let slack = Chat::slack().await;
    let opts = DeliveryOptions {
        update: Some("123".into()),
        ..quick()
    };
    let r = send(vec![dest(Provider::Slack, slack.url())], opts).await;
    assert!(r[0].error.as_deref().unwrap().contains("cannot edit"));
    assert!(slack.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stand_ins_enforce_the_contracts_themselves() {
    // Proof that the validators are real: payloads that break the contracts are refused.
    let client = reqwest::Client::new();
    let discord = Chat::discord().await;
    let too_long = serde_json::json!({"embeds": [{"title": "x".repeat(257)}]});
    let status = client
        .post(discord.url())
        .json(&too_long)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 400, "title over 256 is refused by Discord's schema");
    let total = serde_json::json!({"embeds": [{"description": "x".repeat(4000)}, {"description": "y".repeat(2500)}]});
    assert_eq!(
        client
            .post(discord.url())
            .json(&total)
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    let slack = Chat::slack().await;
    let fields: Vec<_> = (0..11)
        .map(|_| serde_json::json!({"type": "mrkdwn", "text": "x"}))
        .collect();
    let body = serde_json::json!({"text": "t", "blocks": [{"type": "section", "fields": fields}]});
    let resp = client.post(slack.url()).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.text().await.unwrap(), "invalid_payload");
}
