//! The JUnit reader against real runner output (tests/fixtures/junit/, each folder's README
//! says which tool and command made it and what the tool printed) and against bad input.

use super::*;

fn fixture(rel: &str) -> JunitReport {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/junit")
        .join(rel);
    parse_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn parse(text: &str) -> Result<JunitReport, JunitError> {
    parse_reader("t.xml", text.as_bytes())
}

#[test]
fn pytest_both_families_match_what_pytest_printed() {
    // pytest: "2 failed, 7 passed, 2 skipped, 1 xfailed, 1 xpassed, 2 errors". In the XML the
    // xfail is a skip of type pytest.xfail, the xpass a pass, and the test whose teardown failed
    // an error (README: 14 testcases).
    for file in ["pytest/junit-xunit1.xml", "pytest/junit-xunit2.xml"] {
        let r = fixture(file);
        let s = r.summary;
        assert_eq!(
            (s.tests, s.failed, s.errors, s.skipped, s.xfailed),
            (14, 2, 2, 3, 1),
            "{file}"
        );
        assert_eq!(s.skipped - s.xfailed, 2, "pytest's own `2 skipped`");
        assert_eq!(s.passed, 7, "6 passes and the xpass");
        assert_eq!(s.flaky, 0);
    }
    let xunit1 = fixture("pytest/junit-xunit1.xml");
    assert!(
        xunit1.cases.iter().all(|c| c.file.is_some()),
        "xunit1 carries file="
    );
}

#[test]
fn nextest_retries_are_one_failure_and_one_flaky_pass() {
    // nextest: "6 tests run: 5 passed (1 flaky), 1 failed, 1 skipped"; the skipped (ignored)
    // test is not in the XML at all.
    let r = fixture("nextest/junit.xml");
    let s = r.summary;
    assert_eq!(
        (s.tests, s.passed, s.failed, s.errors, s.flaky),
        (6, 5, 1, 0, 1)
    );
    let failing: Vec<_> = r.failing().collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0].reruns, 2, "two rerunFailure attempts");
}

#[test]
fn node_test_runner_nested_suites_and_todo() {
    // node --test: "tests 7, pass 4, fail 1, skipped 1, todo 1"; suite attributes are not totals.
    let s = fixture("node-test/junit.xml").summary;
    assert_eq!(
        (s.tests, s.passed, s.failed, s.skipped - s.todo, s.todo),
        (7, 4, 1, 1, 1)
    );
}

#[test]
fn jest_junit_counts_every_testcase() {
    // jest: "1 failed, 1 skipped, 1 todo, 3 passed, 6 total"; jest-junit writes the todo as a
    // plain testcase (README), so it reads as a pass: 4 passed.
    let s = fixture("jest/junit.xml").summary;
    assert_eq!((s.tests, s.failed, s.skipped, s.passed), (6, 1, 1, 4));
}

#[test]
fn gotestsum_subtests_and_skips() {
    // gotestsum: "DONE 9 tests, 1 skipped, 2 failures".
    let s = fixture("gotestsum/junit.xml").summary;
    assert_eq!((s.tests, s.skipped, s.failed), (9, 1, 2));
}

#[test]
fn a_failed_and_a_passed_case_of_the_same_name_are_one_failure_and_one_pass() {
    // TestNG data providers, jest `test.each` with a fixed title, gotestsum `--rerun-fails`:
    // nothing marks the second `TestA` as a rerun of the first, so each case counts.
    let r = parse(
        r#"<testsuites><testsuite name="pkg">
        <testcase classname="pkg" name="TestA"><failure message="boom"/></testcase>
        <testcase classname="pkg" name="TestB"/>
        <testcase classname="pkg" name="TestA"/>
        </testsuite></testsuites>"#,
    )
    .unwrap();
    let s = r.summary;
    assert_eq!(
        (s.tests, s.passed, s.failed, s.flaky, r.duplicates),
        (3, 2, 1, 0, 1)
    );
    assert_eq!(r.failing().count(), 1);
}

