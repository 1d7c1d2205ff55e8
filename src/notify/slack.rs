//! Slack incoming-webhook payloads (Block Kit). Placeholder until the renderer lands.

use super::Message;

pub fn render(message: &Message) -> serde_json::Value {
    serde_json::json!({ "text": message.title })
}
