//! Fuzz target bodies. Each function takes arbitrary bytes, runs one part of
//! vaglio that reads untrusted text on them, and returns; a panic is a bug.
//!
//! The cargo-fuzz targets in `fuzz/fuzz_targets/` are one line each, calling
//! these; the integration test `fuzz_replay` replays the seed corpus
//! (`fuzz/seeds/<target>/`) and every input that once crashed
//! (`fuzz/regressions/<target>/`) through them with plain `cargo test`.
//! `scripts/fuzz` runs the targets. Not a stable interface.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};

use crate::expr::{compile, compile_bool, Env, FunctionRegistry};
use crate::identity::{codice_fiscale as cf, dates};
use crate::read::{EncodingChoice, ReadOptions, Source};
use crate::value::{Value, ValueType};

/// A target's body.
pub type Body = fn(&[u8]);

/// The targets, by name (as in `fuzz/fuzz_targets/<name>.rs`), with their
/// bodies.
pub const TARGETS: &[(&str, Body)] = &[
    ("csv", csv),
    ("rules", rules),
    ("expr", expr),
    ("codice_fiscale", codice_fiscale),
    ("dates", self::dates),
];

/// The run's date for everything relative to today.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
}

/// Renders a diagnostic as the command line would (unicode, no colour), to
/// exercise span handling on arbitrary text.
fn render(diagnostic: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    // A formatting error is not a panic; the text is discarded anyway.
    let _ = handler.render_report(&mut out, diagnostic);
    out
}

/// The CSV reader: encoding and delimiter detection, header cleaning and
/// every record. The first byte picks the options (declared or detected
/// delimiter and encoding, a small or the default field limit); the rest
/// is the file.
pub fn csv(data: &[u8]) {
    let Some((&first, file)) = data.split_first() else {
        return;
    };
    let _ = crate::read::sniff_delimiter(file);
    let _ = crate::read::detect_encoding(file, true);
    let _ = crate::read::detect_encoding(file, false);
    let delimiter = match first & 0b111 {
        0..=3 => None,
        4 => Some(b';'),
        5 => Some(b','),
        6 => Some(b'\t'),
        _ => Some(b'"'),
    };
    let encoding = match (first >> 3) & 0b11 {
        0 | 1 => EncodingChoice::Auto,
        2 => EncodingChoice::Named(encoding_rs::WINDOWS_1252),
        _ => EncodingChoice::Named(encoding_rs::UTF_16LE),
    };
    let max_field_bytes = if first & 0b10_0000 != 0 {
        Some(u64::from(first >> 6) * 7 + 1)
    } else {
        None
    };
    let options = ReadOptions {
        delimiter,
        encoding,
        max_field_bytes,
        ..ReadOptions::default()
    };
    let mut source = match Source::csv_from_bytes(Path::new("fuzz.csv"), file.to_vec(), &options) {
        Ok(s) => s,
        Err(e) => {
            render(&e);
            return;
        }
    };
    let mut chunk = Vec::new();
    let mut issues = Vec::new();
    loop {
        match source.next_chunk(7, &mut chunk, &mut issues) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                render(&e);
                break;
            }
        }
        for issue in issues.drain(..) {
            let _ = issue.kind.to_string();
        }
    }
}

/// The rule loader: TOML text → rule set or diagnostics (rendered), then
/// its `[link]` section. Files the text names are never opened.
pub fn rules(data: &[u8]) {
    let path = Path::new("fuzz.toml");
    let base = Path::new("/nonexistent-vaglio-fuzz");
    let loaded = crate::rules::load::load_bytes(
        data.to_vec(),
        path,
        base,
        today(),
        crate::rules::load::References::Never,
    );
    match loaded {
        Ok(rules) => match crate::link::spec::from_rules(&rules) {
            Ok(_) => {}
            Err(e) => {
                render(&e);
            }
        },
        Err(e) => {
            render(&e);
        }
    }
}

/// The columns the expression target may refer to, one of each type.
const COLUMNS: &[(&str, ValueType)] = &[
    ("N", ValueType::Int),
    ("D", ValueType::Decimal),
    ("T", ValueType::Text),
    ("CF", ValueType::Text),
    ("DATA", ValueType::Date),
    ("TS", ValueType::DateTime),
    ("B", ValueType::Bool),
    ("DATA FINE", ValueType::Date),
];

/// Rows to evaluate compiled expressions on: all null, ordinary values, and
/// the extremes of every type.
fn rows() -> Vec<Vec<Value<'static>>> {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map_or(Value::Null, Value::Date);
    let ts = |d: NaiveDate| Value::DateTime(NaiveDateTime::from(d));
    vec![
        vec![Value::Null; COLUMNS.len()],
        vec![
            Value::Int(42),
            Value::Decimal(1.5),
            Value::Text("MARIO".into()),
            Value::Text("RSSMRA80A01H501U".into()),
            date(1980, 1, 1),
            ts(today()),
            Value::Bool(true),
            date(2024, 2, 29),
        ],
        vec![
            Value::Int(i64::MAX),
            Value::Decimal(f64::NAN),
            Value::Text("".into()),
            Value::Text("ÀÈÌ\u{FFFD}😀".into()),
            Value::Date(NaiveDate::MAX),
            ts(NaiveDate::MIN),
            Value::Bool(false),
            Value::Date(NaiveDate::MIN),
        ],
        vec![
            Value::Int(i64::MIN),
            Value::Decimal(-f64::INFINITY),
            Value::Text("x".repeat(300).into()),
            Value::Text("RSSMRA80A01H5O1U".into()),
            Value::Date(NaiveDate::MIN),
            ts(NaiveDate::MAX),
            Value::Null,
            Value::Date(NaiveDate::MAX),
        ],
    ]
}

