//! Incident issues: found again by marker and label, created, commented, labelled and closed.
//!
//! Endpoints (GitHub OpenAPI): `GET|POST /repos/{owner}/{repo}/issues`,
//! `PATCH /repos/{owner}/{repo}/issues/{issue_number}`,
//! `POST /repos/{owner}/{repo}/issues/{issue_number}/labels` (and the comment endpoints of
//! `comments`).

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::{Client, Replay};
use super::comments::check_body_len;
use super::error::ApiError;
use super::marker::Marker;
use super::paginate::set_query;

/// The part of GitHub's `issue` the client uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    /// `open` or `closed`.
    pub state: String,
    pub html_url: String,
    pub labels: Vec<String>,
    /// GitHub lists pull requests among issues; they carry a `pull_request` object.
    pub is_pull_request: bool,
}

#[derive(Deserialize)]
struct RawIssue {
    number: u64,
    title: String,
    #[serde(default)]
    body: Option<String>,
    state: String,
    html_url: String,
    #[serde(default)]
    labels: Vec<serde_json::Value>,
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

impl From<RawIssue> for Issue {
    fn from(raw: RawIssue) -> Issue {
        Issue {
            number: raw.number,
            title: raw.title,
            body: raw.body,
            state: raw.state,
            html_url: raw.html_url,
            labels: raw.labels.iter().filter_map(label_name).collect(),
            is_pull_request: raw.pull_request.is_some_and(|p| !p.is_null()),
        }
    }
}

/// GitHub's `labels` items are label objects (or, in some answers, bare names).
fn label_name(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        other => other.get("name")?.as_str().map(str::to_owned),
    }
}

#[derive(Deserialize)]
struct Label {
    name: String,
}

impl Client {
    /// The oldest open issue (not pull request) whose body contains `marker`, among the issues
    /// carrying `label` when given.
    pub async fn find_open_issue_by_marker(
        &self,
        marker: &Marker,
        label: Option<&str>,
    ) -> Result<Option<Issue>, ApiError> {
        let mut url = self.repo_url(["issues"])?;
        set_query(&mut url, "state", "open");
        if let Some(label) = label {
            set_query(&mut url, "labels", label);
        }
        let issues = self.get_pages(url, |page: Vec<RawIssue>| page).await?;
        Ok(issues
            .into_iter()
            .map(Issue::from)
            .filter(|i| !i.is_pull_request && i.body.as_deref().is_some_and(|b| marker.is_in(b)))
            .min_by_key(|i| i.number))
    }

    /// Opens an issue. Not retried after an ambiguous failure (it could open two); a caller that
    /// searched by marker first finds it on its next run.
    pub async fn create_issue(
        &self,
        title: &str,
        body: &str,
        labels: &[&str],
    ) -> Result<Issue, ApiError> {
        if title.trim().is_empty() {
            return Err(ApiError::InvalidInput("issue title is empty".into()));
        }
        check_body_len("issue", body)?;
        let url = self.repo_url(["issues"])?;
        let body = json!({ "title": title, "body": body, "labels": labels });
        let raw: RawIssue = self
            .json(Method::POST, url, Some(&body), Replay::Never)
            .await?;
        Ok(raw.into())
    }

    /// Closes an issue as completed, after posting `comment` when given.
    pub async fn close_issue(
        &self,
        issue_number: u64,
        comment: Option<&str>,
    ) -> Result<Issue, ApiError> {
        if let Some(comment) = comment {
            self.comment_issue(issue_number, comment).await?;
        }
        let url = self.repo_url(["issues", &issue_number.to_string()])?;
        let body = json!({ "state": "closed", "state_reason": "completed" });
        let raw: RawIssue = self
            .json(Method::PATCH, url, Some(&body), Replay::Safe)
            .await?;
        Ok(raw.into())
    }

    /// Adds labels (GitHub creates missing ones) and returns every label the issue now has.
    pub async fn add_labels(
        &self,
        issue_number: u64,
        labels: &[&str],
    ) -> Result<Vec<String>, ApiError> {
        if labels.is_empty() {
            return Err(ApiError::InvalidInput(
                "add_labels needs at least one label".into(),
            ));
        }
        let url = self.repo_url(["issues", &issue_number.to_string(), "labels"])?;
        let body = json!({ "labels": labels });
        // Adding a label twice leaves it once: safe to retry.
        let all: Vec<Label> = self
            .json(Method::POST, url, Some(&body), Replay::Safe)
            .await?;
        Ok(all.into_iter().map(|l| l.name).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_from_github_json() {
        let raw: RawIssue = serde_json::from_value(json!({
            "number": 7, "title": "t", "body": null, "state": "open",
            "html_url": "https://github.com/o/r/issues/7",
            "labels": [{"id": 1, "name": "incident"}, "bare"],
            "pull_request": {"url": "https://api.github.com/repos/o/r/pulls/7"}
        }))
        .unwrap();
        let issue = Issue::from(raw);
        assert_eq!(issue.labels, ["incident", "bare"]);
        assert!(issue.is_pull_request);
        assert_eq!(issue.body, None);
    }
}
