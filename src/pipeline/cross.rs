//! The cross-source stage (validation level 3): every source's cross-source
//! checks ([`crate::rules::cross`]) resolved against the project before any
//! work, then evaluated once every source is linked, each record against
//! its linked resident, the resident's family and the family's records in
//! the other sources. Their results replace the "not evaluated" entries the
//! engine left in the source's outcome, and their findings follow the
//! source's others in its `findings.csv` ([`crate::validate::external`]).
//!
//! Which record of another source is "the family's": among that source's
//! records linked (status `match`) to a member of the same family — the
//! resident alone when the anagrafe gives no family —, the one with the
//! latest value of the check's `latest` column for that source (a record
//! without that value counts as earliest), then the last in row order.
//! Sequential and in row order: the same findings whatever `--jobs`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::anagrafe::Anagrafe;
use super::residents::Resident;
use super::sources::Linked;
use crate::checks::cross_source;
use crate::expr::{compile_bool, Env, Expr, ExprError};
use crate::link::spec::LinkSpec;
use crate::link::{LinkRow, Status};
use crate::messages::Message;
use crate::project::Project;
use crate::read::Table;
use crate::rules::cross::{CrossCheckSpec, Scope, FAMILY_AGGREGATES};
use crate::rules::{did_you_mean, Diagnostics, RuleSet};
use crate::validate::external::{self, RecordCheck, Verdict};
use crate::validate::{SourceOutcome, ValidateOptions};
use crate::value::{RowValues, Value, ValueType};

/// Where a qualified name's value comes from.
#[derive(Clone, Debug, PartialEq)]
enum Slot {
    /// The linked resident's anagrafe field (an index into
    /// [`Resolved::anagrafe_fields`]).
    Anagrafe(usize),
    /// A family aggregate (an index into [`FAMILY_AGGREGATES`]).
    Famiglia(usize),
    /// A field of the family's record in another source.
    Source {
        /// The source's index in the project.
        source: usize,
        /// The field's index in its rule file.
        field: usize,
        /// The field that chooses the latest record, if the check says.
        latest: Option<usize>,
    },
}

/// One cross-source check, compiled against the project.
struct Compiled {
    /// Its index in the rule file's cross-source checks.
    spec: usize,
    assert: Expr,
    when: Option<Expr>,
    /// The record's own fields it reads (indexes in its rule file).
    own: Vec<usize>,
    /// The qualified names' values, columns `fields.len() + k` of a row.
    slots: Vec<Slot>,
    /// Whether every value it reads is free of personal data.
    no_pii: bool,
}

/// Every source's cross-source checks, resolved.
pub(crate) struct Resolved {
    /// Per source, in project order.
    sources: Vec<Vec<Compiled>>,
    /// The anagrafe fields any check reads (indexes in its rule file).
    anagrafe_fields: Vec<usize>,
}

impl Resolved {
    /// Whether any source has a cross-source check.
    pub fn any(&self) -> bool {
        self.sources.iter().any(|s| !s.is_empty())
    }
}

/// Resolves every source's cross-source checks against the project: the
/// sources and columns they name, the types of their expressions. A
/// mistake stops the run with its place in the rule file.
pub(crate) fn resolve(
    project: &Project,
    rules: &[(RuleSet, LinkSpec)],
    anagrafe: &RuleSet,
    today: NaiveDate,
) -> miette::Result<Resolved> {
    let mut resolved = Resolved {
        sources: Vec::new(),
        anagrafe_fields: Vec::new(),
    };
    // The anagrafe's records are the residents, not linked to them.
    if let Some(c) = anagrafe.cross_checks.first() {
        let mut diags = Diagnostics::new(
            &anagrafe.path.display().to_string(),
            Arc::clone(&anagrafe.source_text),
        );
        let span = c.references.first().map_or(0..0, |r| r.span.clone());
        diags.error(
            span,
            format!("the anagrafe's check `{}` reads another table", c.meta.id),
            "not in the anagrafe's rules",
            Some(
                "cross-source checks belong in a source's rule file: a source's record is linked to a resident; the anagrafe's records are the residents"
                    .into(),
            ),
        );
        diags.finish()?;
    }
    let names: Vec<&str> = project.sources.iter().map(|s| s.name.as_str()).collect();
    for (i, (r, _)) in rules.iter().enumerate() {
        let mut diags = Diagnostics::new(&r.path.display().to_string(), Arc::clone(&r.source_text));
        let mut compiled = Vec::new();
        for (k, spec) in r.cross_checks.iter().enumerate() {
            let cx = Resolver {
                rules,
                names: &names,
                me: i,
                anagrafe,
                today,
            };
            if let Some(c) = cx.compile(k, spec, &mut resolved.anagrafe_fields, &mut diags) {
                compiled.push(c);
            }
        }
        diags.finish()?;
        resolved.sources.push(compiled);
    }
    Ok(resolved)
}

