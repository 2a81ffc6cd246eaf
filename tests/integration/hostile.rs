//! Hostile inputs: whatever an office's system exports, vaglio answers with
//! findings or a clear error (exit 2), never a panic, and leaves earlier
//! outputs intact.

use std::path::Path;

use crate::util::*;

/// Runs `check` on `data` (written to a file) with `rules`, returning the
/// exit code, stdout and stderr.
fn run(rules: &str, name: &str, data: &[u8]) -> (i32, String, String, tempfile::TempDir) {
    let dir = scratch();
    std::fs::write(dir.path().join("rules.toml"), rules).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join(name), data).unwrap_or_else(|e| panic!("{e}"));
    let out = vaglio()
        .current_dir(dir.path())
        .args([
            "check",
            "--rules",
            "rules.toml",
            "--out",
            "out",
            "--today",
            "2026-11-28",
            name,
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run vaglio: {e}"));
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        dir,
    )
}

const PEOPLE: &str = "[input]\nkey = \"ID\"\n[fields.ID]\ntype = \"integer\"\n[fields.NOME]\n";

fn finding_checks(out: &Path) -> Vec<String> {
    findings(out).into_iter().map(|f| f.2).collect()
}

#[test]
fn bom_only() {
    let (code, _, _, dir) = run(PEOPLE, "x.csv", b"\xEF\xBB\xBF");
    assert_eq!(code, 1);
    assert_eq!(
        finding_checks(&dir.path().join("out")),
        vec!["columns.missing", "columns.missing"]
    );
}

#[test]
fn invalid_utf8_in_a_file_declared_utf8() {
    let rules = PEOPLE.replace("[input]", "[input]\nencoding = \"utf-8\"");
    let (code, _, _, dir) = run(&rules, "x.csv", b"ID;NOME\n1;ANNA\n2;NICOL\xD2\n3;LUCA\n");
    assert_eq!(code, 1);
    let f = findings(&dir.path().join("out"));
    assert_eq!(f.len(), 2);
    // The whole file reads as Windows-1252: said once, then the row.
    assert_eq!((f[0].0.as_str(), f[0].2.as_str()), ("0", "file.encoding"));
    assert!(f[0].3.contains("does as windows-1252"), "{}", f[0].3);
    assert_eq!(
        (f[1].0.as_str(), f[1].1.as_str(), f[1].2.as_str()),
        ("2", "NOME", "file.encoding")
    );
}

#[test]
fn nul_bytes_and_mixed_line_endings() {
    let (code, _, _, dir) = run(
        PEOPLE,
        "x.csv",
        b"ID;NOME\r\n1;AN\x00NA\n2;LUCA\r3;SARA\r\n",
    );
    assert_eq!(code, 0, "NUL is text; CR, LF and CRLF all end a row");
    assert_eq!(summary(&dir.path().join("out"))["sources"][0]["rows"], 3);
}

/// A file whose row 1 has a field of `n` bytes.
fn with_a_field_of(n: usize) -> Vec<u8> {
    let mut data = b"ID;NOME\n1;".to_vec();
    data.extend(std::iter::repeat_n(b'A', n));
    data.extend_from_slice(b"\n2;LUCA\n");
    data
}

#[test]
fn a_ten_megabyte_field_within_a_raised_max_field_bytes() {
    let data = with_a_field_of(10 * 1024 * 1024);
    let rules = format!("{PEOPLE}max_length = 60\n")
        .replace("[input]", "[input]\nmax_field_bytes = 20_000_000");
    let (code, _, _, dir) = run(&rules, "x.csv", &data);
    assert_eq!(code, 1);
    let f = findings(&dir.path().join("out"));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].3, "longer than 60 characters (10485760)");
}

