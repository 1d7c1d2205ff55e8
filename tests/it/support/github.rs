//! A stand-in GitHub REST API for the integration tests, held to GitHub's published contract.
//!
//! It serves on 127.0.0.1 (hyper 1) and loads `tests/fixtures/github/rest-api-subset.json`
//! (GitHub's OpenAPI description, `@octokit/openapi` 23.0.2, subset). Every request must carry
//! the Bearer token and a User-Agent; a method + path not in the spec gets GitHub's 404; JSON
//! bodies are validated against the operation's `requestBody` schema (422 with GitHub's
//! validation-error shape); and each answer is itself checked against the operation's response
//! schema — a stand-in answer that breaks the spec fails the test when the handle drops.
//!
//! State (issues, pull requests, comments, labels, commit statuses, files with git blob SHAs,
//! refs) lives in memory; answers are the spec's examples overlaid with that state, paginated
//! with GitHub's `Link` header. Faults are queued and used once: read-only token, secondary or
//! primary rate limit, 5xx, dropped connection, a concurrent write before a contents PUT, or
//! any answer. Every request is recorded for assertions.
//!
//! ```ignore
//! let gh = GitHub::start().await;
//! let pr = gh.seed_pull_request("Add parser", "");
//! gh.push_fault_for("issues/create-comment", Fault::ServerError(502));
//! // … run the code under test against gh.base_url(), token gh.token(), repo gh.repository()
//! assert_eq!(gh.requests_for("issues/create-comment").len(), 1);
//! ```

mod codec;
mod ops;
mod ops_git;
mod render;
mod repo;
mod server;
mod spec;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use codec::git_blob_sha;
pub use repo::{ACTOR, CommentRec, FileRec, IssueRec, LabelRec, StatusRec};
use server::{Shared, lock};
pub use spec::Spec;

/// The default token: obviously fake, in the shape of an Actions installation token.
pub const TOKEN: &str = "ghs_FAKE-stand-in-token-for-tests-000";
pub const REPOSITORY: &str = "octo-org/hello-world";

/// A one-shot failure for the next matching request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 403 "Resource not accessible by integration" (a fork's read-only token).
    ReadOnlyToken,
    /// 403 or 429 "You have exceeded a secondary rate limit" with `retry-after`.
    SecondaryRateLimit { status: u16, retry_after_secs: u64 },
    /// 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0` and a reset time.
    PrimaryRateLimit { reset_in_secs: u64 },
    /// A 5xx answer; the request is not applied.
    ServerError(u16),
    /// The request is applied, then answered with this 5xx (GitHub timing out after the
    /// write): the client cannot know whether it worked.
    ApplyThenFail(u16),
    /// Close the connection without answering.
    Disconnect,
    /// Before the next contents PUT, another writer commits `other_content` to the same file;
    /// the request then meets a stale (or missing) blob SHA and gets GitHub's 409/422.
    ShaConflict { other_content: Vec<u8> },
    /// Any answer.
    Respond {
        status: u16,
        body: Value,
        headers: Vec<(String, String)>,
    },
}

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path as sent (percent-encoded), without the query.
    pub path: String,
    pub query: String,
    /// The spec's `operationId`, when the request matched one.
    pub operation: Option<String>,
    pub body: Option<Value>,
    pub raw_body: String,
    pub headers: Vec<(String, String)>,
    /// The status answered; 0 when the connection was dropped.
    pub status: u16,
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// `owner/name` the stand-in plays.
    pub repository: String,
    /// The only token it accepts.
    pub token: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            repository: REPOSITORY.into(),
            token: TOKEN.into(),
        }
    }
}

/// A running stand-in; stops when dropped.
pub struct GitHub {
    shared: Arc<Shared>,
    base_url: String,
    repository: String,
    task: JoinHandle<()>,
}

