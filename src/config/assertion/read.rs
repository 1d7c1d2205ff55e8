//! Reading an assertion from its file form: the query's argument, exactly one predicate, and
//! operands of the query's kind. Errors are plain text; serde_norway adds the key path, line and
//! column of the assertion.

use serde_json::Value;

use super::{Assertion, Kind, Operand, Predicate, Query, compare_numbers};
use crate::config::raw::checks::{RawAssertion, RawPredicate, RawPredicateMap};
use crate::config::scalar::{JsonPathExpr, Pattern, parse_duration};

impl TryFrom<RawAssertion> for Assertion {
    type Error = String;

    fn try_from(raw: RawAssertion) -> Result<Self, String> {
        let (name, mut p) = match raw {
            RawAssertion::Status(p) => ("status", p),
            RawAssertion::Header(p) => ("header", p),
            RawAssertion::Body(p) => ("body", p),
            RawAssertion::Jsonpath(p) => ("jsonpath", p),
            RawAssertion::JsonpathCount(p) => ("jsonpath-count", p),
            RawAssertion::ResponseTime(p) => ("response-time", p),
            RawAssertion::TimeToFirstByte(p) => ("time-to-first-byte", p),
            RawAssertion::CertExpiryDays(p) => ("cert-expiry-days", p),
            RawAssertion::RedirectLocation(p) => ("redirect-location", p),
            RawAssertion::Redirects(p) => ("redirects", p),
            RawAssertion::Url(p) => ("url", p),
        };
        let query = query(name, &mut p)?;
        let (predicate, negate) = predicate(&query, p.0.clone())?;
        Ok(Assertion {
            query,
            predicate,
            not: p.0.not != negate,
        })
    }
}

fn query(name: &str, p: &mut RawPredicate) -> Result<Query, String> {
    let header_name = p.0.name.take();
    let path = p.0.path.take();
    let query = match name {
        "header" => {
            let header = header_name.clone().ok_or(
                "`header` needs `name`: the header to check, e.g. `header: {name: content-type, matches: json}`",
            )?;
            if header.is_empty() || !header.bytes().all(is_token_byte) {
                return Err(format!("`{header}` is not a valid header name"));
            }
            Query::Header(header.to_ascii_lowercase())
        }
        "jsonpath" | "jsonpath-count" => {
            let text = path.clone().ok_or(format!(
                "`{name}` needs `path`: an RFC 9535 JSONPath such as `$.status`"
            ))?;
            let expr = JsonPathExpr::parse(&text)?;
            if name == "jsonpath" {
                Query::JsonPath(expr)
            } else {
                Query::JsonPathCount(expr)
            }
        }
        "status" => Query::Status,
        "body" => Query::Body,
        "response-time" => Query::ResponseTime,
        "time-to-first-byte" => Query::TimeToFirstByte,
        "cert-expiry-days" => Query::CertExpiryDays,
        "redirect-location" => Query::RedirectLocation,
        "redirects" => Query::Redirects,
        _ => Query::Url,
    };
    let uses_name = matches!(query, Query::Header(_));
    let uses_path = matches!(query, Query::JsonPath(_) | Query::JsonPathCount(_));
    no_leftover(
        query,
        header_name.filter(|_| !uses_name).as_deref(),
        path.filter(|_| !uses_path).as_deref(),
    )
}

fn no_leftover(q: Query, name: Option<&str>, path: Option<&str>) -> Result<Query, String> {
    if name.is_some() {
        return Err(format!(
            "`name` only applies to `header`, not to `{}`",
            q.name()
        ));
    }
    if path.is_some() {
        return Err(format!(
            "`path` only applies to `jsonpath` and `jsonpath-count`, not to `{}`",
            q.name()
        ));
    }
    Ok(q)
}

