#![doc = include_str!("docs/valid.md")]

use super::registry::{FieldKind, Stage};
use super::CheckKind;
use crate::messages::Description;
use crate::rules::load::fields::FieldCx;
use crate::rules::load::META_KEYS;
use crate::rules::{CheckMeta, Severity};
use crate::types::FieldType;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG102",
    name: "valid",
    level: 1,
    default_severity: Severity::Error,
    summary: "the value parses as the field's type",
    doc: include_str!("docs/valid.md"),
};

/// Every present value parses as the field's type: on for every type but
/// `string`; `valid = { severity = … }` sets its identity. The parse itself
/// is the engine's (it parses every value once, for every kind and
/// expression): this kind's stage is [`Stage::Type`].
#[derive(Clone, Debug)]
pub struct Valid;

impl FieldKind for Valid {
    const KEYS: &'static [&'static str] = &["valid"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let written = cx.table.get("valid");
        if matches!(cx.field_type, FieldType::String) && written.is_none() {
            return;
        }
        let table = match written {
            Some(n) => n.table(cx.diags(), "`valid`", META_KEYS),
            None => None,
        };
        let span = cx.table.key_span("type").unwrap_or(cx.key_span.clone());
        let field = cx.name.to_string();
        let type_name = cx.field_type.name().to_string();
        let meta = cx.meta(
            &KIND,
            table.as_ref(),
            format!("{field}.valid"),
            Description::Valid { field, type_name },
            span,
        );
        out.push((Valid, meta));
    }

    fn stage(&self) -> Stage {
        Stage::Type
    }
}
