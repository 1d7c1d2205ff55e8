//! Single values of the file that have a syntax of their own (durations, sizes, methods, URLs,
//! JSONPath, regular expressions), checked while the file is deserialized.
//!
//! Checking them inside `Deserialize` rather than afterwards is what gives their errors an exact
//! line and column: serde_norway attaches the position of the value being read to any error a
//! `Deserialize` impl returns, along with the key path (`checks[2].assert[0].jsonpath`).

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, de};

use super::Template;

/// Implements `JsonSchema` as a string with a description, for the newtypes below.
macro_rules! string_schema {
    ($ty:ty, $name:literal, $description:literal) => {
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string", "description": $description })
            }
        }
    };
}
pub(super) use string_schema;

/// Reads a string and parses it inside the visitor: an error returned there is located by
/// serde_norway at the string itself, not at the start of the enclosing map.
pub(super) fn parse_str<'de, D, T>(
    d: D,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<F>(F);
    impl<T, F: FnOnce(&str) -> Result<T, String>> de::Visitor<'_> for V<F> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
    }
    d.deserialize_str(V(parse))
}

/// A duration written with a unit: `250ms`, `5s`, `1.5s`, `2m`, `1h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationValue(pub Duration);

string_schema!(
    DurationValue,
    "Duration",
    "A duration with a unit: `250ms`, `5s`, `1.5s`, `2m`, `1h`."
);

impl<'de> Deserialize<'de> for DurationValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, |s| parse_duration(s).map(DurationValue))
    }
}

/// Parses `250ms`, `5s`, `1.5s`, `2m`, `1h` with integer arithmetic (millisecond precision).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    let hint = "expected a number with a unit, e.g. `500ms`, `5s`, `2m`, `1h`";
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let unit_ms: u64 = match unit.trim() {
        "ms" => 1,
        "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "" => return Err(format!("duration `{s}` has no unit; {hint}")),
        other => return Err(format!("unknown duration unit `{other}` in `{s}`; {hint}")),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(format!("invalid duration `{s}`; {hint}"));
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .map_err(|_| format!("invalid duration `{s}`; {hint}"))?
    };
    // Up to three decimals are exact for every unit from seconds upwards.
    let digits = fraction.len().min(3);
    let frac: u64 = if digits == 0 {
        0
    } else {
        fraction[..digits]
            .parse()
            .map_err(|_| format!("invalid duration `{s}`; {hint}"))?
    };
    let scale = 10u64.pow(digits as u32);
    let ms = whole
        .checked_mul(unit_ms)
        .and_then(|w| w.checked_add(frac * unit_ms / scale))
        .filter(|ms| *ms <= 7 * 86_400_000)
        .ok_or_else(|| format!("duration `{s}` is out of range (0 to 7 days)"))?;
    Ok(Duration::from_millis(ms))
}

/// A byte count: `1048576`, `512KiB`, `1MiB`, `10MB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl JsonSchema for ByteSize {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ByteSize")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["string", "integer"],
            "description": "A size in bytes, or with a unit: `512KiB`, `1MiB`, `10MB`."
        })
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = ByteSize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size such as `1MiB` or a number of bytes")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ByteSize, E> {
                Ok(ByteSize(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteSize, E> {
                parse_size(v).map(ByteSize).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses `512`, `512B`, `64KiB`, `1MiB`, `1GiB`, `10KB`, `10MB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "KB" | "kB" => 1_000,
        "KiB" => 1 << 10,
        "MB" => 1_000_000,
        "MiB" => 1 << 20,
        "GB" => 1_000_000_000,
        "GiB" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{s}`: use B, KiB, MiB, GiB, KB, MB or GB"
            ));
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| format!("invalid size `{s}`: expected e.g. `1MiB` or a number of bytes"))
}

/// An HTTP method, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method(pub String);

string_schema!(
    Method,
    "Method",
    "GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS."
);

/// The methods a smoke check may use; others (CONNECT, TRACE) make no sense for a check.
pub const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

impl Method {
    pub fn parse(text: &str) -> Result<Method, String> {
        let upper = text.trim().to_ascii_uppercase();
        if METHODS.contains(&upper.as_str()) {
            Ok(Method(upper))
        } else {
            Err(format!(
                "unknown HTTP method `{text}`; expected one of {}",
                METHODS.join(", ")
            ))
        }
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, Method::parse)
    }
}

/// A string that may contain `${VAR}` references, checked for syntax when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateValue(pub Template);

string_schema!(
    TemplateValue,
    "TemplateString",
    "Text; `${NAME}` or `${NAME:-default}` is replaced by an environment variable at run time."
);

impl<'de> Deserialize<'de> for TemplateValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, |s| {
            Template::parse(s)
                .map(TemplateValue)
                .map_err(|e| e.to_string())
        })
    }
}

