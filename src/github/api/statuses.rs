//! Commit statuses, posted only when they change: GitHub keeps at most 1,000 statuses per SHA
//! and context, and a status re-posted on every run adds noise to the commit's history.
//!
//! Endpoints (GitHub OpenAPI): `GET /repos/{owner}/{repo}/commits/{ref}/status` (the combined
//! status: the latest status of each context), `POST /repos/{owner}/{repo}/statuses/{sha}`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::client::{Client, Replay};
use super::error::ApiError;

/// GitHub truncates nothing: a longer description is rejected, so we shorten it ourselves.
pub const MAX_DESCRIPTION_CHARS: usize = 140;

/// `state` of a commit status (`error`, `failure`, `pending`, `success`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusState {
    Error,
    Failure,
    Pending,
    Success,
}

impl StatusState {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusState::Error => "error",
            StatusState::Failure => "failure",
            StatusState::Pending => "pending",
            StatusState::Success => "success",
        }
    }
}

/// What [`Client::set_status_if_changed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusOutcome {
    Posted,
    /// The context already had this state and description; nothing was posted.
    Unchanged,
}

/// The part of GitHub's `simple-commit-status` the comparison needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CommitStatus {
    pub context: String,
    pub state: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub target_url: Option<String>,
}

#[derive(Deserialize)]
struct CombinedStatus {
    statuses: Vec<CommitStatus>,
}

impl Client {
    /// The latest status of every context on `git_ref` (a SHA or a branch).
    pub async fn latest_statuses(&self, git_ref: &str) -> Result<Vec<CommitStatus>, ApiError> {
        let mut segments = vec!["commits".to_owned()];
        segments.extend(split_ref(git_ref)?);
        segments.push("status".to_owned());
        let url = self.repo_url(segments)?;
        self.get_pages(url, |c: CombinedStatus| c.statuses).await
    }

    /// Posts a status for `context` on `sha` unless its latest status there already has this
    /// state and description (compared after truncation). `target_url` is not compared: it
    /// usually names the run, which differs every time.
    pub async fn set_status_if_changed(
        &self,
        sha: &str,
        context: &str,
        state: StatusState,
        description: &str,
        target_url: Option<&str>,
    ) -> Result<StatusOutcome, ApiError> {
        if context.trim().is_empty() {
            return Err(ApiError::InvalidInput(
                "commit status context is empty; name it, e.g. `decoder-ops/quality-gate`".into(),
            ));
        }
        let description = truncate_description(description);
        let current = self.latest_statuses(sha).await?;
        // GitHub: "This field is case-insensitive."
        let same = current
            .iter()
            .find(|s| s.context.eq_ignore_ascii_case(context));
        if let Some(s) = same
            && s.state == state.as_str()
            && s.description.as_deref().unwrap_or("") == description
        {
            return Ok(StatusOutcome::Unchanged);
        }
        let mut body = serde_json::json!({
            "state": state,
            "context": context,
            "description": description,
        });
        if let (Some(url), Some(map)) = (target_url, body.as_object_mut()) {
            map.insert("target_url".into(), url.into());
        }
        let url = self.repo_url(["statuses", sha])?;
        // A doubled status is harmless, so 5xx answers are retried.
        let _: serde_json::Value = self
            .json(Method::POST, url, Some(&body), Replay::Safe)
            .await?;
        Ok(StatusOutcome::Posted)
    }
}

/// At most 140 characters, the last one `…` when something was cut.
pub fn truncate_description(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MAX_DESCRIPTION_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_DESCRIPTION_CHARS - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// A ref as path segments (`heads/main` → `heads`, `main`), refusing empty and dot segments.
pub(super) fn split_ref(git_ref: &str) -> Result<Vec<String>, ApiError> {
    let parts: Vec<String> = git_ref.split('/').map(str::to_owned).collect();
    if git_ref.is_empty() || parts.iter().any(|p| p.is_empty() || p == "." || p == "..") {
        return Err(ApiError::InvalidInput(format!(
            "git ref `{git_ref}` is not a SHA or a branch name"
        )));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_fit_140_characters() {
        assert_eq!(truncate_description("  all good "), "all good");
        let exact = "a".repeat(140);
        assert_eq!(truncate_description(&exact), exact);
        let long = format!("{} tail", "é".repeat(200));
        let cut = truncate_description(&long);
        assert_eq!(cut.chars().count(), 140);
        assert!(cut.ends_with('…'));
        assert!(cut.starts_with("éé"));
    }

    #[test]
    fn refs_split_into_segments() {
        assert_eq!(split_ref("heads/main").unwrap(), ["heads", "main"]);
        assert!(split_ref("").is_err());
        assert!(split_ref("a//b").is_err());
        assert!(split_ref("../x").is_err());
    }
}
