//! The provider-neutral notification: what happened, where, and links to look closer.
//!
//! A [`Message`] is built once per run (by `commands::notify` from flags, or by `health-monitor`
//! from events) and rendered by [`super::slack`] and [`super::discord`]. It holds plain text only;
//! escaping and length limits are the renderers' job, because each platform has its own.

use serde::Serialize;

/// How it went. Colour and emoji follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Success,
    Failure,
    Cancelled,
    Started,
    Warning,
    Critical,
    Info,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Failure => "failure",
            Status::Cancelled => "cancelled",
            Status::Started => "started",
            Status::Warning => "warning",
            Status::Critical => "critical",
            Status::Info => "info",
            Status::Resolved => "resolved",
        }
    }

    /// The word shown to people ("Succeeded", "Failed", …).
    pub fn label(self) -> &'static str {
        match self {
            Status::Success => "Succeeded",
            Status::Failure => "Failed",
            Status::Cancelled => "Cancelled",
            Status::Started => "Started",
            Status::Warning => "Warning",
            Status::Critical => "Critical",
            Status::Info => "Info",
            Status::Resolved => "Resolved",
        }
    }

    /// RGB colour of the status: green, red, grey, blue, amber, dark red, blue-grey, green.
    pub fn color(self) -> u32 {
        match self {
            Status::Success | Status::Resolved => 0x2E_B8_86,
            Status::Failure => 0xD0_36_36,
            Status::Critical => 0x8B_00_00,
            Status::Cancelled => 0x95_A5_A6,
            Status::Started => 0x31_6D_CA,
            Status::Warning => 0xF2_C7_44,
            Status::Info => 0x5B_6C_7D,
        }
    }

    /// Emoji as Unicode, so it renders the same on Slack and Discord.
    pub fn emoji(self) -> &'static str {
        match self {
            Status::Success => "✅",
            Status::Failure => "❌",
            Status::Cancelled => "⚪",
            Status::Started => "🚀",
            Status::Warning => "⚠️",
            Status::Critical => "🚨",
            Status::Info => "ℹ️",
            Status::Resolved => "💚",
        }
    }
}

/// What kind of thing the message is about; decides the default title and field layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Deploy,
    Health,
    Gate,
    #[default]
    Custom,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Deploy => "deploy",
            EventKind::Health => "health",
            EventKind::Gate => "gate",
            EventKind::Custom => "custom",
        }
    }
}

/// A `name: value` pair shown side by side with others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// A labelled link (a button on Slack, a Markdown link on Discord).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// Where the message comes from: the GitHub Actions run, filled in automatically.
/// Every field is optional because `notify` also runs on a laptop.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// `owner/name`.
    pub repository: Option<String>,
    /// The branch or tag name (`main`, `v1.2.0`), or the full ref when it is neither.
    pub ref_name: Option<String>,
    /// The full commit SHA.
    pub sha: Option<String>,
    pub actor: Option<String>,
    pub workflow: Option<String>,
    pub job: Option<String>,
    pub run_id: Option<String>,
    pub run_attempt: Option<u32>,
    /// `https://github.com` or the GHES URL.
    pub server_url: Option<String>,
    /// The pull request this run belongs to, if any.
    pub pull_request: Option<u64>,
}

impl Origin {
    /// `<server>/<repo>`.
    pub fn repository_url(&self) -> Option<String> {
        Some(format!(
            "{}/{}",
            self.server_url.as_deref()?,
            self.repository.as_deref()?
        ))
    }

    /// `<server>/<repo>/commit/<sha>`.
    pub fn commit_url(&self) -> Option<String> {
        Some(format!(
            "{}/commit/{}",
            self.repository_url()?,
            self.sha.as_deref()?
        ))
    }

    /// `<server>/<repo>/actions/runs/<id>` (with `/attempts/<n>` after the first attempt).
    pub fn run_url(&self) -> Option<String> {
        let base = format!(
            "{}/actions/runs/{}",
            self.repository_url()?,
            self.run_id.as_deref()?
        );
        Some(match self.run_attempt {
            Some(n) if n > 1 => format!("{base}/attempts/{n}"),
            _ => base,
        })
    }

    /// The first 7 characters of the SHA, as GitHub shows it.
    pub fn short_sha(&self) -> Option<&str> {
        let sha = self.sha.as_deref()?;
        Some(sha.get(..7).unwrap_or(sha))
    }

    pub fn pull_request_url(&self) -> Option<String> {
        Some(format!(
            "{}/pull/{}",
            self.repository_url()?,
            self.pull_request?
        ))
    }
}

/// One notification, before it is fitted to a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub status: Status,
    pub event: EventKind,
    /// Always set: [`Message::default_title`] when the user gave none.
    pub title: String,
    /// Free text, possibly long and hostile (commit messages). Plain text, not markup.
    pub text: String,
    pub fields: Vec<Field>,
    pub links: Vec<Link>,
    pub environment: Option<String>,
    pub origin: Origin,
    /// When the message was made, RFC 3339 (Discord shows it in the embed footer).
    pub timestamp: jiff::Timestamp,
}

impl Message {
    /// The title used when the user gives none, e.g. "Deploy to production succeeded".
    pub fn default_title(
        event: EventKind,
        status: Status,
        environment: Option<&str>,
        origin: &Origin,
    ) -> String {
        let verb = match status {
            Status::Success => "succeeded",
            Status::Failure => "failed",
            Status::Cancelled => "was cancelled",
            Status::Started => "started",
            Status::Warning => "has warnings",
            Status::Critical => "is critical",
            Status::Info => "info",
            Status::Resolved => "recovered",
        };
        let env = environment.map(|e| format!(" to {e}")).unwrap_or_default();
        let on_env = environment.map(|e| format!(" on {e}")).unwrap_or_default();
        match event {
            EventKind::Deploy => format!("Deploy{env} {verb}"),
            EventKind::Health => format!("Health check{on_env} {verb}"),
            EventKind::Gate => match origin.pull_request {
                Some(pr) => format!("Quality gate for PR #{pr} {verb}"),
                None => format!("Quality gate {verb}"),
            },
            EventKind::Custom => match (&origin.workflow, &origin.repository) {
                (Some(w), _) => format!("{w} {verb}"),
                (None, Some(r)) => format!("{r} {verb}"),
                (None, None) => format!("decoder-ops: {}", status.label()),
            },
        }
    }

    /// The fields shown for the run context (repository, ref, commit, actor, run), in order.
    /// Renderers append them after the user's own fields.
    pub fn context_fields(&self) -> Vec<Field> {
        let o = &self.origin;
        let mut out = Vec::new();
        let mut push = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                out.push(Field {
                    name: name.to_owned(),
                    value,
                });
            }
        };
        if self.event == EventKind::Deploy || self.event == EventKind::Health {
            push("Environment", self.environment.clone());
        }
        push("Repository", o.repository.clone());
        push("Ref", o.ref_name.clone());
        push("Commit", o.short_sha().map(str::to_owned));
        push("Actor", o.actor.clone());
        if let Some(pr) = o.pull_request {
            push("Pull request", Some(format!("#{pr}")));
        }
        out
    }
}
