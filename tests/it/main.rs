//! The one integration-test binary: `cargo test --test it`.

mod github_runtime;
mod cli;
mod cli_config;
mod cli_notify;
