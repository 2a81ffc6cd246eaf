//! Field types: how the text of a cell becomes a typed [`Value`].
//!
//! The names follow Frictionless Table Schema where they fit (`string`,
//! `integer`, `number`, `date`, `datetime`, `boolean`), with Italian
//! conventions built in (decimal comma, `S`/`N` booleans, `dd/mm/yyyy`
//! dates) and the Italian identity types of [`crate::identity`].

use std::borrow::Cow;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

use crate::checks::valid::{Failure as Invalid, IdKind, TypeProblem};
use crate::identity::belfiore::{self, Validity};
use crate::identity::codice_fiscale::{self, CfClass, Sex};
use crate::identity::dates::{DateError, DateFormats};
use crate::identity::ids;
use crate::messages::Message;
use crate::value::{Value, ValueType};

/// A field's declared type with its parsing options.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// Any text.
    String,
    /// A whole number, optionally with thousands separators.
    Integer {
        /// Thousands separator accepted between groups of three digits.
        thousands: Option<char>,
    },
    /// A decimal number.
    Decimal {
        /// The decimal separator (`.` or `,`).
        decimal: char,
        /// Thousands separator accepted between groups of three digits.
        thousands: Option<char>,
    },
    /// A date in one of the listed formats (strftime-style).
    Date {
        /// Accepted formats, tried in order.
        formats: Vec<String>,
        /// The formats compiled (common ones are parsed by hand-written code).
        parser: DateFormats,
        /// The run's date, for two-digit years.
        reference: NaiveDate,
    },
    /// A date and time in one of the listed formats.
    DateTime {
        /// Accepted formats, tried in order.
        formats: Vec<String>,
    },
    /// A codice fiscale: 16 characters (omocodes included) with a correct
    /// check character, a real birth date and a place code valid at that
    /// date; or an 11-digit provisional code when `provisional` allows it.
    CodiceFiscale {
        /// Accept 11-digit provisional codes.
        provisional: bool,
        /// The run's date, for the century of the birth year.
        reference: NaiveDate,
    },
    /// A partita IVA: 11 digits with a correct check digit.
    PartitaIva,
    /// A CAP (postal code): 5 digits.
    Cap,
    /// An ISTAT municipality code: 6 digits.
    IstatComune,
    /// A Belfiore (cadastral) code of a municipality or a foreign country.
    Belfiore,
    /// An ISEE declaration (DSU) protocol, `INPS-ISEE-YYYY-XXXXXXXXX-NN`.
    IseeProtocol {
        /// The run's date, for plausible years.
        reference: NaiveDate,
    },
    /// Sex: M or F (also MASCHIO/FEMMINA, 1/2).
    Sex,
    /// A yes/no value.
    Boolean {
        /// Values read as true (compared case-insensitively).
        true_values: Vec<String>,
        /// Values read as false (compared case-insensitively).
        false_values: Vec<String>,
    },
}

/// The type names a rule file may use, with a line of documentation each.
pub const TYPE_NAMES: &[(&str, &str)] = &[
    ("string", "any text"),
    (
        "integer",
        "a whole number; `thousands_separator` allows 1.234",
    ),
    (
        "decimal",
        "a number; `decimal_separator = \",\"` for 1.234,56 (alias: number)",
    ),
    (
        "date",
        "a date in one of `format` (default %Y-%m-%d and %d/%m/%Y)",
    ),
    ("datetime", "a date and time in one of `format`"),
    (
        "boolean",
        "S/N, SI/NO, 1/0, true/false (or `true_values`/`false_values`)",
    ),
    (
        "codice_fiscale",
        "a personal codice fiscale (omocodes too; 11-digit provisional codes unless `provisional = false`); adds the place_in_use check (alias: cf)",
    ),
    (
        "partita_iva",
        "an 11-digit partita IVA with a correct check digit",
    ),
    ("cap", "a 5-digit Italian postcode"),
    ("istat_comune", "an ISTAT municipality code, 6 digits (5 are padded)"),
    (
        "belfiore",
        "a Belfiore code of a municipality or foreign country (H501, Z404), by the ANPR tables",
    ),
    (
        "isee_protocol",
        "an ISEE declaration protocol, INPS-ISEE-YYYY-XXXXXXXXX-NN (alias: dsu_protocol)",
    ),
    ("sex", "M or F (also MASCHIO/FEMMINA, 1/2) (alias: sesso)"),
];

