#![doc = include_str!("docs/length.md")]

use std::fmt;

use super::registry::{Cell, FieldKind, Sentences};
use super::CheckKind;
use crate::messages::it::count;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
use crate::rules::CheckMeta;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG107",
    name: "length",
    level: 1,
    default_severity: Severity::Error,
    summary: "the text length is within bounds",
    summary_it: "la lunghezza del testo è nei limiti",
    doc: include_str!("docs/length.md"),
};

/// `min_length` / `max_length` (also `minLength`, `maxLength`): one
/// constraint per key, a bound on the number of characters.
#[derive(Clone, Debug)]
pub struct Length {
    /// Fewest characters.
    pub min: Option<u64>,
    /// Most characters.
    pub max: Option<u64>,
}

/// A bound on the number of characters: "CF must have at least 16
/// characters".
#[derive(Clone, Debug, PartialEq)]
pub enum Description {
    /// A lower bound.
    Min {
        /// The field.
        field: String,
        /// Fewest characters.
        min: u64,
    },
    /// An upper bound.
    Max {
        /// The field.
        field: String,
        /// Most characters.
        max: u64,
    },
}

/// Why a text's length is out of bounds.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Shorter than allowed.
    TooShort {
        /// Fewest characters.
        min: u64,
        /// The value's characters.
        found: u64,
    },
    /// Longer than allowed.
    TooLong {
        /// Most characters.
        max: u64,
        /// The value's characters.
        found: u64,
    },
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Description::Min { field, min } => {
                write!(f, "{field} must have at least {min} characters")
            }
            Description::Max { field, max } => {
                write!(f, "{field} must have at most {max} characters")
            }
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Description::Min { field, min } => write!(
                f,
                "{field} deve avere almeno {}",
                count(*min, "carattere", "caratteri")
            ),
            Description::Max { field, max } => write!(
                f,
                "{field} deve avere al massimo {}",
                count(*max, "carattere", "caratteri")
            ),
        }
    }

    fn examples() -> Vec<Self> {
        [1, 2]
            .into_iter()
            .flat_map(|n| {
                let field = String::new();
                [
                    Description::Min {
                        field: field.clone(),
                        min: n,
                    },
                    Description::Max { field, max: n },
                ]
            })
            .collect()
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::TooShort { min, found } => {
                write!(f, "shorter than {min} characters ({found})")
            }
            Failure::TooLong { max, found } => write!(f, "longer than {max} characters ({found})"),
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::TooShort { min, found } => write!(
                f,
                "più corto di {} ({found})",
                count(*min, "carattere", "caratteri")
            ),
            Failure::TooLong { max, found } => write!(
                f,
                "più lungo di {} ({found})",
                count(*max, "carattere", "caratteri")
            ),
        }
    }

    fn examples() -> Vec<Self> {
        vec![
            Failure::TooShort { min: 1, found: 0 },
            Failure::TooShort { min: 2, found: 1 },
            Failure::TooLong { max: 1, found: 2 },
            Failure::TooLong { max: 2, found: 3 },
        ]
    }
}

impl Sentences for Length {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Length {
    const KEYS: &'static [&'static str] = &["min_length", "minLength", "max_length", "maxLength"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        for (keys, is_min) in [
            (["min_length", "minLength"], true),
            (["max_length", "maxLength"], false),
        ] {
            let Some(n) = cx.table.get_any(&keys) else {
                continue;
            };
            let span = n.span.clone();
            let (value_node, table) = cx.value_or_table(n, keys[0], &["value"]);
            let what = format!("`{}`", keys[0]);
            let Some(v) = value_node.and_then(|v| v.count(cx.diags(), &what)) else {
                continue;
            };
            let field = cx.name.to_string();
            let (description, id, length) = if is_min {
                let id = format!("{field}.min_length");
                let d = Description::Min { field, min: v };
                (d, id, Length { min: Some(v), max: None })
            } else {
                let id = format!("{field}.max_length");
                let d = Description::Max { field, max: v };
                (d, id, Length { min: None, max: Some(v) })
            };
            let meta = cx.meta(&KIND, table.as_ref(), id, description, span);
            out.push((length, meta));
        }
    }

    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Failure> {
        check(cell.text, self.min, self.max)
    }
}

/// A failure when `text` has fewer than `min` or more than `max`
/// characters.
pub fn check(text: &str, min: Option<u64>, max: Option<u64>) -> Option<Failure> {
    let n = text.chars().count() as u64;
    match (min, max) {
        (Some(m), _) if n < m => Some(Failure::TooShort { min: m, found: n }),
        (_, Some(m)) if n > m => Some(Failure::TooLong { max: m, found: n }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    fn both(s: &impl Sentence) -> (String, String) {
        (In(s, Lang::En).to_string(), In(s, Lang::It).to_string())
    }

    #[test]
    fn bounds_count_characters_not_bytes() {
        assert_eq!(check("NICOLÒ", None, Some(6)), None);
        assert_eq!(
            check("ABCDEFG", None, Some(6)).map(|m| both(&m)),
            Some((
                "longer than 6 characters (7)".into(),
                "più lungo di 6 caratteri (7)".into()
            ))
        );
        assert_eq!(
            check("AB", Some(3), None).map(|m| both(&m)),
            Some((
                "shorter than 3 characters (2)".into(),
                "più corto di 3 caratteri (2)".into()
            ))
        );
    }

    #[test]
    fn descriptions_agree_in_number() {
        let max = |max| Description::Max {
            field: "X".into(),
            max,
        };
        assert_eq!(both(&max(1)).1, "X deve avere al massimo 1 carattere");
        assert_eq!(both(&max(2)).1, "X deve avere al massimo 2 caratteri");
        assert_eq!(both(&max(1)).0, "X must have at most 1 characters");
    }
}
