//! Field types: how the text of a cell becomes a typed [`Value`].
//!
//! The names follow Frictionless Table Schema where they fit (`string`,
//! `integer`, `number`, `date`, `datetime`, `boolean`), with Italian
//! conventions built in (decimal comma, `S`/`N` booleans, `dd/mm/yyyy`
//! dates) and the Italian identity types of [`crate::identity`].

use std::borrow::Cow;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

use crate::value::{Value, ValueType};

/// A field's declared type with its parsing options.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// Any text.
    String,
    /// A whole number, optionally with thousands separators.
    Integer {
        /// Thousands separator accepted between groups of three digits.
        thousands: Option<char>,
    },
    /// A decimal number.
    Decimal {
        /// The decimal separator (`.` or `,`).
        decimal: char,
        /// Thousands separator accepted between groups of three digits.
        thousands: Option<char>,
    },
    /// A date in one of the listed formats (strftime-style).
    Date {
        /// Accepted formats, tried in order.
        formats: Vec<String>,
    },
    /// A date and time in one of the listed formats.
    DateTime {
        /// Accepted formats, tried in order.
        formats: Vec<String>,
    },
    /// A yes/no value.
    Boolean {
        /// Values read as true (compared case-insensitively).
        true_values: Vec<String>,
        /// Values read as false (compared case-insensitively).
        false_values: Vec<String>,
    },
}

/// The type names a rule file may use, with a line of documentation each.
pub const TYPE_NAMES: &[(&str, &str)] = &[
    ("string", "any text"),
    (
        "integer",
        "a whole number; `thousands_separator` allows 1.234",
    ),
    (
        "decimal",
        "a number; `decimal_separator = \",\"` for 1.234,56 (alias: number)",
    ),
    (
        "date",
        "a date in one of `format` (default %Y-%m-%d and %d/%m/%Y)",
    ),
    ("datetime", "a date and time in one of `format`"),
    (
        "boolean",
        "S/N, SI/NO, 1/0, true/false (or `true_values`/`false_values`)",
    ),
];

/// Default date formats when a date field lists none.
pub const DEFAULT_DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%d/%m/%Y"];
/// Default datetime formats when a datetime field lists none.
pub const DEFAULT_DATETIME_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
];
/// Default values read as true.
pub const DEFAULT_TRUE: &[&str] = &["S", "SI", "SÌ", "Y", "YES", "1", "TRUE", "T", "VERO", "V"];
/// Default values read as false.
pub const DEFAULT_FALSE: &[&str] = &["N", "NO", "0", "FALSE", "F", "FALSO"];

/// Why a cell is not a valid value of its type. Messages never contain the
/// cell's value: callers add it only when personal data may be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError {
    /// What is wrong, for a data owner.
    pub message: String,
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn type_error(message: impl Into<String>) -> TypeError {
    TypeError {
        message: message.into(),
    }
}

impl FieldType {
    /// The value type this field type produces.
    pub fn value_type(&self) -> ValueType {
        match self {
            FieldType::String => ValueType::Text,
            FieldType::Integer { .. } => ValueType::Int,
            FieldType::Decimal { .. } => ValueType::Decimal,
            FieldType::Date { .. } => ValueType::Date,
            FieldType::DateTime { .. } => ValueType::DateTime,
            FieldType::Boolean { .. } => ValueType::Bool,
        }
    }

