//! The demo city's civic-number register (`stradario.csv`) and the way its
//! offices write addresses.
//!
//! Every street of [`places::STREETS`] has the house numbers 1–180 (the
//! numbers families live at), the suffixed numbers someone lives at (`12/A`,
//! `12 BIS`) and a few more. Areas are synthetic but shaped like Bologna's:
//! the six real quartieri, their 18 zone (named after Bologna's zone), and
//! 90 aree statistiche — one per street, 31 streets split in two at a
//! house number, each part its own area. Coordinates are synthetic.
//!
//! Everything is drawn from its own streams (`stradario`, and
//! `<extract>-indirizzi` for the written addresses), so that the anagrafe
//! and the extracts draw exactly what they drew before addresses were added.

use std::collections::BTreeSet;

use super::places::{self, Address, QUARTIERI};
use crate::geography::normalize::{CivicKey, GIVEN_NAMES};
use crate::identity::address::parse_house_number;
use crate::rng::Rng;

/// Zone per quartiere, in the order of [`QUARTIERI`] (Bologna's 18 zone).
pub const ZONE: [&[&str]; 6] = [
    &["Borgo Panigale", "Barca", "Santa Viola"],
    &["Bolognina", "Corticella", "Lame"],
    &["Marconi", "Malpighi", "Saragozza", "Costa Saragozza"],
    &["San Donato", "San Vitale", "Irnerio"],
    &["Galvani", "Colli", "Murri"],
    &["Mazzini", "San Ruffillo"],
];

/// Streets split in two areas (59 streets + 31 = 90 aree statistiche).
const SPLIT_STREETS: usize = 31;

/// The highest house number of every street.
pub const LAST_NUMBER: u32 = 180;

/// The register's header.
pub const HEADER: [&str; 14] = [
    "CODVIA",
    "DUG",
    "DENOMINAZIONE",
    "CIVICO",
    "ESPONENTE",
    "CAP",
    "COD_AREA",
    "AREA_STATISTICA",
    "COD_ZONA",
    "ZONA",
    "COD_QUARTIERE",
    "QUARTIERE",
    "LONGITUDINE",
    "LATITUDINE",
];

/// An area statistica of the demo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaDef {
    /// Code (`3102`).
    pub code: String,
    /// Name (`Pratello 2`).
    pub name: String,
    /// Index of its zona in `ZONE[quartiere]`.
    pub zona: usize,
    /// Index into [`QUARTIERI`].
    pub quartiere: usize,
}

