//! A file read whole, once: its header, records (with row and physical
//! line), structural issues and SHA-256, held in memory so that every stage
//! of a run (the checks, the linkage's preparation, the datamart, the
//! foreign-key references of other rule files) works on the same decoded
//! records. [`Inputs`] keeps the tables of one run, so that a file named
//! several times is decoded once.
//!
//! `vaglio check` on one file keeps streaming ([`super::Source`]): a table
//! is for the files of a project, which a run needs more than once.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::{
    csv_reader, io_error, EncodingChoice, Header, InputFormat, ReadError, ReadIssue, ReadOptions,
    Record, Source, SourceInfo,
};

/// Records per chunk, as the streaming reader hands them to the checks.
pub const CHUNK_ROWS: usize = 16_384;

/// A file read whole into memory.
#[derive(Debug)]
pub struct Table {
    /// The file.
    pub path: PathBuf,
    /// The cleaned header.
    pub header: Header,
    /// What the reader decided about the file.
    pub info: SourceInfo,
    /// Every record, in file order.
    pub records: Vec<Record>,
    /// The structural issues met while reading the records, in file order.
    pub issues: Vec<ReadIssue>,
    /// Where each chunk of [`CHUNK_ROWS`] records ends: (records, issues).
    chunks: Vec<(usize, usize)>,
    /// The SHA-256 of the file's bytes, in hexadecimal.
    pub sha256: String,
    /// The options it was read with.
    options: ReadOptions,
    /// Key sets already built, by columns (foreign keys of several rule
    /// files naming the same columns share one).
    key_sets: Mutex<Vec<(Vec<usize>, Arc<KeySet>)>>,
}

/// The distinct values of some columns of a file (trimmed, joined per
/// record), held as 128-bit fingerprints: 16 bytes a value whatever its
/// length, so that a foreign key into a city's registry stays small. Two
/// different values sharing a fingerprint is a 1 in 2^64 event.
#[derive(Clone, Debug, Default)]
pub struct KeySet(std::collections::HashSet<u128, foldhash::fast::FixedState>);

impl KeySet {
    /// The keys of `records` in `columns` (a missing field counts as empty).
    pub fn from_records(records: &[Record], columns: &[usize]) -> KeySet {
        let mut set = std::collections::HashSet::with_capacity_and_hasher(
            records.len(),
            foldhash::fast::FixedState::default(),
        );
        let mut parts: Vec<&str> = Vec::with_capacity(columns.len());
        for r in records {
            parts.clear();
            parts.extend(
                columns
                    .iter()
                    .map(|&i| r.fields.get(i).unwrap_or("").trim()),
            );
            set.insert(crate::checks::unique::fingerprint(&parts));
        }
        KeySet(set)
    }

    /// Whether `key` (one value per column, trimmed) is in the set.
    pub fn contains(&self, key: &[String]) -> bool {
        self.0.contains(&crate::checks::unique::fingerprint(key))
    }

    /// Distinct keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One chunk of a table: records and the issues met while reading them.
#[derive(Clone, Copy, Debug)]
pub struct TableChunk<'a> {
    /// The records.
    pub records: &'a [Record],
    /// Their structural issues.
    pub issues: &'a [ReadIssue],
}

/// Feeds the bytes read through to a SHA-256.
struct Hashing<R> {
    inner: R,
    hasher: Arc<Mutex<Sha256>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut h) = self.hasher.lock() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

impl Table {
    /// Reads `path` whole with `options`: a CSV file in one pass (its bytes
    /// hashed as they are parsed), an SQLite table or a sheet.
    pub fn read(path: &Path, options: &ReadOptions) -> Result<Table, ReadError> {
        let format = options
            .format
            .unwrap_or_else(|| InputFormat::from_path(path));
        let (mut source, hasher) = match format {
            InputFormat::Csv => {
                super::require_regular(path).map_err(|e| io_error(path, e))?;
                let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
                let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
                let hasher = Arc::new(Mutex::new(Sha256::new()));
                let reader = Hashing {
                    inner: file,
                    hasher: Arc::clone(&hasher),
                };
                let (records, header, info) =
                    csv_reader::CsvRecords::from_reader(path, Box::new(reader), bytes, options)?;
                (Source::from_csv(header, info, records), Some(hasher))
            }
            InputFormat::Sqlite | InputFormat::Excel => {
                super::require_regular(path).map_err(|e| io_error(path, e))?;
                (Source::open(path, options)?, None)
            }
        };
        let mut records = Vec::new();
        let mut issues = Vec::new();
        let mut chunks = Vec::new();
        let mut chunk = Vec::new();
        let mut more = source.next_chunk(CHUNK_ROWS, &mut chunk, &mut issues)?;
        while more {
            let issues_so_far = issues.len();
            records.append(&mut chunk);
            chunks.push((records.len(), issues_so_far));
            more = source.next_chunk(CHUNK_ROWS, &mut chunk, &mut issues)?;
        }
        let sha256 = match hasher {
            // The parser read to the end of the file: every byte is hashed.
            Some(h) => {
                let h = h.lock().map(|h| h.clone()).unwrap_or_default();
                format!("{:x}", h.finalize())
            }
            None => sha256_file(path)?,
        };
        Ok(Table {
            path: path.to_path_buf(),
            header: source.header,
            info: source.info,
            records,
            issues,
            chunks,
            sha256,
            options: options.clone(),
            key_sets: Mutex::default(),
        })
    }

