//! The `decoder-ops.yml` configuration: loading, `${ENV}` interpolation, validation, and errors
//! that name the file, line, column and key.
//!
//! Two phases, as in ripgrep's argument handling: [`raw`] is the file's shape (serde, unknown
//! keys rejected, also the source of the JSON Schema); [`Config`] is the validated, typed form
//! the commands use. Environment variables are read only through the lookup the caller injects.

pub mod assertion;
pub mod checks;
pub mod gates;
mod interp;
mod limits;
pub mod monitor;
pub mod raw;
pub mod scalar;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use checks::{CheckSpec, Environment, HeaderSpec, Timing, TlsSpec};
pub use interp::{InterpError, Template};

/// Where the configuration lives when `--config` is not given.
pub const DEFAULT_PATH: &str = ".github/decoder-ops.yml";

/// A way to read environment variables, injected so tests never touch the process environment.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Errors of the configuration. Every one names the file; those tied to a place in it name the
/// line and column (1-based) and, where known, the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config `{path}`: cannot read it: {source}; check the path given to --config")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config `{path}`: line {line}, column {column}: {}", cap(.message))]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("config `{path}`: line {line}, column {column}: `{}`: {}", cap(.key), cap(.message))]
    Value {
        path: String,
        line: usize,
        column: usize,
        key: String,
        message: String,
    },
    #[error("config `{path}`: {}", cap(.message))]
    Invalid { path: String, message: String },
}

/// Most characters of a message shown whole; past it, the start and the length. A config
/// error must never echo a huge offending value (a 100 MB string) into a log.
const MESSAGE_CHARS: usize = 400;
/// How much of an over-long message is kept.
const EXCERPT_CHARS: usize = 200;

/// `message` whole when short, else its first characters (control characters as `?`) and
/// how long it was.
pub(crate) fn cap(message: &str) -> String {
    if message.chars().nth(MESSAGE_CHARS).is_none() {
        return message.to_owned();
    }
    let start: String = message
        .chars()
        .take(EXCERPT_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{start}… (cut; {} bytes in all)", message.len())
}

impl ConfigError {
    /// `(path, line, column)` of the error, for an annotation on the config file.
    pub fn location(&self) -> Option<(&str, usize, usize)> {
        match self {
            ConfigError::Syntax {
                path, line, column, ..
            }
            | ConfigError::Value {
                path, line, column, ..
            } => Some((path, *line, *column)),
            _ => None,
        }
    }
}

/// A value from the file with the place it was written, for errors found when it is used.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    /// Dotted key path, e.g. `notify.channels.deploys.webhook`.
    pub key: String,
    pub line: usize,
    pub column: usize,
}

/// A chat platform named in the config.
pub use raw::RawProvider as ChannelProvider;

/// A named webhook.
#[derive(Debug, Clone)]
pub struct Channel {
    pub name: String,
    pub webhook: Located<Template>,
    pub provider: Option<ChannelProvider>,
}

/// The `notify:` section.
#[derive(Debug, Clone, Default)]
pub struct NotifyConfig {
    pub channels: BTreeMap<String, Channel>,
    pub default_channels: Vec<String>,
}

/// The validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from; `None` when no file exists and defaults apply.
    pub path: Option<PathBuf>,
    pub notify: NotifyConfig,
    pub quality_gate: gates::QualityGateConfig,
    /// `environments:`, by name.
    pub environments: BTreeMap<String, Environment>,
    /// `checks:`, in file order.
    pub checks: Vec<CheckSpec>,
    /// `monitor:`; `None` when the file has no such section.
    pub monitor: Option<monitor::MonitorConfig>,
}

impl Config {
    /// The file name used in messages.
    pub fn display_path(&self) -> String {
        self.path
            .as_deref()
            .map_or_else(|| DEFAULT_PATH.to_owned(), |p| p.display().to_string())
    }

    /// Resolves a located template against the environment; an unset variable is an error at
    /// the place the template was written.
    pub fn resolve(
        &self,
        value: &Located<Template>,
        lookup: Lookup<'_>,
    ) -> Result<String, ConfigError> {
        value.value.resolve(lookup).map_err(|e| ConfigError::Value {
            path: self.display_path(),
            line: value.line,
            column: value.column,
            key: value.key.clone(),
            message: e.to_string(),
        })
    }

    /// Every template in the file with its place, for `config check`.
    pub fn templates(&self) -> Vec<&Located<Template>> {
        let mut out: Vec<&Located<Template>> =
            self.notify.channels.values().map(|c| &c.webhook).collect();
        for env in self.environments.values() {
            out.push(&env.base_url);
            out.extend(env.headers.iter().map(|h| &h.value));
        }
        for check in &self.checks {
            out.push(&check.url);
            out.extend(check.headers.iter().map(|h| &h.value));
            out.extend(check.body.iter());
        }
        if let Some(m) = &self.monitor {
            out.extend(m.templates());
        }
        out
    }
}

/// Loads the configuration. With `explicit == None` the default path is used if it exists and
/// an empty configuration otherwise; an explicit path must exist.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let p = PathBuf::from(DEFAULT_PATH);
            if !p.exists() {
                return Ok(Config::default());
            }
            p
        }
    };
    let display = path.display().to_string();
    let bytes = std::fs::read(&path).map_err(|source| ConfigError::Read {
        path: display.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        ConfigError::Syntax {
            path: display.clone(),
            line,
            column,
            message: "the file is not valid UTF-8".into(),
        }
    })?;
    let mut config = parse(&text, &display)?;
    config.path = Some(path);
    Ok(config)
}

