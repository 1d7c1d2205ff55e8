//! The stand-in's operations, by `operationId`: dispatch, and issues, comments and labels.

use serde_json::{Value, json};

use super::codec::now_iso;
use super::render;
use super::repo::{ACTOR, Answer, Call, LabelRec, Repo, created, error, ok};

impl Repo {
    /// Runs one validated operation.
    pub fn handle(&mut self, call: &Call<'_>) -> Answer {
        let body = call.body;
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match call.op_id {
            "issues/list-comments" => {
                let n = call.num("issue_number");
                let Some(issue) = self.issues.get(&n) else {
                    return call.not_found();
                };
                let items: Vec<Value> = self
                    .comments
                    .values()
                    .filter(|c| c.issue_number == n)
                    .map(|c| render::comment(call.spec, &self.site, c, issue.pull_request))
                    .collect();
                let (page, headers) = self.page(items, call.query, &format!("issues/{n}/comments"));
                Answer {
                    status: 200,
                    body: Value::Array(page),
                    headers,
                }
            }
            "issues/create-comment" => {
                let n = call.num("issue_number");
                let Some(id) =
                    self.add_comment(n, ACTOR, body["body"].as_str().unwrap_or_default())
                else {
                    return call.not_found();
                };
                let pr = self.issues[&n].pull_request;
                created(render::comment(
                    call.spec,
                    &self.site,
                    &self.comments[&id],
                    pr,
                ))
            }
            "issues/update-comment" => {
                let Some(c) = self.comments.get_mut(&call.num("comment_id")) else {
                    return call.not_found();
                };
                c.body = body["body"].as_str().unwrap_or_default().to_owned();
                c.updated_at = now_iso();
                let c = c.clone();
                let pr = self
                    .issues
                    .get(&c.issue_number)
                    .is_some_and(|i| i.pull_request);
                ok(200, render::comment(call.spec, &self.site, &c, pr))
            }
            "issues/list-for-repo" => {
                let state = call.query("state").unwrap_or_else(|| "open".into());
                let wanted: Vec<String> = call
                    .query("labels")
                    .map(|l| {
                        l.split(',')
                            .map(|s| s.trim().to_lowercase())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                let items: Vec<Value> = self
                    .issues
                    .values()
                    .rev()
                    .filter(|i| state == "all" || i.state == state)
                    .filter(|i| {
                        wanted
                            .iter()
                            .all(|w| i.labels.iter().any(|l| l.to_lowercase() == *w))
                    })
                    .map(|i| self.issue_value(call.spec, i))
                    .collect();
                let (page, headers) = self.page(items, call.query, "issues");
                Answer {
                    status: 200,
                    body: Value::Array(page),
                    headers,
                }
            }
            "issues/create" => {
                let labels = label_names(&body["labels"]);
                let title = text(&body["title"]).unwrap_or_default();
                let n = self.add_issue(
                    &title,
                    body["body"].as_str().map(str::to_owned),
                    labels,
                    false,
                    ACTOR,
                );
                let v = self.issue_value(call.spec, &self.issues[&n]);
                created(v)
            }
            "issues/update" => {
                let n = call.num("issue_number");
                if !self.issues.contains_key(&n) {
                    return call.not_found();
                }
                if body.get("labels").is_some_and(Value::is_array) {
                    for l in label_names(&body["labels"]) {
                        self.ensure_label(&l);
                    }
                }
                let Some(i) = self.issues.get_mut(&n) else {
                    return call.not_found();
                };
                if let Some(t) = text(&body["title"]) {
                    i.title = t;
                }
                if let Some(b) = body.get("body") {
                    i.body = b.as_str().map(str::to_owned);
                }
                if body.get("labels").is_some_and(Value::is_array) {
                    i.labels = label_names(&body["labels"]);
                }
                if let Some(s) = body["state"].as_str()
                    && s != i.state
                {
                    i.state = s.to_owned();
                    let reason = body["state_reason"].as_str();
                    i.state_reason = Some(
                        reason
                            .unwrap_or(if s == "closed" {
                                "completed"
                            } else {
                                "reopened"
                            })
                            .to_owned(),
                    );
                    i.closed_at = (s == "closed").then(now_iso);
                }
                i.updated_at = now_iso();
                let i = i.clone();
                ok(200, self.issue_value(call.spec, &i))
            }
            "issues/add-labels" => {
                let n = call.num("issue_number");
                if !self.issues.contains_key(&n) {
                    return call.not_found();
                }
                let names = label_names(&body["labels"]);
                for l in &names {
                    self.ensure_label(l);
                }
                let Some(i) = self.issues.get_mut(&n) else {
                    return call.not_found();
                };
                for l in names {
                    if !i.labels.iter().any(|x| x.eq_ignore_ascii_case(&l)) {
                        i.labels.push(l);
                    }
                }
                let labels = i.labels.clone();
                ok(200, Value::Array(self.label_values(call.spec, &labels)))
            }
            "issues/create-label" => {
                let name = body["name"].as_str().unwrap_or_default().to_owned();
                let color = body["color"]
                    .as_str()
                    .unwrap_or("ededed")
                    .trim_start_matches('#')
                    .to_owned();
                let field_error = |code: &str, field: &str| Answer {
                    status: 422,
                    body: json!({ "message": "Validation Failed", "errors": [{ "resource": "Label", "code": code, "field": field }], "documentation_url": call.doc }),
                    headers: Vec::new(),
                };
                if color.len() != 6 || !color.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return field_error("invalid", "color");
                }
                if self.labels.contains_key(&name.to_lowercase()) {
                    return field_error("already_exists", "name");
                }
                let id = self.new_id();
                let l = LabelRec {
                    id,
                    name: name.clone(),
                    color,
                    description: body["description"].as_str().map(str::to_owned),
                };
                self.labels.insert(name.to_lowercase(), l.clone());
                created(render::label(call.spec, &self.site, &l))
            }
            "repos/create-commit-status"
            | "repos/get-combined-status-for-ref"
            | "repos/get-content"
            | "repos/create-or-update-file-contents"
            | "git/get-ref"
            | "git/create-ref" => self.handle_git(call),
            other => error(
                501,
                format!("the stand-in GitHub does not implement {other} yet"),
                call.doc,
            ),
        }
    }
}

/// Label names from a `labels` array of names or `{ "name": … }` objects.
fn label_names(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l.as_str().or_else(|| l["name"].as_str()).map(str::to_owned))
        .collect()
}
