//! The severity scale shared by scanners: SARIF `security-severity`, CVSS scores and the labels
//! of npm audit and Trivy all map onto it.

use serde::Serialize;

/// A finding's severity. `Unknown` means a security finding whose severity the report does not
/// give (pip-audit, an advisory without CVSS); the gate's policy decides how to treat it.
/// `None` means not a security finding at all (a SARIF code-quality result, judged by level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    None,
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The CVSS v3 qualitative rating of a 0.0–10.0 score, the scale GitHub code scanning uses
    /// for SARIF `security-severity`: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium, > 0 low, else none.
    /// A non-finite score is `Unknown`.
    ///
    /// The thresholds are exactly representable in binary, so `f64` comparison is exact here.
    pub fn from_score(score: f64) -> Severity {
        if !score.is_finite() {
            Severity::Unknown
        } else if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counts per security severity (`None` is not counted: it is not a security finding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub unknown: u64,
}

impl SeverityCounts {
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Unknown => self.unknown += 1,
            Severity::None => {}
        }
    }

    pub fn total(&self) -> u64 {
        self.critical + self.high + self.medium + self.low + self.unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_bands_at_their_edges() {
        let cases = [
            (10.0, Severity::Critical),
            (9.0, Severity::Critical),
            (8.9, Severity::High),
            (7.0, Severity::High),
            (6.9, Severity::Medium),
            (4.0, Severity::Medium),
            (3.9, Severity::Low),
            (0.1, Severity::Low),
            (0.0, Severity::None),
            (-1.0, Severity::None),
            (f64::NAN, Severity::Unknown),
        ];
        for (score, want) in cases {
            assert_eq!(Severity::from_score(score), want, "{score}");
        }
    }

    #[test]
    fn counts_ignore_non_security_findings() {
        let mut c = SeverityCounts::default();
        for s in [
            Severity::High,
            Severity::None,
            Severity::Unknown,
            Severity::High,
        ] {
            c.add(s);
        }
        assert_eq!((c.high, c.unknown, c.total()), (2, 1, 3));
    }
}
