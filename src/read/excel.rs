//! Reading a sheet of an Excel (or OpenDocument) workbook.
//!
//! Bounded, so that a small hostile workbook cannot exhaust memory:
//!
//! - a workbook that is a zip archive (`.xlsx`, `.xlsm`, `.xlsb`, `.ods`) is
//!   refused when its parts declare more than [`MAX_UNCOMPRESSED_BYTES`]
//!   uncompressed, before anything is inflated (a zip bomb); the zip reader
//!   itself stops a part that inflates past the size it declares;
//! - an `.xlsx` or `.xlsb` sheet is streamed cell by cell, never as a dense
//!   range, and refused once its cells span more than [`MAX_CELLS`] (rows
//!   from the header's to the current one, times columns from A to the
//!   rightmost value) or fall outside Excel's grid;
//! - a legacy `.xls` is refused when a sheet's DIMENSIONS record declares
//!   more than [`MAX_XLS_DECLARED_CELLS`], and an `.ods` when its rows and
//!   cells with a value, repeats expanded, come to more than
//!   [`MAX_ODS_DECLARED_CELLS`]: both are checked in the file before the
//!   workbook library, which reads them whole, makes room for them;
//! - a cell longer than `[input] max_field_bytes` stops the read, as a CSV
//!   field does.
//!
//! `.xls` and `.ods` sheets are then read by calamine whole, when the
//! workbook is opened; the same caps apply before their cells become
//! records.

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{open_workbook_auto, Data, DataRef, Reader, Sheets, Xlsb, Xlsx, XlsxError};

use super::{Header, InputFormat, ReadError, ReadIssue, ReadIssueKind, Record, SourceInfo};

/// Rows of a sheet with the issues found in each.
pub(crate) type Rows = Vec<(Record, Vec<ReadIssue>)>;

/// The most cells a sheet may span: 50 million, counted as the rows from the
/// header's to the last one with a value times the columns from A to the
/// rightmost value. More is nearly always stray values far from the data
/// (a cell at XFD1048576 makes 17 billion); the read stops with exit 2.
pub const MAX_CELLS: u64 = 50_000_000;

/// The most bytes the parts of a zipped workbook may declare uncompressed,
/// in total: 2 GiB (a sheet of [`MAX_CELLS`] cells takes about that much
/// XML). More is refused before anything is inflated.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The most cells a sheet of a legacy `.xls` may declare: 8 million. The
/// workbook library reads an `.xls` whole and first makes room for every
/// cell its sheets' DIMENSIONS records declare (about 40 bytes each), so a
/// record claiming four billion rows would exhaust memory before a cell is
/// read; the records are checked first ([`xls_declared_cells`]).
pub const MAX_XLS_DECLARED_CELLS: u64 = 8_000_000;

/// The most cells with a value the sheets of an `.ods` may declare, rows
/// and cells repeated: 8 million. The workbook library reads an `.ods`
/// whole, expanding `number-rows-repeated` and `number-columns-repeated`
/// into one cell each (up to 100 million, some 3 GB); the repeats are
/// counted first ([`ods_declared_cells`]). Repeated *empty* cells, which
/// spreadsheets write to the sheet's edge, are not counted.
pub const MAX_ODS_DECLARED_CELLS: u64 = 8_000_000;

/// For an OpenDocument spreadsheet, the cells with a value its
/// `content.xml` declares, each repeated row and cell counted as many times
/// as it repeats; `Ok(None)` for another kind of file. Streams the XML (the
/// zip reader stops a part that inflates past its declared size).
fn ods_declared_cells(path: &Path) -> Result<Option<u64>, String> {
    use quick_xml::events::Event;
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(None);
    };
    let Ok(mut archive) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
        return Ok(None);
    };
    let is_ods = match archive.by_name("mimetype") {
        Ok(mut m) => {
            let mut t = String::new();
            let _ = m.by_ref().take(200).read_to_string(&mut t);
            t.trim() == "application/vnd.oasis.opendocument.spreadsheet"
        }
        Err(_) => false,
    };
    if !is_ods {
        return Ok(None);
    }
    let content = archive
        .by_name("content.xml")
        .map_err(|e| format!("an .ods without content.xml: {e}"))?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let repeats = |e: &quick_xml::events::BytesStart, name: &str| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.trim().parse().ok())
            .unwrap_or(1)
    };
    let has_value = |e: &quick_xml::events::BytesStart| {
        e.attributes()
            .flatten()
            .any(|a| a.key.as_ref() == "office:value-type")
    };
    let (mut total, mut row_repeat, mut row_cells) = (0u64, 1u64, 0u64);
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.name().as_ref() == "table:table-row" => {
                row_repeat = repeats(&e, "table:number-rows-repeated");
                row_cells = 0;
            }
            // A cell with a value, or with content (a start tag).
            Ok(Event::Start(e)) if e.name().as_ref() == "table:table-cell" => {
                row_cells = row_cells.saturating_add(repeats(&e, "table:number-columns-repeated"));
            }
            Ok(Event::Empty(e)) if e.name().as_ref() == "table:table-cell" && has_value(&e) => {
                row_cells = row_cells.saturating_add(repeats(&e, "table:number-columns-repeated"));
            }
            Ok(Event::End(e)) if e.name().as_ref() == "table:table-row" => {
                total = total.saturating_add(row_repeat.saturating_mul(row_cells));
                if total > MAX_ODS_DECLARED_CELLS {
                    return Ok(Some(total));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("content.xml cannot be read: {e}")),
        }
        buf.clear();
    }
    Ok(Some(total))
}

