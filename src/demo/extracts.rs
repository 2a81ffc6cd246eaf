//! The extracts the city's offices deliver, built from the registry with
//! injected errors, each with its truth (which resident every row is about,
//! and which errors it carries).

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate};

use super::anagrafe::{birth_for_age, City, Person, ITALY};
use super::errors::{inject, Context, ErrorKind, ErrorRates, Identity};
use super::names::{self, ORIGINS};
use super::places;
use super::stradario::{self, AddressTruth};
use crate::identity::codice_fiscale::encode;
use crate::rng::Rng;

/// One extract as rows of text, with its truth.
#[derive(Clone, Debug)]
pub struct Extract {
    /// Name (file stem, rule file stem, truth file stem).
    pub name: &'static str,
    /// Column names.
    pub header: Vec<&'static str>,
    /// Rows, as the office writes them.
    pub rows: Vec<Vec<String>>,
    /// One per row.
    pub truth: Vec<Truth>,
}

/// The truth about one extract row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truth {
    /// The row's key (the extract's key column).
    pub key: String,
    /// `ID_PERSONA` of the person the row is about; `None` for a
    /// non-resident.
    pub person: Option<u32>,
    /// Injected errors.
    pub errors: Vec<ErrorKind>,
    /// For an extract with addresses: the true address and the errors
    /// injected into it.
    pub address: Option<AddressTruth>,
}

/// Per-family ISEE values (cents), shared by the canteen and ISEE extracts.
pub fn family_isee(city: &City, seed: u64) -> Vec<Option<u64>> {
    let mut rng = Rng::stream(seed, "isee-values");
    city.families
        .iter()
        .map(|f| {
            let has_children = f
                .members
                .iter()
                .any(|&m| city.people[m].age_on(city.reference) < 18);
            let foreign = f.origin.is_some();
            let p = if has_children { 0.78 } else { 0.12 } + if foreign { 0.08 } else { 0.0 };
            // Draw every value, used or not, to keep the stream aligned.
            let euros = match rng.below(10) {
                0 => rng.range(0, 3_000),
                1..=5 => rng.range(3_000, 20_000),
                6..=8 => rng.range(20_000, 40_000),
                _ => rng.range(40_000, 90_000),
            } as u64;
            let euros = if foreign { euros * 3 / 5 } else { euros };
            let cents = euros * 100 + rng.below(100);
            rng.chance(p).then_some(cents)
        })
        .collect()
}

/// `1234567` cents → `12.345,67`.
pub fn euro_comma(cents: u64) -> String {
    let euros = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{grouped},{:02}", cents % 100)
}

/// Canteen tariff band of an ISEE value (cents); `E` without ISEE.
pub fn band(isee: Option<u64>) -> &'static str {
    match isee.map(|c| c / 100) {
        Some(0..=5_000) => "A",
        Some(5_001..=10_000) => "B",
        Some(10_001..=15_000) => "C",
        Some(15_001..=25_000) => "D",
        _ => "E",
    }
}

/// Canteen exemption (`ESONERO`) of an ISEE value (cents): `S` under
/// 3,000 euros, `N` otherwise and without ISEE.
pub fn exempt(isee: Option<u64>) -> &'static str {
    if isee.is_some_and(|c| c < 300_000) {
        "S"
    } else {
        "N"
    }
}

