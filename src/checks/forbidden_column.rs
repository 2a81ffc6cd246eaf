#![doc = include_str!("docs/forbidden_column.md")]

use std::fmt;

use super::registry::{ColumnKind, HeaderCx, Sentences};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::table::TableCx;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG007",
    name: "forbidden-column",
    level: 0,
    default_severity: Severity::Error,
    summary: "no forbidden column is delivered",
    summary_it: "nessuna colonna vietata è consegnata",
    doc: include_str!("docs/forbidden_column.md"),
};

/// `[table] forbidden_columns = [...]`: none of these columns is in the
/// file. Always an error, with the fixed id `columns.forbidden`: a column
/// that must not leave the office is not a matter of taste.
#[derive(Clone, Debug)]
pub struct ForbiddenColumn {
    /// The forbidden columns, as listed.
    pub columns: Vec<String>,
}

/// "no forbidden column is delivered".
#[derive(Clone, Debug, PartialEq)]
pub struct Description;

/// A forbidden column is delivered: "column IBAN must not be delivered".
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The column.
    pub column: String,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no forbidden column is delivered")
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nessuna colonna vietata è consegnata")
    }

    fn examples() -> Vec<Self> {
        vec![Description]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {} must not be delivered", self.column)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "la colonna {} non deve essere consegnata", self.column)
    }

    fn examples() -> Vec<Self> {
        vec![Failure {
            column: String::new(),
        }]
    }
}

impl Sentences for ForbiddenColumn {
    type Description = Description;
    type Failure = Failure;
}

impl ColumnKind for ForbiddenColumn {
    const KEYS: &'static [&'static str] = &["forbidden_columns"];

    fn parse(cx: &mut TableCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let Some(n) = cx.table.get("forbidden_columns") else {
            return;
        };
        let columns: Vec<String> = n
            .strings(cx.diags(), "`forbidden_columns`")
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        if !columns.is_empty() {
            let meta = cx.fixed(&KIND, "columns.forbidden", Description);
            out.push((ForbiddenColumn { columns }, meta));
        }
    }

    fn forbidden(&self) -> &[String] {
        &self.columns
    }

    fn header(&self, cx: &HeaderCx<'_>) -> (u64, Vec<(String, Failure)>) {
        let failed = self
            .columns
            .iter()
            .filter(|c| cx.columns.contains(c))
            .map(|c| (c.clone(), Failure { column: c.clone() }))
            .collect();
        (self.columns.len() as u64, failed)
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
            column: "IBAN".into(),
        };
        assert_eq!(In(&f, Lang::En).to_string(), "column IBAN must not be delivered");
        assert_eq!(
            In(&f, Lang::It).to_string(),
            "la colonna IBAN non deve essere consegnata"
        );
        assert_eq!(
            In(&Description, Lang::En).to_string(),
            "no forbidden column is delivered"
        );
        assert_eq!(
            In(&Description, Lang::It).to_string(),
            "nessuna colonna vietata è consegnata"
        );
    }

    #[test]
    fn every_forbidden_column_in_the_header_fails() {
        let columns = ["CF", "IBAN"].map(String::from);
        let check = ForbiddenColumn {
            columns: vec!["IBAN".into(), "TELEFONO".into()],
        };
        let cx = HeaderCx {
            columns: &columns,
            expected: &["CF"],
            forbidden: &["IBAN", "TELEFONO"],
        };
        let (evaluated, failed) = check.header(&cx);
        assert_eq!(evaluated, 2);
        let failed: Vec<&str> = failed.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(failed, ["IBAN"]);
        assert_eq!(check.forbidden(), ["IBAN", "TELEFONO"]);
    }

    #[test]
    fn a_list_gives_the_fixed_check_at_error() {
        let forbidden = |text: &str| {
            let checks = column_checks(text);
            checks.into_iter().filter(|c| c.2 == "VG007").collect::<Vec<_>>()
        };
        assert!(forbidden("[fields.A]\n").is_empty());
        assert!(forbidden("[table]\nforbidden_columns = []\n").is_empty());
        assert_eq!(
            forbidden("[table]\nforbidden_columns = [\"IBAN\"]\n"),
            [("columns.forbidden".to_string(), Severity::Error, "VG007")]
        );
        let err = crate::checks::load_rules("[table]\nforbidden_columns = { severity = \"info\" }\n")
            .err()
            .map(|e| format!("{e:?}"));
        assert!(err.is_some_and(|e| e.contains("`forbidden_columns`")), "no diagnostic");
    }
}
