//! The anagrafe as inference sees it: its cells, its `[link]` mapping (which
//! attributes it provides), its surnames and given names, and its residents
//! by codice fiscale (base form) with their family and birth date.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use miette::miette;

use super::columns::{decode_cf, NameTable};
use super::sample::Sample;
use crate::link::spec::{self, Attr, LinkSpec};

/// The anagrafe, loaded for inference.
#[derive(Clone, Debug)]
pub struct Reference {
    /// Its cells.
    pub sample: Sample,
    /// Its `[link]` section.
    pub spec: LinkSpec,
    /// Its surnames and given names.
    pub names: NameTable,
    /// The family column, when known.
    pub family: Option<usize>,
    /// Resident (row) by codice fiscale in base form.
    by_cf: HashMap<String, usize>,
}

impl Reference {
    /// Loads the anagrafe `file` with its rule file `rules` (which must have
    /// a `[link]` section); `family` names its family column.
    pub fn load(
        file: &Path,
        rules: &Path,
        family: Option<&str>,
        today: NaiveDate,
    ) -> miette::Result<Reference> {
        let ruleset = crate::rules::load_without_references(rules, today)?;
        let spec = spec::from_rules(&ruleset)?.ok_or_else(|| {
            miette!(
                code = "vaglio::infer::anagrafe_link",
                help = "the anagrafe's rule file says which of its columns identify a person, e.g. [link]\nid = \"ID_PERSONA\"\nfields = { codice_fiscale = \"CODICE_FISCALE\", cognome = \"COGNOME\", nome = \"NOME\", data_nascita = \"DATA_NASCITA\" }",
                "{} has no [link] section: vaglio cannot tell what the anagrafe provides",
                rules.display()
            )
        })?;
        let sample = Sample::read(file, "anagrafe", &ruleset.input.read, usize::MAX)?;
        let family = match family {
            None => None,
            Some(f) => Some(sample.column(f).ok_or_else(|| {
                miette!(
                    code = "vaglio::infer::family",
                    help = format!("the anagrafe's columns are: {}", sample.columns.join(", ")),
                    "the anagrafe {} has no family column {f:?}",
                    file.display()
                )
            })?),
        };
        Ok(Reference::new(sample, spec, family, today))
    }

    /// A reference from a sample and its `[link]` mapping.
    pub fn new(
        sample: Sample,
        spec: LinkSpec,
        family: Option<usize>,
        today: NaiveDate,
    ) -> Reference {
        let col = |a: Attr| spec.column(a).and_then(|c| sample.column(c));
        let (s, g, full) = (col(Attr::Cognome), col(Attr::Nome), col(Attr::Nominativo));
        let names = NameTable::from_pairs(sample.rows.iter().map(|r| {
            let get = |i: Option<usize>| i.and_then(|i| r.get(i)).map_or("", String::as_str);
            match (s, g, full) {
                (Some(_), _, _) | (_, Some(_), _) => (get(s), get(g)),
                // A full name: the first word as the surname, the rest as names.
                _ => get(full).split_once(' ').unwrap_or((get(full), "")),
            }
        }));
        let mut by_cf = HashMap::new();
        if let Some(c) = col(Attr::CodiceFiscale) {
            for (i, r) in sample.rows.iter().enumerate() {
                if let Some(d) = r.get(c).and_then(|v| decode_cf(v, today)) {
                    by_cf.entry(d.base.as_str().to_string()).or_insert(i);
                }
            }
        }
        Reference {
            sample,
            spec,
            names,
            family,
            by_cf,
        }
    }

    /// The resident (row) whose code is `v`, omocodes folded.
    pub fn resident(&self, v: &str, today: NaiveDate) -> Option<usize> {
        let d = decode_cf(v, today)?;
        self.by_cf.get(d.base.as_str()).copied()
    }

    /// The family of resident `row`.
    pub fn family_of(&self, row: usize) -> Option<&str> {
        let f = self.family?;
        self.sample
            .rows
            .get(row)
            .and_then(|r| r.get(f))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether the anagrafe's `[link]` maps `attr` (a full name provides
    /// surname and name, and separate surname and name provide a full name).
    pub fn provides(&self, attr: Attr) -> bool {
        self.spec.provides(attr)
            || (attr == Attr::Nominativo
                && self.spec.provides(Attr::Cognome)
                && self.spec.provides(Attr::Nome))
    }
}
