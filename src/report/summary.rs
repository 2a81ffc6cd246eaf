//! `summary.json`: every metric of a run, machine-readable. A later run
//! reads it back as its baseline (`--baseline`). The schema is documented in
//! the README; fields are only ever added, never renamed.

use serde::{Deserialize, Serialize};

use super::linkage::LinkageReport;
use crate::messages::Message;
use crate::rules::Severity;
use crate::validate::{Gate, SourceOutcome, Verdict};

/// The whole run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Always `vaglio`.
    pub tool: String,
    /// The version that wrote the file.
    pub version: String,
    /// The date the run took as today (relative rule dates depend on it).
    pub today: String,
    /// `passed` or `failed`: the gate over all sources and the baseline.
    pub gate: Gate,
    /// The lowest severity that fails the gate (`error` or `warning`).
    pub fail_on: Severity,
    /// Per source.
    pub sources: Vec<SourceSummary>,
    /// Regressions against the baseline, if one was given.
    #[serde(default)]
    pub regressions: Vec<Regression>,
    /// The id of the `vaglio run` that wrote it, as the datamart's
    /// `metadata` records it (`esecuzione`); absent for `vaglio check`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

/// One source.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SourceSummary {
    /// Source name.
    pub name: String,
    /// File checked.
    pub file: String,
    /// Rule file.
    pub rules: String,
    /// `csv`, `sqlite` or `excel`.
    pub format: String,
    /// Encoding used (CSV).
    pub encoding: Option<String>,
    /// Whether the encoding was detected.
    pub encoding_detected: bool,
    /// Delimiter (CSV).
    pub delimiter: Option<String>,
    /// Data rows.
    pub rows: u64,
    /// `passed` or `failed`.
    pub gate: Gate,
    /// Checks that passed.
    pub checks_passed: u64,
    /// Checks over tolerance.
    pub checks_failed: u64,
    /// Checks not evaluated.
    pub checks_skipped: u64,
    /// Per column.
    pub fields: Vec<FieldSummary>,
    /// Per check.
    pub checks: Vec<CheckSummary>,
    /// The linkage to the anagrafe, when the source was linked
    /// (`vaglio run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkage: Option<LinkageReport>,
    /// How the addresses matched the civic-number register: records per
    /// match level, with no address, and placed in an area statistica
    /// (`vaglio run` with a `[stradario]`, for a table with `[address]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<crate::geography::matching::Rates>,
}

/// One column's profile.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FieldSummary {
    /// Column name.
    pub name: String,
    /// Declared type, or `undeclared`.
    #[serde(rename = "type")]
    pub field_type: String,
    /// Whether the column is in the file.
    pub present: bool,
    /// Rows.
    pub count: u64,
    /// Missing cells.
    pub missing: u64,
    /// Values invalid for the type.
    pub invalid: u64,
    /// Distinct values.
    pub distinct: u64,
    /// Whether `distinct` is exact.
    pub distinct_exact: bool,
    /// Percentage of rows with a value.
    pub completeness: f64,
    /// Percentage of values valid for the type.
    pub validity: f64,
}

/// One check's outcome.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CheckSummary {
    /// Check id.
    pub id: String,
    /// Kind code (`VG101`).
    pub code: String,
    /// Kind name (`required`).
    pub kind: String,
    /// Column, if one.
    pub column: Option<String>,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// Validation level 0–3.
    pub level: u8,
    /// What it verifies.
    pub description: String,
    /// Values evaluated.
    pub evaluated: u64,
    /// Values that failed.
    pub failed: u64,
    /// Failed as a percentage of evaluated.
    pub failed_percent: f64,
    /// Tolerance as a count.
    pub max_fail_count: Option<u64>,
    /// Tolerance as a percentage.
    pub max_fail_percent: Option<f64>,
    /// `passed`, `failed` or `skipped`.
    pub verdict: Verdict,
    /// Why skipped.
    pub skipped: Option<String>,
}

/// A metric that got worse than in the baseline.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Regression {
    /// Source name.
    pub source: String,
    /// Check id, or `field:NAME` for a completeness regression.
    pub subject: String,
    /// `failed_percent` or `completeness`.
    pub metric: String,
    /// Value in the baseline.
    pub previous: f64,
    /// Value now.
    pub current: f64,
    /// In words.
    pub message: String,
}

