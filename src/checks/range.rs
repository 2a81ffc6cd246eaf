#![doc = include_str!("docs/range.md")]

use std::fmt;

use super::registry::{Cell, FieldKind, Sentences};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
use crate::rules::load::with_meta;
use crate::rules::CheckMeta;
use crate::types::FieldType;
use crate::rules::{Bound, Severity};
use crate::value::Value;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG106",
    name: "range",
    level: 1,
    default_severity: Severity::Error,
    summary: "a number or date lies within bounds",
    summary_it: "il numero o la data è nei limiti",
    doc: include_str!("docs/range.md"),
};

/// `minimum`, `maximum` (one constraint each) and `range = { min, max }`:
/// a number or a date lies within bounds.
#[derive(Clone, Debug)]
pub struct Range {
    /// Lowest allowed value.
    pub min: Option<Bound>,
    /// Highest allowed value.
    pub max: Option<Bound>,
}

/// The bounds, as they are written in outputs: "AGE must be between 0
/// and 120".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
    /// The lower bound.
    pub min: Option<String>,
    /// The upper bound.
    pub max: Option<String>,
}

/// Why a value is out of bounds.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Below a numeric minimum.
    BelowMinimum {
        /// The minimum.
        min: f64,
    },
    /// Above a numeric maximum.
    AboveMaximum {
        /// The maximum.
        max: f64,
    },
    /// Before the earliest allowed date, `YYYY-MM-DD`.
    BeforeEarliest {
        /// The date.
        date: String,
    },
    /// After the latest allowed date, `YYYY-MM-DD`.
    AfterLatest {
        /// The date.
        date: String,
    },
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match (&self.min, &self.max) {
            (Some(a), Some(b)) => write!(f, "{field} must be between {a} and {b}"),
            (Some(a), None) => write!(f, "{field} must be at least {a}"),
            (None, Some(b)) => write!(f, "{field} must be at most {b}"),
            (None, None) => Ok(()),
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match (&self.min, &self.max) {
            (Some(a), Some(b)) => write!(f, "{field} deve essere tra {a} e {b}"),
            (Some(a), None) => write!(f, "{field} deve essere almeno {a}"),
            (None, Some(b)) => write!(f, "{field} deve essere al massimo {b}"),
            (None, None) => Ok(()),
        }
    }

    /// A range with no bound is not read from a rule file: no example.
    fn examples() -> Vec<Self> {
        let bound = || Some(String::new());
        [(bound(), bound()), (bound(), None), (None, bound())]
            .into_iter()
            .map(|(min, max)| Description {
                field: String::new(),
                min,
                max,
            })
            .collect()
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::BelowMinimum { min } => write!(f, "below the minimum {min}"),
            Failure::AboveMaximum { max } => write!(f, "above the maximum {max}"),
            Failure::BeforeEarliest { date } => {
                write!(f, "before the earliest allowed date {date}")
            }
            Failure::AfterLatest { date } => write!(f, "after the latest allowed date {date}"),
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::BelowMinimum { min } => write!(f, "sotto il minimo {min}"),
            Failure::AboveMaximum { max } => write!(f, "sopra il massimo {max}"),
            Failure::BeforeEarliest { date } => {
                write!(f, "precedente alla prima data ammessa {date}")
            }
            Failure::AfterLatest { date } => {
                write!(f, "successiva all'ultima data ammessa {date}")
            }
        }
    }

    fn examples() -> Vec<Self> {
        vec![
            Failure::BelowMinimum { min: 0.0 },
            Failure::AboveMaximum { max: 0.0 },
            Failure::BeforeEarliest {
                date: String::new(),
            },
            Failure::AfterLatest {
                date: String::new(),
            },
        ]
    }
}