/// Default date formats when a date field lists none.
pub const DEFAULT_DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%d/%m/%Y"];
/// Default datetime formats when a datetime field lists none.
pub const DEFAULT_DATETIME_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
];
/// Default values read as true.
pub const DEFAULT_TRUE: &[&str] = &["S", "SI", "SÌ", "Y", "YES", "1", "TRUE", "T", "VERO", "V"];
/// Default values read as false.
pub const DEFAULT_FALSE: &[&str] = &["N", "NO", "0", "FALSE", "F", "FALSO"];

/// Why a cell is not a valid value of its type. `message` never contains
/// the cell's value nor a part of it that identifies a person; `detail`,
/// shown only with `--show-pii`, may.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeError {
    /// What is wrong, for a data owner, without personal data.
    pub message: Message,
    /// A more precise message that may quote parts of the value.
    pub detail: Option<Message>,
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

fn type_error(message: impl Into<Message>) -> TypeError {
    TypeError {
        message: message.into(),
        detail: None,
    }
}

fn invalid_id(kind: IdKind, error: ids::IdError) -> TypeError {
    type_error(Invalid::InvalidId { kind, error })
}

/// How the Excel reader writes a typed date cell (a date without a time).
pub const TYPED_DATE_FORMAT: &str = "%Y-%m-%d";

impl FieldType {
    /// The type for a source whose date cells are typed (Excel): a `date`
    /// also accepts [`TYPED_DATE_FORMAT`], the text the reader gives a date
    /// cell, so that a rule file written for the CSV delivery of an extract
    /// (`format = ["%d/%m/%Y"]`) serves its Excel delivery too. Messages
    /// keep naming the declared formats. Other types are unchanged.
    pub fn for_typed_cells(&self) -> FieldType {
        match self {
            FieldType::Date {
                formats,
                parser,
                reference,
            } if !formats.iter().any(|f| f == TYPED_DATE_FORMAT) => {
                let mut all = formats.clone();
                all.push(TYPED_DATE_FORMAT.to_string());
                FieldType::Date {
                    formats: formats.clone(),
                    parser: DateFormats::new(&all).unwrap_or_else(|_| parser.clone()),
                    reference: *reference,
                }
            }
            other => other.clone(),
        }
    }

    /// The value type this field type produces.
    pub fn value_type(&self) -> ValueType {
        match self {
            FieldType::String => ValueType::Text,
            FieldType::Integer { .. } => ValueType::Int,
            FieldType::Decimal { .. } => ValueType::Decimal,
            FieldType::Date { .. } => ValueType::Date,
            FieldType::DateTime { .. } => ValueType::DateTime,
            FieldType::Boolean { .. } => ValueType::Bool,
            FieldType::CodiceFiscale { .. }
            | FieldType::PartitaIva
            | FieldType::Cap
            | FieldType::IstatComune
            | FieldType::Belfiore
            | FieldType::IseeProtocol { .. }
            | FieldType::Sex => ValueType::Text,
        }
    }

