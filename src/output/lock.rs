//! One run at a time on the same outputs: an exclusive lock on a file in the
//! master folder, taken before a run reads or writes anything there.
//!
//! The lock is the system's (`flock`, through `File::try_lock`), not the file's existence: it goes
//! with the process that holds it, so a run that crashes or is killed
//! leaves nothing that stops the next one. The file's text names the
//! holder (process, command, start time, host), for the message a second
//! run gets.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use miette::miette;

use super::OutputError;

/// The lock file's name, in the folder it guards.
pub const LOCK_FILE: &str = ".vaglio.lock";

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct Lock {
    // Held open: closing it releases the lock.
    _file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock on `dir` (creating the folder and the lock file if
    /// needed) for `what` (e.g. `vaglio run`), or says who holds it.
    pub fn acquire(dir: &Path, what: &str) -> miette::Result<Lock> {
        let path = dir.join(LOCK_FILE);
        let io = |source| OutputError {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(io)?;
        if !try_lock(&file).map_err(io)? {
            let mut holder = String::new();
            // The holder writes its line right after locking: an empty
            // text means it is just starting.
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let holder = if holder.is_empty() {
                "another vaglio process".to_string()
            } else {
                crate::output::terminal_safe(holder).into_owned()
            };
            return Err(miette!(
                code = "vaglio::lock::held",
                help = "wait for it to finish, or stop it; the lock goes with its holder, so a run that crashed or was killed does not hold it",
                "another run is writing these outputs: {holder} holds {}",
                path.display()
            ));
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", holder_line(what)).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(Lock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Who holds the lock: process, command, start time and host.
fn holder_line(what: &str) -> String {
    let started = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
    format!(
        "process {} ({what}, started {started} on {})",
        std::process::id(),
        hostname()
    )
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "this machine".into())
}

/// Takes an exclusive lock without waiting: `Ok(false)` when another
/// process (or another open of the file) holds it.
fn try_lock(file: &File) -> std::io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_named_until_the_first_lets_go(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let first = Lock::acquire(dir.path(), "vaglio run")?;
        assert!(first.path().ends_with(LOCK_FILE));
        // flock locks belong to the open file: a second open in the same
        // process conflicts as another process would.
        let second = Lock::acquire(dir.path(), "vaglio run");
        let message = format!("{:?}", second.err().ok_or("locked twice")?);
        assert!(
            message.contains(&format!("process {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains("vaglio run"));
        drop(first);
        let again = Lock::acquire(dir.path(), "vaglio link --against")?;
        let text = std::fs::read_to_string(again.path())?;
        assert!(text.contains("vaglio link --against"), "{text}");
        Ok(())
    }
}
