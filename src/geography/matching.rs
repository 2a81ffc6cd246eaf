//! Matching an address to the register: the street first (by its keys, then
//! by a bounded typo search), then the house number, giving a [`Level`], the
//! area when known and, for what was not found, a [`Reason`] with a stable
//! code for a finding.
//!
//! The street, in this order ([`StreetVia`]): the full key, the sorted key,
//! the reduced key (see [`super::normalize`]); then the typo search, over
//! the compact full and reduced keys of the register's streets that share
//! the address's first or last letter, within [`super::normalize::typo_bound`]
//! edits. At each step the streets found must be one, or one with the
//! address's DUG (`PIAZZA MAGGIORE` and `STRADA MAGGIORE` share a name);
//! several is [`Reason::AmbiguousStreet`], and the search stops there: an
//! ambiguous name is not resolved by a looser key. A typo is accepted only
//! when one street is nearest.
//!
//! The house number: exact ([`Level::Civic`]) when the register lists it and
//! it is written as the register writes it (`12/A`, `12 BIS`); after
//! normalisation ([`Level::CivicNormalised`]) when it is written another way
//! (`12A`, `12 a`, `12-A`, `12/A INT 3`) or when its suffix is not in the
//! register but its number is (`12/C` → `12`). Else the street alone
//! ([`Level::Street`]), whose area is given only when every house number of
//! the street lies in one area statistica.
//!
//! A [`Matcher`] caches street lookups and house-number parses (a city's
//! addresses repeat few streets and few house-number texts): keep one per
//! thread.

use std::collections::HashMap;

use foldhash::fast::FixedState;

use super::normalize::{bounded_osa, compact, typo_bound, CivicKey, StreetKeys};
use super::register::Register;
use crate::identity::address::{expand_dug, parse_house_number, split_address, Civic};

/// How much of an address the register confirms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// The house number, as written.
    Civic,
    /// The house number, after normalising how it is written.
    CivicNormalised,
    /// The street only.
    Street,
    /// Nothing.
    None,
}

impl Level {
    /// Every level, best first.
    pub const ALL: [Level; 4] = [
        Level::Civic,
        Level::CivicNormalised,
        Level::Street,
        Level::None,
    ];

    /// `civic`, `civic_normalised`, `street`, `none`.
    pub fn code(self) -> &'static str {
        match self {
            Level::Civic => "civic",
            Level::CivicNormalised => "civic_normalised",
            Level::Street => "street",
            Level::None => "none",
        }
    }
}

/// Why an address was not matched to a house number. Codes are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// No street given.
    NoStreet,
    /// No street of the register has this name, nor one within the typo bound.
    UnknownStreet,
    /// Several streets of the register fit the name equally.
    AmbiguousStreet,
    /// The street is known; its house numbers do not include this one.
    CivicNotInStreet,
    /// No house number (or `SNC`).
    NoCivic,
    /// A house number that cannot be read (`ABC`, `12/QQ`).
    UnreadableCivic,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Reason; 6] = [
        Reason::NoStreet,
        Reason::UnknownStreet,
        Reason::AmbiguousStreet,
        Reason::CivicNotInStreet,
        Reason::NoCivic,
        Reason::UnreadableCivic,
    ];

    /// The stable code: `no_street`, `unknown_street`, `ambiguous_street`,
    /// `civic_not_in_street`, `no_civic`, `unreadable_civic`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::NoStreet => "no_street",
            Reason::UnknownStreet => "unknown_street",
            Reason::AmbiguousStreet => "ambiguous_street",
            Reason::CivicNotInStreet => "civic_not_in_street",
            Reason::NoCivic => "no_civic",
            Reason::UnreadableCivic => "unreadable_civic",
        }
    }
}

/// How the street was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreetVia {
    /// The normalised name.
    Name,
    /// The name's words in another order.
    WordOrder,
    /// Without particles, initials, titles or given names.
    Reduced,
    /// A typo within this many edits.
    Typo(u8),
}

