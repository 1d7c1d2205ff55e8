//! The validated `environments:` and `checks:` sections: what `smoke` runs and `health-monitor`
//! reuses for its HTTP checks.
//!
//! Values are checked as they are read (see [`super::scalar`] and [`super::assertion`]); this
//! module adds the rules that span several keys (unique names, known environments, one timing
//! behaviour per check, sane limits) and keeps every `${VAR}` template with its place in the
//! file, so an unset variable found at run time is still reported at its line and column.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::assertion::{Assertion, Operand, Predicate, Query};
use super::raw::checks::{RawCheck, RawEnvironment};
use super::{ConfigError, Located, Template};

/// Limit for one request when `timeout` is not given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Body bytes read when `max-body` is not given.
pub const DEFAULT_MAX_BODY: u64 = 1 << 20;
/// Poll interval of `wait-until-ready` when `interval` is not given.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(2);
/// First backoff of `retry-transient` when `backoff` is not given.
pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);
/// More redirects than this is a loop, not a deployment.
pub const MAX_REDIRECTS: u32 = 20;
/// `retry-transient` attempts, the first included.
pub const MAX_ATTEMPTS: u32 = 10;
/// `max-body` above this would hold too much in memory for a smoke check.
pub const MAX_BODY_LIMIT: u64 = 64 << 20;

/// A named environment.
#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    pub base_url: Located<Template>,
    pub slots: Vec<String>,
    /// Host patterns (`{slot}` and a leading `*.` allowed); empty means the base URL's host.
    pub allow_hosts: Vec<String>,
    pub headers: Vec<HeaderSpec>,
}

/// A request header whose value may reference the environment.
#[derive(Debug, Clone)]
pub struct HeaderSpec {
    pub name: String,
    pub value: Located<Template>,
}

/// TLS options of a check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TlsSpec {
    pub ca_file: Option<PathBuf>,
    pub insecure: bool,
}

/// The one timing behaviour of a check. They are never combined: readiness polling, transient
/// retries and assertions each do one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// One request.
    Once,
    /// Poll every `interval` until a response that is not transient (no connection error,
    /// timeout, 5xx or 429), for at most `deadline`; polls before it do not count as failures.
    WaitUntilReady {
        deadline: Duration,
        interval: Duration,
    },
    /// Up to `attempts` requests while the outcome is transient, waiting `backoff`, then twice
    /// as long, between them.
    RetryTransient { attempts: u32, backoff: Duration },
}

/// A validated check, its templates unresolved.
#[derive(Debug, Clone)]
pub struct CheckSpec {
    pub name: String,
    /// Line of the check's `name`, for annotations.
    pub line: usize,
    pub method: String,
    pub url: Located<Template>,
    pub headers: Vec<HeaderSpec>,
    pub body: Option<Located<Template>>,
    pub timeout: Duration,
    pub follow_redirects: u32,
    pub tls: TlsSpec,
    pub timing: Timing,
    pub max_body: u64,
    /// Empty: every environment.
    pub environments: Vec<String>,
    pub assertions: Vec<Assertion>,
}

impl CheckSpec {
    /// Whether the check runs in `environment` (`None`: no environment selected).
    pub fn runs_in(&self, environment: Option<&str>) -> bool {
        match environment {
            Some(env) => self.environments.is_empty() || self.environments.iter().any(|e| e == env),
            None => true,
        }
    }
}

/// The assertion a check gets when it declares none: like `curl -f`, but stricter (2xx only).
pub fn default_assertion() -> Assertion {
    Assertion::new(
        Query::Status,
        Predicate::Between(Operand::Int(200), Operand::Int(299)),
    )
}

