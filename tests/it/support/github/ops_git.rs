//! The stand-in's commit statuses, contents (blob SHAs, stale-SHA conflicts) and git refs.

use serde_json::{Value, json};

use super::codec::{self, is_sha, now_iso};
use super::render::{self, CommitInfo};
use super::repo::{Answer, Call, Repo, StatusRec, created, error, ok};

impl Repo {
    pub(super) fn handle_git(&mut self, call: &Call<'_>) -> Answer {
        let body = call.body;
        match call.op_id {
            "repos/create-commit-status" => {
                let sha = call.param("sha");
                if !is_sha(&sha) {
                    return error(422, format!("No commit found for SHA: {sha}"), call.doc);
                }
                let description = body["description"].as_str().map(str::to_owned);
                if description
                    .as_ref()
                    .is_some_and(|d| d.chars().count() > 140)
                {
                    return Answer {
                        status: 422,
                        body: json!({ "message": "Validation Failed", "errors": [{ "resource": "Status", "code": "custom", "field": "description", "message": "description is too long (maximum is 140 characters)" }], "documentation_url": call.doc }),
                        headers: Vec::new(),
                    };
                }
                let id = self.new_id();
                let s = StatusRec {
                    id,
                    sha: sha.to_ascii_lowercase(),
                    state: body["state"].as_str().unwrap_or_default().to_owned(),
                    description,
                    target_url: body["target_url"].as_str().map(str::to_owned),
                    context: body["context"].as_str().unwrap_or("default").to_owned(),
                    created_at: now_iso(),
                };
                self.statuses.push(s.clone());
                created(render::status(call.spec, &self.site, &s))
            }
            "repos/get-combined-status-for-ref" => {
                let r = call.param("ref");
                let Some(sha) = self.resolve_commit(&r) else {
                    return error(404, format!("No commit found for SHA: {r}"), call.doc);
                };
                let mut latest: Vec<&StatusRec> = Vec::new();
                for s in self.statuses.iter().rev().filter(|s| s.sha == sha) {
                    if !latest
                        .iter()
                        .any(|l| l.context.eq_ignore_ascii_case(&s.context))
                    {
                        latest.push(s);
                    }
                }
                let state = if latest
                    .iter()
                    .any(|s| s.state == "error" || s.state == "failure")
                {
                    "failure"
                } else if latest.is_empty() || latest.iter().any(|s| s.state == "pending") {
                    "pending"
                } else {
                    "success"
                };
                let total = latest.len();
                let placeholders: Vec<Value> = (0..total).map(|i| json!(i)).collect();
                let (page, headers) =
                    self.page(placeholders, call.query, &format!("commits/{r}/status"));
                let chosen: Vec<&StatusRec> = page
                    .iter()
                    .filter_map(|i| i.as_u64())
                    .filter_map(|i| latest.get(usize::try_from(i).ok()?).copied())
                    .collect();
                Answer {
                    status: 200,
                    body: render::combined(call.spec, &self.site, &sha, state, chosen, total),
                    headers,
                }
            }
            "repos/get-content" => {
                let path = call.param("path");
                let branch = call
                    .query("ref")
                    .unwrap_or_else(|| self.default_branch.clone());
                if self.resolve_commit(&branch).is_none() {
                    return error(
                        404,
                        format!("No commit found for the ref {branch}"),
                        call.doc,
                    );
                }
                match self.files.get(&(branch.clone(), path.clone())) {
                    Some(f) => ok(
                        200,
                        render::content_file(
                            call.spec, &self.site, &branch, &path, &f.content, &f.sha,
                        ),
                    ),
                    None => call.not_found(),
                }
            }
            "repos/create-or-update-file-contents" => self.put_contents(call),
            "git/get-ref" => {
                let r = call.param("ref");
                match self.refs.get(&r) {
                    Some(sha) => ok(200, render::git_ref(call.spec, &self.site, &r, sha)),
                    None => call.not_found(),
                }
            }
            "git/create-ref" => {
                let full = body["ref"].as_str().unwrap_or_default();
                let sha = body["sha"].as_str().unwrap_or_default();
                let Some(name) = full
                    .strip_prefix("refs/")
                    .filter(|n| n.contains('/') && !n.ends_with('/'))
                else {
                    return error(422, format!("{full} is not a valid ref name."), call.doc);
                };
                if self.refs.contains_key(name) {
                    return error(422, "Reference already exists", call.doc);
                }
                if !is_sha(sha) {
                    return error(422, "Object does not exist", call.doc);
                }
                self.refs.insert(name.to_owned(), sha.to_ascii_lowercase());
                created(render::git_ref(call.spec, &self.site, name, sha))
            }
            _ => call.not_found(),
        }
    }

    fn put_contents(&mut self, call: &Call<'_>) -> Answer {
        let (doc, body) = (call.doc, call.body);
        let path = call.param("path");
        let branch = body["branch"]
            .as_str()
            .map_or_else(|| self.default_branch.clone(), str::to_owned);
        let Some(content) = codec::base64_decode(body["content"].as_str().unwrap_or_default())
        else {
            return error(422, "content is not valid Base64", doc);
        };
        if !self.refs.contains_key(&format!("heads/{branch}")) {
            return error(404, format!("Branch {branch} not found"), doc);
        }
        let given = body["sha"].as_str();
        let existing = self
            .files
            .get(&(branch.clone(), path.clone()))
            .map(|f| f.sha.clone());
        match (&existing, given) {
            (Some(_), None) => {
                return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.", doc);
            }
            (Some(current), Some(g)) if current != g => {
                return error(409, format!("{path} does not match {g}"), doc);
            }
            (None, Some(g)) => return error(409, format!("{path} does not match {g}"), doc),
            _ => {}
        }
        let size = content.len();
        let Some((blob, commit, parent)) = self.write_file(&branch, &path, content) else {
            return error(404, format!("Branch {branch} not found"), doc);
        };
        let date = now_iso();
        let info = CommitInfo {
            sha: &commit,
            parent: &parent,
            message: body["message"].as_str().unwrap_or_default(),
            date: &date,
        };
        let v = render::file_commit(call.spec, &self.site, &branch, &path, size, &blob, &info);
        ok(if existing.is_some() { 200 } else { 201 }, v)
    }
}
