//! Helpers: running the binary in a scratch folder and reading its outputs.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `vaglio` command with a fixed date and no colours.
pub fn vaglio() -> Command {
    let mut cmd = Command::cargo_bin("vaglio").unwrap_or_else(|e| panic!("binary not built: {e}"));
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// Writes a demo city of `residents` (seed `seed`) into `out` and runs its
/// pipeline (`vaglio demo --quiet`), with no pseudonym key in the
/// environment (the city's own demo key is used).
pub fn demo_city(out: &Path, residents: u32, seed: u64) {
    vaglio()
        .env_remove("VAGLIO_KEY")
        .args(["demo", "--quiet", "--residents"])
        .arg(residents.to_string())
        .arg("--seed")
        .arg(seed.to_string())
        .arg("--out")
        .arg(out)
        .assert()
        .code(0);
}

/// Every file below `dir` whose name ends in `.EXT`, sorted.
pub fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A scratch folder that is removed at the end of the test.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"))
}

/// Reads a CSV file into rows of strings (header included).
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    r.records()
        .map(|rec| {
            rec.unwrap_or_else(|e| panic!("bad CSV in {}: {e}", path.display()))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// The findings of a run as `(row, column, check, message)`.
pub fn findings(out: &Path) -> Vec<(String, String, String, String)> {
    read_csv(&out.join("findings.csv"))
        .into_iter()
        .skip(1)
        .map(|r| (r[1].clone(), r[4].clone(), r[5].clone(), r[8].clone()))
        .collect()
}

/// Reads summary.json.
pub fn summary(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("summary.json"))
        .unwrap_or_else(|e| panic!("no summary.json: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("summary.json is not JSON: {e}"))
}

/// The summary entry of check `id` in the first source.
pub fn check<'a>(summary: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    summary["sources"][0]["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in summary"))
}

/// Runs `vaglio check` on a fixture with a rule file, into `out`.
pub fn check_cmd(rules: &Path, file: &Path, out: &Path) -> Command {
    let mut cmd = vaglio();
    cmd.arg("check")
        .arg("--rules")
        .arg(rules)
        .arg("--out")
        .arg(out)
        .arg("--today")
        .arg("2026-11-28")
        .arg(file);
    cmd
}

/// The single integer `sql` returns (a `COUNT(*)`), panicking with the
/// query on an error.
pub fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
