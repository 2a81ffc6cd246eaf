//! The Italian catalogue: every [`Description`] and [`Message`] in Italian,
//! for the report in Italian (`--lang it`, the default). A field or table
//! kind's ([`Description::Field`], [`Message::Field`], [`Description::Table`],
//! [`Message::Table`]) is its module's.
//!
//! A description the rule file wrote is the author's text and is kept as
//! written; values, expressions and column names in a sentence are kept as
//! they are.

use super::{percent, Description, In, Lang, Message};
use crate::read::{delimiter_name, ReadIssueKind};
use crate::report::summary::round4;
use crate::rules::Severity;

/// `n` and the singular or the plural noun: `1 riga`, `2 righe`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The definite article before a number as Italian reads it aloud: `l'`
/// before one that starts with a vowel sound (`l'80 %`, `l'11 %`, `l'1,5
/// %`: otto…, undici, uno), `il ` before the others (`il 95 %`, `il 10 %`).
pub fn il(number: &str) -> &'static str {
    let whole = number
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap_or("");
    if whole.starts_with('8') || whole == "1" || whole == "11" {
        "l'"
    } else {
        "il "
    }
}

/// A severity's name in Italian.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "errore",
        Severity::Warning => "avviso",
        Severity::Info => "informazione",
    }
}

/// A check's description in Italian.
pub fn description(d: &Description) -> String {
    match d {
        Description::Written(text) => text.clone(),
        Description::Encoding => "ogni byte è valido nella codifica del file".into(),
        Description::RaggedRows => "ogni riga ha tanti campi quanti l'intestazione".into(),
        Description::Quotes => "ogni campo tra virgolette è chiuso".into(),
        Description::BlankRows => "nessuna riga è vuota".into(),
        Description::Header => "ogni colonna ha un nome distinto e non vuoto".into(),
        Description::Address => "l'indirizzo è nello stradario della città".into(),
        Description::Column(d) => In(d, Lang::It).to_string(),
        Description::Field(d) => In(d, Lang::It).to_string(),
        Description::Table(d) => In(d, Lang::It).to_string(),
    }
}

/// A finding's message in Italian.
pub fn message(m: &Message) -> String {
    match m {
        Message::WithValue {
            message: inner,
            value,
        } => {
            format!("{} (valore: {value:?})", message(inner))
        }
        Message::Column(m) => In(m, Lang::It).to_string(),
        Message::Field(m) => In(m, Lang::It).to_string(),
        Message::Table(m) => In(m, Lang::It).to_string(),
        Message::Expression(e) => In(e, Lang::It).to_string(),
        Message::Address(a) => In(a, Lang::It).to_string(),
        Message::Read(kind) => read_issue(kind),
        Message::Header(kind) => format!("intestazione: {}", read_issue(kind)),
        Message::FailRateRose { check, now, was } => format!(
            "{check}: valori non conformi {} (prima {}, +{} punti)",
            percent(*now, 2, Lang::It),
            percent(*was, 2, Lang::It),
            format!("{:.2}", round4(now - was)).replace('.', ",")
        ),
        Message::CompletenessFell { field, now, was } => format!(
            "{field}: completezza {} (prima {}, −{} punti)",
            percent(*now, 2, Lang::It),
            percent(*was, 2, Lang::It),
            format!("{:.2}", round4(was - now)).replace('.', ",")
        ),
        Message::ColumnsMissing { columns } => match columns.as_slice() {
            [one] => format!("manca la colonna {one}"),
            _ => format!("mancano le colonne {}", columns.join(", ")),
        },
        Message::KeyMissing => "manca una colonna della chiave".into(),
        Message::NotDelimited => "non è un file di testo delimitato".into(),
        Message::NotLinked => {
            "tra fonti: valutato da vaglio run dopo il collegamento all'anagrafe".into()
        }
    }
}

