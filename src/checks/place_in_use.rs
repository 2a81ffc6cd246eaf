#![doc = include_str!("docs/place_in_use.md")]

use chrono::NaiveDate;

use super::registry::{Cell, FieldKind};
use super::CheckKind;
use crate::messages::Description;
use crate::rules::load::fields::FieldCx;
use crate::rules::CheckMeta;
use crate::types::FieldType;
use crate::identity::belfiore::Validity;
use crate::identity::codice_fiscale;
use crate::messages::{Message, PlaceChange};
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG109",
    name: "cf-place-in-use",
    level: 1,
    default_severity: Severity::Error,
    summary: "a codice fiscale's place code was in use on its birth date",
    doc: include_str!("docs/place_in_use.md"),
};

/// A failure message when `text`, a codice fiscale decoded against
/// `reference`, gives a place code not in use on its birth date. Codes that
/// do not decode (provisional, malformed) and unknown places are the type
/// check's business: `None`.
pub fn check(text: &str, reference: NaiveDate) -> Option<Message> {
    let decoded = codice_fiscale::decode(text.as_bytes(), reference).ok()?;
    let why = match decoded.place_validity() {
        Validity::Valid | Validity::Unknown => return None,
        Validity::NotYetValid { .. } => PlaceChange::NotYet,
        Validity::Expired {
            successor: Some(_), ..
        } => PlaceChange::Replaced,
        Validity::Expired { .. } => PlaceChange::Ended,
    };
    Some(Message::PlaceNotInUse { why })
}

/// On by default for a codice fiscale (`place_in_use = false` turns it
/// off): the code's place was in use on the birth date it gives, decoded
/// against `reference` (`--today`).
#[derive(Clone, Debug)]
pub struct PlaceInUse {
    /// The date the code's century is read against.
    pub reference: NaiveDate,
}

impl FieldKind for PlaceInUse {
    const KEYS: &'static [&'static str] = &["place_in_use"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let FieldType::CodiceFiscale { reference, .. } = cx.field_type else {
            return;
        };
        let reference = *reference;
        let (on, table, span) = match cx.table.get("place_in_use") {
            Some(n) => {
                let span = n.span.clone();
                match cx.flag(n, "`place_in_use`") {
                    Some((on, table)) => (on, table, span),
                    None => (false, None, span),
                }
            }
            None => (
                true,
                None,
                cx.table.key_span("type").unwrap_or(cx.key_span.clone()),
            ),
        };
        if on {
            let field = cx.name.to_string();
            let meta = cx.meta(
                &KIND,
                table.as_ref(),
                format!("{field}.place_in_use"),
                Description::PlaceInUse { field },
                span,
            );
            out.push((PlaceInUse { reference }, meta));
        }
    }

    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Message> {
        check(cell.text, self.reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    #[test]
    fn a_place_not_yet_in_use_fails_and_a_valid_one_passes() {
        assert_eq!(
            check("CCCFBA30H66F991T", today()).map(|m| m.to_string()).as_deref(),
            Some(
                "the place code (characters 12-15) was not in use on the birth date the code gives (it did not exist yet)"
            )
        );
        assert_eq!(check("RSSMRA80A01H501U", today()), None);
        // Gallico: in use in 1907, the century the place decides.
        assert_eq!(check("MCHFDA07A01D877A", today()), None);
        // Not a personal code: the type check's business.
        assert_eq!(check("12345678903", today()), None);
        assert_eq!(check("RSSMRA80A01H501X", today()), None);
    }
}
