//! A source as the master needs it: its cells (the run's table of the
//! file), values parsed with the field's declared formats, and file hashes.

use super::by_row::ByRow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::project::Project;
use crate::read::{self, Record, Table};
use crate::rules::RuleSet;
use crate::types::FieldType;
use crate::value::Value;

/// A file read for the run ([`Table`]), with its rule file's missing-value
/// tokens: the cells as the datamart and the review queue take them.
pub(crate) struct Raw {
    table: Arc<Table>,
    missing: Vec<String>,
}

impl Raw {
    /// The table, read with `rules`.
    pub fn new(table: Arc<Table>, rules: &RuleSet) -> Raw {
        Raw {
            table,
            missing: rules.input.missing_or_default(),
        }
    }

    /// The table.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The column names.
    pub fn columns(&self) -> &[String] {
        &self.table.header.columns
    }

    /// Every record, in file order.
    pub fn records(&self) -> &[Record] {
        &self.table.records
    }

    /// The index of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.table.column(name)
    }

    /// The trimmed cell, `None` when missing.
    pub fn cell<'a>(&self, r: &'a Record, col: Option<usize>) -> Option<&'a str> {
        cell(&self.missing, r, col)
    }

    /// Records by data row.
    pub fn by_row(&self) -> ByRow<'_, Record> {
        ByRow::new(self.records(), |r| r.row)
    }
}

/// The trimmed cell of `r` at `col`, `None` when it is a missing value.
pub(crate) fn cell<'a>(missing: &[String], r: &'a Record, col: Option<usize>) -> Option<&'a str> {
    let v = r.fields.get(col?)?.trim();
    (!v.is_empty() && !missing.iter().any(|m| m == v)).then_some(v)
}

/// SHA-256 digests of files, each file hashed once per run: the tables
/// the run read bring theirs ([`Digests::table`]); rule files, the project
/// file and the decisions are hashed when asked.
#[derive(Default)]
pub(crate) struct Digests(HashMap<PathBuf, String>);

impl Digests {
    /// The SHA-256 of `path`, in hexadecimal.
    pub fn of(&mut self, path: &Path) -> miette::Result<String> {
        if let Some(h) = self.0.get(path) {
            return Ok(h.clone());
        }
        let h = read::sha256_file(path)?;
        self.0.insert(path.to_path_buf(), h.clone());
        Ok(h)
    }

    /// Records the digest of a table read from `path` (the bytes it decoded).
    pub fn table(&mut self, path: &Path, table: &Table) {
        self.0.insert(path.to_path_buf(), table.sha256.clone());
    }
}

/// The path as the project names it (relative to the project's folder).
pub(crate) fn shown(project: &Project, p: &Path) -> String {
    if let Ok(rel) = p.strip_prefix(&project.base) {
        return rel.display().to_string();
    }
    match (p.canonicalize(), project.base.canonicalize()) {
        (Ok(abs), Ok(base)) => match abs.strip_prefix(&base) {
            Ok(rel) => rel.display().to_string(),
            Err(_) => p.display().to_string(),
        },
        _ => p.display().to_string(),
    }
}

/// Whether two paths name the same file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Parses a date with the field's declared formats, else the usual ones.
pub(crate) fn parse_date(
    rules: &RuleSet,
    column: &str,
    text: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    if let Some(f) = rules.fields.iter().find(|f| f.name == column) {
        if let Ok(Value::Date(d)) = f.field_type.parse(text) {
            return Some(d);
        }
    }
    crate::identity::dates::parse_date(text, today).ok()
}

/// Parses an amount with the field's declared separators, else `1.234,56` or
/// `1234.56`.
pub(crate) fn parse_amount(rules: &RuleSet, column: &str, text: &str) -> Option<f64> {
    if let Some(f) = rules.fields.iter().find(|f| f.name == column) {
        if matches!(
            f.field_type,
            FieldType::Decimal { .. } | FieldType::Integer { .. }
        ) {
            match f.field_type.parse(text) {
                Ok(Value::Decimal(x)) => return Some(x),
                Ok(Value::Int(i)) => return Some(i as f64),
                _ => {}
            }
        }
    }
    let t = text.trim().replace(' ', "");
    let t = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else {
        t
    };
    t.parse().ok().filter(|x: &f64| x.is_finite())
}
