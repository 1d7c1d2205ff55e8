//! Runs checks written as config YAML through the library, as `smoke` does.

use decoder_ops::config::parse;
use decoder_ops::probe::{Clients, Report, RunOptions, Selection, plan, run};
use decoder_ops::secret::Redactor;

/// Plans `yaml` for `selection` (variables from `env`), runs it and returns the redacted report.
pub async fn run_yaml(
    yaml: &str,
    selection: &Selection,
    env: &dyn Fn(&str) -> Option<String>,
    options: RunOptions,
) -> Report {
    let config = parse(yaml, "smoke.yml").unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    let planned = plan(&config, selection, env).unwrap_or_else(|e| panic!("{e}"));
    let clients = Clients::for_checks(&planned.checks, 8).unwrap_or_else(|e| panic!("{e}"));
    let mut redactor = Redactor::new();
    for s in &planned.secrets {
        redactor.add(s);
    }
    run(&planned.checks, &clients, &options, &redactor).await
}

/// Concurrency 10, no deadline, the real clock.
pub fn options() -> RunOptions {
    RunOptions {
        concurrency: 10,
        deadline: None,
        now_unix: jiff::Timestamp::now().as_second(),
    }
}

/// `run_yaml` without environment or variables.
pub async fn run_checks(yaml: &str) -> Report {
    run_yaml(yaml, &Selection::default(), &|_| None, options()).await
}
