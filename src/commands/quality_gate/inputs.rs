//! `quality-gate`'s inputs: each opened once (a file, `-` for stdin, a pipe or a FIFO), its
//! format recognized from the first bytes, parsed while its SHA-256 is computed from the very
//! bytes the parser reads, and its content turned into gate evidence.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::gate::policy::{Evidence, K6Thresholds, QualityCounts, SecurityFinding, SmokeRun};
use crate::report::audit::{self, AuditReport, Notice};
use crate::report::junit::{self, JunitReport, TestCase, TestSummary};
use crate::report::severity::Severity;
use crate::report::{coverage, dotnet, k6, sarif};

/// How much of an input is read before its format is decided (the audit formats need this
/// much; the others less).
const HEAD: usize = audit::DETECT_HEAD;

/// What every input contributed, gathered in the order given.
#[derive(Default)]
pub(super) struct Gathered {
    pub evidence: Evidence,
    pub inputs: Vec<InputRecord>,
    /// Failed and errored tests, every report's, in order.
    pub failing: Vec<TestCase>,
    /// Tests that passed only after failing.
    pub flaky: Vec<TestCase>,
    pub coverage: Vec<coverage::CoverageReport>,
}

#[derive(Debug, Serialize)]
pub(super) struct InputRecord {
    pub path: String,
    pub format: &'static str,
    /// So `--replay` can tell the very same input from a changed one.
    pub sha256: String,
    /// The parsed counts: tests, findings, vulnerabilities or response times.
    pub summary: serde_json::Value,
}

impl Gathered {
    /// Reads one input and adds what it says.
    pub fn read(&mut self, path: &Path) -> Result<(), Error> {
        let (input, sha256) = read_once(path)?;
        let (format, summary) = self.absorb(input);
        self.inputs.push(InputRecord {
            path: path.display().to_string(),
            format,
            sha256,
            summary,
        });
        Ok(())
    }

    fn absorb(&mut self, input: Input) -> (&'static str, serde_json::Value) {
        let e = &mut self.evidence;
        match input {
            Input::Junit(report, format) => {
                e.junit_reports += 1;
                e.tests
                    .get_or_insert_with(TestSummary::default)
                    .add(&report.summary);
                let summary = serde_json::to_value(report.summary).unwrap_or_default();
                for case in report.cases {
                    if case.outcome.is_failing() {
                        self.failing.push(case);
                    } else if case.flaky && case.outcome == junit::CaseOutcome::Passed {
                        self.flaky.push(case);
                    }
                }
                (format, summary)
            }
            Input::Sarif(report) => {
                let summary = serde_json::to_value(report.summary).unwrap_or_default();
                add_sarif(e, report);
                ("sarif", summary)
            }
            Input::Audit(report) => {
                let summary = serde_json::to_value(report.summary).unwrap_or_default();
                add_audit(e, report);
                ("audit", summary)
            }
            Input::K6(summary) => {
                add_p95(e, summary.p95_ms());
                let crossed: Vec<String> = summary
                    .failed_thresholds()
                    .map(|t| format!("{} {}", t.metric, t.expression))
                    .collect();
                let value = serde_json::json!({"p95_ms": summary.p95_ms(), "failed_thresholds": crossed.len()});
                let k6 = e.k6.get_or_insert_with(K6Thresholds::default);
                k6.total += summary.thresholds.len() as u64;
                k6.crossed.extend(crossed);
                ("k6", value)
            }
            Input::Smoke(run, p95) => {
                add_p95(e, p95);
                let value = serde_json::json!({"p95_ms": p95, "total": run.total, "not_passed": run.not_passed, "verdict": run.verdict});
                let all = e.smoke.get_or_insert_with(SmokeRun::default);
                all.total += run.total;
                all.not_passed += run.not_passed;
                if all.verdict.is_empty() || run.verdict != "pass" {
                    all.verdict = run.verdict;
                }
                ("smoke", value)
            }
            Input::Coverage(report) => {
                let summary =
                    serde_json::json!({"format": report.source.format, "totals": report.totals});
                self.coverage.push(report);
                ("coverage", summary)
            }
        }
    }
}

