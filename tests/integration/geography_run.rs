//! `vaglio run` with a civic-number register (issue 17): the register
//! checked as a table of its own, every resident and every record placed in
//! an area statistica, the misses findings of their source, the `aree`
//! table, and the refusals of a register or an address mapping that cannot
//! be used.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::Connection;

use crate::util::*;

fn run(dir: &Path) -> assert_cmd::assert::Assert {
    vaglio()
        .env_remove("VAGLIO_KEY")
        .arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet"])
        .assert()
}

fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Option<String>>> {
    let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let n = st.column_count();
    st.query_map([], |r| {
        (0..n)
            .map(|i| r.get::<_, Option<String>>(i))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_run_places_residents_and_records_in_areas() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 2000, 7);
    let conn = Connection::open(dir.join("master/datamart.sqlite")).unwrap();

    // The register is a table of the run, checked with its rule file.
    let s = summary(&dir.join("reports/stradario"));
    assert_eq!(s["gate"], "passed");
    assert!(s["sources"][0]["rows"].as_u64().unwrap() > 1000);

    // aree: the register's 90 areas, with every resident counted once.
    assert_eq!(count(&conn, "SELECT count(*) FROM aree"), 90);
    assert_eq!(
        count(&conn, "SELECT sum(residenti) FROM aree"),
        count(&conn, "SELECT count(*) FROM individui")
    );
    assert_eq!(
        count(&conn, "SELECT count(DISTINCT zona) FROM aree"),
        18,
        "18 zone"
    );
    // Every resident has an area and zona that agree with aree, and the
    // anagrafe's quartiere is the area's.
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM individui i JOIN aree a USING (area_statistica) \
             WHERE a.zona = i.zona AND a.nome_quartiere = i.quartiere"
        ),
        count(&conn, "SELECT count(*) FROM individui")
    );

    // The housing extract: each tenancy's level and area from its own
    // address; a confirmed house number is in the truth's area.
    let truth: HashMap<String, Vec<String>> = read_csv(&dir.join("truth/erp_inquilini.csv"))
        .into_iter()
        .skip(1)
        .map(|r| (r[0].clone(), r))
        .collect();
    let erp = rows(
        &conn,
        "SELECT CAST(riga AS TEXT), area_statistica, livello_indirizzo FROM erp_inquilini",
    );
    let mut confirmed = 0;
    for r in &erp {
        let row = r[0].clone().unwrap();
        let t = &truth[&row];
        match r[2].as_deref() {
            Some("civic" | "civic_normalised") => {
                confirmed += 1;
                assert_eq!(r[1].as_deref(), Some(t[6].as_str()), "row {row}");
            }
            Some("street" | "none") => {}
            other => panic!("row {row}: level {other:?}"),
        }
    }
    assert!(confirmed as f64 >= 0.95 * erp.len() as f64, "{confirmed}");
    // The summary counts the same levels.
    let s = summary(&dir.join("reports/erp_inquilini"));
    let a = &s["sources"][0]["addresses"];
    let level = |l: &str| {
        count(
            &conn,
            &format!("SELECT count(*) FROM erp_inquilini WHERE livello_indirizzo = '{l}'"),
        ) as u64
    };
    for l in ["civic", "civic_normalised", "street", "none"] {
        assert_eq!(a[l].as_u64(), Some(level(l)), "{l}");
    }

    // Each miss is a finding of the source, naming its reason, on a row the
    // truth labels with an address error.
    let misses: Vec<_> = findings(&dir.join("reports/erp_inquilini"))
        .into_iter()
        .filter(|f| f.1 == "INDIRIZZO.address")
        .collect();
    assert_eq!(misses.len() as u64, level("street") + level("none"));
    assert_eq!(check(&s, "INDIRIZZO.address")["code"], "VG204");
    for (row, _, _, message) in &misses {
        assert!(!truth[row][7].is_empty(), "row {row}: {message}");
        assert!(message.ends_with(')'), "{message}");
    }

    // servizi: a tenancy is placed by its dwelling, a canteen enrolment by
    // its resident.
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM servizi s JOIN erp_inquilini e ON s.fonte = 'erp_inquilini' AND s.riga = e.riga \
             WHERE s.area_da = 'indirizzo' AND s.area_statistica = e.area_statistica \
             AND e.livello_indirizzo IN ('civic', 'civic_normalised')"
        ),
        count(
            &conn,
            "SELECT count(*) FROM erp_inquilini WHERE esito = 'match' AND livello_indirizzo IN ('civic', 'civic_normalised')"
        )
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM servizi s JOIN individui i USING (persona) \
             WHERE s.fonte = 'refezione' AND (s.area_da <> 'residenza' OR s.area_statistica <> i.area_statistica)"
        ),
        0
    );
    assert!(
        count(
            &conn,
            "SELECT count(*) FROM servizi WHERE fonte = 'refezione'"
        ) > 0
    );
    // Fragility per area statistica too: each numerator recomputed from
    // individui and famiglie, a composite for every area.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(DISTINCT area) FROM fragilita WHERE livello = 'area_statistica'"
        ),
        count(&conn, "SELECT COUNT(*) FROM aree WHERE residenti > 0")
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM fragilita f WHERE livello = 'area_statistica' \
             AND indicatore = 'quota_minori' AND soppresso = 0 AND numeratore <> \
             (SELECT COUNT(*) FROM individui i WHERE i.area_statistica = f.area \
              AND i.fascia_eta IN ('0-2', '3-5', '6-10', '11-13', '14-17'))"
        ),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM fragilita f WHERE livello = 'area_statistica' \
             AND indicatore = 'famiglie_erp_inquilini' AND soppresso = 0 AND numeratore <> \
             (SELECT COUNT(*) FROM famiglie g WHERE g.area_statistica = f.area \
              AND g.raggiunti_erp_inquilini > 0)"
        ),
        0
    );
    assert!(
        count(
            &conn,
            "SELECT COUNT(*) FROM fragilita WHERE livello = 'area_statistica' \
             AND indicatore = 'indice_fragilita' AND classe IS NOT NULL"
        ) > 40
    );
    // The run's index has the register's row and the share of addresses
    // confirmed at a house number.
    let index = std::fs::read_to_string(dir.join("reports/index.html")).unwrap();
    assert!(index.contains("href=\"stradario/index.html\""));
    assert!(index.contains("Indirizzi al civico"), "{index}");
    // The run's index and the metadata name the register's files.
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM metadata WHERE chiave LIKE 'sha256:stradario:%'"
        ),
        2
    );
}

