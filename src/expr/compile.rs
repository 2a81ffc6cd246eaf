//! Compilation of the typed tree into boxed closures over column indices.
//!
//! Each node becomes a closure returning `Option<T>` for its static type
//! (`None` is null): booleans, integers, decimals and dates never touch a
//! [`Value`] except when reading a cell, and never allocate. Comparisons of
//! a column with a constant are fused into one closure.
//!
//! [`Pred`] is the alternative for the boolean skeleton (`and`, `or`, `not`,
//! column-vs-constant comparisons): an enum evaluated by a `match`. It is
//! kept for the benchmark, which measures both (see `benches/expr.rs`): on
//! `eta >= 18 and eta < 120 and (comune == 'ROMA' or reddito > 1000.5)`
//! the closures took ~27-29 ns/row, the enum tree ~47-50, the interpreter
//! ~130, a hand-written closure ~14-24 (2-core machine). Most of the floor
//! is `RowValues::value` (a dynamic call that clones the cell).

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::functions::{
    add_days, date_diff, div, finite, parse_iso_date, round, shift, Function, MAX_ARGS,
};
use super::ir::{Arith, Builtin, CmpOp, Const, ConstSet, Conv, Kind, Node, Ty};
use crate::value::{RowValues, Value};

pub(crate) type F<T> = Box<dyn Fn(&dyn RowValues) -> Option<T> + Send + Sync>;
pub(crate) type TextF =
    Box<dyn for<'r> Fn(&'r dyn RowValues) -> Option<Cow<'r, str>> + Send + Sync>;
pub(crate) type ValF = Box<dyn for<'r> Fn(&'r dyn RowValues) -> Value<'r> + Send + Sync>;
type CallF = Box<dyn Fn(&dyn RowValues) -> Value<'static> + Send + Sync>;

fn f<T, G>(g: G) -> F<T>
where
    G: Fn(&dyn RowValues) -> Option<T> + Send + Sync + 'static,
{
    Box::new(g)
}

fn tf<G>(g: G) -> TextF
where
    G: for<'r> Fn(&'r dyn RowValues) -> Option<Cow<'r, str>> + Send + Sync + 'static,
{
    Box::new(g)
}

fn vf<G>(g: G) -> ValF
where
    G: for<'r> Fn(&'r dyn RowValues) -> Value<'r> + Send + Sync + 'static,
{
    Box::new(g)
}

/// A node the checker should never produce for this type: null, and a
/// failed assertion in debug builds.
fn bad<T>(n: &Node) -> F<T> {
    debug_assert!(false, "cannot compile {:?} as {:?}", n.kind, n.ty);
    f(|_| None)
}

/// A compiled expression, by result type.
pub(crate) enum Compiled {
    Null,
    Bool(F<bool>),
    Int(F<i64>),
    Dec(F<f64>),
    Text(TextF),
    Date(F<NaiveDate>),
    DateTime(F<NaiveDateTime>),
}

pub(crate) fn compile(n: &Node) -> Compiled {
    match n.ty {
        Ty::Null => Compiled::Null,
        Ty::Bool => Compiled::Bool(bool::compile(n)),
        Ty::Int => Compiled::Int(i64::compile(n)),
        Ty::Dec => Compiled::Dec(f64::compile(n)),
        Ty::Text => Compiled::Text(compile_text(n)),
        Ty::Date => Compiled::Date(NaiveDate::compile(n)),
        Ty::DateTime => Compiled::DateTime(NaiveDateTime::compile(n)),
    }
}

/// A type whose values are `Copy` and compiled to `F<Self>`.
pub(crate) trait Scalar: Copy + PartialOrd + Send + Sync + 'static {
    /// The value as this type, or `None` (null, or a value of another type).
    fn get(v: &Value<'_>) -> Option<Self>;
    fn put(self) -> Value<'static>;
    fn konst(c: &Const) -> Option<Self>;
    fn compile(n: &Node) -> F<Self>;
}

