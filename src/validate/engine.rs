//! Running a plan over a source: a reader thread feeds chunks of records;
//! each chunk is checked in parallel runs (rayon), then merged in row order,
//! so that findings come out in the same order whatever the number of
//! threads.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;

use rayon::prelude::*;

use super::distinct::DistinctCounter;
use super::plan::{Plan, PlannedField};
use super::{FieldProfile, Finding, SourceOutcome};
use crate::checks;
use crate::checks::registry::Cell;
use crate::messages::Message;
use crate::privacy::mask;
use crate::read::{
    Header, ReadError, ReadIssue, ReadIssueKind, Record, Source, SourceInfo, Table, TableChunk,
};
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
    /// The key of the short pseudonyms that name records whose key is
    /// personal ([`crate::privacy::KeyShown`]); without one such records are
    /// named by row number alone.
    pub key_pseudonyms: Option<crate::master::pseudonym::Pseudonymizer>,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        ValidateOptions {
            source_name: String::new(),
            show_pii: false,
            examples: 5,
            chunk_rows: 16_384,
            progress: false,
            key_pseudonyms: None,
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

/// Records per parallel run within a chunk.
const RUN: usize = 1024;

/// What checking a run of records produced: counters, and per-row data in
/// flat arrays (row-major) for the ordered merge.
struct RunOut {
    rows: usize,
    evaluated: Vec<u64>,
    failed: Vec<u64>,
    missing: Vec<u64>,
    invalid: Vec<u64>,
    extra_missing: Vec<u64>,
    /// (row index within the run, check index, finding), in row order.
    findings: Vec<(usize, usize, Finding)>,
    /// `rows × uniques` fingerprints (`None`: a key column is missing).
    unique_fps: Vec<Option<u128>>,
    /// Whole-row fingerprints, when duplicate rows are checked.
    row_fps: Vec<u128>,
    /// `rows × profiled columns` value hashes (0: missing).
    distinct: Vec<u64>,
}

/// A chunk of records to check: read by the reader thread (its buffers go
/// back to it once merged), or a slice of a table held in memory.
enum Chunk<'t> {
    Read {
        records: Vec<Record>,
        issues: Vec<ReadIssue>,
        position: u64,
    },
    Table(TableChunk<'t>),
}

impl Chunk<'_> {
    fn records(&self) -> &[Record] {
        match self {
            Chunk::Read { records, .. } => records,
            Chunk::Table(t) => t.records,
        }
    }

    fn issues(&self) -> &[ReadIssue] {
        match self {
            Chunk::Read { issues, .. } => issues,
            Chunk::Table(t) => t.issues,
        }
    }
}

