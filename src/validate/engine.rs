//! Running a plan over a source: parallel per chunk, merged in row order.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::distinct::DistinctCounter;
use super::plan::{CellCheck, Plan, PlannedField};
use super::{FieldProfile, Finding, SourceOutcome};
use crate::checks;
use crate::privacy::mask;
use crate::read::{ReadError, ReadIssue, ReadIssueKind, Record, Source};
use crate::rules::RuleSet;
use crate::value::Value;

/// Options of a validation run.
#[derive(Clone, Debug)]
pub struct ValidateOptions {
    /// The name the source goes by in reports.
    pub source_name: String,
    /// Show values in messages and examples (`--show-pii`).
    pub show_pii: bool,
    /// Failures kept per check as examples.
    pub examples: usize,
    /// Records per chunk.
    pub chunk_rows: usize,
    /// Draw a progress bar (only on a terminal).
    pub progress: bool,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        ValidateOptions {
            source_name: String::new(),
            show_pii: false,
            examples: 5,
            chunk_rows: 16_384,
            progress: false,
        }
    }
}

/// Why a validation could not complete.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ValidateError {
    /// The source could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] ReadError),
    /// A finding could not be written.
    #[error("cannot write findings: {0}")]
    #[diagnostic(
        code(vaglio::write),
        help("check that the output folder is writable and the disk is not full")
    )]
    Write(io::Error),
}

/// A sub-chunk's counters and rows.
struct SubOut {
    evaluated: Vec<u64>,
    failed: Vec<u64>,
    missing: Vec<u64>,
    invalid: Vec<u64>,
    extra_missing: Vec<u64>,
    rows: Vec<RowOut>,
}

struct RowOut {
    findings: Vec<Finding>,
    unique_fps: Vec<Option<u128>>,
    row_fp: Option<u128>,
    distinct: Vec<Option<u64>>,
}

