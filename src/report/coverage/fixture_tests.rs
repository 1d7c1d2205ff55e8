//! Tests against reports written by the real tools (`tests/fixtures/coverage/<tool>/`): the
//! totals and native figures must be exactly the numbers each tool printed, as recorded in the
//! READMEs next to the fixtures.

use std::path::PathBuf;

use super::native::{
    coveragepy_percent, go_percent, istanbul_percent, jacoco_percent, llvm_cov_percent,
};
use super::*;

pub(super) fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/coverage")
        .join(relative)
}

pub(super) fn load(relative: &str) -> CoverageReport {
    parse_file(&path(relative), None).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

pub(super) fn c(covered: u64, total: u64) -> Option<Counter> {
    Some(Counter::new(covered, total))
}

fn native(r: &CoverageReport) -> (Metric, u64, u64, &str) {
    let n = r.native.as_ref().expect("a native figure");
    (n.metric, n.covered, n.total, n.percent.as_str())
}

/// The file whose key ends with `suffix`.
fn file<'a>(r: &'a CoverageReport, suffix: &str) -> &'a FileCoverage {
    let mut hits = r.files.iter().filter(|(k, _)| k.ends_with(suffix));
    let (_, f) = hits
        .next()
        .unwrap_or_else(|| panic!("no file ending in {suffix}"));
    assert!(hits.next().is_none(), "several files end in {suffix}");
    f
}

#[test]
fn coveragepy_line_mode() {
    // `coverage report`: TOTAL 60 20 67%; `--precision=2`: 66.67%.
    for relative in [
        "coveragepy/line/coverage.xml",
        "coveragepy/line/coverage.json",
    ] {
        let r = load(relative);
        assert_eq!(r.totals.lines, c(40, 60), "{relative}");
        assert_eq!(r.source.tool, Some(Tool::CoveragePy));
        assert_eq!(r.source.tool_version.as_deref(), Some("7.17.3"));
        assert_eq!(native(&r), (Metric::Statements, 40, 60, "67"), "{relative}");
        // Per-file "Cover" column: __init__ 100%, cli 0%, inventory 77%, pricing 86%.
        for (suffix, percent) in [
            ("__init__.py", "100"),
            ("cli.py", "0"),
            ("inventory.py", "77"),
            ("pricing.py", "86"),
        ] {
            let lines = file(&r, suffix).totals.lines.unwrap();
            assert_eq!(
                coveragepy_percent(lines, lines.total, 0),
                percent,
                "{relative} {suffix}"
            );
        }
    }
    assert_eq!(coveragepy_percent(Counter::new(40, 60), 60, 2), "66.67");
    let xml = load("coveragepy/line/coverage.xml");
    assert_eq!(xml.totals.branches, c(0, 0));
    assert_eq!(xml.source_roots, ["/home/runner/work/pyshop/pyshop/pyshop"]);
    let lcov = load("coveragepy/line/coverage.lcov");
    assert_eq!(
        (
            lcov.totals.lines,
            lcov.totals.functions,
            lcov.totals.branches
        ),
        (c(40, 60), c(7, 9), None)
    );
}

#[test]
fn coveragepy_branch_mode() {
    // `coverage report`: TOTAL 60 20 28 6 66%; `--precision=2`: 65.91% = (40 + 18) / (60 + 28).
    for relative in [
        "coveragepy/branch/coverage.xml",
        "coveragepy/branch/coverage.json",
    ] {
        let r = load(relative);
        assert_eq!(
            (r.totals.lines, r.totals.branches),
            (c(40, 60), c(18, 28)),
            "{relative}"
        );
        assert_eq!(
            native(&r),
            (Metric::StatementsAndBranches, 58, 88, "66"),
            "{relative}"
        );
        // Per-file: __init__ 100%, cli 0%, inventory 71%, pricing 83%.
        for (suffix, percent) in [
            ("__init__.py", "100"),
            ("cli.py", "0"),
            ("inventory.py", "71"),
            ("pricing.py", "83"),
        ] {
            let t = file(&r, suffix).totals;
            let statements = t.lines.unwrap();
            let combined = statements + t.branches.unwrap_or_default();
            assert_eq!(
                coveragepy_percent(combined, statements.total, 0),
                percent,
                "{relative} {suffix}"
            );
        }
    }
    assert_eq!(coveragepy_percent(Counter::new(58, 88), 60, 2), "65.91");
    let lcov = load("coveragepy/branch/coverage.lcov");
    assert_eq!(
        (
            lcov.totals.lines,
            lcov.totals.branches,
            lcov.totals.functions
        ),
        (c(40, 60), c(18, 28), c(7, 9))
    );
    // `BRDA:10,0,jump to line 11,-` on cli.py's line 10: two branches, never reached.
    assert_eq!(file(&lcov, "cli.py").branches[&10], Counter::new(0, 2));
}

