//! From the config's `checks:` to concrete [`Check`]s for one environment and slot: `${VAR}`
//! resolved from the injected environment, `{base-url}` and `{slot}` filled, the allowlist built,
//! and every value that came from a variable collected as a secret.
//!
//! Only the environment's `base-url` is not treated as a secret (it is printed in every report);
//! a token belongs in a header or in the check's own URL.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::ProbeError;
use super::check::{AllowList, Check};
use crate::config::scalar::check_url;
use crate::config::{
    CheckSpec, Config, ConfigError, Environment, HeaderSpec, Located, Lookup, Template,
};
use crate::secret::Secret;

/// Which checks to run where.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--env`; may be omitted when the config defines exactly one environment.
    pub environment: Option<String>,
    /// `--slot`, for `{slot}`.
    pub slot: Option<String>,
    /// `--check NAME` (repeatable): only these checks. Empty: all.
    pub names: Vec<String>,
}

/// Concrete checks and the secrets met while resolving them.
#[derive(Debug, Clone, Default)]
pub struct Planned {
    pub checks: Vec<Check>,
    /// Values of `${VAR}` in check URLs, headers and bodies, and of credential headers: to be
    /// masked and redacted before anything is printed.
    pub secrets: Vec<String>,
}

/// Headers whose values are credentials even when written literally.
const CREDENTIAL_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
];

/// Resolves the config's checks for `selection`.
pub fn plan(
    config: &Config,
    selection: &Selection,
    lookup: Lookup<'_>,
) -> Result<Planned, ProbeError> {
    if config.checks.is_empty() {
        return Err(ProbeError::Selection(format!(
            "no checks: add a `checks:` section to `{}` or pass --url",
            config.display_path()
        )));
    }
    let environment = environment(config, selection)?;
    let slot = slot(environment, selection)?;
    let mut planned = Planned::default();
    let base_url = match environment {
        Some(env) => Some(base_url(config, env, slot.as_deref(), lookup)?),
        None => None,
    };
    for name in &selection.names {
        if !config.checks.iter().any(|c| &c.name == name) {
            return Err(ProbeError::Selection(format!(
                "no check named `{name}` in `{}`",
                config.display_path()
            )));
        }
    }
    let env_name = environment.map(|e| e.name.as_str());
    let ctx = Ctx {
        config,
        lookup,
        base_url: base_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_owned()),
        slot: slot.clone(),
    };
    for spec in &config.checks {
        if !spec.runs_in(env_name)
            || !(selection.names.is_empty() || selection.names.contains(&spec.name))
        {
            continue;
        }
        let check = ctx.check(spec, environment, base_url.as_ref(), &mut planned.secrets)?;
        planned.checks.push(check);
    }
    if planned.checks.is_empty() {
        return Err(ProbeError::Selection(format!(
            "no check runs in environment `{}`: see the checks' `environments:`",
            env_name.unwrap_or("-")
        )));
    }
    Ok(planned)
}

fn environment<'c>(
    config: &'c Config,
    selection: &Selection,
) -> Result<Option<&'c Environment>, ProbeError> {
    let names = || {
        config
            .environments
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &selection.environment {
        Some(name) => config.environments.get(name).map(Some).ok_or_else(|| {
            ProbeError::Selection(if config.environments.is_empty() {
                format!(
                    "no environment named `{name}`: `{}` defines no `environments:`",
                    config.display_path()
                )
            } else {
                format!("no environment named `{name}`; defined: {}", names())
            })
        }),
        None if config.environments.len() == 1 => Ok(config.environments.values().next()),
        None if config.environments.is_empty() => Ok(None),
        None => Err(ProbeError::Selection(format!(
            "choose an environment with --env: {}",
            names()
        ))),
    }
}

fn slot(
    environment: Option<&Environment>,
    selection: &Selection,
) -> Result<Option<String>, ProbeError> {
    let Some(env) = environment else {
        return Ok(selection.slot.clone());
    };
    let needs_slot = env.base_url.value.raw().contains("{slot}")
        || env.allow_hosts.iter().any(|h| h.contains("{slot}"));
    match &selection.slot {
        Some(slot) if !env.slots.is_empty() && !env.slots.contains(slot) => {
            Err(ProbeError::Selection(format!(
                "environment `{}` has no slot `{slot}`; its slots: {}",
                env.name,
                env.slots.join(", ")
            )))
        }
        Some(slot)
            if slot.is_empty() || !slot.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            Err(ProbeError::Selection(format!(
                "slot `{slot}` may only contain letters, digits and `-` (it becomes part of a host name)"
            )))
        }
        None if needs_slot => Err(ProbeError::Selection(format!(
            "environment `{}` uses `{{slot}}`: choose one with --slot{}",
            env.name,
            if env.slots.is_empty() {
                String::new()
            } else {
                format!(" ({})", env.slots.join(", "))
            }
        ))),
        other => Ok(other.clone()),
    }
}

fn base_url(
    config: &Config,
    env: &Environment,
    slot: Option<&str>,
    lookup: Lookup<'_>,
) -> Result<Url, ProbeError> {
    let text = fill(&config.resolve(&env.base_url, lookup)?, None, slot);
    check_url(&text)
        .map_err(|e| located_error(config, &env.base_url, format!("`{text}`: {e}")).into())
}

