//! The last master, for `vaglio link --against master/`: the links of every
//! source (from `links.csv`) and the hashes of the files they were made
//! from (from the datamart's `metadata` table), so that one source can be
//! linked again without linking the others, with the same result as a full
//! run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miette::miette;
use rusqlite::{Connection, OpenFlags};

use super::write::{LINKS_KEY, RUN_KEY};
use crate::master::links::{self, Stored};
use crate::read::sha256_file;

/// Link one source again against the last master.
#[derive(Clone, Debug)]
pub struct Against {
    /// The master folder of the last run.
    pub master: PathBuf,
    /// The source to link again.
    pub source: String,
    /// Its new extract.
    pub file: PathBuf,
}

/// A file the last run read: its path as the project names it, and hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Recorded {
    pub path: String,
    pub sha256: String,
}

/// What the last run left in the master folder.
pub(crate) struct Previous {
    /// By (source or `anagrafe`, `file` or `regole`).
    pub files: BTreeMap<(String, String), Recorded>,
    /// Every source's links, as written.
    pub links: Vec<Stored>,
    /// The id of the run that wrote it.
    pub run: String,
    /// The master folder.
    pub master: PathBuf,
}

fn unusable(master: &Path, what: String) -> miette::Report {
    miette!(
        code = "vaglio::against::master",
        help = "give the master folder of an earlier `vaglio run` of this project (it holds datamart.sqlite and links.csv), or run `vaglio run` to build it",
        "{}: {what}",
        master.display()
    )
}

/// Reads the last master.
pub(crate) fn read(master: &Path) -> miette::Result<Previous> {
    let dm = master.join("datamart.sqlite");
    if !dm.is_file() {
        return Err(unusable(master, "no datamart.sqlite here".into()));
    }
    let conn = Connection::open_with_flags(&dm, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| unusable(master, format!("cannot open datamart.sqlite: {e}")))?;
    let mut stmt = conn
        .prepare("SELECT chiave, valore FROM metadata")
        .map_err(|e| unusable(master, format!("datamart.sqlite has no metadata: {e}")))?;
    let pairs = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| unusable(master, format!("cannot read the metadata: {e}")))?;
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let (Some(run), Some(links_digest)) = (get(RUN_KEY), get(LINKS_KEY)) else {
        return Err(unusable(
            master,
            "the datamart's metadata records no run id and no digest of links.csv (written by an earlier version of vaglio)".into(),
        ));
    };
    let mut files = BTreeMap::new();
    for (k, v) in pairs {
        // sha256:<source>:<file|regole>:<path>
        let Some(rest) = k.strip_prefix("sha256:") else {
            continue;
        };
        let mut parts = rest.splitn(3, ':');
        if let (Some(source), Some(kind), Some(path)) = (parts.next(), parts.next(), parts.next()) {
            files.insert(
                (source.to_string(), kind.to_string()),
                Recorded {
                    path: path.to_string(),
                    sha256: v,
                },
            );
        }
    }
    if !files.contains_key(&("anagrafe".to_string(), "file".to_string())) {
        return Err(unusable(
            master,
            "the datamart's metadata does not record the anagrafe".into(),
        ));
    }
    let links_path = master.join("links.csv");
    if !links_path.is_file() {
        return Err(unusable(master, "no links.csv here".into()));
    }
    let digest = sha256_file(&links_path)?;
    if digest != links_digest {
        return Err(miette!(
            code = "vaglio::against::mixed",
            help = "links.csv was changed, or comes from another run than the datamart (copied by hand?); run `vaglio run` to write them both again",
            "{}: links.csv is not the one the datamart's run {run} wrote",
            master.display()
        ));
    }
    let links = links::read(&links_path)?;
    Ok(Previous {
        files,
        links,
        master: master.to_path_buf(),
        run,
    })
}

impl Previous {
    /// The recorded file of a source (`file` or `regole`).
    pub fn file(&self, source: &str, kind: &str) -> Option<&Recorded> {
        self.files.get(&(source.to_string(), kind.to_string()))
    }

    /// Refuses unless `path` is the file the last run recorded for
    /// `source`/`kind`, unchanged.
    pub fn same(&self, source: &str, kind: &str, path: &Path, sha256: &str) -> miette::Result<()> {
        let what = if kind == "file" {
            "data file"
        } else {
            "rule file"
        };
        match self.file(source, kind) {
            None => Err(miette!(
                code = "vaglio::against::changed",
                help = "run `vaglio run` to link every source again",
                "`{source}` is not in the master {} (a source added since?)",
                self.master.display()
            )),
            Some(r) if r.sha256 != sha256 => Err(miette!(
                code = "vaglio::against::changed",
                help = "`--against` reuses the other sources' links only when nothing they were made from has changed; run `vaglio run` to link everything again",
                "the {what} of `{source}` ({}) changed since the master {} was written",
                path.display(),
                self.master.display()
            )),
            Some(_) => Ok(()),
        }
    }
}
