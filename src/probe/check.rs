//! A concrete check: every template resolved, ready to send. Built by [`super::plan`] from the
//! config or by a command from flags.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, Url};

use crate::config::assertion::Assertion;
use crate::config::checks::{DEFAULT_MAX_BODY, DEFAULT_TIMEOUT};
use crate::config::{Timing, TlsSpec};
use crate::secret::Secret;

/// One HTTP check. Header values are marked sensitive and the body is a [`Secret`], so `Debug`
/// prints neither.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    /// The environment it runs in, when one was selected (the JUnit suite and classname).
    pub environment: Option<String>,
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    /// May hold resolved secrets, so `Debug` shows `***`.
    pub body: Option<Secret>,
    /// Limit for one attempt: every redirect hop and the body included.
    pub timeout: Duration,
    pub follow_redirects: u32,
    pub tls: TlsSpec,
    pub timing: Timing,
    pub max_body: u64,
    pub allow: AllowList,
    pub assertions: Vec<Assertion>,
    /// The line of the check in the config file, for annotations.
    pub line: Option<usize>,
}

impl Check {
    /// A GET of `url` with the defaults of the config file and only `url`'s host allowed.
    pub fn new(name: impl Into<String>, url: Url, assertions: Vec<Assertion>) -> Check {
        let allow = AllowList::for_url(&url);
        Check {
            name: name.into(),
            environment: None,
            method: Method::GET,
            url,
            headers: HeaderMap::new(),
            body: None,
            timeout: DEFAULT_TIMEOUT,
            follow_redirects: 0,
            tls: TlsSpec::default(),
            timing: Timing::Once,
            max_body: DEFAULT_MAX_BODY,
            allow,
            assertions,
            line: None,
        }
    }
}

/// The hosts a check may contact. A pattern is a host name or IP literal, or `*.domain` for any
/// subdomain of `domain` (not `domain` itself). Ports are not part of the match: the allowlist is
/// about where data may go, and a port change on the same host stays inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    patterns: Vec<String>,
}

impl AllowList {
    pub fn new(patterns: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        let mut list = AllowList::default();
        for p in patterns {
            list.add(p.as_ref());
        }
        list
    }

    /// Only the host of `url`.
    pub fn for_url(url: &Url) -> Self {
        AllowList::new(url.host_str())
    }

    pub fn add(&mut self, pattern: &str) {
        let p = normalize(pattern);
        if !p.is_empty() && !self.patterns.contains(&p) {
            self.patterns.push(p);
        }
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    pub fn allows(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = normalize(host);
        self.patterns.iter().any(|p| match p.strip_prefix("*.") {
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
            None => *p == host,
        })
    }
}

/// Lower case, no trailing dot, IPv6 brackets removed: the forms a host can be compared in.
fn normalize(host: &str) -> String {
    host.trim()
        .trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn exact_hosts_and_subdomain_wildcards() {
        let list = AllowList::new(["Staging.Example.com.", "*.cdn.example.com", "[::1]"]);
        assert!(list.allows(&url("https://staging.example.com:8443/x")));
        assert!(list.allows(&url("https://a.cdn.example.com/")));
        assert!(list.allows(&url("https://a.b.cdn.example.com/")));
        assert!(list.allows(&url("http://[::1]:8080/")));
        assert!(!list.allows(&url("https://cdn.example.com/")));
        assert!(!list.allows(&url("https://evilcdn.example.com/")));
        assert!(!list.allows(&url("https://staging.example.com.evil.test/")));
        assert!(!list.allows(&url("https://example.com/")));
    }

    #[test]
    fn a_check_from_a_url_allows_only_that_host() {
        let c = Check::new("x", url("http://127.0.0.1:8080/health"), Vec::new());
        assert_eq!(c.allow.patterns(), ["127.0.0.1"]);
        assert!(!c.allow.allows(&url("http://localhost:8080/")));
    }
}
