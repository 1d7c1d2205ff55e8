//! Workflow commands (`::name key=value::data`): escaping and the random tokens that make
//! delimiters and `stop-commands` markers unguessable.
//!
//! Escaping follows the runner (actions/runner `ActionCommand`) and `actions/toolkit`
//! (`command.ts`): in data, `%` → `%25`, `\r` → `%0D`, `\n` → `%0A`; in property values also
//! `:` → `%3A` and `,` → `%2C`. `%` goes first so the escapes themselves are not re-escaped.
//! With newlines escaped, a command can never spill onto a second line, so text inside a
//! command cannot start a command of its own.

use super::RuntimeError;

/// `text` escaped for the data part of a workflow command (after the second `::`).
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// `text` escaped for a property value (`file=`, `title=`, …), where `:` would end the
/// properties and `,` would start the next one.
pub fn escape_property(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// One workflow command line, newline included: `::name k=v,k=v::data\n`. Property values and
/// data are escaped here; `name` and the keys are our own constants.
pub fn format_command(name: &str, properties: &[(&str, &str)], data: &str) -> String {
    let mut out = format!("::{name}");
    for (i, (key, value)) in properties.iter().enumerate() {
        out.push(if i == 0 { ' ' } else { ',' });
        out.push_str(key);
        out.push('=');
        out.push_str(&escape_property(value));
    }
    out.push_str("::");
    out.push_str(&escape_data(data));
    out.push('\n');
    out
}

/// 128 random bits as 32 lowercase hex digits, from the operating system's generator: enough
/// that a hostile value cannot guess a delimiter drawn after it was written.
pub(crate) fn random_hex() -> Result<String, RuntimeError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(RuntimeError::Random)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_first_and_line_breaks() {
        assert_eq!(escape_data("100%\r\nnext %0A"), "100%25%0D%0Anext %250A");
        assert_eq!(escape_data("a: b, c"), "a: b, c");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("C:\\src\\a,b.rs\n%"),
            "C%3A\\src\\a%2Cb.rs%0A%25"
        );
    }

    #[test]
    fn command_never_spans_two_lines() {
        let line = format_command(
            "error",
            &[("file", "a\nb"), ("title", "x::y")],
            "m\n::set-output",
        );
        assert_eq!(
            line,
            "::error file=a%0Ab,title=x%3A%3Ay::m%0A::set-output\n"
        );
        assert_eq!(line.matches('\n').count(), 1);
    }

    #[test]
    fn command_without_properties() {
        assert_eq!(format_command("endgroup", &[], ""), "::endgroup::\n");
    }

    #[test]
    fn random_hex_is_32_hex_digits_and_varies() {
        let a = random_hex().unwrap();
        let b = random_hex().unwrap();
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
    }
}
