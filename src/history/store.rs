//! `history.sqlite`: the deliveries, their checks and their columns.
//!
//! ```sql
//! deliveries (id, run, date, recorded_at, source, rules_sha256, input_sha256,
//!             rows, gate, linked, review, unlinked)     -- linkage NULL for `vaglio check`
//! checks     (delivery, position, id, code, column_name, severity, evaluated, failed, rate, verdict)
//! fields     (delivery, position, name, type, present, completeness, validity)
//! meta       (key, value)                               -- format = 1
//! ```
//!
//! Adding deliveries copies the file into a temporary file beside it, adds
//! them there, and hands it to the [`Sink`]: in `vaglio run` it is staged
//! and published with every other output, or not at all.

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags};

use super::{CheckPoint, Delivery, FieldPoint, Linkage};
use crate::output::Sink;

/// The format the file's `meta` records.
pub const FORMAT: &str = "1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY,
  run TEXT NOT NULL,
  date TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  source TEXT NOT NULL,
  rules_sha256 TEXT NOT NULL,
  input_sha256 TEXT NOT NULL,
  rows INTEGER NOT NULL,
  gate TEXT NOT NULL,
  linked INTEGER,
  review INTEGER,
  unlinked INTEGER,
  UNIQUE (source, date, input_sha256, rules_sha256)
);
CREATE TABLE IF NOT EXISTS checks (
  delivery INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  id TEXT NOT NULL,
  code TEXT NOT NULL,
  column_name TEXT,
  severity TEXT NOT NULL,
  evaluated INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  rate REAL NOT NULL,
  verdict TEXT NOT NULL,
  PRIMARY KEY (delivery, position)
);
CREATE TABLE IF NOT EXISTS fields (
  delivery INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  present INTEGER NOT NULL,
  completeness REAL NOT NULL,
  validity REAL NOT NULL,
  PRIMARY KEY (delivery, position)
);
";

fn sql_err(path: &Path, e: rusqlite::Error) -> miette::Report {
    miette::miette!(
        code = "vaglio::history::sqlite",
        help = "the history is vaglio's own file: restore it from a backup, or move it away to start a new one",
        "cannot use the history {}: {e}",
        path.display()
    )
}

/// Every delivery in the history at `path`, oldest first (by date, then
/// as recorded); none when the file does not exist.
pub fn read(path: &Path) -> miette::Result<Vec<Delivery>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        miette::bail!(
            code = "vaglio::history::not_a_file",
            help = "the history is a file, history.sqlite; move what is there away",
            "{} is not a file",
            path.display()
        );
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| sql_err(path, e))?;
    read_conn(&conn).map_err(|e| sql_err(path, e))
}