/// What the register says about one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// The level.
    pub level: Level,
    /// The street (index into [`Register::streets`]).
    pub street: Option<usize>,
    /// How the street was found.
    pub via: Option<StreetVia>,
    /// The house number (index into [`Register::civics`]).
    pub civic: Option<usize>,
    /// The area statistica (index into [`Register::areas`]): the house
    /// number's, or the street's when all of it lies in one.
    pub area: Option<usize>,
    /// Why the level is not [`Level::Civic`] or [`Level::CivicNormalised`].
    pub reason: Option<Reason>,
}

impl Match {
    fn none(reason: Reason) -> Match {
        Match {
            level: Level::None,
            street: None,
            via: None,
            civic: None,
            area: None,
            reason: Some(reason),
        }
    }
}

type Map<K, V> = HashMap<K, V, FixedState>;

/// A street lookup's outcome.
type Found = Result<(usize, StreetVia), Reason>;

/// A house number as written, parsed once.
#[derive(Clone, Copy, Debug)]
enum ParsedCivic {
    Missing,
    Unreadable,
    Key { key: CivicKey, canonical: bool },
}

/// Matches addresses to one register, caching what repeats.
#[derive(Debug)]
pub struct Matcher<'r> {
    register: &'r Register,
    /// DUG → street words → the street found.
    streets: Map<Option<&'static str>, Map<String, Found>>,
    civics: Map<String, ParsedCivic>,
    /// Street type as written → the DUG.
    dugs: Map<String, Option<&'static str>>,
}

impl Register {
    /// A matcher over this register.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher {
            register: self,
            streets: Map::default(),
            civics: Map::default(),
            dugs: Map::default(),
        }
    }
}

impl<'r> Matcher<'r> {
    /// Matches an address given in parts: street type (empty when the
    /// source has none; then it is looked for at the start of the street),
    /// street name and house number (empty when none; then it is looked for
    /// at the end of the street).
    pub fn match_parts(&mut self, dug: &str, street: &str, civic: &str) -> Match {
        let (dug, street, civic) = (dug.trim(), street.trim(), civic.trim());
        if dug.is_empty() || civic.is_empty() {
            let joined;
            let text = if dug.is_empty() {
                joined = format!("{street} {civic}");
                joined.trim()
            } else {
                street
            };
            let split = split_address(text);
            let dug = if dug.is_empty() {
                split.dug.as_deref().and_then(expand_dug)
            } else {
                expand_dug(dug)
            };
            let parsed = match (&split.civic, civic.is_empty()) {
                (Some(c), _) => parsed_key(c, text),
                (None, true) => ParsedCivic::Missing,
                (None, false) => ParsedCivic::Unreadable,
            };
            return self.finish(dug, &split.street_words, parsed);
        }
        let parsed = self.parse_civic(civic);
        let dug = match self.dugs.get(dug) {
            Some(d) => *d,
            None => {
                let d = expand_dug(dug);
                self.dugs.insert(dug.to_owned(), d);
                d
            }
        };
        self.finish(dug, street, parsed)
    }

    /// Matches an address written in one text (`V.LE FILOPANTI 12/A`).
    pub fn match_text(&mut self, text: &str) -> Match {
        let text = text.trim();
        let split = split_address(text);
        let parsed = match &split.civic {
            Some(c) => parsed_key(c, text),
            None => ParsedCivic::Missing,
        };
        let dug = split.dug.as_deref().and_then(expand_dug);
        self.finish(dug, &split.street_words, parsed)
    }

    fn parse_civic(&mut self, civic: &str) -> ParsedCivic {
        if let Some(p) = self.civics.get(civic) {
            return *p;
        }
        let p = match parse_house_number(civic) {
            None => ParsedCivic::Unreadable,
            Some(c) => parsed_key(&c, civic),
        };
        self.civics.insert(civic.to_owned(), p);
        p
    }