/// The demo's geography: street codes, areas, where each street changes
/// area, coordinates.
#[derive(Clone, Debug)]
pub struct Geography {
    /// Per street (as [`places::street_at`]): its code.
    pub codes: Vec<String>,
    /// Per street: its first area and, when split, the first house number of
    /// the second with that area.
    pub segments: Vec<(usize, Option<(u32, usize)>)>,
    /// The areas.
    pub areas: Vec<AreaDef>,
    /// Per street: longitude and latitude of house number 0, and the step
    /// per house number.
    pub lines: Vec<((f64, f64), (f64, f64))>,
    /// Per street: extra suffixed house numbers (`(number, suffix)`).
    pub extra: Vec<Vec<(u32, &'static str)>>,
}

/// A street name as an area's name: particles dropped, title case
/// (`DELL'ARCOVEGGIO` → `Arcoveggio`).
fn area_label(name: &str) -> String {
    let mut words: Vec<&str> = name.split(' ').collect();
    if words.len() > 1 && ["DI", "DEL", "DELLA", "DELLO", "DEGLI"].contains(&words[0]) {
        words.remove(0);
    }
    words
        .iter()
        .map(|w| {
            let w = w.rsplit('\'').next().unwrap_or(w);
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_string() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Geography {
    /// The geography of the city of `seed` (the same for every size).
    pub fn generate(seed: u64) -> Geography {
        let mut rng = Rng::stream(seed, "stradario");
        let streets = places::street_at();
        let n = streets.len();
        // Which streets are split, and where.
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            order.swap(i, j);
        }
        let split: BTreeSet<usize> = order.into_iter().take(SPLIT_STREETS).collect();
        let mut cut = vec![None; n];
        for &s in &split {
            cut[s] = Some(rng.range(30, 150) as u32);
        }
        // Areas, quartiere by quartiere, spread over its zone in order.
        let mut areas = Vec::new();
        let mut segments = Vec::with_capacity(n);
        for (q, _) in QUARTIERI.iter().enumerate() {
            let in_q: Vec<usize> = (0..n).filter(|&s| streets[s].0 == q).collect();
            let parts: usize = in_q
                .iter()
                .map(|&s| 1 + usize::from(cut[s].is_some()))
                .sum();
            let zones = ZONE[q].len();
            let mut k = 0;
            let mut per_zone = vec![0; zones];
            for &s in &in_q {
                let label = area_label(streets[s].1 .1);
                let mut ids = Vec::new();
                let pieces = 1 + usize::from(cut[s].is_some());
                for p in 0..pieces {
                    let z = k * zones / parts;
                    per_zone[z] += 1;
                    let name = if pieces > 1 {
                        format!("{label} {}", p + 1)
                    } else {
                        label.clone()
                    };
                    areas.push(AreaDef {
                        code: format!("{}{}{:02}", q + 1, z + 1, per_zone[z]),
                        name,
                        zona: z,
                        quartiere: q,
                    });
                    ids.push(areas.len() - 1);
                    k += 1;
                }
                segments.push((ids[0], cut[s].zip(ids.get(1).copied())));
            }
        }
        // Coordinates: a short straight line per street around Bologna.
        let lines = (0..n)
            .map(|_| {
                let start = (11.26 + rng.unit() * 0.16, 44.46 + rng.unit() * 0.07);
                let step = ((rng.unit() - 0.5) * 0.0001, (rng.unit() - 0.5) * 0.0001);
                (start, step)
            })
            .collect();
        // A few suffixed numbers nobody lives at.
        let extra = (0..n)
            .map(|_| {
                let mut v = Vec::new();
                for number in 1..=LAST_NUMBER {
                    match rng.below(100) {
                        0..=2 => v.push((number, "A")),
                        3 => v.push((number, "B")),
                        4 => v.push((number, "2")),
                        _ => {}
                    }
                }
                v
            })
            .collect();
        let codes = (0..n).map(|i| format!("{:05}", 10_000 + 137 * i)).collect();
        Geography {
            codes,
            segments,
            areas,
            lines,
            extra,
        }
    }

    /// The area of house number `number` of street `street`.
    pub fn area_of(&self, street: usize, number: u32) -> usize {
        match self.segments[street] {
            (_, Some((from, second))) if number >= from => second,
            (first, _) => first,
        }
    }

    /// The register's rows: every street's numbers 1–[`LAST_NUMBER`], the
    /// extra suffixed ones and those of `lived_at` (addresses someone lives
    /// or rents at), sorted by street, number and suffix.
    pub fn rows<'a>(&self, lived_at: impl Iterator<Item = &'a Address>) -> Vec<Vec<String>> {
        let streets = places::street_at();
        let mut civics: BTreeSet<(usize, CivicKey)> = BTreeSet::new();
        for s in 0..streets.len() {
            for number in 1..=LAST_NUMBER {
                civics.insert((s, CivicKey { number, suffix: 0 }));
            }
            for &(number, suffix) in &self.extra[s] {
                if let Some(key) = key_of(&format!("{number}/{suffix}")) {
                    civics.insert((s, key));
                }
            }
        }
        for a in lived_at {
            if let Some(key) = key_of(&a.civico) {
                civics.insert((a.street_index, key));
            }
        }
        civics
            .into_iter()
            .map(|(s, key)| {
                let (q, (dug, name, cap)) = streets[s];
                let area = &self.areas[self.area_of(s, key.number)];
                let canonical = key.canonical();
                let suffix = canonical.split(['/', ' ']).nth(1).unwrap_or("").to_owned();
                let ((x0, y0), (dx, dy)) = self.lines[s];
                let t = f64::from(key.number);
                vec![
                    self.codes[s].clone(),
                    dug.to_owned(),
                    name.to_owned(),
                    key.number.to_string(),
                    suffix,
                    cap.to_owned(),
                    area.code.clone(),
                    area.name.clone(),
                    format!("{}{}", q + 1, area.zona + 1),
                    ZONE[q][area.zona].to_owned(),
                    (q + 1).to_string(),
                    QUARTIERI[q].0.to_owned(),
                    format!("{:.6}", x0 + dx * t),
                    format!("{:.6}", y0 + dy * t),
                ]
            })
            .collect()
    }
}

/// The key of a house number as the demo writes it (`12/A`, `12 BIS`).
pub fn key_of(civico: &str) -> Option<CivicKey> {
    parse_house_number(civico).and_then(|c| CivicKey::from_civic(&c))
}

/// A labelled error in a written address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddressError {
    /// One letter of the street name mistyped, dropped, doubled or swapped.
    Typo,
    /// A house number the street does not have.
    WrongCivic,
    /// No house number.
    MissingCivic,
    /// A street of Bologna that is not in the register.
    UnknownStreet,
}

impl AddressError {
    /// The label in the truth files.
    pub fn code(self) -> &'static str {
        match self {
            AddressError::Typo => "typo",
            AddressError::WrongCivic => "wrong_civic",
            AddressError::MissingCivic => "missing_civic",
            AddressError::UnknownStreet => "unknown_street",
        }
    }
}

