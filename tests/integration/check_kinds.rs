//! Each check kind on committed fixtures: exact findings, exit codes and the
//! output files.

use crate::util::*;

#[test]
fn refezione_findings_and_terminal_summary() {
    let out = scratch();
    let assert = check_cmd(
        &root().join("rules/refezione.toml"),
        &fixtures().join("check/refezione.csv"),
        out.path(),
    )
    .assert()
    .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let stdout = stdout
        .replace(&out.path().display().to_string(), "OUT")
        .replace(&root().display().to_string(), "ROOT");
    insta::assert_snapshot!("refezione_stdout", stdout);
    let findings = std::fs::read_to_string(out.path().join("findings.csv")).unwrap_or_default();
    insta::assert_snapshot!("refezione_findings", findings);
}

#[test]
fn every_field_and_table_kind() {
    let out = scratch();
    check_cmd(
        &fixtures().join("check/kinds/interventi.toml"),
        &fixtures().join("check/kinds/interventi.csv"),
        out.path(),
    )
    .assert()
    .code(1);
    let findings = std::fs::read_to_string(out.path().join("findings.csv")).unwrap_or_default();
    insta::assert_snapshot!("interventi_findings", findings);
    let s = summary(out.path());
    let verdicts: Vec<(String, String, u64, u64)> = s["sources"][0]["checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        c["id"].as_str().unwrap_or("").to_string(),
                        c["verdict"].as_str().unwrap_or("").to_string(),
                        c["failed"].as_u64().unwrap_or(99),
                        c["evaluated"].as_u64().unwrap_or(99),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let expect = |id: &str, verdict: &str, failed: u64, evaluated: u64| {
        assert!(
            verdicts.contains(&(id.to_string(), verdict.to_string(), failed, evaluated)),
            "{id}: {verdicts:?}"
        );
    };
    expect("PROTOCOLLO.pattern", "passed", 0, 6);
    expect("CAP.min_length", "failed", 1, 7);
    expect("CAP.max_length", "passed", 0, 7);
    expect("TIPO.enum", "failed", 1, 7);
    expect("ESITO.enum", "passed", 0, 7);
    expect("NOTE.completeness", "failed", 1, 1);
    expect("table.primary_key", "failed", 3, 7);
    expect("table.duplicate_rows", "failed", 1, 7);
    expect("table.foreign_key[COD_SCUOLA]", "failed", 1, 7);
    expect("columns.forbidden", "failed", 1, 1);
    expect("columns.unexpected", "failed", 1, 8);
    expect("table.row_count", "failed", 1, 1);
}

#[test]
fn pii_is_masked_unless_asked() {
    let out = scratch();
    let assert = check_cmd(
        &root().join("rules/refezione.toml"),
        &fixtures().join("check/refezione.csv"),
        out.path(),
    )
    .assert()
    .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let reports: String = ["findings.csv", "summary.json", "junit.xml", "index.html"]
        .iter()
        .map(|f| std::fs::read_to_string(out.path().join(f)).unwrap_or_default())
        .collect();
    for secret in [
        "31/02/2014",
        "-10,00",
        "RSSMRA15A01A944X",
        "FERRARI",
        "GIOVANNI",
    ] {
        assert!(!stdout.contains(secret), "{secret} in stdout");
        assert!(!reports.contains(secret), "{secret} in reports");
    }
    let assert = check_cmd(
        &root().join("rules/refezione.toml"),
        &fixtures().join("check/refezione.csv"),
        out.path(),
    )
    .arg("--show-pii")
    .assert()
    .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.contains("31/02/2014"), "{stdout}");
}

