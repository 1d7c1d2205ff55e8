//! Incidents as GitHub issues: opened when an alert fires, commented on reminders, commented on
//! and closed when it resolves. Each carries a hidden marker per check, so a run that crashed
//! after opening one, or a run that overlapped another, finds it instead of opening a second.

use serde::Serialize;

use crate::github::api::{ApiError, Client, Marker};
use crate::monitor::{Event, EventKind, State};
use crate::secret::Redactor;

/// Label every incident carries (with `sev-1` … `sev-4`).
pub const INCIDENT_LABEL: &str = "incident";

/// What was done for one event, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentAction {
    pub check: String,
    /// `opened`, `found`, `commented`, `closed`, or `failed`.
    pub action: &'static str,
    pub issue: Option<u64>,
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The marker of a check's incident: check names may hold characters a marker may not.
pub fn marker(check: &str) -> Result<Marker, ApiError> {
    let mut slug = String::new();
    for c in check.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') {
            c
        } else {
            '-'
        };
        if !(c == '-' && slug.ends_with('-')) {
            slug.push(c);
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(80).collect();
    Marker::new(&format!(
        "incident:{}",
        if slug.is_empty() { "check" } else { &slug }
    ))
}

/// Where the alert happened and how to get to the run, for issue texts.
pub struct Place<'a> {
    pub environment: Option<&'a str>,
    pub run_url: Option<&'a str>,
    /// Every text sent to GitHub passes through it: an issue is as public as a log.
    pub redactor: &'a Redactor,
}

fn title(event: &Event, place: &Place<'_>) -> String {
    let env = place
        .environment
        .map(|e| format!("{e}: "))
        .unwrap_or_default();
    format!(
        "[{}] {env}{} is failing",
        event.severity.incident_label(),
        event.check
    )
}

fn run_line(place: &Place<'_>) -> String {
    place
        .run_url
        .map(|u| format!("\n\nRun: {u}"))
        .unwrap_or_default()
}

/// Applies the events to GitHub and records issue numbers in `state`. Failures are reported
/// per event and never stop the others.
pub async fn apply(
    client: &Client,
    events: &[Event],
    state: &mut State,
    place: &Place<'_>,
) -> Vec<IncidentAction> {
    let mut out = Vec::new();
    for event in events {
        let result = match &event.kind {
            EventKind::Firing => open(client, event, state, place).await,
            EventKind::Reminder => remind(client, event, state, place).await,
            EventKind::Resolved { down_for } => {
                let text = format!(
                    "✅ Resolved: `{}` is passing again after {}.{}",
                    event.check,
                    super::alerts::human(*down_for),
                    run_line(place)
                );
                close(client, event, state, &place.redactor.redact(&text)).await
            }
            EventKind::Suppressed { .. } => continue,
        };
        out.push(result.unwrap_or_else(|e| IncidentAction {
            check: event.check.clone(),
            action: "failed",
            issue: None,
            url: None,
            error: Some(e.to_string()),
        }));
    }
    out
}

async fn find(client: &Client, check: &str) -> Result<Option<crate::github::api::Issue>, ApiError> {
    client
        .find_open_issue_by_marker(&marker(check)?, Some(INCIDENT_LABEL))
        .await
}

async fn open(
    client: &Client,
    event: &Event,
    state: &mut State,
    place: &Place<'_>,
) -> Result<IncidentAction, ApiError> {
    let (issue, action) = match find(client, &event.check).await? {
        Some(issue) => (issue, "found"),
        None => {
            let since = event
                .failing_since
                .map(|t| format!(" since {}", t.strftime("%Y-%m-%d %H:%M UTC")))
                .unwrap_or_default();
            let env = place
                .environment
                .map(|e| format!(" in `{e}`"))
                .unwrap_or_default();
            let body = marker(&event.check)?.with_body(&format!(
                "**{}**{env} has been failing{since}.\n\n**What failed:** {}\n\n\
                 This issue was opened by `decoder-ops health-monitor`; it gets a comment on \
                 every reminder and is closed when the check recovers. See docs/RUNBOOK.md for \
                 what to do.{}",
                event.check,
                event.detail,
                run_line(place)
            ));
            let labels = [INCIDENT_LABEL, event.severity.incident_label()];
            (
                client
                    .create_issue(
                        &place.redactor.redact(&title(event, place)),
                        &place.redactor.redact(&body),
                        &labels,
                    )
                    .await?,
                "opened",
            )
        }
    };
    if let Some(c) = state.checks.get_mut(&event.check) {
        c.incident = Some(issue.number);
    }
    Ok(IncidentAction {
        check: event.check.clone(),
        action,
        issue: Some(issue.number),
        url: Some(issue.html_url),
        error: None,
    })
}

async fn remind(
    client: &Client,
    event: &Event,
    state: &mut State,
    place: &Place<'_>,
) -> Result<IncidentAction, ApiError> {
    let number = state.checks.get(&event.check).and_then(|c| c.incident);
    let Some(number) = number else {
        // Opening failed when the alert fired (or incidents were switched on later).
        return open(client, event, state, place).await;
    };
    let comment = client
        .comment_issue(
            number,
            &place.redactor.redact(&format!(
                "🔁 Still failing: {}{}",
                event.detail,
                run_line(place)
            )),
        )
        .await?;
    Ok(IncidentAction {
        check: event.check.clone(),
        action: "commented",
        issue: Some(number),
        url: Some(comment.html_url),
        error: None,
    })
}

async fn close(
    client: &Client,
    event: &Event,
    state: &mut State,
    text: &str,
) -> Result<IncidentAction, ApiError> {
    let known = state.checks.get(&event.check).and_then(|c| c.incident);
    let number = match known {
        Some(n) => Some(n),
        None => find(client, &event.check).await?.map(|i| i.number),
    };
    let Some(number) = number else {
        return Ok(IncidentAction {
            check: event.check.clone(),
            action: "none",
            issue: None,
            url: None,
            error: None,
        });
    };
    let issue = client.close_issue(number, Some(text)).await?;
    if let Some(c) = state.checks.get_mut(&event.check) {
        c.incident = None;
    }
    Ok(IncidentAction {
        check: event.check.clone(),
        action: "closed",
        issue: Some(number),
        url: Some(issue.html_url),
        error: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_made_from_any_check_name() {
        assert_eq!(
            marker("api health / EU").unwrap().as_str(),
            "<!-- decoder-ops:incident:api-health-EU -->"
        );
        assert_eq!(
            marker("--").unwrap().as_str(),
            "<!-- decoder-ops:incident:check -->"
        );
        assert!(marker(&"x".repeat(300)).is_ok());
    }
}