impl Scalar for bool {
    #[inline(always)]
    fn get(v: &Value<'_>) -> Option<Self> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn put(self) -> Value<'static> {
        Value::Bool(self)
    }
    fn konst(c: &Const) -> Option<Self> {
        match c {
            Const::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn compile(n: &Node) -> F<Self> {
        if let Some(g) = common::<bool>(n) {
            return g;
        }
        match &n.kind {
            Kind::Not(x) => {
                let g = bool::compile(x);
                f(move |r| g(r).map(|b| !b))
            }
            Kind::And(xs) => and(xs),
            Kind::Or(xs) => or(xs),
            Kind::Cmp(op, a, b) => match a.ty {
                Ty::Bool => cmp::<bool>(*op, a, b),
                Ty::Int => cmp::<i64>(*op, a, b),
                Ty::Dec => cmp::<f64>(*op, a, b),
                Ty::Date => cmp::<NaiveDate>(*op, a, b),
                Ty::DateTime => cmp::<NaiveDateTime>(*op, a, b),
                Ty::Text => cmp_text(*op, a, b),
                Ty::Null => f(|_| None),
            },
            Kind::Between { x, lo, hi, negated } => match x.ty {
                Ty::Int => between::<i64>(x, lo, hi, *negated),
                Ty::Dec => between::<f64>(x, lo, hi, *negated),
                Ty::Date => between::<NaiveDate>(x, lo, hi, *negated),
                Ty::DateTime => between::<NaiveDateTime>(x, lo, hi, *negated),
                Ty::Bool => between::<bool>(x, lo, hi, *negated),
                Ty::Text => between_text(x, lo, hi, *negated),
                Ty::Null => f(|_| None),
            },
            Kind::In { x, set, negated } => in_set(x, set, *negated),
            Kind::IsNull { x, negated } => is_null(x, *negated),
            Kind::Builtin(Builtin::Matches(re), xs) if xs.len() == 1 => {
                let g = compile_text(&xs[0]);
                let re = re.clone();
                f(move |r| g(r).map(|s| re.is_match(&s)))
            }
            _ => bad(n),
        }
    }
}

impl Scalar for i64 {
    #[inline(always)]
    fn get(v: &Value<'_>) -> Option<Self> {
        match v {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    fn put(self) -> Value<'static> {
        Value::Int(self)
    }
    fn konst(c: &Const) -> Option<Self> {
        match c {
            Const::Int(i) => Some(*i),
            _ => None,
        }
    }
    fn compile(n: &Node) -> F<Self> {
        if let Some(g) = common::<i64>(n) {
            return g;
        }
        match &n.kind {
            Kind::Neg(x) => {
                let g = i64::compile(x);
                f(move |r| g(r)?.checked_neg())
            }
            Kind::Arith(op, a, b) => match op {
                Arith::IntAdd => bin::<i64, i64, _>(a, b, i64::checked_add),
                Arith::IntSub => bin::<i64, i64, _>(a, b, i64::checked_sub),
                Arith::IntMul => bin::<i64, i64, _>(a, b, i64::checked_mul),
                Arith::DateDiff => bin::<NaiveDate, i64, _>(a, b, |x, y| Some(date_diff(x, y))),
                _ => bad(n),
            },
            Kind::Builtin(Builtin::Abs, xs) if xs.len() == 1 => {
                let g = i64::compile(&xs[0]);
                f(move |r| g(r)?.checked_abs())
            }
            _ => bad(n),
        }
    }
}

impl Scalar for f64 {
    #[inline(always)]
    fn get(v: &Value<'_>) -> Option<Self> {
        match v {
            Value::Decimal(d) if d.is_finite() => Some(*d),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
    fn put(self) -> Value<'static> {
        Value::Decimal(self)
    }
    fn konst(c: &Const) -> Option<Self> {
        match c {
            Const::Dec(d) => Some(*d),
            Const::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
    fn compile(n: &Node) -> F<Self> {
        if let Some(g) = common::<f64>(n) {
            return g;
        }
        match &n.kind {
            Kind::Conv(Conv::IntToDec, x) => {
                let g = i64::compile(x);
                f(move |r| g(r).map(|i| i as f64))
            }
            Kind::Neg(x) => {
                let g = f64::compile(x);
                f(move |r| g(r).map(|d| -d))
            }
            Kind::Arith(op, a, b) => match op {
                Arith::DecAdd => bin::<f64, f64, _>(a, b, |x, y| finite(x + y)),
                Arith::DecSub => bin::<f64, f64, _>(a, b, |x, y| finite(x - y)),
                Arith::DecMul => bin::<f64, f64, _>(a, b, |x, y| finite(x * y)),
                Arith::DecDiv => bin::<f64, f64, _>(a, b, div),
                _ => bad(n),
            },
            Kind::Builtin(Builtin::Abs, xs) if xs.len() == 1 => {
                let g = f64::compile(&xs[0]);
                f(move |r| g(r).map(f64::abs))
            }
            Kind::Builtin(Builtin::Round, xs) if xs.len() == 2 => {
                let x = f64::compile(&xs[0]);
                let d = i64::compile(&xs[1]);
                f(move |r| round(x(r)?, d(r)?))
            }
            _ => bad(n),
        }
    }
}

impl Scalar for NaiveDate {
    #[inline(always)]
    fn get(v: &Value<'_>) -> Option<Self> {
        v.as_date()
    }
    fn put(self) -> Value<'static> {
        Value::Date(self)
    }
    fn konst(c: &Const) -> Option<Self> {
        match c {
            Const::Date(d) => Some(*d),
            _ => None,
        }
    }
    fn compile(n: &Node) -> F<Self> {
        if let Some(g) = common::<NaiveDate>(n) {
            return g;
        }
        match &n.kind {
            Kind::Conv(Conv::DateTimeToDate, x) => {
                let g = NaiveDateTime::compile(x);
                f(move |r| g(r).map(|dt| dt.date()))
            }
            &Kind::Shift {
                ref x,
                months,
                days,
            } => {
                let g = NaiveDate::compile(x);
                f(move |r| shift(g(r)?, months, days))
            }
            Kind::Arith(Arith::DateAddDays, a, b) => {
                let (a, b) = (NaiveDate::compile(a), i64::compile(b));
                f(move |r| add_days(a(r)?, b(r)?))
            }
            Kind::Arith(Arith::DateSubDays, a, b) => {
                let (a, b) = (NaiveDate::compile(a), i64::compile(b));
                f(move |r| add_days(a(r)?, b(r)?.checked_neg()?))
            }
            Kind::Builtin(Builtin::ParseDate, xs) if xs.len() == 1 => {
                let g = compile_text(&xs[0]);
                f(move |r| parse_iso_date(&g(r)?))
            }
            _ => bad(n),
        }
    }
}

impl Scalar for NaiveDateTime {
    #[inline(always)]
    fn get(v: &Value<'_>) -> Option<Self> {
        match v {
            Value::DateTime(dt) => Some(*dt),
            Value::Date(d) => Some(d.and_time(NaiveTime::MIN)),
            _ => None,
        }
    }
    fn put(self) -> Value<'static> {
        Value::DateTime(self)
    }
    fn konst(_: &Const) -> Option<Self> {
        None
    }
    fn compile(n: &Node) -> F<Self> {
        if let Some(g) = common::<NaiveDateTime>(n) {
            return g;
        }
        match &n.kind {
            Kind::Conv(Conv::DateToDateTime, x) => {
                let g = NaiveDate::compile(x);
                f(move |r| g(r).map(|d| d.and_time(NaiveTime::MIN)))
            }
            _ => bad(n),
        }
    }
}

/// Kinds that work the same for every scalar type.
fn common<T: Scalar>(n: &Node) -> Option<F<T>> {
    Some(match &n.kind {
        Kind::Const(c) => {
            let k = T::konst(c);
            f(move |_| k)
        }
        &Kind::Col { index } => f(move |r| T::get(&r.value(index))),
        Kind::If { cond, then, els } => {
            let (c, a, b) = (bool::compile(cond), T::compile(then), T::compile(els));
            f(move |r| if c(r) == Some(true) { a(r) } else { b(r) })
        }
        Kind::Builtin(Builtin::Coalesce, xs) => {
            let gs: Vec<F<T>> = xs.iter().map(T::compile).collect();
            f(move |r| gs.iter().find_map(|g| g(r)))
        }
        Kind::Builtin(Builtin::Min, xs) if xs.len() == 2 => {
            bin::<T, T, _>(&xs[0], &xs[1], |x, y| Some(if y < x { y } else { x }))
        }
        Kind::Builtin(Builtin::Max, xs) if xs.len() == 2 => {
            bin::<T, T, _>(&xs[0], &xs[1], |x, y| Some(if y > x { y } else { x }))
        }
        Kind::Call(func, xs) => {
            let call = compile_call(func, xs);
            f(move |r| T::get(&call(r)))
        }
        _ => return None,
    })
}

/// A binary operation on two operands of type `A`, giving `B`; null if
/// either operand is null.
fn bin<A: Scalar, B, G>(a: &Node, b: &Node, op: G) -> F<B>
where
    G: Fn(A, A) -> Option<B> + Send + Sync + 'static,
{
    let (fa, fb) = (A::compile(a), A::compile(b));
    f(move |r| op(fa(r)?, fb(r)?))
}

#[inline(always)]
fn kleene_and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn and2(a: F<bool>, b: F<bool>) -> F<bool> {
    f(move |r| match a(r) {
        Some(false) => Some(false),
        x => kleene_and(x, b(r)),
    })
}

fn or2(a: F<bool>, b: F<bool>) -> F<bool> {
    f(move |r| match a(r) {
        Some(true) => Some(true),
        x => match (x, b(r)) {
            (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
    })
}

/// An n-ary `and`/`or`: two operands as one closure; more as a loop that
/// stops at the first `dominant` value.
fn chain(xs: &[Node], dominant: bool, pair: fn(F<bool>, F<bool>) -> F<bool>) -> F<bool> {
    join(xs.iter().map(bool::compile).collect(), dominant, pair)
}

fn join(mut gs: Vec<F<bool>>, dominant: bool, join: fn(F<bool>, F<bool>) -> F<bool>) -> F<bool> {
    if gs.len() == 1 {
        if let Some(g) = gs.pop() {
            return g;
        }
    }
    if gs.len() == 2 {
        if let (Some(b), Some(a)) = (gs.pop(), gs.pop()) {
            return join(a, b);
        }
    }
    f(move |r| {
        let mut unknown = false;
        for g in &gs {
            match g(r) {
                Some(b) if b == dominant => return Some(dominant),
                Some(_) => {}
                None => unknown = true,
            }
        }
        if unknown {
            None
        } else {
            Some(!dominant)
        }
    })
}

fn and(xs: &[Node]) -> F<bool> {
    // Comparisons of one column with constants (`ETA >= 18 and ETA < 120`)
    // fuse into one closure that reads the column once.
    let mut fused = vec![false; xs.len()];
    let mut parts: Vec<F<bool>> = Vec::new();
    for i in 0..xs.len() {
        if fused[i] {
            continue;
        }
        if let Some((col, ty, _, _)) = col_const(&xs[i]) {
            let members: Vec<usize> = (i..xs.len())
                .filter(|&j| {
                    !fused[j] && col_const(&xs[j]).is_some_and(|(c, t, _, _)| c == col && t == ty)
                })
                .collect();
            if members.len() > 1 {
                let tests = members
                    .iter()
                    .filter_map(|&j| col_const(&xs[j]).map(|(_, _, op, c)| (op, c)));
                let g = match ty {
                    Ty::Int => fuse::<i64>(col, tests),
                    Ty::Dec => fuse::<f64>(col, tests),
                    Ty::Date => fuse::<NaiveDate>(col, tests),
                    _ => None,
                };
                if let Some(g) = g {
                    members.iter().for_each(|&j| fused[j] = true);
                    parts.push(g);
                    continue;
                }
            }
        }
        parts.push(bool::compile(&xs[i]));
    }
    join(parts, false, and2)
}

/// `column op constant` (either way round), as (column, type, op, constant).
fn col_const(n: &Node) -> Option<(usize, Ty, CmpOp, &Const)> {
    let Kind::Cmp(op, a, b) = &n.kind else {
        return None;
    };
    match (&a.kind, &b.kind) {
        (&Kind::Col { index }, Kind::Const(c)) => Some((index, a.ty, *op, c)),
        (Kind::Const(c), &Kind::Col { index }) => Some((index, b.ty, op.flip(), c)),
        _ => None,
    }
}

/// All of `tests` on one read of `col`.
fn fuse<'c, T: Scalar>(
    col: usize,
    tests: impl Iterator<Item = (CmpOp, &'c Const)>,
) -> Option<F<bool>> {
    let tests: Vec<(CmpOp, T)> = tests
        .map(|(op, c)| Some((op, T::konst(c)?)))
        .collect::<Option<_>>()?;
    if let [(op1, k1), (op2, k2)] = tests[..] {
        return Some(f(move |r| {
            let x = T::get(&r.value(col))?;
            Some(op1.apply(&x, &k1) && op2.apply(&x, &k2))
        }));
    }
    Some(f(move |r| {
        let x = T::get(&r.value(col))?;
        Some(tests.iter().all(|(op, k)| op.apply(&x, k)))
    }))
}

fn or(xs: &[Node]) -> F<bool> {
    chain(xs, true, or2)
}

/// The boolean skeleton of an expression, evaluated by a `match`.
pub(crate) enum Pred {
    And(Box<[Pred]>),
    Or(Box<[Pred]>),
    Not(Box<Pred>),
    /// `column op constant`, by type.
    Int(usize, CmpOp, i64),
    Dec(usize, CmpOp, f64),
    Date(usize, CmpOp, NaiveDate),
    Text(usize, CmpOp, Box<str>),
    Dyn(F<bool>),
}

impl Pred {
    #[inline]
    pub(crate) fn eval(&self, r: &dyn RowValues) -> Option<bool> {
        match self {
            Pred::And(xs) => {
                let mut unknown = false;
                for x in xs.iter() {
                    match x.eval(r) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown {
                    None
                } else {
                    Some(true)
                }
            }
            Pred::Or(xs) => {
                let mut unknown = false;
                for x in xs.iter() {
                    match x.eval(r) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown {
                    None
                } else {
                    Some(false)
                }
            }
            Pred::Not(x) => x.eval(r).map(|b| !b),
            &Pred::Int(col, op, k) => i64::get(&r.value(col)).map(|x| op.apply(&x, &k)),
            &Pred::Dec(col, op, k) => f64::get(&r.value(col)).map(|x| op.apply(&x, &k)),
            &Pred::Date(col, op, k) => NaiveDate::get(&r.value(col)).map(|x| op.apply(&x, &k)),
            Pred::Text(col, op, k) => match r.value(*col) {
                Value::Text(s) => Some(op.apply(&*s, &**k)),
                _ => None,
            },
            Pred::Dyn(g) => g(r),
        }
    }
}

pub(crate) fn compile_pred(n: &Node) -> Pred {
    match &n.kind {
        Kind::And(xs) => Pred::And(xs.iter().map(compile_pred).collect()),
        Kind::Or(xs) => Pred::Or(xs.iter().map(compile_pred).collect()),
        Kind::Not(x) => Pred::Not(Box::new(compile_pred(x))),
        Kind::Cmp(op, a, b) => {
            let (col, op, c) = match (&a.kind, &b.kind) {
                (&Kind::Col { index }, Kind::Const(c)) => (index, *op, c),
                (Kind::Const(c), &Kind::Col { index }) => (index, op.flip(), c),
                _ => return Pred::Dyn(bool::compile(n)),
            };
            match (a.ty, c) {
                (Ty::Int, Const::Int(k)) => Pred::Int(col, op, *k),
                (Ty::Dec, Const::Dec(k)) => Pred::Dec(col, op, *k),
                (Ty::Date, Const::Date(k)) => Pred::Date(col, op, *k),
                (Ty::Text, Const::Text(k)) => Pred::Text(col, op, k.as_str().into()),
                _ => Pred::Dyn(bool::compile(n)),
            }
        }
        _ => Pred::Dyn(bool::compile(n)),
    }
}

const EQ: u8 = 0;
const NE: u8 = 1;
const LT: u8 = 2;
const LE: u8 = 3;
const GT: u8 = 4;
const GE: u8 = 5;

#[inline(always)]
fn apply<T: PartialOrd + ?Sized, const OP: u8>(a: &T, b: &T) -> bool {
    match OP {
        EQ => a == b,
        NE => a != b,
        LT => a < b,
        LE => a <= b,
        GT => a > b,
        _ => a >= b,
    }
}

fn cmp<T: Scalar>(op: CmpOp, a: &Node, b: &Node) -> F<bool> {
    match op {
        CmpOp::Eq => cmp_op::<T, EQ>(a, b),
        CmpOp::Ne => cmp_op::<T, NE>(a, b),
        CmpOp::Lt => cmp_op::<T, LT>(a, b),
        CmpOp::Le => cmp_op::<T, LE>(a, b),
        CmpOp::Gt => cmp_op::<T, GT>(a, b),
        CmpOp::Ge => cmp_op::<T, GE>(a, b),
    }
}

fn cmp_op<T: Scalar, const OP: u8>(a: &Node, b: &Node) -> F<bool> {
    match (&a.kind, &b.kind) {
        (&Kind::Col { index }, Kind::Const(c)) => {
            let Some(k) = T::konst(c) else {
                return f(|_| None);
            };
            return f(move |r| T::get(&r.value(index)).map(|x| apply::<T, OP>(&x, &k)));
        }
        (Kind::Const(c), &Kind::Col { index }) => {
            let Some(k) = T::konst(c) else {
                return f(|_| None);
            };
            return f(move |r| T::get(&r.value(index)).map(|x| apply::<T, OP>(&k, &x)));
        }
        _ => {}
    }
    bin::<T, bool, _>(a, b, |x, y| Some(apply::<T, OP>(&x, &y)))
}

fn cmp_text(op: CmpOp, a: &Node, b: &Node) -> F<bool> {
    match op {
        CmpOp::Eq => cmp_text_op::<EQ>(a, b),
        CmpOp::Ne => cmp_text_op::<NE>(a, b),
        CmpOp::Lt => cmp_text_op::<LT>(a, b),
        CmpOp::Le => cmp_text_op::<LE>(a, b),
        CmpOp::Gt => cmp_text_op::<GT>(a, b),
        CmpOp::Ge => cmp_text_op::<GE>(a, b),
    }
}

fn cmp_text_op<const OP: u8>(a: &Node, b: &Node) -> F<bool> {
    match (&a.kind, &b.kind) {
        (&Kind::Col { index }, Kind::Const(Const::Text(k))) => {
            let k = k.clone();
            f(move |r| match r.value(index) {
                Value::Text(s) => Some(apply::<str, OP>(&s, &k)),
                _ => None,
            })
        }
        (Kind::Const(Const::Text(k)), &Kind::Col { index }) => {
            let k = k.clone();
            f(move |r| match r.value(index) {
                Value::Text(s) => Some(apply::<str, OP>(&k, &s)),
                _ => None,
            })
        }
        (_, Kind::Const(Const::Text(k))) => {
            let (g, k) = (compile_text(a), k.clone());
            f(move |r| g(r).map(|s| apply::<str, OP>(&s, &k)))
        }
        (Kind::Const(Const::Text(k)), _) => {
            let (g, k) = (compile_text(b), k.clone());
            f(move |r| g(r).map(|s| apply::<str, OP>(&k, &s)))
        }
        _ => {
            let (ga, gb) = (compile_text(a), compile_text(b));
            f(move |r| {
                let x = ga(r)?;
                let y = gb(r)?;
                Some(apply::<str, OP>(&x, &y))
            })
        }
    }
}

fn between<T: Scalar>(x: &Node, lo: &Node, hi: &Node, negated: bool) -> F<bool> {
    let (gx, glo, ghi) = (T::compile(x), T::compile(lo), T::compile(hi));
    f(move |r| {
        let v = gx(r)?;
        let inside = kleene_and(glo(r).map(|l| v >= l), ghi(r).map(|h| v <= h));
        inside.map(|b| b != negated)
    })
}

fn between_text(x: &Node, lo: &Node, hi: &Node, negated: bool) -> F<bool> {
    let (gx, glo, ghi) = (compile_text(x), compile_text(lo), compile_text(hi));
    f(move |r| {
        let v = gx(r)?;
        let inside = kleene_and(glo(r).map(|l| *v >= *l), ghi(r).map(|h| *v <= *h));
        inside.map(|b| b != negated)
    })
}

fn in_set(x: &Node, set: &ConstSet, negated: bool) -> F<bool> {
    match set.clone() {
        ConstSet::Bool(s) => {
            let g = bool::compile(x);
            f(move |r| g(r).map(|v| s.contains(&v) != negated))
        }
        ConstSet::Int(s) => {
            let g = i64::compile(x);
            f(move |r| g(r).map(|v| s.binary_search(&v).is_ok() != negated))
        }
        ConstSet::Dec(s) => {
            let g = f64::compile(x);
            f(move |r| g(r).map(|v| s.contains(&v) != negated))
        }
        ConstSet::Date(s) => {
            let g = NaiveDate::compile(x);
            f(move |r| g(r).map(|v| s.binary_search(&v).is_ok() != negated))
        }
        ConstSet::Text(s) => {
            let g = compile_text(x);
            f(
                move |r| {
                    g(r).map(|v| s.binary_search_by(|k| k.as_str().cmp(&v)).is_ok() != negated)
                },
            )
        }
    }
}

fn is_null(x: &Node, negated: bool) -> F<bool> {
    fn of<T: Scalar>(x: &Node, negated: bool) -> F<bool> {
        let g = T::compile(x);
        f(move |r| Some(g(r).is_none() != negated))
    }
    match x.ty {
        Ty::Null => f(move |_| Some(!negated)),
        Ty::Bool => of::<bool>(x, negated),
        Ty::Int => of::<i64>(x, negated),
        Ty::Dec => of::<f64>(x, negated),
        Ty::Date => of::<NaiveDate>(x, negated),
        Ty::DateTime => of::<NaiveDateTime>(x, negated),
        Ty::Text => {
            let g = compile_text(x);
            f(move |r| Some(g(r).is_none() != negated))
        }
    }
}

pub(crate) fn compile_text(n: &Node) -> TextF {
    match &n.kind {
        Kind::Const(Const::Text(s)) => {
            // Owned: a closure cannot lend its own data for the row's lifetime.
            let s = s.clone();
            tf(move |_| Some(Cow::Owned(s.clone())))
        }
        Kind::Const(_) => tf(|_| None),
        &Kind::Col { index } => tf(move |r| match r.value(index) {
            Value::Text(s) => Some(s),
            _ => None,
        }),
        Kind::If { cond, then, els } => {
            let (c, a, b) = (bool::compile(cond), compile_text(then), compile_text(els));
            tf(move |r| if c(r) == Some(true) { a(r) } else { b(r) })
        }
        Kind::Builtin(Builtin::Coalesce, xs) => {
            let gs: Vec<TextF> = xs.iter().map(compile_text).collect();
            tf(move |r| gs.iter().find_map(|g| g(r)))
        }
        Kind::Builtin(b @ (Builtin::Min | Builtin::Max), xs) if xs.len() == 2 => {
            let (ga, gb) = (compile_text(&xs[0]), compile_text(&xs[1]));
            let max = matches!(b, Builtin::Max);
            tf(move |r| {
                let x = ga(r)?;
                let y = gb(r)?;
                Some(if (max && y > x) || (!max && y < x) {
                    y
                } else {
                    x
                })
            })
        }
        Kind::Call(func, xs) => {
            let call = compile_call(func, xs);
            tf(move |r| match call(r) {
                Value::Text(s) => Some(s),
                _ => None,
            })
        }
        _ => {
            debug_assert!(false, "cannot compile {:?} as text", n.kind);
            tf(|_| None)
        }
    }
}

/// A closure giving the node's value as a [`Value`].
pub(crate) fn compile_value(n: &Node) -> ValF {
    fn of<T: Scalar>(n: &Node) -> ValF {
        let g = T::compile(n);
        vf(move |r| g(r).map_or(Value::Null, T::put))
    }
    match n.ty {
        Ty::Null => vf(|_| Value::Null),
        Ty::Bool => of::<bool>(n),
        Ty::Int => of::<i64>(n),
        Ty::Dec => of::<f64>(n),
        Ty::Date => of::<NaiveDate>(n),
        Ty::DateTime => of::<NaiveDateTime>(n),
        Ty::Text => {
            let g = compile_text(n);
            vf(move |r| g(r).map_or(Value::Null, Value::Text))
        }
    }
}

pub(crate) fn const_value(c: &Const) -> Value<'static> {
    match c {
        Const::Null => Value::Null,
        Const::Bool(b) => Value::Bool(*b),
        Const::Int(i) => Value::Int(*i),
        Const::Dec(d) => Value::Decimal(*d),
        Const::Text(s) => Value::Text(Cow::Owned(s.clone())),
        Const::Date(d) => Value::Date(*d),
    }
}

/// The value, with any text borrowed rather than copied.
fn reborrow<'a>(v: &'a Value<'_>) -> Value<'a> {
    match v {
        Value::Text(s) => Value::Text(Cow::Borrowed(s)),
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Int(i) => Value::Int(*i),
        Value::Decimal(d) => Value::Decimal(*d),
        Value::Date(d) => Value::Date(*d),
        Value::DateTime(dt) => Value::DateTime(*dt),
    }
}

enum Arg {
    Const(Value<'static>),
    Dyn(ValF),
}

/// A call of a registered function. Arguments go into a stack array (no
/// allocation); constant text arguments are lent, not copied.
fn compile_call(func: &Function, xs: &[Node]) -> CallF {
    let args: Vec<Arg> = xs
        .iter()
        .take(MAX_ARGS)
        .map(|x| match &x.kind {
            Kind::Const(c) => Arg::Const(const_value(c)),
            _ => Arg::Dyn(compile_value(x)),
        })
        .collect();
    let (eval, null_propagates, n) = (func.eval, func.null_propagates, args.len());
    Box::new(move |r| {
        let mut buf = [const { Value::Null }; MAX_ARGS];
        for (slot, a) in buf.iter_mut().zip(&args) {
            let v = match a {
                Arg::Const(v) => reborrow(v),
                Arg::Dyn(g) => g(r),
            };
            if null_propagates && v.is_null() {
                return Value::Null;
            }
            *slot = v;
        }
        eval(&buf[..n])
    })
}
