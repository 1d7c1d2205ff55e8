//! `decoder-ops quality-gate`: reports + policy → one promote/block decision with its reasons.
//!
//! Reads every input (format detected from content), evaluates each gate of the policy
//! (`quality-gate.gates` in the config, else the default policy), and renders the decision to
//! the terminal, the job summary, annotations for failing tests, outputs and `--json`.
//! Inputs are read once each ([`inputs`]); `--replay` re-derives a recorded decision
//! ([`replay`]); [`show`] renders for people.

mod inputs;
mod replay;
mod show;

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Session;
use crate::cli::QualityGateArgs;
use crate::config::{self, gates::GateCheck};
use crate::error::{Error, ExitCode};
use crate::gate::policy::{self, GateReport};
use crate::gate::score::{Readiness, decide};
use crate::github::api::StatusState;
use crate::github::runtime::Annotation;
use crate::outcome::{Outcome, Verdict};
use crate::report::coverage;
use crate::report::junit::{self, TestCase};
use inputs::{Gathered, InputRecord};
use replay::Recorded;

/// Failing tests annotated (GitHub shows ten per level) and listed in the JSON result.
const ANNOTATED_FAILURES: usize = 10;
const FAILING_LISTED: usize = 100;

#[derive(Debug, Serialize)]
struct FailingTest {
    suite: String,
    name: String,
    outcome: junit::CaseOutcome,
    message: Option<String>,
    file: Option<String>,
    line: Option<u32>,
}

#[derive(Debug, Serialize)]
struct Details {
    /// The config file and its hash: a replay refuses to judge under a changed policy.
    config: Option<String>,
    config_sha256: Option<String>,
    /// Set on a replay: the result file re-derived.
    #[serde(skip_serializing_if = "Option::is_none")]
    replay_of: Option<String>,
    purpose: policy::Purpose,
    evaluated_at: String,
    score: Option<u32>,
    band: Option<&'static str>,
    reason: String,
    inputs: Vec<InputRecord>,
    gates: Vec<GateReport>,
    /// The first failing tests (at most 100) and how many there were in all.
    failing_tests: Vec<FailingTest>,
    failing_total: usize,
}

pub fn run(args: QualityGateArgs, session: &mut Session) -> Result<ExitCode, Error> {
    let recorded = args.replay.as_deref().map(Recorded::read).transpose()?;
    // A replay is judged under the config it recorded, unless --config names another.
    let config_path = session
        .config_path
        .clone()
        .or_else(|| recorded.as_ref().and_then(|r| r.config.clone()));
    let config = config::load(config_path.as_deref())?;
    let config_sha256 = config.path.as_deref().map(sha256_file).transpose()?;
    if let Some(r) = &recorded {
        replay::check_config(r, config_sha256.as_deref())?;
    }
    let (now, purpose, paths) = plan(&args, &config, recorded.as_ref())?;
    let mut gathered = Gathered::default();
    for path in &paths {
        gathered.read(path)?;
        if let (Some(r), Some(input)) = (&recorded, gathered.inputs.last()) {
            replay::check_input(r, path, &input.sha256)?;
        }
    }
    let reports = judge(&config, &mut gathered, now, purpose)?;
    let readiness = decide(
        &reports
            .iter()
            .map(GateReport::as_result)
            .collect::<Vec<_>>(),
    );
    tell(&args, session, &reports, &readiness, &gathered)?;
    let details = Details {
        config: config.path.as_ref().map(|p| p.display().to_string()),
        config_sha256,
        replay_of: recorded.as_ref().map(|r| r.file.clone()),
        purpose,
        evaluated_at: now.to_string(),
        score: readiness.score,
        band: readiness.band.map(|b| b.label()),
        reason: readiness.reason.clone(),
        inputs: gathered.inputs,
        gates: reports,
        failing_total: gathered.failing.len(),
        failing_tests: gathered
            .failing
            .into_iter()
            .take(FAILING_LISTED)
            .map(|c| FailingTest {
                suite: c.suite,
                name: c.name,
                outcome: c.outcome,
                message: c.message,
                file: c.file,
                line: c.line,
            })
            .collect(),
    };
    if !args.no_comment {
        post_status(session, &readiness);
    }
    let mut outcome = Outcome::new("quality-gate", readiness.verdict, details);
    if let Some(r) = &recorded {
        compare_with_record(r, &mut outcome, session);
    }
    if let Some(target) = &args.json {
        super::write_json(target, &outcome, session)?;
    }
    Ok(outcome.exit_code)
}

/// The instant, purpose and inputs to judge: the recorded ones on a replay, else the
/// command line's and the config's.
fn plan(
    args: &QualityGateArgs,
    config: &config::Config,
    recorded: Option<&Recorded>,
) -> Result<(jiff::Timestamp, policy::Purpose, Vec<PathBuf>), Error> {
    if let Some(r) = recorded {
        let paths = r.inputs.iter().map(|(p, _)| p.clone()).collect();
        return Ok((r.evaluated_at, r.purpose, paths));
    }
    let now = match &args.now {
        Some(t) => t.parse::<jiff::Timestamp>().map_err(|e| {
            Error::Usage(format!(
                "--now `{t}`: {e}; expected an RFC 3339 instant such as 2026-11-23T09:30:00Z"
            ))
        })?,
        None => jiff::Timestamp::now(),
    };
    let mut paths: Vec<PathBuf> = args.inputs.clone();
    paths.extend(config.quality_gate.inputs.iter().map(PathBuf::from));
    Ok((now, args.purpose, paths))
}