impl GitHub {
    pub async fn start() -> GitHub {
        GitHub::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> GitHub {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let base_url = format!("http://{}", listener.local_addr().expect("local addr"));
        let (owner, repo) = options
            .repository
            .split_once('/')
            .expect("repository is owner/name");
        let site = render::Site {
            api: base_url.clone(),
            owner: owner.into(),
            repo: repo.into(),
        };
        let shared = Arc::new(Shared::new(
            Spec::get(),
            options.token,
            owner.into(),
            repo.into(),
            repo::Repo::new(site),
        ));
        let task = tokio::spawn(server::serve(listener, shared.clone()));
        GitHub {
            shared,
            base_url,
            repository: options.repository,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`, the stand-in's `https://api.github.com`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn token(&self) -> &str {
        &self.shared.token
    }

    pub fn repository(&self) -> &str {
        &self.repository
    }

    // --- faults -------------------------------------------------------------------------

    /// Fails the next request (of any operation) with `fault`.
    pub fn push_fault(&self, fault: Fault) {
        let only = matches!(fault, Fault::ShaConflict { .. })
            .then(|| "repos/create-or-update-file-contents".to_owned());
        lock(&self.shared.faults).push_back((only, fault));
    }

    /// Fails the next request of operation `operation_id` (e.g. `issues/create-comment`).
    pub fn push_fault_for(&self, operation_id: &str, fault: Fault) {
        assert!(
            Spec::get().operation(operation_id).is_some(),
            "no operation `{operation_id}` in the spec"
        );
        lock(&self.shared.faults).push_back((Some(operation_id.to_owned()), fault));
    }

    /// Faults queued and not used yet.
    pub fn pending_faults(&self) -> usize {
        lock(&self.shared.faults).len()
    }

    /// While on, every write (non-GET) answers 403 "Resource not accessible by integration".
    pub fn set_read_only(&self, on: bool) {
        self.shared.read_only.store(on, Ordering::Relaxed);
    }

    // --- recorded requests --------------------------------------------------------------

    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// Requests that matched operation `operation_id`.
    pub fn requests_for(&self, operation_id: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.operation.as_deref() == Some(operation_id))
            .collect()
    }

    /// Requests answered with a status ≥ 400 or dropped.
    pub fn failed_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.status == 0 || r.status >= 400)
            .collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    // --- state --------------------------------------------------------------------------

    pub fn issue(&self, number: u64) -> Option<IssueRec> {
        lock(&self.shared.state).issues.get(&number).cloned()
    }

    /// Issues and pull requests, by number.
    pub fn issues(&self) -> Vec<IssueRec> {
        lock(&self.shared.state).issues.values().cloned().collect()
    }

    /// Comments of one issue or pull request, oldest first.
    pub fn comments(&self, issue_number: u64) -> Vec<CommentRec> {
        let state = lock(&self.shared.state);
        state
            .comments
            .values()
            .filter(|c| c.issue_number == issue_number)
            .cloned()
            .collect()
    }

    /// Every status posted for `sha`, in order.
    pub fn statuses(&self, sha: &str) -> Vec<StatusRec> {
        let state = lock(&self.shared.state);
        state
            .statuses
            .iter()
            .filter(|s| s.sha.eq_ignore_ascii_case(sha))
            .cloned()
            .collect()
    }

    pub fn labels(&self) -> Vec<LabelRec> {
        lock(&self.shared.state).labels.values().cloned().collect()
    }

    pub fn file(&self, branch: &str, path: &str) -> Option<FileRec> {
        lock(&self.shared.state)
            .files
            .get(&(branch.to_owned(), path.to_owned()))
            .cloned()
    }

    /// Every file, by (branch, path).
    pub fn files(&self) -> Vec<((String, String), FileRec)> {
        lock(&self.shared.state)
            .files
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Every ref (`heads/main`) and the commit it points at.
    pub fn refs(&self) -> std::collections::BTreeMap<String, String> {
        lock(&self.shared.state).refs.clone()
    }

    /// The stand-in's own answers that broke the spec (the handle's drop panics on them).
    pub fn violations(&self) -> Vec<String> {
        lock(&self.shared.violations).clone()
    }

    /// The commit a ref points at (`heads/main`).
    pub fn ref_sha(&self, name: &str) -> Option<String> {
        lock(&self.shared.state).refs.get(name).cloned()
    }

    // --- seeding ------------------------------------------------------------------------

    pub fn seed_pull_request(&self, title: &str, body: &str) -> u64 {
        lock(&self.shared.state).add_issue(
            title,
            Some(body.to_owned()),
            Vec::new(),
            true,
            "octocat",
        )
    }

    pub fn seed_issue(&self, title: &str, body: &str, labels: &[&str]) -> u64 {
        let labels = labels.iter().map(|l| (*l).to_owned()).collect();
        lock(&self.shared.state).add_issue(title, Some(body.to_owned()), labels, false, "octocat")
    }

    /// A comment by `user`; panics when the issue does not exist (a broken test).
    pub fn seed_comment(&self, issue_number: u64, user: &str, body: &str) -> u64 {
        lock(&self.shared.state)
            .add_comment(issue_number, user, body)
            .unwrap_or_else(|| panic!("seed_comment: no issue #{issue_number}"))
    }

    /// Commits a file on an existing branch; returns its blob SHA.
    pub fn seed_file(&self, branch: &str, path: &str, content: &[u8]) -> String {
        lock(&self.shared.state)
            .write_file(branch, path, content.to_vec())
            .unwrap_or_else(|| panic!("seed_file: no branch `{branch}`"))
            .0
    }

    pub fn seed_branch(&self, name: &str, commit_sha: &str) {
        lock(&self.shared.state)
            .refs
            .insert(format!("heads/{name}"), commit_sha.to_owned());
    }
}

impl Drop for GitHub {
    fn drop(&mut self) {
        self.task.abort();
        let violations = lock(&self.shared.violations).clone();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "the stand-in GitHub answered outside the spec:\n{}",
                violations.join("\n")
            );
        }
    }
}
