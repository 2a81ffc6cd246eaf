//! `vaglio link`, `vaglio train`, `vaglio eval`: linking an extract to the
//! anagrafe, saving the model, scoring the links against labels.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use miette::{miette, IntoDiagnostic, WrapErr};

use super::{set_jobs, today, Outcome};
use crate::cli::{EvalArgs, ExplainArgs, LinkArgs, LinkInputs, TrainArgs};
use crate::link::{self, model::Model, spec, LinkJob, Linkage, Status};
use crate::master::links;
use crate::output::{from_spreadsheet_safe, write_atomic, write_csv_atomic};
use crate::rules::{self, RuleSet};

fn load_rules(path: &Path, today: chrono::NaiveDate) -> miette::Result<(RuleSet, spec::LinkSpec)> {
    let rules = rules::load_without_references(path, today)?;
    let spec = spec::from_rules(&rules)?.ok_or_else(|| {
        miette!(
            code = "vaglio::link::no_section",
            help = "add a [link] section, at least: [link]\nfields = { codice_fiscale = \"CF\", cognome = \"COGNOME\", nome = \"NOME\", data_nascita = \"DATA_NASCITA\" }",
            "{} has no [link] section: vaglio does not know which columns identify a person",
            path.display()
        )
    })?;
    Ok((rules, spec))
}

/// Loads the rules and links one extract (shared by `link`, `train`,
/// `explain` and `demo`).
pub(crate) fn run_linkage(
    inputs: &LinkInputs,
    today_arg: Option<&str>,
    model: Option<&Path>,
    progress: Option<indicatif::ProgressBar>,
) -> miette::Result<Linkage> {
    let today = today(today_arg)?;
    let (rules, spec) = load_rules(&inputs.rules, today)?;
    let (ana_rules, ana_spec) = load_rules(&inputs.anagrafe_rules, today)?;
    let model = match model {
        None => None,
        Some(p) => {
            let text = crate::read::read_regular_text(p)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read the model {}", p.display()))?;
            let m: Model = serde_json::from_str(&text).map_err(|e| {
                miette!(
                    code = "vaglio::link::model",
                    help = "give a model written by `vaglio train`",
                    "{}: not a model: {e}",
                    p.display()
                )
            })?;
            Some(m)
        }
    };
    let extract = crate::read::Table::read(&inputs.extract, &rules.input.read)?;
    let job = LinkJob {
        extract: &extract,
        rules: &rules,
        spec: &spec,
        anagrafe: link::Anagrafe::File(&inputs.anagrafe),
        anagrafe_rules: &ana_rules,
        anagrafe_spec: &ana_spec,
        reference: today,
        model,
        progress,
    };
    if let Some(m) = &job.model {
        let comps: Vec<_> = spec
            .comparisons
            .iter()
            .filter(|c| spec.provides(c.attr) && ana_spec.provides(c.attr))
            .cloned()
            .collect();
        if !m.fits(&comps) {
            miette::bail!(
                code = "vaglio::link::model",
                help = "train the model again with `vaglio train` on these rules",
                "the model does not fit the comparisons of {}",
                inputs.rules.display()
            );
        }
    }
    link::link(&job)
}

/// The rows of links.csv for a linkage.
pub fn link_rows(l: &Linkage) -> Vec<Vec<String>> {
    l.rows
        .iter()
        .map(|r| {
            links::row(
                &l.source,
                &r.key,
                r.person.as_deref(),
                r.runner_up.as_ref().map(|x| x.0.as_str()),
                r,
            )
        })
        .collect()
}

