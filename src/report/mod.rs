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
pub mod owners;
pub mod run_index;
pub mod summary;
pub mod terminal;

pub use summary::Summary;

use std::path::Path;

use self::linkage::LinkageReport;
use crate::output::Sink;
use crate::rules::Severity;
use crate::validate::SourceOutcome;

/// Writes `summary.json`, `junit.xml` and `index.html` into `out` (each
/// atomically, through `sink`), for `vaglio check` and each source of
/// `vaglio run`. `findings.csv` is streamed by the caller while checking.
pub fn write_reports(
    sink: &Sink,
    out: &Path,
    outcomes: &[SourceOutcome],
    summary: &Summary,
    baseline: Option<&Summary>,
    fail_on: Severity,
    lang: html::Lang,
) -> miette::Result<()> {
    write_reports_with_trend(sink, out, outcomes, summary, baseline, fail_on, lang, "")
}

/// [`write_reports`], with `trend` (the HTML section of the sources'
/// trends, [`crate::history::chart::section`]) put into `index.html`.
#[allow(clippy::too_many_arguments)]
pub fn write_reports_with_trend(
    sink: &Sink,
    out: &Path,
    outcomes: &[SourceOutcome],
    summary: &Summary,
    baseline: Option<&Summary>,
    fail_on: Severity,
    lang: html::Lang,
    trend: &str,
) -> miette::Result<()> {
    sink.write(&out.join("summary.json"), summary.to_json().as_bytes())?;
    sink.write(
        &out.join("junit.xml"),
        junit::render(outcomes, &summary.regressions, fail_on).as_bytes(),
    )?;
    let page = html::render(outcomes, summary, baseline, fail_on, lang).map_err(|e| {
        miette::miette!(
            code = "vaglio::report::html",
            "cannot render the HTML report: {e}"
        )
    })?;
    let page = crate::history::chart::insert(&page, trend);
    sink.write(&out.join("index.html"), page.as_bytes())?;
    Ok(())
}

/// One source's reports in a run.
pub struct SourceReports<'a> {
    /// Its report folder.
    pub out: &'a Path,
    /// What its check found.
    pub outcome: &'a SourceOutcome,
    /// Its linkage section, when it was linked.
    pub linkage: Option<LinkageReport>,
    /// How its addresses matched the civic-number register, when it has
    /// some.
    pub addresses: Option<crate::geography::matching::Rates>,
    /// The run's date.
    pub today: chrono::NaiveDate,
    /// The run's id, recorded in `summary.json`.
    pub run: &'a str,
    /// The HTML section of its trend over the deliveries (empty: none).
    pub trend: String,
}

/// Writes the reports of one source of `vaglio run` into `sink` (as
/// [`write_reports`]), with its linkage section when it was linked.
pub fn write_source_reports(
    sink: &Sink,
    r: SourceReports<'_>,
    fail_on: Severity,
    lang: html::Lang,
) -> miette::Result<()> {
    let outcomes = std::slice::from_ref(r.outcome);
    let mut summary = Summary::new(outcomes, r.today, fail_on, Vec::new());
    summary.run = Some(r.run.to_string());
    if let Some(s) = summary.sources.first_mut() {
        s.linkage = r.linkage;
        s.addresses = r.addresses;
    }
    write_reports_with_trend(
        sink, r.out, outcomes, &summary, None, fail_on, lang, &r.trend,
    )
}
