//! Quality over time: every delivery of every source remembered in one
//! SQLite file, `history.sqlite`, so that reports can show trends, a run can
//! compare a delivery with the last accepted one, and `vaglio history` can
//! print a source's course.
//!
//! | module | what |
//! |---|---|
//! | [`store`] | the SQLite file: its tables, reading it, adding deliveries through a run's [`crate::output::Sink`] |
//! | [`trend`] | a source's series, what changed since the previous delivery, text / Markdown / JSON |
//! | [`chart`] | the trend charts of the HTML report (inline SVG) |
//! | [`run`](mod@run) | the history in `vaglio run`: its deliveries, their trends, the file staged in the run |
//!
//! **What a delivery holds** — and nothing else: the run's id, its date
//! (`--today`), the time it was recorded, the source's name, the SHA-256 of
//! its rule file and of its data, its row count and gate, per check its id,
//! kind code, column, severity, values evaluated and failed, failure rate and
//! verdict, per column its declared type, presence, completeness and
//! validity, and (for `vaglio run`) how many records were linked, sent to
//! review or not linked. No value of any record is ever written; a column
//! name that could be a value (a file delivered without its header row makes
//! the first record's values the column names) is stored as `column N`
//! ([`safe_column`]).
//!
//! A delivery is identified by its source, date, data digest and rule-file
//! digest: running the same delivery again replaces it (with the new run's
//! id and time) instead of counting it twice, so that reports built from the
//! history stay byte-identical when a run is repeated.

pub mod chart;
pub mod run;
pub mod store;
pub mod trend;

use serde::Serialize;

use crate::report::summary::SourceSummary;
use crate::rules::Severity;
use crate::validate::{Gate, Verdict};

/// The history file's name, in its folder.
pub const FILE: &str = "history.sqlite";

/// What `--baseline` says to take the last accepted delivery from the
/// history instead of a `summary.json`.
pub const BASELINE_KEYWORD: &str = "history";

/// One delivery of one source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delivery {
    /// The id of the run that recorded it (`vaglio run`'s id; for `vaglio
    /// check`, `check-` and the first 12 hex digits of the data's digest).
    pub run: String,
    /// The run's date, `YYYY-MM-DD` (`--today`).
    pub date: String,
    /// When it was recorded (UTC, RFC 3339): the only value that is not a
    /// function of the inputs; no report shows it.
    pub recorded_at: String,
    /// The source's name.
    pub source: String,
    /// SHA-256 of its rule file.
    pub rules_sha256: String,
    /// SHA-256 of its data (the bytes read).
    pub input_sha256: String,
    /// Data rows.
    pub rows: u64,
    /// `passed` or `failed` (checks of severity error over tolerance).
    pub gate: String,
    /// Records linked, in review, not linked (`vaglio run`).
    pub linkage: Option<Linkage>,
    /// Every check.
    pub checks: Vec<CheckPoint>,
    /// Every column.
    pub fields: Vec<FieldPoint>,
}

/// How a delivery's records linked to the anagrafe.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Linkage {
    /// Records linked to a resident.
    pub linked: u64,
    /// Records in the review band.
    pub review: u64,
    /// Records not linked.
    pub unlinked: u64,
}

impl Linkage {
    /// The three shares (0–100) of the records: linked, review, unlinked.
    pub fn shares(&self) -> [f64; 3] {
        let total = (self.linked + self.review + self.unlinked).max(1) as f64;
        [self.linked, self.review, self.unlinked]
            .map(|n| crate::report::summary::round4(n as f64 * 100.0 / total))
    }
}

/// One check of a delivery.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckPoint {
    /// Its id.
    pub id: String,
    /// Its kind's code (`VG101`).
    pub code: String,
    /// Its column, if one.
    pub column: Option<String>,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// Values evaluated.
    pub evaluated: u64,
    /// Values that failed.
    pub failed: u64,
    /// Failed as a percentage of evaluated.
    pub rate: f64,
    /// `passed`, `failed` (over tolerance) or `skipped`.
    pub verdict: String,
}

/// One column of a delivery.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldPoint {
    /// Its name.
    pub name: String,
    /// Its declared type, or `undeclared`.
    pub field_type: String,
    /// Whether the column was in the file.
    pub present: bool,
    /// Percentage of rows with a value.
    pub completeness: f64,
    /// Percentage of values valid for the type.
    pub validity: f64,
}

/// Whether `name` may be stored as a column's name: letters, digits, `_`,
/// `-`, `.` and spaces, at most 64 characters, no run of four digits (a
/// date, an amount, a code) and no long word of letters and digits (a
/// codice fiscale). A header row is made
/// of such names; a record's values mostly are not.
pub fn plausible_column_name(name: &str) -> bool {
    let mut digits = 0;
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 4 {
                return false;
            }
        } else {
            digits = 0;
        }
        if !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ')) {
            return false;
        }
    }
    // A code: a long word of letters and digits (a codice fiscale, a
    // protocol).
    let code = name.split([' ', '_', '-', '.']).any(|w| {
        w.len() >= 11 && w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic)
    });
    !name.trim().is_empty() && name.chars().count() <= 64 && !code
}

/// A column's name as the history stores it: declared columns (named by
/// the rule file) as they are; an undeclared one as it is when it is a
/// [`plausible_column_name`], else `column N` (its position among the
/// undeclared ones).
pub fn safe_column(name: &str, declared: bool, position: usize) -> String {
    if declared || plausible_column_name(name) {
        name.to_string()
    } else {
        format!("column {position}")
    }
}

