//! The `[facts]` section: a source's records as facts of one of the
//! datamart's source-specific tables (`redditi`, `riscossione`,
//! `graduatorie`).

use super::*;
use crate::rules::{FactsSpec, Given};

/// The section's keys.
const KEYS: &[&str] = &[
    "kind",
    "year",
    "income",
    "tax",
    "service",
    "service_code",
    "billed",
    "paid",
    "list",
    "list_code",
    "position",
    "score",
];

/// The kinds, with the keys each requires and allows.
const KINDS: [(&str, &[&str], &[&str]); 3] = [
    ("redditi", &["year", "income"], &["tax"]),
    (
        "riscossione",
        &["billed", "paid"],
        &["service", "service_code", "year"],
    ),
    (
        "graduatorie",
        &["position", "score"],
        &["list", "list_code"],
    ),
];

impl Loader<'_> {
    // ----- [facts] -------------------------------------------------------

    pub(super) fn facts(&mut self, node: Node<'_, '_>) -> Option<FactsSpec> {
        let t = node.table(self.diags, "[facts]", KEYS)?;
        let mut text = |key: &str| {
            t.get(key)
                .and_then(|n| n.str(self.diags, &format!("`{key}`")))
                .map(str::to_string)
        };
        let values: Vec<(&str, Option<String>)> = KEYS.iter().map(|k| (*k, text(k))).collect();
        let get = |key: &str| {
            values
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| v.clone())
        };
        let kinds = KINDS.map(|k| k.0).join("`, `");
        let Some(kind) = get("kind") else {
            self.diags.error(
                node.span.clone(),
                "[facts] does not say which facts",
                "in this section",
                Some(format!("add `kind = \"…\"`: one of `{kinds}`")),
            );
            return None;
        };
        let Some((_, required, optional)) = KINDS.iter().find(|k| k.0 == kind) else {
            let span = t.get("kind").map_or(node.span.clone(), |n| n.span.clone());
            self.diags.error(
                span,
                format!("unknown kind of facts `{kind}`"),
                "not a kind of facts",
                Some(format!("the kinds are `{kinds}`")),
            );
            return None;
        };
        let mut ok = true;
        for (key, value) in &values {
            if *key == "kind" {
                continue;
            }
            let allowed = required.contains(key) || optional.contains(key);
            if let (Some(_), false) = (value, allowed) {
                let span = t.get(key).map_or(node.span.clone(), |n| n.span.clone());
                self.diags.error(
                    span,
                    format!("`{key}` is not a key of facts of kind `{kind}`"),
                    "not for this kind",
                    Some(format!(
                        "facts of kind `{kind}` take {}",
                        required
                            .iter()
                            .chain(optional.iter())
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                ok = false;
            }
        }
        for key in required.iter() {
            if get(key).is_none() {
                self.diags.error(
                    node.span.clone(),
                    format!("[facts] of kind `{kind}` lacks `{key}`"),
                    "in this section",
                    Some(format!("add `{key} = \"COLUMN\"`")),
                );
                ok = false;
            }
        }
        let one = |column: &str, fixed: &str| match (get(column), get(fixed)) {
            (Some(c), None) => Ok(Some(Given::Column(c))),
            (None, Some(v)) => Ok(Some(Given::Fixed(v))),
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(format!("`{column}` and `{fixed}`")),
        };
        let either = |diags: &mut Diagnostics, column: &str, fixed: &str| match one(column, fixed) {
            Ok(g) => g,
            Err(both) => {
                diags.error(
                        node.span.clone(),
                        format!("[facts] has both {both}"),
                        "in this section",
                        Some(format!(
                            "keep `{column} = \"COLUMN\"` (each record's) or `{fixed} = \"CODE\"` (one for every record)"
                        )),
                    );
                None
            }
        };
        let spec = match kind.as_str() {
            "redditi" => FactsSpec::Income {
                year: get("year").unwrap_or_default(),
                income: get("income").unwrap_or_default(),
                tax: get("tax"),
            },
            "riscossione" => {
                let both = get("service").is_some() && get("service_code").is_some();
                let service = either(self.diags, "service", "service_code");
                ok &= !both;
                FactsSpec::Billing {
                    service: service.unwrap_or(Given::Fixed(String::new())),
                    year: get("year"),
                    billed: get("billed").unwrap_or_default(),
                    paid: get("paid").unwrap_or_default(),
                }
            }
            _ => {
                let both = get("list").is_some() && get("list_code").is_some();
                let list = either(self.diags, "list", "list_code");
                ok &= !both;
                FactsSpec::Ranking {
                    list: list.unwrap_or(Given::Fixed(String::new())),
                    position: get("position").unwrap_or_default(),
                    score: get("score").unwrap_or_default(),
                }
            }
        };
        ok.then_some(spec)
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{load_str, FactsSpec, Given};

    fn load(section: &str) -> Result<Option<FactsSpec>, String> {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let text = format!("[fields.A]\n\n{section}");
        load_str(&text, "r.toml".as_ref(), ".".as_ref(), today)
            .map(|r| r.facts)
            .map_err(|e| format!("{:?}", miette::Report::new(e)))
    }

    #[test]
    fn each_kind_with_its_columns() {
        assert_eq!(load(""), Ok(None));
        let income = load("[facts]\nkind = \"redditi\"\nyear = \"ANNO\"\nincome = \"REDDITO\"\n");
        let income = income.ok().flatten();
        assert_eq!(income.as_ref().map(FactsSpec::table), Some("redditi"));
        assert_eq!(
            income.as_ref().map(|s| s.columns()),
            Some(vec![("year", "ANNO"), ("income", "REDDITO")])
        );
        let billing = load(
            "[facts]\nkind = \"riscossione\"\nservice_code = \"REF\"\nbilled = \"E\"\npaid = \"P\"\n",
        );
        let billing = billing.ok().flatten();
        assert!(matches!(
            &billing,
            Some(FactsSpec::Billing { service: Given::Fixed(c), .. }) if c == "REF"
        ));
        assert_eq!(
            billing.as_ref().map(|s| s.columns()),
            Some(vec![("billed", "E"), ("paid", "P")])
        );
        let ranking = load(
            "[facts]\nkind = \"graduatorie\"\nlist = \"BANDO\"\nposition = \"POS\"\nscore = \"PUNTI\"\n",
        );
        assert_eq!(
            ranking.ok().flatten().map(|s| s.table()),
            Some("graduatorie")
        );
    }

    #[test]
    fn mistakes_point_at_the_section() {
        for (section, says) in [
            ("[facts]\nyear = \"A\"\n", "does not say which facts"),
            ("[facts]\nkind = \"tasse\"\n", "unknown kind of facts `tasse`"),
            (
                "[facts]\nkind = \"redditi\"\nyear = \"A\"\n",
                "lacks `income`",
            ),
            (
                "[facts]\nkind = \"redditi\"\nyear = \"A\"\nincome = \"B\"\nscore = \"C\"\n",
                "`score` is not a key of facts of kind `redditi`",
            ),
            (
                "[facts]\nkind = \"riscossione\"\nservice = \"S\"\nservice_code = \"X\"\nbilled = \"E\"\npaid = \"P\"\n",
                "both `service` and `service_code`",
            ),
            ("[facts]\nkind = \"redditi\"\nfrom = \"A\"\n", "unknown key `from`"),
        ] {
            let e = load(section).err().unwrap_or_default();
            assert!(e.contains(says), "{section}: {e}");
            assert!(e.contains("r.toml:"), "{section}: {e}");
        }
    }
}
