//! Rule files: one TOML file per kind of extract, saying how to read it,
//! what each field must satisfy, which table-level and cross-field checks
//! apply, and (later) how its people link to the anagrafe.
//!
//! Names follow Frictionless Table Schema where they fit (`required`,
//! `unique`, `enum`, `pattern`, `minimum`/`maximum`, `min_length` /
//! `minLength`, `missing_values` / `missingValues`, `primary_key` /
//! `primaryKey`, `foreign_keys` / `foreignKeys`). Every constraint may be
//! written plainly (`required = true`) or as a table that also sets its
//! severity and tolerance (`required = { severity = "warning",
//! max_fail_percent = 2 }`). See the README for a worked example.
//!
//! [`load`] parses a file into a [`RuleSet`], collecting every problem as a
//! diagnostic that points at its span.
//!
//! Resource caps: `[input] max_field_bytes` (default
//! [`crate::read::DEFAULT_MAX_FIELD_BYTES`], 1 MiB) is the longest field
//! read: a CSV field, an SQLite value or an Excel cell; a longer one stops
//! the job with exit code 2 ([`crate::read::ReadError::FieldTooLarge`] for
//! CSV, the SQLite or Excel read error naming the cap otherwise). The `[link]`
//! section's `max_block_size` and `max_pairs` are described in
//! [`crate::link::spec`].

pub mod cross;
mod diagnostic;
pub(crate) mod load;
pub(crate) mod walk;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;

pub use diagnostic::{did_you_mean, Diagnostics, RuleDiagnostic, RuleFileError};
pub use load::{load, load_str, load_with_inputs, load_without_references};

use crate::messages::Description;
use crate::read::ReadOptions;
use crate::types::FieldType;

/// How serious a failing check is; written `error`, `warning` or `info`.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails the gate.
    Info,
    /// Fails the gate only with `--fail-on warning`.
    Warning,
    /// Fails the gate when over its tolerance.
    #[default]
    Error,
}

impl Severity {
    /// Parses `error`, `warning` (or `warn`), `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    /// The name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What every check carries: its identity, severity and tolerance.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckMeta {
    /// Stable identifier, unique in the rule file (e.g. `CF_ALUNNO.required`).
    pub id: String,
    /// What the check verifies, in words.
    pub description: Description,
    /// How serious a failure is.
    pub severity: Severity,
    /// Failures tolerated, as a count.
    pub max_fail_count: Option<u64>,
    /// Failures tolerated, as a percentage of the values evaluated.
    pub max_fail_percent: Option<f64>,
    /// Validation level: 0 file structure, 1 codes and formats, 2 coherence
    /// within a record, 3 coherence with external sources.
    pub level: u8,
}

impl CheckMeta {
    /// Whether `failed` failures out of `evaluated` stay within tolerance.
    /// With no tolerance declared, any failure exceeds it.
    pub fn within_tolerance(&self, failed: u64, evaluated: u64) -> bool {
        if self.max_fail_count.is_none() && self.max_fail_percent.is_none() {
            return failed == 0;
        }
        let count_ok = self.max_fail_count.is_none_or(|m| failed <= m);
        let pct_ok = self.max_fail_percent.is_none_or(|m| {
            evaluated == 0 || (failed as f64) * 100.0 / (evaluated as f64) <= m + 1e-9
        });
        count_ok && pct_ok
    }
}

