//! One monitoring run as a value: opened on the stored state, then rounds — measure, commit the
//! state machine's step together with the round's message in the outbox, incidents, delivery,
//! metrics — and finally the outcome for every sink.

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::Timestamp;

use super::incidents::{self, IncidentAction};
use super::outbox::{self, Courier, Pass};
use super::report::{self, Details, RoundSummary};
use super::round::{self, Round};
use super::setup::Setup;
use super::store::Store;
use super::{Clock, push};
use crate::cli::{HealthMonitorArgs, IncidentsTarget, StateSpec};
use crate::config::{self, monitor::MonitorConfig};
use crate::error::{Error, ExitCode};
use crate::github::api::Client;
use crate::github::runtime::Context;
use crate::logging::Progress;
use crate::monitor::outbox::{Alert, Context as Decided};
use crate::monitor::{self, State, Step};
use crate::notify::Origin;
use crate::notify::deliver::{self, DeliveryReport, Pacer};
use crate::probe::Clients;
use crate::secret::Redactor;

use super::super::Session;

/// A run in progress and what it has gathered so far.
pub struct Monitor {
    pub args: HealthMonitorArgs,
    monitor_config: MonitorConfig,
    setup: Setup,
    github: Option<Client>,
    clock: Clock,
    store: Store,
    state: State,
    clients: Clients,
    redactor: Redactor,
    http: reqwest::Client,
    /// `None` with `--no-notify`.
    courier: Option<Courier>,
    origin: Origin,
    warnings: Vec<String>,
    summaries: Vec<RoundSummary>,
    deliveries: Vec<DeliveryReport>,
    incidents: Vec<IncidentAction>,
    conflicts: u32,
    rollback: Option<String>,
    last: Option<(Round, Step)>,
}

impl Monitor {
    /// Opens the store (waiting for a concurrent run's lock) and reads the state.
    pub async fn open(
        args: HealthMonitorArgs,
        config: config::Config,
        setup: Setup,
        context: Context,
        github: Option<Client>,
        clock: Clock,
        session: &Session,
    ) -> Result<Monitor, Error> {
        let store_client = match args.state {
            StateSpec::Github { .. } => github.clone().map(|c| (c, context.sha.clone())),
            StateSpec::File(_) => None,
        };
        let progress = Progress::stderr(session.redactor.clone());
        let mut store =
            Store::open(&args.state, store_client, args.lock_timeout, &progress).await?;
        let opened = store.load(clock.now()).await?;
        let mut warnings = setup.destination_problems.clone();
        warnings.extend(opened.warning);
        let clients = Clients::for_checks(&setup.planned.checks, usize::from(args.concurrency))?;
        let redactor = session.redactor.snapshot();
        let http = deliver::build_client()?;
        let origin = context.to_origin();
        let courier = (!args.no_notify).then(|| Courier {
            client: http.clone(),
            pacer: Arc::new(Pacer::default()),
            run: Courier::run_name(),
            destinations: setup.destinations.clone(),
            options: outbox::options(args.timeout, progress),
            redactor: redactor.clone(),
            origin: origin.clone(),
            failed: BTreeSet::new(),
        });
        Ok(Monitor {
            monitor_config: config.monitor.clone().unwrap_or_default(),
            args,
            setup,
            github,
            clock,
            store,
            state: opened.state,
            clients,
            redactor,
            http,
            courier,
            origin,
            warnings,
            summaries: Vec::new(),
            deliveries: Vec::new(),
            incidents: Vec::new(),
            conflicts: 0,
            rollback: None,
            last: None,
        })
    }

    async fn measure(&self, now: Timestamp) -> Round {
        round::measure(
            &self.setup,
            &self.clients,
            &self.monitor_config,
            &self.state,
            &self.args,
            now,
            &self.redactor,
        )
        .await
    }

    /// `--record-baseline`: store every metric's value, report, and stop.
    pub async fn record_baseline(mut self, session: &mut Session) -> Result<ExitCode, Error> {
        let now = self.clock.now();
        let round = self.measure(now).await;
        let values = round::baselines(&round.metrics);
        let (_, _, conflicts) = self
            .store
            .commit(self.state, now, |s| {
                for (name, value) in &values {
                    s.baselines.insert(name.clone(), *value);
                }
            })
            .await?;
        let store = self.store.describe();
        report::baselines(&self.args, &values, &round, &store, conflicts, session)
    }

