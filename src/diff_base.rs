//! Which commit a change is measured against, when the one the event names cannot be used.
//!
//! A push that creates a branch has `before` = 40 zeros; a manual run has no `before` at all; a
//! shallow clone may not hold the base. Then the change is the branch's own commits: the merge
//! base with the default branch (fetched when the clone lacks it). When that cannot be had — no
//! remote, no network, or HEAD *is* the default branch's tip (the repository's first push) —
//! there is no base, and patch coverage is skipped with the reason rather than guessed: a diff
//! against nothing would call every line of the repository "added".

use std::path::Path;
use std::process::Command;

/// What the change is measured against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// A revision git can resolve in this clone (the one asked for, or the fallback).
    Ref(String),
    /// No usable base, and why (for the summary: "patch coverage skipped: no base (…)").
    Missing(String),
}

/// Resolves `asked` (a `--base` value, possibly empty or all zeros) in the repository at `repo`.
pub fn resolve(repo: &Path, asked: &str) -> Base {
    let asked = asked.trim();
    let why = if asked.is_empty() {
        "no base commit was given (a manual or scheduled run)".to_owned()
    } else if asked.bytes().all(|b| b == b'0') {
        "the push created the branch (its `before` commit is all zeros)".to_owned()
    } else if has_commit(repo, asked) {
        return Base::Ref(asked.to_owned());
    } else {
        format!(
            "the base `{asked}` is not in this clone (actions/checkout with `fetch-depth: 0` fetches it)"
        )
    };
    match default_branch_base(repo) {
        Ok(r) => Base::Ref(r),
        Err(more) => Base::Missing(format!("{why}; {more}")),
    }
}

/// The default branch's tip as a revision, fetched when the clone lacks it; an error when it
/// cannot be had or HEAD is that tip (nothing to compare with).
fn default_branch_base(repo: &Path) -> Result<String, String> {
    let branch = default_branch(repo);
    let remote = format!("origin/{branch}");
    let tip = if has_commit(repo, &remote) {
        remote.clone()
    } else {
        // A fetch from a private repository without credentials (`persist-credentials: false`)
        // or without network fails at once; it never prompts.
        git(
            repo,
            &["fetch", "--no-tags", "--quiet", "origin", branch.as_str()],
        )
        .map_err(|_| format!("the default branch `{branch}` could not be fetched"))?;
        "FETCH_HEAD".to_owned()
    };
    let tip_sha = rev(repo, &tip).ok_or_else(|| format!("`{remote}` is not a commit"))?;
    let head = rev(repo, "HEAD").ok_or("HEAD is not a commit")?;
    let merge_base = git(repo, &["merge-base", &tip_sha, &head])
        .map_err(|_| format!("HEAD shares no history with `{remote}` in this clone"))?;
    if merge_base.trim() == head {
        return Err(format!(
            "HEAD is `{remote}` itself: nothing to compare it with"
        ));
    }
    Ok(tip_sha)
}

/// `origin/HEAD`'s branch when the clone knows it, else `main`.
fn default_branch(repo: &Path) -> String {
    git(
        repo,
        &["symbolic-ref", "--short", "refs/remotes/origin/HEAD"],
    )
    .ok()
    .and_then(|s| s.trim().strip_prefix("origin/").map(str::to_owned))
    .filter(|b| !b.is_empty())
    .unwrap_or_else(|| "main".to_owned())
}

fn has_commit(repo: &Path, rev_name: &str) -> bool {
    rev(repo, rev_name).is_some()
}

fn rev(repo: &Path, rev_name: &str) -> Option<String> {
    git(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev_name}^{{commit}}"),
        ],
    )
    .ok()
    .map(|s| s.trim().to_owned())
}

fn git(repo: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(repo: &Path, args: &[&str]) {
        let out = Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A clone of an upstream with `main` (one commit), on a new branch with one more commit.
    fn clone_with_branch() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let upstream = dir.path().join("upstream");
        std::fs::create_dir(&upstream).unwrap();
        run(&upstream, &["init", "-q", "-b", "main"]);
        std::fs::write(upstream.join("a.py"), "a\n").unwrap();
        run(&upstream, &["add", "."]);
        run(&upstream, &["commit", "-qm", "base"]);
        let clone = dir.path().join("clone");
        run(dir.path(), &["clone", "-q", "upstream", "clone"]);
        (dir, clone)
    }

    #[test]
    fn zeros_fall_back_to_the_default_branch_merge_base() {
        let (_dir, clone) = clone_with_branch();
        let main = rev(&clone, "origin/main").unwrap();
        run(&clone, &["checkout", "-qb", "feature"]);
        std::fs::write(clone.join("a.py"), "a\nb\n").unwrap();
        run(&clone, &["commit", "-qam", "feature"]);
        let zeros = "0".repeat(40);
        assert_eq!(resolve(&clone, &zeros), Base::Ref(main.clone()));
        assert_eq!(resolve(&clone, ""), Base::Ref(main.clone()));
        assert_eq!(resolve(&clone, "HEAD~1"), Base::Ref("HEAD~1".into()));
        let absent = "1234567890123456789012345678901234567890";
        assert_eq!(resolve(&clone, absent), Base::Ref(main));
    }

    #[test]
    fn the_first_push_of_the_default_branch_has_no_base() {
        let (_dir, clone) = clone_with_branch();
        let Base::Missing(why) = resolve(&clone, &"0".repeat(40)) else {
            panic!("expected no base");
        };
        assert_eq!(
            why,
            "the push created the branch (its `before` commit is all zeros); HEAD is `origin/main` itself: nothing to compare it with"
        );
    }

    #[test]
    fn no_remote_and_no_default_branch_is_no_base_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &["init", "-q", "-b", "main"]);
        std::fs::write(dir.path().join("a.py"), "a\n").unwrap();
        run(dir.path(), &["add", "."]);
        run(dir.path(), &["commit", "-qm", "first"]);
        let Base::Missing(why) = resolve(dir.path(), &"0".repeat(40)) else {
            panic!("expected no base");
        };
        assert!(
            why.ends_with("the default branch `main` could not be fetched"),
            "{why}"
        );
    }
}
