//! The inconsistencies between sources that only linkage reveals, planted
//! after the extracts are built and labelled in their truth files, for the
//! demo's cross-source checks (`rules/demo/`, check kind VG302):
//!
//! - housing tenants: a household size that is not the tenant's family's
//!   ([`ErrorKind::HouseholdSizeMismatch`]);
//! - canteen: an ISEE that is not the one the family declared — an
//!   outdated value, with the tariff band and exemption it gives
//!   ([`ErrorKind::IseeMismatch`]);
//! - canteen: enrolments of children outside school age by their
//!   registered birth date, appended after the other rows
//!   ([`ErrorKind::PupilAgeOutOfRange`]).
//!
//! Each is planted only where the check can see it: on rows about a
//! resident whose identity carries no injected error (so that the row
//! links to its person whatever the model), and for the ISEE on families
//! whose declaration is in the ISEE extract with a clean identity too. Every
//! other row agrees with the anagrafe and the declarations by construction,
//! so a check's findings are exactly the labelled rows. Each kind draws
//! from a random stream of its own: the rows drawn before are unchanged.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use miette::IntoDiagnostic;

use super::anagrafe::City;
use super::errors::{ErrorKind, ErrorRates};
use super::extracts::{band, date, dmy, euro_comma, exempt, Extract, Truth};
use crate::rng::Rng;

/// The demo's cross-source checks: (source, check id in its rule file,
/// the label of the rows it must find).
pub const CHECKS: [(&str, &str, ErrorKind); 3] = [
    (
        "erp_inquilini",
        "componenti-come-anagrafe",
        ErrorKind::HouseholdSizeMismatch,
    ),
    (
        "refezione",
        "isee-come-dichiarazione",
        ErrorKind::IseeMismatch,
    ),
    (
        "refezione",
        "eta-alunno-da-anagrafe",
        ErrorKind::PupilAgeOutOfRange,
    ),
];

/// How one cross-source check did against the truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Score {
    /// The source.
    pub source: &'static str,
    /// The check's id.
    pub check: &'static str,
    /// Rows it flagged.
    pub flagged: usize,
    /// Rows the truth labels.
    pub labelled: usize,
    /// Rows both.
    pub found: usize,
}

impl Score {
    /// Flagged rows that are labelled (1 when none is flagged).
    pub fn precision(&self) -> f64 {
        if self.flagged == 0 {
            1.0
        } else {
            self.found as f64 / self.flagged as f64
        }
    }

    /// Labelled rows that are flagged (1 when none is labelled).
    pub fn recall(&self) -> f64 {
        if self.labelled == 0 {
            1.0
        } else {
            self.found as f64 / self.labelled as f64
        }
    }
}

/// Scores [`CHECKS`] from a run's `reports/<source>/findings.csv` against
/// `truth/<source>.csv` (rows by number).
pub fn score(reports: &Path, truth: &Path) -> miette::Result<Vec<Score>> {
    let rows = |path: &Path,
                key: &str,
                keep: &dyn Fn(&csv::StringRecord, &csv::StringRecord) -> bool|
     -> miette::Result<HashSet<u64>> {
        let mut r = csv::Reader::from_path(path)
            .into_diagnostic()
            .map_err(|e| e.wrap_err(format!("cannot read {}", path.display())))?;
        let header = r.headers().into_diagnostic()?.clone();
        let at = header
            .iter()
            .position(|h| h == key)
            .ok_or_else(|| miette::miette!("{}: no column {key}", path.display()))?;
        let mut out = HashSet::new();
        for rec in r.records() {
            let rec = rec.into_diagnostic()?;
            if keep(&header, &rec) {
                if let Some(n) = rec.get(at).and_then(|v| v.parse().ok()) {
                    out.insert(n);
                }
            }
        }
        Ok(out)
    };
    let field = |h: &csv::StringRecord, r: &csv::StringRecord, name: &str| -> String {
        h.iter()
            .position(|x| x == name)
            .and_then(|i| r.get(i))
            .unwrap_or("")
            .to_string()
    };
    let mut out = Vec::new();
    for (source, check, kind) in CHECKS {
        let flagged = rows(
            &reports.join(source).join("findings.csv"),
            "row",
            &|h, r| field(h, r, "check") == check,
        )?;
        let labelled = rows(&truth.join(format!("{source}.csv")), "ROW", &|h, r| {
            field(h, r, "ERRORS").split(';').any(|k| k == kind.code())
        })?;
        out.push(Score {
            source,
            check,
            flagged: flagged.len(),
            labelled: labelled.len(),
            found: flagged.intersection(&labelled).count(),
        });
    }
    Ok(out)
}

/// The day the canteen service starts for most pupils (as
/// [`super::extracts::refezione`] writes it).
fn school_start() -> NaiveDate {
    date(2025, 9, 15)
}