    /// The key set of `columns` (indexes), built once per table.
    pub fn key_set(&self, columns: &[usize]) -> Arc<KeySet> {
        if let Ok(sets) = self.key_sets.lock() {
            if let Some((_, k)) = sets.iter().find(|(c, _)| c == columns) {
                return Arc::clone(k);
            }
        }
        let k = Arc::new(KeySet::from_records(&self.records, columns));
        if let Ok(mut sets) = self.key_sets.lock() {
            sets.push((columns.to_vec(), Arc::clone(&k)));
        }
        k
    }

    /// The chunks as the streaming reader would have handed them over (the
    /// same records and issues in each), so that checking a table gives the
    /// findings of checking its file.
    pub fn chunks(&self) -> impl Iterator<Item = TableChunk<'_>> {
        let mut start = (0, 0);
        self.chunks.iter().map(move |&(r, i)| {
            let c = TableChunk {
                records: &self.records[start.0..r],
                issues: &self.issues[start.1..i],
            };
            start = (r, i);
            c
        })
    }

    /// The index of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.columns.iter().position(|c| c == name)
    }

    /// Whether a table read with `self.options` is what reading with
    /// `wanted` would give: every setting `wanted` leaves to detection is
    /// free, every setting it names must be the one used.
    fn serves(&self, wanted: &ReadOptions) -> bool {
        let had = &self.options;
        let format = |o: &ReadOptions| {
            o.format
                .unwrap_or_else(|| InputFormat::from_path(&self.path))
        };
        let encoding_ok = match wanted.encoding {
            EncodingChoice::Auto => had.encoding == EncodingChoice::Auto || self.info.bom,
            EncodingChoice::Named(e) => {
                had.encoding == wanted.encoding
                    || (self.info.encoding == Some(e.name()) && !self.info.bom)
            }
        };
        format(had) == format(wanted)
            && encoding_ok
            && (wanted.delimiter.is_none()
                || wanted.delimiter == had.delimiter
                || wanted.delimiter == self.info.delimiter)
            && (wanted.table.is_none() || wanted.table == had.table)
            && (wanted.sheet.is_none() || wanted.sheet == had.sheet)
            && wanted.field_limit() >= had.field_limit()
            && (had.table.is_none() || wanted.table == had.table)
            && (had.sheet.is_none() || wanted.sheet == had.sheet)
    }
}

