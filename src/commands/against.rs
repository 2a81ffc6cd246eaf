//! `vaglio link --against MASTER`: a new delivery of one source of a
//! project, linked against the last run's master without checking or
//! linking the other sources again.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use miette::miette;

use super::{today, Outcome};
use crate::cli::LinkArgs;
use crate::pipeline::{Against, RunOptions};
use crate::project::{self, Project};

/// The project file: `--project`, else `vaglio.toml` beside the master
/// folder, else in the current folder.
fn project_file(args: &LinkArgs, master: &Path) -> miette::Result<PathBuf> {
    if let Some(p) = &args.project {
        return Ok(p.clone());
    }
    let beside = master
        .parent()
        .map(|p| p.join("vaglio.toml"))
        .filter(|p| p.parent().is_some_and(|d| !d.as_os_str().is_empty()));
    let candidates: Vec<PathBuf> = beside
        .into_iter()
        .chain(std::iter::once(PathBuf::from("vaglio.toml")))
        .collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            miette!(
                code = "vaglio::against::project",
                help = "name the project file with --project vaglio.toml",
                "no project file found (looked for {})",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        })
}

/// The source the extract is: `--source`, else the one whose file has the
/// extract's file name.
fn source_name(args: &LinkArgs, project: &Project) -> miette::Result<String> {
    if let Some(s) = &args.source {
        return Ok(s.clone());
    }
    let name = args.extract.file_name();
    let same: Vec<&str> = project
        .sources
        .iter()
        .filter(|s| s.file.file_name() == name)
        .map(|s| s.name.as_str())
        .collect();
    match same.as_slice() {
        [one] => Ok(one.to_string()),
        _ => Err(miette!(
            code = "vaglio::against::source",
            help = format!(
                "say which source it is with --source NAME (the project's sources are: {})",
                project.source_names()
            ),
            "{}: no single source of {} has this file name",
            args.extract.display(),
            project.path.display()
        )),
    }
}

/// Runs `vaglio link --against`.
pub fn run(args: &LinkArgs) -> miette::Result<Outcome> {
    let master = args.against.clone().ok_or_else(|| {
        miette!(
            code = "vaglio::link::inputs",
            help = "give --rules, --anagrafe and --anagrafe-rules, or --against MASTER_DIR",
            "vaglio link needs the extract's rules and the anagrafe"
        )
    })?;
    let today = today(args.common.today.as_deref())?;
    let mut project = project::load(&project_file(args, &master)?)?;
    // The master written is the one linked against.
    project.master = master.clone();
    let source = source_name(args, &project)?;
    let opts = RunOptions {
        decisions: args.decisions.clone(),
        pseudonyms: !args.no_pseudonyms,
        show_pii: args.common.show_pii,
        today,
        progress: !args.common.quiet && std::io::stderr().is_terminal(),
        against: Some(Against {
            master,
            source,
            file: args.extract.clone(),
        }),
        lang: args.lang.parse()?,
    };
    super::run::run_pipeline(&project, &opts, args.common.quiet)
}
