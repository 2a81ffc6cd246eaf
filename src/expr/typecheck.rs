//! Type checking: [`Ast`] → typed [`Node`], resolving columns and
//! functions, inserting conversions, and reporting type errors with spans.

use std::ops::Range;

use regex::RegexBuilder;

use super::ast::{Ast, AstKind, BinOp};
use super::error::ExprError;
use super::functions::{parse_iso_date, special_names, MAX_ARGS};
use super::ir::{Arith, Builtin, CmpOp, Const, ConstSet, Conv, Kind, Node, Ty};
use super::lexer::DurUnit;
use super::Env;

type R<T> = Result<T, ExprError>;

pub(crate) struct Checker<'a> {
    pub env: &'a Env<'a>,
    pub src: &'a str,
}

fn node(kind: Kind, ty: Ty, span: Range<usize>) -> Node {
    Node { kind, ty, span }
}

/// The common type of two operands, if they can meet.
fn unify(a: Ty, b: Ty) -> Option<Ty> {
    match (a, b) {
        _ if a == b => Some(a),
        (Ty::Null, t) | (t, Ty::Null) => Some(t),
        (Ty::Int, Ty::Dec) | (Ty::Dec, Ty::Int) => Some(Ty::Dec),
        (Ty::Date, Ty::DateTime) | (Ty::DateTime, Ty::Date) => Some(Ty::DateTime),
        _ => None,
    }
}

/// Converts `n` to type `to`; the caller has checked that it can.
fn coerce(n: Node, to: Ty) -> Node {
    let conv = match (n.ty, to) {
        (a, b) if a == b => return n,
        (Ty::Null, _) => {
            return node(Kind::Const(Const::Null), to, n.span);
        }
        (Ty::Int, Ty::Dec) => {
            if let Kind::Const(Const::Int(i)) = n.kind {
                return node(Kind::Const(Const::Dec(i as f64)), Ty::Dec, n.span);
            }
            Conv::IntToDec
        }
        (Ty::Date, Ty::DateTime) => Conv::DateToDateTime,
        (Ty::DateTime, Ty::Date) => Conv::DateTimeToDate,
        _ => {
            debug_assert!(false, "bad coercion {:?} -> {to:?}", n.ty);
            return node(Kind::Const(Const::Null), to, n.span);
        }
    };
    let span = n.span.clone();
    node(Kind::Conv(conv, Box::new(n)), to, span)
}

/// Whether a value of type `from` is accepted where `to` is expected.
fn accepts(to: Ty, from: Ty) -> bool {
    from == to
        || from == Ty::Null
        || matches!(
            (from, to),
            (Ty::Int, Ty::Dec) | (Ty::Date, Ty::DateTime) | (Ty::DateTime, Ty::Date)
        )
}

