#![doc = include_str!("docs/required.md")]

use super::registry::{FieldKind, Stage};
use super::CheckKind;
use crate::messages::{Description, Message};
use crate::rules::load::fields::FieldCx;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG101",
    name: "required",
    level: 1,
    default_severity: Severity::Error,
    summary: "the field has a value",
    doc: include_str!("docs/required.md"),
};

/// `required = true` (or a table): every row has a value.
#[derive(Clone, Debug)]
pub struct Required;

impl FieldKind for Required {
    const KEYS: &'static [&'static str] = &["required"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let description = |field| Description::Required { field };
        if let Some(meta) = cx.switch(&KIND, "required", description) {
            out.push((Required, meta));
        }
    }

    fn stage(&self) -> Stage {
        Stage::Presence
    }

    fn missing(&self) -> Option<Message> {
        Some(Message::ValueMissing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_fails() {
        assert_eq!(Required.missing(), Some(Message::ValueMissing));
        assert_eq!(Required.stage(), Stage::Presence);
    }
}
