//! A tree-walking interpreter over the typed tree.
//!
//! The compiled closures are what checks run; this interpreter is the
//! reference they are tested against (same results on random rows), the
//! baseline of the benchmark, and what [`super::explain`] uses to look at
//! sub-expressions of a failing row.

use chrono::{NaiveDate, NaiveDateTime};

use super::compile::{const_value, Scalar};
use super::functions::{add_days, date_diff, div, finite, parse_iso_date, round, shift};
use super::ir::{Arith, Builtin, CmpOp, ConstSet, Conv, Kind, Node, Ty};
use crate::value::{RowValues, Value};

/// `v` as a value of type `ty`, or null if it is not one.
fn normalize(v: Value<'_>, ty: Ty) -> Value<'_> {
    fn of<T: Scalar>(v: &Value<'_>) -> Value<'static> {
        T::get(v).map_or(Value::Null, T::put)
    }
    match ty {
        Ty::Null => Value::Null,
        Ty::Bool => of::<bool>(&v),
        Ty::Int => of::<i64>(&v),
        Ty::Dec => of::<f64>(&v),
        Ty::Date => of::<NaiveDate>(&v),
        Ty::DateTime => of::<NaiveDateTime>(&v),
        Ty::Text => match v {
            Value::Text(_) => v,
            _ => Value::Null,
        },
    }
}

fn opt<'r>(v: Option<Value<'r>>) -> Value<'r> {
    v.unwrap_or(Value::Null)
}

/// Compares two values of static type `ty` (null if either is null).
fn compare(op: CmpOp, ty: Ty, a: &Value<'_>, b: &Value<'_>) -> Option<bool> {
    fn of<T: Scalar>(op: CmpOp, a: &Value<'_>, b: &Value<'_>) -> Option<bool> {
        Some(op.apply(&T::get(a)?, &T::get(b)?))
    }
    match ty {
        Ty::Null => None,
        Ty::Bool => of::<bool>(op, a, b),
        Ty::Int => of::<i64>(op, a, b),
        Ty::Dec => of::<f64>(op, a, b),
        Ty::Date => of::<NaiveDate>(op, a, b),
        Ty::DateTime => of::<NaiveDateTime>(op, a, b),
        Ty::Text => Some(op.apply(a.as_str()?, b.as_str()?)),
    }
}

fn arith<'r>(op: Arith, a: &Value<'_>, b: &Value<'_>) -> Option<Value<'r>> {
    let int = |v: &Value<'_>| i64::get(v);
    let dec = |v: &Value<'_>| f64::get(v);
    let date = |v: &Value<'_>| NaiveDate::get(v);
    Some(match op {
        Arith::IntAdd => Value::Int(int(a)?.checked_add(int(b)?)?),
        Arith::IntSub => Value::Int(int(a)?.checked_sub(int(b)?)?),
        Arith::IntMul => Value::Int(int(a)?.checked_mul(int(b)?)?),
        Arith::DecAdd => Value::Decimal(finite(dec(a)? + dec(b)?)?),
        Arith::DecSub => Value::Decimal(finite(dec(a)? - dec(b)?)?),
        Arith::DecMul => Value::Decimal(finite(dec(a)? * dec(b)?)?),
        Arith::DecDiv => Value::Decimal(div(dec(a)?, dec(b)?)?),
        Arith::DateAddDays => Value::Date(add_days(date(a)?, int(b)?)?),
        Arith::DateSubDays => Value::Date(add_days(date(a)?, int(b)?.checked_neg()?)?),
        Arith::DateDiff => Value::Int(date_diff(date(a)?, date(b)?)),
    })
}

fn kleene(xs: &[Node], row: &dyn RowValues, dominant: bool) -> Value<'static> {
    let mut unknown = false;
    for x in xs {
        match eval(x, row) {
            Value::Bool(b) if b == dominant => return Value::Bool(dominant),
            Value::Bool(_) => {}
            _ => unknown = true,
        }
    }
    if unknown {
        Value::Null
    } else {
        Value::Bool(!dominant)
    }
}

