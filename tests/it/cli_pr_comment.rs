//! The sticky pull-request comment of coverage-check and quality-gate against the stand-in
//! GitHub (requests validated against GitHub's OpenAPI description): posted once, then edited.

use std::path::Path;

use crate::cli::{Bin, repo_file};
use crate::support::github::{GitHub, REPOSITORY, TOKEN};

/// A `pull_request` event payload for PR `number` of the stand-in's repository.
fn event(dir: &Path, number: u64, fork: bool) -> std::path::PathBuf {
    let mut v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file(
            "tests/fixtures/github/events/pull_request_same_repo.json",
        ))
        .unwrap(),
    )
    .unwrap();
    v["number"] = number.into();
    v["pull_request"]["number"] = number.into();
    v["pull_request"]["base"]["repo"]["full_name"] = REPOSITORY.into();
    v["repository"]["full_name"] = REPOSITORY.into();
    let head = if fork {
        "someone/hello-world"
    } else {
        REPOSITORY
    };
    v["pull_request"]["head"]["repo"]["full_name"] = head.into();
    if fork {
        v["pull_request"]["head"]["repo"]["id"] = 999_999.into();
    } else {
        v["pull_request"]["head"]["repo"]["id"] = v["pull_request"]["base"]["repo"]["id"].clone();
    }
    let path = dir.join("event.json");
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sticky_comment_is_edited_never_reposted() {
    let github = GitHub::start().await;
    let pr = github.seed_pull_request("Add cart", "body");
    let dir = tempfile::tempdir().unwrap();
    let ev = event(dir.path(), pr, false);
    for _ in 0..3 {
        let (d, e) = (dir.path().to_owned(), ev.clone());
        let run = tokio::task::spawn_blocking({
            let github_base = github.base_url().to_owned();
            move || {
                Bin::new()
                    .in_actions(&d)
                    .env("GITHUB_REPOSITORY", REPOSITORY)
                    .env("GITHUB_EVENT_NAME", "pull_request")
                    .env("GITHUB_EVENT_PATH", &e)
                    .env("GITHUB_API_URL", &github_base)
                    .env("GITHUB_TOKEN", TOKEN)
                    .args(["coverage-check", "--min", "50"])
                    .arg_path(&repo_file("tests/fixtures/coverage/c8/lcov.info"))
                    .run()
            }
        })
        .await
        .unwrap();
        run.expect_code(0);
        // Only the mask command itself (consumed by the runner) may carry the token.
        let visible: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect();
        assert!(
            !visible.join("\n").contains(TOKEN) && !run.stderr.contains(TOKEN),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout.contains("::add-mask::ghs_FAKE"),
            "the token is masked first"
        );
    }
    let comments = github.comments(pr);
    assert_eq!(comments.len(), 1, "one sticky comment, edited in place");
    assert!(comments[0].body.contains("<!-- decoder-ops:coverage -->"));
    assert!(comments[0].body.contains("### Coverage"));
    assert_eq!(github.requests_for("issues/create-comment").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fork_pull_requests_fall_back_to_the_summary() {
    let github = GitHub::start().await;
    let pr = github.seed_pull_request("From a fork", "body");
    let dir = tempfile::tempdir().unwrap();
    let ev = event(dir.path(), pr, true);
    let d = dir.path().to_owned();
    let run = tokio::task::spawn_blocking({
        let base = github.base_url().to_owned();
        move || {
            Bin::new()
                .in_actions(&d)
                .env("GITHUB_REPOSITORY", REPOSITORY)
                .env("GITHUB_EVENT_NAME", "pull_request")
                .env("GITHUB_EVENT_PATH", &ev)
                .env("GITHUB_API_URL", &base)
                .env("GITHUB_TOKEN", TOKEN)
                .args(["coverage-check"])
                .arg_path(&repo_file("tests/fixtures/coverage/c8/lcov.info"))
                .run()
        }
    })
    .await
    .unwrap();
    run.expect_code(0);
    assert!(run.stdout.contains("read-only"), "{}", run.stdout);
    assert!(github.comments(pr).is_empty());
    assert!(
        std::fs::read_to_string(dir.path().join("summary"))
            .unwrap()
            .contains("### Coverage")
    );
}
