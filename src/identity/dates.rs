//! Dates as they come in municipal extracts.
//!
//! * [`parse_date`] recognises the usual shapes without being told the
//!   format: `dd/mm/yyyy`, `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`,
//!   `yyyy-mm-dd` (also with `/` or `.`), `yyyymmdd`, `ddmmyyyy`, two-digit
//!   years (`dd/mm/yy`, `ddmmyy`), a trailing time (`2020-01-31 00:00:00`,
//!   `2020-01-31T00:00:00Z`) and Excel serial numbers (`44197` →
//!   2021-01-01). Italian order (day first) is assumed for `dd/mm/yyyy`.
//! * [`DateFormats`] parses with an explicit list of strftime-like formats
//!   (a rule file's `format = [...]`): the common ones are parsed by
//!   hand-written code, anything else by `chrono::NaiveDate::parse_from_str`.
//! * Impossible dates are rejected with a reason ([`DateError::message`]):
//!   `31/02/2020` → "day 31 does not exist in February 2020".
//! * Two-digit years take the latest century that does not put the date
//!   after a reference date ([`resolve_two_digit_year`]): with reference
//!   2026-11-28, `24` → 2024 and `30` → 1930. This is right for birth dates
//!   and past events; pass a later reference for dates that may lie ahead.
//! * [`plausible_swap`] tells whether two dates differ by a day/month swap.
//!
//! No function panics, whatever the input.

use chrono::format::{Item, StrftimeItems};
use chrono::{Datelike, Days, NaiveDate};

use crate::messages::Sentence;

/// The months' names in English, January first.
pub(crate) const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Why a text is not a valid date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Empty or only spaces.
    Empty,
    /// Not in any recognised date format.
    NotADate,
    /// `0000-00-00` and similar zero dates used as placeholders.
    ZeroDate,
    /// Month outside 1–12.
    MonthOutOfRange {
        /// The month found.
        month: u32,
        /// The day field is a valid month (≤ 12): the date may be month-first.
        maybe_month_first: bool,
    },
    /// Day 0 or after the last day of the month (31 February).
    DayOutOfRange {
        /// The day found.
        day: u32,
        /// The month (1–12).
        month: u32,
        /// The year.
        year: i32,
    },
    /// A four-digit year before 1000 (`0202`) or an unusable year.
    YearOutOfRange {
        /// The year found.
        year: i64,
    },
    /// An Excel serial number outside 1 ..= 2958465 (9999-12-31).
    ExcelSerialOutOfRange,
    /// Excel serial 60: 29 February 1900, a day that never existed (Excel
    /// inherited the bug from Lotus 1-2-3).
    ExcelPhantomLeapDay,
    /// The text did not match any of the formats given.
    NoFormatMatched,
}

impl DateError {
    /// A sentence for a data owner. It names the offending field value
    /// (e.g. the day number) but never a whole date.
    pub fn message(&self) -> String {
        match *self {
            DateError::Empty => "the date is empty".to_owned(),
            DateError::NotADate => "not a recognised date format".to_owned(),
            DateError::ZeroDate => {
                "a zero date (0000-00-00) is a placeholder, not a date".to_owned()
            }
            DateError::MonthOutOfRange {
                month,
                maybe_month_first: true,
            } => format!(
                "month {month} does not exist (months are 1-12): is the date written month first?"
            ),
            DateError::MonthOutOfRange { month, .. } => {
                format!("month {month} does not exist (months are 1-12)")
            }
            DateError::DayOutOfRange { day: 0, .. } => "day 0 does not exist".to_owned(),
            DateError::DayOutOfRange { day, month, year } => {
                let name = MONTH_NAMES
                    .get(month.wrapping_sub(1) as usize)
                    .copied()
                    .unwrap_or("that month");
                format!(
                    "day {day} does not exist in {name} {year} (it has {} days)",
                    days_in_month(year, month)
                )
            }
            DateError::YearOutOfRange { year } => format!("year {year} is not plausible"),
            DateError::ExcelSerialOutOfRange => {
                "the number is outside the range of Excel dates".to_owned()
            }
            DateError::ExcelPhantomLeapDay => {
                "Excel serial 60 is 29 February 1900, a day that does not exist".to_owned()
            }
            DateError::NoFormatMatched => "the date does not match any of the formats".to_owned(),
        }
    }
}

