//! Regression tests for the leaks of issue 20: each form a secret takes on its way to a sink.

use super::*;

/// A secret with every character that changes between encodings: a tab, a quote, `%` and `/`.
const RAW: &str = "mk\tq\"u%o/te-SECRET-7f3a";
/// `RAW` percent-encoded, as it must be written inside a URL.
const ENCODED: &str = "mk%09q%22u%25o%2Fte-SECRET-7f3a";

fn redactor_for(secret: &str) -> Redactor {
    let mut r = Redactor::new();
    r.add(secret);
    r
}

#[track_caller]
fn assert_gone(r: &Redactor, text: &str, needle: &str) {
    let out = r.redact(text);
    assert!(!out.contains(needle), "`{needle}` survived in: {out:?}");
}

#[test]
fn url_userinfo_is_redacted_as_its_basic_base64() {
    let url = format!("https://deploy:{ENCODED}@hooks.example/notify");
    let basic = "ZGVwbG95Om1rCXEidSVvL3RlLVNFQ1JFVC03ZjNh"; // base64("deploy:" + RAW)
    let r = redactor_for(&url);
    assert_gone(&r, &format!("Authorization: Basic {basic}"), basic);
}

#[test]
fn a_secret_query_value_among_others_is_redacted_alone() {
    let url = format!("https://hooks.example/hook?channel=ops&token={ENCODED}&wait=true");
    let r = redactor_for(&url);
    assert_gone(
        &r,
        &format!("GET /hook?token={ENCODED} failed"),
        "SECRET-7f3a",
    );
    assert_gone(&r, &format!("token: {RAW}"), "SECRET-7f3a");
}

#[test]
fn the_url_decoded_form_of_a_path_secret_is_redacted() {
    let url = format!("https://hooks.example/hook/{ENCODED}");
    let r = redactor_for(&url);
    assert_gone(&r, &format!("path segment `{RAW}` refused"), "SECRET-7f3a");
}

#[test]
fn the_json_escaped_form_is_redacted() {
    let r = redactor_for(RAW);
    let json = serde_json::to_string(&serde_json::json!({ "token": RAW })).unwrap();
    assert_gone(&r, &json, "SECRET-7f3a");
}

#[test]
fn a_secret_with_a_tab_or_a_quote_is_redacted_in_debug_output() {
    let r = redactor_for(RAW);
    assert_gone(&r, &format!("error: {RAW:?}"), "SECRET-7f3a");
    let r = redactor_for("quote\"SECRET-42abc");
    assert_gone(&r, &format!("{:?}", "quote\"SECRET-42abc"), "SECRET-42abc");
}
