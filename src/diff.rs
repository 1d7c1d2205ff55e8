//! Changed lines: which lines of which files a change adds, from git (`git diff -U0` against
//! the merge base) or from a unified diff file. Patch coverage is measured on these.
//!
//! Only added lines count (a deletion has nothing to test). Renames report the new path.
//! Binary files and files deleted by the change are left out. Paths are repository-relative
//! with `/` separators, as `git ls-files` prints them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Added line numbers (1-based) per file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedLines {
    pub files: BTreeMap<String, BTreeSet<u32>>,
}

impl ChangedLines {
    pub fn added_lines(&self) -> usize {
        self.files.values().map(BTreeSet::len).sum()
    }

    /// Consecutive runs of added lines in `file`, for annotations: `[(start, end)]`.
    pub fn ranges(lines: &BTreeSet<u32>) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = Vec::new();
        for &l in lines {
            match out.last_mut() {
                Some((_, end)) if *end + 1 == l => *end = l,
                _ => out.push((l, l)),
            }
        }
        out
    }
}

/// Errors finding the change.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("diff `{path}`: line {line}: {message}")]
    Malformed {
        path: String,
        line: usize,
        message: String,
    },
    #[error("cannot read diff `{path}`: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot run git: {0}; is git installed and is this a git repository?")]
    Git(String),
    #[error(
        "the base `{base}` is not in this clone{shallow}; fetch it first (actions/checkout with `fetch-depth: 0`, or `git fetch origin {base}`)"
    )]
    MissingBase { base: String, shallow: &'static str },
}

/// The lines added between the merge base of `base` and HEAD, and HEAD, in the repository at
/// `repo`.
pub fn from_git(repo: &Path, base: &str) -> Result<ChangedLines, DiffError> {
    let merge_base = git(repo, &["merge-base", base, "HEAD"]).map_err(|e| {
        let shallow =
            git(repo, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s.trim() == "true");
        if shallow
            || e.contains("Not a valid object name")
            || e.contains("no merge base")
            || e.contains("bad revision")
        {
            DiffError::MissingBase {
                base: base.to_owned(),
                shallow: if shallow {
                    " (this is a shallow clone)"
                } else {
                    ""
                },
            }
        } else {
            DiffError::Git(e)
        }
    })?;
    let diff = git(
        repo,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "-U0",
            "--find-renames",
            merge_base.trim(),
            "HEAD",
        ],
    )
    .map_err(DiffError::Git)?;
    parse_unified(&diff, "git diff")
}

/// The lines added by a unified diff file (`git diff`, `diff -u`, a PR's `.diff`).
pub fn from_file(path: &Path) -> Result<ChangedLines, DiffError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| DiffError::Read {
        path: shown.clone(),
        source,
    })?;
    parse_unified(&String::from_utf8_lossy(&bytes), &shown)
}

/// The git checkout a command runs in: where its root is, where the working directory is in
/// it, and the files it tracks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkout {
    /// The absolute path of the repository root.
    pub root: String,
    /// The working directory relative to the root: `""` at the root, else ending in `/`
    /// (`packages/api/` for a monorepo package's `working-directory`).
    pub prefix: String,
    /// Every tracked file, repository-relative and `/`-separated, as `git ls-files` prints them
    /// at the root.
    pub files: Vec<String>,
}

/// The checkout `dir` is in, or `None` outside a git repository (paths are then taken as the
/// reports give them).
pub fn checkout(dir: &Path) -> Option<Checkout> {
    let out = git(dir, &["rev-parse", "--show-toplevel", "--show-prefix"]).ok()?;
    let mut lines = out.lines();
    let root = lines.next()?.trim_end().to_owned();
    let prefix = lines.next().unwrap_or_default().trim_end().to_owned();
    let files = git(
        Path::new(&root),
        &["-c", "core.quotePath=false", "ls-files", "-z"],
    )
    .ok()?
    .split('\0')
    .filter(|s| !s.is_empty())
    .map(str::to_owned)
    .collect();
    Some(Checkout {
        root,
        prefix,
        files,
    })
}

