//! Check descriptions and finding messages in Italian, for the report in
//! Italian (`--lang it`, the default).
//!
//! The descriptions vaglio writes itself (`CF_ALUNNO must not be empty`,
//! `the extract has at least 1 rows`, …) are translated from their
//! templates, keeping the column names, bounds and patterns; a description
//! written in the rule file is the author's text and is kept as written.
//! Finding messages are translated phrase by phrase where vaglio knows the
//! phrase (`value missing`, `not a valid codice fiscale`, …); the rest
//! (values, expressions) is kept.

use super::CheckKind;

/// The Italian name of a field type as `type` names it in a rule file.
fn type_name(t: &str) -> Option<&'static str> {
    Some(match t {
        "string" => "testo",
        "integer" => "numero intero",
        "decimal" => "numero decimale",
        "date" => "data",
        "datetime" => "data e ora",
        "boolean" => "valore sì/no",
        "codice_fiscale" => "codice fiscale",
        "partita_iva" => "partita IVA",
        "cap" => "CAP",
        "istat_comune" => "codice ISTAT di comune",
        "belfiore" => "codice Belfiore",
        "isee_protocol" => "protocollo ISEE",
        "sex" => "sesso (M/F)",
        _ => return None,
    })
}

/// What a check kind verifies, in Italian (one line, as
/// [`CheckKind::summary`] says it in English).
pub fn kind_summary(kind: &CheckKind) -> &'static str {
    match kind.code {
        "VG001" => "ogni byte è valido nella codifica del file",
        "VG002" => "ogni riga ha tanti campi quanti l'intestazione",
        "VG003" => "ogni campo tra virgolette è chiuso",
        "VG004" => "ogni colonna ha un nome distinto e non vuoto",
        "VG005" => "ogni colonna dichiarata è nel file",
        "VG006" => "ogni colonna del file è dichiarata",
        "VG007" => "nessuna colonna vietata è consegnata",
        "VG008" => "il numero di righe è nei limiti",
        "VG009" => "nessuna riga è vuota",
        "VG101" => "il campo ha un valore",
        "VG102" => "il valore è valido per il tipo del campo",
        "VG103" => "nessun valore compare due volte",
        "VG104" => "il valore è tra quelli ammessi",
        "VG105" => "il testo corrisponde a un'espressione regolare",
        "VG106" => "il numero o la data è nei limiti",
        "VG107" => "la lunghezza del testo è nei limiti",
        "VG108" => "abbastanza righe hanno un valore",
        "VG109" => "il codice del luogo del codice fiscale era in uso alla data di nascita",
        "VG201" => "nessuna riga ne ripete un'altra per intero",
        "VG202" => "nessuna coppia di righe condivide la stessa combinazione di chiave",
        "VG203" => "il valore esiste nel file di riferimento",
        "VG204" => "l'indirizzo è nello stradario della città",
        "VG301" => "una condizione tra più campi è vera",
        "VG302" => {
            "il record concorda con il residente collegato, la sua famiglia e le altre fonti"
        }
        _ => kind.summary,
    }
}

/// Descriptions that vaglio writes without parameters.
const FIXED: [(&str, &str); 10] = [
    (
        "the address is in the city's civic-number register",
        "l'indirizzo è nello stradario della città",
    ),
    ("no row is blank", "nessuna riga è vuota"),
    (
        "every byte is valid in the file's encoding",
        "ogni byte è valido nella codifica del file",
    ),
    (
        "every row has as many fields as the header",
        "ogni riga ha tanti campi quanti l'intestazione",
    ),
    (
        "every quoted field is closed",
        "ogni campo tra virgolette è chiuso",
    ),
    (
        "every column has a distinct, non-blank name",
        "ogni colonna ha un nome distinto e non vuoto",
    ),
    (
        "every declared field is a column of the file",
        "ogni campo dichiarato è una colonna del file",
    ),
    (
        "every column of the file is declared in [fields]",
        "ogni colonna del file è dichiarata in [fields]",
    ),
    (
        "no forbidden column is delivered",
        "nessuna colonna vietata è consegnata",
    ),
    (
        "no row is repeated in full",
        "nessuna riga ne ripete un'altra per intero",
    ),
];

/// `a` and `b` of `"{a} and {b}"`.
fn split_and(s: &str) -> Option<(&str, &str)> {
    s.split_once(" and ")
}

