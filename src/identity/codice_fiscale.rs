//! The codice fiscale (CF) of a natural person.
//!
//! `SSS NNN YY M DD LLLL C`: surname code, name code, year, month letter, day
//! (+40 for women), place of birth (Belfiore code, see [`super::belfiore`]),
//! check character. The rules are DM 23/12/1976; the details implemented here
//! are in the project's domain notes (section 1).
//!
//! * [`normalize`] and [`classify`]: personal (16 characters), provisional
//!   (11 digits, partita-IVA check digit), placeholder (`XXXXXXXXXXXXXXXX`,
//!   `0000000000000000`, `NON DISPONIBILE`…) or malformed.
//! * [`decode`]: validates the structure and the check character and decodes
//!   birth date, sex and place. It takes `&[u8]`, allocates nothing and returns
//!   a small `Copy` struct ([`Decoded`]), or a [`CfError`] whose
//!   [`CfError::message`] a data owner understands.
//! * Omocodia: [`base_form`], [`omocode_variants`] (all 128),
//!   [`omocode_of_level`] (the official right-to-left substitution).
//! * [`encode`], [`surname_code`], [`name_code`]: compute a CF from a person.
//! * [`cf_consistent`]: does a CF agree with a record's surname, name, birth
//!   date, sex and place? Says which part disagrees and recognises swapped
//!   day/month, swapped surname/name and transliteration variants.
//! * [`mask_cf`]: `RSSMRA80A01H501U` → `RSS*************` for reports.
//!
//! # What the check character cannot catch
//!
//! The check character is `A + (Σ value(position, char) mod 26)`. In the
//! even positions a digit `d` and the letter number `d` of the alphabet have
//! the same value (`0`/`A` … `9`/`J`), and in the odd positions the table
//! gives them the same value too (`0`/`A` = 1, `1`/`B` = 0, … `9`/`J` = 21);
//! otherwise the 36 characters have 26 distinct values per position and
//! digits are distinct among themselves. So a single changed character goes
//! unnoticed by the check character **exactly** when a digit `d` is replaced
//! by the letter `A + d` (or vice versa) in one of the first 15 positions.
//! None of those substitutions yields a well-formed code: digit positions
//! accept only digits and the omocode letters `L M N P Q R S T U V` (none of
//! which is in `A`–`J`), letter positions accept no digits. Together,
//! structure and check character detect every single-character substitution
//! (the tests assert both halves of this).
//! Transpositions of two adjacent characters are not always detected.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::belfiore::{self, Validity};
use super::dates;
use super::names;
use crate::messages::{In, Lang};

/// Month letters, January to December.
pub const MONTH_LETTERS: [u8; 12] = *b"ABCDEHLMPRST";

/// Letters that replace the digits 0–9 in an omocode.
pub const OMOCODE_LETTERS: [u8; 10] = *b"LMNPQRSTUV";

/// The 0-based positions that omocodia may substitute, left to right
/// (1-based: 7, 8, 10, 11, 13, 14, 15). Bit `i` of [`Decoded::omocode_mask`]
/// refers to `OMOCODE_POSITIONS[i]`.
pub const OMOCODE_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// Value of a character in an odd (1-based) position, indexed by letter
/// (`A` = 0); a digit `d` has the value of letter `d`.
const ODD_VALUES: [u8; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

const INVALID: u8 = 0xFF;

const fn build_odd_table() -> [u8; 256] {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = ODD_VALUES[i];
        if i < 10 {
            t[b'0' as usize + i] = ODD_VALUES[i];
        }
        i += 1;
    }
    t
}

const fn build_even_table() -> [u8; 256] {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        if i < 10 {
            t[b'0' as usize + i] = i as u8;
        }
        i += 1;
    }
    t
}

/// Digit value of a digit or an omocode letter, else `INVALID`.
const fn build_omo_table() -> [u8; 256] {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        t[OMOCODE_LETTERS[i] as usize] = i as u8;
        i += 1;
    }
    t
}

/// Month (1–12) of a month letter, else 0.
const fn build_month_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 12 {
        t[MONTH_LETTERS[i] as usize] = i as u8 + 1;
        i += 1;
    }
    t
}

static ODD: [u8; 256] = build_odd_table();
static EVEN: [u8; 256] = build_even_table();
static OMO: [u8; 256] = build_omo_table();
static MONTH: [u8; 256] = build_month_table();

/// Sex as the codice fiscale records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    /// Male: day of birth 01–31.
    Male,
    /// Female: day of birth + 40 (41–71).
    Female,
}

impl Sex {
    /// Reads the usual spellings: `M`, `F`, `MASCHIO`, `FEMMINA`, `MALE`,
    /// `FEMALE`, `UOMO`, `DONNA` and the ISTAT codes `1`/`2`
    /// (case-insensitive, spaces ignored).
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_uppercase().as_str() {
            "M" | "MASCHIO" | "MASCHILE" | "MALE" | "UOMO" | "1" => Some(Sex::Male),
            "F" | "FEMMINA" | "FEMMINILE" | "FEMALE" | "DONNA" | "2" => Some(Sex::Female),
            _ => None,
        }
    }

    /// `M` or `F`.
    pub fn as_char(self) -> char {
        match self {
            Sex::Male => 'M',
            Sex::Female => 'F',
        }
    }

    /// `"M"` or `"F"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }
}

