//! `coverage-check --explain`: why the judged figure and the producing tool's own headline
//! differ, said in terms of what the parsed reports show (counts, not guesses).
//!
//! Every sentence is backed by numbers from the model; a reason that does not apply to these
//! reports is not mentioned.

use super::coverage::percent;
use crate::report::coverage::{Counter, Coverage, Format, Metric, Native, Tool};

/// The explanation, one sentence per reason, for `coverage` judged on `metric` (`None`: the
/// tool's own figure) with the decisive counter `judged`.
pub fn explain(
    coverage: &Coverage,
    metric: Option<Metric>,
    metric_name: &str,
    judged: Option<Counter>,
) -> Vec<String> {
    let mut out = Vec::new();
    out.push(headline_line(coverage, metric_name, judged));
    if let Some(n) = &coverage.native {
        out.extend(metric_difference(coverage, n, metric));
        out.extend(rounding(n));
    }
    out.extend(merged(coverage));
    out.extend(partial_lines(coverage));
    out.extend(summaries_disagree(coverage));
    out.extend(duplicate_blocks(coverage));
    out.extend(excluded(coverage));
    if out.len() == 1 && coverage.native.is_some() {
        out.push("nothing else differs: both count the same items the same way.".to_owned());
    }
    out
}

fn show(c: Counter) -> String {
    format!(
        "{}/{} = {}",
        c.covered,
        c.total,
        percent(c).map_or_else(|| "nothing measured".to_owned(), |p| format!("{p}%"))
    )
}

fn headline_line(coverage: &Coverage, metric_name: &str, judged: Option<Counter>) -> String {
    let ours = judged.map_or_else(|| "nothing measured".to_owned(), show);
    let theirs = match (&coverage.native, coverage.merged) {
        (Some(n), _) => format!(
            "{} itself reports {}% of {} ({}/{})",
            n.tool,
            n.percent,
            metric_words(n.metric),
            n.covered,
            n.total
        ),
        (None, true) => {
            "there is no tool figure to compare with: no tool printed one for this merge".to_owned()
        }
        (None, false) => match coverage.sources.first().map(|s| s.format) {
            Some(f @ (Format::Lcov | Format::Cobertura)) => format!(
                "there is no tool figure to compare with: the {f} format does not say which \
                 tool wrote the file or which figure that tool printed"
            ),
            _ => "there is no tool figure to compare with".to_owned(),
        },
    };
    format!("decoder-ops judges {metric_name}: {ours}; {theirs}.")
}

fn metric_words(m: Metric) -> &'static str {
    match m {
        Metric::StatementsAndBranches => "statements and branches combined",
        other => other.label(),
    }
}

/// The tool counts something else than the judged metric (coverage.py's statements+branches,
/// JaCoCo's instructions).
fn metric_difference(coverage: &Coverage, n: &Native, metric: Option<Metric>) -> Option<String> {
    let metric = metric?;
    if n.metric == Metric::StatementsAndBranches {
        let statements = coverage
            .totals
            .statements
            .or(coverage.totals.lines)
            .unwrap_or_default();
        let branches = coverage.totals.branches.unwrap_or_default();
        return Some(format!(
            "{} weights branches like statements: its figure is (covered statements + covered \
             branches) / (statements + branches) = ({} + {}) / ({} + {}) = {}, while statements \
             alone are {} and branches alone {}; use --metric native to judge its figure.",
            n.tool,
            statements.covered,
            branches.covered,
            statements.total,
            branches.total,
            show(statements + branches),
            show(statements),
            show(branches)
        ));
    }
    if n.metric == metric {
        return None;
    }
    Some(format!(
        "{} headlines {} ({}/{}), not {}; use --metric native to judge its figure.",
        n.tool,
        metric_words(n.metric),
        n.covered,
        n.total,
        metric_words(metric)
    ))
}

