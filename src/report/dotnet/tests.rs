//! The .NET test result readers on the fixtures built from the published formats
//! (tests/fixtures/junit/dotnet/README.md) and on errors outside tests and bad input.

use super::*;
use crate::report::testrun::{CaseOutcome, TestSummary};

fn fixture(name: &str, format: Format) -> TestRun {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/junit/dotnet")
        .join(name);
    parse_file(&path, format).unwrap_or_else(|e| panic!("{e}"))
}

fn parse(text: &str, format: Format) -> Result<TestRun, TestResultsError> {
    parse_reader("results.xml", text.as_bytes(), format)
}

fn counts(s: &TestSummary) -> (u64, u64, u64, u64, u64) {
    (s.tests, s.passed, s.failed, s.errors, s.skipped)
}

#[test]
fn the_three_fixtures_count_the_same_run() {
    // 6 tests, 4 passed, 1 failed, 0 errors, 1 skipped — each file's own summary says so.
    for (name, format) in [
        ("nunit3.xml", Format::Nunit),
        ("xunit2.xml", Format::Xunit),
        ("results.trx", Format::Trx),
    ] {
        let head = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/junit/dotnet")
                .join(name),
        )
        .unwrap();
        assert_eq!(detect(&head), Some(format), "{name}");
        let r = fixture(name, format);
        assert_eq!(counts(&r.summary), (6, 4, 1, 0, 1), "{name}");
        let failed: Vec<_> = r.failing().collect();
        assert_eq!(failed.len(), 1, "{name}");
        assert_eq!(failed[0].classname, "Shop.Tests.CartTests", "{name}");
        assert!(failed[0].name.contains("Export_WritesCsv"), "{name}");
        let message = failed[0].message.as_deref().unwrap_or_default();
        assert!(message.contains("apple,3"), "{name}: {message}");
        let skipped = r
            .cases
            .iter()
            .find(|c| c.outcome == CaseOutcome::Skipped)
            .unwrap();
        assert!(
            skipped.name.contains("Discounted_RejectsNegative"),
            "{name}"
        );
    }
    let nunit = fixture("nunit3.xml", Format::Nunit);
    let skipped = nunit
        .cases
        .iter()
        .find(|c| c.outcome == CaseOutcome::Skipped)
        .unwrap();
    assert_eq!(skipped.skip_kind.as_deref(), Some("ignored"));
    assert_eq!(
        skipped.message.as_deref(),
        Some("negative prices are not designed yet")
    );
}

#[test]
fn errors_outside_tests_fail_the_run() {
    // NUnit: a OneTimeTearDown that threw after its tests passed.
    let nunit = r#"<test-run><test-suite type="Assembly" name="A.dll" result="Failed" site="Child">
      <test-suite type="TestFixture" name="Db" fullname="A.Db" result="Failed" label="Error" site="TearDown">
        <failure><message>connection pool leaked</message></failure>
        <test-case name="t" classname="A.Db" result="Passed"/></test-suite></test-suite></test-run>"#;
    let r = parse(nunit, Format::Nunit).unwrap();
    assert_eq!(counts(&r.summary), (2, 1, 0, 1, 0));
    let e = r.failing().next().unwrap();
    assert_eq!(e.name, "A.Db (TearDown)");
    assert_eq!(e.message.as_deref(), Some("connection pool leaked"));
    // NUnit: a setup failure already marks its cases; the suite adds nothing.
    let setup = r#"<test-run><test-suite type="TestFixture" name="Db" result="Failed" label="Error" site="SetUp">
        <test-case name="t" result="Failed" label="Error" site="Parent"/></test-suite></test-run>"#;
    assert_eq!(
        counts(&parse(setup, Format::Nunit).unwrap().summary),
        (1, 0, 0, 1, 0)
    );
    // An assembly that did not load: no cases, a failed suite.
    let invalid = r#"<test-run><test-suite type="Assembly" name="A.dll" runstate="NotRunnable" result="Failed" label="Invalid"/></test-run>"#;
    assert_eq!(
        counts(&parse(invalid, Format::Nunit).unwrap().summary),
        (1, 0, 0, 1, 0)
    );
    // xUnit.net: a class fixture's Dispose threw.
    let xunit = r#"<assemblies><assembly name="/b/A.dll"><errors><error type="test-class-cleanup" name="A.DbTests">
        <failure exception-type="System.Exception"><message>dispose failed</message></failure></error></errors>
        <collection name="c"><test name="A.DbTests.T" type="A.DbTests" method="T" result="Pass" time="0.1"/></collection></assembly></assemblies>"#;
    let r = parse(xunit, Format::Xunit).unwrap();
    assert_eq!(counts(&r.summary), (2, 1, 0, 1, 0));
    assert_eq!(
        r.failing().next().unwrap().name,
        "test-class-cleanup: A.DbTests"
    );
    // TRX: the test host crashed.
    let trx = r#"<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>
        <UnitTestResult testId="1" testName="T" outcome="Passed"/></Results>
        <ResultSummary outcome="Failed"><RunInfos><RunInfo computerName="runner" outcome="Error">
        <Text>The active test run was aborted. Reason: Test host process crashed</Text></RunInfo></RunInfos></ResultSummary></TestRun>"#;
    let r = parse(trx, Format::Trx).unwrap();
    assert_eq!(counts(&r.summary), (2, 1, 0, 1, 0));
    assert!(
        r.failing()
            .next()
            .unwrap()
            .message
            .as_deref()
            .unwrap()
            .contains("crashed")
    );
    let aborted = r#"<TestRun><ResultSummary outcome="Aborted"/></TestRun>"#;
    assert_eq!(
        counts(&parse(aborted, Format::Trx).unwrap().summary),
        (1, 0, 0, 1, 0)
    );
}