/// The expression language: parse, type-check and compile the text (with
/// the identity functions), render the error if any; otherwise evaluate it,
/// compiled and interpreted, and explain it on a few rows.
pub fn expr(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let columns: Vec<(String, usize, ValueType)> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (n, t))| (n.to_string(), i, *t))
        .collect();
    let functions: FunctionRegistry = crate::identity::functions::registry(today());
    let env = Env {
        columns: &columns,
        today: today(),
        functions: &functions,
    };
    let _ = compile_bool(text, &env);
    let compiled = match compile(text, &env) {
        Ok(e) => e,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    for row in rows() {
        let row = &row;
        let _ = compiled.eval(row);
        let _ = compiled.eval_interpreted(row);
        let _ = compiled.eval_bool(row);
        let _ = compiled.eval_bool_match_tree(row);
        let _ = compiled.explain(row, true);
        let _ = compiled.explain(row, false);
    }
}

/// The codice fiscale: normalising, validating, decoding, classifying,
/// omocode handling, masking, and the consistency check against a person
/// (the input split on `;` into code, surname, name, date, sex, place).
pub fn codice_fiscale(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split(';');
    let code = parts.next().unwrap_or_default();
    let reference = today();
    let normalised = cf::normalize(code);
    let _ = cf::is_placeholder(&normalised);
    for bytes in [code.as_bytes(), normalised.as_bytes()] {
        if let Ok(c) = cf::validate(bytes) {
            let _ = c.to_string();
        }
        match cf::decode(bytes, reference) {
            Ok(d) => {
                let _ = (d.omocode_level(), d.is_omocode(), d.is_standard_omocode());
                let _ = (d.surname_code(), d.name_code());
                let _ = (d.place_validity(), d.place_plausible());
            }
            Err(e) => {
                let _ = e.message();
            }
        }
        if let Some(first15) = bytes.get(..15) {
            let _ = cf::check_char(first15);
        }
        if let Some(first10) = bytes.get(..10) {
            let _ = cf::luhn_it_check_digit(first10);
        }
    }
    let _ = cf::classify(code, reference);
    let _ = cf::base_form(code);
    let _ = cf::omocode_variants(code);
    let _ = cf::omocode_of_level(code, u32::from(data.first().copied().unwrap_or(0) % 9));
    let _ = cf::mask_cf(code);
    let _ = cf::surname_code(code);
    let _ = cf::name_code(code);
    let surname = parts.next().unwrap_or(code);
    let name = parts.next().unwrap_or(code);
    let _ = cf::cf_equivalent(code, surname);
    let birth = parts
        .next()
        .and_then(|d| dates::parse_date(d, reference).ok());
    let sex = parts.next().and_then(cf::Sex::parse);
    let place = parts.next();
    let consistency = cf::cf_consistent(code, surname, name, birth, sex, place);
    let _ = (consistency.is_consistent(), consistency.is_plausible());
    for f in &consistency.findings {
        let _ = (f.part(), f.message(), f.message_with_values());
    }
    if let (Some(birth), Some(sex), Some(place)) = (birth, sex, place) {
        let _ = cf::encode(surname, name, birth, sex, place);
    }
}

/// Date parsing: the lenient parser, then the value (first line) against
/// the formats on the following lines, two-digit years and Excel serials;
/// the first byte picks the reference date, extremes included.
pub fn dates(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let reference = match first % 4 {
        0 => today(),
        1 => NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default(),
        2 => NaiveDate::MAX,
        _ => NaiveDate::MIN,
    };
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let value = lines.next().unwrap_or_default();
    let formats: Vec<&str> = lines.collect();
    if let Ok(d) = dates::parse_date(value, reference) {
        let _ = dates::swap_day_month(d);
        let _ = dates::plausible_swap(d, reference);
    }
    if let Err(e) = dates::parse_date(value, reference) {
        let _ = e.message();
    }
    if !formats.is_empty() {
        match dates::parse_with_formats(value, &formats, reference) {
            Ok(Err(e)) => {
                let _ = e.message();
            }
            Err(e) => {
                let _ = e.to_string();
            }
            Ok(Ok(_)) => {}
        }
    }
    if let Ok(serial) = value.trim().parse::<f64>() {
        let _ = dates::from_excel_serial(serial);
    }
    if let [a, b, c, ..] = rest {
        let _ =
            dates::resolve_two_digit_year(u32::from(*a), u32::from(*b), u32::from(*c), reference);
        let _ = dates::days_in_month(i32::from(*a) - 128, u32::from(*b));
    }
}
