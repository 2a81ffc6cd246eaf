#![doc = include_str!("docs/composite_key.md")]

use std::fmt;

use super::registry::{Sentences, TableKind, TableStage};
use super::CheckKind;
use crate::messages::{joined, Sentence};
use crate::rules::load::table::TableCx;
use crate::rules::load::with_meta;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG202",
    name: "composite-key",
    level: 1,
    default_severity: Severity::Error,
    summary: "no two rows share a key combination",
    summary_it: "nessuna coppia di righe condivide la stessa combinazione di chiave",
    doc: include_str!("docs/composite_key.md"),
};

/// `primary_key = ["A", "B"]` or an entry of `unique = [["A", "B"], …]` in
/// `[table]`: no two rows share the combination of the columns' values; a
/// primary key's columns are also never missing. Evaluated in the engine's
/// ordered merge ([`TableStage::Keys`]), which fingerprints each row's
/// combination.
#[derive(Clone, Debug)]
pub struct CompositeKey {
    /// The columns, declared in `[fields]`.
    pub columns: Vec<String>,
    /// Whether it is the table's primary key.
    pub primary: bool,
}

/// What a key promises.
#[derive(Clone, Debug, PartialEq)]
pub enum Description {
    /// The primary key: "ID identifies each row: present and never
    /// repeated".
    PrimaryKey {
        /// The key's columns.
        columns: Vec<String>,
    },
    /// A `unique` combination: "no two rows share A + B".
    Unique {
        /// The combination's columns.
        columns: Vec<String>,
    },
}

/// Why a row fails a key.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The combination repeats an earlier row's: "the combination A + B
    /// repeats row 5"; a key of one column says it as a field's `unique`
    /// does, "duplicate of row 5".
    Repeats {
        /// The key's columns.
        columns: Vec<String>,
        /// The earlier row.
        first: u64,
    },
    /// A column of the primary key has no value.
    ColumnMissing {
        /// The key's columns.
        columns: Vec<String>,
    },
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Description::PrimaryKey { columns } => write!(
                f,
                "{} identifies each row: present and never repeated",
                joined(columns)
            ),
            Description::Unique { columns } => write!(f, "no two rows share {}", joined(columns)),
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Description::PrimaryKey { columns } => match columns.as_slice() {
                [one] => write!(f, "{one} identifica ogni riga: è presente e non si ripete mai"),
                _ => write!(
                    f,
                    "{} identificano ogni riga: sono presenti e la loro combinazione non si ripete mai",
                    joined(columns)
                ),
            },
            Description::Unique { columns } => write!(
                f,
                "due righe non hanno mai la stessa combinazione {}",
                joined(columns)
            ),
        }
    }

    fn examples() -> Vec<Self> {
        let one = || vec![String::new()];
        let two = || vec![String::new(), String::new()];
        vec![
            Description::PrimaryKey { columns: one() },
            Description::PrimaryKey { columns: two() },
            Description::Unique { columns: two() },
        ]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Repeats { columns, first } if columns.len() == 1 => {
                write!(f, "duplicate of row {first}")
            }
            Failure::Repeats { columns, first } => {
                write!(f, "the combination {} repeats row {first}", joined(columns))
            }
            Failure::ColumnMissing { columns } => write!(
                f,
                "a column of the primary key ({}) is missing",
                joined(columns)
            ),
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Repeats { columns, first } if columns.len() == 1 => {
                write!(f, "duplicato della riga {first}")
            }
            Failure::Repeats { columns, first } => write!(
                f,
                "la combinazione {} ripete quella della riga {first}",
                joined(columns)
            ),
            Failure::ColumnMissing { columns } => write!(
                f,
                "manca una colonna della chiave primaria ({})",
                joined(columns)
            ),
        }
    }

    fn examples() -> Vec<Self> {
        let one = || vec![String::new()];
        let two = || vec![String::new(), String::new()];
        vec![
            Failure::Repeats {
                columns: one(),
                first: 1,
            },
            Failure::Repeats {
                columns: two(),
                first: 1,
            },
            Failure::ColumnMissing { columns: two() },
        ]
    }
}

impl Sentences for CompositeKey {
    type Description = Description;
    type Failure = Failure;
}

