//! Detecting the delimiter of a CSV file from its first lines.

/// The delimiters offices use, in order of preference on a tie.
pub const CANDIDATES: [u8; 4] = [b';', b',', b'\t', b'|'];

/// Picks the delimiter that splits the first lines of `sample` into the same
/// number (greater than one) of fields most consistently. Quotes are honoured.
/// Returns `,` when no candidate splits anything (a one-column file).
pub fn sniff_delimiter(sample: &[u8]) -> u8 {
    let mut best = (b',', 0.0_f64);
    for &d in &CANDIDATES {
        let score = score(sample, d);
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

/// The delimiter that fits `sample` when the `declared` one does not: one
/// that splits every sampled line into the same number (more than one) of
/// fields, where the declared one splits them unevenly or not at all.
/// `None` when the declared delimiter fits, or when no candidate fits better.
pub fn better_delimiter(sample: &[u8], declared: u8) -> Option<u8> {
    let (consistency, width) = shape(sample, declared);
    if width >= 2 && consistency >= 1.0 {
        return None;
    }
    let found = sniff_delimiter(sample);
    let (c, w) = shape(sample, found);
    (found != declared && w >= 2 && c >= 1.0).then_some(found)
}

/// How a rule file writes a delimiter: `tab` for a tab, else the character.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_string(),
        d => char::from(d).to_string(),
    }
}

/// Consistency × width: the share of the sampled records with as many fields
/// as the first, times that field count, or 0 if the first record has a
/// single field.
fn score(sample: &[u8], delimiter: u8) -> f64 {
    let (consistency, width) = shape(sample, delimiter);
    if width < 2 {
        return 0.0;
    }
    consistency * width as f64
}

/// The share of the sampled records with as many fields as the first, and
/// that field count.
fn shape(sample: &[u8], delimiter: u8) -> (f64, usize) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(sample);
    let mut record = csv::ByteRecord::new();
    let mut first = None;
    let mut same = 0usize;
    let mut total = 0usize;
    while total < 50 {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            _ => break,
        }
        total += 1;
        match first {
            None => first = Some(record.len()),
            Some(n) if n == record.len() => same += 1,
            Some(_) => {}
        }
    }
    let width = first.unwrap_or(0);
    // The last sampled line may be cut short; do not hold it against the candidate.
    let others = total.saturating_sub(1).max(1) as f64;
    let consistency = if total <= 1 {
        1.0
    } else {
        (same as f64 / others).min(1.0)
    };
    (consistency, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_with_decimal_commas() {
        let s = b"ID;NOME;ISEE\n1;MARIO;1234,56\n2;ANNA;0,00\n";
        assert_eq!(sniff_delimiter(s), b';');
    }

    #[test]
    fn comma() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
    }

    #[test]
    fn tab_and_pipe() {
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c\n1|2|3\n"), b'|');
    }

    #[test]
    fn quoted_delimiters_do_not_count() {
        let s = b"\"a;b\",c\n\"x;y\",z\n\"p;q\",r\n";
        assert_eq!(sniff_delimiter(s), b',');
    }

    #[test]
    fn a_declared_delimiter_that_does_not_fit_gets_the_one_that_does() {
        let s = b"ID;NOME;ISEE\n1;MARIO;1234,56\n2;ANNA;0\n3;LUCA;7,5\n";
        assert_eq!(better_delimiter(s, b','), Some(b';'));
        assert_eq!(better_delimiter(s, b';'), None);
        // One column: nothing fits better.
        assert_eq!(better_delimiter(b"CF\nRSSMRA80A01H501U\n", b';'), None);
        assert_eq!(delimiter_name(b'\t'), "tab");
    }

    #[test]
    fn single_column() {
        assert_eq!(sniff_delimiter(b"CF\nRSSMRA80A01H501U\n"), b',');
    }
}
