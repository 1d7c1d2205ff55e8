//! `quality-gate --replay`: a recorded decision re-derived from the same inputs, instant,
//! purpose and policy (the config file it names, unless `--config` names another).

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::gate::policy;

/// What a recorded result says, for `--replay`.
pub(super) struct Recorded {
    pub file: String,
    pub verdict: String,
    pub evaluated_at: jiff::Timestamp,
    pub purpose: policy::Purpose,
    /// The config file the decision was made under, as it was named then.
    pub config: Option<PathBuf>,
    pub config_sha256: Option<String>,
    pub inputs: Vec<(PathBuf, String)>,
    pub gates: Vec<(String, String)>,
}

impl Recorded {
    pub fn read(path: &Path) -> Result<Recorded, Error> {
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
            config: v["config"].as_str().map(PathBuf::from),
            config_sha256: v["config_sha256"].as_str().map(str::to_owned),
            inputs,
            gates,
            file,
        })
    }
}

/// The recorded input `path` was read again (`now` is the SHA-256 of what was read): refused
/// when it is not the file the decision was made on.
pub(super) fn check_input(r: &Recorded, path: &Path, now: &str) -> Result<(), Error> {
    match r.inputs.iter().find(|(p, _)| p == path) {
        Some((_, then)) if then != now => Err(Error::Usage(format!(
            "replay of `{}`: input `{}` is not the file the decision was made on (sha256 {then} then, {now} now); refusing to re-derive it",
            r.file,
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// Refuses a replay under another policy than the recorded one.
pub(super) fn check_config(r: &Recorded, now: Option<&str>) -> Result<(), Error> {
    if r.config_sha256.as_deref() == now {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "replay of `{}`: the policy changed since (config {} then, {} now); replay with the config the decision was made under",
        r.file,
        r.config_sha256.as_deref().unwrap_or("absent"),
        now.unwrap_or("absent")
    )))
}
