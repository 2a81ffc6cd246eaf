//! Drafting a rule file from an extract (`vaglio check --infer`): types,
//! `required`, `unique`, and `enum` for low-cardinality columns whose name does
//! not say personal data (`privacy::personal_column_name`), for a data
//! owner to review and edit.
//!
//! `vaglio infer` goes further for a new source ([`source::infer`]): it
//! recognises identity columns by their content ([`columns`]), drafts the
//! `[link]` section ([`link_draft`]) against the anagrafe ([`reference`]),
//! and lists the columns that tie the extract to the anagrafe and the other
//! sources of a project ([`relations`]).

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

use chrono::NaiveDate;

use crate::identity::codice_fiscale::{self, CfClass};
use crate::read::{ReadError, ReadOptions, Source};
use crate::rules::DEFAULT_MISSING_VALUES;

pub mod columns;
pub mod link_draft;
pub mod reference;
pub mod relations;
pub mod sample;
pub mod source;

/// Limits of the inference.
#[derive(Clone, Debug)]
pub struct InferOptions {
    /// Rows looked at.
    pub sample_rows: usize,
    /// Most distinct values for a column to get an `enum`.
    pub max_enum: usize,
    /// The command named in the draft's first line.
    pub by: String,
    /// Columns known to hold personal data whatever their names (recognised
    /// by content): no `enum` lists their values.
    pub personal: Vec<String>,
    /// Columns known to hold dates (recognised by content), with their
    /// formats, most frequent first: typed `date` whatever else they read as.
    pub dates: Vec<(String, Vec<&'static str>)>,
}

impl Default for InferOptions {
    fn default() -> Self {
        InferOptions {
            sample_rows: 100_000,
            max_enum: 12,
            by: "vaglio check --infer".into(),
            personal: Vec::new(),
            dates: Vec::new(),
        }
    }
}

const DATE_FORMATS: &[&str] = &["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"];

#[derive(Default)]
struct ColumnStats {
    present: usize,
    missing: usize,
    integer: usize,
    decimal_dot: usize,
    decimal_comma: usize,
    /// Decimals with a comma and `.` between groups of thousands (10.970,28).
    decimal_comma_grouped: usize,
    /// Of those, the values that have a thousands separator.
    grouped: usize,
    boolean: usize,
    sex: usize,
    belfiore: usize,
    /// Values that parse with one of the date formats.
    any_date: usize,
    codice_fiscale: usize,
    dates: Vec<usize>,
    max_len: usize,
    distinct: BTreeSet<String>,
    distinct_overflow: bool,
    all_distinct: BTreeSet<u64>,
    repeated: bool,
}

fn is_integer(s: &str) -> bool {
    let b = s.strip_prefix('-').unwrap_or(s);
    !b.is_empty() && b.len() <= 18 && b.bytes().all(|c| c.is_ascii_digit())
}

/// An Italian number with `.` between groups of thousands and an optional
/// decimal comma: `10.970,28`, `1.234`, `12,5`, `7`.
fn is_grouped_comma_decimal(s: &str) -> bool {
    let b = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = b.split_once(',').unwrap_or((b, ""));
    if b.contains(',') && (frac.is_empty() || !frac.bytes().all(|c| c.is_ascii_digit())) {
        return false;
    }
    let mut groups = int.split('.');
    let first = groups.next().unwrap_or("");
    let longest = if int.contains('.') { 3 } else { 18 };
    !first.is_empty()
        && first.len() <= longest
        && first.bytes().all(|c| c.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|c| c.is_ascii_digit()))
}

fn is_decimal(s: &str, sep: u8) -> bool {
    let b = s.strip_prefix('-').unwrap_or(s).as_bytes();
    let seps = b.iter().filter(|&&c| c == sep).count();
    seps == 1 && b.len() > 1 && b.iter().all(|&c| c.is_ascii_digit() || c == sep)
}

