//! lcov tracefiles (`geninfo(1)` format, lcov 1.x and 2.x), read line by line.
//!
//! Records, per `geninfo(1)`:
//! `SF:<path>` opens a file record and `end_of_record` closes it; `DA:<line>,<count>[,<checksum>]`;
//! `BRDA:<line>,[<exception>]<block>,<branch>,<taken>` with `-` for a branch never reached;
//! `BRF`/`BRH`, `LF`/`LH`, `FNF`/`FNH` summaries; `FN:<line>[,<end line>],<name>` with
//! `FNDA:<count>,<name>`, and lcov 2.2's `FNL:<index>,<line>[,<end line>]` with
//! `FNA:<index>,<count>,<name>`. `TN`, `VER` and any other upper-case record are ignored.
//!
//! Totals are the summary lines of each record, as lcov writes them; only where a record has no
//! summary are they counted from its `DA`/`BRDA`/`FN` lines. A file with several records (one per
//! test name) is merged by line and its totals recomputed, since adding the summaries would count
//! its lines twice.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use super::input::{Lines, excerpt, malformed};
use super::merge::absorb;
use super::model::{Counter, FileCoverage, Totals, collect_branches, collect_lines_from};
use super::parse::Parsed;
use super::source::Source;
use crate::report::{Position, ReportError};

pub(super) fn parse<R: Read>(name: &str, source: &mut Source<R>) -> Result<Parsed, ReportError> {
    let mut lines = Lines::new(name, source);
    let mut files: BTreeMap<String, FileCoverage> = BTreeMap::new();
    // New files go to `recent`, which is appended to `files` whenever it is as large: `append`
    // rebuilds the tree with full nodes, where inserting one file at a time leaves them about
    // 70% full. On a 50 MB tracefile that is 7 MB of the peak memory; the copying it costs is
    // linear (the batch doubles each time).
    let mut recent: BTreeMap<String, FileCoverage> = BTreeMap::new();
    let mut record: Option<Record> = None;
    // The buffers of the last closed record, reused by the next: a 50 MB tracefile has tens of
    // thousands of records, and growing fresh vectors for each was a sixth of the parse.
    let mut spare = Record::default();
    let mut records = 0u64;
    while let Some(current) = lines.next_line()? {
        // Most lines of a tracefile are `DA:` and `BRDA:` lines; they skip the general record
        // handling.
        if let Some(open) = record.as_mut() {
            if let Some(value) = current.bytes.strip_prefix(b"DA:") {
                if let Some(pair) = fast_da(value) {
                    open.lines.push(pair);
                    continue;
                }
            } else if let Some(value) = current.bytes.strip_prefix(b"BRDA:")
                && let Some(pair) = fast_brda(value)
            {
                open.branches.push(pair);
                continue;
            }
        }
        let line = current.text()?.trim();
        if line.is_empty() {
            continue;
        }
        if line == "end_of_record" {
            let Some(mut done) = record.take() else {
                return Err(current
                    .error("`end_of_record` without an open record; expected `SF:<path>` first"));
            };
            let (path, file) = done.finish().map_err(|m| current.error(m))?;
            spare = done;
            records += 1;
            match files.get_mut(&path).or_else(|| recent.get_mut(&path)) {
                Some(existing) => absorb(existing, file, false).map_err(|m| current.error(m))?,
                None => {
                    recent.insert(path, file);
                    if recent.len() >= files.len().max(1024) {
                        files.append(&mut recent);
                    }
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':').filter(|(k, _)| is_record_key(k)) else {
            return Err(current.error(format!(
                "expected an lcov record such as `SF:<path>`, `DA:<line>,<count>` or \
                 `end_of_record`, found `{}`",
                excerpt(line)
            )));
        };
        match key {
            "SF" => {
                if let Some(open) = &record {
                    return Err(current.error(format!(
                        "expected `end_of_record` before a new `SF:`; the record for `{}` is not closed",
                        excerpt(&open.path)
                    )));
                }
                if value.is_empty() {
                    return Err(current.error("expected `SF:<path>`, found an empty path"));
                }
                let mut open = std::mem::take(&mut spare);
                open.path = value.to_owned();
                record = Some(open);
            }
            "DA" | "BRDA" | "FN" | "FNDA" | "FNL" | "FNA" | "LF" | "LH" | "BRF" | "BRH" | "FNF"
            | "FNH" => {
                let Some(open) = record.as_mut() else {
                    return Err(current.error(format!(
                        "`{key}:` outside a record; expected `SF:<path>` first"
                    )));
                };
                if open.apply(key, value).is_none() {
                    return Err(current.error(format!(
                        "expected `{}`, found `{}`",
                        syntax(key),
                        excerpt(line)
                    )));
                }
            }
            // TN (test name), VER (source version) and records of newer lcov versions.
            _ => {}
        }
    }
    if let Some(open) = record {
        return Err(malformed(
            name,
            Position::line(lines.line_number()),
            format!(
                "the file ends inside the record for `{}`; expected `end_of_record` (is the file truncated?)",
                excerpt(&open.path)
            ),
        ));
    }
    files.append(&mut recent);
    if records == 0 {
        return Err(malformed(
            name,
            Position::NONE,
            "no `SF:` records; expected an lcov tracefile",
        ));
    }
    let totals = files
        .values()
        .fold(Totals::default(), |acc, f| acc.add(&f.totals));
    Ok(Parsed {
        totals,
        files,
        ..Parsed::default()
    })
}

/// `KEY` of a `KEY:value` record: an upper-case letter, then upper-case letters, digits, `_`.
fn is_record_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_uppercase())
        && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The syntax of a record, for "expected ..." messages.
fn syntax(key: &str) -> &'static str {
    match key {
        "DA" => "DA:<line>,<count>",
        "BRDA" => "BRDA:<line>,<block>,<branch>,<taken>",
        "FN" => "FN:<line>[,<end line>],<name>",
        "FNDA" => "FNDA:<count>,<name>",
        "FNL" => "FNL:<index>,<line>[,<end line>]",
        "FNA" => "FNA:<index>,<count>,<name>",
        "LF" => "LF:<number of lines>",
        "LH" => "LH:<number of lines hit>",
        "BRF" => "BRF:<number of branches>",
        "BRH" => "BRH:<number of branches taken>",
        "FNF" => "FNF:<number of functions>",
        "FNH" => "FNH:<number of functions hit>",
        _ => "<KEY>:<value>",
    }
}

