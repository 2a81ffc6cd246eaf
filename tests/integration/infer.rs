//! `vaglio infer` on the demo city: the drafted rule file of every extract
//! links as well as the hand-written one (F1 within 0.002), also when the
//! extract's columns are renamed and reordered; the relation keys; errors.

use std::path::{Path, PathBuf};

use crate::util::{demo_city, scratch, vaglio};

const EXTRACTS: [(&str, &str); 8] = [
    ("refezione", "refezione.csv"),
    ("servizi_sociali", "servizi_sociali.csv"),
    ("erp_inquilini", "erp_inquilini.sqlite"),
    ("isee", "isee.csv"),
    ("riscossione_scuola", "riscossione_scuola.csv"),
    ("irpef", "irpef.csv"),
    ("graduatoria_erp", "graduatoria_erp.txt"),
    ("assegnazioni_erp", "assegnazioni_erp.sqlite"),
];

fn link(city: &Path, rules: &Path, extract: &Path, out: &Path) {
    vaglio()
        .args(["link", "--quiet", "--today", "2025-12-31", "--rules"])
        .arg(rules)
        .arg(extract)
        .arg("--anagrafe")
        .arg(city.join("anagrafe.csv"))
        .arg("--anagrafe-rules")
        .arg(city.join("rules/anagrafe.toml"))
        .arg("--out")
        .arg(out)
        .assert()
        .code(0);
}

/// F1 of `out/links.csv` against the demo's truth of `source`.
fn f1(city: &Path, source: &str, out: &Path) -> f64 {
    let truth = vaglio::link::eval::read_truth(&city.join("truth").join(format!("{source}.csv")))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let links =
        vaglio::link::eval::read_links(&out.join("links.csv")).unwrap_or_else(|e| panic!("{e:?}"));
    vaglio::link::eval::evaluate(&truth, &links, None).f1()
}

/// `vaglio infer` with `args`, the draft written to `out`.
fn infer(extract: &Path, args: &[&str], out: &Path) -> String {
    vaglio()
        .arg("infer")
        .arg(extract)
        .args(args)
        .args(["--today", "2025-12-31", "--quiet", "--out"])
        .arg(out)
        .assert()
        .code(0);
    std::fs::read_to_string(out).unwrap_or_else(|e| panic!("no draft: {e}"))
}

