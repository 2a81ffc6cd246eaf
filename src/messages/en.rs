//! The English catalogue: every [`Description`] and [`Message`] in English
//! (a field or table kind's, [`Description::Field`], [`Message::Field`],
//! [`Description::Table`] and [`Message::Table`], from its module). `summary.json`, `findings.csv`, JUnit and the terminal carry
//! this text.

use super::{Description, In, Lang, Message};
use crate::identity::codice_fiscale::CfError;
use crate::identity::dates::MONTH_NAMES;
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
        Description::MissingColumns => "every declared field is a column of the file".into(),
        Description::UnexpectedColumns => "every column of the file is declared in [fields]".into(),
        Description::ForbiddenColumns => "no forbidden column is delivered".into(),
        Description::Address => "the address is in the city's civic-number register".into(),
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
        Message::Field(m) => In(m, Lang::En).to_string(),
        Message::Table(m) => In(m, Lang::En).to_string(),
        Message::Expression(e) => In(e, Lang::En).to_string(),
        Message::Address(a) => In(a, Lang::En).to_string(),
        Message::Read(kind) => read_issue(kind),
        Message::Header(kind) => format!("header: {}", read_issue(kind)),
        Message::ColumnNotFound { column, similar } => match similar {
            Some(s) => format!("declared column {column} is missing (did you mean {s}?)"),
            None => format!("declared column {column} is missing"),
        },
        Message::FailRateRose { check, now, was } => format!(
            "{check} fails for {now:.2}% of values, was {was:.2}% (+{:.2} points)",
            round4(now - was)
        ),
        Message::CompletenessFell { field, now, was } => format!(
            "{field} is {now:.2}% complete, was {was:.2}% (−{:.2} points)",
            round4(was - now)
        ),
        Message::UndeclaredColumn { column } => {
            format!("column {column} is not declared in the rule file")
        }
        Message::ForbiddenColumn { column } => format!("column {column} must not be delivered"),
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

/// Why a codice fiscale is not valid, in English. It contains at most one
/// character of the code, never the code itself.
pub fn cf_error(e: &CfError) -> String {
    match *e {
        CfError::Empty => "the codice fiscale is empty".to_owned(),
        CfError::WrongLength { len } => format!(
            "wrong length: {len} character{}, expected 16 (or 11 digits for a provisional code)",
            if len == 1 { "" } else { "s" }
        ),
        CfError::Provisional => {
            "an 11-digit provisional code, not a 16-character personal code".to_owned()
        }
        CfError::InvalidCharacter { pos, found } => {
            format!("character {pos} is {found:?}, which is neither a letter (A-Z) nor a digit")
        }
        CfError::DigitInLetterPosition { pos, found } => {
            let hint = match found {
                '0' => ": did you mean O?",
                '1' => ": did you mean I?",
                '5' => ": did you mean S?",
                '8' => ": did you mean B?",
                _ => "",
            };
            format!("'{found}' (digit) in a letter position (character {pos}){hint}")
        }
        CfError::LetterInDigitPosition { pos, found } => {
            let hint = match found {
                'O' | 'D' | 'Q' => ": did you mean 0?",
                'I' => ": did you mean 1?",
                'Z' => ": did you mean 2?",
                'B' => ": did you mean 8?",
                'G' => ": did you mean 6?",
                _ => "",
            };
            if found == 'O' {
                format!("'O' (letter) in a digit position (character {pos}): did you mean 0?")
            } else {
                format!(
                        "character {pos} should be a digit (or an omocode letter L M N P Q R S T U V), found '{found}'{hint}"
                    )
            }
        }
        CfError::InvalidMonth { found } => format!(
            "character 9 should be a month letter (A B C D E H L M P R S T), found '{found}'"
        ),
        CfError::InvalidDay { day } => format!(
            "characters 10-11 should be the day of birth, 01-31 (41-71 for women), found {day:02}"
        ),
        CfError::InvalidDate { day, month } => {
            let name = MONTH_NAMES
                .get(usize::from(month).wrapping_sub(1))
                .copied()
                .unwrap_or("that month");
            format!("the birth date does not exist: {name} has no day {day}")
        }
        CfError::WrongCheckCharacter { expected, found } => {
            format!("check character should be {expected}, found {found}")
        }
        CfError::WrongCheckDigit { expected, found } => {
            format!("check digit of the provisional code should be {expected}, found {found}")
        }
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
