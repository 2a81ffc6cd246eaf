//! The datamart's source-specific facts, from the sources whose rule file
//! has a `[facts]` section ([`FactsSpec`]):
//!
//! | table | one row per | from |
//! |---|---|---|
//! | `redditi` | person and tax year | `kind = "redditi"` (IRPEF): income, net tax, the family's income that year |
//! | `riscossione` | family and service (and year) | `kind = "riscossione"` (billing, by the payer): notices, billed, paid, arrears |
//! | `graduatorie` | family, source and list | `kind = "graduatorie"` (a ranking list, by the applicant): the best position, its score, the applications |
//!
//! and, per family, the columns of `famiglie` ([`FamilyFacts`]): `irpef` and
//! `irpef_anno` (the family's income in the latest tax year), `morosita`
//! (its arrears). Only records linked to a resident (`match`) count, each
//! record key once (an exact duplicate row is not billed or earned twice).
//! A table, or a column of `famiglie`, exists only when some source
//! declares its kind: a project without such sources keeps its datamart as
//! it was.

use std::borrow::Cow;
use std::collections::BTreeMap;

use foldhash::{HashMap, HashSet};

use super::source::parse_amount;
use super::sources::Linked;
use super::tables::{doc, Master};
use crate::link::Status;
use crate::master::datamart::{Cell, Table};
use crate::master::model::{columns, Column, Kind, Model};
use crate::read::Record;
use crate::rules::{FactsSpec, Given};

/// The sources with facts of a kind, with their spec.
fn sources<'m>(
    linked: &'m [Linked],
    table: &'static str,
) -> impl Iterator<Item = (usize, &'m Linked, &'m FactsSpec)> + 'm {
    linked.iter().enumerate().filter_map(move |(si, l)| {
        l.rules
            .facts
            .as_ref()
            .filter(|f| f.table() == table)
            .map(|f| (si, l, f))
    })
}

/// A source's records linked to a resident (`match`), in row order, each
/// record key once: the resident's index and the record.
fn matched<'l>(m: &Master<'_>, l: &'l Linked) -> Vec<(usize, &'l Record)> {
    let by_row = l.raw.by_row();
    let mut keys: HashSet<&str> = HashSet::default();
    l.rows
        .iter()
        .filter(|r| r.status == Status::Match)
        .filter_map(|r| {
            let i = m.resident_of(r)?;
            let rec = by_row.get(r.row)?;
            keys.insert(r.key.as_str()).then_some((i, rec))
        })
        .collect()
}

/// The same records of residents who belong to a family: the family's
/// index, the resident's and the record.
fn by_family<'l>(m: &Master<'_>, l: &'l Linked) -> Vec<(u32, usize, &'l Record)> {
    matched(m, l)
        .into_iter()
        .filter_map(|(i, rec)| {
            let f = m.family_of[i];
            (f != u32::MAX).then_some((f, i, rec))
        })
        .collect()
}

/// The text of a column of a record.
fn text<'r>(l: &Linked, rec: &'r Record, column: &str) -> Option<&'r str> {
    l.raw.cell(rec, l.raw.col(column))
}

/// An amount (euros, with the field's separators).
fn amount(l: &Linked, rec: &Record, column: &str) -> Option<f64> {
    text(l, rec, column).and_then(|t| parse_amount(&l.rules, column, t))
}

/// A whole number (a year, a position).
fn whole(l: &Linked, rec: &Record, column: &str) -> Option<i64> {
    amount(l, rec, column)
        .filter(|x| x.fract() == 0.0 && x.abs() < 1e15)
        .map(|x| x as i64)
}

/// A code: a column's value or the fixed one.
fn code(l: &Linked, rec: &Record, g: &Given) -> Option<String> {
    match g {
        Given::Column(c) => text(l, rec, c).map(str::to_string),
        Given::Fixed(v) => Some(v.clone()),
    }
}

/// Euros to the cent, as the datamart writes amounts.
fn euros(x: Option<f64>) -> Cell<'static> {
    x.map_or(Cell::Null, |x| Cell::Real((x * 100.0).round() / 100.0))
}

/// One person's income in one tax year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Income {
    income: f64,
    tax: Option<f64>,
    records: u32,
}

/// Incomes per (resident, year).
type Incomes = BTreeMap<(usize, i64), Income>;

/// Incomes per (family, year).
type FamilyIncomes = HashMap<(u32, i64), f64>;