/// In Italian it may quote the date's parts, like the English: shown only
/// where values may be.
impl Sentence for DateError {
    fn en(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }

    fn it(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            DateError::Empty => f.write_str("la data è vuota"),
            DateError::NotADate => f.write_str("non è in un formato di data riconosciuto"),
            DateError::ZeroDate => f.write_str("una data zero (0000-00-00) sta al posto di una data che manca"),
            DateError::MonthOutOfRange {
                month,
                maybe_month_first: true,
            } => write!(
                f,
                "il mese {month} non esiste (i mesi vanno da 1 a 12): la data è scritta con il mese per primo?"
            ),
            DateError::MonthOutOfRange { month, .. } => {
                write!(f, "il mese {month} non esiste (i mesi vanno da 1 a 12)")
            }
            DateError::DayOutOfRange { day: 0, .. } => f.write_str("il giorno 0 non esiste"),
            DateError::DayOutOfRange { day, month, year } => write!(
                f,
                "il giorno {day} non esiste in {} {year} (ha {} giorni)",
                month_name_it(month),
                days_in_month(year, month)
            ),
            DateError::YearOutOfRange { year } => write!(f, "l'anno {year} non è plausibile"),
            DateError::ExcelSerialOutOfRange => {
                f.write_str("il numero è fuori dall'intervallo delle date di Excel")
            }
            DateError::ExcelPhantomLeapDay => {
                f.write_str("il numero di serie Excel 60 è il 29 febbraio 1900, un giorno che non è mai esistito")
            }
            DateError::NoFormatMatched => f.write_str("la data non è in nessuno dei formati"),
        }
    }

    fn examples() -> Vec<Self> {
        vec![
            DateError::Empty,
            DateError::NotADate,
            DateError::ZeroDate,
            DateError::MonthOutOfRange {
                month: 13,
                maybe_month_first: true,
            },
            DateError::MonthOutOfRange {
                month: 13,
                maybe_month_first: false,
            },
            DateError::DayOutOfRange {
                day: 0,
                month: 2,
                year: 2020,
            },
            DateError::DayOutOfRange {
                day: 31,
                month: 2,
                year: 2020,
            },
            DateError::YearOutOfRange { year: 202 },
            DateError::ExcelSerialOutOfRange,
            DateError::ExcelPhantomLeapDay,
            DateError::NoFormatMatched,
        ]
    }
}

/// A month's name in Italian (1 = `gennaio`), or `quel mese`.
pub(crate) fn month_name_it(month: u32) -> &'static str {
    [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ]
    .get((month as usize).wrapping_sub(1))
    .copied()
    .unwrap_or("quel mese")
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for DateError {}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in a month (0 for a month outside 1–12).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Builds a date from year, month and day, saying what is wrong when it does
/// not exist.
#[inline]
pub fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate, DateError> {
    if !(1..=12).contains(&month) {
        return Err(DateError::MonthOutOfRange {
            month,
            maybe_month_first: (1..=12).contains(&day),
        });
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(DateError::DayOutOfRange { day, month, year });
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::YearOutOfRange {
        year: i64::from(year),
    })
}

