//! The whole job as a library call: validate the anagrafe and every source,
//! link each source, apply the reviewers' decisions, and write the reports,
//! `master/links.csv`, `master/datamart.sqlite` and `review/queue.csv`.
//!
//! Deterministic: sources in project order, records in row order, no clock
//! but the run's date; the same inputs, key and date give byte-identical
//! files whatever the number of threads.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use miette::{miette, IntoDiagnostic};
use rusqlite::types::Value as Sql;
use sha2::{Digest, Sha256};

use crate::link::spec::{self, Attr, LinkSpec};
use crate::link::{self, LinkJob, LinkRow, Status};
use crate::master::datamart::{self, Table};
use crate::master::pseudonym::{self, Pseudonymizer};
use crate::master::review::{self, Decisions, Verdict};
use crate::output::write_atomic;
use crate::project::Project;
use crate::read::{self, Record};
use crate::report::html::Lang;
use crate::report::{findings::FindingsWriter, linkage::LinkageReport, write_source_reports};
use crate::rules::{self, RuleSet, Severity};
use crate::types::FieldType;
use crate::validate::{validate, SourceOutcome, ValidateOptions};
use crate::value::Value;

/// The tier recorded for a reviewer's decision.
pub const TIER_DECISION: &str = "decision";

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// A decisions file (`accept` / `reject` per source and row).
    pub decisions: Option<PathBuf>,
    /// Pseudonymise identifiers (off only with `--no-pseudonyms`).
    pub pseudonyms: bool,
    /// Show personal data in reports and the review queue.
    pub show_pii: bool,
    /// The run's date.
    pub today: NaiveDate,
    /// Progress bars and stage lines on standard error.
    pub progress: bool,
}

/// What happened to one source (the anagrafe first).
#[derive(Clone, Debug)]
pub struct SourceResult {
    /// Its name.
    pub name: String,
    /// Data rows.
    pub rows: u64,
    /// Checks over tolerance that fail the gate.
    pub failing_checks: usize,
    /// Checks with at least one failure.
    pub checks_with_findings: usize,
    /// One row per record after decisions (plain identifiers); empty for
    /// the anagrafe.
    pub links: Vec<LinkRow>,
    /// Records decided by a reviewer.
    pub decided: usize,
}

impl SourceResult {
    /// Records with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.links.iter().filter(|r| r.status == status).count()
    }
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// Per source, the anagrafe first.
    pub sources: Vec<SourceResult>,
    /// Whether a check gate failed.
    pub gate_failed: bool,
    /// Residents.
    pub residents: usize,
    /// Families.
    pub families: usize,
    /// Pairs in the review queue.
    pub queued: usize,
    /// Whether identifiers were pseudonymised.
    pub pseudonymised: bool,
    /// The files written.
    pub written: Vec<PathBuf>,
}

/// Reads the pseudonym key as the project says, or refuses.
pub fn pseudonymizer(project: &Project, pseudonyms: bool) -> miette::Result<Pseudonymizer> {
    if !pseudonyms {
        return Ok(Pseudonymizer::Plain);
    }
    match pseudonym::read_key(project.key_env.as_deref(), project.key_file.as_deref())? {
        Some(k) => Ok(Pseudonymizer::Keyed(k)),
        None => {
            let mut ways = Vec::new();
            if let Some(v) = &project.key_env {
                ways.push(format!("set the environment variable {v}"));
            }
            if let Some(f) = &project.key_file {
                ways.push(format!("write the key to {}", f.display()));
            }
            if ways.is_empty() {
                ways.push(
                    "add [privacy] key_env = \"VAGLIO_KEY\" (or key_file = \"…\") to the project file and provide the key"
                        .into(),
                );
            }
            let help = format!(
                "{} (a random secret of at least 32 characters, kept outside the data: `openssl rand -hex 32`); or pass --no-pseudonyms for local tests, which writes the plain identifiers",
                ways.join(", or ")
            );
            Err(miette!(
                code = "vaglio::privacy::no_key",
                help = help,
                "no pseudonym key: vaglio will not write the datamart with plain identifiers"
            ))
        }
    }
}

fn stage(opts: &RunOptions, what: &str) {
    if opts.progress {
        eprintln!("vaglio run: {what}");
    }
}

