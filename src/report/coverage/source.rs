//! The byte source every parser reads from: a buffered reader that fingerprints the input and,
//! for XML, knows the line and column of any point it marks.
//!
//! Hashing happens once per chunk read from the file, not per line or per event, and line
//! counting once per marked event, so both stay a small fraction of parsing time on 50 MB
//! reports. A file ([`Source::read_ahead`]) is read and hashed on a second thread while the
//! parser works on the chunk before: on a 50 MB report that takes the SHA-256 and the copying
//! out of the kernel (a fifth of the time) off the parser's thread.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use crate::report::Position;

pub(super) const CHUNK: usize = 64 * 1024;
/// Chunks the read-ahead thread may be ahead of the parser (bounded memory: 4 × 256 KiB).
const AHEAD: usize = 4;
const AHEAD_CHUNK: usize = 256 * 1024;

/// Where the bytes come from, and who hashes them.
enum Feed<R> {
    /// Read and hashed on the parser's thread.
    Inline { inner: R, hasher: Sha256 },
    /// Read and hashed by a thread of its own; full chunks arrive through a channel and the
    /// parser's spent buffers go back to be refilled.
    Ahead(ReadAhead),
}

struct ReadAhead {
    chunks: Receiver<io::Result<Vec<u8>>>,
    spent: SyncSender<Vec<u8>>,
    worker: Option<JoinHandle<Option<String>>>,
    ended: bool,
}

