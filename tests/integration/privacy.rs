//! No report file names a person: the demo city is checked, then every file
//! under `reports/` (each source's report with its linkage section, and the
//! run's index) and what `vaglio demo` prints are scanned for the residents'
//! codici fiscali, birth dates, surnames and given names and for the ISEE
//! declarations' DSU protocols (the ISEE extract's record key); every CSV
//! output is scanned for cells a spreadsheet would run.

use std::collections::HashSet;
use std::path::Path;

use crate::util::*;

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn demo_reports_contain_no_identity() {
    let dir = scratch();
    let printed = vaglio()
        .env_remove("VAGLIO_KEY")
        .args(["demo", "--residents", "1500", "--seed", "3", "--out"])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(printed.status.code(), Some(0));
    let printed = String::from_utf8_lossy(&printed.stdout).into_owned();
    let rows = read_csv_semicolon(&dir.path().join("anagrafe.csv"));
    let header = &rows[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let (cf, surname, birth) = (col("CODICE_FISCALE"), col("COGNOME"), col("DATA_NASCITA"));
    let name = col("NOME");
    let mut secrets: HashSet<String> = HashSet::new();
    for r in &rows[1..] {
        secrets.insert(r[cf].clone());
        // Birth dates as the extracts write them: ISO and dd/mm/yyyy.
        secrets.insert(r[birth].clone());
        let p: Vec<&str> = r[birth].split('-').collect();
        if p.len() == 3 {
            secrets.insert(format!("{}/{}/{}", p[2], p[1], p[0]));
        }
        // Names long enough not to be ordinary words of a report.
        for n in [&r[surname], &r[name]] {
            if n.len() >= 6 {
                secrets.insert(n.clone());
            }
        }
    }
    // Dates written in the rule files (range bounds) are configuration, and
    // may appear in check descriptions; so may the run's date.
    let mut config = String::from("2025-12-31");
    let mut rule_files = Vec::new();
    files_under(&dir.path().join("rules"), &mut rule_files);
    for f in rule_files {
        config.push_str(&std::fs::read_to_string(f).unwrap_or_default());
    }
    secrets.retain(|s| !config.contains(s.as_str()));
    // The ISEE extract's record key, a DSU protocol, names the declarant.
    let isee = read_csv_semicolon(&dir.path().join("isee.csv"));
    let dsu = isee[0]
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == "PROTOCOLLO_DSU")
        .unwrap_or_else(|| panic!("no PROTOCOLLO_DSU"));
    let protocols: Vec<String> = isee[1..]
        .iter()
        .map(|r| r[dsu].clone())
        .filter(|p| p.starts_with("INPS-"))
        .collect();
    assert!(protocols.len() > 100);
    secrets.extend(protocols);
    let mut files = Vec::new();
    files_under(&dir.path().join("reports"), &mut files);
    assert!(files.len() >= 20, "five sources × four reports: {files:?}");
    // `vaglio check` of the ISEE extract alone, without a key.
    let checked = vaglio()
        .env_remove("VAGLIO_KEY")
        .current_dir(dir.path())
        .args(["check", "--rules", "rules/isee.toml", "--out", "checked"])
        .args(["--today", "2025-12-31", "--examples", "50", "isee.csv"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(checked.status.code(), Some(0));
    files_under(&dir.path().join("checked"), &mut files);
    // `vaglio explain` of an ISEE row names it by number and pseudonym.
    let explained = vaglio()
        .env_remove("VAGLIO_KEY")
        .current_dir(dir.path())
        .args(["explain", "isee.csv", "17", "--rules", "rules/isee.toml"])
        .args([
            "--anagrafe",
            "anagrafe.csv",
            "--anagrafe-rules",
            "rules/anagrafe.toml",
        ])
        .args(["--today", "2025-12-31"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(explained.status.code(), Some(0));
    let explained = String::from_utf8_lossy(&explained.stdout).into_owned();
    assert!(explained.contains("(key #17~"), "{explained}");
    let mut texts: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            (
                f.display().to_string(),
                std::fs::read_to_string(f).unwrap_or_default(),
            )
        })
        .collect();
    texts.push(("the terminal".into(), printed));
    texts.push(("explain's terminal".into(), explained));
    // A masked codice fiscale tells no birth date or sex.
    let masked_with_date =
        regex::Regex::new(r"[A-Z]{3}\*{3}[0-9]{2}[A-Z][0-9]{2}").unwrap_or_else(|e| panic!("{e}"));
    texts.push((
        "check's terminal".into(),
        String::from_utf8_lossy(&checked.stdout).into_owned(),
    ));
    for (name, text) in &texts {
        // Whole tokens only: a surname must not match inside a longer word.
        for token in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '/') {
            assert!(
                !secrets.contains(token),
                "{name} contains personal data: {token}"
            );
        }
        assert!(
            !masked_with_date.is_match(text),
            "{name} shows a codice fiscale's birth date"
        );
    }
    // The ISEE findings name rows by number and a short pseudonym.
    let findings = read_csv(&dir.path().join("reports/isee/findings.csv"));
    assert!(findings.len() > 1);
    for r in &findings[1..] {
        assert!(
            r[3].is_empty() || r[3].starts_with(&format!("#{}~", r[1])),
            "{r:?}"
        );
    }
    for source in ["refezione", "servizi_sociali", "erp_inquilini", "isee"] {
        let page = dir.path().join("reports").join(source).join("index.html");
        let html = std::fs::read_to_string(&page).unwrap_or_default();
        let records = summary(&page.with_file_name(""))["sources"][0]["linkage"]["records"]
            .as_u64()
            .unwrap_or_else(|| panic!("no linkage in {source}"));
        counts_cannot_be_undone(source, &html, records);
    }
    for out in ["reports", "master", "review", "checked"] {
        assert_eq!(
            crate::injection::formula_cells(&dir.path().join(out)),
            Vec::<String>::new()
        );
    }
}

fn read_csv_semicolon(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(b';')
        .from_path(path)
        .unwrap_or_else(|e| panic!("{e}"));
    r.records()
        .map(|rec| {
            rec.unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// Every file under `dir`, with its permission bits.
#[cfg(unix)]
fn modes(dir: &Path) -> Vec<(std::path::PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = Vec::new();
    files_under(dir, &mut files);
    files
        .into_iter()
        .map(|f| {
            let mode = std::fs::metadata(&f)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or_else(|e| panic!("{e}"));
            (f, mode)
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn outputs_are_owner_only_and_never_looser_than_the_umask() {
    let dir = scratch();
    // `run --show-pii` puts identities in the review queue: even under a
    // umask of 022, nobody but the owner reads any output.
    let bin = assert_cmd::cargo::cargo_bin("vaglio");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(&bin)
        .args([
            "demo",
            "--quiet",
            "--residents",
            "1500",
            "--seed",
            "3",
            "--out",
        ])
        .arg(dir.path())
        .env_remove("VAGLIO_KEY")
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0));
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(&bin)
        .args(["run", "--quiet", "--show-pii"])
        .arg(dir.path().join("vaglio.toml"))
        .env_remove("VAGLIO_KEY")
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0));
    for out in ["reports", "master", "review"] {
        let m = modes(&dir.path().join(out));
        assert!(!m.is_empty());
        for (f, mode) in m {
            assert_eq!(mode & 0o077, 0, "{} is {mode:o}", f.display());
        }
    }
    // A stricter umask is kept: 0277 takes even the owner's write bit.
    std::fs::create_dir(dir.path().join("strict")).unwrap_or_else(|e| panic!("{e}"));
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 0277 && exec \"$0\" \"$@\"")
        .arg(&bin)
        .current_dir(dir.path())
        .args([
            "check",
            "--quiet",
            "--rules",
            "rules/isee.toml",
            "--out",
            "strict",
        ])
        .args(["--today", "2025-12-31", "isee.csv"])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0));
    let m = modes(&dir.path().join("strict"));
    assert_eq!(m.len(), 4, "{m:?}");
    for (f, mode) in m {
        assert_eq!(mode & 0o277, 0, "{} is {mode:o}", f.display());
    }
}

