//! Name tables of the demo city: Italian surnames with a realistic frequency
//! (a few very common ones and a long synthetic tail built from Italian
//! syllables), Italian given names by sex and birth cohort, and surnames and
//! given names per country of origin of Bologna's foreign residents.
//!
//! Weights are plausible, not official: there is no open surname frequency
//! table (see the project's domain notes, section 4). Every name is written
//! in characters that Windows-1252 can encode, since the school office's
//! extract uses it.

use crate::rng::{Rng, Weighted};

/// The most common Italian surnames, with a weight per 10,000 people (Emilian
/// surnames a little over-represented, as in Bologna). Together about a
/// quarter of the Italian residents; the rest come from [`tail_surnames`].
pub const COMMON_SURNAMES: &[(&str, u32)] = &[
    ("ROSSI", 40),
    ("FERRARI", 32),
    ("RUSSO", 22),
    ("BIANCHI", 18),
    ("ESPOSITO", 14),
    ("ROMANO", 13),
    ("COLOMBO", 10),
    ("RICCI", 12),
    ("MARINO", 10),
    ("GRECO", 10),
    ("BRUNO", 10),
    ("GALLO", 9),
    ("CONTI", 10),
    ("DE LUCA", 9),
    ("MANCINI", 9),
    ("COSTA", 9),
    ("GIORDANO", 8),
    ("RIZZO", 8),
    ("LOMBARDI", 9),
    ("MORETTI", 9),
    ("BARBIERI", 10),
    ("FONTANA", 7),
    ("SANTORO", 7),
    ("MARIANI", 7),
    ("RINALDI", 8),
    ("CARUSO", 6),
    ("FERRARA", 6),
    ("GALLI", 9),
    ("MARTINI", 8),
    ("LEONE", 6),
    ("LONGO", 6),
    ("GENTILE", 6),
    ("MARTINELLI", 7),
    ("VITALE", 6),
    ("LOMBARDO", 6),
    ("SERRA", 6),
    ("COPPOLA", 5),
    ("DE SANTIS", 5),
    ("D'ANGELO", 6),
    ("MARCHETTI", 7),
    ("PARISI", 5),
    ("VILLA", 5),
    ("CONTE", 5),
    ("FERRI", 6),
    ("FABBRI", 10),
    ("BIANCO", 5),
    ("MARINI", 6),
    ("GRASSO", 5),
    ("VALENTINI", 5),
    ("MESSINA", 5),
    ("GATTI", 6),
    ("PELLEGRINI", 6),
    ("PALUMBO", 4),
    ("FARINA", 5),
    ("MONTI", 5),
    ("MORELLI", 6),
    ("AMATO", 5),
    ("D'AMICO", 6),
    ("GUIDI", 6),
    ("ZANETTI", 5),
    ("BERTI", 5),
    ("MAZZONI", 6),
    ("ZUCCHINI", 5),
    ("MALAGUTI", 5),
    ("MINGHETTI", 5),
    ("BONFIGLIOLI", 4),
    ("LAMBERTINI", 4),
    ("MONARI", 4),
    ("GOVONI", 4),
    ("CAVAZZA", 4),
    ("RIGHI", 5),
    ("ZANARDI", 4),
    ("POGGI", 4),
    ("NANNI", 5),
    ("TAROZZI", 4),
    ("GRANDI", 5),
    ("SCAGLIARINI", 3),
    ("DALL'OLIO", 4),
    ("DALL'ARA", 3),
    ("DELL'ACQUA", 3),
    ("D'ALESSANDRO", 3),
    ("DI PIETRO", 4),
    ("LO PRESTI", 3),
    ("LA ROSA", 3),
    ("CANTÙ", 2),
    ("DONÀ", 2),
    ("FAVÀ", 2),
];

