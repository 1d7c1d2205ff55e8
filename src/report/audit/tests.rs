//! The scanner readers against tests/fixtures/audit/ (each folder's README says which tool and
//! command made each file, which files are sample shapes, and what the tool printed) and
//! against bad input.

use super::*;

fn path(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn fixture(rel: &str) -> AuditReport {
    parse_file(&path(rel)).unwrap_or_else(|e| panic!("{e}"))
}

fn bands(c: SeverityCounts) -> (u64, u64, u64, u64, u64) {
    (c.critical, c.high, c.medium, c.low, c.unknown)
}

fn find<'a>(r: &'a AuditReport, package: &str) -> &'a Vulnerability {
    r.vulnerabilities
        .iter()
        .find(|v| v.package == package)
        .unwrap_or_else(|| panic!("no vulnerability for {package}"))
}

#[test]
fn cargo_audit_severity_from_the_cvss_vector() {
    // cargo-audit: "error: 4 vulnerabilities found!", "warning: 3 allowed warnings found";
    // it printed 7.5 (high) for regex, 9.8 (critical) smallvec, 6.2 (medium) time, and no
    // severity for chrono (`"cvss": null`).
    let r = fixture("audit/cargo-audit/cargo-audit.json");
    assert_eq!(r.format, AuditFormat::CargoAudit);
    let s = r.summary;
    assert_eq!(s.vulnerabilities, 4);
    assert_eq!(bands(s.by_severity), (1, 1, 1, 0, 1));
    assert_eq!(find(&r, "chrono").severity, Severity::Unknown);
    assert_eq!(find(&r, "regex").severity, Severity::High);
    assert_eq!(find(&r, "smallvec").severity, Severity::Critical);
    assert_eq!(find(&r, "time").severity, Severity::Medium);
    let chrono = find(&r, "chrono");
    assert_eq!(chrono.id, "RUSTSEC-2020-0159");
    assert_eq!(chrono.version.as_deref(), Some("0.4.19"));
    assert_eq!(chrono.fix.as_deref(), Some(">=0.4.20"));
    // Warnings are counted apart, never as vulnerabilities: 2 unmaintained, 1 unsound.
    assert_eq!(s.warnings, 3);
    let kinds: Vec<_> = r.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(kinds, ["unmaintained", "unmaintained", "unsound"]);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.id.as_deref() == Some("RUSTSEC-2021-0145"))
    );
    assert_eq!(s.audited, Some(19), "`19 crate dependencies`");
}

#[test]
fn npm_audit_v2_one_vulnerability_per_package() {
    // Sample shape (README): metadata 2 high, 2 critical, total 4; moderate counts as medium.
    let r = fixture("audit/npm-audit/sample-shape-npm-audit.json");
    assert_eq!(r.format, AuditFormat::NpmAudit);
    assert_eq!(r.summary.vulnerabilities, 4);
    assert_eq!(bands(r.summary.by_severity), (2, 2, 0, 0, 0));
    let minimist = find(&r, "minimist");
    assert_eq!(
        minimist.id, "GHSA-xvch-5gv4-984h",
        "the critical advisory names it"
    );
    assert_eq!(minimist.aliases, ["GHSA-vh95-rmgr-6w4m"]);
    // mkdirp is vulnerable only through minimist: it takes minimist's advisories.
    let mkdirp = find(&r, "mkdirp");
    assert_eq!(
        (mkdirp.id.as_str(), mkdirp.severity),
        ("GHSA-xvch-5gv4-984h", Severity::Critical)
    );
    assert_eq!(mkdirp.fix.as_deref(), Some("npm audit fix"));
    let fetch = find(&r, "node-fetch");
    assert_eq!(fetch.id, "GHSA-r683-j2x4-v87g");
    assert_eq!(fetch.fix.as_deref(), Some("upgrade node-fetch to 2.7.0"));
    assert_eq!(find(&r, "lodash").aliases.len(), 2);
    assert_eq!(r.summary.audited, Some(5));
}

#[test]
fn pip_audit_without_severity_is_unknown() {
    // Sample shape: pip-audit would print "Found 3 known vulnerabilities in 2 packages".
    let r = fixture("audit/pip-audit/sample-shape-vulnerable.json");
    assert_eq!(r.format, AuditFormat::PipAudit);
    let s = r.summary;
    assert_eq!(s.vulnerabilities, 3);
    let packages: std::collections::BTreeSet<_> = r
        .vulnerabilities
        .iter()
        .map(|v| v.package.as_str())
        .collect();
    assert_eq!(packages.len(), 2);
    assert_eq!(bands(s.by_severity), (0, 0, 0, 0, 3));
    assert_eq!((s.audited, s.unaudited), (Some(3), 1));
    let v = &r.vulnerabilities[0];
    assert_eq!(
        (v.id.as_str(), v.version.as_deref(), v.fix.as_deref()),
        ("GHSA-x84v-xcm2-53pg", Some("2.19.1"), Some("2.20.0"))
    );
    assert_eq!(v.aliases, ["CVE-2018-18074"]);
}

