#![doc = include_str!("docs/case.md")]

use std::fmt;

use super::registry::{Cell, FieldKind, Sentences};
use super::CheckKind;
use crate::messages::Sentence;
use crate::rules::load::fields::FieldCx;
use crate::rules::{CheckMeta, Severity};

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG110",
    name: "case",
    level: 1,
    default_severity: Severity::Warning,
    summary: "the text is in the declared letter case",
    summary_it: "il testo è nel maiuscolo o minuscolo dichiarato",
    doc: include_str!("docs/case.md"),
};

/// A letter case a field is declared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterCase {
    /// No lowercase letter.
    Upper,
    /// No uppercase letter.
    Lower,
}

impl LetterCase {
    /// The names a rule file writes.
    pub const NAMES: &'static [&'static str] = &["upper", "lower"];

    /// Parses `upper` or `lower`, ignoring case.
    pub fn parse(s: &str) -> Option<LetterCase> {
        if s.eq_ignore_ascii_case("upper") {
            Some(LetterCase::Upper)
        } else if s.eq_ignore_ascii_case("lower") {
            Some(LetterCase::Lower)
        } else {
            None
        }
    }

    /// Whether `text` is in this case: no letter of the other case.
    pub fn holds(self, text: &str) -> bool {
        match self {
            LetterCase::Upper => !text.chars().any(char::is_lowercase),
            LetterCase::Lower => !text.chars().any(char::is_uppercase),
        }
    }

    /// The case's name in English: `upper`, `lower`.
    fn en(self) -> &'static str {
        match self {
            LetterCase::Upper => "upper",
            LetterCase::Lower => "lower",
        }
    }

    /// The case's name in Italian: `maiuscolo`, `minuscolo`.
    fn it(self) -> &'static str {
        match self {
            LetterCase::Upper => "maiuscolo",
            LetterCase::Lower => "minuscolo",
        }
    }
}

/// "CF must be in upper case".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
    /// The declared case.
    pub case: LetterCase,
}

/// A letter of the other case: "not in upper case".
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The declared case.
    pub case: LetterCase,
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must be in {} case", self.field, self.case.en())
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} deve essere in {}", self.field, self.case.it())
    }

    fn examples() -> Vec<Self> {
        [LetterCase::Upper, LetterCase::Lower]
            .into_iter()
            .map(|case| Description {
                field: String::new(),
                case,
            })
            .collect()
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not in {} case", self.case.en())
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "non è in {}", self.case.it())
    }

    fn examples() -> Vec<Self> {
        [LetterCase::Upper, LetterCase::Lower]
            .into_iter()
            .map(|case| Failure { case })
            .collect()
    }
}

/// `case = "upper" | "lower"` (or a table with `value`): every value is
/// written in that letter case.
#[derive(Clone, Debug)]
pub struct Case {
    /// The declared case.
    pub case: LetterCase,
}

impl Sentences for Case {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Case {
    const KEYS: &'static [&'static str] = &["case"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let Some(written) = cx.text("case") else {
            return;
        };
        let text = written.text;
        let Some(case) = LetterCase::parse(text) else {
            let help = match crate::rules::did_you_mean(text, LetterCase::NAMES.iter().copied()) {
                Some(s) => format!("did you mean \"{s}\"? One of: upper, lower"),
                None => "one of: upper, lower".to_string(),
            };
            let message = format!("unknown letter case `{text}` for field {}", cx.name);
            cx.diags()
                .error(written.value_span, message, "unknown case", Some(help));
            return;
        };
        let field = cx.name.to_string();
        let meta = cx.meta(
            &KIND,
            written.table.as_ref(),
            format!("{field}.case"),
            Description { field, case },
            written.span,
        );
        out.push((Case { case }, meta));
    }

    fn evaluate(&self, cell: Cell<'_, '_>) -> Option<Failure> {
        (!self.case.holds(cell.text)).then_some(Failure { case: self.case })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};
    use crate::value::Value;

    fn judge(case: LetterCase, text: &str) -> Option<Failure> {
        let cell = Cell {
            text,
            value: &Value::Null,
            show: false,
        };
        Case { case }.evaluate(cell)
    }

    #[test]
    fn letters_of_the_other_case_fail() {
        assert_eq!(judge(LetterCase::Upper, "D'AMICO"), None);
        assert_eq!(judge(LetterCase::Upper, "NICOLÒ 2/A"), None);
        assert_eq!(judge(LetterCase::Upper, "12345"), None);
        let m = judge(LetterCase::Upper, "Nicolò");
        assert_eq!(
            m.as_ref().map(|m| In(m, Lang::En).to_string()).as_deref(),
            Some("not in upper case")
        );
        assert_eq!(
            m.map(|m| In(&m, Lang::It).to_string()).as_deref(),
            Some("non è in maiuscolo")
        );
        let d = Description {
            field: "CF".into(),
            case: LetterCase::Lower,
        };
        assert_eq!(In(&d, Lang::En).to_string(), "CF must be in lower case");
        assert_eq!(In(&d, Lang::It).to_string(), "CF deve essere in minuscolo");
        assert_eq!(judge(LetterCase::Lower, "mario.rossi@comune.it"), None);
        assert!(judge(LetterCase::Lower, "Mario.Rossi@comune.it").is_some());
    }

    #[test]
    fn the_rule_file_says_upper_or_lower() {
        let load = crate::checks::load_rules;
        let rules = load("[fields.A]\ncase = \"upper\"\n[fields.B]\ncase = { value = \"lower\", severity = \"error\" }\n")
            .unwrap_or_else(|e| panic!("{e:?}"));
        let a = &rules.fields[0].constraints[0];
        assert_eq!((a.meta.id.as_str(), a.meta.severity), ("A.case", Severity::Warning));
        let b = &rules.fields[1].constraints[0];
        assert_eq!((b.meta.id.as_str(), b.meta.severity), ("B.case", Severity::Error));
        let err = load("[fields.A]\ncase = \"uper\"\n").err().map(|e| format!("{e:?}"));
        assert!(err.is_some_and(|e| e.contains("did you mean") && e.contains("upper")));
    }
}
