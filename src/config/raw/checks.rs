//! The `environments:` and `checks:` sections as written (used by `smoke`, and by
//! `health-monitor` for its HTTP checks).
//!
//! Values with a syntax of their own are the checked newtypes of [`crate::config::scalar`];
//! assertions are read through [`RawAssertion`] into [`Assertion`]. Both report mistakes at the
//! line and column of the value.

use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::config::assertion::Assertion;
use crate::config::scalar::{ByteSize, DurationValue, Method, TemplateValue, UrlTemplate};

/// A place checks run against: staging, production, a preview app.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEnvironment {
    /// `{base-url}` in check URLs, e.g. `https://staging.example.com` or
    /// `https://{slot}.example.com`. May contain `${NAME}`; not treated as a secret.
    pub base_url: UrlTemplate,
    /// The slot names `--slot` accepts for `{slot}` (blue/green); any name when empty.
    #[serde(default)]
    pub slots: Vec<String>,
    /// Hosts checks may contact, redirects included (`{slot}` allowed; `*.example.com` matches
    /// subdomains). Default: the host of `base-url`.
    #[serde(default)]
    pub allow_hosts: Vec<String>,
    /// Headers sent with every check in this environment (values may use `${NAME}`).
    #[serde(default)]
    pub headers: BTreeMap<String, TemplateValue>,
}

/// One HTTP check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawCheck {
    /// A unique name; the testcase name in JUnit.
    pub name: String,
    /// The HTTP method. Default: GET.
    #[serde(default)]
    pub method: Option<Method>,
    /// `{base-url}/health`, or an absolute URL.
    pub url: UrlTemplate,
    /// Request headers; secrets as `${NAME}` (`Authorization: Bearer ${API_TOKEN}`).
    #[serde(default)]
    pub headers: BTreeMap<String, TemplateValue>,
    /// Request body, sent as written (`${NAME}`, `{base-url}` and `{slot}` are replaced).
    #[serde(default)]
    pub body: Option<TemplateValue>,
    /// Limit for one request, body included. Default: 10s.
    #[serde(default)]
    pub timeout: Option<DurationValue>,
    /// How many redirects to follow; 0 (the default) reports the redirect itself.
    #[serde(default)]
    pub follow_redirects: Option<u32>,
    /// TLS options.
    #[serde(default)]
    pub tls: Option<RawTls>,
    /// After a deploy: poll until the endpoint answers (not 5xx/429, no connection error);
    /// failures before that do not count.
    #[serde(default)]
    pub wait_until_ready: Option<RawWait>,
    /// Repeat the request on connect errors, timeouts, resets, 5xx and 429 only. Assertions are
    /// never retried.
    #[serde(default)]
    pub retry_transient: Option<RawRetry>,
    /// Read at most this much of the body. Default: 1MiB.
    #[serde(default)]
    pub max_body: Option<ByteSize>,
    /// Run only in these environments. Default: all.
    #[serde(default)]
    pub environments: Vec<String>,
    /// What must hold; default `status: {between: [200, 299]}`.
    #[serde(
        default,
        deserialize_with = "serde_norway::with::singleton_map_recursive::deserialize"
    )]
    #[schemars(with = "Vec<RawAssertion>")]
    pub assert: Vec<Assertion>,
}

/// TLS options of a check.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawTls {
    /// A PEM file of extra CA certificates to trust (an internal CA, a self-signed staging cert).
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Skip certificate verification. Loudly warned; prefer `ca-file`.
    #[serde(default)]
    pub insecure: bool,
}

/// `wait-until-ready`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawWait {
    /// Give up after this long (e.g. `2m`).
    pub deadline: DurationValue,
    /// Time between polls. Default: 2s.
    #[serde(default)]
    pub interval: Option<DurationValue>,
}

/// `retry-transient`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRetry {
    /// Total attempts, the first included (2 to 10).
    pub attempts: u32,
    /// Wait before the second attempt, doubled for each further one. Default: 500ms.
    #[serde(default)]
    pub backoff: Option<DurationValue>,
}

/// An assertion: one key naming the query, its value the predicate.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RawAssertion {
    /// The status code: `status: 200`, `status: {in: [200, 204]}`, `status: {between: [200, 299]}`.
    Status(RawPredicate),
    /// A header (`name` required): `header: {name: content-type, matches: ^application/json}`.
    Header(RawPredicate),
    /// The body as text: `body: {contains: ok}`.
    Body(RawPredicate),
    /// An RFC 9535 JSONPath in the JSON body (`path` required): `jsonpath: {path: $.status, equals: ok}`.
    Jsonpath(RawPredicate),
    /// How many nodes a JSONPath selects: `jsonpath-count: {path: "$.items[*]", at-least: 1}`.
    JsonpathCount(RawPredicate),
    /// Total time, redirects and body included: `response-time: {less-than: 500ms}`.
    ResponseTime(RawPredicate),
    /// Time to the final response's headers.
    TimeToFirstByte(RawPredicate),
    /// Whole days until the server certificate expires: `cert-expiry-days: {at-least: 14}`.
    CertExpiryDays(RawPredicate),
    /// Where the last redirect pointed: `redirect-location: {equals: https://example.com/login}`.
    RedirectLocation(RawPredicate),
    /// How many redirects were followed.
    Redirects(RawPredicate),
    /// The final URL.
    Url(RawPredicate),
}

/// A predicate map, or a bare value meaning `equals`.
#[derive(Debug, Clone)]
pub struct RawPredicate(pub RawPredicateMap);

/// Exactly one predicate, plus the query's argument (`name`, `path`) and `not`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPredicateMap {
    /// The header name (`header` only).
    #[serde(default)]
    pub name: Option<String>,
    /// The JSONPath (`jsonpath`, `jsonpath-count` only).
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub equals: Option<Value>,
    /// One of these values.
    #[serde(default, rename = "in")]
    pub in_: Option<Vec<Value>>,
    /// `[low, high]`, both included.
    #[serde(default)]
    pub between: Option<[Value; 2]>,
    #[serde(default)]
    pub less_than: Option<Value>,
    #[serde(default)]
    pub at_most: Option<Value>,
    #[serde(default)]
    pub greater_than: Option<Value>,
    #[serde(default)]
    pub at_least: Option<Value>,
    /// `true`: present; `false`: absent.
    #[serde(default)]
    pub exists: Option<bool>,
    #[serde(default)]
    pub contains: Option<Value>,
    /// A regular expression (Rust `regex` syntax) searched in the value.
    #[serde(default)]
    pub matches: Option<String>,
    /// Negates the predicate.
    #[serde(default)]
    pub not: bool,
}

impl<'de> Deserialize<'de> for RawPredicate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawPredicate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a predicate map such as `{equals: 200}`, or a value to equal")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawPredicate, A::Error> {
                RawPredicateMap::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawPredicate)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawPredicate, E> {
                Ok(equals(Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawPredicate, E> {
                Ok(equals(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawPredicate, E> {
                Ok(equals(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawPredicate, E> {
                Ok(equals(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPredicate, E> {
                Ok(equals(v.into()))
            }
        }
        d.deserialize_any(V)
    }
}

fn equals(v: Value) -> RawPredicate {
    RawPredicate(RawPredicateMap {
        equals: Some(v),
        ..RawPredicateMap::default()
    })
}

impl JsonSchema for RawPredicate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Predicate".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let map = generator.subschema_for::<RawPredicateMap>();
        json_schema!({
            "anyOf": [
                map,
                {
                    "type": ["string", "number", "boolean"],
                    "description": "Short for `{equals: value}`."
                }
            ]
        })
    }
}