#[test]
fn fail_on_warning_and_tolerances() {
    let out = scratch();
    let rules = out.path().join("r.toml");
    std::fs::write(
        &rules,
        "[input]\nkey = \"ID\"\n[fields.ID]\ntype = \"integer\"\n[fields.NOME]\nrequired = { severity = \"warning\" }\n[fields.CITTA]\nrequired = { max_fail_count = 1 }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // NOME missing in 3 rows (warning), CITTA missing in 1 (tolerated).
    check_cmd(
        &rules,
        &fixtures().join("check/missing_values.csv"),
        out.path(),
    )
    .assert()
    .code(0);
    let s = summary(out.path());
    assert_eq!(check(&s, "CITTA.required")["verdict"], "passed");
    assert_eq!(check(&s, "CITTA.required")["failed"], 1);
    assert_eq!(check(&s, "NOME.required")["verdict"], "failed");
    check_cmd(
        &rules,
        &fixtures().join("check/missing_values.csv"),
        out.path(),
    )
    .arg("--fail-on")
    .arg("warning")
    .assert()
    .code(1);
}

#[test]
fn baseline_regression_fails_the_gate() {
    let out = scratch();
    let rules = out.path().join("r.toml");
    std::fs::write(
        &rules,
        "[fields.ID]\ntype = \"integer\"\n[fields.NOME]\nrequired = { severity = \"warning\" }\n[fields.CITTA]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let base = out.path().join("base");
    check_cmd(&rules, &fixtures().join("check/cp1252.csv"), &base)
        .assert()
        .code(0);
    // Same data, different file name: the source name must match, so copy it.
    let worse = out.path().join("cp1252.csv");
    std::fs::copy(fixtures().join("check/missing_values.csv"), &worse)
        .unwrap_or_else(|e| panic!("{e}"));
    let now = out.path().join("now");
    let assert = check_cmd(&rules, &worse, &now)
        .arg("--baseline")
        .arg(base.join("summary.json"))
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.contains("Regressions against the baseline"),
        "{stdout}"
    );
    let s = summary(&now);
    let subjects: Vec<&str> = s["regressions"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["subject"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(subjects, vec!["NOME.required", "field:NOME", "field:CITTA"]);
    let junit = std::fs::read_to_string(now.join("junit.xml")).unwrap_or_default();
    assert!(junit.contains("type=\"regression\""), "{junit}");
    // summary.json keeps the English; the Italian page says it in Italian.
    let message = s["regressions"][1]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("NOME is ") && message.contains("% complete, was "),
        "{message}"
    );
    let page = std::fs::read_to_string(now.join("index.html")).unwrap_or_default();
    assert!(page.contains("NOME: completezza "), "{page}");
    assert!(page.contains("(prima 100,00 %, −"), "{page}");
    assert!(!page.contains("% complete, was"), "{page}");
    assert!(!page.contains("fails for"), "{page}");
    // Without the baseline the same run passes.
    check_cmd(&rules, &worse, &now).assert().code(0);
}

#[test]
fn junit_has_one_case_per_check() {
    let out = scratch();
    check_cmd(
        &fixtures().join("check/kinds/interventi.toml"),
        &fixtures().join("check/kinds/interventi.csv"),
        out.path(),
    )
    .assert()
    .code(1);
    let junit = std::fs::read_to_string(out.path().join("junit.xml")).unwrap_or_default();
    let checks = summary(out.path())["sources"][0]["checks"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert_eq!(junit.matches("<testcase ").count(), checks);
    assert!(
        junit.contains("<testsuite name=\"interventi\" tests=\"18\" failures=\"6\" skipped=\"0\">"),
        "{junit}"
    );
    assert!(
        junit.contains("name=\"table.foreign_key[COD_SCUOLA] (VG203)\""),
        "{junit}"
    );
}

#[test]
fn markdown_and_json_formats() {
    let out = scratch();
    let assert = check_cmd(
        &fixtures().join("check/people.toml"),
        &fixtures().join("check/cp1252.csv"),
        out.path(),
    )
    .arg("--format")
    .arg("markdown")
    .assert()
    .code(0);
    let md = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(md.starts_with("# vaglio check\n\n## ✅ cp1252"), "{md}");
    assert!(md.contains("**passed**: 0 checks over tolerance"), "{md}");
    // A failing extract: its verdict, the checks that did not pass, masked samples.
    let failing = check_cmd(
        &root().join("rules/refezione.toml"),
        &fixtures().join("check/refezione.csv"),
        out.path(),
    )
    .args(["--format", "markdown"])
    .assert()
    .code(1);
    let md = String::from_utf8_lossy(&failing.get_output().stdout).into_owned();
    assert!(
        md.contains("**FAILED**: 9 checks over tolerance · 2 warnings · 24 passed"),
        "{md}"
    );
    assert!(!md.contains("| ok |"), "{md}");
    assert!(md.contains("<summary>First failing rows</summary>"), "{md}");
    assert!(md.contains("| `CF_ALUNNO.valid` | 4 | 1004 |"), "{md}");
    assert!(md.contains("`FRR*************`"), "{md}");
    // `vaglio check` has no run to link back to.
    let page = std::fs::read_to_string(out.path().join("index.html")).unwrap_or_default();
    assert!(page.contains("id=\"gate\"") && !page.contains("id=\"run\""));
    let assert = check_cmd(
        &fixtures().join("check/people.toml"),
        &fixtures().join("check/cp1252.csv"),
        out.path(),
    )
    .arg("--format")
    .arg("json")
    .assert()
    .code(0);
    let json: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stdout).unwrap_or_default();
    assert_eq!(json["gate"], "passed");
    assert_eq!(json, summary(out.path()));
}

#[test]
fn expression_checks_with_when_and_identity_functions() {
    let out = scratch();
    check_cmd(
        &root().join("rules/refezione.toml"),
        &fixtures().join("check/refezione.csv"),
        out.path(),
    )
    .assert()
    .code(1);
    let s = summary(out.path());
    let periodo = check(&s, "periodo-coerente");
    assert_eq!(
        (periodo["failed"].as_u64(), periodo["evaluated"].as_u64()),
        (Some(1), Some(7))
    );
    assert_eq!(periodo["code"], "VG301");
    assert_eq!(periodo["column"], "DATA_INIZIO+DATA_FINE");
    // Only the two PRE/POST enrolments are evaluated; the one with an
    // impossible birth date is unknown, hence not evaluated.
    let eta = check(&s, "eta-servizio");
    assert_eq!(
        (eta["failed"].as_u64(), eta["evaluated"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(eta["verdict"], "failed");
    assert_eq!(eta["severity"], "warning");
    let cf = check(&s, "cf-alunno-coerente");
    assert_eq!(cf["failed"].as_u64(), Some(1));
    let f = findings(out.path());
    assert!(
        f.contains(&(
            "2".into(),
            "CF_ALUNNO+COGNOME_ALUNNO+NOME_ALUNNO+DATA_NASCITA_ALUNNO".into(),
            "cf-alunno-coerente".into(),
            "birth date in CF differs from the record: day and month look swapped".into()
        )),
        "{f:?}"
    );
}

#[test]
fn outputs_are_identical_whatever_the_number_of_threads() {
    let dir = scratch();
    // 40,000 rows: several chunks and many parallel runs, with failures of
    // every per-row kind spread across them.
    let mut csv = String::from("ID;CODICE;DATA_INIZIO;DATA_FINE;IMPORTO\n");
    for i in 0..40_000u32 {
        let id = if i % 997 == 0 { i.saturating_sub(1) } else { i };
        let code = ["A", "B", "C", "Z"][(i % 4) as usize];
        let end = if i % 13 == 0 {
            "01/01/2020"
        } else {
            "31/12/2024"
        };
        let amount = if i % 101 == 0 {
            "-1,00".to_string()
        } else {
            format!("{},{:02}", i % 5000, i % 100)
        };
        csv.push_str(&format!("{id};{code};01/01/2024;{end};{amount}\n"));
        if i % 3001 == 0 {
            csv.push_str(&format!("{id};{code};01/01/2024;{end};{amount}\n"));
        }
    }
    std::fs::write(dir.path().join("big.csv"), csv).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("big.toml"),
        r#"
[input]
key = "ID"
[fields.ID]
type = "integer"
unique = true
pii = false
[fields.CODICE]
enum = ["A", "B", "C"]
pii = false
[fields.DATA_INIZIO]
type = "date"
format = "%d/%m/%Y"
[fields.DATA_FINE]
type = "date"
format = "%d/%m/%Y"
[fields.IMPORTO]
type = "decimal"
decimal_separator = ","
minimum = 0
[table]
duplicate_rows = true
[[checks]]
id = "periodo"
assert = "DATA_FINE >= DATA_INIZIO"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "8"] {
        let out = dir.path().join(format!("out{jobs}"));
        check_cmd(
            &dir.path().join("big.toml"),
            &dir.path().join("big.csv"),
            &out,
        )
        .arg("--jobs")
        .arg(jobs)
        .assert()
        .code(1);
        let files: Vec<Vec<u8>> = ["findings.csv", "summary.json", "junit.xml"]
            .iter()
            .map(|f| std::fs::read(out.join(f)).unwrap_or_default())
            .collect();
        outputs.push(files);
    }
    assert!(outputs[0][0].len() > 10_000, "findings were written");
    assert_eq!(outputs[0], outputs[1], "--jobs 1 vs 2");
    assert_eq!(outputs[0], outputs[2], "--jobs 1 vs 8");
    let s = summary(&dir.path().join("out1"));
    assert_eq!(check(&s, "ID.unique")["failed"], 40 + 14);
    assert_eq!(check(&s, "table.duplicate_rows")["failed"], 14);
    // 3,077 rows with an early end, two of them (rows 0 and 39,013) repeated.
    assert_eq!(check(&s, "periodo")["failed"], 3077 + 2);
}

/// Checks `data` with `rules` in `lang` and returns the HTML report and
/// `findings.csv`'s rows as `(row, column, check, message)`.
fn check_in(
    lang: &str,
    rules: &str,
    data: &str,
) -> (String, Vec<(String, String, String, String)>) {
    let dir = scratch();
    let (toml, csv, out) = (
        dir.path().join("x.toml"),
        dir.path().join("x.csv"),
        dir.path().join("out"),
    );
    std::fs::write(&toml, rules).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&csv, data).unwrap_or_else(|e| panic!("{e}"));
    check_cmd(&toml, &csv, &out)
        .args(["--lang", lang])
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("index.html")).unwrap_or_default();
    (html, findings(&out))
}

#[test]
fn letter_case_is_reported_in_both_languages() {
    let rules = "[input]\ndelimiter = \";\"\n[fields.ID]\n[fields.COGNOME]\ncase = \"upper\"\n";
    let data = "ID;COGNOME\n1;ROSSI\n2;Bianchi\n3;D'AMICO\n";
    for (lang, message, description) in [
        (
            "it",
            "non è in maiuscolo",
            "COGNOME deve essere in maiuscolo",
        ),
        ("en", "not in upper case", "COGNOME must be in upper case"),
    ] {
        let (html, found) = check_in(lang, rules, data);
        // A warning by default: the check passes the gate.
        assert_eq!(
            found,
            vec![(
                "2".to_string(),
                "COGNOME".to_string(),
                "COGNOME.case".to_string(),
                "not in upper case".to_string()
            )],
            "{lang}"
        );
        assert!(html.contains(message), "{lang}: no {message:?}");
        assert!(html.contains(description), "{lang}: no {description:?}");
        assert!(html.contains("VG110"), "{lang}");
    }
}

#[test]
fn unprintable_characters_are_reported_in_both_languages() {
    let rules = "[input]\ndelimiter = \";\"\n[fields.ID]\n[fields.COGNOME]\nprintable = true\n";
    let data = "ID;COGNOME\n1;ROSSI\n2;DE\tLUCA\n3;Nicol\u{FFFD}\n4;NicolÃ²\n5;Nicolò\n";
    for (lang, message, description) in [
        (
            "it",
            "contiene il carattere sostitutivo U+FFFD",
            "COGNOME deve contenere solo caratteri stampabili",
        ),
        (
            "en",
            "contains the replacement character U+FFFD",
            "COGNOME must contain only printable characters",
        ),
    ] {
        let (html, found) = check_in(lang, rules, data);
        let row = |n: &str, message: &str| {
            (
                n.to_string(),
                "COGNOME".to_string(),
                "COGNOME.printable".to_string(),
                message.to_string(),
            )
        };
        // A warning by default: the check passes the gate.
        assert_eq!(
            found,
            vec![
                row("2", "contains a tab"),
                row(
                    "3",
                    "contains the replacement character U+FFFD (text decoded with the wrong encoding)"
                ),
                row(
                    "4",
                    "contains UTF-8 text read as Latin-1 (such as Ã² for ò)"
                ),
            ],
            "{lang}"
        );
        assert!(html.contains(message), "{lang}: no {message:?}");
        assert!(html.contains(description), "{lang}: no {description:?}");
        assert!(html.contains("VG111"), "{lang}");
    }
}

#[test]
fn a_blank_row_is_reported_in_both_languages() {
    let rules = "[input]\ndelimiter = \";\"\n[fields.ID]\n[fields.NOME]\n";
    let data = "ID;NOME\n1;ANNA\n ; \n2;SARA\n";
    for (lang, message) in [
        ("it", "riga vuota: ogni cella è vuota"),
        ("en", "blank row: every cell is empty"),
    ] {
        let (html, found) = check_in(lang, rules, data);
        assert_eq!(
            found,
            vec![(
                "2".to_string(),
                String::new(),
                "file.blank_rows".to_string(),
                "blank row: every cell is empty".to_string()
            )],
            "{lang}"
        );
        assert!(html.contains(message), "{lang}: no {message:?}");
    }
}
