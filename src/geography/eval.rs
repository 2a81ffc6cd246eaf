//! Address-match precision and recall against a truth file, as `vaglio
//! demo` writes them (`truth/<source>.csv`: `ROW`, then `ADDRESS_STREET`,
//! `ADDRESS_CIVIC`, `ADDRESS_AREA`, `ADDRESS_ERRORS`).
//!
//! A matched row (level `civic`, `civic_normalised` or `street`) is correct
//! when its street is the truth's and its area, when it gives one, is the
//! truth's; else it is wrong. A row whose address names a street that is
//! not in the register (`unknown_street` in `ADDRESS_ERRORS`) must stay
//! unmatched: matched, it is wrong. Precision = correct / matched; recall =
//! correct / rows that can be matched (every row with a truth street but
//! the unknown streets).

use std::collections::BTreeMap;
use std::path::Path;

use miette::{Context, IntoDiagnostic};

use super::matching::{match_table, AddressColumns, Level, Match, Reason};
use super::register::{Register, RegisterColumns};
use crate::read::{ReadOptions, Table};

/// The truth about one row's address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// The street code of the dwelling.
    pub street: String,
    /// The canonical house number (`12/A`).
    pub civic: String,
    /// The area statistica's code.
    pub area: String,
    /// The labelled errors (`typo`, `wrong_civic`, `missing_civic`,
    /// `unknown_street`).
    pub errors: Vec<String>,
}

impl Expected {
    /// Whether the written address can be matched (its street is in the
    /// register).
    pub fn findable(&self) -> bool {
        !self.errors.iter().any(|e| e == "unknown_street")
    }
}

/// Reads the address columns of a truth file: data row → expected address
/// (rows with an empty `ADDRESS_STREET` are left out).
pub fn read_truth(path: &Path) -> miette::Result<BTreeMap<u64, Expected>> {
    let mut reader = csv::Reader::from_path(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the truth file {}", path.display()))?;
    let header = reader.headers().into_diagnostic()?.clone();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            miette::miette!(
                code = "vaglio::geography::truth",
                "{}: no column {name} (a truth file of `vaglio demo` for a source with addresses)",
                path.display()
            )
        })
    };
    let (row, street, civic, area, errors) = (
        col("ROW")?,
        col("ADDRESS_STREET")?,
        col("ADDRESS_CIVIC")?,
        col("ADDRESS_AREA")?,
        col("ADDRESS_ERRORS")?,
    );
    let mut out = BTreeMap::new();
    for rec in reader.records() {
        let rec = rec.into_diagnostic()?;
        let get = |i: usize| rec.get(i).unwrap_or("").to_owned();
        if get(street).is_empty() {
            continue;
        }
        let r: u64 = get(row)
            .parse()
            .into_diagnostic()
            .wrap_err_with(|| format!("{}: a ROW that is not a number", path.display()))?;
        out.insert(
            r,
            Expected {
                street: get(street),
                civic: get(civic),
                area: get(area),
                errors: get(errors)
                    .split(';')
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
        );
    }
    Ok(out)
}

/// Counts of one evaluation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Score {
    /// Rows evaluated (with a truth).
    pub rows: usize,
    /// Rows per level, in the order of [`Level::ALL`].
    pub levels: [usize; 4],
    /// Rows that can be matched.
    pub findable: usize,
    /// Matched rows with the true street (and area, when given).
    pub correct: usize,
    /// Matched rows with another street or area, or that should not match.
    pub wrong: usize,
    /// Rows per reason, in the order of [`Reason::ALL`].
    pub reasons: [usize; 6],
}

impl Score {
    /// Correct among matched (1 when nothing is matched).
    pub fn precision(&self) -> f64 {
        let matched = self.correct + self.wrong;
        if matched == 0 {
            1.0
        } else {
            self.correct as f64 / matched as f64
        }
    }

    /// Correct among rows that can be matched (1 when none can).
    pub fn recall(&self) -> f64 {
        if self.findable == 0 {
            1.0
        } else {
            self.correct as f64 / self.findable as f64
        }
    }
}

/// Scores `matches` (one per data row, row 1 first) against `truth`.
pub fn score(register: &Register, matches: &[Match], truth: &BTreeMap<u64, Expected>) -> Score {
    let mut s = Score::default();
    for (&row, want) in truth {
        let Some(m) = usize::try_from(row)
            .ok()
            .and_then(|r| r.checked_sub(1))
            .and_then(|i| matches.get(i))
        else {
            continue;
        };
        s.rows += 1;
        let level = Level::ALL.iter().position(|l| *l == m.level).unwrap_or(3);
        s.levels[level] += 1;
        if let Some(r) = m
            .reason
            .and_then(|r| Reason::ALL.iter().position(|x| *x == r))
        {
            s.reasons[r] += 1;
        }
        let findable = want.findable();
        s.findable += usize::from(findable);
        if m.level == Level::None {
            continue;
        }
        let street_ok = m
            .street
            .and_then(|i| register.streets().get(i))
            .is_some_and(|st| st.code == want.street);
        let area_ok = m
            .area
            .is_none_or(|a| register.areas().get(a).is_some_and(|a| a.code == want.area));
        if findable && street_ok && area_ok {
            s.correct += 1;
        } else {
            s.wrong += 1;
        }
    }
    s
}

/// Matches the addresses of `source` (its `columns`) to the register at
/// `register` (read with [`RegisterColumns::default`]) and scores them
/// against the truth file `truth`.
pub fn evaluate_files(
    register: &Path,
    source: &Path,
    columns: &AddressColumns,
    truth: &Path,
) -> miette::Result<(Register, Score)> {
    let table = Table::read(register, &ReadOptions::default())?;
    let reg = Register::from_table(&table, &RegisterColumns::default())?;
    let src = Table::read(source, &ReadOptions::default())?;
    let matches = match_table(&reg, &src, columns)?;
    let truth = read_truth(truth)?;
    let s = score(&reg, &matches, &truth);
    Ok((reg, s))
}

/// The score as lines for the terminal.
pub fn describe(name: &str, s: &Score) -> String {
    let levels: Vec<String> = Level::ALL
        .iter()
        .zip(s.levels)
        .map(|(l, n)| format!("{} {n}", l.code()))
        .collect();
    let reasons: Vec<String> = Reason::ALL
        .iter()
        .zip(s.reasons)
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| format!("{} {n}", r.code()))
        .collect();
    format!(
        "{name}: {} addresses · {}\n  reasons: {}\n  precision {:.4}  recall {:.4} (correct {}, wrong {}, matchable {})\n",
        s.rows,
        levels.join(", "),
        if reasons.is_empty() { "none".to_owned() } else { reasons.join(", ") },
        s.precision(),
        s.recall(),
        s.correct,
        s.wrong,
        s.findable
    )
}