/// Someone who does not live in Bologna (a child at school in the city, a
/// former tenant, a person helped by social services while living
/// elsewhere). Their code is guaranteed not to be a resident's.
pub(super) fn outsider(rng: &mut Rng, city: &City, cfs: &HashSet<&str>, age: (i32, i32)) -> Person {
    loop {
        let female = rng.chance(0.5);
        let a = rng.range(i64::from(age.0), i64::from(age.1)) as i32;
        let birth = birth_for_age(rng, city.reference, a);
        let (surname, name, place, citizenship) = if rng.chance(0.75) {
            (
                city.italian_surname(rng).to_owned(),
                names::italian_given(rng, female, birth.year()).to_owned(),
                places::italian_birthplace(rng, birth, 0.2),
                ITALY,
            )
        } else {
            let o = &ORIGINS[names::origin_weights().sample(rng)];
            (
                rng.pick(o.surnames).to_string(),
                rng.pick(if female { o.female } else { o.male }).to_string(),
                o.belfiore,
                o.istat,
            )
        };
        let sex = if female {
            crate::identity::Sex::Female
        } else {
            crate::identity::Sex::Male
        };
        let Ok(cf) = encode(&surname, &name, birth, sex, place) else {
            continue;
        };
        if cfs.contains(cf.as_str()) {
            continue;
        }
        return Person {
            id: 0,
            family: usize::MAX,
            relation: 0,
            surname,
            name,
            female,
            birth,
            birthplace: place,
            citizenship,
            cf,
        };
    }
}

/// The identity fields of a person, after injection.
pub(super) fn identity(
    rng: &mut Rng,
    rates: &ErrorRates,
    p: &Person,
    resident: bool,
    parent_cf: Option<&str>,
    has_birth_date: bool,
) -> (Identity, Vec<ErrorKind>) {
    let mut id = Identity {
        cf: p.cf.clone(),
        surname: p.surname.clone(),
        name: p.name.clone(),
        birth: p.birth,
    };
    let ctx = Context {
        parent_cf,
        born_abroad: p.born_abroad(),
        resident,
        has_birth_date,
    };
    let mut kinds = inject(rng, rates, &mut id, &ctx);
    if !resident {
        kinds.insert(0, ErrorKind::NonResident);
    }
    (id, kinds)
}

/// Inserts exact duplicates after some rows.
pub(super) fn duplicate(rng: &mut Rng, rates: &ErrorRates, e: &mut Extract) {
    let p = rates.rate(ErrorKind::DuplicateRow);
    let rows = std::mem::take(&mut e.rows);
    let truth = std::mem::take(&mut e.truth);
    for (row, t) in rows.into_iter().zip(truth) {
        let dup = rng.chance(p);
        if dup {
            let mut t2 = t.clone();
            t2.errors.push(ErrorKind::DuplicateRow);
            e.rows.push(row.clone());
            e.truth.push(t);
            e.rows.push(row);
            e.truth.push(t2);
        } else {
            e.rows.push(row);
            e.truth.push(t);
        }
    }
}

pub(super) fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub(super) fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

pub(super) fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

/// What every extract starts from: its error rates, its own random
/// stream, and an empty extract with its header.
pub(super) fn begin(
    name: &'static str,
    seed: u64,
    header: Vec<&'static str>,
) -> (ErrorRates, Rng, Extract) {
    let e = Extract {
        name,
        header,
        rows: Vec::new(),
        truth: Vec::new(),
    };
    (ErrorRates::for_extract(name), Rng::stream(seed, name), e)
}

/// All resident codes.
pub fn resident_codes(city: &City) -> HashSet<&str> {
    city.people.iter().map(|p| p.cf.as_str()).collect()
}

