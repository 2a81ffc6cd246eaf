//! Comparing a run with a baseline `summary.json`: the CI gate on changes to
//! a source system's extraction.
//!
//! A regression is a check whose failure rate grew by more than the
//! tolerance (in percentage points), or a field whose completeness fell by
//! more than the tolerance. Checks and fields that are new, or sources not
//! in the baseline, are not regressions (their own gates judge them).

use std::path::Path;

use super::summary::{round4, Regression, Summary};

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

/// Reads a baseline summary.
pub fn load(path: &Path) -> Result<Summary, BaselineError> {
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Io {
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
            if check.verdict == "skipped" || prev.verdict == "skipped" {
                continue;
            }
            if check.failed_percent > prev.failed_percent + tolerance {
                out.push(Regression {
                    source: src.name.clone(),
                    subject: check.id.clone(),
                    metric: "failed_percent".into(),
                    previous: prev.failed_percent,
                    current: check.failed_percent,
                    message: format!(
                        "{} fails for {:.2}% of values, was {:.2}% (+{:.2} points)",
                        check.id,
                        check.failed_percent,
                        prev.failed_percent,
                        round4(check.failed_percent - prev.failed_percent)
                    ),
                });
            }
        }
        for field in &src.fields {
            let Some(prev) = old.fields.iter().find(|f| f.name == field.name) else {
                continue;
            };
            if prev.present && field.completeness + tolerance < prev.completeness {
                out.push(Regression {
                    source: src.name.clone(),
                    subject: format!("field:{}", field.name),
                    metric: "completeness".into(),
                    previous: prev.completeness,
                    current: field.completeness,
                    message: format!(
                        "{} is {:.2}% complete, was {:.2}% (−{:.2} points)",
                        field.name,
                        field.completeness,
                        prev.completeness,
                        round4(prev.completeness - field.completeness)
                    ),
                });
            }
        }
    }
    out
}
