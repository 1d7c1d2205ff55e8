//! JSON answers of the stand-in GitHub: each starts from the spec's own example of the resource
//! (so every field GitHub sends is there, with GitHub's types) and overlays the stand-in's state.

use serde_json::{Value, json};

use super::codec::path_encode;
use super::repo::{CommentRec, IssueRec, LabelRec, StatusRec};
use super::spec::Spec;

/// Where the stand-in lives and which repository it plays.
#[derive(Debug, Clone)]
pub struct Site {
    /// `http://127.0.0.1:<port>`: the stand-in's `api.github.com`.
    pub api: String,
    pub owner: String,
    pub repo: String,
}

/// The numeric id GitHub uses in `/repositories/{id}/…` pagination links.
pub const REPO_ID: u64 = 1_296_269;

impl Site {
    pub fn repo_api(&self) -> String {
        format!("{}/repos/{}/{}", self.api, self.owner, self.repo)
    }

    pub fn repo_html(&self) -> String {
        format!("https://github.com/{}/{}", self.owner, self.repo)
    }
}

fn set(v: &mut Value, key: &str, value: impl Into<Value>) {
    if let Some(map) = v.as_object_mut() {
        map.insert(key.to_owned(), value.into());
    }
}

fn node_id(kind: &str, id: u64) -> String {
    // GitHub's legacy node ids are Base64 of `0<len>:<Type><id>`; any opaque string will do.
    format!("{kind}_{id:08}")
}

pub fn user(spec: &Spec, login: &str) -> Value {
    let mut u = spec.example("issue-comment")["user"].clone();
    // GitHub percent-encodes a bot's `[bot]` in URLs, and a bot's page is its app's page.
    let (path, html, kind) = match login.strip_suffix("[bot]") {
        Some(app) => (
            format!("{app}%5Bbot%5D"),
            format!("https://github.com/apps/{app}"),
            "Bot",
        ),
        None => (
            login.to_owned(),
            format!("https://github.com/{login}"),
            "User",
        ),
    };
    set(&mut u, "login", login);
    set(
        &mut u,
        "url",
        format!("https://api.github.com/users/{path}"),
    );
    set(&mut u, "html_url", html);
    set(&mut u, "type", kind);
    u
}

pub fn comment(spec: &Spec, site: &Site, c: &CommentRec, on_pull: bool) -> Value {
    let mut v = spec.example("issue-comment");
    let kind = if on_pull { "pull" } else { "issues" };
    set(&mut v, "id", c.id);
    set(&mut v, "node_id", node_id("IC", c.id));
    set(
        &mut v,
        "url",
        format!("{}/issues/comments/{}", site.repo_api(), c.id),
    );
    set(
        &mut v,
        "html_url",
        format!(
            "{}/{kind}/{}#issuecomment-{}",
            site.repo_html(),
            c.issue_number,
            c.id
        ),
    );
    set(&mut v, "body", c.body.clone());
    set(&mut v, "user", user(spec, &c.user));
    set(&mut v, "created_at", c.created_at.clone());
    set(&mut v, "updated_at", c.updated_at.clone());
    set(
        &mut v,
        "issue_url",
        format!("{}/issues/{}", site.repo_api(), c.issue_number),
    );
    set(&mut v, "author_association", "NONE");
    v
}

pub fn label(spec: &Spec, site: &Site, l: &LabelRec) -> Value {
    let mut v = spec.example("label");
    set(&mut v, "id", l.id);
    set(&mut v, "node_id", node_id("LA", l.id));
    set(
        &mut v,
        "url",
        format!("{}/labels/{}", site.repo_api(), l.name),
    );
    set(&mut v, "name", l.name.clone());
    set(&mut v, "description", l.description.clone());
    set(&mut v, "color", l.color.clone());
    set(&mut v, "default", false);
    v
}

