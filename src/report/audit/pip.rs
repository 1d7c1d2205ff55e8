//! `pip-audit -f json` (pip-audit 2.x, `pip_audit/_format/json.py`): `dependencies[]` of
//! `{name, version, vulns[]}` or `{name, skip_reason}`. The format has no severity.

use std::io::BufRead;

use serde::Deserialize;

use super::{AuditFormat, AuditReport, Failure, Severity, Unaudited, Vulnerability, title};
use crate::report::json::null_as_empty;

#[derive(Deserialize)]
struct Report {
    #[serde(deserialize_with = "null_as_empty")]
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
    version: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    vulns: Vec<Vuln>,
    skip_reason: Option<String>,
}

#[derive(Deserialize)]
struct Vuln {
    id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    fix_versions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    aliases: Vec<String>,
    description: Option<String>,
}

pub(super) fn read(reader: impl BufRead) -> Result<AuditReport, Failure> {
    let raw: Report = serde_json::from_reader(reader)?;
    let mut report = AuditReport::new(AuditFormat::PipAudit);
    let mut audited = 0;
    for dep in raw.dependencies {
        if let Some(reason) = dep.skip_reason {
            report.unaudited.push(Unaudited {
                package: dep.name,
                reason,
            });
            continue;
        }
        audited += 1;
        for v in dep.vulns {
            report.vulnerabilities.push(Vulnerability {
                id: v.id,
                package: dep.name.clone(),
                version: dep.version.clone(),
                severity: Severity::Unknown,
                title: title(v.description.as_deref().unwrap_or_default()),
                aliases: v.aliases,
                fix: (!v.fix_versions.is_empty()).then(|| v.fix_versions.join(" or ")),
                cvss: None,
            });
        }
    }
    Ok(report.count(Some(audited)))
}
