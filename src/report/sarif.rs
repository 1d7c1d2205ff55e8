//! SARIF 2.1.0 logs (code scanning, linters) → findings with a security severity and a level.
//!
//! Spec: OASIS SARIF v2.1.0 (sarif-v2.1.0-os). Only the fields used here are modelled; everything
//! else is skipped by serde while streaming, so a 50 MB log never becomes a `serde_json::Value`.
//! - Severity comes from the rule's `properties["security-severity"]` (a number or a numeric
//!   string, the convention GitHub code scanning reads), banded by [`Severity::from_score`]. A
//!   rule without it makes a code-quality finding (severity `none`) judged by its level; a value
//!   that is not a number is `unknown` (a security rule whose severity cannot be read).
//! - Level (§3.27.10): `result.level`, else `none` when `kind` is present and not `fail`, else the
//!   rule's `defaultConfiguration.level`, else `warning`. Results of kind `pass` or
//!   `notApplicable` are not findings and are dropped.
//! - The rule (§3.27.6–7, §3.52.4) is found by `ruleIndex`/`rule.index` (in the driver, or in
//!   the extension named by `rule.toolComponent.index`), else by `ruleId`/`rule.id` in the driver
//!   rules and then in every extension's rules.
//! - Suppressed (§3.27.23, §3.34.3): a non-empty `suppressions` none of which is `rejected` or
//!   `underReview`. Suppressed results are kept (flagged) but excluded from the counts.
//! - Baselines (§3.27.24, §3.14.5): a result whose `baselineState` is `absent` was in the
//!   baseline and is gone, so it is not a finding; when a run declares a baseline
//!   (`baselineGuid`, or states on its results), only `new` results count as new — a result
//!   without a state is not assumed new.
//! - Indexes (`ruleIndex`, `rule.index`, `toolComponent.index`, `artifactLocation.index`) of
//!   `-1` mean "not given", as the spec's defaults say.
//! - The version is read from the head of the file before anything else: SARIF 1.0 (still
//!   written by older Roslyn analyzers) is refused with how to convert it, not with the type
//!   errors its different shape would give. A UTF-8 byte order mark is skipped.

use std::io::BufRead;
use std::path::Path;

use serde::Serialize;

use super::json::{JsonFailure, classify};
pub use super::severity::{Severity, SeverityCounts};
use super::text::truncate;

/// How much of a result message is kept: enough for an annotation.
const MESSAGE_MAX: usize = 1000;

/// The only SARIF version read. 2.0.0 and the 1.x drafts differ in shape.
pub const SUPPORTED_VERSION: &str = "2.1.0";

/// A result's level (SARIF §3.27.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
    None,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s {
            "error" => Some(Level::Error),
            "warning" => Some(Level::Warning),
            "note" => Some(Level::Note),
            "none" => Some(Level::None),
            _ => None,
        }
    }
}

/// The tool that produced a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub name: String,
    /// `version`, else `semanticVersion`; absent for e.g. clippy-sarif.
    pub version: Option<String>,
}

/// One result of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule_id: Option<String>,
    pub level: Level,
    pub severity: Severity,
    /// `message.text` (else `markdown`, else the rule's short description), truncated.
    pub message: String,
    /// The first location's `artifactLocation.uri`, as written (often relative to the checkout).
    pub file: Option<String>,
    pub line: Option<u32>,
    pub suppressed: bool,
    /// `baselineState` as written: `new`, `unchanged` or `updated` (`absent` ones are dropped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<String>,
    pub tool: Tool,
}

/// The counts a gate decides on; suppressed findings are only in `suppressed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FindingSummary {
    /// Findings that are not suppressed.
    pub total: u64,
    pub suppressed: u64,
    /// Not-suppressed findings with a security severity.
    pub by_severity: SeverityCounts,
    /// Every not-suppressed finding by level, security ones included.
    pub by_level: LevelCounts,
    /// Not-suppressed findings whose `baselineState` is `new`, when a run was compared with a
    /// baseline; absent otherwise (without a baseline nothing says what is new).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<u64>,
    /// Results the baseline comparison marked `absent` (fixed since the baseline); not findings.
    #[serde(skip_serializing_if = "is_zero")]
    pub absent: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Counts per SARIF level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    pub error: u64,
    pub warning: u64,
    pub note: u64,
    pub none: u64,
}

/// A parsed SARIF log.
#[derive(Debug, Clone, Serialize)]
pub struct SarifReport {
    /// One per run, in order.
    pub tools: Vec<Tool>,
    pub findings: Vec<Finding>,
    pub summary: FindingSummary,
}

