//! The `[datamart]` section: a source's records as services of the
//! datamart's `servizi` table.

use super::*;
use crate::rules::{Given, ServiceSpec};

/// The section's keys.
const KEYS: &[&str] = &[
    "service",
    "service_code",
    "label",
    "service_label",
    "start",
    "end",
    "amount",
];

impl Loader<'_> {
    // ----- [datamart] ----------------------------------------------------

    pub(super) fn datamart(&mut self, node: Node<'_, '_>) -> Option<ServiceSpec> {
        let t = node.table(self.diags, "[datamart]", KEYS)?;
        let mut text = |key: &str| {
            t.get(key)
                .and_then(|n| n.str(self.diags, &format!("`{key}`")))
                .map(str::to_string)
        };
        let (column, fixed) = (text("service"), text("service_code"));
        let (label_column, label_fixed) = (text("label"), text("service_label"));
        let (start, end, amount) = (text("start"), text("end"), text("amount"));
        let code = match (column, fixed) {
            (Some(c), None) => Given::Column(c),
            (None, Some(v)) => Given::Fixed(v),
            (c, v) => {
                let both = c.is_some() && v.is_some();
                self.diags.error(
                    node.span.clone(),
                    if both {
                        "[datamart] has both `service` and `service_code`"
                    } else {
                        "[datamart] says neither which service nor where to find it"
                    },
                    "in this section",
                    Some(
                        "give `service = \"COLUMN\"` (the column holding each record's service code) or `service_code = \"CODE\"` (one service for every record)"
                            .into(),
                    ),
                );
                return None;
            }
        };
        let label = match (label_column, label_fixed) {
            (Some(c), None) => Some(Given::Column(c)),
            (None, Some(v)) => Some(Given::Fixed(v)),
            (None, None) => None,
            (Some(_), Some(_)) => {
                self.diags.error(
                    node.span.clone(),
                    "[datamart] has both `label` and `service_label`",
                    "in this section",
                    Some("keep `label = \"COLUMN\"` or `service_label = \"TEXT\"`".into()),
                );
                return None;
            }
        };
        Some(ServiceSpec {
            code,
            label,
            start,
            end,
            amount,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{load_str, Given, ServiceSpec};

    fn load(section: &str) -> Result<Option<ServiceSpec>, String> {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let text = format!("[fields.A]\n\n{section}");
        load_str(&text, "r.toml".as_ref(), ".".as_ref(), today)
            .map(|r| r.service)
            .map_err(|e| format!("{:?}", miette::Report::new(e)))
    }

    #[test]
    fn a_column_or_a_fixed_code_and_optional_dates_and_amount() {
        assert_eq!(load(""), Ok(None));
        let spec = load(
            "[datamart]\nservice = \"COD\"\nlabel = \"DESCR\"\nstart = \"DAL\"\nend = \"AL\"\namount = \"EURO\"\n",
        );
        let spec = spec.ok().flatten();
        assert_eq!(
            spec.as_ref().map(|s| s.columns()),
            Some(vec![
                ("service", "COD"),
                ("label", "DESCR"),
                ("start", "DAL"),
                ("end", "AL"),
                ("amount", "EURO")
            ])
        );
        let fixed = load("[datamart]\nservice_code = \"ERP\"\nservice_label = \"Alloggio\"\n");
        let fixed = fixed.ok().flatten();
        assert_eq!(
            fixed.as_ref().map(|s| &s.code),
            Some(&Given::Fixed("ERP".into()))
        );
        assert_eq!(fixed.as_ref().map(|s| s.columns()), Some(vec![]));
    }

    #[test]
    fn which_service_must_be_said_once() {
        for (section, says, line) in [
            ("[datamart]\nstart = \"DAL\"\n", "neither which service", 3),
            (
                "[datamart]\nservice = \"COD\"\nservice_code = \"X\"\n",
                "both `service` and `service_code`",
                3,
            ),
            (
                "[datamart]\nservice = \"COD\"\nlabel = \"D\"\nservice_label = \"X\"\n",
                "both `label` and `service_label`",
                3,
            ),
            (
                "[datamart]\nservice = \"COD\"\nfrom = \"DAL\"\n",
                "unknown key `from`",
                5,
            ),
        ] {
            let e = load(section).err().unwrap_or_default();
            assert!(e.contains(says), "{section}: {e}");
            assert!(e.contains(&format!("r.toml:{line}")), "{section}: {e}");
        }
    }
}