#[test]
fn disabled_and_notrun_cases_are_skipped_never_passed() {
    // CTest `--output-junit` writes status="disabled"/"notrun"; googletest writes
    // status="notrun" result="suppressed" for DISABLED_ tests.
    let r = parse(
        r#"<testsuite name="s">
        <testcase name="a" status="disabled"/>
        <testcase name="b" status="notrun" result="suppressed"/>
        <testcase name="c" status="run" result="completed"/>
        <testcase name="d" status="NotRun"><system-out>x</system-out></testcase>
        </testsuite>"#,
    )
    .unwrap();
    let s = r.summary;
    assert_eq!((s.tests, s.passed, s.skipped), (4, 1, 3));
}

#[test]
fn an_error_or_failure_directly_under_a_testsuite_is_a_failure() {
    // A crash in suite set-up, written in place of the test cases (the JUnit schema's
    // "normally if the tests in the suite could not be found"; TestReports.jl, Bazel).
    let r = parse(
        r#"<testsuites><testsuite name="db" tests="0">
        <error message="setUpClass: connection refused" type="IOError">trace</error>
        </testsuite><testsuite name="api"><failure message="beforeAll threw"/>
        <testcase name="t"/></testsuite></testsuites>"#,
    )
    .unwrap();
    let s = r.summary;
    assert_eq!((s.tests, s.passed, s.failed, s.errors), (3, 1, 1, 1));
    let failing: Vec<_> = r.failing().map(|c| c.message.as_deref()).collect();
    assert_eq!(
        failing,
        [
            Some("setUpClass: connection refused"),
            Some("beforeAll threw")
        ]
    );
}

#[test]
fn failure_text_becomes_the_message_when_there_is_no_attribute() {
    let r = parse("<testsuite name=\"s\"><testcase name=\"t\"><failure>expected &lt;1&gt; got 2</failure></testcase></testsuite>").unwrap();
    assert_eq!(r.cases[0].message.as_deref(), Some("expected <1> got 2"));
    assert_eq!(r.cases[0].suite, "s");
}

#[test]
fn zero_tests_is_an_empty_summary_not_an_error() {
    let r = parse("<testsuites/>").unwrap();
    assert_eq!(r.summary, TestSummary::default());
}

#[test]
fn bad_input_is_a_located_error() {
    let truncated = parse("<testsuites>\n  <testsuite name=\"a\">\n    <testcase name=\"x\">")
        .unwrap_err()
        .to_string();
    assert!(
        truncated.starts_with("JUnit report `t.xml`: line 3"),
        "{truncated}"
    );
    let mismatched = parse("<testsuites>\n<testsuite name=\"a\">\n</testsuites>")
        .unwrap_err()
        .to_string();
    assert!(
        mismatched.contains("line 3") && mismatched.contains("malformed XML"),
        "{mismatched}"
    );
    let not_junit = parse("<html><body>502 Bad Gateway</body></html>")
        .unwrap_err()
        .to_string();
    assert!(not_junit.contains("not a JUnit XML report"), "{not_junit}");
    let nameless = parse("<testsuite>\n<testcase classname=\"c\"/>\n</testsuite>")
        .unwrap_err()
        .to_string();
    assert!(
        nameless.contains("line 2") && nameless.contains("without a `name`"),
        "{nameless}"
    );
    let garbage = parse_reader("bin.xml", &[0xff, 0xfe, 0x00, 0x3c, 0x00][..])
        .unwrap_err()
        .to_string();
    assert!(garbage.starts_with("JUnit report `bin.xml`"), "{garbage}");
    assert!(parse("").is_err(), "an empty file is not a report");
}

#[test]
fn entity_expansion_bombs_are_refused() {
    let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<testsuite name="&lol2;"><testcase name="a"><failure>&lol2;</failure></testcase></testsuite>"#;
    let err = parse(bomb).unwrap_err().to_string();
    assert!(err.contains("declares entities"), "{err}");
    let undeclared = parse(
        "<testsuite name=\"s\"><testcase name=\"t\"><failure>&lol;</failure></testcase></testsuite>",
    );
    assert!(undeclared.is_err());
}

#[test]
fn a_ten_megabyte_line_is_read_with_bounded_message() {
    let big = format!(
        "<testsuite name=\"s\"><testcase name=\"t\"><failure>{}</failure></testcase></testsuite>",
        "x".repeat(10 << 20)
    );
    let r = parse(&big).unwrap();
    assert!(r.cases[0].message.as_ref().unwrap().len() <= MESSAGE_MAX + 3);
}

