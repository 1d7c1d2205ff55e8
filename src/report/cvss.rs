//! CVSS v3.1 base scores computed from a vector string, for scanners that give only the vector
//! (cargo-audit's JSON carries `advisory.cvss` and no score).
//!
//! Formulas, metric weights and the `Roundup` function are those of the FIRST specification
//! "CVSS v3.1: Specification Document", §7.1–7.4 and Appendix A. Vectors labelled `CVSS:3.0` are
//! scored with the same formulas (the 3.1 revision only made rounding exact); a v2 or v4 vector is
//! refused, and the caller reports an unknown severity rather than a wrong one.

use super::severity::Severity;

/// A base score in tenths (0..=100): integer, so severity bands compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score(u16);

impl Score {
    pub fn tenths(self) -> u16 {
        self.0
    }

    /// For display only.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10.0
    }

    /// The specification's qualitative rating (§5): 9.0–10.0 critical, 7.0–8.9 high,
    /// 4.0–6.9 medium, 0.1–3.9 low, 0.0 none.
    pub fn severity(self) -> Severity {
        match self.0 {
            90.. => Severity::Critical,
            70..=89 => Severity::High,
            40..=69 => Severity::Medium,
            1..=39 => Severity::Low,
            0 => Severity::None,
        }
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// Why a vector cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    #[error("CVSS vector `{0}`: expected the prefix `CVSS:3.1/` (or `CVSS:3.0/`)")]
    Version(String),
    #[error("CVSS vector `{vector}`: `{part}` is not a valid base metric value")]
    Metric { vector: String, part: String },
    #[error("CVSS vector `{vector}`: base metric `{metric}` is missing")]
    Missing {
        vector: String,
        metric: &'static str,
    },
    #[error("CVSS vector `{vector}`: base metric `{metric}` appears twice")]
    Duplicate {
        vector: String,
        metric: &'static str,
    },
}

const BASE: [&str; 8] = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];

/// Computes the base score of a CVSS v3.x vector such as
/// `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H` (7.5). Temporal and environmental metrics,
/// if present, are ignored: the base score is what scanners report.
pub fn base_score(vector: &str) -> Result<Score, CvssError> {
    let rest = vector
        .strip_prefix("CVSS:3.1/")
        .or_else(|| vector.strip_prefix("CVSS:3.0/"))
        .ok_or_else(|| CvssError::Version(vector.to_owned()))?;
    let mut values: [Option<&str>; 8] = [None; 8];
    for part in rest.split('/') {
        let bad = || CvssError::Metric {
            vector: vector.to_owned(),
            part: part.to_owned(),
        };
        let (metric, value) = part.split_once(':').ok_or_else(bad)?;
        let Some(i) = BASE.iter().position(|m| *m == metric) else {
            continue;
        };
        if values[i].replace(value).is_some() {
            return Err(CvssError::Duplicate {
                vector: vector.to_owned(),
                metric: BASE[i],
            });
        }
    }
    let mut weights = [0.0_f64; 8];
    let changed = match values[4] {
        Some("U") => false,
        Some("C") => true,
        Some(other) => {
            return Err(CvssError::Metric {
                vector: vector.to_owned(),
                part: format!("S:{other}"),
            });
        }
        None => {
            return Err(CvssError::Missing {
                vector: vector.to_owned(),
                metric: "S",
            });
        }
    };
    for (i, metric) in BASE.iter().enumerate() {
        let value = values[i].ok_or(CvssError::Missing {
            vector: vector.to_owned(),
            metric,
        })?;
        weights[i] = weight(metric, value, changed).ok_or_else(|| CvssError::Metric {
            vector: vector.to_owned(),
            part: format!("{metric}:{value}"),
        })?;
    }
    let [av, ac, pr, ui, _, c, i, a] = weights;
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Ok(Score(0));
    }
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Ok(Score(roundup_tenths(raw)))
}

