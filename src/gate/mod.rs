//! Gates: conditions and thresholds → a verdict. Pure and synchronous; integer arithmetic
//! decides pass/fail.

pub mod coverage;
pub mod explain;
pub mod paths;
pub mod policy;
pub mod score;
pub mod window;
