//! The whole job as a library call: validate the anagrafe and every source,
//! link each source, apply the reviewers' decisions, and write the reports,
//! `master/links.csv`, `master/datamart.sqlite` and `review/queue.csv`.
//!
//! | module | what |
//! |---|---|
//! | [`source`] | a source's cells, values parsed with its declared formats, file hashes |
//! | [`residents`] | the residents as the datamart describes them, read in one streaming pass |
//! | [`tables`] | the datamart's tables, links.csv and the review queue, rows produced while written |
//! | [`fragility`] | the fragility indicators per area and their composite index |
//! | [`facts`] | the source-specific facts (`redditi`, `riscossione`, `graduatorie`) and the family's income and arrears |
//! | [`previous`] | the last master, for `vaglio link --against` |
//!
//! The anagrafe is read and normalised for linking once, and every source
//! is linked to that copy. Deterministic: sources in project order, records
//! in row order, no clock but the run's date; the same inputs, key and date
//! give byte-identical files whatever the number of threads.

mod anagrafe;
mod by_row;
mod cross;
mod facts;
mod fragility;
mod geography;
mod mode;
mod previous;
mod progress;
mod residents;
mod source;
mod sources;
mod tables;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use miette::miette;

use self::anagrafe::Identities;
use self::mode::Mode;
pub use self::previous::Against;
use self::progress::Progress;
pub use self::residents::{age_band, citizenship_group};
use self::source::Digests;
use crate::link::spec::{self, LinkSpec};
use crate::link::{LinkRow, Status};
use crate::master::pseudonym::{self, Pseudonymizer};
use crate::master::review::{self, Decisions};
use crate::output::transaction::{crash_point, Transaction};
use crate::output::Sink;
use crate::project::Project;
use crate::read::{Inputs, Table};
use crate::report::baseline;
use crate::report::findings::FindingsWriter;
use crate::report::linkage::LinkageReport;
use crate::report::run_index::IndexEntry;
use crate::rules::{RuleSet, Severity};
use crate::validate::{validate_table, SourceOutcome, ValidateOptions, Verdict};

/// The tier recorded for a reviewer's decision.
pub const TIER_DECISION: crate::link::tier::LinkTier = crate::link::tier::LinkTier::Decision;

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
    /// The language of the reports (`--lang`).
    pub lang: crate::messages::Lang,
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
    /// the anagrafe. Shared with the master the run writes.
    pub links: Arc<Vec<LinkRow>>,
    /// Records decided by a reviewer.
    pub decided: usize,
    /// Taken from the last master as it was (`--against`): not checked or
    /// linked again by this run.
    pub reused: bool,
    /// Linked to the anagrafe: a source, not the anagrafe itself or the
    /// civic-number register.
    pub linked: bool,
    /// How its addresses matched the civic-number register, when it has
    /// some.
    pub addresses: Option<crate::geography::matching::Rates>,
}

/// Whether `name` is a table the run checks but does not link: the
/// anagrafe, or the civic-number register.
fn is_reference(name: &str) -> bool {
    name == "anagrafe" || name == geography::NAME
}

impl SourceResult {
    /// The result of a source checked (and linked) by this run.
    fn checked(name: &str, o: &SourceOutcome, links: Arc<Vec<LinkRow>>, decided: usize) -> Self {
        SourceResult {
            name: name.to_string(),
            rows: o.rows,
            failing_checks: o.gate_failures(Severity::Error).count(),
            checks_with_findings: o.checks.iter().filter(|c| c.failed > 0).count(),
            links,
            decided,
            reused: false,
            linked: !is_reference(name),
            addresses: None,
        }
    }

