//! `vaglio run`: the whole pipeline on a project file.

use std::io::IsTerminal;
use std::path::Path;

use crate::cli::RunArgs;
use crate::link::Status;
use crate::pipeline::{self, RunOptions, RunResult};
use crate::project::{self, Project};

use super::{set_jobs, today, Outcome};

/// Runs `vaglio run`.
pub fn run(args: &RunArgs) -> miette::Result<Outcome> {
    let lang = args.lang.parse()?;
    set_jobs(args.common.jobs)?;
    let today = today(args.common.today.as_deref())?;
    let project = project::load(&args.project)?;
    let opts = RunOptions {
        decisions: args.decisions.clone(),
        pseudonyms: !args.no_pseudonyms,
        show_pii: args.common.show_pii,
        today,
        progress: !args.common.quiet && std::io::stderr().is_terminal(),
        against: None,
        lang,
    };
    let outcome = run_pipeline(&project, &opts, args.common.quiet)?;
    if args.open {
        super::open_report(&project.reports.join("index.html"));
    }
    Ok(outcome)
}

/// Runs the pipeline, prints the closing summary (unless `quiet`) and
/// returns the gate's outcome (shared by `run` and `link --against`).
pub(crate) fn run_pipeline(
    project: &Project,
    opts: &RunOptions,
    quiet: bool,
) -> miette::Result<Outcome> {
    let result = pipeline::run(project, opts)?;
    if !quiet {
        print_out(&closing_summary(
            &result,
            &project.reports,
            &project.master,
            &project.review,
        ))?;
    }
    Ok(if result.gate_failed {
        Outcome::GateFailed
    } else {
        Outcome::Passed
    })
}

/// The closing summary: per source rows, failing checks, linked / review /
/// unmatched.
pub fn closing_summary(r: &RunResult, reports: &Path, master: &Path, review: &Path) -> String {
    let mut t = format!(
        "{}: {} residents in {} families\n\n  {:<18} {:>8} {:>8}  {:>8} {:>8} {:>9} {:>8}\n",
        if r.sources.iter().any(|s| s.reused) {
            "vaglio link --against"
        } else {
            "vaglio run"
        },
        r.residents,
        r.families,
        "source",
        "rows",
        "failing",
        "linked",
        "review",
        "unmatched",
        "decided"
    );
    for s in &r.sources {
        if s.reused {
            t.push_str(&format!(
                "  {:<18} {:>8} {:>8}  {:>8} {:>8} {:>9} {:>8}  (reused from the last master)\n",
                s.name,
                s.rows,
                "-",
                s.count(Status::Match),
                s.count(Status::Review),
                s.count(Status::Unmatched),
                s.decided
            ));
            continue;
        }
        if !s.linked {
            t.push_str(&format!(
                "  {:<18} {:>8} {:>8}  {:>8} {:>8} {:>9} {:>8}\n",
                s.name, s.rows, s.failing_checks, "-", "-", "-", "-"
            ));
            continue;
        }
        t.push_str(&format!(
            "  {:<18} {:>8} {:>8}  {:>8} {:>8} {:>9} {:>8}\n",
            s.name,
            s.rows,
            s.failing_checks,
            s.count(Status::Match),
            s.count(Status::Review),
            s.count(Status::Unmatched),
            s.decided
        ));
    }
    t.push_str(&format!(
        "\n(failing: checks over their tolerance that fail the gate)\nGate:        {}\n",
        if r.gate_failed { "FAILED" } else { "PASSED" }
    ));
    t.push_str(&format!(
        "Run:         {} (its id, in the datamart's metadata and every summary.json)\n",
        r.run
    ));
    if r.recovered > 0 {
        t.push_str(&format!(
            "Recovered:   {} file{} of an interrupted run that had committed, put in place first\n",
            r.recovered,
            if r.recovered == 1 { "" } else { "s" }
        ));
    }
    if r.cleaned > 0 {
        t.push_str(&format!(
            "Cleaned:     {} staged file{} of interrupted runs removed\n",
            r.cleaned,
            if r.cleaned == 1 { "" } else { "s" }
        ));
    }
    t.push_str(&format!(
        "Reports:     {} and {}/<source>/index.html\n",
        reports.join("index.html").display(),
        reports.display()
    ));
    t.push_str(&format!(
        "Datamart:    {} and links.csv ({})\n             the same tables as {}/<table>.parquet, described by datapackage.json\n",
        master.join("datamart.sqlite").display(),
        if r.pseudonymised {
            "persons pseudonymised"
        } else {
            "PLAIN identifiers: --no-pseudonyms, for local tests only"
        },
        master.join("parquet").display()
    ));
    t.push_str(&format!(
        "Review:      {} ({} pair{} to decide; fill in `decision` and pass --decisions)\n",
        review.join("queue.csv").display(),
        r.queued,
        if r.queued == 1 { "" } else { "s" }
    ));
    if let Some(h) = r.written.iter().find(|p| p.ends_with(crate::history::FILE)) {
        t.push_str(&format!(
            "History:     {} (every delivery's quality; `vaglio history` prints a source's trend)\n",
            h.display()
        ));
    }
    t
}

/// Writes to standard output (exit 2 when it cannot be written; a closed
/// pipe is not an error).
pub(crate) fn print_out(s: &str) -> miette::Result<()> {
    super::print(s)
}