/// The truth about a written address: the dwelling and the errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressTruth {
    /// The dwelling.
    pub address: Address,
    /// The injected errors.
    pub errors: Vec<AddressError>,
}

/// Streets of Bologna the demo's register does not have (for
/// [`AddressError::UnknownStreet`]).
const UNKNOWN_STREETS: &[(&str, &str)] = &[
    ("VIA", "DELL'INDIPENDENZA"),
    ("VIA", "UGO BASSI"),
    ("VIA", "RIZZOLI"),
    ("VIA", "IRNERIO"),
    ("VIA", "ZAMBONI"),
    ("VIA", "DELLE BELLE ARTI"),
    ("VIA", "DEI MILLE"),
    ("VIA", "STALINGRADO"),
    ("PIAZZA", "DEI MARTIRI"),
    ("VIA", "MARSALA"),
    ("VIA", "PETRONI"),
    ("VIA", "MASCARELLA"),
];

/// The rates of the address errors, in the order of the draw.
const RATES: [(AddressError, f64); 4] = [
    (AddressError::UnknownStreet, 0.005),
    (AddressError::Typo, 0.02),
    (AddressError::WrongCivic, 0.01),
    (AddressError::MissingCivic, 0.01),
];

/// The street type as an office abbreviates it, with weights.
fn dug_forms(dug: &str) -> &'static [(&'static str, u32)] {
    match dug {
        "VIA" => &[("VIA", 60), ("V.", 30), ("V", 10)],
        "VIALE" => &[("VIALE", 30), ("V.LE", 50), ("VLE", 20)],
        "PIAZZA" => &[("PIAZZA", 30), ("P.ZZA", 40), ("P.ZA", 20), ("PZA", 10)],
        "STRADA" => &[("STRADA", 60), ("STR.", 40)],
        "VICOLO" => &[("VICOLO", 40), ("V.LO", 60)],
        "LARGO" => &[("LARGO", 60), ("L.GO", 40)],
        _ => &[],
    }
}

