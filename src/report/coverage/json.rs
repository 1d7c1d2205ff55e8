//! Streaming JSON reading shared by the llvm-cov, coverage.py and istanbul parsers.
//!
//! Parsers drive `serde_json` with visitors that keep only what the model needs and turn each
//! file entry into a [`super::FileCoverage`] as soon as it is read, so memory follows the model,
//! not the document. serde_json caps nesting at 128 levels, and its errors carry the line and
//! column, which end up in the message.

use std::io::BufRead;

use serde::de::DeserializeSeed;

use super::input::{malformed, read_error};
use super::model::Counter;
use crate::report::{Position, ReportError};

/// Reads one JSON document from `reader` with `seed`, then checks nothing but whitespace follows.
pub fn read<'de, R: BufRead, S: DeserializeSeed<'de>>(
    name: &str,
    reader: R,
    seed: S,
) -> Result<S::Value, ReportError> {
    // serde_json reads byte by byte; `reader` is buffered (a `Source`), so that stays cheap.
    let mut de = serde_json::Deserializer::from_reader(reader);
    let value = seed.deserialize(&mut de).map_err(|e| json_error(name, e))?;
    de.end().map_err(|e| json_error(name, e))?;
    Ok(value)
}

fn json_error(name: &str, err: serde_json::Error) -> ReportError {
    use serde_json::error::Category;
    let at = Position::line_column(err.line() as u64, err.column() as u64);
    let text = err.to_string();
    // serde_json appends " at line L column C"; the position is reported separately.
    let message = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    match err.classify() {
        Category::Io => read_error(name, std::io::Error::other(message.to_owned())),
        Category::Eof => malformed(
            name,
            at,
            "the JSON document ends early (is the file truncated?)",
        ),
        Category::Syntax => malformed(name, at, format!("malformed JSON: {message}")),
        Category::Data => malformed(name, at, message.to_owned()),
    }
}

/// A `covered`-of-`total` pair read from a JSON object, checked for consistency.
pub fn counter<E: serde::de::Error>(covered: u64, total: u64, what: &str) -> Result<Counter, E> {
    if covered > total {
        return Err(E::custom(format!(
            "`{what}` says {covered} covered of {total}; covered cannot exceed the total"
        )));
    }
    Ok(Counter::new(covered, total))
}

/// A custom error for a missing required key.
pub fn missing<E: serde::de::Error>(key: &str, expected: &str) -> E {
    E::custom(format!("no `{key}` key; expected {expected}"))
}