#[test]
fn c8_and_nyc() {
    // c8 text-summary: Statements 75.29% (64/85), Branches 71.42% (15/21), Functions 80% (8/10).
    let s = load("c8/coverage-summary.json");
    assert_eq!(native(&s), (Metric::Lines, 64, 85, "75.29"));
    assert_eq!(
        (s.totals.statements, s.totals.branches, s.totals.functions),
        (c(64, 85), c(15, 21), c(8, 10))
    );
    assert_eq!(istanbul_percent(s.totals.branches.unwrap()), "71.42");
    assert_eq!(istanbul_percent(s.totals.functions.unwrap()), "80");
    // Per-file rows: cart.js 89.18 / 88.88 / 80, price.js 93.93 / 63.63 / 100, report.js 0.
    for (suffix, stmts, branch, funcs) in [
        ("cart.js", "89.18", "88.88", "80"),
        ("price.js", "93.93", "63.63", "100"),
        ("report.js", "0", "0", "0"),
    ] {
        let t = file(&s, suffix).totals;
        let got = [t.statements, t.branches, t.functions].map(|m| istanbul_percent(m.unwrap()));
        assert_eq!(got, [stmts, branch, funcs], "{suffix}");
    }
    let lcov = load("c8/lcov.info");
    assert_eq!(
        (
            lcov.totals.lines,
            lcov.totals.branches,
            lcov.totals.functions
        ),
        (c(64, 85), c(15, 21), c(8, 10))
    );
    let xml = load("c8/cobertura-coverage.xml");
    assert_eq!(
        (xml.totals.lines, xml.totals.branches),
        (c(64, 85), c(15, 21))
    );

    // nyc: All files 61.76 | 75 | 70 | 61.76.
    let s = load("nyc/coverage-summary.json");
    assert_eq!(native(&s), (Metric::Lines, 21, 34, "61.76"));
    assert_eq!(istanbul_percent(s.totals.branches.unwrap()), "75");
    assert_eq!(istanbul_percent(s.totals.functions.unwrap()), "70");
    let lcov = load("nyc/lcov.info");
    assert_eq!(
        (
            lcov.totals.lines,
            lcov.totals.branches,
            lcov.totals.functions
        ),
        (c(21, 34), c(15, 20), c(7, 10))
    );
    let xml = load("nyc/cobertura-coverage.xml");
    assert_eq!(
        (xml.totals.lines, xml.totals.branches),
        (c(21, 34), c(15, 20))
    );
}

#[test]
fn cargo_llvm_cov() {
    // TOTAL 145 24 83.45% 14 1 92.86% 89 15 83.15% (regions, functions, lines).
    for relative in [
        "cargo-llvm-cov/stable/llvm-cov.json",
        "cargo-llvm-cov/stable/llvm-cov-summary.json",
        "cargo-llvm-cov/branch/llvm-cov.json",
    ] {
        let r = load(relative);
        assert_eq!(native(&r), (Metric::Lines, 74, 89, "83.15"), "{relative}");
        assert_eq!(
            llvm_cov_percent(r.totals.regions.unwrap()).as_deref(),
            Some("83.45")
        );
        assert_eq!(
            llvm_cov_percent(r.totals.functions.unwrap()).as_deref(),
            Some("92.86")
        );
        assert_eq!(r.source.tool_version.as_deref(), Some("3.1.0"));
        // Per-file line Cover: inventory 75.00%, lib 85.00%, pricing 93.10%.
        for (suffix, percent) in [
            ("inventory.rs", "75.00"),
            ("lib.rs", "85.00"),
            ("pricing.rs", "93.10"),
        ] {
            let lines = file(&r, suffix).totals.lines.unwrap();
            assert_eq!(
                llvm_cov_percent(lines).as_deref(),
                Some(percent),
                "{relative} {suffix}"
            );
        }
    }
    let stable = load("cargo-llvm-cov/stable/llvm-cov.json");
    assert_eq!(stable.totals.branches, c(0, 0));
    assert_eq!(
        llvm_cov_percent(stable.totals.branches.unwrap()),
        None,
        "printed as `-`"
    );
    assert!(
        load("cargo-llvm-cov/stable/llvm-cov-summary.json")
            .files
            .values()
            .all(|f| f.lines.is_empty())
    );
    // --branch: Branches 20, Missed 8, 60.00%; per file 62.50%, 50.00%, 62.50%.
    let branch = load("cargo-llvm-cov/branch/llvm-cov.json");
    assert_eq!(
        llvm_cov_percent(branch.totals.branches.unwrap()).as_deref(),
        Some("60.00")
    );
    for (suffix, percent) in [
        ("inventory.rs", "62.50"),
        ("lib.rs", "50.00"),
        ("pricing.rs", "62.50"),
    ] {
        let f = file(&branch, suffix);
        assert_eq!(
            llvm_cov_percent(f.totals.branches.unwrap()).as_deref(),
            Some(percent),
            "{suffix}"
        );
        assert_eq!(
            Some(f.branch_counter()),
            f.totals.branches,
            "{suffix}: per-line branches add up"
        );
    }
    // lcov: LF/LH are llvm-cov's summary (89/74) even though only 88 DA lines (73 hit) exist.
    let lcov = load("cargo-llvm-cov/branch/lcov.info");
    assert_eq!(
        (
            lcov.totals.lines,
            lcov.totals.branches,
            lcov.totals.functions
        ),
        (c(74, 89), c(12, 20), c(13, 14))
    );
    assert_eq!(
        load("cargo-llvm-cov/branch/cobertura.xml").totals.lines,
        c(73, 88)
    );
}