pub fn issue(spec: &Spec, site: &Site, i: &IssueRec, labels: Vec<Value>) -> Value {
    let mut v = spec.example("issue");
    let api = format!("{}/issues/{}", site.repo_api(), i.number);
    set(&mut v, "id", i.id);
    set(&mut v, "node_id", node_id("I", i.id));
    set(&mut v, "url", api.clone());
    set(&mut v, "repository_url", site.repo_api());
    set(&mut v, "labels_url", format!("{api}/labels{{/name}}"));
    set(&mut v, "comments_url", format!("{api}/comments"));
    set(&mut v, "events_url", format!("{api}/events"));
    let kind = if i.pull_request { "pull" } else { "issues" };
    set(
        &mut v,
        "html_url",
        format!("{}/{kind}/{}", site.repo_html(), i.number),
    );
    set(&mut v, "number", i.number);
    set(&mut v, "state", i.state.clone());
    set(&mut v, "state_reason", i.state_reason.clone());
    set(&mut v, "title", i.title.clone());
    set(&mut v, "body", i.body.clone());
    set(&mut v, "user", user(spec, &i.user));
    set(&mut v, "labels", labels);
    set(&mut v, "assignee", Value::Null);
    set(&mut v, "assignees", json!([]));
    set(&mut v, "milestone", Value::Null);
    set(&mut v, "locked", false);
    set(&mut v, "active_lock_reason", Value::Null);
    set(&mut v, "comments", i.comments);
    set(&mut v, "closed_at", i.closed_at.clone());
    set(&mut v, "closed_by", Value::Null);
    set(&mut v, "created_at", i.created_at.clone());
    set(&mut v, "updated_at", i.updated_at.clone());
    set(&mut v, "author_association", "NONE");
    if i.pull_request {
        let html = format!("{}/pull/{}", site.repo_html(), i.number);
        set(
            &mut v,
            "pull_request",
            json!({
                "url": format!("{}/pulls/{}", site.repo_api(), i.number),
                "html_url": html,
                "diff_url": format!("{html}.diff"),
                "patch_url": format!("{html}.patch"),
            }),
        );
    } else if let Some(map) = v.as_object_mut() {
        map.remove("pull_request");
    }
    v
}

/// A status as `repos/create-commit-status` answers it (with `creator`).
pub fn status(spec: &Spec, site: &Site, s: &StatusRec) -> Value {
    let mut v = spec.example("status");
    set(
        &mut v,
        "url",
        format!("{}/statuses/{}", site.repo_api(), s.sha),
    );
    set(&mut v, "id", s.id);
    set(&mut v, "node_id", node_id("SC", s.id));
    set(&mut v, "state", s.state.clone());
    set(&mut v, "description", s.description.clone());
    set(&mut v, "target_url", s.target_url.clone());
    set(&mut v, "context", s.context.clone());
    set(&mut v, "created_at", s.created_at.clone());
    set(&mut v, "updated_at", s.created_at.clone());
    set(&mut v, "creator", user(spec, "github-actions[bot]"));
    v
}

/// The combined status of a commit (`simple-commit-status` items, no `creator`).
pub fn combined(
    spec: &Spec,
    site: &Site,
    sha: &str,
    state: &str,
    page: Vec<&StatusRec>,
    total: usize,
) -> Value {
    let mut v = spec.example("combined-commit-status");
    let statuses: Vec<Value> = page
        .into_iter()
        .map(|s| {
            let mut one = status(spec, site, s);
            if let Some(map) = one.as_object_mut() {
                map.remove("creator");
            }
            one
        })
        .collect();
    set(&mut v, "state", state);
    set(&mut v, "statuses", statuses);
    set(&mut v, "sha", sha);
    set(&mut v, "total_count", total);
    set(
        &mut v,
        "commit_url",
        format!("{}/commits/{sha}", site.repo_api()),
    );
    set(
        &mut v,
        "url",
        format!("{}/commits/{sha}/status", site.repo_api()),
    );
    v
}