/// The same counter rendered by decoder-ops and by the tool, when the digits differ.
fn rounding(n: &Native) -> Option<String> {
    let c = Counter::new(n.covered, n.total);
    let ours = percent(c)?;
    let rule = match n.tool {
        Tool::CoveragePy => {
            let to = match n.percent.split_once('.').map_or(0, |(_, f)| f.len()) {
                0 => "a whole percent".to_owned(),
                d => format!("{d} decimal(s)"),
            };
            format!("rounds half to even to {to} (0 and 100 only when exact)")
        }
        Tool::LlvmCov => "rounds to two decimals (printf `%.2f`)".to_owned(),
        Tool::Go => "rounds to one decimal (printf `%.1f`)".to_owned(),
        Tool::Istanbul => "truncates to two decimals and drops trailing zeros".to_owned(),
        Tool::Jacoco => "floors to a whole percent".to_owned(),
        Tool::PhpUnit => "rounds to two decimals (PHP `sprintf('%01.2F')`)".to_owned(),
        Tool::SimpleCov => "rounds to two decimals (Ruby `Float#round(2)`)".to_owned(),
        Tool::Gcovr => "rounds to one decimal and shows 100.0 only when exact".to_owned(),
    };
    if trim(&ours) == trim(&n.percent) {
        return None;
    }
    Some(format!(
        "rounding: for the same {}/{}, decoder-ops floors to two decimals: {ours}%; {} {rule}: \
         {}%.",
        n.covered, n.total, n.tool, n.percent
    ))
}

/// `66.50` and `66.5` are the same figure.
fn trim(p: &str) -> &str {
    if p.contains('.') {
        p.trim_end_matches('0').trim_end_matches('.')
    } else {
        p
    }
}

fn merged(coverage: &Coverage) -> Option<String> {
    if !coverage.merged {
        return None;
    }
    let names: Vec<&str> = coverage.sources.iter().map(|s| s.path.as_str()).collect();
    Some(format!(
        "{} reports were merged ({}): hits are summed by file and line, so a line covered in any \
         report is covered once; each report's own totals and its tool's figure no longer apply.",
        names.len(),
        names.join(", ")
    ))
}

/// Covered lines with branches not all taken: a covered line for line metrics, missed branches
/// for branch-weighted ones.
fn partial_lines(coverage: &Coverage) -> Option<String> {
    let (mut lines, mut missed, mut branches) = (0u64, 0u64, 0u64);
    for file in coverage.files.values() {
        for (line, c) in &file.branches {
            let covered_line = file.lines.get(line).is_some_and(|&hits| hits > 0);
            if covered_line && c.covered < c.total {
                lines += 1;
                missed += c.missed();
                branches += c.total;
            }
        }
    }
    (lines > 0).then(|| {
        format!(
            "{lines} line(s) ran but did not take every branch ({missed} of the {branches} \
             branches on them missed): they count as covered lines, while a branch or \
             statement+branch figure counts each missed branch against coverage."
        )
    })
}

/// Per-file line totals written by the tool (lcov `LF`/`LH`) that disagree with its own line
/// records (`DA`), as cargo-llvm-cov's lcov output does.
fn summaries_disagree(coverage: &Coverage) -> Option<String> {
    let s = coverage.stated_lines?;
    let lcov = coverage
        .sources
        .iter()
        .any(|s| s.format == Format::Lcov && !coverage.merged);
    let (summary, records) = if lcov {
        ("`LF`/`LH` summaries", "`DA` records")
    } else {
        ("stated line totals", "line records")
    };
    Some(format!(
        "in {} file(s) the report's {summary} say {} of lines covered, but its {records} \
         give {}: decoder-ops counts the records, as it must when it merges reports (so that a \
         report merged with itself keeps its figure); tools that trust the summaries print the \
         other figure.",
        s.files,
        show(s.stated),
        show(s.records)
    ))
}

fn duplicate_blocks(coverage: &Coverage) -> Option<String> {
    let n: u64 = coverage
        .sources
        .iter()
        .filter_map(|s| s.duplicate_blocks)
        .sum();
    (n > 0).then(|| {
        format!(
            "{n} Go block(s) were listed more than once (a `-coverpkg` profile repeats a \
             package's blocks for every test binary) and were merged as `go tool cover` merges \
             them: counted once, covered when any run covered them. The per-package `coverage:` \
             lines of `go test` count each test binary alone, so they differ; `go tool cover \
             -func` prints this merged total."
        )
    })
}

