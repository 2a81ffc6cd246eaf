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
        Some(v) if v.is_finite() => {
            let s = format!("{v:.digits$}");
            match s.strip_prefix('-') {
                Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
                _ => s,
            }
        }
        _ => String::new(),
    }
}

/// The value the file holds for `x`: rounded as [`number`] writes it.
pub fn rounded(x: Option<f64>, digits: usize) -> Option<f64> {
    number(x, digits).parse().ok()
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
        r.tier.clone(),
        number(r.weight, WEIGHT_DIGITS),
        number(r.probability, PROBABILITY_DIGITS),
        r.note.clone(),
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
                tier: f(5).to_string(),
                weight: num(6)?,
                probability: num(7)?,
                note: f(8).to_string(),
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
            note: "near_tie".into(),
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
