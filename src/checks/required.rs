#![doc = include_str!("docs/required.md")]

use std::fmt;

use super::registry::{FieldKind, Sentences, Stage};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG101",
    name: "required",
    level: 1,
    default_severity: Severity::Error,
    summary: "the field has a value",
    summary_it: "il campo ha un valore",
    doc: include_str!("docs/required.md"),
};

/// `required = true` (or a table): every row has a value.
#[derive(Clone, Debug)]
pub struct Required;

/// "CF must not be empty".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
}

/// The cell is empty: "value missing".
#[derive(Clone, Debug, PartialEq)]
pub struct Failure;

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must not be empty", self.field)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} deve avere un valore", self.field)
    }

    fn examples() -> Vec<Self> {
        vec![Description {
            field: String::new(),
        }]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("value missing")
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("valore mancante")
    }

    fn examples() -> Vec<Self> {
        vec![Failure]
    }
}

impl Sentences for Required {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Required {
    const KEYS: &'static [&'static str] = &["required"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let description = |field| Description { field };
        if let Some(meta) = cx.switch(&KIND, "required", description) {
            out.push((Required, meta));
        }
    }

    fn stage(&self) -> Stage {
        Stage::Presence
    }

    fn missing(&self) -> Option<Failure> {
        Some(Failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    #[test]
    fn a_missing_value_fails() {
        assert_eq!(Required.missing(), Some(Failure));
        assert_eq!(Required.stage(), Stage::Presence);
        assert_eq!(In(&Failure, Lang::En).to_string(), "value missing");
        assert_eq!(In(&Failure, Lang::It).to_string(), "valore mancante");
        let d = Description { field: "CF".into() };
        assert_eq!(In(&d, Lang::En).to_string(), "CF must not be empty");
        assert_eq!(In(&d, Lang::It).to_string(), "CF deve avere un valore");
    }
}
