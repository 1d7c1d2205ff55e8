//! Unit tests of the lcov parser on small inline tracefiles, one per record kind.

use super::*;
use crate::report::coverage::{CoverageReport, Format, parse_reader};

fn parse_str(text: &str) -> Result<CoverageReport, ReportError> {
    parse_reader("lcov.info", text.as_bytes(), Format::Lcov)
}

fn err(text: &str) -> String {
    parse_str(text).unwrap_err().to_string()
}

#[test]
fn summaries_are_the_totals() {
    // The summary lines win over the records: that is what the producing tool computed.
    let r = parse_str(
        "TN:unit\nSF:src/a.c\nDA:1,4\nDA:2,0\nDA:3,1\nLF:3\nLH:2\n\
         BRDA:3,0,0,2\nBRDA:3,0,1,-\nBRDA:3,0,2,0\nBRF:3\nBRH:1\n\
         FN:1,main\nFNDA:4,main\nFN:7,helper\nFNDA:0,helper\nFNF:2\nFNH:1\nend_of_record\n",
    )
    .unwrap();
    assert_eq!(r.totals.lines, Some(Counter::new(2, 3)));
    assert_eq!(r.totals.branches, Some(Counter::new(1, 3)));
    assert_eq!(r.totals.functions, Some(Counter::new(1, 2)));
    assert_eq!(r.totals.statements, None);
    let a = &r.files["src/a.c"];
    assert_eq!(
        a.lines.iter().map(|(l, h)| (*l, *h)).collect::<Vec<_>>(),
        [(1, 4), (2, 0), (3, 1)]
    );
    assert_eq!(a.branches[&3], Counter::new(1, 3));
    assert_eq!(r.source.tool, None);
    assert_eq!(r.native, None);
}

#[test]
fn records_count_when_summaries_are_absent() {
    let r = parse_str(
        "SF:a.js\nDA:1,1\nDA:2,0\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nFN:1,f\nFNDA:1,f\nFN:5,g\nend_of_record\n",
    )
    .unwrap();
    assert_eq!(r.totals.lines, Some(Counter::new(1, 2)));
    assert_eq!(r.totals.branches, Some(Counter::new(1, 2)));
    assert_eq!(r.totals.functions, Some(Counter::new(1, 2)));
}

#[test]
fn summaries_win_even_when_they_disagree_with_the_records() {
    let r = parse_str("SF:a.c\nDA:1,1\nLF:5\nLH:4\nend_of_record\n").unwrap();
    assert_eq!(r.totals.lines, Some(Counter::new(4, 5)));
}

#[test]
fn records_without_branch_or_function_data_leave_those_metrics_absent() {
    let r = parse_str("SF:a.py\nDA:1,1\nLF:1\nLH:1\nend_of_record\n").unwrap();
    assert_eq!(r.totals.branches, None);
    assert_eq!(r.totals.functions, None);
    let r = parse_str("SF:a.js\nDA:1,1\nBRF:0\nBRH:0\nend_of_record\n").unwrap();
    assert_eq!(r.totals.branches, Some(Counter::new(0, 0)));
}

#[test]
fn lcov_2_records() {
    // lcov 2.x: FN with an end line, a text branch id, and 2.2's FNL/FNA with aliases.
    let r = parse_str(
        "VER:abc123\nSF:src/b.cpp\nFN:3,9,Inventory.add\nFNDA:2,Inventory.add\n\
         FNL:0,12,20\nFNA:0,0,tmpl<int>\nFNA:0,3,tmpl<long>\nFNL:1,30\nFNA:1,0,unused\n\
         BRDA:10,0,jump to line 11,-\nBRDA:10,e0,jump to the function exit,1\n\
         DA:3,2,abcdef\nMCDC:10,2,t,0,0,a && b\nend_of_record\n",
    )
    .unwrap();
    let b = &r.files["src/b.cpp"];
    // Inventory.add (hit), index 0 (hit through an alias), index 1 (not hit).
    assert_eq!(b.totals.functions, Some(Counter::new(2, 3)));
    assert_eq!(b.branches[&10], Counter::new(1, 2));
    assert_eq!(b.lines[&3], 2);
}

