//! `coverage-check`'s inputs: report files read with their paths resolved to repository files,
//! report patterns that named no file (a failed check, never a pass), a patch measurement
//! skipped for want of a base, and the `--baseline` result a drop is measured from.

use std::path::{Path, PathBuf};

use super::Session;
use crate::cli::CoverageArgs;
use crate::diff::Checkout;
use crate::error::{Error, ExitCode};
use crate::gate::configured::missing_reason;
use crate::gate::coverage::Pct;
use crate::gate::paths::{PathIndex, Resolver, Rewrites};
use crate::outcome::{Outcome, Verdict};
use crate::render::coverage::Check;
use crate::report::coverage::{self, Counter, CoverageReport};

/// Reads every report and resolves its file paths to the repository's (see
/// [`crate::gate::paths`]).
pub(super) fn read_reports(
    files: &[PathBuf],
    args: &CoverageArgs,
    session: &Session,
    cwd: &Path,
    checkout: &Checkout,
    index: &PathIndex,
) -> Result<(Vec<CoverageReport>, Rewrites), Error> {
    let cwd = cwd.display().to_string();
    let workspace = session.env.get("GITHUB_WORKSPACE").unwrap_or_default();
    // The checkout's root first: a path under it is then relative to the root, also when the
    // command runs in a package directory below it.
    let roots = [checkout.root.as_str(), workspace, cwd.as_str()];
    let resolver = Resolver::new(&args.path_fix, &roots, &checkout.prefix, index);
    let mut rewrites = Rewrites::default();
    let mut reports = Vec::with_capacity(files.len());
    for path in files {
        let mut report = coverage::parse_file(path, args.format)?;
        rewrites.resolve_report(&mut report, &resolver);
        reports.push(report);
    }
    Ok((reports, rewrites))
}

/// One failed check per report pattern that named no file.
pub(super) fn missing_checks(missing: &[String]) -> Vec<Check> {
    missing
        .iter()
        .map(|pattern| Check {
            name: format!("report {pattern}"),
            threshold: "a file matches".into(),
            actual: missing_reason(pattern, "the test step"),
            verdict: Verdict::Fail,
        })
        .collect()
}

/// No report pattern named a file: nothing to measure, and the gate fails saying which
/// patterns and which step should have written them.
pub(super) fn no_reports(
    args: &CoverageArgs,
    missing: &[String],
    session: &mut Session,
) -> Result<ExitCode, Error> {
    let checks = missing_checks(missing);
    let mut md = "### Coverage: ❌ no report\n\n".to_owned();
    for c in &checks {
        session.say(&format!("❌ {}", c.actual));
        md.push_str(&format!("- ❌ {}\n", c.actual.replace('|', "\\|")));
    }
    session.say("coverage-check: fail");
    session.runtime.append_summary(&md)?;
    for (name, value) in [
        ("coverage", ""),
        ("patch-coverage", ""),
        ("verdict", Verdict::Fail.as_str()),
    ] {
        session.runtime.set_output(name, value)?;
    }
    session
        .runtime
        .set_output("exit-code", &Verdict::Fail.exit_code().to_string())?;
    if let Some(target) = &args.json {
        session
            .runtime
            .set_output("result", &target.display().to_string())?;
        let details = serde_json::json!({ "reports": [], "checks": checks });
        super::write_json(
            target,
            &Outcome::new("coverage-check", Verdict::Fail, details),
            session,
        )?;
    }
    Ok(Verdict::Fail.exit_code())
}

/// Why patch coverage was not judged; the verdict then rests on the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Skipped {
    /// `no base` or `nothing to measure`.
    pub(super) what: &'static str,
    pub(super) detail: String,
}

impl Skipped {
    pub(super) fn no_base(why: String) -> Skipped {
        Skipped {
            what: "no base",
            detail: why,
        }
    }

    pub(super) fn nothing_to_measure() -> Skipped {
        Skipped {
            what: "nothing to measure",
            detail:
                "the change adds no line the reports measure (only files they do not cover changed)"
                    .into(),
        }
    }
}

/// The summary's line for a skipped patch measurement.
pub(super) fn skipped_summary(skipped: Option<&Skipped>) -> String {
    skipped
        .map(|s| {
            format!(
                "\n**Patch coverage skipped: {}** — {}. The verdict rests on the total.\n",
                s.what,
                s.detail.replace('|', "\\|")
            )
        })
        .unwrap_or_default()
}

/// `--max-drop` against a previous `--json` result (e.g. from the default branch).
pub(super) fn drop_check(
    baseline: &Path,
    metric: &str,
    max_drop: Pct,
    now: Counter,
) -> Result<Check, Error> {
    let shown = baseline.display().to_string();
    let bad = |m: String| {
        Error::Usage(format!(
            "--baseline `{shown}`: {m}; expected a `coverage-check --json` result"
        ))
    };
    let bytes = std::fs::read(baseline).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| bad(format!("line {}, column {}: {e}", e.line(), e.column())))?;
    let c = &v["coverage"];
    let (Some(covered), Some(total)) = (c["covered"].as_u64(), c["total"].as_u64()) else {
        return Err(bad("no `coverage.covered` / `coverage.total`".into()));
    };
    if v["metric"].as_str() != Some(metric) {
        return Err(bad(format!(
            "it measured {}, this run measures {metric}",
            v["metric"]
        )));
    }
    // Drop in hundredths of a point, integer: before - now, both floored to hundredths.
    let h = |c: u64, t: u64| {
        if t == 0 {
            0
        } else {
            (u128::from(c) * 10_000 / u128::from(t)) as i64
        }
    };
    let drop = h(covered, total) - h(now.covered, now.total);
    let verdict = if drop > i64::from(max_drop.0) {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    let sign = if drop > 0 { "-" } else { "+" };
    Ok(Check {
        name: "drop from baseline".into(),
        threshold: format!("≤ {max_drop} points"),
        actual: format!("{sign}{}.{:02} points", drop.abs() / 100, drop.abs() % 100),
        verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_patterns_fail_by_name() {
        let checks = missing_checks(&["coverage/lcov.info".to_owned()]);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].verdict, Verdict::Fail);
        assert_eq!(
            checks[0].actual,
            "no file matches coverage/lcov.info — did the test step run?"
        );
        assert!(skipped_summary(None).is_empty());
        let no_base = Skipped::no_base("x".into());
        assert!(
            skipped_summary(Some(&no_base)).contains("**Patch coverage skipped: no base** — x.")
        );
    }
}
