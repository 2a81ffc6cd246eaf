#![doc = include_str!("docs/address.md")]

use super::CheckKind;
use crate::geography::matching::{Level, Reason};
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

/// The failure message of a match at `level` (for `reason`), `None` when
/// it passes (a house number found, as written or after normalising it).
pub fn check(level: Level, reason: Option<Reason>) -> Option<String> {
    match level {
        Level::Civic | Level::CivicNormalised => None,
        Level::Street | Level::None => Some(match reason {
            Some(r) => format!("{} ({})", r.message(), r.code()),
            None => "the address is not in the civic-number register".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_house_number_found_passes_and_a_miss_says_why() {
        assert_eq!(check(Level::Civic, None), None);
        assert_eq!(check(Level::CivicNormalised, None), None);
        assert_eq!(
            check(Level::Street, Some(Reason::CivicNotInStreet)).as_deref(),
            Some("the street has no such house number in the register (civic_not_in_street)")
        );
        assert_eq!(
            check(Level::None, Some(Reason::UnknownStreet)).as_deref(),
            Some("the street is not in the civic-number register (unknown_street)")
        );
    }
}
