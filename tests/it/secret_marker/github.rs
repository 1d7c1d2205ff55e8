//! The GitHub token as the marker secret: `coverage-check` and `quality-gate` (sticky comment,
//! commit status) and `health-monitor` (`--state github`, `--incidents github`) against the
//! stand-in GitHub — accepted, refused (401), rate-limited (429), failing (500), dropping the
//! connection — and against an address nobody listens on and a TLS handshake with plain HTTP.
//! What the stand-in stored (comments, issues, files) is scanned too.

use std::path::Path;
use std::sync::Arc;

use super::{Endpoints, Failure, Scenario, concurrently, scenario_dir};
use crate::cli::repo_file;
use crate::support::github::{Fault, GitHub, Options, REPOSITORY};
use crate::support::marker::{ENCODED, SECRET, Sinks};
use crate::support::nginx::free_port;

/// How the GitHub API fails.
#[derive(Debug, Clone, Copy)]
enum Api {
    Accepted,
    Unauthorized,
    RateLimited,
    ServerError,
    Disconnect,
    Unreachable,
    Tls,
}

const APIS: [Api; 7] = [
    Api::Accepted,
    Api::Unauthorized,
    Api::RateLimited,
    Api::ServerError,
    Api::Disconnect,
    Api::Unreachable,
    Api::Tls,
];

/// A stand-in set up for `api`, and the `GITHUB_API_URL` to give the binary.
async fn github_for(api: Api) -> (GitHub, String) {
    let token = match api {
        // It accepts only its own token: the marker is refused with GitHub's 401.
        Api::Unauthorized => crate::support::github::TOKEN.to_owned(),
        _ => SECRET.to_owned(),
    };
    let github = GitHub::start_with(Options {
        repository: REPOSITORY.into(),
        token,
    })
    .await;
    // As many faults as the client has attempts, so the call fails for good.
    for _ in 0..4 {
        match api {
            Api::RateLimited => github.push_fault(Fault::SecondaryRateLimit {
                status: 429,
                retry_after_secs: 1,
            }),
            Api::ServerError => github.push_fault(Fault::ServerError(500)),
            Api::Disconnect => github.push_fault(Fault::Disconnect),
            _ => {}
        }
    }
    let url = match api {
        Api::Unreachable => format!("http://127.0.0.1:{}", free_port()),
        Api::Tls => github.base_url().replace("http://", "https://"),
        _ => github.base_url().to_owned(),
    };
    (github, url)
}

/// What the stand-in keeps: issues, comments, files.
fn stored(github: &GitHub) -> Sinks {
    let mut sinks = Sinks::default();
    for issue in github.issues() {
        sinks.add(
            format!("issue #{} title", issue.number),
            issue.title.clone(),
        );
        sinks.add(
            format!("issue #{} body", issue.number),
            issue.body.clone().unwrap_or_default(),
        );
        for c in github.comments(issue.number) {
            sinks.add(format!("comment on #{}", issue.number), c.body);
        }
    }
    for ((branch, path), file) in github.files() {
        sinks.add(
            format!("file {branch}:{path}"),
            String::from_utf8_lossy(&file.content).into_owned(),
        );
    }
    for r in github.requests() {
        sinks.add(format!("request body {} {}", r.method, r.path), r.raw_body);
    }
    sinks
}

/// A `pull_request` event for PR `number`, so the commands comment and set a status.
fn event(dir: &Path, number: u64) {
    let mut v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file(
            "tests/fixtures/github/events/pull_request_same_repo.json",
        ))
        .unwrap(),
    )
    .unwrap();
    v["number"] = number.into();
    v["pull_request"]["number"] = number.into();
    v["pull_request"]["base"]["repo"]["full_name"] = REPOSITORY.into();
    v["pull_request"]["head"]["repo"]["full_name"] = REPOSITORY.into();
    v["repository"]["full_name"] = REPOSITORY.into();
    v["pull_request"]["head"]["repo"]["id"] = v["pull_request"]["base"]["repo"]["id"].clone();
    std::fs::write(dir.join("event.json"), v.to_string()).unwrap();
}

async fn pull_request_run(name: &'static str, root: &Path, args: Vec<String>) {
    let root = root.to_owned();
    concurrently(APIS, |i, api| {
        let (root, args) = (root.clone(), args.clone());
        async move { pull_request_case(name, &root, &args, i, api).await }
    })
    .await;
}

