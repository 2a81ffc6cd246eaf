//! `vaglio demo`: generate the synthetic city, check every source with its
//! rule file, summarise.

use std::path::Path;
use std::time::Instant;

use miette::IntoDiagnostic;

use crate::cli::{CheckArgs, CommonArgs, DemoArgs, FailOn, Format};
use crate::demo;

use super::Outcome;

/// Runs `vaglio demo`.
pub fn run(args: &DemoArgs) -> miette::Result<Outcome> {
    if args.residents == 0 {
        miette::bail!(
            code = "vaglio::args::residents",
            help = "use --residents 1 or more (default 5000)",
            "--residents must be at least 1"
        );
    }
    let started = Instant::now();
    let config = demo::Config {
        residents: args.residents,
        seed: args.seed,
    };
    let city = demo::generate(&config, &args.out)?;
    let generated = started.elapsed();
    let today = demo::reference_date().format("%Y-%m-%d").to_string();
    let mut outcome = Outcome::Passed;
    let mut lines = Vec::new();
    for s in &city.sources {
        let out = args.out.join("reports").join(s.name);
        let check = CheckArgs {
            files: vec![s.file.clone()],
            rules: Some(s.rules.clone()),
            out: out.clone(),
            format: Format::Text,
            fail_on: FailOn::Error,
            baseline: None,
            regression_tolerance: 0.5,
            infer: false,
            examples: 5,
            lang: "it".into(),
            common: CommonArgs {
                quiet: true,
                jobs: args.jobs,
                show_pii: false,
                today: Some(today.clone()),
            },
        };
        if super::check::run(&check)? == Outcome::GateFailed {
            outcome = Outcome::GateFailed;
        }
        lines.push(summarise(s.name, &out)?);
    }
    // Link every extract to the anagrafe and score the links against the
    // truth files.
    let checked = started.elapsed();
    let anagrafe = city
        .sources
        .first()
        .ok_or_else(|| miette::miette!("the demo city has no anagrafe"))?;
    let links_path = args.out.join("master").join("links.csv");
    let mut linked = Vec::new();
    for s in city.sources.iter().skip(1) {
        let l = super::link::run_linkage(
            &s.file,
            &s.rules,
            &anagrafe.file,
            &anagrafe.rules,
            Some(&today),
            None,
        )?;
        let rows = super::link::link_rows(&l);
        super::link::write_links(&links_path, &l.source, rows)?;
        let truth =
            crate::link::eval::read_truth(&args.out.join("truth").join(format!("{}.csv", s.name)))?;
        let records: Vec<crate::link::eval::LinkRecord> =
            crate::link::eval::read_links(&links_path)?
                .into_iter()
                .filter(|r| r.source == l.source)
                .collect();
        let scores = crate::link::eval::evaluate(&truth, &records, None);
        let count = |status: &str| records.iter().filter(|r| r.status == status).count();
        linked.push((
            s.name,
            count("match"),
            count("review"),
            count("unmatched"),
            scores,
        ));
    }
    let total = started.elapsed();
    if !args.quiet {
        let mut t = format!(
            "vaglio demo: a synthetic city of {} residents in {} families (seed {}), written to {}\n\n",
            city.residents,
            city.families,
            args.seed,
            args.out.display()
        );
        t.push_str(&format!(
            "  {:<16} {:>8} {:>9}  {:<7} most frequent findings\n",
            "source", "rows", "findings", "gate"
        ));
        for l in &lines {
            t.push_str(&format!(
                "  {:<16} {:>8} {:>9}  {:<7} {}\n",
                l.name,
                l.rows,
                l.findings,
                l.gate,
                if l.top.is_empty() {
                    "-".to_owned()
                } else {
                    l.top.join(", ")
                }
            ));
        }
        let findings: u64 = lines.iter().map(|l| l.findings).sum();
        t.push_str(&format!(
            "\n{findings} findings. The extracts contain errors on purpose (a few percent per kind);\n\
             the demo's rule files tolerate them, so the gate {}.\n",
            if outcome == Outcome::Passed {
                "passes"
            } else {
                "FAILED (more errors than the demo's rule files tolerate)"
            }
        ));
        t.push_str(&format!(
            "\n  {:<16} {:>8} {:>8} {:>9}  {:>9} {:>7} {:>7}   (against the truth files)\n",
            "linked", "match", "review", "unmatched", "precision", "recall", "F1"
        ));
        for (name, m, r, u, sc) in &linked {
            t.push_str(&format!(
                "  {:<16} {:>8} {:>8} {:>9}  {:>9.4} {:>7.4} {:>7.4}\n",
                name,
                m,
                r,
                u,
                sc.precision(),
                sc.recall(),
                sc.f1()
            ));
        }
        t.push_str(&format!(
            "\nReports:     {}/<source>/ (index.html, findings.csv, summary.json, junit.xml)\n",
            args.out.join("reports").display()
        ));
        t.push_str(&format!(
            "Links:       {} (one row per extract record: person, status, tier, weight, probability)\n",
            links_path.display()
        ));
        t.push_str(&format!(
            "Truth:       {}/<extract>.csv (the injected errors, row by row)\n",
            args.out.join("truth").display()
        ));
        t.push_str(&format!(
            "Try:         vaglio check --today {today} --rules {} {}\n",
            args.out.join("rules").join("refezione.toml").display(),
            args.out.join("refezione.csv").display()
        ));
        t.push_str(&format!(
            "Time:        {:.1} s (generation {:.1} s, checks {:.1} s, linkage {:.1} s)\n",
            total.as_secs_f64(),
            generated.as_secs_f64(),
            (checked - generated).as_secs_f64(),
            (total - checked).as_secs_f64()
        ));
        use std::io::Write;
        let _ = std::io::stdout().lock().write_all(t.as_bytes());
    }
    Ok(outcome)
}

struct Line {
    name: &'static str,
    rows: u64,
    findings: u64,
    gate: String,
    top: Vec<String>,
}

/// One source's line, from the summary.json the check wrote.
fn summarise(name: &'static str, out: &Path) -> miette::Result<Line> {
    let text = std::fs::read_to_string(out.join("summary.json")).into_diagnostic()?;
    let v: serde_json::Value = serde_json::from_str(&text).into_diagnostic()?;
    let src = &v["sources"][0];
    let mut checks: Vec<(String, u64)> = src["checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    let failed = c["failed"].as_u64()?;
                    (failed > 0).then(|| (c["id"].as_str().unwrap_or("?").to_owned(), failed))
                })
                .collect()
        })
        .unwrap_or_default();
    let findings = checks.iter().map(|(_, n)| n).sum();
    checks.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Line {
        name,
        rows: src["rows"].as_u64().unwrap_or(0),
        findings,
        gate: src["gate"].as_str().unwrap_or("?").to_owned(),
        top: checks
            .iter()
            .take(3)
            .map(|(id, n)| format!("{id} {n}"))
            .collect(),
    })
}