/// Runs `check` on `data` in `dir` (reusing its `rules.toml` and `out/`).
fn run_in(dir: &Path, data: &[u8]) -> (i32, String) {
    std::fs::write(dir.join("x.csv"), data).unwrap_or_else(|e| panic!("{e}"));
    let out = vaglio()
        .current_dir(dir)
        .args([
            "check",
            "--rules",
            "rules.toml",
            "--out",
            "out",
            "--today",
            "2026-11-28",
        ])
        .arg("x.csv")
        .output()
        .unwrap_or_else(|e| panic!("cannot run vaglio: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

/// The output files of a run, by name, with their contents.
fn outputs(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
        .unwrap_or_else(|e| panic!("{}: {e}", out.display()))
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")))
        .filter(|e| e.path().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_else(|e| panic!("{e}"));
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_field_over_max_field_bytes_stops_the_check_and_keeps_earlier_reports() {
    // The default limit is 1 MiB: a 10 MB field is a broken file, not data.
    let (code, _, _, dir) = run(PEOPLE, "x.csv", b"ID;NOME\n1;ANNA\n");
    assert_eq!(code, 0);
    let before = outputs(&dir.path().join("out"));
    let (code, stderr) = run_in(dir.path(), &with_a_field_of(10 * 1024 * 1024));
    assert_eq!(code, 2, "{stderr}");
    for needle in [
        "vaglio::read::field_too_large",
        "x.csv: a field of row 1 (line 2) is longer than",
        "max_field_bytes = 1048576",
        "raise `max_field_bytes` in the [input]",
    ] {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
    assert_eq!(
        outputs(&dir.path().join("out")),
        before,
        "earlier reports changed"
    );
    // At the limit is fine; one byte over is not.
    let rules = PEOPLE.replace("[input]", "[input]\nmax_field_bytes = 1000");
    std::fs::write(dir.path().join("rules.toml"), rules).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run_in(dir.path(), &with_a_field_of(1000)).0, 0);
    let (code, stderr) = run_in(dir.path(), &with_a_field_of(1001));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the field \"NOME\" of row 1 (line 2), 1001 bytes,"),
        "{stderr}"
    );
}

#[test]
fn an_unterminated_quote_in_a_large_file_stops_before_swallowing_it() {
    // The quote on line 3 never closes: the rest of the file (4 MB) would
    // be one field. Reading stops at the limit, pointing at the line.
    let rules = PEOPLE.replace("[input]", "[input]\nmax_field_bytes = 100_000");
    let mut data = b"ID;NOME\n1;ANNA\n2;\"LUCA\n".to_vec();
    for i in 3..200_000 {
        data.extend_from_slice(format!("{i};NOME {i}\n").as_bytes());
    }
    let (code, _, stderr, _dir) = run(&rules, "x.csv", &data);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("row 2 (line 3)"), "{stderr}");
    assert!(stderr.contains("never closes"), "{stderr}");
    // The same quote in a small file is a finding, as before.
    let (code, _, _, dir) = run(PEOPLE, "x.csv", b"ID;NOME\n1;ANNA\n2;\"LUCA\n3;SARA\n");
    assert_eq!(code, 1);
    assert!(finding_checks(&dir.path().join("out")).contains(&"file.quotes".to_string()));
}

#[test]
fn max_field_bytes_must_be_a_positive_whole_number() {
    for (value, needle) in [("0", "must be at least 1"), ("\"big\"", "whole number")] {
        let rules = PEOPLE.replace("[input]", &format!("[input]\nmax_field_bytes = {value}"));
        let (code, _, stderr, _dir) = run(&rules, "x.csv", b"ID;NOME\n1;ANNA\n");
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
        assert!(stderr.contains("max_field_bytes"), "{stderr}");
    }
}

#[test]
fn a_hundred_thousand_columns() {
    let header: Vec<String> = (0..100_000).map(|i| format!("C{i}")).collect();
    let row: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let data = format!("ID;NOME;{}\n1;ANNA;{}\n", header.join(";"), row.join(";"));
    let rules = format!("{PEOPLE}[table]\nunexpected_columns = \"info\"\n");
    let (code, _, _, dir) = run(&rules, "x.csv", data.as_bytes());
    assert_eq!(code, 0);
    let s = summary(&dir.path().join("out"));
    assert_eq!(check(&s, "columns.unexpected")["failed"], 100_000);
}

#[test]
fn numbers_with_four_hundred_digits() {
    let rules = "[fields.N]\ntype = \"integer\"\n[fields.D]\ntype = \"decimal\"\n";
    let big = "9".repeat(400);
    let (code, _, _, dir) = run(
        rules,
        "x.csv",
        format!("N;D\n{big};{big}\n1;1.5\n").as_bytes(),
    );
    assert_eq!(code, 1);
    let f = findings(&dir.path().join("out"));
    let messages: Vec<&str> = f.iter().map(|x| x.3.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "whole number too large (more than 18 digits)",
            "number too large"
        ]
    );
}

#[test]
fn enormous_and_deeply_nested_expressions() {
    let long = vec!["N > 0"; 5_000].join(" and ");
    let rules =
        format!("[fields.N]\ntype = \"integer\"\n[[checks]]\nid = \"long\"\nassert = \"{long}\"\n");
    let (code, _, stderr, _dir) = run(&rules, "x.csv", b"N\n1\n");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("too"), "{stderr}");
    let nested = format!("{}N > 0{}", "(".repeat(500), ")".repeat(500));
    let rules = format!(
        "[fields.N]\ntype = \"integer\"\n[[checks]]\nid = \"deep\"\nassert = \"{nested}\"\n"
    );
    let (code, _, stderr, _dir) = run(&rules, "x.csv", b"N\n1\n");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("nested too deeply"), "{stderr}");
}

