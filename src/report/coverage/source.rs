//! The byte source every parser reads from: a buffered reader that fingerprints the input and,
//! for XML, knows the line and column of any point it marks.
//!
//! Hashing happens once per chunk read from the file, not per line or per event, and line
//! counting once per marked event, so both stay a small fraction of parsing time on 50 MB
//! reports.

use std::io::{self, BufRead, Read};

use sha2::{Digest, Sha256};

use crate::report::Position;

const CHUNK: usize = 64 * 1024;

/// A buffered reader over the report bytes; see the module documentation.
pub struct Source<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    hasher: Sha256,
    /// Bytes handed to the parser so far.
    consumed: u64,
    /// `buf[..counted]` is already accounted for in `line` and `column`.
    counted: usize,
    line: u64,
    column: u64,
    /// `consumed` at the last [`Source::mark`].
    mark: u64,
    /// Most bytes accepted between two marks, when set.
    limit: Option<u64>,
    overflow: bool,
}

impl<R: Read> Source<R> {
    pub fn new(inner: R) -> Self {
        Source {
            inner,
            buf: vec![0; CHUNK].into_boxed_slice(),
            pos: 0,
            len: 0,
            hasher: Sha256::new(),
            consumed: 0,
            counted: 0,
            line: 1,
            column: 1,
            mark: 0,
            limit: None,
            overflow: false,
        }
    }

    /// Fails reads once more than `limit` bytes were consumed since the last mark.
    pub fn limit_between_marks(&mut self, limit: u64) {
        self.limit = Some(limit);
    }

    /// Whether a read failed because of [`Source::limit_between_marks`].
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    /// What [`BufRead::fill_buf`] returned last, without checking limits or reading.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.pos..self.len]
    }

    /// Consumes ASCII whitespace up to the next other byte (or the end of the input).
    pub fn skip_whitespace(&mut self) -> io::Result<()> {
        loop {
            let available = self.fill_buf()?;
            let n = available
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(available.len());
            let all = n == available.len() && n > 0;
            self.consume(n);
            if !all {
                return Ok(());
            }
        }
    }

    /// Marks the current point and returns its 1-based line and column.
    pub fn mark(&mut self) -> Position {
        self.count_to(self.pos);
        self.mark = self.consumed;
        Position::line_column(self.line, self.column)
    }

    /// Reads what the parser left unread (trailing bytes still belong to the file) and returns
    /// the lowercase hex SHA-256 of the whole input.
    pub fn finish(mut self) -> io::Result<String> {
        self.limit = None;
        loop {
            let n = self.fill_buf()?.len();
            if n == 0 {
                break;
            }
            self.consume(n);
        }
        let digest = self.hasher.finalize();
        Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    fn count_to(&mut self, end: usize) {
        let done = &self.buf[self.counted..end];
        // Most marked spans hold no newline: one vectorizable count settles them.
        let newlines = done.iter().filter(|&&b| b == b'\n').count() as u64;
        if newlines == 0 {
            self.column += done.len() as u64;
        } else {
            let last = done.iter().rposition(|&b| b == b'\n').unwrap_or(0);
            self.line += newlines;
            self.column = (done.len() - last) as u64;
        }
        self.counted = end;
    }
}

impl<R: Read> BufRead for Source<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self
            .limit
            .is_some_and(|limit| self.consumed - self.mark > limit)
        {
            self.overflow = true;
            return Err(io::Error::other(
                "a single piece of the report is too large",
            ));
        }
        if self.pos >= self.len {
            self.count_to(self.len);
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            self.hasher.update(&self.buf[..n]);
            self.pos = 0;
            self.len = n;
            self.counted = 0;
        }
        Ok(&self.buf[self.pos..self.len])
    }

    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.len - self.pos);
        self.pos += amt;
        self.consumed += amt as u64;
    }
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn hashes_what_was_read_and_what_was_left() {
        let mut s = Source::new(&b"abc"[..]);
        let mut first = [0u8; 1];
        s.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"a");
        assert_eq!(s.finish().unwrap(), ABC);
    }

    #[test]
    fn hashes_across_chunks() {
        let data = vec![b'x'; CHUNK * 3 + 17];
        let mut s = Source::new(&data[..]);
        let mut line = Vec::new();
        s.read_until(b'!', &mut line).unwrap();
        assert_eq!(line.len(), data.len());
        let expected: String = Sha256::digest(&data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(s.finish().unwrap(), expected);
    }

    #[test]
    fn marks_know_line_and_column_across_chunks() {
        let mut data = vec![b'a'; CHUNK - 2];
        data.extend_from_slice(b"\n\nxyz\nq");
        let mut s = Source::new(&data[..]);
        assert_eq!(s.mark(), Position::line_column(1, 1));
        let mut skip = vec![0u8; CHUNK + 3];
        s.read_exact(&mut skip).unwrap();
        // Consumed: CHUNK-2 'a', two newlines, "xyz" → line 3, column 4.
        assert_eq!(s.mark(), Position::line_column(3, 4));
        s.read_exact(&mut [0u8; 2]).unwrap();
        assert_eq!(s.mark(), Position::line_column(4, 2));
    }

    #[test]
    fn limit_between_marks_stops_runaway_reads() {
        let data = vec![b'x'; CHUNK * 4];
        let mut s = Source::new(&data[..]);
        s.limit_between_marks(CHUNK as u64);
        let mut sink = Vec::new();
        assert!(s.read_until(b'!', &mut sink).is_err());
        assert!(s.overflowed());
        assert!(sink.len() <= CHUNK * 2);
    }
}
