//! The linkage charts of the HTML report, as hand-written inline SVG: the
//! histogram of match weights with the thresholds, the model's weight per
//! comparison level, and the waterfall of one score. Nothing is loaded from
//! elsewhere; every text is escaped; counts of people in tooltips and axes
//! go through [`suppress`].

use std::fmt::Write;

use super::linkage::{ModelReport, WaterfallBar, WeightHistogram};
use crate::messages::{self, Lang};
use crate::privacy::{rounded, suppress};

/// Colours of the three outcomes.
const MATCH: &str = "#1a7f37";
const REVIEW: &str = "#bf8700";
const UNMATCHED: &str = "#cf222e";
const INK: &str = "#1f2328";
const MUTED: &str = "#59636e";
const GRID: &str = "#d1d9e0";

/// Escapes text for SVG (XML) content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The words the charts need, in the page's language.
pub struct ChartWords<'a> {
    /// "match" (the outcome and its threshold).
    pub matched: &'a str,
    /// "review".
    pub review: &'a str,
    /// "unmatched".
    pub unmatched: &'a str,
    /// "match weight (bits)".
    pub weight_axis: &'a str,
    /// "records".
    pub records: &'a str,
    /// "final weight".
    pub final_weight: &'a str,
    /// "record" (the extract's value).
    pub record: &'a str,
    /// "resident" (the anagrafe's value).
    pub resident: &'a str,
}

/// The histogram of match weights, stacked by outcome, with dashed lines
/// at the match and review thresholds.
pub fn weight_histogram(
    h: &WeightHistogram,
    match_weight: f64,
    review_weight: f64,
    w: &ChartWords,
) -> String {
    let (Some(first), Some(last)) = (h.bins.first(), h.bins.last()) else {
        return String::new();
    };
    let (width, height) = (760.0, 230.0);
    let (left, right, top, bottom) = (46.0, 12.0, 22.0, 40.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let (x0, x1) = (first.from, last.to);
    let x = |v: f64| left + (v - x0) / (x1 - x0).max(1e-9) * plot_w;
    // Heights from rounded counts (`privacy::rounded`): a suppressed count
    // cannot be measured off the bars.
    let max = h
        .bins
        .iter()
        .map(|b| rounded(b.matched) + rounded(b.review) + rounded(b.unmatched))
        .max()
        .unwrap_or(0)
        .max(1);
    let y = |n: f64| top + plot_h - n / max as f64 * plot_h;
    let mut s = format!(
        "<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        esc(w.weight_axis)
    );
    // Axes.
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"{MUTED}\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b}\" stroke=\"{MUTED}\"/>",
        b = top + plot_h,
        r = left + plot_w
    );
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"{MUTED}\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"{MUTED}\">0</text>",
        left - 4.0,
        top + 4.0,
        max,
        left - 4.0,
        top + plot_h
    );
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"{MUTED}\">{}</text>",
        left,
        top - 8.0,
        esc(w.records)
    );
    // Ticks at multiples of a round step, about eight along the axis.
    let step = tick_step(x1 - x0, 8);
    let mut v = (x0 / step).ceil() * step;
    while v <= x1 + 1e-9 {
        let _ = write!(
            s,
            "<line x1=\"{xx:.1}\" y1=\"{b0}\" x2=\"{xx:.1}\" y2=\"{b1}\" stroke=\"{MUTED}\"/><text x=\"{xx:.1}\" y=\"{t}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{MUTED}\">{l}</text>",
            xx = x(v),
            b0 = top + plot_h,
            b1 = top + plot_h + 4.0,
            t = top + plot_h + 16.0,
            l = fmt_num(v)
        );
        v += step;
    }
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
        left + plot_w / 2.0,
        height - 4.0,
        esc(w.weight_axis)
    );
    // Bars, stacked: matched at the bottom, then review, then unmatched.
    for b in &h.bins {
        let bx = x(b.from) + 0.5;
        let bw = (x(b.to) - x(b.from) - 1.0).max(1.0);
        let mut base = 0.0;
        let title = format!(
            "{} … {}: {} {}, {} {}, {} {}",
            fmt_num(b.from),
            fmt_num(b.to),
            w.matched,
            suppress(b.matched),
            w.review,
            suppress(b.review),
            w.unmatched,
            suppress(b.unmatched)
        );
        let _ = write!(s, "<g><title>{}</title>", esc(&title));
        for (n, color) in [
            (b.matched, MATCH),
            (b.review, REVIEW),
            (b.unmatched, UNMATCHED),
        ] {
            if n == 0 {
                continue;
            }
            let n = rounded(n);
            let y_top = y(base + n as f64);
            let y_bot = y(base);
            // A bar is at least 2 px tall, so that a small (suppressed)
            // count shows, all of them alike.
            let bh = (y_bot - y_top).max(2.0);
            let _ = write!(
                s,
                "<rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{color}\"/>",
                y_bot - bh
            );
            base += n as f64;
        }
        // An invisible full-height target for the tooltip.
        let _ = write!(
            s,
            "<rect x=\"{bx:.1}\" y=\"{top}\" width=\"{bw:.1}\" height=\"{plot_h}\" fill=\"transparent\"/></g>"
        );
    }
    // Thresholds.
    for (v, color, label, anchor) in [
        (review_weight, REVIEW, w.review, "end"),
        (match_weight, MATCH, w.matched, "start"),
    ] {
        if v < x0 || v > x1 {
            continue;
        }
        let xx = x(v);
        let tx = if anchor == "end" { xx - 3.0 } else { xx + 3.0 };
        let _ = write!(
            s,
            "<line x1=\"{xx:.1}\" y1=\"{top}\" x2=\"{xx:.1}\" y2=\"{b}\" stroke=\"{color}\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/><text x=\"{tx:.1}\" y=\"{ty}\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"{color}\">{} ≥ {}</text>",
            esc(label),
            fmt_num(v),
            b = top + plot_h,
            ty = top + 10.0
        );
    }
    s.push_str("</svg>");
    s
}