/// Incomes per (resident, year), from every `redditi` source.
fn incomes(m: &Master<'_>) -> Option<Incomes> {
    let mut out: Incomes = BTreeMap::new();
    let mut any = false;
    for (_, l, f) in sources(m.linked, "redditi") {
        any = true;
        let FactsSpec::Income { year, income, tax } = f else {
            continue;
        };
        for (i, rec) in matched(m, l) {
            let (Some(y), Some(v)) = (whole(l, rec, year), amount(l, rec, income)) else {
                continue;
            };
            let e = out.entry((i, y)).or_default();
            e.income += v;
            if let Some(t) = tax.as_deref().and_then(|c| amount(l, rec, c)) {
                e.tax = Some(e.tax.unwrap_or(0.0) + t);
            }
            e.records += 1;
        }
    }
    any.then_some(out)
}

/// Per family (index in the master's families), per year: the members'
/// income.
fn family_incomes(m: &Master<'_>, incomes: &Incomes) -> HashMap<(u32, i64), f64> {
    let mut out = HashMap::default();
    for (&(i, y), v) in incomes {
        let f = m.family_of[i];
        if f != u32::MAX {
            *out.entry((f, y)).or_insert(0.0) += v.income;
        }
    }
    out
}

/// What one family was billed for one service and year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Billed {
    notices: u32,
    billed: f64,
    paid: f64,
    arrears: f64,
}

/// Billing per (family, service, year).
type Billing = BTreeMap<(u32, String, Option<i64>), Billed>;

/// Billing per (family, service, year), from every `riscossione` source.
fn billing(m: &Master<'_>) -> Option<Billing> {
    let mut out: Billing = BTreeMap::new();
    let mut any = false;
    for (_, l, f) in sources(m.linked, "riscossione") {
        any = true;
        let FactsSpec::Billing {
            service,
            year,
            billed,
            paid,
        } = f
        else {
            continue;
        };
        for (family, _, rec) in by_family(m, l) {
            let service = code(l, rec, service).unwrap_or_default();
            let year = year.as_deref().and_then(|c| whole(l, rec, c));
            let b = amount(l, rec, billed).unwrap_or(0.0);
            let p = amount(l, rec, paid).unwrap_or(0.0);
            let e = out.entry((family, service, year)).or_default();
            e.notices += 1;
            e.billed += b;
            e.paid += p;
            e.arrears += (b - p).max(0.0);
        }
    }
    any.then_some(out)
}

/// A family's best-placed application in one list.
#[derive(Clone, Debug, PartialEq)]
struct Ranked {
    position: Option<i64>,
    score: Option<f64>,
    applicant: usize,
    applications: u32,
}

/// Applications per (family, source, list), from every `graduatorie`
/// source: the best (lowest) position.
fn rankings(m: &Master<'_>) -> Option<BTreeMap<(u32, usize, String), Ranked>> {
    let mut out: BTreeMap<(u32, usize, String), Ranked> = BTreeMap::new();
    let mut any = false;
    for (si, l, f) in sources(m.linked, "graduatorie") {
        any = true;
        let FactsSpec::Ranking {
            list,
            position,
            score,
        } = f
        else {
            continue;
        };
        for (family, i, rec) in by_family(m, l) {
            let this = Ranked {
                position: whole(l, rec, position),
                score: amount(l, rec, score),
                applicant: i,
                applications: 1,
            };
            let key = (family, si, code(l, rec, list).unwrap_or_default());
            match out.get_mut(&key) {
                None => {
                    out.insert(key, this);
                }
                Some(best) => {
                    best.applications += 1;
                    let rank = |p: Option<i64>| p.unwrap_or(i64::MAX);
                    if rank(this.position) < rank(best.position) {
                        *best = Ranked {
                            applications: best.applications,
                            ..this
                        };
                    }
                }
            }
        }
    }
    any.then_some(out)
}

