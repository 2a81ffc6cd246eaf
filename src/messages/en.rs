//! The English catalogue: every [`Description`] and [`Message`] in English
//! (a field or table kind's, [`Description::Field`], [`Message::Field`],
//! [`Description::Table`] and [`Message::Table`], from its module). `summary.json`, `findings.csv`, JUnit and the terminal carry
//! this text.

use super::{Description, In, Lang, Message};
use crate::read::{delimiter_name, ReadIssueKind};
use crate::report::summary::round4;

/// A check's description in English.
pub fn description(d: &Description) -> String {
    match d {
        Description::Written(text) => text.clone(),
        Description::Encoding => "every byte is valid in the file's encoding".into(),
        Description::RaggedRows => "every row has as many fields as the header".into(),
        Description::Quotes => "every quoted field is closed".into(),
        Description::BlankRows => "no row is blank".into(),
        Description::Header => "every column has a distinct, non-blank name".into(),
        Description::Address => "the address is in the city's civic-number register".into(),
        Description::Column(d) => In(d, Lang::En).to_string(),
        Description::Field(d) => In(d, Lang::En).to_string(),
        Description::Table(d) => In(d, Lang::En).to_string(),
    }
}

/// A finding's message in English.
pub fn message(m: &Message) -> String {
    match m {
        Message::WithValue {
            message: inner,
            value,
        } => {
            format!("{} (value: {value:?})", message(inner))
        }
        Message::Column(m) => In(m, Lang::En).to_string(),
        Message::Field(m) => In(m, Lang::En).to_string(),
        Message::Table(m) => In(m, Lang::En).to_string(),
        Message::Expression(e) => In(e, Lang::En).to_string(),
        Message::Address(a) => In(a, Lang::En).to_string(),
        Message::Read(kind) => read_issue(kind),
        Message::Header(kind) => format!("header: {}", read_issue(kind)),
        Message::FailRateRose { check, now, was } => format!(
            "{check} fails for {now:.2}% of values, was {was:.2}% (+{:.2} points)",
            round4(now - was)
        ),
        Message::CompletenessFell { field, now, was } => format!(
            "{field} is {now:.2}% complete, was {was:.2}% (−{:.2} points)",
            round4(was - now)
        ),
        Message::ColumnsMissing { columns } => format!("column {} is missing", columns.join(", ")),
        Message::KeyMissing => "a column of the key is missing".into(),
        Message::NotDelimited => "not a delimited text file".into(),
        Message::NotLinked => "cross-source: evaluated by vaglio run after linkage".into(),
    }
}

/// A problem the reader found, in English.
pub fn read_issue(kind: &ReadIssueKind) -> String {
    match kind {
            ReadIssueKind::BlankHeader { position } => {
                format!("column {position} has a blank header")
            }
            ReadIssueKind::DuplicateHeader { name, position } => {
                format!("column {position} repeats the header {name:?}")
            }
            ReadIssueKind::RaggedRow { expected, found } => format!(
                "row has {found} fields, the header has {expected}"
            ),
            ReadIssueKind::Undecodable { encoding } => format!(
                "bytes not valid in {encoding} (replaced with \u{FFFD}); save the file in one encoding"
            ),
            ReadIssueKind::UnterminatedQuote { lines } => format!(
                "a quoted field opened here never closes: {lines} following lines were read into it"
            ),
            ReadIssueKind::BlankRow { empty_line: true } => {
                "blank row: the line is empty".into()
            }
            ReadIssueKind::BlankRow { empty_line: false } => {
                "blank row: every cell is empty".into()
            }
            ReadIssueKind::DelimiterMismatch { declared, found } => {
                let (declared, found) =
                    (delimiter_name(*declared), delimiter_name(*found));
                format!(
                    "the declared delimiter {declared:?} does not fit the file: its first lines split evenly on {found:?}; set delimiter = {found:?} (or \"auto\") in [input]"
                )
            }
            ReadIssueKind::EncodingMismatch { declared, found } => format!(
                "the file does not read as the declared encoding {declared} but does as {found}; set encoding = {:?} (or \"auto\") in [input]",
                found.to_ascii_lowercase()
            ),
            ReadIssueKind::UnreadableCell { detail } => format!("cell could not be read as text: {detail}"),
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The English text is the one outputs carried before messages were
    /// typed: `summary.json`, `findings.csv` and the snapshots rely on it.
    #[test]
    fn english_is_unchanged() {
        let cols = vec!["COD_SERVIZIO".to_string(), "CF_ALUNNO".to_string()];
        assert_eq!(
            message(&Message::from(
                crate::checks::composite_key::Failure::Repeats {
                    columns: cols.clone(),
                    first: 174
                }
            )),
            "the combination COD_SERVIZIO + CF_ALUNNO repeats row 174"
        );
        assert_eq!(
            description(&Description::from(crate::checks::row_count::Description {
                min: Some(1),
                max: None
            })),
            "the extract has at least 1 rows"
        );
        assert_eq!(
            description(&Description::from(
                crate::checks::composite_key::Description::Unique { columns: cols }
            )),
            "no two rows share COD_SERVIZIO + CF_ALUNNO"
        );
        assert_eq!(
            message(&Message::Read(ReadIssueKind::BlankRow { empty_line: true })),
            "blank row: the line is empty"
        );
    }
}