    fn finish(&mut self, dug: Option<&'static str>, street: &str, civic: ParsedCivic) -> Match {
        if street.trim().is_empty() {
            return Match::none(Reason::NoStreet);
        }
        let by_name = self.streets.entry(dug).or_default();
        let found = match by_name.get(street) {
            Some(f) => *f,
            None => {
                let f = find_street(self.register, dug, street);
                by_name.insert(street.to_owned(), f);
                f
            }
        };
        let (s, via) = match found {
            Ok(x) => x,
            Err(reason) => return Match::none(reason),
        };
        let reg = self.register;
        let street_level = |reason| Match {
            level: Level::Street,
            street: Some(s),
            via: Some(via),
            civic: None,
            area: reg.streets()[s].area,
            reason: Some(reason),
        };
        let (key, canonical) = match civic {
            ParsedCivic::Missing => return street_level(Reason::NoCivic),
            ParsedCivic::Unreadable => return street_level(Reason::UnreadableCivic),
            ParsedCivic::Key { key, canonical } => (key, canonical),
        };
        let found = match reg.civic(s, key) {
            Some(c) => Some((c, canonical)),
            None if key.suffix != 0 => reg.civic(s, key.bare()).map(|c| (c, false)),
            None => None,
        };
        match found {
            Some((c, exact)) => Match {
                level: if exact {
                    Level::Civic
                } else {
                    Level::CivicNormalised
                },
                street: Some(s),
                via: Some(via),
                civic: Some(c),
                area: Some(reg.civics()[c].area),
                reason: None,
            },
            None => street_level(Reason::CivicNotInStreet),
        }
    }
}

/// The key of a parsed house number, and whether `written` ends with it
/// written as the register writes it (with no internal number after it).
fn parsed_key(c: &Civic, written: &str) -> ParsedCivic {
    match (c, CivicKey::from_civic(c)) {
        (Civic::Snc, _) => ParsedCivic::Missing,
        (_, None) => ParsedCivic::Unreadable,
        (Civic::Number(h), Some(key)) => {
            let canon = key.canonical();
            let w = written.trim_end();
            let canonical = h.interno.is_none()
                && w.len() >= canon.len()
                && w.is_char_boundary(w.len() - canon.len())
                && w[w.len() - canon.len()..].eq_ignore_ascii_case(&canon)
                && w[..w.len() - canon.len()]
                    .chars()
                    .next_back()
                    .is_none_or(|ch| ch == ' ' || ch == ',');
            ParsedCivic::Key { key, canonical }
        }
    }
}

/// One street among `candidates`, preferring the DUG given.
fn choose(reg: &Register, candidates: &[usize], dug: Option<&str>) -> Result<usize, Reason> {
    if let [one] = candidates {
        return Ok(*one);
    }
    let mut same_dug = candidates
        .iter()
        .filter(|&&s| dug.is_some_and(|d| reg.streets()[s].dug == d));
    match (same_dug.next(), same_dug.next()) {
        (Some(&s), None) => Ok(s),
        _ => Err(Reason::AmbiguousStreet),
    }
}

/// The street named `street` (words as written), with the DUG `dug`.
fn find_street(
    reg: &Register,
    dug: Option<&str>,
    street: &str,
) -> Result<(usize, StreetVia), Reason> {
    let keys = StreetKeys::new(street);
    if keys.full.is_empty() {
        return Err(Reason::NoStreet);
    }
    let steps = [
        (reg.by_full.get(&keys.full), StreetVia::Name),
        (reg.by_sorted.get(&keys.sorted), StreetVia::WordOrder),
        (
            keys.reduced.as_ref().and_then(|r| reg.by_reduced.get(r)),
            StreetVia::Reduced,
        ),
    ];
    for (found, via) in steps {
        if let Some(c) = found {
            return choose(reg, c, dug).map(|s| (s, via));
        }
    }
    typo(reg, dug, &keys)
}