/// The date for a two-digit year: the latest century that keeps the date on
/// or before `reference` (a person cannot be born after it). With reference
/// 2026-11-28, `(24, 5, 1)` → 2024-05-01 and `(30, 5, 1)` → 1930-05-01;
/// `(0, 2, 29)` → 2000-02-29 (1900 was not a leap year).
#[inline]
pub fn resolve_two_digit_year(
    yy: u32,
    month: u32,
    day: u32,
    reference: NaiveDate,
) -> Result<NaiveDate, DateError> {
    let ref_year = reference.year();
    let recent = ref_year - ref_year.rem_euclid(100) + (yy % 100) as i32;
    match ymd(recent, month, day) {
        Ok(d) if d <= reference => Ok(d),
        Ok(_) => ymd(recent - 100, month, day),
        Err(e @ DateError::MonthOutOfRange { .. }) => Err(e),
        Err(e) => ymd(recent - 100, month, day).map_err(|_| e),
    }
}

/// Converts an Excel serial day number (1900 date system) to a date.
/// `44197` → 2021-01-01, `1` → 1900-01-01; a fractional part (the time of
/// day) is ignored. Serial 60 is Excel's non-existent 29 February 1900 and is
/// rejected; serials 1–59 are counted from 1899-12-31, later ones from
/// 1899-12-30, which is how Excel shows them.
pub fn from_excel_serial(serial: f64) -> Result<NaiveDate, DateError> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(DateError::ExcelSerialOutOfRange);
    }
    let days = serial.floor() as u64;
    let (epoch, offset) = match days {
        60 => return Err(DateError::ExcelPhantomLeapDay),
        0..=59 => (NaiveDate::from_ymd_opt(1899, 12, 31), days),
        _ => (NaiveDate::from_ymd_opt(1899, 12, 30), days),
    };
    epoch
        .and_then(|e| e.checked_add_days(Days::new(offset)))
        .ok_or(DateError::ExcelSerialOutOfRange)
}

/// Whether two different dates are the same date with day and month swapped
/// (1985-03-04 vs 1985-04-03): same year, `a.day == b.month` and
/// `a.month == b.day`.
pub fn plausible_swap(a: NaiveDate, b: NaiveDate) -> bool {
    a != b && a.year() == b.year() && a.day() == b.month() && a.month() == b.day()
}

/// The date with day and month exchanged, when that is a date.
pub fn swap_day_month(d: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year(), d.day(), d.month())
}

/// Parses 1–`max` ASCII digits at the start of `b`; returns the value and the
/// number of digits.
#[inline]
fn digits(b: &[u8], max: usize) -> Option<(u32, usize)> {
    let mut v = 0u32;
    let mut n = 0;
    while n < max && n < b.len() && b[n].is_ascii_digit() {
        v = v * 10 + u32::from(b[n] - b'0');
        n += 1;
    }
    (n > 0).then_some((v, n))
}

/// Exactly `n` ASCII digits.
#[inline]
fn fixed(b: &[u8], n: usize) -> Option<u32> {
    if b.len() != n || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0')))
}

fn four_digit_year(y: u32, m: u32, d: u32) -> Result<NaiveDate, DateError> {
    if y == 0 && m == 0 && d == 0 {
        return Err(DateError::ZeroDate);
    }
    if y < 1000 {
        return Err(DateError::YearOutOfRange { year: i64::from(y) });
    }
    ymd(y as i32, m, d)
}

/// Field order of a separated date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Dmy,
    Ymd,
}

/// `d<sep>m<sep>y` or `y<sep>m<sep>d`: day and month 1–2 digits, year 4
/// digits (or 2 when `two_digit_year`).
#[inline]
fn separated(
    b: &[u8],
    sep: u8,
    order: Order,
    two_digit_year: bool,
    reference: NaiveDate,
) -> Option<Result<NaiveDate, DateError>> {
    let year_len = if two_digit_year { 2 } else { 4 };
    let (first_max, last_max) = match order {
        Order::Dmy => (2, year_len),
        Order::Ymd => (year_len, 2),
    };
    let (a, na) = digits(b, first_max)?;
    if order == Order::Ymd && na != year_len {
        return None;
    }
    if b.get(na) != Some(&sep) {
        return None;
    }
    let rest = &b[na + 1..];
    let (m, nm) = digits(rest, 2)?;
    if rest.get(nm) != Some(&sep) {
        return None;
    }
    let rest = &rest[nm + 1..];
    let (c, nc) = digits(rest, last_max)?;
    if nc != rest.len() || (order == Order::Dmy && nc != year_len) {
        return None;
    }
    let (y, d) = match order {
        Order::Dmy => (c, a),
        Order::Ymd => (a, c),
    };
    Some(if two_digit_year {
        resolve_two_digit_year(y, m, d, reference)
    } else {
        four_digit_year(y, m, d)
    })
}

