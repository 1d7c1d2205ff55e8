//! JaCoCo XML reports (`report.dtd` 1.1), read event by event.
//!
//! JaCoCo writes `<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">`; the DTD
//! is never loaded and entity declarations are refused (see [`super::xml`]).
//!
//! - Totals: the `<counter type=... missed= covered=>` elements directly under `<report>`, which
//!   are JaCoCo's own totals. `INSTRUCTION` → instructions, `BRANCH` → branches, `LINE` → lines,
//!   `METHOD` → functions; `COMPLEXITY` and `CLASS` have no place in the model. JaCoCo omits a
//!   counter whose total is zero (`XMLFormatter.writeCounters`), so an absent one is 0 of 0.
//! - Files: `<package name="com/example"><sourcefile name="Foo.java">`, keyed
//!   `com/example/Foo.java` (relative to a source root such as `src/main/java`), with the
//!   sourcefile's own counters as its totals.
//! - Lines: `<line nr mi ci mb cb>`. JaCoCo has no hit counts: a line is covered when at least one
//!   of its instructions ran, so the stored "hits" is `ci`, the covered instruction count, and
//!   the line's branches are `cb` of `mb + cb`.
//! - gcovr's JaCoCo output (`gcovr --jacoco`) writes `<line nr>` without `mi`/`ci`, and `mb`/`cb`
//!   only where there are branches: the totals and each file's come from the `<counter>`
//!   elements as always, the branches per line from `mb`/`cb` (absent: none), and no line is
//!   recorded, since nothing says whether it ran; a warning says patch coverage cannot judge
//!   those lines.

use std::collections::BTreeMap;
use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use super::input::excerpt;
use super::merge::max_counter;
use super::model::{Counter, FileCoverage, Tool, Totals, collect_branches, collect_lines};
use super::native;
use super::parse::Parsed;
use super::source::Source;
use super::xml::{Here, XmlReader, attributes, number, required_number};
use crate::report::ReportError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Report,
    Package,
    Sourcefile,
    Other,
}

/// The `<sourcefile>` being read; its lines are built into a map at its end.
struct Sourcefile {
    path: String,
    totals: Totals,
    lines: Vec<(u32, u64)>,
    branches: Vec<(u32, Counter)>,
}

struct State {
    scopes: Vec<Scope>,
    package: String,
    file: Option<Sourcefile>,
    files: BTreeMap<String, FileCoverage>,
    totals: Totals,
    /// The first `<line>` without `ci`, for the one warning about it.
    no_hits: Option<String>,
}

