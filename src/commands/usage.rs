//! What a usage error needs from the raw arguments clap refused: where the `--json` result goes,
//! which command it was for, and the values that are secrets (so the error text that echoes a
//! misplaced one is redacted).

use std::path::PathBuf;

/// The subcommands, as typed and as named in the result schema.
const COMMANDS: &[&str] = &[
    "notify",
    "coverage-check",
    "quality-gate",
    "smoke",
    "health-monitor",
    "config",
    "init",
];

/// Flags whose value is a secret.
const SECRET_FLAGS: &[&str] = &["--webhook"];

/// The `--json` target (`--json X` or `--json=X`; `-` is stdout), the last one given.
pub fn json_target(args: &[String]) -> Option<PathBuf> {
    let mut target = None;
    for (i, arg) in args.iter().enumerate() {
        if arg == "--" {
            break;
        }
        if arg == "--json" {
            target = args.get(i + 1).map(PathBuf::from);
        } else if let Some(value) = arg.strip_prefix("--json=") {
            target = Some(PathBuf::from(value));
        }
    }
    target
}

/// The first argument that names a subcommand, or `decoder-ops` when none does.
pub fn command_name(args: &[String]) -> &'static str {
    args.iter()
        .find_map(|a| COMMANDS.iter().find(|c| **c == a.as_str()).copied())
        .unwrap_or("decoder-ops")
}

/// The values given to secret flags (`--webhook URL`, `--webhook=URL`).
pub fn secret_args(args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        for flag in SECRET_FLAGS {
            if arg == flag {
                out.extend(args.get(i + 1).map(String::as_str));
            } else if let Some(value) = arg.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                out.push(value);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn json_target_in_both_spellings() {
        let target = |text: &str| json_target(&args(text)).map(|p| p.display().to_string());
        assert_eq!(target("notify --json - --bogus").as_deref(), Some("-"));
        assert_eq!(target("smoke --json=-").as_deref(), Some("-"));
        assert_eq!(
            target("smoke --json out.json -").as_deref(),
            Some("out.json")
        );
        assert_eq!(target("smoke - --json"), None);
        assert_eq!(target("smoke -- --json x"), None);
    }

    #[test]
    fn command_is_the_first_subcommand_name() {
        assert_eq!(command_name(&args("-v quality-gate x")), "quality-gate");
        assert_eq!(command_name(&args("--bogus")), "decoder-ops");
    }

    #[test]
    fn webhook_values_are_secrets() {
        assert_eq!(
            secret_args(&args(
                "notify --webhook https://a/b --webhook=https://c/d --x y"
            )),
            ["https://a/b", "https://c/d"]
        );
    }
}
