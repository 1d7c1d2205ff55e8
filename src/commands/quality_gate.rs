//! `decoder-ops quality-gate`: reports + policy → one promote/block decision with its reasons.
//!
//! Reads every input (format detected from content), evaluates each gate of the policy
//! (`quality-gate.gates` in the config, else the default policy), and renders the decision to
//! the terminal, the job summary, annotations for failing tests, outputs and `--json`.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Session;
use crate::cli::QualityGateArgs;
use crate::config::{self, gates::GateCheck};
use crate::error::{Error, ExitCode};
use crate::gate::policy::{self, Evidence, GateReport, QualityCounts, SecurityFinding};
use crate::gate::score::{Readiness, decide};
use crate::github::api::StatusState;
use crate::github::runtime::Annotation;
use crate::outcome::{Outcome, Verdict};
use crate::render::quality_gate::{shown_mark, summary_markdown};
use crate::report::junit::{self, JunitReport, TestSummary};
use crate::report::severity::Severity;
use crate::report::{audit, coverage, dotnet, k6, sarif};

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
struct InputRecord {
    path: String,
    format: &'static str,
    /// So `--replay` can tell the very same file from a changed one.
    sha256: String,
    /// The parsed counts: tests, findings, vulnerabilities or response times.
    summary: serde_json::Value,
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
    let config = config::load(session.config_path.as_deref())?;
    let qg = &config.quality_gate;
    let config_sha256 = config.path.as_deref().map(sha256_file).transpose()?;
    let recorded = args.replay.as_deref().map(Recorded::read).transpose()?;
    let (now, purpose, paths) = match &recorded {
        Some(r) => {
            if r.config_sha256 != config_sha256 {
                return Err(Error::Usage(format!(
                    "replay of `{}`: the policy changed since (config {} then, {} now); replay with the config the decision was made under",
                    r.file,
                    r.config_sha256.as_deref().unwrap_or("absent"),
                    config_sha256.as_deref().unwrap_or("absent")
                )));
            }
            for (path, sha) in &r.inputs {
                let now_sha = sha256_file(path)?;
                if &now_sha != sha {
                    return Err(Error::Usage(format!(
                        "replay of `{}`: input `{}` is not the file the decision was made on (sha256 {sha} then, {now_sha} now); refusing to re-derive it",
                        r.file,
                        path.display()
                    )));
                }
            }
            (
                r.evaluated_at,
                r.purpose,
                r.inputs.iter().map(|(p, _)| p.clone()).collect(),
            )
        }
        None => {
            let now = match &args.now {
                Some(t) => t.parse::<jiff::Timestamp>().map_err(|e| {
                    Error::Usage(format!("--now `{t}`: {e}; expected an RFC 3339 instant such as 2026-11-23T09:30:00Z"))
                })?,
                None => jiff::Timestamp::now(),
            };
            let mut paths: Vec<PathBuf> = args.inputs.clone();
            paths.extend(qg.inputs.iter().map(PathBuf::from));
            (now, args.purpose, paths)
        }
    };

