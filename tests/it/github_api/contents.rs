//! The state file: contents with blob-SHA conflicts, and the state branch.

use decoder_ops::github::api::ApiError;

use super::{assert_contract, client};
use crate::support::github::{Fault, GitHub, git_blob_sha};

#[tokio::test]
async fn state_file_conflict_is_resolved_by_rereading() {
    let gh = GitHub::start().await;
    let c = client(&gh);
    let path = ".decoder-ops/state.json";
    assert_eq!(c.get_file(path, "main").await.unwrap(), None);

    let v1 = br#"{"checks":{"api":"up"}}"#;
    let sha1 = c
        .put_file(path, "main", v1, "monitor: state", None)
        .await
        .unwrap();
    assert_eq!(sha1, git_blob_sha(v1));
    let read = c.get_file(path, "main").await.unwrap().unwrap();
    assert_eq!(
        (read.content.as_slice(), read.sha.as_str()),
        (&v1[..], sha1.as_str())
    );

    // Another monitor run writes between our read and our write.
    gh.push_fault(Fault::ShaConflict {
        other_content: br#"{"checks":{"db":"down"}}"#.to_vec(),
    });
    let v2 = br#"{"checks":{"api":"down"}}"#;
    let err = c
        .put_file(path, "main", v2, "monitor: state", Some(&sha1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Conflict { status: 409, .. }),
        "{err}"
    );
    let put = gh
        .requests_for("repos/create-or-update-file-contents")
        .pop()
        .unwrap();
    let body = put.body.unwrap();
    assert_eq!(body["sha"], sha1.as_str());
    assert_eq!(body["branch"], "main");
    assert_eq!(body["content"], "eyJjaGVja3MiOnsiYXBpIjoiZG93biJ9fQ==");

    let fresh = c.get_file(path, "main").await.unwrap().unwrap();
    assert_eq!(fresh.content, br#"{"checks":{"db":"down"}}"#);
    let merged = br#"{"checks":{"api":"down","db":"down"}}"#;
    let sha3 = c
        .put_file(path, "main", merged, "monitor: state", Some(&fresh.sha))
        .await
        .unwrap();
    let stored = gh.file("main", path).unwrap();
    assert_eq!(stored.content, merged);
    assert_eq!(stored.sha, sha3);

    // Creating a file that exists (no sha) is a conflict too (GitHub's 422 "sha wasn't supplied").
    let err = c
        .put_file(path, "main", b"{}", "monitor: state", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Conflict { status: 422, .. }),
        "{err}"
    );
    assert_contract(&gh);
}

#[tokio::test]
async fn state_branch_is_created_once() {
    let gh = GitHub::start().await;
    let c = client(&gh);
    let main = gh.ref_sha("heads/main").unwrap();
    assert!(
        c.create_branch_if_missing("decoder-ops/state", &main)
            .await
            .unwrap()
    );
    assert!(
        !c.create_branch_if_missing("decoder-ops/state", &main)
            .await
            .unwrap()
    );
    assert_eq!(
        gh.ref_sha("heads/decoder-ops/state").as_deref(),
        Some(main.as_str())
    );
    let sha = c
        .put_file("state.json", "decoder-ops/state", b"{}", "init", None)
        .await
        .unwrap();
    assert_eq!(gh.file("decoder-ops/state", "state.json").unwrap().sha, sha);
    assert_eq!(c.get_file("state.json", "main").await.unwrap(), None);
    gh.seed_branch("preexisting", &main);
    assert!(
        !c.create_branch_if_missing("preexisting", &main)
            .await
            .unwrap()
    );
    let seeded = gh.seed_file("preexisting", "dir/with space.json", b"[1]\n");
    let read = c
        .get_file("dir/with space.json", "preexisting")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((read.content.as_slice(), read.sha), (&b"[1]\n"[..], seeded));
    // Writing to a branch that does not exist is an error, not a silent write elsewhere.
    let err = c
        .put_file("state.json", "nope", b"{}", "x", None)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(gh.requests_for("git/create-ref").len(), 1);
    assert_contract(&gh);
}
