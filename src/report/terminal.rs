//! The summary printed after a check: one line per check with its verdict,
//! then the first failing rows of each failing check. Also rendered as
//! Markdown (`--format markdown`) for CI job summaries.

use std::fmt::Write;

use crate::rules::Severity;
use crate::validate::{CheckResult, SourceOutcome, Verdict};

use super::summary::Regression;

fn verdict_label(c: &CheckResult, fail_on: Severity) -> &'static str {
    match c.verdict() {
        Verdict::Passed => "ok",
        Verdict::Skipped => "skip",
        Verdict::Failed if c.meta.severity >= fail_on => "FAIL",
        Verdict::Failed if c.meta.severity == Severity::Info => "info",
        Verdict::Failed => "warn",
    }
}

fn tolerance(c: &CheckResult) -> String {
    match (c.meta.max_fail_count, c.meta.max_fail_percent) {
        (None, None) => "0".into(),
        (Some(n), None) => n.to_string(),
        (None, Some(p)) => format!("{p}%"),
        (Some(n), Some(p)) => format!("{n} & {p}%"),
    }
}

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        d => format!("'{}'", d as char),
    }
}

/// How the text summary is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextStyle {
    /// ANSI colours (on a terminal, unless `NO_COLOR`).
    pub color: bool,
    /// Every check, not only those that did not pass (`--verbose`).
    pub verbose: bool,
}

