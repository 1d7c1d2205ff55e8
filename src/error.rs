//! The top-level error and the exit-code table.
//!
//! Every module has its own `thiserror` error; this one wraps them with `#[from]` so `?` works
//! across module boundaries, and maps each to the documented exit code. Only `main.rs` turns an
//! [`ExitCode`] into a process exit.

use std::fmt;

/// The exit-code table of the README. Values are part of the public contract: workflows branch on
/// them, so they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "u8")]
pub enum ExitCode {
    /// Passed (warnings allowed).
    Passed = 0,
    /// The verdict failed: a blocking gate, a smoke assertion, an unhealthy monitor check.
    Failed = 1,
    /// Cannot evaluate: bad usage, invalid config, unreadable or malformed input.
    Invalid = 2,
    /// Could not complete: a required service failed after retries.
    Incomplete = 3,
    /// Inconclusive: not enough data to decide. Never treated as a pass.
    Inconclusive = 4,
}

impl ExitCode {
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<ExitCode> for u8 {
    fn from(code: ExitCode) -> u8 {
        code.code()
    }
}

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// Everything that can stop a subcommand before it produces an outcome.
///
/// Messages are lowercase fragments that name the object and, where there is one, the fix.
/// They never contain a secret: errors that may carry a URL are redacted where they are built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Runtime(#[from] crate::github::runtime::RuntimeError),
    #[error(transparent)]
    Notify(#[from] crate::notify::NotifyError),
    #[error(transparent)]
    Api(#[from] crate::github::api::ApiError),
    #[error(transparent)]
    Probe(#[from] crate::probe::ProbeError),
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    #[error(transparent)]
    Diff(#[from] crate::diff::DiffError),
    #[error(transparent)]
    Junit(#[from] crate::report::junit::JunitError),
    #[error(transparent)]
    TestResults(#[from] crate::report::dotnet::TestResultsError),
    #[error(transparent)]
    Sarif(#[from] crate::report::sarif::SarifError),
    #[error(transparent)]
    Audit(#[from] crate::report::audit::AuditError),
    #[error(transparent)]
    K6(#[from] crate::report::k6::K6Error),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// Bad combination of flags that clap cannot express.
    #[error("{0}")]
    Usage(String),
    /// A required service failed after retries (exit 3).
    #[error("{0}")]
    Service(String),
}

impl Error {
    /// The exit code for this error, from the table in the README.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Service(_) => ExitCode::Incomplete,
            Error::Notify(e) if e.is_delivery_failure() => ExitCode::Incomplete,
            Error::Runtime(e) if e.is_io() => ExitCode::Incomplete,
            Error::Api(e) if !e.is_usage() => ExitCode::Incomplete,
            _ => ExitCode::Invalid,
        }
    }
}

/// An error and its causes on one line. reqwest's own text ("error sending request") says
/// little; the cause ("connection refused", "dns error") is what a reader needs.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
