//! The master stage: every file the run rests on with its digest, the
//! datamart's `metadata` and the run's id, then every source's reports, the
//! datamart, `links.csv`, the review queue and the run's index, each staged
//! in the run's transaction.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::anagrafe::{Anagrafe, Identities};
use super::source::{shown, Digests};
use super::sources::Linked;
use super::tables::Master;
use super::{PendingReport, RunOptions, SourceResult};
use crate::history::run::{Checked, RunHistory};
use crate::master::datamart::{self, Cell, Table};
use crate::master::datapackage::{self, Package};
use crate::master::model::{columns, Kind, Model};
use crate::master::pseudonym::Pseudonymizer;
use crate::master::review;
use crate::messages::FileRole;
use crate::output::transaction::crash_point;
use crate::output::Sink;
use crate::project::Project;
use crate::report::run_index::{self, FileDigest, IndexEntry, RunMetadata};
use crate::report::{baseline, owners, write_source_reports, SourceReports};
use crate::rules::Severity;

/// The datamart's `metadata` key of the run's id.
pub(crate) const RUN_KEY: &str = "esecuzione";
/// The datamart's `metadata` key of `links.csv`'s SHA-256.
pub(crate) const LINKS_KEY: &str = "sha256:links.csv";

/// What the master stage wrote.
pub(crate) struct Written {
    /// Families in the datamart.
    pub families: usize,
    /// Pairs in the review queue.
    pub queued: usize,
    /// The files, datamart first, then links.csv.
    pub files: Vec<PathBuf>,
    /// The run's id.
    pub run: String,
}

/// Everything the master stage is written from.
pub(crate) struct MasterInput<'r> {
    pub project: &'r Project,
    pub opts: &'r RunOptions,
    pub anagrafe: &'r Anagrafe,
    pub ids: &'r Identities<'r>,
    pub linked: &'r [Linked],
    /// The civic-number register, when the project has one.
    pub register: Option<&'r crate::geography::register::Register>,
    /// Fragility indicators imported from the project's files.
    pub imports: &'r [super::fragility::import::Imported],
    /// The file each source was read from, in project order.
    pub files: &'r [PathBuf],
    pub results: &'r [SourceResult],
    pub pseudo: &'r Pseudonymizer,
    pub decisions: usize,
    /// Where the files go.
    pub sink: &'r Sink,
}

