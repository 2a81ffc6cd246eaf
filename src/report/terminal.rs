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

/// Renders the plain-text summary.
pub fn render_text(
    outcomes: &[SourceOutcome],
    regressions: &[Regression],
    fail_on: Severity,
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
        let _ = writeln!(s, "{} — {} · {}", o.name, o.path, facts.join(" · "));
        let id_width = o
            .checks
            .iter()
            .map(|c| c.meta.id.chars().count())
            .max()
            .unwrap_or(5)
            .clamp(5, 48);
        let _ = writeln!(
            s,
            "  {:<5} {:<6} {:<id_width$} {:>17} {:>8} {:>9}  severity",
            "", "code", "check", "failed", "rate", "tolerance"
        );
        for c in &o.checks {
            let label = verdict_label(c, fail_on);
            if let Some(reason) = &c.skipped {
                let _ = writeln!(
                    s,
                    "  {label:<5} {:<6} {:<id_width$} not evaluated: {reason}",
                    c.kind.code, c.meta.id
                );
                continue;
            }
            let counts = format!("{} / {}", c.failed, c.evaluated);
            let _ = writeln!(
                s,
                "  {label:<5} {:<6} {:<id_width$} {counts:>17} {:>7.2}% {:>9}  {}",
                c.kind.code,
                c.meta.id,
                c.failed_percent(),
                tolerance(c),
                c.meta.severity
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
                let _ = writeln!(s, "  {} ({})", c.meta.id, c.kind.code);
                for e in &c.examples {
                    let place = if e.row == 0 {
                        "file".to_string()
                    } else {
                        format!("row {} (line {})", e.row, e.line)
                    };
                    let key = if e.key.is_empty() {
                        String::new()
                    } else {
                        format!(" key {}", e.key)
                    };
                    let sample = e
                        .sample
                        .as_ref()
                        .map(|v| format!("  [{v}]"))
                        .unwrap_or_default();
                    let _ = writeln!(s, "    {place}{key}: {}{sample}", e.message);
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
        let fails = o.gate_failures(fail_on).count();
        let _ = writeln!(
            s,
            "\n  {}: {}\n",
            o.name,
            if fails == 0 {
                "passed".to_string()
            } else {
                format!(
                    "FAILED ({fails} check{} over tolerance)",
                    if fails == 1 { "" } else { "s" }
                )
            }
        );
    }
    if !regressions.is_empty() {
        let _ = writeln!(s, "Regressions against the baseline:");
        for r in regressions {
            let _ = writeln!(s, "  {}: {}", r.source, r.message);
        }
        s.push('\n');
    }
    s
}

/// Renders the summary as GitHub-flavoured Markdown (no values, ever).
pub fn render_markdown(
    outcomes: &[SourceOutcome],
    regressions: &[Regression],
    fail_on: Severity,
) -> String {
    let mut s = String::from("# vaglio check\n\n");
    for o in outcomes {
        let fails = o.gate_failures(fail_on).count();
        let _ = writeln!(
            s,
            "## {} {}\n\n{} rows · `{}`\n",
            if fails == 0 { "✅" } else { "❌" },
            o.name,
            o.rows,
            o.path
        );
        s.push_str(
            "| verdict | code | check | failed | evaluated | rate | tolerance | severity |\n",
        );
        s.push_str("|---|---|---|---:|---:|---:|---:|---|\n");
        for c in &o.checks {
            let _ = writeln!(
                s,
                "| {} | {} | `{}` | {} | {} | {:.2}% | {} | {} |",
                verdict_label(c, fail_on),
                c.kind.code,
                c.meta.id,
                c.failed,
                c.evaluated,
                c.failed_percent(),
                tolerance(c),
                c.meta.severity
            );
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
