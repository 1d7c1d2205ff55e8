//! Unit tests of the redactor: the forms it knows and how it replaces them.

use super::*;

#[test]
fn secret_debug_and_display_are_redacted() {
    let s = Secret::new("hunter2-very-secret");
    assert_eq!(format!("{s}"), "***");
    assert_eq!(format!("{s:?}"), "Secret(***)");
    assert_eq!(s.expose(), "hunter2-very-secret");
}

#[test]
fn slack_url_token_and_encoded_forms_are_redacted() {
    let url = "https://hooks.slack.com/services/T-MARKER01/B-MARKER02/marker-SECRET-token123";
    let mut r = Redactor::new();
    r.add(url);
    let text = format!(
        "error sending to {url}; token marker-SECRET-token123; encoded {}",
        "https%3A%2F%2Fhooks.slack.com%2Fservices%2FT-MARKER01%2FB-MARKER02%2Fmarker-SECRET-token123"
    );
    let out = r.redact(&text);
    assert!(!out.contains("marker-SECRET-token123"), "{out}");
    assert!(!out.contains("B-MARKER02"), "{out}");
    assert!(out.contains("error sending to ***"), "{out}");
}

#[test]
fn discord_token_segment_is_redacted_alone() {
    let url = "https://discord.com/api/webhooks/123456789012345678/tokTOKENmarker_abcdef";
    let mut r = Redactor::new();
    r.add(url);
    assert_eq!(
        r.redact("path /webhooks/123456789012345678/tokTOKENmarker_abcdef?wait=true"),
        "path /webhooks/***?wait=true"
    );
    assert_eq!(r.redact("tok=tokTOKENmarker_abcdef"), "tok=***");
}

#[test]
fn multi_line_secret_is_redacted_line_by_line() {
    let mut r = Redactor::new();
    r.add("first-line-secret\nsecond-line-secret");
    assert_eq!(r.redact("a second-line-secret b"), "a *** b");
}

#[test]
fn short_fragments_are_not_registered() {
    let mut r = Redactor::new();
    r.add("http://127.0.0.1:1/x");
    assert_eq!(r.redact("x marks"), "x marks");
}

#[test]
fn matching_ignores_the_case_of_percent_escapes() {
    let mut r = Redactor::new();
    r.add("https://hooks.example/hook/abc%2Fdef-SECRET");
    assert_eq!(r.redact("GET /hook/abc%2fdef-SECRET"), "GET /hook/***");
}

#[test]
fn longest_form_wins_so_json_stays_valid() {
    // The raw secret ends in a backslash; in JSON text its escaped form (`\\`) must be replaced
    // whole, or the string's closing quote would be escaped.
    let mut r = Redactor::new();
    r.add("trailing-backslash\\");
    let json = serde_json::to_string(&serde_json::json!({"a": "trailing-backslash\\"})).unwrap();
    let out = r.redact(&json);
    assert_eq!(out, r#"{"a":"***"}"#);
    serde_json::from_str::<serde_json::Value>(&out).unwrap();
}

#[test]
fn a_user_without_password_is_the_token() {
    let mut r = Redactor::new();
    r.add("https://ghp_userTOKEN123@git.example/repo");
    assert_eq!(r.redact("token ghp_userTOKEN123"), "token ***");
    let mut r = Redactor::new();
    r.add("https://deploy:hunter2-secret@git.example/repo");
    assert_eq!(
        r.redact("user deploy"),
        "user deploy",
        "the user name alone is no secret"
    );
}

#[test]
fn xml_escaped_form_is_redacted() {
    let mut r = Redactor::new();
    r.add("a&b<c>\"quote'SECRET");
    assert_eq!(
        r.redact("<x v=\"a&amp;b&lt;c&gt;&quot;quote&apos;SECRET\"/>"),
        "<x v=\"***\"/>"
    );
}

#[test]
fn form_encoded_and_encode_uri_component_forms_are_redacted() {
    let mut r = Redactor::new();
    r.add("it's a (secret)*value");
    assert_eq!(r.redact("q=it%27s+a+%28secret%29%2Avalue"), "q=***");
    assert_eq!(r.redact("q=it's%20a%20(secret)*value"), "q=***");
}

#[test]
fn finds_in_reports_any_form() {
    let mut r = Redactor::new();
    assert!(!r.finds_in("anything"));
    r.add("needle-SECRET-1");
    assert!(r.finds_in("x needle-SECRET-1 y"));
    assert!(!r.finds_in("x needle"));
}

#[test]
fn a_query_word_is_redacted_only_as_written() {
    // Every query value of a secret URL counts, so `alerts` is registered; the heading `Alerts`
    // elsewhere in a summary is left alone.
    let mut r = Redactor::new();
    r.add("https://hooks.example/hook?channel=alerts&token=tok-SECRET-123");
    assert_eq!(r.redact("## Alerts"), "## Alerts");
    assert_eq!(r.redact("channel alerts"), "channel ***");
}
