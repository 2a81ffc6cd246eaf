//! What a codice fiscale's checks say, in both languages: why a code is
//! not valid ([`CfError`]) and how it disagrees with a record
//! ([`Disagreement`], a [`Finding`] said with or without its values).

use std::fmt;

use chrono::NaiveDate;

use super::{belfiore, dates, CfError, DateDiff, Finding, Sex, Validity};
use crate::messages::{In, Lang, Sentence};

impl CfError {
    /// A sentence for a data owner. It contains at most one character of the
    /// code, never the code itself.
    pub fn message(&self) -> String {
        match *self {
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
                let name = dates::MONTH_NAMES
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
}

/// Like the English, the Italian contains at most one character of the code.
impl Sentence for CfError {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CfError::Empty => f.write_str("il codice fiscale è vuoto"),
            CfError::WrongLength { len } => write!(
                f,
                "lunghezza errata: {}, attesi 16 (o 11 cifre per un codice provvisorio)",
                crate::messages::it::count(len as u64, "carattere", "caratteri")
            ),
            CfError::Provisional => {
                f.write_str("un codice provvisorio di 11 cifre, non un codice personale di 16 caratteri")
            }
            CfError::InvalidCharacter { pos, found } => write!(
                f,
                "il carattere {pos} è {found:?}, che non è né una lettera (A-Z) né una cifra"
            ),
            CfError::DigitInLetterPosition { pos, found } => {
                let hint = match found {
                    '0' => ": forse O?",
                    '1' => ": forse I?",
                    '5' => ": forse S?",
                    '8' => ": forse B?",
                    _ => "",
                };
                write!(f, "'{found}' (cifra) al posto di una lettera (carattere {pos}){hint}")
            }
            CfError::LetterInDigitPosition { pos, found } => {
                let hint = match found {
                    'O' | 'D' | 'Q' => ": forse 0?",
                    'I' => ": forse 1?",
                    'Z' => ": forse 2?",
                    'B' => ": forse 8?",
                    'G' => ": forse 6?",
                    _ => "",
                };
                if found == 'O' {
                    write!(f, "'O' (lettera) al posto di una cifra (carattere {pos}): forse 0?")
                } else {
                    write!(
                        f,
                        "il carattere {pos} dovrebbe essere una cifra (o una lettera di omocodia L M N P Q R S T U V), trovato '{found}'{hint}"
                    )
                }
            }
            CfError::InvalidMonth { found } => write!(
                f,
                "il carattere 9 dovrebbe essere la lettera di un mese (A B C D E H L M P R S T), trovato '{found}'"
            ),
            CfError::InvalidDay { day } => write!(
                f,
                "i caratteri 10-11 dovrebbero essere il giorno di nascita, 01-31 (41-71 per le donne), trovato {day:02}"
            ),
            CfError::InvalidDate { day, month } => {
                let name = dates::month_name_it(u32::from(month));
                write!(f, "la data di nascita non esiste: {name} non ha il giorno {day}")
            }
            CfError::WrongCheckCharacter { expected, found } => write!(
                f,
                "il carattere di controllo dovrebbe essere {expected}, trovato {found}"
            ),
            CfError::WrongCheckDigit { expected, found } => write!(
                f,
                "la cifra di controllo del codice provvisorio dovrebbe essere {expected}, trovato {found}"
            ),
        }
    }

    fn examples() -> Vec<Self> {
        let mut out = vec![
            CfError::Empty,
            CfError::WrongLength { len: 1 },
            CfError::WrongLength { len: 2 },
            CfError::Provisional,
            CfError::InvalidCharacter { pos: 1, found: '-' },
            CfError::InvalidMonth { found: 'Z' },
            CfError::InvalidDay { day: 99 },
            CfError::InvalidDate { day: 31, month: 2 },
            CfError::WrongCheckCharacter {
                expected: 'A',
                found: 'B',
            },
            CfError::WrongCheckDigit {
                expected: '1',
                found: '2',
            },
        ];
        for found in ['0', '1', '5', '8', '3'] {
            out.push(CfError::DigitInLetterPosition { pos: 1, found });
        }
        for found in ['O', 'D', 'I', 'Z', 'B', 'G', 'A'] {
            out.push(CfError::LetterInDigitPosition { pos: 7, found });
        }
        out
    }
}

