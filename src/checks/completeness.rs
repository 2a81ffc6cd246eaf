#![doc = include_str!("docs/completeness.md")]

use super::registry::{FieldKind, Stage};
use super::CheckKind;
use crate::messages::Description;
use crate::rules::load::fields::FieldCx;
use crate::rules::CheckMeta;
use crate::messages::Message;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG108",
    name: "completeness",
    level: 1,
    default_severity: Severity::Error,
    summary: "enough rows have a value",
    doc: include_str!("docs/completeness.md"),
};

/// `completeness = P` (or `{ min_percent = P, … }`): at least P% of the
/// rows have a value, judged once the whole column is read.
#[derive(Clone, Debug)]
pub struct Completeness {
    /// Minimum percentage of non-missing cells.
    pub min_percent: f64,
}

impl FieldKind for Completeness {
    const KEYS: &'static [&'static str] = &["completeness"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let Some(n) = cx.table.get("completeness") else {
            return;
        };
        let span = n.span.clone();
        let (value_node, table) = cx.value_or_table(n, "completeness", &["min_percent"]);
        let Some(p) = value_node.and_then(|v| v.percent(cx.diags(), "`completeness`")) else {
            return;
        };
        let field = cx.name.to_string();
        let meta = cx.meta(
            &KIND,
            table.as_ref(),
            format!("{field}.completeness"),
            Description::Completeness { field, percent: p },
            span,
        );
        out.push((Completeness { min_percent: p }, meta));
    }

    fn stage(&self) -> Stage {
        Stage::Column
    }

    fn column(&self, rows: u64, missing: u64) -> Option<Message> {
        evaluate(rows, missing, self.min_percent).1
    }
}

/// The percentage of `rows` that have a value, and a failure message when
/// it is below `min_percent`. An empty extract is complete.
pub fn evaluate(rows: u64, missing: u64, min_percent: f64) -> (f64, Option<Message>) {
    let pct = if rows == 0 {
        100.0
    } else {
        (rows - missing.min(rows)) as f64 * 100.0 / rows as f64
    };
    if pct + 1e-9 < min_percent {
        (
            pct,
            Some(Message::TooIncomplete {
                percent: pct,
                min_percent,
            }),
        )
    } else {
        (pct, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert!(evaluate(100, 5, 95.0).1.is_none());
        let (pct, msg) = evaluate(100, 20, 95.0);
        assert_eq!(pct, 80.0);
        assert_eq!(
            msg.map(|m| m.to_string()).as_deref(),
            Some("80.0% of the rows have a value, at least 95% required")
        );
        assert!(evaluate(0, 0, 100.0).1.is_none());
    }
}
