//! `vaglio infer`: the rule file of a new extract, drafted from its content
//! (see [`crate::infer::source`]).

use super::{print, set_jobs, today, Outcome};
use crate::cli::InferArgs;
use crate::infer::relations;
use crate::infer::source::{self, NewSource};
use crate::output::write_atomic;

/// Runs `vaglio infer`.
pub fn run(args: &InferArgs) -> miette::Result<Outcome> {
    set_jobs(args.common.jobs)?;
    let today = today(args.common.today.as_deref())?;
    let mut input = match &args.project {
        Some(p) => NewSource::from_project(&args.extract, p, today)?,
        None => NewSource {
            extract: args.extract.clone(),
            anagrafe: args.anagrafe.clone().zip(args.anagrafe_rules.clone()),
            ..NewSource::default()
        },
    };
    if args.family.is_some() {
        input.family = args.family.clone();
    }
    input.sample_rows = args.sample_rows;
    let inference = source::infer(&input, today)?;
    if args.relations {
        print(&relations::table(&inference.relations))?;
        return Ok(Outcome::Passed);
    }
    match &args.out {
        Some(path) => {
            write_atomic(path, inference.text.as_bytes())?;
            if !args.common.quiet {
                eprintln!(
                    "wrote {}: review it, then `vaglio link --rules {} …`",
                    crate::output::terminal_safe(&path.display().to_string()),
                    crate::output::terminal_safe(&path.display().to_string())
                );
            }
        }
        None => print(&inference.text)?,
    }
    Ok(Outcome::Passed)
}
