//! Diagnostics for rule files: every error points at its place in the TOML.

use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// One problem in a rule file, with the span it concerns and a help line.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(vaglio::rules))]
pub struct RuleDiagnostic {
    /// What is wrong.
    pub message: String,
    #[source_code]
    source_code: NamedSource<Arc<String>>,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    /// What to do about it.
    #[help]
    pub help: Option<String>,
}

impl RuleDiagnostic {
    /// The byte range of the problem in the rule file.
    pub fn span(&self) -> Range<usize> {
        self.span.offset()..self.span.offset() + self.span.len()
    }

    /// Line and column (1-based) where the problem starts.
    pub fn line_col(&self) -> (usize, usize) {
        let text = self.source_code.inner().as_str();
        let offset = self.span.offset().min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// All the problems found in one rule file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{path}: {} in the rule file", plural(.errors.len()))]
#[diagnostic(
    code(vaglio::rules::invalid),
    help("fix the rule file and run again; `vaglio rules` lists the check kinds and types")
)]
pub struct RuleFileError {
    /// The rule file.
    pub path: String,
    /// Each problem.
    #[related]
    pub errors: Vec<RuleDiagnostic>,
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 error".to_string()
    } else {
        format!("{n} errors")
    }
}

/// Collects diagnostics against one source text.
#[derive(Debug)]
pub struct Diagnostics {
    path: String,
    source: Arc<String>,
    errors: Vec<RuleDiagnostic>,
}

impl Diagnostics {
    /// Starts collecting for the file `path` with contents `source`.
    pub fn new(path: &str, source: Arc<String>) -> Diagnostics {
        Diagnostics {
            path: path.to_string(),
            source,
            errors: Vec::new(),
        }
    }

    /// Records a problem at `span` with a short `label` under the span.
    pub fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        let len = self.source.len();
        let start = span.start.min(len);
        let end = span.end.clamp(start, len);
        self.errors.push(RuleDiagnostic {
            message: message.into(),
            source_code: NamedSource::new(&self.path, Arc::clone(&self.source)),
            span: SourceSpan::new(start.into(), end - start),
            label: label.into(),
            help,
        });
    }

    /// How many problems were recorded.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    /// Whether any problem was recorded.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Turns the collected problems into an error, if there are any.
    pub fn finish(self) -> Result<(), RuleFileError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(RuleFileError {
                path: self.path,
                errors: self.errors,
            })
        }
    }
}

/// The closest of `candidates` to `word`, if one is close enough to be a
/// likely typo ("did you mean …?").
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}