/// The bounded typo search (see the module docs).
fn typo(
    reg: &Register,
    dug: Option<&str>,
    keys: &StreetKeys,
) -> Result<(usize, StreetVia), Reason> {
    let mut best: Option<usize> = None;
    let mut at_best: Vec<usize> = Vec::new();
    let queries = std::iter::once(&keys.full).chain(keys.reduced.as_ref());
    for q in queries {
        let q = compact(q).into_bytes();
        let bound = typo_bound(q.len());
        if bound == 0 {
            continue;
        }
        let (Some(first), Some(last)) = (q.first(), q.last()) else {
            continue;
        };
        let blocks = [reg.fuzzy_first.get(first), reg.fuzzy_last.get(last)];
        for &i in blocks.into_iter().flatten().flatten() {
            let entry = &reg.fuzzy[i];
            let limit = bound
                .min(typo_bound(entry.key.len()))
                .min(best.unwrap_or(usize::MAX));
            if limit == 0 {
                continue;
            }
            let Some(d) = bounded_osa(&q, &entry.key, limit) else {
                continue;
            };
            if best.is_none_or(|b| d < b) {
                best = Some(d);
                at_best.clear();
            }
            if !at_best.contains(&entry.street) {
                at_best.push(entry.street);
            }
        }
    }
    match best {
        None => Err(Reason::UnknownStreet),
        Some(d) => choose(reg, &at_best, dug).map(|s| (s, StreetVia::Typo(d as u8))),
    }
}

/// How the addresses of a table matched: one count per level, the
/// records with no address, and the addresses placed in an area
/// statistica. What the reports show per source (`summary.json`
/// `addresses`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rates {
    /// Records with no address (every address column empty).
    pub missing: u64,
    /// At [`Level::Civic`].
    pub civic: u64,
    /// At [`Level::CivicNormalised`].
    pub civic_normalised: u64,
    /// At [`Level::Street`].
    pub street: u64,
    /// At [`Level::None`].
    pub none: u64,
    /// Placed in an area statistica (by the house number, or by a street
    /// that lies whole in one area).
    pub placed: u64,
}

impl Rates {
    /// Counts one match.
    pub fn add(&mut self, m: &Match) {
        match m.level {
            Level::Civic => self.civic += 1,
            Level::CivicNormalised => self.civic_normalised += 1,
            Level::Street => self.street += 1,
            Level::None => self.none += 1,
        }
        if m.area.is_some() {
            self.placed += 1;
        }
    }

    /// Addresses given (every record but the missing ones).
    pub fn given(&self) -> u64 {
        self.civic + self.civic_normalised + self.street + self.none
    }

    /// The count at `level`.
    pub fn at(&self, level: Level) -> u64 {
        match level {
            Level::Civic => self.civic,
            Level::CivicNormalised => self.civic_normalised,
            Level::Street => self.street,
            Level::None => self.none,
        }
    }
}

/// Where a source keeps its addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressColumns {
    /// One column with the whole address (`V.LE FILOPANTI 12/A`).
    Text(String),
    /// Street type (optional), street name and house number (optional).
    Parts {
        /// The DUG column, if any.
        dug: Option<String>,
        /// The street name column.
        street: String,
        /// The house number column, if any.
        civic: Option<String>,
    },
}

/// A column of [`AddressColumns`] that is not in the table.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}: no address column `{column}`")]
#[diagnostic(code(vaglio::geography::address_column))]
pub struct MissingAddressColumn {
    /// The source's file.
    pub path: std::path::PathBuf,
    /// The column.
    pub column: String,
}