fn file_links(site: &Site, branch: &str, path: &str, sha: &str) -> (String, String, String) {
    let (branch, path) = (path_encode(branch), path_encode(path));
    (
        format!("{}/contents/{path}?ref={branch}", site.repo_api()),
        format!("{}/blob/{branch}/{path}", site.repo_html()),
        format!("{}/git/blobs/{sha}", site.repo_api()),
    )
}

pub fn content_file(
    spec: &Spec,
    site: &Site,
    branch: &str,
    path: &str,
    content: &[u8],
    sha: &str,
) -> Value {
    let mut v = spec.example("content-file-response-if-content-is-a-file");
    let (api, html, git) = file_links(site, branch, path, sha);
    let name = path.rsplit('/').next().unwrap_or(path);
    set(&mut v, "type", "file");
    set(&mut v, "encoding", "base64");
    set(&mut v, "size", content.len());
    set(&mut v, "name", name);
    set(&mut v, "path", path);
    set(&mut v, "content", super::codec::base64_wrapped(content));
    set(&mut v, "sha", sha);
    set(&mut v, "url", api.clone());
    set(&mut v, "git_url", git.clone());
    set(&mut v, "html_url", html.clone());
    set(
        &mut v,
        "download_url",
        format!(
            "https://raw.githubusercontent.com/{}/{}/{}/{}",
            site.owner,
            site.repo,
            path_encode(branch),
            path_encode(path)
        ),
    );
    set(
        &mut v,
        "_links",
        json!({ "self": api, "git": git, "html": html }),
    );
    v
}

pub struct CommitInfo<'a> {
    pub sha: &'a str,
    pub parent: &'a str,
    pub message: &'a str,
    pub date: &'a str,
}

pub fn file_commit(
    spec: &Spec,
    site: &Site,
    branch: &str,
    path: &str,
    size: usize,
    blob: &str,
    commit: &CommitInfo<'_>,
) -> Value {
    let mut v = spec.example("file-commit-example-for-creating-a-file");
    let content = content_file(spec, site, branch, path, &[], blob);
    let mut short = json!({});
    for key in [
        "name",
        "path",
        "sha",
        "url",
        "html_url",
        "git_url",
        "download_url",
        "type",
        "_links",
    ] {
        set(&mut short, key, content[key].clone());
    }
    set(&mut short, "size", size);
    set(&mut v, "content", short);
    let c = &mut v["commit"];
    set(c, "sha", commit.sha);
    set(c, "node_id", node_id("C", 0));
    set(
        c,
        "url",
        format!("{}/git/commits/{}", site.repo_api(), commit.sha),
    );
    set(
        c,
        "html_url",
        format!("{}/commit/{}", site.repo_html(), commit.sha),
    );
    set(c, "message", commit.message);
    let who = json!({ "date": commit.date, "name": "github-actions[bot]", "email": "41898282+github-actions[bot]@users.noreply.github.com" });
    set(c, "author", who.clone());
    set(c, "committer", who);
    set(
        c,
        "parents",
        json!([{
            "url": format!("{}/git/commits/{}", site.repo_api(), commit.parent),
            "html_url": format!("{}/commit/{}", site.repo_html(), commit.parent),
            "sha": commit.parent,
        }]),
    );
    v
}

pub fn git_ref(spec: &Spec, site: &Site, name: &str, sha: &str) -> Value {
    let mut v = spec.example("git-ref");
    set(&mut v, "ref", format!("refs/{name}"));
    set(&mut v, "node_id", node_id("REF", 0));
    set(
        &mut v,
        "url",
        format!("{}/git/refs/{name}", site.repo_api()),
    );
    set(
        &mut v,
        "object",
        json!({
            "type": "commit",
            "sha": sha,
            "url": format!("{}/git/commits/{sha}", site.repo_api()),
        }),
    );
    v
}
