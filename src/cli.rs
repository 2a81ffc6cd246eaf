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
    /// Generate a synthetic city (registry, eight extracts with labelled
    /// errors, rule files, truth files) and check every extract.
    #[command(after_long_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
    /// Link every record of an extract to the anagrafe (deterministic tiers,
    /// then Fellegi–Sunter) and write links.csv.
    #[command(after_long_help = LINK_EXAMPLES)]
    Link(LinkArgs),
    /// Train the linkage model on an extract and save it (JSON) for
    /// `vaglio link --model`.
    #[command(after_long_help = TRAIN_EXAMPLES)]
    Train(TrainArgs),
    /// Explain how a record was linked: the weight of the chosen and the
    /// runner-up candidate, comparison by comparison.
    #[command(after_long_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// Score links.csv against a truth file: precision, recall, F1.
    #[command(after_long_help = EVAL_EXAMPLES)]
    Eval(EvalArgs),
    /// The whole job on a project file (vaglio.toml): check the anagrafe and
    /// every source, link each source, write the reports, the pseudonymised
    /// datamart (master/) and the review queue (review/).
    #[command(after_long_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Draft the rule file of a new extract: recognise its identity columns
    /// by content, draft the [link] section against the anagrafe, and list
    /// the columns that tie it to the anagrafe and the other sources.
    #[command(after_long_help = INFER_EXAMPLES)]
    Infer(InferArgs),
    /// Print a source's quality over its deliveries, from the history that
    /// `vaglio run` (and `vaglio check --history`) keep: each check's failure
    /// rate, each column's completeness, the linkage shares, and what
    /// changed since the previous delivery.
    #[command(after_long_help = HISTORY_EXAMPLES)]
    History(HistoryArgs),
    /// Print the completion script for a shell (bash, zsh, fish, elvish,
    /// powershell).
    #[command(after_long_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a
    /// folder with --out.
    #[command(after_long_help = MAN_EXAMPLES)]
    Man(ManArgs),
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  vaglio completions bash > ~/.local/share/bash-completion/completions/vaglio
  vaglio completions zsh > ~/.zfunc/_vaglio     # with fpath+=~/.zfunc in .zshrc
  vaglio completions fish > ~/.config/fish/completions/vaglio.fish";

const MAN_EXAMPLES: &str = "\
Examples:
  vaglio man | man -l -
  vaglio man --out ~/.local/share/man/man1      # vaglio.1, vaglio-check.1, …";

const HISTORY_EXAMPLES: &str = "\
Examples:
  vaglio history --project vaglio-demo/vaglio.toml             # every source's last delivery
  vaglio history --project vaglio-demo/vaglio.toml refezione   # one source's trend
  vaglio history --project vaglio.toml refezione --format markdown >> $GITHUB_STEP_SUMMARY
  vaglio history --history reports/history refezione --format json   # a `vaglio check --history` folder";

/// Arguments of `vaglio history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The source (without it, a line per source).
    #[arg(value_name = "SOURCE")]
    pub source: Option<String>,
    /// The project file, whose `[output] history` folder holds the history.
    #[arg(long, value_name = "vaglio.toml", default_value = "vaglio.toml")]
    pub project: PathBuf,
    /// The history's folder instead of the project's (as given to `vaglio
    /// check --history`).
    #[arg(long, value_name = "DIR", conflicts_with = "project")]
    pub history: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `vaglio completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `vaglio man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `vaglio.1` and one page per command here instead of printing
    /// the main page.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

const RUN_EXAMPLES: &str = "\
Examples:
  vaglio demo --out city/                  # writes city/vaglio.toml too
  VAGLIO_KEY=$(cat /secure/vaglio.key) vaglio run city/vaglio.toml
  vaglio run city/vaglio.toml --decisions city/review/queue.csv
  vaglio run city/vaglio.toml --no-pseudonyms   # local tests only
  vaglio history --project city/vaglio.toml refezione   # its quality over the runs

