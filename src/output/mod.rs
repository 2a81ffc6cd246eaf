//! Writing output files atomically: into a temporary file in the same
//! folder, renamed over the target only once complete. A command that fails
//! half-way (bad input, a full disk) leaves the previous outputs intact.
//! Every output is created owner-only (0600, and never looser than the
//! umask).
//!
//! | module | what |
//! |---|---|
//! | [`transaction`] | a run's outputs staged and published together, or not at all |
//! | [`lock`] | one run at a time on the same outputs |
//! | [`diagnostic`] | errors on the terminal, data in them escaped |
//!
//! A file is written through a [`Sink`]: straight into place
//! ([`Sink::default`], for `vaglio check` and `vaglio link`), or into a
//! [`transaction::Transaction`]'s staging (`vaglio run`).

pub mod diagnostic;
pub mod lock;
pub mod transaction;

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use self::transaction::Staging;

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

/// Where finished files go: renamed straight into place (the default), or
/// staged in a run's [`transaction::Transaction`], which publishes them all
/// together.
#[derive(Clone, Default)]
pub struct Sink {
    staging: Option<Arc<Staging>>,
}

impl Sink {
    /// A sink staging into `staging`.
    fn staged(staging: Arc<Staging>) -> Sink {
        Sink {
            staging: Some(staging),
        }
    }

    /// An empty temporary file in `path`'s folder (created if needed),
    /// named so that the transaction's clean-up knows it.
    pub fn temp_for(
        &self,
        path: &Path,
        suffix: &str,
    ) -> Result<tempfile::NamedTempFile, OutputError> {
        let err = |source| OutputError {
            path: path.to_path_buf(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&dir).map_err(err)?;
        let prefix = if self.staging.is_some() {
            transaction::STAGED_PREFIX
        } else {
            ".vaglio-"
        };
        tempfile::Builder::new()
            .prefix(prefix)
            .suffix(suffix)
            .tempfile_in(&dir)
            .map_err(err)
    }

    /// Puts a complete temporary file (from [`Sink::temp_for`]) at `path`:
    /// syncs it, then renames it into place, or stages it.
    pub fn place(&self, temp: tempfile::NamedTempFile, path: &Path) -> Result<(), OutputError> {
        let err = |source| OutputError {
            path: path.to_path_buf(),
            source,
        };
        temp.as_file().sync_all().map_err(err)?;
        match &self.staging {
            // The file keeps the mode it was created with: owner-only
            // (0600), less if the umask says so. Reports, links, the
            // datamart and the review queue hold personal data
            // (pseudonymised or masked, and in clear with --show-pii):
            // nobody else is let in, and the umask is never widened.
            None => temp.persist(path).map(drop).map_err(|e| err(e.error)),
            Some(s) => s.keep(temp, path),
        }
    }

    /// Copies `from` to `to`: the version of `from` staged in this sink's
    /// transaction when there is one (a file this run wrote), else the file
    /// in place.
    pub fn copy(&self, from: &Path, to: &Path) -> Result<(), OutputError> {
        let source = self
            .staging
            .as_ref()
            .and_then(|s| s.staged_of(from))
            .unwrap_or_else(|| from.to_path_buf());
        let temp = self.temp_for(to, ".tmp")?;
        fs::copy(&source, temp.path()).map_err(|source| OutputError {
            path: from.to_path_buf(),
            source,
        })?;
        self.place(temp, to)
    }

    /// Removes `path`, a file an earlier run wrote: when the transaction
    /// publishes (and not if it fails), or now for a sink that writes
    /// straight into place. A file that is not there is not an error.
    pub fn remove(&self, path: &Path) -> Result<(), OutputError> {
        match &self.staging {
            Some(s) => s.remove(path),
            None => match fs::remove_file(path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(OutputError {
                    path: path.to_path_buf(),
                    source: e,
                }),
                _ => Ok(()),
            },
        }
    }

    /// Starts writing `path` (creating its folder if needed).
    pub fn create(&self, path: &Path) -> Result<AtomicFile, OutputError> {
        let temp = self.temp_for(path, ".tmp")?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temp: BufWriter::with_capacity(256 * 1024, temp),
            sink: self.clone(),
        })
    }

    /// Writes `contents` to `path`, whole.
    pub fn write(&self, path: &Path, contents: &[u8]) -> Result<(), OutputError> {
        let mut f = self.create(path)?;
        f.write_all(contents).map_err(|source| OutputError {
            path: path.to_path_buf(),
            source,
        })?;
        f.commit()
    }

    /// Writes a whole CSV file: `header`, then `rows`, every cell through
    /// [`spreadsheet_safe`].
    pub fn write_csv<H, S>(
        &self,
        path: &Path,
        header: H,
        rows: &[Vec<String>],
    ) -> miette::Result<()>
    where
        H: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut w = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| miette::miette!("cannot build {}: {e}", path.display());
        write_csv_record(&mut w, header).map_err(failed)?;
        for r in rows {
            write_csv_record(&mut w, r).map_err(failed)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| miette::miette!("cannot build {}: {e}", path.display()))?;
        self.write(path, &bytes)?;
        Ok(())
    }
}

