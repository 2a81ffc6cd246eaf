//! Writing output files atomically: into a temporary file in the same
//! folder, renamed over the target only once complete. A run that fails
//! half-way (bad input, a full disk) leaves the previous outputs intact.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why an output could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write {path}: {source}")]
#[diagnostic(
    code(vaglio::output),
    help("check that the output folder exists or can be created, that you may write there, and that the disk is not full")
)]
pub struct OutputError {
    /// The file or folder.
    pub path: PathBuf,
    /// The underlying error.
    pub source: io::Error,
}

/// A file being written; it appears at its path only on [`AtomicFile::commit`].
pub struct AtomicFile {
    path: PathBuf,
    temp: BufWriter<tempfile::NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `path` (creating its folder if needed).
    pub fn create(path: &Path) -> Result<AtomicFile, OutputError> {
        let err = |source| OutputError {
            path: path.to_path_buf(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&dir).map_err(err)?;
        let temp = tempfile::Builder::new()
            .prefix(".vaglio-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(err)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temp: BufWriter::with_capacity(256 * 1024, temp),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<(), OutputError> {
        let path = self.path.clone();
        let err = |source| OutputError {
            path: path.clone(),
            source,
        };
        let temp = self.temp.into_inner().map_err(|e| err(e.into_error()))?;
        temp.as_file().sync_all().map_err(err)?;
        // Temporary files are created private (0600); reports are ordinary
        // files, readable like any other the user writes.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(fs::Permissions::from_mode(0o644))
                .map_err(err)?;
        }
        temp.persist(&path).map_err(|e| err(e.error))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

/// Writes `contents` to `path` atomically.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(contents).map_err(|source| OutputError {
        path: path.to_path_buf(),
        source,
    })?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("out.csv");
        fs::write(&path, "old")?;
        let mut f = AtomicFile::create(&path)?;
        f.write_all(b"new")?;
        assert_eq!(fs::read_to_string(&path)?, "old");
        drop(f);
        assert_eq!(fs::read_to_string(&path)?, "old");
        write_atomic(&path, b"new")?;
        assert_eq!(fs::read_to_string(&path)?, "new");
        let leftovers = fs::read_dir(dir.path())?.count();
        assert_eq!(leftovers, 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path)?.permissions().mode() & 0o777, 0o644);
        }
        Ok(())
    }
}
