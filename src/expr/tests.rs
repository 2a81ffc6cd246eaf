//! Tests of the whole pipeline: parse → check → compile → evaluate/explain.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;

use super::*;
use crate::messages::{Said, Sentence};

const COLS: &[(&str, ValueType)] = &[
    ("ETA", ValueType::Int),
    ("COMUNE", ValueType::Text),
    ("REDDITO", ValueType::Decimal),
    ("DATA_INIZIO", ValueType::Date),
    ("DATA_FINE", ValueType::Date),
    ("STATO", ValueType::Text),
    ("NOTE", ValueType::Text),
    ("FLAG", ValueType::Bool),
    ("DATA_NASCITA", ValueType::Date),
    ("TS", ValueType::DateTime),
    ("DATA FINE X", ValueType::Text),
    ("TIPO", ValueType::Text),
    ("N", ValueType::Int),
];

fn columns() -> Vec<(String, usize, ValueType)> {
    COLS.iter()
        .enumerate()
        .map(|(i, (n, t))| (n.to_string(), i, *t))
        .collect()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn today() -> NaiveDate {
    d("2024-06-15")
}

fn with_env<T>(registry: &FunctionRegistry, f: impl FnOnce(&Env) -> T) -> T {
    let cols = columns();
    let env = Env {
        columns: &cols,
        today: today(),
        functions: registry,
    };
    f(&env)
}

fn try_compile(src: &str) -> Result<Expr, ExprError> {
    with_env(&FunctionRegistry::builtin(), |env| compile(src, env))
}

fn err(src: &str) -> ExprError {
    match try_compile(src) {
        Ok(e) => panic!("{src} compiled: {e:?}"),
        Err(e) => e,
    }
}

/// A row from (column name, value) pairs; other columns are null.
fn row(cells: &[(&str, Value<'static>)]) -> Vec<Value<'static>> {
    let mut r = vec![Value::Null; COLS.len()];
    for (name, v) in cells {
        let i = COLS.iter().position(|(n, _)| n == name).unwrap();
        r[i] = v.clone();
    }
    r
}

fn text(s: &str) -> Value<'static> {
    Value::Text(Cow::Owned(s.to_string()))
}

/// Evaluates with both the closures and the interpreter, which must agree.
fn eval_on(src: &str, r: &[Value<'static>]) -> Value<'static> {
    let e = try_compile(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    let r = r.to_vec();
    let a = e.eval(&r).into_owned();
    let b = e.eval_interpreted(&r).into_owned();
    assert_eq!(a, b, "compiled and interpreted differ on {src}");
    a
}

fn ev(src: &str) -> Value<'static> {
    eval_on(src, &row(&[]))
}

fn t(src: &str) {
    assert_eq!(ev(src), Value::Bool(true), "{src}");
}

#[test]
fn arithmetic_and_precedence() {
    t("1 + 2 * 3 == 7");
    t("(1 + 2) * 3 == 9");
    t("10 - 4 - 3 == 3");
    t("-2 * 3 == -6");
    t("- -2 == 2");
    t("7 / 2 == 3.5");
    t("2 == 2.0");
    t("1.5 + 1 == 2.5");
    t("true or false and false");
    t("not false and true");
    t("!(1 > 2)");
    t("1 = 1 and 1 <> 2");
    assert_eq!(ev("1 + 2"), Value::Int(3));
    assert_eq!(ev("2 * 1.5"), Value::Decimal(3.0));
    assert_eq!(ev("-1.5"), Value::Decimal(-1.5));
}

#[test]
fn overflow_and_division_by_zero_are_null() {
    assert_eq!(ev("9223372036854775807 + 1"), Value::Null);
    assert_eq!(ev("-9223372036854775807 - 2"), Value::Null);
    assert_eq!(ev("4611686018427387904 * 2"), Value::Null);
    assert_eq!(ev("-(-9223372036854775807 - 1)"), Value::Null);
    assert_eq!(ev("abs(-9223372036854775807 - 1)"), Value::Null);
    assert_eq!(ev("1 / 0"), Value::Null);
    assert_eq!(ev("1.5 / 0.0"), Value::Null);
}

#[test]
fn comparisons_of_each_type() {
    t("2 < 3 and 3 <= 3 and 4 > 3 and 3 >= 3 and 3 != 4");
    t("'abc' < 'abd' and 'b' > 'abc' and 'x' == \"x\"");
    t("date('2020-01-01') < date('2020-01-02')");
    t("true == true and true != false");
    t("1 < 1.5");
    let r = row(&[(
        "TS",
        Value::DateTime(d("2020-01-01").and_hms_opt(10, 0, 0).unwrap()),
    )]);
    assert_eq!(eval_on("TS > date('2020-01-01')", &r), Value::Bool(true));
    assert_eq!(eval_on("TS < date('2020-01-02')", &r), Value::Bool(true));
    assert_eq!(
        eval_on("date(TS) == date('2020-01-01')", &r),
        Value::Bool(true)
    );
    // Column against constant (fused closures) in both directions.
    let r = row(&[("ETA", Value::Int(20)), ("COMUNE", text("ROMA"))]);
    for (src, want) in [
        ("ETA >= 18", true),
        ("18 >= ETA", false),
        ("18 < ETA", true),
        ("ETA == 20.0", true),
        ("COMUNE == 'ROMA'", true),
        ("'ROMA' != COMUNE", false),
        ("COMUNE > 'MILANO'", true),
        ("'MILANO' > COMUNE", false),
        ("upper('roma') == COMUNE", true),
        ("lower(COMUNE) == 'roma'", true),
    ] {
        assert_eq!(eval_on(src, &r), Value::Bool(want), "{src}");
    }
}

#[test]
fn in_between_is_null() {
    let r = row(&[
        ("TIPO", text("B")),
        ("ETA", Value::Int(7)),
        ("REDDITO", Value::Decimal(2.5)),
    ]);
    for (src, want) in [
        ("TIPO in ['A', 'B']", Some(true)),
        ("TIPO in ['A', 'C']", Some(false)),
        ("TIPO not in ['A', 'C']", Some(true)),
        ("ETA in [1, 7, 9]", Some(true)),
        ("ETA in [1.5, 7]", Some(true)),
        ("REDDITO in [2.5, 3]", Some(true)),
        ("ETA in [-7, 8]", Some(false)),
        ("ETA between 0 and 6", Some(false)),
        ("ETA between 7 and 7", Some(true)),
        ("ETA not between 0 and 6", Some(true)),
        ("REDDITO between 2 and 3", Some(true)),
        ("TIPO between 'A' and 'C'", Some(true)),
        ("NOTE is null", Some(true)),
        ("NOTE is not null", Some(false)),
        ("TIPO is not null", Some(true)),
        ("is_null(NOTE)", Some(true)),
        ("NOTE in ['A']", None),
        ("NOTE not in ['A']", None),
        ("N between 0 and 6", None),
        ("ETA between N and 10", None),
        ("ETA between N and 5", Some(false)),
        ("date('2020-01-01') in [date('2020-01-01')]", Some(true)),
        ("FLAG in [true]", None),
    ] {
        assert_eq!(
            eval_on(src, &r),
            want.map_or(Value::Null, Value::Bool),
            "{src}"
        );
    }
}

#[test]
fn fused_range_checks() {
    // Comparisons of one column with constants share one read; the result
    // must not change.
    for (eta, n) in [
        (Some(17), Some(1)),
        (Some(18), Some(3)),
        (Some(119), Some(3)),
        (Some(120), None),
        (None, Some(3)),
    ] {
        let cell = |v: Option<i64>| v.map_or(Value::Null, Value::Int);
        let r = row(&[("ETA", cell(eta)), ("N", cell(n))]);
        for src in [
            "ETA >= 18 and ETA < 120",
            "18 <= ETA and 120 > ETA",
            "ETA >= 18 and N > 2 and ETA < 120 and ETA != 50",
            "ETA >= 18.5 and ETA < 120",
            "REDDITO > 1 and REDDITO < 2",
            "DATA_FINE > today() and DATA_FINE < today() + 10",
        ] {
            let e = try_compile(src).unwrap();
            assert_eq!(e.eval(&r), e.eval_interpreted(&r), "{src} on {r:?}");
            assert_eq!(
                e.eval_bool(&r),
                e.eval_bool_match_tree(&r),
                "{src} on {r:?}"
            );
        }
        let want = match (eta, n) {
            (Some(e), Some(n)) => Some((18..120).contains(&e) && n > 2),
            (Some(e), None) if !(18..120).contains(&e) => Some(false),
            (None, Some(n)) if n <= 2 => Some(false),
            _ => None,
        };
        let e = try_compile("ETA >= 18 and N > 2 and ETA < 120").unwrap();
        assert_eq!(e.eval_bool(&r), want, "{eta:?} {n:?}");
    }
}

#[test]
fn if_then_else() {
    let src = "if ETA < 18 then REDDITO == 0 else true";
    let minor_with_income = row(&[("ETA", Value::Int(10)), ("REDDITO", Value::Decimal(5.0))]);
    let adult_with_income = row(&[("ETA", Value::Int(40)), ("REDDITO", Value::Decimal(5.0))]);
    assert_eq!(eval_on(src, &minor_with_income), Value::Bool(false));
    assert_eq!(eval_on(src, &adult_with_income), Value::Bool(true));
    // A null condition takes the else branch.
    assert_eq!(eval_on(src, &row(&[])), Value::Bool(true));
    // No else: true.
    assert_eq!(
        eval_on("if ETA < 18 then REDDITO == 0", &adult_with_income),
        Value::Bool(true)
    );
    assert_eq!(
        eval_on("if ETA < 18 then REDDITO == 0", &minor_with_income),
        Value::Bool(false)
    );
    assert_eq!(
        eval_on("if ETA < 18 then 1 else 2.5", &minor_with_income),
        Value::Decimal(1.0)
    );
    assert_eq!(
        eval_on("if ETA < 18 then 'a' else null", &adult_with_income),
        Value::Null
    );
    assert_eq!(
        eval_on("(if true then 1 else 2) + 1", &row(&[])),
        Value::Int(2)
    );
}

#[test]
fn null_truth_tables() {
    let vals = [("true", Some(true)), ("false", Some(false)), ("null", None)];
    let b = |v: Option<bool>| v.map_or(Value::Null, Value::Bool);
    for (sa, a) in vals {
        assert_eq!(ev(&format!("not {sa}")), b(a.map(|x| !x)), "not {sa}");
        for (sb, bb) in vals {
            let and = match (a, bb) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            let or = match (a, bb) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            assert_eq!(ev(&format!("{sa} and {sb}")), b(and), "{sa} and {sb}");
            assert_eq!(ev(&format!("{sa} or {sb}")), b(or), "{sa} or {sb}");
            assert_eq!(
                ev(&format!("{sa} && {sb} && true")),
                b(and),
                "{sa} and {sb} and true"
            );
            assert_eq!(
                ev(&format!("{sa} || {sb} || false")),
                b(or),
                "{sa} or {sb} or false"
            );
        }
    }
    // Null operands propagate through comparisons and arithmetic.
    let r = row(&[("ETA", Value::Int(5))]);
    for src in [
        "N > 1",
        "N + 1 > 1",
        "ETA + N",
        "N == ETA",
        "-N",
        "NOTE == 'x'",
        "len(NOTE)",
        "DATA_FINE + 1",
    ] {
        assert_eq!(eval_on(src, &r), Value::Null, "{src}");
    }
    assert_eq!(eval_on("N > 1 or ETA > 1", &r), Value::Bool(true));
    assert_eq!(eval_on("N > 1 and ETA > 10", &r), Value::Bool(false));
    assert_eq!(eval_on("coalesce(N, ETA, 0)", &r), Value::Int(5));
    assert_eq!(eval_on("coalesce(NOTE, 'none')", &r), text("none"));
    assert_eq!(eval_on("coalesce(N, 1.5)", &r), Value::Decimal(1.5));
    assert_eq!(eval_on("coalesce(N)", &r), Value::Null);
}

#[test]
fn date_arithmetic() {
    t("date('2020-01-31') + 30 == date('2020-03-01')");
    t("30 + date('2020-01-31') == date('2020-03-01')");
    t("date('2020-03-01') - 1 == date('2020-02-29')");
    t("date('2020-03-01') - date('2020-02-01') == 29");
    t("today() == date('2024-06-15')");
    t("today() - 18y == date('2006-06-15')");
    t("date('2024-02-29') - 1y == date('2023-02-28')");
    t("date('2020-01-31') + 1m == date('2020-02-29')");
    t("date('2020-01-31') + 6m == date('2020-07-31')");
    t("18y + date('2000-01-01') == date('2018-01-01')");
    t("date('2020-01-01') - 30d == date('2019-12-02')");
    t("date('2020-01-01') + -1 == date('2019-12-31')");
    let r = row(&[("DATA_NASCITA", Value::Date(d("2006-06-16")))]);
    assert_eq!(
        eval_on("DATA_NASCITA <= today() - 18y", &r),
        Value::Bool(false)
    );
    // Out of chrono's range: null, not a panic.
    assert_eq!(ev("date('2020-01-01') + 9223372036854775807"), Value::Null);
    assert_eq!(ev("date('2020-01-01') + 2147483647m"), Value::Null);
    assert_eq!(
        ev("date('2020-01-01') - -9223372036854775807 - 1"),
        Value::Null
    );
}

#[test]
fn functions() {
    let r = row(&[
        ("COMUNE", text("  Forlì ")),
        ("DATA_NASCITA", Value::Date(d("2004-02-29"))),
        ("DATA_INIZIO", Value::Date(d("2022-02-28"))),
        ("DATA_FINE", Value::Date(d("2022-03-01"))),
        ("STATO", text("2021-05-06")),
        ("NOTE", text("not a date")),
    ]);
    for (src, want) in [
        ("len(COMUNE)", Value::Int(8)),
        ("len(trim(COMUNE))", Value::Int(5)),
        ("upper(trim(COMUNE))", text("FORLÌ")),
        ("lower(trim(COMUNE))", text("forlì")),
        ("substr(trim(COMUNE), 4, 2)", text("lì")),
        ("substr(trim(COMUNE), 2)", text("orlì")),
        ("starts_with(COMUNE, '  F')", Value::Bool(true)),
        ("ends_with(trim(COMUNE), 'ì')", Value::Bool(true)),
        ("contains(COMUNE, 'orl')", Value::Bool(true)),
        ("contains(COMUNE, 'x')", Value::Bool(false)),
        ("matches(trim(COMUNE), '[A-Z][a-zì]+')", Value::Bool(true)),
        ("matches(COMUNE, 'orl')", Value::Bool(false)),
        ("matches(COMUNE, '.*orl.*')", Value::Bool(true)),
        ("year(DATA_NASCITA)", Value::Int(2004)),
        ("month(DATA_NASCITA)", Value::Int(2)),
        ("day(DATA_NASCITA)", Value::Int(29)),
        ("days_between(DATA_INIZIO, DATA_FINE)", Value::Int(1)),
        ("days_between(DATA_FINE, DATA_INIZIO)", Value::Int(-1)),
        ("age_at(DATA_NASCITA, DATA_INIZIO)", Value::Int(17)),
        ("age_at(DATA_NASCITA, DATA_FINE)", Value::Int(18)),
        (
            "age_at(DATA_NASCITA, DATA_FINE) between 0 and 6",
            Value::Bool(false),
        ),
        ("abs(-3)", Value::Int(3)),
        ("abs(-3.5)", Value::Decimal(3.5)),
        ("round(2.345, 2)", Value::Decimal(2.35)),
        ("round(2.5)", Value::Decimal(3.0)),
        ("round(7)", Value::Decimal(7.0)),
        ("min(3, 2.5)", Value::Decimal(2.5)),
        ("max(3, 2)", Value::Int(3)),
        ("max('a', 'b')", text("b")),
        ("min(DATA_INIZIO, DATA_FINE)", Value::Date(d("2022-02-28"))),
        ("max(ETA, N)", Value::Null),
        ("date(STATO)", Value::Date(d("2021-05-06"))),
        ("date(NOTE)", Value::Null),
        ("date(DATA_FINE)", Value::Date(d("2022-03-01"))),
        ("is_null(date(NOTE))", Value::Bool(true)),
        ("today()", Value::Date(today())),
    ] {
        assert_eq!(eval_on(src, &r), want, "{src}");
    }
}

#[test]
fn wrong_typed_cells_are_null() {
    // A cell whose value is not of the column's type counts as missing.
    let r = row(&[
        ("ETA", text("x")),
        ("COMUNE", Value::Int(3)),
        ("REDDITO", Value::Int(4)),
    ]);
    assert_eq!(eval_on("ETA > 1", &r), Value::Null);
    assert_eq!(eval_on("ETA is null", &r), Value::Bool(true));
    assert_eq!(eval_on("COMUNE == 'x'", &r), Value::Null);
    assert_eq!(eval_on("REDDITO > 3.5", &r), Value::Bool(true));
    // Columns beyond the row are null.
    assert_eq!(eval_on("N is null", &r[..2]), Value::Bool(true));
}

#[test]
fn quoted_identifiers_and_keywords() {
    let r = row(&[("DATA FINE X", text("a"))]);
    assert_eq!(
        eval_on("`DATA FINE X` == 'a' AND TRUE", &r),
        Value::Bool(true)
    );
    assert_eq!(eval_on("`DATA FINE X` IS NOT NULL", &r), Value::Bool(true));
}

fn check_err(src: &str, span: std::ops::Range<usize>, message: &str, help: Option<&str>) {
    let e = err(src);
    assert_eq!(
        (&src[e.span.clone()], e.message.as_str(), e.help.as_deref()),
        (&src[span], message, help),
        "{src}"
    );
}

#[test]
fn type_errors() {
    check_err(
        "DATA_FINE >= '2020-01-01'",
        13..25,
        "cannot compare a date with a string",
        Some("compare a date with a date: write DATA_FINE >= date('2020-01-01')"),
    );
    check_err(
        "COMUNE == 18",
        10..12,
        "cannot compare a string with an integer",
        Some("COMUNE is a string: compare it with a string, e.g. '18'"),
    );
    check_err(
        "ETA > '18'",
        6..10,
        "cannot compare an integer with a string",
        Some("compare a number with a number: write 18 without quotes"),
    );
    check_err(
        "ETA == COMUNE",
        0..13,
        "cannot compare an integer with a string",
        None,
    );
    check_err(
        "DATA_FINE >= STATO",
        0..18,
        "cannot compare a date with a string",
        Some("convert text to a date with date(…)"),
    );
    check_err(
        "FLAG < true",
        0..11,
        "true/false values can only be compared with == or !=",
        None,
    );
    check_err(
        "COMUNE == null",
        10..14,
        "comparing with null with `==` never gives true or false",
        Some("write COMUNE is null"),
    );
    check_err(
        "ETA + 'x' > 1",
        0..9,
        "cannot add an integer and a string",
        None,
    );
    check_err(
        "DATA_FINE + DATA_INIZIO > 1",
        0..23,
        "cannot add a date and a date",
        Some("subtract two dates to get the days between them"),
    );
    check_err(
        "ETA + 18y > 1",
        0..3,
        "a duration can only be added to or subtracted from a date, but this is an integer",
        None,
    );
    check_err(
        "18y > 1",
        0..3,
        "a duration such as 18y can only be added to or subtracted from a date",
        Some("write e.g. today() - 18y"),
    );
    check_err(
        "ETA and FLAG",
        0..3,
        "`and` needs true or false on both sides, but this is an integer",
        None,
    );
    check_err(
        "not COMUNE",
        4..10,
        "`not` needs true or false, but this is a string",
        None,
    );
    check_err(
        "if ETA > 1 then 5",
        0..17,
        "an `if` without `else` must give true or false, but this gives an integer",
        Some("add `else …`"),
    );
    check_err(
        "if FLAG then 1 else 'a'",
        20..23,
        "the `then` branch gives an integer but the `else` branch gives a string",
        Some("both branches must give the same type"),
    );
    check_err(
        "len(ETA) > 1",
        4..7,
        "the first argument of len must be a string, but this is an integer",
        None,
    );
    check_err(
        "substr(COMUNE) == 'a'",
        0..14,
        "substr takes 2 to 3 arguments, but 1 was given",
        None,
    );
    check_err(
        "today(1) > DATA_FINE",
        0..8,
        "today takes 0 arguments, but 1 was given",
        None,
    );
    check_err(
        "TIPO in ['A', 1]",
        14..15,
        "TIPO is a string, but this is an integer",
        Some("TIPO is a string: compare it with a string, e.g. '1'"),
    );
    check_err(
        "TIPO in ['A', ETA]",
        14..17,
        "a list may only contain literal values",
        Some("such as 'A', 3, 1.5 or date('2020-01-31')"),
    );
    check_err(
        "TIPO in ['A', null]",
        14..18,
        "null in a list never matches",
        Some("test for a missing value with `is null`"),
    );
    check_err(
        "matches(COMUNE, '[a-')",
        16..21,
        "invalid regular expression: unclosed character class",
        None,
    );
    check_err(
        "matches(COMUNE, STATO)",
        16..21,
        "the pattern of matches must be a string literal",
        Some("write e.g. matches(CAP, '[0-9]{5}')"),
    );
    check_err(
        "DATA_FINE > date('2020-02-30')",
        17..29,
        "'2020-02-30' is not a valid date",
        Some("write dates as YYYY-MM-DD, e.g. date('2020-01-31')"),
    );
    check_err(
        "date(ETA) > DATA_FINE",
        5..8,
        "date needs a string or a datetime, but this is an integer",
        None,
    );
    check_err("coalesce(ETA, 'x') > 1", 14..17, "the arguments of coalesce must have the same type, but this is a string and an earlier one is an integer", None);
    check_err("null", 0..4, "this expression is always null", None);
    check_err(
        "TS + 1 > TS",
        0..6,
        "cannot add a datetime and an integer",
        Some("date arithmetic works on dates: take the date part with date(…)"),
    );
}

#[test]
fn unknown_names_get_suggestions() {
    check_err(
        "DATA_NASCTA > today()",
        0..11,
        "unknown column `DATA_NASCTA`",
        Some("did you mean DATA_NASCITA?"),
    );
    check_err(
        "eta > 1",
        0..3,
        "unknown column `eta`",
        Some("did you mean ETA?"),
    );
    check_err(
        "`DATA FINE Y` == 'a'",
        0..13,
        "unknown column `DATA FINE Y`",
        Some("did you mean `DATA FINE X`?"),
    );
    check_err(
        "today > DATA_FINE",
        0..5,
        "unknown column `today`",
        Some("today is a function: write today(…)"),
    );
    let e = err("XYZ == 1");
    assert!(
        e.help
            .as_deref()
            .unwrap()
            .starts_with("known columns: ETA, COMUNE, REDDITO"),
        "{e:?}"
    );
    check_err(
        "lenn(COMUNE) > 1",
        0..4,
        "unknown function `lenn`",
        Some("did you mean len?"),
    );
    check_err(
        "coalsce(ETA, 1) > 1",
        0..7,
        "unknown function `coalsce`",
        Some("did you mean coalesce?"),
    );
    check_err(
        "ETA(1) > 1",
        0..3,
        "unknown function `ETA`",
        Some("ETA is a column: remove the parentheses"),
    );
}

#[test]
fn checks_must_be_boolean() {
    let e = with_env(&FunctionRegistry::builtin(), |env| {
        compile_bool("DATA_FINE + 1", env)
    })
    .unwrap_err();
    assert_eq!(
        e.message,
        "this check must be true or false, but the expression is a date"
    );
    assert_eq!(e.span, 0..13);
    let e = with_env(&FunctionRegistry::builtin(), |env| compile_bool("ETA", env)).unwrap_err();
    assert_eq!(
        e.message,
        "this check must be true or false, but the expression is an integer"
    );
    let ok = with_env(&FunctionRegistry::builtin(), |env| {
        compile_bool("ETA > 1", env)
    })
    .unwrap();
    assert_eq!(ok.result_type(), ValueType::Bool);
}

#[test]
fn builtin_functions_come_from_the_registry() {
    let empty = FunctionRegistry::default();
    let e = with_env(&empty, |env| compile("len(COMUNE) > 1", env)).unwrap_err();
    assert_eq!(e.message, "unknown function `len`");
    // The special ones are always there.
    assert!(with_env(&empty, |env| compile(
        "coalesce(ETA, 1) > today() - today()",
        env
    ))
    .is_ok());
}

#[test]
fn result_type_and_columns() {
    let e = try_compile("REDDITO + ETA + ETA > N and is_null(NOTE) or ETA > 1").unwrap();
    assert_eq!(e.columns(), vec![0, 2, 6, 12]);
    assert_eq!(e.result_type(), ValueType::Bool);
    assert_eq!(
        try_compile("ETA + 1").unwrap().result_type(),
        ValueType::Int
    );
    assert_eq!(
        try_compile("ETA / 1").unwrap().result_type(),
        ValueType::Decimal
    );
    assert_eq!(
        try_compile("DATA_FINE - 1").unwrap().result_type(),
        ValueType::Date
    );
    assert_eq!(
        try_compile("upper(COMUNE)").unwrap().result_type(),
        ValueType::Text
    );
    assert_eq!(
        try_compile("DATA_FINE - DATA_INIZIO")
            .unwrap()
            .result_type(),
        ValueType::Int
    );
    assert_eq!(try_compile("1 + 1").unwrap().columns(), Vec::<usize>::new());
}

#[test]
fn expr_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Expr>();
}

fn explain(src: &str, r: &[Value<'static>], show: bool) -> String {
    try_compile(src)
        .unwrap()
        .explain(&r.to_vec(), show)
        .to_string()
}

#[test]
fn explanations() {
    let r = row(&[
        ("DATA_FINE", Value::Date(d("2020-01-01"))),
        ("DATA_INIZIO", Value::Date(d("2021-03-04"))),
        ("ETA", Value::Int(10)),
        ("REDDITO", Value::Decimal(5.5)),
        ("COMUNE", text("MILANO")),
        ("TIPO", text("C")),
    ]);
    let src = "DATA_FINE >= DATA_INIZIO";
    assert_eq!(explain(src, &r, false), "DATA_FINE >= DATA_INIZIO is false");
    assert_eq!(
        explain(src, &r, true),
        "DATA_FINE (2020-01-01) >= DATA_INIZIO (2021-03-04) is false"
    );
    let src = "ETA >= 18 and ETA < 120 and (COMUNE == 'ROMA' or REDDITO > 1000.5)";
    assert_eq!(
        explain(src, &r, false),
        "ETA >= 18 is false; COMUNE == 'ROMA' is false and REDDITO > 1000.5 is false"
    );
    assert_eq!(
        explain(src, &r, true),
        "ETA (10) >= 18 is false; COMUNE ('MILANO') == 'ROMA' is false and REDDITO (5.5) > 1000.5 is false"
    );
    let src = "if ETA < 18 then REDDITO == 0 else true";
    assert_eq!(
        explain(src, &r, false),
        "ETA < 18 is true, so REDDITO == 0 is false"
    );
    assert_eq!(
        explain(src, &r, true),
        "ETA (10) < 18 is true, so REDDITO (5.5) == 0 is false"
    );
    let src = "TIPO in ['A', 'B'] and not COMUNE is not null";
    assert_eq!(
        explain(src, &r, false),
        "TIPO in ['A', 'B'] is false; COMUNE is not null is true"
    );
    assert_eq!(
        explain(src, &r, true),
        "TIPO ('C') in ['A', 'B'] is false; COMUNE ('MILANO') is not null is true"
    );
    let src = "age_at(DATA_INIZIO, DATA_FINE) between 0 and 6";
    assert_eq!(
        explain(src, &r, false),
        "age_at(DATA_INIZIO, DATA_FINE) between 0 and 6 is false"
    );
    assert_eq!(
        explain(src, &r, true),
        "age_at(DATA_INIZIO, DATA_FINE) (-2) between 0 and 6 is false"
    );
    // Not false: says so.
    assert_eq!(explain("ETA > 1", &r, false), "ETA > 1 is true");
    assert_eq!(
        explain("N > 1", &r, false),
        "N > 1 is null, so it was not evaluated"
    );
    // Without values, no cell value appears anywhere.
    for src in [
        "DATA_FINE >= DATA_INIZIO",
        "COMUNE == 'ROMA' or TIPO == 'A'",
        "len(COMUNE) < 3",
        "not (COMUNE == 'MILANO')",
        "ETA + 0 == 11",
    ] {
        let s = explain(src, &r, false);
        for secret in ["2020-01-01", "2021-03-04", "MILANO", "10", "5.5", "'C'"] {
            assert!(!s.contains(secret) || src.contains(secret), "{src}: {s}");
        }
    }
}

/// What the test's `cf_valid` says: the code's length, and the code when
/// values may be shown.
struct Length {
    shown: Option<String>,
    len: usize,
}

impl Sentence for Length {
    fn en(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.shown {
            Some(cf) => write!(
                f,
                "the codice fiscale {cf} has {} characters, not 16",
                self.len
            ),
            None => write!(f, "the codice fiscale has {} characters, not 16", self.len),
        }
    }

    fn it(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.shown {
            Some(cf) => write!(
                f,
                "il codice fiscale {cf} ha {} caratteri, non 16",
                self.len
            ),
            None => write!(f, "il codice fiscale ha {} caratteri, non 16", self.len),
        }
    }

    fn examples() -> Vec<Self> {
        Vec::new()
    }
}

#[test]
fn registered_functions_and_their_explanations() {
    let mut reg = FunctionRegistry::builtin();
    reg.register(Function {
        name: "cf_valid",
        params: vec![ValueType::Text],
        optional: vec![],
        returns: ValueType::Bool,
        null_propagates: true,
        eval: |a| {
            Value::Bool(
                a.first()
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| s.len() == 16),
            )
        },
        explain: Some(|a, show| {
            let len = a.first()?.as_str()?.len();
            let shown = show.then(|| a[0].to_string());
            Some(Said::new(Length { shown, len }))
        }),
        doc: "whether a codice fiscale is valid",
    });
    reg.register(Function {
        name: "nvl0",
        params: vec![ValueType::Decimal],
        optional: vec![ValueType::Decimal],
        returns: ValueType::Decimal,
        null_propagates: false,
        eval: |a| match (a.first(), a.get(1)) {
            (Some(Value::Decimal(x)), _) => Value::Decimal(*x),
            (_, Some(Value::Decimal(y))) => Value::Decimal(*y),
            _ => Value::Decimal(0.0),
        },
        explain: None,
        doc: "the number, else the default, else 0",
    });
    let cols = columns();
    let env = Env {
        columns: &cols,
        today: today(),
        functions: &reg,
    };
    let e = compile("cf_valid(COMUNE) and cf_valid('RSSMRA80A01H501U')", &env).unwrap();
    let r = row(&[("COMUNE", text("RSSMRA80A01"))]);
    assert_eq!(e.eval(&r), Value::Bool(false));
    assert_eq!(
        e.explain(&r, false).to_string(),
        "the codice fiscale has 11 characters, not 16"
    );
    assert_eq!(
        e.explain(&r, true).to_string(),
        "the codice fiscale RSSMRA80A01 has 11 characters, not 16"
    );
    assert_eq!(
        e.explain(&r, false).render(crate::messages::Lang::It),
        "il codice fiscale ha 11 caratteri, non 16"
    );
    assert_eq!(e.eval(&row(&[])), Value::Null);
    // Null does not propagate when the function says so; ints become decimals.
    let e = compile("nvl0(REDDITO) + nvl0(N, 2)", &env).unwrap();
    assert_eq!(e.eval(&row(&[])), Value::Decimal(2.0));
    assert_eq!(e.eval(&row(&[("N", Value::Int(3))])), Value::Decimal(3.0));
    assert_eq!(
        e.eval_interpreted(&row(&[("N", Value::Int(3))])),
        Value::Decimal(3.0)
    );
}

#[test]
fn nesting_and_size_guards() {
    let deep = format!("{}ETA{} > 1", "(".repeat(200), ")".repeat(200));
    assert_eq!(err(&deep).message, "expression nested too deeply");
    let deep_not = format!("{}FLAG", "not ".repeat(200));
    assert_eq!(err(&deep_not).message, "expression nested too deeply");
    let deep_calls = format!("{}ETA{} > 1", "abs(".repeat(200), ")".repeat(200));
    assert_eq!(err(&deep_calls).message, "expression nested too deeply");
    let deep_if = format!("{}true", "if true then ".repeat(200));
    assert_eq!(err(&deep_if).message, "expression nested too deeply");
    let long = vec!["ETA"; 6000].join(" + ");
    assert!(err(&long).message.starts_with("expression too long"));
    // Within limits: fine, and evaluates.
    let ok = format!("{}ETA{} > 1", "(".repeat(50), ")".repeat(50));
    assert_eq!(
        eval_on(&ok, &row(&[("ETA", Value::Int(2))])),
        Value::Bool(true)
    );
    // The tallest trees allowed compile, evaluate and explain with half the
    // stack of a test or rayon thread (2 MB), in a debug build.
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let r = row(&[("ETA", Value::Int(1)), ("FLAG", Value::Bool(false))]);
            let tall = vec!["ETA"; 127].join(" + ") + " > 1";
            assert_eq!(eval_on(&tall, &r), Value::Bool(true));
            assert!(try_compile(&tall)
                .unwrap()
                .explain(&r, true)
                .to_string()
                .ends_with("is true"));
            let too_tall = vec!["ETA"; 128].join(" + ") + " > 1";
            assert_eq!(err(&too_tall).message, "expression nested too deeply");
            let tall_if = "if FLAG then 1 else ".repeat(30) + "2";
            assert_eq!(eval_on(&format!("({tall_if}) > 1"), &r), Value::Bool(true));
            let tall_mixed = format!("{}ETA{} > 1", "abs(-(ETA + ".repeat(20), "))".repeat(20));
            assert_eq!(eval_on(&tall_mixed, &r), Value::Bool(true));
            let tall_logic = format!("{}FLAG{}", "(FLAG or not (".repeat(20), "))".repeat(20));
            assert_eq!(eval_on(&tall_logic, &r), Value::Bool(false));
            try_compile(&tall_logic).unwrap().explain(&r, true);
        })
        .unwrap()
        .join()
        .unwrap();
    let wide = vec!["ETA == 1"; 2000].join(" or ");
    assert_eq!(
        eval_on(&wide, &row(&[("ETA", Value::Int(1))])),
        Value::Bool(true)
    );
}

#[test]
fn text_allocation_is_avoided_for_borrowed_cells() {
    // Borrowed text cells flow through comparisons as borrows.
    let backing = String::from("ROMA");
    let r: Vec<Value<'_>> = (0..COLS.len())
        .map(|i| {
            if i == 1 {
                Value::Text(Cow::Borrowed(backing.as_str()))
            } else {
                Value::Null
            }
        })
        .collect();
    let e = try_compile("COMUNE").unwrap();
    assert!(matches!(e.eval(&r), Value::Text(Cow::Borrowed("ROMA"))));
}

// ---- property tests -------------------------------------------------------

const TOKENS: &[&str] = &[
    "ETA",
    "COMUNE",
    "REDDITO",
    "DATA_INIZIO",
    "DATA_FINE",
    "NOTE",
    "FLAG",
    "TS",
    "`DATA FINE X`",
    "N",
    "TIPO",
    "1",
    "0",
    "-1",
    "2.5",
    "9223372036854775807",
    "'A'",
    "'2020-01-01'",
    "\"x\"",
    "true",
    "false",
    "null",
    "18y",
    "6m",
    "30d",
    "and",
    "or",
    "not",
    "!",
    "&&",
    "||",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "<>",
    "in",
    "between",
    "is",
    "if",
    "then",
    "else",
    "+",
    "-",
    "*",
    "/",
    "(",
    ")",
    "(",
    ")",
    "[",
    "]",
    ",",
    "len(",
    "upper(",
    "substr(",
    "matches(",
    "date(",
    "today()",
    "coalesce(",
    "abs(",
    "round(",
    "min(",
    "max(",
    "age_at(",
    "days_between(",
    "year(",
    "is_null(",
    "contains(",
    "'[A-Z]+'",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 1..25).prop_map(|v| v.join(" "))
}

/// Plausible expressions, so that many of them compile.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        "ETA",
        "N",
        "REDDITO",
        "1",
        "-3",
        "2.5",
        "0",
        "null",
        "DATA_FINE",
        "DATA_INIZIO",
        "today()",
        "COMUNE",
        "NOTE",
        "'ROMA'",
        "FLAG",
        "true",
        "TS",
        "date(COMUNE)",
    ])
    .prop_map(str::to_string);
    leaf.prop_recursive(5, 40, 3, |inner| {
        let bin = prop::sample::select(vec![
            "+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or",
        ]);
        prop_oneof![
            (inner.clone(), bin, inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("{a} is null")),
            inner.clone().prop_map(|a| format!("{a} + 18y")),
            inner
                .clone()
                .prop_map(|a| format!("{a} in [1, 2.5, 'ROMA', date('2020-01-01')]")),
            inner
                .clone()
                .prop_map(|a| format!("{a} in ['ROMA', 'MILANO']")),
            inner.clone().prop_map(|a| format!("{a} in [1, 7]")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a} between {b} and {c})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("(if {a} then {b} else {c})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("age_at({a}, {b})")),
            inner.clone().prop_map(|a| format!("len({a})")),
            inner.clone().prop_map(|a| format!("abs({a})")),
            inner.clone().prop_map(|a| format!("round({a}, 1)")),
            inner.clone().prop_map(|a| format!("substr({a}, 2, 2)")),
            inner
                .clone()
                .prop_map(|a| format!("matches({a}, '[A-Z]+')")),
            inner.prop_map(|a| format!("year({a})")),
        ]
    })
}