/// Validates the file at `path` with `rules`, passing every finding to
/// `sink` in row order.
pub fn validate(
    path: &Path,
    rules: &RuleSet,
    options: &ValidateOptions,
    sink: &mut dyn FnMut(&Finding) -> io::Result<()>,
) -> Result<SourceOutcome, ValidateError> {
    let mut source = Source::open(path, &rules.input.read)?;
    let mut plan = Plan::new(rules, &source.header);
    if source.info.format != crate::read::InputFormat::Csv {
        for c in [plan.encoding, plan.quote] {
            plan.checks[c].skipped = Some("not a delimited text file".into());
        }
    }
    let ids: Vec<Arc<str>> = plan
        .checks
        .iter()
        .map(|c| Arc::from(c.meta.id.as_str()))
        .collect();
    let n_checks = plan.checks.len();
    let n_profile = plan.fields.len() + plan.extra_columns.len();
    let mut emitter = Emitter {
        sink,
        examples: options.examples,
    };
    for f in std::mem::take(&mut plan.header_findings) {
        emitter.emit(&mut plan, f)?;
    }

    let progress = make_progress(options, source.info.bytes);
    let mut firsts: Vec<checks::unique::FirstSeen> =
        plan.uniques.iter().map(|_| Default::default()).collect();
    let mut dup_rows = checks::unique::FirstSeen::default();
    let mut distinct: Vec<DistinctCounter> =
        (0..n_profile).map(|_| DistinctCounter::default()).collect();
    let mut missing = vec![0u64; plan.fields.len()];
    let mut invalid = vec![0u64; plan.fields.len()];
    let mut extra_missing = vec![0u64; plan.extra_columns.len()];
    let mut rows = 0u64;
    let mut chunk: Vec<Record> = Vec::with_capacity(options.chunk_rows);
    let mut issues: Vec<ReadIssue> = Vec::new();
    loop {
        issues.clear();
        let more = source.next_chunk(options.chunk_rows, &mut chunk, &mut issues)?;
        rows += chunk.len() as u64;
        let plan_ref = &plan;
        let ids_ref = &ids;
        let subs: Vec<SubOut> = chunk
            .par_chunks(512)
            .map(|sub| check_rows(plan_ref, ids_ref, sub, options, n_checks, n_profile))
            .collect();

        // Structural issues, by row.
        let mut by_row: BTreeMap<u64, Vec<Finding>> = BTreeMap::new();
        let mut undecodable_rows = std::collections::HashSet::new();
        for issue in issues.drain(..) {
            let (check, counted) = match issue.kind {
                ReadIssueKind::Undecodable { .. } => {
                    (plan.encoding, undecodable_rows.insert(issue.row))
                }
                ReadIssueKind::RaggedRow { .. } => (plan.ragged, true),
                ReadIssueKind::UnterminatedQuote { .. } => (plan.quote, true),
                _ => (plan.encoding, true),
            };
            if counted {
                plan.checks[check].failed += 1;
            }
            let key = chunk
                .iter()
                .find(|r| r.row == issue.row)
                .map(|r| record_key(&plan.key_cols, r))
                .unwrap_or_default();
            by_row.entry(issue.row).or_default().push(Finding {
                row: issue.row,
                line: issue.line,
                key,
                column: issue.column.clone().unwrap_or_default(),
                check: Arc::clone(&ids[check]),
                code: plan.checks[check].kind.code,
                severity: plan.checks[check].meta.severity,
                message: issue.kind.to_string(),
                sample: None,
            });
        }

        let mut record_iter = chunk.iter();
        for sub in subs {
            for (c, (e, f)) in sub.evaluated.iter().zip(&sub.failed).enumerate() {
                plan.checks[c].evaluated += e;
                plan.checks[c].failed += f;
            }
            for (i, (m, v)) in sub.missing.iter().zip(&sub.invalid).enumerate() {
                missing[i] += m;
                invalid[i] += v;
            }
            for (j, m) in sub.extra_missing.iter().enumerate() {
                extra_missing[j] += m;
            }
            for mut out in sub.rows {
                let Some(record) = record_iter.next() else {
                    break;
                };
                // Structural findings of this row come first.
                let mut row_findings = by_row.remove(&record.row).unwrap_or_default();
                // Uniqueness, in row order.
                for (u, fp) in out.unique_fps.iter().enumerate() {
                    let planned = &plan.uniques[u];
                    let check = planned.check;
                    match fp {
                        Some(fp) => {
                            plan.checks[check].evaluated += 1;
                            if let Some(first) = firsts[u].insert(fp, record.row) {
                                plan.checks[check].failed += 1;
                                let names: Vec<&str> = planned
                                    .fields
                                    .iter()
                                    .map(|&f| plan.fields[f].name.as_str())
                                    .collect();
                                let message = if names.len() == 1 {
                                    format!("duplicate of row {first}")
                                } else {
                                    format!(
                                        "the combination {} repeats row {first}",
                                        names.join(" + ")
                                    )
                                };
                                out.findings.push(finding(
                                    &plan,
                                    &ids,
                                    check,
                                    record,
                                    names.join("+"),
                                    message,
                                    None,
                                ));
                            }
                        }
                        None if planned.require_all => {
                            plan.checks[check].evaluated += 1;
                            plan.checks[check].failed += 1;
                            let names: Vec<&str> = planned
                                .fields
                                .iter()
                                .map(|&f| plan.fields[f].name.as_str())
                                .collect();
                            out.findings.push(finding(
                                &plan,
                                &ids,
                                check,
                                record,
                                names.join("+"),
                                format!(
                                    "a column of the primary key ({}) is missing",
                                    names.join(" + ")
                                ),
                                None,
                            ));
                        }
                        None => {}
                    }
                }
                if let (Some(check), Some(fp)) = (plan.duplicate_rows, out.row_fp) {
                    plan.checks[check].evaluated += 1;
                    if let Some(first) = dup_rows.insert(&fp, record.row) {
                        plan.checks[check].failed += 1;
                        out.findings.push(finding(
                            &plan,
                            &ids,
                            check,
                            record,
                            String::new(),
                            format!("repeats row {first}"),
                            None,
                        ));
                    }
                }
                for (i, h) in out.distinct.iter().enumerate() {
                    if let Some(h) = h {
                        distinct[i].insert(*h);
                    }
                }
                out.findings.sort_by_key(|f| {
                    ids.iter()
                        .position(|id| Arc::ptr_eq(id, &f.check))
                        .unwrap_or(usize::MAX)
                });
                row_findings.append(&mut out.findings);
                for f in row_findings {
                    emitter.emit(&mut plan, f)?;
                }
            }
        }
        // Issues not tied to a row of this chunk (e.g. an unterminated quote
        // found at the end of the file).
        for (_, fs) in std::mem::take(&mut by_row) {
            for f in fs {
                emitter.emit(&mut plan, f)?;
            }
        }
        if let Some(pb) = &progress {
            pb.set_position(source.position());
        }
        if !more {
            break;
        }
    }
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }

    // Structural checks evaluate every row.
    plan.checks[plan.encoding].evaluated += rows;
    plan.checks[plan.ragged].evaluated += rows;
    plan.checks[plan.quote].evaluated += 1;

    // Checks that need the whole file.
    for &(fi, check, min_percent) in &plan.completeness.clone() {
        if plan.fields[fi].col.is_none() {
            continue;
        }
        plan.checks[check].evaluated = 1;
        let (_, msg) = checks::completeness::evaluate(rows, missing[fi], min_percent);
        if let Some(message) = msg {
            plan.checks[check].failed = 1;
            let f = Finding {
                row: 0,
                line: 0,
                key: String::new(),
                column: plan.fields[fi].name.clone(),
                check: Arc::clone(&ids[check]),
                code: plan.checks[check].kind.code,
                severity: plan.checks[check].meta.severity,
                message,
                sample: None,
            };
            emitter.emit(&mut plan, f)?;
        }
    }
    if let Some((check, min, max)) = plan.row_count {
        plan.checks[check].evaluated = 1;
        let message = match (min, max) {
            (Some(m), _) if rows < m => Some(format!(
                "the extract has {rows} rows, at least {m} expected"
            )),
            (_, Some(m)) if rows > m => {
                Some(format!("the extract has {rows} rows, at most {m} expected"))
            }
            _ => None,
        };
        if let Some(message) = message {
            plan.checks[check].failed = 1;
            let f = Finding {
                row: 0,
                line: 0,
                key: String::new(),
                column: String::new(),
                check: Arc::clone(&ids[check]),
                code: plan.checks[check].kind.code,
                severity: plan.checks[check].meta.severity,
                message,
                sample: None,
            };
            emitter.emit(&mut plan, f)?;
        }
    }

    let mut profiles = Vec::with_capacity(n_profile);
    for (i, f) in plan.fields.iter().enumerate() {
        let (d, exact) = distinct[i].count();
        profiles.push(FieldProfile {
            name: f.name.clone(),
            field_type: f.field_type.name().to_string(),
            present: f.col.is_some(),
            count: if f.col.is_some() { rows } else { 0 },
            missing: missing[i],
            invalid: invalid[i],
            distinct: d,
            distinct_exact: exact,
        });
    }
    for (j, (_, name)) in plan.extra_columns.iter().enumerate() {
        let i = plan.fields.len() + j;
        let (d, exact) = distinct[i].count();
        profiles.push(FieldProfile {
            name: name.clone(),
            field_type: "undeclared".into(),
            present: true,
            count: rows,
            missing: extra_missing[j],
            invalid: 0,
            distinct: d,
            distinct_exact: exact,
        });
    }
    Ok(SourceOutcome {
        name: options.source_name.clone(),
        path: path.display().to_string(),
        rules: rules.path.display().to_string(),
        info: source.info.clone(),
        rows,
        columns: source.header.columns.clone(),
        fields: profiles,
        checks: plan.checks,
    })
}