/// Validates the environments; `text` is the file, for locating values.
pub fn environments(
    raw: BTreeMap<String, RawEnvironment>,
    text: &str,
    path: &str,
) -> Result<BTreeMap<String, Environment>, ConfigError> {
    let text = &Lines::new(text);
    let mut out = BTreeMap::new();
    for (name, env) in raw {
        let key = format!("environments.{name}");
        let (line, _) = super::locate(text.text, &format!("{name}:"));
        check_name(&name, "environment", path, text, &key, line)?;
        for slot in &env.slots {
            check_name(slot, "slot", path, text, &format!("{key}.slots"), line)?;
        }
        let base_url = located(env.base_url.0, &format!("{key}.base-url"), text, line);
        if base_url.value.raw().contains("{base-url}") {
            return Err(value_error(
                path,
                &base_url,
                "`base-url` cannot contain `{base-url}`",
            ));
        }
        let headers = headers(env.headers, &format!("{key}.headers"), text, line, path)?;
        out.insert(
            name.clone(),
            Environment {
                name,
                base_url,
                slots: env.slots,
                allow_hosts: env.allow_hosts,
                headers,
            },
        );
    }
    Ok(out)
}

/// Validates the checks against the environments already validated.
pub fn checks(
    raw: Vec<RawCheck>,
    environments: &BTreeMap<String, Environment>,
    text: &str,
    path: &str,
) -> Result<Vec<CheckSpec>, ConfigError> {
    let text = &Lines::new(text);
    let mut out: Vec<CheckSpec> = Vec::with_capacity(raw.len());
    // A set, not a scan of `out`: thousands of checks stay linear.
    let mut names = std::collections::HashSet::new();
    // Each check's values are searched from its own `name:` line on, so a value repeated in
    // several checks is reported where this check wrote it.
    let mut from_line = 1;
    for (i, check) in raw.into_iter().enumerate() {
        let key = format!("checks[{i}]");
        let line = locate_from(text, from_line, &check.name).0.max(from_line);
        from_line = line + 1;
        let err = |k: &str, message: String| {
            let (l, c) = locate_from(text, line, k);
            ConfigError::Value {
                path: path.to_owned(),
                line: l,
                column: c,
                key: format!("{key}.{k}"),
                message,
            }
        };
        if check.name.trim().is_empty() {
            return Err(err("name", "a check needs a non-empty name".into()));
        }
        if !names.insert(check.name.clone()) {
            return Err(err(
                "name",
                format!(
                    "another check is already named `{}`: names must be unique",
                    check.name
                ),
            ));
        }
        for env in &check.environments {
            if !environments.contains_key(env) {
                return Err(err(
                    "environments",
                    format!("no environment named `{env}`; define it under `environments`"),
                ));
            }
        }
        let timeout = check.timeout.map_or(DEFAULT_TIMEOUT, |d| d.0);
        if timeout.is_zero() {
            return Err(err("timeout", "`timeout` must be more than 0".into()));
        }
        let follow_redirects = check.follow_redirects.unwrap_or(0);
        if follow_redirects > MAX_REDIRECTS {
            return Err(err(
                "follow-redirects",
                format!("at most {MAX_REDIRECTS} redirects can be followed"),
            ));
        }
        let max_body = check.max_body.map_or(DEFAULT_MAX_BODY, |b| b.0);
        if max_body == 0 || max_body > MAX_BODY_LIMIT {
            return Err(err(
                "max-body",
                format!(
                    "`max-body` must be between 1 byte and {}MiB",
                    MAX_BODY_LIMIT >> 20
                ),
            ));
        }
        let timing = match (check.wait_until_ready, check.retry_transient) {
            (Some(_), Some(_)) => {
                return Err(err(
                    "retry-transient",
                    "`wait-until-ready` and `retry-transient` on one check: choose one \
                     (wait-until-ready already polls through transient failures)"
                        .into(),
                ));
            }
            (Some(w), None) => {
                let interval = w.interval.map_or(DEFAULT_INTERVAL, |d| d.0);
                if interval.is_zero() || interval > w.deadline.0 {
                    let at = if w.interval.is_some() {
                        "interval"
                    } else {
                        "wait-until-ready"
                    };
                    return Err(err(
                        at,
                        "`interval` must be more than 0 and at most the `deadline`".into(),
                    ));
                }
                Timing::WaitUntilReady {
                    deadline: w.deadline.0,
                    interval,
                }
            }
            (None, Some(r)) => {
                if !(2..=MAX_ATTEMPTS).contains(&r.attempts) {
                    return Err(err(
                        "attempts",
                        format!("`attempts` counts the first request too: use 2 to {MAX_ATTEMPTS}"),
                    ));
                }
                Timing::RetryTransient {
                    attempts: r.attempts,
                    backoff: r.backoff.map_or(DEFAULT_BACKOFF, |d| d.0),
                }
            }
            (None, None) => Timing::Once,
        };
        let tls = check.tls.unwrap_or_default();
        let url = located(check.url.0, &format!("{key}.url"), text, line);
        let body = check
            .body
            .map(|b| located(b.0, &format!("{key}.body"), text, line));
        let headers = headers(check.headers, &format!("{key}.headers"), text, line, path)?;
        let mut assertions = check.assert;
        if assertions.is_empty() {
            assertions.push(default_assertion());
        }
        out.push(CheckSpec {
            name: check.name,
            line,
            method: check.method.map_or_else(|| "GET".to_owned(), |m| m.0),
            url,
            headers,
            body,
            timeout,
            follow_redirects,
            tls: TlsSpec {
                ca_file: tls.ca_file.map(PathBuf::from),
                insecure: tls.insecure,
            },
            timing,
            max_body,
            environments: check.environments,
            assertions,
        });
    }
    Ok(out)
}

