//! The command line: argument definitions (clap derive) and dispatch to the
//! library. Nothing here does real work.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;

/// vaglio checks the data extracts a city's service systems deliver to its
/// welfare datamart: it reads them as offices export them, validates them
/// against declarative rule files, and reports what is wrong row by row.
#[derive(Debug, Parser)]
#[command(name = "vaglio", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate extracts against a rule file and write index.html,
    /// findings.csv, summary.json and junit.xml.
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// List the check kinds and field types, or show one kind's documentation.
    #[command(after_long_help = RULES_EXAMPLES)]
    Rules(RulesArgs),
    /// Generate a synthetic city (registry, four extracts with labelled
    /// errors, rule files, truth files) and check every extract.
    #[command(after_long_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
}

const CHECK_EXAMPLES: &str = "\
Examples:
  # Check an extract before delivering it
  vaglio check --rules rules/refezione.toml iscrizioni.csv

  # In CI: fail on warnings too, compare with the last accepted run
  vaglio check --rules rules/refezione.toml --fail-on warning \\
      --baseline accepted/summary.json --out reports/ iscrizioni.csv

  # Draft a rule file from an extract, then edit it
  vaglio check --infer iscrizioni.csv > rules/iscrizioni.toml

Exit codes: 0 every gate passed; 1 a check over its tolerance (or a
regression against the baseline); 2 vaglio could not do its job (bad
arguments, unreadable input, invalid rule file).";

const RULES_EXAMPLES: &str = "\
Examples:
  vaglio rules            # every check kind with its code, and the field types
  vaglio rules VG101      # the documentation of one kind
  vaglio rules pattern    # kinds can be named too";

const DEMO_EXAMPLES: &str = "\
Examples:
  vaglio demo                          # 5,000 residents in vaglio-demo/
  vaglio demo --residents 400000 --out bologna/   # a Bologna-sized city
  vaglio demo --seed 7 --quiet         # another city, no output

What it writes (DIR = --out):
  DIR/anagrafe.csv            the population registry (UTF-8, ;)
  DIR/refezione.csv           school canteen enrolments (Windows-1252, ;)
  DIR/servizi_sociali.csv     social-service interventions (UTF-8, ,)
  DIR/erp_inquilini.sqlite    public-housing tenants (SQLite)
  DIR/isee.csv                ISEE declarations (UTF-8 with BOM, ;)
  DIR/rules/*.toml            the rule file of each (also in rules/demo/)
  DIR/truth/*.csv             per extract row: the true ID_PERSONA and the
                              injected errors
  DIR/reports/<source>/       findings.csv, summary.json, junit.xml

The same seed and size give byte-identical files. The extracts contain
errors on purpose (wrong check characters, omocodes, missing, provisional
and placeholder codes, a parent's code in a child's field, transliterated
names, apostrophes and accents, truncated double names, swapped day and
month, date typos, non-residents, duplicate rows); the demo's rule files
tolerate them, so the checks report findings and the gate passes.

Exit codes: as `vaglio check`: 0 every gate passed (the normal outcome);
1 a check over its tolerance; 2 vaglio could not do its job.";

/// Output format of the terminal summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table per source, then the first failing rows.
    Text,
    /// GitHub-flavoured Markdown, for CI job summaries.
    Markdown,
    /// The summary.json document.
    Json,
}

/// Which severity fails the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only error-severity checks over tolerance fail (default).
    Error,
    /// Warnings over tolerance fail too.
    Warning,
}

/// Options shared by the commands that do work.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Print nothing but errors; no progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Worker threads (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Show personal data (values) in messages and examples. Off by default:
    /// reports are meant to be forwarded.
    #[arg(long)]
    pub show_pii: bool,
    /// The date relative rule dates (`today - 18y`) refer to, as YYYY-MM-DD
    /// (default: the system date). Fix it for reproducible runs.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

/// Arguments of `vaglio check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The extracts to check (CSV, SQLite .db/.sqlite, Excel .xlsx).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The rule file describing this kind of extract.
    #[arg(
        short,
        long,
        value_name = "RULES.toml",
        required_unless_present = "infer"
    )]
    pub rules: Option<PathBuf>,
    /// Where to write index.html, findings.csv, summary.json and junit.xml.
    #[arg(short, long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Terminal output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Which severity fails the gate (exit code 1).
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// A summary.json of an earlier accepted run: checks that fail more often,
    /// or fields less complete, are regressions and fail the gate.
    #[arg(long, value_name = "SUMMARY.json")]
    pub baseline: Option<PathBuf>,
    /// How many percentage points a failure rate may grow (or a completeness
    /// fall) before it counts as a regression.
    #[arg(long, value_name = "POINTS", default_value_t = 0.5)]
    pub regression_tolerance: f64,
    /// Draft a rule file from the data (printed to standard output) instead
    /// of checking.
    #[arg(long)]
    pub infer: bool,
    /// Failing rows shown per check in the terminal and the HTML report.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub examples: usize,
    /// Language of the HTML report: it (default) or en.
    #[arg(long, value_name = "LANG", default_value = "it")]
    pub lang: String,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `vaglio rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// A check code (VG101) or name (required); without it, list them all.
    pub code: Option<String>,
}

/// Arguments of `vaglio demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of residents of the city.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub residents: usize,
    /// Seed: the same seed and size give the same city, byte for byte.
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,
    /// Where to write the city, its rule files, truth files and reports.
    #[arg(short, long, value_name = "DIR", default_value = "vaglio-demo")]
    pub out: PathBuf,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Worker threads for the checks (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// Parses the command line, runs the command, and returns the exit code
/// (0 passed, 1 a gate failed, 2 vaglio could not do its job).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&args),
        Command::Rules(args) => commands::rules::run(&args),
        Command::Demo(args) => commands::demo::run(&args),
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}
