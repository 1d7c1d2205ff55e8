//! Safe, streaming XML reading shared by the Cobertura and JaCoCo parsers.
//!
//! - Event by event (quick-xml over `BufRead`), never a DOM: memory stays flat on 50 MB reports.
//! - No DTD is ever loaded (quick-xml has no network or file access) and no entity is ever
//!   expanded beyond the five predefined ones and character references: a DOCTYPE that declares
//!   entities is refused outright, so entity-expansion bombs ("billion laughs") fail fast.
//! - Each event is capped at [`MAX_EVENT`] bytes and nesting at [`MAX_DEPTH`], so a giant
//!   attribute or pathological nesting is an error, not an allocation.
//! - Errors carry the line and column where the offending markup starts; a file that ends with
//!   elements still open is reported as truncated.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::input::{malformed, read_error};
use super::source::Source;
use crate::report::{Position, ReportError};

/// Longest accepted single piece of markup or text.
pub const MAX_EVENT: u64 = 4 * 1024 * 1024;
/// Deepest accepted element nesting (real reports nest under 20 deep).
pub const MAX_DEPTH: u32 = 1000;

/// The report name and the position of the event just read, for error messages.
#[derive(Debug, Clone, Copy)]
pub struct Here<'n> {
    pub name: &'n str,
    pub at: Position,
}

impl Here<'_> {
    pub fn error(self, message: impl Into<String>) -> ReportError {
        malformed(self.name, self.at, message)
    }
}

/// A pull reader of XML events with the safety rules of this module.
pub struct XmlReader<'n, 's, R> {
    reader: Reader<&'s mut Source<R>>,
    buf: Vec<u8>,
    name: &'n str,
    depth: u32,
    root: Option<String>,
    root_closed: bool,
}

impl<'n, 's, R: Read> XmlReader<'n, 's, R> {
    pub fn new(name: &'n str, source: &'s mut Source<R>) -> Self {
        source.track_positions();
        source.limit_between_marks(MAX_EVENT);
        let mut reader = Reader::from_reader(source);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        XmlReader {
            reader,
            buf: Vec::with_capacity(1024),
            name,
            depth: 0,
            root: None,
            root_closed: false,
        }
    }

    /// The next event and where it starts. `Eof` comes only after the root element was closed.
    pub fn next(&mut self) -> Result<(Event<'_>, Here<'n>), ReportError> {
        {
            // Whitespace between markup carries nothing for these formats; skipping it here
            // saves an event per element and makes the mark point at the markup itself.
            let source = self.reader.get_mut();
            if let Err(e) = source.skip_whitespace() {
                let at = source.mark();
                return Err(xml_error(
                    self.name,
                    Here {
                        name: self.name,
                        at,
                    },
                    e.into(),
                    &self.reader,
                ));
            }
            let here = Here {
                name: self.name,
                at: source.mark(),
            };
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event,
                Err(err) => return Err(xml_error(self.name, here, err, &self.reader)),
            };
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    if self.root_closed {
                        return Err(here.error(format!(
                            "unexpected `<{}>` after the root element was closed",
                            e.name().0
                        )));
                    }
                    if self.root.is_none() {
                        self.root = Some(e.name().0.to_owned());
                    }
                    if matches!(event, Event::Start(_)) {
                        self.depth += 1;
                        if self.depth > MAX_DEPTH {
                            return Err(here
                                .error(format!("elements are nested more than {MAX_DEPTH} deep")));
                        }
                    } else if self.depth == 0 {
                        self.root_closed = true;
                    }
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    self.root_closed = self.depth == 0;
                }
                Event::Text(t)
                    if (self.root.is_none() || self.root_closed) && !t.trim().is_empty() =>
                {
                    return Err(here.error("text outside the root element; expected XML markup"));
                }
                Event::DocType(doctype) if doctype.contains("<!ENTITY") => {
                    return Err(here.error(
                        "the DOCTYPE declares entities; entity declarations are refused (a \
                         coverage report never needs them, and they allow entity-expansion \
                         attacks)",
                    ));
                }
                Event::GeneralRef(r) => {
                    let known = r.is_char_ref()
                        || quick_xml::escape::resolve_predefined_entity(r).is_some();
                    if !known {
                        return Err(here.error(format!(
                            "reference to the undefined entity `&{};`; only the predefined \
                             XML entities are accepted",
                            &**r
                        )));
                    }
                }
                Event::Eof => {
                    if self.depth > 0 {
                        return Err(here.error(format!(
                            "the file ends inside `<{}>`; expected its closing tag (is the file truncated?)",
                            self.root.as_deref().unwrap_or_default()
                        )));
                    }
                    if self.root.is_none() {
                        return Err(here.error("no XML element found; expected a coverage report"));
                    }
                }
                _ => {}
            }
            Ok((event, here))
        }
    }
}

