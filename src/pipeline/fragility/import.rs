//! Fragility indicators produced elsewhere (a health authority's, the
//! statistics office's), imported from files the project names
//! (`[fragility] import`) and put in `fragilita` beside vaglio's own, in the
//! composite index too.
//!
//! One row per level, area and indicator:
//!
//! | column | what |
//! |---|---|
//! | `livello` | `quartiere` or `area_statistica` (optional column: `quartiere`) |
//! | `area` | the quartiere as the anagrafe names it, or the area statistica's code |
//! | `indicatore` | its code: lowercase letters, digits, `_`; not one of vaglio's |
//! | `valore` | the value (`0.25`, `0,25`) |
//! | `numeratore`, `denominatore` | optional: the counts it rests on (suppressed when small, as vaglio's) |
//! | `verso` | optional: `+` higher is more fragile (the default), `-` lower is, `0` not in the index |

use std::path::{Path, PathBuf};

use miette::miette;

use super::{Indicator, SMALL_COUNT};
use crate::read::{ReadOptions, Table};

/// Columns a file must have.
const REQUIRED: [&str; 3] = ["area", "indicatore", "valore"];

/// One imported row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Imported {
    /// `quartiere` or `area_statistica`.
    pub level: &'static str,
    /// Its indicator row (area, code, counts, value, suppression).
    pub row: Indicator,
    /// `Some(1.0)`: higher is more fragile; `Some(-1.0)`: lower is;
    /// `None`: not in the composite index.
    pub direction: Option<f64>,
    /// Where it comes from, for messages.
    pub file: PathBuf,
    /// Its data row.
    pub line: u64,
}

fn refuse(file: &Path, row: u64, what: String, help: &str) -> miette::Report {
    miette!(
        code = "vaglio::fragility::import",
        help = help.to_string(),
        "{}, row {row}: {what}",
        file.display()
    )
}

fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let t = if t.contains(',') && !t.contains('.') {
        t.replace(',', ".")
    } else {
        t.to_string()
    };
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Reads every imported indicator of `files`; `reserved(code)` says
/// whether vaglio computes an indicator of that code itself.
pub(crate) fn read(
    files: &[PathBuf],
    reserved: &dyn Fn(&str) -> bool,
) -> miette::Result<Vec<Imported>> {
    let mut out: Vec<Imported> = Vec::new();
    for file in files {
        let table = Table::read(file, &ReadOptions::default())?;
        for c in REQUIRED {
            if table.column(c).is_none() {
                return Err(refuse(
                    file,
                    0,
                    format!("no column `{c}`"),
                    "an indicators file has the columns area, indicatore, valore (and optionally livello, numeratore, denominatore, verso)",
                ));
            }
        }
        let col = |c: &str| table.column(c);
        let (level, area, code, value) = (
            col("livello"),
            col("area"),
            col("indicatore"),
            col("valore"),
        );
        let (num, den, sign) = (col("numeratore"), col("denominatore"), col("verso"));
        for r in &table.records {
            let get = |c: Option<usize>| c.and_then(|c| r.fields.get(c)).unwrap_or("").trim();
            let level = match get(level) {
                "" | "quartiere" => "quartiere",
                "area_statistica" => "area_statistica",
                other => {
                    return Err(refuse(
                        file,
                        r.row,
                        format!("livello `{other}` is not a level of fragilita"),
                        "write quartiere or area_statistica",
                    ))
                }
            };
            let code = get(code);
            let valid = !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(refuse(
                    file,
                    r.row,
                    format!("indicatore `{code}` is not a code"),
                    "lowercase letters, digits and _, e.g. speranza_vita",
                ));
            }
            if reserved(code) {
                return Err(refuse(
                    file,
                    r.row,
                    format!("indicatore `{code}` is one vaglio computes"),
                    "give the imported indicator a name of its own",
                ));
            }
            let area = get(area);
            if area.is_empty() {
                return Err(refuse(file, r.row, "no area".into(), "name the area"));
            }
            if let Some(first) = out
                .iter()
                .find(|x| x.level == level && x.row.area == area && x.row.code == code)
            {
                return Err(refuse(
                    file,
                    r.row,
                    format!(
                        "{code} of {area} is already given ({}, row {})",
                        first.file.display(),
                        first.line
                    ),
                    "one value per level, area and indicator",
                ));
            }
            let Some(v) = number(get(value)) else {
                return Err(refuse(
                    file,
                    r.row,
                    format!("valore `{}` is not a number", get(value)),
                    "a decimal number: 0.25 or 0,25",
                ));
            };
            let count = |c: Option<usize>, name: &str| -> miette::Result<Option<u64>> {
                match get(c) {
                    "" => Ok(None),
                    t => t.parse::<u64>().map(Some).map_err(|_| {
                        refuse(
                            file,
                            r.row,
                            format!("{name} `{t}` is not a count"),
                            "a whole number, or empty",
                        )
                    }),
                }
            };
            let (n, d) = (count(num, "numeratore")?, count(den, "denominatore")?);
            let direction = match get(sign) {
                "" | "+" => Some(1.0),
                "-" => Some(-1.0),
                "0" => None,
                other => {
                    return Err(refuse(
                        file,
                        r.row,
                        format!("verso `{other}` is not +, - or 0"),
                        "+ higher is more fragile, - lower is, 0 not in the composite index",
                    ))
                }
            };
            // Small counts are suppressed as vaglio's own are.
            let small = |x: u64| x > 0 && x < SMALL_COUNT;
            let suppressed = n.is_some_and(small) || d.is_some_and(|d| d < SMALL_COUNT);
            out.push(Imported {
                level,
                row: Indicator {
                    area: area.to_string(),
                    code: code.to_string(),
                    numerator: n.filter(|_| !suppressed).map(|n| n as f64),
                    denominator: d.filter(|_| !suppressed),
                    value: (!suppressed).then_some(v),
                    suppressed,
                    class: None,
                },
                direction,
                file: file.clone(),
                line: r.row,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> miette::Result<Vec<Imported>> {
        let dir = tempfile::tempdir().map_err(|e| miette!("{e}"))?;
        let path = dir.path().join("ind.csv");
        std::fs::write(&path, text).map_err(|e| miette!("{e}"))?;
        read(&[path], &|c| c == "anziani_soli")
    }

    #[test]
    fn rows_with_their_level_direction_and_suppression() {
        let rows = read_text(
            "livello;area;indicatore;valore;numeratore;denominatore;verso\n\
             ;Navile;speranza_vita;82,5;;;-\n\
             area_statistica;1101;accessi_ps;0.12;2;40;\n\
             quartiere;Savena;accessi_ps;0.09;9;100;0\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].level, "quartiere");
        assert_eq!(rows[0].row.value, Some(82.5));
        assert_eq!(rows[0].direction, Some(-1.0));
        assert_eq!(rows[1].level, "area_statistica");
        assert!(rows[1].row.suppressed, "a numerator of 2");
        assert_eq!(rows[1].row.value, None);
        assert_eq!(rows[1].row.numerator, None);
        assert_eq!(rows[2].direction, None);
        assert_eq!(rows[2].row.denominator, Some(100));
    }

    #[test]
    fn what_cannot_be_used_is_refused_with_its_row() {
        for (text, says) in [
            ("area;valore\nNavile;1\n", "no column `indicatore`"),
            (
                "area;indicatore;valore\nNavile;anziani_soli;1\n",
                "one vaglio computes",
            ),
            (
                "area;indicatore;valore\nNavile;Speranza Vita;1\n",
                "not a code",
            ),
            ("area;indicatore;valore\nNavile;x;uno\n", "not a number"),
            (
                "area;indicatore;valore\nNavile;x;1\nNavile;x;2\n",
                "already given",
            ),
            (
                "livello;area;indicatore;valore\nzona;11;x;1\n",
                "not a level",
            ),
            (
                "area;indicatore;valore;verso\nNavile;x;1;alto\n",
                "not +, - or 0",
            ),
            (
                "area;indicatore;valore;numeratore\nNavile;x;1;1.5\n",
                "not a count",
            ),
        ] {
            let e = read_text(text).expect_err(text).to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
