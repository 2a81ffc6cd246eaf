//! `master/datapackage.json`: the datamart described as a Frictionless Data
//! Package (<https://datapackage.org>), the shareable data model.
//!
//! One resource per table, pointing at its Parquet file
//! (`parquet/<table>.parquet`), with a Table Schema: every field's name,
//! type and description, the primary key and the foreign keys between the
//! tables. The descriptor depends only on the tables and the run's facts
//! given, so the same run gives the same bytes.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::model::{Kind, Model};
use crate::output::Sink;

/// The package's own facts.
pub struct Package<'a> {
    /// The run's id (16 hex digits).
    pub run: &'a str,
    /// The run's date (`--today`), ISO.
    pub date: &'a str,
    /// The version of vaglio that wrote it.
    pub version: &'a str,
}

/// The licence line: the datamart holds pseudonymised personal data, which
/// stay personal data (GDPR recital 26).
const LICENCE_TITLE: &str = "Dati personali pseudonimizzati: uso riservato al titolare del \
     trattamento e ai soggetti autorizzati (GDPR, considerando 26). Il modello dei dati (questo \
     descrittore) si può condividere liberamente.";

/// One table's resource.
fn resource(model: &Model, names: &[&str]) -> Value {
    let fields: Vec<Value> = model
        .columns
        .iter()
        .map(|c| {
            let mut field = json!({
                "name": c.name,
                "type": c.kind.table_schema(),
                "description": c.doc,
            });
            // Readers that go through pandas (frictionless among them)
            // see a null integer or number as the float NaN, written "nan".
            if matches!(c.kind, Kind::Integer | Kind::Real) {
                field["missingValues"] = json!(["", "nan"]);
            }
            field
        })
        .collect();
    let mut schema = Map::new();
    schema.insert("fields".into(), Value::Array(fields));
    schema.insert("missingValues".into(), json!([""]));
    if !model.key.is_empty() {
        schema.insert("primaryKey".into(), json!(model.key));
    }
    let references: Vec<Value> = model
        .references
        .iter()
        .filter(|r| names.contains(&r.table.as_str()))
        .map(|r| {
            json!({
                "fields": r.columns,
                "reference": { "resource": r.table, "fields": r.fields },
            })
        })
        .collect();
    if !references.is_empty() {
        schema.insert("foreignKeys".into(), Value::Array(references));
    }
    json!({
        "name": model.name,
        "path": format!("parquet/{}.parquet", model.name),
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": model.doc,
        "schema": Value::Object(schema),
    })
}

/// The descriptor of the datamart whose tables are `models`.
pub fn descriptor(models: &[Model], package: &Package<'_>) -> Value {
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    json!({
        "name": "vaglio-datamart",
        "title": "Datamart del welfare: residenti, famiglie, servizi, fragilità",
        "description": "Il datamart scritto da vaglio: ogni persona delle fonti collegata \
            all'anagrafe, le famiglie, i servizi, i fatti delle fonti (redditi, riscossione, \
            graduatorie), gli indicatori di fragilità per area, e una tabella per fonte. \
            Le stesse tabelle sono in datamart.sqlite; persona e famiglia sono pseudonimi con \
            chiave che uniscono le tabelle.",
        "version": package.version,
        "created": format!("{}T00:00:00Z", package.date),
        "keywords": ["welfare", "anagrafe", "datamart", "fragilità"],
        "licenses": [{ "name": "other-closed", "title": LICENCE_TITLE }],
        "contributors": [{ "title": format!("vaglio {}", package.version), "role": "author" }],
        "vaglio": { "esecuzione": package.run, "data": package.date },
        "resources": models.iter().map(|m| resource(m, &names)).collect::<Vec<_>>(),
    })
}

/// Writes the descriptor of `models` to `path`, through `sink`.
pub fn write(
    sink: &Sink,
    path: &Path,
    models: &[Model],
    package: &Package<'_>,
) -> miette::Result<()> {
    let mut text = serde_json::to_string_pretty(&descriptor(models, package))
        .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?;
    text.push('\n');
    sink.write(path, text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::master::model::columns;

    fn models() -> Vec<Model> {
        vec![
            Model::new(
                "individui",
                "Un residente",
                columns(&[
                    ("persona", Kind::Text, "Pseudonimo"),
                    ("famiglia", Kind::Text, "Famiglia"),
                    ("nascita", Kind::Date, "Data di nascita"),
                ]),
            )
            .key(&["persona"])
            .refers("famiglia", "famiglie", "famiglia")
            .refers("area_statistica", "aree", "area_statistica"),
            Model::new(
                "famiglie",
                "Una famiglia",
                columns(&[("famiglia", Kind::Text, "Famiglia")]),
            )
            .key(&["famiglia"]),
        ]
    }

    #[test]
    fn each_table_is_a_resource_with_its_schema_and_keys() {
        let p = Package {
            run: "0123456789abcdef",
            date: "2025-12-31",
            version: "0.1.0",
        };
        let d = descriptor(&models(), &p);
        assert_eq!(d["created"], "2025-12-31T00:00:00Z");
        assert_eq!(d["licenses"][0]["name"], "other-closed");
        let r = &d["resources"][0];
        assert_eq!(r["path"], "parquet/individui.parquet");
        assert_eq!(r["schema"]["fields"][2]["type"], "date");
        assert_eq!(r["schema"]["primaryKey"], json!(["persona"]));
        // The key to `aree`, a table not written, is left out.
        assert_eq!(
            r["schema"]["foreignKeys"],
            json!([{ "fields": ["famiglia"],
                     "reference": { "resource": "famiglie", "fields": ["famiglia"] } }])
        );
        assert!(d["resources"][1]["schema"].get("foreignKeys").is_none());
    }
}
