//! The `[[checks]]` section: expression checks compiled at load time.

use super::*;
use crate::rules::cross::{CrossCheckSpec, Latest, Reference, Scope, FAMILY_AGGREGATES};

impl Loader<'_> {
    // ----- [[checks]] ----------------------------------------------------

    /// Compiles an expression written in the TOML string at `offset`,
    /// reporting errors at their place in the rule file.
    pub(super) fn expression(
        &mut self,
        source: &str,
        offset: usize,
        env: &Env,
    ) -> Option<Arc<Expr>> {
        match compile_bool(source, env) {
            Ok(e) => Some(Arc::new(e)),
            Err(e) => {
                self.expression_error(e, offset);
                None
            }
        }
    }

    /// Reports an expression's error at its place in the rule file.
    fn expression_error(&mut self, e: crate::expr::ExprError, offset: usize) {
        let e = e.offset(offset);
        let label = if e.span.is_empty() {
            "here"
        } else {
            "this part"
        };
        let span = if e.span.is_empty() {
            e.span.start..e.span.start + 1
        } else {
            e.span.clone()
        };
        self.diags.error(span, e.message, label, e.help);
    }

    /// The qualified names (`anagrafe.X`, `famiglia.x`, `source.X`) of the
    /// expressions `texts` (text, offset), with spans in the rule file; the
    /// record's own columns they read; `None` after a syntax error
    /// (reported).
    fn qualified(&mut self, texts: &[(&str, usize)]) -> Option<(Vec<Reference>, Vec<String>)> {
        let mut refs: Vec<Reference> = Vec::new();
        let mut own = Vec::new();
        for &(text, offset) in texts {
            let names = match crate::expr::references(text) {
                Ok(n) => n,
                Err(e) => {
                    self.expression_error(e, offset);
                    return None;
                }
            };
            for (name, span, quoted) in names {
                let span = span.start + offset..span.end + offset;
                let qualified = if quoted {
                    None
                } else {
                    Reference::parse(&name, span)
                };
                match qualified {
                    Some(r) => {
                        if !refs.iter().any(|x| x.name == r.name) {
                            refs.push(r);
                        }
                    }
                    None => {
                        if !own.contains(&name) {
                            own.push(name);
                        }
                    }
                }
            }
        }
        Some((refs, own))
    }

    /// Checks what a rule file alone can say about a cross-source check:
    /// its own columns are declared, its family aggregates exist, its
    /// `latest` names a source it reads. Returns its `latest` entries.
    fn cross_parts(
        &mut self,
        refs: &[Reference],
        own: &[String],
        texts: &[(&str, usize)],
        latest: Option<Node<'_, '_>>,
        fields: &[FieldSpec],
    ) -> Option<Vec<Latest>> {
        let errors = self.diags.error_count();
        for name in own {
            if fields.iter().any(|f| &f.name == name) {
                continue;
            }
            // The first place the name is written.
            let span = texts.iter().find_map(|&(text, offset)| {
                crate::expr::references(text).ok().and_then(|names| {
                    names
                        .into_iter()
                        .find(|(n, _, _)| n == name)
                        .map(|(_, s, _)| s.start + offset..s.end + offset)
                })
            });
            let declared = fields.iter().map(|f| f.name.as_str());
            let help = match did_you_mean(name, declared) {
                Some(s) => format!("did you mean {s}? A check reads the fields declared in [fields]"),
                None => "declare it in [fields], or name another table's column as anagrafe.COLUMN, famiglia.componenti or SOURCE.COLUMN".to_string(),
            };
            self.diags.error(
                span.unwrap_or(0..0),
                format!("unknown column `{name}`"),
                "not a declared field",
                Some(help),
            );
        }
        for r in refs {
            if r.scope == Scope::Famiglia && !FAMILY_AGGREGATES.iter().any(|(a, _)| *a == r.column)
            {
                let names: Vec<&str> = FAMILY_AGGREGATES.iter().map(|(a, _)| *a).collect();
                let help = match did_you_mean(&r.column, names.iter().copied()) {
                    Some(s) => format!("did you mean famiglia.{s}?"),
                    None => format!(
                        "a family's aggregates are famiglia.{}",
                        names.join(", famiglia.")
                    ),
                };
                self.diags.error(
                    r.span.clone(),
                    format!("unknown family aggregate `{}`", r.name),
                    "not an aggregate",
                    Some(help),
                );
            }
        }
        let mut out = Vec::new();
        if let Some(node) = latest {
            let items = if node.is_array() {
                node.array(self.diags, "`latest`").unwrap_or_default()
            } else {
                vec![node]
            };
            for item in items {
                let Some(text) = item.str(self.diags, "`latest`") else {
                    continue;
                };
                let read = refs.iter().any(|r| match (&r.scope, text.split_once('.')) {
                    (Scope::Source(s), Some((p, _))) => s == p,
                    _ => false,
                });
                match (text.split_once('.'), read) {
                    (Some((source, column)), true) if !column.is_empty() => out.push(Latest {
                        source: source.to_string(),
                        column: column.to_string(),
                        span: item.span.clone(),
                    }),
                    _ => {
                        let sources: Vec<String> = refs
                            .iter()
                            .filter_map(|r| match &r.scope {
                                Scope::Source(s) => Some(format!("\"{s}.DATE_COLUMN\"")),
                                _ => None,
                            })
                            .collect();
                        let help = if sources.is_empty() {
                            "`latest` chooses among the family's records in another source; this check reads none".to_string()
                        } else {
                            format!(
                                "write SOURCE.COLUMN of a source the check reads: {}",
                                sources.join(", ")
                            )
                        };
                        self.diags.error(
                            item.span.clone(),
                            format!("`latest = \"{text}\"` names no source this check reads"),
                            "not a source of the check",
                            Some(help),
                        );
                    }
                }
            }
        }
        (self.diags.error_count() == errors).then_some(out)
    }

    /// The `[[checks]]`: the expression checks, and the cross-source
    /// checks (those that name other tables).
    pub(super) fn checks(
        &mut self,
        node: Node<'_, '_>,
        fields: &[FieldSpec],
    ) -> (Vec<ExprCheckSpec>, Vec<CrossCheckSpec>) {
        let Some(items) = node.array(self.diags, "`checks`") else {
            return (Vec::new(), Vec::new());
        };
        let mut cross = Vec::new();
        let columns: Vec<(String, usize, crate::value::ValueType)> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i, f.field_type.value_type()))
            .collect();
        let functions = crate::identity::functions::registry(self.today);
        let env = Env {
            columns: &columns,
            today: self.today,
            functions: &functions,
        };
        let mut out = Vec::new();
        for item in items {
            let Some(t) = item.table(
                self.diags,
                "[[checks]]",
                &with_meta(&["assert", "when", "latest"]),
            ) else {
                continue;
            };
            let Some(id_node) = t.get("id") else {
                self.diags.error(
                    item.span.clone(),
                    "every check needs an `id`",
                    "no id",
                    Some(
                        "add id = \"a-short-name\": reports and baselines refer to checks by id"
                            .into(),
                    ),
                );
                continue;
            };
            let Some(assert_node) = t.get("assert") else {
                self.diags.error(
                    id_node.span.clone(),
                    "this check has no `assert`",
                    "no assert",
                    Some("add assert = \"DATA_FINE >= DATA_INIZIO\"".into()),
                );
                continue;
            };
            let Some(assert) = assert_node.str(self.diags, "`assert`") else {
                continue;
            };
            let when = match t.get("when") {
                Some(w) => w.str(self.diags, "`when`").map(|s| {
                    (
                        s.to_string(),
                        string_content_offset(self.diags.source(), &w.span),
                    )
                }),
                None => None,
            };
            let id = id_node.str(self.diags, "`id`").unwrap_or("").to_string();
            let assert_offset = string_content_offset(self.diags.source(), &assert_node.span);
            let mut texts = vec![(assert, assert_offset)];
            if let Some((w, o)) = &when {
                texts.push((w.as_str(), *o));
            }
            let Some((refs, own)) = self.qualified(&texts) else {
                continue;
            };
            let meta = self.meta(
                Some(&t),
                id.clone(),
                Description::Written(assert.to_string()),
                Severity::Error,
                if refs.is_empty() { 2 } else { 3 },
                id_node.span.clone(),
            );
            if !refs.is_empty() {
                if let Some(latest) = self.cross_parts(&refs, &own, &texts, t.get("latest"), fields)
                {
                    cross.push(CrossCheckSpec {
                        meta,
                        assert: assert.to_string(),
                        assert_offset,
                        when_offset: when.as_ref().map(|(_, o)| *o),
                        when: when.map(|(s, _)| s),
                        references: refs,
                        latest,
                        columns: own,
                    });
                }
                continue;
            }
            if let Some(l) = t.get("latest") {
                self.diags.error(
                    l.span.clone(),
                    "`latest` applies only to a check that reads another source",
                    "not a cross-source check",
                    Some("remove it, or name the other source's column in the check, e.g. isee.VALORE_ISEE".into()),
                );
                continue;
            }
            let assert_expr = self.expression(assert, assert_offset, &env);
            let when_expr = match &when {
                Some((w, offset)) => match self.expression(w, *offset, &env) {
                    Some(e) => Some(e),
                    None => continue,
                },
                None => None,
            };
            let Some(assert_expr) = assert_expr else {
                continue;
            };
            out.push(ExprCheckSpec {
                meta,
                assert: assert.to_string(),
                assert_offset,
                when_offset: when.as_ref().map(|(_, o)| *o),
                when: when.map(|(s, _)| s),
                assert_expr,
                when_expr,
            });
        }
        (out, cross)
    }
}