#[test]
fn outcomes_map_fail_closed() {
    let trx = |outcome: &str| {
        let text = format!(
            r#"<TestRun><Results><UnitTestResult testId="1" testName="T" outcome="{outcome}"/></Results></TestRun>"#
        );
        parse(&text, Format::Trx).unwrap().summary
    };
    assert_eq!(trx("Timeout").errors, 1);
    assert_eq!(trx("InProgress").errors, 1);
    assert_eq!(trx("NotRunnable").skipped, 1);
    assert_eq!(trx("Warning").passed, 1);
    let nunit = |result: &str, label: &str| {
        let text = format!(
            r#"<test-run><test-case name="t" result="{result}" label="{label}"/></test-run>"#
        );
        parse(&text, Format::Nunit).unwrap().summary
    };
    assert_eq!(nunit("Failed", "Cancelled").errors, 1);
    assert_eq!(nunit("Failed", "").failed, 1);
    assert_eq!(nunit("Inconclusive", "").skipped, 1);
    assert_eq!(nunit("Skipped", "Explicit").skipped, 1);
    let xunit = r#"<assemblies><assembly name="a"><collection name="c"><test name="t" result="NotRun"/></collection></assembly></assemblies>"#;
    assert_eq!(parse(xunit, Format::Xunit).unwrap().summary.skipped, 1);
}

#[test]
fn bad_input_is_located_and_never_expanded() {
    let cases = [
        (
            "<test-results total=\"1\"/>",
            Format::Nunit,
            "this is an NUnit 2 result file",
        ),
        (
            "<test-run><test-case name=\"t\"/></test-run>",
            Format::Nunit,
            "line 1, column 32: `<test-case>` without a `result` attribute",
        ),
        (
            "<test-run><test-case name=\"t\" result=\"Meh\"/></test-run>",
            Format::Nunit,
            "unknown test result `Meh`",
        ),
        (
            "<assembly name=\"a\"/>",
            Format::Xunit,
            "expected the xUnit.net v2 root element `<assemblies>`, found `<assembly>`",
        ),
        (
            "<TestRun><Results><UnitTestResult testName=\"T\" outcome=\"Passed\">",
            Format::Trx,
            "the file ends inside `<UnitTestResult>`: it is truncated",
        ),
        (
            "<!DOCTYPE t [<!ENTITY a \"aaaa\">]><TestRun/>",
            Format::Trx,
            "the DOCTYPE declares entities",
        ),
        (
            "<TestRun><Results><UnitTestResult testName=\"&x;\" outcome=\"Passed\"/></Results></TestRun>",
            Format::Trx,
            "unrecognized entity `x`",
        ),
        ("", Format::Xunit, "no `<assemblies>` element"),
    ];
    for (text, format, want) in cases {
        let e = parse(text, format).unwrap_err().to_string();
        assert!(e.contains(want), "{text}\n  got: {e}\n want: {want}");
        assert!(e.contains("`results.xml`"), "{e}");
    }
}
