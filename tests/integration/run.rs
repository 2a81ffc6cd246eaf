//! `vaglio run`: the pipeline on the demo city's project file — the datamart
//! tables, pseudonyms, refusal without a key, decisions, determinism.

use std::collections::HashMap;
use std::path::Path;

use hmac::{Hmac, Mac};
use rusqlite::Connection;
use sha2::Sha256;

use crate::util::*;

const KEY: &str = "integration-test-key-0123456789abcdef";
const SOURCES: [&str; 8] = [
    "refezione",
    "servizi_sociali",
    "erp_inquilini",
    "isee",
    "riscossione_scuola",
    "irpef",
    "graduatoria_erp",
    "assegnazioni_erp",
];

fn pseudonym(key: &str, id: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(id.as_bytes());
    mac.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A demo city of 2000 residents in `dir`.
fn city(dir: &Path) {
    demo_city(dir, 2000, 7);
}

fn run(dir: &Path, key: Option<&str>, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = vaglio();
    cmd.arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet"])
        .args(extra);
    match key {
        Some(k) => cmd.env("VAGLIO_KEY", k),
        None => cmd.env_remove("VAGLIO_KEY"),
    };
    cmd.assert()
}

fn columns(conn: &Connection, table: &str) -> Vec<String> {
    let mut st = conn
        .prepare(&format!("PRAGMA table_info(\"{table}\")"))
        .unwrap();
    st.query_map([], |r| r.get::<_, String>(1))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Truth: row → ID_PERSONA (None for non-residents).
fn truth(dir: &Path, source: &str) -> HashMap<u64, Option<String>> {
    read_csv(&dir.join("truth").join(format!("{source}.csv")))
        .into_iter()
        .skip(1)
        .map(|r| {
            (
                r[0].parse().unwrap(),
                Some(r[2].clone()).filter(|s| !s.is_empty()),
            )
        })
        .collect()
}

#[test]
fn run_writes_the_datamart_deterministically() {
    let tmp = scratch();
    let dir = tmp.path();
    city(dir);
    run(dir, Some(KEY), &["--jobs", "1"]).code(0);
    let db = dir.join("master/datamart.sqlite");
    let links = dir.join("master/links.csv");
    let (db1, links1) = (std::fs::read(&db).unwrap(), std::fs::read(&links).unwrap());
    let all1 = outputs(dir);

    // Row counts.
    let anagrafe = std::fs::read_to_string(dir.join("anagrafe.csv")).unwrap();
    let lines: Vec<&str> = anagrafe.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len() - 1, 2000);
    let fam_col = lines[0]
        .split(';')
        .position(|h| h == "ID_FAMIGLIA")
        .unwrap();
    let mut families: Vec<String> = lines[1..]
        .iter()
        .map(|r| r.split(';').nth(fam_col).unwrap().to_string())
        .collect();
    families.sort();
    families.dedup();
    let conn = Connection::open(&db).unwrap();
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM individui"), 2000);
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM famiglie"),
        families.len() as i64
    );
    let mut extract_rows = 0;
    for s in SOURCES {
        let rows = truth(dir, s).len() as i64;
        extract_rows += rows;
        assert_eq!(
            count(&conn, &format!("SELECT COUNT(*) FROM {s}")),
            rows,
            "{s}"
        );
        assert_eq!(
            count(
                &conn,
                &format!("SELECT COUNT(*) FROM collegamenti WHERE fonte = '{s}'")
            ),
            rows
        );
    }
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM collegamenti"),
        extract_rows
    );
    assert_eq!(
        count(&conn, "SELECT SUM(componenti) FROM famiglie"),
        2000,
        "every resident in one family"
    );

    // A known resident's pseudonym is the HMAC of its id; no plain id.
    let p5 = pseudonym(KEY, "5");
    assert_eq!(
        count(
            &conn,
            &format!("SELECT COUNT(*) FROM individui WHERE persona = '{p5}'")
        ),
        1
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM individui WHERE persona = '5'"),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM individui WHERE length(persona) <> 32"
        ),
        0
    );

    // Linked records carry their truth's pseudonym.
    let t = truth(dir, "refezione");
    let mut st = conn
        .prepare("SELECT riga, persona FROM refezione WHERE esito = 'match' ORDER BY riga")
        .unwrap();
    let linked: Vec<(i64, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(st);
    assert!(linked.len() > 100);
    for (row, person) in &linked {
        let id = t[&(*row as u64)].as_deref().expect("a resident");
        assert_eq!(person, &pseudonym(KEY, id), "refezione row {row}");
    }
    // individui counts agree with the links.
    assert_eq!(
        count(&conn, "SELECT SUM(n_refezione) FROM individui"),
        linked.len() as i64
    );
    let raggiunti = count(&conn, "SELECT SUM(raggiunti_isee) FROM famiglie");
    assert_eq!(
        raggiunti,
        count(&conn, "SELECT COUNT(*) FROM individui WHERE n_isee > 0")
    );
    assert!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie WHERE isee IS NOT NULL"
        ) > 100
    );

    // Identifying columns are not in the source tables.
    let refezione = columns(&conn, "refezione");
    for c in [
        "CF_ALUNNO",
        "COGNOME_ALUNNO",
        "NOME_ALUNNO",
        "DATA_NASCITA_ALUNNO",
        "COGNOME_PAGANTE",
        "NOME_PAGANTE",
    ] {
        assert!(!refezione.contains(&c.to_string()), "refezione has {c}");
    }
    assert!(refezione.contains(&"VALORE_ISEE".to_string()));
    // CF_PAGANTE is declared `datamart = "pseudonymise"`: the keyed
    // pseudonym of the code, the same for the same payer.
    let raw = std::fs::read(dir.join("refezione.csv")).unwrap();
    let first = String::from_utf8_lossy(&raw)
        .lines()
        .nth(1)
        .unwrap()
        .split(';')
        .nth(7)
        .unwrap()
        .to_string();
    let stored: String = conn
        .query_row("SELECT CF_PAGANTE FROM refezione WHERE riga = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stored, pseudonym(KEY, &format!("valore:{first}")));
    assert!(
        count(
            &conn,
            "SELECT COUNT(*) FROM refezione WHERE length(CF_PAGANTE) = 32"
        ) > 100
    );
    for (table, gone) in [
        ("servizi_sociali", "NOMINATIVO"),
        ("servizi_sociali", "CF_BENEFICIARIO"),
        ("erp_inquilini", "CF_INTESTATARIO"),
        ("erp_inquilini", "INDIRIZZO"),
        ("isee", "CF_DICHIARANTE"),
        ("isee", "PROTOCOLLO_DSU"),
    ] {
        assert!(
            !columns(&conn, table).contains(&gone.to_string()),
            "{table}.{gone}"
        );
    }
    // No codice fiscale anywhere in the feed's text.
    let text = String::from_utf8_lossy(&db1).into_owned();
    let cf = regex::Regex::new(
        r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]",
    )
    .unwrap();
    assert!(!cf.is_match(&text), "a codice fiscale in the datamart");
    let meta = count(
        &conn,
        "SELECT COUNT(*) FROM metadata WHERE chiave = 'pseudonimi' AND valore LIKE 'si%'",
    );
    assert_eq!(meta, 1);
    drop(conn);

    // The same run again with 2 and 8 threads: every output (datamart,
    // links, queue, every report) byte-identical.
    for jobs in ["2", "8"] {
        run(dir, Some(KEY), &["--jobs", jobs]).code(0);
        assert!(std::fs::read(&db).unwrap() == db1, "datamart differs");
        assert!(
            std::fs::read(&links).unwrap() == links1,
            "links.csv differs"
        );
        let all = outputs(dir);
        assert_eq!(
            all.keys().collect::<Vec<_>>(),
            all1.keys().collect::<Vec<_>>()
        );
        for (f, bytes) in &all1 {
            assert!(all[f] == *bytes, "{f} differs with --jobs {jobs}");
        }
    }
    // Another key: other pseudonyms.
    run(dir, Some("another-key-0123456789abcdef"), &[]).code(0);
    assert!(std::fs::read(&links).unwrap() != links1);
}