/// The Italian translation of a description vaglio wrote, or `None` when
/// the description is not one of vaglio's own (a rule file's text).
pub fn description(english: &str) -> Option<String> {
    let d = english;
    if let Some((_, it)) = FIXED.iter().find(|(en, _)| *en == d) {
        return Some((*it).to_string());
    }
    if let Some(rest) = d.strip_prefix("the extract has ") {
        let rows = rest.strip_suffix(" rows")?;
        return Some(if let Some(r) = rows.strip_prefix("between ") {
            let (a, b) = split_and(r)?;
            format!("l'estratto ha tra {a} e {b} righe")
        } else if let Some(a) = rows.strip_prefix("at least ") {
            format!("l'estratto ha almeno {a} righe")
        } else {
            format!(
                "l'estratto ha al massimo {} righe",
                rows.strip_prefix("at most ")?
            )
        });
    }
    if let Some(cols) = d.strip_prefix("no two rows share ") {
        return Some(format!(
            "due righe non hanno mai la stessa combinazione {cols}"
        ));
    }
    if let Some(name) = d
        .strip_prefix("no value of ")
        .and_then(|r| r.strip_suffix(" may appear twice"))
    {
        return Some(format!("nessun valore di {name} compare due volte"));
    }
    if let Some(rest) = d.strip_prefix("at least ") {
        let (p, name) = rest.split_once("% of the rows must have ")?;
        return Some(format!("almeno il {p}% delle righe ha un valore di {name}"));
    }
    if let Some((name, rest)) = d.split_once(" must ") {
        if rest == "not be empty" {
            return Some(format!("{name} deve avere un valore"));
        }
        if rest == "be one of the allowed values" {
            return Some(format!("{name} deve essere uno dei valori ammessi"));
        }
        if let Some(t) = rest.strip_prefix("be a valid ") {
            return Some(format!("{name} deve essere un {} valido", type_name(t)?));
        }
        if let Some(p) = rest.strip_prefix("match the pattern ") {
            return Some(format!("{name} deve corrispondere allo schema {p}"));
        }
        if let Some(n) = rest
            .strip_prefix("have at least ")
            .and_then(|r| r.strip_suffix(" characters"))
        {
            return Some(format!("{name} deve avere almeno {n} caratteri"));
        }
        if let Some(n) = rest
            .strip_prefix("have at most ")
            .and_then(|r| r.strip_suffix(" characters"))
        {
            return Some(format!("{name} deve avere al massimo {n} caratteri"));
        }
        if let Some(r) = rest.strip_prefix("be between ") {
            let (a, b) = split_and(r)?;
            return Some(format!("{name} deve essere tra {a} e {b}"));
        }
        if let Some(a) = rest.strip_prefix("be at least ") {
            return Some(format!("{name} deve essere almeno {a}"));
        }
        if let Some(b) = rest.strip_prefix("be at most ") {
            return Some(format!("{name} deve essere al massimo {b}"));
        }
        return None;
    }
    if let Some(name) = d
        .strip_prefix("the place code of ")
        .and_then(|r| r.strip_suffix(" was in use on the birth date it gives"))
    {
        return Some(format!(
            "il codice del luogo di {name} era in uso alla data di nascita che indica"
        ));
    }
    if let Some((cols, rest)) = d.split_once(" exists in ") {
        return Some(format!("{cols} esiste in {rest}"));
    }
    None
}