/// `<line>,<count>[,<checksum>]` read byte by byte; `None` sends the line to the general path,
/// which accepts the same syntax (and reports errors, including invalid UTF-8).
fn fast_da(value: &[u8]) -> Option<(u32, u64)> {
    let comma = value.iter().position(|&b| b == b',')?;
    let line = digits(&value[..comma])?;
    let rest = &value[comma + 1..];
    let (count, checksum) = match rest.iter().position(|&b| b == b',') {
        Some(end) => (&rest[..end], &rest[end..]),
        None => (rest, &b""[..]),
    };
    std::str::from_utf8(checksum).ok()?;
    Some((u32::try_from(line).ok()?, digits(count)?))
}

/// `<line>,<block>,<branch>,<taken>` (`taken` a number or `-`) read byte by byte, as
/// [`Record::apply`] reads it; `None` sends the line to the general path.
fn fast_brda(value: &[u8]) -> Option<(u32, u64)> {
    let comma = value.iter().position(|&b| b == b',')?;
    let line = u32::try_from(digits(&value[..comma]).filter(|_| comma > 0)?).ok()?;
    let rest = &value[comma + 1..];
    let last = rest.iter().rposition(|&b| b == b',')?;
    let (block_branch, taken) = (&rest[..last], &rest[last + 1..]);
    // The block must be there; the branch id may be any text in lcov 2.x.
    if !block_branch.contains(&b',') || std::str::from_utf8(block_branch).is_err() {
        return None;
    }
    let taken = if taken == b"-" { 0 } else { digits(taken)? };
    Some((line, taken))
}

