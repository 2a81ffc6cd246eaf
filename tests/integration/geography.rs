//! The civic-number register of the demo city and address matching against
//! its truth (issue 17): every anagrafe address at civic level, the housing
//! extract's written addresses with precision ≥ 0.999 and recall ≥ 0.98.

use vaglio::demo::{generate, Config};
use vaglio::geography::eval::{read_truth, score};
use vaglio::geography::matching::{match_table, AddressColumns, Level};
use vaglio::geography::register::{Register, RegisterColumns};
use vaglio::read::{ReadOptions, Table};

use crate::util::*;

#[test]
fn demo_addresses_match_the_register() {
    let tmp = scratch();
    let city = tmp.path();
    generate(
        &Config {
            residents: 5000,
            seed: 42,
        },
        city,
    )
    .unwrap();
    let table = Table::read(&city.join("stradario.csv"), &ReadOptions::default()).unwrap();
    let register = Register::from_table(&table, &RegisterColumns::default()).unwrap();
    assert_eq!(register.quartieri().len(), 6);
    assert_eq!(register.zone().len(), 18);
    assert_eq!(register.areas().len(), 90);

    // The anagrafe: separate columns, every address a house number as the
    // register writes it.
    let anagrafe = Table::read(&city.join("anagrafe.csv"), &ReadOptions::default()).unwrap();
    let parts = AddressColumns::Parts {
        dug: Some("DUG".into()),
        street: "TOPONIMO".into(),
        civic: Some("CIVICO".into()),
    };
    let matches = match_table(&register, &anagrafe, &parts).unwrap();
    assert_eq!(matches.len(), anagrafe.records.len());
    assert!(matches.iter().all(|m| m.level == Level::Civic));

    // The housing extract: one text, written with variants and errors.
    let erp = Table::read(
        &city.join("erp_inquilini.sqlite"),
        &ReadOptions {
            table: Some("inquilini".into()),
            ..ReadOptions::default()
        },
    )
    .unwrap();
    let matches = match_table(&register, &erp, &AddressColumns::Text("INDIRIZZO".into())).unwrap();
    let truth = read_truth(&city.join("truth/erp_inquilini.csv")).unwrap();
    assert_eq!(truth.len(), erp.records.len());
    let s = score(&register, &matches, &truth);
    assert!(s.precision() >= 0.999, "{s:?}");
    assert!(s.recall() >= 0.98, "{s:?}");
    assert!(s.levels.iter().all(|&n| n > 0), "every level occurs: {s:?}");

    // The same figures from the command line.
    let out = vaglio()
        .args(["eval", "--addresses"])
        .arg(city.join("erp_inquilini.sqlite"))
        .arg("--register")
        .arg(city.join("stradario.csv"))
        .arg("--truth")
        .arg(city.join("truth/erp_inquilini.csv"))
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let line = format!("precision {:.4}  recall {:.4}", s.precision(), s.recall());
    assert!(stdout.contains(&line), "{stdout}");

    // The register passes its own rule file.
    vaglio()
        .args(["check", "--quiet", "--rules"])
        .arg(city.join("rules/stradario.toml"))
        .arg(city.join("stradario.csv"))
        .arg("--out")
        .arg(city.join("reports-stradario"))
        .assert()
        .code(0);
}
