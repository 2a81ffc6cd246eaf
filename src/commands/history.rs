//! `vaglio history`: a source's quality over its deliveries, from the
//! history `vaglio run` and `vaglio check --history` keep.

use std::fmt::Write;
use std::path::PathBuf;

use crate::cli::{Format, HistoryArgs};
use crate::history::{self, trend};

use super::Outcome;

/// Runs `vaglio history`.
pub fn run(args: &HistoryArgs) -> miette::Result<Outcome> {
    let path: PathBuf = match &args.history {
        Some(dir) => dir.join(history::FILE),
        None => crate::project::load(&args.project)?.history_file(),
    };
    if !path.exists() {
        miette::bail!(
            code = "vaglio::history::none",
            help = "the history is written by `vaglio run` (in the project's [output] history folder, `history/` by default) and by `vaglio check --history DIR`; run one of them first",
            "no history at {}",
            path.display()
        );
    }
    let all = history::store::read(&path)?;
    let names = trend::sources(&all);
    let text = match &args.source {
        Some(source) => {
            let Some(t) = trend::of(&all, source) else {
                miette::bail!(
                    code = "vaglio::history::source",
                    help = if names.is_empty() {
                        "the history has no delivery yet".to_string()
                    } else {
                        format!("the history's sources are: {}", names.join(", "))
                    },
                    "the history {} has no delivery of `{source}`",
                    path.display()
                );
            };
            match args.format {
                Format::Text => trend::render_text(&t),
                Format::Markdown => trend::render_markdown(&t),
                Format::Json => json(&t)?,
            }
        }
        None => {
            let trends: Vec<trend::Trend> =
                names.iter().filter_map(|n| trend::of(&all, n)).collect();
            match args.format {
                Format::Text => overview(&trends, false),
                Format::Markdown => overview(&trends, true),
                Format::Json => json(&trends)?,
            }
        }
    };
    super::print(&text)?;
    Ok(Outcome::Passed)
}

fn json<T: serde::Serialize>(v: &T) -> miette::Result<String> {
    let mut s = serde_json::to_string_pretty(v)
        .map_err(|e| miette::miette!("cannot write the history as JSON: {e}"))?;
    s.push('\n');
    Ok(s)
}

/// One line per source: its deliveries, the latest one's date, gate and
/// failing checks, and what changed in it.
fn overview(trends: &[trend::Trend], markdown: bool) -> String {
    let mut s = String::new();
    if markdown {
        s.push_str("| source | deliveries | last | gate | failing | changed since the previous |\n|---|---:|---|---|---:|---|\n");
    } else {
        let _ = writeln!(
            s,
            "  {:<18} {:>10} {:<10} {:<6} {:>8}  changed since the previous delivery",
            "source", "deliveries", "last", "gate", "failing"
        );
    }
    for t in trends {
        let Some(last) = t.deliveries.last() else {
            continue;
        };
        let c = &t.changes;
        let mut changed = Vec::new();
        if c.previous.is_none() {
            changed.push("first delivery".to_string());
        }
        for (label, n) in [
            ("new failing", c.new_failing.len()),
            ("fixed", c.fixed.len()),
            ("new columns", c.new_columns.len()),
            ("vanished columns", c.vanished_columns.len()),
        ] {
            if n > 0 {
                changed.push(format!("{n} {label}"));
            }
        }
        if changed.is_empty() {
            changed.push("nothing".into());
        }
        if markdown {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {} | {} |",
                t.source,
                t.recorded,
                last.date,
                last.gate,
                last.failing,
                changed.join(", ")
            );
        } else {
            let _ = writeln!(
                s,
                "  {:<18} {:>10} {:<10} {:<6} {:>8}  {}",
                t.source,
                t.recorded,
                last.date,
                last.gate,
                last.failing,
                changed.join(", ")
            );
        }
    }
    if !markdown {
        s.push_str("\n(failing: checks over their tolerance; `vaglio history SOURCE` for one source's trend)\n");
    }
    s
}