/// What resolving one source's checks needs.
struct Resolver<'a> {
    rules: &'a [(RuleSet, LinkSpec)],
    names: &'a [&'a str],
    /// The source whose checks these are.
    me: usize,
    anagrafe: &'a RuleSet,
    today: NaiveDate,
}

impl Resolver<'_> {
    fn compile(
        &self,
        k: usize,
        spec: &CrossCheckSpec,
        anagrafe_fields: &mut Vec<usize>,
        diags: &mut Diagnostics,
    ) -> Option<Compiled> {
        let own_rules = &self.rules[self.me].0;
        let mut columns: Vec<(String, usize, ValueType)> = own_rules
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i, f.field_type.value_type()))
            .collect();
        let mut slots = Vec::new();
        let mut no_pii = spec.columns.iter().all(|c| {
            own_rules
                .fields
                .iter()
                .find(|f| &f.name == c)
                .is_none_or(|f| !f.pii)
        });
        let mut ok = true;
        for r in &spec.references {
            let (slot, ty, pii) = match &r.scope {
                Scope::Famiglia => {
                    let a = FAMILY_AGGREGATES.iter().position(|(n, _)| *n == r.column)?;
                    (Slot::Famiglia(a), ValueType::Int, false)
                }
                Scope::Anagrafe => {
                    let Some(f) = field(self.anagrafe, &r.column) else {
                        unknown_column(
                            diags,
                            r.span.clone(),
                            "the anagrafe",
                            self.anagrafe,
                            &r.column,
                        );
                        ok = false;
                        continue;
                    };
                    let at = match anagrafe_fields.iter().position(|&x| x == f) {
                        Some(p) => p,
                        None => {
                            anagrafe_fields.push(f);
                            anagrafe_fields.len() - 1
                        }
                    };
                    let fs = &self.anagrafe.fields[f];
                    (Slot::Anagrafe(at), fs.field_type.value_type(), fs.pii)
                }
                Scope::Source(name) => {
                    let Some(s) = self.names.iter().position(|n| n == name) else {
                        let help = match did_you_mean(name, self.names.iter().copied()) {
                            Some(m) => format!(
                                "did you mean {m}.{}? The project's sources are: {}",
                                r.column,
                                self.names.join(", ")
                            ),
                            None => format!(
                                "name a source of the project ({}), anagrafe.COLUMN or famiglia.{}",
                                self.names.join(", "),
                                FAMILY_AGGREGATES[0].0
                            ),
                        };
                        diags.error(
                            r.span.clone(),
                            format!("no source `{name}` in the project"),
                            "unknown source",
                            Some(help),
                        );
                        ok = false;
                        continue;
                    };
                    if s == self.me {
                        diags.error(
                            r.span.clone(),
                            format!("`{}` names this check's own source", r.name),
                            "own source",
                            Some(format!("write the column without a prefix: {}", r.column)),
                        );
                        ok = false;
                        continue;
                    }
                    let other = &self.rules[s].0;
                    let Some(f) = field(other, &r.column) else {
                        unknown_column(
                            diags,
                            r.span.clone(),
                            &format!("source `{name}`"),
                            other,
                            &r.column,
                        );
                        ok = false;
                        continue;
                    };
                    let latest = match spec.latest.iter().find(|l| &l.source == name) {
                        Some(l) => match field(other, &l.column) {
                            Some(lf) => Some(lf),
                            None => {
                                unknown_column(
                                    diags,
                                    l.span.clone(),
                                    &format!("source `{name}`"),
                                    other,
                                    &l.column,
                                );
                                ok = false;
                                continue;
                            }
                        },
                        None => None,
                    };
                    let fs = &other.fields[f];
                    (
                        Slot::Source {
                            source: s,
                            field: f,
                            latest,
                        },
                        fs.field_type.value_type(),
                        fs.pii,
                    )
                }
            };
            no_pii &= !pii;
            columns.push((r.name.clone(), own_rules.fields.len() + slots.len(), ty));
            slots.push(slot);
        }
        if !ok {
            return None;
        }
        let functions = crate::identity::functions::registry(self.today);
        let env = Env {
            columns: &columns,
            today: self.today,
            functions: &functions,
        };
        let mut expr = |text: &str, offset: usize| match compile_bool(text, &env) {
            Ok(e) => Some(e),
            Err(e) => {
                expression_error(diags, e, offset);
                None
            }
        };
        let assert = expr(&spec.assert, spec.assert_offset);
        let when = match (&spec.when, spec.when_offset) {
            (Some(w), Some(o)) => Some(expr(w, o)?),
            _ => None,
        };
        let own = spec
            .columns
            .iter()
            .filter_map(|c| field(own_rules, c))
            .collect();
        Some(Compiled {
            spec: k,
            assert: assert?,
            when,
            own,
            slots,
            no_pii,
        })
    }
}