fn git(repo: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// Parses a unified diff. Hunk headers `@@ -a,b +c,d @@` give the new-file line numbers; `+`
/// lines inside a hunk are added lines. Context lines (`-U3` diffs) advance the counter.
pub fn parse_unified(text: &str, name: &str) -> Result<ChangedLines, DiffError> {
    let mut out = ChangedLines::default();
    let mut file: Option<String> = None;
    let mut next_line: u32 = 0;
    let mut remaining_new: u32 = 0;
    let mut remaining_old: u32 = 0;
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let in_hunk = remaining_new > 0 || remaining_old > 0;
        if in_hunk {
            match line.as_bytes().first() {
                Some(b'+') => {
                    if let Some(f) = &file {
                        out.files.entry(f.clone()).or_default().insert(next_line);
                    }
                    next_line += 1;
                    remaining_new = remaining_new.saturating_sub(1);
                }
                Some(b'-') => remaining_old = remaining_old.saturating_sub(1),
                Some(b'\\') => {}
                _ => {
                    next_line += 1;
                    remaining_new = remaining_new.saturating_sub(1);
                    remaining_old = remaining_old.saturating_sub(1);
                }
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("+++ ") {
            file = new_path(rest);
        } else if line.starts_with("@@") {
            let (start, new_len, old_len) =
                hunk_header(line).ok_or_else(|| DiffError::Malformed {
                    path: name.to_owned(),
                    line: lineno,
                    message: format!(
                        "expected a hunk header `@@ -a,b +c,d @@`, got `{}`",
                        line.chars().take(80).collect::<String>()
                    ),
                })?;
            next_line = start;
            remaining_new = new_len;
            remaining_old = old_len;
        }
    }
    out.files.retain(|_, lines| !lines.is_empty());
    Ok(out)
}

/// `b/src/lib.rs` → `src/lib.rs`; `/dev/null` (a deletion) → none. Quoted paths are unquoted.
fn new_path(rest: &str) -> Option<String> {
    let rest = rest.split('\t').next().unwrap_or(rest).trim();
    if rest == "/dev/null" {
        return None;
    }
    let rest = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(rest);
    let path = rest.strip_prefix("b/").unwrap_or(rest);
    Some(path.replace('\\', "/"))
}

/// `@@ -12,3 +14,5 @@ fn x` → (14, 5, 3). A missing count means 1.
fn hunk_header(line: &str) -> Option<(u32, u32, u32)> {
    let mut parts = line.split_whitespace();
    parts.next().filter(|p| *p == "@@")?;
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    let count = |spec: &str| -> Option<(u32, u32)> {
        match spec.split_once(',') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => Some((spec.parse().ok()?, 1)),
        }
    };
    let (_, old_len) = count(old)?;
    let (start, new_len) = count(new)?;
    Some((start, new_len, old_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "\
diff --git a/src/a.rs b/src/a.rs
index 1111111..2222222 100644
--- a/src/a.rs
+++ b/src/a.rs
@@ -3,0 +4,2 @@ fn main() {
+    let x = 1;
+    let y = 2;
@@ -10 +12 @@
-    old();
+    new();
diff --git a/gone.rs b/gone.rs
deleted file mode 100644
--- a/gone.rs
+++ /dev/null
@@ -1,2 +0,0 @@
-a
-b
diff --git a/old name.py b/new name.py
similarity index 90%
rename from old name.py
rename to new name.py
--- a/old name.py
+++ b/new name.py
@@ -1,3 +1,4 @@
 keep
+added
 keep
 keep
";

    #[test]
    fn added_lines_per_file_from_u0_and_context_hunks() {
        let c = parse_unified(DIFF, "t.diff").unwrap();
        assert_eq!(
            c.files["src/a.rs"].iter().copied().collect::<Vec<_>>(),
            [4, 5, 12]
        );
        assert_eq!(
            c.files["new name.py"].iter().copied().collect::<Vec<_>>(),
            [2]
        );
        assert!(!c.files.contains_key("gone.rs"));
        assert_eq!(c.added_lines(), 4);
        assert_eq!(
            ChangedLines::ranges(&c.files["src/a.rs"]),
            [(4, 5), (12, 12)]
        );
    }

    #[test]
    fn a_bad_hunk_header_is_located() {
        let err = parse_unified("--- a/x\n+++ b/x\n@@ nonsense @@\n", "pr.diff")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "diff `pr.diff`: line 3: expected a hunk header `@@ -a,b +c,d @@`, got `@@ nonsense @@`"
        );
    }

    #[test]
    fn git_merge_base_diff_and_missing_base() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path();
        let run = |args: &[&str]| {
            let ok = Command::new("git")
                .arg("-C")
                .arg(repo)
                .args([
                    "-c",
                    "user.name=t",
                    "-c",
                    "user.email=t@example.invalid",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(args)
                .output()
                .unwrap();
            assert!(
                ok.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&ok.stderr)
            );
        };
        run(&["init", "-q", "-b", "main"]);
        std::fs::write(repo.join("lib.py"), "a\nb\nc\n").unwrap();
        run(&["add", "."]);
        run(&["commit", "-qm", "base"]);
        run(&["checkout", "-qb", "feature"]);
        std::fs::write(repo.join("lib.py"), "a\nB\nc\nd\n").unwrap();
        run(&["commit", "-qam", "change"]);
        let c = from_git(repo, "main").unwrap();
        assert_eq!(
            c.files["lib.py"].iter().copied().collect::<Vec<_>>(),
            [2, 4]
        );
        let err = from_git(repo, "origin/nope").unwrap_err().to_string();
        assert!(
            err.contains("is not in this clone") && err.contains("fetch-depth: 0"),
            "{err}"
        );
    }
}
