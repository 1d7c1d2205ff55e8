use super::*;
use crate::report::coverage::{Format, parse_reader};

#[test]
fn command_names_merge_like_simplecov() {
    // Two suites: hits add up; a line irrelevant in one with 0 hits in the other stays
    // irrelevant (SimpleCov's LinesCombiner); branches add up by key.
    let json = r#"{
      "RSpec": {"coverage": {"/w/a.rb": {"lines": [null, 1, 0, 0, "ignored"],
        "branches": {"[:if, 0, 2, 4, 2, 9]": {"[:then, 1, 2, 4, 2, 5]": 1, "[:else, 2, 2, 4, 2, 9]": 0}}}},
        "timestamp": 1},
      "Minitest": {"coverage": {"/w/a.rb": {"lines": [null, 0, 2, null, null],
        "branches": {"[:if, 0, 2, 4, 2, 9]": {"[:then, 1, 2, 4, 2, 5]": 0, "[:else, 2, 2, 4, 2, 9]": 3}}},
        "/w/b.rb": [1, null, 0]}, "timestamp": 2}
    }"#;
    let r = parse_reader(".resultset.json", json.as_bytes(), Format::Simplecov).unwrap();
    assert_eq!(r.files["/w/a.rb"].lines, [(2, 1), (3, 2)].into());
    assert_eq!(r.files["/w/b.rb"].lines, [(1, 1), (3, 0)].into());
    assert_eq!(r.files["/w/a.rb"].branches[&2], Counter::new(2, 2));
    assert_eq!(r.totals.lines, Some(Counter::new(3, 4)));
    assert_eq!(r.totals.branches, Some(Counter::new(2, 2)));
    assert_eq!(r.native.unwrap().percent, "75.0");
}

#[test]
fn without_branch_data_there_is_no_branch_figure() {
    let json = r#"{"Unit Tests": {"coverage": {"/w/a.rb": {"lines": [1, 0]}}, "timestamp": 1}}"#;
    let r = parse_reader("r.json", json.as_bytes(), Format::Simplecov).unwrap();
    assert_eq!(r.totals.branches, None);
    assert_eq!(r.totals.lines, Some(Counter::new(1, 2)));
}

#[test]
fn errors_name_the_position() {
    for (input, what) in [
        ("{}", "no `<command name>` key"),
        (r#"{"x": {"timestamp": 1}}"#, "no `coverage` key"),
        (
            r#"{"x": {"coverage": {"/a.rb": {"branches": {}}}}}"#,
            "no `lines` key",
        ),
        (
            r#"{"x": {"coverage": {"/a.rb": {"lines": ["yes"]}}}}"#,
            "invalid value: string \"yes\"",
        ),
        (
            r#"{"x": {"coverage": {"/a.rb": {"lines": [1], "branches": {"if": {}}}}}}"#,
            "expected a branch condition key",
        ),
        (r#"{"x": {"coverage": {"/a.rb": {"lines": [1"#, "truncated"),
    ] {
        let err = parse_reader("r.json", input.as_bytes(), Format::Simplecov)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("coverage report `r.json`: line 1, column"),
            "{err}"
        );
        assert!(err.contains(what), "{input}: {err}");
    }
}
