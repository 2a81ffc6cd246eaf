//! Belfiore (cadastral) place codes: Italian municipalities and foreign
//! countries, with their validity intervals.
//!
//! Characters 12–15 of a codice fiscale are the code of the place of birth
//! **valid at the birth date**: a municipality's cadastral code (`A944`
//! Bologna) or, for people born abroad, the country's `Z` code (`Z249`
//! Bangladesh). Codes come and go: Bazzano `A726` was valid until 2013-12-31,
//! when it merged into Valsamoggia `M320`; Yugoslavia `Z118` was dissolved in
//! 2003. [`valid_at`] answers "was this code valid on that day?".
//!
//! The tables are compiled into the binary (see `data/ATTRIBUTION.md`:
//! "Fonte: ANPR – Ministero dell'Interno", CC BY 4.0, via python-codicefiscale)
//! and parsed on first use. Lookups index an array by the code itself
//! (letter × 1000 + number), so they are O(1).
//!
//! Successors: the tables do not say which code replaced an expired one. For
//! municipalities, [`Validity::Expired`] names a successor only when exactly one
//! new code of the same province starts the day after the old one ends (true
//! for Bazzano → Valsamoggia and Porretta Terme → Alto Reno Terme); for foreign
//! states a short hand-made list covers states with a single successor.
//! Dissolved states with several successors (USSR, Czechoslovakia, Serbia and
//! Montenegro) have none.

use std::sync::OnceLock;

use chrono::{Days, NaiveDate};

const COMUNI_CSV: &str = include_str!("data/belfiore_comuni.csv");
const STATI_CSV: &str = include_str!("data/belfiore_stati_esteri.csv");

/// Number of slots in the code index: 26 letters × 1000 numbers.
const SLOTS: usize = 26 * 1000;

/// Foreign states whose code was replaced by exactly one other code.
const FOREIGN_SUCCESSORS: &[(&str, &str)] = &[
    ("Z111", "Z112"), // German Democratic Republic → Germany
    ("Z118", "Z157"), // Yugoslavia → Serbia and Montenegro
    ("Z136", "Z254"), // Georgia (old code) → Georgia
    ("Z201", "Z250"), // Federation of South Arabia → South Yemen
    ("Z202", "Z250"), // Protectorate of South Arabia → South Yemen
    ("Z250", "Z246"), // South Yemen → Yemen
    ("Z350", "Z357"), // Tanganyika → Tanzania
];

/// One name/province period of a place code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// Official name in the period (e.g. `Porretta Terme`).
    pub name: String,
    /// Name in the second language, where there is one (e.g. German names in
    /// South Tyrol).
    pub alt_name: Option<String>,
    /// Province abbreviation (`BO`); `EE` for foreign countries.
    pub province: String,
    /// First day of validity.
    pub from: NaiveDate,
    /// Last day of validity (inclusive); `None` while still valid.
    pub until: Option<NaiveDate>,
}

impl Period {
    /// Whether `date` falls in this period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        date >= self.from && self.until.is_none_or(|u| date <= u)
    }
}

/// A place code with all its periods.
#[derive(Clone, Copy, Debug)]
pub struct Place {
    code: [u8; 4],
    periods: &'static [Period],
}

impl Place {
    /// The code, e.g. `A944`.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("")
    }

    /// The most recent name.
    pub fn name(&self) -> &'static str {
        self.periods.last().map_or("", |p| p.name.as_str())
    }

    /// The most recent province abbreviation, `EE` for a foreign country.
    pub fn province(&self) -> &'static str {
        self.periods.last().map_or("", |p| p.province.as_str())
    }

    /// Whether the code is a foreign country (`Z` code).
    pub fn is_foreign(&self) -> bool {
        self.code[0] == b'Z'
    }

    /// Whether the code is still valid today (its last period has no end).
    pub fn is_active(&self) -> bool {
        self.periods.last().is_some_and(|p| p.until.is_none())
    }

    /// All periods, oldest first.
    pub fn periods(&self) -> &'static [Period] {
        self.periods
    }

    /// The period valid at `date`, if any.
    pub fn period_at(&self, date: NaiveDate) -> Option<&'static Period> {
        self.periods.iter().find(|p| p.contains(date))
    }
}

