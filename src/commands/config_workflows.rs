//! `config check`'s cross-check of the workflows against the config: every `--env`, `--check`
//! and `--channel` that a decoder-ops step of `.github/workflows/*.yml` passes must name an
//! environment, check or channel the config defines — else `smoke` would fail on the first
//! deploy (exit 2) while `config check` called the file valid.
//!
//! The steps are found in the workflow text itself, so each finding carries its file and line:
//! a step is the lines from one `- ` list item to the next at the same indentation, and it is a
//! decoder-ops step when one of its lines is `uses: …/decoder-ops@…` or `uses: ./`. Its `args`
//! are one argument a line (the action's contract), `--env NAME` or `--env=NAME`.

use std::path::{Path, PathBuf};

use crate::config::Config;

/// One reference the config cannot satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The workflows next to the config (`.github/workflows/` beside `.github/decoder-ops.yml`)
/// checked against it; no directory, no findings.
pub fn check(config_path: &Path, config: &Config) -> Vec<Finding> {
    let dir = config_path
        .parent()
        .map_or_else(|| PathBuf::from("workflows"), |p| p.join("workflows"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        if let Ok(text) = std::fs::read_to_string(&file) {
            out.extend(check_text(&file.display().to_string(), &text, config));
        }
    }
    out
}

/// The findings in one workflow's text.
pub fn check_text(file: &str, text: &str, config: &Config) -> Vec<Finding> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (start, end) in steps(&lines) {
        let step = &lines[start..end];
        let ours = step.iter().any(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            l.starts_with("uses:") && (l.contains("/decoder-ops@") || l.contains("uses: ./"))
        });
        if !ours {
            continue;
        }
        for (i, (flag, value)) in arguments(step) {
            if value.contains("${{") {
                continue; // known only at run time
            }
            if let Some(message) = unknown(flag, value, config) {
                out.push(Finding {
                    file: file.to_owned(),
                    line: start + i + 1,
                    message,
                });
            }
        }
    }
    out
}

/// `(first, end)` line ranges of the list items (steps) of a workflow.
fn steps(lines: &[&str]) -> Vec<(usize, usize)> {
    let item = |l: &str| {
        let t = l.trim_start();
        t.starts_with("- ").then(|| l.len() - t.len())
    };
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None; // (first line, indent)
    for (i, l) in lines.iter().enumerate() {
        let indent = l.len() - l.trim_start().len();
        let ends = !l.trim().is_empty() && open.is_some_and(|(_, at)| indent <= at);
        if (ends || item(l).is_some())
            && let Some((first, _)) = open.take()
        {
            out.push((first, i));
        }
        if let Some(at) = item(l) {
            open = Some((i, at));
        }
    }
    if let Some((first, _)) = open {
        out.push((first, lines.len()));
    }
    out
}

/// `(line index in the step, flag, value)` of each `--env`, `--check` and `--channel`.
fn arguments<'a>(step: &[&'a str]) -> Vec<(usize, (&'static str, &'a str))> {
    let mut out = Vec::new();
    for (i, l) in step.iter().enumerate() {
        let arg = l.trim();
        for flag in ["--env", "--check", "--channel"] {
            if arg == flag {
                if let Some(next) = step.get(i + 1) {
                    out.push((i + 1, (flag, next.trim())));
                }
            } else if let Some(v) = arg.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                out.push((i, (flag, v)));
            }
        }
    }
    out
}

/// Why `value` names nothing in the config, or `None` when it does.
fn unknown(flag: &str, value: &str, config: &Config) -> Option<String> {
    let (what, key, known): (&str, &str, Vec<&str>) = match flag {
        "--env" => (
            "an environment",
            "environments:",
            config.environments.keys().map(String::as_str).collect(),
        ),
        "--check" => (
            "a check",
            "checks:",
            config.checks.iter().map(|c| c.name.as_str()).collect(),
        ),
        _ => (
            "a channel",
            "notify.channels:",
            config.notify.channels.keys().map(String::as_str).collect(),
        ),
    };
    if known.contains(&value) {
        return None;
    }
    let has = if known.is_empty() {
        "it defines none".to_owned()
    } else {
        format!("it has {}", known.join(", "))
    };
    Some(format!(
        "`{flag} {value}` names {what} the config lacks ({has}); add `{value}` under `{key}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "\
jobs:
  deploy:
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - name: Deploy
        run: |
          ./deploy.sh --env nowhere
      - name: Smoke-test staging
        uses: decoder-ops/decoder-ops@v1
        with:
          command: smoke
          args: |
            --env
            staging
            --check=health
            --check
            home page
      - name: Tell
        uses: decoder-ops/decoder-ops@v1
        with:
          command: notify
          args: |
            --channel
            ${{ inputs.channel }}
";

    #[test]
    fn names_each_missing_environment_and_check_with_its_line() {
        let config = crate::config::parse(
            "environments:\n  production:\n    base-url: https://x.example\nchecks:\n  - name: health\n    url: \"{base-url}/\"\n",
            "c.yml",
        )
        .unwrap();
        let found = check_text("deploy.yml", WORKFLOW, &config);
        let got: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (
                    14,
                    "`--env staging` names an environment the config lacks (it has production); add `staging` under `environments:`"
                ),
                (
                    17,
                    "`--check home page` names a check the config lacks (it has health); add `home page` under `checks:`"
                ),
            ]
        );
    }
}
