//! The whole job as a library call: validate the anagrafe and every source,
//! link each source, apply the reviewers' decisions, and write the reports,
//! `master/links.csv`, `master/datamart.sqlite` and `review/queue.csv`.
//!
//! | module | what |
//! |---|---|
//! | [`source`] | a source's cells, values parsed with its declared formats, file hashes |
//! | [`residents`] | the residents as the datamart describes them, read in one streaming pass |
//! | [`tables`] | the datamart's tables, links.csv and the review queue, rows produced while written |
//! | [`previous`] | the last master, for `vaglio link --against` |
//!
//! The anagrafe is read and normalised for linking once, and every source
//! is linked to that copy. Deterministic: sources in project order, records
//! in row order, no clock but the run's date; the same inputs, key and date
//! give byte-identical files whatever the number of threads.

mod previous;
mod residents;
mod source;
mod tables;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use miette::miette;

pub use self::previous::Against;
pub use self::residents::{age_band, citizenship_group};
use self::source::{shown, Digests, Raw};
use self::tables::Master;
use crate::link::spec::{self, LinkSpec};
use crate::link::{self, LinkJob, LinkRow, Status};
use crate::master::datamart::{self, Table};
use crate::master::pseudonym::{self, Pseudonymizer};
use crate::master::review::{self, Decisions, Verdict};
use crate::output::write_atomic;
use crate::project::Project;
use crate::report::findings::FindingsWriter;
use crate::report::html::Lang;
use crate::report::linkage::LinkageReport;
use crate::report::run_index::{self, FileDigest, IndexEntry, RunMetadata};
use crate::report::{baseline, write_source_reports};
use crate::rules::{self, DatamartColumn, RuleSet, Severity};
use crate::validate::{validate, SourceOutcome, ValidateOptions};
use rusqlite::types::Value as Sql;

/// The tier recorded for a reviewer's decision.
pub const TIER_DECISION: &str = "decision";

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// A decisions file (`accept` / `reject` per source and row).
    pub decisions: Option<PathBuf>,
    /// Pseudonymise identifiers (off only with `--no-pseudonyms`).
    pub pseudonyms: bool,
    /// Show personal data in reports and the review queue.
    pub show_pii: bool,
    /// The run's date.
    pub today: NaiveDate,
    /// One progress display on standard error (only on a terminal).
    pub progress: bool,
    /// Link one source again against the last master, reusing the other
    /// sources' links (`vaglio link --against`).
    pub against: Option<Against>,
}

/// What happened to one source (the anagrafe first).
#[derive(Clone, Debug)]
pub struct SourceResult {
    /// Its name.
    pub name: String,
    /// Data rows.
    pub rows: u64,
    /// Checks over tolerance that fail the gate.
    pub failing_checks: usize,
    /// Checks with at least one failure.
    pub checks_with_findings: usize,
    /// One row per record after decisions (plain identifiers); empty for
    /// the anagrafe.
    pub links: Vec<LinkRow>,
    /// Records decided by a reviewer.
    pub decided: usize,
    /// Taken from the last master as it was (`--against`): not checked or
    /// linked again by this run.
    pub reused: bool,
}

impl SourceResult {
    /// Records with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.links.iter().filter(|r| r.status == status).count()
    }
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// Per source, the anagrafe first.
    pub sources: Vec<SourceResult>,
    /// Whether a check gate failed.
    pub gate_failed: bool,
    /// Residents.
    pub residents: usize,
    /// Families.
    pub families: usize,
    /// Pairs in the review queue.
    pub queued: usize,
    /// Whether identifiers were pseudonymised.
    pub pseudonymised: bool,
    /// The files written.
    pub written: Vec<PathBuf>,
}

/// Reads the pseudonym key as the project says, or refuses.
pub fn pseudonymizer(project: &Project, pseudonyms: bool) -> miette::Result<Pseudonymizer> {
    if !pseudonyms {
        return Ok(Pseudonymizer::Plain);
    }
    match pseudonym::read_key(project.key_env.as_deref(), project.key_file.as_deref())? {
        Some(k) => Ok(Pseudonymizer::Keyed(k)),
        None => {
            let mut ways = Vec::new();
            if let Some(v) = &project.key_env {
                ways.push(format!("set the environment variable {v}"));
            }
            if let Some(f) = &project.key_file {
                ways.push(format!("write the key to {}", f.display()));
            }
            if ways.is_empty() {
                ways.push(
                    "add [privacy] key_env = \"VAGLIO_KEY\" (or key_file = \"…\") to the project file and provide the key"
                        .into(),
                );
            }
            let help = format!(
                "{} (a random secret of at least 32 characters, kept outside the data: `openssl rand -hex 32`); or pass --no-pseudonyms for local tests, which writes the plain identifiers",
                ways.join(", or ")
            );
            Err(miette!(
                code = "vaglio::privacy::no_key",
                help = help,
                "no pseudonym key: vaglio will not write the datamart with plain identifiers"
            ))
        }
    }
}