/// The first bytes of an OLE compound file (a legacy `.xls`).
const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// For a legacy `.xls` (an OLE compound file), the most cells any of its
/// sheets declares in a DIMENSIONS record, counted as the workbook library
/// counts them; `Ok(None)` for another kind of file. A record whose last
/// row comes before its first is refused (the library would overflow).
/// Reads the workbook stream's record headers, seeking past their bodies.
fn xls_declared_cells(path: &Path) -> Result<Option<u64>, String> {
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut magic = [0u8; 8];
    if file.read_exact(&mut magic).is_err() || magic != CFB_MAGIC {
        return Ok(None);
    }
    let mut cfb = cfb::CompoundFile::open(std::io::BufReader::new(file))
        .map_err(|e| format!("not a readable .xls: {e}"))?;
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| cfb.is_stream(n))
        .ok_or("an .xls without a workbook stream")?;
    let mut stream = cfb.open_stream(name).map_err(|e| e.to_string())?;
    let mut most = 0u64;
    let mut header = [0u8; 4];
    while stream.read_exact(&mut header).is_ok() {
        let kind = u16::from_le_bytes([header[0], header[1]]);
        let len = u16::from_le_bytes([header[2], header[3]]);
        if kind != 0x0200 {
            stream
                .seek(std::io::SeekFrom::Current(i64::from(len)))
                .map_err(|e| e.to_string())?;
            continue;
        }
        let mut body = vec![0u8; usize::from(len)];
        stream.read_exact(&mut body).map_err(|e| e.to_string())?;
        most = most.max(dimension_cells(&body)?);
    }
    Ok(Some(most))
}

/// The cells a DIMENSIONS record's body declares, as calamine reserves them
/// (BIFF8: first and last+1 row as u32, first and last+1 column as u16;
/// BIFF5: all u16).
fn dimension_cells(r: &[u8]) -> Result<u64, String> {
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([r[i], r[i + 1]]));
    let u32_at = |i: usize| u64::from(u32::from_le_bytes([r[i], r[i + 1], r[i + 2], r[i + 3]]));
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        n => return Err(format!("a DIMENSIONS record of {n} bytes")),
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl == 0 || cl == 0 {
        return Ok(1);
    }
    if rl - 1 < rf {
        return Err(format!(
            "a sheet's DIMENSIONS record ends at row {rl} before it starts at row {rf}"
        ));
    }
    Ok((rl - rf).saturating_mul(cl - cf))
}

/// Excel's grid: rows and columns past it mean a damaged file.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;

/// What to suggest when a sheet is too large for the caps.
const EXPORT_TO_CSV: &str = "export the sheet to CSV, which vaglio streams at any size";

