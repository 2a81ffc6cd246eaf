//! The Fellegi–Sunter model: per comparison level the probability `m` of
//! the level among true matches and `u` among random pairs; a pair's match
//! weight is `log2(λ/(1-λ)) + Σ log2(m/u)` (null levels add nothing).
//!
//! `u` comes from seeded random sampling of extract × anagrafe pairs, `m`
//! from EM on the counts of agreement patterns of the blocked pairs (a few
//! hundred distinct patterns, however many pairs: fast, and deterministic
//! since patterns are visited in order), `λ` from the deterministic tiers'
//! match count. Every probability is smoothed with a pseudo-count, so a
//! level never seen does not produce a log of zero.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::compare::{level_of, Pattern};
use super::spec::ComparisonSpec;

/// One level's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelParams {
    /// The level's name.
    pub level: String,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match).
    pub u: f64,
}

impl LevelParams {
    /// log2(m/u).
    pub fn weight(&self) -> f64 {
        (self.m.max(1e-12) / self.u.max(1e-12)).log2()
    }
}

/// One comparison's parameters (index 0 is the null level, which weighs
/// nothing and is not listed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparisonParams {
    /// The attribute compared.
    pub field: String,
    /// Whether exact agreement is adjusted by term frequency.
    pub term_frequency: bool,
    /// Levels 1.. in order.
    pub levels: Vec<LevelParams>,
}

/// A trained model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// λ: the probability that two random records are the same person.
    pub prior: f64,
    /// Per comparison, in the order of the rule file.
    pub comparisons: Vec<ComparisonParams>,
    /// EM iterations run.
    pub em_iterations: usize,
    /// Whether EM converged before its iteration limit.
    pub em_converged: bool,
    /// Random pairs sampled for u.
    pub u_pairs: usize,
}

impl Model {
    /// The weight of the prior, log2(λ/(1-λ)).
    pub fn prior_weight(&self) -> f64 {
        let l = self.prior.clamp(1e-15, 1.0 - 1e-12);
        (l / (1.0 - l)).log2()
    }

    /// The weight of level `level` of comparison `c` (0 for the null level).
    pub fn level_weight(&self, c: usize, level: u8) -> f64 {
        if level == 0 {
            return 0.0;
        }
        self.comparisons
            .get(c)
            .and_then(|cp| cp.levels.get(usize::from(level) - 1))
            .map_or(0.0, LevelParams::weight)
    }

    /// The weight of a pattern, without term-frequency adjustments.
    pub fn pattern_weight(&self, p: Pattern) -> f64 {
        self.prior_weight()
            + (0..self.comparisons.len())
                .map(|c| self.level_weight(c, level_of(p, c)))
                .sum::<f64>()
    }

    /// Whether the model fits the comparisons of a rule file.
    pub fn fits(&self, specs: &[ComparisonSpec]) -> bool {
        self.comparisons.len() == specs.len()
            && self.comparisons.iter().zip(specs).all(|(c, s)| {
                c.field == s.attr.name() && c.levels.len() + 1 == s.kind.levels().len()
            })
    }
}

/// Probability from a match weight.
pub fn probability(weight: f64) -> f64 {
    let p = 2f64.powf(weight);
    if p.is_infinite() {
        1.0
    } else {
        p / (1.0 + p)
    }
}

/// Smoothed level probabilities from counts of levels 1.. (`counts[0]`, the
/// null level, is ignored): `(c + α) / (n + α·L)`.
pub fn smooth(counts: &[f64], alpha: f64) -> Vec<f64> {
    let l = counts.len().saturating_sub(1).max(1) as f64;
    let n: f64 = counts.iter().skip(1).sum();
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i == 0 {
                1.0
            } else {
                (c + alpha) / (n + alpha * l)
            }
        })
        .collect()
}

/// Bits the swapped level of a name comparison weighs less than its exact
/// level: a record with surname and name exchanged scores as one whose
/// names agree, a little lower, so that a resident whose names agree as
/// written wins over one who agrees only crosswise by more than the
/// default tie margin (two name comparisons, two bits).
pub const SWAPPED_BELOW_EXACT: f64 = 1.0;