/// Writes links.csv: the rows of other sources already there are kept, this
/// source's are replaced; rows sorted by source and row.
pub fn write_links(path: &Path, source: &str, rows: Vec<Vec<String>>) -> miette::Result<()> {
    let mut all: Vec<Vec<String>> = Vec::new();
    if path.exists() {
        let mut r = csv::Reader::from_path(path)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read {}", path.display()))?;
        let same = r
            .headers()
            .map(|h| h.iter().eq(links::HEADER.iter().copied()))
            .unwrap_or(false);
        if same {
            for rec in r.records() {
                let rec = rec.into_diagnostic()?;
                if rec.get(0) != Some(source) {
                    all.push(
                        rec.iter()
                            .map(|c| from_spreadsheet_safe(c).to_string())
                            .collect(),
                    );
                }
            }
        }
    }
    all.extend(rows);
    all.sort_by(|a, b| {
        a[0].cmp(&b[0]).then_with(|| {
            let ra: u64 = a[1].parse().unwrap_or(0);
            let rb: u64 = b[1].parse().unwrap_or(0);
            ra.cmp(&rb)
        })
    });
    write_csv_atomic(path, links::HEADER, &all)
}

/// A short summary of a linkage.
pub fn summary(l: &Linkage) -> String {
    let mut s = String::new();
    let count = |st: Status| l.rows.iter().filter(|r| r.status == st).count();
    let _ = writeln!(
        s,
        "{}: {} records linked to {} residents",
        l.source, l.records, l.residents
    );
    let mut tiers: Vec<(String, usize)> = Vec::new();
    for r in l.rows.iter().filter(|r| r.status == Status::Match) {
        match tiers.iter_mut().find(|t| t.0 == r.tier.name()) {
            Some(t) => t.1 += 1,
            None => tiers.push((r.tier.to_string(), 1)),
        }
    }
    let tiers: Vec<String> = tiers.iter().map(|(t, n)| format!("{t} {n}")).collect();
    let notes = l
        .rows
        .iter()
        .filter(|r| r.note.cf_of_other_resident)
        .count();
    let ties = l.rows.iter().filter(|r| r.note.near_tie).count();
    let _ = writeln!(
        s,
        "  match {} ({}) · review {} · unmatched {}",
        count(Status::Match),
        tiers.join(", "),
        count(Status::Review),
        count(Status::Unmatched)
    );
    let _ = writeln!(
        s,
        "  notes: {notes} codes belonging to another resident, {ties} near-ties"
    );
    let _ = writeln!(s, "  blocking (pairs / new pairs / capped records):");
    for (i, rule) in l.blocking_rules.iter().enumerate() {
        let _ = writeln!(
            s,
            "    {rule:<34} {:>10} {:>10} {:>6}",
            l.blocking.pairs.get(i).copied().unwrap_or(0),
            l.blocking.new_pairs.get(i).copied().unwrap_or(0),
            l.blocking.capped.get(i).copied().unwrap_or(0)
        );
    }
    for (i, rule) in l.blocking_rules.iter().enumerate() {
        let capped = l.blocking.capped.get(i).copied().unwrap_or(0);
        if capped > 0 {
            let _ = writeln!(
                s,
                "  warning: rule {rule}: for {capped} records the block was larger than max_block_size and was skipped; add a key to the rule or raise max_block_size in [link]"
            );
        }
    }
    let _ = writeln!(
        s,
        "  model: prior {:.3e} ({:+.2} bits), u from {} random pairs, EM {} iterations{}",
        l.model.prior,
        l.model.prior_weight(),
        l.model.u_pairs,
        l.model.em_iterations,
        if l.model.em_converged {
            " (converged)"
        } else {
            " (not converged)"
        }
    );
    for c in &l.model.comparisons {
        let levels: Vec<String> = c
            .levels
            .iter()
            .map(|lv| format!("{} {:+.1}", lv.level, lv.weight()))
            .collect();
        let _ = writeln!(s, "    {:<15} {}", c.field, levels.join(", "));
    }
    s
}

