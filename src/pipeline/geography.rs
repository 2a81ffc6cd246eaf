//! The geography stage: the project's civic-number register (`[stradario]`)
//! read once, checked with its rule file and indexed; then every address
//! the anagrafe and the sources declare (`[address]` in their rule files)
//! matched to it, each miss a finding of its table (check kind
//! [`crate::checks::address`]), each match an area statistica.

use super::mode::Mode;
use super::progress::Progress;
use super::source::Digests;
use super::{check_source, reused_result, PendingReport, RunOptions, SourceResult};
use crate::geography::matching::{match_table, Level, Rates, Reason};
use crate::geography::register::Register;
use crate::messages::Message;
use crate::output::Sink;
use crate::project::Project;
use crate::read::{Inputs, ReadOptions, Table};
use crate::rules::{self, AddressSpec};
use crate::validate::external::{RecordCheck, Verdict};

/// The name the register goes by in reports and in the datamart's
/// metadata.
pub(crate) const NAME: &str = "stradario";

/// What the geography stage hands on.
pub(crate) struct Staged {
    /// The register, indexed.
    pub register: Register,
    /// Its check's result, when it has a rule file.
    pub result: Option<SourceResult>,
    /// Its reports, written with the run's id.
    pub report: Option<PendingReport>,
}

/// Reads, checks (with its rule file, unless `mode` reuses the last
/// master's check) and indexes the project's register; `None` when the
/// project has none. A register that contradicts itself stops the run.
pub(crate) fn stage(
    project: &Project,
    opts: &RunOptions,
    mode: &Mode,
    inputs: &Inputs,
    sink: &Sink,
    digests: &mut Digests,
    progress: &mut Progress,
) -> miette::Result<Option<Staged>> {
    let Some(s) = &project.stradario else {
        return Ok(None);
    };
    progress.stage("reading the civic-number register");
    let rules = match &s.rules {
        Some(r) => Some(rules::load_with_inputs(r, opts.today, inputs)?),
        None => None,
    };
    let read = rules
        .as_ref()
        .map_or_else(ReadOptions::default, |r| r.input.read.clone());
    let table = inputs.get(&s.file, &read)?;
    digests.table(&s.file, &table);
    let out = project.reports.join(NAME);
    let (result, report) = match (&rules, mode.previous()) {
        (None, previous) => {
            if let Some(p) = previous {
                p.same(NAME, "file", &s.file, &table.sha256)?;
            }
            (None, None)
        }
        (Some(rules), Some(p)) => {
            p.same(NAME, "file", &s.file, &table.sha256)?;
            let path = &rules.path;
            p.same(NAME, "regole", path, &digests.of(path)?)?;
            let r = reused_result(project, p, NAME, Default::default())?;
            (Some(r), Some(PendingReport::Reused { out }))
        }
        (Some(rules), None) => {
            let outcome = check_source(NAME, &table, rules, &out, opts, None, sink, None)?;
            let result = SourceResult::checked(NAME, &outcome, Default::default(), 0);
            let report = PendingReport::Checked {
                out,
                outcome: Box::new(outcome),
                linkage: None,
                addresses: None,
            };
            (Some(result), Some(report))
        }
    };
    let register = Register::from_table(&table, &s.columns).map_err(miette::Report::new)?;
    inputs.forget(&s.file);
    Ok(Some(Staged {
        register,
        result,
        report,
    }))
}

/// One record's address as the run keeps it: 8 bytes, not a whole
/// [`Match`] (the anagrafe has a city's worth).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Placed {
    /// The area statistica (`u32::MAX`: none).
    area: u32,
    /// The level; `None`: the record has no address at all.
    level: Option<Level>,
    /// Why the level is not a house number.
    reason: Option<Reason>,
}

/// The addresses of one table, matched.
pub(crate) struct Addresses {
    /// Per record, in the table's order.
    placed: Vec<Placed>,
    /// The counts per level.
    pub rates: Rates,
}

