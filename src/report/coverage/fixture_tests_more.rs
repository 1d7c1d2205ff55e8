//! Tests against the reports of the formats read since issue 19, written by the real tools
//! (`tests/fixtures/coverage/<tool>/`): totals and native figures are the numbers each tool
//! printed, as recorded in the READMEs (and `console*.txt`) next to the fixtures.

use super::fixture_tests::{c, load};
use super::*;

fn native(r: &CoverageReport) -> (Metric, u64, u64, &str) {
    let n = r.native.as_ref().expect("a native figure");
    (n.metric, n.covered, n.total, n.percent.as_str())
}

#[test]
fn istanbul_clover_and_coverage_final_from_nyc_and_c8() {
    // nyc 18.0.0: Statements 21/34, Branches 15/20, Functions 7/10, Lines 21/34 (61.76%).
    // c8 12.0.0: Statements 64/85, Branches 15/21, Functions 8/10, Lines 64/85 (75.29%).
    for (dir, s, b, f, l, pct) in [
        ("nyc", (21, 34), (15, 20), (7, 10), (21, 34), "61.76"),
        ("c8", (64, 85), (15, 21), (8, 10), (64, 85), "75.29"),
    ] {
        for (name, format) in [
            ("clover.xml", Format::Clover),
            ("coverage-final.json", Format::IstanbulJson),
        ] {
            let relative = format!("{dir}/{name}");
            let r = load(&relative);
            assert_eq!(r.source.format, format, "{relative}");
            assert_eq!(r.totals.statements, c(s.0, s.1), "{relative}");
            assert_eq!(r.totals.branches, c(b.0, b.1), "{relative}");
            assert_eq!(r.totals.functions, c(f.0, f.1), "{relative}");
            assert_eq!(r.totals.lines, c(l.0, l.1), "{relative}");
            assert_eq!(r.source.tool, Some(Tool::Istanbul), "{relative}");
            assert_eq!(native(&r), (Metric::Lines, l.0, l.1, pct), "{relative}");
            assert_eq!(r.files.len(), 3, "{relative}");
            assert!(
                r.source.warnings.is_empty(),
                "{relative}: {:?}",
                r.source.warnings
            );
        }
    }
    // Per file, nyc's table: cart.js 78.57 / 88.88 / 80 / 78.57.
    let r = load("nyc/clover.xml");
    let cart = &r.files["/home/runner/work/jsshop/jsshop/src/cart.js"];
    assert_eq!(cart.totals.statements, c(11, 14));
    assert_eq!(cart.totals.branches, c(8, 9));
    assert_eq!(cart.totals.functions, c(4, 5));
    assert_eq!(cart.totals.lines, c(11, 14));
}

#[test]
fn phpunit_clover() {
    // PHPUnit 9.6.7 + pcov: Methods 50.00% (4/8), Lines 68.00% (17/25);
    // Shop\Cart Methods 3/5 Lines 10/15, Shop\Price Methods 1/3 Lines 7/10.
    let r = load("phpunit/clover.xml");
    assert_eq!(r.source.format, Format::Clover);
    assert_eq!(r.source.tool, Some(Tool::PhpUnit));
    assert_eq!(r.totals.lines, c(17, 25));
    assert_eq!(r.totals.statements, c(17, 25));
    assert_eq!(r.totals.functions, c(4, 8));
    assert_eq!(r.totals.branches, c(0, 0));
    assert_eq!(native(&r), (Metric::Lines, 17, 25, "68.00"));
    let cart = &r.files["/home/runner/work/phpshop/phpshop/src/Cart.php"];
    assert_eq!(
        (cart.totals.lines, cart.totals.functions),
        (c(10, 15), c(3, 5))
    );
    let price = &r.files["/home/runner/work/phpshop/phpshop/src/Price.php"];
    assert_eq!(
        (price.totals.lines, price.totals.functions),
        (c(7, 10), c(1, 3))
    );
    // Method declaration lines are not lines of the figure.
    assert!(!cart.lines.contains_key(&12));
    assert_eq!(cart.lines[&25], 0);
}

