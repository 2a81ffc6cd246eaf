//! The datamart's data model: each table's columns with their kinds and
//! descriptions, its primary key, its foreign keys and its indexes.
//!
//! One description serves the three forms of the datamart: the SQLite file
//! ([`super::datamart`]: declared types, indexes), the Parquet files
//! ([`super::parquet`]: physical and logical types) and the Frictionless
//! Data Package ([`super::datapackage`]: field types, descriptions, keys).

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Text,
    /// A whole number.
    Integer,
    /// A decimal number.
    Real,
    /// True or false (1/0 in SQLite).
    Boolean,
    /// A calendar date (ISO text `2025-09-15` in SQLite).
    Date,
    /// A date and time without a time zone (ISO text `2025-09-15T08:30:00`
    /// in SQLite).
    DateTime,
}

impl Kind {
    /// The column's declared type in SQLite.
    pub fn sql(self) -> &'static str {
        match self {
            Kind::Integer | Kind::Boolean => "INTEGER",
            Kind::Real => "REAL",
            Kind::Text | Kind::Date | Kind::DateTime => "TEXT",
        }
    }

    /// The field's type in a Frictionless Table Schema.
    pub fn table_schema(self) -> &'static str {
        match self {
            Kind::Text => "string",
            Kind::Integer => "integer",
            Kind::Real => "number",
            Kind::Boolean => "boolean",
            Kind::Date => "date",
            Kind::DateTime => "datetime",
        }
    }
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// What it holds.
    pub kind: Kind,
    /// What it means, in Italian (the data package's description).
    pub doc: String,
}

impl Column {
    /// A column.
    pub fn new(name: impl Into<String>, kind: Kind, doc: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            kind,
            doc: doc.into(),
        }
    }
}

/// Columns from `(name, kind, description)` triples.
pub fn columns(cols: &[(&str, Kind, &str)]) -> Vec<Column> {
    cols.iter()
        .map(|&(name, kind, doc)| Column::new(name, kind, doc))
        .collect()
}

/// A foreign key: `columns` of this table refer to `fields` of `table`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKey {
    /// This table's columns.
    pub columns: Vec<String>,
    /// The table referred to.
    pub table: String,
    /// Its columns, in the same order.
    pub fields: Vec<String>,
}

/// A table's shape: everything but its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Its name (SQLite table, Parquet file, data package resource).
    pub name: String,
    /// What one row is, in Italian.
    pub doc: String,
    /// Its columns, in order.
    pub columns: Vec<Column>,
    /// The columns whose values identify a row (empty: none declared).
    pub key: Vec<String>,
    /// Its foreign keys.
    pub references: Vec<ForeignKey>,
    /// Columns indexed in SQLite.
    pub indexes: Vec<String>,
}

impl Model {
    /// A table named `name` whose row is `doc`, with `columns`.
    pub fn new(name: impl Into<String>, doc: impl Into<String>, columns: Vec<Column>) -> Model {
        Model {
            name: name.into(),
            doc: doc.into(),
            columns,
            key: Vec::new(),
            references: Vec::new(),
            indexes: Vec::new(),
        }
    }

    /// With `key` as its primary key.
    pub fn key(mut self, key: &[&str]) -> Model {
        self.key = key.iter().map(|c| c.to_string()).collect();
        self
    }

    /// With its column `column` referring to `table`'s `field`.
    pub fn refers(mut self, column: &str, table: &str, field: &str) -> Model {
        self.references.push(ForeignKey {
            columns: vec![column.into()],
            table: table.into(),
            fields: vec![field.into()],
        });
        self
    }

    /// With `columns` indexed in SQLite.
    pub fn indexed(mut self, columns: &[&str]) -> Model {
        self.indexes = columns.iter().map(|c| c.to_string()).collect();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_sqlite_and_table_schema_types() {
        let all = [
            Kind::Text,
            Kind::Integer,
            Kind::Real,
            Kind::Boolean,
            Kind::Date,
            Kind::DateTime,
        ];
        let sql: Vec<&str> = all.iter().map(|k| k.sql()).collect();
        assert_eq!(sql, ["TEXT", "INTEGER", "REAL", "INTEGER", "TEXT", "TEXT"]);
        let ts: Vec<&str> = all.iter().map(|k| k.table_schema()).collect();
        assert_eq!(
            ts,
            ["string", "integer", "number", "boolean", "date", "datetime"]
        );
    }

    #[test]
    fn a_model_keeps_its_keys_references_and_indexes() {
        let m = Model::new(
            "t",
            "una riga",
            columns(&[("a", Kind::Text, "A"), ("b", Kind::Integer, "B")]),
        )
        .key(&["a"])
        .refers("b", "u", "id")
        .indexed(&["b"]);
        assert_eq!(m.key, ["a"]);
        assert_eq!(m.references[0].table, "u");
        assert_eq!(m.indexes, ["b"]);
    }
}
