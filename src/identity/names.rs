//! Personal names: normalisation for comparison, compound names, a phonetic
//! key for blocking and a small table of known transliteration variants.
//!
//! # Normalisation ([`normalize_name`])
//!
//! 1. Fold to ASCII with `deunicode` (`Nicolò` → `Nicolo`, `Łukasz` →
//!    `Lukasz`), uppercase.
//! 2. Apostrophes (`'`, `’`, `` ` ``, `´`) are dropped, joining the two sides
//!    (`D'AMICO` → `DAMICO`); every other non-letter (hyphen, dot, comma,
//!    digit, repeated spaces) separates words.
//! 3. Particles are attached to the word that follows, so that every spelling
//!    gives the same result: `De Luca`, `DE-LUCA`, `DeLuca` → `DELUCA`;
//!    `D'Amico`, `D AMICO`, `DAMICO` → `DAMICO`; `Dell'Acqua`, `DELL ACQUA`
//!    → `DELLACQUA`; `El Idrissi` → `ELIDRISSI`. A particle that is the last
//!    word stays a word of its own (the Chinese surname `LO`).
//!    The particles are [`PARTICLES`].
//!
//! Compound names keep their parts ([`name_parts`]: `GIAN LUCA` → `GIAN`,
//! `LUCA`); [`name_joined`] glues them (`GIANLUCA`), so `Gian Luca` and
//! `Gianluca` compare equal.
//!
//! # Phonetic key ([`phonetic_key`])
//!
//! A key for blocking (grouping candidate records), tuned for Italian names
//! and for the usual transliterations of Arabic, Bengali, Slavic and Chinese
//! names. On the joined, normalised name:
//!
//! * spelling of sounds: `PH` → `F`; `C` → `K` unless before `E`/`I`/`Y`
//!   (`C` stays, the soft sound); `Q`, `K` → `K`; `X` → `KS`; `W` → `V`;
//!   `G` before `E`/`I`/`Y` → `J` (soft), else `G`; `Y` and `J` are the vowel
//!   `I`; `H` is silent everywhere (so `CH` → `K`, `KH` → `K`, `SH` → `S`,
//!   `TH` → `T`, `GH` → `G`);
//! * doubled letters count once (`ROSSI` = `ROSI`, `MOHAMMED` = `MOHAMED`),
//!   and so do repeated sounds (`CK` → `K`);
//! * vowels: each run of vowels inside the name becomes one `a`, whatever the
//!   vowels (`MOHAMED` = `MUHAMMAD`: `MaMaD`); a final run keeps its last
//!   vowel, uppercase (`ROSSI` → `RaSI`, `RUSSO` → `RaSO`), because in Italian
//!   the final vowel tells apart gender and number (`MARIO`/`MARIA`,
//!   `FRANCESCO`/`FRANCESCA`).
//!
//! So `MOHAMED`, `MOHAMMED`, `MUHAMMAD`, `MOHAMMAD` → `MaMaD`; `ROSSI`, `ROSI`
//! → `RaSI`; `YOUSSEF`, `YUSUF` → `aSaF`; `FATIMA`, `FATIMAH` → `FaTaMA`;
//! `OLEKSANDR`, `ALEXANDR` → `aLaKSaNDR`; `KOVALENKO`, `KOWALENKO` →
//! `KaVaLaNKO`. The key is deliberately coarse (`HASAN` and `HOSSAIN` share
//! `aSaN`): it only decides which pairs get compared.
//!
//! # Known variants ([`known_variants`], [`are_variants`])
//!
//! A short hand-made table of spellings of the same name that the phonetic
//! key or the codice fiscale rules keep apart (`FATMA`/`FATIMA`, `MD` for
//! `MOHAMMAD`, `OLENA`/`ELENA`). Different names that look alike
//! (`GIUSEPPE`/`GIUSEPPINA`) are never variants.

use deunicode::deunicode;

