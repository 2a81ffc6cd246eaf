//! The `[input]` section: format, delimiter, encoding, key, missing values, caps.

use super::*;

impl Loader<'_> {
    // ----- [input] -------------------------------------------------------

    pub(super) fn input(&mut self, node: Node<'_, '_>) -> InputSpec {
        let mut spec = InputSpec {
            missing_values: DEFAULT_MISSING_VALUES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ..Default::default()
        };
        let Some(t) = node.table(
            self.diags,
            "[input]",
            &[
                "format",
                "delimiter",
                "encoding",
                "key",
                "missing_values",
                "missingValues",
                "table",
                "sheet",
                "max_field_bytes",
                "name",
                "description",
            ],
        ) else {
            return spec;
        };
        let mut read = ReadOptions::default();
        if let Some(n) = t.get("format") {
            if let Some(s) = n.str(self.diags, "`format`") {
                read.format = match s.to_ascii_lowercase().as_str() {
                    "auto" => None,
                    "csv" => Some(InputFormat::Csv),
                    "sqlite" => Some(InputFormat::Sqlite),
                    "xlsx" | "excel" | "xls" | "ods" => Some(InputFormat::Excel),
                    _ => {
                        self.diags.error(
                            n.span.clone(),
                            format!("unknown input format `{s}`"),
                            "unknown format",
                            Some("use \"auto\", \"csv\", \"sqlite\" or \"xlsx\"".into()),
                        );
                        None
                    }
                }
            }
        }
        if let Some(n) = t.get("delimiter") {
            if let Some(s) = n.str(self.diags, "`delimiter`") {
                read.delimiter = match s {
                    "auto" => None,
                    "tab" | "\\t" | "\t" => Some(b'\t'),
                    s if s.len() == 1 && s.is_ascii() => Some(s.as_bytes()[0]),
                    _ => {
                        self.diags.error(
                            n.span.clone(),
                            format!("`{s}` is not a delimiter"),
                            "expected one character",
                            Some("use \"auto\", \";\", \",\", \"tab\" or \"|\"".into()),
                        );
                        None
                    }
                }
            }
        }
        if let Some(n) = t.get("encoding") {
            if let Some(s) = n.str(self.diags, "`encoding`") {
                match EncodingChoice::parse(s) {
                    Some(e) => read.encoding = e,
                    None => self.diags.error(
                        n.span.clone(),
                        format!("unknown encoding `{s}`"),
                        "unknown encoding",
                        Some("use \"auto\", \"utf-8\", \"windows-1252\" or \"iso-8859-1\"".into()),
                    ),
                }
            }
        }
        if let Some(n) = t.get("table") {
            read.table = n.str(self.diags, "`table`").map(str::to_string);
        }
        if let Some(n) = t.get("sheet") {
            read.sheet = n.str(self.diags, "`sheet`").map(str::to_string);
        }
        if let Some(n) = t.get("max_field_bytes") {
            match n.count(self.diags, "`max_field_bytes`") {
                Some(0) => self.diags.error(
                    n.span.clone(),
                    "`max_field_bytes` must be at least 1",
                    "zero",
                    Some(format!(
                        "the default is {} (1 MiB)",
                        crate::read::DEFAULT_MAX_FIELD_BYTES
                    )),
                ),
                Some(x) => read.max_field_bytes = Some(x),
                None => {}
            }
        }
        if let Some(n) = t.get("key") {
            if let Some(v) = n.strings(self.diags, "`key`") {
                spec.key = v.into_iter().map(|(s, _)| s).collect();
            }
        }
        if let Some(n) = t.get_any(&["missing_values", "missingValues"]) {
            if let Some(v) = n.strings(self.diags, "`missing_values`") {
                spec.missing_values = v.into_iter().map(|(s, _)| s).collect();
            }
        }
        spec.read = read;
        spec
    }
}
