//! Reading real extracts: encodings, delimiters, structural problems,
//! SQLite and Excel inputs.

use crate::util::*;

fn people() -> std::path::PathBuf {
    fixtures().join("check/people.toml")
}

fn run_ok(file: &str) -> (String, tempfile::TempDir) {
    let out = scratch();
    let assert = check_cmd(&people(), &fixtures().join("check").join(file), out.path())
        .arg("--show-pii")
        .assert();
    let output = assert.get_output().clone();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (stdout, out)
}

#[test]
fn windows_1252_is_detected_and_decoded() {
    let (stdout, out) = run_ok("cp1252.csv");
    assert!(stdout.contains("windows-1252 (detected)"), "{stdout}");
    assert!(findings(out.path()).is_empty());
    let s = summary(out.path());
    assert_eq!(s["sources"][0]["encoding"], "windows-1252");
    assert_eq!(s["sources"][0]["rows"], 3);
}

#[test]
fn bom_comma_tab_pipe_and_utf16() {
    for (file, delimiter, encoding) in [
        ("bom.csv", ",", "UTF-8"),
        ("crlf_tab.tsv", "tab", "UTF-8"),
        ("pipe.txt", "|", "UTF-8"),
        ("utf16.csv", ";", "UTF-16LE"),
    ] {
        let (_, out) = run_ok(file);
        let s = summary(out.path());
        assert_eq!(s["sources"][0]["delimiter"], delimiter, "{file}");
        assert_eq!(s["sources"][0]["encoding"], encoding, "{file}");
        assert_eq!(s["sources"][0]["rows"], 3, "{file}");
        assert!(
            findings(out.path()).is_empty(),
            "{file}: {:?}",
            findings(out.path())
        );
        assert_eq!(s["gate"], "passed", "{file}");
    }
}

#[test]
fn a_row_in_another_encoding_is_a_finding_not_silent_mojibake() {
    let out = scratch();
    check_cmd(
        &people(),
        &fixtures().join("check/mixed_encoding.csv"),
        out.path(),
    )
    .assert()
    .code(1);
    assert_eq!(
        findings(out.path()),
        vec![(
            "2".into(),
            "CITTA".into(),
            "file.encoding".into(),
            "bytes not valid in UTF-8 (replaced with \u{FFFD}); save the file in one encoding"
                .into()
        )]
    );
}

#[test]
fn ragged_rows_are_reported_and_the_rest_still_checked() {
    let out = scratch();
    check_cmd(&people(), &fixtures().join("check/ragged.csv"), out.path())
        .assert()
        .code(1);
    let f = findings(out.path());
    assert_eq!(
        f,
        vec![
            (
                "1".into(),
                "".into(),
                "file.ragged_rows".into(),
                "row has 2 fields, the header has 3".into()
            ),
            (
                "1".into(),
                "CITTA".into(),
                "CITTA.required".into(),
                "value missing".into()
            ),
            (
                "2".into(),
                "".into(),
                "file.ragged_rows".into(),
                "row has 4 fields, the header has 3".into()
            ),
        ]
    );
    let rows = read_csv(&out.path().join("findings.csv"));
    assert_eq!(rows[1][2], "2", "physical line of row 1");
    assert_eq!(summary(out.path())["sources"][0]["rows"], 3);
}

#[test]
fn unterminated_quote_is_located() {
    let out = scratch();
    check_cmd(
        &people(),
        &fixtures().join("check/unterminated.csv"),
        out.path(),
    )
    .assert()
    .code(1);
    let f = findings(out.path());
    assert!(
        f.contains(&(
            "2".into(),
            "".into(),
            "file.quotes".into(),
            "a quoted field opened here never closes: 3 following lines were read into it".into()
        )),
        "{f:?}"
    );
}

#[test]
fn blank_and_duplicate_headers() {
    let out = scratch();
    check_cmd(&people(), &fixtures().join("check/headers.csv"), out.path())
        .assert()
        .code(1);
    let f = findings(out.path());
    assert_eq!(
        f[0],
        (
            "0".into(),
            "column_2".into(),
            "file.header".into(),
            "column 2 has a blank header".into()
        )
    );
    assert_eq!(
        f[1],
        (
            "0".into(),
            "NOME".into(),
            "file.header".into(),
            "column 4 repeats the header \"NOME\"".into()
        )
    );
    assert_eq!(
        f[2],
        (
            "0".into(),
            "CITTA".into(),
            "columns.missing".into(),
            "declared column CITTA is missing".into()
        )
    );
    let s = summary(out.path());
    assert_eq!(check(&s, "CITTA.required")["verdict"], "skipped");
}

