//! `cargo audit --json` (cargo-audit 0.22; rustsec crate's `Report`: `vulnerabilities.list[]` of
//! `{advisory, versions, package}` and `warnings` keyed by kind).

use std::collections::BTreeMap;
use std::io::BufRead;

use serde::Deserialize;

use super::{AuditFormat, AuditReport, Failure, Notice, Severity, Vulnerability, title};
use crate::report::cvss;
use crate::report::json::null_as_empty;

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    lockfile: Lockfile,
    vulnerabilities: Vulnerabilities,
    #[serde(default)]
    warnings: BTreeMap<String, Vec<Warning>>,
}

#[derive(Deserialize, Default)]
struct Lockfile {
    #[serde(rename = "dependency-count")]
    dependency_count: Option<u64>,
}

#[derive(Deserialize)]
struct Vulnerabilities {
    #[serde(default, deserialize_with = "null_as_empty")]
    list: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    advisory: Advisory,
    #[serde(default)]
    versions: Versions,
    package: Package,
}

#[derive(Deserialize)]
struct Advisory {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    aliases: Vec<String>,
    /// The CVSS vector string, or `null`.
    cvss: Option<String>,
}

#[derive(Deserialize, Default)]
struct Versions {
    #[serde(default, deserialize_with = "null_as_empty")]
    patched: Vec<String>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: Option<String>,
}

#[derive(Deserialize)]
struct Warning {
    kind: String,
    package: Package,
    /// `null` for `yanked`.
    advisory: Option<Advisory>,
}

pub(super) fn read(reader: impl BufRead) -> Result<AuditReport, Failure> {
    let raw: Report = serde_json::from_reader(reader)?;
    let mut report = AuditReport::new(AuditFormat::CargoAudit);
    for e in raw.vulnerabilities.list {
        let severity = match e.advisory.cvss.as_deref() {
            // A vector that is not v3 (v4, malformed) gives no score we can trust: unknown.
            Some(v) => cvss::base_score(v).map_or(Severity::Unknown, |s| s.severity()),
            None => Severity::Unknown,
        };
        report.vulnerabilities.push(Vulnerability {
            id: e.advisory.id,
            package: e.package.name,
            version: e.package.version,
            severity,
            title: title(&e.advisory.title),
            aliases: e.advisory.aliases,
            fix: (!e.versions.patched.is_empty()).then(|| e.versions.patched.join(" or ")),
            cvss: e.advisory.cvss,
        });
    }
    for (_, warnings) in raw.warnings {
        for w in warnings {
            report.warnings.push(Notice {
                kind: w.kind,
                id: w.advisory.as_ref().map(|a| a.id.clone()),
                subject: w.package.name,
                version: w.package.version,
                severity: Severity::None,
                title: w.advisory.map(|a| title(&a.title)).unwrap_or_default(),
                line: None,
            });
        }
    }
    Ok(report.count(raw.lockfile.dependency_count))
}