impl ReadAhead {
    fn start(mut file: File) -> ReadAhead {
        let (tx, chunks) = sync_channel::<io::Result<Vec<u8>>>(AHEAD);
        let (spent, spent_rx) = sync_channel::<Vec<u8>>(AHEAD + 2);
        let worker = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            loop {
                let mut buf = spent_rx.try_recv().unwrap_or_default();
                buf.clear();
                buf.reserve_exact(AHEAD_CHUNK);
                // Full chunks (a short read is not the end), so the first one holds enough for
                // format detection; read into the vector's spare room, which is not zeroed first
                // (that was a tenth of this thread's time).
                if let Err(e) = (&mut file).take(AHEAD_CHUNK as u64).read_to_end(&mut buf) {
                    let _ = tx.send(Err(e));
                    return None;
                }
                hasher.update(&buf);
                let end = buf.is_empty();
                // The parser stopped early (an error): nobody wants the rest.
                if tx.send(Ok(buf)).is_err() || end {
                    break;
                }
            }
            Some(hex(&hasher.finalize()))
        });
        ReadAhead {
            chunks,
            spent,
            worker: Some(worker),
            ended: false,
        }
    }

    /// The next chunk (empty at the end), handing `spent` back for reuse.
    fn next(&mut self, spent: Vec<u8>) -> io::Result<Vec<u8>> {
        if self.ended {
            let mut empty = spent;
            empty.clear();
            return Ok(empty);
        }
        let _ = self.spent.try_send(spent);
        match self.chunks.recv() {
            Ok(Ok(chunk)) => {
                self.ended = chunk.is_empty();
                Ok(chunk)
            }
            Ok(Err(e)) => {
                self.ended = true;
                Err(e)
            }
            Err(_) => {
                self.ended = true;
                Err(io::Error::other("the read-ahead thread stopped"))
            }
        }
    }

    fn digest(&mut self) -> io::Result<String> {
        let worker = self.worker.take();
        worker
            .and_then(|w| w.join().ok().flatten())
            .ok_or_else(|| io::Error::other("the read-ahead thread stopped"))
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A buffered reader over the report bytes; see the module documentation.
pub struct Source<R> {
    feed: Feed<R>,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// Bytes handed to the parser so far.
    consumed: u64,
    /// `buf[..counted]` is already accounted for in `line` and `column`.
    counted: usize,
    line: u64,
    column: u64,
    /// `consumed` at the last [`Source::mark`].
    mark: u64,
    /// Whether lines and columns are counted, for [`Source::mark`]: line-based parsers count
    /// their own lines and need not pay for a second pass over every chunk.
    track: bool,
    /// Most bytes accepted between two marks, when set.
    limit: Option<u64>,
    overflow: bool,
}

impl<R: Read> Source<R> {
    pub fn new(inner: R) -> Self {
        Source::with_feed(Feed::Inline {
            inner,
            hasher: Sha256::new(),
        })
    }

    fn with_feed(feed: Feed<R>) -> Self {
        Source {
            buf: match feed {
                Feed::Inline { .. } => vec![0; CHUNK],
                Feed::Ahead(_) => Vec::new(),
            },
            feed,
            pos: 0,
            len: 0,
            consumed: 0,
            counted: 0,
            line: 1,
            column: 1,
            mark: 0,
            track: false,
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

    /// Whether the whole input is probably in the buffer already: the first read returned less
    /// than a full chunk. (A short read from a pipe can be wrong; that only costs speed.)
    pub fn is_small(&mut self) -> bool {
        let capacity = match self.feed {
            Feed::Inline { .. } => CHUNK,
            Feed::Ahead(_) => AHEAD_CHUNK,
        };
        self.fill_buf().is_ok_and(|b| b.len() < capacity) && self.consumed < capacity as u64
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

    /// Counts lines and columns from here on, for [`Source::mark`]. Call it before the first
    /// chunk is read past.
    pub fn track_positions(&mut self) {
        // Nothing consumed from an earlier chunk goes uncounted (at the end of the input there
        // is nothing left to count).
        debug_assert!(
            self.consumed == self.pos as u64 || self.pos == self.len,
            "called after the first chunk"
        );
        self.track = true;
    }

    /// Marks the current point and returns its 1-based line and column (see
    /// [`Source::track_positions`]).
    pub fn mark(&mut self) -> Position {
        debug_assert!(self.track, "mark() without track_positions()");
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
        match &mut self.feed {
            Feed::Inline { hasher, .. } => Ok(hex(&std::mem::take(hasher).finalize())),
            Feed::Ahead(ahead) => ahead.digest(),
        }
    }

    fn count_to(&mut self, end: usize) {
        let done = &self.buf[self.counted..end];
        // Marked spans hold at most a few newlines: find the last one, and count only before it.
        match memchr::memrchr(b'\n', done) {
            None => self.column += done.len() as u64,
            Some(last) => {
                self.line += 1 + memchr::memchr_iter(b'\n', &done[..last]).count() as u64;
                self.column = (done.len() - last) as u64;
            }
        }
        self.counted = end;
    }
}

impl Source<File> {
    /// A file, read and hashed ahead of the parser on a thread of its own.
    pub fn read_ahead(file: File) -> Self {
        Source::with_feed(Feed::Ahead(ReadAhead::start(file)))
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
            if self.track {
                self.count_to(self.len);
            }
            let n = match &mut self.feed {
                Feed::Inline { inner, hasher } => {
                    let n = loop {
                        match inner.read(&mut self.buf) {
                            Ok(n) => break n,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(e),
                        }
                    };
                    hasher.update(&self.buf[..n]);
                    n
                }
                Feed::Ahead(ahead) => {
                    self.buf = ahead.next(std::mem::take(&mut self.buf))?;
                    self.buf.len()
                }
            };
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
        s.track_positions();
        assert_eq!(s.mark(), Position::line_column(1, 1));
        let mut skip = vec![0u8; CHUNK + 3];
        s.read_exact(&mut skip).unwrap();
        // Consumed: CHUNK-2 'a', two newlines, "xyz" → line 3, column 4.
        assert_eq!(s.mark(), Position::line_column(3, 4));
        s.read_exact(&mut [0u8; 2]).unwrap();
        assert_eq!(s.mark(), Position::line_column(4, 2));
    }

    #[test]
    fn read_ahead_gives_the_same_bytes_hash_and_positions() {
        let mut data = Vec::new();
        for i in 0..40_000 {
            data.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report");
        std::fs::write(&path, &data).unwrap();
        let mut s = Source::read_ahead(File::open(&path).unwrap());
        s.track_positions();
        let mut first = Vec::new();
        s.read_until(b'\n', &mut first).unwrap();
        assert_eq!(first, b"line 0\n");
        let mut skip = vec![0u8; AHEAD_CHUNK + 100];
        s.read_exact(&mut skip).unwrap();
        let at = s.mark();
        let before = &data[..first.len() + skip.len()];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let column = (before.len() - before.iter().rposition(|&b| b == b'\n').unwrap()) as u64;
        assert_eq!(at, Position::line_column(line, column));
        let mut rest = Vec::new();
        s.read_to_end(&mut rest).unwrap();
        assert_eq!(first.len() + skip.len() + rest.len(), data.len());
        assert_eq!(s.finish().unwrap(), hex(&Sha256::digest(&data)));
    }

    #[test]
    fn read_ahead_of_an_empty_file_and_a_partly_read_one() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, b"").unwrap();
        let mut s = Source::read_ahead(File::open(&empty).unwrap());
        assert!(s.fill_buf().unwrap().is_empty());
        assert!(s.fill_buf().unwrap().is_empty());
        assert_eq!(s.finish().unwrap(), hex(&Sha256::digest(b"")));

        let big = dir.path().join("big");
        let data = vec![b'z'; AHEAD_CHUNK * (AHEAD + 3) + 5];
        std::fs::write(&big, &data).unwrap();
        let mut s = Source::read_ahead(File::open(&big).unwrap());
        s.read_exact(&mut [0u8; 10]).unwrap();
        // finish() reads what the parser left: the hash is the whole file's.
        assert_eq!(s.finish().unwrap(), hex(&Sha256::digest(&data)));
        // A parser that gives up early drops the source; the thread ends by itself.
        let mut s = Source::read_ahead(File::open(&big).unwrap());
        s.read_exact(&mut [0u8; 10]).unwrap();
        drop(s);
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
