#![doc = include_str!("docs/unique.md")]

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

use super::CheckKind;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG103",
    name: "unique",
    level: 1,
    default_severity: Severity::Error,
    summary: "no value appears twice",
    doc: include_str!("docs/unique.md"),
};

/// Remembers the first row of each value seen. Values are stored as 128-bit
/// fingerprints, so memory stays at 24 bytes per distinct value whatever
/// their length (two different values sharing a fingerprint is a 1 in 2^64
/// event for a billion values).
#[derive(Default)]
pub struct FirstSeen {
    seen: HashMap<u128, u64, foldhash::fast::FixedState>,
}

impl FirstSeen {
    /// Records `key` at `row`; returns the earlier row when the key was
    /// already seen.
    pub fn insert<K: Hash + ?Sized>(&mut self, key: &K, row: u64) -> Option<u64> {
        let fp = fingerprint(key);
        match self.seen.entry(fp) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(row);
                None
            }
        }
    }

    /// Distinct keys seen.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// A 128-bit fingerprint of a value: two independent 64-bit hashes.
pub fn fingerprint<K: Hash + ?Sized>(key: &K) -> u128 {
    let a = foldhash::fast::FixedState::with_seed(0x9E37_79B9_7F4A_7C15).hash_one(key);
    let b = foldhash::quality::FixedState::with_seed(0xD1B5_4A32_D192_ED03).hash_one(key);
    ((a as u128) << 64) | b as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_first_row() {
        let mut s = FirstSeen::default();
        assert_eq!(s.insert("A", 1), None);
        assert_eq!(s.insert("B", 2), None);
        assert_eq!(s.insert("A", 7), Some(1));
        assert_eq!(s.insert("A", 9), Some(1));
        assert_eq!(s.len(), 2);
    }
}
