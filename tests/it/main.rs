//! The integration-test binary (one for the project, so the crate links once).

mod github_api;
mod github_stand_in;
mod support;
