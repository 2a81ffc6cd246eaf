//! Recognising identity columns by their content, whatever they are called:
//! codici fiscali, surnames and given names (against the anagrafe's names, or
//! against the codes of a codice fiscale column), full names in one column,
//! dates in any usual format, sex, Belfiore, ISTAT codes, CAP and addresses.
//!
//! Each value recogniser is a plain function of one cell ([`is_codice_fiscale`],
//! [`date_format`], [`is_sex`], [`is_belfiore`], [`is_address`], …); a column
//! is of a kind when enough of its non-empty cells are ([`recognise`]).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::sample::Sample;
use crate::identity::codice_fiscale::{self, Decoded, Sex};
use crate::identity::{address, belfiore, ids, names};

/// What a column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Codici fiscali (personal, 16 characters).
    CodiceFiscale,
    /// Surnames.
    Surname,
    /// Given names.
    GivenName,
    /// Surname and given name in one cell.
    FullName {
        /// `ROSSI MARIO` rather than `MARIO ROSSI`.
        surname_first: bool,
    },
    /// Dates, in the formats listed (most frequent first).
    Date {
        /// strftime formats the values use.
        formats: Vec<&'static str>,
    },
    /// Sex (`M`/`F`, `MASCHIO`/`FEMMINA`…).
    Sex,
    /// Belfiore codes (a municipality, or `Z###` a foreign country).
    Belfiore,
    /// ISTAT municipality codes (six digits).
    IstatComune,
    /// ISTAT country codes (three digits, `100` Italy).
    IstatStato,
    /// Italian postcodes.
    Cap,
    /// Street addresses (`VIA ROMA 12`, `V.LE XII GIUGNO 3/A`).
    Address,
    /// Nothing vaglio knows.
    Other,
}

impl Kind {
    /// A short description for comments and reports.
    pub fn label(&self) -> String {
        match self {
            Kind::CodiceFiscale => "codice fiscale".into(),
            Kind::Surname => "surname".into(),
            Kind::GivenName => "given name".into(),
            Kind::FullName {
                surname_first: true,
            } => "surname and name in one column".into(),
            Kind::FullName {
                surname_first: false,
            } => "name and surname in one column".into(),
            Kind::Date { formats } => format!("date ({})", formats.join(", ")),
            Kind::Sex => "sex".into(),
            Kind::Belfiore => "Belfiore code".into(),
            Kind::IstatComune => "ISTAT municipality code".into(),
            Kind::IstatStato => "ISTAT country code".into(),
            Kind::Cap => "CAP".into(),
            Kind::Address => "address".into(),
            Kind::Other => "other".into(),
        }
    }
}

/// A column as recognised.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Position in the sample.
    pub index: usize,
    /// Its name in the file.
    pub name: String,
    /// What it holds.
    pub kind: Kind,
    /// Share of its non-empty cells that are of the kind (0–1).
    pub share: f64,
    /// Non-empty cells.
    pub present: usize,
    /// Distinct non-empty values.
    pub distinct: usize,
    /// Why the kind was chosen, in words.
    pub evidence: String,
}

/// The anagrafe's surnames and given names, normalised, with their counts.
#[derive(Clone, Debug, Default)]
pub struct NameTable {
    surnames: HashMap<String, u32>,
    given: HashMap<String, u32>,
}

