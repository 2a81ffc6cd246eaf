//! The identity toolkit as functions of the expression language, so that
//! rule files can write cross-field checks such as
//! `assert = "cf_consistent(CF_ALUNNO, COGNOME_ALUNNO, NOME_ALUNNO, DATA_NASCITA_ALUNNO)"`.
//!
//! Functions that decode a codice fiscale need a reference date to infer the
//! century of the birth year; [`registry`] takes the run's date and keeps
//! it for the functions it registers (one date per process: every rule file
//! of a run is loaded with the same `--today`).

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicI32, Ordering};

use chrono::{Datelike, NaiveDate};

use super::codice_fiscale::{self, CfClass, CfError, Disagreement, Sex};
use super::names;
use crate::expr::{Function, FunctionRegistry};
use crate::messages::{write_joined, Lang, Said, Sentence};
use crate::value::{Value, ValueType};

/// The reference date, as days since the common era (0: not set → today).
static REFERENCE: AtomicI32 = AtomicI32::new(0);

fn reference() -> NaiveDate {
    match REFERENCE.load(Ordering::Relaxed) {
        0 => chrono::Local::now().date_naive(),
        d => NaiveDate::from_num_days_from_ce_opt(d)
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    }
}

/// The built-in functions plus the identity functions, decoding codes
/// against `today`.
pub fn registry(today: NaiveDate) -> FunctionRegistry {
    REFERENCE.store(today.num_days_from_ce(), Ordering::Relaxed);
    let mut r = FunctionRegistry::builtin();
    for f in functions() {
        r.register(f);
    }
    r
}

fn text<'a>(v: &'a Value<'_>) -> Option<&'a str> {
    v.as_str()
}

fn decoded(v: &Value<'_>) -> Option<codice_fiscale::Decoded> {
    match codice_fiscale::classify(text(v)?, reference()) {
        CfClass::Personal(d) => Some(d),
        _ => None,
    }
}

fn owned(s: String) -> Value<'static> {
    Value::Text(Cow::Owned(s))
}

fn consistency(args: &[Value<'_>]) -> Option<codice_fiscale::Consistency> {
    let cf = text(args.first()?)?;
    let surname = text(args.get(1)?)?;
    let name = text(args.get(2)?)?;
    let birth = args.get(3).and_then(Value::as_date);
    let sex = args.get(4).and_then(|v| v.as_str()).and_then(Sex::parse);
    let place = args.get(5).and_then(|v| v.as_str());
    Some(codice_fiscale::cf_consistent(
        cf, surname, name, birth, sex, place,
    ))
}

fn explain_consistency(args: &[Value<'_>], show: bool) -> Option<Said> {
    let c = consistency(args)?;
    if c.findings.is_empty() {
        return None;
    }
    Some(Said::new(Explanation::Disagrees(
        c.findings
            .into_iter()
            .map(|f| Disagreement::new(f, show))
            .collect(),
    )))
}

/// What an identity function says about a call that came out false, in
/// both languages (a check's finding, through [`crate::expr::Explanation`]).
/// None quotes a value, except a [`Disagreement`] said with its values.
#[derive(Clone, Debug, PartialEq)]
pub enum Explanation {
    /// `cf_valid`: the code is malformed, and why.
    InvalidCf(CfError),
    /// `cf_valid`: a placeholder code.
    Placeholder,
    /// `cf_valid`: the place code was not in use at the code's birth date.
    PlaceNotInUse,
    /// `cf_consistent`, `cf_matches`: what disagrees with the record,
    /// joined by `; `.
    Disagrees(Vec<Disagreement>),
    /// `is_omocode`: the code has all its digits (it is not an omocode).
    NotOmocode,
    /// `cf_equivalent`: the codes are different people's.
    DifferentPeople,
    /// `name_variants`: the names are not known variants of each other.
    NotNameVariants,
    /// `dates_swapped`: the dates are not one another with day and month
    /// swapped.
    NotSwapped,
}

impl Sentence for Explanation {
    fn en(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Explanation::InvalidCf(e) => write!(f, "not a valid codice fiscale: {}", e.message()),
            Explanation::Placeholder => f.write_str("a placeholder, not a real codice fiscale"),
            Explanation::PlaceNotInUse => {
                f.write_str("the place code was not in use on the birth date the code gives")
            }
            Explanation::Disagrees(parts) => write_joined(f, parts, "; ", Lang::En),
            Explanation::NotOmocode => f.write_str("the codice fiscale is not an omocode"),
            Explanation::DifferentPeople => {
                f.write_str("the two codes are different people's (not even as omocodes)")
            }
            Explanation::NotNameVariants => {
                f.write_str("the two names are not known spelling variants of each other")
            }
            Explanation::NotSwapped => {
                f.write_str("the two dates are not the same date with day and month swapped")
            }
        }
    }

    fn it(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Explanation::InvalidCf(e) => write!(
                f,
                "codice fiscale non valido: {}",
                crate::messages::In(e, Lang::It)
            ),
            Explanation::Placeholder => f.write_str("un segnaposto, non un vero codice fiscale"),
            Explanation::PlaceNotInUse => f.write_str(
                "il codice del luogo non era in uso alla data di nascita indicata dal codice",
            ),
            Explanation::Disagrees(parts) => write_joined(f, parts, "; ", Lang::It),
            Explanation::NotOmocode => f.write_str("il codice fiscale non è un omocodice"),
            Explanation::DifferentPeople => {
                f.write_str("i due codici sono di persone diverse (nemmeno come omocodici)")
            }
            Explanation::NotNameVariants => {
                f.write_str("i due nomi non sono varianti di grafia note l'uno dell'altro")
            }
            Explanation::NotSwapped => {
                f.write_str("le due date non sono la stessa data con giorno e mese invertiti")
            }
        }
    }

    fn examples() -> Vec<Self> {
        let mut out = vec![
            Explanation::InvalidCf(CfError::Provisional),
            Explanation::InvalidCf(CfError::WrongLength { len: 1 }),
            Explanation::Placeholder,
            Explanation::PlaceNotInUse,
            Explanation::NotOmocode,
            Explanation::DifferentPeople,
            Explanation::NotNameVariants,
            Explanation::NotSwapped,
        ];
        out.extend(
            Disagreement::examples()
                .into_iter()
                .map(|d| Explanation::Disagrees(vec![d])),
        );
        out
    }
}

