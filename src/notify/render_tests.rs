//! Snapshot tests of the Slack and Discord payloads (the snapshots under `snapshots/` are the
//! reviewed spec of what people see), plus checks that can fail on any input: Discord payloads
//! validate against Discord's OpenAPI schema and stay within the embed total, Slack payloads
//! within Block Kit's limits, and no mention or workflow command survives.

use serde_json::Value;

use super::fit;
use super::{EventKind, Field, Link, Message, Origin, Provider, Status};

const STATUSES: [Status; 8] = [
    Status::Success,
    Status::Failure,
    Status::Cancelled,
    Status::Started,
    Status::Warning,
    Status::Critical,
    Status::Info,
    Status::Resolved,
];
const EVENTS: [EventKind; 4] = [
    EventKind::Deploy,
    EventKind::Health,
    EventKind::Gate,
    EventKind::Custom,
];

fn origin() -> Origin {
    Origin {
        repository: Some("acme/shop".into()),
        ref_name: Some("main".into()),
        sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
        actor: Some("octocat".into()),
        workflow: Some("deploy".into()),
        job: Some("production".into()),
        run_id: Some("4242".into()),
        run_attempt: Some(2),
        server_url: Some("https://github.com".into()),
        pull_request: None,
    }
}

fn message(event: EventKind, status: Status) -> Message {
    let origin = origin();
    Message {
        status,
        event,
        title: Message::default_title(event, status, Some("production"), &origin),
        text: "Rolled out build 1.4.2 to the green slot.".into(),
        fields: vec![Field {
            name: "Version".into(),
            value: "1.4.2".into(),
        }],
        links: vec![Link {
            label: "Dashboard".into(),
            url: "https://grafana.example/d/shop".into(),
        }],
        environment: Some("production".into()),
        origin,
        timestamp: "2026-11-23T10:15:00Z".parse().expect("fixed timestamp"),
    }
}

fn hostile() -> Message {
    let mut m = message(EventKind::Deploy, Status::Failure);
    m.title = "Deploy \"main\" <!channel> \\ @everyone ::set-output name=x::y".into();
    m.text = format!(
        "Merge \"quotes\" and back\\slashes\nnew lines\r\n<!channel> <!here> <@U024BE7LH> @everyone @here\n\
         ::set-output name=x::y\n::error::pwned\nemoji 🚀🔥✅ and RTL: שלום עולם مرحبا بالعالم \u{202E}evil\n{}",
        "long commit message line ".repeat(400)
    );
    m.fields = (1..=40)
        .map(|i| Field {
            name: format!("Field {i} <@U{i}>"),
            value: format!("value {i} & <!here> {}", "x".repeat(i * 30)),
        })
        .collect();
    m.links.push(Link {
        label: "evil | label >".into(),
        url: "javascript:alert(1)".into(),
    });
    m.links.push(Link {
        label: "Runbook (ops)".into(),
        url: "https://wiki.example/run book|x>y".into(),
    });
    m
}

fn laptop() -> Message {
    let mut m = message(EventKind::Custom, Status::Info);
    m.origin = Origin::default();
    m.title = Message::default_title(EventKind::Custom, Status::Info, None, &m.origin);
    m.fields.clear();
    m.links.clear();
    m.text = String::new();
    m.environment = None;
    m
}

fn discord_validator() -> jsonschema::Validator {
    let spec: Value = serde_json::from_str(include_str!(
        "../../tests/fixtures/discord/webhook-openapi-subset.json"
    ))
    .expect("spec");
    let schema = serde_json::json!({
        "$ref": "#/components/schemas/IncomingWebhookRequestPartial",
        "components": spec["components"],
    });
    jsonschema::validator_for(&schema).expect("Discord's schema compiles")
}

/// Everything a Discord payload must satisfy, whatever the message.
fn check_discord(payload: &Value, validator: &jsonschema::Validator) {
    let errors: Vec<String> = validator
        .iter_errors(payload)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "Discord schema: {errors:?}\n{payload:#}");
    assert_eq!(
        payload["allowed_mentions"],
        serde_json::json!({"parse": []})
    );
    assert!(
        payload.get("content").is_none(),
        "no content: mentions there would ping"
    );
    let embed = &payload["embeds"][0];
    let mut total = 0;
    for key in ["title", "description"] {
        total += embed[key].as_str().map_or(0, fit::len);
    }
    total += embed["footer"]["text"].as_str().map_or(0, fit::len);
    for f in embed["fields"].as_array().into_iter().flatten() {
        let (name, value) = (
            f["name"].as_str().unwrap_or(""),
            f["value"].as_str().unwrap_or(""),
        );
        assert!(!name.is_empty() && !value.is_empty(), "{f}");
        total += fit::len(name) + fit::len(value);
    }
    assert!(total <= 6000, "embed total {total} > 6000");
    assert!(embed["fields"].as_array().map_or(0, Vec::len) <= 25);
}

