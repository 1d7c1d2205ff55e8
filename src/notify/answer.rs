//! What a webhook's refusal means, in the provider's own words plus what to do about the common
//! ones (Slack's plain-text error codes, Discord's JSON `message` and `code`), and whether
//! sending the same payload again could ever succeed.

use super::Provider;
use crate::secret::Redactor;

/// Error bodies are short; anything longer is cut before it reaches a report.
const MAX_ERROR_BODY: usize = 300;

/// A refusal of the payload itself (malformed, too large, invalid): sending it again cannot
/// succeed, unlike a refusal of the destination (404 revoked, 403 restricted, 410 archived),
/// which the owner of the webhook can fix.
pub fn refuses_payload(status: u16) -> bool {
    matches!(status, 400 | 413 | 422)
}

/// The provider's own words for a refusal, plus what to do about the common ones.
pub fn describe(provider: Provider, code: u16, body: &str, redactor: &Redactor) -> String {
    let body = redactor.redact(body.trim());
    let text: String = body.chars().take(MAX_ERROR_BODY).collect();
    match provider {
        Provider::Slack => {
            let hint = match text.as_str() {
                "invalid_payload" | "no_text" => {
                    " (the message was malformed; please report this as a decoder-ops bug)"
                }
                "channel_not_found" | "no_service" | "no_service_id" | "no_team" => {
                    " (the webhook was revoked or its channel deleted; create a new webhook)"
                }
                "channel_is_archived" => " (the channel is archived)",
                "action_prohibited" => " (an admin restricted posting to this channel)",
                _ => "",
            };
            format!(
                "Slack answered HTTP {code}: {}{hint}",
                if text.is_empty() { "(no body)" } else { &text }
            )
        }
        Provider::Discord => {
            let parsed: Option<serde_json::Value> = serde_json::from_str(&body).ok();
            let message = parsed
                .as_ref()
                .and_then(|v| v.get("message")?.as_str().map(str::to_owned))
                .unwrap_or_else(|| text.clone());
            let code_field = parsed.as_ref().and_then(|v| v.get("code")?.as_u64());
            if code == 404 && (code_field == Some(10015) || message.contains("Unknown Webhook")) {
                return "Discord answered HTTP 404: the webhook no longer exists (Unknown Webhook); create a new one".into();
            }
            if code == 404 && (code_field == Some(10008) || message.contains("Unknown Message")) {
                return "Discord answered HTTP 404: no such message to edit (Unknown Message)"
                    .into();
            }
            format!(
                "Discord answered HTTP {code}: {}",
                if message.is_empty() {
                    "(no body)".into()
                } else {
                    message
                }
            )
        }
    }
}
