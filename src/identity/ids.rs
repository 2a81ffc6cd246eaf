//! Other identifiers found in welfare extracts: ISEE DSU protocol numbers,
//! partita IVA, CAP (postcode), ISTAT municipality codes.

use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};

use super::codice_fiscale::luhn_it_check_digit;
use crate::messages::Sentence;

/// The range of Italian postcodes (00010 Rome area … 98168 Messina).
pub const ITALIAN_CAP_RANGE: RangeInclusive<u32> = 10..=98_168;

/// The first year of DSU protocols of the current ISEE (DPCM 159/2013, in
/// force from 1 January 2015).
pub const FIRST_DSU_YEAR: i32 = 2015;

/// What is wrong with an identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdError {
    /// Nothing but spaces.
    Empty,
    /// Wrong number of characters.
    WrongLength {
        /// Characters found.
        len: usize,
        /// Characters expected.
        expected: usize,
    },
    /// A non-digit where only digits are allowed.
    NotDigits,
    /// The check digit does not match.
    WrongCheckDigit {
        /// What it should be.
        expected: char,
        /// What it is.
        found: char,
    },
    /// An obviously fake value (`00000000000`).
    Placeholder,
    /// Not the expected shape; the text says which shape.
    Shape(&'static str),
    /// A year that cannot be right.
    ImplausibleYear {
        /// The year found.
        year: i32,
        /// Earliest acceptable year.
        min: i32,
        /// Latest acceptable year.
        max: i32,
    },
    /// Outside the accepted range.
    OutOfRange,
}

impl IdError {
    /// A sentence for a data owner (no identifier values).
    pub fn message(&self) -> String {
        match self {
            IdError::Empty => "the value is empty".to_owned(),
            IdError::WrongLength { len, expected } => {
                format!("wrong length: {len} characters, expected {expected}")
            }
            IdError::NotDigits => "only digits are allowed".to_owned(),
            IdError::WrongCheckDigit { expected, found } => {
                format!("check digit should be {expected}, found {found}")
            }
            IdError::Placeholder => "a placeholder value, not a real identifier".to_owned(),
            IdError::Shape(s) => format!("not in the expected form {s}"),
            IdError::ImplausibleYear { year, min, max } => {
                format!("year {year} is not plausible (expected {min}-{max})")
            }
            IdError::OutOfRange => "outside the accepted range".to_owned(),
        }
    }
}

impl Sentence for IdError {
    fn en(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }

    fn it(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            IdError::Empty => f.write_str("il valore è vuoto"),
            IdError::WrongLength { len, expected } => write!(
                f,
                "lunghezza errata: {}, attesi {expected}",
                crate::messages::it::count(len as u64, "carattere", "caratteri")
            ),
            IdError::NotDigits => f.write_str("sono ammesse solo cifre"),
            IdError::WrongCheckDigit { expected, found } => {
                write!(
                    f,
                    "la cifra di controllo dovrebbe essere {expected}, trovato {found}"
                )
            }
            IdError::Placeholder => f.write_str("un valore segnaposto, non un vero identificativo"),
            IdError::Shape(s) => write!(f, "non nella forma attesa {s}"),
            IdError::ImplausibleYear { year, min, max } => {
                write!(
                    f,
                    "l'anno {year} non è plausibile (atteso tra {min} e {max})"
                )
            }
            IdError::OutOfRange => f.write_str("fuori dall'intervallo ammesso"),
        }
    }

    fn examples() -> Vec<Self> {
        vec![
            IdError::Empty,
            IdError::WrongLength {
                len: 1,
                expected: 11,
            },
            IdError::WrongLength {
                len: 2,
                expected: 11,
            },
            IdError::NotDigits,
            IdError::WrongCheckDigit {
                expected: '1',
                found: '2',
            },
            IdError::Placeholder,
            IdError::Shape(""),
            IdError::ImplausibleYear {
                year: 1900,
                min: 2015,
                max: 2026,
            },
            IdError::OutOfRange,
        ]
    }
}

impl std::fmt::Display for IdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for IdError {}

/// A DSU (ISEE declaration) protocol number, `INPS-ISEE-YYYY-XXXXXXXXX-NN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DsuProtocol {
    /// Year of submission.
    pub year: i32,
    /// The 9-character serial.
    pub serial: String,
    /// The 2-digit suffix (usually `00`).
    pub suffix: u8,
}

const DSU_SHAPE: &str = "INPS-ISEE-YYYY-XXXXXXXXX-NN";

