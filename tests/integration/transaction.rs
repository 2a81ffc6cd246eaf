//! A run is a transaction: killed at any point, failing at any step, or
//! racing another run, it leaves the outputs of exactly one run, and the
//! next run cleans up after it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::*;

const KEY: &str = "integration-test-key-0123456789abcdef";
const OLD_DAY: &str = "2025-12-31";
const NEW_DAY: &str = "2026-01-15";

/// `vaglio run` of the project in `dir` on `day`.
fn run_cmd(dir: &Path, day: &str) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("vaglio"));
    cmd.arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", day, "--quiet"])
        .env("VAGLIO_KEY", KEY)
        .env_remove("VAGLIO_TEST_CRASH_AT")
        .env_remove("VAGLIO_TEST_PAUSE_AT");
    cmd
}

/// Runs `vaglio run` to the end; panics unless it passes.
fn run_ok(dir: &Path, day: &str) {
    let out = run_cmd(dir, day).output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `vaglio run`, killed (SIGKILL) at `point`.
fn run_killed(dir: &Path, day: &str, point: &str) {
    let out = run_cmd(dir, day)
        .env("VAGLIO_TEST_CRASH_AT", point)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            out.status.signal(),
            Some(9),
            "not killed at {point}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Every output file (reports, master, review) with its bytes; vaglio's own
/// hidden files (the lock, staged files, the journal) apart.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir)
        .into_iter()
        .filter(|(name, _)| !hidden(name))
        .collect()
}

fn hidden(rel: &str) -> bool {
    Path::new(rel)
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with(".vaglio"))
}

/// vaglio's hidden files left under the output folders, but the lock.
fn leftovers(dir: &Path) -> Vec<String> {
    files(dir)
        .into_keys()
        .filter(|n| hidden(n) && !n.ends_with(".vaglio.lock"))
        .collect()
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<PathBuf> = ["master", "review", "reports"]
        .iter()
        .map(|d| dir.join(d))
        .collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(
                std::fs::read_dir(&p)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path()),
            );
        } else if p.exists() {
            let rel = p.strip_prefix(dir).unwrap_or(&p).display().to_string();
            out.insert(rel, std::fs::read(&p).unwrap_or_else(|e| panic!("{e}")));
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for e in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{e}")) {
        let e = e.unwrap_or_else(|e| panic!("{e}"));
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// A small demo city whose outputs come from a run on `OLD_DAY`.
fn city(dir: &Path) {
    demo_city(dir, 800, 7);
    run_ok(dir, OLD_DAY);
}

/// Which files differ between two sets of outputs.
fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| a.get(*n) != b.get(*n))
        .cloned()
        .collect()
}

#[test]
fn a_run_killed_at_any_point_leaves_the_outputs_of_one_run() {
    let tmp = scratch();
    let (base, work) = (tmp.path().join("base"), tmp.path().join("work"));
    city(&base);
    // The outputs before (old) and after (new) a whole run on another day,
    // both in `work`, so that every path is the same.
    copy_dir(&base, &work);
    let old = outputs(&work);
    run_ok(&work, NEW_DAY);
    let new = outputs(&work);
    assert!(differing(&old, &new).len() > 10, "the two runs differ");
    assert!(new.keys().any(|k| k.ends_with("datamart.sqlite")));
    let last = format!("renamed-{}", new.len() - 1);
    // (point, whether the run had committed, whether to finish with a whole
    // run: a few, to keep the test short).
    let points = [
        ("checked", false, false),
        ("datamart", false, false),
        ("staged", false, true),
        ("journal", true, false),
        ("renamed-1", true, false),
        ("renamed-7", true, true),
        (last.as_str(), true, false),
        ("published", true, true),
    ];
    for (point, committed, whole) in points {
        std::fs::remove_dir_all(&work).unwrap_or_else(|e| panic!("{e}"));
        copy_dir(&base, &work);
        run_killed(&work, NEW_DAY, point);
        if !committed {
            assert!(
                differing(&old, &outputs(&work)).is_empty(),
                "killed at {point}, before the commit: {:?} changed",
                differing(&old, &outputs(&work))
            );
            assert!(!leftovers(&work).is_empty(), "{point}: nothing was staged");
        }
        // The next run, killed in its turn before its own commit, first
        // puts in place what a committed run left, and removes what an
        // uncommitted one staged.
        run_killed(&work, OLD_DAY, "checked");
        let expected = if committed { &new } else { &old };
        let now = outputs(&work);
        assert!(
            differing(expected, &now).is_empty(),
            "killed at {point}, then recovered: {:?} differ from the {} run",
            differing(expected, &now),
            if committed { "new" } else { "old" }
        );
        if !whole {
            continue;
        }
        // A run to the end leaves nothing of the others behind.
        run_ok(&work, NEW_DAY);
        assert_eq!(outputs(&work), new, "{point}");
        assert_eq!(leftovers(&work), Vec::<String>::new(), "{point}");
    }
}

