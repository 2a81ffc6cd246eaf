#![doc = include_str!("docs/valid.md")]

use std::fmt;

use super::registry::{FieldKind, Sentences, Stage};
use super::CheckKind;
use crate::identity::codice_fiscale::CfError;
use crate::identity::dates::DateError;
use crate::identity::ids::IdError;
use crate::messages::{In, Lang, Message, Sentence};
use crate::rules::load::fields::FieldCx;
use crate::rules::load::META_KEYS;
use crate::rules::{CheckMeta, Severity};
use crate::types::FieldType;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG102",
    name: "valid",
    level: 1,
    default_severity: Severity::Error,
    summary: "the value parses as the field's type",
    summary_it: "il valore è valido per il tipo del campo",
    doc: include_str!("docs/valid.md"),
};

/// Every present value parses as the field's type: on for every type but
/// `string`; `valid = { severity = … }` sets its identity. The parse itself
/// is the engine's (it parses every value once, for every kind and
/// expression): this kind's stage is [`Stage::Type`].
#[derive(Clone, Debug)]
pub struct Valid;

/// "CF must be a valid codice fiscale".
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The field.
    pub field: String,
    /// Its type, as `type` names it in a rule file (`date`).
    pub type_name: String,
}

/// Why a text is not a value of its field's type, without the value (the
/// parse's outcome, [`crate::types::TypeError`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Not a valid codice fiscale, and why.
    InvalidCf(CfError),
    /// A provisional code in a field that requires a personal one.
    ProvisionalNotAllowed,
    /// A placeholder such as `XXXXXXXXXXXXXXXX`.
    CfPlaceholder,
    /// A codice fiscale whose place code is no known place.
    CfUnknownPlace,
    /// A date that does not exist, with the reason quoting its parts (day
    /// 31 of February 2020): a type error's detail, shown with
    /// `--show-pii` or on a field with `pii = false`.
    NotARealDate(DateError),
    /// Not a valid identifier of its type, and why.
    InvalidId {
        /// The identifier's type.
        kind: IdKind,
        /// What is wrong with it (no identifier value).
        error: IdError,
    },
    /// Not a value of the field's type.
    NotOfType(TypeProblem),
}

/// Why a text is not a value of its field's type, without the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeProblem {
    /// Not an integer.
    WholeNumber,
    /// An integer whose thousands separator is out of place.
    WholeNumberSeparator {
        /// The separator.
        sep: char,
    },
    /// An integer of more than 18 digits.
    WholeNumberTooLarge,
    /// Not a number.
    Number,
    /// A number whose thousands separator is out of place.
    NumberSeparator {
        /// The separator.
        sep: char,
    },
    /// Not a number, with a comma where the field declares a decimal dot.
    NumberWithComma,
    /// Not a number, with a dot where the field declares a decimal comma.
    NumberWithDot,
    /// A number of more than 300 digits.
    NumberTooLarge,
    /// Neither a true nor a false value.
    YesNo {
        /// The values read as true.
        true_values: Vec<String>,
        /// The values read as false.
        false_values: Vec<String>,
    },
    /// Not a known Belfiore code.
    Belfiore,
    /// Not M or F.
    Sex,
    /// A date in none of the formats (strftime, as the rule file writes
    /// them).
    DateFormat {
        /// The formats.
        formats: Vec<String>,
    },
    /// A date and time in none of the formats.
    DateTimeFormat {
        /// The formats.
        formats: Vec<String>,
    },
    /// A day the month does not have.
    NoSuchDay,
    /// A month over 12.
    MonthOver12 {
        /// The day is a valid month: the date may be written month first.
        month_first: bool,
    },
    /// Another date that does not exist.
    NotARealDate,
}

/// The identifiers a field type checks with [`crate::identity::ids`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// `partita_iva`.
    PartitaIva,
    /// `cap`.
    Cap,
    /// `istat_comune`.
    IstatComune,
    /// `isee_protocol`.
    IseeProtocol,
}

impl From<TypeProblem> for Message {
    fn from(p: TypeProblem) -> Message {
        Message::from(Failure::NotOfType(p))
    }
}

/// The Italian name of a field type as `type` names it in a rule file, and
/// whether the noun is feminine (for the article and the adjective).
pub(crate) fn type_name_it(t: &str) -> Option<(&'static str, bool)> {
    Some(match t {
        "string" => ("testo", false),
        "integer" => ("numero intero", false),
        "decimal" => ("numero decimale", false),
        "date" => ("data", true),
        "datetime" => ("data e ora", true),
        "boolean" => ("valore sì/no", false),
        "codice_fiscale" => ("codice fiscale", false),
        "partita_iva" => ("partita IVA", true),
        "cap" => ("CAP", false),
        "istat_comune" => ("codice ISTAT di comune", false),
        "belfiore" => ("codice Belfiore", false),
        "isee_protocol" => ("protocollo ISEE", false),
        "sex" => ("sesso (M/F)", false),
        _ => return None,
    })
}

