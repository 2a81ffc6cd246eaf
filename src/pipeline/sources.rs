//! The stage of one source: its file read once into a table, checked and
//! linked to the prepared anagrafe, the reviewers' decisions applied (or its
//! links reused from the last master with `--against`), and what the
//! datamart does with each of its columns.

use std::path::Path;
use std::sync::Arc;

use miette::miette;

use super::anagrafe::{Anagrafe, Identities};
use super::geography::{missing_columns, Addresses};
use super::mode::Mode;
use super::progress::Progress;
use super::source::{Digests, Raw};
use super::{
    check_source_open, link_spec, reused_result, PendingReport, RunOptions, SourceResult,
    TIER_DECISION,
};
use crate::geography::register::Register;
use crate::link::spec::{self, LinkSpec};
use crate::link::{self, LinkJob, LinkRow, PreparedAnagrafe, Status};
use crate::master::pseudonym::Pseudonymizer;
use crate::master::review::{Decisions, Verdict};
use crate::output::Sink;
use crate::privacy::KeyShown;
use crate::project::{Project, SourceConfig};
use crate::read::Inputs;
use crate::report::linkage::LinkageReport;
use crate::rules::{self, DatamartColumn, RuleSet};

/// A linked source, as the master needs it.
pub(crate) struct Linked {
    pub name: String,
    pub rules: RuleSet,
    pub spec: LinkSpec,
    pub raw: Raw,
    pub rows: Arc<Vec<LinkRow>>,
    /// What the datamart does with its columns.
    pub columns: ColumnPolicy,
    pub isee: Option<usize>,
    pub isee_column: Option<String>,
    /// The record keys are as the last master showed them (reused links).
    pub keys_shown: bool,
    /// Its addresses matched to the register (`[address]` in its rule
    /// file, and a register in the project).
    pub addresses: Option<Addresses>,
    /// Its `findings.csv`, left open when it has cross-source checks (their
    /// findings are written once every source is linked).
    pub findings: Option<crate::report::findings::FindingsWriter>,
}

/// What the run shares with every source stage.
pub(crate) struct Context<'r> {
    pub project: &'r Project,
    pub opts: &'r RunOptions,
    pub mode: &'r Mode<'r>,
    pub inputs: &'r Inputs,
    pub anagrafe: &'r Anagrafe,
    pub prepared: &'r PreparedAnagrafe,
    /// The civic-number register, if the project has one.
    pub register: Option<&'r Register>,
    /// The residents' identifiers, computed before the linkage only when
    /// the reviewers' decisions or the last master's links must be looked
    /// up by them ([`Context::ids`]).
    pub ids: Option<&'r Identities<'r>>,
    pub decisions: &'r Decisions,
    /// The run's pseudonym key: personal record keys in the reports.
    pub pseudo: &'r Pseudonymizer,
    /// Where the run's files go.
    pub sink: &'r Sink,
}

impl Context<'_> {
    /// The residents' identifiers, for looking up decisions and reused
    /// links (the run computes them early exactly when it has either).
    fn ids(&self) -> miette::Result<&Identities<'_>> {
        self.ids.ok_or_else(|| {
            miette!(
                "internal error: the residents' identifiers were not computed before the linkage"
            )
        })
    }
}

/// A source's rules and `[link]` section (the project's thresholds
/// override the rule file's). The files its foreign keys reference come
/// from the run's `inputs`.
pub(crate) fn load_rules(
    project: &Project,
    s: &SourceConfig,
    today: chrono::NaiveDate,
    inputs: &Inputs,
) -> miette::Result<(RuleSet, LinkSpec)> {
    let rules = rules::load_with_inputs(&s.rules, today, inputs)?;
    let mut spec = link_spec(&rules, &s.rules)?;
    if let Some((m, r)) = project.thresholds {
        spec.thresholds = spec::Thresholds {
            matched: m,
            review: r,
        };
    }
    Ok((rules, spec))
}

