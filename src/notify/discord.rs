//! Discord execute-webhook payloads (one embed). Placeholder until the renderer lands.

use super::Message;

pub fn render(message: &Message) -> serde_json::Value {
    serde_json::json!({ "content": message.title, "allowed_mentions": {"parse": []} })
}
