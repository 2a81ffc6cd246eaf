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
