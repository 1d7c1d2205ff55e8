//! Small files in the repository (the monitor's `--state github` file) through the contents
//! API, with optimistic concurrency: every write names the blob SHA it replaces, and a stale
//! SHA comes back as [`ApiError::Conflict`] so the caller re-reads, merges and retries.
//!
//! Endpoints (GitHub OpenAPI): `GET|PUT /repos/{owner}/{repo}/contents/{path}`,
//! `GET /repos/{owner}/{repo}/git/ref/{ref}`, `POST /repos/{owner}/{repo}/git/refs`.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::base64;
use super::client::{Client, Replay};
use super::error::ApiError;
use super::paginate::set_query;
use super::statuses::split_ref;

/// A file's bytes and its blob SHA (what the next write must name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFile {
    pub content: Vec<u8>,
    pub sha: String,
}

#[derive(Deserialize)]
struct ContentFile {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<String>,
    sha: String,
}

#[derive(Deserialize)]
struct FileCommit {
    content: Option<CommittedFile>,
}

#[derive(Deserialize)]
struct CommittedFile {
    sha: String,
}

impl Client {
    /// The file at `path` on `branch`, or `None` when the file (or the branch) does not exist.
    pub async fn get_file(&self, path: &str, branch: &str) -> Result<Option<RepoFile>, ApiError> {
        let mut url = self.repo_url(contents_segments(path)?)?;
        set_query(&mut url, "ref", branch);
        let url_path = url.path().to_owned();
        let value: serde_json::Value = match self.json(Method::GET, url, None, Replay::Safe).await {
            Ok(v) => v,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let decode_error = |message: String| ApiError::Decode {
            method: "GET".into(),
            path: url_path.clone(),
            message,
        };
        if value.is_array() {
            return Err(ApiError::InvalidInput(format!(
                "`{path}` on branch `{branch}` is a directory, not a file"
            )));
        }
        let file: ContentFile = serde_json::from_value(value)
            .map_err(|e| decode_error(format!("not a content-file object: {e}")))?;
        if file.kind != "file" {
            return Err(ApiError::InvalidInput(format!(
                "`{path}` on branch `{branch}` is a {}, not a file",
                file.kind
            )));
        }
        // Files over 1 MB come back with `encoding: none` and no content.
        if file.encoding.as_deref() != Some("base64") {
            return Err(decode_error(format!(
                "`{path}` is too large for the contents API (encoding `{}`); keep state files \
                 under 1 MB",
                file.encoding.as_deref().unwrap_or("missing")
            )));
        }
        let content = base64::decode(file.content.as_deref().unwrap_or(""))
            .ok_or_else(|| decode_error("`content` is not Base64".into()))?;
        Ok(Some(RepoFile {
            content,
            sha: file.sha,
        }))
    }

    /// Writes `content` to `path` on `branch` as one commit and returns the new blob SHA.
    /// `sha` is the blob being replaced (`None` to create). A stale or missing SHA gives
    /// [`ApiError::Conflict`]: re-read with [`Client::get_file`] and try again.
    pub async fn put_file(
        &self,
        path: &str,
        branch: &str,
        content: &[u8],
        message: &str,
        sha: Option<&str>,
    ) -> Result<String, ApiError> {
        let url = self.repo_url(contents_segments(path)?)?;
        let url_path = url.path().to_owned();
        let mut body = json!({
            "message": message,
            "content": base64::encode(content),
            "branch": branch,
        });
        if let (Some(sha), Some(map)) = (sha, body.as_object_mut()) {
            map.insert("sha".into(), sha.into());
        }
        let result: Result<FileCommit, ApiError> =
            self.json(Method::PUT, url, Some(&body), Replay::Safe).await;
        match result {
            Ok(FileCommit {
                content: Some(file),
            }) => Ok(file.sha),
            Ok(FileCommit { content: None }) => Err(ApiError::Decode {
                method: "PUT".into(),
                path: url_path,
                message: "the answer names no file".into(),
            }),
            // GitHub: 409 "does not match" for a stale SHA, 422 "\"sha\" wasn't supplied" when
            // the file appeared since we looked.
            Err(ApiError::Status {
                method,
                path,
                status: 422,
                message,
                errors,
            }) if is_sha_complaint(&message, &errors) => Err(ApiError::Conflict {
                method,
                path,
                status: 422,
                message,
            }),
            Err(e) => Err(e),
        }
    }

    /// Creates `branch` at `from_sha` unless it exists. `true` when it was created.
    pub async fn create_branch_if_missing(
        &self,
        branch: &str,
        from_sha: &str,
    ) -> Result<bool, ApiError> {
        let mut segments = vec!["git".to_owned(), "ref".to_owned(), "heads".to_owned()];
        segments.extend(split_ref(branch)?);
        let url = self.repo_url(segments)?;
        match self
            .json::<serde_json::Value>(Method::GET, url, None, Replay::Safe)
            .await
        {
            Ok(_) => return Ok(false),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        let url = self.repo_url(["git", "refs"])?;
        let body = json!({ "ref": format!("refs/heads/{branch}"), "sha": from_sha });
        match self
            .json::<serde_json::Value>(Method::POST, url, Some(&body), Replay::Safe)
            .await
        {
            Ok(_) => Ok(true),
            // Created meanwhile by a concurrent job (or by our own retried request).
            Err(e) if e.status() == Some(422) && e.mentions("already exists") => Ok(false),
            Err(e) => Err(e),
        }
    }
}

fn is_sha_complaint(message: &str, errors: &[super::error::FieldError]) -> bool {
    let mentions = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.contains("\"sha\"") || s.contains("sha wasn't") || s.contains("does not match")
    };
    mentions(message)
        || errors.iter().any(|e| {
            e.field.as_deref() == Some("sha") || e.message.as_deref().is_some_and(mentions)
        })
}

/// `contents/<path segments>`, refusing paths that could step outside the repository.
fn contents_segments(path: &str) -> Result<Vec<String>, ApiError> {
    let trimmed = path.trim_matches('/');
    let parts: Vec<String> = trimmed.split('/').map(str::to_owned).collect();
    if trimmed.is_empty() || parts.iter().any(|p| p.is_empty() || p == "." || p == "..") {
        return Err(ApiError::InvalidInput(format!(
            "repository file path `{path}` must be relative, like `.decoder-ops/state.json`"
        )));
    }
    let mut segments = vec!["contents".to_owned()];
    segments.extend(parts);
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_segments() {
        assert_eq!(
            contents_segments("/state/monitor.json").unwrap(),
            ["contents", "state", "monitor.json"]
        );
        for bad in ["", "/", "a//b", "../x", "a/./b"] {
            assert!(contents_segments(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sha_complaints_are_recognised() {
        assert!(is_sha_complaint(
            "Invalid request.\n\n\"sha\" wasn't supplied.",
            &[]
        ));
        assert!(is_sha_complaint("state.json does not match 0123abc", &[]));
        assert!(!is_sha_complaint(
            "Invalid request.\n\n\"message\" wasn't supplied.",
            &[]
        ));
    }
}
