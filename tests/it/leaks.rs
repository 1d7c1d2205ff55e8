//! Regression tests for the leaks and the result-file mode of issue 20, one per bug, each run
//! through the real binary.

use std::path::Path;

use crate::cli::{Bin, read};
use crate::support::faults::{Behavior, FaultServer};

/// A Prometheus (or the proxy in front of it) that answers with an API error quoting the bearer
/// token it refused: the token must not reach the `--json` problems, stdout or stderr.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_token_echoed_by_the_server_stays_out_of_health_monitor_json() {
    const PROM_TOKEN: &str = "promECHOEDtoken5531";
    let prom = FaultServer::start(|_, _| {
        Behavior::status(
            401,
            &format!(
                r#"{{"status":"error","errorType":"unauthorized","error":"bearer token {PROM_TOKEN} is not valid"}}"#
            ),
        )
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("decoder-ops.yml");
    std::fs::write(
        &cfg,
        format!(
            r#"monitor:
  prometheus: {{url: "{}", bearer-token: "${{PROM_TOKEN}}", timeout: 1s}}
  metrics:
    - {{name: errors, query: "sum(rate(x[5m]))", critical: "> 1"}}
"#,
            prom.url("")
        ),
    )
    .unwrap();
    let json = dir.path().join("result.json");
    let (d, c, j) = (dir.path().to_owned(), cfg.clone(), json.clone());
    let run = tokio::task::spawn_blocking(move || {
        Bin::new()
            .env("PROM_TOKEN", PROM_TOKEN)
            .args(["health-monitor", "-vv", "--state"])
            .arg(format!("file:{}", d.join("state.json").display()))
            .arg("--config")
            .arg_path(&c)
            .arg("--json")
            .arg_path(&j)
            .run()
    })
    .await
    .unwrap();
    assert!(prom.requests() > 0, "the query reached the server");
    let result = read(&json);
    assert!(result.contains("problems"), "{result}");
    for (name, text) in [
        ("--json", result.as_str()),
        ("stdout", run.stdout.as_str()),
        ("stderr", run.stderr.as_str()),
        ("state", &read(&dir.path().join("state.json"))),
    ] {
        assert!(
            !text.contains(PROM_TOKEN),
            "token leaked into {name}:\n{text}"
        );
    }
}

/// The mode a plain `File::create` gets in `dir` under this process's umask.
fn normal_mode(dir: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::File::create(&probe).unwrap();
    let mode = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    std::fs::remove_file(probe).unwrap();
    mode
}

/// `--json` files are for other users and later container steps too: 0644 under the usual
/// umask, not the 0600 of the temporary file they are renamed from.
#[test]
fn json_result_file_gets_the_mode_of_a_normal_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let lcov = dir.path().join("lcov.info");
    std::fs::write(&lcov, "SF:a.rs\nDA:1,1\nDA:2,0\nend_of_record\n").unwrap();
    let json = dir.path().join("out/result.json");
    Bin::new()
        .arg("coverage-check")
        .arg_path(&lcov)
        .arg("--json")
        .arg_path(&json)
        .run()
        .expect_code(0);
    let mode = std::fs::metadata(&json).unwrap().permissions().mode() & 0o777;
    let expected = normal_mode(dir.path());
    assert_eq!(
        mode, expected,
        "result file {mode:o}, a normal file {expected:o}"
    );
}
