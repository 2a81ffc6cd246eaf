//! Reading a table of an SQLite database.

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{Header, InputFormat, ReadError, ReadIssue, ReadIssueKind, Record, SourceInfo};

/// Rows of a table with the issues found in each.
pub(crate) type Rows = Vec<(Record, Vec<ReadIssue>)>;

/// Reads `table` (the only table when `None`) of the database at `path`,
/// opened read-only. Values become text: NULL is an empty cell, numbers are
/// printed as SQLite prints them, blobs are reported as unreadable.
pub(crate) fn read_table(
    path: &Path,
    table: Option<&str>,
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
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| err(e.to_string(), "check that the file is an SQLite database"))?;
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
    let mut query = stmt
        .query([])
        .map_err(|e| err(e.to_string(), "check the table"))?;
    let mut row = 0u64;
    while let Some(r) = query
        .next()
        .map_err(|e| err(e.to_string(), "check the table"))?
    {
        row += 1;
        let mut fields = csv::StringRecord::new();
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
            fields.push_field(&text);
        }
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
