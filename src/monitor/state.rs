//! The state kept between runs: one JSON document with a schema version, bounded in size.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Health, Severity};

/// The version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;
/// Samples kept per check: three weeks of runs every 15 minutes.
pub const MAX_HISTORY: usize = 2016;
/// Run times kept (for the watchdog).
pub const MAX_RUNS: usize = 200;
/// Blind windows kept.
pub const MAX_BLIND: usize = 100;

/// One run's result for one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub at: Timestamp,
    pub health: Health,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_ms: Option<f64>,
}

/// A stretch of time in which monitoring did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlindWindow {
    pub from: Timestamp,
    pub to: Timestamp,
}

/// What is remembered of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckState {
    pub consecutive_failures: u32,
    pub consecutive_successes: u32,
    pub firing: bool,
    /// First failure of the current failing streak.
    pub failing_since: Option<Timestamp>,
    pub firing_since: Option<Timestamp>,
    pub last_notified: Option<Timestamp>,
    pub severity: Severity,
    pub last_detail: String,
    /// The open incident issue, when incidents are on.
    pub incident: Option<u64>,
    pub history: Vec<Sample>,
}

impl CheckState {
    pub fn new(severity: Severity) -> CheckState {
        CheckState {
            consecutive_failures: 0,
            consecutive_successes: 0,
            firing: false,
            failing_since: None,
            firing_since: None,
            last_notified: None,
            severity,
            last_detail: String::new(),
            incident: None,
            history: Vec::new(),
        }
    }
}

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub schema_version: u32,
    /// When recent runs happened, oldest first.
    pub runs: Vec<Timestamp>,
    pub blind: Vec<BlindWindow>,
    /// Recorded metric baselines (`--record-baseline`), by metric name.
    pub baselines: BTreeMap<String, f64>,
    pub checks: BTreeMap<String, CheckState>,
}

/// Why a stored state cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("not a decoder-ops state document: line {line}, column {column}: {message}")]
    Malformed {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("schema_version {found} is not the version this decoder-ops reads ({SCHEMA_VERSION})")]
    Version { found: u64 },
}

impl State {
    pub fn fresh() -> State {
        State {
            schema_version: SCHEMA_VERSION,
            runs: Vec::new(),
            blind: Vec::new(),
            baselines: BTreeMap::new(),
            checks: BTreeMap::new(),
        }
    }

    /// Reads a stored document. The version is checked before the shape, so a newer or older
    /// document is reported as such rather than as "unknown field".
    pub fn from_json(bytes: &[u8]) -> Result<State, StateError> {
        let malformed = |e: serde_json::Error| StateError::Malformed {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(malformed)?;
        let version = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64);
        match version {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            Some(found) => return Err(StateError::Version { found }),
            None => {
                return Err(StateError::Malformed {
                    line: 1,
                    column: 1,
                    message: "no `schema_version`".into(),
                });
            }
        }
        serde_json::from_slice(bytes).map_err(malformed)
    }

    /// The document, pretty-printed, with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Drops the oldest entries beyond the caps.
    pub(super) fn trim(&mut self) {
        fn cap<T>(v: &mut Vec<T>, max: usize) {
            if v.len() > max {
                v.drain(..v.len() - max);
            }
        }
        cap(&mut self.runs, MAX_RUNS);
        cap(&mut self.blind, MAX_BLIND);
        for c in self.checks.values_mut() {
            cap(&mut c.history, MAX_HISTORY);
        }
    }
}
