//! The in-memory repository behind the stand-in GitHub: issues and pull requests, comments,
//! labels, commit statuses, files (with git blob SHAs) and refs, plus GitHub-style pagination.
//! The operations on it are in `ops` (dispatch, issues) and `ops_git` (statuses, contents,
//! refs).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::codec::{self, git_blob_sha, hex, is_sha, now_iso, sha1};
use super::render::{self, REPO_ID, Site};
use super::spec::Spec;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRec {
    pub number: u64,
    pub id: u64,
    pub title: String,
    pub body: Option<String>,
    pub state: String,
    pub state_reason: Option<String>,
    pub labels: Vec<String>,
    pub pull_request: bool,
    pub user: String,
    pub comments: u64,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRec {
    pub id: u64,
    pub issue_number: u64,
    pub body: String,
    pub user: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRec {
    pub id: u64,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRec {
    pub id: u64,
    pub sha: String,
    pub state: String,
    pub description: Option<String>,
    pub target_url: Option<String>,
    pub context: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRec {
    pub content: Vec<u8>,
    /// The git blob SHA-1 of `content`.
    pub sha: String,
}

/// One answer: status, JSON body, extra headers.
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

/// The login that API writes are attributed to (a workflow's `GITHUB_TOKEN`).
pub const ACTOR: &str = "github-actions[bot]";

pub struct Repo {
    pub site: Site,
    pub default_branch: String,
    pub issues: BTreeMap<u64, IssueRec>,
    pub comments: BTreeMap<u64, CommentRec>,
    /// Keyed by lower-case name: label names are case-insensitive on GitHub.
    pub labels: BTreeMap<String, LabelRec>,
    pub statuses: Vec<StatusRec>,
    /// Keyed by (branch, path).
    pub files: BTreeMap<(String, String), FileRec>,
    /// `heads/main` → commit SHA.
    pub refs: BTreeMap<String, String>,
    next_id: u64,
    next_number: u64,
}

pub fn error(status: u16, message: impl Into<String>, doc: &str) -> Answer {
    Answer {
        status,
        body: json!({ "message": message.into(), "documentation_url": doc, "status": status.to_string() }),
        headers: Vec::new(),
    }
}

pub fn ok(status: u16, body: Value) -> Answer {
    Answer {
        status,
        body,
        headers: Vec::new(),
    }
}

pub fn created(body: Value) -> Answer {
    let location = body["url"].as_str().unwrap_or_default().to_owned();
    Answer {
        status: 201,
        body,
        headers: vec![("location".into(), location)],
    }
}

impl Repo {
    pub fn new(site: Site) -> Repo {
        let mut refs = BTreeMap::new();
        refs.insert(
            "heads/main".to_owned(),
            hex(&sha1(b"decoder-ops stand-in initial commit")),
        );
        Repo {
            site,
            default_branch: "main".into(),
            issues: BTreeMap::new(),
            comments: BTreeMap::new(),
            labels: BTreeMap::new(),
            statuses: Vec::new(),
            files: BTreeMap::new(),
            refs,
            next_id: 1000,
            next_number: 1,
        }
    }

    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn add_issue(
        &mut self,
        title: &str,
        body: Option<String>,
        labels: Vec<String>,
        pull_request: bool,
        user: &str,
    ) -> u64 {
        let number = self.next_number;
        self.next_number += 1;
        let id = self.new_id();
        for l in &labels {
            self.ensure_label(l);
        }
        let now = now_iso();
        self.issues.insert(
            number,
            IssueRec {
                number,
                id,
                title: title.to_owned(),
                body,
                state: "open".into(),
                state_reason: None,
                labels,
                pull_request,
                user: user.to_owned(),
                comments: 0,
                created_at: now.clone(),
                updated_at: now,
                closed_at: None,
            },
        );
        number
    }

    pub fn add_comment(&mut self, issue_number: u64, user: &str, body: &str) -> Option<u64> {
        let id = self.new_id();
        let issue = self.issues.get_mut(&issue_number)?;
        issue.comments += 1;
        let now = now_iso();
        self.comments.insert(
            id,
            CommentRec {
                id,
                issue_number,
                body: body.to_owned(),
                user: user.to_owned(),
                created_at: now.clone(),
                updated_at: now,
            },
        );
        Some(id)
    }

    pub fn ensure_label(&mut self, name: &str) {
        if !self.labels.contains_key(&name.to_lowercase()) {
            let id = self.new_id();
            self.labels.insert(
                name.to_lowercase(),
                LabelRec {
                    id,
                    name: name.to_owned(),
                    color: "ededed".into(),
                    description: None,
                },
            );
        }
    }

    /// Writes a file as one commit on `branch` (which must exist); returns the blob SHA.
    pub fn write_file(
        &mut self,
        branch: &str,
        path: &str,
        content: Vec<u8>,
    ) -> Option<(String, String, String)> {
        let parent = self.refs.get(&format!("heads/{branch}"))?.clone();
        let sha = git_blob_sha(&content);
        let commit = hex(&sha1(format!("{parent} {path} {sha}").as_bytes()));
        self.refs.insert(format!("heads/{branch}"), commit.clone());
        self.files.insert(
            (branch.to_owned(), path.to_owned()),
            FileRec {
                content,
                sha: sha.clone(),
            },
        );
        Some((sha, commit, parent))
    }

    /// A commit SHA for a ref the way GitHub resolves `{ref}`: a SHA, `heads/x`, or a branch.
    pub fn resolve_commit(&self, r: &str) -> Option<String> {
        if is_sha(r) {
            return Some(r.to_ascii_lowercase());
        }
        self.refs
            .get(r)
            .or_else(|| self.refs.get(&format!("heads/{r}")))
            .cloned()
    }

    pub fn label_values(&self, spec: &Spec, names: &[String]) -> Vec<Value> {
        names
            .iter()
            .filter_map(|n| self.labels.get(&n.to_lowercase()))
            .map(|l| render::label(spec, &self.site, l))
            .collect()
    }

    pub fn issue_value(&self, spec: &Spec, i: &IssueRec) -> Value {
        render::issue(spec, &self.site, i, self.label_values(spec, &i.labels))
    }

    /// One page of `items` and GitHub's `Link` header, pointing (like GitHub) at
    /// `/repositories/{id}/…` rather than the `/repos/{owner}/{repo}/…` path that was asked.
    pub fn page(
        &self,
        items: Vec<Value>,
        query: &[(String, String)],
        rest: &str,
    ) -> (Vec<Value>, Vec<(String, String)>) {
        let get = |k: &str| {
            query
                .iter()
                .find(|(q, _)| q == k)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let per_page = get("per_page").unwrap_or(30).clamp(1, 100);
        let page = get("page").unwrap_or(1).max(1);
        let last = items.len().div_ceil(per_page).max(1);
        let slice: Vec<Value> = items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        let others: String = query
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .map(|(k, v)| format!("{}={}&", codec::query_encode(k), codec::query_encode(v)))
            .collect();
        let link = |p: usize, rel: &str| {
            format!(
                "<{}/repositories/{REPO_ID}/{rest}?{others}per_page={per_page}&page={p}>; rel=\"{rel}\"",
                self.site.api
            )
        };
        let mut rels = Vec::new();
        if page > 1 {
            rels.push(link(page - 1, "prev"));
        }
        if page < last {
            rels.push(link(page + 1, "next"));
            rels.push(link(last, "last"));
        }
        if page > 1 {
            rels.push(link(1, "first"));
        }
        let headers = if rels.is_empty() {
            Vec::new()
        } else {
            vec![("link".to_owned(), rels.join(", "))]
        };
        (slice, headers)
    }
}

/// One validated request, as the operations see it.
pub struct Call<'a> {
    pub spec: &'a Spec,
    pub op_id: &'a str,
    /// The operation's documentation URL, for error bodies.
    pub doc: &'a str,
    pub params: &'a std::collections::HashMap<String, String>,
    pub query: &'a [(String, String)],
    pub body: &'a Value,
}

impl Call<'_> {
    /// A numeric path parameter (the router only matched digits for integer parameters).
    pub fn num(&self, name: &str) -> u64 {
        self.params
            .get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    pub fn param(&self, name: &str) -> String {
        self.params.get(name).cloned().unwrap_or_default()
    }

    pub fn query(&self, name: &str) -> Option<String> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    pub fn not_found(&self) -> Answer {
        error(404, "Not Found", self.doc)
    }
}