    /// The name of the type as written in rule files.
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer { .. } => "integer",
            FieldType::Decimal { .. } => "decimal",
            FieldType::Date { .. } => "date",
            FieldType::DateTime { .. } => "datetime",
            FieldType::Boolean { .. } => "boolean",
            FieldType::CodiceFiscale { .. } => "codice_fiscale",
            FieldType::PartitaIva => "partita_iva",
            FieldType::Cap => "cap",
            FieldType::IstatComune => "istat_comune",
            FieldType::Belfiore => "belfiore",
            FieldType::IseeProtocol { .. } => "isee_protocol",
            FieldType::Sex => "sex",
        }
    }

    /// Parses a trimmed, non-missing cell.
    pub fn parse<'a>(&self, text: &'a str) -> Result<Value<'a>, TypeError> {
        match self {
            FieldType::String => Ok(Value::Text(Cow::Borrowed(text))),
            FieldType::Integer { thousands } => parse_integer(text, *thousands).map(Value::Int),
            FieldType::Decimal { decimal, thousands } => {
                parse_decimal(text, *decimal, *thousands).map(Value::Decimal)
            }
            FieldType::Date {
                formats,
                parser,
                reference,
            } => parse_date(text, formats, parser, *reference).map(Value::Date),
            FieldType::DateTime { formats } => parse_datetime(text, formats).map(Value::DateTime),
            FieldType::Boolean {
                true_values,
                false_values,
            } => {
                if true_values.iter().any(|t| {
                    t.eq_ignore_ascii_case(text) || t.to_uppercase() == text.to_uppercase()
                }) {
                    Ok(Value::Bool(true))
                } else if false_values.iter().any(|f| f.eq_ignore_ascii_case(text)) {
                    Ok(Value::Bool(false))
                } else {
                    Err(type_error(TypeProblem::YesNo {
                        true_values: true_values.clone(),
                        false_values: false_values.clone(),
                    }))
                }
            }
            FieldType::CodiceFiscale {
                provisional,
                reference,
            } => parse_cf(text, *provisional, *reference),
            FieldType::PartitaIva => ids::validate_partita_iva(text)
                .map(|_| Value::Text(Cow::Borrowed(text)))
                .map_err(|error| invalid_id(IdKind::PartitaIva, error)),
            FieldType::Cap => ids::validate_cap(text)
                .map(|_| Value::Text(Cow::Borrowed(text)))
                .map_err(|error| invalid_id(IdKind::Cap, error)),
            FieldType::IstatComune => ids::parse_istat_code(text)
                .map(|_| Value::Text(Cow::Borrowed(text)))
                .map_err(|error| invalid_id(IdKind::IstatComune, error)),
            FieldType::IseeProtocol { reference } => ids::parse_dsu_protocol(text, *reference)
                .map(|_| Value::Text(Cow::Borrowed(text)))
                .map_err(|error| invalid_id(IdKind::IseeProtocol, error)),
            FieldType::Belfiore => {
                let code = text.to_ascii_uppercase();
                if belfiore::place(&code).is_some() {
                    Ok(Value::Text(Cow::Owned(code)))
                } else {
                    Err(type_error(TypeProblem::Belfiore))
                }
            }
            FieldType::Sex => match Sex::parse(text) {
                Some(s) => Ok(Value::Text(Cow::Borrowed(s.as_str()))),
                None => Err(type_error(TypeProblem::Sex)),
            },
        }
    }
}

/// Checks a codice fiscale; the value is the code as written, normalised
/// (uppercase, no spaces).
fn parse_cf(text: &str, provisional: bool, reference: NaiveDate) -> Result<Value<'_>, TypeError> {
    let bytes = text.as_bytes();
    let clean = bytes.len() == 16
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let value = || {
        if clean {
            Value::Text(Cow::Borrowed(text))
        } else {
            Value::Text(Cow::Owned(codice_fiscale::normalize(text)))
        }
    };
    // The hot path: a well-formed personal code decodes without allocating.
    let decoded = if clean {
        codice_fiscale::decode(bytes, reference).map(Some)
    } else {
        match codice_fiscale::classify(text, reference) {
            CfClass::Personal(d) => Ok(Some(d)),
            CfClass::Provisional if provisional => Ok(None),
            CfClass::Provisional => return Err(type_error(Invalid::ProvisionalNotAllowed)),
            CfClass::Placeholder => return Err(type_error(Invalid::CfPlaceholder)),
            CfClass::Malformed(e) => Err(e),
        }
    };
    match decoded {
        Ok(None) => Ok(value()),
        // A place code not in use on the birth date is its own check
        // (VG109): such codes were issued.
        Ok(Some(d)) => match d.place_validity() {
            Validity::Unknown => Err(type_error(Invalid::CfUnknownPlace)),
            _ => Ok(value()),
        },
        Err(e) => {
            if codice_fiscale::is_placeholder(&codice_fiscale::normalize(text)) {
                return Err(type_error(Invalid::CfPlaceholder));
            }
            Err(type_error(Invalid::InvalidCf(e)))
        }
    }
}

