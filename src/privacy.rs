//! Keeping personal data out of reports: masking values shown as examples.
//!
//! Reports never show a full value unless the user asks with `--show-pii`.
//! A masked value keeps its *shape*, which is what a data owner needs to see
//! why it failed: letters become `A`, digits `9`, punctuation stays. A
//! codice fiscale is masked as DESIGN shows (`RSS***80A01*****`).

/// Masks a value for a report. `show` returns it unchanged (for
/// `--show-pii`).
pub fn mask(value: &str, show: bool) -> String {
    if show {
        return value.to_string();
    }
    let v = value.trim();
    if looks_like_cf(v) {
        return mask_cf(v);
    }
    let mut out: String = v
        .chars()
        .take(24)
        .map(|c| {
            if c.is_alphabetic() {
                if c.is_lowercase() {
                    'a'
                } else {
                    'A'
                }
            } else if c.is_ascii_digit() {
                '9'
            } else {
                c
            }
        })
        .collect();
    if v.chars().count() > 24 {
        out.push('…');
    }
    out
}

fn looks_like_cf(v: &str) -> bool {
    v.len() == 16
        && v.bytes().all(|b| b.is_ascii_alphanumeric())
        && v.bytes().take(6).all(|b| b.is_ascii_alphabetic())
}

/// Masks a 16-character codice fiscale: keeps the surname code, year, month
/// and day (`RSS***80A01*****`), hides the name code, place and check
/// character.
pub fn mask_cf(cf: &str) -> String {
    let chars: Vec<char> = cf.chars().collect();
    if chars.len() != 16 {
        return mask(cf, false);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if (3..6).contains(&i) || i >= 11 {
                '*'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect()
}

/// The smallest count of people a report shows exactly: 1 and 2 are shown
/// as `<3`, so that a cell of a cross-tabulation cannot single out one or
/// two people.
pub const SMALL_COUNT: u64 = 3;

/// A count of people as a report shows it: `0` and counts of at least
/// [`SMALL_COUNT`] as they are, 1 and 2 as `<3` (small-count suppression).
/// Not for row counts of whole files or counts of check failures.
pub fn suppress(count: u64) -> String {
    if count > 0 && count < SMALL_COUNT {
        format!("<{SMALL_COUNT}")
    } else {
        count.to_string()
    }
}

/// Whether [`suppress`] hides `count`.
pub fn is_suppressed(count: u64) -> bool {
    count > 0 && count < SMALL_COUNT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cf_mask_matches_design() {
        assert_eq!(mask("RSSMRA80A01H501U", false), "RSS***80A01*****");
    }

    #[test]
    fn shape_mask_hides_letters_and_digits() {
        assert_eq!(mask("31/02/2020", false), "99/99/9999");
        assert_eq!(mask("Rossi Mario", false), "Aaaaa Aaaaa");
        assert_eq!(mask("1.234,5", false), "9.999,9");
        assert_eq!(mask("x", true), "x");
        assert!(mask(&"A".repeat(40), false).ends_with('…'));
    }

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(suppress(0), "0");
        assert_eq!(suppress(1), "<3");
        assert_eq!(suppress(2), "<3");
        assert_eq!(suppress(3), "3");
        assert_eq!(suppress(1234), "1234");
        assert!(is_suppressed(2) && !is_suppressed(0) && !is_suppressed(3));
    }
}
