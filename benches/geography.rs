//! Address matching to the civic-number register (issue 17).
//!
//! `cargo bench --bench geography -- [CITY]` reads the register of a demo
//! city (`CITY/stradario.csv`; without an argument a 400,000-resident city
//! is generated once into `target/bench-data/geography-400000/`, files only,
//! no pipeline), matches every anagrafe address (separate DUG, street and
//! house-number columns) and every address of the housing extract (one
//! text), and prints the wall time of each step (one pass, every core), the
//! levels, and the housing extract's precision and recall against its
//! truth.

use std::path::PathBuf;
use std::time::Instant;

use vaglio::geography::eval::{read_truth, score};
use vaglio::geography::matching::{match_table, AddressColumns, Level, Match};
use vaglio::geography::register::{Register, RegisterColumns};
use vaglio::read::{ReadOptions, Table};

fn levels(matches: &[Match]) -> String {
    Level::ALL
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l.code(),
                matches.iter().filter(|m| m.level == *l).count()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() -> miette::Result<()> {
    let city = match std::env::args().skip(1).find(|a| !a.starts_with('-')) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dir = PathBuf::from("target/bench-data/geography-400000");
            if !dir.join("stradario.csv").is_file() {
                eprintln!(
                    "generating a 400,000-resident demo city in {}",
                    dir.display()
                );
                let config = vaglio::demo::Config {
                    residents: 400_000,
                    seed: 42,
                };
                vaglio::demo::generate(&config, &dir)?;
            }
            dir
        }
    };
    let t = Instant::now();
    let table = Table::read(&city.join("stradario.csv"), &ReadOptions::default())?;
    let register = Register::from_table(&table, &RegisterColumns::default())?;
    println!(
        "register: {} house numbers, {} streets, {} aree statistiche: read and indexed in {:.3} s",
        register.civics().len(),
        register.streets().len(),
        register.areas().len(),
        t.elapsed().as_secs_f64()
    );

    let anagrafe = Table::read(&city.join("anagrafe.csv"), &ReadOptions::default())?;
    let erp = Table::read(
        &city.join("erp_inquilini.sqlite"),
        &ReadOptions {
            table: Some("inquilini".into()),
            ..ReadOptions::default()
        },
    )?;
    let parts = AddressColumns::Parts {
        dug: Some("DUG".into()),
        street: "TOPONIMO".into(),
        civic: Some("CIVICO".into()),
    };
    let t = Instant::now();
    let a = match_table(&register, &anagrafe, &parts)?;
    let ta = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let e = match_table(&register, &erp, &AddressColumns::Text("INDIRIZZO".into()))?;
    let te = t.elapsed().as_secs_f64();
    println!(
        "anagrafe: {} addresses matched in {ta:.3} s ({})",
        a.len(),
        levels(&a)
    );
    println!(
        "erp_inquilini: {} addresses matched in {te:.3} s ({})",
        e.len(),
        levels(&e)
    );
    let truth = read_truth(&city.join("truth/erp_inquilini.csv"))?;
    let s = score(&register, &e, &truth);
    println!(
        "erp_inquilini against the truth: precision {:.4}, recall {:.4} (correct {}, wrong {}, findable {} of {})",
        s.precision(),
        s.recall(),
        s.correct,
        s.wrong,
        s.findable,
        s.rows
    );
    Ok(())
}
