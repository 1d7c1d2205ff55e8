//! Report parsers: files written by other tools (coverage, JUnit and .NET test results, SARIF,
//! vulnerability audits, k6) read into normalized models. Parsers are synchronous, pure apart
//! from reading their input, and streaming: they read line by line or event by event and never hold a whole document in
//! memory. Each returns errors that name the file, the line (and column) and what was expected.

pub mod audit;
pub mod coverage;
pub mod cvss;
pub mod dotnet;
mod json;
pub mod junit;
pub mod k6;
pub mod sarif;
pub mod severity;
pub mod testrun;
pub(crate) mod text;

use std::fmt;

/// Which kind of report an error is about, so the message names it the way a user thinks of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Coverage,
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReportKind::Coverage => "coverage report",
        })
    }
}

/// Where in a report a problem is: 1-based line and, for XML and JSON, 1-based column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl Position {
    /// No position: the problem is about the file as a whole.
    pub const NONE: Position = Position {
        line: None,
        column: None,
    };

    pub fn line(line: u64) -> Self {
        Position {
            line: Some(line),
            column: None,
        }
    }

    pub fn line_column(line: u64, column: u64) -> Self {
        Position {
            line: Some(line),
            column: Some(column),
        }
    }
}

/// Renders as a message prefix: `line 12: `, `line 3, column 14: ` or nothing.
impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: "),
            (Some(line), None) => write!(f, "line {line}: "),
            (None, _) => Ok(()),
        }
    }
}

/// Everything that can go wrong reading a report. Every message names the file, and where the
/// content is at fault, the line (and column) and what was expected there.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file could not be opened or read.
    #[error("{kind} `{name}`: cannot read it: {source}")]
    Read {
        kind: ReportKind,
        name: String,
        #[source]
        source: std::io::Error,
    },
    /// The content breaks the format: bad syntax, a missing field, a truncated file.
    #[error("{kind} `{name}`: {at}{message}")]
    Malformed {
        kind: ReportKind,
        name: String,
        at: Position,
        message: String,
    },
    /// No supported format matches the content, and none was forced.
    #[error(
        "{kind} `{name}`: cannot tell its format from the content ({seen}); name the format \
         explicitly (one of: {expected})"
    )]
    UnknownFormat {
        kind: ReportKind,
        name: String,
        seen: String,
        expected: String,
    },
    /// The content is a format known by name that this reader does not read.
    #[error("{kind} `{name}`: {what} is not supported; supported are: {expected}; {hint}")]
    Unsupported {
        kind: ReportKind,
        name: String,
        what: String,
        expected: String,
        hint: String,
    },
    /// Two reports describe the same code in ways that cannot both be true.
    #[error("{kind}s `{first}` and `{second}` disagree about `{file}`: {message}")]
    Conflict {
        kind: ReportKind,
        first: String,
        second: String,
        file: String,
        message: String,
    },
}

impl ReportError {
    /// The report file the error is about (the first one for a conflict).
    pub fn report_name(&self) -> &str {
        match self {
            ReportError::Read { name, .. }
            | ReportError::Malformed { name, .. }
            | ReportError::UnknownFormat { name, .. }
            | ReportError::Unsupported { name, .. } => name,
            ReportError::Conflict { first, .. } => first,
        }
    }

    /// Where in the file the problem is, when it is about the content.
    pub fn position(&self) -> Position {
        match self {
            ReportError::Malformed { at, .. } => *at,
            _ => Position::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_message_names_file_line_and_expectation() {
        let e = ReportError::Malformed {
            kind: ReportKind::Coverage,
            name: "lcov.info".into(),
            at: Position::line(12),
            message: "expected `DA:<line>,<count>`".into(),
        };
        assert_eq!(
            e.to_string(),
            "coverage report `lcov.info`: line 12: expected `DA:<line>,<count>`"
        );
        let e = ReportError::Malformed {
            kind: ReportKind::Coverage,
            name: "coverage.xml".into(),
            at: Position::line_column(3, 14),
            message: "x".into(),
        };
        assert_eq!(
            e.to_string(),
            "coverage report `coverage.xml`: line 3, column 14: x"
        );
        assert_eq!(e.position(), Position::line_column(3, 14));
        assert_eq!(e.report_name(), "coverage.xml");
    }
}
