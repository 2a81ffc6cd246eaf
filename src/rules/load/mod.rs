//! Loading a rule file: TOML with spans → [`RuleSet`], every problem a
//! diagnostic.
//!
//! One module per section of the file: [`input`], [`fields`], [`table`],
//! [`checks`], [`datamart`]; this one holds the entry points, the loader and what the
//! sections share (check identity, ids, date bounds).

mod address;
mod checks;
mod datamart;
mod facts;
pub(crate) mod fields;
mod input;
pub(crate) mod table;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use toml::de::{DeTable, DeValue};

use super::diagnostic::{did_you_mean, Diagnostics, RuleFileError};
use super::walk::{scalar_text, Node, Table};
use super::{
    Bound, CheckMeta, DatamartColumn, ExprCheckSpec, FieldSpec, InputSpec, RuleSet, Severity,
    TableSpec, DEFAULT_MISSING_VALUES,
};
use crate::checks::CheckKind;
use crate::expr::{compile_bool, Env, Expr};
use crate::identity::dates::DateFormats;
use crate::messages::Description;
use crate::read::{EncodingChoice, InputFormat, Inputs, ReadOptions};
use crate::types::{
    FieldType, DEFAULT_DATETIME_FORMATS, DEFAULT_DATE_FORMATS, DEFAULT_FALSE, DEFAULT_TRUE,
};

/// Why a rule file could not be loaded.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read the rule file {path}: {source}")]
    #[diagnostic(code(vaglio::rules::io), help("check the path given with --rules"))]
    Io {
        /// The rule file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file has errors.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] RuleFileError),
}

/// Loads the rule file at `path`; relative dates (`today - 18y`) are
/// resolved against `today`.
pub fn load(path: &Path, today: NaiveDate) -> Result<RuleSet, LoadError> {
    load_impl(path, today, true)
}

/// As [`load`], but files referenced by foreign keys are only opened for
/// their header (columns are still checked): their key sets stay empty.
/// For commands that run no checks (`vaglio link`), where reading the whole
/// registry for a foreign key would be wasted.
pub fn load_without_references(path: &Path, today: NaiveDate) -> Result<RuleSet, LoadError> {
    load_impl(path, today, false)
}

/// As [`load`], with the files that foreign keys reference taken from (and
/// kept in) the run's `inputs`, so that a file several rule files name is
/// decoded once per run.
pub fn load_with_inputs(
    path: &Path,
    today: NaiveDate,
    inputs: &Inputs,
) -> Result<RuleSet, LoadError> {
    let bytes = read_rule_file(path)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_bytes_with(bytes, path, &base, today, References::Read, Some(inputs))
}

fn read_rule_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    crate::read::read_regular(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn load_impl(path: &Path, today: NaiveDate, references: bool) -> Result<RuleSet, LoadError> {
    let bytes = read_rule_file(path)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let references = if references {
        References::Read
    } else {
        References::HeaderOnly
    };
    load_bytes(bytes, path, &base, today, references)
}

/// Whether the files a rule file mentions (code lists, foreign keys) are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum References {
    /// Read them whole.
    Read,
    /// Foreign-key targets only for their header; code lists whole.
    HeaderOnly,
    /// Never open them: each reference is an error diagnostic (fuzzing,
    /// where the text must not make vaglio open arbitrary files).
    Never,
}

/// Loads rule-file `bytes` (checking that they are UTF-8); `path` names them
/// in messages, `base` resolves relative paths.
pub(crate) fn load_bytes(
    bytes: Vec<u8>,
    path: &Path,
    base: &Path,
    today: NaiveDate,
    references: References,
) -> Result<RuleSet, LoadError> {
    load_bytes_with(bytes, path, base, today, references, None)
}

fn load_bytes_with(
    bytes: Vec<u8>,
    path: &Path,
    base: &Path,
    today: NaiveDate,
    references: References,
    inputs: Option<&Inputs>,
) -> Result<RuleSet, LoadError> {
    let text =
        match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let at = e.utf8_error().valid_up_to();
                // The invalid byte became U+FFFD in `text`: point at all of it.
                let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                let mut diags = Diagnostics::new(&path.display().to_string(), Arc::new(text));
                diags.error(
                    at..end,
                    "the rule file is not valid UTF-8",
                    "invalid byte",
                    Some("save the rule file as UTF-8".into()),
                );
                return Err(diags.finish().err().map(LoadError::Invalid).unwrap_or(
                    LoadError::Io {
                        path: path.to_path_buf(),
                        source: std::io::Error::other("invalid UTF-8"),
                    },
                ));
            }
        };
    load_str_impl(&text, path, base, today, references, inputs).map_err(LoadError::Invalid)
}

