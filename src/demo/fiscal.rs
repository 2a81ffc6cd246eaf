//! The money extracts of the demo city: the school services' billing
//! (`riscossione`, one row per payment notice, keyed by the paying parent)
//! and the IRPEF incomes the Agenzia delle Entrate supplies to the
//! municipality (`irpef`, one row per taxpayer and tax year, the codice
//! fiscale the only identity), each with its truth.

use chrono::Datelike;

use super::anagrafe::City;
use super::errors::ErrorKind;
use super::extracts::{
    band, begin, date, duplicate, identity, outsider, plus_days, resident_codes, Extract, Truth,
};
use crate::identity::codice_fiscale::encode;

/// `123450` cents → `1234,50` (the billing system's amounts: decimal comma,
/// no thousands separator).
pub fn euro_plain_comma(cents: u64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

/// `dd-mm-yyyy`, as the billing system writes dates.
fn dash(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// A school service billed to families: code, ages, probability, yearly
/// tariff in cents for tariff bands A–E.
type Billed = (&'static str, (i32, i32), f64, [u64; 5]);

/// The school services billed to families.
const BILLED: [Billed; 5] = [
    (
        "NIDO",
        (0, 2),
        0.30,
        [40_000, 90_000, 150_000, 230_000, 320_000],
    ),
    (
        "REF",
        (3, 14),
        0.70,
        [12_000, 25_000, 40_000, 60_000, 80_000],
    ),
    ("PRE", (6, 10), 0.15, [3_000, 5_000, 7_000, 9_000, 11_000]),
    (
        "POST",
        (6, 13),
        0.12,
        [6_000, 9_000, 12_000, 16_000, 20_000],
    ),
    (
        "TRASP",
        (6, 14),
        0.05,
        [5_000, 8_000, 11_000, 14_000, 17_000],
    ),
];

/// Billing of the school services (riscossione), year 2025: one payment
/// notice per child and service, the paying parent's identity (the person
/// the row is about), the child's code in `CF_UTENTE`, billed and paid
/// amounts.
pub fn riscossione(city: &City, seed: u64, isee: &[Option<u64>]) -> Extract {
    let (rates, mut rng, mut e) = begin(
        "riscossione_scuola",
        seed,
        vec![
            "NUM_AVVISO",
            "ANNO_RIFERIMENTO",
            "COD_SERVIZIO",
            "CF_PAGANTE",
            "COGNOME_PAGANTE",
            "NOME_PAGANTE",
            "DATA_NASCITA_PAGANTE",
            "CF_UTENTE",
            "DATA_EMISSIONE",
            "DATA_SCADENZA",
            "IMPORTO_EMESSO",
            "IMPORTO_PAGATO",
            "DATA_ULTIMO_PAGAMENTO",
        ],
    );
    let cfs = resident_codes(city);
    let on = date(2025, 1, 1);
    let mut notice = 0u32;
    for (i, child) in city.people.iter().enumerate() {
        let age = child.age_on(on);
        let parents = city.parents_of(i);
        let Some(&payer_idx) = (if parents.len() > 1 && rng.chance(0.3) {
            parents.get(1)
        } else {
            parents.first()
        }) else {
            continue;
        };
        for (code, ages, p, tariffs) in BILLED {
            if !(ages.0..=ages.1).contains(&age) || !rng.chance(p) {
                continue;
            }
            let outside = rng.chance(rates.rate(ErrorKind::NonResident));
            let (child_cf, payer, resident, fam_isee) = if outside {
                let c = outsider(&mut rng, city, &cfs, (ages.0.max(1), ages.1));
                let mut p = outsider(&mut rng, city, &cfs, (28, 55));
                p.surname = c.surname.clone();
                p.cf = encode(&p.surname, &p.name, p.birth, p.sex(), p.birthplace).unwrap_or(p.cf);
                (c.cf, p, false, None)
            } else {
                (
                    child.cf.clone(),
                    city.people[payer_idx].clone(),
                    true,
                    isee[child.family],
                )
            };
            let (id, mut kinds) = identity(&mut rng, &rates, &payer, resident, None, true);
            let user_cf = if rng.chance(rates.rate(ErrorKind::PayerCfInUserField)) {
                kinds.push(ErrorKind::PayerCfInUserField);
                payer.cf.clone()
            } else {
                child_cf
            };
            let band_index = usize::from(band(fam_isee).as_bytes()[0] - b'A');
            let billed = tariffs[band_index.min(4)] * (80 + rng.below(41)) / 100;
            let paid = match rng.below(100) {
                0..=79 => billed,
                80..=91 => billed * (30 + rng.below(61)) / 100,
                _ => 0,
            };
            let issued = plus_days(date(2025, 1, 15), rng.below(300));
            let due = plus_days(issued, 30);
            let last_payment = (paid > 0).then(|| plus_days(issued, rng.below(90)));
            notice += 1;
            let key = format!("AVV{}{:07}", on.year(), notice);
            e.rows.push(vec![
                key.clone(),
                "2025".into(),
                code.into(),
                id.cf,
                id.surname,
                id.name,
                dash(id.birth),
                user_cf,
                dash(issued),
                dash(due),
                euro_plain_comma(billed),
                euro_plain_comma(paid),
                last_payment.map(dash).unwrap_or_default(),
            ]);
            e.truth.push(Truth {
                key,
                person: resident.then_some(payer.id),
                errors: kinds,
                address: None,
            });
        }
    }
    duplicate(&mut rng, &rates, &mut e);
    e
}

/// The tax years of the IRPEF supply.
pub const TAX_YEARS: [i32; 2] = [2023, 2024];

/// IRPEF incomes (the Agenzia delle Entrate's supply to the municipality):
/// one row per taxpayer and tax year, the codice fiscale the only identity,
/// incomes and net tax in whole euros. Residents who file (most adults),
/// taxpayers who have left the city, and taxpayers who have died since.
pub fn irpef(city: &City, seed: u64) -> Extract {
    let (rates, mut rng, mut e) = begin(
        "irpef",
        seed,
        vec![
            "PROGRESSIVO",
            "ANNO_IMPOSTA",
            "CODICE_FISCALE",
            "TIPO_DICHIARAZIONE",
            "REDDITO_LAVORO_DIPENDENTE",
            "REDDITO_PENSIONE",
            "REDDITO_ALTRO",
            "REDDITO_COMPLESSIVO",
            "IMPOSTA_NETTA",
        ],
    );
    let cfs = resident_codes(city);
    let mut progressive = 0u32;
    for p in &city.people {
        let foreign = city.families[p.family].origin.is_some();
        // Who the person is, drawn once for both years.
        let age = p.age_on(date(2024, 12, 31));
        let outside = rng.chance(rates.rate(ErrorKind::NonResident));
        let deceased = !outside && rng.chance(rates.rate(ErrorKind::Deceased));
        let (person, resident) = if outside {
            (outsider(&mut rng, city, &cfs, (20, 90)), false)
        } else if deceased {
            (outsider(&mut rng, city, &cfs, (70, 100)), false)
        } else {
            (p.clone(), true)
        };
        let age = if resident {
            age
        } else {
            person.age_on(date(2024, 12, 31))
        };
        let kind = match rng.below(100) {
            _ if age < 18 => 3,
            _ if age >= 67 => 0,
            x if age >= 60 && x < 50 => 0,
            x if x < 70 => 1,
            x if x < 80 => 2,
            _ => 3,
        };
        let base: u64 = match kind {
            0 => {
                let top = if rng.chance(0.1) { 60_000 } else { 30_000 };
                rng.range(9_000, top) as u64
            }
            1 => {
                let top = if rng.chance(0.1) { 120_000 } else { 45_000 };
                rng.range(12_000, top) as u64
            }
            2 => rng.range(5_000, 80_000) as u64,
            _ => 0,
        };
        let base = if foreign { base * 7 / 10 } else { base };
        let (id, errors) = identity(&mut rng, &rates, &person, resident, None, false);
        let errors: Vec<ErrorKind> = if deceased {
            errors
                .into_iter()
                .map(|k| {
                    if k == ErrorKind::NonResident {
                        ErrorKind::Deceased
                    } else {
                        k
                    }
                })
                .collect()
        } else {
            errors
        };
        for (y, year) in TAX_YEARS.into_iter().enumerate() {
            let files = rng.chance(0.9);
            // The dead file no return for the year after their death.
            if kind == 3 || !files || (deceased && y == 1 && rng.chance(0.5)) {
                continue;
            }
            let income = base * (100 + 3 * y as u64 + rng.below(4)) / 100;
            let (employee, pension, other) = match kind {
                0 => (0, income, 0),
                1 => (income, 0, 0),
                _ => (0, 0, income),
            };
            let tax = income.saturating_sub(8_500) * 24 / 100;
            let form = match kind {
                2 => "REDDITI PF",
                _ if rng.chance(0.75) => "730",
                _ => "CU",
            };
            progressive += 1;
            let key = progressive.to_string();
            e.rows.push(vec![
                key.clone(),
                year.to_string(),
                id.cf.clone(),
                form.into(),
                employee.to_string(),
                pension.to_string(),
                other.to_string(),
                income.to_string(),
                tax.to_string(),
            ]);
            e.truth.push(Truth {
                key,
                person: resident.then_some(person.id),
                errors: errors.clone(),
                address: None,
            });
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::extracts::{assert_rows_match_truth, family_isee, test_city as city};

    #[test]
    fn billing_is_the_payers_with_the_childs_code_now_and_then_the_payers() {
        let c = city();
        let e = riscossione(&c, 5, &family_isee(&c, 5));
        assert!(e.rows.len() > 100, "{}", e.rows.len());
        assert_rows_match_truth(&e, &[ErrorKind::NonResident]);
        let mut payer_in_user = 0;
        for (row, t) in e.rows.iter().zip(&e.truth) {
            if let Some(p) = t.person {
                let payer = &c.people[p as usize - 1];
                assert!(payer.age_on(c.reference) >= 18);
                if t.errors.is_empty() {
                    assert_eq!(row[3], payer.cf);
                    assert_ne!(row[7], payer.cf);
                }
                if t.errors.contains(&ErrorKind::PayerCfInUserField) {
                    assert_eq!(row[7], payer.cf);
                    payer_in_user += 1;
                }
            }
            let amount = |s: &str| s.replace(',', ".").parse::<f64>().unwrap();
            assert!(amount(&row[11]) <= amount(&row[10]));
        }
        assert!(payer_in_user > 0);
        assert_eq!(euro_plain_comma(123_450), "1234,50");
    }

    #[test]
    fn irpef_has_codes_only_and_the_dead_and_departed_unmatched() {
        let c = city();
        let e = irpef(&c, 5);
        assert!(e.rows.len() > 2000, "{}", e.rows.len());
        assert_rows_match_truth(&e, &[ErrorKind::NonResident, ErrorKind::Deceased]);
        let (mut dead, mut gone) = (0, 0);
        for (row, t) in e.rows.iter().zip(&e.truth) {
            dead += usize::from(t.errors.contains(&ErrorKind::Deceased));
            gone += usize::from(t.errors.contains(&ErrorKind::NonResident));
            if let (Some(p), true) = (t.person, t.errors.is_empty()) {
                assert_eq!(row[2], c.people[p as usize - 1].cf);
            }
            assert!(t.errors.iter().all(|k| matches!(
                k,
                ErrorKind::CfOmocodeForm | ErrorKind::NonResident | ErrorKind::Deceased
            )));
            assert!(TAX_YEARS.iter().any(|y| row[1] == y.to_string()));
        }
        assert!(dead > 0 && gone > 0, "{dead} dead, {gone} gone");
    }
}
