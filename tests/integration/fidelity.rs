//! Faithful to the file: physical lines whatever the line breaks, blank
//! rows said out loud, quoted fields spanning lines (issue 14).

use std::path::Path;

use crate::util::*;

/// `(row, line, check, message)` of every finding.
fn placed(out: &Path) -> Vec<(String, String, String, String)> {
    read_csv(&out.join("findings.csv"))
        .into_iter()
        .skip(1)
        .map(|r| (r[1].clone(), r[2].clone(), r[5].clone(), r[8].clone()))
        .collect()
}

/// Checks `file` with `rules` into `out`, expecting exit code 1, and
/// gives the findings as [`placed`] does.
fn failing(rules: &Path, file: &Path, out: &Path) -> Vec<(String, String, String, String)> {
    check_cmd(rules, file, out).assert().code(1);
    placed(out)
}

fn place(row: &str, line: &str, check: &str, message: &str) -> (String, String, String, String) {
    (row.into(), line.into(), check.into(), message.into())
}

/// Writes `lines` joined by `brk` (and ending with it) and checks it with
/// the reader tests' rule file.
fn check_text(
    lines: &[&str],
    brk: &str,
) -> (tempfile::TempDir, Vec<(String, String, String, String)>) {
    let dir = scratch();
    let file = dir.path().join("people.csv");
    let mut text = lines.join(brk);
    text.push_str(brk);
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let found = failing(&fixtures().join("check/people.toml"), &file, &out);
    (dir, found)
}

#[test]
fn lines_are_physical_lines_with_crlf_cr_and_lf() {
    let lines = ["ID;NOME;CITTA", "1;ANNA;BOLOGNA", "2;;PARMA", "3;SARA;"];
    for brk in ["\n", "\r\n", "\r"] {
        let (_, found) = check_text(&lines, brk);
        assert_eq!(
            found,
            vec![
                place("2", "3", "NOME.required", "value missing"),
                place("3", "4", "CITTA.required", "value missing"),
            ],
            "{brk:?}"
        );
    }
}

#[test]
fn empty_lines_are_blank_rows_and_shift_nothing() {
    let lines = [
        "ID;NOME;CITTA",
        "",
        "1;ANNA;BOLOGNA",
        "",
        "",
        "2;;PARMA",
        ";;",
        "3;SARA;",
        "",
    ];
    for brk in ["\n", "\r\n", "\r"] {
        let (dir, found) = check_text(&lines, brk);
        assert_eq!(
            found,
            vec![
                place("0", "2", "file.blank_rows", "blank row: the line is empty"),
                place("0", "4", "file.blank_rows", "blank row: the line is empty"),
                place("0", "5", "file.blank_rows", "blank row: the line is empty"),
                place("2", "6", "NOME.required", "value missing"),
                place(
                    "3",
                    "7",
                    "file.blank_rows",
                    "blank row: every cell is empty"
                ),
                place("3", "7", "ID.required", "value missing"),
                place("3", "7", "NOME.required", "value missing"),
                place("3", "7", "CITTA.required", "value missing"),
                place("4", "8", "CITTA.required", "value missing"),
                place("0", "9", "file.blank_rows", "blank row: the line is empty"),
            ],
            "{brk:?}"
        );
        let s = summary(&dir.path().join("out"));
        assert_eq!(s["sources"][0]["rows"], 4, "{brk:?}");
        let blank = check(&s, "file.blank_rows");
        assert_eq!(blank["code"], "VG009");
        assert_eq!(blank["severity"], "warning");
        assert_eq!(
            (&blank["failed"], &blank["evaluated"]),
            (&5.into(), &8.into())
        );
    }
}

#[test]
fn a_multi_line_field_keeps_the_lines_after_it_right() {
    let lines = ["ID;NOME;CITTA", "1;\"ANNA\r\nMARIA\";BOLOGNA", "2;;PARMA"];
    for brk in ["\n", "\r\n"] {
        let (_, found) = check_text(&lines, brk);
        assert_eq!(
            found,
            vec![place("2", "4", "NOME.required", "value missing")],
            "{brk:?}"
        );
    }
}

