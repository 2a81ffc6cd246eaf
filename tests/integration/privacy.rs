//! No report file names a person: the demo city is checked, then every file
//! under `reports/` (each source's report with its linkage section, and the
//! run's index) is scanned for the residents' codici fiscali, birth dates,
//! surnames and given names.

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
    demo_city(dir.path(), 1500, 3);
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
    let mut files = Vec::new();
    files_under(&dir.path().join("reports"), &mut files);
    assert!(files.len() >= 20, "five sources × four reports: {files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        // Whole tokens only: a surname must not match inside a longer word.
        for token in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '/') {
            assert!(
                !secrets.contains(token),
                "{} contains personal data: {token}",
                f.display()
            );
        }
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
