//! The `decoder-ops` binary: parse the command line, run, exit with the documented code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let code = match decoder_ops::cli::Cli::try_parse() {
        Ok(cli) => decoder_ops::commands::run(cli),
        // Bad usage still honours `--json -` and the redactor.
        Err(err) => decoder_ops::commands::usage_error(err),
    };
    std::process::ExitCode::from(code.code())
}