#[test]
fn enum_values_are_masked_and_infer_lists_no_surname() {
    let dir = scratch();
    std::fs::write(
        dir.path().join("cognomi.csv"),
        "COGNOME\nZANARDI\nNILEZZELLI\nFERRARI\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("rules.toml"),
        "[input]\nkey = \"ID\"\n[fields.ID]\npii = false\n\
         [fields.COGNOME]\nenum = { file = \"cognomi.csv\", column = \"COGNOME\" }\n\
         [fields.TIPO]\npii = false\nenum = [\"ORDINARIO\", \"CORRENTE\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut data = String::from("ID,COGNOME,TIPO\n");
    for i in 0..12 {
        let surname = ["ZANARDI", "FERRARI", "NILEZZELLI"][i % 3];
        data.push_str(&format!("{i},{surname},ORDINARIO\n"));
    }
    data.push_str("99,BIANCHINI,ALTRO\n");
    std::fs::write(dir.path().join("x.csv"), &data).unwrap_or_else(|e| panic!("{e}"));
    let out = check_cmd(
        &dir.path().join("rules.toml"),
        &dir.path().join("x.csv"),
        &dir.path().join("out"),
    )
    .output()
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let mut texts = vec![String::from_utf8_lossy(&out.stdout).into_owned()];
    for f in ["findings.csv", "summary.json", "index.html"] {
        texts.push(std::fs::read_to_string(dir.path().join("out").join(f)).unwrap_or_default());
    }
    for t in &texts {
        for surname in ["ZANARDI", "FERRARI", "NILEZZELLI", "BIANCHINI"] {
            assert!(!t.contains(surname), "{surname} in {t}");
        }
    }
    // A code list that is not personal is still shown.
    let findings = std::fs::read_to_string(dir.path().join("out/findings.csv")).unwrap_or_default();
    assert!(findings.contains("ORDINARIO"), "{findings}");

    let draft = vaglio()
        .arg("check")
        .arg("--infer")
        .arg(dir.path().join("x.csv"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(draft.status.code(), Some(0));
    let draft = String::from_utf8_lossy(&draft.stdout);
    assert!(!draft.contains("ZANARDI"), "{draft}");
    assert!(
        draft.contains("enum = [") && draft.contains("\"ORDINARIO\""),
        "{draft}"
    );
}

/// A count of people as a page may show it: 0, `<3`, or a multiple of 5.
fn shown_rounded(cell: &str) -> Option<u64> {
    match cell {
        "&lt;3" | "&#60;3" | "<3" => Some(0),
        n => n.parse::<u64>().ok().filter(|n| n % 5 == 0),
    }
}

/// The outcome cards (percentage and count) and the histogram's tooltips
/// show rounded counts only, and the percentages are of rounded counts: a
/// suppressed cell cannot be recovered from the file's row count, a
/// percentage or a bar.
fn counts_cannot_be_undone(source: &str, html: &str, records: u64) {
    let card = regex::Regex::new(
        r#"<div class="n" style="color: var\(--(?:ok|warn|fail)\)">([0-9.,]+) ?%</div><div class="l">[^(<]*\(([^)]*)\)"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut cards = 0;
    for c in card.captures_iter(html) {
        cards += 1;
        let n = shown_rounded(&c[2]).unwrap_or_else(|| panic!("{source}: count {} shown", &c[2]));
        // Italian pages write `12,50 %`, English ones `12.50%`.
        let pct: f64 = c[1]
            .replace(',', ".")
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            (pct - n as f64 * 100.0 / records as f64).abs() < 0.006,
            "{source}: {pct}% is not of the shown count {n} of {records}"
        );
    }
    assert_eq!(cards, 3, "{source}: the three outcome cards");
    let tooltip =
        regex::Regex::new(r"<title>[^<]*: [^<]*</title>").unwrap_or_else(|e| panic!("{e}"));
    let number =
        regex::Regex::new(r" (&lt;3|[0-9]+)(?:,|</title>)").unwrap_or_else(|e| panic!("{e}"));
    // A trend's points are percentages of a whole delivery
    // (`… · 2025-12-31: 11,71 %`), not counts.
    let counts = tooltip
        .find_iter(html)
        .filter(|t| !t.as_str().ends_with("%</title>"));
    for t in counts {
        for n in number.captures_iter(t.as_str()) {
            assert!(
                shown_rounded(&n[1]).is_some(),
                "{source}: histogram shows {} in {}",
                &n[1],
                t.as_str()
            );
        }
    }
}
