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

use std::sync::mpsc::Receiver;

use super::model::{Column, Model};
use super::parquet;
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
    /// Its name, columns, keys and indexes.
    pub model: Model,
    /// The rows, inserted in this order.
    pub rows: Box<dyn Iterator<Item = Row<'a>> + Send + 'a>,
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

/// Rows whose number is known before they are built: the iterator says so
/// in its size hint, which is how [`write`] weighs a table (see [`share`]).
pub struct Counted<I> {
    rows: I,
    left: usize,
}

impl<'a, I: Iterator<Item = Row<'a>>> Iterator for Counted<I> {
    type Item = Row<'a>;

    fn next(&mut self) -> Option<Row<'a>> {
        let row = self.rows.next()?;
        self.left = self.left.saturating_sub(1);
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, None)
    }
}

/// `rows`, announced as `n` rows (a hint for sharing the work, never a
/// limit: every row of `rows` is written).
pub fn counted<'a, I>(n: usize, rows: I) -> Counted<I>
where
    I: Iterator<Item = Row<'a>>,
{
    Counted { rows, left: n }
}

/// How many connections write the datamart's tables at once when the run
/// has more than one thread: each fills its own file, and the others'
/// tables are then copied into the first (SQLite copies a table and its
/// indexes page by page, without sorting them again).
const WRITERS: usize = 2;

/// The work a table gives SQLite, roughly: its rows, once for the table
/// and once for each index.
fn weight(t: &Table<'_>) -> usize {
    t.rows.size_hint().0.max(1) * (1 + t.model.indexes.len())
}

/// Shares `tables` between [`WRITERS`] connections: the heaviest first, each
/// to the connection with the least work so far; each keeps the tables'
/// order. It depends only on the tables, never on the number of threads, so
/// the file's bytes do not either.
fn share(tables: Vec<Table<'_>>) -> Vec<Vec<Table<'_>>> {
    let mut order: Vec<(usize, usize)> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (i, weight(t)))
        .collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut load = [0usize; WRITERS];
    let mut to = vec![0usize; tables.len()];
    for (i, w) in order {
        let lightest = (0..WRITERS).min_by_key(|&g| (load[g], g)).unwrap_or(0);
        load[lightest] += w;
        to[i] = lightest;
    }
    let mut groups: Vec<Vec<Table<'_>>> = (0..WRITERS).map(|_| Vec::new()).collect();
    for (t, g) in tables.into_iter().zip(to) {
        groups[g].push(t);
    }
    groups
}

/// The SQL that creates a table.
fn create_table(name: &str, columns: &[Column]) -> String {
    let cols: Vec<String> = columns
        .iter()
        .map(|c| format!("{} {}", ident(&c.name), c.kind.sql()))
        .collect();
    format!("CREATE TABLE {} ({});", ident(name), cols.join(", "))
}

/// The SQL that creates a table's indexes.
fn create_indexes(name: &str, indexes: &[String]) -> String {
    indexes
        .iter()
        .map(|c| {
            format!(
                "CREATE INDEX {} ON {} ({});",
                ident(&format!("idx_{name}_{c}")),
                ident(name),
                ident(c)
            )
        })
        .collect()
}

/// Each writer's page cache while it inserts rows, in KiB (see [`open`]).
const INSERT_CACHE_KIB: usize = 32 * 1024 / WRITERS;

/// Each writer's page cache while it builds a table's indexes, in KiB.
/// SQLite's sorter sorts runs as large as the page cache (at least 1 MB)
/// before merging them: runs of 1 MB are sorted within the processor's
/// cache, runs of 16 MB are not. Measured on the 400,000-resident city's
/// four largest indexes: 0.75× the CPU of 16 MB runs, 31 MB less memory,
/// and the same file.
const SORT_CACHE_KIB: usize = 1024;

