//! Each producing tool's own headline figure, rendered digit for digit the way that tool prints it.
//!
//! Users compare our output with the line their tool printed in the CI log; a figure that differs
//! in the last digit reads as a bug. So every rule below follows the tool's source, and rounding
//! is done in integers wherever that gives the same digits as the tool's floating point (the doc
//! comment of each function says why it does). These strings are for display only: pass/fail
//! decisions use the integer counters.

use super::model::{Counter, Metric, Native, Tool, Totals};

/// The headline of a report written by `tool`, from the report-level totals.
///
/// The metric is the one the tool puts first: coverage.py's combined statement+branch "Cover"
/// column, llvm-cov's line coverage (what `cargo llvm-cov --fail-under-lines` checks), Go's
/// statement coverage, istanbul's line coverage (the c8/nyc/jest `% Lines` column), JaCoCo's
/// instruction coverage (the first column of its HTML report). `coveragepy_precision` is the
/// number of decimals coverage.py was configured with, when the report reveals it.
pub fn headline(tool: Tool, totals: &Totals, coveragepy_precision: Option<u32>) -> Option<Native> {
    let (metric, counter, percent) = match tool {
        Tool::CoveragePy => {
            let statements = totals.statements.or(totals.lines)?;
            let branches = totals.branches.unwrap_or_default();
            let combined = statements + branches;
            let metric = if branches.total > 0 {
                Metric::StatementsAndBranches
            } else {
                Metric::Statements
            };
            let precision = coveragepy_precision.unwrap_or(0);
            let percent = coveragepy_percent(combined, statements.total, precision);
            (metric, combined, Some(percent))
        }
        Tool::LlvmCov => {
            let lines = totals.lines?;
            (Metric::Lines, lines, llvm_cov_percent(lines))
        }
        Tool::Go => {
            let statements = totals.statements?;
            (Metric::Statements, statements, go_percent(statements))
        }
        Tool::Istanbul => {
            let lines = totals.lines?;
            (Metric::Lines, lines, Some(istanbul_percent(lines)))
        }
        Tool::Jacoco => {
            let instructions = totals.instructions?;
            (
                Metric::Instructions,
                instructions,
                jacoco_percent(instructions),
            )
        }
        Tool::PhpUnit => {
            let lines = totals.lines?;
            (Metric::Lines, lines, phpunit_percent(lines))
        }
        Tool::SimpleCov => {
            let lines = totals.lines?;
            (Metric::Lines, lines, Some(simplecov_percent(lines)))
        }
        Tool::Gcovr => {
            let lines = totals.lines?;
            (Metric::Lines, lines, gcovr_percent(lines))
        }
    };
    Some(Native {
        tool,
        metric,
        covered: counter.covered,
        total: counter.total,
        percent: percent?,
    })
}

/// coverage.py's "Cover" figure (`coverage/results.py`).
///
/// `Numbers.pc_covered` is `100.0 * (executed + executed_branches) / (statements + branches)`,
/// or `100.0` when there are no statements at all; `display_covered(pc, precision)` then rounds
/// with Python's `round(pc, precision)` (half to even) except that a value in `(0, 10^-p)` shows
/// as `10^-p` and a value in `(100 - 10^-p, 100)` as `100 - 10^-p`, so "0" and "100" only ever
/// mean exactly 0 and exactly 100. Python rounds the double `100.0 * n / d`, which is the exact
/// quotient correctly rounded once; it lies on the same side of every rounding midpoint as the
/// exact quotient (or on the midpoint exactly when the quotient is one), so half-to-even on the
/// exact rational in integers gives the same digits.
pub fn coveragepy_percent(counter: Counter, statements: u64, precision: u32) -> String {
    let precision = precision.min(9);
    let scale = 10u128.pow(precision);
    if statements == 0 || counter.total == 0 {
        return fixed(100 * scale, precision);
    }
    let mut units = round_half_even(u128::from(counter.covered) * 100 * scale, counter.total);
    if counter.covered > 0 && units == 0 {
        units = 1;
    } else if counter.covered < counter.total && units >= 100 * scale {
        units = 100 * scale - 1;
    }
    fixed(units, precision)
}