pub(crate) fn eval<'r>(n: &Node, row: &'r dyn RowValues) -> Value<'r> {
    match &n.kind {
        Kind::Const(c) => normalize(const_value(c), n.ty),
        &Kind::Col { index } => normalize(row.value(index), n.ty),
        Kind::Conv(conv, x) => {
            let v = eval(x, row);
            match conv {
                Conv::IntToDec => opt(i64::get(&v).map(|i| Value::Decimal(i as f64))),
                Conv::DateToDateTime => opt(NaiveDateTime::get(&v).map(Value::DateTime)),
                Conv::DateTimeToDate => opt(NaiveDate::get(&v).map(Value::Date)),
            }
        }
        Kind::Not(x) => opt(eval(x, row).as_bool().map(|b| Value::Bool(!b))),
        Kind::And(xs) => kleene(xs, row, false),
        Kind::Or(xs) => kleene(xs, row, true),
        Kind::Neg(x) => match eval(x, row) {
            Value::Int(i) => opt(i.checked_neg().map(Value::Int)),
            Value::Decimal(d) => Value::Decimal(-d),
            _ => Value::Null,
        },
        Kind::Arith(op, a, b) => opt(arith(*op, &eval(a, row), &eval(b, row))),
        &Kind::Shift {
            ref x,
            months,
            days,
        } => opt(NaiveDate::get(&eval(x, row))
            .and_then(|d| shift(d, months, days))
            .map(Value::Date)),
        Kind::Cmp(op, a, b) => {
            opt(compare(*op, a.ty, &eval(a, row), &eval(b, row)).map(Value::Bool))
        }
        Kind::Between { x, lo, hi, negated } => {
            let v = eval(x, row);
            if v.is_null() {
                return Value::Null;
            }
            let ge = compare(CmpOp::Ge, x.ty, &v, &eval(lo, row));
            let le = compare(CmpOp::Le, x.ty, &v, &eval(hi, row));
            let inside = match (ge, le) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            opt(inside.map(|b| Value::Bool(b != *negated)))
        }
        Kind::In { x, set, negated } => {
            let v = eval(x, row);
            let found = match set {
                ConstSet::Bool(s) => bool::get(&v).map(|b| s.contains(&b)),
                ConstSet::Int(s) => i64::get(&v).map(|i| s.contains(&i)),
                ConstSet::Dec(s) => f64::get(&v).map(|d| s.contains(&d)),
                ConstSet::Date(s) => NaiveDate::get(&v).map(|d| s.contains(&d)),
                ConstSet::Text(s) => v.as_str().map(|t| s.iter().any(|k| k == t)),
            };
            opt(found.map(|b| Value::Bool(b != *negated)))
        }
        Kind::IsNull { x, negated } => Value::Bool(eval(x, row).is_null() != *negated),
        Kind::If { cond, then, els } => {
            if eval(cond, row).as_bool() == Some(true) {
                eval(then, row)
            } else {
                eval(els, row)
            }
        }
        Kind::Builtin(b, xs) => {
            let arg = |i: usize| xs.get(i).map_or(Value::Null, |x| eval(x, row));
            match b {
                Builtin::Coalesce => xs
                    .iter()
                    .map(|x| eval(x, row))
                    .find(|v| !v.is_null())
                    .unwrap_or(Value::Null),
                Builtin::Matches(re) => opt(arg(0).as_str().map(|s| Value::Bool(re.is_match(s)))),
                Builtin::ParseDate => {
                    opt(arg(0).as_str().and_then(parse_iso_date).map(Value::Date))
                }
                Builtin::Abs => match arg(0) {
                    Value::Int(i) => opt(i.checked_abs().map(Value::Int)),
                    Value::Decimal(d) => Value::Decimal(d.abs()),
                    _ => Value::Null,
                },
                Builtin::Round => opt(f64::get(&arg(0))
                    .zip(i64::get(&arg(1)))
                    .and_then(|(x, d)| round(x, d))
                    .map(Value::Decimal)),
                Builtin::Min | Builtin::Max => {
                    let (x, y) = (arg(0), arg(1));
                    let op = if matches!(b, Builtin::Max) {
                        CmpOp::Gt
                    } else {
                        CmpOp::Lt
                    };
                    match compare(op, n.ty, &y, &x) {
                        Some(true) => y,
                        Some(false) => x,
                        None => Value::Null,
                    }
                }
            }
        }
        Kind::Call(func, xs) => {
            let args: Vec<Value<'r>> = xs.iter().map(|x| eval(x, row)).collect();
            if func.null_propagates && args.iter().any(Value::is_null) {
                return Value::Null;
            }
            normalize((func.eval)(&args), n.ty)
        }
    }
}
