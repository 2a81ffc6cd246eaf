//! The trend section of a source's HTML report: line charts (inline SVG,
//! hand-written like [`crate::report::charts`]) of each check's failure rate
//! and each column's completeness over the last deliveries, the linkage
//! shares over time, and what changed since the previous delivery. Every
//! text is escaped; no value of any record is shown (the history holds
//! none).

use std::fmt::Write;

use super::trend::{Series, Trend};
use crate::report::charts::esc;
use crate::report::html::Lang;

const MUTED: &str = "#59636e";
const GRID: &str = "#d1d9e0";
/// Line colours, in turn.
const PALETTE: [&str; 8] = [
    "#cf222e", "#0969da", "#1a7f37", "#bf8700", "#8250df", "#bc4c00", "#1b7c83", "#6e7781",
];
/// Lines a chart draws at most (the worst first); the others are listed.
const MAX_LINES: usize = 8;

struct Words {
    title: &'static str,
    deliveries: &'static str,
    checks: &'static str,
    completeness: &'static str,
    linkage: &'static str,
    linked: &'static str,
    review: &'static str,
    unlinked: &'static str,
    changed: &'static str,
    first: &'static str,
    nothing: &'static str,
    new_failing: &'static str,
    fixed: &'static str,
    new_columns: &'static str,
    vanished: &'static str,
    no_failures: &'static str,
    all_complete: &'static str,
    more: &'static str,
}

const IT: Words = Words {
    title: "Andamento nel tempo",
    deliveries: "consegne registrate",
    checks: "Tasso di errore dei controlli (%), per consegna",
    completeness: "Completezza dei campi (%), per consegna",
    linkage: "Collegamento all'anagrafe (% dei record), per consegna",
    linked: "collegati",
    review: "da rivedere",
    unlinked: "non collegati",
    changed: "Cosa è cambiato rispetto alla consegna precedente",
    first: "È la prima consegna registrata: niente da confrontare.",
    nothing: "Nessun cambiamento.",
    new_failing: "Controlli ora oltre la tolleranza",
    fixed: "Controlli risolti",
    new_columns: "Colonne nuove",
    vanished: "Colonne scomparse",
    no_failures: "Nessun controllo ha avuto errori nelle consegne mostrate.",
    all_complete: "Tutti i campi sono completi in tutte le consegne mostrate.",
    more: "altri, non disegnati",
};

const EN: Words = Words {
    title: "Over time",
    deliveries: "deliveries recorded",
    checks: "Failure rate of the checks (%), per delivery",
    completeness: "Completeness of the columns (%), per delivery",
    linkage: "Linkage to the anagrafe (% of records), per delivery",
    linked: "linked",
    review: "review",
    unlinked: "unlinked",
    changed: "What changed since the previous delivery",
    first: "This is the first delivery recorded: nothing to compare.",
    nothing: "Nothing changed.",
    new_failing: "Checks now over tolerance",
    fixed: "Checks fixed",
    new_columns: "New columns",
    vanished: "Vanished columns",
    no_failures: "No check had failures in the deliveries shown.",
    all_complete: "Every column is complete in every delivery shown.",
    more: "more, not drawn",
};

