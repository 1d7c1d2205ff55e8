//! `tracing` logs on stderr — never stdout, which belongs to results and workflow commands.
//!
//! Every log line passes through the run's [`Redactor`] on its way out: secrets are registered as
//! soon as they are known, and even a `-vv` trace of an HTTP error cannot print a webhook URL.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tracing_subscriber::fmt::MakeWriter;

use crate::secret::SharedRedactor;

/// How much to log and how.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// 0 = warnings and errors (default), 1 = debug for decoder-ops, 2+ = trace; -1 = errors only.
    pub verbosity: i8,
    /// A `tracing` filter directive that overrides `verbosity` (`DECODER_OPS_LOG`).
    pub filter: Option<String>,
    pub json: bool,
    pub color: bool,
}

/// Installs the global subscriber. Safe to call more than once (later calls are ignored), which
/// keeps in-process tests simple.
pub fn init(options: &LogOptions, redactor: SharedRedactor) {
    let default = match options.verbosity {
        i8::MIN..=-1 => "error",
        0 => "warn",
        1 => "warn,decoder_ops=debug",
        _ => "debug,decoder_ops=trace",
    };
    let filter = options
        .filter
        .as_deref()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    let writer = RedactingStderr(redactor);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(true);
    let result = if options.json {
        builder.json().with_current_span(false).try_init()
    } else {
        builder.with_ansi(options.color).without_time().try_init()
    };
    // Already installed (tests run commands in-process more than once): keep the first.
    let _ = result;
    QUIET.store(options.verbosity < 0, Ordering::Relaxed);
}

/// `-q`: no progress lines either.
static QUIET: AtomicBool = AtomicBool::new(false);

/// How often a long wait says it is still waiting.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// Progress of a long wait for people watching: one plain line at a time on stderr (a CI log
/// has no cursor to redraw, so no spinner and no colour), redacted, silent with `-q`. Tests
/// collect the lines instead.
#[derive(Clone, Default)]
pub struct Progress(Option<Sink>);

type Sink = Arc<dyn Fn(&str) + Send + Sync>;

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}

impl Progress {
    /// Lines to stderr, through the run's redactor.
    pub fn stderr(redactor: SharedRedactor) -> Progress {
        Progress::to(move |line| {
            if QUIET.load(Ordering::Relaxed) {
                return;
            }
            let text = redactor.redact(line);
            let _ = writeln!(std::io::stderr().lock(), "decoder-ops: {text}");
        })
    }

    /// Lines to `f`.
    pub fn to(f: impl Fn(&str) + Send + Sync + 'static) -> Progress {
        Progress(Some(Arc::new(f)))
    }

    pub fn say(&self, line: &str) {
        if let Some(f) = &self.0 {
            let flat: String = line
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            f(&flat);
        }
    }
}

/// When a wait should speak: at its start, then every [`PROGRESS_EVERY`].
#[derive(Debug, Clone, Default)]
pub struct Ticker {
    last: Option<Instant>,
}

impl Ticker {
    /// Whether a line is due at `now` (it is then counted as said).
    pub fn due(&mut self, now: Instant) -> bool {
        let due = self
            .last
            .is_none_or(|last| now.saturating_duration_since(last) >= PROGRESS_EVERY);
        if due {
            self.last = Some(now);
        }
        due
    }

    /// Whether the wait has said anything yet.
    pub fn started(&self) -> bool {
        self.last.is_some()
    }
}

/// Makes one buffering writer per log event; the buffer is redacted and written on drop, so a
/// secret is never split across two writes.
struct RedactingStderr(SharedRedactor);

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = LineBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        LineBuffer {
            buf: Vec::new(),
            redactor: self.0.clone(),
        }
    }
}

struct LineBuffer {
    buf: Vec<u8>,
    redactor: SharedRedactor,
}

impl Write for LineBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineBuffer {
    fn drop(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let text = self.redactor.redact(&String::from_utf8_lossy(&self.buf));
        // Nowhere to report a failed write to stderr.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticker_speaks_at_the_start_then_at_a_steady_pace() {
        let mut t = Ticker::default();
        let t0 = Instant::now();
        assert!(!t.started());
        assert!(t.due(t0));
        assert!(!t.due(t0 + Duration::from_secs(1)));
        assert!(!t.due(t0 + PROGRESS_EVERY - Duration::from_millis(1)));
        assert!(t.due(t0 + PROGRESS_EVERY));
        assert!(!t.due(t0 + PROGRESS_EVERY + Duration::from_secs(1)));
        assert!(t.started());
    }

    #[test]
    fn progress_lines_are_single_plain_lines() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sink = seen.clone();
        let p = Progress::to(move |l| sink.lock().unwrap().push(l.to_owned()));
        p.say("waiting\nfor \x1b[31mlock\r");
        Progress::default().say("nowhere");
        assert_eq!(*seen.lock().unwrap(), ["waiting for  [31mlock "]);
    }

    #[test]
    fn shared_redactor_sees_secrets_added_later() {
        let shared = SharedRedactor::default();
        let writer = RedactingStderr(shared.clone());
        shared.add("https://hooks.slack.com/services/T1/B1/secretTOKENvalue");
        let buf = writer.make_writer();
        assert_eq!(
            buf.redactor
                .redact("POST https://hooks.slack.com/services/T1/B1/secretTOKENvalue failed"),
            "POST *** failed"
        );
    }
}
