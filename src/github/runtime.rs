//! The GitHub Actions runtime. Placeholder until the runtime module lands.

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("cannot write `{path}`: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl RuntimeError {
    pub fn is_io(&self) -> bool {
        matches!(self, RuntimeError::Io { .. })
    }
}
