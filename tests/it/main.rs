//! The one integration-test binary: `cargo test --test it`.

mod github_runtime;