/// The source-specific fact tables the project's sources call for, in the
/// order `redditi`, `riscossione`, `graduatorie`.
pub(crate) fn tables<'m>(m: &'m Master<'m>) -> Vec<Table<'m>> {
    let mut out = Vec::new();
    let facts = m.source_facts();
    if let Some((incomes, families)) = &facts.incomes {
        let model = Model::new(
            "redditi",
            "Un residente e un anno d'imposta: le sue dichiarazioni IRPEF collegate",
            columns(&[
                ("persona", Kind::Text, doc::PERSONA),
                ("famiglia", Kind::Text, doc::FAMIGLIA),
                ("anno", Kind::Integer, "Anno d'imposta"),
                (
                    "reddito",
                    Kind::Real,
                    "Reddito in euro: la somma del reddito delle dichiarazioni della persona nell'anno (ogni chiave di record una volta)",
                ),
                (
                    "imposta",
                    Kind::Real,
                    "Imposta in euro, sommata allo stesso modo (NULL senza la colonna)",
                ),
                ("dichiarazioni", Kind::Integer, "Dichiarazioni sommate"),
                (
                    "reddito_famiglia",
                    Kind::Real,
                    "Reddito in euro dei componenti della famiglia nell'anno, la persona compresa",
                ),
                ("quartiere", Kind::Text, doc::QUARTIERE),
            ]),
        )
        .key(&["persona", "anno"])
        .refers("persona", "individui", "persona")
        .refers("famiglia", "famiglie", "famiglia")
        .indexed(&["persona", "famiglia"]);
        out.push(Table {
            model,
            rows: Box::new(incomes.iter().map(move |(&(i, y), v)| {
                let f = m.family_of[i];
                vec![
                    Cell::text(Some(m.pseudonyms[i].as_str())),
                    Cell::text(m.family_shown.get(f as usize).map(String::as_str)),
                    Cell::Integer(y),
                    euros(Some(v.income)),
                    euros(v.tax),
                    Cell::Integer(i64::from(v.records)),
                    euros(families.get(&(f, y)).copied()),
                    Cell::text(m.residents[i].area.as_deref()),
                ]
            })),
        });
    }
    if let Some(billing) = &facts.billing {
        let model = Model::new(
            "riscossione",
            "Una famiglia (quella del pagatore), un servizio e un anno di riscossione",
            columns(&[
                (
                    "famiglia",
                    Kind::Text,
                    "Pseudonimo della famiglia del pagatore (la persona a cui si collega l'avviso)",
                ),
                ("servizio", Kind::Text, "Codice del servizio"),
                ("anno", Kind::Integer, "Anno (NULL senza la colonna)"),
                (
                    "avvisi",
                    Kind::Integer,
                    "Avvisi di pagamento collegati a un componente (ogni chiave di record una volta)",
                ),
                ("emesso", Kind::Real, "Euro emessi"),
                ("pagato", Kind::Real, "Euro pagati (un importo mancante vale 0)"),
                (
                    "morosita",
                    Kind::Real,
                    "Morosità in euro: la somma di emesso e non pagato, mai sotto 0 per avviso",
                ),
                ("quartiere", Kind::Text, doc::QUARTIERE_FAMIGLIA),
            ]),
        )
        .key(&["famiglia", "servizio", "anno"])
        .refers("famiglia", "famiglie", "famiglia")
        .indexed(&["famiglia", "servizio"]);
        out.push(Table {
            model,
            rows: Box::new(billing.iter().map(move |((f, service, year), b)| {
                let f = *f;
                vec![
                    Cell::text(m.family_shown.get(f as usize).map(String::as_str)),
                    Cell::text(Some(service.as_str())),
                    year.map_or(Cell::Null, Cell::Integer),
                    Cell::Integer(i64::from(b.notices)),
                    euros(Some(b.billed)),
                    euros(Some(b.paid)),
                    euros(Some(b.arrears)),
                    Cell::text(
                        m.families
                            .get(f as usize)
                            .and_then(|(_, members)| m.family_area(members)),
                    ),
                ]
            })),
        });
    }
    if let Some(rankings) = rankings(m) {
        let model = Model::new(
            "graduatorie",
            "Una famiglia in una graduatoria di una fonte (la sua domanda meglio piazzata)",
            columns(&[
                (
                    "famiglia",
                    Kind::Text,
                    "Pseudonimo della famiglia del richiedente",
                ),
                (
                    "persona",
                    Kind::Text,
                    "Pseudonimo del richiedente della domanda meglio piazzata",
                ),
                ("fonte", Kind::Text, doc::FONTE),
                ("graduatoria", Kind::Text, "La graduatoria o il bando"),
                (
                    "posizione",
                    Kind::Integer,
                    "La migliore (più bassa) posizione delle domande della famiglia",
                ),
                (
                    "punteggio",
                    Kind::Real,
                    "Il punteggio di quella domanda, come consegnato",
                ),
                (
                    "domande",
                    Kind::Integer,
                    "Domande collegate della famiglia nella graduatoria",
                ),
                ("quartiere", Kind::Text, doc::QUARTIERE_FAMIGLIA),
            ]),
        )
        .key(&["famiglia", "fonte", "graduatoria"])
        .refers("famiglia", "famiglie", "famiglia")
        .refers("persona", "individui", "persona")
        .indexed(&["famiglia", "persona"]);
        out.push(Table {
            model,
            rows: Box::new(rankings.into_iter().map(move |((f, si, list), r)| {
                vec![
                    Cell::text(m.family_shown.get(f as usize).map(String::as_str)),
                    Cell::text(Some(m.pseudonyms[r.applicant].as_str())),
                    Cell::text(m.linked.get(si).map(|l| l.name.as_str())),
                    Cell::Text(Cow::Owned(list)),
                    r.position.map_or(Cell::Null, Cell::Integer),
                    r.score.map_or(Cell::Null, Cell::Real),
                    Cell::Integer(i64::from(r.applications)),
                    Cell::text(
                        m.families
                            .get(f as usize)
                            .and_then(|(_, members)| m.family_area(members)),
                    ),
                ]
            })),
        });
    }
    out
}