/// A well-formed 16-character code (uppercase ASCII).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cf([u8; 16]);

impl Cf {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The code as bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for Cf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Cf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cf({})", self.as_str())
    }
}

/// A Belfiore place code as found in a CF (digits restored from omocode
/// letters), e.g. `A944`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlaceCode([u8; 4]);

impl PlaceCode {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for PlaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for PlaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlaceCode({})", self.as_str())
    }
}

/// A valid personal codice fiscale, decoded. `Copy`, no heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decoded {
    /// The code as given (normalised: uppercase, no spaces).
    pub code: Cf,
    /// The base form: omocode letters turned back to digits, check character
    /// recomputed. Equal to `code` when it is not an omocode.
    pub base: Cf,
    /// Birth date, century inferred against the reference date.
    pub birth_date: NaiveDate,
    /// Sex.
    pub sex: Sex,
    /// Place of birth code (digits restored).
    pub place: PlaceCode,
    /// Which of the [`OMOCODE_POSITIONS`] hold a letter (bit `i` = position
    /// `OMOCODE_POSITIONS[i]`); 0 for a base code.
    pub omocode_mask: u8,
}

impl Decoded {
    /// Number of substituted positions (0–7).
    pub fn omocode_level(&self) -> u32 {
        self.omocode_mask.count_ones()
    }

    /// Whether the code is an omocode.
    pub fn is_omocode(&self) -> bool {
        self.omocode_mask != 0
    }

    /// Whether the substitutions follow the official practice (the `n`
    /// rightmost substitutable positions). The 121 other patterns are accepted
    /// but not issued by the Agenzia delle Entrate.
    pub fn is_standard_omocode(&self) -> bool {
        // The n rightmost positions are bits 6, 5, … 7-n.
        self.omocode_mask == progressive_mask(self.omocode_level())
    }

    /// Characters 1–3.
    pub fn surname_code(&self) -> &str {
        self.code.as_str().get(0..3).unwrap_or("")
    }

    /// Characters 4–6.
    pub fn name_code(&self) -> &str {
        self.code.as_str().get(3..6).unwrap_or("")
    }

    /// Whether the place code was valid at the birth date (see
    /// [`belfiore::valid_at`]).
    pub fn place_validity(&self) -> Validity {
        belfiore::valid_at(self.place.as_str(), self.birth_date)
    }

    /// Whether the place code was in use on the birth date the code gives,
    /// read in either of the two centuries its two-digit year allows (the
    /// latest is [`Decoded::birth_date`]; a person a century older has the
    /// same code). Given the record's own birth date, [`cf_consistent`]
    /// decides exactly.
    pub fn place_plausible(&self) -> bool {
        self.place_validity() == Validity::Valid
            || self
                .birth_date
                .with_year(self.birth_date.year() - 100)
                .is_some_and(|earlier| {
                    belfiore::valid_at(self.place.as_str(), earlier) == Validity::Valid
                })
    }
}

/// What is wrong with a codice fiscale. Positions are 1-based, as a person
/// counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CfError {
    /// Nothing but spaces.
    Empty,
    /// Not 16 characters (spaces not counted).
    WrongLength {
        /// Characters found.
        len: usize,
    },
    /// An 11-digit provisional code where a personal one was expected.
    Provisional,
    /// A character that is neither an ASCII letter nor a digit.
    InvalidCharacter {
        /// Position (1-based).
        pos: u8,
        /// The character.
        found: char,
    },
    /// A digit where a letter must be (positions 1–6, 9, 12, 16).
    DigitInLetterPosition {
        /// Position (1-based).
        pos: u8,
        /// The digit.
        found: char,
    },
    /// A letter where a digit (or an omocode letter) must be.
    LetterInDigitPosition {
        /// Position (1-based).
        pos: u8,
        /// The letter.
        found: char,
    },
    /// Character 9 is not a month letter.
    InvalidMonth {
        /// The character.
        found: char,
    },
    /// Characters 10–11 are not 01–31 or 41–71.
    InvalidDay {
        /// The number found.
        day: u8,
    },
    /// Day and month do not make a date (31 February).
    InvalidDate {
        /// Day of the month (sex offset removed).
        day: u8,
        /// Month 1–12.
        month: u8,
    },
    /// The check character does not match.
    WrongCheckCharacter {
        /// What it should be.
        expected: char,
        /// What it is.
        found: char,
    },
    /// Provisional (11-digit) code with a wrong check digit.
    WrongCheckDigit {
        /// What it should be.
        expected: char,
        /// What it is.
        found: char,
    },
}

impl fmt::Display for CfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for CfError {}

/// Whether `c` separates groups of a code as people write them
/// (`RSS-MRA-80A01-H501U`, `RSS.MRA…`): dropped like spaces.
fn is_separator(c: char) -> bool {
    c == '-' || c == '.'
}