/// Plants the three kinds into the extracts (see the module docs).
pub fn plant(
    city: &City,
    seed: u64,
    isee_values: &[Option<u64>],
    refezione: &mut Extract,
    erp: &mut Extract,
    isee: &Extract,
) {
    household_size(seed, erp);
    isee_mismatch(city, seed, refezione, isee);
    pupils_out_of_age(city, seed, isee_values, refezione);
}

fn column(e: &Extract, name: &str) -> Option<usize> {
    e.header.iter().position(|h| *h == name)
}

/// The rows to plant `kind` into: among the keys whose first row is about
/// a resident with a clean identity (and `eligible`), the kind's rate of
/// them (at least two, so that every demo has some), drawn uniformly; and
/// every row with a chosen key (a duplicated row keeps its copy's error).
fn choose(
    e: &Extract,
    rng: &mut Rng,
    kind: ErrorKind,
    eligible: impl Fn(usize, &Truth) -> bool,
) -> Vec<usize> {
    let rate = ErrorRates::for_extract(e.name).rate(kind);
    let mut seen: HashSet<&str> = HashSet::new();
    let mut keys: Vec<&str> = Vec::new();
    for (i, t) in e.truth.iter().enumerate() {
        if seen.insert(t.key.as_str())
            && t.person.is_some()
            && t.errors.is_empty()
            && eligible(i, t)
        {
            keys.push(t.key.as_str());
        }
    }
    let n = ((keys.len() as f64 * rate).round() as usize)
        .max(2)
        .min(keys.len());
    let mut chosen: HashSet<&str> = HashSet::new();
    while chosen.len() < n {
        chosen.insert(keys[rng.below(keys.len() as u64) as usize]);
    }
    (0..e.truth.len())
        .filter(|&i| chosen.contains(e.truth[i].key.as_str()))
        .collect()
}

/// Housing: the contract's `NUM_COMPONENTI` off by one or two.
fn household_size(seed: u64, erp: &mut Extract) {
    let Some(col) = column(erp, "NUM_COMPONENTI") else {
        return;
    };
    let mut rng = Rng::stream(seed, "cross-componenti");
    let rows = choose(erp, &mut rng, ErrorKind::HouseholdSizeMismatch, |_, _| true);
    let mut new: HashMap<String, String> = HashMap::new();
    for i in rows {
        let key = erp.truth[i].key.clone();
        let size: i64 = erp.rows[i][col].parse().unwrap_or(1);
        let written = new.entry(key).or_insert_with(|| {
            let delta = 1 + rng.below(2) as i64;
            let wrong = if size <= 2 || rng.chance(0.5) {
                size + delta
            } else {
                size - delta
            };
            wrong.clamp(1, 12).to_string()
        });
        erp.rows[i][col] = written.clone();
        erp.truth[i].errors.push(ErrorKind::HouseholdSizeMismatch);
    }
}

/// Canteen: an outdated ISEE (20 to 45 % away, at least 100 euros) where
/// the family's declaration will link.
fn isee_mismatch(city: &City, seed: u64, refezione: &mut Extract, isee: &Extract) {
    let (Some(value), Some(fascia), Some(esonero)) = (
        column(refezione, "VALORE_ISEE"),
        column(refezione, "FASCIA_ISEE"),
        column(refezione, "ESONERO"),
    ) else {
        return;
    };
    // Families whose declaration is by a resident with a clean identity.
    let declared: HashSet<usize> = isee
        .truth
        .iter()
        .filter(|t| t.errors.is_empty())
        .filter_map(|t| t.person)
        .filter_map(|p| city.people.get(p as usize - 1).map(|q| q.family))
        .collect();
    let family = |t: &Truth| {
        t.person
            .and_then(|p| city.people.get(p as usize - 1))
            .map(|q| q.family)
    };
    let mut rng = Rng::stream(seed, "cross-isee");
    let rows = choose(refezione, &mut rng, ErrorKind::IseeMismatch, |i, t| {
        !refezione.rows[i][value].is_empty() && family(t).is_some_and(|f| declared.contains(&f))
    });
    let mut new: HashMap<String, u64> = HashMap::new();
    for i in rows {
        let key = refezione.truth[i].key.clone();
        let cents = family(&refezione.truth[i])
            .and_then(|_| isee_of(&refezione.rows[i][value]))
            .unwrap_or(0);
        let wrong = *new.entry(key).or_insert_with(|| {
            let pct = 20 + rng.below(26);
            let w = if rng.chance(0.5) {
                cents + cents * pct / 100
            } else {
                cents - cents * pct / 100
            };
            if w.abs_diff(cents) < 10_000 {
                cents + 10_000 + rng.below(50_000)
            } else {
                w
            }
        });
        let row = &mut refezione.rows[i];
        row[value] = euro_comma(wrong);
        row[fascia] = band(Some(wrong)).into();
        row[esonero] = exempt(Some(wrong)).into();
        refezione.truth[i].errors.push(ErrorKind::IseeMismatch);
    }
}