#[test]
fn a_closed_multi_line_field_in_a_short_last_row_is_not_an_unterminated_quote() {
    let lines = ["ID;NOME;CITTA", "1;ANNA;BOLOGNA", "2;\"LUCA\nMARIO\""];
    let (_, found) = check_text(&lines, "\n");
    assert_eq!(
        found,
        vec![
            place(
                "2",
                "3",
                "file.ragged_rows",
                "row has 2 fields, the header has 3"
            ),
            place("2", "3", "CITTA.required", "value missing"),
        ]
    );
    // Not closed: still found, where it opens.
    let lines = ["ID;NOME;CITTA", "1;ANNA;BOLOGNA", "2;\"LUCA\nMARIO"];
    let (_, found) = check_text(&lines, "\n");
    assert!(
        found.contains(&place(
            "2",
            "3",
            "file.quotes",
            "a quoted field opened here never closes: 2 following lines were read into it"
        )),
        "{found:?}"
    );
}

#[test]
fn the_frictionless_invalid_layout_is_found_in_full() {
    let out = scratch();
    assert_eq!(
        failing(
            &fixtures().join("check/invalid.toml"),
            &fixtures().join("check/invalid.csv"),
            out.path()
        ),
        vec![
            place("0", "1", "file.header", "column 3 has a blank header"),
            place(
                "0",
                "1",
                "file.header",
                "column 4 repeats the header \"name\""
            ),
            place(
                "0",
                "1",
                "columns.unexpected",
                "column name is not declared in the rule file"
            ),
            place(
                "0",
                "1",
                "columns.unexpected",
                "column column_3 is not declared in the rule file"
            ),
            place(
                "0",
                "1",
                "columns.unexpected",
                "column name_2 is not declared in the rule file"
            ),
            place(
                "1",
                "2",
                "file.ragged_rows",
                "row has 2 fields, the header has 4"
            ),
            place(
                "2",
                "3",
                "file.ragged_rows",
                "row has 2 fields, the header has 4"
            ),
            place("0", "4", "file.blank_rows", "blank row: the line is empty"),
            place(
                "3",
                "5",
                "file.ragged_rows",
                "row has 5 fields, the header has 4"
            ),
        ]
    );
}

/// Checks `codes` as a `codice_fiscale` field with `extra` settings.
fn check_codes(codes: &[&str], extra: &str) -> (std::process::Output, tempfile::TempDir) {
    let dir = scratch();
    let rules = dir.path().join("cf.toml");
    std::fs::write(
        &rules,
        format!("[input]\ndelimiter = \";\"\n\n[fields.CF]\ntype = \"codice_fiscale\"\n{extra}\n"),
    )
    .unwrap();
    let file = dir.path().join("cf.csv");
    std::fs::write(&file, format!("CF\n{}\n", codes.join("\n"))).unwrap();
    let out = dir.path().join("out");
    let output = check_cmd(&rules, &file, &out).output().unwrap();
    (output, dir)
}

#[test]
fn a_place_not_in_use_at_birth_is_its_own_check_that_a_rule_file_can_lower() {
    let codes = [
        "CCCFBA30H66F991T",      // Nuxis, born 1930, municipality from 1934
        "MCHFDA07A01D877A",      // Gallico, 1907: in use
        "CCC-FBA-85-D03-L219-P", // separators
    ];
    let (output, dir) = check_codes(&codes, "");
    assert_eq!(output.status.code(), Some(1));
    let out = dir.path().join("out");
    let s = summary(&out);
    assert_eq!(check(&s, "CF.valid")["failed"], 0);
    let in_use = check(&s, "CF.place_in_use");
    assert_eq!(in_use["code"], "VG109");
    assert_eq!(
        (&in_use["failed"], &in_use["evaluated"]),
        (&1.into(), &3.into())
    );
    assert_eq!(
        placed(&out),
        vec![place(
            "1",
            "2",
            "CF.place_in_use",
            "the place code (characters 12-15) was not in use on the birth date the code gives (it did not exist yet)"
        )]
    );
    let (output, dir) = check_codes(&codes, "place_in_use = { severity = \"warning\" }");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        check(&summary(&dir.path().join("out")), "CF.place_in_use")["severity"],
        "warning"
    );
    let (output, dir) = check_codes(&codes, "place_in_use = false");
    assert_eq!(output.status.code(), Some(0));
    let s = summary(&dir.path().join("out"));
    assert!(s["sources"][0]["checks"]
        .as_array()
        .is_some_and(|a| a.iter().all(|c| c["id"] != "CF.place_in_use")));
}