impl Sentence for Description {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} must be a valid {}", self.field, self.type_name)
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match type_name_it(&self.type_name) {
            Some((name, true)) => write!(f, "{field} deve essere una {name} valida"),
            Some((name, false)) => write!(f, "{field} deve essere un {name} valido"),
            None => write!(
                f,
                "{field} deve essere un valore valido di tipo {}",
                self.type_name
            ),
        }
    }

    fn examples() -> Vec<Self> {
        crate::types::TYPE_NAMES
            .iter()
            .map(|(t, _)| Description {
                field: String::new(),
                type_name: t.to_string(),
            })
            .collect()
    }
}

impl Sentence for Failure {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::InvalidCf(e) => write!(f, "not a valid codice fiscale: {}", e.message()),
            Failure::ProvisionalNotAllowed => f.write_str(
                "an 11-digit provisional code, and this field requires a 16-character codice fiscale",
            ),
            Failure::CfPlaceholder => f.write_str("a placeholder, not a real codice fiscale"),
            Failure::CfUnknownPlace => f.write_str(
                "the place code (characters 12-15) is not a known municipality or country",
            ),
            Failure::NotARealDate(e) => write!(f, "not a real date: {}", e.message()),
            Failure::InvalidId { kind, error } => {
                let what = match kind {
                    IdKind::PartitaIva => "partita IVA",
                    IdKind::Cap => "CAP",
                    IdKind::IstatComune => "ISTAT municipality code",
                    IdKind::IseeProtocol => "ISEE protocol",
                };
                write!(f, "not a valid {what}: {}", error.message())
            }
            Failure::NotOfType(p) => f.write_str(&type_problem_en(p)),
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::InvalidCf(e) => write!(f, "codice fiscale non valido: {}", In(e, Lang::It)),
            Failure::ProvisionalNotAllowed => f.write_str(
                "un codice provvisorio di 11 cifre, e questo campo richiede un codice fiscale di 16 caratteri",
            ),
            Failure::CfPlaceholder => f.write_str("un segnaposto, non un vero codice fiscale"),
            Failure::CfUnknownPlace => f.write_str(
                "il codice del luogo (caratteri 12-15) non è un comune o uno stato noto",
            ),
            Failure::NotARealDate(e) => write!(f, "data inesistente: {}", In(e, Lang::It)),
            Failure::InvalidId { kind, error } => {
                let what = match kind {
                    IdKind::PartitaIva => "partita IVA non valida",
                    IdKind::Cap => "CAP non valido",
                    IdKind::IstatComune => "codice ISTAT di comune non valido",
                    IdKind::IseeProtocol => "protocollo ISEE non valido",
                };
                write!(f, "{what}: {}", In(error, Lang::It))
            }
            Failure::NotOfType(p) => f.write_str(&type_problem_it(p)),
        }
    }

    fn examples() -> Vec<Self> {
        let formats = vec!["%d/%m/%Y".to_string()];
        let problems = [
            TypeProblem::WholeNumber,
            TypeProblem::WholeNumberSeparator { sep: '.' },
            TypeProblem::WholeNumberTooLarge,
            TypeProblem::Number,
            TypeProblem::NumberSeparator { sep: '.' },
            TypeProblem::NumberWithComma,
            TypeProblem::NumberWithDot,
            TypeProblem::NumberTooLarge,
            TypeProblem::YesNo {
                true_values: vec!["S".into()],
                false_values: vec!["N".into()],
            },
            TypeProblem::Belfiore,
            TypeProblem::Sex,
            TypeProblem::DateFormat {
                formats: formats.clone(),
            },
            TypeProblem::DateTimeFormat { formats },
            TypeProblem::NoSuchDay,
            TypeProblem::MonthOver12 { month_first: true },
            TypeProblem::MonthOver12 { month_first: false },
            TypeProblem::NotARealDate,
        ];
        let ids = [
            IdKind::PartitaIva,
            IdKind::Cap,
            IdKind::IstatComune,
            IdKind::IseeProtocol,
        ];
        let mut out = vec![
            Failure::ProvisionalNotAllowed,
            Failure::CfPlaceholder,
            Failure::CfUnknownPlace,
        ];
        // Every error the identity modules say, quoted by this kind's
        // sentences: the tests of the Italian read them through here.
        out.extend(CfError::examples().into_iter().map(Failure::InvalidCf));
        out.extend(DateError::examples().into_iter().map(Failure::NotARealDate));
        out.extend(ids.into_iter().map(|kind| Failure::InvalidId {
            kind,
            error: IdError::NotDigits,
        }));
        out.extend(
            IdError::examples()
                .into_iter()
                .map(|error| Failure::InvalidId {
                    kind: IdKind::PartitaIva,
                    error,
                }),
        );
        out.extend(problems.into_iter().map(Failure::NotOfType));
        out
    }
}

