//! Comparisons with levels. Every comparison turns a pair of records into
//! a level index (0 = null: a value is missing, the comparison weighs
//! nothing); the levels of all comparisons pack into a [`Pattern`].
//!
//! Names are folded to ASCII once ([`super::prepare`]); name-pair results
//! are cached by name id, so a distinct pair is compared once per thread.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::prepare::{CfValue, NameInfo, NameTable, Person, NONE};
use super::spec::{Attr, CompKind, ComparisonSpec};
use crate::identity::codice_fiscale::Sex;
use crate::identity::dates;
use crate::messages::Lang;

/// The levels of all comparisons of a pair, 4 bits each (comparison `i` in
/// bits `4i..4i+4`).
pub type Pattern = u64;

/// Most comparisons a model may have.
pub const MAX_COMPARISONS: usize = 15;

/// The level of comparison `i` in `p`.
pub fn level_of(p: Pattern, i: usize) -> u8 {
    ((p >> (4 * i)) & 0xF) as u8
}

/// One level of a comparison: its name and its label in each language.
/// The tables of levels ([`name_level::LEVELS`], [`date_level::LEVELS`], …)
/// are what the model, the explanations and the reports read; a level's
/// index is its constant in the comparison's module (`name_level::SWAPPED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    /// Its name in the model, `summary.json`, `links.csv` and English
    /// reports (`one_edit`).
    pub name: &'static str,
    /// Its label in Italian reports (`un errore di battitura`).
    pub it: &'static str,
}

impl Level {
    /// Its label in `lang`: in English the name (what `summary.json` and
    /// the model use), in Italian its Italian label.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.name,
            Lang::It => self.it,
        }
    }

    /// The level named `name`, in any comparison's table (a name means
    /// the same level whatever the comparison).
    pub fn find(name: &str) -> Option<&'static Level> {
        CompKind::ALL
            .iter()
            .flat_map(|k| k.levels())
            .find(|l| l.name == name)
    }
}

/// The levels the comparisons' tables are made of.
pub mod level {
    use super::Level;

    /// A value is missing: the comparison weighs nothing.
    pub const NULL: Level = Level {
        name: "null",
        it: "valore mancante",
    };
    /// Equal (once normalised).
    pub const EXACT: Level = Level {
        name: "exact",
        it: "uguale",
    };
    /// One character changed, added or dropped, or two adjacent ones
    /// exchanged.
    pub const ONE_EDIT: Level = Level {
        name: "one_edit",
        it: "un errore di battitura",
    };
    /// A codice fiscale's characters 1–11 agree.
    pub const SEGMENTS_AGREE: Level = Level {
        name: "segments_agree",
        it: "primi 11 caratteri uguali",
    };
    /// A codice fiscale recomputed from the extract agrees.
    pub const RECOMPUTED_AGREES: Level = Level {
        name: "recomputed_agrees",
        it: "ricalcolato, uguale",
    };
    /// A name variant (transliteration, particles, truncated double name).
    pub const VARIANT: Level = Level {
        name: "variant",
        it: "variante",
    };
    /// Surname and name exchanged.
    pub const NAMES_SWAPPED: Level = Level {
        name: "swapped",
        it: "invertiti",
    };
    /// Jaro–Winkler at or above the high threshold.
    pub const JW_HIGH: Level = Level {
        name: "jaro_winkler_high",
        it: "molto simile",
    };
    /// Jaro–Winkler at or above the low threshold.
    pub const JW_LOW: Level = Level {
        name: "jaro_winkler_low",
        it: "abbastanza simile",
    };
    /// A date's day and month exchanged.
    pub const DAY_MONTH_SWAPPED: Level = Level {
        name: "day_month_swapped",
        it: "giorno e mese invertiti",
    };
    /// One digit or one day apart.
    pub const ONE_OFF: Level = Level {
        name: "one_off",
        it: "un giorno o una cifra di scarto",
    };
    /// The same year.
    pub const SAME_YEAR: Level = Level {
        name: "same_year",
        it: "stesso anno",
    };
    /// Different.
    pub const ELSE: Level = Level {
        name: "else",
        it: "diverso",
    };
}

/// Name levels.
pub mod name_level {
    use super::{level, Level};

    /// A name is missing.
    pub const NULL: u8 = 0;
    /// Equal once normalised.
    pub const EXACT: u8 = 1;
    /// Known transliteration, particles, or a double name truncated.
    pub const VARIANT: u8 = 2;
    /// Surname and name exchanged.
    pub const SWAPPED: u8 = 3;
    /// Jaro–Winkler at or above the high threshold.
    pub const JW_HIGH: u8 = 4;
    /// Jaro–Winkler at or above the low threshold.
    pub const JW_LOW: u8 = 5;
    /// Different.
    pub const ELSE: u8 = 6;