/// `12.345,67` → cents.
fn isee_of(text: &str) -> Option<u64> {
    let (euros, cents) = text.split_once(',')?;
    let euros: u64 = euros.replace('.', "").parse().ok()?;
    Some(euros * 100 + cents.parse::<u64>().ok()?)
}

/// Canteen: enrolments, appended, of resident children aged 1–2 or 16–17
/// when the service starts (1 % of the pupils, at least two), with their
/// identity as registered.
fn pupils_out_of_age(city: &City, seed: u64, isee_values: &[Option<u64>], refezione: &mut Extract) {
    let start = school_start();
    let candidates: Vec<usize> = city
        .people
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            let age = crate::expr::age_at(p.birth, start);
            ((1..=2).contains(&age) || (16..=17).contains(&age)) && !city.parents_of(*i).is_empty()
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return;
    }
    let pupils = refezione
        .truth
        .iter()
        .map(|t| t.key.as_str())
        .collect::<HashSet<_>>()
        .len();
    let rate = ErrorRates::for_extract(refezione.name).rate(ErrorKind::PupilAgeOutOfRange);
    let n = ((pupils as f64 * rate).round() as usize)
        .max(2)
        .min(candidates.len());
    let mut rng = Rng::stream(seed, "cross-eta");
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < n {
        let c = candidates[rng.below(candidates.len() as u64) as usize];
        if !chosen.contains(&c) {
            chosen.push(c);
        }
    }
    chosen.sort_unstable();
    let mut key = refezione
        .truth
        .iter()
        .filter_map(|t| t.key.parse::<u64>().ok())
        .max()
        .unwrap_or(250_000);
    for c in chosen {
        let child = &city.people[c];
        let parents = city.parents_of(c);
        let payer = &city.people[parents[0]];
        let fam_isee = isee_values.get(child.family).copied().flatten();
        key += 1;
        refezione.rows.push(vec![
            key.to_string(),
            "2025/2026".into(),
            "REF".into(),
            child.cf.clone(),
            child.surname.clone(),
            child.name.clone(),
            dmy(child.birth),
            payer.cf.clone(),
            payer.surname.clone(),
            payer.name.clone(),
            fam_isee.map(euro_comma).unwrap_or_default(),
            band(fam_isee).into(),
            dmy(start),
            String::new(),
            exempt(fam_isee).into(),
        ]);
        refezione.truth.push(Truth {
            key: key.to_string(),
            person: Some(child.id),
            errors: vec![ErrorKind::PupilAgeOutOfRange],
            address: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::extracts;

    #[test]
    fn each_kind_is_planted_labelled_and_only_where_the_check_can_see_it() {
        let city = extracts::test_city();
        let seed = 3;
        let values = extracts::family_isee(&city, seed);
        let mut refezione = extracts::refezione(&city, seed, &values);
        let mut erp = extracts::erp_inquilini(&city, seed);
        let isee = extracts::isee(&city, seed, &values);
        let (ref0, erp0) = (refezione.clone(), erp.clone());
        plant(&city, seed, &values, &mut refezione, &mut erp, &isee);
        let labelled =
            |e: &Extract, k: ErrorKind| e.truth.iter().filter(|t| t.errors.contains(&k)).count();
        assert!(labelled(&erp, ErrorKind::HouseholdSizeMismatch) > 0);
        assert!(labelled(&refezione, ErrorKind::IseeMismatch) > 0);
        assert!(labelled(&refezione, ErrorKind::PupilAgeOutOfRange) >= 2);
        // A labelled housing row differs from the family's size; every
        // other row is as it was.
        let col = column(&erp, "NUM_COMPONENTI").unwrap();
        for (i, t) in erp.truth.iter().enumerate() {
            let changed = erp.rows[i] != erp0.rows[i];
            assert_eq!(
                changed,
                t.errors.contains(&ErrorKind::HouseholdSizeMismatch)
            );
            if let Some(p) = t
                .person
                .filter(|_| !t.errors.contains(&ErrorKind::NonResident))
            {
                let size = city.families[city.people[p as usize - 1].family]
                    .members
                    .len();
                assert_eq!(erp.rows[i][col] != size.to_string(), changed, "row {i}");
            }
        }
        // The canteen's rows before the appended pupils: changed exactly
        // where labelled; the appended ones are out of school age.
        for (i, row) in ref0.rows.iter().enumerate() {
            let t = &refezione.truth[i];
            assert_eq!(
                refezione.rows[i] != *row,
                t.errors.contains(&ErrorKind::IseeMismatch)
            );
        }
        for t in &refezione.truth[ref0.rows.len()..] {
            assert_eq!(t.errors, vec![ErrorKind::PupilAgeOutOfRange]);
            let p = &city.people[t.person.unwrap() as usize - 1];
            let age = crate::expr::age_at(p.birth, school_start());
            assert!(!(3..=15).contains(&age), "{age}");
        }
        assert_eq!(isee_of("12.345,67"), Some(1_234_567));
    }
}
