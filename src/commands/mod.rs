//! The subcommands, each a function from parsed arguments to an
//! [`Outcome`]. Errors come back as `miette` reports (exit code 2).

pub mod against;
pub mod check;
pub mod demo;
pub mod history;
pub mod infer;
pub mod link;
pub mod rules;
pub mod run;
pub mod shell;

use chrono::NaiveDate;
use std::path::Path;

/// How a command ended, as the exit code contract defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Outcome {
    /// Every gate passed (exit 0).
    Passed = 0,
    /// A quality gate failed (exit 1).
    GateFailed = 1,
}

/// The run's date: `--today` or the system date.
pub fn today(arg: Option<&str>) -> miette::Result<NaiveDate> {
    match arg {
        None => Ok(chrono::Local::now().date_naive()),
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            miette::miette!(
                code = "vaglio::args::today",
                help = "write the date as YYYY-MM-DD, e.g. --today 2026-11-28",
                "--today {s:?} is not a date"
            )
        }),
    }
}

/// Opens a report in the browser: the command `$BROWSER` names (its first
/// word, then its other words as arguments) when set, else the system's
/// opener (`xdg-open`, `open` on macOS, `start` on Windows). The job is
/// done by then: a failure is a warning on standard error, not an error.
pub(crate) fn open_report(path: &Path) {
    let mut command = match std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        Some(b) => {
            let mut words = b.split_whitespace();
            let mut c = std::process::Command::new(words.next().unwrap_or("xdg-open"));
            c.args(words);
            c
        }
        None if cfg!(target_os = "macos") => std::process::Command::new("open"),
        None if cfg!(windows) => {
            let mut c = std::process::Command::new("cmd");
            c.args(["/C", "start", ""]);
            c
        }
        None => std::process::Command::new("xdg-open"),
    };
    let shown = crate::output::terminal_safe(&path.display().to_string()).into_owned();
    match command.arg(path).status() {
        Ok(s) if s.success() => {}
        Ok(s) => eprintln!("warning: the browser exited with {s}; open {shown} by hand"),
        Err(e) => eprintln!("warning: cannot open {shown} ({e}); open it by hand or set $BROWSER"),
    }
}

/// Writes `text` to standard output, control characters from data shown
/// escaped ([`crate::output::terminal_safe`]). A closed pipe (`vaglio … | head`) is
/// not an error; any other failure (a full disk, a closed file) is, so that
/// a script redirecting the output learns that it is incomplete.
pub fn print(text: &str) -> miette::Result<()> {
    print_raw(&crate::output::terminal_safe(text))
}

/// Whether to colour what goes to standard output: on a terminal, unless
/// `NO_COLOR` is set (<https://no-color.org>) or `TERM` is `dumb`.
pub fn colour() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Writes `text`, already safe for the terminal (its data escaped, its
/// colours vaglio's own), to standard output, as [`print`] does.
pub(crate) fn print_raw(text: &str) -> miette::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(miette::miette!(
            code = "vaglio::output::stdout",
            help =
                "check where standard output goes: the disk may be full or the file not writable",
            "cannot write to standard output: {e}"
        )),
    }
}

/// The most worker threads `--jobs` may ask for: far more than any machine
/// has cores, and few enough that their stacks always fit in memory.
pub const MAX_JOBS: usize = 1024;

/// Sets the number of worker threads (once per process).
pub fn set_jobs(jobs: Option<usize>) -> miette::Result<()> {
    if let Some(n) = jobs {
        if n == 0 || n > MAX_JOBS {
            miette::bail!(
                code = "vaglio::args::jobs",
                help = format!(
                    "use --jobs between 1 and {MAX_JOBS}; without it vaglio uses one per core"
                ),
                "--jobs {n} is out of range"
            );
        }
        // Building the global pool fails only if it already exists.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    Ok(())
}
