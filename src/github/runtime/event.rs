//! The webhook payload of the triggering event (`$GITHUB_EVENT_PATH`), reduced to what decoder-ops
//! uses: the pull request's number, repositories and commits, and a push's before/after.
//!
//! Shapes follow GitHub's webhook documentation ("Webhook events and payloads": `pull_request`,
//! `push`) and the payload examples published in `octokit/webhooks`. Only the fields below are
//! modelled; everything else in the (large) payload is ignored.

use std::path::Path;

use serde::Deserialize;

use super::RuntimeError;

/// What the triggering event tells us.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Event {
    /// `pull_request`, `pull_request_target`, `pull_request_review`,
    /// `pull_request_review_comment`: all carry the same `pull_request` object.
    PullRequest(PullRequest),
    /// `push`.
    Push(Push),
    /// Any other event, or no payload at all (outside Actions).
    #[default]
    Other,
}

/// The pull request a run belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    /// `owner/name` of the repository the changes come from; `None` when that fork was deleted.
    pub head_repo: Option<String>,
    /// `owner/name` of the repository the pull request targets.
    pub base_repo: Option<String>,
    pub head_sha: String,
    pub head_ref: String,
    pub base_sha: String,
    pub base_ref: String,
    /// The changes come from another repository (or one that no longer exists). For the
    /// `pull_request` event such runs get a read-only token and no secrets.
    pub is_fork: bool,
}

/// A push: the commit range it moved the ref across.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// All zeros when the push created the ref.
    pub before: Option<String>,
    /// All zeros when the push deleted the ref.
    pub after: Option<String>,
}

#[derive(Deserialize)]
struct PullRequestPayload {
    pull_request: RawPullRequest,
}

#[derive(Deserialize)]
struct RawPullRequest {
    number: u64,
    head: RawBranch,
    base: RawBranch,
}

#[derive(Deserialize)]
struct RawBranch {
    #[serde(rename = "ref")]
    git_ref: String,
    sha: String,
    /// `null` in the payload when the head repository (a fork) has been deleted.
    repo: Option<RawRepo>,
}

#[derive(Deserialize)]
struct RawRepo {
    id: Option<u64>,
    full_name: String,
}

#[derive(Deserialize)]
struct PushPayload {
    before: Option<String>,
    after: Option<String>,
}

impl Event {
    /// Reads and parses the payload at `path` for the event named `event_name`.
    ///
    /// Events we do not model are still parsed as JSON, so a truncated or corrupt payload is
    /// reported rather than silently ignored.
    pub fn read(path: &Path, event_name: Option<&str>) -> Result<Event, RuntimeError> {
        let bytes = std::fs::read(path).map_err(|source| RuntimeError::EventRead {
            path: path.to_path_buf(),
            source,
        })?;
        Event::parse(&bytes, event_name).map_err(|e| parse_error(path, &e))
    }

    /// Parses a payload already in memory.
    pub fn parse(bytes: &[u8], event_name: Option<&str>) -> Result<Event, serde_json::Error> {
        match event_name {
            Some(
                "pull_request"
                | "pull_request_target"
                | "pull_request_review"
                | "pull_request_review_comment",
            ) => {
                let payload: PullRequestPayload = serde_json::from_slice(bytes)?;
                Ok(Event::PullRequest(payload.pull_request.into()))
            }
            Some("push") => {
                let payload: PushPayload = serde_json::from_slice(bytes)?;
                Ok(Event::Push(Push {
                    before: payload.before,
                    after: payload.after,
                }))
            }
            _ => {
                serde_json::from_slice::<serde::de::IgnoredAny>(bytes)?;
                Ok(Event::Other)
            }
        }
    }

    pub fn pull_request(&self) -> Option<&PullRequest> {
        match self {
            Event::PullRequest(pr) => Some(pr),
            _ => None,
        }
    }
}

impl From<RawPullRequest> for PullRequest {
    fn from(raw: RawPullRequest) -> Self {
        let is_fork = is_fork(raw.head.repo.as_ref(), raw.base.repo.as_ref());
        PullRequest {
            number: raw.number,
            head_repo: raw.head.repo.map(|r| r.full_name),
            base_repo: raw.base.repo.map(|r| r.full_name),
            head_sha: raw.head.sha,
            head_ref: raw.head.git_ref,
            base_sha: raw.base.sha,
            base_ref: raw.base.git_ref,
            is_fork,
        }
    }
}

