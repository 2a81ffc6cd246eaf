//! The master stage: every file the run rests on with its digest, the
//! datamart's `metadata`, then the datamart, `links.csv`, the review queue
//! and the run's index, each written atomically.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::anagrafe::{Anagrafe, Identities};
use super::source::{shown, Digests};
use super::sources::Linked;
use super::tables::Master;
use super::{RunOptions, SourceResult};
use crate::master::datamart::{self, Cell, Table};
use crate::master::pseudonym::Pseudonymizer;
use crate::master::review;
use crate::output::write_atomic;
use crate::project::Project;
use crate::report::html::Lang;
use crate::report::run_index::{self, FileDigest, IndexEntry, RunMetadata};

/// What the master stage wrote.
pub(crate) struct Written {
    /// Families in the datamart.
    pub families: usize,
    /// Pairs in the review queue.
    pub queued: usize,
    /// The files, datamart first.
    pub files: Vec<PathBuf>,
}

/// Everything the master stage is written from.
pub(crate) struct MasterInput<'r> {
    pub project: &'r Project,
    pub opts: &'r RunOptions,
    pub anagrafe: &'r Anagrafe,
    pub ids: &'r Identities<'r>,
    pub linked: &'r [Linked],
    /// The file each source was read from, in project order.
    pub files: &'r [PathBuf],
    pub results: &'r [SourceResult],
    pub pseudo: &'r Pseudonymizer,
    pub decisions: usize,
}

/// Writes the master, the review queue and the run's index.
pub(crate) fn stage(m: &MasterInput, digests: &mut Digests) -> miette::Result<Written> {
    let (project, opts) = (m.project, m.opts);
    let ana = &m.anagrafe;
    let mut clock = crate::memory::Stages::new(None);
    let master = Master::new(
        &ana.residents,
        &m.ids.shown,
        &m.ids.by_id,
        m.linked,
        m.pseudo,
        opts.today,
    );
    let files = file_digests(project, m.files, opts.decisions.as_deref(), digests)?;
    let metadata = metadata(
        opts.today,
        m.pseudo.keyed(),
        ana.residents.len(),
        master.family_count(),
        m.decisions,
        &files,
    );
    let (header, queue) = master.queue(&ana.cells, &ana.spec, opts.show_pii);
    clock.stage("families, queue");

    let dm = project.master.join("datamart.sqlite");
    let mut tables = vec![master.individui(), master.famiglie(), master.collegamenti()];
    tables.extend(m.linked.iter().map(|l| master.source_table(l)));
    tables.push(metadata_table(metadata));
    // links.csv is built while SQLite writes the datamart, and written
    // only once the datamart is.
    let links = std::thread::scope(|scope| {
        let links = scope.spawn(|| master.links_csv());
        let written = datamart::write(&dm, tables);
        let links = links
            .join()
            .unwrap_or_else(|_| Err(miette::miette!("building links.csv failed")));
        written.and(links)
    })?;
    clock.stage("datamart");
    let links_path = project.master.join("links.csv");
    write_atomic(&links_path, &links)?;
    let queue_path = project.review.join("queue.csv");
    review::write_queue(&queue_path, &header, &queue)?;
    clock.stage("links.csv, queue");
    let entries: Vec<IndexEntry> = m
        .results
        .iter()
        .map(|r| r.index_entry(r.name != "anagrafe"))
        .collect();
    let run_metadata = RunMetadata {
        version: env!("CARGO_PKG_VERSION").to_string(),
        date: opts.today.format("%Y-%m-%d").to_string(),
        files,
    };
    let index = run_index::write(&project.reports, &entries, &run_metadata, Lang::It)?;
    clock.stage("run index");
    Ok(Written {
        families: master.family_count(),
        queued: queue.len(),
        files: vec![dm, links_path, queue_path, index],
    })
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
        role: "project".into(),
        path: shown(project, &project.path),
        sha256: digests.of(&project.path)?,
    }];
    let mut digest = |source: &str, kind: &str, p: &Path| -> miette::Result<()> {
        out.push(FileDigest {
            role: format!("{source}: {kind}"),
            path: shown(project, p),
            sha256: digests.of(p)?,
        });
        Ok(())
    };
    let ana = &project.anagrafe;
    digest("anagrafe", "file", &ana.file)?;
    digest("anagrafe", "rules", &ana.rules)?;
    for (s, file) in project.sources.iter().zip(files) {
        digest(&s.name, "file", file)?;
        digest(&s.name, "rules", &s.rules)?;
    }
    if let Some(d) = decisions {
        out.push(FileDigest {
            role: "decisions".into(),
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
    meta
}

fn metadata_table<'a>(meta: Vec<(String, String)>) -> Table<'a> {
    Table {
        name: "metadata".into(),
        columns: vec![("chiave".into(), "TEXT"), ("valore".into(), "TEXT")],
        rows: Box::new(
            meta.into_iter()
                .map(|(k, v)| vec![Cell::owned(Some(k)), Cell::owned(Some(v))]),
        ),
        indexes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_every_file_by_source_and_kind() {
        let d = |role: &str, path: &str| FileDigest {
            role: role.into(),
            path: path.into(),
            sha256: format!("h-{path}"),
        };
        let files = vec![
            d("project", "vaglio.toml"),
            d("anagrafe: file", "anagrafe.csv"),
            d("anagrafe: rules", "rules/anagrafe.toml"),
            d("decisions", "decisioni.csv"),
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
