//! The CSV reader: encoding, delimiter, header, and records with their line
//! numbers.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use encoding_rs::Encoding;

use super::encoding::{better_encoding, bom, detect_encoding, EncodingChoice};
use super::lines::{LineIndex, Lines, RecordLines};
use super::sniff::{better_delimiter, sniff_delimiter};
use super::{
    Fields, Header, InputFormat, ReadError, ReadIssue, ReadIssueKind, ReadOptions, Record,
    SourceInfo,
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

/// How much the CSV parser may buffer beyond a record (its read buffer is
/// 8 KiB; this leaves room).
const READ_AHEAD_BYTES: u64 = 64 * 1024;

/// The header's width is not known before it is read: its guard assumes up
/// to this many fields at the limit (128 MiB at the default limit), so that
/// a file without a line break stops early.
const HEADER_GUARD_FIELDS: u64 = 64;

/// What the [`Guard`] shares with the reader that owns it.
#[derive(Default)]
struct GuardState {
    /// Bytes handed to the parser since the last record ended.
    since_record: AtomicU64,
    /// Bytes one record may take.
    limit: AtomicU64,
    /// Whether reading stopped at the limit.
    tripped: std::sync::atomic::AtomicBool,
}

/// Stops the parser once one record has taken more bytes than its columns
/// at `max_field_bytes` can hold, so that an enormous field (or a quote
/// never closed in a huge file) cannot exhaust memory before the per-field
/// check sees it.
struct Guard<R> {
    inner: R,
    state: Arc<GuardState>,
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let since = self.state.since_record.load(Ordering::Relaxed);
        if since > self.state.limit.load(Ordering::Relaxed) {
            self.state.tripped.store(true, Ordering::Relaxed);
            return Err(io::Error::other(
                "record larger than the field limit allows",
            ));
        }
        let n = self.inner.read(buf)?;
        self.state
            .since_record
            .fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The most bytes a record of `fields` fields may take in the file: each
/// field at the limit, doubled by quote escaping, plus the read-ahead.
fn record_limit(field_limit: u64, fields: u64) -> u64 {
    field_limit
        .saturating_mul(2)
        .saturating_add(3)
        .saturating_mul(fields.max(1))
        .saturating_add(READ_AHEAD_BYTES)
}

/// Records of an open CSV file.
pub(crate) struct CsvRecords {
    reader: csv::Reader<Box<dyn Read + Send>>,
    guard: Arc<GuardState>,
    field_limit: u64,
    encoding: &'static Encoding,
    row: u64,
    /// The last record read, if it spanned several lines: (row, line, line
    /// breaks inside it). Used to spot an unterminated quote.
    last_multiline: Option<(u64, u64, u64)>,
    /// The physical lines of the stream the parser reads.
    lines: Arc<Mutex<LineIndex>>,
    /// Issues of the file as a whole (a declared delimiter or encoding that
    /// does not fit) and blank lines before the header, reported with the
    /// first chunk.
    pending: Vec<ReadIssue>,
    finished: bool,
    /// The parser's buffer, reused from record to record (each record's
    /// fields are then copied out whole, at their size).
    scratch: csv::ByteRecord,
    consumed: Arc<AtomicU64>,
    path: std::path::PathBuf,
    columns: Vec<String>,
}

use super::io_error;

impl CsvRecords {
    /// Opens a CSV file: detects encoding and delimiter unless given, and
    /// reads the header.
    pub(crate) fn open(
        path: &Path,
        options: &ReadOptions,
    ) -> Result<(CsvRecords, Header, SourceInfo), ReadError> {
        let file = File::open(path).map_err(|e| io_error(path, e))?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        CsvRecords::from_reader(path, Box::new(file), bytes, options)
    }

    /// As [`CsvRecords::open`], on any reader of `bytes` bytes; `path`
    /// names it in messages.
    pub(crate) fn from_reader(
        path: &Path,
        mut file: Box<dyn Read + Send>,
        bytes: u64,
        options: &ReadOptions,
    ) -> Result<(CsvRecords, Header, SourceInfo), ReadError> {
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
        let mut pending = Vec::new();
        let file_issue = |kind| ReadIssue {
            row: 0,
            line: 1,
            column: None,
            kind,
        };
        if let (EncodingChoice::Named(declared), None) = (options.encoding, has_bom) {
            if let Some(found) = better_encoding(&sample, complete, declared) {
                pending.push(file_issue(ReadIssueKind::EncodingMismatch {
                    declared: declared.name(),
                    found: found.name(),
                }));
            }
        }

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
        if let Some(declared) = options.delimiter {
            if let Some(found) = better_delimiter(&decoded_sample, declared) {
                pending.push(file_issue(ReadIssueKind::DelimiterMismatch {
                    declared,
                    found,
                }));
            }
        }
        let field_limit = options.field_limit();
        let guard = Arc::new(GuardState::default());
        guard.limit.store(
            record_limit(field_limit, HEADER_GUARD_FIELDS),
            Ordering::Relaxed,
        );
        let lines = Arc::new(Mutex::new(LineIndex::new()));
        let input: Box<dyn Read + Send> = Box::new(Lines {
            inner: Guard {
                inner: input,
                state: Arc::clone(&guard),
            },
            index: Arc::clone(&lines),
        });
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(input);
        let mut records = CsvRecords {
            reader,
            guard,
            field_limit,
            encoding: effective,
            row: 0,
            last_multiline: None,
            lines,
            pending,
            finished: false,
            scratch: csv::ByteRecord::new(),
            consumed,
            path: path.to_path_buf(),
            columns: Vec::new(),
        };
        let header = records.read_header()?;
        records.columns = header.columns.clone();
        records.guard.limit.store(
            record_limit(field_limit, header.columns.len() as u64 + 1),
            Ordering::Relaxed,
        );
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

    fn read_header(&mut self) -> Result<Header, ReadError> {
        let mut raw = csv::ByteRecord::new();
        let Some(RecordLines { line, blank }) = self.read_record(&mut raw, 0)? else {
            self.finished = true;
            let blank = self.at_end(&raw);
            self.pending
                .extend(blank.into_iter().map(|l| blank_line(0, l)));
            return Ok(Header::default());
        };
        self.pending
            .extend(blank.into_iter().map(|l| blank_line(0, l)));
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

    /// Where the record the parser began reading at byte `from` starts,
    /// and the blank lines before it.
    fn record_lines(&self, from: u64) -> RecordLines {
        match self.lines.lock() {
            Ok(mut index) => index.record_at(from),
            Err(_) => RecordLines::default(),
        }
    }

    /// The blank lines after the last record (`end` is the empty record the
    /// parser returned at the end).
    fn at_end(&self, end: &csv::ByteRecord) -> Vec<u64> {
        let from = end.position().map_or(0, |p| p.byte());
        match self.lines.lock() {
            Ok(mut index) => index.at_end(from),
            Err(_) => Vec::new(),
        }
    }

    /// Reads the next record (data row `row`, 0 for the header), enforcing
    /// the field limit: its physical line and the blank lines before it, or
    /// `None` at the end of the file.
    fn read_record(
        &mut self,
        record: &mut csv::ByteRecord,
        row: u64,
    ) -> Result<Option<RecordLines>, ReadError> {
        let from = self.reader.position().byte();
        self.guard.since_record.store(0, Ordering::Relaxed);
        let got = match self.reader.read_byte_record(record) {
            Ok(got) => got,
            Err(_) if self.guard.tripped.load(Ordering::Relaxed) => {
                let line = self.record_lines(from).line;
                return Err(self.too_large(row, line, None, None));
            }
            Err(e) => {
                return Err(ReadError::Io {
                    path: self.path.clone(),
                    source: csv_to_io(e),
                })
            }
        };
        if !got {
            return Ok(None);
        }
        let lines = self.record_lines(from);
        // The fields together fit: none can be over the limit.
        if record.as_slice().len() as u64 > self.field_limit {
            if let Some((i, f)) = record
                .iter()
                .enumerate()
                .find(|(_, f)| f.len() as u64 > self.field_limit)
            {
                let line = lines.line;
                let column = if row == 0 {
                    None
                } else {
                    Some(
                        self.columns
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| format!("field {}", i + 1)),
                    )
                };
                return Err(self.too_large(row, line, column, Some(f.len())));
            }
        }
        Ok(Some(lines))
    }

    fn too_large(
        &self,
        row: u64,
        line: u64,
        column: Option<String>,
        size: Option<usize>,
    ) -> ReadError {
        let place = if row == 0 {
            format!("the header (line {line})")
        } else {
            format!("row {row} (line {line})")
        };
        let what = match (column, size) {
            (Some(c), Some(n)) => format!("the field {c:?} of {place}, {n} bytes,"),
            (None, Some(n)) => format!("a field of {place}, {n} bytes,"),
            (_, None) => format!("a field of {place}"),
        };
        ReadError::FieldTooLarge {
            path: self.path.clone(),
            what,
            line,
            limit: self.field_limit,
        }
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
        let blank_row = blank_line;
        issues.append(&mut self.pending);
        let mut n = 0;
        while n < max && !self.finished {
            let mut record = std::mem::take(&mut self.scratch);
            let Some(RecordLines { line, blank }) = self.read_record(&mut record, self.row + 1)?
            else {
                self.finished = true;
                if let Some((row, line, lines)) = self.last_multiline {
                    // A quoted field that never closes leaves an odd number
                    // of quotes from the record's first line to the end.
                    let odd = self
                        .lines
                        .lock()
                        .ok()
                        .and_then(|index| index.quotes_since_line(line))
                        .is_some_and(|q| q % 2 == 1);
                    if odd {
                        issues.push(ReadIssue {
                            row,
                            line,
                            column: None,
                            kind: ReadIssueKind::UnterminatedQuote { lines },
                        });
                    }
                }
                issues.extend(self.at_end(&record).into_iter().map(|l| blank_row(0, l)));
                break;
            };
            issues.extend(blank.into_iter().map(|l| blank_row(0, l)));
            self.row += 1;
            let breaks = line_breaks(record.as_slice());
            self.last_multiline = (breaks > 0).then_some((self.row, line, breaks));
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
            if record.iter().all(|f| f.trim_ascii().is_empty()) {
                issues.push(ReadIssue {
                    kind: ReadIssueKind::BlankRow { empty_line: false },
                    ..blank_row(self.row, line)
                });
            }
            let fields = self.to_fields(&record, line, issues);
            self.scratch = record;
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

    fn to_fields(
        &self,
        record: &csv::ByteRecord,
        line: u64,
        issues: &mut Vec<ReadIssue>,
    ) -> Fields {
        if self.encoding == encoding_rs::UTF_8 {
            if let Some(fields) = Fields::from_utf8_record(record) {
                return fields;
            }
        }
        let mut texts = Vec::with_capacity(record.len());
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
            texts.push(text);
        }
        Fields::from(texts.as_slice())
    }
}

/// The issue of an empty line (`row` 0: it is no record).
fn blank_line(row: u64, line: u64) -> ReadIssue {
    ReadIssue {
        row,
        line,
        column: None,
        kind: ReadIssueKind::BlankRow { empty_line: true },
    }
}

/// Line breaks inside a record's fields: `\n`, `\r\n` and a lone `\r`.
fn line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for i in memchr::memchr2_iter(b'\r', b'\n', bytes) {
        if !(bytes[i] == b'\n' && i > 0 && bytes[i - 1] == b'\r') {
            n += 1;
        }
    }
    n
}

fn csv_to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &[u8], limit: u64) -> Result<usize, ReadError> {
        let options = ReadOptions {
            max_field_bytes: Some(limit),
            delimiter: Some(b';'),
            ..ReadOptions::default()
        };
        let input = Box::new(io::Cursor::new(data.to_vec()));
        let (mut records, header, _) =
            CsvRecords::from_reader(Path::new("t.csv"), input, data.len() as u64, &options)?;
        let (mut chunk, mut issues, mut rows) = (Vec::new(), Vec::new(), 0);
        loop {
            records.next_chunk(3, header.columns.len(), &mut chunk, &mut issues)?;
            if chunk.is_empty() {
                return Ok(rows);
            }
            rows += chunk.len();
        }
    }

    fn what(e: ReadError) -> String {
        match e {
            ReadError::FieldTooLarge { what, .. } => what,
            other => panic!("not a field limit: {other}"),
        }
    }

    #[test]
    fn fields_up_to_the_limit_are_read() {
        assert_eq!(read(b"A;B\n1;12345\n2;\"1234\"\"\"\n", 5).ok(), Some(2));
    }

    #[test]
    fn a_longer_field_stops_the_reading_with_its_place() {
        let e = read(b"A;B\n1;x\n2;123456\n", 5).unwrap_err();
        assert_eq!(what(e), "the field \"B\" of row 2 (line 3), 6 bytes,");
        let e = read(b"A;LONGNAME\n", 5).unwrap_err();
        assert_eq!(what(e), "a field of the header (line 1), 8 bytes,");
    }

    #[test]
    fn an_unterminated_quote_is_stopped_before_it_swallows_everything() {
        // Far more than three fields of 10 bytes, doubled, plus the read-ahead.
        let mut data = b"A;B\n1;\"open\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 1 << 20));
        let e = read(&data, 10).unwrap_err();
        assert_eq!(what(e), "a field of row 1 (line 2)");
    }

    #[test]
    fn a_file_without_line_breaks_stops_in_the_header() {
        let data = vec![b'x'; 64 * 1024 + 70 * 23];
        let e = read(&data, 10).unwrap_err();
        assert_eq!(what(e), "a field of the header (line 1)");
    }

    #[test]
    fn record_limit_saturates() {
        assert_eq!(record_limit(u64::MAX, u64::MAX), u64::MAX);
        assert_eq!(record_limit(10, 0), 23 + READ_AHEAD_BYTES);
    }
}