/// Copies the digits of `int_part` (with an optional sign) into `out`,
/// skipping thousands separators and checking that they separate groups of
/// exactly three digits. Returns `false` when the grouping is wrong.
fn push_grouped(int_part: &str, sep: Option<char>, out: &mut Digits) -> bool {
    let (sign, digits) = match int_part.strip_prefix(['-', '+']) {
        Some(rest) => (&int_part[..1], rest),
        None => ("", int_part),
    };
    out.push_str(sign);
    match sep {
        Some(sep) if digits.contains(sep) => {
            let mut groups = digits.split(sep);
            let first = groups.next().unwrap_or("");
            if first.is_empty() || first.len() > 3 {
                return false;
            }
            out.push_str(first);
            for g in groups {
                if g.len() != 3 {
                    return false;
                }
                out.push_str(g);
            }
            true
        }
        _ => {
            out.push_str(digits);
            true
        }
    }
}

/// A small buffer for normalised numbers: on the stack up to 64 bytes, so
/// parsing allocates nothing for ordinary values.
struct Digits {
    buf: [u8; 64],
    len: usize,
    spill: Option<String>,
}

impl Digits {
    fn new() -> Digits {
        Digits {
            buf: [0; 64],
            len: 0,
            spill: None,
        }
    }

    fn push_str(&mut self, s: &str) {
        if let Some(spill) = &mut self.spill {
            spill.push_str(s);
        } else if self.len + s.len() <= self.buf.len() {
            self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            let mut spill = String::from_utf8_lossy(&self.buf[..self.len]).into_owned();
            spill.push_str(s);
            self.spill = Some(spill);
        }
    }

    fn as_str(&self) -> &str {
        match &self.spill {
            Some(s) => s,
            // Only whole &str slices are ever copied in, so this is UTF-8.
            None => std::str::from_utf8(&self.buf[..self.len]).unwrap_or(""),
        }
    }
}

fn parse_integer(text: &str, thousands: Option<char>) -> Result<i64, TypeError> {
    // The common case, plain digits: nothing to take out, nothing to copy.
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .map_err(|_| type_error(TypeProblem::WholeNumberTooLarge));
    }
    let mut digits = Digits::new();
    if !push_grouped(text, thousands, &mut digits) {
        let sep = thousands.unwrap_or(',');
        return Err(type_error(TypeProblem::WholeNumberSeparator { sep }));
    }
    let digits = digits.as_str();
    let body = digits.strip_prefix(['-', '+']).unwrap_or(digits);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(type_error(TypeProblem::WholeNumber));
    }
    digits
        .parse::<i64>()
        .map_err(|_| type_error(TypeProblem::WholeNumberTooLarge))
}

fn parse_decimal(text: &str, decimal: char, thousands: Option<char>) -> Result<f64, TypeError> {
    let (int_part, frac_part) = match text.rfind(decimal) {
        Some(i) => (&text[..i], Some(&text[i + decimal.len_utf8()..])),
        None => (text, None),
    };
    let mut normal = Digits::new();
    if !push_grouped(int_part, thousands, &mut normal) {
        let sep = thousands.unwrap_or(',');
        return Err(type_error(TypeProblem::NumberSeparator { sep }));
    }
    let int_clean = normal.as_str();
    let body = int_clean.strip_prefix(['-', '+']).unwrap_or(int_clean);
    let body_len = body.len();
    let frac_ok = frac_part.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    let int_ok =
        body.bytes().all(|b| b.is_ascii_digit()) && (!body.is_empty() || frac_part.is_some());
    if !int_ok || !frac_ok || (body.is_empty() && frac_part.is_none()) {
        let problem = if decimal == '.' && text.contains(',') {
            TypeProblem::NumberWithComma
        } else if decimal == ',' && text.contains('.') && thousands.is_none() {
            TypeProblem::NumberWithDot
        } else {
            TypeProblem::Number
        };
        return Err(type_error(problem));
    }
    if body_len > 300 {
        return Err(type_error(TypeProblem::NumberTooLarge));
    }
    if let Some(f) = frac_part {
        normal.push_str(".");
        normal.push_str(f);
    }
    normal
        .as_str()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| type_error(TypeProblem::Number))
}

/// Human-readable form of strftime patterns: `%d/%m/%Y` → `dd/mm/yyyy`.
pub fn readable_format(format: &str) -> String {
    format
        .replace("%d", "dd")
        .replace("%m", "mm")
        .replace("%Y", "yyyy")
        .replace("%y", "yy")
        .replace("%H", "HH")
        .replace("%M", "MM")
        .replace("%S", "SS")
}