impl TableKind for CompositeKey {
    const KEYS: &'static [&'static str] = &["unique", "primary_key", "primaryKey"];

    fn parse(cx: &mut TableCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        if let Some(n) = cx.table.get_any(&["primary_key", "primaryKey"]) {
            if let Some(cols) = n.strings(cx.diags(), "`primary_key`") {
                let columns = cx.known_columns(cols);
                if !columns.is_empty() {
                    let description = Description::PrimaryKey {
                        columns: columns.clone(),
                    };
                    let id = "table.primary_key".to_string();
                    let meta = cx.meta(&KIND, None, id, description, n.span.clone());
                    let primary = true;
                    out.push((CompositeKey { columns, primary }, meta));
                }
            }
        }
        let Some(n) = cx.table.get("unique") else {
            return;
        };
        let Some(items) = n.array(cx.diags(), "`unique`") else {
            return;
        };
        for item in items {
            let (cols_node, table) = if item.is_table() {
                let keys = with_meta(&["columns"]);
                let table = item.table(cx.diags(), "an entry of `unique`", &keys);
                (table.as_ref().and_then(|t| t.get("columns")), table)
            } else {
                (Some(item.clone()), None)
            };
            let Some(cols_node) = cols_node else {
                cx.diags().error(
                    item.span.clone(),
                    "an entry of `unique` needs `columns`",
                    "no columns",
                    None,
                );
                continue;
            };
            let Some(cols) = cols_node.strings(cx.diags(), "`unique` columns") else {
                continue;
            };
            let columns = cx.known_columns(cols);
            if columns.is_empty() {
                continue;
            }
            let id = format!("table.unique[{}]", columns.join("+"));
            let description = Description::Unique {
                columns: columns.clone(),
            };
            let meta = cx.meta(&KIND, table.as_ref(), id, description, item.span.clone());
            let primary = false;
            out.push((CompositeKey { columns, primary }, meta));
        }
    }

    fn stage(&self) -> TableStage {
        TableStage::Keys
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn repeated(&self, first: u64) -> Option<Failure> {
        Some(Failure::Repeats {
            columns: self.columns.clone(),
            first,
        })
    }

    fn incomplete(&self) -> Option<Failure> {
        self.primary.then(|| Failure::ColumnMissing {
            columns: self.columns.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    fn key(columns: &[&str], primary: bool) -> CompositeKey {
        CompositeKey {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            primary,
        }
    }

    fn both(f: Option<Failure>) -> Option<(String, String)> {
        f.map(|f| (In(&f, Lang::En).to_string(), In(&f, Lang::It).to_string()))
    }

    #[test]
    fn a_repeat_names_the_earlier_row_in_both_languages() {
        let pair = key(&["COD_SERVIZIO", "CF_ALUNNO"], false);
        assert_eq!(
            both(pair.repeated(174)),
            Some((
                "the combination COD_SERVIZIO + CF_ALUNNO repeats row 174".into(),
                "la combinazione COD_SERVIZIO + CF_ALUNNO ripete quella della riga 174".into()
            ))
        );
        assert_eq!(
            both(key(&["ID"], true).repeated(3)),
            Some((
                "duplicate of row 3".into(),
                "duplicato della riga 3".into()
            ))
        );
    }

    #[test]
    fn only_a_primary_key_fails_a_row_missing_a_column() {
        assert_eq!(key(&["A", "B"], false).incomplete(), None);
        assert_eq!(
            both(key(&["A", "B"], true).incomplete()),
            Some((
                "a column of the primary key (A + B) is missing".into(),
                "manca una colonna della chiave primaria (A + B)".into()
            ))
        );
    }

    #[test]
    fn descriptions_in_both_languages() {
        let columns = |c: &[&str]| c.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let d = Description::PrimaryKey {
            columns: columns(&["ID"]),
        };
        assert_eq!(
            In(&d, Lang::En).to_string(),
            "ID identifies each row: present and never repeated"
        );
        assert_eq!(
            In(&d, Lang::It).to_string(),
            "ID identifica ogni riga: è presente e non si ripete mai"
        );
        let d = Description::PrimaryKey {
            columns: columns(&["A", "B"]),
        };
        assert_eq!(
            In(&d, Lang::It).to_string(),
            "A + B identificano ogni riga: sono presenti e la loro combinazione non si ripete mai"
        );
        let d = Description::Unique {
            columns: columns(&["COD_SERVIZIO", "CF_ALUNNO"]),
        };
        assert_eq!(
            In(&d, Lang::En).to_string(),
            "no two rows share COD_SERVIZIO + CF_ALUNNO"
        );
        assert_eq!(
            In(&d, Lang::It).to_string(),
            "due righe non hanno mai la stessa combinazione COD_SERVIZIO + CF_ALUNNO"
        );
    }

    #[test]
    fn the_rule_file_names_keys_of_declared_columns() {
        let load = crate::checks::load_rules;
        let rules = load(
            "[fields.A]\n[fields.B]\n[table]\nunique = [[\"A\", \"B\"], { columns = [\"B\"], severity = \"warning\" }]\nprimary_key = [\"A\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let checks: Vec<(&str, Severity, &[String])> = rules
            .table
            .checks
            .iter()
            .map(|c| (c.meta.id.as_str(), c.meta.severity, c.kind.columns()))
            .collect();
        let cols = |c: &[&str]| c.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let (a, ab, b) = (cols(&["A"]), cols(&["A", "B"]), cols(&["B"]));
        assert_eq!(
            checks,
            [
                ("table.primary_key", Severity::Error, a.as_slice()),
                ("table.unique[A+B]", Severity::Error, ab.as_slice()),
                ("table.unique[B]", Severity::Warning, b.as_slice()),
            ]
        );
        let err = load("[fields.ID]\n[table]\nprimary_key = [\"Id\"]\n")
            .err()
            .map(|e| format!("{e:?}"));
        assert!(
            err.is_some_and(|e| e.contains("unknown column Id") && e.contains("did you mean ID")),
            "no diagnostic"
        );
        let err = load("[fields.ID]\n[table]\nunique = [{ severity = \"info\" }]\n")
            .err()
            .map(|e| format!("{e:?}"));
        assert!(err.is_some_and(|e| e.contains("needs `columns`")), "no diagnostic");
    }
}