const ONSETS: &[&str] = &[
    "B", "C", "D", "F", "G", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "BR", "CR", "FR", "GR",
    "PR", "TR", "ST", "SC", "GU", "BON", "CAL", "MAR", "SAL", "TOR", "VAL", "BER", "CAS", "MON",
];
const VOWELS: &[&str] = &["A", "E", "I", "O", "U", "A", "O", "E"];
const MIDDLES: &[&str] = &[
    "LL", "N", "R", "T", "CC", "SS", "ZZ", "RD", "NT", "GN", "M", "L", "V", "RT", "NG", "SC", "GL",
    "TT", "B", "D",
];
const ENDINGS: &[&str] = &[
    "INI", "ELLI", "OTTI", "ONI", "ARI", "ETTI", "ANI", "ATO", "OLI", "UCCI", "ESI", "ASSI", "I",
    "O", "A", "IERI", "ACCI", "ERA", "UZZI", "ILLO", "ONE", "ESE", "INO", "ELLA",
];

/// `n` distinct synthetic Italian-looking surnames (`MARTOLLINI`,
/// `BRESSATO`…), with Zipf-like weights, for the long tail of the surname
/// distribution. Deterministic for the generator's state.
pub fn tail_surnames(rng: &mut Rng, n: usize) -> Vec<(String, u64)> {
    let mut seen = std::collections::HashSet::new();
    for (s, _) in COMMON_SURNAMES {
        seen.insert((*s).to_owned());
    }
    let mut out = Vec::with_capacity(n);
    let mut attempts = 0usize;
    while out.len() < n && attempts < n * 50 {
        attempts += 1;
        let mut s = String::new();
        s.push_str(rng.pick::<&str>(ONSETS));
        s.push_str(rng.pick::<&str>(VOWELS));
        if rng.chance(0.45) {
            s.push_str(rng.pick::<&str>(MIDDLES));
            s.push_str(rng.pick::<&str>(VOWELS));
        }
        s.push_str(rng.pick::<&str>(MIDDLES));
        s.push_str(rng.pick::<&str>(ENDINGS));
        if s.len() < 5 || s.len() > 14 || !seen.insert(s.clone()) {
            continue;
        }
        // Zipf-like: rank r gets weight ~ 1/r (scaled to integers).
        let rank = out.len() as u64 + 1;
        out.push((s, 1_000_000 / (rank + 20)));
    }
    out
}

/// Birth cohorts for Italian given names.
fn cohort(year: i32) -> usize {
    match year {
        ..=1949 => 0,
        1950..=1969 => 1,
        1970..=1989 => 2,
        1990..=2004 => 3,
        _ => 4,
    }
}

type Names = &'static [(&'static str, u32)];

const MALE_IT: [Names; 5] = [
    &[
        ("GIUSEPPE", 30),
        ("GIOVANNI", 25),
        ("ANTONIO", 22),
        ("MARIO", 20),
        ("LUIGI", 15),
        ("FRANCO", 14),
        ("BRUNO", 12),
        ("CARLO", 12),
        ("GIORGIO", 10),
        ("SERGIO", 9),
        ("ROMANO", 8),
        ("ENZO", 8),
        ("RENATO", 8),
        ("GINO", 7),
        ("ARMANDO", 6),
        ("PIER LUIGI", 5),
        ("GIAN CARLO", 5),
    ],
    &[
        ("GIUSEPPE", 18),
        ("ROBERTO", 18),
        ("GIOVANNI", 15),
        ("FRANCO", 10),
        ("MAURIZIO", 14),
        ("PAOLO", 16),
        ("STEFANO", 12),
        ("CLAUDIO", 12),
        ("MASSIMO", 12),
        ("FABIO", 8),
        ("MARCO", 10),
        ("PIER PAOLO", 6),
        ("GIAN LUCA", 4),
        ("DANIELE", 6),
        ("ALBERTO", 8),
    ],
    &[
        ("ANDREA", 22),
        ("MARCO", 22),
        ("LUCA", 20),
        ("ALESSANDRO", 18),
        ("FRANCESCO", 18),
        ("MATTEO", 12),
        ("DAVIDE", 14),
        ("SIMONE", 12),
        ("STEFANO", 10),
        ("GIAN LUCA", 6),
        ("GIAN MARCO", 5),
        ("FEDERICO", 10),
        ("MICHELE", 9),
        ("ROBERTO", 8),
        ("ANTONIO", 8),
    ],
    &[
        ("ALESSANDRO", 20),
        ("FRANCESCO", 18),
        ("ANDREA", 16),
        ("MATTEO", 18),
        ("LORENZO", 14),
        ("LUCA", 12),
        ("DAVIDE", 12),
        ("SIMONE", 12),
        ("FEDERICO", 12),
        ("RICCARDO", 10),
        ("NICOLÒ", 8),
        ("TOMMASO", 8),
        ("GABRIELE", 10),
        ("MATTIA", 10),
    ],
    &[
        ("LEONARDO", 22),
        ("FRANCESCO", 14),
        ("ALESSANDRO", 14),
        ("LORENZO", 14),
        ("TOMMASO", 14),
        ("MATTIA", 12),
        ("RICCARDO", 12),
        ("EDOARDO", 11),
        ("GABRIELE", 11),
        ("ANDREA", 10),
        ("DIEGO", 8),
        ("NICOLÒ", 9),
        ("PIETRO", 9),
        ("GIOELE", 6),
        ("SAMUELE", 6),
        ("FILIPPO", 7),
    ],
];