#[test]
fn run_refuses_without_a_key_and_keeps_the_old_datamart() {
    let tmp = scratch();
    let dir = tmp.path();
    city(dir); // the demo wrote a datamart with its demo key
    let db = dir.join("master/datamart.sqlite");
    let before = std::fs::read(&db).unwrap();
    std::fs::remove_file(dir.join("demo.key")).unwrap();
    let out = run(dir, None, &[]).code(2);
    let err: String = String::from_utf8_lossy(&out.get_output().stderr)
        .split_whitespace()
        .collect();
    assert!(err.contains("VAGLIO_KEY"), "{err}");
    assert!(err.contains("--no-pseudonyms"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // A key too short is refused too.
    run(dir, Some("short"), &[]).code(2);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // --no-pseudonyms writes plain ids and says so.
    run(dir, None, &["--no-pseudonyms"]).code(0);
    let conn = Connection::open(&db).unwrap();
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM individui WHERE persona = '5'"),
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM metadata WHERE chiave = 'pseudonimi' AND valore LIKE 'no%'"
        ),
        1
    );
}

fn links_row(dir: &Path, source: &str, row: &str) -> Vec<String> {
    read_csv(&dir.join("master/links.csv"))
        .into_iter()
        .find(|r| r[0] == source && r[1] == row)
        .unwrap_or_else(|| panic!("no links row {source} {row}"))
}