async fn pull_request_case(name: &str, root: &Path, args: &[String], i: usize, api: Api) {
    let (github, url) = github_for(api).await;
    let pr = github.seed_pull_request("Add cart", "body");
    let name = format!("{name}-{api:?}");
    let dir = scenario_dir(root, &name);
    event(&dir, pr);
    let run = Scenario::new(&name, &dir)
        .json_logs(i.is_multiple_of(2))
        .env("GITHUB_REPOSITORY", REPOSITORY)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env(
            "GITHUB_EVENT_PATH",
            dir.join("event.json").display().to_string(),
        )
        .env("GITHUB_API_URL", url)
        .args(args)
        .args(["--json", "result.json"])
        .run_and_scan(stored(&github))
        .await;
    assert!(run.code.is_some_and(|c| c <= 4), "{name}");
    match api {
        Api::Accepted => assert_eq!(
            github.comments(pr).len(),
            1,
            "{name}: the comment was posted"
        ),
        Api::Unreachable | Api::Tls => assert!(github.comments(pr).is_empty(), "{name}"),
        _ => assert!(
            !github.requests().is_empty(),
            "{name}: the stand-in was asked"
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coverage_check_comment_every_failure() {
    let root = tempfile::tempdir().unwrap();
    let lcov = repo_file("tests/fixtures/coverage/c8/lcov.info");
    pull_request_run(
        "coverage",
        root.path(),
        ["coverage-check", "--min", "50", lcov.to_str().unwrap()]
            .map(str::to_owned)
            .to_vec(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quality_gate_comment_and_status_every_failure() {
    let root = tempfile::tempdir().unwrap();
    let junit = repo_file("tests/fixtures/junit/pytest/junit-xunit1.xml");
    pull_request_run(
        "quality-gate",
        root.path(),
        ["quality-gate", junit.to_str().unwrap()]
            .map(str::to_owned)
            .to_vec(),
    )
    .await;
}

/// State and incidents on GitHub; the failing check's URL carries the secret, so the incident
/// body would too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_monitor_github_state_and_incidents_every_failure() {
    let endpoints = Arc::new(Endpoints::start().await);
    let root = tempfile::tempdir().unwrap();
    let root_path = root.path().to_owned();
    concurrently(APIS, |i, api| {
        let (endpoints, root) = (endpoints.clone(), root_path.clone());
        async move { monitor_case(&endpoints, &root, i, api).await }
    })
    .await;
}

async fn monitor_case(endpoints: &Endpoints, root: &Path, i: usize, api: Api) {
    let (github, url) = github_for(api).await;
    let name = format!("monitor-github-{api:?}");
    let dir = scenario_dir(root, &name);
    let (scheme, host) = endpoints.origin(Failure::ServerError);
    std::fs::write(
        dir.join("decoder-ops.yml"),
        format!(
            "checks:\n  - {{name: api, url: \"{scheme}://deploy:${{HOOK_SECRET}}@{host}/h?token=${{HOOK_SECRET}}&x=1\", timeout: 1s}}\nmonitor:\n  alerts: {{failure-threshold: 1}}\n"
        ),
    )
    .unwrap();
    let sha = github.ref_sha("heads/main").unwrap_or_default();
    let run = Scenario::new(&name, &dir)
        .json_logs(!i.is_multiple_of(2))
        .env("GITHUB_REPOSITORY", REPOSITORY)
        .env("GITHUB_API_URL", url)
        .env("GITHUB_SHA", sha)
        .env("HOOK_SECRET", ENCODED)
        .args(["health-monitor", "--config", "decoder-ops.yml"])
        .args([
            "--state",
            "github",
            "--incidents",
            "github",
            "--json",
            "result.json",
        ])
        .run_and_scan(stored(&github))
        .await;
    assert_ne!(run.code, Some(0), "{name}");
    match api {
        Api::Accepted => {
            assert_eq!(github.issues().len(), 1, "{name}: the incident was opened");
            assert!(
                endpoints.requests(Failure::ServerError) > 0,
                "{name}: checked"
            );
        }
        Api::Unreachable | Api::Tls => {}
        _ => assert!(
            !github.requests().is_empty(),
            "{name}: the stand-in was asked"
        ),
    }
}

/// The gates' own failures with the token in the environment: an unreadable report, a config
/// that does not parse.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gates_with_bad_input_and_bad_config() {
    let root = tempfile::tempdir().unwrap();
    let dir = scenario_dir(root.path(), "coverage-unreadable");
    let run = Scenario::new("coverage-unreadable", &dir)
        .args(["coverage-check", "missing.info", "--json", "-"])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(2));
    let dir = scenario_dir(root.path(), "quality-gate-bad-config");
    std::fs::write(
        dir.join("gate.yml"),
        "notify:\n  channels:\n    ops: {webhook: \"${OPS_WEBHOOK}\"}\nquality-gate: {gates: [\n",
    )
    .unwrap();
    let junit = repo_file("tests/fixtures/junit/pytest/junit-xunit1.xml");
    let run = Scenario::new("quality-gate-bad-config", &dir)
        .env(
            "OPS_WEBHOOK",
            format!("https://hooks.example/hook/{ENCODED}"),
        )
        .args([
            "quality-gate",
            "--config",
            "gate.yml",
            junit.to_str().unwrap(),
        ])
        .args(["--json", "result.json"])
        .run_and_scan(Sinks::default())
        .await;
    assert_eq!(run.code, Some(2));
}