/// A writer that hashes what goes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes every source's `reports`, the master, the review queue and the
/// run's index.
pub(crate) fn stage(
    m: &MasterInput,
    reports: Vec<PendingReport>,
    digests: &mut Digests,
) -> miette::Result<Written> {
    let (project, opts, sink) = (m.project, m.opts, m.sink);
    let ana = &m.anagrafe;
    let mut clock = crate::memory::Stages::new(None);
    let master = Master::new(
        &ana.residents,
        &m.ids.shown,
        &m.ids.by_id,
        m.linked,
        m.pseudo,
        opts.today,
    )
    .with_register(m.register)
    .with_imports(m.imports);
    master.check_imports()?;
    let files = file_digests(project, m.files, opts.decisions.as_deref(), digests)?;
    let mut metadata = metadata(
        opts.today,
        m.pseudo.keyed(),
        ana.residents.len(),
        master.family_count(),
        m.decisions,
        &files,
    );
    let run = run_id(&metadata, &m.pseudo.fingerprint(), opts.show_pii);
    metadata.insert(0, (RUN_KEY.into(), run.clone()));
    // The reports are written while the families' facts are computed.
    let ((), written) = rayon::join(
        || master.prepare(),
        || -> miette::Result<_> {
            let history = run_history(project, &run, opts.today, &files, m.results, &reports)?;
            write_reports(sink, reports, opts, &run, &history)?;
            let history_path = history.record(sink)?;
            let (header, queue) = master.queue(&ana.cells, &ana.spec, opts.show_pii);
            Ok((history_path, header, queue))
        },
    );
    let (history_path, header, queue) = written?;
    clock.stage("reports, families, queue");

    let dm = project.master.join("datamart.sqlite");
    let links_path = project.master.join("links.csv");
    let parquet_dir = project.master.join("parquet");
    let mut tables = vec![
        master.individui(),
        master.famiglie(),
        master.collegamenti(),
        master.servizi(),
        master.fragilita(),
        master.aree(),
    ];
    tables.extend(super::facts::tables(&master));
    tables.extend(m.linked.iter().map(|l| master.source_table(l)));
    // links.csv is built while SQLite writes the datamart; its digest is
    // the metadata's last row, which waits for it.
    let (digest_tx, digest_rx) = std::sync::mpsc::channel::<String>();
    tables.push(metadata_table(metadata, digest_rx));
    let models = std::thread::scope(|scope| {
        // Written as it is built, hashed on the way: the file is never
        // held whole in memory.
        let links = scope.spawn(|| {
            let file = Hashing {
                inner: sink.create(&links_path)?,
                hash: Sha256::new(),
            };
            let file = master.links_csv(file)?;
            let digest = format!("{:x}", file.hash.finalize());
            file.inner.commit()?;
            let _ = digest_tx.send(digest);
            Ok(())
        });
        let written = datamart::write(sink, &dm, Some(&parquet_dir), tables);
        let links = links
            .join()
            .unwrap_or_else(|_| Err(miette::miette!("building links.csv failed")));
        links.and(written)
    })?;
    let date = opts.today.format("%Y-%m-%d").to_string();
    let package = project.master.join("datapackage.json");
    datapackage::write(
        sink,
        &package,
        &models,
        &Package {
            run: &run,
            date: &date,
            version: env!("CARGO_PKG_VERSION"),
        },
    )?;
    crash_point("datamart");
    clock.stage("datamart, links.csv");
    let queue_path = project.review.join("queue.csv");
    review::write_queue(sink, &queue_path, &header, &queue)?;
    clock.stage("queue");
    let entries: Vec<IndexEntry> = m.results.iter().map(SourceResult::index_entry).collect();
    let run_metadata = RunMetadata {
        version: env!("CARGO_PKG_VERSION").to_string(),
        date,
        run: run.clone(),
        files,
    };
    let page = run_index::render(&entries, &run_metadata, opts.lang).map_err(|e| {
        miette::miette!(
            code = "vaglio::report::html",
            "cannot render the run's index page: {e}"
        )
    })?;
    let page =
        crate::history::chart::insert(&page, &owners::index_section(project, &entries, opts.lang));
    let index = project.reports.join("index.html");
    sink.write(&index, page.as_bytes())?;
    owners::write(sink, project, &entries, &run, &run_metadata.date, opts.lang)?;
    clock.stage("run index, owners' bundles");
    Ok(Written {
        families: master.family_count(),
        queued: queue.len(),
        files: vec![dm, links_path, queue_path, index, history_path],
        run,
    })
}

/// Every source's reports, with the run's id in `summary.json`.
fn write_reports(
    sink: &Sink,
    reports: Vec<PendingReport>,
    opts: &RunOptions,
    run: &str,
    history: &RunHistory,
) -> miette::Result<()> {
    for r in reports {
        match r {
            PendingReport::Checked {
                out,
                outcome,
                linkage,
                addresses,
            } => write_source_reports(
                sink,
                SourceReports {
                    out: &out,
                    outcome: &outcome,
                    linkage: linkage.map(|l| *l),
                    addresses,
                    today: opts.today,
                    run,
                    trend: history.section(&outcome.name, opts.lang),
                },
                Severity::Error,
                opts.lang,
            )?,
            PendingReport::Reused { out } => {
                // Reused as the last run left it: only its run changes.
                let path = out.join("summary.json");
                if let Ok(mut summary) = baseline::load(&path) {
                    summary.run = Some(run.to_string());
                    sink.write(&path, summary.to_json().as_bytes())?;
                }
            }
        }
    }
    Ok(())
}

