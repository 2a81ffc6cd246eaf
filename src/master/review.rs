//! The review queue (`review/queue.csv`) and the reviewers' decisions.
//!
//! The queue lists each record in the review band with its best candidate,
//! the compared attributes side by side (masked unless `--show-pii`) and an
//! empty `decision` column. Filled in with `accept` or `reject` (the queue
//! itself, or any CSV with the columns `source`, `row`, `decision` and
//! optionally `candidate`), it is read back by `vaglio run --decisions FILE`:
//! `accept` links the record to the candidate, `reject` leaves it unmatched;
//! both are recorded with tier `decision` and override the model.

use std::collections::BTreeMap;
use std::path::Path;

use miette::{miette, IntoDiagnostic, WrapErr};

use crate::output::{from_spreadsheet_safe, Sink};

/// The fixed columns of queue.csv before the compared attributes.
pub const QUEUE_HEAD: [&str; 9] = [
    "source",
    "row",
    "key",
    "candidate",
    "weight",
    "probability",
    "note",
    "runner_up",
    "runner_up_weight",
];

/// A reviewer's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Link to the candidate (the one named, else the queue's).
    Accept(Option<String>),
    /// Leave unmatched.
    Reject,
}

/// Decisions by (source, row).
pub type Decisions = BTreeMap<(String, u64), Verdict>;

/// Reads a decisions file. Rows whose decision is empty are skipped.
pub fn read_decisions(path: &Path) -> miette::Result<Decisions> {
    crate::read::require_regular(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the decisions file {}", path.display()))?;
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the decisions file {}", path.display()))?;
    let headers = r.headers().into_diagnostic()?.clone();
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(n))
    };
    let (Some(src), Some(row), Some(dec)) = (col("source"), col("row"), col("decision")) else {
        miette::bail!(
            code = "vaglio::decisions::columns",
            help = "fill in the `decision` column of review/queue.csv and pass that file, or write a CSV with the columns source,row,decision[,candidate]",
            "{}: the decisions file needs the columns source, row and decision (it has: {})",
            path.display(),
            headers.iter().collect::<Vec<_>>().join(", ")
        );
    };
    let cand = col("candidate");
    let mut out = Decisions::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.into_diagnostic()?;
        let line = i + 2;
        let get = |c: usize| from_spreadsheet_safe(rec.get(c).unwrap_or("")).trim();
        let decision = get(dec).to_ascii_lowercase();
        if decision.is_empty() {
            continue;
        }
        let row_n: u64 = get(row).parse().map_err(|_| {
            miette!(
                code = "vaglio::decisions::row",
                "{}, line {line}: row {:?} is not a row number",
                path.display(),
                get(row)
            )
        })?;
        let verdict = match decision.as_str() {
            "accept" | "accetta" | "match" | "yes" | "si" | "sì" => {
                Verdict::Accept(cand.map(get).filter(|c| !c.is_empty()).map(str::to_string))
            }
            "reject" | "rifiuta" | "no" | "unmatched" => Verdict::Reject,
            other => miette::bail!(
                code = "vaglio::decisions::value",
                help = "write accept or reject (or leave it empty to decide later)",
                "{}, line {line}: decision {other:?} is neither accept nor reject",
                path.display()
            ),
        };
        out.insert((get(src).to_string(), row_n), verdict);
    }
    Ok(out)
}

/// Writes queue.csv into `sink`: `header` then `rows` (already sorted).
pub fn write_queue(
    sink: &Sink,
    path: &Path,
    header: &[String],
    rows: &[Vec<String>],
) -> miette::Result<()> {
    sink.write_csv(path, header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_are_read_and_bad_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.csv");
        std::fs::write(
            &p,
            "source,row,key,candidate,decision\nisee,3,K,abc,accept\nisee,4,K,,Reject\nisee,5,K,x,\n",
        )
        .unwrap();
        let d = read_decisions(&p).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(
            d[&("isee".to_string(), 3)],
            Verdict::Accept(Some("abc".into()))
        );
        assert_eq!(d[&("isee".to_string(), 4)], Verdict::Reject);
        std::fs::write(&p, "source,row,decision\nisee,3,maybe\n").unwrap();
        assert!(read_decisions(&p).is_err());
        std::fs::write(&p, "source,decision\nisee,accept\n").unwrap();
        assert!(read_decisions(&p).is_err());
    }
}