/// A bound of a range constraint.
#[derive(Clone, Debug, PartialEq)]
pub enum Bound {
    /// A number.
    Number(f64),
    /// A date (relative dates such as `today - 18y` are resolved when the
    /// rules load, against the run's date).
    Date(NaiveDate),
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Number(n) => write!(f, "{n}"),
            Bound::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

/// One constraint of a field with its check identity.
#[derive(Clone, Debug)]
pub struct FieldConstraint {
    /// The constraint: its kind's evaluator, from the registry.
    pub kind: crate::checks::FieldCheck,
    /// Identity, severity, tolerance.
    pub meta: CheckMeta,
}

/// A declared field (column) of the extract.
#[derive(Clone, Debug)]
pub struct FieldSpec {
    /// Column name as in the header.
    pub name: String,
    /// Its type.
    pub field_type: FieldType,
    /// Human description.
    pub description: Option<String>,
    /// Whether its values are personal data, masked in reports unless
    /// `--show-pii` (default true).
    pub pii: bool,
    /// Missing-value tokens for this field (overrides the input's).
    pub missing_values: Option<Vec<String>>,
    /// Its constraints, in a stable order.
    pub constraints: Vec<FieldConstraint>,
    /// What `vaglio run` does with the column in the datamart (`None`: the
    /// default — dropped when mapped in `[link] fields`, else kept).
    pub datamart: Option<DatamartColumn>,
}

/// What the datamart feed does with a source's column (`datamart = "…"` in
/// the field's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatamartColumn {
    /// Copied as it is.
    Keep,
    /// Left out.
    Drop,
    /// Replaced by a keyed pseudonym of its value (HMAC-SHA256 of the
    /// trimmed, upper-cased value): the same value gets the same pseudonym in
    /// every source and every run with the same key, so tables still join on
    /// it, and nobody without the key can recover it.
    Pseudonymise,
}

