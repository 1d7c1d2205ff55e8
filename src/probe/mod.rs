//! The HTTP check engine: concrete [`Check`]s in, a [`Report`] out, nothing printed.
//!
//! `smoke` and `health-monitor` share it. The pieces, in the order a run uses them:
//! [`plan`] turns the config's `checks:` (or flags) into concrete checks for one environment and
//! slot; [`Clients`] holds one HTTP client per TLS setting; [`run`] executes checks
//! concurrently, each with its one timing behaviour (once, wait-until-ready, retry-transient),
//! under a per-request timeout and an overall deadline; [`fetch`] performs one attempt, following
//! redirects itself so each hop is checked against the allowlist; [`assert`] evaluates
//! assertions once, on the final response. Results are redacted before they leave the engine.

pub mod assert;
mod cert;
mod check;
pub mod fetch;
pub mod plan;
pub mod prom;
pub mod push;
mod result;
pub mod run;

pub use check::{AllowList, Check};
pub use fetch::Clients;
pub use plan::{Planned, Selection, plan};
pub use result::{
    AssertionResult, Attempt, AttemptKind, CheckResult, CheckStatus, Hop, Report, ResponseInfo,
    Stats, Timings,
};
pub use run::{RunOptions, run};

/// Errors that stop a run before any check is made. All are problems of the input (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// `--env`, `--slot` or the check list does not fit the config.
    #[error("{0}")]
    Selection(String),
    #[error("TLS CA file `{path}`: {message}; give a PEM file of CA certificates in `tls.ca-file`")]
    CaFile { path: String, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
