//! decoder-ops: a GitHub Actions-native production toolkit.
//!
//! The crate is one library and a thin binary. Every subcommand has the same shape: load config →
//! gather inputs → evaluate (pure) → build one outcome value → render it to every sink → exit code
//! from the outcome. See `DESIGN.md` in the project documentation for the module map.

pub mod cli;
pub mod commands;
pub mod config;
pub mod diff;
pub mod diff_base;
pub mod error;
pub mod gate;
pub mod github;
pub mod logging;
pub mod monitor;
pub mod notify;
pub mod outcome;
pub mod probe;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod secret;

pub use error::{Error, ExitCode};
