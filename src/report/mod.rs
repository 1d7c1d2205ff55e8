//! Report formats → normalized models. Parsers are synchronous, streaming and pure: they read
//! a `BufRead`, never the environment, and return located errors.

pub mod audit;
pub mod cvss;
mod json;
pub mod junit;
pub mod k6;
pub mod sarif;
pub mod severity;
