//! Cross-source checks (validation level 3, VG302): evaluated by `vaglio
//! run` after linkage, measured against the demo's labelled
//! inconsistencies; not evaluated by `vaglio check`; their mistakes stop a
//! run with the rule file's line and column.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::util::*;

const KEY: &str = "cross-source-test-key-0123456789abcdef";

/// The demo's cross-source checks: (source, check id, truth label).
const CHECKS: [(&str, &str, &str); 3] = [
    (
        "erp_inquilini",
        "componenti-come-anagrafe",
        "household_size_mismatch",
    ),
    ("refezione", "isee-come-dichiarazione", "isee_mismatch"),
    (
        "refezione",
        "eta-alunno-da-anagrafe",
        "pupil_age_out_of_range",
    ),
];

fn run(dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    vaglio()
        .arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet"])
        .args(extra)
        .env("VAGLIO_KEY", KEY)
        .assert()
}

/// The rows a check flagged in `findings.csv`, and the rows the truth
/// labels with `label`.
fn flagged_and_labelled(
    dir: &Path,
    source: &str,
    check: &str,
    label: &str,
) -> (BTreeSet<u64>, BTreeSet<u64>) {
    let findings = read_csv(&dir.join("reports").join(source).join("findings.csv"));
    assert_eq!(findings[0][5], "check");
    let flagged = findings
        .iter()
        .skip(1)
        .filter(|r| r[5] == check)
        .map(|r| r[1].parse::<u64>().unwrap())
        .collect();
    let truth = read_csv(&dir.join("truth").join(format!("{source}.csv")));
    assert_eq!(truth[0][..4], ["ROW", "KEY", "ID_PERSONA", "ERRORS"]);
    let labelled = truth
        .iter()
        .skip(1)
        .filter(|r| r[3].split(';').any(|k| k == label))
        .map(|r| r[0].parse::<u64>().unwrap())
        .collect();
    (flagged, labelled)
}

fn precision_recall(flagged: &BTreeSet<u64>, labelled: &BTreeSet<u64>) -> (f64, f64) {
    let tp = flagged.intersection(labelled).count() as f64;
    (
        tp / flagged.len().max(1) as f64,
        tp / labelled.len().max(1) as f64,
    )
}

fn summary_check(dir: &Path, source: &str, id: &str) -> serde_json::Value {
    check(&summary(&dir.join("reports").join(source)), id).clone()
}

#[test]
fn cross_source_checks_find_the_demos_labelled_inconsistencies() {
    for (residents, seed) in [(2000, 7), (3000, 11)] {
        let tmp = scratch();
        let dir = tmp.path();
        demo_city(dir, residents, seed);
        for (source, id, label) in CHECKS {
            let (flagged, labelled) = flagged_and_labelled(dir, source, id, label);
            assert!(
                labelled.len() >= 2,
                "{id}: {} labelled rows",
                labelled.len()
            );
            let (p, r) = precision_recall(&flagged, &labelled);
            assert_eq!(
                (p, r),
                (1.0, 1.0),
                "{id} ({residents} residents, seed {seed}): flagged {flagged:?}, labelled {labelled:?}"
            );
            // Reported like every check: level 3, its kind, evaluated on
            // the linked records only, its tolerance and severity.
            let c = summary_check(dir, source, id);
            assert_eq!(c["code"], "VG302", "{c}");
            assert_eq!(c["level"], 3, "{c}");
            assert_eq!(c["severity"], "warning", "{c}");
            assert_eq!(c["failed"], labelled.len() as u64, "{c}");
            assert!(c["skipped"].is_null(), "{c}");
            let linked = read_csv(&dir.join("master/links.csv"))
                .iter()
                .filter(|r| r[0] == source && r[4] == "match")
                .count() as u64;
            let evaluated = c["evaluated"].as_u64().unwrap();
            assert!(
                evaluated > 0 && evaluated <= linked,
                "{evaluated} of {linked}"
            );
        }
        // Every record of the age check that is linked is evaluated (every
        // pupil has a birth date in the anagrafe and a start date).
        let c = summary_check(dir, "refezione", "eta-alunno-da-anagrafe");
        let linked = read_csv(&dir.join("master/links.csv"))
            .iter()
            .filter(|r| r[0] == "refezione" && r[4] == "match")
            .count() as u64;
        assert_eq!(c["evaluated"], linked, "{c}");
    }
}

