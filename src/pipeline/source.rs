//! A source as the master needs it: its cells read whole (sources) or only
//! the rows asked for (the anagrafe), values parsed with the field's
//! declared formats, and file hashes.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use miette::IntoDiagnostic;
use sha2::{Digest, Sha256};

use crate::project::Project;
use crate::read::{self, Record, Source};
use crate::rules::RuleSet;
use crate::types::FieldType;
use crate::value::Value;

/// Records of a file: header and records (all, or some by position).
pub(crate) struct Raw {
    pub columns: Vec<String>,
    pub records: Vec<Record>,
    missing: Vec<String>,
}

impl Raw {
    /// Reads every record.
    pub fn read(file: &Path, rules: &RuleSet) -> miette::Result<Raw> {
        let (source, records) = read::read_all(file, &rules.input.read)?;
        Ok(Raw {
            columns: source.header.columns.clone(),
            records,
            missing: rules.input.missing_or_default(),
        })
    }

    /// Reads the records at these 0-based positions only (in file order),
    /// streaming through the rest.
    pub fn read_some(
        file: &Path,
        rules: &RuleSet,
        wanted: &BTreeSet<usize>,
    ) -> miette::Result<Raw> {
        let mut source = Source::open(file, &rules.input.read)?;
        let columns = source.header.columns.clone();
        let mut records = Vec::with_capacity(wanted.len());
        let (mut chunk, mut issues) = (Vec::new(), Vec::new());
        let mut at = 0usize;
        while !wanted.is_empty() && source.next_chunk(16_384, &mut chunk, &mut issues)? {
            let end = at + chunk.len();
            for &p in wanted.range(at..end) {
                records.push(chunk[p - at].clone());
            }
            at = end;
            issues.clear();
        }
        Ok(Raw {
            columns,
            records,
            missing: rules.input.missing_or_default(),
        })
    }

    /// The index of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The trimmed cell, `None` when missing.
    pub fn cell<'a>(&self, r: &'a Record, col: Option<usize>) -> Option<&'a str> {
        cell(&self.missing, r, col)
    }

    /// Records by data row.
    pub fn by_row(&self) -> HashMap<u64, &Record> {
        self.records.iter().map(|r| (r.row, r)).collect()
    }
}

/// The trimmed cell of `r` at `col`, `None` when it is a missing value.
pub(crate) fn cell<'a>(missing: &[String], r: &'a Record, col: Option<usize>) -> Option<&'a str> {
    let v = r.fields.get(col?)?.trim();
    (!v.is_empty() && !missing.iter().any(|m| m == v)).then_some(v)
}

/// SHA-256 digests of files, each file read once per run (in `--against`
/// the anagrafe is both checked against the master and recorded).
#[derive(Default)]
pub(crate) struct Digests(HashMap<PathBuf, String>);

impl Digests {
    /// The SHA-256 of `path`, in hexadecimal.
    pub fn of(&mut self, path: &Path) -> miette::Result<String> {
        if let Some(h) = self.0.get(path) {
            return Ok(h.clone());
        }
        let h = sha256_file(path)?;
        self.0.insert(path.to_path_buf(), h.clone());
        Ok(h)
    }
}

/// The SHA-256 of a file, in hexadecimal.
fn sha256_file(path: &Path) -> miette::Result<String> {
    let bytes = std::fs::read(path)
        .into_diagnostic()
        .map_err(|e| e.wrap_err(format!("cannot read {}", path.display())))?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
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
