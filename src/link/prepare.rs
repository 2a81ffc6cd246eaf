//! Normalised person records: read once, folded once. Names are interned
//! (one [`NameInfo`] per distinct normalised name, shared by the anagrafe
//! and the extract), so that comparisons and caches work on small ids.

use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::spec::{Attr, LinkSpec};
use crate::identity::codice_fiscale::{self, CfClass, Sex};
use crate::identity::names;
use crate::read::{Record, Table};
use crate::rules::RuleSet;
use crate::types::FieldType;
use crate::value::Value;

/// No name.
pub const NONE: u32 = u32::MAX;

/// A distinct normalised name with what comparisons need of it.
#[derive(Clone, Debug)]
pub struct NameInfo {
    /// Normalised (`MARIA GRAZIA`, `DELUCA`).
    pub norm: String,
    /// Parts glued (`MARIAGRAZIA`).
    pub joined: String,
    /// Without leading particles, glued.
    pub core: String,
    /// The words.
    pub words: Vec<String>,
    /// Phonetic key.
    pub phonetic: String,
    /// CF characters 1–3 if this is a surname.
    pub surname_code: [u8; 3],
    /// CF characters 4–6 if this is a given name.
    pub name_code: [u8; 3],
    /// Per word, its known spellings (empty when it has none).
    pub variants: Vec<Vec<&'static str>>,
}

fn code3(s: String) -> [u8; 3] {
    let b = s.as_bytes();
    let mut out = [b'X'; 3];
    for (o, c) in out.iter_mut().zip(b) {
        *o = *c;
    }
    out
}

/// The interned names, and the interned values of generic attributes.
#[derive(Clone, Debug, Default)]
pub struct NameTable {
    /// By id.
    pub infos: Vec<NameInfo>,
    map: HashMap<String, u32, foldhash::fast::FixedState>,
    /// Values of generic attributes, normalised, by id.
    pub texts: Vec<String>,
    text_map: HashMap<String, u32, foldhash::fast::FixedState>,
}

/// A generic text value, normalised: folded to ASCII, upper case, every run
/// of other characters than letters and digits one space (`12 Via
/// dell'Olmo,` → `12 VIA DELL OLMO`).
pub fn normalize_text(s: &str) -> String {
    let folded = deunicode::deunicode(s).to_ascii_uppercase();
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A generic code, normalised: folded to ASCII, upper case, letters and
/// digits only (`40 121` → `40121`, `ab-12` → `AB12`).
pub fn normalize_code(s: &str) -> String {
    deunicode::deunicode(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl NameTable {
    /// The id of a normalised generic value, adding it if new.
    pub fn intern_text(&mut self, norm: &str) -> u32 {
        if norm.is_empty() {
            return NONE;
        }
        if let Some(&id) = self.text_map.get(norm) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(norm.to_string());
        self.text_map.insert(norm.to_string(), id);
        id
    }

    /// The generic value `id` (`None` for [`NONE`]).
    pub fn text(&self, id: u32) -> Option<&str> {
        self.texts.get(id as usize).map(String::as_str)
    }

    /// The id of a normalised name, adding it if new.
    pub fn intern(&mut self, norm: &str) -> u32 {
        if norm.is_empty() {
            return NONE;
        }
        if let Some(&id) = self.map.get(norm) {
            return id;
        }
        let words: Vec<String> = norm.split(' ').map(str::to_string).collect();
        let info = NameInfo {
            norm: norm.to_string(),
            joined: words.concat(),
            core: names::name_core(norm),
            phonetic: names::phonetic_key(norm),
            surname_code: code3(codice_fiscale::surname_code(norm)),
            name_code: code3(codice_fiscale::name_code(norm)),
            variants: words.iter().map(|w| names::known_variants(w)).collect(),
            words,
        };
        let id = self.infos.len() as u32;
        self.infos.push(info);
        self.map.insert(norm.to_string(), id);
        id
    }

    /// The info of `id` (`None` for [`NONE`]).
    pub fn get(&self, id: u32) -> Option<&NameInfo> {
        self.infos.get(id as usize)
    }
}

/// A codice fiscale as far as linkage is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CfValue {
    /// Missing, placeholder, provisional or unusable.
    None,
    /// A valid personal code with its base form.
    Valid {
        /// As written (normalised).
        code: [u8; 16],
        /// Base form.
        base: [u8; 16],
    },
    /// 16 characters that are not a valid code (a typo).
    Raw([u8; 16]),
}

impl CfValue {
    /// The code as written, when there are 16 characters.
    pub fn text(&self) -> Option<&[u8; 16]> {
        match self {
            CfValue::None => None,
            CfValue::Valid { code, .. } => Some(code),
            CfValue::Raw(r) => Some(r),
        }
    }

    /// The base form of a valid code.
    pub fn base(&self) -> Option<&[u8; 16]> {
        match self {
            CfValue::Valid { base, .. } => Some(base),
            _ => None,
        }
    }
}

/// A date as `YYYYMMDD` bytes.
pub fn date_bytes(d: NaiveDate) -> [u8; 8] {
    use chrono::Datelike;
    let y = d.year().clamp(0, 9999) as u32;
    let (m, day) = (d.month(), d.day());
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        m / 10,
        m % 10,
        day / 10,
        day % 10,
    ];
    digits.map(|x| b'0' + x as u8)
}

/// One person record, normalised.
#[derive(Clone, Debug)]
pub struct Person {
    /// 1-based data row.
    pub row: u64,
    /// The record key (the anagrafe's person id for residents).
    pub key: Box<str>,
    /// Codice fiscale.
    pub cf: CfValue,
    /// (surname, name) ids; several readings for a `nominativo` column
    /// (`DE LUCA MARIA GRAZIA` may split after any word), the first being the
    /// default. Never empty.
    pub splits: Splits,
    /// Birth date.
    pub birth: Option<NaiveDate>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Place of birth (Belfiore code).
    pub place: Option<[u8; 4]>,
    /// The generic attributes' values (ids in [`NameTable::texts`], [`NONE`]
    /// when missing), in the order of [`Attr::GENERIC`].
    pub extra: [u32; 6],
}

/// A person's readings of (surname, name) ids, the default one held inline:
/// comparing a pair reads a resident's default reading, and one pointer
/// less to follow is one cache miss less per pair. Never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splits {
    first: (u32, u32),
    rest: Box<[(u32, u32)]>,
}

