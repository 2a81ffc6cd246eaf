//! Turning a rule set and a file's header into an execution plan: which
//! column each field is, which checks apply, which are skipped and why.

use std::sync::Arc;

use crate::checks::registry::{HeaderCx, Stage, TableStage};
use crate::checks::{self, CheckKind, FieldCheck, TableCheck};
use crate::messages::{Description, Message};
use crate::read::{Header, ReadIssueKind};
use crate::rules::{CheckMeta, RuleSet, Severity};
use crate::types::FieldType;

use super::{CheckResult, Finding};

/// A declared field, resolved against the header.
#[derive(Clone, Debug)]
pub(crate) struct PlannedField {
    pub name: String,
    pub col: Option<usize>,
    pub field_type: FieldType,
    pub missing_values: Vec<String>,
    pub pii: bool,
    /// Kinds judging whether the cell has a value ([`Stage::Presence`]),
    /// with their check.
    pub presence: Vec<(usize, FieldCheck)>,
    /// The type check ([`Stage::Type`]).
    pub valid: Option<usize>,
    /// Kinds judging a present, typed value ([`Stage::Value`]: enum,
    /// pattern, range, length, …) with their check.
    pub cell_checks: Vec<(usize, FieldCheck)>,
}

/// A uniqueness constraint over one or more columns, in the engine's
/// ordered merge: a field's `unique` or a key of `[table]`
/// ([`TableStage::Keys`]).
#[derive(Clone, Debug)]
pub(crate) struct PlannedUnique {
    pub check: usize,
    /// Field indexes.
    pub fields: Vec<usize>,
    /// The table kind that says why a row fails (`None`: a field's
    /// `unique`, VG103).
    pub table: Option<TableCheck>,
}

/// A kind judging each row's values of some columns
/// ([`TableStage::Reference`]: a foreign key).
#[derive(Clone, Debug)]
pub(crate) struct PlannedReference {
    pub check: usize,
    /// Field indexes of the kind's columns.
    pub fields: Vec<usize>,
    /// The kind, which says why a row's values fail.
    pub kind: TableCheck,
}

/// A cross-field expression check.
#[derive(Clone, Debug)]
pub(crate) struct PlannedExpr {
    pub check: usize,
    pub assert: Arc<crate::expr::Expr>,
    pub when: Option<Arc<crate::expr::Expr>>,
    /// The columns it reads, for findings.
    pub column: String,
    /// Whether every column it reads is free of personal data.
    pub no_pii: bool,
}

/// The execution plan for one source.
#[derive(Debug)]
pub struct Plan {
    pub(crate) checks: Vec<CheckResult>,
    pub(crate) header_findings: Vec<Finding>,
    pub(crate) fields: Vec<PlannedField>,
    pub(crate) extra_columns: Vec<(usize, String)>,
    pub(crate) key_cols: Vec<usize>,
    /// How findings show the key (a pseudonym when it is personal).
    pub(crate) key_shown: crate::privacy::KeyShown,
    pub(crate) missing_values: Vec<String>,
    pub(crate) uniques: Vec<PlannedUnique>,
    pub(crate) references: Vec<PlannedReference>,
    pub(crate) exprs: Vec<PlannedExpr>,
    /// Kinds judging a whole column ([`Stage::Column`]): field, check,
    /// kind.
    pub(crate) columns: Vec<(usize, usize, FieldCheck)>,
    pub(crate) encoding: usize,
    pub(crate) ragged: usize,
    pub(crate) quote: usize,
    pub(crate) blank: usize,
    /// Kinds judging whole rows in the ordered merge
    /// ([`TableStage::Rows`]), with their check.
    pub(crate) rows: Vec<(usize, TableCheck)>,
    /// Kinds judging the whole file once it is read
    /// ([`TableStage::File`]), with their check.
    pub(crate) files: Vec<(usize, TableCheck)>,
}

fn push(
    checks: &mut Vec<CheckResult>,
    meta: CheckMeta,
    kind: &'static CheckKind,
    column: Option<String>,
) -> usize {
    checks.push(CheckResult {
        meta,
        kind,
        column,
        evaluated: 0,
        failed: 0,
        skipped: None,
        examples: Vec::new(),
    });
    checks.len() - 1
}

/// Adds a table kind's check, its column named by the columns it reads.
fn push_table(checks: &mut Vec<CheckResult>, c: &crate::rules::TableConstraint) -> usize {
    let columns = c.kind.columns();
    let column = (!columns.is_empty()).then(|| columns.join("+"));
    push(checks, c.meta.clone(), c.kind.kind(), column)
}

fn structural(id: &str, description: Description, severity: Severity) -> CheckMeta {
    CheckMeta {
        id: id.to_string(),
        description,
        severity,
        max_fail_count: None,
        max_fail_percent: None,
        level: 0,
    }
}