#[test]
fn without_a_register_there_is_no_geography() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 300, 3);
    let project = std::fs::read_to_string(dir.join("vaglio.toml")).unwrap();
    let start = project.find("[stradario]").unwrap();
    let end = project[start..].find("[[sources]]").unwrap() + start;
    std::fs::write(
        dir.join("vaglio.toml"),
        format!("{}{}", &project[..start], &project[end..]),
    )
    .unwrap();
    run(dir).code(0);
    let conn = Connection::open(dir.join("master/datamart.sqlite")).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM aree"), 0);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM individui WHERE area_statistica IS NOT NULL"
        ),
        0
    );
    let cols = rows(&conn, "SELECT name FROM pragma_table_info('erp_inquilini')");
    assert!(!cols
        .iter()
        .any(|c| c[0].as_deref() == Some("area_statistica")));
    let s = summary(&dir.join("reports/erp_inquilini"));
    assert!(s["sources"][0].get("addresses").is_none());
}

#[test]
fn a_register_that_contradicts_itself_stops_the_run_before_any_output() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 300, 3);
    let before = std::fs::read(dir.join("master/datamart.sqlite")).unwrap();
    let register = std::fs::read_to_string(dir.join("stradario.csv")).unwrap();
    let second = register.lines().nth(1).unwrap().to_string();
    std::fs::write(
        dir.join("stradario.csv"),
        format!("{register}{}\n", second.replacen(";VIA;", ";PIAZZA;", 1)),
    )
    .unwrap();
    let out = run(dir).code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("vaglio::geography::"), "{err}");
    assert_eq!(
        std::fs::read(dir.join("master/datamart.sqlite")).unwrap(),
        before
    );
}

#[test]
fn an_address_column_the_file_lacks_is_refused_before_any_work() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 300, 3);
    let rules = dir.join("rules/erp_inquilini.toml");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(
        &rules,
        text.replace("text = \"INDIRIZZO\"", "text = \"INDIRIZZO_ALLOGGIO\""),
    )
    .unwrap();
    let out = vaglio()
        .env_remove("VAGLIO_KEY")
        .env("VAGLIO_TEST_CRASH_AT", "started")
        .arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("vaglio::geography::address_column"), "{err}");
    assert!(err.contains("INDIRIZZO_ALLOGGIO"), "{err}");
}

#[test]
fn fragility_indicators_produced_elsewhere_are_imported() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 2000, 7);
    // One indicator per quartiere (lower is fragile), one per area with the
    // counts it rests on, one small count to suppress.
    let mut csv = String::from("livello;area;indicatore;valore;numeratore;denominatore;verso\n");
    for (i, q) in [
        "Borgo Panigale-Reno",
        "Navile",
        "Porto-Saragozza",
        "San Donato-San Vitale",
        "Santo Stefano",
        "Savena",
    ]
    .iter()
    .enumerate()
    {
        csv.push_str(&format!("quartiere;{q};speranza_vita;{},5;;;-\n", 80 + i));
    }
    csv.push_str("area_statistica;1101;accessi_ps;0,12;12;100;\n");
    csv.push_str("area_statistica;1102;accessi_ps;0,02;2;100;\n");
    std::fs::write(dir.join("indicatori.csv"), csv).unwrap();
    let project = std::fs::read_to_string(dir.join("vaglio.toml")).unwrap();
    std::fs::write(
        dir.join("vaglio.toml"),
        format!("{project}\n[fragility]\nimport = [\"indicatori.csv\"]\n"),
    )
    .unwrap();
    run(dir).code(0);
    let conn = Connection::open(dir.join("master/datamart.sqlite")).unwrap();
    let value = |sql: &str| -> Option<f64> {
        conn.query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    assert_eq!(
        value("SELECT valore FROM fragilita WHERE livello = 'quartiere' AND area = 'Navile' AND indicatore = 'speranza_vita'"),
        Some(81.5)
    );
    assert_eq!(
        value("SELECT valore FROM fragilita WHERE livello = 'area_statistica' AND area = '1101' AND indicatore = 'accessi_ps'"),
        Some(0.12)
    );
    assert_eq!(
        value("SELECT valore FROM fragilita WHERE area = '1102' AND indicatore = 'accessi_ps'"),
        None,
        "a numerator of 2 is suppressed"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM metadata WHERE chiave = 'sha256:fragilita:file:indicatori.csv'"
        ),
        1
    );

    // An area the run does not know stops it, and the datamart stays.
    let before = std::fs::read(dir.join("master/datamart.sqlite")).unwrap();
    std::fs::write(
        dir.join("indicatori.csv"),
        "area;indicatore;valore\nQuartiere Inesistente;speranza_vita;80\n",
    )
    .unwrap();
    let out = run(dir).code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("vaglio::fragility::import"), "{err}");
    assert!(err.contains("Quartiere Inesistente"), "{err}");
    assert_eq!(
        std::fs::read(dir.join("master/datamart.sqlite")).unwrap(),
        before
    );
}
