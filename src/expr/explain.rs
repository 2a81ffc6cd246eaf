//! Why a boolean expression came out false on a row: [`Explanation`], the
//! sentence a failing `assert` (VG301) or cross-source check (VG302)
//! reports, built by walking the typed tree with the interpreter.
//!
//! The expression's own text, and the values read from the row when they
//! may be shown, are kept verbatim in both languages; only the words around
//! them are vaglio's.

use std::fmt;

use super::interp::eval;
use super::ir::{Kind, Node};
use crate::messages::{write_joined, In, Lang, Said, Sentence};
use crate::value::{RowValues, Value, ValueType};

/// Why an expression has the value it has on a row, as a sentence: for a
/// false check, which of its parts were false. Each text is a part of the
/// expression as written, followed (with values) by what the row holds:
/// `DATA_FINE (2020-01-01) >= DATA_INIZIO (2021-03-04)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Explanation {
    /// `TEXT is false`.
    False(String),
    /// `TEXT is true` (the operand of a false `not`).
    True(String),
    /// `TEXT is null, so it was not evaluated`.
    Null(String),
    /// `TEXT is VALUE`: an expression that is not true or false, with the
    /// value shown.
    Value {
        /// The expression.
        text: String,
        /// Its value, as written in an explanation (text quoted).
        value: String,
    },
    /// `TEXT is TYPE`: an expression that is not true or false, its value
    /// not shown.
    OfType {
        /// The expression.
        text: String,
        /// The value's type (`None`: null).
        ty: Option<ValueType>,
    },
    /// `COND is true, so …`: an `if` whose condition held and whose `then`
    /// branch is false.
    So {
        /// The condition.
        cond: String,
        /// Why the branch is false.
        then: Box<Explanation>,
    },
    /// The false parts of an `and`, joined by `; `.
    Each(Vec<Explanation>),
    /// The parts of an `or`, all false, joined by `and`.
    All(Vec<Explanation>),
    /// What a registered function says about its false call
    /// ([`super::ExplainFn`]).
    Call(Said),
}

/// English, as `findings.csv` and the terminal carry it.
impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.en(f)
    }
}

impl Sentence for Explanation {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Explanation::False(t) => write!(f, "{t} is false"),
            Explanation::True(t) => write!(f, "{t} is true"),
            Explanation::Null(t) => write!(f, "{t} is null, so it was not evaluated"),
            Explanation::Value { text, value } => write!(f, "{text} is {value}"),
            Explanation::OfType { text, ty } => {
                write!(f, "{text} is {}", ty.map_or("null", ValueType::name))
            }
            Explanation::So { cond, then } => {
                write!(f, "{cond} is true, so ")?;
                then.en(f)
            }
            Explanation::Each(parts) => write_joined(f, parts, "; ", Lang::En),
            Explanation::All(parts) => write_joined(f, parts, " and ", Lang::En),
            Explanation::Call(said) => said.en(f),
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Explanation::False(t) => write!(f, "{t} è falso"),
            Explanation::True(t) => write!(f, "{t} è vero"),
            Explanation::Null(t) => write!(f, "{t} è nullo, quindi non è stato valutato"),
            Explanation::Value { text, value } => write!(f, "{text} vale {value}"),
            Explanation::OfType { text, ty: None } => write!(f, "{text} è nullo"),
            Explanation::OfType { text, ty: Some(ty) } => {
                match crate::checks::valid::type_name_it(ty.name()) {
                    Some((name, true)) => write!(f, "{text} è una {name}"),
                    Some((name, false)) => write!(f, "{text} è un {name}"),
                    None => write!(f, "{text} è di tipo {}", ty.name()),
                }
            }
            Explanation::So { cond, then } => {
                write!(f, "{cond} è vero, quindi ")?;
                then.it(f)
            }
            Explanation::Each(parts) => write_joined(f, parts, "; ", Lang::It),
            Explanation::All(parts) => write_joined(f, parts, " e ", Lang::It),
            Explanation::Call(said) => said.it(f),
        }
    }

    fn examples() -> Vec<Self> {
        let text = String::new;
        let mut out = vec![
            Explanation::False(text()),
            Explanation::True(text()),
            Explanation::Null(text()),
            Explanation::Value {
                text: text(),
                value: text(),
            },
            Explanation::OfType {
                text: text(),
                ty: None,
            },
            Explanation::So {
                cond: text(),
                then: Box::new(Explanation::False(text())),
            },
            Explanation::Each(vec![Explanation::False(text()), Explanation::True(text())]),
            Explanation::All(vec![Explanation::False(text()), Explanation::False(text())]),
        ];
        out.extend(
            [
                ValueType::Bool,
                ValueType::Int,
                ValueType::Decimal,
                ValueType::Text,
                ValueType::Date,
                ValueType::DateTime,
            ]
            .map(|ty| Explanation::OfType {
                text: text(),
                ty: Some(ty),
            }),
        );
        out
    }
}

impl Explanation {
    /// The explanation in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        In(self, lang).to_string()
    }
}

/// A value as an explanation shows it: text quoted, null as `null`.
fn render(v: &Value<'_>) -> String {
    match v {
        Value::Text(s) => format!("'{s}'"),
        v => v.to_string(),
    }
}

/// Explains an expression (its source text, whether cell values may be
/// shown) on a row.
pub(crate) struct Explainer<'a> {
    /// The expression as written.
    pub src: &'a str,
    /// Cell values may follow the parts that read them.
    pub show_values: bool,
}

