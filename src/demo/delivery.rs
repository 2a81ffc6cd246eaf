//! Later monthly deliveries of the demo city (`vaglio demo --delivery N`):
//! the same city and the same extracts, with N's own share of rows whose
//! codice fiscale the office left blank, and in some months a column the
//! social services add and drop again — so that successive deliveries
//! into one folder build a history with trends, checks that start failing
//! and get fixed, and columns that come and go.
//!
//! Delivery 0 is the demo as always: nothing is changed.

use chrono::{Datelike, Months, NaiveDate};

use super::errors::ErrorKind;
use super::extracts::Extract;
use crate::rng::Rng;

/// The share of rows whose first codice fiscale column is left blank, by
/// delivery (cycling after the last): a bad month, a fix, a relapse.
pub const MISSING_CF: [f64; 6] = [0.0, 0.01, 0.12, 0.0, 0.03, 0.08];

/// From this share of blank codes on, a month is bad: half of the rows
/// without a code lose their birth date too.
pub const BAD_MONTH: f64 = 0.05;

/// The column the social services add in some deliveries (a note on the
/// intervention's kind; never personal).
pub const NOTE_COLUMN: &str = "NOTE_INTERVENTO";

/// The extract that sometimes carries [`NOTE_COLUMN`].
pub const NOTE_EXTRACT: &str = "servizi_sociali";

/// Whether delivery `n` carries [`NOTE_COLUMN`]: the even deliveries
/// after the first.
pub fn has_note(n: u32) -> bool {
    n >= 2 && n.is_multiple_of(2)
}

/// The share of blank codes of delivery `n`.
pub fn missing_cf(n: u32) -> f64 {
    if n == 0 {
        0.0
    } else {
        MISSING_CF[n as usize % MISSING_CF.len()]
    }
}

/// The date of delivery `n`: the last day of the month `n` months after
/// `reference` (the demo's date).
pub fn date(reference: NaiveDate, n: u32) -> NaiveDate {
    if n == 0 {
        return reference;
    }
    let first = reference.with_day(1).unwrap_or(reference);
    first
        .checked_add_months(Months::new(n + 1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(reference)
}

/// Applies delivery `n` to `e` (nothing for delivery 0): blanks the first
/// `CF_` column in [`missing_cf`] of its rows (each such row's truth then
/// says `CfMissing`; from [`BAD_MONTH`] on, half of them lose their first
/// `DATA_NASCITA` value too), and adds [`NOTE_COLUMN`] to [`NOTE_EXTRACT`] when
/// [`has_note`].
pub fn apply(e: &mut Extract, n: u32, seed: u64) {
    if n == 0 {
        return;
    }
    let mut rng = Rng::stream(seed, &format!("delivery-{n}-{}", e.name));
    let share = missing_cf(n);
    let birth = e.header.iter().position(|h| h.starts_with("DATA_NASCITA"));
    if let Some(col) = e.header.iter().position(|h| h.starts_with("CF_")) {
        for (row, truth) in e.rows.iter_mut().zip(e.truth.iter_mut()) {
            if !rng.chance(share) {
                continue;
            }
            let Some(cell) = row.get_mut(col).filter(|c| !c.is_empty()) else {
                continue;
            };
            cell.clear();
            if !truth.errors.contains(&ErrorKind::CfMissing) {
                truth.errors.push(ErrorKind::CfMissing);
            }
            // In a bad month half of them lose the birth date too: names
            // alone link less often.
            if share >= BAD_MONTH && rng.chance(0.5) {
                if let Some(date) = birth.and_then(|b| row.get_mut(b)) {
                    date.clear();
                }
            }
        }
    }
    if e.name == NOTE_EXTRACT && has_note(n) {
        e.header.push(NOTE_COLUMN);
        const NOTES: [&str; 4] = ["colloquio", "visita domiciliare", "contributo", ""];
        for row in &mut e.rows {
            row.push(NOTES[rng.below(NOTES.len() as u64) as usize].to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::extracts::Truth;

    fn extract(name: &'static str, rows: usize) -> Extract {
        Extract {
            name,
            header: vec!["ID", "CF_X", "CF_Y"],
            rows: (0..rows)
                .map(|i| vec![i.to_string(), format!("CF{i}"), format!("P{i}")])
                .collect(),
            truth: (0..rows)
                .map(|i| Truth {
                    key: i.to_string(),
                    person: Some(i as u32),
                    errors: Vec::new(),
                    address: None,
                })
                .collect(),
        }
    }

    #[test]
    fn delivery_zero_changes_nothing_and_others_blank_their_share() {
        let mut e = extract("refezione", 2000);
        let before = e.clone();
        apply(&mut e, 0, 42);
        assert_eq!(e.rows, before.rows);
        apply(&mut e, 2, 42);
        let blank = e.rows.iter().filter(|r| r[1].is_empty()).count();
        assert!((180..=300).contains(&blank), "{blank}");
        assert!(
            e.rows.iter().all(|r| !r[2].is_empty()),
            "only the first CF column"
        );
        assert_eq!(
            e.truth
                .iter()
                .filter(|t| t.errors == [ErrorKind::CfMissing])
                .count(),
            blank
        );
        let mut again = before.clone();
        apply(&mut again, 2, 42);
        assert_eq!(again.rows, e.rows, "deterministic");
    }

    #[test]
    fn the_note_column_comes_and_goes() {
        for (n, has) in [(1, false), (2, true), (3, false), (4, true)] {
            let mut e = extract(NOTE_EXTRACT, 10);
            apply(&mut e, n, 42);
            assert_eq!(e.header.contains(&NOTE_COLUMN), has, "{n}");
            assert!(e.rows.iter().all(|r| r.len() == e.header.len()));
        }
    }

    #[test]
    fn deliveries_fall_at_the_end_of_the_following_months() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let reference = d(2025, 12, 31);
        assert_eq!(date(reference, 0), reference);
        assert_eq!(date(reference, 1), d(2026, 1, 31));
        assert_eq!(date(reference, 2), d(2026, 2, 28));
        assert_eq!(date(reference, 14), d(2027, 2, 28));
    }
}