impl Splits {
    /// One reading.
    pub fn one(surname: u32, name: u32) -> Splits {
        Splits {
            first: (surname, name),
            rest: Box::default(),
        }
    }

    /// How many readings (at least one).
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// Never: there is always a default reading.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Reading `i`.
    pub fn get(&self, i: usize) -> Option<&(u32, u32)> {
        match i {
            0 => Some(&self.first),
            _ => self.rest.get(i - 1),
        }
    }

    /// The readings, the default first.
    pub fn iter(&self) -> impl Iterator<Item = &(u32, u32)> + '_ {
        std::iter::once(&self.first).chain(self.rest.iter())
    }
}

impl std::ops::Index<usize> for Splits {
    type Output = (u32, u32);

    fn index(&self, i: usize) -> &(u32, u32) {
        match i {
            0 => &self.first,
            _ => &self.rest[i - 1],
        }
    }
}

impl From<Vec<(u32, u32)>> for Splits {
    /// The readings in order; none gives one reading of missing names.
    fn from(v: Vec<(u32, u32)>) -> Splits {
        let mut it = v.into_iter();
        let first = it.next().unwrap_or((NONE, NONE));
        Splits {
            first,
            rest: it.collect(),
        }
    }
}

impl Person {
    /// The value id of a generic attribute ([`NONE`] when missing or not
    /// generic).
    pub fn generic(&self, attr: Attr) -> u32 {
        attr.generic_slot().map_or(NONE, |i| self.extra[i])
    }

    /// Default surname id.
    pub fn surname(&self) -> u32 {
        self.splits.first.0
    }
    /// Default name id.
    pub fn name(&self) -> u32 {
        self.splits.first.1
    }
}

/// A column layout problem.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{file}: column `{column}` (mapped to `{attr}` in the [link] section of {rules}) is not in the file")]
#[diagnostic(code(vaglio::link::column), help("the file's columns are: {columns}"))]
pub struct MissingColumn {
    /// The data file.
    pub file: String,
    /// The rule file.
    pub rules: String,
    /// The column.
    pub column: String,
    /// The attribute.
    pub attr: String,
    /// The columns present.
    pub columns: String,
}

struct Raw {
    row: u64,
    key: String,
    cf: CfValue,
    splits: Vec<(String, String)>,
    birth: Option<NaiveDate>,
    sex: Option<Sex>,
    place: Option<[u8; 4]>,
    extra: [String; 6],
}

struct Layout {
    cols: foldhash::HashMap<Attr, usize>,
    key: Vec<usize>,
    date_type: Option<FieldType>,
    missing: Vec<String>,
    reference: NaiveDate,
}

fn cell<'a>(rec: &'a Record, i: usize, missing: &[String]) -> Option<&'a str> {
    let s = rec.fields.get(i)?.trim();
    if s.is_empty() || missing.iter().any(|m| m.eq_ignore_ascii_case(s)) {
        None
    } else {
        Some(s)
    }
}

/// The CF of a cell.
pub fn cf_value(s: &str, reference: NaiveDate) -> CfValue {
    match codice_fiscale::classify(s, reference) {
        CfClass::Personal(d) => CfValue::Valid {
            code: *d.code.as_bytes(),
            base: *d.base.as_bytes(),
        },
        CfClass::Malformed(_) => {
            let n = codice_fiscale::normalize(s);
            let b = n.as_bytes();
            if b.len() == 16 && b.iter().all(u8::is_ascii_alphanumeric) {
                let mut r = [0u8; 16];
                r.copy_from_slice(b);
                CfValue::Raw(r)
            } else {
                CfValue::None
            }
        }
        _ => CfValue::None,
    }
}

