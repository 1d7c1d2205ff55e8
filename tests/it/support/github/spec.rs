//! GitHub's OpenAPI description as the stand-in's contract: method + path → operation,
//! request bodies and query parameters validated against their schemas (422 like GitHub),
//! answers checked against the response schemas, examples for realistic JSON.
//!
//! OpenAPI 3.0 schemas are JSON Schema draft 4 plus `nullable: true`; before compiling, every
//! `nullable` schema `S` becomes `{"anyOf": [{"type": "null"}, S]}` so that `null` passes even
//! where `S` has an `enum` or a `oneOf`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use super::codec::percent_decode;

const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/github/rest-api-subset.json"
);

pub struct Spec {
    doc: Value,
    /// `components.schemas` with `nullable` rewritten: the `$ref` target of request validators.
    schemas: Value,
    /// The same with `oneOf` read as `anyOf`, for answers: GitHub's descriptions use `oneOf`
    /// loosely (its 409 is `oneOf` two error schemas that every error body matches both of).
    loose_schemas: Value,
    ops: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

pub struct Operation {
    pub id: String,
    pub method: String,
    pub doc_url: String,
    segments: Vec<Segment>,
    raw: Value,
}

enum Segment {
    Literal(String),
    Param {
        name: String,
        multi: bool,
        integer: bool,
    },
}

/// A request matched to its operation, with decoded path parameters.
pub struct Route<'a> {
    pub op: &'a Operation,
    pub params: HashMap<String, String>,
}

/// An error answer: status and GitHub-shaped JSON body.
#[derive(Debug)]
pub struct Rejection {
    pub status: u16,
    pub body: Value,
}