/// Validates a DSU protocol number (case-insensitive, spaces around
/// ignored): shape `INPS-ISEE-YYYY-XXXXXXXXX-NN` (9 letters or digits, 2
/// digits) and a year from 2015 to the reference date's year.
pub fn parse_dsu_protocol(s: &str, reference: NaiveDate) -> Result<DsuProtocol, IdError> {
    let s = s.trim().to_ascii_uppercase();
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    let parts: Vec<&str> = s.split('-').collect();
    let [inps, isee, year, serial, suffix] = parts[..] else {
        return Err(IdError::Shape(DSU_SHAPE));
    };
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    let ok = inps == "INPS"
        && isee == "ISEE"
        && digits(year, 4)
        && serial.len() == 9
        && serial.bytes().all(|b| b.is_ascii_alphanumeric())
        && digits(suffix, 2);
    if !ok {
        return Err(IdError::Shape(DSU_SHAPE));
    }
    let year: i32 = year.parse().map_err(|_| IdError::Shape(DSU_SHAPE))?;
    let max = reference.year();
    if !(FIRST_DSU_YEAR..=max).contains(&year) {
        return Err(IdError::ImplausibleYear {
            year,
            min: FIRST_DSU_YEAR,
            max,
        });
    }
    Ok(DsuProtocol {
        year,
        serial: serial.to_owned(),
        suffix: suffix.parse().map_err(|_| IdError::Shape(DSU_SHAPE))?,
    })
}

/// Validates a partita IVA: 11 digits (an `IT` prefix and spaces are
/// ignored) with the check digit of the Luhn-like algorithm also used by
/// provisional codici fiscali. All zeros is a placeholder.
pub fn validate_partita_iva(s: &str) -> Result<String, IdError> {
    let mut t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return Err(IdError::Empty);
    }
    if t.len() == 13 && t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("IT")) {
        t.drain(..2);
    }
    let b = t.as_bytes();
    if !b.iter().all(u8::is_ascii_digit) {
        return Err(IdError::NotDigits);
    }
    if b.len() != 11 {
        return Err(IdError::WrongLength {
            len: b.len(),
            expected: 11,
        });
    }
    if b.iter().all(|&c| c == b'0') {
        return Err(IdError::Placeholder);
    }
    let expected = luhn_it_check_digit(&b[..10]).unwrap_or(0);
    if b[10] - b'0' != expected {
        return Err(IdError::WrongCheckDigit {
            expected: char::from(b'0' + expected),
            found: char::from(b[10]),
        });
    }
    Ok(t)
}

/// Validates a CAP: exactly 5 digits (spaces around ignored) within the
/// Italian range. A 4-digit value is not accepted: spreadsheets drop the
/// leading zero of Rome's `00118`, and that is worth reporting.
pub fn validate_cap(s: &str) -> Result<u32, IdError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(IdError::Empty);
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::NotDigits);
    }
    if t.len() != 5 {
        return Err(IdError::WrongLength {
            len: t.len(),
            expected: 5,
        });
    }
    let v: u32 = t.parse().map_err(|_| IdError::NotDigits)?;
    if !ITALIAN_CAP_RANGE.contains(&v) {
        return Err(IdError::OutOfRange);
    }
    Ok(v)
}

/// [`validate_cap`], then checks that the CAP is in one of `ranges` (e.g.
/// Bologna's `40121..=40141`).
pub fn validate_cap_in(s: &str, ranges: &[RangeInclusive<u32>]) -> Result<u32, IdError> {
    let v = validate_cap(s)?;
    if ranges.iter().any(|r| r.contains(&v)) {
        Ok(v)
    } else {
        Err(IdError::OutOfRange)
    }
}

/// An ISTAT municipality code: 3-digit province + 3-digit progressive
/// number (`037006` Bologna).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IstatCode {
    /// Province code (`037`).
    pub province: u16,
    /// Progressive number within the province (`006`).
    pub progressive: u16,
    /// The input had lost leading zeros (`37006`) and was padded.
    pub padded: bool,
}

impl IstatCode {
    /// The six-digit form.
    pub fn as_string(&self) -> String {
        format!("{:03}{:03}", self.province, self.progressive)
    }
}