/// Refuses, before any work, a source whose datamart table would have two
/// columns differing only in case, or whose `drop_columns` names a column
/// its file lacks: from each file's header (a CSV file's first lines; an
/// SQLite table or a sheet is read whole, into the run's `inputs`, where its
/// stage finds it).
pub(crate) fn refuse_bad_columns(
    project: &Project,
    mode: &Mode,
    inputs: &Inputs,
    rules: &[(RuleSet, LinkSpec)],
) -> miette::Result<()> {
    let geo = project.stradario.is_some();
    for (s, (rules, spec)) in project.sources.iter().zip(rules) {
        let file = mode.file(project, s);
        let options = &rules.input.read;
        let format = options
            .format
            .unwrap_or_else(|| crate::read::InputFormat::from_path(&file));
        let columns = if format == crate::read::InputFormat::Csv {
            crate::read::require_regular(&file).map_err(|e| crate::read::io_error(&file, e))?;
            crate::read::Source::open(&file, options)?.header.columns
        } else {
            inputs.get(&file, options)?.header.columns.clone()
        };
        ColumnPolicy::new(rules, spec, s, &columns, &file, geo)?;
        for (key, c) in rules.service.iter().flat_map(|d| d.columns()) {
            let setting = format!("[datamart] {key} in {}", s.rules.display());
            column_of(&columns, &file, &s.name, &setting, c)?;
        }
        if let (Some(a), Some(_)) = (&rules.address, &project.stradario) {
            missing_columns(a, &columns, &file, &s.rules)?;
        }
        for (key, c) in rules.facts.iter().flat_map(|f| f.columns()) {
            let setting = format!("[facts] {key} in {}", s.rules.display());
            column_of(&columns, &file, &s.name, &setting, c)?;
        }
    }
    Ok(())
}

/// Checks and links one source (or reuses its links) with its `rules` and
/// `spec`; returns it as the master needs it, its result and its reports
/// (written with the run's id).
pub(crate) fn stage(
    cx: &Context,
    s: &SourceConfig,
    (rules, spec): (RuleSet, LinkSpec),
    digests: &mut Digests,
    progress: &mut Progress,
) -> miette::Result<(Linked, SourceResult, PendingReport)> {
    let (project, opts) = (cx.project, cx.opts);
    let file = cx.mode.file(project, s);
    let reused = cx.mode.reuses(&s.name);
    if reused {
        progress.stage(&format!("reusing {}", s.name));
    } else {
        progress.stage(&format!("checking {}", s.name));
    }
    let table = cx.inputs.get(&file, &rules.input.read)?;
    digests.table(&file, &table);
    // The datamart's columns (a clash was refused before any work, by
    // `ColumnPolicy::new` on the file's header).
    let raw = Raw::new(Arc::clone(&table), &rules);
    let geo = cx.register.is_some();
    let columns = ColumnPolicy::new(&rules, &spec, s, raw.columns(), &file, geo)?;
    let out = project.reports.join(&s.name);
    let addresses = match (cx.register, &rules.address) {
        (Some(g), Some(a)) => Some(Addresses::new(g, &table, a)?),
        _ => None,
    };
    let mut findings = None;
    let (rows, result, report) = match cx.mode.previous().filter(|_| reused) {
        Some(p) => {
            p.same(&s.name, "file", &file, &table.sha256)?;
            p.same(&s.name, "regole", &s.rules, &digests.of(&s.rules)?)?;
            let rows = Arc::new(reused_rows(p, &s.name, cx.ids()?)?);
            let result = reused_result(project, p, &s.name, Arc::clone(&rows))?;
            (rows, result, PendingReport::Reused { out })
        }
        None => {
            // A source linked again because its cross-source checks read
            // the new delivery: its own file must be the one recorded.
            if let Some(p) = cx.mode.previous().filter(|_| cx.mode.rereads(&s.name)) {
                p.same(&s.name, "file", &file, &table.sha256)?;
                p.same(&s.name, "regole", &s.rules, &digests.of(&s.rules)?)?;
            }
            // The check and the linkage read the same table and need
            // nothing of each other: they run side by side, each filling
            // the other's idle moments.
            progress.stage(&format!("checking and linking {}", s.name));
            let job = LinkJob {
                extract: &table,
                rules: &rules,
                spec: &spec,
                anagrafe: link::Anagrafe::Prepared(cx.prepared),
                anagrafe_rules: &cx.anagrafe.rules,
                anagrafe_spec: &cx.anagrafe.spec,
                reference: opts.today,
                model: None,
                progress: progress.bar(),
            };
            let (checked, l) = rayon::join(
                || {
                    check_source_open(
                        &s.name,
                        &table,
                        &rules,
                        &out,
                        opts,
                        Some(cx.pseudo),
                        cx.sink,
                        addresses
                            .as_ref()
                            .zip(rules.address.as_ref())
                            .map(|(a, spec)| a.check(&table, spec)),
                    )
                },
                || link::link(&job),
            );
            // The check's error first, as when the two ran in turn.
            let (outcome, writer) = checked?;
            // Open until its cross-source checks are evaluated.
            if rules.cross_checks.is_empty() {
                writer.finish()?;
            } else {
                findings = Some(writer);
            }
            let l = l?;
            let mut linkage = LinkageReport::from_linkage(&l, opts.show_pii);
            if rules.key_is_personal() && !opts.show_pii {
                let keys = KeyShown::pseudonymous(&s.name, Some(cx.pseudo.clone()));
                linkage.show_keys(&keys);
            }
            let mut rows = l.rows;
            drop(l.data);
            crate::memory::release();
            // Decisions override the model.
            let decided = if cx.decisions.is_empty() {
                0
            } else {
                apply_decisions(&s.name, &mut rows, cx.decisions, cx.ids()?)?
            };
            linkage.recount(&rows);
            let rows = Arc::new(rows);
            let mut result = SourceResult::checked(&s.name, &outcome, Arc::clone(&rows), decided);
            result.addresses = addresses.as_ref().map(|a| a.rates.clone());
            let report = PendingReport::Checked {
                out,
                outcome: Box::new(outcome),
                linkage: Some(Box::new(linkage)),
                addresses: addresses.as_ref().map(|a| a.rates.clone()),
            };
            (rows, result, report)
        }
    };
    let isee = s
        .isee_column
        .as_deref()
        .map(|c| column_of(raw.columns(), &file, &s.name, "isee_column", c))
        .transpose()?;
    let linked = Linked {
        name: s.name.clone(),
        rules,
        spec,
        raw,
        rows,
        columns,
        isee,
        isee_column: s.isee_column.clone(),
        keys_shown: reused,
        addresses,
        findings,
    };
    Ok((linked, result, report))
}

