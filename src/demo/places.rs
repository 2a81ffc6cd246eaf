//! Places of the demo city: where Italian residents were born (Belfiore
//! codes valid at the birth date, historic codes included) and Bologna's
//! streets, by quartiere, with their CAP.

use chrono::NaiveDate;

use crate::identity::belfiore;
use crate::rng::Rng;

/// Italian places of birth other than Bologna, with weights. A code that
/// changed is listed with the code that replaced it and the day the new one
/// started: Bazzano `A726` became Valsamoggia `M320` on 2014-01-01, Porretta
/// Terme `A558` became Alto Reno Terme `M369` on 2016-01-01.
const ITALIAN_PLACES: &[(&str, u32)] = &[
    // Province of Bologna and Emilia-Romagna.
    ("E289", 30), // Imola
    ("B880", 25), // Casalecchio di Reno
    ("H945", 20), // San Lazzaro di Savena
    ("B249", 10), // Budrio
    ("A726", 12), // Bazzano (→ Valsamoggia)
    ("A558", 8),  // Porretta Terme (→ Alto Reno Terme)
    ("C265", 8),  // Castel San Pietro Terme
    ("G467", 8),  // San Giovanni in Persiceto
    ("A785", 4),  // Bentivoglio
    ("B044", 3),  // Borgo Tossignano
    ("F257", 20), // Modena
    ("D548", 18), // Ferrara
    ("H199", 12), // Ravenna
    ("G337", 10), // Parma
    ("B819", 6),  // Carpi
    ("C469", 6),  // Cento
    ("L885", 4),  // Vignola
    ("I462", 4),  // Sassuolo
    ("G916", 3),  // Portomaggiore
    // Elsewhere.
    ("F839", 30), // Napoli
    ("G273", 22), // Palermo
    ("H501", 20), // Roma
    ("A662", 16), // Bari
    ("C351", 12), // Catania
    ("F158", 10), // Messina
    ("H224", 10), // Reggio di Calabria
    ("D086", 8),  // Cosenza
    ("E506", 8),  // Lecce
    ("H703", 8),  // Salerno
    ("A783", 6),  // Benevento
    ("F205", 14), // Milano
    ("L219", 8),  // Torino
    ("D969", 6),  // Genova
    ("A271", 6),  // Ancona
    ("E058", 3),  // Giulianova
];

/// Codes that expired, with their successor and the successor's first day.
const SUCCESSORS: &[(&str, &str, (i32, u32, u32))] = &[
    ("A726", "M320", (2014, 1, 1)),
    ("A558", "M369", (2016, 1, 1)),
];

/// Bologna.
pub const BOLOGNA: &str = "A944";

/// The code of `code` valid at `date`: the successor for people born after a
/// merger.
pub fn code_at(code: &'static str, date: NaiveDate) -> &'static str {
    for &(old, new, (y, m, d)) in SUCCESSORS {
        if old == code && NaiveDate::from_ymd_opt(y, m, d).is_some_and(|from| date >= from) {
            return new;
        }
    }
    code
}

/// The place of birth of an Italian resident born on `birth`:
/// `share_bologna` of them in Bologna, the others spread over
/// the table of Italian places. Always a code valid at the birth date.
pub fn italian_birthplace(rng: &mut Rng, birth: NaiveDate, share_bologna: f64) -> &'static str {
    if rng.chance(share_bologna) {
        return BOLOGNA;
    }
    let code = code_at(rng.weighted::<&str>(ITALIAN_PLACES), birth);
    if belfiore::valid_at(code, birth).is_valid() {
        code
    } else {
        BOLOGNA
    }
}

/// Bologna's six quartieri (since 2016) with their population (weight) and
/// the weight of foreign families there (Navile, with the Bolognina, has the
/// most).
pub const QUARTIERI: &[(&str, u32, u32)] = &[
    ("Borgo Panigale-Reno", 61, 50),
    ("Navile", 70, 110),
    ("Porto-Saragozza", 69, 55),
    ("San Donato-San Vitale", 66, 85),
    ("Santo Stefano", 64, 45),
    ("Savena", 60, 50),
];

