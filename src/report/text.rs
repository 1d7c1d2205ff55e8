//! Small text helpers shared by the report readers.

/// `s` cut to at most `max` bytes on a character boundary, with `…` appended when anything was
/// cut. Messages and titles from reports can be megabytes long (a failure with a whole log in
/// it); the renderers only ever show the start.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// How much of an offending value an error message quotes.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// `s` made safe to quote in an error: at most [`EXCERPT_CHARS`] characters, control
/// characters shown as `?`, and when cut, how long the whole was. An error message must never
/// carry a whole hostile input (a 100 MB attribute, a megabyte of one line).
pub(crate) fn excerpt(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(EXCERPT_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if s.chars().nth(EXCERPT_CHARS).is_some() {
        out.push_str(&format!("… ({} bytes in all)", s.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{excerpt, truncate};

    #[test]
    fn excerpts_are_capped_printable_and_say_how_long_the_whole_was() {
        assert_eq!(excerpt("a\tb"), "a?b");
        let long = "é".repeat(1000);
        let e = excerpt(&long);
        assert!(e.starts_with(&"é".repeat(200)), "{e}");
        assert!(e.ends_with("… (2000 bytes in all)"), "{e}");
    }

    #[test]
    fn cuts_on_a_character_boundary_and_marks_the_cut() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly", 7), "exactly");
        assert_eq!(truncate("abcdef", 3), "abc…");
        // "é" is two bytes: a cut inside it backs off to the boundary before it.
        assert_eq!(truncate("aéb", 2), "a…");
        assert_eq!(truncate("ééé", 3), "é…");
        assert_eq!(truncate("é", 0), "…");
    }
}