impl Explainer<'_> {
    fn text(&self, n: &Node) -> &str {
        self.src.get(n.span.clone()).unwrap_or("").trim()
    }

    /// The node's source text; with values, each sub-expression that reads
    /// a column is followed by its value in parentheses.
    fn describe(&self, n: &Node, row: &dyn RowValues) -> String {
        if !self.show_values {
            return self.text(n).to_string();
        }
        let mut children = n.children();
        if children.is_empty() && !n.is_constant() {
            return format!("{} ({})", self.text(n), render(&eval(n, row)));
        }
        children.sort_by_key(|c| c.span.start);
        let mut out = String::new();
        let mut pos = n.span.start;
        for c in children {
            if c.is_constant() || c.span.start < pos || c.span.end > n.span.end || c.span.is_empty()
            {
                continue;
            }
            let Some(part) = self.src.get(pos..c.span.end) else {
                continue;
            };
            out.push_str(part);
            out.push_str(&format!(" ({})", render(&eval(c, row))));
            pos = c.span.end;
        }
        out.push_str(self.src.get(pos..n.span.end).unwrap_or(""));
        out.trim().to_string()
    }

    /// Why a boolean node that evaluated to false did so.
    fn why_false(&self, n: &Node, row: &dyn RowValues) -> Explanation {
        let is_false = |x: &Node| eval(x, row) == Value::Bool(false);
        match &n.kind {
            Kind::And(xs) => Explanation::Each(
                xs.iter()
                    .filter(|x| is_false(x))
                    .map(|x| self.why_false(x, row))
                    .collect(),
            ),
            Kind::Or(xs) if xs.iter().all(is_false) => {
                Explanation::All(xs.iter().map(|x| self.why_false(x, row)).collect())
            }
            Kind::Not(x) => Explanation::True(self.describe(x, row)),
            Kind::If { cond, then, els } => {
                if eval(cond, row) == Value::Bool(true) {
                    Explanation::So {
                        cond: self.describe(cond, row),
                        then: Box::new(self.why_false(then, row)),
                    }
                } else {
                    self.why_false(els, row)
                }
            }
            Kind::Call(func, xs) if func.explain.is_some() => {
                let args: Vec<Value<'_>> = xs.iter().map(|x| eval(x, row)).collect();
                match func.explain.and_then(|ex| ex(&args, self.show_values)) {
                    Some(said) => Explanation::Call(said),
                    None => Explanation::False(self.describe(n, row)),
                }
            }
            _ => Explanation::False(self.describe(n, row)),
        }
    }

    /// Why `root` has the value it has on `row`.
    pub(crate) fn explain(&self, root: &Node, row: &dyn RowValues) -> Explanation {
        match eval(root, row) {
            Value::Bool(false) => self.why_false(root, row),
            Value::Bool(true) => Explanation::True(self.describe(root, row)),
            Value::Null => Explanation::Null(self.describe(root, row)),
            v if self.show_values => Explanation::Value {
                text: self.describe(root, row),
                value: render(&v),
            },
            v => Explanation::OfType {
                text: self.text(root).to_string(),
                ty: v.value_type(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(e: &Explanation) -> (String, String) {
        (e.render(Lang::En), e.render(Lang::It))
    }

    #[test]
    fn every_form_reads_in_both_languages() {
        let t = |s: &str| s.to_string();
        let cases = [
            (
                Explanation::False(t("A >= B")),
                "A >= B is false",
                "A >= B è falso",
            ),
            (
                Explanation::True(t("X is not null")),
                "X is not null is true",
                "X is not null è vero",
            ),
            (
                Explanation::Null(t("N > 1")),
                "N > 1 is null, so it was not evaluated",
                "N > 1 è nullo, quindi non è stato valutato",
            ),
            (
                Explanation::Value {
                    text: t("ETA (4) + 1"),
                    value: t("5"),
                },
                "ETA (4) + 1 is 5",
                "ETA (4) + 1 vale 5",
            ),
            (
                Explanation::OfType {
                    text: t("ETA + 1"),
                    ty: Some(ValueType::Int),
                },
                "ETA + 1 is integer",
                "ETA + 1 è un numero intero",
            ),
            (
                Explanation::OfType {
                    text: t("D + 1"),
                    ty: Some(ValueType::Date),
                },
                "D + 1 is date",
                "D + 1 è una data",
            ),
            (
                Explanation::OfType {
                    text: t("X"),
                    ty: None,
                },
                "X is null",
                "X è nullo",
            ),
            (
                Explanation::So {
                    cond: t("ETA < 18"),
                    then: Box::new(Explanation::False(t("REDDITO == 0"))),
                },
                "ETA < 18 is true, so REDDITO == 0 is false",
                "ETA < 18 è vero, quindi REDDITO == 0 è falso",
            ),
            (
                Explanation::Each(vec![
                    Explanation::False(t("A")),
                    Explanation::All(vec![
                        Explanation::False(t("B")),
                        Explanation::False(t("C between 1 and 2")),
                    ]),
                ]),
                "A is false; B is false and C between 1 and 2 is false",
                "A è falso; B è falso e C between 1 and 2 è falso",
            ),
        ];
        for (e, en, it) in cases {
            assert_eq!(both(&e), (en.to_string(), it.to_string()));
            assert_eq!(e.to_string(), en);
        }
        for e in Explanation::examples() {
            let (en, it) = both(&e);
            assert_ne!(en, it);
        }
    }
}
