#![doc = include_str!("docs/place_in_use.md")]

use std::fmt;

use chrono::NaiveDate;

use super::registry::{Cell, FieldKind, Sentences};
use super::CheckKind;
use crate::identity::belfiore::Validity;
use crate::identity::codice_fiscale;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
use crate::rules::CheckMeta;
use crate::rules::Severity;
use crate::types::FieldType;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG109",
    name: "cf-place-in-use",
    level: 1,
    default_severity: Severity::Error,
    summary: "a codice fiscale's place code was in use on its birth date",
    summary_it: "il codice del luogo del codice fiscale era in uso alla data di nascita",
    doc: include_str!("docs/place_in_use.md"),
};

/// "the place code of CF was in use on the birth date it gives".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
}

/// A codice fiscale's place code was not in use on its birth date, and why
/// not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The code did not exist yet.
    NotYet,
    /// A newer code had replaced it.
    Replaced,
    /// It was no longer in use.
    Ended,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the place code of {} was in use on the birth date it gives",
            self.field
        )
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "il codice del luogo di {} era in uso alla data di nascita che indica",
            self.field
        )
    }

    fn examples() -> Vec<Self> {
        vec![Description {
            field: String::new(),
        }]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the place code (characters 12-15) was not in use on the birth date the code gives ({})",
            match self {
                Failure::NotYet => "it did not exist yet",
                Failure::Replaced => "it had been replaced by a newer code",
                Failure::Ended => "it was no longer in use",
            }
        )
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "il codice del luogo (caratteri 12-15) non era in uso alla data di nascita indicata dal codice ({})",
            match self {
                Failure::NotYet => "non esisteva ancora",
                Failure::Replaced => "era stato sostituito da un codice più recente",
                Failure::Ended => "non era più in uso",
            }
        )
    }

    fn examples() -> Vec<Self> {
        vec![Failure::NotYet, Failure::Replaced, Failure::Ended]
    }
}

/// A failure when `text`, a codice fiscale decoded against `reference`,
/// gives a place code not in use on its birth date. Codes that do not
/// decode (provisional, malformed) and unknown places are the type check's
/// business: `None`.
pub fn check(text: &str, reference: NaiveDate) -> Option<Failure> {
    let decoded = codice_fiscale::decode(text.as_bytes(), reference).ok()?;
    match decoded.place_validity() {
        Validity::Valid | Validity::Unknown => None,
        Validity::NotYetValid { .. } => Some(Failure::NotYet),
        Validity::Expired {
            successor: Some(_), ..
        } => Some(Failure::Replaced),
        Validity::Expired { .. } => Some(Failure::Ended),
    }
}

impl Sentences for PlaceInUse {
    type Description = Description;
    type Failure = Failure;
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
                Description { field },
                span,
            );
            out.push((PlaceInUse { reference }, meta));
        }
    }

    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Failure> {
        check(cell.text, self.reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    #[test]
    fn a_place_not_yet_in_use_fails_and_a_valid_one_passes() {
        assert_eq!(
            check("CCCFBA30H66F991T", today()).map(|m| In(&m, Lang::En).to_string()).as_deref(),
            Some(
                "the place code (characters 12-15) was not in use on the birth date the code gives (it did not exist yet)"
            )
        );
        assert_eq!(
            check("CCCFBA30H66F991T", today()).map(|m| In(&m, Lang::It).to_string()).as_deref(),
            Some(
                "il codice del luogo (caratteri 12-15) non era in uso alla data di nascita indicata dal codice (non esisteva ancora)"
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