/// Loads a rule file from `text`; `path` names it in messages and `base`
/// resolves the relative paths it mentions (code lists, foreign keys).
pub fn load_str(
    text: &str,
    path: &Path,
    base: &Path,
    today: NaiveDate,
) -> Result<RuleSet, RuleFileError> {
    load_str_impl(text, path, base, today, References::Read, None)
}

fn load_str_impl(
    text: &str,
    path: &Path,
    base: &Path,
    today: NaiveDate,
    references: References,
    inputs: Option<&Inputs>,
) -> Result<RuleSet, RuleFileError> {
    let source = Arc::new(text.to_string());
    let mut diags = Diagnostics::new(&path.display().to_string(), Arc::clone(&source));
    let parsed = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            diags.error(
                span,
                format!("the rule file is not valid TOML: {}", e.message().trim()),
                "here",
                Some("see https://toml.io for the syntax; strings need quotes".into()),
            );
            diags.finish()?;
            unreachable_rules(path)?;
            unreachable!()
        }
    };
    let root = Table {
        table: parsed.get_ref(),
    };
    let mut loader = Loader {
        diags: &mut diags,
        base: base.to_path_buf(),
        today,
        ids: Vec::new(),
        references,
        inputs,
    };
    let rules = loader.rule_set(&root, path, Arc::clone(&source), text);
    loader.check_ids();
    diags.finish()?;
    Ok(rules)
}

/// A guard for the impossible: a TOML error that produced no diagnostic.
fn unreachable_rules(path: &Path) -> Result<(), RuleFileError> {
    Err(RuleFileError {
        path: path.display().to_string(),
        errors: Vec::new(),
    })
}

pub(crate) const META_KEYS: &[&str] = &[
    "severity",
    "max_fail_count",
    "max_fail_percent",
    "level",
    "description",
    "id",
];

struct Loader<'d> {
    diags: &'d mut Diagnostics,
    base: PathBuf,
    today: NaiveDate,
    ids: Vec<(String, Range<usize>)>,
    /// Whether the files the rules mention are read.
    references: References,
    /// The run's files, when the rules are loaded for a run.
    inputs: Option<&'d Inputs>,
}