/// Removes a trailing time of day (`00:00:00`, `T00:00:00Z`, `00.00.00`).
fn strip_time(s: &str) -> &str {
    let Some(pos) = s.find([' ', 'T']) else {
        return s;
    };
    let (date, time) = s.split_at(pos);
    let time = time[1..].trim();
    let looks_like_time = !time.is_empty()
        && time.as_bytes()[0].is_ascii_digit()
        && time
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'Z' | b'+' | b'-'))
        && time.contains([':', '.']);
    if looks_like_time {
        date.trim_end()
    } else {
        s
    }
}

/// Parses a date in any of the usual formats (see the module docs).
/// `reference` resolves two-digit years.
pub fn parse_date(s: &str, reference: NaiveDate) -> Result<NaiveDate, DateError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let s = strip_time(s);
    let b = s.as_bytes();
    if b.iter().all(u8::is_ascii_digit) {
        return match b.len() {
            8 => {
                let ymd_first = fixed(&b[..4], 4).filter(|y| (1800..=2200).contains(y));
                let (y, m, d) = (fixed(&b[..4], 4), fixed(&b[4..6], 2), fixed(&b[6..], 2));
                if let (Some(_), Some(y), Some(m), Some(d)) = (ymd_first, y, m, d) {
                    if let Ok(date) = four_digit_year(y, m, d) {
                        return Ok(date);
                    }
                }
                let (d, m, y) = (fixed(&b[..2], 2), fixed(&b[2..4], 2), fixed(&b[4..], 4));
                match (d, m, y) {
                    (Some(d), Some(m), Some(y)) => four_digit_year(y, m, d),
                    _ => Err(DateError::NotADate),
                }
            }
            6 => match (fixed(&b[..2], 2), fixed(&b[2..4], 2), fixed(&b[4..], 2)) {
                (Some(d), Some(m), Some(y)) => resolve_two_digit_year(y, m, d, reference),
                _ => Err(DateError::NotADate),
            },
            5 => from_excel_serial(f64::from(fixed(b, 5).unwrap_or(0))),
            _ => Err(DateError::NotADate),
        };
    }
    // Excel serial with a time fraction: 44197.5
    if let Some((int, frac)) = s.split_once(['.', ',']) {
        if int.len() == 5
            && int.bytes().all(|c| c.is_ascii_digit())
            && !frac.is_empty()
            && frac.bytes().all(|c| c.is_ascii_digit())
        {
            return from_excel_serial(f64::from(fixed(int.as_bytes(), 5).unwrap_or(0)));
        }
    }
    for sep in [b'/', b'-', b'.'] {
        if !b.contains(&sep) {
            continue;
        }
        for (order, two) in [(Order::Ymd, false), (Order::Dmy, false), (Order::Dmy, true)] {
            if let Some(r) = separated(b, sep, order, two, reference) {
                return r;
            }
        }
    }
    Err(DateError::NotADate)
}

