//! Street addresses: street type (DUG), street name, house number.
//!
//! ANPR records the street type ("denominazione urbanistica generica", DUG:
//! `VIA`, `VIALE`, `PIAZZA`…) apart from the street name, and the house
//! number as number, letter/exponent and internal number. Extracts write them
//! as free text with abbreviations (`V.LE`, `P.ZZA`, `C.SO`) and many shapes
//! of house number (`12/A`, `12 BIS`, `12 INT 3`, `SNC`). [`parse_address`]
//! splits such a text into an [`Address`] for comparison.
//!
//! The DUG list is ANPR table 4 (`data/anpr_dug_specie_toponimo.csv`, 259
//! values; "Fonte: ANPR – Ministero dell'Interno", CC BY 4.0), compiled in.
//!
//! Rules:
//! * the text is folded to ASCII and uppercased; `°` and `º` are spaces;
//! * the first word is looked up in [`DUG_ABBREVIATIONS`] (dots ignored:
//!   `V.LE` = `VLE`), also when glued to the name (`P.ZZA.MAGGIORE`, `V.ROMA`);
//!   otherwise the shortest DUG of 1–3 words at the start wins (`VIA
//!   VECCHIA FIESOLANA` → `VIA` + `VECCHIA FIESOLANA`, as `V. VECCHIA
//!   FIESOLANA` would give; `CASE SPARSE` is a DUG because `CASE` is not);
//! * the house number is the earliest tail of the words (after at least one
//!   street word) that reads as a house number; so `VIA 2 AGOSTO 1980 12`
//!   keeps `2 AGOSTO 1980` as the name. Supported: `12`, `12A`, `12/A`,
//!   `12-A`, `12 A`, `12/3`, `12 BIS` (`TER`, `QUATER`), `N. 12`,
//!   `12 INT 3`, `12/A INT. 3`, `12 INTERNO 3B`, and `SNC`/`S.N.C.`/`SENZA
//!   NUMERO` (senza numero civico);
//! * the street name is normalised for comparison: apostrophes dropped, dots
//!   and other punctuation as spaces, particles attached as for personal
//!   names (`DELL'ARCHIGINNASIO` = `DELL ARCHIGINNASIO` → `DELLARCHIGINNASIO`).
//!
//! Not handled: staircase (`SCALA`), floor (`PIANO`), kilometre markers
//! (`KM 12,5`), and `SS 9`-style road numbers (read as a house number).

use std::collections::HashMap;
use std::sync::OnceLock;

use deunicode::deunicode;
use regex::Regex;

use super::names::PARTICLES;

const DUG_CSV: &str = include_str!("data/anpr_dug_specie_toponimo.csv");

/// Abbreviations (without dots) of street types, with the DUG they stand for.
pub const DUG_ABBREVIATIONS: &[(&str, &str)] = &[
    ("V", "VIA"),
    ("VLE", "VIALE"),
    ("VL", "VIALE"),
    ("PZZA", "PIAZZA"),
    ("PZA", "PIAZZA"),
    ("PZ", "PIAZZA"),
    ("PIAZ", "PIAZZA"),
    ("PLE", "PIAZZALE"),
    ("PZLE", "PIAZZALE"),
    ("PZZLE", "PIAZZALE"),
    ("PTTA", "PIAZZETTA"),
    ("PZTTA", "PIAZZETTA"),
    ("CSO", "CORSO"),
    ("CRSO", "CORSO"),
    ("VIC", "VICOLO"),
    ("VLO", "VICOLO"),
    ("VCLO", "VICOLO"),
    ("LGO", "LARGO"),
    ("LG", "LARGO"),
    ("STR", "STRADA"),
    ("STRD", "STRADA"),
    ("SS", "STRADA STATALE"),
    ("SP", "STRADA PROVINCIALE"),
    ("SR", "STRADA REGIONALE"),
    ("SC", "STRADA COMUNALE"),
    ("SV", "STRADA VICINALE"),
    ("LOC", "LOCALITA'"),
    ("LOCALITA", "LOCALITA'"),
    ("FRAZ", "FRAZIONE"),
    ("FRZ", "FRAZIONE"),
    ("GALL", "GALLERIA"),
    ("TRAV", "TRAVERSA"),
    ("SAL", "SALITA"),
    ("VTTO", "VIALETTO"),
    ("BGO", "BORGO"),
    ("BORG", "BORGO"),
    ("CDA", "CONTRADA"),
    ("CTRA", "CONTRADA"),
    ("CONTR", "CONTRADA"),
    ("CTR", "CONTRADA"),
    ("LUNGOTEV", "LUNGOTEVERE"),
    ("LGTEVERE", "LUNGOTEVERE"),
    ("CIRC", "CIRCONVALLAZIONE"),
    ("QRE", "QUARTIERE"),
    ("RIONE", "RIONE"),
    ("STRNE", "STRADONE"),
    ("VCO", "VICO"),
    ("CRT", "CORTE"),
];