fn parse_date(
    text: &str,
    formats: &[String],
    parser: &DateFormats,
    reference: NaiveDate,
) -> Result<NaiveDate, TypeError> {
    match parser.parse(text, reference) {
        Ok(d) => Ok(d),
        Err(DateError::NoFormatMatched) | Err(DateError::NotADate) => {
            Err(type_error(TypeProblem::DateFormat {
                formats: formats.to_vec(),
            }))
        }
        Err(e @ DateError::DayOutOfRange { .. }) => Err(TypeError {
            message: TypeProblem::NoSuchDay.into(),
            detail: Some(Invalid::NotARealDate(e).into()),
        }),
        Err(
            e @ DateError::MonthOutOfRange {
                maybe_month_first, ..
            },
        ) => Err(TypeError {
            message: TypeProblem::MonthOver12 {
                month_first: maybe_month_first,
            }
            .into(),
            detail: Some(Invalid::NotARealDate(e).into()),
        }),
        Err(e) => Err(TypeError {
            message: TypeProblem::NotARealDate.into(),
            detail: Some(Invalid::NotARealDate(e).into()),
        }),
    }
}

fn parse_datetime(text: &str, formats: &[String]) -> Result<NaiveDateTime, TypeError> {
    for f in formats {
        if let Ok(d) = NaiveDateTime::parse_from_str(text, f) {
            return Ok(d);
        }
    }
    Err(type_error(TypeProblem::DateTimeFormat {
        formats: formats.to_vec(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(decimal: char, thousands: Option<char>) -> FieldType {
        FieldType::Decimal { decimal, thousands }
    }

    #[test]
    fn integers() {
        let t = FieldType::Integer { thousands: None };
        assert_eq!(t.parse("42"), Ok(Value::Int(42)));
        assert_eq!(t.parse("-7"), Ok(Value::Int(-7)));
        assert!(t.parse("4.2").is_err());
        assert!(t.parse("").is_err());
        assert!(t.parse("1".repeat(400).as_str()).is_err());
        let t = FieldType::Integer {
            thousands: Some('.'),
        };
        assert_eq!(t.parse("1.234.567"), Ok(Value::Int(1_234_567)));
        assert!(t.parse("1.23").is_err());
    }

    #[test]
    fn decimals_with_comma() {
        assert_eq!(
            dec(',', Some('.')).parse("1.234,56"),
            Ok(Value::Decimal(1234.56))
        );
        assert_eq!(dec(',', None).parse("0,5"), Ok(Value::Decimal(0.5)));
        assert_eq!(dec('.', None).parse("12"), Ok(Value::Decimal(12.0)));
        assert_eq!(dec('.', None).parse(".5"), Ok(Value::Decimal(0.5)));
        let e = dec('.', None).parse("1,5").unwrap_err();
        assert!(
            e.message.to_string().contains("decimal_separator"),
            "{}",
            e.message.to_string()
        );
        assert!(dec(',', Some('.')).parse("1.5").is_err());
        assert!(dec('.', None).parse("-").is_err());
        assert!(dec('.', None).parse("1e5").is_err());
        assert!(dec('.', None).parse(&"9".repeat(400)).is_err());
    }

    #[test]
    fn dates() {
        let formats = vec!["%d/%m/%Y".to_string(), "%Y-%m-%d".to_string()];
        let t = FieldType::Date {
            parser: DateFormats::new(&formats).unwrap_or_else(|e| panic!("{e:?}")),
            formats,
            reference: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
        };
        let d = NaiveDate::from_ymd_opt(2020, 2, 29)
            .map(Value::Date)
            .unwrap_or(Value::Null);
        assert_eq!(t.parse("29/02/2020"), Ok(d.clone()));
        assert_eq!(t.parse("2020-02-29"), Ok(d));
        let e = t.parse("31/02/2020").unwrap_err();
        assert_eq!(
            e.message.to_string(),
            "not a real date: no such day in that month"
        );
        assert!(!e.message.to_string().contains("2020"));
        assert_eq!(
            e.detail.map(|d| d.to_string()).as_deref(),
            Some("not a real date: day 31 does not exist in February 2020 (it has 29 days)")
        );
        let e = t.parse("2020/02/01").unwrap_err();
        assert!(
            e.message.to_string().contains("dd/mm/yyyy or yyyy-mm-dd"),
            "{}",
            e.message.to_string()
        );
    }

    fn cf_type() -> FieldType {
        FieldType::CodiceFiscale {
            provisional: true,
            reference: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
        }
    }

    #[test]
    fn codice_fiscale() {
        let t = cf_type();
        assert_eq!(
            t.parse("RSSMRA80A01H501U"),
            Ok(Value::Text(Cow::Borrowed("RSSMRA80A01H501U")))
        );
        assert_eq!(
            t.parse("rssmra80a01h501u"),
            Ok(Value::Text(Cow::Owned("RSSMRA80A01H501U".into())))
        );
        let e = t.parse("RSSMRA80A01H501X").unwrap_err();
        assert_eq!(
            e.message.to_string(),
            "not a valid codice fiscale: check character should be U, found X"
        );
        assert_eq!(
            t.parse("XXXXXXXXXXXXXXXX").unwrap_err().message.to_string(),
            "a placeholder, not a real codice fiscale"
        );
        // Bazzano (A726) ceased on 2013-12-31: a child born in 2015 cannot have it.
        let with_place = |first11: &str, place: &str| {
            let first15 = format!("{first11}{place}");
            let check =
                crate::identity::codice_fiscale::check_char(first15.as_bytes()).unwrap_or('?');
            format!("{first15}{check}")
        };
        assert!(
            t.parse(&with_place("RSSMRA12C01", "A726")).is_ok(),
            "born 2012 in Bazzano"
        );
        // Valsamoggia (M320) exists from 2014: a code that says 2010 (or
        // 1910) with it is valid, and fails its own check (VG109).
        let code = with_place("RSSMRA10C01", "M320");
        assert!(t.parse(&code).is_ok());
        let reference = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        assert!(
            crate::checks::place_in_use::check(&code, reference).is_some_and(|m| Message::from(m)
                .to_string()
                .contains("not in use on the birth date"))
        );
        // Read as 2015 the code A726 is expired; as 1915 it was in use. The
        // code alone cannot tell (cf_consistent, given the record's birth
        // date, can), so the type accepts it.
        assert!(
            t.parse(&with_place("RSSMRA15C01", "A726")).is_ok(),
            "born 1915 in Bazzano?"
        );
        let e = t.parse(&with_place("RSSMRA15C01", "Z999")).unwrap_err();
        assert!(
            e.message.to_string().contains("not a known municipality"),
            "{}",
            e.message.to_string()
        );
        // Provisional 11-digit codes, accepted unless the field forbids them.
        let digit =
            crate::identity::codice_fiscale::luhn_it_check_digit(b"0123456789").unwrap_or(0);
        let prov = format!("0123456789{digit}");
        assert!(t.parse(&prov).is_ok());
        let strict = FieldType::CodiceFiscale {
            provisional: false,
            reference: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
        };
        assert!(strict
            .parse(&prov)
            .unwrap_err()
            .message
            .to_string()
            .contains("provisional"));
        let wrong = format!("0123456789{}", (digit + 1) % 10);
        assert!(t
            .parse(&wrong)
            .unwrap_err()
            .message
            .to_string()
            .contains("check digit"));
    }

    #[test]
    fn italian_identifiers() {
        assert!(FieldType::Cap.parse("40121").is_ok());
        assert!(FieldType::Cap.parse("4012").is_err());
        assert!(FieldType::Belfiore.parse("a944").is_ok());
        assert!(FieldType::Belfiore.parse("Z999").is_err());
        assert_eq!(
            FieldType::Sex.parse("femmina"),
            Ok(Value::Text(Cow::Owned("F".into())))
        );
        assert!(FieldType::Sex.parse("X").is_err());
        assert!(FieldType::IstatComune.parse("037006").is_ok());
    }

    #[test]
    fn booleans() {
        let t = FieldType::Boolean {
            true_values: DEFAULT_TRUE.iter().map(|s| s.to_string()).collect(),
            false_values: DEFAULT_FALSE.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(t.parse("s"), Ok(Value::Bool(true)));
        assert_eq!(t.parse("Sì"), Ok(Value::Bool(true)));
        assert_eq!(t.parse("NO"), Ok(Value::Bool(false)));
        assert!(t.parse("forse").is_err());
    }
}