/// Trims, uppercases and removes every space (also inner and non-breaking
/// ones) and group separator (`-`, `.`): ` rss mra80a01h501u ` and
/// `RSS-MRA-80-A01-H501-U` → `RSSMRA80A01H501U`. Other characters are kept
/// so that the validators can point at them.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !is_separator(*c))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Slow path of [`gather`]: the input has non-ASCII bytes or is too long.
#[cold]
fn gather_slow(input: &[u8]) -> Result<[u8; 16], CfError> {
    let text = String::from_utf8_lossy(input);
    let chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && !is_separator(*c))
        .flat_map(char::to_uppercase)
        .collect();
    if chars.is_empty() {
        return Err(CfError::Empty);
    }
    if chars.len() != 16 {
        return Err(CfError::WrongLength { len: chars.len() });
    }
    let mut out = [0u8; 16];
    for (i, c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            return Err(CfError::InvalidCharacter {
                pos: i as u8 + 1,
                found: *c,
            });
        }
        out[i] = *c as u8;
    }
    Ok(out)
}

/// Copies the non-space bytes of the input, uppercased, into a 16-byte
/// buffer. The fast path handles ASCII; anything else goes to `gather_slow`.
#[inline]
fn gather(input: &[u8]) -> Result<[u8; 16], CfError> {
    // Fast path: exactly 16 ASCII letters and digits.
    if let Ok(b) = <&[u8; 16]>::try_from(input) {
        let mut out = [0u8; 16];
        let mut ok = true;
        for i in 0..16 {
            ok &= b[i].is_ascii_alphanumeric();
            out[i] = b[i].to_ascii_uppercase();
        }
        if ok {
            return Ok(out);
        }
    }
    let mut out = [0u8; 16];
    let mut n = 0usize;
    for &b in input {
        if b == b' ' || b == b'\t' || b == b'\r' || b == b'\n' || is_separator(char::from(b)) {
            continue;
        }
        if b >= 0x80 || n == 16 {
            return gather_slow(input);
        }
        out[n] = b.to_ascii_uppercase();
        n += 1;
    }
    if n == 16 {
        return Ok(out);
    }
    if n == 0 {
        return Err(CfError::Empty);
    }
    if n == 11 && out[..11].iter().all(u8::is_ascii_digit) {
        return Err(CfError::Provisional);
    }
    Err(CfError::WrongLength { len: n })
}

/// The check character of the first 15 characters (uppercase ASCII letters
/// and digits). `None` when `first15` has another length or other characters.
pub fn check_char(first15: &[u8]) -> Option<char> {
    if first15.len() != 15 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &b) in first15.iter().enumerate() {
        let v = if i % 2 == 0 {
            ODD[usize::from(b)]
        } else {
            EVEN[usize::from(b)]
        };
        if v == INVALID {
            return None;
        }
        sum += u32::from(v);
    }
    Some(char::from(b'A' + (sum % 26) as u8))
}

#[inline]
fn check_byte(cf: &[u8; 16]) -> u8 {
    let mut sum = 0u32;
    let mut i = 0;
    while i < 14 {
        sum += u32::from(ODD[usize::from(cf[i])]) + u32::from(EVEN[usize::from(cf[i + 1])]);
        i += 2;
    }
    sum += u32::from(ODD[usize::from(cf[14])]);
    b'A' + (sum % 26) as u8
}

/// Structural parts of a well-formed code (check character verified).
#[derive(Clone, Copy, Debug)]
struct Parts {
    yy: u8,
    month: u8,
    day: u8,
    sex: Sex,
    place: [u8; 4],
    mask: u8,
}

const LETTER_POSITIONS: [usize; 9] = [0, 1, 2, 3, 4, 5, 8, 11, 15];

#[inline]
fn structure(cf: &[u8; 16]) -> Result<Parts, CfError> {
    // Letter positions (the month letter is checked below).
    for &i in &LETTER_POSITIONS {
        let b = cf[i];
        if !b.is_ascii_uppercase() {
            return Err(if b.is_ascii_digit() {
                CfError::DigitInLetterPosition {
                    pos: i as u8 + 1,
                    found: char::from(b),
                }
            } else {
                CfError::InvalidCharacter {
                    pos: i as u8 + 1,
                    found: char::from(b),
                }
            });
        }
    }
    let mut digits = [0u8; 7];
    let mut mask = 0u8;
    for (k, &i) in OMOCODE_POSITIONS.iter().enumerate() {
        let b = cf[i];
        let v = OMO[usize::from(b)];
        if v == INVALID {
            return Err(if b.is_ascii_uppercase() {
                CfError::LetterInDigitPosition {
                    pos: i as u8 + 1,
                    found: char::from(b),
                }
            } else {
                CfError::InvalidCharacter {
                    pos: i as u8 + 1,
                    found: char::from(b),
                }
            });
        }
        if b >= b'A' {
            mask |= 1 << k;
        }
        digits[k] = v;
    }
    let month = MONTH[usize::from(cf[8])];
    if month == 0 {
        return Err(CfError::InvalidMonth {
            found: char::from(cf[8]),
        });
    }
    let raw_day = digits[2] * 10 + digits[3];
    let (day, sex) = match raw_day {
        1..=31 => (raw_day, Sex::Male),
        41..=71 => (raw_day - 40, Sex::Female),
        _ => return Err(CfError::InvalidDay { day: raw_day }),
    };
    let expected = check_byte(cf);
    if expected != cf[15] {
        return Err(CfError::WrongCheckCharacter {
            expected: char::from(expected),
            found: char::from(cf[15]),
        });
    }
    if u32::from(day) > dates::days_in_month(2000, u32::from(month)) {
        // 2000 is a leap year: 29 February is decided with the century.
        return Err(CfError::InvalidDate { day, month });
    }
    Ok(Parts {
        yy: digits[0] * 10 + digits[1],
        month,
        day,
        sex,
        place: [cf[11], b'0' + digits[4], b'0' + digits[5], b'0' + digits[6]],
        mask,
    })
}

