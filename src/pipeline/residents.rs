//! The residents as the datamart describes them: identifier, family, sex,
//! birth date, citizenship and area, taken from the anagrafe's table (only
//! these columns are kept), with ages, age bands and citizenship groups.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use miette::miette;

use super::source::{cell, parse_date};
use crate::link::spec::{Attr, LinkSpec};
use crate::project::Project;
use crate::read::Table;
use crate::rules::RuleSet;
use rayon::prelude::*;

/// One resident, in anagrafe order. Values few residents differ in (sex,
/// citizenship, area) are shared, not copied per resident.
pub(crate) struct Resident {
    pub id: Box<str>,
    pub family: Option<Box<str>>,
    pub sex: Option<Arc<str>>,
    pub birth: Option<NaiveDate>,
    pub citizenship: Option<Arc<str>>,
    pub area: Option<Arc<str>>,
    /// The area statistica of the address (an index into the register's
    /// areas; `u32::MAX`: none, or no register).
    pub geo: u32,
    /// Relationship to the family's head (`[anagrafe] relation`).
    pub role: Role,
}

/// [`Resident::geo`] when the resident is in no area statistica.
pub(crate) const NO_AREA: u32 = u32::MAX;

/// A member's relationship to the family's head, as household types need
/// it, from ANPR table 5 ("relazione di parentela").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// 1: intestatario scheda.
    Head,
    /// 2 spouse, 23 cohabiting partner, 28 civil union.
    Partner,
    /// 3 son or daughter, 14 stepchild, 80 adopted.
    Child,
    /// Any other relationship (parent, grandchild, sibling, in-law…).
    Other,
    /// No relationship column, or no code.
    Unknown,
}

impl Role {
    /// The role of an ANPR relationship code.
    pub fn of_code(code: Option<&str>) -> Role {
        match code.map(|c| c.trim().trim_start_matches('0')) {
            None => Role::Unknown,
            Some("1") => Role::Head,
            Some("2" | "23" | "28") => Role::Partner,
            Some("3" | "14" | "80") => Role::Child,
            Some("") => Role::Unknown,
            Some(_) => Role::Other,
        }
    }
}

/// The household type of a family from its members' roles and ages (`None`
/// when an age is unknown): `persona sola`, `anziano solo` (one member aged
/// 65 or more), `coppia senza minori` (head and partner, with children of
/// age or none), `coppia con minori` (head, partner and children, one of
/// them under 18), `monogenitore con minori` (head and children, one under
/// 18), `altro` (any other member: a parent, a sibling, a lodger; or a head
/// living with children of age only). `None` when a role is unknown.
pub fn household_type(members: &[(Role, Option<i32>)]) -> Option<&'static str> {
    if members.iter().any(|(r, _)| *r == Role::Unknown) {
        return None;
    }
    if let [(_, age)] = members {
        return Some(if age.is_some_and(|a| a >= 65) {
            "anziano solo"
        } else {
            "persona sola"
        });
    }
    let count = |role| members.iter().filter(|(r, _)| *r == role).count();
    let (heads, partners) = (count(Role::Head), count(Role::Partner));
    if heads != 1 || count(Role::Other) > 0 || partners > 1 {
        return Some("altro");
    }
    let minor_child = members
        .iter()
        .any(|(r, a)| *r == Role::Child && a.is_some_and(|a| a < 18));
    Some(match (partners, minor_child) {
        (1, true) => "coppia con minori",
        (1, false) => "coppia senza minori",
        (0, true) => "monogenitore con minori",
        _ => "altro",
    })
}

/// The ISEE band of a value in euros: `fino a 9.360` (the threshold of the
/// Assegno di inclusione), `9.360-15.000`, `15.000-25.000`, `25.000-40.000`,
/// `oltre 40.000`; lower bounds excluded, upper bounds included.
pub fn isee_band(isee: f64) -> &'static str {
    match isee {
        x if x <= 9_360.0 => "fino a 9.360",
        x if x <= 15_000.0 => "9.360-15.000",
        x if x <= 25_000.0 => "15.000-25.000",
        x if x <= 40_000.0 => "25.000-40.000",
        _ => "oltre 40.000",
    }
}

