//! Bounded resources: a small hostile workbook or database stops the check
//! with exit 2 and the cap named, within seconds and under a 1 GiB
//! address-space limit (`ulimit -v`), instead of exhausting memory.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::util::*;

/// The address space vaglio may use in these tests, in KiB (1 GiB).
const MEMORY_KIB: u64 = 1024 * 1024;

/// How long a capped run may take.
const WALL: Duration = Duration::from_secs(20);

/// A view that multiplies rows out of a file large enough that the step
/// budget (which grows with the file) would let it fill the memory: it stops
/// at the bytes its rows take.
#[test]
fn a_view_multiplying_rows_of_a_large_file_stops_within_the_memory_limit() {
    let dir = scratch();
    std::fs::write(dir.path().join("rules.toml"), RULES).unwrap_or_else(|e| panic!("{e}"));
    let conn =
        rusqlite::Connection::open(dir.path().join("x.sqlite")).unwrap_or_else(|e| panic!("{e}"));
    // 2 MB of file: 2 billion steps of budget, some 100 million rows.
    conn.execute_batch(
        "CREATE TABLE pad (b BLOB); INSERT INTO pad VALUES (zeroblob(2000000));
         CREATE VIEW v AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS ID, 'abcdefghijklmnopqrstuvwxyz' AS NOME FROM c;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let rules = RULES.replace("[input]", "[input]\ntable = \"v\"");
    std::fs::write(dir.path().join("rules.toml"), rules).unwrap_or_else(|e| panic!("{e}"));
    let (code, stderr) = check_capped(dir.path(), "x.sqlite");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bytes in memory"), "{stderr}");
}

const RULES: &str = "[input]\nkey = \"ID\"\n[fields.ID]\ntype = \"integer\"\n[fields.NOME]\n";

/// Runs `vaglio check` on `file` in `dir` (with `rules.toml` there) under
/// `ulimit -v` of [`MEMORY_KIB`], killing it past [`WALL`]. Returns the exit
/// code and standard error as words (whatever the terminal's wrapping).
fn check_capped(dir: &Path, file: &str) -> (i32, String) {
    let stderr_path = dir.join("stderr.txt");
    let stderr = std::fs::File::create(&stderr_path).unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("vaglio"))
        .args("check --rules rules.toml --out out --today 2026-11-28".split(' '))
        .arg(file)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run sh: {e}"));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        if start.elapsed() > WALL {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{file}: still running after {WALL:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_else(|e| panic!("{e}"));
    assert!(!stderr.contains("panicked"), "{file}: {stderr}");
    let words = stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    (status.code().unwrap_or(-1), words)
}

/// Writes `rules.toml` and `file` (holding `data`) into a scratch folder and
/// checks it under the limits.
fn check_file(file: &str, data: &[u8]) -> (i32, String) {
    let dir = scratch();
    std::fs::write(dir.path().join("rules.toml"), RULES).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join(file), data).unwrap_or_else(|e| panic!("{e}"));
    check_capped(dir.path(), file)
}

/// A part of a zip archive: its name, compression method (0 stored, 8
/// deflated), CRC-32 and size of its uncompressed bytes, and its bytes as
/// stored.
struct Part {
    name: &'static str,
    method: u16,
    crc: u32,
    size: u32,
    data: Vec<u8>,
}

impl Part {
    fn stored(name: &'static str, data: &[u8]) -> Part {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        Part {
            name,
            method: 0,
            crc: crc.sum(),
            size: u32::try_from(data.len()).unwrap_or_else(|e| panic!("{e}")),
            data: data.to_vec(),
        }
    }
}