fn ordinal(i: usize) -> &'static str {
    [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
    ]
    .get(i)
    .copied()
    .unwrap_or("next")
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The closest candidate to `name`, if any is close enough.
pub(crate) fn suggest<'c>(
    name: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let lower = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = if c.to_lowercase() == lower {
            2.0
        } else {
            strsim::jaro_winkler(&lower, &c.to_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A column name as it must be written in an expression.
pub(crate) fn column_ref(name: &str) -> String {
    let bare = name.split('.').all(|part| {
        part.starts_with(|c: char| c.is_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_alphanumeric() || c == '_')
    }) && !matches!(
        name.to_ascii_lowercase().as_str(),
        "and"
            | "or"
            | "not"
            | "in"
            | "between"
            | "is"
            | "null"
            | "true"
            | "false"
            | "if"
            | "then"
            | "else"
    );
    if bare {
        name.to_string()
    } else {
        format!("`{name}`")
    }
}

/// (date operand, duration literal, amount, unit, subtract?)
type DurOperands<'a> = (&'a Ast, &'a Ast, i64, DurUnit, bool);

/// `date ± 18y` or `18y + date`: the operands, if this is one.
fn duration_operands<'a>(op: BinOp, la: &'a Ast, ra: &'a Ast) -> Option<DurOperands<'a>> {
    match (&la.kind, &ra.kind, op) {
        (_, AstKind::Dur(n, u), BinOp::Add | BinOp::Sub) => {
            Some((la, ra, *n, *u, op == BinOp::Sub))
        }
        (AstKind::Dur(n, u), _, BinOp::Add) => Some((ra, la, *n, *u, false)),
        _ => None,
    }
}

impl Checker<'_> {
    fn text(&self, span: &Range<usize>) -> &str {
        self.src.get(span.clone()).unwrap_or("").trim()
    }

    /// Checks a node. The recursion goes through this function only, and it
    /// keeps little on the stack: children are checked here, and the work
    /// on them is done by helpers that return before the next level.
    pub(crate) fn check(&self, a: &Ast) -> R<Node> {
        // One small function per kind of node: in debug builds a frame holds
        // every temporary of every arm, so a big match here would cost
        // kilobytes of stack per level.
        match &a.kind {
            AstKind::Not(x) | AstKind::Neg(x) | AstKind::IsNull { x, .. } => self.rec_unary(a, x),
            AstKind::Binary(op, l, r) => self.rec_binary(a, *op, l, r),
            AstKind::And(xs) | AstKind::Or(xs) => self.rec_logic(a, xs),
            AstKind::In { x, .. } => self.rec_in(a, x),
            AstKind::Between { x, lo, hi, .. } => self.rec_between(a, [x, lo, hi]),
            AstKind::If { cond, then, els } => self.rec_if(a, cond, then, els.as_deref()),
            AstKind::Call { args, .. } => self.rec_call(a, args),
            _ => self.leaf(a),
        }
    }

    #[inline(never)]
    fn rec_unary(&self, a: &Ast, x: &Ast) -> R<Node> {
        let x = self.check(x)?;
        self.unary(a, x)
    }

    #[inline(never)]
    fn rec_binary(&self, a: &Ast, op: BinOp, l: &Ast, r: &Ast) -> R<Node> {
        if let Some(d) = duration_operands(op, l, r) {
            let x = self.check(d.0)?;
            return self.shift(a, x, d);
        }
        let l = self.check(l)?;
        let r = self.check(r)?;
        self.binary(a, l, r)
    }

    #[inline(never)]
    fn rec_logic(&self, a: &Ast, xs: &[Ast]) -> R<Node> {
        let items = self.check_all(xs)?;
        self.logic(a, items)
    }

    #[inline(never)]
    fn rec_in(&self, a: &Ast, x: &Ast) -> R<Node> {
        let x = self.check(x)?;
        self.in_list(a, x)
    }

    #[inline(never)]
    fn rec_between(&self, a: &Ast, [x, lo, hi]: [&Ast; 3]) -> R<Node> {
        let x = self.check(x)?;
        let lo = self.check(lo)?;
        let hi = self.check(hi)?;
        self.between(a, [x, lo, hi])
    }

    #[inline(never)]
    fn rec_if(&self, a: &Ast, cond: &Ast, then: &Ast, els: Option<&Ast>) -> R<Node> {
        let c = self.check(cond)?;
        let t = self.check(then)?;
        let e = match els {
            Some(e) => Some(self.check(e)?),
            None => None,
        };
        self.if_node(a, c, t, e)
    }

    #[inline(never)]
    fn rec_call(&self, a: &Ast, args: &[Ast]) -> R<Node> {
        let xs = self.check_all(args)?;
        self.call(a, xs)
    }

    fn check_all(&self, xs: &[Ast]) -> R<Vec<Node>> {
        let mut out = Vec::with_capacity(xs.len());
        for x in xs {
            out.push(self.check(x)?);
        }
        Ok(out)
    }

    #[inline(never)]
    fn leaf(&self, a: &Ast) -> R<Node> {
        let span = a.span.clone();
        Ok(match &a.kind {
            AstKind::Int(i) => node(Kind::Const(Const::Int(*i)), Ty::Int, span),
            AstKind::Dec(d) => {
                if !d.is_finite() {
                    return Err(ExprError::new(span, "number too large"));
                }
                node(Kind::Const(Const::Dec(*d)), Ty::Dec, span)
            }
            AstKind::Str(s) => node(Kind::Const(Const::Text(s.clone())), Ty::Text, span),
            AstKind::Bool(b) => node(Kind::Const(Const::Bool(*b)), Ty::Bool, span),
            AstKind::Column(name) => self.column(name, span)?,
            AstKind::Dur(..) => {
                return Err(ExprError::new(
                    span,
                    "a duration such as 18y can only be added to or subtracted from a date",
                )
                .with_help("write e.g. today() - 18y"));
            }
            _ => node(Kind::Const(Const::Null), Ty::Null, span),
        })
    }

    #[inline(never)]
    fn unary(&self, a: &Ast, x: Node) -> R<Node> {
        let span = a.span.clone();
        Ok(match &a.kind {
            AstKind::Not(_) => {
                let x = self.boolean(x, "`not` needs true or false")?;
                node(Kind::Not(Box::new(x)), Ty::Bool, span)
            }
            AstKind::Neg(_) => match x.ty {
                Ty::Int | Ty::Dec => {
                    let ty = x.ty;
                    node(Kind::Neg(Box::new(x)), ty, span)
                }
                Ty::Null => node(Kind::Const(Const::Null), Ty::Null, span),
                t => return Err(ExprError::new(span, format!("cannot negate {}", t.a()))),
            },
            &AstKind::IsNull { negated, .. } => node(
                Kind::IsNull {
                    x: Box::new(x),
                    negated,
                },
                Ty::Bool,
                span,
            ),
            _ => return Err(ExprError::new(span, "internal error: not a unary operator")),
        })
    }

    #[inline(never)]
    fn binary(&self, a: &Ast, l: Node, r: Node) -> R<Node> {
        let AstKind::Binary(op, la, ra) = &a.kind else {
            return Err(ExprError::new(
                a.span.clone(),
                "internal error: not a binary operator",
            ));
        };
        if op.is_comparison() {
            self.comparison(*op, la, l, ra, r, a.span.clone())
        } else {
            self.arithmetic(*op, l, r, a.span.clone())
        }
    }

    #[inline(never)]
    fn logic(&self, a: &Ast, items: Vec<Node>) -> R<Node> {
        let is_and = matches!(a.kind, AstKind::And(_));
        let what = if is_and {
            "`and` needs true or false on both sides"
        } else {
            "`or` needs true or false on both sides"
        };
        let items = items
            .into_iter()
            .map(|x| self.boolean(x, what))
            .collect::<R<Vec<_>>>()?;
        let kind = if is_and {
            Kind::And(items)
        } else {
            Kind::Or(items)
        };
        Ok(node(kind, Ty::Bool, a.span.clone()))
    }

    #[inline(never)]
    fn between(&self, a: &Ast, [xn, lon, hin]: [Node; 3]) -> R<Node> {
        let AstKind::Between { x, lo, hi, negated } = &a.kind else {
            return Err(ExprError::new(
                a.span.clone(),
                "internal error: not between",
            ));
        };
        let span = a.span.clone();
        let t1 = self.comparable(x, &xn, lo, &lon, "between", &span)?;
        let t2 = self.comparable(x, &xn, hi, &hin, "between", &span)?;
        // With a null-typed value, each bound unifies alone: the two bounds
        // must still meet each other.
        let Some(t) = unify(t1, t2) else {
            return Err(ExprError::new(
                hi.span.clone(),
                format!(
                    "the bounds of `between` must have one type, not {} and {}",
                    t1.a(),
                    t2.a()
                ),
            ));
        };
        Ok(node(
            Kind::Between {
                x: Box::new(coerce(xn, t)),
                lo: Box::new(coerce(lon, t)),
                hi: Box::new(coerce(hin, t)),
                negated: *negated,
            },
            Ty::Bool,
            span,
        ))
    }

    #[inline(never)]
    fn if_node(&self, a: &Ast, cond: Node, then: Node, els: Option<Node>) -> R<Node> {
        let span = a.span.clone();
        let cond = self.boolean(cond, "the condition of `if` must be true or false")?;
        let els = match els {
            Some(e) => e,
            None => {
                if !matches!(then.ty, Ty::Bool | Ty::Null) {
                    return Err(ExprError::new(
                        span,
                        format!(
                            "an `if` without `else` must give true or false, but this gives {}",
                            then.ty.a()
                        ),
                    )
                    .with_help("add `else …`"));
                }
                node(
                    Kind::Const(Const::Bool(true)),
                    Ty::Bool,
                    then.span.end..then.span.end,
                )
            }
        };
        let Some(t) = unify(then.ty, els.ty) else {
            return Err(ExprError::new(
                els.span.clone(),
                format!(
                    "the `then` branch gives {} but the `else` branch gives {}",
                    then.ty.a(),
                    els.ty.a()
                ),
            )
            .with_help("both branches must give the same type"));
        };
        Ok(node(
            Kind::If {
                cond: Box::new(cond),
                then: Box::new(coerce(then, t)),
                els: Box::new(coerce(els, t)),
            },
            t,
            span,
        ))
    }

    fn boolean(&self, n: Node, what: &str) -> R<Node> {
        match n.ty {
            Ty::Bool => Ok(n),
            Ty::Null => Ok(coerce(n, Ty::Bool)),
            t => Err(ExprError::new(
                n.span.clone(),
                format!("{what}, but this is {}", t.a()),
            )),
        }
    }

    fn column(&self, name: &str, span: Range<usize>) -> R<Node> {
        if let Some((_, index, vt)) = self.env.columns.iter().find(|(n, _, _)| n == name) {
            return Ok(node(Kind::Col { index: *index }, Ty::of(*vt), span));
        }
        let err = ExprError::new(span, format!("unknown column `{name}`"));
        let names = self.env.columns.iter().map(|(n, _, _)| n.as_str());
        if let Some(s) = suggest(name, names) {
            return Err(err.with_help(format!("did you mean {}?", column_ref(s))));
        }
        if self.is_function(name) {
            return Err(err.with_help(format!("{name} is a function: write {name}(…)")));
        }
        let mut known: Vec<String> = self
            .env
            .columns
            .iter()
            .take(12)
            .map(|(n, _, _)| column_ref(n))
            .collect();
        if known.is_empty() {
            return Err(err.with_help("no columns are available here"));
        }
        if self.env.columns.len() > known.len() {
            known.push("…".into());
        }
        Err(err.with_help(format!("known columns: {}", known.join(", "))))
    }

    fn is_function(&self, name: &str) -> bool {
        special_names().any(|n| n == name) || self.env.functions.get(name).is_some()
    }

    /// The type two operands are compared at, or an error that points at
    /// the offending one.
    fn comparable(
        &self,
        la: &Ast,
        l: &Node,
        ra: &Ast,
        r: &Node,
        op: &str,
        span: &Range<usize>,
    ) -> R<Ty> {
        for (a, other) in [(la, ra), (ra, la)] {
            if a.kind == AstKind::Null {
                let help = if op == "!=" {
                    format!("write {} is not null", self.text(&other.span))
                } else {
                    format!("write {} is null", self.text(&other.span))
                };
                return Err(ExprError::new(
                    a.span.clone(),
                    format!("comparing with null with `{op}` never gives true or false"),
                )
                .with_help(help));
            }
        }
        let Some(t) = unify(l.ty, r.ty) else {
            // Point at a literal if there is one: it is usually the mistake.
            let (lit, lit_node, other) = if matches!(r.kind, Kind::Const(_)) {
                (ra, r, l)
            } else {
                (la, l, r)
            };
            let target = if matches!(l.kind, Kind::Const(_)) || matches!(r.kind, Kind::Const(_)) {
                lit.span.clone()
            } else {
                span.clone()
            };
            let mut err = ExprError::new(
                target,
                format!("cannot compare {} with {}", l.ty.a(), r.ty.a()),
            );
            if let Some(h) = self.literal_help(other.ty, lit, lit_node, self.text(&other.span), op)
            {
                err = err.with_help(h);
            }
            return Err(err);
        };
        if t == Ty::Null {
            return Err(ExprError::new(
                span.clone(),
                "this comparison is always null",
            ));
        }
        if t == Ty::Bool && !matches!(op, "==" | "!=") {
            return Err(ExprError::new(
                span.clone(),
                "true/false values can only be compared with == or !=",
            ));
        }
        Ok(t)
    }

    /// Help for a literal of the wrong type next to a value of type `want`.
    fn literal_help(
        &self,
        want: Ty,
        lit: &Ast,
        lit_node: &Node,
        other: &str,
        op: &str,
    ) -> Option<String> {
        let Kind::Const(_) = lit_node.kind else {
            return match (want, lit_node.ty) {
                (Ty::Date | Ty::DateTime, Ty::Text) | (Ty::Text, Ty::Date | Ty::DateTime) => {
                    Some("convert text to a date with date(…)".into())
                }
                _ => None,
            };
        };
        match (&lit.kind, want) {
            (AstKind::Str(s), Ty::Date | Ty::DateTime) => Some(if parse_iso_date(s).is_some() {
                format!("compare a date with a date: write {other} {op} date('{s}')")
            } else {
                "write a date as date('YYYY-MM-DD')".to_string()
            }),
            (AstKind::Str(s), Ty::Int | Ty::Dec) if s.trim().parse::<f64>().is_ok() => {
                Some(format!(
                    "compare a number with a number: write {} without quotes",
                    s.trim()
                ))
            }
            (AstKind::Int(_) | AstKind::Dec(_), Ty::Text) => Some(format!(
                "{other} is a string: compare it with a string, e.g. '{}'",
                self.text(&lit.span)
            )),
            (AstKind::Int(_) | AstKind::Dec(_), Ty::Date) => Some(format!(
                "compare a date with a date, e.g. {other} {op} date('2020-01-01')"
            )),
            _ => None,
        }
    }

    fn comparison(
        &self,
        op: BinOp,
        la: &Ast,
        l: Node,
        ra: &Ast,
        r: Node,
        span: Range<usize>,
    ) -> R<Node> {
        let t = self.comparable(la, &l, ra, &r, op.symbol(), &span)?;
        let op = match op {
            BinOp::Eq => CmpOp::Eq,
            BinOp::Ne => CmpOp::Ne,
            BinOp::Lt => CmpOp::Lt,
            BinOp::Le => CmpOp::Le,
            BinOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        Ok(node(
            Kind::Cmp(op, Box::new(coerce(l, t)), Box::new(coerce(r, t))),
            Ty::Bool,
            span,
        ))
    }

    /// `(months, days)` of a duration literal, negated for subtraction.
    fn duration(&self, a: &Ast, n: i64, unit: DurUnit, negate: bool) -> R<(i32, i64)> {
        let too_big = || ExprError::new(a.span.clone(), "duration too large");
        let n = if negate {
            n.checked_neg().ok_or_else(too_big)?
        } else {
            n
        };
        Ok(match unit {
            DurUnit::Years => (
                n.checked_mul(12)
                    .and_then(|m| i32::try_from(m).ok())
                    .ok_or_else(too_big)?,
                0,
            ),
            DurUnit::Months => (i32::try_from(n).map_err(|_| too_big())?, 0),
            DurUnit::Days => (0, n),
        })
    }

    #[inline(never)]
    fn shift(&self, a: &Ast, x: Node, (_, dur_ast, n, unit, negate): DurOperands<'_>) -> R<Node> {
        let span = a.span.clone();
        let (months, days) = self.duration(dur_ast, n, unit, negate)?;
        match x.ty {
            Ty::Date | Ty::Null => Ok(node(
                Kind::Shift {
                    x: Box::new(coerce(x, Ty::Date)),
                    months,
                    days,
                },
                Ty::Date,
                span,
            )),
            Ty::DateTime => Err(ExprError::new(
                x.span.clone(),
                "durations apply to dates, not datetimes",
            )
            .with_help(format!("take the date part: date({})", self.text(&x.span)))),
            t => Err(ExprError::new(
                x.span.clone(),
                format!(
                    "a duration can only be added to or subtracted from a date, but this is {}",
                    t.a()
                ),
            )),
        }
    }

    #[inline(never)]
    fn arithmetic(&self, op: BinOp, l: Node, r: Node, span: Range<usize>) -> R<Node> {
        // A null literal takes the other side's type (days, next to a date).
        let (lt, rt) = match (l.ty, r.ty) {
            (Ty::Null, Ty::Null) => return Ok(node(Kind::Const(Const::Null), Ty::Null, span)),
            (Ty::Null, Ty::Date) | (Ty::Date, Ty::Null) if op != BinOp::Sub || r.ty == Ty::Null => {
                if l.ty == Ty::Null {
                    (Ty::Int, Ty::Date)
                } else {
                    (Ty::Date, Ty::Int)
                }
            }
            (Ty::Null, t) => (t, t),
            (t, Ty::Null) => (t, t),
            ts => ts,
        };
        let arith = |a: Arith, ta: Ty, tb: Ty, ty: Ty, l: Node, r: Node| {
            node(
                Kind::Arith(a, Box::new(coerce(l, ta)), Box::new(coerce(r, tb))),
                ty,
                span.clone(),
            )
        };
        use Ty::{Date, Dec, Int};
        Ok(match (op, lt, rt) {
            (BinOp::Add, Int, Int) => arith(Arith::IntAdd, Int, Int, Int, l, r),
            (BinOp::Sub, Int, Int) => arith(Arith::IntSub, Int, Int, Int, l, r),
            (BinOp::Mul, Int, Int) => arith(Arith::IntMul, Int, Int, Int, l, r),
            (BinOp::Div, a, b) if a.is_numeric() && b.is_numeric() => {
                arith(Arith::DecDiv, Dec, Dec, Dec, l, r)
            }
            (op, a, b) if a.is_numeric() && b.is_numeric() => {
                let a = match op {
                    BinOp::Add => Arith::DecAdd,
                    BinOp::Sub => Arith::DecSub,
                    _ => Arith::DecMul,
                };
                arith(a, Dec, Dec, Dec, l, r)
            }
            (BinOp::Add, Date, Int) => arith(Arith::DateAddDays, Date, Int, Date, l, r),
            (BinOp::Add, Int, Date) => arith(Arith::DateAddDays, Date, Int, Date, r, l),
            (BinOp::Sub, Date, Int) => arith(Arith::DateSubDays, Date, Int, Date, l, r),
            (BinOp::Sub, Date, Date) => arith(Arith::DateDiff, Date, Date, Int, l, r),
            (op, a, b) => {
                let verb = match op {
                    BinOp::Add => "add",
                    BinOp::Sub => "subtract",
                    BinOp::Mul => "multiply",
                    _ => "divide",
                };
                let mut err =
                    ExprError::new(span, format!("cannot {verb} {} and {}", a.a(), b.a()));
                if a == Ty::DateTime || b == Ty::DateTime {
                    err = err.with_help(
                        "date arithmetic works on dates: take the date part with date(…)",
                    );
                } else if a == Ty::Text && b == Ty::Text {
                    err = err.with_help("+ - * / work on numbers");
                } else if a == Date && b == Date {
                    err = err.with_help("subtract two dates to get the days between them");
                } else if a == Date || b == Date {
                    err = err.with_help(
                        "add or subtract days (an integer) or a duration such as 18y, 6m, 30d",
                    );
                }
                return Err(err);
            }
        })
    }

    /// A constant for a list item.
    fn list_item(&self, a: &Ast) -> R<Const> {
        Ok(match &a.kind {
            AstKind::Int(i) => Const::Int(*i),
            AstKind::Dec(d) if d.is_finite() => Const::Dec(*d),
            AstKind::Str(s) => Const::Text(s.clone()),
            AstKind::Bool(b) => Const::Bool(*b),
            AstKind::Neg(x) => match x.kind {
                AstKind::Int(i) => Const::Int(-i),
                AstKind::Dec(d) if d.is_finite() => Const::Dec(-d),
                _ => return Err(self.not_literal(a)),
            },
            AstKind::Call { name, args, .. } if name == "date" && args.len() == 1 => {
                let n = self.check(a)?;
                match n.kind {
                    Kind::Const(c) => c,
                    _ => return Err(self.not_literal(a)),
                }
            }
            AstKind::Null => {
                return Err(
                    ExprError::new(a.span.clone(), "null in a list never matches")
                        .with_help("test for a missing value with `is null`"),
                );
            }
            _ => return Err(self.not_literal(a)),
        })
    }

    fn not_literal(&self, a: &Ast) -> ExprError {
        ExprError::new(a.span.clone(), "a list may only contain literal values")
            .with_help("such as 'A', 3, 1.5 or date('2020-01-31')")
    }

    #[inline(never)]
    fn in_list(&self, a: &Ast, x: Node) -> R<Node> {
        let AstKind::In { list, negated, .. } = &a.kind else {
            return Err(ExprError::new(a.span.clone(), "internal error: not in"));
        };
        let (negated, span) = (*negated, a.span.clone());
        if x.ty == Ty::Null {
            return Err(ExprError::new(x.span.clone(), "null is never in a list")
                .with_help("test for a missing value with `is null`"));
        }
        let items = list
            .iter()
            .map(|a| Ok((self.list_item(a)?, a)))
            .collect::<R<Vec<_>>>()?;
        let item_ty = |c: &Const| match c {
            Const::Null => Ty::Null,
            Const::Bool(_) => Ty::Bool,
            Const::Int(_) => Ty::Int,
            Const::Dec(_) => Ty::Dec,
            Const::Text(_) => Ty::Text,
            Const::Date(_) => Ty::Date,
        };
        // The type the test is done at.
        let mut t = x.ty;
        if t == Ty::DateTime {
            return Err(
                ExprError::new(x.span.clone(), "`in` does not work on datetimes")
                    .with_help(format!("take the date part: date({})", self.text(&x.span))),
            );
        }
        for (c, a) in &items {
            let it = item_ty(c);
            match unify(t, it) {
                Some(u) if u != Ty::DateTime => t = u,
                _ => {
                    let mut err = ExprError::new(
                        a.span.clone(),
                        format!(
                            "{} is {}, but this is {}",
                            self.text(&x.span),
                            x.ty.a(),
                            it.a()
                        ),
                    );
                    let lit_node = node(Kind::Const(c.clone()), it, a.span.clone());
                    if let Some(h) = self.literal_help(x.ty, a, &lit_node, self.text(&x.span), "==")
                    {
                        err = err
                            .with_help(h.replace(" == ", " in ").replace("write ", "write e.g. "));
                    }
                    return Err(err);
                }
            }
        }
        let consts = items.into_iter().map(|(c, _)| c);
        let set = match t {
            Ty::Bool => ConstSet::Bool(
                consts
                    .filter_map(|c| {
                        if let Const::Bool(b) = c {
                            Some(b)
                        } else {
                            None
                        }
                    })
                    .collect(),
            ),
            Ty::Int => {
                let mut v: Vec<i64> = consts
                    .filter_map(|c| if let Const::Int(i) = c { Some(i) } else { None })
                    .collect();
                v.sort_unstable();
                v.dedup();
                ConstSet::Int(v)
            }
            Ty::Dec => ConstSet::Dec(
                consts
                    .filter_map(|c| match c {
                        Const::Int(i) => Some(i as f64),
                        Const::Dec(d) => Some(d),
                        _ => None,
                    })
                    .collect(),
            ),
            Ty::Text => {
                let mut v: Vec<String> = consts
                    .filter_map(|c| {
                        if let Const::Text(s) = c {
                            Some(s)
                        } else {
                            None
                        }
                    })
                    .collect();
                v.sort_unstable();
                v.dedup();
                ConstSet::Text(v)
            }
            _ => {
                let mut v: Vec<_> = consts
                    .filter_map(|c| {
                        if let Const::Date(d) = c {
                            Some(d)
                        } else {
                            None
                        }
                    })
                    .collect();
                v.sort_unstable();
                v.dedup();
                ConstSet::Date(v)
            }
        };
        Ok(node(
            Kind::In {
                x: Box::new(coerce(x, t)),
                set,
                negated,
            },
            Ty::Bool,
            span,
        ))
    }

    fn arity(
        &self,
        name: &str,
        args: &[Ast],
        min: usize,
        max: usize,
        span: &Range<usize>,
    ) -> R<()> {
        if args.len() < min || args.len() > max {
            let expected = if min == max {
                plural(min, "argument")
            } else if max == usize::MAX {
                format!("at least {}", plural(min, "argument"))
            } else {
                format!("{min} to {max} arguments")
            };
            let given = if args.len() == 1 {
                "1 was given".to_string()
            } else {
                format!("{} were given", args.len())
            };
            return Err(ExprError::new(
                span.clone(),
                format!("{name} takes {expected}, but {given}"),
            ));
        }
        Ok(())
    }

    fn arg(&self, n: Node, want: Ty, fname: &str, i: usize) -> R<Node> {
        if accepts(want, n.ty) {
            return Ok(coerce(n, want));
        }
        Err(ExprError::new(
            n.span.clone(),
            format!(
                "the {} argument of {fname} must be {}, but this is {}",
                ordinal(i),
                want.a(),
                n.ty.a()
            ),
        ))
    }

    #[inline(never)]
    fn call(&self, a: &Ast, mut xs: Vec<Node>) -> R<Node> {
        let AstKind::Call {
            name,
            name_span,
            args,
        } = &a.kind
        else {
            return Err(ExprError::new(a.span.clone(), "internal error: not a call"));
        };
        let (name, name_span, args, span) = (
            name.as_str(),
            name_span.clone(),
            args.as_slice(),
            a.span.clone(),
        );
        let take_first = |xs: &mut Vec<Node>, span: &Range<usize>| {
            if xs.is_empty() {
                Err(ExprError::new(
                    span.clone(),
                    "internal error: missing argument",
                ))
            } else {
                Ok(xs.remove(0))
            }
        };
        match name {
            "is_null" => {
                self.arity(name, args, 1, 1, &span)?;
                let x = take_first(&mut xs, &span)?;
                return Ok(node(
                    Kind::IsNull {
                        x: Box::new(x),
                        negated: false,
                    },
                    Ty::Bool,
                    span,
                ));
            }
            "coalesce" | "min" | "max" => {
                if name == "coalesce" {
                    self.arity(name, args, 1, usize::MAX, &span)?;
                } else {
                    self.arity(name, args, 2, 2, &span)?;
                }
                let mut t = Ty::Null;
                for x in &xs {
                    t = unify(t, x.ty).ok_or_else(|| {
                        ExprError::new(
                            x.span.clone(),
                            format!("the arguments of {name} must have the same type, but this is {} and an earlier one is {}", x.ty.a(), t.a()),
                        )
                    })?;
                }
                if name != "coalesce" && t == Ty::Bool {
                    return Err(ExprError::new(
                        span,
                        format!("{name} works on numbers, dates and strings"),
                    ));
                }
                let b = match name {
                    "coalesce" => Builtin::Coalesce,
                    "min" => Builtin::Min,
                    _ => Builtin::Max,
                };
                let xs = xs.into_iter().map(|x| coerce(x, t)).collect();
                return Ok(node(Kind::Builtin(b, xs), t, span));
            }
            "matches" => {
                self.arity(name, args, 2, 2, &span)?;
                let x = take_first(&mut xs, &span)?;
                let x = self.arg(x, Ty::Text, name, 0)?;
                let AstKind::Str(pat) = &args[1].kind else {
                    return Err(ExprError::new(
                        args[1].span.clone(),
                        "the pattern of matches must be a string literal",
                    )
                    .with_help("write e.g. matches(CAP, '[0-9]{5}')"));
                };
                // The pattern alone first (so that errors describe what was
                // written), then anchored at both ends.
                let build = |p: &str| RegexBuilder::new(p).size_limit(1 << 20).build();
                let re = build(pat)
                    .and_then(|_| build(&format!("^(?:{pat})$")))
                    .map_err(|e| {
                        let detail = match &e {
                            regex::Error::Syntax(s) => s
                                .lines()
                                .find_map(|l| l.strip_prefix("error: "))
                                .unwrap_or("syntax error")
                                .to_string(),
                            regex::Error::CompiledTooBig(_) => "the pattern is too big".to_string(),
                            _ => e.to_string(),
                        };
                        ExprError::new(
                            args[1].span.clone(),
                            format!("invalid regular expression: {detail}"),
                        )
                    })?;
                return Ok(node(
                    Kind::Builtin(Builtin::Matches(Box::new(re)), vec![x]),
                    Ty::Bool,
                    span,
                ));
            }
            "date" => {
                self.arity(name, args, 1, 1, &span)?;
                if let AstKind::Str(s) = &args[0].kind {
                    let Some(d) = parse_iso_date(s) else {
                        return Err(ExprError::new(
                            args[0].span.clone(),
                            format!("'{s}' is not a valid date"),
                        )
                        .with_help("write dates as YYYY-MM-DD, e.g. date('2020-01-31')"));
                    };
                    return Ok(node(Kind::Const(Const::Date(d)), Ty::Date, span));
                }
                let x = take_first(&mut xs, &span)?;
                return match x.ty {
                    Ty::Text => Ok(node(
                        Kind::Builtin(Builtin::ParseDate, vec![x]),
                        Ty::Date,
                        span,
                    )),
                    Ty::Date | Ty::DateTime | Ty::Null => {
                        let mut n = coerce(x, Ty::Date);
                        n.span = span;
                        Ok(n)
                    }
                    t => Err(ExprError::new(
                        x.span.clone(),
                        format!("date needs a string or a datetime, but this is {}", t.a()),
                    )),
                };
            }
            "today" => {
                self.arity(name, args, 0, 0, &span)?;
                return Ok(node(
                    Kind::Const(Const::Date(self.env.today)),
                    Ty::Date,
                    span,
                ));
            }
            "abs" => {
                self.arity(name, args, 1, 1, &span)?;
                let x = take_first(&mut xs, &span)?;
                let t = match x.ty {
                    Ty::Null => Ty::Int,
                    t if t.is_numeric() => t,
                    t => {
                        return Err(ExprError::new(
                            x.span.clone(),
                            format!("abs needs a number, but this is {}", t.a()),
                        ))
                    }
                };
                return Ok(node(
                    Kind::Builtin(Builtin::Abs, vec![coerce(x, t)]),
                    t,
                    span,
                ));
            }
            "round" => {
                self.arity(name, args, 1, 2, &span)?;
                let mut xs = xs.into_iter();
                let (Some(x), digits) = (xs.next(), xs.next()) else {
                    return Err(ExprError::new(span, "round needs a number"));
                };
                if !accepts(Ty::Dec, x.ty) {
                    return Err(ExprError::new(
                        x.span.clone(),
                        format!("round needs a number, but this is {}", x.ty.a()),
                    ));
                }
                let x = coerce(x, Ty::Dec);
                let digits = match digits {
                    Some(d) => self.arg(d, Ty::Int, name, 1)?,
                    None => node(Kind::Const(Const::Int(0)), Ty::Int, span.end..span.end),
                };
                return Ok(node(
                    Kind::Builtin(Builtin::Round, vec![x, digits]),
                    Ty::Dec,
                    span,
                ));
            }
            _ => {}
        }
        let Some(f) = self.env.functions.get(name) else {
            let mut err = ExprError::new(name_span, format!("unknown function `{name}`"));
            let names = special_names().chain(self.env.functions.iter().map(|f| f.name));
            if let Some(s) = suggest(name, names) {
                err = err.with_help(format!("did you mean {s}?"));
            } else if self.env.columns.iter().any(|(c, _, _)| c == name) {
                err = err.with_help(format!("{name} is a column: remove the parentheses"));
            }
            return Err(err);
        };
        let total = f.params.len() + f.optional.len();
        if total > MAX_ARGS {
            return Err(ExprError::new(
                name_span,
                format!("function {name} declares more than {MAX_ARGS} parameters"),
            ));
        }
        self.arity(name, args, f.params.len(), total, &span)?;
        let xs = xs
            .into_iter()
            .zip(f.params.iter().chain(&f.optional))
            .enumerate()
            .map(|(i, (x, want))| self.arg(x, Ty::of(*want), name, i))
            .collect::<R<Vec<_>>>()?;
        Ok(node(
            Kind::Call(Box::new(f.clone()), xs),
            Ty::of(f.returns),
            span,
        ))
    }
}
