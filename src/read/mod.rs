//! Reading extracts as municipal offices export them: CSV in any of the usual
//! encodings and delimiters, SQLite tables and Excel `.xlsx` sheets.
//!
//! Every reader produces the same thing: a header (the column names, with
//! problems found in them) and a stream of [`Record`]s, each carrying its
//! data-row number and the physical line it started on. Structural problems
//! (ragged rows, undecodable bytes, an unterminated quote) are not errors:
//! they come back as [`ReadIssue`]s next to the records so that the rest of the
//! file is still checked. Only a file that cannot be opened or read at all is a
//! [`ReadError`].

mod csv_reader;
mod encoding;
mod excel;
mod fields;
mod lines;
mod sniff;
mod sqlite;
mod table;

use std::fmt;
use std::path::{Path, PathBuf};

pub use encoding::{detect_encoding, EncodingChoice};
pub use fields::Fields;
pub use sniff::{delimiter_name, sniff_delimiter};
pub use table::{hash_reader, sha256_file, Inputs, KeySet, Table, TableChunk, CHUNK_ROWS};

/// How to read one input file. Built from the rule file's `[input]` table and
/// the command line.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Field delimiter; `None` detects it from the first lines.
    pub delimiter: Option<u8>,
    /// Character encoding of a CSV file.
    pub encoding: EncodingChoice,
    /// For SQLite inputs: the table to read (needed when there are several).
    pub table: Option<String>,
    /// For Excel inputs: the sheet to read (the first one when absent).
    pub sheet: Option<String>,
    /// The file format; `None` decides from the file extension.
    pub format: Option<InputFormat>,
    /// The longest field a CSV file may hold, in bytes; `None` means
    /// [`DEFAULT_MAX_FIELD_BYTES`]. A longer field stops the reading with
    /// [`ReadError::FieldTooLarge`] (rule files: `[input] max_field_bytes`).
    /// The same limit bounds an SQLite value and an Excel cell
    /// ([`ReadError::Sqlite`], [`ReadError::Excel`]).
    pub max_field_bytes: Option<u64>,
}

/// The default longest CSV field: 1 MiB. Far more than any real value; what
/// is longer is nearly always a broken file (a quote opened and never closed
/// swallows the rest of the file into one field).
pub const DEFAULT_MAX_FIELD_BYTES: u64 = 1024 * 1024;

impl ReadOptions {
    /// The longest CSV field allowed, in bytes.
    pub fn field_limit(&self) -> u64 {
        self.max_field_bytes
            .unwrap_or(DEFAULT_MAX_FIELD_BYTES)
            .max(1)
    }
}

/// The kinds of file vaglio reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// Delimited text.
    Csv,
    /// A table in an SQLite database.
    Sqlite,
    /// A sheet of an Excel workbook (`.xlsx`, `.xlsm`, `.xls`, `.ods`).
    Excel,
}

impl InputFormat {
    /// The format a file's extension suggests; CSV when it suggests nothing.
    pub fn from_path(path: &Path) -> InputFormat {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "sqlite" | "sqlite3" | "db" => InputFormat::Sqlite,
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => InputFormat::Excel,
            _ => InputFormat::Csv,
        }
    }
}

/// One data record: its fields as text, with where it came from.
#[derive(Clone, Debug)]
pub struct Record {
    /// 1-based number of the data row (the header is not counted).
    pub row: u64,
    /// 1-based physical line (or sheet row) where the record starts.
    pub line: u64,
    /// The fields, decoded to UTF-8.
    pub fields: Fields,
}

/// A structural problem found while reading, tied to a place in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadIssue {
    /// 1-based data row (0 for the header).
    pub row: u64,
    /// 1-based physical line.
    pub line: u64,
    /// The column concerned, when there is one.
    pub column: Option<String>,
    /// What is wrong.
    pub kind: ReadIssueKind,
}

/// The kinds of structural problem a reader reports.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadIssueKind {
    /// A header cell is empty; the column is named `column_N` in reports.
    BlankHeader {
        /// 1-based position of the column.
        position: usize,
    },
    /// Two header cells have the same name; later ones are renamed `NAME_2`, …
    DuplicateHeader {
        /// The repeated name.
        name: String,
        /// 1-based position of the later occurrence.
        position: usize,
    },
    /// A row has a different number of fields than the header.
    RaggedRow {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// Bytes that are not valid in the file's encoding; they were replaced by
    /// U+FFFD for checking.
    Undecodable {
        /// The encoding the file is read with.
        encoding: &'static str,
    },
    /// A quoted field never closes: the rest of the file was swallowed into it.
    UnterminatedQuote {
        /// Lines swallowed after the opening quote.
        lines: u64,
    },
    /// A blank row: an empty line between records (a CSV parser skips it
    /// silently), or a row whose every cell is empty.
    BlankRow {
        /// Whether the line is empty (it is then no record: its `row` is
        /// 0 and its `line` says where it is).
        empty_line: bool,
    },
    /// The declared delimiter does not fit the file; another one does.
    DelimiterMismatch {
        /// The declared delimiter.
        declared: u8,
        /// One that splits the first lines evenly.
        found: u8,
    },
    /// The declared encoding does not fit the file; another one does.
    EncodingMismatch {
        /// The declared encoding.
        declared: &'static str,
        /// One the file reads in.
        found: &'static str,
    },
    /// A cell that could not be represented as text (e.g. an SQLite blob or
    /// an Excel error value).
    UnreadableCell {
        /// What the cell held.
        detail: String,
    },
}

