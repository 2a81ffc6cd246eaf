//! Reading a table of an SQLite database.

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{Header, InputFormat, ReadError, ReadIssue, ReadIssueKind, Record, SourceInfo};

/// Rows of a table with the issues found in each.
pub(crate) type Rows = Vec<(Record, Vec<ReadIssue>)>;

/// The steps of SQLite's virtual machine a read may take: this many, plus
/// [`STEPS_PER_BYTE`] per byte of the database file. Reading a table takes
/// a few dozen steps a row, far below; a view that never ends (a recursive
/// one, a join that multiplies) is stopped within seconds, holding about a
/// million rows (a recursive view takes some 17 steps a row), which fits in
/// a 1 GiB memory limit (100 million, the former base, did not).
pub const BASE_STEPS: u64 = 20_000_000;

/// See [`BASE_STEPS`].
pub const STEPS_PER_BYTE: u64 = 1_000;

/// The bytes the rows read may take in memory: this many, plus
/// [`HELD_PER_FILE_BYTE`] per byte of the database file. A table's rows take
/// about their file's size and a few dozen bytes a row; a view that
/// multiplies rows out of a large file, within the step budget (which
/// grows with the file), is stopped here before it holds a gigabyte.
pub const BASE_HELD_BYTES: u64 = 256 * 1024 * 1024;

/// See [`BASE_HELD_BYTES`].
pub const HELD_PER_FILE_BYTE: u64 = 4;

/// What a row costs beside its text: the record, its field bounds.
const ROW_OVERHEAD: u64 = 64;
const CELL_OVERHEAD: u64 = 8;

/// The steps between two looks at the budget.
const STEP_PERIOD: i32 = 100_000;

/// Reads `table` (the only table when `None`) of the database at `path`,
/// opened read-only. Values become text: NULL is an empty cell, numbers are
/// printed as SQLite prints them, blobs are reported as unreadable.
///
/// Bounded: SQLite itself refuses a value longer than `field_limit` bytes
/// (`[input] max_field_bytes`, as for CSV), before holding it; the query
/// stops past [`BASE_STEPS`] + [`STEPS_PER_BYTE`] per file byte, and the
/// read once its rows take [`BASE_HELD_BYTES`] + [`HELD_PER_FILE_BYTE`] per
/// file byte; each stops the read with exit 2 and a message naming the cap.
pub(crate) fn read_table(
    path: &Path,
    table: Option<&str>,
    field_limit: u64,
) -> Result<(Header, Rows, SourceInfo), ReadError> {
    let err = |message: String, help: &str| ReadError::Sqlite {
        path: path.to_path_buf(),
        message,
        help: help.to_string(),
    };
    if !path.is_file() {
        return Err(ReadError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| err(e.to_string(), "check that the file is an SQLite database"))?;
    let file_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let budget = BASE_STEPS.saturating_add(file_bytes.saturating_mul(STEPS_PER_BYTE));
    let limit = i32::try_from(field_limit).unwrap_or(i32::MAX).max(1);
    let _ = conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH, limit);
    let mut steps = 0u64;
    conn.progress_handler(
        STEP_PERIOD,
        Some(move || {
            steps += STEP_PERIOD as u64;
            steps > budget
        }),
    )
    .map_err(|e| err(e.to_string(), "check that the file is an SQLite database"))?;
    // What a failed step means: a cap reached, or something else.
    let step_err = |e: rusqlite::Error, row: u64| {
        match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::OperationInterrupted) => err(
            format!("reading it took more than {budget} steps of SQLite (20 million plus 1,000 per byte of the file) by row {row}: a view that never ends, or one that multiplies rows"),
            "read a table, or a view whose rows are bounded; vaglio reads SQLite inputs whole",
        ),
        Some(rusqlite::ErrorCode::TooBig) => err(
            format!("a value of row {} is longer than max_field_bytes = {field_limit} bytes", row + 1),
            "raise `max_field_bytes` in the [input] section of the rule file if values this long are expected",
        ),
        _ => err(e.to_string(), "check the table"),
    }
    };
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect())
        .map_err(|e| err(e.to_string(), "check that the file is an SQLite database"))?;
    let table = match table {
        Some(t) if tables.iter().any(|x| x == t) => t.to_string(),
        Some(t) => {
            return Err(err(
                format!("there is no table named {t:?}"),
                &format!("the database's tables are: {}", tables.join(", ")),
            ))
        }
        None if tables.len() == 1 => tables[0].clone(),
        None => {
            return Err(err(
                format!("the database has {} tables and none was chosen", tables.len()),
                &format!(
                    "name one with `table = \"…\"` in the rule file's [input] or with --table; the tables are: {}",
                    tables.join(", ")
                ),
            ))
        }
    };
    let sql = format!("SELECT * FROM \"{}\"", table.replace('"', "\"\""));
    let mut stmt = conn
        .prepare(&sql)
        .map_err(|e| err(e.to_string(), "check the table name"))?;
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let header = Header::from_raw(&names, 1);
    let width = names.len();
    let mut rows = Vec::new();
    let mut query = stmt.query([]).map_err(|e| step_err(e, 0))?;
    let mut row = 0u64;
    let held_cap = BASE_HELD_BYTES.saturating_add(file_bytes.saturating_mul(HELD_PER_FILE_BYTE));
    let mut held = 0u64;
    while let Some(r) = query.next().map_err(|e| step_err(e, row))? {
        row += 1;
        if held > held_cap {
            return Err(err(
                format!("the rows read by row {row} take more than {held_cap} bytes in memory (256 MiB plus 4 per byte of the file): a view that multiplies rows"),
                "read a table, or a view whose rows are bounded; vaglio reads SQLite inputs whole",
            ));
        }
        let mut texts = Vec::with_capacity(width);
        let mut issues = Vec::new();
        for c in 0..width {
            let text = match r.get_ref(c) {
                Ok(ValueRef::Null) => String::new(),
                Ok(ValueRef::Integer(i)) => i.to_string(),
                Ok(ValueRef::Real(f)) => f.to_string(),
                Ok(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                Ok(ValueRef::Blob(b)) => {
                    issues.push(ReadIssue {
                        row,
                        line: row + 1,
                        column: header.columns.get(c).cloned(),
                        kind: ReadIssueKind::UnreadableCell {
                            detail: format!("a binary blob of {} bytes", b.len()),
                        },
                    });
                    String::new()
                }
                Err(e) => {
                    issues.push(ReadIssue {
                        row,
                        line: row + 1,
                        column: header.columns.get(c).cloned(),
                        kind: ReadIssueKind::UnreadableCell {
                            detail: e.to_string(),
                        },
                    });
                    String::new()
                }
            };
            texts.push(text);
        }
        let fields = super::Fields::from(texts.as_slice());
        held += fields.as_slice().len() as u64 + ROW_OVERHEAD + CELL_OVERHEAD * width as u64;
        rows.push((
            Record {
                row,
                line: row + 1,
                fields,
            },
            issues,
        ));
    }
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok((
        header,
        rows,
        SourceInfo {
            format: InputFormat::Sqlite,
            encoding: None,
            encoding_detected: false,
            delimiter: None,
            bom: false,
            bytes,
        },
    ))
}