/// A non-empty run of ASCII digits that fits in a `u64`.
fn digits(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &b| {
        let d = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
}

/// A non-negative decimal number, digits only.
fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// One `SF:` ... `end_of_record` record being read.
#[derive(Default)]
struct Record {
    path: String,
    lines: Vec<(u32, u64)>,
    /// `(line, taken)` per `BRDA`.
    branches: Vec<(u32, u64)>,
    /// `FN`/`FNDA` functions by name → summed hits.
    functions: HashMap<String, u64>,
    /// lcov 2.2 `FNL`/`FNA` functions by index → summed alias hits.
    indexed: HashMap<u32, u64>,
    lf: Option<u64>,
    lh: Option<u64>,
    brf: Option<u64>,
    brh: Option<u64>,
    fnf: Option<u64>,
    fnh: Option<u64>,
}

impl Record {
    /// Applies one record line; `None` when its value does not match the record's syntax.
    fn apply(&mut self, key: &str, value: &str) -> Option<()> {
        match key {
            "DA" => {
                let mut parts = value.splitn(3, ',');
                let line = num(parts.next()?)?;
                let count = num(parts.next()?)?;
                self.lines.push((line, count));
            }
            "BRDA" => {
                let (line, rest) = value.split_once(',')?;
                let (block_branch, taken) = rest.rsplit_once(',')?;
                // The branch id may be any text in lcov 2.x, but the block must be there.
                block_branch.split_once(',')?;
                let taken = if taken == "-" { 0 } else { num(taken)? };
                self.branches.push((num(line)?, taken));
            }
            "FN" => {
                let (line, rest) = value.split_once(',')?;
                num::<u32>(line)?;
                let name = match rest.split_once(',') {
                    Some((end, name)) if num::<u32>(end).is_some() => name,
                    _ => rest,
                };
                if name.is_empty() {
                    return None;
                }
                // Looked up first: the name is copied once per function, not once per line.
                if !self.functions.contains_key(name) {
                    self.functions.insert(name.to_owned(), 0);
                }
            }
            "FNDA" => {
                let (count, name) = value.split_once(',')?;
                let count: u64 = num(count)?;
                if name.is_empty() {
                    return None;
                }
                match self.functions.get_mut(name) {
                    Some(hits) => *hits = hits.saturating_add(count),
                    None => {
                        self.functions.insert(name.to_owned(), count);
                    }
                }
            }
            "FNL" => {
                let mut parts = value.splitn(3, ',');
                let index = num(parts.next()?)?;
                num::<u32>(parts.next()?)?;
                self.indexed.entry(index).or_insert(0);
            }
            "FNA" => {
                let mut parts = value.splitn(3, ',');
                let index = num(parts.next()?)?;
                let count: u64 = num(parts.next()?)?;
                parts.next().filter(|n| !n.is_empty())?;
                let hits = self.indexed.entry(index).or_insert(0);
                *hits = hits.saturating_add(count);
            }
            "LF" => self.lf = Some(num(value)?),
            "LH" => self.lh = Some(num(value)?),
            "BRF" => self.brf = Some(num(value)?),
            "BRH" => self.brh = Some(num(value)?),
            "FNF" => self.fnf = Some(num(value)?),
            "FNH" => self.fnh = Some(num(value)?),
            _ => {}
        }
        Some(())
    }

    /// The file's coverage, or a message when a summary contradicts itself.
    /// The record is left empty, its buffers kept for the next one.
    fn finish(&mut self) -> Result<(String, FileCoverage), String> {
        let branches = self
            .branches
            .drain(..)
            .map(|(line, taken)| (line, Counter::new(u64::from(taken > 0), 1)))
            .collect();
        let mut file = FileCoverage {
            lines: collect_lines_from(&mut self.lines),
            branches: collect_branches(branches, |a, b| a + b),
            ..FileCoverage::default()
        };
        let summary = |found: Option<u64>, hit: Option<u64>, what: &str| match (found, hit) {
            (Some(found), Some(hit)) if hit > found => Err(format!(
                "the record for `{}` says {hit} {what} hit of {found}",
                excerpt(&self.path)
            )),
            (Some(found), Some(hit)) => Ok(Some(Counter::new(hit, found))),
            _ => Ok(None),
        };
        let lines = summary(self.lf.take(), self.lh.take(), "lines")?;
        let branches = summary(self.brf.take(), self.brh.take(), "branches")?;
        let functions = summary(self.fnf.take(), self.fnh.take(), "functions")?;
        let fn_total = (self.functions.len() + self.indexed.len()) as u64;
        let fn_hit = self
            .functions
            .values()
            .chain(self.indexed.values())
            .filter(|&&h| h > 0);
        file.totals = Totals {
            lines: lines.or(Some(file.line_counter())),
            branches: branches.or((!file.branches.is_empty()).then(|| file.branch_counter())),
            functions: functions
                .or((fn_total > 0).then(|| Counter::new(fn_hit.count() as u64, fn_total))),
            ..Totals::default()
        };
        self.functions.clear();
        self.indexed.clear();
        Ok((std::mem::take(&mut self.path), file))
    }
}

#[cfg(test)]
#[path = "lcov_tests.rs"]
mod tests;
