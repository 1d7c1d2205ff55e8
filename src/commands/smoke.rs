//! `decoder-ops smoke`: the config's checks (or one check from flags) → the probe engine →
//! terminal list, annotations, outputs, job summary, JUnit and JSON files → exit 1 when any
//! check did not pass.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;

use super::Session;
use crate::cli::SmokeArgs;
use crate::config::assertion::{Assertion, Operand, Predicate, Query};
use crate::config::checks::{MAX_ATTEMPTS, MAX_REDIRECTS, default_assertion};
use crate::config::scalar::{Method, check_url};
use crate::config::{self, Timing, TlsSpec};
use crate::error::{Error, ExitCode};
use crate::github::runtime::Annotation;
use crate::outcome::{Outcome, Verdict};
use crate::probe::plan::{credential_forms, is_credential_header, url_secrets};
use crate::probe::{self, Check, Clients, Planned, Report, RunOptions, Selection};
use crate::render::smoke::{RunLabel, markdown, terminal};

/// The `--json` details: where the run happened, then the report (stats, checks).
#[derive(Debug, Serialize)]
struct SmokeDetails {
    environment: Option<String>,
    slot: Option<String>,
    #[serde(flatten)]
    report: Report,
}

pub fn run(args: SmokeArgs, session: &mut Session) -> Result<ExitCode, Error> {
    let started = jiff::Timestamp::now();
    let (planned, label, config_path) = match &args.url {
        Some(url) => (from_flags(url, &args)?, RunLabel::default(), None),
        None => from_config(&args, session)?,
    };
    // Secrets first: nothing is printed before every one is masked.
    for secret in &planned.secrets {
        session.add_secret(secret);
    }
    let concurrency = usize::from(args.concurrency);
    let clients = Clients::for_checks(&planned.checks, concurrency)?;
    for check in planned.checks.iter().filter(|c| c.tls.insecure) {
        tracing::warn!(check = %check.name, "TLS certificate verification is disabled (`insecure`)");
    }
    let options = RunOptions {
        concurrency,
        deadline: Some(args.deadline),
        now_unix: started.as_second(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Service(format!("cannot start the async runtime: {e}")))?;
    let redactor = session.redactor.snapshot();
    let report = runtime.block_on(probe::run(&planned.checks, &clients, &options, &redactor));

    // The list embeds server text: in Actions it goes inside `::stop-commands::`.
    let text = session.redact(&terminal(&report, session.color));
    session.runtime.stop_commands(&text)?;
    annotate(&report, config_path.as_deref(), session)?;

    let verdict = if report.passed() {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    let rt = &mut session.runtime;
    rt.set_output("passed", &report.stats.passed.to_string())?;
    rt.set_output("failed", &report.stats.failed.to_string())?;
    rt.set_output(
        "p95-ms",
        &report.stats.p95.map(whole_ms).unwrap_or_default(),
    )?;
    rt.set_output("verdict", verdict.as_str())?;
    rt.set_output("exit-code", &verdict.exit_code().to_string())?;
    if let Some(json) = &args.json {
        rt.set_output("result", &json.display().to_string())?;
    }
    let summary = session.redact(&markdown(&report, &label));
    session.runtime.append_summary(&summary)?;
    if let Some(path) = &args.junit {
        let timestamp = started.strftime("%Y-%m-%dT%H:%M:%S").to_string();
        let xml = crate::render::junit::junit(&report, &timestamp, label.slot.as_deref());
        crate::render::json::write_atomic(path, session.redact(&xml).as_bytes())?;
    }
    let outcome = Outcome::new(
        "smoke",
        verdict,
        SmokeDetails {
            environment: label.environment,
            slot: label.slot,
            report,
        },
    );
    if let Some(target) = &args.json {
        super::write_json(target, &outcome, session)?;
    }
    Ok(outcome.exit_code)
}

/// Milliseconds, rounded to the nearest whole one, for the `p95-ms` output.
fn whole_ms(d: Duration) -> String {
    ((d.as_micros() + 500) / 1000).to_string()
}

/// One error annotation per check that did not pass (at its line in the config when known), and
/// a warning for each warning of a check.
fn annotate(
    report: &Report,
    config_path: Option<&str>,
    session: &mut Session,
) -> Result<(), Error> {
    for c in &report.checks {
        let place = |mut a: Annotation| {
            if let (Some(path), Some(line)) = (config_path, c.line) {
                a = a.file(path).line(u32::try_from(line).unwrap_or(u32::MAX));
            }
            a
        };
        if !c.passed() {
            let reason = c.reason().unwrap_or_else(|| "failed".into());
            let message = session.redact(&format!("{} {}: {reason}", c.method, c.url));
            let annotation =
                place(Annotation::error(message).title(format!("smoke: {} failed", c.name)));
            session.runtime.annotate(annotation)?;
        }
        for w in &c.warnings {
            let annotation =
                place(Annotation::warning(session.redact(w)).title(format!("smoke: {}", c.name)));
            session.runtime.annotate(annotation)?;
        }
    }
    Ok(())
}

fn from_config(
    args: &SmokeArgs,
    session: &Session,
) -> Result<(Planned, RunLabel, Option<String>), Error> {
    let config = config::load(session.config_path.as_deref())?;
    let selection = Selection {
        environment: args.environment.clone(),
        slot: args.slot.clone(),
        names: args.checks.clone(),
    };
    let env = &session.env;
    let lookup = |name: &str| env.get(name).map(str::to_owned);
    let planned = probe::plan(&config, &selection, &lookup)?;
    let label = RunLabel {
        environment: planned.checks.first().and_then(|c| c.environment.clone()),
        slot: args.slot.clone(),
    };
    let path = config.path.as_ref().map(|_| config.display_path());
    Ok((planned, label, path))
}

/// The one check `--url` and its flags describe.
fn from_flags(url: &str, args: &SmokeArgs) -> Result<Planned, Error> {
    let usage = |flag: &str, e: String| Error::Usage(format!("{flag}: {e}"));
    let url = check_url(url.trim()).map_err(|e| usage("--url", e))?;
    let method = Method::parse(&args.method).map_err(|e| usage("--method", e))?;
    let mut secrets = url_secrets(&url);
    let mut headers = HeaderMap::new();
    for h in &args.headers {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| usage("--header", format!("expected `Name: value`, got `{h}`")))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            usage(
                "--header",
                format!("`{}` is not a valid header name", name.trim()),
            )
        })?;
        let value = value.trim();
        if is_credential_header(name.as_str()) {
            secrets.extend(credential_forms(value));
        }
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            usage(
                "--header",
                format!("the value of `{name}` contains control characters"),
            )
        })?;
        value.set_sensitive(true);
        headers.append(name, value);
    }
    if args.follow_redirects > MAX_REDIRECTS {
        return Err(usage(
            "--follow-redirects",
            format!("at most {MAX_REDIRECTS}"),
        ));
    }
    let timing = match (args.wait_until_ready, args.retries) {
        (Some(deadline), _) => {
            if args.wait_interval.is_zero() || args.wait_interval > deadline {
                return Err(usage(
                    "--wait-interval",
                    "must be more than 0 and at most --wait-until-ready".into(),
                ));
            }
            Timing::WaitUntilReady {
                deadline,
                interval: args.wait_interval,
            }
        }
        (None, Some(n)) if (2..=MAX_ATTEMPTS).contains(&n) => Timing::RetryTransient {
            attempts: n,
            backoff: config::checks::DEFAULT_BACKOFF,
        },
        (None, Some(_)) => {
            return Err(usage(
                "--retries",
                format!("counts the first request too: use 2 to {MAX_ATTEMPTS}"),
            ));
        }
        (None, None) => Timing::Once,
    };
    let mut check = Check::new(
        format!("{} {}", method.0, url.path()),
        url,
        assertions(args),
    );
    check.method = reqwest::Method::from_bytes(method.0.as_bytes())
        .map_err(|_| usage("--method", method.0.clone()))?;
    check.headers = headers;
    check.timeout = args.timeout;
    check.follow_redirects = args.follow_redirects;
    check.timing = timing;
    check.tls = TlsSpec {
        ca_file: args.ca_file.clone(),
        insecure: args.insecure,
    };
    for host in &args.allow_hosts {
        check.allow.add(host);
    }
    Ok(Planned {
        checks: vec![check],
        secrets,
    })
}

fn assertions(args: &SmokeArgs) -> Vec<Assertion> {
    let mut out = match args.expect_status.as_slice() {
        [] => vec![default_assertion()],
        [one] => vec![Assertion::new(
            Query::Status,
            Predicate::Equals(Operand::Int(i64::from(*one))),
        )],
        many => vec![Assertion::new(
            Query::Status,
            Predicate::In(many.iter().map(|s| Operand::Int(i64::from(*s))).collect()),
        )],
    };
    for text in &args.expect_body_contains {
        out.push(Assertion::new(
            Query::Body,
            Predicate::Contains(Operand::Text(text.clone())),
        ));
    }
    if let Some(max) = args.max_response_time {
        out.push(Assertion::new(
            Query::ResponseTime,
            Predicate::AtMost(Operand::Duration(max)),
        ));
    }
    if let Some(days) = args.min_cert_days {
        out.push(Assertion::new(
            Query::CertExpiryDays,
            Predicate::AtLeast(Operand::Int(days)),
        ));
    }
    out
}
