//! The job summary: Markdown appended to `$GITHUB_STEP_SUMMARY`, kept under GitHub's size limit.
//!
//! The runner uploads a step's summary only if the file is at most 1 MiB at the end of the step;
//! above that the whole summary is dropped with an error ("$GITHUB_STEP_SUMMARY upload aborted").
//! So we never let the file pass [`SUMMARY_CAP`]: what does not fit is cut at a line boundary and
//! replaced by an explicit notice, and the full detail lives in the JSON result file.

use std::path::{Path, PathBuf};

use super::RuntimeError;
use super::output::append;

/// GitHub's limit for one step's summary file.
pub const SUMMARY_LIMIT: u64 = 1024 * 1024;

/// Our cap: 1 KiB under the limit, so a line or two that the workflow's own shell appends in the
/// same step cannot tip the file over and lose the whole summary.
pub const SUMMARY_CAP: u64 = SUMMARY_LIMIT - 1024;

/// What became of one append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SummaryWrite {
    /// Bytes appended to the file, the truncation notice included.
    pub written: usize,
    /// Bytes of the given Markdown that were not written.
    pub omitted: usize,
}

/// The notice that ends a truncated summary, preceded by a blank line so it never continues a
/// paragraph or table.
pub fn truncation_notice(omitted: usize) -> String {
    format!(
        "\n> ⚠️ Summary truncated: {omitted} bytes not shown. The full result is in the JSON file.\n"
    )
}

/// The Markdown to write so that it takes at most `room` bytes: all of it, or a prefix cut at a
/// line boundary (a character boundary if the first line alone is too long), a closing code
/// fence if the cut fell inside one, and the truncation notice. Returns the text and the number
/// of bytes of `markdown` left out; an empty text when not even the notice fits.
pub fn fit(markdown: &str, room: usize) -> (String, usize) {
    if markdown.len() <= room {
        return (markdown.to_owned(), 0);
    }
    let mut budget = room.saturating_sub(truncation_notice(markdown.len()).len());
    loop {
        let cut = cut_point(markdown, budget);
        let prefix = &markdown[..cut];
        let omitted = markdown.len() - cut;
        let mut text = prefix.to_owned();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        if let Some(fence) = open_fence(prefix) {
            text.push_str(&fence);
            text.push('\n');
        }
        text.push_str(&truncation_notice(omitted));
        if text.len() <= room {
            return (text, omitted);
        }
        if cut == 0 {
            return (String::new(), markdown.len());
        }
        // The tail came out longer than reserved (a fence to close, a newline to add): shrink
        // the prefix by the overflow and cut again. `cut` strictly decreases, so this ends.
        budget = cut.saturating_sub(text.len() - room).min(cut - 1);
    }
}

/// The largest cut at or before `budget` that ends a line, or else ends a character.
fn cut_point(markdown: &str, budget: usize) -> usize {
    let budget = budget.min(markdown.len());
    if let Some(newline) = markdown.as_bytes()[..budget]
        .iter()
        .rposition(|&b| b == b'\n')
    {
        return newline + 1;
    }
    (0..=budget)
        .rev()
        .find(|&i| markdown.is_char_boundary(i))
        .unwrap_or(0)
}

/// The fence (```` ``` ````, `~~~~`, …) of a code block left open at the end of `markdown`.
fn open_fence(markdown: &str) -> Option<String> {
    let mut open: Option<String> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let Some(c) = trimmed.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let run = trimmed.chars().take_while(|x| *x == c).count();
        if run < 3 {
            continue;
        }
        match &open {
            None => open = Some(c.to_string().repeat(run)),
            Some(fence) => {
                let closes = fence.starts_with(c)
                    && run >= fence.len()
                    && trimmed[run * c.len_utf8()..].trim().is_empty();
                if closes {
                    open = None;
                }
            }
        }
    }
    open
}

