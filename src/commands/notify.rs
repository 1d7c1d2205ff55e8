//! `decoder-ops notify`: flags and config → a [`Message`] → one payload per destination →
//! delivery (or a dry run) → outputs, summary, annotations, `--json`.
//!
//! A lost notification must not fail a deploy: delivery problems are warnings with exit 0 and
//! `delivered=false` unless `--strict` asks for exit 3.

use std::io::Read;
use std::time::Duration;

use serde::Serialize;

use super::{Paint, Session};
use crate::cli::NotifyArgs;
use crate::config::{self, ChannelProvider};
use crate::error::{Error, ExitCode};
use crate::github::runtime::{Annotation, Context, Level};
use crate::logging::Progress;
use crate::notify::deliver::{self, DeliveryOptions, DeliveryReport};
use crate::notify::{Destination, EventKind, Field, Link, Message, NotifyError, Provider};
use crate::outcome::{Outcome, Verdict};
use crate::secret::Secret;

/// Text longer than this is cut before rendering; both platforms cut far earlier anyway.
const MAX_TEXT_BYTES: usize = 1 << 20;

#[derive(Debug, Serialize)]
struct NotifyDetails {
    dry_run: bool,
    delivered: bool,
    message: Message,
    deliveries: Vec<DeliveryReport>,
    /// Only in a dry run: exactly what would have been sent, per destination.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    payloads: Vec<PayloadPreview>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PayloadPreview {
    destination: String,
    provider: Provider,
    payload: serde_json::Value,
}

pub fn run(args: NotifyArgs, session: &mut Session) -> Result<ExitCode, Error> {
    // Secrets first: nothing is printed before every webhook is masked.
    let (destinations, problems) = destinations(&args, session)?;
    let message = build_message(&args, session)?;
    let items: Vec<(Destination, serde_json::Value)> = destinations
        .into_iter()
        .map(|d| {
            let p = d.provider.render(&message);
            (d, p)
        })
        .collect();

    let (deliveries, payloads) = if args.dry_run {
        (Vec::new(), preview(&items, session))
    } else if items.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (send(&items, &args, session)?, Vec::new())
    };

    let failures: Vec<String> = problems
        .iter()
        .cloned()
        .chain(deliveries.iter().filter(|r| !r.delivered).map(|r| {
            format!(
                "{}: {}",
                r.destination,
                r.error.as_deref().unwrap_or("not delivered")
            )
        }))
        .map(|m: String| session.redact(&m))
        .collect();
    let delivered = !args.dry_run && failures.is_empty() && !deliveries.is_empty();

    for r in &deliveries {
        let line = if r.delivered {
            let id = r
                .message_id
                .as_deref()
                .map(|id| format!(", message id {id}"))
                .unwrap_or_default();
            format!(
                "{} delivered to {} ({}) in {} ms{id}",
                session.paint(Paint::Good, "✓"),
                r.destination,
                r.provider.as_str(),
                r.elapsed_ms
            )
        } else {
            format!(
                "{} not delivered to {} ({}): {}",
                session.paint(Paint::Bad, "✗"),
                r.destination,
                r.provider.as_str(),
                r.error.as_deref().unwrap_or("unknown error")
            )
        };
        session.say_untrusted(&line);
    }

    let verdict = match (failures.is_empty(), args.strict) {
        (true, _) => Verdict::Pass,
        (false, false) => Verdict::Warn,
        (false, true) => Verdict::Error,
    };
    let level = if args.strict {
        Level::Error
    } else {
        Level::Warning
    };
    for failure in &failures {
        let annotation = Annotation::new(level, format!("notification not delivered: {failure}"))
            .title("decoder-ops notify");
        session.runtime.annotate(annotation)?;
    }

    let rt = &mut session.runtime;
    let message_id = deliveries
        .iter()
        .find_map(|r| r.message_id.clone())
        .unwrap_or_default();
    let error = failures.first().cloned().unwrap_or_default();
    rt.set_output("delivered", if delivered { "true" } else { "false" })?;
    rt.set_output("error", &error)?;
    rt.set_output("message-id", &message_id)?;
    rt.set_output("verdict", verdict.as_str())?;
    rt.set_output("exit-code", &verdict.exit_code().to_string())?;
    if let Some(json) = &args.json {
        rt.set_output("result", &json.display().to_string())?;
    }
    if !deliveries.is_empty() {
        let markdown = summary(&message, &deliveries, session);
        session.runtime.append_summary(&markdown)?;
    }

    let details = NotifyDetails {
        dry_run: args.dry_run,
        delivered,
        message,
        deliveries,
        payloads,
        problems: failures,
    };
    let outcome = Outcome::new("notify", verdict, details);
    if let Some(target) = &args.json {
        super::write_json(target, &outcome, session)?;
    }
    if verdict == Verdict::Error {
        tracing::error!("notification not delivered and --strict was given");
    }
    Ok(outcome.exit_code)
}

