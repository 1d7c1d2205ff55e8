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

#[cfg(test)]
mod tests {
    use super::truncate;

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