impl TextStyle {
    /// `text` in the colour of `label` (a verdict), when colours are on.
    fn paint(&self, label: &str, text: &str) -> String {
        let code = match label {
            "FAIL" | "FAILED" => "1;31",
            "warn" => "33",
            "info" => "36",
            "ok" | "passed" => "32",
            "skip" => "2",
            _ => return text.to_string(),
        };
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
}

/// Text from the data (a name, a key, a message), escaped for the
/// terminal: the summary is printed as it is when coloured.
fn safe(text: &str) -> std::borrow::Cow<'_, str> {
    crate::output::terminal_safe(text)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Renders the plain-text summary. Each source leads with its verdict and
/// the checks that did not pass (every check with `style.verbose`), then
/// the first failing rows. Text from the data is escaped here, so that the
/// result can be printed as it is, colours included.
pub fn render_text(
    outcomes: &[SourceOutcome],
    regressions: &[Regression],
    fail_on: Severity,
    style: TextStyle,
) -> String {
    let mut s = String::new();
    for o in outcomes {
        let mut facts = vec![format!(
            "{} row{}",
            o.rows,
            if o.rows == 1 { "" } else { "s" }
        )];
        if let Some(e) = o.info.encoding {
            facts.push(if o.info.encoding_detected {
                format!("{e} (detected)")
            } else {
                e.to_string()
            });
        }
        if let Some(d) = o.info.delimiter {
            facts.push(format!("delimiter {}", delimiter_name(d)));
        }
        let _ = writeln!(
            s,
            "{} — {} · {}",
            safe(&o.name),
            safe(&o.path),
            facts.join(" · ")
        );
        let labels: Vec<&str> = o.checks.iter().map(|c| verdict_label(c, fail_on)).collect();
        let count = |l: &str| labels.iter().filter(|x| **x == l).count();
        let fails = o.gate_failures(fail_on).count();
        let mut tally = Vec::new();
        if fails > 0 {
            tally.push(format!(
                "{} over tolerance",
                plural(fails, "check", "checks")
            ));
        }
        for (label, one, many) in [("warn", "warning", "warnings"), ("info", "note", "notes")] {
            if count(label) > 0 {
                tally.push(plural(count(label), one, many));
            }
        }
        tally.push(format!("{} passed", count("ok")));
        if count("skip") > 0 {
            tally.push(format!("{} not evaluated", count("skip")));
        }
        let verdict = if fails == 0 { "passed" } else { "FAILED" };
        let _ = writeln!(
            s,
            "  {}: {}",
            style.paint(verdict, verdict),
            tally.join(" · ")
        );
        let shown: Vec<&CheckResult> = o
            .checks
            .iter()
            .zip(&labels)
            .filter(|(_, l)| style.verbose || **l != "ok")
            .map(|(c, _)| c)
            .collect();
        let id_width = shown
            .iter()
            .map(|c| c.meta.id.chars().count())
            .max()
            .unwrap_or(5)
            .clamp(5, 48);
        if !shown.is_empty() {
            let _ = writeln!(
                s,
                "\n  {:<5} {:<6} {:<id_width$} {:>17} {:>8} {:>9}  severity",
                "", "code", "check", "failed", "rate", "tolerance"
            );
        }
        for c in &shown {
            let label = verdict_label(c, fail_on);
            let painted = style.paint(label, &format!("{label:<5}"));
            let id = safe(&c.meta.id);
            if let Some(reason) = &c.skipped {
                let _ = writeln!(
                    s,
                    "  {painted} {:<6} {id:<id_width$} not evaluated: {}",
                    c.kind.code,
                    safe(&reason.to_string())
                );
                continue;
            }
            let counts = format!("{} / {}", c.failed, c.evaluated);
            let _ = writeln!(
                s,
                "  {painted} {:<6} {id:<id_width$} {counts:>17} {:>7.2}% {:>9}  {}",
                c.kind.code,
                c.failed_percent(),
                tolerance(c),
                c.meta.severity
            );
        }
        let hidden = o.checks.len() - shown.len();
        if hidden > 0 {
            let _ = writeln!(
                s,
                "  ({} passed and not listed: --verbose lists every check)",
                plural(hidden, "check", "checks")
            );
        }
        let failing: Vec<&CheckResult> = o
            .checks
            .iter()
            .filter(|c| c.failed > 0 && !c.examples.is_empty())
            .collect();
        if !failing.is_empty() {
            let _ = writeln!(s, "\n  First failing rows:");
            for c in failing {
                let _ = writeln!(s, "  {} ({})", safe(&c.meta.id), c.kind.code);
                for e in &c.examples {
                    let place = if e.row == 0 {
                        "file".to_string()
                    } else {
                        format!("row {} (line {})", e.row, e.line)
                    };
                    let key = if e.key.is_empty() {
                        String::new()
                    } else {
                        format!(" key {}", safe(&e.key))
                    };
                    // A value the message already quotes (a field that is
                    // not personal, or --show-pii) is not repeated.
                    let message = e.message.to_string();
                    let sample = e
                        .sample
                        .as_ref()
                        .filter(|v| !message.contains(&format!("(value: {v:?})")))
                        .map(|v| format!("  [{}]", safe(v)))
                        .unwrap_or_default();
                    let _ = writeln!(s, "    {place}{key}: {}{sample}", safe(&message));
                }
                if c.failed > c.examples.len() as u64 {
                    let _ = writeln!(
                        s,
                        "    … and {} more (see findings.csv)",
                        c.failed - c.examples.len() as u64
                    );
                }
            }
        }
        s.push('\n');
    }
    if !regressions.is_empty() {
        let _ = writeln!(s, "Regressions against the baseline:");
        for r in regressions {
            let _ = writeln!(s, "  {}: {}", safe(&r.source), safe(&r.message));
        }
        s.push('\n');
    }
    s
}

/// Renders the summary as GitHub-flavoured Markdown, for CI job summaries:
/// per source its verdict and tallies, the checks that did not pass, and
/// the first failing rows (values masked as in the terminal; none of a
/// personal field without `--show-pii`).
pub fn render_markdown(
    outcomes: &[SourceOutcome],
    regressions: &[Regression],
    fail_on: Severity,
) -> String {
    let mut s = String::from("# vaglio check\n\n");
    let cell = |t: &str| safe(t).replace('|', "\\|").replace('\n', " ");
    for o in outcomes {
        let fails = o.gate_failures(fail_on).count();
        let labels: Vec<&str> = o.checks.iter().map(|c| verdict_label(c, fail_on)).collect();
        let count = |l: &str| labels.iter().filter(|x| **x == l).count();
        let _ = writeln!(
            s,
            "## {} {}\n\n{} rows · `{}`\n\n**{}**: {} over tolerance · {} · {} passed · {} not evaluated\n",
            if fails == 0 { "✅" } else { "❌" },
            cell(&o.name),
            o.rows,
            cell(&o.path),
            if fails == 0 { "passed" } else { "FAILED" },
            plural(fails, "check", "checks"),
            plural(count("warn"), "warning", "warnings"),
            count("ok"),
            count("skip"),
        );
        let shown: Vec<(&CheckResult, &str)> = o
            .checks
            .iter()
            .zip(labels.iter().copied())
            .filter(|(_, l)| *l != "ok")
            .collect();
        if !shown.is_empty() {
            s.push_str(
                "| verdict | code | check | failed | evaluated | rate | tolerance | severity |\n",
            );
            s.push_str("|---|---|---|---:|---:|---:|---:|---|\n");
        }
        for (c, label) in &shown {
            let _ = writeln!(
                s,
                "| {} | {} | `{}` | {} | {} | {:.2}% | {} | {} |",
                label,
                c.kind.code,
                cell(&c.meta.id),
                c.failed,
                c.evaluated,
                c.failed_percent(),
                tolerance(c),
                c.meta.severity
            );
        }
        let examples: Vec<(&CheckResult, &crate::validate::Finding)> = o
            .checks
            .iter()
            .filter(|c| c.failed > 0)
            .flat_map(|c| c.examples.iter().take(3).map(move |e| (c, e)))
            .collect();
        if !examples.is_empty() {
            s.push_str("\n<details><summary>First failing rows</summary>\n\n");
            s.push_str("| check | row | key | message | value |\n|---|---:|---|---|---|\n");
            for (c, e) in examples {
                let message = e.message.to_string();
                let sample = e
                    .sample
                    .as_ref()
                    .filter(|v| !message.contains(&format!("(value: {v:?})")))
                    .map(|v| format!("`{}`", cell(v)))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "| `{}` | {} | {} | {} | {} |",
                    cell(&c.meta.id),
                    e.row,
                    cell(&e.key),
                    cell(&message),
                    sample
                );
            }
            s.push_str("\n</details>\n");
        }
        s.push('\n');
    }
    if !regressions.is_empty() {
        s.push_str("## Regressions against the baseline\n\n");
        for r in regressions {
            let _ = writeln!(s, "- **{}**: {}", r.source, r.message);
        }
        s.push('\n');
    }
    s
}