/// The `fields` of a rule file's `[link]`, as (attribute, column).
fn mapping(text: &str) -> Vec<(String, String)> {
    let doc: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut m: Vec<(String, String)> = doc["link"]["fields"]
        .as_table()
        .unwrap_or_else(|| panic!("no [link] fields in\n{text}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    m.sort();
    m
}

/// Links `source` of the demo `city` with its hand-written rules, and
/// `extract` with the `draft`, under `dir`; asserts the F1 of the two
/// against the truth are within 0.002 (and the hand-written one high).
fn assert_same_f1(dir: &Path, city: &Path, source: &str, draft: &Path, extract: &Path) {
    let original = EXTRACTS
        .iter()
        .find(|(s, _)| *s == source)
        .map(|(_, f)| city.join(f))
        .unwrap_or_else(|| panic!("no extract {source}"));
    let (a, b) = (
        dir.join(format!("hand_{source}")),
        dir.join(format!("inf_{source}")),
    );
    link(
        city,
        &city.join("rules").join(format!("{source}.toml")),
        &original,
        &a,
    );
    link(city, draft, extract, &b);
    let (fa, fb) = (f1(city, source, &a), f1(city, source, &b));
    assert!(fa > 0.9, "{source}: hand-written F1 {fa}");
    assert!(
        (fa - fb).abs() <= 0.002,
        "{source}: F1 {fb} inferred, {fa} hand-written"
    );
}

#[test]
fn every_demo_extract_links_with_its_inferred_rules_as_with_the_hand_written_ones() {
    let dir = scratch();
    let city = dir.path().join("city");
    demo_city(&city, 2000, 7);
    for (source, file) in EXTRACTS {
        let draft = city.join("rules").join(format!("inferred_{source}.toml"));
        let text = infer(
            &city.join(file),
            &[
                "--project",
                city.join("vaglio.toml").to_str().unwrap_or_default(),
            ],
            &draft,
        );
        let hand = std::fs::read_to_string(city.join("rules").join(format!("{source}.toml")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mapping(&text), mapping(&hand), "{source}:\n{text}");

        assert_same_f1(dir.path(), &city, source, &draft, &city.join(file));
    }
}

/// Decodes a demo CSV (Windows-1252 or UTF-8 with a BOM) into rows.
fn read_rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
    };
    let delimiter = if text.lines().next().unwrap_or("").contains(';') {
        b';'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// Writes `rows` with the columns renamed `C01…` and put in another order
/// (a fixed shuffle); returns the new name of each old column.
fn scramble(rows: &[Vec<String>], out: &Path) -> Vec<(String, String)> {
    let n = rows[0].len();
    // A permutation: reverse, then rotate by 3.
    let order: Vec<usize> = (0..n).rev().cycle().skip(3).take(n).collect();
    let renamed: Vec<(String, String)> = (0..n)
        .map(|i| {
            let pos = order.iter().position(|&o| o == i).unwrap_or(0);
            (rows[0][i].clone(), format!("C{:02}", pos + 1))
        })
        .collect();
    let mut w = csv::WriterBuilder::new()
        .delimiter(b'|')
        .from_path(out)
        .unwrap_or_else(|e| panic!("{e}"));
    let header: Vec<String> = order.iter().map(|&i| renamed[i].1.clone()).collect();
    w.write_record(&header).unwrap_or_else(|e| panic!("{e}"));
    for r in &rows[1..] {
        let cells: Vec<&str> = order.iter().map(|&i| r[i].as_str()).collect();
        w.write_record(&cells).unwrap_or_else(|e| panic!("{e}"));
    }
    w.flush().unwrap_or_else(|e| panic!("{e}"));
    renamed
}

#[test]
fn renamed_and_reordered_columns_are_recognised_by_their_content() {
    let dir = scratch();
    let city = dir.path().join("city");
    demo_city(&city, 2000, 11);
    for source in ["refezione", "servizi_sociali", "isee"] {
        let original = city.join(format!("{source}.csv"));
        let scrambled: PathBuf = dir.path().join(format!("{source}.csv"));
        let renamed = scramble(&read_rows(&original), &scrambled);
        let draft = dir.path().join(format!("{source}.toml"));
        let text = infer(
            &scrambled,
            &[
                "--anagrafe",
                city.join("anagrafe.csv").to_str().unwrap_or_default(),
                "--anagrafe-rules",
                city.join("rules/anagrafe.toml")
                    .to_str()
                    .unwrap_or_default(),
            ],
            &draft,
        );
        // The draft maps the renamed columns the hand-written rules map.
        let hand = std::fs::read_to_string(city.join("rules").join(format!("{source}.toml")))
            .unwrap_or_else(|e| panic!("{e}"));
        let want: Vec<(String, String)> = mapping(&hand)
            .into_iter()
            .map(|(a, c)| {
                let new = renamed
                    .iter()
                    .find(|(old, _)| *old == c)
                    .map(|(_, n)| n.clone());
                (a, new.unwrap_or_else(|| panic!("{c} not in the extract")))
            })
            .collect();
        assert_eq!(mapping(&text), want, "{source}:\n{text}");

        assert_same_f1(dir.path(), &city, source, &draft, &scrambled);
    }
}

#[test]
fn relation_keys_of_a_new_extract() {
    let dir = scratch();
    let city = dir.path().join("city");
    demo_city(&city, 1500, 3);
    let out = vaglio()
        .args(["infer", "--relations", "--today", "2025-12-31", "--project"])
        .arg(city.join("vaglio.toml"))
        .arg(city.join("refezione.csv"))
        .assert()
        .code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let line = |column: &str, target: &str| {
        text.lines()
            .find(|l| l.split_whitespace().take(2).eq([column, target]))
            .unwrap_or_else(|| panic!("no {column} → {target} in\n{text}"))
            .to_string()
    };
    assert!(text.starts_with("column"), "{text}");
    assert!(
        line("CF_ALUNNO", "anagrafe.CODICE_FISCALE").ends_with("n:1"),
        "{text}"
    );
    assert!(
        line("CF_PAGANTE", "anagrafe.CODICE_FISCALE").ends_with("n:1"),
        "{text}"
    );
    // Row numbers and serial identifiers are not keys.
    assert!(!text.contains("ID_ISCRIZIONE"), "{text}");
    assert!(!text.contains("ID_PERSONA"), "{text}");
}

#[test]
fn the_second_code_is_described_and_not_mapped() {
    let dir = scratch();
    let city = dir.path().join("city");
    demo_city(&city, 1500, 3);
    let out = vaglio()
        .args(["infer", "--today", "2025-12-31", "--project"])
        .arg(city.join("vaglio.toml"))
        .arg(city.join("refezione.csv"))
        .assert()
        .code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let note = text
        .lines()
        .find(|l| l.starts_with("# CF_PAGANTE:"))
        .unwrap_or_else(|| panic!("no note on CF_PAGANTE in\n{text}"));
    assert!(note.contains("a parent's codice fiscale"), "{note}");
    assert!(note.contains("not mapped"), "{note}");
    assert!(
        !mapping(&text).iter().any(|(_, c)| c == "CF_PAGANTE"),
        "{text}"
    );
}

#[test]
fn errors_name_the_file_and_say_what_to_do() {
    let dir = scratch();
    let out = vaglio()
        .args(["infer"])
        .arg(dir.path().join("missing.csv"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("missing.csv"), "{err}");

    let extract = dir.path().join("x.csv");
    std::fs::write(&extract, "A;B\n1;2\n").unwrap_or_else(|e| panic!("{e}"));
    let rules = dir.path().join("anagrafe.toml");
    std::fs::write(&rules, "[fields.A]\n").unwrap_or_else(|e| panic!("{e}"));
    let out = vaglio()
        .args(["infer", "--anagrafe"])
        .arg(&extract)
        .arg("--anagrafe-rules")
        .arg(&rules)
        .arg(&extract)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("no [link] section"), "{err}");
    assert!(err.contains("help"), "{err}");

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "A;B\n").unwrap_or_else(|e| panic!("{e}"));
    let out = vaglio().arg("infer").arg(&empty).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("no data rows"), "{err}");
}

#[test]
fn an_extract_without_codes_and_with_compact_dates_links_on_names_and_birth_date() {
    let dir = scratch();
    let city = dir.path().join("city");
    demo_city(&city, 1500, 5);
    let rows = read_rows(&city.join("servizi_sociali.csv"));
    let cf = rows[0].iter().position(|c| c == "CF_BENEFICIARIO");
    let born = rows[0].iter().position(|c| c == "DATA_NASCITA");
    let (Some(cf), Some(born)) = (cf, born) else {
        panic!("the demo's servizi_sociali.csv changed: {:?}", rows[0]);
    };
    let extract = dir.path().join("interventi.csv");
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(&extract)
        .unwrap_or_else(|e| panic!("{e}"));
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != cf)
            .map(|(k, v)| {
                if k == born && i > 0 {
                    v.replace('-', "")
                } else {
                    v.clone()
                }
            })
            .collect();
        w.write_record(&cells).unwrap_or_else(|e| panic!("{e}"));
    }
    w.flush().unwrap_or_else(|e| panic!("{e}"));

    let draft = dir.path().join("interventi.toml");
    let text = infer(
        &extract,
        &[
            "--project",
            city.join("vaglio.toml").to_str().unwrap_or_default(),
        ],
        &draft,
    );
    let want: Vec<(String, String)> = [
        ("data_nascita", "DATA_NASCITA"),
        ("nominativo", "NOMINATIVO"),
        ("sesso", "SESSO"),
    ]
    .iter()
    .map(|(a, c)| (a.to_string(), c.to_string()))
    .collect();
    assert_eq!(mapping(&text), want, "{text}");
    assert!(
        text.contains("[fields.DATA_NASCITA]\ntype = \"date\"\nformat = [\"%Y%m%d\"]"),
        "{text}"
    );

    let out = dir.path().join("out");
    link(&city, &draft, &extract, &out);
    let truth = vaglio::link::eval::read_truth(&city.join("truth/servizi_sociali.csv"))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let links =
        vaglio::link::eval::read_links(&out.join("links.csv")).unwrap_or_else(|e| panic!("{e:?}"));
    let f1 = vaglio::link::eval::evaluate(&truth, &links, None).f1();
    assert!(f1 > 0.95, "F1 {f1} without codes");
}
