//! OpenCover XML (OpenCover, and coverlet's `opencover` output for .NET), read event by event.
//!
//! Shape (OpenCover's `CoverageSession` model, as serialized): `<CoverageSession><Summary
//! numSequencePoints visitedSequencePoints numBranchPoints visitedBranchPoints numMethods
//! visitedMethods .../><Modules><Module [skippedDueTo]><Files><File uid fullPath/></Files>
//! <Classes><Class><Methods><Method visited [skippedDueTo]><FileRef uid/><SequencePoints>
//! <SequencePoint vc sl el fileid/></SequencePoints><BranchPoints><BranchPoint vc sl fileid/>
//! </BranchPoints><MethodPoint .../></Method>...`. File `uid`s are per module.
//!
//! - Statements are sequence points and branches are branch points, each covered when its
//!   visit count `vc` is above zero; functions are methods (`visited`). The session's own
//!   `<Summary>` gives the report's totals (a value there that is not a whole number is a
//!   warning, and that figure is counted from the points); each file's are counted from its
//!   points.
//! - Lines: every line a sequence point spans (`sl` to `el`), covered when a point over it was
//!   visited, as ReportGenerator reads OpenCover.
//! - Skipped modules and methods (`skippedDueTo`) and the `<MethodPoint>` copy of a method's
//!   first point are not counted.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use super::input::excerpt;
use super::model::{Counter, FileCoverage, Totals};
use super::parse::Parsed;
use super::source::Source;
use super::xml::{Here, XmlReader, attributes, number, required_number, tolerant_number};
use crate::report::ReportError;

/// Longest span of lines one sequence point may cover (a method body is far shorter).
const MAX_SPAN: u64 = 100_000;

#[derive(Default)]
struct State {
    /// Names of the open elements, outermost first.
    path: Vec<String>,
    summary: Option<Totals>,
    /// Depth of a skipped module or method being passed over.
    skipping: Option<usize>,
    module_files: HashMap<u64, String>,
    method_file: Option<u64>,
    method_visited: bool,
    files: BTreeMap<String, FileCoverage>,
    warnings: Vec<String>,
}

pub(super) fn parse<R: Read>(name: &str, source: &mut Source<R>) -> Result<Parsed, ReportError> {
    let mut xml = XmlReader::new(name, source);
    let mut st = State::default();
    loop {
        let (event, here) = xml.next()?;
        match event {
            Event::Start(e) => {
                start(&e, here, &mut st)?;
                st.path.push(e.name().0.to_owned());
            }
            Event::Empty(e) => {
                start(&e, here, &mut st)?;
                st.path.push(e.name().0.to_owned());
                end(&mut st);
            }
            Event::End(_) => end(&mut st),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(finish(st))
}

/// Handles an opening (or empty) element.
fn start(e: &BytesStart<'_>, here: Here<'_>, st: &mut State) -> Result<(), ReportError> {
    let element = e.name().0;
    let Some(parent) = st.path.last().map(String::as_str) else {
        if element != "CoverageSession" {
            return Err(here.error(format!(
                "expected the OpenCover root element `<CoverageSession>`, found `<{}>`",
                excerpt(element)
            )));
        }
        return Ok(());
    };
    if st.skipping.is_some() {
        return Ok(());
    }
    match (parent, element) {
        ("CoverageSession", "Summary") => st.summary = Some(summary(e, here, &mut st.warnings)?),
        ("Modules", "Module") | ("Methods", "Method") => {
            let [skipped, visited] = attributes(e, ["skippedDueTo", "visited"], here)?;
            if skipped.is_some() {
                // The element is pushed after this; its end comes at that depth.
                st.skipping = Some(st.path.len() + 1);
            } else if element == "Module" {
                st.module_files.clear();
            } else {
                st.method_file = None;
                st.method_visited = visited.as_deref() == Some("true");
            }
        }
        ("Files", "File") => {
            let [uid, path] = attributes(e, ["uid", "fullPath"], here)?;
            let uid = required_number(uid.as_deref(), "File", "uid", here)?;
            let path = path
                .filter(|p| !p.is_empty())
                .ok_or_else(|| here.error("`<File>` has no `fullPath` attribute"))?;
            st.module_files.insert(uid, path.into_owned());
        }
        ("Method", "FileRef") => {
            let [uid] = attributes(e, ["uid"], here)?;
            let uid = required_number(uid.as_deref(), "FileRef", "uid", here)?;
            st.method_file = Some(uid);
            let visited = st.method_visited;
            if let Some(file) = file_of(st, Some(uid), here)? {
                let f = file.totals.functions.get_or_insert_default();
                *f = *f + Counter::new(u64::from(visited), 1);
            }
        }
        ("SequencePoints", "SequencePoint") => sequence_point(e, here, st)?,
        ("BranchPoints", "BranchPoint") => branch_point(e, here, st)?,
        _ => {}
    }
    Ok(())
}

/// `<SequencePoint vc="1" sl="10" el="12" fileid="1" .../>`.
fn sequence_point(e: &BytesStart<'_>, here: Here<'_>, st: &mut State) -> Result<(), ReportError> {
    let [vc, sl, el, fileid] = attributes(e, ["vc", "sl", "el", "fileid"], here)?;
    let vc = required_number(vc.as_deref(), "SequencePoint", "vc", here)?;
    let sl = required_number(sl.as_deref(), "SequencePoint", "sl", here)?;
    let el = match el.as_deref() {
        Some(el) => number(el, "SequencePoint", "el", here)?.max(sl),
        None => sl,
    };
    if el - sl > MAX_SPAN || u32::try_from(el).is_err() {
        return Err(here.error(format!(
            "sequence point lines {sl} to {el} are out of range"
        )));
    }
    let fileid = fileid
        .map(|f| number(&f, "SequencePoint", "fileid", here))
        .transpose()?
        .or(st.method_file);
    let Some(file) = file_of(st, fileid, here)? else {
        return Ok(());
    };
    for line in sl as u32..=el as u32 {
        let hits = file.lines.entry(line).or_insert(0);
        *hits = (*hits).max(vc);
    }
    let s = file.totals.statements.get_or_insert_default();
    *s = *s + Counter::new(u64::from(vc > 0), 1);
    Ok(())
}

/// `<BranchPoint vc="0" sl="11" fileid="1" .../>`.
fn branch_point(e: &BytesStart<'_>, here: Here<'_>, st: &mut State) -> Result<(), ReportError> {
    let [vc, sl, fileid] = attributes(e, ["vc", "sl", "fileid"], here)?;
    let vc = required_number(vc.as_deref(), "BranchPoint", "vc", here)?;
    let sl = required_number(sl.as_deref(), "BranchPoint", "sl", here)?;
    let sl = u32::try_from(sl).map_err(|_| here.error(format!("line {sl} is out of range")))?;
    let fileid = fileid
        .map(|f| number(&f, "BranchPoint", "fileid", here))
        .transpose()?
        .or(st.method_file);
    if let Some(file) = file_of(st, fileid, here)? {
        let at = file.branches.entry(sl).or_default();
        *at = *at + Counter::new(u64::from(vc > 0), 1);
    }
    Ok(())
}

/// The file a point or method belongs to, created on first use; `None` for a point without a
/// file (OpenCover writes `fileid="0"` for compiler-generated code without source).
fn file_of<'s>(
    st: &'s mut State,
    uid: Option<u64>,
    here: Here<'_>,
) -> Result<Option<&'s mut FileCoverage>, ReportError> {
    let Some(uid) = uid.filter(|&u| u != 0) else {
        return Ok(None);
    };
    let path = st.module_files.get(&uid).ok_or_else(|| {
        here.error(format!(
            "file id {uid} is not among the module's `<File uid=...>` elements"
        ))
    })?;
    Ok(Some(st.files.entry(path.clone()).or_default()))
}

