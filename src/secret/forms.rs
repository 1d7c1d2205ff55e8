//! The forms a secret takes between the process and a sink.
//!
//! A secret is first split into its *cores*: the values that are secret on their own. That is the
//! secret itself and each of its lines (the runner masks a multi-line value line by line), and for
//! a URL the parts that carry the credential: the userinfo and its password, every query
//! parameter value (a webhook URL rarely says which of `?channel=ops&token=…` is the secret, so
//! each value counts), the fragment, and the credential path segments (after `services/` for
//! Slack, after `webhooks/<id>/` for Discord, otherwise the path after its first segment and the
//! last segment).
//!
//! Each core is then written in every encoding a sink may apply, from its raw and its
//! percent-decoded text: percent-encoded the usual ways (RFC 3986 strict, with spaces as
//! `+` or not, `encodeURIComponent`, WHATWG `application/x-www-form-urlencoded`), JSON-escaped (with and without
//! `\/`), Rust `Debug`-escaped (what `tracing` prints for `?field`), XML/HTML-escaped. A URL's
//! `user:password` is also added as the base64 an `Authorization: Basic` header carries.

use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::MIN_FRAGMENT;

/// RFC 3986 §2.3: everything but unreserved characters is encoded.
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// ECMAScript `encodeURIComponent`: also leaves `!'()*` alone.
const COMPONENT: &AsciiSet = &STRICT
    .remove(b'!')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*');

/// Every form of `secret` worth looking for, without duplicates.
pub(super) fn forms(secret: &str) -> Vec<String> {
    let mut out = Vec::new();
    for core in cores(secret) {
        encodings(&core, &mut out);
    }
    if let Some(url) = UrlParts::split(secret.trim()) {
        basic_auth(url.userinfo, &mut out);
    }
    // Percent escapes are matched in either hex case (`%2f` is `%2F`); the rest of a secret is
    // matched exactly, so a registered word does not also blank out its capitalised twin.
    let escaped: Vec<String> = out
        .iter()
        .filter(|f| f.contains('%'))
        .flat_map(|f| {
            [
                hex_case(f, u8::to_ascii_uppercase),
                hex_case(f, u8::to_ascii_lowercase),
            ]
        })
        .collect();
    out.extend(escaped);
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| !f.is_empty() && seen.insert(f.clone()));
    out
}

/// `text` with the two hex digits after each `%` passed through `case`.
fn hex_case(text: &str, case: fn(&u8) -> u8) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut i = 0;
    while i + 2 < bytes.len() {
        if bytes[i] == b'%' && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()
        {
            bytes[i + 1] = case(&bytes[i + 1]);
            bytes[i + 2] = case(&bytes[i + 2]);
            i += 3;
        } else {
            i += 1;
        }
    }
    // Only ASCII hex digits changed, so the bytes are still the UTF-8 they were.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

/// The secret, its lines and its URL credential parts, each long enough to be worth matching.
fn cores(secret: &str) -> Vec<String> {
    let trimmed = secret.trim();
    let mut cores = vec![secret.to_owned(), trimmed.to_owned()];
    cores.extend(trimmed.lines().map(|l| l.trim().to_owned()));
    if let Some(url) = UrlParts::split(trimmed) {
        cores.extend(url.credentials());
    }
    cores.retain(|c| decode(c).chars().count() >= MIN_FRAGMENT);
    cores
}

/// `core` as written raw and percent-decoded, each in every encoding a sink may apply.
fn encodings(core: &str, out: &mut Vec<String>) {
    let decoded = decode(core);
    let mut plain = vec![core.to_owned(), decoded.clone()];
    // A form-encoded value (`a+b`) decodes with `+` as a space.
    if core.contains('+') {
        plain.push(decoded.replace('+', " "));
    }
    for text in plain {
        let strict = utf8_percent_encode(&text, STRICT).to_string();
        // Python's `quote_plus`: strict, with spaces as `+`.
        out.push(strict.replace("%20", "+"));
        out.push(strict);
        out.push(utf8_percent_encode(&text, COMPONENT).to_string());
        out.push(url::form_urlencoded::byte_serialize(text.as_bytes()).collect());
        let json = json_escape(&text);
        out.push(json.replace('/', "\\/"));
        out.push(json);
        out.push(debug_escape(&text));
        out.push(xml_escape(&text));
        out.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| l.chars().count() >= MIN_FRAGMENT)
                .map(str::to_owned),
        );
        out.push(text);
    }
}

/// The base64 of `user:password` (raw and decoded, padded or not, both alphabets): what a client
/// sends as `Authorization: Basic` for a URL with userinfo.
fn basic_auth(userinfo: Option<&str>, out: &mut Vec<String>) {
    let Some((user, password)) = userinfo.and_then(|u| u.split_once(':')) else {
        return;
    };
    if decode(password).chars().count() < MIN_FRAGMENT {
        return;
    }
    let pairs = [
        format!("{user}:{password}"),
        format!("{}:{}", decode(user), decode(password)),
    ];
    for pair in pairs {
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
        out.push(STANDARD.encode(&pair));
        out.push(STANDARD_NO_PAD.encode(&pair));
        out.push(URL_SAFE.encode(&pair));
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The text between the quotes of a JSON string (serde_json's escaping).
fn json_escape(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_owned()
}

/// The text between the quotes of Rust's `{:?}` of a string.
fn debug_escape(text: &str) -> String {
    let quoted = format!("{text:?}");
    quoted[1..quoted.len() - 1].to_owned()
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The parts of `scheme://userinfo@host/path?query#fragment`, split on the text as given (a
/// parser would normalize it: drop tabs, re-encode) so every part is found as the user wrote it.
struct UrlParts<'a> {
    userinfo: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    fn split(text: &'a str) -> Option<UrlParts<'a>> {
        let (scheme, rest) = text.split_once("://")?;
        let scheme_ok = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return None;
        }
        let (rest, fragment) = match rest.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (rest, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        Some(UrlParts {
            userinfo: authority.rsplit_once('@').map(|(u, _)| u),
            path,
            query,
            fragment,
        })
    }

    /// The parts that carry a credential.
    fn credentials(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(userinfo) = self.userinfo {
            out.push(userinfo.to_owned());
            // With a password, the user is a name ("deploy"), not worth masking everywhere;
            // without one, the user part is the token.
            if let Some((_, password)) = userinfo.split_once(':') {
                out.push(password.to_owned());
            }
        }
        out.extend(path_credentials(self.path));
        if let Some(query) = self.query {
            out.push(query.to_owned());
            for pair in query.split('&') {
                out.push(pair.to_owned());
                if let Some((_, value)) = pair.split_once('=') {
                    out.push(value.to_owned());
                }
            }
        }
        out.extend(self.fragment.map(str::to_owned));
        out
    }
}

/// The path segments that carry the credential: everything after `services` (Slack), after
/// `webhooks/<id>` and the token alone (Discord); for other URLs the path after its first
/// segment and the last segment.
fn path_credentials(path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut out = Vec::new();
    if let Some(pos) = segments.iter().position(|s| *s == "services") {
        out.push(segments[pos + 1..].join("/"));
        out.extend(segments[pos + 1..].iter().map(|s| (*s).to_owned()));
    } else if let Some(pos) = segments.iter().position(|s| *s == "webhooks") {
        out.push(segments[pos + 1..].join("/"));
        out.extend(segments.get(pos + 2).map(|s| (*s).to_owned()));
    } else if let Some(last) = segments.last() {
        if segments.len() > 1 {
            out.push(segments[1..].join("/"));
        }
        out.push((*last).to_owned());
    }
    out
}
