//! The anagrafe stage: the registry read once into a table, checked (in a
//! full run), and prepared for everything after it: the residents as the
//! datamart describes them, the persons as the linkage compares them (with
//! their indexes, built once and shared by the sources), and the residents'
//! identifiers as the outputs show them.

use std::collections::HashMap;
use std::sync::Arc;

use miette::miette;
use rayon::prelude::*;

use super::geography::{missing_columns, Addresses};
use super::mode::Mode;
use super::progress::Progress;
use super::residents::{self, Resident};
use super::source::{Digests, Raw};
use super::{check_source, link_spec, reused_result, PendingReport, RunOptions, SourceResult};
use crate::geography::register::Register;
use crate::link::spec::LinkSpec;
use crate::link::{self, PreparedAnagrafe};
use crate::master::pseudonym::Pseudonymizer;
use crate::output::Sink;
use crate::project::Project;
use crate::read::Inputs;
use crate::rules::{self, RuleSet};

/// The anagrafe, read and prepared.
pub(crate) struct Anagrafe {
    /// Its rules.
    pub rules: RuleSet,
    /// Its `[link]` section.
    pub spec: LinkSpec,
    /// The cells of its `[link]` columns (the review queue shows them).
    pub cells: Cells,
    /// One per record, in file order.
    pub residents: Vec<Resident>,
}

/// What the anagrafe stage hands on.
pub(crate) struct Staged {
    /// What the run keeps of it.
    pub anagrafe: Anagrafe,
    /// Its records normalised for linking, with the indexes the sources
    /// share; let go once every source is linked.
    pub prepared: PreparedAnagrafe,
    /// Its result, the first of the run's.
    pub result: SourceResult,
    /// Its reports, written with the run's id.
    pub report: PendingReport,
}

/// Reads, checks (unless `mode` reuses the last master's check; its
/// findings go to `sink`) and prepares the anagrafe.
#[allow(clippy::too_many_arguments)]
pub(crate) fn stage(
    project: &Project,
    opts: &RunOptions,
    mode: &Mode,
    inputs: &Inputs,
    register: Option<&Register>,
    sink: &Sink,
    digests: &mut Digests,
    progress: &mut Progress,
) -> miette::Result<Staged> {
    let ana = &project.anagrafe;
    let today = opts.today;
    let rules = rules::load_with_inputs(&ana.rules, today, inputs)?;
    let spec = link_spec(&rules, &ana.rules)?;
    progress.stage("reading the anagrafe");
    let table = inputs.get(&ana.file, &rules.input.read)?;
    digests.table(&ana.file, &table);
    let reused = match mode.previous() {
        Some(p) => {
            p.same("anagrafe", "file", &ana.file, &table.sha256)?;
            p.same("anagrafe", "regole", &ana.rules, &digests.of(&ana.rules)?)?;
            Some(reused_result(project, p, "anagrafe", Default::default())?)
        }
        None => None,
    };
    progress.stage(match reused {
        Some(_) => "preparing the anagrafe",
        None => "checking and preparing the anagrafe",
    });
    let id = link::anagrafe_id_column(&rules, &spec).ok_or_else(|| {
        miette!(
            code = "vaglio::run::anagrafe_id",
            help = "add `id = \"ID_PERSONA\"` to the anagrafe's [link] section",
            "{}: the anagrafe has no person identifier",
            ana.rules.display()
        )
    });
    // The check and the preparation read the same table and share nothing
    // else: they run side by side, and so do the preparation's three
    // passes (interning names for the linkage is sequential; the others
    // fill the other core).
    let out = project.reports.join("anagrafe");
    // Every address matched to the register, when the project has one and
    // the anagrafe's rule file says where its addresses are.
    let addresses = match (register, &rules.address) {
        (Some(g), Some(a)) => {
            missing_columns(a, &table.header.columns, &ana.file, &ana.rules)?;
            Some(Addresses::new(g, &table, a)?)
        }
        _ => None,
    };
    let check = || -> miette::Result<(SourceResult, PendingReport)> {
        if let Some(r) = reused {
            return Ok((r, PendingReport::Reused { out }));
        }
        let address = addresses
            .as_ref()
            .zip(rules.address.as_ref())
            .map(|(a, spec)| a.check(&table, spec));
        let outcome = check_source("anagrafe", &table, &rules, &out, opts, None, sink, address)?;
        let mut result = SourceResult::checked("anagrafe", &outcome, Default::default(), 0);
        result.addresses = addresses.as_ref().map(|a| a.rates.clone());
        let report = PendingReport::Checked {
            out,
            outcome: Box::new(outcome),
            linkage: None,
            addresses: addresses.as_ref().map(|a| a.rates.clone()),
        };
        Ok((result, report))
    };
    let prepare = |id: &str| {
        rayon::join(
            || link::prepare_anagrafe(&table, &rules, &spec, today),
            || {
                rayon::join(
                    || residents::read(project, &table, &rules, &spec, id, today),
                    || Cells::new(&Raw::new(Arc::clone(&table), &rules), &spec),
                )
            },
        )
    };
    let (result, parts) = rayon::join(check, || id.as_deref().ok().map(prepare));
    // Errors in the order the steps would meet them one after the other.
    let (result, report) = result?;
    id?;
    let (prepared, (residents, cells)) =
        parts.ok_or_else(|| miette!("internal error: the anagrafe was not prepared"))?;
    let (mut residents, prepared) = (residents?, prepared?);
    if let (Some(g), Some(a)) = (register, &addresses) {
        place(&mut residents, g, a, ana.area.is_none());
    }
    Ok(Staged {
        anagrafe: Anagrafe {
            rules,
            spec,
            cells,
            residents,
        },
        prepared,
        result,
        report,
    })
}

