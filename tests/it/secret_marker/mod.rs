//! The marker secret (`support/marker.rs`: a tab, a quote, `%`, `/`) given to every subcommand
//! in every place a secret lives — a webhook URL's path, a query value among harmless ones, URL
//! userinfo, a check header, the Prometheus bearer token, the GitHub token — and driven down
//! every failure path against loopback servers: refused, 401 (with a body that quotes the
//! secret back), 429, 500 (quoting the URL), a TLS handshake with a plain-HTTP server, a server
//! that never answers, and a broken config. Every run is at trace level (`-vv`,
//! `DECODER_OPS_LOG=trace`), half with JSON logs; then stdout, stderr and every file left in
//! the run's directory are scanned for the secret in every encoding: none may hold it. The
//! `::add-mask::` lines, which the runner consumes, are the only exception.

mod github;
mod services;

use std::path::{Path, PathBuf};

use crate::cli::{Bin, Run};
use crate::support::faults::{Behavior, FaultServer};
use crate::support::marker::{ENCODED, SECRET, Sinks, USER};
use crate::support::nginx::{Nginx, free_port};

/// How a request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Unreachable,
    Unauthorized,
    RateLimited,
    ServerError,
    Tls,
    Timeout,
}

pub const FAILURES: [Failure; 6] = [
    Failure::Unreachable,
    Failure::Unauthorized,
    Failure::RateLimited,
    Failure::ServerError,
    Failure::Tls,
    Failure::Timeout,
];

/// One loopback endpoint per kind of failure.
pub struct Endpoints {
    refused: u16,
    unauthorized: FaultServer,
    limited: FaultServer,
    broken: FaultServer,
    hang: FaultServer,
    /// A real plain-HTTP server: a TLS client gets its `400` instead of a server hello.
    plain: Nginx,
}

impl Endpoints {
    pub async fn start() -> Endpoints {
        // A 401 whose body quotes the credential back, as some proxies do (JSON-escaped).
        let refusal = serde_json::json!({
            "status": "error",
            "errorType": "unauthorized",
            "error": format!("credential {SECRET} is not valid"),
        })
        .to_string();
        Endpoints {
            refused: free_port(),
            unauthorized: FaultServer::start(move |_, _| Behavior::status(401, &refusal)).await,
            limited: FaultServer::start(|_, _| Behavior::Respond {
                status: 429,
                headers: vec![("Retry-After".into(), "1".into())],
                body: br#"{"ok":false,"error":"rate_limited"}"#.to_vec(),
            })
            .await,
            // A 500 that quotes the request path (the URL-encoded secret) back.
            broken: FaultServer::start(|_, path| {
                Behavior::status(500, &format!("internal error serving {path}"))
            })
            .await,
            hang: FaultServer::start(|_, _| Behavior::Hang).await,
            plain: {
                let port = free_port();
                Nginx::start(
                    &format!("server {{ listen 127.0.0.1:{port}; return 200 'ok'; }}"),
                    &[port],
                )
            },
        }
    }

    /// `scheme` and `host:port` that fail the way `failure` says.
    pub fn origin(&self, failure: Failure) -> (&'static str, String) {
        let port = match failure {
            Failure::Unreachable => self.refused,
            Failure::Unauthorized => self.unauthorized.port,
            Failure::RateLimited => self.limited.port,
            Failure::ServerError => self.broken.port,
            Failure::Tls => self.plain.port,
            Failure::Timeout => self.hang.port,
        };
        let scheme = if failure == Failure::Tls {
            "https"
        } else {
            "http"
        };
        (scheme, format!("127.0.0.1:{port}"))
    }

    /// Requests the fault server of `failure` has seen (0 for refused and TLS).
    pub fn requests(&self, failure: Failure) -> usize {
        match failure {
            Failure::Unauthorized => self.unauthorized.requests(),
            Failure::RateLimited => self.limited.requests(),
            Failure::ServerError => self.broken.requests(),
            Failure::Timeout => self.hang.requests(),
            Failure::Unreachable | Failure::Tls => 0,
        }
    }