fn read_conn(conn: &Connection) -> rusqlite::Result<Vec<Delivery>> {
    let format: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
            r.get(0)
        })
        .ok();
    if format.as_deref() != Some(FORMAT) {
        return Err(rusqlite::Error::InvalidQuery);
    }
    let mut stmt = conn.prepare(
        "SELECT id, run, date, recorded_at, source, rules_sha256, input_sha256, rows, gate, \
         linked, review, unlinked FROM deliveries ORDER BY date, id",
    )?;
    let mut out: Vec<(i64, Delivery)> = stmt
        .query_map([], |r| {
            let linked: Option<i64> = r.get(9)?;
            let review: Option<i64> = r.get(10)?;
            let unlinked: Option<i64> = r.get(11)?;
            let linkage = match (linked, review, unlinked) {
                (Some(l), Some(rv), Some(u)) => Some(Linkage {
                    linked: l.max(0) as u64,
                    review: rv.max(0) as u64,
                    unlinked: u.max(0) as u64,
                }),
                _ => None,
            };
            Ok((
                r.get::<_, i64>(0)?,
                Delivery {
                    run: r.get(1)?,
                    date: r.get(2)?,
                    recorded_at: r.get(3)?,
                    source: r.get(4)?,
                    rules_sha256: r.get(5)?,
                    input_sha256: r.get(6)?,
                    rows: r.get::<_, i64>(7)?.max(0) as u64,
                    gate: r.get(8)?,
                    linkage,
                    checks: Vec::new(),
                    fields: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut checks = conn.prepare(
        "SELECT id, code, column_name, severity, evaluated, failed, rate, verdict \
         FROM checks WHERE delivery = ?1 ORDER BY position",
    )?;
    let mut fields = conn.prepare(
        "SELECT name, type, present, completeness, validity FROM fields \
         WHERE delivery = ?1 ORDER BY position",
    )?;
    for (id, d) in &mut out {
        d.checks = checks
            .query_map([*id], |r| {
                Ok(CheckPoint {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    column: r.get(2)?,
                    severity: r.get(3)?,
                    evaluated: r.get::<_, i64>(4)?.max(0) as u64,
                    failed: r.get::<_, i64>(5)?.max(0) as u64,
                    rate: r.get(6)?,
                    verdict: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        d.fields = fields
            .query_map([*id], |r| {
                Ok(FieldPoint {
                    name: r.get(0)?,
                    field_type: r.get(1)?,
                    present: r.get::<_, i64>(2)? != 0,
                    completeness: r.get(3)?,
                    validity: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(out.into_iter().map(|(_, d)| d).collect())
}

/// The history's deliveries with `new` recorded: each replaces the same
/// delivery recorded before ([`Delivery::same_as`]), and goes last.
pub fn merged(mut old: Vec<Delivery>, new: &[Delivery]) -> Vec<Delivery> {
    old.retain(|d| !new.iter().any(|n| n.same_as(d)));
    old.extend(new.iter().cloned());
    // Oldest first by date; within a date, as recorded.
    old.sort_by(|a, b| a.date.cmp(&b.date));
    old
}

/// Records `new` in the history at `path` (created if missing), through
/// `sink`: a copy of the file with the deliveries added is written whole
/// and put in place (or staged in the run's transaction).
pub fn record(sink: &Sink, path: &Path, new: &[Delivery]) -> miette::Result<()> {
    if path.exists() {
        // Refuse a file that is not a history before replacing it.
        read(path)?;
    }
    let temp = sink.temp_for(path, ".sqlite")?;
    if path.exists() {
        std::fs::copy(path, temp.path()).map_err(|source| crate::output::OutputError {
            path: temp.path().to_path_buf(),
            source,
        })?;
    }
    add(temp.path(), new).map_err(|e| sql_err(path, e))?;
    sink.place(temp, path)?;
    Ok(())
}

fn add(path: &Path, new: &[Delivery]) -> rusqlite::Result<()> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON;",
    )?;
    let tx = conn.transaction()?;
    tx.execute_batch(SCHEMA)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('format', ?1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [FORMAT],
    )?;
    for d in new {
        tx.execute(
            "DELETE FROM deliveries WHERE source = ?1 AND date = ?2 AND input_sha256 = ?3 \
             AND rules_sha256 = ?4",
            params![d.source, d.date, d.input_sha256, d.rules_sha256],
        )?;
        tx.execute(
            "INSERT INTO deliveries (run, date, recorded_at, source, rules_sha256, input_sha256, \
             rows, gate, linked, review, unlinked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                d.run,
                d.date,
                d.recorded_at,
                d.source,
                d.rules_sha256,
                d.input_sha256,
                d.rows as i64,
                d.gate,
                d.linkage.map(|l| l.linked as i64),
                d.linkage.map(|l| l.review as i64),
                d.linkage.map(|l| l.unlinked as i64),
            ],
        )?;
        let id = tx.last_insert_rowid();
        for (i, c) in d.checks.iter().enumerate() {
            tx.execute(
                "INSERT INTO checks VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id,
                    i as i64,
                    c.id,
                    c.code,
                    c.column,
                    c.severity,
                    c.evaluated as i64,
                    c.failed as i64,
                    c.rate,
                    c.verdict
                ],
            )?;
        }
        for (i, f) in d.fields.iter().enumerate() {
            tx.execute(
                "INSERT INTO fields VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    i as i64,
                    f.name,
                    f.field_type,
                    f.present as i64,
                    f.completeness,
                    f.validity
                ],
            )?;
        }
    }
    tx.commit()?;
    conn.close().map_err(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn delivery(source: &str, date: &str, input: &str, rate: f64) -> Delivery {
        Delivery {
            run: format!("run-{date}"),
            date: date.into(),
            recorded_at: "2026-01-01T00:00:00Z".into(),
            source: source.into(),
            rules_sha256: "r".into(),
            input_sha256: input.into(),
            rows: 100,
            gate: if rate > 5.0 { "failed" } else { "passed" }.into(),
            linkage: Some(Linkage {
                linked: 90,
                review: 5,
                unlinked: 5,
            }),
            checks: vec![CheckPoint {
                id: "CF.required".into(),
                code: "VG101".into(),
                column: Some("CF".into()),
                severity: "error".into(),
                evaluated: 100,
                failed: rate as u64,
                rate,
                verdict: if rate > 5.0 { "failed" } else { "passed" }.into(),
            }],
            fields: vec![FieldPoint {
                name: "CF".into(),
                field_type: "codice_fiscale".into(),
                present: true,
                completeness: 100.0 - rate,
                validity: 100.0,
            }],
        }
    }

    #[test]
    fn deliveries_are_added_and_the_same_delivery_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history").join(FILE_NAME);
        assert!(read(&path).unwrap().is_empty());
        let sink = Sink::default();
        record(&sink, &path, &[delivery("a", "2026-01-31", "x", 2.0)]).unwrap();
        record(
            &sink,
            &path,
            &[
                delivery("a", "2026-02-28", "y", 9.0),
                delivery("b", "2026-02-28", "z", 0.0),
            ],
        )
        .unwrap();
        let mut again = delivery("a", "2026-02-28", "y", 9.0);
        again.run = "another".into();
        record(&sink, &path, &[again]).unwrap();
        let all = read(&path).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0], delivery("a", "2026-01-31", "x", 2.0));
        assert_eq!(all[1].source, "b");
        assert_eq!(all[2].run, "another");
        assert_eq!(all[2].checks[0].rate, 9.0);
        assert_eq!(all[2].fields[0].completeness, 91.0);
        assert_eq!(merged(all.clone(), &[]).len(), 3);
        assert_eq!(
            merged(all, &[delivery("a", "2026-01-31", "x", 1.0)])[0].checks[0].rate,
            1.0
        );
    }

    #[test]
    fn a_file_that_is_not_a_history_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, b"not sqlite at all, but some text").unwrap();
        let e = record(&Sink::default(), &path, &[delivery("a", "d", "x", 0.0)]).unwrap_err();
        assert!(e.to_string().contains("cannot use the history"), "{e}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"not sqlite at all, but some text"
        );
    }

    const FILE_NAME: &str = super::super::FILE;
}
