//! The expression language of cross-field checks (`assert`, `when`).
//!
//! ```text
//! DATA_FINE >= DATA_INIZIO
//! if ETA < 18 then REDDITO == 0 else true
//! VALORE_ISEE <= 100000 and (TIPO in ['A', 'B'] or is_null(NOTE))
//! age_at(DATA_NASCITA, DATA_ISCRIZIONE) between 0 and 6
//! DATA_NASCITA <= today() - 18y
//! ```
//!
//! An expression is parsed and type-checked once, when the rules load
//! ([`compile`], [`compile_bool`]); errors carry a byte span within the
//! expression ([`ExprError`]). It is then compiled into a tree of closures
//! over column indices, evaluated per row ([`Expr::eval`]) without allocating
//! for numeric, date and boolean work.
//!
//! # Syntax
//!
//! - Literals: `42`, `1.5`, `'text'` or `"text"` (escapes `\\ \' \" \n \t`),
//!   `true`, `false`, `null`, `date('2020-01-31')`, durations `18y`, `6m`,
//!   `30d`, and lists `['A', 'B']` (only after `in`, literals only).
//! - Columns: bare (`DATA_FINE`, case-sensitive) or in backticks for names
//!   with spaces or odd characters (`` `DATA FINE` ``). Keywords are
//!   case-insensitive (`AND`, `Null`).
//! - Operators, loosest first: `if c then a else b`; `or` `||`; `and` `&&`;
//!   `not` `!` (SQL-like: `not A == B` is `not (A == B)`); comparisons
//!   `== != < <= > >=` (also `=` and `<>`), `[not] in [...]`,
//!   `[not] between a and b`, `is [not] null` (none chain); `+ -`; `* /`;
//!   unary `-`. An `else` branch that extends to the end of the text: wrap an
//!   `if` in parentheses to combine it.
//!
//! # Types
//!
//! Integers and decimals mix (the integer is promoted); `/` always gives a
//! decimal. A date compares with a date and a datetime (the date counts as
//! midnight). `date + 30`, `date - 30` move by days; `date - date` is the
//! number of days; `date ± 18y` / `6m` / `30d` move by a duration (a day that
//! does not exist in the target month clamps to its last day). Comparing text
//! with a number, or a date with text, is an error when the rules load. An
//! `if` without `else` must be boolean (the missing `else` is `true`).
//! `when`/`assert` expressions must be boolean: use [`compile_bool`].
//!
//! # Null
//!
//! A missing cell, or a cell whose value does not have the column's declared
//! type, is null. Logic is three-valued, as in SQL:
//!
//! - comparisons, arithmetic, `in`, `between` and functions with a null
//!   operand give null (`NOTE == 'x'` is null when `NOTE` is missing);
//! - `and`/`or` follow Kleene logic: `false and null` is false,
//!   `true or null` is true, `true and null` / `false or null` are null;
//!   `not null` is null;
//! - `if` takes the `else` branch when the condition is null (like SQL `CASE`);
//! - `is null`, `is not null`, `is_null(x)` and `coalesce(a, b, …)` are how to
//!   deal with missing values.
//!
//! Integer overflow, division by zero and dates out of range give null too.
//!
//! **A null `assert` means "not evaluated"**: the check is skipped for that
//! row, neither passed nor failed. So `DATA_FINE >= DATA_INIZIO` does not fail
//! a row where either date is missing; to require a value, use the field's
//! `required` constraint (or write `DATA_FINE is not null and …`). A null
//! `when` means the check does not apply.
//!
//! # Functions
//!
//! The built-in `is_null`, `coalesce`, `matches`, `date`, `today`, `abs`,
//! `round`, `min`, `max` (see [`SPECIAL_FUNCTIONS`]) and whatever the
//! [`FunctionRegistry`] holds ([`FunctionRegistry::builtin`]: `len`, `upper`,
//! `lower`, `trim`, `substr`, `starts_with`, `ends_with`, `contains`, `year`,
//! `month`, `day`, `days_between`, `age_at`; the identity toolkit adds its
//! own). `matches(X, 'regex')` must match the whole text; its pattern must be
//! a literal and is compiled when the rules load.
//!
//! # Limits
//!
//! At most 10,000 tokens, 64 levels of nesting (parentheses, prefix
//! operators, calls, `if`) and 128 levels of operators in all (`and`/`or`
//! chains count as one level however long they are). This bounds the stack
//! that compiling, evaluating and explaining need, also in debug builds.

