//! Evaluation against labels: precision, recall and F1 of the `match`
//! links of one source, at the chosen thresholds and over a range of
//! probability thresholds.
//!
//! The truth file has a row per extract record (`ROW`, `ID_PERSONA`; an
//! empty `ID_PERSONA` is a non-resident, who must stay unmatched). A link is
//! a true positive when its person is the truth's; a wrong person or a
//! linked non-resident is a false positive; a resident not linked to the
//! right person is a false negative.

use std::collections::BTreeMap;
use std::path::Path;

use crate::output::from_spreadsheet_safe;
use miette::{miette, IntoDiagnostic, WrapErr};

/// One row of links.csv, as eval needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkRecord {
    /// The source.
    pub source: String,
    /// Data row.
    pub row: u64,
    /// Linked person (empty when unmatched).
    pub person: String,
    /// `match`, `review`, `unmatched`.
    pub status: String,
    /// The tier.
    pub tier: String,
    /// Probability (None when there was no candidate).
    pub probability: Option<f64>,
}

/// The scores.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    /// Right person linked.
    pub true_positives: u64,
    /// Wrong person or a non-resident linked.
    pub false_positives: u64,
    /// Residents not linked to the right person.
    pub false_negatives: u64,
    /// Rows in review.
    pub review: u64,
    /// Rows in the truth.
    pub rows: u64,
    /// Non-residents in the truth.
    pub non_residents: u64,
}

impl Scores {
    /// TP / (TP + FP) (1 when nothing was linked).
    pub fn precision(&self) -> f64 {
        let d = self.true_positives + self.false_positives;
        if d == 0 {
            1.0
        } else {
            self.true_positives as f64 / d as f64
        }
    }

    /// TP / (TP + FN) (1 when there is nothing to find).
    pub fn recall(&self) -> f64 {
        let d = self.true_positives + self.false_negatives;
        if d == 0 {
            1.0
        } else {
            self.true_positives as f64 / d as f64
        }
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Reads a truth file: row → person (None for a non-resident).
pub fn read_truth(path: &Path) -> miette::Result<BTreeMap<u64, Option<String>>> {
    let mut r = csv::Reader::from_path(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the truth file {}", path.display()))?;
    let headers = r.headers().into_diagnostic()?.clone();
    let col = |n: &str| {
        headers.iter().position(|h| h == n).ok_or_else(|| {
            miette!(
                code = "vaglio::eval::truth",
                help =
                    "a truth file has the columns ROW,KEY,ID_PERSONA (as vaglio demo writes them)",
                "{}: no column {n}",
                path.display()
            )
        })
    };
    let (row_c, id_c) = (col("ROW")?, col("ID_PERSONA")?);
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec
            .into_diagnostic()
            .wrap_err_with(|| format!("in {}", path.display()))?;
        let row: u64 = rec
            .get(row_c)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| miette!("{}: a ROW is not a number", path.display()))?;
        let id = from_spreadsheet_safe(rec.get(id_c).unwrap_or("")).trim();
        out.insert(row, (!id.is_empty()).then(|| id.to_string()));
    }
    Ok(out)
}

/// Reads links.csv.
pub fn read_links(path: &Path) -> miette::Result<Vec<LinkRecord>> {
    let mut r = csv::Reader::from_path(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the links file {}", path.display()))?;
    let headers = r.headers().into_diagnostic()?.clone();
    let col = |n: &str| {
        headers.iter().position(|h| h == n).ok_or_else(|| {
            miette!(
                code = "vaglio::eval::links",
                help = "give the links.csv that vaglio link wrote",
                "{}: no column {n}",
                path.display()
            )
        })
    };
    let (s, rw, p, st, t, pr) = (
        col("source")?,
        col("row")?,
        col("person")?,
        col("status")?,
        col("tier")?,
        col("probability")?,
    );
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec
            .into_diagnostic()
            .wrap_err_with(|| format!("in {}", path.display()))?;
        let g = |i: usize| from_spreadsheet_safe(rec.get(i).unwrap_or("")).to_string();
        out.push(LinkRecord {
            source: g(s),
            row: g(rw).parse().unwrap_or(0),
            person: g(p),
            status: g(st),
            tier: g(t),
            probability: g(pr).parse().ok(),
        });
    }
    Ok(out)
}

/// Scores the links of one source. With `threshold`, a link counts when
/// it has a person and either came from a deterministic tier or has at
/// least that probability; without, when its status is `match`.
pub fn evaluate(
    truth: &BTreeMap<u64, Option<String>>,
    links: &[LinkRecord],
    threshold: Option<f64>,
) -> Scores {
    let by_row: BTreeMap<u64, &LinkRecord> = links.iter().map(|l| (l.row, l)).collect();
    let mut s = Scores::default();
    for (row, want) in truth {
        s.rows += 1;
        if want.is_none() {
            s.non_residents += 1;
        }
        let link = by_row.get(row);
        if link.is_some_and(|l| l.status == "review") {
            s.review += 1;
        }
        let linked: Option<&str> = link.and_then(|l| {
            let yes = match threshold {
                None => l.status == "match",
                Some(t) => {
                    !l.person.is_empty()
                        && (l.tier != "probabilistic" || l.probability.is_some_and(|p| p >= t))
                }
            };
            (yes && !l.person.is_empty()).then_some(l.person.as_str())
        });
        match (want, linked) {
            (Some(w), Some(l)) if w == l => s.true_positives += 1,
            (Some(_), Some(_)) => {
                s.false_positives += 1;
                s.false_negatives += 1;
            }
            (None, Some(_)) => s.false_positives += 1,
            (Some(_), None) => s.false_negatives += 1,
            (None, None) => {}
        }
    }
    s
}

/// The model's own estimate of its errors, without labels (as fastLink
/// does): among the records decided `match`, the expected number of false
/// matches is Σ (1 − p); among the others, the expected number of missed
/// matches is Σ p of their best candidate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Estimate {
    /// Records decided `match`.
    pub linked: u64,
    /// Records not decided `match`.
    pub not_linked: u64,
    /// Expected false matches among the linked.
    pub expected_false: f64,
    /// Expected true matches among the not linked.
    pub expected_missed: f64,
}