/// Whether a place code was valid on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// The code was valid on that day.
    Valid,
    /// The code did not exist yet: it was established on `from`.
    NotYetValid {
        /// First day of validity.
        from: NaiveDate,
    },
    /// The code was no longer (or, in a gap between two periods, not) valid.
    Expired {
        /// Last day of the period that ended before the date.
        until: NaiveDate,
        /// The code that replaced it, when the tables make it unambiguous.
        successor: Option<&'static str>,
    },
    /// No such code in the tables (or not a well-formed code).
    Unknown,
}

impl Validity {
    /// `true` only for [`Validity::Valid`].
    pub fn is_valid(&self) -> bool {
        matches!(self, Validity::Valid)
    }

    /// A sentence for a data owner, without the code or the date.
    pub fn message(&self) -> String {
        match self {
            Validity::Valid => "place code valid at the date".to_owned(),
            Validity::NotYetValid { .. } => {
                "place code did not exist yet at the date (established later)".to_owned()
            }
            Validity::Expired {
                successor: Some(_), ..
            } => "place code had already been replaced by a newer code at the date".to_owned(),
            Validity::Expired { .. } => "place code no longer valid at the date".to_owned(),
            Validity::Unknown => "unknown place code".to_owned(),
        }
    }
}

struct Table {
    /// Periods grouped by code slot, each group sorted by `from`.
    periods: Vec<Period>,
    /// For each slot: start and length of its periods.
    index: Vec<(u32, u32)>,
    /// Successor code per slot, when known.
    successors: Vec<Option<[u8; 4]>>,
    /// Successor codes as strings (so that `&'static str` can be handed out).
    successor_names: Vec<String>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(build_table)
}

/// Index of a code's slot: `A001` → 1, `Z249` → 25249. `None` unless the
/// input is one ASCII letter and three digits (case-insensitive).
fn slot(code: &[u8]) -> Option<usize> {
    let [l, a, b, c] = code else { return None };
    let l = l.to_ascii_uppercase();
    if !l.is_ascii_uppercase() || !a.is_ascii_digit() || !b.is_ascii_digit() || !c.is_ascii_digit()
    {
        return None;
    }
    Some(
        usize::from(l - b'A') * 1000
            + usize::from(a - b'0') * 100
            + usize::from(b - b'0') * 10
            + usize::from(c - b'0'),
    )
}

fn code_of_slot(slot: usize) -> [u8; 4] {
    let letter = b'A' + ((slot / 1000) % 26) as u8;
    let n = slot % 1000;
    [
        letter,
        b'0' + (n / 100) as u8,
        b'0' + ((n / 10) % 10) as u8,
        b'0' + (n % 10) as u8,
    ]
}

fn parse_iso(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Reads one of the embedded CSVs into (slot, period) pairs. Rows that do not
/// parse (e.g. the `ND` "not defined" codes) are skipped; the tests check the
/// counts.
fn read_rows(csv_text: &str, foreign: bool, out: &mut Vec<(usize, Period)>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.as_bytes());
    for record in reader.records().flatten() {
        let Some(slot) = record.get(0).and_then(|c| slot(c.trim().as_bytes())) else {
            continue;
        };
        let name = record.get(1).unwrap_or("").trim().to_owned();
        let (alt_name, province, from, until) = if foreign {
            (
                None,
                "EE".to_owned(),
                record.get(4).and_then(parse_iso),
                record.get(5).and_then(parse_iso),
            )
        } else {
            (
                non_empty(record.get(3)),
                record.get(4).unwrap_or("").trim().to_owned(),
                record.get(5).and_then(parse_iso),
                record.get(6).and_then(parse_iso),
            )
        };
        let Some(from) = from else { continue };
        out.push((
            slot,
            Period {
                name,
                alt_name,
                province,
                from,
                until,
            },
        ));
    }
}

