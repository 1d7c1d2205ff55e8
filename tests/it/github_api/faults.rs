//! Failures: read-only tokens, rate limits, 5xx and dropped connections, GitHub's error
//! answers, and the token never appearing in any error text.

use std::time::Duration;

use decoder_ops::github::api::{ApiError, Client, CommentAction, Marker, StatusState};
use decoder_ops::secret::Secret;

use super::{SHA, client, fast};
use crate::support::github::{Fault, GitHub, Options};

#[tokio::test]
async fn read_only_token_is_reported_as_such() {
    let gh = GitHub::start().await;
    let pr = gh.seed_pull_request("From a fork", "");
    let c = client(&gh);
    gh.set_read_only(true);
    let err = c
        .upsert_sticky_comment(pr, "coverage", "80%")
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::ReadOnlyToken { .. }), "{err}");
    assert!(!err.is_usage());
    assert!(err.to_string().contains("read-only"), "{err}");
    // Reads still work with such a token; the failed write was not retried.
    assert_eq!(gh.requests_for("issues/list-comments").len(), 1);
    assert_eq!(gh.requests_for("issues/create-comment").len(), 1);
    gh.set_read_only(false);

    gh.push_fault_for("repos/create-commit-status", Fault::ReadOnlyToken);
    let err = c
        .set_status_if_changed(SHA, "ctx", StatusState::Success, "ok", None)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::ReadOnlyToken { .. }), "{err}");
}

#[tokio::test]
async fn secondary_rate_limit_is_waited_out_then_retried() {
    let gh = GitHub::start().await;
    let pr = gh.seed_pull_request("Busy", "");
    // Even a non-idempotent create is retried: a rate-limited request was not applied.
    gh.push_fault_for(
        "issues/create-comment",
        Fault::SecondaryRateLimit {
            status: 403,
            retry_after_secs: 1,
        },
    );
    gh.push_fault_for(
        "repos/create-commit-status",
        Fault::SecondaryRateLimit {
            status: 429,
            retry_after_secs: 1,
        },
    );
    let c = client(&gh);
    let out = c
        .upsert_sticky_comment(pr, "coverage", "80%")
        .await
        .unwrap();
    assert_eq!(out.action, CommentAction::Created);
    let posts = gh.requests_for("issues/create-comment");
    assert_eq!(
        posts.iter().map(|r| r.status).collect::<Vec<_>>(),
        [403, 201]
    );
    let waited = posts[1].at.duration_since(posts[0].at);
    assert!(waited >= Duration::from_secs(1), "retried after {waited:?}");

    c.set_status_if_changed(SHA, "ctx", StatusState::Success, "ok", None)
        .await
        .unwrap();
    let posts = gh.requests_for("repos/create-commit-status");
    assert_eq!(
        posts.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 201]
    );
    assert!(posts[1].at.duration_since(posts[0].at) >= Duration::from_secs(1));
    assert_eq!(gh.comments(pr).len(), 1);
}

#[tokio::test]
async fn primary_rate_limit_waits_until_reset() {
    let gh = GitHub::start().await;
    gh.push_fault_for(
        "issues/list-for-repo",
        Fault::PrimaryRateLimit { reset_in_secs: 1 },
    );
    let c = client(&gh);
    let marker = Marker::new("incident:x").unwrap();
    assert_eq!(
        c.find_open_issue_by_marker(&marker, None).await.unwrap(),
        None
    );
    let reqs = gh.requests_for("issues/list-for-repo");
    assert_eq!(
        reqs.iter().map(|r| r.status).collect::<Vec<_>>(),
        [403, 200]
    );
    assert!(reqs[1].at.duration_since(reqs[0].at) >= Duration::from_secs(1));
}

