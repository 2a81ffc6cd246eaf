#![doc = include_str!("docs/printable.md")]

use std::fmt;

use super::registry::{Cell, FieldKind, Sentences};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG111",
    name: "printable",
    level: 1,
    default_severity: Severity::Warning,
    summary: "the text has no control, invisible or mis-decoded character",
    summary_it: "il testo non ha caratteri di controllo, invisibili o decodificati male",
    doc: include_str!("docs/printable.md"),
};

/// `printable = true` (or a table): the text holds no control character,
/// tab, non-breaking space, invisible character or trace of a wrong
/// decoding.
#[derive(Clone, Debug)]
pub struct Printable;

/// "COGNOME must contain only printable characters".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
}

/// The first character that is not printable, by what it is (its code
/// point, never the value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// A line feed or carriage return.
    LineBreak,
    /// A tab.
    Tab,
    /// Another control character.
    Control {
        /// Its code point.
        code: u32,
    },
    /// A non-breaking space.
    NoBreakSpace {
        /// Its code point.
        code: u32,
    },
    /// An invisible formatting character.
    Invisible {
        /// Its code point.
        code: u32,
    },
    /// The replacement character U+FFFD.
    Replacement,
    /// UTF-8 read as Latin-1: `Ã` or `Â` and a character U+0080–U+00BF.
    Mojibake,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must contain only printable characters", self.field)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} deve contenere solo caratteri stampabili", self.field)
    }

    fn examples() -> Vec<Self> {
        vec![Description {
            field: String::new(),
        }]
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::LineBreak => f.write_str("contains a line break"),
            Failure::Tab => f.write_str("contains a tab"),
            Failure::Control { code } => {
                write!(f, "contains a control character (U+{code:04X})")
            }
            Failure::NoBreakSpace { code } => {
                write!(f, "contains a non-breaking space (U+{code:04X})")
            }
            Failure::Invisible { code } => {
                write!(f, "contains an invisible character (U+{code:04X})")
            }
            Failure::Replacement => f.write_str(
                "contains the replacement character U+FFFD (text decoded with the wrong encoding)",
            ),
            Failure::Mojibake => {
                f.write_str("contains UTF-8 text read as Latin-1 (such as Ã² for ò)")
            }
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::LineBreak => f.write_str("contiene un a capo"),
            Failure::Tab => f.write_str("contiene una tabulazione"),
            Failure::Control { code } => {
                write!(f, "contiene un carattere di controllo (U+{code:04X})")
            }
            Failure::NoBreakSpace { code } => {
                write!(f, "contiene uno spazio non separabile (U+{code:04X})")
            }
            Failure::Invisible { code } => {
                write!(f, "contiene un carattere invisibile (U+{code:04X})")
            }
            Failure::Replacement => f.write_str(
                "contiene il carattere sostitutivo U+FFFD (testo decodificato con la codifica sbagliata)",
            ),
            Failure::Mojibake => {
                f.write_str("contiene testo UTF-8 letto come Latin-1 (come Ã² al posto di ò)")
            }
        }
    }

    fn examples() -> Vec<Self> {
        vec![
            Failure::LineBreak,
            Failure::Tab,
            Failure::Control { code: 0 },
            Failure::NoBreakSpace { code: 0xA0 },
            Failure::Invisible { code: 0x200B },
            Failure::Replacement,
            Failure::Mojibake,
        ]
    }
}

impl Sentences for Printable {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Printable {
    const KEYS: &'static [&'static str] = &["printable"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let description = |field| Description { field };
        if let Some(meta) = cx.switch(&KIND, "printable", description) {
            out.push((Printable, meta));
        }
    }

    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Failure> {
        check(cell.text)
    }
}