fn add_p95(e: &mut Evidence, p95: Option<f64>) {
    if let Some(p95) = p95 {
        e.p95_ms = Some(e.p95_ms.map_or(p95, |m: f64| m.max(p95)));
    }
}

fn add_sarif(e: &mut Evidence, report: sarif::SarifReport) {
    let vulns = e.vulnerabilities.get_or_insert_with(Vec::new);
    let quality = e.quality.get_or_insert_with(QualityCounts::default);
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
}

/// Vulnerabilities, and Trivy's secrets and misconfigurations, are security findings. A
/// committed secret counts as at least high whatever its rule's label (Trivy rates some
/// token rules low or medium): the default policy blocks on it until it is removed or
/// allowlisted by its rule id.
fn add_audit(e: &mut Evidence, report: AuditReport) {
    let vulns = e.vulnerabilities.get_or_insert_with(Vec::new);
    vulns.extend(report.vulnerabilities.iter().map(|v| SecurityFinding {
        id: v.id.clone(),
        aliases: v.aliases.clone(),
        severity: v.severity,
        title: format!("{}: {}", v.package, v.title),
    }));
    let notice = |n: &Notice, severity: Severity| SecurityFinding {
        id: n.id.clone().unwrap_or_else(|| n.kind.clone()),
        aliases: Vec::new(),
        severity,
        title: format!("{} in {}: {}", n.kind, n.subject, n.title),
    };
    vulns.extend(
        report
            .misconfigurations
            .iter()
            .map(|n| notice(n, n.severity)),
    );
    vulns.extend(report.secrets.iter().map(|n| {
        let severity = match n.severity {
            Severity::Critical => Severity::Critical,
            _ => Severity::High,
        };
        notice(n, severity)
    }));
    e.unaudited += report.unaudited.len() as u64;
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
    /// JUnit XML, or NUnit 3 / xUnit.net v2 / TRX counted by the same rules; with its format.
    Junit(JunitReport, &'static str),
    Sarif(sarif::SarifReport),
    Audit(AuditReport),
    K6(k6::K6Summary),
    Coverage(coverage::CoverageReport),
    /// A `smoke --json` result: its checks and its p95 response time in ms.
    Smoke(SmokeRun, Option<f64>),
}

/// Hashes every byte read through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

type Stream = BufReader<Hashing<std::io::Chain<std::io::Cursor<Vec<u8>>, Box<dyn Read + Send>>>>;

/// Reads `path` once (`-`: standard input): its parsed content and the SHA-256 of all its
/// bytes, including any the parser did not need.
fn read_once(path: &Path) -> Result<(Input, String), Error> {
    let shown = path.display().to_string();
    let cannot = |e: std::io::Error| Error::Usage(format!("input `{shown}`: cannot read it: {e}"));
    let mut source: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(cannot)?)
    };
    // A pipe hands over a few kilobytes per read: gather the head before deciding the format.
    let mut head = Vec::with_capacity(HEAD);
    (&mut source)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(cannot)?;
    let detected = Detected::of(&head);
    let mut stream: Stream = BufReader::with_capacity(
        64 * 1024,
        Hashing {
            inner: std::io::Cursor::new(head).chain(source),
            hasher: Sha256::new(),
        },
    );
    let input = parse(&shown, detected, &mut stream)?;
    // The rest (trailing whitespace after a JSON document) still belongs to the fingerprint.
    let mut hashing = stream.into_inner();
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(cannot)?;
    let sha256 = hashing
        .hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((input, sha256))
}

/// The format recognized from an input's first bytes.
enum Detected {
    Smoke,
    Dotnet(dotnet::Format),
    Junit,
    Sarif,
    Audit(audit::AuditFormat),
    K6,
    Coverage(coverage::Format),
    /// Known by name, not read (NUnit 2, SonarQube generic coverage, …).
    Unsupported {
        what: &'static str,
        hint: &'static str,
    },
    Unknown,
}

