//! `decoder-ops smoke` end to end against a real nginx: exit codes, the terminal list, Actions
//! outputs, summary and annotations, the `--json` result, the JUnit report (checked against the
//! Surefire shape), secrets, and config mistakes that exit 2 with a line and column.

use std::path::Path;

use serde_json::Value;

use crate::cli::{Bin, read};
use crate::support::nginx::{Nginx, free_port};
use crate::support::xml;

fn nginx() -> Nginx {
    let port = free_port();
    let servers = format!(
        r#"
    server {{
        listen 127.0.0.1:{port};
        location = /health {{ return 200 "ok"; }}
        location = /broken {{ return 500 "boom ::error::injected"; }}
        location = /echo {{ return 200 "args=$args auth=$http_authorization"; }}
        location = /api/status {{
            default_type application/json;
            return 200 '{{"status":"ok","items":[1,2,3]}}';
        }}
    }}"#
    );
    Nginx::start(&servers, &[port])
}

/// Step outputs as the runner reads `$GITHUB_OUTPUT` (heredoc form only, which is what we write).
fn outputs(dir: &Path) -> Vec<(String, String)> {
    let text = read(&dir.join("output"));
    let mut lines = text.lines();
    let mut out = Vec::new();
    while let Some(line) = lines.next() {
        let Some((name, delim)) = line.split_once("<<") else {
            continue;
        };
        let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delim).collect();
        out.push((name.to_owned(), value.join("\n")));
    }
    out
}

fn output<'a>(all: &'a [(String, String)], name: &str) -> &'a str {
    all.iter().find(|(n, _)| n == name).map_or_else(
        || panic!("no output {name} in {all:?}"),
        |(_, v)| v.as_str(),
    )
}