/// A line chart: one line per series over the deliveries (`dates`), the
/// y axis from 0 to the largest value (at least `min_top`, at most 100).
/// Each point is a circle with its value as tooltip; a missing value
/// breaks the line.
pub fn lines(
    title: &str,
    dates: &[String],
    series: &[(&Series, &str)],
    min_top: f64,
    lang: Lang,
) -> String {
    let (w, h, left, right, top, bottom) = (560.0, 180.0, 44.0, 12.0, 10.0, 34.0);
    let max = series
        .iter()
        .flat_map(|(s, _)| s.values.iter().flatten())
        .fold(min_top, |m, v| m.max(*v))
        .min(100.0);
    let top_value = nice(max);
    let n = dates.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + (w - left - right) / 2.0
        } else {
            left + (w - left - right) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v.clamp(0.0, top_value) / top_value);
    let mut s = format!(
        "<figure class=\"trend\"><figcaption class=\"muted\">{t}</figcaption><svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\">",
        t = esc(title)
    );
    for k in 0..=4 {
        let v = top_value * k as f64 / 4.0;
        let yy = y(v);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"{GRID}\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"{MUTED}\">{}</text>",
            w - right,
            left - 4.0,
            yy + 3.0,
            axis(v, lang)
        );
    }
    for (i, d) in dates.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
            x(i),
            h - bottom + 14.0,
            esc(d)
        );
    }
    for (series, colour) in series {
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in series.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let _ = write!(
            s,
            "<g class=\"series\" data-series=\"{name}\"><path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            path.trim_end(),
            name = esc(&series.name)
        );
        for (i, v) in series.values.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    s,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\" data-date=\"{}\" data-value=\"{v:.4}\"><title>{} · {}: {}</title></circle>",
                    x(i),
                    y(*v),
                    esc(&dates[i]),
                    esc(&series.name),
                    esc(&dates[i]),
                    crate::messages::percent(*v, 2, lang)
                );
            }
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    // The legend, as text (colours and names).
    s.push_str("<p class=\"legend\">");
    for (series, colour) in series {
        let _ = write!(
            s,
            "<span style=\"color:{colour}\">■</span> <code>{}</code> ",
            esc(&series.name)
        );
    }
    s.push_str("</p></figure>");
    s
}

/// A round top for the y axis at or above `v`.
fn nice(v: f64) -> f64 {
    for top in [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0] {
        if v <= top {
            return top;
        }
    }
    100.0
}

/// An axis value as `lang` writes a number: `2.5` in English, `2,5` in
/// Italian; no trailing zeros.
fn axis(v: f64, lang: Lang) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match lang {
        Lang::En => s.to_string(),
        Lang::It => s.replace('.', ","),
    }
}

/// The chart's words in `lang`.
fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::It => &IT,
        Lang::En => &EN,
    }
}

