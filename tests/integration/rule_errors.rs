//! Errors in rule files: every one a diagnostic at its span, exit 2.

use crate::util::*;

fn diagnose(rules: &str) -> String {
    let dir = scratch();
    let path = dir.path().join("rules.toml");
    std::fs::write(&path, rules).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("data.csv"), "ID\n1\n").unwrap_or_else(|e| panic!("{e}"));
    let assert = vaglio()
        .current_dir(dir.path())
        .args(["check", "--rules", "rules.toml", "--out", "out", "data.csv"])
        .assert()
        .code(2);
    assert!(!dir.path().join("out/summary.json").exists());
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn unknown_key_with_suggestion() {
    let err = diagnose("[fields.ID]\ntype = \"integer\"\nrequird = true\n");
    insta::assert_snapshot!("unknown_key", err);
}

#[test]
fn wrong_toml_type() {
    let err = diagnose("[fields.ID]\nrequired = \"yes\"\n");
    assert!(
        err.contains("`required` must be true or false, not a string"),
        "{err}"
    );
    assert!(err.contains("rules.toml:2:12"), "{err}");
}

#[test]
fn unknown_type_and_bad_regex_are_both_reported() {
    let err = diagnose("[fields.ID]\ntype = \"integr\"\n\n[fields.CAP]\npattern = '\\d{5'\n");
    insta::assert_snapshot!("type_and_regex", err);
}

#[test]
fn toml_syntax_error() {
    let err = diagnose("[fields.ID\ntype = \"integer\"\n");
    assert!(err.contains("not valid TOML"), "{err}");
    assert!(err.contains("rules.toml:1:"), "{err}");
}

#[test]
fn missing_code_list_file_and_unknown_key_column() {
    let err = diagnose(
        "[fields.ID]\nenum = { file = \"nope.csv\", column = \"X\" }\n[table]\nunique = [[\"ID\", \"NOEM\"]]\n",
    );
    assert!(err.contains("cannot read the code list"), "{err}");
    assert!(err.contains("unknown column NOEM"), "{err}");
    assert!(err.contains("2 errors"), "{err}");
}

#[test]
fn date_bounds_must_be_dates() {
    let err =
        diagnose("[fields.D]\ntype = \"date\"\nminimum = \"yesterday\"\n[fields.N]\nmaximum = 3\n");
    assert!(err.contains("`yesterday` is not a date"), "{err}");
    assert!(
        err.contains("ranges apply to numbers and dates, and N is neither"),
        "{err}"
    );
}

#[test]
fn duplicate_check_ids() {
    let err = diagnose(
        "[fields.ID]\n[[checks]]\nid = \"a\"\nassert = \"true\"\n[[checks]]\nid = \"a\"\nassert = \"true\"\n",
    );
    assert!(err.contains("the check id `a` is used twice"), "{err}");
}

#[test]
fn expression_errors_point_inside_the_toml_string() {
    let err = diagnose(
        "[fields.DATA_INIZIO]\ntype = \"date\"\n[fields.DATA_FINE]\ntype = \"date\"\n\n[[checks]]\nid = \"periodo\"\nassert = \"DATA_FINE >= DATA_INIZO\"\n",
    );
    insta::assert_snapshot!("expression_unknown_column", err);
    let err = diagnose(
        "[fields.DATA_FINE]\ntype = \"date\"\n[[checks]]\nid = \"x\"\nassert = \"DATA_FINE >= 'ieri'\"\n",
    );
    assert!(err.contains("rules.toml:5:24"), "{err}");
    assert!(err.contains("cannot compare a date with a string"), "{err}");
    let err =
        diagnose("[fields.N]\ntype = \"integer\"\n[[checks]]\nid = \"x\"\nassert = \"N + 1\"\n");
    assert!(err.contains("true or false"), "{err}");
}

#[test]
fn unknown_datamart_treatment_is_placed_and_suggested() {
    let err = diagnose("[fields.CF]\ntype = \"codice_fiscale\"\ndatamart = \"pseudonimise\"\n");
    assert!(
        err.contains("unknown datamart treatment `pseudonimise` for field CF"),
        "{err}"
    );
    assert!(err.contains("rules.toml:3:12"), "{err}");
    assert!(err.contains("did you mean \"pseudonymise\""), "{err}");
}