/// A zip archive of `parts`, written by hand so that a part's declared size
/// can be anything.
fn zip(parts: &[Part]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, n: u16) {
        out.extend_from_slice(&n.to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, n: u32) {
        out.extend_from_slice(&n.to_le_bytes());
    }
    let len32 = |n: usize| u32::try_from(n).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    let mut central = Vec::new();
    for part in parts {
        let offset = len32(out.len());
        let compressed = len32(part.data.len());
        let name = part.name.as_bytes();
        for (header, signature) in [(&mut out, 0x0403_4b50u32), (&mut central, 0x0201_4b50)] {
            u32le(header, signature);
            if signature == 0x0201_4b50 {
                u16le(header, 20); // made by
            }
            u16le(header, 20); // needed to extract
            u16le(header, 0); // flags
            u16le(header, part.method);
            u32le(header, 0); // time and date
            u32le(header, part.crc);
            u32le(header, compressed);
            u32le(header, part.size);
            u16le(header, len32(name.len()) as u16);
            u16le(header, 0); // extra field
            if signature == 0x0201_4b50 {
                u16le(header, 0); // comment
                u16le(header, 0); // disk
                u16le(header, 0); // internal attributes
                u32le(header, 0); // external attributes
                u32le(header, offset);
            }
            header.extend_from_slice(name);
        }
        out.extend_from_slice(&part.data);
    }
    let central_offset = len32(out.len());
    let central_len = len32(central.len());
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    u32le(&mut out, 0); // disks
    let count = u16::try_from(parts.len()).unwrap_or_else(|e| panic!("{e}"));
    u16le(&mut out, count);
    u16le(&mut out, count);
    u32le(&mut out, central_len);
    u32le(&mut out, central_offset);
    u16le(&mut out, 0); // comment
    out
}

/// An `.xlsx` workbook of one sheet, `Foglio1`, whose XML is `sheet`.
fn xlsx(sheet: Part) -> Vec<u8> {
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    zip(&[
        Part::stored(
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        Part::stored(
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).as_bytes(),
        ),
        Part::stored(
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{DOC}"><sheets><sheet name="Foglio1" sheetId="1" r:id="rId1"/></sheets></workbook>"#).as_bytes(),
        ),
        Part::stored(
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#).as_bytes(),
        ),
        Part {
            name: "xl/worksheets/sheet1.xml",
            ..sheet
        },
    ])
}

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// The XML of a sheet whose `<sheetData>` holds `rows`.
fn sheet_xml(dimension: &str, rows: &str) -> Vec<u8> {
    format!(
        "{SHEET_START}<dimension ref=\"{dimension}\"/><sheetData>{rows}</sheetData></worksheet>"
    )
    .into_bytes()
}

