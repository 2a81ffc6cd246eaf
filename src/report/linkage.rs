//! The linkage section of a source's report, as plain data: how many
//! records were linked and how (per status and tier), the distribution of
//! match weights against the thresholds, the model's parameters, a few
//! examples of how a score was built (values masked), and why records were
//! not linked. It goes into `summary.json` (per source, `linkage`) and is
//! drawn by the HTML report.
//!
//! Counts here are exact; the HTML report suppresses small counts of people
//! ([`crate::privacy::suppress`]) when it shows them.

use serde::{Deserialize, Serialize};

use crate::link::decide::LinkNotes;
use crate::link::explain::{ScoreBreakdown, ScoreStep};
use crate::link::model::ComparisonParams;
use crate::link::tier::LinkTier;
use crate::link::{LinkRow, Linkage, Status};
use crate::messages::{self, Lang, LevelShown};

/// The tier of records matched by the model.
pub const TIER_PROBABILISTIC: LinkTier = LinkTier::Probabilistic;
/// The tier of records decided by a reviewer (`vaglio run --decisions`).
pub const TIER_DECISION: LinkTier = LinkTier::Decision;

/// Why a record is not linked (or only in review), as a stable code.
pub mod reason {
    /// A reviewer rejected the link.
    pub const DECISION: &str = "decision";
    /// The record's codice fiscale is another resident's.
    pub const CF_OF_OTHER_RESIDENT: &str = "cf_of_other_resident";
    /// The two best candidates are within the tie margin.
    pub const NEAR_TIE: &str = "near_tie";
    /// No blocking rule found a resident to compare.
    pub const NO_CANDIDATE: &str = "no_candidate";
    /// The best candidate's probability is in the review band.
    pub const REVIEW_BAND: &str = "review_band";
    /// The best candidate's probability is below the review threshold.
    pub const BELOW_THRESHOLD: &str = "below_threshold";
    /// Every reason, in the order reports list them.
    pub const ALL: [&str; 6] = [
        DECISION,
        CF_OF_OTHER_RESIDENT,
        NEAR_TIE,
        NO_CANDIDATE,
        REVIEW_BAND,
        BELOW_THRESHOLD,
    ];
}

/// The most bins a weight histogram has.
pub const MAX_BINS: usize = 40;

/// The linkage of one source, for the reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkageReport {
    /// Extract records.
    pub records: u64,
    /// Residents in the anagrafe.
    pub residents: u64,
    /// Records linked (`match`).
    pub matched: u64,
    /// Records in review.
    pub review: u64,
    /// Records not linked.
    pub unmatched: u64,
    /// The match threshold, as a probability.
    pub match_threshold: f64,
    /// The review threshold, as a probability.
    pub review_threshold: f64,
    /// The match threshold as a match weight (bits).
    pub match_weight: f64,
    /// The review threshold as a match weight (bits).
    pub review_weight: f64,
    /// The deterministic tiers, in order.
    pub tiers: Vec<String>,
    /// Outcome per tier: the deterministic tiers in order, then
    /// `probabilistic`, then `decision` when a reviewer decided.
    pub by_tier: Vec<TierOutcome>,
    /// Match weights of the records that had a candidate.
    pub weights: WeightHistogram,
    /// The Fellegi–Sunter model.
    pub model: ModelReport,
    /// How a few scores were built (values masked unless `--show-pii`).
    pub examples: Vec<ScoreExample>,
    /// Whether the examples' values are masked (false with `--show-pii`).
    pub masked: bool,
    /// Why records are in review or not linked, per reason.
    pub reasons: Vec<ReasonCount>,
    /// Pairs per blocking rule.
    pub blocking: Vec<BlockingRule>,
}

/// The records of one tier, by outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierOutcome {
    /// The tier.
    pub tier: LinkTier,
    /// `deterministic`, `probabilistic` or `decision`.
    pub kind: String,
    /// Linked.
    pub matched: u64,
    /// In review.
    pub review: u64,
    /// Not linked.
    pub unmatched: u64,
}