/// What the `redditi` and `riscossione` sources say, computed once (the two
/// side by side) for their own tables and for `famiglie`'s columns.
#[derive(Debug, Default)]
pub(crate) struct SourceFacts {
    /// With a `redditi` source: incomes per (resident, year), and per
    /// (family, year).
    incomes: Option<(Incomes, FamilyIncomes)>,
    /// With a `riscossione` source: billing per (family, service, year).
    billing: Option<Billing>,
}

impl SourceFacts {
    /// The facts of the master's sources.
    pub fn new(m: &Master<'_>) -> SourceFacts {
        let (incomes, billing) = rayon::join(
            || {
                incomes(m).map(|incomes| {
                    let families = family_incomes(m, &incomes);
                    (incomes, families)
                })
            },
            || billing(m),
        );
        SourceFacts { incomes, billing }
    }
}

/// The facts `famiglie` shows per family: its IRPEF income in the latest
/// tax year of the `redditi` sources, and its arrears.
#[derive(Clone, Debug, Default)]
pub(crate) struct FamilyFacts {
    /// With a `redditi` source: the latest tax year, and per family (index)
    /// its members' income that year.
    income: Option<(Option<i64>, HashMap<u32, f64>)>,
    /// With a `riscossione` source: per family, its arrears.
    arrears: Option<HashMap<u32, f64>>,
}

impl FamilyFacts {
    /// The facts of every family of the master.
    pub fn new(m: &Master<'_>) -> FamilyFacts {
        let facts = m.source_facts();
        let income = facts.incomes.as_ref().map(|(incomes, families)| {
            let latest = incomes.keys().map(|k| k.1).max();
            let by_family = families
                .iter()
                .filter(|((_, y), _)| Some(*y) == latest)
                .map(|(&(f, _), &v)| (f, v))
                .collect();
            (latest, by_family)
        });
        let arrears = facts.billing.as_ref().map(|b| {
            let mut out: HashMap<u32, f64> = HashMap::default();
            for ((f, _, _), v) in b {
                *out.entry(*f).or_insert(0.0) += v.arrears;
            }
            out
        });
        FamilyFacts { income, arrears }
    }

    /// Whether a `redditi` source is in the project.
    pub fn has_income(&self) -> bool {
        self.income.is_some()
    }

    /// A family's income in the latest tax year (none without a member's
    /// record that year).
    pub fn income(&self, family: u32) -> Option<f64> {
        self.income
            .as_ref()
            .and_then(|(_, m)| m.get(&family).copied())
    }

    /// The columns it adds to `famiglie`.
    pub fn columns(&self) -> Vec<Column> {
        let mut out = Vec::new();
        if self.income.is_some() {
            out.extend(columns(&[
                (
                    "irpef",
                    Kind::Real,
                    "Reddito IRPEF della famiglia in euro: la somma del reddito dei componenti nell'ultimo anno d'imposta dei dati (NULL se nessun componente ha una dichiarazione quell'anno)",
                ),
                ("irpef_anno", Kind::Integer, "L'anno d'imposta di irpef"),
            ]));
        }
        if self.arrears.is_some() {
            out.extend(columns(&[(
                "morosita",
                Kind::Real,
                "Morosità della famiglia in euro: emesso e non pagato, tutti i servizi e gli anni (NULL se non le è stato emesso nulla)",
            )]));
        }
        out
    }

    /// A family's cells of those columns.
    pub fn cells(&self, family: u32) -> Vec<Cell<'static>> {
        let mut out = Vec::new();
        if let Some((latest, _)) = &self.income {
            let v = self.income(family);
            out.push(euros(v));
            out.push(match (v, latest) {
                (Some(_), Some(y)) => Cell::Integer(*y),
                _ => Cell::Null,
            });
        }
        if let Some(a) = &self.arrears {
            out.push(euros(a.get(&family).copied()));
        }
        out
    }
}
