//! A run's outputs as one transaction: every file is staged (written whole
//! and synced beside its target, under a name the clean-up knows), then all
//! are published together, or none.
//!
//! Publishing is a journal and renames. The journal lists every staged file
//! and its target; it is written whole, synced, and renamed into the master
//! folder: that rename is the commit. The files are then renamed over their
//! targets (the one named last, the datamart, last of all) and the journal
//! removed.
//!
//! - A failure or a kill before the commit leaves every earlier output as it
//!   was; the staged files are removed by the failing run, or by the next
//!   run when the process was killed.
//! - A kill after the commit leaves the journal: the next run (which takes
//!   the same [`Lock`] first) finishes the renames before anything else, so
//!   the outputs become exactly those of the committed run.
//!
//! Every file of a run thus comes from one run once any later run has
//! started; between a kill after the commit and that next start, a reader
//! that bypasses vaglio may see the renamed files of the new run beside the
//! old ones, which the run id recorded in the datamart, `summary.json` and
//! the run's index (and `links.csv`'s digest in the datamart) tells apart.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use miette::miette;
use serde::{Deserialize, Serialize};

use super::lock::Lock;
use super::{OutputError, Sink};

/// How staged files' names begin (in the folder of their target).
pub const STAGED_PREFIX: &str = ".vaglio-run-";

/// The journal of a committed run, in the master folder while its files
/// are being renamed into place.
pub const JOURNAL: &str = ".vaglio-commit.json";

/// A staged file and its target, absolute.
#[derive(Clone, Debug)]
struct Staged {
    staged: PathBuf,
    target: PathBuf,
}

/// The files staged so far; those never published are removed when the
/// last handle on it goes (a run that failed).
#[derive(Debug, Default)]
pub struct Staging {
    files: Mutex<Vec<Staged>>,
    /// Files the run removes when it publishes (absolute).
    removed: Mutex<Vec<PathBuf>>,
}

impl Staging {
    /// Keeps the complete, synced `temp` as the staged version of `target`.
    pub(super) fn keep(
        &self,
        temp: tempfile::NamedTempFile,
        target: &Path,
    ) -> Result<(), OutputError> {
        let err = |source| OutputError {
            path: target.to_path_buf(),
            source,
        };
        let dir = temp
            .path()
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let dir = fs::canonicalize(dir).map_err(err)?;
        let name = target
            .file_name()
            .ok_or_else(|| err(std::io::Error::other("not a file name")))?;
        let (_, staged) = temp.keep().map_err(|e| err(e.error))?;
        let staged = dir.join(staged.file_name().unwrap_or_default());
        let target = dir.join(name);
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        // Staged twice: the later version wins.
        if let Some(i) = files.iter().position(|f| f.target == target) {
            let old = files.remove(i);
            let _ = fs::remove_file(old.staged);
        }
        files.push(Staged { staged, target });
        Ok(())
    }

    /// Marks `target` (an earlier run's file) for removal when the run
    /// publishes its files.
    pub(super) fn remove(&self, target: &Path) -> Result<(), OutputError> {
        let err = |source| OutputError {
            path: target.to_path_buf(),
            source,
        };
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .ok_or_else(|| err(std::io::Error::other("not a file name")))?;
        let dir = match fs::canonicalize(dir) {
            Ok(d) => d,
            // No folder: nothing to remove.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(err(e)),
        };
        let target = dir.join(name);
        let mut removed = self.removed.lock().unwrap_or_else(|p| p.into_inner());
        if !removed.contains(&target) {
            removed.push(target);
        }
        Ok(())
    }

    /// The staged version of `target`, if this run staged one.
    pub(super) fn staged_of(&self, target: &Path) -> Option<PathBuf> {
        let dir = target.parent().filter(|d| !d.as_os_str().is_empty())?;
        let target = fs::canonicalize(dir).ok()?.join(target.file_name()?);
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files
            .iter()
            .find(|f| f.target == target)
            .map(|f| f.staged.clone())
    }