#[inline]
fn base_of(cf: &[u8; 16], mask: u8) -> [u8; 16] {
    if mask == 0 {
        return *cf;
    }
    let mut base = *cf;
    for &i in &OMOCODE_POSITIONS {
        base[i] = b'0' + OMO[usize::from(base[i])];
    }
    base[15] = check_byte(&base);
    base
}

/// Validates and decodes a personal codice fiscale (case-insensitive, spaces
/// and group separators ignored). The century of the birth year is the
/// latest that does not put the birth after `reference` (year `24` with
/// reference 2026-11-28 → 2024, `30` → 1930) and at which the place code
/// was in use (one or two centuries earlier when it was not). Allocation-free for ASCII input.
#[inline]
pub fn decode(input: &[u8], reference: NaiveDate) -> Result<Decoded, CfError> {
    let cf = gather(input)?;
    let p = structure(&cf)?;
    // The latest century that keeps the date on or before the reference
    // (and, for 29 February, in a leap year). One date construction only.
    let (month, day) = (u32::from(p.month), u32::from(p.day));
    let ref_year = reference.year();
    let recent = ref_year - ref_year.rem_euclid(100) + i32::from(p.yy);
    let not_after = recent < ref_year
        || (recent == ref_year && (month, day) <= (reference.month(), reference.day()));
    let year = if not_after && day <= dates::days_in_month(recent, month) {
        recent
    } else {
        recent - 100
    };
    let latest = NaiveDate::from_ymd_opt(year, month, day).ok_or(CfError::InvalidDate {
        day: p.day,
        month: p.month,
    })?;
    let place = PlaceCode(p.place);
    let birth_date = century_of_place(latest, place.as_str());
    Ok(Decoded {
        code: Cf(cf),
        base: Cf(base_of(&cf, p.mask)),
        birth_date,
        sex: p.sex,
        place,
        omocode_mask: p.mask,
    })
}

/// The birth date of a code whose latest possible reading is `latest`: the
/// latest of `latest` and the same day one and two centuries earlier at
/// which the place code was in use (Gallico, `D877`, a municipality until
/// 1927: year `07` is 1907, not 2007); `latest` when the place was in use at
/// none of them, or is unknown.
fn century_of_place(latest: NaiveDate, place: &str) -> NaiveDate {
    if belfiore::valid_at(place, latest).is_valid() {
        return latest;
    }
    [100, 200]
        .into_iter()
        .filter_map(|back| latest.with_year(latest.year() - back))
        .find(|&d| belfiore::valid_at(place, d).is_valid())
        .unwrap_or(latest)
}

/// Checks structure and check character only (no date inference): `Ok` with
/// the normalised code.
pub fn validate(input: &[u8]) -> Result<Cf, CfError> {
    let cf = gather(input)?;
    structure(&cf).map(|_| Cf(cf))
}

/// Check digit of an 11-digit number (partita IVA, provisional CF) from its
/// first 10 digits: odd positions summed, even positions doubled (minus 9
/// when over 9), check = (10 − total mod 10) mod 10. `None` unless exactly 10
/// ASCII digits.
pub fn luhn_it_check_digit(first10: &[u8]) -> Option<u8> {
    if first10.len() != 10 || !first10.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut total = 0u32;
    for (i, &b) in first10.iter().enumerate() {
        let d = u32::from(b - b'0');
        total += if i % 2 == 0 {
            d
        } else if d * 2 > 9 {
            d * 2 - 9
        } else {
            d * 2
        };
    }
    Some(((10 - total % 10) % 10) as u8)
}

/// What kind of value a CF field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CfClass {
    /// A valid 16-character personal code.
    Personal(Decoded),
    /// A valid 11-digit provisional code.
    Provisional,
    /// An obviously fake value (all `X`, all `9`, `0000…`, `NON DISPONIBILE`).
    Placeholder,
    /// Anything else, with the reason.
    Malformed(CfError),
}

/// Placeholder words seen in CF fields (normalised: uppercase, no spaces).
const PLACEHOLDER_WORDS: &[&str] = &[
    "ND",
    "NA",
    "N/A",
    "N.D.",
    "NULL",
    "NONE",
    "NIL",
    "NESSUNO",
    "NONDISPONIBILE",
    "SCONOSCIUTO",
    "MANCANTE",
    "NONPRESENTE",
    "DAATTRIBUIRE",
    "INATTESA",
    "INCORSO",
    "ESTERO",
    "STRANIERO",
    "NONNOTO",
    "NOCF",
    "SENZACF",
    "-",
    "?",
    "0",
];