/// `explanation`, held for an [`ExplainFn`](crate::expr::ExplainFn).
fn said(explanation: Explanation) -> Option<Said> {
    Some(Said::new(explanation))
}

/// The identity functions.
pub fn functions() -> Vec<Function> {
    use ValueType::{Bool, Date, Text};
    vec![
        Function {
            name: "cf_valid",
            params: vec![Text],
            optional: vec![],
            returns: Bool,
            null_propagates: true,
            eval: |a| match a.first().and_then(text) {
                Some(s) => Value::Bool(match codice_fiscale::classify(s, reference()) {
                    CfClass::Personal(d) => d.place_plausible(),
                    CfClass::Provisional => true,
                    _ => false,
                }),
                None => Value::Null,
            },
            explain: Some(|a, _| {
                let s = a.first().and_then(text)?;
                said(match codice_fiscale::classify(s, reference()) {
                    CfClass::Malformed(e) => Explanation::InvalidCf(e),
                    CfClass::Placeholder => Explanation::Placeholder,
                    _ => Explanation::PlaceNotInUse,
                })
            }),
            doc: "the codice fiscale is well formed, with a correct check character and a place code valid at its birth date (11-digit provisional codes pass)",
        },
        Function {
            name: "cf_consistent",
            params: vec![Text, Text, Text],
            optional: vec![Date, Text, Text],
            returns: Bool,
            null_propagates: false,
            eval: |a| match consistency(a) {
                Some(c) => Value::Bool(c.is_plausible()),
                None => Value::Null,
            },
            explain: Some(explain_consistency),
            doc: "cf_consistent(cf, surname, name[, birth_date, sex, place]): the CF agrees with the record (known transliteration variants and omocodes accepted); explains which part disagrees",
        },
        Function {
            name: "cf_matches",
            params: vec![Text, Text, Text],
            optional: vec![Date, Text, Text],
            returns: Bool,
            null_propagates: false,
            eval: |a| match consistency(a) {
                Some(c) => Value::Bool(c.is_consistent()),
                None => Value::Null,
            },
            explain: Some(explain_consistency),
            doc: "like cf_consistent, but a name spelled as a transliteration variant counts as a disagreement",
        },
        Function {
            name: "cf_birth_date",
            params: vec![Text],
            optional: vec![],
            returns: Date,
            null_propagates: true,
            eval: |a| a.first().and_then(decoded).map(|d| Value::Date(d.birth_date)).unwrap_or(Value::Null),
            explain: None,
            doc: "the birth date a codice fiscale encodes (null if the code is not valid)",
        },
        Function {
            name: "cf_sex",
            params: vec![Text],
            optional: vec![],
            returns: Text,
            null_propagates: true,
            eval: |a| {
                a.first()
                    .and_then(decoded)
                    .map(|d| owned(d.sex.as_char().to_string()))
                    .unwrap_or(Value::Null)
            },
            explain: None,
            doc: "the sex a codice fiscale encodes, M or F",
        },
        Function {
            name: "cf_place",
            params: vec![Text],
            optional: vec![],
            returns: Text,
            null_propagates: true,
            eval: |a| a.first().and_then(decoded).map(|d| owned(d.place.to_string())).unwrap_or(Value::Null),
            explain: None,
            doc: "the Belfiore code of the birthplace a codice fiscale encodes",
        },
        Function {
            name: "cf_base",
            params: vec![Text],
            optional: vec![],
            returns: Text,
            null_propagates: true,
            eval: |a| {
                a.first()
                    .and_then(text)
                    .and_then(|s| codice_fiscale::base_form(s).ok())
                    .map(owned)
                    .unwrap_or(Value::Null)
            },
            explain: None,
            doc: "the base form of a codice fiscale (omocode letters back to digits)",
        },
        Function {
            name: "is_omocode",
            params: vec![Text],
            optional: vec![],
            returns: Bool,
            null_propagates: true,
            eval: |a| a.first().and_then(decoded).map(|d| Value::Bool(d.is_omocode())).unwrap_or(Value::Null),
            explain: Some(|_, _| said(Explanation::NotOmocode)),
            doc: "the codice fiscale is an omocode (digits replaced by letters)",
        },
        Function {
            name: "cf_equivalent",
            params: vec![Text, Text],
            optional: vec![],
            returns: Bool,
            null_propagates: true,
            eval: |a| match (a.first().and_then(text), a.get(1).and_then(text)) {
                (Some(x), Some(y)) => Value::Bool(codice_fiscale::cf_equivalent(x, y)),
                _ => Value::Null,
            },
            explain: Some(|_, _| said(Explanation::DifferentPeople)),
            doc: "two codici fiscali are the same person's (equal, or omocodes of the same base)",
        },
        Function {
            name: "name_key",
            params: vec![Text],
            optional: vec![],
            returns: Text,
            null_propagates: true,
            eval: |a| a.first().and_then(text).map(|s| owned(names::phonetic_key(s))).unwrap_or(Value::Null),
            explain: None,
            doc: "a phonetic key of a name, equal for spelling variants (MOHAMED/MUHAMMAD, ROSSI/ROSI)",
        },
        Function {
            name: "name_variants",
            params: vec![Text, Text],
            optional: vec![],
            returns: Bool,
            null_propagates: true,
            eval: |a| match (a.first().and_then(text), a.get(1).and_then(text)) {
                (Some(x), Some(y)) => Value::Bool(names::are_variants(x, y)),
                _ => Value::Null,
            },
            explain: Some(|_, _| said(Explanation::NotNameVariants)),
            doc: "two names are known spelling variants (MOHAMED/MOHAMMED, FATIMA/FATIMAH)",
        },
        Function {
            name: "dates_swapped",
            params: vec![Date, Date],
            optional: vec![],
            returns: Bool,
            null_propagates: true,
            eval: |a| match (a.first().and_then(Value::as_date), a.get(1).and_then(Value::as_date)) {
                (Some(x), Some(y)) => Value::Bool(super::dates::plausible_swap(x, y)),
                _ => Value::Null,
            },
            explain: Some(|_, _| said(Explanation::NotSwapped)),
            doc: "two dates are the same date with day and month swapped (03/04 vs 04/03)",
        },
        Function {
            name: "street_type",
            params: vec![Text],
            optional: vec![],
            returns: Text,
            null_propagates: true,
            eval: |a| {
                a.first()
                    .and_then(text)
                    .and_then(|s| super::address::parse_address(s).dug)
                    .map(owned)
                    .unwrap_or(Value::Null)
            },
            explain: None,
            doc: "the street type of an address as an ANPR DUG (V.LE → VIALE, P.ZZA → PIAZZA); null if none is recognised",
        },
        Function {
            name: "house_number",
            params: vec![Text],
            optional: vec![],
            returns: Text,
            null_propagates: true,
            eval: |a| {
                let civic = a.first().and_then(text).and_then(|s| super::address::parse_address(s).civic);
                match civic {
                    Some(super::address::Civic::Snc) => owned("SNC".into()),
                    Some(super::address::Civic::Number(n)) => {
                        let mut out = n.number.to_string();
                        if let Some(x) = n.suffix {
                            out.push('/');
                            out.push_str(&x);
                        }
                        owned(out)
                    }
                    None => Value::Null,
                }
            },
            explain: None,
            doc: "the house number of an address, normalised (12/A, 12/BIS, SNC); null if there is none",
        },
        Function {
            name: "normalize_name",
            params: vec![Text],
            optional: vec![],
            returns: Text,
            null_propagates: true,
            eval: |a| a.first().and_then(text).map(|s| owned(names::normalize_name(s))).unwrap_or(Value::Null),
            explain: None,
            doc: "a name folded for comparison: uppercase, no accents, apostrophes and hyphens normalised",
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{compile_bool, Env};

    fn env_eval(
        expr: &str,
        row: Vec<Value<'static>>,
        types: &[ValueType],
    ) -> (Option<bool>, String) {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        let functions = registry(today);
        let names = ["CF", "COGNOME", "NOME", "NASCITA"];
        let columns: Vec<(String, usize, ValueType)> = types
            .iter()
            .enumerate()
            .map(|(i, t)| (names[i].to_string(), i, *t))
            .collect();
        let env = Env {
            columns: &columns,
            today,
            functions: &functions,
        };
        let e = compile_bool(expr, &env).unwrap_or_else(|e| panic!("{}", e.message));
        (e.eval_bool(&row), e.explain(&row, false).to_string())
    }

    fn t(s: &str) -> Value<'static> {
        Value::Text(Cow::Owned(s.to_string()))
    }

    #[test]
    fn consistency_with_swapped_day_and_month() {
        use ValueType::{Date, Text};
        // The record says 1 March 1980; the CF says 3 January 1980.
        let birth = NaiveDate::from_ymd_opt(1980, 3, 1)
            .map(Value::Date)
            .unwrap_or(Value::Null);
        let (ok, _) = env_eval(
            "cf_consistent(CF, COGNOME, NOME, NASCITA)",
            vec![t("RSSMRA80C01H501Y"), t("ROSSI"), t("MARIO"), birth.clone()],
            &[Text, Text, Text, Date],
        );
        assert_eq!(ok, Some(true), "same date");
        let (ok, why) = env_eval(
            "cf_consistent(CF, COGNOME, NOME, NASCITA)",
            vec![t("RSSMRA80A03H501B"), t("ROSSI"), t("MARIO"), birth],
            &[Text, Text, Text, Date],
        );
        assert_eq!(ok, Some(false));
        assert!(why.contains("swapped"), "{why}");
        assert!(!why.contains("1980"), "no values without --show-pii: {why}");
    }

    #[test]
    fn validity_and_decoding() {
        use ValueType::Text;
        assert_eq!(
            env_eval("cf_valid(CF)", vec![t("RSSMRA80A01H501U")], &[Text]).0,
            Some(true)
        );
        let (ok, why) = env_eval("cf_valid(CF)", vec![t("RSSMRA80A01H501X")], &[Text]);
        assert_eq!(ok, Some(false));
        assert_eq!(
            why,
            "not a valid codice fiscale: check character should be U, found X"
        );
        assert_eq!(
            env_eval(
                "cf_birth_date(CF) == date('1980-01-01')",
                vec![t("RSSMRA80A01H501U")],
                &[Text]
            )
            .0,
            Some(true)
        );
        assert_eq!(
            env_eval("cf_sex(CF) == 'M'", vec![t("RSSMRA80A01H501U")], &[Text]).0,
            Some(true)
        );
        // A false `is_omocode` is explained as what it found: not an
        // omocode (it once said the opposite).
        assert_eq!(
            env_eval("is_omocode(CF)", vec![t("RSSMRA80A01H501U")], &[Text]),
            (
                Some(false),
                "the codice fiscale is not an omocode".to_string()
            )
        );
        assert_eq!(env_eval("cf_valid(CF)", vec![Value::Null], &[Text]).0, None);
    }

    #[test]
    fn names_dates_and_addresses() {
        use ValueType::{Date, Text};
        assert_eq!(
            env_eval(
                "name_variants(CF, COGNOME)",
                vec![t("MOHAMED"), t("MOHAMMED")],
                &[Text, Text]
            )
            .0,
            Some(true)
        );
        assert_eq!(
            env_eval(
                "name_variants(CF, COGNOME)",
                vec![t("GIUSEPPE"), t("GIUSEPPINA")],
                &[Text, Text]
            )
            .0,
            Some(false)
        );
        let d = |y, m, dd| {
            NaiveDate::from_ymd_opt(y, m, dd)
                .map(Value::Date)
                .unwrap_or(Value::Null)
        };
        assert_eq!(
            env_eval(
                "dates_swapped(CF, COGNOME)",
                vec![d(1985, 4, 3), d(1985, 3, 4)],
                &[Date, Date]
            )
            .0,
            Some(true)
        );
        assert_eq!(
            env_eval(
                "dates_swapped(CF, COGNOME)",
                vec![d(1985, 4, 3), d(1985, 4, 3)],
                &[Date, Date]
            )
            .0,
            Some(false)
        );
        assert_eq!(
            env_eval(
                "street_type(CF) == 'VIALE'",
                vec![t("V.LE ALDO MORO 12")],
                &[Text]
            )
            .0,
            Some(true)
        );
        assert_eq!(
            env_eval(
                "house_number(CF) == '12/A'",
                vec![t("VIA ROMA 12/A INT. 3")],
                &[Text]
            )
            .0,
            Some(true)
        );
        assert_eq!(
            env_eval(
                "house_number(CF) == 'SNC'",
                vec![t("VIA ROMA SNC")],
                &[Text]
            )
            .0,
            Some(true)
        );
    }

    #[test]
    fn every_explanation_is_said_in_both_languages() {
        use crate::messages::In;
        let said = |e: Explanation| (In(&e, Lang::En).to_string(), In(&e, Lang::It).to_string());
        let cases = [
            (
                Explanation::InvalidCf(CfError::WrongCheckCharacter {
                    expected: 'U',
                    found: 'X',
                }),
                "not a valid codice fiscale: check character should be U, found X",
                "codice fiscale non valido: il carattere di controllo dovrebbe essere U, trovato X",
            ),
            (
                Explanation::Placeholder,
                "a placeholder, not a real codice fiscale",
                "un segnaposto, non un vero codice fiscale",
            ),
            (
                Explanation::PlaceNotInUse,
                "the place code was not in use on the birth date the code gives",
                "il codice del luogo non era in uso alla data di nascita indicata dal codice",
            ),
            (
                Explanation::Disagrees(vec![
                    Disagreement::new(codice_fiscale::Finding::SurnameNameSwapped, false),
                    Disagreement::new(
                        codice_fiscale::Finding::Sex {
                            in_cf: Sex::Male,
                            record: Sex::Female,
                        },
                        true,
                    ),
                ]),
                "surname and first name look swapped (the CF matches them the other way round); CF says sex M, record says F",
                "cognome e nome sembrano invertiti (il CF corrisponde a loro scambiati); nel CF il sesso è M, nel record F",
            ),
            (
                Explanation::NotOmocode,
                "the codice fiscale is not an omocode",
                "il codice fiscale non è un omocodice",
            ),
            (
                Explanation::DifferentPeople,
                "the two codes are different people's (not even as omocodes)",
                "i due codici sono di persone diverse (nemmeno come omocodici)",
            ),
            (
                Explanation::NotNameVariants,
                "the two names are not known spelling variants of each other",
                "i due nomi non sono varianti di grafia note l'uno dell'altro",
            ),
            (
                Explanation::NotSwapped,
                "the two dates are not the same date with day and month swapped",
                "le due date non sono la stessa data con giorno e mese invertiti",
            ),
        ];
        for (e, en, it) in cases {
            assert_eq!(said(e), (en.to_string(), it.to_string()));
        }
        for e in Explanation::examples() {
            let (en, it) = said(e);
            assert_ne!(en, it, "not translated");
        }
    }
}
