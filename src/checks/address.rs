#![doc = include_str!("docs/address.md")]

use super::CheckKind;
use crate::geography::matching::{Level, Match};
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG204",
    name: "address",
    level: 3,
    default_severity: Severity::Warning,
    summary: "the address is in the city's civic-number register",
    doc: include_str!("docs/address.md"),
};

/// The failure message of a match, `None` when it passes (a house number
/// found, as written or after normalising it).
pub fn check(m: &Match) -> Option<String> {
    match m.level {
        Level::Civic | Level::CivicNormalised => None,
        Level::Street | Level::None => Some(match m.reason {
            Some(r) => format!("{} ({})", r.message(), r.code()),
            None => "the address is not in the civic-number register".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::matching::Reason;

    fn at(level: Level, reason: Option<Reason>) -> Match {
        Match {
            level,
            street: None,
            via: None,
            civic: None,
            area: None,
            reason,
        }
    }

    #[test]
    fn a_house_number_found_passes_and_a_miss_says_why() {
        assert_eq!(check(&at(Level::Civic, None)), None);
        assert_eq!(check(&at(Level::CivicNormalised, None)), None);
        assert_eq!(
            check(&at(Level::Street, Some(Reason::CivicNotInStreet))).as_deref(),
            Some("the street has no such house number in the register (civic_not_in_street)")
        );
        assert_eq!(
            check(&at(Level::None, Some(Reason::UnknownStreet))).as_deref(),
            Some("the street is not in the civic-number register (unknown_street)")
        );
    }
}
