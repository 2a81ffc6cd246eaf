//! The `[table]` section: the file's columns, the structure's severity,
//! and the table kinds' section ([`TableCx`]).

use super::*;

impl Loader<'_> {
    // ----- [table] -------------------------------------------------------

    pub(super) fn table_defaults(&mut self) -> TableSpec {
        TableSpec {
            unexpected_columns: Some(self.fixed_meta(
                "columns.unexpected",
                Description::UnexpectedColumns,
                Severity::Warning,
                0,
            )),
            missing_columns: Some(self.fixed_meta(
                "columns.missing",
                Description::MissingColumns,
                Severity::Error,
                0,
            )),
            structure: Severity::Error,
            ..Default::default()
        }
    }

    pub(super) fn fixed_meta(
        &mut self,
        id: &str,
        description: Description,
        severity: Severity,
        level: u8,
    ) -> CheckMeta {
        CheckMeta {
            id: id.to_string(),
            description,
            severity,
            max_fail_count: None,
            max_fail_percent: None,
            level,
        }
    }

    /// A check that can be switched off (`"ignore"`), given a severity
    /// (`"warning"`) or configured as a table.
    pub(super) fn switchable(
        &mut self,
        n: Node<'_, '_>,
        what: &str,
        id: &str,
        description: Description,
        default: Severity,
        level: u8,
    ) -> Option<CheckMeta> {
        match n.value {
            DeValue::String(s) if s.eq_ignore_ascii_case("ignore") => None,
            DeValue::String(s) => match Severity::parse(s) {
                Some(sev) => Some(self.fixed_meta(id, description, sev, level)),
                None => {
                    self.diags.error(
                        n.span.clone(),
                        format!("unknown setting `{s}` for {what}"),
                        "unknown setting",
                        Some("use \"error\", \"warning\", \"info\" or \"ignore\"".into()),
                    );
                    None
                }
            },
            DeValue::Boolean(false) => None,
            DeValue::Boolean(true) => Some(self.fixed_meta(id, description, default, level)),
            _ => {
                let t = n.table(self.diags, what, META_KEYS)?;
                let mut meta = self.meta(
                    Some(&t),
                    id.to_string(),
                    description,
                    default,
                    level,
                    n.span.clone(),
                );
                // meta() registered the id; fixed ids are registered below.
                self.ids.pop();
                meta.level = level.max(meta.level);
                Some(meta)
            }
        }
    }

    pub(super) fn table(&mut self, node: Node<'_, '_>, declared: &[&str]) -> TableSpec {
        let mut spec = self.table_defaults();
        // The keys of the file's columns, the kinds' keys (in registry
        // order), then the structure's severity.
        let mut allowed = vec![
            "required_columns",
            "forbidden_columns",
            "unexpected_columns",
            "missing_columns",
        ];
        allowed.extend(
            crate::checks::TABLE_KEYS
                .iter()
                .flat_map(|k| k.iter().copied()),
        );
        allowed.push("structure");
        let Some(t) = node.table(self.diags, "[table]", &allowed) else {
            return spec;
        };
        if let Some(n) = t.get("required_columns") {
            spec.required_columns = n
                .strings(self.diags, "`required_columns`")
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect();
        }
        if let Some(n) = t.get("forbidden_columns") {
            spec.forbidden_columns = n
                .strings(self.diags, "`forbidden_columns`")
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect();
        }
        if let Some(n) = t.get("unexpected_columns") {
            spec.unexpected_columns = self.switchable(
                n,
                "`unexpected_columns`",
                "columns.unexpected",
                Description::UnexpectedColumns,
                Severity::Warning,
                0,
            );
        }
        if let Some(n) = t.get("missing_columns") {
            spec.missing_columns = self.switchable(
                n,
                "`missing_columns`",
                "columns.missing",
                Description::MissingColumns,
                Severity::Error,
                0,
            );
        }
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
        let mut cx = TableCx {
            cx: KindCx { loader: self },
            table: &t,
            declared,
        };
        spec.checks = crate::checks::parse_table(&mut cx);
        spec
    }
}

/// The records of a referenced file: a run's table, or read here.
enum Referenced {
    Table(std::sync::Arc<crate::read::Table>),
    Records(Vec<crate::read::Record>),
}

/// What a table kind's parser sees of `[table]`
/// ([`crate::checks::registry::TableKind::parse`]): the section's table,
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