impl Delivery {
    /// A delivery from a source's summary. `run`, `date` and the digests
    /// identify it; the time is taken now.
    pub fn from_summary(
        s: &SourceSummary,
        run: &str,
        date: &str,
        rules_sha256: &str,
        input_sha256: &str,
        linkage: Option<Linkage>,
    ) -> Delivery {
        let declared: std::collections::HashSet<&str> = s
            .fields
            .iter()
            .filter(|f| f.field_type != "undeclared")
            .map(|f| f.name.as_str())
            .collect();
        let mut undeclared = 0;
        let mut renamed = std::collections::HashMap::new();
        let fields = s
            .fields
            .iter()
            .map(|f| {
                let is_declared = f.field_type != "undeclared";
                if !is_declared {
                    undeclared += 1;
                }
                let name = safe_column(&f.name, is_declared, undeclared);
                renamed.insert(f.name.clone(), name.clone());
                FieldPoint {
                    name,
                    field_type: f.field_type.clone(),
                    present: f.present,
                    completeness: f.completeness,
                    validity: f.validity,
                }
            })
            .collect();
        let column = |c: &Option<String>| -> Option<String> {
            let c = c.as_ref()?;
            Some(match renamed.get(c) {
                Some(n) => n.clone(),
                None if declared.contains(c.as_str()) || plausible_column_name(c) => c.clone(),
                None => "column".to_string(),
            })
        };
        let checks = s
            .checks
            .iter()
            .map(|c| CheckPoint {
                id: if declared.iter().any(|d| c.id.starts_with(d)) || plausible_check_id(&c.id) {
                    c.id.clone()
                } else {
                    format!("{}.{}", column(&c.column).unwrap_or_default(), c.kind)
                },
                code: c.code.clone(),
                column: column(&c.column),
                severity: c.severity.name().to_string(),
                evaluated: c.evaluated,
                failed: c.failed,
                rate: c.failed_percent,
                verdict: c.verdict.name().to_string(),
            })
            .collect();
        Delivery {
            run: run.to_string(),
            date: date.to_string(),
            recorded_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            source: s.name.clone(),
            rules_sha256: rules_sha256.to_string(),
            input_sha256: input_sha256.to_string(),
            rows: s.rows,
            gate: s.gate.name().to_string(),
            linkage,
            checks,
            fields,
        }
    }

    /// The summary of this delivery as `--baseline` compares with it:
    /// checks' rates and verdicts, columns' completeness.
    pub fn as_baseline(&self) -> SourceSummary {
        use crate::report::summary::{CheckSummary, FieldSummary};
        SourceSummary {
            name: self.source.clone(),
            file: String::new(),
            rules: String::new(),
            format: String::new(),
            encoding: None,
            encoding_detected: false,
            delimiter: None,
            rows: self.rows,
            gate: Gate::of(self.gate == Gate::Failed.name()),
            checks_passed: 0,
            checks_failed: 0,
            checks_skipped: 0,
            fields: self
                .fields
                .iter()
                .map(|f| FieldSummary {
                    name: f.name.clone(),
                    field_type: f.field_type.clone(),
                    present: f.present,
                    count: self.rows,
                    missing: 0,
                    invalid: 0,
                    distinct: 0,
                    distinct_exact: false,
                    completeness: f.completeness,
                    validity: f.validity,
                })
                .collect(),
            checks: self
                .checks
                .iter()
                .map(|c| CheckSummary {
                    id: c.id.clone(),
                    code: c.code.clone(),
                    kind: String::new(),
                    column: c.column.clone(),
                    severity: Severity::parse(&c.severity).unwrap_or_default(),
                    level: 0,
                    description: String::new(),
                    evaluated: c.evaluated,
                    failed: c.failed,
                    failed_percent: c.rate,
                    max_fail_count: None,
                    max_fail_percent: None,
                    verdict: Verdict::parse(&c.verdict),
                    skipped: None,
                })
                .collect(),
            linkage: None,
            addresses: None,
        }
    }

    /// Whether `other` is the same delivery (same source, date, data and
    /// rules): recording it again replaces this one.
    pub fn same_as(&self, other: &Delivery) -> bool {
        self.source == other.source
            && self.date == other.date
            && self.input_sha256 == other.input_sha256
            && self.rules_sha256 == other.rules_sha256
    }
}

/// Whether a check id can be stored as it is: vaglio's own ids are a
/// column's name and a kind (`CF_ALUNNO.required`) or a table check's name;
/// a rule file's ids are written by its author.
fn plausible_check_id(id: &str) -> bool {
    plausible_column_name(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_that_could_be_values_are_not_kept() {
        for ok in [
            "CF_ALUNNO",
            "Data nascita",
            "NOTE",
            "importo.2",
            "COD-SCUOLA",
        ] {
            assert!(plausible_column_name(ok), "{ok}");
        }
        for bad in [
            "RSSMRA80A01H501U",
            "rssmra80a01h501u",
            "01/02/1980",
            "12345",
            "via Roma, 3",
            "mario@example.it",
            "",
        ] {
            assert!(!plausible_column_name(bad), "{bad}");
        }
        assert_eq!(safe_column("RSSMRA80A01H501U", false, 2), "column 2");
        assert_eq!(safe_column("NOTE", false, 1), "NOTE");
        assert_eq!(safe_column("X 1234", true, 1), "X 1234");
    }

    #[test]
    fn linkage_shares_add_up() {
        let l = Linkage {
            linked: 90,
            review: 6,
            unlinked: 4,
        };
        assert_eq!(l.shares(), [90.0, 6.0, 4.0]);
        let none = Linkage {
            linked: 0,
            review: 0,
            unlinked: 0,
        };
        assert_eq!(none.shares(), [0.0, 0.0, 0.0]);
    }
}