#[test]
fn pip_audit_that_audited_nothing_says_so() {
    // Real run: "No known vulnerabilities found", exit 0, every one of 7 dependencies skipped.
    let r = fixture("audit/pip-audit/pip-audit-unaudited.json");
    let s = r.summary;
    assert_eq!((s.vulnerabilities, s.audited, s.unaudited), (0, Some(0), 7));
    assert!(r.unaudited[0].reason.contains("could not be audited"));
}

#[test]
fn trivy_misconfigurations_and_secrets_are_counted_apart() {
    // Trivy: 24 misconfigurations (LOW 12, MEDIUM 7, HIGH 5), 2 secrets (CRITICAL 2).
    let r = fixture("audit/trivy/trivy-fs-misconfig-secret.json");
    assert_eq!(r.format, AuditFormat::Trivy);
    assert_eq!(r.tool_version.as_deref(), Some("0.76.0"));
    let s = r.summary;
    assert_eq!(s.vulnerabilities, 0);
    assert_eq!(bands(s.misconfigurations), (0, 5, 7, 12, 0));
    assert_eq!(bands(s.secrets), (2, 0, 0, 0, 0));
    let per_file = |t: &str| {
        r.misconfigurations
            .iter()
            .filter(|m| m.subject == t)
            .count()
    };
    assert_eq!(
        (per_file("Dockerfile"), per_file("deploy/deployment.yaml")),
        (5, 19)
    );
    assert!(
        r.secrets
            .iter()
            .all(|s| s.subject == "config/settings.env" && s.line.is_some())
    );
}

#[test]
fn trivy_vulnerabilities_by_severity_label() {
    // Sample shape: CRITICAL 1, HIGH 1, MEDIUM 1, LOW 0, UNKNOWN 1.
    let r = fixture("audit/trivy/sample-shape-trivy-vuln.json");
    assert_eq!(bands(r.summary.by_severity), (1, 1, 1, 0, 1));
    let smallvec = find(&r, "smallvec");
    assert_eq!(smallvec.id, "CVE-2021-25900");
    assert_eq!(smallvec.aliases, ["GHSA-43w2-9j62-hq99"]);
    assert_eq!(smallvec.fix.as_deref(), Some("0.6.14, 1.6.1"));
}