impl Detected {
    fn of(head: &[u8]) -> Detected {
        let text = String::from_utf8_lossy(head);
        if text.trim_start().starts_with('{') && text.contains("\"decoder-ops/smoke/v1\"") {
            Detected::Smoke
        } else if let Some(f) = dotnet::detect(head) {
            Detected::Dotnet(f)
        } else if text.contains("<testsuite") {
            Detected::Junit
        } else if sarif::detect(head) {
            Detected::Sarif
        } else if let Some(f) = audit::detect(head) {
            Detected::Audit(f)
        } else if k6::detect(head) {
            Detected::K6
        } else {
            match coverage::identify(head) {
                Some(coverage::Detected::Coverage(f)) => Detected::Coverage(f),
                Some(coverage::Detected::Unsupported { what, hint }) => {
                    Detected::Unsupported { what, hint }
                }
                None => Detected::Unknown,
            }
        }
    }
}

fn parse(shown: &str, detected: Detected, stream: &mut Stream) -> Result<Input, Error> {
    Ok(match detected {
        Detected::Smoke => {
            let v: serde_json::Value = serde_json::from_reader(stream.by_ref()).map_err(|e| {
                Error::Usage(format!(
                    "`{shown}`: line {}, column {}: invalid JSON: {e}",
                    e.line(),
                    e.column()
                ))
            })?;
            let p95 = v
                .pointer("/stats/p95_ms")
                .and_then(serde_json::Value::as_f64);
            Input::Smoke(smoke_run(&v), p95)
        }
        Detected::Dotnet(f) => {
            Input::Junit(dotnet::parse_reader(shown, stream.by_ref(), f)?, f.as_str())
        }
        Detected::Junit => Input::Junit(junit::parse_reader(shown, stream.by_ref())?, "junit"),
        Detected::Sarif => Input::Sarif(sarif::parse_reader(shown, stream.by_ref())?),
        Detected::Audit(f) => Input::Audit(audit::parse_reader(shown, stream.by_ref(), f)?),
        Detected::K6 => Input::K6(k6::parse_reader(shown, stream.by_ref())?),
        Detected::Coverage(f) => {
            Input::Coverage(coverage::parse_reader(shown, stream.by_ref(), f)?)
        }
        Detected::Unsupported { what, hint } => {
            return Err(Error::Usage(format!(
                "input `{shown}`: {what} is not supported; {hint}"
            )));
        }
        Detected::Unknown => {
            if stream.fill_buf().map_or(true, <[u8]>::is_empty) {
                return Err(Error::Usage(format!(
                    "input `{shown}`: it is empty; expected a report"
                )));
            }
            let head = stream.fill_buf().unwrap_or_default();
            return Err(Error::Usage(format!(
                "input `{shown}`: not a format quality-gate reads ({}); expected JUnit XML, \
                 NUnit 3, xUnit.net v2 or TRX test results, SARIF 2.1.0, npm audit / cargo \
                 audit / pip-audit / Trivy JSON, a k6 summary, a coverage report ({}) or a \
                 `smoke --json` result",
                coverage::describe(&head[..head.len().min(HEAD)]),
                coverage::Format::names()
            )));
        }
    })
}

/// What a `smoke --json` result says about its checks. A result without a verdict or counts
/// is read as not passed: it cannot vouch for anything.
fn smoke_run(v: &serde_json::Value) -> SmokeRun {
    let count = |key: &str| {
        v.pointer(&format!("/stats/{key}"))
            .and_then(serde_json::Value::as_u64)
    };
    let verdict = v["verdict"].as_str().unwrap_or("unknown").to_owned();
    let total = count("total").unwrap_or(0);
    let not_passed = match (count("failed"), verdict.as_str()) {
        (Some(failed), "pass" | "warn") => failed,
        (Some(failed), _) => failed.max(1),
        (None, _) => total.max(1),
    };
    SmokeRun {
        total,
        not_passed,
        verdict,
    }
}
