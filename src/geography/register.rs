//! The civic-number register (*stradario*): every house number of the city
//! with its street, CAP and areas (area statistica → zona → quartiere), read
//! from a [`Table`] through a [`RegisterColumns`] mapping, checked for
//! consistency, and indexed for [`crate::geography::matching`].
//!
//! One row per house number. A street is its code (Bologna's `CODVIA`),
//! with one DUG and one name; an area statistica belongs to one zona, a zona
//! to one quartiere. What contradicts that — a house number twice, a street
//! code with two names, two codes for one street, an area in two zone — is
//! refused with the rows that disagree ([`RegisterError`]).

use std::collections::HashMap;
use std::path::PathBuf;

use foldhash::fast::FixedState;

use super::normalize::{compact, suffix_code, typo_bound, CivicKey, StreetKeys};
use crate::identity::address::{expand_dug, parse_house_number};
use crate::read::Table;

/// The register's column names. The defaults are the demo's `stradario.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterColumns {
    /// Street code (`CODVIA`).
    pub street_code: String,
    /// Street type, an ANPR DUG or its abbreviation (`DUG`).
    pub dug: String,
    /// Street name without the DUG (`DENOMINAZIONE`).
    pub street_name: String,
    /// House number (`CIVICO`): the number alone when [`Self::suffix`] is
    /// named, else the whole house number (`12/A`).
    pub civic: String,
    /// The house number's suffix (`ESPONENTE`: `A`, `2`, `BIS`), if a
    /// column of its own.
    pub suffix: Option<String>,
    /// CAP (`CAP`).
    pub cap: Option<String>,
    /// Area statistica: code and name (`COD_AREA`, `AREA_STATISTICA`).
    pub area_code: String,
    /// See [`Self::area_code`].
    pub area_name: String,
    /// Zona: code and name (`COD_ZONA`, `ZONA`).
    pub zona_code: String,
    /// See [`Self::zona_code`].
    pub zona_name: String,
    /// Quartiere: code and name (`COD_QUARTIERE`, `QUARTIERE`).
    pub quartiere_code: String,
    /// See [`Self::quartiere_code`].
    pub quartiere_name: String,
    /// Coordinates, WGS 84 decimal degrees (`LONGITUDINE`, `LATITUDINE`);
    /// both named or neither.
    pub coordinates: Option<(String, String)>,
}

impl Default for RegisterColumns {
    fn default() -> RegisterColumns {
        let s = |x: &str| x.to_owned();
        RegisterColumns {
            street_code: s("CODVIA"),
            dug: s("DUG"),
            street_name: s("DENOMINAZIONE"),
            civic: s("CIVICO"),
            suffix: Some(s("ESPONENTE")),
            cap: Some(s("CAP")),
            area_code: s("COD_AREA"),
            area_name: s("AREA_STATISTICA"),
            zona_code: s("COD_ZONA"),
            zona_name: s("ZONA"),
            quartiere_code: s("COD_QUARTIERE"),
            quartiere_name: s("QUARTIERE"),
            coordinates: Some((s("LONGITUDINE"), s("LATITUDINE"))),
        }
    }
}