impl<'n, R: Read> XmlReader<'n, '_, R> {
    /// The fast path for the one element a report holds hundreds of thousands of: when the
    /// next markup is an empty element `<name …/>` wholly inside the buffered bytes, with no `<`
    /// in it, `read` gets its attribute text (after the name, before `/>`) and where it starts.
    /// When `read` returns `Some`, the element is consumed; when it returns `None` (attributes
    /// it does not take on), or the markup is anything else, nothing is consumed and
    /// [`XmlReader::next`] reads it as usual. An empty element changes no nesting depth, and
    /// quick-xml keeps no bytes of its own between events, so skipping it here is safe.
    pub fn next_empty<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&str, Here<'n>) -> Result<Option<T>, ReportError>,
    ) -> Result<Option<T>, ReportError> {
        let source = self.reader.get_mut();
        if source.skip_whitespace().is_err() {
            return Ok(None); // `next` reports it
        }
        let here = Here {
            name: self.name,
            at: source.mark(),
        };
        let buffered = source.buffered();
        let Some(rest) = buffered
            .strip_prefix(b"<")
            .and_then(|b| b.strip_prefix(name.as_bytes()))
            .filter(|b| b.first().is_some_and(u8::is_ascii_whitespace))
        else {
            return Ok(None);
        };
        let Some(end) = memchr::memchr(b'>', rest) else {
            return Ok(None);
        };
        let Some(inner) = rest[..end].strip_suffix(b"/") else {
            return Ok(None);
        };
        if memchr::memchr(b'<', inner).is_some() {
            return Ok(None);
        }
        let Ok(text) = std::str::from_utf8(inner) else {
            return Ok(None);
        };
        let used = 1 + name.len() + end + 1;
        let value = read(text, here)?;
        if value.is_some() {
            source.consume(used);
        }
        Ok(value)
    }
}

/// One tag of the markup [`XmlReader::scan_until`] reads: the element name (ASCII) and its
/// attribute text (not yet checked: see [`Take`]; entities not resolved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag<'a> {
    Start(&'a [u8], &'a [u8]),
    Empty(&'a [u8], &'a [u8]),
    End(&'a [u8]),
}

/// What the reader of a [`Tag`] made of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Taken, and its attributes read with [`plain_attributes`] (so they are UTF-8 and
    /// well-formed).
    Checked,
    /// Taken without reading its attributes; [`XmlReader::scan_until`] checks only that they
    /// are UTF-8 and their quotes are closed, as quick-xml does for attributes nobody reads.
    Unchecked,
    /// Not for the fast path: the body is read event by event instead.
    Refused,
}

/// Deepest nesting [`XmlReader::scan_until`] takes on.
const SCAN_DEPTH: usize = 8;