struct Emitter<'s> {
    sink: &'s mut dyn FnMut(&Finding) -> io::Result<()>,
    examples: usize,
}

impl Emitter<'_> {
    fn emit(&mut self, plan: &mut Plan, f: Finding) -> Result<(), ValidateError> {
        (self.sink)(&f).map_err(ValidateError::Write)?;
        if let Some(c) = plan.checks.iter_mut().find(|c| *c.meta.id == *f.check) {
            if c.examples.len() < self.examples {
                c.examples.push(f);
            }
        }
        Ok(())
    }
}

fn make_progress(options: &ValidateOptions, bytes: u64) -> Option<indicatif::ProgressBar> {
    if !options.progress || bytes < 8 * 1024 * 1024 {
        return None;
    }
    let pb = indicatif::ProgressBar::with_draw_target(
        Some(bytes),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
    {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(format!("checking {}", options.source_name));
    Some(pb)
}

/// The record's key: the key columns joined by `|`, or empty.
fn record_key(key_cols: &[usize], record: &Record) -> String {
    let mut key = String::new();
    for (i, &c) in key_cols.iter().enumerate() {
        if i > 0 {
            key.push('|');
        }
        key.push_str(record.fields.get(c).unwrap_or("").trim());
    }
    key
}

fn finding(
    plan: &Plan,
    ids: &[Arc<str>],
    check: usize,
    record: &Record,
    column: String,
    message: String,
    sample: Option<String>,
) -> Finding {
    Finding {
        row: record.row,
        line: record.line,
        key: record_key(&plan.key_cols, record),
        column,
        check: Arc::clone(&ids[check]),
        code: plan.checks[check].kind.code,
        severity: plan.checks[check].meta.severity,
        message,
        sample,
    }
}

fn is_missing(text: &str, tokens: &[String]) -> bool {
    text.is_empty() || tokens.iter().any(|t| t.eq_ignore_ascii_case(text))
}

fn hash64(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5EED).hash_one(text)
}

/// Checks a run of records: every per-cell and per-row check, in parallel
/// with other runs; uniqueness is left to the ordered merge.
fn check_rows(
    plan: &Plan,
    ids: &[Arc<str>],
    records: &[Record],
    options: &ValidateOptions,
    n_checks: usize,
    n_profile: usize,
) -> SubOut {
    let mut out = SubOut {
        evaluated: vec![0; n_checks],
        failed: vec![0; n_checks],
        missing: vec![0; plan.fields.len()],
        invalid: vec![0; plan.fields.len()],
        extra_missing: vec![0; plan.extra_columns.len()],
        rows: Vec::with_capacity(records.len()),
    };
    let mut values: Vec<Value<'_>> = Vec::with_capacity(plan.fields.len());
    for record in records {
        values.clear();
        let mut row = RowOut {
            findings: Vec::new(),
            unique_fps: Vec::with_capacity(plan.uniques.len()),
            row_fp: None,
            distinct: Vec::with_capacity(n_profile),
        };
        for (fi, field) in plan.fields.iter().enumerate() {
            let Some(col) = field.col else {
                values.push(Value::Null);
                row.distinct.push(None);
                continue;
            };
            let raw = record.fields.get(col).unwrap_or("");
            let text = raw.trim();
            if is_missing(text, &field.missing_values) {
                out.missing[fi] += 1;
                values.push(Value::Null);
                row.distinct.push(None);
                if let Some(c) = field.required {
                    out.evaluated[c] += 1;
                    out.failed[c] += 1;
                    row.findings.push(finding(
                        plan,
                        ids,
                        c,
                        record,
                        field.name.clone(),
                        "value missing".into(),
                        None,
                    ));
                }
                continue;
            }
            row.distinct.push(Some(hash64(text)));
            if let Some(c) = field.required {
                out.evaluated[c] += 1;
            }
            let value = match field.field_type.parse(text) {
                Ok(v) => {
                    if let Some(c) = field.valid {
                        out.evaluated[c] += 1;
                    }
                    v
                }
                Err(e) => {
                    out.invalid[fi] += 1;
                    if let Some(c) = field.valid {
                        out.evaluated[c] += 1;
                        out.failed[c] += 1;
                        let show = options.show_pii || !field.pii;
                        let message = match (show, e.detail) {
                            (true, Some(detail)) => with_value(detail, text, true),
                            _ => with_value(e.message, text, show),
                        };
                        let sample = Some(mask(text, options.show_pii || !field.pii));
                        row.findings.push(finding(
                            plan,
                            ids,
                            c,
                            record,
                            field.name.clone(),
                            message,
                            sample,
                        ));
                    }
                    values.push(Value::Null);
                    continue;
                }
            };
            for (c, check) in &field.cell_checks {
                out.evaluated[*c] += 1;
                if let Some(message) = cell_failure(check, text, &value) {
                    out.failed[*c] += 1;
                    let show = options.show_pii || !field.pii;
                    let message = with_value(message, text, show);
                    row.findings.push(finding(
                        plan,
                        ids,
                        *c,
                        record,
                        field.name.clone(),
                        message,
                        Some(mask(text, show)),
                    ));
                }
            }
            values.push(value);
        }
        for (j, (col, _)) in plan.extra_columns.iter().enumerate() {
            let text = record.fields.get(*col).unwrap_or("").trim();
            if is_missing(text, &plan.missing_values) {
                out.extra_missing[j] += 1;
                row.distinct.push(None);
            } else {
                row.distinct.push(Some(hash64(text)));
            }
        }
        for u in &plan.uniques {
            let fp = if u
                .fields
                .iter()
                .any(|&f| values[f].is_null() && !is_present_text(record, &plan.fields[f]))
            {
                None
            } else {
                let parts: Vec<&str> = u
                    .fields
                    .iter()
                    .map(|&f| {
                        plan.fields[f]
                            .col
                            .and_then(|c| record.fields.get(c))
                            .unwrap_or("")
                            .trim()
                    })
                    .collect();
                Some(checks::unique::fingerprint(&parts))
            };
            row.unique_fps.push(fp);
        }
        if plan.duplicate_rows.is_some() {
            let parts: Vec<&str> = record.fields.iter().map(str::trim).collect();
            row.row_fp = Some(checks::unique::fingerprint(&parts));
        }
        for fk in &plan.foreign_keys {
            let parts: Vec<String> = fk
                .fields
                .iter()
                .map(|&f| {
                    plan.fields[f]
                        .col
                        .and_then(|c| record.fields.get(c))
                        .unwrap_or("")
                        .trim()
                        .to_string()
                })
                .collect();
            if fk
                .fields
                .iter()
                .zip(&parts)
                .any(|(&f, p)| is_missing(p, &plan.fields[f].missing_values))
            {
                continue;
            }
            out.evaluated[fk.check] += 1;
            if !fk.keys.contains(&parts) {
                out.failed[fk.check] += 1;
                let column = fk
                    .fields
                    .iter()
                    .map(|&f| plan.fields[f].name.as_str())
                    .collect::<Vec<_>>()
                    .join("+");
                let show = options.show_pii || fk.fields.iter().all(|&f| !plan.fields[f].pii);
                let message = with_value(
                    format!(
                        "not found in {} ({})",
                        fk.file,
                        fk.reference_columns.join(" + ")
                    ),
                    &parts.join(" + "),
                    show,
                );
                row.findings.push(finding(
                    plan,
                    ids,
                    fk.check,
                    record,
                    column,
                    message,
                    Some(mask(&parts.join("|"), show)),
                ));
            }
        }
        out.rows.push(row);
    }
    out
}

/// Whether the field's cell holds text (present, though possibly invalid
/// for its type). Uniqueness compares the text of invalid values too.
fn is_present_text(record: &Record, field: &PlannedField) -> bool {
    field
        .col
        .and_then(|c| record.fields.get(c))
        .is_some_and(|t| !is_missing(t.trim(), &field.missing_values))
}

fn with_value(message: String, text: &str, show: bool) -> String {
    if show {
        format!("{message} (value: {text:?})")
    } else {
        message
    }
}

fn cell_failure(check: &CellCheck, text: &str, value: &Value<'_>) -> Option<String> {
    match check {
        CellCheck::Enum {
            values,
            preview,
            ignore_case,
        } => {
            if checks::allowed_values::allowed(text, values, *ignore_case) {
                None
            } else {
                Some(format!("not one of the allowed values ({preview})"))
            }
        }
        CellCheck::Pattern { regex, source } => checks::pattern::check(text, regex, source),
        CellCheck::Range { min, max } => checks::range::check(value, min.as_ref(), max.as_ref()),
        CellCheck::Length { min, max } => checks::length::check(text, *min, *max),
    }
}
