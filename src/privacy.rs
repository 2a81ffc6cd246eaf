//! Keeping personal data out of reports: masking values shown as examples.
//!
//! Reports never show a full value unless the user asks with `--show-pii`.
//! A masked value keeps its *shape*, which is what a data owner needs to see
//! why it failed: letters become `*`, digits `#`, punctuation and spaces
//! stay, so that no mask reads as a value (`-150,00` is `-###,##`, not a
//! plausible `-999,99`; the sex `X` is `*`, not a plausible `A`). A
//! codice fiscale keeps its first three letters and its length
//! (`RSS*************`): no birth date, no sex.

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
                '*'
            } else if c.is_numeric() {
                '#'
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

/// Masks a 16-character codice fiscale: keeps the surname code and the
/// length (`RSS*************`); birth date, sex, name code, place and check
/// character are hidden. One masking for every report:
/// [`crate::identity::mask_cf`].
pub fn mask_cf(cf: &str) -> String {
    crate::identity::mask_cf(cf)
}

/// How reports name records whose key is personal data
/// ([`crate::rules::RuleSet::key_is_personal`]) when `--show-pii` is not
/// given: by row number and a short keyed pseudonym of the key.
#[derive(Clone, Debug, Default)]
pub struct KeyShown {
    /// The key, when the record key is personal; `None`: shown as it is.
    personal: Option<PersonalKey>,
}

#[derive(Clone, Debug)]
struct PersonalKey {
    source: String,
    pseudonyms: Option<crate::master::pseudonym::Pseudonymizer>,
}

impl KeyShown {
    /// Keys shown as they are (not personal, or `--show-pii`).
    pub fn plain() -> KeyShown {
        KeyShown::default()
    }

    /// Keys of `source` are personal: shown as `#` row `~` the first
    /// [`SHORT_PSEUDONYM`] characters of the keyed pseudonym the datamart
    /// gives the key (`chiave` of `collegamenti`), or as `#` row alone
    /// without a key (`pseudonyms` not keyed).
    pub fn pseudonymous(
        source: &str,
        pseudonyms: Option<crate::master::pseudonym::Pseudonymizer>,
    ) -> KeyShown {
        KeyShown {
            personal: Some(PersonalKey {
                source: source.to_string(),
                pseudonyms: pseudonyms.filter(|p| p.keyed()),
            }),
        }
    }

    /// Whether keys are pseudonymised.
    pub fn is_pseudonymous(&self) -> bool {
        self.personal.is_some()
    }

    /// The key of the record at data row `row` as reports show it.
    pub fn show(&self, row: u64, key: &str) -> String {
        let Some(p) = &self.personal else {
            return key.to_string();
        };
        if key.is_empty() {
            return String::new();
        }
        match &p.pseudonyms {
            Some(k) => {
                let full = k.record_key(&p.source, key);
                let short: String = full.chars().take(SHORT_PSEUDONYM).collect();
                format!("#{row}~{short}")
            }
            None => format!("#{row}"),
        }
    }
}

/// Hex characters of a record key's pseudonym that reports show.
pub const SHORT_PSEUDONYM: usize = 8;

/// Whether a column's name says it holds personal data — a name, a birth
/// date, a codice fiscale, an address, a contact, a DSU protocol, a health
/// note — so that `--infer` lists none of its values in a draft. Parts of
/// the name (split at `_`, `-`, `.`, spaces) are compared without case:
/// `COGNOME_ALUNNO`, `DataNascita`, `CF_PAGANTE`, `email`.
pub fn personal_column_name(name: &str) -> bool {
    const INSIDE: &[&str] = &[
        "COGNOM",
        "NOME",
        "NOMINATIV",
        "NAME",
        "NASCITA",
        "BIRTH",
        "FISCAL",
        "CODFISC",
        "INDIRIZZ",
        "ADDRESS",
        "RESIDENZ",
        "DOMICILI",
        "EMAIL",
        "TELEFON",
        "PHONE",
        "CELLULAR",
        "IBAN",
        "DIAGNOS",
        "PATOLOG",
        "PROTOCOLL",
        "DOCUMENT",
        "PASSAPORT",
        "PASSPORT",
    ];
    const WHOLE: &[&str] = &[
        "CF", "VIA", "DSU", "DOB", "CELL", "MAIL", "TEL", "PEC", "SSN",
    ];
    let upper = name.to_uppercase();
    INSIDE.iter().any(|w| upper.contains(w))
        || upper
            .split(|c: char| !c.is_alphanumeric())
            .any(|part| WHOLE.contains(&part))
}

/// The smallest count of people a report shows exactly: 1 and 2 are shown
/// as `<3`, so that a cell of a cross-tabulation cannot single out one or
/// two people.
pub const SMALL_COUNT: u64 = 3;

/// Counts of people at or above [`SMALL_COUNT`] are shown rounded to a
/// multiple of this.
pub const ROUNDING_BASE: u64 = 5;

/// A count of people as a report computes with it (percentages, bar
/// heights, axis maxima): 0 for 0, 1 and 2 (suppressed), else rounded to
/// the nearest multiple of [`ROUNDING_BASE`], at least that base. Every
/// count, total and percentage of a page is derived from rounded counts, so
/// that a suppressed cell cannot be recovered by subtraction: each other
/// cell is known only to within ±2.
pub fn rounded(count: u64) -> u64 {
    if count < SMALL_COUNT {
        0
    } else {
        (count.saturating_add(ROUNDING_BASE / 2) / ROUNDING_BASE * ROUNDING_BASE).max(ROUNDING_BASE)
    }
}

/// A count of people as a report shows it: `0`, 1 and 2 as `<3`
/// (small-count suppression), else [`rounded`] (`1234` → `1235`). Not for
/// row counts of whole files or counts of check failures.
pub fn suppress(count: u64) -> String {
    if count > 0 && count < SMALL_COUNT {
        format!("<{SMALL_COUNT}")
    } else {
        rounded(count).to_string()
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
        assert_eq!(mask("RSSMRA80A01H501U", false), "RSS*************");
    }

    #[test]
    fn shape_mask_hides_letters_and_digits() {
        assert_eq!(mask("31/02/2020", false), "##/##/####");
        assert_eq!(mask("Rossi Mario", false), "***** *****");
        assert_eq!(mask("1.234,5", false), "#.###,#");
        // No mask reads as a value.
        assert_eq!(mask("-150,00", false), "-###,##");
        assert_eq!(mask("X", false), "*");
        assert_eq!(mask("Forlì ٣", false), "***** #");
        assert_eq!(mask("x", true), "x");
        assert!(mask(&"A".repeat(40), false).ends_with('…'));
    }

    #[test]
    fn personal_keys_are_shown_by_row_and_pseudonym() {
        use crate::master::pseudonym::Pseudonymizer;
        let key = Pseudonymizer::Keyed(b"0123456789abcdef".to_vec());
        let shown = KeyShown::pseudonymous("isee", Some(key.clone()));
        let s = shown.show(17, "INPS-ISEE-2025-ZY5H6A19E-00");
        let full = key.record_key("isee", "INPS-ISEE-2025-ZY5H6A19E-00");
        assert_eq!(s, format!("#17~{}", &full[..8]));
        assert!(!s.contains("INPS"));
        assert_eq!(shown.show(3, ""), "");
        let rowonly = KeyShown::pseudonymous("isee", Some(Pseudonymizer::Plain));
        assert_eq!(rowonly.show(4, "INPS-ISEE-2025-X"), "#4");
        assert_eq!(KeyShown::plain().show(4, "K4"), "K4");
    }

    #[test]
    fn personal_columns_are_told_by_name() {
        for n in [
            "COGNOME_ALUNNO",
            "nome",
            "DataNascita",
            "CF_PAGANTE",
            "PROTOCOLLO_DSU",
            "email",
        ] {
            assert!(personal_column_name(n), "{n}");
        }
        for n in [
            "COD_SERVIZIO",
            "FASCIA_ISEE",
            "TIPO_ISEE",
            "ESONERO",
            "ANNO",
            "CFG_X1",
        ] {
            assert!(!personal_column_name(n), "{n}");
        }
    }

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(suppress(0), "0");
        assert_eq!(suppress(1), "<3");
        assert_eq!(suppress(2), "<3");
        assert_eq!(suppress(3), "5");
        assert_eq!(suppress(7), "5");
        assert_eq!(suppress(8), "10");
        assert_eq!(suppress(1234), "1235");
        assert_eq!(rounded(2), 0);
        assert_eq!(rounded(12), 10);
        assert_eq!(rounded(u64::MAX) % ROUNDING_BASE, 0);
        assert!(is_suppressed(2) && !is_suppressed(0) && !is_suppressed(3));
    }
}
