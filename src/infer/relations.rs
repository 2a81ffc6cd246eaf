//! Candidate relation keys: the columns of a new extract whose values are
//! found in a column of the anagrafe or of another source of the project,
//! with the share found and the cardinality of the join, so that a data
//! team sees how the extract ties in before writing anything.
//!
//! Values are compared trimmed and in upper case; a codice fiscale in base
//! form (an omocode and its base agree). A side is `1` when its values
//! (nearly) never repeat: at most [`MAX_ROWS_PER_KEY`] rows a value, so that
//! the few residents whose codes share a base form leave the anagrafe's
//! codes a `1`. Not keys: dates, sex, names, amounts (`10.970,28`), columns
//! of fewer than [`MIN_DISTINCT`] distinct values, two columns of dense
//! serial numbers (`1, 2, 3…` on both sides overlap by chance), and joins
//! where both sides repeat (`n:n`: shared values, not a key) — but for two
//! columns of codici fiscali: the same people in two sources (a payer who
//! also declared an ISEE) tie them together however often each appears.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::NaiveDate;

use super::columns::{decode_cf, pct, Column, Kind};
use super::sample::Sample;

/// Fewest distinct values for a column to be a key.
pub const MIN_DISTINCT: usize = 10;

/// Least share of an extract column's values found in the other column.
pub const MIN_SHARE: f64 = 0.3;

/// Most rows a value, on average, for a side to count as `1`.
pub const MAX_ROWS_PER_KEY: f64 = 1.01;

/// One candidate relation key.
#[derive(Clone, Debug, PartialEq)]
pub struct Relation {
    /// The extract's column.
    pub column: String,
    /// The other table (`anagrafe`, a source's name).
    pub table: String,
    /// Its column.
    pub other_column: String,
    /// Share of the extract column's non-empty values found there.
    pub share: f64,
    /// Values found, and non-empty values.
    pub found: (usize, usize),
    /// `1:1`, `n:1` (many extract rows to one row there), `1:n`, or `n:n`
    /// (codici fiscali only).
    pub cardinality: &'static str,
}

/// A column's values as keys, and whether they repeat.
struct Keys {
    /// Key → rows holding it.
    counts: HashMap<String, u32>,
    /// Non-empty cells.
    present: usize,
    /// Dense serial numbers (`1…n` with few gaps).
    serial: bool,
    /// Amounts: numbers with a decimal separator.
    amount: bool,
    /// Most values are codici fiscali.
    codes: bool,
}

impl Keys {
    fn of(sample: &Sample, i: usize, today: NaiveDate) -> Keys {
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut present = 0usize;
        let mut numbers: Vec<u64> = Vec::new();
        let mut all_numbers = true;
        let mut amount = true;
        let mut separator = false;
        let mut codes = 0usize;
        for v in sample.cells(i).filter(|v| !v.is_empty()) {
            present += 1;
            if amount {
                let digits = v.strip_prefix('-').unwrap_or(v);
                amount = digits
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b',');
                separator |= digits.contains(['.', ',']);
            }
            if all_numbers {
                match v.parse::<u64>() {
                    Ok(n) if v.len() <= 9 => numbers.push(n),
                    _ => all_numbers = false,
                }
            }
            let (k, code) = key(v, today);
            codes += usize::from(code);
            *counts.entry(k).or_default() += 1;
        }
        let serial = all_numbers && !numbers.is_empty() && {
            let (lo, hi) = numbers
                .iter()
                .fold((u64::MAX, 0), |(l, h), &n| (l.min(n), h.max(n)));
            counts.len() as f64 / (hi - lo + 1) as f64 > 0.5
        };
        Keys {
            counts,
            present,
            serial,
            amount: amount && separator,
            codes: codes * 2 > present,
        }
    }

    fn unique(&self) -> bool {
        !self.counts.is_empty()
            && self.present as f64 / self.counts.len() as f64 <= MAX_ROWS_PER_KEY
    }
}

/// A value as a join key, and whether it is a codice fiscale.
fn key(v: &str, today: NaiveDate) -> (String, bool) {
    if v.len() >= 16 && v.len() <= 20 {
        if let Some(d) = decode_cf(v, today) {
            return (d.base.as_str().to_string(), true);
        }
    }
    (v.to_uppercase(), false)
}