#[test]
fn cross_source_findings_are_masked_in_the_reports_and_identical_across_jobs() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 2000, 7);
    run(dir, &["--jobs", "1"]).code(0);
    let read = |p: &str| std::fs::read(dir.join(p)).unwrap();
    let files = [
        "reports/refezione/findings.csv",
        "reports/refezione/summary.json",
        "reports/refezione/index.html",
        "reports/erp_inquilini/findings.csv",
        "reports/erp_inquilini/summary.json",
    ];
    let one: HashMap<&str, Vec<u8>> = files.iter().map(|f| (*f, read(f))).collect();
    run(dir, &[]).code(0);
    for f in files {
        assert!(
            read(f) == one[f],
            "{f} differs between --jobs 1 and the default"
        );
    }
    // The household size is not personal data: the message shows the
    // values; the birth date and the ISEE are: no value, only the
    // expression.
    let rows = read_csv(&dir.join("reports/erp_inquilini/findings.csv"));
    let erp: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[5] == "componenti-come-anagrafe")
        .collect();
    assert!(!erp.is_empty());
    for r in &erp {
        assert_eq!(r[6], "VG302");
        assert!(r[8].contains("famiglia.componenti ("), "{}", r[8]);
        // The record key is not personal here: shown as it is.
        assert!(r[3].starts_with("ERP-"), "{}", r[3]);
    }
    let rows = read_csv(&dir.join("reports/refezione/findings.csv"));
    for r in rows.iter().filter(|r| r[6] == "VG302") {
        assert!(!r[8].contains(" ("), "a personal value in {}", r[8]);
    }
    let html = String::from_utf8(read("reports/refezione/index.html")).unwrap();
    assert!(html.contains("isee-come-dichiarazione"));
    assert!(html.contains("VG302"));
    // With --show-pii the values appear.
    run(dir, &["--show-pii"]).code(0);
    let rows = read_csv(&dir.join("reports/refezione/findings.csv"));
    let isee: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[5] == "isee-come-dichiarazione")
        .collect();
    assert!(!isee.is_empty());
    assert!(
        isee.iter()
            .all(|r| r[8].contains("isee.VALORE_ISEE (") && r[8].contains("VALORE_ISEE (")),
        "{isee:?}"
    );

    // It feeds the gate like every check: made an error with no tolerance,
    // the run fails (exit 1) on it, and JUnit says so.
    let rules = dir.join("rules/erp_inquilini.toml");
    let text = std::fs::read_to_string(&rules).unwrap();
    let strict = text.replace(
        "assert = \"NUM_COMPONENTI == famiglia.componenti\"\nseverity = \"warning\"\nmax_fail_percent = 5",
        "assert = \"NUM_COMPONENTI == famiglia.componenti\"\nseverity = \"error\"",
    );
    assert_ne!(strict, text);
    std::fs::write(&rules, strict).unwrap();
    run(dir, &[]).code(1);
    let c = summary_check(dir, "erp_inquilini", "componenti-come-anagrafe");
    assert_eq!(c["verdict"], "failed", "{c}");
    assert_eq!(c["severity"], "error", "{c}");
    let junit = std::fs::read_to_string(dir.join("reports/erp_inquilini/junit.xml")).unwrap();
    let case = junit
        .split("<testcase")
        .find(|t| t.contains("componenti-come-anagrafe"))
        .unwrap_or_else(|| panic!("{junit}"));
    assert!(case.contains("<failure"), "{case}");
}

#[test]
fn check_alone_does_not_evaluate_a_cross_source_check() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 2000, 7);
    let out = dir.join("solo");
    vaglio()
        .arg("check")
        .arg("--rules")
        .arg(dir.join("rules/erp_inquilini.toml"))
        .args(["--today", "2025-12-31", "--out"])
        .arg(&out)
        .arg(dir.join("erp_inquilini.sqlite"))
        .assert()
        .code(0);
    let c = check(&summary(&out), "componenti-come-anagrafe").clone();
    assert_eq!(c["verdict"], "skipped", "{c}");
    assert_eq!(c["evaluated"], 0, "{c}");
    assert!(
        c["skipped"]
            .as_str()
            .unwrap()
            .contains("vaglio run after linkage"),
        "{c}"
    );
    assert!(findings(&out)
        .iter()
        .all(|f| f.2 != "componenti-come-anagrafe"));
}