fn build_table() -> Table {
    let mut rows = Vec::with_capacity(19_700);
    read_rows(COMUNI_CSV, false, &mut rows);
    read_rows(STATI_CSV, true, &mut rows);
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.from.cmp(&b.1.from)));

    let mut index = vec![(0u32, 0u32); SLOTS];
    let mut periods = Vec::with_capacity(rows.len());
    for (slot, period) in rows {
        let pos = periods.len() as u32;
        let entry = &mut index[slot];
        if entry.1 == 0 {
            entry.0 = pos;
        }
        entry.1 += 1;
        periods.push(period);
    }

    // Municipality successors: the single new code of the same province whose
    // first period starts the day after the old code's last period ends.
    let mut starts: std::collections::HashMap<(NaiveDate, &str), Vec<usize>> =
        std::collections::HashMap::new();
    for (slot, &(start, len)) in index.iter().enumerate() {
        if len == 0 || slot >= 25_000 {
            continue;
        }
        let first = &periods[start as usize];
        starts
            .entry((first.from, first.province.as_str()))
            .or_default()
            .push(slot);
    }
    let mut successors = vec![None; SLOTS];
    for (slot, &(start, len)) in index.iter().enumerate() {
        if len == 0 || slot >= 25_000 {
            continue;
        }
        let last = &periods[(start + len - 1) as usize];
        let Some(next_day) = last.until.and_then(|u| u.checked_add_days(Days::new(1))) else {
            continue;
        };
        if let Some(cands) = starts.get(&(next_day, last.province.as_str())) {
            let others: Vec<usize> = cands.iter().copied().filter(|&c| c != slot).collect();
            if let [only] = others[..] {
                successors[slot] = Some(code_of_slot(only));
            }
        }
    }
    for (old, new) in FOREIGN_SUCCESSORS {
        if let (Some(o), Some(n)) = (slot(old.as_bytes()), slot(new.as_bytes())) {
            successors[o] = Some(code_of_slot(n));
        }
    }
    let successor_names = successors
        .iter()
        .map(|s| {
            s.map(|c| String::from_utf8_lossy(&c).into_owned())
                .unwrap_or_default()
        })
        .collect();
    Table {
        periods,
        index,
        successors,
        successor_names,
    }
}

/// Looks a code up (`A944`, `z249`; surrounding spaces are ignored).
/// `None` for codes not in the tables and for anything that is not a letter
/// followed by three digits.
pub fn place(code: &str) -> Option<Place> {
    let code = code.trim().as_bytes();
    let slot = slot(code)?;
    let t = table();
    let (start, len) = t.index[slot];
    if len == 0 {
        return None;
    }
    let periods = t.periods.get(start as usize..(start + len) as usize)?;
    Some(Place {
        code: code_of_slot(slot),
        periods,
    })
}

/// Whether `code` was valid on `date` (see [`Validity`]).
pub fn valid_at(code: &str, date: NaiveDate) -> Validity {
    let Some(p) = place(code) else {
        return Validity::Unknown;
    };
    let periods = p.periods();
    if periods.iter().any(|x| x.contains(date)) {
        return Validity::Valid;
    }
    let Some(first) = periods.first() else {
        return Validity::Unknown;
    };
    if date < first.from {
        return Validity::NotYetValid { from: first.from };
    }
    // The latest period that started on or before the date ended before it.
    let Some((i, ended)) = periods.iter().enumerate().rfind(|(_, x)| x.from <= date) else {
        return Validity::Unknown;
    };
    let Some(until) = ended.until else {
        return Validity::Unknown;
    };
    let successor = if i + 1 == periods.len() {
        let t = table();
        slot(&p.code).and_then(|s| t.successors[s].map(|_| t.successor_names[s].as_str()))
    } else {
        None
    };
    Validity::Expired { until, successor }
}

/// Every code (municipality or country) that had the given name in any
/// period, compared case- and accent-insensitively (`Tortolì` = `TORTOLI`).
/// A linear scan: meant for reports and diagnostics, not for hot loops.
pub fn codes_named(name: &str) -> Vec<&'static str> {
    let wanted = super::names::normalize_name(name);
    if wanted.is_empty() {
        return Vec::new();
    }
    let t = table();
    let mut out = Vec::new();
    for (slot, &(start, len)) in t.index.iter().enumerate() {
        if len == 0 {
            continue;
        }
        let ps = &t.periods[start as usize..(start + len) as usize];
        let hit = ps.iter().any(|p| {
            super::names::normalize_name(&p.name) == wanted
                || p.alt_name
                    .as_deref()
                    .is_some_and(|a| super::names::normalize_name(a) == wanted)
        });
        if hit {
            out.push(static_code(slot));
        }
    }
    out
}

/// A `&'static str` for a slot's code, taken from the table's successor
/// strings when available, else from a lazily built list of all codes.
fn static_code(slot: usize) -> &'static str {
    static CODES: OnceLock<Vec<String>> = OnceLock::new();
    let codes = CODES.get_or_init(|| {
        (0..SLOTS)
            .map(|s| String::from_utf8_lossy(&code_of_slot(s)).into_owned())
            .collect()
    });
    codes.get(slot).map_or("", String::as_str)
}

