//! No injection: what vaglio writes runs nothing. Every CSV output is safe
//! to open in a spreadsheet, data reach the terminal with their control
//! characters escaped, and two columns the datamart cannot tell apart stop
//! the job before it starts.

use std::path::Path;

use crate::util::*;

/// A cell a spreadsheet would run: it begins with `=`, `+`, `-`, `@`, TAB
/// or CR and is not a plain number.
pub fn is_formula(cell: &str) -> bool {
    let Some(first) = cell.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    let body = &cell[1..];
    let number = matches!(first, '+' | '-')
        && body.starts_with(|c: char| c.is_ascii_digit())
        && body.ends_with(|c: char| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    !number
}

/// Every cell of every CSV file under `dir` that a spreadsheet would run.
pub fn formula_cells(dir: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    for p in files_under(dir, "csv") {
        let bytes = std::fs::read(&p).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let delimiter = if text.lines().next().is_some_and(|l| l.contains(';')) {
            b';'
        } else {
            b','
        };
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        for rec in r.records().flatten() {
            for cell in rec.iter().filter(|c| is_formula(c)) {
                bad.push(format!("{}: {cell:?}", p.display()));
            }
        }
    }
    bad
}

const RULES: &str = "[input]\nkey = \"ID\"\n[fields.ID]\npii = false\nmax_length = 3\n[fields.NOTA]\npii = false\nmax_length = 3\n";

#[test]
fn findings_csv_cells_never_run_in_a_spreadsheet() {
    let dir = scratch();
    let data = "ID,NOTA,=cmd|' /C calc'!A0\n\
                =HYPERLINK(\"http://x\"),-1+2,a\n\
                \"\t=2+2\",@SUM(A1),b\n\
                +1+1,\"-150,00\",c\n\
                \"\r=1\",'x,d\n";
    std::fs::write(dir.path().join("rules.toml"), RULES).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("x.csv"), data).unwrap_or_else(|e| panic!("{e}"));
    check_cmd(
        &dir.path().join("rules.toml"),
        &dir.path().join("x.csv"),
        &dir.path().join("out"),
    )
    .arg("--show-pii")
    .assert()
    .code(1);
    let out = dir.path().join("out");
    assert_eq!(formula_cells(&out), Vec::<String>::new());
    let rows = read_csv(&out.join("findings.csv"));
    let keys: Vec<&str> = rows[1..].iter().map(|r| r[3].as_str()).collect();
    // The tab is kept (no trimming turns it into `=2+2`), behind the `'`.
    assert!(keys.contains(&"'\t=2+2"), "{keys:?}");
    assert!(keys.contains(&"'=HYPERLINK(\"http://x\")"), "{keys:?}");
    assert!(keys.contains(&"'+1+1"), "{keys:?}");
    let columns: Vec<&str> = rows[1..].iter().map(|r| r[4].as_str()).collect();
    assert!(
        columns.contains(&"'=cmd|' /C calc'!A0"),
        "the undeclared column: {columns:?}"
    );
}

#[test]
fn escape_sequences_in_data_reach_the_terminal_escaped() {
    let dir = scratch();
    let data = "ID,NOTA\n\"\x1b[2J\x1b]0;pwned\x07\",long\n";
    std::fs::write(dir.path().join("rules.toml"), RULES).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("x.csv"), data).unwrap_or_else(|e| panic!("{e}"));
    let out = check_cmd(
        &dir.path().join("rules.toml"),
        &dir.path().join("x.csv"),
        &dir.path().join("out"),
    )
    .arg("--show-pii")
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains('\x1b') && !stdout.contains('\x07'),
        "{stdout:?}"
    );
    assert!(stdout.contains("\\e[2J"), "{stdout}");
}

