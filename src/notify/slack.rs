//! Slack incoming-webhook payloads: Block Kit inside a coloured attachment, with a plain `text`
//! fallback for notifications and clients without Block Kit.
//!
//! Blocks sit in `attachments[0].blocks` because that is the only way Slack draws the colour bar
//! next to Block Kit content; the top-level `text` is what phones and screen readers show.
//! Limits (Slack API docs, shared/reference/README.md): header ≤ 150, section text ≤ 3000,
//! ≤ 10 fields per section of ≤ 2000, ≤ 50 blocks, button text ≤ 75, ≤ 25 elements per
//! actions block, message text cut past 40,000. Every user text is escaped (`&`, `<`, `>`), so
//! `<!channel>` or `<@U123>` in a commit message pings nobody, and every mrkdwn object is
//! `verbatim`, so Slack does not turn a bare `@channel` into a mention either.

use serde_json::{Value, json};

use super::fit::{self, ELLIPSIS};
use super::{EventKind, Field, Message};

const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;
const FIELDS_PER_SECTION: usize = 10;
const BLOCKS_MAX: usize = 50;
const BUTTON_TEXT_MAX: usize = 75;
const BUTTONS_MAX: usize = 25;
/// Fallback text: far below Slack's 40,000 so it stays a notification, not a wall.
const FALLBACK_MAX: usize = 1000;

/// The payload for `message`.
pub fn render(message: &Message) -> Value {
    let title = fit::one_line(&message.title);
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": fit::truncate(&format!("{} {title}", message.status.emoji()), HEADER_MAX), "emoji": true}
    })];
    if !message.text.trim().is_empty() {
        blocks.push(json!({
            "type": "section",
            "text": {"type": "mrkdwn", "text": fit::slack_escape_fit(&message.text, SECTION_MAX), "verbatim": true}
        }));
    }
    let context = context_block(message);
    let actions = actions_block(message);
    let reserved = usize::from(context.is_some()) + usize::from(actions.is_some());
    blocks.extend(field_sections(
        &fields(message),
        BLOCKS_MAX - blocks.len() - reserved,
    ));
    blocks.extend(context);
    blocks.extend(actions);

    let fallback = match message.text.trim() {
        "" => format!("{} {title}", message.status.emoji()),
        text => format!(
            "{} {title}: {}",
            message.status.emoji(),
            fit::one_line(text)
        ),
    };
    json!({
        "text": fit::slack_escape_fit(&fallback, FALLBACK_MAX),
        "attachments": [{
            "color": format!("#{:06x}", message.status.color()),
            "blocks": blocks,
        }]
    })
}

/// The fields shown in sections: environment first for deploys and health checks, then the
/// user's own fields. The run context goes into the context block instead.
fn fields(message: &Message) -> Vec<Field> {
    let mut out = Vec::new();
    if matches!(message.event, EventKind::Deploy | EventKind::Health)
        && let Some(env) = &message.environment
    {
        out.push(Field {
            name: "Environment".into(),
            value: env.clone(),
        });
    }
    out.extend(message.fields.iter().cloned());
    out
}

/// Sections of at most ten fields, in at most `room` blocks; fields that do not fit are counted
/// in a last "… N more fields" field rather than dropped silently.
fn field_sections(fields: &[Field], room: usize) -> Vec<Value> {
    if fields.is_empty() || room == 0 {
        return Vec::new();
    }
    let capacity = room * FIELDS_PER_SECTION;
    let (shown, hidden) = if fields.len() > capacity {
        (&fields[..capacity - 1], fields.len() - (capacity - 1))
    } else {
        (fields, 0)
    };
    let mut rendered: Vec<Value> = shown.iter().map(field).collect();
    if hidden > 0 {
        rendered.push(
            json!({"type": "mrkdwn", "text": format!("{ELLIPSIS} {hidden} more fields not shown")}),
        );
    }
    rendered
        .chunks(FIELDS_PER_SECTION)
        .map(|chunk| json!({"type": "section", "fields": chunk}))
        .collect()
}

fn field(f: &Field) -> Value {
    let name = fit::slack_escape_fit(&fit::one_line(&f.name), 200);
    let name = if name.is_empty() {
        "—".to_owned()
    } else {
        name
    };
    // `*name*` + newline take name + 3 units; the value gets the rest.
    let value = fit::slack_escape_fit(fit::non_empty(&f.value), FIELD_MAX - fit::len(&name) - 3);
    json!({"type": "mrkdwn", "text": format!("*{name}*\n{value}"), "verbatim": true})
}

/// `acme/shop · main · 0123456 · octocat · deploy run #42 (attempt 2)`, each part linked where
/// there is a URL.
fn context_block(message: &Message) -> Option<Value> {
    let o = &message.origin;
    let link = |url: Option<String>, label: &str| {
        let label = fit::slack_escape_fit(&fit::one_line(label), 200);
        match url.as_deref().and_then(fit::safe_url) {
            Some(url) => format!("<{url}|{label}>"),
            None => label,
        }
    };
    let mut parts = Vec::new();
    if let Some(repo) = &o.repository {
        parts.push(link(o.repository_url(), repo));
    }
    if let Some(r) = &o.ref_name {
        parts.push(format!("`{}`", fit::slack_escape_fit(r, 200)));
    }
    if let Some(sha) = o.short_sha() {
        parts.push(link(o.commit_url(), sha));
    }
    if let Some(actor) = &o.actor {
        parts.push(format!("by {}", fit::slack_escape_fit(actor, 100)));
    }
    if let Some(pr) = o.pull_request {
        parts.push(link(o.pull_request_url(), &format!("PR #{pr}")));
    }
    if let Some(id) = &o.run_id {
        let workflow = o.workflow.as_deref().unwrap_or("run");
        let attempt = o
            .run_attempt
            .filter(|n| *n > 1)
            .map(|n| format!(" (attempt {n})"))
            .unwrap_or_default();
        parts.push(link(o.run_url(), &format!("{workflow} #{id}{attempt}")));
    }
    if parts.is_empty() {
        return None;
    }
    // One element: Slack lays separate elements out with wide gaps.
    let text = fit::truncate(&parts.join(" · "), SECTION_MAX);
    Some(
        json!({"type": "context", "elements": [{"type": "mrkdwn", "text": text, "verbatim": true}]}),
    )
}

/// Link buttons: the user's links (http(s) only), then "View run".
fn actions_block(message: &Message) -> Option<Value> {
    let mut buttons: Vec<Value> = Vec::new();
    let mut add = |label: &str, url: &str| {
        if let Some(url) = fit::safe_url(url) {
            let text = fit::truncate(fit::non_empty(&fit::one_line(label)), BUTTON_TEXT_MAX);
            buttons.push(json!({"type": "button", "text": {"type": "plain_text", "text": text, "emoji": true}, "url": url}));
        }
    };
    for l in &message.links {
        add(&l.label, &l.url);
    }
    if let Some(run) = message.origin.run_url() {
        add("View run", &run);
    }
    if buttons.is_empty() {
        return None;
    }
    buttons.truncate(BUTTONS_MAX);
    Some(json!({"type": "actions", "elements": buttons}))
}