/// Whether a normalised value is an obviously fake code: a placeholder word,
/// one character repeated (`XXXXXXXXXXXXXXXX`, `99999999999`), a run of the
/// alphabet or of the digits (`ABCDEFGHIJKLMNOP`, `12345678901`), a 16-char
/// shape with a single letter and a single digit (`XXXXXX00X00X000X`), or
/// three quarters or more of one character.
pub fn is_placeholder(normalised: &str) -> bool {
    let b = normalised.as_bytes();
    if b.is_empty() {
        return false;
    }
    if PLACEHOLDER_WORDS.contains(&normalised) {
        return true;
    }
    if b.iter().all(|&c| c == b[0])
        && (b.len() >= 5 || matches!(b[0], b'X' | b'0' | b'9' | b'*' | b'-' | b'.'))
    {
        return true;
    }
    if b.len() >= 8 {
        let ascending = b
            .windows(2)
            .all(|w| w[1] == w[0] + 1 || (w[0] == b'9' && w[1] == b'0'));
        if ascending {
            return true;
        }
    }
    if b.len() >= 11 {
        let mut counts = [0u16; 256];
        for &c in b {
            counts[usize::from(c)] += 1;
        }
        let max = counts.iter().copied().max().unwrap_or(0);
        if usize::from(max) * 4 >= b.len() * 3 {
            return true;
        }
        if b.len() == 16 {
            let letters = counts[usize::from(b'A')..=usize::from(b'Z')]
                .iter()
                .filter(|&&c| c > 0)
                .count();
            let digits = counts[usize::from(b'0')..=usize::from(b'9')]
                .iter()
                .filter(|&&c| c > 0)
                .count();
            if letters <= 1 && digits <= 1 {
                return true;
            }
        }
    }
    false
}

/// Classifies a CF field: personal, provisional, placeholder or malformed.
pub fn classify(input: &str, reference: NaiveDate) -> CfClass {
    // A code as registries write it (16 uppercase letters and digits) is
    // its own normal form: no copy.
    let clean = input.len() == 16
        && input
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let normalized;
    let n: &str = if clean {
        input
    } else {
        normalized = normalize(input);
        &normalized
    };
    if n.is_empty() {
        return CfClass::Malformed(CfError::Empty);
    }
    if is_placeholder(n) {
        return CfClass::Placeholder;
    }
    let b = n.as_bytes();
    if b.len() == 11 && b.iter().all(u8::is_ascii_digit) {
        let expected = luhn_it_check_digit(&b[..10]).unwrap_or(0);
        return if b[10] - b'0' == expected {
            CfClass::Provisional
        } else {
            CfClass::Malformed(CfError::WrongCheckDigit {
                expected: char::from(b'0' + expected),
                found: char::from(b[10]),
            })
        };
    }
    match decode(b, reference) {
        Ok(d) => CfClass::Personal(d),
        Err(e) => CfClass::Malformed(e),
    }
}

/// The base form of a well-formed code (omocode letters back to digits,
/// check character recomputed); the code itself when it is not an omocode.
pub fn base_form(input: &str) -> Result<String, CfError> {
    let cf = gather(input.as_bytes())?;
    let p = structure(&cf)?;
    Ok(Cf(base_of(&cf, p.mask)).as_str().to_owned())
}

