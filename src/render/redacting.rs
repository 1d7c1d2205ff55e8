//! A `serde_json` formatter that passes every string (keys and values) through the run's
//! [`Redactor`] while it is written.
//!
//! Redacting the finished JSON text instead would have to know each secret in its JSON-escaped
//! form and could, for a secret that ends in a backslash, cut an escape in half and break the
//! document. Here each string is collected decoded, redacted, and escaped again, so the output is
//! always valid JSON and a result is still streamed straight into its file.

use std::io::{self, Write};

use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};

use crate::secret::Redactor;

/// Pretty-printing, with every string redacted.
pub struct RedactingFormatter<'r> {
    inner: PrettyFormatter<'static>,
    redactor: &'r Redactor,
    /// The string being written (between `begin_string` and `end_string`), decoded.
    string: Option<Vec<u8>>,
}

impl<'r> RedactingFormatter<'r> {
    pub fn new(redactor: &'r Redactor) -> Self {
        RedactingFormatter {
            inner: PrettyFormatter::new(),
            redactor,
            string: None,
        }
    }
}

/// The character a JSON escape stands for.
fn unescaped(escape: CharEscape) -> u8 {
    match escape {
        CharEscape::Quote => b'"',
        CharEscape::ReverseSolidus => b'\\',
        CharEscape::Solidus => b'/',
        CharEscape::Backspace => 0x08,
        CharEscape::FormFeed => 0x0c,
        CharEscape::LineFeed => b'\n',
        CharEscape::CarriageReturn => b'\r',
        CharEscape::Tab => b'\t',
        CharEscape::AsciiControl(byte) => byte,
    }
}

/// Numbers and booleans go into the open string when there is one (a map key such as `42` is
/// written as `begin_string`, the number, `end_string`), else to the writer.
macro_rules! scalar {
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        fn $name<W: ?Sized + Write>(&mut self, writer: &mut W, value: $ty) -> io::Result<()> {
            match &mut self.string {
                Some(buf) => self.inner.$name(buf, value),
                None => self.inner.$name(writer, value),
            }
        }
    )*};
}

/// Structure goes to the pretty printer, which keeps the indentation.
macro_rules! structure {
    ($($name:ident),* $(,)?) => {$(
        fn $name<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
            self.inner.$name(writer)
        }
    )*};
}

impl Formatter for RedactingFormatter<'_> {
    scalar!(
        write_bool: bool, write_i8: i8, write_i16: i16, write_i32: i32, write_i64: i64,
        write_i128: i128, write_u8: u8, write_u16: u16, write_u32: u32, write_u64: u64,
        write_u128: u128, write_f32: f32, write_f64: f64,
    );
    structure!(
        begin_array,
        end_array,
        end_array_value,
        begin_object,
        end_object,
        end_object_key,
        begin_object_value,
        end_object_value,
    );

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_array_value(writer, first)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_object_key(writer, first)
    }

    fn begin_string<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.string = Some(Vec::new());
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        match &mut self.string {
            Some(buf) => buf.extend_from_slice(fragment.as_bytes()),
            None => writer.write_all(fragment.as_bytes())?,
        }
        Ok(())
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        match &mut self.string {
            Some(buf) => {
                buf.push(unescaped(escape));
                Ok(())
            }
            None => self.inner.write_char_escape(writer, escape),
        }
    }

    fn end_string<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let bytes = self.string.take().unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let redacted = self.redactor.redact_cow(&text);
        serde_json::to_writer(writer, redacted.as_ref()).map_err(io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    fn pretty<T: Serialize>(value: &T, redactor: &Redactor) -> String {
        let mut out = Vec::new();
        let mut ser =
            serde_json::Serializer::with_formatter(&mut out, RedactingFormatter::new(redactor));
        value.serialize(&mut ser).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn without_secrets_it_is_serde_json_pretty() {
        let value =
            serde_json::json!({"a": [1, 2.5, true, null], "b": {"c": "x\ty\"z\u{1}"}, "e": []});
        assert_eq!(
            pretty(&value, &Redactor::new()),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }

    #[test]
    fn strings_keys_and_escaped_secrets_are_redacted() {
        let secret = "tab\there\"quote\\back-SECRET";
        let mut r = Redactor::new();
        r.add(secret);
        let mut map = BTreeMap::new();
        map.insert(secret.to_owned(), format!("before {secret} after"));
        let out = pretty(&map, &r);
        assert!(!out.contains("SECRET"), "{out}");
        let back: BTreeMap<String, String> = serde_json::from_str(&out).unwrap();
        assert_eq!(
            back.get("***").map(String::as_str),
            Some("before *** after")
        );
    }

    #[test]
    fn number_keys_stay_inside_their_quotes() {
        let mut map = BTreeMap::new();
        map.insert(42u32, "v");
        let out = pretty(&map, &Redactor::new());
        assert_eq!(out, "{\n  \"42\": \"v\"\n}");
    }
}
