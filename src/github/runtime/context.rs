//! Who, what and where the run is: the `GITHUB_*` variables the runner sets for every step
//! ("Store information in variables" → default environment variables, GitHub docs) plus the
//! triggering event's payload.

use std::path::PathBuf;

use super::{Env, Event, PullRequest, RuntimeError};
use crate::notify::Origin;

const DEFAULT_SERVER_URL: &str = "https://github.com";
const DEFAULT_API_URL: &str = "https://api.github.com";

/// The run's context. Every field but the URLs is optional: the same binary runs on a laptop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// `GITHUB_ACTIONS` is `true`: we run on an Actions runner.
    pub in_actions: bool,
    /// `GITHUB_REPOSITORY`, `owner/name`.
    pub repository: Option<String>,
    /// `GITHUB_SHA`: for pull requests, the merge commit GitHub made, not the head commit.
    pub sha: Option<String>,
    /// `GITHUB_REF`, e.g. `refs/heads/main`, `refs/pull/42/merge`.
    pub git_ref: Option<String>,
    /// `GITHUB_REF_NAME`, or derived from [`Context::git_ref`] the way GitHub derives it.
    pub ref_name: Option<String>,
    /// `GITHUB_HEAD_REF`: the source branch (pull request events only).
    pub head_ref: Option<String>,
    /// `GITHUB_BASE_REF`: the target branch (pull request events only).
    pub base_ref: Option<String>,
    pub run_id: Option<String>,
    pub run_attempt: Option<u32>,
    /// `GITHUB_SERVER_URL` without a trailing `/`; `https://github.com` by default.
    pub server_url: String,
    /// `GITHUB_API_URL` without a trailing `/`; `https://api.github.com` by default.
    pub api_url: String,
    pub actor: Option<String>,
    pub workflow: Option<String>,
    pub job: Option<String>,
    /// `GITHUB_EVENT_NAME`: `push`, `pull_request`, `schedule`, …
    pub event_name: Option<String>,
    pub workspace: Option<PathBuf>,
    /// `GITHUB_EVENT_PATH`, when set.
    pub event_path: Option<PathBuf>,
    /// The parsed payload; [`Event::Other`] when there is none.
    pub event: Event,
}

impl Context {
    /// Reads the context from `env`, and the event payload when `GITHUB_EVENT_PATH` is set.
    ///
    /// A set but missing, unreadable or malformed payload is an error: a pull request run that
    /// silently lost its pull request would post to the wrong place or skip its fork checks.
    pub fn from_env(env: &Env) -> Result<Context, RuntimeError> {
        let owned = |name: &str| env.get(name).map(str::to_owned);
        let git_ref = owned("GITHUB_REF");
        let ref_name = owned("GITHUB_REF_NAME").or_else(|| git_ref.as_deref().map(derive_ref_name));
        let run_attempt = env
            .get("GITHUB_RUN_ATTEMPT")
            .map(|v| match v.parse::<u32>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(RuntimeError::Variable {
                    name: "GITHUB_RUN_ATTEMPT",
                    value: v.to_owned(),
                    expected: "a positive integer",
                }),
            })
            .transpose()?;
        let event_name = owned("GITHUB_EVENT_NAME");
        let event_path = env.get("GITHUB_EVENT_PATH").map(PathBuf::from);
        let event = match &event_path {
            Some(path) => Event::read(path, event_name.as_deref())?,
            None => Event::Other,
        };
        Ok(Context {
            in_actions: env.get("GITHUB_ACTIONS") == Some("true"),
            repository: owned("GITHUB_REPOSITORY"),
            sha: owned("GITHUB_SHA"),
            git_ref,
            ref_name,
            head_ref: owned("GITHUB_HEAD_REF"),
            base_ref: owned("GITHUB_BASE_REF"),
            run_id: owned("GITHUB_RUN_ID"),
            run_attempt,
            server_url: url_or(env.get("GITHUB_SERVER_URL"), DEFAULT_SERVER_URL),
            api_url: url_or(env.get("GITHUB_API_URL"), DEFAULT_API_URL),
            actor: owned("GITHUB_ACTOR"),
            workflow: owned("GITHUB_WORKFLOW"),
            job: owned("GITHUB_JOB"),
            event_name,
            workspace: env.get("GITHUB_WORKSPACE").map(PathBuf::from),
            event_path,
            event,
        })
    }

    /// The pull request this run belongs to, from the event payload.
    pub fn pull_request(&self) -> Option<&PullRequest> {
        self.event.pull_request()
    }

    /// The run belongs to a pull request whose changes come from another repository.
    pub fn is_fork_pull_request(&self) -> bool {
        self.pull_request().is_some_and(|pr| pr.is_fork)
    }

    /// The `GITHUB_TOKEN` of this run cannot write (comments, statuses, checks): a fork pull
    /// request on an event that runs in the fork's context. `pull_request_target` runs in the
    /// base repository's context and gets a normal token.
    pub fn has_read_only_token(&self) -> bool {
        self.is_fork_pull_request()
            && matches!(
                self.event_name.as_deref(),
                Some("pull_request" | "pull_request_review" | "pull_request_review_comment")
            )
    }

    /// Where a notification comes from, for [`crate::notify::Message`].
    pub fn to_origin(&self) -> Origin {
        Origin {
            repository: self.repository.clone(),
            ref_name: self.ref_name.clone(),
            sha: self.sha.clone(),
            actor: self.actor.clone(),
            workflow: self.workflow.clone(),
            job: self.job.clone(),
            run_id: self.run_id.clone(),
            run_attempt: self.run_attempt,
            server_url: Some(self.server_url.clone()),
            pull_request: self.pull_request().map(|pr| pr.number),
        }
    }
}