#[test]
fn missing_value_tokens() {
    let out = scratch();
    check_cmd(
        &people(),
        &fixtures().join("check/missing_values.csv"),
        out.path(),
    )
    .assert()
    .code(1);
    let f = findings(out.path());
    let missing: Vec<(&str, &str)> = f.iter().map(|x| (x.0.as_str(), x.1.as_str())).collect();
    assert_eq!(
        missing,
        vec![("1", "NOME"), ("2", "NOME"), ("2", "CITTA"), ("3", "NOME")]
    );
}

#[test]
fn empty_and_header_only_files() {
    let out = scratch();
    check_cmd(&people(), &fixtures().join("check/empty.csv"), out.path())
        .assert()
        .code(1);
    assert_eq!(
        findings(out.path()).len(),
        3,
        "every declared column missing"
    );
    let out = scratch();
    check_cmd(
        &people(),
        &fixtures().join("check/header_only.csv"),
        out.path(),
    )
    .assert()
    .code(0);
    assert_eq!(summary(out.path())["sources"][0]["rows"], 0);
}

#[test]
fn excel_sheet_with_dates() {
    let out = scratch();
    let rules = out.path().join("x.toml");
    std::fs::write(
        &rules,
        "[input]\nkey = \"ID\"\n[fields.ID]\ntype = \"integer\"\n[fields.NOME]\n[fields.DATA_NASCITA]\ntype = \"date\"\nformat = [\"%Y-%m-%d\", \"%d/%m/%Y\"]\n[fields.ISEE]\ntype = \"decimal\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    check_cmd(&rules, &fixtures().join("check/iscritti.xlsx"), out.path())
        .assert()
        .code(1);
    let f = findings(out.path());
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "3");
    assert_eq!(f[0].2, "DATA_NASCITA.valid");
    let s = summary(out.path());
    assert_eq!(s["sources"][0]["format"], "excel");
    assert_eq!(check(&s, "file.encoding")["verdict"], "skipped");
}

#[test]
fn sqlite_table() {
    let out = scratch();
    let db = out.path().join("iscritti.db");
    let conn = rusqlite::Connection::open(&db).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "CREATE TABLE iscritti (ID INTEGER, NOME TEXT, CITTA TEXT);
         INSERT INTO iscritti VALUES (1, 'ANNA', 'BOLOGNA'), (2, NULL, 'IMOLA'), (3, 'LUCA', 'X');
         CREATE TABLE altro (A TEXT);",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    // Two tables and none named: exit 2 with the list.
    let assert = check_cmd(&people(), &db, out.path()).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("altro, iscritti"), "{stderr}");
    let rules = out.path().join("people.toml");
    let text = std::fs::read_to_string(people())
        .unwrap_or_default()
        .replace("[input]", "[input]\ntable = \"iscritti\"");
    std::fs::write(&rules, text).unwrap_or_else(|e| panic!("{e}"));
    check_cmd(&rules, &db, out.path()).assert().code(1);
    assert_eq!(
        findings(out.path()),
        vec![(
            "2".into(),
            "NOME".into(),
            "NOME.required".into(),
            "value missing".into()
        )]
    );
}

#[test]
fn unreadable_input_is_exit_2_and_keeps_earlier_reports() {
    let out = scratch();
    check_cmd(&people(), &fixtures().join("check/cp1252.csv"), out.path())
        .assert()
        .code(0);
    let before = std::fs::read(out.path().join("summary.json")).unwrap_or_default();
    let assert = check_cmd(
        &people(),
        &fixtures().join("check/does-not-exist.csv"),
        out.path(),
    )
    .assert()
    .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("does-not-exist.csv"), "{stderr}");
    assert_eq!(
        std::fs::read(out.path().join("summary.json")).unwrap_or_default(),
        before
    );
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        leftovers.iter().all(|n| !n.ends_with(".tmp")),
        "{leftovers:?}"
    );
}

#[test]
fn an_output_folder_that_cannot_be_written_is_exit_2() {
    let dir = scratch();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "a file where the output folder should be")
        .unwrap_or_else(|e| panic!("{e}"));
    let assert = check_cmd(
        &people(),
        &fixtures().join("check/cp1252.csv"),
        &blocker.join("reports"),
    )
    .assert()
    .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(stderr.contains("not-a-folder"), "{stderr}");
}