/// The ANPR street types (DUG), uppercase, as in ANPR table 4 (e.g.
/// `VIA`, `PIAZZA`, `LOCALITA'`), in the table's order.
pub fn dug_list() -> &'static [String] {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(DUG_CSV.as_bytes());
        reader
            .records()
            .flatten()
            .filter_map(|r| r.get(1).map(|d| d.trim().to_owned()))
            .filter(|d| !d.is_empty())
            .collect()
    })
}

/// A DUG or a word compared without apostrophes and dots.
fn key(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '\'' | '.')).collect()
}

/// The official DUG for a (normalised, uppercase) text that is a DUG, with
/// or without its apostrophe (`LOCALITA` → `LOCALITA'`): one hash lookup
/// (the first of two DUGs with the same key wins, as a scan in the table's
/// order would give).
fn official_dug(text: &str) -> Option<&'static str> {
    static BY_KEY: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    let map = BY_KEY.get_or_init(|| {
        let mut m = HashMap::new();
        for d in dug_list() {
            m.entry(key(d)).or_insert(d.as_str());
        }
        m
    });
    map.get(&key(text)).copied()
}

/// Whether `s` is an ANPR street type (case- and accent-insensitive).
pub fn is_dug(s: &str) -> bool {
    official_dug(&fold(s).split_whitespace().collect::<Vec<_>>().join(" ")).is_some()
}

/// Expands an abbreviated street type (`V.LE` → `VIALE`, `p.zza` →
/// `PIAZZA`); full DUGs map to themselves.
pub fn expand_dug(token: &str) -> Option<&'static str> {
    let k = key(&fold(token));
    let k = k.trim();
    if let Some((_, full)) = DUG_ABBREVIATIONS.iter().find(|(a, _)| *a == k) {
        return official_dug(full).or(Some(full));
    }
    official_dug(k)
}

fn fold(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| match c {
            '°' | 'º' => ' ',
            '’' | '‘' | '`' | '´' => '\'',
            c => c,
        })
        .collect();
    deunicode(&s).to_ascii_uppercase()
}

/// A house number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Civic {
    /// A number with its optional parts.
    Number(HouseNumber),
    /// `SNC`: senza numero civico (no house number).
    Snc,
}

/// The parts of a house number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseNumber {
    /// The number (`12`).
    pub number: u32,
    /// Letter, sub-number or `BIS`/`TER`/`QUATER` (`A`, `3`, `BIS`).
    pub suffix: Option<String>,
    /// Internal number (`INT 3` → `3`).
    pub interno: Option<String>,
}

/// An address split into parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// Street type (an ANPR DUG such as `VIA`), when recognised.
    pub dug: Option<String>,
    /// Street name, normalised for comparison.
    pub street: String,
    /// House number, when present.
    pub civic: Option<Civic>,
}

fn civic_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?:(?:N|NR|NUM|NUMERO|CIV|CIVICO)\.?\s*)?(\d{1,5})(?:\s*[/\-]\s*(BIS|TER|QUATER|[A-Z]|\d{1,4})|\s*(BIS|TER|QUATER|[A-Z])\b)?(?:\s*,?\s*(?:INT|INTERNO|INTERN)\.?\s*(?:N\.?\s*)?([A-Z0-9]{1,4}))?$",
        )
        .ok()
    })
    .as_ref()
}

fn snc_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?:SNC|S\.\s?N\.\s?C\.?|S\.N\.?|SENZA\s+NUMERO(?:\s+CIVICO)?|SENZA\s+CIVICO)$",
        )
        .ok()
    })
    .as_ref()
}

/// Reads a house number on its own (`12/A INT. 3`, `SNC`). `None` when the
/// text is not a house number.
pub fn parse_house_number(s: &str) -> Option<Civic> {
    let text = fold(s)
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    civic_of(&text)
}

fn civic_of(text: &str) -> Option<Civic> {
    if text.is_empty() {
        return None;
    }
    if snc_regex()?.is_match(text) {
        return Some(Civic::Snc);
    }
    let caps = civic_regex()?.captures(text)?;
    let number = caps.get(1)?.as_str().parse().ok()?;
    let suffix = caps
        .get(2)
        .or_else(|| caps.get(3))
        .map(|m| m.as_str().to_owned());
    let interno = caps.get(4).map(|m| m.as_str().to_owned());
    Some(Civic::Number(HouseNumber {
        number,
        suffix,
        interno,
    }))
}