fn field(rules: &RuleSet, name: &str) -> Option<usize> {
    rules.fields.iter().position(|f| f.name == name)
}

fn unknown_column(
    diags: &mut Diagnostics,
    span: std::ops::Range<usize>,
    what: &str,
    rules: &RuleSet,
    column: &str,
) {
    let names = rules.fields.iter().map(|f| f.name.as_str());
    let help = match did_you_mean(column, names) {
        Some(m) => format!(
            "did you mean {m}? (the fields {} declares)",
            rules.path.display()
        ),
        None => format!(
            "the fields {} declares are: {}",
            rules.path.display(),
            rules
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    diags.error(
        span,
        format!("{what} has no field `{column}`"),
        "unknown column",
        Some(help),
    );
}

fn expression_error(diags: &mut Diagnostics, e: ExprError, offset: usize) {
    let e = e.offset(offset);
    let span = if e.span.is_empty() {
        e.span.start..e.span.start + 1
    } else {
        e.span.clone()
    };
    diags.error(span, e.message, "this part", e.help);
}

/// The anagrafe fields the checks read, typed, per resident (row-major);
/// taken from its table before the run lets go of it.
pub(crate) struct AnagrafeValues {
    width: usize,
    values: Vec<Value<'static>>,
}

impl AnagrafeValues {
    /// Reads `resolved`'s anagrafe fields from `table` (one record per
    /// resident, in order).
    pub fn read(resolved: &Resolved, table: &Table, rules: &RuleSet) -> AnagrafeValues {
        let missing = rules.input.missing_or_default();
        let fields: Vec<(Option<usize>, &crate::types::FieldType)> = resolved
            .anagrafe_fields
            .iter()
            .map(|&f| {
                let spec = &rules.fields[f];
                (table.column(&spec.name), &spec.field_type)
            })
            .collect();
        let mut values = Vec::with_capacity(table.records.len() * fields.len());
        for r in &table.records {
            for (col, ty) in &fields {
                let v = super::source::cell(&missing, r, *col)
                    .and_then(|t| ty.parse(t).ok())
                    .map_or(Value::Null, Value::into_owned);
                values.push(v);
            }
        }
        AnagrafeValues {
            width: fields.len(),
            values,
        }
    }

    fn get(&self, resident: usize, at: usize) -> Value<'_> {
        self.values
            .get(resident * self.width + at)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// Residents grouped in families: per resident its unit (its family, or
/// itself without one), per family its aggregates.
struct Families {
    unit: Vec<u32>,
    /// Per family (units below its length): componenti, minori, anziani.
    counts: Vec<[i64; 3]>,
}

impl Families {
    fn new(residents: &[Resident], today: NaiveDate) -> Families {
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut counts: Vec<[i64; 3]> = Vec::new();
        let mut unit = Vec::with_capacity(residents.len());
        for r in residents {
            let Some(f) = r.family.as_deref() else {
                unit.push(u32::MAX);
                continue;
            };
            let next = index.len() as u32;
            let u = *index.entry(f).or_insert(next);
            if u as usize == counts.len() {
                counts.push([0; 3]);
            }
            let c = &mut counts[u as usize];
            c[0] += 1;
            if let Some(b) = r.birth {
                let age = years(b, today);
                c[1] += i64::from(age < 18);
                c[2] += i64::from(age >= 65);
            }
            unit.push(u);
        }
        // Residents without a family are units of their own.
        let families = counts.len() as u32;
        for (i, u) in unit.iter_mut().enumerate() {
            if *u == u32::MAX {
                *u = families + i as u32;
            }
        }
        Families { unit, counts }
    }

    fn aggregate(&self, resident: usize, a: usize) -> Value<'static> {
        self.unit
            .get(resident)
            .and_then(|&u| self.counts.get(u as usize))
            .and_then(|c| c.get(a))
            .map_or(Value::Null, |&n| Value::Int(n))
    }
}

fn years(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut y = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        y -= 1;
    }
    y
}

/// The resident a record is linked to (status `match`), by data row.
fn linked_residents(rows: &[LinkRow]) -> HashMap<u64, usize> {
    rows.iter()
        .filter(|r| r.status == Status::Match)
        .filter_map(|r| Some((r.row, r.resident? as usize)))
        .collect()
}

/// Orders two values of one field (`Null` first).
fn order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Decimal(x), Value::Decimal(y)) => x.total_cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// The typed value of field `f` of `rules` in record `k` of `linked`.
fn value_of<'a>(linked: &'a Linked, f: usize, k: usize) -> Value<'a> {
    let Some(spec) = linked.rules.fields.get(f) else {
        return Value::Null;
    };
    let Some(record) = linked.raw.records().get(k) else {
        return Value::Null;
    };
    linked
        .raw
        .cell(record, linked.raw.col(&spec.name))
        .and_then(|t| spec.field_type.parse(t).ok())
        .unwrap_or(Value::Null)
}