/// Matches the address of every record of `table`, in record order, in
/// parallel (one [`Matcher`] per chunk of records).
pub fn match_table(
    register: &Register,
    table: &crate::read::Table,
    columns: &AddressColumns,
) -> Result<Vec<Match>, MissingAddressColumn> {
    use rayon::prelude::*;
    let col = |c: &str| {
        table.column(c).ok_or_else(|| MissingAddressColumn {
            path: table.path.clone(),
            column: c.to_owned(),
        })
    };
    enum Ix {
        Text(usize),
        Parts(Option<usize>, usize, Option<usize>),
    }
    let ix = match columns {
        AddressColumns::Text(c) => Ix::Text(col(c)?),
        AddressColumns::Parts { dug, street, civic } => Ix::Parts(
            dug.as_deref().map(col).transpose()?,
            col(street)?,
            civic.as_deref().map(col).transpose()?,
        ),
    };
    Ok(table
        .records
        .par_chunks(4096)
        .flat_map_iter(|chunk| {
            let mut m = register.matcher();
            chunk
                .iter()
                .map(|r| match ix {
                    Ix::Text(t) => m.match_text(r.fields.get(t).unwrap_or("")),
                    Ix::Parts(d, s, c) => {
                        let field =
                            |i: Option<usize>| i.and_then(|i| r.fields.get(i)).unwrap_or("");
                        m.match_parts(field(d), field(Some(s)), field(c))
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::register::tests::small;
    use super::*;

    /// Level, street code, area code, reason.
    type Summary = (Level, Option<String>, Option<String>, Option<Reason>);

    fn text(r: &Register, t: &str) -> Summary {
        let m = r.matcher().match_text(t);
        summarise(r, m)
    }

    fn summarise(r: &Register, m: Match) -> Summary {
        (
            m.level,
            m.street.map(|s| r.streets()[s].code.clone()),
            m.area.map(|a| r.areas()[a].code.clone()),
            m.reason,
        )
    }

    fn civic(street: &str, area: &str) -> Summary {
        (Level::Civic, Some(street.into()), Some(area.into()), None)
    }

    fn street(code: &str, area: Option<&str>, reason: Reason) -> Summary {
        (
            Level::Street,
            Some(code.into()),
            area.map(Into::into),
            Some(reason),
        )
    }

    fn normalised(street: &str, area: &str) -> Summary {
        (
            Level::CivicNormalised,
            Some(street.into()),
            Some(area.into()),
            None,
        )
    }

    #[test]
    fn civic_level() {
        let r = small();
        for t in [
            "VIA DEL PRATELLO 12/A",
            "Via del Pratello, 12/A",
            "V. DEL PRATELLO 12/A",
            "V.DEL PRATELLO 12/a",
        ] {
            assert_eq!(text(&r, t), civic("01000", "301"), "{t}");
        }
        assert_eq!(text(&r, "VIA DEL PRATELLO 12 BIS"), civic("01000", "301"));
        assert_eq!(text(&r, "V.LE PEPOLI 3"), civic("03000", "303"));
        assert_eq!(text(&r, "VLE PEPOLI 3"), civic("03000", "303"));
        assert_eq!(text(&r, "VIA DELL'ARCOVEGGIO 40"), civic("06000", "201"));
        assert_eq!(
            text(&r, "VIA GIUSEPPE MASSARENTI 7/2"),
            civic("02000", "401")
        );
    }

    #[test]
    fn civic_normalised_level() {
        let r = small();
        for t in [
            "VIA DEL PRATELLO 12A",
            "VIA DEL PRATELLO 12 A",
            "VIA DEL PRATELLO 12-A",
            "VIA DEL PRATELLO 12/A INT 3",
            "VIA DEL PRATELLO 12BIS",
            "VIA DEL PRATELLO 12/BIS",
            "VIA DEL PRATELLO 12/C",
            "VIA DEL PRATELLO N. 12 A",
        ] {
            assert_eq!(text(&r, t), normalised("01000", "301"), "{t}");
        }
    }

    #[test]
    fn street_names_as_written() {
        let r = small();
        for t in [
            "VIA MASSARENTI 5",
            "VIA MASSARENTI GIUSEPPE 5",
            "VIA MASSARENTI G. 5",
            "VIA G. MASSARENTI 5",
            "via giuseppe massarenti 5",
            "VIA ARCOVEGGIO 40",
            "VIA DELL ARCOVEGGIO 40",
            "VIA DELLARCOVEGGIO 40",
        ] {
            let m = r.matcher().match_text(t);
            assert_eq!(m.level, Level::Civic, "{t}");
        }
        let m = r.matcher().match_text("VIA MASSARENTI GIUSEPPE 5");
        assert_eq!(m.via, Some(StreetVia::WordOrder));
        let m = r.matcher().match_text("VIA MASSARENTI 5");
        assert_eq!(m.via, Some(StreetVia::Reduced));
    }

    #[test]
    fn typos() {
        let r = small();
        let m = r.matcher().match_text("VIA DEL PRATELO 12");
        assert_eq!(summarise(&r, m), civic("01000", "301"));
        assert_eq!(m.via, Some(StreetVia::Typo(1)));
        let m = r.matcher().match_text("VIA MASARENTI 5");
        assert_eq!(m.via, Some(StreetVia::Typo(1)));
        let m = r.matcher().match_text("VIA DEL PARTELLO 80");
        assert_eq!(summarise(&r, m), civic("01000", "302"));
        // Too far, or too short to guess.
        assert_eq!(
            text(&r, "VIA DEL PORTELLONE 1").3,
            Some(Reason::UnknownStreet)
        );
        assert_eq!(text(&r, "VIA PEPO 3").3, Some(Reason::UnknownStreet));
    }

    #[test]
    fn street_level_and_misses() {
        let r = small();
        // The Pratello spans two areas: no area without a house number.
        assert_eq!(
            text(&r, "VIA DEL PRATELLO 999"),
            street("01000", None, Reason::CivicNotInStreet)
        );
        assert_eq!(
            text(&r, "VIA DEL PRATELLO"),
            street("01000", None, Reason::NoCivic)
        );
        assert_eq!(
            text(&r, "VIA DEL PRATELLO SNC"),
            street("01000", None, Reason::NoCivic)
        );
        // Massarenti lies in one area: the street gives it.
        assert_eq!(
            text(&r, "VIA MASSARENTI 999"),
            street("02000", Some("401"), Reason::CivicNotInStreet)
        );
        assert_eq!(
            text(&r, "VIA INDIPENDENZA 3").3,
            Some(Reason::UnknownStreet)
        );
        assert_eq!(text(&r, "").3, Some(Reason::NoStreet));
        // Strada Maggiore and Piazza Maggiore: the DUG decides.
        assert_eq!(text(&r, "STR. MAGGIORE 10"), civic("04000", "501"));
        assert_eq!(text(&r, "P.ZZA MAGGIORE 1"), civic("05000", "502"));
        assert_eq!(text(&r, "P.ZA MAGGIORE 1"), civic("05000", "502"));
        assert_eq!(text(&r, "MAGGIORE 1").3, Some(Reason::AmbiguousStreet));
        assert_eq!(text(&r, "VIA MAGGIORE 1").3, Some(Reason::AmbiguousStreet));
        // A DUG the register does not have for the name: the name decides.
        assert_eq!(text(&r, "VIA PEPOLI 3"), civic("03000", "303"));
    }

    #[test]
    fn parts() {
        let r = small();
        let mut m = r.matcher();
        let cases = [
            (("VIA", "DEL PRATELLO", "12/A"), civic("01000", "301")),
            (("V.", "del pratello", "12 A"), normalised("01000", "301")),
            (("", "VIA DEL PRATELLO", "12/A"), civic("01000", "301")),
            (("VIA", "DEL PRATELLO 12/A", ""), civic("01000", "301")),
            (("", "VIA DEL PRATELLO 12/A", ""), civic("01000", "301")),
            (("STRADA", "MAGGIORE", "10"), civic("04000", "501")),
            (
                ("VIA", "DEL PRATELLO", ""),
                street("01000", None, Reason::NoCivic),
            ),
            (
                ("VIA", "DEL PRATELLO", "ABC"),
                street("01000", None, Reason::UnreadableCivic),
            ),
            (
                ("VIA", "", ""),
                (Level::None, None, None, Some(Reason::NoStreet)),
            ),
        ];
        // Twice: the second time from the matcher's caches.
        for _ in 0..2 {
            for ((d, st, c), want) in &cases {
                assert_eq!(
                    summarise(&r, m.match_parts(d, st, c)),
                    *want,
                    "{d} {st} {c}"
                );
            }
        }
    }

    #[test]
    fn codes_are_distinct() {
        let mut codes: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        codes.extend(Level::ALL.iter().map(|l| l.code()));
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
