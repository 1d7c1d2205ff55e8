//! coverage-check's human-readable outputs: the job summary's Markdown, the terminal's account
//! of unmatched report paths, and the small formatting helpers both share. Pure: strings in,
//! strings out.

use serde::Serialize;

use crate::gate::coverage::{self as cov, Patch};
use crate::gate::paths::SHOWN;
use crate::outcome::Verdict;
use crate::report::coverage::{Counter, Coverage, Totals};

/// One threshold and how it went.
#[derive(Debug, Serialize)]
pub struct Check {
    pub name: String,
    pub threshold: String,
    pub actual: String,
    pub verdict: Verdict,
}

/// The metrics a report carries, named, in display order.
pub fn named_totals(t: &Totals) -> Vec<(&'static str, Counter)> {
    [
        ("lines", t.lines),
        ("branches", t.branches),
        ("functions", t.functions),
        ("statements", t.statements),
        ("regions", t.regions),
        ("instructions", t.instructions),
    ]
    .into_iter()
    .filter_map(|(n, c)| Some((n, c?)))
    .collect()
}

/// `66.66%`, or `–` when nothing is measured.
pub fn pct(c: Option<Counter>) -> String {
    c.and_then(cov::percent)
        .map_or_else(|| "–".to_owned(), |p| format!("{p}%"))
}

pub fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✅",
        Verdict::Fail => "❌",
        _ => "❔",
    }
}

/// The terminal's account of report paths that name no tracked file: how many, the first
/// [`SHOWN`] one per line, and the likely `--path-fix`; `--json` lists them all.
pub fn unmatched_summary(paths: &[&str], fix: Option<&(String, String)>) -> Vec<String> {
    if paths.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![format!(
        "{} report path(s) not found in the repository (kept as the reports name them; --json lists them all):",
        paths.len()
    )];
    lines.extend(paths.iter().take(SHOWN).map(|p| format!("  {p}")));
    if paths.len() > SHOWN {
        lines.push(format!("  … and {} more", paths.len() - SHOWN));
    }
    lines.push(match fix {
        Some((before, after)) => format!(
            "  likely fix: --path-fix '{before}={after}' (rewrites the leading `{before}` of report paths)"
        ),
        None => "  no prefix rewrite makes them tracked files; if the reports were made from another checkout, see --path-fix in docs/coverage-check.md".to_owned(),
    });
    lines
}

pub fn summary(
    metric: &str,
    headline: Option<Counter>,
    merged: &Coverage,
    patch: Option<&Patch>,
    checks: &[Check],
    inconclusive: &[String],
    verdict: Verdict,
) -> String {
    let mut md = format!(
        "### Coverage: {} {} ({metric})\n\n| metric | covered | total | % |\n|---|---|---|---|\n",
        mark(verdict),
        pct(headline)
    );
    for (name, c) in named_totals(&merged.totals) {
        md.push_str(&format!(
            "| {name} | {} | {} | {} |\n",
            c.covered,
            c.total,
            pct(Some(c))
        ));
    }
    if let Some(p) = patch {
        md.push_str(&format!(
            "\n**Patch:** {} of {} measured added lines covered ({})\n",
            p.covered,
            p.measured,
            pct(Some(p.counter()))
        ));
        if !p.uncovered.is_empty() {
            md.push_str("\n| file | uncovered added lines |\n|---|---|\n");
            for (file, ranges) in &p.uncovered {
                let r: Vec<String> = ranges
                    .iter()
                    .map(|(a, b)| {
                        if a == b {
                            a.to_string()
                        } else {
                            format!("{a}–{b}")
                        }
                    })
                    .collect();
                md.push_str(&format!(
                    "| `{}` | {} |\n",
                    file.replace('|', "\\|"),
                    r.join(", ")
                ));
            }
        }
    }
    if !checks.is_empty() {
        md.push_str("\n| check | threshold | actual | |\n|---|---|---|---|\n");
        for c in checks {
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                c.name.replace('|', "\\|"),
                c.threshold,
                c.actual,
                mark(c.verdict)
            ));
        }
    }
    for i in inconclusive {
        md.push_str(&format!("\n❔ {}\n", i.replace('|', "\\|")));
    }
    md
}