/// The summary file of this step and what this process has written to it.
#[derive(Debug, Clone)]
pub struct SummaryFile {
    path: PathBuf,
    cap: u64,
    /// The file's size when we first appended: what earlier writers of the step left.
    baseline: Option<u64>,
    written: u64,
    truncated: bool,
}

impl SummaryFile {
    pub fn new(path: impl Into<PathBuf>, cap: u64) -> Self {
        SummaryFile {
            path: path.into(),
            cap,
            baseline: None,
            written: 0,
            truncated: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `markdown`, truncated if the file would pass the cap. After a truncation, later
    /// appends are dropped whole: the notice must stay the last thing in the summary.
    pub fn append(&mut self, markdown: &str) -> Result<SummaryWrite, RuntimeError> {
        if markdown.is_empty() {
            return Ok(SummaryWrite::default());
        }
        if self.truncated {
            tracing::warn!(
                bytes = markdown.len(),
                "job summary already truncated; dropping more"
            );
            return Ok(SummaryWrite {
                written: 0,
                omitted: markdown.len(),
            });
        }
        let current = match std::fs::metadata(&self.path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(source) => {
                return Err(RuntimeError::Append {
                    var: "GITHUB_STEP_SUMMARY",
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let baseline = *self.baseline.get_or_insert(current);
        // Another writer may have appended since (the file is larger than our count), or the
        // file may lag our own writes on an odd filesystem: trust whichever is larger.
        let used = current.max(baseline.saturating_add(self.written));
        let room = usize::try_from(self.cap.saturating_sub(used)).unwrap_or(usize::MAX);
        let (text, omitted) = fit(markdown, room);
        if !text.is_empty() {
            append(&self.path, "GITHUB_STEP_SUMMARY", text.as_bytes())?;
        }
        self.written = self.written.saturating_add(text.len() as u64);
        if omitted > 0 {
            self.truncated = true;
            tracing::warn!(omitted, path = %self.path.display(), "job summary truncated");
        }
        Ok(SummaryWrite {
            written: text.len(),
            omitted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_text_is_kept_whole() {
        assert_eq!(fit("a\nb\n", 4), ("a\nb\n".to_owned(), 0));
    }

    #[test]
    fn cut_at_a_line_boundary_with_notice_within_room() {
        let lines: String = (0..100).map(|i| format!("| row {i:03} |\n")).collect();
        let room = 400;
        let (text, omitted) = fit(&lines, room);
        assert!(text.len() <= room, "{}", text.len());
        let notice_at = text.find("\n> ⚠️ Summary truncated").unwrap();
        let kept = &text[..notice_at];
        assert!(lines.starts_with(kept) && kept.ends_with('\n'));
        assert_eq!(omitted, lines.len() - kept.len());
        assert!(text.ends_with(&truncation_notice(omitted)));
    }

    #[test]
    fn a_single_long_line_is_cut_at_a_char_boundary() {
        let md = "é".repeat(500);
        let (text, omitted) = fit(&md, 300);
        assert!(text.len() <= 300);
        let kept = text.split('\n').next().unwrap();
        assert!(kept.chars().all(|c| c == 'é'));
        assert_eq!(kept.len() + omitted, md.len());
    }

    #[test]
    fn an_open_code_fence_is_closed_before_the_notice() {
        let md = format!("intro\n````text\n{}````\nafter\n", "code line\n".repeat(50));
        let (text, omitted) = fit(&md, 200);
        assert!(text.len() <= 200);
        assert!(omitted > 0);
        assert!(text.contains("\n````\n\n> ⚠️"), "{text}");
    }

    #[test]
    fn closed_fences_are_left_alone() {
        assert_eq!(open_fence("```\nx\n```\n"), None);
        assert_eq!(open_fence("~~~~\nx\n~~~\n"), Some("~~~~".into()));
        assert_eq!(open_fence("```rust\nx\n"), Some("```".into()));
    }

    #[test]
    fn nothing_is_written_when_not_even_the_notice_fits() {
        assert_eq!(fit("some text that is too long", 10), (String::new(), 26));
    }
}