/// The placeholders a check URL, header or body may contain besides `${VAR}`.
pub const PLACEHOLDERS: [&str; 2] = ["{base-url}", "{slot}"];

/// A URL template: `{base-url}/health`, `https://{slot}.example.com/`, `${HEALTH_URL}`.
///
/// Checked when read: `${…}` syntax, no unknown `{placeholder}`, and, when no environment
/// variable is involved, a valid `http`/`https` URL once the placeholders are filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate(pub Template);

string_schema!(
    UrlTemplate,
    "UrlTemplate",
    "An http(s) URL; may start with `{base-url}`, contain `{slot}`, and `${NAME}` references."
);

impl<'de> Deserialize<'de> for UrlTemplate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parse_str(d, |text| {
            let template = Template::parse(text).map_err(|e| e.to_string())?;
            check_placeholders(text)?;
            if !template.has_vars() {
                let filled = text
                    .replace("{base-url}", "http://base-url.invalid")
                    .replace("{slot}", "slot");
                check_url(&filled).map_err(|e| format!("`{text}`: {e}"))?;
            }
            Ok(UrlTemplate(template))
        })
    }
}

/// Rejects `{name}` placeholders other than [`PLACEHOLDERS`] (a typo such as `{base_url}` would
/// otherwise become part of the URL).
pub fn check_placeholders(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        // `${` is an environment variable, handled by the template.
        let is_var = start > 0 && rest.as_bytes()[start - 1] == b'$';
        let after = &rest[start..];
        let Some(end) = after.find('}') else { break };
        let token = &after[..=end];
        let inner = &token[1..token.len() - 1];
        let looks_like_placeholder = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !is_var && looks_like_placeholder && !PLACEHOLDERS.contains(&token) {
            return Err(format!(
                "unknown placeholder `{token}`; the placeholders are `{{base-url}}` and `{{slot}}` \
                 (environment variables are written `${{NAME}}`)"
            ));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// Parses an absolute `http`/`https` URL with a host.
pub fn check_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("invalid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "invalid URL: scheme `{}` is not supported; use http or https",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("invalid URL: it has no host".into());
    }
    Ok(url)
}

/// A compiled RFC 9535 JSONPath query and its text.
#[derive(Clone)]
pub struct JsonPathExpr {
    pub text: String,
    pub path: serde_json_path::JsonPath,
}

impl JsonPathExpr {
    pub fn parse(text: &str) -> Result<JsonPathExpr, String> {
        serde_json_path::JsonPath::parse(text)
            .map(|path| JsonPathExpr {
                text: text.to_owned(),
                path,
            })
            .map_err(|e| format!("invalid JSONPath `{text}` (RFC 9535): {e}"))
    }
}

impl fmt::Debug for JsonPathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonPath({:?})", self.text)
    }
}

impl PartialEq for JsonPathExpr {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// A compiled regular expression (Rust `regex` syntax) and its text.
#[derive(Clone)]
pub struct Pattern(pub regex::Regex);

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, String> {
        regex::Regex::new(text)
            .map(Pattern)
            .map_err(|e| format!("invalid regular expression `{text}`: {e}"))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.0.as_str())
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_exactly() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration(".25s"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("5").unwrap_err().contains("no unit"));
        assert!(parse_duration("5 parsecs").unwrap_err().contains("parsecs"));
        assert!(parse_duration("8d").is_err());
        assert!(parse_duration("999999999999h").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("10KB"), Ok(10_000));
        assert_eq!(parse_size("512"), Ok(512));
        assert!(parse_size("1TiB").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
    }

    #[test]
    fn methods_are_upper_cased_and_limited() {
        assert_eq!(Method::parse("post"), Ok(Method("POST".into())));
        assert!(Method::parse("TRACE").unwrap_err().contains("GET, HEAD"));
    }

    #[test]
    fn placeholders_must_be_known() {
        assert!(check_placeholders("{base-url}/x/{slot}?t=${TOKEN}").is_ok());
        assert!(
            check_placeholders("{base_url}/x")
                .unwrap_err()
                .contains("`{base_url}`")
        );
        // Braces that are not placeholders (JSON in a body) pass.
        assert!(check_placeholders(r#"{"a": 1}"#).is_ok());
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(check_url("https://example.com/x").is_ok());
        assert!(check_url("ftp://example.com").unwrap_err().contains("ftp"));
        assert!(check_url("not a url").unwrap_err().contains("invalid URL"));
    }

    #[test]
    fn jsonpath_and_regex_errors_name_the_text() {
        assert!(JsonPathExpr::parse("$.items[*].id").is_ok());
        let e = JsonPathExpr::parse("$.items[").unwrap_err();
        assert!(e.contains("invalid JSONPath `$.items[`"), "{e}");
        assert!(Pattern::parse("(").unwrap_err().contains("`(`"));
    }
}
