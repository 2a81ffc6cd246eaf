//! Parquet copies of the datamart's tables, `master/parquet/<table>.parquet`,
//! for DuckDB, Polars, Spark and whoever does not read SQLite.
//!
//! A [`TableWriter`] takes the rows SQLite has just inserted, a batch at a
//! time, and writes them in row groups of [`ROW_GROUP`] rows: every column
//! optional, text as UTF-8 strings, integers as INT64, decimals as DOUBLE,
//! booleans as BOOLEAN, dates as DATE and date-times as TIMESTAMP
//! (microseconds, not adjusted to UTC), compressed with Snappy. The same rows
//! give the same bytes.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{NaiveDate, NaiveDateTime};
use parquet::basic::{
    Compression, LogicalType, Repetition, TimeUnit, TimestampType, Type as Physical,
};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use parquet::schema::types::Type;

use super::datamart::{Cell, Row};
use super::model::{Kind, Model};
use crate::output::Sink;

/// Rows per row group: a column's group is encoded and written at once.
pub const ROW_GROUP: usize = 65_536;

/// What can go wrong while writing a table's Parquet file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The encoder or the file.
    #[error("{0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// A value that its column's kind does not take (a defect of the table's
    /// definition, never of the data).
    #[error("column {column}: {value} is not a value of kind {kind:?}")]
    Mismatch {
        /// The column.
        column: String,
        /// Its kind.
        kind: Kind,
        /// The value, described.
        value: String,
    },
    /// The file.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// One column's values of the current row group, and which rows have one
/// (definition level 1) or are null (0).
struct Buffer {
    values: Values,
    defined: Vec<i16>,
}

/// The values themselves, by physical type. Text is kept as one run of
/// bytes with the end of each value, and cut into strings only when the
/// group is written.
enum Values {
    Int64(Vec<i64>),
    Double(Vec<f64>),
    Boolean(Vec<bool>),
    Int32(Vec<i32>),
    Text(Vec<u8>, Vec<usize>),
}

impl Values {
    fn of(kind: Kind) -> Values {
        match kind {
            Kind::Integer | Kind::DateTime => Values::Int64(Vec::new()),
            Kind::Real => Values::Double(Vec::new()),
            Kind::Boolean => Values::Boolean(Vec::new()),
            Kind::Date => Values::Int32(Vec::new()),
            Kind::Text => Values::Text(Vec::new(), Vec::new()),
        }
    }
}

/// The first day of the Unix epoch, from which Parquet counts dates.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

impl Buffer {
    /// Adds `cell`, which must be of `kind` (or null).
    fn push(&mut self, cell: &Cell<'_>, kind: Kind, column: &str) -> Result<(), Error> {
        let mismatch = || Error::Mismatch {
            column: column.to_string(),
            kind,
            value: format!("{cell:?}"),
        };
        match (&mut self.values, cell) {
            (_, Cell::Null) => {
                self.defined.push(0);
                return Ok(());
            }
            (Values::Int64(v), Cell::Integer(i)) if kind == Kind::Integer => v.push(*i),
            (Values::Int64(v), Cell::Text(t)) if kind == Kind::DateTime => {
                let at = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
                    .map_err(|_| mismatch())?;
                v.push(at.and_utc().timestamp_micros());
            }
            (Values::Double(v), Cell::Real(x)) => v.push(*x),
            (Values::Double(v), Cell::Integer(i)) => v.push(*i as f64),
            (Values::Boolean(v), Cell::Integer(i)) => v.push(*i != 0),
            (Values::Int32(v), Cell::Text(t)) => {
                let day = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| mismatch())?;
                let days = day.signed_duration_since(epoch()).num_days();
                v.push(i32::try_from(days).map_err(|_| mismatch())?);
            }
            (Values::Text(bytes, ends), Cell::Text(t)) => {
                bytes.extend_from_slice(t.as_bytes());
                ends.push(bytes.len());
            }
            // SQLite stores a number in a TEXT column as its text.
            (Values::Text(bytes, ends), Cell::Integer(i)) => {
                bytes.extend_from_slice(i.to_string().as_bytes());
                ends.push(bytes.len());
            }
            _ => return Err(mismatch()),
        }
        self.defined.push(1);
        Ok(())
    }

    /// Writes the buffered values to `out` and empties the buffer.
    fn write(&mut self, out: &mut ColumnWriter<'_>) -> Result<(), Error> {
        let defined = Some(self.defined.as_slice());
        match (&mut self.values, out) {
            (Values::Int64(v), ColumnWriter::Int64ColumnWriter(w)) => {
                w.write_batch(v, defined, None)?;
                v.clear();
            }
            (Values::Double(v), ColumnWriter::DoubleColumnWriter(w)) => {
                w.write_batch(v, defined, None)?;
                v.clear();
            }
            (Values::Boolean(v), ColumnWriter::BoolColumnWriter(w)) => {
                w.write_batch(v, defined, None)?;
                v.clear();
            }
            (Values::Int32(v), ColumnWriter::Int32ColumnWriter(w)) => {
                w.write_batch(v, defined, None)?;
                v.clear();
            }
            (Values::Text(bytes, ends), ColumnWriter::ByteArrayColumnWriter(w)) => {
                // The next group's text takes as much room: reserved once.
                let room = bytes.len();
                let all = Bytes::from(std::mem::replace(bytes, Vec::with_capacity(room)));
                let mut start = 0;
                let strings: Vec<ByteArray> = ends
                    .iter()
                    .map(|&end| {
                        let s = ByteArray::from(all.slice(start..end));
                        start = end;
                        s
                    })
                    .collect();
                w.write_batch(&strings, defined, None)?;
                ends.clear();
            }
            _ => {
                return Err(Error::Parquet(parquet::errors::ParquetError::General(
                    "a column's writer is not of its kind".into(),
                )))
            }
        }
        self.defined.clear();
        Ok(())
    }
}

