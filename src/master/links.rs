//! `links.csv`: one row per extract record and its outcome, written by
//! `vaglio link` and `vaglio run`, and read back by `vaglio link --against`.
//!
//! Numbers are written with a fixed number of decimals (weights 4,
//! probabilities 6); the datamart stores the same rounded values, so a link
//! read back from the file and written again gives the same bytes.

use std::path::Path;

use miette::{miette, IntoDiagnostic, WrapErr};

use crate::link::{LinkRow, Status};
use crate::output::from_spreadsheet_safe;

/// The columns of links.csv.
pub const HEADER: [&str; 11] = [
    "source",
    "row",
    "key",
    "person",
    "status",
    "tier",
    "weight",
    "probability",
    "note",
    "runner_up",
    "runner_up_weight",
];

/// Decimals of a match weight.
pub const WEIGHT_DIGITS: usize = 4;
/// Decimals of a match probability.
pub const PROBABILITY_DIGITS: usize = 6;

/// A number as links.csv writes it: `digits` decimals, no `-0.0000`, empty
/// when missing.
pub fn number(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) if v.is_finite() => match fixed(v, digits) {
            Some((negative, scaled)) => {
                let scale = 10u64.pow(digits as u32);
                let mut s = String::with_capacity(24);
                if negative && scaled != 0 {
                    s.push('-');
                }
                s.push_str(&(scaled / scale).to_string());
                if digits > 0 {
                    s.push('.');
                    let frac = (scaled % scale).to_string();
                    s.extend(std::iter::repeat_n('0', digits - frac.len()));
                    s.push_str(&frac);
                }
                s
            }
            None => {
                let s = format!("{v:.digits$}");
                match s.strip_prefix('-') {
                    Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
                    _ => s,
                }
            }
        },
        _ => String::new(),
    }
}

/// The value the file holds for `x`: rounded as [`number`] writes it.
pub fn rounded(x: Option<f64>, digits: usize) -> Option<f64> {
    let v = x.filter(|v| v.is_finite())?;
    match fixed(v, digits) {
        // Both integers are exact in an f64 and IEEE division rounds
        // correctly: the quotient is the f64 nearest to the decimal number
        // written, as parsing it would give.
        Some((negative, scaled)) => {
            let q = scaled as f64 / 10u64.pow(digits as u32) as f64;
            Some(if negative && scaled != 0 { -q } else { q })
        }
        None => number(x, digits).parse().ok(),
    }
}

/// `|v| × 10^digits` rounded to the nearest integer, with `v`'s sign, when
/// that can be told from the f64 product alone: the product errs by at
/// most half a unit in its last place, so only a fraction that close to
/// one half (a tie, or nearly) could round either way. Those, and numbers
/// too large or too precise for a u64, return `None`, and are formatted by
/// the standard library's exact (and slower) algorithm, which gives the
/// same digits for every other number.
fn fixed(v: f64, digits: usize) -> Option<(bool, u64)> {
    if digits > 9 {
        return None;
    }
    let y = v.abs() * 10f64.powi(digits as i32);
    if y >= 1e15 {
        return None;
    }
    let whole = y.floor();
    let frac = y - whole;
    // Half an ulp of y is at most y × 2^-53; four times that, to be sure.
    if (frac - 0.5).abs() <= y * 4.5e-16 + f64::MIN_POSITIVE {
        return None;
    }
    let scaled = whole as u64 + u64::from(frac > 0.5);
    Some((v.is_sign_negative(), scaled))
}

/// One row of links.csv. `key`, `person` and `runner_up` are as they are to
/// be shown (pseudonymised by `vaglio run`).
pub fn row(
    source: &str,
    key: &str,
    person: Option<&str>,
    runner_up: Option<&str>,
    r: &LinkRow,
) -> Vec<String> {
    vec![
        source.to_string(),
        r.row.to_string(),
        key.to_string(),
        person.unwrap_or_default().to_string(),
        r.status.name().to_string(),
        r.tier.to_string(),
        number(r.weight, WEIGHT_DIGITS),
        number(r.probability, PROBABILITY_DIGITS),
        r.note.to_string(),
        runner_up.unwrap_or_default().to_string(),
        number(r.runner_up.as_ref().map(|x| x.1), WEIGHT_DIGITS),
    ]
}

/// A row read back from links.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    /// The source.
    pub source: String,
    /// The link, with `key`, `person` and the runner-up as the file shows
    /// them; `resident` is not known.
    pub link: LinkRow,
}

fn bad(path: &Path, line: u64, what: String) -> miette::Report {
    miette!(
        code = "vaglio::links::format",
        help = "links.csv is written by vaglio; run `vaglio run` again to rebuild the master",
        "{}, line {line}: {what}",
        path.display()
    )
}