/// A connection to a new datamart file. No journal (the file is temporary
/// until renamed); while rows are inserted, a page cache of 32 MiB shared by
/// the [`WRITERS`] (the default is 2 MiB each), so that pages are written in
/// fewer, larger runs, without raising a city's run's peak memory (a cache
/// holding the whole feed did). An index is sorted in runs of
/// [`SORT_CACHE_KIB`] spilled to a temporary file (`temp_store = FILE`,
/// SQLite's own, deleted when closed): sorting a city's largest index wholly
/// in memory held twice its entries (73 against 37 MB for 678,000 links)
/// and took longer, SQLite's in-memory files being made of small chunks.
/// The file's bytes depend on neither.
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA page_size = 4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
         PRAGMA cache_size = -{INSERT_CACHE_KIB}; PRAGMA temp_store = FILE;"
    ))?;
    Ok(conn)
}

/// Why writing the datamart failed: SQLite, or a table's Parquet file.
enum Failure {
    Sql(rusqlite::Error),
    Parquet(miette::Report),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Failure {
        Failure::Sql(e)
    }
}

/// Where the tables' Parquet copies go.
#[derive(Clone, Copy)]
struct Copies<'s> {
    sink: &'s Sink,
    dir: &'s Path,
}

/// Writes the Parquet files of `shapes`, from the batches SQLite has
/// inserted: a table's rows, then `End`, for each table in order.
fn copy_out(copies: Copies<'_>, shapes: &[Model], rx: Receiver<Batch<'_>>) -> miette::Result<()> {
    for model in shapes {
        let mut file = parquet::Staged::start(copies.sink, copies.dir, model)?;
        while let Ok(Batch::Rows(rows)) = rx.recv() {
            file.push(&rows)?;
        }
        file.finish(copies.sink)?;
    }
    Ok(())
}

/// Creates, fills and indexes `tables` in `conn`, in one transaction. One
/// thread produces the rows, this one inserts them: SQLite and the building
/// of rows (pseudonyms, family counts) overlap. With `copies`, a third
/// thread writes each table's Parquet file from the rows once inserted.
fn fill(
    conn: &mut Connection,
    tables: Vec<Table<'_>>,
    copies: Option<Copies<'_>>,
) -> Result<(), Failure> {
    let mut clock = crate::memory::Stages::new(None);
    let shapes: Vec<Model> = tables.iter().map(|t| t.model.clone()).collect();
    let producers: Vec<_> = tables.into_iter().map(|t| t.rows).collect();
    std::thread::scope(|scope| {
        let (out, copied) = match copies {
            Some(c) => {
                let (out, rx) = std::sync::mpsc::sync_channel::<Batch<'_>>(4);
                let shapes = &shapes;
                (
                    Some(out),
                    Some(scope.spawn(move || copy_out(c, shapes, rx))),
                )
            }
            None => (None, None),
        };
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
        for Model {
            name,
            columns,
            indexes,
            ..
        } in &shapes
        {
            tx.execute_batch(&create_table(name, columns))?;
            let marks = vec!["?"; columns.len()].join(", ");
            let mut stmt = tx.prepare(&format!("INSERT INTO {} VALUES ({marks})", ident(name)))?;
            // The producer ends every table with `End`; a closed channel
            // before it would be a panic on that thread.
            while let Ok(Batch::Rows(rows)) = rx.recv() {
                for row in &rows {
                    stmt.execute(params_from_iter(row.iter()))?;
                }
                // A closed channel: the Parquet side failed, and says why
                // when joined.
                if let Some(out) = &out {
                    let _ = out.send(Batch::Rows(rows));
                }
            }
            if let Some(out) = &out {
                let _ = out.send(Batch::End);
            }
            drop(stmt);
            clock.stage(&format!("{name} rows"));
            // Indexed once filled: sorting once is cheaper than keeping
            // an index in order row by row.
            tx.execute_batch(&format!("PRAGMA cache_size = -{SORT_CACHE_KIB};"))?;
            tx.execute_batch(&create_indexes(name, indexes))?;
            tx.execute_batch(&format!("PRAGMA cache_size = -{INSERT_CACHE_KIB};"))?;
        }
        tx.commit()?;
        drop(out);
        match copied.map(|h| h.join()) {
            Some(Ok(Err(e))) => Err(Failure::Parquet(e)),
            Some(Err(_)) => Err(Failure::Parquet(miette::miette!(
                "the thread writing the Parquet files stopped"
            ))),
            _ => Ok(()),
        }
    })
}