#[test]
fn detect_tells_the_formats_apart() {
    let head = |rel: &str| std::fs::read(path(rel)).unwrap();
    let cases = [
        (
            "audit/cargo-audit/cargo-audit.json",
            Some(AuditFormat::CargoAudit),
        ),
        (
            "audit/npm-audit/sample-shape-npm-audit.json",
            Some(AuditFormat::NpmAudit),
        ),
        ("audit/npm-audit/project/package-lock.json", None),
        (
            "audit/pip-audit/pip-audit-unaudited.json",
            Some(AuditFormat::PipAudit),
        ),
        (
            "audit/trivy/trivy-fs-misconfig-secret.json",
            Some(AuditFormat::Trivy),
        ),
        ("sarif/trivy/trivy.sarif", None),
        ("perf/k6/summary.json", None),
    ];
    for (rel, want) in cases {
        assert_eq!(detect(&head(rel)), want, "{rel}");
    }
    assert_eq!(
        detect(br#"{"dependencies": [], "fixes": []}"#),
        Some(AuditFormat::PipAudit)
    );
}

fn parse_as(format: AuditFormat, text: &str) -> Result<AuditReport, AuditError> {
    parse_reader("r.json", text.as_bytes(), format)
}

#[test]
fn npm_6_reports_are_refused_by_name() {
    let v1 = r#"{"actions": [], "advisories": {}, "metadata": {}}"#;
    assert_eq!(detect(v1.as_bytes()), Some(AuditFormat::NpmAudit));
    let err = parse_as(AuditFormat::NpmAudit, v1).unwrap_err().to_string();
    assert!(
        err.contains("npm 7 or later") && err.contains("`r.json`"),
        "{err}"
    );
    let v3 = parse_as(AuditFormat::NpmAudit, r#"{"auditReportVersion": 3}"#).unwrap_err();
    assert!(v3.to_string().contains("auditReportVersion 3"), "{v3}");
}

#[test]
fn edge_shapes_read_without_panicking() {
    // Go's nil slices as null; a yanked crate warning has no advisory; npm via a missing name.
    let trivy = r#"{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": null,
      "Misconfigurations": [{"ID": "A", "Severity": "HIGH", "Status": "PASS"}]}]}"#;
    let r = parse_as(AuditFormat::Trivy, trivy).unwrap();
    assert_eq!(r.summary, AuditSummary::default());
    let cargo = r#"{"database": {}, "lockfile": {}, "vulnerabilities": {"found": false, "count": 0, "list": []},
      "warnings": {"yanked": [{"kind": "yanked", "package": {"name": "a", "version": "1.0.0"}, "advisory": null}]}}"#;
    let r = parse_as(AuditFormat::CargoAudit, cargo).unwrap();
    assert_eq!((r.summary.warnings, r.summary.audited), (1, None));
    assert_eq!(r.warnings[0].id, None);
    let npm = r#"{"auditReportVersion": 2, "vulnerabilities": {"a": {"severity": "moderate",
      "via": ["a", "gone"], "fixAvailable": false}}}"#;
    let r = parse_as(AuditFormat::NpmAudit, npm).unwrap();
    let v = &r.vulnerabilities[0];
    assert_eq!(
        (v.id.as_str(), v.severity, v.fix.as_ref()),
        ("npm:a", Severity::Medium, None)
    );
    assert_eq!(v.title, "vulnerable through a, gone");
    let cvss4 = r#"{"database": {}, "lockfile": {}, "vulnerabilities": {"list": [{"advisory":
      {"id": "RUSTSEC-1", "cvss": "CVSS:4.0/AV:N"}, "package": {"name": "a"}}]}}"#;
    let r = parse_as(AuditFormat::CargoAudit, cvss4).unwrap();
    assert_eq!(r.vulnerabilities[0].severity, Severity::Unknown);
}

#[test]
fn bad_input_is_located_and_names_the_file() {
    let err = parse_as(
        AuditFormat::CargoAudit,
        "{\n \"vulnerabilities\": {\"list\": [1,]}\n}",
    )
    .unwrap_err();
    match &err {
        AuditError::Malformed { line, format, .. } => {
            assert_eq!((*line, *format), (2, "cargo-audit"))
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .starts_with("cargo-audit report `r.json`: line 2"),
        "{err}"
    );
    let wrong = parse_as(AuditFormat::PipAudit, r#"{"database": {}}"#)
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("missing field `dependencies`"), "{wrong}");
    let empty = parse_as(AuditFormat::Trivy, "").unwrap_err().to_string();
    assert!(empty.contains("empty"), "{empty}");

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let e = parse_file(&write("empty.json", "  \n")).unwrap_err();
    assert!(
        e.to_string().contains("empty") && e.to_string().contains("empty.json"),
        "{e}"
    );
    let e = parse_file(&write("other.json", r#"{"hello": 1}"#)).unwrap_err();
    assert!(matches!(e, AuditError::Unrecognized { .. }), "{e}");
    assert!(e.to_string().contains("other.json"));
    let e = parse_file(&write(
        "cut.json",
        r#"{"auditReportVersion": 2, "vulnerabilities": {"#,
    ))
    .unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
    assert!(matches!(
        parse_file(&dir.path().join("missing.json")),
        Err(AuditError::Read { .. })
    ));
}

#[test]
fn damaged_fixtures_give_errors_not_panics() {
    let cases = [
        (
            "audit/cargo-audit/cargo-audit.json",
            AuditFormat::CargoAudit,
        ),
        (
            "audit/npm-audit/sample-shape-npm-audit.json",
            AuditFormat::NpmAudit,
        ),
        (
            "audit/pip-audit/sample-shape-vulnerable.json",
            AuditFormat::PipAudit,
        ),
        (
            "audit/trivy/sample-shape-trivy-vuln.json",
            AuditFormat::Trivy,
        ),
    ];
    for (rel, format) in cases {
        let valid = std::fs::read(path(rel)).unwrap();
        for damaged in crate::report::json::mutations(&valid) {
            let _ = detect(&damaged);
            // A flipped byte may still be valid JSON; a cut-short document never is.
            let result = parse_reader(rel, damaged.as_slice(), format);
            if damaged.len() < valid.trim_ascii_end().len() {
                assert!(
                    result.is_err(),
                    "{rel} cut to {} bytes parsed",
                    damaged.len()
                );
            }
        }
    }
}