    fn take(&self) -> Vec<Staged> {
        std::mem::take(&mut *self.files.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for f in self.take() {
            let _ = fs::remove_file(f.staged);
        }
    }
}

/// The journal's text.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// `vaglio`'s journal format.
    format: u32,
    /// Staged file and target, relative to the journal's folder, in the
    /// order they are renamed.
    files: Vec<(String, String)>,
    /// Earlier files removed once every file is renamed, relative to the
    /// journal's folder (absent from journals of versions without it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    removed: Vec<String>,
}

/// A run's outputs being written: holds the lock until it is dropped.
#[derive(Debug)]
pub struct Transaction {
    _lock: Lock,
    staging: Arc<Staging>,
    dir: PathBuf,
    /// Files of an interrupted run that this one found committed and put in
    /// place before starting.
    pub recovered: usize,
    /// Staged files of killed runs that this one removed.
    pub cleaned: usize,
}

impl Transaction {
    /// Starts a transaction whose journal and lock live in `dir` (the
    /// master folder) for `what` (e.g. `vaglio run`): takes the lock, puts
    /// in place the files of a run that was killed after its commit, and
    /// removes the staged files of runs killed before theirs from `roots`
    /// (the output folders) and their immediate subfolders.
    pub fn begin(dir: &Path, roots: &[&Path], what: &str) -> miette::Result<Transaction> {
        let lock = Lock::acquire(dir, what)?;
        let dir = fs::canonicalize(dir).map_err(|source| OutputError {
            path: dir.to_path_buf(),
            source,
        })?;
        let recovered = recover(&dir)?;
        let mut cleaned = 0;
        let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
        for root in roots.iter().copied().chain([dir.as_path()]) {
            folders.insert(root.to_path_buf());
            if let Ok(entries) = fs::read_dir(root) {
                folders.extend(
                    entries
                        .flatten()
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .map(|e| e.path()),
                );
            }
        }
        for folder in &folders {
            cleaned += clean(folder);
        }
        Ok(Transaction {
            _lock: lock,
            staging: Arc::new(Staging::default()),
            dir,
            recovered,
            cleaned,
        })
    }

    /// Where the run's files go: into this transaction's staging.
    pub fn sink(&self) -> Sink {
        Sink::staged(Arc::clone(&self.staging))
    }

    /// Publishes every staged file, those in `last` after the others (in
    /// that order); returns the targets, in the order published.
    pub fn commit(self, last: &[&Path]) -> miette::Result<Vec<PathBuf>> {
        let mut files = self.staging.take();
        // A file staged again is not removed.
        let removed: Vec<PathBuf> = std::mem::take(
            &mut *self
                .staging
                .removed
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        )
        .into_iter()
        .filter(|r| !files.iter().any(|f| &f.target == r))
        .collect();
        let rank = |f: &Staged| {
            last.iter()
                .position(|l| {
                    l.file_name() == f.target.file_name()
                        && fs::canonicalize(l.parent().unwrap_or(Path::new(".")))
                            .is_ok_and(|d| f.target.parent() == Some(d.as_path()))
                })
                .map_or(0, |i| i + 1)
        };
        files.sort_by_key(rank);
        // Refuse now, before the commit, what a rename would refuse then.
        for f in &files {
            if f.target.is_dir() {
                let e = miette!(
                    code = "vaglio::output",
                    help = "move the folder away: vaglio writes a file there",
                    "cannot write {}: it is a folder",
                    f.target.display()
                );
                remove_all(&files);
                return Err(e);
            }
        }
        crash_point("staged");
        let journal = Journal {
            format: 1,
            files: files
                .iter()
                .map(|f| {
                    Ok((
                        relative(&self.dir, &f.staged)?,
                        relative(&self.dir, &f.target)?,
                    ))
                })
                .collect::<miette::Result<_>>()
                .inspect_err(|_| remove_all(&files))?,
            removed: removed
                .iter()
                .map(|r| relative(&self.dir, r))
                .collect::<miette::Result<_>>()
                .inspect_err(|_| remove_all(&files))?,
        };
        let text = serde_json::to_string_pretty(&journal)
            .map_err(|e| miette!("cannot write the run's journal: {e}"))
            .inspect_err(|_| remove_all(&files))?;
        if let Err(e) = write_journal(&self.dir, text.as_bytes()) {
            remove_all(&files);
            return Err(e.into());
        }
        crash_point("journal");
        // Committed: from here a failure leaves the journal, and the next
        // run finishes what this one started.
        let unfinished = |source, path: &Path| {
            miette!(
                code = "vaglio::output::unfinished",
                help = "the run is committed: fix the cause and run vaglio again, which puts the remaining files in place before anything else",
                "cannot put {} in place: {source}",
                path.display()
            )
        };
        let mut dirs = BTreeSet::new();
        for (i, f) in files.iter().enumerate() {
            fs::rename(&f.staged, &f.target).map_err(|e| unfinished(e, &f.target))?;
            if let Some(d) = f.target.parent() {
                dirs.insert(d.to_path_buf());
            }
            crash_point(&format!("renamed-{}", i + 1));
        }
        for r in &removed {
            remove_if_there(r).map_err(|e| unfinished(e, r))?;
            if let Some(d) = r.parent() {
                dirs.insert(d.to_path_buf());
            }
        }
        for d in &dirs {
            sync_dir(d).map_err(|e| unfinished(e, d))?;
        }
        crash_point("published");
        let path = self.dir.join(JOURNAL);
        fs::remove_file(&path).map_err(|e| unfinished(e, &path))?;
        sync_dir(&self.dir).map_err(|e| unfinished(e, &self.dir))?;
        Ok(files.into_iter().map(|f| f.target).collect())
    }
}

