//! The JUnit document of a sample run, and escaping of hostile text.

use super::*;
use crate::render::sample;

const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="decoder-ops smoke" tests="3" failures="1" errors="1" skipped="0" time="1.234">
  <testsuite name="smoke.staging" tests="3" failures="1" errors="1" skipped="0" time="0.046" timestamp="2026-05-01T10:00:00">
    <properties>
      <property name="environment" value="staging"/>
      <property name="slot" value="green"/>
    </properties>
    <testcase name="health" classname="smoke.staging" time="0.013"/>
    <testcase name="api &lt;v1&gt; &amp; &quot;co&quot;" classname="smoke.staging" time="0.046">
      <failure message="status equals 200, got 500" type="AssertionFailure">GET https://staging.example.com/api?key=***
response: HTTP 500 from https://staging.example.com/api?key=***
assertion failed: status equals 200
  expected: equals 200
  actual:   500
assertion failed: not body contains "error"
  expected: not contains "error"
  actual:   "::error::pwned | &lt;b&gt;x&lt;/b&gt; ]]&gt; \u{1b}[31m"
</failure>
      <system-out>::error::pwned | &lt;b&gt;x&lt;/b&gt; ]]&gt; �[31m�</system-out>
    </testcase>
    <testcase name="ready" classname="smoke.staging" time="0.004">
      <error message="cannot connect: tcp connect error: Connection refused (os error 111)" type="RequestError">GET https://staging.example.com/ready
error: cannot connect: tcp connect error: Connection refused (os error 111)
attempts: cannot connect: refused | cannot connect: refused | cannot connect: refused
</error>
    </testcase>
  </testsuite>
</testsuites>
"#;

#[test]
fn sample_run_as_surefire_junit() {
    assert_eq!(
        junit(&sample::report(), "2026-05-01T10:00:00", Some("green")),
        SAMPLE
    );
}

#[test]
fn attribute_and_text_escaping() {
    assert_eq!(
        attr("a\"b'c<d>&\ne\tf\r"),
        "a&quot;b&apos;c&lt;d&gt;&amp;&#10;e&#9;f&#13;"
    );
    assert_eq!(text("x\"y'\nz\u{7}\u{FFFF}"), "x\"y'\nz\u{FFFD}\u{FFFD}");
}

#[test]
fn checks_without_environment_form_one_suite_named_smoke() {
    let mut report = sample::report();
    for c in &mut report.checks {
        c.environment = None;
    }
    let xml = junit(&report, "2026-05-01T10:00:00", None);
    assert!(
        xml.contains("<testsuite name=\"smoke\" tests=\"3\""),
        "{xml}"
    );
    assert!(!xml.contains("<properties>"), "{xml}");
}

#[test]
fn seconds_round_up_to_the_millisecond() {
    assert_eq!(seconds(0), "0.000");
    assert_eq!(seconds(1), "0.001");
    assert_eq!(seconds(1_234_000), "1.234");
}

#[test]
fn quality_gate_reads_the_report_back_with_the_same_counts() {
    let xml = junit(&sample::report(), "2026-05-01T10:00:00", Some("green"));
    let read = crate::report::junit::parse_reader("smoke.xml", xml.as_bytes()).unwrap();
    let s = read.summary;
    assert_eq!(
        (s.tests, s.passed, s.failed, s.errors, s.skipped),
        (3, 1, 1, 1, 0)
    );
    let failing: Vec<(&str, &str)> = read
        .failing()
        .map(|c| (c.name.as_str(), c.message.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        failing,
        [
            ("api <v1> & \"co\"", "status equals 200, got 500"),
            (
                "ready",
                "cannot connect: tcp connect error: Connection refused (os error 111)"
            ),
        ]
    );
}