vaglio.toml (paths relative to it):
  [anagrafe]
  file = \"anagrafe.csv\"
  rules = \"rules/anagrafe.toml\"
  family = \"ID_FAMIGLIA\"          # optional: family id, citizenship, area
  citizenship = \"CITTADINANZA\"
  area = \"QUARTIERE\"

  [[sources]]
  name = \"refezione\"              # also its table in the datamart
  file = \"refezione.csv\"
  rules = \"rules/refezione.toml\"
  isee_column = \"VALORE_ISEE\"     # optional
  drop_columns = [\"CF_PAGANTE\"]   # dropped besides the [link] fields

  [output]                          # defaults
  reports = \"reports\"
  master = \"master\"
  review = \"review\"

  [privacy]
  key_env = \"VAGLIO_KEY\"          # and/or key_file = \"/secure/vaglio.key\"

Outputs: reports/<source>/ (as `check`), master/links.csv,
master/datamart.sqlite (individui, famiglie, collegamenti, one table per
source, metadata), review/queue.csv. Persons are HMAC-SHA256 pseudonyms of
the anagrafe id; without a key the run refuses (exit 2).
Exit codes: 0 passed; 1 a check over its tolerance; 2 vaglio could not do its job.";

const LINK_EXAMPLES: &str = "\
Examples:
  # Link the canteen extract of the demo city
  vaglio demo --out city/
  vaglio link --rules city/rules/refezione.toml city/refezione.csv \\
      --anagrafe city/anagrafe.csv --anagrafe-rules city/rules/anagrafe.toml

  # Several extracts into one master/links.csv (each run replaces its
  # source's rows and keeps the others)
  for s in refezione servizi_sociali isee; do
    vaglio link --rules city/rules/$s.toml city/$s.csv \\
        --anagrafe city/anagrafe.csv --anagrafe-rules city/rules/anagrafe.toml
  done

  # A new delivery of one source of a project, against the last run's
  # master: only that source is checked and linked again
  vaglio run city/vaglio.toml
  vaglio link --against city/master --source isee isee-december.csv

links.csv: source,row,key,person,status,tier,weight,probability,note,runner_up,runner_up_weight
  status   match / review / unmatched
  tier     the deterministic tier that linked the record, or probabilistic
  person   the anagrafe identifier (its [link] `id`, else its input key);
           pseudonymised in the datamart feed, not here
  note     cf_of_other_resident: the record's codice fiscale is another
           resident's whose name and birth date disagree (not linked on it);
           near_tie: two candidates scored within the tie margin
  runner_up, runner_up_weight
           for a record left to review: the second-best candidate

The [link] section of the rule files says which columns identify a person:
  [link]
  fields = { codice_fiscale = \"CF_ALUNNO\", cognome = \"COGNOME_ALUNNO\",
             nome = \"NOME_ALUNNO\", data_nascita = \"DATA_NASCITA_ALUNNO\" }
Everything else (tiers, blocking, comparisons, thresholds) has defaults.";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  # Why was row 13 of the canteen extract linked (or not)?
  vaglio explain city/refezione.csv 13 --rules city/rules/refezione.toml \\
      --anagrafe city/anagrafe.csv --anagrafe-rules city/rules/anagrafe.toml

Each line adds one comparison's match weight (log2 m/u, with the term-frequency
adjustment of exact name agreement) to the prior; the probability is
2^w / (1 + 2^w). Values are masked unless --show-pii.";

const TRAIN_EXAMPLES: &str = "\
Examples:
  vaglio train --rules city/rules/refezione.toml city/refezione.csv \\
      --anagrafe city/anagrafe.csv --anagrafe-rules city/rules/anagrafe.toml \\
      --output models/refezione.json
  vaglio link --model models/refezione.json --rules city/rules/refezione.toml \\
      city/refezione.csv --anagrafe city/anagrafe.csv \\
      --anagrafe-rules city/rules/anagrafe.toml

The model is readable JSON: the prior, and m and u of every level of every
comparison; edit a value to fix it by hand.";

const EVAL_EXAMPLES: &str = "\
Examples:
  vaglio eval --truth city/truth/refezione.csv --links master/links.csv
  vaglio eval --truth city/truth/refezione.csv --links master/links.csv --min-f1 0.99

The truth file has ROW and ID_PERSONA columns (empty = not a resident, must
stay unmatched); the source is the truth file's name unless --source says.
Exit codes: 0 done (and F1 at least --min-f1); 1 F1 below --min-f1; 2 bad input.";

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
  DIR/riscossione_scuola.csv  school-service billing, by the payer
                              (ISO-8859-1, |)
  DIR/irpef.csv               IRPEF incomes by taxpayer and tax year (UTF-8, ,)
  DIR/graduatoria_erp.txt     public-housing ranking list (UTF-16LE, tab)
  DIR/assegnazioni_erp.sqlite public-housing assignments (SQLite)
  DIR/rules/*.toml            the rule file of each (also in rules/demo/)
  DIR/truth/*.csv             per extract row: the true ID_PERSONA and the
                              injected errors
  DIR/vaglio.toml             the project file: `vaglio run DIR/vaglio.toml`
  DIR/demo.key                a public, demo-only pseudonym key
  DIR/reports/index.html      the run's page; DIR/reports/<source>/ each
                              source's index.html, findings.csv,
                              summary.json, junit.xml
  DIR/master/                 datamart.sqlite (pseudonymised) and links.csv
  DIR/review/queue.csv        the pairs for a reviewer to decide

The same seed and size give byte-identical files. The extracts contain
errors on purpose (wrong check characters, omocodes, missing, provisional
and placeholder codes, a parent's code in a child's field, transliterated
names, apostrophes and accents, truncated double names, swapped day and
month, date typos, non-residents, duplicate rows, the payer's code in the
user's field, deceased taxpayers, households applying twice, scores out of
range); the demo's rule files
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

/// The language of the reports a command writes.
#[derive(Debug, Args)]
pub struct LangArgs {
    /// Language of the reports (the HTML pages, the run's index, the
    /// owners' pages): it (default) or en.
    #[arg(long, value_name = "LANG", default_value = "it")]
    pub lang: String,
}

impl LangArgs {
    /// The language asked for, or an error that names the choices.
    pub fn parse(&self) -> miette::Result<crate::messages::Lang> {
        match crate::messages::Lang::parse(&self.lang) {
            Some(lang) => Ok(lang),
            None => miette::bail!(
                code = "vaglio::args::lang",
                help = "use --lang it or --lang en",
                "unknown report language {:?}",
                self.lang
            ),
        }
    }
}

/// Arguments of `vaglio check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The extracts to check (CSV, SQLite .db/.sqlite, Excel .xlsx).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// List every check in the summary, not only those that did not pass.
    #[arg(short, long)]
    pub verbose: bool,
    /// Open the report in the browser when done (`$BROWSER`, else the
    /// system's opener).
    #[arg(long)]
    pub open: bool,

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
    /// or fields less complete, are regressions and fail the gate. `history`
    /// (with --history) takes each source's last accepted delivery (gate
    /// passed) from the history instead.
    #[arg(long, value_name = "SUMMARY.json")]
    pub baseline: Option<PathBuf>,
    /// Keep a history of deliveries in DIR/history.sqlite: this check is
    /// recorded (no personal data: rates and counts), and the report shows
    /// each source's trend and what changed since its previous delivery.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
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
    /// Also write the values vaglio derives from each row to this CSV: every
    /// declared field parsed as its type, and for a codice fiscale its
    /// normalised form, birth date, sex and place (masked unless
    /// --show-pii).
    #[arg(long, value_name = "DERIVED.csv")]
    pub emit: Option<PathBuf>,
    /// Language of the reports.
    #[command(flatten)]
    pub lang: LangArgs,
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
    /// A later monthly delivery of the same city: N months after the demo's
    /// date (its `--today`), the extracts with more or fewer errors (0, the
    /// default, is the demo as always). Run 1, 2, 3… into the same folder to
    /// build a history.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub delivery: u32,
    /// Where to write the city, its rule files, truth files and reports.
    #[arg(short, long, value_name = "DIR", default_value = "vaglio-demo")]
    pub out: PathBuf,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Worker threads for the checks (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Open the report in the browser when done (`$BROWSER`, else the
    /// system's opener).
    #[arg(long)]
    pub open: bool,
    /// Language of the reports.
    #[command(flatten)]
    pub lang: LangArgs,
}

/// What every linkage command needs: the extract, its rule file, the
/// anagrafe and the anagrafe's rule file.
#[derive(Debug, Args)]
pub struct LinkInputs {
    /// The extract (CSV, SQLite, Excel).
    #[arg(value_name = "EXTRACT")]
    pub extract: PathBuf,
    /// The extract's rule file (with a `[link]` section).
    #[arg(short, long, value_name = "RULES.toml")]
    pub rules: PathBuf,
    /// The anagrafe (population registry).
    #[arg(long, value_name = "FILE")]
    pub anagrafe: PathBuf,
    /// The anagrafe's rule file (with a `[link]` section).
    #[arg(long, value_name = "RULES.toml")]
    pub anagrafe_rules: PathBuf,
}

/// Arguments of `vaglio link`.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The extract (CSV, SQLite, Excel).
    #[arg(value_name = "EXTRACT")]
    pub extract: PathBuf,
    /// The extract's rule file (with a `[link]` section).
    #[arg(
        short,
        long,
        value_name = "RULES.toml",
        required_unless_present = "against"
    )]
    pub rules: Option<PathBuf>,
    /// The anagrafe (population registry).
    #[arg(long, value_name = "FILE", required_unless_present = "against")]
    pub anagrafe: Option<PathBuf>,
    /// The anagrafe's rule file (with a `[link]` section).
    #[arg(long, value_name = "RULES.toml", required_unless_present = "against")]
    pub anagrafe_rules: Option<PathBuf>,
    /// Where to write links.csv.
    #[arg(short, long, value_name = "DIR", default_value = "master")]
    pub out: PathBuf,
    /// A model saved by `vaglio train`, used instead of training.
    #[arg(long, value_name = "MODEL.json", conflicts_with = "against")]
    pub model: Option<PathBuf>,
    /// A truth file (ROW, ID_PERSONA): also print the blocking recall of
    /// each rule.
    #[arg(long, value_name = "TRUTH.csv", conflicts_with = "against")]
    pub truth: Option<PathBuf>,
    /// Link the extract as a new delivery of one source of a project,
    /// against the master folder of its last `vaglio run`: the other
    /// sources' links are reused, not computed again, and the master
    /// (datamart, links.csv), the review queue and the source's reports are
    /// written as a full run would write them.
    #[arg(long, value_name = "MASTER_DIR", conflicts_with_all = ["rules", "anagrafe", "anagrafe_rules"])]
    pub against: Option<PathBuf>,
    /// With --against: the project file (default: vaglio.toml beside the
    /// master folder, else in the current folder).
    #[arg(long, value_name = "vaglio.toml", requires = "against")]
    pub project: Option<PathBuf>,
    /// With --against: which source of the project the extract is (default:
    /// the source whose file has the extract's file name).
    #[arg(long, value_name = "NAME", requires = "against")]
    pub source: Option<String>,
    /// With --against: reviewers' decisions for this source.
    #[arg(long, value_name = "FILE", requires = "against")]
    pub decisions: Option<PathBuf>,
    /// With --against: the language of the reports written.
    #[command(flatten)]
    pub lang: LangArgs,
    /// With --against: plain identifiers instead of pseudonyms (only if
    /// the master was written so).
    #[arg(long, requires = "against")]
    pub no_pseudonyms: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

impl LinkArgs {
    /// The extract, anagrafe and rule files given on the command line
    /// (`None` with `--against`, which takes them from the project).
    pub fn inputs(&self) -> Option<LinkInputs> {
        Some(LinkInputs {
            extract: self.extract.clone(),
            rules: self.rules.clone()?,
            anagrafe: self.anagrafe.clone()?,
            anagrafe_rules: self.anagrafe_rules.clone()?,
        })
    }
}

/// Arguments of `vaglio explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Extract, anagrafe and their rule files.
    #[command(flatten)]
    pub inputs: LinkInputs,
    /// The data row to explain (1-based, as in links.csv).
    #[arg(value_name = "ROW")]
    pub row: u64,
    /// A model saved by `vaglio train`.
    #[arg(long, value_name = "MODEL.json")]
    pub model: Option<PathBuf>,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `vaglio train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Extract, anagrafe and their rule files.
    #[command(flatten)]
    pub inputs: LinkInputs,
    /// Where to save the model (JSON).
    #[arg(long, value_name = "MODEL.json", default_value = "model.json")]
    pub output: PathBuf,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `vaglio eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The truth file (ROW, ID_PERSONA). Without it, the model's own
    /// estimate of its false-match and missed-match rates is printed.
    #[arg(long, value_name = "TRUTH.csv")]
    pub truth: Option<PathBuf>,
    /// The links.csv written by `vaglio link`.
    #[arg(long, value_name = "LINKS.csv", default_value = "master/links.csv")]
    pub links: PathBuf,
    /// The source to score (default: the truth file's name).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Exit 1 when F1 is below this.
    #[arg(long, value_name = "F1")]
    pub min_f1: Option<f64>,
    /// Score addresses instead of links: match the addresses of this source
    /// file to the civic-number register (`--register`) and compare them
    /// with the address columns of `--truth`.
    #[arg(long, value_name = "FILE", requires_all = ["register", "truth"])]
    pub addresses: Option<PathBuf>,
    /// The civic-number register, with the demo's `stradario.csv` columns.
    #[arg(long, value_name = "STRADARIO.csv")]
    pub register: Option<PathBuf>,
    /// With `--addresses`: the address column, or the DUG, street and house
    /// number columns separated by commas (`DUG,TOPONIMO,CIVICO`).
    #[arg(long, value_name = "COLUMNS", default_value = "INDIRIZZO")]
    pub address_columns: String,
}

const INFER_EXAMPLES: &str = "\
Examples:
  # A new extract of a project: draft its rule file, then link it
  vaglio infer nuovo.csv --project city/vaglio.toml > city/rules/nuovo.toml
  vaglio link --rules city/rules/nuovo.toml nuovo.csv \\
      --anagrafe city/anagrafe.csv --anagrafe-rules city/rules/anagrafe.toml

  # Only how it ties in: its columns found in the anagrafe or another source
  vaglio infer nuovo.csv --project city/vaglio.toml --relations

  # Without a project: the anagrafe and its rule file
  vaglio infer nuovo.csv --anagrafe city/anagrafe.csv \\
      --anagrafe-rules city/rules/anagrafe.toml --out rules/nuovo.toml

Columns are recognised by their content, not their names: codici fiscali,
surnames and given names (against the anagrafe's), full names, dates in any
usual format, sex, Belfiore and ISTAT codes, CAP, addresses. The person of
the record is the codice fiscale its own names and birth date agree with; a
second code is described (a parent's or payer's: another, older resident of
the same family) and not mapped. Every line of the [link] draft says why.";

/// Arguments of `vaglio infer`.
#[derive(Debug, Args)]
pub struct InferArgs {
    /// The new extract (CSV, SQLite, Excel).
    #[arg(value_name = "EXTRACT")]
    pub extract: PathBuf,
    /// The project file: its anagrafe, and its other sources for the
    /// relation keys.
    #[arg(long, value_name = "vaglio.toml", conflicts_with_all = ["anagrafe", "anagrafe_rules"])]
    pub project: Option<PathBuf>,
    /// The anagrafe (without a project).
    #[arg(long, value_name = "FILE", requires = "anagrafe_rules")]
    pub anagrafe: Option<PathBuf>,
    /// The anagrafe's rule file (with a `[link]` section).
    #[arg(long, value_name = "RULES.toml", requires = "anagrafe")]
    pub anagrafe_rules: Option<PathBuf>,
    /// The anagrafe's family column (default: the project's `family`).
    #[arg(long, value_name = "COLUMN")]
    pub family: Option<String>,
    /// Print only the candidate relation keys, as a table.
    #[arg(long)]
    pub relations: bool,
    /// Write the draft here instead of standard output.
    #[arg(short, long, value_name = "RULES.toml")]
    pub out: Option<PathBuf>,
    /// Rows of the extract looked at.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub sample_rows: usize,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Arguments of `vaglio run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The project file.
    #[arg(value_name = "vaglio.toml", default_value = "vaglio.toml")]
    pub project: PathBuf,
    /// Reviewers' decisions (review/queue.csv with its `decision` column
    /// filled in: accept or reject), honoured over the model.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// Write plain anagrafe identifiers instead of pseudonyms (local tests
    /// only; recorded in the datamart's metadata).
    #[arg(long)]
    pub no_pseudonyms: bool,
    /// Open the report in the browser when done (`$BROWSER`, else the
    /// system's opener).
    #[arg(long)]
    pub open: bool,
    /// Language of the reports.
    #[command(flatten)]
    pub lang: LangArgs,
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
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
        Command::Link(args) => commands::link::run(&args),
        Command::Train(args) => commands::link::train(&args),
        Command::Eval(args) => commands::link::eval(&args),
        Command::Explain(args) => commands::link::explain(&args),
        Command::Run(args) => commands::run::run(&args),
        Command::Infer(args) => commands::infer::run(&args),
        Command::History(args) => commands::history::run(&args),
        Command::Completions(args) => commands::shell::completions(&args),
        Command::Man(args) => commands::shell::man(&args),
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(report) => {
            eprintln!("{}", crate::output::diagnostic::render_error(&report));
            ExitCode::from(2)
        }
    }
}