/// Merges the coverage, reads the JSON files the gates name and evaluates every gate.
fn judge(
    config: &config::Config,
    gathered: &mut Gathered,
    now: jiff::Timestamp,
    purpose: policy::Purpose,
) -> Result<Vec<GateReport>, Error> {
    let qg = &config.quality_gate;
    let evidence = &mut gathered.evidence;
    if !gathered.coverage.is_empty() {
        // The coverage-check engine: merged by file and line, lines (statements for Go).
        let merged = coverage::merge(std::mem::take(&mut gathered.coverage))?;
        evidence.coverage = match (merged.totals.lines, merged.totals.statements) {
            (Some(c), _) => Some(("lines", c)),
            (None, Some(c)) => Some(("statements", c)),
            (None, None) => Some(("lines", coverage::Counter::default())),
        };
    }
    let specs = qg
        .gates
        .clone()
        .unwrap_or_else(|| policy::default_gates(evidence));
    for spec in &specs {
        if let GateCheck::JsonNumber { file, .. } = &spec.check {
            evidence
                .json_files
                .entry(file.clone())
                .or_insert_with(|| read_json(Path::new(file)));
        }
    }
    Ok(policy::evaluate(
        &specs,
        evidence,
        qg.expect.get("junit").copied(),
        now,
        purpose,
    ))
}

/// The decision for people and for the workflow: terminal, annotations on failing tests,
/// the job summary and sticky comment, step outputs.
fn tell(
    args: &QualityGateArgs,
    session: &mut Session,
    reports: &[GateReport],
    readiness: &Readiness,
    gathered: &Gathered,
) -> Result<(), Error> {
    show::print_table(reports, readiness, session);
    if let Some(line) = show::flaky_line(&gathered.flaky) {
        session.say(&line);
    }
    annotate_failures(session, &gathered.failing)?;
    let markdown = show::summary_markdown(reports, readiness, &gathered.flaky);
    session.runtime.append_summary(&markdown)?;
    if !args.no_comment
        && let Some(line) = super::pr_comment::upsert(session, "quality-gate", &markdown)
    {
        session.say(&line);
    }
    let rt = &mut session.runtime;
    rt.set_output("verdict", readiness.verdict.as_str())?;
    rt.set_output(
        "score",
        &readiness.score.map(|s| s.to_string()).unwrap_or_default(),
    )?;
    rt.set_output("exit-code", &readiness.verdict.exit_code().to_string())?;
    if let Some(json) = &args.json {
        rt.set_output("result", &json.display().to_string())?;
    }
    Ok(())
}

/// GitHub shows 10 error annotations per step; the terminal gets the same few, and the JSON
/// result lists up to FAILING_LISTED.
fn annotate_failures(session: &mut Session, failing: &[TestCase]) -> Result<(), Error> {
    for case in failing.iter().take(ANNOTATED_FAILURES) {
        let mut a = Annotation::error(case.message.clone().unwrap_or_else(|| "failed".into()))
            .title(format!("test failed: {}", case.name));
        if let Some(file) = &case.file {
            a = a.file(file.clone());
            if let Some(line) = case.line {
                a = a.line(line);
            }
        }
        session.runtime.annotate(a)?;
    }
    if failing.len() > ANNOTATED_FAILURES {
        session.say(&format!(
            "… and {} more failing tests (listed in the --json result)",
            failing.len() - ANNOTATED_FAILURES
        ));
    }
    Ok(())
}

/// The commit status `decoder-ops/quality-gate`, with the verdict and reason.
fn post_status(session: &mut Session, readiness: &Readiness) {
    let state = match readiness.verdict {
        Verdict::Pass | Verdict::Warn => StatusState::Success,
        Verdict::Fail => StatusState::Failure,
        Verdict::Inconclusive | Verdict::Error => StatusState::Error,
    };
    let score = readiness
        .score
        .map(|s| format!(" · readiness {s}/100"))
        .unwrap_or_default();
    let description = format!("{}{score}: {}", readiness.verdict, readiness.reason);
    if let Some(line) =
        super::pr_comment::commit_status(session, "decoder-ops/quality-gate", state, &description)
    {
        session.say(&line);
    }
}

/// On a replay: the same decision keeps its exit code, a different one exits 1.
fn compare_with_record(r: &Recorded, outcome: &mut Outcome<Details>, session: &mut Session) {
    let now_outcomes: Vec<(String, String)> = outcome
        .details
        .gates
        .iter()
        .map(|g| (g.id.clone(), format!("{:?}", g.outcome).to_lowercase()))
        .collect();
    if r.verdict == outcome.verdict.as_str() && r.gates == now_outcomes {
        session.say(&format!(
            "replay: the same decision ({}) re-derived from the recorded inputs",
            r.verdict
        ));
    } else {
        session.say(&format!(
            "replay: a DIFFERENT decision: recorded {} with {:?}, re-derived {} with {:?}",
            r.verdict, r.gates, outcome.verdict, now_outcomes
        ));
        outcome.exit_code = ExitCode::Failed;
    }
}

/// The SHA-256 of a file, hex, read in chunks.
fn sha256_file(path: &Path) -> Result<String, Error> {
    use sha2::Digest;
    let shown = path.display().to_string();
    let mut file = std::fs::File::open(path)
        .map_err(|e| Error::Usage(format!("input `{shown}`: cannot read it: {e}")))?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher)
        .map_err(|e| Error::Usage(format!("input `{shown}`: cannot read it: {e}")))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "`{shown}`: line {}, column {}: invalid JSON: {e}",
            e.line(),
            e.column()
        )
    })
}
