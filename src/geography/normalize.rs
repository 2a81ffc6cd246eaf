//! Keys for comparing street names and house numbers, on top of
//! [`crate::identity::address`] (which splits an address into DUG, street
//! and house number and expands DUG abbreviations).
//!
//! A street name gets three keys, each tried in turn by the matcher:
//!
//! | key | rule | `VIA DELL'ARCOVEGGIO` | `VIA GIUSEPPE MASSARENTI` |
//! |---|---|---|---|
//! | [`StreetKeys::full`] | [`normalize_street`]: ASCII, uppercase, apostrophes and dots dropped, particles glued to the next word | `DELLARCOVEGGIO` | `GIUSEPPE MASSARENTI` |
//! | [`StreetKeys::sorted`] | the full key's words in alphabetical order (word order) | `DELLARCOVEGGIO` | `GIUSEPPE MASSARENTI` |
//! | [`StreetKeys::reduced`] | words split at apostrophes; particles, initials, titles and given names dropped (a given name after `SAN`/`SANTO`/`SANTA`/`SANT` stays, and given names stay when nothing else is left) | `ARCOVEGGIO` | `MASSARENTI` |
//!
//! So `ARCOVEGGIO`, `DELL ARCOVEGGIO` and `DELLARCOVEGGIO` meet
//! `DELL'ARCOVEGGIO`; `MASSARENTI GIUSEPPE` meets it by the sorted key,
//! `MASSARENTI`, `MASSARENTI G.` and `G. MASSARENTI` by the reduced key.
//! The reduced key keeps the words' order, so that a saint stays a saint:
//! `SAN MARCO` is not `MARCO SAN`, whose `MARCO` would be a given name.
//!
//! A house number ([`CivicKey`]) is a number and an optional suffix: a
//! letter, a sub-number or `BIS`/`TER`/`QUATER`. `12/A`, `12A`, `12 A` and
//! `12-A` are one key, `12 BIS`, `12BIS` and `12/BIS` another, `12/2` a
//! third; an internal number (`INT 3`) is not part of it. Its canonical text
//! ([`CivicKey::canonical`]) is `12`, `12/A`, `12/2` or `12 BIS`.
//!
//! Typos are measured by [`bounded_osa`] (optimal string alignment: edits
//! and swaps of neighbours), with a bound by key length ([`typo_bound`]).

use crate::identity::address::{normalize_street, Civic};
use crate::identity::names::PARTICLES;

/// The keys of one street name (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreetKeys {
    /// Normalised name, words in order (`DELLARCOVEGGIO`).
    pub full: String,
    /// The full key's words, sorted.
    pub sorted: String,
    /// Particles, initials, titles and given names dropped; `None`
    /// when nothing is left.
    pub reduced: Option<String>,
}

impl StreetKeys {
    /// The keys of a street name as written (`Dell'Arcoveggio`,
    /// `MAZZINI G.`); accents, case and punctuation do not matter.
    pub fn new(name: &str) -> StreetKeys {
        let full = normalize_street(name);
        let mut words: Vec<&str> = full.split(' ').filter(|w| !w.is_empty()).collect();
        words.sort_unstable();
        let sorted = words.join(" ");
        StreetKeys {
            full,
            sorted,
            reduced: reduced_key(name),
        }
    }
}

/// Titles dropped from the reduced key.
const TITLES: &[&str] = &[
    "DON",
    "PADRE",
    "SUOR",
    "MONS",
    "MONSIGNOR",
    "CARD",
    "CARDINALE",
    "DOTT",
    "DOTTOR",
    "PROF",
    "PROFESSOR",
    "GEN",
    "GENERALE",
    "AVV",
    "ING",
    "BEATO",
    "BEATA",
];

/// Words after which a given name is a saint's, and stays.
const SAINTS: &[&str] = &["SAN", "SANTO", "SANTA", "SANT", "SS", "S"];