#[test]
fn simplecov_resultset() {
    // SimpleCov 0.22.0: `26 / 31 LOC (83.87%) covered`; its coverage_statistics: line 26/31,
    // branch 5/11 (45.45%).
    let r = load("simplecov/resultset.json");
    assert_eq!(r.source.format, Format::Simplecov);
    assert_eq!(r.source.tool, Some(Tool::SimpleCov));
    assert_eq!(r.totals.lines, c(26, 31));
    assert_eq!(r.totals.branches, c(5, 11));
    assert_eq!(native(&r), (Metric::Lines, 26, 31, "83.87"));
    let cart = &r.files["/home/runner/work/rbshop/rbshop/lib/shop/cart.rb"];
    assert_eq!(
        (cart.totals.lines, cart.totals.branches),
        (c(13, 16), c(2, 4))
    );
    // `remove` never ran past its guard: line 19 (`@items.delete`) has 0 hits.
    assert_eq!(cart.lines[&19], 0);
}

#[test]
fn gcovr_json_and_jacoco() {
    // gcovr 8.8: lines 77.4% (41 out of 53), functions 88.9% (8 out of 9), branches 61.1%
    // (22 out of 36); src/inventory.c 37/28, src/pricing.c 16/13.
    let r = load("gcovr/gcovr.json");
    assert_eq!(r.source.format, Format::GcovrJson);
    assert_eq!(r.totals.lines, c(41, 53));
    assert_eq!(r.totals.functions, c(8, 9));
    assert_eq!(r.totals.branches, c(22, 36));
    assert_eq!(native(&r), (Metric::Lines, 41, 53, "77.4"));
    assert_eq!(r.files["src/inventory.c"].totals.lines, c(28, 37));
    assert_eq!(r.files["src/pricing.c"].totals.branches, c(9, 16));

    let r = load("gcovr/gcovr-jacoco.xml");
    assert_eq!(r.source.format, Format::Jacoco);
    assert_eq!(r.totals.lines, c(41, 53));
    assert_eq!(r.totals.functions, c(8, 9));
    assert_eq!(r.totals.branches, c(22, 36));
    assert_eq!(r.files["src/inventory.c"].totals.lines, c(28, 37));
    // Without `ci` no line can be judged: no line data rather than made-up hits.
    assert!(r.files["src/inventory.c"].lines.is_empty());
    assert_eq!(
        r.files["src/pricing.c"].branch_counter(),
        Counter::new(9, 16)
    );
    assert_eq!(r.source.warnings.len(), 1, "{:?}", r.source.warnings);
    assert!(
        r.source.warnings[0].contains("no `ci`"),
        "{:?}",
        r.source.warnings
    );
}

#[test]
fn dotnet_opencover_and_cobertura_built_from_the_formats() {
    // Built from OpenCover's and coverlet's published formats (no .NET SDK here; see
    // dotnet/README.md): 20 sequence points, 14 visited; 8 branch points, 5 visited; 6 methods,
    // 4 visited; 19 lines, 14 covered.
    let r = load("dotnet/opencover.xml");
    assert_eq!(r.source.format, Format::Opencover);
    assert_eq!(r.totals.statements, c(14, 20));
    assert_eq!(r.totals.branches, c(5, 8));
    assert_eq!(r.totals.functions, c(4, 6));
    assert_eq!(r.totals.lines, c(14, 19));
    let price = &r.files["/home/runner/work/netshop/netshop/src/Shop/Price.cs"];
    assert_eq!(price.branches[&7], Counter::new(2, 4));
    assert_eq!(price.totals.statements, c(4, 6));

    let r = load("dotnet/coverlet.cobertura.xml");
    assert_eq!(r.source.format, Format::Cobertura);
    assert_eq!((r.totals.lines, r.totals.branches), (c(14, 19), c(5, 8)));
    // `branch="True"`, as coverlet writes it, has its branches counted per file.
    assert_eq!(r.files["Shop/Price.cs"].totals.branches, c(3, 6));
    assert_eq!(r.files["Shop/Cart.cs"].totals.branches, c(2, 2));
    assert_eq!(r.files["Shop/Price.cs"].branches[&7], Counter::new(2, 4));
}