/// Validates one source and writes its findings; its other reports are
/// written by [`crate::report::write_source_reports`] once it is linked.
fn check_source(
    name: &str,
    file: &Path,
    rules: &RuleSet,
    out: &Path,
    opts: &RunOptions,
) -> miette::Result<SourceOutcome> {
    let mut findings = FindingsWriter::create(&out.join("findings.csv"))?;
    let options = ValidateOptions {
        source_name: name.to_string(),
        show_pii: opts.show_pii,
        progress: opts.progress,
        ..Default::default()
    };
    let outcome = validate(file, rules, &options, &mut |f| findings.write(name, f))?;
    findings.finish()?;
    Ok(outcome)
}

fn link_spec(rules: &RuleSet, path: &Path) -> miette::Result<LinkSpec> {
    spec::from_rules(rules)?.ok_or_else(|| {
        miette!(
            code = "vaglio::link::no_section",
            help = "add a [link] section saying which columns identify a person",
            "{} has no [link] section",
            path.display()
        )
    })
}

/// A source read whole: header and records by row.
struct Raw {
    columns: Vec<String>,
    records: Vec<Record>,
    missing: Vec<String>,
}

impl Raw {
    fn read(file: &Path, rules: &RuleSet) -> miette::Result<Raw> {
        let (source, records) = read::read_all(file, &rules.input.read)?;
        let mut missing = rules.input.missing_values.clone();
        if missing.is_empty() {
            missing = rules::DEFAULT_MISSING_VALUES
                .iter()
                .map(|s| s.to_string())
                .collect();
        }
        Ok(Raw {
            columns: source.header.columns.clone(),
            records,
            missing,
        })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The trimmed cell, `None` when missing.
    fn cell<'a>(&self, r: &'a Record, col: Option<usize>) -> Option<&'a str> {
        let v = r.fields.get(col?)?.trim();
        (!v.is_empty() && !self.missing.iter().any(|m| m == v)).then_some(v)
    }
}

fn sha256_file(path: &Path) -> miette::Result<String> {
    let bytes = std::fs::read(path)
        .into_diagnostic()
        .map_err(|e| e.wrap_err(format!("cannot read {}", path.display())))?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

/// The path as the project names it (relative to the project's folder).
fn shown(project: &Project, p: &Path) -> String {
    p.strip_prefix(&project.base)
        .unwrap_or(p)
        .display()
        .to_string()
}

/// Parses a date with the field's declared formats, else the usual ones.
fn parse_date(rules: &RuleSet, column: &str, text: &str, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(f) = rules.fields.iter().find(|f| f.name == column) {
        if let Ok(Value::Date(d)) = f.field_type.parse(text) {
            return Some(d);
        }
    }
    crate::identity::dates::parse_date(text, today).ok()
}

/// Parses an amount with the field's declared separators, else `1.234,56` or
/// `1234.56`.
fn parse_amount(rules: &RuleSet, column: &str, text: &str) -> Option<f64> {
    if let Some(f) = rules.fields.iter().find(|f| f.name == column) {
        if matches!(
            f.field_type,
            FieldType::Decimal { .. } | FieldType::Integer { .. }
        ) {
            match f.field_type.parse(text) {
                Ok(Value::Decimal(x)) => return Some(x),
                Ok(Value::Int(i)) => return Some(i as f64),
                _ => {}
            }
        }
    }
    let t = text.trim().replace(' ', "");
    let t = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else {
        t
    };
    t.parse().ok().filter(|x: &f64| x.is_finite())
}

/// Age band at the run's date.
pub fn age_band(age: i32) -> &'static str {
    match age {
        i32::MIN..=2 => "0-2",
        3..=5 => "3-5",
        6..=10 => "6-10",
        11..=13 => "11-13",
        14..=17 => "14-17",
        18..=24 => "18-24",
        25..=34 => "25-34",
        35..=44 => "35-44",
        45..=54 => "45-54",
        55..=64 => "55-64",
        65..=74 => "65-74",
        75..=84 => "75-84",
        _ => "85+",
    }
}

fn age(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut a = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        a -= 1;
    }
    a
}

/// ISTAT country codes of the other 26 member states of the EU.
const EU_ISTAT: [&str; 26] = [
    "203", "206", "209", "212", "214", "215", "216", "220", "221", "226", "227", "232", "233",
    "234", "235", "239", "240", "244", "247", "248", "249", "250", "251", "255", "257", "315",
];

