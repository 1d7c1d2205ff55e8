//! `decoder-ops coverage-check`: coverage reports → totals as the producing tool computes them,
//! patch coverage of the change, thresholds → verdict, rendered to every sink.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::Session;
use super::coverage_check_inputs::{
    Skipped, drop_check, missing_checks, no_reports, read_reports, skipped_summary,
};
use crate::cli::{CoverageArgs, CoverageMetric};
use crate::diff::{self, ChangedLines};
use crate::diff_base::Base;
use crate::error::{Error, ExitCode};
use crate::gate::coverage::{self as cov, Patch, Pct};
use crate::gate::paths::{self, PathIndex};
use crate::github::runtime::Annotation;
use crate::outcome::{Outcome, Verdict};
use crate::render::coverage::{Check, mark, named_totals, pct, summary, unmatched_summary};
use crate::report::coverage::{
    self, Counter, Coverage, FileCoverage, Metric, Native, ReportSource, Totals,
};

/// Worst files listed in the terminal and the summary.
const WORST_FILES: usize = 5;

#[derive(Debug, Serialize)]
struct Details<'a> {
    metric: &'static str,
    /// The decisive figure: the chosen metric's covered/total and its floored percentage.
    coverage: Option<Counter>,
    percent: Option<String>,
    merged: bool,
    totals: Totals,
    native: Option<Native>,
    reports: Vec<ReportSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    patch: Option<PatchOut>,
    /// Why patch coverage was not judged: no usable base commit, or nothing to measure.
    #[serde(skip_serializing_if = "Option::is_none")]
    patch_skipped: Option<String>,
    unmatched_report_paths: Vec<&'a str>,
    /// A `--path-fix BEFORE=AFTER` that would make some unmatched paths tracked files.
    #[serde(skip_serializing_if = "Option::is_none")]
    path_fix_suggestion: Option<String>,
    checks: Vec<Check>,
    /// `--explain`: why the figure and the tool's own headline differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<Vec<String>>,
    files: FileTotals<'a>,
}

/// Each file's totals, serialized from the model in place (a copy of them was a fifth of the
/// peak memory on a 50 MB report).
#[derive(Debug)]
struct FileTotals<'a>(&'a BTreeMap<String, FileCoverage>);

impl Serialize for FileTotals<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(path, file)| (path, &file.totals)))
    }
}

#[derive(Debug, Serialize)]
struct PatchOut {
    covered: u64,
    measured: u64,
    added: u64,
    percent: Option<String>,
    unmeasured_files: Vec<String>,
    uncovered: BTreeMap<String, Vec<(u32, u32)>>,
}

