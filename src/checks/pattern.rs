#![doc = include_str!("docs/pattern.md")]

use super::CheckKind;
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
