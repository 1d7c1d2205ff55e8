//! The `decoder-ops` binary: parse the command line, run, exit with the documented code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = decoder_ops::cli::Cli::parse();
    let code = decoder_ops::commands::run(cli);
    std::process::ExitCode::from(code.code())
}