impl DatamartColumn {
    /// The spellings accepted in a rule file.
    pub const NAMES: [&'static str; 4] = ["keep", "drop", "pseudonymise", "pseudonymize"];

    /// Parses a spelling of [`DatamartColumn::NAMES`].
    pub fn parse(s: &str) -> Option<DatamartColumn> {
        match s {
            "keep" => Some(DatamartColumn::Keep),
            "drop" => Some(DatamartColumn::Drop),
            "pseudonymise" | "pseudonymize" => Some(DatamartColumn::Pseudonymise),
            _ => None,
        }
    }
}

/// A check of `[table]` with its check identity.
#[derive(Clone, Debug)]
pub struct TableConstraint {
    /// The check: its kind's evaluator, from the registry.
    pub kind: crate::checks::TableCheck,
    /// Identity, severity, tolerance.
    pub meta: CheckMeta,
}

/// A check of the file's columns (`[table]`) with its check identity.
#[derive(Clone, Debug)]
pub struct ColumnConstraint {
    /// The check: its kind's judge of the header, from the registry.
    pub kind: crate::checks::ColumnCheck,
    /// Identity, severity, tolerance.
    pub meta: CheckMeta,
}

/// Table-level expectations.
#[derive(Clone, Debug, Default)]
pub struct TableSpec {
    /// Columns that must be present (besides the declared fields).
    pub required_columns: Vec<String>,
    /// The checks of the column kinds (missing, unexpected and forbidden
    /// columns, judged from the header), in the order the loader parsed
    /// them.
    pub columns: Vec<ColumnConstraint>,
    /// The checks of the table kinds (row count, duplicate rows, keys,
    /// foreign keys), in the order the loader parsed them.
    pub checks: Vec<TableConstraint>,
    /// Severity of structural problems (ragged rows, encoding, quotes, header).
    pub structure: Severity,
}

/// A cross-field check written as an expression.
#[derive(Clone, Debug)]
pub struct ExprCheckSpec {
    /// Identity, severity, tolerance.
    pub meta: CheckMeta,
    /// The assertion, as written.
    pub assert: String,
    /// The condition under which the check applies, as written.
    pub when: Option<String>,
    /// Byte offset of the assertion text in the rule file (for diagnostics
    /// when the expression is compiled against a file's header).
    pub assert_offset: usize,
    /// Byte offset of the condition text.
    pub when_offset: Option<usize>,
    /// The assertion, compiled against the declared fields (column index =
    /// field index).
    pub assert_expr: Arc<crate::expr::Expr>,
    /// The condition, compiled.
    pub when_expr: Option<Arc<crate::expr::Expr>>,
}

/// How to read the extract and name its records.
#[derive(Clone, Debug, Default)]
pub struct InputSpec {
    /// Reader options (delimiter, encoding, table, sheet, format).
    pub read: ReadOptions,
    /// Columns that identify a record in reports (not necessarily unique).
    pub key: Vec<String>,
    /// Missing-value tokens (compared after trimming, case-insensitively).
    pub missing_values: Vec<String>,
}

impl InputSpec {
    /// The tokens the linkage and the master treat as missing: the declared
    /// ones, or [`DEFAULT_MISSING_VALUES`] when the rule file declares none.
    pub fn missing_or_default(&self) -> Vec<String> {
        if self.missing_values.is_empty() {
            DEFAULT_MISSING_VALUES
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            self.missing_values.clone()
        }
    }
}

/// A loaded, validated rule file.
#[derive(Clone, Debug)]
pub struct RuleSet {
    /// The rule file.
    pub path: PathBuf,
    /// A short name for the kind of extract.
    pub name: Option<String>,
    /// What the extract is.
    pub description: Option<String>,
    /// How to read it.
    pub input: InputSpec,
    /// Declared fields, in file order.
    pub fields: Vec<FieldSpec>,
    /// Table-level checks.
    pub table: TableSpec,
    /// Cross-field checks.
    pub checks: Vec<ExprCheckSpec>,
    /// Cross-source checks (`[[checks]]` naming `anagrafe.`, `famiglia.` or
    /// another source's columns), evaluated by `vaglio run` after linkage.
    pub cross_checks: Vec<cross::CrossCheckSpec>,
    /// The date `today` meant when the rules were loaded.
    pub today: NaiveDate,
    /// The rule file's text (for expression diagnostics).
    pub source_text: Arc<String>,
    /// The `[link]` table, kept as written for the linkage stage.
    pub link: Option<toml::Table>,
    /// The `[datamart]` section: the records as services of `servizi`.
    pub service: Option<ServiceSpec>,
    /// The `[address]` section: where the records' addresses are, matched
    /// to the project's civic-number register by `vaglio run`.
    pub address: Option<AddressSpec>,
    /// The `[facts]` section: the records as source-specific facts of the
    /// datamart (`redditi`, `riscossione`, `graduatorie`).
    pub facts: Option<FactsSpec>,
}

/// Where a table keeps its addresses (`[address]` in its rule file), and
/// the check that they are in the civic-number register.
#[derive(Clone, Debug, PartialEq)]
pub struct AddressSpec {
    /// The column, or the columns of its parts.
    pub columns: crate::geography::matching::AddressColumns,
    /// The check's id (`COLUMN.address`), severity and tolerance.
    pub meta: CheckMeta,
}

impl AddressSpec {
    /// The columns it names.
    pub fn column_names(&self) -> Vec<&str> {
        use crate::geography::matching::AddressColumns;
        match &self.columns {
            AddressColumns::Text(c) => vec![c.as_str()],
            AddressColumns::Parts { dug, street, civic } => dug
                .iter()
                .chain(std::iter::once(street))
                .chain(civic.iter())
                .map(String::as_str)
                .collect(),
        }
    }
}

/// A source's records as facts of one of the datamart's source-specific
/// tables (`[facts]` in its rule file). Every column is a column of the
/// source; amounts are read with the fields' declared separators.
#[derive(Clone, Debug, PartialEq)]
pub enum FactsSpec {
    /// `kind = "redditi"`: incomes by person and tax year (IRPEF).
    Income {
        /// The tax year's column.
        year: String,
        /// The total income's column (euros).
        income: String,
        /// The net tax's column (euros), optional.
        tax: Option<String>,
    },
    /// `kind = "riscossione"`: billing, by the payer (the person linked).
    Billing {
        /// The billed service: a column (`service`) or one code
        /// (`service_code`).
        service: Given,
        /// The reference year's column, optional.
        year: Option<String>,
        /// The billed amount's column (euros).
        billed: String,
        /// The paid amount's column (euros).
        paid: String,
    },
    /// `kind = "graduatorie"`: a ranking list's applications, by the
    /// applicant.
    Ranking {
        /// The list (call): a column (`list`) or one code (`list_code`).
        list: Given,
        /// The position's column (1 = first).
        position: String,
        /// The score's column.
        score: String,
    },
}

impl FactsSpec {
    /// The datamart table the facts go to.
    pub fn table(&self) -> &'static str {
        match self {
            FactsSpec::Income { .. } => "redditi",
            FactsSpec::Billing { .. } => "riscossione",
            FactsSpec::Ranking { .. } => "graduatorie",
        }
    }