/// Per family unit, the index of its chosen record in `linked` (see the
/// module docs).
fn family_records(
    linked: &Linked,
    latest: Option<usize>,
    families: &Families,
) -> HashMap<u32, usize> {
    let residents = linked_residents(&linked.rows);
    let mut best: HashMap<u32, (Value, usize)> = HashMap::new();
    for (k, record) in linked.raw.records().iter().enumerate() {
        let Some(&resident) = residents.get(&record.row) else {
            continue;
        };
        let Some(&unit) = families.unit.get(resident) else {
            continue;
        };
        let v = latest.map_or(Value::Null, |f| value_of(linked, f, k));
        match best.get(&unit) {
            Some((old, _)) if order(&v, old) == Ordering::Less => {}
            _ => {
                best.insert(unit, (v, k));
            }
        }
    }
    best.into_iter().map(|(u, (_, k))| (u, k)).collect()
}

/// What evaluating the checks needs from the run.
pub(crate) struct Evaluation<'a> {
    /// The resolved checks.
    pub resolved: &'a Resolved,
    /// The anagrafe.
    pub anagrafe: &'a Anagrafe,
    /// Its fields the checks read.
    pub values: &'a AnagrafeValues,
    /// Every source, in project order.
    pub linked: &'a [Linked],
    /// The run's date (the family aggregates' ages).
    pub today: NaiveDate,
}

