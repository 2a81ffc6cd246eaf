//! The machine-readable and terminal outputs of a check run:
//! `findings.csv`, `summary.json`, `junit.xml`, the terminal summary and the
//! comparison against a baseline.

pub mod baseline;
pub mod charts;
pub mod derived;
pub mod findings;
pub mod html;
pub mod junit;
pub mod linkage;
pub mod run_index;
pub mod summary;
pub mod terminal;

pub use summary::Summary;

use std::path::Path;

use self::linkage::LinkageReport;
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

/// Writes the reports of one source of `vaglio run` into `out` (as
/// [`write_reports`]), with its linkage section when it was linked.
pub fn write_source_reports(
    out: &Path,
    outcome: &SourceOutcome,
    linkage: Option<LinkageReport>,
    today: chrono::NaiveDate,
    fail_on: Severity,
    lang: html::Lang,
) -> miette::Result<()> {
    let outcomes = std::slice::from_ref(outcome);
    let mut summary = Summary::new(outcomes, today, fail_on, Vec::new());
    if let Some(s) = summary.sources.first_mut() {
        s.linkage = linkage;
    }
    write_reports(out, outcomes, &summary, None, fail_on, lang)
}