/// Particles attached to the following word by [`normalize_name`].
pub const PARTICLES: &[&str] = &[
    "D", "DA", "DAL", "DALL", "DALLA", "DALLE", "DALLO", "DE", "DEGLI", "DEI", "DEL", "DELL",
    "DELLA", "DELLE", "DELLO", "DI", "LA", "LE", "LO", "EL", "AL", "VAN", "VON", "DOS", "DAS",
];

/// Groups of spellings of the same name (uppercase, normalised). Sources: the
/// transliteration patterns in the project's domain notes.
const VARIANT_GROUPS: &[&[&str]] = &[
    &[
        "MOHAMED", "MOHAMMED", "MUHAMMAD", "MOHAMMAD", "MUHAMMED", "MOHAMAD", "MOHAMET", "MOHAMUD",
        "MUHAMED", "MAHOMED", "MOHD", "MD",
    ],
    &["AHMED", "AHMAD", "AHMET", "AHMEDE"],
    &[
        "YOUSSEF", "YOUSEF", "YUSUF", "YOUSSOUF", "YUSSUF", "JOUSSEF", "YOUSUF",
    ],
    &["FATIMA", "FATMA", "FATIMAH", "FATEMA", "FATOUMATA"],
    &["KHADIJA", "KHADIDJA", "HADIJA", "KHADIJAH", "KADIJA"],
    &["AISHA", "AICHA", "AYSHA", "AISCHA", "AYESHA", "AICHA"],
    &["ABDUL", "ABDOUL", "ABDUL"],
    &[
        "HOSSAIN", "HUSSAIN", "HOSEN", "HUSAIN", "HOSSEN", "HUSSEIN", "HOSSEN", "HOSAIN",
    ],
    &["AKTER", "AKHTER", "AKTAR", "AKHTAR"],
    &["RAHMAN", "REHMAN", "RAHAMAN"],
    &["OLENA", "ELENA", "ALENA", "YELENA", "JELENA"],
    &[
        "OLEKSANDR",
        "ALEKSANDR",
        "ALEXANDR",
        "OLEXANDR",
        "ALEXANDER",
        "ALEKSANDER",
    ],
    &["OLEKSANDRA", "ALEKSANDRA", "ALEXANDRA"],
    &["IRYNA", "IRINA"],
    &["KOVALENKO", "KOWALENKO"],
    &["SERHIY", "SERGIY", "SERGEY", "SERGEI", "SERHII"],
    &["MYKOLA", "NIKOLAI", "NIKOLAY", "MIKOLA"],
    &["NATALIA", "NATALIYA", "NATALYA", "NATALJA"],
    &["TETIANA", "TETYANA", "TATIANA", "TATYANA", "TATJANA"],
    &["ELIDRISSI", "IDRISSI", "ALIDRISSI"],
    &["MUSTAFA", "MOSTAFA", "MUSTAPHA", "MOUSTAFA"],
    &["IBRAHIM", "IBRAHIMA", "EBRAHIM", "IBRAIM"],
    &["HASSAN", "HASAN", "HASSANE"],
    &["HUSSEIN", "HUSEIN", "HUSSAIN", "HOUSSEIN"],
    &["ABDELKADER", "ABDELKADIR", "ABDULKADIR", "ABDELQADER"],
    &["MARIAM", "MARYAM", "MERYEM", "MERIEM"],
];

/// True for characters that join their neighbours when removed (apostrophes).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '`' | '´' | 'ʼ' | '′')
}

