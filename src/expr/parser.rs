//! Recursive-descent parser: tokens → [`Ast`].
//!
//! Precedence, loosest first: `if … then … else …`; `or` `||`; `and` `&&`;
//! `not` `!`; comparisons, `in`, `between`, `is null` (not chainable);
//! `+ -`; `* /`; unary `-`; literals, columns, calls and parentheses.
//! `and`/`or` chains become one n-ary node, so long chains stay shallow.

use std::ops::Range;

use super::ast::{Ast, AstKind, BinOp};
use super::error::ExprError;
use super::lexer::{lex, Tok, Token};

/// Parentheses, prefix operators, calls and `if`s may nest this deep.
pub(crate) const MAX_NESTING: u32 = 64;
/// The syntax tree may be this tall (long `+` chains, for instance).
pub(crate) const MAX_HEIGHT: u32 = 128;

type R<T> = Result<T, ExprError>;

pub(crate) fn parse(src: &str) -> R<Ast> {
    let toks = lex(src)?;
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
    };
    if p.peek() == &Tok::Eof {
        return Err(ExprError::new(0..src.len(), "empty expression"));
    }
    let ast = p.expr()?;
    if p.peek() != &Tok::Eof {
        let t = p.toks[p.pos].clone();
        let mut err = ExprError::new(
            t.span.clone(),
            format!(
                "unexpected {} after the end of the expression",
                p.describe(&t)
            ),
        );
        if matches!(t.tok, Tok::Ident(_)) && matches!(ast.kind, AstKind::Column(_)) {
            err = err.with_help(format!(
                "for a column name with spaces, quote it with backticks: `{}`",
                &src[ast.span.start..t.span.end]
            ));
        } else {
            err = err.with_help("combine conditions with `and` or `or`");
        }
        return Err(err);
    }
    Ok(ast)
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    pos: usize,
    depth: u32,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].tok
    }

    fn peek2(&self) -> &Tok {
        &self.toks[(self.pos + 1).min(self.toks.len() - 1)].tok
    }

    fn span(&self) -> Range<usize> {
        self.toks[self.pos.min(self.toks.len() - 1)].span.clone()
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn describe(&self, t: &Token) -> String {
        if t.tok == Tok::Eof {
            "end of expression".to_string()
        } else {
            format!("`{}`", &self.src[t.span.clone()])
        }
    }

    fn expect(&mut self, tok: Tok, what: &str) -> R<Token> {
        if *self.peek() == tok {
            Ok(self.bump())
        } else {
            let t = self.toks[self.pos].clone();
            let msg = if t.tok == Tok::Eof {
                format!("expected {what}, but the expression ends here")
            } else {
                format!("expected {what}, found {}", self.describe(&t))
            };
            Err(ExprError::new(t.span, msg))
        }
    }

    fn node(&self, kind: AstKind, span: Range<usize>) -> R<Ast> {
        let ast = Ast::new(kind, span);
        if ast.height > MAX_HEIGHT {
            return Err(ExprError::new(ast.span, "expression nested too deeply")
                .with_help(format!("at most {MAX_HEIGHT} levels of operators")));
        }
        Ok(ast)
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ExprError::new(self.span(), "expression nested too deeply")
                .with_help(format!("at most {MAX_NESTING} levels of nesting")));
        }
        Ok(())
    }

    fn expr(&mut self) -> R<Ast> {
        self.enter()?;
        let r = self.or();
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> R<Ast> {
        let first = self.and()?;
        if *self.peek() != Tok::Or {
            return Ok(first);
        }
        let mut items = vec![first];
        while *self.peek() == Tok::Or {
            self.bump();
            items.push(self.and()?);
        }
        let span = items[0].span.start..items[items.len() - 1].span.end;
        self.node(AstKind::Or(items), span)
    }

    fn and(&mut self) -> R<Ast> {
        let first = self.not()?;
        if *self.peek() != Tok::And {
            return Ok(first);
        }
        let mut items = vec![first];
        while *self.peek() == Tok::And {
            self.bump();
            items.push(self.not()?);
        }
        let span = items[0].span.start..items[items.len() - 1].span.end;
        self.node(AstKind::And(items), span)
    }

    fn not(&mut self) -> R<Ast> {
        if *self.peek() == Tok::Not {
            let start = self.bump().span.start;
            self.enter()?;
            let inner = self.not();
            self.depth -= 1;
            let inner = inner?;
            let span = start..inner.span.end;
            return self.node(AstKind::Not(Box::new(inner)), span);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> R<Ast> {
        let lhs = self.additive()?;
        let start = lhs.span.start;
        let op = match self.peek() {
            Tok::Eq => Some(BinOp::Eq),
            Tok::Ne => Some(BinOp::Ne),
            Tok::Lt => Some(BinOp::Lt),
            Tok::Le => Some(BinOp::Le),
            Tok::Gt => Some(BinOp::Gt),
            Tok::Ge => Some(BinOp::Ge),
            _ => None,
        };
        let node = if let Some(op) = op {
            self.bump();
            let rhs = self.additive()?;
            let span = start..rhs.span.end;
            self.node(AstKind::Binary(op, Box::new(lhs), Box::new(rhs)), span)?
        } else {
            let negated =
                *self.peek() == Tok::Not && matches!(self.peek2(), Tok::In | Tok::Between);
            if negated {
                self.bump();
            }
            match self.peek() {
                Tok::In => {
                    self.bump();
                    let open = self.expect(Tok::LBrack, "a list such as ['A', 'B'] after `in`")?;
                    let mut list = Vec::new();
                    while *self.peek() != Tok::RBrack {
                        self.enter()?;
                        let item = self.additive();
                        self.depth -= 1;
                        list.push(item?);
                        if *self.peek() == Tok::Comma {
                            self.bump();
                        } else {
                            break;
                        }
                    }
                    let close = self.expect(Tok::RBrack, "`,` or `]`")?;
                    let list_span = open.span.start..close.span.end;
                    if list.is_empty() {
                        return Err(ExprError::new(list_span, "empty list")
                            .with_help("list at least one value"));
                    }
                    let span = start..close.span.end;
                    self.node(
                        AstKind::In {
                            x: Box::new(lhs),
                            list,
                            list_span,
                            negated,
                        },
                        span,
                    )?
                }
                Tok::Between => {
                    self.bump();
                    let lo = self.additive()?;
                    if *self.peek() != Tok::And {
                        let t = self.toks[self.pos].clone();
                        return Err(ExprError::new(
                            t.span.clone(),
                            format!(
                                "expected `and` in `between … and …`, found {}",
                                self.describe(&t)
                            ),
                        ));
                    }
                    self.bump();
                    let hi = self.additive()?;
                    let span = start..hi.span.end;
                    self.node(
                        AstKind::Between {
                            x: Box::new(lhs),
                            lo: Box::new(lo),
                            hi: Box::new(hi),
                            negated,
                        },
                        span,
                    )?
                }
                Tok::Is => {
                    self.bump();
                    let negated = if *self.peek() == Tok::Not {
                        self.bump();
                        true
                    } else {
                        false
                    };
                    let end = self.expect(Tok::Null, "`null` after `is`")?.span.end;
                    self.node(
                        AstKind::IsNull {
                            x: Box::new(lhs),
                            negated,
                        },
                        start..end,
                    )?
                }
                _ => return Ok(lhs),
            }
        };
        if matches!(
            self.peek(),
            Tok::Eq
                | Tok::Ne
                | Tok::Lt
                | Tok::Le
                | Tok::Gt
                | Tok::Ge
                | Tok::In
                | Tok::Between
                | Tok::Is
        ) {
            return Err(ExprError::new(self.span(), "comparisons cannot be chained")
                .with_help("write a < b and b < c, or use parentheses"));
        }
        Ok(node)
    }

    fn additive(&mut self) -> R<Ast> {
        let mut lhs = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.multiplicative()?;
            let span = lhs.span.start..rhs.span.end;
            lhs = self.node(AstKind::Binary(op, Box::new(lhs), Box::new(rhs)), span)?;
        }
    }

    fn multiplicative(&mut self) -> R<Ast> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.unary()?;
            let span = lhs.span.start..rhs.span.end;
            lhs = self.node(AstKind::Binary(op, Box::new(lhs), Box::new(rhs)), span)?;
        }
    }

    fn unary(&mut self) -> R<Ast> {
        if *self.peek() == Tok::Minus {
            let start = self.bump().span.start;
            self.enter()?;
            let inner = self.unary();
            self.depth -= 1;
            let inner = inner?;
            let span = start..inner.span.end;
            return self.node(AstKind::Neg(Box::new(inner)), span);
        }
        self.primary()
    }

    fn primary(&mut self) -> R<Ast> {
        let t = self.bump();
        let span = t.span.clone();
        let kind = match t.tok {
            Tok::Int(i) => AstKind::Int(i),
            Tok::Dec(d) => AstKind::Dec(d),
            Tok::Str(s) => AstKind::Str(s),
            Tok::Dur(n, u) => AstKind::Dur(n, u),
            Tok::True => AstKind::Bool(true),
            Tok::False => AstKind::Bool(false),
            Tok::Null => AstKind::Null,
            Tok::Quoted(name) => AstKind::Column(name),
            Tok::Ident(name) => {
                if *self.peek() != Tok::LParen {
                    AstKind::Column(name)
                } else {
                    self.bump();
                    let mut args = Vec::new();
                    while *self.peek() != Tok::RParen {
                        args.push(self.expr()?);
                        if *self.peek() == Tok::Comma {
                            self.bump();
                        } else {
                            break;
                        }
                    }
                    let close = self.expect(Tok::RParen, "`,` or `)`")?;
                    return self.node(
                        AstKind::Call {
                            name,
                            name_span: span.clone(),
                            args,
                        },
                        span.start..close.span.end,
                    );
                }
            }
            Tok::LParen => {
                let mut inner = self.expr()?;
                let close = self.expect(Tok::RParen, "`)`")?;
                // The node keeps its parentheses in its span, for messages.
                inner.span = span.start..close.span.end;
                return Ok(inner);
            }
            Tok::If => {
                self.enter()?;
                let r = self.if_rest(span.start);
                self.depth -= 1;
                return r;
            }
            Tok::LBrack => {
                return Err(ExprError::new(span, "a list can only follow `in`")
                    .with_help("write X in ['A', 'B']"));
            }
            Tok::Eof => {
                return Err(ExprError::new(span, "the expression ends too early")
                    .with_help("something is missing after the last operator"));
            }
            _ => {
                return Err(ExprError::new(
                    span.clone(),
                    format!("unexpected {}", self.describe(&t)),
                ));
            }
        };
        self.node(kind, span)
    }

    fn if_rest(&mut self, start: usize) -> R<Ast> {
        let cond = self.expr()?;
        self.expect(Tok::Then, "`then`")?;
        let then = self.expr()?;
        let els = if *self.peek() == Tok::Else {
            self.bump();
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        let end = els.as_ref().map_or(then.span.end, |e| e.span.end);
        self.node(
            AstKind::If {
                cond: Box::new(cond),
                then: Box::new(then),
                els,
            },
            start..end,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the tree fully parenthesised, to check precedence.
    fn show(a: &Ast) -> String {
        match &a.kind {
            AstKind::Int(i) => i.to_string(),
            AstKind::Dec(d) => d.to_string(),
            AstKind::Str(s) => format!("'{s}'"),
            AstKind::Bool(b) => b.to_string(),
            AstKind::Null => "null".into(),
            AstKind::Dur(n, u) => format!("{n}{u:?}"),
            AstKind::Column(c) => c.clone(),
            AstKind::Call { name, args, .. } => {
                format!(
                    "{name}({})",
                    args.iter().map(show).collect::<Vec<_>>().join(", ")
                )
            }
            AstKind::Not(x) => format!("(not {})", show(x)),
            AstKind::Neg(x) => format!("(-{})", show(x)),
            AstKind::Binary(op, l, r) => format!("({} {} {})", show(l), op.symbol(), show(r)),
            AstKind::And(xs) => format!(
                "({})",
                xs.iter().map(show).collect::<Vec<_>>().join(" and ")
            ),
            AstKind::Or(xs) => {
                format!("({})", xs.iter().map(show).collect::<Vec<_>>().join(" or "))
            }
            AstKind::In {
                x, list, negated, ..
            } => format!(
                "({} {}in [{}])",
                show(x),
                if *negated { "not " } else { "" },
                list.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            AstKind::Between { x, lo, hi, negated } => format!(
                "({} {}between {} and {})",
                show(x),
                if *negated { "not " } else { "" },
                show(lo),
                show(hi)
            ),
            AstKind::IsNull { x, negated } => {
                format!(
                    "({} is {}null)",
                    show(x),
                    if *negated { "not " } else { "" }
                )
            }
            AstKind::If { cond, then, els } => format!(
                "(if {} then {}{})",
                show(cond),
                show(then),
                els.as_ref()
                    .map_or(String::new(), |e| format!(" else {}", show(e)))
            ),
        }
    }

    fn p(src: &str) -> String {
        show(&parse(src).unwrap())
    }

    fn err(src: &str) -> ExprError {
        parse(src).unwrap_err()
    }

    #[test]
    fn precedence() {
        assert_eq!(p("a or b and c"), "(a or (b and c))");
        assert_eq!(p("a and b or c and d"), "((a and b) or (c and d))");
        assert_eq!(p("a || b && !c"), "(a or (b and (not c)))");
        assert_eq!(p("not a == b"), "(not (a == b))");
        assert_eq!(
            p("a + b * c == d - e / f"),
            "((a + (b * c)) == (d - (e / f)))"
        );
        assert_eq!(p("a - b - c"), "((a - b) - c)");
        assert_eq!(p("-a * b"), "((-a) * b)");
        assert_eq!(p("(a + b) * c"), "((a + b) * c)");
        assert_eq!(p("a and b and c"), "(a and b and c)");
        assert_eq!(
            p("x between 1 + 1 and 5 and y"),
            "((x between (1 + 1) and 5) and y)"
        );
        assert_eq!(p("x not between 1 and 5"), "(x not between 1 and 5)");
        assert_eq!(
            p("T in ['A', 'B',] or N is null"),
            "((T in ['A', 'B']) or (N is null))"
        );
        assert_eq!(p("T not in [1, -2]"), "(T not in [1, (-2)])");
        assert_eq!(
            p("N is not null and not M is null"),
            "((N is not null) and (not (M is null)))"
        );
        assert_eq!(
            p("if ETA < 18 then REDDITO == 0 else true"),
            "(if (ETA < 18) then (REDDITO == 0) else true)"
        );
        assert_eq!(p("if a then b"), "(if a then b)");
        assert_eq!(p("today() - 18y > D"), "((today() - 18Years) > D)");
        assert_eq!(
            p("`DATA FINE` >= date('2020-01-01')"),
            "(DATA FINE >= date('2020-01-01'))"
        );
        assert_eq!(p("f()"), "f()");
    }

    #[test]
    fn spans() {
        let a = parse("  ETA >= (18 + 1)").unwrap();
        assert_eq!(a.span, 2..17);
        let AstKind::Binary(_, l, r) = &a.kind else {
            panic!()
        };
        assert_eq!((l.span.clone(), r.span.clone()), (2..5, 9..17));
    }

    #[test]
    fn syntax_errors() {
        let e = err("a < b < c");
        assert_eq!(
            (e.span, e.message.as_str()),
            (6..7, "comparisons cannot be chained")
        );
        let e = err("a ==");
        assert_eq!(
            (e.span, e.message.as_str()),
            (4..4, "the expression ends too early")
        );
        let e = err("(a == b");
        assert_eq!(
            (e.span, e.message.as_str()),
            (7..7, "expected `)`, but the expression ends here")
        );
        let e = err("DATA FINE > 1");
        assert_eq!(e.span, 5..9);
        assert_eq!(
            e.help.as_deref(),
            Some("for a column name with spaces, quote it with backticks: `DATA FINE`")
        );
        let e = err("['A'] == x");
        assert_eq!(
            (e.span, e.message.as_str()),
            (0..1, "a list can only follow `in`")
        );
        let e = err("x in []");
        assert_eq!((e.span, e.message.as_str()), (5..7, "empty list"));
        let e = err("x between 1 or 2");
        assert_eq!(e.message, "expected `and` in `between … and …`, found `or`");
        let e = err("if a b");
        assert_eq!(e.message, "expected `then`, found `b`");
        let e = err("   ");
        assert_eq!(e.message, "empty expression");
        let e = err("x is 3");
        assert_eq!(e.message, "expected `null` after `is`, found `3`");
    }

    #[test]
    fn nesting_guard() {
        let ok = format!("{}x{}", "(".repeat(60), ")".repeat(60));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}x{}", "(".repeat(100), ")".repeat(100));
        let e = err(&deep);
        assert_eq!(e.message, "expression nested too deeply");
        assert_eq!(e.span, 64..65);
        let e = err(&format!("{}x", "not ".repeat(100)));
        assert_eq!(e.message, "expression nested too deeply");
        let e = err(&format!("{}x", "-".repeat(100)));
        assert_eq!(e.message, "expression nested too deeply");
        let e = err(&format!("{}x{}", "f(".repeat(100), ")".repeat(100)));
        assert_eq!(e.message, "expression nested too deeply");
        // A long flat chain is fine for `and`/`or` (n-ary), not for `+`.
        assert!(parse(&vec!["a == 1"; 1000].join(" or ")).is_ok());
        let e = err(&vec!["1"; 1000].join(" + "));
        assert_eq!(e.message, "expression nested too deeply");
    }
}
