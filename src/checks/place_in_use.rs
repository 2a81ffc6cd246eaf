#![doc = include_str!("docs/place_in_use.md")]

use chrono::NaiveDate;

use super::CheckKind;
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