fn place_label(code: &str) -> String {
    match belfiore::place(code) {
        Some(p) => format!("{code} ({})", p.name()),
        None => code.to_owned(),
    }
}

/// A [`Finding`] as a sentence: without personal values, or with them
/// (codes, names, dates: only where values may be shown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// What disagrees.
    pub finding: Finding,
    /// The values may be quoted.
    pub values: bool,
}

impl Disagreement {
    /// `finding`, said with its values when `values`.
    pub fn new(finding: Finding, values: bool) -> Disagreement {
        Disagreement { finding, values }
    }
}

impl Sentence for Disagreement {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.values {
            return self.en_with_values(f);
        }
        match &self.finding {
            Finding::InvalidCf(e) => write!(f, "invalid codice fiscale: {}", e.message()),
            Finding::SurnameCode { .. } => {
                f.write_str("surname code in CF (characters 1-3) does not match the surname")
            }
            Finding::NameCode { .. } => {
                f.write_str("name code in CF (characters 4-6) does not match the first name")
            }
            Finding::NameVariant { .. } => f.write_str(
                "name code in CF matches another spelling (transliteration) of the first name",
            ),
            Finding::SurnameVariant { .. } => f.write_str(
                "surname code in CF matches another spelling (transliteration) of the surname",
            ),
            Finding::SurnameNameSwapped => f.write_str(
                "surname and first name look swapped (the CF matches them the other way round)",
            ),
            Finding::BirthDate { diff, .. } => {
                f.write_str("birth date in CF differs from the record")?;
                match diff {
                    DateDiff::DayMonthSwapped => f.write_str(": day and month look swapped"),
                    DateDiff::Year { years } if diff.another_generation() => write!(
                        f,
                        ": the year differs by {} years (another person's CF, e.g. a parent's?)",
                        years.abs()
                    ),
                    DateDiff::Year { .. } => f.write_str(": the year differs"),
                    DateDiff::Month => f.write_str(": the month differs"),
                    DateDiff::Day => f.write_str(": the day differs"),
                    DateDiff::Several => Ok(()),
                }
            }
            Finding::Sex { .. } => {
                f.write_str("sex in CF (day of birth, +40 for women) differs from the record")
            }
            Finding::Place { .. } => f.write_str("place of birth in CF differs from the record"),
            Finding::PlaceNotValidAtBirth { validity, .. } => {
                write!(f, "place of birth in CF: {} of birth", validity.message())
            }
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.values {
            return self.it_with_values(f);
        }
        match &self.finding {
            Finding::InvalidCf(e) => write!(
                f,
                "codice fiscale non valido: {}",
                In(e, Lang::It)
            ),
            Finding::SurnameCode { .. } => f.write_str(
                "il codice del cognome nel CF (caratteri 1-3) non corrisponde al cognome",
            ),
            Finding::NameCode { .. } => {
                f.write_str("il codice del nome nel CF (caratteri 4-6) non corrisponde al nome")
            }
            Finding::NameVariant { .. } => f.write_str(
                "il codice del nome nel CF corrisponde a un'altra grafia (traslitterazione) del nome",
            ),
            Finding::SurnameVariant { .. } => f.write_str(
                "il codice del cognome nel CF corrisponde a un'altra grafia (traslitterazione) del cognome",
            ),
            Finding::SurnameNameSwapped => f.write_str(
                "cognome e nome sembrano invertiti (il CF corrisponde a loro scambiati)",
            ),
            Finding::BirthDate { diff, .. } => {
                f.write_str("la data di nascita nel CF differisce dal record")?;
                match diff {
                    DateDiff::DayMonthSwapped => f.write_str(": giorno e mese sembrano invertiti"),
                    DateDiff::Year { years } if diff.another_generation() => write!(
                        f,
                        ": l'anno differisce di {} anni (il CF di un'altra persona, ad es. di un genitore?)",
                        years.abs()
                    ),
                    DateDiff::Year { .. } => f.write_str(": l'anno differisce"),
                    DateDiff::Month => f.write_str(": il mese differisce"),
                    DateDiff::Day => f.write_str(": il giorno differisce"),
                    DateDiff::Several => Ok(()),
                }
            }
            Finding::Sex { .. } => f.write_str(
                "il sesso nel CF (giorno di nascita, +40 per le donne) differisce dal record",
            ),
            Finding::Place { .. } => {
                f.write_str("il luogo di nascita nel CF differisce dal record")
            }
            Finding::PlaceNotValidAtBirth { validity, .. } => {
                f.write_str("il luogo di nascita nel CF: ")?;
                f.write_str(match validity {
                    Validity::Valid => "il codice del luogo è valido alla data di nascita",
                    Validity::NotYetValid { .. } => {
                        "il codice del luogo non esisteva ancora alla data di nascita (istituito dopo)"
                    }
                    Validity::Expired {
                        successor: Some(_), ..
                    } => "il codice del luogo era già stato sostituito da uno più recente alla data di nascita",
                    Validity::Expired { .. } => {
                        "il codice del luogo non era più valido alla data di nascita"
                    }
                    Validity::Unknown => "il codice del luogo è sconosciuto",
                })
            }
        }
    }

