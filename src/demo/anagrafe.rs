//! The population registry of the demo city: families (head, spouse or
//! partner, children, sometimes a parent of the head), an age pyramid,
//! foreign residents from Bologna's main communities, addresses, and each
//! resident's correct codice fiscale, with omocodes where two residents share
//! a base code.

use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate};

use super::names::{self, Origin, ORIGINS, TWIN_NAMES};
use super::places::{self, Address};
use crate::identity::codice_fiscale::{encode, omocode_of_level, Sex};
use crate::rng::{Rng, Weighted};

/// ANPR relationship codes (table 5) used by the demo.
pub mod relation {
    /// Head of the family record (intestatario scheda).
    pub const HEAD: u8 = 1;
    /// Husband or wife.
    pub const SPOUSE: u8 = 2;
    /// Son or daughter.
    pub const CHILD: u8 = 3;
    /// Father or mother of the head.
    pub const PARENT: u8 = 6;
    /// Cohabitant (by affection).
    pub const COHABITANT: u8 = 23;
}

/// ISTAT citizenship code of Italy.
pub const ITALY: &str = "100";

/// One resident.
#[derive(Clone, Debug)]
pub struct Person {
    /// `ID_PERSONA` (1-based, in registry order).
    pub id: u32,
    /// Index of the family in [`City::families`].
    pub family: usize,
    /// ANPR relationship to the head.
    pub relation: u8,
    /// Surname as registered.
    pub surname: String,
    /// Given name(s) as registered.
    pub name: String,
    /// Sex.
    pub female: bool,
    /// Birth date.
    pub birth: NaiveDate,
    /// Belfiore code of the place of birth, valid at the birth date.
    pub birthplace: &'static str,
    /// ISTAT citizenship code (`100` Italy).
    pub citizenship: &'static str,
    /// Codice fiscale (an omocode when another resident has the same base).
    pub cf: String,
}