#[test]
fn single_check_from_flags_passes_with_exit_0() {
    let nginx = nginx();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("smoke.json");
    let url = nginx.url("/health");
    let run = Bin::new()
        .args([
            "smoke",
            "--url",
            &url,
            "--expect-status",
            "200",
            "--expect-body-contains",
            "ok",
        ])
        .args(["--max-response-time", "2s", "--json"])
        .arg_path(&json)
        .run();
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with(&format!("✅ GET /health  GET {url}  HTTP 200  ")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 of 1 checks passed in "),
        "{}",
        run.stdout
    );
    let result: Value = serde_json::from_str(&read(&json)).unwrap();
    assert_eq!(result["schema"], "decoder-ops/smoke/v1");
    assert_eq!(
        (result["verdict"].as_str(), result["exit_code"].as_u64()),
        (Some("pass"), Some(0))
    );
    assert_eq!(result["stats"]["passed"], 1);
    assert!(result["stats"]["p95_ms"].as_f64().unwrap() > 0.0);
    let check = &result["checks"][0];
    assert_eq!(check["status"], "passed");
    let shown: Vec<&str> = check["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["assertion"].as_str().unwrap())
        .collect();
    assert_eq!(
        shown,
        [
            "status equals 200",
            "body contains \"ok\"",
            "response-time at-most 2s"
        ]
    );
    assert!(
        check["timings"]["ttfb_ms"].as_f64().unwrap()
            <= check["timings"]["total_ms"].as_f64().unwrap()
    );
}

#[test]
fn a_failing_check_exits_1_with_outputs_summary_annotation_and_junit() {
    let nginx = nginx();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("decoder-ops.yml");
    std::fs::write(
        &config,
        format!(
            "environments:\n  staging:\n    base-url: {}\nchecks:\n  - name: health\n    url: \"{{base-url}}/health\"\n  - name: broken\n    url: \"{{base-url}}/broken\"\n  - name: api\n    url: \"{{base-url}}/api/status\"\n    assert:\n      - jsonpath: {{path: $.status, equals: ok}}\n      - jsonpath-count: {{path: '$.items[*]', equals: 3}}\n",
            nginx.url("")
        ),
    )
    .unwrap();
    let junit = dir.path().join("junit.xml");
    let run = Bin::new()
        .in_actions(dir.path())
        .args(["--config"])
        .arg_path(&config)
        .args(["smoke", "--env", "staging", "--junit"])
        .arg_path(&junit)
        .run();
    run.expect_code(1);

    // The list is inside stop-commands: the body's `::error::injected` is inert.
    let lines: Vec<&str> = run.stdout.lines().collect();
    let token = lines[0]
        .strip_prefix("::stop-commands::")
        .expect("list wrapped in stop-commands");
    let end = lines
        .iter()
        .position(|l| *l == format!("::{token}::"))
        .expect("resume line");
    let list = &lines[1..end];
    assert!(
        list.iter().any(|l| l.starts_with("❌ broken  GET ")),
        "{}",
        run.stdout
    );
    assert!(
        list.contains(&"      expected: between 200 and 299"),
        "{}",
        run.stdout
    );
    assert!(list.contains(&"      actual:   500"), "{}", run.stdout);
    assert!(
        list.contains(&"   body: boom ::error::injected"),
        "{}",
        run.stdout
    );
    let after: Vec<&str> = lines[end + 1..].to_vec();
    assert_eq!(after.len(), 1, "{}", run.stdout);
    let cfg = config.display().to_string();
    assert!(
        after[0].starts_with(&format!(
            "::error file={},line=7,title=smoke%3A broken failed::GET ",
            cfg.replace(':', "%3A")
        )),
        "{}",
        after[0]
    );
    assert!(
        after[0].ends_with("/broken: status between 200 and 299, got 500"),
        "{}",
        after[0]
    );

    let out = outputs(dir.path());
    assert_eq!(output(&out, "passed"), "2");
    assert_eq!(output(&out, "failed"), "1");
    assert!(output(&out, "p95-ms").parse::<u64>().is_ok(), "{out:?}");
    assert_eq!(output(&out, "verdict"), "fail");
    assert_eq!(output(&out, "exit-code"), "1");

    let summary = read(&dir.path().join("summary"));
    assert!(
        summary.starts_with("### ❌ Smoke tests — staging\n\n2 of 3 checks passed, 1 failed"),
        "{summary}"
    );
    assert!(
        summary.contains("| ❌ | broken | status between 200 and 299\\, got 500 |"),
        "{summary}"
    );

    let doc = xml::parse(&read(&junit));
    assert_eq!(xml::check_surefire_shape(&doc), (3, 1, 0));
    let suite = &doc.children[0];
    assert_eq!(suite.attr("name"), "smoke.staging");
    let broken = suite
        .all("testcase")
        .into_iter()
        .find(|c| c.attr("name") == "broken")
        .unwrap();
    let failure = broken.child("failure").unwrap();
    assert_eq!(failure.attr("type"), "AssertionFailure");
    assert_eq!(
        failure.attr("message"),
        "status between 200 and 299, got 500"
    );
    assert!(
        failure
            .text
            .contains("expected: between 200 and 299\n  actual:   500"),
        "{}",
        failure.text
    );
    assert_eq!(
        broken.child("system-out").unwrap().text,
        "boom ::error::injected"
    );

    // quality-gate's own JUnit reader reads it back with the same counts and the message.
    let back =
        decoder_ops::report::junit::parse_file(&junit).expect("quality-gate reads smoke's JUnit");
    assert_eq!(
        (back.summary.tests, back.summary.passed, back.summary.failed),
        (3, 2, 1)
    );
    let failing: Vec<_> = back.failing().collect();
    assert_eq!(
        (failing[0].name.as_str(), failing[0].message.as_deref()),
        ("broken", Some("status between 200 and 299, got 500"))
    );
    let gate = Bin::new().args(["quality-gate"]).arg_path(&junit).run();
    gate.expect_code(1);
    assert!(
        gate.stdout.contains("1 of 3 tests failed or errored"),
        "{}",
        gate.stdout
    );
}

#[test]
fn request_errors_are_junit_errors() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let url = format!("http://127.0.0.1:{}/health", free_port());
    let run = Bin::new()
        .args(["smoke", "--url", &url, "--retries", "2", "--junit"])
        .arg_path(&junit)
        .run();
    run.expect_code(1);
    assert!(run.stdout.contains("(2 attempts)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("   error: cannot connect: "),
        "{}",
        run.stdout
    );
    let doc = xml::parse(&read(&junit));
    assert_eq!(xml::check_surefire_shape(&doc), (1, 0, 1));
    let case = &doc.children[0].children[0];
    assert_eq!(case.attr("name"), "GET /health");
    assert_eq!(case.child("error").unwrap().attr("type"), "RequestError");
}

#[test]
fn secrets_from_the_environment_are_masked_and_never_printed() {
    let nginx = nginx();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.yml");
    std::fs::write(
        &config,
        format!(
            "checks:\n  - name: echo\n    url: \"{}?token=${{API_TOKEN}}\"\n    headers:\n      Authorization: Bearer ${{API_TOKEN}}\n    assert:\n      - body: {{contains: nothing-like-this}}\n",
            nginx.url("/echo")
        ),
    )
    .unwrap();
    let (json, junit) = (dir.path().join("r.json"), dir.path().join("j.xml"));
    let run = Bin::new()
        .in_actions(dir.path())
        .env("API_TOKEN", "fake-api-token-000111")
        .args(["--config"])
        .arg_path(&config)
        .args(["smoke", "--json"])
        .arg_path(&json)
        .args(["--junit"])
        .arg_path(&junit)
        .run();
    run.expect_code(1);
    assert!(run.stdout.starts_with("::add-mask::"), "{}", run.stdout);
    let printed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| !l.starts_with("::add-mask::"))
        .collect();
    // nginx echoed the token in the body: the report shows `***` instead.
    assert!(
        printed
            .iter()
            .any(|l| l.contains("args=token=*** auth=***")),
        "{}",
        run.stdout
    );
    for (what, text) in [
        ("stdout", printed.join("\n")),
        ("stderr", run.stderr.clone()),
        ("json", read(&json)),
        ("junit", read(&junit)),
        ("summary", read(&dir.path().join("summary"))),
    ] {
        assert!(!text.contains("fake-api-token-000111"), "{what}: {text}");
    }
}

