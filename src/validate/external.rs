//! Checks evaluated outside the engine, over a whole table, with what the
//! engine does not have: the address check ([`crate::checks::address`])
//! needs the project's civic-number register. Their verdicts are merged into
//! the [`SourceOutcome`] and their findings written like the engine's, with
//! the record keys shown as the engine shows them.

use std::io;
use std::sync::Arc;

use super::{CheckResult, Finding, SourceOutcome, ValidateOptions};
use crate::checks::CheckKind;
use crate::messages::Message;
use crate::read::Table;
use crate::rules::{CheckMeta, RuleSet};

/// One record's verdict.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Nothing to evaluate (e.g. no address given).
    Skipped,
    /// Evaluated, passed.
    Passed,
    /// Evaluated, failed: the message, and the value it concerns (masked
    /// unless `--show-pii` when written).
    Failed(Message, String),
}

/// A check over the records of a table, one verdict per record.
pub struct RecordCheck<'a> {
    /// Its kind.
    pub kind: &'static CheckKind,
    /// Its id, severity and tolerance.
    pub meta: &'a CheckMeta,
    /// The column (or the first of the columns) it concerns.
    pub column: String,
}

/// Adds `check`'s result to `outcome` (in place of a result with the same
/// id, if it has one), writing a finding per failed record
/// to `sink` (in record order) and keeping the first as examples.
/// `verdicts` has one verdict per record of `table`, in order.
pub fn merge(
    table: &Table,
    rules: &RuleSet,
    options: &ValidateOptions,
    outcome: &mut SourceOutcome,
    check: RecordCheck,
    verdicts: impl IntoIterator<Item = Verdict>,
    sink: &mut (dyn FnMut(&Finding) -> io::Result<()> + Send),
) -> io::Result<()> {
    let key_cols: Vec<usize> = rules
        .input
        .key
        .iter()
        .filter_map(|k| table.column(k))
        .collect();
    let shown = if rules.key_is_personal() && !options.show_pii {
        crate::privacy::KeyShown::pseudonymous(&options.source_name, options.key_pseudonyms.clone())
    } else {
        crate::privacy::KeyShown::plain()
    };
    let id: Arc<str> = Arc::from(check.meta.id.as_str());
    let mut result = CheckResult {
        meta: check.meta.clone(),
        kind: check.kind,
        column: Some(check.column.clone()),
        evaluated: 0,
        failed: 0,
        skipped: None,
        examples: Vec::new(),
    };
    for (record, verdict) in table.records.iter().zip(verdicts) {
        let (message, value) = match verdict {
            Verdict::Skipped => continue,
            Verdict::Passed => {
                result.evaluated += 1;
                continue;
            }
            Verdict::Failed(m, v) => (m, v),
        };
        result.evaluated += 1;
        result.failed += 1;
        let key = key_cols
            .iter()
            .map(|&c| record.fields.get(c).unwrap_or("").trim_matches(' '))
            .collect::<Vec<_>>()
            .join("|");
        let finding = Finding {
            row: record.row,
            line: record.line,
            key: shown.show(record.row, &key),
            column: check.column.clone(),
            check: Arc::clone(&id),
            code: check.kind.code,
            severity: check.meta.severity,
            message,
            sample: Some(crate::privacy::mask(&value, options.show_pii)),
        };
        sink(&finding)?;
        if result.examples.len() < options.examples {
            result.examples.push(finding);
        }
    }
    // A check the engine left "not evaluated" (a cross-source check under
    // `vaglio check`) is replaced where it stands.
    match outcome
        .checks
        .iter_mut()
        .find(|c| c.meta.id == result.meta.id)
    {
        Some(c) => *c = result,
        None => outcome.checks.push(result),
    }
    Ok(())
}
