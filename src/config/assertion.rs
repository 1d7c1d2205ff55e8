//! Smoke-check assertions as hurl models them: a query (what to look at) and a predicate (what
//! must hold), optionally negated with `not`.
//!
//! In the file an assertion is a one-key map naming the query, whose value holds the predicate:
//! `- status: {in: [200, 204]}`, `- jsonpath: {path: $.status, equals: ok}`,
//! `- header: {name: content-type, matches: ^application/json}`; a bare value is short for
//! `equals` (`- status: 200`). The checks in [`TryFrom<RawAssertion>`] run while the file is
//! deserialized, so every mistake is reported at its line and column.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::raw::checks::RawAssertion;
use super::scalar::{JsonPathExpr, Pattern};

mod read;

/// What an assertion looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The status code of the final response.
    Status,
    /// A response header (name compared case-insensitively; repeated values joined by `, `).
    Header(String),
    /// The response body as text.
    Body,
    /// The value (or values) an RFC 9535 JSONPath query selects in the JSON body.
    JsonPath(JsonPathExpr),
    /// How many nodes the JSONPath query selects.
    JsonPathCount(JsonPathExpr),
    /// From the first byte sent to the last byte of the body read, redirects included.
    ResponseTime,
    /// From the first byte sent to the headers of the final response.
    TimeToFirstByte,
    /// Whole days until the server certificate's `notAfter`.
    CertExpiryDays,
    /// Where the last redirect pointed (absolute URL); absent when there was no redirect.
    RedirectLocation,
    /// How many redirects were followed.
    Redirects,
    /// The URL of the final response.
    Url,
}

/// The type of the values a query yields, which decides the predicates it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Duration,
    Text,
    Json,
}

impl Query {
    pub fn name(&self) -> &'static str {
        match self {
            Query::Status => "status",
            Query::Header(_) => "header",
            Query::Body => "body",
            Query::JsonPath(_) => "jsonpath",
            Query::JsonPathCount(_) => "jsonpath-count",
            Query::ResponseTime => "response-time",
            Query::TimeToFirstByte => "time-to-first-byte",
            Query::CertExpiryDays => "cert-expiry-days",
            Query::RedirectLocation => "redirect-location",
            Query::Redirects => "redirects",
            Query::Url => "url",
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Query::Status | Query::JsonPathCount(_) | Query::CertExpiryDays | Query::Redirects => {
                Kind::Int
            }
            Query::ResponseTime | Query::TimeToFirstByte => Kind::Duration,
            Query::Header(_) | Query::Body | Query::RedirectLocation | Query::Url => Kind::Text,
            Query::JsonPath(_) => Kind::Json,
        }
    }

    /// Whether the query can find nothing, so that `exists` means something.
    fn can_be_absent(&self) -> bool {
        matches!(
            self,
            Query::Header(_) | Query::JsonPath(_) | Query::RedirectLocation
        )
    }
}

/// A value to compare with, typed by the query's [`Kind`].
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Int(i64),
    Duration(Duration),
    Text(String),
    Json(Value),
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Int(n) => write!(f, "{n}"),
            Operand::Duration(d) => f.write_str(&format_duration(*d)),
            Operand::Text(s) => write!(f, "{}", Value::String(s.clone())),
            Operand::Json(v) => write!(f, "{v}"),
        }
    }
}

/// `250ms`, `1.5s`: how durations are shown in expected/actual values.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 || !ms.is_multiple_of(100) {
        format!("{ms}ms")
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{}.{}s", ms / 1000, (ms % 1000) / 100)
    }
}

/// What must hold of the queried value.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    Equals(Operand),
    In(Vec<Operand>),
    /// Inclusive on both ends.
    Between(Operand, Operand),
    LessThan(Operand),
    AtMost(Operand),
    GreaterThan(Operand),
    AtLeast(Operand),
    Exists,
    /// Text: substring; JSON: substring of a string, element of an array.
    Contains(Operand),
    Matches(Pattern),
}

impl Predicate {
    pub fn name(&self) -> &'static str {
        match self {
            Predicate::Equals(_) => "equals",
            Predicate::In(_) => "in",
            Predicate::Between(..) => "between",
            Predicate::LessThan(_) => "less-than",
            Predicate::AtMost(_) => "at-most",
            Predicate::GreaterThan(_) => "greater-than",
            Predicate::AtLeast(_) => "at-least",
            Predicate::Exists => "exists",
            Predicate::Contains(_) => "contains",
            Predicate::Matches(_) => "matches",
        }
    }
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Predicate::Equals(o)
            | Predicate::LessThan(o)
            | Predicate::AtMost(o)
            | Predicate::GreaterThan(o)
            | Predicate::AtLeast(o)
            | Predicate::Contains(o) => write!(f, "{} {o}", self.name()),
            Predicate::In(set) => {
                let items: Vec<String> = set.iter().map(ToString::to_string).collect();
                write!(f, "in [{}]", items.join(", "))
            }
            Predicate::Between(lo, hi) => write!(f, "between {lo} and {hi}"),
            Predicate::Exists => f.write_str("exists"),
            Predicate::Matches(p) => write!(f, "matches /{}/", p.as_str()),
        }
    }
}

/// One assertion of a check.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawAssertion")]
pub struct Assertion {
    pub query: Query,
    pub predicate: Predicate,
    pub not: bool,
}

impl Assertion {
    pub fn new(query: Query, predicate: Predicate) -> Self {
        Assertion {
            query,
            predicate,
            not: false,
        }
    }

    /// The expectation in words, as shown in every report: `status in [200, 204]`,
    /// `not body contains "error"`.
    pub fn expected(&self) -> String {
        let not = if self.not { "not " } else { "" };
        format!("{not}{}", self.predicate)
    }
}

impl fmt::Display for Assertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = if self.not { "not " } else { "" };
        match &self.query {
            Query::Header(name) => write!(f, "{not}header `{name}` {}", self.predicate),
            Query::JsonPath(p) | Query::JsonPathCount(p) => {
                write!(
                    f,
                    "{not}{} `{}` {}",
                    self.query.name(),
                    p.text,
                    self.predicate
                )
            }
            q => write!(f, "{not}{} {}", q.name(), self.predicate),
        }
    }
}

/// Orders two JSON numbers exactly when both are integers, else as floating point.
pub fn compare_numbers(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    let (a, b) = (a.as_number()?, b.as_number()?);
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => match (a.as_u64(), b.as_u64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
        },
    }
}

#[cfg(test)]
#[path = "assertion_tests.rs"]
mod tests;
