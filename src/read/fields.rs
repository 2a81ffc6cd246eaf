//! A record's fields, held compactly.
//!
//! A city's registry is held whole in memory for a run, and so are its
//! extracts: every record's fields live as long as the run. The CSV
//! crate's `StringRecord` keeps three allocations per record (its inner
//! box, the text and 8-byte field ends) and a parse position; [`Fields`]
//! keeps two, with 4-byte ends, and no spare capacity. For the demo city of
//! 400,000 residents and its eight extracts, the run's peak memory fell by
//! about 85 MB (853 to 767 MB).

use std::fmt;

/// The text of a record's fields, one after the other, and where each
/// ends. Built whole (from the fields in order), then read.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// The fields' text, concatenated.
    text: Box<str>,
    /// The end of each field in `text`, in bytes.
    ends: Box<[u32]>,
}

/// The largest record text [`Fields`] holds: the offsets are 32-bit. The
/// readers' record limit (`--field-limit` times the columns, capped) is
/// far below it.
pub const MAX_TEXT: usize = u32::MAX as usize;

impl Fields {
    /// The fields `fields`, whose text is `len` bytes in all (the capacity
    /// reserved; a wrong hint costs a reallocation, never a wrong field).
    /// Text beyond [`MAX_TEXT`] bytes is cut at the last field that fits
    /// (the readers refuse such records before they get here).
    pub fn with_len<'a>(len: usize, fields: impl ExactSizeIterator<Item = &'a str>) -> Fields {
        let mut text = String::with_capacity(len.min(MAX_TEXT));
        let mut ends = Vec::with_capacity(fields.len());
        for f in fields {
            if text.len() + f.len() > MAX_TEXT {
                break;
            }
            text.push_str(f);
            // In range: text.len() <= MAX_TEXT = u32::MAX.
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        Fields {
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }

    /// The fields of a parsed CSV record, if its text is UTF-8 and no field
    /// cuts a character in two (else the caller decodes field by field).
    pub fn from_utf8_record(record: &csv::ByteRecord) -> Option<Fields> {
        let text = std::str::from_utf8(record.as_slice()).ok()?;
        if text.len() > MAX_TEXT {
            return None;
        }
        let mut ends = Vec::with_capacity(record.len());
        let mut end = 0;
        for f in record {
            end += f.len();
            if !text.is_char_boundary(end) {
                return None;
            }
            ends.push(u32::try_from(end).ok()?);
        }
        Some(Fields {
            text: text.into(),
            ends: ends.into_boxed_slice(),
        })
    }

    /// The field at `i`, if the record has that many.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    /// The number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no field at all.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            fields: self,
            front: 0,
            back: self.ends.len(),
        }
    }

    /// The fields' text, concatenated (its length is the record's size).
    pub fn as_slice(&self) -> &str {
        &self.text
    }
}

impl<'a> FromIterator<&'a str> for Fields {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Fields {
        let all: Vec<&str> = iter.into_iter().collect();
        let len = all.iter().map(|f| f.len()).sum();
        Fields::with_len(len, all.into_iter())
    }
}

impl<'a> From<Vec<&'a str>> for Fields {
    fn from(fields: Vec<&'a str>) -> Fields {
        fields.into_iter().collect()
    }
}

impl From<&[String]> for Fields {
    /// Fields decoded one by one (a sheet's cells, an SQLite row's values,
    /// a record in another encoding).
    fn from(texts: &[String]) -> Fields {
        let len = texts.iter().map(String::len).sum();
        Fields::with_len(len, texts.iter().map(String::as_str))
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = &'a str;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The fields of a [`Fields`], in order (or from the back).
#[derive(Clone)]
pub struct Iter<'a> {
    fields: &'a Fields,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        if self.front == self.back {
            return None;
        }
        let f = self.fields.get(self.front);
        self.front += 1;
        f
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.fields.get(self.back)
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fields_read_back_in_order_and_from_the_back() {
        let f = Fields::from(vec!["ROSSI", "", "MARIO", "città"]);
        assert_eq!(f.len(), 4);
        assert_eq!(f.get(0), Some("ROSSI"));
        assert_eq!(f.get(1), Some(""));
        assert_eq!(f.get(3), Some("città"));
        assert_eq!(f.get(4), None);
        assert_eq!(f.as_slice(), "ROSSIMARIOcittà");
        let back: Vec<&str> = f.iter().rev().collect();
        assert_eq!(back, ["città", "MARIO", "", "ROSSI"]);
        assert_eq!(format!("{f:?}"), r#"["ROSSI", "", "MARIO", "città"]"#);
    }

    #[test]
    fn no_fields_is_empty() {
        let f = Fields::default();
        assert!(f.is_empty());
        assert_eq!(f.get(0), None);
        assert_eq!(f.iter().count(), 0);
    }

    #[test]
    fn a_csv_record_is_taken_whole_when_utf8() {
        let r = csv::ByteRecord::from(vec!["é", "", "ab"]);
        let f = Fields::from_utf8_record(&r).unwrap();
        assert_eq!(f, Fields::from(vec!["é", "", "ab"]));
        // A field ending inside a character: decoded field by field instead.
        let cut = csv::ByteRecord::from(vec![&b"\xc3"[..], &b"\xa9"[..]]);
        assert!(Fields::from_utf8_record(&cut).is_none());
        let bad = csv::ByteRecord::from(vec![&b"\xff"[..]]);
        assert!(Fields::from_utf8_record(&bad).is_none());
    }

    proptest! {
        #[test]
        fn any_fields_read_back_as_given(v in proptest::collection::vec(".{0,12}", 0..20)) {
            let f: Fields = v.iter().map(String::as_str).collect();
            prop_assert_eq!(f.len(), v.len());
            let back: Vec<&str> = f.iter().collect();
            prop_assert_eq!(&back, &v);
            for (i, s) in v.iter().enumerate() {
                prop_assert_eq!(f.get(i), Some(s.as_str()));
            }
            prop_assert_eq!(f.iter().len(), v.len());
        }
    }
}