/// The short ref name GitHub puts in `GITHUB_REF_NAME`: the branch or tag, `<n>/merge` for a
/// pull request, the full ref otherwise.
pub fn derive_ref_name(git_ref: &str) -> String {
    ["refs/heads/", "refs/tags/", "refs/pull/"]
        .iter()
        .find_map(|prefix| git_ref.strip_prefix(prefix))
        .unwrap_or(git_ref)
        .to_owned()
}

fn url_or(value: Option<&str>, default: &str) -> String {
    value.unwrap_or(default).trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laptop_context_has_defaults_only() {
        let ctx = Context::from_env(&Env::default()).unwrap();
        assert!(!ctx.in_actions);
        assert_eq!(ctx.server_url, "https://github.com");
        assert_eq!(ctx.api_url, "https://api.github.com");
        assert_eq!(ctx.event, Event::Other);
        assert_eq!(ctx.to_origin().repository_url(), None);
    }

    #[test]
    fn variables_are_read() {
        let env = Env::from_pairs([
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "acme/app"),
            ("GITHUB_SHA", "0123456789abcdef"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_RUN_ATTEMPT", "2"),
            ("GITHUB_SERVER_URL", "https://ghe.example.test/"),
            ("GITHUB_API_URL", "https://ghe.example.test/api/v3"),
            ("GITHUB_ACTOR", "octocat"),
            ("GITHUB_WORKFLOW", "CI"),
            ("GITHUB_JOB", "test"),
            ("GITHUB_EVENT_NAME", "workflow_dispatch"),
            ("GITHUB_WORKSPACE", "/home/runner/work/app/app"),
        ]);
        let ctx = Context::from_env(&env).unwrap();
        assert!(ctx.in_actions);
        assert_eq!(ctx.ref_name.as_deref(), Some("main"));
        assert_eq!(ctx.server_url, "https://ghe.example.test");
        assert_eq!(ctx.api_url, "https://ghe.example.test/api/v3");
        let origin = ctx.to_origin();
        assert_eq!(
            origin.run_url().as_deref(),
            Some("https://ghe.example.test/acme/app/actions/runs/42/attempts/2")
        );
        assert_eq!(origin.ref_name.as_deref(), Some("main"));
        assert_eq!(origin.pull_request, None);
    }

    #[test]
    fn github_actions_must_be_exactly_true() {
        let ctx = Context::from_env(&Env::from_pairs([("GITHUB_ACTIONS", "1")])).unwrap();
        assert!(!ctx.in_actions);
    }

    #[test]
    fn ref_name_prefers_the_variable() {
        let env = Env::from_pairs([("GITHUB_REF", "refs/heads/a"), ("GITHUB_REF_NAME", "b")]);
        assert_eq!(
            Context::from_env(&env).unwrap().ref_name.as_deref(),
            Some("b")
        );
    }

    #[test]
    fn ref_names_are_derived_like_github() {
        assert_eq!(derive_ref_name("refs/heads/feature/x"), "feature/x");
        assert_eq!(derive_ref_name("refs/tags/v1.2.0"), "v1.2.0");
        assert_eq!(derive_ref_name("refs/pull/42/merge"), "42/merge");
        assert_eq!(derive_ref_name("refs/notes/commits"), "refs/notes/commits");
    }

    #[test]
    fn bad_run_attempt_is_an_error_naming_the_variable() {
        for bad in ["x", "0", "-1", "4294967296"] {
            let env = Env::from_pairs([("GITHUB_RUN_ATTEMPT", bad)]);
            let e = Context::from_env(&env).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "environment variable GITHUB_RUN_ATTEMPT: `{bad}` is not a positive integer"
                )
            );
        }
    }

    #[test]
    fn missing_event_file_is_an_error_naming_it() {
        let env = Env::from_pairs([
            ("GITHUB_EVENT_PATH", "no/such/event.json"),
            ("GITHUB_EVENT_NAME", "push"),
        ]);
        let e = Context::from_env(&env).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot read the event payload `no/such/event.json`"),
            "{e}"
        );
        assert!(!e.is_io());
    }
}