/// Every destination from flags, `DECODER_OPS_WEBHOOK` and the config, registered as secrets.
/// Destinations that cannot be used (bad URL, unknown provider) are returned as problems: with
/// `--strict` they are errors (exit 2), otherwise warnings, because a missing webhook secret on
/// a fork PR must not fail the build.
fn destinations(
    args: &NotifyArgs,
    session: &mut Session,
) -> Result<(Vec<Destination>, Vec<String>), Error> {
    let mut raw: Vec<(String, String, Option<Provider>)> = Vec::new();
    for (i, url) in args.webhooks.iter().enumerate() {
        session.add_secret(url);
        raw.push((
            format!("webhook {}", i + 1),
            url.trim().to_owned(),
            args.provider,
        ));
    }
    if raw.is_empty()
        && args.channels.is_empty()
        && let Some(list) = session.env.get("DECODER_OPS_WEBHOOK").map(str::to_owned)
    {
        for (i, url) in env_webhooks(&list).enumerate() {
            session.add_secret(url);
            raw.push((
                format!("DECODER_OPS_WEBHOOK {}", i + 1),
                url.to_owned(),
                args.provider,
            ));
        }
    }
    let needs_config = !args.channels.is_empty() || raw.is_empty();
    if needs_config {
        let config = config::load(session.config_path.as_deref())?;
        let names = if args.channels.is_empty() {
            config.notify.default_channels.clone()
        } else {
            args.channels.clone()
        };
        for name in names {
            let channel = config.notify.channels.get(&name).ok_or_else(|| {
                let known: Vec<&str> = config.notify.channels.keys().map(String::as_str).collect();
                Error::Usage(format!(
                    "no channel `{name}` in config `{}`; defined channels: {}",
                    config.display_path(),
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ))
            })?;
            let url =
                config.resolve(&channel.webhook, &|k| session.env.get(k).map(str::to_owned))?;
            session.add_secret(&url);
            let provider = args.provider.or(channel.provider.map(|p| match p {
                ChannelProvider::Slack => Provider::Slack,
                ChannelProvider::Discord => Provider::Discord,
            }));
            raw.push((format!("channel {name}"), url, provider));
        }
    }

    let mut out = Vec::new();
    let mut problems = Vec::new();
    if raw.is_empty() {
        problems.push(NotifyError::NoDestination.to_string());
    }
    for (name, url, provider) in raw {
        match check_destination(&name, &url, provider) {
            Ok(d) => out.push(d),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if args.strict && !problems.is_empty() {
        return Err(Error::Usage(session.redact(&problems.join("; "))));
    }
    Ok((out, problems))
}

/// The URLs of `DECODER_OPS_WEBHOOK`: several may be given, separated by commas or newlines.
pub(super) fn env_webhooks(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', '\n'])
        .map(str::trim)
        .filter(|u| !u.is_empty())
}

/// A usable destination: an absolute http(s) URL (plain http only to loopback, so a webhook
/// token never crosses a network unencrypted) with a known provider. Errors never include the URL.
pub(super) fn check_destination(
    name: &str,
    url: &str,
    provider: Option<Provider>,
) -> Result<Destination, NotifyError> {
    let invalid = |reason: &str| NotifyError::InvalidDestination {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed =
        reqwest::Url::parse(url).map_err(|_| invalid("not a valid URL (expected https://…)"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(invalid(
                "refusing to send a webhook token over plain http; use https",
            ));
        }
        _ => return Err(invalid("not an http(s) URL")),
    }
    let provider = provider.or_else(|| Provider::detect(url)).ok_or_else(|| {
        invalid("cannot tell Slack from Discord by this URL; pass --provider slack|discord")
    })?;
    Ok(Destination {
        name: name.to_owned(),
        provider,
        url: Secret::new(url),
    })
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn build_message(args: &NotifyArgs, session: &mut Session) -> Result<Message, Error> {
    let text = match (&args.text, &args.text_file) {
        (Some(t), _) => t.clone(),
        (None, Some(path)) => read_text(path)?,
        (None, None) => String::new(),
    };
    let context = Context::from_env(&session.env)?;
    let origin = context.to_origin();
    let title = args
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| {
            Message::default_title(
                args.event,
                args.status,
                args.environment.as_deref(),
                &origin,
            )
        });
    let mut fields: Vec<Field> = args
        .fields
        .iter()
        .map(|(n, v)| Field {
            name: n.clone(),
            value: v.clone(),
        })
        .collect();
    if args.event == EventKind::Custom
        && let Some(env) = &args.environment
    {
        fields.insert(
            0,
            Field {
                name: "Environment".into(),
                value: env.clone(),
            },
        );
    }
    let mut links: Vec<Link> = args
        .links
        .iter()
        .map(|(l, u)| Link {
            label: l.clone(),
            url: u.clone(),
        })
        .collect();
    if let Some(url) = origin.pull_request_url() {
        links.push(Link {
            label: "Pull request".into(),
            url,
        });
    }
    Ok(Message {
        status: args.status,
        event: args.event,
        title,
        text,
        fields,
        links,
        environment: args.environment.clone(),
        origin,
        timestamp: jiff::Timestamp::now(),
    })
}

/// The message text from a file or `-` (stdin), capped and decoded lossily: a commit message
/// with invalid UTF-8 should still be sent.
fn read_text(path: &std::path::Path) -> Result<String, Error> {
    let mut buf = Vec::new();
    let shown = path.display().to_string();
    let result = if shown == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_TEXT_BYTES as u64)
            .read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_TEXT_BYTES as u64).read_to_end(&mut buf))
    };
    result
        .map_err(|e| NotifyError::Input(format!("--text-file `{shown}`: cannot read it: {e}")))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn preview(
    items: &[(Destination, serde_json::Value)],
    session: &mut Session,
) -> Vec<PayloadPreview> {
    let mut out = Vec::new();
    for (dest, payload) in items {
        let pretty = serde_json::to_string_pretty(payload).unwrap_or_default();
        session.say(&format!(
            "# {} ({}): dry run, not sent",
            dest.name,
            dest.provider.as_str()
        ));
        session.say(&pretty);
        out.push(PayloadPreview {
            destination: dest.name.clone(),
            provider: dest.provider,
            payload: payload.clone(),
        });
    }
    out
}