/// Everything a Slack payload must satisfy, whatever the message.
fn check_slack(payload: &Value) {
    let text = payload["text"].as_str().expect("fallback text");
    assert!(!text.is_empty() && fit::len(text) <= 40_000);
    let blocks = payload["attachments"][0]["blocks"]
        .as_array()
        .expect("blocks");
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    let mut all_text = vec![text.to_owned()];
    for b in blocks {
        match b["type"].as_str() {
            Some("header") => assert!(fit::len(b["text"]["text"].as_str().unwrap_or("")) <= 150),
            Some("section") => {
                if let Some(t) = b["text"]["text"].as_str() {
                    assert!(
                        (1..=3000).contains(&fit::len(t)),
                        "section text length {}",
                        fit::len(t)
                    );
                    all_text.push(t.to_owned());
                }
                let fields = b["fields"].as_array().map_or(&[][..], Vec::as_slice);
                assert!(fields.len() <= 10);
                for f in fields {
                    let t = f["text"].as_str().unwrap_or("");
                    assert!(
                        (1..=2000).contains(&fit::len(t)),
                        "field length {}",
                        fit::len(t)
                    );
                    all_text.push(t.to_owned());
                }
            }
            Some("context") => {
                for e in b["elements"].as_array().into_iter().flatten() {
                    all_text.push(e["text"].as_str().unwrap_or("").to_owned());
                }
            }
            Some("actions") => {
                let elements = b["elements"].as_array().expect("elements");
                assert!(elements.len() <= 25);
                for e in elements {
                    assert!(fit::len(e["text"]["text"].as_str().unwrap_or("")) <= 75);
                    assert!(
                        e["url"].as_str().is_some_and(|u| u.starts_with("http")),
                        "{e}"
                    );
                }
            }
            other => panic!("unexpected block {other:?}"),
        }
    }
    for t in all_text {
        for mention in ["<!channel>", "<!here>", "<@U"] {
            assert!(!t.contains(mention), "unescaped {mention} in {t}");
        }
    }
}

#[test]
fn every_status_renders_for_both_platforms() {
    let validator = discord_validator();
    for status in STATUSES {
        let m = message(EventKind::Deploy, status);
        let slack = Provider::Slack.render(&m);
        let discord = Provider::Discord.render(&m);
        check_slack(&slack);
        check_discord(&discord, &validator);
        insta::assert_json_snapshot!(format!("slack_deploy_{}", status.as_str()), slack);
        insta::assert_json_snapshot!(format!("discord_deploy_{}", status.as_str()), discord);
    }
}

#[test]
fn every_event_renders_for_both_platforms() {
    let validator = discord_validator();
    for event in EVENTS {
        let mut m = message(event, Status::Failure);
        if event == EventKind::Gate {
            m.origin.pull_request = Some(12);
            m.title = Message::default_title(event, Status::Failure, None, &m.origin);
        }
        let slack = Provider::Slack.render(&m);
        let discord = Provider::Discord.render(&m);
        check_slack(&slack);
        check_discord(&discord, &validator);
        insta::assert_json_snapshot!(format!("slack_event_{}", event.as_str()), slack);
        insta::assert_json_snapshot!(format!("discord_event_{}", event.as_str()), discord);
    }
}

#[test]
fn hostile_text_is_escaped_fitted_and_inert() {
    let m = hostile();
    let slack = Provider::Slack.render(&m);
    let discord = Provider::Discord.render(&m);
    check_slack(&slack);
    check_discord(&discord, &discord_validator());
    // The javascript: link is not a button; the other one is linked with its breakers encoded.
    let serialized = slack.to_string();
    assert!(!serialized.contains("javascript:"), "{serialized}");
    assert!(serialized.contains("https://wiki.example/run%20book%7Cx%3Ey"));
    // 40 fields: Slack shows them all in sections of ten; Discord shows 24 and says how many more.
    let sections = slack["attachments"][0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["fields"].is_array())
        .count();
    assert_eq!(
        sections, 5,
        "41 fields (environment + 40) in sections of ten"
    );
    let fields = discord["embeds"][0]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 25);
    assert_eq!(
        fields[24]["value"], "21 more fields not shown",
        "45 fields: environment, 40 own, 4 of context"
    );
    // The 10,000-character text was cut with a visible ellipsis, never rejected.
    assert!(
        discord["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains('…')
    );
    insta::assert_json_snapshot!("slack_hostile", slack);
    insta::assert_json_snapshot!("discord_hostile", discord);
}

#[test]
fn laptop_message_without_run_context_is_still_valid() {
    let m = laptop();
    let slack = Provider::Slack.render(&m);
    let discord = Provider::Discord.render(&m);
    check_slack(&slack);
    check_discord(&discord, &discord_validator());
    insta::assert_json_snapshot!("slack_laptop", slack);
    insta::assert_json_snapshot!("discord_laptop", discord);
}

#[test]
fn any_field_count_and_text_length_stays_within_limits() {
    let validator = discord_validator();
    for n in [0, 1, 9, 10, 11, 25, 26, 60, 499, 600] {
        for len in [0, 1, 2999, 3000, 3001, 4096, 6001, 20_000] {
            let mut m = message(EventKind::Health, Status::Critical);
            m.fields = (0..n)
                .map(|i| Field {
                    name: format!("n{i}"),
                    value: "é".repeat(i % 1500),
                })
                .collect();
            m.text = "<".repeat(len);
            check_slack(&Provider::Slack.render(&m));
            check_discord(&Provider::Discord.render(&m), &validator);
        }
    }
}