/// Reads `sheet` (the first sheet when `None`) of the workbook at `path`. The
/// first non-empty row is the header. Dates become `YYYY-MM-DD` (or
/// `YYYY-MM-DDTHH:MM:SS` when they carry a time), whole floats lose their
/// `.0`, booleans become `TRUE`/`FALSE`. A cell longer than `field_limit`
/// bytes (`[input] max_field_bytes`) stops the read, as do the caps of this
/// module.
pub(crate) fn read_sheet(
    path: &Path,
    sheet: Option<&str>,
    field_limit: u64,
) -> Result<(Header, Rows, SourceInfo), ReadError> {
    let excel_error = |message: String, help: &str| ReadError::Excel {
        path: path.to_path_buf(),
        message,
        help: help.to_string(),
    };
    if let Some(total) = zip_parts_bytes(path) {
        if total > MAX_UNCOMPRESSED_BYTES {
            return Err(excel_error(
                format!("its parts declare {total} bytes uncompressed, more than the {MAX_UNCOMPRESSED_BYTES} (2 GiB) vaglio inflates from a workbook"),
                &format!("a workbook that inflates this much is nearly always a zip bomb; if the data is real, save the sheet alone in a workbook of its own, or {EXPORT_TO_CSV}"),
            ));
        }
    }
    if let Some(cells) = xls_declared_cells(path).map_err(|m| {
        excel_error(
            m,
            "the workbook is damaged: open it in a spreadsheet and save it again, or save it as .xlsx",
        )
    })? {
        if cells > MAX_XLS_DECLARED_CELLS {
            return Err(excel_error(
                format!("a sheet declares {cells} cells, more than the {MAX_XLS_DECLARED_CELLS} vaglio reads from a legacy .xls (which is read whole, with room for every declared cell)"),
                &format!("save the workbook as .xlsx, which vaglio reads cell by cell, or {EXPORT_TO_CSV}"),
            ));
        }
    }
    if let Some(cells) = ods_declared_cells(path).map_err(|m| {
        excel_error(
            m,
            "the workbook is damaged: open it in a spreadsheet and save it again",
        )
    })? {
        if cells > MAX_ODS_DECLARED_CELLS {
            return Err(excel_error(
                format!("its sheets declare {cells} cells with a value (rows and cells repeated), more than the {MAX_ODS_DECLARED_CELLS} vaglio reads from an .ods (which is read whole)"),
                &format!("save the workbook as .xlsx, which vaglio reads cell by cell, or {EXPORT_TO_CSV}"),
            ));
        }
    }
    let mut workbook = open_workbook_auto(path).map_err(|e| {
        excel_error(e.to_string(), "check that the file is an .xlsx, .xls or .ods workbook and not open in another program")
    })?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(excel_error(
                    format!("there is no sheet named {s:?}"),
                    &format!("the workbook's sheets are: {}", names.join(", ")),
                ));
            }
            s.to_string()
        }
        None => names.first().cloned().ok_or_else(|| {
            excel_error(
                "the workbook has no sheets".into(),
                "export the data to a sheet",
            )
        })?,
    };
    let mut sheet_rows = SheetRows::new(field_limit);
    let read = match &mut workbook {
        Sheets::Xlsx(xlsx) => stream_xlsx(xlsx, &name, &mut sheet_rows),
        Sheets::Xlsb(xlsb) => stream_xlsb(xlsb, &name, &mut sheet_rows),
        other => match other.worksheet_range(&name) {
            Ok(range) => sheet_rows.read_range(&range).map_err(Stop::Cap),
            Err(e) => Err(Stop::Damaged(e.to_string())),
        },
    };
    let (header, rows) = read
        .and_then(|()| sheet_rows.finish().map_err(Stop::Cap))
        .map_err(|stop| match stop {
            Stop::Cap(cap) => excel_error(cap.to_string(), &cap.help()),
            Stop::Damaged(message) => excel_error(message, "check that the sheet is not damaged"),
        })?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let info = SourceInfo {
        format: InputFormat::Excel,
        encoding: None,
        encoding_detected: false,
        delimiter: None,
        bom: false,
        bytes,
    };
    Ok((header, rows, info))
}

/// The uncompressed bytes the entries of the zip archive at `path` declare,
/// in total; `None` when the file is not a zip archive (an `.xls`) or cannot
/// be read as one (opening the workbook then says why). Reads only the
/// archive's central directory. The zip reader fails a part that inflates
/// past its declared size, so the declaration bounds what is inflated.
fn zip_parts_bytes(path: &Path) -> Option<u64> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic).ok()?;
    if &magic != b"PK\x03\x04" {
        return None;
    }
    file.rewind().ok()?;
    let archive = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let size = archive.by_index_data(i).ok()?.size();
        total = total.saturating_add(size);
    }
    Some(total)
}

/// Why a sheet's read stopped.
enum Stop {
    /// A cap was reached.
    Cap(Cap),
    /// The workbook reader failed.
    Damaged(String),
}

/// Streams the cells of the `.xlsx` sheet `name` into `rows`, never holding
/// more than a row of them.
fn stream_xlsx<RS: Read + Seek>(
    xlsx: &mut Xlsx<RS>,
    name: &str,
    rows: &mut SheetRows,
) -> Result<(), Stop> {
    let mut cells = match xlsx.worksheet_cells_reader(name) {
        Ok(cells) => cells,
        // A chart sheet has no cells (calamine reads it as an empty range).
        Err(XlsxError::NotAWorksheet(_)) => return Ok(()),
        Err(e) => return Err(Stop::Damaged(e.to_string())),
    };
    stream_cells(|| cells.next_cell().map_err(|e| e.to_string()), rows)
}