    let mut evidence = Evidence::default();
    let mut inputs = Vec::new();
    let mut failing = Vec::new();
    let mut coverage_reports = Vec::new();
    for path in &paths {
        // The fingerprint is read on a second thread while the input is parsed on this one (a
        // 50 MB input: the hash no longer adds to the wall time).
        let fingerprint = {
            let path = path.clone();
            std::thread::spawn(move || sha256_file(&path))
        };
        let (format, summary) = match read_input(path)? {
            Input::Junit(report, format) => {
                evidence.junit_reports += 1;
                evidence
                    .tests
                    .get_or_insert_with(TestSummary::default)
                    .add(&report.summary);
                let summary = serde_json::to_value(report.summary).unwrap_or_default();
                failing.extend(report.cases.into_iter().filter(|c| {
                    matches!(
                        c.outcome,
                        junit::CaseOutcome::Failed | junit::CaseOutcome::Error
                    )
                }));
                (format, summary)
            }
            Input::Sarif(report) => {
                let summary = serde_json::to_value(report.summary).unwrap_or_default();
                let vulns = evidence.vulnerabilities.get_or_insert_with(Vec::new);
                let quality = evidence.quality.get_or_insert_with(QualityCounts::default);
                // Consumed, not cloned: a 50 MB log holds its findings once.
                for f in report.findings.into_iter().filter(|f| !f.suppressed) {
                    if let Some(severity) = security_severity(&f) {
                        let id = f.rule_id.unwrap_or(f.tool.name);
                        vulns.push(SecurityFinding {
                            id,
                            aliases: Vec::new(),
                            severity,
                            title: f.message,
                        });
                    } else {
                        match f.level {
                            sarif::Level::Error => quality.error += 1,
                            sarif::Level::Warning => quality.warning += 1,
                            sarif::Level::Note => quality.note += 1,
                            sarif::Level::None => {}
                        }
                    }
                }
                ("sarif", summary)
            }
            Input::Audit(report) => {
                let vulns = evidence.vulnerabilities.get_or_insert_with(Vec::new);
                vulns.extend(report.vulnerabilities.iter().map(|v| SecurityFinding {
                    id: v.id.clone(),
                    aliases: v.aliases.clone(),
                    severity: v.severity,
                    title: format!("{}: {}", v.package, v.title),
                }));
                evidence.unaudited += report.unaudited.len() as u64;
                (
                    "audit",
                    serde_json::to_value(report.summary).unwrap_or_default(),
                )
            }
            Input::K6(summary) => {
                if let Some(p95) = summary.p95_ms() {
                    evidence.p95_ms = Some(evidence.p95_ms.map_or(p95, |m: f64| m.max(p95)));
                }
                let value = serde_json::json!({"p95_ms": summary.p95_ms(), "failed_thresholds": summary.failed_thresholds().count()});
                ("k6", value)
            }
            Input::Smoke(p95) => {
                if let Some(p95) = p95 {
                    evidence.p95_ms = Some(evidence.p95_ms.map_or(p95, |m: f64| m.max(p95)));
                }
                ("smoke", serde_json::json!({"p95_ms": p95}))
            }
            Input::Coverage(report) => {
                let summary =
                    serde_json::json!({"format": report.source.format, "totals": report.totals});
                coverage_reports.push(report);
                ("coverage", summary)
            }
        };
        inputs.push(InputRecord {
            path: path.display().to_string(),
            format,
            sha256: fingerprint.join().map_err(|_| {
                Error::Usage(format!("input `{}`: hashing it failed", path.display()))
            })??,
            summary,
        });
    }
    if !coverage_reports.is_empty() {
        // The coverage-check engine: merged by file and line, lines (statements for Go).
        let merged = coverage::merge(coverage_reports)?;
        evidence.coverage = match (merged.totals.lines, merged.totals.statements) {
            (Some(c), _) => Some(("lines", c)),
            (None, Some(c)) => Some(("statements", c)),
            (None, None) => Some(("lines", coverage::Counter::default())),
        };
    }
    let specs = qg
        .gates
        .clone()
        .unwrap_or_else(|| policy::default_gates(&evidence));
    for spec in &specs {
        if let GateCheck::JsonNumber { file, .. } = &spec.check {
            evidence
                .json_files
                .entry(file.clone())
                .or_insert_with(|| read_json(Path::new(file)));
        }
    }
    let reports = policy::evaluate(
        &specs,
        &evidence,
        qg.expect.get("junit").copied(),
        now,
        purpose,
    );
    let readiness = decide(
        &reports
            .iter()
            .map(GateReport::as_result)
            .collect::<Vec<_>>(),
    );

    print_table(&reports, &readiness, session);
    // GitHub shows 10 error annotations per step; the terminal gets the same few, and the
    // JSON result lists up to FAILING_LISTED.
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
    let markdown = summary_markdown(&reports, &readiness);
    session.runtime.append_summary(&markdown)?;
    if !args.no_comment
        && let Some(line) = super::pr_comment::upsert(session, "quality-gate", &markdown)
    {
        session.say(&line);
    }
    session
        .runtime
        .set_output("verdict", readiness.verdict.as_str())?;
    session.runtime.set_output(
        "score",
        &readiness.score.map(|s| s.to_string()).unwrap_or_default(),
    )?;
    session
        .runtime
        .set_output("exit-code", &readiness.verdict.exit_code().to_string())?;
    if let Some(json) = &args.json {
        session
            .runtime
            .set_output("result", &json.display().to_string())?;
    }

