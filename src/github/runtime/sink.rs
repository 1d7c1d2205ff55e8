//! [`Runtime`]: the one value through which a subcommand talks to the Actions runner (or, on a
//! laptop, to the terminal), built from an [`Env`] and a writer so tests capture every byte.

use std::io::{Stdout, Write};
use std::path::{Path, PathBuf};

use super::annotations::{Annotation, AnnotationBudget, Level};
use super::command::{format_command, random_hex};
use super::summary::{SUMMARY_CAP, SummaryFile, SummaryWrite};
use super::{Env, RuntimeError, output};
use crate::secret::{Redactor, SharedRedactor};

/// Outputs, job summary, annotations, masks and log groups for one step.
///
/// Every text it is given passes through the run's [`SharedRedactor`] before it is escaped and
/// written — log lines, annotations, outputs, the summary — so no caller can print a secret; the
/// `::add-mask::` commands are the one exception, by design.
///
/// In Actions (`GITHUB_ACTIONS=true`) it prints workflow commands; elsewhere it prints plain
/// lines and never a `::` command. Outputs and the summary go to their files whenever
/// `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY` are set, and are skipped when they are not.
///
/// Call [`Runtime::add_masks`] before printing anything, and [`Runtime::finish`] at the end:
/// it prints the annotations held back for GitHub's per-level limit.
#[derive(Debug)]
pub struct Runtime<W: Write = Stdout> {
    out: W,
    in_actions: bool,
    output_path: Option<PathBuf>,
    summary: Option<SummaryFile>,
    annotations: AnnotationBudget,
    is_tty: bool,
    no_color: bool,
    /// Something other than a mask has been printed: masks registered now come too late for it.
    printed: bool,
    /// Fragments already sent to the runner, so registering a secret twice prints it once.
    masked: std::collections::HashSet<String>,
    redactor: SharedRedactor,
}

impl<W: Write> Runtime<W> {
    /// `out` receives workflow commands and log lines (standard output in production);
    /// `is_tty` says whether it is a terminal, which decides colour.
    pub fn new(env: &Env, out: W, is_tty: bool) -> Self {
        Runtime {
            out,
            in_actions: env.get("GITHUB_ACTIONS") == Some("true"),
            output_path: env.get("GITHUB_OUTPUT").map(PathBuf::from),
            summary: env
                .get("GITHUB_STEP_SUMMARY")
                .map(|p| SummaryFile::new(p, SUMMARY_CAP)),
            annotations: AnnotationBudget::default(),
            is_tty,
            // no-color.org: set to any non-empty value.
            no_color: env.is_set("NO_COLOR"),
            printed: false,
            masked: std::collections::HashSet::new(),
            redactor: SharedRedactor::default(),
        }
    }

