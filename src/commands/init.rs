//! `decoder-ops init`: writes the chosen workflow templates and a starter configuration into a
//! repository, for the language it detects, and says what to set up next.
//!
//! Safe to run again: a file that already has the exact content is left alone, a file that
//! differs is skipped (and named) unless `--force`, and every write is atomic.

use std::path::Path;

use serde::Serialize;

use super::Session;
use crate::cli::InitArgs;
use crate::error::{Error, ExitCode};
use crate::outcome::{Outcome, Verdict};
use crate::scaffold::{self, Language, Template};

const CONFIG_PATH: &str = ".github/decoder-ops.yml";

#[derive(Debug, Serialize)]
struct InitDetails {
    language: Language,
    detected_from: Option<&'static str>,
    files: Vec<FileReport>,
}

#[derive(Debug, Serialize)]
struct FileReport {
    path: String,
    action: FileAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum FileAction {
    Created,
    Overwritten,
    Unchanged,
    Skipped,
}

pub fn run(args: InitArgs, session: &mut Session) -> Result<ExitCode, Error> {
    let root = args.dir.as_path();
    if !root.is_dir() {
        return Err(Error::Usage(format!(
            "init: `{}` is not a directory; pass the repository root with --dir",
            root.display()
        )));
    }
    if let Some(r) = &args.action_ref
        && !scaffold::valid_action_ref(r)
    {
        return Err(Error::Usage(format!(
            "init: --action-ref `{r}` is not a tag, branch or commit SHA (letters, digits, `.`, `-`, `_`, `/`)"
        )));
    }
    let exists = |f: &str| root.join(f).is_file();
    let (language, detected_from) = match args.language {
        Some(l) => (l, None),
        None => Language::detect(exists),
    };
    let mut profile = language.profile(exists);
    profile.detected_from = detected_from;

    let mut templates = if args.templates.is_empty() {
        Template::ALL.to_vec()
    } else {
        args.templates.clone()
    };
    templates.sort();
    templates.dedup();

    let mut planned: Vec<(String, String)> = templates
        .iter()
        .map(|t| {
            let text = scaffold::render(*t, &profile, args.action_ref.as_deref());
            (t.path(), text)
        })
        .collect();
    planned.push((CONFIG_PATH.to_owned(), scaffold::starter_config(&profile)));

    match detected_from {
        Some(marker) => session.say(&format!(
            "Detected a {} repository ({marker}).",
            language.label()
        )),
        None if args.language.is_some() => {
            session.say(&format!("Using {} commands.", language.label()))
        }
        None => session.say(
            "No Cargo.toml, package.json, pyproject.toml, requirements.txt, go.mod, pom.xml or \
             build.gradle found: using generic `make lint` / `make coverage` (edit them, or pass --language).",
        ),
    }

    let mut files = Vec::with_capacity(planned.len());
    for (rel, text) in planned {
        let action = write_one(root, &rel, &text, args.force)?;
        let line = match action {
            FileAction::Created => format!("  created      {rel}"),
            FileAction::Overwritten => format!("  overwritten  {rel}"),
            FileAction::Unchanged => format!("  unchanged    {rel}"),
            FileAction::Skipped => {
                format!("  skipped      {rel} (exists and differs; --force replaces it)")
            }
        };
        session.say(&line);
        files.push(FileReport { path: rel, action });
    }
    let skipped: Vec<&str> = files
        .iter()
        .filter(|f| f.action == FileAction::Skipped)
        .map(|f| f.path.as_str())
        .collect();
    if !skipped.is_empty() {
        session.say(&format!(
            "Skipped {} existing file(s) that differ: {}. Re-run with --force to replace them.",
            skipped.len(),
            skipped.join(", ")
        ));
    }
    session.say(&next_steps(&templates, root));

    let outcome = Outcome::new(
        "init",
        Verdict::Pass,
        InitDetails {
            language,
            detected_from,
            files,
        },
    );
    if let Some(target) = &args.json {
        super::write_json(target, &outcome, session)?;
    }
    Ok(outcome.exit_code)
}

/// Writes one file unless it exists with other content and `force` is off.
fn write_one(root: &Path, rel: &str, text: &str, force: bool) -> Result<FileAction, Error> {
    let path = root.join(rel);
    let action = match std::fs::read(&path) {
        Ok(current) if current == text.as_bytes() => return Ok(FileAction::Unchanged),
        Ok(_) if !force => return Ok(FileAction::Skipped),
        Ok(_) => FileAction::Overwritten,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileAction::Created,
        Err(e) => {
            return Err(Error::Usage(format!(
                "init: cannot read `{}`: {e}; check its permissions",
                path.display()
            )));
        }
    };
    crate::render::json::write_atomic(&path, text.as_bytes())?;
    Ok(action)
}

/// What the user sets up in GitHub after the files are committed.
fn next_steps(templates: &[Template], root: &Path) -> String {
    let has = |t: Template| templates.contains(&t);
    let mut steps = vec!["Commit the files, then in the repository settings:".to_owned()];
    if has(Template::DeployStaging) {
        steps.push(
            "  - Environment `staging`: secrets SLACK_WEBHOOK_URL and DEPLOY_TOKEN.".to_owned(),
        );
    }
    if has(Template::DeployProduction) || has(Template::Rollback) {
        steps.push(
            "  - Environment `production`: add required reviewers, allow only the main branch, \
             secrets SLACK_WEBHOOK_URL and DEPLOY_TOKEN."
                .to_owned(),
        );
    }
    if has(Template::Monitoring) {
        steps.push(
            "  - Environment `monitoring` (no reviewers, so the schedule never waits): secret \
             ALERT_WEBHOOK_URL. Describe the health checks in .github/decoder-ops.yml."
                .to_owned(),
        );
    }
    if has(Template::Validate) || has(Template::Test) {
        steps.push(
            "  - Branch protection on main: require the `validate` and `test` checks.".to_owned(),
        );
    }
    let deploy = templates.iter().any(|t| t.deploys());
    for (script, flag) in [
        ("scripts/deploy.sh", "--slot SLOT"),
        ("scripts/switch-traffic.sh", "--to SLOT"),
    ] {
        if deploy && !root.join(script).is_file() {
            steps.push(format!(
                "  - Write {script}, called as `{script} {flag}` (see decoder-ops' docs/deployment-strategy.md)."
            ));
        }
    }
    steps.push(
        "  - Pin the action by commit SHA: decoder-ops init --force --action-ref <sha>.".to_owned(),
    );
    steps.push("Then: decoder-ops config check --no-env".to_owned());
    steps.join("\n")
}