/// One date format: a fast hand-written parser for the common ones, chrono
/// for the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// `%d<sep>%m<sep>%Y` (`sep` is `/`, `.` or `-`); with `%y` when
    /// `two_digit_year`.
    DayMonthYear {
        /// The separator.
        sep: u8,
        /// `%y` instead of `%Y`.
        two_digit_year: bool,
    },
    /// `%Y<sep>%m<sep>%d`.
    YearMonthDay {
        /// The separator.
        sep: u8,
    },
    /// `%d%m%Y`.
    CompactDmy,
    /// `%d%m%y`.
    CompactDmyShort,
    /// `%Y%m%d`.
    CompactYmd,
    /// Any other strftime format, parsed by `chrono::NaiveDate::parse_from_str`
    /// (whose `%y` uses chrono's own pivot: 70–99 → 19xx, 00–69 → 20xx).
    Chrono(String),
}

/// A format string that chrono cannot use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid date format {format:?}: {reason}")]
pub struct FormatError {
    /// The format as written.
    pub format: String,
    /// What is wrong.
    pub reason: &'static str,
}

impl DateFormat {
    /// Recognises a strftime-like format string.
    pub fn new(format: &str) -> Result<Self, FormatError> {
        let f = match format {
            "%d/%m/%Y" => DateFormat::DayMonthYear {
                sep: b'/',
                two_digit_year: false,
            },
            "%d.%m.%Y" => DateFormat::DayMonthYear {
                sep: b'.',
                two_digit_year: false,
            },
            "%d-%m-%Y" => DateFormat::DayMonthYear {
                sep: b'-',
                two_digit_year: false,
            },
            "%d/%m/%y" => DateFormat::DayMonthYear {
                sep: b'/',
                two_digit_year: true,
            },
            "%d.%m.%y" => DateFormat::DayMonthYear {
                sep: b'.',
                two_digit_year: true,
            },
            "%d-%m-%y" => DateFormat::DayMonthYear {
                sep: b'-',
                two_digit_year: true,
            },
            "%Y-%m-%d" => DateFormat::YearMonthDay { sep: b'-' },
            "%Y/%m/%d" => DateFormat::YearMonthDay { sep: b'/' },
            "%Y.%m.%d" => DateFormat::YearMonthDay { sep: b'.' },
            "%d%m%Y" => DateFormat::CompactDmy,
            "%d%m%y" => DateFormat::CompactDmyShort,
            "%Y%m%d" => DateFormat::CompactYmd,
            other => {
                let err = |reason| FormatError {
                    format: other.to_owned(),
                    reason,
                };
                if other.trim().is_empty() {
                    return Err(err("the format is empty"));
                }
                if StrftimeItems::new(other).any(|i| matches!(i, Item::Error)) {
                    return Err(err("unknown or incomplete % specifier"));
                }
                let has = |spec: &str| other.contains(spec);
                let has_year = has("%Y")
                    || has("%y")
                    || has("%G")
                    || has("%C")
                    || has("%F")
                    || has("%D")
                    || has("%x");
                let has_month = has("%m")
                    || has("%b")
                    || has("%B")
                    || has("%h")
                    || has("%F")
                    || has("%D")
                    || has("%x");
                let has_day =
                    has("%d") || has("%e") || has("%F") || has("%D") || has("%x") || has("%j");
                if !(has_year && (has_month || has("%j")) && has_day) {
                    return Err(err("a date format needs a year, a month and a day"));
                }
                DateFormat::Chrono(other.to_owned())
            }
        };
        Ok(f)
    }