/// One shared copy of each distinct value.
#[derive(Default)]
struct Shared(HashMap<Box<str>, Arc<str>>);

impl Shared {
    fn get(&mut self, v: Option<&str>) -> Option<Arc<str>> {
        let v = v?;
        if let Some(a) = self.0.get(v) {
            return Some(Arc::clone(a));
        }
        let a: Arc<str> = Arc::from(v);
        self.0.insert(v.into(), Arc::clone(&a));
        Some(a)
    }
}

/// Reads the residents: one per anagrafe record, in file order (a record
/// with no identifier gets an empty one), so that the i-th resident is the
/// i-th record.
pub(crate) fn read(
    project: &Project,
    table: &Table,
    rules: &RuleSet,
    spec: &LinkSpec,
    id_column: &str,
    today: NaiveDate,
) -> miette::Result<Vec<Resident>> {
    let ana = &project.anagrafe;
    let columns = &table.header.columns;
    let column = |name: Option<&str>, what: &str| -> miette::Result<Option<usize>> {
        match name {
            None => Ok(None),
            Some(n) => columns
                .iter()
                .position(|c| c == n)
                .map(Some)
                .ok_or_else(|| {
                    miette!(
                        code = "vaglio::run::column",
                        help = format!("the anagrafe's columns are: {}", columns.join(", ")),
                        "{}: the anagrafe has no column `{n}` ({what} in {})",
                        ana.file.display(),
                        project.path.display()
                    )
                }),
        }
    };
    let id_col = column(Some(id_column), "its identifier")?;
    let fam_col = column(ana.family.as_deref(), "[anagrafe] family")?;
    let cit_col = column(ana.citizenship.as_deref(), "[anagrafe] citizenship")?;
    let area_col = column(ana.area.as_deref(), "[anagrafe] area")?;
    let role_col = column(ana.relation.as_deref(), "[anagrafe] relation")?;
    let sex_col = column(spec.column(Attr::Sesso), "[link] sesso")?;
    let birth_name = spec.column(Attr::DataNascita).unwrap_or("");
    let birth_col = column(spec.column(Attr::DataNascita), "[link] data_nascita")?;
    let missing = rules.input.missing_or_default();
    let parsed: Vec<(Option<NaiveDate>, [Option<&str>; 3])> = table
        .records
        .par_iter()
        .map(|r| {
            let get = |c| cell(&missing, r, c);
            let birth = get(birth_col).and_then(|t| parse_date(rules, birth_name, t, today));
            (birth, [get(sex_col), get(cit_col), get(area_col)])
        })
        .collect();
    let mut shared = Shared::default();
    Ok(table
        .records
        .iter()
        .zip(parsed)
        .map(|(r, (birth, [sex, citizenship, area]))| {
            let get = |c| cell(&missing, r, c);
            Resident {
                id: get(id_col).unwrap_or_default().into(),
                family: get(fam_col).map(Box::from),
                sex: shared.get(sex),
                birth,
                citizenship: shared.get(citizenship),
                area: shared.get(area),
                geo: NO_AREA,
                role: Role::of_code(get(role_col)),
            }
        })
        .collect())
}

/// Age band at the run's date.
pub fn age_band(age: i32) -> &'static str {
    match age {
        i32::MIN..=2 => "0-2",
        3..=5 => "3-5",
        6..=10 => "6-10",
        11..=13 => "11-13",
        14..=17 => "14-17",
        18..=24 => "18-24",
        25..=34 => "25-34",
        35..=44 => "35-44",
        45..=54 => "45-54",
        55..=64 => "55-64",
        65..=74 => "65-74",
        75..=84 => "75-84",
        _ => "85+",
    }
}

/// Age in whole years at `today`.
pub(crate) fn age(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut a = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        a -= 1;
    }
    a
}

/// ISTAT country codes of the other 26 member states of the EU.
const EU_ISTAT: [&str; 26] = [
    "203", "206", "209", "212", "214", "215", "216", "220", "221", "226", "227", "232", "233",
    "234", "235", "239", "240", "244", "247", "248", "249", "250", "251", "255", "257", "315",
];