#[test]
fn nesting_deeper_than_the_cap_is_refused_where_it_happens() {
    let mut text = String::from("<testsuites>\n");
    for _ in 0..MAX_DEPTH {
        text.push_str("<testsuite name=\"s\">");
    }
    let err = parse(&text).unwrap_err().to_string();
    assert!(
        err.starts_with("JUnit report `t.xml`: line 2, column "),
        "{err}"
    );
    assert!(err.contains("nested deeper than 256 levels"), "{err}");
    // At the cap minus one, with a case inside, the report is read.
    let inner = "<testsuite name=\"s\">".repeat(MAX_DEPTH - 2);
    let ok = format!(
        "<testsuites>{inner}<testcase name=\"t\"/>{}</testsuites>",
        "</testsuite>".repeat(MAX_DEPTH - 2)
    );
    let r = parse(&ok).unwrap();
    assert_eq!(r.summary.passed, 1);
}

#[test]
fn many_attributes_are_read_in_linear_time() {
    // An element with 50,000 attributes, each looked up by name seven times.
    let attrs: String = (0..50_000).map(|i| format!(" a{i}=\"x\"")).collect();
    let text = format!("<testsuite name=\"s\"><testcase{attrs} name=\"t\"/></testsuite>");
    let started = std::time::Instant::now();
    let r = parse(&text).unwrap();
    assert_eq!(r.summary.passed, 1);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn error_messages_quote_at_most_an_excerpt_with_the_byte_offset() {
    let long = "x".repeat(100_000);
    let err = parse(&format!("<testsuite name=\"s\"><{long}></testsuite>"))
        .unwrap_err()
        .to_string();
    assert!(err.len() < 600, "{} bytes: {}", err.len(), &err[..300]);
    assert!(err.contains("(byte "), "{err}");
}

#[test]
fn an_unknown_status_word_is_an_error_not_a_pass() {
    let r =
        parse(r#"<testsuite name="s"><testcase name="t" status="wobbly"/></testsuite>"#).unwrap();
    assert_eq!(r.summary.errors, 1);
    assert!(
        r.cases[0]
            .message
            .as_deref()
            .unwrap()
            .contains("not a status"),
        "{:?}",
        r.cases[0].message
    );
}

#[test]
fn jest_test_each_rows_with_one_title_count_as_jest_counts_them() {
    // jest: "Tests: 3 failed, 4 passed, 7 total" — three `adds the tax` rows (one failing)
    // and a `beforeAll` crash reported as a failure of each of its two tests.
    let r = fixture("jest-each/junit.xml");
    let s = r.summary;
    assert_eq!((s.tests, s.failed, s.passed, s.flaky), (7, 3, 4, 0));
    assert_eq!(r.duplicates, 2, "two repeats of ` adds the tax`");
}

#[test]
fn pytest_one_id_failing_and_passing_counts_as_pytest_counts_it() {
    // pytest: "2 failed, 5 passed, 2 errors" — `test_cache_is_warm[eu]` failed, then passed.
    let r = fixture("pytest-repeats/junit.xml");
    let s = r.summary;
    assert_eq!(
        (s.tests, s.failed, s.passed, s.errors, s.flaky),
        (9, 2, 5, 2, 0)
    );
    let names: Vec<&str> = r.failing().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"test_cache_is_warm[eu]"), "{names:?}");
}

#[test]
fn testng_data_provider_invocations_and_a_crashed_before_class() {
    // TestNG: "Total tests run: 6, Failures: 1, Skips: 2" and "Configuration Failures: 1".
    let mut s = fixture("testng/TEST-shop.DiscountTest.xml").summary;
    s.add(&fixture("testng/TEST-shop.LedgerTest.xml").summary);
    assert_eq!(
        (s.tests, s.passed, s.failed, s.errors, s.skipped),
        (6, 3, 1, 2, 0)
    );
    // The other reporter: the failing invocation sits between two passes.
    let r = fixture("testng/junitxml-unit.xml");
    let s = r.summary;
    assert_eq!(
        (s.tests, s.passed, s.failed, s.skipped, s.flaky),
        (7, 3, 2, 2, 0)
    );
    let names: Vec<&str> = r.failing().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["@BeforeClass connect", "appliesDiscount"]);
}
