//! The `[link]` section of a rule file: how the extract's columns map to
//! person attributes, the deterministic tiers, the blocking rules, the
//! comparisons and the thresholds. Parsed from the rule file's text with
//! spans, so that every mistake is reported where it is.
//!
//! ```toml
//! [link]
//! to = "anagrafe"
//! fields = { codice_fiscale = "CF_ALUNNO", cognome = "COGNOME_ALUNNO", nome = "NOME_ALUNNO", data_nascita = "DATA_NASCITA_ALUNNO" }
//! deterministic = [["codice_fiscale"], ["cognome", "nome", "data_nascita"]]
//! blocking = [["codice_fiscale"], ["cognome", "anno_nascita"], ["nome", "data_nascita"]]
//! comparisons = [
//!   { field = "codice_fiscale" },
//!   { field = "cognome", kind = "name", term_frequency = true },
//!   { field = "nome", kind = "name", term_frequency = true, jaro_winkler = [0.92, 0.80] },
//!   { field = "data_nascita", kind = "date" },
//! ]
//! thresholds = { match = 0.95, review = 0.50 }
//! ```
//!
//! Everything but `fields` has a default computed from the fields mapped.
//!
//! Two caps bound the work of a linkage: `max_block_size` (default 5,000)
//! skips, for one record, a block with more residents than that (counted
//! in the blocking statistics); `max_pairs` (default 50,000,000) stops the
//! linkage before any comparison when the blocking rules would give more
//! candidate pairs in all than that (a pair found by several rules counts
//! once per rule), with an error naming the setting (exit code 2).

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use toml::de::DeTable;

use super::compare::{self, Level};

use crate::rules::walk::{Node, Table};
use crate::rules::{Diagnostics, RuleFileError, RuleSet};

/// A person attribute a column can be mapped to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attr {
    /// The codice fiscale.
    CodiceFiscale,
    /// Surname.
    Cognome,
    /// Given name(s).
    Nome,
    /// Surname and given names in one column (`ROSSI MARIA GRAZIA`).
    Nominativo,
    /// Birth date.
    DataNascita,
    /// Sex.
    Sesso,
    /// Place of birth (Belfiore code).
    LuogoNascita,
    /// Street address, as text (generic).
    Indirizzo,
    /// House number (generic).
    Civico,
    /// Town, suburb or locality, as text (generic).
    Localita,
    /// Postcode (generic).
    Cap,
    /// Province or state (generic).
    Provincia,
    /// Any other identifier, compared exactly or one edit apart (generic).
    Codice,
}

impl Attr {
    /// Every attribute, in output order.
    pub const ALL: [Attr; 13] = [
        Attr::CodiceFiscale,
        Attr::Cognome,
        Attr::Nome,
        Attr::Nominativo,
        Attr::DataNascita,
        Attr::Sesso,
        Attr::LuogoNascita,
        Attr::Indirizzo,
        Attr::Civico,
        Attr::Localita,
        Attr::Cap,
        Attr::Provincia,
        Attr::Codice,
    ];

    /// The generic attributes: text and codes with no Italian meaning,
    /// stored as normalised strings.
    pub const GENERIC: [Attr; 6] = [
        Attr::Indirizzo,
        Attr::Civico,
        Attr::Localita,
        Attr::Cap,
        Attr::Provincia,
        Attr::Codice,
    ];

    /// The slot of a generic attribute in [`Attr::GENERIC`].
    pub fn generic_slot(self) -> Option<usize> {
        Attr::GENERIC.iter().position(|a| *a == self)
    }

    /// Whether the attribute's values are codes (spaces and punctuation
    /// dropped) rather than text.
    pub fn is_code(self) -> bool {
        matches!(self, Attr::Civico | Attr::Cap | Attr::Codice)
    }

    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Attr::CodiceFiscale => "codice_fiscale",
            Attr::Cognome => "cognome",
            Attr::Nome => "nome",
            Attr::Nominativo => "nominativo",
            Attr::DataNascita => "data_nascita",
            Attr::Sesso => "sesso",
            Attr::LuogoNascita => "luogo_nascita",
            Attr::Indirizzo => "indirizzo",
            Attr::Civico => "civico",
            Attr::Localita => "localita",
            Attr::Cap => "cap",
            Attr::Provincia => "provincia",
            Attr::Codice => "codice",
        }
    }

    /// The attribute named `s`.
    pub fn parse(s: &str) -> Option<Attr> {
        Attr::ALL.into_iter().find(|a| a.name() == s)
    }
}