const FEMALE_IT: [Names; 5] = [
    &[
        ("MARIA", 30),
        ("ANNA", 22),
        ("GIUSEPPINA", 15),
        ("ROSA", 12),
        ("ANGELA", 10),
        ("GIOVANNA", 12),
        ("TERESA", 9),
        ("LUCIA", 9),
        ("CARLA", 8),
        ("FRANCA", 8),
        ("BRUNA", 7),
        ("ANNA MARIA", 9),
        ("MARIA GRAZIA", 6),
        ("MARIA ROSA", 5),
        ("LIDIA", 5),
    ],
    &[
        ("MARIA", 14),
        ("ANNA", 12),
        ("PATRIZIA", 14),
        ("GABRIELLA", 12),
        ("DANIELA", 14),
        ("LAURA", 12),
        ("PAOLA", 12),
        ("ROSSELLA", 8),
        ("MARIA GRAZIA", 8),
        ("ANNA MARIA", 8),
        ("CINZIA", 8),
        ("BARBARA", 7),
        ("ELENA", 7),
        ("CRISTINA", 10),
    ],
    &[
        ("SARA", 15),
        ("ELENA", 14),
        ("FRANCESCA", 16),
        ("SILVIA", 14),
        ("VALENTINA", 14),
        ("CHIARA", 14),
        ("FEDERICA", 12),
        ("LAURA", 12),
        ("ALESSANDRA", 10),
        ("MARTINA", 8),
        ("GIULIA", 9),
        ("ELISA", 10),
        ("MARIA CHIARA", 4),
        ("ILARIA", 8),
    ],
    &[
        ("GIULIA", 20),
        ("CHIARA", 16),
        ("FRANCESCA", 14),
        ("SARA", 14),
        ("MARTINA", 16),
        ("ALESSIA", 12),
        ("ELISA", 10),
        ("GIORGIA", 12),
        ("SILVIA", 8),
        ("ANNA", 8),
        ("BEATRICE", 8),
        ("ELEONORA", 8),
        ("VALERIA", 6),
    ],
    &[
        ("SOFIA", 22),
        ("GIULIA", 18),
        ("AURORA", 16),
        ("ALICE", 14),
        ("GINEVRA", 14),
        ("EMMA", 13),
        ("GIORGIA", 11),
        ("BEATRICE", 10),
        ("GRETA", 10),
        ("VITTORIA", 9),
        ("ANNA", 9),
        ("MATILDE", 9),
        ("NOEMI", 6),
        ("CHIARA", 8),
    ],
];

