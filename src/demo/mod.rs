//! The demo city: a synthetic, realistic municipality for trying vaglio, for
//! tests and for benchmarks. Deterministic: the same seed and size give
//! byte-identical files on every run and machine.
//!
//! ```text
//! DIR/anagrafe.csv              the population registry (clean)
//! DIR/refezione.csv             school canteen enrolments (Windows-1252, ;)
//! DIR/servizi_sociali.csv       social-service interventions (UTF-8, ,)
//! DIR/erp_inquilini.sqlite      public-housing tenants (SQLite)
//! DIR/isee.csv                  ISEE declarations (UTF-8 with BOM, ;)
//! DIR/riscossione_scuola.csv    school-service billing, by payer (ISO-8859-1, |)
//! DIR/irpef.csv                 IRPEF incomes by taxpayer and year (UTF-8, ,)
//! DIR/graduatoria_erp.txt       public-housing ranking list (UTF-16LE, tab)
//! DIR/assegnazioni_erp.sqlite   public-housing assignments (SQLite)
//! DIR/stradario.csv             the civic-number register (UTF-8, ;)
//! DIR/rules/<name>.toml         the rule file of each (as rules/demo/ in the repo)
//! DIR/truth/<extract>.csv       per row: the true ID_PERSONA and the injected errors
//! ```
//!
//! | module | what |
//! |---|---|
//! | [`names`] | surname and given-name tables, foreign origins |
//! | [`places`] | places of birth (historic codes), streets and quartieri |
//! | [`anagrafe`] | families, residents, codici fiscali with omocodes |
//! | [`errors`] | the labelled error kinds and their rates |
//! | [`delivery`] | later monthly deliveries: more or fewer errors, a column that comes and goes |
//! | [`extracts`] | the first four extracts and their truth |
//! | [`cross`] | the inconsistencies between sources the cross-source checks find, planted and labelled |
//! | [`fiscal`] | billing (by payer) and IRPEF incomes (by taxpayer and year) |
//! | [`housing`] | the public-housing ranking list and assignments |
//! | [`stradario`] | the civic-number register (streets, house numbers, quartieri, zone, aree statistiche) and how offices write addresses, with labelled errors |
//! | [`write`](mod@write) | files: encodings, SQLite, truth |

pub mod anagrafe;
pub mod cross;
pub mod delivery;
pub mod errors;
pub mod extracts;
pub mod fiscal;
pub mod housing;
pub mod names;
pub mod places;
pub mod stradario;
pub mod write;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use miette::IntoDiagnostic;

use crate::output::write_atomic;

/// The day the demo registry describes; also the `--today` of the demo's
/// checks, so that reports are reproducible.
pub fn reference_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default()
}

/// The rule files, as written to `DIR/rules/` (the repo keeps the same files
/// in `rules/demo/`, from which they are compiled in).
pub const RULE_FILES: [(&str, &str); 10] = [
    ("anagrafe", include_str!("../../rules/demo/anagrafe.toml")),
    ("refezione", include_str!("../../rules/demo/refezione.toml")),
    (
        "servizi_sociali",
        include_str!("../../rules/demo/servizi_sociali.toml"),
    ),
    (
        "erp_inquilini",
        include_str!("../../rules/demo/erp_inquilini.toml"),
    ),
    ("isee", include_str!("../../rules/demo/isee.toml")),
    ("stradario", include_str!("../../rules/demo/stradario.toml")),
    (
        "riscossione_scuola",
        include_str!("../../rules/demo/riscossione_scuola.toml"),
    ),
    ("irpef", include_str!("../../rules/demo/irpef.toml")),
    (
        "graduatoria_erp",
        include_str!("../../rules/demo/graduatoria_erp.toml"),
    ),
    (
        "assegnazioni_erp",
        include_str!("../../rules/demo/assegnazioni_erp.toml"),
    ),
];

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Number of residents.
    pub residents: usize,
    /// Seed.
    pub seed: u64,
}

/// One generated source file with its rule file.
#[derive(Clone, Debug)]
pub struct Source {
    /// `anagrafe`, `refezione`…
    pub name: &'static str,
    /// The data file.
    pub file: PathBuf,
    /// Its rule file.
    pub rules: PathBuf,
    /// Data rows.
    pub rows: usize,
}

/// What [`generate`] wrote.
#[derive(Clone, Debug)]
pub struct City {
    /// Residents.
    pub residents: usize,
    /// Families.
    pub families: usize,
    /// The registry first, then the extracts.
    pub sources: Vec<Source>,
}

/// Generates the demo city into `out` (created if needed).
pub fn generate(config: &Config, out: &Path) -> miette::Result<City> {
    generate_delivery(config, 0, out)
}

