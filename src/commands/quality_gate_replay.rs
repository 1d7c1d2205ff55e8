//! `quality-gate --replay`: what a recorded decision says, and the plan of a run — the instant,
//! purpose and input patterns to judge, recorded or fresh.

use std::path::{Path, PathBuf};

use super::quality_gate::sha256_file;
use crate::cli::QualityGateArgs;
use crate::config;
use crate::error::Error;
use crate::gate::policy;

/// The instant, purpose and input patterns to judge: the recorded ones on `--replay` (refused
/// when the policy or an input changed since), else the arguments and the config's inputs.
pub(super) fn plan(
    args: &QualityGateArgs,
    qg: &config::gates::QualityGateConfig,
    recorded: Option<&Recorded>,
    config_sha256: Option<&String>,
) -> Result<(jiff::Timestamp, policy::Purpose, Vec<PathBuf>), Error> {
    Ok(match recorded {
        Some(r) => {
            if r.config_sha256.as_ref() != config_sha256 {
                return Err(Error::Usage(format!(
                    "replay of `{}`: the policy changed since (config {} then, {} now); replay with the config the decision was made under",
                    r.file,
                    r.config_sha256.as_deref().unwrap_or("absent"),
                    config_sha256.map_or("absent", String::as_str)
                )));
            }
            for (path, sha) in &r.inputs {
                let now_sha = sha256_file(path)?;
                if &now_sha != sha {
                    return Err(Error::Usage(format!(
                        "replay of `{}`: input `{}` is not the file the decision was made on (sha256 {sha} then, {now_sha} now); refusing to re-derive it",
                        r.file,
                        path.display()
                    )));
                }
            }
            (
                r.evaluated_at,
                r.purpose,
                r.inputs
                    .iter()
                    .map(|(p, _)| p.clone())
                    .chain(r.missing_inputs.iter().map(PathBuf::from))
                    .collect(),
            )
        }
        None => {
            let now = match &args.now {
                Some(t) => t.parse::<jiff::Timestamp>().map_err(|e| {
                    Error::Usage(format!("--now `{t}`: {e}; expected an RFC 3339 instant such as 2026-11-23T09:30:00Z"))
                })?,
                None => jiff::Timestamp::now(),
            };
            let mut paths: Vec<PathBuf> = args.inputs.clone();
            paths.extend(qg.inputs.iter().map(PathBuf::from));
            (now, args.purpose, paths)
        }
    })
}

/// What a recorded result says, for `--replay`.
pub(super) struct Recorded {
    pub(super) file: String,
    pub(super) verdict: String,
    pub(super) evaluated_at: jiff::Timestamp,
    pub(super) purpose: policy::Purpose,
    pub(super) config_sha256: Option<String>,
    pub(super) inputs: Vec<(PathBuf, String)>,
    /// Patterns that named no file when the decision was made.
    pub(super) missing_inputs: Vec<String>,
    pub(super) gates: Vec<(String, String)>,
}

impl Recorded {
    pub(super) fn read(path: &Path) -> Result<Recorded, Error> {
        let file = path.display().to_string();
        let bad = |what: &str| {
            Error::Usage(format!(
                "replay `{file}`: {what}; expected a `quality-gate --json` result"
            ))
        };
        let bytes = std::fs::read(path).map_err(|e| bad(&format!("cannot read it: {e}")))?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            bad(&format!(
                "line {}, column {}: invalid JSON: {e}",
                e.line(),
                e.column()
            ))
        })?;
        if v["schema"] != "decoder-ops/quality-gate/v1" {
            return Err(bad(&format!("schema is {}", v["schema"])));
        }
        let text = |key: &str| {
            v[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("no `{key}`")))
        };
        let purpose = match v["purpose"].as_str() {
            Some("rollback") => policy::Purpose::Rollback,
            _ => policy::Purpose::Deploy,
        };
        let inputs = v["inputs"]
            .as_array()
            .ok_or_else(|| bad("no `inputs`"))?
            .iter()
            .map(|i| match (i["path"].as_str(), i["sha256"].as_str()) {
                (Some(p), Some(h)) => Ok((PathBuf::from(p), h.to_owned())),
                _ => Err(bad("an input without `path` and `sha256`")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let gates = v["gates"]
            .as_array()
            .ok_or_else(|| bad("no `gates`"))?
            .iter()
            .map(|g| {
                (
                    g["id"].as_str().unwrap_or("").to_owned(),
                    g["outcome"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        Ok(Recorded {
            verdict: text("verdict")?,
            evaluated_at: text("evaluated_at")?
                .parse()
                .map_err(|_| bad("`evaluated_at` is not an instant"))?,
            purpose,
            config_sha256: v["config_sha256"].as_str().map(str::to_owned),
            inputs,
            missing_inputs: v["missing_inputs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            gates,
            file,
        })
    }
}
