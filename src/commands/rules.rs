//! `vaglio rules`: the catalogue of check kinds, field types, functions and
//! operators.

use crate::checks;
use crate::cli::RulesArgs;
use crate::types::TYPE_NAMES;

use super::Outcome;

/// The operators of `[[checks]]` expressions: (operator, what it does,
/// an example).
pub const OPERATORS: &[(&str, &str, &str)] = &[
    (
        "and  or  not",
        "logic (unknown when a needed value is missing)",
        "ISEE > 0 and not is_null(CF)",
    ),
    ("==  !=", "equal, different", "SESSO == 'F'"),
    (
        "<  <=  >  >=",
        "order of numbers, dates, texts",
        "DATA_FINE >= DATA_INIZIO",
    ),
    (
        "in [...]",
        "one of a list",
        "COD_SERVIZIO in ['PRE', 'POST']",
    ),
    (
        "between … and …",
        "within bounds, both included",
        "age_at(DATA_NASCITA, today()) between 6 and 14",
    ),
    (
        "is null  is not null",
        "missing or not",
        "DATA_FINE is null or DATA_FINE > DATA_INIZIO",
    ),
    (
        "+  -  *  /",
        "arithmetic; date + days, date - date in days",
        "ISEE * 12 < 100000",
    ),
    (
        "today() - 18y  + 6m  - 30d",
        "date arithmetic in years, months, days",
        "DATA_NASCITA <= today() - 18y",
    ),
    (
        "if … then … else …",
        "a choice",
        "if SESSO == 'F' then 40 else 0",
    ),
    ("( … )", "grouping", "(A or B) and C"),
];

/// An example call of each function, by name, for the catalogue.
pub const FUNCTION_EXAMPLES: &[(&str, &str)] = &[
    ("is_null", "is_null(DATA_FINE)"),
    ("coalesce", "coalesce(DATA_FINE, today())"),
    ("matches", "matches(CAP, '40[0-9]{3}')"),
    ("date", "DATA_INIZIO >= date('2024-09-01')"),
    ("today", "DATA_NASCITA <= today()"),
    ("abs", "abs(days_between(DATA_INIZIO, DATA_FINE)) < 365"),
    ("round", "round(ISEE, 2) == ISEE"),
    ("min", "min(DATA_FINE, today())"),
    ("max", "max(ISEE, 0)"),
    ("len", "len(NOME) >= 2"),
    ("upper", "upper(COGNOME) == COGNOME"),
    ("lower", "lower(EMAIL) == EMAIL"),
    ("trim", "trim(NOME) == NOME"),
    ("substr", "substr(CF, 7, 2) == substr(CAP, 1, 2)"),
    ("starts_with", "starts_with(CAP, '40')"),
    ("ends_with", "ends_with(EMAIL, '.it')"),
    ("contains", "contains(EMAIL, '@')"),
    ("year", "year(DATA_NASCITA) >= 1900"),
    ("month", "month(DATA_INIZIO) == 9"),
    ("day", "day(DATA_INIZIO) == 1"),
    ("days_between", "days_between(DATA_INIZIO, DATA_FINE) >= 0"),
    (
        "age_at",
        "age_at(DATA_NASCITA, DATA_INIZIO) between 3 and 5",
    ),
    ("cf_valid", "cf_valid(CF)"),
    (
        "cf_consistent",
        "cf_consistent(CF, COGNOME, NOME, DATA_NASCITA)",
    ),
    (
        "cf_matches",
        "cf_matches(CF, COGNOME, NOME, DATA_NASCITA, SESSO)",
    ),
    ("cf_birth_date", "cf_birth_date(CF) == DATA_NASCITA"),
    ("cf_sex", "cf_sex(CF) == SESSO"),
    ("cf_place", "cf_place(CF) == 'A944'"),
    ("cf_base", "cf_base(CF) == cf_base(CF_GENITORE)"),
    ("is_omocode", "not is_omocode(CF)"),
    ("cf_equivalent", "not cf_equivalent(CF, CF_GENITORE)"),
    ("name_key", "name_key(NOME) == name_key(NOME_ANAGRAFE)"),
    ("name_variants", "name_variants(NOME, NOME_ANAGRAFE)"),
    (
        "dates_swapped",
        "not dates_swapped(DATA_NASCITA, cf_birth_date(CF))",
    ),
    ("street_type", "street_type(INDIRIZZO) is not null"),
    ("house_number", "house_number(INDIRIZZO) is not null"),
    (
        "normalize_name",
        "normalize_name(COGNOME) == normalize_name(COGNOME_ANAGRAFE)",
    ),
];

