//! The one integration-test binary (`cargo test --test it`), so the crate links once.

mod cli;
mod cli_config;
mod cli_coverage;
mod cli_formats;
mod cli_init;
mod cli_monorepo;
mod cli_notify;
mod cli_pr_comment;
mod cli_quality_gate;
mod cli_smoke;
mod github_api;
mod github_runtime;
mod github_stand_in;
mod monitor_github;
mod monitor_nginx;
mod monitor_prometheus;
mod notify_delivery;
mod notify_secrets;
mod smoke_faults;
mod smoke_nginx;
mod support;
mod workflows;
