#![doc = include_str!("docs/allowed_values.md")]

use std::collections::HashSet;

use super::CheckKind;
use crate::rules::Severity;

/// This check kind.
pub const KIND: CheckKind = CheckKind {
    code: "VG104",
    name: "enum",
    level: 1,
    default_severity: Severity::Error,
    summary: "the value is one of an allowed list",
    doc: include_str!("docs/allowed_values.md"),
};

/// Whether `text` is allowed. With `ignore_case`, `values` must hold
/// uppercase entries.
pub fn allowed(text: &str, values: &HashSet<String>, ignore_case: bool) -> bool {
    if ignore_case {
        values.contains(&text.to_uppercase())
    } else {
        values.contains(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership() {
        let v: HashSet<String> = ["A", "B"].iter().map(|s| s.to_string()).collect();
        assert!(allowed("A", &v, false));
        assert!(!allowed("a", &v, false));
        assert!(allowed("a", &v, true));
        assert!(!allowed("C", &v, true));
    }
}
