//! Error injection: the mistakes real extracts contain, each labelled so
//! that the truth files say which rows carry which error.
//!
//! The rates are per row **among the rows where the error can happen** (a
//! name can only be transliterated differently if it has a known variant,
//! a child's field can only hold a parent's code if the child has a parent,
//! day and month can only be swapped when the day is 12 or less…). The
//! codice fiscale errors exclude each other (a row has at most one), and so
//! do the two birth-date errors; name errors combine freely. Surname and
//! name exchanged comes only with a missing or broken code (one of the
//! codice fiscale errors): with a good code the CF links the row anyway.

use chrono::{Datelike, NaiveDate};

use crate::identity::codice_fiscale::{base_form, luhn_it_check_digit, omocode_of_level};
use crate::identity::names;
use crate::rng::Rng;

/// A kind of injected error. [`ErrorKind::code`] is what the truth files say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// The check character (16th) of the CF is wrong.
    CfCheckChar,
    /// The CF is the other form of the registry's: an omocode where the
    /// registry has the base form, or the base form of a registered omocode.
    CfOmocodeForm,
    /// The CF is missing.
    CfMissing,
    /// An 11-digit provisional numeric CF (foreign-born people).
    CfProvisional,
    /// A placeholder CF (`XXXXXXXXXXXXXXXX`).
    CfPlaceholder,
    /// The parent's CF typed in the child's field.
    CfOfParent,
    /// Surname and given name exchanged (the surname in the name column and
    /// the name in the surname column), and the CF missing or with a wrong
    /// check character: the combination no name-keyed blocking rule finds.
    NamesSwappedNoCf,
    /// A name or surname written in another transliteration (`MOHAMED` →
    /// `MOHAMMED`).
    NameTransliteration,
    /// Apostrophes, accents and particles written differently (`D'AMICO` →
    /// `DAMICO`, `DE LUCA` → `DELUCA`, `NICOLÒ` → `NICOLO'`).
    NameApostropheAccent,
    /// A double given name truncated to its first word (`MARIA GRAZIA` →
    /// `MARIA`).
    NameTruncated,
    /// Day and month of the birth date swapped.
    DateDayMonthSwapped,
    /// One digit of the birth date mistyped (still a valid date).
    DateDigitTypo,
    /// The person is not a resident: the row must stay unmatched.
    NonResident,
    /// The row repeats the previous row exactly.
    DuplicateRow,
    /// Billing: the payer's code typed in the field of the child who uses
    /// the service (the row is still the payer's: it links all the same).
    PayerCfInUserField,
    /// IRPEF: a taxpayer who died since the tax year (no longer in the
    /// registry): the row must stay unmatched.
    Deceased,
    /// Housing ranking: the same household applied twice (another
    /// application, the same applicant): both rows link to them.
    DuplicateApplicant,
    /// Housing ranking: a score outside the call's range (0–100).
    ScoreOutOfRange,
    /// Housing tenants: the household size on the contract is not the size
    /// of the tenant's family in the anagrafe (a change the agency missed).
    HouseholdSizeMismatch,
    /// Canteen: the ISEE applied is not the one of the family's declaration
    /// (an outdated value, with its tariff band).
    IseeMismatch,
    /// Canteen: a pupil whose registered birth date puts them outside school
    /// age (under 3 or over 15) when the service starts.
    PupilAgeOutOfRange,
}

impl ErrorKind {
    /// Every kind, in the order the truth files list them.
    pub const ALL: [ErrorKind; 21] = [
        ErrorKind::CfCheckChar,
        ErrorKind::CfOmocodeForm,
        ErrorKind::CfMissing,
        ErrorKind::CfProvisional,
        ErrorKind::CfPlaceholder,
        ErrorKind::CfOfParent,
        ErrorKind::NamesSwappedNoCf,
        ErrorKind::NameTransliteration,
        ErrorKind::NameApostropheAccent,
        ErrorKind::NameTruncated,
        ErrorKind::DateDayMonthSwapped,
        ErrorKind::DateDigitTypo,
        ErrorKind::NonResident,
        ErrorKind::DuplicateRow,
        ErrorKind::PayerCfInUserField,
        ErrorKind::Deceased,
        ErrorKind::DuplicateApplicant,
        ErrorKind::ScoreOutOfRange,
        ErrorKind::HouseholdSizeMismatch,
        ErrorKind::IseeMismatch,
        ErrorKind::PupilAgeOutOfRange,
    ];

