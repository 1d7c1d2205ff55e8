//! One file per subcommand: wires config and inputs to the core, the outcome to the sinks.
//!
//! [`run`] is what `main` calls (and [`usage_error`] when clap refuses the command line). It takes
//! the environment once (through `github::runtime`), registers every secret it knows before
//! anything is printed, gives standard output to its one owner (`render::stdout`: the JSON
//! document with `--json -`, else the runtime), installs the logger, dispatches, and turns an
//! early error into the same sinks a finished run uses: a message on stderr, an annotation on
//! Actions, and a `--json` result with the contract keys. Every sink writes through the run's
//! one redactor.

mod config;
mod coverage_check;
mod health_monitor;
mod init;
mod notify;
mod pr_comment;
mod quality_gate;
mod smoke;
mod usage;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{Cli, ColorChoice, Command, ConfigCommand, GlobalArgs, LogFormat};
use crate::error::{Error, ExitCode};
use crate::github::runtime::{Annotation, Env, Runtime};
use crate::logging::{self, LogOptions};
use crate::outcome::{ErrorDetails, Outcome, Verdict};
use crate::render::stdout::Stdout;
use crate::secret::SharedRedactor;

/// Environment variables that hold secrets decoder-ops may see; they are masked and redacted
/// even by commands that never use them.
const SECRET_VARS: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "INPUT_GITHUB-TOKEN",
    "DECODER_OPS_WEBHOOK",
];

/// Colours of terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Good,
    Bad,
    Warn,
}

/// What every command gets: the environment, the runtime sinks, the redactor, global options.
pub struct Session {
    pub env: Env,
    pub runtime: Runtime<Box<dyn Write>>,
    pub redactor: SharedRedactor,
    pub config_path: Option<PathBuf>,
    pub color: bool,
    /// The owner of standard output: the JSON document with `--json -`.
    pub stdout: Stdout,
}

impl Session {
    /// Registers a secret with the redactor and, on Actions, masks it in the log at once.
    pub fn add_secret(&mut self, secret: &str) {
        if secret.trim().is_empty() {
            return;
        }
        self.redactor.add(secret);
        // A failed mask write means stdout is gone; nothing else will print either.
        let _ = self.runtime.add_masks(&self.redactor.snapshot());
    }