#[test]
fn decisions_override_the_model() {
    let tmp = scratch();
    let dir = tmp.path();
    city(dir);
    run(dir, Some(KEY), &[]).code(0);
    // Row 1 of refezione is a match; find an unmatched row.
    assert_eq!(links_row(dir, "refezione", "1")[4], "match");
    let unmatched = read_csv(&dir.join("master/links.csv"))
        .into_iter()
        .find(|r| r[0] == "refezione" && r[4] == "unmatched")
        .expect("an unmatched refezione record")[1]
        .clone();
    let cand = pseudonym(KEY, "17");
    let decisions = dir.join("decisions.csv");
    std::fs::write(
        &decisions,
        format!(
            "source,row,key,candidate,decision\nrefezione,1,,,reject\nrefezione,{unmatched},,{cand},accept\nisee,3,,,\n"
        ),
    )
    .unwrap();
    let conn = Connection::open(dir.join("master/datamart.sqlite")).unwrap();
    let n_before = count(
        &conn,
        &format!("SELECT n_refezione FROM individui WHERE persona = '{cand}'"),
    );
    drop(conn);
    let mut cmd = vaglio();
    cmd.arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31"])
        .arg("--decisions")
        .arg(&decisions)
        .env("VAGLIO_KEY", KEY);
    let out = cmd.assert().code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("decided"), "{stdout}");
    let r1 = links_row(dir, "refezione", "1");
    assert_eq!(
        (r1[4].as_str(), r1[5].as_str(), r1[3].as_str()),
        ("unmatched", "decision", "")
    );
    let r2 = links_row(dir, "refezione", &unmatched);
    assert_eq!((r2[4].as_str(), r2[5].as_str()), ("match", "decision"));
    assert_eq!(r2[3], cand);
    // The report counts the decisions: one accepted, one rejected.
    let s = summary(&dir.join("reports/refezione"));
    let l = &s["sources"][0]["linkage"];
    let decision = l["by_tier"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["tier"] == "decision"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (decision["matched"].as_u64(), decision["unmatched"].as_u64()),
        (Some(1), Some(1))
    );
    let rejected = l["reasons"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["reason"] == "decision"))
        .and_then(|r| r["unmatched"].as_u64());
    assert_eq!(rejected, Some(1));
    let index = std::fs::read_to_string(dir.join("reports/index.html")).unwrap_or_default();
    assert!(index.contains("decisioni"), "the decisions file's SHA-256");
    let conn = Connection::open(dir.join("master/datamart.sqlite")).unwrap();
    assert_eq!(
        count(
            &conn,
            &format!("SELECT n_refezione FROM individui WHERE persona = '{cand}'")
        ),
        n_before + 1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM collegamenti WHERE criterio = 'decision'"
        ),
        2
    );
    // A decision naming an unknown candidate or source is refused.
    std::fs::write(
        &decisions,
        "source,row,candidate,decision\nrefezione,1,nobody,accept\n",
    )
    .unwrap();
    let mut cmd = vaglio();
    cmd.arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet", "--decisions"])
        .arg(&decisions)
        .env("VAGLIO_KEY", KEY);
    cmd.assert().code(2);
    std::fs::write(&decisions, "source,row,decision\nnowhere,1,reject\n").unwrap();
    let mut cmd = vaglio();
    cmd.arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet", "--decisions"])
        .arg(&decisions)
        .env("VAGLIO_KEY", KEY);
    cmd.assert().code(2);
}

