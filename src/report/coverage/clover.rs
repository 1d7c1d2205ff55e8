//! Clover XML as PHPUnit (php-code-coverage `Report\Clover`) and istanbul's `clover` reporter
//! (nyc, c8, jest) write it, read event by event.
//!
//! Shape: `<coverage generated [clover]><project><metrics/>[<package>]<file name [path]>
//! [<class><metrics/></class>]<line num count type [truecount falsecount]/><metrics/></file>
//! </project></coverage>`; a `<metrics>` element describes the element it sits directly in
//! (PHPUnit writes it last, istanbul first).
//!
//! - Statements: `statements`/`coveredstatements`; branches: `conditionals`/
//!   `coveredconditionals`; functions: `methods`/`coveredmethods` — the project's `<metrics>`
//!   for the report, each file's for the file. PHPUnit counts a method as covered only when all
//!   its lines ran, which is what these attributes say, so they are taken as written.
//! - Lines: the `<line type="stmt">` and `type="cond"` elements (one per executable line, with
//!   its hit `count`); `type="method"` lines mark declarations and are not lines of the figure.
//!   That is PHPUnit's "Lines" figure and istanbul's "% Lines".
//! - Per-line branches: istanbul's `cond` lines carry the branches covered (`truecount`) and not
//!   covered (`falsecount`); in OpenClover they are how often the condition was true and false,
//!   so there a line has two branches, each covered when its count is above zero.
//! - Paths: `path` when present (istanbul), else `name` (PHPUnit writes the full path there).
//! - A `<metrics>` attribute that is not a whole number is a warning and the figure is counted
//!   from the `<line>` records instead.
//!
//! Tool: istanbul marks its reports `clover="3.2.0"` and names the project "All files"; PHPUnit
//! writes no `clover` attribute and a `crap` attribute on method lines. Their headline figures
//! are lines (see [`super::native`]).

use std::collections::BTreeMap;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use super::input::excerpt;
use super::merge::absorb;
use super::model::{Counter, FileCoverage, Tool, Totals, collect_branches, collect_lines};
use super::native;
use super::parse::Parsed;
use super::source::Source;
use super::xml::{Here, XmlReader, attributes, required_number, tolerant_number};
use crate::report::ReportError;

/// The element a `<metrics>` belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Root,
    Project,
    Package,
    File,
    Other,
}

/// The `<file>` being read.
#[derive(Default)]
struct File {
    path: String,
    metrics: Option<Totals>,
    lines: Vec<(u32, u64)>,
    branches: Vec<(u32, Counter)>,
}

#[derive(Default)]
struct State {
    scopes: Vec<Scope>,
    file: Option<File>,
    files: BTreeMap<String, FileCoverage>,
    project: Option<Totals>,
    clover_attr: Option<String>,
    project_name: Option<String>,
    crap: bool,
    warnings: Vec<String>,
}

