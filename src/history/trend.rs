//! A source's trend: its last deliveries, each check's failure rate and each
//! column's completeness over them, its linkage shares, and what changed
//! since the previous delivery; printed as text, Markdown or JSON by
//! `vaglio history`, drawn by [`super::chart`] in the report.

use std::fmt::Write;

use serde::Serialize;

use super::Delivery;

/// Deliveries a trend shows at most (the latest).
pub const LAST: usize = 12;

/// What changed from one delivery to the next.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Changes {
    /// The previous delivery's date (`None`: the first delivery).
    pub previous: Option<String>,
    /// Checks over tolerance now that were not before (or did not exist).
    pub new_failing: Vec<String>,
    /// Checks over tolerance before that pass now.
    pub fixed: Vec<String>,
    /// Columns in this delivery that the previous one did not have.
    pub new_columns: Vec<String>,
    /// Columns of the previous delivery that this one does not have.
    pub vanished_columns: Vec<String>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.new_failing.is_empty()
            && self.fixed.is_empty()
            && self.new_columns.is_empty()
            && self.vanished_columns.is_empty()
    }
}

/// What changed from `previous` to `current`.
pub fn changes(previous: Option<&Delivery>, current: &Delivery) -> Changes {
    let Some(prev) = previous else {
        return Changes::default();
    };
    let failed =
        |d: &Delivery, id: &str| d.checks.iter().any(|c| c.id == id && c.verdict == "failed");
    let passed =
        |d: &Delivery, id: &str| d.checks.iter().any(|c| c.id == id && c.verdict == "passed");
    let present = |d: &Delivery, name: &str| d.fields.iter().any(|f| f.name == name && f.present);
    Changes {
        previous: Some(prev.date.clone()),
        new_failing: current
            .checks
            .iter()
            .filter(|c| c.verdict == "failed" && !failed(prev, &c.id))
            .map(|c| c.id.clone())
            .collect(),
        fixed: prev
            .checks
            .iter()
            .filter(|c| c.verdict == "failed" && passed(current, &c.id))
            .map(|c| c.id.clone())
            .collect(),
        new_columns: current
            .fields
            .iter()
            .filter(|f| f.present && !present(prev, &f.name))
            .map(|f| f.name.clone())
            .collect(),
        vanished_columns: prev
            .fields
            .iter()
            .filter(|f| f.present && !present(current, &f.name))
            .map(|f| f.name.clone())
            .collect(),
    }
}

/// One delivery as a trend shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// Its date.
    pub date: String,
    /// The run that recorded it.
    pub run: String,
    /// Data rows.
    pub rows: u64,
    /// `passed` or `failed`.
    pub gate: String,
    /// Linked, review, unlinked shares (0–100), when linked.
    pub linkage: Option<[f64; 3]>,
    /// Checks over tolerance.
    pub failing: usize,
}

/// One line of a trend: a check's failure rate or a column's completeness
/// per delivery (`None` where the delivery did not have it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// The check's id or the column's name.
    pub name: String,
    /// One value per delivery of the trend.
    pub values: Vec<Option<f64>>,
}

/// A source's trend over its last deliveries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    /// The source.
    pub source: String,
    /// Deliveries recorded in all (the trend shows the last [`LAST`]).
    pub recorded: usize,
    /// The deliveries shown, oldest first.
    pub deliveries: Vec<Point>,
    /// Per check (in the latest delivery's order, then checks gone), the
    /// failure rate (0–100).
    pub checks: Vec<Series>,
    /// Per column, its completeness (0–100).
    pub completeness: Vec<Series>,
    /// What changed in the latest delivery since the one before.
    pub changes: Changes,
}

/// The sources the history has, in the order first recorded.
pub fn sources(all: &[Delivery]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in all {
        if !out.contains(&d.source) {
            out.push(d.source.clone());
        }
    }
    out
}

/// The trend of `source` from the history's deliveries (oldest first);
/// `None` when it has none.
pub fn of(all: &[Delivery], source: &str) -> Option<Trend> {
    let mine: Vec<&Delivery> = all.iter().filter(|d| d.source == source).collect();
    let latest = *mine.last()?;
    let shown = &mine[mine.len().saturating_sub(LAST)..];
    let previous = mine.len().checked_sub(2).map(|i| mine[i]);
    let mut check_ids: Vec<String> = latest.checks.iter().map(|c| c.id.clone()).collect();
    let mut columns: Vec<String> = latest.fields.iter().map(|f| f.name.clone()).collect();
    for d in shown {
        for c in &d.checks {
            if !check_ids.contains(&c.id) {
                check_ids.push(c.id.clone());
            }
        }
        for f in &d.fields {
            if !columns.contains(&f.name) {
                columns.push(f.name.clone());
            }
        }
    }
    Some(Trend {
        source: source.to_string(),
        recorded: mine.len(),
        deliveries: shown
            .iter()
            .map(|d| Point {
                date: d.date.clone(),
                run: d.run.clone(),
                rows: d.rows,
                gate: d.gate.clone(),
                linkage: d.linkage.map(|l| l.shares()),
                failing: d.checks.iter().filter(|c| c.verdict == "failed").count(),
            })
            .collect(),
        checks: check_ids
            .into_iter()
            .map(|id| Series {
                values: shown
                    .iter()
                    .map(|d| {
                        d.checks
                            .iter()
                            .find(|c| c.id == id && c.verdict != "skipped")
                            .map(|c| c.rate)
                    })
                    .collect(),
                name: id,
            })
            .collect(),
        completeness: columns
            .into_iter()
            .map(|name| Series {
                values: shown
                    .iter()
                    .map(|d| {
                        d.fields
                            .iter()
                            .find(|f| f.name == name && f.present)
                            .map(|f| f.completeness)
                    })
                    .collect(),
                name,
            })
            .collect(),
        changes: changes(previous, latest),
    })
}