/// Streams the cells of the `.xlsb` sheet `name` into `rows`, as
/// [`stream_xlsx`] does.
fn stream_xlsb<RS: Read + Seek>(
    xlsb: &mut Xlsb<RS>,
    name: &str,
    rows: &mut SheetRows,
) -> Result<(), Stop> {
    let mut cells = xlsb
        .worksheet_cells_reader(name)
        .map_err(|e| Stop::Damaged(e.to_string()))?;
    stream_cells(|| cells.next_cell().map_err(|e| e.to_string()), rows)
}

/// Puts every cell with a value that `next` yields into `rows`.
fn stream_cells<'a>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, String>,
    rows: &mut SheetRows,
) -> Result<(), Stop> {
    while let Some(cell) = next().map_err(Stop::Damaged)? {
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let (row, column) = cell.get_position();
        rows.push(row, column, Data::from(value.clone()))
            .map_err(Stop::Cap)?;
    }
    Ok(())
}

/// A cap reached while reading a sheet.
#[derive(Debug, PartialEq)]
enum Cap {
    /// The cells span more than [`MAX_CELLS`].
    Cells {
        /// The cell that took the span past the cap (0-based row, column).
        at: (u32, u32),
        /// Rows spanned, from the header's.
        rows: u64,
        /// Columns spanned, from A.
        columns: u64,
    },
    /// A cell lies outside Excel's grid.
    OutsideGrid {
        /// The cell (0-based row, column).
        at: (u32, u32),
    },
    /// A row comes after a later one.
    OutOfOrder {
        /// The row (0-based).
        row: u32,
        /// The row read before it (0-based).
        after: u32,
    },
    /// A cell is longer than `max_field_bytes`.
    LongCell {
        /// The cell (0-based row, column).
        at: (u32, u32),
        /// Its length in bytes.
        bytes: usize,
        /// The limit.
        limit: u64,
    },
}

impl std::fmt::Display for Cap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cap::Cells { at, rows, columns } => write!(
                f,
                "its cells span {rows} rows and {columns} columns by cell {}, {} cells, more than the {MAX_CELLS} cells vaglio reads from a sheet (counted from column A)",
                cell_name(*at),
                rows.saturating_mul(*columns),
            ),
            Cap::OutsideGrid { at } => write!(
                f,
                "a cell at row {}, column {} lies outside Excel's grid of {MAX_ROWS} rows and {MAX_COLUMNS} columns",
                u64::from(at.0) + 1,
                u64::from(at.1) + 1,
            ),
            Cap::OutOfOrder { row, after } => write!(
                f,
                "the sheet's row {} comes after its row {}: rows out of order",
                u64::from(*row) + 1,
                u64::from(*after) + 1,
            ),
            Cap::LongCell { at, bytes, limit } => write!(
                f,
                "cell {} holds {bytes} bytes, more than max_field_bytes = {limit} bytes",
                cell_name(*at),
            ),
        }
    }
}

impl Cap {
    /// What to do about it.
    fn help(&self) -> String {
        match self {
            Cap::Cells { .. } => format!("a sheet this large is nearly always stray values far from the data: delete the rows and columns past the data (Ctrl+End goes to the last cell) and save; or {EXPORT_TO_CSV}"),
            Cap::OutsideGrid { .. } | Cap::OutOfOrder { .. } => "the workbook is damaged or was not written by a spreadsheet program: open it in Excel or LibreOffice and save it again".into(),
            Cap::LongCell { limit, .. } => format!("raise `max_field_bytes` in the [input] section of the rule file (now {limit}) if cells this long are expected"),
        }
    }
}

/// A cell's name in Excel's A1 notation (0-based row and column).
fn cell_name((row, column): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        letters.into_iter().collect::<String>(),
        u64::from(row) + 1
    )
}

/// A record's issues, each with the sheet column (0-based) it concerns, to
/// be named once the header is known.
type PendingIssues = Vec<(ReadIssue, Option<u32>)>;