/// Reads up to `options.sample_rows` rows of `path` and drafts a rule file.
pub fn draft(path: &Path, options: &InferOptions) -> Result<String, ReadError> {
    let mut source = Source::open(path, &ReadOptions::default())?;
    let n = source.header.columns.len();
    let mut stats: Vec<ColumnStats> = (0..n)
        .map(|_| ColumnStats {
            dates: vec![0; DATE_FORMATS.len()],
            ..Default::default()
        })
        .collect();
    let mut chunk = Vec::new();
    let mut issues = Vec::new();
    let mut rows = 0usize;
    while rows < options.sample_rows && source.next_chunk(8192, &mut chunk, &mut issues)? {
        for record in &chunk {
            rows += 1;
            for (i, st) in stats.iter_mut().enumerate() {
                let v = record.fields.get(i).unwrap_or("").trim();
                if DEFAULT_MISSING_VALUES
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(v))
                {
                    st.missing += 1;
                    continue;
                }
                st.present += 1;
                st.max_len = st.max_len.max(v.chars().count());
                if is_integer(v) {
                    st.integer += 1;
                }
                if is_decimal(v, b'.') || is_integer(v) {
                    st.decimal_dot += 1;
                }
                if is_decimal(v, b',') || is_integer(v) {
                    st.decimal_comma += 1;
                }
                if is_grouped_comma_decimal(v) {
                    st.decimal_comma_grouped += 1;
                    st.grouped += usize::from(v.contains('.'));
                }
                if v.bytes().all(|b| b.is_ascii_alphabetic())
                    && codice_fiscale::Sex::parse(v).is_some()
                {
                    st.sex += 1;
                }
                if v.len() == 4 && crate::identity::belfiore::place(v).is_some() {
                    st.belfiore += 1;
                }
                if v.len() == 16 || v.len() == 11 {
                    let today = chrono::Local::now().date_naive();
                    if matches!(
                        codice_fiscale::classify(v, today),
                        CfClass::Personal(_) | CfClass::Provisional
                    ) && v.bytes().any(|b| b.is_ascii_alphabetic())
                    {
                        st.codice_fiscale += 1;
                    }
                }
                if ["S", "N", "SI", "NO", "TRUE", "FALSE", "Y", "YES"]
                    .iter()
                    .any(|b| b.eq_ignore_ascii_case(v))
                {
                    st.boolean += 1;
                }
                let mut a_date = false;
                for (k, f) in DATE_FORMATS.iter().enumerate() {
                    if NaiveDate::parse_from_str(v, f).is_ok() {
                        st.dates[k] += 1;
                        a_date = true;
                    }
                }
                st.any_date += usize::from(a_date);
                if !st.distinct_overflow {
                    st.distinct.insert(v.to_string());
                    if st.distinct.len() > options.max_enum {
                        st.distinct_overflow = true;
                        st.distinct.clear();
                    }
                }
                if !st.repeated {
                    use std::hash::BuildHasher;
                    let h = foldhash::fast::FixedState::with_seed(7).hash_one(v);
                    if !st.all_distinct.insert(h) {
                        st.repeated = true;
                        st.all_distinct.clear();
                    }
                }
            }
            if rows >= options.sample_rows {
                break;
            }
        }
    }

    let mut out = String::new();
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "# Rule file drafted by `{}` from {file_name} ({rows} rows looked at).",
        options.by
    );
    let _ = writeln!(
        out,
        "# Review every line: the draft describes the data as it is, not as it should be.\n"
    );
    let _ = writeln!(out, "[input]");
    if let Some(d) = source.info.delimiter {
        let d = if d == b'\t' {
            "tab".to_string()
        } else {
            (d as char).to_string()
        };
        let _ = writeln!(out, "delimiter = {}", quote(&d));
    }
    if let Some(e) = source.info.encoding {
        let _ = writeln!(out, "encoding = {}", quote(&e.to_ascii_lowercase()));
    }
    if let Some(first) = source.header.columns.first() {
        let _ = writeln!(out, "key = {}", quote(first));
    }
    for (name, st) in source.header.columns.iter().zip(&stats) {
        let _ = writeln!(out, "\n[fields.{}]", key(name));
        let p = st.present;
        let mut is_text = false;
        if p == 0 {
            let _ = writeln!(out, "type = \"string\"  # always empty in the sample");
            continue;
        } else if st.codice_fiscale * 10 >= p * 9 {
            // Nine in ten or more are valid codes: the rest are errors to see.
            let _ = writeln!(out, "type = \"codice_fiscale\"");
        } else if let Some((_, formats)) = options.dates.iter().find(|(c, _)| c == name) {
            // Dates recognised by content, also in formats listed above
            // (`20250131` is not an integer here).
            let formats: Vec<String> = formats.iter().map(|f| quote(f)).collect();
            let _ = writeln!(out, "type = \"date\"\nformat = [{}]", formats.join(", "));
        } else if st.integer == p && st.max_len <= 18 && !leading_zero_codes(st) {
            let _ = writeln!(out, "type = \"integer\"");
        } else if st.decimal_dot == p {
            let _ = writeln!(out, "type = \"decimal\"");
        } else if st.decimal_comma == p {
            let _ = writeln!(out, "type = \"decimal\"\ndecimal_separator = \",\"");
        } else if st.decimal_comma_grouped == p && st.grouped > 0 {
            let _ = writeln!(
                out,
                "type = \"decimal\"\ndecimal_separator = \",\"\nthousands_separator = \".\""
            );
        } else if st.any_date == p {
            // Every format some value has, the most frequent first.
            let mut used: Vec<usize> = (0..DATE_FORMATS.len())
                .filter(|&k| st.dates[k] > 0)
                .collect();
            used.sort_by_key(|&k| std::cmp::Reverse(st.dates[k]));
            let formats: Vec<String> = used.iter().map(|&k| quote(DATE_FORMATS[k])).collect();
            let _ = writeln!(out, "type = \"date\"\nformat = [{}]", formats.join(", "));
        } else if st.sex == p {
            let _ = writeln!(out, "type = \"sex\"");
        } else if st.belfiore * 10 >= p * 9 {
            let _ = writeln!(out, "type = \"belfiore\"");
        } else if st.boolean == p {
            let _ = writeln!(out, "type = \"boolean\"");
        } else {
            let _ = writeln!(out, "type = \"string\"");
            is_text = true;
        }
        if st.missing == 0 {
            let _ = writeln!(out, "required = true");
        } else {
            let pct = (p as f64 * 100.0 / rows.max(1) as f64).floor();
            let _ = writeln!(out, "# {:.0}% of the rows have a value", pct);
        }
        if !st.repeated && rows >= 2 && st.missing == 0 {
            let _ = writeln!(out, "unique = true");
        }
        let few = !st.distinct_overflow && st.distinct.len() >= 2 && p >= 3 * st.distinct.len();
        // A short list of surnames is still personal data: a draft lists the
        // values of code columns only.
        let personal = crate::privacy::personal_column_name(name)
            || options.personal.iter().any(|p| p == name);
        if is_text && few && personal {
            let _ = writeln!(
                out,
                "# few distinct values, but the name says personal data: no enum drafted"
            );
        }
        if is_text && few && !personal {
            let values: Vec<String> = st.distinct.iter().map(|v| quote(v)).collect();
            let _ = writeln!(out, "enum = [{}]", values.join(", "));
        } else if is_text {
            let _ = writeln!(out, "max_length = {}", st.max_len);
        }
    }
    Ok(out)
}

