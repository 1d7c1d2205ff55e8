//! Config parsing and validation: every error names file, line, column and key.

use super::*;

const GOOD: &str = "\
# team notifications
notify:
  channels:
    deploys:
      webhook: ${SLACK_WEBHOOK}
    alerts:
      webhook: ${DISCORD_WEBHOOK:-http://127.0.0.1:9/none}
      provider: discord
  default-channels: [deploys]
";

fn env(name: &str) -> Option<String> {
    (name == "SLACK_WEBHOOK").then(|| "https://hooks.slack.com/services/T0/B0/xyz".to_owned())
}

#[test]
fn valid_file_parses_into_typed_config() {
    let c = parse(GOOD, "cfg.yml").unwrap();
    assert_eq!(c.notify.default_channels, ["deploys"]);
    let deploys = &c.notify.channels["deploys"];
    assert_eq!(deploys.webhook.line, 5);
    assert_eq!(deploys.webhook.column, 16);
    assert_eq!(
        c.resolve(&deploys.webhook, &env).unwrap(),
        "https://hooks.slack.com/services/T0/B0/xyz"
    );
    let alerts = &c.notify.channels["alerts"];
    assert_eq!(alerts.provider, Some(ChannelProvider::Discord));
    assert_eq!(
        c.resolve(&alerts.webhook, &env).unwrap(),
        "http://127.0.0.1:9/none"
    );
}

#[test]
fn unknown_key_names_key_line_and_column() {
    let text = "notify:\n  channels:\n    deploys:\n      webhok: x\n";
    let err = parse(text, "cfg.yml").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("config `cfg.yml`: line 4, column 7: "),
        "{msg}"
    );
    assert!(msg.contains("unknown field `webhok`"), "{msg}");
    assert!(msg.contains("expected `webhook` or `provider`"), "{msg}");
    assert_eq!(err.location(), Some(("cfg.yml", 4, 7)));
}

#[test]
fn unknown_top_level_section_is_rejected() {
    let err = parse("notfy:\n  channels: {}\n", "cfg.yml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 1, column 1") && err.contains("unknown field `notfy`"),
        "{err}"
    );
}

#[test]
fn wrong_type_names_the_key_path() {
    let err = parse("notify:\n  default-channels: 5\n", "cfg.yml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2, column 21"), "{err}");
    assert!(
        err.contains("notify.default-channels") && err.contains("invalid type"),
        "{err}"
    );
}

#[test]
fn wrong_enum_value_lists_the_choices() {
    let text = "notify:\n  channels:\n    a:\n      webhook: x\n      provider: teams\n";
    let err = parse(text, "cfg.yml").unwrap_err().to_string();
    assert!(
        err.contains("line 5, column 17") && err.contains("unknown variant `teams`"),
        "{err}"
    );
    assert!(
        err.contains("`slack`") && err.contains("`discord`"),
        "{err}"
    );
}

#[test]
fn missing_env_var_is_located_at_its_use() {
    let c = parse(GOOD, "cfg.yml").unwrap();
    let err = c
        .resolve(&c.notify.channels["deploys"].webhook, &|_| None)
        .unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.location(), Some(("cfg.yml", 5, 16)));
    assert!(msg.contains("`notify.channels.deploys.webhook`"), "{msg}");
    assert!(
        msg.contains("environment variable `SLACK_WEBHOOK` is not set"),
        "{msg}"
    );
}

#[test]
fn bad_interpolation_syntax_is_a_located_error() {
    let err = parse(
        "notify:\n  channels:\n    a:\n      webhook: ${SLACK WEBHOOK}\n",
        "c.yml",
    )
    .unwrap_err();
    assert_eq!(err.location(), Some(("c.yml", 4, 16)));
    assert!(err.to_string().contains("not a valid variable reference"));
}

#[test]
fn default_channel_must_exist() {
    let err = parse("notify:\n  default-channels: [nope]\n", "c.yml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 2, column 22") && err.contains("no channel named `nope`"),
        "{err}"
    );
}

#[test]
fn empty_or_comment_only_file_is_the_default_config() {
    for text in ["", "# nothing yet\n", "---\n"] {
        let c = parse(text, "c.yml").unwrap();
        assert!(c.notify.channels.is_empty());
    }
}

#[test]
fn yaml_syntax_error_is_located() {
    let err = parse("notify:\n  channels: [\n", "c.yml").unwrap_err();
    assert!(err.location().is_some(), "{err}");
}

#[test]
fn explicit_missing_file_is_an_error_naming_it() {
    let err = load(Some(Path::new("does/not/exist.yml")))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("config `does/not/exist.yml`: cannot read it"),
        "{err}"
    );
}

#[test]
fn schema_rejects_unknown_keys_and_documents_fields() {
    let schema = json_schema();
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    let text = schema.to_string();
    assert!(
        text.contains("default-channels") && text.contains("webhook"),
        "{text}"
    );
}
