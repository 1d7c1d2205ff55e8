//! Assertions evaluated once on the final response, each recorded with expected and actual.
//!
//! A query that finds nothing (a missing header, a JSONPath with no match, no redirect) makes
//! every predicate false, so `not` turns it true; a query that cannot be evaluated at all (a body
//! that is not JSON, a body cut at the cap, no certificate on plain http) fails the assertion
//! whatever `not` says.

use std::cell::OnceCell;
use std::cmp::Ordering;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::result::AssertionResult;
use crate::config::assertion::{Assertion, Operand, Predicate, Query, compare_numbers};

/// Characters of a value shown as `actual`.
const ACTUAL_CHARS: usize = 200;

/// What the assertions of a check look at.
#[derive(Debug)]
pub struct Observed<'a> {
    pub status: u16,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub truncated: bool,
    pub max_body: u64,
    pub url: &'a str,
    pub redirects: usize,
    pub redirect_location: Option<&'a str>,
    pub total: Duration,
    pub ttfb: Duration,
    pub cert_days: Option<i64>,
}

/// A queried value.
#[derive(Debug, Clone, PartialEq)]
enum Actual {
    Int(i64),
    Duration(Duration),
    Text(String),
    Json(Value),
    /// Nothing found; the text says what is missing.
    Absent(String),
    /// Cannot be evaluated; the text says why.
    Unavailable(String),
}

/// Evaluates every assertion on `obs`.
pub fn evaluate(assertions: &[Assertion], obs: &Observed<'_>) -> Vec<AssertionResult> {
    let json = OnceCell::new();
    assertions
        .iter()
        .map(|a| {
            let actual = query(&a.query, obs, &json);
            let (passed, note) = match &actual {
                Actual::Unavailable(_) => (false, None),
                Actual::Absent(_) => (a.not, None),
                value => match holds(&a.predicate, value) {
                    Ok(h) => (h != a.not, None),
                    Err(why) => (false, Some(why)),
                },
            };
            let mut shown = show(&actual);
            if let Some(why) = note {
                shown = format!("{shown} ({why})");
            }
            AssertionResult {
                assertion: a.to_string(),
                passed,
                expected: a.expected(),
                actual: shown,
            }
        })
        .collect()
}

fn query(q: &Query, obs: &Observed<'_>, json: &OnceCell<Result<Value, String>>) -> Actual {
    let body_cut = || {
        Actual::Unavailable(format!(
            "not evaluated: the body is larger than the {} cap (`max-body`)",
            size(obs.max_body)
        ))
    };
    match q {
        Query::Status => Actual::Int(i64::from(obs.status)),
        Query::Header(name) => {
            let values: Vec<String> = obs
                .headers
                .get_all(name.as_str())
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect();
            if values.is_empty() {
                Actual::Absent(format!("no `{name}` header"))
            } else {
                Actual::Text(values.join(", "))
            }
        }
        Query::Body if obs.truncated => body_cut(),
        Query::Body => Actual::Text(String::from_utf8_lossy(obs.body).into_owned()),
        Query::JsonPath(_) | Query::JsonPathCount(_) if obs.truncated => body_cut(),
        Query::JsonPath(p) | Query::JsonPathCount(p) => {
            let parsed = json.get_or_init(|| {
                serde_json::from_slice::<Value>(obs.body)
                    .map_err(|e| format!("the body is not JSON: {e}"))
            });
            let doc = match parsed {
                Ok(doc) => doc,
                Err(e) => return Actual::Unavailable(e.clone()),
            };
            let nodes = p.path.query(doc).all();
            if matches!(q, Query::JsonPathCount(_)) {
                return Actual::Int(i64::try_from(nodes.len()).unwrap_or(i64::MAX));
            }
            match nodes.as_slice() {
                [] => Actual::Absent(format!("nothing at `{}`", p.text)),
                [one] => Actual::Json((*one).clone()),
                many => Actual::Json(Value::Array(many.iter().map(|v| (*v).clone()).collect())),
            }
        }
        Query::ResponseTime => Actual::Duration(obs.total),
        Query::TimeToFirstByte => Actual::Duration(obs.ttfb),
        Query::CertExpiryDays => match obs.cert_days {
            Some(days) => Actual::Int(days),
            None if obs.url.starts_with("https:") => {
                Actual::Unavailable("the server certificate could not be read".into())
            }
            None => Actual::Unavailable("no certificate: the final URL is not https".into()),
        },
        Query::RedirectLocation => match obs.redirect_location {
            Some(l) => Actual::Text(l.to_owned()),
            None => Actual::Absent("no redirect".into()),
        },
        Query::Redirects => Actual::Int(i64::try_from(obs.redirects).unwrap_or(i64::MAX)),
        Query::Url => Actual::Text(obs.url.to_owned()),
    }
}