/// Given names that streets named after people carry and writers drop
/// (`VIA MAZZINI` for `VIA GIUSEPPE MAZZINI`). Common Italian names only: a
/// word here that is the only word left of a street name is kept.
pub const GIVEN_NAMES: &[&str] = &[
    "ACHILLE",
    "ADA",
    "ADOLFO",
    "AGOSTINO",
    "ALBERTO",
    "ALDO",
    "ALESSANDRO",
    "ALFONSO",
    "ALFREDO",
    "AMEDEO",
    "AMILCARE",
    "ANDREA",
    "ANGELO",
    "ANNA",
    "ANTONIO",
    "ARMANDO",
    "ARNALDO",
    "ARRIGO",
    "ARTURO",
    "AUGUSTO",
    "AURELIO",
    "BENEDETTO",
    "BRUNO",
    "CAMILLO",
    "CARLO",
    "CATERINA",
    "CESARE",
    "CLAUDIO",
    "CORRADO",
    "COSTANTINO",
    "DANTE",
    "DOMENICO",
    "EDMONDO",
    "EDOARDO",
    "ELENA",
    "EMANUELE",
    "EMILIO",
    "ENRICO",
    "ENZO",
    "ERCOLE",
    "ERMANNO",
    "ERNESTO",
    "ETTORE",
    "EUGENIO",
    "FAUSTO",
    "FEDERICO",
    "FERDINANDO",
    "FERRUCCIO",
    "FILIPPO",
    "FRANCESCO",
    "FRANCO",
    "GABRIELE",
    "GAETANO",
    "GALEAZZO",
    "GIACOMO",
    "GIAN",
    "GIANNI",
    "GINO",
    "GIORGIO",
    "GIOSUE",
    "GIOVANNA",
    "GIOVANNI",
    "GIROLAMO",
    "GIULIO",
    "GIUSEPPE",
    "GUGLIELMO",
    "GUIDO",
    "IGNAZIO",
    "IRMA",
    "LAURA",
    "LEONARDO",
    "LEONE",
    "LODOVICO",
    "LORENZO",
    "LUCA",
    "LUCIANO",
    "LUDOVICO",
    "LUIGI",
    "MARCELLO",
    "MARCO",
    "MARIA",
    "MARIO",
    "MASSIMO",
    "MATTEO",
    "MAURO",
    "MICHELE",
    "NICCOLO",
    "NICOLA",
    "NINO",
    "ORESTE",
    "OTTAVIO",
    "PAOLO",
    "PIER",
    "PIERO",
    "PIETRO",
    "PRIMO",
    "RAFFAELE",
    "RAFFAELLO",
    "RENATO",
    "RICCARDO",
    "ROBERTO",
    "RODOLFO",
    "ROMANO",
    "ROSA",
    "SALVATORE",
    "SANDRO",
    "SEBASTIANO",
    "SERGIO",
    "SILVIO",
    "TERESA",
    "TITO",
    "TOMASO",
    "TOMMASO",
    "UGO",
    "UMBERTO",
    "VASCO",
    "VINCENZO",
    "VITTORIO",
];

/// The reduced key of a street name (see the module docs).
pub fn reduced_key(name: &str) -> Option<String> {
    let folded = deunicode::deunicode(name).to_ascii_uppercase();
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut kept: Vec<&str> = Vec::with_capacity(words.len());
    let mut given: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let single_letter = w.len() == 1 && w.as_bytes()[0].is_ascii_alphabetic();
        if PARTICLES.contains(w) || single_letter || TITLES.contains(w) {
            continue;
        }
        let after_saint = i > 0 && SAINTS.contains(&words[i - 1]);
        if !after_saint && GIVEN_NAMES.binary_search(w).is_ok() {
            given.push(w);
            continue;
        }
        kept.push(w);
    }
    if kept.is_empty() {
        kept = given;
    }
    if kept.is_empty() {
        return None;
    }
    Some(kept.join(" "))
}

/// A key without spaces, for the typo search (`GIUSEPPE MASSARENTI` →
/// `GIUSEPPEMASSARENTI`).
pub fn compact(key: &str) -> String {
    key.chars().filter(|c| *c != ' ').collect()
}

/// The most edits a typo search accepts for a compact key of `len` bytes: 0
/// below 5 (short names are too close to one another), 1 up to 9, 2 from 10.
pub fn typo_bound(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=9 => 1,
        _ => 2,
    }
}