/// A row of inline-string cells.
fn row(r: u32, cells: &[(&str, &str)]) -> String {
    let cells: String = cells
        .iter()
        .map(|(at, text)| format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#))
        .collect();
    format!(r#"<row r="{r}">{cells}</row>"#)
}

/// The control: a small workbook reads as usual under the same limits.
#[test]
fn a_small_workbook_reads_under_the_memory_limit() {
    let rows = [
        row(1, &[("A1", "ID"), ("B1", "NOME")]),
        row(2, &[("A2", "1"), ("B2", "ANNA")]),
    ]
    .concat();
    let data = xlsx(Part::stored("", &sheet_xml("A1:B2", &rows)));
    let (code, stderr) = check_file("x.xlsx", &data);
    assert_eq!(code, 0, "{stderr}");
}

/// Cells at A1 and XFD1048576: calamine's dense range was 17 billion
/// cells; streamed, the second cell takes the span past the cap.
#[test]
fn a_cell_at_the_far_corner_of_the_sheet_stops_at_the_cells_cap() {
    let rows = [
        row(1, &[("A1", "ID")]),
        row(1_048_576, &[("XFD1048576", "1")]),
    ]
    .concat();
    let data = xlsx(Part::stored("", &sheet_xml("A1:XFD1048576", &rows)));
    assert!(data.len() < 4096);
    let (code, stderr) = check_file("x.xlsx", &data);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("its cells span 1048576 rows and 16384 columns by cell XFD1048576"),
        "{stderr}"
    );
    assert!(
        stderr.contains("50000000 cells vaglio reads from a sheet"),
        "{stderr}"
    );
}

/// A sheet whose XML inflates to 3 GiB from about 6 MB: 200 million
/// `<c><v>1</v></c>` in one row. Refused on the sizes the archive declares,
/// before inflating.
#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let cell = b"<c><v>1</v></c>";
    let chunk = cell.repeat(1 << 16);
    let start = format!("{SHEET_START}<sheetData><row r=\"1\">").into_bytes();
    let end = b"</row></sheetData></worksheet>".to_vec();
    let chunks = (3usize << 30) / chunk.len();
    // Each piece is compressed on its own, the compressor flushed fully after
    // it (no reference to what came before), so the compressed chunk can be
    // repeated as it is.
    let deflate = |data: &[u8], flush: flate2::FlushCompress| {
        let mut compressor = flate2::Compress::new(flate2::Compression::best(), false);
        let mut out = Vec::with_capacity(data.len() + 1024);
        let status = compressor
            .compress_vec(data, &mut out, flush)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(compressor.total_in(), data.len() as u64, "{status:?}");
        out
    };
    let mut stream = deflate(&start, flate2::FlushCompress::Full);
    let compressed_chunk = deflate(&chunk, flate2::FlushCompress::Full);
    for _ in 0..chunks {
        stream.extend_from_slice(&compressed_chunk);
    }
    stream.extend(deflate(&end, flate2::FlushCompress::Finish));
    let mut crc = flate2::Crc::new();
    crc.update(&start);
    for _ in 0..chunks {
        crc.update(&chunk);
    }
    crc.update(&end);
    let size = start.len() + chunks * chunk.len() + end.len();
    let data = xlsx(Part {
        name: "",
        method: 8,
        crc: crc.sum(),
        size: u32::try_from(size).unwrap_or_else(|e| panic!("{e}")),
        data: stream,
    });
    assert!(data.len() < 8 << 20, "{} bytes", data.len());
    let (code, stderr) = check_file("x.xlsx", &data);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "bytes uncompressed, more than the 2147483648 (2 GiB) vaglio inflates from a workbook"
        ),
        "{stderr}"
    );
}

/// A cell of 2 MiB with the default max_field_bytes (1 MiB).
#[test]
fn a_cell_over_max_field_bytes_stops_the_check() {
    let long = "A".repeat(2 << 20);
    let rows = [
        row(1, &[("A1", "ID"), ("B1", "NOME")]),
        row(2, &[("A2", "1"), ("B2", "ANNA")]),
        row(3, &[("A3", "2"), ("B3", &long)]),
    ]
    .concat();
    let data = xlsx(Part::stored("", &sheet_xml("A1:B3", &rows)));
    let (code, stderr) = check_file("x.xlsx", &data);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cell B3 holds 2097152 bytes, more than max_field_bytes = 1048576 bytes"),
        "{stderr}"
    );
    assert!(stderr.contains("raise `max_field_bytes`"), "{stderr}");
}

/// A view that never ends stops at SQLite's step budget, within the memory
/// limit.
#[test]
fn a_recursive_sqlite_view_stops_within_the_memory_limit() {
    let dir = scratch();
    std::fs::write(dir.path().join("rules.toml"), RULES).unwrap_or_else(|e| panic!("{e}"));
    let conn =
        rusqlite::Connection::open(dir.path().join("x.sqlite")).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "CREATE VIEW v AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS ID, 'a' AS NOME FROM c;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let (code, stderr) = check_capped(dir.path(), "x.sqlite");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("steps of SQLite"), "{stderr}");
}

