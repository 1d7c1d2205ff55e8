//! The binary end to end: a builder that runs `decoder-ops` with a scrubbed environment (no
//! `GITHUB_*`, no `CI`, no real secrets), plus helpers to read what it wrote.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// `decoder-ops` with an empty environment except what the test sets.
pub struct Bin {
    cmd: Command,
}

impl Bin {
    pub fn new() -> Self {
        let mut cmd = Command::cargo_bin("decoder-ops").expect("binary built by cargo test");
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        // Under cargo-llvm-cov the binary writes its coverage where this says; without it the
        // end-to-end runs would count as uncovered.
        if let Some(profile) = std::env::var_os("LLVM_PROFILE_FILE") {
            cmd.env("LLVM_PROFILE_FILE", profile);
        }
        cmd.env("NO_COLOR", "1");
        Bin { cmd }
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn arg_path(mut self, path: &Path) -> Self {
        self.cmd.arg(path);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.cmd.write_stdin(input);
        self
    }

    /// Sets up an Actions environment whose runner files live in `dir`.
    pub fn in_actions(self, dir: &Path) -> Self {
        self.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", dir.join("output"))
            .env("GITHUB_STEP_SUMMARY", dir.join("summary"))
            .env("GITHUB_REPOSITORY", "acme/shop")
            .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
            .env("GITHUB_REF", "refs/heads/main")
            .env("GITHUB_RUN_ID", "4242")
            .env("GITHUB_RUN_ATTEMPT", "2")
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_ACTOR", "octocat")
            .env("GITHUB_WORKFLOW", "deploy")
            .env("GITHUB_JOB", "production")
            .env("GITHUB_EVENT_NAME", "push")
    }

    pub fn run(mut self) -> Run {
        let out = self.cmd.output().expect("decoder-ops runs");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// What a run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

pub fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}