impl<'n, R: Read> XmlReader<'n, '_, R> {
    /// The fast path for the body of an element (a Cobertura `<class>`): when the markup up to
    /// the element's end tag `</end>` is all in the buffered bytes and is nothing but whitespace
    /// and balanced elements (no text, comments, CDATA, processing instructions, `<` or quote
    /// tricks), `tag` is shown each tag in order and, if it takes them all (none
    /// [`Take::Refused`]), the body is consumed and `true` returned; the end tag itself is left
    /// for [`XmlReader::next`]. Otherwise nothing is consumed and `false` returned: the caller
    /// undoes what `tag` did and reads the body event by event, which also reports any error at
    /// its position. Nesting is balanced inside the body, so the reader's depth and quick-xml's
    /// element stack stay right.
    pub fn scan_until(&mut self, end: &str, mut tag: impl FnMut(Tag<'_>) -> Take) -> bool {
        let source = self.reader.get_mut();
        let b = source.buffered();
        let mut open: [&[u8]; SCAN_DEPTH] = [b""; SCAN_DEPTH];
        let mut depth = 0;
        let mut i = 0;
        loop {
            // Between tags: whitespace only (checked without an early exit, which vectorizes;
            // indentation is a third of a pretty-printed report).
            let Some(at) = memchr::memchr(b'<', &b[i..]) else {
                return false;
            };
            if !b[i..i + at].iter().fold(true, |ok, &c| {
                ok & matches!(c, b' ' | b'\t' | b'\n' | b'\r')
            }) {
                return false;
            }
            let start = i + at;
            // The tag runs to the first `>`, and holds no other `<`.
            let len = match memchr::memchr2(b'<', b'>', &b[start + 1..]) {
                Some(len) if b[start + 1 + len] == b'>' => len,
                _ => return false,
            };
            let inner = &b[start + 1..start + 1 + len];
            i = start + len + 2;
            if let Some(name) = inner.strip_prefix(b"/") {
                if depth == 0 {
                    if name != end.as_bytes() {
                        return false;
                    }
                    source.consume(start);
                    return true;
                }
                if open[depth - 1] != name {
                    return false;
                }
                depth -= 1;
                if tag(Tag::End(name)) == Take::Refused {
                    return false;
                }
                continue;
            }
            let (inner, empty) = match inner.strip_suffix(b"/") {
                Some(inner) => (inner, true),
                None => (inner, false),
            };
            let name_end = inner
                .iter()
                .position(|c| c.is_ascii_whitespace())
                .unwrap_or(inner.len());
            let name_ok = inner.first().is_some_and(u8::is_ascii_alphabetic)
                && inner[..name_end]
                    .iter()
                    .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'));
            if !name_ok || (!empty && depth == SCAN_DEPTH) {
                return false;
            }
            let (name, attrs) = inner.split_at(name_end);
            let taken = tag(if empty {
                Tag::Empty(name, attrs)
            } else {
                Tag::Start(name, attrs)
            });
            // Attributes nobody reads are not checked by quick-xml either; what matters is that
            // they are text and the `>` found is not inside a quoted value.
            match taken {
                Take::Refused => return false,
                Take::Unchecked
                    if !(attrs.is_ascii() || std::str::from_utf8(attrs).is_ok())
                        || !quotes_closed(attrs) =>
                {
                    return false;
                }
                Take::Checked | Take::Unchecked => {}
            }
            if !empty {
                open[depth] = &inner[..name_end];
                depth += 1;
            }
        }
    }
}

/// Whether every `"…"` and `'…'` in `attrs` is closed, as quick-xml pairs them when it looks for
/// the end of a tag. Without `'` that is an even number of `"`, counted without an early exit
/// (which vectorizes).
fn quotes_closed(attrs: &[u8]) -> bool {
    let (double, single) = attrs.iter().fold((0u32, 0u32), |(d, s), &c| {
        (d + u32::from(c == b'"'), s + u32::from(c == b'\''))
    });
    if single == 0 {
        return double % 2 == 0;
    }
    let mut open = 0u8;
    for &c in attrs {
        if open == 0 {
            if c == b'"' || c == b'\'' {
                open = c;
            }
        } else if c == open {
            open = 0;
        }
    }
    open == 0
}

fn xml_error<R: Read>(
    name: &str,
    here: Here<'_>,
    err: quick_xml::Error,
    reader: &Reader<&mut Source<R>>,
) -> ReportError {
    match err {
        quick_xml::Error::Io(_) if reader.get_ref().overflowed() => here.error(format!(
            "a single XML tag or text is longer than {} MiB; this is not a coverage report",
            MAX_EVENT / (1024 * 1024)
        )),
        quick_xml::Error::Io(io) => read_error(name, io::Error::new(io.kind(), io.to_string())),
        quick_xml::Error::Encoding(_) => here
            .error("invalid UTF-8; expected a UTF-8 encoded XML report (is this a binary file?)"),
        other => here.error(format!("malformed XML: {other}")),
    }
}

/// The values of `keys` on element `e` (absent ones are `None`), with predefined entities and
/// character references resolved. Unknown entities and malformed attributes are errors.
pub fn attributes<'a, const N: usize>(
    e: &'a BytesStart<'_>,
    keys: [&str; N],
    here: Here<'_>,
) -> Result<[Option<Cow<'a, str>>; N], ReportError> {
    if let Some(out) = plain_attributes(e.attributes_raw(), &keys) {
        return Ok(out);
    }
    let mut out = [const { None }; N];
    // quick-xml's own duplicate check allocates per element; only the attributes read here
    // matter, and those are checked below.
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| {
            here.error(format!("malformed attribute in `<{}>`: {err}", e.name().0))
        })?;
        if let Some(i) = keys.iter().position(|k| *k == attr.key.0) {
            if out[i].is_some() {
                return Err(here.error(format!(
                    "attribute `{}` appears twice in `<{}>`",
                    keys[i],
                    e.name().0
                )));
            }
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| {
                    here.error(format!(
                        "attribute `{}` of `<{}>`: {err}",
                        keys[i],
                        e.name().0
                    ))
                })?;
            out[i] = Some(value);
        }
    }
    Ok(out)
}

