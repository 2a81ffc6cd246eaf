//! Errors as the terminal shows them: every text of a diagnostic — its
//! message, code, help, labels, causes and related diagnostics — through
//! [`terminal_safe`] before miette's handler draws it, so that a value from
//! the data quoted in a message (a column name, a key, a cell) cannot move
//! the cursor or clear the screen. The handler's own colours are kept.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, ReportHandler, Severity, SourceCode};

use super::terminal_safe;

/// A diagnostic with every text escaped; the source code it points into is
/// the original's.
struct Safe<'a> {
    message: String,
    code: Option<String>,
    help: Option<String>,
    url: Option<String>,
    severity: Option<Severity>,
    labels: Vec<LabeledSpan>,
    source_code: Option<&'a dyn SourceCode>,
    cause: Option<Box<Safe<'a>>>,
    related: Vec<Safe<'a>>,
}

fn escaped(text: impl fmt::Display) -> String {
    terminal_safe(&text.to_string()).into_owned()
}

impl<'a> Safe<'a> {
    fn new(d: &'a dyn Diagnostic) -> Safe<'a> {
        let labels = d
            .labels()
            .map(|ls| {
                ls.map(|l| {
                    let text = l.label().map(escaped);
                    if l.primary() {
                        LabeledSpan::new_primary_with_span(text, *l.inner())
                    } else {
                        LabeledSpan::new_with_span(text, *l.inner())
                    }
                })
                .collect()
            })
            .unwrap_or_default();
        let cause = match d.diagnostic_source() {
            Some(c) => Some(Box::new(Safe::new(c))),
            None => d.source().map(|e| Box::new(Safe::plain(e))),
        };
        Safe {
            message: escaped(d),
            code: d.code().map(escaped),
            help: d.help().map(escaped),
            url: d.url().map(escaped),
            severity: d.severity(),
            labels,
            source_code: d.source_code(),
            cause,
            related: d
                .related()
                .map(|r| r.map(Safe::new).collect())
                .unwrap_or_default(),
        }
    }

    /// A cause that is a plain error, with its own causes.
    fn plain(e: &'a (dyn std::error::Error + 'static)) -> Safe<'a> {
        Safe {
            message: escaped(e),
            code: None,
            help: None,
            url: None,
            severity: None,
            labels: Vec::new(),
            source_code: None,
            cause: e.source().map(|c| Box::new(Safe::plain(c))),
            related: Vec::new(),
        }
    }
}

impl fmt::Display for Safe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Safe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Safe")
            .field("message", &self.message)
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

impl std::error::Error for Safe<'_> {}

impl Diagnostic for Safe<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        self.severity
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source_code
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.cause.as_deref().map(|c| c as &dyn Diagnostic)
    }
}

/// Draws `diagnostic` with `handler`.
struct Drawn<'a, H: ReportHandler>(&'a dyn Diagnostic, &'a H);

impl<H: ReportHandler> fmt::Display for Drawn<'_, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.1.debug(self.0, f)
    }
}

/// The error as vaglio prints it on standard error: drawn by miette's
/// default handler (colours on a terminal, none with `NO_COLOR`), every
/// text from it escaped.
pub fn render_error(report: &miette::Report) -> String {
    let handler = miette::MietteHandlerOpts::new().build();
    Drawn(&Safe::new(report.as_ref()), &handler).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("column `\u{1b}[2J` is not in the file")]
    #[diagnostic(code(vaglio::test), help("the columns are: A, \u{1b}]0;title\u{7}"))]
    struct Bad {
        #[source_code]
        src: String,
        #[label("here: \u{1b}[31m")]
        at: miette::SourceSpan,
        #[source]
        cause: std::io::Error,
    }

    #[test]
    fn nothing_from_the_data_reaches_the_terminal_raw() {
        let report = miette::Report::new(Bad {
            src: "[fields.A]\n".into(),
            at: (1, 6).into(),
            cause: std::io::Error::other("cause \u{1b}[1A"),
        });
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        let text = Drawn(&Safe::new(report.as_ref()), &handler).to_string();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(!text.contains('\u{7}'), "{text:?}");
        for shown in [
            "column `\\e[2J`",
            "A, \\e]0;title\\u{7}",
            "here: \\e[31m",
            "cause \\e[1A",
            "vaglio::test",
            "fields.A",
        ] {
            assert!(text.contains(shown), "{shown} in {text}");
        }
        // The plain message is unchanged where there is nothing to escape.
        assert!(render_error(&miette::miette!("plain")).contains("plain"));
    }
}