impl fmt::Display for Attr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A blocking key: an attribute as it is, or a key derived from one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyPart {
    /// The codice fiscale in base form (omocodes folded).
    CodiceFiscale,
    /// The normalised surname (parts glued: `DE LUCA` → `DELUCA`).
    Cognome,
    /// The normalised given name(s), glued.
    Nome,
    /// The birth date.
    DataNascita,
    /// The birth year.
    AnnoNascita,
    /// Sex.
    Sesso,
    /// Place of birth.
    LuogoNascita,
    /// The phonetic key of the surname.
    CognomeFonetico,
    /// The phonetic key of the given name.
    NomeFonetico,
    /// Characters 1–3 of the CF as computed from the surname (from the code
    /// when there is no surname).
    CfCognome,
    /// Characters 4–6 of the CF as computed from the name.
    CfNome,
    /// Characters 7–11 of the CF (birth date and sex), from the code.
    CfData,
    /// Initials of surname and name.
    Iniziali,
    /// Surname and given name, normalised and glued, in sorted order:
    /// the same key whichever column holds which (`ROSSI`/`MARIO` and
    /// `MARIO`/`ROSSI`), so that a record with the two exchanged still
    /// meets its resident when its codice fiscale cannot.
    NomiOrdinati,
    /// The street address (normalised text).
    Indirizzo,
    /// The house number.
    Civico,
    /// The town or suburb (normalised text).
    Localita,
    /// The postcode.
    Cap,
    /// The province or state.
    Provincia,
    /// The generic identifier.
    Codice,
}

impl KeyPart {
    /// Every key, as rule files name them.
    pub const ALL: [KeyPart; 20] = [
        KeyPart::CodiceFiscale,
        KeyPart::Cognome,
        KeyPart::Nome,
        KeyPart::DataNascita,
        KeyPart::AnnoNascita,
        KeyPart::Sesso,
        KeyPart::LuogoNascita,
        KeyPart::CognomeFonetico,
        KeyPart::NomeFonetico,
        KeyPart::CfCognome,
        KeyPart::CfNome,
        KeyPart::CfData,
        KeyPart::Iniziali,
        KeyPart::NomiOrdinati,
        KeyPart::Indirizzo,
        KeyPart::Civico,
        KeyPart::Localita,
        KeyPart::Cap,
        KeyPart::Provincia,
        KeyPart::Codice,
    ];

    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            KeyPart::CodiceFiscale => "codice_fiscale",
            KeyPart::Cognome => "cognome",
            KeyPart::Nome => "nome",
            KeyPart::DataNascita => "data_nascita",
            KeyPart::AnnoNascita => "anno_nascita",
            KeyPart::Sesso => "sesso",
            KeyPart::LuogoNascita => "luogo_nascita",
            KeyPart::CognomeFonetico => "cognome_fonetico",
            KeyPart::NomeFonetico => "nome_fonetico",
            KeyPart::CfCognome => "cf_cognome",
            KeyPart::CfNome => "cf_nome",
            KeyPart::CfData => "cf_data",
            KeyPart::Iniziali => "iniziali",
            KeyPart::NomiOrdinati => "nomi_ordinati",
            KeyPart::Indirizzo => "indirizzo",
            KeyPart::Civico => "civico",
            KeyPart::Localita => "localita",
            KeyPart::Cap => "cap",
            KeyPart::Provincia => "provincia",
            KeyPart::Codice => "codice",
        }
    }

    /// The key named `s`.
    pub fn parse(s: &str) -> Option<KeyPart> {
        KeyPart::ALL.into_iter().find(|a| a.name() == s)
    }

    /// The attributes the key needs (either of them for CF segments).
    fn needs(self) -> &'static [Attr] {
        match self {
            KeyPart::CodiceFiscale | KeyPart::CfData => &[Attr::CodiceFiscale],
            KeyPart::Cognome | KeyPart::CognomeFonetico | KeyPart::CfCognome => &[Attr::Cognome],
            KeyPart::Nome | KeyPart::NomeFonetico | KeyPart::CfNome => &[Attr::Nome],
            KeyPart::Iniziali | KeyPart::NomiOrdinati => &[Attr::Cognome, Attr::Nome],
            KeyPart::DataNascita | KeyPart::AnnoNascita => &[Attr::DataNascita],
            KeyPart::Sesso => &[Attr::Sesso],
            KeyPart::LuogoNascita => &[Attr::LuogoNascita],
            KeyPart::Indirizzo => &[Attr::Indirizzo],
            KeyPart::Civico => &[Attr::Civico],
            KeyPart::Localita => &[Attr::Localita],
            KeyPart::Cap => &[Attr::Cap],
            KeyPart::Provincia => &[Attr::Provincia],
            KeyPart::Codice => &[Attr::Codice],
        }
    }

    /// The generic attribute a key is, if it is one.
    pub fn generic(self) -> Option<Attr> {
        match self {
            KeyPart::Indirizzo => Some(Attr::Indirizzo),
            KeyPart::Civico => Some(Attr::Civico),
            KeyPart::Localita => Some(Attr::Localita),
            KeyPart::Cap => Some(Attr::Cap),
            KeyPart::Provincia => Some(Attr::Provincia),
            KeyPart::Codice => Some(Attr::Codice),
            _ => None,
        }
    }
}