impl Trend {
    /// The series worth showing: those that are not always 0 (checks) or
    /// always 100 (completeness) over the deliveries shown.
    pub fn moving_checks(&self) -> impl Iterator<Item = &Series> {
        self.checks
            .iter()
            .filter(|s| s.values.iter().flatten().any(|v| *v > 0.0))
    }

    /// Columns whose completeness was below 100% in some delivery shown,
    /// or that are missing from one.
    pub fn moving_columns(&self) -> impl Iterator<Item = &Series> {
        self.completeness
            .iter()
            .filter(|s| s.values.iter().any(|v| v.is_none_or(|v| v < 100.0)))
    }
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.2}%"))
}

/// The trend as text for the terminal: one line per delivery, then the
/// checks that ever failed and the columns ever incomplete, one column per
/// delivery, then what changed.
pub fn render_text(t: &Trend) -> String {
    let mut s = format!(
        "{}: {} deliver{} recorded{}\n\n",
        t.source,
        t.recorded,
        if t.recorded == 1 { "y" } else { "ies" },
        if t.recorded > t.deliveries.len() {
            format!(", the last {} shown", t.deliveries.len())
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "  {:<10} {:<16} {:>8} {:<6} {:>8} {:>8} {:>8} {:>8}",
        "date", "run", "rows", "gate", "failing", "linked", "review", "unlinked"
    );
    for p in &t.deliveries {
        let [l, r, u] = p.linkage.map_or_else(
            || ["—".to_string(), "—".into(), "—".into()],
            |a| a.map(|v| format!("{v:.2}%")),
        );
        let _ = writeln!(
            s,
            "  {:<10} {:<16} {:>8} {:<6} {:>8} {:>8} {:>8} {:>8}",
            p.date, p.run, p.rows, p.gate, p.failing, l, r, u
        );
    }
    let table = |s: &mut String, title: &str, series: Vec<&Series>| {
        if series.is_empty() {
            return;
        }
        let _ = writeln!(s, "\n  {title}");
        let width = series
            .iter()
            .map(|x| x.name.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(12, 40);
        let _ = write!(s, "  {:<width$}", "");
        for p in &t.deliveries {
            let _ = write!(s, " {:>10}", p.date);
        }
        s.push('\n');
        for x in series {
            let _ = write!(s, "  {:<width$}", x.name);
            for v in &x.values {
                let _ = write!(s, " {:>10}", cell(*v));
            }
            s.push('\n');
        }
    };
    table(
        &mut s,
        "failure rate of the checks that failed at least once",
        t.moving_checks().collect(),
    );
    table(
        &mut s,
        "completeness of the columns not always complete",
        t.moving_columns().collect(),
    );
    s.push('\n');
    s.push_str(&changes_text(&t.changes));
    s
}

fn changes_text(c: &Changes) -> String {
    let Some(prev) = &c.previous else {
        return "Changed since the previous delivery: nothing to compare, this is the first.\n"
            .to_string();
    };
    if c.is_empty() {
        return format!("Changed since the previous delivery ({prev}): nothing.\n");
    }
    let mut s = format!("Changed since the previous delivery ({prev}):\n");
    for (label, list) in [
        ("new failing checks", &c.new_failing),
        ("checks fixed", &c.fixed),
        ("new columns", &c.new_columns),
        ("vanished columns", &c.vanished_columns),
    ] {
        if !list.is_empty() {
            let _ = writeln!(s, "  {label}: {}", list.join(", "));
        }
    }
    s
}

/// The trend as GitHub-flavoured Markdown, for CI job summaries.
pub fn render_markdown(t: &Trend) -> String {
    let mut s = format!("### `{}`: {} deliveries\n\n", t.source, t.recorded);
    s.push_str("| date | rows | gate | failing | linked | review | unlinked |\n");
    s.push_str("|---|---:|---|---:|---:|---:|---:|\n");
    for p in &t.deliveries {
        let [l, r, u] = p.linkage.map_or_else(
            || ["—".to_string(), "—".into(), "—".into()],
            |a| a.map(|v| format!("{v:.2}%")),
        );
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {l} | {r} | {u} |",
            p.date, p.rows, p.gate, p.failing
        );
    }
    let table = |s: &mut String, title: &str, series: Vec<&Series>| {
        if series.is_empty() {
            return;
        }
        let _ = write!(s, "\n**{title}**\n\n| |");
        for p in &t.deliveries {
            let _ = write!(s, " {} |", p.date);
        }
        s.push_str("\n|---|");
        for _ in &t.deliveries {
            s.push_str("---:|");
        }
        s.push('\n');
        for x in series {
            let _ = write!(s, "| `{}` |", x.name.replace('|', "\\|"));
            for v in &x.values {
                let _ = write!(s, " {} |", cell(*v));
            }
            s.push('\n');
        }
    };
    table(
        &mut s,
        "Failure rate of the checks that failed at least once",
        t.moving_checks().collect(),
    );
    table(
        &mut s,
        "Completeness of the columns not always complete",
        t.moving_columns().collect(),
    );
    s.push('\n');
    for line in changes_text(&t.changes).lines() {
        match line.strip_prefix("  ") {
            Some(item) => {
                let _ = writeln!(s, "- {item}");
            }
            None => {
                let _ = writeln!(s, "{line}\n");
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{CheckPoint, FieldPoint};

    fn delivery(date: &str, checks: &[(&str, f64, &str)], columns: &[&str]) -> Delivery {
        Delivery {
            run: format!("r{date}"),
            date: date.into(),
            recorded_at: String::new(),
            source: "refezione".into(),
            rules_sha256: "r".into(),
            input_sha256: date.into(),
            rows: 10,
            gate: "passed".into(),
            linkage: None,
            checks: checks
                .iter()
                .map(|(id, rate, verdict)| CheckPoint {
                    id: id.to_string(),
                    code: "VG101".into(),
                    column: None,
                    severity: "error".into(),
                    evaluated: 10,
                    failed: 0,
                    rate: *rate,
                    verdict: verdict.to_string(),
                })
                .collect(),
            fields: columns
                .iter()
                .map(|c| FieldPoint {
                    name: c.to_string(),
                    field_type: "string".into(),
                    present: true,
                    completeness: 90.0,
                    validity: 100.0,
                })
                .collect(),
        }
    }

    #[test]
    fn changes_name_new_failures_fixes_and_columns() {
        let a = delivery(
            "2026-01-31",
            &[("a", 0.0, "passed"), ("b", 9.0, "failed")],
            &["X", "OLD"],
        );
        let b = delivery(
            "2026-02-28",
            &[
                ("a", 7.0, "failed"),
                ("b", 0.0, "passed"),
                ("c", 1.0, "failed"),
            ],
            &["X", "NEW"],
        );
        let c = changes(Some(&a), &b);
        assert_eq!(c.previous.as_deref(), Some("2026-01-31"));
        assert_eq!(c.new_failing, ["a", "c"]);
        assert_eq!(c.fixed, ["b"]);
        assert_eq!(c.new_columns, ["NEW"]);
        assert_eq!(c.vanished_columns, ["OLD"]);
        assert!(changes(None, &b).is_empty());
        assert!(changes(Some(&b), &b).is_empty());
    }

    #[test]
    fn a_trend_has_one_value_per_delivery_and_gaps_where_missing() {
        let all = vec![
            delivery("2026-01-31", &[("a", 1.0, "passed")], &["X"]),
            delivery(
                "2026-02-28",
                &[("a", 3.0, "failed"), ("b", 0.0, "passed")],
                &["X", "Y"],
            ),
        ];
        let t = of(&all, "refezione").unwrap();
        assert_eq!(t.recorded, 2);
        assert_eq!(t.deliveries.len(), 2);
        assert_eq!(t.checks[0].name, "a");
        assert_eq!(t.checks[0].values, [Some(1.0), Some(3.0)]);
        assert_eq!(t.checks[1].values, [None, Some(0.0)]);
        assert_eq!(t.completeness[1].values, [None, Some(90.0)]);
        assert_eq!(t.moving_checks().count(), 1);
        assert_eq!(t.changes.new_failing, ["a"]);
        assert!(of(&all, "other").is_none());
        let text = render_text(&t);
        assert!(text.contains("refezione: 2 deliveries recorded"), "{text}");
        assert!(text.contains("new failing checks: a"), "{text}");
        assert!(text.contains("3.00%"), "{text}");
        let md = render_markdown(&t);
        assert!(md.contains("| 2026-02-28 | 10 | passed | 1 |"), "{md}");
    }

    #[test]
    fn a_trend_shows_the_last_deliveries_only() {
        let all: Vec<Delivery> = (1..=20)
            .map(|d| {
                delivery(
                    &format!("2026-01-{d:02}"),
                    &[("a", d as f64, "passed")],
                    &[],
                )
            })
            .collect();
        let t = of(&all, "refezione").unwrap();
        assert_eq!(t.recorded, 20);
        assert_eq!(t.deliveries.len(), LAST);
        assert_eq!(t.checks[0].values.last(), Some(&Some(20.0)));
        assert_eq!(t.deliveries[0].date, "2026-01-09");
    }
}