/// Why a register cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RegisterError {
    /// A mapped column is not in the file.
    #[error("{path}: the register has no column `{column}`")]
    #[diagnostic(
        code(vaglio::geography::column),
        help("name the register's columns in its mapping (defaults: CODVIA, DUG, DENOMINAZIONE, CIVICO, ESPONENTE, CAP, COD_AREA, AREA_STATISTICA, COD_ZONA, ZONA, COD_QUARTIERE, QUARTIERE, LONGITUDINE, LATITUDINE)")
    )]
    MissingColumn {
        /// The register's file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// The register has no rows.
    #[error("{path}: the register has no house numbers")]
    #[diagnostic(code(vaglio::geography::empty))]
    Empty {
        /// The register's file.
        path: PathBuf,
    },
    /// A value is missing or cannot be read.
    #[error("{path}, row {row}: {column} {why}")]
    #[diagnostic(code(vaglio::geography::value))]
    BadValue {
        /// The register's file.
        path: PathBuf,
        /// Data row (1 = first after the header).
        row: u64,
        /// The column.
        column: String,
        /// What is wrong, with the value (a register holds no personal data).
        why: String,
    },
    /// A house number listed twice.
    #[error(
        "{path}, row {row}: house number {civic} of street {street} is already on row {first_row}"
    )]
    #[diagnostic(
        code(vaglio::geography::duplicate_civic),
        help("a register lists each house number once (a suffix such as 12/A is a house number of its own)")
    )]
    DuplicateCivic {
        /// The register's file.
        path: PathBuf,
        /// The second row.
        row: u64,
        /// The first row.
        first_row: u64,
        /// The street code.
        street: String,
        /// The house number, canonical (`12/A`).
        civic: String,
    },
    /// Two rows disagree about a street, an area, a zona or a quartiere.
    #[error("{path}, row {row}: {subject} is `{this}` here but `{first}` on row {first_row}")]
    #[diagnostic(
        code(vaglio::geography::inconsistent),
        help("a street code has one DUG and name; an area statistica one name and zona; a zona one name and quartiere; a quartiere one name")
    )]
    Inconsistent {
        /// The register's file.
        path: PathBuf,
        /// The row that disagrees.
        row: u64,
        /// The earlier row.
        first_row: u64,
        /// `street`, `area statistica`, `zona` or `quartiere`, and its
        /// code (`zona 31`).
        subject: String,
        /// What this row says.
        this: String,
        /// What the earlier row said.
        first: String,
    },
    /// Two street codes for one DUG and name.
    #[error("{path}, row {row}: street {code} ({name}) has the DUG and name of street {other}")]
    #[diagnostic(
        code(vaglio::geography::duplicate_street),
        help("one street, one code: an address naming it could not tell the two apart")
    )]
    DuplicateStreet {
        /// The register's file.
        path: PathBuf,
        /// The row of the second code.
        row: u64,
        /// The second code.
        code: String,
        /// DUG and name.
        name: String,
        /// The first code.
        other: String,
    },
}

/// A street of the register.
#[derive(Clone, Debug, PartialEq)]
pub struct Street {
    /// Its code (`CODVIA`).
    pub code: String,
    /// The DUG, expanded (`VIA`, `PIAZZA`).
    pub dug: String,
    /// The name as the register writes it.
    pub name: String,
    /// The name's keys.
    pub keys: StreetKeys,
    /// The one area statistica of all its house numbers, if there is one.
    pub area: Option<usize>,
}

/// A house number of the register.
#[derive(Clone, Debug, PartialEq)]
pub struct CivicEntry {
    /// Its street (index into [`Register::streets`]).
    pub street: usize,
    /// Number and suffix.
    pub key: CivicKey,
    /// CAP, when the register has it.
    pub cap: Option<String>,
    /// Its area statistica (index into [`Register::areas`]).
    pub area: usize,
    /// Longitude and latitude, when the register has them.
    pub coordinates: Option<(f64, f64)>,
    /// The register's data row.
    pub row: u64,
}

/// An area statistica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Area {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its zona (index into [`Register::zone`]).
    pub zona: usize,
}

/// A zona.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zona {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its quartiere (index into [`Register::quartieri`]).
    pub quartiere: usize,
}

/// A quartiere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quartiere {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

type Map<K, V> = HashMap<K, V, FixedState>;

/// One entry of the typo index: a compact key and its street.
#[derive(Clone, Debug)]
pub(crate) struct FuzzyKey {
    pub(crate) key: Box<[u8]>,
    pub(crate) street: usize,
}