/// An Italian given name for a sex (`true` = female) and birth year.
pub fn italian_given(rng: &mut Rng, female: bool, birth_year: i32) -> &'static str {
    let table = if female { FEMALE_IT } else { MALE_IT }[cohort(birth_year)];
    rng.weighted::<&str>(table)
}

/// Pairs of given names.
pub type NamePairs = &'static [(&'static str, &'static str)];

/// Pairs of given names that twins may receive and that give the same
/// characters 4–6 of the codice fiscale (`MATTEO`/`MATTIA` → `MTT`): twins
/// of the same sex with such names share a base codice fiscale, so one of them
/// receives an omocode. `(male pairs, female pairs)`.
pub const TWIN_NAMES: (NamePairs, NamePairs) = (
    &[("MATTEO", "MATTIA"), ("DAVIDE", "DAVID")],
    &[("LAURA", "LARA"), ("CARLA", "CAROLA")],
);

/// Country of origin of a foreign resident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Italian name of the country.
    pub country: &'static str,
    /// Belfiore `Z` code (country of birth in the codice fiscale).
    pub belfiore: &'static str,
    /// ISTAT 3-digit citizenship code (ANPR `codiceStato`).
    pub istat: &'static str,
    /// Residents in Bologna on 31/12/2019 (weight).
    pub weight: u32,
    /// Surnames.
    pub surnames: &'static [&'static str],
    /// Male given names.
    pub male: &'static [&'static str],
    /// Female given names.
    pub female: &'static [&'static str],
}

