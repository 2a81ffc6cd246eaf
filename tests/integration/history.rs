//! Quality over time (issue 20): successive demo deliveries into one folder
//! build `history/history.sqlite`; the reports draw each source's trend and
//! what changed; every owner gets a bundle of only its sources; `vaglio
//! history` prints a trend; `vaglio check --history` keeps one too and
//! `--baseline history` compares with the last accepted delivery. No
//! personal value ever enters the history.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use rusqlite::Connection;

use crate::util::{scratch, vaglio};

const RESIDENTS: &str = "1500";

/// `vaglio demo` delivery `n` into `dir`; its exit code.
fn deliver(dir: &Path, n: u32) -> i32 {
    let out = vaglio()
        .env_remove("VAGLIO_KEY")
        .args(["demo", "--quiet", "--residents", RESIDENTS, "--delivery"])
        .arg(n.to_string())
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.status.code().unwrap()
}

fn history_json(dir: &Path, source: &str) -> serde_json::Value {
    let out = vaglio()
        .args(["history", "--project"])
        .arg(dir.join("vaglio.toml"))
        .args([source, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// The rate of `check` of `source` per delivery, oldest first.
fn rates(conn: &Connection, source: &str, check: &str) -> Vec<f64> {
    let mut stmt = conn
        .prepare(
            "SELECT c.rate FROM checks c JOIN deliveries d ON d.id = c.delivery \
             WHERE d.source = ?1 AND c.id = ?2 ORDER BY d.date",
        )
        .unwrap();
    stmt.query_map([source, check], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The `data-value`s of the circles of `series` in the first trend chart
/// of `page` that draws it.
fn points(page: &str, series: &str) -> Vec<f64> {
    let section = &page[page.find("id=\"andamento\"").expect("a trend section")..];
    let start = section
        .find(&format!("data-series=\"{series}\""))
        .unwrap_or_else(|| panic!("no series {series}"));
    let group = &section[start..start + section[start..].find("</g>").unwrap()];
    group
        .split("data-value=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            out.insert(p.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out
}

#[test]
fn successive_deliveries_build_a_history_trends_and_owner_bundles() {
    let tmp = scratch();
    let dir = tmp.path();
    // Delivery 0 is today's demo; 1 a few more blank codes; 2 a bad month
    // (and a new column); 3 fixed (the column gone again).
    assert_eq!(deliver(dir, 0), 0);
    assert_eq!(deliver(dir, 1), 0);
    assert_eq!(deliver(dir, 2), 1, "a bad month fails the gate");
    let after2 = history_json(dir, "servizi_sociali");
    assert_eq!(
        strings(&after2["changes"]["new_columns"]),
        ["NOTE_INTERVENTO"]
    );
    // The bad month's blank birth dates fail a check that never failed.
    let refezione2 = history_json(dir, "refezione");
    assert!(
        strings(&refezione2["changes"]["new_failing"])
            .contains(&"DATA_NASCITA_ALUNNO.required".to_string()),
        "{refezione2}"
    );
    assert_eq!(deliver(dir, 3), 0);

    // The history's rows: ten tables (anagrafe, register, eight sources)
    // times four deliveries, each with every check and column.
    let db = dir.join("history/history.sqlite");
    let conn = Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM deliveries"), 40);
    assert_eq!(count("SELECT COUNT(DISTINCT date) FROM deliveries"), 4);
    assert_eq!(
        count("SELECT COUNT(*) FROM deliveries WHERE source = 'refezione'"),
        4
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM deliveries WHERE linked IS NULL"),
        8,
        "the anagrafe and the register are not linked"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM deliveries WHERE source = 'refezione' AND gate = 'failed'"),
        1
    );
    let dates: Vec<String> = conn
        .prepare("SELECT date FROM deliveries WHERE source = 'refezione' ORDER BY date")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        dates,
        ["2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31"]
    );
    let required = rates(&conn, "refezione", "CF_ALUNNO.required");
    assert_eq!(required.len(), 4);
    assert!(required[2] > required[1] + 5.0, "{required:?}");
    assert!(required[1] >= required[0], "{required:?}");
    assert_eq!(required[3], required[0], "{required:?}: fixed");
    // Every delivery of a source has every check of its rule file.
    assert_eq!(
        count(
            "SELECT COUNT(DISTINCT n) FROM (SELECT COUNT(*) AS n FROM checks c JOIN deliveries d \
             ON d.id = c.delivery WHERE d.source = 'refezione' GROUP BY d.id)"
        ),
        1
    );
    let completeness: Vec<f64> = conn
        .prepare(
            "SELECT f.completeness FROM fields f JOIN deliveries d ON d.id = f.delivery \
             WHERE d.source = 'refezione' AND f.name = 'CF_ALUNNO' ORDER BY d.date",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(completeness[2] < completeness[0] - 5.0, "{completeness:?}");
    let linked: Vec<i64> = conn
        .prepare("SELECT linked FROM deliveries WHERE source = 'refezione' ORDER BY date")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        linked[2] < linked[0],
        "fewer links in the bad month: {linked:?}"
    );

    // The trend charts' points are the history's rates, oldest first.
    let page = std::fs::read_to_string(dir.join("reports/refezione/index.html")).unwrap();
    let drawn = points(&page, "CF_ALUNNO.required");
    assert_eq!(drawn.len(), 4);
    for (d, r) in drawn.iter().zip(&required) {
        assert!((d - r).abs() < 1e-3, "{drawn:?} vs {required:?}");
    }
    assert_eq!(points(&page, "CF_ALUNNO").len(), 4, "completeness drawn");
    assert_eq!(points(&page, "collegati").len(), 4, "linkage drawn");
    assert!(page.contains("Andamento nel tempo"), "Italian by default");
    // What changed since the previous delivery.
    let fixed = &page[page
        .find("<li data-kind=\"fixed\">Controlli risolti: ")
        .unwrap()..];
    let fixed = &fixed[..fixed.find("</li>").unwrap()];
    assert!(
        fixed.contains("<code>DATA_NASCITA_ALUNNO.required</code>"),
        "{fixed}"
    );
    let sociali = std::fs::read_to_string(dir.join("reports/servizi_sociali/index.html")).unwrap();
    assert!(sociali.contains(
        "<li data-kind=\"vanished-column\">Colonne scomparse: <code>NOTE_INTERVENTO</code>"
    ));
    let after3 = history_json(dir, "servizi_sociali");
    assert_eq!(
        strings(&after3["changes"]["vanished_columns"]),
        ["NOTE_INTERVENTO"]
    );
    assert_eq!(after3["recorded"], 4);
    let text = vaglio()
        .args(["history", "--project"])
        .arg(dir.join("vaglio.toml"))
        .arg("refezione")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("refezione: 4 deliveries recorded"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("checks fixed: "))
        .unwrap_or_default();
    assert!(line.contains("DATA_NASCITA_ALUNNO.required"), "{text}");

    // Each owner's bundle holds its sources' reports and nobody else's.
    let owners = dir.join("reports/owners");
    let scuola = files_under(&owners.join("scuola"));
    let mut expected: BTreeSet<String> = ["index.html", "owner.json"].map(String::from).into();
    for s in ["refezione", "riscossione_scuola"] {
        for f in ["index.html", "findings.csv", "summary.json", "junit.xml"] {
            expected.insert(format!("{s}/{f}"));
            assert_eq!(
                std::fs::read(owners.join("scuola").join(s).join(f)).unwrap(),
                std::fs::read(dir.join("reports").join(s).join(f)).unwrap(),
                "{s}/{f} is the run's"
            );
        }
    }
    assert_eq!(scuola, expected);
    assert_eq!(
        files_under(&owners.join("sociali"))
            .iter()
            .filter_map(|f| f.split_once('/').map(|(s, _)| s.to_string()))
            .collect::<BTreeSet<_>>(),
        ["servizi_sociali".to_string()].into()
    );
    let scuola_page = std::fs::read_to_string(owners.join("scuola/index.html")).unwrap();
    for other in ["servizi_sociali", "erp_inquilini", "irpef", "isee\""] {
        assert!(
            !scuola_page.contains(other),
            "{other} in the school's bundle"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(owners.join("scuola/owner.json")).unwrap()).unwrap();
    assert_eq!(manifest["date"], "2026-03-31");
    assert_eq!(
        strings(&manifest["notify"]),
        ["qualita.dati@comune.example.it"]
    );
    let index = std::fs::read_to_string(dir.join("reports/index.html")).unwrap();
    assert!(index.contains("Titolari dei dati"));
    assert!(index.contains("href=\"owners/casa/index.html\""));
    assert!(
        !index.contains("qualita.dati@"),
        "who is notified stays in the bundle"
    );

    // No personal value in the history: no codice fiscale in its bytes, and
    // no value of the anagrafe's identity columns among its texts.
    let bytes = std::fs::read(&db).unwrap();
    let cf = regex::bytes::Regex::new(
        r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]",
    )
    .unwrap();
    assert!(!cf.is_match(&bytes), "a codice fiscale in the history");
    let anagrafe: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_path(dir.join("anagrafe.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let header = &anagrafe[0];
    let mut personal: HashSet<String> = HashSet::new();
    for col in ["CODICE_FISCALE", "COGNOME", "NOME", "DATA_NASCITA"] {
        let i = header
            .iter()
            .position(|h| h == col)
            .unwrap_or_else(|| panic!("{col} in {header:?}"));
        personal.extend(anagrafe[1..].iter().map(|r| r[i].clone()));
    }
    let mut texts = Vec::new();
    for (table, columns) in [
        (
            "deliveries",
            "run, date, recorded_at, source, rules_sha256, input_sha256, gate",
        ),
        ("checks", "id, code, column_name, severity, verdict"),
        ("fields", "name, type"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT {columns} FROM {table}"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, Option<String>>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for r in rows {
            texts.extend(r.unwrap().into_iter().flatten());
        }
    }
    assert!(texts.len() > 1000);
    for t in &texts {
        assert!(
            !personal.contains(t),
            "a personal value in the history: {t}"
        );
    }
    drop(conn);

    // The social services' extract passes to the housing office: the run
    // moves it to that bundle and removes it from the old one; the same
    // deliveries run again replace themselves.
    let project = dir.join("vaglio.toml");
    let text = std::fs::read_to_string(&project).unwrap();
    let moved = text.replace(
        "name = \"servizi_sociali\"\nowner = \"sociali\"",
        "name = \"servizi_sociali\"\nowner = \"casa\"",
    );
    assert_ne!(moved, text);
    std::fs::write(&project, moved).unwrap();
    let out = vaglio()
        .env_remove("VAGLIO_KEY")
        .args(["run", "--quiet", "--today", "2026-03-31"])
        .arg(&project)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(owners.join("casa/servizi_sociali/index.html").exists());
    assert_eq!(
        files_under(&owners.join("sociali")),
        ["index.html", "owner.json"].map(String::from).into(),
        "only the (now empty) owner's page is left"
    );
    let conn = Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 40);
}

#[test]
fn check_keeps_a_history_and_compares_with_the_last_accepted_delivery() {
    let tmp = scratch();
    let dir = tmp.path();
    let city = dir.join("city");
    assert_eq!(deliver(&city, 0), 0);
    let rules = city.join("rules/refezione.toml");
    let month0 = dir.join("refezione-0.csv");
    std::fs::copy(city.join("refezione.csv"), &month0).unwrap();
    let history = dir.join("h");
    let check = |file: &Path, today: &str, baseline: bool| {
        let mut c = vaglio();
        c.args(["check", "--quiet", "--today", today, "--rules"])
            .arg(&rules)
            .arg("--history")
            .arg(&history)
            .arg("--out")
            .arg(dir.join("out"))
            .arg(file);
        if baseline {
            c.args(["--baseline", "history"]);
        }
        c.output().unwrap()
    };
    // No accepted delivery yet: nothing to compare with (exit 2).
    let out = check(&month0, "2025-12-31", true);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no accepted delivery"));
    assert!(!history.join("history.sqlite").exists());
    assert_eq!(check(&month0, "2025-12-31", false).status.code(), Some(0));
    // The same delivery again replaces it: still one.
    assert_eq!(check(&month0, "2025-12-31", false).status.code(), Some(0));
    let conn = Connection::open(history.join("history.sqlite")).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    drop(conn);
    // A later, worse delivery: a regression against the accepted one.
    assert_eq!(deliver(&city, 4), 0);
    let out = check(&city.join("refezione.csv"), "2026-04-30", true);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/summary.json")).unwrap()).unwrap();
    let subjects: Vec<&str> = summary["regressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&"CF_ALUNNO.required"), "{subjects:?}");
    assert!(subjects.contains(&"field:CF_ALUNNO"), "{subjects:?}");
    let page = std::fs::read_to_string(dir.join("out/index.html")).unwrap();
    assert_eq!(points(&page, "CF_ALUNNO.required").len(), 2);
    // A delivery that regressed is remembered, and not as accepted.
    let conn = Connection::open(history.join("history.sqlite")).unwrap();
    let gates: Vec<String> = conn
        .prepare("SELECT gate FROM deliveries ORDER BY date")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(gates, ["passed", "failed"]);
    drop(conn);
    // `vaglio history --history DIR` reads it.
    let out = vaglio()
        .args(["history", "--history"])
        .arg(&history)
        .args(["refezione", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("| 2026-04-30 |"), "{md}");
    // An unknown source is an error naming those the history has.
    let out = vaglio()
        .args(["history", "--history"])
        .arg(&history)
        .arg("nessuna")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refezione"));
}

#[test]
fn a_history_that_is_not_one_stops_the_run_and_keeps_every_output() {
    let tmp = scratch();
    let dir = tmp.path();
    assert_eq!(deliver(dir, 0), 0);
    let index = std::fs::read(dir.join("reports/index.html")).unwrap();
    std::fs::write(dir.join("history/history.sqlite"), b"not a history").unwrap();
    let out = vaglio()
        .env_remove("VAGLIO_KEY")
        .args(["run", "--quiet", "--today", "2026-01-31"])
        .arg(dir.join("vaglio.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot use the history"));
    assert_eq!(
        std::fs::read(dir.join("reports/index.html")).unwrap(),
        index
    );
    assert_eq!(
        std::fs::read(dir.join("history/history.sqlite")).unwrap(),
        b"not a history"
    );
}
