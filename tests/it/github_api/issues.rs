//! Incident issues: create, find by marker and label, comment, label, close.

use decoder_ops::github::api::Marker;

use super::{assert_contract, client};
use crate::support::github::GitHub;

#[tokio::test]
async fn incident_issue_is_created_found_commented_and_closed() {
    let gh = GitHub::start().await;
    let marker = Marker::new("incident:api-health").unwrap();
    // Decoys: the marker on a closed issue, and on an open issue without the label.
    let closed = gh.seed_issue("old incident", marker.as_str(), &["incident"]);
    let c = client(&gh);
    c.close_issue(closed, None).await.unwrap();
    gh.seed_issue("unlabelled", marker.as_str(), &[]);

    assert_eq!(
        c.find_open_issue_by_marker(&marker, Some("incident"))
            .await
            .unwrap(),
        None
    );
    let body = marker.with_body("**api-health** is failing since 12:00 UTC");
    let created = c
        .create_issue("api-health is down", &body, &["incident"])
        .await
        .unwrap();
    assert_eq!(created.state, "open");
    assert_eq!(created.labels, ["incident"]);
    let found = c
        .find_open_issue_by_marker(&marker, Some("incident"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.number, created.number);
    assert!(!found.is_pull_request);

    let other = Marker::new("incident:db").unwrap();
    assert_eq!(
        c.find_open_issue_by_marker(&other, Some("incident"))
            .await
            .unwrap(),
        None
    );

    let comment = c
        .comment_issue(created.number, "still failing (3 checks)")
        .await
        .unwrap();
    assert!(
        comment
            .html_url
            .contains(&format!("/issues/{}#issuecomment-", created.number))
    );
    let labels = c
        .add_labels(created.number, &["sev1", "incident"])
        .await
        .unwrap();
    assert_eq!(labels, ["incident", "sev1"]);
    let names: Vec<String> = gh.labels().into_iter().map(|l| l.name).collect();
    assert_eq!(names, ["incident", "sev1"]);
    assert_eq!(gh.issues().len(), 3);

    let done = c
        .close_issue(created.number, Some("recovered at 12:30 UTC"))
        .await
        .unwrap();
    assert_eq!(done.state, "closed");
    let stored = gh.issue(created.number).unwrap();
    assert_eq!(stored.state_reason.as_deref(), Some("completed"));
    assert_eq!(gh.comments(created.number).len(), 2);
    assert_eq!(
        c.find_open_issue_by_marker(&marker, Some("incident"))
            .await
            .unwrap(),
        None
    );
    assert_contract(&gh);
}

#[tokio::test]
async fn find_issue_skips_pull_requests_carrying_the_marker() {
    let gh = GitHub::start().await;
    let marker = Marker::new("incident:web").unwrap();
    let c = client(&gh);
    // GitHub lists pull requests among issues; an older one whose body carries the marker
    // must not win.
    let pr = gh.seed_pull_request("revert", &marker.with_body("revert"));
    c.add_labels(pr, &["incident"]).await.unwrap();
    let issue = c
        .create_issue("web down", &marker.with_body("x"), &["incident"])
        .await
        .unwrap();
    assert!(pr < issue.number);
    let listed = gh.requests_for("issues/list-for-repo").len();
    let found = c
        .find_open_issue_by_marker(&marker, Some("incident"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.number, issue.number);
    let req = &gh.requests_for("issues/list-for-repo")[listed];
    assert!(req.query.contains("state=open") && req.query.contains("labels=incident"));
}