/// A histogram of match weights, stacked by outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightHistogram {
    /// The width of a bin, in bits.
    pub width: f64,
    /// The bins, by increasing weight.
    pub bins: Vec<WeightBin>,
    /// Records without a weight (no candidate).
    pub without_weight: u64,
}

/// One bin of a [`WeightHistogram`]: weights in `[from, to)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightBin {
    /// Lower bound (included).
    pub from: f64,
    /// Upper bound (excluded).
    pub to: f64,
    /// Linked records.
    pub matched: u64,
    /// Records in review.
    pub review: u64,
    /// Records not linked.
    pub unmatched: u64,
}

impl WeightBin {
    /// Records in the bin.
    pub fn total(&self) -> u64 {
        self.matched + self.review + self.unmatched
    }
}

/// The model's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    /// λ: the probability that two random records are the same person.
    pub prior: f64,
    /// Its weight, log2(λ/(1-λ)).
    pub prior_weight: f64,
    /// m and u per comparison and level (the null level, which weighs
    /// nothing, is not listed).
    pub comparisons: Vec<ComparisonParams>,
    /// EM iterations.
    pub em_iterations: usize,
    /// Whether EM converged.
    pub em_converged: bool,
    /// Random pairs sampled for u.
    pub u_pairs: usize,
}

/// An example of how a record's score was built.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreExample {
    /// Why it was chosen: `probabilistic_match`, `review`,
    /// `below_threshold` or `deterministic_match`.
    pub case: String,
    /// The record's outcome.
    pub status: String,
    /// The tier that decided it.
    pub tier: LinkTier,
    /// Its notes.
    pub note: LinkNotes,
    /// The weight, step by step.
    pub score: ScoreBreakdown,
}

/// Records in review or not linked for one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// The reason (see [`reason`]).
    pub reason: String,
    /// Records in review for it.
    pub review: u64,
    /// Records not linked for it.
    pub unmatched: u64,
}

/// One blocking rule's pairs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingRule {
    /// The rule, as keys joined by `+`.
    pub rule: String,
    /// Pairs it produced.
    pub pairs: u64,
    /// Pairs no earlier rule produced.
    pub new_pairs: u64,
    /// Records whose block was over `max_block_size` and skipped.
    pub capped: u64,
}

/// The match weight of a probability: log2(p / (1 - p)).
pub fn weight_of(p: f64) -> f64 {
    let p = p.clamp(1e-15, 1.0 - 1e-15);
    (p / (1.0 - p)).log2()
}

/// The primary reason a record is in review or not linked, or `None` for a
/// match.
pub fn reason_of(r: &LinkRow) -> Option<&'static str> {
    if r.status == Status::Match {
        return None;
    }
    Some(if r.tier == TIER_DECISION {
        reason::DECISION
    } else if r.note.cf_of_other_resident && r.status == Status::Unmatched {
        reason::CF_OF_OTHER_RESIDENT
    } else if r.note.near_tie {
        reason::NEAR_TIE
    } else if r.note.cf_of_other_resident {
        reason::CF_OF_OTHER_RESIDENT
    } else if r.weight.is_none() {
        reason::NO_CANDIDATE
    } else if r.status == Status::Review {
        reason::REVIEW_BAND
    } else {
        reason::BELOW_THRESHOLD
    })
}

/// A step width from 0.5, 1, 2, 5, 10, 20, … bits such that `span` fits in
/// at most `max_bins` bins.
fn nice_width(span: f64, max_bins: usize) -> f64 {
    let max_bins = max_bins.max(1) as f64;
    let mut w = 0.5;
    let steps = [2.0, 2.0, 2.5];
    let mut i = 0;
    while span / w > max_bins && w < 1e12 {
        w *= steps[i % 3];
        i += 1;
    }
    w
}