/// Validates the file at `path` with `rules`, passing every finding to
/// `sink` in row order. The file is streamed: memory does not grow with it.
pub fn validate(
    path: &Path,
    rules: &RuleSet,
    options: &ValidateOptions,
    sink: &mut (dyn FnMut(&Finding) -> io::Result<()> + Send),
) -> Result<SourceOutcome, ValidateError> {
    let source = Source::open(path, &rules.input.read)?;
    let header = source.header.clone();
    let info = source.info.clone();
    let chunk_rows = options.chunk_rows.max(1);
    std::thread::scope(|scope| {
        // The reader runs ahead by up to two chunks; emptied chunks come back
        // to it so that record buffers are reused.
        let (tx, rx) = mpsc::sync_channel::<Result<Chunk<'static>, ReadError>>(2);
        let (recycle_tx, recycle_rx) = mpsc::channel::<Vec<Record>>();
        let mut source = source;
        scope.spawn(move || loop {
            let mut records = recycle_rx.try_recv().unwrap_or_default();
            let mut issues = Vec::new();
            match source.next_chunk(chunk_rows, &mut records, &mut issues) {
                Ok(more) => {
                    let position = source.position();
                    let chunk = Chunk::Read {
                        records,
                        issues,
                        position,
                    };
                    if tx.send(Ok(chunk)).is_err() || !more {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            }
        });
        let recycle = |chunk: Chunk| {
            if let Chunk::Read { records, .. } = chunk {
                // The reader may have stopped; then the buffer is simply dropped.
                let _ = recycle_tx.send(records);
            }
        };
        let progress = make_progress(options, info.bytes);
        check_chunks(
            path,
            rules,
            &header,
            info.clone(),
            options,
            sink,
            rx.into_iter(),
            &recycle,
            progress,
            None,
        )
    })
}

/// Validates a table already read ([`Table::read`]): the same findings, in
/// the same order, as [`validate`] of its file.
pub fn validate_table(
    table: &Table,
    rules: &RuleSet,
    options: &ValidateOptions,
    sink: &mut (dyn FnMut(&Finding) -> io::Result<()> + Send),
) -> Result<SourceOutcome, ValidateError> {
    check_chunks(
        &table.path,
        rules,
        &table.header,
        table.info.clone(),
        options,
        sink,
        table.chunks().map(|c| Ok(Chunk::Table(c))),
        &|_| {},
        None,
        Some(table.records.len() as u64),
    )
}

/// Checks chunks of records in order: chunk N is checked in parallel while
/// chunk N-1 is merged. `rows` is how many records there are, where known;
/// otherwise the first chunk tells about how many (from its bytes), so that
/// the uniqueness tables are sized once.
#[allow(clippy::too_many_arguments)]
fn check_chunks<'t>(
    path: &Path,
    rules: &RuleSet,
    header: &Header,
    info: SourceInfo,
    options: &ValidateOptions,
    sink: &mut (dyn FnMut(&Finding) -> io::Result<()> + Send),
    chunks: impl Iterator<Item = Result<Chunk<'t>, ReadError>>,
    recycle: &(dyn Fn(Chunk<'t>) + Sync),
    progress: Option<indicatif::ProgressBar>,
    rows: Option<u64>,
) -> Result<SourceOutcome, ValidateError> {
    let bytes = info.bytes;
    let mut plan = Plan::new(rules, header);
    if rules.key_is_personal() && !options.show_pii {
        plan.key_shown = crate::privacy::KeyShown::pseudonymous(
            &options.source_name,
            options.key_pseudonyms.clone(),
        );
    }
    if info.format != crate::read::InputFormat::Csv {
        for c in [plan.encoding, plan.quote] {
            plan.checks[c].skipped = Some(Message::NotDelimited);
        }
    }
    if info.format == crate::read::InputFormat::Excel {
        // Typed date cells come as ISO dates, whatever the declared format.
        for f in &mut plan.fields {
            f.field_type = f.field_type.for_typed_cells();
        }
    }
    let columns = header.columns.clone();
    let ids: Vec<Arc<str>> = plan
        .checks
        .iter()
        .map(|c| Arc::from(c.meta.id.as_str()))
        .collect();
    let n_profile = plan.fields.len() + plan.extra_columns.len();
    let mut emitter = Emitter {
        sink,
        examples: options.examples,
    };
    // The plan stays read-only while chunks are checked; counts and examples
    // accumulate here.
    let mut results = plan.checks.clone();
    for f in std::mem::take(&mut plan.header_findings) {
        emitter.emit(&mut results, f)?;
    }
    let plan = plan;

    let mut state = MergeState {
        firsts: plan.uniques.iter().map(|_| Default::default()).collect(),
        dup_rows: Default::default(),
        distinct: (0..n_profile).map(|_| DistinctCounter::default()).collect(),
        missing: vec![0; plan.fields.len()],
        invalid: vec![0; plan.fields.len()],
        extra_missing: vec![0; plan.extra_columns.len()],
        rows: 0,
    };
    {
        let mut pending: Option<(Chunk, Vec<RunOut>)> = None;
        let mut merge = |pending: (Chunk<'t>, Vec<RunOut>)| -> Result<(), ValidateError> {
            let (chunk, runs) = pending;
            if state.rows == 0 {
                // A stream's rows, from the first chunk's bytes per row.
                let n = rows.unwrap_or_else(|| match &chunk {
                    Chunk::Read { position, .. } if *position > 0 => {
                        (bytes as f64 * chunk.records().len() as f64 / *position as f64) as u64
                    }
                    _ => 0,
                });
                state.reserve(n as usize, !plan.rows.is_empty());
            }
            merge_chunk(
                &plan,
                &mut results,
                &ids,
                chunk.records(),
                chunk.issues(),
                runs,
                &mut state,
                &mut emitter,
            )?;
            if let (Some(pb), Chunk::Read { position, .. }) = (&progress, &chunk) {
                pb.set_position(*position);
            }
            recycle(chunk);
            Ok(())
        };
        for chunk in chunks {
            let chunk = chunk?;
            let previous = pending.take();
            let (runs, merged) = rayon::join(
                || check_chunk(&plan, &ids, chunk.records(), options, n_profile),
                || previous.map(&mut merge).transpose(),
            );
            merged?;
            pending = Some((chunk, runs));
        }
        if let Some(last) = pending {
            merge(last)?;
        }
    }
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let rows = state.rows;

    // Structural checks evaluate every row.
    results[plan.encoding].evaluated += rows;
    results[plan.ragged].evaluated += rows;
    results[plan.quote].evaluated += 1;
    results[plan.blank].evaluated += rows;

    // Checks that need the whole file.
    for (fi, check, kind) in &plan.columns {
        let (fi, check) = (*fi, *check);
        if plan.fields[fi].col.is_none() {
            continue;
        }
        results[check].evaluated = 1;
        if let Some(message) = kind.column(rows, state.missing[fi]) {
            results[check].failed = 1;
            let f = file_finding(&plan, &ids, check, plan.fields[fi].name.clone(), message);
            emitter.emit(&mut results, f)?;
        }
    }
    for (check, kind) in &plan.files {
        results[*check].evaluated = 1;
        if let Some(message) = kind.rows(rows) {
            results[*check].failed = 1;
            let f = file_finding(&plan, &ids, *check, String::new(), message);
            emitter.emit(&mut results, f)?;
        }
    }

    let mut profiles = Vec::with_capacity(n_profile);
    for (i, f) in plan.fields.iter().enumerate() {
        let (d, exact) = state.distinct[i].count();
        profiles.push(FieldProfile {
            name: f.name.clone(),
            field_type: f.field_type.name().to_string(),
            present: f.col.is_some(),
            count: if f.col.is_some() { rows } else { 0 },
            missing: state.missing[i],
            invalid: state.invalid[i],
            distinct: d,
            distinct_exact: exact,
        });
    }
    for (j, (_, name)) in plan.extra_columns.iter().enumerate() {
        let (d, exact) = state.distinct[plan.fields.len() + j].count();
        profiles.push(FieldProfile {
            name: name.clone(),
            field_type: "undeclared".into(),
            present: true,
            count: rows,
            missing: state.extra_missing[j],
            invalid: 0,
            distinct: d,
            distinct_exact: exact,
        });
    }
    Ok(SourceOutcome {
        name: options.source_name.clone(),
        path: path.display().to_string(),
        rules: rules.path.display().to_string(),
        info,
        rows,
        columns,
        fields: profiles,
        checks: results,
    })
}

/// What the ordered merge accumulates across chunks.
struct MergeState {
    firsts: Vec<checks::unique::FirstSeen>,
    dup_rows: checks::unique::FirstSeen,
    distinct: Vec<DistinctCounter>,
    missing: Vec<u64>,
    invalid: Vec<u64>,
    extra_missing: Vec<u64>,
    rows: u64,
}

impl MergeState {
    /// Room for `rows` values in each uniqueness table (and the duplicate
    /// rows' one when `rows_too`).
    fn reserve(&mut self, rows: usize, rows_too: bool) {
        // An estimate from the first chunk's bytes: bounded, so that a
        // short first chunk does not reserve for a file many times larger.
        let rows = rows.min(1 << 28);
        for f in &mut self.firsts {
            f.reserve(rows);
        }
        if rows_too {
            self.dup_rows.reserve(rows);
        }
    }
}

/// Checks a chunk in parallel runs.
fn check_chunk(
    plan: &Plan,
    ids: &[Arc<str>],
    records: &[Record],
    options: &ValidateOptions,
    n_profile: usize,
) -> Vec<RunOut> {
    records
        .par_chunks(RUN)
        .map(|run| check_rows(plan, ids, run, options, n_profile))
        .collect()
}

#[allow(clippy::too_many_arguments)]
/// Merges a checked chunk in row order: uniqueness, duplicate rows,
/// structural issues, counts and findings.
fn merge_chunk(
    plan: &Plan,
    results: &mut [super::CheckResult],
    ids: &[Arc<str>],
    records: &[Record],
    issues: &[ReadIssue],
    runs: Vec<RunOut>,
    state: &mut MergeState,
    emitter: &mut Emitter<'_>,
) -> Result<(), ValidateError> {
    state.rows += records.len() as u64;
    let n_profile = state.distinct.len();
    // Distinct values: one counter per column, counted in parallel.
    state
        .distinct
        .par_iter_mut()
        .enumerate()
        .for_each(|(c, counter)| {
            for run in &runs {
                for r in 0..run.rows {
                    let h = run.distinct[r * n_profile + c];
                    if h != 0 {
                        counter.insert(h);
                    }
                }
            }
        });

    // Structural issues, by row.
    let mut by_row: BTreeMap<u64, Vec<(usize, Finding)>> = BTreeMap::new();
    let mut undecodable_rows = std::collections::HashSet::new();
    let first_row = records.first().map(|r| r.row).unwrap_or(0);
    for issue in issues {
        let (check, counted) = match issue.kind {
            ReadIssueKind::Undecodable { .. } => {
                (plan.encoding, undecodable_rows.insert(issue.row))
            }
            ReadIssueKind::RaggedRow { .. } | ReadIssueKind::DelimiterMismatch { .. } => {
                (plan.ragged, true)
            }
            ReadIssueKind::UnterminatedQuote { .. } => (plan.quote, true),
            ReadIssueKind::BlankRow { empty_line } => {
                // An empty line is no record: it adds to what was evaluated.
                results[plan.blank].evaluated += u64::from(empty_line);
                (plan.blank, true)
            }
            _ => (plan.encoding, true),
        };
        if counted {
            results[check].failed += 1;
        }
        let key = issue
            .row
            .checked_sub(first_row)
            .and_then(|i| records.get(i as usize))
            .filter(|r| r.row == issue.row)
            .map(|r| record_key(plan, r))
            .unwrap_or_default();
        // An empty line is no record: its finding goes before the record
        // that follows it, so that findings stay in file order.
        // An issue of no record (an empty line, the file as a whole) goes
        // before the record that follows its line, so that findings stay in
        // file order.
        let at = match issue.row {
            0 => {
                let next = records.partition_point(|r| r.line <= issue.line);
                records.get(next).map_or(0, |r| r.row)
            }
            row => row,
        };
        by_row.entry(at).or_default().push((
            check,
            Finding {
                row: issue.row,
                line: issue.line,
                key,
                column: issue.column.clone().unwrap_or_default(),
                check: Arc::clone(&ids[check]),
                code: plan.checks[check].kind.code,
                severity: plan.checks[check].meta.severity,
                message: Message::Read(issue.kind.clone()),
                sample: None,
            },
        ));
    }

    let n_uniques = plan.uniques.len();
    // Uniqueness and duplicate rows: each table records the chunk's values
    // in row order, its shards in parallel; `earlier[u][i]` is the earlier
    // row of chunk row i's value (`None` for a first or no value).
    let (earlier, earlier_rows): (Vec<Vec<Option<u64>>>, Vec<Option<u64>>) = {
        let batch_of = |fps: &dyn Fn(&RunOut, usize) -> Option<u128>| {
            let mut at = Vec::with_capacity(records.len());
            let mut batch = Vec::with_capacity(records.len());
            let mut records = records.iter();
            for run in &runs {
                for r in 0..run.rows {
                    let Some(record) = records.next() else { break };
                    at.push(fps(run, r).map(|fp| {
                        batch.push((fp, record.row));
                        batch.len() - 1
                    }));
                }
            }
            (at, batch)
        };
        let unique_batches: Vec<_> = (0..n_uniques)
            .map(|u| batch_of(&|run: &RunOut, r| run.unique_fps[r * n_uniques + u]))
            .collect();
        let row_batch = (!plan.rows.is_empty())
            .then(|| batch_of(&|run: &RunOut, r| run.row_fps.get(r).copied()));
        let place = |(at, batch): &(Vec<Option<usize>>, Vec<(u128, u64)>),
                     table: &mut checks::unique::FirstSeen| {
            let found = table.insert_all(batch);
            at.iter()
                .map(|i| i.and_then(|i| found[i]))
                .collect::<Vec<_>>()
        };
        let (u, d) = rayon::join(
            || {
                state
                    .firsts
                    .par_iter_mut()
                    .zip(unique_batches.par_iter())
                    .map(|(table, b)| place(b, table))
                    .collect::<Vec<_>>()
            },
            || row_batch.as_ref().map(|b| place(b, &mut state.dup_rows)),
        );
        (u, d.unwrap_or_default())
    };
    let mut chunk_row = 0usize;
    let mut record_iter = records.iter();
    let mut row_findings: Vec<(usize, Finding)> = Vec::new();
    for run in runs {
        for (c, (e, f)) in run.evaluated.iter().zip(&run.failed).enumerate() {
            results[c].evaluated += e;
            results[c].failed += f;
        }
        for (i, (m, v)) in run.missing.iter().zip(&run.invalid).enumerate() {
            state.missing[i] += m;
            state.invalid[i] += v;
        }
        for (j, m) in run.extra_missing.iter().enumerate() {
            state.extra_missing[j] += m;
        }
        let mut parallel = run.findings.into_iter().peekable();
        for r in 0..run.rows {
            let Some(record) = record_iter.next() else {
                break;
            };
            let at = chunk_row;
            chunk_row += 1;
            row_findings.clear();
            while parallel.peek().is_some_and(|(i, _, _)| *i == r) {
                if let Some((_, check, f)) = parallel.next() {
                    row_findings.push((check, f));
                }
            }
            // Uniqueness, in row order.
            for (u, earlier) in earlier.iter().enumerate() {
                let unique = &plan.uniques[u];
                let check = unique.check;
                let message = match run.unique_fps[r * n_uniques + u] {
                    Some(_) => {
                        results[check].evaluated += 1;
                        earlier[at].and_then(|first| match &unique.table {
                            None => Some(Message::from(checks::unique::Failure { first })),
                            Some(kind) => kind.repeated(first),
                        })
                    }
                    None => {
                        let message = unique.table.as_ref().and_then(|k| k.incomplete());
                        if message.is_some() {
                            results[check].evaluated += 1;
                        }
                        message
                    }
                };
                if let Some(message) = message {
                    results[check].failed += 1;
                    let names = key_names(plan, u);
                    row_findings.push((
                        check,
                        finding(plan, ids, check, record, names, message, None),
                    ));
                }
            }
            // Whole rows, in row order.
            for (check, kind) in &plan.rows {
                results[*check].evaluated += 1;
                let first = earlier_rows.get(at).copied().flatten();
                if let Some(message) = first.and_then(|first| kind.repeated(first)) {
                    results[*check].failed += 1;
                    row_findings.push((
                        *check,
                        finding(plan, ids, *check, record, String::new(), message, None),
                    ));
                }
            }
            let structural = by_row.remove(&record.row).unwrap_or_default();
            if structural.is_empty() && row_findings.is_empty() {
                continue;
            }
            row_findings.sort_by_key(|(check, _)| *check);
            for (_, f) in structural.into_iter().chain(row_findings.drain(..)) {
                emitter.emit(results, f)?;
            }
        }
    }
    // Issues not tied to a row of this chunk (e.g. an unterminated quote
    // found at the end of the file).
    for (_, fs) in by_row {
        for (_, f) in fs {
            emitter.emit(results, f)?;
        }
    }
    Ok(())
}

fn key_names(plan: &Plan, u: usize) -> String {
    plan.uniques[u]
        .fields
        .iter()
        .map(|&f| plan.fields[f].name.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

struct Emitter<'s> {
    sink: &'s mut (dyn FnMut(&Finding) -> io::Result<()> + Send),
    examples: usize,
}

impl Emitter<'_> {
    fn emit(
        &mut self,
        results: &mut [super::CheckResult],
        f: Finding,
    ) -> Result<(), ValidateError> {
        (self.sink)(&f).map_err(ValidateError::Write)?;
        if let Some(c) = results.iter_mut().find(|c| *c.meta.id == *f.check) {
            if c.examples.len() < self.examples {
                c.examples.push(f);
            }
        }
        Ok(())
    }
}

fn file_finding(
    plan: &Plan,
    ids: &[Arc<str>],
    check: usize,
    column: String,
    message: Message,
) -> Finding {
    Finding {
        row: 0,
        line: 0,
        key: String::new(),
        column,
        check: Arc::clone(&ids[check]),
        code: plan.checks[check].kind.code,
        severity: plan.checks[check].meta.severity,
        message,
        sample: None,
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

/// The record's key: the key columns joined by `|`, or empty. Only spaces
/// are trimmed: a TAB or CR in front stays, so that `\t=2+2` is not turned
/// into the formula `=2+2`. A personal key is shown as the plan says
/// ([`crate::privacy::KeyShown`]).
fn record_key(plan: &Plan, record: &Record) -> String {
    let mut key = String::new();
    for (i, &c) in plan.key_cols.iter().enumerate() {
        if i > 0 {
            key.push('|');
        }
        key.push_str(record.fields.get(c).unwrap_or("").trim_matches(' '));
    }
    plan.key_shown.show(record.row, &key)
}

fn finding(
    plan: &Plan,
    ids: &[Arc<str>],
    check: usize,
    record: &Record,
    column: String,
    message: Message,
    sample: Option<String>,
) -> Finding {
    Finding {
        row: record.row,
        line: record.line,
        key: record_key(plan, record),
        column,
        check: Arc::clone(&ids[check]),
        code: plan.checks[check].kind.code,
        severity: plan.checks[check].meta.severity,
        message,
        sample,
    }
}

/// Trims surrounding whitespace, with a fast path for the usual cell that
/// starts and ends with a printable ASCII character.
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&b)) if a > b' ' && a < 0x80 && b > b' ' && b < 0x80 => s,
        _ => s.trim(),
    }
}

fn is_missing(text: &str, tokens: &[String]) -> bool {
    text.is_empty() || tokens.iter().any(|t| t.eq_ignore_ascii_case(text))
}

/// A value's hash for distinct counting; never 0, which marks a missing
/// value.
fn hash64(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5EED)
        .hash_one(text)
        .max(1)
}