/// Numeric-looking codes with leading zeros (CAP, ISTAT codes) are text.
fn leading_zero_codes(st: &ColumnStats) -> bool {
    st.distinct
        .iter()
        .any(|v| v.len() > 1 && v.starts_with('0'))
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn key(name: &str) -> String {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        name.to_string()
    } else {
        quote(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_formats_are_recognised() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("x.csv");
        let mut csv = String::from("ID;IMPORTO;DATA;SESSO;LUOGO\n");
        for i in 1..=9 {
            let date = if i == 5 {
                "2020-03-15".to_string()
            } else {
                format!("0{i}/03/2020")
            };
            let sex = if i % 2 == 0 { "M" } else { "F" };
            csv.push_str(&format!("{i};10.97{i},28;{date};{sex};H50{i}\n"));
        }
        std::fs::write(&path, csv).unwrap_or_else(|e| panic!("{e}"));
        let draft = draft(&path, &InferOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        for wanted in [
            "[fields.ID]\ntype = \"integer\"",
            "[fields.IMPORTO]\ntype = \"decimal\"\ndecimal_separator = \",\"\nthousands_separator = \".\"",
            "[fields.DATA]\ntype = \"date\"\nformat = [\"%d/%m/%Y\", \"%Y-%m-%d\"]",
            "[fields.SESSO]\ntype = \"sex\"",
            "[fields.LUOGO]\ntype = \"belfiore\"",
        ] {
            assert!(draft.contains(wanted), "{wanted}\n{draft}");
        }
    }

    #[test]
    fn grouped_comma_decimals() {
        for ok in ["10.970,28", "1.234", "12,5", "7", "-1.000.000,5"] {
            assert!(is_grouped_comma_decimal(ok), "{ok}");
        }
        for bad in ["10.97,28", "1,2,3", "12,", ",5", "1.2345", "a"] {
            assert!(!is_grouped_comma_decimal(bad), "{bad}");
        }
    }
}