pub fn run(args: CoverageArgs, session: &mut Session) -> Result<ExitCode, Error> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut checkout = diff::checkout(&cwd).unwrap_or_default();
    let index = PathIndex::new(std::mem::take(&mut checkout.files));

    // Globs are expanded here; a pattern that names no file fails the check by name.
    let resolved = super::inputs::resolve(&args.reports)?;
    if resolved.files.is_empty() {
        return no_reports(&args, &resolved.missing, session);
    }
    let (reports, rewrites) =
        read_reports(&resolved.files, &args, session, &cwd, &checkout, &index)?;
    let merged = coverage::merge(reports)?;
    let (changed, mut skipped) = changed_lines(&args, &checkout.prefix, &merged.files)?;
    let unmatched = paths::unmatched(&merged.files, &index);
    let suggested_fix = rewrites.suggest_fix(&unmatched, &index);

    let (metric, metric_name) = pick_metric(args.metric, &merged.totals);
    let headline = match metric {
        Some(m) => merged.totals.get(m),
        None => merged
            .native
            .as_ref()
            .map(|n| Counter::new(n.covered, n.total)),
    };
    let patch = changed.as_ref().map(|c| cov::patch(&merged.files, c));
    let explanation = args
        .explain
        .then(|| crate::gate::explain::explain(&merged, metric, metric_name, headline));

    let mut checks = missing_checks(&resolved.missing);
    let mut inconclusive = Vec::new();
    match headline {
        Some(c) if c.total > 0 => {
            if let Some(min) = args.min {
                checks.push(check(format!("total {metric_name}"), min, c));
            }
        }
        _ => inconclusive.push(format!(
            "the reports measure no {metric_name}: nothing to judge (0 measured is not 100%)"
        )),
    }
    if let Some(min) = args.min_file {
        checks.extend(min_file_checks(&merged.files, metric, min));
    }
    if let Some(p) = &patch {
        if !p.unmeasured_files.is_empty() && !args.allow_unmeasured {
            inconclusive.push(format!(
                "changed source files have no measured lines in the reports (do report paths match the repository? see --path-fix): {}",
                p.unmeasured_files.join(", ")
            ));
        }
        if let Some(min) = args.min_patch {
            if p.measured == 0 && p.unmeasured_files.is_empty() {
                // Only files the reports do not cover changed (docs, config): nothing to judge.
                skipped = Some(Skipped::nothing_to_measure());
            } else if p.measured == 0 {
                inconclusive.push("the change adds no line the reports measure".into());
            } else {
                checks.push(check("patch".into(), min, p.counter()));
            }
        }
    }
    if let (Some(baseline), Some(max_drop), Some(c)) = (&args.baseline, args.max_drop, headline) {
        checks.push(drop_check(baseline, metric_name, max_drop, c)?);
    }

    let failed = checks.iter().any(|c| c.verdict == Verdict::Fail);
    let verdict = if failed {
        Verdict::Fail
    } else if !inconclusive.is_empty() {
        Verdict::Inconclusive
    } else {
        Verdict::Pass
    };

    // Sinks.
    let percent = headline.and_then(cov::percent);
    let patch_percent = patch.as_ref().and_then(|p| cov::percent(p.counter()));
    render_terminal(
        session,
        metric_name,
        headline,
        &merged,
        patch.as_ref(),
        &checks,
        &inconclusive,
        &unmatched_summary(&unmatched, suggested_fix.as_ref()),
        explanation.as_deref(),
        verdict,
    );
    if let Some(why) = &skipped {
        session.say(&format!(
            "patch coverage skipped: {} ({})",
            why.what, why.detail
        ));
    }
    if let Some(p) = &patch {
        annotate_uncovered(session, p)?;
    }
    let md = summary(
        metric_name,
        headline,
        &merged,
        patch.as_ref(),
        &checks,
        &inconclusive,
        verdict,
    ) + &skipped_summary(skipped.as_ref());
    session.runtime.append_summary(&md)?;
    if !args.no_comment
        && let Some(line) = super::pr_comment::upsert(session, "coverage", &md)
    {
        session.say(&line);
    }
    session
        .runtime
        .set_output("coverage", percent.as_deref().unwrap_or(""))?;
    session
        .runtime
        .set_output("patch-coverage", patch_percent.as_deref().unwrap_or(""))?;
    session.runtime.set_output("verdict", verdict.as_str())?;
    session
        .runtime
        .set_output("exit-code", &verdict.exit_code().to_string())?;
    if let Some(json) = &args.json {
        session
            .runtime
            .set_output("result", &json.display().to_string())?;
    }
    if let Some(badge) = &args.badge {
        let (value, colour) = match headline.filter(|c| c.total > 0) {
            Some(c) => {
                let hundredths =
                    u32::try_from(u128::from(c.covered) * 10_000 / u128::from(c.total))
                        .unwrap_or(0);
                (
                    format!("{}%", percent.as_deref().unwrap_or("0")),
                    crate::render::badge::color(hundredths),
                )
            }
            None => ("unknown".to_owned(), "#9f9f9f"),
        };
        crate::render::json::write_atomic(
            badge,
            &crate::render::badge::svg("coverage", &value, colour),
        )?;
    }
    let exit_code = verdict.exit_code();
    if let Some(target) = &args.json {
        write_result(
            target,
            session,
            verdict,
            Details {
                metric: metric_name,
                coverage: headline,
                percent,
                merged: merged.merged,
                totals: merged.totals,
                native: merged.native.clone(),
                reports: merged.sources.clone(),
                patch: patch.map(|p| PatchOut {
                    covered: p.covered,
                    measured: p.measured,
                    added: p.added,
                    percent: patch_percent,
                    unmeasured_files: p.unmeasured_files,
                    uncovered: p.uncovered,
                }),
                patch_skipped: skipped.map(|s| format!("{}: {}", s.what, s.detail)),
                unmatched_report_paths: unmatched,
                path_fix_suggestion: suggested_fix
                    .map(|(before, after)| format!("{before}={after}")),
                checks,
                explanation,
                files: FileTotals(&merged.files),
            },
        )?;
    }
    // Freeing a 50 MB report's per-line maps node by node takes a tenth of the run, and the
    // process exits right after this; the OS takes the memory back at once.
    std::mem::forget(merged);
    Ok(exit_code)
}