/// The optimal-string-alignment distance between two ASCII keys (insert,
/// delete, substitute, swap two neighbours), or `None` when it exceeds
/// `bound`. Stops as soon as a row's best is over the bound.
pub fn bounded_osa(a: &[u8], b: &[u8], bound: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    let n = b.len();
    let mut prev2: Vec<usize> = vec![0; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur: Vec<usize> = vec![0; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut best = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            best = best.min(v);
        }
        if best > bound {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[n];
    (d <= bound).then_some(d)
}

/// A house number reduced to what tells civic numbers apart: the number and
/// its suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CivicKey {
    /// The number (`12`).
    pub number: u32,
    /// The suffix, encoded by [`suffix_code`]; 0 for none.
    pub suffix: u32,
}

/// The code of a suffix: 0 none, 1–26 a letter, 27 `BIS`, 28 `TER`, 29
/// `QUATER`, 100 + n a sub-number n (at most 4 digits). `None` for anything
/// else. Leading `/` and `-`, spaces and case do not matter.
pub fn suffix_code(s: &str) -> Option<u32> {
    let t = s.trim().trim_start_matches(['/', '-']).trim();
    let up = t.to_ascii_uppercase();
    match up.as_str() {
        "" => Some(0),
        "BIS" => Some(27),
        "TER" => Some(28),
        "QUATER" => Some(29),
        x if x.len() == 1 && x.as_bytes()[0].is_ascii_uppercase() => {
            Some(u32::from(x.as_bytes()[0] - b'A') + 1)
        }
        x if (1..=4).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit()) => {
            x.parse::<u32>().ok().map(|n| 100 + n)
        }
        _ => None,
    }
}

impl CivicKey {
    /// The key of a parsed house number; `None` for `SNC` or a suffix
    /// [`suffix_code`] does not know.
    pub fn from_civic(c: &Civic) -> Option<CivicKey> {
        match c {
            Civic::Snc => None,
            Civic::Number(h) => Some(CivicKey {
                number: h.number,
                suffix: suffix_code(h.suffix.as_deref().unwrap_or(""))?,
            }),
        }
    }

    /// The same number without its suffix.
    pub fn bare(self) -> CivicKey {
        CivicKey {
            number: self.number,
            suffix: 0,
        }
    }