/// A file being written; it appears at its path (or in its transaction's
/// staging) only on [`AtomicFile::commit`].
pub struct AtomicFile {
    path: PathBuf,
    temp: BufWriter<tempfile::NamedTempFile>,
    sink: Sink,
}

impl AtomicFile {
    /// Starts writing `path` (creating its folder if needed), to be renamed
    /// into place on commit.
    pub fn create(path: &Path) -> Result<AtomicFile, OutputError> {
        Sink::default().create(path)
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames the file into place (or stages it).
    pub fn commit(self) -> Result<(), OutputError> {
        let temp = self.temp.into_inner().map_err(|e| OutputError {
            path: self.path.clone(),
            source: e.into_error(),
        })?;
        self.sink.place(temp, &self.path)
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
    Sink::default().write(path, contents)
}

/// A CSV cell as vaglio writes it: safe to open in a spreadsheet.
///
/// A cell that a spreadsheet would run as a formula — one beginning with
/// `=`, `+`, `-`, `@`, a TAB or a CR — gets a leading `'`, which spreadsheets
/// read as "text follows" and do not show. So does a cell beginning with
/// `'` itself, so that [`from_spreadsheet_safe`] gives back exactly the value
/// written. Nothing is trimmed first: `\t=2+2` becomes `'\t=2+2`, never
/// `=2+2`. A plain number (an optional sign, then digits with `.` or `,`
/// separators, e.g. `-150,00` or a link weight `-3.2500`) is left as it is:
/// a spreadsheet reads it as a number, which runs nothing, and vaglio reads
/// it back as written.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'')
    );
    if risky && !is_plain_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The value of a cell written by [`spreadsheet_safe`]: without the one
/// leading `'` it added.
pub fn from_spreadsheet_safe(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// An optional sign, then digits, `.` and `,`, starting and ending with a
/// digit.
fn is_plain_number(cell: &str) -> bool {
    let body = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let b = body.as_bytes();
    matches!((b.first(), b.last()), (Some(f), Some(l)) if f.is_ascii_digit() && l.is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_digit() || *c == b'.' || *c == b',')
}

/// Text for a terminal: every control character but the line feed — ESC,
/// CR, TAB, BEL, DEL, the C1 controls — and the bidirectional overrides are
/// shown escaped (`\e`, `\r`, `\t`, `\u{202e}`), so that data (a key, a
/// column name, a message quoting a value) can neither move the cursor,
/// clear the screen nor reorder what is shown. Everything vaglio prints on
/// standard output goes through here.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes one CSV record, every cell through [`spreadsheet_safe`]. Every CSV
/// file vaglio writes goes through here.
pub fn write_csv_record<W, I, S>(w: &mut csv::Writer<W>, record: I) -> csv::Result<()>
where
    W: Write,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    for cell in record {
        w.write_field(spreadsheet_safe(cell.as_ref()).as_bytes())?;
    }
    w.write_record(std::iter::empty::<&[u8]>())
}

/// Writes a whole CSV file atomically: `header`, then `rows`, every cell
/// through [`spreadsheet_safe`].
pub fn write_csv_atomic<H, S>(path: &Path, header: H, rows: &[Vec<String>]) -> miette::Result<()>
where
    H: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    Sink::default().write_csv(path, header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_read_back() {
        for (raw, written) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1+1", "'+1+1"),
            ("-1-1", "'-1-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=2+2", "'\t=2+2"),
            ("\r=2+2", "'\r=2+2"),
            ("'quoted", "''quoted"),
            ("-", "'-"),
            ("-150,00", "-150,00"),
            ("-3.2500", "-3.2500"),
            ("+39", "+39"),
            ("1.", "1."),
            ("ROSSI", "ROSSI"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(raw), written, "{raw:?}");
            assert_eq!(from_spreadsheet_safe(&spreadsheet_safe(raw)), raw);
        }
    }

    #[test]
    fn control_characters_reach_no_terminal() {
        assert_eq!(terminal_safe("a\nb"), "a\nb");
        assert_eq!(terminal_safe("\u{1b}[2J"), "\\e[2J");
        assert_eq!(terminal_safe("x\ty\rz\u{7}"), "x\\ty\\rz\\u{7}");
        assert_eq!(terminal_safe("\u{9b}\u{202e}"), "\\u{9b}\\u{202e}");
        assert_eq!(terminal_safe("ROSSÌ"), "ROSSÌ");
    }

    #[test]
    fn records_are_written_safe() -> Result<(), Box<dyn std::error::Error>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        write_csv_record(&mut w, ["a", "=1"])?;
        write_csv_record(&mut w, vec![String::from("-2"), String::from("@x")])?;
        assert_eq!(String::from_utf8(w.into_inner()?)?, "a,'=1\n-2,'@x\n");
        Ok(())
    }

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
            // Owner-only, whatever the umask allows others.
            assert_eq!(fs::metadata(&path)?.permissions().mode() & 0o077, 0);
        }
        Ok(())
    }
}