/// Validates one source and writes its findings; its other reports are
/// written by [`write_source_reports`] once it is linked.
fn check_source(
    name: &str,
    file: &Path,
    rules: &RuleSet,
    out: &Path,
    opts: &RunOptions,
) -> miette::Result<SourceOutcome> {
    let mut findings = FindingsWriter::create(&out.join("findings.csv"))?;
    let options = ValidateOptions {
        source_name: name.to_string(),
        show_pii: opts.show_pii,
        progress: false,
        ..Default::default()
    };
    let outcome = validate(file, rules, &options, &mut |f| findings.write(name, f))?;
    findings.finish()?;
    Ok(outcome)
}

fn link_spec(rules: &RuleSet, path: &Path) -> miette::Result<LinkSpec> {
    spec::from_rules(rules)?.ok_or_else(|| {
        miette!(
            code = "vaglio::link::no_section",
            help = "add a [link] section saying which columns identify a person",
            "{} has no [link] section",
            path.display()
        )
    })
}

/// The run's one progress display: a spinner whose message names the stage
/// (`[3/10] linking refezione: blocking index done`); the linkage moves it
/// on through its own stages. Hidden off a terminal and with `--quiet`.
/// With `VAGLIO_TIMINGS` set, each stage's wall time and the peak memory
/// so far go to standard error (what `scripts/bench` reads).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    done: usize,
    total: usize,
    timings: Option<(String, std::time::Instant)>,
}

impl Progress {
    fn new(on: bool, total: usize) -> Progress {
        let bar = on.then(|| {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} vaglio run {prefix} {msg} ({elapsed})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            pb
        });
        let timings =
            std::env::var_os("VAGLIO_TIMINGS").map(|_| (String::new(), std::time::Instant::now()));
        Progress {
            bar,
            done: 0,
            total,
            timings,
        }
    }

    /// Prints the stage that ends with its time and the peak memory so far.
    fn time(&mut self, next: &str) {
        if let Some((stage, start)) = &mut self.timings {
            if stage.is_empty() {
                *stage = next.to_string();
                *start = std::time::Instant::now();
                return;
            }
            eprintln!(
                "stage {:<32} {:>8.3} s   peak {:>6} MB",
                stage,
                start.elapsed().as_secs_f64(),
                peak_rss_mb().map_or("?".into(), |m| m.to_string())
            );
            *stage = next.to_string();
            *start = std::time::Instant::now();
        }
    }

    fn stage(&mut self, what: &str) {
        self.time(what);
        self.done += 1;
        if let Some(pb) = &self.bar {
            pb.set_prefix(format!("[{}/{}]", self.done.min(self.total), self.total));
            pb.set_message(what.to_string());
        }
    }

    fn bar(&self) -> Option<indicatif::ProgressBar> {
        self.bar.clone()
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), in MB.
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1000)
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.time("");
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

/// A linked source, as the master needs it.
pub(crate) struct Linked {
    name: String,
    rules: RuleSet,
    spec: LinkSpec,
    raw: Raw,
    rows: Vec<LinkRow>,
    drop: Vec<String>,
    /// Columns replaced by a pseudonym of their value.
    pseudonymise: Vec<String>,
    isee: Option<usize>,
    isee_column: Option<String>,
    key_is_identifying: bool,
    /// The record keys are as the last master showed them (reused links).
    keys_shown: bool,
}

fn refuse_unknown_sources(
    project: &Project,
    decisions: &Decisions,
    only: Option<&str>,
) -> miette::Result<()> {
    for (source, row) in decisions.keys() {
        if !project.sources.iter().any(|s| &s.name == source) {
            miette::bail!(
                code = "vaglio::decisions::source",
                help = format!("the project's sources are: {}", project.source_names()),
                "decision for row {row} of `{source}`, which is not a source of {}",
                project.path.display()
            );
        }
        if let Some(only) = only.filter(|o| *o != source) {
            miette::bail!(
                code = "vaglio::decisions::source",
                help = format!("--against links only `{only}` again; pass the other decisions to a full `vaglio run`"),
                "decision for row {row} of `{source}`, whose links are reused from the last master as they are"
            );
        }
    }
    Ok(())
}

