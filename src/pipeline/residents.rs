//! The residents as the datamart describes them: identifier, family, sex,
//! birth date, citizenship and area, read from the anagrafe in one streaming
//! pass (only these columns are kept), with ages, age bands and citizenship
//! groups.

use chrono::{Datelike, NaiveDate};
use miette::miette;

use super::source::{cell, parse_date};
use crate::link::spec::{Attr, LinkSpec};
use crate::project::Project;
use crate::read::Source;
use crate::rules::RuleSet;

/// One resident, in anagrafe order.
pub(crate) struct Resident {
    pub id: String,
    pub family: Option<String>,
    pub sex: Option<String>,
    pub birth: Option<NaiveDate>,
    pub citizenship: Option<String>,
    pub area: Option<String>,
}

/// Reads the residents: one per anagrafe record, in file order (a record
/// with no identifier gets an empty one), so that the i-th resident is the
/// i-th record.
pub(crate) fn read(
    project: &Project,
    rules: &RuleSet,
    spec: &LinkSpec,
    id_column: &str,
    today: NaiveDate,
) -> miette::Result<Vec<Resident>> {
    let ana = &project.anagrafe;
    let mut source = Source::open(&ana.file, &rules.input.read)?;
    let columns = source.header.columns.clone();
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
    let mut out = Vec::new();
    let (mut chunk, mut issues) = (Vec::new(), Vec::new());
    while source.next_chunk(16_384, &mut chunk, &mut issues)? {
        for r in &chunk {
            let get = |c| cell(&missing, r, c);
            out.push(Resident {
                id: get(id_col).unwrap_or_default().to_string(),
                family: get(fam_col).map(str::to_string),
                sex: get(sex_col).map(str::to_string),
                birth: get(birth_col).and_then(|t| parse_date(rules, birth_name, t, today)),
                citizenship: get(cit_col).map(str::to_string),
                area: get(area_col).map(str::to_string),
            });
        }
        issues.clear();
    }
    Ok(out)
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