    /// Parses `s` (already trimmed by the caller or not: spaces around are
    /// ignored). `None` when `s` does not have this format's shape; `Some(Err)`
    /// when it has the shape but is not a date (31/02/2020).
    pub fn parse(&self, s: &str, reference: NaiveDate) -> Option<Result<NaiveDate, DateError>> {
        let s = s.trim();
        let b = s.as_bytes();
        match self {
            DateFormat::DayMonthYear {
                sep,
                two_digit_year,
            } => separated(b, *sep, Order::Dmy, *two_digit_year, reference),
            DateFormat::YearMonthDay { sep } => separated(b, *sep, Order::Ymd, false, reference),
            DateFormat::CompactDmy => {
                let (d, m, y) = (
                    fixed(b.get(..2)?, 2)?,
                    fixed(b.get(2..4)?, 2)?,
                    fixed(b.get(4..)?, 4)?,
                );
                Some(four_digit_year(y, m, d))
            }
            DateFormat::CompactDmyShort => {
                let (d, m, y) = (
                    fixed(b.get(..2)?, 2)?,
                    fixed(b.get(2..4)?, 2)?,
                    fixed(b.get(4..)?, 2)?,
                );
                Some(resolve_two_digit_year(y, m, d, reference))
            }
            DateFormat::CompactYmd => {
                let (y, m, d) = (
                    fixed(b.get(..4)?, 4)?,
                    fixed(b.get(4..6)?, 2)?,
                    fixed(b.get(6..)?, 2)?,
                );
                Some(four_digit_year(y, m, d))
            }
            DateFormat::Chrono(f) => NaiveDate::parse_from_str(s, f).ok().map(Ok),
        }
    }
}

/// An ordered list of formats: the first whose shape matches decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateFormats(Vec<DateFormat>);