/// How a comparison compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    /// Codice fiscale levels.
    CodiceFiscale,
    /// Personal-name levels.
    Name,
    /// Date levels.
    Date,
    /// Equal or not.
    Exact,
    /// Free text (addresses, towns): exact, two Jaro–Winkler levels.
    Text,
    /// Codes and numbers (postcodes, house numbers, identifiers): exact, one
    /// edit apart (a character changed, added, dropped, or two adjacent
    /// ones exchanged).
    Code,
}

impl CompKind {
    /// Every kind.
    pub const ALL: [CompKind; 6] = [
        CompKind::CodiceFiscale,
        CompKind::Name,
        CompKind::Date,
        CompKind::Exact,
        CompKind::Text,
        CompKind::Code,
    ];

    fn parse(s: &str) -> Option<CompKind> {
        match s {
            "codice_fiscale" => Some(CompKind::CodiceFiscale),
            "name" => Some(CompKind::Name),
            "date" => Some(CompKind::Date),
            "exact" => Some(CompKind::Exact),
            "text" => Some(CompKind::Text),
            "code" => Some(CompKind::Code),
            _ => None,
        }
    }

    /// The natural kind for an attribute.
    pub fn natural(attr: Attr) -> CompKind {
        match attr {
            Attr::CodiceFiscale => CompKind::CodiceFiscale,
            Attr::Cognome | Attr::Nome | Attr::Nominativo => CompKind::Name,
            Attr::DataNascita => CompKind::Date,
            Attr::Sesso | Attr::LuogoNascita | Attr::Provincia => CompKind::Exact,
            Attr::Indirizzo | Attr::Localita => CompKind::Text,
            Attr::Civico | Attr::Cap | Attr::Codice => CompKind::Code,
        }
    }

    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            CompKind::CodiceFiscale => "codice_fiscale",
            CompKind::Name => "name",
            CompKind::Date => "date",
            CompKind::Exact => "exact",
            CompKind::Text => "text",
            CompKind::Code => "code",
        }
    }

    /// Whether this kind can compare `attr`.
    pub fn fits(self, attr: Attr) -> bool {
        match self {
            CompKind::Exact => true,
            CompKind::Text | CompKind::Code => attr.generic_slot().is_some(),
            other => other == CompKind::natural(attr),
        }
    }

    /// The table of its levels, index 0 being the null level; each
    /// level's index is its constant in the comparison's module of
    /// [`super::compare`], the function computing it next to it.
    pub fn levels(self) -> &'static [Level] {
        match self {
            CompKind::CodiceFiscale => compare::cf_level::LEVELS,
            CompKind::Name => compare::name_level::LEVELS,
            CompKind::Date => compare::date_level::LEVELS,
            CompKind::Exact => compare::exact_level::LEVELS,
            CompKind::Text => compare::text_level::LEVELS,
            CompKind::Code => compare::code_level::LEVELS,
        }
    }
}

/// One comparison of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonSpec {
    /// The attribute compared (`cognome`, `nome`, …; never `nominativo`).
    pub attr: Attr,
    /// How.
    pub kind: CompKind,
    /// Term-frequency adjustment of the exact level (names).
    pub term_frequency: bool,
    /// Jaro–Winkler thresholds of the two fuzzy levels (names, text).
    pub jaro_winkler: [f64; 2],
}

impl ComparisonSpec {
    /// A comparison with its defaults.
    pub fn new(attr: Attr) -> ComparisonSpec {
        ComparisonSpec {
            attr,
            kind: CompKind::natural(attr),
            term_frequency: matches!(attr, Attr::Cognome | Attr::Nome),
            jaro_winkler: [0.92, 0.80],
        }
    }

    /// The name of the comparison (the attribute).
    pub fn name(&self) -> &'static str {
        self.attr.name()
    }
}

/// A deterministic tier: records whose attributes all agree exactly (CF in
/// base form, names normalised) with exactly one resident are linked.
#[derive(Clone, Debug, PartialEq)]
pub struct Tier {
    /// Its name in links.csv (`codice_fiscale`, `cognome+nome+data_nascita`),
    /// shared by the links it makes.
    pub name: Arc<str>,
    /// The attributes.
    pub attrs: Vec<Attr>,
}

/// The decision thresholds, as match probabilities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// At or above: `match`.
    pub matched: f64,
    /// At or above (and below `matched`): `review`.
    pub review: f64,
}

/// The default of `[link] max_pairs`: 50 million candidate pairs, a few
/// hundred megabytes of compared pairs; a city's extracts give far fewer.
pub const DEFAULT_MAX_PAIRS: u64 = 50_000_000;

