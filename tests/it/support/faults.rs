//! An in-process HTTP/1.1 server on raw TCP that misbehaves on purpose: it answers late, not at
//! all, cuts the body short, sends huge bodies, redirects elsewhere. Written on `TcpListener`
//! rather than hyper so that it can break the protocol the way real servers and proxies do.
//! Every request is counted, so tests can prove what was (not) retried.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Behavior {
    /// A complete response (`Connection: close`).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Sleep, then behave.
    Delay(Duration, Box<Behavior>),
    /// Read the request and never answer.
    Hang,
    /// Headers promising `declared` bytes, `sent` bytes of body, then the connection closes.
    CutBody { declared: usize, sent: usize },
}

impl Behavior {
    pub fn status(status: u16, body: &str) -> Behavior {
        Behavior::Respond {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn redirect(status: u16, location: &str) -> Behavior {
        Behavior::Respond {
            status,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
        }
    }
}

/// The handler: request number (0-based, over the server's life) and path → behaviour.
pub type Handler = Arc<dyn Fn(usize, &str) -> Behavior + Send + Sync>;

/// A running fault server; it stops when the test's runtime ends.
pub struct FaultServer {
    pub port: u16,
    seen: Seen,
}

/// Requests received: a count, and each request head (request line and headers).
#[derive(Clone, Default)]
struct Seen {
    count: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl FaultServer {
    pub async fn start(
        handler: impl Fn(usize, &str) -> Behavior + Send + Sync + 'static,
    ) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        FaultServer::serve(listener, Arc::new(handler))
    }

    /// Starts listening only after `delay` on `port`: until then connections are refused, as
    /// they are while a freshly deployed process boots.
    pub fn start_later(
        port: u16,
        delay: Duration,
        handler: impl Fn(usize, &str) -> Behavior + Send + Sync + 'static,
    ) -> FaultServer {
        let seen = Seen::default();
        let handler: Handler = Arc::new(handler);
        let counter = seen.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let listener = TcpListener::bind(("127.0.0.1", port))
                .await
                .expect("bind later");
            accept_loop(listener, handler, counter).await;
        });
        FaultServer { port, seen }
    }

    fn serve(listener: TcpListener, handler: Handler) -> FaultServer {
        let port = listener.local_addr().expect("addr").port();
        let seen = Seen::default();
        tokio::spawn(accept_loop(listener, handler, seen.clone()));
        FaultServer { port, seen }
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.seen.count.load(Ordering::SeqCst)
    }

    /// The heads of the requests received, in order, header names lower-cased.
    pub fn heads(&self) -> Vec<String> {
        self.seen
            .heads
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

async fn accept_loop(listener: TcpListener, handler: Handler, seen: Seen) {
    while let Ok((stream, _)) = listener.accept().await {
        let handler = Arc::clone(&handler);
        let seen = seen.clone();
        tokio::spawn(async move {
            let _ = serve_one(stream, handler, seen).await;
        });
    }
}

async fn serve_one(mut stream: TcpStream, handler: Handler, seen: Seen) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    if let Ok(mut heads) = seen.heads.lock() {
        heads.push(head.to_ascii_lowercase());
    }
    let index = seen.count.fetch_add(1, Ordering::SeqCst);
    let mut behavior = handler(index, &path);
    loop {
        match behavior {
            Behavior::Delay(d, next) => {
                tokio::time::sleep(d).await;
                behavior = *next;
            }
            Behavior::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(());
            }
            Behavior::CutBody { declared, sent } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\nContent-Type: text/plain\r\n\r\n"
                );
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(&vec![b'x'; sent]).await?;
                stream.flush().await?;
                // Drop without a graceful shutdown: the client sees the connection end early.
                return Ok(());
            }
            Behavior::Respond {
                status,
                headers,
                body,
            } => {
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                stream.write_all(head.as_bytes()).await?;
                // Large bodies go out in pieces; a client that stops reading makes this fail,
                // which is fine.
                for piece in body.chunks(64 * 1024) {
                    stream.write_all(piece).await?;
                }
                stream.shutdown().await?;
                return Ok(());
            }
        }
    }
}