    /// Sends what the outbox holds and this run may send, oldest first.
    pub async fn deliver(&mut self) -> Result<(), Error> {
        let Some(courier) = self.courier.as_mut() else {
            return Ok(());
        };
        let state = std::mem::replace(&mut self.state, State::fresh());
        let (state, pass) = courier
            .pass(&mut self.store, state, self.clock.now())
            .await?;
        self.state = state;
        let Pass {
            reports,
            warnings,
            conflicts,
            ..
        } = pass;
        self.deliveries.extend(reports);
        // Both passes of a run see what waits for a destination it lacks: say it once.
        for w in warnings {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        self.conflicts += conflicts;
        Ok(())
    }

    /// One round: measure, commit, incidents, delivery, metrics.
    pub async fn round(&mut self) -> Result<(), Error> {
        let now = self.clock.now();
        let round = self.measure(now).await;
        let (step, entry) = self.commit_round(&round, now).await?;
        self.apply_incidents(&step, entry, now).await?;
        self.deliver().await?;
        self.push(&round, now).await;
        self.rollback = self.rollback.take().or_else(|| {
            round::rollback_rule(&round, &self.state, &self.monitor_config, &self.setup)
        });
        self.summaries.push(RoundSummary::of(&round, &step, now));
        self.last = Some((round, step));
        Ok(())
    }

    /// The state machine's step and this round's message, in one state write.
    async fn commit_round(
        &mut self,
        round: &Round,
        now: Timestamp,
    ) -> Result<(Step, Option<u64>), Error> {
        let observations = round.observations.clone();
        let destinations: Vec<String> = match self.courier {
            Some(_) => self
                .setup
                .destinations
                .iter()
                .map(|d| d.name.clone())
                .collect(),
            None => Vec::new(),
        };
        let decided = Decided {
            at: Some(now),
            environment: self.setup.environment.clone(),
            run_url: self.origin.run_url(),
        };
        let policies = &self.setup.policies;
        let state = std::mem::replace(&mut self.state, State::fresh());
        let (state, (step, entry, dropped), conflicts) = self
            .store
            .commit(state, now, |s| {
                let step = monitor::step(s, &observations, policies, now);
                let (entry, dropped) =
                    s.outbox
                        .enqueue(&step.events, decided.clone(), &destinations, now);
                (step, entry, dropped)
            })
            .await?;
        self.state = state;
        self.conflicts += conflicts;
        for d in dropped {
            self.warnings.push(format!(
                "alert message {} for {} dropped without delivery: {}",
                d.id,
                d.destinations.join(", "),
                d.reason
            ));
        }
        let alerting = step.events.iter().any(|e| Alert::of(e).is_some());
        if alerting && self.setup.destinations.is_empty() && !self.args.no_notify {
            self.warnings.push(
                "alerts changed but no channel is configured: set `monitor.channels`, DECODER_OPS_WEBHOOK or `notify.default-channels`"
                    .into(),
            );
        }
        Ok((step, entry))
    }

    /// Incidents for the step's events; their numbers into the state and the round's message.
    async fn apply_incidents(
        &mut self,
        step: &Step,
        entry: Option<u64>,
        now: Timestamp,
    ) -> Result<(), Error> {
        let (IncidentsTarget::Github, Some(client)) = (self.args.incidents, self.github.as_ref())
        else {
            return Ok(());
        };
        let run_url = self.origin.run_url();
        let place = incidents::Place {
            environment: self.setup.environment.as_deref(),
            run_url: run_url.as_deref(),
            redactor: &self.redactor,
        };
        let actions = incidents::apply(client, &step.events, &mut self.state, &place).await;
        if !actions.is_empty() {
            let numbers: Vec<(String, Option<u64>)> = self
                .state
                .checks
                .iter()
                .map(|(k, c)| (k.clone(), c.incident))
                .collect();
            let issues: Vec<(String, u64)> = actions
                .iter()
                .filter_map(|a| Some((a.check.clone(), a.issue?)))
                .collect();
            let state = std::mem::replace(&mut self.state, State::fresh());
            let (state, (), conflicts) = self
                .store
                .commit(state, now, |s| {
                    for (check, number) in &numbers {
                        if let Some(c) = s.checks.get_mut(check) {
                            c.incident = *number;
                        }
                    }
                    if let Some(id) = entry {
                        s.outbox.note_incidents(id, &issues);
                    }
                })
                .await?;
            self.state = state;
            self.conflicts += conflicts;
        }
        for a in actions.iter().filter(|a| a.action == "failed") {
            self.warnings.push(format!(
                "incident for `{}` not updated: {}",
                a.check,
                a.error.as_deref().unwrap_or("unknown error")
            ));
        }
        self.incidents.extend(actions);
        Ok(())
    }

    async fn push(&mut self, round: &Round, now: Timestamp) {
        let Some(url) = &self.args.push_metrics else {
            return;
        };
        let pushed = push::push(
            &self.http,
            url,
            &self.args.push_job,
            self.setup.environment.as_deref(),
            round,
            &self.state,
            now,
        )
        .await;
        if let Err(e) = pushed {
            self.warnings.push(format!("metrics not pushed: {e}"));
        }
    }

    /// Whether the run is over: one round, or `--watch` ended (its time, or a rollback rule).
    pub fn finished(&self, started: std::time::Instant) -> bool {
        match self.args.watch {
            None => true,
            Some(window) => self.rollback.is_some() || started.elapsed() + self.args.every > window,
        }
    }

    /// The last round's one-line summary (between `--watch` rounds).
    pub fn last_line(&self) -> String {
        self.summaries
            .last()
            .map(RoundSummary::line)
            .unwrap_or_default()
    }

    /// The outcome, to every sink.
    pub fn finish(self, session: &mut Session) -> Result<ExitCode, Error> {
        let Some((round, step)) = self.last else {
            return Err(Error::Service("the monitor ran no round".into()));
        };
        let now = self.clock.now();
        let facts = report::Facts {
            healthy: false,
            rollback_rule: self.rollback,
            firing: Vec::new(),
            store: self.store.describe(),
            conflicts: self.conflicts,
            deliveries: self.deliveries,
            incidents: self.incidents,
            rounds: self.summaries,
            warnings: self.warnings,
            problems: round.problems.clone(),
            watch: self.args.watch.map(|w| w.as_secs()),
        };
        let (verdict, facts) = report::judge(&self.state, facts, self.args.fail_on);
        report::warn(&facts.warnings, session)?;
        let details = Details::new(&self.setup, &round, &step, &self.state, now, facts);
        report::emit(&self.args, verdict, details, session)
    }
}
