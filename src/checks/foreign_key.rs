#![doc = include_str!("docs/foreign_key.md")]

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::registry::{Sentences, TableKind, TableStage};
use super::CheckKind;
use crate::messages::{joined, Sentence};
use crate::read::{EncodingChoice, KeySet, ReadOptions};
use crate::rules::load::table::TableCx;
use crate::rules::load::with_meta;
use crate::rules::walk::Node;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG203",
    name: "foreign-key",
    level: 3,
    default_severity: Severity::Error,
    summary: "the value exists in the referenced file",
    summary_it: "il valore esiste nel file di riferimento",
    doc: include_str!("docs/foreign_key.md"),
};

/// An entry of `foreign_keys = [{ columns = […], reference = { file = …,
/// columns = […] } }]` in `[table]`: each row's values of the columns (none
/// missing) are a key of the referenced file. Evaluated row by row
/// ([`TableStage::Reference`]) against the referenced file's keys, read
/// with the rules.
#[derive(Clone, Debug)]
pub struct ForeignKey {
    /// The extract's columns, declared in `[fields]`.
    pub columns: Vec<String>,
    /// The referenced file's name, as findings show it.
    pub file: String,
    /// The referenced file's columns.
    pub reference: Vec<String>,
    /// The referenced file's keys.
    pub keys: Arc<KeySet>,
}

/// "COD_SCUOLA exists in scuole.csv (CODICE)".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The extract's columns.
    pub columns: Vec<String>,
    /// The referenced file, as the rule file names it.
    pub file: String,
    /// The referenced file's columns.
    pub reference: Vec<String>,
}

/// The key is not in the referenced file: "not found in scuole.csv
/// (CODICE)".
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The referenced file's name.
    pub file: String,
    /// Its columns.
    pub columns: Vec<String>,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} exists in {} ({})",
            joined(&self.columns),
            self.file,
            joined(&self.reference)
        )
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} esiste in {} ({})",
            joined(&self.columns),
            self.file,
            joined(&self.reference)
        )
    }

    fn examples() -> Vec<Self> {
        vec![Description {
            columns: vec![String::new()],
            file: String::new(),
            reference: vec![String::new()],
        }]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not found in {} ({})", self.file, joined(&self.columns))
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "non trovato in {} ({})", self.file, joined(&self.columns))
    }

    fn examples() -> Vec<Self> {
        vec![Failure {
            file: String::new(),
            columns: vec![String::new()],
        }]
    }
}

impl Sentences for ForeignKey {
    type Description = Description;
    type Failure = Failure;
}

impl TableKind for ForeignKey {
    const KEYS: &'static [&'static str] = &["foreign_keys", "foreignKeys"];

    fn parse(cx: &mut TableCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let Some(n) = cx.table.get_any(&["foreign_keys", "foreignKeys"]) else {
            return;
        };
        let Some(items) = n.array(cx.diags(), "`foreign_keys`") else {
            return;
        };
        for item in items {
            if let Some(fk) = entry(cx, item) {
                out.push(fk);
            }
        }
    }

    fn stage(&self) -> TableStage {
        TableStage::Reference
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn absent(&self, key: &[String]) -> Option<Failure> {
        (!self.keys.contains(key)).then(|| Failure {
            file: self.file.clone(),
            columns: self.reference.clone(),
        })
    }
}

