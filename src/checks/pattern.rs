#![doc = include_str!("docs/pattern.md")]

use super::registry::{Cell, FieldKind};
use super::CheckKind;
use crate::messages::Description;
use crate::rules::load::fields::FieldCx;
use crate::rules::CheckMeta;
use crate::messages::Message;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG105",
    name: "pattern",
    level: 1,
    default_severity: Severity::Error,
    summary: "the text matches a regular expression",
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
            Description::Pattern {
                field,
                pattern: source.to_string(),
            },
            written.span,
        );
        let source = source.to_string();
        out.push((Pattern { regex, source }, meta));
    }

    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Message> {
        check(cell.text, &self.regex, &self.source)
    }
}

/// A failure message when `text` does not match `regex` (already anchored).
pub fn check(text: &str, regex: &regex::Regex, source: &str) -> Option<Message> {
    if regex.is_match(text) {
        None
    } else {
        Some(Message::NoMatch {
            pattern: source.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_value_must_match() {
        let re = regex::Regex::new(r"^(?:\d{5})$").unwrap_or_else(|_| unreachable!());
        assert!(check("40121", &re, r"\d{5}").is_none());
        assert!(check("401210", &re, r"\d{5}").is_some());
        assert_eq!(
            check("4012", &re, r"\d{5}")
                .map(|m| m.to_string())
                .as_deref(),
            Some(r"does not match the pattern \d{5}")
        );
    }
}
