//! Report paths → repository paths, in time linear in the length of each path.
//!
//! Reports name files as their tool saw them: absolute paths of the CI runner, paths relative
//! to a package directory or a `<source>` root, Windows separators. Every path is resolved to
//! the path git tracks, relative to the repository root (what annotations and diffs use):
//!
//! 1. `\` → `/`, then each `--path-fix BEFORE=AFTER` rewrites a leading `BEFORE`;
//! 2. `./` and the checkout's absolute location (and `GITHUB_WORKSPACE`'s) are stripped;
//! 3. a relative path is tried relative to the working directory (a monorepo package), then
//!    to the repository root; then joined to each of the report's source roots;
//! 4. what is still not a tracked file is matched by its longest suffix of whole path
//!    components that names exactly one tracked file (a shorter suffix can only be more
//!    ambiguous, so an ambiguous one ends the search).
//!
//! The tracked files are read once and indexed by every suffix of whole components (a hash of
//! each, computed from the end of the path in one pass), so step 4 costs one pass over the
//! report path and a few lookups, whatever the size of the repository. A hash hit is checked
//! against the real path; a collision can only leave a path unresolved, never misplace it.
//! Unresolved paths are kept as written and listed, never dropped.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::report::coverage::CoverageReport;

/// Odd multiplier of the polynomial hash over a path read backwards.
const P: u64 = 0x0100_0000_01b3;

/// What a suffix hash names: one tracked file, or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    One(u32),
    Many,
}

/// The tracked files of a checkout, indexed by exact path and by every suffix of whole path
/// components.
#[derive(Debug, Default)]
pub struct PathIndex {
    files: Vec<String>,
    /// Hash of each whole path → its place in `files` (checked against it on a hit).
    exact: HashMap<u64, u32>,
    suffixes: HashMap<u64, Slot>,
}

impl PathIndex {
    /// Indexes repository-relative, `/`-separated paths (as `git ls-files` prints them).
    pub fn new(files: Vec<String>) -> Self {
        // Sized once: one suffix per path component (growing the table would double it).
        let components = files
            .iter()
            .map(|f| 1 + memchr::memchr_iter(b'/', f.as_bytes()).count());
        let mut suffixes: HashMap<u64, Slot> = HashMap::with_capacity(components.sum());
        let mut exact = HashMap::with_capacity(files.len());
        for (i, file) in files.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            exact.entry(hash(file)).or_insert(i);
            for (hash, _) in suffix_hashes(file) {
                suffixes
                    .entry(hash)
                    .and_modify(|s| {
                        if *s != Slot::One(i) {
                            *s = Slot::Many;
                        }
                    })
                    .or_insert(Slot::One(i));
            }
        }
        PathIndex {
            files,
            exact,
            suffixes,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.exact
            .get(&hash(path))
            .is_some_and(|&i| self.files[i as usize] == path)
    }

    /// The one tracked file that the longest suffix of whole components of `path` names, if
    /// that suffix names exactly one.
    pub fn by_suffix(&self, path: &str) -> Option<&str> {
        // Shortest suffix first from the pass; tried longest first.
        let hashes = suffix_hashes(path);
        for &(hash, start) in hashes.iter().rev() {
            match self.suffixes.get(&hash) {
                None => continue,
                Some(Slot::Many) => return None,
                Some(Slot::One(i)) => {
                    let file = &self.files[*i as usize];
                    let suffix = &path[start..];
                    let whole = file.len() == suffix.len()
                        || file
                            .as_bytes()
                            .get(file.len().wrapping_sub(suffix.len() + 1))
                            == Some(&b'/');
                    if file.ends_with(suffix) && whole {
                        return Some(file);
                    }
                    // A hash collision: not this suffix; a shorter one may still be unique.
                }
            }
        }
        None
    }
}

/// The hash of a whole path (the same function as [`suffix_hashes`]).
fn hash(path: &str) -> u64 {
    path.bytes().rev().fold(0u64, |h, b| {
        h.wrapping_mul(P).wrapping_add(u64::from(b) + 1)
    })
}