impl Regression {
    /// A regression of `metric` (`failed_percent`, `completeness`) on
    /// `subject` (a check's id, or `field:NAME`), its message in English.
    pub fn new(
        source: String,
        subject: String,
        metric: &str,
        previous: f64,
        current: f64,
    ) -> Regression {
        let mut r = Regression {
            source,
            subject,
            metric: metric.to_string(),
            previous,
            current,
            message: String::new(),
        };
        r.message = r.sentence(crate::messages::Lang::En);
        r
    }

    /// The regression in words, in `lang` (`message` is its English).
    pub fn sentence(&self, lang: crate::messages::Lang) -> String {
        use crate::messages::Message;
        let m = match self.subject.strip_prefix("field:") {
            Some(field) if self.metric == "completeness" => Message::CompletenessFell {
                field: field.to_string(),
                now: self.current,
                was: self.previous,
            },
            _ if self.metric == "failed_percent" => Message::FailRateRose {
                check: self.subject.clone(),
                now: self.current,
                was: self.previous,
            },
            // A metric of another version's baseline: its own words.
            _ => return self.message.clone(),
        };
        m.render(lang)
    }
}

/// Rounds to 4 decimals so that files are stable and readable.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl SourceSummary {
    /// Summarises an outcome; `fail_on` decides the source's gate.
    pub fn from_outcome(o: &SourceOutcome, fail_on: Severity) -> SourceSummary {
        let count = |v: Verdict| o.checks.iter().filter(|c| c.verdict() == v).count() as u64;
        SourceSummary {
            name: o.name.clone(),
            file: o.path.clone(),
            rules: o.rules.clone(),
            format: match o.info.format {
                crate::read::InputFormat::Csv => "csv",
                crate::read::InputFormat::Sqlite => "sqlite",
                crate::read::InputFormat::Excel => "excel",
            }
            .to_string(),
            encoding: o.info.encoding.map(str::to_string),
            encoding_detected: o.info.encoding_detected,
            delimiter: o.info.delimiter.map(|d| {
                if d == b'\t' {
                    "tab".to_string()
                } else {
                    (d as char).to_string()
                }
            }),
            rows: o.rows,
            gate: Gate::of(o.gate_failures(fail_on).next().is_some()),
            checks_passed: count(Verdict::Passed),
            checks_failed: count(Verdict::Failed),
            checks_skipped: count(Verdict::Skipped),
            fields: o
                .fields
                .iter()
                .map(|f| FieldSummary {
                    name: f.name.clone(),
                    field_type: f.field_type.clone(),
                    present: f.present,
                    count: f.count,
                    missing: f.missing,
                    invalid: f.invalid,
                    distinct: f.distinct,
                    distinct_exact: f.distinct_exact,
                    completeness: round4(f.completeness()),
                    validity: round4(f.validity()),
                })
                .collect(),
            checks: o
                .checks
                .iter()
                .map(|c| CheckSummary {
                    id: c.meta.id.clone(),
                    code: c.kind.code.to_string(),
                    kind: c.kind.name.to_string(),
                    column: c.column.clone(),
                    severity: c.meta.severity,
                    level: c.meta.level,
                    description: c.meta.description.to_string(),
                    evaluated: c.evaluated,
                    failed: c.failed,
                    failed_percent: round4(c.failed_percent()),
                    max_fail_count: c.meta.max_fail_count,
                    max_fail_percent: c.meta.max_fail_percent,
                    verdict: c.verdict(),
                    skipped: c.skipped.as_ref().map(Message::to_string),
                })
                .collect(),
            linkage: None,
            addresses: None,
        }
    }
}

impl Summary {
    /// Builds the run summary.
    pub fn new(
        outcomes: &[SourceOutcome],
        today: chrono::NaiveDate,
        fail_on: Severity,
        regressions: Vec<Regression>,
    ) -> Summary {
        let sources: Vec<SourceSummary> = outcomes
            .iter()
            .map(|o| SourceSummary::from_outcome(o, fail_on))
            .collect();
        let failed = sources.iter().any(|s| s.gate == Gate::Failed) || !regressions.is_empty();
        Summary {
            tool: "vaglio".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            today: today.format("%Y-%m-%d").to_string(),
            gate: Gate::of(failed),
            fail_on,
            sources,
            regressions,
            run: None,
        }
    }

    /// Serialises as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }
}
