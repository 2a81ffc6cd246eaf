//! Replays the fuzz corpus with plain `cargo test` (no cargo-fuzz): every
//! seed (`fuzz/seeds/<target>/`) and every input that once crashed a target
//! (`fuzz/regressions/<target>/`) goes through the same body the fuzzer
//! runs, `vaglio::fuzzing::<target>`, and must not panic.

use std::panic;
use std::path::Path;

use crate::util::root;

/// The files of `dir` (none when it does not exist), sorted.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// Runs `body` on every file of `dir`, returning the files that panicked.
fn replay(body: fn(&[u8]), dir: &Path) -> (usize, Vec<String>) {
    let mut failed = Vec::new();
    let all = files(dir);
    for path in &all {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if panic::catch_unwind(|| body(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    (all.len(), failed)
}

#[test]
fn seeds_and_regressions_do_not_panic() {
    let fuzz = root().join("fuzz");
    let mut failed = Vec::new();
    for (name, body) in vaglio::fuzzing::TARGETS {
        let (seeds, mut f) = replay(*body, &fuzz.join("seeds").join(name));
        assert!(
            seeds > 0,
            "no seeds for fuzz target {name} in fuzz/seeds/{name}/"
        );
        failed.append(&mut f);
        let (_, mut f) = replay(*body, &fuzz.join("regressions").join(name));
        failed.append(&mut f);
    }
    assert!(failed.is_empty(), "panicked on: {failed:#?}");
}

#[test]
fn every_regression_folder_is_a_target() {
    let targets: Vec<&str> = vaglio::fuzzing::TARGETS.iter().map(|t| t.0).collect();
    let Ok(entries) = std::fs::read_dir(root().join("fuzz/regressions")) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            assert!(
                targets.contains(&name.as_str()),
                "fuzz/regressions/{name} is no target"
            );
        }
    }
}

#[test]
fn every_target_has_a_cargo_fuzz_entry() {
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml"))
        .unwrap_or_else(|e| panic!("fuzz/Cargo.toml: {e}"));
    for (name, _) in vaglio::fuzzing::TARGETS {
        let target = root().join(format!("fuzz/fuzz_targets/{name}.rs"));
        let body = std::fs::read_to_string(&target)
            .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        assert!(
            body.contains(&format!("vaglio::fuzzing::{name}(")),
            "{name}.rs"
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "{name} in fuzz/Cargo.toml"
        );
    }
}
