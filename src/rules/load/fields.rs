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
        const KEYS: &[&str] = &[
            "type",
            "description",
            "title",
            "required",
            "unique",
            "enum",
            "pattern",
            "minimum",
            "maximum",
            "range",
            "min_length",
            "minLength",
            "max_length",
            "maxLength",
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
            "completeness",
            "pii",
            "valid",
            "provisional",
            "place_in_use",
            "datamart",
        ];
        let what = format!("[fields.{name}]");
        let t = node.table(self.diags, &what, KEYS)?;
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
        let mut constraints = Vec::new();

        // required
        if let Some(n) = t.get("required") {
            if let Some((on, table)) = self.flag(n.clone(), "`required`", &[]) {
                if on {
                    let meta = self.meta(
                        table.as_ref(),
                        format!("{name}.required"),
                        Description::Required {
                            field: name.to_string(),
                        },
                        Severity::Error,
                        1,
                        n.span.clone(),
                    );
                    constraints.push(FieldConstraint {
                        kind: Constraint::Required,
                        meta,
                    });
                }
            }
        }
        // valid (type check), for every type but string
        if !matches!(field_type, FieldType::String) || t.get("valid").is_some() {
            let table = match t.get("valid") {
                Some(n) => n.table(self.diags, "`valid`", META_KEYS),
                None => None,
            };
            let span = t.key_span("type").unwrap_or(key_span.clone());
            let meta = self.meta(
                table.as_ref(),
                format!("{name}.valid"),
                Description::Valid {
                    field: name.to_string(),
                    type_name: field_type.name().to_string(),
                },
                Severity::Error,
                1,
                span,
            );
            constraints.push(FieldConstraint {
                kind: Constraint::Valid,
                meta,
            });
        }
        // place_in_use: on by default for a codice fiscale
        if let FieldType::CodiceFiscale { reference, .. } = &field_type {
            let (on, table, span) = match t.get("place_in_use") {
                Some(n) => {
                    let span = n.span.clone();
                    match self.flag(n, "`place_in_use`", &[]) {
                        Some((on, table)) => (on, table, span),
                        None => (false, None, span),
                    }
                }
                None => (true, None, t.key_span("type").unwrap_or(key_span.clone())),
            };
            if on {
                let meta = self.meta(
                    table.as_ref(),
                    format!("{name}.place_in_use"),
                    Description::PlaceInUse {
                        field: name.to_string(),
                    },
                    Severity::Error,
                    1,
                    span,
                );
                constraints.push(FieldConstraint {
                    kind: Constraint::PlaceInUse {
                        reference: *reference,
                    },
                    meta,
                });
            }
        }
        // unique
        if let Some(n) = t.get("unique") {
            if let Some((on, table)) = self.flag(n.clone(), "`unique`", &[]) {
                if on {
                    let meta = self.meta(
                        table.as_ref(),
                        format!("{name}.unique"),
                        Description::UniqueValue {
                            field: name.to_string(),
                        },
                        Severity::Error,
                        1,
                        n.span.clone(),
                    );
                    constraints.push(FieldConstraint {
                        kind: Constraint::Unique,
                        meta,
                    });
                }
            }
        }
        // enum
        if let Some(n) = t.get("enum") {
            if let Some(c) = self.enum_constraint(name, n) {
                constraints.push(c);
            }
        }
        // pattern
        if let Some(n) = t.get("pattern") {
            if let Some(c) = self.pattern(name, n) {
                constraints.push(c);
            }
        }
        // ranges
        let bound_kind = match field_type {
            FieldType::Integer { .. } | FieldType::Decimal { .. } => Some(false),
            FieldType::Date { .. } | FieldType::DateTime { .. } => Some(true),
            _ => None,
        };
        for (key, is_min) in [("minimum", true), ("maximum", false)] {
            if let Some(n) = t.get(key) {
                if let Some(c) = self.single_bound(name, key, is_min, n, bound_kind) {
                    constraints.push(c);
                }
            }
        }
        if let Some(n) = t.get("range") {
            if let Some(c) = self.range(name, n, bound_kind) {
                constraints.push(c);
            }
        }
        // lengths
        for (keys, is_min) in [
            (["min_length", "minLength"], true),
            (["max_length", "maxLength"], false),
        ] {
            if let Some(n) = t.get_any(&keys) {
                let (value_node, table) = self.value_or_table(n.clone(), keys[0], &["value"]);
                if let Some(v) =
                    value_node.and_then(|v| v.count(self.diags, &format!("`{}`", keys[0])))
                {
                    let (desc, id) = if is_min {
                        (
                            Description::MinLength {
                                field: name.to_string(),
                                min: v,
                            },
                            format!("{name}.min_length"),
                        )
                    } else {
                        (
                            Description::MaxLength {
                                field: name.to_string(),
                                max: v,
                            },
                            format!("{name}.max_length"),
                        )
                    };
                    let meta =
                        self.meta(table.as_ref(), id, desc, Severity::Error, 1, n.span.clone());
                    let kind = if is_min {
                        Constraint::Length {
                            min: Some(v),
                            max: None,
                        }
                    } else {
                        Constraint::Length {
                            min: None,
                            max: Some(v),
                        }
                    };
                    constraints.push(FieldConstraint { kind, meta });
                }
            }
        }
        // completeness
        if let Some(n) = t.get("completeness") {
            let (value_node, table) =
                self.value_or_table(n.clone(), "completeness", &["min_percent"]);
            if let Some(p) = value_node.and_then(|v| v.percent(self.diags, "`completeness`")) {
                let meta = self.meta(
                    table.as_ref(),
                    format!("{name}.completeness"),
                    Description::Completeness {
                        field: name.to_string(),
                        percent: p,
                    },
                    Severity::Error,
                    1,
                    n.span.clone(),
                );
                constraints.push(FieldConstraint {
                    kind: Constraint::Completeness { min_percent: p },
                    meta,
                });
            }
        }
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

    pub(super) fn enum_constraint(
        &mut self,
        name: &str,
        n: Node<'_, '_>,
    ) -> Option<FieldConstraint> {
        let mut ignore_case = false;
        let (values, table): (Vec<String>, Option<Table>) = if n.is_table() {
            let t = n.table(
                self.diags,
                "`enum`",
                &with_meta(&["values", "file", "column", "ignore_case"]),
            )?;
            if let Some(ic) = t.get("ignore_case") {
                ignore_case = ic.bool(self.diags, "`ignore_case`").unwrap_or(false);
            }
            let values = match (t.get("values"), t.get("file")) {
                (Some(v), None) => v
                    .strings(self.diags, "`values`")?
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect(),
                (None, Some(f)) => {
                    let file = f.str(self.diags, "`file`")?;
                    let column = match t.get("column") {
                        Some(c) => {
                            Some((c.str(self.diags, "`column`")?.to_string(), c.span.clone()))
                        }
                        None => None,
                    };
                    self.code_list(file, f.span.clone(), column)?
                }
                _ => {
                    self.diags.error(
                        n.span.clone(),
                        "`enum` needs either `values` or `file`",
                        "no values",
                        Some("enum = [\"A\", \"B\"] or enum = { file = \"codes.csv\", column = \"CODE\" }".into()),
                    );
                    return None;
                }
            };
            (values, Some(t))
        } else {
            (
                n.strings(self.diags, "`enum`")?
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect(),
                None,
            )
        };
        if values.is_empty() {
            self.diags.error(
                n.span.clone(),
                "`enum` lists no values",
                "empty",
                Some("list the allowed values".into()),
            );
            return None;
        }
        let preview = {
            let mut p: Vec<&str> = values.iter().take(8).map(String::as_str).collect();
            if values.len() > 8 {
                p.push("…");
            }
            p.join(", ")
        };
        let set: HashSet<String> = values
            .iter()
            .map(|v| {
                if ignore_case {
                    v.to_uppercase()
                } else {
                    v.clone()
                }
            })
            .collect();
        let meta = self.meta(
            table.as_ref(),
            format!("{name}.enum"),
            Description::Allowed {
                field: name.to_string(),
            },
            Severity::Error,
            1,
            n.span.clone(),
        );
        Some(FieldConstraint {
            kind: Constraint::Enum {
                values: Arc::new(set),
                preview,
                ignore_case,
            },
            meta,
        })
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

    pub(super) fn pattern(&mut self, name: &str, n: Node<'_, '_>) -> Option<FieldConstraint> {
        let (value, table) = self.value_or_table(n.clone(), "pattern", &[]);
        let value = value?;
        let source = value.str(self.diags, "`pattern`")?;
        let anchored = format!("^(?:{source})$");
        let regex = match regex::RegexBuilder::new(&anchored)
            .size_limit(1 << 22)
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                let detail = e.to_string();
                let last = detail
                    .lines()
                    .rfind(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                self.diags.error(
                    value.span.clone(),
                    format!("the pattern of {name} is not a valid regular expression: {last}"),
                    "invalid regex",
                    Some("patterns use Rust regex syntax and must match the whole value; backslashes need doubling in \"…\" strings (or use '…')".into()),
                );
                return None;
            }
        };
        let meta = self.meta(
            table.as_ref(),
            format!("{name}.pattern"),
            Description::Pattern {
                field: name.to_string(),
                pattern: source.to_string(),
            },
            Severity::Error,
            1,
            n.span.clone(),
        );
        Some(FieldConstraint {
            kind: Constraint::Pattern {
                regex,
                source: source.to_string(),
            },
            meta,
        })
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

    pub(super) fn single_bound(
        &mut self,
        name: &str,
        key: &str,
        is_min: bool,
        n: Node<'_, '_>,
        dates: Option<bool>,
    ) -> Option<FieldConstraint> {
        let (value, table) = self.value_or_table(n.clone(), key, &[]);
        let b = self.bound(name, value?, dates)?;
        let desc = Description::Range {
            field: name.to_string(),
            min: is_min.then(|| b.to_string()),
            max: (!is_min).then(|| b.to_string()),
        };
        let meta = self.meta(
            table.as_ref(),
            format!("{name}.{key}"),
            desc,
            Severity::Error,
            1,
            n.span.clone(),
        );
        let kind = if is_min {
            Constraint::Range {
                min: Some(b),
                max: None,
            }
        } else {
            Constraint::Range {
                min: None,
                max: Some(b),
            }
        };
        Some(FieldConstraint { kind, meta })
    }

    pub(super) fn range(
        &mut self,
        name: &str,
        n: Node<'_, '_>,
        dates: Option<bool>,
    ) -> Option<FieldConstraint> {
        let t = n.table(self.diags, "`range`", &with_meta(&["min", "max"]))?;
        let min = t.get("min").and_then(|m| self.bound(name, m, dates));
        let max = t.get("max").and_then(|m| self.bound(name, m, dates));
        if min.is_none() && max.is_none() {
            if t.get("min").is_none() && t.get("max").is_none() {
                self.diags.error(
                    n.span.clone(),
                    "`range` needs `min`, `max` or both",
                    "empty range",
                    None,
                );
            }
            return None;
        }
        let desc = Description::Range {
            field: name.to_string(),
            min: min.as_ref().map(|a| a.to_string()),
            max: max.as_ref().map(|b| b.to_string()),
        };
        let meta = self.meta(
            Some(&t),
            format!("{name}.range"),
            desc,
            Severity::Error,
            1,
            n.span.clone(),
        );
        Some(FieldConstraint {
            kind: Constraint::Range { min, max },
            meta,
        })
    }
}