#[derive(Clone, Copy)]
enum G {
    Bool,
    Int,
    Dec,
    Text,
    Date,
}

/// Well-typed expressions of type `ty`, so that nearly all compile and the
/// evaluators get exercised deeply.
fn typed(ty: G, depth: u32) -> BoxedStrategy<String> {
    let leaves: Vec<&'static str> = match ty {
        G::Bool => vec!["FLAG", "true", "false", "null"],
        G::Int => vec!["ETA", "N", "1", "-3", "0", "9223372036854775807", "null"],
        G::Dec => vec!["REDDITO", "2.5", "-0.5", "ETA"],
        G::Text => vec!["COMUNE", "NOTE", "TIPO", "'ROMA'", "''"],
        G::Date => vec![
            "DATA_FINE",
            "DATA_NASCITA",
            "today()",
            "date('2020-02-29')",
            "date(COMUNE)",
            "TS",
        ],
    };
    let leaf = prop::sample::select(leaves).prop_map(str::to_string);
    if depth == 0 {
        return leaf.boxed();
    }
    let r = |t: G| typed(t, depth - 1);
    let cmp = prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]);
    let composite: BoxedStrategy<String> = match ty {
        G::Bool => prop_oneof![
            (r(G::Int), cmp.clone(), r(G::Dec)).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            (r(G::Text), cmp.clone(), r(G::Text)).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            (r(G::Date), cmp, r(G::Date)).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            (r(G::Bool), r(G::Bool)).prop_map(|(a, b)| format!("({a} and {b})")),
            (r(G::Bool), r(G::Bool), r(G::Bool))
                .prop_map(|(a, b, c)| format!("({a} or {b} or {c})")),
            r(G::Bool).prop_map(|a| format!("not ({a})")),
            r(G::Text).prop_map(|a| format!("{a} is null")),
            r(G::Dec).prop_map(|a| format!("{a} is not null")),
            r(G::Text).prop_map(|a| format!("{a} in ['ROMA', 'MILANO', '']")),
            r(G::Int).prop_map(|a| format!("{a} not in [1, 7, -3]")),
            r(G::Dec).prop_map(|a| format!("{a} in [2.5, 1]")),
            (r(G::Int), r(G::Int), r(G::Dec))
                .prop_map(|(a, b, c)| format!("{a} between {b} and {c}")),
            (r(G::Text), r(G::Text)).prop_map(|(a, b)| format!("{a} not between {b} and 'Z'")),
            r(G::Text).prop_map(|a| format!("matches({a}, '[A-Z]+')")),
            (r(G::Text), r(G::Text)).prop_map(|(a, b)| format!("starts_with({a}, {b})")),
            (r(G::Bool), r(G::Bool)).prop_map(|(a, b)| format!("(if {a} then {b})")),
            (r(G::Bool), r(G::Bool), r(G::Bool))
                .prop_map(|(a, b, c)| format!("(if {a} then {b} else {c})")),
            (r(G::Bool), r(G::Bool)).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
        ]
        .boxed(),
        G::Int => prop_oneof![
            (
                r(G::Int),
                prop::sample::select(vec!["+", "-", "*"]),
                r(G::Int)
            )
                .prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            (r(G::Date), r(G::Date)).prop_map(|(a, b)| format!("({a} - {b})")),
            r(G::Text).prop_map(|a| format!("len({a})")),
            (r(G::Date), r(G::Date)).prop_map(|(a, b)| format!("age_at({a}, {b})")),
            (r(G::Date), r(G::Date)).prop_map(|(a, b)| format!("days_between({a}, {b})")),
            r(G::Date).prop_map(|a| format!("year({a})")),
            r(G::Int).prop_map(|a| format!("abs(-{a})")),
            (r(G::Int), r(G::Int)).prop_map(|(a, b)| format!("min({a}, {b})")),
            (r(G::Bool), r(G::Int), r(G::Int))
                .prop_map(|(a, b, c)| format!("(if {a} then {b} else {c})")),
            (r(G::Int), r(G::Int)).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
        ]
        .boxed(),
        G::Dec => prop_oneof![
            (
                r(G::Dec),
                prop::sample::select(vec!["+", "-", "*", "/"]),
                r(G::Int)
            )
                .prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            (r(G::Int), r(G::Int)).prop_map(|(a, b)| format!("({a} / {b})")),
            (r(G::Dec), r(G::Int)).prop_map(|(a, b)| format!("round({a}, {b})")),
            r(G::Dec).prop_map(|a| format!("abs({a})")),
            (r(G::Dec), r(G::Int)).prop_map(|(a, b)| format!("max({a}, {b})")),
            (r(G::Bool), r(G::Dec), r(G::Int))
                .prop_map(|(a, b, c)| format!("(if {a} then {b} else {c})")),
        ]
        .boxed(),
        G::Text => prop_oneof![
            r(G::Text).prop_map(|a| format!("upper({a})")),
            r(G::Text).prop_map(|a| format!("trim({a})")),
            (r(G::Text), r(G::Int), r(G::Int))
                .prop_map(|(a, b, c)| format!("substr({a}, {b}, {c})")),
            (r(G::Text), r(G::Text)).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
            (r(G::Text), r(G::Text)).prop_map(|(a, b)| format!("max({a}, {b})")),
            (r(G::Bool), r(G::Text), r(G::Text))
                .prop_map(|(a, b, c)| format!("(if {a} then {b} else {c})")),
        ]
        .boxed(),
        G::Date => prop_oneof![
            (r(G::Date), r(G::Int)).prop_map(|(a, b)| format!("({a} + {b})")),
            (r(G::Date), r(G::Int)).prop_map(|(a, b)| format!("({a} - {b})")),
            r(G::Date).prop_map(|a| format!("({a} - 18y)")),
            r(G::Date).prop_map(|a| format!("({a} + 6m)")),
            r(G::Text).prop_map(|a| format!("date({a})")),
            (r(G::Date), r(G::Date)).prop_map(|(a, b)| format!("min({a}, {b})")),
            (r(G::Date), r(G::Date)).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
        ]
        .boxed(),
    };
    prop_oneof![1 => leaf, 3 => composite].boxed()
}

