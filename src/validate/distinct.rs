//! Counting distinct values in bounded memory: exact up to a limit, then a
//! HyperLogLog estimate (about 1.6% standard error).

use std::collections::HashSet;

/// Exact distinct values kept before switching to an estimate.
const EXACT_LIMIT: usize = 50_000;
/// HyperLogLog precision: 2^12 registers.
const P: u32 = 12;
const M: usize = 1 << P;

/// A distinct-value counter fed with 64-bit hashes.
#[derive(Clone, Debug)]
pub struct DistinctCounter {
    exact: Option<HashSet<u64, foldhash::fast::FixedState>>,
    registers: Vec<u8>,
}

impl Default for DistinctCounter {
    fn default() -> Self {
        DistinctCounter {
            exact: Some(HashSet::default()),
            registers: Vec::new(),
        }
    }
}

impl DistinctCounter {
    /// Adds a value by its hash.
    pub fn insert(&mut self, hash: u64) {
        if let Some(set) = &mut self.exact {
            set.insert(hash);
            if set.len() > EXACT_LIMIT {
                let hashes: Vec<u64> = set.iter().copied().collect();
                self.exact = None;
                self.registers = vec![0; M];
                for h in hashes {
                    self.add_hll(h);
                }
            }
        } else {
            self.add_hll(hash);
        }
    }

    fn add_hll(&mut self, hash: u64) {
        // Callers' hashes need not be well mixed in their high bits.
        let hash = mix(hash);
        let idx = (hash >> (64 - P)) as usize;
        let rest = (hash << P) | (1 << (P - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if let Some(r) = self.registers.get_mut(idx) {
            if rank > *r {
                *r = rank;
            }
        }
    }

    /// The count, and whether it is exact.
    pub fn count(&self) -> (u64, bool) {
        if let Some(set) = &self.exact {
            return (set.len() as u64, true);
        }
        let m = M as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self.registers.iter().map(|&r| 2f64.powi(-(r as i32))).sum();
        let mut estimate = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        if estimate <= 2.5 * m && zeros > 0 {
            estimate = m * (m / zeros as f64).ln();
        }
        (estimate.round() as u64, false)
    }
}

/// The splitmix64 finaliser: spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    fn h(i: u64) -> u64 {
        foldhash::fast::FixedState::with_seed(1).hash_one(i)
    }

    #[test]
    fn exact_when_small() {
        let mut c = DistinctCounter::default();
        for i in 0..1000 {
            c.insert(h(i % 300));
        }
        assert_eq!(c.count(), (300, true));
    }

    #[test]
    fn estimate_when_large() {
        let mut c = DistinctCounter::default();
        for i in 0..200_000 {
            c.insert(h(i));
        }
        let (n, exact) = c.count();
        assert!(!exact);
        let err = (n as f64 - 200_000.0).abs() / 200_000.0;
        assert!(err < 0.05, "estimate {n}");
    }
}
