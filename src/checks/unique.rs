#![doc = include_str!("docs/unique.md")]

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hash};

use super::registry::{FieldKind, Sentences, Stage};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
use crate::rules::CheckMeta;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG103",
    name: "unique",
    level: 1,
    default_severity: Severity::Error,
    summary: "no value appears twice",
    summary_it: "nessun valore compare due volte",
    doc: include_str!("docs/unique.md"),
};

/// `unique = true` (or a table): no value appears twice. Evaluated in the
/// engine's ordered merge, with the table's keys ([`FirstSeen`]).
#[derive(Clone, Debug)]
pub struct Unique;

/// "no value of CF may appear twice".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
}

/// The value repeats an earlier row's: "duplicate of row 12".
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The earlier row.
    pub first: u64,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no value of {} may appear twice", self.field)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "nessun valore di {} compare due volte", self.field)
    }

    fn examples() -> Vec<Self> {
        vec![Description {
            field: String::new(),
        }]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "duplicate of row {}", self.first)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "duplicato della riga {}", self.first)
    }

    fn examples() -> Vec<Self> {
        vec![Failure { first: 1 }]
    }
}

impl Sentences for Unique {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Unique {
    const KEYS: &'static [&'static str] = &["unique"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let description = |field| Description { field };
        if let Some(meta) = cx.switch(&KIND, "unique", description) {
            out.push((Unique, meta));
        }
    }

    fn stage(&self) -> Stage {
        Stage::CrossRow
    }
}

/// Remembers the first row of each value seen. Values are stored as 128-bit
/// fingerprints, so memory stays at 24 bytes per distinct value whatever
/// their length (two different values sharing a fingerprint is a 1 in 2^64
/// event for a billion values). The table is split in shards by the
/// fingerprint's top bits, so that a batch is recorded by several threads.
pub struct FirstSeen {
    shards: Vec<HashMap<u128, u64, Prehashed>>,
}

/// Shards of a [`FirstSeen`]: a power of two.
const SHARDS: usize = 16;

impl Default for FirstSeen {
    fn default() -> Self {
        FirstSeen {
            shards: (0..SHARDS).map(|_| HashMap::default()).collect(),
        }
    }
}

fn shard_of(fp: u128) -> usize {
    (fp >> (128 - SHARDS.trailing_zeros())) as usize
}

impl FirstSeen {
    /// Room for `n` distinct values, so that the table is not grown (and
    /// copied) while values arrive.
    pub fn reserve(&mut self, n: usize) {
        let per = n / SHARDS + n / (SHARDS * 8);
        for s in &mut self.shards {
            s.reserve(per);
        }
    }

    /// Records `key` at `row`; returns the earlier row when the key was
    /// already seen.
    pub fn insert<K: Hash + ?Sized>(&mut self, key: &K, row: u64) -> Option<u64> {
        self.insert_fingerprint(fingerprint(key), row)
    }

    /// [`insert`](Self::insert) of a value by its [`fingerprint`], computed
    /// where the rows are checked in parallel.
    pub fn insert_fingerprint(&mut self, fp: u128, row: u64) -> Option<u64> {
        first_of(&mut self.shards[shard_of(fp)], fp, row)
    }

    /// Records a batch of (fingerprint, row), in order, the shards in
    /// parallel: for each entry, the earlier row of its value if there was
    /// one, as [`insert_fingerprint`](Self::insert_fingerprint) one by one
    /// would say.
    ///
    /// A batch holds at most `u32::MAX` entries (a chunk holds thousands).
    pub fn insert_all(&mut self, batch: &[(u128, u64)]) -> Vec<Option<u64>> {
        use rayon::prelude::*;
        // Each shard's entries, in batch order.
        let mut by_shard: Vec<Vec<u32>> = (0..SHARDS)
            .map(|_| Vec::with_capacity(batch.len() / SHARDS * 2))
            .collect();
        for (i, &(fp, _)) in batch.iter().enumerate() {
            by_shard[shard_of(fp)].push(i as u32);
        }
        let found: Vec<Vec<(u32, u64)>> = self
            .shards
            .par_iter_mut()
            .zip(by_shard.par_iter())
            .map(|(map, entries)| {
                entries
                    .iter()
                    .filter_map(|&i| {
                        let (fp, row) = batch[i as usize];
                        first_of(map, fp, row).map(|f| (i, f))
                    })
                    .collect()
            })
            .collect();
        let mut out = vec![None; batch.len()];
        for (i, first) in found.into_iter().flatten() {
            out[i as usize] = Some(first);
        }
        out
    }

    /// Distinct keys seen.
    pub fn len(&self) -> usize {
        self.shards.iter().map(HashMap::len).sum()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(HashMap::is_empty)
    }
}

fn first_of(map: &mut HashMap<u128, u64, Prehashed>, fp: u128, row: u64) -> Option<u64> {
    match map.entry(fp) {
        std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(row);
            None
        }
    }
}

/// Hashes a fingerprint by taking its low half: it is a hash already, so
/// hashing it again would only cost time.
#[derive(Clone, Copy, Default)]
pub struct Prehashed;

impl BuildHasher for Prehashed {
    type Hasher = PrehashedHasher;
    fn build_hasher(&self) -> PrehashedHasher {
        PrehashedHasher(0)
    }
}

/// The hasher of [`Prehashed`].
#[derive(Default)]
pub struct PrehashedHasher(u64);

impl std::hash::Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u128(&mut self, fp: u128) {
        // The low half: the top bits chose the shard, so they are the same
        // for every key of a table.
        self.0 = fp as u64;
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only fingerprints are keyed here; any other key still hashes.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
        }
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
    fn sentences_in_both_languages() {
        use crate::messages::{In, Lang};
        let f = Failure { first: 12 };
        assert_eq!(In(&f, Lang::En).to_string(), "duplicate of row 12");
        assert_eq!(In(&f, Lang::It).to_string(), "duplicato della riga 12");
        let d = Description { field: "CF".into() };
        assert_eq!(In(&d, Lang::En).to_string(), "no value of CF may appear twice");
        assert_eq!(In(&d, Lang::It).to_string(), "nessun valore di CF compare due volte");
    }

    #[test]
    fn reports_the_first_row() {
        let mut s = FirstSeen::default();
        assert_eq!(s.insert("A", 1), None);
        assert_eq!(s.insert("B", 2), None);
        assert_eq!(s.insert("A", 7), Some(1));
        assert_eq!(s.insert("A", 9), Some(1));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn fingerprints_are_the_values() {
        let mut s = FirstSeen::default();
        s.reserve(10);
        assert_eq!(s.insert_fingerprint(fingerprint("A"), 1), None);
        assert_eq!(s.insert("A", 4), Some(1));
        assert_eq!(s.insert_fingerprint(fingerprint("B"), 5), None);
        assert_eq!(s.insert_fingerprint(fingerprint("B"), 6), Some(5));
        assert_eq!(s.len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn a_batch_says_what_one_by_one_says(values in proptest::collection::vec(0u8..40, 0..300), split in 0usize..300) {
            let rows: Vec<(u128, u64)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (fingerprint(v), i as u64 + 1))
                .collect();
            let mut one = FirstSeen::default();
            let expected: Vec<Option<u64>> =
                rows.iter().map(|&(fp, r)| one.insert_fingerprint(fp, r)).collect();
            let mut batch = FirstSeen::default();
            let split = split.min(rows.len());
            let mut got = batch.insert_all(&rows[..split]);
            got.extend(batch.insert_all(&rows[split..]));
            proptest::prop_assert_eq!(got, expected);
            proptest::prop_assert_eq!(batch.len(), one.len());
        }
    }
}