    /// The label in the truth files.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::CfCheckChar => "cf_check_char",
            ErrorKind::CfOmocodeForm => "cf_omocode_form",
            ErrorKind::CfMissing => "cf_missing",
            ErrorKind::CfProvisional => "cf_provisional",
            ErrorKind::CfPlaceholder => "cf_placeholder",
            ErrorKind::CfOfParent => "cf_of_parent",
            ErrorKind::NamesSwappedNoCf => "names_swapped_no_cf",
            ErrorKind::NameTransliteration => "name_transliteration",
            ErrorKind::NameApostropheAccent => "name_apostrophe_accent",
            ErrorKind::NameTruncated => "name_truncated",
            ErrorKind::DateDayMonthSwapped => "date_day_month_swapped",
            ErrorKind::DateDigitTypo => "date_digit_typo",
            ErrorKind::NonResident => "non_resident",
            ErrorKind::DuplicateRow => "duplicate_row",
            ErrorKind::PayerCfInUserField => "payer_cf_in_user_field",
            ErrorKind::Deceased => "deceased",
            ErrorKind::DuplicateApplicant => "duplicate_applicant",
            ErrorKind::ScoreOutOfRange => "score_out_of_range",
            ErrorKind::HouseholdSizeMismatch => "household_size_mismatch",
            ErrorKind::IseeMismatch => "isee_mismatch",
            ErrorKind::PupilAgeOutOfRange => "pupil_age_out_of_range",
        }
    }

    /// The kind with this label.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Error rates of one extract (probabilities per eligible row).
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorRates {
    /// `(kind, rate)`, every kind once.
    pub rates: Vec<(ErrorKind, f64)>,
}

impl ErrorRates {
    /// The default rates: a few percent per kind.
    pub fn standard() -> ErrorRates {
        use ErrorKind::*;
        ErrorRates {
            rates: vec![
                (CfCheckChar, 0.02),
                (CfOmocodeForm, 0.01),
                (CfMissing, 0.03),
                (CfProvisional, 0.05),
                (CfPlaceholder, 0.01),
                (CfOfParent, 0.03),
                (NamesSwappedNoCf, 0.005),
                (NameTransliteration, 0.25),
                (NameApostropheAccent, 0.25),
                (NameTruncated, 0.20),
                (DateDayMonthSwapped, 0.03),
                (DateDigitTypo, 0.02),
                (NonResident, 0.03),
                (DuplicateRow, 0.01),
                (PayerCfInUserField, 0.0),
                (Deceased, 0.0),
                (DuplicateApplicant, 0.0),
                (ScoreOutOfRange, 0.0),
                (HouseholdSizeMismatch, 0.0),
                (IseeMismatch, 0.0),
                (PupilAgeOutOfRange, 0.0),
            ],
        }
    }

    /// The rates of an extract: the standard ones, with the CF missing more
    /// often in social services (the social worker often does not have it);
    /// the kinds of one extract (a payer's code in the user's field in
    /// billing, deceased taxpayers in IRPEF, duplicated applicants and
    /// scores out of range in the housing ranking) only in theirs. IRPEF
    /// comes from the Agenzia delle Entrate, which issues the codes: only
    /// the other form of an omocode, no other error of the code, no names,
    /// no birth date, no duplicate rows.
    pub fn for_extract(extract: &str) -> ErrorRates {
        let mut r = ErrorRates::standard();
        match extract {
            "servizi_sociali" => r.set(ErrorKind::CfMissing, 0.20),
            "riscossione_scuola" => r.set(ErrorKind::PayerCfInUserField, 0.03),
            "irpef" => {
                for kind in CF_KINDS {
                    r.set(kind, 0.0);
                }
                r.set(ErrorKind::CfOmocodeForm, 0.01);
                for kind in [
                    ErrorKind::NameTransliteration,
                    ErrorKind::NameApostropheAccent,
                    ErrorKind::NameTruncated,
                    ErrorKind::DuplicateRow,
                ] {
                    r.set(kind, 0.0);
                }
                r.set(ErrorKind::Deceased, 0.01);
            }
            // The cross-source inconsistencies (see `super::cross`).
            "refezione" => {
                r.set(ErrorKind::IseeMismatch, 0.04);
                r.set(ErrorKind::PupilAgeOutOfRange, 0.01);
            }
            "erp_inquilini" => r.set(ErrorKind::HouseholdSizeMismatch, 0.04),
            "graduatoria_erp" => {
                r.set(ErrorKind::DuplicateApplicant, 0.02);
                r.set(ErrorKind::ScoreOutOfRange, 0.01);
            }
            _ => {}
        }
        r
    }

