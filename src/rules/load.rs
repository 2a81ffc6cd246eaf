//! Loading a rule file: TOML with spans → [`RuleSet`], every problem a
//! diagnostic.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use toml::de::{DeTable, DeValue};

use super::diagnostic::{did_you_mean, Diagnostics, RuleFileError};
use super::walk::{scalar_text, Node, Table};
use super::{
    Bound, CheckMeta, Constraint, DatamartColumn, ExprCheckSpec, FieldConstraint, FieldSpec,
    ForeignKeySpec, InputSpec, RuleSet, Severity, TableSpec, UniqueSpec, DEFAULT_MISSING_VALUES,
};
use crate::expr::{compile_bool, Env, Expr};
use crate::identity::dates::DateFormats;
use crate::read::{EncodingChoice, InputFormat, ReadOptions};
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

fn load_impl(path: &Path, today: NaiveDate, references: bool) -> Result<RuleSet, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
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
    load_str_impl(&text, path, base, today, references).map_err(LoadError::Invalid)
}

/// Loads a rule file from `text`; `path` names it in messages and `base`
/// resolves the relative paths it mentions (code lists, foreign keys).
pub fn load_str(
    text: &str,
    path: &Path,
    base: &Path,
    today: NaiveDate,
) -> Result<RuleSet, RuleFileError> {
    load_str_impl(text, path, base, today, References::Read)
}

