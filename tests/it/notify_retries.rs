//! `decoder-ops notify` under rate limits, end to end: it keeps honouring 429s for as long as
//! `--timeout` allows (not a fixed number of attempts), and reads `Retry-After` given as an
//! HTTP date as well as in seconds.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::cli::{Bin, read};
use crate::support::chat::{Chat, Fault};
use crate::support::faults::{Behavior, FaultServer};

fn notify(url: &str, timeout: &str, json: &std::path::Path) -> crate::cli::Run {
    Bin::new()
        .args([
            "notify",
            "--provider",
            "slack",
            "--text",
            "deploy done",
            "--webhook",
            url,
        ])
        .args(["--timeout", timeout, "--json"])
        .arg_path(json)
        .run()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_keeps_waiting_out_429s_until_its_timeout() {
    let slack = Chat::slack().await;
    for _ in 0..6 {
        slack.plan(Fault::RateLimit(Duration::from_millis(1000)));
    }
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let url = slack.url();
    let j = json.clone();
    let run = tokio::task::spawn_blocking(move || notify(&url, "20s", &j))
        .await
        .unwrap();
    run.expect_code(0);
    let result: Value = serde_json::from_str(&read(&json)).unwrap();
    assert_eq!(result["delivered"], true, "{result}");
    assert_eq!(result["deliveries"][0]["attempts"], 7, "{result}");
    assert_eq!(slack.accepted().len(), 1);
    let got = slack.received();
    for pair in got.windows(2) {
        assert!(
            pair[1].at - pair[0].at >= Duration::from_secs(1),
            "retried early"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_waits_until_the_http_date_of_retry_after() {
    // First request: 429 until a whole second at least two seconds ahead; then 200.
    let until: Arc<Mutex<Option<SystemTime>>> = Arc::default();
    let arrivals: Arc<Mutex<Vec<SystemTime>>> = Arc::default();
    let (u, a) = (until.clone(), arrivals.clone());
    let server = FaultServer::start(move |index, _| {
        let now = SystemTime::now();
        a.lock().unwrap().push(now);
        if index > 0 {
            return Behavior::status(200, "ok");
        }
        let secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3;
        *u.lock().unwrap() = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        let date = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&jiff::Timestamp::from_second(secs as i64).unwrap())
            .unwrap();
        Behavior::Respond {
            status: 429,
            headers: vec![("Retry-After".into(), date)],
            body: b"rate_limited".to_vec(),
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let url = server.url("/services/T1/B1/dateTOKEN");
    let j = json.clone();
    let run = tokio::task::spawn_blocking(move || notify(&url, "15s", &j))
        .await
        .unwrap();
    run.expect_code(0);
    let arrivals = arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 2, "{}", read(&json));
    let until = until.lock().unwrap().unwrap();
    assert!(
        arrivals[1] >= until,
        "retried {:?} before the date it was given",
        until.duration_since(arrivals[1]).unwrap_or_default()
    );
}
