//! Monorepos: `coverage-check` run from a package directory (a workflow step's
//! `working-directory`) judges that package's changed lines, with the diff taken at the
//! repository root and report paths resolved relative to the package.

use std::path::Path;
use std::process::Command;

use crate::cli::{Bin, read};

fn git(repo: &Path, args: &[&str]) {
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
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Two packages on main; a feature branch adds lines to both: `packages/api/src/calc.py` lines
/// 4–6 and `packages/web/src/cart.js` lines 3–4.
fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    git(r, &["init", "-q", "-b", "main"]);
    let calc = r.join("packages/api/src/calc.py");
    let cart = r.join("packages/web/src/cart.js");
    write(&calc, "def add(a, b):\n    return a + b\n\n");
    write(&cart, "function total(items) {\n  return 0;\n}\n");
    write(&r.join("README.md"), "shop\n");
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "base"]);
    git(r, &["checkout", "-qb", "feature"]);
    write(
        &calc,
        "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    if a < b:\n        return 0\n",
    );
    write(
        &cart,
        "function total(items) {\n  return 0;\n}\nfunction count(items) { return items.length; }\nmodule.exports = { total, count };\n",
    );
    write(&r.join("README.md"), "shop\nnow with sub\n");
    git(r, &["commit", "-qam", "sub and count"]);
    dir
}

fn patch(dir: &Path, report: &str, workspace: &Path) -> (Option<i32>, serde_json::Value, String) {
    let out = tempfile::tempdir().unwrap();
    let result = out.path().join("r.json");
    let run = Bin::new()
        .current_dir(dir)
        .in_actions(out.path())
        .env("GITHUB_WORKSPACE", workspace)
        .args([
            "coverage-check",
            report,
            "--base",
            "main",
            "--min-patch",
            "50",
            "--json",
        ])
        .arg_path(&result)
        .run();
    let v = serde_json::from_str(&read(&result)).unwrap();
    (run.code, v, run.stdout)
}

#[test]
fn patch_coverage_from_each_package_directory_judges_that_package() {
    let dir = monorepo();
    let r = dir.path();
    // coverage.py's lcov from packages/api: paths relative to the package.
    let api = r.join("packages/api");
    write(
        &api.join("coverage.lcov"),
        "SF:src/calc.py\nDA:1,1\nDA:2,1\nDA:4,1\nDA:5,1\nDA:6,0\nLF:5\nLH:4\nend_of_record\n",
    );
    let (code, v, stdout) = patch(&api, "coverage.lcov", r);
    assert_eq!(code, Some(0), "{stdout}\n{v:#}");
    assert_eq!(v["verdict"], "pass", "{v:#}");
    let p = &v["patch"];
    assert_eq!(
        (p["covered"].as_u64(), p["measured"].as_u64()),
        (Some(2), Some(3)),
        "{v:#}"
    );
    assert_eq!(
        p["added"].as_u64(),
        Some(3),
        "only the api package's added lines: {v:#}"
    );
    assert_eq!(
        p["uncovered"]["packages/api/src/calc.py"],
        serde_json::json!([[6, 6]])
    );
    assert_eq!(p["unmeasured_files"], serde_json::json!([]));
    assert!(
        stdout.contains("::warning file=packages/api/src/calc.py,line=6,"),
        "annotations name the file from the repository root: {stdout}"
    );

    // c8's lcov from packages/web names files by absolute path under the workspace.
    let web = r.join("packages/web");
    write(
        &web.join("coverage/lcov.info"),
        &format!(
            "SF:{}\nDA:1,1\nDA:2,1\nDA:4,0\nDA:5,1\nLF:4\nLH:3\nend_of_record\n",
            web.join("src/cart.js").display()
        ),
    );
    let (code, v, stdout) = patch(&web, "coverage/lcov.info", r);
    assert_eq!(code, Some(0), "{stdout}\n{v:#}");
    let p = &v["patch"];
    assert_eq!(
        (p["covered"].as_u64(), p["measured"].as_u64()),
        (Some(1), Some(2)),
        "{v:#}"
    );
    assert_eq!(p["added"].as_u64(), Some(2), "{v:#}");
    assert!(
        v["files"].get("packages/web/src/cart.js").is_some(),
        "{v:#}"
    );
    assert_eq!(v["unmatched_report_paths"], serde_json::json!([]));
}

#[test]
fn a_package_that_measures_nothing_of_its_change_is_still_inconclusive() {
    let dir = monorepo();
    let r = dir.path();
    let api = r.join("packages/api");
    write(
        &api.join("coverage.lcov"),
        "SF:src/other.py\nDA:1,1\nLF:1\nLH:1\nend_of_record\n",
    );
    let (code, v, _) = patch(&api, "coverage.lcov", r);
    assert_eq!(code, Some(4), "{v:#}");
    assert_eq!(
        v["patch"]["unmeasured_files"],
        serde_json::json!(["packages/api/src/calc.py"])
    );
}