/// Citizenship group from an ISTAT country code: `italiana`, `UE`,
/// `extra UE`; other codes are kept as they are.
pub fn citizenship_group(code: &str) -> String {
    let c = code.trim();
    if c == "100" {
        "italiana".into()
    } else if EU_ISTAT.contains(&c) {
        "UE".into()
    } else if c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()) && c > "200" {
        "extra UE".into()
    } else {
        c.to_string()
    }
}

fn text(s: Option<&str>) -> Sql {
    s.map_or(Sql::Null, |v| Sql::Text(v.to_string()))
}

fn real(x: Option<f64>, digits: i32) -> Sql {
    match x {
        Some(v) if v.is_finite() => {
            let p = 10f64.powi(digits);
            Sql::Real((v * p).round() / p)
        }
        _ => Sql::Null,
    }
}

struct Resident {
    id: String,
    family: Option<String>,
    sex: Option<String>,
    birth: Option<NaiveDate>,
    citizenship: Option<String>,
    area: Option<String>,
}

struct Linked {
    name: String,
    rules: RuleSet,
    spec: LinkSpec,
    raw: Raw,
    rows: Vec<LinkRow>,
    drop: Vec<String>,
    isee: Option<usize>,
    isee_column: Option<String>,
    key_is_identifying: bool,
}