    fn examples() -> Vec<Self> {
        let code = String::new;
        let day = NaiveDate::default();
        let findings = [
            Finding::InvalidCf(CfError::Provisional),
            Finding::InvalidCf(CfError::WrongCheckCharacter {
                expected: 'A',
                found: 'B',
            }),
            Finding::SurnameCode {
                in_cf: code(),
                from_record: code(),
            },
            Finding::NameCode {
                in_cf: code(),
                from_record: code(),
            },
            Finding::NameVariant {
                in_cf: code(),
                record: code(),
                variant: "",
            },
            Finding::SurnameVariant {
                in_cf: code(),
                record: code(),
                variant: "",
            },
            Finding::SurnameNameSwapped,
            Finding::Sex {
                in_cf: Sex::Male,
                record: Sex::Female,
            },
            Finding::Place {
                in_cf: code(),
                record: code(),
            },
        ]
        .into_iter()
        .chain(
            [
                DateDiff::DayMonthSwapped,
                DateDiff::Year { years: 30 },
                DateDiff::Year { years: 1 },
                DateDiff::Month,
                DateDiff::Day,
                DateDiff::Several,
            ]
            .into_iter()
            .flat_map(|diff| {
                [Some(day), None].map(|in_cf| Finding::BirthDate {
                    in_cf,
                    record: day,
                    diff,
                })
            }),
        )
        .chain(
            [
                Validity::Valid,
                Validity::NotYetValid { from: day },
                Validity::Expired {
                    until: day,
                    successor: Some(""),
                },
                Validity::Expired {
                    until: day,
                    successor: None,
                },
                Validity::Unknown,
            ]
            .map(|validity| Finding::PlaceNotValidAtBirth {
                code: code(),
                birth_date: day,
                validity,
            }),
        );
        findings
            .flat_map(|finding| {
                [false, true].map(|values| Disagreement::new(finding.clone(), values))
            })
            .collect()
    }
}