/// Parses and validates configuration text; `path` is only used in messages.
///
/// Before the YAML parser runs, the text's size, depth and node count are checked
/// ([`limits::prescan`]); before it is read into the config's types, every mapping is checked
/// for repeated keys ([`limits::no_duplicate_keys`]).
pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
    limits::prescan(text).map_err(|r| ConfigError::Syntax {
        path: path.to_owned(),
        line: r.line,
        column: r.column,
        message: r.message,
    })?;
    let raw: raw::RawConfig = if is_blank_yaml(text) {
        raw::RawConfig::default()
    } else {
        let repeated = std::cell::RefCell::new(None);
        limits::no_duplicate_keys(serde_norway::Deserializer::from_str(text), &repeated).map_err(
            |e| {
                let mut error = syntax_error(&e, path);
                // The parser points at the mapping; the reader wants the repeated key.
                if let (ConfigError::Syntax { line, column, .. }, Some(key)) =
                    (&mut error, repeated.borrow().as_deref())
                    && let Some(at) = limits::repeated_key_at(text, *line, *column, key)
                {
                    (*line, *column) = at;
                }
                error
            },
        )?;
        serde_norway::from_str(text).map_err(|e| syntax_error(&e, path))?
    };
    validate(raw, text, path)
}

fn validate(raw: raw::RawConfig, text: &str, path: &str) -> Result<Config, ConfigError> {
    let mut config = Config {
        path: Some(PathBuf::from(path)),
        ..Config::default()
    };
    if let Some(qg) = raw.quality_gate {
        config.quality_gate = gates::validate(qg, text, path)?;
    }
    if let Some(notify) = raw.notify {
        for (name, channel) in notify.channels {
            let key = format!("notify.channels.{name}.webhook");
            let (line, column) = locate(text, &channel.webhook);
            let template = Template::parse(&channel.webhook).map_err(|e| ConfigError::Value {
                path: path.to_owned(),
                line,
                column,
                key: key.clone(),
                message: e.to_string(),
            })?;
            let webhook = Located {
                value: template,
                key,
                line,
                column,
            };
            config.notify.channels.insert(
                name.clone(),
                Channel {
                    name,
                    webhook,
                    provider: channel.provider,
                },
            );
        }
        for name in &notify.default_channels {
            if !config.notify.channels.contains_key(name) {
                let (line, column) = locate(text, name);
                return Err(ConfigError::Value {
                    path: path.to_owned(),
                    line,
                    column,
                    key: "notify.default-channels".into(),
                    message: format!(
                        "no channel named `{name}`; define it under `notify.channels`"
                    ),
                });
            }
        }
        config.notify.default_channels = notify.default_channels;
    }
    config.environments = checks::environments(raw.environments, text, path)?;
    config.checks = checks::checks(raw.checks, &config.environments, text, path)?;
    if let Some(m) = raw.monitor {
        let check_names = config.checks.iter().map(|c| c.name.clone()).collect();
        let channel_names = config.notify.channels.keys().cloned().collect();
        if let Some(env) = &m.environment
            && !config.environments.contains_key(env)
        {
            let (line, column) = locate(text, env);
            return Err(ConfigError::Value {
                path: path.to_owned(),
                line,
                column,
                key: "monitor.environment".into(),
                message: format!("no environment named `{env}` in `environments:`"),
            });
        }
        config.monitor = Some(monitor::validate(
            m,
            &check_names,
            &channel_names,
            text,
            path,
        )?);
    }
    Ok(config)
}

/// A serde_norway error as a located config error. Its message already names the key path
/// ("notify.channels.x: unknown field `webhok`, expected …"); the " at line N column M" suffix is
/// dropped because the location is given up front.
fn syntax_error(e: &serde_norway::Error, path: &str) -> ConfigError {
    let message = e.to_string();
    match e.location() {
        Some(loc) => {
            let mut message = match message.rfind(" at line ") {
                Some(pos) => message[..pos].to_owned(),
                None => message,
            };
            if message.chars().nth(MESSAGE_CHARS).is_some() {
                // Where the offending value starts, for a file too long to page through.
                message = format!(
                    "{} (the value starts at byte {})",
                    cap(&message),
                    loc.index()
                );
            }
            ConfigError::Syntax {
                path: path.to_owned(),
                line: loc.line(),
                column: loc.column(),
                message,
            }
        }
        None => ConfigError::Invalid {
            path: path.to_owned(),
            message,
        },
    }
}

fn is_blank_yaml(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---")
}

/// 1-based line and column (in characters) of the first occurrence of `needle` outside a
/// comment; (1, 1) when it cannot be found (a value written with escapes or folded).
pub(crate) fn locate(text: &str, needle: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        let code = line.split(" #").next().unwrap_or(line);
        if let Some(pos) = code.find(needle) {
            return (i + 1, code[..pos].chars().count() + 1);
        }
    }
    (1, 1)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    (
        line,
        String::from_utf8_lossy(&before[start..]).chars().count() + 1,
    )
}

/// The JSON Schema of the file, generated from [`raw::RawConfig`].
pub fn json_schema() -> serde_json::Value {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(raw::RawConfig)).unwrap_or_default();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://decoder-ops.dev/schema/decoder-ops.schema.json".into(),
        );
    }
    schema
}

#[cfg(test)]
mod tests;