    /// The rate of a kind.
    pub fn rate(&self, kind: ErrorKind) -> f64 {
        self.rates
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0.0, |(_, r)| *r)
    }

    /// Changes the rate of a kind.
    pub fn set(&mut self, kind: ErrorKind, rate: f64) {
        for (k, r) in &mut self.rates {
            if *k == kind {
                *r = rate;
            }
        }
    }
}

/// The identity fields of one extract row, before and after injection.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    /// Codice fiscale (empty when missing).
    pub cf: String,
    /// Surname.
    pub surname: String,
    /// Given name(s).
    pub name: String,
    /// Birth date.
    pub birth: NaiveDate,
}

/// What the row allows.
#[derive(Clone, Debug, Default)]
pub struct Context<'a> {
    /// A parent's CF, for a child's row.
    pub parent_cf: Option<&'a str>,
    /// Born abroad (may have had a provisional code).
    pub born_abroad: bool,
    /// A resident (the registry holds this code).
    pub resident: bool,
    /// The extract has a birth date column.
    pub has_birth_date: bool,
}

/// The errors that change the codice fiscale, drawn from one number (at
/// most one per row). [`ErrorKind::NamesSwappedNoCf`] comes last, so that
/// adding it left the other kinds' draws, and the rest of the city, as they
/// were.
const CF_KINDS: [ErrorKind; 7] = [
    ErrorKind::CfCheckChar,
    ErrorKind::CfOmocodeForm,
    ErrorKind::CfMissing,
    ErrorKind::CfProvisional,
    ErrorKind::CfPlaceholder,
    ErrorKind::CfOfParent,
    ErrorKind::NamesSwappedNoCf,
];

/// Injects errors into `id` at `rates`; returns the kinds injected.
pub fn inject(
    rng: &mut Rng,
    rates: &ErrorRates,
    id: &mut Identity,
    ctx: &Context,
) -> Vec<ErrorKind> {
    let mut out = Vec::new();
    // Codice fiscale: at most one error.
    let u = rng.unit();
    let mut acc = 0.0;
    let mut swap_names = false;
    for kind in CF_KINDS {
        let eligible = match kind {
            ErrorKind::CfOmocodeForm => ctx.resident && id.cf.len() == 16,
            ErrorKind::CfProvisional => ctx.born_abroad,
            ErrorKind::CfOfParent => ctx.parent_cf.is_some(),
            ErrorKind::NamesSwappedNoCf => {
                !id.surname.is_empty() && !id.name.is_empty() && id.surname != id.name
            }
            _ => true,
        };
        if !eligible {
            continue;
        }
        let rate = rates.rate(kind);
        acc += rate;
        if u < acc {
            if kind == ErrorKind::NamesSwappedNoCf {
                // Where in its band the number fell decides, without another
                // draw, between a missing code and a wrong check character.
                break_cf(id, (acc - u) / rate);
                swap_names = true;
                out.push(kind);
            } else if apply_cf(rng, kind, id, ctx) {
                out.push(kind);
            }
            break;
        }
    }
    // Names.
    for kind in [
        ErrorKind::NameTransliteration,
        ErrorKind::NameApostropheAccent,
        ErrorKind::NameTruncated,
    ] {
        let changed = match kind {
            ErrorKind::NameTransliteration => transliterate(&id.surname, &id.name),
            ErrorKind::NameApostropheAccent => apostrophe_accent(&id.surname)
                .map(|s| (s, id.name.clone()))
                .or_else(|| apostrophe_accent(&id.name).map(|n| (id.surname.clone(), n))),
            _ => truncate(&id.name).map(|n| (id.surname.clone(), n)),
        };
        // Draw for every row, eligible or not, so that one row's names do not
        // shift the stream of the others.
        let hit = rng.chance(rates.rate(kind));
        if let (true, Some(candidates)) = (hit, changed) {
            let (s, n) = candidates;
            if kind == ErrorKind::NameTransliteration {
                let (s, n) = pick_variant(rng, &id.surname, &id.name, s, n);
                id.surname = s;
                id.name = n;
            } else {
                id.surname = s;
                id.name = n;
            }
            out.push(kind);
        }
    }
    // Birth date: at most one error.
    if ctx.has_birth_date {
        let u = rng.unit();
        let swap = rates.rate(ErrorKind::DateDayMonthSwapped);
        let typo = rates.rate(ErrorKind::DateDigitTypo);
        let d = id.birth;
        if u < swap && d.day() <= 12 && d.day() != d.month() {
            if let Some(s) = NaiveDate::from_ymd_opt(d.year(), d.day(), d.month()) {
                id.birth = s;
                out.push(ErrorKind::DateDayMonthSwapped);
            }
        } else if (swap..swap + typo).contains(&u) {
            if let Some(t) = digit_typo(rng, d) {
                id.birth = t;
                out.push(ErrorKind::DateDigitTypo);
            }
        }
    }
    // Last, so that the name errors above hit the name they meant.
    if swap_names {
        std::mem::swap(&mut id.surname, &mut id.name);
    }
    out
}

