//! The `decoder-ops.yml` configuration. Placeholder until the config module lands.

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Invalid(String),
}