/// What the datamart does with a source's columns: those mapped in `[link]`
/// fields and the project's `drop_columns` are left out, unless the rule
/// file says otherwise with `datamart = "keep" | "drop" | "pseudonymise"`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ColumnPolicy {
    /// Left out.
    pub drop: Vec<String>,
    /// Replaced by a pseudonym of their value.
    pub pseudonymise: Vec<String>,
    /// Whether the record key is itself personal (a dropped or
    /// pseudonymised column): then the outputs show a pseudonym of it.
    pub key_is_identifying: bool,
}

impl ColumnPolicy {
    /// The policy of a source whose file has `columns`; refuses a
    /// `drop_columns` entry the file lacks, and two columns of its datamart
    /// table that differ only in case (SQLite takes them as one). `geo`:
    /// the table has the geography's columns too (a project with a
    /// register).
    pub fn new(
        rules: &RuleSet,
        spec: &LinkSpec,
        s: &SourceConfig,
        columns: &[String],
        file: &Path,
        geo: bool,
    ) -> miette::Result<ColumnPolicy> {
        let has = |c: &str| columns.iter().any(|x| x == c);
        let declared = |c: &str| {
            rules
                .fields
                .iter()
                .find(|f| f.name == c)
                .and_then(|f| f.datamart)
        };
        let mut drop: Vec<String> = spec
            .fields
            .iter()
            .map(|(_, c)| c.clone())
            .filter(|c| declared(c).is_none())
            .collect();
        for c in &s.drop_columns {
            column_of(columns, file, &s.name, "drop_columns", c)?;
            if !drop.contains(c) {
                drop.push(c.clone());
            }
        }
        let mut pseudonymise = Vec::new();
        for f in &rules.fields {
            let Some(how) = f.datamart else { continue };
            if how != DatamartColumn::Keep && !has(&f.name) {
                continue; // a declared column the file lacks: the checks say so
            }
            match how {
                DatamartColumn::Drop if !drop.contains(&f.name) => drop.push(f.name.clone()),
                DatamartColumn::Pseudonymise if !s.drop_columns.contains(&f.name) => {
                    pseudonymise.push(f.name.clone())
                }
                _ => {}
            }
        }
        let names = crate::master::datamart::source_columns(
            columns
                .iter()
                .filter(|c| !drop.contains(c))
                .map(String::as_str),
            geo,
        );
        if let Some((a, b)) = crate::master::datamart::case_clash(&names) {
            return Err(miette!(
                code = "vaglio::run::column_clash",
                help = format!(
                    "rename one of them in the extract, or leave one out of the datamart: drop_columns = [\"{b}\"] in the project file, or datamart = \"drop\" in [fields.{b}] of {}",
                    s.rules.display()
                ),
                "{}: columns `{a}` and `{b}` differ only in case; the datamart table `{}` cannot hold both",
                file.display(),
                s.name
            ));
        }
        let key_is_identifying = rules
            .input
            .key
            .iter()
            .any(|k| drop.contains(k) || pseudonymise.contains(k));
        Ok(ColumnPolicy {
            drop,
            pseudonymise,
            key_is_identifying,
        })
    }
}