/// Copies `tables` (already filled and indexed in the file `part`) into
/// `conn`'s file, after the tables it has, in one transaction. Each table
/// is created with its indexes, empty, then filled by `INSERT INTO … SELECT
/// *`, which SQLite carries out as a raw copy of the table's and the
/// indexes' records in their order.
fn append(conn: &mut Connection, part: &Path, tables: &[Model]) -> rusqlite::Result<()> {
    conn.execute(
        "ATTACH DATABASE ?1 AS part",
        [part.to_string_lossy().as_ref()],
    )?;
    let tx = conn.transaction()?;
    for Model {
        name,
        columns,
        indexes,
        ..
    } in tables
    {
        tx.execute_batch(&create_table(name, columns))?;
        tx.execute_batch(&create_indexes(name, indexes))?;
        tx.execute_batch(&format!(
            "INSERT INTO main.{t} SELECT * FROM part.{t};",
            t = ident(name)
        ))?;
    }
    tx.commit()?;
    conn.execute_batch("DETACH DATABASE part;")
}

/// Creates, fills and indexes `tables` in the SQLite file at `path`. The
/// tables are shared between [`WRITERS`] connections ([`share`]): the first
/// writes `path`, each other one a file of `parts`, copied into `path` at
/// the end. The connections work at once when the run has more than one
/// thread (`--jobs`), one after the other otherwise; the file is the same.
fn insert(
    path: &Path,
    parts: &[&Path],
    tables: Vec<Table<'_>>,
    copies: Option<Copies<'_>>,
) -> Result<(), Failure> {
    let mut groups = share(tables).into_iter();
    let first = groups.next().unwrap_or_default();
    let rest: Vec<Vec<Table<'_>>> = groups.collect();
    let shapes: Vec<Vec<Model>> = rest
        .iter()
        .map(|g| g.iter().map(|t| t.model.clone()).collect())
        .collect();
    let mut conn = open(path)?;
    let fill_part = |(part, tables): (&&Path, Vec<Table<'_>>)| -> Result<(), Failure> {
        let mut c = open(part)?;
        fill(&mut c, tables, copies)?;
        Ok(c.close().map_err(|(_, e)| e)?)
    };
    if rayon::current_num_threads() > 1 {
        std::thread::scope(|scope| {
            let others: Vec<_> = parts
                .iter()
                .zip(rest)
                .map(|job| scope.spawn(move || fill_part(job)))
                .collect();
            let mut result = fill(&mut conn, first, copies);
            for h in others {
                let r = h.join().unwrap_or_else(|_| {
                    Err(Failure::Parquet(miette::miette!(
                        "a thread writing the datamart stopped"
                    )))
                });
                result = result.and(r);
            }
            result
        })?;
    } else {
        fill(&mut conn, first, copies)?;
        for job in parts.iter().zip(rest) {
            fill_part(job)?;
        }
    }
    let mut clock = crate::memory::Stages::new(None);
    for (part, tables) in parts.iter().zip(&shapes) {
        append(&mut conn, part, tables)?;
    }
    clock.stage("tables copied from the other writers");
    Ok(conn.close().map_err(|(_, e)| e)?)
}

