//! `decoder-ops init`: writes the chosen workflow templates, a starter configuration and
//! `RUNBOOK.md` into a repository, for the language it detects, and lists what the team must
//! still fill in.
//!
//! Safe to run again: a file that already has the exact content is left alone, a file that
//! differs is skipped (and named) unless `--force` — `RUNBOOK.md` is never replaced, it is the
//! team's to edit — and every write is atomic.

use std::path::Path;

use serde::Serialize;

use super::Session;
use crate::cli::InitArgs;
use crate::error::{Error, ExitCode};
use crate::outcome::{Outcome, Verdict};
use crate::scaffold::{self, ActionPin, Language, Profile, RepoFiles, Template};

const CONFIG_PATH: &str = ".github/decoder-ops.yml";
const RUNBOOK_PATH: &str = "RUNBOOK.md";

#[derive(Debug, Serialize)]
struct InitDetails {
    language: Language,
    detected_from: Option<&'static str>,
    /// What follows `uses: decoder-ops/decoder-ops@`, and whether it is a commit SHA.
    action_ref: String,
    action_pinned: bool,
    files: Vec<FileReport>,
    /// What the team must still fill in.
    fill_in: Vec<String>,
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
    check_args(&args)?;
    let repo = read_repo(root);
    let (language, detected_from) = match args.language {
        Some(l) => (l, None),
        None => Language::detect(|f| repo.has(f)),
    };
    let mut profile = language.profile(&repo);
    profile.detected_from = detected_from;
    let templates = chosen_templates(&args);
    let pin = ActionPin::choose(args.action_ref.as_deref(), scaffold::RELEASE_COMMIT);

    say_language(session, &args, language, detected_from);
    let files = write_all(root, &plan(&templates, &profile, &pin), args.force, session)?;
    let fill_in = scaffold::fill_in(&profile, &templates, &pin, |f| root.join(f).is_file());
    say_fill_in(session, &fill_in);

    let outcome = Outcome::new(
        "init",
        Verdict::Pass,
        InitDetails {
            language,
            detected_from,
            action_ref: pin.reference.clone(),
            action_pinned: pin.pinned,
            files,
            fill_in,
        },
    );
    if let Some(target) = &args.json {
        super::write_json(target, &outcome, session)?;
    }
    Ok(outcome.exit_code)
}

fn check_args(args: &InitArgs) -> Result<(), Error> {
    if !args.dir.is_dir() {
        return Err(Error::Usage(format!(
            "init: `{}` is not a directory; pass the repository root with --dir",
            args.dir.display()
        )));
    }
    match &args.action_ref {
        Some(r) if !scaffold::valid_action_ref(r) => Err(Error::Usage(format!(
            "init: --ref `{r}` is not a tag, branch or commit SHA (letters, digits, `.`, `-`, `_`, `/`)"
        ))),
        _ => Ok(()),
    }
}

/// The repository's paths two levels deep and its `package.json`: what detection and the
/// language profiles look at. Unreadable directories count as empty.
fn read_repo(root: &Path) -> RepoFiles {
    let mut repo = RepoFiles::default();
    let list = |dir: &Path| -> Vec<(String, bool)> {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| {
                let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                (e.file_name().to_string_lossy().into_owned(), is_dir)
            })
            .collect()
    };
    for (name, is_dir) in list(root) {
        if !is_dir {
            repo.paths.insert(name);
            continue;
        }
        repo.paths.insert(format!("{name}/"));
        for (inner, inner_dir) in list(&root.join(&name)) {
            let slash = if inner_dir { "/" } else { "" };
            repo.paths.insert(format!("{name}/{inner}{slash}"));
        }
    }
    repo.package_json = std::fs::read_to_string(root.join("package.json")).ok();
    repo
}

fn chosen_templates(args: &InitArgs) -> Vec<Template> {
    let mut templates = if args.templates.is_empty() {
        Template::ALL.to_vec()
    } else {
        args.templates.clone()
    };
    templates.sort();
    templates.dedup();
    templates
}

/// Every file to write, relative to the root, with its text.
fn plan(templates: &[Template], profile: &Profile, pin: &ActionPin) -> Vec<(String, String)> {
    let mut planned: Vec<(String, String)> = templates
        .iter()
        .map(|t| (t.path(), scaffold::render(*t, profile, pin)))
        .collect();
    planned.push((CONFIG_PATH.to_owned(), scaffold::starter_config(profile)));
    planned.push((
        RUNBOOK_PATH.to_owned(),
        scaffold::runbook(profile, templates),
    ));
    planned
}

fn say_language(
    session: &mut Session,
    args: &InitArgs,
    language: Language,
    detected_from: Option<&str>,
) {
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
}

/// Writes the planned files, saying what happened to each.
fn write_all(
    root: &Path,
    planned: &[(String, String)],
    force: bool,
    session: &mut Session,
) -> Result<Vec<FileReport>, Error> {
    let mut files = Vec::with_capacity(planned.len());
    for (rel, text) in planned {
        // The runbook is the team's once written: never replaced, not even with --force.
        let action = write_one(root, rel, text, force && rel != RUNBOOK_PATH)?;
        let line = match action {
            FileAction::Created => format!("  created      {rel}"),
            FileAction::Overwritten => format!("  overwritten  {rel}"),
            FileAction::Unchanged => format!("  unchanged    {rel}"),
            FileAction::Skipped if rel == RUNBOOK_PATH => {
                format!("  kept         {rel} (exists; init never replaces it)")
            }
            FileAction::Skipped => {
                format!("  skipped      {rel} (exists and differs; --force replaces it)")
            }
        };
        session.say(&line);
        files.push(FileReport {
            path: rel.clone(),
            action,
        });
    }
    let skipped: Vec<&str> = files
        .iter()
        .filter(|f| f.action == FileAction::Skipped && f.path != RUNBOOK_PATH)
        .map(|f| f.path.as_str())
        .collect();
    if !skipped.is_empty() {
        session.say(&format!(
            "Skipped {} existing file(s) that differ: {}. Re-run with --force to replace them.",
            skipped.len(),
            skipped.join(", ")
        ));
    }
    Ok(files)
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

/// The list of what to fill in, last in the output so it is what the team reads.
fn say_fill_in(session: &mut Session, fill_in: &[String]) {
    session.say("Commit the files, then fill in:");
    for item in fill_in {
        session.say(&format!("  - {item}"));
    }
    session.say("Then: decoder-ops config check (it names every variable still unset).");
}