/// The session's `<Summary>`: points and methods; values that are not whole numbers are left
/// out (counted from the points instead), with a warning.
fn summary(
    e: &BytesStart<'_>,
    here: Here<'_>,
    warnings: &mut Vec<String>,
) -> Result<Totals, ReportError> {
    const KEYS: [&str; 6] = [
        "numSequencePoints",
        "visitedSequencePoints",
        "numBranchPoints",
        "visitedBranchPoints",
        "numMethods",
        "visitedMethods",
    ];
    let values = attributes(e, KEYS, here)?;
    let mut n = [None; 6];
    for (i, value) in values.iter().enumerate() {
        n[i] = tolerant_number(
            value.as_deref(),
            "Summary",
            KEYS[i],
            here,
            warnings,
            "that figure is counted from the points instead",
        );
    }
    let pair = |total: Option<u64>, covered: Option<u64>| match (total, covered) {
        (Some(t), Some(c)) if c <= t => Some(Counter::new(c, t)),
        _ => None,
    };
    Ok(Totals {
        statements: pair(n[0], n[1]),
        branches: pair(n[2], n[3]),
        functions: pair(n[4], n[5]),
        ..Totals::default()
    })
}

/// Handles the end of the innermost open element.
fn end(st: &mut State) {
    if st.skipping == Some(st.path.len()) {
        st.skipping = None;
    }
    st.path.pop();
}

fn finish(mut st: State) -> Parsed {
    for file in st.files.values_mut() {
        file.totals.lines = Some(file.line_counter());
        file.totals.statements = Some(file.totals.statements.unwrap_or_default());
        file.totals.branches = Some(file.branch_counter());
        file.totals.functions = Some(file.totals.functions.unwrap_or_default());
    }
    let summed = st
        .files
        .values()
        .fold(Totals::default(), |acc, f| acc.add(&f.totals));
    let summary = st.summary.unwrap_or_default();
    let totals = Totals {
        lines: Some(summed.lines.unwrap_or_default()),
        statements: summary
            .statements
            .or(Some(summed.statements.unwrap_or_default())),
        branches: summary
            .branches
            .or(Some(summed.branches.unwrap_or_default())),
        functions: summary
            .functions
            .or(Some(summed.functions.unwrap_or_default())),
        ..Totals::default()
    };
    Parsed {
        totals,
        files: st.files,
        warnings: st.warnings,
        ..Parsed::default()
    }
}

#[cfg(test)]
#[path = "opencover_tests.rs"]
mod tests;