pub(super) fn parse<R: Read>(name: &str, source: &mut Source<R>) -> Result<Parsed, ReportError> {
    let mut xml = XmlReader::new(name, source);
    let mut st = State::default();
    loop {
        let (event, here) = xml.next()?;
        match event {
            Event::Start(e) => {
                let scope = start(&e, here, &mut st)?;
                st.scopes.push(scope);
            }
            Event::Empty(e) => {
                let scope = start(&e, here, &mut st)?;
                end(&mut st, scope);
            }
            Event::End(_) => {
                let scope = st.scopes.pop().unwrap_or(Scope::Other);
                end(&mut st, scope);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    finish(st)
}

/// Handles an opening (or empty) element; returns the scope it opens.
fn start(e: &BytesStart<'_>, here: Here<'_>, st: &mut State) -> Result<Scope, ReportError> {
    let element = e.name().0;
    let Some(&parent) = st.scopes.last() else {
        if element != "coverage" {
            return Err(here.error(format!(
                "expected the Clover root element `<coverage>`, found `<{}>`",
                excerpt(element)
            )));
        }
        let [clover] = attributes(e, ["clover"], here)?;
        st.clover_attr = clover.map(|c| c.into_owned());
        return Ok(Scope::Root);
    };
    Ok(match (parent, element) {
        (Scope::Root, "project") => {
            let [name] = attributes(e, ["name"], here)?;
            st.project_name = name.map(|n| n.into_owned());
            Scope::Project
        }
        (Scope::Project, "package") => Scope::Package,
        (Scope::Project | Scope::Package, "file") => {
            let [name, path] = attributes(e, ["name", "path"], here)?;
            let path = path.or(name).filter(|p| !p.is_empty()).ok_or_else(|| {
                here.error("`<file>` has neither a `path` nor a `name` attribute")
            })?;
            st.file = Some(File {
                path: path.into_owned(),
                ..File::default()
            });
            Scope::File
        }
        (Scope::File, "line") => {
            line(e, here, st)?;
            Scope::Other
        }
        (Scope::Project | Scope::File, "metrics") => {
            let totals = metrics(e, here, &mut st.warnings)?;
            match parent {
                Scope::Project => st.project = Some(totals),
                _ => {
                    if let Some(file) = st.file.as_mut() {
                        file.metrics = Some(totals);
                    }
                }
            }
            Scope::Other
        }
        _ => Scope::Other,
    })
}

/// `<line num="10" count="3" type="cond" truecount="1" falsecount="1"/>`.
fn line(e: &BytesStart<'_>, here: Here<'_>, st: &mut State) -> Result<(), ReportError> {
    let [num, count, kind, truecount, falsecount, crap] = attributes(
        e,
        ["num", "count", "type", "truecount", "falsecount", "crap"],
        here,
    )?;
    let Some(file) = st.file.as_mut() else {
        return Ok(());
    };
    let num = required_number(num.as_deref(), "line", "num", here)?;
    let num =
        u32::try_from(num).map_err(|_| here.error(format!("line number {num} is out of range")))?;
    let count = required_number(count.as_deref(), "line", "count", here)?;
    match kind.as_deref() {
        Some("method") => st.crap |= crap.is_some(),
        Some("stmt") => file.lines.push((num, count)),
        Some("cond") => {
            file.lines.push((num, count));
            let t = required_number(truecount.as_deref(), "line", "truecount", here)?;
            let f = required_number(falsecount.as_deref(), "line", "falsecount", here)?;
            // Kept raw (covered = true count, total = both); `finish` reads them once the
            // producer is known.
            file.branches
                .push((num, Counter::new(t, t.saturating_add(f))));
        }
        Some(other) => {
            return Err(here.error(format!(
                "unknown `<line>` type `{}`; expected `stmt`, `cond` or `method`",
                excerpt(other)
            )));
        }
        None => return Err(here.error("`<line>` has no `type` attribute")),
    }
    Ok(())
}

/// OpenClover's reading of a raw pair: two outcomes, each covered when it happened.
fn outcome_branches(raw: Counter) -> Counter {
    let (t, f) = (raw.covered, raw.missed());
    Counter::new(u64::from(t > 0) + u64::from(f > 0), 2)
}

/// A `<metrics>` element's statements, conditionals and methods; a counter whose attributes
/// cannot be read is left out (and recounted from the lines), with a warning.
fn metrics(
    e: &BytesStart<'_>,
    here: Here<'_>,
    warnings: &mut Vec<String>,
) -> Result<Totals, ReportError> {
    const KEYS: [&str; 6] = [
        "statements",
        "coveredstatements",
        "conditionals",
        "coveredconditionals",
        "methods",
        "coveredmethods",
    ];
    let values = attributes(e, KEYS, here)?;
    let mut n = [None; 6];
    for (i, value) in values.iter().enumerate() {
        n[i] = tolerant_number(
            value.as_deref(),
            "metrics",
            KEYS[i],
            here,
            warnings,
            "that figure is counted from the `<line>` records instead",
        );
    }
    let pair = |total: Option<u64>, covered: Option<u64>, what: &str| match (total, covered) {
        (Some(t), Some(c)) if c <= t => Ok(Some(Counter::new(c, t))),
        (Some(t), Some(c)) => Err(here.error(format!(
            "`covered{what}` ({c}) is greater than `{what}` ({t})"
        ))),
        _ => Ok(None),
    };
    Ok(Totals {
        statements: pair(n[0], n[1], "statements")?,
        branches: pair(n[2], n[3], "conditionals")?,
        functions: pair(n[4], n[5], "methods")?,
        ..Totals::default()
    })
}

/// Handles the end of an element of `scope`: a closed file is built and filed by path.
fn end(st: &mut State, scope: Scope) {
    if scope != Scope::File {
        return;
    }
    let Some(f) = st.file.take() else {
        return;
    };
    let mut file = FileCoverage {
        lines: collect_lines(f.lines),
        branches: collect_branches(f.branches, |a, b| a + b),
        ..FileCoverage::default()
    };
    file.totals = f.metrics.unwrap_or_default();
    file.totals.lines = Some(file.line_counter());
    match st.files.get_mut(&f.path) {
        Some(existing) => {
            // Without Go blocks on either side, merging cannot fail; it recounts the totals.
            let _ = absorb(existing, file, false);
        }
        None => {
            st.files.insert(f.path, file);
        }
    }
}

fn finish(mut st: State) -> Result<Parsed, ReportError> {
    let istanbul = st.clover_attr.as_deref() == Some("3.2.0")
        && st.project_name.as_deref() == Some("All files");
    let tool = if istanbul {
        Some(Tool::Istanbul)
    } else if st.clover_attr.is_none() && st.crap {
        Some(Tool::PhpUnit)
    } else {
        None
    };
    for file in st.files.values_mut() {
        if !istanbul {
            for c in file.branches.values_mut() {
                *c = outcome_branches(*c);
            }
        }
        // Counters the file's `<metrics>` did not give are counted from its lines.
        file.totals.statements = file.totals.statements.or(Some(file.line_counter()));
        file.totals.branches = file.totals.branches.or(Some(file.branch_counter()));
    }
    let summed = st
        .files
        .values()
        .fold(Totals::default(), |acc, f| acc.add(&f.totals));
    let project = st.project.unwrap_or_default();
    let totals = Totals {
        lines: Some(summed.lines.unwrap_or_default()),
        statements: project.statements.or(summed.statements),
        branches: project.branches.or(summed.branches),
        functions: project.functions.or(summed.functions),
        ..Totals::default()
    };
    Ok(Parsed {
        native: tool.and_then(|t| native::headline(t, &totals, None)),
        totals,
        files: st.files,
        tool,
        warnings: st.warnings,
        ..Parsed::default()
    })
}

#[cfg(test)]
#[path = "clover_tests.rs"]
mod tests;
