//! Structural rules for `action.yml`, `workflows-templates/` and this repository's workflows,
//! checked on the parsed YAML. The linters in `.ci/run` (zizmor, actionlint, check-jsonschema)
//! cover the general rules; these pin down the ones this project promises in its docs.

use serde_json::Value;

use crate::cli::{read, repo_file};

fn yaml(rel: &str) -> Value {
    serde_norway::from_str(&read(&repo_file(rel))).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn workflow_files() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["workflows-templates", ".github/workflows"] {
        for entry in std::fs::read_dir(repo_file(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".yml") {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();
    files
}

fn steps(job: &Value) -> &[Value] {
    job["steps"].as_array().map_or(&[], Vec::as_slice)
}

#[test]
fn action_inputs_reach_scripts_only_through_env() {
    let action = yml_action();
    for step in steps(&action["runs"]) {
        if let Some(run) = step["run"].as_str() {
            assert!(!run.contains("${{"), "expression in run: {run}");
            assert!(
                run.starts_with("\"$GITHUB_ACTION_PATH/scripts/action/"),
                "{run}"
            );
            assert_eq!(step["shell"], "bash --noprofile --norc -euo pipefail {0}");
        }
        if let Some(uses) = step["uses"].as_str() {
            assert_pinned(uses, &read(&repo_file("action.yml")));
        }
    }
    let run_env = steps(&action["runs"])
        .iter()
        .find(|s| s["id"] == "run")
        .map(|s| &s["env"])
        .unwrap();
    assert_eq!(run_env["GITHUB_TOKEN"], "${{ inputs.github-token }}");
    assert_eq!(run_env["DECODER_OPS_ARGS"], "${{ inputs.args }}");
    assert_eq!(
        action["inputs"]["github-token"]["default"],
        "${{ github.token }}"
    );
}

#[test]
fn action_declares_every_documented_output() {
    let action = yml_action();
    let outputs = action["outputs"].as_object().unwrap();
    for name in [
        "verdict",
        "exit-code",
        "result",
        "delivered",
        "message-id",
        "error",
        "coverage",
        "patch-coverage",
        "score",
        "passed",
        "failed",
        "p95-ms",
        "healthy",
        "rollback-recommended",
        "firing",
    ] {
        assert_eq!(
            outputs[name]["value"],
            format!("${{{{ steps.run.outputs.{name} }}}}"),
            "{name}"
        );
    }
    for name in [
        "command",
        "args",
        "config",
        "working-directory",
        "github-token",
        "version",
    ] {
        assert!(action["inputs"].get(name).is_some(), "input {name}");
    }
}

fn yml_action() -> Value {
    yaml("action.yml")
}

/// Third-party actions by full SHA with a version comment; decoder-ops' own by tag only in
/// the templates (documented in docs/SECURITY.md); local actions as they are.
fn assert_pinned(uses: &str, text: &str) {
    if uses.starts_with("./") {
        return;
    }
    let (name, reference) = uses.split_once('@').unwrap_or_else(|| panic!("{uses}"));
    if name == "decoder-ops/decoder-ops" {
        assert_eq!(reference, "v1", "{uses}");
        return;
    }
    assert!(
        reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()),
        "{uses} is not pinned by a full commit SHA"
    );
    let line = text.lines().find(|l| l.contains(uses)).unwrap();
    assert!(line.contains(" # v"), "no version comment: {line}");
}

#[test]
fn workflows_follow_the_hardening_rules() {
    for file in workflow_files() {
        let text = read(&repo_file(&file));
        let wf = yaml(&file);
        assert_eq!(
            wf["permissions"],
            serde_json::json!({}),
            "{file}: top-level permissions"
        );
        for (job_name, job) in wf["jobs"].as_object().unwrap() {
            let at = format!("{file}: job {job_name}");
            assert!(job["permissions"].is_object(), "{at}: job permissions");
            assert!(job["timeout-minutes"].is_u64(), "{at}: timeout-minutes");
            for step in steps(job) {
                if let Some(run) = step["run"].as_str() {
                    assert!(!run.contains("${{"), "{at}: expression in run: {run}");
                }
                if let Some(uses) = step["uses"].as_str() {
                    assert_pinned(uses, &text);
                    if uses.starts_with("actions/checkout@") {
                        assert_eq!(step["with"]["persist-credentials"], false, "{at}");
                    }
                }
                if let Some(env) = step["env"].as_object() {
                    let secret = env.values().any(|v| {
                        v.as_str().is_some_and(|s| {
                            s.contains("secrets.") && !s.contains("secrets.GITHUB_TOKEN")
                        })
                    });
                    assert!(
                        !secret || job["environment"].is_string(),
                        "{at}: a secret outside an environment"
                    );
                }
            }
        }
    }
}

#[test]
fn templates_have_chooser_metadata_and_the_promised_shape() {
    for t in decoder_ops::scaffold::Template::ALL {
        let props: Value = serde_json::from_str(&read(&repo_file(&format!(
            "workflows-templates/{}.properties.json",
            t.name()
        ))))
        .unwrap();
        for key in ["name", "description", "iconName", "categories"] {
            assert!(props.get(key).is_some(), "{}: {key}", t.name());
        }
    }
    let production = yaml("workflows-templates/deploy-production.yml");
    let slot = &production["on"]["workflow_dispatch"]["inputs"]["slot"];
    assert_eq!(slot["options"], serde_json::json!(["blue", "green"]));
    let job = &production["jobs"]["deploy"];
    assert_eq!(job["environment"], "production");
    let names: Vec<&str> = steps(job)
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    let pos = |n: &str| names.iter().position(|x| x.starts_with(n)).unwrap();
    // Gate, deploy, smoke, switch, notify — in that order; the switch has no `if:`, so a
    // failed smoke test stops the job before traffic moves.
    assert!(pos("Quality gate") < pos("Deploy to the idle slot"));
    assert!(pos("Deploy to the idle slot") < pos("Smoke-test the idle slot"));
    assert!(pos("Smoke-test the idle slot") < pos("Switch traffic"));
    assert!(pos("Switch traffic") < pos("Tell the team"));
    let switch = steps(job)
        .iter()
        .find(|s| s["name"] == "Switch traffic")
        .unwrap();
    assert!(switch.get("if").is_none() && switch.get("continue-on-error").is_none());
    assert_eq!(switch["run"], "./scripts/switch-traffic.sh --to \"$SLOT\"");

    let monitoring = yaml("workflows-templates/monitoring.yml");
    let cron = monitoring["on"]["schedule"][0]["cron"].as_str().unwrap();
    let minutes: Vec<u32> = cron
        .split_whitespace()
        .next()
        .unwrap()
        .split(',')
        .map(|m| m.parse().unwrap())
        .collect();
    // Every 15 minutes, off the round minutes where GitHub's scheduler is busiest and drops runs.
    assert_eq!(minutes.len(), 4, "{cron}");
    assert!(minutes.iter().all(|m| m % 5 != 0), "{cron}");
    assert!(minutes.windows(2).all(|w| w[1] - w[0] == 15), "{cron}");
    assert!(monitoring["concurrency"]["group"].is_string());

    let rollback = read(&repo_file("workflows-templates/rollback.yml"));
    assert!(rollback.contains("--purpose\n            rollback"));
}
