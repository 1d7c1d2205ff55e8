//! Reading report bytes safely: a SHA-256 of everything read, a line reader with a hard length
//! limit for the line-based formats, and the error constructors every parser shares.
//!
//! Limits keep memory bounded on hostile or broken input (a 10 MB line, binary garbage): the
//! reader never buffers more than [`MAX_LINE`] bytes of one line, whatever the file holds.

use std::io::{self, BufRead, Read};

use sha2::{Digest, Sha256};

use crate::report::{Position, ReportError, ReportKind};

/// Longest accepted line in lcov and Go profiles. Real lines are short (an lcov `FN:` line with a
/// long C++ template name is a few KiB); anything this long is not a coverage report.
pub const MAX_LINE: usize = 1024 * 1024;

/// A content error at `at` in report `name`.
pub fn malformed(name: &str, at: Position, message: impl Into<String>) -> ReportError {
    ReportError::Malformed {
        kind: ReportKind::Coverage,
        name: name.to_owned(),
        at,
        message: message.into(),
    }
}

/// An I/O error while reading report `name`.
pub fn read_error(name: &str, source: io::Error) -> ReportError {
    ReportError::Read {
        kind: ReportKind::Coverage,
        name: name.to_owned(),
        source,
    }
}

/// A short, printable excerpt of untrusted input for error messages.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// A `BufRead` adapter that hashes every byte the parser consumes.
pub struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: BufRead> Hashing<R> {
    pub fn new(inner: R) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// Reads what the parser left unread (trailing bytes still belong to the file) and returns
    /// the lowercase hex SHA-256 of the whole input.
    pub fn finish(mut self) -> io::Result<String> {
        loop {
            let len = {
                let buf = self.inner.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                self.hasher.update(buf);
                buf.len()
            };
            self.inner.consume(len);
        }
        let digest = self.hasher.finalize();
        Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl<R: BufRead> Read for Hashing<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Hashing<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt == 0 {
            return;
        }
        // `consume` follows a `fill_buf` that returned at least `amt` bytes, so asking again
        // returns the same buffer without reading.
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.hasher.update(&buf[..n]);
        }
        self.inner.consume(amt);
    }
}

/// One line of a line-based report, able to report errors about itself.
#[derive(Debug)]
pub struct Line<'a> {
    pub text: &'a str,
    name: &'a str,
    number: u64,
}

impl Line<'_> {
    /// An error about this line.
    pub fn error(&self, message: impl Into<String>) -> ReportError {
        malformed(self.name, Position::line(self.number), message)
    }
}

/// Reads a line-based report one line at a time into a reused buffer.
pub struct Lines<'n, R> {
    reader: R,
    name: &'n str,
    buf: Vec<u8>,
    line: u64,
}

impl<'n, R: BufRead> Lines<'n, R> {
    pub fn new(name: &'n str, reader: R) -> Self {
        Lines {
            reader,
            name,
            buf: Vec::with_capacity(256),
            line: 0,
        }
    }

    /// The 1-based number of the line last returned (0 before the first).
    pub fn line_number(&self) -> u64 {
        self.line
    }

    /// The next line without its `\n` / `\r\n`, or `None` at the end of the input.
    pub fn next_line(&mut self) -> Result<Option<Line<'_>>, ReportError> {
        self.buf.clear();
        let limit = MAX_LINE as u64 + 1;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| read_error(self.name, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        } else if self.buf.len() > MAX_LINE {
            return Err(malformed(
                self.name,
                Position::line(self.line),
                format!(
                    "line is longer than {} KiB; this is not a coverage report line",
                    MAX_LINE / 1024
                ),
            ));
        }
        match std::str::from_utf8(&self.buf) {
            Ok(text) => Ok(Some(Line {
                text,
                name: self.name,
                number: self.line,
            })),
            Err(e) => Err(malformed(
                self.name,
                Position::line_column(self.line, e.valid_up_to() as u64 + 1),
                "invalid UTF-8; expected a text report (is this a binary file?)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_strips_newlines_and_counts() {
        let mut lines = Lines::new("t", &b"a\r\nb\n\nc"[..]);
        for expected in ["a", "b", "", "c"] {
            assert_eq!(lines.next_line().unwrap().map(|l| l.text), Some(expected));
        }
        assert_eq!(lines.line_number(), 4);
        assert!(lines.next_line().unwrap().is_none());
    }

    #[test]
    fn overlong_line_is_an_error_not_an_allocation() {
        let data = vec![b'x'; MAX_LINE * 10];
        let mut lines = Lines::new("big.info", &data[..]);
        let err = lines.next_line().unwrap_err().to_string();
        assert!(
            err.starts_with("coverage report `big.info`: line 1: line is longer"),
            "{err}"
        );
        assert!(lines.buf.capacity() <= MAX_LINE * 2 + 256);
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let mut lines = Lines::new("bad.info", &b"SF:a\nDA:\xff\n"[..]);
        assert!(lines.next_line().unwrap().is_some());
        let err = lines.next_line().unwrap_err().to_string();
        assert!(err.contains("line 2, column 4: invalid UTF-8"), "{err}");
    }

    #[test]
    fn hashing_covers_bytes_read_and_left_over() {
        let mut h = Hashing::new(&b"abc"[..]);
        let mut first = [0u8; 1];
        h.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"a");
        assert_eq!(
            h.finish().unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn excerpt_is_short_and_printable() {
        assert_eq!(excerpt("a\tb"), "a?b");
        assert_eq!(excerpt(&"x".repeat(100)).chars().count(), 61);
    }
}