/// Phrases of finding messages, longest first where one contains another.
const PHRASES: &[(&str, &str)] = &[
    ("value missing", "valore mancante"),
    (
        "the address has no street",
        "l'indirizzo non ha la via",
    ),
    (
        "the street is not in the civic-number register",
        "la via non è nello stradario",
    ),
    (
        "the street name fits several streets of the register",
        "il nome della via corrisponde a più vie dello stradario",
    ),
    (
        "the street has no such house number in the register",
        "la via non ha questo numero civico nello stradario",
    ),
    (
        "the address has no house number",
        "l'indirizzo non ha il numero civico",
    ),
    (
        "the house number cannot be read",
        "il numero civico non è leggibile",
    ),
    (
        "the address is not in the civic-number register",
        "l'indirizzo non è nello stradario",
    ),
    ("not a valid codice fiscale", "codice fiscale non valido"),
    (
        "check character should be",
        "il carattere di controllo dovrebbe essere",
    ),
    (", found ", ", trovato "),
    ("not a valid partita IVA", "partita IVA non valida"),
    ("not a valid CAP", "CAP non valido"),
    (
        "not a valid ISTAT municipality code",
        "codice ISTAT di comune non valido",
    ),
    ("not a valid ISEE protocol", "protocollo ISEE non valido"),
    (
        "not a known Belfiore code of a municipality or a foreign country",
        "codice Belfiore sconosciuto (né comune né stato estero)",
    ),
    (
        "not a sex (expected M or F)",
        "sesso non valido (atteso M o F)",
    ),
    (
        "not a real date: no such day in that month",
        "data inesistente: quel mese non ha quel giorno",
    ),
    (
        "not a real date: the month is over 12 (is it written month first?)",
        "data inesistente: il mese supera 12 (è scritta con il mese per primo?)",
    ),
    (
        "not a real date: the month is over 12",
        "data inesistente: il mese supera 12",
    ),
    ("not a real date", "data inesistente"),
    (
        "not a date and time in the expected format",
        "data e ora non nel formato atteso",
    ),
    (
        "not a date in the expected format",
        "data non nel formato atteso",
    ),
    ("not a whole number", "non è un numero intero"),
    ("not a number", "non è un numero"),
    ("thousands separator", "separatore delle migliaia"),
    ("misplaced", "fuori posto"),
    (
        "not a yes/no value (expected one of",
        "non è un valore sì/no (atteso uno tra",
    ),
    (
        "not one of the allowed values",
        "non è uno dei valori ammessi",
    ),
    ("below the minimum", "sotto il minimo"),
    ("above the maximum", "sopra il massimo"),
    ("duplicate of row", "duplicato della riga"),
    ("repeats row", "ripete la riga"),
    ("(value: ", "(valore: "),
    (
        "surname code in CF (characters 1-3) does not match the surname",
        "il codice del cognome nel CF (caratteri 1-3) non corrisponde al cognome",
    ),
    (
        "name code in CF (characters 4-6) does not match the first name",
        "il codice del nome nel CF (caratteri 4-6) non corrisponde al nome",
    ),
    (
        "name code in CF matches another spelling (transliteration) of the first name",
        "il codice del nome nel CF corrisponde a un'altra grafia (traslitterazione) del nome",
    ),
    (
        "surname code in CF matches another spelling (transliteration) of the surname",
        "il codice del cognome nel CF corrisponde a un'altra grafia (traslitterazione) del cognome",
    ),
    (
        "surname and first name look swapped (the CF matches them the other way round)",
        "cognome e nome sembrano invertiti (il CF corrisponde a loro scambiati)",
    ),
    (
        "birth date in CF differs from the record",
        "la data di nascita nel CF differisce dal record",
    ),
    (
        "day and month look swapped",
        "giorno e mese sembrano invertiti",
    ),
    ("the year differs by", "l'anno differisce di"),
    (
        "years (another person's CF, e.g. a parent's?)",
        "anni (il CF di un'altra persona, ad es. di un genitore?)",
    ),
    ("the year differs", "l'anno differisce"),
    ("the month differs", "il mese differisce"),
    ("the day differs", "il giorno differisce"),
    (
        "sex in CF (day of birth, +40 for women) differs from the record",
        "il sesso nel CF (giorno di nascita, +40 per le donne) differisce dal record",
    ),
    (
        "place of birth in CF differs from the record",
        "il luogo di nascita nel CF differisce dal record",
    ),
    ("invalid codice fiscale", "codice fiscale non valido"),
    (
        "a placeholder, not a real codice fiscale",
        "un segnaposto, non un vero codice fiscale",
    ),
    (
        "the place code (characters 12-15) was not in use on the birth date the code gives",
        "il codice del luogo (caratteri 12-15) non era in uso alla data di nascita indicata dal codice",
    ),
    ("(it did not exist yet)", "(non esisteva ancora)"),
    (
        "(it had been replaced by a newer code)",
        "(era stato sostituito da un codice più recente)",
    ),
    ("(it was no longer in use)", "(non era più in uso)"),
    ("the declared delimiter ", "il delimitatore dichiarato "),
    (
        " does not fit the file: its first lines split evenly on ",
        " non corrisponde al file: le sue prime righe si dividono in modo regolare con ",
    ),
    ("; set delimiter = ", "; impostare delimiter = "),
    (
        "the file does not read as the declared encoding ",
        "il file non si legge nella codifica dichiarata ",
    ),
    (" but does as ", " ma si legge in "),
    ("; set encoding = ", "; impostare encoding = "),
    (" (or \"auto\") in [input]", " (o \"auto\") in [input]"),
    (
        "the place code was not in use on the birth date the code gives",
        "il codice del luogo non era in uso alla data di nascita indicata dal codice",
    ),
    (
        "blank row: the line is empty",
        "riga vuota: la linea è vuota",
    ),
    (
        "blank row: every cell is empty",
        "riga vuota: ogni cella è vuota",
    ),
    (
        "cross-source: evaluated by vaglio run after linkage",
        "tra fonti: valutato da vaglio run dopo il collegamento all'anagrafe",
    ),
    (" is false", " è falso"),
    (" is true", " è vero"),
    (", so ", ", quindi "),
];

