#![doc = include_str!("docs/range.md")]

use super::CheckKind;
use crate::messages::Message;
use crate::rules::{Bound, Severity};
use crate::value::Value;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG106",
    name: "range",
    level: 1,
    default_severity: Severity::Error,
    summary: "a number or date lies within bounds",
    doc: include_str!("docs/range.md"),
};

/// A failure message when `value` is outside `[min, max]`. Values of other
/// types than the bounds are not judged here (the type check reports them).
pub fn check(value: &Value<'_>, min: Option<&Bound>, max: Option<&Bound>) -> Option<Message> {
    if let Some(b) = min {
        match (b, value) {
            (Bound::Number(m), v) if v.as_f64().is_some_and(|x| x < *m) => {
                return Some(Message::BelowMinimum { min: *m })
            }
            (Bound::Date(d), v) if v.as_date().is_some_and(|x| x < *d) => {
                return Some(Message::BeforeEarliest {
                    date: d.format("%Y-%m-%d").to_string(),
                })
            }
            _ => {}
        }
    }
    if let Some(b) = max {
        match (b, value) {
            (Bound::Number(m), v) if v.as_f64().is_some_and(|x| x > *m) => {
                return Some(Message::AboveMaximum { max: *m })
            }
            (Bound::Date(d), v) if v.as_date().is_some_and(|x| x > *d) => {
                return Some(Message::AfterLatest {
                    date: d.format("%Y-%m-%d").to_string(),
                })
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn numbers_and_dates() {
        let zero = Bound::Number(0.0);
        assert!(check(&Value::Decimal(-0.5), Some(&zero), None).is_some());
        assert!(check(&Value::Int(0), Some(&zero), None).is_none());
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).map(Bound::Date);
        let later = NaiveDate::from_ymd_opt(2027, 1, 1)
            .map(Value::Date)
            .unwrap_or(Value::Null);
        assert_eq!(
            check(&later, None, today.as_ref())
                .map(|m| m.to_string())
                .as_deref(),
            Some("after the latest allowed date 2026-11-28")
        );
        assert!(check(&Value::Null, Some(&zero), None).is_none());
    }
}