/// Assembles a sheet's rows from its non-empty cells, given in sheet order
/// (rows ascending; within a row, any order, a repeated cell replacing the
/// earlier one), into the header and records that calamine's dense range
/// gave: the first row with a value is the header, its trailing empty cells
/// dropped; a record has the header's width, or more up to its last
/// non-empty cell; rows without values between records are blank rows
/// reported before the next record, those after the last record are
/// formatting. Columns are kept from A while reading and the empty ones left
/// of the leftmost value (or of a dense range's start) dropped at the end.
struct SheetRows {
    field_limit: u64,
    /// The first column, when a dense range fixes it.
    origin: Option<u32>,
    /// The leftmost column with a value.
    left: u32,
    /// Columns from A to the rightmost value.
    columns: u64,
    /// The header's row, once met.
    first: Option<u32>,
    /// The row being read and its cells.
    current: Option<(u32, Vec<(u32, Data)>)>,
    /// The last row made into the header or a record.
    last: u32,
    /// The header's cells from column A, and its line.
    header: Option<(Vec<String>, u64)>,
    records: Vec<(Record, PendingIssues)>,
    /// Lines of empty rows since the last record.
    blank: Vec<u64>,
}

impl SheetRows {
    fn new(field_limit: u64) -> SheetRows {
        SheetRows {
            field_limit,
            origin: None,
            left: u32::MAX,
            columns: 0,
            first: None,
            current: None,
            last: 0,
            header: None,
            records: Vec::new(),
            blank: Vec::new(),
        }
    }

    /// Reads the cells of a dense range (`.xls`, `.xlsb`, `.ods`), whose
    /// first column is its start's even where that column holds no value.
    fn read_range(&mut self, range: &calamine::Range<Data>) -> Result<(), Cap> {
        let Some((top, left)) = range.start() else {
            return Ok(());
        };
        self.origin = Some(left);
        for (r, c, value) in range.used_cells() {
            let row = top.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
            let column = left.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
            self.push(row, column, value.clone())?;
        }
        Ok(())
    }

    /// Takes the non-empty cell at `row`, `column` (0-based).
    fn push(&mut self, row: u32, column: u32, value: Data) -> Result<(), Cap> {
        if row >= MAX_ROWS || column >= MAX_COLUMNS {
            return Err(Cap::OutsideGrid { at: (row, column) });
        }
        let first = *self.first.get_or_insert(row);
        let rows = u64::from(row.saturating_sub(first)) + 1;
        let columns = self.columns.max(u64::from(column) + 1);
        if rows.saturating_mul(columns) > MAX_CELLS {
            return Err(Cap::Cells {
                at: (row, column),
                rows,
                columns,
            });
        }
        self.columns = columns;
        self.left = self.left.min(column);
        match &mut self.current {
            Some((r, cells)) if *r == row => {
                cells.push((column, value));
                return Ok(());
            }
            Some((r, _)) if *r > row => return Err(Cap::OutOfOrder { row, after: *r }),
            _ => {}
        }
        if let Some((r, cells)) = self.current.replace((row, vec![(column, value)])) {
            self.take_row(r, cells)?;
        }
        Ok(())
    }

    /// Makes the cells of `row` the header or a record.
    fn take_row(&mut self, row: u32, mut cells: Vec<(u32, Data)>) -> Result<(), Cap> {
        // Stable: of two values given for one cell, the later one wins.
        cells.sort_by_key(|(c, _)| *c);
        let line = u64::from(row) + 1;
        let mut texts: Vec<String> = Vec::new();
        let mut problems: Vec<(u32, String)> = Vec::new();
        for (column, value) in cells {
            let (text, problem) = cell_text(&value);
            if text.len() as u64 > self.field_limit {
                return Err(Cap::LongCell {
                    at: (row, column),
                    bytes: text.len(),
                    limit: self.field_limit,
                });
            }
            let c = column as usize;
            if texts.len() <= c {
                texts.resize(c + 1, String::new());
            }
            texts[c] = text;
            if problems.last().is_some_and(|(p, _)| *p == column) {
                problems.pop();
            }
            if let Some(detail) = problem {
                problems.push((column, detail));
            }
        }
        let Some((header, _)) = &self.header else {
            while texts.last().is_some_and(|s| s.is_empty()) {
                texts.pop();
            }
            self.header = Some((texts, line));
            self.last = row;
            return Ok(());
        };
        // Empty cells past the header's width are formatting, not data.
        let width = header.len();
        let used = texts
            .iter()
            .rposition(|t| !t.is_empty())
            .map_or(0, |i| i + 1);
        texts.resize(width.max(used), String::new());
        self.blank.extend(u64::from(self.last) + 2..=u64::from(row));
        self.last = row;
        let number = self.records.len() as u64 + 1;
        let mut issues: PendingIssues = self
            .blank
            .drain(..)
            .map(|line| {
                let issue = ReadIssue {
                    row: 0,
                    line,
                    column: None,
                    kind: ReadIssueKind::BlankRow { empty_line: true },
                };
                (issue, None)
            })
            .collect();
        issues.extend(problems.into_iter().map(|(column, detail)| {
            let issue = ReadIssue {
                row: number,
                line,
                column: None,
                kind: ReadIssueKind::UnreadableCell { detail },
            };
            (issue, Some(column))
        }));
        let fields = super::Fields::from(texts.as_slice());
        self.records.push((
            Record {
                row: number,
                line,
                fields,
            },
            issues,
        ));
        Ok(())
    }

