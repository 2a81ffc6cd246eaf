//! The tables of the datamart, `links.csv` and the review queue, built from
//! the residents and the linked sources. Rows are produced while they are
//! written: a table of a city's residents is never held in memory.

use foldhash::HashMap;
use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use miette::IntoDiagnostic;
use rayon::prelude::*;

use super::anagrafe::{Cells, IdIndex};
use super::facts::{FamilyFacts, SourceFacts};
use super::fragility::import::Imported;
use super::fragility::{self, AreaCounts};
use super::residents::NO_AREA;
use super::residents::{
    age, age_band, citizenship_group, household_type, isee_band, Resident, Role,
};
use super::source::{parse_amount, parse_date};
use super::sources::Linked;
use crate::geography::register::Register;
use crate::link::spec::{Attr, LinkSpec};
use crate::link::{LinkRow, Status};
use crate::master::datamart::{self, Cell, Table};
use crate::master::links::{self, PROBABILITY_DIGITS, WEIGHT_DIGITS};
use crate::master::model::{columns, Column, Kind, Model};
use crate::master::pseudonym::Pseudonymizer;
use crate::master::review;
use crate::output::write_csv_record;
use crate::rules::Given;
use crate::types::FieldType;
use crate::value::{Value, ValueType};

/// A number as links.csv shows it, so that the datamart and the file agree
/// to the last digit.
fn real(x: Option<f64>, digits: usize) -> Cell<'static> {
    links::rounded(x, digits).map_or(Cell::Null, Cell::Real)
}

/// Descriptions of columns several tables share (the data package's).
pub(super) mod doc {
    /// A resident's pseudonym.
    pub const PERSONA: &str =
        "Pseudonimo della persona (HMAC-SHA256 con chiave): unisce le tabelle";
    /// A family's pseudonym.
    pub const FAMIGLIA: &str = "Pseudonimo della famiglia anagrafica";
    /// A source's name.
    pub const FONTE: &str = "Nome della fonte (come nel progetto)";
    /// A record's row in its file.
    pub const RIGA: &str = "Riga del record nel file consegnato (1 = la prima dopo l'intestazione)";
    /// A quartiere.
    pub const QUARTIERE: &str = "Quartiere di residenza, come lo scrive l'anagrafe";
    /// A family's quartiere.
    pub const QUARTIERE_FAMIGLIA: &str =
        "Quartiere della famiglia: il più frequente tra i componenti";
    /// An area statistica.
    pub const AREA: &str = "Codice dell'area statistica (tabella aree; NULL senza stradario o se l'indirizzo non è collocato)";
    /// A linkage outcome.
    pub const ESITO: &str = "Esito del collegamento all'anagrafe: match, review, unmatched";
}

/// How a column of a source goes into its datamart table.
enum Shape<'a> {
    /// As the file has it (undeclared, `string`, or a type whose values are
    /// codes: codice fiscale, CAP, sex…).
    Text,
    /// Its value's keyed pseudonym (`datamart = "pseudonymise"`).
    Pseudonym,
    /// Parsed with its declared type: integers and booleans (1/0) as
    /// INTEGER, decimals as REAL, dates and date-times in ISO 8601; a value
    /// that does not parse (a finding of the check) is NULL.
    Typed(&'a FieldType, ValueType),
}

impl<'a> Shape<'a> {
    fn of(l: &'a Linked, column: &str) -> Shape<'a> {
        if l.columns.pseudonymise.iter().any(|c| c == column) {
            return Shape::Pseudonym;
        }
        match l.rules.fields.iter().find(|f| f.name == column) {
            Some(f) => match f.field_type.value_type() {
                ValueType::Text => Shape::Text,
                t => Shape::Typed(&f.field_type, t),
            },
            None => Shape::Text,
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Shape::Typed(_, ValueType::Int) => Kind::Integer,
            Shape::Typed(_, ValueType::Bool) => Kind::Boolean,
            Shape::Typed(_, ValueType::Decimal) => Kind::Real,
            Shape::Typed(_, ValueType::Date) => Kind::Date,
            Shape::Typed(_, ValueType::DateTime) => Kind::DateTime,
            _ => Kind::Text,
        }
    }

    /// The column's description: its rule file's, else its name in the
    /// file; a pseudonym says so.
    fn doc(&self, l: &Linked, column: &str) -> String {
        let own = l
            .rules
            .fields
            .iter()
            .find(|f| f.name == column)
            .and_then(|f| f.description.clone())
            .unwrap_or_else(|| format!("Colonna {column} del file consegnato"));
        match self {
            Shape::Pseudonym => format!("{own} (pseudonimo con chiave del valore)"),
            _ => own,
        }
    }

    /// The cell of a trimmed, non-missing value (`None`: missing).
    fn cell<'c>(&self, value: Option<&'c str>, pseudo: &Pseudonymizer) -> Cell<'c> {
        let Some(v) = value else {
            return Cell::Null;
        };
        match self {
            Shape::Text => Cell::text(Some(v)),
            Shape::Pseudonym => Cell::owned(Some(pseudo.value(v))),
            Shape::Typed(ty, _) => match ty.parse(v) {
                Ok(Value::Int(i)) => Cell::Integer(i),
                Ok(Value::Bool(b)) => Cell::Integer(i64::from(b)),
                Ok(Value::Decimal(x)) if x.is_finite() => Cell::Real(x),
                Ok(Value::Date(d)) => Cell::owned(Some(d.format("%Y-%m-%d").to_string())),
                Ok(Value::DateTime(t)) => {
                    Cell::owned(Some(t.format("%Y-%m-%dT%H:%M:%S").to_string()))
                }
                Ok(Value::Text(t)) => Cell::Text(t),
                _ => Cell::Null,
            },
        }
    }
}

/// Where a [`Given`] value is: its column in `l`, or the fixed value.
fn given<'a>(l: &Linked, g: Option<&'a Given>) -> (Option<usize>, Option<&'a str>) {
    match g {
        Some(Given::Column(c)) => (l.raw.col(c), None),
        Some(Given::Fixed(v)) => (None, Some(v.as_str())),
        None => (None, None),
    }
}