fn column_of(
    columns: &[String],
    file: &Path,
    source: &str,
    setting: &str,
    c: &str,
) -> miette::Result<usize> {
    columns.iter().position(|x| x == c).ok_or_else(|| {
        miette!(
            code = "vaglio::run::column",
            help = format!(
                "the columns of {} are: {}",
                file.display(),
                columns.join(", ")
            ),
            "{setting} of source `{source}` names `{c}`, which is not a column of {}",
            file.display()
        )
    })
}

/// Applies the reviewers' decisions for `source` to its rows; returns how
/// many rows were decided.
pub(crate) fn apply_decisions(
    source: &str,
    rows: &mut [LinkRow],
    decisions: &Decisions,
    ids: &Identities,
) -> miette::Result<usize> {
    let mut decided = 0;
    for ((src, row), verdict) in
        decisions.range((source.to_string(), 0)..=(source.to_string(), u64::MAX))
    {
        let n = rows.len();
        let Some(r) = rows.iter_mut().find(|r| r.row == *row) else {
            miette::bail!(
                code = "vaglio::decisions::row",
                "decision for row {row} of `{src}`, which has {n} rows"
            );
        };
        match verdict {
            Verdict::Reject => {
                r.status = Status::Unmatched;
                r.person = None;
                r.resident = None;
            }
            Verdict::Accept(cand) => {
                let person = match cand {
                    Some(c) => {
                        let i = ids.lookup(c).ok_or_else(|| {
                            miette!(
                                code = "vaglio::decisions::candidate",
                                help = "use the candidate of review/queue.csv, written with the same key",
                                "decision for row {row} of `{src}`: no resident has the pseudonym {c:?}"
                            )
                        })?;
                        r.resident = Some(i as u32);
                        ids.plain(i).to_string()
                    }
                    None => r.person.clone().ok_or_else(|| {
                        miette!(
                            code = "vaglio::decisions::candidate",
                            help = "name the resident in the `candidate` column",
                            "decision accept for row {row} of `{src}`, which has no candidate"
                        )
                    })?,
                };
                r.status = Status::Match;
                r.person = Some(person);
            }
        }
        r.runner_up = None;
        r.tier = TIER_DECISION;
        decided += 1;
    }
    Ok(decided)
}