/// The history with this run's deliveries: one per table the run checked
/// (a source reused by `--against` is not delivered again).
fn run_history(
    project: &Project,
    run: &str,
    today: NaiveDate,
    files: &[FileDigest],
    results: &[SourceResult],
    reports: &[PendingReport],
) -> miette::Result<RunHistory> {
    use crate::link::Status;
    let checked = reports
        .iter()
        .filter_map(|r| match r {
            PendingReport::Checked { outcome, .. } => Some(outcome),
            PendingReport::Reused { .. } => None,
        })
        .map(|o| Checked {
            name: &o.name,
            summary: crate::report::summary::SourceSummary::from_outcome(o, Severity::Error),
            linkage: results
                .iter()
                .find(|r| r.name == o.name && r.linked)
                .map(|r| crate::history::Linkage {
                    linked: r.count(Status::Match) as u64,
                    review: r.count(Status::Review) as u64,
                    unlinked: r.count(Status::Unmatched) as u64,
                }),
        })
        .collect();
    RunHistory::new(
        project.history_file(),
        run,
        &today.format("%Y-%m-%d").to_string(),
        files,
        checked,
    )
}

/// The run's id: the first 16 hex digits of the SHA-256 of what makes its
/// outputs what they are: the datamart's metadata (date, version, every
/// input's digest, counts), the key's fingerprint and whether personal
/// data is shown. The same inputs, key and date give the same id, as they
/// give the same files.
fn run_id(metadata: &[(String, String)], fingerprint: &str, show_pii: bool) -> String {
    let mut h = Sha256::new();
    for (k, v) in metadata {
        h.update(k.as_bytes());
        h.update(b"=");
        h.update(v.as_bytes());
        h.update(b"\n");
    }
    h.update(format!("chiave={fingerprint}\npii={show_pii}\n").as_bytes());
    let mut s = format!("{:x}", h.finalize());
    s.truncate(16);
    s
}

/// Every file the run rests on, with its digest: the project, the
/// anagrafe's and each source's file and rules, the decisions (for the
/// datamart's metadata, which `--against` checks, and the run's index).
fn file_digests(
    project: &Project,
    files: &[PathBuf],
    decisions: Option<&Path>,
    digests: &mut Digests,
) -> miette::Result<Vec<FileDigest>> {
    let mut out: Vec<FileDigest> = vec![FileDigest {
        role: FileRole::Project,
        path: shown(project, &project.path),
        sha256: digests.of(&project.path)?,
    }];
    let mut digest = |role: FileRole, p: &Path| -> miette::Result<()> {
        out.push(FileDigest {
            role,
            path: shown(project, p),
            sha256: digests.of(p)?,
        });
        Ok(())
    };
    let ana = &project.anagrafe;
    let (data, rules) = (
        |s: &str| FileRole::Data(s.to_string()),
        |s: &str| FileRole::Rules(s.to_string()),
    );
    digest(data("anagrafe"), &ana.file)?;
    digest(rules("anagrafe"), &ana.rules)?;
    if let Some(s) = &project.stradario {
        digest(data(super::geography::NAME), &s.file)?;
        if let Some(r) = &s.rules {
            digest(rules(super::geography::NAME), r)?;
        }
    }
    for (s, file) in project.sources.iter().zip(files) {
        digest(data(&s.name), file)?;
        digest(rules(&s.name), &s.rules)?;
    }
    for f in &project.fragility_imports {
        digest(data("fragilita"), f)?;
    }
    if let Some(d) = decisions {
        out.push(FileDigest {
            role: FileRole::Decisions,
            path: shown(project, d),
            sha256: digests.of(d)?,
        });
    }
    Ok(out)
}

