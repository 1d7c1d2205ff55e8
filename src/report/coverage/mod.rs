//! Coverage reports: one streaming parser per format, all producing the same normalized model,
//! plus format detection, each tool's own headline figure, and merging.
//!
//! ```no_run
//! use decoder_ops::report::coverage::{merge, parse_file};
//!
//! let report = parse_file("coverage/lcov.info".as_ref(), None)?;
//! println!("{:?} of lines covered", report.totals.lines);
//! let coverage = merge(vec![report])?;
//! # Ok::<(), decoder_ops::report::ReportError>(())
//! ```

mod clover;
mod cobertura;
mod coveragepy_json;
mod detect;
mod gcovr_json;
mod go;
mod input;
mod istanbul;
mod istanbul_json;
mod jacoco;
mod json;
mod lcov;
mod llvm_json;
mod llvm_lines;
mod merge;
mod model;
pub mod native;
mod opencover;
mod parse;
mod simplecov;
mod source;
mod xml;

pub use detect::{Detected, describe, detect, identify, xml_root_name};
pub use merge::merge;
pub use model::{
    Block, Counter, Coverage, CoverageReport, FileCoverage, Format, GoMode, Metric, Native,
    ReportSource, StatedLines, Tool, Totals, UnknownFormatName,
};
pub use parse::{parse_file, parse_reader};

#[cfg(test)]
mod fixture_input_tests;
#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod fixture_tests_more;