fn send(
    items: &[(Destination, serde_json::Value)],
    args: &NotifyArgs,
    session: &Session,
) -> Result<Vec<DeliveryReport>, Error> {
    let options = DeliveryOptions {
        overall_timeout: args.timeout,
        request_timeout: args.timeout.min(Duration::from_secs(10)),
        wait: args.wait,
        update: args.update.clone(),
        progress: Progress::stderr(session.redactor.clone()),
        ..DeliveryOptions::default()
    };
    let client = deliver::build_client()?;
    let redactor = session.redactor.snapshot();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| NotifyError::Client(format!("cannot start the async runtime: {e}")))?;
    Ok(runtime.block_on(deliver::deliver_all(&client, items, &options, &redactor)))
}

fn summary(message: &Message, deliveries: &[DeliveryReport], session: &Session) -> String {
    let mut md = format!(
        "### {} Notification: {}\n\n| destination | provider | result |\n|---|---|---|\n",
        message.status.emoji(),
        escape_md(&message.title)
    );
    for r in deliveries {
        let result = if r.delivered {
            format!("✅ delivered ({} ms)", r.elapsed_ms)
        } else {
            format!(
                "⚠️ {}",
                escape_md(&session.redact(r.error.as_deref().unwrap_or("not delivered")))
            )
        };
        md.push_str(&format!(
            "| {} | {} | {} |\n",
            escape_md(&r.destination),
            r.provider.as_str(),
            result
        ));
    }
    md
}

/// Table cells must not break the table or render untrusted markup.
fn escape_md(s: &str) -> String {
    s.replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
