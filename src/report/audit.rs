//! Dependency and image scanners → vulnerabilities with a severity, plus what the scanner could
//! not audit.
//!
//! Four formats, detected from the content ([`detect`]):
//! - `npm audit --json`, report version 2 (npm ≥ 7): one vulnerability per vulnerable package,
//!   as npm counts them; `moderate` = medium, `info` = low ([`npm`]).
//! - `cargo audit --json`: the severity is computed from the advisory's CVSS v3.1 vector (the JSON
//!   has no score); no vector → unknown. Informational `warnings` (unmaintained, unsound, yanked)
//!   are listed and counted apart, never as vulnerabilities ([`cargo`]).
//! - `pip-audit -f json`: no severity in the format → unknown; dependencies with a `skip_reason`
//!   are `unaudited`, so that a run that audited nothing is not read as clean ([`pip`]).
//! - Trivy JSON: `Results[].Vulnerabilities[].Severity`; misconfigurations and secrets are
//!   counted apart ([`trivy`]).
//!
//! Each format is deserialized with serde straight from the reader into structs that model only
//! the fields used.

use std::io::BufRead;
use std::path::Path;

use serde::Serialize;

use super::json::{JsonFailure, classify, has_key};
pub use super::severity::{Severity, SeverityCounts};

mod cargo;
mod npm;
mod pip;
mod trivy;

/// How much of a title is kept (pip-audit uses the full description as the title).
const TITLE_MAX: usize = 300;

/// How far into a file [`detect`] needs to look.
pub const DETECT_HEAD: usize = 64 * 1024;

/// The scanner a report came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditFormat {
    NpmAudit,
    CargoAudit,
    PipAudit,
    Trivy,
}

impl AuditFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditFormat::NpmAudit => "npm-audit",
            AuditFormat::CargoAudit => "cargo-audit",
            AuditFormat::PipAudit => "pip-audit",
            AuditFormat::Trivy => "trivy",
        }
    }
}

/// One vulnerable package (npm) or one advisory affecting a package (the others).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vulnerability {
    /// The advisory id (`RUSTSEC-…`, `GHSA-…`, `CVE-…`); what an allowlist entry names.
    pub id: String,
    pub package: String,
    /// The installed version, when the report gives it (npm gives only the vulnerable range).
    pub version: Option<String>,
    pub severity: Severity,
    pub title: String,
    /// Other ids of the same advisory (CVE, GHSA…), and for npm the package's other advisories.
    pub aliases: Vec<String>,
    /// What fixes it (`>=1.5.5`, `upgrade node-fetch to 2.7.0`), when known.
    pub fix: Option<String>,
    /// The CVSS vector the severity was computed from (cargo-audit).
    pub cvss: Option<String>,
}

/// A non-vulnerability notice: cargo-audit's informational warnings, Trivy's misconfigurations
/// and secrets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    /// `unmaintained`, `unsound`, `yanked` (cargo-audit); `misconfiguration`, `secret` (Trivy).
    pub kind: String,
    pub id: Option<String>,
    /// The package (cargo-audit) or the scanned target file (Trivy).
    pub subject: String,
    pub version: Option<String>,
    pub severity: Severity,
    pub title: String,
    pub line: Option<u32>,
}

/// A dependency the scanner could not check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unaudited {
    pub package: String,
    pub reason: String,
}

/// The counts a gate decides on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AuditSummary {
    pub vulnerabilities: u64,
    pub by_severity: SeverityCounts,
    /// cargo-audit's informational warnings (not vulnerabilities).
    pub warnings: u64,
    /// Trivy misconfigurations by severity.
    pub misconfigurations: SeverityCounts,
    /// Trivy secrets by severity.
    pub secrets: SeverityCounts,
    /// Dependencies the report says were checked, when it says (`None`: the format does not
    /// tell). Zero audited with `unaudited > 0` is inconclusive, not clean.
    pub audited: Option<u64>,
    pub unaudited: u64,
}

/// A parsed scanner report.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub format: AuditFormat,
    pub tool_version: Option<String>,
    pub vulnerabilities: Vec<Vulnerability>,
    pub warnings: Vec<Notice>,
    pub misconfigurations: Vec<Notice>,
    pub secrets: Vec<Notice>,
    pub unaudited: Vec<Unaudited>,
    pub summary: AuditSummary,
}

impl AuditReport {
    fn new(format: AuditFormat) -> AuditReport {
        AuditReport {
            format,
            tool_version: None,
            vulnerabilities: Vec::new(),
            warnings: Vec::new(),
            misconfigurations: Vec::new(),
            secrets: Vec::new(),
            unaudited: Vec::new(),
            summary: AuditSummary::default(),
        }
    }