mod ast;
mod compile;
mod error;
mod explain;
mod functions;
mod interp;
mod ir;
mod lexer;
mod parser;
mod typecheck;

use std::fmt;

use chrono::NaiveDate;

pub use error::ExprError;
pub use explain::Explanation;
pub(crate) use functions::age_at;
pub use functions::{EvalFn, ExplainFn, Function, FunctionRegistry, MAX_ARGS, SPECIAL_FUNCTIONS};

use crate::value::{RowValues, Value, ValueType};
use compile::Compiled;
use explain::Explainer;
use ir::Node;
use typecheck::Checker;

/// What an expression may refer to.
#[derive(Clone, Copy, Debug)]
pub struct Env<'a> {
    /// Columns the expression may reference: (name, column index, type).
    /// Names are case-sensitive; identifiers may be written bare
    /// (`DATA_FINE`) or quoted with backticks for names with spaces or odd
    /// characters (`` `DATA FINE` ``).
    pub columns: &'a [(String, usize, ValueType)],
    /// The date that `today()` returns (fixed per run so output is
    /// deterministic).
    pub today: NaiveDate,
    /// Extra functions (the identity toolkit registers `cf_valid`,
    /// `cf_consistent`… here).
    pub functions: &'a FunctionRegistry,
}

/// A compiled expression, ready to evaluate on rows. `Send + Sync`.
pub struct Expr {
    source: String,
    root: Node,
    compiled: Compiled,
    pred: Option<compile::Pred>,
    columns: Vec<usize>,
    ty: ValueType,
}

/// Parses, type-checks and compiles an expression.
pub fn compile(source: &str, env: &Env) -> Result<Expr, ExprError> {
    let ast = parser::parse(source)?;
    let root = Checker { env, src: source }.check(&ast)?;
    let Some(ty) = root.ty.value_type() else {
        return Err(ExprError::new(
            root.span.clone(),
            "this expression is always null",
        ));
    };
    let mut columns = Vec::new();
    root.collect_columns(&mut columns);
    columns.sort_unstable();
    columns.dedup();
    Ok(Expr {
        source: source.to_string(),
        compiled: compile::compile(&root),
        pred: (ty == ValueType::Bool).then(|| compile::compile_pred(&root)),
        root,
        columns,
        ty,
    })
}

/// The columns an expression names, each with its byte span in `source`
/// and whether it was quoted in backticks (`` `A.B` `` is a column named
/// `A.B`; a bare `isee.VALORE_ISEE` is a qualified name), in the order
/// they are written (a name written twice comes twice); the names of
/// called functions are not columns. Parses without type-checking:
/// for a caller that must know what an expression refers to before it can
/// say what those names are (a cross-source check's `anagrafe.DATA_NASCITA`,
/// resolved by `vaglio run`).
pub fn references(source: &str) -> Result<Vec<(String, std::ops::Range<usize>, bool)>, ExprError> {
    fn walk(a: &ast::Ast, out: &mut Vec<(String, std::ops::Range<usize>, bool)>) {
        use ast::AstKind as K;
        match &a.kind {
            K::Column(c) => out.push((c.clone(), a.span.clone(), false)),
            K::Int(_) | K::Dec(_) | K::Str(_) | K::Bool(_) | K::Null | K::Dur(..) => {}
            K::Call { args, .. } | K::And(args) | K::Or(args) => {
                args.iter().for_each(|x| walk(x, out))
            }
            K::Not(x) | K::Neg(x) | K::IsNull { x, .. } => walk(x, out),
            K::Binary(_, l, r) => {
                walk(l, out);
                walk(r, out);
            }
            K::In { x, list, .. } => {
                walk(x, out);
                list.iter().for_each(|y| walk(y, out));
            }
            K::Between { x, lo, hi, .. } => {
                walk(x, out);
                walk(lo, out);
                walk(hi, out);
            }
            K::If { cond, then, els } => {
                walk(cond, out);
                walk(then, out);
                if let Some(e) = els {
                    walk(e, out);
                }
            }
        }
    }
    let ast = parser::parse(source)?;
    let mut out = Vec::new();
    walk(&ast, &mut out);
    for (_, span, quoted) in &mut out {
        *quoted = source.get(span.clone()).is_some_and(|t| t.starts_with('`'));
    }
    Ok(out)
}