/// Validates an ISTAT municipality code: 6 digits, province and progressive
/// not zero. 4 or 5 digits are accepted as a code that lost its leading zeros
/// in a spreadsheet, and flagged with `padded`.
pub fn parse_istat_code(s: &str) -> Result<IstatCode, IdError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(IdError::Empty);
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::NotDigits);
    }
    if !(4..=6).contains(&t.len()) {
        return Err(IdError::WrongLength {
            len: t.len(),
            expected: 6,
        });
    }
    let v: u32 = t.parse().map_err(|_| IdError::NotDigits)?;
    let province = (v / 1000) as u16;
    let progressive = (v % 1000) as u16;
    if province == 0 || progressive == 0 {
        return Err(IdError::OutOfRange);
    }
    Ok(IstatCode {
        province,
        progressive,
        padded: t.len() < 6,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};
    use proptest::prelude::*;

    #[test]
    fn errors_are_said_in_both_languages() {
        let it = |e: &IdError| In(e, Lang::It).to_string();
        let one = IdError::WrongLength {
            len: 1,
            expected: 11,
        };
        assert_eq!(it(&one), "lunghezza errata: 1 carattere, attesi 11");
        assert_eq!(
            In(&one, Lang::En).to_string(),
            "wrong length: 1 characters, expected 11"
        );
        for e in IdError::examples() {
            assert_ne!(In(&e, Lang::En).to_string(), it(&e), "not translated");
        }
    }

    fn r() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    #[test]
    fn dsu() {
        let p = parse_dsu_protocol("INPS-ISEE-2023-A1B2C3D4E-00", r());
        assert_eq!(
            p,
            Ok(DsuProtocol {
                year: 2023,
                serial: "A1B2C3D4E".to_owned(),
                suffix: 0
            })
        );
        assert!(parse_dsu_protocol(" inps-isee-2019-123456789-01 ", r()).is_ok());
        assert_eq!(
            parse_dsu_protocol("INPS-ISEE-2014-123456789-00", r()),
            Err(IdError::ImplausibleYear {
                year: 2014,
                min: 2015,
                max: 2026
            })
        );
        assert!(matches!(
            parse_dsu_protocol("INPS-ISEE-2027-123456789-00", r()),
            Err(IdError::ImplausibleYear { .. })
        ));
        for bad in [
            "INPS-ISEE-2023-12345678-00",
            "INPS-ISE-2023-123456789-00",
            "INPS-ISEE-2023-123456789-0",
            "INPS-ISEE-23-123456789-00",
            "CAF-2023-1",
            "INPS-ISEE-2023-12345678é-00",
        ] {
            assert_eq!(
                parse_dsu_protocol(bad, r()),
                Err(IdError::Shape(DSU_SHAPE)),
                "{bad}"
            );
        }
        assert_eq!(parse_dsu_protocol("", r()), Err(IdError::Empty));
    }

    #[test]
    fn partita_iva() {
        assert_eq!(
            validate_partita_iva("12345678903"),
            Ok("12345678903".to_owned())
        );
        assert_eq!(
            validate_partita_iva("IT 01234567897"),
            Ok("01234567897".to_owned())
        );
        assert_eq!(
            validate_partita_iva("12345678901"),
            Err(IdError::WrongCheckDigit {
                expected: '3',
                found: '1'
            })
        );
        assert_eq!(
            validate_partita_iva("00000000000"),
            Err(IdError::Placeholder)
        );
        assert_eq!(
            validate_partita_iva("1234567890"),
            Err(IdError::WrongLength {
                len: 10,
                expected: 11
            })
        );
        assert_eq!(validate_partita_iva("1234567890A"), Err(IdError::NotDigits));
    }

    #[test]
    fn cap() {
        assert_eq!(validate_cap("40121"), Ok(40121));
        assert_eq!(validate_cap("00118"), Ok(118));
        assert_eq!(
            validate_cap("118"),
            Err(IdError::WrongLength {
                len: 3,
                expected: 5
            })
        );
        assert_eq!(validate_cap("99999"), Err(IdError::OutOfRange));
        assert_eq!(validate_cap("4012A"), Err(IdError::NotDigits));
        assert_eq!(validate_cap_in("40121", &[40121..=40141]), Ok(40121));
        assert_eq!(
            validate_cap_in("20121", &[40121..=40141]),
            Err(IdError::OutOfRange)
        );
    }

    #[test]
    fn istat() {
        let c = parse_istat_code("037006");
        assert_eq!(
            c,
            Ok(IstatCode {
                province: 37,
                progressive: 6,
                padded: false
            })
        );
        assert_eq!(c.map(|c| c.as_string()), Ok("037006".to_owned()));
        assert_eq!(parse_istat_code("37006").map(|c| c.padded), Ok(true));
        assert_eq!(parse_istat_code("000006"), Err(IdError::OutOfRange));
        assert_eq!(parse_istat_code("037000"), Err(IdError::OutOfRange));
        assert!(parse_istat_code("0370061").is_err());
        assert!(parse_istat_code("03700A").is_err());
    }

    proptest! {
        #[test]
        fn never_panic(s in "\\PC{0,30}") {
            let _ = parse_dsu_protocol(&s, r());
            let _ = validate_partita_iva(&s);
            let _ = validate_cap(&s);
            let _ = parse_istat_code(&s);
        }

        #[test]
        fn partita_iva_single_digit_errors_are_caught(n in 0u64..10_000_000_000, pos in 0usize..11, delta in 1u8..10) {
            let first10 = format!("{n:010}");
            let check = luhn_it_check_digit(first10.as_bytes()).unwrap_or(0);
            let valid = format!("{first10}{check}");
            if valid.bytes().all(|b| b == b'0') { return Ok(()); }
            prop_assert!(validate_partita_iva(&valid).is_ok());
            let mut b = valid.into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(b).unwrap_or_default();
            prop_assert!(validate_partita_iva(&changed).is_err());
        }
    }
}