/// The register, checked and indexed.
#[derive(Debug, Default)]
pub struct Register {
    streets: Vec<Street>,
    civics: Vec<CivicEntry>,
    areas: Vec<Area>,
    zone: Vec<Zona>,
    quartieri: Vec<Quartiere>,
    /// (street, number, suffix) → civic.
    by_civic: Map<(usize, CivicKey), usize>,
    /// Street keys → streets, one map per kind of key.
    pub(crate) by_full: Map<String, Vec<usize>>,
    pub(crate) by_sorted: Map<String, Vec<usize>>,
    pub(crate) by_reduced: Map<String, Vec<usize>>,
    /// The typo index: compact keys, and the entries sharing a first byte or
    /// a last byte.
    pub(crate) fuzzy: Vec<FuzzyKey>,
    pub(crate) fuzzy_first: Map<u8, Vec<usize>>,
    pub(crate) fuzzy_last: Map<u8, Vec<usize>>,
}

/// The columns' indexes in the table.
struct Indexes {
    street_code: usize,
    dug: usize,
    street_name: usize,
    civic: usize,
    suffix: Option<usize>,
    cap: Option<usize>,
    area: (usize, usize),
    zona: (usize, usize),
    quartiere: (usize, usize),
    coordinates: Option<(usize, usize)>,
}

/// Codes seen so far at one level (area, zona, quartiere), with the row that
/// introduced each and what it said.
struct Level {
    by_code: HashMap<String, (usize, String, u64)>,
}

impl Level {
    fn new() -> Level {
        Level {
            by_code: HashMap::new(),
        }
    }

    /// The index of `code`, checking that `said` agrees with its first row.
    fn intern(
        &mut self,
        what: &'static str,
        path: &std::path::Path,
        row: u64,
        code: &str,
        said: String,
        next: usize,
    ) -> Result<(usize, bool), RegisterError> {
        match self.by_code.get(code) {
            Some((i, first, first_row)) => {
                if *first != said {
                    return Err(RegisterError::Inconsistent {
                        path: path.to_path_buf(),
                        row,
                        first_row: *first_row,
                        subject: format!("{what} {code}"),
                        this: said,
                        first: first.clone(),
                    });
                }
                Ok((*i, false))
            }
            None => {
                self.by_code.insert(code.to_owned(), (next, said, row));
                Ok((next, true))
            }
        }
    }
}