/// Citizenship group from an ISTAT country code: `italiana`, `UE`,
/// `extra UE`; other codes are kept as they are.
pub fn citizenship_group(code: &str) -> String {
    let c = code.trim();
    if c == "100" {
        "italiana".into()
    } else if EU_ISTAT.contains(&c) {
        "UE".into()
    } else if c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()) && c > "200" {
        "extra UE".into()
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn household_types_from_roles_and_ages() {
        use Role::*;
        let t = |m: &[(Role, Option<i32>)]| household_type(m);
        assert_eq!(t(&[(Head, Some(40))]), Some("persona sola"));
        assert_eq!(t(&[(Head, Some(80))]), Some("anziano solo"));
        assert_eq!(t(&[(Head, None)]), Some("persona sola"));
        assert_eq!(
            t(&[(Head, Some(40)), (Partner, Some(38))]),
            Some("coppia senza minori")
        );
        assert_eq!(
            t(&[(Head, Some(50)), (Partner, Some(48)), (Child, Some(20))]),
            Some("coppia senza minori")
        );
        assert_eq!(
            t(&[
                (Head, Some(40)),
                (Partner, Some(38)),
                (Child, Some(20)),
                (Child, Some(4))
            ]),
            Some("coppia con minori")
        );
        assert_eq!(
            t(&[(Head, Some(35)), (Child, Some(9))]),
            Some("monogenitore con minori")
        );
        assert_eq!(t(&[(Head, Some(60)), (Child, Some(30))]), Some("altro"));
        assert_eq!(
            t(&[
                (Head, Some(40)),
                (Partner, Some(38)),
                (Child, Some(4)),
                (Other, Some(70))
            ]),
            Some("altro")
        );
        assert_eq!(t(&[(Head, Some(40)), (Head, Some(41))]), Some("altro"));
        assert_eq!(t(&[(Partner, Some(40)), (Child, Some(4))]), Some("altro"));
        assert_eq!(t(&[(Head, Some(40)), (Unknown, Some(4))]), None);
    }

    #[test]
    fn roles_from_anpr_codes() {
        assert_eq!(Role::of_code(Some("1")), Role::Head);
        assert_eq!(Role::of_code(Some("01")), Role::Head);
        for c in ["2", "23", "28"] {
            assert_eq!(Role::of_code(Some(c)), Role::Partner, "{c}");
        }
        for c in ["3", "14", "80"] {
            assert_eq!(Role::of_code(Some(c)), Role::Child, "{c}");
        }
        for c in ["6", "9", "99", "X"] {
            assert_eq!(Role::of_code(Some(c)), Role::Other, "{c}");
        }
        assert_eq!(Role::of_code(None), Role::Unknown);
        assert_eq!(Role::of_code(Some(" ")), Role::Unknown);
    }

    #[test]
    fn isee_bands_include_their_upper_bound() {
        assert_eq!(isee_band(0.0), "fino a 9.360");
        assert_eq!(isee_band(9_360.0), "fino a 9.360");
        assert_eq!(isee_band(9_360.01), "9.360-15.000");
        assert_eq!(isee_band(25_000.0), "15.000-25.000");
        assert_eq!(isee_band(40_000.5), "oltre 40.000");
    }

    #[test]
    fn citizenship_groups() {
        assert_eq!(citizenship_group("100"), "italiana");
        assert_eq!(citizenship_group("235"), "UE");
        assert_eq!(citizenship_group("243"), "extra UE");
        assert_eq!(citizenship_group("XYZ"), "XYZ");
    }

    #[test]
    fn ages_and_bands() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(age(d(2000, 6, 15), d(2018, 6, 14)), 17);
        assert_eq!(age(d(2000, 6, 15), d(2018, 6, 15)), 18);
        assert_eq!(age_band(17), "14-17");
        assert_eq!(age_band(65), "65-74");
        assert_eq!(age_band(101), "85+");
    }
}