/// The fast path of [`attributes`] for the shape nearly every attribute list has: `key="value"`
/// pairs separated by whitespace, with plain names, and wanted values that hold nothing to
/// resolve or normalize (no `&`, `<`, tab or line break). Anything else is
/// `None`, and the general path decides, with its error messages. On a 50 MB Cobertura report
/// (400 thousand `<line>` elements) this was a quarter of the parse.
pub fn plain_attributes<'a, const N: usize>(
    text: &'a str,
    keys: &[&str; N],
) -> Option<[Option<Cow<'a, str>>; N]> {
    plain_attributes_by(text, |key| {
        // First byte and length before the whole key: most comparisons end there.
        keys.iter()
            .map(|k| k.as_bytes())
            .position(|k| k.len() == key.len() && k[0] == key[0] && k == key)
    })
}

/// [`plain_attributes`] with the keys' places given by `index` (a `match` on literal keys
/// compares faster than a search of a list).
pub fn plain_attributes_by<'a, const N: usize>(
    text: &'a str,
    index: impl Fn(&[u8]) -> Option<usize>,
) -> Option<[Option<Cow<'a, str>>; N]> {
    let raw = text.as_bytes();
    let mut out = [const { None }; N];
    let mut i = 0;
    let n = raw.len();
    loop {
        while i < n && raw[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == n {
            return Some(out);
        }
        let key_start = i;
        while i < n
            && (raw[i].is_ascii_alphanumeric() || matches!(raw[i], b'-' | b'_' | b':' | b'.'))
        {
            i += 1;
        }
        if i == key_start || i + 1 >= n || raw[i] != b'=' {
            return None;
        }
        let key = &raw[key_start..i];
        let quote = raw[i + 1];
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let start = i + 2;
        let len = raw.get(start..)?.iter().position(|&b| b == quote)?;
        let value = &raw[start..start + len];
        i = start + len + 1;
        if i < n && !raw[i].is_ascii_whitespace() {
            return None;
        }
        if let Some(k) = index(key).filter(|&k| k < N) {
            if out[k].is_some()
                || value
                    .iter()
                    .any(|&b| matches!(b, b'&' | b'<' | b'\t' | b'\n' | b'\r'))
            {
                return None;
            }
            // Every delimiter is ASCII, so these are character boundaries.
            out[k] = Some(Cow::Borrowed(&text[start..start + len]));
        }
    }
}

/// A required non-negative integer attribute.
pub fn required_number(
    value: Option<&str>,
    element: &str,
    key: &str,
    here: Here<'_>,
) -> Result<u64, ReportError> {
    match value {
        Some(v) => number(v, element, key, here),
        None => Err(here.error(format!("`<{element}>` has no `{key}` attribute"))),
    }
}

/// A non-negative integer attribute value.
pub fn number(value: &str, element: &str, key: &str, here: Here<'_>) -> Result<u64, ReportError> {
    let digits = value.trim().as_bytes();
    let parsed = (!digits.is_empty())
        .then(|| {
            digits.iter().try_fold(0u64, |n, &b| {
                let d = b.checked_sub(b'0').filter(|d| *d <= 9)?;
                n.checked_mul(10)?.checked_add(u64::from(d))
            })
        })
        .flatten();
    if let Some(n) = parsed {
        return Ok(n);
    }
    Err(here.error(format!(
        "expected a non-negative integer in `{key}` of `<{element}>`, found `{}`",
        super::input::excerpt(value)
    )))
}

/// An optional non-negative integer attribute that the figures do not depend on alone: absent is
/// `None`; a value that is not a whole number (`NaN`, `1.0`, as MATLAB's and some Swift
/// exporters write) is `None` too, with a warning naming the file and line and saying what is
/// done `instead`, so the caller recounts the figure from the records.
pub fn tolerant_number(
    value: Option<&str>,
    element: &str,
    key: &str,
    here: Here<'_>,
    warnings: &mut Vec<String>,
    instead: &str,
) -> Option<u64> {
    let value = value?;
    match number(value, element, key, here) {
        Ok(n) => Some(n),
        Err(_) => {
            warnings.push(
                here.error(format!(
                    "`{key}` of `<{element}>` is `{}`, not a whole number; {instead}",
                    super::input::excerpt(value)
                ))
                .to_string(),
            );
            None
        }
    }
}

#[cfg(test)]
#[path = "xml_tests.rs"]
mod tests;