#[test]
fn typed_excel_dates_pass_a_rule_written_for_text_dates() {
    let out = scratch();
    let rules = out.path().join("x.toml");
    std::fs::write(
        &rules,
        "[input]\nkey = \"ID\"\n[fields.ID]\ntype = \"integer\"\n[fields.DATA_NASCITA]\ntype = \"date\"\nformat = [\"%d/%m/%Y\"]\nrange = { min = \"2012-01-01\" }\n",
    )
    .unwrap();
    // Rows 1 and 2 are typed dates (2015-01-01, 2020-01-01), row 3 the text
    // 15/03/2010, row 4 the text 31/02/2020; sheet row 4 is empty.
    let typed = fixtures().join("check/typed_dates.xlsx");
    assert_eq!(
        failing(&rules, &typed, out.path()),
        vec![
            place("0", "4", "file.blank_rows", "blank row: the line is empty"),
            place(
                "3",
                "5",
                "DATA_NASCITA.range",
                "before the earliest allowed date 2012-01-01"
            ),
            place(
                "4",
                "6",
                "DATA_NASCITA.valid",
                "not a real date: no such day in that month"
            ),
        ]
    );
    let s = summary(out.path());
    assert_eq!(check(&s, "DATA_NASCITA.valid")["failed"], 1);
}