    /// The levels, by index: each one's name and labels.
    pub const LEVELS: &[Level] = &[
        level::NULL,
        level::EXACT,
        level::VARIANT,
        level::NAMES_SWAPPED,
        level::JW_HIGH,
        level::JW_LOW,
        level::ELSE,
    ];
}

/// Date levels.
pub mod date_level {
    use super::{level, Level};

    /// A date is missing.
    pub const NULL: u8 = 0;
    /// Equal.
    pub const EXACT: u8 = 1;
    /// Day and month exchanged.
    pub const SWAPPED: u8 = 2;
    /// One digit or one day apart.
    pub const ONE_OFF: u8 = 3;
    /// Same year.
    pub const SAME_YEAR: u8 = 4;
    /// Different.
    pub const ELSE: u8 = 5;

    /// The levels, by index: each one's name and labels.
    pub const LEVELS: &[Level] = &[
        level::NULL,
        level::EXACT,
        level::DAY_MONTH_SWAPPED,
        level::ONE_OFF,
        level::SAME_YEAR,
        level::ELSE,
    ];
}

/// Codice fiscale levels.
pub mod cf_level {
    use super::{level, Level};

    /// No usable code on one side (and none could be recomputed).
    pub const NULL: u8 = 0;
    /// Same base form.
    pub const EXACT: u8 = 1;
    /// One character changed, or two adjacent ones exchanged.
    pub const ONE_EDIT: u8 = 2;
    /// Surname, name and birth-date segments (characters 1–11) agree.
    pub const SEGMENTS: u8 = 3;
    /// The extract has no code, and the one computed from its surname, name,
    /// birth date (and sex) agrees with the resident's characters 1–11.
    pub const RECOMPUTED: u8 = 4;
    /// Different.
    pub const ELSE: u8 = 5;

    /// The levels, by index: each one's name and labels.
    pub const LEVELS: &[Level] = &[
        level::NULL,
        level::EXACT,
        level::ONE_EDIT,
        level::SEGMENTS_AGREE,
        level::RECOMPUTED_AGREES,
        level::ELSE,
    ];
}

/// Exact-comparison levels.
pub mod exact_level {
    use super::{level, Level};

    /// Missing.
    pub const NULL: u8 = 0;
    /// Equal.
    pub const EXACT: u8 = 1;
    /// Different.
    pub const ELSE: u8 = 2;

    /// The levels, by index: each one's name and labels.
    pub const LEVELS: &[Level] = &[level::NULL, level::EXACT, level::ELSE];
}

/// Generic text levels.
pub mod text_level {
    use super::{level, Level};

    /// A value is missing.
    pub const NULL: u8 = 0;
    /// Equal once normalised.
    pub const EXACT: u8 = 1;
    /// Jaro–Winkler at or above the high threshold.
    pub const JW_HIGH: u8 = 2;
    /// Jaro–Winkler at or above the low threshold.
    pub const JW_LOW: u8 = 3;
    /// Different.
    pub const ELSE: u8 = 4;

    /// The levels, by index: each one's name and labels.
    pub const LEVELS: &[Level] = &[
        level::NULL,
        level::EXACT,
        level::JW_HIGH,
        level::JW_LOW,
        level::ELSE,
    ];
}

/// Generic code levels.
pub mod code_level {
    use super::{level, Level};

    /// A value is missing.
    pub const NULL: u8 = 0;
    /// Equal once normalised.
    pub const EXACT: u8 = 1;
    /// One character changed, added or dropped, or two adjacent ones
    /// exchanged.
    pub const ONE_EDIT: u8 = 2;
    /// Different.
    pub const ELSE: u8 = 3;

    /// The levels, by index: each one's name and labels.
    pub const LEVELS: &[Level] = &[level::NULL, level::EXACT, level::ONE_EDIT, level::ELSE];
}

/// Whether `a` and `b` are at most one edit apart (optimal string alignment
/// distance ≤ 1: a substitution, an insertion, a deletion or an adjacent
/// transposition).
pub fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).take(3).collect();
            match diffs.as_slice() {
                [] | [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            }
        }
        1 => {
            let p = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[p..] == long[p + 1..]
        }
        _ => false,
    }
}