impl Disagreement {
    fn en_with_values(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.finding {
            Finding::InvalidCf(_) | Finding::SurnameNameSwapped => {
                Disagreement::new(self.finding.clone(), false).en(f)
            }
            Finding::SurnameCode { in_cf, from_record } => write!(
                f,
                "surname code in CF is {in_cf}, the record's surname gives {from_record}"
            ),
            Finding::NameCode { in_cf, from_record } => write!(
                f,
                "name code in CF is {in_cf}, the record's first name gives {from_record}"
            ),
            Finding::NameVariant { in_cf, record, variant } => write!(
                f,
                "name code in CF is {in_cf}: it comes from the spelling {variant}, the record says {record}"
            ),
            Finding::SurnameVariant { in_cf, record, variant } => write!(
                f,
                "surname code in CF is {in_cf}: it comes from the spelling {variant}, the record says {record}"
            ),
            Finding::BirthDate { in_cf, record, diff } => {
                f.write_str("CF says born ")?;
                match in_cf {
                    Some(d) => write!(f, "{d}")?,
                    None => f.write_str("an impossible date")?,
                }
                write!(f, ", record says {record}")?;
                match diff {
                    DateDiff::DayMonthSwapped => f.write_str(": day and month swapped?"),
                    DateDiff::Year { .. } if diff.another_generation() => {
                        f.write_str(": another person's CF?")
                    }
                    _ => Ok(()),
                }
            }
            Finding::Sex { in_cf, record } => write!(
                f,
                "CF says sex {}, record says {}",
                in_cf.as_char(),
                record.as_char()
            ),
            Finding::Place { in_cf, record } => write!(
                f,
                "CF place of birth is {}, record says {record}",
                place_label(in_cf)
            ),
            Finding::PlaceNotValidAtBirth { code, birth_date, validity } => {
                let label = place_label(code);
                match validity {
                    Validity::NotYetValid { from } => write!(
                        f,
                        "place code {label} was established on {from}, after the birth date {birth_date}"
                    ),
                    Validity::Expired { until, successor } => {
                        write!(
                            f,
                            "place code {label} was valid until {until}, before the birth date {birth_date}"
                        )?;
                        match successor {
                            Some(s) => write!(f, "; then {}", place_label(s)),
                            None => Ok(()),
                        }
                    }
                    Validity::Unknown => write!(f, "place code {label} is unknown"),
                    Validity::Valid => write!(f, "place code {label} is valid at {birth_date}"),
                }
            }
        }
    }

    fn it_with_values(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.finding {
            Finding::InvalidCf(_) | Finding::SurnameNameSwapped => {
                Disagreement::new(self.finding.clone(), false).it(f)
            }
            Finding::SurnameCode { in_cf, from_record } => write!(
                f,
                "il codice del cognome nel CF è {in_cf}, il cognome del record dà {from_record}"
            ),
            Finding::NameCode { in_cf, from_record } => write!(
                f,
                "il codice del nome nel CF è {in_cf}, il nome del record dà {from_record}"
            ),
            Finding::NameVariant { in_cf, record, variant } => write!(
                f,
                "il codice del nome nel CF è {in_cf}: viene dalla grafia {variant}, il record ha {record}"
            ),
            Finding::SurnameVariant { in_cf, record, variant } => write!(
                f,
                "il codice del cognome nel CF è {in_cf}: viene dalla grafia {variant}, il record ha {record}"
            ),
            Finding::BirthDate { in_cf, record, diff } => {
                f.write_str("nel CF la data di nascita è ")?;
                match in_cf {
                    Some(d) => write!(f, "{d}")?,
                    None => f.write_str("impossibile")?,
                }
                write!(f, ", nel record {record}")?;
                match diff {
                    DateDiff::DayMonthSwapped => f.write_str(": giorno e mese invertiti?"),
                    DateDiff::Year { .. } if diff.another_generation() => {
                        f.write_str(": il CF di un'altra persona?")
                    }
                    _ => Ok(()),
                }
            }
            Finding::Sex { in_cf, record } => write!(
                f,
                "nel CF il sesso è {}, nel record {}",
                in_cf.as_char(),
                record.as_char()
            ),
            Finding::Place { in_cf, record } => write!(
                f,
                "nel CF il luogo di nascita è {}, nel record {record}",
                place_label(in_cf)
            ),
            Finding::PlaceNotValidAtBirth { code, birth_date, validity } => {
                let label = place_label(code);
                match validity {
                    Validity::NotYetValid { from } => write!(
                        f,
                        "il codice del luogo {label} è stato istituito il {from}, dopo la data di nascita {birth_date}"
                    ),
                    Validity::Expired { until, successor } => {
                        write!(
                            f,
                            "il codice del luogo {label} era valido fino al {until}, prima della data di nascita {birth_date}"
                        )?;
                        match successor {
                            Some(s) => write!(f, "; poi {}", place_label(s)),
                            None => Ok(()),
                        }
                    }
                    Validity::Unknown => write!(f, "il codice del luogo {label} è sconosciuto"),
                    Validity::Valid => {
                        write!(f, "il codice del luogo {label} è valido al {birth_date}")
                    }
                }
            }
        }
    }
}