fn typed_expression() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => typed(G::Bool, 3),
        1 => typed(G::Int, 3),
        1 => typed(G::Dec, 3),
        1 => typed(G::Text, 3),
        1 => typed(G::Date, 3),
    ]
}

fn any_value() -> impl Strategy<Value = Value<'static>> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![any::<i64>(), -200i64..200].prop_map(Value::Int),
        prop_oneof![-1e6f64..1e6, prop::num::f64::ANY].prop_map(Value::Decimal),
        prop::sample::select(vec!["ROMA", "MILANO", "", "2020-01-01", "Forlì", "ÀÈ"])
            .prop_map(|s| Value::Text(Cow::Borrowed(s))),
        (-400_000i32..400_000).prop_map(|n| Value::Date(
            NaiveDate::from_num_days_from_ce_opt(730_000 + n).unwrap_or_default()
        )),
        Just(Value::Date(NaiveDate::MAX)),
        Just(Value::Date(NaiveDate::MIN)),
        Just(Value::DateTime(NaiveDateTime::MAX)),
        Just(Value::DateTime(
            NaiveDate::from_ymd_opt(2020, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        )),
    ]
}

/// Equality that treats every NaN as equal (values are compared bit-blind).
fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Decimal(x), Value::Decimal(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn compile_never_panics_on_any_string(src in "\\PC{0,60}") {
        let _ = try_compile(&src);
    }

    #[test]
    fn compile_never_panics_on_token_soup(src in token_soup()) {
        if let Ok(e) = try_compile(&src) {
            let r = row(&[("ETA", Value::Int(3)), ("COMUNE", text("ROMA"))]);
            let a = e.eval(&r).into_owned();
            let b = e.eval_interpreted(&r).into_owned();
            prop_assert!(same(&a, &b), "{src}: {a:?} vs {b:?}");
            let _ = e.explain(&r, true);
        }
    }

    #[test]
    fn evaluation_never_panics_and_agrees(
        src in prop_oneof![expression(), typed_expression()],
        cells in prop::collection::vec(any_value(), COLS.len()),
    ) {
        if let Ok(e) = try_compile(&src) {
            let a = e.eval(&cells).into_owned();
            let b = e.eval_interpreted(&cells).into_owned();
            prop_assert!(same(&a, &b), "{src} on {cells:?}: {a:?} vs {b:?}");
            if let Some(t) = a.value_type() {
                prop_assert_eq!(t, e.result_type());
            }
            if e.result_type() == ValueType::Bool {
                prop_assert_eq!(e.eval_bool(&cells), e.eval_bool_match_tree(&cells));
            }
            let shown = e.explain(&cells, true).to_string();
            let hidden = e.explain(&cells, false).to_string();
            prop_assert!(!shown.is_empty() && !hidden.is_empty());
        }
    }
}