/// Gives each resident the area statistica of its address, and, when the
/// project names no quartiere column (`fill_quartiere`), the quartiere of
/// that area.
fn place(residents: &mut [Resident], register: &Register, a: &Addresses, fill_quartiere: bool) {
    let names: Vec<Arc<str>> = register
        .quartieri()
        .iter()
        .map(|q| Arc::from(q.name.as_str()))
        .collect();
    for (i, r) in residents.iter_mut().enumerate() {
        let Some(area) = a.area(i) else { continue };
        r.geo = area as u32;
        if fill_quartiere && r.area.is_none() {
            if let Some(z) = register.areas().get(area).map(|x| x.zona) {
                if let Some(q) = register.zone().get(z).map(|x| x.quartiere) {
                    r.area = names.get(q).cloned();
                }
            }
        }
    }
}

/// Some columns of every record, compactly: one text buffer, missing
/// values empty. What the run keeps of the anagrafe's cells once its table
/// is let go.
pub(crate) struct Cells {
    columns: Vec<String>,
    text: String,
    /// Where each cell ends in `text`, row-major (`records × columns`).
    ends: Vec<u32>,
}

impl Cells {
    /// The cells of the columns `spec` maps, of every record of `raw`.
    pub fn new(raw: &Raw, spec: &LinkSpec) -> Cells {
        let mut columns: Vec<String> = Vec::new();
        for (_, c) in &spec.fields {
            if raw.col(c).is_some() && !columns.contains(c) {
                columns.push(c.clone());
            }
        }
        let at: Vec<Option<usize>> = columns.iter().map(|c| raw.col(c)).collect();
        // Sized first: grown by doubling, the buffer of a city's cells
        // would hold up to twice their bytes.
        let bytes: usize = raw
            .records()
            .iter()
            .map(|r| {
                at.iter()
                    .map(|&c| raw.cell(r, c).map_or(0, str::len))
                    .sum::<usize>()
            })
            .sum();
        let mut text = String::with_capacity(bytes);
        let mut ends = Vec::with_capacity(raw.records().len() * columns.len());
        for r in raw.records() {
            for &c in &at {
                text.push_str(raw.cell(r, c).unwrap_or(""));
                ends.push(text.len() as u32);
            }
        }
        Cells {
            columns,
            text,
            ends,
        }
    }

    /// The cell of record `i` in `column`, `None` when missing or not kept.
    pub fn get(&self, i: usize, column: &str) -> Option<&str> {
        let c = self.columns.iter().position(|x| x == column)?;
        let k = i * self.columns.len() + c;
        let end = *self.ends.get(k)? as usize;
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        self.text.get(start..end).filter(|t| !t.is_empty())
    }
}

/// Residents by plain identifier (foldhash: a city's identifiers are
/// looked up for every link and datamart row).
pub(crate) type IdIndex<'a> = HashMap<&'a str, usize, foldhash::fast::FixedState>;

