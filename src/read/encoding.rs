//! Choosing the character encoding of a CSV file.

use std::fmt;

use encoding_rs::Encoding;

/// The encoding a rule file or the command line asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum EncodingChoice {
    /// Detect: a byte-order mark decides; otherwise UTF-8 if the start of the
    /// file is valid UTF-8, else the guess of a statistical detector
    /// (usually Windows-1252 for Italian offices).
    #[default]
    Auto,
    /// A named encoding (`utf-8`, `windows-1252`, `iso-8859-1`, `utf-16le`…).
    Named(&'static Encoding),
}

impl EncodingChoice {
    /// Parses an encoding label as the WHATWG Encoding Standard defines them
    /// (`auto`, `utf-8`, `windows-1252`, `latin1`, `iso-8859-15`, …).
    pub fn parse(label: &str) -> Option<EncodingChoice> {
        let label = label.trim();
        if label.eq_ignore_ascii_case("auto") {
            return Some(EncodingChoice::Auto);
        }
        Encoding::for_label(label.as_bytes()).map(EncodingChoice::Named)
    }
}

impl fmt::Display for EncodingChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodingChoice::Auto => f.write_str("auto"),
            EncodingChoice::Named(e) => f.write_str(e.name()),
        }
    }
}

/// A byte-order mark at the start of `bytes`: its encoding and length.
pub(crate) fn bom(bytes: &[u8]) -> Option<(&'static Encoding, usize)> {
    Encoding::for_bom(bytes)
}

/// Guesses the encoding of a file from its first bytes. `complete` says
/// whether `sample` is the whole file.
///
/// UTF-8 wins whenever the sample is valid UTF-8 (a multi-byte character cut
/// at the end of an incomplete sample does not count against it); otherwise
/// `chardetng` guesses, told that the text is Italian.
pub fn detect_encoding(sample: &[u8], complete: bool) -> &'static Encoding {
    if let Some((enc, _)) = bom(sample) {
        return enc;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return encoding_rs::UTF_8,
        Err(e) if e.error_len().is_none() && !complete => return encoding_rs::UTF_8,
        Err(_) => {}
    }
    // Real non-ASCII UTF-8 characters next to invalid bytes mean a UTF-8 file
    // with some rows in another encoding: read it as UTF-8 so that those rows
    // are reported, rather than silently garbling every other row.
    let utf8_chars: usize = sample
        .utf8_chunks()
        .map(|c| c.valid().chars().filter(|ch| !ch.is_ascii()).count())
        .sum();
    if utf8_chars >= 2 {
        return encoding_rs::UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, true);
    detector.guess(Some(b"it"), chardetng::Utf8Detection::Allow)
}

/// The encoding that fits `sample` when the `declared` one does not: for a
/// declared encoding the sample is not valid in, the detected one if the
/// sample is valid in it; for a declared single-byte encoding, UTF-8 if the
/// sample is valid UTF-8 with letters beyond ASCII (which the declared one
/// would misread without an error). `None` when the declared one fits.
pub fn better_encoding(
    sample: &[u8],
    complete: bool,
    declared: &'static Encoding,
) -> Option<&'static Encoding> {
    if declared == encoding_rs::UTF_16LE || declared == encoding_rs::UTF_16BE {
        return None;
    }
    let valid_utf8 = match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && !complete,
    };
    if declared != encoding_rs::UTF_8 {
        let non_ascii = sample.iter().any(|b| !b.is_ascii());
        return (valid_utf8 && non_ascii).then_some(encoding_rs::UTF_8);
    }
    if valid_utf8 {
        return None;
    }
    let detected = detect_encoding(sample, complete);
    let (_, _, bad) = detected.decode(sample);
    (detected != declared && !bad).then_some(detected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_encoding_that_does_not_fit_gets_the_one_that_does() {
        let latin = b"NOME;CITTA\nNICOL\xd2;FORL\xcc\nPERCH\xc9;CIT\xc0\n";
        assert_eq!(
            better_encoding(latin, true, encoding_rs::UTF_8),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(
            better_encoding(latin, true, encoding_rs::WINDOWS_1252),
            None
        );
        let utf8 = "NOME\nNICOLÒ\n".as_bytes();
        assert_eq!(
            better_encoding(utf8, true, encoding_rs::WINDOWS_1252),
            Some(encoding_rs::UTF_8)
        );
        assert_eq!(better_encoding(utf8, true, encoding_rs::UTF_8), None);
        assert_eq!(
            better_encoding(b"ASCII\n", true, encoding_rs::WINDOWS_1252),
            None
        );
    }

    #[test]
    fn utf8_is_preferred() {
        assert_eq!(
            detect_encoding("FORLÌ;CITTÀ".as_bytes(), true),
            encoding_rs::UTF_8
        );
    }

    #[test]
    fn latin_bytes_are_windows_1252() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("FORLÌ;CITTÀ;PERCHÉ;però\n");
        assert_eq!(detect_encoding(&bytes, true), encoding_rs::WINDOWS_1252);
    }

    #[test]
    fn mixed_file_is_read_as_utf8() {
        let mut bytes = "NICOLÒ;FORLÌ\n".as_bytes().to_vec();
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode("CITTÀ\n");
        bytes.extend_from_slice(&latin);
        assert_eq!(detect_encoding(&bytes, true), encoding_rs::UTF_8);
    }

    #[test]
    fn truncated_utf8_sample_is_still_utf8() {
        let s = "CITTÀ".as_bytes();
        assert_eq!(
            detect_encoding(&s[..s.len() - 1], false),
            encoding_rs::UTF_8
        );
    }

    #[test]
    fn bom_decides() {
        assert_eq!(
            detect_encoding(b"\xFF\xFEa\x00", true),
            encoding_rs::UTF_16LE
        );
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFa", true), encoding_rs::UTF_8);
    }

    #[test]
    fn labels() {
        assert_eq!(EncodingChoice::parse("AUTO"), Some(EncodingChoice::Auto));
        assert_eq!(
            EncodingChoice::parse("latin1"),
            Some(EncodingChoice::Named(encoding_rs::WINDOWS_1252))
        );
        assert_eq!(EncodingChoice::parse("klingon"), None);
    }
}