/// Splits a name into uppercase ASCII words, before particle handling.
fn raw_words(s: &str) -> Vec<String> {
    // Apostrophes are removed before folding, since deunicode may turn some of
    // them into other characters.
    let without: String = s.chars().filter(|&c| !is_apostrophe(c)).collect();
    let folded = deunicode(&without).to_ascii_uppercase();
    folded
        .split(|c: char| !c.is_ascii_uppercase() && c != '\'')
        .map(|w| w.replace('\'', ""))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Normalises a name for comparison (see the module docs): ASCII, uppercase,
/// apostrophes dropped, words separated by single spaces, particles attached
/// to the following word. Empty for a name with no letters.
pub fn normalize_name(s: &str) -> String {
    name_parts(s).join(" ")
}

/// The words of a normalised name (particles attached): `Maria De Luca` →
/// `["MARIA", "DELUCA"]`.
pub fn name_parts(s: &str) -> Vec<String> {
    let words = raw_words(s);
    let mut out = Vec::with_capacity(words.len());
    let mut pending = String::new();
    let n = words.len();
    for (i, w) in words.into_iter().enumerate() {
        if i + 1 < n && PARTICLES.contains(&w.as_str()) {
            pending.push_str(&w);
            continue;
        }
        if pending.is_empty() {
            out.push(w);
        } else {
            pending.push_str(&w);
            // `D` + `A` makes the particle `DA`: keep attaching, so that
            // normalising twice gives the same result.
            if i + 1 < n && PARTICLES.contains(&pending.as_str()) {
                continue;
            }
            out.push(std::mem::take(&mut pending));
        }
    }
    out
}

/// The normalised name with its parts glued together: `Gian Luca` →
/// `GIANLUCA`, `D'Amico` → `DAMICO`.
pub fn name_joined(s: &str) -> String {
    name_parts(s).concat()
}

/// The normalised name without leading particles, glued: `El Idrissi` →
/// `IDRISSI`, `De Luca` → `LUCA`. For a second comparison where the first one
/// failed; a name made only of particles is kept whole.
pub fn name_core(s: &str) -> String {
    let words = raw_words(s);
    let first_real = words
        .iter()
        .position(|w| !PARTICLES.contains(&w.as_str()))
        .unwrap_or(0);
    words
        .get(first_real..)
        .map(<[String]>::concat)
        .unwrap_or_default()
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'A' | b'E' | b'I' | b'O' | b'U')
}

/// The phonetic key of a name (see the module docs for the rules). Empty for
/// a name without letters.
pub fn phonetic_key(s: &str) -> String {
    let joined = name_joined(s);
    // Letter-level pass: Y and J are the vowel I, doubled letters count once.
    let mut letters: Vec<u8> = Vec::with_capacity(joined.len());
    for b in joined.bytes() {
        let b = match b {
            b'Y' | b'J' => b'I',
            b'W' => b'V',
            _ => b,
        };
        if letters.last() != Some(&b) {
            letters.push(b);
        }
    }
    // Sound-level pass: consonant symbols and vowels.
    let mut sounds: Vec<u8> = Vec::with_capacity(letters.len() + 2);
    let mut i = 0;
    while i < letters.len() {
        let b = letters[i];
        match b {
            b'H' => {}
            b'P' if letters.get(i + 1) == Some(&b'H') => {
                sounds.push(b'F');
                i += 1;
            }
            b'C' => {
                let soft = matches!(letters.get(i + 1), Some(b'E' | b'I'));
                sounds.push(if soft { b'C' } else { b'K' });
            }
            b'G' => {
                let soft = matches!(letters.get(i + 1), Some(b'E' | b'I'));
                sounds.push(if soft { b'J' } else { b'G' });
            }
            b'Q' | b'K' => sounds.push(b'K'),
            b'X' => {
                sounds.push(b'K');
                sounds.push(b'S');
            }
            _ => sounds.push(b),
        }
        i += 1;
    }
    // Emit: consonants once per run, vowel runs as `a` or the final vowel.
    let mut out = String::with_capacity(sounds.len());
    let mut last: u8 = 0;
    let mut j = 0;
    while j < sounds.len() {
        let b = sounds[j];
        if is_vowel(b) {
            let mut k = j;
            while k < sounds.len() && is_vowel(sounds[k]) {
                k += 1;
            }
            if k == sounds.len() {
                out.push(char::from(sounds[k - 1]));
            } else {
                out.push('a');
            }
            last = b'a';
            j = k;
            continue;
        }
        if b != last {
            out.push(char::from(b));
            last = b;
        }
        j += 1;
    }
    out
}