/// The residents' identifiers: plain (the run's own use) and as the outputs
/// show them (pseudonyms), and the way back from either.
pub(crate) struct Identities<'a> {
    residents: &'a [Resident],
    /// Resident by plain identifier.
    pub by_id: IdIndex<'a>,
    /// Per resident, the identifier the outputs show.
    pub shown: Vec<String>,
    /// Resident by shown identifier (built only when something must be
    /// looked up by it: reviewers' decisions, the last master's links).
    by_shown: HashMap<String, usize>,
    keyed: bool,
}

impl<'a> Identities<'a> {
    /// The identifiers of `residents` under `pseudo`; `lookups` builds the
    /// way back from shown identifiers.
    pub fn new(residents: &'a [Resident], pseudo: &Pseudonymizer, lookups: bool) -> Identities<'a> {
        let by_id = residents
            .iter()
            .enumerate()
            .map(|(i, r)| (&*r.id, i))
            .collect();
        let shown: Vec<String> = residents.par_iter().map(|r| pseudo.person(&r.id)).collect();
        let by_shown = if lookups {
            shown
                .iter()
                .enumerate()
                .map(|(i, p)| (p.clone(), i))
                .collect()
        } else {
            HashMap::new()
        };
        Identities {
            residents,
            by_id,
            shown,
            by_shown,
            keyed: pseudo.keyed(),
        }
    }

    /// The plain identifier of resident `i`.
    pub fn plain(&self, i: usize) -> &str {
        &self.residents[i].id
    }

    /// The resident an output names (by pseudonym; by plain identifier when
    /// the outputs show plain identifiers).
    pub fn lookup(&self, shown: &str) -> Option<usize> {
        self.by_shown
            .get(shown)
            .or_else(|| self.by_id.get(shown).filter(|_| !self.keyed))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resident(id: &str) -> Resident {
        Resident {
            id: id.into(),
            family: None,
            sex: None,
            birth: None,
            citizenship: None,
            area: None,
            geo: crate::pipeline::residents::NO_AREA,
            role: crate::pipeline::residents::Role::Unknown,
        }
    }

    #[test]
    fn cells_keep_the_mapped_columns_of_every_record() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a.csv");
        std::fs::write(
            &data,
            "ID;CF;COGNOME;ALTRO\n1;AAA; ROSSI ;x\n2;;BIANCHI;y\n3;-;VERDI;z\n",
        )
        .unwrap();
        let text = "[input]\ndelimiter = \";\"\nkey = \"ID\"\nmissingValues = [\"-\"]\n\n[link]\nid = \"ID\"\nfields = { codice_fiscale = \"CF\", cognome = \"COGNOME\" }\n";
        let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let rules = rules::load_str(text, "a.toml".as_ref(), dir.path(), today).unwrap();
        let spec = crate::link::spec::from_rules(&rules).unwrap().unwrap();
        let table =
            std::sync::Arc::new(crate::read::Table::read(&data, &rules.input.read).unwrap());
        let cells = Cells::new(&Raw::new(table, &rules), &spec);
        assert_eq!(cells.get(0, "CF"), Some("AAA"));
        assert_eq!(cells.get(0, "COGNOME"), Some("ROSSI"));
        assert_eq!(cells.get(1, "CF"), None);
        assert_eq!(cells.get(2, "CF"), None, "a missing-value token");
        assert_eq!(cells.get(2, "COGNOME"), Some("VERDI"));
        assert_eq!(cells.get(0, "ALTRO"), None, "not a [link] column");
        assert_eq!(cells.get(3, "CF"), None, "no such record");
    }

    #[test]
    fn identities_go_back_from_what_the_outputs_show() {
        let rs = vec![resident("7"), resident("9")];
        let keyed = Pseudonymizer::Keyed(b"0123456789abcdef0123456789abcdef".to_vec());
        let ids = Identities::new(&rs, &keyed, true);
        assert_eq!(ids.shown[1], keyed.person("9"));
        assert_eq!(ids.lookup(&keyed.person("9")), Some(1));
        // Under a key, a plain identifier names nobody.
        assert_eq!(ids.lookup("9"), None);
        let plain = Identities::new(&rs, &Pseudonymizer::Plain, false);
        assert_eq!(plain.shown, vec!["7", "9"]);
        assert_eq!(plain.lookup("7"), Some(0));
        assert_eq!(plain.by_id["9"], 1);
    }
}
