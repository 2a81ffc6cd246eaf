//! Walking a parsed TOML document with spans, turning every type mistake
//! into a diagnostic at the right place.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::diagnostic::{did_you_mean, Diagnostics};

/// A TOML value with its span, and the path that led to it (for messages).
#[derive(Clone)]
pub struct Node<'a, 'i> {
    /// The value.
    pub value: &'a DeValue<'i>,
    /// Its byte range in the file.
    pub span: Range<usize>,
}

/// The TOML type name of a value, for messages.
pub fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'a, 'i> Node<'a, 'i> {
    /// Wraps a spanned value.
    pub fn new(v: &'a Spanned<DeValue<'i>>) -> Node<'a, 'i> {
        Node {
            value: v.get_ref(),
            span: v.span(),
        }
    }

    fn wrong(&self, diags: &mut Diagnostics, what: &str, expected: &str) {
        diags.error(
            self.span.clone(),
            format!("{what} must be {expected}, not {}", type_name(self.value)),
            format!("expected {expected}"),
            None,
        );
    }

    /// The value as a string.
    pub fn str(&self, diags: &mut Diagnostics, what: &str) -> Option<&'a str> {
        match self.value {
            DeValue::String(s) => Some(s.as_ref()),
            _ => {
                self.wrong(diags, what, "a string");
                None
            }
        }
    }

    /// The value as a boolean.
    pub fn bool(&self, diags: &mut Diagnostics, what: &str) -> Option<bool> {
        match self.value {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong(diags, what, "true or false");
                None
            }
        }
    }

    /// The value as an integer.
    pub fn int(&self) -> Option<i64> {
        match self.value {
            DeValue::Integer(i) => {
                let digits = i.as_str().replace('_', "");
                i64::from_str_radix(&digits, i.radix()).ok()
            }
            _ => None,
        }
    }

    /// The value as a number (integer or float).
    pub fn number(&self, diags: &mut Diagnostics, what: &str) -> Option<f64> {
        match self.value {
            DeValue::Integer(_) => self.int().map(|i| i as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => {
                self.wrong(diags, what, "a number");
                None
            }
        }
    }

    /// The value as a non-negative whole number.
    pub fn count(&self, diags: &mut Diagnostics, what: &str) -> Option<u64> {
        match self.int() {
            Some(i) if i >= 0 => Some(i as u64),
            _ => {
                diags.error(
                    self.span.clone(),
                    format!("{what} must be a whole number, 0 or more"),
                    "expected a whole number",
                    None,
                );
                None
            }
        }
    }

    /// The value as a percentage between 0 and 100.
    pub fn percent(&self, diags: &mut Diagnostics, what: &str) -> Option<f64> {
        let n = self.number(diags, what)?;
        if !(0.0..=100.0).contains(&n) {
            diags.error(
                self.span.clone(),
                format!("{what} is a percentage and must be between 0 and 100"),
                "out of range",
                None,
            );
            return None;
        }
        Some(n)
    }

    /// The value as an array of nodes.
    pub fn array(&self, diags: &mut Diagnostics, what: &str) -> Option<Vec<Node<'a, 'i>>> {
        match self.value {
            DeValue::Array(items) => Some(items.iter().map(Node::new).collect()),
            _ => {
                self.wrong(diags, what, "an array");
                None
            }
        }
    }

    /// A string or an array of strings, as a list.
    pub fn strings(
        &self,
        diags: &mut Diagnostics,
        what: &str,
    ) -> Option<Vec<(String, Range<usize>)>> {
        match self.value {
            DeValue::String(s) => Some(vec![(s.to_string(), self.span.clone())]),
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter().map(Node::new) {
                    match item.value {
                        DeValue::String(s) => out.push((s.to_string(), item.span.clone())),
                        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => {
                            out.push((scalar_text(item.value), item.span.clone()))
                        }
                        _ => item.wrong(diags, &format!("each item of {what}"), "a string"),
                    }
                }
                Some(out)
            }
            _ => {
                self.wrong(diags, what, "a string or an array of strings");
                None
            }
        }
    }

    /// The value as a table, checking its keys against `allowed`.
    pub fn table(
        &self,
        diags: &mut Diagnostics,
        what: &str,
        allowed: &[&str],
    ) -> Option<Table<'a, 'i>> {
        match self.value {
            DeValue::Table(t) => {
                let table = Table { table: t };
                table.check_keys(diags, what, allowed);
                Some(table)
            }
            _ => {
                self.wrong(diags, what, "a table");
                None
            }
        }
    }

    /// The value as a table whose keys are free (e.g. `[fields]`, keyed by
    /// column name).
    pub fn open_table(&self, diags: &mut Diagnostics, what: &str) -> Option<Table<'a, 'i>> {
        match self.value {
            DeValue::Table(t) => Some(Table { table: t }),
            _ => {
                self.wrong(diags, what, "a table");
                None
            }
        }
    }

    /// Whether the value is an array.
    pub fn is_array(&self) -> bool {
        matches!(self.value, DeValue::Array(_))
    }

    /// Whether the value is a table.
    pub fn is_table(&self) -> bool {
        matches!(self.value, DeValue::Table(_))
    }
}

/// The text of a scalar TOML value (numbers and booleans as written).
pub fn scalar_text(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => s.to_string(),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        _ => String::new(),
    }
}

/// A TOML table with its span.
#[derive(Clone)]
pub struct Table<'a, 'i> {
    /// The entries.
    pub table: &'a DeTable<'i>,
}

impl<'a, 'i> Table<'a, 'i> {
    /// The value at `key`, if present.
    pub fn get(&self, key: &str) -> Option<Node<'a, 'i>> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| Node::new(v))
    }

    /// The value at the first of `keys` present (for aliases such as
    /// `min_length` / `minLength`).
    pub fn get_any(&self, keys: &[&str]) -> Option<Node<'a, 'i>> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// The entries with their key spans, in file order.
    pub fn entries(&self) -> impl Iterator<Item = (&'a str, Range<usize>, Node<'a, 'i>)> {
        self.table
            .iter()
            .map(|(k, v)| (k.get_ref().as_ref(), k.span(), Node::new(v)))
    }

    /// The span of `key` itself, if present.
    pub fn key_span(&self, key: &str) -> Option<Range<usize>> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(k, _)| k.span())
    }

    /// Reports every key not in `allowed`, suggesting the closest allowed one.
    pub fn check_keys(&self, diags: &mut Diagnostics, what: &str, allowed: &[&str]) {
        for (key, span, _) in self.entries() {
            if !allowed.contains(&key) {
                let help = match did_you_mean(key, allowed.iter().copied()) {
                    Some(s) => format!(
                        "did you mean `{s}`? The keys allowed here are: {}",
                        allowed.join(", ")
                    ),
                    None => format!("the keys allowed here are: {}", allowed.join(", ")),
                };
                diags.error(
                    span,
                    format!("unknown key `{key}` in {what}"),
                    "unknown key",
                    Some(help),
                );
            }
        }
    }
}