struct Ctx<'a> {
    config: &'a Config,
    lookup: Lookup<'a>,
    base_url: Option<String>,
    slot: Option<String>,
}

impl Ctx<'_> {
    fn check(
        &self,
        spec: &CheckSpec,
        env: Option<&Environment>,
        base_url: Option<&Url>,
        secrets: &mut Vec<String>,
    ) -> Result<Check, ProbeError> {
        if spec.url.value.raw().contains("{base-url}") && self.base_url.is_none() {
            return Err(located_error(
                self.config,
                &spec.url,
                "uses `{base-url}` but no environment is selected: define `environments:` and pass --env".into(),
            )
            .into());
        }
        let url_text = self.resolve(&spec.url, secrets)?;
        let url = check_url(&url_text)
            .map_err(|e| located_error(self.config, &spec.url, format!("`{url_text}`: {e}")))?;
        secrets.extend(url_secrets(&url));
        let mut headers = HeaderMap::new();
        let env_headers = env.map_or(&[][..], |e| e.headers.as_slice());
        // The check's own headers override the environment's of the same name.
        for h in env_headers.iter().chain(&spec.headers) {
            let (name, value) = self.header(h, secrets)?;
            headers.insert(name, value);
        }
        let body = match &spec.body {
            Some(b) => Some(Secret::new(self.resolve(b, secrets)?)),
            None => None,
        };
        let allow = match env {
            Some(env) if !env.allow_hosts.is_empty() => AllowList::new(
                env.allow_hosts
                    .iter()
                    .map(|h| fill(h, None, self.slot.as_deref())),
            ),
            Some(_) => base_url.map(AllowList::for_url).unwrap_or_default(),
            None => AllowList::for_url(&url),
        };
        let method = Method::from_bytes(spec.method.as_bytes())
            .map_err(|_| ProbeError::Selection(format!("check `{}`: invalid method", spec.name)))?;
        Ok(Check {
            name: spec.name.clone(),
            environment: env.map(|e| e.name.clone()),
            method,
            url,
            headers,
            body,
            timeout: spec.timeout,
            follow_redirects: spec.follow_redirects,
            tls: spec.tls.clone(),
            timing: spec.timing,
            max_body: spec.max_body,
            allow,
            assertions: spec.assertions.clone(),
            line: Some(spec.line),
        })
    }

    fn header(
        &self,
        h: &HeaderSpec,
        secrets: &mut Vec<String>,
    ) -> Result<(HeaderName, HeaderValue), ProbeError> {
        let text = self.resolve(&h.value, secrets)?;
        let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| {
            located_error(
                self.config,
                &h.value,
                format!("`{}` is not a valid header name", h.name),
            )
        })?;
        if is_credential_header(name.as_str()) {
            secrets.extend(credential_forms(&text));
        }
        let mut value = HeaderValue::from_str(&text).map_err(|_| {
            located_error(
                self.config,
                &h.value,
                "the header value contains characters HTTP does not allow (control characters)"
                    .into(),
            )
        })?;
        value.set_sensitive(true);
        Ok((name, value))
    }

    /// The template resolved, placeholders filled, and the variables' values kept as secrets.
    fn resolve(
        &self,
        t: &Located<Template>,
        secrets: &mut Vec<String>,
    ) -> Result<String, ProbeError> {
        let text = self.config.resolve(t, self.lookup)?;
        for name in t.value.var_names() {
            if let Some(v) = (self.lookup)(name).filter(|v| !v.trim().is_empty()) {
                secrets.push(v);
            }
        }
        Ok(fill(&text, self.base_url.as_deref(), self.slot.as_deref()))
    }
}

/// Credentials written into a URL: the userinfo password and the values of query parameters
/// whose names say they are secret (`token`, `key`, `secret`, `sig`, `password`, `auth`).
pub fn url_secrets(url: &Url) -> Vec<String> {
    let mut out: Vec<String> = url
        .password()
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .into_iter()
        .collect();
    for (name, value) in url.query_pairs() {
        let name = name.to_ascii_lowercase();
        let secret = ["token", "key", "secret", "sig", "password", "auth"]
            .iter()
            .any(|w| name.contains(w));
        if secret && !value.is_empty() {
            out.push(value.into_owned());
        }
    }
    out
}

/// Whether a header carries a credential, so its value must be redacted even when written
/// literally.
pub fn is_credential_header(name: &str) -> bool {
    CREDENTIAL_HEADERS.contains(&name.to_ascii_lowercase().as_str())
}

/// A credential header's value and, for `Scheme credential`, the credential alone: redacted even
/// where the scheme was cut off.
pub fn credential_forms(value: &str) -> Vec<String> {
    let mut out = vec![value.to_owned()];
    out.extend(
        value
            .split_once(' ')
            .map(|(_, cred)| cred.trim().to_owned()),
    );
    out
}

/// Replaces `{base-url}` and `{slot}` where known.
fn fill(text: &str, base_url: Option<&str>, slot: Option<&str>) -> String {
    let mut out = text.to_owned();
    if let Some(b) = base_url {
        out = out.replace("{base-url}", b);
    }
    if let Some(s) = slot {
        out = out.replace("{slot}", s);
    }
    out
}

fn located_error(config: &Config, at: &Located<Template>, message: String) -> ConfigError {
    ConfigError::Value {
        path: config.display_path(),
        line: at.line,
        column: at.column,
        key: at.key.clone(),
        message,
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
