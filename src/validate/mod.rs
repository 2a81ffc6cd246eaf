//! The check engine: runs a [`RuleSet`](crate::rules::RuleSet) over a source and produces, per
//! check, how many values were evaluated and how many failed, per field a
//! profile, and a stream of [`Finding`]s (one per failing row and check).
//!
//! Records are read in chunks; each chunk is checked in parallel (rayon),
//! then merged in row order, so the findings come out in the same order
//! whatever the number of threads. Memory does not grow with the file except
//! for what uniqueness checks must remember (16 bytes per distinct key).

mod distinct;
mod engine;
pub mod external;
mod plan;

use std::sync::Arc;

pub use engine::{validate, validate_table, ValidateOptions};
pub use plan::Plan;

use crate::checks::CheckKind;
use crate::messages::Message;
use crate::read::SourceInfo;
use crate::rules::{CheckMeta, Severity};

/// One failing (row, check).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// 1-based data row (0 for problems of the file as a whole).
    pub row: u64,
    /// Physical line where the row starts (0 when not applicable).
    pub line: u64,
    /// The record's key (the `[input] key` columns joined by `|`).
    pub key: String,
    /// The column concerned, if one.
    pub column: String,
    /// The check's id.
    pub check: Arc<str>,
    /// The check kind's code.
    pub code: &'static str,
    /// The check's severity.
    pub severity: Severity,
    /// What is wrong (with the value only under `--show-pii`).
    pub message: Message,
    /// The offending value, masked unless `--show-pii` (for examples).
    pub sample: Option<String>,
}

/// Whether a check passed; written `passed`, `failed` or `skipped`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Failures within tolerance.
    Passed,
    /// Failures beyond tolerance.
    Failed,
    /// Not evaluated (e.g. its column is missing).
    Skipped,
}

impl Verdict {
    /// The name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Skipped => "skipped",
        }
    }

    /// Reads a name [`Verdict::name`] wrote; anything else is `Skipped`
    /// (not compared with).
    pub fn parse(s: &str) -> Verdict {
        match s {
            "passed" => Verdict::Passed,
            "failed" => Verdict::Failed,
            _ => Verdict::Skipped,
        }
    }
}

/// Whether a source, or a run, passes its gate; written `passed` or
/// `failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    /// No check over tolerance at the gate's severity (and no regression).
    Passed,
    /// At least one.
    Failed,
}

impl Gate {
    /// `Failed` when `failed`.
    pub fn of(failed: bool) -> Gate {
        if failed {
            Gate::Failed
        } else {
            Gate::Passed
        }
    }

    /// The name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Gate::Passed => "passed",
            Gate::Failed => "failed",
        }
    }
}

/// The outcome of one check over a source.
#[derive(Clone, Debug)]
pub struct CheckResult {
    /// Identity, severity and tolerance.
    pub meta: CheckMeta,
    /// The kind of check.
    pub kind: &'static CheckKind,
    /// The column it concerns, if one.
    pub column: Option<String>,
    /// Values (or rows) evaluated.
    pub evaluated: u64,
    /// Values (or rows) that failed.
    pub failed: u64,
    /// Why it was skipped, if it was.
    pub skipped: Option<Message>,
    /// The first failures (at most [`ValidateOptions::examples`]).
    pub examples: Vec<Finding>,
}

impl CheckResult {
    /// Failures as a percentage of the evaluated values.
    pub fn failed_percent(&self) -> f64 {
        if self.evaluated == 0 {
            0.0
        } else {
            self.failed as f64 * 100.0 / self.evaluated as f64
        }
    }

    /// Passed, failed (over tolerance) or skipped.
    pub fn verdict(&self) -> Verdict {
        if self.skipped.is_some() {
            Verdict::Skipped
        } else if self.meta.within_tolerance(self.failed, self.evaluated) {
            Verdict::Passed
        } else {
            Verdict::Failed
        }
    }
}

/// Profile of one column.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldProfile {
    /// Column name.
    pub name: String,
    /// Declared type (`undeclared` for columns not in the rule file).
    pub field_type: String,
    /// Whether the column is in the file.
    pub present: bool,
    /// Rows.
    pub count: u64,
    /// Missing cells.
    pub missing: u64,
    /// Non-missing cells that are not valid for the type.
    pub invalid: u64,
    /// Distinct non-missing values.
    pub distinct: u64,
    /// Whether `distinct` is exact (large columns are estimated).
    pub distinct_exact: bool,
}

impl FieldProfile {
    /// Percentage of rows with a value.
    pub fn completeness(&self) -> f64 {
        if self.count == 0 {
            100.0
        } else {
            (self.count - self.missing) as f64 * 100.0 / self.count as f64
        }
    }

    /// Percentage of non-missing values that are valid.
    pub fn validity(&self) -> f64 {
        let present = self.count - self.missing;
        if present == 0 {
            100.0
        } else {
            (present - self.invalid) as f64 * 100.0 / present as f64
        }
    }
}

/// Everything the engine learned about one source.
#[derive(Clone, Debug)]
pub struct SourceOutcome {
    /// Name of the source (the file stem, or the rule file's `name`).
    pub name: String,
    /// The file checked.
    pub path: String,
    /// The rule file used.
    pub rules: String,
    /// What the reader decided.
    pub info: SourceInfo,
    /// Data rows read.
    pub rows: u64,
    /// Columns of the file.
    pub columns: Vec<String>,
    /// Per-column profiles (declared fields first, then undeclared columns).
    pub fields: Vec<FieldProfile>,
    /// Per-check outcomes, in rule order.
    pub checks: Vec<CheckResult>,
}

impl SourceOutcome {
    /// The checks over tolerance whose severity is at least `fail_on`.
    pub fn gate_failures(&self, fail_on: Severity) -> impl Iterator<Item = &CheckResult> {
        self.checks
            .iter()
            .filter(move |c| c.meta.severity >= fail_on && c.verdict() == Verdict::Failed)
    }
}
