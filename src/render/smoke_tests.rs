//! The terminal list and the job summary of a sample run with hostile text in it.

use super::*;
use crate::render::sample;

const TERMINAL: &str = r#"✅ health  GET https://staging.example.com/healthz  HTTP 200  12.3 ms
❌ api <v1> & "co"  GET https://staging.example.com/api?key=***  HTTP 500  45.1 ms
   ❌ status equals 200
      expected: equals 200
      actual:   500
   ❌ not body contains "error"
      expected: not contains "error"
      actual:   "::error::pwned | <b>x</b> ]]> \u{1b}[31m"
   body: ::error::pwned | <b>x</b> ]]> \u{1b}[31m\u{0}
❌ ready  GET https://staging.example.com/ready  (3 attempts)
   error: cannot connect: tcp connect error: Connection refused (os error 111)
   ⚠ warning: TLS certificate verification is disabled for this check (`insecure`)
1 of 3 checks passed, 2 failed (1 without a response) in 1.23 s; response time p50 12.3 ms, p95 45.1 ms, max 45.1 ms
"#;

#[test]
fn terminal_lists_checks_and_failed_assertions_with_expected_and_actual() {
    assert_eq!(terminal(&sample::report(), false), TERMINAL);
}

#[test]
fn terminal_text_holds_no_control_character_but_its_own_colours() {
    let text = terminal(&sample::report(), true);
    assert!(text.contains("\x1b[31merror:\x1b[0m"), "{text}");
    let without_colours = text
        .replace("\x1b[31m", "")
        .replace("\x1b[32m", "")
        .replace("\x1b[33m", "")
        .replace("\x1b[0m", "");
    assert!(
        !without_colours.chars().any(|c| c.is_control() && c != '\n'),
        "{without_colours:?}"
    );
}

#[test]
fn totals_never_look_like_a_test_runner_closing_line() {
    let line = totals(&sample::report());
    assert!(line.starts_with("1 of 3 checks passed, 2 failed"), "{line}");
}

#[test]
fn summary_table_cannot_be_broken_or_styled_by_untrusted_text() {
    let label = RunLabel {
        environment: Some("staging".into()),
        slot: Some("green".into()),
    };
    let text = markdown(&sample::report(), &label);
    assert!(
        text.starts_with("### ❌ Smoke tests — staging \\(slot green\\)\n\n1 of 3 checks passed")
    );
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 4, "{text}");
    for row in rows {
        let unescaped = row
            .char_indices()
            .filter(|(i, c)| *c == '|' && (*i == 0 || row.as_bytes()[i - 1] != b'\\'))
            .count();
        assert_eq!(unescaped, 6, "{row}");
    }
    assert!(!text.contains("<b>") && !text.contains("]]>"), "{text}");
    assert!(
        text.contains(
            "| ❌ | api \\<v1\\> \\& \\\"co\\\" | status equals 200\\, got 500 | 45.1 ms | 1 |"
        ),
        "{text}"
    );
    assert!(text.contains("#### Failures"), "{text}");
}

#[test]
fn markdown_escape_covers_punctuation_and_line_breaks() {
    assert_eq!(md("a|b\n<img src=x>"), "a\\|b \\<img src\\=x\\>");
    assert_eq!(
        md("[x](http://e) *y* `z`"),
        "\\[x\\]\\(http\\:\\/\\/e\\) \\*y\\* \\`z\\`"
    );
    assert_eq!(md("ok été"), "ok été");
}

#[test]
fn durations_are_short() {
    assert_eq!(ms(Duration::from_micros(12_345)), "12.3 ms");
    assert_eq!(ms(Duration::from_secs(12)), "12000 ms");
}
