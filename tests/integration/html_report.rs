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

/// A demo city of 1500 residents run through `vaglio demo` (the pipeline
/// of `vaglio run`) into a scratch folder: its reports carry the linkage.
fn demo_city() -> tempfile::TempDir {
    let dir = scratch();
    crate::util::demo_city(dir.path(), 1500, 3);
    dir
}

/// The headings of the linkage section, in Italian.
const LINKAGE_SECTIONS: [&str; 6] = [
    "Collegamento all",
    "Esito per criterio",
    "Distribuzione dei pesi di corrispondenza",
    "Parametri del modello",
    "Come si forma un punteggio (esempi)",
    "Motivi del mancato collegamento",
];

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
    // Descriptions vaglio writes are in Italian.
    assert!(html.contains("CF_ALUNNO deve avere un valore"));
    assert!(!html.contains(" must "), "an English description is left");
    // `vaglio check` does not link: no linkage section, no suppression note.
    assert!(!html.contains("Esito per criterio"));
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
            && en.contains("CF_ALUNNO must not be empty")
    );
}

fn num(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn linked_sources_have_a_linkage_section_and_the_run_an_index() {
    let dir = demo_city();
    let reports = dir.path().join("reports");
    let sources = ["refezione", "servizi_sociali", "erp_inquilini", "isee"];
    for source in sources {
        let out = reports.join(source);
        let html = std::fs::read_to_string(out.join("index.html")).unwrap_or_default();
        for needle in LINKAGE_SECTIONS {
            assert!(html.contains(needle), "{source}: missing {needle}");
        }
        assert!(
            html.contains("pari a 1 o 2"),
            "{source}: the suppression note"
        );
        if matches!(source, "refezione" | "isee") {
            // The rows beyond the examples are in findings.csv, which a
            // page forwarded alone does not carry: the page says so.
            assert!(
                html.contains("non viaggia con la pagina inoltrata da sola"),
                "{source}"
            );
        }
        let s = summary(&out);
        let l = &s["sources"][0]["linkage"];
        let records = num(&l["records"]);
        assert!(records > 0, "{source}: {l}");
        assert_eq!(
            num(&l["matched"]) + num(&l["review"]) + num(&l["unmatched"]),
            records
        );
        let tiers: u64 = l["by_tier"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|t| num(&t["matched"]) + num(&t["review"]) + num(&t["unmatched"]))
                    .sum()
            })
            .unwrap_or(0);
        assert_eq!(tiers, records, "{source}: every record in one tier");
        let binned: u64 = l["weights"]["bins"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|b| num(&b["matched"]) + num(&b["review"]) + num(&b["unmatched"]))
                    .sum()
            })
            .unwrap_or(0);
        assert_eq!(binned + num(&l["weights"]["without_weight"]), records);
        let examples = l["examples"].as_array().cloned().unwrap_or_default();
        assert!(!examples.is_empty(), "{source}: no example");
        for e in examples {
            let steps = e["score"]["steps"].as_array().cloned().unwrap_or_default();
            assert_eq!(
                steps.first().map(|s| s["name"].clone()),
                Some("prior".into())
            );
            let sum: f64 = steps.iter().filter_map(|s| s["weight"].as_f64()).sum();
            let w = e["score"]["weight"].as_f64().unwrap_or(f64::NAN);
            assert!(
                (sum - w).abs() < 1e-6,
                "{source}: steps add to {sum}, weight {w}"
            );
        }
        assert!(l["masked"].as_bool().unwrap_or(false));
        let reasons: u64 = l["reasons"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| num(&r["review"]) + num(&r["unmatched"]))
                    .sum()
            })
            .unwrap_or(0);
        assert_eq!(reasons, num(&l["review"]) + num(&l["unmatched"]));
    }
    // The anagrafe is checked, not linked.
    let ana = summary(&reports.join("anagrafe"));
    assert!(ana["sources"][0].get("linkage").is_none());
    // The run's index links every source's page and lists the files read.
    let index = std::fs::read_to_string(reports.join("index.html")).unwrap_or_default();
    for source in sources.iter().chain(&["anagrafe"]) {
        assert!(
            index.contains(&format!("href=\"{source}/index.html\"")),
            "index: no link to {source}"
        );
    }
    assert!(index.contains("SHA-256") && index.contains("progetto"));
    let project = std::fs::read(dir.path().join("vaglio.toml")).unwrap_or_default();
    let digest: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&project)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert!(index.contains(&digest), "the project file's SHA-256");
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
    // A page with the linkage section, and the run's index.
    let city = demo_city();
    for (page, sections) in [
        (
            city.path().join("reports/refezione/index.html"),
            &LINKAGE_SECTIONS[..],
        ),
        (
            city.path().join("reports/index.html"),
            &["Fonti", "SHA-256"][..],
        ),
    ] {
        let dom = Process::new(bin)
            .args(common)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--dump-dom")
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
        let dom_text = String::from_utf8_lossy(&dom.stdout);
        let log = String::from_utf8_lossy(&dom.stderr);
        for line in log.lines() {
            assert!(
                !line.contains("CONSOLE") && !line.contains("Uncaught"),
                "{}: console message: {line}",
                page.display()
            );
        }
        for section in sections {
            assert!(
                dom_text.contains(section),
                "{}: {section} not rendered",
                page.display()
            );
        }
        assert!(dom_text.contains("</svg>") || sections.len() == 2);
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

/// A page that loads `report` in a frame `width` pixels wide, opens every
/// "examples" block, and writes what overflows into `<pre id="layout">`.
fn layout_probe(report: &std::path::Path, widths: &[u32]) -> String {
    let src = format!("file://{}", report.display());
    format!(
        r#"<!DOCTYPE html><html><body><pre id="layout">running</pre>
<script>
const widths = {widths:?};
const out = [];
function probe(i) {{
  if (i >= widths.length) {{ document.getElementById('layout').textContent = out.join('\n'); return; }}
  const w = widths[i];
  const f = document.createElement('iframe');
  f.style.width = w + 'px'; f.style.height = '900px'; f.style.border = '0';
  f.onload = () => {{
    const d = f.contentDocument;
    d.querySelectorAll('details').forEach(x => x.open = true);
    const page = d.documentElement.scrollWidth;
    let worst = 0, narrow = 0, least = 99999;
    d.querySelectorAll('table.sortable').forEach(t => {{
      const r = t.getBoundingClientRect();
      worst = Math.max(worst, Math.round(r.right));
    }});
    d.querySelectorAll('table.examples td:nth-child(2)').forEach(td => {{
      const cw = td.getBoundingClientRect().width;
      least = Math.min(least, Math.round(cw));
      if (cw < 120) narrow++;
    }});
    // Sorted by rate, each row of examples stays under its check.
    d.querySelectorAll('table.checks thead th')[7].click();
    let stray = 0;
    d.querySelectorAll('tr.ex').forEach(x => {{
      const p = x.previousElementSibling;
      if (!p || p.dataset.check !== x.dataset.for) stray++;
    }});
    out.push(w + ' page=' + page + ' tables=' + worst + ' narrow=' + narrow + ' least=' + least + ' stray=' + stray + ' ex=' + d.querySelectorAll('tr.ex').length);
    f.remove();
    probe(i + 1);
  }};
  f.src = {src:?};
  document.body.appendChild(f);
}}
probe(0);
</script></body></html>"#
    )
}

#[test]
fn the_report_holds_its_layout_with_examples_open_from_1024_to_1920_px() {
    let Some(bin) = chromium() else { return };
    let (out, _) = report("it");
    let probe = out.path().join("probe.html");
    let widths = [1024, 1366, 1600, 1920];
    std::fs::write(
        &probe,
        layout_probe(&out.path().join("index.html"), &widths),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let dom = Process::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--virtual-time-budget=20000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            out.path().join("chromium-layout").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", probe.display()))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    let dom = String::from_utf8_lossy(&dom.stdout);
    let result = dom
        .split("<pre id=\"layout\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_default();
    let lines: Vec<&str> = result.lines().collect();
    assert_eq!(lines.len(), widths.len(), "{dom}");
    for (line, w) in lines.iter().zip(widths) {
        let field = |name: &str| -> u32 {
            line.split(&format!("{name}="))
                .nth(1)
                .and_then(|v| v.split(' ').next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(u32::MAX)
        };
        assert!(
            field("page") <= w,
            "{line}: the page is wider than the window"
        );
        assert!(field("tables") <= w, "{line}: a table runs off the screen");
        assert_eq!(field("narrow"), 0, "{line}: messages squeezed");
        assert_eq!(
            field("stray"),
            0,
            "{line}: examples separated from their check"
        );
        assert!((1..u32::MAX).contains(&field("ex")), "{line}: no examples");
    }
}