fn headers(
    raw: BTreeMap<String, super::scalar::TemplateValue>,
    key: &str,
    text: &Lines<'_>,
    from_line: usize,
    path: &str,
) -> Result<Vec<HeaderSpec>, ConfigError> {
    let mut out = Vec::with_capacity(raw.len());
    for (name, value) in raw {
        let is_token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        let value = located(value.0, &format!("{key}.{name}"), text, from_line);
        if !is_token {
            let (line, column) = locate_from(text, from_line, &name);
            return Err(ConfigError::Value {
                path: path.to_owned(),
                line,
                column,
                key: format!("{key}.{name}"),
                message: format!("`{name}` is not a valid header name"),
            });
        }
        if value.value.raw().contains(['\r', '\n']) {
            return Err(value_error(
                path,
                &value,
                "a header value cannot span lines",
            ));
        }
        out.push(HeaderSpec { name, value });
    }
    Ok(out)
}

/// Names used in flags and reports: letters, digits, `-`, `_`, `.`.
fn check_name(
    name: &str,
    what: &str,
    path: &str,
    text: &Lines<'_>,
    key: &str,
    from_line: usize,
) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        return Ok(());
    }
    let (line, column) = locate_from(text, from_line, name);
    Err(ConfigError::Value {
        path: path.to_owned(),
        line,
        column,
        key: key.to_owned(),
        message: format!("{what} name `{name}` may only contain letters, digits, `-`, `_` and `.`"),
    })
}

fn located(value: Template, key: &str, text: &Lines<'_>, from_line: usize) -> Located<Template> {
    let (line, column) = locate_from(text, from_line, value.raw());
    Located {
        value,
        key: key.to_owned(),
        line,
        column,
    }
}

fn value_error(path: &str, at: &Located<Template>, message: &str) -> ConfigError {
    ConfigError::Value {
        path: path.to_owned(),
        line: at.line,
        column: at.column,
        key: at.key.clone(),
        message: message.to_owned(),
    }
}

/// The config text with the offset where each line starts, so that a value is searched from a
/// line in time proportional to the distance searched, not to the line's position: a file with
/// thousands of checks, each searched from its own line, was validated in time quadratic in its
/// size (`bench/nesting.sh`).
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Lines { text, starts }
    }
}

/// Like [`super::locate`], searching from line `from` (1-based) on, then from the top.
fn locate_from(text: &Lines<'_>, from: usize, needle: &str) -> (usize, usize) {
    let first = from.saturating_sub(1).min(text.starts.len() - 1);
    let rest = &text.text[text.starts[first]..];
    for (i, line) in rest.lines().enumerate() {
        let code = line.split(" #").next().unwrap_or(line);
        if let Some(pos) = code.find(needle) {
            return (first + i + 1, code[..pos].chars().count() + 1);
        }
    }
    super::locate(text.text, needle)
}

#[cfg(test)]
#[path = "checks_tests.rs"]
mod tests;