/// Generates delivery `delivery` of the demo city into `out`: the same
/// city, its extracts changed as [`delivery::apply`] says (delivery 0 is
/// [`generate`]'s city, byte for byte).
pub fn generate_delivery(config: &Config, delivery: u32, out: &Path) -> miette::Result<City> {
    let reference = reference_date();
    for d in [out.to_path_buf(), out.join("rules"), out.join("truth")] {
        std::fs::create_dir_all(&d)
            .into_diagnostic()
            .map_err(|e| e.wrap_err(format!("cannot create {}", d.display())))?;
    }
    let city = anagrafe::City::generate(config.seed, config.residents, reference);
    let isee_values = extracts::family_isee(&city, config.seed);
    let (mut refezione, sociali, mut erp, isee) = (
        extracts::refezione(&city, config.seed, &isee_values),
        extracts::servizi_sociali(&city, config.seed),
        extracts::erp_inquilini(&city, config.seed),
        extracts::isee(&city, config.seed, &isee_values),
    );
    cross::plant(
        &city,
        config.seed,
        &isee_values,
        &mut refezione,
        &mut erp,
        &isee,
    );
    let (riscossione, irpef) = (
        fiscal::riscossione(&city, config.seed, &isee_values),
        fiscal::irpef(&city, config.seed),
    );
    let (graduatoria, applications) = housing::graduatoria_erp(&city, config.seed, &isee_values);
    let assegnazioni = housing::assegnazioni_erp(&city, config.seed, &applications);
    let (mut refezione, mut sociali, mut erp, mut isee) = (refezione, sociali, erp, isee);
    let (mut riscossione, mut irpef, mut graduatoria, mut assegnazioni) =
        (riscossione, irpef, graduatoria, assegnazioni);
    for e in [
        &mut refezione,
        &mut sociali,
        &mut erp,
        &mut isee,
        &mut riscossione,
        &mut irpef,
        &mut graduatoria,
        &mut assegnazioni,
    ] {
        delivery::apply(e, delivery, config.seed);
    }

    for (name, text) in RULE_FILES {
        write_atomic(
            &out.join("rules").join(format!("{name}.toml")),
            text.as_bytes(),
        )?;
    }
    let mut sources = Vec::new();
    let mut add = |name: &'static str, file: &str, rows: usize| {
        sources.push(Source {
            name,
            file: out.join(file),
            rules: out.join("rules").join(format!("{name}.toml")),
            rows,
        });
    };
    write::anagrafe(&city, &out.join("anagrafe.csv"))?;
    add("anagrafe", "anagrafe.csv", city.people.len());

    write::csv_extract(
        &refezione,
        &out.join("refezione.csv"),
        write::CsvStyle {
            delimiter: b';',
            windows_1252: true,
            bom: false,
            crlf: true,
            utf16le: false,
        },
    )?;
    add("refezione", "refezione.csv", refezione.rows.len());

    write::csv_extract(
        &sociali,
        &out.join("servizi_sociali.csv"),
        write::CsvStyle {
            delimiter: b',',
            windows_1252: false,
            bom: false,
            crlf: false,
            utf16le: false,
        },
    )?;
    add("servizi_sociali", "servizi_sociali.csv", sociali.rows.len());

    write::sqlite_extract(
        &erp,
        &out.join("erp_inquilini.sqlite"),
        "inquilini",
        &["CODICE_ALLOGGIO", "NUM_COMPONENTI"],
        &["CANONE_MENSILE"],
    )?;
    add("erp_inquilini", "erp_inquilini.sqlite", erp.rows.len());

    write::csv_extract(
        &isee,
        &out.join("isee.csv"),
        write::CsvStyle {
            delimiter: b';',
            windows_1252: false,
            bom: true,
            crlf: false,
            utf16le: false,
        },
    )?;
    add("isee", "isee.csv", isee.rows.len());

    // The four sources of issue 19, each in its office's own shape.
    write::csv_extract(
        &riscossione,
        &out.join("riscossione_scuola.csv"),
        // ISO-8859-1: the demo's names are all within it, where it and
        // Windows-1252 write the same bytes.
        write::CsvStyle {
            delimiter: b'|',
            windows_1252: true,
            crlf: true,
            ..write::CsvStyle::PLAIN
        },
    )?;
    add(
        "riscossione_scuola",
        "riscossione_scuola.csv",
        riscossione.rows.len(),
    );

    write::csv_extract(&irpef, &out.join("irpef.csv"), write::CsvStyle::PLAIN)?;
    add("irpef", "irpef.csv", irpef.rows.len());

    write::csv_extract(
        &graduatoria,
        &out.join("graduatoria_erp.txt"),
        write::CsvStyle {
            delimiter: b'\t',
            bom: true,
            crlf: true,
            utf16le: true,
            ..write::CsvStyle::PLAIN
        },
    )?;
    add(
        "graduatoria_erp",
        "graduatoria_erp.txt",
        graduatoria.rows.len(),
    );

    write::sqlite_extract(
        &assegnazioni,
        &out.join("assegnazioni_erp.sqlite"),
        "assegnazioni",
        &["CODICE_ALLOGGIO", "NUM_COMPONENTI"],
        &["CANONE_MENSILE"],
    )?;
    add(
        "assegnazioni_erp",
        "assegnazioni_erp.sqlite",
        assegnazioni.rows.len(),
    );

    // The register: every address someone lives or rents at is in it.
    let geography = stradario::Geography::generate(config.seed);
    let dwellings = erp
        .truth
        .iter()
        .filter_map(|t| t.address.as_ref().map(|a| &a.address));
    let register = geography.rows(city.families.iter().map(|f| &f.address).chain(dwellings));
    write::stradario(&register, &out.join("stradario.csv"))?;

    for e in [
        &refezione,
        &sociali,
        &erp,
        &isee,
        &riscossione,
        &irpef,
        &graduatoria,
        &assegnazioni,
    ] {
        write::truth(
            e,
            &geography,
            &out.join("truth").join(format!("{}.csv", e.name)),
        )?;
    }
    Ok(City {
        residents: city.people.len(),
        families: city.families.len(),
        sources,
    })
}