fn write_result(
    target: &Path,
    session: &mut Session,
    verdict: Verdict,
    details: Details<'_>,
) -> Result<(), Error> {
    super::write_json(
        target,
        &Outcome::new("coverage-check", verdict, details),
        session,
    )
}

/// The change's added lines, repository-relative, or why there is no base to take them from
/// (then patch coverage is skipped and the verdict rests on the totals). From a package
/// directory of a monorepo only that package's files are judged, and any other file the reports
/// measure.
fn changed_lines(
    args: &CoverageArgs,
    prefix: &str,
    measured: &BTreeMap<String, FileCoverage>,
) -> Result<(Option<ChangedLines>, Option<Skipped>), Error> {
    let repo = Path::new(".");
    let asked = match (&args.diff_file, &args.base) {
        (Some(file), _) => {
            return Ok((Some(within(diff::from_file(file)?, prefix, measured)), None));
        }
        (None, Some(base)) => base,
        (None, None) => return Ok((None, None)),
    };
    let base = match crate::diff_base::resolve(repo, asked) {
        Base::Ref(base) => base,
        Base::Missing(why) => return Ok((None, Some(Skipped::no_base(why)))),
    };
    match diff::from_git(repo, &base) {
        Ok(changed) => Ok((Some(within(changed, prefix, measured)), None)),
        // A shallow clone holds the base but not its history with HEAD.
        Err(e @ diff::DiffError::MissingBase { .. }) => {
            Ok((None, Some(Skipped::no_base(e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}

/// From a monorepo package's directory (`prefix`), the changed files of that package and any
/// other file the reports measure.
fn within(
    mut changed: ChangedLines,
    prefix: &str,
    measured: &BTreeMap<String, FileCoverage>,
) -> ChangedLines {
    if !prefix.is_empty() {
        changed
            .files
            .retain(|path, _| path.starts_with(prefix) || measured.contains_key(path));
    }
    changed
}

/// The metric to judge: the one asked for, or lines — statements for formats without lines (Go).
fn pick_metric(asked: Option<CoverageMetric>, totals: &Totals) -> (Option<Metric>, &'static str) {
    match asked {
        Some(CoverageMetric::Lines) => (Some(Metric::Lines), "lines"),
        Some(CoverageMetric::Branches) => (Some(Metric::Branches), "branches"),
        Some(CoverageMetric::Functions) => (Some(Metric::Functions), "functions"),
        Some(CoverageMetric::Statements) => (Some(Metric::Statements), "statements"),
        Some(CoverageMetric::Native) => (None, "native"),
        None if totals.lines.is_none() && totals.statements.is_some() => {
            (Some(Metric::Statements), "statements")
        }
        None => (Some(Metric::Lines), "lines"),
    }
}

/// `--min-file`: one failing check per file below `min` on the judged metric, or one passing
/// check for them all.
fn min_file_checks(
    files: &BTreeMap<String, FileCoverage>,
    metric: Option<Metric>,
    min: Pct,
) -> Vec<Check> {
    let mut checks = Vec::new();
    for (path, file) in files {
        let c = cov::file_counter(file, metric).unwrap_or_default();
        if c.total > 0 && !min.holds(c) {
            checks.push(check(format!("file {path}"), min, c));
        }
    }
    if checks.is_empty() {
        checks.push(Check {
            name: "every file".into(),
            threshold: format!("≥ {min}"),
            actual: "all files meet it".into(),
            verdict: Verdict::Pass,
        });
    }
    checks
}

fn check(name: String, min: Pct, c: Counter) -> Check {
    let verdict = if min.holds(c) {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    let actual = format!(
        "{}% ({}/{})",
        cov::percent(c).unwrap_or_else(|| "–".into()),
        c.covered,
        c.total
    );
    Check {
        name,
        threshold: format!("≥ {min}"),
        actual,
        verdict,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename the arguments"
)]
fn render_terminal(
    session: &mut Session,
    metric: &str,
    headline: Option<Counter>,
    merged: &Coverage,
    patch: Option<&Patch>,
    checks: &[Check],
    inconclusive: &[String],
    unmatched: &[String],
    explanation: Option<&[String]>,
    verdict: Verdict,
) {
    let merged_note = if merged.merged {
        format!(" (merged from {} reports)", merged.sources.len())
    } else {
        String::new()
    };
    session.say(&format!(
        "coverage ({metric}): {}{merged_note}",
        pct(headline)
    ));
    for (name, c) in named_totals(&merged.totals) {
        session.say(&format!(
            "  {name:<12} {:>8}  {}/{}",
            pct(Some(c)),
            c.covered,
            c.total
        ));
    }
    for warning in merged.sources.iter().flat_map(|s| &s.warnings) {
        session.say(&format!("warning: {warning}"));
    }
    if let Some(n) = &merged.native {
        session.say(&format!(
            "  {} itself reports {}% ({})",
            n.tool,
            n.percent,
            n.metric.label()
        ));
    }
    if let Some(lines) = explanation {
        session.say("why the figures differ:");
        for line in lines {
            session.say(&format!("  - {line}"));
        }
    }
    if let Some(p) = patch {
        session.say(&format!(
            "patch: {} of {} added lines measured, {} covered ({})",
            p.measured,
            p.added,
            p.covered,
            pct(Some(p.counter()))
        ));
    }
    // The few lowest, kept while scanning: sorting every file of a large report would add a
    // list of all of them to the peak memory.
    let rank = |c: &Counter| u128::from(c.covered) * 1_000_000 / u128::from(c.total);
    let mut worst: Vec<(&String, Counter)> = Vec::with_capacity(WORST_FILES + 1);
    let mut measured = 0usize;
    for (path, file) in &merged.files {
        let c = cov::file_counter(file, None).unwrap_or_default();
        if c.total == 0 {
            continue;
        }
        measured += 1;
        // After equals, as a stable sort would put it.
        let at = worst.partition_point(|(_, w)| rank(w) <= rank(&c));
        if at < WORST_FILES {
            worst.insert(at, (path, c));
            worst.truncate(WORST_FILES);
        }
    }
    if measured > 1 {
        session.say("worst files:");
        for (path, c) in worst.iter().take(WORST_FILES) {
            session.say(&format!("  {:>8}  {path}", pct(Some(*c))));
        }
    }
    for line in unmatched {
        session.say(line);
    }
    for c in checks {
        session.say(&format!(
            "{} {}: {} (threshold {})",
            mark(c.verdict),
            c.name,
            c.actual,
            c.threshold
        ));
    }
    for i in inconclusive {
        session.say(&format!("❔ {i}"));
    }
    session.say(&format!("coverage-check: {verdict}"));
}

fn annotate_uncovered(session: &mut Session, p: &Patch) -> Result<(), Error> {
    for (file, ranges) in &p.uncovered {
        for (start, end) in ranges {
            let what = if start == end {
                format!("line {start}")
            } else {
                format!("lines {start}–{end}")
            };
            let a = Annotation::warning(format!("added {what} not covered by tests"))
                .title("uncovered change")
                .file(file.clone())
                .line(*start)
                .end_line(*end);
            session.runtime.annotate(a)?;
        }
    }
    Ok(())
}