impl Register {
    /// Reads and checks a register from a table read whole
    /// ([`Table::read`]), with its column names.
    pub fn from_table(table: &Table, columns: &RegisterColumns) -> Result<Register, RegisterError> {
        let path = table.path.clone();
        let col = |name: &str| {
            table
                .column(name)
                .ok_or_else(|| RegisterError::MissingColumn {
                    path: path.clone(),
                    column: name.to_owned(),
                })
        };
        let opt = |name: &Option<String>| name.as_deref().map(col).transpose();
        let ix = Indexes {
            street_code: col(&columns.street_code)?,
            dug: col(&columns.dug)?,
            street_name: col(&columns.street_name)?,
            civic: col(&columns.civic)?,
            suffix: opt(&columns.suffix)?,
            cap: opt(&columns.cap)?,
            area: (col(&columns.area_code)?, col(&columns.area_name)?),
            zona: (col(&columns.zona_code)?, col(&columns.zona_name)?),
            quartiere: (col(&columns.quartiere_code)?, col(&columns.quartiere_name)?),
            coordinates: match &columns.coordinates {
                Some((x, y)) => Some((col(x)?, col(y)?)),
                None => None,
            },
        };
        if table.records.is_empty() {
            return Err(RegisterError::Empty { path });
        }
        let name_of = |i: usize| table.header.columns.get(i).cloned().unwrap_or_default();
        let mut reg = Register::default();
        let mut street_codes: HashMap<String, (usize, u64)> = HashMap::new();
        let mut street_names: HashMap<(String, String), String> = HashMap::new();
        let mut civic_rows: Map<(usize, CivicKey), u64> = Map::default();
        let (mut areas, mut zone, mut quartieri) = (Level::new(), Level::new(), Level::new());
        for rec in &table.records {
            let row = rec.row;
            let bad = |i: usize, why: String| RegisterError::BadValue {
                path: path.clone(),
                row,
                column: name_of(i),
                why,
            };
            let get = |i: usize| rec.fields.get(i).map(str::trim).unwrap_or("");
            let required = |i: usize| {
                let v = get(i);
                if v.is_empty() {
                    Err(bad(i, "is empty".to_owned()))
                } else {
                    Ok(v)
                }
            };

            // Quartiere, zona, area statistica.
            let (qc, qn) = (required(ix.quartiere.0)?, required(ix.quartiere.1)?);
            let (q, new) = quartieri.intern(
                "quartiere",
                &path,
                row,
                qc,
                qn.to_owned(),
                reg.quartieri.len(),
            )?;
            if new {
                reg.quartieri.push(Quartiere {
                    code: qc.to_owned(),
                    name: qn.to_owned(),
                });
            }
            let (zc, zn) = (required(ix.zona.0)?, required(ix.zona.1)?);
            let (z, new) = zone.intern(
                "zona",
                &path,
                row,
                zc,
                format!("{zn} (quartiere {qc})"),
                reg.zone.len(),
            )?;
            if new {
                reg.zone.push(Zona {
                    code: zc.to_owned(),
                    name: zn.to_owned(),
                    quartiere: q,
                });
            }
            let (ac, an) = (required(ix.area.0)?, required(ix.area.1)?);
            let (a, new) = areas.intern(
                "area statistica",
                &path,
                row,
                ac,
                format!("{an} (zona {zc})"),
                reg.areas.len(),
            )?;
            if new {
                reg.areas.push(Area {
                    code: ac.to_owned(),
                    name: an.to_owned(),
                    zona: z,
                });
            }

            // Street.
            let code = required(ix.street_code)?;
            let dug_text = required(ix.dug)?;
            let dug = expand_dug(dug_text)
                .ok_or_else(|| bad(ix.dug, format!("`{dug_text}` is not an ANPR street type")))?;
            let name = required(ix.street_name)?;
            let said = format!("{dug} {name}");
            let street = match street_codes.get(code) {
                Some(&(s, first_row)) => {
                    let st = &reg.streets[s];
                    let first = format!("{} {}", st.dug, st.name);
                    if first != said {
                        return Err(RegisterError::Inconsistent {
                            path,
                            row,
                            first_row,
                            subject: format!("street {code}"),
                            this: said,
                            first,
                        });
                    }
                    s
                }
                None => {
                    let keys = StreetKeys::new(name);
                    let id = (dug.to_owned(), keys.full.clone());
                    if let Some(other) = street_names.get(&id) {
                        return Err(RegisterError::DuplicateStreet {
                            path,
                            row,
                            code: code.to_owned(),
                            name: said,
                            other: other.clone(),
                        });
                    }
                    street_names.insert(id, code.to_owned());
                    let s = reg.streets.len();
                    street_codes.insert(code.to_owned(), (s, row));
                    reg.streets.push(Street {
                        code: code.to_owned(),
                        dug: dug.to_owned(),
                        name: name.to_owned(),
                        keys,
                        area: None,
                    });
                    s
                }
            };

            // House number.
            let civic_text = required(ix.civic)?;
            let key = match ix.suffix {
                Some(si) => {
                    let number: u32 = civic_text
                        .parse()
                        .ok()
                        .filter(|n| (1..=99_999).contains(n))
                        .ok_or_else(|| {
                            bad(
                                ix.civic,
                                format!("`{civic_text}` is not a house number (1–99999)"),
                            )
                        })?;
                    let sv = get(si);
                    let suffix = suffix_code(sv).ok_or_else(|| {
                        bad(
                            si,
                            format!(
                                "`{sv}` is not a suffix (a letter, a number, BIS, TER, QUATER)"
                            ),
                        )
                    })?;
                    CivicKey { number, suffix }
                }
                None => parse_house_number(civic_text)
                    .as_ref()
                    .and_then(CivicKey::from_civic)
                    .ok_or_else(|| {
                        bad(ix.civic, format!("`{civic_text}` is not a house number"))
                    })?,
            };
            if let Some(&first_row) = civic_rows.get(&(street, key)) {
                return Err(RegisterError::DuplicateCivic {
                    path,
                    row,
                    first_row,
                    street: code.to_owned(),
                    civic: key.canonical(),
                });
            }
            civic_rows.insert((street, key), row);
            let cap = ix.cap.map(get).filter(|c| !c.is_empty()).map(str::to_owned);
            let coordinates = match ix.coordinates {
                None => None,
                Some((xi, yi)) => {
                    let coord = |i: usize, range: f64| -> Result<Option<f64>, RegisterError> {
                        let v = get(i);
                        if v.is_empty() {
                            return Ok(None);
                        }
                        v.replace(',', ".")
                            .parse::<f64>()
                            .ok()
                            .filter(|x| x.is_finite() && x.abs() <= range)
                            .map(Some)
                            .ok_or_else(|| bad(i, format!("`{v}` is not a coordinate in degrees")))
                    };
                    match (coord(xi, 180.0)?, coord(yi, 90.0)?) {
                        (Some(x), Some(y)) => Some((x, y)),
                        (None, None) => None,
                        (None, Some(_)) => {
                            return Err(bad(xi, "is empty, the latitude is not".into()))
                        }
                        (Some(_), None) => {
                            return Err(bad(yi, "is empty, the longitude is not".into()))
                        }
                    }
                }
            };
            reg.by_civic.insert((street, key), reg.civics.len());
            reg.civics.push(CivicEntry {
                street,
                key,
                cap,
                area: a,
                coordinates,
                row,
            });
        }
        reg.index();
        Ok(reg)
    }

