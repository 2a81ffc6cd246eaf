//! A table read whole for inference: its column names and its cells,
//! trimmed, with the usual missing-value markers (`NULL`, `N.D.`, `-`…)
//! turned into empty cells.

use std::path::Path;

use crate::read::{ReadError, ReadOptions};
use crate::rules::DEFAULT_MISSING_VALUES;

/// A table held in memory for inference.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// What the table is called in messages (a source name or a file name).
    pub name: String,
    /// Column names, in file order.
    pub columns: Vec<String>,
    /// Rows of cells, each as long as `columns`; a missing value is empty.
    pub rows: Vec<Vec<String>>,
}

impl Sample {
    /// Reads `path` whole (CSV, SQLite, Excel) with `options`, keeping at most
    /// `max_rows` rows.
    pub fn read(
        path: &Path,
        name: &str,
        options: &ReadOptions,
        max_rows: usize,
    ) -> Result<Sample, ReadError> {
        let (source, records) = crate::read::read_all(path, options)?;
        let columns = source.header.columns.clone();
        let rows = records
            .iter()
            .take(max_rows)
            .map(|r| {
                (0..columns.len())
                    .map(|i| clean(r.fields.get(i).unwrap_or("")))
                    .collect()
            })
            .collect();
        Ok(Sample {
            name: name.to_string(),
            columns,
            rows,
        })
    }

    /// A sample from cells in memory (tests, other readers); cells are
    /// cleaned as [`Sample::read`] cleans them, short rows padded.
    pub fn from_rows(name: &str, columns: &[&str], rows: &[Vec<&str>]) -> Sample {
        Sample {
            name: name.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| {
                    (0..columns.len())
                        .map(|i| clean(r.get(i).copied().unwrap_or("")))
                        .collect()
                })
                .collect(),
        }
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The cells of column `i`, empty ones included.
    pub fn cells(&self, i: usize) -> impl Iterator<Item = &str> + '_ {
        self.rows
            .iter()
            .map(move |r| r.get(i).map(String::as_str).unwrap_or(""))
    }
}

/// A cell trimmed, and empty when it is a missing-value marker.
fn clean(v: &str) -> String {
    let v = v.trim();
    if DEFAULT_MISSING_VALUES
        .iter()
        .any(|m| m.eq_ignore_ascii_case(v))
    {
        String::new()
    } else {
        v.to_string()
    }
}