pub(crate) fn with_meta(extra: &[&'static str]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = extra.to_vec();
    v.extend_from_slice(META_KEYS);
    v
}

impl Loader<'_> {
    fn rule_set(
        &mut self,
        root: &Table<'_, '_>,
        path: &Path,
        source: Arc<String>,
        text: &str,
    ) -> RuleSet {
        root.check_keys(
            self.diags,
            "the rule file",
            &[
                "name",
                "description",
                "version",
                "input",
                "fields",
                "table",
                "checks",
                "link",
                "datamart",
                "address",
                "facts",
            ],
        );
        let name = root
            .get("name")
            .and_then(|n| n.str(self.diags, "`name`"))
            .map(str::to_string);
        let description = root
            .get("description")
            .and_then(|n| n.str(self.diags, "`description`"))
            .map(str::to_string);
        if let Some(v) = root.get("version") {
            // Only its type is checked: the version is for the rule file's authors.
            let _ = v.str(self.diags, "`version`");
        }
        let input = match root.get("input") {
            Some(n) => self.input(n),
            None => InputSpec {
                missing_values: DEFAULT_MISSING_VALUES
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                ..Default::default()
            },
        };
        let fields = match root.get("fields") {
            Some(n) => self.fields(n),
            None => Vec::new(),
        };
        let declared: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let table = self.table(root.get("table"), &declared);
        let (checks, cross_checks) = match root.get("checks") {
            Some(n) => self.checks(n, &fields),
            None => (Vec::new(), Vec::new()),
        };
        let service = root.get("datamart").and_then(|n| self.datamart(n));
        let address = root.get("address").and_then(|n| self.address(n));
        let facts = root.get("facts").and_then(|n| self.facts(n));
        let link = if root.get("link").is_some() {
            toml::from_str::<toml::Table>(text)
                .ok()
                .and_then(|mut t| t.remove("link"))
                .and_then(|v| match v {
                    toml::Value::Table(t) => Some(t),
                    _ => None,
                })
        } else {
            None
        };
        RuleSet {
            path: path.to_path_buf(),
            name,
            description,
            input,
            fields,
            table,
            checks,
            cross_checks,
            today: self.today,
            source_text: source,
            link,
            service,
            address,
            facts,
        }
    }

    fn register_id(&mut self, id: &str, span: Range<usize>) {
        self.ids.push((id.to_string(), span));
    }

    fn check_ids(&mut self) {
        let mut seen: Vec<&str> = Vec::new();
        let mut dups = Vec::new();
        for (id, span) in &self.ids {
            if seen.contains(&id.as_str()) {
                dups.push((id.clone(), span.clone()));
            } else {
                seen.push(id);
            }
        }
        for (id, span) in dups {
            self.diags.error(
                span,
                format!("the check id `{id}` is used twice"),
                "duplicate id",
                Some(
                    "give every check its own id: reports and baselines refer to checks by id"
                        .into(),
                ),
            );
        }
    }

    // ----- check identity ------------------------------------------------

    /// Reads severity and tolerance from a constraint written as a table,
    /// with defaults otherwise.
    fn meta(
        &mut self,
        table: Option<&Table<'_, '_>>,
        id: String,
        description: Description,
        severity: Severity,
        level: u8,
        id_span: Range<usize>,
    ) -> CheckMeta {
        let mut meta = CheckMeta {
            id,
            description,
            severity,
            max_fail_count: None,
            max_fail_percent: None,
            level,
        };
        let mut span = id_span;
        if let Some(t) = table {
            if let Some(n) = t.get("severity") {
                if let Some(s) = n.str(self.diags, "`severity`") {
                    match Severity::parse(s) {
                        Some(sev) => meta.severity = sev,
                        None => self.diags.error(
                            n.span.clone(),
                            format!("unknown severity `{s}`"),
                            "unknown severity",
                            Some("use \"error\", \"warning\" or \"info\"".into()),
                        ),
                    }
                }
            }
            if let Some(n) = t.get("max_fail_count") {
                meta.max_fail_count = n.count(self.diags, "`max_fail_count`");
            }
            if let Some(n) = t.get("max_fail_percent") {
                meta.max_fail_percent = n.percent(self.diags, "`max_fail_percent`");
            }
            if let Some(n) = t.get("level") {
                match n.int() {
                    Some(l @ 0..=3) => meta.level = l as u8,
                    _ => self.diags.error(
                        n.span.clone(),
                        "`level` must be 0, 1, 2 or 3",
                        "expected 0–3",
                        Some("0 file structure, 1 codes and formats, 2 coherence within a record, 3 coherence with external sources".into()),
                    ),
                }
            }
            if let Some(n) = t.get("description") {
                if let Some(d) = n.str(self.diags, "`description`") {
                    meta.description = Description::Written(d.to_string());
                }
            }
            if let Some(n) = t.get("id") {
                if let Some(i) = n.str(self.diags, "`id`") {
                    meta.id = i.to_string();
                    span = n.span.clone();
                }
            }
        }
        self.register_id(&meta.id, span);
        meta
    }
}

/// The loader's services that every check kind's parser uses, whatever
/// its section: check identity, diagnostics, flags.
/// [`fields::FieldCx`] and [`table::TableCx`] dereference to it.
pub(crate) struct KindCx<'c, 'd> {
    loader: &'c mut Loader<'d>,
}

impl KindCx<'_, '_> {
    /// The diagnostics the problems go to.
    pub fn diags(&mut self) -> &mut Diagnostics {
        self.loader.diags
    }

    /// The check's identity: `kind`'s severity and level unless `table`
    /// (the check written as a table) says otherwise; the id is
    /// registered, so that a duplicate one is reported at `span`.
    pub fn meta(
        &mut self,
        kind: &CheckKind,
        table: Option<&Table<'_, '_>>,
        id: String,
        description: impl Into<Description>,
        span: Range<usize>,
    ) -> CheckMeta {
        let (severity, level) = (kind.default_severity, kind.level);
        let description = description.into();
        self.loader
            .meta(table, id, description, severity, level, span)
    }

