#![doc = include_str!("docs/pattern.md")]

use std::fmt;

use super::registry::{Cell, FieldKind, Sentences};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
use crate::rules::CheckMeta;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG105",
    name: "pattern",
    level: 1,
    default_severity: Severity::Error,
    summary: "the text matches a regular expression",
    summary_it: "il testo corrisponde a un'espressione regolare",
    doc: include_str!("docs/pattern.md"),
};

/// `pattern = '…'`: the whole text matches a regular expression.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The compiled, anchored expression.
    pub regex: regex::Regex,
    /// The pattern as written.
    pub source: String,
}

/// "CAP must match the pattern `\d{5}`".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
    /// The regular expression as written.
    pub pattern: String,
}

/// Does not match the pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The regular expression as written.
    pub pattern: String,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must match the pattern {}", self.field, self.pattern)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} deve corrispondere allo schema {}", self.field, self.pattern)
    }

    fn examples() -> Vec<Self> {
        vec![Description {
            field: String::new(),
            pattern: String::new(),
        }]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "does not match the pattern {}", self.pattern)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "non corrisponde allo schema {}", self.pattern)
    }

    fn examples() -> Vec<Self> {
        vec![Failure {
            pattern: String::new(),
        }]
    }
}

impl Sentences for Pattern {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Pattern {
    const KEYS: &'static [&'static str] = &["pattern"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let Some(written) = cx.text("pattern") else {
            return;
        };
        let source = written.text;
        let anchored = format!("^(?:{source})$");
        let regex = match regex::RegexBuilder::new(&anchored)
            .size_limit(1 << 22)
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                let detail = e.to_string();
                let last = detail
                    .lines()
                    .rfind(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                let name = cx.name;
                let message =
                    format!("the pattern of {name} is not a valid regular expression: {last}");
                cx.diags().error(
                    written.value_span,
                    message,
                    "invalid regex",
                    Some("patterns use Rust regex syntax and must match the whole value; backslashes need doubling in \"…\" strings (or use '…')".into()),
                );
                return;
            }
        };
        let field = cx.name.to_string();
        let meta = cx.meta(
            &KIND,
            written.table.as_ref(),
            format!("{field}.pattern"),
            Description {
                field,
                pattern: source.to_string(),
            },
            written.span,
        );
        let source = source.to_string();
        out.push((Pattern { regex, source }, meta));
    }

    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Failure> {
        check(cell.text, &self.regex, &self.source)
    }
}

/// A failure when `text` does not match `regex` (already anchored).
pub fn check(text: &str, regex: &regex::Regex, source: &str) -> Option<Failure> {
    if regex.is_match(text) {
        None
    } else {
        Some(Failure {
            pattern: source.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    #[test]
    fn whole_value_must_match() {
        let re = regex::Regex::new(r"^(?:\d{5})$").unwrap_or_else(|_| unreachable!());
        assert!(check("40121", &re, r"\d{5}").is_none());
        assert!(check("401210", &re, r"\d{5}").is_some());
        assert_eq!(
            check("4012", &re, r"\d{5}")
                .map(|m| In(&m, Lang::En).to_string())
                .as_deref(),
            Some(r"does not match the pattern \d{5}")
        );
        assert_eq!(
            check("4012", &re, r"\d{5}")
                .map(|m| In(&m, Lang::It).to_string())
                .as_deref(),
            Some(r"non corrisponde allo schema \d{5}")
        );
    }
}