/// Whether `pred` holds of `actual`; `Err` when the value cannot be compared that way.
fn holds(pred: &Predicate, actual: &Actual) -> Result<bool, String> {
    let cmp = |op: &Operand| order(actual, op);
    Ok(match pred {
        Predicate::Equals(op) => same(actual, op),
        Predicate::In(set) => set.iter().any(|op| same(actual, op)),
        Predicate::Between(lo, hi) => cmp(lo)?.is_ge() && cmp(hi)?.is_le(),
        Predicate::LessThan(op) => cmp(op)?.is_lt(),
        Predicate::AtMost(op) => cmp(op)?.is_le(),
        Predicate::GreaterThan(op) => cmp(op)?.is_gt(),
        Predicate::AtLeast(op) => cmp(op)?.is_ge(),
        Predicate::Exists => true,
        Predicate::Contains(op) => match (actual, op) {
            (Actual::Text(t), Operand::Text(s)) => t.contains(s.as_str()),
            (Actual::Json(Value::String(t)), Operand::Json(Value::String(s))) => {
                t.contains(s.as_str())
            }
            (Actual::Json(Value::Array(items)), Operand::Json(v)) => {
                items.iter().any(|i| json_eq(i, v))
            }
            _ => return Err("`contains` needs text or an array".into()),
        },
        Predicate::Matches(re) => match actual {
            Actual::Text(t) | Actual::Json(Value::String(t)) => re.0.is_match(t),
            Actual::Json(v @ (Value::Number(_) | Value::Bool(_))) => re.0.is_match(&v.to_string()),
            _ => return Err("`matches` needs text".into()),
        },
    })
}

fn same(actual: &Actual, op: &Operand) -> bool {
    match (actual, op) {
        (Actual::Int(a), Operand::Int(b)) => a == b,
        (Actual::Duration(a), Operand::Duration(b)) => a == b,
        (Actual::Text(a), Operand::Text(b)) => a == b,
        (Actual::Json(a), Operand::Json(b)) => json_eq(a, b),
        _ => false,
    }
}

fn order(actual: &Actual, op: &Operand) -> Result<Ordering, String> {
    match (actual, op) {
        (Actual::Int(a), Operand::Int(b)) => Ok(a.cmp(b)),
        (Actual::Duration(a), Operand::Duration(b)) => Ok(a.cmp(b)),
        (Actual::Json(a), Operand::Json(b)) => {
            compare_numbers(a, b).ok_or_else(|| "not a number".to_owned())
        }
        _ => Err("cannot be ordered".into()),
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => compare_numbers(a, b) == Some(Ordering::Equal),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn show(actual: &Actual) -> String {
    match actual {
        Actual::Int(n) => n.to_string(),
        Actual::Duration(d) => format!("{:.1}ms", d.as_micros() as f64 / 1000.0),
        Actual::Text(t) => format!("\"{}\"", excerpt(t, ACTUAL_CHARS)),
        Actual::Json(v) => excerpt(&v.to_string(), ACTUAL_CHARS),
        Actual::Absent(why) | Actual::Unavailable(why) => why.clone(),
    }
}

/// At most `max` characters of untrusted text on one line: control characters (newlines, ANSI
/// escapes) shown as `\n`, `\u{1b}`…, and `…` where it was cut. Safe to print in a report line.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// `1 MiB`, `64 KiB`, `1500 bytes`.
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
#[path = "assert_tests.rs"]
mod tests;
