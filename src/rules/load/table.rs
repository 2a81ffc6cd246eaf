//! The `[table]` section: the file's columns, the structure's severity,
//! and the table kinds' section ([`TableCx`]).

use super::*;

impl<'d> Loader<'d> {
    // ----- [table] -------------------------------------------------------

    /// Reads `[table]` (`node`; `None` when the rule file has none: the
    /// column kinds on by default still give their checks).
    pub(super) fn table(&mut self, node: Option<Node<'_, '_>>, declared: &[&str]) -> TableSpec {
        let mut spec = TableSpec {
            structure: Severity::Error,
            ..Default::default()
        };
        // The file's required columns, the column kinds' keys and the table
        // kinds' (each in registry order), then the structure's severity.
        let mut allowed = vec!["required_columns"];
        for keys in [crate::checks::COLUMN_KEYS, crate::checks::TABLE_KEYS] {
            allowed.extend(keys.iter().flat_map(|k| k.iter().copied()));
        }
        allowed.push("structure");
        let empty = DeTable::new();
        let t = node
            .and_then(|n| n.table(self.diags, "[table]", &allowed))
            .unwrap_or(Table { table: &empty });
        if let Some(n) = t.get("required_columns") {
            spec.required_columns = n
                .strings(self.diags, "`required_columns`")
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect();
        }
        spec.columns = crate::checks::parse_columns(&mut self.table_cx(&t, declared));
        if let Some(n) = t.get("structure") {
            if let Some(s) = n.str(self.diags, "`structure`") {
                match Severity::parse(s) {
                    Some(sev) => spec.structure = sev,
                    None => self.diags.error(
                        n.span.clone(),
                        format!("unknown severity `{s}`"),
                        "unknown severity",
                        Some("use \"error\", \"warning\" or \"info\"".into()),
                    ),
                }
            }
        }
        spec.checks = crate::checks::parse_table(&mut self.table_cx(&t, declared));
        spec
    }

    /// What the kinds' parsers see of `table`, `[table]`.
    fn table_cx<'c, 'a, 'i>(
        &'c mut self,
        table: &'c Table<'a, 'i>,
        declared: &'c [&'c str],
    ) -> TableCx<'c, 'd, 'a, 'i> {
        TableCx {
            cx: KindCx { loader: self },
            table,
            declared,
        }
    }
}

/// The records of a referenced file: a run's table, or read here.
enum Referenced {
    Table(std::sync::Arc<crate::read::Table>),
    Records(Vec<crate::read::Record>),
}

/// What a table or column kind's parser sees of `[table]`
/// ([`crate::checks::registry::TableKind::parse`],
/// [`crate::checks::registry::ColumnKind::parse`]): the section's table,
/// the declared columns, and the loader's services (check identity,
/// diagnostics, through [`KindCx`]).
pub(crate) struct TableCx<'c, 'd, 'a, 'i> {
    cx: KindCx<'c, 'd>,
    /// The section, `[table]`.
    pub table: &'c Table<'a, 'i>,
    /// The columns declared in `[fields]`, which a table check may name.
    pub declared: &'c [&'c str],
}

impl<'c, 'd> std::ops::Deref for TableCx<'c, 'd, '_, '_> {
    type Target = KindCx<'c, 'd>;

    fn deref(&self) -> &KindCx<'c, 'd> {
        &self.cx
    }
}

impl<'c, 'd> std::ops::DerefMut for TableCx<'c, 'd, '_, '_> {
    fn deref_mut(&mut self) -> &mut KindCx<'c, 'd> {
        &mut self.cx
    }
}

impl TableCx<'_, '_, '_, '_> {
    /// The identity of `kind`'s check with a fixed `id`, at the kind's
    /// severity and level. A fixed id is not registered: a check of the
    /// rules may reuse it.
    pub fn fixed(
        &mut self,
        kind: &CheckKind,
        id: &str,
        description: impl Into<Description>,
    ) -> CheckMeta {
        CheckMeta {
            id: id.to_string(),
            description: description.into(),
            severity: kind.default_severity,
            max_fail_count: None,
            max_fail_percent: None,
            level: kind.level,
        }
    }

