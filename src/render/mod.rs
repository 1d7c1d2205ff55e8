//! Pure writers from outcomes to bytes (JSON result files, Markdown, JUnit XML, terminal text),
//! plus the one place that writes result files atomically ([`json`]) and the one owner of
//! standard output ([`stdout`]).

pub mod badge;
pub mod coverage;
pub mod json;
pub mod junit;
pub mod redacting;
#[cfg(test)]
mod sample;
pub mod smoke;
pub mod stdout;

/// Errors writing a rendered artefact.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot serialize the result: {0}")]
    Serialize(#[from] serde_json::Error),
    /// A bug: a command tried to print a second JSON document to stdout.
    #[error("a JSON document was already written to stdout; `--json -` prints exactly one")]
    SecondDocument,
}