/// The links of a source from the last master, with plain identifiers.
fn reused_rows(
    prev: &super::previous::Previous,
    source: &str,
    ids: &Identities,
) -> miette::Result<Vec<LinkRow>> {
    let plain = |shown: &str| -> miette::Result<String> {
        ids.lookup(shown).map(|i| ids.plain(i).to_string()).ok_or_else(|| {
            miette!(
                code = "vaglio::against::person",
                help = "the master must have been written with the same pseudonym key and anagrafe; run `vaglio run` to build it again",
                "{}: `{source}` is linked to {shown:?}, who is no resident of the anagrafe under this key",
                prev.master.join("links.csv").display()
            )
        })
    };
    let mut rows = Vec::new();
    for s in prev.links.iter().filter(|s| s.source == source) {
        let mut r = s.link.clone();
        r.person = r.person.as_deref().map(plain).transpose()?;
        r.runner_up = match r.runner_up.take() {
            Some((p, w)) => Some((plain(&p)?, w)),
            None => None,
        };
        rows.push(r);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::master::pseudonym::Pseudonymizer;
    use crate::pipeline::residents::Resident;
    use std::sync::Arc;

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

    fn row(n: u64, status: Status, person: Option<&str>) -> LinkRow {
        LinkRow {
            row: n,
            key: format!("k{n}"),
            person: person.map(str::to_string),
            resident: None,
            status,
            tier: "cf".into(),
            weight: None,
            probability: None,
            note: Default::default(),
            runner_up: None,
        }
    }

    #[test]
    fn decisions_accept_a_candidate_reject_a_link_and_name_bad_rows() {
        let residents = vec![resident("10"), resident("20")];
        let ids = Identities::new(&residents, &Pseudonymizer::Plain, true);
        let mut rows = vec![
            row(1, Status::Review, Some("10")),
            row(2, Status::Match, Some("10")),
            row(3, Status::Review, Some("10")),
        ];
        let mut d = Decisions::new();
        d.insert(("s".into(), 1), Verdict::Accept(None));
        d.insert(("s".into(), 2), Verdict::Reject);
        d.insert(("s".into(), 3), Verdict::Accept(Some("20".into())));
        d.insert(("other".into(), 1), Verdict::Reject);
        assert_eq!(apply_decisions("s", &mut rows, &d, &ids).unwrap(), 3);
        assert_eq!(rows[0].status, Status::Match);
        assert_eq!(rows[0].person.as_deref(), Some("10"));
        assert_eq!(
            (rows[1].status, rows[1].person.as_deref()),
            (Status::Unmatched, None)
        );
        assert_eq!(rows[2].person.as_deref(), Some("20"));
        assert_eq!(rows[2].resident, Some(1));
        assert!(rows.iter().all(|r| r.tier == TIER_DECISION));
        let mut d = Decisions::new();
        d.insert(("s".into(), 9), Verdict::Reject);
        let e = apply_decisions("s", &mut rows, &d, &ids).unwrap_err();
        assert!(
            e.to_string().contains("row 9 of `s`, which has 3 rows"),
            "{e}"
        );
        let mut d = Decisions::new();
        d.insert(("s".into(), 1), Verdict::Accept(Some("99".into())));
        let e = apply_decisions("s", &mut rows, &d, &ids).unwrap_err();
        assert!(
            e.to_string().contains("no resident has the pseudonym"),
            "{e}"
        );
    }

    #[test]
    fn the_datamart_drops_mapped_columns_unless_the_rules_say_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("s.csv");
        std::fs::write(&data, "ID;CF;NOME;PAGANTE;NOTE\n1;X;Y;Z;W\n").unwrap();
        let text = "[input]\ndelimiter = \";\"\nkey = \"ID\"\n\n[fields.CF]\n\n[fields.PAGANTE]\ndatamart = \"pseudonymise\"\n\n[fields.NOME]\ndatamart = \"keep\"\n\n[link]\nfields = { codice_fiscale = \"CF\", nome = \"NOME\" }\n";
        let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let rules = rules::load_str(text, "s.toml".as_ref(), dir.path(), today).unwrap();
        let spec = spec::from_rules(&rules).unwrap().unwrap();
        let table = Arc::new(crate::read::Table::read(&data, &rules.input.read).unwrap());
        let raw = Raw::new(table, &rules);
        let mut s = SourceConfig {
            name: "s".into(),
            file: data.clone(),
            rules: "s.toml".into(),
            isee_column: None,
            drop_columns: vec!["NOTE".into()],
        };
        let p = ColumnPolicy::new(&rules, &spec, &s, raw.columns(), &data, false).unwrap();
        assert_eq!(p.drop, vec!["CF", "NOTE"]);
        assert_eq!(p.pseudonymise, vec!["PAGANTE"]);
        assert!(!p.key_is_identifying);
        s.drop_columns = vec!["ID".into()];
        let p = ColumnPolicy::new(&rules, &spec, &s, raw.columns(), &data, false).unwrap();
        assert!(p.key_is_identifying);
        s.drop_columns = vec!["ASSENTE".into()];
        let e = ColumnPolicy::new(&rules, &spec, &s, raw.columns(), &data, false).unwrap_err();
        assert!(
            e.to_string()
                .contains("drop_columns of source `s` names `ASSENTE`"),
            "{e}"
        );
    }
}