/// English, from the catalogue ([`crate::messages::en::read_issue`]).
impl fmt::Display for ReadIssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::messages::en::read_issue(self))
    }
}

/// The header of a source, after cleaning.
#[derive(Clone, Debug, Default)]
pub struct Header {
    /// Column names, trimmed, blank ones named `column_N`, duplicates renamed
    /// `NAME_2`, `NAME_3`, …
    pub columns: Vec<String>,
    /// Problems found in the header row.
    pub issues: Vec<ReadIssue>,
}

impl Header {
    /// Cleans a raw header row: trims names, names blank columns and renames
    /// duplicates, recording an issue for each.
    pub fn from_raw<I, S>(raw: I, line: u64) -> Header
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut columns: Vec<String> = Vec::new();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut issues = Vec::new();
        for (i, name) in raw.into_iter().enumerate() {
            let position = i + 1;
            let mut name = name
                .as_ref()
                .trim()
                .trim_start_matches('\u{FEFF}')
                .trim()
                .to_string();
            if name.is_empty() {
                issues.push(ReadIssue {
                    row: 0,
                    line,
                    column: None,
                    kind: ReadIssueKind::BlankHeader { position },
                });
                name = format!("column_{position}");
            }
            if seen.contains(&name) {
                issues.push(ReadIssue {
                    row: 0,
                    line,
                    column: Some(name.clone()),
                    kind: ReadIssueKind::DuplicateHeader {
                        name: name.clone(),
                        position,
                    },
                });
                let mut n = 2;
                while seen.contains(&format!("{name}_{n}")) {
                    n += 1;
                }
                name = format!("{name}_{n}");
            }
            seen.insert(name.clone());
            columns.push(name);
        }
        Header { columns, issues }
    }
}

/// What the reader decided about a file (reported in the summary).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    /// The file format.
    pub format: InputFormat,
    /// The encoding used to decode a CSV file.
    pub encoding: Option<&'static str>,
    /// Whether the encoding was detected rather than declared.
    pub encoding_detected: bool,
    /// The delimiter of a CSV file.
    pub delimiter: Option<u8>,
    /// Whether the file began with a byte-order mark.
    pub bom: bool,
    /// Total size of the file in bytes.
    pub bytes: u64,
}

/// A file that could not be opened or read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReadError {
    /// The operating system refused to open or read the file.
    #[error("cannot read {path}: {source}")]
    #[diagnostic(
        code(vaglio::read::io),
        help("check that the file exists and that you may read it")
    )]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The SQLite database could not be read.
    #[error("cannot read the SQLite database {path}: {message}")]
    #[diagnostic(code(vaglio::read::sqlite), help("{help}"))]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
        /// What to do about it.
        help: String,
    },
    /// A CSV field is longer than the limit (`[input] max_field_bytes`):
    /// reading stops rather than holding an unbounded field in memory.
    #[error("{path}: {what} is longer than max_field_bytes = {limit} bytes")]
    #[diagnostic(
        code(vaglio::read::field_too_large),
        help("raise `max_field_bytes` in the [input] section of the rule file (now {limit}) if fields this long are expected; otherwise look near line {line} for a quote that opens a field and never closes, which swallows the rest of the file into one field")
    )]
    FieldTooLarge {
        /// The file.
        path: PathBuf,
        /// Which field, in words (row, line, column).
        what: String,
        /// 1-based physical line where the record starts.
        line: u64,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The workbook could not be read.
    #[error("cannot read the workbook {path}: {message}")]
    #[diagnostic(code(vaglio::read::excel), help("{help}"))]
    Excel {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
        /// What to do about it.
        help: String,
    },
}

/// An open source, yielding records in chunks.
pub struct Source {
    /// The cleaned header.
    pub header: Header,
    /// What the reader decided about the file.
    pub info: SourceInfo,
    inner: Inner,
}

enum Inner {
    Csv(Box<csv_reader::CsvRecords>),
    Rows(std::vec::IntoIter<(Record, Vec<ReadIssue>)>),
}