/// A problem the reader found, in Italian.
pub fn read_issue(kind: &ReadIssueKind) -> String {
    match kind {
        ReadIssueKind::BlankHeader { position } => {
            format!("la colonna {position} ha l'intestazione vuota")
        }
        ReadIssueKind::DuplicateHeader { name, position } => {
            format!("la colonna {position} ripete l'intestazione {name:?}")
        }
        ReadIssueKind::RaggedRow { expected, found } => format!(
            "la riga ha {}, l'intestazione {expected}",
            count(*found as u64, "campo", "campi")
        ),
        ReadIssueKind::Undecodable { encoding } => format!(
            "byte non validi in {encoding} (sostituiti con \u{FFFD}); salvare il file in una sola codifica"
        ),
        ReadIssueKind::UnterminatedQuote { lines } => format!(
            "un campo tra virgolette aperto qui non si chiude mai: {} seguenti vi sono state lette dentro",
            count(*lines, "riga", "righe")
        ),
        ReadIssueKind::BlankRow { empty_line: true } => "riga vuota: la linea è vuota".into(),
        ReadIssueKind::BlankRow { empty_line: false } => "riga vuota: ogni cella è vuota".into(),
        ReadIssueKind::DelimiterMismatch { declared, found } => {
            let (declared, found) = (delimiter_name(*declared), delimiter_name(*found));
            format!(
                "il delimitatore dichiarato {declared:?} non corrisponde al file: le sue prime righe si dividono in modo regolare con {found:?}; impostare delimiter = {found:?} (o \"auto\") in [input]"
            )
        }
        ReadIssueKind::EncodingMismatch { declared, found } => format!(
            "il file non si legge nella codifica dichiarata {declared} ma si legge in {found}; impostare encoding = {:?} (o \"auto\") in [input]",
            found.to_ascii_lowercase()
        ),
        ReadIssueKind::UnreadableCell { detail } => {
            format!("la cella non si può leggere come testo: {detail}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> String {
        name.to_string()
    }

    #[test]
    fn descriptions_agree_in_gender_and_number() {
        let rows = |min| {
            let d = crate::checks::row_count::Description { min, max: None };
            description(&Description::from(d))
        };
        assert_eq!(rows(Some(1)), "l'estratto ha almeno 1 riga");
        assert_eq!(rows(Some(2)), "l'estratto ha almeno 2 righe");
        assert_eq!(count(1, "carattere", "caratteri"), "1 carattere");
        assert_eq!(count(0, "carattere", "caratteri"), "0 caratteri");
    }

    /// Every field and table kind's sentences, read through the registry:
    /// translated, and free of the slips of agreement a sentence with a
    /// parameter makes (a count of 1 with a plural noun, an article of the
    /// wrong gender).
    #[test]
    fn every_kinds_sentences_are_translated_and_agree() {
        let slips = regex::Regex::new(
            r"\b1 (righe|caratteri|campi|valori)\b|\bun (data|partita)\b|\buna (codice|numero|valore|testo)\b",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (descriptions, messages) = crate::checks::example_sentences();
        let sentences: Vec<(String, String)> = descriptions
            .iter()
            .map(|d| (super::super::en::description(d), description(d)))
            .chain(
                messages
                    .iter()
                    .map(|m| (super::super::en::message(m), message(m))),
            )
            .collect();
        let kinds = crate::checks::FIELD_KEYS.len() + crate::checks::TABLE_KEYS.len();
        assert!(sentences.len() >= 2 * kinds);
        for (en, it) in &sentences {
            assert_ne!(en, it, "not translated");
            assert!(!it.trim().is_empty(), "empty: {en}");
            assert!(!slips.is_match(it), "{it}");
        }
    }

    #[test]
    fn the_issues_examples_are_italian() {
        assert_eq!(
            message(&Message::from(crate::checks::foreign_key::Failure {
                file: "nidi.csv".into(),
                columns: vec![field("CODICE")],
            })),
            "non trovato in nidi.csv (CODICE)"
        );
        assert_eq!(
            message(&Message::from(
                crate::checks::composite_key::Failure::Repeats {
                    columns: vec![field("COD_SERVIZIO"), field("CF_ALUNNO")],
                    first: 174,
                }
            )),
            "la combinazione COD_SERVIZIO + CF_ALUNNO ripete quella della riga 174"
        );
        assert_eq!(
            description(&Description::from(
                crate::checks::composite_key::Description::PrimaryKey {
                    columns: vec![field("ID")]
                }
            )),
            "ID identifica ogni riga: è presente e non si ripete mai"
        );
        assert_eq!(severity(Severity::Error), "errore");
        assert_eq!(severity(Severity::Warning), "avviso");
    }

    #[test]
    fn a_value_is_quoted_after_the_message() {
        let missing = || Message::from(crate::checks::required::Failure);
        let m = missing().with_value("x", true);
        assert_eq!(message(&m), "valore mancante (valore: \"x\")");
        assert_eq!(m.to_string(), "value missing (value: \"x\")");
        assert_eq!(missing().with_value("x", false), missing());
    }

    #[test]
    fn the_article_before_a_number_follows_its_sound() {
        for (n, a) in [
            ("80,0 %", "l'"),
            ("8 %", "l'"),
            ("11 %", "l'"),
            ("1,5 %", "l'"),
            ("95 %", "il "),
            ("10,0 %", "il "),
            ("100 %", "il "),
            ("18 %", "il "),
        ] {
            assert_eq!(il(n), a, "{n}");
        }
    }

    #[test]
    fn explanations_and_addresses_are_italian() {
        let cf = crate::identity::functions::Explanation::InvalidCf(
            crate::identity::CfError::WrongCheckCharacter {
                expected: 'S',
                found: 'Z',
            },
        );
        let m = Message::Expression(crate::expr::Explanation::Call(super::super::Said::new(cf)));
        assert_eq!(
            message(&m),
            "codice fiscale non valido: il carattere di controllo dovrebbe essere S, trovato Z"
        );
        assert_eq!(
            m.to_string(),
            "not a valid codice fiscale: check character should be S, found Z"
        );
        let m = Message::Expression(crate::expr::Explanation::False(
            "DATA_FINE >= DATA_INIZIO".into(),
        ));
        assert_eq!(message(&m), "DATA_FINE >= DATA_INIZIO è falso");
        let m = Message::Address(crate::checks::address::Failure { reason: None });
        assert_eq!(message(&m), "l'indirizzo non è nello stradario");
    }

    #[test]
    fn rule_file_text_is_kept() {
        let d = Description::Written("an enrolment ends after it starts".into());
        assert_eq!(description(&d), "an enrolment ends after it starts");
    }
}