/// Runs the whole job.
pub fn run(project: &Project, opts: &RunOptions) -> miette::Result<RunResult> {
    // Refuse before any work when the key is missing.
    let pseudo = pseudonymizer(project, opts.pseudonyms)?;
    let decisions: Decisions = match &opts.decisions {
        Some(p) => review::read_decisions(p)?,
        None => Decisions::new(),
    };
    for (source, row) in decisions.keys() {
        if !project.sources.iter().any(|s| &s.name == source) {
            miette::bail!(
                code = "vaglio::decisions::source",
                help = format!(
                    "the project's sources are: {}",
                    project
                        .sources
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "decision for row {row} of `{source}`, which is not a source of {}",
                project.path.display()
            );
        }
    }
    let today = opts.today;
    let mut results = Vec::new();
    let mut gate_failed = false;
    let mut summarise = |name: &str, o: &SourceOutcome, links: Vec<LinkRow>, decided| {
        let failing = o.gate_failures(Severity::Error).count();
        if failing > 0 {
            gate_failed = true;
        }
        results.push(SourceResult {
            name: name.to_string(),
            rows: o.rows,
            failing_checks: failing,
            checks_with_findings: o.checks.iter().filter(|c| c.failed > 0).count(),
            links,
            decided,
        });
    };

    // The anagrafe.
    stage(opts, "checking the anagrafe");
    let ana = &project.anagrafe;
    let ana_rules = rules::load(&ana.rules, today)?;
    let ana_spec = link_spec(&ana_rules, &ana.rules)?;
    let ana_outcome = check_source(
        "anagrafe",
        &ana.file,
        &ana_rules,
        &project.reports.join("anagrafe"),
        opts,
    )?;
    let ana_reports = project.reports.join("anagrafe");
    write_source_reports(
        &ana_reports,
        &ana_outcome,
        None,
        today,
        Severity::Error,
        Lang::It,
    )?;
    summarise("anagrafe", &ana_outcome, Vec::new(), 0);
    let ana_raw = Raw::read(&ana.file, &ana_rules)?;
    let id_col_name = ana_spec
        .id
        .clone()
        .or_else(|| ana_rules.input.key.first().cloned())
        .ok_or_else(|| {
            miette!(
                code = "vaglio::run::anagrafe_id",
                help = "add `id = \"ID_PERSONA\"` to the anagrafe's [link] section",
                "{}: the anagrafe has no person identifier",
                ana.rules.display()
            )
        })?;
    let column = |name: Option<&str>, what: &str| -> miette::Result<Option<usize>> {
        match name {
            None => Ok(None),
            Some(n) => ana_raw.col(n).map(Some).ok_or_else(|| {
                miette!(
                    code = "vaglio::run::column",
                    help = format!("the anagrafe's columns are: {}", ana_raw.columns.join(", ")),
                    "{}: the anagrafe has no column `{n}` ({what} in {})",
                    ana.file.display(),
                    project.path.display()
                )
            }),
        }
    };
    let id_col = column(Some(&id_col_name), "its identifier")?;
    let fam_col = column(ana.family.as_deref(), "[anagrafe] family")?;
    let cit_col = column(ana.citizenship.as_deref(), "[anagrafe] citizenship")?;
    let area_col = column(ana.area.as_deref(), "[anagrafe] area")?;
    let sex_col = column(ana_spec.column(Attr::Sesso), "[link] sesso")?;
    let birth_name = ana_spec.column(Attr::DataNascita).map(str::to_string);
    let birth_col = column(birth_name.as_deref(), "[link] data_nascita")?;
    let residents: Vec<Resident> = ana_raw
        .records
        .iter()
        .map(|r| Resident {
            id: ana_raw.cell(r, id_col).unwrap_or_default().to_string(),
            family: ana_raw.cell(r, fam_col).map(str::to_string),
            sex: ana_raw.cell(r, sex_col).map(str::to_string),
            birth: ana_raw.cell(r, birth_col).and_then(|t| {
                parse_date(&ana_rules, birth_name.as_deref().unwrap_or(""), t, today)
            }),
            citizenship: ana_raw.cell(r, cit_col).map(str::to_string),
            area: ana_raw.cell(r, area_col).map(str::to_string),
        })
        .collect();
    let by_id: HashMap<&str, usize> = residents
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();

    let pseudonyms: Vec<String> = residents.iter().map(|r| pseudo.person(&r.id)).collect();
    let by_pseudonym: HashMap<&str, usize> = if decisions.is_empty() {
        HashMap::new()
    } else {
        pseudonyms
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect()
    };

    // The sources: check, link, decide.
    let mut linked: Vec<Linked> = Vec::new();
    for s in &project.sources {
        stage(opts, &format!("checking {}", s.name));
        let rules = rules::load(&s.rules, today)?;
        let mut spec = link_spec(&rules, &s.rules)?;
        if let Some((m, r)) = project.thresholds {
            spec.thresholds = spec::Thresholds {
                matched: m,
                review: r,
            };
        }
        let outcome = check_source(
            &s.name,
            &s.file,
            &rules,
            &project.reports.join(&s.name),
            opts,
        )?;
        stage(opts, &format!("linking {}", s.name));
        let job = LinkJob {
            extract: &s.file,
            rules: &rules,
            spec: &spec,
            anagrafe: &ana.file,
            anagrafe_rules: &ana_rules,
            anagrafe_spec: &ana_spec,
            reference: today,
            model: None,
            progress: None,
        };
        let l = link::link(&job)?;
        let mut linkage = LinkageReport::from_linkage(&l, opts.show_pii);
        let mut rows = l.rows;
        std::mem::drop(l.data);
        // Decisions override the model.
        let mut decided = 0;
        let lookup = |cand: &str| -> Option<String> {
            by_pseudonym
                .get(cand)
                .or_else(|| by_id.get(cand).filter(|_| !pseudo.keyed()))
                .map(|&i| residents[i].id.clone())
        };
        for ((src, row), verdict) in
            decisions.range((s.name.clone(), 0)..=(s.name.clone(), u64::MAX))
        {
            let Some(r) = rows.iter_mut().find(|r| r.row == *row) else {
                miette::bail!(
                    code = "vaglio::decisions::row",
                    "decision for row {row} of `{src}`, which has {} rows",
                    rows.len()
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
                        Some(c) => lookup(c).ok_or_else(|| {
                            miette!(
                                code = "vaglio::decisions::candidate",
                                help = "use the candidate of review/queue.csv, written with the same key",
                                "decision for row {row} of `{src}`: no resident has the pseudonym {c:?}"
                            )
                        })?,
                        None => r.person.clone().ok_or_else(|| {
                            miette!(
                                code = "vaglio::decisions::candidate",
                                help = "name the resident in the `candidate` column",
                                "decision accept for row {row} of `{src}`, which has no candidate"
                            )
                        })?,
                    };
                    r.status = Status::Match;
                    r.resident = by_id.get(person.as_str()).map(|&i| i as u32);
                    r.person = Some(person);
                }
            }
            r.tier = TIER_DECISION.to_string();
            decided += 1;
        }
        linkage.recount(&rows);
        let out = project.reports.join(&s.name);
        write_source_reports(
            &out,
            &outcome,
            Some(linkage),
            today,
            Severity::Error,
            Lang::It,
        )?;
        let raw = Raw::read(&s.file, &rules)?;
        let mut dropped: Vec<String> = spec.fields.iter().map(|(_, c)| c.clone()).collect();
        for c in &s.drop_columns {
            if raw.col(c).is_none() {
                miette::bail!(
                    code = "vaglio::run::column",
                    help = format!(
                        "the columns of {} are: {}",
                        s.file.display(),
                        raw.columns.join(", ")
                    ),
                    "drop_columns of source `{}` names `{c}`, which is not a column of {}",
                    s.name,
                    s.file.display()
                );
            }
            if !dropped.contains(c) {
                dropped.push(c.clone());
            }
        }
        let isee = match &s.isee_column {
            None => None,
            Some(c) => Some(raw.col(c).ok_or_else(|| {
                miette!(
                    code = "vaglio::run::column",
                    help = format!(
                        "the columns of {} are: {}",
                        s.file.display(),
                        raw.columns.join(", ")
                    ),
                    "isee_column of source `{}` names `{c}`, which is not a column of {}",
                    s.name,
                    s.file.display()
                )
            })?),
        };
        let key_is_identifying = rules.input.key.iter().any(|k| dropped.contains(k));
        summarise(&s.name, &outcome, rows.clone(), decided);
        linked.push(Linked {
            name: s.name.clone(),
            rules,
            spec,
            raw,
            rows,
            drop: dropped,
            isee,
            isee_column: s.isee_column.clone(),
            key_is_identifying,
        });
    }

    stage(opts, "writing the master");
    let person_key = |id: Option<&str>| -> Option<String> {
        id.map(|i| match by_id.get(i) {
            Some(&x) => pseudonyms[x].clone(),
            None => pseudo.person(i),
        })
    };
    let record_key = |l: &Linked, key: &str| -> String {
        if l.key_is_identifying {
            pseudo.record_key(&l.name, key)
        } else {
            key.to_string()
        }
    };

    // Per resident and source: linked records.
    let mut per_person: Vec<Vec<u32>> = vec![vec![0; linked.len()]; residents.len()];
    for (si, l) in linked.iter().enumerate() {
        for r in l.rows.iter().filter(|r| r.status == Status::Match) {
            if let Some(&i) = r.person.as_deref().and_then(|p| by_id.get(p)) {
                per_person[i][si] += 1;
            }
        }
    }

    // individui
    let mut columns: Vec<(String, &'static str)> = vec![
        ("persona".into(), "TEXT"),
        ("famiglia".into(), "TEXT"),
        ("sesso".into(), "TEXT"),
        ("anno_nascita".into(), "INTEGER"),
        ("fascia_eta".into(), "TEXT"),
        ("cittadinanza".into(), "TEXT"),
        ("quartiere".into(), "TEXT"),
    ];
    for l in &linked {
        columns.push((format!("n_{}", l.name), "INTEGER"));
    }
    let individui = Table {
        name: "individui".into(),
        columns,
        rows: residents
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = vec![
                    Sql::Text(pseudonyms[i].clone()),
                    text(r.family.as_deref().map(|f| pseudo.family(f)).as_deref()),
                    text(r.sex.as_deref()),
                    r.birth.map_or(Sql::Null, |b| Sql::Integer(b.year().into())),
                    r.birth
                        .map_or(Sql::Null, |b| Sql::Text(age_band(age(b, today)).into())),
                    text(r.citizenship.as_deref().map(citizenship_group).as_deref()),
                    text(r.area.as_deref()),
                ];
                row.extend(per_person[i].iter().map(|&n| Sql::Integer(n.into())));
                row
            })
            .collect(),
        indexes: vec!["persona".into(), "famiglia".into()],
    };

    // famiglie: members in anagrafe order, families by first appearance.
    let mut families: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut family_order: Vec<String> = Vec::new();
    for (i, r) in residents.iter().enumerate() {
        if let Some(f) = &r.family {
            let members = families.entry(f.clone()).or_default();
            if members.is_empty() {
                family_order.push(f.clone());
            }
            members.push(i);
        }
    }
    // The family's ISEE: from the last source (project order) declaring an
    // ISEE column with a value on a record linked to a member; of its
    // records, the last by row.
    let mut isee_of: HashMap<&str, (f64, &str)> = HashMap::new();
    for l in &linked {
        let Some(col) = l.isee else { continue };
        let by_row: HashMap<u64, &Record> = l.raw.records.iter().map(|r| (r.row, r)).collect();
        let mut found: HashMap<&str, f64> = HashMap::new();
        for r in l.rows.iter().filter(|r| r.status == Status::Match) {
            let Some(&i) = r.person.as_deref().and_then(|p| by_id.get(p)) else {
                continue;
            };
            let Some(fam) = residents[i].family.as_deref() else {
                continue;
            };
            let Some(v) = by_row
                .get(&r.row)
                .and_then(|rec| l.raw.cell(rec, Some(col)))
                .and_then(|t| parse_amount(&l.rules, l.isee_column.as_deref().unwrap_or(""), t))
            else {
                continue;
            };
            // Rows come in order: the last wins.
            found.insert(fam, v);
        }
        for (fam, v) in found {
            isee_of.insert(fam, (v, l.name.as_str()));
        }
    }
    let mut columns: Vec<(String, &'static str)> = vec![
        ("famiglia".into(), "TEXT"),
        ("componenti".into(), "INTEGER"),
        ("minori".into(), "INTEGER"),
        ("anziani".into(), "INTEGER"),
        ("stranieri".into(), "INTEGER"),
        ("quartiere".into(), "TEXT"),
    ];
    for l in &linked {
        columns.push((format!("raggiunti_{}", l.name), "INTEGER"));
    }
    columns.push(("isee".into(), "REAL"));
    columns.push(("isee_fonte".into(), "TEXT"));
    let famiglie = Table {
        name: "famiglie".into(),
        columns,
        rows: family_order
            .iter()
            .map(|f| {
                let members = &families[f];
                let ages: Vec<i32> = members
                    .iter()
                    .filter_map(|&i| residents[i].birth.map(|b| age(b, today)))
                    .collect();
                let foreign = members
                    .iter()
                    .filter(|&&i| {
                        residents[i]
                            .citizenship
                            .as_deref()
                            .is_some_and(|c| c != "100")
                    })
                    .count();
                // The most frequent quartiere among members (ties: first seen).
                let mut areas: Vec<(&str, usize)> = Vec::new();
                for &i in members {
                    if let Some(a) = residents[i].area.as_deref() {
                        match areas.iter_mut().find(|x| x.0 == a) {
                            Some(x) => x.1 += 1,
                            None => areas.push((a, 1)),
                        }
                    }
                }
                let area = areas
                    .iter()
                    .enumerate()
                    .max_by(|(ia, a), (ib, b)| a.1.cmp(&b.1).then(ib.cmp(ia)))
                    .map(|(_, a)| a.0);
                let mut row = vec![
                    Sql::Text(pseudo.family(f)),
                    Sql::Integer(members.len() as i64),
                    Sql::Integer(ages.iter().filter(|&&a| a < 18).count() as i64),
                    Sql::Integer(ages.iter().filter(|&&a| a >= 65).count() as i64),
                    Sql::Integer(foreign as i64),
                    text(area),
                ];
                row.extend((0..linked.len()).map(|si| {
                    let n = members.iter().filter(|&&i| per_person[i][si] > 0).count();
                    Sql::Integer(n as i64)
                }));
                let isee = isee_of.get(f.as_str());
                row.push(real(isee.map(|x| x.0), 2));
                row.push(text(isee.map(|x| x.1)));
                row
            })
            .collect(),
        indexes: vec!["famiglia".into()],
    };

    // collegamenti and links.csv
    let fmt = |x: Option<f64>, d: usize| x.map(|v| format!("{v:.d$}")).unwrap_or_default();
    let mut coll_rows = Vec::new();
    let mut links_csv = csv::Writer::from_writer(Vec::new());
    links_csv
        .write_record(crate::commands::link::LINKS_HEADER)
        .into_diagnostic()?;
    for l in &linked {
        for r in &l.rows {
            let person = person_key(r.person.as_deref());
            let key = record_key(l, &r.key);
            coll_rows.push(vec![
                Sql::Text(l.name.clone()),
                Sql::Integer(r.row as i64),
                Sql::Text(key.clone()),
                text(person.as_deref()),
                Sql::Text(r.status.name().into()),
                Sql::Text(r.tier.clone()),
                real(r.weight, 4),
                real(r.probability, 6),
                text((!r.note.is_empty()).then_some(r.note.as_str())),
            ]);
            links_csv
                .write_record([
                    l.name.as_str(),
                    &r.row.to_string(),
                    &key,
                    person.as_deref().unwrap_or(""),
                    r.status.name(),
                    &r.tier,
                    &fmt(r.weight, 4),
                    &fmt(r.probability, 6),
                    &r.note,
                ])
                .into_diagnostic()?;
        }
    }
    let collegamenti = Table {
        name: "collegamenti".into(),
        columns: [
            ("fonte", "TEXT"),
            ("riga", "INTEGER"),
            ("chiave", "TEXT"),
            ("persona", "TEXT"),
            ("esito", "TEXT"),
            ("criterio", "TEXT"),
            ("peso", "REAL"),
            ("probabilita", "REAL"),
            ("note", "TEXT"),
        ]
        .into_iter()
        .map(|(c, t)| (c.to_string(), t))
        .collect(),
        rows: coll_rows,
        indexes: vec!["persona".into(), "fonte".into()],
    };

    // One table per source.
    let mut source_tables = Vec::new();
    for l in &linked {
        let kept: Vec<usize> = (0..l.raw.columns.len())
            .filter(|&i| !l.drop.contains(&l.raw.columns[i]))
            .collect();
        let mut columns: Vec<(String, &'static str)> = vec![
            ("riga".into(), "INTEGER"),
            ("persona".into(), "TEXT"),
            ("esito".into(), "TEXT"),
        ];
        let reserved = ["riga", "persona", "esito"];
        for &i in &kept {
            let c = &l.raw.columns[i];
            let name = if reserved.contains(&c.to_ascii_lowercase().as_str()) {
                format!("{c}_fonte")
            } else {
                c.clone()
            };
            columns.push((name, "TEXT"));
        }
        let by_row: HashMap<u64, &LinkRow> = l.rows.iter().map(|r| (r.row, r)).collect();
        let rows = l
            .raw
            .records
            .iter()
            .map(|rec| {
                let link = by_row.get(&rec.row);
                let person = link
                    .filter(|r| r.status == Status::Match)
                    .and_then(|r| person_key(r.person.as_deref()));
                let mut row = vec![
                    Sql::Integer(rec.row as i64),
                    text(person.as_deref()),
                    text(link.map(|r| r.status.name())),
                ];
                row.extend(kept.iter().map(|&i| text(l.raw.cell(rec, Some(i)))));
                row
            })
            .collect();
        source_tables.push(Table {
            name: l.name.clone(),
            columns,
            rows,
            indexes: vec!["persona".into()],
        });
    }

    // metadata
    let mut meta: Vec<(String, String)> = vec![
        (
            "data_esecuzione".into(),
            today.format("%Y-%m-%d").to_string(),
        ),
        ("strumento".into(), "vaglio".into()),
        ("versione".into(), env!("CARGO_PKG_VERSION").into()),
        (
            "pseudonimi".into(),
            if pseudo.keyed() {
                "si: HMAC-SHA256 (chiave fuori dai dati), primi 16 byte in esadecimale".into()
            } else {
                "no: identificativi in chiaro (--no-pseudonyms, solo per prove locali)".into()
            },
        ),
        ("residenti".into(), residents.len().to_string()),
        ("famiglie".into(), families.len().to_string()),
        ("decisioni".into(), decisions.len().to_string()),
        ("sha256:progetto".into(), sha256_file(&project.path)?),
    ];
    meta.push((
        format!("sha256:anagrafe:file:{}", shown(project, &ana.file)),
        sha256_file(&ana.file)?,
    ));
    meta.push((
        format!("sha256:anagrafe:regole:{}", shown(project, &ana.rules)),
        sha256_file(&ana.rules)?,
    ));
    for s in &project.sources {
        meta.push((
            format!("sha256:{}:file:{}", s.name, shown(project, &s.file)),
            sha256_file(&s.file)?,
        ));
        meta.push((
            format!("sha256:{}:regole:{}", s.name, shown(project, &s.rules)),
            sha256_file(&s.rules)?,
        ));
    }
    if let Some(d) = &opts.decisions {
        meta.push(("sha256:decisioni".into(), sha256_file(d)?));
    }
    let metadata = Table {
        name: "metadata".into(),
        columns: vec![("chiave".into(), "TEXT"), ("valore".into(), "TEXT")],
        rows: meta
            .into_iter()
            .map(|(k, v)| vec![Sql::Text(k), Sql::Text(v)])
            .collect(),
        indexes: Vec::new(),
    };

    // The review queue.
    let mut header: Vec<String> = review::QUEUE_HEAD.iter().map(|s| s.to_string()).collect();
    for a in Attr::ALL {
        header.push(format!("{}_fonte", a.name()));
        header.push(format!("{}_anagrafe", a.name()));
    }
    header.push("decision".into());
    let mut queue = Vec::new();
    for l in &linked {
        let by_row: HashMap<u64, &Record> = l.raw.records.iter().map(|r| (r.row, r)).collect();
        for r in l.rows.iter().filter(|r| r.status == Status::Review) {
            let rec = by_row.get(&r.row);
            let ana_rec = r
                .person
                .as_deref()
                .and_then(|p| by_id.get(p))
                .map(|&i| &ana_raw.records[i]);
            let mut row = vec![
                l.name.clone(),
                r.row.to_string(),
                record_key(l, &r.key),
                person_key(r.person.as_deref()).unwrap_or_default(),
                fmt(r.weight, 4),
                fmt(r.probability, 6),
                r.note.clone(),
            ];
            for a in Attr::ALL {
                let mask = |v: Option<&str>| {
                    v.map(|v| crate::privacy::mask(v, opts.show_pii))
                        .unwrap_or_default()
                };
                let src = l
                    .spec
                    .column(a)
                    .and_then(|c| rec.and_then(|rec| l.raw.cell(rec, l.raw.col(c))));
                let ana_v: Option<String> = match (a, ana_spec.column(a)) {
                    (_, Some(c)) => ana_rec
                        .and_then(|x| ana_raw.cell(x, ana_raw.col(c)))
                        .map(str::to_string),
                    (Attr::Nominativo, None) if l.spec.column(a).is_some() => {
                        let part = |at: Attr| {
                            ana_spec
                                .column(at)
                                .and_then(|c| ana_rec.and_then(|x| ana_raw.cell(x, ana_raw.col(c))))
                        };
                        match (part(Attr::Cognome), part(Attr::Nome)) {
                            (Some(s), Some(n)) => Some(format!("{s} {n}")),
                            (s, n) => s.or(n).map(str::to_string),
                        }
                    }
                    _ => None,
                };
                let ana_v = if l.spec.column(a).is_some() {
                    ana_v
                } else {
                    None
                };
                row.push(mask(src));
                row.push(mask(ana_v.as_deref()));
            }
            row.push(String::new());
            queue.push(row);
        }
    }

    // Write: the datamart, then links.csv, then the queue; each atomically.
    let dm = project.master.join("datamart.sqlite");
    let mut tables = vec![individui, famiglie, collegamenti];
    tables.extend(source_tables);
    tables.push(metadata);
    datamart::write(&dm, &tables)?;
    let links_path = project.master.join("links.csv");
    let bytes = links_csv.into_inner().map_err(|e| miette!("{e}"))?;
    write_atomic(&links_path, &bytes)?;
    let queue_path = project.review.join("queue.csv");
    review::write_queue(&queue_path, &header, &queue)?;
    let decisions_file = opts.decisions.as_deref();
    crate::report::run_index::write_for_run(project, &results, today, decisions_file, Lang::It)?;

    Ok(RunResult {
        residents: residents.len(),
        families: families.len(),
        queued: queue.len(),
        sources: results,
        gate_failed,
        pseudonymised: pseudo.keyed(),
        written: vec![dm, links_path, queue_path],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizenship_groups() {
        assert_eq!(citizenship_group("100"), "italiana");
        assert_eq!(citizenship_group("235"), "UE");
        assert_eq!(citizenship_group("243"), "extra UE");
        assert_eq!(citizenship_group("XYZ"), "XYZ");
    }

    #[test]
    fn ages_and_bands() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(age(d(2000, 6, 15), d(2018, 6, 14)), 17);
        assert_eq!(age(d(2000, 6, 15), d(2018, 6, 15)), 18);
        assert_eq!(age_band(17), "14-17");
        assert_eq!(age_band(65), "65-74");
        assert_eq!(age_band(101), "85+");
    }
}