impl Person {
    /// The sex as the codice fiscale records it.
    pub fn sex(&self) -> Sex {
        if self.female {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// Age in whole years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> i32 {
        let mut age = date.year() - self.birth.year();
        if (date.month(), date.day()) < (self.birth.month(), self.birth.day()) {
            age -= 1;
        }
        age
    }

    /// Whether the person was born abroad.
    pub fn born_abroad(&self) -> bool {
        self.birthplace.starts_with('Z')
    }
}

/// A family record (famiglia anagrafica).
#[derive(Clone, Debug)]
pub struct Family {
    /// `ID_FAMIGLIA`.
    pub id: u32,
    /// Where it lives.
    pub address: Address,
    /// Indices into [`City::people`], head first.
    pub members: Vec<usize>,
    /// Index into [`ORIGINS`] for a foreign family.
    pub origin: Option<usize>,
}

/// The registry.
#[derive(Clone, Debug)]
pub struct City {
    /// The day the registry describes (ages are computed on it).
    pub reference: NaiveDate,
    /// Residents, in `ID_PERSONA` order.
    pub people: Vec<Person>,
    /// Families, in `ID_FAMIGLIA` order.
    pub families: Vec<Family>,
    /// The Italian surname distribution (common surnames and the synthetic
    /// tail), reused for people who are not residents.
    pub surnames: Vec<String>,
    surname_weights: Weighted,
}

/// A member before names and codes are settled.
struct Draft {
    relation: u8,
    female: bool,
    age: i32,
    /// Twin of the previous draft (same birth date).
    twin: bool,
}

fn adult_age(rng: &mut Rng, bins: &[((i32, i32), u32)]) -> i32 {
    let &(lo, hi) = rng.weighted(bins);
    rng.range(i64::from(lo), i64::from(hi)) as i32
}

const SINGLE_AGES: &[((i32, i32), u32)] = &[
    ((19, 24), 5),
    ((25, 34), 15),
    ((35, 44), 13),
    ((45, 54), 14),
    ((55, 64), 14),
    ((65, 74), 15),
    ((75, 84), 22),
    ((85, 99), 15),
];
const COUPLE_AGES: &[((i32, i32), u32)] = &[
    ((25, 34), 8),
    ((35, 44), 10),
    ((45, 54), 12),
    ((55, 64), 18),
    ((65, 74), 24),
    ((75, 84), 20),
    ((85, 95), 8),
];
const PARENT_AGES: &[((i32, i32), u32)] = &[
    ((24, 34), 12),
    ((35, 44), 28),
    ((45, 54), 34),
    ((55, 64), 20),
    ((65, 72), 6),
];
const FOREIGN_ADULT_AGES: &[((i32, i32), u32)] = &[
    ((19, 24), 10),
    ((25, 34), 30),
    ((35, 44), 30),
    ((45, 54), 18),
    ((55, 64), 9),
    ((65, 80), 3),
];

/// Household sizes 1..=6: Italian and foreign families.
const SIZES_IT: &[(usize, u32)] = &[(1, 47), (2, 31), (3, 12), (4, 8), (5, 1), (6, 1)];
const SIZES_FOREIGN: &[(usize, u32)] = &[(1, 33), (2, 19), (3, 18), (4, 18), (5, 8), (6, 4)];

/// Share of families that are foreign (about 15% of residents, since they are
/// larger).
const FOREIGN_FAMILIES: f64 = 0.13;
/// Chance that the two youngest children of a family are twins.
const TWINS: f64 = 0.04;

fn household(rng: &mut Rng, foreign: bool) -> Vec<Draft> {
    let size = *rng.weighted(if foreign { SIZES_FOREIGN } else { SIZES_IT });
    let draft = |relation, female, age| Draft {
        relation,
        female,
        age,
        twin: false,
    };
    if size == 1 {
        let age = if foreign {
            adult_age(rng, FOREIGN_ADULT_AGES)
        } else {
            adult_age(rng, SINGLE_AGES)
        };
        // Old people living alone are mostly women.
        let female = rng.chance(if age >= 70 { 0.7 } else { 0.48 });
        return vec![draft(relation::HEAD, female, age)];
    }
    let kind = rng.below(100);
    let couple_only = size == 2 && kind < 55;
    let single_parent = (size == 2 && (55..85).contains(&kind)) || (size >= 3 && kind < 20);
    let cohabitant_pair = size == 2 && kind >= 85;
    if couple_only || cohabitant_pair {
        let age = if foreign {
            adult_age(rng, FOREIGN_ADULT_AGES)
        } else {
            adult_age(rng, COUPLE_AGES)
        };
        let head_female = rng.chance(0.25);
        let partner_age =
            (age + rng.range(-6, 2) as i32 * if head_female { -1 } else { 1 }).max(19);
        let rel = if couple_only && rng.chance(0.85) {
            relation::SPOUSE
        } else {
            relation::COHABITANT
        };
        return vec![
            draft(relation::HEAD, head_female, age),
            draft(rel, !head_female, partner_age),
        ];
    }
    // A family with children.
    let head_age = if foreign {
        adult_age(rng, &PARENT_AGES[..4])
    } else {
        adult_age(rng, PARENT_AGES)
    };
    let mut out = Vec::with_capacity(size);
    let mother_age = if single_parent {
        let female = rng.chance(0.8);
        out.push(draft(relation::HEAD, female, head_age));
        head_age
    } else {
        let head_female = rng.chance(0.2);
        let partner_age =
            (head_age + rng.range(-6, 2) as i32 * if head_female { -1 } else { 1 }).max(20);
        out.push(draft(relation::HEAD, head_female, head_age));
        let rel = if rng.chance(0.8) {
            relation::SPOUSE
        } else {
            relation::COHABITANT
        };
        out.push(draft(rel, !head_female, partner_age));
        if head_female {
            head_age
        } else {
            partner_age
        }
    };
    let mut slots = size - out.len();
    // Sometimes a parent of the head lives with the family.
    if slots >= 2 && !single_parent && rng.chance(0.1) {
        let age = (head_age + rng.range(24, 34) as i32).min(100);
        out.push(draft(relation::PARENT, rng.chance(0.7), age));
        slots -= 1;
    }
    // Children: born when the mother was 18-45, youngest last.
    let oldest = (mother_age - 18).max(0);
    let youngest = (mother_age - 45).max(0);
    let mut ages: Vec<i32> = (0..slots)
        .map(|_| rng.range(i64::from(youngest), i64::from(oldest)) as i32)
        .collect();
    ages.sort_unstable_by(|a, b| b.cmp(a));
    let twins = ages.len() >= 2 && rng.chance(TWINS);
    let n = ages.len();
    for (i, age) in ages.into_iter().enumerate() {
        let is_twin = twins && i == n - 1;
        let age = if is_twin { out[out.len() - 1].age } else { age };
        let female = if is_twin {
            out[out.len() - 1].female
        } else {
            rng.chance(0.49)
        };
        out.push(Draft {
            relation: relation::CHILD,
            female,
            age,
            twin: is_twin,
        });
    }
    out
}

/// A birth date for someone aged exactly `age` on `reference`.
pub fn birth_for_age(rng: &mut Rng, reference: NaiveDate, age: i32) -> NaiveDate {
    let anniversary = reference
        .checked_sub_months(Months::new(12 * age.max(0) as u32))
        .unwrap_or(reference);
    anniversary
        .checked_sub_days(Days::new(rng.below(365)))
        .unwrap_or(anniversary)
}

fn given_name(rng: &mut Rng, origin: Option<&Origin>, female: bool, birth: NaiveDate) -> String {
    match origin {
        Some(o) => rng.pick(if female { o.female } else { o.male }).to_string(),
        None => names::italian_given(rng, female, birth.year()).to_string(),
    }
}

impl City {
    /// Generates a registry of `residents` people as of `reference`.
    pub fn generate(seed: u64, residents: usize, reference: NaiveDate) -> City {
        let mut rng = Rng::stream(seed, "anagrafe");
        let tail = names::tail_surnames(&mut rng, 2000 + residents / 40);
        let tail_total: u64 = tail.iter().map(|(_, w)| w).sum();
        let common_total: u64 = names::COMMON_SURNAMES
            .iter()
            .map(|(_, w)| u64::from(*w))
            .sum();
        // Common surnames carry a quarter of the Italian residents.
        let scale = (tail_total / 3) / common_total.max(1);
        let mut surnames: Vec<String> =
            Vec::with_capacity(names::COMMON_SURNAMES.len() + tail.len());
        let mut weights = Vec::with_capacity(surnames.capacity());
        for (s, w) in names::COMMON_SURNAMES {
            surnames.push((*s).to_owned());
            weights.push(u64::from(*w) * scale);
        }
        for (s, w) in tail {
            surnames.push(s);
            weights.push(w);
        }
        let surname_weights = Weighted::new(weights);
        let origin_weights = names::origin_weights();
        let mut city = City {
            reference,
            people: Vec::with_capacity(residents),
            families: Vec::new(),
            surnames,
            surname_weights,
        };

        while city.people.len() < residents {
            let foreign = rng.chance(FOREIGN_FAMILIES);
            let origin_idx = foreign.then(|| origin_weights.sample(&mut rng));
            let origin = origin_idx.map(|i| &ORIGINS[i]);
            let drafts = household(&mut rng, foreign);
            let family_idx = city.families.len();
            let address = places::address(&mut rng, foreign);
            let mut family = Family {
                id: family_idx as u32 + 1,
                address,
                members: Vec::new(),
                origin: origin_idx,
            };
            let surname_of = |rng: &mut Rng| -> String {
                match origin {
                    Some(o) => rng.pick(o.surnames).to_string(),
                    None => city.surnames[city.surname_weights.sample(rng)].clone(),
                }
            };
            let head_surname = surname_of(&mut rng);
            let partner_surname = surname_of(&mut rng);
            // Children take the father's surname (the mother's when she
            // raises them alone).
            let head_female = drafts[0].female;
            let has_male_partner = drafts.iter().any(|d| {
                matches!(d.relation, relation::SPOUSE | relation::COHABITANT) && !d.female
            });
            let child_surname = if head_female && has_male_partner {
                partner_surname.clone()
            } else {
                head_surname.clone()
            };
            let mut previous: Option<(NaiveDate, String)> = None;
            for d in &drafts {
                if city.people.len() >= residents {
                    break;
                }
                let birth = match (&previous, d.twin) {
                    (Some((b, _)), true) => *b,
                    _ => birth_for_age(&mut rng, reference, d.age),
                };
                let surname = match d.relation {
                    relation::HEAD => head_surname.clone(),
                    relation::CHILD => child_surname.clone(),
                    relation::PARENT => surname_of(&mut rng),
                    _ => partner_surname.clone(),
                };
                let born_here = match origin {
                    None => true,
                    Some(_) => {
                        d.relation == relation::CHILD
                            && rng.chance(if d.age < 12 {
                                0.65
                            } else if d.age < 18 {
                                0.3
                            } else {
                                0.0
                            })
                    }
                };
                let birthplace = match origin {
                    Some(o) if !born_here => o.belfiore,
                    _ => places::italian_birthplace(
                        &mut rng,
                        birth,
                        if d.age < 18 { 0.85 } else { 0.45 },
                    ),
                };
                let birthplace = if origin.is_some() && born_here {
                    places::BOLOGNA
                } else {
                    birthplace
                };
                let name = match (&previous, d.twin) {
                    (Some((_, prev_name)), true) => {
                        // Twins: with names that give the same CF name code
                        // when the family has such a pair.
                        let pairs = if d.female { TWIN_NAMES.1 } else { TWIN_NAMES.0 };
                        match pairs.iter().find(|(a, _)| a == prev_name) {
                            Some((_, b)) => (*b).to_owned(),
                            None => given_name(&mut rng, origin, d.female, birth),
                        }
                    }
                    _ => {
                        let next_is_twin = drafts
                            .iter()
                            .skip_while(|x| !std::ptr::eq(*x, d))
                            .nth(1)
                            .is_some_and(|x| x.twin);
                        if next_is_twin && origin.is_none() {
                            let pairs = if d.female { TWIN_NAMES.1 } else { TWIN_NAMES.0 };
                            rng.pick(pairs).0.to_owned()
                        } else {
                            given_name(&mut rng, origin, d.female, birth)
                        }
                    }
                };
                previous = Some((birth, name.clone()));
                let idx = city.people.len();
                city.people.push(Person {
                    id: idx as u32 + 1,
                    family: family_idx,
                    relation: d.relation,
                    surname,
                    name,
                    female: d.female,
                    birth,
                    birthplace,
                    citizenship: origin.map_or(ITALY, |o| o.istat),
                    cf: String::new(),
                });
                family.members.push(idx);
            }
            city.families.push(family);
        }
        city.assign_codes();
        city
    }