    /// Redacts everything written with `redactor`, the run's shared one.
    pub fn with_redactor(mut self, redactor: SharedRedactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// Overrides the summary cap (tests use a small one; the default is [`SUMMARY_CAP`]).
    pub fn with_summary_cap(mut self, cap: u64) -> Self {
        self.summary = self.summary.map(|s| SummaryFile::new(s.path(), cap));
        self
    }

    pub fn in_actions(&self) -> bool {
        self.in_actions
    }

    /// `$GITHUB_OUTPUT`, when set.
    pub fn output_path(&self) -> Option<&Path> {
        self.output_path.as_deref()
    }

    /// `$GITHUB_STEP_SUMMARY`, when set.
    pub fn summary_path(&self) -> Option<&Path> {
        self.summary.as_ref().map(SummaryFile::path)
    }

    /// Colour only for a person at a terminal: not in the Actions log, not when piped, not when
    /// `NO_COLOR` is set.
    pub fn use_color(&self) -> bool {
        !self.in_actions && self.is_tty && !self.no_color
    }

    /// Registers every form of every secret with the runner's log masker (`::add-mask::`).
    ///
    /// Fragments spanning several lines are skipped: the runner masks a multi-line value line by
    /// line, and the [`Redactor`] already holds each line as a fragment of its own.
    pub fn add_masks(&mut self, redactor: &Redactor) -> Result<(), RuntimeError> {
        if !self.in_actions {
            return Ok(());
        }
        let mut text = String::new();
        for fragment in redactor.fragments() {
            if !fragment.contains(['\n', '\r']) && self.masked.insert(fragment.clone()) {
                text.push_str(&format_command("add-mask", &[], fragment));
            }
        }
        if text.is_empty() {
            return Ok(());
        }
        if self.printed {
            tracing::warn!("secrets masked after output was printed; earlier lines are unmasked");
        }
        self.write_raw(&text)
    }

    /// Sets the step output `name` in the heredoc form with a fresh random delimiter
    /// (see [`format_output`](super::format_output)).
    /// A no-op, logged at trace level, when `GITHUB_OUTPUT` is not set; the name is checked
    /// either way so a bad name fails on a laptop too.
    pub fn set_output(&mut self, name: &str, value: &str) -> Result<(), RuntimeError> {
        output::validate_output_name(name)?;
        match &self.output_path {
            Some(path) => output::append_output(path, name, &self.redactor.redact(value)),
            None => {
                tracing::trace!(name, "GITHUB_OUTPUT is not set; output not recorded");
                Ok(())
            }
        }
    }

    /// Appends Markdown to the job summary, truncated at the cap (see [`fit`](super::fit)).
    /// `None` when `GITHUB_STEP_SUMMARY` is not set.
    pub fn append_summary(&mut self, markdown: &str) -> Result<Option<SummaryWrite>, RuntimeError> {
        match &mut self.summary {
            Some(summary) => summary.append(&self.redactor.redact(markdown)).map(Some),
            None => Ok(None),
        }
    }

    /// Prints an annotation: a workflow command within GitHub's limits in Actions, a readable
    /// line elsewhere (all of them: a terminal has no limit).
    pub fn annotate(&mut self, annotation: Annotation) -> Result<(), RuntimeError> {
        let annotation = annotation.redacted(|t| self.redactor.redact(t));
        let text = if self.in_actions {
            self.annotations.admit(annotation)
        } else {
            Some(annotation.to_human())
        };
        match text {
            Some(text) => self.write(&text),
            None => Ok(()),
        }
    }

    /// How many annotations of `level` were asked for so far, shown or not.
    pub fn annotations_requested(&self, level: Level) -> usize {
        self.annotations.requested(level)
    }

    /// Opens a collapsible log group (`::group::`); a heading line outside Actions.
    pub fn group(&mut self, title: &str) -> Result<(), RuntimeError> {
        let title = self.redactor.redact(title);
        let title = title.as_str();
        let text = if self.in_actions {
            format_command("group", &[], title)
        } else {
            format!("==> {title}\n")
        };
        self.write(&text)
    }

    /// Closes the log group (`::endgroup::`); nothing outside Actions.
    pub fn end_group(&mut self) -> Result<(), RuntimeError> {
        if self.in_actions {
            self.write(&format_command("endgroup", &[], ""))
        } else {
            Ok(())
        }
    }

    /// Echoes untrusted text (a response body, a commit message) so the runner cannot read any
    /// of it as a workflow command: `::stop-commands::<token>` … `::<token>::` with a random
    /// token the text does not contain. Plain text outside Actions.
    pub fn stop_commands(&mut self, text: &str) -> Result<(), RuntimeError> {
        let text = self.redactor.redact(text);
        let text = text.as_str();
        let newline = if text.ends_with('\n') { "" } else { "\n" };
        if !self.in_actions {
            return self.write(&format!("{text}{newline}"));
        }
        let mut token = random_hex()?;
        // 128 random bits will not be in the text, but checking costs nothing.
        while text.contains(&token) {
            token = random_hex()?;
        }
        self.write(&format!(
            "::stop-commands::{token}\n{text}{newline}::{token}::\n"
        ))
    }

    /// Prints one line of our own (trusted) text. Untrusted text goes through
    /// [`Runtime::stop_commands`].
    pub fn write_line(&mut self, text: &str) -> Result<(), RuntimeError> {
        let text = self.redactor.redact(text);
        self.write(&format!("{text}\n"))
    }

    /// Prints the annotations owed at the end of the step and hands back the writer.
    pub fn finish(mut self) -> Result<W, RuntimeError> {
        if self.in_actions {
            let text = self.annotations.finish();
            if !text.is_empty() {
                self.write(&text)?;
            }
        }
        Ok(self.out)
    }

    fn write(&mut self, text: &str) -> Result<(), RuntimeError> {
        self.printed = true;
        self.write_raw(text)
    }

    fn write_raw(&mut self, text: &str) -> Result<(), RuntimeError> {
        self.out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(|source| RuntimeError::Stdout { source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions() -> Env {
        Env::from_pairs([("GITHUB_ACTIONS", "true")])
    }

    fn text(out: Vec<u8>) -> String {
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn colour_only_for_a_terminal_outside_actions_without_no_color() {
        let laptop = Env::default();
        assert!(Runtime::new(&laptop, Vec::new(), true).use_color());
        assert!(!Runtime::new(&laptop, Vec::new(), false).use_color());
        assert!(!Runtime::new(&actions(), Vec::new(), true).use_color());
        let no_color = Env::from_pairs([("NO_COLOR", "1")]);
        assert!(!Runtime::new(&no_color, Vec::new(), true).use_color());
        // no-color.org: an empty NO_COLOR does not count.
        let empty = Env::from_pairs([("NO_COLOR", "")]);
        assert!(Runtime::new(&empty, Vec::new(), true).use_color());
    }

    #[test]
    fn groups_and_untrusted_text_in_actions() {
        let mut rt = Runtime::new(&actions(), Vec::new(), false);
        rt.group("probe: api\nhealth").unwrap();
        rt.stop_commands("body\n::error::injected").unwrap();
        rt.end_group().unwrap();
        let out = text(rt.finish().unwrap());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "::group::probe: api%0Ahealth");
        let token = lines[1].strip_prefix("::stop-commands::").unwrap();
        assert_eq!(token.len(), 32);
        assert_eq!(&lines[2..4], ["body", "::error::injected"]);
        assert_eq!(lines[4], format!("::{token}::"));
        assert_eq!(lines[5], "::endgroup::");
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn outside_actions_nothing_is_a_workflow_command() {
        let mut redactor = Redactor::new();
        redactor.add("fake-token-for-tests-0000");
        let mut rt = Runtime::new(&Env::default(), Vec::new(), false);
        rt.add_masks(&redactor).unwrap();
        rt.group("checks").unwrap();
        rt.stop_commands("untrusted").unwrap();
        rt.end_group().unwrap();
        for i in 0..12 {
            rt.annotate(Annotation::error(format!("e{i}")).file("a.rs").line(i))
                .unwrap();
        }
        rt.set_output("passed", "true").unwrap();
        assert_eq!(rt.append_summary("# x\n").unwrap(), None);
        let out = text(rt.finish().unwrap());
        assert!(!out.contains("::"), "{out}");
        assert!(
            out.starts_with("==> checks\nuntrusted\nerror: a.rs:0: e0\n"),
            "{out}"
        );
        assert_eq!(out.lines().filter(|l| l.starts_with("error: ")).count(), 12);
    }

    #[test]
    fn output_names_are_checked_even_without_a_file() {
        let mut rt = Runtime::new(&Env::default(), Vec::new(), false);
        assert!(rt.set_output("bad=name", "x").is_err());
    }

    #[test]
    fn every_text_is_redacted_before_it_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", dir.path().join("out").to_str().unwrap()),
            (
                "GITHUB_STEP_SUMMARY",
                dir.path().join("sum").to_str().unwrap(),
            ),
        ]);
        let shared = SharedRedactor::default();
        let mut rt = Runtime::new(&env, Vec::new(), false).with_redactor(shared.clone());
        // Registered after the runtime was built, as a command learns its secrets.
        let secret = "pct%tab\tSECRET-91";
        shared.add(secret);
        rt.write_line(&format!("line {secret}")).unwrap();
        rt.group(&format!("group {secret}")).unwrap();
        rt.stop_commands(&format!("body {secret}")).unwrap();
        rt.annotate(
            Annotation::error(format!("msg {secret}"))
                .title(format!("t {secret}"))
                .file(format!("f{secret}")),
        )
        .unwrap();
        rt.set_output("o", &format!("v {secret}")).unwrap();
        rt.append_summary(&format!("s {secret}\n")).unwrap();
        let out = text(rt.finish().unwrap());
        for text in [
            out,
            std::fs::read_to_string(dir.path().join("out")).unwrap(),
            std::fs::read_to_string(dir.path().join("sum")).unwrap(),
        ] {
            assert!(!text.contains("SECRET-91"), "{text}");
            assert!(text.contains("***"), "{text}");
        }
    }

    #[test]
    fn multi_line_fragments_are_not_sent_as_one_mask() {
        let mut redactor = Redactor::new();
        redactor.add("first-line-secret\nsecond-line-secret");
        let mut rt = Runtime::new(&actions(), Vec::new(), false);
        rt.add_masks(&redactor).unwrap();
        let out = text(rt.finish().unwrap());
        let masks: Vec<&str> = out.lines().collect();
        assert!(masks.contains(&"::add-mask::first-line-secret"), "{out}");
        assert!(masks.contains(&"::add-mask::second-line-secret"), "{out}");
        assert!(masks.iter().all(|l| l.starts_with("::add-mask::")), "{out}");
        assert!(!out.contains("%0A"), "{out}");
    }
}