fn excluded(coverage: &Coverage) -> Option<String> {
    let n: u64 = coverage
        .sources
        .iter()
        .filter_map(|s| s.excluded_lines)
        .sum();
    (n > 0).then(|| {
        format!(
            "{n} line(s) were excluded by the tool's configuration (e.g. `# pragma: no cover`): \
             they count in neither figure."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::coverage::{FileCoverage, ReportSource, Totals, native};
    use std::collections::BTreeMap;

    fn source(format: Format) -> ReportSource {
        ReportSource {
            path: "r".into(),
            format,
            tool: None,
            tool_version: None,
            sha256: String::new(),
            go_mode: None,
            duplicate_blocks: None,
            excluded_lines: None,
            warnings: Vec::new(),
        }
    }

    fn lcov_file(lf: u64, lh: u64, hits: &[u64], branches: &[(u32, Counter)]) -> FileCoverage {
        FileCoverage {
            totals: Totals {
                lines: Some(Counter::new(lh, lf)),
                ..Totals::default()
            },
            lines: (1..).zip(hits.iter().copied()).collect(),
            branches: branches.iter().copied().collect(),
            blocks: Vec::new(),
        }
    }

    #[test]
    fn names_disagreeing_lcov_summaries_and_partial_lines() {
        let mut files = BTreeMap::new();
        // LF/LH say 3 of 4, the DA records 2 of 3; line 1 ran with 1 of 2 branches taken.
        files.insert(
            "a.rs".to_owned(),
            lcov_file(4, 3, &[1, 0, 2], &[(1, Counter::new(1, 2))]),
        );
        let coverage = Coverage {
            sources: vec![source(Format::Lcov)],
            merged: false,
            totals: Totals {
                lines: Some(Counter::new(3, 4)),
                ..Totals::default()
            },
            files,
            native: None,
            stated_lines: Some(crate::report::coverage::StatedLines {
                files: 1,
                stated: Counter::new(3, 4),
                records: Counter::new(2, 3),
            }),
        };
        let text = explain(
            &coverage,
            Some(Metric::Lines),
            "lines",
            Some(Counter::new(3, 4)),
        );
        assert_eq!(
            text[0],
            "decoder-ops judges lines: 3/4 = 75.00%; there is no tool figure to compare with: the \
             lcov format does not say which tool wrote the file or which figure that tool printed."
        );
        assert!(text.iter().any(|l| l.starts_with(
            "1 line(s) ran but did not take every branch (1 of the 2 branches on them missed)"
        )));
        assert!(text.iter().any(|l| l.starts_with(
            "in 1 file(s) the report's `LF`/`LH` summaries say 3/4 = 75.00% of lines covered, but \
             its `DA` records give 2/3 = 66.66%"
        )));
        assert_eq!(text.len(), 3, "{text:#?}");
    }

    #[test]
    fn names_rounding_and_the_other_metric_of_jacoco() {
        let coverage = Coverage {
            sources: vec![source(Format::Jacoco)],
            merged: false,
            totals: Totals {
                lines: Some(Counter::new(2, 3)),
                instructions: Some(Counter::new(199, 200)),
                ..Totals::default()
            },
            files: BTreeMap::new(),
            native: native::headline(
                Tool::Jacoco,
                &Totals {
                    instructions: Some(Counter::new(199, 200)),
                    ..Totals::default()
                },
                None,
            ),
            stated_lines: None,
        };
        let text = explain(
            &coverage,
            Some(Metric::Lines),
            "lines",
            Some(Counter::new(2, 3)),
        );
        assert_eq!(
            text,
            [
                "decoder-ops judges lines: 2/3 = 66.66%; jacoco itself reports 99% of \
                 instructions (199/200).",
                "jacoco headlines instructions (199/200), not lines; use --metric native to \
                 judge its figure.",
                "rounding: for the same 199/200, decoder-ops floors to two decimals: 99.50%; \
                 jacoco floors to a whole percent: 99%.",
            ]
        );
    }
}
