//! `vaglio check`: validate extracts, write the reports, apply the gate.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::cli::{CheckArgs, FailOn, Format};
use crate::history;
use crate::master::pseudonym::{self, Pseudonymizer};
use crate::output::Sink;
use crate::report::html::Lang;
use crate::report::{self, baseline, findings::FindingsWriter, terminal, Summary};
use crate::rules::{self, Severity};
use crate::validate::{validate, ValidateOptions};

use super::{set_jobs, today, Outcome};

/// Runs `vaglio check`.
pub fn run(args: &CheckArgs) -> miette::Result<Outcome> {
    set_jobs(args.common.jobs)?;
    let today = today(args.common.today.as_deref())?;
    if args.infer {
        for file in &args.files {
            let draft = crate::infer::draft(file, &Default::default())?;
            super::print(&draft)?;
        }
        return Ok(Outcome::Passed);
    }
    let lang = args.lang.parse()?;
    let Some(rules_path) = &args.rules else {
        miette::bail!(
            code = "vaglio::args::rules",
            help = "pass --rules RULES.toml, or --infer to draft one",
            "no rule file given"
        );
    };
    let rules = rules::load(rules_path, today)?;
    let from_history = args
        .baseline
        .as_deref()
        .is_some_and(|b| b == Path::new(history::BASELINE_KEYWORD));
    if from_history && args.history.is_none() {
        miette::bail!(
            code = "vaglio::args::baseline",
            help = "pass --history DIR with the history's folder, or a summary.json to --baseline (write ./history for a file named history)",
            "--baseline history takes the last accepted delivery from the history, and no --history was given"
        );
    }
    // The history's lock, taken before anything is read from it.
    let _lock = match &args.history {
        Some(dir) => Some(crate::output::lock::Lock::acquire(
            dir,
            "vaglio check --history",
        )?),
        None => None,
    };
    let baseline = match &args.baseline {
        Some(_) if from_history => None,
        Some(p) => Some(baseline::load(p)?),
        None => None,
    };
    let fail_on = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    let out = &args.out;
    let findings_path = out.join("findings.csv");
    let mut findings = FindingsWriter::create(&Sink::default(), &findings_path)?;
    let mut outcomes = Vec::new();
    let mut names = HashSet::new();
    let progress = !args.common.quiet && std::io::stderr().is_terminal();
    // One file is named by its rule file's `name`; several by their files.
    let rules_name = if args.files.len() == 1 {
        rules.name.as_deref()
    } else {
        None
    };
    let sources: Vec<String> = args
        .files
        .iter()
        .map(|file| unique_name(file, rules_name, &mut names))
        .collect();
    let deliveries = match &args.history {
        Some(dir) => Some(CheckHistory::new(
            dir,
            rules_path,
            &args.files,
            &sources,
            today,
        )?),
        None => None,
    };
    let baseline = match (&deliveries, from_history) {
        (Some(h), true) => Some(h.baseline(&sources)?),
        _ => baseline,
    };
    if let (Some(b), Some(path)) = (&baseline, &args.baseline) {
        baseline::ensure_sources(b, path, &sources)?;
    }
    for (file, name) in args.files.iter().zip(sources.iter().cloned()) {
        let options = ValidateOptions {
            source_name: name.clone(),
            show_pii: args.common.show_pii,
            examples: args.examples,
            progress,
            key_pseudonyms: key_pseudonyms(&rules, file, args.common.show_pii)?,
            ..Default::default()
        };
        let outcome = validate(file, &rules, &options, &mut |f| findings.write(&name, f))?;
        outcomes.push(outcome);
    }
    let mut summary = Summary::new(&outcomes, today, fail_on, Vec::new());
    if let Some(b) = &baseline {
        let regressions = baseline::compare(b, &summary, args.regression_tolerance);
        summary = Summary::new(&outcomes, today, fail_on, regressions);
    }
    let written = findings.written();
    findings.finish()?;
    let (trend, new) = match &deliveries {
        Some(h) => h.deliveries(&summary, lang),
        None => (String::new(), Vec::new()),
    };
    report::write_reports_with_trend(
        &Sink::default(),
        out,
        &outcomes,
        &summary,
        baseline.as_ref(),
        fail_on,
        lang,
        &trend,
    )?;
    // The history last: a check whose reports could not be written is not
    // remembered.
    if let Some(h) = &deliveries {
        history::store::record(&Sink::default(), &h.path, &new)?;
    }
    if let Some(emit) = &args.emit {
        let files: Vec<(String, &Path)> = sources
            .into_iter()
            .zip(args.files.iter().map(|f| f.as_path()))
            .collect();
        report::derived::write(emit, &files, &rules, args.common.show_pii)?;
    }
    if !args.common.quiet {
        let text = match args.format {
            Format::Text => {
                let style = terminal::TextStyle {
                    color: super::colour(),
                    verbose: args.verbose,
                };
                let mut t = terminal::render_text(&outcomes, &summary.regressions, fail_on, style);
                t.push_str(&format!(
                    "Reports in {}: index.html, findings.csv ({written} finding{}), summary.json, junit.xml\n",
                    crate::output::terminal_safe(&out.display().to_string()),
                    if written == 1 { "" } else { "s" }
                ));
                t.push_str(&format!("Gate: {}\n", summary.gate.name().to_uppercase()));
                if style.color {
                    // Escaped as it was rendered; the colours stay.
                    super::print_raw(&t)?;
                    String::new()
                } else {
                    t
                }
            }
            Format::Markdown => terminal::render_markdown(&outcomes, &summary.regressions, fail_on),
            Format::Json => summary.to_json(),
        };
        super::print(&text)?;
    }
    if args.open {
        super::open_report(&out.join("index.html"));
    }
    Ok(if summary.gate == crate::validate::Gate::Failed {
        Outcome::GateFailed
    } else {
        Outcome::Passed
    })
}