/// Checks a run of records: every per-cell and per-row check, in parallel
/// with other runs; uniqueness is left to the ordered merge.
fn check_rows(
    plan: &Plan,
    ids: &[Arc<str>],
    records: &[Record],
    options: &ValidateOptions,
    n_profile: usize,
) -> RunOut {
    let n_checks = plan.checks.len();
    let mut out = RunOut {
        rows: records.len(),
        evaluated: vec![0; n_checks],
        failed: vec![0; n_checks],
        missing: vec![0; plan.fields.len()],
        invalid: vec![0; plan.fields.len()],
        extra_missing: vec![0; plan.extra_columns.len()],
        findings: Vec::new(),
        unique_fps: Vec::with_capacity(records.len() * plan.uniques.len()),
        row_fps: Vec::with_capacity(if !plan.rows.is_empty() {
            records.len()
        } else {
            0
        }),
        distinct: Vec::with_capacity(records.len() * n_profile),
    };
    let mut values: Vec<Value<'_>> = Vec::with_capacity(plan.fields.len());
    let mut parts: Vec<&str> = Vec::new();
    for (r, record) in records.iter().enumerate() {
        values.clear();
        for (fi, field) in plan.fields.iter().enumerate() {
            let Some(col) = field.col else {
                values.push(Value::Null);
                out.distinct.push(0);
                continue;
            };
            let text = trim(record.fields.get(col).unwrap_or(""));
            if is_missing(text, &field.missing_values) {
                out.missing[fi] += 1;
                values.push(Value::Null);
                out.distinct.push(0);
                for (c, kind) in &field.presence {
                    out.evaluated[*c] += 1;
                    if let Some(message) = kind.missing() {
                        out.failed[*c] += 1;
                        let f = finding(plan, ids, *c, record, field.name.clone(), message, None);
                        out.findings.push((r, *c, f));
                    }
                }
                continue;
            }
            out.distinct.push(hash64(text));
            for (c, _) in &field.presence {
                out.evaluated[*c] += 1;
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
                        let show = options.show_pii || !field.pii;
                        let message = match (show, e.detail) {
                            (true, Some(detail)) => detail,
                            _ => e.message,
                        };
                        fail_cell(
                            &mut out,
                            plan,
                            ids,
                            (r, c),
                            record,
                            field,
                            message,
                            text,
                            show,
                        );
                    }
                    values.push(Value::Null);
                    continue;
                }
            };
            let show = options.show_pii || !field.pii;
            for (c, check) in &field.cell_checks {
                out.evaluated[*c] += 1;
                let cell = Cell {
                    text,
                    value: &value,
                    show,
                };
                if let Some(message) = check.evaluate(cell) {
                    fail_cell(
                        &mut out,
                        plan,
                        ids,
                        (r, *c),
                        record,
                        field,
                        message,
                        text,
                        show,
                    );
                }
            }
            values.push(value);
        }
        for e in &plan.exprs {
            if let Some(when) = &e.when {
                if when.eval_bool(&values) != Some(true) {
                    continue;
                }
            }
            match e.assert.eval_bool(&values) {
                Some(true) => out.evaluated[e.check] += 1,
                Some(false) => {
                    out.evaluated[e.check] += 1;
                    out.failed[e.check] += 1;
                    let message = Message::Expression(
                        e.assert.explain(&values, options.show_pii || e.no_pii),
                    );
                    let f = finding(plan, ids, e.check, record, e.column.clone(), message, None);
                    out.findings.push((r, e.check, f));
                }
                // Unknown (a value it needs is missing): not evaluated.
                None => {}
            }
        }
        for (j, (col, _)) in plan.extra_columns.iter().enumerate() {
            let text = trim(record.fields.get(*col).unwrap_or(""));
            if is_missing(text, &plan.missing_values) {
                out.extra_missing[j] += 1;
                out.distinct.push(0);
            } else {
                out.distinct.push(hash64(text));
            }
        }
        for u in &plan.uniques {
            let complete = u
                .fields
                .iter()
                .all(|&f| is_present_text(record, &plan.fields[f]));
            let fp = if complete {
                parts.clear();
                parts.extend(u.fields.iter().map(|&f| {
                    plan.fields[f]
                        .col
                        .and_then(|c| record.fields.get(c))
                        .unwrap_or("")
                        .trim()
                }));
                Some(checks::unique::fingerprint(&parts))
            } else {
                None
            };
            out.unique_fps.push(fp);
        }
        if !plan.rows.is_empty() {
            parts.clear();
            parts.extend(record.fields.iter().map(trim));
            out.row_fps.push(checks::unique::fingerprint(&parts));
        }
        for fk in &plan.references {
            let key: Vec<String> = fk
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
                .zip(&key)
                .any(|(&f, p)| is_missing(p, &plan.fields[f].missing_values))
            {
                continue;
            }
            out.evaluated[fk.check] += 1;
            if let Some(message) = fk.kind.absent(&key) {
                out.failed[fk.check] += 1;
                let column = fk
                    .fields
                    .iter()
                    .map(|&f| plan.fields[f].name.as_str())
                    .collect::<Vec<_>>()
                    .join("+");
                let show = options.show_pii || fk.fields.iter().all(|&f| !plan.fields[f].pii);
                let message = message.with_value(&key.join(" + "), show);
                let f = finding(
                    plan,
                    ids,
                    fk.check,
                    record,
                    column,
                    message,
                    Some(mask(&key.join("|"), show)),
                );
                out.findings.push((r, fk.check, f));
            }
        }
    }
    out
}