impl Source {
    /// Opens `path` with `options`, reading the header.
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Source, ReadError> {
        let format = options
            .format
            .unwrap_or_else(|| InputFormat::from_path(path));
        match format {
            InputFormat::Csv => {
                let (records, header, info) = csv_reader::CsvRecords::open(path, options)?;
                Ok(Source {
                    header,
                    info,
                    inner: Inner::Csv(Box::new(records)),
                })
            }
            InputFormat::Sqlite => {
                let (header, rows, info) =
                    sqlite::read_table(path, options.table.as_deref(), options.field_limit())?;
                Ok(Source {
                    header,
                    info,
                    inner: Inner::Rows(rows.into_iter()),
                })
            }
            InputFormat::Excel => {
                let (header, rows, info) =
                    excel::read_sheet(path, options.sheet.as_deref(), options.field_limit())?;
                Ok(Source {
                    header,
                    info,
                    inner: Inner::Rows(rows.into_iter()),
                })
            }
        }
    }

    /// Reads up to `max` records into `out` (replacing what it held, reusing
    /// its buffers where the format allows) and the
    /// structural issues met on the way into `issues` (appended). Returns
    /// `false` once the source is exhausted and nothing was read.
    pub fn next_chunk(
        &mut self,
        max: usize,
        out: &mut Vec<Record>,
        issues: &mut Vec<ReadIssue>,
    ) -> Result<bool, ReadError> {
        let width = self.header.columns.len();
        match &mut self.inner {
            Inner::Csv(r) => r.next_chunk(max, width, out, issues)?,
            Inner::Rows(rows) => {
                out.clear();
                for (record, mut record_issues) in rows.by_ref().take(max) {
                    if record.fields.len() != width {
                        issues.push(ReadIssue {
                            row: record.row,
                            line: record.line,
                            column: None,
                            kind: ReadIssueKind::RaggedRow {
                                expected: width,
                                found: record.fields.len(),
                            },
                        });
                    }
                    issues.append(&mut record_issues);
                    out.push(record);
                }
            }
        }
        Ok(!out.is_empty())
    }

    /// Bytes consumed so far (for progress bars); rows for non-CSV sources.
    pub fn position(&self) -> u64 {
        match &self.inner {
            Inner::Csv(r) => r.position(),
            Inner::Rows(_) => 0,
        }
    }
}

/// A file that could not be opened or read, as a [`ReadError`].
/// Refuses a path that is a FIFO, a device or a socket, before opening it
/// (opening a FIFO waits for a writer; `/dev/zero` never ends). A missing
/// file or a directory passes: opening it says why it cannot be read.
/// `vaglio check` still streams a pipe given as its data input; every file
/// read whole (rule files, the project, keys, code lists, references,
/// baselines, decisions, a run's inputs) goes through this.
pub fn require_regular(path: &Path) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, a device or a socket); vaglio reads files whole only from regular files",
        )),
        _ => Ok(()),
    }
}

/// Reads a small file whole (a rule file, the project, a key, a baseline),
/// refusing special files ([`require_regular`]).
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    require_regular(path)?;
    std::fs::read(path)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_regular(path)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

pub(crate) fn io_error(path: &Path, source: std::io::Error) -> ReadError {
    ReadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Source {
    /// A source over CSV records already opened.
    pub(crate) fn from_csv(
        header: Header,
        info: SourceInfo,
        records: csv_reader::CsvRecords,
    ) -> Source {
        Source {
            header,
            info,
            inner: Inner::Csv(Box::new(records)),
        }
    }

    /// Reads CSV `data` held in memory as if it were the file `name`
    /// (fuzzing and tests: the same detection and reading as [`Source::open`]).
    pub(crate) fn csv_from_bytes(
        name: &Path,
        data: Vec<u8>,
        options: &ReadOptions,
    ) -> Result<Source, ReadError> {
        let bytes = data.len() as u64;
        let (records, header, info) = csv_reader::CsvRecords::from_reader(
            name,
            Box::new(std::io::Cursor::new(data)),
            bytes,
            options,
        )?;
        Ok(Source {
            header,
            info,
            inner: Inner::Csv(Box::new(records)),
        })
    }
}

/// Reads every record of a source into memory (small files: code lists,
/// foreign-key targets, tests).
pub fn read_all(path: &Path, options: &ReadOptions) -> Result<(Source, Vec<Record>), ReadError> {
    require_regular(path).map_err(|e| io_error(path, e))?;
    let mut source = Source::open(path, options)?;
    let mut all = Vec::new();
    let mut chunk = Vec::new();
    let mut issues = Vec::new();
    while source.next_chunk(8192, &mut chunk, &mut issues)? {
        all.append(&mut chunk);
    }
    Ok((source, all))
}
