//! A real Prometheus (Debian's `prometheus`) and Pushgateway (`prometheus-pushgateway`) on
//! 127.0.0.1, each in a temporary directory and stopped by the PID this test started. The
//! scrape target is an nginx serving a metrics file the test rewrites.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::nginx::{Nginx, find, free_port, set_mode};

/// A metrics file served by nginx at `/metrics`.
pub struct Target {
    pub nginx: Nginx,
    dir: tempfile::TempDir,
}

impl Target {
    pub fn start(metrics: &str) -> Target {
        let dir = tempfile::tempdir().expect("temp dir");
        set_mode(dir.path(), 0o755);
        let port = free_port();
        let target = Target {
            nginx: Nginx::start(
                &format!(
                    "server {{ listen 127.0.0.1:{port}; location = /metrics {{ default_type text/plain; alias {}/metrics.txt; }} }}",
                    dir.path().display()
                ),
                &[port],
            ),
            dir,
        };
        target.set(metrics);
        target
    }

    /// Replaces the exposed metrics (atomically, so a scrape never sees half a file).
    pub fn set(&self, metrics: &str) {
        let tmp = self.dir.path().join("metrics.tmp");
        std::fs::write(&tmp, metrics).unwrap();
        set_mode(&tmp, 0o644);
        std::fs::rename(&tmp, self.dir.path().join("metrics.txt")).unwrap();
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.nginx.port)
    }
}

/// A running server process, stopped when dropped.
pub struct Server {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_ready(child: &mut Child, url: &str, name: &str) {
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{name} exited ({status}) before it was ready");
        }
        if ready_by_tcp(url) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{name} not ready within 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `/-/ready` answers 200 (checked without curl: a raw HTTP/1.0 request).
fn ready_by_tcp(url: &str) -> bool {
    use std::io::{Read, Write};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(mut s) = std::net::TcpStream::connect(host) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(format!("GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes())
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200")
}

/// Prometheus scraping `target` every second.
pub fn prometheus(target: &str) -> Server {
    let binary = find("prometheus", "prometheus");
    let dir = tempfile::tempdir().expect("temp dir");
    let config: PathBuf = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\nscrape_configs:\n  - job_name: app\n    static_configs: [{{targets: [\"{target}\"]}}]\n"
        ),
    )
    .unwrap();
    let port = free_port();
    let mut child = Command::new(binary)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    wait_ready(
        &mut child,
        &format!("http://127.0.0.1:{port}/-/ready"),
        "prometheus",
    );
    Server {
        port,
        child,
        _dir: dir,
    }
}

/// The Pushgateway, without persistence.
pub fn pushgateway() -> Server {
    let binary = find("prometheus-pushgateway", "prometheus-pushgateway");
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let mut child = Command::new(binary)
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus-pushgateway");
    wait_ready(
        &mut child,
        &format!("http://127.0.0.1:{port}/-/ready"),
        "pushgateway",
    );
    Server {
        port,
        child,
        _dir: dir,
    }
}