#[test]
fn repeated_records_of_one_file_merge_by_line() {
    // Two test names covering the same file: adding LF would count its lines twice.
    let r = parse_str(
        "TN:one\nSF:a.c\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nBRDA:2,0,0,0\nBRDA:2,0,1,1\nBRF:2\nBRH:1\nend_of_record\n\
         TN:two\nSF:a.c\nDA:1,0\nDA:2,3\nLF:2\nLH:1\nBRDA:2,0,0,1\nBRDA:2,0,1,1\nBRF:2\nBRH:2\nend_of_record\n",
    )
    .unwrap();
    let a = &r.files["a.c"];
    assert_eq!((a.lines[&1], a.lines[&2]), (1, 3));
    assert_eq!(r.totals.lines, Some(Counter::new(2, 2)));
    assert_eq!(r.totals.branches, Some(Counter::new(2, 2)));
}

#[test]
fn blank_lines_crlf_and_unknown_records_are_tolerated() {
    let r = parse_str("TN:\r\n\r\nSF:a.c\r\nXYZ:whatever\r\nDA:1,1\r\nend_of_record\r\n").unwrap();
    assert_eq!(r.totals.lines, Some(Counter::new(1, 1)));
}

#[test]
fn errors_name_the_line_and_what_was_expected() {
    let cases = [
        (
            "SF:a.c\nDA:x,1\nend_of_record\n",
            "line 2: expected `DA:<line>,<count>`, found `DA:x,1`",
        ),
        (
            "SF:a.c\nDA:1\nend_of_record\n",
            "line 2: expected `DA:<line>,<count>`",
        ),
        (
            "SF:a.c\nDA:1,-1\nend_of_record\n",
            "line 2: expected `DA:<line>,<count>`",
        ),
        (
            "SF:a.c\nBRDA:1,0,x\nend_of_record\n",
            "line 2: expected `BRDA:<line>,<block>,<branch>,<taken>`",
        ),
        (
            "SF:a.c\nBRDA:1,0,0,yes\nend_of_record\n",
            "line 2: expected `BRDA:",
        ),
        (
            "SF:a.c\nFN:main\nend_of_record\n",
            "line 2: expected `FN:<line>[,<end line>],<name>`",
        ),
        (
            "SF:a.c\nFNDA:1,\nend_of_record\n",
            "line 2: expected `FNDA:<count>,<name>`",
        ),
        (
            "SF:a.c\nFNA:0,1\nend_of_record\n",
            "line 2: expected `FNA:<index>,<count>,<name>`",
        ),
        (
            "SF:a.c\nLF:many\nend_of_record\n",
            "line 2: expected `LF:<number of lines>`",
        ),
        (
            "SF:a.c\nLF:1\nLH:2\nend_of_record\n",
            "line 4: the record for `a.c` says 2 lines hit of 1",
        ),
        (
            "DA:1,1\n",
            "line 1: `DA:` outside a record; expected `SF:<path>` first",
        ),
        (
            "end_of_record\n",
            "line 1: `end_of_record` without an open record",
        ),
        (
            "SF:a.c\nSF:b.c\n",
            "line 2: expected `end_of_record` before a new `SF:`",
        ),
        ("SF:\n", "line 1: expected `SF:<path>`, found an empty path"),
        (
            "SF:a.c\nDA:1,1\n",
            "line 2: the file ends inside the record for `a.c`",
        ),
        ("hello world\n", "line 1: expected an lcov record"),
        (
            "mode: set\nx.go:1.1,2.2 1 1\n",
            "line 1: expected an lcov record",
        ),
        ("TN:x\n", "no `SF:` records"),
    ];
    for (input, expected) in cases {
        let message = err(input);
        assert!(
            message.starts_with("coverage report `lcov.info`: "),
            "{message}"
        );
        assert!(
            message.contains(expected),
            "{input:?}\n  got: {message}\n want: {expected}"
        );
    }
}

