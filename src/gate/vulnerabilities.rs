//! The `vulnerabilities` gate: security findings and vulnerable dependencies from every
//! scanner, counted by severity (unknown counted as the policy says), minus allowlisted ones,
//! against the limits; an expired allowlist entry fails it by name.

use jiff::Timestamp;

use super::policy::{Evidence, Judged, SecurityFinding};
use super::score::GateOutcome;
use crate::config::gates::{Allow, UnknownAs};
use crate::report::severity::Severity;

pub(super) fn judge(
    evidence: &Evidence,
    [max_critical, max_high]: [u64; 2],
    max_medium: Option<u64>,
    unknown_as: UnknownAs,
    allowlist: &[Allow],
    now: Timestamp,
) -> Judged {
    let medium = max_medium
        .map(|m| format!(", ≤ {m} medium"))
        .unwrap_or_default();
    let threshold = format!("≤ {max_critical} critical, ≤ {max_high} high{medium}");
    let Some(findings) = &evidence.vulnerabilities else {
        let reason =
            "no vulnerability report was given (SARIF, npm audit, cargo audit, pip-audit, Trivy)"
                .to_owned();
        return (
            "vulnerabilities",
            threshold,
            "no report".into(),
            GateOutcome::Inconclusive,
            reason,
        );
    };
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let expired: Vec<String> = allowlist
        .iter()
        .filter(|a| a.expires < today)
        .map(|a| format!("`{}` (expired {})", a.id, a.expires))
        .collect();
    let allowed = |f: &SecurityFinding| {
        allowlist
            .iter()
            .any(|a| a.expires >= today && (a.id == f.id || f.aliases.contains(&a.id)))
    };
    let mut counts = [0u64; 4]; // critical, high, medium, low
    let mut accepted = 0;
    for f in findings {
        if allowed(f) {
            accepted += 1;
            continue;
        }
        let severity = match (f.severity, unknown_as) {
            (Severity::Unknown, UnknownAs::Critical) => Severity::Critical,
            (Severity::Unknown, UnknownAs::High) => Severity::High,
            (Severity::Unknown, UnknownAs::Medium) => Severity::Medium,
            (Severity::Unknown, UnknownAs::Low) => Severity::Low,
            (s, _) => s,
        };
        match severity {
            Severity::Critical => counts[0] += 1,
            Severity::High => counts[1] += 1,
            Severity::Medium => counts[2] += 1,
            Severity::Low => counts[3] += 1,
            Severity::Unknown | Severity::None => {}
        }
    }
    let accepted_note = if accepted > 0 {
        format!(" ({accepted} allowlisted)")
    } else {
        String::new()
    };
    let actual = format!(
        "{} critical, {} high, {} medium, {} low{accepted_note}",
        counts[0], counts[1], counts[2], counts[3]
    );
    let mut over = Vec::new();
    if counts[0] > max_critical {
        over.push(format!("{} critical", counts[0]));
    }
    if counts[1] > max_high {
        over.push(format!("{} high", counts[1]));
    }
    if let Some(m) = max_medium.filter(|m| counts[2] > *m) {
        over.push(format!("{} medium (max {m})", counts[2]));
    }
    if !expired.is_empty() {
        let reason = format!(
            "allowlist entr{} {}: renew with a new reason or fix it",
            if expired.len() == 1 { "y" } else { "ies" },
            expired.join(", ")
        );
        return (
            "vulnerabilities",
            threshold,
            actual,
            GateOutcome::Fail,
            reason,
        );
    }
    if !over.is_empty() {
        return (
            "vulnerabilities",
            threshold,
            actual,
            GateOutcome::Fail,
            format!("too many: {}", over.join(", ")),
        );
    }
    if evidence.unaudited > 0 {
        let reason = format!(
            "{} dependenc{} could not be checked by the scanner",
            evidence.unaudited,
            if evidence.unaudited == 1 { "y" } else { "ies" }
        );
        return (
            "vulnerabilities",
            threshold,
            actual,
            GateOutcome::Inconclusive,
            reason,
        );
    }
    (
        "vulnerabilities",
        threshold,
        actual,
        GateOutcome::Pass,
        "within the limits".into(),
    )
}
