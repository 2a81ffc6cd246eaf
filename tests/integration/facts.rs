//! Issue 19: the demo's billing, IRPEF, housing ranking and assignment
//! extracts, linked to the anagrafe with `vaglio eval` against their truth,
//! and their facts in the datamart (`redditi`, `riscossione`,
//! `graduatorie`, `servizi`, the new columns of `famiglie`, the IRPEF
//! indicators of `fragilita`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::util::*;

const NEW: [&str; 4] = [
    "riscossione_scuola",
    "irpef",
    "graduatoria_erp",
    "assegnazioni_erp",
];

/// The demo city (2,000 residents, seed 7), then `vaglio run` with plain
/// identifiers, so that links and datamart can be compared with the truth.
fn city(dir: &Path) {
    demo_city(dir, 2000, 7);
    vaglio()
        .args(["run", "--quiet", "--no-pseudonyms", "--today", "2025-12-31"])
        .arg(dir.join("vaglio.toml"))
        .assert()
        .code(0);
}

fn f1(stdout: &str) -> f64 {
    stdout
        .lines()
        .find(|l| l.contains("at the chosen thresholds"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|x| x.parse().ok())
        .unwrap_or(0.0)
}

#[test]
fn the_four_new_sources_link_and_their_facts_fill_the_datamart() {
    let tmp = scratch();
    let dir = tmp.path();
    city(dir);
    let links = dir.join("master/links.csv");

    // Each new source against its truth.
    for name in NEW {
        let truth = dir.join("truth").join(format!("{name}.csv"));
        let assert = vaglio()
            .args(["eval", "--min-f1", "0.99", "--truth"])
            .arg(&truth)
            .arg("--links")
            .arg(&links)
            .assert()
            .code(0);
        let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
        assert!(f1(&out) >= 0.99, "{name}: {out}");
        let s = summary(&dir.join("reports").join(name));
        assert_eq!(s["gate"], "passed", "{name}");
        assert!(
            !findings(&dir.join("reports").join(name)).is_empty(),
            "{name}: the demo's errors are found"
        );
    }
    // The labelled errors of the new sources are caught by their checks.
    let failed = |source: &str, check: &str| {
        let s = summary(&dir.join("reports").join(source));
        check_failed(&s, check)
    };
    assert!(failed("riscossione_scuola", "cf-utente-non-pagante") > 0);
    assert!(failed("irpef", "contribuente-in-anagrafe") > 0);
    assert!(failed("graduatoria_erp", "PUNTEGGIO.range") > 0);
    assert!(failed("graduatoria_erp", "una-domanda-per-richiedente") > 0);

    let conn = rusqlite::Connection::open(dir.join("master/datamart.sqlite")).unwrap();

    // redditi: one row per resident taxpayer and tax year, as the truth says
    // (IRPEF links by the code alone, which the Agenzia issues).
    let truth = read_csv(&dir.join("truth/irpef.csv"));
    let rows = read_csv(&dir.join("irpef.csv"));
    let year = rows[0].iter().position(|c| c == "ANNO_IMPOSTA").unwrap();
    let expected: HashSet<(String, String)> = truth
        .iter()
        .skip(1)
        .zip(rows.iter().skip(1))
        .filter(|(t, _)| !t[2].is_empty())
        .map(|(t, r)| (t[2].clone(), r[year].clone()))
        .collect();
    let mut stmt = conn.prepare("SELECT persona, anno FROM redditi").unwrap();
    let got: HashSet<(String, String)> = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.to_string()))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM redditi WHERE reddito_famiglia < reddito - 0.005"
        ),
        0,
        "a family earns at least what each member does"
    );
    // famiglie: the family's IRPEF income of the latest year is the sum of
    // its members' in redditi.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie f WHERE f.irpef IS NOT NULL AND abs(f.irpef - \
             (SELECT SUM(r.reddito) FROM redditi r WHERE r.famiglia = f.famiglia AND r.anno = 2024)) > 0.01"
        ),
        0
    );
    assert!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie WHERE irpef_anno = 2024"
        ) > 300
    );

    // riscossione: billed ≥ paid, arrears = what is unpaid; the families'
    // arrears in famiglie add up to the table's.
    assert!(count(&conn, "SELECT COUNT(*) FROM riscossione") > 100);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM riscossione WHERE pagato > emesso + 0.005 \
             OR abs(morosita - (emesso - pagato)) > 0.01 OR avvisi < 1"
        ),
        0
    );
    assert!(count(&conn, "SELECT COUNT(*) FROM riscossione WHERE morosita > 0") > 0);
    assert_eq!(
        count(
            &conn,
            "SELECT CAST(round(SUM(morosita) * 100) AS INTEGER) FROM famiglie"
        ),
        count(
            &conn,
            "SELECT CAST(round(SUM(morosita) * 100) AS INTEGER) FROM riscossione"
        )
    );
    // The payer's family is billed: its notices are those of the truth's
    // payers (within the linkage's few misses).
    let truth = read_csv(&dir.join("truth/riscossione_scuola.csv"));
    let notices = truth
        .iter()
        .skip(1)
        .filter(|t| !t[2].is_empty() && !t[3].contains("duplicate_row"))
        .count() as i64;
    let billed = count(&conn, "SELECT SUM(avvisi) FROM riscossione");
    assert!(
        (billed - notices).abs() * 100 <= notices,
        "{billed} notices billed, {notices} in the truth"
    );

    // graduatorie: one row per resident applicant family (a household that
    // applied twice once, with both applications counted).
    let truth = read_csv(&dir.join("truth/graduatoria_erp.csv"));
    let people: Vec<Vec<String>> = std::fs::read_to_string(dir.join("anagrafe.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(';').map(str::to_string).collect())
        .collect();
    let family: HashMap<&str, &str> = people
        .iter()
        .map(|p| (p[0].as_str(), p[1].as_str()))
        .collect();
    let families: HashSet<&str> = truth
        .iter()
        .skip(1)
        .filter_map(|t| family.get(t[2].as_str()).copied())
        .collect();
    let ranked = count(&conn, "SELECT COUNT(*) FROM graduatorie") as usize;
    assert!(
        ranked.abs_diff(families.len()) * 50 <= families.len(),
        "{ranked} ranked families, {} in the truth",
        families.len()
    );
    assert!(count(&conn, "SELECT COUNT(*) FROM graduatorie WHERE domande > 1") > 0);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM graduatorie WHERE posizione IS NULL OR posizione < 1"
        ),
        0
    );

    // Assignments are housing services.
    let assigned = count(
        &conn,
        "SELECT COUNT(*) FROM servizi WHERE fonte = 'assegnazioni_erp' AND servizio = 'ASSEGNAZIONE_ERP'",
    );
    let truth = read_csv(&dir.join("truth/assegnazioni_erp.csv"));
    let residents = truth.iter().skip(1).filter(|t| !t[2].is_empty()).count() as i64;
    assert!(
        (assigned - residents).abs() * 50 <= residents.max(50),
        "{assigned} assignments in servizi, {residents} in the truth"
    );

    // Fragility: the IRPEF indicators, per quartiere.
    assert!(
        count(
            &conn,
            "SELECT COUNT(*) FROM fragilita WHERE indicatore = 'irpef_mediano' AND valore > 0"
        ) >= 3
    );
    assert!(
        count(
            &conn,
            "SELECT COUNT(*) FROM fragilita WHERE indicatore = 'irpef_sotto_soglia'"
        ) >= 3
    );
}

