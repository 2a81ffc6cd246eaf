//! The history in `vaglio run`: the deliveries of the run (one per table
//! checked: the anagrafe, the register, every source), their trends for the
//! reports, and the history file with them added, staged in the run's
//! transaction.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::trend::{self, Trend};
use super::{store, Delivery, Linkage};
use crate::messages::FileRole;
use crate::output::Sink;
use crate::report::html::Lang;
use crate::report::run_index::FileDigest;
use crate::report::summary::SourceSummary;

/// One table checked by the run, as the history needs it.
pub struct Checked<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its summary (gate at severity error, as the run's).
    pub summary: SourceSummary,
    /// Records linked, in review, not linked (a source; not the anagrafe).
    pub linkage: Option<Linkage>,
}

/// The run's deliveries and every source's trend with them.
pub struct RunHistory {
    path: PathBuf,
    new: Vec<Delivery>,
    trends: BTreeMap<String, Trend>,
}

impl RunHistory {
    /// Reads the history at `path` and adds the deliveries of `checked`
    /// (in memory: [`RunHistory::record`] writes them), identified by the
    /// run's id and date and the digests of their files and rules in
    /// `files` (roles `<name>: file`, `<name>: rules`).
    pub fn new(
        path: PathBuf,
        run: &str,
        date: &str,
        files: &[FileDigest],
        checked: Vec<Checked<'_>>,
    ) -> miette::Result<RunHistory> {
        let old = store::read(&path)?;
        let digest = |role: FileRole| {
            files
                .iter()
                .find(|f| f.role == role)
                .map(|f| f.sha256.clone())
                .unwrap_or_default()
        };
        let new: Vec<Delivery> = checked
            .iter()
            .map(|c| {
                Delivery::from_summary(
                    &c.summary,
                    run,
                    date,
                    &digest(FileRole::Rules(c.name.to_string())),
                    &digest(FileRole::Data(c.name.to_string())),
                    c.linkage,
                )
            })
            .collect();
        let all = store::merged(old, &new);
        let trends = new
            .iter()
            .filter_map(|d| trend::of(&all, &d.source).map(|t| (d.source.clone(), t)))
            .collect();
        Ok(RunHistory { path, new, trends })
    }

    /// The trend of `source` with this run's delivery, if it was checked.
    pub fn trend(&self, source: &str) -> Option<&Trend> {
        self.trends.get(source)
    }

    /// The HTML section of `source`'s trend (empty when it has none).
    pub fn section(&self, source: &str, lang: Lang) -> String {
        self.trend(source)
            .map(|t| super::chart::section(t, lang))
            .unwrap_or_default()
    }

    /// Writes the history with this run's deliveries through `sink`.
    pub fn record(&self, sink: &Sink) -> miette::Result<PathBuf> {
        store::record(sink, &self.path, &self.new)?;
        Ok(self.path.clone())
    }
}