    /// The header and the records, their columns starting at the leftmost
    /// value (or the dense range's start).
    fn finish(mut self) -> Result<(Header, Rows), Cap> {
        if let Some((row, cells)) = self.current.take() {
            self.take_row(row, cells)?;
        }
        let origin =
            self.origin
                .unwrap_or(if self.left == u32::MAX { 0 } else { self.left }) as usize;
        let header = match &self.header {
            Some((raw, line)) => Header::from_raw(raw.iter().skip(origin), *line),
            None => Header::default(),
        };
        let rows = self
            .records
            .into_iter()
            .map(|(mut record, issues)| {
                if origin > 0 {
                    let len = record.fields.as_slice().len();
                    record.fields = super::Fields::with_len(len, record.fields.iter().skip(origin));
                }
                let issues = issues
                    .into_iter()
                    .map(|(mut issue, column)| {
                        issue.column = column
                            .and_then(|c| (c as usize).checked_sub(origin))
                            .and_then(|c| header.columns.get(c).cloned());
                        issue
                    })
                    .collect();
                (record, issues)
            })
            .collect();
        Ok((header, rows))
    }
}

fn cell_text(cell: &Data) -> (String, Option<String>) {
    match cell {
        Data::Empty => (String::new(), None),
        Data::String(s) => (s.clone(), None),
        Data::Int(i) => (i.to_string(), None),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                (format!("{}", *f as i64), None)
            } else {
                (f.to_string(), None)
            }
        }
        Data::Bool(b) => ((if *b { "TRUE" } else { "FALSE" }).to_string(), None),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(dt) if dt.time() == chrono::NaiveTime::MIN => {
                (dt.format("%Y-%m-%d").to_string(), None)
            }
            Some(dt) => (dt.format("%Y-%m-%dT%H:%M:%S").to_string(), None),
            None => (dt.as_f64().to_string(), None),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => (s.clone(), None),
        Data::Error(e) => (String::new(), Some(format!("Excel error value {e}"))),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn xls_dimensions_are_counted_as_the_library_reserves_them() {
        let biff8 = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut r = rf.to_le_bytes().to_vec();
            r.extend_from_slice(&rl.to_le_bytes());
            r.extend_from_slice(&cf.to_le_bytes());
            r.extend_from_slice(&cl.to_le_bytes());
            r.extend_from_slice(&[0, 0]);
            r
        };
        // Rows 0..=99, columns 0..=9: 1,000 cells.
        assert_eq!(dimension_cells(&biff8(0, 100, 0, 10)), Ok(1000));
        assert_eq!(dimension_cells(&biff8(5, 100, 2, 10)), Ok(95 * 8));
        // An empty sheet, a first column past 255 (read from column A).
        assert_eq!(dimension_cells(&biff8(0, 0, 0, 0)), Ok(1));
        assert_eq!(dimension_cells(&biff8(0, 10, 300, 20)), Ok(200));
        assert_eq!(
            dimension_cells(&biff8(0, u32::MAX, 0, 256)),
            Ok(u64::from(u32::MAX) * 256)
        );
        assert!(dimension_cells(&biff8(50, 10, 0, 1)).is_err());
        // BIFF5: all 16-bit.
        let biff5: Vec<u8> = [0u16, 10, 0, 4, 0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(dimension_cells(&biff5), Ok(40));
        assert!(dimension_cells(&[0; 7]).is_err());
    }

    #[test]
    fn only_compound_files_are_scanned_as_xls() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("x.csv");
        std::fs::write(&csv, "A;B\n1;2\n").unwrap();
        assert_eq!(xls_declared_cells(&csv), Ok(None));
        let broken = dir.path().join("x.xls");
        let mut bytes = CFB_MAGIC.to_vec();
        bytes.extend_from_slice(&[0; 100]);
        std::fs::write(&broken, bytes).unwrap();
        assert!(xls_declared_cells(&broken).is_err());
    }
    use super::*;
    use calamine::CellErrorType;
    use proptest::prelude::*;

    fn text(s: &str) -> Data {
        Data::String(s.to_string())
    }

    /// Reads `cells` (0-based row, column, value) as a streamed sheet.
    fn stream(cells: Vec<(u32, u32, Data)>) -> Result<(Header, Rows), Cap> {
        let mut rows = SheetRows::new(1024);
        for (r, c, v) in cells {
            if !matches!(v, Data::Empty) {
                rows.push(r, c, v)?;
            }
        }
        rows.finish()
    }

    type Plain = (
        Vec<String>,
        Vec<ReadIssue>,
        Vec<(u64, u64, Vec<String>, Vec<ReadIssue>)>,
    );

    fn plain((header, rows): (Header, Rows)) -> Plain {
        let records = rows
            .into_iter()
            .map(|(r, issues)| {
                let fields = r.fields.iter().map(str::to_string).collect();
                (r.row, r.line, fields, issues)
            })
            .collect();
        (header.columns, header.issues, records)
    }

    /// The rows that calamine's dense range gave before the sheet was
    /// streamed: the reference the assembly must match.
    fn dense(cells: Vec<(u32, u32, Data)>) -> Plain {
        let cells = cells
            .into_iter()
            .filter(|(_, _, v)| !matches!(v, Data::Empty))
            .map(|(r, c, v)| calamine::Cell::new((r, c), v))
            .collect();
        let range = calamine::Range::from_sparse(cells);
        let first_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
        let mut rows_iter = range.rows().enumerate();
        let mut header = Header::default();
        for (i, cells) in rows_iter.by_ref() {
            if cells.iter().all(|c| matches!(c, Data::Empty)) {
                continue;
            }
            let mut raw: Vec<String> = cells.iter().map(|c| cell_text(c).0).collect();
            while raw.last().is_some_and(|s| s.is_empty()) {
                raw.pop();
            }
            header = Header::from_raw(raw, first_row + i as u64 + 1);
            break;
        }
        let width = header.columns.len();
        let (mut rows, mut row, mut blank) = (Vec::new(), 0, Vec::new());
        for (i, cells) in rows_iter {
            let line = first_row + i as u64 + 1;
            if cells.iter().all(|c| matches!(c, Data::Empty)) {
                blank.push(line);
                continue;
            }
            row += 1;
            let mut issues: Vec<ReadIssue> = blank
                .drain(..)
                .map(|line| ReadIssue {
                    row: 0,
                    line,
                    column: None,
                    kind: ReadIssueKind::BlankRow { empty_line: true },
                })
                .collect();
            let mut texts = Vec::new();
            for (c, cell) in cells.iter().enumerate() {
                let (text, problem) = cell_text(cell);
                if let Some(detail) = problem {
                    issues.push(ReadIssue {
                        row,
                        line,
                        column: header.columns.get(c).cloned(),
                        kind: ReadIssueKind::UnreadableCell { detail },
                    });
                }
                texts.push(text);
            }
            while texts.len() > width && texts.last().is_some_and(|s| s.is_empty()) {
                texts.pop();
            }
            rows.push((row, line, texts, issues));
        }
        (header.columns, header.issues, rows)
    }

    #[test]
    fn rows_as_the_dense_range_gave_them() {
        let error = Data::Error(CellErrorType::Div0);
        let cells = vec![
            (1, 1, text("ID")),
            (1, 2, text(" NOME ")),
            (1, 4, text("ID")),
            (2, 1, Data::Int(1)),
            (2, 2, text("ANNA")),
            (4, 1, Data::Float(2.0)),
            (4, 4, error.clone()),
            (4, 6, text("")),
            (5, 2, text("LUCA")),
            (5, 7, text("X")),
        ];
        let got = plain(stream(cells.clone()).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(got, dense(cells));
        let (columns, header_issues, records) = got;
        assert_eq!(columns, ["ID", "NOME", "column_3", "ID_2"]);
        assert_eq!(header_issues.len(), 2);
        assert_eq!(records[0].2, ["1", "ANNA", "", ""]);
        // A blank row (sheet line 4) before record 2; its error cell named
        // by its column.
        assert_eq!(records[1].1, 5);
        assert_eq!(records[1].3[0].line, 4);
        assert_eq!(records[1].3[1].column.as_deref(), Some("ID_2"));
        assert_eq!(records[2].2, ["", "LUCA", "", "", "", "", "X"]);
    }

    #[test]
    fn a_repeated_cell_replaces_the_earlier_one_and_a_row_may_come_in_any_order() {
        let cells = vec![
            (0, 0, text("A")),
            (0, 1, text("B")),
            (1, 1, text("2")),
            (1, 0, Data::Error(CellErrorType::NA)),
            (1, 0, text("1")),
        ];
        let (_, _, records) = plain(stream(cells).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(records, vec![(1, 2, vec!["1".into(), "2".into()], vec![])]);
    }

    #[test]
    fn a_dense_range_keeps_its_first_column_even_without_a_value() {
        let range = calamine::Range::from_sparse(vec![
            calamine::Cell::new((0, 1), Data::Empty),
            calamine::Cell::new((0, 2), text("A")),
            calamine::Cell::new((1, 2), text("x")),
        ]);
        let mut rows = SheetRows::new(1024);
        rows.read_range(&range).unwrap_or_else(|e| panic!("{e}"));
        let (columns, _, records) = plain(rows.finish().unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(columns, ["column_1", "A"]);
        assert_eq!(records[0].2, ["", "x"]);
    }

    #[test]
    fn caps_stop_the_read() {
        let far = stream(vec![(0, 0, text("ID")), (1_048_575, 16_383, text("x"))]);
        assert_eq!(
            far.err(),
            Some(Cap::Cells {
                at: (1_048_575, 16_383),
                rows: 1_048_576,
                columns: 16_384
            })
        );
        let outside = stream(vec![(0, 0, text("ID")), (0, 16_384, text("x"))]);
        assert_eq!(outside.err(), Some(Cap::OutsideGrid { at: (0, 16_384) }));
        let back = stream(vec![
            (0, 0, text("ID")),
            (5, 0, text("1")),
            (3, 0, text("2")),
        ]);
        assert_eq!(back.err(), Some(Cap::OutOfOrder { row: 3, after: 5 }));
        let long = stream(vec![(0, 0, text("ID")), (1, 2, text(&"x".repeat(1025)))]);
        let long = long.err().unwrap_or_else(|| panic!("no cap"));
        assert_eq!(
            long.to_string(),
            "cell C2 holds 1025 bytes, more than max_field_bytes = 1024 bytes"
        );
        assert!(long.help().contains("max_field_bytes"));
    }

    #[test]
    fn cell_names() {
        let names: Vec<String> = [(0, 0), (0, 25), (0, 26), (1_048_575, 16_383)]
            .into_iter()
            .map(cell_name)
            .collect();
        assert_eq!(names, ["A1", "Z1", "AA1", "XFD1048576"]);
    }

    /// A part that inflates past the size the archive declares for it
    /// stops there: the declared sizes [`zip_parts_bytes`] adds up bound
    /// what calamine inflates (zip 9.8's reader enforces them).
    #[test]
    fn a_part_larger_than_declared_stops_inflating() {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        writer
            .start_file("xl/worksheets/sheet1.xml", options)
            .unwrap_or_else(|e| panic!("{e}"));
        writer
            .write_all(&vec![b'x'; 1 << 20])
            .unwrap_or_else(|e| panic!("{e}"));
        let mut data = writer
            .finish()
            .unwrap_or_else(|e| panic!("{e}"))
            .into_inner();
        // Declare 1,000 bytes in the local and the central header.
        let declared = 1000u32.to_le_bytes();
        for (signature, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
            let start = data
                .windows(4)
                .position(|w| w == signature)
                .unwrap_or_else(|| panic!("no header"));
            data[start + at..start + at + 4].copy_from_slice(&declared);
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("x.xlsx");
        std::fs::write(&path, &data).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(zip_parts_bytes(&path), Some(1000));
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(data)).unwrap_or_else(|e| panic!("{e}"));
        let mut part = archive
            .by_name("xl/worksheets/sheet1.xml")
            .unwrap_or_else(|e| panic!("{e}"));
        let mut inflated = Vec::new();
        let read = part.read_to_end(&mut inflated);
        assert!(read.is_err(), "{} bytes inflated", inflated.len());
        assert!(
            inflated.len() <= 1 << 16,
            "{} bytes inflated",
            inflated.len()
        );
    }

    fn value() -> impl Strategy<Value = Data> {
        prop_oneof![
            Just(Data::Empty),
            Just(text("")),
            Just(text(" x ")),
            Just(text("ID")),
            (0i64..3).prop_map(Data::Int),
            Just(Data::Error(CellErrorType::Value)),
        ]
    }

    proptest! {
        /// Any sheet, its rows in order, reads as the dense range read it.
        #[test]
        fn streamed_rows_match_the_dense_range(
            mut cells in proptest::collection::vec((0u32..8, 0u32..6, value()), 0..40)
        ) {
            cells.sort_by_key(|(r, _, _)| *r);
            let got = plain(stream(cells.clone()).unwrap_or_else(|e| panic!("{e}")));
            prop_assert_eq!(got, dense(cells));
        }
    }
}
