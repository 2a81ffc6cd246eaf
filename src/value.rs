//! Typed values: what a cell of an extract becomes once its field type has
//! parsed it, and what the expression language computes with.
//!
//! The check engine parses every cell once, according to the field's declared
//! type, into a [`Value`]; field constraints, expression checks and the
//! identity functions all work on these values. A missing cell (empty, or one
//! of the rule file's missing-value tokens) is [`Value::Null`].

use std::borrow::Cow;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

/// The type of a value, as the expression language's type checker sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `true` / `false`.
    Bool,
    /// A whole number (64-bit).
    Int,
    /// A number with a fractional part (64-bit float).
    Decimal,
    /// Text.
    Text,
    /// A calendar date without time.
    Date,
    /// A date with a time of day, no time zone.
    DateTime,
}

impl ValueType {
    /// The name used in messages and in documentation.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Bool => "boolean",
            ValueType::Int => "integer",
            ValueType::Decimal => "decimal",
            ValueType::Text => "string",
            ValueType::Date => "date",
            ValueType::DateTime => "datetime",
        }
    }

    /// Whether the type is a number (integer or decimal).
    pub fn is_numeric(self) -> bool {
        matches!(self, ValueType::Int | ValueType::Decimal)
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One typed value. Text borrows from the record where it can.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// A missing value (empty cell, a missing-value token, or a cell that
    /// could not be parsed as its field's type).
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Decimal(f64),
    /// Text.
    Text(Cow<'a, str>),
    /// A date.
    Date(NaiveDate),
    /// A date and time.
    DateTime(NaiveDateTime),
}

impl<'a> Value<'a> {
    /// Whether the value is missing.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value's type, or `None` for [`Value::Null`].
    pub fn value_type(&self) -> Option<ValueType> {
        Some(match self {
            Value::Null => return None,
            Value::Bool(_) => ValueType::Bool,
            Value::Int(_) => ValueType::Int,
            Value::Decimal(_) => ValueType::Decimal,
            Value::Text(_) => ValueType::Text,
            Value::Date(_) => ValueType::Date,
            Value::DateTime(_) => ValueType::DateTime,
        })
    }

    /// The value as a number, for integers and decimals.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Decimal(d) => Some(*d),
            _ => None,
        }
    }

    /// The text, for text values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, for boolean values.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The date, for date values (a datetime gives its date).
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            Value::DateTime(dt) => Some(dt.date()),
            _ => None,
        }
    }

    /// A copy that owns its text, free of the record's lifetime.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Decimal(d) => Value::Decimal(d),
            Value::Text(s) => Value::Text(Cow::Owned(s.into_owned())),
            Value::Date(d) => Value::Date(d),
            Value::DateTime(dt) => Value::DateTime(dt),
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Text(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::DateTime(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S")),
        }
    }
}

/// Read access to the typed values of one record, by column index.
///
/// The expression language evaluates against this trait, so that it never
/// needs to know how a record is stored.
pub trait RowValues {
    /// The typed value of column `column` (0-based). Out-of-range columns are
    /// [`Value::Null`].
    fn value(&self, column: usize) -> Value<'_>;
}

impl RowValues for [Value<'_>] {
    fn value(&self, column: usize) -> Value<'_> {
        match self.get(column) {
            Some(v) => v.clone(),
            None => Value::Null,
        }
    }
}

impl RowValues for Vec<Value<'_>> {
    fn value(&self, column: usize) -> Value<'_> {
        self.as_slice().value(column)
    }
}