/// llvm-cov's percentage (`llvm-cov report`, `CoverageReport.cpp`): printed with `%.2f` from
/// `double(Covered) / double(Total) * 100.0` (`getPercentCovered`), and as `-` when there is
/// nothing to cover. That double is rounded twice (the division, then the product), so near a
/// midpoint it can sit on either side of it; integers cannot reproduce that, so this mirrors the
/// C++ expression in `f64`. Rust's `{:.2}` and glibc's `%.2f` both round the exact binary value,
/// half to even on exact ties.
pub fn llvm_cov_percent(counter: Counter) -> Option<String> {
    if counter.total == 0 {
        return None;
    }
    let pct = counter.covered as f64 / counter.total as f64 * 100.0;
    Some(format!("{pct:.2}"))
}

/// Go's `coverage: 75.0% of statements` (`testing/cover.go`, `internal/coverage/cformat`):
/// `fmt.Printf("%.1f%%", 100*float64(covered)/float64(total))`, and `[no statements]` when the
/// total is zero. `100*float64(covered)` is exact, so the double is the exact quotient rounded
/// once and half-to-even on the exact rational gives the same digits as Go's `%.1f`.
pub fn go_percent(counter: Counter) -> Option<String> {
    if counter.total == 0 {
        return None;
    }
    let tenths = round_half_even(u128::from(counter.covered) * 1000, counter.total);
    Some(fixed(tenths, 1))
}

