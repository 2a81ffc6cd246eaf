//! `vaglio check --emit FILE`: the values vaglio derives from each row, as
//! a CSV — every declared field parsed as its type (a date as
//! `YYYY-MM-DD`, a number with a dot), and for a codice fiscale its
//! normalised form with the birth date, sex and place it encodes — so that
//! a data owner can see what vaglio read without writing checks that always
//! fail. Values of personal fields are masked as in the reports unless
//! `--show-pii`.

use std::path::Path;

use crate::identity::codice_fiscale::{self, CfClass};
use crate::output::{AtomicFile, OutputError};
use crate::privacy::mask;
use crate::read::{ReadError, Source};
use crate::rules::{FieldSpec, RuleSet};
use crate::types::FieldType;

/// Why the derived values could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DerivedError {
    /// A source could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] ReadError),
    /// The output could not be written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Write(#[from] OutputError),
}

/// The columns a field contributes: its own, and for a codice fiscale the
/// birth date, sex and place it encodes.
fn columns_of(field: &FieldSpec) -> Vec<String> {
    let mut out = vec![field.name.clone()];
    if matches!(field.field_type, FieldType::CodiceFiscale { .. }) {
        for part in ["data_nascita", "sesso", "luogo"] {
            out.push(format!("{}.{part}", field.name));
        }
    }
    out
}

/// The derived values of one cell, as [`columns_of`] names them (empty when
/// the cell is missing or does not parse).
fn values_of(field: &FieldSpec, text: &str, missing: &[String]) -> Vec<String> {
    let width = columns_of(field).len();
    let text = text.trim();
    if text.is_empty() || missing.iter().any(|m| m.eq_ignore_ascii_case(text)) {
        return vec![String::new(); width];
    }
    let Ok(value) = field.field_type.parse(text) else {
        return vec![String::new(); width];
    };
    let mut out = vec![value.to_string()];
    if let FieldType::CodiceFiscale { reference, .. } = &field.field_type {
        match codice_fiscale::classify(text, *reference) {
            CfClass::Personal(d) => {
                out.push(d.birth_date.format("%Y-%m-%d").to_string());
                out.push(d.sex.as_char().to_string());
                out.push(d.place.as_str().to_string());
            }
            _ => out.extend([String::new(), String::new(), String::new()]),
        }
    }
    out
}

/// Writes `out` (atomically): a header `source,row,line` and the derived
/// columns of every declared field present in a file, then one row per
/// record of every `(source name, file)`.
pub fn write(
    out: &Path,
    sources: &[(String, &Path)],
    rules: &RuleSet,
    show_pii: bool,
) -> Result<(), DerivedError> {
    let csv_err = |e: csv::Error| OutputError {
        path: out.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut writer = csv::Writer::from_writer(AtomicFile::create(out)?);
    let mut header = vec!["source".to_string(), "row".into(), "line".into()];
    header.extend(rules.fields.iter().flat_map(columns_of));
    crate::output::write_csv_record(&mut writer, &header).map_err(csv_err)?;
    let missing = &rules.input.missing_values;
    for (name, path) in sources {
        let mut source = Source::open(path, &rules.input.read)?;
        let cols: Vec<Option<usize>> = rules
            .fields
            .iter()
            .map(|f| source.header.columns.iter().position(|c| *c == f.name))
            .collect();
        let (mut chunk, mut issues) = (Vec::new(), Vec::new());
        while source.next_chunk(4096, &mut chunk, &mut issues)? {
            issues.clear();
            for record in &chunk {
                let mut row = vec![
                    name.clone(),
                    record.row.to_string(),
                    record.line.to_string(),
                ];
                for (field, col) in rules.fields.iter().zip(&cols) {
                    let text = col.and_then(|c| record.fields.get(c)).unwrap_or("");
                    let show = show_pii || !field.pii;
                    let missing = field.missing_values.as_deref().unwrap_or(missing);
                    row.extend(values_of(field, text, missing).into_iter().map(|v| {
                        if v.is_empty() {
                            v
                        } else {
                            mask(&v, show)
                        }
                    }));
                }
                crate::output::write_csv_record(&mut writer, &row).map_err(csv_err)?;
            }
        }
    }
    let file = writer.into_inner().map_err(|e| OutputError {
        path: out.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    file.commit()?;
    Ok(())
}