/// The trend section of a source's page, in `lang`: the charts and what
/// changed. Empty when the trend has no delivery.
pub fn section(t: &Trend, lang: Lang) -> String {
    let w = words(lang);
    if t.deliveries.is_empty() {
        return String::new();
    }
    let dates: Vec<String> = t.deliveries.iter().map(|p| p.date.clone()).collect();
    let mut s = format!(
        "<section class=\"card\" id=\"andamento\" data-source=\"{}\"><h2>{}</h2><p class=\"muted\">{} {}</p>",
        esc(&t.source),
        w.title,
        t.recorded,
        w.deliveries
    );
    // Checks: the worst (largest latest rate, then largest ever) first.
    let mut checks: Vec<&Series> = t.moving_checks().collect();
    checks.sort_by(|a, b| {
        let key = |s: &Series| {
            (
                s.values.last().copied().flatten().unwrap_or(0.0),
                s.values.iter().flatten().fold(0.0_f64, |m, v| m.max(*v)),
            )
        };
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    chart_or_note(&mut s, w.checks, &dates, &checks, 1.0, w.no_failures, lang);
    let mut columns: Vec<&Series> = t.moving_columns().collect();
    columns.sort_by(|a, b| {
        let low = |s: &Series| {
            s.values
                .iter()
                .map(|v| v.unwrap_or(0.0))
                .fold(100.0, f64::min)
        };
        low(a)
            .partial_cmp(&low(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    chart_or_note(
        &mut s,
        w.completeness,
        &dates,
        &columns,
        100.0,
        w.all_complete,
        lang,
    );
    if t.deliveries.iter().any(|p| p.linkage.is_some()) {
        let share = |k: usize, name: &str| Series {
            name: name.to_string(),
            values: t
                .deliveries
                .iter()
                .map(|p| p.linkage.map(|l| l[k]))
                .collect(),
        };
        let (l, r, u) = (share(0, w.linked), share(1, w.review), share(2, w.unlinked));
        s.push_str(&lines(
            w.linkage,
            &dates,
            &[(&l, "#1a7f37"), (&r, "#bf8700"), (&u, "#cf222e")],
            100.0,
            lang,
        ));
    }
    let _ = write!(s, "<h3>{}</h3>", w.changed);
    let c = &t.changes;
    match &c.previous {
        None => {
            let _ = write!(s, "<p class=\"changes\">{}</p>", w.first);
        }
        Some(prev) if c.is_empty() => {
            let _ = write!(s, "<p class=\"changes\">{} ({})</p>", w.nothing, esc(prev));
        }
        Some(prev) => {
            let _ = write!(
                s,
                "<p class=\"muted\">{}</p><ul class=\"changes\">",
                esc(prev)
            );
            for (label, kind, list) in [
                (w.new_failing, "new-failing", &c.new_failing),
                (w.fixed, "fixed", &c.fixed),
                (w.new_columns, "new-column", &c.new_columns),
                (w.vanished, "vanished-column", &c.vanished_columns),
            ] {
                if list.is_empty() {
                    continue;
                }
                let _ = write!(s, "<li data-kind=\"{kind}\">{label}: ");
                let items: Vec<String> = list
                    .iter()
                    .map(|x| format!("<code>{}</code>", esc(x)))
                    .collect();
                s.push_str(&items.join(", "));
                s.push_str("</li>");
            }
            s.push_str("</ul>");
        }
    }
    s.push_str("</section>");
    s
}

fn chart_or_note(
    s: &mut String,
    title: &str,
    dates: &[String],
    series: &[&Series],
    min_top: f64,
    note: &str,
    lang: Lang,
) {
    let more = words(lang).more;
    if series.is_empty() {
        let _ = write!(s, "<p class=\"muted\">{note}</p>");
        return;
    }
    let drawn: Vec<(&Series, &str)> = series
        .iter()
        .take(MAX_LINES)
        .zip(PALETTE)
        .map(|(s, c)| (*s, c))
        .collect();
    s.push_str(&lines(title, dates, &drawn, min_top, lang));
    if series.len() > MAX_LINES {
        let rest: Vec<String> = series[MAX_LINES..]
            .iter()
            .map(|x| format!("<code>{}</code>", esc(&x.name)))
            .collect();
        let _ = write!(
            s,
            "<p class=\"muted\">{} {more}: {}</p>",
            series.len() - MAX_LINES,
            rest.join(", ")
        );
    }
}

/// Puts `section` into a rendered page, before its closing `</main>` (or
/// `</body>`); the page as it was when it has neither or `section` is
/// empty.
pub fn insert(page: &str, section: &str) -> String {
    if section.is_empty() {
        return page.to_string();
    }
    let at = page.rfind("</main>").or_else(|| page.rfind("<script"));
    match at.or_else(|| page.rfind("</body>")) {
        Some(i) => format!("{}{section}\n{}", &page[..i], &page[i..]),
        None => page.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_one_point_per_value_and_breaks_at_gaps() {
        let s = Series {
            name: "CF.required <x>".into(),
            values: vec![Some(1.0), None, Some(4.0)],
        };
        let dates = vec!["a".to_string(), "b".into(), "c".into()];
        let svg = lines("t", &dates, &[(&s, "#000")], 1.0, Lang::En);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches(" M").count() + svg.matches("\"M").count(), 2);
        assert!(svg.contains("data-value=\"4.0000\""));
        assert!(svg.contains("CF.required &lt;x&gt;"));
        assert!(!svg.contains("<x>"));
    }

    #[test]
    fn the_section_goes_before_the_end_of_the_page() {
        let page = "<html><body><main>x</main><script>s</script></body></html>";
        assert_eq!(
            insert(page, "<section>t</section>"),
            "<html><body><main>x<section>t</section>\n</main><script>s</script></body></html>"
        );
        assert_eq!(insert(page, ""), page);
        assert_eq!(insert("<body></body>", "S"), "<body>S\n</body>");
    }
}