/// The level of two generic values (`kind` [`CompKind::Text`] or
/// [`CompKind::Code`]; anything else compares exactly), by value id.
#[allow(clippy::too_many_arguments)]
pub fn generic_level(
    table: &NameTable,
    kind: CompKind,
    a: u32,
    b: u32,
    jw: [f64; 2],
    slot: u64,
    cache: &mut NameCache,
) -> u8 {
    if a == NONE || b == NONE {
        return 0;
    }
    let exact = match kind {
        CompKind::Text => text_level::EXACT,
        CompKind::Code => code_level::EXACT,
        _ => exact_level::EXACT,
    };
    if a == b {
        return exact;
    }
    let key = (slot << 60) | (u64::from(a) << 30) | u64::from(b);
    if let Some(&l) = cache.get(&key) {
        return l;
    }
    let (Some(ta), Some(tb)) = (table.text(a), table.text(b)) else {
        return 0;
    };
    let l = match kind {
        CompKind::Text => jw_level(
            ta,
            tb,
            jw,
            [text_level::JW_HIGH, text_level::JW_LOW, text_level::ELSE],
        ),
        CompKind::Code => {
            if within_one_edit(ta.as_bytes(), tb.as_bytes()) {
                code_level::ONE_EDIT
            } else {
                code_level::ELSE
            }
        }
        _ => exact_level::ELSE,
    };
    cache.insert(key, l);
    l
}

/// A per-thread cache of name-pair levels.
pub type NameCache = HashMap<u64, u8, foldhash::fast::FixedState>;

/// The level of two names (not considering swaps).
fn name_pair_level(a: &NameInfo, b: &NameInfo, jw: [f64; 2]) -> u8 {
    use name_level::*;
    if a.joined == b.joined {
        return EXACT;
    }
    if variant_of(a, b) {
        return VARIANT;
    }
    jw_level(&a.joined, &b.joined, jw, [JW_HIGH, JW_LOW, ELSE])
}

/// The Jaro–Winkler band of `a` and `b` as one of `levels` (at or above
/// `jw[0]`, at or above `jw[1]`, below): a pair certainly below `jw[1]` is
/// told without computing the score.
fn jw_level(a: &str, b: &str, jw: [f64; 2], [high, low, below]: [u8; 3]) -> u8 {
    if super::jaro::certainly_below(a, b, jw[1]) {
        return below;
    }
    let s = super::jaro::jaro_winkler(a, b);
    if s >= jw[0] {
        high
    } else if s >= jw[1] {
        low
    } else {
        below
    }
}

/// The [`name_level::VARIANT`] test: the same without particles, a double
/// name truncated, or known spellings word by word.
fn variant_of(a: &NameInfo, b: &NameInfo) -> bool {
    a.core == b.core || truncated(&a.words, &b.words) || variants(a, b)
}

/// Word by word the same or known spellings of each other (`MD ABDUL` =
/// `MOHAMMAD ABDOUL`), as [`names::are_variants`], from precomputed lists.
fn variants(a: &NameInfo, b: &NameInfo) -> bool {
    a.words.len() == b.words.len()
        && a.words
            .iter()
            .zip(&b.words)
            .zip(&a.variants)
            .all(|((x, y), vx)| x == y || vx.contains(&y.as_str()))
}

/// One list of words is a proper prefix of the other (`MARIA` vs
/// `MARIA GRAZIA`).
fn truncated(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    short.len() < long.len() && !short.is_empty() && long[..short.len()] == *short
}

/// The level of names `a` and `b` (not considering swaps), from the cache
/// or computed; `None` when an id is unknown.
fn pair_level(
    table: &NameTable,
    a: u32,
    b: u32,
    jw: [f64; 2],
    slot: u64,
    cache: &mut NameCache,
) -> Option<u8> {
    if a == b {
        return Some(name_level::EXACT);
    }
    let key = (slot << 60) | (u64::from(a) << 30) | u64::from(b);
    if let Some(&l) = cache.get(&key) {
        return Some(l);
    }
    let l = name_pair_level(table.get(a)?, table.get(b)?, jw);
    cache.insert(key, l);
    Some(l)
}