/// A pull request comes from a fork when its head repository is not its base repository, or is
/// gone (a deleted fork leaves `head.repo: null`).
///
/// `head.repo.fork` alone is not used: it says the head repository is *some* fork, which is also
/// true for a pull request between two branches of a repository that is itself a fork, and such
/// runs have a normal token. Whenever the head is a different repository, the names differ.
fn is_fork(head: Option<&RawRepo>, base: Option<&RawRepo>) -> bool {
    let (Some(head), Some(base)) = (head, base) else {
        return true;
    };
    if let (Some(h), Some(b)) = (head.id, base.id)
        && h != b
    {
        return true;
    }
    // Repository names are case-insensitive on GitHub.
    !head.full_name.eq_ignore_ascii_case(&base.full_name)
}

/// The error for a payload that is not what the event promises, with serde's position and its
/// message without the duplicated " at line L column C" suffix.
fn parse_error(path: &Path, e: &serde_json::Error) -> RuntimeError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    RuntimeError::EventParse {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pr(head: &str, base: &str) -> String {
        format!(
            r#"{{"action":"opened","number":7,"pull_request":{{"number":7,
            "head":{{"ref":"feature","sha":"aaa","repo":{head}}},
            "base":{{"ref":"main","sha":"bbb","repo":{base}}}}}}}"#
        )
    }

    fn parse_pr(json: &str) -> PullRequest {
        match Event::parse(json.as_bytes(), Some("pull_request")).unwrap() {
            Event::PullRequest(pr) => pr,
            other => panic!("not a pull request: {other:?}"),
        }
    }

    #[test]
    fn same_repository_is_not_a_fork() {
        let repo = r#"{"id":1,"full_name":"acme/app","fork":false}"#;
        let pr = parse_pr(&pr(repo, repo));
        assert!(!pr.is_fork);
        assert_eq!(pr.number, 7);
        assert_eq!(pr.head_ref, "feature");
        assert_eq!(pr.base_sha, "bbb");
    }

    #[test]
    fn other_repository_is_a_fork() {
        let head = r#"{"id":2,"full_name":"mallory/app","fork":true}"#;
        let base = r#"{"id":1,"full_name":"acme/app","fork":false}"#;
        let pr = parse_pr(&pr(head, base));
        assert!(pr.is_fork);
        assert_eq!(pr.head_repo.as_deref(), Some("mallory/app"));
        assert_eq!(pr.base_repo.as_deref(), Some("acme/app"));
    }

    #[test]
    fn deleted_head_repository_is_a_fork() {
        let base = r#"{"id":1,"full_name":"acme/app"}"#;
        let pr = parse_pr(&pr("null", base));
        assert!(pr.is_fork);
        assert_eq!(pr.head_repo, None);
    }

    #[test]
    fn branches_of_a_repository_that_is_itself_a_fork_are_not_a_fork_pr() {
        let repo = r#"{"id":3,"full_name":"acme/upstream-mirror","fork":true}"#;
        assert!(!parse_pr(&pr(repo, repo)).is_fork);
    }

    #[test]
    fn name_case_does_not_make_a_fork() {
        let head = r#"{"full_name":"Acme/App"}"#;
        let base = r#"{"full_name":"acme/app"}"#;
        assert!(!parse_pr(&pr(head, base)).is_fork);
    }

    #[test]
    fn push_before_and_after() {
        let json = r#"{"ref":"refs/heads/main","before":"111","after":"222"}"#;
        assert_eq!(
            Event::parse(json.as_bytes(), Some("push")).unwrap(),
            Event::Push(Push {
                before: Some("111".into()),
                after: Some("222".into())
            })
        );
    }

    #[test]
    fn other_events_are_validated_as_json() {
        assert_eq!(
            Event::parse(b"{\"inputs\":{}}", Some("workflow_dispatch")).unwrap(),
            Event::Other
        );
        assert!(Event::parse(b"{\"inputs\":", Some("workflow_dispatch")).is_err());
        assert_eq!(Event::parse(b"{}", None).unwrap(), Event::Other);
    }

    #[test]
    fn missing_pull_request_object_is_reported_with_position() {
        let e = Event::parse(b"{\n  \"action\": \"opened\"\n}", Some("pull_request")).unwrap_err();
        let err = parse_error(Path::new("event.json"), &e);
        assert_eq!(
            err.to_string(),
            "event payload `event.json` named by GITHUB_EVENT_PATH: line 3, column 1: \
             missing field `pull_request`"
        );
    }
}