#[test]
fn binary_garbage_and_huge_lines_are_errors() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let e = parse_reader("x.info", &garbage[..], Format::Lcov)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("invalid UTF-8") || e.contains("expected an lcov record"),
        "{e}"
    );
    let e = parse_reader("x.info", &b"SF:a.c\nDA:1,1\xff\n"[..], Format::Lcov)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2, column 7: invalid UTF-8"), "{e}");
    let mut big = b"SF:a.c\nDA:1,".to_vec();
    big.extend(std::iter::repeat_n(b'1', 10 * 1024 * 1024));
    let e = parse_reader("x.info", &big[..], Format::Lcov)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2: line is longer than 1024 KiB"), "{e}");
    let e = parse_reader("x.info", &b""[..], Format::Lcov)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "coverage report `x.info`: the file is empty; expected a coverage report in `lcov` format"
    );
}

#[test]
fn counts_beyond_u32_lines_are_rejected_and_huge_hits_saturate() {
    assert!(err("SF:a.c\nDA:4294967296,1\nend_of_record\n").contains("line 2: expected `DA:"));
    let r = parse_str("SF:a.c\nDA:1,18446744073709551615\nDA:1,5\nend_of_record\n").unwrap();
    assert_eq!(r.files["a.c"].lines[&1], u64::MAX);
}

#[test]
fn source_is_fingerprinted() {
    let r = parse_str("SF:a\nend_of_record\n").unwrap();
    assert_eq!(r.source.format, Format::Lcov);
    assert_eq!(r.source.path, "lcov.info");
    assert_eq!(r.source.sha256.len(), 64);
    assert_ne!(
        r.source.sha256,
        parse_str("SF:b\nend_of_record\n").unwrap().source.sha256
    );
}

/// The record after `line` was applied by the general path (`None` when that path refuses it).
fn general(line: &[u8]) -> Option<Record> {
    let mut record = Record::default();
    let line = std::str::from_utf8(line).ok()?.trim();
    let (key, value) = line.split_once(':').filter(|(k, _)| is_record_key(k))?;
    record.apply(key, value)?;
    Some(record)
}

#[test]
fn the_fast_path_reads_every_line_as_the_general_path_does() {
    // Every line of the real tracefiles, and the edge cases of each kind: whatever the fast path
    // takes, the general path takes too, with the same result.
    let fixtures = [
        "lcov/lcov.info",
        "lcov/capture.info",
        "gcovr/gcovr.lcov",
        "nyc/lcov.info",
        "c8/lcov.info",
        "coveragepy/branch/coverage.lcov",
        "coveragepy/line/coverage.lcov",
        "cargo-llvm-cov/branch/lcov.info",
        "cargo-llvm-cov/stable/lcov.info",
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/coverage");
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for f in fixtures {
        let text = std::fs::read(root.join(f)).unwrap();
        lines.extend(text.split(|&b| b == b'\n').map(<[u8]>::to_vec));
    }
    let edge: &[&[u8]] = &[
        b"DA:1,2",
        b"DA:1,2,abc",
        b"DA:1,2,\xc3\xa9",
        b"DA:1,2,\xff",
        b"DA:1,2 ",
        b"DA:01,2",
        b"DA:,2",
        b"DA:1,",
        b"DA:4294967296,1",
        b"DA:1,18446744073709551616",
        b"BRDA:1,0,0,-",
        b"BRDA:1,0,jump to the end,3",
        b"BRDA:1,0,0,1 ",
        b"BRDA:1,0,0",
        b"BRDA:,0,0,1",
        b"BRDA:1,0,\xff,1",
        b"FN:3,main",
        b"FN:3,7,main",
        b"FN:3,x7,main",
        b"FN:3,4294967296,main",
        b"FN:4294967296,main",
        b"FN:3,main ",
        b"FN:3,main\x0b",
        b"FN:3,main\xc2\xa0",
        b"FN:3,ma\xc3\xa9n",
        b"FN:3,ma\xffn",
        b"FN:3,",
        b"FN:3,7,",
        b"FN:,main",
        b"FNDA:2,main",
        b"FNDA:2,",
        b"FNDA:x,main",
        b"FNDA:2,main\t",
        b"FNDA:18446744073709551616,main",
        b"FNF:3",
        b"FNH:3 ",
        b"FNF:",
        b"LF:10",
        b"LH:9",
        b"LH:-1",
        b"BRF:4",
        b"BRH:2",
        b"BRX:2",
        b"LX:2",
        b"FNX:2",
        b"D",
        b"",
    ];
    lines.extend(edge.iter().map(|l| l.to_vec()));
    let mut taken = 0;
    for line in &lines {
        let mut fast = Record::default();
        if fast.fast(line).is_none() {
            continue;
        }
        taken += 1;
        let general = general(line);
        assert_eq!(
            Some(&fast),
            general.as_ref(),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
    assert!(taken > 1000, "{taken}");
}

#[test]
fn errors_after_many_batches_name_their_line() {
    // Records go to the second stage in batches; an error is still the first in the file, at its
    // line, and the files before it do not hide it.
    // Larger than one buffer, so the records are read on a second thread.
    let n = BATCH * 40 + 3;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "TN:\nSF:src/f{i}.c\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nend_of_record\n"
        ));
    }
    assert!(text.len() > 2 * super::super::source::CHUNK);
    let lines_before = text.lines().count();
    let good = parse_str(&text).unwrap();
    assert_eq!(good.files.len(), n);
    assert_eq!(
        good.totals.lines,
        Some(Counter::new(n as u64, 2 * n as u64))
    );
    let e = err(&format!("{text}SF:src/bad.c\nDA:1,x\nend_of_record\n"));
    assert!(
        e.contains(&format!(
            "line {}: expected `DA:<line>,<count>`",
            lines_before + 2
        )),
        "{e}"
    );
    let e = err(&format!("{text}SF:src/cut.c\nDA:1,1\n"));
    assert!(
        e.contains(&format!(
            "line {}: the file ends inside the record",
            lines_before + 2
        )),
        "{e}"
    );
}