/// Everything the tables are built from.
pub(crate) struct Master<'a> {
    pub residents: &'a [Resident],
    pub pseudonyms: &'a [String],
    pub by_id: &'a IdIndex<'a>,
    pub linked: &'a [Linked],
    pub pseudo: &'a Pseudonymizer,
    pub today: NaiveDate,
    /// Per resident, per source: matched records (`residents × sources`).
    per_person: Vec<u32>,
    /// Families by first appearance, members in anagrafe order.
    pub(super) families: Vec<(&'a str, Vec<usize>)>,
    /// Per family, its pseudonym (computed once for its members' rows too).
    pub(super) family_shown: Vec<String>,
    /// Per resident, its family's index in `families` (`u32::MAX`: none).
    pub(super) family_of: Vec<u32>,
    /// The civic-number register, when the project has one.
    register: Option<&'a Register>,
    /// Fragility indicators imported from the project's files.
    imports: &'a [Imported],
    /// The families' facts (IRPEF income, arrears), computed once for
    /// `famiglie` and every level of `fragilita`.
    facts: std::sync::OnceLock<FamilyFacts>,
    /// The `redditi` and `riscossione` sources' facts, computed once for
    /// their tables and for [`FamilyFacts`].
    source_facts: std::sync::OnceLock<SourceFacts>,
    /// Each family's latest ISEE and its source, computed once for
    /// `famiglie` and `fragilita`.
    isee: std::sync::OnceLock<HashMap<&'a str, (f64, &'a str)>>,
}

/// See [`Master::resident_of`].
fn resident_of(residents: &[Resident], by_id: &IdIndex<'_>, r: &LinkRow) -> Option<usize> {
    let id = r.person.as_deref()?;
    match r.resident.map(|i| i as usize) {
        Some(i) if residents.get(i).is_some_and(|x| &*x.id == id) => Some(i),
        _ => by_id.get(id).copied(),
    }
}

/// Where a record's area statistica comes from (`servizi.area_da`).
const AREA_FROM_ADDRESS: &str = "indirizzo";
/// See [`AREA_FROM_ADDRESS`].
const AREA_FROM_RESIDENCE: &str = "residenza";