/// Normalises a street name for comparison (see the module docs).
pub fn normalize_street(s: &str) -> String {
    let folded = fold(s).replace('\'', "");
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut pending = String::new();
    for (i, w) in words.iter().enumerate() {
        pending.push_str(w);
        if i + 1 < words.len() && PARTICLES.contains(&pending.as_str()) {
            continue;
        }
        out.push(std::mem::take(&mut pending));
    }
    out.join(" ")
}

/// Splits a free-text address into street type, street name and house
/// number (see the module docs for the rules). Never fails: parts it cannot
/// recognise stay in the street name.
pub fn parse_address(s: &str) -> Address {
    let split = split_address(s);
    Address {
        dug: split.dug,
        street: normalize_street(&split.street_words),
        civic: split.civic,
    }
}

/// An address split as [`parse_address`] splits it, the street name left as
/// written (folded to ASCII uppercase, words separated by one space, not
/// normalised): for callers that normalise it their own way
/// (`crate::geography::normalize`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitAddress {
    /// Street type (an ANPR DUG such as `VIA`), when recognised.
    pub dug: Option<String>,
    /// The street name's words as written (`DELL'ARCOVEGGIO`).
    pub street_words: String,
    /// House number, when present.
    pub civic: Option<Civic>,
}

/// Splits a free-text address like [`parse_address`], keeping the street
/// name's words as written.
pub fn split_address(s: &str) -> SplitAddress {
    let folded = fold(s);
    let mut tokens: Vec<String> = folded
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();

    // Street type.
    let mut dug: Option<String> = None;
    if let Some(first) = tokens.first().cloned() {
        if let Some((_, full)) = DUG_ABBREVIATIONS.iter().find(|(a, _)| *a == key(&first)) {
            dug = Some(official_dug(full).unwrap_or(full).to_owned());
            tokens.remove(0);
        } else if first.contains('.') {
            // Glued: "P.ZZA.MAGGIORE", "V.ROMA": the longest abbreviation
            // ending at a dot.
            let split = first
                .char_indices()
                .filter(|&(_, c)| c == '.')
                .filter_map(|(i, _)| {
                    let (head, rest) = first.split_at(i + 1);
                    let rest = rest.trim_start_matches('.');
                    if rest.is_empty() {
                        return None;
                    }
                    expand_dug(head).map(|d| (d, rest.to_owned()))
                })
                .next_back();
            if let Some((d, rest)) = split {
                dug = Some(d.to_owned());
                tokens[0] = rest;
            }
        }
        if dug.is_none() {
            for k in 1..=3.min(tokens.len()) {
                if let Some(d) = official_dug(&tokens[..k].join(" ")) {
                    dug = Some(d.to_owned());
                    tokens.drain(..k);
                    break;
                }
            }
        }
    }

    // House number: the earliest tail that reads as one.
    let mut civic = None;
    let mut cut = tokens.len();
    let start = if dug.is_none() && tokens.len() == 1 {
        0
    } else {
        1
    };
    for i in start..tokens.len() {
        let first_char = tokens[i].chars().next().unwrap_or(' ');
        let candidate = first_char.is_ascii_digit()
            || matches!(
                key(&tokens[i]).as_str(),
                "N" | "NR" | "NUM" | "NUMERO" | "CIV" | "CIVICO" | "SNC" | "SN" | "SENZA"
            );
        if !candidate {
            continue;
        }
        if let Some(c) = civic_of(&tokens[i..].join(" ")) {
            civic = Some(c);
            cut = i;
            break;
        }
    }
    SplitAddress {
        dug,
        street_words: tokens[..cut].join(" "),
        civic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn num(n: u32, suffix: Option<&str>, interno: Option<&str>) -> Option<Civic> {
        Some(Civic::Number(HouseNumber {
            number: n,
            suffix: suffix.map(str::to_owned),
            interno: interno.map(str::to_owned),
        }))
    }

    #[test]
    fn dug_table_is_embedded() {
        let l = dug_list();
        assert_eq!(l.len(), 259);
        assert!(l.iter().any(|d| d == "VIA"));
        assert!(l.iter().any(|d| d == "LOCALITA'"));
        assert!(is_dug("piazza"));
        assert!(is_dug("Località"));
        assert!(!is_dug("ROMA"));
    }

    #[test]
    fn abbreviations() {
        let cases = [
            ("V.", "VIA"),
            ("V.LE", "VIALE"),
            ("P.ZZA", "PIAZZA"),
            ("P.ZA", "PIAZZA"),
            ("C.SO", "CORSO"),
            ("VIC.", "VICOLO"),
            ("L.GO", "LARGO"),
            ("STR.", "STRADA"),
            ("p.le", "PIAZZALE"),
            ("loc.", "LOCALITA'"),
            ("Viale", "VIALE"),
        ];
        for (a, full) in cases {
            assert_eq!(expand_dug(a), Some(full), "{a}");
        }
        assert_eq!(expand_dug("ROMA"), None);
    }

    #[test]
    fn addresses() {
        let cases: &[(&str, Option<&str>, &str, Option<Civic>)] = &[
            ("Via Roma 12", Some("VIA"), "ROMA", num(12, None, None)),
            (
                "V. Roma, 12/A",
                Some("VIA"),
                "ROMA",
                num(12, Some("A"), None),
            ),
            (
                "V.LE MAZZINI 12 BIS",
                Some("VIALE"),
                "MAZZINI",
                num(12, Some("BIS"), None),
            ),
            (
                "P.ZZA MAGGIORE 1 INT 3",
                Some("PIAZZA"),
                "MAGGIORE",
                num(1, None, Some("3")),
            ),
            (
                "p.zza maggiore, 1/a int. 3",
                Some("PIAZZA"),
                "MAGGIORE",
                num(1, Some("A"), Some("3")),
            ),
            ("C.SO ITALIA SNC", Some("CORSO"), "ITALIA", Some(Civic::Snc)),
            (
                "VIC. DEL PRATO 7",
                Some("VICOLO"),
                "DELPRATO",
                num(7, None, None),
            ),
            (
                "L.GO RESPIGHI 2A",
                Some("LARGO"),
                "RESPIGHI",
                num(2, Some("A"), None),
            ),
            (
                "STR. MAGGIORE 15-B",
                Some("STRADA"),
                "MAGGIORE",
                num(15, Some("B"), None),
            ),
            (
                "Via dell'Archiginnasio 1",
                Some("VIA"),
                "DELLARCHIGINNASIO",
                num(1, None, None),
            ),
            (
                "VIA DELL ARCHIGINNASIO N. 1",
                Some("VIA"),
                "DELLARCHIGINNASIO",
                num(1, None, None),
            ),
            (
                "Via 2 Agosto 1980 12",
                Some("VIA"),
                "2 AGOSTO 1980",
                num(12, None, None),
            ),
            (
                "VIA XX SETTEMBRE 5",
                Some("VIA"),
                "XX SETTEMBRE",
                num(5, None, None),
            ),
            ("Via 1 Maggio", Some("VIA"), "1 MAGGIO", None),
            (
                "P.ZZA.MAGGIORE 6",
                Some("PIAZZA"),
                "MAGGIORE",
                num(6, None, None),
            ),
            ("V.ROMA 3", Some("VIA"), "ROMA", num(3, None, None)),
            (
                "Località Ca' Bianca s.n.c.",
                Some("LOCALITA'"),
                "CA BIANCA",
                Some(Civic::Snc),
            ),
            (
                "VIALE A. ORIANI 8/2",
                Some("VIALE"),
                "A ORIANI",
                num(8, Some("2"), None),
            ),
            ("Via Vecchia 3", Some("VIA"), "VECCHIA", num(3, None, None)),
            (
                "Via Emilia Ponente n° 14",
                Some("VIA"),
                "EMILIA PONENTE",
                num(14, None, None),
            ),
            ("ROMA 12", None, "ROMA", num(12, None, None)),
            ("", None, "", None),
        ];
        for (input, dug, street, civic) in cases {
            let a = parse_address(input);
            assert_eq!(a.dug.as_deref(), *dug, "{input}");
            assert_eq!(a.street, *street, "{input}");
            assert_eq!(&a.civic, civic, "{input}");
        }
    }

    #[test]
    fn house_numbers() {
        assert_eq!(parse_house_number("12/A"), num(12, Some("A"), None));
        assert_eq!(parse_house_number("12 BIS"), num(12, Some("BIS"), None));
        assert_eq!(parse_house_number("12 INT 3"), num(12, None, Some("3")));
        assert_eq!(
            parse_house_number("12/A INT. 3"),
            num(12, Some("A"), Some("3"))
        );
        assert_eq!(parse_house_number("snc"), Some(Civic::Snc));
        assert_eq!(parse_house_number("SENZA NUMERO CIVICO"), Some(Civic::Snc));
        assert_eq!(parse_house_number("ABC"), None);
        assert_eq!(parse_house_number(""), None);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let a = parse_address(&s);
            prop_assert!(!a.street.contains("  "));
            let _ = parse_house_number(&s);
        }
    }
}
