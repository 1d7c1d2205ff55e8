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

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::io::Read;

use foldhash::{HashMap, HashSet};

use super::input::{Lines, digits, excerpt, malformed};
use super::merge::absorb;
use super::model::{Counter, FileCoverage, Totals, sort_dedup};
use super::parse::{Parsed, in_two_stages};
use super::source::Source;
use crate::report::{Position, ReportError};

pub(super) fn parse<R: Read + Send>(
    name: &str,
    source: &mut Source<R>,
) -> Result<Parsed, ReportError> {
    // One stage reads the records (on a second thread for a large report), this one turns each
    // into the file's line and branch maps and files it by path, merging a file's records.
    let mut filer = Filer::default();
    let read = in_two_stages(
        name,
        source,
        "lcov-reader",
        BATCHES,
        |source, send| read_records(name, source, send),
        |batch| filer.file(batch),
    );
    let files = filer.finish();
    if read? == 0 {
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

/// Closed records sent to the second stage at a time (one hand-over per record cost more than
/// filing them), and batches that may wait there.
const BATCH: usize = 64;
const BATCHES: usize = 16;

/// Closed records.
type Batch = Vec<Closed>;

/// A record read to its `end_of_record`, its summaries checked. The second stage sends it back
/// emptied, its vectors to be filled again: a 50 MB tracefile has tens of thousands of records,
/// and growing fresh vectors for each was a sixth of the parse.
struct Closed {
    path: String,
    /// Line → hits and line → branches, sorted by line, one entry per line.
    lines: Vec<(u32, u64)>,
    branches: Vec<(u32, Counter)>,
    totals: Totals,
}

/// The first stage: reads every line, hands each batch of closed records to `send`, and
/// returns how many records there were, or the first error in the file. `send` may give back
/// an emptied batch, whose vectors are filled again.
fn read_records<R: Read>(
    name: &str,
    source: &mut Source<R>,
    send: impl FnMut(Batch) -> Option<Batch>,
) -> Result<u64, ReportError> {
    let mut lines = Lines::new(name, source);
    // One record, reused for every `SF:` … `end_of_record` (moving it, a few hundred bytes, in
    // and out of an `Option` per record was measurable); `open` says whether one is being read.
    let mut record = Record::default();
    let mut open = false;
    let mut out = Batches::new(send);
    while let Some(current) = lines.next_line()? {
        // Most lines of a tracefile are `DA:`, `BRDA:` and `FN`/`FNDA` lines; they skip the
        // general record handling.
        if open && record.fast(current.bytes).is_some() {
            continue;
        }
        let line = current.text()?.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(glued) = line.strip_prefix("end_of_record") {
            if !open {
                return Err(current
                    .error("`end_of_record` without an open record; expected `SF:<path>` first"));
            }
            out.close(&mut record).map_err(|m| current.error(m))?;
            open = glued_record(glued, &mut record).map_err(|m| current.error(m))?;
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
                if open {
                    return Err(current.error(format!(
                        "expected `end_of_record` before a new `SF:`; the record for `{}` is not closed",
                        excerpt(&record.path)
                    )));
                }
                open_record(&mut record, value).map_err(|m| current.error(m))?;
                open = true;
            }
            "DA" | "BRDA" | "FN" | "FNDA" | "FNL" | "FNA" | "LF" | "LH" | "BRF" | "BRH" | "FNF"
            | "FNH" => {
                if !open {
                    return Err(current.error(format!(
                        "`{key}:` outside a record; expected `SF:<path>` first"
                    )));
                }
                if record.apply(key, value).is_none() {
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
    if open {
        return Err(malformed(
            name,
            Position::line(lines.line_number()),
            format!(
                "the file ends inside the record for `{}`; expected `end_of_record` (is the file truncated?)",
                excerpt(&record.path)
            ),
        ));
    }
    Ok(out.finish())
}

/// Starts the record of `SF:<path>`.
fn open_record(record: &mut Record, path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("expected `SF:<path>`, found an empty path".into());
    }
    record.path = path.to_owned();
    Ok(())
}

/// What follows `end_of_record` on its line (`cat` of files without a final newline, as
/// cargo-llvm-cov writes them); whether it opens a record. lcov 1.16 matches `/^end_of_record/`
/// and ignores the rest, right for a `TN:` (unused here); a glued `SF:` it would drop, filing
/// the next record's lines under the previous file, so here it opens that record.
fn glued_record(glued: &str, record: &mut Record) -> Result<bool, String> {
    if glued.is_empty() || glued.starts_with("TN:") {
        return Ok(false);
    }
    if let Some(path) = glued.strip_prefix("SF:") {
        open_record(record, path)?;
        return Ok(true);
    }
    Err(format!(
        "expected a line break after `end_of_record`, found `{}`",
        excerpt(glued)
    ))
}

/// Closed records on their way to the second stage, in batches, and the emptied records it
/// sends back for reuse.
struct Batches<F> {
    send: F,
    batch: Batch,
    reuse: Batch,
    records: u64,
}

impl<F: FnMut(Batch) -> Option<Batch>> Batches<F> {
    fn new(send: F) -> Self {
        Batches {
            send,
            batch: Vec::with_capacity(BATCH),
            reuse: Vec::new(),
            records: 0,
        }
    }

    /// Closes `record` into the batch (sending a full one on) and refills its buffers from a
    /// returned record.
    fn close(&mut self, record: &mut Record) -> Result<(), String> {
        self.batch.push(record.close()?);
        self.records += 1;
        if self.batch.len() == BATCH {
            let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            let back = (self.send)(full);
            if self.reuse.is_empty()
                && let Some(back) = back
            {
                self.reuse = back;
            }
        }
        if let Some(used) = self.reuse.pop() {
            record.lines = used.lines;
            record.folded = used.branches;
        }
        Ok(())
    }

    /// Sends the last batch; the number of records.
    fn finish(mut self) -> u64 {
        if !self.batch.is_empty() {
            (self.send)(std::mem::take(&mut self.batch));
        }
        self.records
    }
}

/// The second stage: files each closed record by path, merging a file's records (one per test
/// name) by line.
#[derive(Default)]
struct Filer {
    files: BTreeMap<String, FileCoverage>,
    // New files go to `recent`, which is appended to `files` whenever it is as large: `append`
    // rebuilds the tree with full nodes, where inserting one file at a time leaves them about
    // 70% full. On a 50 MB tracefile that is 7 MB of the peak memory; the copying it costs is
    // linear (the batch doubles each time).
    recent: BTreeMap<String, FileCoverage>,
    // Hashes of the paths filed so far: a path whose hash is new is a new file, without a search
    // of both trees (paths are long and mostly share their beginning).
    hasher: foldhash::fast::FixedState,
    seen: HashSet<u64>,
}

impl Filer {
    /// Files the records of `batch`, leaving them emptied with their vectors' capacity.
    fn file(&mut self, batch: &mut Batch) {
        for record in batch.iter_mut() {
            let file = record.file();
            let path = std::mem::take(&mut record.path);
            let existing = if self.seen.insert(self.hasher.hash_one(&path)) {
                None
            } else {
                (self.files.get_mut(&path)).or_else(|| self.recent.get_mut(&path))
            };
            match existing {
                // Without Go blocks on either side, merging cannot fail.
                Some(existing) => {
                    let _ = absorb(existing, file, false);
                }
                None => {
                    self.recent.insert(path, file);
                    if self.recent.len() >= self.files.len().max(1024) {
                        self.files.append(&mut self.recent);
                    }
                }
            }
        }
    }

    fn finish(mut self) -> BTreeMap<String, FileCoverage> {
        self.files.append(&mut self.recent);
        self.files
    }
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
    utf8(checksum)?;
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
    if !block_branch.contains(&b',') || utf8(block_branch).is_none() {
        return None;
    }
    let taken = if taken == b"-" { 0 } else { digits(taken)? };
    Some((line, taken))
}

/// The name of `FN:<line>[,<end line>],<name>`, as [`Record::apply`] reads it.
fn fast_fn(value: &[u8]) -> Option<&[u8]> {
    let comma = memchr::memchr(b',', value)?;
    u32::try_from(digits(&value[..comma])?).ok()?;
    let rest = &value[comma + 1..];
    let name = match memchr::memchr(b',', rest) {
        Some(end) if digits(&rest[..end]).is_some_and(|n| u32::try_from(n).is_ok()) => {
            &rest[end + 1..]
        }
        _ => rest,
    };
    fast_name(name)
}

/// A function name that the general path would read the same: not empty, UTF-8, and not ending
/// in whitespace (which the general path trims). Names ending in a non-ASCII character go to the
/// general path, which knows Unicode whitespace.
fn fast_name(name: &[u8]) -> Option<&[u8]> {
    let last = *name.last()?;
    if !last.is_ascii() || char::from(last).is_whitespace() {
        return None;
    }
    utf8(name)?;
    Some(name)
}

/// Whether `bytes` are UTF-8, checked inline for the usual ASCII.
fn utf8(bytes: &[u8]) -> Option<()> {
    (bytes.is_ascii() || std::str::from_utf8(bytes).is_ok()).then_some(())
}

/// A non-negative decimal number, digits only.
fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// One `SF:` ... `end_of_record` record being read.
#[derive(Debug, Default, PartialEq)]
struct Record {
    path: String,
    lines: Vec<(u32, u64)>,
    /// `(line, taken)` per `BRDA`.
    branches: Vec<(u32, u64)>,
    /// `FN`/`FNDA` functions by name → summed hits.
    functions: HashMap<Box<[u8]>, u64>,
    /// lcov 2.2 `FNL`/`FNA` functions by index → summed alias hits.
    indexed: HashMap<u32, u64>,
    /// `branches` folded by line, for the record being closed.
    folded: Vec<(u32, Counter)>,
    lf: Option<u64>,
    lh: Option<u64>,
    brf: Option<u64>,
    brh: Option<u64>,
    fnf: Option<u64>,
    fnh: Option<u64>,
}

impl Record {
    /// Adds `hits` to function `name` (`FN` adds 0), looking it up first: the name is copied
    /// once per function, not once per line.
    fn function(&mut self, name: &[u8], hits: u64) {
        match self.functions.get_mut(name) {
            Some(sum) => *sum = sum.saturating_add(hits),
            None => {
                self.functions.insert(name.into(), hits);
            }
        }
    }

    /// Applies one line of the common kinds (`DA`, `BRDA`, `FN`, `FNDA` and the summaries) read
    /// as bytes, without the general path's UTF-8 check of the whole line, trimming and key
    /// lookup. `None` sends the line to the general path, which accepts everything this accepts
    /// with the same meaning (and reports errors).
    fn fast(&mut self, line: &[u8]) -> Option<()> {
        let (&first, rest) = line.split_first()?;
        match first {
            b'D' => {
                let pair = fast_da(rest.strip_prefix(b"A:")?)?;
                self.lines.push(pair);
            }
            b'B' => {
                let rest = rest.strip_prefix(b"R")?;
                if let Some(value) = rest.strip_prefix(b"DA:") {
                    let pair = fast_brda(value)?;
                    self.branches.push(pair);
                } else if let Some(value) = rest.strip_prefix(b"F:") {
                    self.brf = Some(digits(value)?);
                } else {
                    self.brh = Some(digits(rest.strip_prefix(b"H:")?)?);
                }
            }
            b'L' => match rest {
                [b'F', b':', value @ ..] => self.lf = Some(digits(value)?),
                [b'H', b':', value @ ..] => self.lh = Some(digits(value)?),
                _ => return None,
            },
            b'F' => {
                let rest = rest.strip_prefix(b"N")?;
                if let Some(value) = rest.strip_prefix(b":") {
                    let name = fast_fn(value)?;
                    self.function(name, 0);
                } else if let Some(value) = rest.strip_prefix(b"DA:") {
                    let comma = memchr::memchr(b',', value)?;
                    let count = digits(&value[..comma])?;
                    let name = fast_name(&value[comma + 1..])?;
                    self.function(name, count);
                } else if let Some(value) = rest.strip_prefix(b"F:") {
                    self.fnf = Some(digits(value)?);
                } else {
                    self.fnh = Some(digits(rest.strip_prefix(b"H:")?)?);
                }
            }
            _ => return None,
        }
        Some(())
    }

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
                self.function(name.as_bytes(), 0);
            }
            "FNDA" => {
                let (count, name) = value.split_once(',')?;
                let count: u64 = num(count)?;
                if name.is_empty() {
                    return None;
                }
                self.function(name.as_bytes(), count);
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

    /// Closes the record: its summaries checked (a message when one contradicts itself) and its
    /// functions counted. The record is left empty, its function maps' capacity kept; the line
    /// and branch vectors go with the result.
    fn close(&mut self) -> Result<Closed, String> {
        let summary = |found: Option<u64>, hit: Option<u64>, what: &str| match (found, hit) {
            (Some(found), Some(hit)) if hit > found => Err(format!(
                "the record for `{}` says {hit} {what} hit of {found}",
                excerpt(&self.path)
            )),
            (Some(found), Some(hit)) => Ok(Some(Counter::new(hit, found))),
            _ => Ok(None),
        };
        let lines_summary = summary(self.lf.take(), self.lh.take(), "lines")?;
        let branches_summary = summary(self.brf.take(), self.brh.take(), "branches")?;
        let functions = summary(self.fnf.take(), self.fnh.take(), "functions")?;
        let functions = functions.or_else(|| {
            let total = (self.functions.len() + self.indexed.len()) as u64;
            let hit = self
                .functions
                .values()
                .chain(self.indexed.values())
                .filter(|&&h| h > 0)
                .count() as u64;
            (total > 0).then_some(Counter::new(hit, total))
        });
        self.functions.clear();
        self.indexed.clear();
        // Sorting, merging repeated lines and counting happen here, on the reading thread;
        // the filing thread only builds the maps.
        sort_dedup(&mut self.lines, |into, hits| {
            *into = into.saturating_add(hits)
        });
        let covered = self.lines.iter().filter(|(_, hits)| *hits > 0).count() as u64;
        let line_counter = Counter::new(covered, self.lines.len() as u64);
        if !self.branches.is_sorted_by_key(|p| p.0) {
            self.branches.sort_by_key(|p| p.0);
        }
        let mut branch_counter = Counter::default();
        for (line, taken) in self.branches.drain(..) {
            let branch = Counter::new(u64::from(taken > 0), 1);
            branch_counter = branch_counter + branch;
            match self.folded.last_mut() {
                Some((at, counter)) if *at == line => *counter = *counter + branch,
                _ => self.folded.push((line, branch)),
            }
        }
        let totals = Totals {
            lines: lines_summary.or(Some(line_counter)),
            branches: branches_summary.or((!self.folded.is_empty()).then_some(branch_counter)),
            functions,
            ..Totals::default()
        };
        Ok(Closed {
            path: std::mem::take(&mut self.path),
            lines: std::mem::take(&mut self.lines),
            branches: std::mem::take(&mut self.folded),
            totals,
        })
    }
}

impl Closed {
    /// The file's coverage; `lines` and `branches` are left empty with their capacity.
    fn file(&mut self) -> FileCoverage {
        FileCoverage {
            lines: self.lines.drain(..).collect(),
            branches: self.branches.drain(..).collect(),
            totals: self.totals,
            ..FileCoverage::default()
        }
    }
}

#[cfg(test)]
#[path = "lcov_tests.rs"]
mod tests;
