//! The sticky pull-request comment and the commit status of a command. The comment: one comment per kind, found again by its
//! hidden marker and edited on every push, never posted twice. Best effort: a missing token, a
//! push event or a fork's read-only token fall back to the job summary, and an API failure is a
//! warning, never the command's verdict.

use super::Session;
use crate::github::api::{ApiError, Client, StatusOutcome, StatusState};
use crate::github::runtime::{Annotation, Context};
use crate::secret::Secret;

/// Posts or edits the `kind` comment on the run's pull request. Returns a line for the log.
pub fn upsert(session: &mut Session, kind: &str, body: &str) -> Option<String> {
    let context = Context::from_env(&session.env).ok()?;
    let pr = context.pull_request()?.number;
    if context.has_read_only_token() {
        return Some("pull request from a fork: its token is read-only, so the result is in the job summary only".into());
    }
    let token = session
        .env
        .get("GITHUB_TOKEN")
        .or_else(|| session.env.get("GH_TOKEN"))?
        .to_owned();
    let repository = context.repository.clone()?;
    session.add_secret(&token);
    // A comment is as public as a log: it goes through the redactor too.
    let body = session.redact(body);
    let result = (|| -> Result<String, ApiError> {
        let client = Client::new(&context.api_url, Secret::new(token), &repository)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ApiError::Setup(format!("cannot start the async runtime: {e}")))?;
        let outcome = runtime.block_on(client.upsert_sticky_comment(pr, kind, &body))?;
        Ok(format!(
            "PR #{pr} comment {:?}: {}",
            outcome.action, outcome.html_url
        )
        .to_lowercase())
    })();
    match result {
        Ok(line) => Some(line),
        Err(ApiError::ReadOnlyToken { .. }) => {
            Some("the token cannot write to the pull request (read-only); the result is in the job summary".into())
        }
        Err(e) => {
            let message = session.redact(&format!("could not update the pull-request comment: {e}"));
            let _ = session.runtime.annotate(Annotation::warning(message.clone()).title("decoder-ops"));
            Some(message)
        }
    }
}

/// Sets the commit status `context` of the run's commit (the PR head on pull requests) when its
/// state or description changed — GitHub keeps at most 1,000 statuses per commit and context.
/// Best effort, like the comment: no token, a read-only token or an API failure only warn.
pub fn commit_status(
    session: &mut Session,
    context_name: &str,
    state: StatusState,
    description: &str,
) -> Option<String> {
    let context = Context::from_env(&session.env).ok()?;
    if context.has_read_only_token() {
        return None;
    }
    let sha = context
        .pull_request()
        .map(|p| p.head_sha.clone())
        .or_else(|| context.sha.clone())?;
    let token = session
        .env
        .get("GITHUB_TOKEN")
        .or_else(|| session.env.get("GH_TOKEN"))?
        .to_owned();
    let repository = context.repository.clone()?;
    let run_url = context.to_origin().run_url();
    session.add_secret(&token);
    let description = session.redact(description);
    let result = (|| -> Result<StatusOutcome, ApiError> {
        let client = Client::new(&context.api_url, Secret::new(token), &repository)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ApiError::Setup(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(client.set_status_if_changed(
            &sha,
            context_name,
            state,
            &description,
            run_url.as_deref(),
        ))
    })();
    match result {
        Ok(StatusOutcome::Posted) => Some(format!(
            "commit status `{context_name}` set to {}",
            state.as_str()
        )),
        Ok(StatusOutcome::Unchanged) => Some(format!("commit status `{context_name}` unchanged")),
        Err(e) => {
            let message = session.redact(&format!("could not set the commit status: {e}"));
            let _ = session
                .runtime
                .annotate(Annotation::warning(message.clone()).title("decoder-ops"));
            Some(message)
        }
    }
}