/// The Parquet schema of `model`'s columns.
fn schema(model: &Model) -> Result<Type, Error> {
    let fields = model
        .columns
        .iter()
        .map(|c| {
            let (physical, logical) = match c.kind {
                Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
                Kind::Integer => (Physical::INT64, None),
                Kind::Real => (Physical::DOUBLE, None),
                Kind::Boolean => (Physical::BOOLEAN, None),
                Kind::Date => (Physical::INT32, Some(LogicalType::Date)),
                Kind::DateTime => (
                    Physical::INT64,
                    Some(LogicalType::Timestamp(TimestampType {
                        is_adjusted_to_u_t_c: false,
                        unit: TimeUnit::MICROS,
                    })),
                ),
            };
            Type::primitive_type_builder(&c.name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Type::group_type_builder("schema")
        .with_fields(fields)
        .build()?)
}

/// Writes one table's rows to a Parquet file, a row group at a time.
pub struct TableWriter<W: Write + Send> {
    /// The file, opened at the first row group (its properties depend on
    /// the values), or the output until then.
    file: Writer<W>,
    schema: Arc<Type>,
    kinds: Vec<(String, Kind)>,
    buffers: Vec<Buffer>,
    rows: usize,
}

/// The file of a [`TableWriter`]: not yet begun, or being written.
enum Writer<W: Write + Send> {
    Waiting(Option<W>),
    Writing(SerializedFileWriter<W>),
}

/// A text column whose first row group has more than this share of
/// distinct values is written without a dictionary: pseudonyms and record
/// keys (a dictionary of them saves nothing, and the encoder would build
/// one and give up on it in every row group). Other columns keep Parquet's
/// default, a dictionary.
const DISTINCT_SHARE: f64 = 0.5;

impl Buffer {
    /// Whether most of this group's values differ (text columns only).
    fn mostly_distinct(&self) -> bool {
        let Values::Text(bytes, ends) = &self.values else {
            return false;
        };
        let mut seen: foldhash::HashSet<&[u8]> = foldhash::HashSet::default();
        let mut start = 0;
        for &end in ends {
            seen.insert(&bytes[start..end]);
            start = end;
        }
        seen.len() as f64 > DISTINCT_SHARE * ends.len().max(1) as f64
    }
}

impl<W: Write + Send> TableWriter<W> {
    /// A writer of `model`'s rows to `out`.
    pub fn new(model: &Model, out: W) -> Result<TableWriter<W>, Error> {
        Ok(TableWriter {
            file: Writer::Waiting(Some(out)),
            schema: Arc::new(schema(model)?),
            kinds: model
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.kind))
                .collect(),
            buffers: model
                .columns
                .iter()
                .map(|c| Buffer {
                    values: Values::of(c.kind),
                    defined: Vec::new(),
                })
                .collect(),
            rows: 0,
        })
    }

    /// Adds `rows` (cells in the model's column order).
    pub fn push(&mut self, rows: &[Row<'_>]) -> Result<(), Error> {
        for row in rows {
            for ((cell, buffer), (name, kind)) in row.iter().zip(&mut self.buffers).zip(&self.kinds)
            {
                buffer.push(cell, *kind, name)?;
            }
            self.rows += 1;
            if self.rows == ROW_GROUP {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Begins the file if it was not: Snappy, and no dictionary for the
    /// text columns whose buffered values are mostly distinct.
    fn begin(&mut self) -> Result<(), Error> {
        let Writer::Waiting(out) = &mut self.file else {
            return Ok(());
        };
        let mut props = WriterProperties::builder().set_compression(Compression::SNAPPY);
        for (buffer, (name, _)) in self.buffers.iter().zip(&self.kinds) {
            if buffer.mostly_distinct() {
                props = props.set_column_dictionary_enabled(ColumnPath::from(name.as_str()), false);
            }
        }
        let out = out.take().ok_or_else(lost)?;
        let props = Arc::new(props.build());
        self.file = Writer::Writing(SerializedFileWriter::new(
            out,
            Arc::clone(&self.schema),
            props,
        )?);
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<(), Error> {
        if self.rows == 0 {
            return Ok(());
        }
        self.begin()?;
        let Writer::Writing(file) = &mut self.file else {
            return Err(lost());
        };
        let mut group = file.next_row_group()?;
        for buffer in &mut self.buffers {
            let Some(mut column) = group.next_column()? else {
                break;
            };
            buffer.write(column.untyped())?;
            column.close()?;
        }
        group.close()?;
        self.rows = 0;
        Ok(())
    }

    /// Writes what is left and the file's footer; returns the output.
    pub fn finish(mut self) -> Result<W, Error> {
        self.flush()?;
        // A table without rows: its file begins (and ends) here.
        self.begin()?;
        match self.file {
            Writer::Writing(file) => Ok(file.into_inner()?),
            Writer::Waiting(_) => Err(lost()),
        }
    }
}

/// The error of a file that should have been begun and was not (a defect).
fn lost() -> Error {
    Error::Parquet(parquet::errors::ParquetError::General(
        "the Parquet file's output was lost before it was begun".into(),
    ))
}

/// A table's Parquet file being written through a [`Sink`]: a temporary
/// file, placed at `<dir>/<table>.parquet` when finished.
pub struct Staged {
    writer: TableWriter<BufWriter<tempfile::NamedTempFile>>,
    path: std::path::PathBuf,
}

impl Staged {
    /// Starts `model`'s file in `dir`.
    pub fn start(sink: &Sink, dir: &Path, model: &Model) -> miette::Result<Staged> {
        let path = dir.join(format!("{}.parquet", model.name));
        let temp = sink.temp_for(&path, ".parquet.tmp")?;
        let writer = TableWriter::new(model, BufWriter::with_capacity(1 << 20, temp))
            .map_err(|e| failed(&path, e))?;
        Ok(Staged { writer, path })
    }

    /// Adds `rows`.
    pub fn push(&mut self, rows: &[Row<'_>]) -> miette::Result<()> {
        self.writer.push(rows).map_err(|e| failed(&self.path, e))
    }

    /// Finishes the file and puts it in place (or stages it).
    pub fn finish(self, sink: &Sink) -> miette::Result<()> {
        let path = self.path;
        let out = self.writer.finish().map_err(|e| failed(&path, e))?;
        let temp = out
            .into_inner()
            .map_err(|e| failed(&path, Error::Io(e.into_error())))?;
        sink.place(temp, &path)?;
        Ok(())
    }
}

fn failed(path: &Path, e: Error) -> miette::Report {
    miette::miette!(
        code = "vaglio::datamart::parquet",
        "cannot write {}: {e}",
        path.display()
    )
}

/// Removes from `dir` the Parquet files of tables not in `written` (a
/// source dropped from the project): when the run publishes, through
/// `sink`.
pub fn remove_stale(sink: &Sink, dir: &Path, written: &[&str]) -> miette::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if let Some(table) = name.strip_suffix(".parquet") {
            if !written.contains(&table) && e.file_type().is_ok_and(|t| t.is_file()) {
                sink.remove(&e.path())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::master::model::columns;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    fn model() -> Model {
        Model::new(
            "t",
            "prova",
            columns(&[
                ("testo", Kind::Text, ""),
                ("intero", Kind::Integer, ""),
                ("reale", Kind::Real, ""),
                ("vero", Kind::Boolean, ""),
                ("giorno", Kind::Date, ""),
                ("istante", Kind::DateTime, ""),
            ]),
        )
    }

    fn row(i: i64) -> Row<'static> {
        if i % 7 == 3 {
            return vec![Cell::Null; 6];
        }
        vec![
            Cell::owned(Some(format!("riga {i} è qui"))),
            Cell::Integer(i - 50_000),
            Cell::Real(i as f64 / 4.0),
            Cell::Integer(i % 2),
            Cell::owned(Some(format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28))),
            Cell::owned(Some(format!("2025-09-15T08:{:02}:{:02}", i % 60, i % 59))),
        ]
    }

    fn write(n: i64) -> Vec<u8> {
        let mut w = TableWriter::new(&model(), Vec::new()).unwrap();
        let rows: Vec<Row<'static>> = (0..n).map(row).collect();
        for chunk in rows.chunks(1000) {
            w.push(chunk).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn mostly_distinct_text_has_no_dictionary_repeated_text_has_one() {
        let model = Model::new(
            "t",
            "prova",
            columns(&[("chiave", Kind::Text, ""), ("sesso", Kind::Text, "")]),
        );
        let mut w = TableWriter::new(&model, Vec::new()).unwrap();
        let rows: Vec<Row<'static>> = (0..1000)
            .map(|i| {
                vec![
                    Cell::owned(Some(format!("{i:032x}"))),
                    Cell::text(Some(if i % 2 == 0 { "F" } else { "M" })),
                ]
            })
            .collect();
        w.push(&rows).unwrap();
        let reader = SerializedFileReader::new(Bytes::from(w.finish().unwrap())).unwrap();
        let group = reader.metadata().row_group(0);
        assert!(group.column(0).dictionary_page_offset().is_none());
        assert!(group.column(1).dictionary_page_offset().is_some());
        assert_eq!(reader.get_row_iter(None).unwrap().count(), 1000);
    }

    #[test]
    fn a_table_without_rows_is_a_valid_empty_file() {
        let w = TableWriter::new(&model(), Vec::new()).unwrap();
        let reader = SerializedFileReader::new(Bytes::from(w.finish().unwrap())).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 0);
        assert_eq!(
            reader
                .metadata()
                .file_metadata()
                .schema_descr()
                .num_columns(),
            6
        );
    }

    #[test]
    fn rows_read_back_as_written_across_row_groups() {
        let n = ROW_GROUP as i64 + 1234;
        let file = write(n);
        let reader = SerializedFileReader::new(Bytes::from(file)).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 2);
        let mut seen = 0;
        for (i, r) in reader.get_row_iter(None).unwrap().enumerate() {
            let r = r.unwrap();
            let fields: Vec<&Field> = r.get_column_iter().map(|(_, f)| f).collect();
            let i = i as i64;
            if i % 7 == 3 {
                assert!(fields.iter().all(|f| matches!(f, Field::Null)), "row {i}");
            } else {
                assert_eq!(fields[0], &Field::Str(format!("riga {i} è qui")));
                assert_eq!(fields[1], &Field::Long(i - 50_000));
                assert_eq!(fields[2], &Field::Double(i as f64 / 4.0));
                assert_eq!(fields[3], &Field::Bool(i % 2 == 1));
                let day = NaiveDate::from_ymd_opt(2025, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
                    .unwrap();
                assert_eq!(
                    fields[4],
                    &Field::Date(day.signed_duration_since(epoch()).num_days() as i32)
                );
                let at = day
                    .with_month(9)
                    .and_then(|d| d.with_day(15))
                    .and_then(|d| d.and_hms_opt(8, (i % 60) as u32, (i % 59) as u32))
                    .unwrap();
                assert_eq!(
                    fields[5],
                    &Field::TimestampMicros(at.and_utc().timestamp_micros())
                );
            }
            seen += 1;
        }
        assert_eq!(seen, n);
    }

    #[test]
    fn the_same_rows_give_the_same_bytes() {
        assert_eq!(write(3000), write(3000));
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_refused() {
        let mut w = TableWriter::new(&model(), Vec::new()).unwrap();
        let mut bad = row(1);
        bad[1] = Cell::owned(Some("dieci".into()));
        let e = w.push(&[bad]).unwrap_err();
        assert!(e.to_string().contains("intero"), "{e}");
        let mut bad = row(1);
        bad[4] = Cell::owned(Some("15/09/2025".into()));
        assert!(w.push(&[bad]).is_err(), "a date that is not ISO");
    }

    use chrono::Datelike;
}
