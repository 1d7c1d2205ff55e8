//! `tracing` logs on stderr — never stdout, which belongs to results and workflow commands.
//!
//! Every log line passes through the run's [`Redactor`] on its way out: secrets are registered as
//! soon as they are known, and even a `-vv` trace of an HTTP error cannot print a webhook URL.

use std::io::Write;
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