    /// `12`, `12/A`, `12/2`, `12 BIS`.
    pub fn canonical(self) -> String {
        let n = self.number;
        match self.suffix {
            0 => n.to_string(),
            s @ 1..=26 => format!("{n}/{}", char::from(b'A' + (s - 1) as u8)),
            27 => format!("{n} BIS"),
            28 => format!("{n} TER"),
            29 => format!("{n} QUATER"),
            s => format!("{n}/{}", s.saturating_sub(100)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::address::parse_house_number;
    use proptest::prelude::*;

    fn civic(s: &str) -> Option<CivicKey> {
        parse_house_number(s).and_then(|c| CivicKey::from_civic(&c))
    }

    #[test]
    fn given_names_are_sorted_for_binary_search() {
        assert!(GIVEN_NAMES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn apostrophes_accents_and_particles() {
        let a = StreetKeys::new("Dell'Arcoveggio");
        assert_eq!(a.full, "DELLARCOVEGGIO");
        assert_eq!(StreetKeys::new("DELL ARCOVEGGIO").full, a.full);
        assert_eq!(StreetKeys::new("DELLARCOVEGGIO").full, a.full);
        assert_eq!(a.reduced.as_deref(), Some("ARCOVEGGIO"));
        assert_eq!(StreetKeys::new("ARCOVEGGIO").reduced, a.reduced);
        assert_eq!(
            StreetKeys::new("DELL'UNITÀ").full,
            StreetKeys::new("DELL'UNITA'").full
        );
        assert_eq!(StreetKeys::new("d'azeglio").full, "DAZEGLIO");
        assert_eq!(
            StreetKeys::new("DI CORTICELLA").reduced.as_deref(),
            Some("CORTICELLA")
        );
    }

    #[test]
    fn word_order_and_given_names() {
        let k = StreetKeys::new("GIUSEPPE MASSARENTI");
        assert_eq!(StreetKeys::new("MASSARENTI GIUSEPPE").sorted, k.sorted);
        assert_eq!(k.reduced.as_deref(), Some("MASSARENTI"));
        for v in [
            "MASSARENTI",
            "MASSARENTI G.",
            "G. MASSARENTI",
            "Massarenti Giuseppe",
        ] {
            assert_eq!(StreetKeys::new(v).reduced, k.reduced, "{v}");
        }
        assert_eq!(
            StreetKeys::new("MARCO EMILIO LEPIDO").reduced.as_deref(),
            Some("LEPIDO")
        );
        // A saint keeps its name; a given name alone stays.
        assert_eq!(
            StreetKeys::new("SAN DONATO").reduced.as_deref(),
            Some("SAN DONATO")
        );
        assert_eq!(
            StreetKeys::new("SANTO STEFANO").reduced.as_deref(),
            Some("SANTO STEFANO")
        );
        assert_eq!(
            StreetKeys::new("GIUSEPPE").reduced.as_deref(),
            Some("GIUSEPPE")
        );
        assert_eq!(
            StreetKeys::new("DON GIOVANNI MINZONI").reduced.as_deref(),
            Some("MINZONI")
        );
        assert_eq!(StreetKeys::new("DEL").reduced, None);
    }

    #[test]
    fn civic_suffix_shapes() {
        let a = civic("12/A");
        assert!(a.is_some());
        for v in [
            "12A",
            "12 A",
            "12-A",
            "12/a",
            "12 / A",
            "N. 12/A",
            "12/A INT 3",
        ] {
            assert_eq!(civic(v), a, "{v}");
        }
        let bis = civic("12 BIS");
        for v in ["12BIS", "12/BIS", "12 bis"] {
            assert_eq!(civic(v), bis, "{v}");
        }
        assert_ne!(bis, a);
        assert_ne!(civic("12/2"), a);
        assert_eq!(
            civic("12/2").map(CivicKey::canonical).as_deref(),
            Some("12/2")
        );
        assert_eq!(a.map(CivicKey::canonical).as_deref(), Some("12/A"));
        assert_eq!(bis.map(CivicKey::canonical).as_deref(), Some("12 BIS"));
        assert_eq!(civic("12").map(CivicKey::canonical).as_deref(), Some("12"));
        assert_eq!(a.map(CivicKey::bare), civic("12"));
        assert_eq!(
            parse_house_number("SNC").and_then(|c| CivicKey::from_civic(&c)),
            None
        );
        assert_eq!(suffix_code("/b"), Some(2));
        assert_eq!(suffix_code("QUINQUIES"), None);
    }

    #[test]
    fn osa_distance() {
        assert_eq!(bounded_osa(b"PRATELLO", b"PRATELLO", 2), Some(0));
        assert_eq!(bounded_osa(b"PRATELLO", b"PRATELO", 2), Some(1));
        assert_eq!(bounded_osa(b"PRATELLO", b"PRATLELO", 2), Some(1));
        assert_eq!(bounded_osa(b"PRATELLO", b"PARTELO", 2), Some(2));
        assert_eq!(bounded_osa(b"PRATELLO", b"SARAGOZZA", 2), None);
        assert_eq!(bounded_osa(b"", b"AB", 2), Some(2));
        assert_eq!(typo_bound(4), 0);
        assert_eq!(typo_bound(8), 1);
        assert_eq!(typo_bound(12), 2);
    }

    const ABBREVIATED: &[(&str, &str)] = &[
        ("V.", "VIA"),
        ("V", "VIA"),
        ("V.LE", "VIALE"),
        ("VLE", "VIALE"),
        ("P.ZZA", "PIAZZA"),
        ("P.ZA", "PIAZZA"),
        ("STR.", "STRADA"),
    ];

    proptest! {
        #[test]
        fn keys_are_idempotent(s in "[A-Za-zÀÈÉÌÒÙàèéìòù' .]{0,30}") {
            let k = StreetKeys::new(&s);
            prop_assert_eq!(&StreetKeys::new(&k.full).full, &k.full);
            let r = k.reduced.clone().unwrap_or_default();
            prop_assert_eq!(reduced_key(&r), k.reduced.clone());
        }

        #[test]
        fn sorted_key_ignores_word_order(a in "[B-CF-KM-UW-Z]{3,8}", b in "[B-CF-KM-UW-Z]{3,8}") {
            let x = StreetKeys::new(&format!("{a} {b}"));
            let y = StreetKeys::new(&format!("{b} {a}"));
            prop_assert_eq!(x.sorted, y.sorted);
        }

        #[test]
        fn abbreviations_are_equivalent(
            i in 0..ABBREVIATED.len(),
            name in "[A-Z]{3,10}( [A-Z]{3,10})?",
            n in 1u32..500,
        ) {
            let (short, full) = ABBREVIATED[i];
            let a = crate::identity::address::split_address(&format!("{short} {name} {n}"));
            let b = crate::identity::address::split_address(&format!("{full} {name} {n}"));
            prop_assert_eq!(a.dug.as_deref(), Some(full));
            prop_assert_eq!(&a, &b);
        }

        #[test]
        fn civic_canonical_round_trips(n in 1u32..9999, s in 0u32..30) {
            let k = CivicKey { number: n, suffix: s };
            prop_assert_eq!(civic(&k.canonical()), Some(k));
        }
    }
}