/// Applies the reviewers' decisions for `source` to its rows; returns how
/// many rows were decided.
fn apply_decisions(
    source: &str,
    rows: &mut [LinkRow],
    decisions: &Decisions,
    lookup: &dyn Fn(&str) -> Option<usize>,
    residents: &[residents::Resident],
) -> miette::Result<usize> {
    let mut decided = 0;
    for ((src, row), verdict) in
        decisions.range((source.to_string(), 0)..=(source.to_string(), u64::MAX))
    {
        let n = rows.len();
        let Some(r) = rows.iter_mut().find(|r| r.row == *row) else {
            miette::bail!(
                code = "vaglio::decisions::row",
                "decision for row {row} of `{src}`, which has {n} rows"
            );
        };
        match verdict {
            Verdict::Reject => {
                r.status = Status::Unmatched;
                r.person = None;
                r.resident = None;
            }
            Verdict::Accept(cand) => {
                let person = match cand {
                    Some(c) => {
                        let i = lookup(c).ok_or_else(|| {
                            miette!(
                                code = "vaglio::decisions::candidate",
                                help = "use the candidate of review/queue.csv, written with the same key",
                                "decision for row {row} of `{src}`: no resident has the pseudonym {c:?}"
                            )
                        })?;
                        r.resident = Some(i as u32);
                        residents[i].id.clone()
                    }
                    None => r.person.clone().ok_or_else(|| {
                        miette!(
                            code = "vaglio::decisions::candidate",
                            help = "name the resident in the `candidate` column",
                            "decision accept for row {row} of `{src}`, which has no candidate"
                        )
                    })?,
                };
                r.status = Status::Match;
                r.person = Some(person);
            }
        }
        r.runner_up = None;
        r.tier = TIER_DECISION.to_string();
        decided += 1;
    }
    Ok(decided)
}

/// A source taken from the last master: its rows and failing checks as its
/// last `summary.json` says (its links' count when there is none).
fn reused_result(project: &Project, name: &str, links: Vec<LinkRow>) -> SourceResult {
    let last = baseline::load(&project.reports.join(name).join("summary.json"))
        .ok()
        .and_then(|s| s.sources.into_iter().next());
    let decided = links.iter().filter(|r| r.tier == TIER_DECISION).count();
    SourceResult {
        name: name.to_string(),
        rows: last.as_ref().map_or(links.len() as u64, |s| s.rows),
        failing_checks: last.as_ref().map_or(0, |s| s.checks_failed as usize),
        checks_with_findings: last
            .as_ref()
            .map_or(0, |s| s.checks.iter().filter(|c| c.failed > 0).count()),
        links,
        decided,
        reused: true,
    }
}

/// The links of a source from the last master, with plain identifiers.
fn reused_rows(
    prev: &previous::Previous,
    source: &str,
    lookup: &dyn Fn(&str) -> Option<usize>,
    residents: &[residents::Resident],
) -> miette::Result<Vec<LinkRow>> {
    let plain = |shown: &str| -> miette::Result<String> {
        lookup(shown).map(|i| residents[i].id.clone()).ok_or_else(|| {
            miette!(
                code = "vaglio::against::person",
                help = "the master must have been written with the same pseudonym key and anagrafe; run `vaglio run` to build it again",
                "{}: `{source}` is linked to {shown:?}, who is no resident of the anagrafe under this key",
                prev.master.join("links.csv").display()
            )
        })
    };
    let mut rows = Vec::new();
    for s in prev.links.iter().filter(|s| s.source == source) {
        let mut r = s.link.clone();
        r.person = r.person.as_deref().map(plain).transpose()?;
        r.runner_up = match r.runner_up.take() {
            Some((p, w)) => Some((plain(&p)?, w)),
            None => None,
        };
        rows.push(r);
    }
    Ok(rows)
}

fn column_of(
    raw: &Raw,
    file: &Path,
    source: &str,
    setting: &str,
    c: &str,
) -> miette::Result<usize> {
    raw.col(c).ok_or_else(|| {
        miette!(
            code = "vaglio::run::column",
            help = format!(
                "the columns of {} are: {}",
                file.display(),
                raw.columns.join(", ")
            ),
            "{setting} of source `{source}` names `{c}`, which is not a column of {}",
            file.display()
        )
    })
}