/// The level of names `a` (extract) and `b` (resident), where `a_other` and
/// `b_other` are the other name of each (for swaps). `key` identifies the
/// comparison in the cache.
///
/// Surname and name exchanged ([`name_level::SWAPPED`]): `a` and `b` do not
/// agree (Jaro–Winkler high or below), while crosswise each name agrees with
/// the other record's other name exactly or as a known variant (particles,
/// transliteration, a double name truncated). A mere Jaro–Winkler agreement
/// crosswise is not enough: the twin sister of `MARIO` is `MARIA`, 0.92.
#[allow(clippy::too_many_arguments)]
pub fn name_level(
    table: &NameTable,
    a: u32,
    b: u32,
    a_other: u32,
    b_other: u32,
    jw: [f64; 2],
    slot: u64,
    cache: &mut NameCache,
) -> u8 {
    use name_level::*;
    if a == NONE || b == NONE {
        return NULL;
    }
    let Some(level) = pair_level(table, a, b, jw, slot, cache) else {
        return NULL;
    };
    if level >= JW_HIGH && a_other != NONE && b_other != NONE {
        // Exact or variant agreement needs no Jaro–Winkler, nor the cache:
        // this runs for nearly every pair, whose names mostly disagree.
        let agrees = |x: u32, y: u32| {
            x == y
                || match (table.get(x), table.get(y)) {
                    (Some(i), Some(j)) => i.joined == j.joined || variant_of(i, j),
                    _ => false,
                }
        };
        if agrees(a, b_other) && agrees(a_other, b) {
            return SWAPPED;
        }
    }
    level
}

/// The eight digits of `d` as `YYYYMMDD` (the year clamped to 0–9999),
/// without formatting: this runs for most compared pairs.
fn digits(d: NaiveDate) -> [u8; 8] {
    let y = d.year().clamp(0, 9999) as u32;
    let (m, day) = (d.month(), d.day());
    let digit = |v: u32| b'0' + (v % 10) as u8;
    [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        digit(m / 10),
        digit(m),
        digit(day / 10),
        digit(day),
    ]
}

/// The level of two birth dates.
pub fn date_level(a: Option<NaiveDate>, b: Option<NaiveDate>) -> u8 {
    use date_level::*;
    let (Some(a), Some(b)) = (a, b) else {
        return NULL;
    };
    if a == b {
        return EXACT;
    }
    if dates::plausible_swap(a, b) {
        return SWAPPED;
    }
    let off_by_day = (a - b).num_days().abs() <= 1;
    let da = digits(a);
    let db = digits(b);
    let diff = da.iter().zip(&db).filter(|(x, y)| x != y).count();
    if off_by_day || diff == 1 {
        return ONE_OFF;
    }
    if a.year() == b.year() {
        SAME_YEAR
    } else {
        ELSE
    }
}

/// Whether two 16-byte codes are one substitution or one adjacent
/// transposition apart.
fn one_edit(a: &[u8; 16], b: &[u8; 16]) -> bool {
    // The first two differing positions, and whether there is a third.
    let mut diffs = [0usize; 2];
    let mut n = 0;
    for i in (0..16).filter(|&i| a[i] != b[i]) {
        if n == 2 {
            return false;
        }
        diffs[n] = i;
        n += 1;
    }
    let [i, j] = diffs;
    match n {
        1 => true,
        2 => j == i + 1 && a[i] == b[j] && a[j] == b[i],
        _ => false,
    }
}

const MONTH_LETTERS: &[u8; 12] = b"ABCDEHLMPRST";

/// Characters 7–11 of a code for a birth date and sex.
pub fn date_segment(d: NaiveDate, sex: Sex) -> [u8; 5] {
    let yy = d.year().rem_euclid(100) as u8;
    let day = d.day() as u8 + if sex == Sex::Female { 40 } else { 0 };
    [
        b'0' + yy / 10,
        b'0' + yy % 10,
        MONTH_LETTERS[d.month0() as usize % 12],
        b'0' + day / 10,
        b'0' + day % 10,
    ]
}

/// The level of two codes; `ext_prefix` is the extract record's
/// characters 1–6 recomputed from its names, with its birth date and sex
/// (for [`cf_level::RECOMPUTED`]).
pub fn cf_level(
    ext: &CfValue,
    ana: &CfValue,
    recomputed: Option<([u8; 6], NaiveDate, Option<Sex>)>,
) -> u8 {
    use cf_level::*;
    let Some(ana_base) = ana.base() else {
        return NULL;
    };
    let Some(ext_text) = ext.text() else {
        // No code in the extract: recompute it from the other fields.
        if let Some((prefix, birth, sex)) = recomputed {
            if ana_base[..6] == prefix {
                let sexes: &[Sex] = match sex {
                    Some(Sex::Male) => &[Sex::Male],
                    Some(Sex::Female) => &[Sex::Female],
                    None => &[Sex::Male, Sex::Female],
                };
                if sexes
                    .iter()
                    .any(|s| ana_base[6..11] == date_segment(birth, *s))
                {
                    return RECOMPUTED;
                }
            }
        }
        return NULL;
    };
    if ext.base() == Some(ana_base) {
        return EXACT;
    }
    let ana_text = ana.text().unwrap_or(ana_base);
    let ext_cmp = ext.base().unwrap_or(ext_text);
    if one_edit(ext_text, ana_text) || one_edit(ext_cmp, ana_base) {
        return ONE_EDIT;
    }
    if ext_cmp[..11] == ana_base[..11] {
        return SEGMENTS;
    }
    ELSE
}