#[test]
fn a_failing_run_changes_nothing() {
    let tmp = scratch();
    let dir = tmp.path().join("city");
    city(&dir);
    let before = outputs(&dir);
    // review/ is a file: the queue cannot be written, at the very end.
    let review = dir.join("review");
    std::fs::remove_dir_all(&review).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&review, "not a folder").unwrap_or_else(|e| panic!("{e}"));
    let out = run_cmd(&dir, NEW_DAY)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let mut after = outputs(&dir);
    after.remove("review");
    let mut expected = before.clone();
    expected.retain(|k, _| !k.starts_with("review"));
    assert_eq!(differing(&expected, &after), Vec::<String>::new());
    assert_eq!(leftovers(&dir), Vec::<String>::new());
    std::fs::remove_file(&review).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(&review).unwrap_or_else(|e| panic!("{e}"));
    copy_back(&before, &dir, "review");

    // A source's file missing: found after the anagrafe is checked.
    let isee = dir.join("isee.csv");
    let kept = std::fs::read(&isee).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(&isee).unwrap_or_else(|e| panic!("{e}"));
    let out = run_cmd(&dir, NEW_DAY)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(differing(&before, &outputs(&dir)), Vec::<String>::new());
    assert_eq!(leftovers(&dir), Vec::<String>::new());
    std::fs::write(&isee, kept).unwrap_or_else(|e| panic!("{e}"));

    // links.csv's place taken by a folder: refused before the commit.
    let links = dir.join("master/links.csv");
    std::fs::remove_file(&links).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(&links).unwrap_or_else(|e| panic!("{e}"));
    let out = run_cmd(&dir, NEW_DAY)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("it is a folder"), "{stderr}");
    let mut expected = before.clone();
    expected.remove("master/links.csv");
    assert_eq!(differing(&expected, &outputs(&dir)), Vec::<String>::new());
    assert_eq!(leftovers(&dir), Vec::<String>::new());
}

fn copy_back(snapshot: &BTreeMap<String, Vec<u8>>, dir: &Path, prefix: &str) {
    for (name, bytes) in snapshot.iter().filter(|(n, _)| n.starts_with(prefix)) {
        std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_second_run_is_refused_while_the_first_holds_the_lock() {
    let tmp = scratch();
    let dir = tmp.path().join("city");
    city(&dir);
    let before = outputs(&dir);
    let mut first = run_cmd(&dir, NEW_DAY)
        .env("VAGLIO_TEST_PAUSE_AT", "staged")
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let holder = format!("process {}", first.id());
    let lock = dir.join("master/.vaglio.lock");
    let start = Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains(&holder)) {
        assert!(start.elapsed() < Duration::from_secs(60), "no lock taken");
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = run_cmd(&dir, OLD_DAY)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = first.kill();
    let _ = first.wait();
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains(&holder), "{stderr}");
    assert!(stderr.contains("vaglio run"), "{stderr}");
    assert!(stderr.contains("vaglio::lock::held"), "{stderr}");
    // The first was killed holding the lock: the lock went with it.
    assert_eq!(differing(&before, &outputs(&dir)), Vec::<String>::new());
    run_ok(&dir, OLD_DAY);
    assert_eq!(differing(&before, &outputs(&dir)), Vec::<String>::new());
    assert_eq!(leftovers(&dir), Vec::<String>::new());
}

fn against(dir: &Path) -> std::process::Output {
    Command::new(assert_cmd::cargo::cargo_bin("vaglio"))
        .arg("link")
        .arg("--against")
        .arg(dir.join("master"))
        .args(["--today", OLD_DAY, "--quiet", "--source", "isee"])
        .arg(dir.join("isee.csv"))
        .env("VAGLIO_KEY", KEY)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_output_records_its_run_and_against_refuses_a_mixed_master() {
    let tmp = scratch();
    let (dir, other) = (tmp.path().join("city"), tmp.path().join("other"));
    city(&dir);
    copy_dir(&dir, &other);
    // Another day and another key: other links (pseudonyms), another id.
    let out = run_cmd(&other, NEW_DAY)
        .env("VAGLIO_KEY", "another-key-0123456789abcdef0123456789")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let conn = rusqlite::Connection::open(dir.join("master/datamart.sqlite"))
        .unwrap_or_else(|e| panic!("{e}"));
    let meta = |k: &str| -> String {
        conn.query_row("SELECT valore FROM metadata WHERE chiave = ?1", [k], |r| {
            r.get(0)
        })
        .unwrap_or_else(|e| panic!("{k}: {e}"))
    };
    let run = meta("esecuzione");
    assert_eq!(run.len(), 16);
    for source in ["anagrafe", "refezione", "isee"] {
        let s = summary(&dir.join("reports").join(source));
        assert_eq!(s["run"].as_str(), Some(run.as_str()), "{source}");
    }
    let index =
        std::fs::read_to_string(dir.join("reports/index.html")).unwrap_or_else(|e| panic!("{e}"));
    assert!(index.contains(&run));
    // Each source's page links back to the run's.
    let page = std::fs::read_to_string(dir.join("reports/isee/index.html"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(page.contains("<a href=\"../index.html\">"), "{page}");
    use sha2::Digest;
    let links = std::fs::read(dir.join("master/links.csv")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        meta("sha256:links.csv"),
        format!("{:x}", sha2::Sha256::digest(&links))
    );
    // The same inputs, key and day: the same id.
    let copy = tmp.path().join("copy");
    copy_dir(&dir, &copy);
    run_ok(&copy, OLD_DAY);
    assert_eq!(summary(&copy.join("reports/isee"))["run"], run.as_str());
    // Another day: another id.
    let other_run = summary(&other.join("reports/isee"))["run"].clone();
    assert_ne!(other_run, run.as_str());

    assert_eq!(against(&dir).status.code(), Some(0));
    // links.csv of another run beside this datamart: refused.
    std::fs::copy(other.join("master/links.csv"), dir.join("master/links.csv"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = against(&dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("vaglio::against::mixed"), "{stderr}");
    // A reused source's summary.json of another run: refused too. (Not
    // refezione's: its cross-source checks read isee, so it is checked and
    // linked again with the new isee delivery, not reused.)
    std::fs::copy(copy.join("master/links.csv"), dir.join("master/links.csv"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        other.join("reports/servizi_sociali/summary.json"),
        dir.join("reports/servizi_sociali/summary.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = against(&dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("servizi_sociali"), "{stderr}");
    assert!(stderr.contains("vaglio::against::mixed"), "{stderr}");
}