/// The group of known spellings the (normalised, single-word) name belongs
/// to, itself included; empty when it is in none.
pub fn known_variants(name: &str) -> Vec<&'static str> {
    let n = name_joined(name);
    let mut out: Vec<&'static str> = Vec::new();
    for g in VARIANT_GROUPS {
        if g.contains(&n.as_str()) {
            for v in g.iter() {
                if !out.contains(v) {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// Whether two names are the same once normalised, or differ only by known
/// spellings word by word (`Md Abdul` = `Mohammad Abdoul`). `Giuseppe` and
/// `Giuseppina` are not variants.
pub fn are_variants(a: &str, b: &str) -> bool {
    let pa = name_parts(a);
    let pb = name_parts(b);
    if pa.is_empty() || pb.is_empty() {
        return false;
    }
    if pa.concat() == pb.concat() {
        return true;
    }
    if pa.len() != pb.len() {
        return false;
    }
    pa.iter()
        .zip(&pb)
        .all(|(x, y)| x == y || known_variants(x).contains(&y.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalisation() {
        let same = [
            ("D'Amico", "DAMICO"),
            ("D AMICO", "DAMICO"),
            ("d’amico", "DAMICO"),
            ("DAMICO", "DAMICO"),
            ("De Luca", "DELUCA"),
            ("DE-LUCA", "DELUCA"),
            ("de  luca ", "DELUCA"),
            ("Dell'Acqua", "DELLACQUA"),
            ("DELL' ACQUA", "DELLACQUA"),
            ("De La Cruz", "DELACRUZ"),
            ("El Idrissi", "ELIDRISSI"),
            ("Nicolò", "NICOLO"),
            ("Gian-Luca", "GIAN LUCA"),
            ("Maria  Grazia", "MARIA GRAZIA"),
            ("LO", "LO"),
            ("Lo Presti", "LOPRESTI"),
            ("Łukasz Wójcik", "LUKASZ WOJCIK"),
            ("Müller", "MULLER"),
            ("", ""),
            ("  -- ''", ""),
        ];
        for (input, want) in same {
            assert_eq!(normalize_name(input), want, "{input:?}");
        }
        assert_eq!(name_parts("Maria De Luca"), vec!["MARIA", "DELUCA"]);
        assert_eq!(name_joined("Gian Luca"), name_joined("Gianluca"));
        assert_eq!(name_core("El Idrissi"), "IDRISSI");
        assert_eq!(name_core("De Luca"), "LUCA");
        assert_eq!(name_core("DE"), "DE");
    }

    #[test]
    fn phonetic_must_collide() {
        let groups: &[&[&str]] = &[
            &[
                "MOHAMED", "MOHAMMED", "MUHAMMAD", "MOHAMMAD", "MUHAMMED", "MOHAMAD", "Mohammed",
            ],
            &["ROSSI", "ROSI", "Rossi"],
            &["FILIPPO", "PHILIPPO", "FILLIPPO"],
            &["CARLO", "KARLO"],
            &["LUCA", "LUKA", "LUCCA"],
            &["CHIARA", "KIARA"],
            &["YOUSSEF", "YUSUF", "YOUSEF", "YUSSUF"],
            &["FATIMA", "FATIMAH"],
            &["HOSSAIN", "HUSSAIN", "HUSAIN", "HOSEN"],
            &["IRYNA", "IRINA"],
            &["OLEKSANDR", "ALEKSANDR", "ALEXANDR"],
            &["KOVALENKO", "KOWALENKO"],
            &["MATTEO", "MATEO"],
            &["DE LUCA", "DELUCA", "De-Luca"],
            &["D'AMICO", "DAMICO", "D AMICO"],
            &["RAHMAN", "REHMAN"],
            &["AKTER", "AKHTER"],
            &["AISHA", "AYSHA"],
            &["THOMAS", "TOMAS"],
            &["JACOPO", "IACOPO"],
            &["SMITH", "SMYTH"],
            &["GIAN LUCA", "GIANLUCA"],
            &["NICOLÒ", "NICOLO", "NICCOLO"],
            &["KHAN", "KAN"],
        ];
        for g in groups {
            let k0 = phonetic_key(g[0]);
            assert!(!k0.is_empty());
            for n in &g[1..] {
                assert_eq!(phonetic_key(n), k0, "{} vs {}", g[0], n);
            }
        }
        assert_eq!(phonetic_key("MOHAMED"), "MaMaD");
        assert_eq!(phonetic_key("ROSSI"), "RaSI");
    }

    #[test]
    fn phonetic_must_not_collide() {
        let pairs = [
            ("MARIO", "MARIA"),
            ("ROSSI", "RUSSO"),
            ("ROSSI", "ROSSO"),
            ("GIUSEPPE", "GIUSEPPINA"),
            ("FRANCESCO", "FRANCESCA"),
            ("BIANCHI", "BIANCO"),
            ("ROSSI", "ROSSINI"),
            ("MARCO", "MARCELLO"),
            ("LUCA", "LUCIA"),
            ("PAOLO", "PAOLA"),
            ("GIULIA", "GIULIO"),
            ("MOHAMED", "AHMED"),
            ("ANNA", "ANNALISA"),
            ("FERRARI", "FERRARO"),
            ("ESPOSITO", "ESPOSTO"),
            ("COLOMBO", "COLOMBA"),
            ("RICCI", "RIZZI"),
            ("GALLO", "GALLI"),
            ("CONTI", "CONTE"),
            ("LI", "LIU"),
            ("WANG", "WU"),
            ("ZHANG", "CHANG"),
        ];
        for (a, b) in pairs {
            assert_ne!(phonetic_key(a), phonetic_key(b), "{a} vs {b}");
        }
    }

    #[test]
    fn variants() {
        assert!(are_variants("Mohamed", "Muhammad"));
        assert!(are_variants("Md Abdul", "Mohammad Abdoul"));
        assert!(are_variants("Fatima", "Fatma"));
        assert!(are_variants("Olena", "Elena"));
        assert!(are_variants("Hossain", "Hussain"));
        assert!(are_variants("Gian Luca", "Gianluca"));
        assert!(!are_variants("Giuseppe", "Giuseppina"));
        assert!(!are_variants("Mario", "Maria"));
        assert!(!are_variants("", ""));
        assert!(known_variants("mohammed").contains(&"MOHAMED"));
        assert!(known_variants("Giuseppe").is_empty());
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent_and_ascii(s in "\\PC{0,30}") {
            let n = normalize_name(&s);
            prop_assert!(n.bytes().all(|b| b.is_ascii_uppercase() || b == b' '));
            prop_assert!(!n.contains("  "));
            prop_assert_eq!(normalize_name(&n), n.clone());
            let k = phonetic_key(&s);
            prop_assert_eq!(phonetic_key(&n), k);
        }

        #[test]
        fn doubling_a_consonant_keeps_the_key(s in "[A-Z]{1,12}", i in 0usize..12) {
            let b = s.as_bytes();
            let i = i % b.len();
            if !is_vowel(b[i]) && b[i] != b'H' && b[i] != b'C' && b[i] != b'G' && b[i] != b'X' {
                let mut d = b.to_vec();
                d.insert(i, b[i]);
                let doubled = String::from_utf8(d).unwrap_or_default();
                prop_assert_eq!(phonetic_key(&doubled), phonetic_key(&s));
            }
        }
    }
}
