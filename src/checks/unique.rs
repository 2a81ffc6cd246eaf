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

/// Remembers the first row of each value seen. Values are stored as
/// fingerprints: 100 of a 128-bit fingerprint's bits (4 choose the shard,
/// the table keeps 96), with the row as 32 bits, in 16-byte slots filled to
/// at most 3/4, so memory stays at about 21 bytes per distinct value
/// whatever their length (two different values of a
/// billion sharing those bits is a 1 in 10^12 event). Rows past 2^32 are kept
/// whole in a second table. The table is split in shards by the
/// fingerprint's top bits, so that a batch is recorded by several threads.
pub struct FirstSeen {
    shards: Vec<Shard>,
}

/// One shard of a [`FirstSeen`]: an open-addressing table (linear
/// probing) of the values whose first row fits 32 bits, and a map of the
/// others.
#[derive(Default)]
struct Shard {
    /// The slots, none before the first value.
    slots: Vec<Slot>,
    /// Occupied slots.
    len: usize,
    wide: HashMap<u128, u64, Prehashed>,
}

/// A slot of a [`Shard`]: 96 bits of a fingerprint (its low 64, where the
/// probe starts, and the 32 above them) and the value's first row,
/// [`VACANT`] when the slot is empty. 16 bytes.
#[derive(Clone, Copy)]
struct Slot {
    key: [u32; 3],
    row: u32,
}

/// The row of an empty [`Slot`]; rows from it on are kept in the wide map.
const VACANT: u32 = u32::MAX;

impl Slot {
    const EMPTY: Slot = Slot {
        key: [0; 3],
        row: VACANT,
    };

    fn key_of(fp: u128) -> [u32; 3] {
        [fp as u32, (fp >> 32) as u32, (fp >> 64) as u32]
    }
}

impl Shard {
    /// The slot where the probe of `fp` starts: its low 64 bits scaled to
    /// the table's size (any size, not only a power of two, so that a
    /// table sized for a file is no larger than it needs: a million-row
    /// column's takes 24 MB, where the next power of two took 32; no
    /// faster, measured).
    fn home(&self, fp: u128) -> usize {
        home_in(fp as u64, self.slots.len())
    }

    /// The slot after `i`.
    fn next(&self, i: usize) -> usize {
        if i + 1 == self.slots.len() {
            0
        } else {
            i + 1
        }
    }

    /// Room for `more` values at a load of at most 3/4.
    fn reserve(&mut self, more: usize) {
        let need = self.len + more;
        if need * 4 <= self.slots.len() * 3 {
            return;
        }
        // The first reservation is the file's estimate, taken as it is; a
        // table that outgrows it at least doubles, so that values arriving
        // a batch at a time are copied a bounded number of times.
        let size = (need * 4 / 3 + 1).max(self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![Slot::EMPTY; size]);
        for s in old.into_iter().filter(|s| s.row != VACANT) {
            let mut i = home_in(u64::from(s.key[0]) | (u64::from(s.key[1]) << 32), size);
            while self.slots[i].row != VACANT {
                i = self.next(i);
            }
            self.slots[i] = s;
        }
    }

    /// The first row of `fp`, recording `row` when it is new. Needs room
    /// for one more value ([`reserve`](Self::reserve)).
    fn first_of(&mut self, fp: u128, row: u64) -> Option<u64> {
        let key = Slot::key_of(fp);
        let mut i = self.home(fp);
        loop {
            let s = self.slots[i];
            if s.row == VACANT {
                break;
            }
            if s.key == key {
                return Some(u64::from(s.row));
            }
            i = self.next(i);
        }
        if !self.wide.is_empty() {
            if let Some(&first) = self.wide.get(&fp) {
                return Some(first);
            }
        }
        match u32::try_from(row) {
            Ok(narrow) if narrow != VACANT => {
                self.slots[i] = Slot { key, row: narrow };
                self.len += 1;
            }
            _ => {
                self.wide.insert(fp, row);
            }
        }
        None
    }
}

/// The slot of `hash` in a table of `size` slots (Lemire's multiply-shift).
fn home_in(hash: u64, size: usize) -> usize {
    ((u128::from(hash) * size as u128) >> 64) as usize
}

/// Shards of a [`FirstSeen`]: a power of two.
const SHARDS: usize = 16;

impl Default for FirstSeen {
    fn default() -> Self {
        FirstSeen {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
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
        let shard = &mut self.shards[shard_of(fp)];
        shard.reserve(1);
        shard.first_of(fp, row)
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
            .map(|(shard, entries)| {
                shard.reserve(entries.len());
                entries
                    .iter()
                    .filter_map(|&i| {
                        let (fp, row) = batch[i as usize];
                        shard.first_of(fp, row).map(|f| (i, f))
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
        self.shards.iter().map(|s| s.len + s.wide.len()).sum()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.shards
            .iter()
            .all(|s| s.len == 0 && s.wide.is_empty())
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

    #[test]
    fn rows_past_32_bits_are_kept_whole() {
        let big = u64::from(u32::MAX) + 10;
        let mut s = FirstSeen::default();
        assert_eq!(s.insert("A", 3), None);
        assert_eq!(s.insert("B", big), None);
        assert_eq!(s.insert("A", big + 1), Some(3));
        assert_eq!(s.insert("B", big + 2), Some(big));
        assert_eq!(s.insert("C", big + 3), None);
        assert_eq!(s.insert("C", 4), Some(big + 3));
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn a_slot_takes_16_bytes() {
        assert_eq!(std::mem::size_of::<Slot>(), 16);
    }

    #[test]
    fn the_table_grows_and_finds_every_value() {
        let mut s = FirstSeen::default();
        for v in 0..10_000u32 {
            assert_eq!(s.insert(&v, u64::from(v)), None);
        }
        for v in 0..10_000u32 {
            assert_eq!(s.insert(&v, 99_999), Some(u64::from(v)));
        }
        assert_eq!(s.len(), 10_000);
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