/// Replaces `from` by `to` in the demo's refezione rule file and runs:
/// the run must stop before any work, exit 2, and say why.
fn refused(dir: &Path, edits: &[(&str, &str)]) -> String {
    let rules = dir.join("rules/refezione.toml");
    let text = std::fs::read_to_string(&rules).unwrap();
    let mut edited = text.clone();
    for (from, to) in edits {
        assert!(edited.contains(from), "{from}");
        edited = edited.replace(from, to);
    }
    let datamart = std::fs::read(dir.join("master/datamart.sqlite")).unwrap();
    std::fs::write(&rules, edited).unwrap();
    let out = vaglio()
        .arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet"])
        .env("VAGLIO_KEY", KEY)
        .output()
        .unwrap();
    std::fs::write(&rules, text).unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        std::fs::read(dir.join("master/datamart.sqlite")).unwrap() == datamart,
        "a refused run changed the datamart"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_unknown_source_column_or_a_type_mismatch_stops_the_run_with_its_place() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 2000, 7);
    let line = |needle: &str| {
        let text = std::fs::read_to_string(dir.join("rules/refezione.toml")).unwrap();
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    };
    let isee_line = line("VALORE_ISEE == isee.VALORE_ISEE");
    let err = refused(
        dir,
        &[
            ("== isee.VALORE_ISEE", "== isse.VALORE_ISEE"),
            ("\"isee.DATA_PRESENTAZIONE\"", "\"isse.DATA_PRESENTAZIONE\""),
        ],
    );
    assert!(err.contains("no source `isse` in the project"), "{err}");
    assert!(err.contains("did you mean isee.VALORE_ISEE?"), "{err}");
    assert!(
        err.contains(&format!("refezione.toml:{isee_line}:")),
        "{err}"
    );

    let err = refused(dir, &[("== isee.VALORE_ISEE", "== isee.VALORE")]);
    assert!(err.contains("source `isee` has no field `VALORE`"), "{err}");
    assert!(err.contains("did you mean VALORE_ISEE?"), "{err}");

    let err = refused(dir, &[("anagrafe.DATA_NASCITA", "anagrafe.NASCITA")]);
    assert!(err.contains("the anagrafe has no field `NASCITA`"), "{err}");

    let err = refused(
        dir,
        &[(
            "latest = \"isee.DATA_PRESENTAZIONE\"",
            "latest = \"isee.DATA\"",
        )],
    );
    assert!(err.contains("source `isee` has no field `DATA`"), "{err}");

    // A date compared with a number: the type checker, at its place.
    let err = refused(
        dir,
        &[(
            "age_at(anagrafe.DATA_NASCITA, DATA_INIZIO) between 3 and 15",
            "anagrafe.DATA_NASCITA > 3",
        )],
    );
    assert!(err.contains("refezione.toml:"), "{err}");
    assert!(
        err.contains("cannot compare a date with an integer"),
        "{err}"
    );

    // What the rule file alone can tell is refused by `vaglio check` too.
    let rules = dir.join("rules/refezione.toml");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(
        &rules,
        text.replace("VALORE_ISEE == isee.VALORE_ISEE", "famiglia.membri > 0"),
    )
    .unwrap();
    let out = vaglio()
        .arg("check")
        .arg("--rules")
        .arg(&rules)
        .args(["--today", "2025-12-31", "--out"])
        .arg(dir.join("solo"))
        .arg(dir.join("refezione.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown family aggregate `famiglia.membri`"),
        "{err}"
    );
    assert!(err.contains("famiglia.componenti"), "{err}");
}

#[test]
fn the_anagrafe_rule_file_cannot_have_a_cross_source_check() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 2000, 7);
    let rules = dir.join("rules/anagrafe.toml");
    let mut text = std::fs::read_to_string(&rules).unwrap();
    text.push_str(
        "\n[[checks]]\nid = \"famiglia-piccola\"\nassert = \"famiglia.componenti < 20\"\n",
    );
    std::fs::write(&rules, text).unwrap();
    let out = vaglio()
        .arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet"])
        .env("VAGLIO_KEY", KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the anagrafe's check `famiglia-piccola` reads another table"),
        "{err}"
    );
    assert!(err.contains("anagrafe.toml:"), "{err}");
}