/// Runs the whole job.
pub fn run(project: &Project, opts: &RunOptions) -> miette::Result<RunResult> {
    // Refuse before any work when the key is missing.
    let pseudo = pseudonymizer(project, opts.pseudonyms)?;
    let decisions: Decisions = match &opts.decisions {
        Some(p) => review::read_decisions(p)?,
        None => Decisions::new(),
    };
    let against = opts.against.as_ref();
    if let Some(a) = against {
        if !project.sources.iter().any(|s| s.name == a.source) {
            miette::bail!(
                code = "vaglio::against::source",
                help = format!("the project's sources are: {}", project.source_names()),
                "`{}` is not a source of {}",
                a.source,
                project.path.display()
            );
        }
    }
    refuse_unknown_sources(project, &decisions, against.map(|a| a.source.as_str()))?;
    let prev = against.map(|a| previous::read(&a.master)).transpose()?;
    let relinked = |name: &str| against.is_none_or(|a| a.source == name);
    let today = opts.today;
    let mut hashes = Digests::default();
    let stages = usize::from(against.is_none())
        + 1
        + project
            .sources
            .iter()
            .map(|s| if relinked(&s.name) { 2 } else { 1 })
            .sum::<usize>()
        + 1;
    let mut progress = Progress::new(opts.progress, stages);
    let mut results: Vec<SourceResult> = Vec::new();
    let mut gate_failed = false;
    let mut summarise = |name: &str, o: &SourceOutcome, links: Vec<LinkRow>, decided| {
        let failing = o.gate_failures(Severity::Error).count();
        if failing > 0 {
            gate_failed = true;
        }
        results.push(SourceResult {
            name: name.to_string(),
            rows: o.rows,
            failing_checks: failing,
            checks_with_findings: o.checks.iter().filter(|c| c.failed > 0).count(),
            links,
            decided,
            reused: false,
        });
    };

    // The anagrafe.
    let ana = &project.anagrafe;
    let ana_rules = rules::load(&ana.rules, today)?;
    let ana_spec = link_spec(&ana_rules, &ana.rules)?;
    let mut reused_results: Vec<SourceResult> = Vec::new();
    match &prev {
        Some(p) => {
            p.same("anagrafe", "file", &ana.file, &hashes.of(&ana.file)?)?;
            p.same("anagrafe", "regole", &ana.rules, &hashes.of(&ana.rules)?)?;
            reused_results.push(reused_result(project, "anagrafe", Vec::new()));
        }
        None => {
            progress.stage("checking the anagrafe");
            let ana_outcome = check_source(
                "anagrafe",
                &ana.file,
                &ana_rules,
                &project.reports.join("anagrafe"),
                opts,
            )?;
            write_source_reports(
                &project.reports.join("anagrafe"),
                &ana_outcome,
                None,
                today,
                Severity::Error,
                Lang::It,
            )?;
            summarise("anagrafe", &ana_outcome, Vec::new(), 0);
        }
    }
    progress.stage("reading the anagrafe");
    let id_col_name = link::anagrafe_id_column(&ana_rules, &ana_spec).ok_or_else(|| {
        miette!(
            code = "vaglio::run::anagrafe_id",
            help = "add `id = \"ID_PERSONA\"` to the anagrafe's [link] section",
            "{}: the anagrafe has no person identifier",
            ana.rules.display()
        )
    })?;
    let residents = residents::read(project, &ana_rules, &ana_spec, &id_col_name, today)?;
    let by_id: HashMap<&str, usize> = residents
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let pseudonyms: Vec<String> = residents.iter().map(|r| pseudo.person(&r.id)).collect();
    let by_pseudonym: HashMap<&str, usize> = if decisions.is_empty() && prev.is_none() {
        HashMap::new()
    } else {
        pseudonyms
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect()
    };
    // A resident named as the outputs name them.
    let lookup = |shown: &str| -> Option<usize> {
        by_pseudonym
            .get(shown)
            .or_else(|| by_id.get(shown).filter(|_| !pseudo.keyed()))
            .copied()
    };
    let prepared = link::prepare_anagrafe(&ana.file, &ana_rules, &ana_spec, today)?;

    // The sources: check, link, decide (or reuse the last master's links).
    let mut linked: Vec<Linked> = Vec::new();
    let mut files_used: Vec<PathBuf> = Vec::new();
    for s in &project.sources {
        let rules = rules::load(&s.rules, today)?;
        let mut spec = link_spec(&rules, &s.rules)?;
        if let Some((m, r)) = project.thresholds {
            spec.thresholds = spec::Thresholds {
                matched: m,
                review: r,
            };
        }
        let (file, rows, keys_shown) = match (&prev, against) {
            (Some(p), Some(a)) if a.source != s.name => {
                progress.stage(&format!("reusing {}", s.name));
                let recorded = p.file(&s.name, "file").map(|r| project.base.join(&r.path));
                let file = recorded.unwrap_or_else(|| s.file.clone());
                p.same(&s.name, "file", &file, &hashes.of(&file)?)?;
                p.same(&s.name, "regole", &s.rules, &hashes.of(&s.rules)?)?;
                let rows = reused_rows(p, &s.name, &lookup, &residents)?;
                reused_results.push(reused_result(project, &s.name, rows.clone()));
                (file, rows, true)
            }
            _ => {
                // The new delivery (named as the project names it when it
                // is the project's own file).
                let file = match against {
                    Some(a) if !source::same_file(&a.file, &s.file) => a.file.clone(),
                    _ => s.file.clone(),
                };
                progress.stage(&format!("checking {}", s.name));
                let outcome =
                    check_source(&s.name, &file, &rules, &project.reports.join(&s.name), opts)?;
                progress.stage(&format!("linking {}", s.name));
                let job = LinkJob {
                    extract: &file,
                    rules: &rules,
                    spec: &spec,
                    anagrafe: link::Anagrafe::Prepared(&prepared),
                    anagrafe_rules: &ana_rules,
                    anagrafe_spec: &ana_spec,
                    reference: today,
                    model: None,
                    progress: progress.bar(),
                };
                let l = link::link(&job)?;
                let mut linkage = LinkageReport::from_linkage(&l, opts.show_pii);
                let mut rows = l.rows;
                drop(l.data);
                // Decisions override the model.
                let decided = apply_decisions(&s.name, &mut rows, &decisions, &lookup, &residents)?;
                linkage.recount(&rows);
                write_source_reports(
                    &project.reports.join(&s.name),
                    &outcome,
                    Some(linkage),
                    today,
                    Severity::Error,
                    Lang::It,
                )?;
                summarise(&s.name, &outcome, rows.clone(), decided);
                (file, rows, false)
            }
        };
        let raw = Raw::read(&file, &rules)?;
        // The columns the datamart leaves out or pseudonymises: those mapped
        // in [link] fields and the project's drop_columns, unless the rule
        // file says otherwise; the rule file's `datamart = "…"`.
        let declared = |c: &str| {
            rules
                .fields
                .iter()
                .find(|f| f.name == c)
                .and_then(|f| f.datamart)
        };
        let mut dropped: Vec<String> = spec
            .fields
            .iter()
            .map(|(_, c)| c.clone())
            .filter(|c| declared(c).is_none())
            .collect();
        for c in &s.drop_columns {
            column_of(&raw, &file, &s.name, "drop_columns", c)?;
            if !dropped.contains(c) {
                dropped.push(c.clone());
            }
        }
        let mut pseudonymise = Vec::new();
        for f in &rules.fields {
            let Some(how) = f.datamart else { continue };
            if how != DatamartColumn::Keep && raw.col(&f.name).is_none() {
                continue; // a declared column the file lacks: the checks say so
            }
            match how {
                DatamartColumn::Drop if !dropped.contains(&f.name) => dropped.push(f.name.clone()),
                DatamartColumn::Pseudonymise if !s.drop_columns.contains(&f.name) => {
                    pseudonymise.push(f.name.clone())
                }
                _ => {}
            }
        }
        let isee = s
            .isee_column
            .as_deref()
            .map(|c| column_of(&raw, &file, &s.name, "isee_column", c))
            .transpose()?;
        let key_is_identifying = rules
            .input
            .key
            .iter()
            .any(|k| dropped.contains(k) || pseudonymise.contains(k));
        files_used.push(file);
        linked.push(Linked {
            name: s.name.clone(),
            rules,
            spec,
            raw,
            rows,
            drop: dropped,
            pseudonymise,
            isee,
            isee_column: s.isee_column.clone(),
            key_is_identifying,
            keys_shown,
        });
    }
    drop(prepared);
    // Sources in project order, reused ones where they belong; their gates
    // as the last run found them.
    if prev.is_some() {
        gate_failed |= reused_results.iter().any(|r| r.failing_checks > 0);
        let mut all = Vec::new();
        let names =
            std::iter::once("anagrafe").chain(project.sources.iter().map(|s| s.name.as_str()));
        for name in names {
            if let Some(k) = results.iter().position(|r| r.name == name) {
                all.push(results.remove(k));
            } else if let Some(k) = reused_results.iter().position(|r| r.name == name) {
                all.push(reused_results.remove(k));
            }
        }
        results = all;
    }

    progress.stage("writing the master");
    let master = Master::new(&residents, &pseudonyms, &by_id, &linked, &pseudo, today);

    // Every file the run rests on, with its digest: for the datamart's
    // metadata (what `--against` checks) and the reports' index.
    let mut digests: Vec<FileDigest> = vec![FileDigest {
        role: "project".into(),
        path: shown(project, &project.path),
        sha256: hashes.of(&project.path)?,
    }];
    let mut digest = |source: &str, kind: &str, p: &Path| -> miette::Result<()> {
        digests.push(FileDigest {
            role: format!("{source}: {kind}"),
            path: shown(project, p),
            sha256: hashes.of(p)?,
        });
        Ok(())
    };
    digest("anagrafe", "file", &ana.file)?;
    digest("anagrafe", "rules", &ana.rules)?;
    for (s, file) in project.sources.iter().zip(&files_used) {
        digest(&s.name, "file", file)?;
        digest(&s.name, "rules", &s.rules)?;
    }
    if let Some(d) = &opts.decisions {
        digests.push(FileDigest {
            role: "decisions".into(),
            path: shown(project, d),
            sha256: hashes.of(d)?,
        });
    }

    // metadata
    let mut meta: Vec<(String, String)> = vec![
        (
            "data_esecuzione".into(),
            today.format("%Y-%m-%d").to_string(),
        ),
        ("strumento".into(), "vaglio".into()),
        ("versione".into(), env!("CARGO_PKG_VERSION").into()),
        (
            "pseudonimi".into(),
            if pseudo.keyed() {
                "si: HMAC-SHA256 (chiave fuori dai dati), primi 16 byte in esadecimale".into()
            } else {
                "no: identificativi in chiaro (--no-pseudonyms, solo per prove locali)".into()
            },
        ),
        ("residenti".into(), residents.len().to_string()),
        ("famiglie".into(), master.family_count().to_string()),
        ("decisioni".into(), decisions.len().to_string()),
    ];
    for d in &digests {
        let key = match d.role.split_once(": ") {
            Some((source, kind)) => {
                let kind = if kind == "rules" { "regole" } else { kind };
                format!("sha256:{source}:{kind}:{}", d.path)
            }
            None if d.role == "project" => "sha256:progetto".into(),
            None => "sha256:decisioni".into(),
        };
        meta.push((key, d.sha256.clone()));
    }
    let metadata = Table {
        name: "metadata".into(),
        columns: vec![("chiave".into(), "TEXT"), ("valore".into(), "TEXT")],
        rows: Box::new(
            meta.into_iter()
                .map(|(k, v)| vec![Sql::Text(k), Sql::Text(v)]),
        ),
        indexes: Vec::new(),
    };

    // The review queue needs the anagrafe records of its candidates only.
    let wanted: BTreeSet<usize> = master.queued_residents();
    let ana_some = Raw::read_some(&ana.file, &ana_rules, &wanted)?;
    let (header, queue) = master.queue(&ana_some, &ana_spec, opts.show_pii);

    // Write: the datamart, then links.csv, then the queue; each atomically.
    let dm = project.master.join("datamart.sqlite");
    let mut tables = vec![master.individui(), master.famiglie(), master.collegamenti()];
    tables.extend(linked.iter().map(|l| master.source_table(l)));
    tables.push(metadata);
    datamart::write(&dm, tables)?;
    let links_path = project.master.join("links.csv");
    write_atomic(&links_path, &master.links_csv()?)?;
    let queue_path = project.review.join("queue.csv");
    review::write_queue(&queue_path, &header, &queue)?;
    let entries: Vec<IndexEntry> = results
        .iter()
        .map(|r| IndexEntry::from_result(r, r.name != "anagrafe"))
        .collect();
    let run_metadata = RunMetadata {
        version: env!("CARGO_PKG_VERSION").to_string(),
        date: today.format("%Y-%m-%d").to_string(),
        files: digests,
    };
    let index = run_index::write(&project.reports, &entries, &run_metadata, Lang::It)?;

    Ok(RunResult {
        residents: residents.len(),
        families: master.family_count(),
        queued: queue.len(),
        sources: results,
        gate_failed,
        pseudonymised: pseudo.keyed(),
        written: vec![dm, links_path, queue_path, index],
    })
}
