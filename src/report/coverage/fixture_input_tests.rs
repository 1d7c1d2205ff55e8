//! Tests of reading real reports as input: detection and fingerprints of every fixture, merges of
//! real reports, and truncated or corrupted copies that must fail without panicking.

use super::fixture_tests::{c, load, path};
use super::*;
use crate::report::ReportError;

#[test]
fn every_fixture_is_detected_and_fingerprinted() {
    use sha2::{Digest, Sha256};
    let cases = [
        ("coveragepy/line/coverage.xml", Format::Cobertura),
        ("coveragepy/branch/coverage.json", Format::CoveragepyJson),
        ("coveragepy/branch/coverage.lcov", Format::Lcov),
        ("c8/lcov.info", Format::Lcov),
        ("c8/cobertura-coverage.xml", Format::Cobertura),
        ("c8/coverage-summary.json", Format::IstanbulSummary),
        ("nyc/coverage-summary.json", Format::IstanbulSummary),
        ("cargo-llvm-cov/stable/llvm-cov.json", Format::LlvmJson),
        (
            "cargo-llvm-cov/stable/llvm-cov-summary.json",
            Format::LlvmJson,
        ),
        ("cargo-llvm-cov/branch/cobertura.xml", Format::Cobertura),
        ("go/cover-coverpkg.out", Format::Go),
        ("jacoco/jacoco.xml", Format::Jacoco),
        ("lcov/lcov.info", Format::Lcov),
        ("gcovr/gcovr.lcov", Format::Lcov),
        ("gcovr/gcovr-cobertura.xml", Format::Cobertura),
        ("gcovr/gcovr-jacoco.xml", Format::Jacoco),
        ("gcovr/gcovr.json", Format::GcovrJson),
        ("c8/coverage-final.json", Format::IstanbulJson),
        ("nyc/coverage-final.json", Format::IstanbulJson),
        ("c8/clover.xml", Format::Clover),
        ("nyc/clover.xml", Format::Clover),
        ("phpunit/clover.xml", Format::Clover),
        ("simplecov/resultset.json", Format::Simplecov),
    ];
    for (relative, format) in cases {
        let r = load(relative);
        assert_eq!(r.source.format, format, "{relative}");
        let bytes = std::fs::read(path(relative)).unwrap();
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(r.source.sha256, digest, "{relative}");
    }
    // Formats this module does not read are named and refused, not guessed.
    let e = parse_file(&path("gcovr/gcovr-summary.json"), None).unwrap_err();
    assert!(matches!(e, ReportError::Unsupported { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("gcovr's JSON summary (`--json-summary`, no line data) is not supported"),
        "{e}"
    );
}

#[test]
fn merging_real_reports() {
    // The same coverage.py run as line-mode lcov and branch-mode JSON: lines agree, branches
    // come from the only side that has them.
    let lcov = load("coveragepy/line/coverage.lcov");
    let json = load("coveragepy/branch/coverage.json");
    let merged = merge(vec![lcov, json]).unwrap();
    assert!(merged.merged);
    assert_eq!(
        (merged.totals.lines, merged.totals.branches),
        (c(40, 60), c(18, 28))
    );
    // Go: the three plain profiles of one run merged give the -coverpkg-free total again.
    let set = load("go/cover-set.out");
    let count = load("go/cover-count.out");
    let merged = merge(vec![set, count]).unwrap();
    assert_eq!(merged.totals.statements, c(29, 47));
}

#[test]
fn truncated_and_corrupted_reports_fail_cleanly() {
    let fixtures = [
        ("coveragepy/branch/coverage.xml", Format::Cobertura),
        ("jacoco/jacoco.xml", Format::Jacoco),
        ("cargo-llvm-cov/branch/llvm-cov.json", Format::LlvmJson),
        ("coveragepy/branch/coverage.json", Format::CoveragepyJson),
        ("c8/coverage-summary.json", Format::IstanbulSummary),
        ("lcov/lcov.info", Format::Lcov),
        ("go/cover-coverpkg.out", Format::Go),
        ("nyc/clover.xml", Format::Clover),
        ("phpunit/clover.xml", Format::Clover),
        ("c8/coverage-final.json", Format::IstanbulJson),
        ("simplecov/resultset.json", Format::Simplecov),
        ("gcovr/gcovr.json", Format::GcovrJson),
        ("gcovr/gcovr-jacoco.xml", Format::Jacoco),
    ];
    for (relative, format) in fixtures {
        let bytes = std::fs::read(path(relative)).unwrap();
        let end = bytes.trim_ascii_end().len();
        let step = (end / 97).max(1);
        for cut in (1..end).step_by(step) {
            let result = parse_reader(relative, &bytes[..cut], format);
            // A cut inside a document is detectable for XML and JSON, and for lcov unless it
            // falls right after an `end_of_record`; a Go profile cut between lines is still a
            // profile.
            let on_record_boundary = bytes[..cut].trim_ascii_end().ends_with(b"end_of_record");
            if format != Format::Go && !(format == Format::Lcov && on_record_boundary) {
                assert!(result.is_err(), "{relative} cut at {cut} parsed");
            }
        }
        // Flipping bytes never panics; it is an error or, by luck, still a report.
        for at in (0..bytes.len()).step_by(step) {
            let mut corrupt = bytes.clone();
            corrupt[at] = corrupt[at].wrapping_add(0x80);
            let _ = parse_reader(relative, &corrupt[..], format);
        }
    }
}
