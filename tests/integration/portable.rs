//! The datamart in portable form: every table as a Parquet file equal to its
//! SQLite table, and `datapackage.json` describing them (fields, types,
//! keys) as the data shows.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use rusqlite::types::Value;
use rusqlite::Connection;
use serde_json::Value as Json;

use crate::util::{count, demo_city, scratch, vaglio};

/// The tables of the datamart, in file order.
fn tables(conn: &Connection) -> Vec<String> {
    let mut st = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A table's columns: name and declared type.
fn columns(conn: &Connection, table: &str) -> Vec<(String, String)> {
    let mut st = conn
        .prepare(&format!("PRAGMA table_info(\"{table}\")"))
        .unwrap();
    st.query_map([], |r| Ok((r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Whether the Parquet cell `p` holds the SQLite value `s` of a column of
/// Table Schema type `ty`.
fn same(p: &Field, s: &Value, ty: &str) -> bool {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    match (p, s) {
        (Field::Null, Value::Null) => true,
        (Field::Long(a), Value::Integer(b)) => ty == "integer" && a == b,
        (Field::Bool(a), Value::Integer(b)) => ty == "boolean" && i64::from(*a) == *b,
        (Field::Double(a), Value::Real(b)) => ty == "number" && a.to_bits() == b.to_bits(),
        (Field::Str(a), Value::Text(b)) => ty == "string" && a == b,
        (Field::Date(days), Value::Text(b)) => {
            ty == "date"
                && NaiveDate::parse_from_str(b, "%Y-%m-%d")
                    .is_ok_and(|d| d.signed_duration_since(epoch).num_days() == i64::from(*days))
        }
        (Field::TimestampMicros(us), Value::Text(b)) => {
            ty == "datetime"
                && NaiveDateTime::parse_from_str(b, "%Y-%m-%dT%H:%M:%S")
                    .is_ok_and(|t| t.and_utc().timestamp_micros() == *us)
        }
        _ => false,
    }
}

/// Every row of `table` in SQLite equals its row in the Parquet file.
fn parquet_equals_sqlite(conn: &Connection, master: &Path, table: &str, types: &[String]) {
    let file = std::fs::File::open(master.join(format!("parquet/{table}.parquet")))
        .unwrap_or_else(|e| panic!("{table}.parquet: {e}"));
    let reader = SerializedFileReader::new(file).unwrap();
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let sql_names: Vec<String> = columns(conn, table).into_iter().map(|c| c.0).collect();
    assert_eq!(names, sql_names, "{table}: columns");
    let mut st = conn
        .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
        .unwrap();
    let n = names.len();
    let sql_rows: Vec<Vec<Value>> = st
        .query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut rows = 0;
    for (i, row) in reader.get_row_iter(None).unwrap().enumerate() {
        let row = row.unwrap();
        let sql = &sql_rows[i];
        for (k, (_, cell)) in row.get_column_iter().enumerate() {
            assert!(
                same(cell, &sql[k], &types[k]),
                "{table} row {} column {}: Parquet {cell:?}, SQLite {:?}",
                i + 1,
                names[k],
                sql[k]
            );
        }
        rows += 1;
    }
    assert_eq!(rows, sql_rows.len(), "{table}: rows");
}

#[test]
fn every_table_is_a_parquet_file_equal_to_it_and_the_package_describes_them() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 2000, 7);
    let master = dir.join("master");
    let conn = Connection::open(master.join("datamart.sqlite")).unwrap();
    let names = tables(&conn);
    for t in [
        "individui",
        "famiglie",
        "servizi",
        "fragilita",
        "redditi",
        "metadata",
        "refezione",
    ] {
        assert!(names.iter().any(|n| n == t), "{t} in {names:?}");
    }
    let package: Json =
        serde_json::from_slice(&std::fs::read(master.join("datapackage.json")).unwrap()).unwrap();
    assert_eq!(package["licenses"][0]["name"], "other-closed");
    let resources = package["resources"].as_array().unwrap();
    let described: BTreeSet<&str> = resources
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let stored: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(described, stored, "a resource per table");
    assert_eq!(resources.len(), names.len());
    let parquet: BTreeSet<String> = std::fs::read_dir(master.join("parquet"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = names.iter().map(|n| format!("{n}.parquet")).collect();
    assert_eq!(parquet, expected, "a file per table, nothing else");

    for r in resources {
        let table = r["name"].as_str().unwrap();
        assert_eq!(r["path"], format!("parquet/{table}.parquet"));
        assert!(!r["description"].as_str().unwrap().is_empty(), "{table}");
        let schema = &r["schema"];
        let fields = schema["fields"].as_array().unwrap();
        let sql = columns(&conn, table);
        assert_eq!(fields.len(), sql.len(), "{table}: fields");
        let mut types = Vec::new();
        for (f, (name, declared)) in fields.iter().zip(&sql) {
            assert_eq!(f["name"], name.as_str(), "{table}");
            let ty = f["type"].as_str().unwrap();
            let expected = match ty {
                "string" | "date" | "datetime" => "TEXT",
                "integer" | "boolean" => "INTEGER",
                "number" => "REAL",
                other => panic!("{table}.{name}: type {other}"),
            };
            assert_eq!(declared, expected, "{table}.{name}");
            assert!(
                !f["description"].as_str().unwrap_or("").is_empty(),
                "{table}.{name} has a description"
            );
            types.push(ty.to_string());
        }
        // Every stored value has its field's type.
        for (name, ty) in sql.iter().map(|c| &c.0).zip(&types) {
            let allowed = match ty.as_str() {
                "string" | "date" | "datetime" => "'text'",
                "integer" => "'integer'",
                "boolean" => "'integer'",
                _ => "'real'",
            };
            let bad = count(
                &conn,
                &format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE typeof(\"{name}\") NOT IN ({allowed}, 'null')"
                ),
            );
            assert_eq!(bad, 0, "{table}.{name} holds values not of type {ty}");
            if ty == "boolean" {
                let not01 = count(
                    &conn,
                    &format!("SELECT COUNT(*) FROM \"{table}\" WHERE \"{name}\" NOT IN (0, 1)"),
                );
                assert_eq!(not01, 0, "{table}.{name}");
            }
        }
        // The primary key identifies the rows.
        if let Some(key) = schema["primaryKey"].as_array() {
            let cols: Vec<String> = key
                .iter()
                .map(|k| format!("\"{}\"", k.as_str().unwrap()))
                .collect();
            let cols = cols.join(", ");
            let dup = count(
                &conn,
                &format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM \"{table}\" GROUP BY {cols} HAVING COUNT(*) > 1)"
                ),
            );
            assert_eq!(dup, 0, "{table}: primary key ({cols}) repeats");
        }
        // The foreign keys resolve.
        for fk in schema["foreignKeys"].as_array().into_iter().flatten() {
            let col = fk["fields"][0].as_str().unwrap();
            let other = fk["reference"]["resource"].as_str().unwrap();
            let field = fk["reference"]["fields"][0].as_str().unwrap();
            let dangling = count(
                &conn,
                &format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE \"{col}\" IS NOT NULL \
                     AND \"{col}\" NOT IN (SELECT \"{field}\" FROM \"{other}\")"
                ),
            );
            assert_eq!(dangling, 0, "{table}.{col} -> {other}.{field}");
        }
        parquet_equals_sqlite(&conn, &master, table, &types);
    }
    // The demo's typed columns reach the package: dates, booleans.
    let field_type = |table: &str, field: &str| -> String {
        resources
            .iter()
            .find(|r| r["name"] == table)
            .and_then(|r| {
                r["schema"]["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["name"] == field)
            })
            .map(|f| f["type"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(field_type("servizi", "data_inizio"), "date");
    assert_eq!(field_type("refezione", "ESONERO"), "boolean");
    assert_eq!(field_type("fragilita", "soppresso"), "boolean");
    assert_eq!(field_type("isee", "VALORE_ISEE"), "number");
}

#[test]
fn a_table_no_longer_written_loses_its_parquet_file() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 300, 3);
    let stale = dir.join("master/parquet/vecchia_fonte.parquet");
    std::fs::write(&stale, b"PAR1").unwrap();
    let kept = dir.join("master/parquet/note.txt");
    std::fs::write(&kept, b"mine").unwrap();
    vaglio()
        .arg("run")
        .arg(dir.join("vaglio.toml"))
        .args(["--today", "2025-12-31", "--quiet"])
        .env_remove("VAGLIO_KEY")
        .assert()
        .code(0);
    assert!(
        !stale.exists(),
        "the file of a table not written is removed"
    );
    assert!(kept.exists(), "other files are left alone");
    assert!(dir.join("master/parquet/individui.parquet").exists());
}