    let details = Details {
        config: config.path.as_ref().map(|p| p.display().to_string()),
        config_sha256,
        replay_of: recorded.as_ref().map(|r| r.file.clone()),
        purpose,
        evaluated_at: now.to_string(),
        score: readiness.score,
        band: readiness.band.map(|b| b.label()),
        reason: readiness.reason.clone(),
        inputs,
        gates: reports,
        failing_total: failing.len(),
        failing_tests: failing
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
        if let Some(line) = super::pr_comment::commit_status(
            session,
            "decoder-ops/quality-gate",
            state,
            &description,
        ) {
            session.say(&line);
        }
    }
    let mut outcome = Outcome::new("quality-gate", readiness.verdict, details);
    if let Some(r) = &recorded {
        let now_outcomes: Vec<(String, String)> = outcome
            .details
            .gates
            .iter()
            .map(|g| (g.id.clone(), format!("{:?}", g.outcome).to_lowercase()))
            .collect();
        if r.verdict == readiness.verdict.as_str() && r.gates == now_outcomes {
            session.say(&format!(
                "replay: the same decision ({}) re-derived from the recorded inputs",
                r.verdict
            ));
        } else {
            session.say(&format!(
                "replay: a DIFFERENT decision: recorded {} with {:?}, re-derived {} with {:?}",
                r.verdict, r.gates, readiness.verdict, now_outcomes
            ));
            outcome.exit_code = ExitCode::Failed;
        }
    }
    if let Some(target) = &args.json {
        super::write_json(target, &outcome, session)?;
    }
    Ok(outcome.exit_code)
}

/// What a recorded result says, for `--replay`.
struct Recorded {
    file: String,
    verdict: String,
    evaluated_at: jiff::Timestamp,
    purpose: policy::Purpose,
    config_sha256: Option<String>,
    inputs: Vec<(PathBuf, String)>,
    gates: Vec<(String, String)>,
}