/// Hashes of every suffix of `path` that starts a component (`c.rs`, `b/c.rs`, `a/b/c.rs`),
/// shortest first, with where each starts: one pass from the end. Empty components are not
/// suffix starts.
fn suffix_hashes(path: &str) -> Vec<(u64, usize)> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(8);
    let mut hash = 0u64;
    for i in (0..bytes.len()).rev() {
        hash = hash.wrapping_mul(P).wrapping_add(u64::from(bytes[i]) + 1);
        let starts_component = i == 0 || bytes[i - 1] == b'/';
        if starts_component && bytes[i] != b'/' {
            out.push((hash, i));
        }
    }
    out
}

/// Resolves report paths for one run: the rewrites asked for, the prefixes to strip, where the
/// working directory is in the repository, and the tracked files.
#[derive(Debug)]
pub struct Resolver<'a> {
    fixes: &'a [(String, String)],
    /// Absolute locations of the checkout (its root, `GITHUB_WORKSPACE`), without a final `/`.
    roots: Vec<String>,
    /// The working directory relative to the repository root, `""` or ending in `/`.
    prefix: String,
    index: &'a PathIndex,
}

impl<'a> Resolver<'a> {
    pub fn new(
        fixes: &'a [(String, String)],
        checkout_roots: &[&str],
        prefix: &str,
        index: &'a PathIndex,
    ) -> Self {
        let roots = checkout_roots
            .iter()
            .map(|r| r.replace('\\', "/").trim_end_matches('/').to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        let prefix = match prefix.trim_matches('/') {
            "" => String::new(),
            p => format!("{p}/"),
        };
        Resolver {
            fixes,
            roots,
            prefix,
            index,
        }
    }

    /// `raw` as a repository path, and whether it names a tracked file (always true outside a
    /// checkout, where paths are taken as the reports give them).
    pub fn resolve<'r>(&self, raw: &'r str, source_roots: &[String]) -> (Cow<'r, str>, bool) {
        let (p, relative) = self.normalize(raw);
        if self.index.is_empty() {
            return (p, true);
        }
        if relative && !self.prefix.is_empty() {
            let in_package = format!("{}{p}", self.prefix);
            if self.index.contains(&in_package) {
                return (in_package.into(), true);
            }
        }
        if self.index.contains(&p) {
            return (p, true);
        }
        for root in source_roots {
            let root = root.replace('\\', "/");
            let joined = format!("{}/{p}", root.trim_end_matches('/'));
            let (joined, relative) = self.normalize(&joined);
            let candidates = [
                (relative && !self.prefix.is_empty()).then(|| format!("{}{joined}", self.prefix)),
                Some(joined.into_owned()),
            ];
            if let Some(found) = candidates
                .into_iter()
                .flatten()
                .find(|c| self.index.contains(c))
            {
                return (found.into(), true);
            }
        }
        match self.index.by_suffix(&p) {
            Some(found) => (found.to_owned().into(), true),
            None => (p, false),
        }
    }

    /// Separators, `--path-fix` rewrites, `./` and the checkout's absolute location; whether
    /// the result is relative to the working directory (not made so by stripping a root).
    fn normalize<'r>(&self, raw: &'r str) -> (Cow<'r, str>, bool) {
        // Borrowed until something changes: most paths of a big report need no rewriting.
        let mut p: Cow<'r, str> = if raw.contains('\\') {
            raw.replace('\\', "/").into()
        } else {
            raw.into()
        };
        for (before, after) in self.fixes {
            if let Some(rest) = p.strip_prefix(before.as_str()) {
                p = format!("{after}{rest}").into();
            }
        }
        let trimmed = p.trim_start_matches("./");
        let stripped = self.roots.iter().find_map(|root| {
            trimmed
                .strip_prefix(root.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
        });
        let (s, relative) = match stripped {
            Some(rest) => (rest, false),
            None => (trimmed, !trimmed.starts_with('/')),
        };
        if s.len() == p.len() {
            (p, relative)
        } else {
            (s.to_owned().into(), relative)
        }
    }
}

