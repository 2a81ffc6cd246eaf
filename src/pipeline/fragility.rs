//! The datamart's `fragilita`: per area, demographic, social and economic
//! indicators of fragility, each with its numerator and denominator, and a
//! composite index in four classes, built as municipal fragility indices
//! are (standardised indicators averaged).
//!
//! The area is the quartiere (the anagrafe's `[anagrafe] area`): a person's
//! own for the indicators on persons, the family's (its members' most
//! frequent) for those on families. Residents without an area are left out.
//!
//! | indicator | numerator / denominator | fragile when |
//! |---|---|---|
//! | `anziani_soli` | residents 75+ living alone / residents 75+ | higher |
//! | `indice_vecchiaia` | residents 65+ / residents 0-14, × 100 | higher |
//! | `quota_minori` | residents under 18 / residents | (not in the index) |
//! | `minori_stranieri` | minors not Italian / minors | higher |
//! | `famiglie_<source>` | families with a member in the source's `servizi` / families | higher |
//! | `isee_mediano` | median ISEE of the families with one (euros) / those families | lower |
//! | `isee_sotto_soglia` | families with ISEE ≤ 9,360 / families with one | higher |
//! | `irpef_mediano` | median IRPEF income (latest tax year) of the families with one / those families (only with an IRPEF source) | lower |
//! | `irpef_sotto_soglia` | families with IRPEF income ≤ 15,000 / families with one (only with an IRPEF source) | higher |
//!
//! A value resting on a numerator of 1 or 2, or on fewer than
//! [`SMALL_COUNT`] in its denominator, is suppressed (`valore` NULL,
//! `soppresso` 1), and so are the counts it rests on, so that no small
//! count can be read back. The composite index (`indice_fragilita`) of an
//! area is the mean of its indicators' z-scores across areas (sign turned
//! for those where lower is fragile, suppressed ones left out); its class
//! is its quartile among the areas: `bassa`, `medio-bassa`, `medio-alta`,
//! `alta`.
//!
//! Indicators produced elsewhere are imported from the files of the
//! project's `[fragility] import` ([`import`]) and enter the composite with
//! the direction their file gives.

pub(crate) mod import;

use crate::privacy::SMALL_COUNT;

/// What one area counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct AreaCounts {
    pub residents: u64,
    pub minors: u64,
    pub aged_0_14: u64,
    pub aged_65: u64,
    pub aged_75: u64,
    pub aged_75_alone: u64,
    pub foreign_minors: u64,
    pub families: u64,
    /// Per service source (in project order), families reached.
    pub reached: Vec<u64>,
    /// The ISEE of each family that has one.
    pub isee: Vec<f64>,
    /// With an IRPEF source (`[facts] kind = "redditi"`): the IRPEF income
    /// (latest tax year) of each family that has one.
    pub irpef: Option<Vec<f64>>,
}

/// One row of `fragilita`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Indicator {
    pub area: String,
    pub code: String,
    pub numerator: Option<f64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    pub suppressed: bool,
    /// The composite index's class (its row only).
    pub class: Option<&'static str>,
}

/// The ISEE threshold of `isee_sotto_soglia` (the Assegno di inclusione's).
pub const ISEE_THRESHOLD: f64 = 9_360.0;

/// The family income threshold of `irpef_sotto_soglia` (euros a year: the
/// upper bound of the first IRPEF bracket until 2023).
pub const IRPEF_THRESHOLD: f64 = 15_000.0;

/// The composite index's code.
pub const COMPOSITE: &str = "indice_fragilita";

/// The classes of the composite index, by quartile.
pub const CLASSES: [&str; 4] = ["bassa", "medio-bassa", "medio-alta", "alta"];

/// The codes vaglio computes itself (with `famiglie_<source>` for every
/// source), which an imported indicator may not take.
pub(crate) fn computed(code: &str, sources: &[String]) -> bool {
    [
        "anziani_soli",
        "indice_vecchiaia",
        "quota_minori",
        "minori_stranieri",
        "isee_mediano",
        "isee_sotto_soglia",
        "irpef_mediano",
        "irpef_sotto_soglia",
        COMPOSITE,
    ]
    .contains(&code)
        || code
            .strip_prefix("famiglie_")
            .is_some_and(|s| sources.iter().any(|x| x == s))
}

