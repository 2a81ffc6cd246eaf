#![doc = include_str!("docs/missing_column.md")]

use std::fmt;

use super::registry::{ColumnKind, HeaderCx, Sentences};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::table::TableCx;
use crate::rules::{did_you_mean, CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG005",
    name: "missing-column",
    level: 0,
    default_severity: Severity::Error,
    summary: "every declared column is in the file",
    summary_it: "ogni colonna dichiarata è nel file",
    doc: include_str!("docs/missing_column.md"),
};

/// On unless `[table] missing_columns` switches it off: every field of
/// `[fields]` and every `required_columns` is a column of the file.
#[derive(Clone, Debug)]
pub struct MissingColumn;

/// "every declared field is a column of the file".
#[derive(Clone, Debug, PartialEq)]
pub struct Description;

/// A declared column is not in the file: "declared column DATA_NASCITA is
/// missing (did you mean DT_NASCITA?)".
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The column.
    pub column: String,
    /// A column of the file with a close name.
    pub similar: Option<String>,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("every declared field is a column of the file")
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ogni campo dichiarato è una colonna del file")
    }

    fn examples() -> Vec<Self> {
        vec![Description]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "declared column {} is missing", self.column)?;
        match &self.similar {
            Some(s) => write!(f, " (did you mean {s}?)"),
            None => Ok(()),
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "manca la colonna dichiarata {}", self.column)?;
        match &self.similar {
            Some(s) => write!(f, " (forse {s}?)"),
            None => Ok(()),
        }
    }

    fn examples() -> Vec<Self> {
        let failure = |similar| Failure {
            column: String::new(),
            similar,
        };
        vec![failure(None), failure(Some(String::new()))]
    }
}

impl Sentences for MissingColumn {
    type Description = Description;
    type Failure = Failure;
}

impl ColumnKind for MissingColumn {
    const KEYS: &'static [&'static str] = &["missing_columns"];

    fn parse(cx: &mut TableCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        if let Some(meta) = cx.switchable(&KIND, "missing_columns", "columns.missing", Description)
        {
            out.push((MissingColumn, meta));
        }
    }

    fn header(&self, cx: &HeaderCx<'_>) -> (u64, Vec<(String, Failure)>) {
        let failed = cx
            .expected
            .iter()
            .filter(|name| !cx.columns.iter().any(|c| c == *name))
            .map(|name| {
                let failure = Failure {
                    column: name.to_string(),
                    similar: did_you_mean(name, cx.columns.iter().map(String::as_str)),
                };
                (name.to_string(), failure)
            })
            .collect();
        (cx.expected.len() as u64, failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::column_checks;
    use crate::messages::{In, Lang};

    #[test]
    fn sentences_in_both_languages() {
        let f = |similar: Option<&str>| Failure {
            column: "DATA_NASCITA".into(),
            similar: similar.map(str::to_string),
        };
        let say = |f: &Failure, lang| In(f, lang).to_string();
        assert_eq!(
            say(&f(Some("DT_NASCITA")), Lang::En),
            "declared column DATA_NASCITA is missing (did you mean DT_NASCITA?)"
        );
        assert_eq!(say(&f(None), Lang::En), "declared column DATA_NASCITA is missing");
        assert_eq!(
            say(&f(Some("DT_NASCITA")), Lang::It),
            "manca la colonna dichiarata DATA_NASCITA (forse DT_NASCITA?)"
        );
        assert_eq!(say(&f(None), Lang::It), "manca la colonna dichiarata DATA_NASCITA");
        assert_eq!(
            In(&Description, Lang::En).to_string(),
            "every declared field is a column of the file"
        );
        assert_eq!(
            In(&Description, Lang::It).to_string(),
            "ogni campo dichiarato è una colonna del file"
        );
    }

    #[test]
    fn every_expected_column_absent_from_the_header_fails() {
        let columns = ["CF".to_string(), "DT_NASCITA".to_string()];
        let cx = HeaderCx {
            columns: &columns,
            expected: &["CF", "DATA_NASCITA", "COMUNE"],
            forbidden: &[],
        };
        let (evaluated, failed) = MissingColumn.header(&cx);
        assert_eq!(evaluated, 3);
        let failed: Vec<_> = failed
            .iter()
            .map(|(c, f)| (c.as_str(), f.similar.as_deref()))
            .collect();
        assert_eq!(
            failed,
            [("DATA_NASCITA", Some("DT_NASCITA")), ("COMUNE", None)]
        );
    }

    #[test]
    fn it_is_on_unless_the_rule_file_switches_it_off() {
        let missing = |text: &str| {
            let checks = column_checks(text);
            checks.into_iter().filter(|c| c.2 == "VG005").collect::<Vec<_>>()
        };
        let on = |severity| vec![("columns.missing".to_string(), severity, "VG005")];
        assert_eq!(missing("[fields.A]\n"), on(Severity::Error));
        assert_eq!(missing("[table]\n"), on(Severity::Error));
        assert_eq!(missing("[table]\nmissing_columns = true\n"), on(Severity::Error));
        assert_eq!(missing("[table]\nmissing_columns = \"warning\"\n"), on(Severity::Warning));
        assert!(missing("[table]\nmissing_columns = \"ignore\"\n").is_empty());
        assert!(missing("[table]\nmissing_columns = false\n").is_empty());
        assert_eq!(
            missing("[table]\nmissing_columns = { severity = \"info\" }\n"),
            on(Severity::Info)
        );
        let err = crate::checks::load_rules("[table]\nmissing_columns = \"loud\"\n")
            .err()
            .map(|e| format!("{e:?}"));
        assert!(
            err.is_some_and(|e| e.contains("unknown setting `loud` for `missing_columns`")),
            "no diagnostic"
        );
    }
}