/// The model's weight, log2(m/u), per comparison level, as bars from a zero
/// line (agreement to the right, disagreement to the left), with m and u.
/// Levels are named in `lang`.
pub fn model_weights(m: &ModelReport, lang: Lang) -> String {
    let rows: Vec<(String, String, f64, f64, f64)> = m
        .comparisons
        .iter()
        .flat_map(|c| {
            c.levels.iter().enumerate().map(move |(i, l)| {
                (
                    if i == 0 {
                        c.field.clone()
                    } else {
                        String::new()
                    },
                    messages::level_name(&l.level, lang).to_string(),
                    l.weight(),
                    l.m,
                    l.u,
                )
            })
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let groups = m.comparisons.len() as f64;
    let row_h = 18.0;
    let (label_w, bar_w, text_w) = (250.0, 360.0, 200.0);
    let width = label_w + bar_w + text_w;
    let height = rows.len() as f64 * row_h + groups * 6.0 + 24.0;
    let max = rows.iter().map(|r| r.2.abs()).fold(1.0_f64, f64::max);
    let zero = label_w + bar_w / 2.0;
    let scale = (bar_w / 2.0 - 4.0) / max;
    let mut s = format!(
        "<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"m/u\">"
    );
    let _ = write!(
        s,
        "<line x1=\"{zero}\" y1=\"4\" x2=\"{zero}\" y2=\"{}\" stroke=\"{MUTED}\"/>",
        height - 18.0
    );
    for (v, anchor) in [(-max, "start"), (0.0, "middle"), (max, "end")] {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"{MUTED}\">{}</text>",
            zero + v * scale,
            height - 4.0,
            fmt_signed(v)
        );
    }
    let mut yy = 4.0;
    for (field, level, weight, mm, uu) in &rows {
        if !field.is_empty() {
            yy += 6.0;
            let _ = write!(
                s,
                "<line x1=\"0\" y1=\"{:.1}\" x2=\"{width}\" y2=\"{:.1}\" stroke=\"{GRID}\"/>",
                yy - 3.0,
                yy - 3.0
            );
        }
        let (bx, bw) = if *weight >= 0.0 {
            (zero, weight * scale)
        } else {
            (zero + weight * scale, -weight * scale)
        };
        let color = if *weight >= 0.0 { MATCH } else { UNMATCHED };
        let _ = write!(
            s,
            "<g><title>{}</title><text x=\"0\" y=\"{ty:.1}\" font-size=\"12\" font-weight=\"600\" fill=\"{INK}\">{}</text><text x=\"{lx}\" y=\"{ty:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"{MUTED}\">{}</text><rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{}\" fill=\"{color}\"/><text x=\"{tx}\" y=\"{ty:.1}\" font-size=\"11\" fill=\"{INK}\">{} · m {} · u {}</text></g>",
            esc(&format!("{field} {level}: log2(m/u) = {weight:+.2}")),
            esc(field),
            esc(level),
            yy + 2.0,
            bw.max(1.0),
            row_h - 5.0,
            fmt_signed(*weight),
            fmt_prob(*mm),
            fmt_prob(*uu),
            ty = yy + 12.0,
            lx = label_w - 8.0,
            tx = label_w + bar_w + 8.0,
        );
        yy += row_h;
    }
    s.push_str("</svg>");
    s
}

/// A waterfall of one score: the prior from zero, each comparison's
/// partial weight from the running total, then the final weight; dashed
/// lines at the thresholds. Values under each step are as given (masked by
/// the caller unless `--show-pii`).
pub fn waterfall(
    bars: &[WaterfallBar],
    match_weight: f64,
    review_weight: f64,
    w: &ChartWords,
) -> String {
    let Some(last) = bars.last() else {
        return String::new();
    };
    let final_weight = last.to;
    let col = 112.0;
    let (left, top, bottom) = (44.0, 14.0, 64.0);
    let plot_h = 200.0;
    let label_w = 110.0;
    let n = bars.len() as f64 + 1.0;
    let width = left + n * col + 8.0;
    let svg_w = width + label_w;
    let height = top + plot_h + bottom;
    let mut lo = 0.0_f64.min(match_weight).min(review_weight);
    let mut hi = 0.0_f64.max(match_weight).max(review_weight);
    for b in bars {
        lo = lo.min(b.from).min(b.to);
        hi = hi.max(b.from).max(b.to);
    }
    let pad = (hi - lo).max(1.0) * 0.05;
    lo -= pad;
    hi += pad;
    let y = |v: f64| top + (hi - v) / (hi - lo) * plot_h;
    let mut s = format!(
        "<svg class=\"chart\" width=\"{svg_w:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {svg_w:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(w.final_weight)
    );
    // Zero and the thresholds.
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{z:.1}\" x2=\"{r:.1}\" y2=\"{z:.1}\" stroke=\"{MUTED}\"/><text x=\"{tx}\" y=\"{ty:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"{MUTED}\">0</text>",
        z = y(0.0),
        r = width - 8.0,
        tx = left - 4.0,
        ty = y(0.0) + 4.0
    );
    for (v, color, label, dy) in [
        (review_weight, REVIEW, w.review, 12.0),
        (match_weight, MATCH, w.matched, -4.0),
    ] {
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{r:.1}\" y2=\"{yy:.1}\" stroke=\"{color}\" stroke-dasharray=\"5 3\"/><text x=\"{r:.1}\" y=\"{ty:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"{color}\">{} ≥ {}</text>",
            esc(label),
            fmt_num(v),
            yy = y(v),
            r = width - 8.0 + label_w,
            ty = y(v) + dy
        );
    }
    let mut prev_end: Option<f64> = None;
    for (i, b) in bars.iter().enumerate() {
        let cx = left + i as f64 * col;
        let (y0, y1) = (y(b.from.max(b.to)), y(b.from.min(b.to)));
        let color = if b.to >= b.from { MATCH } else { UNMATCHED };
        if let Some(p) = prev_end {
            let _ = write!(
                s,
                "<line x1=\"{:.1}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"{MUTED}\" stroke-dasharray=\"2 2\"/>",
                cx - col * 0.2,
                cx + col * 0.1,
                py = y(p)
            );
        }
        prev_end = Some(b.to);
        let title = if b.level.is_empty() {
            format!("{}: {:+.2}", b.label, b.to - b.from)
        } else {
            format!("{} ({}): {:+.2}", b.label, b.level, b.to - b.from)
        };
        let _ = write!(
            s,
            "<g><title>{}</title><rect x=\"{:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{color}\"/><text x=\"{mx:.1}\" y=\"{vy:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{INK}\">{}</text></g>",
            esc(&title),
            cx + col * 0.1,
            col * 0.8,
            (y1 - y0).max(1.0),
            fmt_signed(b.to - b.from),
            mx = cx + col / 2.0,
            vy = (y0 - 3.0).max(10.0),
        );
        let base = top + plot_h;
        let _ = write!(
            s,
            "<text x=\"{mx:.1}\" y=\"{a:.1}\" font-size=\"11\" font-weight=\"600\" text-anchor=\"middle\" fill=\"{INK}\">{}</text><text x=\"{mx:.1}\" y=\"{b2:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
            esc(&b.label),
            esc(&shorten(&b.level, 18)),
            mx = cx + col / 2.0,
            a = base + 14.0,
            b2 = base + 27.0,
        );
        if !b.values.0.is_empty() || !b.values.1.is_empty() {
            let _ = write!(
                s,
                "<text x=\"{mx:.1}\" y=\"{a:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"{MUTED}\" font-family=\"ui-monospace, monospace\"><title>{}: {} · {}: {}</title>{}</text><text x=\"{mx:.1}\" y=\"{b2:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"{MUTED}\" font-family=\"ui-monospace, monospace\">{}</text>",
                esc(w.record),
                esc(&b.values.0),
                esc(w.resident),
                esc(&b.values.1),
                esc(&shorten(&b.values.0, 16)),
                esc(&shorten(&b.values.1, 16)),
                mx = cx + col / 2.0,
                a = base + 41.0,
                b2 = base + 54.0,
            );
        }
    }
    // The final weight, from zero.
    let cx = left + bars.len() as f64 * col;
    let (y0, y1) = (y(final_weight.max(0.0)), y(final_weight.min(0.0)));
    let color = if final_weight >= match_weight {
        MATCH
    } else if final_weight >= review_weight {
        REVIEW
    } else {
        UNMATCHED
    };
    let _ = write!(
        s,
        "<g><title>{}: {:+.2}</title><rect x=\"{:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{color}\" stroke=\"{INK}\"/><text x=\"{mx:.1}\" y=\"{vy:.1}\" font-size=\"11\" font-weight=\"700\" text-anchor=\"middle\" fill=\"{INK}\">{}</text><text x=\"{mx:.1}\" y=\"{a:.1}\" font-size=\"11\" font-weight=\"600\" text-anchor=\"middle\" fill=\"{INK}\">{}</text></g>",
        esc(w.final_weight),
        final_weight,
        cx + col * 0.1,
        col * 0.8,
        (y1 - y0).max(1.0),
        fmt_signed(final_weight),
        esc(w.final_weight),
        mx = cx + col / 2.0,
        vy = (y0 - 3.0).max(10.0),
        a = top + plot_h + 14.0,
    );
    s.push_str("</svg>");
    s
}

