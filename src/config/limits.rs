//! What a config file must be before the YAML parser sees it, and the one check serde's
//! derived maps cannot make.
//!
//! - [`prescan`]: size, nesting depth and node count, in one linear pass over the text.
//!   libyaml's scanner costs time quadratic in the nesting depth (20,000 nested `[` took 8 s):
//!   a file nested deeper than [`MAX_DEPTH`] levels is refused at the line and column where it
//!   goes too deep, before the parser runs. The pass tracks block indentation, `- ` sequence
//!   entries, flow brackets, quoted scalars, comments and block scalars well enough to measure
//!   depth; it never accepts what the parser would refuse, it only refuses early.
//! - [`no_duplicate_keys`]: YAML 1.2 requires the keys of a mapping to be unique, but a map
//!   deserialized by serde silently keeps the last of two equal keys — a second `tests:` gate
//!   would replace the first. Every mapping at every level is checked, with the line of the
//!   repeated key.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A config file larger than this is refused: real ones are a few kilobytes.
pub const MAX_BYTES: usize = 4 << 20;
/// Nesting deeper than this is refused: the deepest real config nests about ten levels.
pub const MAX_DEPTH: usize = 64;
/// More nodes (scalars and collections, roughly) than this are refused.
pub const MAX_NODES: usize = 1_000_000;

/// A limit the text breaks, with its 1-based line and column.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Checks size, depth and node count in one pass over `text`.
pub fn prescan(text: &str) -> Result<(), Refused> {
    if text.len() > MAX_BYTES {
        return Err(Refused {
            line: 1,
            column: 1,
            message: format!(
                "the file is {} bytes; a config file may have at most {MAX_BYTES}",
                text.len()
            ),
        });
    }
    let mut scan = Scan::default();
    for (i, line) in text.split('\n').enumerate() {
        scan.line(line).map_err(|(column, message)| Refused {
            line: i + 1,
            column,
            message,
        })?;
    }
    Ok(())
}