/// Why a text is not a value of its type, in English.
fn type_problem_en(p: &TypeProblem) -> String {
    let readable = |formats: &[String]| {
        formats
            .iter()
            .map(|f| crate::types::readable_format(f))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match p {
        TypeProblem::WholeNumber => "not a whole number".into(),
        TypeProblem::WholeNumberSeparator { sep } => {
            format!("not a whole number (thousands separator {sep:?} misplaced)")
        }
        TypeProblem::WholeNumberTooLarge => "whole number too large (more than 18 digits)".into(),
        TypeProblem::Number => "not a number".into(),
        TypeProblem::NumberSeparator { sep } => {
            format!("not a number (thousands separator {sep:?} misplaced)")
        }
        TypeProblem::NumberWithComma => "not a number (it has a comma: set decimal_separator = \",\" if the file uses decimal commas)".into(),
        TypeProblem::NumberWithDot => {
            "not a number (it has a dot: the field declares decimal_separator = \",\")".into()
        }
        TypeProblem::NumberTooLarge => "number too large".into(),
        TypeProblem::YesNo {
            true_values,
            false_values,
        } => format!(
            "not a yes/no value (expected one of {} or {})",
            true_values.join("/"),
            false_values.join("/")
        ),
        TypeProblem::Belfiore => {
            "not a known Belfiore code of a municipality or a foreign country".into()
        }
        TypeProblem::Sex => "not a sex (expected M or F)".into(),
        TypeProblem::DateFormat { formats } => {
            format!("not a date in the expected format ({})", readable(formats))
        }
        TypeProblem::DateTimeFormat { formats } => format!(
            "not a date and time in the expected format ({})",
            readable(formats)
        ),
        TypeProblem::NoSuchDay => "not a real date: no such day in that month".into(),
        TypeProblem::MonthOver12 { month_first: true } => {
            "not a real date: the month is over 12 (is it written month first?)".into()
        }
        TypeProblem::MonthOver12 { month_first: false } => {
            "not a real date: the month is over 12".into()
        }
        TypeProblem::NotARealDate => "not a real date".into(),
    }
}

/// A strftime format as Italian writes it: `%d/%m/%Y` → `gg/mm/aaaa`.
fn readable_format_it(format: &str) -> String {
    format
        .replace("%d", "gg")
        .replace("%m", "mm")
        .replace("%Y", "aaaa")
        .replace("%y", "aa")
        .replace("%H", "hh")
        .replace("%M", "mm")
        .replace("%S", "ss")
}

/// Why a text is not a value of its type, in Italian.
fn type_problem_it(p: &TypeProblem) -> String {
    let readable = |formats: &[String]| {
        formats
            .iter()
            .map(|f| readable_format_it(f))
            .collect::<Vec<_>>()
            .join(" o ")
    };
    match p {
        TypeProblem::WholeNumber => "non è un numero intero".into(),
        TypeProblem::WholeNumberSeparator { sep } => {
            format!("non è un numero intero (separatore delle migliaia {sep:?} fuori posto)")
        }
        TypeProblem::WholeNumberTooLarge => {
            "numero intero troppo grande (più di 18 cifre)".into()
        }
        TypeProblem::Number => "non è un numero".into(),
        TypeProblem::NumberSeparator { sep } => {
            format!("non è un numero (separatore delle migliaia {sep:?} fuori posto)")
        }
        TypeProblem::NumberWithComma => "non è un numero (ha una virgola: scrivere decimal_separator = \",\" se il file usa la virgola decimale)".into(),
        TypeProblem::NumberWithDot => {
            "non è un numero (ha un punto: il campo dichiara decimal_separator = \",\")".into()
        }
        TypeProblem::NumberTooLarge => "numero troppo grande".into(),
        TypeProblem::YesNo {
            true_values,
            false_values,
        } => format!(
            "non è un valore sì/no (atteso uno tra {} o {})",
            true_values.join("/"),
            false_values.join("/")
        ),
        TypeProblem::Belfiore => "codice Belfiore sconosciuto (né comune né stato estero)".into(),
        TypeProblem::Sex => "sesso non valido (atteso M o F)".into(),
        TypeProblem::DateFormat { formats } => {
            format!("data non nel formato atteso ({})", readable(formats))
        }
        TypeProblem::DateTimeFormat { formats } => {
            format!("data e ora non nel formato atteso ({})", readable(formats))
        }
        TypeProblem::NoSuchDay => "data inesistente: quel mese non ha quel giorno".into(),
        TypeProblem::MonthOver12 { month_first: true } => {
            "data inesistente: il mese supera 12 (è scritta con il mese per primo?)".into()
        }
        TypeProblem::MonthOver12 { month_first: false } => {
            "data inesistente: il mese supera 12".into()
        }
        TypeProblem::NotARealDate => "data inesistente".into(),
    }
}

impl Sentences for Valid {
    type Description = Description;
    type Failure = Failure;
}

impl FieldKind for Valid {
    const KEYS: &'static [&'static str] = &["valid"];

    fn parse(cx: &mut FieldCx<'_, '_, '_, '_>, out: &mut Vec<(Self, CheckMeta)>) {
        let written = cx.table.get("valid");
        if matches!(cx.field_type, FieldType::String) && written.is_none() {
            return;
        }
        let table = match written {
            Some(n) => n.table(cx.diags(), "`valid`", META_KEYS),
            None => None,
        };
        let span = cx.table.key_span("type").unwrap_or(cx.key_span.clone());
        let field = cx.name.to_string();
        let type_name = cx.field_type.name().to_string();
        let meta = cx.meta(
            &KIND,
            table.as_ref(),
            format!("{field}.valid"),
            Description { field, type_name },
            span,
        );
        out.push((Valid, meta));
    }

    fn stage(&self) -> Stage {
        Stage::Type
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
    fn descriptions_agree_in_gender() {
        let valid = |t: &str| {
            both(&Description {
                field: "X".into(),
                type_name: t.into(),
            })
            .1
        };
        assert_eq!(valid("date"), "X deve essere una data valida");
        assert_eq!(valid("partita_iva"), "X deve essere una partita IVA valida");
        assert_eq!(
            valid("codice_fiscale"),
            "X deve essere un codice fiscale valido"
        );
        assert_eq!(valid("other"), "X deve essere un valore valido di tipo other");
        let d = Description {
            field: "X".into(),
            type_name: "date".into(),
        };
        assert_eq!(both(&d).0, "X must be a valid date");
    }

    #[test]
    fn type_errors_with_parameters_are_italian_throughout() {
        let detail = Failure::NotARealDate(DateError::DayOutOfRange {
            day: 31,
            month: 2,
            year: 2020,
        });
        assert_eq!(
            both(&detail),
            (
                "not a real date: day 31 does not exist in February 2020 (it has 29 days)".into(),
                "data inesistente: il giorno 31 non esiste in febbraio 2020 (ha 29 giorni)".into()
            )
        );
        let id = Failure::InvalidId {
            kind: IdKind::PartitaIva,
            error: IdError::WrongLength {
                len: 10,
                expected: 11,
            },
        };
        assert_eq!(
            both(&id),
            (
                "not a valid partita IVA: wrong length: 10 characters, expected 11".into(),
                "partita IVA non valida: lunghezza errata: 10 caratteri, attesi 11".into()
            )
        );
    }

    #[test]
    fn type_problems_are_italian_throughout() {
        let p = Failure::NotOfType(TypeProblem::DateFormat {
            formats: vec!["%d/%m/%Y".into(), "%Y-%m-%d".into()],
        });
        assert_eq!(
            both(&p),
            (
                "not a date in the expected format (dd/mm/yyyy or yyyy-mm-dd)".into(),
                "data non nel formato atteso (gg/mm/aaaa o aaaa-mm-gg)".into()
            )
        );
        let p = Failure::NotOfType(TypeProblem::YesNo {
            true_values: vec!["S".into(), "SI".into()],
            false_values: vec!["N".into()],
        });
        assert_eq!(both(&p).1, "non è un valore sì/no (atteso uno tra S/SI o N)");
        let p = Message::from(TypeProblem::WholeNumberTooLarge);
        assert_eq!(
            p.render(Lang::It),
            "numero intero troppo grande (più di 18 cifre)"
        );
        assert_eq!(p.to_string(), "whole number too large (more than 18 digits)");
    }
}