/// A round step (1, 2 or 5 times a power of ten) that cuts `span` into at
/// most `max` parts.
fn tick_step(span: f64, max: usize) -> f64 {
    let raw = span.max(1e-9) / max.max(1) as f64;
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A number with at most one decimal, no trailing `.0`.
fn fmt_num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r:.1}")
    }
}

fn fmt_signed(v: f64) -> String {
    format!("{v:+.1}")
}

/// A probability in a few significant digits (`0.95`, `0.0029`, `1.2e-5`).
fn fmt_prob(p: f64) -> String {
    if p >= 0.01 {
        format!("{p:.3}")
    } else if p >= 0.0001 {
        format!("{p:.5}")
    } else {
        format!("{p:.1e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::linkage::{WeightBin, WeightHistogram};

    fn words() -> ChartWords<'static> {
        ChartWords {
            matched: "match",
            review: "review",
            unmatched: "unmatched",
            weight_axis: "weight",
            records: "records",
            final_weight: "final",
            record: "record",
            resident: "resident",
        }
    }

    #[test]
    fn histogram_tooltips_suppress_small_counts_and_thresholds_are_drawn() {
        let h = WeightHistogram {
            width: 2.0,
            bins: vec![
                WeightBin {
                    from: -2.0,
                    to: 0.0,
                    matched: 0,
                    review: 0,
                    unmatched: 2,
                },
                WeightBin {
                    from: 0.0,
                    to: 2.0,
                    matched: 0,
                    review: 1,
                    unmatched: 0,
                },
                WeightBin {
                    from: 2.0,
                    to: 4.0,
                    matched: 7,
                    review: 0,
                    unmatched: 0,
                },
                WeightBin {
                    from: 4.0,
                    to: 6.0,
                    matched: 40,
                    review: 0,
                    unmatched: 0,
                },
            ],
            without_weight: 0,
        };
        let svg = weight_histogram(&h, 4.25, 0.0, &words());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("unmatched &lt;3"), "{svg}");
        assert!(svg.contains("match 5"), "7 rounded: {svg}");
        assert!(svg.contains("match ≥ 4.2") || svg.contains("match ≥ 4.3"));
        assert!(svg.contains("review ≥ 0"));
        assert!(!svg.contains("unmatched 2"));
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(50.0, 8), 10.0);
        assert_eq!(tick_step(14.0, 8), 2.0);
        assert_eq!(tick_step(3.0, 8), 0.5);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        let bars = vec![WaterfallBar {
            label: "cognome".into(),
            level: "exact".into(),
            from: 0.0,
            to: 3.0,
            values: ("A<A".into(), "A&A".into()),
        }];
        let svg = waterfall(&bars, 4.0, 0.0, &words());
        assert!(svg.contains("A&lt;A") && svg.contains("A&amp;A"));
        assert!(!svg.contains("A<A"));
    }
}
