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

/// Validates a configuration file: syntax, unknown keys and types, then (unless `--no-env`)
/// that every referenced variable is set. The first problem is an error with its location.
pub fn check(args: ConfigCheckArgs, session: &mut Session) -> Result<ExitCode, Error> {
    let path = args
        .file
        .or_else(|| session.config_path.clone())
        .unwrap_or_else(|| config::DEFAULT_PATH.into());
    let config = config::load(Some(&path))?;
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
        if !args.no_env {
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

/// Prints the JSON Schema of the configuration file.
pub fn schema(session: &mut Session) -> Result<ExitCode, Error> {
    super::write_json(Path::new("-"), &config::json_schema(), session)?;
    Ok(ExitCode::Passed)
}