/// Bins `weights` (with their outcome) into at most `max_bins` bins of a
/// round width; the range also covers `marks` (the thresholds), so that
/// they can be drawn on the chart. Non-finite weights are left out.
pub fn histogram(weights: &[(f64, Status)], marks: &[f64], max_bins: usize) -> Vec<WeightBin> {
    let finite = || {
        weights
            .iter()
            .map(|w| w.0)
            .chain(marks.iter().copied())
            .filter(|x| x.is_finite())
    };
    let (Some(min), Some(max)) = (finite().reduce(f64::min), finite().reduce(f64::max)) else {
        return Vec::new();
    };
    if weights.iter().all(|w| !w.0.is_finite()) {
        return Vec::new();
    }
    let width = nice_width(max - min, max_bins);
    let start = (min / width).floor() * width;
    // At most one bin more than asked (the range starts on a bin edge).
    let n = (((max - start) / width).floor() as usize + 1).clamp(1, max_bins.max(1) + 1);
    let mut bins: Vec<WeightBin> = (0..n)
        .map(|i| WeightBin {
            from: start + i as f64 * width,
            to: start + (i + 1) as f64 * width,
            matched: 0,
            review: 0,
            unmatched: 0,
        })
        .collect();
    for &(w, status) in weights {
        if !w.is_finite() {
            continue;
        }
        let i = (((w - start) / width).floor().max(0.0) as usize).min(n - 1);
        let b = &mut bins[i];
        match status {
            Status::Match => b.matched += 1,
            Status::Review => b.review += 1,
            Status::Unmatched => b.unmatched += 1,
        }
    }
    bins
}

/// One bar of a waterfall: a step's label and where it starts and ends.
#[derive(Clone, Debug, PartialEq)]
pub struct WaterfallBar {
    /// `prior` or the attribute, with its level.
    pub label: String,
    /// The level alone (empty for the prior).
    pub level: String,
    /// The running total before the step.
    pub from: f64,
    /// The running total after it.
    pub to: f64,
    /// The record's and the resident's value, as shown.
    pub values: (String, String),
}

/// The bars of a waterfall: the prior from zero, then each comparison's
/// partial weight from the running total. The last bar ends at the sum of
/// the steps, which is the final weight. Levels are named in `lang`.
pub fn waterfall(steps: &[ScoreStep], lang: Lang) -> Vec<WaterfallBar> {
    let mut total = 0.0;
    steps
        .iter()
        .map(|s| {
            let from = total;
            total += s.weight;
            WaterfallBar {
                label: match s.shown {
                    Some(LevelShown::Prior) => messages::prior(lang).to_string(),
                    _ => s.name.clone(),
                },
                level: s
                    .shown
                    .as_ref()
                    .map_or_else(|| s.level.clone(), |l| l.render(lang)),
                from,
                to: total,
                values: (s.record.clone(), s.resident.clone()),
            }
        })
        .collect()
}

