//! Reading line-based reports safely (a line reader with a hard length limit) and the error
//! constructors every parser shares.
//!
//! Limits keep memory bounded on hostile or broken input (a 10 MB line, binary garbage): the
//! reader never buffers more than [`MAX_LINE`] bytes of one line, whatever the file holds.

use std::io::{self, BufRead, Read};

use super::source::Source;

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

/// A non-empty run of ASCII digits that fits in a `u64`.
pub fn digits(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &b| {
        let d = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
}

/// One line of a line-based report, without its line ending.
#[derive(Debug)]
pub struct Line<'a> {
    /// The raw bytes; [`Line::text`] checks they are UTF-8.
    pub bytes: &'a [u8],
    name: &'a str,
    number: u64,
}

impl<'a> Line<'a> {
    /// The line as text, or an error naming the line and column of the first invalid byte.
    pub fn text(&self) -> Result<&'a str, ReportError> {
        std::str::from_utf8(self.bytes).map_err(|e| {
            malformed(
                self.name,
                Position::line_column(self.number, e.valid_up_to() as u64 + 1),
                "invalid UTF-8; expected a text report (is this a binary file?)",
            )
        })
    }

    /// An error about this line.
    pub fn error(&self, message: impl Into<String>) -> ReportError {
        malformed(self.name, Position::line(self.number), message)
    }
}

/// Bytes of a line searched for its end before `memchr` is called.
const SHORT: usize = 32;

/// Reads a line-based report one line at a time, in place in the source's buffer when the line
/// fits in it (almost always), else through a reused buffer capped at [`MAX_LINE`].
pub struct Lines<'n, 's, R> {
    source: &'s mut Source<R>,
    name: &'n str,
    buf: Vec<u8>,
    /// Bytes of the buffered chunk returned as lines but not yet consumed from the source.
    pending: usize,
    line: u64,
}

impl<'n, 's, R: Read> Lines<'n, 's, R> {
    pub fn new(name: &'n str, source: &'s mut Source<R>) -> Self {
        Lines {
            source,
            name,
            buf: Vec::new(),
            pending: 0,
            line: 0,
        }
    }

    /// The 1-based number of the line last returned (0 before the first).
    pub fn line_number(&self) -> u64 {
        self.line
    }

    /// The next line without its `\n` / `\r\n`, or `None` at the end of the input.
    ///
    /// Most lines lie wholly in the chunk already buffered, after the lines returned before:
    /// those are found inline, in the caller's loop, without handing the source what was read
    /// line by line (returning each line's `Result` from a call cost a tenth of an lcov parse).
    #[inline(always)]
    pub fn next_line(&mut self) -> Result<Option<Line<'_>>, ReportError> {
        match self.buffered_line() {
            Some((start, end)) => {
                let bytes = &self.source.buffered()[start..end];
                Ok(Some(Line {
                    bytes: bytes.strip_suffix(b"\r").unwrap_or(bytes),
                    name: self.name,
                    number: self.line,
                }))
            }
            None => self.next_line_slow(),
        }
    }

    /// Where the next line is in the buffered chunk (without its `\n`), when it is wholly there.
    /// Coverage lines are short, so the first bytes are searched inline before `memchr`.
    #[inline(always)]
    fn buffered_line(&mut self) -> Option<(usize, usize)> {
        let rest = &self.source.buffered()[self.pending..];
        let end = match rest.iter().take(SHORT).position(|&b| b == b'\n') {
            Some(end) => end,
            None if rest.len() > SHORT => memchr::memchr(b'\n', &rest[SHORT..])? + SHORT,
            None => return None,
        };
        let start = self.pending;
        self.pending += end + 1;
        self.line += 1;
        Some((start, start + end))
    }

    /// [`Lines::next_line`] when the buffered chunk holds no whole line: consumes what was
    /// returned, reads on, and copies a line that spans chunks.
    #[inline(never)]
    fn next_line_slow(&mut self) -> Result<Option<Line<'_>>, ReportError> {
        let rest = &self.source.buffered()[self.pending..];
        debug_assert!(memchr::memchr(b'\n', rest).is_none());
        self.source.consume(std::mem::take(&mut self.pending));
        let available = self
            .source
            .fill_buf()
            .map_err(|e| read_error(self.name, e))?;
        if available.is_empty() {
            return Ok(None);
        }
        self.line += 1;
        let newline = memchr::memchr(b'\n', available);
        let bytes = match newline {
            Some(end) => {
                self.pending = end + 1;
                &self.source.buffered()[..end]
            }
            None => {
                // The line continues past the buffer (or the file ends without a newline).
                self.buf.clear();
                let n = (&mut *self.source)
                    .take(MAX_LINE as u64 + 1)
                    .read_until(b'\n', &mut self.buf)
                    .map_err(|e| read_error(self.name, e))?;
                if self.buf.last() == Some(&b'\n') {
                    self.buf.pop();
                } else if n > MAX_LINE {
                    return Err(malformed(
                        self.name,
                        Position::line(self.line),
                        format!(
                            "line is longer than {} KiB; this is not a coverage report line",
                            MAX_LINE / 1024
                        ),
                    ));
                }
                &self.buf[..]
            }
        };
        Ok(Some(Line {
            bytes: bytes.strip_suffix(b"\r").unwrap_or(bytes),
            name: self.name,
            number: self.line,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_strips_newlines_and_counts() {
        let mut source = Source::new(&b"a\r\nb\n\nc"[..]);
        let mut lines = Lines::new("t", &mut source);
        for expected in ["a", "b", "", "c"] {
            let line = lines.next_line().unwrap().unwrap();
            assert_eq!(line.text().unwrap(), expected);
        }
        assert_eq!(lines.line_number(), 4);
        assert!(lines.next_line().unwrap().is_none());
    }

    #[test]
    fn overlong_line_is_an_error_not_an_allocation() {
        let data = vec![b'x'; MAX_LINE * 10];
        let mut source = Source::new(&data[..]);
        let mut lines = Lines::new("big.info", &mut source);
        let err = lines.next_line().unwrap_err().to_string();
        assert!(
            err.starts_with("coverage report `big.info`: line 1: line is longer"),
            "{err}"
        );
        assert!(lines.buf.capacity() <= MAX_LINE * 2);
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let mut source = Source::new(&b"SF:a\nDA:\xff\n"[..]);
        let mut lines = Lines::new("bad.info", &mut source);
        assert!(lines.next_line().unwrap().is_some());
        let err = lines
            .next_line()
            .unwrap()
            .unwrap()
            .text()
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2, column 4: invalid UTF-8"), "{err}");
    }

    #[test]
    fn excerpt_is_short_and_printable() {
        assert_eq!(excerpt("a\tb"), "a?b");
        assert_eq!(excerpt(&"x".repeat(100)).chars().count(), 61);
    }
}
