//! The state kept between runs: one JSON document with a schema version, bounded in size.
//!
//! Version 2 added the alert [`Outbox`]; a version 1 document is read as version 2 with an
//! empty outbox (nothing was pending in it: version 1 sent before it stored).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::outbox::Outbox;
use super::{Health, Severity};

/// The version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 2;
/// Older versions this build migrates on reading.
const MIGRATES_FROM: u64 = 1;
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
    /// Messages decided and not yet accepted by every destination.
    pub outbox: Outbox,
}

/// Version 1 → 2: the same document with an empty outbox.
fn migrate_v1(value: &mut serde_json::Value) {
    if let Some(map) = value.as_object_mut() {
        map.insert("schema_version".into(), SCHEMA_VERSION.into());
        map.insert(
            "outbox".into(),
            serde_json::to_value(Outbox::default()).unwrap_or_default(),
        );
    }
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
            outbox: Outbox::default(),
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
        let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(malformed)?;
        let version = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64);
        match version {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            Some(MIGRATES_FROM) => {
                migrate_v1(&mut value);
                return serde_json::from_value(value).map_err(|e| StateError::Malformed {
                    line: 1,
                    column: 1,
                    message: format!("version 1 document: {e}"),
                });
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_state_reads_as_version_2_with_an_empty_outbox() {
        let state = State::from_json(include_bytes!("../../tests/fixtures/state/v1.json")).unwrap();
        assert_eq!(state.schema_version, SCHEMA_VERSION);
        assert_eq!(state.outbox, Outbox::default());
        assert!(state.checks["api"].firing);
        assert_eq!(state.runs.len(), 3);
        let written = state.to_json();
        let value: serde_json::Value = serde_json::from_slice(&written).unwrap();
        assert_eq!(value["schema_version"], 2);
        assert_eq!(
            value["outbox"],
            serde_json::json!({"next_id": 0, "pending": []})
        );
        assert_eq!(State::from_json(&written).unwrap(), state);
    }

    #[test]
    fn a_version_2_document_needs_its_outbox() {
        let err = State::from_json(
            br#"{"schema_version": 2, "runs": [], "blind": [], "baselines": {}, "checks": {}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("missing field `outbox`"), "{err}");
    }
}