/// Prints the catalogue, or the documentation of one check kind, function
/// or field type.
pub fn run(args: &RulesArgs) -> miette::Result<Outcome> {
    let Some(code) = &args.code else {
        super::print(&catalogue())?;
        return Ok(Outcome::Passed);
    };
    if let Some(kind) = checks::find(code) {
        super::print(&format!("{}\n", kind.doc.trim_end()))?;
        return Ok(Outcome::Passed);
    }
    if let Some(text) = function_doc(code).or_else(|| type_doc(code)) {
        super::print(&text)?;
        return Ok(Outcome::Passed);
    }
    let names = checks::ALL
        .iter()
        .flat_map(|k| [k.code, k.name])
        .chain(FUNCTION_EXAMPLES.iter().map(|(n, _)| *n))
        .chain(TYPE_NAMES.iter().map(|(n, _)| *n));
    let hint = crate::rules::did_you_mean(code, names)
        .map(|s| format!("did you mean {s}? "))
        .unwrap_or_default();
    Err(miette::miette!(
        code = "vaglio::rules::unknown_kind",
        help = format!("{hint}run `vaglio rules` for the list"),
        "there is no check kind, function or field type {code:?}"
    ))
}

/// Every function as (name, signature, doc).
fn functions() -> Vec<(String, String, &'static str)> {
    let today = chrono::Local::now().date_naive();
    crate::identity::functions::registry(today)
        .listing()
        .into_iter()
        .map(|(signature, doc)| {
            let name = signature
                .split('(')
                .next()
                .unwrap_or(&signature)
                .to_string();
            (name, signature, doc)
        })
        .collect()
}

fn example_of(name: &str) -> Option<&'static str> {
    FUNCTION_EXAMPLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, e)| *e)
}

/// One function's signature, documentation and example.
fn function_doc(name: &str) -> Option<String> {
    let (name, signature, doc) = functions()
        .into_iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))?;
    let mut s = format!("{signature}\n\n{doc}\n");
    if let Some(e) = example_of(&name) {
        s.push_str(&format!("\nExample: {e}\n"));
    }
    Some(s)
}

/// One field type's description.
fn type_doc(name: &str) -> Option<String> {
    TYPE_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(n, doc)| format!("type = \"{n}\": {doc}\n"))
}

/// The catalogue as text.
pub fn catalogue() -> String {
    let mut s = String::from("Check kinds (vaglio rules CODE for the documentation):\n\n");
    s.push_str("  code   level  name                default   passes when\n");
    for k in checks::ALL {
        s.push_str(&format!(
            "  {}  {:>5}  {:<19} {:<9} {}\n",
            k.code, k.level, k.name, k.default_severity, k.summary
        ));
    }
    s.push_str("\nField types:\n\n");
    for (name, doc) in TYPE_NAMES {
        s.push_str(&format!("  {name:<16} {doc}\n"));
    }
    s.push_str("\nFunctions for [[checks]] expressions (vaglio rules NAME for one):\n\n");
    for (name, signature, doc) in functions() {
        s.push_str(&format!("  {signature}\n      {doc}\n"));
        if let Some(e) = example_of(&name) {
            s.push_str(&format!("      e.g. {e}\n"));
        }
    }
    s.push_str("\nOperators:\n\n");
    for (op, doc, example) in OPERATORS {
        s.push_str(&format!("  {op:<28} {doc}\n      e.g. {example}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{compile, Env};
    use crate::value::ValueType;

    /// Every example compiles against columns of the types it names.
    #[test]
    fn every_function_has_an_example_and_every_example_compiles() {
        let text = [
            "CF",
            "CF_GENITORE",
            "COGNOME",
            "NOME",
            "SESSO",
            "CAP",
            "EMAIL",
            "INDIRIZZO",
            "NOME_ANAGRAFE",
            "COGNOME_ANAGRAFE",
            "COD_SERVIZIO",
        ];
        let dates = ["DATA_NASCITA", "DATA_INIZIO", "DATA_FINE"];
        let mut columns: Vec<(String, usize, ValueType)> = Vec::new();
        for n in text {
            columns.push((n.to_string(), columns.len(), ValueType::Text));
        }
        for n in dates {
            columns.push((n.to_string(), columns.len(), ValueType::Date));
        }
        columns.push(("ISEE".to_string(), columns.len(), ValueType::Decimal));
        for n in ["A", "B", "C"] {
            columns.push((n.to_string(), columns.len(), ValueType::Bool));
        }
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        let registry = crate::identity::functions::registry(today);
        let env = Env {
            columns: &columns,
            today,
            functions: &registry,
        };
        for (name, _, _) in functions() {
            let e = example_of(&name).unwrap_or_else(|| panic!("no example for {name}"));
            assert!(e.contains(&format!("{name}(")), "{name}: {e}");
            compile(e, &env).unwrap_or_else(|err| panic!("{name}: {e}: {err:?}"));
        }
        for (op, _, e) in OPERATORS {
            compile(e, &env).unwrap_or_else(|err| panic!("{op}: {e}: {err:?}"));
        }
        assert!(function_doc("cf_consistent").is_some_and(|d| d.contains("Example:")));
        assert!(type_doc("codice_fiscale").is_some());
    }
}
