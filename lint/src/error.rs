//! The one way linting fails: the file is not SQL PostgreSQL can parse.

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
        }
    }
}