pub(super) fn parse<R: Read>(name: &str, source: &mut Source<R>) -> Result<Parsed, ReportError> {
    let mut xml = XmlReader::new(name, source);
    let mut st = State {
        scopes: Vec::new(),
        package: String::new(),
        file: None,
        files: BTreeMap::new(),
        totals: zero_totals(),
        no_hits: None,
    };
    loop {
        let (event, here) = xml.next()?;
        match event {
            Event::Start(e) => {
                let scope = start(&e, here, &mut st)?;
                st.scopes.push(scope);
            }
            Event::Empty(e) => {
                let scope = start(&e, here, &mut st)?;
                end(&mut st, Some(scope));
            }
            Event::End(_) => {
                let scope = st.scopes.pop();
                end(&mut st, scope);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let totals = st.totals;
    let warnings = st.no_hits.into_iter().collect();
    Ok(Parsed {
        native: native::headline(Tool::Jacoco, &totals, None),
        totals,
        files: st.files,
        tool: Some(Tool::Jacoco),
        warnings,
        ..Parsed::default()
    })
}

/// Handles an opening (or empty) element; returns the scope it opens.
fn start(e: &BytesStart<'_>, here: Here<'_>, st: &mut State) -> Result<Scope, ReportError> {
    let element = e.name().0;
    if st.scopes.is_empty() {
        if element != "report" {
            return Err(here.error(format!(
                "expected the JaCoCo root element `<report>`, found `<{}>`",
                excerpt(element)
            )));
        }
        return Ok(Scope::Report);
    }
    Ok(match element {
        "package" => {
            let [package] = attributes(e, ["name"], here)?;
            st.package = package.map(|p| p.into_owned()).unwrap_or_default();
            Scope::Package
        }
        "sourcefile" if st.scopes.last() == Some(&Scope::Package) => {
            let [file] = attributes(e, ["name"], here)?;
            let file = file
                .filter(|f| !f.is_empty())
                .ok_or_else(|| here.error("`<sourcefile>` has no `name` attribute"))?;
            let path = if st.package.is_empty() {
                file.into_owned()
            } else {
                format!("{}/{}", st.package.trim_end_matches('/'), file)
            };
            st.file = Some(Sourcefile {
                path,
                totals: zero_totals(),
                lines: Vec::new(),
                branches: Vec::new(),
            });
            Scope::Sourcefile
        }
        "line" if st.scopes.last() == Some(&Scope::Sourcefile) => {
            line(e, here, st)?;
            Scope::Other
        }
        "counter" => {
            let totals = match st.scopes.last() {
                Some(Scope::Report) => Some(&mut st.totals),
                Some(Scope::Sourcefile) => st.file.as_mut().map(|f| &mut f.totals),
                _ => None,
            };
            if let Some(totals) = totals {
                counter(e, here, totals)?;
            }
            Scope::Other
        }
        _ => Scope::Other,
    })
}

/// Handles the end of an element of `scope`.
fn end(st: &mut State, scope: Option<Scope>) {
    match scope {
        Some(Scope::Sourcefile) => {
            if let Some(f) = st.file.take() {
                let file = FileCoverage {
                    totals: f.totals,
                    lines: collect_lines(f.lines),
                    branches: collect_branches(f.branches, max_counter),
                    blocks: Vec::new(),
                };
                st.files.insert(f.path, file);
            }
        }
        Some(Scope::Package) => st.package.clear(),
        _ => {}
    }
}

/// `<line nr="3" mi="0" ci="3" mb="0" cb="0"/>`; gcovr's `<line nr="3" [mb cb]/>`.
fn line(e: &BytesStart<'_>, here: Here<'_>, st: &mut State) -> Result<(), ReportError> {
    let Some(file) = st.file.as_mut() else {
        return Ok(());
    };
    let [nr, ci, mb, cb] = attributes(e, ["nr", "ci", "mb", "cb"], here)?;
    let nr = required_number(nr.as_deref(), "line", "nr", here)?;
    let nr =
        u32::try_from(nr).map_err(|_| here.error(format!("line number {nr} is out of range")))?;
    let optional = |v: Option<&str>, key| v.map_or(Ok(0), |v| number(v, "line", key, here));
    let mb = optional(mb.as_deref(), "mb")?;
    let cb = optional(cb.as_deref(), "cb")?;
    match ci {
        Some(ci) => file.lines.push((nr, number(&ci, "line", "ci", here)?)),
        None if st.no_hits.is_none() => {
            st.no_hits = Some(
                here.error(
                    "`<line>` elements have no `ci` (covered instructions), as gcovr writes \
                     them: totals come from the `<counter>` elements, and patch coverage cannot \
                     judge these lines",
                )
                .to_string(),
            );
        }
        None => {}
    }
    let branches = mb.saturating_add(cb);
    if branches > 0 {
        file.branches.push((nr, Counter::new(cb, branches)));
    }
    Ok(())
}

/// `<counter type="LINE" missed="3" covered="12"/>` into the matching metric.
fn counter(e: &BytesStart<'_>, here: Here<'_>, totals: &mut Totals) -> Result<(), ReportError> {
    let [kind, missed, covered] = attributes(e, ["type", "missed", "covered"], here)?;
    let missed = required_number(missed.as_deref(), "counter", "missed", here)?;
    let covered = required_number(covered.as_deref(), "counter", "covered", here)?;
    let value = Some(Counter::new(covered, covered.saturating_add(missed)));
    match kind.as_deref() {
        Some("INSTRUCTION") => totals.instructions = value,
        Some("BRANCH") => totals.branches = value,
        Some("LINE") => totals.lines = value,
        Some("METHOD") => totals.functions = value,
        Some("COMPLEXITY" | "CLASS") => {}
        Some(other) => {
            return Err(here.error(format!(
                "unknown counter type `{}`; expected INSTRUCTION, BRANCH, LINE, COMPLEXITY, METHOD or CLASS",
                excerpt(other)
            )));
        }
        None => return Err(here.error("`<counter>` has no `type` attribute")),
    }
    Ok(())
}

/// The four metrics JaCoCo reports, each 0 of 0 until a counter says otherwise.
fn zero_totals() -> Totals {
    Totals {
        lines: Some(Counter::default()),
        branches: Some(Counter::default()),
        functions: Some(Counter::default()),
        instructions: Some(Counter::default()),
        ..Totals::default()
    }
}

#[cfg(test)]
#[path = "jacoco_tests.rs"]
mod tests;