/// The Italian of a finding message: known phrases translated, the rest
/// (values, expressions, column names) kept.
pub fn message(english: &str) -> String {
    let mut out = english.to_string();
    for (en, it) in PHRASES {
        if out.contains(en) {
            out = out.replace(en, it);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fidelity_findings_are_translated() {
        assert_eq!(
            message("the place code (characters 12-15) was not in use on the birth date the code gives (it did not exist yet)"),
            "il codice del luogo (caratteri 12-15) non era in uso alla data di nascita indicata dal codice (non esisteva ancora)"
        );
        assert_eq!(
            message("the declared delimiter \",\" does not fit the file: its first lines split evenly on \";\"; set delimiter = \";\" (or \"auto\") in [input]"),
            "il delimitatore dichiarato \",\" non corrisponde al file: le sue prime righe si dividono in modo regolare con \";\"; impostare delimiter = \";\" (o \"auto\") in [input]"
        );
        assert_eq!(
            message("the file does not read as the declared encoding UTF-8 but does as windows-1252; set encoding = \"windows-1252\" (or \"auto\") in [input]"),
            "il file non si legge nella codifica dichiarata UTF-8 ma si legge in windows-1252; impostare encoding = \"windows-1252\" (o \"auto\") in [input]"
        );
        assert_eq!(
            description("the place code of CF was in use on the birth date it gives").as_deref(),
            Some("il codice del luogo di CF era in uso alla data di nascita che indica")
        );
    }

    #[test]
    fn vaglio_descriptions_are_translated() {
        for (en, it) in [
            (
                "CF_ALUNNO must not be empty",
                "CF_ALUNNO deve avere un valore",
            ),
            (
                "CF_ALUNNO must be a valid codice_fiscale",
                "CF_ALUNNO deve essere un codice fiscale valido",
            ),
            (
                "DATA_NASCITA_ALUNNO must be between 2008-11-28 and 2026-11-28",
                "DATA_NASCITA_ALUNNO deve essere tra 2008-11-28 e 2026-11-28",
            ),
            (
                "VALORE_ISEE must be at least 0",
                "VALORE_ISEE deve essere almeno 0",
            ),
            (
                "at least 80% of the rows must have VALORE_ISEE",
                "almeno il 80% delle righe ha un valore di VALORE_ISEE",
            ),
            (
                "the extract has at least 1 rows",
                "l'estratto ha almeno 1 righe",
            ),
            (
                "no two rows share COD_SERVIZIO + CF_ALUNNO",
                "due righe non hanno mai la stessa combinazione COD_SERVIZIO + CF_ALUNNO",
            ),
            (
                "no value of ID_ISCRIZIONE may appear twice",
                "nessun valore di ID_ISCRIZIONE compare due volte",
            ),
            (
                "COGNOME_ALUNNO must have at most 60 characters",
                "COGNOME_ALUNNO deve avere al massimo 60 caratteri",
            ),
            (
                "every column of the file is declared in [fields]",
                "ogni colonna del file è dichiarata in [fields]",
            ),
        ] {
            assert_eq!(description(en).as_deref(), Some(it), "{en}");
        }
    }

    #[test]
    fn rule_file_descriptions_are_kept() {
        assert_eq!(description("an enrolment ends after it starts"), None);
        assert_eq!(description("X must be a valid spaceship"), None);
        assert_eq!(description("DATA_FINE >= DATA_INIZIO"), None);
    }

    #[test]
    fn messages_are_translated_phrase_by_phrase() {
        assert_eq!(message("value missing"), "valore mancante");
        assert_eq!(
            message(crate::checks::cross_source::NOT_LINKED),
            "tra fonti: valutato da vaglio run dopo il collegamento all'anagrafe"
        );
        assert_eq!(
            message("not a valid codice fiscale: check character should be S, found Z"),
            "codice fiscale non valido: il carattere di controllo dovrebbe essere S, trovato Z"
        );
        assert_eq!(
            message("not a real date: no such day in that month"),
            "data inesistente: quel mese non ha quel giorno"
        );
        assert_eq!(message("duplicate of row 4"), "duplicato della riga 4");
        assert_eq!(
            message("DATA_FINE >= DATA_INIZIO is false"),
            "DATA_FINE >= DATA_INIZIO è falso"
        );
        assert_eq!(
            message("birth date in CF differs from the record: day and month look swapped"),
            "la data di nascita nel CF differisce dal record: giorno e mese sembrano invertiti"
        );
    }

    #[test]
    fn every_kind_has_an_italian_summary() {
        for k in super::super::ALL {
            assert_ne!(kind_summary(k), k.summary, "{}", k.code);
        }
    }
}
