#![doc = include_str!("docs/cross_source.md")]

use super::CheckKind;
use crate::messages::Message;
use crate::rules::cross::CrossCheckSpec;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG302",
    name: "cross-source",
    level: 3,
    default_severity: Severity::Error,
    summary: "the record agrees with its linked resident, family and other sources",
    summary_it: "il record concorda con il residente collegato, la sua famiglia e le altre fonti",
    doc: include_str!("docs/cross_source.md"),
};

/// Why `vaglio check` does not evaluate a cross-source check.
pub const NOT_LINKED: Message = Message::NotLinked;

/// The columns a check reads, as reports name them: its own, then the
/// qualified names, joined by `+`.
pub fn column(spec: &CrossCheckSpec) -> String {
    spec.columns
        .iter()
        .map(String::as_str)
        .chain(spec.references.iter().map(|r| r.name.as_str()))
        .collect::<Vec<_>>()
        .join("+")
}