    /// A check on by default, with the fixed `id`, that `key` can switch
    /// off (`false`, `"ignore"`), give a severity (`"warning"`) or
    /// configure as a table (severity, tolerance, description, level; an
    /// id written there is not registered either). `None`: switched off,
    /// or a bad value (reported).
    pub fn switchable(
        &mut self,
        kind: &CheckKind,
        key: &str,
        id: &str,
        description: impl Into<Description>,
    ) -> Option<CheckMeta> {
        let table = self.table;
        let Some(n) = table.get(key) else {
            return Some(self.fixed(kind, id, description));
        };
        let what = format!("`{key}`");
        match n.value {
            DeValue::String(s) if s.eq_ignore_ascii_case("ignore") => None,
            DeValue::String(s) => match Severity::parse(s) {
                Some(severity) => Some(CheckMeta {
                    severity,
                    ..self.fixed(kind, id, description)
                }),
                None => {
                    self.diags().error(
                        n.span.clone(),
                        format!("unknown setting `{s}` for {what}"),
                        "unknown setting",
                        Some("use \"error\", \"warning\", \"info\" or \"ignore\"".into()),
                    );
                    None
                }
            },
            DeValue::Boolean(false) => None,
            DeValue::Boolean(true) => Some(self.fixed(kind, id, description)),
            _ => {
                let loader = &mut *self.cx.loader;
                let t = n.table(loader.diags, &what, META_KEYS)?;
                let (severity, level) = (kind.default_severity, kind.level);
                let mut meta = loader.meta(
                    Some(&t),
                    id.to_string(),
                    description.into(),
                    severity,
                    level,
                    n.span.clone(),
                );
                // meta() registered the id; a fixed id is not.
                loader.ids.pop();
                meta.level = level.max(meta.level);
                Some(meta)
            }
        }
    }

    /// The columns of `cols` that are declared in `[fields]`; each other
    /// one is an error (with a suggestion) at its span.
    pub fn known_columns(&mut self, cols: Vec<(String, Range<usize>)>) -> Vec<String> {
        let (declared, diags) = (self.declared, &mut *self.cx.loader.diags);
        let mut out = Vec::new();
        for (c, span) in cols {
            if !declared.contains(&c.as_str()) {
                let help = match did_you_mean(&c, declared.iter().copied()) {
                    Some(s) => format!(
                        "did you mean {s}? Declare every column a table check uses in [fields]"
                    ),
                    None => "declare every column a table check uses in [fields]".into(),
                };
                diags.error(
                    span,
                    format!("unknown column {c}"),
                    "not declared in [fields]",
                    Some(help),
                );
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The keys of the columns `ref_cols` of `file` (relative to the rule
    /// file, read with `options`), with the file's path: read once per run
    /// when the rules load for a run, only the header for commands that
    /// run no checks (the keys are then empty). A file that cannot be read
    /// is an error at `file_span`, a column it lacks one at the column's
    /// span.
    pub fn reference_keys(
        &mut self,
        file: &str,
        file_span: Range<usize>,
        options: &ReadOptions,
        ref_cols: &[(String, Range<usize>)],
    ) -> Option<(PathBuf, Arc<crate::read::KeySet>)> {
        let loader = &mut *self.cx.loader;
        let path = loader.base.join(file);
        let read = match (loader.references, loader.inputs) {
            (References::Read, Some(inputs)) => inputs
                .get(&path, options)
                .map(|t| (t.header.columns.clone(), Referenced::Table(t))),
            (References::Read, None) => crate::read::read_all(&path, options)
                .map(|(s, r)| (s.header.columns, Referenced::Records(r))),
            (References::HeaderOnly, _) => crate::read::Source::open(&path, options)
                .map(|s| (s.header.columns, Referenced::Records(Vec::new()))),
            (References::Never, _) => {
                loader.never_read(file_span, &path);
                return None;
            }
        };
        let (header, records) = match read {
            Ok(r) => r,
            Err(e) => {
                loader.diags.error(
                    file_span,
                    format!("cannot read the referenced file {}: {e}", path.display()),
                    "unreadable file",
                    Some("paths are relative to the rule file".into()),
                );
                return None;
            }
        };
        let mut idx = Vec::new();
        for (c, span) in ref_cols {
            match header.iter().position(|h| h == c) {
                Some(i) => idx.push(i),
                None => {
                    let help = did_you_mean(c, header.iter().map(String::as_str))
                        .map(|s| format!("did you mean {s}? "))
                        .unwrap_or_default();
                    loader.diags.error(
                        span.clone(),
                        format!("{} has no column {c}", path.display()),
                        "unknown column",
                        Some(format!("{help}its columns are: {}", header.join(", "))),
                    );
                    return None;
                }
            }
        }
        let keys = match &records {
            Referenced::Table(t) => t.key_set(&idx),
            Referenced::Records(r) => Arc::new(crate::read::KeySet::from_records(r, &idx)),
        };
        Some((path, keys))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unknown_key_lists_the_keys_of_table_in_order() {
        let err = crate::checks::load_rules("[table]\nduplicate_row = true\n")
            .err()
            .map(|e| format!("{e:?}"));
        let keys = "required_columns, forbidden_columns, unexpected_columns, missing_columns, \
                    row_count, duplicate_rows, unique, primary_key, primaryKey, foreign_keys, \
                    foreignKeys, structure";
        let help = format!("did you mean `duplicate_rows`? The keys allowed here are: {keys}");
        assert!(err.as_ref().is_some_and(|e| e.contains(&help)), "{err:?}");
    }
}