/// The state carried from line to line.
#[derive(Default)]
struct Scan {
    /// Indentation of each open block level.
    indents: Vec<usize>,
    /// Open `[` / `{`.
    flow: usize,
    /// Inside a quoted scalar that continues on the next line.
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`) opened on a line with this indentation.
    block_scalar: Option<usize>,
    nodes: usize,
}

type Problem = (usize, String);

impl Scan {
    fn line(&mut self, line: &str) -> Result<(), Problem> {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|b| **b == b' ').count();
        let rest = &bytes[indent..];
        if let Some(parent) = self.block_scalar {
            if rest.is_empty() || indent > parent {
                return Ok(());
            }
            self.block_scalar = None;
        }
        let mut at = 0;
        if self.quote.is_none() && self.flow == 0 {
            if rest.is_empty() || rest[0] == b'#' || rest[0] == b'\r' {
                return Ok(());
            }
            while self.indents.last().is_some_and(|&top| top > indent) {
                self.indents.pop();
            }
            if self.indents.last().is_none_or(|&top| top < indent) {
                self.indents.push(indent);
                self.depth_ok(self.indents.len(), indent + 1)?;
            }
            // `- - - x` nests a sequence per dash.
            let mut dashes = 0;
            while rest.get(at) == Some(&b'-') && matches!(rest.get(at + 1), None | Some(b' ')) {
                dashes += 1;
                at += 2;
                self.depth_ok(self.indents.len() + dashes, indent + at)?;
            }
            self.node(indent + at)?;
        }
        self.tokens(&rest[at.min(rest.len())..], indent + at, indent)
    }

    /// Scans the rest of a line from byte `from` (column `col0` + 1 is its first byte).
    fn tokens(&mut self, rest: &[u8], col0: usize, indent: usize) -> Result<(), Problem> {
        let mut value_start = true;
        let mut i = 0;
        while i < rest.len() {
            let b = rest[i];
            let column = col0 + i + 1;
            if let Some(q) = self.quote {
                if b == b'\\' && q == b'"' {
                    i += 2;
                    continue;
                }
                if b == q {
                    self.quote = None;
                }
                i += 1;
                continue;
            }
            match b {
                b'#' if i == 0 || rest[i - 1] == b' ' || rest[i - 1] == b'\t' => return Ok(()),
                b'"' | b'\'' if value_start || self.flow > 0 => self.quote = Some(b),
                b'[' | b'{' if value_start || self.flow > 0 => {
                    self.flow += 1;
                    self.depth_ok(self.indents.len() + self.flow, column)?;
                    self.node(column)?;
                }
                b']' | b'}' if self.flow > 0 => self.flow -= 1,
                b',' if self.flow > 0 => self.node(column)?,
                b'|' | b'>' if value_start && self.flow == 0 => {
                    self.block_scalar = Some(indent);
                    return Ok(());
                }
                b':' if matches!(rest.get(i + 1), None | Some(b' ')) => {
                    value_start = true;
                    i += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            value_start = false;
            i += 1;
        }
        Ok(())
    }

    fn depth_ok(&self, depth: usize, column: usize) -> Result<(), Problem> {
        if depth > MAX_DEPTH {
            return Err((
                column,
                format!(
                    "nested deeper than {MAX_DEPTH} levels; a config file needs far fewer (is this the right file?)"
                ),
            ));
        }
        Ok(())
    }

    fn node(&mut self, column: usize) -> Result<(), Problem> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err((
                column,
                format!("more than {MAX_NODES} values; a config file needs far fewer"),
            ));
        }
        Ok(())
    }
}

/// Deserializes any YAML document, failing on the first mapping with a repeated key; the key
/// is left in `repeated` (the parser's error points at the start of the mapping, not at the
/// key: [`repeated_key_at`] finds it).
pub fn no_duplicate_keys<'de, D: Deserializer<'de>>(
    d: D,
    repeated: &RefCell<Option<String>>,
) -> Result<(), D::Error> {
    Unique(repeated).deserialize(d)
}

/// Where the second `key` of the mapping that starts at `line`, `column` is written: in a
/// block mapping, the lines at the mapping's indentation; in a flow mapping (`{`), that line.
/// `None` when it cannot be told (a key written with escapes, a flow mapping over lines).
pub fn repeated_key_at(
    text: &str,
    line: usize,
    column: usize,
    key: &str,
) -> Option<(usize, usize)> {
    let forms = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    let is_key = |rest: &str| forms.iter().any(|f| rest.starts_with(f.as_str()));
    let mut lines = text.lines().enumerate().skip(line.checked_sub(1)?);
    let (_, first) = lines.next()?;
    let start = first.char_indices().nth(column.checked_sub(1)?)?.0;
    if first[start..].starts_with('{') {
        let mut seen = 0;
        let mut expect_key = true;
        for (at, c) in first[start + 1..].char_indices() {
            let at = start + 1 + at;
            if expect_key && !c.is_whitespace() {
                if is_key(&first[at..]) {
                    seen += 1;
                    if seen == 2 {
                        return Some((line, first[..at].chars().count() + 1));
                    }
                }
                expect_key = false;
            }
            if c == ',' {
                expect_key = true;
            }
        }
        return None;
    }
    let indent = column - 1;
    for (i, l) in lines {
        let spaces = l.len() - l.trim_start_matches(' ').len();
        let rest = &l[spaces..];
        if rest.is_empty() || rest.starts_with('#') || spaces > indent {
            continue;
        }
        if spaces < indent {
            return None;
        }
        if is_key(rest) {
            return Some((i + 1, column));
        }
    }
    None
}

/// Any value, checked for repeated keys.
#[derive(Clone, Copy)]
struct Unique<'a>(&'a RefCell<Option<String>>);

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!tag x`): its content is checked like any other.
        let (_, variant): (Key, _) = data.variant()?;
        de::VariantAccess::newtype_variant_seed(variant, self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key_seed(KeySeed(self))? {
            if let Key::Scalar(k) = key
                && !seen.insert(k.clone())
            {
                let message = format!(
                    "duplicate key `{}`: YAML keys must be unique (a later one would silently replace the first); remove or rename one",
                    crate::config::cap(&k)
                );
                *self.0.borrow_mut() = Some(k);
                return Err(de::Error::custom(message));
            }
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}

/// A mapping key: a scalar's text, or a collection (never equal to another key here).
enum Key {
    Scalar(String),
    Complex,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let unused = RefCell::new(None);
        d.deserialize_any(KeyVisitor(Unique(&unused)))
    }
}

/// A key, whose collections are checked too.
struct KeySeed<'a>(Unique<'a>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_any(KeyVisitor(self.0))
    }
}