impl<'a> Master<'a> {
    pub fn new(
        residents: &'a [Resident],
        pseudonyms: &'a [String],
        by_id: &'a IdIndex<'a>,
        linked: &'a [Linked],
        pseudo: &'a Pseudonymizer,
        today: NaiveDate,
    ) -> Master<'a> {
        let n = linked.len();
        let mut per_person = vec![0u32; residents.len() * n];
        for (si, l) in linked.iter().enumerate() {
            for r in l.rows.iter().filter(|r| r.status == Status::Match) {
                if let Some(i) = resident_of(residents, by_id, r) {
                    per_person[i * n + si] += 1;
                }
            }
        }
        let mut index: IdIndex = IdIndex::default();
        let mut families: Vec<(&str, Vec<usize>)> = Vec::new();
        let mut family_of = vec![u32::MAX; residents.len()];
        for (i, r) in residents.iter().enumerate() {
            if let Some(f) = r.family.as_deref() {
                let at = *index.entry(f).or_insert_with(|| {
                    families.push((f, Vec::new()));
                    families.len() - 1
                });
                families[at].1.push(i);
                family_of[i] = at as u32;
            }
        }
        let family_shown = families.par_iter().map(|(f, _)| pseudo.family(f)).collect();
        Master {
            residents,
            pseudonyms,
            by_id,
            linked,
            pseudo,
            today,
            per_person,
            families,
            family_shown,
            family_of,
            register: None,
            imports: &[],
            facts: std::sync::OnceLock::new(),
            source_facts: std::sync::OnceLock::new(),
            isee: std::sync::OnceLock::new(),
        }
    }

    /// The families' facts, computed on first use.
    fn family_facts(&self) -> &FamilyFacts {
        self.facts.get_or_init(|| FamilyFacts::new(self))
    }

    /// See [`SourceFacts`].
    pub(super) fn source_facts(&self) -> &SourceFacts {
        self.source_facts.get_or_init(|| SourceFacts::new(self))
    }

    /// Computes, side by side, what several tables share (the families'
    /// facts and ISEE), so that the thread building the tables one after
    /// the other does not compute it alone.
    pub fn prepare(&self) {
        rayon::join(|| self.family_facts(), || self.isee_by_family());
    }

    /// The same, with fragility indicators imported from files.
    pub fn with_imports(mut self, imports: &'a [Imported]) -> Master<'a> {
        self.imports = imports;
        self
    }

    /// Refuses an imported indicator of an area the run does not know: a
    /// quartiere no resident is in, or an area statistica not in the
    /// register (or any, without one).
    pub fn check_imports(&self) -> miette::Result<()> {
        if self.imports.is_empty() {
            return Ok(());
        }
        let quartieri: std::collections::HashSet<&str> = self
            .residents
            .iter()
            .filter_map(|r| r.area.as_deref())
            .collect();
        for i in self.imports {
            let known = match i.level {
                "area_statistica" => self
                    .register
                    .is_some_and(|r| r.areas().iter().any(|a| a.code == i.row.area)),
                _ => quartieri.contains(i.row.area.as_str()),
            };
            if !known {
                miette::bail!(
                    code = "vaglio::fragility::import",
                    help = if i.level == "area_statistica" {
                        "an area statistica is named by its code in the project's [stradario]"
                    } else {
                        "a quartiere is named as the anagrafe's area column writes it"
                    },
                    "{}, row {}: {} `{}` is not an area of this run",
                    i.file.display(),
                    i.line,
                    i.level,
                    i.row.area
                );
            }
        }
        Ok(())
    }

    /// The same, with the civic-number register that places residents and
    /// records in areas.
    pub fn with_register(mut self, register: Option<&'a Register>) -> Master<'a> {
        self.register = register;
        self
    }

    /// The codes of an area statistica and its zona, and its quartiere's
    /// name.
    fn area_names(&self, area: Option<usize>) -> [Option<&'a str>; 3] {
        match area.and_then(|a| self.register?.hierarchy(a)) {
            Some((a, z, q)) => [Some(&a.code), Some(&z.code), Some(&q.name)],
            None => [None; 3],
        }
    }

    /// A resident's area statistica.
    fn resident_area(&self, i: usize) -> Option<usize> {
        let g = self.residents.get(i)?.geo;
        (g != NO_AREA).then_some(g as usize)
    }

    /// Record `at` of `l`: its own address's area statistica, else its
    /// resident's (`i`), with where it came from.
    fn record_area(
        &self,
        l: &Linked,
        at: usize,
        i: Option<usize>,
    ) -> Option<(usize, &'static str)> {
        l.addresses
            .as_ref()
            .and_then(|a| a.area(at))
            .map(|a| (a, AREA_FROM_ADDRESS))
            .or_else(|| {
                i.and_then(|i| self.resident_area(i))
                    .map(|a| (a, AREA_FROM_RESIDENCE))
            })
    }

    /// `aree`: the register's areas statistiche with their zona and
    /// quartiere (codes and names) and the residents placed in each; empty
    /// without a register.
    pub fn aree(&self) -> Table<'_> {
        let mut residents = vec![0i64; self.register.map_or(0, |r| r.areas().len())];
        for r in self.residents {
            if let Some(n) = residents.get_mut(r.geo as usize) {
                *n += 1;
            }
        }
        let rows = self.register.into_iter().flat_map(move |reg| {
            let residents = residents.clone();
            (0..reg.areas().len()).filter_map(move |a| {
                let (area, zona, quartiere) = reg.hierarchy(a)?;
                Some(vec![
                    Cell::text(Some(area.code.as_str())),
                    Cell::text(Some(area.name.as_str())),
                    Cell::text(Some(zona.code.as_str())),
                    Cell::text(Some(zona.name.as_str())),
                    Cell::text(Some(quartiere.code.as_str())),
                    Cell::text(Some(quartiere.name.as_str())),
                    Cell::Integer(residents[a]),
                ])
            })
        });
        let model = Model::new(
            "aree",
            "Un'area statistica dello stradario, con la zona e il quartiere che la contengono (nessuna riga senza [stradario])",
            columns(&[
                ("area_statistica", Kind::Text, "Codice dell'area statistica"),
                ("nome_area", Kind::Text, "Nome dell'area statistica"),
                ("zona", Kind::Text, "Codice della zona che contiene l'area"),
                ("nome_zona", Kind::Text, "Nome della zona"),
                ("quartiere", Kind::Text, "Codice del quartiere che contiene la zona"),
                ("nome_quartiere", Kind::Text, "Nome del quartiere"),
                (
                    "residenti",
                    Kind::Integer,
                    "Residenti il cui indirizzo è collocato nell'area",
                ),
            ]),
        )
        .key(&["area_statistica"]);
        Table {
            model,
            rows: Box::new(rows),
        }
    }

    /// Families.
    pub fn family_count(&self) -> usize {
        self.families.len()
    }

    fn linked_to(&self, resident: usize, source: usize) -> u32 {
        self.per_person[resident * self.linked.len() + source]
    }

    /// The resident a link names (`match` or `review`): the index the
    /// linkage found, when it is that resident's (a reviewer's decision
    /// names one by identifier), else looked up by identifier.
    pub fn resident_of(&self, r: &LinkRow) -> Option<usize> {
        resident_of(self.residents, self.by_id, r)
    }

    /// The linked person's key as the outputs show it (see
    /// [`Master::person_key`]).
    pub fn linked_key(&self, r: &LinkRow) -> Option<Cow<'a, str>> {
        match self.resident_of(r) {
            Some(i) => Some(Cow::Borrowed(self.pseudonyms[i].as_str())),
            None => self.person_key(r.person.as_deref()),
        }
    }

    /// The person's key as the outputs show it (a resident's pseudonym
    /// borrowed).
    pub fn person_key(&self, id: Option<&str>) -> Option<Cow<'a, str>> {
        id.map(|i| match self.by_id.get(i) {
            Some(&x) => Cow::Borrowed(self.pseudonyms[x].as_str()),
            None => Cow::Owned(self.pseudo.person(i)),
        })
    }

    /// A record key as the outputs show it.
    pub fn record_key<'k>(&self, l: &Linked, key: &'k str) -> Cow<'k, str> {
        if l.columns.key_is_identifying && !l.keys_shown {
            Cow::Owned(self.pseudo.record_key(&l.name, key))
        } else {
            Cow::Borrowed(key)
        }
    }

    /// `individui`: one row per resident.
    pub fn individui(&self) -> Table<'_> {
        let mut cols = columns(&[
            ("persona", Kind::Text, doc::PERSONA),
            ("famiglia", Kind::Text, doc::FAMIGLIA),
            ("sesso", Kind::Text, "Sesso, come lo scrive l'anagrafe"),
            ("anno_nascita", Kind::Integer, "Anno di nascita"),
            (
                "fascia_eta",
                Kind::Text,
                "Fascia d'età alla data dell'esecuzione: 0-2, 3-5, 6-10, 11-13, 14-17, 18-24, poi per decenni fino a 75-84, 85+",
            ),
            (
                "cittadinanza",
                Kind::Text,
                "Cittadinanza dal codice ISTAT: italiana, UE, extra UE (altri codici come scritti)",
            ),
            ("quartiere", Kind::Text, doc::QUARTIERE),
            ("area_statistica", Kind::Text, doc::AREA),
            (
                "zona",
                Kind::Text,
                "Codice della zona dell'area statistica (NULL come area_statistica)",
            ),
        ]);
        for l in self.linked {
            cols.push(Column::new(
                format!("n_{}", l.name),
                Kind::Integer,
                format!(
                    "Record della fonte {} collegati alla persona (esito match)",
                    l.name
                ),
            ));
        }
        let today = self.today;
        let model = Model::new("individui", "Un residente dell'anagrafe", cols)
            .key(&["persona"])
            .refers("famiglia", "famiglie", "famiglia")
            .refers("area_statistica", "aree", "area_statistica")
            .indexed(&["persona", "famiglia"]);
        Table {
            model,
            rows: Box::new(self.residents.iter().enumerate().map(move |(i, r)| {
                let mut row = vec![
                    Cell::text(Some(self.pseudonyms[i].as_str())),
                    Cell::text(
                        self.family_shown
                            .get(self.family_of[i] as usize)
                            .map(String::as_str),
                    ),
                    Cell::text(r.sex.as_deref()),
                    r.birth
                        .map_or(Cell::Null, |b| Cell::Integer(b.year().into())),
                    r.birth.map_or(Cell::Null, |b| {
                        Cell::Text(Cow::Borrowed(age_band(age(b, today))))
                    }),
                    Cell::owned(r.citizenship.as_deref().map(citizenship_group)),
                    Cell::text(r.area.as_deref()),
                ];
                let [area, zona, _] = self.area_names(self.resident_area(i));
                row.extend([Cell::text(area), Cell::text(zona)]);
                row.extend(
                    (0..self.linked.len()).map(|s| Cell::Integer(self.linked_to(i, s).into())),
                );
                row
            })),
        }
    }

    /// The family's ISEE: from the last source (project order) declaring an
    /// ISEE column with a value on a record linked to a member; of its
    /// records, the last by row.
    fn isee_by_family(&self) -> &HashMap<&'a str, (f64, &'a str)> {
        self.isee.get_or_init(|| self.isee_of_families())
    }

    /// See [`Master::isee_by_family`].
    fn isee_of_families(&self) -> HashMap<&'a str, (f64, &'a str)> {
        let mut isee_of: HashMap<&str, (f64, &str)> = HashMap::default();
        for l in self.linked {
            let Some(col) = l.isee else { continue };
            let by_row = l.raw.by_row();
            let mut found: HashMap<&str, f64> = HashMap::default();
            for r in l.rows.iter().filter(|r| r.status == Status::Match) {
                let Some(i) = self.resident_of(r) else {
                    continue;
                };
                let Some(fam) = self.residents[i].family.as_deref() else {
                    continue;
                };
                let Some(v) = by_row
                    .get(r.row)
                    .and_then(|rec| l.raw.cell(rec, Some(col)))
                    .and_then(|t| {
                        parse_amount(&l.rules, l.isee_column.as_deref().unwrap_or(""), t)
                    })
                else {
                    continue;
                };
                // Rows come in order: the last wins.
                found.insert(fam, v);
            }
            for (fam, v) in found {
                isee_of.insert(fam, (v, l.name.as_str()));
            }
        }
        isee_of
    }

    /// The most frequent quartiere among a family's members (ties: first
    /// seen).
    pub(super) fn family_area(&self, members: &[usize]) -> Option<&'a str> {
        self.family_key(members, &|i| self.residents[i].area.as_deref())
    }

    /// The most frequent of the members' `key`s (ties: first member's).
    pub(super) fn family_key(
        &self,
        members: &[usize],
        key: &dyn Fn(usize) -> Option<&'a str>,
    ) -> Option<&'a str> {
        let mut areas: Vec<(&str, usize)> = Vec::new();
        for &i in members {
            if let Some(a) = key(i) {
                match areas.iter_mut().find(|x| x.0 == a) {
                    Some(x) => x.1 += 1,
                    None => areas.push((a, 1)),
                }
            }
        }
        areas
            .iter()
            .enumerate()
            .max_by(|(ia, a), (ib, b)| a.1.cmp(&b.1).then(ib.cmp(ia)))
            .map(|(_, a)| a.0)
    }

    /// `fragilita`: per area (quartiere, by name), the fragility indicators
    /// and the composite index ([`fragility`]).
    pub fn fragilita(&self) -> Table<'_> {
        // The two levels side by side.
        let quartiere = |i: usize| self.residents[i].area.as_deref();
        let area = |i: usize| self.area_names(self.resident_area(i))[0];
        let (mut rows, areas) = rayon::join(
            || self.fragility_at("quartiere", &quartiere),
            || {
                self.register
                    .is_some()
                    .then(|| self.fragility_at("area_statistica", &area))
            },
        );
        rows.extend(areas.into_iter().flatten());
        let model = Model::new(
            "fragilita",
            "Un indicatore di fragilità di un'area, al livello del quartiere o dell'area statistica",
            columns(&[
                ("livello", Kind::Text, "Livello: quartiere o area_statistica"),
                (
                    "area",
                    Kind::Text,
                    "L'area: il quartiere come lo scrive l'anagrafe, o il codice dell'area statistica",
                ),
                (
                    "indicatore",
                    Kind::Text,
                    "Codice dell'indicatore: anziani_soli, indice_vecchiaia, quota_minori, minori_stranieri, famiglie_<fonte>, isee_mediano, isee_sotto_soglia, irpef_mediano, irpef_sotto_soglia, indice_fragilita, o uno importato",
                ),
                ("numeratore", Kind::Real, "Numeratore (NULL se soppresso)"),
                ("denominatore", Kind::Integer, "Denominatore (NULL se soppresso)"),
                (
                    "valore",
                    Kind::Real,
                    "Valore: numeratore / denominatore (× 100 per indice_vecchiaia; la mediana per isee_mediano e irpef_mediano; la media degli z-score per indice_fragilita); NULL se soppresso",
                ),
                (
                    "soppresso",
                    Kind::Boolean,
                    "Vero se i conteggi sono troppo piccoli per essere mostrati (numeratore 1 o 2, o denominatore sotto 3)",
                ),
                (
                    "classe",
                    Kind::Text,
                    "Classe dell'indice composito tra le aree: bassa, medio-bassa, medio-alta, alta (solo indice_fragilita)",
                ),
            ]),
        )
        .key(&["livello", "area", "indicatore"]);
        Table {
            model,
            rows: Box::new(rows.into_iter().map(|(level, r)| {
                vec![
                    Cell::text(Some(level)),
                    Cell::owned(Some(r.area)),
                    Cell::owned(Some(r.code)),
                    r.numerator.map_or(Cell::Null, Cell::Real),
                    r.denominator
                        .map_or(Cell::Null, |d| Cell::Integer(d as i64)),
                    real(r.value, 6),
                    Cell::Integer(i64::from(r.suppressed)),
                    Cell::text(r.class),
                ]
            })),
        }
    }

    /// The fragility indicators of every area of one `level`, a resident's
    /// area being `area_of(i)` and a family's its members' most frequent.
    fn fragility_at(
        &self,
        level: &'static str,
        area_of: &(dyn Fn(usize) -> Option<&'a str> + Sync),
    ) -> Vec<(&'static str, fragility::Indicator)> {
        let services: Vec<usize> = (0..self.linked.len())
            .filter(|&si| self.linked[si].rules.service.is_some())
            .collect();
        let mut areas: std::collections::BTreeMap<&str, AreaCounts> = Default::default();
        let facts = self.family_facts();
        let blank = || AreaCounts {
            reached: vec![0; services.len()],
            irpef: facts.has_income().then(Vec::new),
            ..Default::default()
        };
        let alone: Vec<bool> = (0..self.residents.len())
            .map(|i| {
                self.families
                    .get(self.family_of[i] as usize)
                    .is_some_and(|(_, m)| m.len() == 1)
            })
            .collect();
        for (i, r) in self.residents.iter().enumerate() {
            let Some(a) = area_of(i) else { continue };
            let c = areas.entry(a).or_insert_with(blank);
            c.residents += 1;
            let Some(age) = r.birth.map(|b| age(b, self.today)) else {
                continue;
            };
            if age < 18 {
                c.minors += 1;
                if r.citizenship.as_deref().is_some_and(|x| x != "100") {
                    c.foreign_minors += 1;
                }
            }
            c.aged_0_14 += u64::from(age <= 14);
            c.aged_65 += u64::from(age >= 65);
            if age >= 75 {
                c.aged_75 += 1;
                c.aged_75_alone += u64::from(alone[i]);
            }
        }
        let isee_of = self.isee_by_family();
        for (f, members) in &self.families {
            let Some(a) = self.family_key(members, area_of) else {
                continue;
            };
            let c = areas.entry(a).or_insert_with(blank);
            c.families += 1;
            for (k, &si) in services.iter().enumerate() {
                c.reached[k] += u64::from(members.iter().any(|&i| self.linked_to(i, si) > 0));
            }
            if let Some((isee, _)) = isee_of.get(f) {
                c.isee.push(*isee);
            }
            if let (Some(irpef), Some(v)) = (
                c.irpef.as_mut(),
                members
                    .first()
                    .and_then(|&i| facts.income(self.family_of[i])),
            ) {
                irpef.push(v);
            }
        }
        let names: Vec<&str> = services
            .iter()
            .map(|&si| self.linked[si].name.as_str())
            .collect();
        let areas: Vec<(String, AreaCounts)> =
            areas.into_iter().map(|(a, c)| (a.to_string(), c)).collect();
        let extra: Vec<(&fragility::Indicator, Option<f64>)> = self
            .imports
            .iter()
            .filter(|i| i.level == level && areas.iter().any(|(a, _)| *a == i.row.area))
            .map(|i| (&i.row, i.direction))
            .collect();
        fragility::indicators(&areas, &names, &extra)
            .into_iter()
            .map(|r| (level, r))
            .collect()
    }

    /// `famiglie`: one row per family.
    pub fn famiglie(&self) -> Table<'_> {
        let mut cols = columns(&[
            ("famiglia", Kind::Text, doc::FAMIGLIA),
            ("componenti", Kind::Integer, "Componenti della famiglia"),
            ("minori", Kind::Integer, "Componenti con meno di 18 anni"),
            ("anziani", Kind::Integer, "Componenti con 65 anni o più"),
            ("stranieri", Kind::Integer, "Componenti con cittadinanza non italiana"),
            ("quartiere", Kind::Text, doc::QUARTIERE_FAMIGLIA),
            (
                "area_statistica",
                Kind::Text,
                "Codice dell'area statistica più frequente tra i componenti (NULL senza stradario)",
            ),
            (
                "tipo",
                Kind::Text,
                "Tipo di famiglia: persona sola, anziano solo, coppia senza minori, coppia con minori, monogenitore con minori, altro (NULL senza la relazione di parentela)",
            ),
        ]);
        for l in self.linked {
            cols.push(Column::new(
                format!("raggiunti_{}", l.name),
                Kind::Integer,
                format!(
                    "Componenti con almeno un record collegato nella fonte {}",
                    l.name
                ),
            ));
        }
        cols.extend(columns(&[
            (
                "servizi",
                Kind::Integer,
                "Righe di servizi dei componenti (record collegati delle fonti con sezione [datamart])",
            ),
            (
                "uffici",
                Kind::Integer,
                "Fonti di servizi che raggiungono almeno un componente",
            ),
            (
                "isee",
                Kind::Real,
                "ISEE della famiglia in euro: dal record collegato di un componente nell'ultima fonte che dichiara isee_column",
            ),
            ("isee_fonte", Kind::Text, "La fonte da cui viene isee"),
            (
                "fascia_isee",
                Kind::Text,
                "Fascia ISEE: fino a 9.360, 9.360-15.000, 15.000-25.000, 25.000-40.000, oltre 40.000 (estremi superiori inclusi)",
            ),
        ]));
        let facts = self.family_facts();
        cols.extend(facts.columns());
        let isee_of = self.isee_by_family();
        let today = self.today;
        let model = Model::new("famiglie", "Una famiglia anagrafica", cols)
            .key(&["famiglia"])
            .refers("area_statistica", "aree", "area_statistica")
            .indexed(&["famiglia"]);
        Table {
            model,
            rows: Box::new(self.families.iter().zip(&self.family_shown).map(
                move |((f, members), shown)| {
                    let residents = self.residents;
                    let roles: Vec<(Role, Option<i32>)> = members
                        .iter()
                        .map(|&i| (residents[i].role, residents[i].birth.map(|b| age(b, today))))
                        .collect();
                    let ages: Vec<i32> = roles.iter().filter_map(|r| r.1).collect();
                    let foreign = members
                        .iter()
                        .filter(|&&i| {
                            residents[i]
                                .citizenship
                                .as_deref()
                                .is_some_and(|c| c != "100")
                        })
                        .count();
                    let area = self.family_area(members);
                    let mut row =
                        vec![
                            Cell::text(Some(shown.as_str())),
                            Cell::Integer(members.len() as i64),
                            Cell::Integer(ages.iter().filter(|&&a| a < 18).count() as i64),
                            Cell::Integer(ages.iter().filter(|&&a| a >= 65).count() as i64),
                            Cell::Integer(foreign as i64),
                            Cell::text(area),
                            Cell::text(self.family_key(members, &|i| {
                                self.area_names(self.resident_area(i))[0]
                            })),
                            Cell::text(household_type(&roles)),
                        ];
                    let (mut services, mut offices) = (0u64, 0u64);
                    row.extend((0..self.linked.len()).map(|si| {
                        let linked: Vec<u32> =
                            members.iter().map(|&i| self.linked_to(i, si)).collect();
                        let reached = linked.iter().filter(|&&n| n > 0).count();
                        // Services: what `servizi` holds for the family.
                        if self.linked[si].rules.service.is_some() {
                            services += linked.iter().map(|&n| u64::from(n)).sum::<u64>();
                            offices += u64::from(reached > 0);
                        }
                        Cell::Integer(reached as i64)
                    }));
                    row.push(Cell::Integer(services as i64));
                    row.push(Cell::Integer(offices as i64));
                    let isee = isee_of.get(f);
                    row.push(real(isee.map(|x| x.0), 2));
                    row.push(Cell::text(isee.map(|x| x.1)));
                    row.push(Cell::text(isee.map(|x| isee_band(x.0))));
                    if let Some(&i) = members.first() {
                        row.extend(facts.cells(self.family_of[i]));
                    }
                    row
                },
            )),
        }
    }

    /// `servizi`: one row per record linked to a resident (status `match`)
    /// of every source whose rule file has a `[datamart]` section, in
    /// project and row order: the person, the family, the source and row,
    /// the service's code and description, its dates (ISO), amount, year
    /// (of the start) and the person's quartiere.
    pub fn servizi(&self) -> Table<'_> {
        let rows = self
            .linked
            .iter()
            .filter_map(|l| l.rules.service.as_ref().map(|spec| (l, spec)))
            .flat_map(move |(l, spec)| {
                let by_row = l.raw.by_row();
                let col = |c: &Option<String>| c.as_deref().and_then(|c| l.raw.col(c));
                let (code_col, code_fixed) = given(l, Some(&spec.code));
                let (label_col, label_fixed) = given(l, spec.label.as_ref());
                let (start, end, amount) = (col(&spec.start), col(&spec.end), col(&spec.amount));
                let today = self.today;
                l.rows
                    .iter()
                    .filter(|r| r.status == Status::Match)
                    .filter_map(move |r| {
                        let i = self.resident_of(r)?;
                        let at = by_row.position(r.row)?;
                        let rec = l.raw.records().get(at)?;
                        let cell = |c: Option<usize>| l.raw.cell(rec, c);
                        let date = |c: Option<usize>, name: &Option<String>| {
                            cell(c).and_then(|t| {
                                parse_date(&l.rules, name.as_deref().unwrap_or(""), t, today)
                            })
                        };
                        let code = cell(code_col).or(code_fixed);
                        let label = cell(label_col).or(label_fixed).or(code);
                        let begins = date(start, &spec.start);
                        let ends = date(end, &spec.end);
                        let euros = cell(amount).and_then(|t| {
                            parse_amount(&l.rules, spec.amount.as_deref().unwrap_or(""), t)
                        });
                        let family = self.family_of[i];
                        let mut row = vec![
                            Cell::text(Some(self.pseudonyms[i].as_str())),
                            Cell::text(self.family_shown.get(family as usize).map(String::as_str)),
                            Cell::text(Some(l.name.as_str())),
                            Cell::Integer(r.row as i64),
                            Cell::text(code),
                            Cell::text(label),
                            Cell::owned(begins.map(|d| d.format("%Y-%m-%d").to_string())),
                            Cell::owned(ends.map(|d| d.format("%Y-%m-%d").to_string())),
                            real(euros, 2),
                            begins.map_or(Cell::Null, |d| Cell::Integer(i64::from(d.year()))),
                        ];
                        // The record's own address places it, else its
                        // resident's; the quartiere follows the area.
                        let placed = self.record_area(l, at, Some(i));
                        let [area, zona, quartiere] = self.area_names(placed.map(|p| p.0));
                        let quartiere = match placed {
                            Some((_, AREA_FROM_ADDRESS)) => quartiere,
                            _ => self.residents[i].area.as_deref(),
                        };
                        row.extend([
                            Cell::text(quartiere),
                            Cell::text(area),
                            Cell::text(zona),
                            Cell::text(placed.map(|p| p.1)),
                        ]);
                        Some(row)
                    })
            });
        let model = Model::new(
            "servizi",
            "Un servizio: un record collegato a un residente (esito match) di una fonte con sezione [datamart]",
            columns(&[
                ("persona", Kind::Text, doc::PERSONA),
                ("famiglia", Kind::Text, doc::FAMIGLIA),
                ("fonte", Kind::Text, doc::FONTE),
                ("riga", Kind::Integer, doc::RIGA),
                ("servizio", Kind::Text, "Codice del servizio"),
                (
                    "descrizione",
                    Kind::Text,
                    "Descrizione del servizio (il codice se manca)",
                ),
                ("data_inizio", Kind::Date, "Data di inizio"),
                ("data_fine", Kind::Date, "Data di fine"),
                ("importo", Kind::Real, "Importo in euro"),
                ("anno", Kind::Integer, "Anno della data di inizio"),
                (
                    "quartiere",
                    Kind::Text,
                    "Quartiere: della persona, o dell'indirizzo del record quando lo stradario lo colloca",
                ),
                (
                    "area_statistica",
                    Kind::Text,
                    "Codice dell'area statistica: dell'indirizzo del record quando lo stradario lo colloca, altrimenti della residenza",
                ),
                ("zona", Kind::Text, "Codice della zona, come area_statistica"),
                (
                    "area_da",
                    Kind::Text,
                    "Da dove viene l'area: indirizzo o residenza (NULL senza stradario)",
                ),
            ]),
        )
        .key(&["fonte", "riga"])
        .refers("persona", "individui", "persona")
        .refers("famiglia", "famiglie", "famiglia")
        .refers("area_statistica", "aree", "area_statistica")
        .indexed(&["persona", "famiglia", "servizio"]);
        Table {
            model,
            rows: Box::new(rows),
        }
    }

    /// `collegamenti`: every source record's decision.
    pub fn collegamenti(&self) -> Table<'_> {
        let model = Model::new(
            "collegamenti",
            "Un record di una fonte e l'esito del suo collegamento all'anagrafe",
            columns(&[
                ("fonte", Kind::Text, doc::FONTE),
                ("riga", Kind::Integer, doc::RIGA),
                (
                    "chiave",
                    Kind::Text,
                    "Chiave del record (pseudonimizzata quando la sua colonna identifica una persona)",
                ),
                (
                    "persona",
                    Kind::Text,
                    "Pseudonimo della persona collegata (match) o del miglior candidato (review)",
                ),
                ("esito", Kind::Text, doc::ESITO),
                (
                    "criterio",
                    Kind::Text,
                    "Criterio: il livello deterministico, probabilistic o decision",
                ),
                ("peso", Kind::Real, "Peso del collegamento (bit)"),
                ("probabilita", Kind::Real, "Probabilità del collegamento"),
                ("note", Kind::Text, "Note: cf_of_other_resident, near_tie"),
            ]),
        )
        .key(&["fonte", "riga"])
        .refers("persona", "individui", "persona")
        .indexed(&["persona", "fonte"]);
        Table {
            model,
            rows: Box::new(datamart::counted(
                self.linked.iter().map(|l| l.rows.len()).sum(),
                self.linked.iter().flat_map(move |l| {
                    l.rows.iter().map(move |r| {
                        vec![
                            Cell::text(Some(l.name.as_str())),
                            Cell::Integer(r.row as i64),
                            Cell::Text(self.record_key(l, &r.key)),
                            self.linked_key(r).map_or(Cell::Null, Cell::Text),
                            Cell::text(Some(r.status.name())),
                            Cell::text(Some(r.tier.name())),
                            real(r.weight, WEIGHT_DIGITS),
                            real(r.probability, PROBABILITY_DIGITS),
                            Cell::owned((!r.note.is_empty()).then(|| r.note.to_string())),
                        ]
                    })
                }),
            )),
        }
    }

    /// The table of one source: its records without the identifying
    /// columns, with the person key attached.
    pub fn source_table(&self, l: &'a Linked) -> Table<'_> {
        let kept: Vec<usize> = (0..l.raw.columns().len())
            .filter(|&i| !l.columns.drop.contains(&l.raw.columns()[i]))
            .collect();
        let geo = self.register.is_some();
        let names =
            datamart::source_columns(kept.iter().map(|&i| l.raw.columns()[i].as_str()), geo);
        let shapes: Vec<Shape> = kept
            .iter()
            .map(|&i| Shape::of(l, &l.raw.columns()[i]))
            .collect();
        let lead = columns(&[
            ("riga", Kind::Integer, doc::RIGA),
            (
                "persona",
                Kind::Text,
                "Pseudonimo della persona collegata (solo con esito match)",
            ),
            ("esito", Kind::Text, doc::ESITO),
            (
                "area_statistica",
                Kind::Text,
                "Codice dell'area statistica del record: del suo indirizzo quando lo stradario lo colloca, altrimenti della residenza della persona",
            ),
            (
                "livello_indirizzo",
                Kind::Text,
                "Livello di corrispondenza dell'indirizzo allo stradario: civic, civic_normalised, street, none (NULL senza indirizzo)",
            ),
        ]);
        let lead = &lead[..if geo { 5 } else { 3 }];
        let cols = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| match i.checked_sub(lead.len()) {
                None => Column {
                    name,
                    ..lead[i].clone()
                },
                Some(k) => {
                    let column = kept.get(k).map_or("", |&c| l.raw.columns()[c].as_str());
                    let (kind, doc) = shapes.get(k).map_or((Kind::Text, String::new()), |s| {
                        (s.kind(), s.doc(l, column))
                    });
                    Column::new(name, kind, doc)
                }
            })
            .collect();
        let by_row = super::by_row::ByRow::new(&l.rows, |r: &LinkRow| r.row);
        let what = l
            .rules
            .description
            .clone()
            .unwrap_or_else(|| format!("Un record della fonte {}", l.name));
        let model = Model::new(l.name.clone(), what, cols)
            .key(&["riga"])
            .refers("persona", "individui", "persona")
            .indexed(&["persona"]);
        let model = if geo {
            model.refers("area_statistica", "aree", "area_statistica")
        } else {
            model
        };
        Table {
            model,
            rows: Box::new(l.raw.records().iter().enumerate().map(move |(at, rec)| {
                let link = by_row.get(rec.row);
                let matched = link.filter(|r| r.status == Status::Match);
                let person = matched.and_then(|r| self.linked_key(r));
                let mut row = vec![
                    Cell::Integer(rec.row as i64),
                    person.map_or(Cell::Null, Cell::Text),
                    Cell::text(link.map(|r| r.status.name())),
                ];
                if geo {
                    let resident = matched.and_then(|r| self.resident_of(r));
                    let [area, _, _] =
                        self.area_names(self.record_area(l, at, resident).map(|p| p.0));
                    let level = l.addresses.as_ref().and_then(|a| a.level(at));
                    row.extend([Cell::text(area), Cell::text(level)]);
                }
                row.extend(
                    kept.iter()
                        .zip(&shapes)
                        .map(|(&i, shape)| shape.cell(l.raw.cell(rec, Some(i)), self.pseudo)),
                );
                row
            })),
        }
    }

    /// Writes `links.csv` to `out`, whole; returns `out`.
    pub fn links_csv<W: std::io::Write>(&self, out: W) -> miette::Result<W> {
        let mut w = csv::Writer::from_writer(out);
        write_csv_record(&mut w, links::HEADER).into_diagnostic()?;
        for l in self.linked {
            for r in l.rows.iter() {
                let runner_up = self.person_key(r.runner_up.as_ref().map(|x| x.0.as_str()));
                write_csv_record(
                    &mut w,
                    links::row(
                        &l.name,
                        &self.record_key(l, &r.key),
                        self.linked_key(r).as_deref(),
                        runner_up.as_deref(),
                        r,
                    ),
                )
                .into_diagnostic()?;
            }
        }
        w.into_inner().map_err(|e| miette::miette!("{e}"))
    }

    /// The review queue: header and rows, each pair side by side, masked
    /// unless `show_pii`. `ana` holds the anagrafe's cells the queue shows.
    pub fn queue(
        &self,
        ana: &Cells,
        ana_spec: &LinkSpec,
        show_pii: bool,
    ) -> (Vec<String>, Vec<Vec<String>>) {
        let mut header: Vec<String> = review::QUEUE_HEAD.iter().map(|s| s.to_string()).collect();
        for a in Attr::ALL {
            header.push(format!("{}_fonte", a.name()));
            header.push(format!("{}_anagrafe", a.name()));
        }
        header.push("decision".into());
        let mask = |v: Option<&str>| {
            v.map(|v| crate::privacy::mask(v, show_pii))
                .unwrap_or_default()
        };
        let mut queue = Vec::new();
        for l in self.linked {
            let by_row = l.raw.by_row();
            for r in l.rows.iter().filter(|r| r.status == Status::Review) {
                let rec = by_row.get(r.row);
                let ana_rec = self.resident_of(r);
                let runner_up = r.runner_up.as_ref();
                let mut row = vec![
                    l.name.clone(),
                    r.row.to_string(),
                    self.record_key(l, &r.key).into_owned(),
                    self.linked_key(r).map(Cow::into_owned).unwrap_or_default(),
                    links::number(r.weight, WEIGHT_DIGITS),
                    links::number(r.probability, PROBABILITY_DIGITS),
                    r.note.to_string(),
                    self.person_key(runner_up.map(|x| x.0.as_str()))
                        .map(Cow::into_owned)
                        .unwrap_or_default(),
                    links::number(runner_up.map(|x| x.1), WEIGHT_DIGITS),
                ];
                for a in Attr::ALL {
                    let src = l
                        .spec
                        .column(a)
                        .and_then(|c| rec.and_then(|rec| l.raw.cell(rec, l.raw.col(c))));
                    let ana_v: Option<String> = match (a, ana_spec.column(a)) {
                        (_, Some(c)) => ana_rec.and_then(|x| ana.get(x, c)).map(str::to_string),
                        (Attr::Nominativo, None) if l.spec.column(a).is_some() => {
                            let part = |at: Attr| {
                                ana_spec
                                    .column(at)
                                    .and_then(|c| ana_rec.and_then(|x| ana.get(x, c)))
                            };
                            match (part(Attr::Cognome), part(Attr::Nome)) {
                                (Some(s), Some(n)) => Some(format!("{s} {n}")),
                                (s, n) => s.or(n).map(str::to_string),
                            }
                        }
                        _ => None,
                    };
                    let ana_v = if l.spec.column(a).is_some() {
                        ana_v
                    } else {
                        None
                    };
                    row.push(mask(src));
                    row.push(mask(ana_v.as_deref()));
                }
                row.push(String::new());
                queue.push(row);
            }
        }
        (header, queue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resident(id: &str, family: &str, birth: &str, citizenship: &str, area: &str) -> Resident {
        Resident {
            id: id.into(),
            family: Some(family.into()),
            sex: Some("F".into()),
            birth: NaiveDate::parse_from_str(birth, "%Y-%m-%d").ok(),
            citizenship: Some(citizenship.into()),
            area: Some(area.into()),
            geo: crate::pipeline::residents::NO_AREA,
            role: crate::pipeline::residents::Role::Unknown,
        }
    }

    fn city() -> Vec<Resident> {
        vec![
            resident("1", "A", "1950-05-01", "100", "Navile"),
            resident("2", "B", "2015-01-01", "204", "Savena"),
            resident("3", "A", "2012-03-03", "100", "Savena"),
            resident("4", "A", "1980-07-07", "100", "Savena"),
        ]
    }

    fn rows(t: Table<'_>) -> Vec<Vec<Cell<'_>>> {
        t.rows.collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
    }

    #[test]
    fn families_in_order_of_first_appearance_with_their_counts() {
        let residents = city();
        let shown: Vec<String> = residents.iter().map(|r| r.id.to_string()).collect();
        let by_id: IdIndex = residents
            .iter()
            .enumerate()
            .map(|(i, r)| (&*r.id, i))
            .collect();
        let pseudo = Pseudonymizer::Plain;
        let m = Master::new(&residents, &shown, &by_id, &[], &pseudo, today());
        assert_eq!(m.family_count(), 2);
        let t = m.famiglie();
        let names: Vec<&str> = t.model.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "famiglia",
                "componenti",
                "minori",
                "anziani",
                "stranieri",
                "quartiere",
                "area_statistica",
                "tipo",
                "servizi",
                "uffici",
                "isee",
                "isee_fonte",
                "fascia_isee"
            ]
        );
        let f = rows(t);
        // Family A: three members (one elderly, one minor), mostly in Savena.
        assert_eq!(
            f[0][..6],
            [
                Cell::owned(Some("A".into())),
                Cell::Integer(3),
                Cell::Integer(1),
                Cell::Integer(1),
                Cell::Integer(0),
                Cell::text(Some("Savena")),
            ]
        );
        assert_eq!(
            f[1][1..5],
            [
                Cell::Integer(1),
                Cell::Integer(1),
                Cell::Integer(0),
                Cell::Integer(1)
            ]
        );
        assert_eq!(
            f[0][6..],
            [
                Cell::Null,
                Cell::Null,
                Cell::Integer(0),
                Cell::Integer(0),
                Cell::Null,
                Cell::Null,
                Cell::Null
            ],
            "no relationship column, no source, no ISEE"
        );
    }

    #[test]
    fn individui_show_pseudonyms_and_derived_groups() {
        let residents = city();
        let key = Pseudonymizer::Keyed(b"0123456789abcdef0123456789abcdef".to_vec());
        let shown: Vec<String> = residents.iter().map(|r| key.person(&r.id)).collect();
        let by_id: IdIndex = residents
            .iter()
            .enumerate()
            .map(|(i, r)| (&*r.id, i))
            .collect();
        let m = Master::new(&residents, &shown, &by_id, &[], &key, today());
        let r = rows(m.individui());
        assert_eq!(r.len(), 4);
        assert_eq!(r[1][0], Cell::text(Some(shown[1].as_str())));
        assert_eq!(r[1][1], Cell::owned(Some(key.family("B"))));
        assert_eq!(r[1][3], Cell::Integer(2015));
        assert_eq!(r[1][4], Cell::text(Some(age_band(10))));
        assert_eq!(r[1][5], Cell::owned(Some(citizenship_group("204"))));
        // A resident's key is borrowed; anyone else's is computed.
        assert!(matches!(m.person_key(Some("2")), Some(Cow::Borrowed(k)) if k == shown[1]));
        assert_eq!(
            m.person_key(Some("99")).as_deref(),
            Some(key.person("99").as_str())
        );
        assert_eq!(m.person_key(None), None);
    }

    #[test]
    fn a_links_resident_is_its_index_when_that_residents_else_by_identifier() {
        let residents = city();
        let by_id: IdIndex = residents
            .iter()
            .enumerate()
            .map(|(i, r)| (&*r.id, i))
            .collect();
        let link = |person: Option<&str>, resident: Option<u32>| LinkRow {
            row: 1,
            key: "k".into(),
            person: person.map(str::to_string),
            resident,
            status: Status::Match,
            tier: "cf".into(),
            weight: None,
            probability: None,
            note: Default::default(),
            runner_up: None,
        };
        let at = |person, resident| resident_of(&residents, &by_id, &link(person, resident));
        assert_eq!(at(Some("2"), Some(1)), Some(1));
        // An index that is not that resident's (a decision named another),
        // or none: the identifier decides.
        assert_eq!(at(Some("2"), Some(0)), Some(1));
        assert_eq!(at(Some("2"), Some(99)), Some(1));
        assert_eq!(at(Some("2"), None), Some(1));
        assert_eq!(at(Some("99"), Some(1)), None);
        assert_eq!(at(None, Some(1)), None);
    }
}