/// RFC 9110 `token` characters, which is what a header name is made of.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The one predicate of `p`, converted to the query's kind, and whether `exists: false` asks
/// for a negation.
fn predicate(query: &Query, p: RawPredicateMap) -> Result<(Predicate, bool), String> {
    let q = query.name();
    let mut given: Vec<(&str, Predicate)> = Vec::new();
    let mut negate = false;
    let kind = query.kind();
    if let Some(v) = p.equals {
        given.push(("equals", Predicate::Equals(operand(kind, q, "equals", v)?)));
    }
    if let Some(values) = p.in_ {
        if values.is_empty() {
            return Err(format!("`in` of `{q}` is empty: list the accepted values"));
        }
        let set = values
            .into_iter()
            .map(|v| operand(kind, q, "in", v))
            .collect::<Result<Vec<_>, _>>()?;
        given.push(("in", Predicate::In(set)));
    }
    if let Some([lo, hi]) = p.between {
        let lo = ordered(kind, q, "between", lo)?;
        let hi = ordered(kind, q, "between", hi)?;
        if !lower_or_equal(&lo, &hi) {
            return Err(format!(
                "`between` of `{q}`: the first bound {lo} is above the second {hi}"
            ));
        }
        given.push(("between", Predicate::Between(lo, hi)));
    }
    for (name, value, make) in [
        (
            "less-than",
            p.less_than,
            Predicate::LessThan as fn(Operand) -> Predicate,
        ),
        ("at-most", p.at_most, Predicate::AtMost),
        ("greater-than", p.greater_than, Predicate::GreaterThan),
        ("at-least", p.at_least, Predicate::AtLeast),
    ] {
        if let Some(v) = value {
            given.push((name, make(ordered(kind, q, name, v)?)));
        }
    }
    if let Some(exists) = p.exists {
        if !query.can_be_absent() {
            return Err(format!(
                "`exists` does not apply to `{q}`: it is always present"
            ));
        }
        negate = !exists;
        given.push(("exists", Predicate::Exists));
    }
    if let Some(v) = p.contains {
        if !matches!(kind, Kind::Text | Kind::Json) {
            return Err(format!("`contains` does not apply to `{q}`"));
        }
        given.push((
            "contains",
            Predicate::Contains(operand(kind, q, "contains", v)?),
        ));
    }
    if let Some(text) = p.matches {
        if !matches!(kind, Kind::Text | Kind::Json) {
            return Err(format!("`matches` does not apply to `{q}`"));
        }
        given.push(("matches", Predicate::Matches(Pattern::parse(&text)?)));
    }
    if kind == Kind::Duration
        && let Some((name, _)) = given
            .iter()
            .find(|(_, p)| matches!(p, Predicate::Equals(_) | Predicate::In(_)))
    {
        return Err(format!(
            "`{name}` does not apply to `{q}`: timings vary; use less-than, at-most, greater-than, at-least or between"
        ));
    }
    match given.len() {
        1 => Ok((given.remove(0).1, negate)),
        0 => Err(format!(
            "`{q}` has no predicate: add one of equals, in, between, less-than, at-most, greater-than, \
             at-least, exists, contains, matches"
        )),
        _ => {
            let names: Vec<&str> = given.iter().map(|(n, _)| *n).collect();
            Err(format!(
                "`{q}` has several predicates ({}): write one assertion per predicate",
                names.join(", ")
            ))
        }
    }
}

fn operand(kind: Kind, q: &str, pred: &str, v: Value) -> Result<Operand, String> {
    match kind {
        Kind::Int => v
            .as_i64()
            .map(Operand::Int)
            .ok_or_else(|| format!("`{pred}` of `{q}` must be a whole number, got `{v}`")),
        Kind::Duration => match &v {
            Value::String(s) => parse_duration(s)
                .map(Operand::Duration)
                .map_err(|e| format!("`{pred}` of `{q}`: {e}")),
            _ => Err(format!(
                "`{pred}` of `{q}` must be a duration with a unit such as `500ms`, got `{v}`"
            )),
        },
        Kind::Text => match v {
            Value::String(s) => Ok(Operand::Text(s)),
            Value::Number(_) | Value::Bool(_) => Ok(Operand::Text(v.to_string())),
            _ => Err(format!("`{pred}` of `{q}` must be text, got `{v}`")),
        },
        Kind::Json => Ok(Operand::Json(v)),
    }
}

/// An operand of an ordering predicate: numbers (or durations) only.
fn ordered(kind: Kind, q: &str, pred: &str, v: Value) -> Result<Operand, String> {
    match kind {
        Kind::Text => Err(format!("`{pred}` does not apply to `{q}`: it is text")),
        Kind::Json if !v.is_number() => {
            Err(format!("`{pred}` of `{q}` compares numbers; got `{v}`"))
        }
        _ => operand(kind, q, pred, v),
    }
}

fn lower_or_equal(lo: &Operand, hi: &Operand) -> bool {
    match (lo, hi) {
        (Operand::Int(a), Operand::Int(b)) => a <= b,
        (Operand::Duration(a), Operand::Duration(b)) => a <= b,
        (Operand::Json(a), Operand::Json(b)) => compare_numbers(a, b).is_some_and(|o| o.is_le()),
        _ => true,
    }
}