#[test]
fn a_folder_given_as_input() {
    let dir = scratch();
    std::fs::create_dir(dir.path().join("data.csv")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("rules.toml"), PEOPLE).unwrap_or_else(|e| panic!("{e}"));
    let out = vaglio()
        .current_dir(dir.path())
        .args(["check", "--rules", "rules.toml", "--out", "out", "data.csv"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("data.csv"), "{stderr}");
    assert!(!dir.path().join("out/summary.json").exists());
}

#[test]
fn a_rule_file_that_is_not_utf8_or_not_toml() {
    let dir = scratch();
    std::fs::write(dir.path().join("rules.toml"), b"[fields.N\xFF]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("x.csv"), "N\n1\n").unwrap_or_else(|e| panic!("{e}"));
    let out = vaglio()
        .current_dir(dir.path())
        .args(["check", "--rules", "rules.toml", "x.csv"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
    let (code, _, stderr, _dir) = run("this is not = = toml", "x.csv", b"N\n1\n");
    assert_eq!(code, 2);
    assert!(stderr.contains("not valid TOML"), "{stderr}");
}

/// Links the FEBRL-like fixture with its extract rules changed by `edit`,
/// into `out`; returns the exit code and stderr.
fn link_fixture(edit: impl Fn(&str) -> String, dir: &Path, out: &Path) -> (i32, String) {
    let fixture = crate::util::fixtures().join("link_generic");
    let text =
        std::fs::read_to_string(fixture.join("extract.toml")).unwrap_or_else(|e| panic!("{e}"));
    let rules = dir.join("extract.toml");
    std::fs::write(&rules, edit(&text)).unwrap_or_else(|e| panic!("{e}"));
    let got = vaglio()
        .args(["link", "--quiet", "--rules"])
        .arg(&rules)
        .arg(fixture.join("extract.csv"))
        .arg("--anagrafe")
        .arg(fixture.join("reference.csv"))
        .arg("--anagrafe-rules")
        .arg(fixture.join("reference.toml"))
        .arg("--out")
        .arg(out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run vaglio: {e}"));
    let stderr = String::from_utf8_lossy(&got.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (got.status.code().unwrap_or(-1), stderr)
}

#[test]
fn more_candidate_pairs_than_max_pairs_stop_the_linkage() {
    let dir = scratch();
    let out = dir.path().join("master");
    let (code, stderr) = link_fixture(str::to_string, dir.path(), &out);
    assert_eq!(code, 0, "{stderr}");
    let before = outputs(&out);
    let (code, stderr) = link_fixture(|t| format!("{t}max_pairs = 10\n"), dir.path(), &out);
    assert_eq!(code, 2, "{stderr}");
    for needle in [
        "vaglio::link::max_pairs",
        "candidate pairs, more than",
        "max_pairs = 10",
        "extract.toml",
        "raise `max_pairs` in the [link]",
    ] {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
    assert_eq!(outputs(&out), before, "links.csv changed");
    let (code, stderr) = link_fixture(|t| format!("{t}max_pairs = \"many\"\n"), dir.path(), &out);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("`max_pairs` must be a whole number"),
        "{stderr}"
    );
}

/// Runs `check` in `dir` under a file-size limit of about a megabyte (`ulimit
/// -f`): with `trap`, the shell ignores SIGXFSZ for vaglio; without it,
/// vaglio must ignore the signal itself, so that a write past the limit
/// fails as on a full disk instead of killing it without a word.
fn check_on_a_full_disk(dir: &Path, trap: bool) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("vaglio");
    let script = if trap {
        "trap '' XFSZ; ulimit -f 2048; exec \"$0\" \"$@\""
    } else {
        "ulimit -f 2048; exec \"$0\" \"$@\""
    };
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin)
        .args([
            "check",
            "--rules",
            "rules.toml",
            "--out",
            "out",
            "--today",
            "2026-11-28",
        ])
        .arg("x.csv")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run sh: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn a_full_disk_mid_write_exits_2_and_keeps_the_previous_reports() {
    full_disk_mid_write(true);
}

#[test]
fn a_file_size_limit_is_a_full_disk_not_a_silent_kill() {
    full_disk_mid_write(false);
}

fn full_disk_mid_write(trap: bool) {
    let (code, _, _, dir) = run(PEOPLE, "x.csv", b"ID;NOME\n1;ANNA\n");
    assert_eq!(code, 0);
    let before = outputs(&dir.path().join("out"));
    // 100,000 rows with an invalid ID: about 8 MB of findings, more than the
    // disk takes.
    let mut data = b"ID;NOME\n".to_vec();
    for i in 0..100_000 {
        data.extend_from_slice(format!("X{i};NOME\n").as_bytes());
    }
    std::fs::write(dir.path().join("x.csv"), &data).unwrap_or_else(|e| panic!("{e}"));
    let (code, stderr) = check_on_a_full_disk(dir.path(), trap);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("findings.csv"), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains("disk is not full"), "{stderr}");
    assert_eq!(
        outputs(&dir.path().join("out")),
        before,
        "the previous reports changed, or a temporary file was left behind"
    );
}

#[test]
fn an_output_that_cannot_be_renamed_into_place_keeps_the_others() {
    let (code, _, _, dir) = run(PEOPLE, "x.csv", b"ID;NOME\n1;ANNA\n");
    assert_eq!(code, 0);
    // index.html is now a folder: its temporary file is written, but cannot
    // replace it.
    let out = dir.path().join("out");
    std::fs::remove_file(out.join("index.html")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(out.join("index.html")).unwrap_or_else(|e| panic!("{e}"));
    let (code, stderr) = run_in(dir.path(), b"ID;NOME\n1;ANNA\n2;LUCA\n");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("index.html"), "{stderr}");
    let leftovers: Vec<_> = outputs(&out)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Runs vaglio with `args` in `dir`, its standard output on /dev/full.
fn to_dev_full(dir: &Path, args: &[&str]) -> (i32, String) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap_or_else(|e| panic!("/dev/full: {e}"));
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("vaglio"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(full)
        .output()
        .unwrap_or_else(|e| panic!("cannot run vaglio: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn standard_output_on_a_full_disk_is_an_error_not_a_panic() {
    let (code, _, _, dir) = run(PEOPLE, "x.csv", b"ID;NOME\n1;ANNA\n");
    assert_eq!(code, 0);
    for args in [
        &["rules"][..],
        &["rules", "VG101"],
        &[
            "check",
            "--rules",
            "rules.toml",
            "--out",
            "out",
            "--format",
            "json",
            "x.csv",
        ],
        &["check", "--infer", "x.csv"],
    ] {
        let (code, stderr) = to_dev_full(dir.path(), args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("standard output"), "{args:?}: {stderr}");
    }
}

#[test]
fn jobs_beyond_the_bound_are_refused_not_a_panic() {
    let out = vaglio()
        .args(["check", "--jobs", "100000", "--infer", "x.csv"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run vaglio: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--jobs 100000 is out of range"), "{stderr}");
    assert!(stderr.contains("between 1 and 1024"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A rule file, a code list, a key file and a project that are FIFOs (no
/// writer: opening one would wait for ever) or devices (`/dev/zero` never
/// ends) are refused at once with exit 2.
#[cfg(unix)]
#[test]
fn special_files_are_refused_not_waited_on() {
    let dir = scratch();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(made.success());
    std::fs::write(dir.path().join("x.csv"), "ID;NOME\n1;ANNA\n").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("codes.toml"),
        "[input]\nkey = \"ID\"\n[fields.NOME]\nenum = { file = \"fifo\", column = \"C\" }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("vaglio.toml"),
        "[anagrafe]\nfile = \"x.csv\"\nrules = \"codes.toml\"\n[privacy]\nkey_file = \"fifo\"\n\n[[sources]]\nname = \"s\"\nfile = \"x.csv\"\nrules = \"codes.toml\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cases: [&[&str]; 4] = [
        &["check", "--rules", "fifo", "x.csv"],
        &["check", "--rules", "/dev/zero", "x.csv"],
        &["check", "--rules", "codes.toml", "x.csv"],
        &["run", "vaglio.toml"],
    ];
    for args in cases {
        let start = std::time::Instant::now();
        let out = vaglio()
            .current_dir(dir.path())
            .env_remove("VAGLIO_KEY")
            .args(args)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap_or_else(|e| panic!("cannot run vaglio: {e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(start.elapsed().as_secs() < 10, "{args:?} waited: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
}

/// Writes an SQLite database at `path` with `sql`.
fn sqlite_db(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(sql).unwrap_or_else(|e| panic!("{e}"));
}

/// An SQLite view that never ends and a value far over max_field_bytes stop
/// the check within seconds, with exit 2 and the cap named.
#[test]
fn sqlite_inputs_are_bounded() {
    let dir = scratch();
    let rules = dir.path().join("r.toml");
    std::fs::write(
        &rules,
        "[input]\nkey = \"ID\"\n[fields.ID]\ntype = \"integer\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let view = dir.path().join("view.sqlite");
    sqlite_db(
        &view,
        "CREATE VIEW v AS WITH RECURSIVE n(ID) AS (SELECT 1 UNION ALL SELECT ID + 1 FROM n) SELECT ID FROM n;",
    );
    let long = dir.path().join("long.sqlite");
    sqlite_db(
        &long,
        "CREATE TABLE t (ID INTEGER, NOTE TEXT); INSERT INTO t VALUES (1, 'a'), (2, printf('%.*c', 3000000, 'x'));",
    );
    for (db, expected) in [
        (&view, "steps of SQLite"),
        (
            &long,
            "a value of row 2 is longer than max_field_bytes = 1048576 bytes",
        ),
    ] {
        let start = std::time::Instant::now();
        let out = vaglio()
            .current_dir(dir.path())
            .args(["check", "--rules"])
            .arg(&rules)
            .arg(db)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap_or_else(|e| panic!("cannot run vaglio: {e}"));
        // The message as words, whatever the terminal's wrapping.
        let stderr = String::from_utf8_lossy(&out.stderr)
            .split_whitespace()
            .filter(|w| *w != "│")
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(out.status.code(), Some(2), "{db:?}: {stderr}");
        assert!(stderr.contains(expected), "{db:?}: {stderr}");
        assert!(
            start.elapsed().as_secs() < 20,
            "{db:?} took {:?}",
            start.elapsed()
        );
    }
}