    /// Whether a request for `failure` reaches an HTTP server at all.
    pub fn answered(failure: Failure) -> bool {
        !matches!(failure, Failure::Unreachable | Failure::Tls)
    }

    /// The secret as the last path segment.
    pub fn path_url(&self, failure: Failure) -> String {
        let (scheme, host) = self.origin(failure);
        format!("{scheme}://{host}/hook/{ENCODED}")
    }

    /// The secret as one query value among harmless ones.
    pub fn query_url(&self, failure: Failure) -> String {
        let (scheme, host) = self.origin(failure);
        format!("{scheme}://{host}/hook?channel=ops&token={ENCODED}&wait=true")
    }

    /// The secret as the password of the URL's userinfo.
    pub fn userinfo_url(&self, failure: Failure) -> String {
        let (scheme, host) = self.origin(failure);
        format!("{scheme}://{USER}:{ENCODED}@{host}/hook")
    }
}

/// One run of the binary in Actions, at trace level, with the secret in `GITHUB_TOKEN`.
pub struct Scenario {
    pub name: String,
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
    pub args: Vec<String>,
    pub json_logs: bool,
}

impl Scenario {
    pub fn new(name: impl Into<String>, dir: &Path) -> Scenario {
        Scenario {
            name: name.into(),
            dir: dir.to_owned(),
            env: Vec::new(),
            args: Vec::new(),
            json_logs: false,
        }
    }

    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    pub fn args<S: AsRef<str>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn json_logs(mut self, on: bool) -> Self {
        self.json_logs = on;
        self
    }

    /// Runs it (off the async runtime), then scans stdout, stderr, every file in its
    /// directory and `extra` for the secret.
    pub async fn run_and_scan(self, extra: Sinks) -> Run {
        let Scenario {
            name,
            dir,
            env,
            args,
            json_logs,
        } = self;
        let run_dir = dir.clone();
        let started = std::time::Instant::now();
        let run = tokio::task::spawn_blocking(move || {
            let mut bin = Bin::new()
                .in_actions(&run_dir)
                .current_dir(&run_dir)
                .env("GITHUB_TOKEN", SECRET)
                .env("DECODER_OPS_LOG", "trace")
                .arg("-vv");
            if json_logs {
                bin = bin.args(["--log-format", "json"]);
            }
            for (k, v) in &env {
                bin = bin.env(k, v);
            }
            bin.args(&args).run()
        })
        .await
        .unwrap();
        eprintln!("{name}: exit {:?} in {:?}", run.code, started.elapsed());
        assert!(
            run.code.is_some(),
            "{name}: killed by a signal\n{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("panicked"),
            "{name}: panic\n{}",
            run.stderr
        );
        let mut sinks = Sinks::of_run(&run);
        sinks.add_dir(&dir);
        sinks.extend(extra);
        sinks.assert_clean(&name);
        let masked = run
            .stdout
            .lines()
            .chain(run.stderr.lines())
            .any(|l| l.starts_with("::add-mask::") && l.contains("MKe5-marker"));
        assert!(
            masked,
            "{name}: the secret is masked for the runner\n{}",
            run.stdout
        );
        run
    }
}

/// Runs `case` for every item at once (the slow paths are mostly waiting for timeouts and
/// retries), and fails with the first case's own panic message.
pub async fn concurrently<T, F, Fut>(items: impl IntoIterator<Item = T>, case: F)
where
    F: Fn(usize, T) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let handles: Vec<_> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| tokio::spawn(case(i, item)))
        .collect();
    for handle in handles {
        if let Err(e) = handle.await {
            match e.try_into_panic() {
                Ok(payload) => std::panic::resume_unwind(payload),
                Err(e) => panic!("{e}"),
            }
        }
    }
}

/// A fresh directory per scenario, so each scan sees only its own run's files.
pub fn scenario_dir(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