/// Whether two codes are the same person's code: equal base forms (an
/// omocode and its base are equivalent). `false` if either is malformed.
pub fn cf_equivalent(a: &str, b: &str) -> bool {
    match (base_form(a), base_form(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Mask of the official level-`level` omocode: the `level` rightmost
/// substitutable positions.
fn progressive_mask(level: u32) -> u8 {
    let level = level.min(7);
    ((0x7Fu16 << (7 - level)) & 0x7F) as u8
}

fn variant_of(base: &[u8; 16], mask: u8) -> [u8; 16] {
    let mut v = *base;
    for (k, &i) in OMOCODE_POSITIONS.iter().enumerate() {
        if mask & (1 << k) != 0 {
            v[i] = OMOCODE_LETTERS[usize::from(OMO[usize::from(v[i])] % 10)];
        }
    }
    v[15] = check_byte(&v);
    v
}

/// All 128 forms of a code: index `m` has the positions of bit set `m`
/// substituted (see [`OMOCODE_POSITIONS`]); index 0 is the base form. Every
/// one of them has the same [`base_form`].
pub fn omocode_variants(input: &str) -> Result<Vec<String>, CfError> {
    let cf = gather(input.as_bytes())?;
    let p = structure(&cf)?;
    let base = base_of(&cf, p.mask);
    Ok((0u8..128)
        .map(|m| Cf(variant_of(&base, m)).as_str().to_owned())
        .collect())
}

/// One omocode variant: the positions of bit set `mask` substituted (bit
/// `i` = [`OMOCODE_POSITIONS`]`[i]`; higher bits ignored), check character
/// recomputed. `omocode_variant(cf, 0)` is the base form.
pub fn omocode_variant(input: &str, mask: u8) -> Result<String, CfError> {
    let cf = gather(input.as_bytes())?;
    let p = structure(&cf)?;
    let base = base_of(&cf, p.mask);
    Ok(Cf(variant_of(&base, mask & 0x7F)).as_str().to_owned())
}

/// The omocode of a given level as the Agenzia delle Entrate issues it: the
/// `level` rightmost substitutable digits replaced (level 0 = base, 7 = all).
pub fn omocode_of_level(input: &str, level: u32) -> Result<String, CfError> {
    let cf = gather(input.as_bytes())?;
    let p = structure(&cf)?;
    let base = base_of(&cf, p.mask);
    Ok(Cf(variant_of(&base, progressive_mask(level)))
        .as_str()
        .to_owned())
}

fn letters_only(s: &str) -> Vec<u8> {
    names::name_joined(s).into_bytes()
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'A' | b'E' | b'I' | b'O' | b'U')
}

fn pad3(mut v: Vec<u8>) -> String {
    v.truncate(3);
    while v.len() < 3 {
        v.push(b'X');
    }
    String::from_utf8_lossy(&v).into_owned()
}

/// Characters 1–3 from a surname: consonants, then vowels, then `X`
/// (`Rossi` → `RSS`, `Li` → `LIX`, `D'Amico` → `DMC`). Accents are folded,
/// apostrophes, spaces and other non-letters dropped.
pub fn surname_code(surname: &str) -> String {
    let l = letters_only(surname);
    let mut v: Vec<u8> = l.iter().copied().filter(|&b| !is_vowel(b)).collect();
    v.extend(l.iter().copied().filter(|&b| is_vowel(b)));
    pad3(v)
}

/// Characters 4–6 from a first name: with more than 3 consonants the 1st, 3rd
/// and 4th (`Gianfranco` → `GFR`, `Mohammed` → `MMM`), else as for the
/// surname (`Ugo` → `GUO`).
pub fn name_code(name: &str) -> String {
    let l = letters_only(name);
    let cons: Vec<u8> = l.iter().copied().filter(|&b| !is_vowel(b)).collect();
    if cons.len() > 3 {
        return pad3(vec![cons[0], cons[2], cons[3]]);
    }
    let mut v = cons;
    v.extend(l.iter().copied().filter(|&b| is_vowel(b)));
    pad3(v)
}

/// Why [`encode`] could not compute a code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The place code is not a letter followed by three digits.
    #[error("the place code must be a letter followed by three digits (e.g. A944)")]
    InvalidPlaceCode,
}

/// Computes the codice fiscale of a person (base form, no omocodia).
/// `place` is the Belfiore code valid at the birth date (not checked here:
/// see [`belfiore::valid_at`]).
pub fn encode(
    surname: &str,
    name: &str,
    birth_date: NaiveDate,
    sex: Sex,
    place: &str,
) -> Result<String, EncodeError> {
    let place = place.trim().as_bytes();
    let ok = place.len() == 4
        && place[0].is_ascii_alphabetic()
        && place[1..].iter().all(u8::is_ascii_digit);
    if !ok {
        return Err(EncodeError::InvalidPlaceCode);
    }
    let mut cf = [0u8; 16];
    cf[..3].copy_from_slice(surname_code(surname).as_bytes());
    cf[3..6].copy_from_slice(name_code(name).as_bytes());
    let yy = birth_date.year().rem_euclid(100) as u8;
    cf[6] = b'0' + yy / 10;
    cf[7] = b'0' + yy % 10;
    cf[8] = MONTH_LETTERS[birth_date.month0() as usize % 12];
    let day = birth_date.day() as u8 + if sex == Sex::Female { 40 } else { 0 };
    cf[9] = b'0' + day / 10;
    cf[10] = b'0' + day % 10;
    cf[11] = place[0].to_ascii_uppercase();
    cf[12..15].copy_from_slice(&place[1..]);
    cf[15] = check_byte(&cf);
    Ok(Cf(cf).as_str().to_owned())
}

/// Masks a code for reports: the first three characters (the surname code)
/// and the length stay, the rest becomes `*` (`RSSMRA80A01H501U` →
/// `RSS*************`): no birth date, no sex, no place. Values shorter than
/// 8 characters keep none.
pub fn mask_cf(input: &str) -> String {
    let n: Vec<char> = normalize(input).chars().collect();
    let keep = if n.len() >= 8 { 3 } else { 0 };
    n.iter()
        .enumerate()
        .map(|(i, &c)| if i < keep { c } else { '*' })
        .collect()
}

/// How one part of a CF compares with the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartCheck {
    /// Same.
    Agrees,
    /// Same once a known transliteration variant of the record's name is used.
    AgreesWithVariant,
    /// Different.
    Disagrees,
    /// The record has no value for it (or the CF could not be read).
    NotChecked,
}

/// How the birth dates differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateDiff {
    /// Day and month exchanged.
    DayMonthSwapped,
    /// Only the year (two digits) differs; `years` is the difference.
    Year {
        /// Record year minus CF year (CF century taken closest to the record).
        years: i32,
    },
    /// Only the month differs.
    Month,
    /// Only the day differs.
    Day,
    /// More than one of year, month, day differ.
    Several,
}

impl DateDiff {
    /// Only the year differs, by a generation or more (14 years): the code
    /// is likely another person's, a parent's or a child's.
    pub fn another_generation(&self) -> bool {
        matches!(self, DateDiff::Year { years } if years.abs() >= 14)
    }
}

