#![doc = include_str!("docs/completeness.md")]

use std::fmt;

use super::registry::{FieldKind, Sentences, Stage};
use super::CheckKind;
use crate::messages::it::il;
use crate::messages::{percent, percent_as_written, Lang, Sentence};
use crate::rules::load::fields::FieldCx;
use crate::rules::CheckMeta;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG108",
    name: "completeness",
    level: 1,
    default_severity: Severity::Error,
    summary: "enough rows have a value",
    summary_it: "abbastanza righe hanno un valore",
    doc: include_str!("docs/completeness.md"),
};

/// `completeness = P` (or `{ min_percent = P, … }`): at least P% of the
/// rows have a value, judged once the whole column is read.
#[derive(Clone, Debug)]
pub struct Completeness {
    /// Minimum percentage of non-missing cells.
    pub min_percent: f64,
}

/// "at least 95% of the rows must have CF".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
    /// The percentage of rows, as written.
    pub percent: f64,
}

/// Too few rows have a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The rows with a value, in percent.
    pub percent: f64,
    /// The percentage required, as written.
    pub min_percent: f64,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at least {}% of the rows must have {}",
            self.percent, self.field
        )
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = percent_as_written(self.percent, Lang::It);
        write!(
            f,
            "almeno {}{p} delle righe ha un valore di {}",
            il(&p),
            self.field
        )
    }

    fn examples() -> Vec<Self> {
        vec![Description {
            field: String::new(),
            percent: 95.5,
        }]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.1}% of the rows have a value, at least {}% required",
            self.percent, self.min_percent
        )
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (now, min) = (
            percent(self.percent, 1, Lang::It),
            percent_as_written(self.min_percent, Lang::It),
        );
        write!(
            f,
            "{}{now} delle righe ha un valore, ne è richiesto almeno {}{min}",
            il(&now),
            il(&min)
        )
    }

    fn examples() -> Vec<Self> {
        vec![Failure {
            percent: 80.0,
            min_percent: 95.5,
        }]
    }
}

impl Sentences for Completeness {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Completeness {
    const KEYS: &'static [&'static str] = &["completeness"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let Some(n) = cx.table.get("completeness") else {
            return;
        };
        let span = n.span.clone();
        let (value_node, table) = cx.value_or_table(n, "completeness", &["min_percent"]);
        let Some(p) = value_node.and_then(|v| v.percent(cx.diags(), "`completeness`")) else {
            return;
        };
        let field = cx.name.to_string();
        let meta = cx.meta(
            &KIND,
            table.as_ref(),
            format!("{field}.completeness"),
            Description { field, percent: p },
            span,
        );
        out.push((Completeness { min_percent: p }, meta));
    }

    fn stage(&self) -> Stage {
        Stage::Column
    }

    fn column(&self, rows: u64, missing: u64) -> Option<Failure> {
        evaluate(rows, missing, self.min_percent).1
    }
}

/// The percentage of `rows` that have a value, and a failure when it is
/// below `min_percent`. An empty extract is complete.
pub fn evaluate(rows: u64, missing: u64, min_percent: f64) -> (f64, Option<Failure>) {
    let pct = if rows == 0 {
        100.0
    } else {
        (rows - missing.min(rows)) as f64 * 100.0 / rows as f64
    };
    if pct + 1e-9 < min_percent {
        (
            pct,
            Some(Failure {
                percent: pct,
                min_percent,
            }),
        )
    } else {
        (pct, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert!(evaluate(100, 5, 95.0).1.is_none());
        let (pct, msg) = evaluate(100, 20, 95.0);
        assert_eq!(pct, 80.0);
        let msg = msg.map(|m| {
            (
                crate::messages::In(&m, Lang::En).to_string(),
                crate::messages::In(&m, Lang::It).to_string(),
            )
        });
        assert_eq!(
            msg,
            Some((
                "80.0% of the rows have a value, at least 95% required".into(),
                "l'80,0 % delle righe ha un valore, ne è richiesto almeno il 95 %".into()
            ))
        );
        assert!(evaluate(0, 0, 100.0).1.is_none());
    }
}