/// The key of the short pseudonyms that name records of `file` whose key is
/// personal: `VAGLIO_KEY` when set (the same pseudonyms as `vaglio run`'s
/// with that key), else a key drawn from the file's own bytes (SHA-256 of a
/// label and the content), so the same file gives the same pseudonyms and
/// nobody without the file can recompute them. `None` when no pseudonym is
/// needed, or when the input is not a regular file (read once; its records
/// are then named by row number alone).
pub(crate) fn key_pseudonyms(
    rules: &rules::RuleSet,
    file: &Path,
    show_pii: bool,
) -> miette::Result<Option<Pseudonymizer>> {
    if show_pii || !rules.key_is_personal() {
        return Ok(None);
    }
    if let Some(k) = pseudonym::read_key(Some("VAGLIO_KEY"), None)? {
        return Ok(Some(Pseudonymizer::Keyed(k)));
    }
    if !std::fs::metadata(file).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let err = |e: std::io::Error| {
        miette::miette!(
            code = "vaglio::read::io",
            help = "check that the file exists and that you may read it",
            "cannot read {}: {e}",
            file.display()
        )
    };
    let mut hasher = Sha256::new();
    hasher.update(b"vaglio: key of the record-key pseudonyms of this file\0");
    let mut f = std::fs::File::open(file).map_err(err)?;
    crate::read::hash_reader(&mut f, &mut hasher).map_err(err)?;
    Ok(Some(Pseudonymizer::Keyed(hasher.finalize().to_vec())))
}

/// The history of `vaglio check --history DIR`.
struct CheckHistory {
    path: std::path::PathBuf,
    old: Vec<history::Delivery>,
    /// Per source: (name, rules digest, data digest).
    keys: Vec<(String, String, String)>,
    date: String,
}

impl CheckHistory {
    fn new(
        dir: &Path,
        rules: &Path,
        files: &[std::path::PathBuf],
        sources: &[String],
        today: chrono::NaiveDate,
    ) -> miette::Result<CheckHistory> {
        let path = dir.join(history::FILE);
        let old = history::store::read(&path)?;
        let digest = |p: &Path| -> miette::Result<String> {
            if std::fs::metadata(p).is_ok_and(|m| m.is_file()) {
                Ok(crate::read::sha256_file(p)?)
            } else {
                // Read once (a pipe): no digest without consuming it.
                Ok("not-a-regular-file".to_string())
            }
        };
        let rules_digest = digest(rules)?;
        let keys = sources
            .iter()
            .zip(files)
            .map(|(name, f)| Ok((name.clone(), rules_digest.clone(), digest(f)?)))
            .collect::<miette::Result<_>>()?;
        Ok(CheckHistory {
            path,
            old,
            keys,
            date: today.format("%Y-%m-%d").to_string(),
        })
    }

    /// Per source, its last accepted delivery (gate passed) other than
    /// this one, as a baseline; a source with none stops the check.
    fn baseline(&self, sources: &[String]) -> miette::Result<Summary> {
        let mut out = Vec::new();
        for (name, rules, input) in &self.keys {
            let last = self.old.iter().rev().find(|d| {
                &d.source == name
                    && d.gate == "passed"
                    && !(d.date == self.date
                        && &d.input_sha256 == input
                        && &d.rules_sha256 == rules)
            });
            match last {
                Some(d) => out.push(d.as_baseline()),
                None => miette::bail!(
                    code = "vaglio::baseline::no_source",
                    help = "a source's first accepted delivery becomes the baseline of the next: check it without --baseline history first",
                    "the history {} has no accepted delivery of {name:?} to compare with",
                    self.path.display()
                ),
            }
        }
        let _ = sources;
        Ok(Summary {
            tool: "vaglio".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            today: self.date.clone(),
            gate: crate::validate::Gate::Passed,
            fail_on: crate::rules::Severity::Error,
            sources: out,
            regressions: Vec::new(),
            run: None,
        })
    }

    /// This check's deliveries, and the report's trend sections with them.
    fn deliveries(&self, summary: &Summary, lang: Lang) -> (String, Vec<history::Delivery>) {
        let new: Vec<history::Delivery> = summary
            .sources
            .iter()
            .zip(&self.keys)
            .map(|(s, (_, rules, input))| {
                let run = format!("check-{}", &input[..input.len().min(12)]);
                let mut d =
                    history::Delivery::from_summary(s, &run, &self.date, rules, input, None);
                // A regression against the baseline: not an accepted delivery.
                if summary.regressions.iter().any(|r| r.source == s.name) {
                    d.gate = "failed".into();
                }
                d
            })
            .collect();
        let all = history::store::merged(self.old.clone(), &new);
        let sections = new
            .iter()
            .filter_map(|d| history::trend::of(&all, &d.source))
            .map(|t| history::chart::section(&t, lang))
            .collect();
        (sections, new)
    }
}

/// The source's name: the rule file's `name` when given, else the file
/// stem; made unique across the run.
fn unique_name(file: &Path, rules_name: Option<&str>, seen: &mut HashSet<String>) -> String {
    let stem = match rules_name {
        Some(name) => name.to_string(),
        None => file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "source".into()),
    };
    let mut name = stem.clone();
    let mut n = 2;
    while !seen.insert(name.clone()) {
        name = format!("{stem}-{n}");
        n += 1;
    }
    name
}
