//! Fitting text into platform limits: lengths counted in UTF-16 code units (never fewer than
//! characters, so a fitted string is within every way the platforms count), cuts on character
//! boundaries, and a visible "…" where text was cut.

/// The mark left where text was cut.
pub const ELLIPSIS: char = '…';

/// Length as the platforms' JavaScript front ends count it: UTF-16 code units.
pub fn len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `s` cut to at most `max` UTF-16 units, ending in "…" when it was cut. Never splits a
/// character (emoji, combining marks stay whole or go whole).
pub fn truncate(s: &str, max: usize) -> String {
    if len(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - ELLIPSIS.len_utf16();
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        if used + c.len_utf16() > budget {
            break;
        }
        used += c.len_utf16();
        out.push(c);
    }
    out.push(ELLIPSIS);
    out
}

/// `s` with Slack's control characters escaped (`&`, `<`, `>`: the only three Slack asks for),
/// cut so the escaped text fits `max` units. Escapes are never cut in half.
pub fn slack_escape_fit(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let budget = max.saturating_sub(ELLIPSIS.len_utf16());
    let total: usize = s
        .chars()
        .map(|c| slack_escape_char(c).map_or(c.len_utf16(), str::len))
        .sum();
    if total <= max {
        for c in s.chars() {
            push_slack(&mut out, c);
        }
        return out;
    }
    for c in s.chars() {
        let width = slack_escape_char(c).map_or(c.len_utf16(), str::len);
        if used + width > budget {
            break;
        }
        used += width;
        push_slack(&mut out, c);
    }
    out.push(ELLIPSIS);
    out
}

fn slack_escape_char(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        _ => None,
    }
}

fn push_slack(out: &mut String, c: char) {
    match slack_escape_char(c) {
        Some(e) => out.push_str(e),
        None => out.push(c),
    }
}

/// A URL safe to embed in Slack's `<url|label>` or Discord's `[label](url)`: only http(s), and
/// the characters that would end the link percent-encoded. `None` for anything else, so a
/// `javascript:` or malformed link is shown as text instead.
pub fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) || url.len() > 2000 {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '|' => out.push_str("%7C"),
            '>' => out.push_str("%3E"),
            '<' => out.push_str("%3C"),
            ')' => out.push_str("%29"),
            '(' => out.push_str("%28"),
            ' ' => out.push_str("%20"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Text with every line break folded to a space: for titles and headers, which are one line.
pub fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A non-empty value: platforms reject empty field values.
pub fn non_empty(s: &str) -> &str {
    if s.trim().is_empty() { "—" } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_utf16_and_never_splits_a_character() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        // 🚀 is two UTF-16 units: it does not fit in the one unit left before the ellipsis.
        assert_eq!(truncate("a🚀bcdef", 3), "a…");
        assert_eq!(len(&truncate("שלום עולם مرحبا بالعالم", 10)), 10);
        assert_eq!(truncate("x", 0), "");
    }

    #[test]
    fn slack_escaping_is_complete_and_cut_whole() {
        assert_eq!(
            slack_escape_fit("<!channel> & <@U1>", 100),
            "&lt;!channel&gt; &amp; &lt;@U1&gt;"
        );
        let fitted = slack_escape_fit("a<<<<<<<<<<", 10);
        assert!(len(&fitted) <= 10, "{fitted}");
        assert_eq!(fitted, "a&lt;&lt;…");
    }

    #[test]
    fn only_http_urls_are_linked_and_link_breakers_are_encoded() {
        assert_eq!(
            safe_url("https://x.example/a|b>c (d)").as_deref(),
            Some("https://x.example/a%7Cb%3Ec%20%28d%29")
        );
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("ftp://x"), None);
    }

    #[test]
    fn one_line_and_non_empty() {
        assert_eq!(one_line("a\n\nb\r\nc "), "a b c");
        assert_eq!(non_empty("  "), "—");
    }
}
