//! The GitHub Actions runtime: the run's context (`GITHUB_*`, the event payload), step outputs,
//! the job summary, annotations, secret masks and log groups.
//!
//! With `config`, this is the only module that reads environment variables, and it reads them
//! from an injected [`Env`]: tests never touch the real `GITHUB_OUTPUT`. Everything printed goes
//! through a [`Runtime`] built on a writer, so outside Actions the same calls produce plain
//! terminal lines and never a `::` workflow command.
//!
//! Formats follow GitHub's "Workflow commands for GitHub Actions" documentation, the runner
//! (`actions/runner`, `ActionCommand` and the file-command handlers) and `actions/toolkit`.

mod annotations;
mod command;
mod context;
mod env;
mod error;
mod event;
mod output;
mod sink;
mod summary;

pub use annotations::{ANNOTATIONS_PER_LEVEL, Annotation, AnnotationBudget, Level};
pub use command::{escape_data, escape_property, format_command};
pub use context::{Context, derive_ref_name};
pub use env::Env;
pub use error::RuntimeError;
pub use event::{Event, PullRequest, Push};
pub use output::{
    DELIMITER_PREFIX, append_output, format_output, new_delimiter, validate_output_name,
};
pub use sink::Runtime;
pub use summary::{SUMMARY_CAP, SUMMARY_LIMIT, SummaryFile, SummaryWrite, fit, truncation_notice};
