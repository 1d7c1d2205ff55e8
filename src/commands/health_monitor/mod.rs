//! `decoder-ops health-monitor`: config → HTTP checks (the smoke engine) and Prometheus queries
//! → observations → the per-check state machine (`monitor::step`) on the stored state → one
//! grouped message into the outbox, incidents, delivery, Pushgateway metrics → outputs,
//! summary, `--json`.
//!
//! Side effects follow the state write: a run whose write lost a race re-applies its
//! observations to the winner's state (see [`store`]), so overlapping runs agree on what fired
//! and only one of them tells anyone. A message is written to the outbox in the same write as
//! its events and sent afterwards (see [`outbox`]); every run first sends what earlier runs
//! could not.

mod alerts;
mod cycle;
mod incidents;
mod outbox;
mod push;
mod report;
mod round;
mod setup;
mod store;

use std::time::Instant;

use jiff::Timestamp;

use super::Session;
use crate::cli::{HealthMonitorArgs, IncidentsTarget, StateSpec};
use crate::config;
use crate::error::{Error, ExitCode};
use crate::github::api::Client;
use crate::github::runtime::Context;
use crate::secret::Secret;

pub fn run(args: HealthMonitorArgs, session: &mut Session) -> Result<ExitCode, Error> {
    let clock = Clock::new(args.now.as_deref())?;
    let config = config::load(session.config_path.as_deref())?;
    let setup = setup::prepare(&args, &config, session)?;
    let context = Context::from_env(&session.env)?;
    let github = github_client(&args, &context, session)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Service(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(monitor_run(
        args, config, setup, context, github, clock, session,
    ))
}

/// The current time, or `--now` moved forward by the time the process has been running.
struct Clock {
    base: Option<Timestamp>,
    started: Instant,
}

impl Clock {
    fn new(now: Option<&str>) -> Result<Clock, Error> {
        let base = now
            .map(|t| {
                t.parse::<Timestamp>().map_err(|e| {
                    Error::Usage(format!(
                        "--now `{t}`: not an RFC 3339 time such as 2026-11-23T10:07:00Z ({e})"
                    ))
                })
            })
            .transpose()?;
        Ok(Clock {
            base,
            started: Instant::now(),
        })
    }

    /// Whole seconds: the state and the messages have no use for more.
    fn now(&self) -> Timestamp {
        let t = match self.base {
            Some(t) => {
                let elapsed =
                    jiff::SignedDuration::try_from(self.started.elapsed()).unwrap_or_default();
                t.checked_add(elapsed).unwrap_or(t)
            }
            None => Timestamp::now(),
        };
        Timestamp::from_second(t.as_second()).unwrap_or(t)
    }
}

/// A GitHub client when the state or the incidents live on GitHub.
fn github_client(
    args: &HealthMonitorArgs,
    context: &Context,
    session: &mut Session,
) -> Result<Option<Client>, Error> {
    let needed =
        matches!(args.state, StateSpec::Github { .. }) || args.incidents == IncidentsTarget::Github;
    if !needed {
        return Ok(None);
    }
    let token = session
        .env
        .get("GITHUB_TOKEN")
        .or_else(|| session.env.get("GH_TOKEN"))
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::Usage(
                "--state github and --incidents github need GITHUB_TOKEN (pass `github-token` to the action)"
                    .into(),
            )
        })?;
    session.add_secret(&token);
    let repository = context.repository.clone().ok_or_else(|| {
        Error::Usage("--state github and --incidents github need GITHUB_REPOSITORY".into())
    })?;
    Ok(Some(Client::new(
        &context.api_url,
        Secret::new(token),
        &repository,
    )?))
}

/// The run's steps: open the state, send what earlier runs left, then round after round (one,
/// or `--watch`), then the outcome.
async fn monitor_run(
    args: HealthMonitorArgs,
    config: config::Config,
    setup: setup::Setup,
    context: Context,
    github: Option<Client>,
    clock: Clock,
    session: &mut Session,
) -> Result<ExitCode, Error> {
    let mut run =
        cycle::Monitor::open(args, config, setup, context, github, clock, session).await?;
    if run.args.record_baseline {
        return run.record_baseline(session).await;
    }
    run.deliver().await?;
    let started = Instant::now();
    loop {
        run.round().await?;
        if run.finished(started) {
            break;
        }
        session.say(&run.last_line());
        tokio::time::sleep(run.args.every).await;
    }
    run.finish(session)
}
