//! `findings.csv`: one row per failing (source, row, check).

use std::path::Path;

use crate::output::{write_csv_record, AtomicFile, OutputError, Sink};
use crate::validate::Finding;

/// The columns of `findings.csv`.
pub const HEADER: [&str; 9] = [
    "source", "row", "line", "key", "column", "check", "code", "severity", "message",
];

/// Streams findings into `findings.csv`, which appears only on
/// [`FindingsWriter::finish`].
pub struct FindingsWriter {
    writer: csv::Writer<AtomicFile>,
    path: std::path::PathBuf,
    written: u64,
}

impl FindingsWriter {
    /// Starts `path` in `sink`, writing the header.
    pub fn create(sink: &Sink, path: &Path) -> Result<FindingsWriter, OutputError> {
        let file: AtomicFile = sink.create(path)?;
        let mut writer = csv::WriterBuilder::new().from_writer(file);
        write_csv_record(&mut writer, HEADER).map_err(|e| to_output(path, e))?;
        Ok(FindingsWriter {
            writer,
            path: path.to_path_buf(),
            written: 0,
        })
    }

    /// Writes one finding of `source`.
    pub fn write(&mut self, source: &str, f: &Finding) -> std::io::Result<()> {
        self.written += 1;
        let row = f.row.to_string();
        let line = f.line.to_string();
        write_csv_record(
            &mut self.writer,
            [
                source,
                row.as_str(),
                line.as_str(),
                f.key.as_str(),
                f.column.as_str(),
                &f.check,
                f.code,
                f.severity.name(),
                &f.message.to_string(),
            ],
        )
        .map_err(|e| std::io::Error::other(format!("{}: {e}", self.path.display())))
    }

    /// Findings written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Completes the file.
    pub fn finish(self) -> Result<(), OutputError> {
        let path = self.path.clone();
        let file = self.writer.into_inner().map_err(|e| OutputError {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        file.commit()
    }
}

fn to_output(path: &Path, e: csv::Error) -> OutputError {
    OutputError {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}