    /// Fills `summary` from the lists (all formats count the same way).
    fn count(mut self, audited: Option<u64>) -> AuditReport {
        let s = &mut self.summary;
        s.vulnerabilities = self.vulnerabilities.len() as u64;
        for v in &self.vulnerabilities {
            s.by_severity.add(v.severity);
        }
        s.warnings = self.warnings.len() as u64;
        for m in &self.misconfigurations {
            s.misconfigurations.add(m.severity);
        }
        for m in &self.secrets {
            s.secrets.add(m.severity);
        }
        s.audited = audited;
        s.unaudited = self.unaudited.len() as u64;
        self
    }
}

/// Errors reading a scanner report, located and saying what was expected.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit report `{path}`: cannot read it: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{format} report `{path}`: line {line}, column {column}: {message}")]
    Malformed {
        path: String,
        format: &'static str,
        line: u64,
        column: u64,
        message: String,
    },
    #[error(
        "audit report `{path}`: not a recognised format; expected the JSON of `npm audit --json` (npm ≥ 7), `cargo audit --json`, `pip-audit -f json` or `trivy … --format json`"
    )]
    Unrecognized { path: String },
    #[error("{format} report `{path}`: {message}")]
    Invalid {
        path: String,
        format: &'static str,
        message: String,
    },
}

/// Recognises a scanner's JSON from the first bytes of the file (up to [`DETECT_HEAD`]).
///
/// Each format is told by keys of its top-level object: `auditReportVersion` (npm v2; the v1
/// shape with `advisories` + `actions` is recognised so it can be refused clearly), `database` +
/// `lockfile` (cargo-audit), `SchemaVersion` + `Results`/`ArtifactName` (Trivy), `dependencies`
/// + `vulns`/`skip_reason`/`fixes` (pip-audit).
pub fn detect(head: &[u8]) -> Option<AuditFormat> {
    let head = &head[..head.len().min(DETECT_HEAD)];
    let key = |k| has_key(head, k);
    if key("auditReportVersion") || (key("advisories") && key("actions")) {
        Some(AuditFormat::NpmAudit)
    } else if key("database") && key("lockfile") {
        Some(AuditFormat::CargoAudit)
    } else if key("SchemaVersion") && (key("Results") || key("ArtifactName")) {
        Some(AuditFormat::Trivy)
    } else if key("dependencies") && (key("vulns") || key("skip_reason") || key("fixes")) {
        Some(AuditFormat::PipAudit)
    } else {
        None
    }
}

/// Reads a scanner report, detecting its format.
pub fn parse_file(path: &Path) -> Result<AuditReport, AuditError> {
    let shown = path.display().to_string();
    let read_err = |source| AuditError::Read {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut reader = std::io::BufReader::with_capacity(DETECT_HEAD, file);
    let head = reader.fill_buf().map_err(read_err)?;
    let Some(format) = detect(head) else {
        if head.iter().all(u8::is_ascii_whitespace) {
            return Err(AuditError::Invalid {
                path: shown,
                format: "audit",
                message: "the file is empty; expected a scanner's JSON report".into(),
            });
        }
        return Err(AuditError::Unrecognized { path: shown });
    };
    parse_reader(&shown, reader, format)
}

/// Reads a report of a known `format` from `reader`; `name` is used in errors.
pub fn parse_reader(
    name: &str,
    reader: impl BufRead,
    format: AuditFormat,
) -> Result<AuditReport, AuditError> {
    let result = match format {
        AuditFormat::NpmAudit => npm::read(reader),
        AuditFormat::CargoAudit => cargo::read(reader),
        AuditFormat::PipAudit => pip::read(reader),
        AuditFormat::Trivy => trivy::read(reader),
    };
    result.map_err(|failure| match failure {
        Failure::Invalid(message) => AuditError::Invalid {
            path: name.to_owned(),
            format: format.as_str(),
            message,
        },
        Failure::Json(e) => match classify(e) {
            JsonFailure::Io(source) => AuditError::Read {
                path: name.to_owned(),
                source,
            },
            JsonFailure::Empty => AuditError::Invalid {
                path: name.to_owned(),
                format: format.as_str(),
                message: "the file is empty; expected a JSON report".into(),
            },
            JsonFailure::At {
                line,
                column,
                message,
            } => AuditError::Malformed {
                path: name.to_owned(),
                format: format.as_str(),
                line,
                column,
                message,
            },
        },
    })
}

/// What a format reader can fail with; the path is added by [`parse_reader`].
enum Failure {
    Json(serde_json::Error),
    Invalid(String),
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Failure {
        Failure::Json(e)
    }
}

/// A one-line title: the first line, truncated on a char boundary.
fn title(s: &str) -> String {
    let line = s
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    super::text::truncate(line, TITLE_MAX)
}

#[cfg(test)]
mod tests;