    /// Builds the street indexes and each street's single area.
    fn index(&mut self) {
        let mut area_of: Vec<Option<Option<usize>>> = vec![None; self.streets.len()];
        for c in &self.civics {
            let slot = &mut area_of[c.street];
            *slot = match *slot {
                None => Some(Some(c.area)),
                Some(Some(a)) if a == c.area => Some(Some(a)),
                _ => Some(None),
            };
        }
        for (s, a) in area_of.into_iter().enumerate() {
            self.streets[s].area = a.flatten();
        }
        let mut fuzzy_seen: HashMap<(Vec<u8>, usize), ()> = HashMap::new();
        for (s, st) in self.streets.iter().enumerate() {
            let k = &st.keys;
            self.by_full.entry(k.full.clone()).or_default().push(s);
            self.by_sorted.entry(k.sorted.clone()).or_default().push(s);
            if let Some(r) = &k.reduced {
                self.by_reduced.entry(r.clone()).or_default().push(s);
            }
            for key in std::iter::once(&k.full).chain(k.reduced.as_ref()) {
                let c = compact(key).into_bytes();
                if typo_bound(c.len()) == 0 || fuzzy_seen.insert((c.clone(), s), ()).is_some() {
                    continue;
                }
                let i = self.fuzzy.len();
                if let (Some(&first), Some(&last)) = (c.first(), c.last()) {
                    self.fuzzy_first.entry(first).or_default().push(i);
                    self.fuzzy_last.entry(last).or_default().push(i);
                }
                self.fuzzy.push(FuzzyKey {
                    key: c.into_boxed_slice(),
                    street: s,
                });
            }
        }
    }

    /// Every street, in the order of first appearance.
    pub fn streets(&self) -> &[Street] {
        &self.streets
    }

    /// Every house number, in file order.
    pub fn civics(&self) -> &[CivicEntry] {
        &self.civics
    }

    /// Every area statistica, in the order of first appearance.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// Every zona.
    pub fn zone(&self) -> &[Zona] {
        &self.zone
    }

    /// Every quartiere.
    pub fn quartieri(&self) -> &[Quartiere] {
        &self.quartieri
    }

    /// The house number `key` of street `street`, if the register lists it.
    pub fn civic(&self, street: usize, key: CivicKey) -> Option<usize> {
        self.by_civic.get(&(street, key)).copied()
    }