/// `vaglio link`.
pub fn run(args: &LinkArgs) -> miette::Result<Outcome> {
    // Only `--against` writes reports, but a wrong language is an error
    // whatever the mode.
    args.lang.parse()?;
    set_jobs(args.common.jobs)?;
    let (Some(inputs), None) = (args.inputs(), &args.against) else {
        return super::against::run(args);
    };
    let spinner = spinner(args.common.quiet, &inputs.extract);
    let l = run_linkage(
        &inputs,
        args.common.today.as_deref(),
        args.model.as_deref(),
        spinner.clone(),
    )?;
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    let path = args.out.join("links.csv");
    write_links(&path, &l.source, link_rows(&l))?;
    if !args.common.quiet {
        print_out(&format!("{}  wrote {}\n", summary(&l), path.display()))?;
    }
    if let Some(t) = &args.truth {
        let truth = link::eval::read_truth(t)?;
        let r = l.blocking_recall(&truth);
        let mut s = format!(
            "  blocking recall on {} labelled pairs (rule alone / cumulative):\n",
            r.pairs
        );
        let pct = |n: u64| {
            if r.pairs == 0 {
                100.0
            } else {
                n as f64 * 100.0 / r.pairs as f64
            }
        };
        for (rule, (alone, cum)) in l.blocking_rules.iter().zip(&r.per_rule) {
            let _ = writeln!(
                s,
                "    {rule:<34} {:>7.2}% {:>7.2}%",
                pct(*alone),
                pct(*cum)
            );
        }
        print_out(&s)?;
    }
    Ok(Outcome::Passed)
}

/// `vaglio train`.
pub fn train(args: &TrainArgs) -> miette::Result<Outcome> {
    set_jobs(args.common.jobs)?;
    let l = run_linkage(&args.inputs, args.common.today.as_deref(), None, None)?;
    let json = serde_json::to_string_pretty(&l.model).into_diagnostic()?;
    write_atomic(&args.output, format!("{json}\n").as_bytes())?;
    if !args.common.quiet {
        print_out(&format!(
            "{}  wrote the model to {}\n",
            summary(&l),
            args.output.display()
        ))?;
    }
    Ok(Outcome::Passed)
}

/// `vaglio explain`.
pub fn explain(args: &ExplainArgs) -> miette::Result<Outcome> {
    set_jobs(args.common.jobs)?;
    let l = run_linkage(
        &args.inputs,
        args.common.today.as_deref(),
        args.model.as_deref(),
        None,
    )?;
    let (rules, _) = load_rules(&args.inputs.rules, today(args.common.today.as_deref())?)?;
    let keys =
        match super::check::key_pseudonyms(&rules, &args.inputs.extract, args.common.show_pii)? {
            Some(k) => crate::privacy::KeyShown::pseudonymous(&l.source, Some(k)),
            None if rules.key_is_personal() && !args.common.show_pii => {
                crate::privacy::KeyShown::pseudonymous(&l.source, None)
            }
            None => crate::privacy::KeyShown::plain(),
        };
    match l.explain(args.row, args.common.show_pii, &keys) {
        Some(text) => {
            print_out(&text)?;
            Ok(Outcome::Passed)
        }
        None => miette::bail!(
            code = "vaglio::explain::row",
            help = "rows are numbered from 1, the header not counted (as in links.csv)",
            "{} has no data row {} ({} rows)",
            args.inputs.extract.display(),
            args.row,
            l.records
        ),
    }
}