#[test]
fn bad_configs_exit_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "checks:\n  - name: a\n    url: http://127.0.0.1:9/\n    assert:\n      - stauts: 200\n",
            "line 5, column 9",
            "unknown variant `stauts`",
        ),
        (
            "checks:\n  - name: a\n    url: http://127.0.0.1:9/\n    assert:\n      - jsonpath: {path: \"$.a[\", exists: true}\n",
            "line 5, column 7",
            "invalid JSONPath `$.a[`",
        ),
        (
            "checks:\n  - name: a\n    url: http//127.0.0.1:9/health\n",
            "line 3, column 10",
            "invalid URL",
        ),
        (
            "checks:\n  - name: a\n    url: http://127.0.0.1:9/\n    headers:\n      Authorization: Bearer ${SMOKE_TOKEN}\n",
            "line 5, column 22",
            "environment variable `SMOKE_TOKEN` is not set",
        ),
    ];
    for (yaml, place, message) in cases {
        let config = dir.path().join("bad.yml");
        std::fs::write(&config, yaml).unwrap();
        let run = Bin::new()
            .in_actions(dir.path())
            .args(["--config"])
            .arg_path(&config)
            .args(["smoke"])
            .run();
        run.expect_code(2);
        let want = format!("error: config `{}`: {place}: ", config.display());
        assert!(run.stderr.starts_with(&want), "{yaml}\n{}", run.stderr);
        assert!(run.stderr.contains(message), "{}", run.stderr);
        let line = place.trim_start_matches("line ").split(',').next().unwrap();
        assert!(
            run.stdout.contains(&format!(",line={line},")),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn usage_mistakes_exit_2() {
    for (args, message) in [
        (
            &["smoke", "--url", "ftp://x.example/"][..],
            "--url: invalid URL: scheme `ftp`",
        ),
        (
            &["smoke", "--url", "http://127.0.0.1:9/", "--retries", "1"][..],
            "--retries: counts the first request too",
        ),
        (
            &[
                "smoke",
                "--url",
                "http://127.0.0.1:9/",
                "--header",
                "novalue",
            ][..],
            "--header: expected `Name: value`",
        ),
    ] {
        let run = Bin::new().args(args).run();
        run.expect_code(2);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    let dir = tempfile::tempdir().unwrap();
    let run = Bin::new().current_dir(dir.path()).args(["smoke"]).run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("no checks: add a `checks:` section"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_documented_example_config_is_valid_and_plans() {
    use decoder_ops::probe::{Selection, plan};
    let doc = read(&crate::cli::repo_file("docs/smoke.md"));
    let yaml = doc
        .split("```yaml\n# .github/decoder-ops.yml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/smoke.md has the example config");
    let config =
        decoder_ops::config::parse(yaml, "docs/smoke.md").unwrap_or_else(|e| panic!("{e}"));
    let env = |n: &str| (n == "API_TOKEN").then(|| "fake-docs-token-000".to_owned());
    let staging = Selection {
        environment: Some("staging".into()),
        ..Selection::default()
    };
    assert_eq!(plan(&config, &staging, &env).unwrap().checks.len(), 4);
    let green = Selection {
        environment: Some("production".into()),
        slot: Some("green".into()),
        names: Vec::new(),
    };
    let planned = plan(&config, &green, &env).unwrap();
    assert_eq!(planned.checks.len(), 5);
    assert_eq!(
        planned.checks[0].url.as_str(),
        "https://green.example.com/healthz"
    );
    assert!(
        planned.checks[0]
            .allow
            .allows(&"https://login.example.com/x".parse().unwrap())
    );
}
