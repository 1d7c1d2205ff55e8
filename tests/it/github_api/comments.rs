//! Sticky pull-request comments: created once, edited in place, found on any page.

use decoder_ops::github::api::CommentAction;

use super::{assert_contract, client};
use crate::support::github::{ACTOR, Fault, GitHub};

#[tokio::test]
async fn sticky_comment_is_created_once_then_edited() {
    let gh = GitHub::start().await;
    let pr = gh.seed_pull_request("Add parser", "");
    gh.seed_comment(pr, "octocat", "LGTM");
    // A human quoting our comment carries the marker, but not at the start.
    gh.seed_comment(
        pr,
        "octocat",
        "> <!-- decoder-ops:coverage -->\n> 80%\nnice",
    );
    let c = client(&gh);

    let first = c
        .upsert_sticky_comment(pr, "coverage", "Coverage 80%")
        .await
        .unwrap();
    let second = c
        .upsert_sticky_comment(pr, "coverage", "Coverage 81%")
        .await
        .unwrap();
    let third = c
        .upsert_sticky_comment(pr, "coverage", "Coverage 82%")
        .await
        .unwrap();

    assert_eq!(first.action, CommentAction::Created);
    assert_eq!(second.action, CommentAction::Updated);
    assert_eq!(third.action, CommentAction::Updated);
    assert_eq!(first.id, third.id);
    assert!(
        third
            .html_url
            .ends_with(&format!("/pull/{pr}#issuecomment-{}", first.id))
    );
    let ours: Vec<_> = gh
        .comments(pr)
        .into_iter()
        .filter(|c| c.user == ACTOR)
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].body, "<!-- decoder-ops:coverage -->\nCoverage 82%");
    assert_eq!(gh.requests_for("issues/create-comment").len(), 1);
    assert_eq!(gh.requests_for("issues/update-comment").len(), 2);
    // Another kind gets its own comment.
    let other = c
        .upsert_sticky_comment(pr, "quality-gate", "Gate passed")
        .await
        .unwrap();
    assert_eq!(other.action, CommentAction::Created);
    assert_ne!(other.id, first.id);
    assert_contract(&gh);
}

#[tokio::test]
async fn unchanged_sticky_comment_is_not_patched() {
    let gh = GitHub::start().await;
    let pr = gh.seed_pull_request("Tune gate", "");
    let c = client(&gh);
    let body = "## Coverage\n\n| file | % |\n|---|---|\n| a.rs | 90 |\n";
    c.upsert_sticky_comment(pr, "coverage", body).await.unwrap();
    let again = c.upsert_sticky_comment(pr, "coverage", body).await.unwrap();
    assert_eq!(again.action, CommentAction::Unchanged);
    assert!(gh.requests_for("issues/update-comment").is_empty());
    assert_eq!(gh.requests_for("issues/create-comment").len(), 1);
}

#[tokio::test]
async fn sticky_comment_is_found_past_the_first_page() {
    let gh = GitHub::start().await;
    let pr = gh.seed_pull_request("Busy PR", "");
    for i in 0..150 {
        gh.seed_comment(pr, "octocat", &format!("comment {i}"));
    }
    let ours = gh.seed_comment(pr, ACTOR, "<!-- decoder-ops:coverage -->\nold");
    for i in 0..5 {
        gh.seed_comment(pr, "octocat", &format!("later {i}"));
    }
    let c = client(&gh);
    let outcome = c
        .upsert_sticky_comment(pr, "coverage", "new")
        .await
        .unwrap();
    assert_eq!(outcome.action, CommentAction::Updated);
    assert_eq!(outcome.id, ours);
    assert_eq!(gh.comments(pr).len(), 156);
    let pages = gh.requests_for("issues/list-comments");
    assert_eq!(pages.len(), 2);
    assert!(pages[0].query.contains("per_page=100"));
    // The second page is fetched from GitHub's own `Link` URL, not rebuilt by the client.
    assert!(
        pages[1].path.starts_with("/repositories/"),
        "{}",
        pages[1].path
    );
    assert!(pages[1].query.contains("page=2"));
    assert_contract(&gh);
    gh.clear_requests();
    assert_eq!(c.list_comments(pr).await.unwrap().len(), 156);
    assert_eq!(gh.requests().len(), 2);
}

#[tokio::test]
async fn ambiguous_failure_while_creating_does_not_double_the_comment() {
    let gh = GitHub::start().await;
    let pr = gh.seed_pull_request("Flaky GitHub", "");
    gh.push_fault_for("issues/create-comment", Fault::ApplyThenFail(502));
    let c = client(&gh);
    let outcome = c
        .upsert_sticky_comment(pr, "coverage", "Coverage 80%")
        .await
        .unwrap();
    // The 502'd create did land; the client looked again and found it.
    assert_eq!(outcome.action, CommentAction::Unchanged);
    assert_eq!(gh.comments(pr).len(), 1);
    assert_eq!(gh.requests_for("issues/create-comment").len(), 1);
}
