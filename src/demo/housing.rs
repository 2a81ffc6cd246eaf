//! The public-housing extracts of the demo city beyond the tenancies: the
//! ranking list of the 2025 call (`graduatoria_erp`: applicant households
//! with their score and position, many not yet residents) and the
//! assignments of dwellings (`assegnazioni_erp`), each with its truth.

use super::anagrafe::{City, Person};
use super::errors::{ErrorKind, ErrorRates};
use super::extracts::{
    begin, date, dmy, duplicate, identity, iso, outsider, plus_days, resident_codes, Extract, Truth,
};
use crate::rng::Rng;

/// The highest score of the call (scores run from 0 to this).
pub const MAX_SCORE: u64 = 100;

/// One application of the ranking list, as the assignments need it.
#[derive(Clone, Debug)]
pub struct Application {
    /// `ID_DOMANDA`.
    pub id: String,
    /// The applicant.
    pub person: Person,
    /// A resident (the registry holds the applicant).
    pub resident: bool,
    /// Position in the list (1 = first).
    pub position: usize,
    /// Household size.
    pub size: usize,
}

/// `2350` hundredths → `23,50`.
fn score_text(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.unsigned_abs();
    format!("{sign}{},{:02}", h / 100, h % 100)
}

/// The ranking list of the 2025 call for public housing: one row per
/// application in order of position (highest score first), the applicant's
/// identity, household size, ISEE, score. About a third of the applicants
/// live elsewhere (they work in the city); a few households applied twice;
/// a few scores were typed out of range.
pub fn graduatoria_erp(
    city: &City,
    seed: u64,
    isee: &[Option<u64>],
) -> (Extract, Vec<Application>) {
    let name = "graduatoria_erp";
    let rates = ErrorRates::for_extract(name);
    let mut rng = Rng::stream(seed, name);
    let cfs = resident_codes(city);
    // (score in hundredths, application, its row, its truth)
    let mut drafts: Vec<(i64, Application, Vec<String>, Truth)> = Vec::new();
    let mut number = 0u32;
    let mut apply = |rng: &mut Rng,
                     person: &Person,
                     resident: bool,
                     size: usize,
                     isee_cents: Option<u64>,
                     extra: Option<ErrorKind>| {
        let (id, mut kinds) = identity(rng, &rates, person, resident, None, true);
        kinds.extend(extra);
        let poor = isee_cents.map_or(0, |c| 25_000 - (c / 100).min(25_000) as i64);
        let mut score = poor / 5 + 300 * size as i64 + rng.range(0, 4_000);
        score = score.min(MAX_SCORE as i64 * 100);
        if rng.chance(rates.rate(ErrorKind::ScoreOutOfRange)) {
            score = if rng.chance(0.5) {
                MAX_SCORE as i64 * 100 + rng.range(100, 90_000)
            } else {
                -rng.range(100, 2_000)
            };
            kinds.push(ErrorKind::ScoreOutOfRange);
        }
        number += 1;
        let key = format!("D2025/{number:06}");
        let applied = plus_days(date(2025, 3, 1), rng.below(60));
        let row = vec![
            key.clone(),
            "2025".into(),
            String::new(), // the position, once every score is known
            score_text(score),
            id.cf,
            id.surname,
            id.name,
            dmy(id.birth),
            size.to_string(),
            isee_cents
                .map(super::extracts::euro_comma)
                .unwrap_or_default(),
            dmy(applied),
        ];
        let truth = Truth {
            key: key.clone(),
            person: resident.then_some(person.id),
            errors: kinds,
            address: None,
        };
        let application = Application {
            id: key,
            person: person.clone(),
            resident,
            position: 0,
            size,
        };
        drafts.push((score, application, row, truth));
    };
    for (fi, f) in city.families.iter().enumerate() {
        let poor = isee[fi].is_some_and(|c| c < 2_000_000);
        let p = match (f.origin.is_some(), poor) {
            (true, true) => 0.30,
            (false, true) => 0.10,
            (true, false) => 0.08,
            (false, false) => 0.012,
        };
        if !rng.chance(p) {
            continue;
        }
        let head = &city.people[f.members[0]];
        if head.age_on(city.reference) < 18 {
            continue;
        }
        apply(&mut rng, head, true, f.members.len(), isee[fi], None);
        if rng.chance(rates.rate(ErrorKind::DuplicateApplicant)) {
            let extra = Some(ErrorKind::DuplicateApplicant);
            apply(&mut rng, head, true, f.members.len(), isee[fi], extra);
        }
        // Households living elsewhere apply too: about one in three.
        if rng.chance(0.5) {
            let p = outsider(&mut rng, city, &cfs, (20, 75));
            let size = rng.range(1, 6) as usize;
            let cents = rng
                .chance(0.9)
                .then(|| rng.range(100_000, 2_500_000) as u64);
            apply(&mut rng, &p, false, size, cents, None);
        }
    }
    // Highest score first; ties by application number.
    drafts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    let mut e = Extract {
        name,
        header: vec![
            "ID_DOMANDA",
            "BANDO",
            "POSIZIONE",
            "PUNTEGGIO",
            "CF_RICHIEDENTE",
            "COGNOME_RICHIEDENTE",
            "NOME_RICHIEDENTE",
            "DATA_NASCITA_RICHIEDENTE",
            "NUM_COMPONENTI",
            "VALORE_ISEE",
            "DATA_DOMANDA",
        ],
        rows: Vec::new(),
        truth: Vec::new(),
    };
    let mut applications = Vec::new();
    for (position, (_, mut a, mut row, truth)) in drafts.into_iter().enumerate() {
        a.position = position + 1;
        row[2] = a.position.to_string();
        e.rows.push(row);
        e.truth.push(truth);
        applications.push(a);
    }
    duplicate(&mut rng, &rates, &mut e);
    (e, applications)
}

