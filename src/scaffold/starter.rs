//! The files `init` writes besides the workflows — the starter configuration and `RUNBOOK.md` —
//! and the list of what the team must still fill in.
//!
//! The starter configuration is complete enough to run: both environments the templates name
//! (staging and production) with a health check on a URL read from a repository variable, so
//! `deploy-staging` smoke-tests something real on its first run once `STAGING_URL` is set, and
//! `config check` names the variable while it is not.

use super::{ActionPin, Profile, Template};

/// Repository variables (Settings → Secrets and variables → Actions → Variables) the starter
/// configuration reads, with the environment each one locates.
pub const URL_VARIABLES: [(&str, &str); 2] =
    [("staging", "STAGING_URL"), ("production", "PRODUCTION_URL")];

/// One thing the team must still do, as `init` prints it at the end.
pub type FillIn = String;

/// The starter `.github/decoder-ops.yml`.
pub fn starter_config(profile: &Profile) -> String {
    format!(
        "\
# decoder-ops configuration (https://github.com/decoder-ops/decoder-ops/blob/main/docs/configuration.md)
# Written by `decoder-ops init` for a {language} repository. Check it with `decoder-ops config check`.
# Secrets are never written here: `${{NAME}}` reads the environment when the value is used.
#
# The workflows run (see .github/workflows/test.yml):
#   coverage report:     {coverage}
#   test results:        {junit}

# Where each environment answers. The URLs are repository variables (Settings → Secrets and
# variables → Actions → Variables), handed to the smoke and monitor steps by the workflows.
environments:
  staging:
    base-url: ${{STAGING_URL}}
  production:
    # deploy-production smoke-tests the idle slot before switching traffic to it: if each slot
    # has its own address, write it with {{slot}}, e.g. https://{{slot}}.example.com.
    base-url: ${{PRODUCTION_URL}}
    slots: [blue, green]

# What \"healthy\" means: replace the path and assertions with your service's own health endpoint.
checks:
  - name: health
    url: \"{{base-url}}/healthz\"
    assert:
      - status: 200

# health-monitor (the monitoring workflow) watches production.
monitor:
  environment: production

notify:
  channels:
    deploys:
      # Set SLACK_WEBHOOK_URL as a secret of the staging and production environments.
      webhook: ${{SLACK_WEBHOOK_URL}}
    alerts:
      # Set ALERT_WEBHOOK_URL as a secret of the monitoring environment.
      webhook: ${{ALERT_WEBHOOK_URL}}
",
        language = profile.language.label(),
        coverage = profile.coverage_report,
        junit = profile.junit_report,
    )
}

/// What the team must still fill in, given the templates written, the action's pin and whether
/// the repository already has each deploy script.
pub fn fill_in(
    profile: &Profile,
    templates: &[Template],
    pin: &ActionPin,
    has_file: impl Fn(&str) -> bool,
) -> Vec<FillIn> {
    let has = |t: Template| templates.contains(&t);
    let mut out = Vec::new();
    if templates.iter().any(|t| t.deploys()) || has(Template::Monitoring) {
        for (env, var) in URL_VARIABLES {
            out.push(format!(
                "Repository variable {var}: the {env} URL (`config check` fails naming it until it is set)."
            ));
        }
        out.push("`checks:` in .github/decoder-ops.yml: your health endpoint instead of the /healthz stub.".into());
    }
    if has(Template::DeployStaging) {
        out.push("Environment `staging`: secrets SLACK_WEBHOOK_URL and DEPLOY_TOKEN.".into());
    }
    if has(Template::DeployProduction) || has(Template::Rollback) {
        out.push(
            "Environment `production`: add required reviewers, allow only the main branch, secrets SLACK_WEBHOOK_URL and DEPLOY_TOKEN."
                .into(),
        );
    }
    if has(Template::Monitoring) {
        out.push(
            "Environment `monitoring` (no reviewers, so the schedule never waits): secret ALERT_WEBHOOK_URL."
                .into(),
        );
    }
    if has(Template::Validate) || has(Template::Test) {
        out.push("Branch protection on main: require the `validate` and `test` checks.".into());
    }
    let deploy = templates.iter().any(|t| t.deploys());
    for (script, flag) in [
        ("scripts/deploy.sh", "--slot SLOT"),
        ("scripts/switch-traffic.sh", "--to SLOT"),
    ] {
        if deploy && !has_file(script) {
            out.push(format!(
                "Write {script}, called as `{script} {flag}` (see decoder-ops' docs/deployment-strategy.md)."
            ));
        }
    }
    out.extend(profile.fill_in.iter().cloned());
    if !pin.pinned {
        out.push(format!(
            "The action is referenced by `@{}`, not a commit SHA (zizmor reports `unpinned-uses`): pin it with `decoder-ops init --force --ref <commit SHA of the release>`.",
            pin.reference
        ));
    }
    out
}