/// A parsed `[link]` section.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkSpec {
    /// The reference the records link to (`anagrafe`).
    pub to: String,
    /// Column of each mapped attribute.
    pub fields: Vec<(Attr, String)>,
    /// For the reference: the column with the person identifier.
    pub id: Option<String>,
    /// Deterministic tiers, tried in order.
    pub deterministic: Vec<Tier>,
    /// Blocking rules, OR-ed.
    pub blocking: Vec<Vec<KeyPart>>,
    /// Comparisons.
    pub comparisons: Vec<ComparisonSpec>,
    /// Decision thresholds.
    pub thresholds: Thresholds,
    /// Two best candidates closer than this (in match weight, bits) make a
    /// near-tie: the record goes to review.
    pub tie_margin: f64,
    /// Blocks larger than this are skipped for a record (and counted).
    pub max_block_size: usize,
    /// Candidate pairs (summed over the blocking rules) above which the
    /// linkage stops before comparing ([`DEFAULT_MAX_PAIRS`]).
    pub max_pairs: u64,
    /// Compare the blocked pairs of every record, also of those a
    /// deterministic tier links (not a rule-file setting: the linkage skips
    /// them when the model does not need them, with the same result; tests
    /// set it to check so).
    pub compare_settled: bool,
    /// Random pairs sampled to estimate u.
    pub u_sample_pairs: usize,
    /// Seed of the sampling.
    pub seed: u64,
    /// Assumed recall of the deterministic tiers, for the prior.
    pub prior_recall: f64,
}

impl LinkSpec {
    /// The column mapped to `attr`.
    pub fn column(&self, attr: Attr) -> Option<&str> {
        self.fields
            .iter()
            .find(|(a, _)| *a == attr)
            .map(|(_, c)| c.as_str())
    }

    /// Whether the record has the attribute (a `nominativo` provides
    /// `cognome` and `nome`).
    pub fn provides(&self, attr: Attr) -> bool {
        self.column(attr).is_some()
            || (matches!(attr, Attr::Cognome | Attr::Nome)
                && self.column(Attr::Nominativo).is_some())
    }

    /// A spec with only a field mapping and every default.
    pub fn with_fields(fields: Vec<(Attr, String)>) -> LinkSpec {
        let mut spec = LinkSpec {
            to: "anagrafe".into(),
            fields,
            id: None,
            deterministic: Vec::new(),
            blocking: Vec::new(),
            comparisons: Vec::new(),
            thresholds: Thresholds {
                matched: 0.95,
                review: 0.50,
            },
            tie_margin: 1.0,
            max_block_size: 5000,
            max_pairs: DEFAULT_MAX_PAIRS,
            compare_settled: false,
            u_sample_pairs: 200_000,
            seed: 42,
            prior_recall: 0.9,
        };
        spec.deterministic = default_tiers()
            .into_iter()
            .filter(|t| t.attrs.iter().all(|a| spec.provides(*a)))
            .collect();
        spec.blocking = default_blocking()
            .into_iter()
            .filter(|r| spec.key_available(r))
            .collect();
        spec.comparisons = [
            Attr::CodiceFiscale,
            Attr::Cognome,
            Attr::Nome,
            Attr::DataNascita,
            Attr::Sesso,
            Attr::LuogoNascita,
        ]
        .into_iter()
        .chain(Attr::GENERIC)
        .filter(|a| spec.provides(*a))
        .map(ComparisonSpec::new)
        .collect();
        spec
    }

    fn key_available(&self, rule: &[KeyPart]) -> bool {
        rule.iter().all(|k| {
            let needs = k.needs();
            match k {
                KeyPart::CfCognome | KeyPart::CfNome => {
                    needs.iter().any(|a| self.provides(*a)) || self.provides(Attr::CodiceFiscale)
                }
                _ => needs.iter().all(|a| self.provides(*a)),
            }
        })
    }
}

fn tier(attrs: &[Attr]) -> Tier {
    Tier {
        name: attrs
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>()
            .join("+")
            .into(),
        attrs: attrs.to_vec(),
    }
}

fn default_tiers() -> Vec<Tier> {
    vec![
        tier(&[Attr::CodiceFiscale]),
        tier(&[Attr::Cognome, Attr::Nome, Attr::DataNascita]),
    ]
}

fn default_blocking() -> Vec<Vec<KeyPart>> {
    use KeyPart::*;
    vec![
        vec![CodiceFiscale],
        vec![CfCognome, CfNome, CfData],
        vec![Cognome, AnnoNascita],
        vec![Nome, DataNascita],
        vec![CognomeFonetico, DataNascita],
        vec![Cognome, Nome],
        // Surname and name exchanged (and no usable CF): every rule above
        // keys on a name in its own column.
        vec![NomiOrdinati, AnnoNascita],
        // Generic attributes, when mapped: an identifier alone; places with
        // a name or the birth date, so that one typo in a name or in the
        // date still leaves a rule that finds the pair.
        vec![Codice],
        vec![Cap, Cognome],
        vec![Cap, Nome],
        vec![Cap, DataNascita],
        vec![Localita, Cognome],
        vec![Localita, Nome],
        vec![Localita, DataNascita],
        vec![Indirizzo, Civico],
        vec![Cap, Civico],
        vec![Cognome, Civico],
    ]
}

