//! Discord execute-webhook payloads: one embed, and `allowed_mentions: {"parse": []}` so that
//! `@everyone`, `@here` or `<@id>` in a commit message pings nobody.
//!
//! Limits (Discord developer docs and its OpenAPI `RichEmbed`, shared/reference/): title 256,
//! description 4096, ≤ 25 fields, field name 256, value 1024, footer 2048, and the sum of all of
//! them ≤ 6000 — past which Discord answers 400. The description gives way first, then field
//! values, so the message is always accepted.

use serde_json::{Value, json};

use super::fit::{self, ELLIPSIS};
use super::{EventKind, Field, Message};

const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 4096;
const FIELDS_MAX: usize = 25;
const FIELD_NAME_MAX: usize = 256;
const FIELD_VALUE_MAX: usize = 1024;
const FOOTER_MAX: usize = 2048;
const EMBED_TOTAL_MAX: usize = 6000;

/// The payload for `message`.
pub fn render(message: &Message) -> Value {
    let title = fit::truncate(
        &format!(
            "{} {}",
            message.status.emoji(),
            fit::one_line(&message.title)
        ),
        TITLE_MAX,
    );
    let footer = fit::truncate(&footer(message), FOOTER_MAX);
    let mut fields = fields(message);
    let links = links_line(message);

    // Fit the total: title and footer are short and fixed; fields are cut to their share, and
    // the description takes what is left.
    let fixed = fit::len(&title) + fit::len(&footer);
    let mut field_total: usize = fields.iter().map(|(n, v)| fit::len(n) + fit::len(v)).sum();
    let field_budget = (EMBED_TOTAL_MAX - fixed) * 3 / 5;
    if field_total > field_budget {
        let per_value = (field_budget / fields.len().max(1))
            .saturating_sub(FIELD_NAME_MAX.min(40))
            .max(8);
        for (name, value) in &mut fields {
            *name = fit::truncate(name, 40);
            *value = fit::truncate(value, per_value);
        }
        field_total = fields.iter().map(|(n, v)| fit::len(n) + fit::len(v)).sum();
    }
    let room = EMBED_TOTAL_MAX
        .saturating_sub(fixed + field_total)
        .min(DESCRIPTION_MAX);
    let description = description(&message.text, &links, room);

    let mut embed = serde_json::Map::new();
    embed.insert("title".into(), json!(title));
    if let Some(url) = message.origin.run_url().as_deref().and_then(fit::safe_url) {
        embed.insert("url".into(), json!(url));
    }
    if !description.is_empty() {
        embed.insert("description".into(), json!(description));
    }
    embed.insert("color".into(), json!(message.status.color()));
    if !fields.is_empty() {
        let rendered: Vec<Value> = fields
            .into_iter()
            .map(|(name, value)| json!({"name": name, "value": value, "inline": true}))
            .collect();
        embed.insert("fields".into(), Value::Array(rendered));
    }
    if !footer.is_empty() {
        embed.insert("footer".into(), json!({"text": footer}));
    }
    embed.insert("timestamp".into(), json!(message.timestamp.to_string()));
    json!({
        "allowed_mentions": {"parse": []},
        "embeds": [Value::Object(embed)],
    })
}

/// Environment first (deploys, health), the user's fields, then where it happened. At most 25;
/// the 25th says how many more were left out.
fn fields(message: &Message) -> Vec<(String, String)> {
    let mut all: Vec<Field> = Vec::new();
    if matches!(message.event, EventKind::Deploy | EventKind::Health)
        && let Some(env) = &message.environment
    {
        all.push(Field {
            name: "Environment".into(),
            value: env.clone(),
        });
    }
    all.extend(message.fields.iter().cloned());
    let o = &message.origin;
    if let Some(repo) = &o.repository {
        all.push(Field {
            name: "Repository".into(),
            value: repo.clone(),
        });
    }
    if let Some(r) = &o.ref_name {
        all.push(Field {
            name: "Ref".into(),
            value: format!("`{r}`"),
        });
    }
    if let Some(sha) = o.short_sha() {
        let value = match o.commit_url().as_deref().and_then(fit::safe_url) {
            Some(url) => format!("[`{sha}`]({url})"),
            None => format!("`{sha}`"),
        };
        all.push(Field {
            name: "Commit".into(),
            value,
        });
    }
    if let Some(actor) = &o.actor {
        all.push(Field {
            name: "Actor".into(),
            value: actor.clone(),
        });
    }
    if let Some(pr) = o.pull_request {
        all.push(Field {
            name: "Pull request".into(),
            value: format!("#{pr}"),
        });
    }
    let hidden = all.len().saturating_sub(FIELDS_MAX);
    if hidden > 0 {
        all.truncate(FIELDS_MAX - 1);
        all.push(Field {
            name: format!("{ELLIPSIS} more"),
            value: format!("{} more fields not shown", hidden + 1),
        });
    }
    all.iter()
        .map(|f| {
            (
                fit::truncate(fit::non_empty(&fit::one_line(&f.name)), FIELD_NAME_MAX),
                fit::truncate(fit::non_empty(&f.value), FIELD_VALUE_MAX),
            )
        })
        .collect()
}

/// `[label](url) · [label](url)` for the user's links; links that are not http(s) are shown as
/// plain `label: text` so nothing the user asked for disappears.
fn links_line(message: &Message) -> String {
    message
        .links
        .iter()
        .map(|l| {
            let label = fit::one_line(&l.label).replace(['[', ']'], "");
            match fit::safe_url(&l.url) {
                Some(url) => format!("[{label}]({url})"),
                None => format!("{label}: {}", fit::one_line(&l.url)),
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The text, then the links line, within `room` units; the text is cut first.
fn description(text: &str, links: &str, room: usize) -> String {
    let text = text.trim_end();
    let links = fit::truncate(links, room / 2);
    let sep = if text.is_empty() || links.is_empty() {
        0
    } else {
        2
    };
    let text_room = room.saturating_sub(fit::len(&links) + sep);
    let text = fit::truncate(text, text_room);
    match (text.is_empty(), links.is_empty()) {
        (true, _) => links,
        (false, true) => text,
        (false, false) => format!("{text}\n\n{links}"),
    }
}

/// `acme/shop · main · deploy #4242 · attempt 2`.
fn footer(message: &Message) -> String {
    let o = &message.origin;
    let mut parts: Vec<String> = Vec::new();
    parts.extend(o.repository.clone());
    parts.extend(o.workflow.clone());
    if let Some(id) = &o.run_id {
        parts.push(format!("run #{id}"));
    }
    if let Some(n) = o.run_attempt.filter(|n| *n > 1) {
        parts.push(format!("attempt {n}"));
    }
    if parts.is_empty() {
        parts.push("decoder-ops".into());
    }
    fit::one_line(&parts.join(" · "))
}