impl Spec {
    /// The process-wide spec (parsed once; validators compiled on first use).
    pub fn get() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| {
            let text = std::fs::read_to_string(SPEC_PATH)
                .unwrap_or_else(|e| panic!("stand-in github: cannot read {SPEC_PATH}: {e}"));
            let doc: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("stand-in github: {SPEC_PATH} is not JSON: {e}"));
            Spec::from_doc(doc)
        })
    }

    fn from_doc(doc: Value) -> Spec {
        let schemas = rewrite_schemas(&doc["components"]["schemas"], false);
        let loose_schemas = rewrite_schemas(&doc["components"]["schemas"], true);
        let mut spec = Spec {
            doc,
            schemas,
            loose_schemas,
            ops: Vec::new(),
            validators: Mutex::new(HashMap::new()),
        };
        let mut ops = Vec::new();
        for (template, item) in spec.doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                    continue;
                }
                let params: Vec<Value> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| spec.resolve(p).clone())
                    .collect();
                let segments = template
                    .trim_start_matches('/')
                    .split('/')
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => {
                                let p = params
                                    .iter()
                                    .find(|p| p["name"] == name && p["in"] == "path");
                                Segment::Param {
                                    name: name.to_owned(),
                                    multi: p.is_some_and(|p| p["x-multi-segment"] == true),
                                    integer: p.is_some_and(|p| {
                                        spec.resolve(&p["schema"])["type"] == "integer"
                                    }),
                                }
                            }
                            None => Segment::Literal(s.to_owned()),
                        },
                    )
                    .collect();
                ops.push(Operation {
                    id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                    method: method.to_ascii_uppercase(),
                    doc_url: op["externalDocs"]["url"]
                        .as_str()
                        .unwrap_or("https://docs.github.com/rest")
                        .to_owned(),
                    segments,
                    raw: op.clone(),
                });
            }
        }
        spec.ops = ops;
        spec
    }

    /// Follows `$ref`s inside the document.
    pub fn resolve<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        for _ in 0..16 {
            match v["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
                Some(pointer) => v = self.doc.pointer(pointer).unwrap_or(&Value::Null),
                None => break,
            }
        }
        v
    }

    /// A named example (`components/examples/<name>/value`).
    pub fn example(&self, name: &str) -> Value {
        let v = &self.doc["components"]["examples"][name]["value"];
        assert!(
            !v.is_null(),
            "stand-in github: no example `{name}` in the spec"
        );
        v.clone()
    }

    /// Every (operation, status, example) the spec gives for a JSON answer.
    pub fn response_examples(&self) -> Vec<(&Operation, u16, Value)> {
        let mut out = Vec::new();
        for op in &self.ops {
            for (status, response) in op.raw["responses"].as_object().into_iter().flatten() {
                let Ok(status) = status.parse::<u16>() else {
                    continue;
                };
                let examples = &self.resolve(response)["content"]["application/json"]["examples"];
                for example in examples.as_object().into_iter().flatten().map(|(_, e)| e) {
                    out.push((op, status, self.resolve(example)["value"].clone()));
                }
            }
        }
        out
    }

    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.ops.iter().find(|o| o.id == id)
    }

    /// The operation for `method` + `path`; literal segments win over parameters.
    pub fn route(&self, method: &str, path: &str) -> Option<Route<'_>> {
        let segs: Vec<String> = path
            .trim_start_matches('/')
            .split('/')
            .map(|s| percent_decode(s, false))
            .collect();
        let mut best: Option<(usize, Route<'_>)> = None;
        for op in self.ops.iter().filter(|o| o.method == method) {
            let mut params = Vec::new();
            if match_segments(&op.segments, &segs, &mut params) {
                let literals = op
                    .segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count();
                if best.as_ref().is_none_or(|(n, _)| literals > *n) {
                    let params = params.into_iter().collect();
                    best = Some((literals, Route { op, params }));
                }
            }
        }
        best.map(|(_, r)| r)
    }

    /// Validates the query against the operation's query parameters (types and enums;
    /// unknown parameters are ignored, as GitHub does).
    pub fn check_query(&self, op: &Operation, query: &[(String, String)]) -> Result<(), Rejection> {
        for p in op.raw["parameters"].as_array().into_iter().flatten() {
            let p = self.resolve(p);
            if p["in"] != "query" {
                continue;
            }
            let Some(name) = p["name"].as_str() else {
                continue;
            };
            let schema = self.resolve(&p["schema"]);
            for (_, value) in query.iter().filter(|(k, _)| k == name) {
                let problem = if schema["type"] == "integer" && value.parse::<i64>().is_err() {
                    Some("is not an integer".to_owned())
                } else {
                    schema["enum"]
                        .as_array()
                        .filter(|e| !e.iter().any(|x| x == value.as_str()))
                        .map(|e| format!("is not one of {}", Value::Array(e.clone())))
                };
                if let Some(problem) = problem {
                    return Err(invalid_request(
                        op,
                        &[format!("For '{name}', {value:?} {problem}.")],
                        vec![json!({"resource": "Query", "field": name, "code": "invalid"})],
                    ));
                }
            }
        }
        Ok(())
    }

    /// Parses and validates a request body. `Ok(None)` when the operation takes none.
    pub fn check_body(&self, op: &Operation, raw: &[u8]) -> Result<Option<Value>, Rejection> {
        let rb = self.resolve(&op.raw["requestBody"]);
        let schema = &rb["content"]["application/json"]["schema"];
        if schema.is_null() {
            return Ok(None);
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            if rb["required"] == true {
                return Err(invalid_request(
                    op,
                    &["For 'links/0/schema', nil is not an object.".to_owned()],
                    vec![json!({"resource": "Body", "code": "missing"})],
                ));
            }
            return Ok(None);
        }
        let body: Value = serde_json::from_slice(raw).map_err(|_| Rejection {
            status: 400,
            body: json!({
                "message": "Problems parsing JSON",
                "documentation_url": op.doc_url,
                "status": "400",
            }),
        })?;
        let validator = self.validator(&format!("{}#request", op.id), schema, false);
        let mut lines = Vec::new();
        let mut errors = Vec::new();
        for e in validator.iter_errors(&body).take(10) {
            let field = e.instance_path().to_string();
            if let jsonschema::error::ValidationErrorKind::Required { property } = e.kind() {
                let name = property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_owned);
                lines.push(format!("\"{name}\" wasn't supplied."));
                errors.push(
                    json!({"resource": resource(op), "field": name, "code": "missing_field"}),
                );
            } else {
                lines.push(format!("For '{}', {e}.", field.trim_start_matches('/')));
                errors.push(json!({
                    "resource": resource(op),
                    "field": field.trim_start_matches('/'),
                    "code": "invalid",
                    "message": e.to_string(),
                }));
            }
        }
        if lines.is_empty() {
            Ok(Some(body))
        } else {
            Err(invalid_request(op, &lines, errors))
        }
    }

    /// Checks an answer of the stand-in against the operation's response schema for that
    /// status (when the spec describes one): the stand-in must not teach the client shapes
    /// GitHub never sends.
    pub fn check_response(&self, op: &Operation, status: u16, body: &Value) -> Result<(), String> {
        let response = self.resolve(&op.raw["responses"][status.to_string()]);
        let schema = &response["content"]["application/json"]["schema"];
        if schema.is_null() {
            return Ok(());
        }
        let validator = self.validator(&format!("{}#{status}", op.id), schema, true);
        let problems: Vec<String> = validator
            .iter_errors(body)
            .take(5)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "stand-in answer for {} ({status}) violates the spec: {}",
                op.id,
                problems.join("; ")
            ))
        }
    }

    fn validator(&self, key: &str, schema: &Value, loose: bool) -> Arc<jsonschema::Validator> {
        let mut cache = self.validators.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = cache.get(key) {
            return v.clone();
        }
        // The operation's schema under `allOf`, the shared schemas beside it, so that
        // `#/components/schemas/…` resolves inside one document.
        let schemas = if loose {
            &self.loose_schemas
        } else {
            &self.schemas
        };
        let root = json!({
            "allOf": [rewrite_nullable(schema, loose)],
            "components": { "schemas": schemas },
        });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&root)
            .unwrap_or_else(|e| panic!("stand-in github: schema of {key} does not compile: {e}"));
        let validator = Arc::new(validator);
        cache.insert(key.to_owned(), validator.clone());
        validator
    }
}