/// Bologna's main foreign communities (31/12/2019, see the domain notes) with
/// plausible names. The names include spellings with known transliteration
/// variants (`MOHAMED`, `HOSSAIN`, `OLENA`…), on which the demo injects
/// variant errors.
pub const ORIGINS: &[Origin] = &[
    Origin {
        country: "Romania",
        belfiore: "Z129",
        istat: "235",
        weight: 10105,
        surnames: &[
            "POPESCU",
            "IONESCU",
            "POPA",
            "RADU",
            "DUMITRU",
            "STAN",
            "STOICA",
            "GHEORGHE",
            "MATEI",
            "CONSTANTIN",
            "RUSU",
            "MUNTEANU",
            "LUPU",
            "NEAGU",
        ],
        male: &[
            "ANDREI",
            "ALEXANDRU",
            "IONUT",
            "MIHAI",
            "CONSTANTIN",
            "GHEORGHE",
            "STEFAN",
            "ADRIAN",
            "DANIEL",
            "VASILE",
            "FLORIN",
        ],
        female: &[
            "ELENA", "IOANA", "MARIA", "ANDREEA", "GABRIELA", "MIHAELA", "ANA", "CRISTINA",
            "ALINA", "DANIELA",
        ],
    },
    Origin {
        country: "Bangladesh",
        belfiore: "Z249",
        istat: "305",
        weight: 5121,
        surnames: &[
            "HOSSAIN",
            "RAHMAN",
            "AKTER",
            "ISLAM",
            "AHMED",
            "UDDIN",
            "MIAH",
            "BEGUM",
            "KHAN",
            "CHOWDHURY",
            "SARKER",
            "ALAM",
        ],
        male: &[
            "MOHAMMAD",
            "MD RAHIM",
            "MOHAMED",
            "ABDUL KARIM",
            "RAFIQ",
            "SHAHIDUL",
            "ANWAR",
            "KAMAL",
            "JAHID",
            "SAIFUL",
            "HASAN",
        ],
        female: &[
            "FATEMA", "NASRIN", "SHIRIN", "RUMANA", "AKTER", "TASLIMA", "SHAHANA", "MARIAM",
            "NUSRAT", "AYESHA",
        ],
    },
    Origin {
        country: "Filippine",
        belfiore: "Z216",
        istat: "323",
        weight: 5070,
        surnames: &[
            "SANTOS",
            "REYES",
            "CRUZ",
            "BAUTISTA",
            "GARCIA",
            "MENDOZA",
            "DELA CRUZ",
            "RAMOS",
            "AQUINO",
            "VILLANUEVA",
            "CASTILLO",
            "DE GUZMAN",
        ],
        male: &[
            "JOSE",
            "JOHN PAUL",
            "MARK",
            "JUAN",
            "RONALDO",
            "JERRY",
            "ARNEL",
            "RODEL",
            "ROMMEL",
            "JAYSON",
        ],
        female: &[
            "MARIA CRISTINA",
            "JOCELYN",
            "MARILOU",
            "ROSALIE",
            "MARY JANE",
            "LORNA",
            "MARICEL",
            "JOY",
            "ANALYN",
            "GRACE",
        ],
    },
    Origin {
        country: "Pakistan",
        belfiore: "Z236",
        istat: "344",
        weight: 4214,
        surnames: &[
            "KHAN", "ALI", "AHMAD", "HUSSAIN", "BUTT", "CHAUDHRY", "IQBAL", "MAHMOOD", "ASLAM",
            "RAZA", "SHAH", "MALIK",
        ],
        male: &[
            "MUHAMMAD", "AHMAD", "IMRAN", "ASIF", "TARIQ", "BILAL", "USMAN", "HASSAN", "WAQAS",
            "ZAHID", "IBRAHIM",
        ],
        female: &[
            "AISHA", "FATIMA", "SADIA", "NAZIA", "SAIMA", "KHADIJA", "RABIA", "SHAZIA", "AMNA",
            "MARYAM",
        ],
    },
    Origin {
        country: "Cina",
        belfiore: "Z210",
        istat: "314",
        weight: 3999,
        surnames: &[
            "HU", "CHEN", "ZHOU", "WANG", "ZHANG", "LIN", "XU", "YE", "JIN", "WU", "PAN", "LI",
        ],
        male: &[
            "WEI", "JIANHUA", "XIAOMING", "JUN", "HAO", "YONG", "QIANG", "LEI", "JIE", "MING",
        ],
        female: &[
            "XIAOLI", "LI", "YAN", "MEI", "JING", "HUI", "XIUYING", "LING", "FANG", "YUN",
        ],
    },
    Origin {
        country: "Ucraina",
        belfiore: "Z138",
        istat: "243",
        weight: 3841,
        surnames: &[
            "KOVALENKO",
            "SHEVCHENKO",
            "BONDARENKO",
            "TKACHENKO",
            "KRAVCHENKO",
            "MELNYK",
            "BOYKO",
            "MOROZ",
            "LYSENKO",
            "HONCHARENKO",
        ],
        male: &[
            "OLEKSANDR",
            "SERHIY",
            "MYKOLA",
            "ANDRIY",
            "VOLODYMYR",
            "IVAN",
            "YURIY",
            "DMYTRO",
            "VASYL",
        ],
        female: &[
            "OLENA",
            "IRYNA",
            "NATALIA",
            "TETIANA",
            "OKSANA",
            "HALYNA",
            "SVITLANA",
            "LYUDMYLA",
            "OLEKSANDRA",
            "MARIA",
        ],
    },
    Origin {
        country: "Marocco",
        belfiore: "Z330",
        istat: "436",
        weight: 3608,
        surnames: &[
            "EL IDRISSI",
            "BENALI",
            "EL AMRANI",
            "BOUZIANE",
            "EL HASSANI",
            "ZAHIR",
            "AIT BEN",
            "OUALI",
            "BERRADA",
            "EL KHATTABI",
            "TAHIRI",
        ],
        male: &[
            "MOHAMED",
            "YOUSSEF",
            "AHMED",
            "MUSTAFA",
            "ABDELKADER",
            "HASSAN",
            "RACHID",
            "KHALID",
            "SAID",
            "OMAR",
            "HAMZA",
        ],
        female: &[
            "FATIMA", "KHADIJA", "AICHA", "MERYEM", "NAIMA", "SAIDA", "HALIMA", "SANAA", "LATIFA",
            "ZINEB",
        ],
    },
    Origin {
        country: "Moldova",
        belfiore: "Z140",
        istat: "254",
        weight: 3480,
        surnames: &[
            "ROTARU", "CEBAN", "BOTNARU", "LUNGU", "CIOBANU", "MORARU", "RUSU", "COJOCARU",
            "TURCAN", "SIRBU",
        ],
        male: &[
            "ION",
            "VASILE",
            "SERGIU",
            "ANDREI",
            "VICTOR",
            "NICOLAE",
            "DUMITRU",
            "ALEXANDRU",
        ],
        female: &[
            "ANA",
            "ELENA",
            "NATALIA",
            "TATIANA",
            "OLGA",
            "SVETLANA",
            "DOINA",
            "VALENTINA",
            "LILIA",
        ],
    },
    Origin {
        country: "Albania",
        belfiore: "Z100",
        istat: "201",
        weight: 2634,
        surnames: &[
            "HOXHA", "SHEHU", "KOLA", "LLESHI", "GJONI", "DOKA", "BALLA", "MUCA", "PRIFTI",
            "KRASNIQI",
        ],
        male: &[
            "ARDIT", "ERION", "GENTIAN", "ARBEN", "FATMIR", "ILIR", "KLODIAN", "BESNIK", "ALBAN",
        ],
        female: &[
            "ELONA", "BLERTA", "ANILA", "ERJONA", "MIRELA", "ENKELEDA", "FATMA", "DORINA",
            "LINDITA",
        ],
    },
    Origin {
        country: "Sri Lanka",
        belfiore: "Z209",
        istat: "311",
        weight: 1384,
        surnames: &[
            "PERERA",
            "FERNANDO",
            "SILVA",
            "DE SILVA",
            "JAYAWARDENA",
            "BANDARA",
            "WICKRAMASINGHE",
            "DISSANAYAKE",
        ],
        male: &[
            "NUWAN", "CHAMINDA", "PRASAD", "SAMAN", "RUWAN", "KASUN", "SUNIL",
        ],
        female: &[
            "NILMINI", "SANDYA", "CHAMARI", "DILANI", "KUMARI", "SHIRANI", "ANUSHA",
        ],
    },
    Origin {
        country: "Perù",
        belfiore: "Z611",
        istat: "615",
        weight: 900,
        surnames: &[
            "QUISPE",
            "FLORES",
            "SANCHEZ",
            "RODRIGUEZ",
            "GARCIA",
            "HUAMAN",
            "ROJAS",
            "MAMANI",
        ],
        male: &[
            "JUAN CARLOS",
            "LUIS",
            "JORGE",
            "CARLOS",
            "MIGUEL ANGEL",
            "CESAR",
        ],
        female: &["ROSA", "MARIA ELENA", "CARMEN", "GLADYS", "LUZ", "JULIA"],
    },
    Origin {
        country: "Tunisia",
        belfiore: "Z352",
        istat: "460",
        weight: 850,
        surnames: &[
            "BEN SALAH",
            "TRABELSI",
            "GHARBI",
            "HAMMAMI",
            "JEBALI",
            "MEJRI",
        ],
        male: &[
            "MOHAMED", "AHMED", "SAMI", "KARIM", "NABIL", "IBRAHIM", "HASSAN",
        ],
        female: &["FATMA", "MARIEM", "AMEL", "SONIA", "LEILA", "AISHA"],
    },
    Origin {
        country: "Polonia",
        belfiore: "Z127",
        istat: "233",
        weight: 800,
        surnames: &[
            "NOWAK",
            "KOWALSKA",
            "WISNIEWSKA",
            "WOJCIK",
            "KAMINSKA",
            "LEWANDOWSKA",
            "ZIELINSKA",
        ],
        male: &["PIOTR", "KRZYSZTOF", "TOMASZ", "PAWEL"],
        female: &[
            "ANNA",
            "KATARZYNA",
            "AGNIESZKA",
            "MALGORZATA",
            "JOANNA",
            "BARBARA",
        ],
    },
    Origin {
        country: "Nigeria",
        belfiore: "Z335",
        istat: "443",
        weight: 750,
        surnames: &[
            "OKAFOR", "ADEYEMI", "OKONKWO", "EZE", "OSAGIE", "IGBINOSA", "OGUNDIPE",
        ],
        male: &[
            "CHINEDU",
            "EMEKA",
            "OLUWASEUN",
            "IBRAHIM",
            "JOHN",
            "SUNDAY",
            "OSAS",
        ],
        female: &[
            "BLESSING", "JOY", "PRECIOUS", "FAITH", "CHIOMA", "GIFT", "ESTHER",
        ],
    },
    Origin {
        country: "India",
        belfiore: "Z222",
        istat: "330",
        weight: 700,
        surnames: &["SINGH", "KAUR", "KUMAR", "SHARMA", "PATEL", "GILL", "SIDHU"],
        male: &[
            "GURPREET", "HARPREET", "RAJESH", "AMIT", "SANDEEP", "MANDEEP",
        ],
        female: &["MANPREET", "KAUR", "PRIYA", "SUNITA", "RANJIT", "POOJA"],
    },
];

