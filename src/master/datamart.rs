//! `datamart.sqlite`: the feed, written as a whole to a temporary file in
//! the master folder and renamed into place, so that a failed run leaves the
//! previous datamart intact.
//!
//! The writer is generic: [`Table`]s of columns and rows, inserted in the
//! order given, in one transaction, then indexed. The same tables in the
//! same order give a byte-identical file (SQLite's file format holds no
//! timestamps; the header's change counter and version depend only on the
//! operations).

use std::borrow::Cow;
use std::path::Path;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params_from_iter, Connection, ToSql};

use crate::output::Sink;

/// One value of a row, borrowed from the run's data where it can be (a
/// resident's pseudonym, a source's cell): building a city's rows then
/// copies no text, and SQLite copies it once as it binds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    /// SQL `NULL`.
    Null,
    /// An `INTEGER`.
    Integer(i64),
    /// A `REAL`.
    Real(f64),
    /// `TEXT`, borrowed or owned.
    Text(Cow<'a, str>),
}

impl<'a> Cell<'a> {
    /// Text borrowed for the row's lifetime, `NULL` when absent.
    pub fn text(s: Option<&'a str>) -> Cell<'a> {
        s.map_or(Cell::Null, |v| Cell::Text(Cow::Borrowed(v)))
    }

    /// Text the row owns, `NULL` when absent.
    pub fn owned(s: Option<String>) -> Cell<'a> {
        s.map_or(Cell::Null, |v| Cell::Text(Cow::Owned(v)))
    }
}

impl ToSql for Cell<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Cell::Null => ValueRef::Null,
            Cell::Integer(i) => ValueRef::Integer(*i),
            Cell::Real(x) => ValueRef::Real(*x),
            Cell::Text(t) => ValueRef::Text(t.as_bytes()),
        }))
    }
}

/// A row of cells.
pub type Row<'a> = Vec<Cell<'a>>;

/// One table of the datamart. Its rows are produced while they are
/// inserted (on another thread, a batch ahead), so that a table of a city's
/// residents is never held in memory.
pub struct Table<'a> {
    /// Its name.
    pub name: String,
    /// Columns: name and SQL type (`TEXT`, `INTEGER`, `REAL`).
    pub columns: Vec<(String, &'static str)>,
    /// The rows, inserted in this order.
    pub rows: Box<dyn Iterator<Item = Row<'a>> + Send + 'a>,
    /// Columns to index.
    pub indexes: Vec<String>,
}

/// Quotes an SQL identifier.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The columns vaglio puts first in a source's table.
pub const SOURCE_LEAD: [&str; 3] = ["riga", "persona", "esito"];

/// The columns a source's datamart table has after [`SOURCE_LEAD`] when
/// the project has a civic-number register: the record's area statistica
/// (its own address's, else its resident's) and its address's match level.
pub const SOURCE_GEO: [&str; 2] = ["area_statistica", "livello_indirizzo"];

/// The column names of a source's datamart table: [`SOURCE_LEAD`], then
/// [`SOURCE_GEO`] when `geo`, then the source's `kept` columns in order (one
/// named like a lead column, in any case, gets `_fonte`).
pub fn source_columns<'a>(kept: impl IntoIterator<Item = &'a str>, geo: bool) -> Vec<String> {
    let lead: Vec<&str> = SOURCE_LEAD
        .iter()
        .chain(SOURCE_GEO.iter().filter(|_| geo))
        .copied()
        .collect();
    let mut out: Vec<String> = lead.iter().map(|c| c.to_string()).collect();
    for c in kept {
        if lead.contains(&c.to_ascii_lowercase().as_str()) {
            out.push(format!("{c}_fonte"));
        } else {
            out.push(c.to_string());
        }
    }
    out
}

/// The first two of `names` that differ only in case: SQLite takes them as
/// one column.
pub fn case_clash(names: &[String]) -> Option<(&str, &str)> {
    let mut seen = std::collections::HashMap::new();
    for n in names {
        let folded = n.to_lowercase();
        if let Some(first) = seen.insert(folded.clone(), n.as_str()) {
            return Some((first, n.as_str()));
        }
    }
    None
}

fn sql_err(path: &Path, e: rusqlite::Error) -> miette::Report {
    miette::miette!(
        code = "vaglio::datamart::sqlite",
        "cannot write the datamart {}: {e}",
        path.display()
    )
}

/// Rows sent from the thread that produces them to the one that inserts
/// them, this many at a time.
const BATCH: usize = 1024;

/// What the producing thread sends: a table's rows, then the end of it.
enum Batch<'a> {
    Rows(Vec<Row<'a>>),
    End,
}