impl Recorded {
    fn read(path: &Path) -> Result<Recorded, Error> {
        let file = path.display().to_string();
        let bad = |what: &str| {
            Error::Usage(format!(
                "replay `{file}`: {what}; expected a `quality-gate --json` result"
            ))
        };
        let bytes = std::fs::read(path).map_err(|e| bad(&format!("cannot read it: {e}")))?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            bad(&format!(
                "line {}, column {}: invalid JSON: {e}",
                e.line(),
                e.column()
            ))
        })?;
        if v["schema"] != "decoder-ops/quality-gate/v1" {
            return Err(bad(&format!("schema is {}", v["schema"])));
        }
        let text = |key: &str| {
            v[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("no `{key}`")))
        };
        let purpose = match v["purpose"].as_str() {
            Some("rollback") => policy::Purpose::Rollback,
            _ => policy::Purpose::Deploy,
        };
        let inputs = v["inputs"]
            .as_array()
            .ok_or_else(|| bad("no `inputs`"))?
            .iter()
            .map(|i| match (i["path"].as_str(), i["sha256"].as_str()) {
                (Some(p), Some(h)) => Ok((PathBuf::from(p), h.to_owned())),
                _ => Err(bad("an input without `path` and `sha256`")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let gates = v["gates"]
            .as_array()
            .ok_or_else(|| bad("no `gates`"))?
            .iter()
            .map(|g| {
                (
                    g["id"].as_str().unwrap_or("").to_owned(),
                    g["outcome"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        Ok(Recorded {
            verdict: text("verdict")?,
            evaluated_at: text("evaluated_at")?
                .parse()
                .map_err(|_| bad("`evaluated_at` is not an instant"))?,
            purpose,
            config_sha256: v["config_sha256"].as_str().map(str::to_owned),
            inputs,
            gates,
            file,
        })
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

/// SARIF producers whose every finding is a security finding, even without a
/// `security-severity` on the rule.
const SECURITY_TOOLS: &[&str] = &[
    "zizmor", "bandit", "trivy", "gosec", "semgrep", "brakeman", "checkov", "tfsec", "grype",
    "snyk",
];

/// The severity of a SARIF finding if it is a security finding: the rule's `security-severity`
/// when it has one; otherwise, for a security scanner, its level (error → high, warning →
/// medium, note → low — the scale zizmor and bandit print). `None`: a code-quality finding.
fn security_severity(f: &sarif::Finding) -> Option<Severity> {
    if f.severity != Severity::None {
        return Some(f.severity);
    }
    let tool = f.tool.name.to_ascii_lowercase();
    if !SECURITY_TOOLS.iter().any(|t| tool.contains(t)) {
        return None;
    }
    Some(match f.level {
        sarif::Level::Error => Severity::High,
        sarif::Level::Warning => Severity::Medium,
        sarif::Level::Note | sarif::Level::None => Severity::Low,
    })
}

/// A parsed input.
enum Input {
    /// JUnit XML, or NUnit 3 / xUnit.net v2 / TRX counted the same way; with its format name.
    Junit(JunitReport, &'static str),
    Sarif(sarif::SarifReport),
    Audit(audit::AuditReport),
    K6(k6::K6Summary),
    Coverage(coverage::CoverageReport),
    /// A `smoke --json` result: its p95 response time in ms.
    Smoke(Option<f64>),
}

/// Reads one input, detecting its format from the first bytes.
fn read_input(path: &Path) -> Result<Input, Error> {
    let shown = path.display().to_string();
    let mut head = vec![0u8; 16 * 1024];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| Error::Usage(format!("input `{shown}`: cannot read it: {e}")))?;
    head.truncate(n);
    let text = String::from_utf8_lossy(&head);
    if text.trim_start().starts_with('{') && text.contains("\"decoder-ops/smoke/v1\"") {
        let v = read_json(path).map_err(Error::Usage)?;
        return Ok(Input::Smoke(
            v.pointer("/stats/p95_ms")
                .and_then(serde_json::Value::as_f64),
        ));
    }
    if let Some(format) = dotnet::detect(&head) {
        return Ok(Input::Junit(
            dotnet::parse_file(path, format)?,
            format.as_str(),
        ));
    }
    if text.contains("<testsuite") {
        return Ok(Input::Junit(junit::parse_file(path)?, "junit"));
    }
    if sarif::detect(&head) {
        return Ok(Input::Sarif(sarif::parse_file(path)?));
    }
    if audit::detect(&head).is_some() {
        return Ok(Input::Audit(audit::parse_file(path)?));
    }
    if k6::detect(&head) {
        return Ok(Input::K6(k6::parse_file(path)?));
    }
    match coverage::identify(&head) {
        Some(coverage::Detected::Coverage(_)) => {
            Ok(Input::Coverage(coverage::parse_file(path, None)?))
        }
        Some(coverage::Detected::Unsupported { what, hint }) => Err(Error::Usage(format!(
            "input `{shown}`: {what} is not supported; {hint}"
        ))),
        None => Err(Error::Usage(format!(
            "input `{shown}`: not a format quality-gate reads ({}); expected JUnit XML, NUnit 3, \
             xUnit.net v2 or TRX test results, SARIF 2.1.0, npm audit / cargo audit / pip-audit / \
             Trivy JSON, a k6 summary, a coverage report ({}) or a `smoke --json` result",
            coverage::describe(&head),
            coverage::Format::names()
        ))),
    }
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

fn print_table(reports: &[GateReport], readiness: &Readiness, session: &mut Session) {
    for r in reports {
        session.say(&format!(
            "{} {:<16} {:<40} {}",
            shown_mark(r),
            r.id,
            r.actual,
            r.reason
        ));
    }
    let score = readiness
        .score
        .map(|s| format!(" · readiness {s}/100"))
        .unwrap_or_default();
    session.say(&format!(
        "quality gate: {}{score} — {}",
        readiness.verdict, readiness.reason
    ));
}