/// The weighted choice of [`ORIGINS`].
pub fn origin_weights() -> Weighted {
    Weighted::new(ORIGINS.iter().map(|o| u64::from(o.weight)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::codice_fiscale::name_code;

    #[test]
    fn twin_names_share_the_cf_name_code() {
        for (a, b) in TWIN_NAMES.0.iter().chain(TWIN_NAMES.1) {
            assert_eq!(name_code(a), name_code(b), "{a}/{b}");
            assert_ne!(a, b);
        }
    }

    #[test]
    fn tail_surnames_are_distinct_italian_looking_and_skewed() {
        let mut r = Rng::new(1);
        let t = tail_surnames(&mut r, 3000);
        assert_eq!(t.len(), 3000);
        let set: std::collections::HashSet<_> = t.iter().map(|(s, _)| s).collect();
        assert_eq!(set.len(), 3000);
        assert!(t
            .iter()
            .all(|(s, _)| s.bytes().all(|b| b.is_ascii_uppercase())));
        assert!(t[0].1 > 10 * t[2999].1);
    }

    #[test]
    fn names_encode_in_windows_1252_and_origins_are_valid_places() {
        let all = COMMON_SURNAMES
            .iter()
            .map(|(s, _)| *s)
            .chain(
                MALE_IT
                    .iter()
                    .chain(FEMALE_IT.iter())
                    .flat_map(|t| t.iter().map(|(s, _)| *s)),
            )
            .chain(
                ORIGINS
                    .iter()
                    .flat_map(|o| o.surnames.iter().chain(o.male).chain(o.female).copied()),
            );
        for n in all {
            let (_, _, unmappable) = encoding_rs::WINDOWS_1252.encode(n);
            assert!(!unmappable, "{n}");
            assert_eq!(n, n.trim());
        }
        for o in ORIGINS {
            let p = crate::identity::belfiore::place(o.belfiore).expect(o.belfiore);
            assert!(p.is_foreign() && p.is_active(), "{}", o.country);
            assert_eq!(o.istat.len(), 3);
        }
        // Some names have known transliteration variants (the demo needs them).
        let with_variants = ORIGINS
            .iter()
            .flat_map(|o| o.male.iter().chain(o.female))
            .filter(|n| crate::identity::names::known_variants(n).len() > 1)
            .count();
        assert!(with_variants >= 10, "{with_variants}");
    }

    #[test]
    fn given_names_follow_the_cohort() {
        let mut r = Rng::new(5);
        let old: Vec<_> = (0..200)
            .map(|_| italian_given(&mut r, false, 1940))
            .collect();
        let young: Vec<_> = (0..200)
            .map(|_| italian_given(&mut r, false, 2020))
            .collect();
        assert!(old.contains(&"GIUSEPPE") && !young.contains(&"GIUSEPPE"));
        assert!(young.contains(&"LEONARDO") && !old.contains(&"LEONARDO"));
    }
}
