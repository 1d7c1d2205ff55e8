//! Commit statuses: posted only on change, descriptions fitted to 140 characters.

use decoder_ops::github::api::{StatusOutcome, StatusState};

use super::{SHA, assert_contract, client};
use crate::support::github::GitHub;

#[tokio::test]
async fn commit_status_is_posted_only_when_it_changes() {
    let gh = GitHub::start().await;
    let c = client(&gh);
    let ctx = "decoder-ops/quality-gate";
    let run = Some("https://github.com/octo-org/hello-world/actions/runs/1");
    let post = |state, desc: &'static str| c.set_status_if_changed(SHA, ctx, state, desc, run);

    assert_eq!(
        post(StatusState::Pending, "evaluating").await.unwrap(),
        StatusOutcome::Posted
    );
    assert_eq!(
        post(StatusState::Pending, "evaluating").await.unwrap(),
        StatusOutcome::Unchanged
    );
    assert_eq!(
        post(StatusState::Success, "evaluating").await.unwrap(),
        StatusOutcome::Posted
    );
    assert_eq!(
        post(StatusState::Success, "all gates passed")
            .await
            .unwrap(),
        StatusOutcome::Posted
    );
    assert_eq!(
        post(StatusState::Success, "all gates passed")
            .await
            .unwrap(),
        StatusOutcome::Unchanged
    );
    // Contexts are compared case-insensitively, as GitHub does.
    let upper = c
        .set_status_if_changed(
            SHA,
            &ctx.to_uppercase(),
            StatusState::Success,
            "all gates passed",
            None,
        )
        .await
        .unwrap();
    assert_eq!(upper, StatusOutcome::Unchanged);
    // Another context on the same commit is independent.
    let cov = c
        .set_status_if_changed(
            SHA,
            "decoder-ops/coverage",
            StatusState::Success,
            "all gates passed",
            None,
        )
        .await
        .unwrap();
    assert_eq!(cov, StatusOutcome::Posted);

    let posted = gh.statuses(SHA);
    assert_eq!(posted.len(), 4);
    assert_eq!(gh.requests_for("repos/create-commit-status").len(), 4);
    assert_eq!(posted[0].target_url.as_deref(), run);
    assert_eq!(posted[3].target_url, None);
    let sent = gh.requests_for("repos/create-commit-status");
    assert_eq!(
        sent[0].body,
        Some(serde_json::json!({
            "state": "pending", "context": ctx, "description": "evaluating", "target_url": run,
        }))
    );
    assert!(
        sent[3]
            .body
            .as_ref()
            .is_some_and(|b| b.get("target_url").is_none())
    );
    assert_contract(&gh);
}

#[tokio::test]
async fn long_status_description_is_truncated_to_what_github_accepts() {
    let gh = GitHub::start().await;
    let c = client(&gh);
    let long = "coverage 79.5% is below the 80% minimum; ".repeat(10);
    let out = c
        .set_status_if_changed(
            SHA,
            "decoder-ops/coverage",
            StatusState::Failure,
            &long,
            None,
        )
        .await
        .unwrap();
    assert_eq!(out, StatusOutcome::Posted);
    let stored = gh.statuses(SHA)[0].description.clone().unwrap();
    assert_eq!(stored.chars().count(), 140);
    assert!(stored.ends_with('…'));
    // The same long text compares equal after truncation: no second post.
    let again = c
        .set_status_if_changed(
            SHA,
            "decoder-ops/coverage",
            StatusState::Failure,
            &long,
            None,
        )
        .await
        .unwrap();
    assert_eq!(again, StatusOutcome::Unchanged);
}