/// Reads the `[link]` section of `rules`; `None` when it has none.
pub fn from_rules(rules: &RuleSet) -> Result<Option<LinkSpec>, RuleFileError> {
    let text: &str = &rules.source_text;
    let mut diags = Diagnostics::new(
        &rules.path.display().to_string(),
        Arc::clone(&rules.source_text),
    );
    let Ok(parsed) = DeTable::parse(text) else {
        return Ok(None);
    };
    let root = Table {
        table: parsed.get_ref(),
    };
    let Some(node) = root.get("link") else {
        return Ok(None);
    };
    let declared: Vec<&str> = rules.fields.iter().map(|f| f.name.as_str()).collect();
    let spec = parse(&node, &declared, &mut diags);
    diags.finish()?;
    Ok(spec)
}

/// Attributes a tier or a comparison can name (all but `nominativo`).
const COMPARABLE: [&str; 12] = [
    "codice_fiscale",
    "cognome",
    "nome",
    "data_nascita",
    "sesso",
    "luogo_nascita",
    "indirizzo",
    "civico",
    "localita",
    "cap",
    "provincia",
    "codice",
];

const KEYS: &[&str] = &[
    "to",
    "id",
    "fields",
    "deterministic",
    "blocking",
    "comparisons",
    "thresholds",
    "tie_margin",
    "max_block_size",
    "max_pairs",
    "u_sample_pairs",
    "seed",
    "prior_recall",
];

fn unknown(diags: &mut Diagnostics, span: Range<usize>, what: &str, word: &str, allowed: &[&str]) {
    let help = match crate::rules::did_you_mean(word, allowed.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? Allowed: {}", allowed.join(", ")),
        None => format!("allowed: {}", allowed.join(", ")),
    };
    diags.error(
        span,
        format!("unknown {what} `{word}`"),
        "unknown",
        Some(help),
    );
}

