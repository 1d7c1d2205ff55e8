//! The outcome every subcommand produces: a verdict, the exit code derived from it, and the
//! command's own details, serialized as the stable `--json` result object.
//!
//! ```json
//! {"schema": "decoder-ops/notify/v1", "command": "notify", "verdict": "pass", "exit_code": 0, ...}
//! ```
//!
//! The first four keys are the contract every consumer may rely on; the rest belongs to the
//! command and is versioned by the `schema` string.

use serde::Serialize;

use crate::error::ExitCode;

/// The decision of a run. Sinks render it; only [`Verdict::exit_code`] turns it into a process
/// exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Everything required held.
    Pass,
    /// Passed with warnings (a non-blocking gate failed, a best-effort notification was lost).
    Warn,
    /// A blocking condition failed.
    Fail,
    /// Not enough data to decide; never a pass.
    Inconclusive,
    /// The run could not be evaluated or completed (bad input, a required service down).
    Error,
}

impl Verdict {
    /// The exit code for a verdict reached by evaluation. `Error` maps to 3 (could not complete);
    /// errors before evaluation carry their own code (see [`crate::Error::exit_code`]).
    pub fn exit_code(self) -> ExitCode {
        match self {
            Verdict::Pass | Verdict::Warn => ExitCode::Passed,
            Verdict::Fail => ExitCode::Failed,
            Verdict::Inconclusive => ExitCode::Inconclusive,
            Verdict::Error => ExitCode::Incomplete,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Error => "error",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result object of one run of one command.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome<T: Serialize> {
    pub schema: String,
    pub command: &'static str,
    pub verdict: Verdict,
    pub exit_code: ExitCode,
    #[serde(flatten)]
    pub details: T,
}

impl<T: Serialize> Outcome<T> {
    /// An outcome whose exit code follows from its verdict.
    pub fn new(command: &'static str, verdict: Verdict, details: T) -> Self {
        Self::with_exit_code(command, verdict, verdict.exit_code(), details)
    }

    pub fn with_exit_code(
        command: &'static str,
        verdict: Verdict,
        exit_code: ExitCode,
        details: T,
    ) -> Self {
        Outcome {
            schema: format!("decoder-ops/{command}/v1"),
            command,
            verdict,
            exit_code,
            details,
        }
    }
}

/// The details of a run that stopped before it had an outcome: written to `--json` so a workflow
/// reading the file always finds the four contract keys.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorDetails {
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_object_starts_with_the_contract_keys() {
        #[derive(Serialize)]
        struct D {
            delivered: bool,
        }
        let o = Outcome::new("notify", Verdict::Warn, D { delivered: false });
        let json = serde_json::to_string(&o).unwrap();
        assert_eq!(
            json,
            r#"{"schema":"decoder-ops/notify/v1","command":"notify","verdict":"warn","exit_code":0,"delivered":false}"#
        );
    }

    #[test]
    fn inconclusive_is_never_a_pass() {
        assert_eq!(Verdict::Inconclusive.exit_code(), ExitCode::Inconclusive);
        assert_eq!(Verdict::Fail.exit_code(), ExitCode::Failed);
        assert_eq!(Verdict::Error.exit_code(), ExitCode::Incomplete);
    }
}