/// Removes `path`; one already gone is not an error.
fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn remove_all(files: &[Staged]) {
    for f in files {
        let _ = fs::remove_file(&f.staged);
    }
}

/// Writes the journal whole, synced, renamed into place: the commit.
fn write_journal(dir: &Path, text: &[u8]) -> Result<(), OutputError> {
    use std::io::Write;
    let path = dir.join(JOURNAL);
    let err = |source| OutputError {
        path: path.clone(),
        source,
    };
    let mut temp = tempfile::Builder::new()
        .prefix(STAGED_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    temp.write_all(text).map_err(err)?;
    temp.as_file().sync_all().map_err(err)?;
    temp.persist(&path).map_err(|e| err(e.error))?;
    sync_dir(dir).map_err(err)
}

/// Finishes the renames of a run killed after its commit; returns how many
/// files it put in place.
fn recover(dir: &Path) -> miette::Result<usize> {
    let path = dir.join(JOURNAL);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(source) => return Err(OutputError { path, source }.into()),
    };
    let journal: Journal = serde_json::from_str(&text).map_err(|e| {
        miette!(
            code = "vaglio::output::journal",
            help = "vaglio writes this file whole; it was changed by hand. Remove it and run again (the outputs may then mix two runs: check the run id in datamart.sqlite's metadata and summary.json)",
            "cannot read the journal of an interrupted run, {}: {e}",
            path.display()
        )
    })?;
    let mut n = 0;
    let mut dirs = BTreeSet::new();
    for (staged, target) in &journal.files {
        let (staged, target) = (dir.join(staged), dir.join(target));
        // Gone: renamed before the kill.
        if staged.exists() {
            fs::rename(&staged, &target).map_err(|source| OutputError {
                path: target.clone(),
                source,
            })?;
            n += 1;
        }
        if let Some(d) = target.parent() {
            dirs.insert(d.to_path_buf());
        }
    }
    for r in &journal.removed {
        let r = dir.join(r);
        remove_if_there(&r).map_err(|source| OutputError {
            path: r.clone(),
            source,
        })?;
        if let Some(d) = r.parent() {
            dirs.insert(d.to_path_buf());
        }
    }
    for d in &dirs {
        sync_dir(d).map_err(|source| OutputError {
            path: d.clone(),
            source,
        })?;
    }
    fs::remove_file(&path).map_err(|source| OutputError {
        path: path.clone(),
        source,
    })?;
    Ok(n)
}