/// Sets m of the swapped level of a name comparison (`m`, `u` indexed by
/// level, 0 the null level) so that it weighs [`SWAPPED_BELOW_EXACT`] bits
/// less than exact agreement. Learned, it would be noise: a swap is rare
/// in any extract, so EM sees none or a handful, and its weight comes out
/// anywhere from a few bits (never seen) to above exact agreement (u of a
/// crosswise agreement among random pairs is tiny).
pub fn tie_swapped_to_exact(m: &mut [f64], u: &[f64]) {
    use super::compare::name_level::{EXACT, SWAPPED};
    let (e, s) = (usize::from(EXACT), usize::from(SWAPPED));
    if let (Some(&m_exact), Some(&u_exact), Some(&u_swapped)) = (m.get(e), u.get(e), u.get(s)) {
        if let Some(m_swapped) = m.get_mut(s) {
            let ratio = m_exact.max(1e-12) / u_exact.max(1e-12);
            *m_swapped = (u_swapped * ratio / SWAPPED_BELOW_EXACT.exp2()).min(1.0);
        }
    }
}

/// What EM found.
#[derive(Clone, Debug)]
pub struct EmResult {
    /// m per comparison per level (index 0 = null level, 1.0).
    pub m: Vec<Vec<f64>>,
    /// u per comparison per level, among the pairs EM saw.
    pub u: Vec<Vec<f64>>,
    /// Share of matches among the pairs.
    pub lambda: f64,
    /// Expected number of matching pairs at each level (from the last
    /// E-step).
    pub m_counts: Vec<Vec<f64>>,
    /// Iterations run.
    pub iterations: usize,
    /// Whether the parameters stopped moving.
    pub converged: bool,
}

/// EM on pattern counts. `n_levels[c]` counts the levels of comparison `c`
/// (null included); `m`, `u` start values; `lambda` the starting share of
/// matches. Both m and u are estimated (u among blocked pairs differs from
/// u among random pairs: blocking makes agreement common).
pub fn em(
    counts: &BTreeMap<Pattern, u64>,
    n_levels: &[usize],
    mut m: Vec<Vec<f64>>,
    mut u: Vec<Vec<f64>>,
    mut lambda: f64,
    max_iterations: usize,
) -> EmResult {
    let k = n_levels.len();
    let mut iterations = 0;
    let mut converged = false;
    let alpha = 0.01;
    let mut m_counts: Vec<Vec<f64>> = n_levels.iter().map(|&n| vec![0.0; n]).collect();
    while iterations < max_iterations {
        iterations += 1;
        let mut mc: Vec<Vec<f64>> = n_levels.iter().map(|&n| vec![0.0; n]).collect();
        let mut uc = mc.clone();
        let (mut gm, mut total) = (0.0, 0.0);
        for (&p, &n) in counts {
            let n = n as f64;
            let (mut pm, mut pu) = (lambda, 1.0 - lambda);
            for c in 0..k {
                let l = usize::from(level_of(p, c));
                if l == 0 || l >= n_levels[c] {
                    continue;
                }
                pm *= m[c][l];
                pu *= u[c][l];
            }
            let g = if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 };
            gm += n * g;
            total += n;
            for c in 0..k {
                let l = usize::from(level_of(p, c));
                if l < n_levels[c] {
                    mc[c][l] += n * g;
                    uc[c][l] += n * (1.0 - g);
                }
            }
        }
        if total == 0.0 {
            break;
        }
        let new_lambda = (gm / total).clamp(1e-9, 1.0 - 1e-9);
        m_counts.clone_from(&mc);
        let new_m: Vec<Vec<f64>> = mc.iter().map(|c| smooth(c, alpha)).collect();
        let new_u: Vec<Vec<f64>> = uc.iter().map(|c| smooth(c, alpha)).collect();
        let delta = new_m
            .iter()
            .flatten()
            .zip(m.iter().flatten())
            .chain(new_u.iter().flatten().zip(u.iter().flatten()))
            .map(|(a, b)| (a - b).abs())
            .fold((new_lambda - lambda).abs(), f64::max);
        m = new_m;
        u = new_u;
        lambda = new_lambda;
        if delta < 1e-7 {
            converged = true;
            break;
        }
    }
    EmResult {
        m,
        u,
        lambda,
        m_counts,
        iterations,
        converged,
    }
}