    /// `text` in the colour of `paint` when colour is on (a terminal, no `NO_COLOR`, not in
    /// the Actions log), else unchanged.
    pub fn paint(&self, paint: Paint, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match paint {
            Paint::Good => "32",
            Paint::Bad => "31",
            Paint::Warn => "33",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    pub fn redact(&self, text: &str) -> String {
        self.redactor.redact(text)
    }

    /// Human-readable output (stdout, or stderr with `--json -`), redacted. Only for text
    /// decoder-ops composes; text from outside (provider error bodies) goes through
    /// [`Session::say_untrusted`].
    pub fn say(&mut self, text: &str) {
        let text = self.redact(text);
        let _ = self.runtime.write_line(&text);
    }

    /// One line that embeds untrusted text: flattened to a single line, so nothing in it can
    /// start a workflow command at the beginning of a log line.
    pub fn say_untrusted(&mut self, text: &str) {
        let flat: String = text
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        self.say(&flat);
    }
}

/// Runs the command line and returns the exit code. Never panics on bad input; errors are
/// reported through every sink and mapped to the exit-code table.
pub fn run(cli: Cli) -> ExitCode {
    let env = Env::from_process();
    let redactor = secrets_from_env(&env);
    let (name, json) = command_meta(&cli.command);
    let stdout = Stdout::process(path_is_stdout(json.as_deref()));
    let mut session = Session::start(env, redactor, stdout, &cli.global);
    let result = match cli.command {
        Command::Notify(args) => notify::run(args, &mut session),
        Command::QualityGate(args) => quality_gate::run(args, &mut session),
        Command::CoverageCheck(args) => coverage_check::run(args, &mut session),
        Command::Smoke(args) => smoke::run(args, &mut session),
        Command::HealthMonitor(args) => health_monitor::run(args, &mut session),
        Command::Config(ConfigCommand::Check(args)) => config::check(args, &mut session),
        Command::Config(ConfigCommand::Schema) => config::schema(&mut session),
        Command::Init(args) => init::run(args, &mut session),
    };
    let code = match result {
        Ok(code) => code,
        Err(err) => report_error(&err, name, json.as_deref(), &mut session),
    };
    ensure_document(name, code, &mut session);
    if let Err(e) = session.runtime.finish() {
        eprint_redacted(&session.redactor, &format!("error: {e}"));
    }
    code
}

/// The secrets of the environment, known before anything is printed.
fn secrets_from_env(env: &Env) -> SharedRedactor {
    let redactor = SharedRedactor::default();
    for name in SECRET_VARS {
        if let Some(value) = env.get(name) {
            redactor.add(value);
        }
    }
    redactor
}

impl Session {
    /// The session of one run: the runtime on the stream for people (stdout, or stderr with
    /// `--json -`), masks printed first, the logger installed.
    fn start(env: Env, redactor: SharedRedactor, stdout: Stdout, global: &GlobalArgs) -> Session {
        let (human, is_tty) = stdout.human();
        let mut runtime = Runtime::new(&env, human, is_tty).with_redactor(redactor.clone());
        let _ = runtime.add_masks(&redactor.snapshot());
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => runtime.use_color(),
        };
        let verbosity = if global.quiet {
            -1
        } else {
            global.verbose.min(3) as i8
        };
        let log = LogOptions {
            verbosity,
            filter: env.get("DECODER_OPS_LOG").map(str::to_owned),
            json: global.log_format == LogFormat::Json,
            color: color && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        };
        logging::init(&log, redactor.clone());
        Session {
            env,
            runtime,
            redactor,
            config_path: global.config.clone(),
            color,
            stdout,
        }
    }
}

/// A usage error clap found before any command ran, reported like any other error: on stderr
/// (redacted: a misplaced webhook URL may be echoed), as an annotation and outputs in Actions,
/// and as the error result to `--json` (a file, or with `--json -` the one document on stdout).
/// `--help` and `--version` print as usual and exit 0.
pub fn usage_error(err: clap::Error) -> ExitCode {
    if !err.use_stderr() {
        let _ = err.print();
        return ExitCode::Passed;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env = Env::from_process();
    let redactor = secrets_from_env(&env);
    for secret in usage::secret_args(&args) {
        redactor.add(secret);
    }
    let json = usage::json_target(&args);
    let stdout = Stdout::process(path_is_stdout(json.as_deref()));
    let mut session = Session::start(env, redactor, stdout, &GlobalArgs::default());
    let text = err.render().to_string();
    let text = text.trim_end();
    let error = Error::Usage(text.strip_prefix("error: ").unwrap_or(text).to_owned());
    let code = report_error(
        &error,
        usage::command_name(&args),
        json.as_deref(),
        &mut session,
    );
    if let Err(e) = session.runtime.finish() {
        eprint_redacted(&session.redactor, &format!("error: {e}"));
    }
    code
}

/// With `--json -`, a run that ends without its document (a bug) still prints one, so a reader
/// of stdout always finds the contract keys.
fn ensure_document(command: &'static str, code: ExitCode, session: &mut Session) {
    if !session.stdout.is_json() || session.stdout.written() {
        return;
    }
    tracing::error!(
        command,
        "no JSON document was written; writing a minimal one"
    );
    let verdict = match code {
        ExitCode::Passed => Verdict::Pass,
        ExitCode::Failed => Verdict::Fail,
        ExitCode::Inconclusive => Verdict::Inconclusive,
        ExitCode::Invalid | ExitCode::Incomplete => Verdict::Error,
    };
    let outcome = Outcome::with_exit_code(
        command,
        verdict,
        code,
        ErrorDetails {
            error: "the command wrote no result".into(),
        },
    );
    let _ = session
        .stdout
        .write_document(&outcome, &session.redactor.snapshot());
}

/// One line on stderr, redacted: for errors that happen where no runtime can print them.
fn eprint_redacted(redactor: &SharedRedactor, text: &str) {
    let _ = writeln!(std::io::stderr(), "{}", redactor.redact(text));
}

/// The command's name (for the result schema) and its `--json` target, read before dispatch so
/// an early error still writes the result file.
fn command_meta(command: &Command) -> (&'static str, Option<PathBuf>) {
    match command {
        Command::Notify(a) => ("notify", a.json.clone()),
        Command::QualityGate(a) => ("quality-gate", a.json.clone()),
        Command::CoverageCheck(a) => ("coverage-check", a.json.clone()),
        Command::Smoke(a) => ("smoke", a.json.clone()),
        Command::HealthMonitor(a) => ("health-monitor", a.json.clone()),
        Command::Config(ConfigCommand::Check(a)) => ("config", a.json.clone()),
        // The schema is a JSON document of its own: stdout is kept for it alone.
        Command::Config(ConfigCommand::Schema) => ("config", Some(PathBuf::from("-"))),
        Command::Init(a) => ("init", a.json.clone()),
    }
}

fn report_error(
    err: &Error,
    command: &'static str,
    json: Option<&Path>,
    session: &mut Session,
) -> ExitCode {
    let code = err.exit_code();
    let message = session.redact(&err.to_string());
    tracing::debug!(exit_code = code.code(), "command failed");
    eprint_redacted(&session.redactor, &format!("error: {message}"));
    let mut annotation = Annotation::error(message.clone()).title(format!("decoder-ops {command}"));
    let config_error = match err {
        Error::Config(e) | Error::Probe(crate::probe::ProbeError::Config(e)) => Some(e),
        _ => None,
    };
    if let Some(e) = config_error
        && let Some((path, line, _)) = e.location()
    {
        annotation = annotation
            .file(path)
            .line(u32::try_from(line).unwrap_or(u32::MAX));
    }
    // Outside Actions the message on stderr is the whole report; an annotation would repeat it.
    if session.runtime.in_actions() {
        let _ = session.runtime.annotate(annotation);
    }
    let _ = session
        .runtime
        .set_output("verdict", Verdict::Error.as_str());
    let _ = session.runtime.set_output("exit-code", &code.to_string());
    // An error after the document was printed (a failed output write) cannot take it back.
    let printed = path_is_stdout(json) && session.stdout.written();
    if let Some(path) = json.filter(|_| !printed) {
        let outcome = Outcome::with_exit_code(
            command,
            Verdict::Error,
            code,
            ErrorDetails { error: message },
        );
        if let Err(e) = write_json(path, &outcome, session) {
            eprint_redacted(&session.redactor, &format!("error: {e}"));
        }
    }
    code
}

fn path_is_stdout(path: Option<&Path>) -> bool {
    path == Some(Path::new("-"))
}

/// Writes a result object to `--json`, redacted: a file (atomically) or `-`, the one JSON
/// document on stdout.
pub fn write_json<T: serde::Serialize>(
    target: &Path,
    value: &T,
    session: &mut Session,
) -> Result<(), Error> {
    let redactor = session.redactor.snapshot();
    if path_is_stdout(Some(target)) {
        session.stdout.write_document(value, &redactor)?;
    } else {
        crate::render::json::write_value_atomic(target, value, &redactor)?;
    }
    Ok(())
}
