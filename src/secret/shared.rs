//! [`SharedRedactor`]: the run's one [`Redactor`], shared by every sink.
//!
//! Secrets become known while a command runs (a webhook read from the config, a token from the
//! environment); the logger, the runtime writer and the `--json` writer were built before that.
//! They all hold this handle, so a secret registered once is redacted everywhere from then on.

use std::sync::{Arc, RwLock};

use super::Redactor;

/// The redactor shared by the logger, the runtime and the command that learns the secrets.
#[derive(Debug, Clone, Default)]
pub struct SharedRedactor(Arc<RwLock<Redactor>>);

impl SharedRedactor {
    pub fn add(&self, secret: &str) {
        if let Ok(mut r) = self.0.write() {
            r.add(secret);
        }
    }

    /// A copy of the current redactor.
    pub fn snapshot(&self) -> Redactor {
        self.0.read().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn redact(&self, text: &str) -> String {
        match self.0.read() {
            Ok(r) => r.redact(text),
            // A poisoned lock means a panic elsewhere; print nothing rather than risk a secret.
            Err(_) => String::from("[withheld]\n"),
        }
    }
}