impl NameTable {
    /// The table of `(surname, given name)` pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> NameTable {
        let mut t = NameTable::default();
        for (s, g) in pairs {
            let s = names::normalize_name(s);
            if !s.is_empty() {
                *t.surnames.entry(s).or_default() += 1;
            }
            let g = names::normalize_name(g);
            if let Some(first) = g.split(' ').next().filter(|f| *f != g && !f.is_empty()) {
                *t.given.entry(first.to_string()).or_default() += 1;
            }
            if !g.is_empty() {
                *t.given.entry(g).or_default() += 1;
            }
        }
        t
    }

    /// Whether no names are known.
    pub fn is_empty(&self) -> bool {
        self.surnames.is_empty() && self.given.is_empty()
    }

    /// Whether `v` is a known surname.
    pub fn is_surname(&self, v: &str) -> bool {
        self.surnames.contains_key(&names::normalize_name(v))
    }

    /// Whether `v` is a known given name (or starts with one).
    pub fn is_given(&self, v: &str) -> bool {
        let n = names::normalize_name(v);
        self.given.contains_key(&n)
            || n.split(' ')
                .next()
                .is_some_and(|f| !f.is_empty() && self.given.contains_key(f))
    }

    /// How `v` reads as a full name: `Some(true)` surname first, `Some(false)`
    /// given name first, `None` neither.
    pub fn full_name_order(&self, v: &str) -> Option<bool> {
        let words = names::name_parts(v);
        if words.len() < 2 {
            return None;
        }
        let cut = words.len().min(4);
        let known = |s: &[String], f: &dyn Fn(&str) -> bool| f(&s.join(" "));
        for k in 1..cut {
            let (a, b) = words.split_at(k);
            if known(a, &|s| self.is_surname(s)) && known(b, &|s| self.is_given(s)) {
                return Some(true);
            }
        }
        for k in 1..cut {
            let (a, b) = words.split_at(k);
            if known(a, &|s| self.is_given(s)) && known(b, &|s| self.is_surname(s)) {
                return Some(false);
            }
        }
        None
    }
}

/// Date formats vaglio recognises, in the order they are tried.
pub const DATE_FORMATS: &[&str] = &[
    "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d", "%d/%m/%y",
];

/// The first of [`DATE_FORMATS`] that reads `v` as a date between 1850 and
/// 2150 (a time after the date, `2024-03-01 00:00:00`, is ignored).
pub fn date_format(v: &str) -> Option<&'static str> {
    let v = v.trim();
    let date = v
        .split_once([' ', 'T'])
        .filter(|(_, t)| t.contains(':'))
        .map_or(v, |(d, _)| d);
    if !date.bytes().any(|b| b.is_ascii_digit()) || date.len() < 6 || date.len() > 10 {
        return None;
    }
    DATE_FORMATS.iter().copied().find(|f| {
        NaiveDate::parse_from_str(date, f)
            .ok()
            .is_some_and(|d| (1850..=2150).contains(&chrono::Datelike::year(&d)))
    })
}

/// `v` as a personal codice fiscale (spaces and `-`/`.` separators ignored),
/// decoded against `today`.
pub fn decode_cf(v: &str, today: NaiveDate) -> Option<Decoded> {
    let n = codice_fiscale::normalize(v);
    if n.len() != 16 {
        return None;
    }
    codice_fiscale::decode(n.as_bytes(), today).ok()
}

/// Whether `v` is a valid personal codice fiscale.
pub fn is_codice_fiscale(v: &str, today: NaiveDate) -> bool {
    decode_cf(v, today).is_some()
}

/// Whether `v` reads as a sex.
pub fn is_sex(v: &str) -> bool {
    Sex::parse(v).is_some()
}

/// Whether `v` is a Belfiore code in the embedded tables.
pub fn is_belfiore(v: &str) -> bool {
    v.trim().len() == 4 && belfiore::place(v).is_some()
}

/// Whether `v` is a six-digit ISTAT municipality code.
pub fn is_istat_comune(v: &str) -> bool {
    v.len() == 6 && ids::parse_istat_code(v).is_ok()
}

/// Whether `v` is a three-digit ISTAT country code (100–999).
pub fn is_istat_stato(v: &str) -> bool {
    v.len() == 3 && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0')
}

/// Whether `v` is an Italian postcode.
pub fn is_cap(v: &str) -> bool {
    v.len() == 5 && ids::validate_cap(v).is_ok()
}