#[test]
fn escape_sequences_in_an_error_reach_the_terminal_escaped() {
    let dir = scratch();
    // The tables of a database are listed when the one named is missing.
    let db = dir.path().join("x.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("CREATE TABLE \"\x1b[2J\x1b]0;pwned\x07\" (ID INTEGER);")
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let rules = "[input]\ntable = \"assente\"\n[fields.ID]\ntype = \"integer\"\n";
    std::fs::write(dir.path().join("rules.toml"), rules).unwrap_or_else(|e| panic!("{e}"));
    let out = check_cmd(&dir.path().join("rules.toml"), &db, &dir.path().join("out"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\x07'),
        "{stderr:?}"
    );
    assert!(stderr.contains("\\e[2J\\e]0;pwned\\u{7}"), "{stderr}");
}

#[test]
fn a_rule_file_with_columns_differing_only_in_case_is_refused() {
    let dir = scratch();
    let rules = "[fields.note]\npii = false\n\n[fields.NOTE]\npii = false\n";
    std::fs::write(dir.path().join("rules.toml"), rules).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("x.csv"), "note,NOTE\na,b\n").unwrap_or_else(|e| panic!("{e}"));
    let out = check_cmd(
        &dir.path().join("rules.toml"),
        &dir.path().join("x.csv"),
        &dir.path().join("out"),
    )
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`note` and `NOTE`"), "{err}");
    assert!(err.contains("rules.toml:4"), "{err}");
    assert!(!dir.path().join("out").exists());
}

/// Rewrites the demo's refezione.csv: `edit` gets the header and the data
/// rows, split on `;`.
fn edit_refezione(dir: &Path, edit: impl Fn(&mut Vec<Vec<String>>)) {
    let path = dir.join("refezione.csv");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    // Windows-1252: kept byte for byte through Latin-1.
    let text: String = bytes.iter().map(|&b| b as char).collect();
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(';').map(str::to_string).collect())
        .collect();
    edit(&mut rows);
    let out: Vec<u8> = rows
        .iter()
        .map(|r| r.join(";") + "\r\n")
        .collect::<String>()
        .chars()
        .map(|c| c as u8)
        .collect();
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_run_writes_no_formula_and_stops_on_a_column_clash_before_the_work() {
    let dir = scratch();
    demo_city(dir.path(), 1500, 5);
    edit_refezione(dir.path(), |rows| {
        rows[1][0] = "=1+1".into();
        rows[2][0] = "@SUM(A1)".into();
        rows[3][0] = "-2-2".into();
    });
    vaglio()
        .env_remove("VAGLIO_KEY")
        .args(["run", "--quiet"])
        .arg(dir.path().join("vaglio.toml"))
        .assert()
        .code(1); // three keys are not integers: the gate fails, outputs are written
    for out in ["reports", "master", "review"] {
        assert_eq!(formula_cells(&dir.path().join(out)), Vec::<String>::new());
    }
    let links = read_csv(&dir.path().join("master/links.csv"));
    assert!(
        links.iter().any(|r| r[0] == "refezione" && r[2] == "'=1+1"),
        "the key is written, neutralised"
    );

    let before_reports = std::fs::read(dir.path().join("reports/refezione/findings.csv"))
        .unwrap_or_else(|e| panic!("{e}"));
    let before_master =
        std::fs::read(dir.path().join("master/datamart.sqlite")).unwrap_or_else(|e| panic!("{e}"));
    edit_refezione(dir.path(), |rows| {
        for (i, r) in rows.iter_mut().enumerate() {
            if i == 0 {
                r.push("note".into());
                r.push("NOTE".into());
            } else {
                r.push("a".into());
                r.push("b".into());
            }
        }
    });
    // The run would be killed once its work starts (the anagrafe's check):
    // it stops before, on the clash.
    let out = vaglio()
        .env_remove("VAGLIO_KEY")
        .env("VAGLIO_TEST_CRASH_AT", "started")
        .args(["run", "--quiet"])
        .arg(dir.path().join("vaglio.toml"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`note` and `NOTE`"), "{err}");
    // Found before the source was checked or linked: its reports and the
    // master are as they were.
    assert_eq!(
        std::fs::read(dir.path().join("reports/refezione/findings.csv")).ok(),
        Some(before_reports)
    );
    assert_eq!(
        std::fs::read(dir.path().join("master/datamart.sqlite")).ok(),
        Some(before_master)
    );
}