/// The readings of a `nominativo`: split after each of the first three
/// words.
pub fn nominativo_splits(s: &str) -> Vec<(String, String)> {
    let words = names::name_parts(s);
    if words.is_empty() {
        return Vec::new();
    }
    if words.len() == 1 {
        return vec![(words[0].clone(), String::new())];
    }
    (1..words.len().min(4))
        .map(|k| (words[..k].join(" "), words[k..].join(" ")))
        .collect()
}

fn raw(rec: &Record, l: &Layout) -> Raw {
    let get = |a: Attr| l.cols.get(&a).and_then(|&i| cell(rec, i, &l.missing));
    let key = if l.key.is_empty() {
        rec.row.to_string()
    } else {
        l.key
            .iter()
            .map(|&i| rec.fields.get(i).unwrap_or("").trim())
            .collect::<Vec<_>>()
            .join("|")
    };
    let cf = get(Attr::CodiceFiscale).map_or(CfValue::None, |s| cf_value(s, l.reference));
    let splits = if let Some(s) = get(Attr::Nominativo) {
        nominativo_splits(s)
    } else {
        let sn = get(Attr::Cognome)
            .map(names::normalize_name)
            .unwrap_or_default();
        let nn = get(Attr::Nome)
            .map(names::normalize_name)
            .unwrap_or_default();
        vec![(sn, nn)]
    };
    let birth = get(Attr::DataNascita).and_then(|s| match &l.date_type {
        Some(t) => match t.parse(s) {
            Ok(Value::Date(d)) => Some(d),
            _ => crate::identity::dates::parse_date(s, l.reference).ok(),
        },
        None => crate::identity::dates::parse_date(s, l.reference).ok(),
    });
    let sex = get(Attr::Sesso).and_then(Sex::parse);
    let place = get(Attr::LuogoNascita).and_then(|s| {
        let b = s.trim().to_ascii_uppercase().into_bytes();
        (b.len() == 4).then(|| [b[0], b[1], b[2], b[3]])
    });
    let extra = Attr::GENERIC.map(|a| match get(a) {
        Some(s) if a.is_code() => normalize_code(s),
        Some(s) => normalize_text(s),
        None => String::new(),
    });
    Raw {
        row: rec.row,
        key,
        cf,
        splits,
        birth,
        sex,
        place,
        extra,
    }
}

/// The person records of `data` (a file described by `rules` and `spec`),
/// names interned into `table`. `key_column` overrides the rule file's key
/// (the anagrafe's person id).
pub fn people(
    data: &Table,
    rules: &RuleSet,
    spec: &LinkSpec,
    key_column: Option<&str>,
    reference: NaiveDate,
    table: &mut NameTable,
) -> miette::Result<Vec<Person>> {
    let path = &data.path;
    let header = &data.header.columns;
    let find = |c: &str| header.iter().position(|h| h == c);
    let mut cols = foldhash::HashMap::default();
    for (attr, col) in &spec.fields {
        match find(col) {
            Some(i) => {
                cols.insert(*attr, i);
            }
            None => {
                return Err(MissingColumn {
                    file: path.display().to_string(),
                    rules: rules.path.display().to_string(),
                    column: col.clone(),
                    attr: attr.name().to_string(),
                    columns: header.join(", "),
                }
                .into())
            }
        }
    }
    let key_cols: Vec<String> = match key_column {
        Some(k) => vec![k.to_string()],
        None => rules.input.key.clone(),
    };
    let mut key = Vec::new();
    for k in &key_cols {
        match find(k) {
            Some(i) => key.push(i),
            None => {
                return Err(MissingColumn {
                    file: path.display().to_string(),
                    rules: rules.path.display().to_string(),
                    column: k.clone(),
                    attr: "key".into(),
                    columns: header.join(", "),
                }
                .into())
            }
        }
    }
    let date_type = spec.column(Attr::DataNascita).and_then(|c| {
        rules
            .fields
            .iter()
            .find(|f| f.name == c)
            .map(|f| f.field_type.clone())
            .filter(|t| matches!(t, FieldType::Date { .. }))
    });
    let missing = rules.input.missing_or_default();
    let layout = Layout {
        cols,
        key,
        date_type,
        missing,
        reference,
    };
    let mut out = Vec::with_capacity(data.records.len());
    for chunk in data.records.chunks(16_384) {
        let raws: Vec<Raw> = chunk.par_iter().map(|r| raw(r, &layout)).collect();
        for r in raws {
            let mut splits: Vec<(u32, u32)> = r
                .splits
                .iter()
                .map(|(s, n)| (table.intern(s), table.intern(n)))
                .collect();
            if splits.is_empty() {
                splits.push((NONE, NONE));
            }
            let extra = r.extra.each_ref().map(|t| table.intern_text(t));
            out.push(Person {
                extra,
                row: r.row,
                key: r.key.into(),
                cf: r.cf,
                splits: splits.into(),
                birth: r.birth,
                sex: r.sex,
                place: r.place,
            });
        }
    }
    Ok(out)
}