impl Estimate {
    /// Expected share of the links that are wrong.
    pub fn false_match_rate(&self) -> f64 {
        if self.linked == 0 {
            0.0
        } else {
            self.expected_false / self.linked as f64
        }
    }

    /// Expected share of the true matches that were not linked.
    pub fn missed_match_rate(&self) -> f64 {
        let found = self.linked as f64 - self.expected_false;
        let all = found + self.expected_missed;
        if all <= 0.0 {
            0.0
        } else {
            self.expected_missed / all
        }
    }
}

/// Estimates the error rates of one source's links from their
/// probabilities.
pub fn estimate(links: &[LinkRecord]) -> Estimate {
    let mut e = Estimate::default();
    for l in links {
        let p = l.probability.unwrap_or(0.0).clamp(0.0, 1.0);
        if l.status == "match" {
            e.linked += 1;
            e.expected_false += 1.0 - p;
        } else {
            e.not_linked += 1;
            e.expected_missed += p;
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(row: u64, person: &str, status: &str, p: f64) -> LinkRecord {
        LinkRecord {
            source: "s".into(),
            row,
            person: person.into(),
            status: status.into(),
            tier: "probabilistic".into(),
            probability: Some(p),
        }
    }

    #[test]
    fn scores() {
        let truth: BTreeMap<u64, Option<String>> = [
            (1, Some("10".to_string())),
            (2, Some("20".to_string())),
            (3, None),
            (4, Some("40".to_string())),
        ]
        .into_iter()
        .collect();
        let links = vec![
            link(1, "10", "match", 0.99),
            link(2, "21", "match", 0.97),
            link(3, "30", "review", 0.6),
            link(4, "40", "review", 0.7),
        ];
        let s = evaluate(&truth, &links, None);
        assert_eq!(
            (s.true_positives, s.false_positives, s.false_negatives),
            (1, 1, 2)
        );
        assert!((s.precision() - 0.5).abs() < 1e-12);
        let s = evaluate(&truth, &links, Some(0.65));
        assert_eq!(
            (s.true_positives, s.false_positives, s.false_negatives),
            (2, 1, 1)
        );
    }

    #[test]
    fn estimate_without_labels() {
        let rec = |status: &str, p: Option<f64>| LinkRecord {
            source: "s".into(),
            row: 1,
            person: String::new(),
            status: status.into(),
            tier: "probabilistic".into(),
            probability: p,
        };
        let e = estimate(&[
            rec("match", Some(1.0)),
            rec("match", Some(0.9)),
            rec("review", Some(0.6)),
            rec("unmatched", Some(0.1)),
            rec("unmatched", None),
        ]);
        assert_eq!((e.linked, e.not_linked), (2, 3));
        assert!((e.expected_false - 0.1).abs() < 1e-9);
        assert!((e.expected_missed - 0.7).abs() < 1e-9);
        assert!((e.false_match_rate() - 0.05).abs() < 1e-9);
        assert!((e.missed_match_rate() - 0.7 / 2.6).abs() < 1e-9);
    }
}
