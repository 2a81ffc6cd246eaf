//! The report's language: the demo's pages in Italian (the default) carry
//! no English sentence of vaglio's, and `--lang en` reaches every command
//! that writes a report.

use std::path::Path;

use regex::Regex;
use vaglio::checks::{composite_key, foreign_key, row_count};
use vaglio::messages::{en, it, Description, Message};

use crate::util::*;

/// English words and phrases vaglio used to leak into Italian pages (the
/// issue's list and the catalogue's English side), matched as whole words.
const ENGLISH: &[&str] = &[
    "after",
    "before",
    "not found",
    "the combination",
    "error",
    "warning",
    "exact",
    "one_edit",
    "else",
    "must",
    "value missing",
    "duplicate of",
    "repeats row",
    "below the minimum",
    "above the maximum",
    "not a",
    "at least",
    "at most",
    "rows",
    "characters",
    "is missing",
    "does not",
    "the extract",
    "allowed",
    "ignored",
    "probabilistic",
    "prior",
    "passed",
    "failed",
    "skipped",
    "invalid",
    "provisional",
    "placeholder",
    "differs",
    "expected",
];

/// Sentences of the English catalogue, with the parameters the demo's
/// findings have, and every field and table kind's sentences (read through the
/// registry, so that a new kind's are checked too) cut at their numbers:
/// none may appear in an Italian page.
fn english_sentences() -> Vec<String> {
    let cols = vec!["CF_ALUNNO".to_string()];
    let messages = [
        Message::NotDelimited,
        Message::NotLinked,
        Message::KeyMissing,
        Message::from(foreign_key::Failure {
            file: "anagrafe.csv".into(),
            columns: vec!["CODICE_FISCALE".into()],
        }),
        Message::from(composite_key::Failure::Repeats {
            columns: vec!["COD_SERVIZIO".into(), "CF_ALUNNO".into()],
            first: 1,
        }),
    ];
    let descriptions = [
        Description::from(row_count::Description {
            min: Some(1),
            max: None,
        }),
        Description::from(composite_key::Description::PrimaryKey { columns: cols }),
    ];
    let fields = kind_sentences(en::message, en::description)
        .into_iter()
        .flat_map(|s| fragments(&s));
    messages
        .iter()
        .map(en::message)
        .chain(descriptions.iter().map(en::description))
        .map(|s| s.trim().to_string())
        .chain(fields)
        .collect()
}

/// Every field and table kind's examples of its sentences, rendered by
/// `message` and `description`.
fn kind_sentences(
    message: fn(&Message) -> String,
    description: fn(&Description) -> String,
) -> Vec<String> {
    let (descriptions, messages) = vaglio::checks::example_sentences();
    messages
        .iter()
        .map(message)
        .chain(descriptions.iter().map(description))
        .collect()
}

/// The pieces of an English sentence between its numbers, of two words or
/// more: a finding's numbers are not an example's.
fn fragments(sentence: &str) -> Vec<String> {
    sentence
        .split(|c: char| c.is_ascii_digit())
        .map(|p| p.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|p| p.contains(' '))
        .collect()
}

