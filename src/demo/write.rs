//! Writing the demo city: the registry and the extracts in the encodings and
//! shapes offices deliver, the truth files and the rule files. Every file is
//! written atomically and is byte-identical for a seed.

use std::path::Path;

use miette::{IntoDiagnostic, WrapErr};

use super::anagrafe::City;
use super::extracts::Extract;
use super::stradario::{self, AddressTruth, Geography};
use crate::output::{write_atomic, write_csv_record};

/// How a CSV extract is encoded.
#[derive(Clone, Copy, Debug)]
pub struct CsvStyle {
    /// Field delimiter.
    pub delimiter: u8,
    /// Windows-1252 instead of UTF-8.
    pub windows_1252: bool,
    /// A UTF-8 byte-order mark first.
    pub bom: bool,
    /// CRLF line ends.
    pub crlf: bool,
    /// UTF-16 little-endian (with its byte-order mark when `bom`), as Excel
    /// saves "Unicode text"; instead of UTF-8 or Windows-1252.
    pub utf16le: bool,
}

impl CsvStyle {
    /// UTF-8 without a byte-order mark, LF line ends, `,`: change what an
    /// extract does otherwise (`CsvStyle { delimiter: b'|', ..CsvStyle::PLAIN }`).
    pub const PLAIN: CsvStyle = CsvStyle {
        delimiter: b',',
        windows_1252: false,
        bom: false,
        crlf: false,
        utf16le: false,
    };
}

/// Rows to CSV bytes in a style.
pub fn csv_bytes(
    header: &[&str],
    rows: &[Vec<String>],
    style: CsvStyle,
) -> miette::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(style.delimiter)
        .terminator(if style.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    write_csv_record(&mut w, header).into_diagnostic()?;
    for r in rows {
        write_csv_record(&mut w, r).into_diagnostic()?;
    }
    let utf8 = w.into_inner().into_diagnostic()?;
    let mut out = Vec::with_capacity(utf8.len() + 3);
    if style.utf16le {
        let text = String::from_utf8(utf8).into_diagnostic()?;
        if style.bom {
            out.extend_from_slice(&[0xFF, 0xFE]);
        }
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        return Ok(out);
    }
    if style.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    if style.windows_1252 {
        let text = String::from_utf8(utf8).into_diagnostic()?;
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
        if unmappable {
            miette::bail!("a demo name cannot be written in Windows-1252");
        }
        out.extend_from_slice(&bytes);
    } else {
        out.extend_from_slice(&utf8);
    }
    Ok(out)
}

fn write(path: &Path, bytes: &[u8]) -> miette::Result<()> {
    write_atomic(path, bytes)?;
    Ok(())
}

/// `anagrafe.csv`: UTF-8, `;`, ISO dates.
pub fn anagrafe(city: &City, path: &Path) -> miette::Result<()> {
    let header = [
        "ID_PERSONA",
        "ID_FAMIGLIA",
        "RELAZIONE_PARENTELA",
        "COGNOME",
        "NOME",
        "SESSO",
        "DATA_NASCITA",
        "COD_LUOGO_NASCITA",
        "CITTADINANZA",
        "CODICE_FISCALE",
        "DUG",
        "TOPONIMO",
        "CIVICO",
        "CAP",
        "QUARTIERE",
    ];
    let rows: Vec<Vec<String>> = city
        .people
        .iter()
        .map(|p| {
            let a = &city.families[p.family].address;
            vec![
                p.id.to_string(),
                city.families[p.family].id.to_string(),
                p.relation.to_string(),
                p.surname.clone(),
                p.name.clone(),
                if p.female { "F" } else { "M" }.to_owned(),
                p.birth.format("%Y-%m-%d").to_string(),
                p.birthplace.to_owned(),
                p.citizenship.to_owned(),
                p.cf.clone(),
                a.street.0.to_owned(),
                a.street.1.to_owned(),
                a.civico.clone(),
                a.street.2.to_owned(),
                a.quartiere_name().to_owned(),
            ]
        })
        .collect();
    let style = CsvStyle {
        delimiter: b';',
        windows_1252: false,
        bom: false,
        crlf: false,
        utf16le: false,
    };
    write(path, &csv_bytes(&header, &rows, style)?)
}

/// A CSV extract.
pub fn csv_extract(e: &Extract, path: &Path, style: CsvStyle) -> miette::Result<()> {
    write(path, &csv_bytes(&e.header, &e.rows, style)?)
}

