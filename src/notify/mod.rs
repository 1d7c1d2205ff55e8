//! Notifications to people: a provider-neutral [`Message`], one renderer per platform, and
//! delivery that survives rate limits and flaky networks without ever leaking a webhook URL.
//!
//! `message` is the model, `slack` and `discord` turn it into each platform's JSON within that
//! platform's published limits, `deliver` sends payloads (pacing, 429 + Retry-After, backoff,
//! timed by `retry`, refusals explained by `answer`), and `queue` sends the monitor's pending
//! messages in order, one destination at a time, each result acknowledged before the next.

mod answer;
pub mod deliver;
pub mod discord;
mod fit;
pub mod message;
pub mod queue;
mod retry;
pub mod slack;

#[cfg(test)]
mod render_tests;

use serde::Serialize;

pub use message::{EventKind, Field, Link, Message, Origin, Status};

use crate::secret::Secret;

/// The chat platform behind a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Slack,
    Discord,
}

impl Provider {
    /// The provider of a well-known webhook URL: Slack `https://hooks.slack.com/services/…`,
    /// Discord `https://discord.com/api/webhooks/…` (also `discordapp.com`, `ptb.`/`canary.`).
    /// Anything else (a proxy, a stand-in on 127.0.0.1) needs `--provider`.
    pub fn detect(url: &str) -> Option<Provider> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host
            .rsplit_once('@')
            .map_or(host, |(_, h)| h)
            .to_ascii_lowercase();
        let host = host.split(':').next().unwrap_or("");
        if host == "hooks.slack.com" && path.starts_with("services/") {
            return Some(Provider::Slack);
        }
        let discord_host = ["discord.com", "discordapp.com"].iter().any(|d| {
            host == *d
                || host
                    .strip_suffix(d)
                    .is_some_and(|p| p == "ptb." || p == "canary.")
        });
        if discord_host && (path.starts_with("api/webhooks/") || path.contains("/webhooks/")) {
            return Some(Provider::Discord);
        }
        None
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Slack => "slack",
            Provider::Discord => "discord",
        }
    }

    /// The platform payload for a message, fitted to the platform's limits.
    pub fn render(self, message: &Message) -> serde_json::Value {
        match self {
            Provider::Slack => slack::render(message),
            Provider::Discord => discord::render(message),
        }
    }
}

/// Where a message goes. `name` is safe to print ("webhook 1", a config channel name); the URL
/// is not.
#[derive(Debug, Clone)]
pub struct Destination {
    pub name: String,
    pub provider: Provider,
    pub url: Secret,
}

/// Errors of the notify module. Messages never contain a webhook URL.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{name}: {reason}")]
    InvalidDestination { name: String, reason: String },
    #[error(
        "no destination: pass --webhook URL, set DECODER_OPS_WEBHOOK, or name a channel from the config with --channel"
    )]
    NoDestination,
    #[error("{0}")]
    Input(String),
    #[error("could not build the HTTP client: {0}")]
    Client(String),
    /// Delivery failed to at least one destination and `--strict` was given.
    #[error("notification not delivered: {0}")]
    Delivery(String),
}

impl NotifyError {
    pub fn is_delivery_failure(&self) -> bool {
        matches!(self, NotifyError::Delivery(_) | NotifyError::Client(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_are_detected_from_well_known_urls() {
        let slack = "https://hooks.slack.com/services/T000/B000/XXXX";
        assert_eq!(Provider::detect(slack), Some(Provider::Slack));
        for d in [
            "https://discord.com/api/webhooks/1/abc",
            "https://discordapp.com/api/webhooks/1/abc",
            "https://canary.discord.com/api/webhooks/1/abc",
            "https://discord.com/api/v10/webhooks/1/abc",
        ] {
            assert_eq!(Provider::detect(d), Some(Provider::Discord), "{d}");
        }
        for none in [
            "http://127.0.0.1:8080/services/T/B/X",
            "https://evil-discord.com/api/webhooks/1/abc",
            "https://hooks.slack.com.evil.example/services/x",
            "not a url",
        ] {
            assert_eq!(Provider::detect(none), None, "{none}");
        }
    }
}
