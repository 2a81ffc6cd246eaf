//! The HTML report: present, self-contained, in both languages, and
//! rendered by a real browser without errors.

use std::process::Command as Process;

use crate::util::*;

fn report(lang: &str) -> (tempfile::TempDir, String) {
    let out = scratch();
    check_cmd(
        &root().join("rules/refezione.toml"),
        &fixtures().join("check/refezione.csv"),
        out.path(),
    )
    .arg("--lang")
    .arg(lang)
    .assert()
    .code(1);
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap_or_default();
    (out, html)
}

#[test]
fn self_contained_with_every_section() {
    let (_out, html) = report("it");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for needle in [
        "<html lang=\"it\">",
        "Rapporto di qualità dei dati",
        "Controllo NON superato",
        "Panoramica",
        "Profilo dei campi",
        "Controlli",
        "cf-alunno-coerente",
        "<svg",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    for forbidden in ["http://", "https://", "<link ", "src=\""] {
        assert!(
            !html.contains(forbidden),
            "the report must load nothing: found {forbidden}"
        );
    }
    let (_out, en) = report("en");
    assert!(
        en.contains("<html lang=\"en\">")
            && en.contains("Data quality report")
            && en.contains("Field profile")
    );
}

#[test]
fn baseline_changes_are_shown() {
    let (out, _) = report("en");
    let base = out.path().join("summary.json");
    let now = out.path().join("now");
    let worse = out.path().join("refezione.csv");
    let text = std::fs::read_to_string(fixtures().join("check/refezione.csv")).unwrap_or_default();
    std::fs::write(&worse, text.replace(";REF;RSSMRA15A01A944U;", ";REF;;"))
        .unwrap_or_else(|e| panic!("{e}"));
    check_cmd(&root().join("rules/refezione.toml"), &worse, &now)
        .args(["--lang", "en", "--baseline"])
        .arg(&base)
        .assert()
        .code(1);
    let html = std::fs::read_to_string(now.join("index.html")).unwrap_or_default();
    assert!(
        html.contains("Change against the previous delivery"),
        "{html}"
    );
    assert!(html.contains("field:CF_ALUNNO"), "{html}");
}

/// Finds Chromium; in CI (`CI` set) it must be there, since `.ci/run`
/// installs it.
fn chromium() -> Option<&'static str> {
    for bin in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if std::path::Path::new(bin).exists() {
            return Some(bin);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have Chromium: .ci/run installs it"
    );
    eprintln!("skipping: Chromium is not installed (apt-get install chromium)");
    None
}

#[test]
fn renders_in_headless_chromium_without_errors() {
    let Some(bin) = chromium() else { return };
    let (out, _) = report("it");
    let page = format!("file://{}", out.path().join("index.html").display());
    let profile = out.path().join("chromium-profile");
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let dom = Process::new(bin)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(
        dom_text.contains("data-ready=\"1\""),
        "the inline script did not run to the end: {log}"
    );
    for line in log.lines() {
        assert!(
            !line.contains("CONSOLE") && !line.contains("Uncaught"),
            "console message: {line}"
        );
    }
    for section in ["Panoramica", "Profilo dei campi", "Controlli"] {
        assert!(dom_text.contains(section), "{section} not rendered");
    }
    let shot = out.path().join("report.png");
    let status = Process::new(bin)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--window-size=1280,1600")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let png = std::fs::read(&shot).unwrap_or_default();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "screenshot written"
    );
}
