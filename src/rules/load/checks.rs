//! The `[[checks]]` section: expression checks compiled at load time.

use super::*;

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
                None
            }
        }
    }

    pub(super) fn checks(
        &mut self,
        node: Node<'_, '_>,
        fields: &[FieldSpec],
    ) -> Vec<ExprCheckSpec> {
        let Some(items) = node.array(self.diags, "`checks`") else {
            return Vec::new();
        };
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
            let Some(t) = item.table(self.diags, "[[checks]]", &with_meta(&["assert", "when"]))
            else {
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
            let meta = self.meta(
                Some(&t),
                id.clone(),
                assert.to_string(),
                Severity::Error,
                2,
                id_node.span.clone(),
            );
            let assert_offset = string_content_offset(self.diags.source(), &assert_node.span);
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
        out
    }
}