/// The CF characters 1–6 computed from a record's default names.
pub fn name_prefix(table: &NameTable, p: &Person) -> Option<[u8; 6]> {
    let s = table.get(p.surname())?;
    let n = table.get(p.name())?;
    let mut out = [0u8; 6];
    out[..3].copy_from_slice(&s.surname_code);
    out[3..].copy_from_slice(&n.name_code);
    Some(out)
}

/// Compares records: the comparisons of a model, with the name table.
pub struct Comparer<'a> {
    /// The comparisons.
    pub comparisons: &'a [ComparisonSpec],
    /// Interned names.
    pub names: &'a NameTable,
}

/// An extract record prepared for comparison (what does not depend on the
/// resident).
pub struct Prepared {
    recomputed: Option<([u8; 6], NaiveDate, Option<Sex>)>,
}

impl Comparer<'_> {
    /// What can be computed once per extract record.
    pub fn prepare(&self, ext: &Person) -> Prepared {
        let needs = self
            .comparisons
            .iter()
            .any(|c| c.kind == CompKind::CodiceFiscale);
        let recomputed = if needs && ext.cf == CfValue::None {
            match (name_prefix(self.names, ext), ext.birth) {
                (Some(p), Some(b)) => Some((p, b, ext.sex)),
                _ => None,
            }
        } else {
            None
        };
        Prepared { recomputed }
    }

    /// Which reading of the extract's names to use against `ana`: the one
    /// whose surname equals the resident's, else the one whose name does
    /// (`MARIA GRAZIA ROSSI` read as surname `MARIA GRAZIA`, name `ROSSI`,
    /// against resident `ROSSI MARIA GRAZIA`: a swap), else the first.
    pub fn split(&self, ext: &Person, ana: &Person) -> usize {
        if ext.splits.len() == 1 {
            return 0;
        }
        let target = ana.surname();
        ext.splits
            .iter()
            .position(|(s, _)| *s == target)
            .or_else(|| {
                let t = self.names.get(target)?;
                ext.splits.iter().position(|(s, _)| {
                    self.names
                        .get(*s)
                        .is_some_and(|i| i.joined == t.joined || i.core == t.core)
                })
            })
            .or_else(|| {
                let t = self.names.get(target)?;
                ext.splits
                    .iter()
                    .position(|(_, n)| self.names.get(*n).is_some_and(|i| i.joined == t.joined))
            })
            .unwrap_or(0)
    }

    /// The pattern of a pair, and the name reading used.
    pub fn compare(
        &self,
        ext: &Person,
        prep: &Prepared,
        ana: &Person,
        cache: &mut NameCache,
    ) -> (Pattern, u8) {
        let split = self.split(ext, ana);
        let (es, en) = ext.splits[split];
        let (as_, an) = ana.splits[0];
        let mut p: Pattern = 0;
        for (i, c) in self.comparisons.iter().enumerate() {
            let level = match c.kind {
                CompKind::CodiceFiscale => cf_level(&ext.cf, &ana.cf, prep.recomputed),
                CompKind::Name => match c.attr {
                    Attr::Cognome => {
                        name_level(self.names, es, as_, en, an, c.jaro_winkler, i as u64, cache)
                    }
                    _ => name_level(self.names, en, an, es, as_, c.jaro_winkler, i as u64, cache),
                },
                CompKind::Date => date_level(ext.birth, ana.birth),
                CompKind::Exact if c.attr.generic_slot().is_some() => generic_level(
                    self.names,
                    c.kind,
                    ext.generic(c.attr),
                    ana.generic(c.attr),
                    c.jaro_winkler,
                    i as u64,
                    cache,
                ),
                CompKind::Exact => exact(c.attr, ext, ana, es, en, as_, an),
                CompKind::Text | CompKind::Code => generic_level(
                    self.names,
                    c.kind,
                    ext.generic(c.attr),
                    ana.generic(c.attr),
                    c.jaro_winkler,
                    i as u64,
                    cache,
                ),
            };
            p |= u64::from(level & 0xF) << (4 * i);
        }
        (p, split as u8)
    }
}

