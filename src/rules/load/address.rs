//! The `[address]` section: where a table keeps its addresses, matched by
//! `vaglio run` to the project's civic-number register (`[stradario]`).
//!
//! ```toml
//! [address]
//! text = "INDIRIZZO"          # one column: "V.LE FILOPANTI 12/A"
//! # or in parts: dug = "DUG", street = "TOPONIMO", civic = "CIVICO"
//! severity = "warning"        # and max_fail_count / max_fail_percent, as any check
//! ```

use super::*;
use crate::checks::address::KIND;
use crate::geography::matching::AddressColumns;
use crate::rules::AddressSpec;

/// The section's own keys (besides severity and tolerance).
const KEYS: &[&str] = &["text", "dug", "street", "civic"];

impl Loader<'_> {
    // ----- [address] -----------------------------------------------------

    pub(super) fn address(&mut self, node: Node<'_, '_>) -> Option<AddressSpec> {
        let t = node.table(self.diags, "[address]", &with_meta(KEYS))?;
        let mut text = |key: &str| {
            t.get(key)
                .and_then(|n| n.str(self.diags, &format!("[address] `{key}`")))
                .map(str::to_string)
        };
        let (whole, dug, street, civic) =
            (text("text"), text("dug"), text("street"), text("civic"));
        let columns = match (whole, street) {
            (Some(t), None) if dug.is_none() && civic.is_none() => AddressColumns::Text(t),
            (None, Some(street)) => AddressColumns::Parts { dug, street, civic },
            (w, s) => {
                let both = w.is_some() && (s.is_some() || dug.is_some() || civic.is_some());
                self.diags.error(
                    node.span.clone(),
                    if both {
                        "[address] gives both one `text` column and parts"
                    } else {
                        "[address] names no street column"
                    },
                    "in this section",
                    Some(
                        "give `text = \"COLUMN\"` (the whole address in one column) or `street = \"COLUMN\"` with, if the table has them, `dug = \"COLUMN\"` and `civic = \"COLUMN\"`"
                            .into(),
                    ),
                );
                return None;
            }
        };
        let shown = match &columns {
            AddressColumns::Text(c) => c.clone(),
            AddressColumns::Parts { street, .. } => street.clone(),
        };
        let meta = self.meta(
            Some(&t),
            format!("{shown}.address"),
            Description::Address,
            KIND.default_severity,
            KIND.level,
            node.span.clone(),
        );
        Some(AddressSpec { columns, meta })
    }
}

#[cfg(test)]
mod tests {
    use crate::geography::matching::AddressColumns;
    use crate::rules::{load_str, AddressSpec, Severity};

    fn load(section: &str) -> Result<Option<AddressSpec>, String> {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let text = format!("[fields.A]\n\n{section}");
        load_str(&text, "r.toml".as_ref(), ".".as_ref(), today)
            .map(|r| r.address)
            .map_err(|e| format!("{:?}", miette::Report::new(e)))
    }

    #[test]
    fn one_column_or_parts_with_the_check_s_severity_and_tolerance() {
        assert_eq!(load(""), Ok(None));
        let spec = load("[address]\ntext = \"INDIRIZZO\"\n").ok().flatten();
        let spec = spec.as_ref();
        assert_eq!(
            spec.map(|s| &s.columns),
            Some(&AddressColumns::Text("INDIRIZZO".into()))
        );
        assert_eq!(spec.map(|s| s.meta.id.as_str()), Some("INDIRIZZO.address"));
        assert_eq!(spec.map(|s| s.meta.severity), Some(Severity::Warning));
        assert_eq!(spec.map(|s| s.meta.level), Some(3));
        let parts = load(
            "[address]\ndug = \"DUG\"\nstreet = \"VIA\"\ncivic = \"NUM\"\nseverity = \"error\"\nmax_fail_percent = 2\n",
        )
        .ok()
        .flatten();
        let parts = parts.as_ref();
        assert_eq!(
            parts.map(|s| &s.columns),
            Some(&AddressColumns::Parts {
                dug: Some("DUG".into()),
                street: "VIA".into(),
                civic: Some("NUM".into())
            })
        );
        assert_eq!(parts.map(|s| s.meta.severity), Some(Severity::Error));
        assert_eq!(parts.map(|s| s.meta.max_fail_percent), Some(Some(2.0)));
        assert_eq!(parts.map(|s| s.meta.id.as_str()), Some("VIA.address"));
    }

    #[test]
    fn the_columns_must_be_said_one_way() {
        for (section, says) in [
            ("[address]\ncivic = \"N\"\n", "names no street column"),
            (
                "[address]\ntext = \"I\"\nstreet = \"V\"\n",
                "both one `text` column and parts",
            ),
            (
                "[address]\ntext = \"I\"\ncivic = \"N\"\n",
                "both one `text`",
            ),
            ("[address]\ntext = 3\n", "must be a string"),
            ("[address]\nstreets = \"V\"\n", "streets"),
        ] {
            let e = load(section).expect_err(section);
            assert!(e.contains(says), "{section}: {e}");
        }
    }
}