    /// An area's zona and quartiere.
    pub fn hierarchy(&self, area: usize) -> Option<(&Area, &Zona, &Quartiere)> {
        let a = self.areas.get(area)?;
        let z = self.zone.get(a.zona)?;
        let q = self.quartieri.get(z.quartiere)?;
        Some((a, z, q))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::read::ReadOptions;

    pub(crate) const HEADER: &str = "CODVIA;DUG;DENOMINAZIONE;CIVICO;ESPONENTE;CAP;COD_AREA;AREA_STATISTICA;COD_ZONA;ZONA;COD_QUARTIERE;QUARTIERE;LONGITUDINE;LATITUDINE";

    /// A small register: Via del Pratello in two areas, Via Giuseppe
    /// Massarenti and Viale Pepoli in one each, Strada and Piazza Maggiore.
    pub(crate) const SMALL: &str = "\
01000;VIA;DEL PRATELLO;1;;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;11.33;44.49
01000;VIA;DEL PRATELLO;2;;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;
01000;VIA;DEL PRATELLO;12;;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;
01000;VIA;DEL PRATELLO;12;A;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;
01000;VIA;DEL PRATELLO;12;BIS;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;
01000;VIA;DEL PRATELLO;80;;40122;302;Pratello 2;31;Malpighi;3;Porto-Saragozza;;
02000;VIA;GIUSEPPE MASSARENTI;5;;40138;401;Massarenti;41;San Vitale;4;San Donato-San Vitale;;
02000;VIA;GIUSEPPE MASSARENTI;7;2;40138;401;Massarenti;41;San Vitale;4;San Donato-San Vitale;;
03000;V.LE;PEPOLI;3;;40123;303;Pepoli;32;Saragozza;3;Porto-Saragozza;;
04000;STRADA;MAGGIORE;10;;40125;501;Maggiore;51;Galvani;5;Santo Stefano;;
05000;PIAZZA;MAGGIORE;1;;40124;502;Piazza Maggiore;51;Galvani;5;Santo Stefano;;
06000;VIA;DELL'ARCOVEGGIO;40;;40129;201;Arcoveggio;21;Bolognina;2;Navile;;
";

    pub(crate) fn read(text: &str) -> Result<Register, RegisterError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stradario.csv");
        std::fs::write(&path, text).unwrap();
        let table = Table::read(&path, &ReadOptions::default()).unwrap();
        Register::from_table(&table, &RegisterColumns::default())
    }

    pub(crate) fn small() -> Register {
        read(&format!("{HEADER}\n{SMALL}")).unwrap()
    }

    #[test]
    fn reads_and_indexes() {
        let r = small();
        assert_eq!(r.streets().len(), 6);
        assert_eq!(r.civics().len(), 12);
        assert_eq!(r.areas().len(), 7);
        assert_eq!(r.zone().len(), 5);
        assert_eq!(r.quartieri().len(), 4);
        let pepoli = &r.streets()[2];
        assert_eq!(
            (pepoli.dug.as_str(), pepoli.name.as_str()),
            ("VIALE", "PEPOLI")
        );
        // The Pratello spans two areas; Massarenti lies in one.
        assert_eq!(r.streets()[0].area, None);
        assert_eq!(r.streets()[1].area, Some(2));
        let a = r
            .civic(
                0,
                CivicKey {
                    number: 12,
                    suffix: 1,
                },
            )
            .unwrap();
        assert_eq!(r.civics()[a].row, 4);
        assert_eq!(r.civics()[0].coordinates, Some((11.33, 44.49)));
        let (area, zona, q) = r.hierarchy(r.civics()[a].area).unwrap();
        assert_eq!(
            (area.code.as_str(), zona.name.as_str(), q.name.as_str()),
            ("301", "Malpighi", "Porto-Saragozza")
        );
    }

    fn err(rows: &str) -> String {
        let e = read(&format!("{HEADER}\n{SMALL}{rows}")).unwrap_err();
        let code = miette::Diagnostic::code(&e)
            .map(|c| c.to_string())
            .unwrap_or_default();
        format!("{code}: {e}")
    }