/// An SQLite extract: one table, every column TEXT except the integer and
/// real ones named in `integers` and `reals`; empty values are NULL. Built in
/// a temporary file next to the target, then renamed.
pub fn sqlite_extract(
    e: &Extract,
    path: &Path,
    table: &str,
    integers: &[&str],
    reals: &[&str],
) -> miette::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".vaglio-demo-")
        .suffix(".sqlite")
        .tempfile_in(dir)
        .into_diagnostic()?;
    {
        let conn = rusqlite::Connection::open(tmp.path()).into_diagnostic()?;
        let cols: Vec<String> = e
            .header
            .iter()
            .map(|c| {
                let ty = if integers.contains(c) {
                    "INTEGER"
                } else if reals.contains(c) {
                    "REAL"
                } else {
                    "TEXT"
                };
                format!("\"{c}\" {ty}")
            })
            .collect();
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; CREATE TABLE \"{table}\" ({});",
            cols.join(", ")
        ))
        .into_diagnostic()?;
        let placeholders = vec!["?"; e.header.len()].join(", ");
        conn.execute_batch("BEGIN").into_diagnostic()?;
        {
            let mut stmt = conn
                .prepare(&format!("INSERT INTO \"{table}\" VALUES ({placeholders})"))
                .into_diagnostic()?;
            for row in &e.rows {
                let values: Vec<rusqlite::types::Value> = row
                    .iter()
                    .zip(&e.header)
                    .map(|(v, c)| {
                        use rusqlite::types::Value;
                        if v.is_empty() {
                            Value::Null
                        } else if integers.contains(c) {
                            v.parse()
                                .map_or_else(|_| Value::Text(v.clone()), Value::Integer)
                        } else if reals.contains(c) {
                            v.parse()
                                .map_or_else(|_| Value::Text(v.clone()), Value::Real)
                        } else {
                            Value::Text(v.clone())
                        }
                    })
                    .collect();
                stmt.execute(rusqlite::params_from_iter(values))
                    .into_diagnostic()?;
            }
        }
        conn.execute_batch("COMMIT").into_diagnostic()?;
    }
    tmp.persist(path)
        .map_err(|e| e.error)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// `truth/<extract>.csv`: `ROW,KEY,ID_PERSONA,ERRORS` (errors separated by
/// `;`, in the order of [`super::errors::ErrorKind::ALL`]); for an extract
/// with addresses also `ADDRESS_STREET` (the dwelling's street code),
/// `ADDRESS_CIVIC` (its house number, as the register writes it),
/// `ADDRESS_AREA` (its area statistica's code) and `ADDRESS_ERRORS` (the
/// errors injected into the written address, separated by `;`).
pub fn truth(e: &Extract, geography: &Geography, path: &Path) -> miette::Result<()> {
    let with_addresses = e.truth.iter().any(|t| t.address.is_some());
    let rows: Vec<Vec<String>> = e
        .truth
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut kinds = t.errors.clone();
            kinds.sort();
            kinds.dedup();
            let mut row = vec![
                (i + 1).to_string(),
                t.key.clone(),
                t.person.map(|p| p.to_string()).unwrap_or_default(),
                kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(";"),
            ];
            if with_addresses {
                row.extend(address_truth(t.address.as_ref(), geography));
            }
            row
        })
        .collect();
    let mut header = vec!["ROW", "KEY", "ID_PERSONA", "ERRORS"];
    if with_addresses {
        header.extend([
            "ADDRESS_STREET",
            "ADDRESS_CIVIC",
            "ADDRESS_AREA",
            "ADDRESS_ERRORS",
        ]);
    }
    let style = CsvStyle {
        delimiter: b',',
        windows_1252: false,
        bom: false,
        crlf: false,
        utf16le: false,
    };
    write(path, &csv_bytes(&header, &rows, style)?)
}

/// The four address columns of a truth row (empty without an address).
fn address_truth(a: Option<&AddressTruth>, geography: &Geography) -> [String; 4] {
    let Some(a) = a else {
        return Default::default();
    };
    let s = a.address.street_index;
    let key = stradario::key_of(&a.address.civico);
    let area = key.map(|k| geography.areas[geography.area_of(s, k.number)].code.clone());
    [
        geography.codes[s].clone(),
        key.map(|k| k.canonical()).unwrap_or_default(),
        area.unwrap_or_default(),
        a.errors
            .iter()
            .map(|e| e.code())
            .collect::<Vec<_>>()
            .join(";"),
    ]
}

/// `stradario.csv`: the civic-number register, UTF-8, `;`.
pub fn stradario(rows: &[Vec<String>], path: &Path) -> miette::Result<()> {
    let style = CsvStyle {
        delimiter: b';',
        windows_1252: false,
        bom: false,
        crlf: false,
        utf16le: false,
    };
    write(path, &csv_bytes(&stradario::HEADER, rows, style)?)
}