/// Writes `tables` to `path` atomically, through `sink`, and with `parquet`
/// each table also as `<parquet>/<table>.parquet` (removing there the files
/// of tables no longer written); returns the tables' models. The feed
/// holds pseudonymised personal data: every file keeps the mode its
/// temporary file was created with, owner-only (0600) and never looser than
/// the umask.
pub fn write(
    sink: &Sink,
    path: &Path,
    parquet: Option<&Path>,
    tables: Vec<Table<'_>>,
) -> miette::Result<Vec<Model>> {
    let models: Vec<Model> = tables.iter().map(|t| t.model.clone()).collect();
    let temp = sink.temp_for(path, ".sqlite.tmp")?;
    // The other connections' files: removed when dropped, whatever happens.
    let parts = (1..WRITERS)
        .map(|_| sink.temp_for(path, ".part.sqlite.tmp"))
        .collect::<Result<Vec<_>, _>>()?;
    let part_paths: Vec<&Path> = parts.iter().map(|p| p.path()).collect();
    let copies = parquet.map(|dir| Copies { sink, dir });
    insert(temp.path(), &part_paths, tables, copies).map_err(|e| match e {
        Failure::Sql(e) => sql_err(path, e),
        Failure::Parquet(e) => e,
    })?;
    drop(parts);
    sink.place(temp, path)?;
    if let Some(dir) = parquet {
        let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
        parquet::remove_stale(sink, dir, &names)?;
    }
    Ok(models)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::master::model::{columns, Kind};

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

    fn two_columns(name: &str) -> Model {
        Model::new(
            name,
            "una riga di prova",
            columns(&[("a", Kind::Text, "testo"), ("b", Kind::Integer, "numero")]),
        )
    }

    fn numbered(name: &str, n: i64, indexes: &[&str]) -> Table<'static> {
        let prefix = name.to_string();
        Table {
            model: two_columns(name).indexed(indexes),
            rows: Box::new((0..n).map(move |i| {
                vec![
                    Cell::owned(Some(format!("{prefix}{}", n - i))),
                    Cell::Integer(i),
                ]
            })),
        }
    }

    #[test]
    fn the_heaviest_tables_go_to_different_writers_in_their_order() {
        let groups = share(vec![
            numbered("small", 10, &[]),
            numbered("big", 1000, &["a"]),
            numbered("bigger", 1500, &[]),
            numbered("tiny", 1, &[]),
        ]);
        let names: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.iter().map(|t| t.model.name.as_str()).collect())
            .collect();
        // big weighs 2,000 (1,000 rows, one index), bigger 1,500.
        assert_eq!(names, [vec!["big"], vec!["small", "bigger", "tiny"]]);
    }

    #[test]
    fn tables_shared_between_writers_read_back_whole_with_any_threads() {
        let dir = tempfile::tempdir().unwrap();
        let tables = || {
            vec![
                numbered("uno", 3000, &["a"]),
                numbered("due", 2500, &["a", "b"]),
                numbered("tre", 40, &[]),
                Table {
                    rows: Box::new(counted(
                        2000,
                        (0..2000).map(|i| vec![Cell::Null, Cell::Integer(i)]),
                    )),
                    ..numbered("quattro", 0, &["b"])
                },
            ]
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (p, q) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
        one.install(|| write(&Sink::default(), &p, None, tables()))
            .unwrap();
        two.install(|| write(&Sink::default(), &q, None, tables()))
            .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&q).unwrap());
        // Only the two datamarts are left: the writers' own files are gone.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        let conn = Connection::open(&p).unwrap();
        for (name, n) in [("uno", 3000), ("due", 2500), ("tre", 40), ("quattro", 2000)] {
            let (count, first, sum): (i64, Option<String>, i64) = conn
                .query_row(
                    &format!("SELECT COUNT(*), MIN(rowid), SUM(b) FROM {name}"),
                    [],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get::<_, Option<i64>>(1)?.map(|x| x.to_string()),
                            r.get(2)?,
                        ))
                    },
                )
                .unwrap();
            assert_eq!(
                (count, first.as_deref(), sum),
                (n, Some("1"), n * (n - 1) / 2)
            );
        }
        let first: String = conn
            .query_row("SELECT a FROM uno WHERE rowid = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(first, "uno3000", "rows keep their order");
        let indexes: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 4);
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }

    #[test]
    fn the_same_tables_give_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let t = || Table {
            model: two_columns("t").indexed(&["a"]),
            rows: Box::new(
                (0..5000).map(|i| vec![Cell::owned(Some(format!("x{i}"))), Cell::Integer(i)]),
            ),
        };
        let (p, q) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
        write(&Sink::default(), &p, None, vec![t()]).unwrap();
        write(&Sink::default(), &q, None, vec![t()]).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), std::fs::read(&q).unwrap());
        let conn = Connection::open(&p).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 5000);
    }
}