/// Whether a higher value is more fragile (`None`: not in the index).
fn direction(code: &str) -> Option<f64> {
    match code {
        "quota_minori" => None,
        "isee_mediano" | "irpef_mediano" => Some(-1.0),
        _ => Some(1.0),
    }
}

/// A ratio row, suppressed on small counts.
fn ratio(area: &str, code: String, num: u64, den: u64, scale: f64) -> Indicator {
    let small = |n: u64| n > 0 && n < SMALL_COUNT;
    let suppressed = small(num) || den < SMALL_COUNT;
    Indicator {
        area: area.to_string(),
        code,
        numerator: (!suppressed).then_some(num as f64),
        denominator: (!suppressed).then_some(den),
        value: (!suppressed && den > 0).then(|| num as f64 / den as f64 * scale),
        suppressed,
        class: None,
    }
}

fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Every indicator of every area (areas in the order given), then the
/// imported ones (`extra`, with their direction), then each area's
/// composite index. `sources` names the service sources of
/// `AreaCounts::reached`.
pub(crate) fn indicators(
    areas: &[(String, AreaCounts)],
    sources: &[&str],
    extra: &[(&Indicator, Option<f64>)],
) -> Vec<Indicator> {
    let mut out = Vec::new();
    for (area, c) in areas {
        out.push(ratio(
            area,
            "anziani_soli".into(),
            c.aged_75_alone,
            c.aged_75,
            1.0,
        ));
        out.push(ratio(
            area,
            "indice_vecchiaia".into(),
            c.aged_65,
            c.aged_0_14,
            100.0,
        ));
        out.push(ratio(
            area,
            "quota_minori".into(),
            c.minors,
            c.residents,
            1.0,
        ));
        out.push(ratio(
            area,
            "minori_stranieri".into(),
            c.foreign_minors,
            c.minors,
            1.0,
        ));
        for (s, &n) in sources.iter().zip(&c.reached) {
            out.push(ratio(area, format!("famiglie_{s}"), n, c.families, 1.0));
        }
        let with_isee = c.isee.len() as u64;
        let suppressed = with_isee < SMALL_COUNT;
        out.push(Indicator {
            area: area.clone(),
            code: "isee_mediano".into(),
            numerator: None,
            denominator: (!suppressed).then_some(with_isee),
            value: if suppressed { None } else { median(&c.isee) },
            suppressed,
            class: None,
        });
        let under = c.isee.iter().filter(|&&x| x <= ISEE_THRESHOLD).count() as u64;
        out.push(ratio(
            area,
            "isee_sotto_soglia".into(),
            under,
            with_isee,
            1.0,
        ));
        if let Some(irpef) = &c.irpef {
            out.extend(income_indicators(area, irpef));
        }
    }
    out.extend(extra.iter().map(|(r, _)| (*r).clone()));
    let direction = |code: &str| match extra.iter().find(|(r, _)| r.code == code) {
        Some((_, d)) => *d,
        None => direction(code),
    };
    let composite = composite(&out, areas, &direction);
    out.extend(composite);
    out
}

/// `irpef_mediano` (the median family IRPEF income; denominator the
/// families with one) and `irpef_sotto_soglia` (families at or under
/// [`IRPEF_THRESHOLD`] / families with one).
fn income_indicators(area: &str, incomes: &[f64]) -> [Indicator; 2] {
    let with = incomes.len() as u64;
    let suppressed = with < SMALL_COUNT;
    let under = incomes.iter().filter(|&&x| x <= IRPEF_THRESHOLD).count() as u64;
    [
        Indicator {
            area: area.to_string(),
            code: "irpef_mediano".into(),
            numerator: None,
            denominator: (!suppressed).then_some(with),
            value: if suppressed { None } else { median(incomes) },
            suppressed,
            class: None,
        },
        ratio(area, "irpef_sotto_soglia".into(), under, with, 1.0),
    ]
}

