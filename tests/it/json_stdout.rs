//! `--json -`: for every subcommand, on success and on each kind of failure (verdict failed,
//! bad usage, bad config, unreadable input, a service down), stdout holds exactly one JSON
//! document, `python3 -m json.tool` reads it, and it validates against the command's schema in
//! `docs/schemas/`. Everything for people — and, in Actions, the workflow commands — is on
//! stderr.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::{Bin, Run, repo_file};
use crate::support::nginx::{Nginx, free_port};

/// The GitHub token every run sees, so masks are printed (on stderr) too.
const TOKEN: &str = "ghs_jsonSTDOUTmarker0001";

fn fixture(rel: &str) -> PathBuf {
    repo_file(&format!("tests/fixtures/{rel}"))
}

/// The schema a document of `command` must satisfy.
fn schema(command: &str) -> Value {
    let name = if command == "decoder-ops" {
        "error"
    } else {
        command
    };
    let path = repo_file(&format!("docs/schemas/{name}.schema.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The one JSON value stdout holds; fails on none, two, or anything around it.
fn only_document(stdout: &str) -> Value {
    let mut values = serde_json::Deserializer::from_str(stdout).into_iter::<Value>();
    let first = match values.next() {
        Some(Ok(v)) => v,
        other => panic!("stdout is not JSON ({other:?}):\n{stdout}"),
    };
    assert!(
        values.next().is_none(),
        "more than one document on stdout:\n{stdout}"
    );
    first
}

/// What `python3 -m json.tool` says of `stdout`.
fn json_tool(stdout: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-m", "json.tool"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (CI installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdout.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `args` with `--json -` (in Actions when `actions`), checks the exit code, the document
/// and its schema, and returns the document.
#[track_caller]
fn check(dir: &Path, args: &[&str], code: i32, actions: bool) -> Value {
    let (run, doc) = check_run(dir, args, actions);
    run.expect_code(code);
    doc
}

/// [`check`] for a run whose exit code is not this test's concern; the document must still say
/// the code the process exited with.
#[track_caller]
fn check_run(dir: &Path, args: &[&str], actions: bool) -> (Run, Value) {
    let mut bin = Bin::new().current_dir(dir).env("GITHUB_TOKEN", TOKEN);
    if actions {
        bin = bin.in_actions(dir);
    }
    let run: Run = bin.args(args).args(["--json", "-"]).run();
    let code = run.code.expect("exited with a code");
    let doc = only_document(&run.stdout);
    let tool = json_tool(&run.stdout);
    assert!(
        tool.status.success(),
        "python3 -m json.tool: {}",
        String::from_utf8_lossy(&tool.stderr)
    );
    let command = doc["command"].as_str().unwrap_or_default().to_owned();
    let validator = jsonschema::validator_for(&schema(&command)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{args:?}: {errors:#?}\n{doc:#}");
    assert_eq!(doc["exit_code"], code, "{doc:#}");
    assert!(!run.stdout.contains("::"), "a workflow command on stdout");
    if actions {
        assert!(
            run.stderr.contains("::add-mask::"),
            "masks go to stderr, where the runner reads them too:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.trim().is_empty(), "people are told on stderr");
    (run, doc)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn coverage_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let lcov = fixture("coverage/lcov/lcov.info");
    let lcov = lcov.to_str().unwrap();
    let doc = check(d, &["coverage-check", lcov, "--min", "10"], 0, true);
    assert_eq!(doc["verdict"], "pass");
    check(d, &["coverage-check", lcov, "--min", "99"], 1, false);
    let doc = check(d, &["coverage-check", "missing.info"], 2, true);
    assert!(
        doc["error"].as_str().unwrap().contains("missing.info"),
        "{doc}"
    );
    check(d, &["coverage-check", lcov, "--bogus"], 2, true);
}

#[test]
fn quality_gate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let junit = fixture("junit/pytest/junit-xunit1.xml");
    let junit = junit.to_str().unwrap();
    let cfg = write(
        d,
        "qg.yml",
        "quality-gate:\n  gates:\n    unit-tests: {kind: tests, min-pass-rate: 50}\n",
    );
    let cfg = cfg.to_str().unwrap();
    check(d, &["quality-gate", "--config", cfg, junit], 0, true);
    check(d, &["quality-gate", junit], 1, true);
    write(d, "empty.xml", "<testsuites/>");
    check(d, &["quality-gate", "empty.xml"], 4, false);
    check(d, &["quality-gate", "nowhere.xml"], 2, true);
    write(d, "bad.yml", "quality-gate:\n  gates: [\n");
    check(d, &["quality-gate", "--config", "bad.yml", junit], 2, false);
}

fn nginx() -> Nginx {
    let port = free_port();
    Nginx::start(
        &format!(
            "server {{ listen 127.0.0.1:{port}; location = /health {{ return 200 'ok'; }} location = /broken {{ return 500 'boom'; }} }}"
        ),
        &[port],
    )
}

#[test]
fn smoke() {
    let nginx = nginx();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = check(d, &["smoke", "--url", &nginx.url("/health")], 0, true);
    assert_eq!(doc["stats"]["passed"], 1);
    check(d, &["smoke", "--url", &nginx.url("/broken")], 1, true);
    write(
        d,
        "bad.yml",
        "checks:\n  - {name: x, url: 12, nonsense: true}\n",
    );
    check(d, &["smoke", "--config", "bad.yml"], 2, true);
    check(d, &["smoke", "--url", "ftp://x.example/"], 2, false);
}

#[test]
fn health_monitor() {
    let nginx = nginx();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = |name: &str, url: &str| {
        write(
            d,
            name,
            &format!(
                "checks:\n  - {{name: api, url: \"{url}\", timeout: 1s}}\nmonitor:\n  alerts: {{failure-threshold: 1}}\n"
            ),
        )
    };
    cfg("up.yml", &nginx.url("/health"));
    cfg("down.yml", &format!("http://127.0.0.1:{}/", free_port()));
    let state = format!("file:{}", d.join("state.json").display());
    let args = |config: &'static str| ["health-monitor", "--config", config, "--state", &state];
    let run =
        |config: &'static str, code: i32, actions: bool| check(d, &args(config), code, actions);
    let doc = run("up.yml", 0, true);
    assert_eq!(doc["healthy"], true);
    let doc = run("down.yml", 1, true);
    assert_eq!(doc["firing"][0], "api");
    write(
        d,
        "bad.yml",
        "monitor: {alerts: {failure-threshold: many}}\n",
    );
    run("bad.yml", 2, false);
    // The Prometheus a metric needs is down: whatever the code, a document that says so.
    write(
        d,
        "prom.yml",
        &format!(
            "monitor:\n  prometheus: {{url: \"http://127.0.0.1:{}\", timeout: 1s}}\n  metrics:\n    - {{name: errors, query: \"up\", critical: \"> 1\"}}\n",
            free_port()
        ),
    );
    let (run, doc) = check_run(d, &args("prom.yml"), true);
    assert_ne!(run.code, Some(0), "{doc}");
    assert!(!doc["problems"].as_array().unwrap().is_empty(), "{doc}");
}

#[test]
fn notify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let webhook = "https://hooks.slack.com/services/T1/B1/jsonSTDOUTwebhook";
    let doc = check(
        d,
        &[
            "notify",
            "--dry-run",
            "--webhook",
            webhook,
            "--status",
            "success",
        ],
        0,
        true,
    );
    assert_eq!(doc["payloads"].as_array().unwrap().len(), 1);
    assert!(!doc.to_string().contains("jsonSTDOUTwebhook"));
    let closed = format!("http://127.0.0.1:{}/services/T1/B1/x1y2z3w4", free_port());
    let args = [
        "notify",
        "--provider",
        "slack",
        "--webhook",
        &closed,
        "--strict",
        "--timeout",
        "2s",
    ];
    check(d, &args, 3, true);
    check(d, &["notify", "--status", "sideways"], 2, true);
}

#[test]
fn config_and_init() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "ok.yml",
        "checks:\n  - {name: api, url: \"http://127.0.0.1:9/\"}\n",
    );
    let doc = check(d, &["config", "check", "--config", "ok.yml"], 0, true);
    assert_eq!(doc["file"], "ok.yml");
    write(d, "bad.yml", "checks: {\n");
    check(d, &["config", "check", "--config", "bad.yml"], 2, true);
    let project = d.join("project");
    std::fs::create_dir(&project).unwrap();
    let doc = check(&project, &["init"], 0, true);
    assert!(!doc["files"].as_array().unwrap().is_empty(), "{doc}");
    check(&project, &["init", "--language", "cobol"], 2, false);
}

#[test]
fn usage_error_without_a_subcommand_and_the_config_schema() {
    let dir = tempfile::tempdir().unwrap();
    let doc = check(dir.path(), &["--no-such-flag"], 2, true);
    assert_eq!(doc["command"], "decoder-ops");
    // `config schema` prints a JSON document of its own: stdout is kept for it even in Actions.
    let run = Bin::new()
        .in_actions(dir.path())
        .env("GITHUB_TOKEN", TOKEN)
        .args(["config", "schema"])
        .run();
    run.expect_code(0);
    let schema = only_document(&run.stdout);
    assert!(schema["$schema"].is_string(), "{schema}");
    assert!(run.stderr.contains("::add-mask::"), "{}", run.stderr);
}

/// A usage error clap catches still leaves the result file a workflow reads, valid against the
/// error schema, redacted and world-readable like any result.
#[test]
fn usage_error_writes_the_result_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let run = Bin::new()
        .current_dir(dir.path())
        .args([
            "notify",
            "--webhook",
            "https://hooks.slack.com/services/T1/B1/usageFILEtoken",
        ])
        .args(["--status", "sideways", "--json", "out/result.json"])
        .run();
    run.expect_code(2);
    let text = std::fs::read_to_string(dir.path().join("out/result.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(
        jsonschema::validator_for(&schema("notify"))
            .unwrap()
            .is_valid(&doc),
        "{doc}"
    );
    assert_eq!(
        (doc["command"].as_str(), doc["exit_code"].as_u64()),
        (Some("notify"), Some(2))
    );
    assert!(doc["error"].as_str().unwrap().contains("sideways"), "{doc}");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(!run.stderr.contains("usageFILEtoken") && !text.contains("usageFILEtoken"));
}
