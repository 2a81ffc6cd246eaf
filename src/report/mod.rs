//! The machine-readable and terminal outputs of a check run:
//! `findings.csv`, `summary.json`, `junit.xml`, the terminal summary and the
//! comparison against a baseline.

pub mod baseline;
pub mod charts;
pub mod findings;
pub mod html;
pub mod junit;
pub mod linkage;
pub mod summary;
pub mod terminal;

pub use summary::Summary;

use std::path::Path;

use crate::output::write_atomic;
use crate::rules::Severity;
use crate::validate::SourceOutcome;

/// Writes `summary.json`, `junit.xml` and `index.html` into `out` (each
/// atomically), for `vaglio check` and each source of `vaglio run`.
/// `findings.csv` is streamed by the caller while checking.
pub fn write_reports(
    out: &Path,
    outcomes: &[SourceOutcome],
    summary: &Summary,
    baseline: Option<&Summary>,
    fail_on: Severity,
    lang: html::Lang,
) -> miette::Result<()> {
    write_atomic(&out.join("summary.json"), summary.to_json().as_bytes())?;
    write_atomic(
        &out.join("junit.xml"),
        junit::render(outcomes, &summary.regressions, fail_on).as_bytes(),
    )?;
    let page = html::render(outcomes, summary, baseline, fail_on, lang).map_err(|e| {
        miette::miette!(
            code = "vaglio::report::html",
            "cannot render the HTML report: {e}"
        )
    })?;
    write_atomic(&out.join("index.html"), page.as_bytes())?;
    Ok(())
}

