//! Annotations: `::error`, `::warning` and `::notice` workflow commands, within GitHub's limits.
//!
//! GitHub keeps at most 10 annotations of each level per step and silently drops the rest. So the
//! 10th slot of each level is held back until [`AnnotationBudget::finish`]: if exactly 10 were
//! asked for it is shown; if more, it becomes one line saying how many were not shown, so a
//! reader knows to look at the job summary or the JSON result.

use std::fmt;

use super::command::format_command;

/// GitHub's per-step limit for each level.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// The level of an annotation, which is also the workflow command's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Error, Level::Warning, Level::Notice];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One annotation. `file` is relative to the repository root, as GitHub expects, for it to show
/// on the pull request's diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub level: Level,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub end_line: Option<u32>,
    pub title: Option<String>,
}

impl Annotation {
    pub fn new(level: Level, message: impl Into<String>) -> Self {
        Annotation {
            level,
            message: message.into(),
            file: None,
            line: None,
            end_line: None,
            title: None,
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Level::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Level::Warning, message)
    }

    pub fn notice(message: impl Into<String>) -> Self {
        Self::new(Level::Notice, message)
    }

    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    pub fn end_line(mut self, end_line: u32) -> Self {
        self.end_line = Some(end_line);
        self
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The annotation with every secret `redact` knows replaced, in each text field: done before
    /// the command is escaped, or an escaped secret (`%` → `%25`) would no longer be found.
    pub fn redacted(mut self, redact: impl Fn(&str) -> String) -> Self {
        self.message = redact(&self.message);
        self.file = self.file.map(|f| redact(&f));
        self.title = self.title.map(|t| redact(&t));
        self
    }

    /// The workflow command, e.g. `::error file=src/lib.rs,line=12,title=T::message\n`.
    pub fn to_command(&self) -> String {
        let line = self.line.map(|n| n.to_string());
        let end_line = self.end_line.map(|n| n.to_string());
        let properties: Vec<(&str, &str)> = [
            ("file", self.file.as_deref()),
            ("line", line.as_deref()),
            ("endLine", end_line.as_deref()),
            ("title", self.title.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
        format_command(self.level.as_str(), &properties, &self.message)
    }

    /// The terminal form outside Actions, e.g. `error: src/lib.rs:12: title: message\n`.
    pub fn to_human(&self) -> String {
        let mut out = format!("{}: ", self.level);
        match (&self.file, self.line) {
            (Some(file), Some(line)) => out.push_str(&format!("{file}:{line}")),
            (Some(file), None) => out.push_str(file),
            (None, Some(line)) => out.push_str(&format!("line {line}")),
            (None, None) => {}
        }
        if let (Some(_), Some(end)) = (self.line, self.end_line) {
            out.push_str(&format!("-{end}"));
        }
        if self.file.is_some() || self.line.is_some() {
            out.push_str(": ");
        }
        if let Some(title) = &self.title {
            out.push_str(title);
            out.push_str(": ");
        }
        out.push_str(&self.message);
        out.push('\n');
        out
    }
}

/// Counts annotations per level and decides which are shown.
#[derive(Debug, Clone, Default)]
pub struct AnnotationBudget {
    requested: [usize; 3],
    /// The 10th annotation of each level, shown at `finish` only if no 11th came.
    held: [Option<Annotation>; 3],
}

impl AnnotationBudget {
    /// The command to print now for `annotation`, or `None` when it is held or over the limit.
    pub fn admit(&mut self, annotation: Annotation) -> Option<String> {
        let i = annotation.level.index();
        self.requested[i] += 1;
        match self.requested[i] {
            n if n < ANNOTATIONS_PER_LEVEL => Some(annotation.to_command()),
            n if n == ANNOTATIONS_PER_LEVEL => {
                self.held[i] = Some(annotation);
                None
            }
            _ => {
                self.held[i] = None;
                None
            }
        }
    }

    /// How many annotations of `level` were asked for.
    pub fn requested(&self, level: Level) -> usize {
        self.requested[level.index()]
    }

    /// The commands owed at the end of the step: each held 10th annotation, or the line counting
    /// what was not shown. Resets the budget.
    pub fn finish(&mut self) -> String {
        let mut out = String::new();
        for level in Level::ALL {
            let i = level.index();
            let requested = self.requested[i];
            if let Some(held) = self.held[i].take() {
                out.push_str(&held.to_command());
            } else if requested > ANNOTATIONS_PER_LEVEL {
                let hidden = requested - (ANNOTATIONS_PER_LEVEL - 1);
                let message = format!(
                    "{hidden} more {level} annotation{} not shown (see the job summary / JSON result)",
                    if hidden == 1 { "" } else { "s" }
                );
                out.push_str(&Annotation::new(level, message).to_command());
            }
        }
        *self = AnnotationBudget::default();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_escapes_properties_and_data() {
        let a = Annotation::error("50% covered\nneeds 80%")
            .file("src/a,b.rs")
            .line(12)
            .end_line(14)
            .title("coverage: low");
        assert_eq!(
            a.to_command(),
            "::error file=src/a%2Cb.rs,line=12,endLine=14,title=coverage%3A low::50%25 covered%0Aneeds 80%25\n"
        );
    }

    #[test]
    fn command_without_location() {
        assert_eq!(Annotation::notice("hi").to_command(), "::notice::hi\n");
    }

    #[test]
    fn human_forms() {
        assert_eq!(
            Annotation::error("message")
                .file("src/lib.rs")
                .line(12)
                .to_human(),
            "error: src/lib.rs:12: message\n"
        );
        assert_eq!(
            Annotation::warning("m")
                .file("f")
                .line(1)
                .end_line(3)
                .title("T")
                .to_human(),
            "warning: f:1-3: T: m\n"
        );
        assert_eq!(Annotation::notice("m").to_human(), "notice: m\n");
    }

    #[test]
    fn exactly_ten_are_all_shown() {
        let mut b = AnnotationBudget::default();
        let shown = (0..10)
            .filter_map(|i| b.admit(Annotation::error(format!("e{i}"))))
            .count();
        assert_eq!(shown, 9);
        assert_eq!(b.finish(), "::error::e9\n");
    }

    #[test]
    fn eleven_become_nine_and_a_count() {
        let mut b = AnnotationBudget::default();
        for i in 0..11 {
            b.admit(Annotation::warning(format!("w{i}")));
        }
        assert_eq!(
            b.finish(),
            "::warning::2 more warning annotations not shown (see the job summary / JSON result)\n"
        );
    }

    #[test]
    fn finish_resets() {
        let mut b = AnnotationBudget::default();
        b.admit(Annotation::error("x"));
        assert_eq!(b.finish(), "");
        assert_eq!(b.requested(Level::Error), 0);
    }
}