/// Starting m for a comparison with `n` levels (null included): most mass
/// on exact agreement, decreasing, a little on disagreement.
pub fn initial_m(n: usize) -> Vec<f64> {
    let mut v = vec![1.0; n];
    if n < 2 {
        return v;
    }
    let rest = n - 2; // levels between exact and else
    v[1] = 0.9;
    for (i, x) in v.iter_mut().enumerate().skip(2) {
        *x = if i == n - 1 { 0.02 } else { 0.08 / rest as f64 };
    }
    v
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;

    /// Draws pattern counts from known parameters (exact expectations, no
    /// sampling noise) and checks that EM recovers them.
    #[test]
    fn em_recovers_known_parameters() {
        let m_true = [
            vec![1.0, 0.9, 0.07, 0.03],
            vec![1.0, 0.85, 0.15],
            vec![1.0, 0.8, 0.15, 0.05],
        ];
        let u_true = [
            vec![1.0, 0.05, 0.15, 0.8],
            vec![1.0, 0.2, 0.8],
            vec![1.0, 0.1, 0.2, 0.7],
        ];
        let lambda_true: f64 = 0.2;
        let n_levels = [4usize, 3, 4];
        let total: f64 = 1_000_000.0;
        let mut counts = BTreeMap::new();
        for a in 1..4u64 {
            for b in 1..3u64 {
                for c in 1..4u64 {
                    let pm = lambda_true
                        * m_true[0][a as usize]
                        * m_true[1][b as usize]
                        * m_true[2][c as usize];
                    let pu = (1.0 - lambda_true)
                        * u_true[0][a as usize]
                        * u_true[1][b as usize]
                        * u_true[2][c as usize];
                    let p = a | (b << 4) | (c << 8);
                    counts.insert(p, ((pm + pu) * total).round() as u64);
                }
            }
        }
        let m0: Vec<Vec<f64>> = n_levels.iter().map(|&n| initial_m(n)).collect();
        let u0: Vec<Vec<f64>> = n_levels
            .iter()
            .map(|&n| {
                let mut v = vec![1.0; n];
                for x in v.iter_mut().skip(1) {
                    *x = 1.0 / (n - 1) as f64;
                }
                v
            })
            .collect();
        let r = em(&counts, &n_levels, m0, u0, 0.5, 1000);
        assert!((r.lambda - lambda_true).abs() < 0.01, "lambda {}", r.lambda);
        for c in 0..3 {
            for l in 1..n_levels[c] {
                assert!(
                    (r.m[c][l] - m_true[c][l]).abs() < 0.02,
                    "m[{c}][{l}] = {} vs {}",
                    r.m[c][l],
                    m_true[c][l]
                );
                assert!(
                    (r.u[c][l] - u_true[c][l]).abs() < 0.02,
                    "u[{c}][{l}] = {} vs {}",
                    r.u[c][l],
                    u_true[c][l]
                );
            }
        }
    }

    #[test]
    fn a_level_never_seen_has_a_finite_weight() {
        // Level 2 of comparison 0 never occurs.
        let mut counts = BTreeMap::new();
        counts.insert(1u64 | (1 << 4), 50u64);
        counts.insert(3u64 | (2 << 4), 5000u64);
        let n_levels = [4usize, 3];
        let r = em(
            &counts,
            &n_levels,
            n_levels.iter().map(|&n| initial_m(n)).collect(),
            n_levels.iter().map(|&n| vec![1.0 / n as f64; n]).collect(),
            0.1,
            100,
        );
        for c in 0..2 {
            for l in 1..n_levels[c] {
                assert!(r.m[c][l] > 0.0 && r.u[c][l] > 0.0);
                assert!((r.m[c][l] / r.u[c][l]).log2().is_finite());
            }
        }
        let s = smooth(&[0.0, 0.0, 10.0], 0.5);
        assert!(s[1] > 0.0 && s[1].log2().is_finite());
    }

    #[test]
    fn the_swapped_level_weighs_a_bit_less_than_exact() {
        use crate::link::compare::name_level::{EXACT, SWAPPED};
        let weight = |m: f64, u: f64| (m / u).log2();
        let u = [1.0, 0.002, 0.0001, 2.5e-6, 0.0004, 0.004, 0.99];
        // Learned above exact agreement (demo-like), or never seen.
        for m_swapped in [0.005, 1e-5] {
            let mut m = [1.0, 0.95, 0.02, m_swapped, 0.01, 0.005, 0.01];
            tie_swapped_to_exact(&mut m, &u);
            let (e, s) = (usize::from(EXACT), usize::from(SWAPPED));
            let gap = weight(m[e], u[e]) - weight(m[s], u[s]);
            assert!((gap - SWAPPED_BELOW_EXACT).abs() < 1e-9, "{gap}");
            assert_eq!(m[e], 0.95, "exact agreement unchanged");
        }
    }

    #[test]
    fn probability_of_weights() {
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!(probability(2000.0) == 1.0);
        assert!(probability(-2000.0) == 0.0);
    }
}