impl DateFormats {
    /// Compiles a list of strftime-like formats (`["%d/%m/%Y", "%Y-%m-%d"]`).
    pub fn new<S: AsRef<str>>(formats: &[S]) -> Result<Self, FormatError> {
        formats
            .iter()
            .map(|f| DateFormat::new(f.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map(DateFormats)
    }

    /// The compiled formats.
    pub fn formats(&self) -> &[DateFormat] {
        &self.0
    }

    /// Parses `s` with the first format whose shape it has. A value with the
    /// right shape but an impossible date gets that format's reason
    /// (`DayOutOfRange` for 31/02/2020); a value matching no format gets
    /// [`DateError::NoFormatMatched`].
    pub fn parse(&self, s: &str, reference: NaiveDate) -> Result<NaiveDate, DateError> {
        if s.trim().is_empty() {
            return Err(DateError::Empty);
        }
        let mut first_err = None;
        for f in &self.0 {
            match f.parse(s, reference) {
                Some(Ok(d)) => return Ok(d),
                Some(Err(e)) => {
                    first_err.get_or_insert(e);
                }
                None => {}
            }
        }
        Err(first_err.unwrap_or(DateError::NoFormatMatched))
    }
}

/// Parses `s` with an explicit list of formats (compiling them each time; for
/// many values compile once with [`DateFormats::new`]).
pub fn parse_with_formats(
    s: &str,
    formats: &[&str],
    reference: NaiveDate,
) -> Result<Result<NaiveDate, DateError>, FormatError> {
    DateFormats::new(formats).map(|f| f.parse(s, reference))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{In, Lang};
    use proptest::prelude::*;

    #[test]
    fn errors_are_said_in_both_languages() {
        let it = |e: DateError| In(&e, Lang::It).to_string();
        assert_eq!(
            it(DateError::DayOutOfRange {
                day: 31,
                month: 2,
                year: 2020
            }),
            "il giorno 31 non esiste in febbraio 2020 (ha 29 giorni)"
        );
        assert_eq!(
            In(&DateError::NotADate, Lang::En).to_string(),
            "not a recognised date format"
        );
        for e in DateError::examples() {
            assert_ne!(In(&e, Lang::En).to_string(), it(e), "not translated");
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn reference() -> NaiveDate {
        d(2026, 11, 28)
    }

    #[test]
    fn auto_formats() {
        let cases = [
            ("31/12/2020", d(2020, 12, 31)),
            ("1/2/2020", d(2020, 2, 1)),
            ("2020-12-31", d(2020, 12, 31)),
            ("2020/12/31", d(2020, 12, 31)),
            ("31-12-2020", d(2020, 12, 31)),
            ("31.12.2020", d(2020, 12, 31)),
            ("20201231", d(2020, 12, 31)),
            ("31122020", d(2020, 12, 31)),
            ("01022020", d(2020, 2, 1)),
            ("  2020-01-31 00:00:00 ", d(2020, 1, 31)),
            ("2020-01-31T10:20:30Z", d(2020, 1, 31)),
            ("31/01/2020 00.00.00", d(2020, 1, 31)),
            ("01/02/24", d(2024, 2, 1)),
            ("01/02/30", d(1930, 2, 1)),
            ("010230", d(1930, 2, 1)),
            ("44197", d(2021, 1, 1)),
            ("44197.75", d(2021, 1, 1)),
            ("29/02/2020", d(2020, 2, 29)),
        ];
        for (s, want) in cases {
            assert_eq!(parse_date(s, reference()), Ok(want), "{s:?}");
        }
    }

    #[test]
    fn two_digit_year_pivot() {
        let r = reference();
        assert_eq!(resolve_two_digit_year(24, 5, 1, r), Ok(d(2024, 5, 1)));
        assert_eq!(resolve_two_digit_year(30, 5, 1, r), Ok(d(1930, 5, 1)));
        assert_eq!(resolve_two_digit_year(26, 11, 28, r), Ok(d(2026, 11, 28)));
        assert_eq!(resolve_two_digit_year(26, 11, 29, r), Ok(d(1926, 11, 29)));
        assert_eq!(resolve_two_digit_year(0, 2, 29, r), Ok(d(2000, 2, 29)));
        // 2096 is in the future, 1996 is a leap year.
        assert_eq!(resolve_two_digit_year(96, 2, 29, r), Ok(d(1996, 2, 29)));
        assert!(resolve_two_digit_year(21, 2, 29, r).is_err());
    }

    #[test]
    fn impossible_dates_have_a_reason() {
        let e = parse_date("31/02/2020", reference());
        assert_eq!(
            e,
            Err(DateError::DayOutOfRange {
                day: 31,
                month: 2,
                year: 2020
            })
        );
        assert_eq!(
            e.err().map(|e| e.message()).unwrap_or_default(),
            "day 31 does not exist in February 2020 (it has 29 days)"
        );
        assert!(matches!(
            parse_date("29/02/2021", reference()),
            Err(DateError::DayOutOfRange { .. })
        ));
        assert!(matches!(
            parse_date("31/04/2021", reference()),
            Err(DateError::DayOutOfRange { .. })
        ));
        assert!(matches!(
            parse_date("00/04/2021", reference()),
            Err(DateError::DayOutOfRange { day: 0, .. })
        ));
        assert_eq!(
            parse_date("12/13/2021", reference()),
            Err(DateError::MonthOutOfRange {
                month: 13,
                maybe_month_first: true
            })
        );
        assert!(parse_date("12/13/2021", reference())
            .err()
            .is_some_and(|e| e.message().contains("month first")));
        assert_eq!(
            parse_date("0000-00-00", reference()),
            Err(DateError::ZeroDate)
        );
        assert_eq!(
            parse_date("0202-01-01", reference()),
            Err(DateError::YearOutOfRange { year: 202 })
        );
        assert_eq!(parse_date("", reference()), Err(DateError::Empty));
        for bad in [
            "abc",
            "1985",
            "12/2020",
            "1/2/3/4",
            "2020-1-",
            "--",
            "١٢/١٢/٢٠٢٠",
            "31/12/20200",
        ] {
            assert!(parse_date(bad, reference()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn excel_serials() {
        assert_eq!(from_excel_serial(44197.0), Ok(d(2021, 1, 1)));
        assert_eq!(from_excel_serial(1.0), Ok(d(1900, 1, 1)));
        assert_eq!(from_excel_serial(59.0), Ok(d(1900, 2, 28)));
        assert_eq!(from_excel_serial(60.0), Err(DateError::ExcelPhantomLeapDay));
        assert_eq!(from_excel_serial(61.0), Ok(d(1900, 3, 1)));
        assert_eq!(from_excel_serial(25569.0), Ok(d(1970, 1, 1)));
        assert_eq!(from_excel_serial(2_958_465.0), Ok(d(9999, 12, 31)));
        for bad in [0.0, -1.0, 2_958_466.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                from_excel_serial(bad),
                Err(DateError::ExcelSerialOutOfRange)
            );
        }
    }

    #[test]
    fn swaps() {
        assert!(plausible_swap(d(1985, 4, 3), d(1985, 3, 4)));
        assert!(!plausible_swap(d(1985, 4, 3), d(1985, 4, 3)));
        assert!(!plausible_swap(d(1985, 4, 3), d(1986, 3, 4)));
        assert!(!plausible_swap(d(1985, 4, 13), d(1985, 3, 4)));
        assert_eq!(swap_day_month(d(1985, 4, 3)), Some(d(1985, 3, 4)));
        assert_eq!(swap_day_month(d(1985, 4, 13)), None);
    }

    #[test]
    fn explicit_formats() {
        let r = reference();
        let f = DateFormats::new(&["%d/%m/%Y", "%Y-%m-%d"]).expect("formats");
        assert_eq!(f.parse("03/04/1985", r), Ok(d(1985, 4, 3)));
        assert_eq!(f.parse("1985-04-03", r), Ok(d(1985, 4, 3)));
        assert_eq!(
            f.parse("31/02/2020", r),
            Err(DateError::DayOutOfRange {
                day: 31,
                month: 2,
                year: 2020
            })
        );
        assert_eq!(f.parse("19850403", r), Err(DateError::NoFormatMatched));
        assert_eq!(f.parse(" ", r), Err(DateError::Empty));
        let all = [
            "%d/%m/%Y", "%Y-%m-%d", "%d%m%Y", "%Y%m%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y",
        ];
        let inputs = [
            "03/04/1985",
            "1985-04-03",
            "03041985",
            "19850403",
            "03.04.1985",
            "03-04-1985",
            "03/04/85",
        ];
        for (fmt, input) in all.iter().zip(inputs) {
            let f = DateFormats::new(&[*fmt]).expect("format");
            assert!(
                !matches!(f.formats()[0], DateFormat::Chrono(_)),
                "{fmt} should be fast"
            );
            assert_eq!(f.parse(input, r), Ok(d(1985, 4, 3)), "{fmt}");
        }
        // Fallback to chrono.
        let f = DateFormats::new(&["%d %B %Y"]).expect("format");
        assert!(matches!(f.formats()[0], DateFormat::Chrono(_)));
        assert_eq!(f.parse("3 April 1985", r), Ok(d(1985, 4, 3)));
        assert_eq!(
            parse_with_formats("1985/04/03", &["%Y/%m/%d"], r),
            Ok(Ok(d(1985, 4, 3)))
        );
        // Invalid formats.
        assert!(DateFormats::new(&["%Q"]).is_err());
        assert!(DateFormats::new(&["%m/%Y"]).is_err());
        assert!(DateFormats::new(&[""]).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = parse_date(&s, reference());
            let f = DateFormats::new(&["%d/%m/%Y", "%Y%m%d", "%d%m%y", "%e %b %Y"]).expect("formats");
            let _ = f.parse(&s, reference());
        }

        #[test]
        fn fast_formats_agree_with_chrono(days in 0u64..80_000) {
            let date = d(1900, 1, 1).checked_add_days(Days::new(days)).unwrap_or_default();
            for fmt in ["%d/%m/%Y", "%Y-%m-%d", "%d%m%Y", "%Y%m%d", "%d.%m.%Y", "%d-%m-%Y"] {
                let text = date.format(fmt).to_string();
                let fast = DateFormats::new(&[fmt]).expect("format").parse(&text, reference());
                prop_assert_eq!(fast, Ok(date));
                prop_assert_eq!(NaiveDate::parse_from_str(&text, fmt).ok(), Some(date));
                prop_assert_eq!(parse_date(&text, reference()), Ok(date));
            }
        }
    }
}