/// School canteen enrolments (refezione), school year 2025/2026: children
/// aged 3–14, the paying parent, the family's ISEE and tariff band.
pub fn refezione(city: &City, seed: u64, isee: &[Option<u64>]) -> Extract {
    let name = "refezione";
    let rates = ErrorRates::for_extract(name);
    let mut rng = Rng::stream(seed, name);
    let cfs = resident_codes(city);
    let mut e = Extract {
        name,
        header: vec![
            "ID_ISCRIZIONE",
            "ANNO_SCOLASTICO",
            "COD_SERVIZIO",
            "CF_ALUNNO",
            "COGNOME_ALUNNO",
            "NOME_ALUNNO",
            "DATA_NASCITA_ALUNNO",
            "CF_PAGANTE",
            "COGNOME_PAGANTE",
            "NOME_PAGANTE",
            "VALORE_ISEE",
            "FASCIA_ISEE",
            "DATA_INIZIO",
            "DATA_FINE",
            "ESONERO",
        ],
        rows: Vec::new(),
        truth: Vec::new(),
    };
    let mut key = 250_000u64;
    let school_start = date(2025, 9, 15);
    for (i, child) in city.people.iter().enumerate() {
        let age = child.age_on(date(2025, 9, 1));
        if !(3..=14).contains(&age) || !rng.chance(0.7) {
            continue;
        }
        let parents = city.parents_of(i);
        let payer_idx = if parents.len() > 1 && rng.chance(0.4) {
            parents[1]
        } else {
            parents
                .first()
                .copied()
                .unwrap_or(city.families[child.family].members[0])
        };
        // A child who lives outside Bologna, now and then.
        let outside = rng.chance(rates.rate(ErrorKind::NonResident));
        let (child_p, payer, resident, fam_isee) = if outside {
            let c = outsider(&mut rng, city, &cfs, (3, 14));
            let mut p = outsider(&mut rng, city, &cfs, (30, 50));
            p.surname = c.surname.clone();
            p.cf = encode(&p.surname, &p.name, p.birth, p.sex(), p.birthplace).unwrap_or(p.cf);
            let v = rng
                .chance(0.5)
                .then(|| rng.range(300_000, 3_000_000) as u64);
            (c, p, false, v)
        } else {
            (
                child.clone(),
                city.people[payer_idx].clone(),
                true,
                isee[child.family],
            )
        };
        let parent_cf = (resident && !parents.is_empty()).then_some(payer.cf.as_str());
        let (id, kinds) = identity(&mut rng, &rates, &child_p, resident, parent_cf, true);
        key += 1;
        let start = plus_days(
            school_start,
            if rng.chance(0.9) { 0 } else { rng.below(70) },
        );
        let end = rng
            .chance(0.05)
            .then(|| plus_days(start, 10 + rng.below(60)));
        e.rows.push(vec![
            key.to_string(),
            "2025/2026".into(),
            "REF".into(),
            id.cf,
            id.surname,
            id.name,
            dmy(id.birth),
            payer.cf.clone(),
            payer.surname.clone(),
            payer.name.clone(),
            fam_isee.map(euro_comma).unwrap_or_default(),
            band(fam_isee).into(),
            dmy(start),
            end.map(dmy).unwrap_or_default(),
            exempt(fam_isee).into(),
        ]);
        e.truth.push(Truth {
            key: key.to_string(),
            person: resident.then_some(child.id),
            errors: kinds,
            address: None,
        });
    }
    duplicate(&mut rng, &rates, &mut e);
    e
}

/// The 13 kinds of social-service intervention: code, description, target
/// (0 minors, 1 adults, 2 elderly), weight.
pub const INTERVENTIONS: [(&str, &str, u8, u32); 13] = [
    ("ADOM", "Assistenza domiciliare", 2, 16),
    ("PASTI", "Pasti a domicilio", 2, 8),
    ("TELESOC", "Telesoccorso", 2, 6),
    ("CDIURNO", "Centro diurno anziani", 2, 6),
    ("RESANZ", "Inserimento in struttura residenziale", 2, 5),
    ("CONTRIB", "Contributo economico", 1, 18),
    ("AFFITTO", "Contributo per l'affitto", 1, 10),
    ("TIROCINIO", "Tirocinio formativo / borsa lavoro", 1, 6),
    ("ACCOGL", "Pronta accoglienza adulti", 1, 4),
    ("TRASP", "Trasporto sociale", 1, 5),
    ("EDUDOM", "Educativa domiciliare minori", 0, 7),
    ("AFFIDO", "Affido familiare", 0, 3),
    ("COMMIN", "Comunità per minori", 0, 2),
];