/// istanbul's `pct` (istanbul-lib-coverage `percent.js`, used by c8, nyc and jest): truncated,
/// not rounded, to two decimals: `Math.floor((1000 * 100 * covered) / total / 10) / 100`, and
/// `100` when there is nothing to cover. The text reporter prints the JavaScript number as is,
/// so trailing zeros vanish (`85`, `87.5`, `66.66`). The floor of the exact rational equals the
/// floor of those doubles for any realistic total (the error of the doubles is far below `1/total`).
pub fn istanbul_percent(counter: Counter) -> String {
    if counter.total == 0 {
        return "100".to_owned();
    }
    let hundredths = u128::from(counter.covered) * 10_000 / u128::from(counter.total);
    let (whole, frac) = (hundredths / 100, hundredths % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

/// JaCoCo's HTML "Cov." column (`org.jacoco.report.internal.html.table.PercentageColumn`):
/// `BigDecimal.valueOf(covered / total).setScale(2, RoundingMode.FLOOR)` formatted as a whole
/// percent, so 199 of 200 shows `99%`, never `100%`; `n/a` when there is nothing to cover.
/// `BigDecimal.valueOf` starts from the shortest decimal of the double, which cannot cross a
/// hundredth boundary the exact ratio does not cross, so the integer floor is the same.
pub fn jacoco_percent(counter: Counter) -> Option<String> {
    if counter.total == 0 {
        return None;
    }
    let whole = u128::from(counter.covered) * 100 / u128::from(counter.total);
    Some(whole.to_string())
}

/// PHPUnit's text report (php-code-coverage `Util\Percentage::asString`):
/// `sprintf('%01.2F%%', fraction / total * 100)`, and nothing when there is nothing to cover.
/// PHP formats the double with correct rounding of its exact binary value, as Rust's `{:.2}`
/// does.
pub fn phpunit_percent(counter: Counter) -> Option<String> {
    if counter.total == 0 {
        return None;
    }
    let pct = counter.covered as f64 / counter.total as f64 * 100.0;
    Some(format!("{pct:.2}"))
}

/// SimpleCov's `covered_percent.round(2)` as simplecov-html prints it ("83.87", "68.0"):
/// `covered * 100.0 / total` (100.0 when there is nothing to cover), rounded by Ruby's
/// `Float#round(2)` (half away from zero, with Ruby's check that the scaled value is not an
/// artefact of the multiplication), printed as Ruby prints a Float (shortest form, at least
/// one decimal).
pub fn simplecov_percent(counter: Counter) -> String {
    let x = if counter.total == 0 {
        100.0
    } else {
        counter.covered as f64 * 100.0 / counter.total as f64
    };
    // ruby/float.c `round_half_up(x, s)` with s = 100.
    let mut f = (x * 100.0).round();
    if (f + 0.5) / 100.0 <= x {
        f += 1.0;
    }
    let rounded = f / 100.0;
    let shown = format!("{rounded}");
    if shown.contains('.') {
        shown
    } else {
        format!("{shown}.0")
    }
}

/// gcovr's summary (`lines: 77.4% (41 out of 53)`, `CoverageStat.percent_or`): 100.0 only when
/// everything is covered, otherwise `round(100.0 * covered / total, 1)` capped at 99.9, printed
/// with one decimal; nothing when the total is 0. Python's `round` to one decimal and Rust's
/// `{:.1}` both round the double's exact value correctly.
pub fn gcovr_percent(counter: Counter) -> Option<String> {
    if counter.total == 0 {
        return None;
    }
    if counter.covered == counter.total {
        return Some("100.0".to_owned());
    }
    let pct = counter.covered as f64 / counter.total as f64 * 100.0;
    let shown = format!("{pct:.1}");
    Some(if shown == "100.0" {
        "99.9".to_owned()
    } else {
        shown
    })
}

/// `numerator / denominator` rounded half to even; `denominator` is non-zero.
fn round_half_even(numerator: u128, denominator: u64) -> u128 {
    let d = u128::from(denominator);
    let (q, r) = (numerator / d, numerator % d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// `units` hundredths/tenths/... as a fixed-point decimal with `precision` digits.
fn fixed(units: u128, precision: u32) -> String {
    if precision == 0 {
        return units.to_string();
    }
    let scale = 10u128.pow(precision);
    format!(
        "{}.{:0width$}",
        units / scale,
        units % scale,
        width = precision as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(covered: u64, total: u64) -> Counter {
        Counter::new(covered, total)
    }

    #[test]
    fn coveragepy_rounds_half_even_and_never_shows_0_or_100_unless_exact() {
        // The figures coverage.py 7.17.3 printed for the fixture project: 40/60 and 58/88.
        assert_eq!(coveragepy_percent(c(40, 60), 60, 0), "67");
        assert_eq!(coveragepy_percent(c(40, 60), 60, 2), "66.67");
        assert_eq!(coveragepy_percent(c(58, 88), 60, 0), "66");
        assert_eq!(coveragepy_percent(c(58, 88), 60, 2), "65.91");
        // Python's round(): 62.5 -> 62, 63.5 -> 64.
        assert_eq!(coveragepy_percent(c(5, 8), 8, 0), "62");
        assert_eq!(coveragepy_percent(c(127, 200), 200, 0), "64");
        assert_eq!(coveragepy_percent(c(1, 1000), 1000, 0), "1");
        assert_eq!(coveragepy_percent(c(999, 1000), 1000, 0), "99");
        assert_eq!(coveragepy_percent(c(9999, 10000), 10000, 1), "99.9");
        assert_eq!(coveragepy_percent(c(0, 10), 10, 0), "0");
        assert_eq!(coveragepy_percent(c(10, 10), 10, 0), "100");
        assert_eq!(coveragepy_percent(c(0, 0), 0, 0), "100");
        assert_eq!(coveragepy_percent(c(0, 0), 0, 2), "100.00");
    }

    #[test]
    fn coveragepy_matches_python_float_rounding_for_small_totals() {
        // Python's round() on the double 100.0*n/d is emulated here by rounding the f64 through
        // its exact decimal expansion (Rust's `{:.0}` is half-even on exact ties, like Python).
        for d in 1..=400u64 {
            for n in 1..d {
                let pc = 100.0 * n as f64 / d as f64;
                let expected = format!("{pc:.0}");
                let expected = match expected.as_str() {
                    "0" => "1".to_owned(),
                    "100" => "99".to_owned(),
                    _ => expected,
                };
                assert_eq!(coveragepy_percent(c(n, d), d, 0), expected, "{n}/{d}");
            }
        }
    }

    #[test]
    fn llvm_cov_prints_two_decimals_or_nothing() {
        assert_eq!(llvm_cov_percent(c(2, 3)).as_deref(), Some("66.67"));
        assert_eq!(llvm_cov_percent(c(1, 8)).as_deref(), Some("12.50"));
        assert_eq!(llvm_cov_percent(c(7, 7)).as_deref(), Some("100.00"));
        assert_eq!(llvm_cov_percent(c(0, 0)), None);
    }

    #[test]
    fn go_prints_one_decimal_like_printf() {
        assert_eq!(go_percent(c(3, 4)).as_deref(), Some("75.0"));
        assert_eq!(go_percent(c(2, 3)).as_deref(), Some("66.7"));
        assert_eq!(go_percent(c(0, 0)), None);
        for t in 1..=600u64 {
            for n in 0..=t {
                let expected = format!("{:.1}", 100.0 * n as f64 / t as f64);
                assert_eq!(go_percent(c(n, t)).as_deref(), Some(&*expected), "{n}/{t}");
            }
        }
    }

    #[test]
    fn istanbul_truncates_to_two_decimals() {
        // c8 12.0.0 on the fixture project printed 73.91, 85, 66.66.
        assert_eq!(istanbul_percent(c(51, 69)), "73.91");
        assert_eq!(istanbul_percent(c(17, 20)), "85");
        assert_eq!(istanbul_percent(c(6, 9)), "66.66");
        assert_eq!(istanbul_percent(c(7, 8)), "87.5");
        assert_eq!(istanbul_percent(c(199, 200)), "99.5");
        assert_eq!(istanbul_percent(c(9999, 10000)), "99.99");
        assert_eq!(istanbul_percent(c(99999, 100000)), "99.99");
        assert_eq!(istanbul_percent(c(0, 5)), "0");
        assert_eq!(istanbul_percent(c(0, 0)), "100");
        for t in 1..=600u64 {
            for n in 0..=t {
                let tmp = (1000.0 * 100.0 * n as f64) / t as f64;
                let js = (tmp / 10.0).floor() / 100.0;
                // JavaScript prints the shortest round-trip form, as Rust's `{}` does.
                assert_eq!(istanbul_percent(c(n, t)), format!("{js}"), "{n}/{t}");
            }
        }
    }

    #[test]
    fn jacoco_floors_to_whole_percent() {
        assert_eq!(jacoco_percent(c(199, 200)).as_deref(), Some("99"));
        assert_eq!(jacoco_percent(c(29, 100)).as_deref(), Some("29"));
        assert_eq!(jacoco_percent(c(2, 3)).as_deref(), Some("66"));
        assert_eq!(jacoco_percent(c(0, 0)), None);
    }

    #[test]
    fn phpunit_simplecov_and_gcovr_print_their_way() {
        // PHPUnit 9.6.7 on the fixture: `Lines: 68.00% (17/25)`, `Methods: 50.00% (4/8)`.
        assert_eq!(phpunit_percent(c(17, 25)).as_deref(), Some("68.00"));
        assert_eq!(phpunit_percent(c(10, 15)).as_deref(), Some("66.67"));
        assert_eq!(phpunit_percent(c(0, 0)), None);
        // SimpleCov 0.22.0: `26 / 31 LOC (83.87%)`, branches 5 / 11 (45.45%).
        assert_eq!(simplecov_percent(c(26, 31)), "83.87");
        assert_eq!(simplecov_percent(c(5, 11)), "45.45");
        assert_eq!(simplecov_percent(c(17, 25)), "68.0");
        assert_eq!(simplecov_percent(c(3, 3)), "100.0");
        assert_eq!(simplecov_percent(c(0, 0)), "100.0");
        assert_eq!(simplecov_percent(c(1, 8)), "12.5");
        // gcovr 8.8: `lines: 77.4% (41 out of 53)`, `functions: 88.9% (8 out of 9)`.
        assert_eq!(gcovr_percent(c(41, 53)).as_deref(), Some("77.4"));
        assert_eq!(gcovr_percent(c(8, 9)).as_deref(), Some("88.9"));
        assert_eq!(gcovr_percent(c(9999, 10000)).as_deref(), Some("99.9"));
        assert_eq!(gcovr_percent(c(5, 5)).as_deref(), Some("100.0"));
        assert_eq!(gcovr_percent(c(0, 0)), None);
    }

    #[test]
    fn headline_picks_each_tools_metric() {
        let totals = Totals {
            lines: Some(c(40, 60)),
            branches: Some(c(18, 28)),
            ..Totals::default()
        };
        let n = headline(Tool::CoveragePy, &totals, None).unwrap();
        assert_eq!(
            (n.metric, n.covered, n.total, n.percent.as_str()),
            (Metric::StatementsAndBranches, 58, 88, "66")
        );
        let line_mode = Totals {
            lines: Some(c(40, 60)),
            branches: Some(c(0, 0)),
            ..Totals::default()
        };
        let n = headline(Tool::CoveragePy, &line_mode, Some(2)).unwrap();
        assert_eq!(
            (n.metric, n.percent.as_str()),
            (Metric::Statements, "66.67")
        );
        assert_eq!(headline(Tool::Jacoco, &totals, None), None);
        let go = Totals {
            statements: Some(c(0, 0)),
            ..Totals::default()
        };
        assert_eq!(headline(Tool::Go, &go, None), None, "[no statements]");
    }
}