#[test]
fn a_bad_project_file_is_reported_with_its_line() {
    let tmp = scratch();
    let p = tmp.path().join("vaglio.toml");
    std::fs::write(
        &p,
        "[anagrafe]\nfile = \"a.csv\"\nrules = \"a.toml\"\n\n[[sources]]\nname = \"x\"\nfile = \"x.csv\"\nrule = \"x.toml\"\n",
    )
    .unwrap();
    let out = vaglio().arg("run").arg(&p).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("unknown key `rule`"), "{err}");
    assert!(err.contains("vaglio.toml:8"), "{err}");
}

/// Every file under master/, review/ and reports/ of `dir`, with its bytes
/// (not the run's lock, which names the process that held it).
fn outputs(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack: Vec<std::path::PathBuf> = ["master", "review", "reports"]
        .iter()
        .map(|d| dir.join(d))
        .collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if !p.ends_with(".vaglio.lock") {
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            out.insert(rel, std::fs::read(&p).unwrap());
        }
    }
    out
}

fn against(dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    vaglio()
        .arg("link")
        .arg("--against")
        .arg(dir.join("master"))
        .args(["--today", "2025-12-31", "--quiet"])
        .args(extra)
        .env("VAGLIO_KEY", KEY)
        .assert()
}

#[test]
fn link_against_the_master_gives_what_a_full_run_gives() {
    let tmp = scratch();
    let dir = tmp.path();
    city(dir);
    run(dir, Some(KEY), &[]).code(0);
    // A new ISEE delivery: a third of the declarations gone.
    let isee = dir.join("isee.csv");
    let old = std::fs::read(&isee).unwrap();
    let lines: Vec<&[u8]> = old.split(|&b| b == b'\n').collect();
    let kept: Vec<&[u8]> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || i % 3 != 1)
        .map(|(_, l)| *l)
        .collect();
    std::fs::write(&isee, kept.join(&b'\n')).unwrap();

    let isee_arg = isee.display().to_string();
    against(dir, &["--source", "isee", &isee_arg]).code(0);
    let incremental = outputs(dir);
    let isee_rows = |d: &Path| {
        read_csv(&d.join("master/links.csv"))
            .iter()
            .filter(|r| r[0] == "isee")
            .count()
    };
    let n = isee_rows(dir);
    assert!(n > 0 && n < lines.len() - 1, "{n} isee links");

    run(dir, Some(KEY), &[]).code(0);
    let full = outputs(dir);
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>()
    );
    for (f, bytes) in &full {
        assert!(
            incremental[f] == *bytes,
            "{f} differs between --against and a full run"
        );
    }

    // The source is found by its file name too; the summary says what was
    // reused.
    let out = vaglio()
        .arg("link")
        .arg("--against")
        .arg(dir.join("master"))
        .arg(&isee)
        .args(["--today", "2025-12-31"])
        .env("VAGLIO_KEY", KEY)
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("reused from the last master"), "{stdout}");
    assert_eq!(outputs(dir), full);

    // Another source changed since the master: refused, master intact.
    let refezione = dir.join("refezione.csv");
    let mut r = std::fs::read(&refezione).unwrap();
    r.extend_from_slice(b"\n");
    std::fs::write(&refezione, r).unwrap();
    let out = against(dir, &["--source", "isee", &isee_arg]).code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("refezione") && stderr.contains("changed since"),
        "{stderr}"
    );
    assert_eq!(outputs(dir), full);

    // A different key cannot read the master's pseudonyms.
    std::fs::write(&refezione, old_refezione(&refezione)).unwrap();
    let out = vaglio()
        .arg("link")
        .arg("--against")
        .arg(dir.join("master"))
        .args(["--today", "2025-12-31", "--quiet", "--source", "isee"])
        .arg(&isee)
        .env("VAGLIO_KEY", "another-key-0123456789abcdef0123456789")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("same pseudonym key"), "{stderr}");
    assert_eq!(outputs(dir), full);
}

/// refezione.csv without the newline the test appended.
fn old_refezione(p: &Path) -> Vec<u8> {
    let mut b = std::fs::read(p).unwrap();
    b.pop();
    b
}