    /// Computes every resident's codice fiscale; when several residents share
    /// a base code, the first (lowest `ID_PERSONA`) keeps it and the k-th
    /// receives the omocode of level k, as the Agenzia delle Entrate does.
    fn assign_codes(&mut self) {
        let mut seen: HashMap<String, u32> = HashMap::with_capacity(self.people.len());
        for p in &mut self.people {
            let base =
                encode(&p.surname, &p.name, p.birth, p.sex(), p.birthplace).unwrap_or_default();
            let n = seen.entry(base.clone()).or_insert(0);
            p.cf = if *n == 0 {
                base
            } else {
                omocode_of_level(&base, (*n).min(7)).unwrap_or(base)
            };
            *n += 1;
        }
    }

    /// An Italian surname drawn from the city's distribution.
    pub fn italian_surname(&self, rng: &mut Rng) -> &str {
        &self.surnames[self.surname_weights.sample(rng)]
    }

    /// The family of a person.
    pub fn family_of(&self, person: usize) -> &Family {
        &self.families[self.people[person].family]
    }

    /// The mother or father of a child (relation 3) who lives with them:
    /// the head, or the head's partner.
    pub fn parents_of(&self, person: usize) -> Vec<usize> {
        let p = &self.people[person];
        if p.relation != relation::CHILD {
            return Vec::new();
        }
        self.families[p.family]
            .members
            .iter()
            .copied()
            .filter(|&m| {
                matches!(
                    self.people[m].relation,
                    relation::HEAD | relation::SPOUSE | relation::COHABITANT
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::belfiore;
    use crate::identity::codice_fiscale::{base_form, cf_consistent, decode};

    fn city(n: usize, seed: u64) -> City {
        City::generate(seed, n, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap())
    }

    #[test]
    fn exact_size_deterministic_and_seed_dependent() {
        let a = city(3000, 1);
        let b = city(3000, 1);
        let c = city(3000, 2);
        assert_eq!(a.people.len(), 3000);
        assert_eq!(
            a.people.iter().map(|p| &p.cf).collect::<Vec<_>>(),
            b.people.iter().map(|p| &p.cf).collect::<Vec<_>>()
        );
        assert_ne!(a.people[0].cf, c.people[0].cf);
    }

    #[test]
    fn codes_are_correct_unique_and_omocodes_only_for_collisions() {
        let c = city(20_000, 3);
        let reference = c.reference;
        let mut cfs = std::collections::HashSet::new();
        let mut bases: HashMap<String, usize> = HashMap::new();
        for p in &c.people {
            assert!(cfs.insert(p.cf.clone()), "duplicate CF");
            let d = decode(p.cf.as_bytes(), reference).expect("valid CF");
            // The CF's century is ambiguous (a centenarian decodes as a newborn).
            assert_eq!(d.birth_date.year() % 100, p.birth.year() % 100);
            assert_eq!(
                (d.birth_date.month(), d.birth_date.day()),
                (p.birth.month(), p.birth.day())
            );
            let cons = cf_consistent(
                &p.cf,
                &p.surname,
                &p.name,
                Some(p.birth),
                Some(p.sex()),
                Some(p.birthplace),
            );
            assert!(cons.is_consistent(), "{:?} {:?}", p, cons.findings);
            assert!(belfiore::valid_at(p.birthplace, p.birth).is_valid());
            *bases.entry(base_form(&p.cf).unwrap()).or_default() += 1;
        }
        let omocodes: Vec<_> = c
            .people
            .iter()
            .filter(|p| base_form(&p.cf).unwrap() != p.cf)
            .collect();
        assert!(
            !omocodes.is_empty(),
            "twins with same-code names give omocodes"
        );
        for p in omocodes {
            let base = base_form(&p.cf).unwrap();
            assert!(bases[&base] >= 2);
            assert!(
                cfs.contains(&base),
                "the base form belongs to another resident"
            );
        }
    }

    #[test]
    fn population_looks_like_bologna() {
        let c = city(20_000, 4);
        let n = c.people.len() as f64;
        let share =
            |f: &dyn Fn(&Person) -> bool| c.people.iter().filter(|p| f(p)).count() as f64 / n;
        eprintln!(
            "minors {:.3} 18-64 {:.3} 65+ {:.3} 80+ {:.3}",
            share(&|p| p.age_on(c.reference) < 18),
            share(&|p| (18..65).contains(&p.age_on(c.reference))),
            share(&|p| p.age_on(c.reference) >= 65),
            share(&|p| p.age_on(c.reference) >= 80)
        );
        let foreign = c.people.iter().filter(|p| p.citizenship != ITALY).count() as f64 / n;
        assert!((0.12..0.19).contains(&foreign), "{foreign}");
        let minors = c
            .people
            .iter()
            .filter(|p| p.age_on(c.reference) < 18)
            .count() as f64
            / n;
        assert!((0.10..0.22).contains(&minors), "{minors}");
        let old = c
            .people
            .iter()
            .filter(|p| p.age_on(c.reference) >= 65)
            .count() as f64
            / n;
        assert!((0.18..0.32).contains(&old), "{old}");
        let per_family = n / c.families.len() as f64;
        assert!((1.7..2.3).contains(&per_family), "{per_family}");
        let rossi = c.people.iter().filter(|p| p.surname == "ROSSI").count();
        assert!(rossi > 20, "{rossi}");
        for f in &c.families {
            assert_eq!(c.people[f.members[0]].relation, relation::HEAD);
            assert!(c.people[f.members[0]].age_on(c.reference) >= 18);
        }
        for (i, p) in c.people.iter().enumerate() {
            for par in c.parents_of(i) {
                assert!(c.people[par].age_on(c.reference) >= p.age_on(c.reference) + 15);
            }
        }
    }
}