impl LinkageReport {
    /// The report of a linkage, from its rows as linked. Examples show
    /// values masked unless `show_pii`.
    pub fn from_linkage(l: &Linkage, show_pii: bool) -> LinkageReport {
        let match_weight = weight_of(l.thresholds.matched);
        let review_weight = weight_of(l.thresholds.review);
        let model = ModelReport {
            prior: l.model.prior,
            prior_weight: l.model.prior_weight(),
            comparisons: l.model.comparisons.clone(),
            em_iterations: l.model.em_iterations,
            em_converged: l.model.em_converged,
            u_pairs: l.model.u_pairs,
        };
        let blocking = l
            .blocking_rules
            .iter()
            .enumerate()
            .map(|(i, rule)| BlockingRule {
                rule: rule.clone(),
                pairs: l.blocking.pairs.get(i).copied().unwrap_or(0),
                new_pairs: l.blocking.new_pairs.get(i).copied().unwrap_or(0),
                capped: l.blocking.capped.get(i).copied().unwrap_or(0),
            })
            .collect();
        let tiers: Vec<String> = l.tiers.iter().map(|t| t.name.to_string()).collect();
        // A few examples, one per case, the first in row order.
        let cases: [(&str, Pick); 4] = [
            ("probabilistic_match", |r, _| {
                r.status == Status::Match && r.tier == TIER_PROBABILISTIC
            }),
            ("review", |r, _| r.status == Status::Review),
            ("below_threshold", |r, _| {
                r.status == Status::Unmatched && r.weight.is_some()
            }),
            ("deterministic_match", |r, tiers| {
                r.status == Status::Match && tiers.iter().any(|t| t == r.tier.name())
            }),
        ];
        let mut examples = Vec::new();
        for (case, pick) in cases {
            let Some(i) = l.rows.iter().position(|r| pick(r, &tiers)) else {
                continue;
            };
            let r = &l.rows[i];
            if let Some(score) = l.breakdown(i, show_pii) {
                examples.push(ScoreExample {
                    case: case.to_string(),
                    status: r.status.name().to_string(),
                    tier: r.tier.clone(),
                    note: r.note,
                    score,
                });
            }
        }
        let mut report = LinkageReport {
            records: l.records as u64,
            residents: l.residents as u64,
            matched: 0,
            review: 0,
            unmatched: 0,
            match_threshold: l.thresholds.matched,
            review_threshold: l.thresholds.review,
            match_weight,
            review_weight,
            tiers,
            by_tier: Vec::new(),
            weights: WeightHistogram {
                width: 0.0,
                bins: Vec::new(),
                without_weight: 0,
            },
            model,
            examples,
            masked: !show_pii,
            reasons: Vec::new(),
            blocking,
        };
        report.recount(&l.rows);
        report
    }

    /// Names the examples' records as `keys` says (a pseudonym when the
    /// record key is personal).
    pub fn show_keys(&mut self, keys: &crate::privacy::KeyShown) {
        for e in &mut self.examples {
            e.score.key = keys.show(e.score.row, &e.score.key);
        }
    }

    /// Counts outcomes, tiers, weights and reasons again from `rows` (the
    /// rows after reviewers' decisions, in `vaglio run`). The model,
    /// examples and blocking figures stay those of the linkage.
    pub fn recount(&mut self, rows: &[LinkRow]) {
        let count = |s: Status| rows.iter().filter(|r| r.status == s).count() as u64;
        self.records = rows.len() as u64;
        self.matched = count(Status::Match);
        self.review = count(Status::Review);
        self.unmatched = count(Status::Unmatched);
        let mut by_tier: Vec<TierOutcome> = self
            .tiers
            .iter()
            .map(|t| tier_outcome(LinkTier::Rule(t.as_str().into()), "deterministic"))
            .collect();
        by_tier.push(tier_outcome(TIER_PROBABILISTIC, "probabilistic"));
        for r in rows {
            let at = match by_tier.iter().position(|t| t.tier == r.tier) {
                Some(i) => i,
                None => {
                    let kind = if r.tier == TIER_DECISION {
                        "decision"
                    } else {
                        "deterministic"
                    };
                    by_tier.push(tier_outcome(r.tier.clone(), kind));
                    by_tier.len() - 1
                }
            };
            let t = &mut by_tier[at];
            match r.status {
                Status::Match => t.matched += 1,
                Status::Review => t.review += 1,
                Status::Unmatched => t.unmatched += 1,
            }
        }
        self.by_tier = by_tier;
        let weights: Vec<(f64, Status)> = rows
            .iter()
            .filter_map(|r| r.weight.map(|w| (w, r.status)))
            .collect();
        let bins = histogram(&weights, &[self.match_weight, self.review_weight], MAX_BINS);
        self.weights = WeightHistogram {
            width: bins.first().map_or(0.0, |b| b.to - b.from),
            bins,
            without_weight: rows.iter().filter(|r| r.weight.is_none()).count() as u64,
        };
        let mut reasons: Vec<ReasonCount> = reason::ALL
            .iter()
            .map(|r| ReasonCount {
                reason: (*r).to_string(),
                review: 0,
                unmatched: 0,
            })
            .collect();
        for r in rows {
            let Some(why) = reason_of(r) else { continue };
            if let Some(c) = reasons.iter_mut().find(|c| c.reason == why) {
                match r.status {
                    Status::Review => c.review += 1,
                    _ => c.unmatched += 1,
                }
            }
        }
        reasons.retain(|c| c.review + c.unmatched > 0);
        self.reasons = reasons;
    }