/// The code of [`ErrorKind::NamesSwappedNoCf`]: missing when `x` (in
/// `(0, 1]`) is above one half, else a wrong check character (`x` picks
/// which); missing too when the code is not 16 characters.
fn break_cf(id: &mut Identity, x: f64) {
    let b = id.cf.as_bytes();
    if x > 0.5 || b.len() != 16 || !b[15].is_ascii_uppercase() {
        id.cf.clear();
        return;
    }
    let shift = 1 + ((x * 50.0) as u8).min(24);
    let mut b = b.to_vec();
    b[15] = b'A' + (b[15] - b'A' + shift) % 26;
    id.cf = String::from_utf8(b).unwrap_or_default();
}

fn apply_cf(rng: &mut Rng, kind: ErrorKind, id: &mut Identity, ctx: &Context) -> bool {
    match kind {
        ErrorKind::CfCheckChar => {
            if id.cf.len() != 16 {
                return false;
            }
            let mut b = id.cf.clone().into_bytes();
            let old = b[15];
            let shift = 1 + rng.below(25) as u8;
            b[15] = b'A' + (old - b'A' + shift) % 26;
            id.cf = String::from_utf8(b).unwrap_or_default();
            true
        }
        ErrorKind::CfOmocodeForm => {
            let Ok(base) = base_form(&id.cf) else {
                return false;
            };
            id.cf = if base != id.cf {
                base
            } else {
                match omocode_of_level(&id.cf, 1) {
                    Ok(o) => o,
                    Err(_) => return false,
                }
            };
            true
        }
        ErrorKind::CfMissing => {
            id.cf.clear();
            true
        }
        ErrorKind::CfProvisional => {
            id.cf = provisional_cf(rng);
            true
        }
        ErrorKind::CfPlaceholder => {
            id.cf = "X".repeat(16);
            true
        }
        ErrorKind::CfOfParent => match ctx.parent_cf {
            Some(p) => {
                id.cf = p.to_owned();
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// An 11-digit provisional code: 7-digit serial, 3-digit office, check digit.
pub fn provisional_cf(rng: &mut Rng) -> String {
    let mut s = format!("{:07}{:03}", rng.range(1, 9_999_999), rng.range(1, 999));
    let check = luhn_it_check_digit(s.as_bytes()).unwrap_or(0);
    s.push(char::from(b'0' + check));
    s
}

/// The `(surname, name)` alternatives through known transliteration
/// variants: the first word of either with another spelling. `None` when no
/// word has a variant.
fn transliterate(surname: &str, name: &str) -> Option<(String, String)> {
    let has = |s: &str| {
        s.split(' ').any(|w| {
            names::known_variants(w)
                .iter()
                .any(|v| *v != w && v.len() > 2)
        })
    };
    (has(surname) || has(name)).then(|| (surname.to_owned(), name.to_owned()))
}

fn pick_variant(
    rng: &mut Rng,
    surname: &str,
    name: &str,
    _s: String,
    _n: String,
) -> (String, String) {
    let swap_word = |rng: &mut Rng, s: &str| -> Option<String> {
        let words: Vec<&str> = s.split(' ').collect();
        let idx: Vec<usize> = (0..words.len())
            .filter(|&i| {
                names::known_variants(words[i])
                    .iter()
                    .any(|v| *v != words[i] && v.len() > 2)
            })
            .collect();
        if idx.is_empty() {
            return None;
        }
        let i = *rng.pick(&idx);
        let options: Vec<&str> = names::known_variants(words[i])
            .into_iter()
            .filter(|v| *v != words[i] && v.len() > 2)
            .collect();
        let mut w: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        w[i] = (*rng.pick(&options)).to_owned();
        Some(w.join(" "))
    };
    if let Some(n) = swap_word(rng, name) {
        return (surname.to_owned(), n);
    }
    match swap_word(rng, surname) {
        Some(s) => (s, name.to_owned()),
        None => (surname.to_owned(), name.to_owned()),
    }
}

/// `D'AMICO` → `DAMICO`, `DE LUCA` → `DELUCA`, `NICOLÒ` → `NICOLO'`,
/// `CANTÙ` → `CANTU`. `None` when there is nothing to change.
pub fn apostrophe_accent(s: &str) -> Option<String> {
    if s.contains('\'') {
        return Some(s.replace('\'', ""));
    }
    let accented = |c: char| "ÀÈÉÌÒÙ".contains(c);
    if let Some(c) = s.chars().rev().find(|&c| accented(c)) {
        // Offices without accented keys write the accent as an apostrophe.
        let plain = deunicode::deunicode_char(c).unwrap_or("");
        let at_end = s.ends_with(c);
        let replaced = s.replacen(c, plain, 1);
        return Some(if at_end {
            format!("{replaced}'")
        } else {
            replaced
        });
    }
    let words: Vec<&str> = s.split(' ').collect();
    if words.len() >= 2 && names::PARTICLES.contains(&words[0]) {
        return Some(format!("{}{}", words[0], words[1..].join(" ")));
    }
    None
}

/// `MARIA GRAZIA` → `MARIA`; `None` for a single name.
pub fn truncate(name: &str) -> Option<String> {
    let mut words = name.split(' ');
    let first = words.next()?;
    words.next().map(|_| first.to_owned())
}

/// A valid date that differs from `d` in exactly one digit of `dd/mm/yyyy`
/// (the day's, the month's units, or the year's last two).
pub fn digit_typo(rng: &mut Rng, d: NaiveDate) -> Option<NaiveDate> {
    for _ in 0..30 {
        let (mut day, mut month, mut year) = (d.day() as i32, d.month() as i32, d.year());
        let digit = rng.range(0, 9) as i32;
        match rng.below(5) {
            0 => day = (day / 10) * 10 + digit,
            1 => day = digit * 10 + day % 10,
            2 => month = (month / 10) * 10 + digit,
            3 => year = (year / 10) * 10 + digit,
            _ => year = (year / 100) * 100 + digit * 10 + year % 10,
        }
        if month < 1 || day < 1 {
            continue;
        }
        if let Some(t) = NaiveDate::from_ymd_opt(year, month as u32, day as u32) {
            if t != d && t <= super::reference_date() {
                return Some(t);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::codice_fiscale::{classify, decode, CfClass};

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn codes_round_trip() {
        for k in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_code(k.code()), Some(k));
        }
        let r = ErrorRates::standard();
        assert_eq!(r.rates.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn text_transformations() {
        assert_eq!(apostrophe_accent("D'AMICO").as_deref(), Some("DAMICO"));
        assert_eq!(apostrophe_accent("DE LUCA").as_deref(), Some("DELUCA"));
        assert_eq!(apostrophe_accent("NICOLÒ").as_deref(), Some("NICOLO'"));
        assert_eq!(apostrophe_accent("ROSSI"), None);
        assert_eq!(truncate("MARIA GRAZIA").as_deref(), Some("MARIA"));
        assert_eq!(truncate("MARIA"), None);
        let mut r = Rng::new(1);
        for _ in 0..200 {
            let t = digit_typo(&mut r, d(1985, 7, 23)).unwrap();
            let a = t.format("%d%m%Y").to_string();
            let b = "23071985";
            assert_eq!(
                a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count(),
                1,
                "{a}"
            );
        }
        let p = provisional_cf(&mut r);
        assert!(matches!(
            classify(&p, d(2025, 12, 31)),
            CfClass::Provisional
        ));
    }

    #[test]
    fn injected_codes_are_what_they_claim() {
        let cf = crate::identity::encode(
            "MOHAMED",
            "MOHAMED",
            d(1980, 3, 5),
            crate::identity::Sex::Male,
            "Z330",
        )
        .unwrap();
        let mut rng = Rng::new(11);
        let mut seen = std::collections::HashSet::new();
        let (mut missing, mut broken) = (0, 0);
        for _ in 0..20_000 {
            let mut id = Identity {
                cf: cf.clone(),
                surname: "EL IDRISSI".into(),
                name: "MOHAMED".into(),
                birth: d(1980, 3, 5),
            };
            let ctx = Context {
                parent_cf: Some("RSSMRA80A01A944X"),
                born_abroad: true,
                resident: true,
                has_birth_date: true,
            };
            let kinds = inject(&mut rng, &ErrorRates::standard(), &mut id, &ctx);
            assert!(kinds.iter().filter(|k| CF_KINDS.contains(k)).count() <= 1);
            if kinds.contains(&ErrorKind::NamesSwappedNoCf) {
                // The surname in the name column, the name in the surname's
                // (as the other name errors left them), the code gone or
                // broken; swapped back for the checks below.
                assert!(id.name.starts_with("EL") || id.name.starts_with("IDRISSI"));
                assert!(
                    id.cf.is_empty()
                        || (id.cf[..15] == cf[..15]
                            && id.cf != cf
                            && decode(id.cf.as_bytes(), d(2025, 12, 31)).is_err()),
                    "{}",
                    id.cf
                );
                if id.cf.is_empty() {
                    missing += 1;
                } else {
                    broken += 1;
                }
                std::mem::swap(&mut id.surname, &mut id.name);
            }
            for k in &kinds {
                seen.insert(*k);
                match k {
                    ErrorKind::CfCheckChar => {
                        assert!(decode(id.cf.as_bytes(), d(2025, 12, 31)).is_err());
                        assert_eq!(id.cf[..15], cf[..15]);
                    }
                    ErrorKind::CfOmocodeForm => {
                        assert_ne!(id.cf, cf);
                        assert_eq!(base_form(&id.cf).unwrap(), cf);
                    }
                    ErrorKind::CfMissing => assert!(id.cf.is_empty()),
                    ErrorKind::CfProvisional => assert_eq!(id.cf.len(), 11),
                    ErrorKind::CfPlaceholder => assert_eq!(id.cf, "XXXXXXXXXXXXXXXX"),
                    ErrorKind::CfOfParent => assert_eq!(id.cf, "RSSMRA80A01A944X"),
                    ErrorKind::NameTransliteration => {
                        assert!(id.name != "MOHAMED" || id.surname != "EL IDRISSI");
                        assert!(names::are_variants(&id.name, "MOHAMED"));
                    }
                    ErrorKind::DateDayMonthSwapped => assert_eq!(id.birth, d(1980, 5, 3)),
                    ErrorKind::DateDigitTypo => assert_ne!(id.birth, d(1980, 3, 5)),
                    _ => {}
                }
            }
            if !kinds.iter().any(|k| CF_KINDS.contains(k)) {
                assert_eq!(id.cf, cf);
            }
        }
        for k in [
            ErrorKind::CfCheckChar,
            ErrorKind::CfOmocodeForm,
            ErrorKind::CfMissing,
            ErrorKind::CfProvisional,
            ErrorKind::CfPlaceholder,
            ErrorKind::CfOfParent,
            ErrorKind::NamesSwappedNoCf,
            ErrorKind::NameTransliteration,
            ErrorKind::DateDayMonthSwapped,
            ErrorKind::DateDigitTypo,
        ] {
            assert!(seen.contains(&k), "{k:?}");
        }
        assert!(
            missing > 0 && broken > 0,
            "{missing} missing, {broken} broken"
        );
    }
}