struct KeyVisitor<'a>(Unique<'a>);

impl<'de> Visitor<'de> for KeyVisitor<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
        Ok(Key::Scalar(v.to_owned()))
    }
    fn visit_unit<E>(self) -> Result<Key, E> {
        Ok(Key::Scalar("null".into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Key, A::Error> {
        self.0.visit_seq(seq).map(|()| Key::Complex)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Key, A::Error> {
        self.0.visit_map(map).map(|()| Key::Complex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> Option<(usize, usize)> {
        prescan(text).err().map(|r| (r.line, r.column))
    }

    #[test]
    fn deep_flow_and_block_nesting_is_refused_where_it_goes_too_deep() {
        let flow = format!("a:\n  b: {}{}\n", "[".repeat(100), "]".repeat(100));
        // Two block levels, then the 63rd `[` (column 5 + 63) is the 65th level.
        assert_eq!(refused(&flow), Some((2, 68)));
        let dashes = format!("{}x\n", "- ".repeat(100));
        assert_eq!(refused(&dashes).map(|p| p.0), Some(1));
        let block: String = (0..100)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert_eq!(refused(&block), Some((MAX_DEPTH + 1, MAX_DEPTH + 1)));
    }

    #[test]
    fn ordinary_configs_pass_and_brackets_in_text_do_not_count() {
        let text = "checks:\n  - name: api # [not a flow\n    url: \"https://x/[[[[\"\n    assert:\n      - jsonpath: {path: $.items[*], equals: ok}\n      - body: |\n          {{{{{{{{{{{{\n          [[[[[[[[[[[[\n    note: '[[[ '' ]]'\n";
        assert_eq!(prescan(&text.repeat(50)), Ok(()));
        assert_eq!(
            prescan(&format!("a: {}{}", "[".repeat(40), "]".repeat(40))),
            Ok(())
        );
    }

    #[test]
    fn duplicate_keys_are_found_at_any_level() {
        let dup = |text: &str| {
            let repeated = RefCell::new(None);
            no_duplicate_keys(serde_norway::Deserializer::from_str(text), &repeated).map_err(|e| {
                let at = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((0, 0));
                let key = repeated.borrow().clone().unwrap_or_default();
                (e.to_string(), repeated_key_at(text, at.0, at.1, &key))
            })
        };
        assert!(dup("a: 1\nb: {c: 1, d: 2}\n").is_ok());
        let (e, at) =
            dup("a: 1\nb:\n  c: 1\n  # c: 3\n  d: {c: 1}\n  e:\n    c: 1\n  c: 2\n").unwrap_err();
        assert!(e.contains("duplicate key `c`"), "{e}");
        assert_eq!(at, Some((8, 3)), "{e}");
        let (_, at) = dup("x: 1\ny: {\"k\": 1, 'k': 2}\n").unwrap_err();
        assert_eq!(at, Some((2, 13)));
        let (_, at) = dup("- a: 1\n  b: 2\n  a: 3\n").unwrap_err();
        assert_eq!(at, Some((3, 3)));
        assert!(dup("- {x: 1, x: 1}\n").is_err());
        assert!(dup("a: [1, 1]\n").is_ok(), "repeated values are fine");
    }
}
