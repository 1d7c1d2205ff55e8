//! Trivy JSON (`--format json`, `SchemaVersion` 2; `pkg/types` `Report`/`Result`): per target,
//! `Vulnerabilities`, `Misconfigurations` and `Secrets`, each with a `Severity` label. Go writes
//! empty lists as `null` or leaves them out.

use std::io::BufRead;

use serde::Deserialize;

use super::{AuditFormat, AuditReport, Failure, Notice, Severity, Vulnerability, title};
use crate::report::json::null_as_empty;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Report {
    #[serde(default)]
    trivy: Option<TrivyMeta>,
    #[serde(default, deserialize_with = "null_as_empty")]
    results: Vec<Target>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyMeta {
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Target {
    #[serde(default)]
    target: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    vulnerabilities: Vec<Vuln>,
    #[serde(default, deserialize_with = "null_as_empty")]
    misconfigurations: Vec<Misconfiguration>,
    #[serde(default, deserialize_with = "null_as_empty")]
    secrets: Vec<Secret>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vuln {
    #[serde(rename = "VulnerabilityID")]
    id: String,
    #[serde(default, rename = "VendorIDs", deserialize_with = "null_as_empty")]
    vendor_ids: Vec<String>,
    #[serde(default)]
    pkg_name: String,
    installed_version: Option<String>,
    fixed_version: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    severity: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Misconfiguration {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    severity: String,
    /// `FAIL`; `PASS`/`EXCEPTION` appear with `--include-non-failures` and are not findings.
    status: Option<String>,
    #[serde(default)]
    cause_metadata: CauseMetadata,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct CauseMetadata {
    start_line: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Secret {
    #[serde(rename = "RuleID")]
    rule_id: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    severity: String,
    start_line: Option<u32>,
}

fn severity(label: &str) -> Severity {
    match label {
        "CRITICAL" => Severity::Critical,
        "HIGH" => Severity::High,
        "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        _ => Severity::Unknown,
    }
}

pub(super) fn read(reader: impl BufRead) -> Result<AuditReport, Failure> {
    let raw: Report = serde_json::from_reader(reader)?;
    let mut report = AuditReport::new(AuditFormat::Trivy);
    report.tool_version = raw.trivy.and_then(|t| t.version);
    for target in raw.results {
        for v in target.vulnerabilities {
            report.vulnerabilities.push(Vulnerability {
                id: v.id,
                package: v.pkg_name,
                version: v.installed_version,
                severity: severity(&v.severity),
                title: title(&v.title),
                aliases: v.vendor_ids,
                fix: v.fixed_version.filter(|f| !f.is_empty()),
                cvss: None,
            });
        }
        for m in target.misconfigurations {
            if m.status.as_deref().is_some_and(|s| s != "FAIL") {
                continue;
            }
            report.misconfigurations.push(Notice {
                kind: "misconfiguration".into(),
                id: m.id,
                subject: target.target.clone(),
                version: None,
                severity: severity(&m.severity),
                title: title(&m.title),
                line: m.cause_metadata.start_line,
            });
        }
        for s in target.secrets {
            report.secrets.push(Notice {
                kind: "secret".into(),
                id: s.rule_id,
                subject: target.target.clone(),
                version: None,
                severity: severity(&s.severity),
                title: title(&s.title),
                line: s.start_line,
            });
        }
    }
    Ok(report.count(None))
}