/// Reads links.csv.
pub fn read(path: &Path) -> miette::Result<Vec<Stored>> {
    let mut r = csv::Reader::from_path(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read {}", path.display()))?;
    let header = r
        .headers()
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read {}", path.display()))?
        .clone();
    if !header.iter().eq(HEADER.iter().copied()) {
        return Err(bad(
            path,
            1,
            format!(
                "the columns are not those of links.csv ({})",
                HEADER.join(",")
            ),
        ));
    }
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read {}", path.display()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let f = |i: usize| from_spreadsheet_safe(rec.get(i).unwrap_or(""));
        let opt = |i: usize| Some(f(i).to_string()).filter(|s| !s.is_empty());
        let num = |i: usize| -> miette::Result<Option<f64>> {
            let t = f(i);
            if t.is_empty() {
                return Ok(None);
            }
            t.parse()
                .map(Some)
                .map_err(|_| bad(path, line, format!("`{}` is not a number", HEADER[i])))
        };
        let row: u64 = f(1)
            .parse()
            .map_err(|_| bad(path, line, "`row` is not a row number".into()))?;
        let status = Status::parse(f(4))
            .ok_or_else(|| bad(path, line, format!("unknown status `{}`", f(4))))?;
        let runner_up = match (opt(9), num(10)?) {
            (Some(p), Some(w)) => Some((p, w)),
            _ => None,
        };
        out.push(Stored {
            source: f(0).to_string(),
            link: LinkRow {
                row,
                key: f(2).to_string(),
                person: opt(3),
                resident: None,
                status,
                tier: f(5).into(),
                weight: num(6)?,
                probability: num(7)?,
                note: crate::link::decide::LinkNotes::parse(f(8)),
                runner_up,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_fixed_and_never_negative_zero() {
        assert_eq!(number(Some(-0.00001), 4), "0.0000");
        assert_eq!(number(Some(-1.5), 4), "-1.5000");
        assert_eq!(number(Some(f64::NAN), 4), "");
        assert_eq!(number(None, 4), "");
        assert_eq!(rounded(Some(0.123456789), 4), Some(0.1235));
    }

    use proptest::strategy::Strategy;

    /// The definitions before the fast path: the standard library's
    /// exact formatting, and parsing it back.
    fn number_exact(v: f64, digits: usize) -> String {
        let s = format!("{v:.digits$}");
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => s,
        }
    }

    #[test]
    fn ordinary_weights_take_the_fast_path() {
        assert_eq!(fixed(-21.03771, 4), Some((true, 210377)));
        assert_eq!(
            fixed(0.9999995, 6),
            None,
            "a tie within the product's error"
        );
        assert_eq!(fixed(0.99999951, 6), Some((false, 1_000_000)));
        assert_eq!(number(Some(0.99999951), 6), "1.000000");
    }

    #[test]
    fn ties_and_large_numbers_take_the_exact_path() {
        for (v, d) in [
            (0.125, 2),
            (-0.125, 2),
            (2.5, 0),
            (1e300, 4),
            (-1e20, 6),
            (0.00005, 4),
            (-0.00005, 4),
            (123456.78905, 4),
            (9.999999, 6),
            (-0.0, 4),
        ] {
            assert_eq!(number(Some(v), d), number_exact(v, d), "{v} with {d}");
            assert_eq!(
                rounded(Some(v), d),
                number_exact(v, d).parse::<f64>().ok(),
                "{v} with {d}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_path_writes_what_the_exact_one_does(
            v in proptest::prop_oneof![
                -1e6f64..1e6,
                -1.0f64..1.0,
                proptest::num::f64::NORMAL,
                (-2_000_000i64..2_000_000).prop_map(|i| i as f64 / 20000.0),
            ],
            d in 0usize..8,
        ) {
            let exact = number_exact(v, d);
            proptest::prop_assert_eq!(number(Some(v), d), exact.clone());
            let back: Option<f64> = exact.parse().ok();
            proptest::prop_assert_eq!(
                rounded(Some(v), d).map(f64::to_bits),
                back.map(f64::to_bits)
            );
        }
    }

    #[test]
    fn rows_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("links.csv");
        let link = LinkRow {
            row: 7,
            key: "K7".into(),
            person: Some("abc".into()),
            resident: None,
            status: Status::Review,
            tier: "probabilistic".into(),
            weight: rounded(Some(1.23456), WEIGHT_DIGITS),
            probability: rounded(Some(0.9), PROBABILITY_DIGITS),
            note: crate::link::decide::LinkNotes::parse("near_tie"),
            runner_up: Some(("def".into(), 2.5)),
        };
        let mut w = csv::Writer::from_path(&p).unwrap();
        w.write_record(HEADER).unwrap();
        w.write_record(row("isee", "K7", Some("abc"), Some("def"), &link))
            .unwrap();
        w.flush().unwrap();
        drop(w);
        let back = read(&p).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].source, "isee");
        assert_eq!(back[0].link, link);
        std::fs::write(&p, "source,row\nisee,1\n").unwrap();
        assert!(read(&p).is_err());
    }
}
