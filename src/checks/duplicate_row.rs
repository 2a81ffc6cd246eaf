#![doc = include_str!("docs/duplicate_row.md")]

use std::fmt;

use super::registry::{Sentences, TableKind, TableStage};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::table::TableCx;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG201",
    name: "duplicate-row",
    level: 1,
    default_severity: Severity::Warning,
    summary: "no row repeats another in full",
    summary_it: "nessuna riga ne ripete un'altra per intero",
    doc: include_str!("docs/duplicate_row.md"),
};

/// `duplicate_rows = true` (or a table) in `[table]`: no row repeats an
/// earlier one in every cell. Evaluated in the engine's ordered merge
/// ([`TableStage::Rows`]), which fingerprints each row's trimmed cells.
#[derive(Clone, Debug)]
pub struct DuplicateRow;

/// "no row is repeated in full".
#[derive(Clone, Debug, PartialEq)]
pub struct Description;

/// The row repeats an earlier one: "repeats row 6".
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The earlier row.
    pub first: u64,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no row is repeated in full")
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nessuna riga ne ripete un'altra per intero")
    }

    fn examples() -> Vec<Self> {
        vec![Description]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "repeats row {}", self.first)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ripete la riga {}", self.first)
    }

    fn examples() -> Vec<Self> {
        vec![Failure { first: 1 }]
    }
}

impl Sentences for DuplicateRow {
    type Description = Description;
    type Failure = Failure;
}

impl TableKind for DuplicateRow {
    const KEYS: &'static [&'static str] = &["duplicate_rows"];

    fn parse(cx: &mut TableCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let Some(n) = cx.table.get("duplicate_rows") else {
            return;
        };
        let span = n.span.clone();
        let Some((true, table)) = cx.flag(n, "`duplicate_rows`") else {
            return;
        };
        let id = "table.duplicate_rows".to_string();
        let meta = cx.meta(&KIND, table.as_ref(), id, Description, span);
        out.push((DuplicateRow, meta));
    }

    fn stage(&self) -> TableStage {
        TableStage::Rows
    }

    fn repeated(&self, first: u64) -> Option<Failure> {
        Some(Failure { first })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    #[test]
    fn sentences_in_both_languages() {
        let f = DuplicateRow.repeated(6);
        assert_eq!(
            f.as_ref().map(|f| In(f, Lang::En).to_string()).as_deref(),
            Some("repeats row 6")
        );
        assert_eq!(
            f.as_ref().map(|f| In(f, Lang::It).to_string()).as_deref(),
            Some("ripete la riga 6")
        );
        assert_eq!(In(&Description, Lang::En).to_string(), "no row is repeated in full");
        assert_eq!(
            In(&Description, Lang::It).to_string(),
            "nessuna riga ne ripete un'altra per intero"
        );
    }

    #[test]
    fn the_rule_file_switches_it_on() {
        let load = crate::checks::load_rules;
        let ids = |text: &str| {
            load(text)
                .unwrap_or_else(|e| panic!("{e:?}"))
                .table
                .checks
                .iter()
                .map(|c| (c.meta.id.clone(), c.meta.severity, c.kind.kind().code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids("[table]\nduplicate_rows = true\n"),
            [("table.duplicate_rows".to_string(), Severity::Warning, "VG201")]
        );
        assert!(ids("[table]\nduplicate_rows = false\n").is_empty());
        assert_eq!(
            ids("[table]\nduplicate_rows = { severity = \"error\", id = \"dups\" }\n"),
            [("dups".to_string(), Severity::Error, "VG201")]
        );
        let err = load("[table]\nduplicate_rows = \"yes\"\n").err().map(|e| format!("{e:?}"));
        assert!(err.is_some_and(|e| e.contains("duplicate_rows")), "no diagnostic");
    }
}
