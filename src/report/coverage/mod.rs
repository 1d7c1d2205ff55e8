//! Coverage reports: one streaming parser per format, all producing the same normalized model,
//! plus format detection, each tool's own headline figure, and merging.

mod model;
pub mod native;

pub use model::{
    Block, Counter, Coverage, CoverageReport, FileCoverage, Format, GoMode, Metric, Native,
    ReportSource, Tool, Totals, UnknownFormatName,
};
