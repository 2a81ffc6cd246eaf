#![doc = include_str!("docs/length.md")]

use super::registry::{Cell, FieldKind};
use super::CheckKind;
use crate::messages::Description;
use crate::rules::load::fields::FieldCx;
use crate::rules::CheckMeta;
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

/// `min_length` / `max_length` (also `minLength`, `maxLength`): one
/// constraint per key, a bound on the number of characters.
#[derive(Clone, Debug)]
pub struct Length {
    /// Fewest characters.
    pub min: Option<u64>,
    /// Most characters.
    pub max: Option<u64>,
}

impl FieldKind for Length {
    const KEYS: &'static [&'static str] = &["min_length", "minLength", "max_length", "maxLength"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        for (keys, is_min) in [
            (["min_length", "minLength"], true),
            (["max_length", "maxLength"], false),
        ] {
            let Some(n) = cx.table.get_any(&keys) else {
                continue;
            };
            let span = n.span.clone();
            let (value_node, table) = cx.value_or_table(n, keys[0], &["value"]);
            let what = format!("`{}`", keys[0]);
            let Some(v) = value_node.and_then(|v| v.count(cx.diags(), &what)) else {
                continue;
            };
            let field = cx.name.to_string();
            let (description, id, length) = if is_min {
                let id = format!("{field}.min_length");
                let d = Description::MinLength { field, min: v };
                (d, id, Length { min: Some(v), max: None })
            } else {
                let id = format!("{field}.max_length");
                let d = Description::MaxLength { field, max: v };
                (d, id, Length { min: None, max: Some(v) })
            };
            let meta = cx.meta(&KIND, table.as_ref(), id, description, span);
            out.push((length, meta));
        }
    }

    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Message> {
        check(cell.text, self.min, self.max)
    }
}

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