fn exact(attr: Attr, ext: &Person, ana: &Person, es: u32, en: u32, as_: u32, an: u32) -> u8 {
    use exact_level::*;
    fn eq<T: PartialEq>(a: Option<T>, b: Option<T>) -> u8 {
        match (a, b) {
            (Some(a), Some(b)) if a == b => EXACT,
            (Some(_), Some(_)) => ELSE,
            _ => NULL,
        }
    }
    let name = |a: u32, b: u32| {
        if a == NONE || b == NONE {
            NULL
        } else if a == b {
            EXACT
        } else {
            ELSE
        }
    };
    match attr {
        Attr::CodiceFiscale => eq(ext.cf.base(), ana.cf.base()),
        Attr::Cognome | Attr::Nominativo => name(es, as_),
        Attr::Nome => name(en, an),
        Attr::DataNascita => eq(ext.birth, ana.birth),
        Attr::Sesso => eq(ext.sex, ana.sex),
        Attr::LuogoNascita => eq(ext.place, ana.place),
        _ => eq(
            Some(ext.generic(attr)).filter(|&x| x != NONE),
            Some(ana.generic(attr)).filter(|&x| x != NONE),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_constants_index_their_tables() {
        let name = |levels: &[Level], i: u8| levels[usize::from(i)].name;
        assert_eq!(name(name_level::LEVELS, name_level::SWAPPED), "swapped");
        assert_eq!(
            name(name_level::LEVELS, name_level::JW_LOW),
            "jaro_winkler_low"
        );
        assert_eq!(
            name(date_level::LEVELS, date_level::SWAPPED),
            "day_month_swapped"
        );
        assert_eq!(name(date_level::LEVELS, date_level::SAME_YEAR), "same_year");
        assert_eq!(
            name(cf_level::LEVELS, cf_level::RECOMPUTED),
            "recomputed_agrees"
        );
        assert_eq!(name(exact_level::LEVELS, exact_level::ELSE), "else");
        assert_eq!(
            name(text_level::LEVELS, text_level::JW_HIGH),
            "jaro_winkler_high"
        );
        assert_eq!(name(code_level::LEVELS, code_level::ONE_EDIT), "one_edit");
        for kind in CompKind::ALL {
            let levels = kind.levels();
            assert_eq!(levels[0].name, "null", "{kind:?}");
            assert_eq!(levels[levels.len() - 1].name, "else", "{kind:?}");
            // Four bits per level in a pattern.
            assert!(levels.len() <= 16, "{kind:?}");
        }
    }

    #[test]
    fn a_name_means_one_level_with_one_label() {
        for kind in CompKind::ALL {
            for l in kind.levels() {
                assert_eq!(Level::find(l.name), Some(l), "{}", l.name);
                assert_eq!(l.label(Lang::En), l.name);
                assert_ne!(l.label(Lang::It), l.name);
            }
        }
        assert_eq!(
            Level::find("one_edit").map(|l| l.it),
            Some("un errore di battitura")
        );
        assert!(Level::find("nonsense").is_none());
    }
    use crate::identity::{codice_fiscale, names};
    use crate::link::prepare::cf_value;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn names_level(a: &str, b: &str) -> u8 {
        let mut t = NameTable::default();
        let ia = t.intern(&names::normalize_name(a));
        let ib = t.intern(&names::normalize_name(b));
        let mut cache = NameCache::default();
        name_level(&t, ia, ib, NONE, NONE, [0.92, 0.80], 0, &mut cache)
    }

    #[test]
    fn name_levels() {
        use name_level::*;
        assert_eq!(names_level("D'Amico", "DAMICO"), EXACT);
        assert_eq!(names_level("De Luca", "DELUCA"), EXACT);
        assert_eq!(names_level("Mohamed", "Mohammed"), VARIANT);
        assert_eq!(names_level("Maria", "Maria Grazia"), VARIANT);
        assert_eq!(names_level("Rossi", "Rosssi"), JW_HIGH);
        assert_eq!(names_level("Martini", "Martelli"), JW_LOW);
        assert_eq!(names_level("Rossi", "Bianchi"), ELSE);
        assert_eq!(names_level("", "Bianchi"), NULL);
    }

    #[test]
    fn generic_levels() {
        assert!(within_one_edit(b"4223", b"4223"));
        assert!(within_one_edit(b"4223", b"4233"));
        assert!(within_one_edit(b"4223", b"2423"));
        assert!(within_one_edit(b"4223", b"423"));
        assert!(within_one_edit(b"12", b"120"));
        assert!(!within_one_edit(b"4223", b"3224"));
        assert!(!within_one_edit(b"4223", b"42"));
        let mut t = NameTable::default();
        let mut cache = NameCache::default();
        let mut id = |s: &str| t.intern_text(s);
        let (a, b, c, d) = (
            id("STANLEY STREET"),
            id("STANLEY STRET"),
            id("STANLEY AVENUE"),
            id("PINKERTON CIRCUIT"),
        );
        let (p, q, r) = (id("4223"), id("4233"), id("5304"));
        let jw = [0.92, 0.8];
        let mut lv = |k, x, y| generic_level(&t, k, x, y, jw, 0, &mut cache);
        assert_eq!(lv(CompKind::Text, a, a), text_level::EXACT);
        assert_eq!(lv(CompKind::Text, a, b), text_level::JW_HIGH);
        assert_eq!(lv(CompKind::Text, a, c), text_level::JW_LOW);
        assert_eq!(lv(CompKind::Text, a, d), text_level::ELSE);
        assert_eq!(lv(CompKind::Text, a, NONE), text_level::NULL);
        assert_eq!(lv(CompKind::Code, p, p), code_level::EXACT);
        assert_eq!(lv(CompKind::Code, p, q), code_level::ONE_EDIT);
        assert_eq!(lv(CompKind::Code, p, r), code_level::ELSE);
        assert_eq!(lv(CompKind::Exact, p, q), exact_level::ELSE);
    }

    #[test]
    fn swapped_names() {
        let mut t = NameTable::default();
        let rossi = t.intern("ROSSI");
        let mario = t.intern("MARIO");
        let mut cache = NameCache::default();
        // Extract surname MARIO, name ROSSI; resident ROSSI MARIO.
        let l = name_level(&t, mario, rossi, rossi, mario, [0.92, 0.8], 0, &mut cache);
        assert_eq!(l, name_level::SWAPPED);
    }

    /// The pattern of extract `(surname, name)` against resident
    /// `(surname, name)` on the cognome and nome comparisons.
    fn name_pattern(ext: (&str, &str), ana: (&str, &str)) -> (u8, u8) {
        let mut t = NameTable::default();
        let mut p = |(s, n): (&str, &str)| Person {
            row: 1,
            key: "1".into(),
            cf: CfValue::None,
            splits: crate::link::prepare::Splits::one(
                t.intern(&names::normalize_name(s)),
                t.intern(&names::normalize_name(n)),
            ),
            birth: None,
            sex: None,
            place: None,
            extra: [NONE; 6],
        };
        let (e, a) = (p(ext), p(ana));
        let comps = [
            ComparisonSpec::new(Attr::Cognome),
            ComparisonSpec::new(Attr::Nome),
        ];
        let c = Comparer {
            comparisons: &comps,
            names: &t,
        };
        let (pat, _) = c.compare(&e, &c.prepare(&e), &a, &mut NameCache::default());
        (level_of(pat, 0), level_of(pat, 1))
    }

    #[test]
    fn swapped_names_agree_crosswise_exactly_or_as_variants() {
        use name_level::*;
        assert_eq!(
            name_pattern(("Mario", "Rossi"), ("ROSSI", "MARIO")),
            (SWAPPED, SWAPPED)
        );
        // Swapped, and the double name truncated or the particle glued.
        assert_eq!(
            name_pattern(("Maria", "Rossi"), ("ROSSI", "MARIA GRAZIA")),
            (SWAPPED, SWAPPED)
        );
        assert_eq!(
            name_pattern(("Anna", "Deluca"), ("DE LUCA", "ANNA")),
            (SWAPPED, SWAPPED)
        );
        // Not swapped.
        assert_eq!(
            name_pattern(("Rossi", "Mario"), ("ROSSI", "MARIO")),
            (EXACT, EXACT)
        );
        // The twin sister: MARIO against MARIA is only Jaro–Winkler high.
        assert_eq!(
            name_pattern(("Mario", "Rossi"), ("ROSSI", "MARIA")),
            (ELSE, ELSE)
        );
        // One name crosswise is not a swap.
        assert_eq!(
            name_pattern(("Mario", "Bianchi"), ("ROSSI", "MARIO")),
            (ELSE, ELSE)
        );
        // Same surname and name: exact, whatever the crosswise levels.
        assert_eq!(
            name_pattern(("Rossi", "Rossi"), ("ROSSI", "ROSSI")),
            (EXACT, EXACT)
        );
    }

    #[test]
    fn a_swapped_nominativo_is_read_the_swapped_way() {
        use name_level::*;
        let mut t = NameTable::default();
        let splits =
            crate::link::prepare::nominativo_splits(&names::normalize_name("Maria Grazia Rossi"));
        let ext = Person {
            row: 1,
            key: "1".into(),
            cf: CfValue::None,
            splits: splits
                .iter()
                .map(|(s, n)| (t.intern(s), t.intern(n)))
                .collect::<Vec<_>>()
                .into(),
            birth: None,
            sex: None,
            place: None,
            extra: [NONE; 6],
        };
        let ana = Person {
            splits: crate::link::prepare::Splits::one(t.intern("ROSSI"), t.intern("MARIA GRAZIA")),
            ..ext.clone()
        };
        let comps = [
            ComparisonSpec::new(Attr::Cognome),
            ComparisonSpec::new(Attr::Nome),
        ];
        let c = Comparer {
            comparisons: &comps,
            names: &t,
        };
        let (pat, split) = c.compare(&ext, &c.prepare(&ext), &ana, &mut NameCache::default());
        assert_eq!(split, 1, "MARIA GRAZIA | ROSSI");
        assert_eq!((level_of(pat, 0), level_of(pat, 1)), (SWAPPED, SWAPPED));
    }

    proptest::proptest! {
        #[test]
        fn digits_are_the_formatted_date(days in -800_000i64..3_000_000) {
            let d = NaiveDate::from_num_days_from_ce_opt(days as i32).unwrap();
            let formatted = format!("{:04}{:02}{:02}", d.year().clamp(0, 9999), d.month(), d.day());
            proptest::prop_assert_eq!(&digits(d)[..], formatted.as_bytes());
        }

        #[test]
        fn one_edit_is_one_substitution_or_transposition(
            a in proptest::array::uniform16(b'A'..b'D'),
            edits in proptest::collection::vec((0usize..16, b'A'..b'D'), 0..4),
            swap in proptest::option::of(0usize..15),
        ) {
            let mut b = a;
            for (i, c) in edits {
                b[i] = c;
            }
            if let Some(i) = swap {
                b.swap(i, i + 1);
            }
            let diffs: Vec<usize> = (0..16).filter(|&i| a[i] != b[i]).collect();
            let expected = match diffs.as_slice() {
                [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            };
            proptest::prop_assert_eq!(one_edit(&a, &b), expected);
        }
    }

    #[test]
    fn date_levels() {
        use date_level::*;
        assert_eq!(
            date_level(Some(d("1985-03-04")), Some(d("1985-03-04"))),
            EXACT
        );
        assert_eq!(
            date_level(Some(d("1985-03-04")), Some(d("1985-04-03"))),
            SWAPPED
        );
        assert_eq!(
            date_level(Some(d("1985-03-04")), Some(d("1985-03-05"))),
            ONE_OFF
        );
        assert_eq!(
            date_level(Some(d("1985-03-04")), Some(d("1975-03-04"))),
            ONE_OFF
        );
        assert_eq!(
            date_level(Some(d("1985-03-04")), Some(d("1985-11-20"))),
            SAME_YEAR
        );
        assert_eq!(
            date_level(Some(d("1985-03-04")), Some(d("1990-11-20"))),
            ELSE
        );
        assert_eq!(date_level(None, Some(d("1990-11-20"))), NULL);
    }

    #[test]
    fn cf_levels() {
        use cf_level::*;
        let r = d("2025-12-31");
        let cf = |s: &str| cf_value(s, r);
        let base = "RSSMRA80A01H501U";
        assert_eq!(cf_level(&cf(base), &cf(base), None), EXACT);
        // An omocode of the same code.
        let omo = codice_fiscale::omocode_of_level(base, 1).unwrap();
        assert_eq!(cf_level(&cf(&omo), &cf(base), None), EXACT);
        // Wrong check character: one edit.
        assert_eq!(cf_level(&cf("RSSMRA80A01H501X"), &cf(base), None), ONE_EDIT);
        // Another place: segments agree.
        let other =
            codice_fiscale::encode("Rossi", "Mario", d("1980-01-01"), Sex::Male, "F205").unwrap();
        assert_eq!(cf_level(&cf(&other), &cf(base), None), SEGMENTS);
        // Another person.
        let b2 = codice_fiscale::encode("Bianchi", "Anna", d("1990-05-07"), Sex::Female, "F205")
            .unwrap();
        assert_eq!(cf_level(&cf(&b2), &cf(base), None), ELSE);
        // No code in the extract, recomputed from the fields.
        let pre = *b"RSSMRA";
        assert_eq!(
            cf_level(
                &CfValue::None,
                &cf(base),
                Some((pre, d("1980-01-01"), None))
            ),
            RECOMPUTED
        );
        assert_eq!(
            cf_level(
                &CfValue::None,
                &cf(base),
                Some((pre, d("1980-01-02"), None))
            ),
            NULL
        );
        assert_eq!(cf_level(&cf("XXXXXXXXXXXXXXXX"), &cf(base), None), NULL);
        assert_eq!(cf_level(&cf("12345678903"), &cf(base), None), NULL);
    }
}
