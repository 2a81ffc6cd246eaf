//! The built-in check kinds, one module each, with a stable code that is
//! never reused, documentation (what it checks, why it matters, an example)
//! and tests. `vaglio rules` lists them; `vaglio rules CODE` prints a
//! kind's documentation.
//!
//! Codes are grouped by validation level: `VG0xx` file structure, `VG1xx`
//! fields (codes and formats), `VG2xx` table-level, `VG3xx` cross-field and
//! external coherence.

use crate::rules::Severity;

/// A kind of check: its stable code, name and documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckKind {
    /// Stable code, e.g. `VG101`. Never reused for another meaning.
    pub code: &'static str,
    /// Short name, e.g. `required`.
    pub name: &'static str,
    /// Validation level: 0 structure, 1 codes and formats, 2 coherence
    /// within a record or table, 3 coherence with external sources.
    pub level: u8,
    /// Severity when the rule file does not say.
    pub default_severity: Severity,
    /// One line saying what passes.
    pub summary: &'static str,
    /// The same line in Italian.
    pub summary_it: &'static str,
    /// The full documentation (Markdown).
    pub doc: &'static str,
}

macro_rules! doc_only_check {
    ($module:ident, $code:literal, $name:literal, $level:literal, $severity:ident, $summary:literal, $summary_it:literal) => {
        #[doc = include_str!(concat!("docs/", stringify!($module), ".md"))]
        pub mod $module {
            use super::CheckKind;
            use crate::rules::Severity;

            /// This check kind.
            pub const KIND: CheckKind = CheckKind {
                code: $code,
                name: $name,
                level: $level,
                default_severity: Severity::$severity,
                summary: $summary,
                summary_it: $summary_it,
                doc: include_str!(concat!("docs/", stringify!($module), ".md")),
            };
        }
    };
}

doc_only_check!(
    encoding,
    "VG001",
    "encoding",
    0,
    Error,
    "every byte is valid in the file's encoding",
    "ogni byte è valido nella codifica del file"
);
doc_only_check!(
    ragged_row,
    "VG002",
    "ragged-row",
    0,
    Error,
    "every row has as many fields as the header",
    "ogni riga ha tanti campi quanti l'intestazione"
);
doc_only_check!(
    unterminated_quote,
    "VG003",
    "unterminated-quote",
    0,
    Error,
    "every quoted field is closed",
    "ogni campo tra virgolette è chiuso"
);
doc_only_check!(
    header,
    "VG004",
    "header",
    0,
    Error,
    "every column has a distinct, non-blank name",
    "ogni colonna ha un nome distinto e non vuoto"
);
doc_only_check!(
    blank_row,
    "VG009",
    "blank-row",
    0,
    Warning,
    "no row is blank",
    "nessuna riga è vuota"
);
doc_only_check!(
    expression,
    "VG301",
    "expression",
    2,
    Error,
    "a cross-field condition holds",
    "una condizione tra più campi è vera"
);

pub mod address;
pub mod cross_source;
pub mod registry;

use crate::messages::Message;

// The registry: every check kind, once. Column kinds (`[table]`, judged
// from the header) are listed in the order the loader parses them, and
// reported in code order, before every other check of the rules. Field kinds (`[fields.NAME]`
// constraints) are listed in the order the loader parses them, which is
// the order of their checks in reports; a new one goes at the end. Table
// kinds (`[table]`) are listed in the order the loader parses them; their
// checks are reported stage by stage (`registry::TableStage`), in this
// order within a stage.
registry::registry! {
    other: [
        encoding, ragged_row, unterminated_quote, header, blank_row, address, expression,
        cross_source,
    ],
    columns: [
        ForbiddenColumn => forbidden_column::ForbiddenColumn,
        UnexpectedColumn => unexpected_column::UnexpectedColumn,
        MissingColumn => missing_column::MissingColumn,
    ],
    fields: [
        Required => required::Required,
        Valid => valid::Valid,
        PlaceInUse => place_in_use::PlaceInUse,
        Unique => unique::Unique,
        Allowed => allowed_values::Allowed,
        Pattern => pattern::Pattern,
        Range => range::Range,
        Length => length::Length,
        Completeness => completeness::Completeness,
        Case => case::Case,
        Printable => printable::Printable,
    ],
    table: [
        RowCount => row_count::RowCount,
        DuplicateRow => duplicate_row::DuplicateRow,
        CompositeKey => composite_key::CompositeKey,
        ForeignKey => foreign_key::ForeignKey,
    ],
}

