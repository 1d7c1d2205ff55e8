//! `npm audit --json`, report version 2 (npm ≥ 7; `@npmcli/arborist` `AuditReport.toJSON`,
//! `Vuln.toJSON`): a `vulnerabilities` map with one entry per vulnerable package, whose `via`
//! lists advisories (objects) or names of vulnerable dependencies (strings).
//!
//! One [`Vulnerability`] per package entry, which is how npm counts them in
//! `metadata.vulnerabilities`. Its id is the most severe advisory's (the GHSA id from the
//! advisory URL, else `npm:<source>`); its other advisories become aliases. An entry vulnerable
//! only through a dependency takes the advisories of that dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

use serde::Deserialize;

use super::{AuditFormat, AuditReport, Failure, Severity, Vulnerability, title};
use crate::report::json::null_as_empty;

#[derive(Deserialize)]
struct Report {
    #[serde(rename = "auditReportVersion")]
    version: Option<u64>,
    #[serde(default)]
    vulnerabilities: BTreeMap<String, Entry>,
    #[serde(default)]
    metadata: Metadata,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    dependencies: Dependencies,
}

#[derive(Deserialize, Default)]
struct Dependencies {
    total: Option<u64>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    severity: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    via: Vec<Via>,
    #[serde(rename = "fixAvailable")]
    fix_available: Option<Fix>,
}

// Internal to this reader (not user-facing config), and npm writes exactly these two shapes.
#[derive(Deserialize)]
#[serde(untagged)]
enum Via {
    Advisory(Advisory),
    Dependency(String),
}

#[derive(Deserialize, Clone)]
struct Advisory {
    source: Option<serde_json::Value>,
    #[serde(default)]
    title: String,
    url: Option<String>,
    #[serde(default)]
    severity: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Fix {
    Available(bool),
    Upgrade {
        name: String,
        version: String,
        #[serde(rename = "isSemVerMajor", default)]
        major: bool,
    },
}

/// npm's labels (`npm-audit-report`): `moderate` is medium, `info` the lowest.
fn severity(label: &str) -> Severity {
    match label {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "moderate" => Severity::Medium,
        "low" | "info" => Severity::Low,
        _ => Severity::Unknown,
    }
}

fn advisory_id(a: &Advisory) -> String {
    let ghsa = a
        .url
        .as_deref()
        .and_then(|u| u.rsplit('/').next())
        .filter(|id| id.starts_with("GHSA-"));
    match (ghsa, &a.source) {
        (Some(id), _) => id.to_owned(),
        (None, Some(serde_json::Value::Number(n))) => format!("npm:{n}"),
        (None, Some(serde_json::Value::String(s))) => format!("npm:{s}"),
        _ => a.url.clone().unwrap_or_else(|| "npm:unknown".into()),
    }
}

/// The advisories behind `name`, following dependency names (with a guard against cycles).
fn advisories<'a>(
    name: &str,
    entries: &'a BTreeMap<String, Entry>,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<&'a Advisory>,
) {
    if !seen.insert(name.to_owned()) {
        return;
    }
    let Some(entry) = entries.get(name) else {
        return;
    };
    for via in &entry.via {
        match via {
            Via::Advisory(a) => out.push(a),
            Via::Dependency(dep) => advisories(dep, entries, seen, out),
        }
    }
}

pub(super) fn read(reader: impl BufRead) -> Result<AuditReport, Failure> {
    let raw: Report = serde_json::from_reader(reader)?;
    match raw.version {
        Some(2) => {}
        Some(v) => {
            return Err(Failure::Invalid(format!(
                "auditReportVersion {v} is not supported; expected 2 (`npm audit --json` of npm 7 or later)"
            )));
        }
        None => {
            return Err(Failure::Invalid(
                "no `auditReportVersion`: this is the npm 6 report (version 1); run `npm audit --json` with npm 7 or later".into(),
            ));
        }
    }
    let mut report = AuditReport::new(AuditFormat::NpmAudit);
    for (package, entry) in &raw.vulnerabilities {
        let mut found = Vec::new();
        advisories(
            package,
            &raw.vulnerabilities,
            &mut BTreeSet::new(),
            &mut found,
        );
        // The most severe advisory names the vulnerability; ties keep npm's (sorted) order.
        let main = found
            .iter()
            .enumerate()
            .max_by_key(|(i, a)| (severity(&a.severity), std::cmp::Reverse(*i)))
            .map(|(_, a)| *a);
        let via_names: Vec<&str> = entry
            .via
            .iter()
            .filter_map(|v| match v {
                Via::Dependency(d) => Some(d.as_str()),
                Via::Advisory(_) => None,
            })
            .collect();
        let id = main.map_or_else(|| format!("npm:{package}"), advisory_id);
        let mut aliases: Vec<String> = Vec::new();
        for a in &found {
            let other = advisory_id(a);
            if other != id && !aliases.contains(&other) {
                aliases.push(other);
            }
        }
        let title = match main {
            Some(a) => title(&a.title),
            None => format!("vulnerable through {}", via_names.join(", ")),
        };
        report.vulnerabilities.push(Vulnerability {
            id,
            package: package.clone(),
            version: None,
            severity: severity(&entry.severity),
            title,
            aliases,
            fix: match &entry.fix_available {
                Some(Fix::Available(true)) => Some("npm audit fix".into()),
                Some(Fix::Upgrade {
                    name,
                    version,
                    major,
                }) => Some(format!(
                    "upgrade {name} to {version}{}",
                    if *major { " (semver-major)" } else { "" }
                )),
                Some(Fix::Available(false)) | None => None,
            },
            cvss: None,
        });
    }
    Ok(report.count(raw.metadata.dependencies.total))
}