/// Creates, fills and indexes `tables` in the SQLite file at `path`, in one
/// transaction. One thread produces the rows, this one inserts them: SQLite
/// and the building of rows (pseudonyms, family counts) overlap.
fn insert(path: &Path, tables: Vec<Table<'_>>) -> rusqlite::Result<()> {
    let mut conn = Connection::open(path)?;
    // No journal (the file is temporary until renamed); a page cache of up
    // to 32 MiB (the default is 2 MiB), so that pages are written in fewer,
    // larger runs, without raising a city's run's peak memory (a cache
    // holding the whole feed did); indexes sorted in memory. The file's
    // bytes depend on neither.
    conn.execute_batch(
        "PRAGMA page_size = 4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
         PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;",
    )?;
    let mut clock = crate::memory::Stages::new(None);
    let (shapes, producers): (Vec<_>, Vec<_>) = tables
        .into_iter()
        .map(|t| ((t.name, t.columns, t.indexes), t.rows))
        .unzip();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<'_>>(4);
        scope.spawn(move || {
            for rows in producers {
                let mut batch = Vec::with_capacity(BATCH);
                for row in rows {
                    batch.push(row);
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if tx.send(Batch::Rows(full)).is_err() {
                            return; // the inserting side failed
                        }
                    }
                }
                if tx.send(Batch::Rows(batch)).is_err() || tx.send(Batch::End).is_err() {
                    return;
                }
            }
        });
        let tx = conn.transaction()?;
        for (name, columns, indexes) in &shapes {
            let cols: Vec<String> = columns
                .iter()
                .map(|(c, ty)| format!("{} {ty}", ident(c)))
                .collect();
            tx.execute_batch(&format!(
                "CREATE TABLE {} ({});",
                ident(name),
                cols.join(", ")
            ))?;
            let marks = vec!["?"; columns.len()].join(", ");
            let mut stmt = tx.prepare(&format!("INSERT INTO {} VALUES ({marks})", ident(name)))?;
            // The producer ends every table with `End`; a closed channel
            // before it would be a panic on that thread.
            while let Ok(Batch::Rows(rows)) = rx.recv() {
                for row in rows {
                    stmt.execute(params_from_iter(row.iter()))?;
                }
            }
            drop(stmt);
            clock.stage(&format!("{name} rows"));
            for c in indexes {
                tx.execute_batch(&format!(
                    "CREATE INDEX {} ON {} ({});",
                    ident(&format!("idx_{name}_{c}")),
                    ident(name),
                    ident(c)
                ))?;
            }
        }
        tx.commit()
    })?;
    conn.close().map_err(|(_, e)| e)
}

/// Writes `tables` to `path` atomically, through `sink`. The feed holds
/// pseudonymised personal data: it keeps the mode the temporary file was
/// created with, owner-only (0600) and never looser than the umask.
pub fn write(sink: &Sink, path: &Path, tables: Vec<Table<'_>>) -> miette::Result<()> {
    let temp = sink.temp_for(path, ".sqlite.tmp")?;
    insert(temp.path(), tables).map_err(|e| sql_err(path, e))?;
    sink.place(temp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_names_are_renamed_and_case_clashes_found() {
        let cols = source_columns(["ID", "Persona", "note", "AREA_STATISTICA"], false);
        assert_eq!(
            cols,
            [
                "riga",
                "persona",
                "esito",
                "ID",
                "Persona_fonte",
                "note",
                "AREA_STATISTICA"
            ]
        );
        assert_eq!(case_clash(&cols), None);
        let cols = source_columns(["Persona", "AREA_STATISTICA"], true);
        assert_eq!(
            cols,
            [
                "riga",
                "persona",
                "esito",
                "area_statistica",
                "livello_indirizzo",
                "Persona_fonte",
                "AREA_STATISTICA_fonte"
            ]
        );
        let cols = source_columns(["note", "X", "NOTE"], true);
        assert_eq!(case_clash(&cols), Some(("note", "NOTE")));
    }

    #[test]
    fn the_same_tables_give_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let t = || Table {
            name: "t".into(),
            columns: vec![("a".into(), "TEXT"), ("b".into(), "INTEGER")],
            rows: Box::new(
                (0..5000).map(|i| vec![Cell::owned(Some(format!("x{i}"))), Cell::Integer(i)]),
            ),
            indexes: vec!["a".into()],
        };
        let (p, q) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
        write(&Sink::default(), &p, vec![t()]).unwrap();
        write(&Sink::default(), &q, vec![t()]).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&q).unwrap());
        let conn = Connection::open(&p).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 5000);
    }
}