#[tokio::test]
async fn rate_limit_beyond_the_budget_fails_without_waiting() {
    let gh = GitHub::start().await;
    gh.push_fault(Fault::SecondaryRateLimit {
        status: 403,
        retry_after_secs: 3600,
    });
    let c = client(&gh);
    let started = std::time::Instant::now();
    let err = c.get_file("state.json", "main").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(
            err,
            ApiError::RateLimited {
                wait_secs: 3600,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(gh.requests().len(), 1);
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried_a_bounded_number_of_times() {
    let gh = GitHub::start().await;
    let pr = gh.seed_pull_request("x", "");
    gh.push_fault_for("issues/list-comments", Fault::ServerError(502));
    gh.push_fault_for("issues/list-comments", Fault::Disconnect);
    let c = client(&gh);
    assert!(c.list_comments(pr).await.unwrap().is_empty());
    let statuses: Vec<u16> = gh
        .requests_for("issues/list-comments")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [502, 0, 200]);

    for _ in 0..3 {
        gh.push_fault_for("issues/list-comments", Fault::ServerError(503));
    }
    let err = c.list_comments(pr).await.unwrap_err();
    assert!(matches!(err, ApiError::Status { status: 503, .. }), "{err}");
    assert!(err.is_transient() && !err.is_usage());
    assert_eq!(gh.pending_faults(), 0);

    // A create that failed before reaching GitHub's storage (plain 5xx) is retried by the
    // sticky-comment loop after looking again.
    gh.push_fault_for("issues/create-comment", Fault::ServerError(500));
    let out = c.upsert_sticky_comment(pr, "coverage", "x").await.unwrap();
    assert_eq!(out.action, CommentAction::Created);
    assert_eq!(gh.comments(pr).len(), 1);
}

#[tokio::test]
async fn github_validation_errors_are_typed_with_their_details() {
    let gh = GitHub::start().await;
    let c = client(&gh);
    // The stand-in answers a status on an unknown commit like GitHub does.
    let err = c
        .set_status_if_changed("not-a-sha", "ctx", StatusState::Success, "ok", None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Status {
                status: 404 | 422,
                ..
            }
        ),
        "{err}"
    );
    let err = c.comment_issue(999, "hello").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(err.to_string().contains("Not Found"), "{err}");
}

#[tokio::test]
async fn the_token_never_appears_in_error_text() {
    let token = "ghs_MARKER-token-0123456789-abcdefXYZ";
    let gh = GitHub::start_with(Options {
        token: token.into(),
        ..Options::default()
    })
    .await;
    let c = client(&gh);
    let echo = |status: u16| Fault::Respond {
        status,
        body: serde_json::json!({
            "message": format!("token {token} rejected"),
            "errors": [{ "resource": "Issue", "code": "invalid", "field": "body", "message": format!("Bearer {token}") }],
            "documentation_url": "https://docs.github.com/rest",
        }),
        headers: Vec::new(),
    };
    let mut errors: Vec<ApiError> = Vec::new();
    gh.push_fault(echo(422));
    errors.push(c.comment_issue(1, "x").await.unwrap_err());
    gh.push_fault(echo(404));
    errors.push(c.list_comments(1).await.unwrap_err());
    for _ in 0..3 {
        gh.push_fault(echo(500));
    }
    errors.push(c.list_comments(1).await.unwrap_err());
    for _ in 0..3 {
        gh.push_fault(Fault::Disconnect);
    }
    errors.push(c.list_comments(1).await.unwrap_err());
    // Wrong credentials, and a port where nothing listens.
    let wrong = Client::new(
        gh.base_url(),
        Secret::new("ghs_otherTOKEN000000000000"),
        gh.repository(),
    )
    .unwrap()
    .with_retry_policy(fast());
    errors.push(wrong.list_comments(1).await.unwrap_err());
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let nowhere = Client::new(
        &format!("http://{closed}"),
        Secret::new(token),
        gh.repository(),
    )
    .unwrap()
    .with_retry_policy(fast());
    errors.push(nowhere.list_comments(1).await.unwrap_err());

    assert!(matches!(errors[0], ApiError::Status { status: 422, .. }));
    assert!(matches!(errors[3], ApiError::Transport { .. }));
    assert!(matches!(errors[4], ApiError::Unauthorized { .. }));
    assert!(errors[4].is_usage());
    assert!(matches!(errors[5], ApiError::Transport { .. }));
    for e in &errors {
        for text in [e.to_string(), format!("{e:?}")] {
            assert!(!text.contains(token), "token leaked: {text}");
            assert!(!text.contains("MARKERtoken"), "token leaked: {text}");
        }
    }
    assert!(
        errors[0].to_string().contains("token *** rejected"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].to_string().contains("Bearer ***"),
        "{}",
        errors[0]
    );
    assert!(!format!("{c:?}").contains("MARKERtoken"));
}