/// Every form of every registered kind's sentences (column, field and table
/// kinds), from each kind's
/// `examples()`: the checks' descriptions and the findings' messages, as the
/// translation tests read them (a new kind's are read without being listed),
/// with the messages of the kinds outside the registry that have their own
/// sentences: the expressions' explanations (VG301, VG302, with every
/// identity function's) and the address check's (VG204).
pub fn example_sentences() -> (Vec<crate::messages::Description>, Vec<Message>) {
    use crate::messages::{Description, Sentence};
    let descriptions = ColumnDescription::examples()
        .into_iter()
        .map(Description::Column)
        .chain(
            FieldDescription::examples()
                .into_iter()
                .map(Description::Field),
        )
        .chain(
            TableDescription::examples()
                .into_iter()
                .map(Description::Table),
        )
        .collect();
    let calls = crate::identity::functions::Explanation::examples()
        .into_iter()
        .map(|e| crate::expr::Explanation::Call(crate::messages::Said::new(e)));
    let messages = ColumnMessage::examples()
        .into_iter()
        .map(Message::Column)
        .chain(FieldMessage::examples().into_iter().map(Message::Field))
        .chain(TableMessage::examples().into_iter().map(Message::Table))
        .chain(
            crate::expr::Explanation::examples()
                .into_iter()
                .chain(calls)
                .map(Message::Expression),
        )
        .chain(
            address::Failure::examples()
                .into_iter()
                .map(Message::Address),
        )
        .collect();
    (descriptions, messages)
}

/// Finds a check kind by code (`VG101`) or name (`required`), ignoring case.
pub fn find(code_or_name: &str) -> Option<&'static CheckKind> {
    ALL.iter().find(|k| {
        k.code.eq_ignore_ascii_case(code_or_name) || k.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// Loads a rule file's `text` (named `x.toml`, relative paths from the
/// current folder, today 1 January 2026), for the kinds' tests.
#[cfg(test)]
pub(crate) fn load_rules(text: &str) -> Result<crate::rules::RuleSet, crate::rules::RuleFileError> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let (path, base) = (std::path::Path::new("x.toml"), std::path::Path::new("."));
    crate::rules::load_str(text, path, base, today)
}

/// The column kinds' checks a rule file's `text` gives (see
/// [`load_rules`]): id, severity, code.
#[cfg(test)]
pub(crate) fn column_checks(text: &str) -> Vec<(String, Severity, &'static str)> {
    load_rules(text)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .table
        .columns
        .iter()
        .map(|c| (c.meta.id.clone(), c.meta.severity, c.kind.kind().code))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_sorted() {
        let mut codes: Vec<&str> = ALL.iter().map(|k| k.code).collect();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn every_doc_starts_with_its_code_and_name() {
        for k in ALL {
            let first = k.doc.lines().next().unwrap_or("");
            assert!(first.contains(k.code), "{}: {first}", k.code);
            assert!(k.doc.contains("## What it checks"), "{}", k.code);
            assert!(k.doc.contains("## Example"), "{}", k.code);
        }
    }

    #[test]
    fn every_kind_has_an_italian_summary() {
        for k in ALL {
            assert!(!k.summary_it.is_empty(), "{}", k.code);
            assert_ne!(k.summary_it, k.summary, "{}", k.code);
        }
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(find("vg101").map(|k| k.name), Some("required"));
        assert_eq!(find("pattern").map(|k| k.code), Some("VG105"));
        assert!(find("VG999").is_none());
    }
}