#[test]
fn between_bounds_of_different_types_are_a_type_error() {
    // Found by the differential property test: with a null-typed value the
    // bounds were coerced to each other's type.
    let columns = vec![
        ("DATA_FINE".to_string(), 0, ValueType::Date),
        ("ETA".to_string(), 1, ValueType::Int),
    ];
    let functions = FunctionRegistry::builtin();
    let env = Env {
        columns: &columns,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
        functions: &functions,
    };
    let err = compile("coalesce(null, null) between DATA_FINE and ETA", &env)
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert_eq!(
        err,
        "the bounds of `between` must have one type, not a date and an integer"
    );
}

#[test]
fn qualified_names_are_one_identifier_and_references_list_them() {
    let refs =
        references("age_at(anagrafe.DATA_NASCITA, DATA_INIZIO) >= 3 and isee.X > 0.5").unwrap();
    let names: Vec<&str> = refs.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["anagrafe.DATA_NASCITA", "DATA_INIZIO", "isee.X"]);
    assert_eq!(refs[0].1, 7..28);
    assert!(refs.iter().all(|(_, _, quoted)| !quoted));
    let refs = references("`A.B` > 0").unwrap();
    assert_eq!(refs, [("A.B".to_string(), 0..5, true)]);
    // A decimal stays a number; a trailing dot is not part of a name.
    assert!(references("A.").is_err());
    let cols = vec![("famiglia.componenti".to_string(), 0, ValueType::Int)];
    let registry = FunctionRegistry::builtin();
    let env = Env {
        columns: &cols,
        today: today(),
        functions: &registry,
    };
    let e = compile_bool("famiglia.componenti == 3", &env).unwrap();
    assert_eq!(e.eval_bool(&vec![Value::Int(3)]), Some(true));
    assert_eq!(
        e.explain(&vec![Value::Int(4)], true).to_string(),
        "famiglia.componenti (4) == 3 is false"
    );
    let err = compile_bool("famiglia.membri == 3", &env).unwrap_err();
    assert!(err.message.contains("unknown column `famiglia.membri`"));
}