#[test]
fn source_tables_are_typed_from_their_rule_files() {
    let tmp = scratch();
    let dir = tmp.path();
    city(dir);
    // One ISEE value that is not a number: NULL in the datamart, a finding
    // in the report.
    let isee = dir.join("isee.csv");
    let text = std::fs::read_to_string(&isee).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[1].split(';').map(str::to_string).collect();
    let original = cells[9].clone();
    cells[9] = "non dichiarato".into();
    lines[1] = cells.join(";");
    std::fs::write(&isee, lines.join("\n") + "\n").unwrap();
    let code = run(dir, Some(KEY), &[]).get_output().status.code();
    assert!(matches!(code, Some(0 | 1)), "{code:?}");
    let conn = Connection::open(dir.join("master/datamart.sqlite")).unwrap();
    let types = |table: &str| -> Vec<(String, String)> {
        let mut st = conn
            .prepare(&format!("PRAGMA table_info(\"{table}\")"))
            .unwrap();
        st.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let isee_types = types("isee");
    for (column, ty) in [
        ("riga", "INTEGER"),
        ("DATA_PRESENTAZIONE", "TEXT"),
        ("TIPO_ISEE", "TEXT"),
        ("NUMERO_COMPONENTI", "INTEGER"),
        ("ISE", "REAL"),
        ("VALORE_ISEE", "REAL"),
    ] {
        assert!(
            isee_types.iter().any(|(c, t)| c == column && t == ty),
            "{column} {ty}: {isee_types:?}"
        );
    }
    // Every stored value has its column's type (SQLite's typeof), dates in
    // ISO 8601.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM isee WHERE typeof(VALORE_ISEE) NOT IN ('real', 'null') \
             OR typeof(NUMERO_COMPONENTI) NOT IN ('integer', 'null') \
             OR DATA_PRESENTAZIONE NOT GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'"
        ),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM isee WHERE riga = 1 AND VALORE_ISEE IS NULL"
        ),
        1
    );
    // 38.021,74 (decimal comma, thousands dot) is 38021.74.
    let second: Vec<String> = lines[2].split(';').map(str::to_string).collect();
    let expected: f64 = second[9]
        .replace('.', "")
        .replace(',', ".")
        .parse()
        .unwrap();
    let stored: f64 = conn
        .query_row("SELECT VALORE_ISEE FROM isee WHERE riga = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stored, expected, "{original}");
    let refezione = types("refezione");
    assert!(refezione
        .iter()
        .any(|(c, t)| c == "ESONERO" && t == "INTEGER"));
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM refezione WHERE ESONERO NOT IN (0, 1) \
             OR typeof(ID_ISCRIZIONE) NOT IN ('integer', 'null')"
        ),
        0
    );
    let findings = findings(&dir.join("reports/isee"));
    assert!(
        findings
            .iter()
            .any(|f| f.0 == "1" && f.2.starts_with("VALORE_ISEE")),
        "{findings:?}"
    );
}

#[test]
fn families_get_their_household_type_services_and_isee_band() {
    let tmp = scratch();
    let dir = tmp.path();
    city(dir);
    run(dir, Some(KEY), &[]).code(0);
    let conn = Connection::open(dir.join("master/datamart.sqlite")).unwrap();
    // Every family of the demo has its relationships: a type for each.
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM famiglie WHERE tipo IS NULL"),
        0
    );
    let kinds = count(&conn, "SELECT COUNT(DISTINCT tipo) FROM famiglie");
    assert!(kinds >= 5, "{kinds} household types");
    // One member: alone, elderly from 65 (by the members' ages).
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie WHERE componenti = 1 \
             AND tipo NOT IN ('persona sola', 'anziano solo')"
        ),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie WHERE (tipo = 'anziano solo') <> (componenti = 1 AND anziani = 1)"
        ),
        0
    );
    // With minors: a couple or a single parent with minors, or another kind.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie WHERE minori = 0 \
             AND tipo IN ('coppia con minori', 'monogenitore con minori')"
        ),
        0
    );
    // `servizi`: every linked record of the four sources whose rule files
    // have a [datamart] section (the ISEE declarations are not services).
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM servizi"),
        count(
            &conn,
            "SELECT COUNT(*) FROM collegamenti WHERE esito = 'match' \
             AND fonte IN ('refezione', 'servizi_sociali', 'erp_inquilini', 'assegnazioni_erp')"
        )
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM servizi WHERE fonte = 'isee'"),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM servizi s JOIN individui p ON p.persona = s.persona \
             AND p.famiglia = s.famiglia"
        ),
        count(&conn, "SELECT COUNT(*) FROM servizi")
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM servizi WHERE servizio IS NULL OR descrizione IS NULL \
             OR data_inizio NOT GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' \
             OR anno <> CAST(substr(data_inizio, 1, 4) AS INTEGER)"
        ),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM servizi WHERE (fonte IN ('erp_inquilini', 'assegnazioni_erp')) <> (importo IS NOT NULL)"
        ),
        0
    );
    assert!(count(&conn, "SELECT COUNT(DISTINCT servizio) FROM servizi") > 5);
    // The family's services and offices are its rows of `servizi`.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie f WHERE servizi <> \
             (SELECT COUNT(*) FROM servizi s WHERE s.famiglia = f.famiglia) \
             OR uffici <> (SELECT COUNT(DISTINCT fonte) FROM servizi s WHERE s.famiglia = f.famiglia)"
        ),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie i JOIN individui p ON p.famiglia = i.famiglia"
        ),
        count(&conn, "SELECT COUNT(*) FROM individui")
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie WHERE (isee IS NULL) <> (fascia_isee IS NULL) \
             OR (isee <= 9360 AND fascia_isee <> 'fino a 9.360') \
             OR (isee > 40000 AND fascia_isee <> 'oltre 40.000')"
        ),
        0
    );
    assert!(
        count(
            &conn,
            "SELECT COUNT(*) FROM famiglie WHERE fascia_isee IS NOT NULL"
        ) > 0
    );
}

