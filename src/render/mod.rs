//! Pure writers from outcomes to bytes (JSON result files, Markdown, JUnit XML, terminal text),
//! plus the one place that writes result files atomically.

pub mod badge;
pub mod coverage;
pub mod json;
pub mod junit;
pub mod quality_gate;
#[cfg(test)]
mod sample;
pub mod smoke;

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
}
