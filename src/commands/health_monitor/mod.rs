//! `decoder-ops health-monitor`: config → HTTP checks (the smoke engine) and Prometheus queries
//! → observations → the per-check state machine (`monitor::step`) on the stored state → one
//! grouped notification, incidents, Pushgateway metrics → outputs, summary, `--json`.
//!
//! Side effects follow the state write: a run whose write lost a race re-applies its
//! observations to the winner's state (see [`store`]), so overlapping runs agree on what fired
//! and only one of them tells anyone.

mod alerts;
mod incidents;
mod push;
mod report;
mod round;
mod setup;
mod store;

use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::Session;
use crate::cli::{FailOn, HealthMonitorArgs, IncidentsTarget, StateSpec};
use crate::config;
use crate::error::{Error, ExitCode};
use crate::github::api::Client;
use crate::github::runtime::{Annotation, Context};
use crate::monitor::{self, Severity};
use crate::notify::deliver::{self, DeliveryOptions, DeliveryReport, Pacer};
use crate::outcome::Verdict;
use crate::probe::Clients;
use crate::secret::Secret;

use report::{Details, RoundSummary};

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

#[allow(clippy::too_many_arguments)]
async fn monitor_run(
    args: HealthMonitorArgs,
    config: config::Config,
    setup: setup::Setup,
    context: Context,
    github: Option<Client>,
    clock: Clock,
    session: &mut Session,
) -> Result<ExitCode, Error> {
    let monitor_config = config.monitor.clone().unwrap_or_default();
    let store_client = match args.state {
        StateSpec::Github { .. } => github.clone().map(|c| (c, context.sha.clone())),
        StateSpec::File(_) => None,
    };
    let mut store = store::Store::open(&args.state, store_client)?;
    let opened = store.load(clock.now()).await?;
    let mut warnings: Vec<String> = setup.destination_problems.clone();
    warnings.extend(opened.warning.clone());
    let mut state = opened.state;

    let clients = Clients::for_checks(&setup.planned.checks, usize::from(args.concurrency))?;
    let redactor = session.redactor.snapshot();
    let http_client = deliver::build_client()?;
    let pacer = std::sync::Arc::new(Pacer::default());
    let origin = context.to_origin();
    let run_url = origin.run_url();

    if args.record_baseline {
        let now = clock.now();
        let round = round::measure(
            &setup,
            &clients,
            &monitor_config,
            &state,
            &args,
            now,
            &redactor,
        )
        .await;
        let values = round::baselines(&round.metrics);
        let (_, _, conflicts) = store
            .commit(state, now, |s| {
                for (name, value) in &values {
                    s.baselines.insert(name.clone(), *value);
                }
            })
            .await?;
        return report::baselines(
            &args,
            &values,
            &round,
            &store.describe(),
            conflicts,
            session,
        );
    }

    let started = Instant::now();
    let mut summaries: Vec<RoundSummary> = Vec::new();
    let mut all_deliveries: Vec<DeliveryReport> = Vec::new();
    let mut all_incidents = Vec::new();
    let mut conflicts_total = 0;
    let mut rollback: Option<String> = None;
    let (round, step) = loop {
        let now = clock.now();
        let round = round::measure(
            &setup,
            &clients,
            &monitor_config,
            &state,
            &args,
            now,
            &redactor,
        )
        .await;
        let observations = round.observations.clone();
        let (mut next, step, conflicts) = store
            .commit(state, now, |s| {
                monitor::step(s, &observations, &setup.policies, now)
            })
            .await?;
        conflicts_total += conflicts;

        // Incidents, then their numbers into the stored state.
        if let (IncidentsTarget::Github, Some(client)) = (args.incidents, github.as_ref()) {
            let place = incidents::Place {
                environment: setup.environment.as_deref(),
                run_url: run_url.as_deref(),
                redactor: &redactor,
            };
            let actions = incidents::apply(client, &step.events, &mut next, &place).await;
            if !actions.is_empty() {
                let numbers: Vec<(String, Option<u64>)> = next
                    .checks
                    .iter()
                    .map(|(k, c)| (k.clone(), c.incident))
                    .collect();
                let (stored, _, conflicts) = store
                    .commit(next, now, |s| {
                        for (check, number) in &numbers {
                            if let Some(c) = s.checks.get_mut(check) {
                                c.incident = *number;
                            }
                        }
                    })
                    .await?;
                conflicts_total += conflicts;
                next = stored;
            }
            for a in actions.iter().filter(|a| a.action == "failed") {
                warnings.push(format!(
                    "incident for `{}` not updated: {}",
                    a.check,
                    a.error.as_deref().unwrap_or("unknown error")
                ));
            }
            all_incidents.extend(actions);
        }
        let links: Vec<(String, String)> = all_incidents
            .iter()
            .filter_map(|a: &incidents::IncidentAction| Some((a.check.clone(), a.url.clone()?)))
            .collect();

        // One grouped message.
        if let Some(message) = alerts::message(
            &step.events,
            setup.environment.as_deref(),
            &origin,
            &links,
            now,
        ) {
            if setup.destinations.is_empty() && !args.no_notify {
                warnings.push(
                    "alerts changed but no channel is configured: set `monitor.channels`, DECODER_OPS_WEBHOOK or `notify.default-channels`"
                        .into(),
                );
            }
            let items: Vec<_> = setup
                .destinations
                .iter()
                .map(|d| (d.clone(), d.provider.render(&message)))
                .collect();
            if !items.is_empty() {
                let reports = deliver::deliver_all_paced(
                    &http_client,
                    &items,
                    &DeliveryOptions::default(),
                    &redactor,
                    &pacer,
                )
                .await;
                for r in reports.iter().filter(|r| !r.delivered) {
                    warnings.push(format!(
                        "alert not delivered to {}: {}",
                        r.destination,
                        r.error.as_deref().unwrap_or("unknown error")
                    ));
                }
                all_deliveries.extend(reports);
            }
        }

        if let Some(url) = &args.push_metrics
            && let Err(e) = push::push(
                &http_client,
                url,
                &args.push_job,
                setup.environment.as_deref(),
                &round,
                &next,
                now,
            )
            .await
        {
            warnings.push(format!("metrics not pushed: {e}"));
        }

        rollback =
            rollback.or_else(|| round::rollback_rule(&round, &next, &monitor_config, &setup));
        summaries.push(RoundSummary::of(&round, &step, now));
        state = next;
        let done = match args.watch {
            None => true,
            Some(window) => rollback.is_some() || started.elapsed() + args.every > window,
        };
        if done {
            break (round, step);
        }
        let line = summaries.last().map(RoundSummary::line).unwrap_or_default();
        session.say(&line);
        tokio::time::sleep(args.every).await;
    };

    let now = clock.now();
    let firing: Vec<String> = state
        .checks
        .iter()
        .filter(|(_, c)| c.firing)
        .map(|(k, _)| k.clone())
        .collect();
    let blocking = state
        .checks
        .values()
        .any(|c| c.firing && matches!(c.severity, Severity::Critical | Severity::High));
    let healthy = !blocking && rollback.is_none();
    let problems = round.problems.clone();
    let verdict = if !healthy {
        match args.fail_on {
            FailOn::Unhealthy => Verdict::Fail,
            FailOn::Never => Verdict::Warn,
        }
    } else if !problems.is_empty() {
        Verdict::Error
    } else if !firing.is_empty() || !warnings.is_empty() {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    for w in &warnings {
        tracing::warn!("{w}");
        session
            .runtime
            .annotate(Annotation::warning(session.redact(w)).title("decoder-ops health-monitor"))?;
    }
    let details = Details::new(
        &setup,
        &round,
        &step,
        &state,
        now,
        report::Facts {
            healthy,
            rollback_rule: rollback,
            firing,
            store: store.describe(),
            conflicts: conflicts_total,
            deliveries: all_deliveries,
            incidents: all_incidents,
            rounds: summaries,
            warnings,
            problems,
            watch: args.watch.map(|w| Duration::as_secs(&w)),
        },
    );
    report::emit(&args, verdict, details, session)
}