/// Like [`compile`], for a check (`assert`, `when`): the expression must be
/// true or false.
pub fn compile_bool(source: &str, env: &Env) -> Result<Expr, ExprError> {
    let expr = compile(source, env)?;
    if expr.ty != ValueType::Bool {
        let ty = ir::Ty::of(expr.ty);
        let mut err = ExprError::new(
            expr.root.span.clone(),
            format!(
                "this check must be true or false, but the expression is {}",
                ty.a()
            ),
        );
        err = err.with_help(match ty {
            ir::Ty::Date | ir::Ty::DateTime => "compare it, e.g. DATA_FINE >= DATA_INIZIO",
            ir::Ty::Text => "compare it, e.g. STATO == 'CHIUSO', or test it with matches(…)",
            _ => "compare it, e.g. ETA >= 18",
        });
        return Err(err);
    }
    Ok(expr)
}

impl Expr {
    /// The value of the expression on a row (null: see the module docs).
    #[inline]
    pub fn eval<'r>(&self, row: &'r dyn RowValues) -> Value<'r> {
        match &self.compiled {
            Compiled::Null => Value::Null,
            Compiled::Bool(g) => g(row).map_or(Value::Null, Value::Bool),
            Compiled::Int(g) => g(row).map_or(Value::Null, Value::Int),
            Compiled::Dec(g) => g(row).map_or(Value::Null, Value::Decimal),
            Compiled::Text(g) => g(row).map_or(Value::Null, Value::Text),
            Compiled::Date(g) => g(row).map_or(Value::Null, Value::Date),
            Compiled::DateTime(g) => g(row).map_or(Value::Null, Value::DateTime),
        }
    }

    /// For a boolean expression: `Some(true)`, `Some(false)`, or `None` for
    /// null. `None` for other expressions.
    #[inline]
    pub fn eval_bool(&self, row: &dyn RowValues) -> Option<bool> {
        match &self.compiled {
            Compiled::Bool(g) => g(row),
            _ => None,
        }
    }

    /// [`Expr::eval_bool`] computed by a `match` over an enum tree for the
    /// boolean skeleton instead of closures: for the benchmark.
    #[doc(hidden)]
    pub fn eval_bool_match_tree(&self, row: &dyn RowValues) -> Option<bool> {
        self.pred.as_ref().and_then(|p| p.eval(row))
    }

    /// The same as [`Expr::eval`], computed by walking the typed tree: the
    /// reference implementation, for tests and benchmarks.
    #[doc(hidden)]
    pub fn eval_interpreted<'r>(&self, row: &'r dyn RowValues) -> Value<'r> {
        interp::eval(&self.root, row)
    }

    /// The type of the result.
    pub fn result_type(&self) -> ValueType {
        self.ty
    }

    /// The columns the expression reads, sorted, without duplicates.
    pub fn columns(&self) -> Vec<usize> {
        self.columns.clone()
    }

    /// The expression's source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// For a row where a boolean expression came out false: which parts were
    /// false, e.g. `DATA_FINE >= DATA_INIZIO is false`. With `show_values`,
    /// the values read from the row follow each operand
    /// (`DATA_FINE (2020-01-01) >= DATA_INIZIO (2021-03-04) is false`);
    /// without, no cell value appears, only the expression's own text. A
    /// registered function's `explain` is used for its calls. The sentence
    /// is typed ([`Explanation`]): rendered in the report's language.
    pub fn explain(&self, row: &dyn RowValues, show_values: bool) -> Explanation {
        Explainer {
            src: &self.source,
            show_values,
        }
        .explain(&self.root, row)
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expr")
            .field("source", &self.source)
            .field("type", &self.ty)
            .field("columns", &self.columns)
            .finish()
    }
}

#[cfg(test)]
mod tests;
