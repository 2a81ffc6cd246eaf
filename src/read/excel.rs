//! Reading a sheet of an Excel (or OpenDocument) workbook.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use super::{Header, InputFormat, ReadError, ReadIssue, ReadIssueKind, Record, SourceInfo};

/// Rows of a sheet with the issues found in each.
pub(crate) type Rows = Vec<(Record, Vec<ReadIssue>)>;

/// Reads `sheet` (the first sheet when `None`) of the workbook at `path`. The
/// first non-empty row is the header. Dates become `YYYY-MM-DD` (or
/// `YYYY-MM-DDTHH:MM:SS` when they carry a time), whole floats lose their
/// `.0`, booleans become `TRUE`/`FALSE`.
pub(crate) fn read_sheet(
    path: &Path,
    sheet: Option<&str>,
) -> Result<(Header, Rows, SourceInfo), ReadError> {
    let excel_error = |message: String, help: &str| ReadError::Excel {
        path: path.to_path_buf(),
        message,
        help: help.to_string(),
    };
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
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| excel_error(e.to_string(), "check that the sheet is not damaged"))?;
    let first_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
    let mut rows_iter = range.rows().enumerate();
    let mut header = Header::default();
    for (i, cells) in rows_iter.by_ref() {
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let line = first_row + i as u64 + 1;
        let mut raw: Vec<String> = cells.iter().map(|c| cell_text(c).0).collect();
        while raw.last().is_some_and(|s| s.is_empty()) {
            raw.pop();
        }
        header = Header::from_raw(raw, line);
        break;
    }
    let width = header.columns.len();
    let mut rows = Vec::new();
    let mut row = 0;
    // Empty sheet rows between records: blank rows, reported before the
    // record that follows them (empty rows after the last one are
    // formatting, not data).
    let mut blank = Vec::new();
    for (i, cells) in rows_iter {
        let line = first_row + i as u64 + 1;
        if cells.iter().all(|c| matches!(c, Data::Empty)) {
            blank.push(line);
            continue;
        }
        row += 1;
        let mut fields = csv::StringRecord::new();
        let mut issues: Vec<ReadIssue> = blank
            .drain(..)
            .map(|line| ReadIssue {
                row: 0,
                line,
                column: None,
                kind: ReadIssueKind::BlankRow { empty_line: true },
            })
            .collect();
        let mut texts: Vec<String> = Vec::with_capacity(cells.len());
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
        // Trailing empty cells beyond the header are formatting, not data.
        while texts.len() > width && texts.last().is_some_and(|s| s.is_empty()) {
            texts.pop();
        }
        for t in &texts {
            fields.push_field(t);
        }
        rows.push((Record { row, line, fields }, issues));
    }
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