#[test]
fn llvm_line_data_matches_llvm_covs_own_line_output() {
    // The lines derived from segments are exactly the DA lines llvm-cov exported to lcov, and
    // the per-line branches exactly its BRDA lines.
    let json = load("cargo-llvm-cov/branch/llvm-cov.json");
    let lcov = load("cargo-llvm-cov/branch/lcov.info");
    assert_eq!(
        json.files.keys().collect::<Vec<_>>(),
        lcov.files.keys().collect::<Vec<_>>()
    );
    for (name, from_json) in &json.files {
        let from_lcov = &lcov.files[name];
        assert_eq!(from_json.lines, from_lcov.lines, "{name}");
        assert_eq!(from_json.branches, from_lcov.branches, "{name}");
    }
}

#[test]
fn go_profiles() {
    // `go tool cover -func`: total (statements) 61.7%; per package 55.6%, 47.1%, 91.7%.
    for relative in [
        "go/cover-set.out",
        "go/cover-count.out",
        "go/cover-atomic.out",
    ] {
        let r = load(relative);
        assert_eq!(
            native(&r),
            (Metric::Statements, 29, 47, "61.7"),
            "{relative}"
        );
        let blocks: usize = r.files.values().map(|f| f.blocks.len()).sum();
        assert_eq!(blocks, 34, "{relative}");
        for (suffix, percent) in [
            ("inventory/inventory.go", "55.6"),
            ("pricing/pricing.go", "47.1"),
            ("report/report.go", "91.7"),
        ] {
            let statements = file(&r, suffix).totals.statements.unwrap();
            assert_eq!(
                go_percent(statements).as_deref(),
                Some(percent),
                "{relative} {suffix}"
            );
        }
    }
    // -coverpkg: every block three times; merged as go tool cover does: total 80.9%.
    for (relative, max_count) in [
        ("go/cover-coverpkg.out", 1),
        ("go/cover-coverpkg-count.out", 4),
    ] {
        let r = load(relative);
        assert_eq!(
            native(&r),
            (Metric::Statements, 38, 47, "80.9"),
            "{relative}"
        );
        let blocks: Vec<&Block> = r.files.values().flat_map(|f| &f.blocks).collect();
        assert_eq!(blocks.len(), 34, "{relative}");
        assert_eq!(
            blocks.iter().map(|b| b.count).max(),
            Some(max_count),
            "{relative}"
        );
    }
    assert_eq!(
        load("go/cover-count.out").source.go_mode,
        Some(GoMode::Count)
    );
}

#[test]
fn jacoco_report() {
    // HTML Total: instructions 56 of 201 missed 72%, branches 10 of 25 missed 60%, lines 9 of 35
    // missed, methods 2 of 9 missed.
    let r = load("jacoco/jacoco.xml");
    assert_eq!(native(&r), (Metric::Instructions, 145, 201, "72"));
    assert_eq!(
        jacoco_percent(r.totals.branches.unwrap()).as_deref(),
        Some("60")
    );
    assert_eq!((r.totals.lines, r.totals.functions), (c(26, 35), c(7, 9)));
    // Package page: Inventory 70% / 70%, Pricing 75% / 53%.
    for (key, instructions, branches) in [
        ("shop/Inventory.java", "70", "70"),
        ("shop/Pricing.java", "75", "53"),
    ] {
        let t = r.files[key].totals;
        assert_eq!(
            jacoco_percent(t.instructions.unwrap()).as_deref(),
            Some(instructions),
            "{key}"
        );
        assert_eq!(
            jacoco_percent(t.branches.unwrap()).as_deref(),
            Some(branches),
            "{key}"
        );
        assert_eq!(
            Some(r.files[key].line_counter()),
            t.lines,
            "{key}: line data agrees with LINE"
        );
    }
    let lines: usize = r.files.values().map(|f| f.lines.len()).sum();
    assert_eq!(lines, 35);
}

#[test]
fn lcov_and_gcovr() {
    // lcov --summary: lines 77.4% (41 of 53), functions 88.9% (8 of 9), branches 61.1% (22 of 36).
    for relative in ["lcov/lcov.info", "gcovr/gcovr.lcov"] {
        let r = load(relative);
        assert_eq!(
            (r.totals.lines, r.totals.functions, r.totals.branches),
            (c(41, 53), c(8, 9), c(22, 36)),
            "{relative}"
        );
    }
    let xml = load("gcovr/gcovr-cobertura.xml");
    assert_eq!(
        (xml.totals.lines, xml.totals.branches),
        (c(41, 53), c(22, 36))
    );
    let lcov = load("lcov/lcov.info");
    let gcovr = load("gcovr/gcovr.lcov");
    let lines = |r: &CoverageReport| {
        r.files
            .values()
            .map(|f| f.line_counter())
            .fold(Counter::default(), |a, b| a + b)
    };
    assert_eq!(
        lines(&lcov),
        lines(&gcovr),
        "geninfo and gcovr saw the same run"
    );
}