/// Errors reading a SARIF log, located and saying what was expected.
#[derive(Debug, thiserror::Error)]
pub enum SarifError {
    #[error("SARIF log `{path}`: cannot read it: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("SARIF log `{path}`: line {line}, column {column}: {message}")]
    Malformed {
        path: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error(
        "SARIF log `{path}`: version `{found}` is not supported; expected SARIF {SUPPORTED_VERSION} (re-export it from the scanner as SARIF 2.1.0)"
    )]
    Version { path: String, found: String },
    #[error(
        "SARIF log `{path}`: SARIF 1.0 is not supported, convert with the SARIF Multitool: \
         `npx @microsoft/sarif-multitool transform {path} --sarif-output-version Current \
         --output converted.sarif` (or have the tool write SARIF {SUPPORTED_VERSION}; Roslyn: \
         `/errorlog:file.sarif,version=2.1`)"
    )]
    Version1 { path: String },
    #[error("SARIF log `{path}`: {message}")]
    Invalid { path: String, message: String },
}

/// Whether the first bytes of a file look like a SARIF log (for input auto-detection).
pub fn detect(head: &[u8]) -> bool {
    super::json::has_key(head, "runs")
        && (super::json::has_key(head, "version") || super::json::has_key(head, "$schema"))
}

/// Reads a SARIF file.
pub fn parse_file(path: &Path) -> Result<SarifReport, SarifError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| SarifError::Read {
        path: shown.clone(),
        source,
    })?;
    parse_reader(&shown, std::io::BufReader::with_capacity(64 * 1024, file))
}

/// Reads a SARIF log from `reader`; `name` is used in errors.
pub fn parse_reader(name: &str, mut reader: impl BufRead) -> Result<SarifReport, SarifError> {
    let read_error = |source| SarifError::Read {
        path: name.to_owned(),
        source,
    };
    if reader
        .fill_buf()
        .map_err(read_error)?
        .starts_with(b"\xEF\xBB\xBF")
    {
        reader.consume(3);
    }
    check_version_first(name, reader.fill_buf().map_err(read_error)?)?;
    let log: raw::Log = serde_json::from_reader(reader).map_err(|e| match classify(e) {
        JsonFailure::Io(source) => SarifError::Read {
            path: name.to_owned(),
            source,
        },
        JsonFailure::Empty => SarifError::Invalid {
            path: name.to_owned(),
            message: "the file is empty; expected a SARIF 2.1.0 JSON log".into(),
        },
        JsonFailure::At {
            line,
            column,
            message,
        } => SarifError::Malformed {
            path: name.to_owned(),
            line,
            column,
            message,
        },
    })?;
    match log.version.as_deref() {
        Some(SUPPORTED_VERSION) => {}
        Some(found) => {
            return Err(SarifError::Version {
                path: name.to_owned(),
                found: found.to_owned(),
            });
        }
        None => {
            return Err(SarifError::Invalid {
                path: name.to_owned(),
                message: "no `version` field: this is not a SARIF log (expected `\"version\": \"2.1.0\"` and `runs`)".into(),
            });
        }
    }
    let Some(runs) = log.runs else {
        return Err(SarifError::Invalid {
            path: name.to_owned(),
            message: "no `runs` array: this is not a SARIF log".into(),
        });
    };
    let mut report = SarifReport {
        tools: Vec::with_capacity(runs.len()),
        findings: Vec::new(),
        summary: FindingSummary::default(),
    };
    for run in runs {
        read_run(run, &mut report);
    }
    Ok(report)
}

fn read_run(mut run: raw::Run, report: &mut SarifReport) {
    let driver = &run.tool.driver;
    let tool = Tool {
        name: driver.name.clone().unwrap_or_default(),
        version: driver
            .version
            .clone()
            .or_else(|| driver.semantic_version.clone()),
    };
    report.tools.push(tool.clone());
    // Taken out of the run and consumed one by one, so each raw result's strings are freed as
    // its finding is made: peak memory stays near one copy of the findings on 50 MB logs.
    let results = std::mem::take(&mut run.results);
    let baseline =
        run.baseline_guid.is_some() || results.iter().any(|r| r.baseline_state.is_some());
    if baseline {
        report.summary.new.get_or_insert(0);
    }
    for mut result in results {
        if matches!(result.kind.as_deref(), Some("pass" | "notApplicable")) {
            continue;
        }
        if result.baseline_state.as_deref() == Some("absent") {
            report.summary.absent += 1;
            continue;
        }
        let rule = find_rule(&run, &result);
        let level = result
            .level
            .as_deref()
            .and_then(Level::parse)
            .or_else(|| {
                result
                    .kind
                    .as_deref()
                    .filter(|k| *k != "fail")
                    .map(|_| Level::None)
            })
            .or_else(|| {
                rule.and_then(|r| r.default_configuration.level.as_deref())
                    .and_then(Level::parse)
            })
            .unwrap_or(Level::Warning);
        let severity = rule
            .and_then(|r| r.properties.security_severity.as_ref())
            .map_or(Severity::None, security_severity);
        let suppressed = !result.suppressions.is_empty()
            && result
                .suppressions
                .iter()
                .all(|s| !matches!(s.status.as_deref(), Some("rejected" | "underReview")));
        // The result's own strings are moved into the finding, not copied.
        let message = match (result.message.text.take(), result.message.markdown.take()) {
            (Some(text), _) | (None, Some(text)) => truncate_owned(text, MESSAGE_MAX),
            (None, None) => rule
                .and_then(|r| r.short_description.text.as_deref())
                .map(|t| truncate(t, MESSAGE_MAX))
                .unwrap_or_default(),
        };
        let location = result
            .locations
            .first_mut()
            .map(|l| &mut l.physical_location);
        let line = location.as_ref().and_then(|p| p.region.start_line);
        let file = location.and_then(|p| {
            p.artifact_location.uri.take().or_else(|| {
                let index = usize::try_from(p.artifact_location.index?).ok()?;
                run.artifacts.get(index)?.location.uri.clone()
            })
        });
        let finding = Finding {
            rule_id: result.rule_id.take().or_else(|| result.rule.id.take()),
            level,
            severity,
            message,
            file,
            line,
            suppressed,
            baseline_state: result.baseline_state.take(),
            tool: tool.clone(),
        };
        count(&mut report.summary, &finding);
        report.findings.push(finding);
    }
}

