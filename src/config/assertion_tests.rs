//! Assertions read from YAML: shorthands, kinds, and errors at the assertion's place.

use super::*;

#[derive(Debug, Deserialize)]
struct Doc {
    #[serde(with = "serde_norway::with::singleton_map_recursive")]
    assert: Vec<Assertion>,
}

fn parse(yaml: &str) -> Result<Vec<Assertion>, String> {
    serde_norway::from_str::<Doc>(yaml)
        .map(|d| d.assert)
        .map_err(|e| e.to_string())
}

fn one(yaml_item: &str) -> Result<Assertion, String> {
    parse(&format!("assert:\n  - {yaml_item}\n")).map(|mut v| v.remove(0))
}

#[test]
fn bare_value_means_equals() {
    let a = one("status: 200").unwrap();
    assert_eq!(a.query, Query::Status);
    assert_eq!(a.predicate, Predicate::Equals(Operand::Int(200)));
    assert_eq!(a.to_string(), "status equals 200");
}

#[test]
fn every_query_reads_with_its_kind() {
    let cases = [
        ("status: {in: [200, 204]}", "status in [200, 204]"),
        (
            "status: {between: [200, 299]}",
            "status between 200 and 299",
        ),
        (
            "header: {name: Content-Type, matches: ^application/json}",
            "header `content-type` matches /^application/json/",
        ),
        ("header: {name: x-id, exists: true}", "header `x-id` exists"),
        (
            "header: {name: x-debug, exists: false}",
            "not header `x-debug` exists",
        ),
        (
            "body: {contains: ok, not: true}",
            "not body contains \"ok\"",
        ),
        (
            "jsonpath: {path: $.status, equals: ok}",
            "jsonpath `$.status` equals \"ok\"",
        ),
        (
            "jsonpath: {path: $.n, at-least: 2.5}",
            "jsonpath `$.n` at-least 2.5",
        ),
        (
            "jsonpath-count: {path: \"$.items[*]\", greater-than: 0}",
            "jsonpath-count `$.items[*]` greater-than 0",
        ),
        (
            "response-time: {less-than: 500ms}",
            "response-time less-than 500ms",
        ),
        (
            "time-to-first-byte: {at-most: 1.5s}",
            "time-to-first-byte at-most 1.5s",
        ),
        (
            "cert-expiry-days: {at-least: 14}",
            "cert-expiry-days at-least 14",
        ),
        (
            "redirect-location: {equals: https://example.com/login}",
            "redirect-location equals \"https://example.com/login\"",
        ),
        ("redirects: {at-most: 2}", "redirects at-most 2"),
        ("url: {contains: /login}", "url contains \"/login\""),
    ];
    for (yaml, shown) in cases {
        let a = one(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
        assert_eq!(a.to_string(), shown, "{yaml}");
    }
}

#[test]
fn unknown_assertion_lists_the_queries_at_its_line() {
    let err = parse("assert:\n  - status: 200\n  - statsu: 200\n").unwrap_err();
    assert!(err.contains("assert[1]: unknown variant `statsu`"), "{err}");
    assert!(
        err.contains("`jsonpath`") && err.contains("`cert-expiry-days`"),
        "{err}"
    );
    assert!(err.contains("line 3 column 5"), "{err}");
}

#[test]
fn unknown_predicate_is_named() {
    let err = one("status: {equal: 200}").unwrap_err();
    assert!(err.contains("unknown field `equal`"), "{err}");
}

#[test]
fn invalid_jsonpath_is_located() {
    let err =
        parse("assert:\n  - jsonpath:\n      path: $.items[\n      exists: true\n").unwrap_err();
    assert!(err.contains("invalid JSONPath `$.items[`"), "{err}");
    assert!(err.contains("line 2 column 3"), "{err}");
}

#[test]
fn mistakes_are_explained() {
    let cases = [
        ("header: {equals: x}", "`header` needs `name`"),
        ("jsonpath: {equals: x}", "`jsonpath` needs `path`"),
        (
            "status: {name: x, equals: 1}",
            "`name` only applies to `header`",
        ),
        ("body: {path: $.a, contains: x}", "`path` only applies"),
        ("status: {equals: ok}", "must be a whole number"),
        (
            "status: {equals: 200, in: [201]}",
            "several predicates (equals, in)",
        ),
        ("status: {not: true}", "has no predicate"),
        (
            "status: {between: [299, 200]}",
            "first bound 299 is above the second 200",
        ),
        (
            "status: {matches: ^2}",
            "`matches` does not apply to `status`",
        ),
        (
            "status: {exists: true}",
            "`exists` does not apply to `status`",
        ),
        (
            "body: {less-than: 5}",
            "does not apply to `body`: it is text",
        ),
        ("response-time: {less-than: 500}", "duration with a unit"),
        ("response-time: {equals: 1s}", "timings vary"),
        ("jsonpath: {path: $.a, less-than: x}", "compares numbers"),
        ("body: {matches: \"(\"}", "invalid regular expression"),
        ("status: {in: []}", "is empty"),
        (
            "header: {name: \"a b\", exists: true}",
            "not a valid header name",
        ),
    ];
    for (yaml, want) in cases {
        let err = one(yaml).expect_err(yaml);
        assert!(err.contains(want), "{yaml}: {err}");
    }
}

#[test]
fn numbers_compare_exactly_across_representations() {
    use serde_json::json;
    use std::cmp::Ordering;
    assert_eq!(
        compare_numbers(&json!(1), &json!(1.0)),
        Some(Ordering::Equal)
    );
    assert_eq!(
        compare_numbers(&json!(u64::MAX), &json!(u64::MAX - 1)),
        Some(Ordering::Greater)
    );
    assert_eq!(compare_numbers(&json!("1"), &json!(1)), None);
}

#[test]
fn durations_display_compactly() {
    assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
    assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
    assert_eq!(format_duration(Duration::from_secs(2)), "2s");
    assert_eq!(format_duration(Duration::from_millis(1234)), "1234ms");
}