/// One disagreement between a CF and a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// The CF itself is not valid.
    InvalidCf(CfError),
    /// Characters 1–3 do not match the surname.
    SurnameCode {
        /// Code in the CF.
        in_cf: String,
        /// Code computed from the record's surname.
        from_record: String,
    },
    /// Characters 4–6 do not match the first name.
    NameCode {
        /// Code in the CF.
        in_cf: String,
        /// Code computed from the record's first name.
        from_record: String,
    },
    /// The name code matches a known spelling variant of the record's name
    /// (`Mohamed` in the record, CF computed from `Mohammed`).
    NameVariant {
        /// Code in the CF.
        in_cf: String,
        /// The record's name.
        record: String,
        /// The variant that gives the CF's code.
        variant: &'static str,
    },
    /// The surname matches a known spelling variant.
    SurnameVariant {
        /// Code in the CF.
        in_cf: String,
        /// The record's surname.
        record: String,
        /// The variant that gives the CF's code.
        variant: &'static str,
    },
    /// The CF codes match surname and name the other way round.
    SurnameNameSwapped,
    /// The birth dates differ.
    BirthDate {
        /// Date in the CF (century chosen closest to the record's date).
        in_cf: Option<NaiveDate>,
        /// Date in the record.
        record: NaiveDate,
        /// How they differ.
        diff: DateDiff,
    },
    /// The sexes differ.
    Sex {
        /// Sex in the CF.
        in_cf: Sex,
        /// Sex in the record.
        record: Sex,
    },
    /// The places of birth differ.
    Place {
        /// Place code in the CF.
        in_cf: String,
        /// Place in the record (code or name).
        record: String,
    },
    /// The CF's place code was not valid at the record's birth date.
    PlaceNotValidAtBirth {
        /// Place code in the CF.
        code: String,
        /// The birth date used.
        birth_date: NaiveDate,
        /// Why not.
        validity: Validity,
    },
}

impl Finding {
    /// The part of the CF the finding is about (`surname`, `name`,
    /// `birth_date`, `sex`, `place`, `cf`).
    pub fn part(&self) -> &'static str {
        match self {
            Finding::InvalidCf(_) => "cf",
            Finding::SurnameCode { .. } | Finding::SurnameVariant { .. } => "surname",
            Finding::NameCode { .. } | Finding::NameVariant { .. } => "name",
            Finding::SurnameNameSwapped => "surname_name",
            Finding::BirthDate { .. } => "birth_date",
            Finding::Sex { .. } => "sex",
            Finding::Place { .. } | Finding::PlaceNotValidAtBirth { .. } => "place",
        }
    }

    /// A sentence without any personal value, for reports.
    pub fn message(&self) -> String {
        In(&Disagreement::new(self.clone(), false), Lang::En).to_string()
    }

    /// A sentence with the values (codes, names, dates): only for output the
    /// user asked to contain personal data (`--show-pii`).
    pub fn message_with_values(&self) -> String {
        In(&Disagreement::new(self.clone(), true), Lang::En).to_string()
    }
}

/// Result of [`cf_consistent`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consistency {
    /// Surname vs characters 1–3.
    pub surname: PartCheck,
    /// First name vs characters 4–6.
    pub name: PartCheck,
    /// Birth date vs characters 7–11.
    pub birth_date: PartCheck,
    /// Sex vs characters 10–11.
    pub sex: PartCheck,
    /// Place of birth vs characters 12–15 (and the code's validity at the
    /// birth date).
    pub place: PartCheck,
    /// What disagrees, most specific explanation first per part.
    pub findings: Vec<Finding>,
}

impl Consistency {
    /// Every checked part agrees exactly (transliteration variants count as
    /// disagreement here; see [`Consistency::is_plausible`]).
    pub fn is_consistent(&self) -> bool {
        [
            self.surname,
            self.name,
            self.birth_date,
            self.sex,
            self.place,
        ]
        .iter()
        .all(|p| matches!(p, PartCheck::Agrees | PartCheck::NotChecked))
            && self.findings.is_empty()
    }

    /// Every checked part agrees, possibly through a known spelling variant.
    pub fn is_plausible(&self) -> bool {
        [
            self.surname,
            self.name,
            self.birth_date,
            self.sex,
            self.place,
        ]
        .iter()
        .all(|p| !matches!(p, PartCheck::Disagrees))
            && !self.findings.iter().any(|f| {
                matches!(
                    f,
                    Finding::InvalidCf(_) | Finding::PlaceNotValidAtBirth { .. }
                )
            })
    }
}

fn looks_like_place_code(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() == 4 && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit)
}

