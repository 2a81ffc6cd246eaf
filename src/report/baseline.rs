//! Comparing a run with a baseline `summary.json`: the CI gate on changes to
//! a source system's extraction.
//!
//! A regression is a check whose failure rate grew by more than the
//! tolerance (in percentage points), or a field whose completeness fell by
//! more than the tolerance. Checks and fields that are new are not
//! regressions (their own gates judge them); a source that the baseline
//! does not have stops the run ([`ensure_sources`]): a gate that compares
//! nothing must not pass silently.

use std::path::Path;

use super::summary::{Regression, Summary};
use crate::validate::Verdict;

/// Why a baseline could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read the baseline {path}: {source}")]
    #[diagnostic(
        code(vaglio::baseline::io),
        help("pass the summary.json of an earlier accepted run")
    )]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not a summary.
    #[error("the baseline {path} is not a vaglio summary.json: {message}")]
    #[diagnostic(
        code(vaglio::baseline::format),
        help("pass the summary.json written by `vaglio check --out DIR`")
    )]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// A source of the run that the baseline does not have.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the baseline {path} has no source named {source_name:?}: nothing to compare it with")]
#[diagnostic(code(vaglio::baseline::no_source), help("{help}"))]
pub struct MissingSource {
    /// The baseline file.
    pub path: String,
    /// The source of this run.
    pub source_name: String,
    /// What to do, with the names the baseline has.
    pub help: String,
}

/// Checks that the baseline has every source of the run (by name: the rule
/// file's `name`, else the file name).
pub fn ensure_sources(
    baseline: &Summary,
    path: &Path,
    sources: &[String],
) -> Result<(), MissingSource> {
    let Some(missing) = sources
        .iter()
        .find(|n| !baseline.sources.iter().any(|s| &s.name == *n))
    else {
        return Ok(());
    };
    let names: Vec<String> = baseline
        .sources
        .iter()
        .map(|s| format!("{:?}", s.name))
        .collect();
    let has = if names.is_empty() {
        "it has no source".to_string()
    } else {
        format!("it has {}", names.join(", "))
    };
    Err(MissingSource {
        path: path.display().to_string(),
        source_name: missing.clone(),
        help: format!(
            "{has}. A source is named by its rule file's `name` (else by its file name): set `name` in the rule file so that every delivery has the same, or pass the summary.json of a run of the same extract"
        ),
    })
}

/// Reads a baseline summary.
pub fn load(path: &Path) -> Result<Summary, BaselineError> {
    let text = crate::read::read_regular_text(path).map_err(|source| BaselineError::Io {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| BaselineError::Format {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// The regressions of `current` against `previous`, with `tolerance` in
/// percentage points.
pub fn compare(previous: &Summary, current: &Summary, tolerance: f64) -> Vec<Regression> {
    let mut out = Vec::new();
    for src in &current.sources {
        let Some(old) = previous.sources.iter().find(|s| s.name == src.name) else {
            continue;
        };
        for check in &src.checks {
            let Some(prev) = old.checks.iter().find(|c| c.id == check.id) else {
                continue;
            };
            if check.verdict == Verdict::Skipped || prev.verdict == Verdict::Skipped {
                continue;
            }
            if check.failed_percent > prev.failed_percent + tolerance {
                out.push(Regression::new(
                    src.name.clone(),
                    check.id.clone(),
                    "failed_percent",
                    prev.failed_percent,
                    check.failed_percent,
                ));
            }
        }
        for field in &src.fields {
            let Some(prev) = old.fields.iter().find(|f| f.name == field.name) else {
                continue;
            };
            if prev.present && field.completeness + tolerance < prev.completeness {
                out.push(Regression::new(
                    src.name.clone(),
                    format!("field:{}", field.name),
                    "completeness",
                    prev.completeness,
                    field.completeness,
                ));
            }
        }
    }
    out
}