    /// Records with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.links.iter().filter(|r| r.status == status).count()
    }

    /// Its line in the run's index (the anagrafe and the register, not
    /// linked, have no linkage figures).
    pub fn index_entry(&self) -> IndexEntry {
        let linked = self.linked;
        IndexEntry {
            name: self.name.clone(),
            rows: self.rows,
            failing_checks: self.failing_checks,
            linkage: linked.then(|| {
                [
                    self.count(Status::Match) as u64,
                    self.count(Status::Review) as u64,
                    self.count(Status::Unmatched) as u64,
                ]
            }),
            addresses: self.addresses.as_ref().map(|a| {
                let confirmed = (a.civic + a.civic_normalised) as f64;
                confirmed * 100.0 / a.given().max(1) as f64
            }),
        }
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
    /// The run's id, recorded in the datamart's `metadata` (`esecuzione`),
    /// every source's `summary.json` and the run's index.
    pub run: String,
    /// Files of an interrupted run that this one found committed and put
    /// in place first.
    pub recovered: usize,
    /// Staged files of killed runs that this one removed.
    pub cleaned: usize,
}

/// A source's reports, written at the end, once the run's id (which its
/// `summary.json` records) is known.
pub(crate) enum PendingReport {
    /// Checked by this run.
    Checked {
        /// Its report folder.
        out: PathBuf,
        /// What the check found.
        outcome: Box<SourceOutcome>,
        /// Its linkage, when it was linked.
        linkage: Option<Box<LinkageReport>>,
        /// How its addresses matched the register, when it has some.
        addresses: Option<crate::geography::matching::Rates>,
    },
    /// Reused from the last master (`--against`): its `summary.json` is
    /// written again with this run's id, its other reports stay.
    Reused {
        /// Its report folder.
        out: PathBuf,
    },
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

/// Validates one source, read, with its address check if it has one, and
/// writes its findings into `sink`; its other reports are written by
/// [`crate::report::write_source_reports`] at the end of the run.
#[allow(clippy::too_many_arguments)]
fn check_source(
    name: &str,
    table: &Table,
    rules: &RuleSet,
    out: &Path,
    opts: &RunOptions,
    pseudo: Option<&Pseudonymizer>,
    sink: &Sink,
    address: Option<geography::AddressCheck>,
) -> miette::Result<SourceOutcome> {
    let (outcome, findings) =
        check_source_open(name, table, rules, out, opts, pseudo, sink, address)?;
    findings.finish()?;
    Ok(outcome)
}

/// The options a source's checks are written with.
fn validate_options(
    name: &str,
    opts: &RunOptions,
    pseudo: Option<&Pseudonymizer>,
) -> ValidateOptions {
    ValidateOptions {
        source_name: name.to_string(),
        show_pii: opts.show_pii,
        progress: false,
        key_pseudonyms: pseudo.cloned(),
        ..Default::default()
    }
}

/// As [`check_source`], leaving its `findings.csv` open for the findings
/// of its cross-source checks, evaluated once every source is linked.
#[allow(clippy::too_many_arguments)]
fn check_source_open(
    name: &str,
    table: &Table,
    rules: &RuleSet,
    out: &Path,
    opts: &RunOptions,
    pseudo: Option<&Pseudonymizer>,
    sink: &Sink,
    address: Option<geography::AddressCheck>,
) -> miette::Result<(SourceOutcome, FindingsWriter)> {
    let mut findings = FindingsWriter::create(sink, &out.join("findings.csv"))?;
    let options = validate_options(name, opts, pseudo);
    let mut outcome = validate_table(table, rules, &options, &mut |f| findings.write(name, f))?;
    if let Some(a) = address {
        crate::validate::external::merge(
            table,
            rules,
            &options,
            &mut outcome,
            a.record_check(),
            a.verdicts(),
            &mut |f| findings.write(name, f),
        )
        .map_err(|e| miette!("cannot write {}: {e}", out.join("findings.csv").display()))?;
    }
    Ok((outcome, findings))
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

/// A source taken from the last master: its rows and failing checks as its
/// last `summary.json` says (its links' count when there is none); refuses
/// a `summary.json` of another run than the master's.
fn reused_result(
    project: &Project,
    previous: &previous::Previous,
    name: &str,
    links: Arc<Vec<LinkRow>>,
) -> miette::Result<SourceResult> {
    let path = project.reports.join(name).join("summary.json");
    let last = baseline::load(&path).ok();
    if let Some(run) = last.as_ref().and_then(|s| s.run.as_deref()) {
        if run != previous.run {
            miette::bail!(
                code = "vaglio::against::mixed",
                help = "the master and the reports come from different runs (copied by hand?); run `vaglio run` to write them all again",
                "{} comes from run {run}, the master {} from run {}",
                path.display(),
                previous.master.display(),
                previous.run
            );
        }
    }
    let last = last.and_then(|s| s.sources.into_iter().next());
    let addresses = last.as_ref().and_then(|s| s.addresses.clone());
    let decided = links.iter().filter(|r| r.tier == TIER_DECISION).count();
    Ok(SourceResult {
        name: name.to_string(),
        rows: last.as_ref().map_or(links.len() as u64, |s| s.rows),
        // Over tolerance and of severity error, as the gate counts them
        // (`checks_failed` counts warnings too).
        failing_checks: last.as_ref().map_or(0, |s| {
            s.checks
                .iter()
                .filter(|c| c.verdict == Verdict::Failed && c.severity == Severity::Error)
                .count()
        }),
        checks_with_findings: last
            .as_ref()
            .map_or(0, |s| s.checks.iter().filter(|c| c.failed > 0).count()),
        links,
        decided,
        reused: true,
        linked: !is_reference(name),
        addresses,
    })
}

/// Runs the whole job: the anagrafe, each source, the master. Every file it
/// writes is staged and published together at the end ([`Transaction`]):
/// a run that fails or is killed leaves the earlier outputs as they were.
pub fn run(project: &Project, opts: &RunOptions) -> miette::Result<RunResult> {
    // Refuse before any work when the key is missing.
    let pseudo = pseudonymizer(project, opts.pseudonyms)?;
    let decisions: Decisions = match &opts.decisions {
        Some(p) => review::read_decisions(p)?,
        None => Decisions::new(),
    };
    let what = match &opts.against {
        Some(a) => format!("vaglio link --against, source {}", a.source),
        None => "vaglio run".to_string(),
    };
    // The lock first, and the outputs of an interrupted run put in place,
    // before the last master is read.
    // The owners' bundles are a level deeper (owners/<id>/<source>/): each
    // bundle is a root of its own.
    let bundles = crate::report::owners::folders(&project.reports);
    let mut roots: Vec<&Path> = vec![&project.reports, &project.review, &project.history];
    roots.extend(bundles.iter().map(PathBuf::as_path));
    let tx = Transaction::begin(&project.master, &roots, &what)?;
    let sink = tx.sink();
    let mut mode = Mode::new(project, opts.against.as_ref())?;
    refuse_unknown_sources(project, &decisions, mode.only())?;
    let inputs = Inputs::new();
    let mut digests = Digests::default();

    // Every rule file first (the anagrafe's table is read here if a
    // foreign key references it, and stays in `inputs` for its stage), and
    // the datamart's columns from each file's header: a mistake in any of
    // them stops the run before any work.
    let rules = project
        .sources
        .iter()
        .map(|s| sources::load_rules(project, s, opts.today, &inputs))
        .collect::<miette::Result<Vec<_>>>()?;
    // `--against`: the sources whose cross-source checks read the new
    // delivery are checked and linked again too.
    mode.relink_readers(project, rules.iter().map(|(r, _)| r));
    let mut progress = Progress::new(opts.progress, mode.stages(project));
    sources::refuse_bad_columns(project, &mode, &inputs, &rules)?;
    let names: Vec<String> = project.sources.iter().map(|s| s.name.clone()).collect();
    let imports = fragility::import::read(&project.fragility_imports, &|c| {
        fragility::computed(c, &names)
    })?;
    crash_point("started");
    let (stradario, geo_result, geo_report) = match geography::stage(
        project,
        opts,
        &mode,
        &inputs,
        &sink,
        &mut digests,
        &mut progress,
    )? {
        Some(g) => (Some(g.register), g.result, g.report),
        None => (None, None, None),
    };
    let register = stradario.as_ref();
    let anagrafe::Staged {
        anagrafe: ana,
        prepared,
        result: ana_result,
        report: ana_report,
    } = anagrafe::stage(
        project,
        opts,
        &mode,
        &inputs,
        register,
        &sink,
        &mut digests,
        &mut progress,
    )?;
    // The cross-source checks resolved against the project (a mistake
    // stops the run here, before any source is checked), and the anagrafe
    // fields they read kept while its table is at hand.
    let cross = cross::resolve(project, &rules, &ana.rules, opts.today)?;
    let cross_values = if cross.any() {
        let table = inputs.get(&project.anagrafe.file, &ana.rules.input.read)?;
        Some(cross::AnagrafeValues::read(&cross, &table, &ana.rules))
    } else {
        None
    };
    // The anagrafe's table goes (its cells live on in `ana`, as the later
    // stages need them).
    inputs.forget(&project.anagrafe.file);
    crate::memory::release();
    // The sources need the residents' pseudonyms only to look up the
    // reviewers' decisions and the last master's links; otherwise they are
    // computed once the linkage is done, and not held while it runs.
    let lookups = !decisions.is_empty() || mode.previous().is_some();
    let early = lookups.then(|| Identities::new(&ana.residents, &pseudo, true));

    let cx = sources::Context {
        project,
        opts,
        mode: &mode,
        inputs: &inputs,
        anagrafe: &ana,
        prepared: &prepared,
        register,
        ids: early.as_ref(),
        decisions: &decisions,
        pseudo: &pseudo,
        sink: &sink,
    };
    let mut results = vec![ana_result];
    let mut reports = vec![ana_report];
    results.extend(geo_result);
    reports.extend(geo_report);
    let (first_result, first_report) = (results.len(), reports.len());
    let mut linked = Vec::new();
    let mut files = Vec::new();
    for (s, rules) in project.sources.iter().zip(rules) {
        let (l, r, report) = sources::stage(&cx, s, rules, &mut digests, &mut progress)?;
        reports.push(report);
        // The sources' tables stay with their links; the run's cache lets
        // go of them (and of a foreign key's anagrafe, kept by `ana`).
        files.push(mode.file(project, s));
        inputs.forget(&files[files.len() - 1]);
        linked.push(l);
        results.push(r);
    }
    drop(inputs);
    // The linkage's records and indexes are done with.
    drop(prepared);
    crate::memory::release();
    if let Some(values) = &cross_values {
        progress.stage("cross-source checks");
        let mut writers: Vec<_> = linked.iter_mut().map(|l| l.findings.take()).collect();
        let eval = cross::Evaluation {
            resolved: &cross,
            anagrafe: &ana,
            values,
            linked: &linked,
            today: opts.today,
        };
        for (i, writer) in writers.iter_mut().enumerate() {
            let Some(mut writer) = writer.take() else {
                continue;
            };
            let name = &project.sources[i].name;
            if let Some(PendingReport::Checked { outcome, out, .. }) =
                reports.get_mut(first_report + i)
            {
                let options = validate_options(name, opts, Some(&pseudo));
                eval.source(i, &options, outcome, &mut |f| writer.write(name, f))
                    .map_err(|e| {
                        miette!("cannot write {}: {e}", out.join("findings.csv").display())
                    })?;
                if let Some(r) = results.get_mut(first_result + i) {
                    r.failing_checks = outcome.gate_failures(Severity::Error).count();
                    r.checks_with_findings = outcome.checks.iter().filter(|c| c.failed > 0).count();
                }
            }
            writer.finish()?;
        }
    }
    let ids = early.unwrap_or_else(|| Identities::new(&ana.residents, &pseudo, false));
    let gate_failed = results.iter().any(|r| r.failing_checks > 0);
    crash_point("checked");

    progress.stage("writing the master");
    let written = write::stage(
        &write::MasterInput {
            project,
            opts,
            anagrafe: &ana,
            ids: &ids,
            linked: &linked,
            register,
            imports: &imports,
            files: &files,
            results: &results,
            pseudo: &pseudo,
            decisions: decisions.len(),
            sink: &sink,
        },
        reports,
        &mut digests,
    )?;
    let (recovered, cleaned) = (tx.recovered, tx.cleaned);
    // The datamart last: whoever sees the new one sees every other file of
    // the run too.
    tx.commit(&[&written.files[1], &written.files[0]])?;
    Ok(RunResult {
        residents: ana.residents.len(),
        families: written.families,
        queued: written.queued,
        sources: results,
        gate_failed,
        pseudonymised: pseudo.keyed(),
        written: written.files,
        run: written.run,
        recovered,
        cleaned,
    })
}
