#![doc = include_str!("docs/address.md")]

use std::fmt;

use super::CheckKind;
use crate::geography::matching::{Level, Reason};
use crate::messages::Sentence;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG204",
    name: "address",
    level: 3,
    default_severity: Severity::Warning,
    summary: "the address is in the city's civic-number register",
    summary_it: "l'indirizzo è nello stradario della città",
    doc: include_str!("docs/address.md"),
};

/// Why an address fails: the register does not confirm its house number,
/// for a reason of the matching (its stable code follows the sentence), or
/// for none known. Never the address itself: the finding's sample is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Why the matching stopped short of a house number.
    pub reason: Option<Reason>,
}

/// The failure of a match at `level` (for `reason`), `None` when it passes
/// (a house number found, as written or after normalising it).
pub fn check(level: Level, reason: Option<Reason>) -> Option<Failure> {
    match level {
        Level::Civic | Level::CivicNormalised => None,
        Level::Street | Level::None => Some(Failure { reason }),
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(reason) = self.reason else {
            return f.write_str("the address is not in the civic-number register");
        };
        let sentence = match reason {
            Reason::NoStreet => "the address has no street",
            Reason::UnknownStreet => "the street is not in the civic-number register",
            Reason::AmbiguousStreet => "the street name fits several streets of the register",
            Reason::CivicNotInStreet => "the street has no such house number in the register",
            Reason::NoCivic => "the address has no house number",
            Reason::UnreadableCivic => "the house number cannot be read",
        };
        write!(f, "{sentence} ({})", reason.code())
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(reason) = self.reason else {
            return f.write_str("l'indirizzo non è nello stradario");
        };
        let sentence = match reason {
            Reason::NoStreet => "l'indirizzo non ha la via",
            Reason::UnknownStreet => "la via non è nello stradario",
            Reason::AmbiguousStreet => "il nome della via corrisponde a più vie dello stradario",
            Reason::CivicNotInStreet => "la via non ha questo numero civico nello stradario",
            Reason::NoCivic => "l'indirizzo non ha il numero civico",
            Reason::UnreadableCivic => "il numero civico non è leggibile",
        };
        write!(f, "{sentence} ({})", reason.code())
    }

    fn examples() -> Vec<Self> {
        std::iter::once(None)
            .chain(Reason::ALL.into_iter().map(Some))
            .map(|reason| Failure { reason })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    fn both(failure: Option<Failure>) -> Option<(String, String)> {
        failure.map(|f| (In(&f, Lang::En).to_string(), In(&f, Lang::It).to_string()))
    }

    #[test]
    fn a_house_number_found_passes_and_a_miss_says_why() {
        assert_eq!(check(Level::Civic, None), None);
        assert_eq!(check(Level::CivicNormalised, None), None);
        assert_eq!(
            both(check(Level::Street, Some(Reason::CivicNotInStreet))),
            Some((
                "the street has no such house number in the register (civic_not_in_street)".into(),
                "la via non ha questo numero civico nello stradario (civic_not_in_street)".into()
            ))
        );
        assert_eq!(
            both(check(Level::None, Some(Reason::UnknownStreet))),
            Some((
                "the street is not in the civic-number register (unknown_street)".into(),
                "la via non è nello stradario (unknown_street)".into()
            ))
        );
        assert_eq!(
            both(check(Level::None, None)),
            Some((
                "the address is not in the civic-number register".into(),
                "l'indirizzo non è nello stradario".into()
            ))
        );
    }

    #[test]
    fn every_reason_is_said_in_both_languages_with_its_code() {
        for failure in Failure::examples() {
            let (en, it) = (
                In(&failure, Lang::En).to_string(),
                In(&failure, Lang::It).to_string(),
            );
            assert_ne!(en, it);
            if let Some(r) = failure.reason {
                assert!(en.ends_with(&format!("({})", r.code())), "{en}");
                assert!(it.ends_with(&format!("({})", r.code())), "{it}");
            }
        }
    }
}
