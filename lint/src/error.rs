//! How linting fails: the file's parts are laid out wrongly, or it is not
//! SQL PostgreSQL can parse.

use crate::render::render_block;
use crate::source::LineIndex;

/// Linting could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LintError {
    /// PostgreSQL's parser rejects the file. `message` is PostgreSQL's own
    /// (`syntax error at or near "TABL"`); `offset` is the byte where the
    /// parser stopped, `line` and `column` (1-based, columns in characters)
    /// the same place.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        message: String,
        offset: usize,
        line: usize,
        column: usize,
    },
    /// The file's `-- nzc:part` lines are laid out wrongly
    /// (`nzc_types::contract::migration_parts` says how): `message` says
    /// what, `line` (1-based) is the line at fault and `offset` its first
    /// byte.
    #[error("{file}:{line}:1: {message}")]
    Parts {
        file: String,
        message: String,
        offset: usize,
        line: usize,
    },
}

impl LintError {
    pub(crate) fn parse(file: &str, source: &str, offset: usize, message: &str) -> LintError {
        let (line, column) = LineIndex::new(source).line_col(offset);
        LintError::Parse {
            file: file.to_string(),
            message: message.to_string(),
            offset,
            line,
            column,
        }
    }

    pub(crate) fn part(file: &str, source: &str, line: usize, message: &str) -> LintError {
        LintError::Parts {
            file: file.to_string(),
            message: message.to_string(),
            offset: LineIndex::new(source).line_start(line),
            line,
        }
    }

    /// The error in the house format (`error: …`, `--> file:line:col`, the
    /// source line and a caret), like [`crate::render`] renders findings.
    pub fn render(&self, source: &str) -> String {
        match self {
            LintError::Parse {
                file,
                message,
                offset,
                ..
            } => {
                let mut out = String::new();
                let index = LineIndex::new(source);
                // The caret goes under the whole token the parser stopped at.
                let end = pg_query::scan(source)
                    .ok()
                    .and_then(|scan| {
                        let t = scan
                            .tokens
                            .iter()
                            .find(|t| usize::try_from(t.start).ok() == Some(*offset))?;
                        usize::try_from(t.end).ok()
                    })
                    .unwrap_or(*offset + 1);
                render_block(
                    &mut out,
                    &index,
                    file,
                    &format!("error: {message}"),
                    (*offset, end),
                    &[],
                );
                out
            }
            LintError::Parts {
                file,
                message,
                offset,
                ..
            } => {
                let mut out = String::new();
                let index = LineIndex::new(source);
                // The caret goes under the whole line (its text, trimmed).
                let text = source
                    .get(*offset..)
                    .and_then(|rest| rest.split('\n').next())
                    .unwrap_or("")
                    .trim_end_matches('\r');
                let lead = text.len() - text.trim_start().len();
                let start = (*offset + lead).min(source.len());
                let end = start + text.trim().len();
                render_block(
                    &mut out,
                    &index,
                    file,
                    &format!("error: {message}"),
                    (start, end),
                    &[],
                );
                out
            }
        }
    }
}