impl Sentences for Range {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Range {
    const KEYS: &'static [&'static str] = &["minimum", "maximum", "range"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let dates = match cx.field_type {
            FieldType::Integer { .. } | FieldType::Decimal { .. } => Some(false),
            FieldType::Date { .. } | FieldType::DateTime { .. } => Some(true),
            _ => None,
        };
        for (key, is_min) in [("minimum", true), ("maximum", false)] {
            let Some(n) = cx.table.get(key) else {
                continue;
            };
            let span = n.span.clone();
            let (value, table) = cx.value_or_table(n, key, &[]);
            let Some(b) = value.and_then(|v| cx.bound(v, dates)) else {
                continue;
            };
            let field = cx.name.to_string();
            let description = Description {
                field: field.clone(),
                min: is_min.then(|| b.to_string()),
                max: (!is_min).then(|| b.to_string()),
            };
            let id = format!("{field}.{key}");
            let meta = cx.meta(&KIND, table.as_ref(), id, description, span);
            let range = if is_min {
                Range {
                    min: Some(b),
                    max: None,
                }
            } else {
                Range {
                    min: None,
                    max: Some(b),
                }
            };
            out.push((range, meta));
        }
        let Some(n) = cx.table.get("range") else {
            return;
        };
        let Some(t) = n.table(cx.diags(), "`range`", &with_meta(&["min", "max"])) else {
            return;
        };
        let min = t.get("min").and_then(|m| cx.bound(m, dates));
        let max = t.get("max").and_then(|m| cx.bound(m, dates));
        if min.is_none() && max.is_none() {
            if t.get("min").is_none() && t.get("max").is_none() {
                cx.diags().error(
                    n.span.clone(),
                    "`range` needs `min`, `max` or both",
                    "empty range",
                    None,
                );
            }
            return;
        }
        let field = cx.name.to_string();
        let description = Description {
            field: field.clone(),
            min: min.as_ref().map(|a| a.to_string()),
            max: max.as_ref().map(|b| b.to_string()),
        };
        let meta = cx.meta(
            &KIND,
            Some(&t),
            format!("{field}.range"),
            description,
            n.span.clone(),
        );
        out.push((Range { min, max }, meta));
    }

    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Failure> {
        check(cell.value, self.min.as_ref(), self.max.as_ref())
    }
}

/// A failure when `value` is outside `[min, max]`. Values of other types
/// than the bounds are not judged here (the type check reports them).
pub fn check(value: &Value<'_>, min: Option<&Bound>, max: Option<&Bound>) -> Option<Failure> {
    if let Some(b) = min {
        match (b, value) {
            (Bound::Number(m), v) if v.as_f64().is_some_and(|x| x < *m) => {
                return Some(Failure::BelowMinimum { min: *m })
            }
            (Bound::Date(d), v) if v.as_date().is_some_and(|x| x < *d) => {
                return Some(Failure::BeforeEarliest {
                    date: d.format("%Y-%m-%d").to_string(),
                })
            }
            _ => {}
        }
    }
    if let Some(b) = max {
        match (b, value) {
            (Bound::Number(m), v) if v.as_f64().is_some_and(|x| x > *m) => {
                return Some(Failure::AboveMaximum { max: *m })
            }
            (Bound::Date(d), v) if v.as_date().is_some_and(|x| x > *d) => {
                return Some(Failure::AfterLatest {
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
    use crate::messages::{In, Lang};
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
                .map(|m| In(&m, Lang::En).to_string())
                .as_deref(),
            Some("after the latest allowed date 2026-11-28")
        );
        assert_eq!(
            check(&later, None, today.as_ref())
                .map(|m| In(&m, Lang::It).to_string())
                .as_deref(),
            Some("successiva all'ultima data ammessa 2026-11-28")
        );
        let d = Description {
            field: "ETA".into(),
            min: Some("0".into()),
            max: Some("120".into()),
        };
        assert_eq!(In(&d, Lang::En).to_string(), "ETA must be between 0 and 120");
        assert_eq!(In(&d, Lang::It).to_string(), "ETA deve essere tra 0 e 120");
        assert!(check(&Value::Null, Some(&zero), None).is_none());
    }
}