fn parse(node: &Node, declared: &[&str], diags: &mut Diagnostics) -> Option<LinkSpec> {
    let t = node.table(diags, "[link]", KEYS)?;
    // Fields first: the defaults depend on them.
    let mut fields = Vec::new();
    match t.get("fields") {
        None => diags.error(
            t.key_span("to").unwrap_or(node.span.clone()),
            "[link] needs `fields`: which column holds each person attribute",
            "no `fields` in this section",
            Some("e.g. fields = { codice_fiscale = \"CF\", cognome = \"COGNOME\", nome = \"NOME\", data_nascita = \"DATA_NASCITA\" }".into()),
        ),
        Some(f) => {
            let names: Vec<&str> = Attr::ALL.iter().map(|a| a.name()).collect();
            if let Some(ft) = f.open_table(diags, "[link] fields") {
                for (k, kspan, v) in ft.entries() {
                    let Some(attr) = Attr::parse(k) else {
                        unknown(diags, kspan, "person attribute", k, &names);
                        continue;
                    };
                    let Some(col) = v.str(diags, &format!("the column of `{k}`")) else {
                        continue;
                    };
                    if !declared.is_empty() && !declared.contains(&col) {
                        let help = match crate::rules::did_you_mean(col, declared.iter().copied())
                        {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "map a column declared under [fields]".to_string(),
                        };
                        diags.error(
                            v.span.clone(),
                            format!("column `{col}` is not declared in this rule file"),
                            "not a declared field",
                            Some(help),
                        );
                    }
                    fields.push((attr, col.to_string()));
                }
            }
        }
    }
    let has = |a: Attr| fields.iter().any(|(x, _)| *x == a);
    if has(Attr::Nominativo) && (has(Attr::Cognome) || has(Attr::Nome)) {
        diags.error(
            t.key_span("fields").unwrap_or(node.span.clone()),
            "map either `nominativo` or `cognome` and `nome`, not both",
            "here",
            None,
        );
    }
    let mut spec = LinkSpec::with_fields(fields);
    if let Some(v) = t.get("to") {
        if let Some(s) = v.str(diags, "`to`") {
            if s != "anagrafe" {
                diags.error(
                    v.span.clone(),
                    format!("records can link only to the anagrafe, not `{s}`"),
                    "here",
                    Some("write to = \"anagrafe\" (or leave it out)".into()),
                );
            }
            spec.to = s.to_string();
        }
    }
    if let Some(v) = t.get("id") {
        if let Some(s) = v.str(diags, "`id`") {
            spec.id = Some(s.to_string());
        }
    }
    if let Some(v) = t.get("deterministic") {
        if let Some(items) = v.array(diags, "`deterministic`") {
            spec.deterministic.clear();
            for item in items {
                let Some(list) = item.strings(diags, "a deterministic tier") else {
                    continue;
                };
                let mut attrs = Vec::new();
                let written = list.len();
                for (s, span) in list {
                    let allowed = COMPARABLE;
                    match Attr::parse(&s).filter(|a| *a != Attr::Nominativo) {
                        None => unknown(diags, span, "tier attribute", &s, &allowed),
                        Some(a) if !spec.provides(a) => diags.error(
                            span,
                            format!("tier attribute `{s}` is not mapped in `fields`"),
                            "not mapped",
                            Some(format!("add `{s}` to [link] fields or drop it here")),
                        ),
                        Some(a) => attrs.push(a),
                    }
                }
                if written == 0 {
                    diags.error(
                        item.span.clone(),
                        "a tier needs at least one attribute",
                        "empty",
                        None,
                    );
                } else if !attrs.is_empty() {
                    spec.deterministic.push(tier(&attrs));
                }
            }
        }
    }
    if let Some(v) = t.get("blocking") {
        if let Some(items) = v.array(diags, "`blocking`") {
            spec.blocking.clear();
            let allowed: Vec<&str> = KeyPart::ALL.iter().map(|k| k.name()).collect();
            for item in items {
                let Some(list) = item.strings(diags, "a blocking rule") else {
                    continue;
                };
                let mut rule = Vec::new();
                let written = list.len();
                for (s, span) in list {
                    match KeyPart::parse(&s) {
                        None => unknown(diags, span, "blocking key", &s, &allowed),
                        Some(k) if !spec.key_available(&[k]) => diags.error(
                            span,
                            format!("blocking key `{s}` needs an attribute that is not mapped in `fields`"),
                            "not available",
                            None,
                        ),
                        Some(k) => rule.push(k),
                    }
                }
                if written == 0 {
                    diags.error(
                        item.span.clone(),
                        "a blocking rule needs at least one key",
                        "empty",
                        None,
                    );
                } else if !rule.is_empty() {
                    spec.blocking.push(rule);
                }
            }
        }
    }
    if let Some(v) = t.get("comparisons") {
        if let Some(items) = v.array(diags, "`comparisons`") {
            spec.comparisons.clear();
            for item in items {
                if let Some(c) = comparison(&item, &spec, diags) {
                    if spec.comparisons.iter().any(|x| x.attr == c.attr) {
                        diags.error(
                            item.span.clone(),
                            format!("`{}` is compared twice", c.attr),
                            "again",
                            None,
                        );
                    } else {
                        spec.comparisons.push(c);
                    }
                }
            }
        }
    }
    if let Some(v) = t.get("thresholds") {
        if let Some(tt) = v.table(diags, "`thresholds`", &["match", "review"]) {
            let mut get = |k: &str, d: f64| match tt.get(k) {
                None => d,
                Some(n) => match n.number(diags, &format!("thresholds.{k}")) {
                    Some(x) if (0.0..=1.0).contains(&x) => x,
                    Some(_) => {
                        diags.error(
                            n.span.clone(),
                            format!("thresholds.{k} is a probability between 0 and 1"),
                            "out of range",
                            None,
                        );
                        d
                    }
                    None => d,
                },
            };
            let m = get("match", 0.95);
            let r = get("review", 0.50);
            if r > m {
                diags.error(
                    v.span.clone(),
                    "the review threshold must not be above the match threshold",
                    "review > match",
                    None,
                );
            }
            spec.thresholds = Thresholds {
                matched: m,
                review: r,
            };
        }
    }
    if let Some(v) = t.get("tie_margin") {
        match v.number(diags, "`tie_margin`") {
            Some(x) if x >= 0.0 => spec.tie_margin = x,
            Some(_) => diags.error(
                v.span.clone(),
                "`tie_margin` must be 0 or more (bits of match weight)",
                "negative",
                None,
            ),
            None => {}
        }
    }
    if let Some(v) = t.get("max_block_size") {
        if let Some(x) = v.count(diags, "`max_block_size`") {
            spec.max_block_size = x.max(1) as usize;
        }
    }
    if let Some(v) = t.get("max_pairs") {
        if let Some(x) = v.count(diags, "`max_pairs`") {
            spec.max_pairs = x.max(1);
        }
    }
    if let Some(v) = t.get("u_sample_pairs") {
        if let Some(x) = v.count(diags, "`u_sample_pairs`") {
            spec.u_sample_pairs = x.max(1000) as usize;
        }
    }
    if let Some(v) = t.get("seed") {
        if let Some(x) = v.count(diags, "`seed`") {
            spec.seed = x;
        }
    }
    if let Some(v) = t.get("prior_recall") {
        match v.number(diags, "`prior_recall`") {
            Some(x) if x > 0.0 && x <= 1.0 => spec.prior_recall = x,
            Some(_) => diags.error(
                v.span.clone(),
                "`prior_recall` is a proportion in (0, 1]",
                "out of range",
                None,
            ),
            None => {}
        }
    }
    Some(spec)
}