/// The first character of `text` that is not printable, if any. Printable
/// ASCII, the usual case, is judged byte by byte.
pub fn check(text: &str) -> Option<Failure> {
    if text.bytes().all(|b| (b' '..0x7F).contains(&b)) {
        return None;
    }
    let mut previous = ' ';
    for c in text.chars() {
        if matches!(previous, 'Ã' | 'Â') && ('\u{80}'..='\u{BF}').contains(&c) {
            return Some(Failure::Mojibake);
        }
        let code = u32::from(c);
        let failure = match c {
            '\n' | '\r' => Some(Failure::LineBreak),
            '\t' => Some(Failure::Tab),
            c if c.is_control() => Some(Failure::Control { code }),
            '\u{A0}' | '\u{2007}' | '\u{202F}' => Some(Failure::NoBreakSpace { code }),
            '\u{AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}' => Some(Failure::Invisible { code }),
            '\u{FFFD}' => Some(Failure::Replacement),
            _ => None,
        };
        if failure.is_some() {
            return failure;
        }
        previous = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};

    #[test]
    fn printable_text_passes() {
        for text in [
            "ROSSI",
            "D'AMICO",
            "Nicolò",
            "VIA ROMA 12/A",
            "JOÃO",
            "São Paulo",
            "Œuvre €5",
            "",
        ] {
            assert_eq!(check(text), None, "{text:?}");
        }
    }

    #[test]
    fn each_unprintable_character_is_named() {
        assert_eq!(check("DE\tLUCA"), Some(Failure::Tab));
        assert_eq!(check("VIA ROMA\n12"), Some(Failure::LineBreak));
        assert_eq!(check("A\u{0}B"), Some(Failure::Control { code: 0 }));
        assert_eq!(check("A\u{85}B"), Some(Failure::Control { code: 0x85 }));
        assert_eq!(
            check("DE\u{A0}LUCA"),
            Some(Failure::NoBreakSpace { code: 0xA0 })
        );
        assert_eq!(
            check("ROSSI\u{200B}"),
            Some(Failure::Invisible { code: 0x200B })
        );
        assert_eq!(
            check("\u{FEFF}ROSSI"),
            Some(Failure::Invisible { code: 0xFEFF })
        );
        assert_eq!(check("Nicol\u{FFFD}"), Some(Failure::Replacement));
        assert_eq!(check("NicolÃ²"), Some(Failure::Mojibake));
        assert_eq!(check("CittÃ\u{A0}"), Some(Failure::Mojibake));
        assert_eq!(check("Â\u{A0}"), Some(Failure::Mojibake));
    }

    #[test]
    fn sentences_in_both_languages() {
        let both = |s: &dyn Fn(Lang) -> String| (s(Lang::En), s(Lang::It));
        let nbsp = Failure::NoBreakSpace { code: 0xA0 };
        assert_eq!(
            both(&|l| In(&nbsp, l).to_string()),
            (
                "contains a non-breaking space (U+00A0)".into(),
                "contiene uno spazio non separabile (U+00A0)".into()
            )
        );
        let d = Description {
            field: "COGNOME".into(),
        };
        assert_eq!(
            both(&|l| In(&d, l).to_string()),
            (
                "COGNOME must contain only printable characters".into(),
                "COGNOME deve contenere solo caratteri stampabili".into()
            )
        );
    }

    #[test]
    fn the_rule_file_switches_it_on() {
        let load = crate::checks::load_rules;
        let rules = load(
            "[fields.A]\nprintable = true\n[fields.B]\nprintable = { value = true, severity = \"error\" }\n[fields.C]\nprintable = false\n[fields.D]\n",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let a = &rules.fields[0].constraints[0];
        assert_eq!(
            (a.meta.id.as_str(), a.meta.severity),
            ("A.printable", Severity::Warning)
        );
        let b = &rules.fields[1].constraints[0];
        assert_eq!(
            (b.meta.id.as_str(), b.meta.severity),
            ("B.printable", Severity::Error)
        );
        assert!(rules.fields[2].constraints.is_empty());
        assert!(rules.fields[3].constraints.is_empty());
        let err = load("[fields.A]\nprintable = \"yes\"\n")
            .err()
            .map(|e| format!("{e:?}"));
        assert!(err.is_some_and(|e| e.contains("printable")), "no error");
    }
}