/// Records a failing cell: counts it and adds its finding, with the value
/// in the message and sample only when `show` allows.
#[allow(clippy::too_many_arguments)]
fn fail_cell(
    out: &mut RunOut,
    plan: &Plan,
    ids: &[Arc<str>],
    (r, check): (usize, usize),
    record: &Record,
    field: &PlannedField,
    message: Message,
    text: &str,
    show: bool,
) {
    out.failed[check] += 1;
    let message = message.with_value(text, show);
    let f = finding(
        plan,
        ids,
        check,
        record,
        field.name.clone(),
        message,
        Some(mask(text, show)),
    );
    out.findings.push((r, check, f));
}

/// Whether the field's cell holds text (present, though possibly invalid
/// for its type). Uniqueness compares the text of invalid values too.
fn is_present_text(record: &Record, field: &PlannedField) -> bool {
    field
        .col
        .and_then(|c| record.fields.get(c))
        .is_some_and(|t| !is_missing(t.trim(), &field.missing_values))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The findings of `data` under `rules` read in chunks of `chunk_rows`.
    fn findings(dir: &Path, data: &str, rules: &str, chunk_rows: usize) -> Vec<Finding> {
        let (csv, toml) = (dir.join("x.csv"), dir.join("x.toml"));
        std::fs::write(&csv, data).unwrap();
        std::fs::write(&toml, rules).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let rules = crate::rules::load(&toml, today).unwrap();
        let options = ValidateOptions {
            chunk_rows,
            ..Default::default()
        };
        let mut out = Vec::new();
        validate(&csv, &rules, &options, &mut |f| {
            out.push(f.clone());
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn uniqueness_and_duplicate_rows_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let rules = "[input]\ndelimiter = \";\"\n[table]\nduplicate_rows = true\n\
                     [fields.ID]\nunique = true\n[fields.A]\n[fields.B]\n";
        let mut data = String::from("ID;A;B\n");
        for i in 0..40 {
            // IDs repeat every 7 rows; whole rows every 35.
            data.push_str(&format!("{};{};x\n", i % 7, i % 5));
        }
        let whole = findings(dir.path(), &data, rules, 16_384);
        for chunk_rows in [1, 2, 3, 5, 16] {
            assert_eq!(findings(dir.path(), &data, rules, chunk_rows), whole);
        }
        let dup = |m: &str| whole.iter().filter(|f| f.message.to_string() == m).count();
        // Row 8 (ID 0) repeats row 1; 33 of 40 IDs are repeats.
        assert_eq!(dup("duplicate of row 1"), 5);
        assert_eq!(
            whole
                .iter()
                .filter(|f| matches!(
                    f.message,
                    Message::Field(crate::checks::FieldMessage::Unique(_))
                ))
                .count(),
            33
        );
        // Rows 36-40 repeat rows 1-5 whole.
        let repeats: Vec<String> = whole
            .iter()
            .filter(|f| {
                matches!(
                    f.message,
                    Message::Table(checks::TableMessage::DuplicateRow(_))
                )
            })
            .map(|f| f.message.to_string())
            .collect();
        assert_eq!(
            repeats,
            [
                "repeats row 1",
                "repeats row 2",
                "repeats row 3",
                "repeats row 4",
                "repeats row 5"
            ]
        );
    }
}