    #[test]
    fn refuses_inconsistencies() {
        let e = err(
            "01000;VIA;DEL PRATELLO;12;A;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;\n",
        );
        assert!(e.starts_with("vaglio::geography::duplicate_civic"), "{e}");
        assert!(
            e.contains("row 13") && e.contains("row 4") && e.contains("12/A"),
            "{e}"
        );
        let e =
            err("01000;VIA;PRATELLO;99;;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;\n");
        assert!(
            e.starts_with("vaglio::geography::inconsistent") && e.contains("street 01000"),
            "{e}"
        );
        let e = err(
            "07000;VIA;DEL PRATELLO;99;;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;\n",
        );
        assert!(
            e.starts_with("vaglio::geography::duplicate_street") && e.contains("01000"),
            "{e}"
        );
        let e = err(
            "01000;VIA;DEL PRATELLO;99;;40122;301;Pratello 1;32;Saragozza;3;Porto-Saragozza;;\n",
        );
        assert!(
            e.starts_with("vaglio::geography::inconsistent") && e.contains("area statistica 301"),
            "{e}"
        );
        let e =
            err("01000;VIA;DEL PRATELLO;99;;40122;309;X;31;Malpighi;4;San Donato-San Vitale;;\n");
        assert!(e.contains("zona 31"), "{e}");
        let e = err("01000;VIA;DEL PRATELLO;99;;40122;309;X;39;Y;3;Porto;;\n");
        assert!(e.contains("quartiere 3"), "{e}");
        let e = err(
            "01000;VIA;DEL PRATELLO;12X;;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;\n",
        );
        assert!(
            e.starts_with("vaglio::geography::value") && e.contains("CIVICO"),
            "{e}"
        );
        let e = err(
            "01000;VIA;DEL PRATELLO;99;QQ;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;\n",
        );
        assert!(e.contains("ESPONENTE"), "{e}");
        let e = err(
            "01000;XYZ;DEL PRATELLO;99;;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;;\n",
        );
        assert!(e.contains("ANPR street type"), "{e}");
        let e =
            err("01000;VIA;DEL PRATELLO;99;;40122;;Pratello 1;31;Malpighi;3;Porto-Saragozza;;\n");
        assert!(e.contains("COD_AREA is empty"), "{e}");
        let e = err(
            "01000;VIA;DEL PRATELLO;99;;40122;301;Pratello 1;31;Malpighi;3;Porto-Saragozza;11.3;\n",
        );
        assert!(e.contains("LATITUDINE"), "{e}");
        let e = read("CODVIA;DUG\n1;VIA\n").unwrap_err();
        assert!(e.to_string().contains("no column `DENOMINAZIONE`"), "{e}");
        let e = read(&format!("{HEADER}\n")).unwrap_err();
        assert!(e.to_string().contains("no house numbers"), "{e}");
    }

    #[test]
    fn whole_house_numbers_without_a_suffix_column() {
        let text = "VIA_COD,TIPO,NOME,NUM,AREA,NOME_AREA,ZONA,NOME_ZONA,Q,NOME_Q\n\
                    9,VIA,ROMA,12/A,1,Uno,1,Z,1,Q\n9,VIA,ROMA,12,1,Uno,1,Z,1,Q\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, text).unwrap();
        let table = Table::read(&path, &ReadOptions::default()).unwrap();
        let s = |x: &str| x.to_owned();
        let cols = RegisterColumns {
            street_code: s("VIA_COD"),
            dug: s("TIPO"),
            street_name: s("NOME"),
            civic: s("NUM"),
            suffix: None,
            cap: None,
            area_code: s("AREA"),
            area_name: s("NOME_AREA"),
            zona_code: s("ZONA"),
            zona_name: s("NOME_ZONA"),
            quartiere_code: s("Q"),
            quartiere_name: s("NOME_Q"),
            coordinates: None,
        };
        let r = Register::from_table(&table, &cols).unwrap();
        assert!(r
            .civic(
                0,
                CivicKey {
                    number: 12,
                    suffix: 1
                }
            )
            .is_some());
        assert!(r
            .civic(
                0,
                CivicKey {
                    number: 12,
                    suffix: 0
                }
            )
            .is_some());
    }
}
