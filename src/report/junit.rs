//! `junit.xml`: one test case per check, one test suite per source, for CI
//! systems that display test results.

use std::fmt::Write;

use crate::messages::Message;
use crate::rules::Severity;
use crate::validate::{SourceOutcome, Verdict};

use super::summary::Regression;

/// Escapes text for XML attributes and content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders the JUnit XML for a run. A check over tolerance whose severity is
/// at least `fail_on` is a `<failure>`; one below it is reported in
/// `<system-out>`; a skipped check is `<skipped>`.
pub fn render(outcomes: &[SourceOutcome], regressions: &[Regression], fail_on: Severity) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total: usize = outcomes.iter().map(|o| o.checks.len()).sum::<usize>() + regressions.len();
    let failures: usize = outcomes
        .iter()
        .map(|o| o.gate_failures(fail_on).count())
        .sum::<usize>()
        + regressions.len();
    let _ = writeln!(
        xml,
        "<testsuites name=\"vaglio\" tests=\"{total}\" failures=\"{failures}\">"
    );
    for o in outcomes {
        let fails = o.gate_failures(fail_on).count();
        let skipped = o
            .checks
            .iter()
            .filter(|c| c.verdict() == Verdict::Skipped)
            .count();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" skipped=\"{skipped}\">",
            escape(&o.name),
            o.checks.len()
        );
        for c in &o.checks {
            let _ = write!(
                xml,
                "    <testcase classname=\"{}.level{}\" name=\"{} ({})\"",
                escape(&o.name),
                c.meta.level,
                escape(&c.meta.id),
                c.kind.code
            );
            let detail = format!(
                "{}: {} of {} failed ({:.2}%), severity {}",
                c.meta.description,
                c.failed,
                c.evaluated,
                c.failed_percent(),
                c.meta.severity
            );
            match c.verdict() {
                Verdict::Passed => xml.push_str("/>\n"),
                Verdict::Skipped => {
                    let _ = writeln!(
                        xml,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        escape(
                            &c.skipped
                                .as_ref()
                                .map(Message::to_string)
                                .unwrap_or_default()
                        )
                    );
                }
                Verdict::Failed if c.meta.severity >= fail_on => {
                    let mut body = String::new();
                    for e in &c.examples {
                        let _ = writeln!(
                            body,
                            "row {} (line {}) {}: {}",
                            e.row, e.line, e.column, e.message
                        );
                    }
                    let _ = writeln!(
                        xml,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        escape(&detail),
                        c.meta.severity,
                        escape(&body)
                    );
                }
                Verdict::Failed => {
                    let _ = writeln!(
                        xml,
                        ">\n      <system-out>{}</system-out>\n    </testcase>",
                        escape(&detail)
                    );
                }
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    if !regressions.is_empty() {
        let _ = writeln!(
            xml,
            "  <testsuite name=\"baseline\" tests=\"{}\" failures=\"{}\">",
            regressions.len(),
            regressions.len()
        );
        for r in regressions {
            let _ = writeln!(
                xml,
                "    <testcase classname=\"{}.baseline\" name=\"{}\">\n      <failure message=\"{}\" type=\"regression\"/>\n    </testcase>",
                escape(&r.source),
                escape(&r.subject),
                escape(&r.message)
            );
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}
