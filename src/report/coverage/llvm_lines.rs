//! Line coverage from llvm-cov segments, computed the way llvm-cov itself computes it.
//!
//! llvm-cov's line figures (and the `summary.lines` of its export) come from
//! `LineCoverageIterator` and `LineCoverageStats` (llvm `CoverageMapping.cpp`): every line from
//! the first segment's line to the last one's is visited, carrying the last segment of an
//! earlier line as the "wrapped" segment (a region opened above still covers the line). A line
//! is mapped unless it starts a skipped region, when the wrapped segment has a count or a region
//! starts on it (a segment that is not a gap, has a count and is a region entry), or any segment
//! entering a counted region starts on it. Its count is the wrapped count, raised to the largest
//! count of the regions starting on it. Deriving lines the same way keeps patch coverage
//! consistent with the totals llvm-cov printed.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};

use super::model::collect_lines;

/// Segments may derive at most this many line entries per report, plus
/// [`DERIVED_LINES_PER_SEGMENT`] for each segment read, so memory stays proportional to the
/// input: a small hostile export with segments millions of lines apart cannot build a map of
/// hundreds of megabytes (the Go parser had that flaw, found by fuzzing).
pub const BASE_DERIVED_LINES: u64 = 1024 * 1024;
pub const DERIVED_LINES_PER_SEGMENT: u64 = 64;

/// `[line, col, count, hasCount, isRegionEntry, isGapRegion]` (older exports lack the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub line: u32,
    pub count: u64,
    pub has_count: bool,
    pub is_region_entry: bool,
    pub is_gap_region: bool,
}

impl<'de> Deserialize<'de> for Segment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Segment;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a segment [line, col, count, hasCount, isRegionEntry, isGapRegion]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Segment, A::Error> {
                let short = || serde::de::Error::custom("a segment has fewer than 5 elements");
                let line: u32 = seq.next_element()?.ok_or_else(short)?;
                seq.next_element::<IgnoredAny>()?.ok_or_else(short)?;
                let count: u64 = seq.next_element()?.ok_or_else(short)?;
                let has_count: bool = seq.next_element()?.ok_or_else(short)?;
                let is_region_entry: bool = seq.next_element()?.ok_or_else(short)?;
                let is_gap_region: bool = seq.next_element()?.unwrap_or(false);
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Segment {
                    line,
                    count,
                    has_count,
                    is_region_entry,
                    is_gap_region,
                })
            }
        }
        d.deserialize_seq(V)
    }
}

fn starts_region(s: &Segment) -> bool {
    !s.is_gap_region && s.has_count && s.is_region_entry
}

/// Line → execution count for every mapped line. `budget` is decremented per line produced; an
/// error is returned when it runs out.
pub fn lines_from_segments(
    segments: &[Segment],
    budget: &mut u64,
) -> Result<BTreeMap<u32, u64>, String> {
    let mut out: Vec<(u32, u64)> = Vec::new();
    let mut wrapped: Option<&Segment> = None;
    let mut i = 0;
    while i < segments.len() {
        let line = segments[i].line;
        let start = i;
        while i < segments.len() && segments[i].line == line {
            i += 1;
        }
        let on_line = &segments[start..i];
        let starts = on_line.iter().filter(|s| starts_region(s)).count();
        let skipped = on_line
            .first()
            .is_some_and(|s| !s.has_count && s.is_region_entry);
        let mapped = (!skipped && (wrapped.is_some_and(|w| w.has_count) || starts > 0))
            || on_line.iter().any(|s| s.is_region_entry && s.has_count);
        if mapped {
            let mut count = wrapped.map_or(0, |w| w.count);
            for s in on_line.iter().filter(|s| starts_region(s)) {
                count = count.max(s.count);
            }
            take(budget, 1)?;
            out.push((line, count));
        }
        wrapped = on_line.last();
        // Lines up to the next segment have no segments of their own: each is mapped exactly when
        // the wrapped segment has a count, with the wrapped count.
        if let (Some(w), Some(next)) = (wrapped, segments.get(i))
            && w.has_count
            && next.line > line.saturating_add(1)
        {
            take(budget, u64::from(next.line - line - 1))?;
            out.extend((line + 1..next.line).map(|l| (l, w.count)));
        }
    }
    Ok(collect_lines(out))
}

fn take(budget: &mut u64, n: u64) -> Result<(), String> {
    *budget = budget.checked_sub(n).ok_or_else(|| {
        format!(
            "the segments span more than {BASE_DERIVED_LINES} lines plus \
             {DERIVED_LINES_PER_SEGMENT} per segment in all; this is not a real export"
        )
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(line: u32, count: u64, has_count: bool, entry: bool, gap: bool) -> Segment {
        Segment {
            line,
            count,
            has_count,
            is_region_entry: entry,
            is_gap_region: gap,
        }
    }

    #[test]
    fn function_body_with_an_untaken_branch() {
        // fn f(x) {         line 1: function region entry, count 3
        //     if x {        line 2: the body region starts here, count 0; wrapped count 3
        //         a();      line 3: no segment, inside the body
        //     }             line 4: back in the function region (not an entry)
        // }                 line 5: end of the function region
        let segments = [
            seg(1, 3, true, true, false),
            seg(2, 0, true, true, false),
            seg(4, 3, true, false, false),
            seg(5, 0, false, false, false),
        ];
        let mut budget = 100;
        let lines = lines_from_segments(&segments, &mut budget).unwrap();
        assert_eq!(
            lines.into_iter().collect::<Vec<_>>(),
            vec![(1, 3), (2, 3), (3, 0), (4, 0), (5, 3)]
        );
        assert_eq!(budget, 95);
    }

    #[test]
    fn skipped_regions_and_gaps_are_not_mapped() {
        let segments = [
            seg(1, 0, false, true, false), // skipped region (e.g. #[cfg] out)
            seg(3, 0, false, false, false),
            seg(4, 5, true, true, true), // a gap region entry alone still maps (Mapped |= ...)
            seg(6, 0, false, false, false),
        ];
        let mut budget = 100;
        let lines = lines_from_segments(&segments, &mut budget).unwrap();
        assert_eq!(
            lines.into_iter().collect::<Vec<_>>(),
            vec![(4, 0), (5, 5), (6, 5)]
        );
    }

    #[test]
    fn far_apart_segments_exhaust_the_budget_instead_of_memory() {
        let segments = [
            seg(1, 1, true, true, false),
            seg(4_000_000_000, 0, false, false, false),
        ];
        let mut budget = BASE_DERIVED_LINES;
        let err = lines_from_segments(&segments, &mut budget).unwrap_err();
        assert!(err.contains("more than"), "{err}");
    }
}