impl Evaluation<'_> {
    /// Evaluates source `i`'s cross-source checks, replacing their entries
    /// in `outcome` and writing their findings to `sink` in row order.
    pub fn source(
        &self,
        i: usize,
        options: &ValidateOptions,
        outcome: &mut SourceOutcome,
        sink: &mut (dyn FnMut(&crate::validate::Finding) -> std::io::Result<()> + Send),
    ) -> std::io::Result<()> {
        let (Some(checks), Some(me)) = (self.resolved.sources.get(i), self.linked.get(i)) else {
            return Ok(());
        };
        if checks.is_empty() {
            return Ok(());
        }
        let families = Families::new(&self.anagrafe.residents, self.today);
        let residents = linked_residents(&me.rows);
        // Each other source's family records, once per (source, latest).
        let mut chosen: HashMap<(usize, Option<usize>), HashMap<u32, usize>> = HashMap::new();
        for c in checks {
            for s in &c.slots {
                if let Slot::Source { source, latest, .. } = s {
                    if let Some(other) = self.linked.get(*source) {
                        chosen
                            .entry((*source, *latest))
                            .or_insert_with(|| family_records(other, *latest, &families));
                    }
                }
            }
        }
        let n = me.rules.fields.len();
        for c in checks {
            let Some(spec) = me.rules.cross_checks.get(c.spec) else {
                continue;
            };
            let missing: Vec<&str> = spec
                .columns
                .iter()
                .filter(|col| me.raw.col(col).is_none())
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                continue; // the engine's entry says which column is missing
            }
            let show = options.show_pii || c.no_pii;
            let verdicts = me.raw.records().iter().enumerate().map(|(k, record)| {
                let Some(&resident) = residents.get(&record.row) else {
                    return Verdict::Skipped;
                };
                let mut row: Vec<Value> = vec![Value::Null; n + c.slots.len()];
                for &f in &c.own {
                    row[f] = value_of(me, f, k);
                }
                for (j, slot) in c.slots.iter().enumerate() {
                    row[n + j] = match slot {
                        Slot::Anagrafe(at) => self.values.get(resident, *at),
                        Slot::Famiglia(a) => families.aggregate(resident, *a),
                        Slot::Source {
                            source,
                            field,
                            latest,
                        } => {
                            let unit = families.unit.get(resident);
                            let at = chosen
                                .get(&(*source, *latest))
                                .zip(unit)
                                .and_then(|(m, u)| m.get(u));
                            match (at, self.linked.get(*source)) {
                                (Some(&r), Some(other)) => value_of(other, *field, r),
                                _ => Value::Null,
                            }
                        }
                    };
                }
                let row: &dyn RowValues = &row;
                if let Some(w) = &c.when {
                    if w.eval_bool(row) != Some(true) {
                        return Verdict::Skipped;
                    }
                }
                match c.assert.eval_bool(row) {
                    Some(true) => Verdict::Passed,
                    Some(false) => {
                        let written = spec
                            .columns
                            .iter()
                            .filter_map(|col| me.raw.cell(record, me.raw.col(col)))
                            .collect::<Vec<_>>()
                            .join(" ");
                        Verdict::Failed(Message::Expression(c.assert.explain(row, show)), written)
                    }
                    None => Verdict::Skipped,
                }
            });
            let check = RecordCheck {
                kind: &cross_source::KIND,
                meta: &spec.meta,
                column: cross_source::column(spec),
            };
            external::merge(
                me.raw.table(),
                &me.rules,
                options,
                outcome,
                check,
                verdicts,
                sink,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::residents::{Role, NO_AREA};

    fn resident(family: Option<&str>, birth: &str) -> Resident {
        Resident {
            id: "x".into(),
            family: family.map(Box::from),
            sex: None,
            birth: NaiveDate::parse_from_str(birth, "%Y-%m-%d").ok(),
            citizenship: None,
            area: None,
            geo: NO_AREA,
            role: Role::Unknown,
        }
    }

    #[test]
    fn families_count_members_minors_and_elderly_and_loners_are_their_own_unit() {
        let today = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let rs = vec![
            resident(Some("F1"), "1950-01-01"),
            resident(Some("F2"), "1990-06-01"),
            resident(Some("F1"), "2010-12-31"),
            resident(None, "2000-01-01"),
            resident(Some("F1"), "2007-12-31"), // 18 today: an adult
        ];
        let f = Families::new(&rs, today);
        assert_eq!(f.unit, vec![0, 1, 0, 5, 0]);
        assert_eq!(f.counts, vec![[3, 1, 1], [1, 0, 0]]);
        assert_eq!(f.aggregate(2, 0), Value::Int(3));
        assert_eq!(f.aggregate(1, 1), Value::Int(0));
        // No family: no aggregate (the check is not evaluated).
        assert_eq!(f.aggregate(3, 0), Value::Null);
        assert_eq!(
            years(NaiveDate::from_ymd_opt(2010, 12, 31).unwrap(), today),
            15
        );
        assert_eq!(
            years(NaiveDate::from_ymd_opt(2011, 1, 1).unwrap(), today),
            14
        );
    }

    #[test]
    fn the_latest_value_wins_and_missing_values_come_first() {
        let d = |s: &str| Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        assert_eq!(order(&d("2025-01-02"), &d("2025-01-01")), Ordering::Greater);
        assert_eq!(order(&Value::Null, &d("2025-01-01")), Ordering::Less);
        assert_eq!(order(&Value::Int(2), &Value::Int(2)), Ordering::Equal);
    }
}
