//! The `[fields]` section: types, constraints, code lists, bounds.

use super::*;

impl Loader<'_> {
    // ----- [fields] ------------------------------------------------------

    pub(super) fn fields(&mut self, node: Node<'_, '_>) -> Vec<FieldSpec> {
        let Some(t) = node.open_table(self.diags, "[fields]") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut seen: Vec<(&str, Range<usize>)> = Vec::new();
        for (name, key_span, value) in t.entries() {
            // SQLite (the datamart) and most tools take column names
            // case-insensitively: `note` and `NOTE` would be one column.
            if let Some((other, _)) = seen.iter().find(|(o, _)| o.eq_ignore_ascii_case(name)) {
                self.diags.error(
                    key_span.clone(),
                    format!(
                        "columns `{other}` and `{name}` differ only in case: the datamart cannot hold both"
                    ),
                    format!("clashes with `{other}`"),
                    Some(format!(
                        "column names are compared without case in the datamart (SQLite); rename one of `{other}` and `{name}` in the extract and here"
                    )),
                );
            }
            seen.push((name, key_span.clone()));
            if let Some(f) = self.field(name, key_span, value) {
                out.push(f);
            }
        }
        out
    }

    pub(super) fn field(
        &mut self,
        name: &str,
        key_span: Range<usize>,
        node: Node<'_, '_>,
    ) -> Option<FieldSpec> {
        /// The keys of a field's table that are no check kind's.
        const KEYS: &[&str] = &[
            "type",
            "description",
            "title",
            "format",
            "decimal_separator",
            "decimalChar",
            "thousands_separator",
            "groupChar",
            "true_values",
            "trueValues",
            "false_values",
            "falseValues",
            "missing_values",
            "missingValues",
            "pii",
            "provisional",
            "datamart",
        ];
        let mut allowed: Vec<&str> = KEYS[..3].to_vec();
        allowed.extend(
            crate::checks::FIELD_KEYS
                .iter()
                .flat_map(|k| k.iter().copied()),
        );
        allowed.extend_from_slice(&KEYS[3..]);
        let what = format!("[fields.{name}]");
        let t = node.table(self.diags, &what, &allowed)?;
        let field_type = self.field_type(name, &t);
        let description = t
            .get_any(&["description", "title"])
            .and_then(|n| n.str(self.diags, "`description`"))
            .map(str::to_string);
        let pii = match t.get("pii") {
            Some(n) => n.bool(self.diags, "`pii`").unwrap_or(true),
            None => true,
        };
        let missing_values = t
            .get_any(&["missing_values", "missingValues"])
            .and_then(|n| n.strings(self.diags, "`missing_values`"))
            .map(|v| v.into_iter().map(|(s, _)| s).collect());
        let datamart = t.get("datamart").and_then(|n| {
            let span = n.span.clone();
            let text = n.str(self.diags, "`datamart`")?.to_string();
            let parsed = DatamartColumn::parse(&text);
            if parsed.is_none() {
                let names = DatamartColumn::NAMES;
                let help = match did_you_mean(&text, names.iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"? One of: keep, drop, pseudonymise"),
                    None => "one of: keep, drop, pseudonymise".to_string(),
                };
                self.diags.error(
                    span,
                    format!("unknown datamart treatment `{text}` for field {name}"),
                    "unknown treatment",
                    Some(help),
                );
            }
            parsed
        });
        let mut cx = FieldCx {
            cx: KindCx { loader: self },
            name,
            field_type: &field_type,
            table: &t,
            key_span,
        };
        let constraints = crate::checks::parse_field(&mut cx);
        Some(FieldSpec {
            name: name.to_string(),
            field_type,
            description,
            pii,
            missing_values,
            constraints,
            datamart,
        })
    }

    /// A constraint written as a scalar or as a table holding `value` (or
    /// one of `value_keys`) plus meta keys. Returns the value node (absent
    /// when the table has none) and the table.
    pub(super) fn value_or_table<'a, 'i>(
        &mut self,
        n: Node<'a, 'i>,
        what: &str,
        value_keys: &[&'static str],
    ) -> (Option<Node<'a, 'i>>, Option<Table<'a, 'i>>) {
        if n.is_table() {
            let mut allowed = with_meta(value_keys);
            allowed.push("value");
            let table = n.table(self.diags, &format!("`{what}`"), &allowed);
            let value = table.as_ref().and_then(|t| {
                let mut keys = vec!["value"];
                keys.extend_from_slice(value_keys);
                t.get_any(&keys)
            });
            if value.is_none() {
                self.diags.error(
                    n.span.clone(),
                    format!("`{what}` written as a table needs a `value`"),
                    "no value",
                    Some(format!(
                        "e.g. {what} = {{ value = …, severity = \"warning\" }}"
                    )),
                );
            }
            (value, table)
        } else {
            (Some(n), None)
        }
    }

    /// A boolean constraint: `true`/`false`, or a table (meaning true unless
    /// it says `value = false`).
    pub(super) fn flag<'a, 'i>(
        &mut self,
        n: Node<'a, 'i>,
        what: &str,
        extra: &[&'static str],
    ) -> Option<(bool, Option<Table<'a, 'i>>)> {
        if n.is_table() {
            let mut allowed = with_meta(extra);
            allowed.push("value");
            let t = n.table(self.diags, what, &allowed)?;
            let on = match t.get("value") {
                Some(v) => v.bool(self.diags, what)?,
                None => true,
            };
            Some((on, Some(t)))
        } else {
            n.bool(self.diags, what).map(|b| (b, None))
        }
    }

    pub(super) fn field_type(&mut self, name: &str, t: &Table<'_, '_>) -> FieldType {
        let type_node = t.get("type");
        let type_name = type_node
            .clone()
            .and_then(|n| n.str(self.diags, "`type`"))
            .unwrap_or("string")
            .to_ascii_lowercase();
        let formats = |loader: &mut Loader, defaults: &[&str], kind: &str| -> Vec<String> {
            match t.get("format") {
                Some(n) => {
                    match n.strings(loader.diags, "`format`") {
                        Some(v) => {
                            let mut out = Vec::new();
                            for (f, span) in v {
                                if !f.contains('%') {
                                    loader.diags.error(
                                    span,
                                    format!("`{f}` is not a {kind} format"),
                                    "no % directives",
                                    Some("write formats strftime-style: \"%d/%m/%Y\", \"%Y-%m-%d\"".into()),
                                );
                                }
                                out.push(f);
                            }
                            out
                        }
                        None => Vec::new(),
                    }
                }
                None => defaults.iter().map(|s| s.to_string()).collect(),
            }
        };
        let separator =
            |loader: &mut Loader, keys: &[&str], allowed: &[&str]| -> Option<Option<char>> {
                let n = t.get_any(keys)?;
                let s = n.str(loader.diags, &format!("`{}`", keys[0]))?;
                if s.is_empty() {
                    return Some(None);
                }
                if !allowed.contains(&s) {
                    loader.diags.error(
                        n.span.clone(),
                        format!("`{s}` cannot be used as {}", keys[0].replace('_', " ")),
                        "unsupported separator",
                        Some(format!(
                            "use one of: {}",
                            allowed
                                .iter()
                                .map(|a| format!("{a:?}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                    return Some(None);
                }
                Some(s.chars().next())
            };
        let ty = match type_name.as_str() {
            "string" | "text" => FieldType::String,
            "integer" => FieldType::Integer {
                thousands: separator(
                    self,
                    &["thousands_separator", "groupChar"],
                    &[".", ",", " ", "'"],
                )
                .flatten(),
            },
            "decimal" | "number" => {
                let decimal = separator(self, &["decimal_separator", "decimalChar"], &[".", ","])
                    .flatten()
                    .unwrap_or('.');
                let thousands = separator(
                    self,
                    &["thousands_separator", "groupChar"],
                    &[".", ",", " ", "'"],
                )
                .flatten();
                if thousands == Some(decimal) {
                    if let Some(n) = t.get_any(&["thousands_separator", "groupChar"]) {
                        self.diags.error(
                            n.span.clone(),
                            "the thousands separator is the same as the decimal separator",
                            "same as decimal_separator",
                            Some("with decimal_separator = \",\" the thousands separator is usually \".\"".into()),
                        );
                    }
                }
                FieldType::Decimal { decimal, thousands }
            }
            "date" => {
                let list = formats(self, DEFAULT_DATE_FORMATS, "date");
                match DateFormats::new(&list) {
                    Ok(parser) => FieldType::Date {
                        formats: list,
                        parser,
                        reference: self.today,
                    },
                    Err(e) => {
                        if let Some(n) = t.get("format") {
                            self.diags.error(
                                n.span.clone(),
                                format!("the date format `{}` cannot be used: {}", e.format, e.reason),
                                "bad format",
                                Some("use strftime directives: %d day, %m month, %Y four-digit year, %y two-digit year".into()),
                            );
                        }
                        FieldType::String
                    }
                }
            }
            "codice_fiscale" | "cf" => {
                let provisional = match t.get("provisional") {
                    Some(n) => n.bool(self.diags, "`provisional`").unwrap_or(true),
                    None => true,
                };
                FieldType::CodiceFiscale {
                    provisional,
                    reference: self.today,
                }
            }
            "partita_iva" => FieldType::PartitaIva,
            "cap" => FieldType::Cap,
            "istat_comune" => FieldType::IstatComune,
            "belfiore" => FieldType::Belfiore,
            "isee_protocol" | "dsu_protocol" => FieldType::IseeProtocol {
                reference: self.today,
            },
            "sex" | "sesso" => FieldType::Sex,
            "datetime" => FieldType::DateTime {
                formats: formats(self, DEFAULT_DATETIME_FORMATS, "datetime"),
            },
            "boolean" | "bool" => {
                let list = |loader: &mut Loader, keys: &[&str], default: &[&str]| -> Vec<String> {
                    match t
                        .get_any(keys)
                        .and_then(|n| n.strings(loader.diags, &format!("`{}`", keys[0])))
                    {
                        Some(v) => v.into_iter().map(|(s, _)| s).collect(),
                        None => default.iter().map(|s| s.to_string()).collect(),
                    }
                };
                FieldType::Boolean {
                    true_values: list(self, &["true_values", "trueValues"], DEFAULT_TRUE),
                    false_values: list(self, &["false_values", "falseValues"], DEFAULT_FALSE),
                }
            }
            other => {
                let names: Vec<&str> = crate::types::TYPE_NAMES.iter().map(|(n, _)| *n).collect();
                let help = match did_you_mean(other, names.iter().copied()) {
                    Some(s) => format!("did you mean \"{s}\"? The types are: {}", names.join(", ")),
                    None => format!("the types are: {}", names.join(", ")),
                };
                if let Some(n) = type_node {
                    self.diags.error(
                        n.span,
                        format!("unknown type `{other}` for field {name}"),
                        "unknown type",
                        Some(help),
                    );
                }
                FieldType::String
            }
        };
        // Options that make no sense for the type.
        let date_like = matches!(ty, FieldType::Date { .. } | FieldType::DateTime { .. });
        if !date_like {
            if let Some(span) = t.key_span("format") {
                self.diags.error(
                    span,
                    format!(
                        "`format` applies to date and datetime fields; {name} is {}",
                        ty.name()
                    ),
                    "not a date field",
                    Some("set type = \"date\" or remove `format`".into()),
                );
            }
        }
        if !matches!(ty, FieldType::Decimal { .. }) {
            if let Some(span) = t
                .key_span("decimal_separator")
                .or_else(|| t.key_span("decimalChar"))
            {
                self.diags.error(
                    span,
                    format!(
                        "`decimal_separator` applies to decimal fields; {name} is {}",
                        ty.name()
                    ),
                    "not a decimal field",
                    Some("set type = \"decimal\"".into()),
                );
            }
        }
        ty
    }

    /// The diagnostic for a file mentioned while references are not read.
    pub(super) fn never_read(&mut self, span: Range<usize>, path: &Path) {
        self.diags.error(
            span,
            format!("{} is not read here", path.display()),
            "file reference",
            Some("files named in rule files are only read when the rules load from a file".into()),
        );
    }

    /// Reads a code list: the given column (or the first) of a CSV file.
    pub(super) fn code_list(
        &mut self,
        file: &str,
        span: Range<usize>,
        column: Option<(String, Range<usize>)>,
    ) -> Option<Vec<String>> {
        let path = self.base.join(file);
        if self.references == References::Never {
            self.never_read(span, &path);
            return None;
        }
        let (source, records) = match crate::read::read_all(&path, &ReadOptions::default()) {
            Ok(r) => r,
            Err(e) => {
                self.diags.error(
                    span,
                    format!("cannot read the code list {}: {e}", path.display()),
                    "unreadable file",
                    Some("paths are relative to the rule file".into()),
                );
                return None;
            }
        };
        let idx = match &column {
            Some((c, cspan)) => match source.header.columns.iter().position(|h| h == c) {
                Some(i) => i,
                None => {
                    let help = did_you_mean(c, source.header.columns.iter().map(String::as_str))
                        .map(|s| format!("did you mean {s}? "))
                        .unwrap_or_default();
                    self.diags.error(
                        cspan.clone(),
                        format!("the code list {} has no column {c}", path.display()),
                        "unknown column",
                        Some(format!(
                            "{help}its columns are: {}",
                            source.header.columns.join(", ")
                        )),
                    );
                    return None;
                }
            },
            None => 0,
        };
        Some(
            records
                .iter()
                .filter_map(|r| r.fields.get(idx).map(|s| s.trim().to_string()))
                .filter(|s| !s.is_empty())
                .collect(),
        )
    }

    pub(super) fn bound(
        &mut self,
        name: &str,
        n: Node<'_, '_>,
        dates: Option<bool>,
    ) -> Option<Bound> {
        match dates {
            None => {
                self.diags.error(
                    n.span.clone(),
                    format!("ranges apply to numbers and dates, and {name} is neither"),
                    "not a number or date field",
                    Some("declare the field's type (integer, decimal, date), or use min_length/max_length for text".into()),
                );
                None
            }
            Some(false) => n
                .number(self.diags, "a bound of a number field")
                .map(Bound::Number),
            Some(true) => {
                let text = match n.value {
                    DeValue::String(s) => s.to_string(),
                    DeValue::Datetime(_) => scalar_text(n.value),
                    _ => {
                        self.diags.error(
                            n.span.clone(),
                            format!("a bound of the date field {name} must be a date"),
                            "expected a date",
                            Some("write \"2005-01-01\", \"today\" or \"today - 18y\"".into()),
                        );
                        return None;
                    }
                };
                match date_bound(&text, self.today) {
                    Some(d) => Some(Bound::Date(d)),
                    None => {
                        self.diags.error(
                            n.span.clone(),
                            format!("`{text}` is not a date"),
                            "expected a date",
                            Some("write \"2005-01-01\", \"today\", \"today - 18y\", \"today + 6m\" or \"today - 30d\"".into()),
                        );
                        None
                    }
                }
            }
        }
    }
}

/// What a check kind's parser sees of a field
/// ([`crate::checks::registry::FieldKind::parse`]): its name, type and table,
/// and the loader's services (check identity, diagnostics, code lists,
/// date bounds; the shared ones through [`KindCx`]).
pub(crate) struct FieldCx<'c, 'd, 'a, 'i> {
    cx: KindCx<'c, 'd>,
    /// The field's name.
    pub name: &'c str,
    /// Its declared type.
    pub field_type: &'c FieldType,
    /// Its table, `[fields.NAME]`.
    pub table: &'c Table<'a, 'i>,
    /// The span of its name, for checks that no key of their own asks for.
    pub key_span: Range<usize>,
}

impl<'c, 'd> std::ops::Deref for FieldCx<'c, 'd, '_, '_> {
    type Target = KindCx<'c, 'd>;

    fn deref(&self) -> &KindCx<'c, 'd> {
        &self.cx
    }
}

impl<'c, 'd> std::ops::DerefMut for FieldCx<'c, 'd, '_, '_> {
    fn deref_mut(&mut self) -> &mut KindCx<'c, 'd> {
        &mut self.cx
    }
}

impl<'a, 'i> FieldCx<'_, '_, 'a, 'i> {
    /// A kind switched on by `key = true` (or a table, true unless it says
    /// `value = false`): its check's identity, `{field}.{key}`, when on.
    pub fn switch<D: Into<Description>>(
        &mut self,
        kind: &CheckKind,
        key: &str,
        description: impl FnOnce(String) -> D,
    ) -> Option<CheckMeta> {
        let n = self.table.get(key)?;
        let span = n.span.clone();
        let (true, table) = self.flag(n, &format!("`{key}`"))? else {
            return None;
        };
        let field = self.name.to_string();
        let id = format!("{field}.{key}");
        Some(self.meta(kind, table.as_ref(), id, description(field), span))
    }

    /// A text written `key = "…"` or `key = { value = "…", … }`: the text,
    /// the span of its value and of the whole key's value, and the table.
    /// `None` when the key is absent or its value not a string (reported).
    pub fn text(&mut self, key: &str) -> Option<Text<'a, 'i>> {
        let n = self.table.get(key)?;
        let span = n.span.clone();
        let (value, table) = self.value_or_table(n, key, &[]);
        let value = value?;
        let text = value.str(self.diags(), &format!("`{key}`"))?;
        Some(Text {
            text,
            value_span: value.span.clone(),
            span,
            table,
        })
    }

    /// See [`Loader::value_or_table`]: a scalar, or a table with `value`
    /// (or one of `value_keys`) and the check's identity keys.
    pub fn value_or_table(
        &mut self,
        n: Node<'a, 'i>,
        what: &str,
        value_keys: &[&'static str],
    ) -> (Option<Node<'a, 'i>>, Option<Table<'a, 'i>>) {
        self.cx.loader.value_or_table(n, what, value_keys)
    }

    /// A bound of a range: a number, or a date when `dates` (`None`: the
    /// field is neither, an error).
    pub fn bound(&mut self, n: Node<'_, '_>, dates: Option<bool>) -> Option<Bound> {
        self.cx.loader.bound(self.name, n, dates)
    }

    /// The values of a code list: `column` (or the first) of `file`,
    /// relative to the rule file.
    pub fn code_list(
        &mut self,
        file: &str,
        span: Range<usize>,
        column: Option<(String, Range<usize>)>,
    ) -> Option<Vec<String>> {
        self.cx.loader.code_list(file, span, column)
    }
}

/// A constraint's text, as [`FieldCx::text`] reads it.
pub(crate) struct Text<'a, 'i> {
    /// The text.
    pub text: &'a str,
    /// The span of the text.
    pub value_span: Range<usize>,
    /// The span of the key's whole value (the table, when it is one).
    pub span: Range<usize>,
    /// The table, when the constraint is written as one.
    pub table: Option<Table<'a, 'i>>,
}