/// Social-service interventions: one row per intervention, the beneficiary
/// in a single `NOMINATIVO` column ("COGNOME NOME"), the CF often missing.
pub fn servizi_sociali(city: &City, seed: u64) -> Extract {
    let name = "servizi_sociali";
    let rates = ErrorRates::for_extract(name);
    let mut rng = Rng::stream(seed, name);
    let cfs = resident_codes(city);
    let mut groups: [Vec<usize>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for (i, p) in city.people.iter().enumerate() {
        let a = p.age_on(city.reference);
        groups[usize::from(a >= 18) + usize::from(a >= 65)].push(i);
    }
    let mut e = Extract {
        name,
        header: vec![
            "ID_INTERVENTO",
            "COD_INTERVENTO",
            "DESCRIZIONE",
            "DATA_INIZIO",
            "DATA_FINE",
            "CF_BENEFICIARIO",
            "NOMINATIVO",
            "DATA_NASCITA",
            "SESSO",
            "QUARTIERE",
            "DOMICILIO",
        ],
        rows: Vec::new(),
        truth: Vec::new(),
    };
    // The beneficiary's domicile as the social worker writes it: a stream
    // of its own, so that the rows drawn above are those drawn before.
    let mut written = Rng::stream(seed, "servizi_sociali-indirizzi");
    let kinds: Vec<(usize, u32)> = INTERVENTIONS
        .iter()
        .enumerate()
        .map(|(i, k)| (i, k.3))
        .collect();
    let n = (city.people.len() as f64 * 0.03).round() as usize;
    let mut previous: Vec<usize> = Vec::new();
    for k in 0..n {
        let kind = INTERVENTIONS[*rng.weighted(&kinds)];
        let group = &groups[usize::from(kind.2)];
        if group.is_empty() {
            continue;
        }
        // A fifth of the rows are a second intervention for someone already
        // helped.
        let idx = match (rng.chance(0.2), previous.is_empty()) {
            (true, false) => *rng.pick(&previous),
            _ => *rng.pick(group),
        };
        previous.push(idx);
        let outside = rng.chance(rates.rate(ErrorKind::NonResident));
        let ages = match kind.2 {
            0 => (0, 17),
            1 => (18, 64),
            _ => (65, 95),
        };
        let (person, resident) = if outside {
            (outsider(&mut rng, city, &cfs, ages), false)
        } else {
            (city.people[idx].clone(), true)
        };
        let parents = if resident {
            city.parents_of(idx)
        } else {
            Vec::new()
        };
        let parent_cf = parents.first().map(|&p| city.people[p].cf.as_str());
        let (id, errs) = identity(&mut rng, &rates, &person, resident, parent_cf, true);
        let start = plus_days(date(2020, 1, 1), rng.below(2175));
        let end = plus_days(start, 30 + rng.below(720));
        let end = (rng.chance(0.6) && end <= city.reference).then_some(end);
        let quartiere = if resident {
            city.families[person.family].address.quartiere_name()
        } else {
            ""
        };
        let key = format!("SS{:07}", k + 1);
        // A resident's domicile is the family's address; one in ten is not
        // written down, and an outsider's is outside the city (not given).
        let domicile = (resident && !written.chance(0.1))
            .then(|| city.families[person.family].address.clone());
        let (domicilio, address_errors) = match &domicile {
            Some(a) => stradario::written(&mut written, a),
            None => (String::new(), Vec::new()),
        };
        e.rows.push(vec![
            key.clone(),
            kind.0.into(),
            kind.1.into(),
            iso(start),
            end.map(iso).unwrap_or_default(),
            id.cf,
            format!("{} {}", id.surname, id.name),
            iso(id.birth),
            if person.female { "F" } else { "M" }.into(),
            quartiere.into(),
            domicilio,
        ]);
        e.truth.push(Truth {
            key,
            person: resident.then_some(person.id),
            errors: errs,
            address: domicile.map(|address| AddressTruth {
                address,
                errors: address_errors,
            }),
        });
    }
    duplicate(&mut rng, &rates, &mut e);
    e
}

/// Public-housing tenants (ERP, managed by ACER): one row per contract, the
/// head of the tenant family, the dwelling's address as ACER writes it.
pub fn erp_inquilini(city: &City, seed: u64) -> Extract {
    let name = "erp_inquilini";
    let rates = ErrorRates::for_extract(name);
    let mut rng = Rng::stream(seed, name);
    let cfs = resident_codes(city);
    let mut e = Extract {
        name,
        header: vec![
            "ID_CONTRATTO",
            "CODICE_ALLOGGIO",
            "CF_INTESTATARIO",
            "COGNOME",
            "NOME",
            "DATA_NASCITA",
            "INDIRIZZO",
            "CAP",
            "QUARTIERE",
            "DATA_DECORRENZA",
            "NUM_COMPONENTI",
            "CANONE_MENSILE",
        ],
        rows: Vec::new(),
        truth: Vec::new(),
    };
    // How the agency writes each address: a stream of its own, so that the
    // rows drawn above are those drawn before addresses varied.
    let mut written = Rng::stream(seed, "erp_inquilini-indirizzi");
    let mut contract = 0u32;
    for f in &city.families {
        let p_erp = if f.origin.is_some() { 0.12 } else { 0.055 };
        if !rng.chance(p_erp) {
            continue;
        }
        let outside = rng.chance(rates.rate(ErrorKind::NonResident));
        let (person, resident, address, size) = if outside {
            let p = outsider(&mut rng, city, &cfs, (30, 90));
            (p, false, places::address(&mut rng, false), rng.range(1, 4))
        } else {
            (
                city.people[f.members[0]].clone(),
                true,
                f.address.clone(),
                f.members.len() as i64,
            )
        };
        let (id, errs) = identity(&mut rng, &rates, &person, resident, None, true);
        contract += 1;
        let key = format!("ERP-{:06}", contract);
        // The agency abbreviates, omits and mistypes (see `stradario`).
        let (indirizzo, address_errors) = stradario::written(&mut written, &address);
        let since = plus_days(date(1990, 1, 1), rng.below(13_000)).min(city.reference);
        let rent = rng.range(4_000, 45_000) as f64 / 100.0;
        e.rows.push(vec![
            key.clone(),
            format!("{}", 100_000 + rng.below(900_000)),
            id.cf,
            id.surname,
            id.name,
            iso(id.birth),
            indirizzo,
            address.street.2.into(),
            address.quartiere_name().into(),
            iso(since),
            size.to_string(),
            format!("{rent:.2}"),
        ]);
        e.truth.push(Truth {
            key,
            person: resident.then_some(person.id),
            errors: errs,
            address: Some(AddressTruth {
                address,
                errors: address_errors,
            }),
        });
    }
    duplicate(&mut rng, &rates, &mut e);
    e
}

/// ISEE declarations (DSU) received in 2025: protocol, declarant, family
/// size, ISE and ISEE.
pub fn isee(city: &City, seed: u64, values: &[Option<u64>]) -> Extract {
    let name = "isee";
    let rates = ErrorRates::for_extract(name);
    let mut rng = Rng::stream(seed, name);
    let cfs = resident_codes(city);
    let mut e = Extract {
        name,
        header: vec![
            "PROTOCOLLO_DSU",
            "DATA_PRESENTAZIONE",
            "TIPO_ISEE",
            "CF_DICHIARANTE",
            "COGNOME_DICHIARANTE",
            "NOME_DICHIARANTE",
            "DATA_NASCITA_DICHIARANTE",
            "NUMERO_COMPONENTI",
            "ISE",
            "VALORE_ISEE",
        ],
        rows: Vec::new(),
        truth: Vec::new(),
    };
    let mut protocols = HashSet::new();
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (fi, f) in city.families.iter().enumerate() {
        let Some(value) = values[fi] else { continue };
        let outside = rng.chance(rates.rate(ErrorKind::NonResident));
        let (person, resident, size) = if outside {
            (
                outsider(&mut rng, city, &cfs, (20, 80)),
                false,
                rng.range(1, 5) as usize,
            )
        } else {
            let declarant = if f.members.len() > 1 && rng.chance(0.25) {
                f.members[1]
            } else {
                f.members[0]
            };
            let d = &city.people[declarant];
            if d.age_on(city.reference) < 18 {
                continue;
            }
            (d.clone(), true, f.members.len())
        };
        let (id, errs) = identity(&mut rng, &rates, &person, resident, None, true);
        let protocol = loop {
            let code: String = (0..9).map(|_| char::from(*rng.pick(ALNUM))).collect();
            let p = format!("INPS-ISEE-2025-{code}-00");
            if protocols.insert(p.clone()) {
                break p;
            }
        };
        let scale: u64 = match size {
            0 | 1 => 100,
            2 => 157,
            3 => 204,
            4 => 246,
            n => 285 + 35 * (n as u64 - 5),
        };
        let has_minors = resident
            && f.members
                .iter()
                .any(|&m| city.people[m].age_on(city.reference) < 18);
        let tipo = if has_minors && rng.chance(0.3) {
            "MINORENNI"
        } else {
            "ORDINARIO"
        };
        let presented = plus_days(date(2025, 1, 2), rng.below(340));
        e.rows.push(vec![
            protocol.clone(),
            dmy(presented),
            tipo.into(),
            id.cf,
            id.surname,
            id.name,
            dmy(id.birth),
            size.to_string(),
            euro_comma(value * scale / 100),
            euro_comma(value),
        ]);
        e.truth.push(Truth {
            key: protocol,
            person: resident.then_some(person.id),
            errors: errs,
            address: None,
        });
    }
    duplicate(&mut rng, &rates, &mut e);
    e
}

/// A small city for the extracts' unit tests.
#[cfg(test)]
pub(super) fn test_city() -> City {
    City::generate(5, 4000, date(2025, 12, 31))
}

/// Asserts what every extract keeps: a truth per row, rows as wide as the
/// header and keyed as their truth, and no person exactly for the rows
/// labelled with one of `nobody` (non-resident, deceased…).
#[cfg(test)]
pub(super) fn assert_rows_match_truth(e: &Extract, nobody: &[ErrorKind]) {
    assert_eq!(e.rows.len(), e.truth.len(), "{}", e.name);
    for (row, t) in e.rows.iter().zip(&e.truth) {
        assert_eq!(row.len(), e.header.len(), "{}", e.name);
        assert_eq!(row[0], t.key, "{}", e.name);
        assert_eq!(
            t.person.is_none(),
            t.errors.iter().any(|k| nobody.contains(k)),
            "{} {}",
            e.name,
            t.key
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::ids;

    fn city() -> City {
        City::generate(5, 4000, date(2025, 12, 31))
    }

    #[test]
    fn formats() {
        assert_eq!(euro_comma(0), "0,00");
        assert_eq!(euro_comma(1_234_567), "12.345,67");
        assert_eq!(euro_comma(99_999), "999,99");
        assert_eq!(band(None), "E");
        assert_eq!(band(Some(500_000)), "A");
        assert_eq!(band(Some(1_200_000)), "C");
    }

    #[test]
    fn extracts_are_consistent_with_their_truth() {
        let c = city();
        let values = family_isee(&c, 5);
        let es = [
            refezione(&c, 5, &values),
            servizi_sociali(&c, 5),
            erp_inquilini(&c, 5),
            isee(&c, 5, &values),
        ];
        for e in &es {
            assert!(e.rows.len() > 20, "{} has {} rows", e.name, e.rows.len());
            assert_eq!(e.rows.len(), e.truth.len());
            for (row, t) in e.rows.iter().zip(&e.truth) {
                assert_eq!(row.len(), e.header.len());
                assert_eq!(row[0], t.key);
                assert_eq!(
                    t.person.is_none(),
                    t.errors.contains(&ErrorKind::NonResident)
                );
            }
        }
        for row in &es[3].rows {
            assert!(
                ids::parse_dsu_protocol(&row[0], c.reference).is_ok(),
                "{}",
                row[0]
            );
        }
        // Clean rows of residents carry the resident's registry code.
        for (row, t) in es[0].rows.iter().zip(&es[0].truth) {
            if let (Some(id), true) = (t.person, t.errors.is_empty()) {
                assert_eq!(row[3], c.people[id as usize - 1].cf);
            }
        }
    }
}