#[test]
fn a_datamart_section_naming_a_missing_column_stops_the_run_before_any_work() {
    let tmp = scratch();
    let dir = tmp.path();
    city(dir);
    let rules = dir.join("rules/erp_inquilini.toml");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(
        &rules,
        text.replace("amount = \"CANONE_MENSILE\"", "amount = \"CANONE\""),
    )
    .unwrap();
    // Killed once the work starts: it stops before.
    let out = vaglio()
        .arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet"])
        .env("VAGLIO_KEY", KEY)
        .env("VAGLIO_TEST_CRASH_AT", "started")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[datamart] amount"), "{err}");
    assert!(err.contains("`CANONE`"), "{err}");
}

#[test]
fn fragility_indicators_per_quartiere_agree_with_the_other_tables() {
    let tmp = scratch();
    let dir = tmp.path();
    city(dir);
    run(dir, Some(KEY), &[]).code(0);
    let conn = Connection::open(dir.join("master/datamart.sqlite")).unwrap();
    let areas = count(&conn, "SELECT COUNT(DISTINCT quartiere) FROM individui");
    assert_eq!(areas, 6);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(DISTINCT area) FROM fragilita WHERE livello = 'quartiere'"
        ),
        areas
    );
    // Each numerator, recomputed from individui and famiglie.
    let mismatches = |indicator: &str, sql: &str| {
        count(
            &conn,
            &format!(
                "SELECT COUNT(*) FROM fragilita f WHERE livello = 'quartiere' \
                 AND indicatore = '{indicator}' AND soppresso = 0 AND numeratore <> ({sql})"
            ),
        )
    };
    assert_eq!(
        mismatches(
            "quota_minori",
            "SELECT COUNT(*) FROM individui i WHERE i.quartiere = f.area \
             AND i.fascia_eta IN ('0-2', '3-5', '6-10', '11-13', '14-17')"
        ),
        0
    );
    for s in ["refezione", "servizi_sociali", "erp_inquilini"] {
        assert_eq!(
            mismatches(
                &format!("famiglie_{s}"),
                &format!(
                    "SELECT COUNT(*) FROM famiglie g WHERE g.quartiere = f.area AND g.raggiunti_{s} > 0"
                )
            ),
            0,
            "{s}"
        );
    }
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM fragilita WHERE indicatore = 'famiglie_isee'"
        ),
        0,
        "the ISEE declarations are not a service"
    );
    assert_eq!(
        mismatches(
            "isee_sotto_soglia",
            "SELECT COUNT(*) FROM famiglie g WHERE g.quartiere = f.area AND g.isee <= 9360"
        ),
        0
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM fragilita WHERE soppresso = 0 AND indicatore <> 'indice_fragilita' \
             AND (valore IS NULL OR denominatore IS NULL)"
        ),
        0
    );
    // The composite: every area ranked, in four classes by quartile.
    let classes: Vec<(String, i64)> = {
        let mut st = conn
            .prepare(
                "SELECT classe, COUNT(*) FROM fragilita WHERE livello = 'quartiere' \
                 AND indicatore = 'indice_fragilita' GROUP BY classe ORDER BY classe",
            )
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        classes,
        [
            ("alta".to_string(), 1),
            ("bassa".to_string(), 2),
            ("medio-alta".to_string(), 2),
            ("medio-bassa".to_string(), 1)
        ]
    );
}