/// Why a check is not evaluated: `missing` columns are not in the file.
fn missing_columns(missing: &[&str]) -> Message {
    Message::ColumnsMissing {
        columns: missing.iter().map(|c| c.to_string()).collect(),
    }
}

fn header_finding(check: &CheckResult, column: &str, message: Message) -> Finding {
    Finding {
        row: 0,
        line: 1,
        key: String::new(),
        column: column.to_string(),
        check: Arc::from(check.meta.id.as_str()),
        code: check.kind.code,
        severity: check.meta.severity,
        message,
        sample: None,
    }
}

impl Plan {
    /// Resolves `rules` against a file's `header`.
    pub fn new(rules: &RuleSet, header: &Header) -> Plan {
        let mut checks = Vec::new();
        let mut header_findings = Vec::new();
        let sev = rules.table.structure;
        let encoding = push(
            &mut checks,
            structural("file.encoding", Description::Encoding, sev),
            &checks::encoding::KIND,
            None,
        );
        let ragged = push(
            &mut checks,
            structural("file.ragged_rows", Description::RaggedRows, sev),
            &checks::ragged_row::KIND,
            None,
        );
        let quote = push(
            &mut checks,
            structural("file.quotes", Description::Quotes, sev),
            &checks::unterminated_quote::KIND,
            None,
        );
        let blank = push(
            &mut checks,
            structural(
                "file.blank_rows",
                Description::BlankRows,
                sev.min(Severity::Warning),
            ),
            &checks::blank_row::KIND,
            None,
        );
        let header_check = push(
            &mut checks,
            structural("file.header", Description::Header, sev),
            &checks::header::KIND,
            None,
        );
        let col_index = |name: &str| header.columns.iter().position(|c| c == name);

        // Header problems.
        checks[header_check].evaluated = header.columns.len() as u64;
        for issue in &header.issues {
            let column = match &issue.kind {
                ReadIssueKind::BlankHeader { position } => format!("column_{position}"),
                ReadIssueKind::DuplicateHeader { name, .. } => name.clone(),
                _ => issue.column.clone().unwrap_or_default(),
            };
            if matches!(issue.kind, ReadIssueKind::Undecodable { .. }) {
                checks[encoding].failed += 1;
                let f = header_finding(&checks[encoding], "", Message::Header(issue.kind.clone()));
                header_findings.push(f);
                continue;
            }
            checks[header_check].failed += 1;
            let f = header_finding(
                &checks[header_check],
                &column,
                Message::Read(issue.kind.clone()),
            );
            header_findings.push(f);
        }

        // The column kinds, judged from the header, in code order.
        let mut expected: Vec<&str> = rules.fields.iter().map(|f| f.name.as_str()).collect();
        expected.extend(rules.table.required_columns.iter().map(String::as_str));
        let forbidden: Vec<&str> = rules
            .table
            .columns
            .iter()
            .flat_map(|c| c.kind.forbidden())
            .map(String::as_str)
            .collect();
        let cx = HeaderCx {
            columns: &header.columns,
            expected: &expected,
            forbidden: &forbidden,
        };
        let mut column_checks: Vec<_> = rules.table.columns.iter().collect();
        column_checks.sort_by_key(|c| c.kind.kind().code);
        for check in column_checks {
            let c = push(&mut checks, check.meta.clone(), check.kind.kind(), None);
            let (evaluated, failed) = check.kind.header(&cx);
            checks[c].evaluated = evaluated;
            checks[c].failed = failed.len() as u64;
            for (column, message) in failed {
                header_findings.push(header_finding(&checks[c], &column, message));
            }
        }
        let mut extra_columns = Vec::new();
        for (i, col) in header.columns.iter().enumerate() {
            if !expected.contains(&col.as_str()) {
                extra_columns.push((i, col.clone()));
            }
        }
        // Table kinds, stage by stage: the file here, before the fields;
        // keys, whole rows and references after them.
        let table_checks = |stage: TableStage| {
            rules
                .table
                .checks
                .iter()
                .filter(move |c| c.kind.stage() == stage)
        };
        let files = table_checks(TableStage::File)
            .map(|c| (push_table(&mut checks, c), c.kind.clone()))
            .collect();

        // Fields.
        let mut fields = Vec::new();
        let mut columns = Vec::new();
        let mut uniques = Vec::new();
        for (fi, spec) in rules.fields.iter().enumerate() {
            let col = col_index(&spec.name);
            let mut planned = PlannedField {
                name: spec.name.clone(),
                col,
                field_type: spec.field_type.clone(),
                missing_values: spec
                    .missing_values
                    .clone()
                    .unwrap_or_else(|| rules.input.missing_values.clone()),
                pii: spec.pii,
                presence: Vec::new(),
                valid: None,
                cell_checks: Vec::new(),
            };
            for c in &spec.constraints {
                let idx = push(
                    &mut checks,
                    c.meta.clone(),
                    c.kind.kind(),
                    Some(spec.name.clone()),
                );
                if col.is_none() {
                    checks[idx].skipped = Some(Message::ColumnsMissing {
                        columns: vec![spec.name.clone()],
                    });
                }
                match c.kind.stage() {
                    Stage::Presence => planned.presence.push((idx, c.kind.clone())),
                    Stage::Type => planned.valid = Some(idx),
                    Stage::Value => planned.cell_checks.push((idx, c.kind.clone())),
                    Stage::Column => columns.push((fi, idx, c.kind.clone())),
                    Stage::CrossRow if col.is_some() => uniques.push(PlannedUnique {
                        check: idx,
                        fields: vec![fi],
                        table: None,
                    }),
                    Stage::CrossRow => {}
                }
            }
            fields.push(planned);
        }
        let field_of = |name: &str| rules.field_index(name);
        for c in table_checks(TableStage::Keys) {
            let idx = push_table(&mut checks, c);
            let key = c.kind.columns();
            let fis: Vec<usize> = key.iter().filter_map(|c| field_of(c)).collect();
            let missing: Vec<&str> = fis
                .iter()
                .filter(|&&f| fields[f].col.is_none())
                .map(|&f| fields[f].name.as_str())
                .collect();
            if !missing.is_empty() || fis.len() != key.len() {
                checks[idx].skipped = Some(missing_columns(&missing));
                continue;
            }
            uniques.push(PlannedUnique {
                check: idx,
                fields: fis,
                table: Some(c.kind.clone()),
            });
        }
        let rows = table_checks(TableStage::Rows)
            .map(|c| (push_table(&mut checks, c), c.kind.clone()))
            .collect();
        let mut references = Vec::new();
        for c in table_checks(TableStage::Reference) {
            let idx = push_table(&mut checks, c);
            let key = c.kind.columns();
            let fis: Vec<usize> = key.iter().filter_map(|c| field_of(c)).collect();
            if fis.len() != key.len() || fis.iter().any(|&f| fields[f].col.is_none()) {
                checks[idx].skipped = Some(Message::KeyMissing);
                continue;
            }
            references.push(PlannedReference {
                check: idx,
                fields: fis,
                kind: c.kind.clone(),
            });
        }
        let mut exprs = Vec::new();
        for spec in &rules.checks {
            let mut fields_read = spec.assert_expr.columns();
            if let Some(w) = &spec.when_expr {
                fields_read.extend(w.columns());
            }
            fields_read.sort_unstable();
            fields_read.dedup();
            let column = fields_read
                .iter()
                .map(|&f| fields[f].name.as_str())
                .collect::<Vec<_>>()
                .join("+");
            let idx = push(
                &mut checks,
                spec.meta.clone(),
                &checks::expression::KIND,
                Some(column.clone()),
            );
            let missing: Vec<&str> = fields_read
                .iter()
                .filter(|&&f| fields[f].col.is_none())
                .map(|&f| fields[f].name.as_str())
                .collect();
            if !missing.is_empty() {
                checks[idx].skipped = Some(missing_columns(&missing));
                continue;
            }
            exprs.push(PlannedExpr {
                check: idx,
                assert: Arc::clone(&spec.assert_expr),
                when: spec.when_expr.clone(),
                column,
                no_pii: fields_read.iter().all(|&f| !fields[f].pii),
            });
        }
        // Cross-source checks need the linkage: not evaluated here
        // (`vaglio run` evaluates them and replaces these results).
        for spec in &rules.cross_checks {
            let idx = push(
                &mut checks,
                spec.meta.clone(),
                &checks::cross_source::KIND,
                Some(checks::cross_source::column(spec)),
            );
            let missing: Vec<&str> = spec
                .columns
                .iter()
                .filter(|c| col_index(c).is_none())
                .map(String::as_str)
                .collect();
            checks[idx].skipped = Some(if missing.is_empty() {
                checks::cross_source::NOT_LINKED
            } else {
                missing_columns(&missing)
            });
        }
        let key_cols = rules
            .input
            .key
            .iter()
            .filter_map(|k| col_index(k))
            .collect();
        Plan {
            checks,
            header_findings,
            fields,
            extra_columns,
            key_cols,
            key_shown: crate::privacy::KeyShown::plain(),
            missing_values: rules.input.missing_values.clone(),
            uniques,
            references,
            exprs,
            columns,
            encoding,
            ragged,
            quote,
            blank,
            rows,
            files,
        }
    }

    /// The checks this plan will run, in order.
    pub fn check_ids(&self) -> Vec<&str> {
        self.checks.iter().map(|c| c.meta.id.as_str()).collect()
    }
}
