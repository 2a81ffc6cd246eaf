//! The error type of the expression language.

use std::fmt;
use std::ops::Range;

/// An error found while parsing or type-checking an expression.
///
/// `span` is a byte range within the expression's source text, so the caller
/// can add the offset of the string inside the rule file and point at the
/// exact token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte range within the expression source.
    pub span: Range<usize>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when we can tell (e.g. "did you mean DATA_NASCITA?").
    pub help: Option<String>,
}

impl ExprError {
    pub(crate) fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        ExprError {
            span,
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same error with its span moved by `offset` bytes, for an
    /// expression that starts `offset` bytes into a larger text.
    pub fn offset(mut self, offset: usize) -> Self {
        self.span = self.span.start + offset..self.span.end + offset;
        self
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ExprError {}
