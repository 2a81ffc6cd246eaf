//! Cross-source checks (validation level 3): `[[checks]]` whose expressions
//! name, besides the record's own columns, its linked resident
//! (`anagrafe.DATA_NASCITA`), the resident's family (`famiglia.componenti`)
//! or the family's record in another source of the project
//! (`isee.VALORE_ISEE`). A rule file alone cannot say what those names are:
//! `vaglio check` reports such a check as not evaluated, and `vaglio run`
//! resolves the names against the project and evaluates it once every
//! source is linked (see `crate::pipeline`'s cross-source stage).

use std::ops::Range;

use super::CheckMeta;

/// The prefix of the linked resident's fields.
pub const ANAGRAFE: &str = "anagrafe";

/// The prefix of the linked resident's family's aggregates.
pub const FAMIGLIA: &str = "famiglia";

/// The family aggregates a check may name after `famiglia.`, with what
/// each counts (on the run's date).
pub const FAMILY_AGGREGATES: [(&str, &str); 3] = [
    ("componenti", "the members of the family in the anagrafe"),
    ("minori", "the members under 18"),
    ("anziani", "the members aged 65 or more"),
];

/// What a qualified name's prefix designates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `anagrafe.COLUMN`: a field of the linked resident's anagrafe record.
    Anagrafe,
    /// `famiglia.AGGREGATE`: a count over the linked resident's family.
    Famiglia,
    /// `SOURCE.COLUMN`: a field of the family's record in that source.
    Source(String),
}

/// One qualified name of a cross-source check, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// The name as written (`anagrafe.DATA_NASCITA`).
    pub name: String,
    /// Its prefix.
    pub scope: Scope,
    /// The column (or aggregate) after the dot.
    pub column: String,
    /// Where it is in the rule file (bytes).
    pub span: Range<usize>,
}

impl Reference {
    /// Splits a qualified name (`None` for a plain column name).
    pub fn parse(name: &str, span: Range<usize>) -> Option<Reference> {
        let (prefix, column) = name.split_once('.')?;
        let scope = match prefix {
            ANAGRAFE => Scope::Anagrafe,
            FAMIGLIA => Scope::Famiglia,
            other => Scope::Source(other.to_string()),
        };
        Some(Reference {
            name: name.to_string(),
            scope,
            column: column.to_string(),
            span,
        })
    }
}

/// Which of a family's records in a source a check compares with, when
/// there are several (`latest = "isee.DATA_PRESENTAZIONE"`): the one with
/// the latest value of that column.
#[derive(Clone, Debug, PartialEq)]
pub struct Latest {
    /// The source.
    pub source: String,
    /// Its column.
    pub column: String,
    /// Where it is in the rule file.
    pub span: Range<usize>,
}

/// A `[[checks]]` entry that names other tables.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossCheckSpec {
    /// Identity, severity, tolerance (level 3 unless the file says).
    pub meta: CheckMeta,
    /// The assertion, as written.
    pub assert: String,
    /// The condition under which the check applies, as written.
    pub when: Option<String>,
    /// Byte offset of the assertion text in the rule file.
    pub assert_offset: usize,
    /// Byte offset of the condition text.
    pub when_offset: Option<usize>,
    /// Every qualified name it uses, in the order written (spans in the
    /// rule file), without repeats.
    pub references: Vec<Reference>,
    /// How to choose among a family's records, per source.
    pub latest: Vec<Latest>,
    /// The record's own columns it reads.
    pub columns: Vec<String>,
}

impl CrossCheckSpec {
    /// The sources (other than the anagrafe) it reads, in order of first
    /// mention, without repeats.
    pub fn sources(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.references {
            if let Scope::Source(s) = &r.scope {
                if !out.contains(&s.as_str()) {
                    out.push(s);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qualified_name_splits_into_scope_and_column() {
        let r = Reference::parse("anagrafe.DATA_NASCITA", 3..24).unwrap();
        assert_eq!(
            (r.scope, r.column.as_str(), r.span),
            (Scope::Anagrafe, "DATA_NASCITA", 3..24)
        );
        let r = Reference::parse("famiglia.componenti", 0..1).unwrap();
        assert_eq!(r.scope, Scope::Famiglia);
        let r = Reference::parse("isee.VALORE_ISEE", 0..1).unwrap();
        assert_eq!(r.scope, Scope::Source("isee".into()));
        assert!(Reference::parse("VALORE_ISEE", 0..1).is_none());
    }

    fn load(text: &str) -> Result<crate::rules::RuleSet, String> {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        crate::rules::load_str(text, "r.toml".as_ref(), ".".as_ref(), today).map_err(|e| {
            e.errors
                .iter()
                .map(|d| {
                    let (l, c) = d.line_col();
                    format!(
                        "{l}:{c} {} | {}",
                        d.message,
                        d.help.clone().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    const FIELDS: &str = "[fields.N]\ntype = \"integer\"\n[fields.V]\ntype = \"decimal\"\n";

    #[test]
    fn a_check_naming_other_tables_loads_as_a_cross_source_check() {
        let text = format!(
            "{FIELDS}[[checks]]\nid = \"a\"\nassert = \"N == famiglia.componenti and V == isee.VALORE_ISEE\"\nwhen = \"anagrafe.SESSO == 'F'\"\nlatest = \"isee.DATA\"\n\n[[checks]]\nid = \"b\"\nassert = \"N > 0\"\n"
        );
        let r = load(&text).unwrap();
        assert_eq!(r.checks.len(), 1);
        assert_eq!(r.checks[0].meta.level, 2);
        let c = &r.cross_checks[0];
        assert_eq!(c.meta.level, 3);
        assert_eq!(c.columns, ["N", "V"]);
        let names: Vec<&str> = c.references.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(
            names,
            ["famiglia.componenti", "isee.VALORE_ISEE", "anagrafe.SESSO"]
        );
        // Spans point into the rule file.
        let span = c.references[1].span.clone();
        assert_eq!(&text[span], "isee.VALORE_ISEE");
        assert_eq!(c.sources(), ["isee"]);
        assert_eq!(
            c.latest,
            [Latest {
                source: "isee".into(),
                column: "DATA".into(),
                span: c.latest[0].span.clone()
            }]
        );
        assert_eq!(&text[c.latest[0].span.clone()], "\"isee.DATA\"");
    }

    #[test]
    fn what_a_rule_file_alone_can_tell_is_an_error_at_its_place() {
        let err = load(&format!(
            "{FIELDS}[[checks]]\nid = \"a\"\nassert = \"NN == famiglia.membri\"\nlatest = \"irpef.ANNO\"\n"
        ))
        .unwrap_err();
        assert!(
            err.contains("7:11 unknown column `NN` | did you mean N?"),
            "{err}"
        );
        assert!(
            err.contains("7:17 unknown family aggregate `famiglia.membri` | a family's aggregates are famiglia.componenti, famiglia.minori, famiglia.anziani"),
            "{err}"
        );
        assert!(
            err.contains("8:10 `latest = \"irpef.ANNO\"` names no source this check reads"),
            "{err}"
        );
        let err = load(&format!(
            "{FIELDS}[[checks]]\nid = \"a\"\nassert = \"N > 0\"\nlatest = \"isee.DATA\"\n"
        ))
        .unwrap_err();
        assert!(
            err.contains("`latest` applies only to a check that reads another source"),
            "{err}"
        );
        let err = load(&format!(
            "{FIELDS}[[checks]]\nid = \"a\"\nassert = \"N == isee.\"\n"
        ))
        .unwrap_err();
        assert!(err.contains("7:"), "{err}");
    }
}
