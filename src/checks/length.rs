#![doc = include_str!("docs/length.md")]

use super::CheckKind;
use crate::messages::Message;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG107",
    name: "length",
    level: 1,
    default_severity: Severity::Error,
    summary: "the text length is within bounds",
    doc: include_str!("docs/length.md"),
};

/// A failure message when `text` has fewer than `min` or more than `max`
/// characters.
pub fn check(text: &str, min: Option<u64>, max: Option<u64>) -> Option<Message> {
    let n = text.chars().count() as u64;
    match (min, max) {
        (Some(m), _) if n < m => Some(Message::TooShort { min: m, found: n }),
        (_, Some(m)) if n > m => Some(Message::TooLong { max: m, found: n }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_count_characters_not_bytes() {
        assert_eq!(check("NICOLÒ", None, Some(6)), None);
        assert_eq!(
            check("ABCDEFG", None, Some(6))
                .map(|m| m.to_string())
                .as_deref(),
            Some("longer than 6 characters (7)")
        );
        assert_eq!(
            check("AB", Some(3), None).map(|m| m.to_string()).as_deref(),
            Some("shorter than 3 characters (2)")
        );
    }
}