impl Addresses {
    /// Matches every record's address of `table` as `spec` says.
    pub fn new(register: &Register, table: &Table, spec: &AddressSpec) -> miette::Result<Self> {
        let matches = match_table(register, table, &spec.columns).map_err(miette::Report::new)?;
        let cols: Vec<Option<usize>> = spec
            .column_names()
            .into_iter()
            .map(|c| table.column(c))
            .collect();
        let missing: Vec<bool> = table
            .records
            .iter()
            .map(|r| {
                cols.iter()
                    .flatten()
                    .all(|&c| r.fields.get(c).unwrap_or("").trim().is_empty())
            })
            .collect();
        let mut rates = Rates::default();
        let placed = matches
            .iter()
            .zip(missing)
            .map(|(m, gone)| {
                if gone {
                    rates.missing += 1;
                } else {
                    rates.add(m);
                }
                Placed {
                    area: m.area.map_or(u32::MAX, |a| a as u32),
                    level: (!gone).then_some(m.level),
                    reason: m.reason,
                }
            })
            .collect();
        Ok(Addresses { placed, rates })
    }

    /// The area statistica of record `i` (its index in the table), if its
    /// address placed it in one.
    pub fn area(&self, i: usize) -> Option<usize> {
        self.placed
            .get(i)
            .filter(|p| p.area != u32::MAX)
            .map(|p| p.area as usize)
    }

    /// The match level of record `i`'s address (`civic`…); `None` when it
    /// has none.
    pub fn level(&self, i: usize) -> Option<&'static str> {
        self.placed.get(i)?.level.map(Level::code)
    }

    /// The address check over `table`, for [`check_source`].
    pub fn check<'a>(&'a self, table: &'a Table, spec: &'a AddressSpec) -> AddressCheck<'a> {
        AddressCheck {
            addresses: self,
            table,
            spec,
        }
    }
}

/// The address check of one table: its matches, as verdicts.
pub(crate) struct AddressCheck<'a> {
    addresses: &'a Addresses,
    table: &'a Table,
    spec: &'a AddressSpec,
}

impl AddressCheck<'_> {
    /// The check's kind, id and column.
    pub fn record_check(&self) -> RecordCheck<'_> {
        RecordCheck {
            kind: &crate::checks::address::KIND,
            meta: &self.spec.meta,
            column: self.spec.column_names().join(" "),
        }
    }

    /// One verdict per record: skipped with no address, failed (with the
    /// address as written) when the register does not confirm its house
    /// number.
    pub fn verdicts(&self) -> impl Iterator<Item = Verdict> + '_ {
        let cols: Vec<Option<usize>> = self
            .spec
            .column_names()
            .into_iter()
            .map(|c| self.table.column(c))
            .collect();
        let a = self.addresses;
        self.table.records.iter().zip(&a.placed).map(move |(r, p)| {
            let Some(level) = p.level else {
                return Verdict::Skipped;
            };
            match crate::checks::address::check(level, p.reason) {
                None => Verdict::Passed,
                Some(failure) => {
                    let written = cols
                        .iter()
                        .flatten()
                        .map(|&c| r.fields.get(c).unwrap_or("").trim())
                        .filter(|v| !v.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    Verdict::Failed(Message::Address(failure), written)
                }
            }
        })
    }
}

/// The columns `spec` names that `columns` lacks, as a refusal naming the
/// rule file's section.
pub(crate) fn missing_columns(
    spec: &AddressSpec,
    columns: &[String],
    file: &std::path::Path,
    rules: &std::path::Path,
) -> miette::Result<()> {
    for c in spec.column_names() {
        if !columns.iter().any(|x| x == c) {
            miette::bail!(
                code = "vaglio::geography::address_column",
                help = format!(
                    "[address] in {} names `{c}`; the file's columns are: {}",
                    rules.display(),
                    columns.join(", ")
                ),
                "{}: no address column `{c}`",
                file.display()
            );
        }
    }
    Ok(())
}
