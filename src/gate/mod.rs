//! Gates: conditions and thresholds → a verdict. Pure and synchronous; integer arithmetic
//! decides pass/fail.

pub mod configured;
pub mod coverage;
pub mod explain;
pub mod paths;
pub mod policy;
pub mod reported;
pub mod score;
mod vulnerabilities;
pub mod window;