    /// Percentage of records with `n`.
    pub fn percent(&self, n: u64) -> f64 {
        if self.records == 0 {
            0.0
        } else {
            n as f64 * 100.0 / self.records as f64
        }
    }
}

/// Whether a row (with the deterministic tiers' names) is a case of an
/// example.
type Pick = fn(&LinkRow, &[String]) -> bool;

fn tier_outcome(tier: LinkTier, kind: &str) -> TierOutcome {
    TierOutcome {
        tier,
        kind: kind.to_string(),
        matched: 0,
        review: 0,
        unmatched: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: Status, tier: &str, weight: Option<f64>, note: &str) -> LinkRow {
        LinkRow {
            row: 1,
            key: "1".into(),
            person: None,
            resident: None,
            status,
            tier: tier.into(),
            weight,
            probability: weight.map(crate::link::model::probability),
            note: LinkNotes::parse(note),
            runner_up: None,
        }
    }

    #[test]
    fn histogram_bins_cover_weights_and_marks() {
        let w = [
            (-10.2, Status::Unmatched),
            (-0.5, Status::Unmatched),
            (0.0, Status::Review),
            (3.9, Status::Review),
            (4.0, Status::Match),
            (25.0, Status::Match),
            (f64::NAN, Status::Match),
        ];
        let bins = histogram(&w, &[4.25, 0.0, 40.0], 40);
        // Range -10.2 … 40 (a mark): 50.2 bits, at most 40 bins → 2 bits.
        assert_eq!(bins.first().map(|b| b.to - b.from), Some(2.0));
        assert_eq!(bins.first().map(|b| b.from), Some(-12.0));
        assert!(bins.len() <= 40);
        assert!(bins.last().is_some_and(|b| b.from <= 40.0 && 40.0 < b.to));
        let total: u64 = bins.iter().map(WeightBin::total).sum();
        assert_eq!(total, 6, "NaN is left out");
        // [-12, -10) holds -10.2; [0, 2) holds 0.0 (lower bound included);
        // [2, 4) holds 3.9; [4, 6) holds 4.0.
        let at = |x: f64| bins.iter().find(|b| b.from <= x && x < b.to).cloned();
        assert_eq!(at(-10.2).map(|b| b.unmatched), Some(1));
        assert_eq!(at(-0.5).map(|b| b.unmatched), Some(1));
        assert_eq!(at(0.0).map(|b| (b.review, b.from)), Some((1, 0.0)));
        assert_eq!(at(3.9).map(|b| b.review), Some(1));
        assert_eq!(at(4.0).map(|b| (b.matched, b.from)), Some((1, 4.0)));
        // Contiguous bins.
        for p in bins.windows(2) {
            assert!((p[0].to - p[1].from).abs() < 1e-9);
        }
    }

    #[test]
    fn histogram_of_nothing_and_of_one_value() {
        assert!(histogram(&[], &[4.0, 0.0], 40).is_empty());
        let one = histogram(&[(1.0, Status::Match)], &[], 40);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].matched, 1);
        assert_eq!(nice_width(7.0, 40), 0.5);
        assert_eq!(nice_width(100.0, 40), 5.0);
        assert_eq!(nice_width(300.0, 40), 10.0);
    }

    #[test]
    fn waterfall_ends_at_the_final_weight() {
        let step = |name: &str, w: f64| ScoreStep {
            name: name.into(),
            level: "exact".into(),
            weight: w,
            record: "AAA".into(),
            resident: "AAA".into(),
            shown: None,
        };
        let steps = [
            step("prior", -17.5),
            step("codice_fiscale", 12.0),
            step("cognome", 8.25),
            step("data_nascita", -3.0),
        ];
        let bars = waterfall(&steps, Lang::En);
        assert_eq!(bars.len(), 4);
        assert_eq!((bars[0].from, bars[0].to), (0.0, -17.5));
        assert_eq!((bars[1].from, bars[1].to), (-17.5, -5.5));
        assert_eq!((bars[3].from, bars[3].to), (2.75, -0.25));
        let sum: f64 = steps.iter().map(|s| s.weight).sum();
        assert!((bars[3].to - sum).abs() < 1e-12);
        assert!(waterfall(&[], Lang::En).is_empty());
    }

    #[test]
    fn reasons_and_tiers_are_counted() {
        let rows = vec![
            row(Status::Match, "codice_fiscale", Some(30.0), ""),
            row(Status::Match, "probabilistic", Some(9.0), ""),
            row(
                Status::Review,
                "probabilistic",
                Some(9.0),
                crate::link::decide::NOTE_NEAR_TIE,
            ),
            row(Status::Review, "probabilistic", Some(2.0), ""),
            row(Status::Unmatched, "probabilistic", None, ""),
            row(
                Status::Unmatched,
                "probabilistic",
                Some(-8.0),
                crate::link::decide::NOTE_CF_OTHER,
            ),
            row(Status::Unmatched, "probabilistic", Some(-8.0), ""),
            row(Status::Unmatched, "decision", Some(9.0), ""),
        ];
        let mut r = LinkageReport {
            records: 0,
            residents: 10,
            matched: 0,
            review: 0,
            unmatched: 0,
            match_threshold: 0.95,
            review_threshold: 0.5,
            match_weight: weight_of(0.95),
            review_weight: weight_of(0.5),
            tiers: vec!["codice_fiscale".into(), "nome+data".into()],
            by_tier: Vec::new(),
            weights: WeightHistogram {
                width: 0.0,
                bins: Vec::new(),
                without_weight: 0,
            },
            model: ModelReport {
                prior: 0.001,
                prior_weight: -10.0,
                comparisons: Vec::new(),
                em_iterations: 1,
                em_converged: true,
                u_pairs: 0,
            },
            examples: Vec::new(),
            masked: true,
            reasons: Vec::new(),
            blocking: Vec::new(),
        };
        r.recount(&rows);
        assert_eq!((r.records, r.matched, r.review, r.unmatched), (8, 2, 2, 4));
        let tiers: Vec<(&str, &str, u64, u64, u64)> = r
            .by_tier
            .iter()
            .map(|t| {
                (
                    t.tier.name(),
                    t.kind.as_str(),
                    t.matched,
                    t.review,
                    t.unmatched,
                )
            })
            .collect();
        assert_eq!(
            tiers,
            [
                ("codice_fiscale", "deterministic", 1, 0, 0),
                ("nome+data", "deterministic", 0, 0, 0),
                ("probabilistic", "probabilistic", 1, 2, 3),
                ("decision", "decision", 0, 0, 1),
            ]
        );
        let reasons: Vec<(&str, u64, u64)> = r
            .reasons
            .iter()
            .map(|c| (c.reason.as_str(), c.review, c.unmatched))
            .collect();
        assert_eq!(
            reasons,
            [
                (reason::DECISION, 0, 1),
                (reason::CF_OF_OTHER_RESIDENT, 0, 1),
                (reason::NEAR_TIE, 1, 0),
                (reason::NO_CANDIDATE, 0, 1),
                (reason::REVIEW_BAND, 1, 0),
                (reason::BELOW_THRESHOLD, 0, 1),
            ]
        );
        assert_eq!(r.weights.without_weight, 1);
        let binned: u64 = r.weights.bins.iter().map(WeightBin::total).sum();
        assert_eq!(binned, 7);
        assert!((weight_of(0.5)).abs() < 1e-12);
        assert!((weight_of(0.95) - 4.2479).abs() < 1e-3);
    }
}
