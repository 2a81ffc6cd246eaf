//! The untyped syntax tree, as the parser produces it.

use std::ops::Range;

use super::lexer::DurUnit;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }

    pub(crate) fn is_comparison(self) -> bool {
        !matches!(self, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum AstKind {
    Int(i64),
    Dec(f64),
    Str(String),
    Bool(bool),
    Null,
    Dur(i64, DurUnit),
    Column(String),
    Call {
        name: String,
        name_span: Range<usize>,
        args: Vec<Ast>,
    },
    Not(Box<Ast>),
    Neg(Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
    And(Vec<Ast>),
    Or(Vec<Ast>),
    In {
        x: Box<Ast>,
        list: Vec<Ast>,
        list_span: Range<usize>,
        negated: bool,
    },
    Between {
        x: Box<Ast>,
        lo: Box<Ast>,
        hi: Box<Ast>,
        negated: bool,
    },
    IsNull {
        x: Box<Ast>,
        negated: bool,
    },
    If {
        cond: Box<Ast>,
        then: Box<Ast>,
        els: Option<Box<Ast>>,
    },
}

/// A node of the syntax tree: what it is, where it is, and how tall the tree
/// below it is (for the nesting guard).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ast {
    pub kind: AstKind,
    pub span: Range<usize>,
    pub height: u32,
}

impl Ast {
    /// Builds a node, computing its height from its children.
    pub(crate) fn new(kind: AstKind, span: Range<usize>) -> Ast {
        let child = |a: &Ast| a.height;
        let below = match &kind {
            AstKind::Int(_)
            | AstKind::Dec(_)
            | AstKind::Str(_)
            | AstKind::Bool(_)
            | AstKind::Null
            | AstKind::Dur(..)
            | AstKind::Column(_) => 0,
            AstKind::Call { args, .. } | AstKind::And(args) | AstKind::Or(args) => {
                args.iter().map(child).max().unwrap_or(0)
            }
            AstKind::Not(x) | AstKind::Neg(x) | AstKind::IsNull { x, .. } => x.height,
            AstKind::Binary(_, a, b) => a.height.max(b.height),
            AstKind::In { x, list, .. } => list.iter().map(child).fold(x.height, u32::max),
            AstKind::Between { x, lo, hi, .. } => x.height.max(lo.height).max(hi.height),
            AstKind::If { cond, then, els } => cond
                .height
                .max(then.height)
                .max(els.as_ref().map_or(0, |e| e.height)),
        };
        Ast {
            kind,
            span,
            height: below + 1,
        }
    }
}