/// Recursive match of path segments; a multi-segment parameter takes one or more segments.
fn match_segments(tpl: &[Segment], segs: &[String], out: &mut Vec<(String, String)>) -> bool {
    let Some((first, rest)) = tpl.split_first() else {
        return segs.is_empty();
    };
    match first {
        Segment::Literal(l) => {
            segs.first().is_some_and(|s| s == l) && match_segments(rest, &segs[1..], out)
        }
        Segment::Param {
            name,
            multi,
            integer,
        } => {
            let max = if *multi {
                segs.len()
            } else {
                segs.len().min(1)
            };
            for take in 1..=max {
                let taken = &segs[..take];
                if taken.iter().any(String::is_empty)
                    || (*integer && !taken[0].bytes().all(|b| b.is_ascii_digit()))
                {
                    return false;
                }
                let mark = out.len();
                out.push((name.clone(), taken.join("/")));
                if match_segments(rest, &segs[take..], out) {
                    return true;
                }
                out.truncate(mark);
            }
            false
        }
    }
}

/// The resource name GitHub puts in `errors[].resource` (`issues/create` → `Issue`).
fn resource(op: &Operation) -> String {
    let tag = op.raw["tags"][0].as_str().unwrap_or("resource");
    let mut c = tag.trim_end_matches('s').chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// GitHub's 422 for a body or query that fails the schema (`validation-error`).
pub fn invalid_request(op: &Operation, lines: &[String], errors: Vec<Value>) -> Rejection {
    Rejection {
        status: 422,
        body: json!({
            "message": format!("Invalid request.\n\n{}", lines.join("\n")),
            "errors": errors,
            "documentation_url": op.doc_url,
            "status": "422",
        }),
    }
}

/// OpenAPI 3.0 `nullable: true` → JSON Schema, walking only schema keywords (property names
/// and examples are data, not schemas).
pub fn rewrite_nullable(schema: &Value, loose: bool) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = serde_json::Map::new();
    for (k, x) in map {
        let x = match k.as_str() {
            "nullable" if x.is_boolean() => continue,
            "properties" | "patternProperties" => match x {
                Value::Object(props) => Value::Object(
                    props
                        .iter()
                        .map(|(name, s)| (name.clone(), rewrite_nullable(s, loose)))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" | "additionalProperties" | "not" => rewrite_nullable(x, loose),
            "allOf" | "anyOf" | "oneOf" => match x {
                Value::Array(items) => {
                    Value::Array(items.iter().map(|i| rewrite_nullable(i, loose)).collect())
                }
                other => other.clone(),
            },
            _ => x.clone(),
        };
        // (No schema in the spec has both `oneOf` and `anyOf`, so the rename loses nothing.)
        let k = if loose && k == "oneOf" {
            "anyOf"
        } else {
            k.as_str()
        };
        out.insert(k.to_owned(), x);
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        json!({ "anyOf": [{ "type": "null" }, Value::Object(out)] })
    } else {
        Value::Object(out)
    }
}

fn rewrite_schemas(schemas: &Value, loose: bool) -> Value {
    match schemas {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(name, s)| (name.clone(), rewrite_nullable(s, loose)))
                .collect(),
        ),
        other => other.clone(),
    }
}
