//! The GitHub REST client: sticky PR comments, commit statuses, incident issues and a state
//! file in the repository.
//!
//! A thin typed client on `reqwest` rather than `octocrab`: octocrab would roughly double the
//! build time on the project's 2-core CI for the dozen endpoints used here. Every method+path
//! called exists in GitHub's official OpenAPI description (`tests/fixtures/github/`), and the
//! integration tests run against a stand-in that validates each request body against it.
//!
//! `client` owns authentication (`Authorization: Bearer`, `X-GitHub-Api-Version: 2022-11-28`),
//! retries (`retry`: 5xx and network errors with bounded backoff, rate limits within a wait
//! budget), error mapping (`error`) and `Link` pagination (`paginate`, `link`); the other files are one
//! concept each. The token never appears in an error or a log line.

mod base64;
pub use base64::encode as base64_encode;
mod client;
mod comments;
mod contents;
mod error;
mod issues;
mod link;
mod marker;
mod paginate;
mod retry;
mod statuses;

pub use client::{API_VERSION, Client};
pub use comments::{Comment, CommentAction, CommentOutcome, MAX_BODY_CHARS};
pub use contents::RepoFile;
pub use error::{ApiError, FieldError};
pub use issues::Issue;
pub use marker::Marker;
pub use retry::RetryPolicy;
pub use statuses::{
    CommitStatus, MAX_DESCRIPTION_CHARS, StatusOutcome, StatusState, truncate_description,
};