/// Assignments of public dwellings: the first eighth of the 2025 ranking
/// list (those living elsewhere have not moved in yet: not residents), and
/// assignments of earlier calls to resident families; the agency retypes
/// the assignee's identity (its own errors).
pub fn assegnazioni_erp(city: &City, seed: u64, ranking: &[Application]) -> Extract {
    let (rates, mut rng, mut e) = begin(
        "assegnazioni_erp",
        seed,
        vec![
            "ID_ASSEGNAZIONE",
            "ID_DOMANDA",
            "CODICE_ALLOGGIO",
            "CF_ASSEGNATARIO",
            "COGNOME",
            "NOME",
            "DATA_NASCITA",
            "DATA_ASSEGNAZIONE",
            "NUM_COMPONENTI",
            "CANONE_MENSILE",
            "QUARTIERE",
        ],
    );
    let cfs = resident_codes(city);
    let mut number = 0u32;
    let mut assign = |rng: &mut Rng,
                      person: &Person,
                      resident: bool,
                      application: &str,
                      size: usize,
                      year: i32| {
        let (id, kinds) = identity(rng, &rates, person, resident, None, true);
        number += 1;
        let key = format!("ASS-{year}-{number:05}");
        let when = plus_days(date(year, 1, 10), rng.below(330)).min(city.reference);
        let rent = rng.range(4_000, 45_000) as f64 / 100.0;
        let quartiere = if resident {
            city.families[person.family].address.quartiere_name()
        } else {
            ""
        };
        e.rows.push(vec![
            key.clone(),
            application.to_string(),
            format!("{}", 100_000 + rng.below(900_000)),
            id.cf,
            id.surname,
            id.name,
            iso(id.birth),
            iso(when),
            size.to_string(),
            format!("{rent:.2}"),
            quartiere.into(),
        ]);
        e.truth.push(Truth {
            key,
            person: resident.then_some(person.id),
            errors: kinds,
            address: None,
        });
    };
    let first = ranking.len().div_ceil(8);
    for a in ranking.iter().take(first) {
        assign(&mut rng, &a.person, a.resident, &a.id, a.size, 2025);
    }
    // Earlier calls: resident families housed in 2022–2024, now and then
    // an assignee who has since left.
    for f in &city.families {
        let p = if f.origin.is_some() { 0.03 } else { 0.01 };
        if !rng.chance(p) {
            continue;
        }
        let year = rng.range(2022, 2024) as i32;
        if rng.chance(rates.rate(ErrorKind::NonResident)) {
            let p = outsider(&mut rng, city, &cfs, (25, 80));
            let size = rng.range(1, 5) as usize;
            assign(&mut rng, &p, false, "", size, year);
        } else {
            let head = &city.people[f.members[0]];
            if head.age_on(city.reference) < 18 {
                continue;
            }
            assign(&mut rng, head, true, "", f.members.len(), year);
        }
    }
    duplicate(&mut rng, &rates, &mut e);
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::extracts::{assert_rows_match_truth, family_isee, test_city as city};

    #[test]
    fn the_ranking_is_in_order_with_its_labelled_errors() {
        let c = city();
        let (e, apps) = graduatoria_erp(&c, 5, &family_isee(&c, 5));
        assert!(e.rows.len() > 40, "{}", e.rows.len());
        assert_rows_match_truth(&e, &[ErrorKind::NonResident]);
        let outside = e.truth.iter().filter(|t| t.person.is_none()).count();
        assert!(outside * 5 > e.rows.len(), "many applicants live elsewhere");
        let score = |s: &str| s.replace(',', ".").parse::<f64>().unwrap();
        let mut last = f64::INFINITY;
        for (row, t) in e.rows.iter().zip(&e.truth) {
            let s = score(&row[3]);
            assert!(s <= last, "ranked by score");
            last = s;
            assert_eq!(
                !(0.0..=MAX_SCORE as f64).contains(&s),
                t.errors.contains(&ErrorKind::ScoreOutOfRange)
            );
        }
        assert_eq!(
            apps.len()
                + e.truth
                    .iter()
                    .filter(|t| t.errors.contains(&ErrorKind::DuplicateRow))
                    .count(),
            e.rows.len()
        );
        assert_eq!(score_text(-150), "-1,50");
        // A duplicated applicant is the same person as another row.
        for t in e
            .truth
            .iter()
            .filter(|t| t.errors.contains(&ErrorKind::DuplicateApplicant))
        {
            assert!(e
                .truth
                .iter()
                .any(|o| o.key != t.key && o.person == t.person));
        }
    }

    #[test]
    fn assignments_go_to_the_top_of_the_list_and_earlier_calls() {
        let c = city();
        let (_, apps) = graduatoria_erp(&c, 5, &family_isee(&c, 5));
        let e = assegnazioni_erp(&c, 5, &apps);
        assert!(e.rows.len() > 10, "{}", e.rows.len());
        assert_rows_match_truth(&e, &[ErrorKind::NonResident]);
        for row in &e.rows {
            if !row[1].is_empty() {
                let a = apps.iter().find(|a| a.id == row[1]).unwrap();
                assert!(a.position <= apps.len().div_ceil(8));
            }
        }
    }
}