    /// `key = true`, or a table meaning true unless it says
    /// `value = false` (see [`Loader::flag`]).
    pub fn flag<'a, 'i>(
        &mut self,
        n: Node<'a, 'i>,
        what: &str,
    ) -> Option<(bool, Option<Table<'a, 'i>>)> {
        self.loader.flag(n, what, &[])
    }
}

/// Where the text of a TOML string starts, given the span of the string
/// token (which includes its quotes).
pub(crate) fn string_content_offset(source: &str, span: &Range<usize>) -> usize {
    let token = source.get(span.clone()).unwrap_or("");
    let mut offset = span.start;
    if token.starts_with("\"\"\"") || token.starts_with("'''") {
        offset += 3;
        let rest = &token[3..];
        if rest.starts_with("\r\n") {
            offset += 2;
        } else if rest.starts_with('\n') {
            offset += 1;
        }
    } else if token.starts_with('"') || token.starts_with('\'') {
        offset += 1;
    }
    offset
}

/// Parses a date bound: `YYYY-MM-DD`, `DD/MM/YYYY`, `today`, or either
/// followed by `± N` and a unit (`y` years, `m` months, `w` weeks, `d` days),
/// e.g. `today - 18y`.
pub fn date_bound(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let s = text.trim().to_ascii_lowercase();
    // The base is `today` or a date (10 characters in either format); an
    // offset may follow.
    let (base, rest) = if let Some(rest) = s.strip_prefix("today") {
        ("today", rest)
    } else {
        let cut = s
            .char_indices()
            .find(|&(i, c)| i >= 10 && (c == '+' || c == '-'))
            .map(|(i, _)| i)
            .unwrap_or(s.len());
        (s[..cut].trim(), &s[cut..])
    };
    let mut date = if base == "today" {
        today
    } else {
        NaiveDate::parse_from_str(base, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(base, "%d/%m/%Y"))
            .ok()?
    };
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let sign = match rest.as_bytes()[0] {
            b'+' => 1i64,
            b'-' => -1i64,
            _ => return None,
        };
        rest = rest[1..].trim_start();
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: i64 = rest[..digits_end].parse().ok()?;
        let unit_rest = rest[digits_end..].trim_start();
        let unit = unit_rest.chars().next()?;
        rest = unit_rest[unit.len_utf8()..].trim_start();
        date = match unit {
            'y' | 'a' => add_months(date, sign * n * 12)?,
            'm' => add_months(date, sign * n)?,
            'w' => date.checked_add_signed(chrono::Duration::days(sign * n * 7))?,
            'd' | 'g' => date.checked_add_signed(chrono::Duration::days(sign * n))?,
            _ => return None,
        };
    }
    let _ = date.year();
    Some(date)
}

fn add_months(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let m = u32::try_from(months.unsigned_abs()).ok()?;
    if months >= 0 {
        date.checked_add_months(Months::new(m))
    } else {
        date.checked_sub_months(Months::new(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    #[test]
    fn date_bounds() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(date_bound("today", today()), d(2026, 11, 28));
        assert_eq!(date_bound("today - 18y", today()), d(2008, 11, 28));
        assert_eq!(date_bound("TODAY+6m", today()), d(2027, 5, 28));
        assert_eq!(date_bound("today - 30d", today()), d(2026, 10, 29));
        assert_eq!(date_bound("2005-01-01", today()), d(2005, 1, 1));
        assert_eq!(date_bound("01/02/2005", today()), d(2005, 2, 1));
        assert_eq!(date_bound("2005-01-01 + 1y", today()), d(2006, 1, 1));
        assert_eq!(date_bound("yesterday", today()), None);
        assert_eq!(date_bound("today - 18x", today()), None);
        assert_eq!(date_bound("today - 99999999999y", today()), None);
    }

    #[test]
    fn content_offsets() {
        let src = r#"a = "xyz"
b = '''
multi'''"#;
        assert_eq!(string_content_offset(src, &(4..9)), 5);
        assert_eq!(string_content_offset(src, &(14..25)), 18);
    }

    #[test]
    fn columns_differing_only_in_case_are_refused() {
        let text = "[fields.note]\npii = false\n\n[fields.NOTE]\npii = false\n";
        let p = Path::new("r.toml");
        let Err(e) = load_str(text, p, Path::new("."), today()) else {
            panic!("note and NOTE were accepted");
        };
        let shown = format!("{e:?}");
        assert!(shown.contains("`note` and `NOTE`"), "{shown}");
    }
}