fn comparison(item: &Node, spec: &LinkSpec, diags: &mut Diagnostics) -> Option<ComparisonSpec> {
    let t = item.table(
        diags,
        "a comparison",
        &["field", "kind", "term_frequency", "jaro_winkler"],
    )?;
    let Some(f) = t.get("field") else {
        diags.error(
            item.span.clone(),
            "a comparison needs `field`",
            "no field",
            Some("e.g. { field = \"cognome\", kind = \"name\" }".into()),
        );
        return None;
    };
    let name = f.str(diags, "`field`")?;
    let allowed = COMPARABLE;
    let Some(attr) = Attr::parse(name).filter(|a| *a != Attr::Nominativo) else {
        unknown(diags, f.span.clone(), "comparison field", name, &allowed);
        return None;
    };
    if !spec.provides(attr) {
        diags.error(
            f.span.clone(),
            format!("`{name}` is not mapped in [link] fields"),
            "not mapped",
            None,
        );
        return None;
    }
    let mut c = ComparisonSpec::new(attr);
    if let Some(k) = t.get("kind") {
        let s = k.str(diags, "`kind`")?;
        match CompKind::parse(s) {
            None => {
                unknown(
                    diags,
                    k.span.clone(),
                    "comparison kind",
                    s,
                    &["codice_fiscale", "name", "date", "exact", "text", "code"],
                );
                return None;
            }
            Some(kind) => {
                if !kind.fits(attr) {
                    diags.error(
                        k.span.clone(),
                        format!("kind `{s}` cannot compare `{name}`"),
                        "wrong kind",
                        Some(if attr.generic_slot().is_some() {
                            format!("`{name}` is compared as `text`, `code` or `exact`")
                        } else {
                            format!(
                                "`{name}` is compared as `{}` or `exact`",
                                CompKind::natural(attr).name()
                            )
                        }),
                    );
                    return None;
                }
                c.kind = kind;
            }
        }
    }
    if let Some(v) = t.get("term_frequency") {
        c.term_frequency = v.bool(diags, "`term_frequency`")?;
    }
    if let Some(v) = t.get("jaro_winkler") {
        let items = v.array(diags, "`jaro_winkler`")?;
        let nums: Vec<f64> = items
            .iter()
            .filter_map(|n| n.number(diags, "a Jaro–Winkler threshold"))
            .collect();
        if nums.len() != 2 || nums[0] < nums[1] || nums.iter().any(|x| !(0.0..=1.0).contains(x)) {
            diags.error(
                v.span.clone(),
                "`jaro_winkler` takes two thresholds between 0 and 1, the higher first",
                "here",
                Some("e.g. jaro_winkler = [0.92, 0.80]".into()),
            );
            return None;
        }
        c.jaro_winkler = [nums[0], nums[1]];
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(text: &str) -> Result<Option<LinkSpec>, RuleFileError> {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let rules = crate::rules::load_str(text, Path::new("t.toml"), Path::new("."), today)
            .expect("the rest of the file is valid");
        from_rules(&rules)
    }

    const FIELDS: &str =
        "[fields.CF]\n[fields.COGNOME]\n[fields.NOME]\n[fields.NATO]\ntype = \"date\"\n";

    #[test]
    fn a_short_section_gets_defaults() {
        let spec = load(&format!(
            "{FIELDS}[link]\nfields = {{ codice_fiscale = \"CF\", cognome = \"COGNOME\", nome = \"NOME\", data_nascita = \"NATO\" }}\n"
        ))
        .unwrap()
        .unwrap();
        let tiers: Vec<&str> = spec.deterministic.iter().map(|t| &*t.name).collect();
        assert_eq!(tiers, ["codice_fiscale", "cognome+nome+data_nascita"]);
        let rules: Vec<String> = spec
            .blocking
            .iter()
            .map(|r| r.iter().map(|k| k.name()).collect::<Vec<_>>().join("+"))
            .collect();
        assert_eq!(
            rules,
            [
                "codice_fiscale",
                "cf_cognome+cf_nome+cf_data",
                "cognome+anno_nascita",
                "nome+data_nascita",
                "cognome_fonetico+data_nascita",
                "cognome+nome",
                "nomi_ordinati+anno_nascita"
            ]
        );
        let comps: Vec<&str> = spec.comparisons.iter().map(|c| c.name()).collect();
        assert_eq!(comps, ["codice_fiscale", "cognome", "nome", "data_nascita"]);
        assert!(spec.comparisons[1].term_frequency);
        assert_eq!(
            spec.thresholds,
            Thresholds {
                matched: 0.95,
                review: 0.5
            }
        );
        assert!(load(FIELDS).unwrap().is_none(), "no [link], no spec");
    }

    #[test]
    fn max_pairs_defaults_large_and_can_be_set() {
        let link = "[link]\nfields = { cognome = \"COGNOME\" }\n";
        let spec = load(&format!("{FIELDS}{link}")).unwrap().unwrap();
        assert_eq!(spec.max_pairs, DEFAULT_MAX_PAIRS);
        let spec = load(&format!("{FIELDS}{link}max_pairs = 1_000\n"))
            .unwrap()
            .unwrap();
        assert_eq!(spec.max_pairs, 1000);
        assert!(load(&format!("{FIELDS}{link}max_pairs = -1\n")).is_err());
    }

    #[test]
    fn nominativo_provides_surname_and_name() {
        let spec = load("[fields.N]\n[link]\nfields = { nominativo = \"N\" }\n")
            .unwrap()
            .unwrap();
        assert!(spec.provides(Attr::Cognome) && spec.provides(Attr::Nome));
        assert_eq!(
            spec.deterministic.len(),
            0,
            "no tier without a CF or a date"
        );
        let comps: Vec<&str> = spec.comparisons.iter().map(|c| c.name()).collect();
        assert_eq!(comps, ["cognome", "nome"]);
    }

    #[test]
    fn generic_attributes_get_comparisons_and_blocking() {
        let spec = load("[fields.S]\n[fields.G]\n[fields.PC]\n[fields.SUB]\n[fields.ID]\n[link]\nfields = { cognome = \"S\", nome = \"G\", cap = \"PC\", localita = \"SUB\", codice = \"ID\" }\ncomparisons = [{ field = \"cognome\" }, { field = \"cap\", kind = \"exact\" }, { field = \"localita\" }, { field = \"codice\", kind = \"text\" }]\n")
            .unwrap()
            .unwrap();
        let kinds: Vec<(&str, CompKind)> = spec
            .comparisons
            .iter()
            .map(|c| (c.name(), c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("cognome", CompKind::Name),
                ("cap", CompKind::Exact),
                ("localita", CompKind::Text),
                ("codice", CompKind::Text)
            ]
        );
        let rules: Vec<String> = spec
            .blocking
            .iter()
            .map(|r| r.iter().map(|k| k.name()).collect::<Vec<_>>().join("+"))
            .collect();
        assert_eq!(
            rules,
            [
                "cognome+nome",
                "codice",
                "cap+cognome",
                "cap+nome",
                "localita+cognome",
                "localita+nome"
            ]
        );
        let defaults =
            load("[fields.PC]\n[fields.A]\n[link]\nfields = { cap = \"PC\", indirizzo = \"A\" }\n")
                .unwrap()
                .unwrap();
        let comps: Vec<(&str, CompKind)> = defaults
            .comparisons
            .iter()
            .map(|c| (c.name(), c.kind))
            .collect();
        assert_eq!(
            comps,
            [("indirizzo", CompKind::Text), ("cap", CompKind::Code)]
        );
        let err = load("[fields.PC]\n[link]\nfields = { cap = \"PC\" }\ncomparisons = [{ field = \"cap\", kind = \"date\" }]\n")
            .unwrap_err();
        assert!(err.errors[0]
            .message
            .contains("kind `date` cannot compare `cap`"));
    }

    #[test]
    fn errors_point_at_their_span() {
        let text = format!(
            "{FIELDS}[link]\nfields = {{ codice_fiscale = \"CF\", cogome = \"COGNOME\", nome = \"NOMEE\" }}\nblocking = [[\"cognome_fonetico\"]]\ncomparisons = [{{ field = \"nome\", kind = \"date\" }}]\nthresholds = {{ match = 0.4, review = 0.6 }}\n"
        );
        let err = load(&text).unwrap_err();
        let messages: Vec<String> = err.errors.iter().map(|e| e.message.clone()).collect();
        let find = |needle: &str| {
            err.errors
                .iter()
                .find(|e| e.message.contains(needle))
                .unwrap_or_else(|| panic!("no error {needle:?} in {messages:?}"))
        };
        let e = find("unknown person attribute `cogome`");
        assert_eq!(&text[e.span()], "cogome");
        assert!(e
            .help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean `cognome`"));
        let e = find("column `NOMEE` is not declared");
        assert_eq!(&text[e.span()], "\"NOMEE\"");
        let e = find("blocking key `cognome_fonetico` needs an attribute");
        assert_eq!(&text[e.span()], "\"cognome_fonetico\"");
        let e = find("kind `date` cannot compare `nome`");
        assert_eq!(&text[e.span()], "\"date\"");
        find("review threshold must not be above the match threshold");
        assert_eq!(err.errors.len(), 5, "{messages:?}");
    }
}