fn load_str_impl(
    text: &str,
    path: &Path,
    base: &Path,
    today: NaiveDate,
    references: References,
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

const META_KEYS: &[&str] = &[
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
}

fn with_meta(extra: &[&'static str]) -> Vec<&'static str> {
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
        let table = match root.get("table") {
            Some(n) => self.table(n, &declared),
            None => self.table_defaults(),
        };
        let checks = match root.get("checks") {
            Some(n) => self.checks(n, &fields),
            None => Vec::new(),
        };
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
            today: self.today,
            source_text: source,
            link,
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

    // ----- [input] -------------------------------------------------------

    fn input(&mut self, node: Node<'_, '_>) -> InputSpec {
        let mut spec = InputSpec {
            missing_values: DEFAULT_MISSING_VALUES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ..Default::default()
        };
        let Some(t) = node.table(
            self.diags,
            "[input]",
            &[
                "format",
                "delimiter",
                "encoding",
                "key",
                "missing_values",
                "missingValues",
                "table",
                "sheet",
                "max_field_bytes",
                "name",
                "description",
            ],
        ) else {
            return spec;
        };
        let mut read = ReadOptions::default();
        if let Some(n) = t.get("format") {
            if let Some(s) = n.str(self.diags, "`format`") {
                read.format = match s.to_ascii_lowercase().as_str() {
                    "auto" => None,
                    "csv" => Some(InputFormat::Csv),
                    "sqlite" => Some(InputFormat::Sqlite),
                    "xlsx" | "excel" | "xls" | "ods" => Some(InputFormat::Excel),
                    _ => {
                        self.diags.error(
                            n.span.clone(),
                            format!("unknown input format `{s}`"),
                            "unknown format",
                            Some("use \"auto\", \"csv\", \"sqlite\" or \"xlsx\"".into()),
                        );
                        None
                    }
                }
            }
        }
        if let Some(n) = t.get("delimiter") {
            if let Some(s) = n.str(self.diags, "`delimiter`") {
                read.delimiter = match s {
                    "auto" => None,
                    "tab" | "\\t" | "\t" => Some(b'\t'),
                    s if s.len() == 1 && s.is_ascii() => Some(s.as_bytes()[0]),
                    _ => {
                        self.diags.error(
                            n.span.clone(),
                            format!("`{s}` is not a delimiter"),
                            "expected one character",
                            Some("use \"auto\", \";\", \",\", \"tab\" or \"|\"".into()),
                        );
                        None
                    }
                }
            }
        }
        if let Some(n) = t.get("encoding") {
            if let Some(s) = n.str(self.diags, "`encoding`") {
                match EncodingChoice::parse(s) {
                    Some(e) => read.encoding = e,
                    None => self.diags.error(
                        n.span.clone(),
                        format!("unknown encoding `{s}`"),
                        "unknown encoding",
                        Some("use \"auto\", \"utf-8\", \"windows-1252\" or \"iso-8859-1\"".into()),
                    ),
                }
            }
        }
        if let Some(n) = t.get("table") {
            read.table = n.str(self.diags, "`table`").map(str::to_string);
        }
        if let Some(n) = t.get("sheet") {
            read.sheet = n.str(self.diags, "`sheet`").map(str::to_string);
        }
        if let Some(n) = t.get("max_field_bytes") {
            match n.count(self.diags, "`max_field_bytes`") {
                Some(0) => self.diags.error(
                    n.span.clone(),
                    "`max_field_bytes` must be at least 1",
                    "zero",
                    Some(format!(
                        "the default is {} (1 MiB)",
                        crate::read::DEFAULT_MAX_FIELD_BYTES
                    )),
                ),
                Some(x) => read.max_field_bytes = Some(x),
                None => {}
            }
        }
        if let Some(n) = t.get("key") {
            if let Some(v) = n.strings(self.diags, "`key`") {
                spec.key = v.into_iter().map(|(s, _)| s).collect();
            }
        }
        if let Some(n) = t.get_any(&["missing_values", "missingValues"]) {
            if let Some(v) = n.strings(self.diags, "`missing_values`") {
                spec.missing_values = v.into_iter().map(|(s, _)| s).collect();
            }
        }
        spec.read = read;
        spec
    }

    // ----- check identity ------------------------------------------------

    /// Reads severity and tolerance from a constraint written as a table,
    /// with defaults otherwise.
    fn meta(
        &mut self,
        table: Option<&Table<'_, '_>>,
        id: String,
        description: String,
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
                    meta.description = d.to_string();
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

    // ----- [fields] ------------------------------------------------------

    fn fields(&mut self, node: Node<'_, '_>) -> Vec<FieldSpec> {
        let Some(t) = node.open_table(self.diags, "[fields]") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, key_span, value) in t.entries() {
            if let Some(f) = self.field(name, key_span, value) {
                out.push(f);
            }
        }
        out
    }

    fn field(
        &mut self,
        name: &str,
        key_span: Range<usize>,
        node: Node<'_, '_>,
    ) -> Option<FieldSpec> {
        const KEYS: &[&str] = &[
            "type",
            "description",
            "title",
            "required",
            "unique",
            "enum",
            "pattern",
            "minimum",
            "maximum",
            "range",
            "min_length",
            "minLength",
            "max_length",
            "maxLength",
            "format",
            "decimal_separator",
            "decimalChar",
            "thousands_separator",
            "groupChar",
            "true_values",
            "trueValues",
            "false_values",
            "falseValues",
            "missing_values",
            "missingValues",
            "completeness",
            "pii",
            "valid",
            "provisional",
            "datamart",
        ];
        let what = format!("[fields.{name}]");
        let t = node.table(self.diags, &what, KEYS)?;
        let field_type = self.field_type(name, &t);
        let description = t
            .get_any(&["description", "title"])
            .and_then(|n| n.str(self.diags, "`description`"))
            .map(str::to_string);
        let pii = match t.get("pii") {
            Some(n) => n.bool(self.diags, "`pii`").unwrap_or(true),
            None => true,
        };
        let missing_values = t
            .get_any(&["missing_values", "missingValues"])
            .and_then(|n| n.strings(self.diags, "`missing_values`"))
            .map(|v| v.into_iter().map(|(s, _)| s).collect());
        let datamart = t.get("datamart").and_then(|n| {
            let span = n.span.clone();
            let text = n.str(self.diags, "`datamart`")?.to_string();
            let parsed = DatamartColumn::parse(&text);
            if parsed.is_none() {
                let names = DatamartColumn::NAMES;
                let help = match did_you_mean(&text, names.iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"? One of: keep, drop, pseudonymise"),
                    None => "one of: keep, drop, pseudonymise".to_string(),
                };
                self.diags.error(
                    span,
                    format!("unknown datamart treatment `{text}` for field {name}"),
                    "unknown treatment",
                    Some(help),
                );
            }
            parsed
        });
        let mut constraints = Vec::new();

        // required
        if let Some(n) = t.get("required") {
            if let Some((on, table)) = self.flag(n.clone(), "`required`", &[]) {
                if on {
                    let meta = self.meta(
                        table.as_ref(),
                        format!("{name}.required"),
                        format!("{name} must not be empty"),
                        Severity::Error,
                        1,
                        n.span.clone(),
                    );
                    constraints.push(FieldConstraint {
                        kind: Constraint::Required,
                        meta,
                    });
                }
            }
        }
        // valid (type check), for every type but string
        if !matches!(field_type, FieldType::String) || t.get("valid").is_some() {
            let table = match t.get("valid") {
                Some(n) => n.table(self.diags, "`valid`", META_KEYS),
                None => None,
            };
            let span = t.key_span("type").unwrap_or(key_span.clone());
            let meta = self.meta(
                table.as_ref(),
                format!("{name}.valid"),
                format!("{name} must be a valid {}", field_type.name()),
                Severity::Error,
                1,
                span,
            );
            constraints.push(FieldConstraint {
                kind: Constraint::Valid,
                meta,
            });
        }
        // unique
        if let Some(n) = t.get("unique") {
            if let Some((on, table)) = self.flag(n.clone(), "`unique`", &[]) {
                if on {
                    let meta = self.meta(
                        table.as_ref(),
                        format!("{name}.unique"),
                        format!("no value of {name} may appear twice"),
                        Severity::Error,
                        1,
                        n.span.clone(),
                    );
                    constraints.push(FieldConstraint {
                        kind: Constraint::Unique,
                        meta,
                    });
                }
            }
        }
        // enum
        if let Some(n) = t.get("enum") {
            if let Some(c) = self.enum_constraint(name, n) {
                constraints.push(c);
            }
        }
        // pattern
        if let Some(n) = t.get("pattern") {
            if let Some(c) = self.pattern(name, n) {
                constraints.push(c);
            }
        }
        // ranges
        let bound_kind = match field_type {
            FieldType::Integer { .. } | FieldType::Decimal { .. } => Some(false),
            FieldType::Date { .. } | FieldType::DateTime { .. } => Some(true),
            _ => None,
        };
        for (key, is_min) in [("minimum", true), ("maximum", false)] {
            if let Some(n) = t.get(key) {
                if let Some(c) = self.single_bound(name, key, is_min, n, bound_kind) {
                    constraints.push(c);
                }
            }
        }
        if let Some(n) = t.get("range") {
            if let Some(c) = self.range(name, n, bound_kind) {
                constraints.push(c);
            }
        }
        // lengths
        for (keys, is_min) in [
            (["min_length", "minLength"], true),
            (["max_length", "maxLength"], false),
        ] {
            if let Some(n) = t.get_any(&keys) {
                let (value_node, table) = self.value_or_table(n.clone(), keys[0], &["value"]);
                if let Some(v) =
                    value_node.and_then(|v| v.count(self.diags, &format!("`{}`", keys[0])))
                {
                    let (desc, id) = if is_min {
                        (
                            format!("{name} must have at least {v} characters"),
                            format!("{name}.min_length"),
                        )
                    } else {
                        (
                            format!("{name} must have at most {v} characters"),
                            format!("{name}.max_length"),
                        )
                    };
                    let meta =
                        self.meta(table.as_ref(), id, desc, Severity::Error, 1, n.span.clone());
                    let kind = if is_min {
                        Constraint::Length {
                            min: Some(v),
                            max: None,
                        }
                    } else {
                        Constraint::Length {
                            min: None,
                            max: Some(v),
                        }
                    };
                    constraints.push(FieldConstraint { kind, meta });
                }
            }
        }
        // completeness
        if let Some(n) = t.get("completeness") {
            let (value_node, table) =
                self.value_or_table(n.clone(), "completeness", &["min_percent"]);
            if let Some(p) = value_node.and_then(|v| v.percent(self.diags, "`completeness`")) {
                let meta = self.meta(
                    table.as_ref(),
                    format!("{name}.completeness"),
                    format!("at least {p}% of the rows must have {name}"),
                    Severity::Error,
                    1,
                    n.span.clone(),
                );
                constraints.push(FieldConstraint {
                    kind: Constraint::Completeness { min_percent: p },
                    meta,
                });
            }
        }
        Some(FieldSpec {
            name: name.to_string(),
            field_type,
            description,
            pii,
            missing_values,
            constraints,
            datamart,
        })
    }

    /// A constraint written as a scalar or as a table holding `value` (or
    /// one of `value_keys`) plus meta keys. Returns the value node (absent
    /// when the table has none) and the table.
    fn value_or_table<'a, 'i>(
        &mut self,
        n: Node<'a, 'i>,
        what: &str,
        value_keys: &[&'static str],
    ) -> (Option<Node<'a, 'i>>, Option<Table<'a, 'i>>) {
        if n.is_table() {
            let mut allowed = with_meta(value_keys);
            allowed.push("value");
            let table = n.table(self.diags, &format!("`{what}`"), &allowed);
            let value = table.as_ref().and_then(|t| {
                let mut keys = vec!["value"];
                keys.extend_from_slice(value_keys);
                t.get_any(&keys)
            });
            if value.is_none() {
                self.diags.error(
                    n.span.clone(),
                    format!("`{what}` written as a table needs a `value`"),
                    "no value",
                    Some(format!(
                        "e.g. {what} = {{ value = …, severity = \"warning\" }}"
                    )),
                );
            }
            (value, table)
        } else {
            (Some(n), None)
        }
    }

    /// A boolean constraint: `true`/`false`, or a table (meaning true unless
    /// it says `value = false`).
    fn flag<'a, 'i>(
        &mut self,
        n: Node<'a, 'i>,
        what: &str,
        extra: &[&'static str],
    ) -> Option<(bool, Option<Table<'a, 'i>>)> {
        if n.is_table() {
            let mut allowed = with_meta(extra);
            allowed.push("value");
            let t = n.table(self.diags, what, &allowed)?;
            let on = match t.get("value") {
                Some(v) => v.bool(self.diags, what)?,
                None => true,
            };
            Some((on, Some(t)))
        } else {
            n.bool(self.diags, what).map(|b| (b, None))
        }
    }

    fn field_type(&mut self, name: &str, t: &Table<'_, '_>) -> FieldType {
        let type_node = t.get("type");
        let type_name = type_node
            .clone()
            .and_then(|n| n.str(self.diags, "`type`"))
            .unwrap_or("string")
            .to_ascii_lowercase();
        let formats = |loader: &mut Loader, defaults: &[&str], kind: &str| -> Vec<String> {
            match t.get("format") {
                Some(n) => {
                    match n.strings(loader.diags, "`format`") {
                        Some(v) => {
                            let mut out = Vec::new();
                            for (f, span) in v {
                                if !f.contains('%') {
                                    loader.diags.error(
                                    span,
                                    format!("`{f}` is not a {kind} format"),
                                    "no % directives",
                                    Some("write formats strftime-style: \"%d/%m/%Y\", \"%Y-%m-%d\"".into()),
                                );
                                }
                                out.push(f);
                            }
                            out
                        }
                        None => Vec::new(),
                    }
                }
                None => defaults.iter().map(|s| s.to_string()).collect(),
            }
        };
        let separator =
            |loader: &mut Loader, keys: &[&str], allowed: &[&str]| -> Option<Option<char>> {
                let n = t.get_any(keys)?;
                let s = n.str(loader.diags, &format!("`{}`", keys[0]))?;
                if s.is_empty() {
                    return Some(None);
                }
                if !allowed.contains(&s) {
                    loader.diags.error(
                        n.span.clone(),
                        format!("`{s}` cannot be used as {}", keys[0].replace('_', " ")),
                        "unsupported separator",
                        Some(format!(
                            "use one of: {}",
                            allowed
                                .iter()
                                .map(|a| format!("{a:?}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                    return Some(None);
                }
                Some(s.chars().next())
            };
        let ty = match type_name.as_str() {
            "string" | "text" => FieldType::String,
            "integer" => FieldType::Integer {
                thousands: separator(
                    self,
                    &["thousands_separator", "groupChar"],
                    &[".", ",", " ", "'"],
                )
                .flatten(),
            },
            "decimal" | "number" => {
                let decimal = separator(self, &["decimal_separator", "decimalChar"], &[".", ","])
                    .flatten()
                    .unwrap_or('.');
                let thousands = separator(
                    self,
                    &["thousands_separator", "groupChar"],
                    &[".", ",", " ", "'"],
                )
                .flatten();
                if thousands == Some(decimal) {
                    if let Some(n) = t.get_any(&["thousands_separator", "groupChar"]) {
                        self.diags.error(
                            n.span.clone(),
                            "the thousands separator is the same as the decimal separator",
                            "same as decimal_separator",
                            Some("with decimal_separator = \",\" the thousands separator is usually \".\"".into()),
                        );
                    }
                }
                FieldType::Decimal { decimal, thousands }
            }
            "date" => {
                let list = formats(self, DEFAULT_DATE_FORMATS, "date");
                match DateFormats::new(&list) {
                    Ok(parser) => FieldType::Date {
                        formats: list,
                        parser,
                        reference: self.today,
                    },
                    Err(e) => {
                        if let Some(n) = t.get("format") {
                            self.diags.error(
                                n.span.clone(),
                                format!("the date format `{}` cannot be used: {}", e.format, e.reason),
                                "bad format",
                                Some("use strftime directives: %d day, %m month, %Y four-digit year, %y two-digit year".into()),
                            );
                        }
                        FieldType::String
                    }
                }
            }
            "codice_fiscale" | "cf" => {
                let provisional = match t.get("provisional") {
                    Some(n) => n.bool(self.diags, "`provisional`").unwrap_or(true),
                    None => true,
                };
                FieldType::CodiceFiscale {
                    provisional,
                    reference: self.today,
                }
            }
            "partita_iva" => FieldType::PartitaIva,
            "cap" => FieldType::Cap,
            "istat_comune" => FieldType::IstatComune,
            "belfiore" => FieldType::Belfiore,
            "isee_protocol" | "dsu_protocol" => FieldType::IseeProtocol {
                reference: self.today,
            },
            "sex" | "sesso" => FieldType::Sex,
            "datetime" => FieldType::DateTime {
                formats: formats(self, DEFAULT_DATETIME_FORMATS, "datetime"),
            },
            "boolean" | "bool" => {
                let list = |loader: &mut Loader, keys: &[&str], default: &[&str]| -> Vec<String> {
                    match t
                        .get_any(keys)
                        .and_then(|n| n.strings(loader.diags, &format!("`{}`", keys[0])))
                    {
                        Some(v) => v.into_iter().map(|(s, _)| s).collect(),
                        None => default.iter().map(|s| s.to_string()).collect(),
                    }
                };
                FieldType::Boolean {
                    true_values: list(self, &["true_values", "trueValues"], DEFAULT_TRUE),
                    false_values: list(self, &["false_values", "falseValues"], DEFAULT_FALSE),
                }
            }
            other => {
                let names: Vec<&str> = crate::types::TYPE_NAMES.iter().map(|(n, _)| *n).collect();
                let help = match did_you_mean(other, names.iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"? The types are: {}", names.join(", ")),
                    None => format!("the types are: {}", names.join(", ")),
                };
                if let Some(n) = type_node {
                    self.diags.error(
                        n.span,
                        format!("unknown type `{other}` for field {name}"),
                        "unknown type",
                        Some(help),
                    );
                }
                FieldType::String
            }
        };
        // Options that make no sense for the type.
        let date_like = matches!(ty, FieldType::Date { .. } | FieldType::DateTime { .. });
        if !date_like {
            if let Some(span) = t.key_span("format") {
                self.diags.error(
                    span,
                    format!(
                        "`format` applies to date and datetime fields; {name} is {}",
                        ty.name()
                    ),
                    "not a date field",
                    Some("set type = \"date\" or remove `format`".into()),
                );
            }
        }
        if !matches!(ty, FieldType::Decimal { .. }) {
            if let Some(span) = t
                .key_span("decimal_separator")
                .or_else(|| t.key_span("decimalChar"))
            {
                self.diags.error(
                    span,
                    format!(
                        "`decimal_separator` applies to decimal fields; {name} is {}",
                        ty.name()
                    ),
                    "not a decimal field",
                    Some("set type = \"decimal\"".into()),
                );
            }
        }
        ty
    }

    fn enum_constraint(&mut self, name: &str, n: Node<'_, '_>) -> Option<FieldConstraint> {
        let mut ignore_case = false;
        let (values, table): (Vec<String>, Option<Table>) = if n.is_table() {
            let t = n.table(
                self.diags,
                "`enum`",
                &with_meta(&["values", "file", "column", "ignore_case"]),
            )?;
            if let Some(ic) = t.get("ignore_case") {
                ignore_case = ic.bool(self.diags, "`ignore_case`").unwrap_or(false);
            }
            let values = match (t.get("values"), t.get("file")) {
                (Some(v), None) => v
                    .strings(self.diags, "`values`")?
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect(),
                (None, Some(f)) => {
                    let file = f.str(self.diags, "`file`")?;
                    let column = match t.get("column") {
                        Some(c) => {
                            Some((c.str(self.diags, "`column`")?.to_string(), c.span.clone()))
                        }
                        None => None,
                    };
                    self.code_list(file, f.span.clone(), column)?
                }
                _ => {
                    self.diags.error(
                        n.span.clone(),
                        "`enum` needs either `values` or `file`",
                        "no values",
                        Some("enum = [\"A\", \"B\"] or enum = { file = \"codes.csv\", column = \"CODE\" }".into()),
                    );
                    return None;
                }
            };
            (values, Some(t))
        } else {
            (
                n.strings(self.diags, "`enum`")?
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect(),
                None,
            )
        };
        if values.is_empty() {
            self.diags.error(
                n.span.clone(),
                "`enum` lists no values",
                "empty",
                Some("list the allowed values".into()),
            );
            return None;
        }
        let preview = {
            let mut p: Vec<&str> = values.iter().take(8).map(String::as_str).collect();
            if values.len() > 8 {
                p.push("…");
            }
            p.join(", ")
        };
        let set: HashSet<String> = values
            .iter()
            .map(|v| {
                if ignore_case {
                    v.to_uppercase()
                } else {
                    v.clone()
                }
            })
            .collect();
        let meta = self.meta(
            table.as_ref(),
            format!("{name}.enum"),
            format!("{name} must be one of the allowed values"),
            Severity::Error,
            1,
            n.span.clone(),
        );
        Some(FieldConstraint {
            kind: Constraint::Enum {
                values: Arc::new(set),
                preview,
                ignore_case,
            },
            meta,
        })
    }

    /// The diagnostic for a file mentioned while references are not read.
    fn never_read(&mut self, span: Range<usize>, path: &Path) {
        self.diags.error(
            span,
            format!("{} is not read here", path.display()),
            "file reference",
            Some("files named in rule files are only read when the rules load from a file".into()),
        );
    }

    /// Reads a code list: the given column (or the first) of a CSV file.
    fn code_list(
        &mut self,
        file: &str,
        span: Range<usize>,
        column: Option<(String, Range<usize>)>,
    ) -> Option<Vec<String>> {
        let path = self.base.join(file);
        if self.references == References::Never {
            self.never_read(span, &path);
            return None;
        }
        let (source, records) = match crate::read::read_all(&path, &ReadOptions::default()) {
            Ok(r) => r,
            Err(e) => {
                self.diags.error(
                    span,
                    format!("cannot read the code list {}: {e}", path.display()),
                    "unreadable file",
                    Some("paths are relative to the rule file".into()),
                );
                return None;
            }
        };
        let idx = match &column {
            Some((c, cspan)) => match source.header.columns.iter().position(|h| h == c) {
                Some(i) => i,
                None => {
                    let help = did_you_mean(c, source.header.columns.iter().map(String::as_str))
                        .map(|s| format!("did you mean {s}? "))
                        .unwrap_or_default();
                    self.diags.error(
                        cspan.clone(),
                        format!("the code list {} has no column {c}", path.display()),
                        "unknown column",
                        Some(format!(
                            "{help}its columns are: {}",
                            source.header.columns.join(", ")
                        )),
                    );
                    return None;
                }
            },
            None => 0,
        };
        Some(
            records
                .iter()
                .filter_map(|r| r.fields.get(idx).map(|s| s.trim().to_string()))
                .filter(|s| !s.is_empty())
                .collect(),
        )
    }

    fn pattern(&mut self, name: &str, n: Node<'_, '_>) -> Option<FieldConstraint> {
        let (value, table) = self.value_or_table(n.clone(), "pattern", &[]);
        let value = value?;
        let source = value.str(self.diags, "`pattern`")?;
        let anchored = format!("^(?:{source})$");
        let regex = match regex::RegexBuilder::new(&anchored)
            .size_limit(1 << 22)
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                let detail = e.to_string();
                let last = detail
                    .lines()
                    .rfind(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                self.diags.error(
                    value.span.clone(),
                    format!("the pattern of {name} is not a valid regular expression: {last}"),
                    "invalid regex",
                    Some("patterns use Rust regex syntax and must match the whole value; backslashes need doubling in \"…\" strings (or use '…')".into()),
                );
                return None;
            }
        };
        let meta = self.meta(
            table.as_ref(),
            format!("{name}.pattern"),
            format!("{name} must match the pattern {source}"),
            Severity::Error,
            1,
            n.span.clone(),
        );
        Some(FieldConstraint {
            kind: Constraint::Pattern {
                regex,
                source: source.to_string(),
            },
            meta,
        })
    }

    fn bound(&mut self, name: &str, n: Node<'_, '_>, dates: Option<bool>) -> Option<Bound> {
        match dates {
            None => {
                self.diags.error(
                    n.span.clone(),
                    format!("ranges apply to numbers and dates, and {name} is neither"),
                    "not a number or date field",
                    Some("declare the field's type (integer, decimal, date), or use min_length/max_length for text".into()),
                );
                None
            }
            Some(false) => n
                .number(self.diags, "a bound of a number field")
                .map(Bound::Number),
            Some(true) => {
                let text = match n.value {
                    DeValue::String(s) => s.to_string(),
                    DeValue::Datetime(_) => scalar_text(n.value),
                    _ => {
                        self.diags.error(
                            n.span.clone(),
                            format!("a bound of the date field {name} must be a date"),
                            "expected a date",
                            Some("write \"2005-01-01\", \"today\" or \"today - 18y\"".into()),
                        );
                        return None;
                    }
                };
                match date_bound(&text, self.today) {
                    Some(d) => Some(Bound::Date(d)),
                    None => {
                        self.diags.error(
                            n.span.clone(),
                            format!("`{text}` is not a date"),
                            "expected a date",
                            Some("write \"2005-01-01\", \"today\", \"today - 18y\", \"today + 6m\" or \"today - 30d\"".into()),
                        );
                        None
                    }
                }
            }
        }
    }

    fn single_bound(
        &mut self,
        name: &str,
        key: &str,
        is_min: bool,
        n: Node<'_, '_>,
        dates: Option<bool>,
    ) -> Option<FieldConstraint> {
        let (value, table) = self.value_or_table(n.clone(), key, &[]);
        let b = self.bound(name, value?, dates)?;
        let desc = if is_min {
            format!("{name} must be at least {b}")
        } else {
            format!("{name} must be at most {b}")
        };
        let meta = self.meta(
            table.as_ref(),
            format!("{name}.{key}"),
            desc,
            Severity::Error,
            1,
            n.span.clone(),
        );
        let kind = if is_min {
            Constraint::Range {
                min: Some(b),
                max: None,
            }
        } else {
            Constraint::Range {
                min: None,
                max: Some(b),
            }
        };
        Some(FieldConstraint { kind, meta })
    }

    fn range(
        &mut self,
        name: &str,
        n: Node<'_, '_>,
        dates: Option<bool>,
    ) -> Option<FieldConstraint> {
        let t = n.table(self.diags, "`range`", &with_meta(&["min", "max"]))?;
        let min = t.get("min").and_then(|m| self.bound(name, m, dates));
        let max = t.get("max").and_then(|m| self.bound(name, m, dates));
        if min.is_none() && max.is_none() {
            if t.get("min").is_none() && t.get("max").is_none() {
                self.diags.error(
                    n.span.clone(),
                    "`range` needs `min`, `max` or both",
                    "empty range",
                    None,
                );
            }
            return None;
        }
        let desc = match (&min, &max) {
            (Some(a), Some(b)) => format!("{name} must be between {a} and {b}"),
            (Some(a), None) => format!("{name} must be at least {a}"),
            (None, Some(b)) => format!("{name} must be at most {b}"),
            (None, None) => String::new(),
        };
        let meta = self.meta(
            Some(&t),
            format!("{name}.range"),
            desc,
            Severity::Error,
            1,
            n.span.clone(),
        );
        Some(FieldConstraint {
            kind: Constraint::Range { min, max },
            meta,
        })
    }

    // ----- [table] -------------------------------------------------------

    fn table_defaults(&mut self) -> TableSpec {
        TableSpec {
            unexpected_columns: Some(self.fixed_meta(
                "columns.unexpected",
                "every column of the file is declared in [fields]",
                Severity::Warning,
                0,
            )),
            missing_columns: Some(self.fixed_meta(
                "columns.missing",
                "every declared field is a column of the file",
                Severity::Error,
                0,
            )),
            structure: Severity::Error,
            ..Default::default()
        }
    }

    fn fixed_meta(
        &mut self,
        id: &str,
        description: &str,
        severity: Severity,
        level: u8,
    ) -> CheckMeta {
        CheckMeta {
            id: id.to_string(),
            description: description.to_string(),
            severity,
            max_fail_count: None,
            max_fail_percent: None,
            level,
        }
    }

    /// A check that can be switched off (`"ignore"`), given a severity
    /// (`"warning"`) or configured as a table.
    fn switchable(
        &mut self,
        n: Node<'_, '_>,
        what: &str,
        id: &str,
        description: &str,
        default: Severity,
        level: u8,
    ) -> Option<CheckMeta> {
        match n.value {
            DeValue::String(s) if s.eq_ignore_ascii_case("ignore") => None,
            DeValue::String(s) => match Severity::parse(s) {
                Some(sev) => Some(self.fixed_meta(id, description, sev, level)),
                None => {
                    self.diags.error(
                        n.span.clone(),
                        format!("unknown setting `{s}` for {what}"),
                        "unknown setting",
                        Some("use \"error\", \"warning\", \"info\" or \"ignore\"".into()),
                    );
                    None
                }
            },
            DeValue::Boolean(false) => None,
            DeValue::Boolean(true) => Some(self.fixed_meta(id, description, default, level)),
            _ => {
                let t = n.table(self.diags, what, META_KEYS)?;
                let mut meta = self.meta(
                    Some(&t),
                    id.to_string(),
                    description.to_string(),
                    default,
                    level,
                    n.span.clone(),
                );
                // meta() registered the id; fixed ids are registered below.
                self.ids.pop();
                meta.level = level.max(meta.level);
                Some(meta)
            }
        }
    }

    fn table(&mut self, node: Node<'_, '_>, declared: &[&str]) -> TableSpec {
        let mut spec = self.table_defaults();
        let Some(t) = node.table(
            self.diags,
            "[table]",
            &[
                "required_columns",
                "forbidden_columns",
                "unexpected_columns",
                "missing_columns",
                "row_count",
                "duplicate_rows",
                "unique",
                "primary_key",
                "primaryKey",
                "foreign_keys",
                "foreignKeys",
                "structure",
            ],
        ) else {
            return spec;
        };
        if let Some(n) = t.get("required_columns") {
            spec.required_columns = n
                .strings(self.diags, "`required_columns`")
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect();
        }
        if let Some(n) = t.get("forbidden_columns") {
            spec.forbidden_columns = n
                .strings(self.diags, "`forbidden_columns`")
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect();
        }
        if let Some(n) = t.get("unexpected_columns") {
            spec.unexpected_columns = self.switchable(
                n,
                "`unexpected_columns`",
                "columns.unexpected",
                "every column of the file is declared in [fields]",
                Severity::Warning,
                0,
            );
        }
        if let Some(n) = t.get("missing_columns") {
            spec.missing_columns = self.switchable(
                n,
                "`missing_columns`",
                "columns.missing",
                "every declared field is a column of the file",
                Severity::Error,
                0,
            );
        }
        if let Some(n) = t.get("structure") {
            if let Some(s) = n.str(self.diags, "`structure`") {
                match Severity::parse(s) {
                    Some(sev) => spec.structure = sev,
                    None => self.diags.error(
                        n.span.clone(),
                        format!("unknown severity `{s}`"),
                        "unknown severity",
                        Some("use \"error\", \"warning\" or \"info\"".into()),
                    ),
                }
            }
        }
        if let Some(n) = t.get("row_count") {
            if let Some(rt) = n.table(self.diags, "`row_count`", &with_meta(&["min", "max"])) {
                let min = rt.get("min").and_then(|m| m.count(self.diags, "`min`"));
                let max = rt.get("max").and_then(|m| m.count(self.diags, "`max`"));
                let desc = match (min, max) {
                    (Some(a), Some(b)) => format!("the extract has between {a} and {b} rows"),
                    (Some(a), None) => format!("the extract has at least {a} rows"),
                    (None, Some(b)) => format!("the extract has at most {b} rows"),
                    (None, None) => "row count".to_string(),
                };
                let meta = self.meta(
                    Some(&rt),
                    "table.row_count".into(),
                    desc,
                    Severity::Error,
                    0,
                    n.span.clone(),
                );
                spec.row_count = Some((min, max, meta));
            }
        }
        if let Some(n) = t.get("duplicate_rows") {
            if let Some((on, table)) = self.flag(n.clone(), "`duplicate_rows`", &[]) {
                if on {
                    spec.duplicate_rows = Some(self.meta(
                        table.as_ref(),
                        "table.duplicate_rows".into(),
                        "no row is repeated in full".into(),
                        Severity::Warning,
                        1,
                        n.span.clone(),
                    ));
                }
            }
        }
        if let Some(n) = t.get_any(&["primary_key", "primaryKey"]) {
            if let Some(cols) = n.strings(self.diags, "`primary_key`") {
                let columns = self.known_columns(cols, declared);
                if !columns.is_empty() {
                    let meta = self.meta(
                        None,
                        "table.primary_key".into(),
                        format!(
                            "{} identifies each row: present and never repeated",
                            columns.join(" + ")
                        ),
                        Severity::Error,
                        1,
                        n.span.clone(),
                    );
                    spec.unique.push(UniqueSpec { columns, meta });
                }
            }
        }
        if let Some(n) = t.get("unique") {
            if let Some(items) = n.array(self.diags, "`unique`") {
                for item in items {
                    let (cols_node, table) = if item.is_table() {
                        let table = item.table(
                            self.diags,
                            "an entry of `unique`",
                            &with_meta(&["columns"]),
                        );
                        (table.as_ref().and_then(|t| t.get("columns")), table)
                    } else {
                        (Some(item.clone()), None)
                    };
                    let Some(cols_node) = cols_node else {
                        self.diags.error(
                            item.span.clone(),
                            "an entry of `unique` needs `columns`",
                            "no columns",
                            None,
                        );
                        continue;
                    };
                    let Some(cols) = cols_node.strings(self.diags, "`unique` columns") else {
                        continue;
                    };
                    let columns = self.known_columns(cols, declared);
                    if columns.is_empty() {
                        continue;
                    }
                    let meta = self.meta(
                        table.as_ref(),
                        format!("table.unique[{}]", columns.join("+")),
                        format!("no two rows share {}", columns.join(" + ")),
                        Severity::Error,
                        1,
                        item.span.clone(),
                    );
                    spec.unique.push(UniqueSpec { columns, meta });
                }
            }
        }
        if let Some(n) = t.get_any(&["foreign_keys", "foreignKeys"]) {
            if let Some(items) = n.array(self.diags, "`foreign_keys`") {
                for item in items {
                    if let Some(fk) = self.foreign_key(item, declared) {
                        spec.foreign_keys.push(fk);
                    }
                }
            }
        }
        spec
    }

    fn known_columns(
        &mut self,
        cols: Vec<(String, Range<usize>)>,
        declared: &[&str],
    ) -> Vec<String> {
        let mut out = Vec::new();
        for (c, span) in cols {
            if !declared.contains(&c.as_str()) {
                let help = match did_you_mean(&c, declared.iter().copied()) {
                    Some(s) => format!(
                        "did you mean {s}? Declare every column a table check uses in [fields]"
                    ),
                    None => "declare every column a table check uses in [fields]".into(),
                };
                self.diags.error(
                    span,
                    format!("unknown column {c}"),
                    "not declared in [fields]",
                    Some(help),
                );
            } else {
                out.push(c);
            }
        }
        out
    }

    fn foreign_key(&mut self, item: Node<'_, '_>, declared: &[&str]) -> Option<ForeignKeySpec> {
        let t = item.table(
            self.diags,
            "an entry of `foreign_keys`",
            &with_meta(&["columns", "fields", "reference"]),
        )?;
        let Some(cols_node) = t.get_any(&["columns", "fields"]) else {
            self.diags.error(item.span.clone(), "a foreign key needs `columns`", "no columns", Some("foreign_keys = [{ columns = [\"COD\"], reference = { file = \"codes.csv\", columns = [\"COD\"] } }]".into()));
            return None;
        };
        let cols = cols_node.strings(self.diags, "`columns`")?;
        let columns = self.known_columns(cols, declared);
        let Some(ref_node) = t.get("reference") else {
            self.diags.error(
                item.span.clone(),
                "a foreign key needs a `reference`",
                "no reference",
                Some("reference = { file = \"codes.csv\", columns = [\"COD\"] }".into()),
            );
            return None;
        };
        let rt = ref_node.table(
            self.diags,
            "`reference`",
            &["file", "columns", "fields", "delimiter", "encoding"],
        )?;
        let Some(file_node) = rt.get("file") else {
            self.diags.error(
                ref_node.span.clone(),
                "`reference` needs a `file`",
                "no file",
                None,
            );
            return None;
        };
        let file = file_node.str(self.diags, "`file`")?;
        let ref_cols: Vec<(String, Range<usize>)> = match rt.get_any(&["columns", "fields"]) {
            Some(n) => n.strings(self.diags, "`columns`")?,
            None => columns
                .iter()
                .map(|c| (c.clone(), ref_node.span.clone()))
                .collect(),
        };
        if ref_cols.len() != columns.len() || columns.is_empty() {
            if !columns.is_empty() {
                self.diags.error(
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
            .and_then(|n| n.str(self.diags, "`delimiter`"))
        {
            options.delimiter = d.bytes().next();
        }
        if let Some(e) = rt
            .get("encoding")
            .and_then(|n| n.str(self.diags, "`encoding`"))
        {
            options.encoding = EncodingChoice::parse(e).unwrap_or_default();
        }
        let path = self.base.join(file);
        let read = match self.references {
            References::Read => crate::read::read_all(&path, &options),
            References::HeaderOnly => {
                crate::read::Source::open(&path, &options).map(|s| (s, Vec::new()))
            }
            References::Never => {
                self.never_read(file_node.span.clone(), &path);
                return None;
            }
        };
        let (source, records) = match read {
            Ok(r) => r,
            Err(e) => {
                self.diags.error(
                    file_node.span.clone(),
                    format!("cannot read the referenced file {}: {e}", path.display()),
                    "unreadable file",
                    Some("paths are relative to the rule file".into()),
                );
                return None;
            }
        };
        let mut idx = Vec::new();
        for (c, span) in &ref_cols {
            match source.header.columns.iter().position(|h| h == c) {
                Some(i) => idx.push(i),
                None => {
                    let help = did_you_mean(c, source.header.columns.iter().map(String::as_str))
                        .map(|s| format!("did you mean {s}? "))
                        .unwrap_or_default();
                    self.diags.error(
                        span.clone(),
                        format!("{} has no column {c}", path.display()),
                        "unknown column",
                        Some(format!(
                            "{help}its columns are: {}",
                            source.header.columns.join(", ")
                        )),
                    );
                    return None;
                }
            }
        }
        let keys: HashSet<Vec<String>> = records
            .iter()
            .map(|r| {
                idx.iter()
                    .map(|&i| r.fields.get(i).unwrap_or("").trim().to_string())
                    .collect()
            })
            .collect();
        let reference_columns: Vec<String> = ref_cols.into_iter().map(|(s, _)| s).collect();
        let meta = self.meta(
            Some(&t),
            format!("table.foreign_key[{}]", columns.join("+")),
            format!(
                "{} exists in {} ({})",
                columns.join(" + "),
                file,
                reference_columns.join(" + ")
            ),
            Severity::Error,
            3,
            item.span.clone(),
        );
        Some(ForeignKeySpec {
            columns,
            file: path,
            reference_columns,
            keys: Arc::new(keys),
            meta,
        })
    }

    // ----- [[checks]] ----------------------------------------------------

    /// Compiles an expression written in the TOML string at `offset`,
    /// reporting errors at their place in the rule file.
    fn expression(&mut self, source: &str, offset: usize, env: &Env) -> Option<Arc<Expr>> {
        match compile_bool(source, env) {
            Ok(e) => Some(Arc::new(e)),
            Err(e) => {
                let e = e.offset(offset);
                let label = if e.span.is_empty() {
                    "here"
                } else {
                    "this part"
                };
                let span = if e.span.is_empty() {
                    e.span.start..e.span.start + 1
                } else {
                    e.span.clone()
                };
                self.diags.error(span, e.message, label, e.help);
                None
            }
        }
    }

    fn checks(&mut self, node: Node<'_, '_>, fields: &[FieldSpec]) -> Vec<ExprCheckSpec> {
        let Some(items) = node.array(self.diags, "`checks`") else {
            return Vec::new();
        };
        let columns: Vec<(String, usize, crate::value::ValueType)> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i, f.field_type.value_type()))
            .collect();
        let functions = crate::identity::functions::registry(self.today);
        let env = Env {
            columns: &columns,
            today: self.today,
            functions: &functions,
        };
        let mut out = Vec::new();
        for item in items {
            let Some(t) = item.table(self.diags, "[[checks]]", &with_meta(&["assert", "when"]))
            else {
                continue;
            };
            let Some(id_node) = t.get("id") else {
                self.diags.error(
                    item.span.clone(),
                    "every check needs an `id`",
                    "no id",
                    Some(
                        "add id = \"a-short-name\": reports and baselines refer to checks by id"
                            .into(),
                    ),
                );
                continue;
            };
            let Some(assert_node) = t.get("assert") else {
                self.diags.error(
                    id_node.span.clone(),
                    "this check has no `assert`",
                    "no assert",
                    Some("add assert = \"DATA_FINE >= DATA_INIZIO\"".into()),
                );
                continue;
            };
            let Some(assert) = assert_node.str(self.diags, "`assert`") else {
                continue;
            };
            let when = match t.get("when") {
                Some(w) => w.str(self.diags, "`when`").map(|s| {
                    (
                        s.to_string(),
                        string_content_offset(self.diags.source(), &w.span),
                    )
                }),
                None => None,
            };
            let id = id_node.str(self.diags, "`id`").unwrap_or("").to_string();
            let meta = self.meta(
                Some(&t),
                id.clone(),
                assert.to_string(),
                Severity::Error,
                2,
                id_node.span.clone(),
            );
            let assert_offset = string_content_offset(self.diags.source(), &assert_node.span);
            let assert_expr = self.expression(assert, assert_offset, &env);
            let when_expr = match &when {
                Some((w, offset)) => match self.expression(w, *offset, &env) {
                    Some(e) => Some(e),
                    None => continue,
                },
                None => None,
            };
            let Some(assert_expr) = assert_expr else {
                continue;
            };
            out.push(ExprCheckSpec {
                meta,
                assert: assert.to_string(),
                assert_offset,
                when_offset: when.as_ref().map(|(_, o)| *o),
                when: when.map(|(s, _)| s),
                assert_expr,
                when_expr,
            });
        }
        out
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
}
