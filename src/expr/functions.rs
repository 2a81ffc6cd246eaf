//! Functions: the registry that rule files can call, the built-in ones, and
//! the arithmetic helpers that the compiler and the interpreter share.

use std::borrow::Cow;

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::value::{Value, ValueType};

/// Functions take at most this many arguments.
pub const MAX_ARGS: usize = 8;

/// Computes a function's result from its arguments.
pub type EvalFn = fn(&[Value<'_>]) -> Value<'static>;

/// Explains why a boolean function returned false: (arguments, whether cell
/// values may be shown) → explanation, a sentence in both languages of the
/// module that registers the function, or `None` for the generic one.
pub type ExplainFn = fn(&[Value<'_>], bool) -> Option<crate::messages::Said>;

/// A function that expressions can call, e.g. `len(NOME)` or, registered by
/// the identity toolkit, `cf_valid(CF)`.
#[derive(Clone, Debug)]
pub struct Function {
    /// The name used in expressions (case-sensitive).
    pub name: &'static str,
    /// Types of the required parameters. An integer is accepted where a
    /// decimal is expected, a datetime where a date is expected (its date),
    /// a date where a datetime is expected (midnight).
    pub params: Vec<ValueType>,
    /// Types of the optional trailing parameters.
    pub optional: Vec<ValueType>,
    /// The type of the result. A returned value of another type is
    /// treated as null.
    pub returns: ValueType,
    /// If true, any null argument gives null without calling `eval`.
    pub null_propagates: bool,
    /// Computes the result. Arguments have the declared types (or are null).
    /// Must not panic.
    pub eval: EvalFn,
    /// For a boolean function that returned false: an explanation, given the
    /// arguments and whether cell values may be shown. `None` (or a `None`
    /// result) falls back to the generic "f(X) is false".
    pub explain: Option<ExplainFn>,
    /// One line, for `vaglio rules` listings.
    pub doc: &'static str,
}

impl Function {
    /// The signature, e.g. `substr(string, integer[, integer]) -> string`.
    pub fn signature(&self) -> String {
        let mut s = format!("{}(", self.name);
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(p.name());
        }
        for (i, p) in self.optional.iter().enumerate() {
            s.push_str(if i == 0 && self.params.is_empty() {
                "["
            } else if i == 0 {
                "[, "
            } else {
                ", "
            });
            s.push_str(p.name());
        }
        if !self.optional.is_empty() {
            s.push(']');
        }
        s.push_str(") -> ");
        s.push_str(self.returns.name());
        s
    }
}

/// Functions handled by the compiler itself (generic in their types, or
/// needing compile-time work); these names are reserved.
pub const SPECIAL_FUNCTIONS: &[(&str, &str)] = &[
    ("is_null(x) -> boolean", "true if x is missing"),
    ("coalesce(a, b, …) -> same type", "the first argument that is not null"),
    (
        "matches(string, 'regex') -> boolean",
        "whether the whole text matches the regular expression (a string literal, checked when the rules load)",
    ),
    (
        "date(string) -> date",
        "a date from YYYY-MM-DD text (checked when the rules load for a literal; null if a column's text is not a date)",
    ),
    ("today() -> date", "the date of the run (fixed for the whole run)"),
    ("abs(number) -> same type", "the absolute value"),
    ("round(number[, digits]) -> decimal", "rounded half away from zero to `digits` decimals (default 0)"),
    ("min(a, b) -> same type", "the smaller of two numbers, dates or strings"),
    ("max(a, b) -> same type", "the larger of two numbers, dates or strings"),
];

/// The names in [`SPECIAL_FUNCTIONS`].
pub(crate) fn special_names() -> impl Iterator<Item = &'static str> {
    SPECIAL_FUNCTIONS
        .iter()
        .map(|(sig, _)| sig.split('(').next().unwrap_or(sig))
}

/// The functions an expression may call, besides the built-in special ones
/// (see [`SPECIAL_FUNCTIONS`]).
#[derive(Clone, Debug, Default)]
pub struct FunctionRegistry {
    functions: Vec<Function>,
}

impl FunctionRegistry {
    /// The registry with the built-in functions: `len`, `upper`, `lower`,
    /// `trim`, `substr`, `starts_with`, `ends_with`, `contains`, `year`,
    /// `month`, `day`, `days_between`, `age_at`.
    pub fn builtin() -> Self {
        let mut r = FunctionRegistry::default();
        for f in builtin_functions() {
            r.register(f);
        }
        r
    }

    /// Adds a function, replacing any earlier one with the same name. Names
    /// of [`SPECIAL_FUNCTIONS`] are reserved: such a function is never called.
    pub fn register(&mut self, f: Function) {
        match self.functions.iter_mut().find(|g| g.name == f.name) {
            Some(g) => *g = f,
            None => self.functions.push(f),
        }
    }

    /// The function with this name.
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The registered functions, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &Function> {
        self.functions.iter()
    }

    /// Every callable function as (signature, doc), special ones first, for
    /// `vaglio rules` listings.
    pub fn listing(&self) -> Vec<(String, &'static str)> {
        SPECIAL_FUNCTIONS
            .iter()
            .map(|(s, d)| (s.to_string(), *d))
            .chain(self.functions.iter().map(|f| (f.signature(), f.doc)))
            .collect()
    }
}

fn text<'v>(args: &'v [Value<'_>], i: usize) -> Option<&'v str> {
    args.get(i).and_then(|v| v.as_str())
}

fn int(args: &[Value<'_>], i: usize) -> Option<i64> {
    match args.get(i) {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    }
}

fn date(args: &[Value<'_>], i: usize) -> Option<NaiveDate> {
    args.get(i).and_then(|v| v.as_date())
}

fn owned(s: String) -> Value<'static> {
    Value::Text(Cow::Owned(s))
}

fn f(
    name: &'static str,
    params: &[ValueType],
    returns: ValueType,
    eval: EvalFn,
    doc: &'static str,
) -> Function {
    Function {
        name,
        params: params.to_vec(),
        optional: Vec::new(),
        returns,
        null_propagates: true,
        eval,
        explain: None,
        doc,
    }
}

fn builtin_functions() -> Vec<Function> {
    use ValueType::{Bool, Date, Int, Text};
    let mut substr = f(
        "substr",
        &[Text, Int],
        Text,
        |a| match (text(a, 0), int(a, 1)) {
            (Some(s), Some(start)) => owned(substr(s, start, int(a, 2))),
            _ => Value::Null,
        },
        "the characters from `start` (1-based) on, `len` of them if given",
    );
    substr.optional = vec![Int];
    vec![
        f(
            "len",
            &[Text],
            Int,
            |a| text(a, 0).map_or(Value::Null, |s| Value::Int(s.chars().count() as i64)),
            "the number of characters",
        ),
        f(
            "upper",
            &[Text],
            Text,
            |a| text(a, 0).map_or(Value::Null, |s| owned(s.to_uppercase())),
            "the text in upper case",
        ),
        f(
            "lower",
            &[Text],
            Text,
            |a| text(a, 0).map_or(Value::Null, |s| owned(s.to_lowercase())),
            "the text in lower case",
        ),
        f(
            "trim",
            &[Text],
            Text,
            |a| text(a, 0).map_or(Value::Null, |s| owned(s.trim().to_string())),
            "the text without leading and trailing spaces",
        ),
        substr,
        f(
            "starts_with",
            &[Text, Text],
            Bool,
            |a| match (text(a, 0), text(a, 1)) {
                (Some(s), Some(p)) => Value::Bool(s.starts_with(p)),
                _ => Value::Null,
            },
            "whether the text starts with the prefix",
        ),
        f(
            "ends_with",
            &[Text, Text],
            Bool,
            |a| match (text(a, 0), text(a, 1)) {
                (Some(s), Some(p)) => Value::Bool(s.ends_with(p)),
                _ => Value::Null,
            },
            "whether the text ends with the suffix",
        ),
        f(
            "contains",
            &[Text, Text],
            Bool,
            |a| match (text(a, 0), text(a, 1)) {
                (Some(s), Some(p)) => Value::Bool(s.contains(p)),
                _ => Value::Null,
            },
            "whether the text contains the other",
        ),
        f(
            "year",
            &[Date],
            Int,
            |a| date(a, 0).map_or(Value::Null, |d| Value::Int(d.year().into())),
            "the year of a date",
        ),
        f(
            "month",
            &[Date],
            Int,
            |a| date(a, 0).map_or(Value::Null, |d| Value::Int(d.month().into())),
            "the month of a date, 1-12",
        ),
        f(
            "day",
            &[Date],
            Int,
            |a| date(a, 0).map_or(Value::Null, |d| Value::Int(d.day().into())),
            "the day of the month of a date, 1-31",
        ),
        f(
            "days_between",
            &[Date, Date],
            Int,
            |a| match (date(a, 0), date(a, 1)) {
                (Some(x), Some(y)) => Value::Int(date_diff(y, x)),
                _ => Value::Null,
            },
            "days from the first date to the second (negative if the second is earlier)",
        ),
        f(
            "age_at",
            &[Date, Date],
            Int,
            |a| match (date(a, 0), date(a, 1)) {
                (Some(b), Some(on)) => Value::Int(age_at(b, on)),
                _ => Value::Null,
            },
            "age in whole years on a date, given the birth date (29 February birthdays count from 1 March in other years)",
        ),
    ]
}

/// `substr` semantics: 1-based start, counted in characters; a start before
/// 1 is treated as 1; a negative length gives the empty string.
pub(crate) fn substr(s: &str, start: i64, len: Option<i64>) -> String {
    let skip = usize::try_from(start.saturating_sub(1).max(0)).unwrap_or(usize::MAX);
    let it = s.chars().skip(skip);
    match len {
        Some(n) => it
            .take(usize::try_from(n.max(0)).unwrap_or(usize::MAX))
            .collect(),
        None => it.collect(),
    }
}

/// Whole years from `birth` to `on`. Someone born on 29 February has their
/// birthday on 1 March in non-leap years. Negative if `on` precedes `birth`.
pub(crate) fn age_at(birth: NaiveDate, on: NaiveDate) -> i64 {
    let mut years = i64::from(on.year()) - i64::from(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// Parses strict ISO `YYYY-MM-DD`.
pub(crate) fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &b[r];
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter()
            .try_fold(0u32, |acc, d| Some(acc * 10 + u32::from(d - b'0')))
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// `a - b` in days.
pub(crate) fn date_diff(a: NaiveDate, b: NaiveDate) -> i64 {
    (a - b).num_days()
}

/// `d + days` (days may be negative); `None` outside chrono's range.
pub(crate) fn add_days(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        d.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// `d` shifted by whole months then days (either may be negative). A day
/// past the end of the target month clamps to its last day (31 March - 1m
/// is 28 or 29 February).
pub(crate) fn shift(d: NaiveDate, months: i32, days: i64) -> Option<NaiveDate> {
    let d = if months >= 0 {
        d.checked_add_months(Months::new(months.unsigned_abs()))?
    } else {
        d.checked_sub_months(Months::new(months.unsigned_abs()))?
    };
    add_days(d, days)
}

/// A decimal result, or `None` if it is not finite.
#[inline]
pub(crate) fn finite(x: f64) -> Option<f64> {
    if x.is_finite() {
        Some(x)
    } else {
        None
    }
}

/// `x / y` for decimals; `None` when dividing by zero.
#[inline]
pub(crate) fn div(x: f64, y: f64) -> Option<f64> {
    if y == 0.0 {
        None
    } else {
        finite(x / y)
    }
}

/// Rounds half away from zero to `digits` decimals (negative: tens,
/// hundreds…).
pub(crate) fn round(x: f64, digits: i64) -> Option<f64> {
    let digits = digits.clamp(-300, 300) as i32;
    let p = 10f64.powi(digits);
    let scaled = x * p;
    if !scaled.is_finite() || p == 0.0 {
        return finite(x);
    }
    finite(scaled.round() / p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ages() {
        assert_eq!(age_at(d("2000-05-10"), d("2018-05-09")), 17);
        assert_eq!(age_at(d("2000-05-10"), d("2018-05-10")), 18);
        // 29 February: in a non-leap year the birthday is 1 March.
        assert_eq!(age_at(d("2004-02-29"), d("2022-02-28")), 17);
        assert_eq!(age_at(d("2004-02-29"), d("2022-03-01")), 18);
        assert_eq!(age_at(d("2004-02-29"), d("2024-02-28")), 19);
        assert_eq!(age_at(d("2004-02-29"), d("2024-02-29")), 20);
        assert_eq!(age_at(d("2020-05-01"), d("2020-03-01")), -1);
    }

    #[test]
    fn substrings() {
        assert_eq!(substr("àèìòù", 2, Some(3)), "èìò");
        assert_eq!(substr("àèìòù", 4, None), "òù");
        assert_eq!(substr("abc", 0, Some(2)), "ab");
        assert_eq!(substr("abc", 5, Some(2)), "");
        assert_eq!(substr("abc", 1, Some(-1)), "");
        assert_eq!(substr("abc", i64::MIN, Some(i64::MAX)), "abc");
        assert_eq!(substr("abc", i64::MAX, None), "");
    }

    #[test]
    fn date_helpers() {
        assert_eq!(shift(d("2024-03-31"), -1, 0), Some(d("2024-02-29")));
        assert_eq!(shift(d("2024-02-29"), -12, 0), Some(d("2023-02-28")));
        assert_eq!(shift(d("2020-01-01"), 0, -1), Some(d("2019-12-31")));
        assert_eq!(add_days(d("2020-01-01"), i64::MAX), None);
        assert_eq!(add_days(d("2020-01-01"), i64::MIN), None);
        assert_eq!(date_diff(d("2020-03-01"), d("2020-02-01")), 29);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso_date("2020-02-29"), Some(d("2020-02-29")));
        assert_eq!(parse_iso_date("2021-02-29"), None);
        assert_eq!(parse_iso_date("2020-2-29"), None);
        assert_eq!(parse_iso_date("29/02/2020"), None);
        assert_eq!(parse_iso_date("2020-02-2x"), None);
        assert_eq!(parse_iso_date("+020-02-20"), None);
        assert_eq!(parse_iso_date("2020-02-29 "), None);
        assert_eq!(parse_iso_date("éé-02-29"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(round(2.5, 0), Some(3.0));
        assert_eq!(round(-2.5, 0), Some(-3.0));
        assert_eq!(round(1.2345, 2), Some(1.23));
        assert_eq!(round(1234.0, -2), Some(1200.0));
        assert_eq!(round(1e300, 300), Some(1e300));
        assert_eq!(div(1.0, 0.0), None);
        assert_eq!(finite(f64::INFINITY), None);
    }

    #[test]
    fn registry() {
        let r = FunctionRegistry::builtin();
        let s = r.get("substr").unwrap();
        assert_eq!(
            s.signature(),
            "substr(string, integer[, integer]) -> string"
        );
        assert!(r.get("matches").is_none());
        assert!(r.listing().iter().any(|(s, _)| s.starts_with("matches(")));
        assert_eq!(
            special_names().collect::<Vec<_>>()[..2],
            ["is_null", "coalesce"]
        );
        let len = r.get("len").unwrap();
        assert_eq!((len.eval)(&[Value::Text("àb".into())]), Value::Int(2));
        // Wrong or missing arguments give null, never a panic.
        for f in r.iter() {
            assert_eq!((f.eval)(&[]), Value::Null, "{}", f.name);
            assert_eq!(
                (f.eval)(&[Value::Bool(true), Value::Null]),
                Value::Null,
                "{}",
                f.name
            );
        }
    }
}