/// `vaglio eval`.
pub fn eval(args: &EvalArgs) -> miette::Result<Outcome> {
    if let (Some(source), Some(register), Some(truth)) =
        (&args.addresses, &args.register, &args.truth)
    {
        let cols: Vec<String> = args
            .address_columns
            .split(',')
            .map(|c| c.trim().to_owned())
            .collect();
        let columns = match cols.as_slice() {
            [text] => crate::geography::matching::AddressColumns::Text(text.clone()),
            [dug, street, civic] => crate::geography::matching::AddressColumns::Parts {
                dug: Some(dug.clone()).filter(|c| !c.is_empty()),
                street: street.clone(),
                civic: Some(civic.clone()).filter(|c| !c.is_empty()),
            },
            _ => miette::bail!(
                code = "vaglio::eval::address_columns",
                "--address-columns takes one column or three (DUG,STREET,CIVIC)"
            ),
        };
        let (_, s) = crate::geography::eval::evaluate_files(register, source, &columns, truth)?;
        let name = source
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        print_out(&crate::geography::eval::describe(&name, &s))?;
        return Ok(Outcome::Passed);
    }
    let all = link::eval::read_links(&args.links)?;
    let Some(truth_path) = &args.truth else {
        // No labels: the model's own estimate, per source.
        let mut sources: Vec<&str> = all.iter().map(|l| l.source.as_str()).collect();
        sources.dedup();
        if let Some(s) = &args.source {
            sources.retain(|x| x == s);
        }
        let mut out = String::from(
            "without labels, the model's own estimate (from the match probabilities):\n",
        );
        for source in sources {
            let links: Vec<_> = all.iter().filter(|l| l.source == source).cloned().collect();
            let e = link::eval::estimate(&links);
            let _ = writeln!(
                out,
                "  {source}: {} linked, {} not · expected false matches {:.1} ({:.2}%) · expected missed matches {:.1} ({:.2}%)",
                e.linked,
                e.not_linked,
                e.expected_false,
                e.false_match_rate() * 100.0,
                e.expected_missed,
                e.missed_match_rate() * 100.0
            );
        }
        print_out(&out)?;
        return Ok(Outcome::Passed);
    };
    let truth = link::eval::read_truth(truth_path)?;
    let source = match &args.source {
        Some(s) => s.clone(),
        None => truth_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let links: Vec<_> = all.into_iter().filter(|l| l.source == source).collect();
    if links.is_empty() {
        miette::bail!(
            code = "vaglio::eval::source",
            help = "name the source with --source (the `source` column of links.csv)",
            "{} has no links of source `{source}`",
            args.links.display()
        );
    }
    let known: std::collections::HashSet<&str> =
        truth.values().flatten().map(String::as_str).collect();
    let persons = links.iter().filter(|l| !l.person.is_empty());
    if persons.clone().count() > 0 && !persons.clone().any(|l| known.contains(l.person.as_str())) {
        miette::bail!(
            code = "vaglio::eval::keys",
            help = "evaluate the links.csv of `vaglio link` (plain anagrafe ids); `vaglio run` writes pseudonyms, which a truth file cannot match",
            "none of the persons in {} occurs in the truth file",
            args.links.display()
        );
    }
    let s = link::eval::evaluate(&truth, &links, None);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{source}: {} rows ({} non-residents) · TP {} FP {} FN {} · review {}",
        s.rows, s.non_residents, s.true_positives, s.false_positives, s.false_negatives, s.review
    );
    let _ = writeln!(
        out,
        "  at the chosen thresholds: precision {:.4}  recall {:.4}  F1 {:.4}",
        s.precision(),
        s.recall(),
        s.f1()
    );
    let _ = writeln!(out, "  probability ≥   precision   recall       F1");
    for t in [0.5, 0.8, 0.9, 0.95, 0.99, 0.999] {
        let x = link::eval::evaluate(&truth, &links, Some(t));
        let _ = writeln!(
            out,
            "  {t:<13}   {:>9.4}   {:>6.4}   {:>6.4}",
            x.precision(),
            x.recall(),
            x.f1()
        );
    }
    print_out(&out)?;
    if let Some(min) = args.min_f1 {
        if s.f1() < min {
            eprintln!("F1 {:.4} is below --min-f1 {min}", s.f1());
            return Ok(Outcome::GateFailed);
        }
    }
    Ok(Outcome::Passed)
}

/// Prints to standard output, ignoring a closed pipe (`| head`).
/// A spinner on standard error while an extract is linked (only on a
/// terminal, and not with `--quiet`).
fn spinner(quiet: bool, extract: &Path) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_message(format!("linking {}", extract.display()));
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(pb)
}

fn print_out(s: &str) -> miette::Result<()> {
    super::print(s)
}

/// The default output folder.
pub fn default_out() -> PathBuf {
    PathBuf::from("master")
}