/// `RUNBOOK.md` for this repository: its environments, the commands its workflows run, and the
/// rollback procedure of the templates it uses.
pub fn runbook(profile: &Profile, templates: &[Template]) -> String {
    let has = |t: Template| templates.contains(&t);
    let mut md = String::from(
        "# Runbook\n\n\
         Written by `decoder-ops init`; `init` never overwrites it, so keep it current by hand.\n\
         For the on-call engineer: keep it open during an incident, improve it afterwards.\n\n\
         ## Environments\n\n\
         | environment | URL (repository variable) | deployed by | health check |\n\
         |---|---|---|---|\n",
    );
    let staging_by = if has(Template::DeployStaging) {
        "`deploy-staging` on every push to main"
    } else {
        "—"
    };
    let production_by = if has(Template::DeployProduction) {
        "`deploy-production`, by hand (blue/green slots)"
    } else {
        "—"
    };
    md.push_str(&format!(
        "| staging | `STAGING_URL` | {staging_by} | `health`: `{{base-url}}/healthz` → 200 |\n\
         | production | `PRODUCTION_URL` | {production_by} | `health`: `{{base-url}}/healthz` → 200 |\n\n"
    ));
    md.push_str(&commands(profile));
    if has(Template::Rollback) {
        md.push_str(ROLLBACK);
    }
    if has(Template::Monitoring) {
        md.push_str(MONITORING);
    }
    md
}

fn commands(profile: &Profile) -> String {
    let mut md = format!(
        "## Commands\n\n\
         Reproduce a failing pipeline step locally ({language}):\n\n```sh\n\
         # lint (validate.yml)\n{lint}\n\
         # tests with coverage (test.yml); set RUNNER_TEMP=$(mktemp -d) outside Actions\n",
        language = profile.language.label(),
        lint = profile.lint,
    );
    for line in &profile.test {
        md.push_str(line);
        md.push('\n');
    }
    md.push_str(&format!(
        "decoder-ops coverage-check {coverage} --min 80\n\
         decoder-ops quality-gate {coverage} '{junit}'\n\
         decoder-ops smoke --env staging        # needs STAGING_URL\n\
         decoder-ops config check               # names every variable that is not set\n```\n\n",
        coverage = profile.coverage_report,
        junit = profile.junit_report,
    ));
    md
}

const ROLLBACK: &str = "\
## Rollback

Blue/green keeps the previous version running on the other slot, so a rollback is one traffic
switch and needs no build:

1. Actions → **rollback** → *Run workflow*.
2. `to`: the slot that was live **before** the bad deploy (the deploy notification names the slot
   it switched *to*; pick the other one). `reason`: one line.
3. Approve it in the `production` environment.
4. The workflow skips the change window (`quality-gate --purpose rollback`), smoke-tests the slot
   it returns to, switches traffic (`scripts/switch-traffic.sh --to`) and posts the result.

If Actions itself is down, run the same script from a trusted machine:
`DEPLOY_TOKEN=… scripts/switch-traffic.sh --to blue`. Do not roll back across a data migration
the old version cannot read: fix forward and say so.

";

const MONITORING: &str = "\
## When an alert fires

The monitoring workflow runs `health-monitor` every 15 minutes against production. An alert
lists the failing checks with expected vs actual and opens an issue labelled `incident`.

1. Acknowledge in the incident channel.
2. Was there a deploy in the last hour? Then roll back first (above), investigate after.
3. Close the loop: the issue closes by itself when the checks recover; write what happened in it.
";