/// Removes staged files of killed runs from `folder` (and the temporary
/// datamarts of versions that did not stage); returns how many.
fn clean(folder: &Path) -> usize {
    let Ok(entries) = fs::read_dir(folder) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let leftover = name.starts_with(STAGED_PREFIX)
            || (name.starts_with(".vaglio-") && name.ends_with(".sqlite.tmp"));
        if leftover && e.file_type().is_ok_and(|t| t.is_file()) && fs::remove_file(e.path()).is_ok()
        {
            n += 1;
        }
    }
    n
}

/// `to` relative to the folder `base` (both absolute), as UTF-8.
fn relative(base: &Path, to: &Path) -> miette::Result<String> {
    let b: Vec<Component> = base.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out.to_str().map(str::to_string).ok_or_else(|| {
        miette!(
            code = "vaglio::output::path",
            help = "give the project's output folders names in UTF-8",
            "cannot record {} in the run's journal: the path is not UTF-8",
            to.display()
        )
    })
}

/// Syncs a folder, so that renames in it survive a power cut.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// A test hook: the process kills itself (as `kill -9` would) at the point
/// named by the environment variable `VAGLIO_TEST_CRASH_AT`, or waits a
/// minute there with `VAGLIO_TEST_PAUSE_AT`. The points of `vaglio run`:
/// `started` (the rules loaded and the files' headers checked, before the
/// anagrafe), `checked` (every source checked and linked, its findings
/// staged),
/// `datamart` (the datamart staged), `staged` (every file staged, before
/// the commit), `journal` (committed, nothing renamed), `renamed-N` (N
/// files renamed), `published` (every file in place, journal not yet
/// removed). The integration tests use them to kill runs at each point.
pub fn crash_point(point: &str) {
    let at = |var: &str| std::env::var_os(var).is_some_and(|v| v == point);
    if at("VAGLIO_TEST_PAUSE_AT") {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
    if at("VAGLIO_TEST_CRASH_AT") {
        // SIGKILL, as an operator's `kill -9`: no destructor runs, no
        // temporary file is removed.
        let _ = std::process::Command::new("kill")
            .arg("-KILL")
            .arg(std::process::id().to_string())
            .status();
        std::thread::sleep(std::time::Duration::from_secs(5));
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = walk(dir)
            .into_iter()
            .map(|p| {
                p.strip_prefix(dir)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        v.sort();
        v
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
        out
    }

    #[test]
    fn files_marked_for_removal_go_with_the_commit_only() -> Result<(), Box<dyn std::error::Error>>
    {
        let root = tempfile::tempdir()?;
        let (master, reports) = (root.path().join("master"), root.path().join("reports"));
        fs::create_dir_all(reports.join("old"))?;
        fs::write(reports.join("old/index.html"), "stale")?;
        fs::write(reports.join("kept.html"), "kept")?;
        // A run that fails removes nothing.
        {
            let tx = Transaction::begin(&master, &[&reports], "test")?;
            tx.sink().remove(&reports.join("old/index.html"))?;
        }
        assert!(reports.join("old/index.html").exists());
        // One that commits removes it; a file staged again stays.
        let tx = Transaction::begin(&master, &[&reports], "test")?;
        let sink = tx.sink();
        sink.remove(&reports.join("old/index.html"))?;
        sink.remove(&reports.join("kept.html"))?;
        sink.remove(&reports.join("never-was.html"))?;
        sink.write(&reports.join("kept.html"), b"new")?;
        tx.commit(&[])?;
        assert!(!reports.join("old/index.html").exists());
        assert_eq!(fs::read(reports.join("kept.html"))?, b"new");
        Ok(())
    }

    #[test]
    fn nothing_is_visible_before_the_commit_and_everything_after(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let (master, reports) = (root.path().join("master"), root.path().join("reports"));
        fs::create_dir_all(reports.join("a"))?;
        fs::write(reports.join("a/summary.json"), "old")?;
        let tx = Transaction::begin(&master, &[&reports], "test")?;
        let sink = tx.sink();
        sink.write(&reports.join("a/summary.json"), b"new")?;
        let mut f = sink.create(&master.join("datamart.sqlite"))?;
        f.write_all(b"db")?;
        f.commit()?;
        assert_eq!(fs::read_to_string(reports.join("a/summary.json"))?, "old");
        assert!(!master.join("datamart.sqlite").exists());
        let published = tx.commit(&[&master.join("datamart.sqlite")])?;
        assert!(
            published[1].ends_with("master/datamart.sqlite"),
            "{published:?}"
        );
        assert_eq!(fs::read_to_string(reports.join("a/summary.json"))?, "new");
        assert_eq!(
            files(root.path()),
            [
                "master/.vaglio.lock",
                "master/datamart.sqlite",
                "reports/a/summary.json"
            ]
        );
        Ok(())
    }

    #[test]
    fn a_failed_run_leaves_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let master = root.path().join("master");
        {
            let tx = Transaction::begin(&master, &[], "test")?;
            tx.sink().write(&master.join("links.csv"), b"x")?;
            assert_eq!(files(&master).len(), 2);
        }
        assert_eq!(files(&master), [".vaglio.lock"]);
        Ok(())
    }

    #[test]
    fn a_committed_journal_is_finished_and_leftovers_removed(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let (master, review) = (root.path().join("master"), root.path().join("review"));
        fs::create_dir_all(&master)?;
        fs::create_dir_all(&review)?;
        // A run killed after its commit, one of two files renamed...
        fs::write(master.join(".vaglio-run-a.tmp"), "new links")?;
        fs::write(master.join("links.csv"), "old links")?;
        fs::write(review.join("queue.csv"), "new queue")?;
        let journal = Journal {
            format: 1,
            files: vec![
                (
                    "../review/.vaglio-run-gone.tmp".into(),
                    "../review/queue.csv".into(),
                ),
                (".vaglio-run-a.tmp".into(), "links.csv".into()),
            ],
            removed: vec!["../review/stale.html".into()],
        };
        fs::write(review.join("stale.html"), "stale")?;
        fs::write(master.join(JOURNAL), serde_json::to_string(&journal)?)?;
        // ... and one killed before its own, in another folder.
        fs::write(review.join(".vaglio-run-b.tmp"), "half")?;
        fs::write(master.join(".vaglio-x1.sqlite.tmp"), "half")?;
        let tx = Transaction::begin(&master, &[&review], "test")?;
        assert_eq!((tx.recovered, tx.cleaned), (1, 2));
        assert_eq!(fs::read_to_string(master.join("links.csv"))?, "new links");
        assert_eq!(
            files(root.path()),
            [
                "master/.vaglio.lock",
                "master/links.csv",
                "review/queue.csv"
            ]
        );
        Ok(())
    }

    #[test]
    fn a_folder_in_a_file_s_place_fails_before_the_commit() -> Result<(), Box<dyn std::error::Error>>
    {
        let root = tempfile::tempdir()?;
        let master = root.path().join("master");
        fs::create_dir_all(master.join("links.csv"))?;
        fs::write(master.join("kept.csv"), "old")?;
        let tx = Transaction::begin(&master, &[], "test")?;
        tx.sink().write(&master.join("kept.csv"), b"new")?;
        tx.sink().write(&master.join("links.csv"), b"new")?;
        assert!(tx.commit(&[]).is_err());
        assert_eq!(fs::read_to_string(master.join("kept.csv"))?, "old");
        assert!(!master.join(JOURNAL).exists());
        assert_eq!(files(&master), [".vaglio.lock", "kept.csv"]);
        Ok(())
    }

    #[test]
    fn paths_are_recorded_relative_to_the_journal() -> miette::Result<()> {
        let r = relative(Path::new("/p/master"), Path::new("/p/reports/a/x.json"))?;
        assert_eq!(r, "../reports/a/x.json");
        assert_eq!(relative(Path::new("/p/m"), Path::new("/p/m/f"))?, "f");
        Ok(())
    }
}