/// The datamart's `metadata`: (key, value) pairs.
fn metadata(
    today: NaiveDate,
    keyed: bool,
    residents: usize,
    families: usize,
    decisions: usize,
    files: &[FileDigest],
) -> Vec<(String, String)> {
    let mut meta: Vec<(String, String)> = vec![
        (
            "data_esecuzione".into(),
            today.format("%Y-%m-%d").to_string(),
        ),
        ("strumento".into(), "vaglio".into()),
        ("versione".into(), env!("CARGO_PKG_VERSION").into()),
        (
            "pseudonimi".into(),
            if keyed {
                "si: HMAC-SHA256 (chiave fuori dai dati), primi 16 byte in esadecimale".into()
            } else {
                "no: identificativi in chiaro (--no-pseudonyms, solo per prove locali)".into()
            },
        ),
        ("residenti".into(), residents.to_string()),
        ("famiglie".into(), families.to_string()),
        ("decisioni".into(), decisions.to_string()),
    ];
    for d in files {
        let key = match &d.role {
            FileRole::Data(source) => format!("sha256:{source}:file:{}", d.path),
            FileRole::Rules(source) => format!("sha256:{source}:regole:{}", d.path),
            FileRole::Project => "sha256:progetto".into(),
            FileRole::Decisions => "sha256:decisioni".into(),
        };
        meta.push((key, d.sha256.clone()));
    }
    meta
}

/// The `metadata` table: `meta`, then `links.csv`'s digest once it is
/// known (no row if building links.csv failed, and the run fails with it).
fn metadata_table<'a>(
    meta: Vec<(String, String)>,
    links_digest: std::sync::mpsc::Receiver<String>,
) -> Table<'a> {
    let links = std::iter::from_fn(move || links_digest.recv().ok())
        .take(1)
        .map(|d| (LINKS_KEY.to_string(), d));
    let model = Model::new(
        "metadata",
        "Un fatto dell'esecuzione: identificativo, data, versione, e le impronte SHA-256 dei file letti e di links.csv",
        columns(&[
            ("chiave", Kind::Text, "Il nome del fatto"),
            ("valore", Kind::Text, "Il suo valore"),
        ]),
    )
    .key(&["chiave"]);
    Table {
        model,
        rows: Box::new(
            meta.into_iter()
                .chain(links)
                .map(|(k, v)| vec![Cell::owned(Some(k)), Cell::owned(Some(v))]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_every_file_by_source_and_kind() {
        let d = |role: FileRole, path: &str| FileDigest {
            role,
            path: path.into(),
            sha256: format!("h-{path}"),
        };
        let files = vec![
            d(FileRole::Project, "vaglio.toml"),
            d(FileRole::Data("anagrafe".into()), "anagrafe.csv"),
            d(FileRole::Rules("anagrafe".into()), "rules/anagrafe.toml"),
            d(FileRole::Decisions, "decisioni.csv"),
        ];
        let today = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let meta = metadata(today, false, 10, 4, 1, &files);
        let get = |k: &str| meta.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
        assert_eq!(get("data_esecuzione"), Some("2025-12-31"));
        assert_eq!(get("residenti"), Some("10"));
        assert_eq!(get("famiglie"), Some("4"));
        assert!(get("pseudonimi").is_some_and(|v| v.starts_with("no:")));
        assert_eq!(get("sha256:progetto"), Some("h-vaglio.toml"));
        assert_eq!(
            get("sha256:anagrafe:file:anagrafe.csv"),
            Some("h-anagrafe.csv")
        );
        assert_eq!(
            get("sha256:anagrafe:regole:rules/anagrafe.toml"),
            Some("h-rules/anagrafe.toml")
        );
        assert_eq!(get("sha256:decisioni"), Some("h-decisioni.csv"));
        assert!(metadata(today, true, 0, 0, 0, &[])[3].1.starts_with("si:"));
    }
}