/// Checks whether a CF agrees with a record: surname and first name (always),
/// birth date, sex and place of birth (when given). `place` may be a Belfiore
/// code (`A944`) or a name (`Bologna`, `Bangladesh`). The CF may be an
/// omocode: its base form is what is compared.
///
/// Recognised situations: day and month swapped, a year far off (another
/// person's CF), surname and name swapped, a name or surname code that
/// matches a known transliteration variant, a place code not valid at the
/// birth date. Each [`Finding`] has a message with and one without values.
pub fn cf_consistent(
    cf: &str,
    surname: &str,
    name: &str,
    birth_date: Option<NaiveDate>,
    sex: Option<Sex>,
    place: Option<&str>,
) -> Consistency {
    let mut out = Consistency {
        surname: PartCheck::NotChecked,
        name: PartCheck::NotChecked,
        birth_date: PartCheck::NotChecked,
        sex: PartCheck::NotChecked,
        place: PartCheck::NotChecked,
        findings: Vec::new(),
    };
    let code = match gather(cf.as_bytes()) {
        Ok(c) => c,
        Err(e) => {
            out.findings.push(Finding::InvalidCf(e));
            return out;
        }
    };
    let parts = match structure(&code) {
        Ok(p) => p,
        Err(e) => {
            out.findings.push(Finding::InvalidCf(e));
            return out;
        }
    };
    let cf_sur = String::from_utf8_lossy(&code[0..3]).into_owned();
    let cf_name = String::from_utf8_lossy(&code[3..6]).into_owned();

    // Names.
    let has_sur = !names::name_joined(surname).is_empty();
    let has_name = !names::name_joined(name).is_empty();
    let rec_sur = surname_code(surname);
    let rec_name = name_code(name);
    if has_sur {
        out.surname = if rec_sur == cf_sur {
            PartCheck::Agrees
        } else {
            PartCheck::Disagrees
        };
    }
    if has_name {
        out.name = if rec_name == cf_name {
            PartCheck::Agrees
        } else {
            PartCheck::Disagrees
        };
    }
    let swapped = has_sur
        && has_name
        && out.surname == PartCheck::Disagrees
        && surname_code(name) == cf_sur
        && name_code(surname) == cf_name;
    if swapped {
        out.findings.push(Finding::SurnameNameSwapped);
    } else {
        if out.surname == PartCheck::Disagrees {
            let variant = names::known_variants(surname)
                .into_iter()
                .find(|v| surname_code(v) == cf_sur);
            match variant {
                Some(variant) => {
                    out.surname = PartCheck::AgreesWithVariant;
                    out.findings.push(Finding::SurnameVariant {
                        in_cf: cf_sur.clone(),
                        record: surname.trim().to_owned(),
                        variant,
                    });
                }
                None => out.findings.push(Finding::SurnameCode {
                    in_cf: cf_sur.clone(),
                    from_record: rec_sur,
                }),
            }
        }
        if out.name == PartCheck::Disagrees {
            // Word by word: "Md Abdul" may have been registered as "Mohammad Abdul".
            let parts_n = names::name_parts(name);
            let mut found = None;
            'outer: for (i, p) in parts_n.iter().enumerate() {
                for v in names::known_variants(p) {
                    let mut alt = parts_n.clone();
                    alt[i] = v.to_owned();
                    if name_code(&alt.join(" ")) == cf_name {
                        found = Some(v);
                        break 'outer;
                    }
                }
            }
            match found {
                Some(variant) => {
                    out.name = PartCheck::AgreesWithVariant;
                    out.findings.push(Finding::NameVariant {
                        in_cf: cf_name.clone(),
                        record: name.trim().to_owned(),
                        variant,
                    });
                }
                None => out.findings.push(Finding::NameCode {
                    in_cf: cf_name.clone(),
                    from_record: rec_name,
                }),
            }
        }
    }

    // Sex.
    if let Some(s) = sex {
        out.sex = if s == parts.sex {
            PartCheck::Agrees
        } else {
            PartCheck::Disagrees
        };
        if s != parts.sex {
            out.findings.push(Finding::Sex {
                in_cf: parts.sex,
                record: s,
            });
        }
    }

    // Birth date.
    if let Some(rec) = birth_date {
        let (cy, cm, cd) = (
            u32::from(parts.yy),
            u32::from(parts.month),
            u32::from(parts.day),
        );
        let ry = rec.year().rem_euclid(100) as u32;
        let (y_ok, m_ok, d_ok) = (cy == ry, cm == rec.month(), cd == rec.day());
        // The CF's full year: the century that puts it closest to the record.
        let base = rec.year() - rec.year().rem_euclid(100) + cy as i32;
        let cf_year = [base - 100, base, base + 100]
            .into_iter()
            .min_by_key(|y| (y - rec.year()).abs())
            .unwrap_or(base);
        let cf_date = NaiveDate::from_ymd_opt(cf_year, cm, cd);
        if y_ok && m_ok && d_ok {
            out.birth_date = PartCheck::Agrees;
        } else {
            out.birth_date = PartCheck::Disagrees;
            let diff = if y_ok && cm == rec.day() && cd == rec.month() {
                DateDiff::DayMonthSwapped
            } else if m_ok && d_ok {
                DateDiff::Year {
                    years: rec.year() - cf_year,
                }
            } else if y_ok && d_ok {
                DateDiff::Month
            } else if y_ok && m_ok {
                DateDiff::Day
            } else {
                DateDiff::Several
            };
            out.findings.push(Finding::BirthDate {
                in_cf: cf_date,
                record: rec,
                diff,
            });
        }
    }

    // Place.
    let cf_place = String::from_utf8_lossy(&parts.place).into_owned();
    if let Some(p) = place.map(str::trim).filter(|p| !p.is_empty()) {
        let agrees = if looks_like_place_code(p) {
            p.eq_ignore_ascii_case(&cf_place)
        } else {
            belfiore::place_has_name(&cf_place, p)
        };
        out.place = if agrees {
            PartCheck::Agrees
        } else {
            PartCheck::Disagrees
        };
        if !agrees {
            out.findings.push(Finding::Place {
                in_cf: cf_place.clone(),
                record: p.to_owned(),
            });
        }
    }
    if let Some(rec) = birth_date {
        let validity = belfiore::valid_at(&cf_place, rec);
        if !validity.is_valid() {
            if out.place != PartCheck::Disagrees {
                out.place = PartCheck::Disagrees;
            }
            out.findings.push(Finding::PlaceNotValidAtBirth {
                code: cf_place,
                birth_date: rec,
                validity,
            });
        }
    }
    out
}

mod said;

pub use said::Disagreement;

#[cfg(test)]
mod tests;