/// The SHA-256 of a file, in hexadecimal.
pub fn sha256_file(path: &Path) -> Result<String, ReadError> {
    let mut file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut hasher = Sha256::new();
    hash_reader(&mut file, &mut hasher).map_err(|e| io_error(path, e))?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// Feeds everything `reader` gives to `hasher`, in blocks of 1 MiB
/// (`io::copy`'s 8 KiB made a read call for every 8 KiB of a large file).
pub fn hash_reader(reader: &mut impl io::Read, hasher: &mut Sha256) -> io::Result<()> {
    let mut block = vec![0u8; 1 << 20];
    loop {
        match reader.read(&mut block) {
            Ok(0) => return Ok(()),
            Ok(n) => hasher.update(&block[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The files of one run, each read once: asking again for a file already
/// read (with options it satisfies) gives the same table.
#[derive(Default)]
pub struct Inputs {
    tables: Mutex<HashMap<PathBuf, Vec<Arc<Table>>>>,
}

impl Inputs {
    /// No file read yet.
    pub fn new() -> Inputs {
        Inputs::default()
    }

    /// The table of `path` read with `options`, read now if it was not.
    pub fn get(&self, path: &Path, options: &ReadOptions) -> Result<Arc<Table>, ReadError> {
        let key = canonical(path);
        if let Some(t) = self.find(&key, options) {
            return Ok(t);
        }
        let t = Arc::new(Table::read(path, options)?);
        if let Ok(mut map) = self.tables.lock() {
            map.entry(key).or_default().push(Arc::clone(&t));
        }
        Ok(t)
    }

    /// A table of `path` already read that serves `options`.
    pub fn find(&self, path: &Path, options: &ReadOptions) -> Option<Arc<Table>> {
        let key = canonical(path);
        let map = self.tables.lock().ok()?;
        map.get(&key)?.iter().find(|t| t.serves(options)).cloned()
    }

    /// Forgets the table of `path` (memory: a stage that is done with it).
    pub fn forget(&self, path: &Path) {
        if let Ok(mut map) = self.tables.lock() {
            map.remove(&canonical(path));
        }
    }
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn a_table_holds_what_the_stream_gives_and_the_file_hash() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("A;B\n");
        for i in 0..40_000 {
            if i % 7_001 == 0 {
                text.push_str(&format!("{i}\n")); // ragged
            } else {
                text.push_str(&format!("{i};x{i}\n"));
            }
        }
        let p = write(dir.path(), "t.csv", &text);
        let t = Table::read(&p, &ReadOptions::default()).unwrap();
        let (source, all) = super::super::read_all(&p, &ReadOptions::default()).unwrap();
        assert_eq!(t.header.columns, source.header.columns);
        assert_eq!(t.records.len(), all.len());
        assert!(t
            .records
            .iter()
            .zip(&all)
            .all(|(a, b)| a.row == b.row && a.line == b.line && a.fields == b.fields));
        assert_eq!(t.sha256, sha256_file(&p).unwrap());
        assert_eq!(t.info.delimiter, Some(b';'));
        // Chunks as the stream hands them over, issues with their rows.
        let chunks: Vec<TableChunk> = t.chunks().collect();
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0].records.len(), CHUNK_ROWS);
        assert_eq!(
            chunks.iter().map(|c| c.records.len()).sum::<usize>(),
            40_000
        );
        for c in &chunks {
            let (lo, hi) = (c.records[0].row, c.records[c.records.len() - 1].row);
            assert!(c.issues.iter().all(|i| (lo..=hi).contains(&i.row)));
        }
        assert_eq!(chunks.iter().map(|c| c.issues.len()).sum::<usize>(), 6);
    }

    #[test]
    fn inputs_read_a_file_once_for_options_it_serves() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "t.csv", "A;B\n1;2\n");
        let inputs = Inputs::new();
        let declared = ReadOptions {
            delimiter: Some(b';'),
            ..Default::default()
        };
        let a = inputs.get(&p, &declared).unwrap();
        // Detection would choose what was declared: the same table.
        let b = inputs.get(&p, &ReadOptions::default()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        // Another delimiter is another reading.
        let comma = ReadOptions {
            delimiter: Some(b','),
            ..Default::default()
        };
        let c = inputs.get(&p, &comma).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.header.columns, vec!["A;B"]);
        // A named encoding is served by a detected one only when it is the one detected.
        let latin = ReadOptions {
            encoding: EncodingChoice::parse("windows-1252").unwrap(),
            ..Default::default()
        };
        assert!(inputs.find(&p, &latin).is_none());
        inputs.forget(&p);
        assert!(inputs.find(&p, &declared).is_none());
    }

    #[test]
    fn key_sets_hold_trimmed_joined_values_and_are_built_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "t.csv", "A;B\n1; x \n2;y\n2;y\n3\n");
        let t = Table::read(&p, &ReadOptions::default()).unwrap();
        let k = t.key_set(&[0, 1]);
        assert_eq!(k.len(), 3);
        assert!(k.contains(&["1".into(), "x".into()]));
        assert!(
            k.contains(&["3".into(), "".into()]),
            "a short row: empty field"
        );
        assert!(!k.contains(&["1".into(), "y".into()]));
        assert!(
            !k.contains(&["1x".into(), "".into()]),
            "parts are not glued"
        );
        assert!(Arc::ptr_eq(&k, &t.key_set(&[0, 1])));
        assert!(t.key_set(&[1]).contains(&["y".into()]));
    }
}