/// The street name as an office writes it: accents and apostrophes, an
/// omitted particle or given name, the given name after the surname or as
/// an initial.
fn name_variant(rng: &mut Rng, name: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let particle = ["DI", "DEL", "DELLA", "DELLO", "DEGLI"].contains(&words[0]);
    let given = words.len() > 1 && GIVEN_NAMES.binary_search(&words[0]).is_ok();
    let glued = name.contains('\'') || !name.is_ascii();
    match rng.below(10) {
        0 if glued => match rng.below(3) {
            0 => deunicode::deunicode(name).replace('\'', " "),
            1 => deunicode::deunicode(name).replace('\'', ""),
            _ => name.replace('À', "A'").replace('È', "E'"),
        },
        1 if particle => words[1..].join(" "),
        1 if glued && name.starts_with("DELL'") => name["DELL'".len()..].to_owned(),
        2 | 3 if given => {
            let rest = words[1..].join(" ");
            match rng.below(4) {
                0 => rest,
                1 => format!("{rest} {}", words[0]),
                2 => format!("{rest} {}.", &words[0][..1]),
                _ => format!("{}. {rest}", &words[0][..1]),
            }
        }
        _ => name.to_owned(),
    }
}

/// The house number as an office writes it.
fn civic_variant(rng: &mut Rng, civico: &str) -> String {
    let Some(key) = key_of(civico) else {
        return civico.to_owned();
    };
    let canonical = key.canonical();
    let n = key.number;
    let suffix = canonical.split(['/', ' ']).nth(1).unwrap_or("");
    let r = rng.below(20);
    if suffix.is_empty() {
        return match r {
            0 => format!("N. {n}"),
            1 => format!("{n} INT {}", 1 + rng.below(12)),
            _ => canonical,
        };
    }
    match r {
        0..=3 => format!("{n}{suffix}"),
        4..=6 => format!("{n} {suffix}"),
        7 => format!("{n}-{suffix}"),
        8 if suffix.len() > 1 => format!("{n}/{suffix}"),
        _ => canonical,
    }
}

/// One letter of `name` changed: substituted, dropped, doubled or swapped
/// with the next (never the first letter, never a space or apostrophe).
fn typo(rng: &mut Rng, name: &str) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (1..chars.len())
        .filter(|&i| chars[i].is_ascii_alphabetic())
        .collect();
    if letters.len() < 6 {
        return None;
    }
    let i = *rng.pick(&letters);
    let mut out = chars.clone();
    match rng.below(4) {
        0 => {
            let c = char::from(b'A' + rng.below(26) as u8);
            if c == out[i] {
                out.remove(i);
            } else {
                out[i] = c;
            }
        }
        1 => {
            out.remove(i);
        }
        2 => out.insert(i, chars[i]),
        _ => {
            if i + 1 < out.len() && out[i + 1].is_ascii_alphabetic() && out[i + 1] != out[i] {
                out.swap(i, i + 1);
            } else {
                out.remove(i);
            }
        }
    }
    Some(out.into_iter().collect())
}

/// An address as an office writes it in one text, with the errors
/// injected (2 % typos, 1 % wrong and 1 % missing house numbers, 0.5 %
/// unknown streets).
pub fn written(rng: &mut Rng, a: &Address) -> (String, Vec<AddressError>) {
    let u = rng.unit();
    let mut error = None;
    let mut acc = 0.0;
    for (e, p) in RATES {
        acc += p;
        if u < acc {
            error = Some(e);
            break;
        }
    }
    let (dug, mut name) = if error == Some(AddressError::UnknownStreet) {
        let (d, n) = *rng.pick(UNKNOWN_STREETS);
        (d, n.to_owned())
    } else {
        (a.street.0, name_variant(rng, a.street.1))
    };
    let mut errors: Vec<AddressError> = error.into_iter().collect();
    if error == Some(AddressError::Typo) {
        match typo(rng, &name) {
            Some(t) => name = t,
            None => errors.clear(),
        }
    }
    let dug = match dug_forms(dug) {
        [] => dug,
        forms => rng.weighted(forms),
    };
    let civic = match error {
        Some(AddressError::MissingCivic) => String::new(),
        Some(AddressError::WrongCivic) => {
            let n = rng.range(i64::from(LAST_NUMBER) + 1, 400);
            format!("{n}")
        }
        _ => civic_variant(rng, &a.civico),
    };
    let comma = if !civic.is_empty() && rng.chance(0.1) {
        ","
    } else {
        ""
    };
    let text = format!("{dug} {name}{comma} {civic}").trim().to_owned();
    let text = match rng.below(20) {
        0..=2 => title_case(&text),
        3 => text.to_lowercase(),
        _ => text,
    };
    (text, errors)
}

fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c == ' ' || c == '\'' || c == '.';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ninety_areas_in_eighteen_zone() {
        let g = Geography::generate(42);
        assert_eq!(g.areas.len(), 90);
        let zone: BTreeSet<(usize, usize)> =
            g.areas.iter().map(|a| (a.quartiere, a.zona)).collect();
        assert_eq!(zone.len(), 18);
        let codes: BTreeSet<&str> = g.areas.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes.len(), 90);
        assert_eq!(area_label("DELL'ARCOVEGGIO"), "Arcoveggio");
        assert_eq!(area_label("DEL PRATELLO"), "Pratello");
        assert_eq!(area_label("GIUSEPPE MASSARENTI"), "Giuseppe Massarenti");
    }

    #[test]
    fn written_addresses_vary() {
        let mut rng = Rng::new(3);
        let mut r = Rng::new(4);
        let mut seen = BTreeSet::new();
        let mut errors = 0;
        for _ in 0..3000 {
            let a = places::address(&mut rng, false);
            let (t, e) = written(&mut r, &a);
            assert!(!t.is_empty());
            errors += e.len();
            seen.insert(t);
        }
        assert!(seen.len() > 1000);
        assert!((50..250).contains(&errors), "{errors}");
        assert_eq!(typo(&mut r, "ROMA"), None);
        assert_ne!(
            typo(&mut r, "DEL PRATELLO").as_deref(),
            Some("DEL PRATELLO")
        );
    }
}

#[cfg(test)]
mod precision {
    use super::*;
    use crate::geography::matching::Level;
    use crate::geography::register::{Register, RegisterColumns};
    use crate::read::{ReadOptions, Table};

    /// Every one-letter typo of every demo street name (dropped, doubled,
    /// swapped with the next, replaced by any letter) is matched to its
    /// street or to nothing, never to another street.
    #[test]
    fn one_edit_typos_never_match_another_street() {
        let g = Geography::generate(42);
        let rows = g.rows(std::iter::empty());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stradario.csv");
        crate::demo::write::stradario(&rows, &path).unwrap();
        let table = Table::read(&path, &ReadOptions::default()).unwrap();
        let register = Register::from_table(&table, &RegisterColumns::default()).unwrap();
        let mut m = register.matcher();
        let (mut right, mut none, mut wrong) = (0, 0, Vec::new());
        for (s, (_, (dug, name, _))) in places::street_at().into_iter().enumerate() {
            let chars: Vec<char> = name.chars().collect();
            let mut variants = Vec::new();
            for i in 0..chars.len() {
                let mut v = chars.clone();
                v.remove(i);
                variants.push(v);
                let mut v = chars.clone();
                v.insert(i, chars[i]);
                variants.push(v);
                if i + 1 < chars.len() {
                    let mut v = chars.clone();
                    v.swap(i, i + 1);
                    variants.push(v);
                }
                for c in b'A'..=b'Z' {
                    let mut v = chars.clone();
                    v[i] = char::from(c);
                    variants.push(v);
                }
            }
            for v in variants {
                let typo: String = v.into_iter().collect();
                let r = m.match_parts(dug, &typo, "1");
                match r.street {
                    Some(x) if x == s => right += 1,
                    None => none += 1,
                    Some(x) => wrong.push(format!("{typo} → {}", register.streets()[x].name)),
                }
                assert!(r.level != Level::None || r.street.is_none());
            }
        }
        assert!(
            wrong.is_empty(),
            "{} wrong of {}: {:?}",
            wrong.len(),
            right + none + wrong.len(),
            wrong
        );
        assert!(right > 10 * none, "right {right}, none {none}");
    }
}
