//! The typed tree that the type checker produces and the compiler and the
//! interpreter consume. Every node's operands already have the exact types
//! its operation needs (the checker inserts conversions).

use std::ops::Range;

use chrono::NaiveDate;
use regex::Regex;

use super::functions::Function;
use crate::value::ValueType;

/// A static type: a [`ValueType`], or the type of the `null` literal
/// (compatible with every type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Null,
    Bool,
    Int,
    Dec,
    Text,
    Date,
    DateTime,
}

impl Ty {
    pub(crate) fn of(vt: ValueType) -> Ty {
        match vt {
            ValueType::Bool => Ty::Bool,
            ValueType::Int => Ty::Int,
            ValueType::Decimal => Ty::Dec,
            ValueType::Text => Ty::Text,
            ValueType::Date => Ty::Date,
            ValueType::DateTime => Ty::DateTime,
        }
    }

    pub(crate) fn value_type(self) -> Option<ValueType> {
        Some(match self {
            Ty::Null => return None,
            Ty::Bool => ValueType::Bool,
            Ty::Int => ValueType::Int,
            Ty::Dec => ValueType::Decimal,
            Ty::Text => ValueType::Text,
            Ty::Date => ValueType::Date,
            Ty::DateTime => ValueType::DateTime,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        self.value_type().map_or("null", |t| t.name())
    }

    /// "a date", "an integer".
    pub(crate) fn a(self) -> String {
        let n = self.name();
        if n.starts_with(['a', 'e', 'i', 'o', 'u']) {
            format!("an {n}")
        } else if self == Ty::Null {
            "null".to_string()
        } else {
            format!("a {n}")
        }
    }

    pub(crate) fn is_numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Dec)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Const {
    Null,
    Bool(bool),
    Int(i64),
    Dec(f64),
    Text(String),
    Date(NaiveDate),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Conv {
    IntToDec,
    DateToDateTime,
    DateTimeToDate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    IntAdd,
    IntSub,
    IntMul,
    DecAdd,
    DecSub,
    DecMul,
    DecDiv,
    /// date + integer days
    DateAddDays,
    /// date - integer days
    DateSubDays,
    /// date - date, in days
    DateDiff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator with its operands swapped (`a < b` is `b > a`).
    pub(crate) fn flip(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            op => op,
        }
    }

    #[inline(always)]
    pub(crate) fn apply<T: PartialOrd + ?Sized>(self, a: &T, b: &T) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }
}

/// The constant list on the right of `in`, sorted where the type allows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ConstSet {
    Bool(Vec<bool>),
    Int(Vec<i64>),
    Dec(Vec<f64>),
    Text(Vec<String>),
    Date(Vec<NaiveDate>),
}

#[derive(Clone, Debug)]
pub(crate) enum Builtin {
    Coalesce,
    /// `matches(text, 'regex')`; the regex is anchored at both ends.
    Matches(Box<Regex>),
    /// `date(text)` on a non-literal.
    ParseDate,
    Abs,
    Round,
    Min,
    Max,
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Const(Const),
    Col {
        index: usize,
    },
    Conv(Conv, Box<Node>),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Neg(Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    /// A date moved by a duration literal (sign already applied).
    Shift {
        x: Box<Node>,
        months: i32,
        days: i64,
    },
    /// Operands have the same type.
    Cmp(CmpOp, Box<Node>, Box<Node>),
    Between {
        x: Box<Node>,
        lo: Box<Node>,
        hi: Box<Node>,
        negated: bool,
    },
    In {
        x: Box<Node>,
        set: ConstSet,
        negated: bool,
    },
    IsNull {
        x: Box<Node>,
        negated: bool,
    },
    /// A null condition takes the `else` branch.
    If {
        cond: Box<Node>,
        then: Box<Node>,
        els: Box<Node>,
    },
    Builtin(Builtin, Vec<Node>),
    Call(Box<Function>, Vec<Node>),
}

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    pub ty: Ty,
    pub span: Range<usize>,
}

impl Node {
    pub(crate) fn children(&self) -> Vec<&Node> {
        match &self.kind {
            Kind::Const(_) | Kind::Col { .. } => vec![],
            Kind::Conv(_, x)
            | Kind::Not(x)
            | Kind::Neg(x)
            | Kind::Shift { x, .. }
            | Kind::In { x, .. }
            | Kind::IsNull { x, .. } => vec![x],
            Kind::And(xs) | Kind::Or(xs) | Kind::Builtin(_, xs) | Kind::Call(_, xs) => {
                xs.iter().collect()
            }
            Kind::Arith(_, a, b) | Kind::Cmp(_, a, b) => vec![a, b],
            Kind::Between { x, lo, hi, .. } => vec![x, lo, hi],
            Kind::If { cond, then, els } => vec![cond, then, els],
        }
    }

    /// Adds the columns this node reads to `out`.
    pub(crate) fn collect_columns(&self, out: &mut Vec<usize>) {
        if let Kind::Col { index } = self.kind {
            out.push(index);
        }
        for c in self.children() {
            c.collect_columns(out);
        }
    }

    /// Whether the node reads no column (its value is the same on every row).
    pub(crate) fn is_constant(&self) -> bool {
        !matches!(self.kind, Kind::Col { .. } | Kind::Call(..))
            && self.children().iter().all(|c| c.is_constant())
    }
}
