//! The integration tests' stand-in GitHub REST API as a process, for tests that run decoder-ops
//! through something other than `cargo test` (the workflow templates under nektos/act, in
//! `tests/action/act_test.sh`). The server is `tests/it/support/github`: the same contract
//! checks (Bearer token, OpenAPI request bodies, response schemas), the same in-memory state.
//!
//! ```sh
//! github-standin --repository acme/shop --token TOKEN --port-file P --dump D < control
//! ```
//!
//! It writes its port to P once it listens. Each line `dump` on standard input writes the state
//! to D as JSON (issues with their comments, files by branch and path, refs, the requests it
//! answered, and any answer of its own that broke the spec); end of input writes D a last time
//! and exits — 1 when it ever answered outside the spec. Serves 127.0.0.1 only.

use std::io::BufRead;
use std::path::PathBuf;

use serde_json::{Value, json};

#[path = "../it/support"]
#[allow(dead_code, unused_imports)]
mod support {
    pub mod github;
}

use support::github::{GitHub, Options};

struct Args {
    repository: String,
    token: String,
    port_file: PathBuf,
    dump: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut repository = None;
    let mut token = None;
    let mut port_file = None;
    let mut dump = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--repository" => repository = Some(value),
            "--token" => token = Some(value),
            "--port-file" => port_file = Some(PathBuf::from(value)),
            "--dump" => dump = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(Args {
        repository: repository.ok_or("--repository OWNER/NAME is required")?,
        token: token.ok_or("--token is required")?,
        port_file: port_file.ok_or("--port-file is required")?,
        dump: dump.ok_or("--dump is required")?,
    })
}

/// Writes `path` through a temporary file, so a reader never sees half a file.
fn write_atomic(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).expect("write the stand-in's file");
    std::fs::rename(&tmp, path).expect("rename the stand-in's file");
}

fn snapshot(github: &GitHub) -> Value {
    let issues: Vec<Value> = github
        .issues()
        .into_iter()
        .map(|issue| {
            let comments: Vec<String> = github
                .comments(issue.number)
                .into_iter()
                .map(|c| c.body)
                .collect();
            json!({
                "number": issue.number,
                "title": issue.title,
                "body": issue.body,
                "state": issue.state,
                "state_reason": issue.state_reason,
                "labels": issue.labels,
                "comments": comments,
            })
        })
        .collect();
    let files: Vec<Value> = github
        .files()
        .into_iter()
        .map(|((branch, path), file)| {
            json!({
                "branch": branch,
                "path": path,
                "sha": file.sha,
                "content": String::from_utf8_lossy(&file.content),
            })
        })
        .collect();
    let requests: Vec<Value> = github
        .requests()
        .into_iter()
        .map(|r| {
            json!({
                "method": r.method,
                "path": r.path,
                "operation": r.operation,
                "status": r.status,
            })
        })
        .collect();
    json!({
        "issues": issues,
        "files": files,
        "refs": github.refs(),
        "requests": requests,
        "violations": github.violations(),
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("github-standin: {message}");
            std::process::exit(2);
        }
    };
    let github = GitHub::start_with(Options {
        repository: args.repository.clone(),
        token: args.token.clone(),
    })
    .await;
    let port = github
        .base_url()
        .rsplit(':')
        .next()
        .expect("the base URL has a port")
        .to_owned();
    write_atomic(&args.port_file, &port);

    // Standard input is read on a blocking thread; each line asks for a dump.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(line) => {
                    if tx.send(line).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    });
    while let Some(line) = rx.recv().await {
        if line.trim() == "dump" {
            write_atomic(&args.dump, &snapshot(&github).to_string());
        }
    }
    let last = snapshot(&github);
    write_atomic(&args.dump, &last.to_string());
    let broken = last["violations"].as_array().is_some_and(|v| !v.is_empty());
    // The handle's drop would panic on violations; they are reported in the dump instead.
    std::mem::forget(github);
    std::process::exit(i32::from(broken));
}
