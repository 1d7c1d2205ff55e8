//! A real nginx (the Debian package) on 127.0.0.1 for the smoke tests, started in a temporary
//! prefix with every temp path inside it, plus TLS certificates made with the `openssl` CLI.
//!
//! When nginx or openssl is missing the test fails, naming the package to install: a smoke test
//! that silently passes without its server would prove nothing.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What CI installs (see `.ci/run`).
pub const APT_LINE: &str =
    "apt-get install -y nginx-light openssl prometheus prometheus-pushgateway";

pub fn find(program: &str, package: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/bin", "/sbin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{program}` is not installed, and the smoke tests need a real one: install the \
                 Debian package `{package}` (`{APT_LINE}`)"
            )
        })
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// A running nginx; stopped (by its PID, which this test started) when dropped.
pub struct Nginx {
    pub port: u16,
    /// The prefix: configuration, temp paths, pid file. Removed on drop.
    _dir: tempfile::TempDir,
    child: Child,
}

impl Nginx {
    /// Starts nginx with `servers` (nginx `server { … }` blocks) inside its `http` block.
    /// `{dir}` in `servers` is replaced by the prefix directory.
    pub fn start(servers: &str, ports: &[u16]) -> Nginx {
        let nginx = find("nginx", "nginx-light");
        let dir = tempfile::tempdir().expect("temp dir");
        // nginx as root runs its workers as `nobody`, who must be able to enter the prefix.
        set_mode(dir.path(), 0o755);
        let d = dir.path().display().to_string();
        let conf = format!(
            "worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    default_type text/plain;
    keepalive_requests 100000;
    keepalive_timeout 30s;
{servers}
}}
",
            servers = servers.replace("{dir}", &d)
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write nginx.conf");
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf_path)
            .arg("-g")
            .arg(format!("daemon off; pid {d}/nginx.pid; error_log stderr;"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start nginx");
        let mut server = Nginx {
            port: ports.first().copied().unwrap_or(0),
            _dir: dir,
            child,
        };
        for port in ports {
            server.wait_for(*port);
        }
        server
    }

    fn wait_for(&mut self, port: u16) {
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                panic!("nginx exited ({status}) before listening on {port}:\n{err}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "nginx did not listen on 127.0.0.1:{port} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM to the master we started: it stops its workers and exits. (SIGKILL would leave
        // the workers running without a master.) SIGKILL only if it hangs.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A private CA and leaf certificates for `localhost` / `127.0.0.1`, made with `openssl`.
pub struct Pki {
    pub dir: tempfile::TempDir,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().expect("temp dir");
        set_mode(dir.path(), 0o755);
        let pki = Pki { dir };
        pki.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/CN=decoder-ops test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        std::fs::write(
            pki.path("leaf.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write leaf.ext");
        pki
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Issues `<name>.pem` / `<name>.key` valid for `days` days from now.
    pub fn leaf(&self, name: &str, days: u32) -> (PathBuf, PathBuf) {
        let (key, csr, pem) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        self.openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            "/CN=localhost",
        ]);
        let days = days.to_string();
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            &days,
            "-extfile",
            "leaf.ext",
        ]);
        // Readable by nginx's workers.
        set_mode(&self.path(&key), 0o644);
        (self.path(&pem), self.path(&key))
    }

    /// `notAfter` of a certificate as openssl itself prints it, in Unix seconds.
    pub fn not_after(&self, pem: &Path) -> i64 {
        let out = Command::new(find("openssl", "openssl"))
            .args(["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in"])
            .arg(pem)
            .output()
            .expect("run openssl");
        let text = String::from_utf8_lossy(&out.stdout);
        // notAfter=2026-06-01 12:00:00Z
        let stamp = text
            .trim()
            .trim_start_matches("notAfter=")
            .replace(' ', "T");
        stamp
            .parse::<jiff::Timestamp>()
            .unwrap_or_else(|e| panic!("openssl printed `{text}`: {e}"))
            .as_second()
    }

    fn openssl(&self, args: &[&str]) {
        let out = Command::new(find("openssl", "openssl"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
