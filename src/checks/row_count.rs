#![doc = include_str!("docs/row_count.md")]

use std::fmt;

use super::registry::{Sentences, TableKind, TableStage};
use super::CheckKind;
use crate::messages::it::count;
use crate::messages::Sentence;
use crate::rules::load::table::TableCx;
use crate::rules::load::with_meta;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG008",
    name: "row-count",
    level: 0,
    default_severity: Severity::Error,
    summary: "the number of rows is within bounds",
    summary_it: "il numero di righe è nei limiti",
    doc: include_str!("docs/row_count.md"),
};

/// `row_count = { min = …, max = … }` in `[table]`: the file's number of
/// data rows lies within the bounds. Judged once the file is read
/// ([`TableStage::File`]).
#[derive(Clone, Debug)]
pub struct RowCount {
    /// Fewest rows.
    pub min: Option<u64>,
    /// Most rows.
    pub max: Option<u64>,
}

/// "the extract has at least 10 rows".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// Fewest rows.
    pub min: Option<u64>,
    /// Most rows.
    pub max: Option<u64>,
}

/// Why the number of rows fails.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Too few rows: "the extract has 7 rows, at least 10 expected".
    TooFew {
        /// The rows.
        rows: u64,
        /// The fewest expected.
        min: u64,
    },
    /// Too many rows.
    TooMany {
        /// The rows.
        rows: u64,
        /// The most expected.
        max: u64,
    },
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(a), Some(b)) => write!(f, "the extract has between {a} and {b} rows"),
            (Some(a), None) => write!(f, "the extract has at least {a} rows"),
            (None, Some(b)) => write!(f, "the extract has at most {b} rows"),
            (None, None) => f.write_str("row count"),
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(a), Some(b)) => write!(f, "l'estratto ha tra {a} e {b} righe"),
            (Some(a), None) => write!(f, "l'estratto ha almeno {}", count(a, "riga", "righe")),
            (None, Some(b)) => {
                write!(f, "l'estratto ha al massimo {}", count(b, "riga", "righe"))
            }
            (None, None) => f.write_str("numero di righe"),
        }
    }

    fn examples() -> Vec<Self> {
        let d = |min, max| Description { min, max };
        vec![
            d(Some(1), Some(2)),
            d(Some(1), None),
            d(Some(2), None),
            d(None, Some(1)),
            d(None, Some(2)),
            d(None, None),
        ]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::TooFew { rows, min } => {
                write!(f, "the extract has {rows} rows, at least {min} expected")
            }
            Failure::TooMany { rows, max } => {
                write!(f, "the extract has {rows} rows, at most {max} expected")
            }
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::TooFew { rows, min } => write!(
                f,
                "l'estratto ha {}, almeno {}",
                count(*rows, "riga", "righe"),
                count(*min, "attesa", "attese")
            ),
            Failure::TooMany { rows, max } => write!(
                f,
                "l'estratto ha {}, al massimo {}",
                count(*rows, "riga", "righe"),
                count(*max, "attesa", "attese")
            ),
        }
    }

    fn examples() -> Vec<Self> {
        vec![
            Failure::TooFew { rows: 1, min: 2 },
            Failure::TooFew { rows: 2, min: 3 },
            Failure::TooMany { rows: 1, max: 0 },
            Failure::TooMany { rows: 3, max: 2 },
        ]
    }
}

impl Sentences for RowCount {
    type Description = Description;
    type Failure = Failure;
}

impl TableKind for RowCount {
    const KEYS: &'static [&'static str] = &["row_count"];

    fn parse(cx: &mut TableCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let Some(n) = cx.table.get("row_count") else {
            return;
        };
        let keys = with_meta(&["min", "max"]);
        let Some(rt) = n.table(cx.diags(), "`row_count`", &keys) else {
            return;
        };
        let min = rt.get("min").and_then(|m| m.count(cx.diags(), "`min`"));
        let max = rt.get("max").and_then(|m| m.count(cx.diags(), "`max`"));
        let id = "table.row_count".to_string();
        let meta = cx.meta(&KIND, Some(&rt), id, Description { min, max }, n.span.clone());
        out.push((RowCount { min, max }, meta));
    }

    fn stage(&self) -> TableStage {
        TableStage::File
    }

    fn rows(&self, rows: u64) -> Option<Failure> {
        match (self.min, self.max) {
            (Some(min), _) if rows < min => Some(Failure::TooFew { rows, min }),
            (_, Some(max)) if rows > max => Some(Failure::TooMany { rows, max }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    fn both(f: Option<Failure>) -> Option<(String, String)> {
        f.map(|f| (In(&f, Lang::En).to_string(), In(&f, Lang::It).to_string()))
    }

    #[test]
    fn rows_outside_the_bounds_fail_in_both_languages() {
        let bounds = RowCount {
            min: Some(10),
            max: Some(20),
        };
        assert_eq!(bounds.rows(10), None);
        assert_eq!(bounds.rows(20), None);
        assert_eq!(
            both(bounds.rows(7)),
            Some((
                "the extract has 7 rows, at least 10 expected".into(),
                "l'estratto ha 7 righe, almeno 10 attese".into()
            ))
        );
        assert_eq!(
            both(RowCount { min: Some(1), max: None }.rows(0)).map(|b| b.1),
            Some("l'estratto ha 0 righe, almeno 1 attesa".into())
        );
        assert_eq!(
            both(RowCount { min: None, max: Some(0) }.rows(1)),
            Some((
                "the extract has 1 rows, at most 0 expected".into(),
                "l'estratto ha 1 riga, al massimo 0 attese".into()
            ))
        );
        let d = Description {
            min: Some(1),
            max: None,
        };
        assert_eq!(In(&d, Lang::En).to_string(), "the extract has at least 1 rows");
        assert_eq!(In(&d, Lang::It).to_string(), "l'estratto ha almeno 1 riga");
        let d = Description {
            min: Some(10),
            max: Some(20),
        };
        assert_eq!(
            In(&d, Lang::En).to_string(),
            "the extract has between 10 and 20 rows"
        );
        assert_eq!(In(&d, Lang::It).to_string(), "l'estratto ha tra 10 e 20 righe");
    }

    #[test]
    fn the_rule_file_gives_the_bounds() {
        let load = crate::checks::load_rules;
        let rules = load("[table]\nrow_count = { min = 10, severity = \"warning\" }\n")
            .unwrap_or_else(|e| panic!("{e:?}"));
        let [c] = rules.table.checks.as_slice() else {
            panic!("{:?}", rules.table.checks);
        };
        assert_eq!(
            (c.meta.id.as_str(), c.meta.severity, c.kind.stage()),
            ("table.row_count", Severity::Warning, TableStage::File)
        );
        assert!(c.kind.rows(10).is_none() && c.kind.rows(9).is_some());
        let err = load("[table]\nrow_count = { min = -1 }\n").err().map(|e| format!("{e:?}"));
        assert!(err.is_some_and(|e| e.contains("`min`")), "no diagnostic");
    }
}