    /// The columns it names, with the key naming each.
    pub fn columns<'s>(&'s self) -> Vec<(&'static str, &'s str)> {
        let mut out = Vec::new();
        let mut push = |key: &'static str, c: Option<&'s String>| {
            if let Some(c) = c {
                out.push((key, c.as_str()));
            }
        };
        match self {
            FactsSpec::Income { year, income, tax } => {
                push("year", Some(year));
                push("income", Some(income));
                push("tax", tax.as_ref());
            }
            FactsSpec::Billing {
                service,
                year,
                billed,
                paid,
            } => {
                if let Given::Column(c) = service {
                    push("service", Some(c));
                }
                push("year", year.as_ref());
                push("billed", Some(billed));
                push("paid", Some(paid));
            }
            FactsSpec::Ranking {
                list,
                position,
                score,
            } => {
                if let Given::Column(c) = list {
                    push("list", Some(c));
                }
                push("position", Some(position));
                push("score", Some(score));
            }
        }
        out
    }
}

/// A source's records as services (`[datamart]` in its rule file): one row
/// of the datamart's `servizi` per record linked to a resident.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSpec {
    /// The service's code: a column (`service`) or one for every record
    /// (`service_code`).
    pub code: Given,
    /// Its description (`label` column or `service_label`); the code when
    /// absent.
    pub label: Option<Given>,
    /// The column of the date the service starts.
    pub start: Option<String>,
    /// The column of the date it ends.
    pub end: Option<String>,
    /// The column of its amount in euros.
    pub amount: Option<String>,
}

impl ServiceSpec {
    /// The columns it names, with the key naming each.
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        if let Given::Column(c) = &self.code {
            out.push(("service", c.as_str()));
        }
        if let Some(Given::Column(c)) = &self.label {
            out.push(("label", c.as_str()));
        }
        for (key, c) in [
            ("start", &self.start),
            ("end", &self.end),
            ("amount", &self.amount),
        ] {
            if let Some(c) = c {
                out.push((key, c.as_str()));
            }
        }
        out
    }
}

/// A value given in a rule file: the column holding it, or one fixed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Given {
    /// Each record's value in this column.
    Column(String),
    /// This value for every record.
    Fixed(String),
}

impl RuleSet {
    /// Index of the field named `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Whether the record key is personal data, so that reports show a
    /// pseudonym of it: one of its columns is undeclared, declared `pii`
    /// (the default), or of a type that names a person whatever `pii` says
    /// (`codice_fiscale`, `isee_protocol`).
    pub fn key_is_personal(&self) -> bool {
        self.input
            .key
            .iter()
            .any(|k| match self.fields.iter().find(|f| &f.name == k) {
                None => true,
                Some(f) => {
                    f.pii
                        || matches!(
                            f.field_type,
                            crate::types::FieldType::CodiceFiscale { .. }
                                | crate::types::FieldType::IseeProtocol { .. }
                        )
                }
            })
    }
}

/// Default missing-value tokens.
pub const DEFAULT_MISSING_VALUES: &[&str] = &["", "NULL", "N.D.", "N/A", "-"];
