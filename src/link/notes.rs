//! What the linkage noted about a record, beside its outcome. Written in
//! `links.csv` and the datamart as before: the notes' names joined by `;`
//! (`cf_of_other_resident;near_tie`), empty for none.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The name of [`LinkNotes::cf_of_other_resident`] in outputs.
pub const NOTE_CF_OTHER: &str = "cf_of_other_resident";
/// The name of [`LinkNotes::near_tie`] in outputs.
pub const NOTE_NEAR_TIE: &str = "near_tie";

/// The notes of one record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct LinkNotes {
    /// The record's codice fiscale belongs to a resident whose name and
    /// birth date disagree with the record.
    pub cf_of_other_resident: bool,
    /// The two best candidates are within the tie margin.
    pub near_tie: bool,
}

impl LinkNotes {
    /// Reads notes as outputs write them; unknown names are dropped.
    pub fn parse(text: &str) -> LinkNotes {
        let mut notes = LinkNotes::default();
        for name in text.split(';') {
            match name {
                NOTE_CF_OTHER => notes.cf_of_other_resident = true,
                NOTE_NEAR_TIE => notes.near_tie = true,
                _ => {}
            }
        }
        notes
    }

    /// Whether there is no note.
    pub fn is_empty(&self) -> bool {
        *self == LinkNotes::default()
    }

    /// The notes' names, in the order outputs write them.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        [
            (self.cf_of_other_resident, NOTE_CF_OTHER),
            (self.near_tie, NOTE_NEAR_TIE),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
    }
}

impl From<String> for LinkNotes {
    fn from(text: String) -> LinkNotes {
        LinkNotes::parse(&text)
    }
}

impl From<LinkNotes> for String {
    fn from(notes: LinkNotes) -> String {
        notes.to_string()
    }
}

/// The names joined by `;`, as `links.csv` writes them.
impl fmt::Display for LinkNotes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.names().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_round_trip_as_links_csv_writes_them() {
        for text in [
            "",
            "near_tie",
            "cf_of_other_resident",
            "cf_of_other_resident;near_tie",
        ] {
            assert_eq!(LinkNotes::parse(text).to_string(), text);
        }
        assert!(LinkNotes::parse("").is_empty());
    }
}