/// The version named in the head of the log (`"version": "…"` or a `$schema` URL), checked
/// before the body is read: SARIF 1.0 has another shape, and its type errors would say nothing
/// useful. A version not in the head is checked after the parse as before.
fn check_version_first(name: &str, head: &[u8]) -> Result<(), SarifError> {
    let head = String::from_utf8_lossy(&head[..head.len().min(64 * 1024)]);
    let version = string_value(&head, "version");
    let schema = string_value(&head, "$schema").unwrap_or_default();
    if version.is_some_and(|v| v.starts_with("1.")) || schema.contains("sarif-1.") {
        return Err(SarifError::Version1 {
            path: name.to_owned(),
        });
    }
    match version {
        Some(found) if found != SUPPORTED_VERSION => Err(SarifError::Version {
            path: name.to_owned(),
            found: found.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// The string value of `key` in the top-level object of the JSON `text` (a head: it may be cut
/// anywhere), when it is there before the cut and its value is a string without escapes.
fn string_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.checked_sub(1)?,
            b'"' => {
                let start = i + 1;
                let end = start + string_len(&bytes[start..])?;
                i = end + 1;
                let rest = text[i..].trim_start();
                if depth == 1 && &text[start..end] == key {
                    let value = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
                    return value.split_once('"').map(|(v, _)| v);
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Bytes up to the closing quote of a JSON string whose body starts `bytes`.
fn string_len(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// [`truncate`] for an owned string: kept as it is when short enough (nearly always).
fn truncate_owned(s: String, max: usize) -> String {
    if s.len() <= max { s } else { truncate(&s, max) }
}

fn count(s: &mut FindingSummary, f: &Finding) {
    if f.suppressed {
        s.suppressed += 1;
        return;
    }
    s.total += 1;
    if let Some(new) = s.new.as_mut() {
        *new += u64::from(f.baseline_state.as_deref() == Some("new"));
    }
    s.by_severity.add(f.severity);
    match f.level {
        Level::Error => s.by_level.error += 1,
        Level::Warning => s.by_level.warning += 1,
        Level::Note => s.by_level.note += 1,
        Level::None => s.by_level.none += 1,
    }
}

fn find_rule<'a>(run: &'a raw::Run, result: &raw::SarifResult) -> Option<&'a raw::Rule> {
    // -1 (the spec's default) and any other negative index mean "not given".
    let given = |index: Option<i64>| index.and_then(|i| usize::try_from(i).ok());
    let component = |index: Option<usize>| match index {
        None => Some(&run.tool.driver),
        Some(i) => run.tool.extensions.get(i),
    };
    if let Some(index) = given(result.rule_index).or(given(result.rule.index)) {
        let by_index =
            component(given(result.rule.tool_component.index)).and_then(|c| c.rules.get(index));
        if by_index.is_some() {
            return by_index;
        }
    }
    let id = result.rule_id.as_deref().or(result.rule.id.as_deref())?;
    std::iter::once(&run.tool.driver)
        .chain(&run.tool.extensions)
        .flat_map(|c| &c.rules)
        .find(|r| r.id.as_deref() == Some(id))
}

/// `security-severity` is a string in the convention ("8.8") but some tools write a number.
fn security_severity(value: &serde_json::Value) -> Severity {
    let score = match value {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    score.map_or(Severity::Unknown, Severity::from_score)
}

// The subset of the SARIF object model that is read. Every field is optional or defaulted so
// that producers' omissions never fail the parse; `version` and `runs` are checked afterwards.
mod raw;

#[cfg(test)]
mod tests;

#[cfg(test)]
#[path = "sarif/edge_tests.rs"]
mod edge_tests;