/// `cat a.info b.info` where `a.info` has no final newline (cargo-llvm-cov writes none): the
/// next file's first line is glued to `end_of_record`.
#[test]
fn end_of_record_glued_to_the_next_files_first_line() {
    let fixture = |p: &str| {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/coverage")
                .join(p),
        )
        .unwrap()
    };
    let read = |name: &str, bytes: &[u8]| parse_reader(name, bytes, Format::Lcov).unwrap();
    let llvm = fixture("cargo-llvm-cov/stable/lcov.info");
    assert!(
        !llvm.ends_with(b"\n"),
        "cargo-llvm-cov writes no final newline"
    );
    for second in ["lcov/lcov.info", "cargo-llvm-cov/branch/lcov.info"] {
        let other = fixture(second);
        let glued = [llvm.as_slice(), other.as_slice()].concat();
        let first_line = other.split(|&b| b == b'\n').next().unwrap();
        let at = format!("end_of_record{}", String::from_utf8_lossy(first_line));
        assert!(glued.windows(at.len()).any(|w| w == at.as_bytes()), "{at}");
        // lcov 1.16 reads `end_of_recordTN:` as the end of the record (`lcov --summary`:
        // lines 114 of 141, functions 21 of 29, branches 22 of 36 — the two files' figures
        // added, lines recounted from `DA`); a glued `SF:` opens the next record.
        let r = read("merged.info", &glued);
        let separately =
            crate::report::coverage::merge(vec![read("a.info", &llvm), read("b.info", &other)])
                .unwrap();
        assert_eq!(r.files, separately.files, "{second}");
        assert_eq!(r.totals, separately.totals, "{second}");
    }
    // Branches are the one figure both read alike here (lines and functions differ as they do
    // for the cargo-llvm-cov file alone: see tests/fixtures/coverage/README.md).
    let r = read(
        "merged.info",
        &[llvm.as_slice(), &fixture("lcov/lcov.info")].concat(),
    );
    assert_eq!(r.totals.branches, Some(Counter::new(22, 36)));
    // Anything else glued to it is still an error, located.
    let e = parse_reader(
        "x.info",
        &b"SF:a\nDA:1,1\nend_of_recordDA:2,1\n"[..],
        Format::Lcov,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "coverage report `x.info`: line 3: expected a line break after `end_of_record`, found `DA:2,1`"
    );
}