/// The candidate relation keys between `sample` (its columns recognised as
/// `columns`) and every table of `others`, best first.
pub fn relations(
    sample: &Sample,
    columns: &[Column],
    others: &[&Sample],
    today: NaiveDate,
) -> Vec<Relation> {
    let mine: Vec<(usize, Keys)> = columns
        .iter()
        .filter(|c| {
            !matches!(
                c.kind,
                Kind::Date { .. }
                    | Kind::Sex
                    | Kind::Surname
                    | Kind::GivenName
                    | Kind::FullName { .. }
            )
        })
        .filter(|c| c.distinct >= MIN_DISTINCT)
        .map(|c| (c.index, Keys::of(sample, c.index, today)))
        .filter(|(_, k)| !k.amount)
        .collect();
    let mut out = Vec::new();
    for other in others {
        let theirs: Vec<(usize, Keys)> = (0..other.columns.len())
            .map(|j| (j, Keys::of(other, j, today)))
            .filter(|(_, k)| k.counts.len() >= MIN_DISTINCT && !k.amount)
            .collect();
        let sets: Vec<HashSet<&str>> = theirs
            .iter()
            .map(|(_, k)| k.counts.keys().map(String::as_str).collect())
            .collect();
        for (i, k) in &mine {
            for ((j, t), set) in theirs.iter().zip(&sets) {
                if k.serial && t.serial {
                    continue;
                }
                let found: usize = k
                    .counts
                    .iter()
                    .filter(|(v, _)| set.contains(v.as_str()))
                    .map(|(_, n)| *n as usize)
                    .sum();
                let share = if k.present == 0 {
                    0.0
                } else {
                    found as f64 / k.present as f64
                };
                if share < MIN_SHARE {
                    continue;
                }
                let cardinality = match (k.unique(), t.unique()) {
                    (true, true) => "1:1",
                    (false, true) => "n:1",
                    (true, false) => "1:n",
                    (false, false) if k.codes && t.codes => "n:n",
                    (false, false) => continue,
                };
                out.push(Relation {
                    column: sample.columns[*i].clone(),
                    table: other.name.clone(),
                    other_column: other.columns[*j].clone(),
                    share,
                    found: (found, k.present),
                    cardinality,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then_with(|| a.column.cmp(&b.column))
            .then_with(|| a.table.cmp(&b.table))
            .then_with(|| a.other_column.cmp(&b.other_column))
    });
    out
}

/// The relations as a plain-text table.
pub fn table(relations: &[Relation]) -> String {
    let mut out = String::new();
    if relations.is_empty() {
        out.push_str("no column shares its values with the anagrafe or another source\n");
        return out;
    }
    let rows: Vec<[String; 5]> = relations
        .iter()
        .map(|r| {
            [
                r.column.clone(),
                format!("{}.{}", r.table, r.other_column),
                format!("{:.1}%", r.share * 100.0),
                format!("{}/{}", r.found.0, r.found.1),
                r.cardinality.to_string(),
            ]
        })
        .collect();
    let head = ["column", "found in", "overlap", "values", "join"];
    let mut width = head.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut line = |cells: &[&str]| {
        let mut l = String::new();
        for (k, c) in cells.iter().enumerate() {
            let _ = write!(l, "{c:<w$}  ", w = width[k]);
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&head);
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        line(&cells);
    }
    out
}

/// The relations as TOML comments, for the head of a draft.
pub fn comments(relations: &[Relation]) -> String {
    let mut out = String::from(
        "# How this extract ties in: its columns whose values are found in the\n# anagrafe or another source (share of its values; join cardinality,\n# n:1 = many of its rows to one row there).\n",
    );
    if relations.is_empty() {
        out.push_str("#   none found\n");
    }
    for r in relations {
        let _ = writeln!(
            out,
            "#   {} → {}.{}: {} of its values, {}",
            r.column,
            r.table,
            r.other_column,
            pct(r.share),
            r.cardinality
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::columns::{recognise, NameTable};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default()
    }

    #[test]
    fn overlap_share_and_cardinality() {
        let people: Vec<Vec<String>> = (0..20)
            .map(|i| vec![format!("{}", 100 + i * 7), format!("F{:03}", i / 2)])
            .collect();
        let people: Vec<Vec<&str>> = people
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let anagrafe = Sample::from_rows("anagrafe", &["ID", "FAM"], &people);
        // Every person twice, plus four strangers; serial row numbers.
        let mut rows: Vec<Vec<String>> = Vec::new();
        for i in 0..24 {
            let person = if i < 20 { 100 + (i % 10) * 7 } else { 9000 + i };
            rows.push(vec![format!("{}", i + 1), person.to_string()]);
            rows.push(vec![format!("{}", i + 101), person.to_string()]);
        }
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let extract = Sample::from_rows("x", &["ROW", "WHO"], &rows);
        let cols = recognise(&extract, &NameTable::default(), today());
        let rel = relations(&extract, &cols, &[&anagrafe], today());
        assert_eq!(rel.len(), 1, "{rel:?}");
        assert_eq!(rel[0].column, "WHO");
        assert_eq!(rel[0].other_column, "ID");
        assert_eq!(rel[0].found, (40, 48));
        assert_eq!(rel[0].cardinality, "n:1");
        let t = table(&rel);
        assert!(
            t.contains("WHO     anagrafe.ID  83.3%    40/48   n:1"),
            "{t}"
        );
    }
}