/// The rewrites report paths needed to resolve, learned while resolving them: the likely
/// `--path-fix` for the paths that did not resolve.
#[derive(Debug, Default)]
pub struct Rewrites {
    /// (written prefix, resolved prefix) of paths resolved by a rewrite, by how often.
    seen: BTreeMap<(String, String), u64>,
}

/// Unmatched paths shown in the terminal; `--json` lists them all.
pub const SHOWN: usize = 10;

/// The files of `files` that are not tracked, as the reports name them (none outside a
/// checkout). Borrowed: on a large report that matches nothing they are most of its paths.
pub fn unmatched<'f, V>(files: &'f BTreeMap<String, V>, index: &PathIndex) -> Vec<&'f str> {
    if index.is_empty() {
        return Vec::new();
    }
    files
        .keys()
        .filter(|k| !index.contains(k))
        .map(String::as_str)
        .collect()
}

impl Rewrites {
    /// Resolves every file path of `report` in place (the map is rebuilt only when a path
    /// changes: rebuilding it for a 50 MB report took a quarter of the peak memory).
    pub fn resolve_report(&mut self, report: &mut CoverageReport, resolver: &Resolver<'_>) {
        let mut renames = HashMap::new();
        for raw in report.files.keys() {
            let (resolved, found) = resolver.resolve(raw, &report.source_roots);
            if let Cow::Owned(resolved) = resolved
                && resolved != *raw
            {
                if found {
                    *self.seen.entry(prefixes(raw, &resolved)).or_default() += 1;
                }
                renames.insert(raw.clone(), resolved);
            }
        }
        if !renames.is_empty() {
            for (raw, file) in std::mem::take(&mut report.files) {
                let key = renames.remove(&raw).unwrap_or(raw);
                report.files.insert(key, file);
            }
        }
    }

    /// A `--path-fix BEFORE=AFTER` that would make `unmatched` paths tracked files: the rewrite
    /// most of the resolved paths needed, when it also fits some unmatched ones, else a leading
    /// directory that, stripped, leaves a tracked path. `None` when neither helps.
    pub fn suggest_fix(&self, unmatched: &[&str], index: &PathIndex) -> Option<(String, String)> {
        let sample = &unmatched[..unmatched.len().min(1000)];
        let fits = |before: &str, after: &str| {
            sample
                .iter()
                .filter_map(|p| p.strip_prefix(before).map(|r| format!("{after}{r}")))
                .filter(|p| index.contains(p))
                .count()
        };
        let mut learned: Vec<(&(String, String), &u64)> = self.seen.iter().collect();
        learned.sort_by(|a, b| b.1.cmp(a.1));
        if let Some(((before, after), _)) = learned
            .into_iter()
            .take(5)
            .find(|((before, after), _)| !before.is_empty() && fits(before, after) > 0)
        {
            return Some((before.clone(), after.clone()));
        }
        let mut stripped: HashMap<&str, usize> = HashMap::new();
        for p in sample {
            for (i, _) in p.match_indices('/').take(6) {
                if index.contains(&p[i + 1..]) {
                    *stripped.entry(&p[..=i]).or_default() += 1;
                    break;
                }
            }
        }
        let (before, _) = stripped.into_iter().max_by_key(|(k, n)| (*n, k.len()))?;
        Some((before.to_owned(), String::new()))
    }
}

/// The differing leading parts of a written path and its resolution (their common tail of
/// whole components removed): `/build/src/a.c` → `src/a.c` gives (`/build/`, ``).
fn prefixes(raw: &str, resolved: &str) -> (String, String) {
    let raw = raw.replace('\\', "/");
    let a: Vec<&str> = raw.split('/').collect();
    let b: Vec<&str> = resolved.split('/').collect();
    let common = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let head = |parts: &[&str]| {
        if parts.is_empty() {
            String::new()
        } else {
            format!("{}/", parts.join("/"))
        }
    };
    (head(&a[..a.len() - common]), head(&b[..b.len() - common]))
}

#[cfg(test)]
#[path = "paths_tests.rs"]
mod tests;