    /// The name of the type as written in rule files.
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer { .. } => "integer",
            FieldType::Decimal { .. } => "decimal",
            FieldType::Date { .. } => "date",
            FieldType::DateTime { .. } => "datetime",
            FieldType::Boolean { .. } => "boolean",
        }
    }

    /// Parses a trimmed, non-missing cell.
    pub fn parse<'a>(&self, text: &'a str) -> Result<Value<'a>, TypeError> {
        match self {
            FieldType::String => Ok(Value::Text(Cow::Borrowed(text))),
            FieldType::Integer { thousands } => parse_integer(text, *thousands).map(Value::Int),
            FieldType::Decimal { decimal, thousands } => {
                parse_decimal(text, *decimal, *thousands).map(Value::Decimal)
            }
            FieldType::Date { formats } => parse_date(text, formats).map(Value::Date),
            FieldType::DateTime { formats } => parse_datetime(text, formats).map(Value::DateTime),
            FieldType::Boolean {
                true_values,
                false_values,
            } => {
                if true_values.iter().any(|t| {
                    t.eq_ignore_ascii_case(text) || t.to_uppercase() == text.to_uppercase()
                }) {
                    Ok(Value::Bool(true))
                } else if false_values.iter().any(|f| f.eq_ignore_ascii_case(text)) {
                    Ok(Value::Bool(false))
                } else {
                    Err(type_error(format!(
                        "not a yes/no value (expected one of {} or {})",
                        true_values.join("/"),
                        false_values.join("/")
                    )))
                }
            }
        }
    }
}

/// Removes thousands separators, checking that they separate groups of
/// exactly three digits. Returns `None` when the grouping is wrong.
fn strip_thousands(int_part: &str, sep: char) -> Option<String> {
    if !int_part.contains(sep) {
        return Some(int_part.to_string());
    }
    let (sign, digits) = match int_part.strip_prefix(['-', '+']) {
        Some(rest) => (&int_part[..1], rest),
        None => ("", int_part),
    };
    let groups: Vec<&str> = digits.split(sep).collect();
    let first_ok = !groups[0].is_empty() && groups[0].len() <= 3;
    if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
        return None;
    }
    Some(format!("{sign}{}", groups.concat()))
}

fn parse_integer(text: &str, thousands: Option<char>) -> Result<i64, TypeError> {
    let owned;
    let digits = match thousands {
        Some(sep) => {
            owned = strip_thousands(text, sep).ok_or_else(|| {
                type_error(format!(
                    "not a whole number (thousands separator {sep:?} misplaced)"
                ))
            })?;
            owned.as_str()
        }
        None => text,
    };
    let body = digits.strip_prefix(['-', '+']).unwrap_or(digits);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(type_error("not a whole number"));
    }
    digits
        .parse::<i64>()
        .map_err(|_| type_error("whole number too large (more than 18 digits)"))
}

fn parse_decimal(text: &str, decimal: char, thousands: Option<char>) -> Result<f64, TypeError> {
    let (int_part, frac_part) = match text.rfind(decimal) {
        Some(i) => (&text[..i], Some(&text[i + decimal.len_utf8()..])),
        None => (text, None),
    };
    let int_clean = match thousands {
        Some(sep) => strip_thousands(int_part, sep).ok_or_else(|| {
            type_error(format!(
                "not a number (thousands separator {sep:?} misplaced)"
            ))
        })?,
        None => int_part.to_string(),
    };
    let body = int_clean.strip_prefix(['-', '+']).unwrap_or(&int_clean);
    let frac_ok = frac_part.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    let int_ok =
        body.bytes().all(|b| b.is_ascii_digit()) && (!body.is_empty() || frac_part.is_some());
    if !int_ok || !frac_ok || (body.is_empty() && frac_part.is_none()) {
        let hint = if decimal == '.' && text.contains(',') {
            " (it has a comma: set decimal_separator = \",\" if the file uses decimal commas)"
        } else if decimal == ',' && text.contains('.') && thousands.is_none() {
            " (it has a dot: the field declares decimal_separator = \",\")"
        } else {
            ""
        };
        return Err(type_error(format!("not a number{hint}")));
    }
    if body.len() > 300 {
        return Err(type_error("number too large"));
    }
    let normal = match frac_part {
        Some(f) => format!("{int_clean}.{f}"),
        None => int_clean,
    };
    normal
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| type_error("not a number"))
}

/// Human-readable form of strftime patterns: `%d/%m/%Y` → `dd/mm/yyyy`.
pub fn readable_format(format: &str) -> String {
    format
        .replace("%d", "dd")
        .replace("%m", "mm")
        .replace("%Y", "yyyy")
        .replace("%y", "yy")
        .replace("%H", "HH")
        .replace("%M", "MM")
        .replace("%S", "SS")
}