/// The failures of a check in a summary.json.
fn check_failed(s: &serde_json::Value, id: &str) -> u64 {
    s["sources"][0]["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == id))
        .and_then(|c| c["failed"].as_u64())
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn the_datamart_is_pseudonymised_and_a_facts_column_the_file_lacks_stops_the_run() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 800, 7);
    let conn = rusqlite::Connection::open(dir.join("master/datamart.sqlite")).unwrap();
    // No plain identifier: every person and family is a 32-digit pseudonym.
    for (table, column) in [
        ("redditi", "persona"),
        ("redditi", "famiglia"),
        ("riscossione", "famiglia"),
        ("graduatorie", "persona"),
        ("graduatorie", "famiglia"),
    ] {
        assert_eq!(
            count(
                &conn,
                &format!("SELECT COUNT(*) FROM {table} WHERE length({column}) != 32")
            ),
            0,
            "{table}.{column}"
        );
    }
    drop(conn);
    // A [facts] column the file does not have: exit 2, naming it.
    let rules = dir.join("rules/irpef.toml");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(
        &rules,
        text.replace("income = \"REDDITO_COMPLESSIVO\"", "income = \"REDDITO\""),
    )
    .unwrap();
    let assert = vaglio()
        .env_remove("VAGLIO_KEY")
        .args(["run", "--quiet"])
        .arg(dir.join("vaglio.toml"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("REDDITO") && err.contains("[facts]"), "{err}");
}