/// Whether `v` reads as a street address: a street type (ANPR DUG, also
/// abbreviated) and a street name.
pub fn is_address(v: &str) -> bool {
    if !v.bytes().any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let a = address::parse_address(v);
    a.dug.is_some() && !a.street.is_empty()
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

/// Percent, rounded down, for comments.
pub fn pct(x: f64) -> String {
    format!("{}%", (x * 100.0 + 1e-9).floor() as i64)
}

/// Recognises every column of `sample`. `names` are the anagrafe's (empty
/// without an anagrafe: then names are recognised by agreeing with a
/// codice fiscale column).
pub fn recognise(sample: &Sample, names: &NameTable, today: NaiveDate) -> Vec<Column> {
    let mut out: Vec<Column> = (0..sample.columns.len())
        .map(|i| recognise_one(sample, i, names, today))
        .collect();
    // Names by the codes of a codice fiscale column: characters 1–3 from the
    // surname, 4–6 from the given name.
    let cfs: Vec<usize> = out
        .iter()
        .filter(|c| c.kind == Kind::CodiceFiscale)
        .map(|c| c.index)
        .collect();
    for c in out.iter_mut().filter(|c| c.kind == Kind::Other) {
        let mut best: Option<(f64, Kind, usize)> = None;
        for &cf in &cfs {
            for (kind, agree) in [
                (
                    Kind::Surname,
                    agreement(sample, c.index, cf, Role::Surname, today),
                ),
                (
                    Kind::GivenName,
                    agreement(sample, c.index, cf, Role::Given, today),
                ),
                (
                    Kind::FullName {
                        surname_first: true,
                    },
                    agreement(sample, c.index, cf, Role::FullName, today),
                ),
            ] {
                if agree >= 0.5 && best.as_ref().is_none_or(|b| agree > b.0) {
                    best = Some((agree, kind, cf));
                }
            }
        }
        if let Some((agree, kind, cf)) = best {
            c.evidence = format!(
                "{} — agrees with the codice fiscale in {} in {} of the rows",
                kind.label(),
                sample.columns[cf],
                pct(agree)
            );
            c.kind = kind;
            c.share = agree;
        }
    }
    out
}

fn recognise_one(sample: &Sample, i: usize, names: &NameTable, today: NaiveDate) -> Column {
    let values: Vec<&str> = sample.cells(i).filter(|v| !v.is_empty()).collect();
    let present = values.len();
    let distinct: HashSet<&str> = values.iter().copied().collect();
    let mut col = Column {
        index: i,
        name: sample.columns[i].clone(),
        kind: Kind::Other,
        share: 0.0,
        present,
        distinct: distinct.len(),
        evidence: String::new(),
    };
    if present == 0 {
        col.evidence = "always empty".into();
        return col;
    }
    let count = |f: &dyn Fn(&str) -> bool| share(values.iter().filter(|v| f(v)).count(), present);
    let distinct_ratio = share(distinct.len(), present);
    let all_digits = values.iter().all(|v| v.bytes().all(|b| b.is_ascii_digit()));
    let mut set = |kind: Kind, s: f64, why: String| {
        col.kind = kind;
        col.share = s;
        col.evidence = why;
    };

    let cf = count(&|v| is_codice_fiscale(v, today));
    if cf >= 0.5 {
        set(
            Kind::CodiceFiscale,
            cf,
            format!("codice fiscale — {} of its values are valid codes", pct(cf)),
        );
        return col;
    }
    let mut formats: HashMap<&'static str, usize> = HashMap::new();
    for v in &values {
        if let Some(f) = date_format(v) {
            *formats.entry(f).or_default() += 1;
        }
    }
    let dated: usize = formats.values().sum();
    let date_share = share(dated, present);
    // An 8-digit identifier can read as `%Y%m%d`: dates need more than that.
    let only_compact = formats.keys().all(|f| *f == "%Y%m%d");
    if date_share >= 0.9 && !(only_compact && distinct_ratio > 0.98) {
        let mut used: Vec<(&'static str, usize)> = formats.into_iter().collect();
        used.sort_by(|a, b| {
            b.1.cmp(&a.1).then_with(|| {
                let pos = |f: &str| DATE_FORMATS.iter().position(|x| *x == f);
                pos(a.0).cmp(&pos(b.0))
            })
        });
        let formats: Vec<&'static str> = used.into_iter().map(|(f, _)| f).collect();
        let kind = Kind::Date { formats };
        let why = format!(
            "{} — {} of its values are dates",
            kind.label(),
            pct(date_share)
        );
        set(kind, date_share, why);
        return col;
    }
    let sex = count(&|v| is_sex(v));
    if sex >= 0.95 && distinct.len() <= 6 && (!all_digits || distinct.len() == 2) {
        set(
            Kind::Sex,
            sex,
            format!("sex — {} of its values read as a sex", pct(sex)),
        );
        return col;
    }
    let bel = count(&|v| is_belfiore(v));
    if bel >= 0.9 {
        set(
            Kind::Belfiore,
            bel,
            format!("Belfiore code — {} of its values are places", pct(bel)),
        );
        return col;
    }
    if all_digits && distinct_ratio < 0.5 {
        for (kind, f) in [
            (Kind::IstatComune, is_istat_comune as fn(&str) -> bool),
            (Kind::Cap, is_cap),
            (Kind::IstatStato, is_istat_stato),
        ] {
            let s = count(&|v| f(v));
            if s >= 0.9 {
                let why = format!("{} — {} of its values have the shape", kind.label(), pct(s));
                set(kind, s, why);
                return col;
            }
        }
    }
    let addr = count(&|v| is_address(v));
    if addr >= 0.6 {
        set(
            Kind::Address,
            addr,
            format!(
                "address — {} of its values start with a street type",
                pct(addr)
            ),
        );
        return col;
    }
    if !names.is_empty() && distinct.len() >= 3 && !all_digits {
        let s = count(&|v| names.is_surname(v));
        let g = count(&|v| names.is_given(v));
        let mut first = 0usize;
        let mut second = 0usize;
        for v in &values {
            match names.full_name_order(v) {
                Some(true) => first += 1,
                Some(false) => second += 1,
                None => {}
            }
        }
        let f = share(first + second, present);
        if f >= 0.5 && f > s && f > g {
            let kind = Kind::FullName {
                surname_first: first >= second,
            };
            let why = format!(
                "{} — {} of its values are an anagrafe surname and given name",
                kind.label(),
                pct(f)
            );
            set(kind, f, why);
        } else if s >= 0.5 && s >= g {
            set(
                Kind::Surname,
                s,
                format!("surname — {} of its values are anagrafe surnames", pct(s)),
            );
        } else if g >= 0.5 {
            set(
                Kind::GivenName,
                g,
                format!(
                    "given name — {} of its values are anagrafe given names",
                    pct(g)
                ),
            );
        }
    }
    col
}

/// What a column is compared with a codice fiscale for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Characters 1–3.
    Surname,
    /// Characters 4–6.
    Given,
    /// Characters 1–6, from any reading of a full name.
    FullName,
    /// The birth date.
    BirthDate,
    /// The sex.
    Sex,
    /// The place of birth.
    Place,
}

/// Whether cell `v` agrees with the decoded code `d` in `role`.
pub fn agrees(v: &str, d: &Decoded, role: Role, today: NaiveDate) -> bool {
    match role {
        Role::Surname => codice_fiscale::surname_code(v) == d.surname_code(),
        Role::Given => codice_fiscale::name_code(v) == d.name_code(),
        Role::FullName => {
            let words = names::name_parts(v);
            (1..words.len().min(4)).any(|k| {
                let (a, b) = words.split_at(k);
                let (a, b) = (a.join(" "), b.join(" "));
                (codice_fiscale::surname_code(&a) == d.surname_code()
                    && codice_fiscale::name_code(&b) == d.name_code())
                    || (codice_fiscale::surname_code(&b) == d.surname_code()
                        && codice_fiscale::name_code(&a) == d.name_code())
            })
        }
        Role::BirthDate => {
            crate::identity::dates::parse_date(v, today).is_ok_and(|date| date == d.birth_date)
        }
        Role::Sex => Sex::parse(v) == Some(d.sex),
        Role::Place => v.trim().eq_ignore_ascii_case(d.place.as_str()),
    }
}

/// Share of the rows with a value in column `i` and a valid code in column
/// `cf` where the two agree in `role`.
pub fn agreement(sample: &Sample, i: usize, cf: usize, role: Role, today: NaiveDate) -> f64 {
    let mut both = 0usize;
    let mut agree = 0usize;
    for row in &sample.rows {
        let (Some(v), Some(c)) = (row.get(i), row.get(cf)) else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        let Some(d) = decode_cf(c, today) else {
            continue;
        };
        both += 1;
        agree += usize::from(agrees(v, &d, role, today));
    }
    share(agree, both)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default()
    }

    #[test]
    fn single_values() {
        assert!(is_codice_fiscale("RSSMRA85T10A562S", today()));
        assert!(is_codice_fiscale("rss mra 85t10 a562s", today()));
        assert!(
            !is_codice_fiscale("RSSMRA85T10A562X", today()),
            "check character"
        );
        assert!(!is_codice_fiscale("12345678901", today()), "provisional");
        assert_eq!(date_format("01/03/2020"), Some("%d/%m/%Y"));
        assert_eq!(date_format("2020-03-01"), Some("%Y-%m-%d"));
        assert_eq!(date_format("2020-03-01 00:00:00"), Some("%Y-%m-%d"));
        assert_eq!(date_format("01.03.2020"), Some("%d.%m.%Y"));
        assert_eq!(date_format("20200301"), Some("%Y%m%d"));
        assert_eq!(date_format("1234"), None);
        assert_eq!(date_format("31/02/2020"), None);
        assert!(is_sex("M") && is_sex("femmina") && !is_sex("X"));
        assert!(is_belfiore("A944") && is_belfiore("Z330") && !is_belfiore("A94"));
        assert!(is_cap("40121") && !is_cap("4012"));
        assert!(is_istat_comune("037006") && !is_istat_comune("37006"));
        assert!(is_address("VIA ROMA 12") && is_address("V.LE XII GIUGNO 3/A"));
        assert!(!is_address("ROSSI") && !is_address("12"));
    }

    fn names() -> NameTable {
        NameTable::from_pairs([
            ("ROSSI", "MARIO"),
            ("BIANCHI", "ANNA MARIA"),
            ("DE LUCA", "GIULIA"),
            ("ESPOSITO", "LUCA"),
            ("FERRARI", "PAOLA"),
        ])
    }

    #[test]
    fn names_against_the_anagrafe() {
        let t = names();
        assert!(t.is_surname("De Luca") && t.is_surname("rossi"));
        assert!(t.is_given("Anna") && t.is_given("ANNA MARIA") && !t.is_given("ROSSI"));
        assert_eq!(t.full_name_order("ROSSI MARIO"), Some(true));
        assert_eq!(t.full_name_order("MARIO ROSSI"), Some(false));
        assert_eq!(t.full_name_order("DE LUCA GIULIA"), Some(true));
        assert_eq!(t.full_name_order("ROSSI"), None);
    }

    fn code(s: &str, g: &str, y: i32, m: u32, d: u32, sex: Sex, place: &str) -> String {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        crate::identity::encode(s, g, date, sex, place).unwrap_or_default()
    }

    #[test]
    fn columns_by_content_whatever_their_names() {
        let a = code("ROSSI", "MARIO", 1985, 12, 10, Sex::Male, "A562");
        let b = code("BIANCHI", "ANNA MARIA", 1980, 1, 1, Sex::Female, "F205");
        let rows: Vec<Vec<&str>> = vec![
            vec![
                "1",
                &a,
                "ROSSI",
                "MARIO",
                "10/12/1985",
                "M",
                "VIA ROMA 1",
                "ROSSI MARIO",
                "A562",
            ],
            vec![
                "2",
                &b,
                "BIANCHI",
                "ANNA MARIA",
                "01/01/1980",
                "F",
                "P.ZZA MAGGIORE 2",
                "BIANCHI ANNA MARIA",
                "F205",
            ],
            vec![
                "3",
                "",
                "DE LUCA",
                "GIULIA",
                "1990-05-05",
                "F",
                "V.LE ALDINI 3/A",
                "DE LUCA GIULIA",
                "A944",
            ],
            vec![
                "4",
                "",
                "ESPOSITO",
                "LUCA",
                "02/02/2002",
                "M",
                "VIA INDIPENDENZA 4",
                "ESPOSITO LUCA",
                "A944",
            ],
            vec![
                "5",
                "",
                "FERRARI",
                "PAOLA",
                "03/03/2003",
                "F",
                "VIA RIZZOLI 5",
                "FERRARI PAOLA",
                "Z330",
            ],
        ];
        let s = Sample::from_rows("t", &["A", "B", "C", "D", "E", "F", "G", "H", "I"], &rows);
        let cols = recognise(&s, &names(), today());
        let kinds: Vec<Kind> = cols.into_iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Other,
                Kind::CodiceFiscale,
                Kind::Surname,
                Kind::GivenName,
                Kind::Date {
                    formats: vec!["%d/%m/%Y", "%Y-%m-%d"]
                },
                Kind::Sex,
                Kind::Address,
                Kind::FullName {
                    surname_first: true
                },
                Kind::Belfiore,
            ]
        );
    }

    #[test]
    fn names_by_the_codice_fiscale_without_an_anagrafe() {
        let a = code("ROSSI", "MARIO", 1985, 12, 10, Sex::Male, "A562");
        let b = code("BIANCHI", "ANNA MARIA", 1980, 1, 1, Sex::Female, "F205");
        let rows: Vec<Vec<&str>> = vec![
            vec![&a, "ROSSI", "MARIO", "10/12/1985"],
            vec![&b, "BIANCHI", "ANNA MARIA", "01/01/1980"],
            vec![&a, "ROSSI", "MARIO", "10/12/1985"],
        ];
        let s = Sample::from_rows("t", &["X", "Y", "Z", "W"], &rows);
        let cols = recognise(&s, &NameTable::default(), today());
        assert_eq!(cols[0].kind, Kind::CodiceFiscale);
        assert_eq!(cols[1].kind, Kind::Surname);
        assert_eq!(cols[2].kind, Kind::GivenName);
        assert!((agreement(&s, 3, 0, Role::BirthDate, today()) - 1.0).abs() < 1e-9);
    }

    fn arb_date() -> impl Strategy<Value = NaiveDate> {
        (1926i32..=2025, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default())
    }

    proptest! {
        #[test]
        fn a_date_in_any_usual_format_is_read_back(d in arb_date(), k in 0usize..6) {
            let f = DATE_FORMATS[k];
            let s = d.format(f).to_string();
            let found = date_format(&s);
            prop_assert!(found.is_some(), "{} not recognised", s);
            let back = NaiveDate::parse_from_str(&s, found.unwrap_or(f));
            prop_assert_eq!(back.ok(), Some(d));
        }

        #[test]
        fn an_encoded_code_is_recognised_and_agrees(
            s in "[A-Z]{2,10}", g in "[A-Z]{2,10}", d in arb_date(), female in any::<bool>()
        ) {
            let sex = if female { Sex::Female } else { Sex::Male };
            let today = today();
            let code = crate::identity::encode(&s, &g, d, sex, "A944");
            prop_assume!(code.is_ok());
            let code = code.unwrap_or_default();
            let dec = decode_cf(&code, today);
            prop_assert!(dec.is_some(), "{} not recognised", code);
            if let Some(dec) = dec {
                prop_assert!(agrees(&s, &dec, Role::Surname, today));
                prop_assert!(agrees(&g, &dec, Role::Given, today));
                let full = format!("{} {}", s, g);
                // A surname that is a particle (`DA`) joins the name after it.
                if names::name_parts(&full).len() == 2 {
                    prop_assert!(agrees(&full, &dec, Role::FullName, today));
                }
                prop_assert!(agrees(&d.format("%d/%m/%Y").to_string(), &dec, Role::BirthDate, today));
                prop_assert!(agrees(&sex.as_char().to_string(), &dec, Role::Sex, today));
                prop_assert!(agrees("a944", &dec, Role::Place, today));
            }
        }

        #[test]
        fn recognisers_take_any_text(v in "\\PC{0,40}") {
            let t = names();
            let _ = date_format(&v);
            let _ = is_codice_fiscale(&v, today());
            let _ = is_address(&v) || is_belfiore(&v) || is_cap(&v) || is_istat_comune(&v);
            let _ = t.full_name_order(&v);
            let s = Sample::from_rows("t", &["A"], &[vec![v.as_str()], vec!["x"]]);
            prop_assert_eq!(recognise(&s, &t, today()).len(), 1);
        }
    }
}
