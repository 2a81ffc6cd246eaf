//! `vaglio rules`: the catalogue of check kinds and field types.

use crate::checks;
use crate::cli::RulesArgs;
use crate::types::TYPE_NAMES;

use super::Outcome;

/// Prints the catalogue, or one kind's documentation.
pub fn run(args: &RulesArgs) -> miette::Result<Outcome> {
    match &args.code {
        Some(code) => match checks::find(code) {
            Some(kind) => {
                super::print(&format!("{}\n", kind.doc.trim_end()))?;
                Ok(Outcome::Passed)
            }
            None => {
                let names = checks::ALL.iter().flat_map(|k| [k.code, k.name]);
                let hint = crate::rules::did_you_mean(code, names)
                    .map(|s| format!("did you mean {s}? "))
                    .unwrap_or_default();
                Err(miette::miette!(
                    code = "vaglio::rules::unknown_kind",
                    help = format!("{hint}run `vaglio rules` for the list"),
                    "there is no check kind {code:?}"
                ))
            }
        },
        None => {
            super::print(&catalogue())?;
            Ok(Outcome::Passed)
        }
    }
}

/// The catalogue as text.
pub fn catalogue() -> String {
    let mut s = String::from("Check kinds (vaglio rules CODE for the documentation):\n\n");
    s.push_str("  code   level  name                default   passes when\n");
    for k in checks::ALL {
        s.push_str(&format!(
            "  {}  {:>5}  {:<19} {:<9} {}\n",
            k.code, k.level, k.name, k.default_severity, k.summary
        ));
    }
    s.push_str("\nField types:\n\n");
    for (name, doc) in TYPE_NAMES {
        s.push_str(&format!("  {name:<16} {doc}\n"));
    }
    s.push_str("\nFunctions for [[checks]] expressions:\n\n");
    let today = chrono::Local::now().date_naive();
    for (signature, doc) in crate::identity::functions::registry(today).listing() {
        s.push_str(&format!("  {signature}\n      {doc}\n"));
    }
    s
}
