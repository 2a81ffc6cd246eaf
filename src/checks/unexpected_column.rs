#![doc = include_str!("docs/unexpected_column.md")]

use std::fmt;

use super::registry::{ColumnKind, HeaderCx, Sentences};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::table::TableCx;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG006",
    name: "unexpected-column",
    level: 0,
    default_severity: Severity::Warning,
    summary: "every column of the file is declared",
    summary_it: "ogni colonna del file è dichiarata",
    doc: include_str!("docs/unexpected_column.md"),
};

/// On unless `[table] unexpected_columns` switches it off: every column of
/// the file is a field of `[fields]` or a `required_columns`. A forbidden
/// column is left to VG007.
#[derive(Clone, Debug)]
pub struct UnexpectedColumn;

/// "every column of the file is declared in [fields]".
#[derive(Clone, Debug, PartialEq)]
pub struct Description;

/// A column of the file is not declared: "column NOTE is not declared in
/// the rule file".
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The column.
    pub column: String,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("every column of the file is declared in [fields]")
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ogni colonna del file è dichiarata in [fields]")
    }

    fn examples() -> Vec<Self> {
        vec![Description]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {} is not declared in the rule file", self.column)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "la colonna {} non è dichiarata nel file di regole",
            self.column
        )
    }

    fn examples() -> Vec<Self> {
        vec![Failure {
            column: String::new(),
        }]
    }
}

impl Sentences for UnexpectedColumn {
    type Description = Description;
    type Failure = Failure;
}

impl ColumnKind for UnexpectedColumn {
    const KEYS: &'static [&'static str] = &["unexpected_columns"];

    fn parse(cx: &mut TableCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let id = "columns.unexpected";
        if let Some(meta) = cx.switchable(&KIND, "unexpected_columns", id, Description) {
            out.push((UnexpectedColumn, meta));
        }
    }

    fn header(&self, cx: &HeaderCx<'_>) -> (u64, Vec<(String, Failure)>) {
        let failed = cx
            .columns
            .iter()
            .filter(|c| !cx.expected.contains(&c.as_str()) && !cx.forbidden.contains(&c.as_str()))
            .map(|c| (c.clone(), Failure { column: c.clone() }))
            .collect();
        (cx.columns.len() as u64, failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::column_checks;
    use crate::messages::{In, Lang};

    #[test]
    fn sentences_in_both_languages() {
        let f = Failure {
            column: "NOTE".into(),
        };
        assert_eq!(
            In(&f, Lang::En).to_string(),
            "column NOTE is not declared in the rule file"
        );
        assert_eq!(
            In(&f, Lang::It).to_string(),
            "la colonna NOTE non è dichiarata nel file di regole"
        );
        assert_eq!(
            In(&Description, Lang::En).to_string(),
            "every column of the file is declared in [fields]"
        );
        assert_eq!(
            In(&Description, Lang::It).to_string(),
            "ogni colonna del file è dichiarata in [fields]"
        );
    }

    #[test]
    fn every_undeclared_column_but_a_forbidden_one_fails() {
        let columns = ["CF", "NOTE", "IBAN", "DATA"].map(String::from);
        let cx = HeaderCx {
            columns: &columns,
            expected: &["CF", "DATA"],
            forbidden: &["IBAN"],
        };
        let (evaluated, failed) = UnexpectedColumn.header(&cx);
        assert_eq!(evaluated, 4);
        assert_eq!(
            failed,
            [(
                "NOTE".to_string(),
                Failure {
                    column: "NOTE".into()
                }
            )]
        );
    }

    #[test]
    fn it_is_on_unless_the_rule_file_switches_it_off() {
        let unexpected = |text: &str| {
            let checks = column_checks(text);
            checks.into_iter().filter(|c| c.2 == "VG006").collect::<Vec<_>>()
        };
        let on = |severity| vec![("columns.unexpected".to_string(), severity, "VG006")];
        assert_eq!(unexpected("[fields.A]\n"), on(Severity::Warning));
        assert_eq!(unexpected("[table]\nunexpected_columns = \"error\"\n"), on(Severity::Error));
        assert!(unexpected("[table]\nunexpected_columns = \"IGNORE\"\n").is_empty());
        assert!(unexpected("[table]\nunexpected_columns = false\n").is_empty());
        assert_eq!(
            unexpected("[table]\nunexpected_columns = { severity = \"info\", id = \"x\" }\n"),
            [("x".to_string(), Severity::Info, "VG006")]
        );
        // A fixed id is not registered: a check may reuse it.
        assert_eq!(
            unexpected("[table]\nunexpected_columns = true\nrow_count = { min = 1, id = \"columns.unexpected\" }\n"),
            on(Severity::Warning)
        );
        let err = crate::checks::load_rules("[table]\nunexpected_columns = 3\n")
            .err()
            .map(|e| format!("{e:?}"));
        assert!(
            err.is_some_and(|e| e.contains("`unexpected_columns`")),
            "no diagnostic"
        );
    }
}