/// An entry of `foreign_keys`, its referenced file read.
fn entry(cx: &mut TableCx<'_, '_, '_, '_>, item: Node<'_, '_>) -> Option<(ForeignKey, CheckMeta)> {
    let keys = with_meta(&["columns", "fields", "reference"]);
    let t = item.table(cx.diags(), "an entry of `foreign_keys`", &keys)?;
    let Some(cols_node) = t.get_any(&["columns", "fields"]) else {
        let help = "foreign_keys = [{ columns = [\"COD\"], reference = { file = \"codes.csv\", columns = [\"COD\"] } }]";
        let message = "a foreign key needs `columns`";
        cx.diags()
            .error(item.span.clone(), message, "no columns", Some(help.into()));
        return None;
    };
    let cols = cols_node.strings(cx.diags(), "`columns`")?;
    let columns = cx.known_columns(cols);
    let Some(ref_node) = t.get("reference") else {
        cx.diags().error(
            item.span.clone(),
            "a foreign key needs a `reference`",
            "no reference",
            Some("reference = { file = \"codes.csv\", columns = [\"COD\"] }".into()),
        );
        return None;
    };
    let reference_keys = ["file", "columns", "fields", "delimiter", "encoding"];
    let rt = ref_node.table(cx.diags(), "`reference`", &reference_keys)?;
    let Some(file_node) = rt.get("file") else {
        let span = ref_node.span.clone();
        cx.diags()
            .error(span, "`reference` needs a `file`", "no file", None);
        return None;
    };
    let file = file_node.str(cx.diags(), "`file`")?;
    let ref_cols: Vec<(String, Range<usize>)> = match rt.get_any(&["columns", "fields"]) {
        Some(n) => n.strings(cx.diags(), "`columns`")?,
        None => columns
            .iter()
            .map(|c| (c.clone(), ref_node.span.clone()))
            .collect(),
    };
    if ref_cols.len() != columns.len() || columns.is_empty() {
        if !columns.is_empty() {
            cx.diags().error(
                ref_node.span.clone(),
                "the reference names a different number of columns than the foreign key",
                "column count differs",
                None,
            );
        }
        return None;
    }
    let mut options = ReadOptions::default();
    if let Some(d) = rt
        .get("delimiter")
        .and_then(|n| n.str(cx.diags(), "`delimiter`"))
    {
        options.delimiter = d.bytes().next();
    }
    if let Some(e) = rt
        .get("encoding")
        .and_then(|n| n.str(cx.diags(), "`encoding`"))
    {
        options.encoding = EncodingChoice::parse(e).unwrap_or_default();
    }
    let (path, keys) = cx.reference_keys(file, file_node.span.clone(), &options, &ref_cols)?;
    let reference: Vec<String> = ref_cols.into_iter().map(|(s, _)| s).collect();
    let id = format!("table.foreign_key[{}]", columns.join("+"));
    let description = Description {
        columns: columns.clone(),
        file: file.to_string(),
        reference: reference.clone(),
    };
    let meta = cx.meta(&KIND, Some(&t), id, description, item.span.clone());
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fk = ForeignKey {
        columns,
        file,
        reference,
        keys,
    };
    Some((fk, meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    #[test]
    fn sentences_in_both_languages() {
        let f = Failure {
            file: "scuole.csv".into(),
            columns: vec!["CODICE".into()],
        };
        assert_eq!(In(&f, Lang::En).to_string(), "not found in scuole.csv (CODICE)");
        assert_eq!(In(&f, Lang::It).to_string(), "non trovato in scuole.csv (CODICE)");
        let d = Description {
            columns: vec!["COD".into(), "ANNO".into()],
            file: "ref/scuole.csv".into(),
            reference: vec!["CODICE".into(), "ANNO".into()],
        };
        assert_eq!(
            In(&d, Lang::En).to_string(),
            "COD + ANNO exists in ref/scuole.csv (CODICE + ANNO)"
        );
        assert_eq!(
            In(&d, Lang::It).to_string(),
            "COD + ANNO esiste in ref/scuole.csv (CODICE + ANNO)"
        );
    }

    #[test]
    fn the_referenced_file_is_read_with_the_rules() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
        };
        write("scuole.csv", "CODICE,NOME\nA1,Rodari\nB2,Montessori\n");
        let load = |rules: &str| {
            write("x.toml", rules);
            let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
            crate::rules::load(&dir.path().join("x.toml"), today)
        };
        let rules = load(
            "[fields.COD]\n[table]\nforeign_keys = [{ columns = [\"COD\"], reference = { file = \"scuole.csv\", columns = [\"CODICE\"] }, severity = \"warning\" }]\n",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let [c] = rules.table.checks.as_slice() else {
            panic!("{:?}", rules.table.checks);
        };
        assert_eq!(c.meta.id, "table.foreign_key[COD]");
        assert_eq!(c.meta.severity, Severity::Warning);
        assert_eq!(c.kind.stage(), TableStage::Reference);
        assert_eq!(c.kind.absent(&["A1".into()]), None);
        assert_eq!(
            c.kind.absent(&["X9".into()]).map(|m| m.to_string()).as_deref(),
            Some("not found in scuole.csv (CODICE)")
        );
        let err = load(
            "[fields.COD]\n[table]\nforeign_keys = [{ columns = [\"COD\"], reference = { file = \"scuole.csv\", columns = [\"CODCE\"] } }]\n",
        )
        .err()
        .map(|e| format!("{e:?}"));
        assert!(
            err.is_some_and(|e| e.contains("has no column CODCE") && e.contains("did you mean CODICE")),
            "no diagnostic"
        );
        let err = load(
            "[fields.COD]\n[table]\nforeign_keys = [{ columns = [\"COD\"], reference = { file = \"scuole.csv\", columns = [\"CODICE\", \"NOME\"] } }]\n",
        )
        .err()
        .map(|e| format!("{e:?}"));
        assert!(
            err.is_some_and(|e| e.contains("a different number of columns")),
            "no diagnostic"
        );
    }
}
