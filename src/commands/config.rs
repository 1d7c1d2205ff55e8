//! `decoder-ops config check` and `decoder-ops config schema`.

use std::path::Path;

use serde::Serialize;

use super::Session;
use crate::cli::ConfigCheckArgs;
use crate::config;
use crate::error::{Error, ExitCode};
use crate::outcome::{Outcome, Verdict};

#[derive(Debug, Serialize)]
struct CheckDetails {
    file: String,
    /// Environment variables the file references, and whether each is set (never the value).
    variables: Vec<VariableStatus>,
}

#[derive(Debug, Serialize)]
struct VariableStatus {
    name: String,
    key: String,
    line: usize,
    set: bool,
}

/// Validates a configuration file: syntax, unknown keys and types; then the workflows beside it
/// against it (file and line of each environment, check or channel it lacks); then (unless
/// `--no-env`) that every referenced variable is set — only those of `--env`'s environment when
/// given. The problems are errors with their location.
pub fn check(args: ConfigCheckArgs, session: &mut Session) -> Result<ExitCode, Error> {
    let path = args
        .file
        .clone()
        .or_else(|| session.config_path.clone())
        .unwrap_or_else(|| config::DEFAULT_PATH.into());
    let config = config::load(Some(&path))?;
    let findings = super::config_workflows::check(&path, &config);
    if let Some(first) = findings.first() {
        for f in &findings {
            session.say(&format!("✗ {}:{}: {}", f.file, f.line, f.message));
        }
        return Err(Error::Usage(format!(
            "{}:{}: {} ({} finding(s) in the workflows)",
            first.file,
            first.line,
            first.message,
            findings.len()
        )));
    }
    let in_scope = scope(&args, &config)?;
    let env = session.env.clone();
    let lookup = |name: &str| env.get(name).map(str::to_owned);
    let mut variables = Vec::new();
    for template in config.templates() {
        for name in template.value.var_names() {
            let set = lookup(name).is_some_and(|v| !v.is_empty());
            variables.push(VariableStatus {
                name: name.to_owned(),
                key: template.key.clone(),
                line: template.line,
                set,
            });
        }
        if !args.no_env && in_scope(&template.key) {
            let value = config.resolve(template, &lookup)?;
            // A resolved value is a secret as far as we know: never echo it.
            session.add_secret(&value);
        }
    }
    let file = path.display().to_string();
    session.say(&format!(
        "✓ {file} is valid ({} variable reference(s))",
        variables.len()
    ));
    let outcome = Outcome::new("config", Verdict::Pass, CheckDetails { file, variables });
    if let Some(target) = &args.json {
        super::write_json(target, &outcome, session)?;
    }
    Ok(outcome.exit_code)
}

/// Which templates must resolve: all of them, or with `--env NAME` that environment's and the
/// checks'. An environment the config lacks is an error naming the ones it has.
fn scope(args: &ConfigCheckArgs, config: &config::Config) -> Result<impl Fn(&str) -> bool, Error> {
    let prefix = match &args.environment {
        None => None,
        Some(name) if config.environments.contains_key(name) => {
            Some(format!("environments.{name}"))
        }
        Some(name) => {
            let known: Vec<&str> = config.environments.keys().map(String::as_str).collect();
            return Err(Error::Usage(format!(
                "config check --env `{name}`: the config has no such environment (it has: {}); add it under `environments:`",
                known.join(", ")
            )));
        }
    };
    Ok(move |key: &str| match &prefix {
        None => true,
        Some(p) => key.starts_with(&format!("{p}.")) || key == p || key.starts_with("checks["),
    })
}

/// Prints the JSON Schema of the configuration file.
pub fn schema(session: &mut Session) -> Result<ExitCode, Error> {
    super::write_json(Path::new("-"), &config::json_schema(), session)?;
    Ok(ExitCode::Passed)
}