/// Each area's composite index and class.
fn composite(
    rows: &[Indicator],
    areas: &[(String, AreaCounts)],
    direction: &dyn Fn(&str) -> Option<f64>,
) -> Vec<Indicator> {
    // Per indicator, its mean and standard deviation across areas.
    let mut codes: Vec<&str> = Vec::new();
    for r in rows {
        if direction(&r.code).is_some() && !codes.contains(&r.code.as_str()) {
            codes.push(&r.code);
        }
    }
    let mut z_sum = vec![(0.0f64, 0u32); areas.len()];
    for code in codes {
        let values: Vec<(usize, f64)> = areas
            .iter()
            .enumerate()
            .filter_map(|(i, (a, _))| {
                rows.iter()
                    .find(|r| &r.area == a && r.code == code)
                    .and_then(|r| r.value)
                    .map(|v| (i, v))
            })
            .collect();
        if values.len() < 2 {
            continue;
        }
        let n = values.len() as f64;
        let mean = values.iter().map(|x| x.1).sum::<f64>() / n;
        let sd = (values.iter().map(|x| (x.1 - mean).powi(2)).sum::<f64>() / n).sqrt();
        // The same value everywhere (up to rounding): nothing to rank by.
        if sd <= 1e-9 * mean.abs().max(1.0) {
            continue;
        }
        let sign = direction(code).unwrap_or(1.0);
        for (i, v) in values {
            z_sum[i].0 += sign * (v - mean) / sd;
            z_sum[i].1 += 1;
        }
    }
    let scores: Vec<Option<f64>> = z_sum
        .iter()
        .map(|&(s, n)| (n > 0).then(|| s / f64::from(n)))
        .collect();
    // Quartiles by rank among the areas with a score.
    let mut ranked: Vec<(usize, f64)> = scores
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .collect();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut class = vec![None; areas.len()];
    let n = ranked.len();
    for (rank, (i, _)) in ranked.iter().enumerate() {
        class[*i] = Some(CLASSES[(rank * 4 / n.max(1)).min(3)]);
    }
    areas
        .iter()
        .enumerate()
        .map(|(i, (a, _))| Indicator {
            area: a.clone(),
            code: COMPOSITE.into(),
            numerator: None,
            denominator: None,
            value: scores[i],
            suppressed: false,
            class: class[i],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(alone: u64, old: u64, isee: &[f64]) -> AreaCounts {
        AreaCounts {
            residents: 1000,
            minors: 150,
            aged_0_14: 120,
            aged_65: 250,
            aged_75: old,
            aged_75_alone: alone,
            foreign_minors: 20,
            families: 450,
            reached: vec![40],
            isee: isee.to_vec(),
            irpef: None,
        }
    }

    fn get<'a>(rows: &'a [Indicator], area: &str, code: &str) -> &'a Indicator {
        rows.iter()
            .find(|r| r.area == area && r.code == code)
            .unwrap_or_else(|| panic!("{area} {code}"))
    }

    #[test]
    fn ratios_medians_and_their_counts() {
        let rows = indicators(
            &[(
                "Navile".into(),
                area(
                    30,
                    120,
                    &[5000.0, 12000.0, 30000.0, 8000.0, 9000.0, 40000.0],
                ),
            )],
            &["servizi_sociali"],
            &[],
        );
        let r = get(&rows, "Navile", "anziani_soli");
        assert_eq!(
            (r.numerator, r.denominator, r.value),
            (Some(30.0), Some(120), Some(0.25))
        );
        let r = get(&rows, "Navile", "indice_vecchiaia");
        assert_eq!(r.value.map(|v| (v * 100.0).round() / 100.0), Some(208.33));
        assert_eq!(
            get(&rows, "Navile", "famiglie_servizi_sociali").numerator,
            Some(40.0)
        );
        assert_eq!(get(&rows, "Navile", "isee_mediano").value, Some(10500.0));
        assert_eq!(get(&rows, "Navile", "isee_sotto_soglia").value, Some(0.5));
    }

    #[test]
    fn irpef_indicators_only_with_an_irpef_source() {
        let plain = indicators(&[("Navile".into(), area(30, 120, &[]))], &[], &[]);
        assert!(!plain.iter().any(|r| r.code.starts_with("irpef")));
        let mut c = area(30, 120, &[]);
        c.irpef = Some(vec![
            12_000.0, 15_000.0, 9_000.0, 30_000.0, 50_000.0, 40_000.0,
        ]);
        let rows = indicators(&[("Navile".into(), c)], &[], &[]);
        let r = get(&rows, "Navile", "irpef_mediano");
        assert_eq!((r.denominator, r.value), (Some(6), Some(22_500.0)));
        // 15,000 is under the threshold (upper bound included).
        assert_eq!(get(&rows, "Navile", "irpef_sotto_soglia").value, Some(0.5));
        assert_eq!(direction("irpef_mediano"), Some(-1.0));
        let mut few = area(30, 120, &[]);
        few.irpef = Some(vec![9_000.0, 40_000.0]);
        let rows = indicators(&[("Reno".into(), few)], &[], &[]);
        assert!(get(&rows, "Reno", "irpef_mediano").suppressed);
        assert!(get(&rows, "Reno", "irpef_sotto_soglia").suppressed);
    }

    #[test]
    fn small_counts_are_suppressed_with_what_they_rest_on() {
        let rows = indicators(
            &[("Reno".into(), area(2, 120, &[5000.0, 7000.0]))],
            &[],
            &[],
        );
        let r = get(&rows, "Reno", "anziani_soli");
        assert!(r.suppressed);
        assert_eq!((r.numerator, r.denominator, r.value), (None, None, None));
        // Two families with an ISEE: neither the median nor the share.
        assert!(get(&rows, "Reno", "isee_mediano").suppressed);
        assert!(get(&rows, "Reno", "isee_sotto_soglia").suppressed);
        // Zero is not a small count.
        let rows = indicators(&[("Reno".into(), area(0, 120, &[]))], &[], &[]);
        assert_eq!(get(&rows, "Reno", "anziani_soli").value, Some(0.0));
    }

    #[test]
    fn the_composite_ranks_areas_in_four_classes() {
        let areas: Vec<(String, AreaCounts)> = (0u32..8)
            .map(|i| {
                let isee: Vec<f64> = (0..10)
                    .map(|k| 20000.0 - 1000.0 * f64::from(i) + f64::from(k))
                    .collect();
                (format!("A{i}"), area(10 + 5 * u64::from(i), 120, &isee))
            })
            .collect();
        let rows = indicators(&areas, &[], &[]);
        let class = |a: &str| get(&rows, a, COMPOSITE).class;
        // More elderly alone and lower ISEE with i: more fragile.
        assert_eq!(class("A0"), Some("bassa"));
        assert_eq!(class("A1"), Some("bassa"));
        assert_eq!(class("A3"), Some("medio-bassa"));
        assert_eq!(class("A5"), Some("medio-alta"));
        assert_eq!(class("A7"), Some("alta"));
        let score = |a: &str| get(&rows, a, COMPOSITE).value.unwrap_or(f64::NAN);
        assert!(score("A7") > score("A6") && score("A1") > score("A0"));
        assert!((0..8).map(|i| score(&format!("A{i}"))).sum::<f64>().abs() < 1e-9);

        // An imported indicator enters the index with its direction: one
        // where lower is fragile and A0 is lowest by far turns A0's class.
        let imported: Vec<Indicator> = (0u32..8)
            .map(|i| Indicator {
                area: format!("A{i}"),
                code: "speranza_vita".into(),
                numerator: None,
                denominator: None,
                value: Some(if i == 0 { 10.0 } else { 90.0 }),
                suppressed: false,
                class: None,
            })
            .collect();
        let extra: Vec<(&Indicator, Option<f64>)> =
            imported.iter().map(|r| (r, Some(-1.0))).collect();
        let rows = indicators(&areas, &[], &extra);
        assert_eq!(get(&rows, "A0", "speranza_vita").value, Some(10.0));
        assert_ne!(get(&rows, "A0", COMPOSITE).class, Some("bassa"));
        let extra: Vec<(&Indicator, Option<f64>)> = imported.iter().map(|r| (r, None)).collect();
        let rows = indicators(&areas, &[], &extra);
        assert_eq!(
            get(&rows, "A0", COMPOSITE).class,
            Some("bassa"),
            "verso 0: not in the index"
        );
    }

    #[test]
    fn vaglio_s_own_codes_are_reserved() {
        let sources = vec!["refezione".to_string()];
        assert!(computed("anziani_soli", &sources));
        assert!(computed("famiglie_refezione", &sources));
        assert!(computed(COMPOSITE, &sources));
        assert!(!computed("famiglie_altro", &sources));
        assert!(!computed("speranza_vita", &sources));
    }
}