/// The text a reader sees: no scripts, styles or tags, entities decoded.
fn visible_text(html: &str) -> String {
    let hidden = Regex::new(r"(?s)<script.*?</script>|<style.*?</style>").unwrap();
    let tags = Regex::new(r"<[^>]*>").unwrap();
    let text = hidden.replace_all(html, " ");
    let text = tags.replace_all(&text, "\n");
    text.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The labels a screen reader reads out (`aria-label`), one a line, with
/// a percentage written the English way (`96.5%`) marked as English.
fn aria_labels(html: &str) -> String {
    let label = Regex::new(r#"aria-label="([^"]*)""#).unwrap();
    label
        .captures_iter(html)
        .map(|c| english_percents(&c[1]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` with each percentage written the English way (`96.5%`) marked as
/// English.
fn english_percents(text: &str) -> String {
    let english_percent = Regex::new(r"\d+\.\d+%").unwrap();
    english_percent
        .replace_all(text, "not a percentage in Italian")
        .into_owned()
}

/// The expressions the rule files' authors wrote (`assert`, `when`): shown
/// as written, so not vaglio's to translate. Their descriptions and titles
/// are not taken out: the demo's rule files are Italian, and an English one
/// there is a slip of the demo's.
fn authored(rules: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(rules).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let Ok(doc) = text.parse::<toml::Table>() else {
            continue;
        };
        collect_authored(&toml::Value::Table(doc), &mut out);
    }
    // Longest first, so that a text is removed before a part of it.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

fn collect_authored(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                match (k.as_str(), v) {
                    ("assert" | "when", toml::Value::String(s)) => out.push(s.clone()),
                    _ => collect_authored(v, out),
                }
            }
        }
        toml::Value::Array(a) => a.iter().for_each(|v| collect_authored(v, out)),
        _ => {}
    }
}

/// The English words and sentences of vaglio's found in `text` (a page's
/// visible text with the authors' text taken out), with their line.
fn english_in(text: &str, authored: &[String], sentences: &[String]) -> Vec<String> {
    let words = Regex::new(&format!(r"\b(?:{})\b", ENGLISH.join("|"))).unwrap();
    let mut hits = Vec::new();
    for line in text.lines() {
        let mut line = line.trim().to_string();
        for a in authored {
            line = line.replace(a.as_str(), " ");
        }
        if let Some(m) = words.find(&line) {
            hits.push(format!("{:?} in {line:?}", m.as_str()));
        } else if let Some(s) = sentences.iter().find(|s| line.contains(s.as_str())) {
            hits.push(format!("{s:?} in {line:?}"));
        }
    }
    hits
}

#[test]
fn the_scanner_catches_an_english_message() {
    let sentences = english_sentences();
    let page = "<td>riga 3</td><td>not found in nidi.csv (CODICE)</td>";
    assert_eq!(english_in(&visible_text(page), &[], &sentences).len(), 1);
    let page = "<td>CF_ALUNNO deve essere una data valida</td><td>errore</td>";
    assert!(english_in(&visible_text(page), &[], &sentences).is_empty());
    // The author's text is kept as written, and not counted.
    let authored = vec!["an enrolment ends after it starts".to_string()];
    let page = "<td>an enrolment ends after it starts</td>";
    assert!(english_in(&visible_text(page), &authored, &sentences).is_empty());
    // A chart's label is read out too: a percentage the English way is caught.
    let page = r#"<svg role="img" aria-label="96.5%"></svg><svg aria-label="96,5 %"></svg>"#;
    assert_eq!(english_in(&aria_labels(page), &[], &sentences).len(), 1);
}

#[test]
fn every_kinds_italian_sentences_carry_no_english() {
    let sentences = english_sentences();
    assert!(sentences.len() > 20, "{}", sentences.len());
    let mut hits = Vec::new();
    for italian in kind_sentences(it::message, it::description) {
        hits.extend(english_in(&italian, &[], &sentences));
    }
    assert!(hits.is_empty(), "{hits:#?}");
}

#[test]
fn the_demos_italian_pages_carry_no_english_message() {
    let tmp = scratch();
    let dir = tmp.path();
    demo_city(dir, 1500, 3);
    // A second delivery, a month on: every source's page then draws its
    // trend (points labelled with their percentage) and lists what changed.
    let code = vaglio()
        .args(["run", "--quiet", "--today", "2026-01-31"])
        .arg(dir.join("vaglio.toml"))
        .output()
        .map(|o| o.status.code())
        .unwrap_or_default();
    assert!(matches!(code, Some(0 | 1)), "second run: {code:?}");
    let authored = authored(&dir.join("rules"));
    let sentences = english_sentences();
    let pages = files_under(&dir.join("reports"), "html");
    assert!(pages.len() > 10, "{} pages", pages.len());
    let mut hits = Vec::new();
    let mut trends = 0;
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap_or_default();
        assert!(html.contains("<html lang=\"it\""), "{}", page.display());
        trends += usize::from(html.contains("<figure class=\"trend\""));
        for hit in english_in(
            &english_percents(&visible_text(&html)),
            &authored,
            &sentences,
        ) {
            hits.push(format!("{}: {hit}", page.display()));
        }
        for hit in english_in(&aria_labels(&html), &authored, &sentences) {
            hits.push(format!("{}: label {hit}", page.display()));
        }
    }
    assert!(trends >= 8, "{trends} pages draw a trend");
    hits.dedup();
    assert!(
        hits.is_empty(),
        "{} English lines in Italian pages, e.g.:\n{}",
        hits.len(),
        hits[..hits.len().min(25)].join("\n")
    );
}

#[test]
fn every_command_that_writes_a_report_takes_lang_and_refuses_an_unknown_one() {
    let tmp = scratch();
    let out = tmp.path().join("demo");
    for args in [
        vec!["demo", "--quiet", "--out"],
        vec!["run"],
        vec!["check", "--rules", "rules.toml", "x.csv", "--out"],
        vec!["link", "x.csv", "--against"],
    ] {
        let assert = vaglio()
            .args(&args)
            .arg(&out)
            .args(["--lang", "klingon"])
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(
            stderr.contains("unknown report language") && stderr.contains("--lang en"),
            "{args:?}: {stderr}"
        );
    }
    assert!(
        !out.exists(),
        "nothing is written before the language is known"
    );
}
