//! The CSV reader: encoding, delimiter, header, and records with their line
//! numbers.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use encoding_rs::Encoding;

use super::encoding::{bom, detect_encoding, EncodingChoice};
use super::sniff::sniff_delimiter;
use super::{
    Header, InputFormat, ReadError, ReadIssue, ReadIssueKind, ReadOptions, Record, SourceInfo,
};

/// How many bytes the encoding and delimiter detectors look at.
const SAMPLE_BYTES: usize = 256 * 1024;

/// A reader that counts the bytes it hands out (for progress bars).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Records of an open CSV file.
pub(crate) struct CsvRecords {
    reader: csv::Reader<Box<dyn Read + Send>>,
    encoding: &'static Encoding,
    delimiter: u8,
    row: u64,
    /// The last record read, if it spanned several lines: (row, line, lines
    /// spanned, whether it looked broken). Used to spot an unterminated quote.
    last_multiline: Option<(u64, u64, u64, bool)>,
    finished: bool,
    consumed: Arc<AtomicU64>,
    path: std::path::PathBuf,
    columns: Vec<String>,
}

fn io_error(path: &Path, source: io::Error) -> ReadError {
    ReadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl CsvRecords {
    /// Opens a CSV file: detects encoding and delimiter unless given, and
    /// reads the header.
    pub(crate) fn open(
        path: &Path,
        options: &ReadOptions,
    ) -> Result<(CsvRecords, Header, SourceInfo), ReadError> {
        let mut file = File::open(path).map_err(|e| io_error(path, e))?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut sample = Vec::with_capacity(SAMPLE_BYTES.min(bytes as usize + 1));
        (&mut file)
            .take(SAMPLE_BYTES as u64)
            .read_to_end(&mut sample)
            .map_err(|e| io_error(path, e))?;
        let complete = (sample.len() as u64) >= bytes;
        let has_bom = bom(&sample);
        let (encoding, detected) = match (options.encoding, has_bom) {
            // A byte-order mark overrides any declaration.
            (_, Some((enc, _))) => (enc, false),
            (EncodingChoice::Named(enc), None) => (enc, false),
            (EncodingChoice::Auto, None) => (detect_encoding(&sample, complete), true),
        };
        let bom_len = has_bom.map(|(_, n)| n).unwrap_or(0);

        let consumed = Arc::new(AtomicU64::new(0));
        // UTF-16 is transcoded up front; every ASCII-compatible encoding is
        // decoded field by field, which keeps the reader zero-copy for UTF-8.
        let (input, decoded_sample): (Box<dyn Read + Send>, Vec<u8>) =
            if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
                let mut all = sample;
                file.read_to_end(&mut all).map_err(|e| io_error(path, e))?;
                let (text, _, _) = encoding.decode(&all);
                let utf8 = text.into_owned().into_bytes();
                let sample = utf8[..utf8.len().min(SAMPLE_BYTES)].to_vec();
                consumed.store(bytes, Ordering::Relaxed);
                (Box::new(io::Cursor::new(utf8)), sample)
            } else {
                let rest = &sample[bom_len..];
                let s = rest.to_vec();
                consumed.store(sample.len() as u64, Ordering::Relaxed);
                let chained = io::Cursor::new(rest.to_vec()).chain(Counting {
                    inner: file,
                    count: Arc::clone(&consumed),
                });
                (Box::new(chained), s)
            };
        let effective = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
            encoding_rs::UTF_8
        } else {
            encoding
        };
        let delimiter = options
            .delimiter
            .unwrap_or_else(|| sniff_delimiter(&decoded_sample));
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(input);
        let mut records = CsvRecords {
            reader,
            encoding: effective,
            delimiter,
            row: 0,
            last_multiline: None,
            finished: false,
            consumed,
            path: path.to_path_buf(),
            columns: Vec::new(),
        };
        let header = records.read_header(path)?;
        records.columns = header.columns.clone();
        let info = SourceInfo {
            format: InputFormat::Csv,
            encoding: Some(encoding.name()),
            encoding_detected: detected,
            delimiter: Some(delimiter),
            bom: has_bom.is_some(),
            bytes,
        };
        Ok((records, header, info))
    }

    fn read_header(&mut self, path: &Path) -> Result<Header, ReadError> {
        let mut raw = csv::ByteRecord::new();
        let got = self
            .reader
            .read_byte_record(&mut raw)
            .map_err(|e| io_error(path, csv_to_io(e)))?;
        if !got {
            self.finished = true;
            return Ok(Header::default());
        }
        let line = raw.position().map(|p| p.line()).unwrap_or(1);
        let mut names = Vec::with_capacity(raw.len());
        let mut issues = Vec::new();
        for field in raw.iter() {
            let (text, bad) = self.decode(field);
            if bad {
                issues.push(ReadIssue {
                    row: 0,
                    line,
                    column: None,
                    kind: ReadIssueKind::Undecodable {
                        encoding: self.encoding.name(),
                    },
                });
            }
            names.push(text);
        }
        let mut header = Header::from_raw(names, line);
        header.issues.splice(0..0, issues);
        Ok(header)
    }

    fn decode(&self, bytes: &[u8]) -> (String, bool) {
        if self.encoding == encoding_rs::UTF_8 {
            match std::str::from_utf8(bytes) {
                Ok(s) => (s.to_string(), false),
                Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
            }
        } else {
            let (text, bad) = self.encoding.decode_without_bom_handling(bytes);
            (text.into_owned(), bad)
        }
    }

    /// Bytes read so far.
    pub(crate) fn position(&self) -> u64 {
        self.consumed.load(Ordering::Relaxed)
    }

    /// Reads up to `max` records into `out`, reusing the buffers of the
    /// records already there (no allocation once warm); see
    /// [`super::Source::next_chunk`].
    pub(crate) fn next_chunk(
        &mut self,
        max: usize,
        width: usize,
        out: &mut Vec<Record>,
        issues: &mut Vec<ReadIssue>,
    ) -> Result<(), ReadError> {
        let mut n = 0;
        while n < max && !self.finished {
            let mut record = match out.get_mut(n) {
                Some(r) => std::mem::take(&mut r.fields).into_byte_record(),
                None => csv::ByteRecord::new(),
            };
            let got = self
                .reader
                .read_byte_record(&mut record)
                .map_err(|e| ReadError::Io {
                    path: self.path.clone(),
                    source: csv_to_io(e),
                })?;
            if !got {
                self.finished = true;
                if let Some((row, line, lines, broken)) = self.last_multiline {
                    if broken {
                        issues.push(ReadIssue {
                            row,
                            line,
                            column: None,
                            kind: ReadIssueKind::UnterminatedQuote { lines },
                        });
                    }
                }
                break;
            }
            self.row += 1;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let newlines = memchr_count(b'\n', record.as_slice());
            self.last_multiline = if newlines > 0 {
                let ragged = record.len() != width;
                let swallowed_delimiter = record
                    .iter()
                    .any(|f| f.contains(&b'\n') && f.contains(&self.delimiter));
                Some((
                    self.row,
                    line,
                    newlines as u64,
                    ragged || swallowed_delimiter,
                ))
            } else {
                None
            };
            if record.len() != width {
                issues.push(ReadIssue {
                    row: self.row,
                    line,
                    column: None,
                    kind: ReadIssueKind::RaggedRow {
                        expected: width,
                        found: record.len(),
                    },
                });
            }
            let fields = self.to_string_record(record, line, issues);
            let rec = Record {
                row: self.row,
                line,
                fields,
            };
            match out.get_mut(n) {
                Some(slot) => *slot = rec,
                None => out.push(rec),
            }
            n += 1;
        }
        out.truncate(n);
        Ok(())
    }

    fn to_string_record(
        &self,
        record: csv::ByteRecord,
        line: u64,
        issues: &mut Vec<ReadIssue>,
    ) -> csv::StringRecord {
        let record = if self.encoding == encoding_rs::UTF_8 {
            match csv::StringRecord::from_byte_record(record) {
                Ok(rec) => return rec,
                Err(e) => e.into_byte_record(),
            }
        } else {
            record
        };
        let mut rec = csv::StringRecord::with_capacity(record.as_slice().len(), record.len());
        for (i, field) in record.iter().enumerate() {
            let (text, bad) = self.decode(field);
            if bad {
                issues.push(ReadIssue {
                    row: self.row,
                    line,
                    column: self.columns.get(i).cloned(),
                    kind: ReadIssueKind::Undecodable {
                        encoding: self.encoding.name(),
                    },
                });
            }
            rec.push_field(&text);
        }
        rec
    }
}

fn memchr_count(needle: u8, haystack: &[u8]) -> usize {
    haystack.iter().filter(|&&b| b == needle).count()
}

fn csv_to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}
