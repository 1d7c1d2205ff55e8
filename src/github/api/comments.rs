//! Issue and pull-request comments, and the sticky comment: one comment per kind, found again
//! by its hidden marker and edited in place, never posted twice.
//!
//! Endpoints (GitHub OpenAPI): `GET|POST /repos/{owner}/{repo}/issues/{issue_number}/comments`,
//! `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::{Client, Replay};
use super::error::ApiError;
use super::marker::Marker;

/// GitHub rejects longer comment and issue bodies with 422.
pub const MAX_BODY_CHARS: usize = 65_536;

/// The part of GitHub's `issue-comment` the client uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Comment {
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    pub html_url: String,
}

/// What [`Client::upsert_sticky_comment`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentAction {
    Created,
    Updated,
    /// The comment already said exactly this; nothing was sent.
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommentOutcome {
    pub action: CommentAction,
    pub id: u64,
    pub html_url: String,
}

impl Client {
    /// Every comment of an issue or pull request, oldest first.
    pub async fn list_comments(&self, issue_number: u64) -> Result<Vec<Comment>, ApiError> {
        let url = self.repo_url(["issues", &issue_number.to_string(), "comments"])?;
        self.get_pages(url, |page: Vec<Comment>| page).await
    }

    /// Posts a new comment. Not retried after an ambiguous failure: a retry could post twice.
    pub async fn comment_issue(&self, issue_number: u64, body: &str) -> Result<Comment, ApiError> {
        check_body_len("comment", body)?;
        let url = self.repo_url(["issues", &issue_number.to_string(), "comments"])?;
        let body = json!({ "body": body });
        self.json(Method::POST, url, Some(&body), Replay::Never)
            .await
    }

    pub async fn update_comment(&self, comment_id: u64, body: &str) -> Result<Comment, ApiError> {
        check_body_len("comment", body)?;
        let url = self.repo_url(["issues", "comments", &comment_id.to_string()])?;
        let body = json!({ "body": body });
        self.json(Method::PATCH, url, Some(&body), Replay::Safe)
            .await
    }

    /// Creates or edits the one comment of `marker_kind` on an issue or pull request.
    ///
    /// The body is sent as `<!-- decoder-ops:<kind> -->\n<body>`. All pages of comments are
    /// searched for a comment starting with the marker (the oldest wins if there are several);
    /// it is edited when its text differs and left alone when it does not. A comment is created
    /// only when none carries the marker. If creating fails ambiguously (5xx, lost answer), the
    /// comments are listed again before another attempt, so a comment that did get created is
    /// edited rather than doubled.
    pub async fn upsert_sticky_comment(
        &self,
        issue_number: u64,
        marker_kind: &str,
        body: &str,
    ) -> Result<CommentOutcome, ApiError> {
        let marker = Marker::new(marker_kind)?;
        let full = marker.with_body(body);
        check_body_len("comment", &full)?;
        let mut failures = 0u32;
        loop {
            let comments = self.list_comments(issue_number).await?;
            let existing = comments
                .into_iter()
                .find(|c| c.body.as_deref().is_some_and(|b| marker.starts(b)));
            if let Some(existing) = existing {
                if existing
                    .body
                    .as_deref()
                    .is_some_and(|b| same_text(b, &full))
                {
                    return Ok(outcome(CommentAction::Unchanged, existing));
                }
                let updated = self.update_comment(existing.id, &full).await?;
                return Ok(outcome(CommentAction::Updated, updated));
            }
            match self.comment_issue(issue_number, &full).await {
                Ok(created) => return Ok(outcome(CommentAction::Created, created)),
                Err(e) if e.is_transient() && failures + 1 < self.policy().max_attempts => {
                    failures += 1;
                    let wait = self.policy().backoff(failures);
                    tracing::warn!("{e}; looking for the comment again in {wait:?}");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

fn outcome(action: CommentAction, c: Comment) -> CommentOutcome {
    CommentOutcome {
        action,
        id: c.id,
        html_url: c.html_url,
    }
}

/// Equal up to line endings and trailing whitespace, which GitHub may normalise on storage.
fn same_text(stored: &str, wanted: &str) -> bool {
    let norm = |s: &str| s.replace("\r\n", "\n").trim_end().to_owned();
    norm(stored) == norm(wanted)
}

pub(super) fn check_body_len(what: &str, body: &str) -> Result<(), ApiError> {
    let chars = body.chars().count();
    if chars > MAX_BODY_CHARS {
        return Err(ApiError::InvalidInput(format!(
            "{what} body is {chars} characters; GitHub accepts at most {MAX_BODY_CHARS}, \
             shorten it (link the full report instead)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_ignores_crlf_and_trailing_space() {
        assert!(same_text("a\r\nb\n", "a\nb"));
        assert!(!same_text("a\nb", "a\nc"));
        assert!(!same_text(" a", "a"));
    }

    #[test]
    fn long_bodies_are_refused_before_sending() {
        assert!(check_body_len("comment", &"é".repeat(MAX_BODY_CHARS)).is_ok());
        let e = check_body_len("comment", &"x".repeat(MAX_BODY_CHARS + 1)).unwrap_err();
        assert!(e.is_usage());
    }
}
