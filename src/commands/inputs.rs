//! Report paths as written in a workflow or the config → the files they name.
//!
//! Globs are expanded here, by the binary, not by a shell: the action passes each argument as
//! written (`target/surefire-reports/*.xml` arrives as that text), and a shell would leave a
//! pattern that matches nothing as a literal file name anyway. A pattern that matches nothing is
//! not an error of usage but a failed gate: the step that should have written the report did not
//! run or wrote it elsewhere, and the gate says so by name
//! ([`crate::gate::configured::missing_reason`]).
//!
//! `-` (standard input) and paths that exist as written (a FIFO, a file whose name contains `[`)
//! are taken as they are. The same file named twice is read once, so two patterns that overlap
//! never count a test twice.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The files a list of patterns names, in the order given (each glob's matches sorted), and
/// the patterns that name no file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    pub files: Vec<PathBuf>,
    pub missing: Vec<String>,
}

/// Expands every pattern; an invalid glob is a usage error naming it.
pub fn resolve(patterns: &[PathBuf]) -> Result<Resolved, Error> {
    let mut out = Resolved::default();
    let mut seen = HashSet::new();
    for pattern in patterns {
        let matches = expand(pattern)?;
        if matches.is_empty() {
            out.missing.push(pattern.display().to_string());
        }
        for m in matches {
            if seen.insert(m.clone()) {
                out.files.push(m);
            }
        }
    }
    Ok(out)
}

fn expand(pattern: &Path) -> Result<Vec<PathBuf>, Error> {
    let text = pattern.to_string_lossy();
    // Standard input and anything that exists as written (also a FIFO or a name with `[`).
    if text == "-" || std::fs::metadata(pattern).is_ok() {
        return Ok(vec![pattern.to_path_buf()]);
    }
    if !text.contains(['*', '?', '[']) {
        return Ok(Vec::new());
    }
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let paths = glob::glob_with(&text, options).map_err(|e| {
        Error::Usage(format!(
            "report pattern `{text}`: {} at character {}; write a path or a glob such as `reports/*.xml` or `test-results/**/*.xml`",
            e.msg,
            e.pos + 1
        ))
    })?;
    let mut files: Vec<PathBuf> = paths
        .filter_map(Result::ok)
        .filter(|p| !p.is_dir())
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, rel: &str) -> PathBuf {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "x").unwrap();
        p
    }

    #[test]
    fn globs_expand_sorted_and_overlaps_count_once() {
        let dir = tempfile::tempdir().unwrap();
        let b = touch(dir.path(), "r/TEST-b.xml");
        let a = touch(dir.path(), "r/TEST-a.xml");
        let deep = touch(dir.path(), "r/sub/TEST-c.xml");
        std::fs::create_dir_all(dir.path().join("r/dir.xml")).unwrap();
        let r = resolve(&[
            dir.path().join("r/*.xml"),
            a.clone(),
            dir.path().join("r/**/TEST-c.xml"),
        ])
        .unwrap();
        assert_eq!(r.files, [a, b, deep]);
        assert!(r.missing.is_empty());
    }

    #[test]
    fn a_pattern_or_path_naming_nothing_is_reported_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let glob = dir.path().join("target/surefire-reports/*.xml");
        let plain = dir.path().join("coverage/lcov.info");
        let r = resolve(&[glob.clone(), plain.clone(), PathBuf::from("-")]).unwrap();
        assert_eq!(r.files, [PathBuf::from("-")]);
        assert_eq!(
            r.missing,
            [glob.display().to_string(), plain.display().to_string()]
        );
    }

    #[test]
    fn a_name_with_brackets_that_exists_is_taken_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let odd = touch(dir.path(), "junit[1].xml");
        assert_eq!(resolve(std::slice::from_ref(&odd)).unwrap().files, [odd]);
    }

    #[test]
    fn an_invalid_glob_is_a_usage_error_naming_it() {
        let err = resolve(&[PathBuf::from("reports/[.xml")]).unwrap_err();
        assert!(err.to_string().contains("`reports/[.xml`"), "{err}");
    }
}