/// A street: DUG (ANPR street type), name, CAP. Names as the registry writes
/// them, apostrophes and accents included.
pub type Street = (&'static str, &'static str, &'static str);

/// Streets per quartiere, in the order of [`QUARTIERI`].
pub const STREETS: [&[Street]; 6] = [
    &[
        ("VIA", "EMILIA PONENTE", "40133"),
        ("VIA", "MARCO EMILIO LEPIDO", "40132"),
        ("VIA", "BATTINDARNO", "40133"),
        ("VIA", "DEL TRIUMVIRATO", "40132"),
        ("VIA", "DELLA BARCA", "40133"),
        ("VIA", "AGUCCHI", "40131"),
        ("VIA", "CASTELDEBOLE", "40132"),
        ("VIA", "DELLA PERSICETANA VECCHIA", "40132"),
        ("PIAZZA", "CAPITINI", "40132"),
    ],
    &[
        ("VIA", "DI CORTICELLA", "40128"),
        ("VIA", "FERRARESE", "40128"),
        ("VIA", "DI SALICETO", "40128"),
        ("VIA", "DELLA BEVERARA", "40131"),
        ("VIA", "TIARINI", "40129"),
        ("VIA", "DELL'ARCOVEGGIO", "40129"),
        ("PIAZZA", "DELL'UNITÀ", "40128"),
        ("VIA", "SERLIO", "40128"),
        ("VIA", "DI VINCENZO", "40129"),
        ("VIA", "BOLOGNESE", "40128"),
        ("VIA", "ALGARDI", "40128"),
    ],
    &[
        ("VIA", "SARAGOZZA", "40135"),
        ("VIA", "DEL PRATELLO", "40122"),
        ("VIA", "ANDREA COSTA", "40134"),
        ("VIA", "SAN FELICE", "40122"),
        ("VIA", "DELLO SCALO", "40131"),
        ("VIA", "FILIPPO TURATI", "40134"),
        ("VIA", "NOSADELLA", "40123"),
        ("VIA", "SABOTINO", "40131"),
        ("VIALE", "PEPOLI", "40123"),
        ("VIA", "DELLA CERTOSA", "40133"),
    ],
    &[
        ("VIA", "SAN DONATO", "40127"),
        ("VIA", "SAN VITALE", "40125"),
        ("VIA", "GIUSEPPE MASSARENTI", "40138"),
        ("VIA", "DEL LAVORO", "40127"),
        ("VIA", "ENRICO MATTEI", "40138"),
        ("VIA", "SCANDELLARA", "40138"),
        ("VIA", "ZANOLINI", "40126"),
        ("PIAZZA", "ALDROVANDI", "40125"),
        ("VIA", "BEROALDO", "40127"),
        ("VIALE", "DELLA REPUBBLICA", "40127"),
    ],
    &[
        ("VIA", "SANTO STEFANO", "40125"),
        ("STRADA", "MAGGIORE", "40125"),
        ("VIA", "CASTIGLIONE", "40124"),
        ("VIA", "D'AZEGLIO", "40123"),
        ("VIA", "GUERRAZZI", "40125"),
        ("VIA", "AUGUSTO MURRI", "40137"),
        ("VIA", "DELL'OSSERVANZA", "40136"),
        ("VIA", "FARINI", "40124"),
        ("VICOLO", "BOLOGNETTI", "40125"),
        ("VIALE", "GOZZADINI", "40124"),
    ],
    &[
        ("VIA", "TOSCANA", "40141"),
        ("VIA", "DEGLI ORTI", "40137"),
        ("VIA", "SAVENA ANTICA", "40139"),
        ("VIA", "DEL POZZO", "40139"),
        ("VIA", "DELLA BELLARIA", "40139"),
        ("VIA", "FOSSOLO", "40139"),
        ("VIA", "MONDO", "40141"),
        ("VIA", "GIUSEPPE BENTIVOGLI", "40138"),
        ("LARGO", "LERCARO", "40141"),
    ],
];

/// A family's address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// Index into [`QUARTIERI`].
    pub quartiere: usize,
    /// The street.
    pub street: Street,
    /// The street's index among all of [`STREETS`], quartiere after
    /// quartiere (see [`street_at`]).
    pub street_index: usize,
    /// House number: `12`, `12/A`, `12 BIS`.
    pub civico: String,
}

impl Address {
    /// The quartiere's name.
    pub fn quartiere_name(&self) -> &'static str {
        QUARTIERI[self.quartiere].0
    }

    /// `VIA DEL PRATELLO 12/A`.
    pub fn line(&self) -> String {
        format!("{} {} {}", self.street.0, self.street.1, self.civico)
    }
}

/// An address in Bologna; `foreign` uses the foreign families' weights.
pub fn address(rng: &mut Rng, foreign: bool) -> Address {
    let weights: Vec<(usize, u32)> = QUARTIERI
        .iter()
        .enumerate()
        .map(|(i, q)| (i, if foreign { q.2 } else { q.1 }))
        .collect();
    let quartiere = *rng.weighted(&weights);
    // As `rng.pick(STREETS[quartiere])` would draw it.
    let k = rng.below(STREETS[quartiere].len() as u64) as usize;
    let street = STREETS[quartiere][k];
    let street_index = STREETS[..quartiere].iter().map(|s| s.len()).sum::<usize>() + k;
    let n = rng.range(1, 180);
    let civico = match rng.below(20) {
        0 => format!("{n}/A"),
        1 => format!("{n}/B"),
        2 => format!("{n} BIS"),
        _ => n.to_string(),
    };
    Address {
        quartiere,
        street,
        street_index,
        civico,
    }
}

/// Every street with its quartiere, in the order of
/// [`Address::street_index`].
pub fn street_at() -> Vec<(usize, Street)> {
    STREETS
        .iter()
        .enumerate()
        .flat_map(|(q, streets)| streets.iter().map(move |s| (q, *s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn every_place_is_a_known_code_and_births_get_the_code_valid_then() {
        for (code, _) in ITALIAN_PLACES {
            assert!(belfiore::place(code).is_some(), "{code}");
        }
        assert_eq!(code_at("A726", d(2013, 12, 31)), "A726");
        assert_eq!(code_at("A726", d(2014, 1, 1)), "M320");
        assert_eq!(code_at("A558", d(2016, 1, 1)), "M369");
        let mut r = Rng::new(9);
        let mut historic = 0;
        for i in 0..5000 {
            let birth = d(1930 + (i % 95), 1 + (i as u32 % 12), 1 + (i as u32 % 28));
            let c = italian_birthplace(&mut r, birth, 0.3);
            assert!(belfiore::valid_at(c, birth).is_valid(), "{c} {birth}");
            historic += usize::from(c == "A726" || c == "A558");
        }
        assert!(historic > 20);
    }

    #[test]
    fn addresses_are_in_bologna() {
        let mut r = Rng::new(2);
        for _ in 0..500 {
            let a = address(&mut r, true);
            assert!(a.street.2.starts_with("401") && a.street.2.len() == 5);
            let parsed = crate::identity::address::parse_address(&a.line());
            assert_eq!(parsed.dug.as_deref(), Some(a.street.0), "{}", a.line());
            assert_eq!(street_at()[a.street_index], (a.quartiere, a.street));
        }
    }
}
