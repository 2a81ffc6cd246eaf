//! Which tier decided a record's link: a deterministic tier of the rule
//! file, the probabilistic model, or a reviewer. Written as today in
//! `links.csv`, `summary.json` and the datamart (`probabilistic`,
//! `decision`, or the tier's name).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::messages::Lang;

/// The tier that decided a record's link.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum LinkTier {
    /// A deterministic tier of the rule file, by its name (shared by the
    /// tier's links).
    Rule(Arc<str>),
    /// The probabilistic model.
    Probabilistic,
    /// A reviewer's decision (`vaglio run --decisions`).
    Decision,
}

/// The name outputs write for [`LinkTier::Probabilistic`].
pub const PROBABILISTIC: &str = "probabilistic";
/// The name outputs write for [`LinkTier::Decision`].
pub const DECISION: &str = "decision";

impl LinkTier {
    /// The name outputs write: the rule's, `probabilistic` or `decision`.
    pub fn name(&self) -> &str {
        match self {
            LinkTier::Rule(name) => name,
            LinkTier::Probabilistic => PROBABILISTIC,
            LinkTier::Decision => DECISION,
        }
    }

    /// The tier for a report in `lang`: a rule's name as the rule file
    /// writes it, the model and a reviewer in words.
    pub fn label(&self, lang: Lang) -> &str {
        match (self, lang) {
            (LinkTier::Rule(name), _) => name,
            (LinkTier::Probabilistic, Lang::It) => "probabilistico",
            (LinkTier::Decision, Lang::It) => "decisione del revisore",
            (_, Lang::En) => self.name(),
        }
    }
}

impl From<String> for LinkTier {
    fn from(name: String) -> LinkTier {
        match name.as_str() {
            PROBABILISTIC => LinkTier::Probabilistic,
            DECISION => LinkTier::Decision,
            _ => LinkTier::Rule(name.into()),
        }
    }
}

impl From<&str> for LinkTier {
    fn from(name: &str) -> LinkTier {
        LinkTier::from(name.to_string())
    }
}

impl From<LinkTier> for String {
    fn from(t: LinkTier) -> String {
        t.name().to_string()
    }
}

impl fmt::Display for LinkTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_as_strings() {
        for name in ["probabilistic", "decision", "codice_fiscale", "nome+data"] {
            let t = LinkTier::from(name);
            assert_eq!(t.name(), name);
            let json = serde_json::to_string(&t).unwrap_or_default();
            assert_eq!(json, format!("{name:?}"));
            assert_eq!(serde_json::from_str::<LinkTier>(&json).ok(), Some(t));
        }
        assert_eq!(LinkTier::Probabilistic.label(Lang::It), "probabilistico");
        assert_eq!(LinkTier::from("cf").label(Lang::It), "cf");
    }
}