#[test]
fn baselines_match_sources_by_the_rule_file_name_and_say_when_none_matches() {
    let dir = scratch();
    let novembre = dir.path().join("novembre.csv");
    let dicembre = dir.path().join("dicembre.csv");
    std::fs::copy(fixtures().join("check/cp1252.csv"), &novembre).unwrap();
    std::fs::copy(fixtures().join("check/missing_values.csv"), &dicembre).unwrap();
    let fields = "[fields.ID]\ntype = \"integer\"\n[fields.NOME]\nrequired = { severity = \"warning\" }\n[fields.CITTA]\n";
    let named = dir.path().join("named.toml");
    std::fs::write(&named, format!("name = \"iscritti\"\n{fields}")).unwrap();
    let unnamed = dir.path().join("unnamed.toml");
    std::fs::write(&unnamed, fields).unwrap();

    // Named by the rule file: November's baseline judges December's file.
    let base = dir.path().join("base");
    check_cmd(&named, &novembre, &base).assert().code(0);
    assert_eq!(summary(&base)["sources"][0]["name"], "iscritti");
    let now = dir.path().join("now");
    check_cmd(&named, &dicembre, &now)
        .arg("--baseline")
        .arg(base.join("summary.json"))
        .assert()
        .code(1);
    let regressions = summary(&now)["regressions"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert_eq!(regressions, 3);

    // Named by the files: nothing to compare, said out loud (exit 2),
    // nothing written.
    let base = dir.path().join("base2");
    check_cmd(&unnamed, &novembre, &base).assert().code(0);
    let now = dir.path().join("now2");
    let output = check_cmd(&unnamed, &dicembre, &now)
        .arg("--baseline")
        .arg(base.join("summary.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // The diagnostic as one line (miette wraps it).
    let stderr = String::from_utf8_lossy(&output.stderr)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        stderr.contains("has no source named \"dicembre\""),
        "{stderr}"
    );
    assert!(stderr.contains("it has \"novembre\""), "{stderr}");
    assert!(!now.join("summary.json").exists());
}

#[test]
fn a_declared_delimiter_or_encoding_that_does_not_fit_is_diagnosed() {
    let dir = scratch();
    let people = std::fs::read_to_string(fixtures().join("check/people.toml")).unwrap();
    let comma = dir.path().join("comma.toml");
    std::fs::write(
        &comma,
        people.replace("[input]", "[input]\ndelimiter = \",\""),
    )
    .unwrap();
    let found = failing(
        &comma,
        &fixtures().join("check/bom.csv").with_file_name("pipe.txt"),
        &dir.path().join("a"),
    );
    assert!(
        found.contains(&place(
            "0",
            "1",
            "file.ragged_rows",
            "the declared delimiter \",\" does not fit the file: its first lines split evenly on \"|\"; set delimiter = \"|\" (or \"auto\") in [input]"
        )),
        "{found:?}"
    );
    let utf8 = dir.path().join("utf8.toml");
    std::fs::write(
        &utf8,
        people.replace("[input]", "[input]\nencoding = \"utf-8\""),
    )
    .unwrap();
    let found = failing(
        &utf8,
        &fixtures().join("check/cp1252.csv"),
        &dir.path().join("b"),
    );
    assert!(
        found.contains(&place(
            "0",
            "1",
            "file.encoding",
            "the file does not read as the declared encoding UTF-8 but does as windows-1252; set encoding = \"windows-1252\" (or \"auto\") in [input]"
        )),
        "{found:?}"
    );
    // What fits says nothing.
    let semicolon = dir.path().join("semicolon.toml");
    std::fs::write(
        &semicolon,
        people.replace(
            "[input]",
            "[input]\ndelimiter = \";\"\nencoding = \"windows-1252\"",
        ),
    )
    .unwrap();
    check_cmd(
        &semicolon,
        &fixtures().join("check/cp1252.csv"),
        &dir.path().join("c"),
    )
    .assert()
    .code(0);
}

#[test]
fn rules_lists_every_type_function_and_operator() {
    let assert = vaglio().arg("rules").assert().code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for wanted in [
        "VG009  ",
        "VG109  ",
        "  codice_fiscale ",
        "  sex ",
        "  belfiore ",
        "  cap ",
        "cf_consistent(string, string, string[, date, string, string]) -> boolean",
        "e.g. cf_consistent(CF, COGNOME, NOME, DATA_NASCITA)",
        "Operators:",
        "  between … and …",
    ] {
        assert!(out.contains(wanted), "{wanted}: {out}");
    }
    let assert = vaglio().args(["rules", "cf_consistent"]).assert().code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(out.starts_with("cf_consistent("), "{out}");
    assert!(out.contains("Example: cf_consistent("), "{out}");
    let assert = vaglio().args(["rules", "codice_fiscale"]).assert().code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(out.starts_with("type = \"codice_fiscale\""), "{out}");
}

#[test]
fn emit_writes_what_vaglio_derived_masked_unless_show_pii() {
    let dir = scratch();
    let file = dir.path().join("x.csv");
    std::fs::write(
        &file,
        "ID;CF;DATA;ISEE\n1;ccc-fba-85-d03-l219-p;03/04/1985;1.234,5\n2;MCHFDA07A01D877A;;x\n3;=cmd;2020-01-01;0\n",
    )
    .unwrap();
    let rules = dir.path().join("r.toml");
    std::fs::write(
        &rules,
        "[input]\ndelimiter = \";\"\n[fields.ID]\ntype = \"integer\"\npii = false\n[fields.CF]\ntype = \"codice_fiscale\"\n[fields.DATA]\ntype = \"date\"\nformat = [\"%d/%m/%Y\"]\n[fields.ISEE]\ntype = \"decimal\"\ndecimal_separator = \",\"\nthousands_separator = \".\"\npii = false\n",
    )
    .unwrap();
    let emitted = |show_pii: bool| {
        let derived = dir.path().join("derived.csv");
        let mut cmd = check_cmd(&rules, &file, &dir.path().join("out"));
        cmd.arg("--emit").arg(&derived);
        if show_pii {
            cmd.arg("--show-pii");
        }
        cmd.assert().code(1);
        read_csv(&derived)
    };
    let header = [
        "source",
        "row",
        "line",
        "ID",
        "CF",
        "CF.data_nascita",
        "CF.sesso",
        "CF.luogo",
        "DATA",
        "ISEE",
    ];
    assert_eq!(
        emitted(true),
        vec![
            header.to_vec(),
            vec![
                "x",
                "1",
                "2",
                "1",
                "CCCFBA85D03L219P",
                "1985-04-03",
                "M",
                "L219",
                "1985-04-03",
                "1234.5"
            ],
            vec![
                "x",
                "2",
                "3",
                "2",
                "MCHFDA07A01D877A",
                "1907-01-01",
                "M",
                "D877",
                "",
                ""
            ],
            vec!["x", "3", "4", "3", "", "", "", "", "", "0"],
        ]
    );
    let masked = emitted(false);
    assert_eq!(masked[1][5..8], ["####-##-##", "*", "*###"]);
    assert_eq!(masked[1][9], "1234.5", "not personal: as it is");
}