/// Whether `name` is one of the names (any period, either language) of the
/// place `code`, compared case- and accent-insensitively.
pub fn place_has_name(code: &str, name: &str) -> bool {
    let wanted = super::names::normalize_name(name);
    if wanted.is_empty() {
        return false;
    }
    place(code).is_some_and(|p| {
        p.periods().iter().any(|x| {
            super::names::normalize_name(&x.name) == wanted
                || x.alt_name
                    .as_deref()
                    .is_some_and(|a| super::names::normalize_name(a) == wanted)
        })
    })
}

/// Number of codes in the tables (municipalities and countries).
pub fn code_count() -> usize {
    table().index.iter().filter(|(_, len)| *len > 0).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn counts_match_the_reference_tables() {
        // 19,373 municipality rows minus 28 "ND" rows, plus 222 countries.
        assert_eq!(table().periods.len(), 19_373 - 28 + 222);
        // 9,865 distinct municipality codes including "ND", plus 222 countries.
        assert_eq!(code_count(), 9_864 + 222);
    }

    #[test]
    fn bologna_and_rome() {
        let p = place("A944").expect("Bologna");
        assert_eq!(p.name(), "Bologna");
        assert_eq!(p.province(), "BO");
        assert!(p.is_active());
        assert!(!p.is_foreign());
        assert_eq!(place(" h501 ").map(|p| p.name()), Some("Roma"));
        assert_eq!(valid_at("A944", d(1980, 1, 1)), Validity::Valid);
    }

    #[test]
    fn bazzano_and_valsamoggia() {
        assert_eq!(valid_at("A726", d(2013, 12, 31)), Validity::Valid);
        assert_eq!(
            valid_at("A726", d(2014, 1, 1)),
            Validity::Expired {
                until: d(2013, 12, 31),
                successor: Some("M320")
            }
        );
        assert_eq!(
            valid_at("M320", d(2013, 12, 31)),
            Validity::NotYetValid {
                from: d(2014, 1, 1)
            }
        );
        assert_eq!(valid_at("M320", d(2014, 1, 1)), Validity::Valid);
        assert!(matches!(
            valid_at("A558", d(2016, 6, 1)),
            Validity::Expired {
                successor: Some("M369"),
                ..
            }
        ));
    }

    #[test]
    fn ceded_territories_keep_italian_codes() {
        let pola = place("G778").expect("Pola");
        assert_eq!(pola.province(), "PL");
        assert_eq!(valid_at("G778", d(1940, 5, 5)), Validity::Valid);
        assert!(matches!(
            valid_at("G778", d(1950, 1, 1)),
            Validity::Expired { .. }
        ));
    }

    #[test]
    fn dissolved_states_valid_before_dissolution() {
        let yu = place("Z118").expect("Yugoslavia");
        assert_eq!(yu.name(), "Jugoslavia");
        assert_eq!(yu.province(), "EE");
        assert!(yu.is_foreign());
        assert!(!yu.is_active());
        assert_eq!(valid_at("Z118", d(1980, 3, 3)), Validity::Valid);
        assert_eq!(
            valid_at("Z118", d(2005, 3, 3)),
            Validity::Expired {
                until: d(2003, 2, 4),
                successor: Some("Z157")
            }
        );
        assert_eq!(valid_at("Z135", d(1985, 1, 1)), Validity::Valid);
        assert!(matches!(
            valid_at("Z135", d(1995, 1, 1)),
            Validity::Expired {
                successor: None,
                ..
            }
        ));
        // Successor states are accepted for the same births too.
        assert_eq!(valid_at("Z158", d(1980, 3, 3)), Validity::Valid);
    }

    #[test]
    fn unknown_and_malformed_codes() {
        for c in [
            "", "ND", "A94", "A9444", "9944", "Z999", "A000", "ÀAAA", "Z2\u{0}9",
        ] {
            assert_eq!(valid_at(c, d(2000, 1, 1)), Validity::Unknown, "{c:?}");
        }
    }

    #[test]
    fn names() {
        assert!(place_has_name("A944", "BOLOGNA"));
        assert!(place_has_name("Z249", "bangladesh"));
        assert!(!place_has_name("A944", "Roma"));
        assert!(codes_named("Bologna").contains(&"A944"));
        assert!(codes_named("TORTOLI'").contains(&"A355"));
    }
}