/// A legacy `.xls` (an OLE compound file) whose workbook stream holds a
/// sheet with one DIMENSIONS record of `rows` rows from `first`, 200
/// columns.
fn xls(first: u32, last: u32) -> Vec<u8> {
    use std::io::Write;
    let mut stream = Vec::new();
    let mut record = |kind: u16, body: &[u8]| {
        stream.extend_from_slice(&kind.to_le_bytes());
        stream.extend_from_slice(&(body.len() as u16).to_le_bytes());
        stream.extend_from_slice(body);
    };
    // The workbook globals (BIFF8): BOF, one BOUNDSHEET naming the sheet
    // whose substream starts right after this one's EOF, EOF.
    record(
        0x0809,
        &[0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let sheet_at: u32 = 20 + (4 + 4 + 2 + 2 + 6) + 4;
    let mut bound = sheet_at.to_le_bytes().to_vec();
    bound.extend_from_slice(&[0, 0, 6, 0]);
    bound.extend_from_slice(b"Foglio");
    record(0x0085, &bound);
    record(0x000A, &[]);
    // The sheet: BOF of a worksheet, DIMENSIONS, EOF.
    record(
        0x0809,
        &[0x00, 0x06, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let mut dims = Vec::new();
    dims.extend_from_slice(&first.to_le_bytes());
    dims.extend_from_slice(&last.to_le_bytes());
    dims.extend_from_slice(&0u16.to_le_bytes());
    dims.extend_from_slice(&200u16.to_le_bytes());
    dims.extend_from_slice(&0u16.to_le_bytes());
    record(0x0200, &dims);
    record(0x000A, &[]);
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new()))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut s = file
        .create_stream("/Workbook")
        .unwrap_or_else(|e| panic!("{e}"));
    s.write_all(&stream).unwrap_or_else(|e| panic!("{e}"));
    drop(s);
    file.flush().unwrap_or_else(|e| panic!("{e}"));
    file.into_inner().into_inner()
}

/// A legacy .xls whose sheet claims four billion rows: refused from its
/// DIMENSIONS record before the workbook library makes room for them; one
/// whose last row comes before its first, refused as damaged.
#[test]
fn an_xls_declaring_billions_of_cells_is_refused_before_they_are_allocated() {
    let (code, stderr) = check_file("x.xls", &xls(0, 0xFFFF_FFF0));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("more than the 8000000 vaglio reads from a legacy .xls"),
        "{stderr}"
    );
    let (code, stderr) = check_file("x.xls", &xls(1000, 10));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("before it starts"), "{stderr}");
}

/// An OpenDocument spreadsheet whose one row of `cells` valued cells
/// repeats `rows` times, then a header-and-data sheet if `rows` is 0.
fn ods(rows: u32, cells: u32) -> Vec<u8> {
    let body = if rows == 0 {
        concat!(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>ID</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="string"><text:p>NOME</text:p></table:table-cell></table:table-row>"#,
            r#"<table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>"#,
            r#"<table:table-cell office:value-type="string"><text:p>ANNA</text:p></table:table-cell></table:table-row>"#,
            r#"<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
        )
        .to_string()
    } else {
        format!(
            r#"<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated="{cells}" office:value-type="float" office:value="7"><text:p>7</text:p></table:table-cell></table:table-row>"#
        )
    };
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Foglio1">{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip(&[
        Part::stored(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        Part::stored("META-INF/manifest.xml", manifest.as_bytes()),
        Part::stored("content.xml", content.as_bytes()),
    ])
}

/// An .ods whose one small row of values repeats into 98 million cells is
/// refused from its repeats before the workbook library expands them; a
/// sheet whose repeated cells are empty (as spreadsheets write to the
/// sheet's edge) is read.
#[test]
fn an_ods_repeating_rows_into_millions_of_cells_is_refused_before_they_are_expanded() {
    let (code, stderr) = check_file("x.ods", &ods(6000, 16384));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("more than the 8000000 vaglio reads from an .ods"),
        "{stderr}"
    );
    let (code, stderr) = check_file("x.ods", &ods(0, 0));
    assert_eq!(code, 0, "{stderr}");
}
