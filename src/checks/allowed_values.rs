#![doc = include_str!("docs/allowed_values.md")]

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use super::registry::{Cell, FieldKind, Sentences};
use super::CheckKind;
use crate::messages::Sentence;
use crate::privacy::mask;
use crate::rules::load::fields::FieldCx;
use crate::rules::load::with_meta;
use crate::rules::CheckMeta;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG104",
    name: "enum",
    level: 1,
    default_severity: Severity::Error,
    summary: "the value is one of an allowed list",
    summary_it: "il valore è tra quelli ammessi",
    doc: include_str!("docs/allowed_values.md"),
};

/// `enum = […]` or `enum = { values = […] | file = "…", column = "…",
/// ignore_case = … }`: the value is one of a list.
#[derive(Clone, Debug)]
pub struct Allowed {
    /// The allowed values (uppercase with `ignore_case`).
    pub values: Arc<HashSet<String>>,
    /// A few of them, for messages.
    pub preview: String,
    /// Compare ignoring case.
    pub ignore_case: bool,
}

/// "SEX must be one of the allowed values".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
}

/// Not one of the allowed values; `preview` lists them, masked when they
/// must be.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The first allowed values.
    pub preview: String,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must be one of the allowed values", self.field)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} deve essere uno dei valori ammessi", self.field)
    }

    fn examples() -> Vec<Self> {
        vec![Description {
            field: String::new(),
        }]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not one of the allowed values ({})", self.preview)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "non è uno dei valori ammessi ({})", self.preview)
    }

    fn examples() -> Vec<Self> {
        vec![Failure {
            preview: String::new(),
        }]
    }
}

impl Sentences for Allowed {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Allowed {
    const KEYS: &'static [&'static str] = &["enum"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let Some(n) = cx.table.get("enum") else {
            return;
        };
        let mut ignore_case = false;
        let (values, table) = if n.is_table() {
            let allowed = with_meta(&["values", "file", "column", "ignore_case"]);
            let Some(t) = n.table(cx.diags(), "`enum`", &allowed) else {
                return;
            };
            if let Some(ic) = t.get("ignore_case") {
                ignore_case = ic.bool(cx.diags(), "`ignore_case`").unwrap_or(false);
            }
            let values: Option<Vec<String>> = match (t.get("values"), t.get("file")) {
                (Some(v), None) => v
                    .strings(cx.diags(), "`values`")
                    .map(|v| v.into_iter().map(|(s, _)| s).collect()),
                (None, Some(f)) => {
                    let Some(file) = f.str(cx.diags(), "`file`") else {
                        return;
                    };
                    let column = match t.get("column") {
                        Some(c) => match c.str(cx.diags(), "`column`") {
                            Some(name) => Some((name.to_string(), c.span.clone())),
                            None => return,
                        },
                        None => None,
                    };
                    cx.code_list(file, f.span.clone(), column)
                }
                _ => {
                    cx.diags().error(
                        n.span.clone(),
                        "`enum` needs either `values` or `file`",
                        "no values",
                        Some("enum = [\"A\", \"B\"] or enum = { file = \"codes.csv\", column = \"CODE\" }".into()),
                    );
                    return;
                }
            };
            let Some(values) = values else {
                return;
            };
            (values, Some(t))
        } else {
            let Some(v) = n.strings(cx.diags(), "`enum`") else {
                return;
            };
            (v.into_iter().map(|(s, _)| s).collect::<Vec<_>>(), None)
        };
        if values.is_empty() {
            cx.diags().error(
                n.span.clone(),
                "`enum` lists no values",
                "empty",
                Some("list the allowed values".into()),
            );
            return;
        }
        let preview = {
            let mut p: Vec<&str> = values.iter().take(8).map(String::as_str).collect();
            if values.len() > 8 {
                p.push("…");
            }
            p.join(", ")
        };
        let set: HashSet<String> = values
            .iter()
            .map(|v| {
                if ignore_case {
                    v.to_uppercase()
                } else {
                    v.clone()
                }
            })
            .collect();
        let field = cx.name.to_string();
        let meta = cx.meta(
            &KIND,
            table.as_ref(),
            format!("{field}.enum"),
            Description { field },
            n.span.clone(),
        );
        let values = Arc::new(set);
        out.push((
            Allowed {
                values,
                preview,
                ignore_case,
            },
            meta,
        ));
    }

    /// The allowed values a failure lists (from the rule file or a code
    /// list) are masked like the field's values unless the cell's `show`.
    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Failure> {
        if allowed(cell.text, &self.values, self.ignore_case) {
            None
        } else {
            Some(Failure {
                preview: mask(&self.preview, cell.show),
            })
        }
    }
}

/// Whether `text` is allowed. With `ignore_case`, `values` must hold
/// uppercase entries.
pub fn allowed(text: &str, values: &HashSet<String>, ignore_case: bool) -> bool {
    if ignore_case {
        values.contains(&text.to_uppercase())
    } else {
        values.contains(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership() {
        let v: HashSet<String> = ["A", "B"].iter().map(|s| s.to_string()).collect();
        assert!(allowed("A", &v, false));
        assert!(!allowed("a", &v, false));
        assert!(allowed("a", &v, true));
        assert!(!allowed("C", &v, true));
    }

    #[test]
    fn sentences_in_both_languages() {
        use crate::messages::{In, Lang};
        let f = Failure {
            preview: "M, F".into(),
        };
        assert_eq!(
            In(&f, Lang::En).to_string(),
            "not one of the allowed values (M, F)"
        );
        assert_eq!(
            In(&f, Lang::It).to_string(),
            "non è uno dei valori ammessi (M, F)"
        );
        let d = Description { field: "SEX".into() };
        assert_eq!(
            In(&d, Lang::It).to_string(),
            "SEX deve essere uno dei valori ammessi"
        );
    }
}