/// Base metric weights, §7.4. Privileges Required weighs more when the scope changes.
fn weight(metric: &str, value: &str, changed: bool) -> Option<f64> {
    Some(match (metric, value) {
        ("AV", "N") => 0.85,
        ("AV", "A") => 0.62,
        ("AV", "L") => 0.55,
        ("AV", "P") => 0.2,
        ("AC", "L") => 0.77,
        ("AC", "H") => 0.44,
        ("PR", "N") => 0.85,
        ("PR", "L") if changed => 0.68,
        ("PR", "L") => 0.62,
        ("PR", "H") if changed => 0.5,
        ("PR", "H") => 0.27,
        ("UI", "N") => 0.85,
        ("UI", "R") => 0.62,
        ("S", "U" | "C") => 0.0,
        ("C" | "I" | "A", "H") => 0.56,
        ("C" | "I" | "A", "L") => 0.22,
        ("C" | "I" | "A", "N") => 0.0,
        _ => return None,
    })
}

/// `Roundup` of CVSS v3.1 Appendix A, returning tenths: the smallest one-decimal number ≥ the
/// input, computed on an integer of 1/100000 units so that floating-point noise such as
/// 4.000000000000001 rounds to 4.0, not 4.1.
fn roundup_tenths(input: f64) -> u16 {
    // Inputs are in 0.0..=10.0 here, so the integer fits comfortably.
    let int_input = (input * 100_000.0).round() as u32;
    let tenths = if int_input.is_multiple_of(10_000) {
        int_input / 10_000
    } else {
        int_input / 10_000 + 1
    };
    tenths.min(100) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(v: &str) -> String {
        base_score(v).unwrap().to_string()
    }

    #[test]
    fn the_cargo_audit_fixture_vectors_score_as_cargo_audit_printed() {
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"), "7.5");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "9.8");
        assert_eq!(score("CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"), "6.2");
    }

    #[test]
    fn scope_changed_and_published_reference_scores() {
        // Scores published by NVD / the FIRST calculator for these vectors.
        assert_eq!(
            score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
            "10.0"
        );
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), "6.1");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N"), "6.4");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"), "8.8");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"), "7.2");
        assert_eq!(score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"), "5.5");
        assert_eq!(score("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"), "5.9");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), "0.0");
    }

    #[test]
    fn order_and_extra_metrics_do_not_matter() {
        assert_eq!(
            score("CVSS:3.1/A:H/I:N/C:N/S:U/UI:N/PR:N/AC:L/AV:N/E:P/RL:O"),
            "7.5"
        );
    }

    #[test]
    fn roundup_follows_appendix_a() {
        assert_eq!(roundup_tenths(4.0), 40);
        assert_eq!(roundup_tenths(4.000_000_000_000_001), 40);
        assert_eq!(roundup_tenths(4.02), 41);
        assert_eq!(roundup_tenths(4.000_01), 41);
        assert_eq!(roundup_tenths(0.0), 0);
        assert_eq!(roundup_tenths(10.0), 100);
    }

    #[test]
    fn severity_bands_are_integer() {
        let s = |t| Score(t).severity();
        assert_eq!(
            [s(100), s(90), s(89), s(70), s(69), s(40), s(39), s(1), s(0)],
            [
                Severity::Critical,
                Severity::Critical,
                Severity::High,
                Severity::High,
                Severity::Medium,
                Severity::Medium,
                Severity::Low,
                Severity::Low,
                Severity::None
            ]
        );
    }

    #[test]
    fn bad_vectors_are_refused_not_guessed() {
        use CvssError::*;
        let err = |v| base_score(v).unwrap_err();
        assert!(matches!(err("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Version(_)));
        assert!(matches!(
            err("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Version(_)
        ));
        assert!(matches!(
            err("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N"),
            Missing { metric: "A", .. }
        ));
        assert!(matches!(
            err("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"),
            Metric { .. }
        ));
        assert!(matches!(
            err("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"),
            Duplicate { metric: "AV", .. }
        ));
        assert!(matches!(err("CVSS:3.1/AV:N/garbage"), Metric { .. }));
        assert!(matches!(
            err("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:Q/C:N/I:N/A:H"),
            Metric { .. }
        ));
        assert!(matches!(err(""), Version(_)));
    }
}
