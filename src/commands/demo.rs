//! `vaglio demo`: generate the synthetic city, check every source with its
//! rule file, summarise.

use std::path::Path;
use std::time::Instant;

use miette::IntoDiagnostic;

use crate::cli::DemoArgs;
use crate::demo;
use crate::link::Status;
use crate::master::pseudonym;
use crate::output::write_atomic;
use crate::pipeline::{self, RunOptions};
use crate::project;

use super::Outcome;

/// Runs `vaglio demo`.
pub fn run(args: &DemoArgs) -> miette::Result<Outcome> {
    let lang = args.lang.parse()?;
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
    let city = demo::generate_delivery(&config, args.delivery, &args.out)?;
    let generated = started.elapsed();
    let date = demo::delivery::date(demo::reference_date(), args.delivery);
    let today = date.format("%Y-%m-%d").to_string();
    // The project file and the demo key, then the same pipeline as
    // `vaglio run`.
    let project_path = args.out.join("vaglio.toml");
    write_atomic(&project_path, DEMO_PROJECT.as_bytes())?;
    write_atomic(
        &args.out.join("demo.key"),
        format!("{}\n", pseudonym::DEMO_KEY).as_bytes(),
    )?;
    super::set_jobs(args.jobs)?;
    let project = project::load(&project_path)?;
    let result = pipeline::run(
        &project,
        &RunOptions {
            decisions: None,
            pseudonyms: true,
            show_pii: false,
            today: date,
            progress: false,
            against: None,
            lang,
        },
    )?;
    let outcome = if result.gate_failed {
        Outcome::GateFailed
    } else {
        Outcome::Passed
    };
    // The anagrafe, the register, then the extracts.
    let mut names: Vec<&'static str> = city.sources.iter().map(|s| s.name).collect();
    names.insert(1.min(names.len()), "stradario");
    let mut lines = Vec::new();
    for name in names {
        lines.push(summarise(name, &project.reports.join(name))?);
    }
    let checked = started.elapsed();
    // Score the links (plain identifiers, in memory) against the truth files.
    let links_path = project.master.join("links.csv");
    let mut linked = Vec::new();
    for s in result.sources.iter().filter(|s| s.linked) {
        let truth =
            crate::link::eval::read_truth(&args.out.join("truth").join(format!("{}.csv", s.name)))?;
        let records: Vec<crate::link::eval::LinkRecord> = s
            .links
            .iter()
            .map(|r| crate::link::eval::LinkRecord {
                source: s.name.clone(),
                row: r.row,
                person: r.person.clone().unwrap_or_default(),
                status: r.status.name().to_string(),
                tier: r.tier.to_string(),
                probability: r.probability,
            })
            .collect();
        let scores = crate::link::eval::evaluate(&truth, &records, None);
        linked.push((
            s.name.clone(),
            s.count(Status::Match),
            s.count(Status::Review),
            s.count(Status::Unmatched),
            scores,
        ));
    }
    let cross = demo::cross::score(&project.reports, &args.out.join("truth"))?;
    let total = started.elapsed();
    if !args.quiet {
        let mut t = format!(
            "vaglio demo: a synthetic city of {} residents in {} families (seed {}), written to {}\n\n",
            city.residents,
            city.families,
            args.seed,
            args.out.display()
        );
        if args.delivery > 0 {
            t.insert_str(
                t.len() - 1,
                &format!(
                    "Delivery {} of the same city, dated {today}: its history is {}\n",
                    args.delivery,
                    project.history_file().display()
                ),
            );
        }
        t.push_str(&format!(
            "  {:<18} {:>8} {:>9}  {:<7} most frequent findings\n",
            "source", "rows", "findings", "gate"
        ));
        for l in &lines {
            t.push_str(&format!(
                "  {:<18} {:>8} {:>9}  {:<7} {}\n",
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
            "\n  {:<18} {:>8} {:>10} {:>8} {:>8} {:>8}   (matched to stradario.csv)\n",
            "addresses", "civic", "normalised", "street", "none", "placed"
        ));
        for l in &lines {
            if let Some([c, n, st, no, placed]) = l.addresses {
                t.push_str(&format!(
                    "  {:<18} {c:>8} {n:>10} {st:>8} {no:>8} {placed:>8}\n",
                    l.name
                ));
            }
        }
        t.push_str(&format!(
            "\n  {:<18} {:>8} {:>8} {:>9}  {:>9} {:>7} {:>7}   (against the truth files)\n",
            "linked", "match", "review", "unmatched", "precision", "recall", "F1"
        ));
        for (name, m, r, u, sc) in &linked {
            t.push_str(&format!(
                "  {:<18} {:>8} {:>8} {:>9}  {:>9.4} {:>7.4} {:>7.4}\n",
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
            "\n  {:<26} {:<14} {:>7} {:>8}  {:>9} {:>7}   (against the truth files)\n",
            "cross-source check", "source", "flagged", "labelled", "precision", "recall"
        ));
        for c in &cross {
            t.push_str(&format!(
                "  {:<26} {:<14} {:>7} {:>8}  {:>9.4} {:>7.4}\n",
                c.check,
                c.source,
                c.flagged,
                c.labelled,
                c.precision(),
                c.recall()
            ));
        }
        let reports = args.out.join("reports");
        t.push_str(&format!(
            "\nReports:     {} (the run: every source, its linkage, the inputs' hashes)\n             {}/<source>/ (index.html, findings.csv, summary.json, junit.xml)\n",
            reports.join("index.html").display(),
            reports.display()
        ));
        t.push_str(&format!(
            "Links:       {} (one row per extract record: person pseudonym, status, tier, weight, probability)\n",
            links_path.display()
        ));
        t.push_str(&format!(
            "Datamart:    {} (individui, famiglie, collegamenti, servizi, fragilita, aree, redditi, riscossione, graduatorie, one table per source, metadata)\n",
            project.master.join("datamart.sqlite").display()
        ));
        t.push_str(&format!(
            "             the same tables as {}/<table>.parquet, described by {} (a Frictionless Data Package)\n",
            project.master.join("parquet").display(),
            project.master.join("datapackage.json").display()
        ));
        t.push_str(&format!(
            "Review:      {} ({} {} to decide)\n",
            project.review.join("queue.csv").display(),
            result.queued,
            if result.queued == 1 { "pair" } else { "pairs" }
        ));
        t.push_str(&format!(
            "Project:     {} (again: vaglio run {}; the key is the demo's public demo.key)\n",
            project_path.display(),
            project_path.display()
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
            "Time:        {:.1} s (generation {:.1} s, run: checks, linkage, datamart {:.1} s)\n",
            total.as_secs_f64(),
            generated.as_secs_f64(),
            (checked - generated).as_secs_f64()
        ));
        super::print(&t)?;
    }
    if args.open {
        super::open_report(&project.reports.join("index.html"));
    }
    Ok(outcome)
}

/// The demo city's project file, written as `DIR/vaglio.toml`.
pub const DEMO_PROJECT: &str = r#"# The vaglio demo city: `vaglio run vaglio-demo/vaglio.toml` checks the
# anagrafe and the eight extracts, links every extract record to a resident,
# and writes reports/, master/ (links.csv, datamart.sqlite) and review/.

[anagrafe]
file = "anagrafe.csv"
rules = "rules/anagrafe.toml"
family = "ID_FAMIGLIA"
citizenship = "CITTADINANZA"
relation = "RELAZIONE_PARENTELA"
area = "QUARTIERE"

# The civic-number register: every address of the anagrafe and of the
# extracts whose rule file has an [address] section is matched to it, and
# placed in an area statistica, a zona and a quartiere (datamart: `aree`).
[stradario]
file = "stradario.csv"
rules = "rules/stradario.toml"

[[sources]]
name = "refezione"
owner = "scuola"
file = "refezione.csv"
rules = "rules/refezione.toml"
isee_column = "VALORE_ISEE"
# the paying parent identifies a person too: rules/refezione.toml says
# `datamart = "pseudonymise"` for CF_PAGANTE and "drop" for the names

[[sources]]
name = "servizi_sociali"
owner = "sociali"
file = "servizi_sociali.csv"
rules = "rules/servizi_sociali.toml"

[[sources]]
name = "erp_inquilini"
owner = "casa"
file = "erp_inquilini.sqlite"
rules = "rules/erp_inquilini.toml"
drop_columns = ["INDIRIZZO"]

[[sources]]
name = "isee"
owner = "isee"
file = "isee.csv"
rules = "rules/isee.toml"
isee_column = "VALORE_ISEE"
# the DSU protocol identifies the declarant: dropped, and pseudonymised
# where it is the record key
drop_columns = ["PROTOCOLLO_DSU"]

[[sources]]
name = "riscossione_scuola"
owner = "scuola"
file = "riscossione_scuola.csv"
rules = "rules/riscossione_scuola.toml"
# the person is the payer; the child's code is pseudonymised
# (rules/riscossione_scuola.toml); billed, paid and arrears per family
# and service go to the datamart's `riscossione` ([facts])

[[sources]]
name = "irpef"
owner = "tributi"
file = "irpef.csv"
rules = "rules/irpef.toml"
# the code is the only identity; incomes per person and year go to the
# datamart's `redditi` ([facts])

[[sources]]
name = "graduatoria_erp"
owner = "casa"
file = "graduatoria_erp.txt"
rules = "rules/graduatoria_erp.toml"
# positions and scores per applicant family go to `graduatorie` ([facts])

[[sources]]
name = "assegnazioni_erp"
owner = "casa"
file = "assegnazioni_erp.sqlite"
rules = "rules/assegnazioni_erp.toml"
# each assignment is a housing service of `servizi` ([datamart])

# Who owns each source: `vaglio run` writes each owner a bundle of only its
# sources' reports (reports/owners/<id>/), and the run's index lists them.
# The contacts are offices' mailboxes; `notify` goes only into the bundle's
# owner.json, for whatever sends it.
[owners.scuola]
office = "Area Educazione e Scuola - refezione e rette"
contact = "scuola@comune.example.it"
notify = ["qualita.dati@comune.example.it"]

[owners.sociali]
office = "Servizi sociali territoriali"
contact = "servizi.sociali@comune.example.it"

[owners.casa]
office = "Casa - edilizia residenziale pubblica"
contact = "erp@comune.example.it"

[owners.isee]
office = "Sportello ISEE"
contact = "isee@comune.example.it"

[owners.tributi]
office = "Tributi - redditi IRPEF"
contact = "tributi@comune.example.it"

[output]
reports = "reports"
master = "master"
review = "review"
history = "history"

[privacy]
key_env = "VAGLIO_KEY"
# DEMO ONLY: demo.key holds vaglio's public demo key, so that the demo runs
# out of the box. A real project keeps its key outside the project folder
# and the data (an environment variable, or a key file only its owner reads).
key_file = "demo.key"
"#;

struct Line {
    name: &'static str,
    rows: u64,
    findings: u64,
    gate: String,
    top: Vec<String>,
    /// Addresses per match level (civic, normalised, street, none) and
    /// placed in an area, when the table has addresses.
    addresses: Option<[u64; 5]>,
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
    let a = &src["addresses"];
    let addresses = a.is_object().then(|| {
        ["civic", "civic_normalised", "street", "none", "placed"]
            .map(|k| a[k].as_u64().unwrap_or(0))
    });
    Ok(Line {
        name,
        addresses,
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