fn parse_date(text: &str, formats: &[String]) -> Result<NaiveDate, TypeError> {
    for f in formats {
        if let Ok(d) = NaiveDate::parse_from_str(text, f) {
            return Ok(d);
        }
    }
    let expected: Vec<String> = formats.iter().map(|f| readable_format(f)).collect();
    // Say whether it is a real calendar mistake (31/02) or a format problem.
    for f in formats {
        if let Err(e) = NaiveDate::parse_from_str(text, f) {
            if e.kind() == chrono::format::ParseErrorKind::OutOfRange {
                return Err(type_error(format!(
                    "not a real date (no such day in the calendar; format {})",
                    readable_format(f)
                )));
            }
        }
    }
    Err(type_error(format!(
        "not a date in the expected format ({})",
        expected.join(" or ")
    )))
}

fn parse_datetime(text: &str, formats: &[String]) -> Result<NaiveDateTime, TypeError> {
    for f in formats {
        if let Ok(d) = NaiveDateTime::parse_from_str(text, f) {
            return Ok(d);
        }
    }
    let expected: Vec<String> = formats.iter().map(|f| readable_format(f)).collect();
    Err(type_error(format!(
        "not a date and time in the expected format ({})",
        expected.join(" or ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(decimal: char, thousands: Option<char>) -> FieldType {
        FieldType::Decimal { decimal, thousands }
    }

    #[test]
    fn integers() {
        let t = FieldType::Integer { thousands: None };
        assert_eq!(t.parse("42"), Ok(Value::Int(42)));
        assert_eq!(t.parse("-7"), Ok(Value::Int(-7)));
        assert!(t.parse("4.2").is_err());
        assert!(t.parse("").is_err());
        assert!(t.parse("1".repeat(400).as_str()).is_err());
        let t = FieldType::Integer {
            thousands: Some('.'),
        };
        assert_eq!(t.parse("1.234.567"), Ok(Value::Int(1_234_567)));
        assert!(t.parse("1.23").is_err());
    }

    #[test]
    fn decimals_with_comma() {
        assert_eq!(
            dec(',', Some('.')).parse("1.234,56"),
            Ok(Value::Decimal(1234.56))
        );
        assert_eq!(dec(',', None).parse("0,5"), Ok(Value::Decimal(0.5)));
        assert_eq!(dec('.', None).parse("12"), Ok(Value::Decimal(12.0)));
        assert_eq!(dec('.', None).parse(".5"), Ok(Value::Decimal(0.5)));
        let e = dec('.', None).parse("1,5").unwrap_err();
        assert!(e.message.contains("decimal_separator"), "{}", e.message);
        assert!(dec(',', Some('.')).parse("1.5").is_err());
        assert!(dec('.', None).parse("-").is_err());
        assert!(dec('.', None).parse("1e5").is_err());
        assert!(dec('.', None).parse(&"9".repeat(400)).is_err());
    }

    #[test]
    fn dates() {
        let t = FieldType::Date {
            formats: vec!["%d/%m/%Y".into(), "%Y-%m-%d".into()],
        };
        let d = NaiveDate::from_ymd_opt(2020, 2, 29)
            .map(Value::Date)
            .unwrap_or(Value::Null);
        assert_eq!(t.parse("29/02/2020"), Ok(d.clone()));
        assert_eq!(t.parse("2020-02-29"), Ok(d));
        let e = t.parse("31/02/2020").unwrap_err();
        assert!(e.message.contains("not a real date"), "{}", e.message);
        let e = t.parse("2020/02/01").unwrap_err();
        assert!(
            e.message.contains("dd/mm/yyyy or yyyy-mm-dd"),
            "{}",
            e.message
        );
    }

    #[test]
    fn booleans() {
        let t = FieldType::Boolean {
            true_values: DEFAULT_TRUE.iter().map(|s| s.to_string()).collect(),
            false_values: DEFAULT_FALSE.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(t.parse("s"), Ok(Value::Bool(true)));
        assert_eq!(t.parse("Sì"), Ok(Value::Bool(true)));
        assert_eq!(t.parse("NO"), Ok(Value::Bool(false)));
        assert!(t.parse("forse").is_err());
    }
}
