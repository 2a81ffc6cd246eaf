//! `vaglio completions SHELL` and `vaglio man`: the shell completions and
//! the manual page, generated from the command line's own definitions, so
//! they never drift from it.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::output::{write_atomic, OutputError};

use super::Outcome;

/// Prints the completion script for a shell.
pub fn completions(args: &CompletionsArgs) -> miette::Result<Outcome> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "vaglio", &mut script);
    write_stdout(&script)?;
    Ok(Outcome::Passed)
}

/// Prints the manual page of `vaglio` (roff), or writes one page per
/// command into a folder (`vaglio.1`, `vaglio-check.1`, …).
pub fn man(args: &ManArgs) -> miette::Result<Outcome> {
    let cmd = Cli::command();
    match &args.out {
        None => write_stdout(&page(&cmd)?)?,
        Some(dir) => {
            write_page(dir, "vaglio", &cmd)?;
            for sub in cmd.get_subcommands() {
                let name = format!("vaglio-{}", sub.get_name());
                let sub = sub.clone().name(name.clone());
                write_page(dir, &name, &sub)?;
            }
        }
    }
    Ok(Outcome::Passed)
}

fn page(cmd: &clap::Command) -> miette::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(|e| miette::miette!("cannot render the manual page: {e}"))?;
    Ok(out)
}

fn write_page(dir: &Path, name: &str, cmd: &clap::Command) -> miette::Result<()> {
    write_atomic(&dir.join(format!("{name}.1")), &page(cmd)?)?;
    Ok(())
}

/// Writes generated text to standard output as it is (a script or roff:
/// nothing from data, so no escaping); a closed pipe is not an error.
fn write_stdout(bytes: &[u8]) -> Result<(), OutputError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(OutputError {
            path: "standard output".into(),
            source,
        }),
    }
}
