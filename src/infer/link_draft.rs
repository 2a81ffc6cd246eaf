//! Drafting the `[link]` section of a new extract from its recognised
//! columns: which person the record is about (the codice fiscale its own
//! names and birth date agree with), what a second codice fiscale is (a
//! payer's or a parent's: another resident, of the same family), the
//! mapping, and the tiers, blocking rules and comparisons each with a
//! comment saying why.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::columns::{agreement, pct, Column, Kind, Role};
use super::quote;
use super::reference::Reference;
use super::sample::Sample;
use crate::link::spec::{Attr, CompKind, KeyPart, LinkSpec};

/// The columns of one person of a record: a codice fiscale column (when
/// there is one) and the columns that agree with it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Person {
    /// The codice fiscale column.
    pub cf: Option<usize>,
    /// Column and agreement with the code (1 without a code) of each
    /// attribute.
    pub attrs: BTreeMap<Attr, (usize, f64)>,
}

/// What a second codice fiscale column is, against the record's person.
#[derive(Clone, Debug, PartialEq)]
pub struct OtherCode {
    /// The column.
    pub column: usize,
    /// Share of its codes that are a resident's.
    pub residents: f64,
    /// Of the rows where both codes are residents': the same person.
    pub same_person: f64,
    /// … another member of the same family (`None`: no family column).
    pub same_family: Option<f64>,
    /// … someone at least 15 years older.
    pub older: f64,
    /// Rows where both codes are residents'.
    pub rows: usize,
}

impl OtherCode {
    /// What the column most likely is, in words.
    pub fn reading(&self) -> &'static str {
        if self.rows == 0 {
            "a codice fiscale of another person"
        } else if self.same_person >= 0.5 {
            "the same person's codice fiscale again"
        } else if self.same_family.is_some_and(|f| f >= 0.5) && self.older >= 0.5 {
            "a parent's codice fiscale (or a payer's): another resident of the same family, older"
        } else if self.same_family.is_some_and(|f| f >= 0.5) {
            "another resident of the same family (a payer's or a relative's code)"
        } else if self.older >= 0.5 {
            "another, older resident's code (a payer's or a parent's)"
        } else {
            "another resident's codice fiscale"
        }
    }
}

/// The draft of a `[link]` section.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkDraft {
    /// The person the records are about.
    pub subject: Person,
    /// The other codice fiscale columns.
    pub others: Vec<OtherCode>,
    /// The mapping written in `fields`.
    pub mapping: Vec<(Attr, String)>,
    /// The full spec the section describes (the defaults for the mapping).
    pub spec: LinkSpec,
    /// The section, as TOML with comments.
    pub text: String,
}

fn attr_of(kind: &Kind) -> Option<(Attr, Role)> {
    Some(match kind {
        Kind::Surname => (Attr::Cognome, Role::Surname),
        Kind::GivenName => (Attr::Nome, Role::Given),
        Kind::FullName { .. } => (Attr::Nominativo, Role::FullName),
        Kind::Date { .. } => (Attr::DataNascita, Role::BirthDate),
        Kind::Sex => (Attr::Sesso, Role::Sex),
        Kind::Belfiore => (Attr::LuogoNascita, Role::Place),
        _ => return None,
    })
}

/// Groups the identity columns into persons: one per codice fiscale
/// column, with the columns that agree with it in at least half of the
/// rows; then, when they name someone and say more than any of those
/// (by `rank`), one person of the best of the other columns of each kind
/// (the birth date: the date column with the earliest median year).
pub fn persons(sample: &Sample, columns: &[Column], today: NaiveDate) -> Vec<Person> {
    let cfs: Vec<usize> = columns
        .iter()
        .filter(|c| c.kind == Kind::CodiceFiscale)
        .map(|c| c.index)
        .collect();
    let mut people: Vec<Person> = cfs
        .iter()
        .map(|&cf| {
            let mut p = Person {
                cf: Some(cf),
                ..Person::default()
            };
            p.attrs.insert(Attr::CodiceFiscale, (cf, 1.0));
            p
        })
        .collect();
    let mut loose: Vec<&Column> = Vec::new();
    for c in columns {
        let Some((attr, role)) = attr_of(&c.kind) else {
            continue;
        };
        let mut best: Option<(usize, f64)> = None;
        for (k, &cf) in cfs.iter().enumerate() {
            let a = agreement(sample, c.index, cf, role, today);
            if a >= 0.5 && best.is_none_or(|b| a > b.1) {
                best = Some((k, a));
            }
        }
        match best {
            Some((k, a)) => {
                let p = &mut people[k];
                match p.attrs.get(&attr).copied() {
                    // A column that loses its place to a better one is loose
                    // (a pupil's surname that is also the father's).
                    Some((_, s)) if s >= a => loose.push(c),
                    Some((old, _)) => {
                        p.attrs.insert(attr, (c.index, a));
                        loose.extend(columns.iter().find(|x| x.index == old));
                    }
                    None => {
                        p.attrs.insert(attr, (c.index, a));
                    }
                }
            }
            None => loose.push(c),
        }
    }
    loose.sort_by_key(|c| c.index);
    // Columns no code agrees with: a person of their own when they say
    // more than any code's person (names and a birth date next to a
    // parent's code only).
    let best = people.iter().map(rank).max();
    let p = loose_person(sample, &loose);
    let named = [Attr::Cognome, Attr::Nome, Attr::Nominativo]
        .iter()
        .any(|a| p.attrs.contains_key(a));
    if named && best.is_none_or(|b| rank(&p) > b) {
        people.push(p);
    }
    people
}

/// How much a person's columns say: how many, then whether a birth date
/// is among them (a beneficiary's is; a payer's seldom).
fn rank(p: &Person) -> (usize, bool) {
    (p.attrs.len(), p.attrs.contains_key(&Attr::DataNascita))
}

/// The best column of each kind, the birth date being the date column
/// with the earliest median year (a birth precedes the service).
fn loose_person(sample: &Sample, columns: &[&Column]) -> Person {
    let mut p = Person::default();
    for c in columns {
        let Some((attr, _)) = attr_of(&c.kind) else {
            continue;
        };
        let score = if attr == Attr::DataNascita {
            -median_year(sample, c.index)
        } else {
            c.share
        };
        if p.attrs.get(&attr).is_none_or(|(_, s)| score > *s) {
            p.attrs.insert(attr, (c.index, score));
        }
    }
    for v in p.attrs.values_mut() {
        v.1 = 1.0;
    }
    p
}

fn median_year(sample: &Sample, i: usize) -> f64 {
    let reference = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let mut years: Vec<i32> = sample
        .cells(i)
        .filter_map(|v| crate::identity::dates::parse_date(v, reference).ok())
        .map(|d| d.year())
        .collect();
    years.sort_unstable();
    years
        .get(years.len() / 2)
        .map_or(f64::MAX, |y| f64::from(*y))
}

/// The person whose columns say most (by `rank`; the first such).
fn subject(people: &[Person]) -> Person {
    let mut best: Option<&Person> = None;
    for p in people {
        if best.is_none_or(|b| rank(p) > rank(b)) {
            best = Some(p);
        }
    }
    best.cloned().unwrap_or_default()
}

fn other_code(
    sample: &Sample,
    subject_cf: Option<usize>,
    column: usize,
    reference: Option<&Reference>,
    today: NaiveDate,
) -> OtherCode {
    let mut o = OtherCode {
        column,
        residents: 0.0,
        same_person: 0.0,
        same_family: None,
        older: 0.0,
        rows: 0,
    };
    let Some(r) = reference else {
        return o;
    };
    let birth_col = r
        .spec
        .column(Attr::DataNascita)
        .and_then(|c| r.sample.column(c));
    let birth = |row: usize| {
        birth_col
            .and_then(|c| r.sample.rows.get(row)?.get(c))
            .and_then(|v| crate::identity::dates::parse_date(v, today).ok())
    };
    let (mut present, mut resident, mut both, mut same, mut family, mut older) =
        (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    for row in &sample.rows {
        let v = row.get(column).map_or("", String::as_str);
        if v.is_empty() {
            continue;
        }
        present += 1;
        let Some(q) = r.resident(v, today) else {
            continue;
        };
        resident += 1;
        let Some(p) = subject_cf
            .and_then(|c| row.get(c))
            .and_then(|v| r.resident(v, today))
        else {
            continue;
        };
        both += 1;
        same += usize::from(p == q);
        if p != q {
            family += usize::from(r.family_of(p).is_some() && r.family_of(p) == r.family_of(q));
            if let (Some(bp), Some(bq)) = (birth(p), birth(q)) {
                older += usize::from(bq.checked_add_months(chrono::Months::new(180)) <= Some(bp));
            }
        }
    }
    let share = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    o.residents = share(resident, present);
    o.rows = both;
    o.same_person = share(same, both);
    o.same_family = r.family.map(|_| share(family, both));
    o.older = share(older, both);
    o
}

/// Drafts the `[link]` section of `sample`, whose columns are `columns`,
/// against the anagrafe `reference` (which says what can be mapped).
pub fn draft(
    sample: &Sample,
    columns: &[Column],
    reference: Option<&Reference>,
    today: NaiveDate,
) -> LinkDraft {
    let people = persons(sample, columns, today);
    let subject = subject(&people);
    let others: Vec<OtherCode> = people
        .iter()
        .filter_map(|p| p.cf)
        .filter(|&c| subject.cf != Some(c))
        .map(|c| other_code(sample, subject.cf, c, reference, today))
        .collect();
    let provides = |a: Attr| reference.is_none_or(|r| r.provides(a));

    // Places and addresses belong to the record, not to one code.
    let mut attrs = subject.attrs.clone();
    for c in columns {
        let attr = match c.kind {
            Kind::Address => Attr::Indirizzo,
            Kind::Cap => Attr::Cap,
            _ => continue,
        };
        attrs.entry(attr).or_insert((c.index, c.share));
    }
    // Separate surname and name read better than a full name.
    if attrs.contains_key(&Attr::Cognome) && attrs.contains_key(&Attr::Nome) {
        attrs.remove(&Attr::Nominativo);
    }
    let mut mapping = Vec::new();
    let mut notes = Vec::new();
    for (attr, (col, agree)) in &attrs {
        let name = &sample.columns[*col];
        let evidence = columns
            .get(*col)
            .map_or(String::new(), |c| c.evidence.clone());
        let tie = match (subject.cf, attr) {
            (Some(cf), a) if *a != Attr::CodiceFiscale && subject.attrs.contains_key(a) => {
                format!(
                    "; agrees with {} in {} of the rows",
                    sample.columns[cf],
                    pct(*agree)
                )
            }
            _ => String::new(),
        };
        let resident = match (attr, reference) {
            (Attr::CodiceFiscale, Some(r)) => {
                let codes: Vec<&str> = sample.cells(*col).filter(|v| !v.is_empty()).collect();
                let found = codes
                    .iter()
                    .filter(|v| r.resident(v, today).is_some())
                    .count();
                let share = if codes.is_empty() {
                    0.0
                } else {
                    found as f64 / codes.len() as f64
                };
                format!("; {} are a resident's", pct(share))
            }
            _ => String::new(),
        };
        if provides(*attr) {
            notes.push(format!("# {name}: {evidence}{tie}{resident}."));
            mapping.push((*attr, name.clone()));
        } else {
            notes.push(format!(
                "# {name}: {evidence}{tie} — not mapped: the anagrafe's [link] has no `{}`.",
                attr.name()
            ));
        }
    }
    for o in &others {
        let name = &sample.columns[o.column];
        let mut why = format!("# {name}: {} — not mapped", o.reading());
        if o.rows > 0 {
            let _ = write!(
                why,
                " ({} of its codes are residents'; where both codes are: {} the same person",
                pct(o.residents),
                pct(o.same_person)
            );
            if let Some(f) = o.same_family {
                let _ = write!(why, ", {} the same family", pct(f));
            }
            let _ = write!(why, ", {} at least 15 years older)", pct(o.older));
        }
        why.push('.');
        notes.push(why);
    }
    // The other columns recognised: why they are not mapped.
    let explained: Vec<usize> = attrs
        .values()
        .map(|(c, _)| *c)
        .chain(others.iter().map(|o| o.column))
        .collect();
    for c in columns {
        if c.kind == Kind::Other || explained.contains(&c.index) {
            continue;
        }
        let owner = people
            .iter()
            .find(|p| p.cf != subject.cf && p.attrs.values().any(|(col, _)| *col == c.index));
        let why = match (owner.and_then(|p| p.cf), &c.kind) {
            (Some(cf), _) => format!("another person's: agrees with {}", sample.columns[cf]),
            (None, Kind::Date { .. }) => "not the person's birth date".into(),
            (None, Kind::IstatComune | Kind::IstatStato | Kind::Cap) => {
                "a place code, not a person's attribute".into()
            }
            (None, _) => "agrees with no codice fiscale of the record".into(),
        };
        notes.push(format!("# {}: {} — not mapped: {why}.", c.name, c.evidence));
    }
    mapping.sort_by_key(|(a, _)| Attr::ALL.iter().position(|x| x == a));
    let spec = LinkSpec::with_fields(mapping.clone());
    let text = render(&spec, &notes, reference.is_some());
    LinkDraft {
        subject,
        others,
        mapping,
        spec,
        text,
    }
}

/// Why a blocking rule is there.
fn blocking_reason(rule: &[KeyPart]) -> String {
    use KeyPart::*;
    match rule {
        [CodiceFiscale] => "the code in base form: every record with a usable code".into(),
        [CfCognome, CfNome, CfData] => {
            "a code with one wrong character: its surname, name and date parts still agree".into()
        }
        [Cognome, AnnoNascita] => "no usable code: surname and birth year".into(),
        [Nome, DataNascita] => "a misspelt surname: given name and birth date".into(),
        [CognomeFonetico, DataNascita] => {
            "a transliterated surname (Mohamed/Mohammed): its sound and the birth date".into()
        }
        [Cognome, Nome] => "a wrong birth date: surname and name".into(),
        [NomiOrdinati, AnnoNascita] => {
            "surname and name typed in each other's column, and no usable code".into()
        }
        other => format!(
            "{} agree",
            other
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}

fn comparison_reason(attr: Attr, kind: CompKind) -> &'static str {
    match (attr, kind) {
        (_, CompKind::CodiceFiscale) => {
            "exact in base form, one edit, the segments, recomputed from the names"
        }
        (Attr::Cognome, CompKind::Name) => {
            "exact (weighted by how rare the surname is), variant, swapped, Jaro–Winkler"
        }
        (Attr::Nome, CompKind::Name) => {
            "exact (weighted by how rare the name is), variant, swapped, Jaro–Winkler"
        }
        (_, CompKind::Date) => "exact, day and month swapped, one off, same year",
        (_, CompKind::Exact) => "equal or not",
        (_, CompKind::Text) => "exact, Jaro–Winkler",
        (_, CompKind::Code) => "exact, one edit",
        _ => "",
    }
}

fn render(spec: &LinkSpec, notes: &[String], against_anagrafe: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Linking each record to the anagrafe, drafted by `vaglio infer` from the\n# columns' content{}:",
        if against_anagrafe {
            " and the anagrafe's"
        } else {
            " (no anagrafe given: every attribute found is mapped)"
        }
    );
    for n in notes {
        let _ = writeln!(out, "{n}");
    }
    let _ = writeln!(out, "[link]\nto = {}", quote(&spec.to));
    let fields: Vec<String> = spec
        .fields
        .iter()
        .map(|(a, c)| format!("{} = {}", a.name(), quote(c)))
        .collect();
    let _ = writeln!(out, "fields = {{ {} }}", fields.join(", "));
    let _ = writeln!(
        out,
        "# Deterministic tiers, tried in order: a record is linked when its values\n# agree exactly with one resident's and no other's."
    );
    let tiers: Vec<String> = spec
        .deterministic
        .iter()
        .map(|t| {
            let names: Vec<String> = t.attrs.iter().map(|a| quote(a.name())).collect();
            format!("[{}]", names.join(", "))
        })
        .collect();
    let _ = writeln!(out, "deterministic = [{}]", tiers.join(", "));
    let _ = writeln!(
        out,
        "# Blocking: a resident is a candidate when every key of one rule agrees."
    );
    let _ = writeln!(out, "blocking = [");
    for rule in &spec.blocking {
        let names: Vec<String> = rule.iter().map(|k| quote(k.name())).collect();
        let _ = writeln!(
            out,
            "  [{}],  # {}",
            names.join(", "),
            blocking_reason(rule)
        );
    }
    let _ = writeln!(out, "]");
    let _ = writeln!(
        out,
        "# Comparisons of the Fellegi–Sunter model (m by EM, u from random pairs)."
    );
    let _ = writeln!(out, "comparisons = [");
    for c in &spec.comparisons {
        let mut item = format!(
            "{{ field = {}, kind = {}",
            quote(c.attr.name()),
            quote(c.kind.name())
        );
        if c.term_frequency {
            item.push_str(", term_frequency = true");
        }
        if matches!(c.kind, CompKind::Name | CompKind::Text) {
            let _ = write!(
                item,
                ", jaro_winkler = [{}, {}]",
                fmt_num(c.jaro_winkler[0]),
                fmt_num(c.jaro_winkler[1])
            );
        }
        item.push_str(" }");
        let _ = writeln!(out, "  {item},  # {}", comparison_reason(c.attr, c.kind));
    }
    let _ = writeln!(out, "]");
    let _ = writeln!(
        out,
        "# Match at or above {}, review between {} and {}: the defaults.",
        fmt_num(spec.thresholds.matched),
        fmt_num(spec.thresholds.review),
        fmt_num(spec.thresholds.matched)
    );
    let _ = writeln!(
        out,
        "thresholds = {{ match = {}, review = {} }}",
        fmt_num(spec.thresholds.matched),
        fmt_num(spec.thresholds.review)
    );
    out
}

fn fmt_num(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
        + if s.ends_with(".00") { ".0" } else { "" }
}

/// The `[fields.NAME]` header of a column, quoted when it needs to be.
pub fn field_header(name: &str) -> String {
    format!("[fields.{}]", super::key(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::codice_fiscale::Sex;
    use crate::infer::columns::{recognise, NameTable};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default()
    }

    fn code(s: &str, g: &str, y: i32, m: u32, d: u32, sex: Sex) -> String {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        crate::identity::encode(s, g, date, sex, "A944").unwrap_or_default()
    }

    fn pupils() -> Sample {
        let mut rows = Vec::new();
        for (i, (s, g, y, ps, pg)) in [
            ("ROSSI", "LUCA", 2015, "ROSSI", "MARIO"),
            ("BIANCHI", "ANNA", 2016, "VERDI", "PAOLA"),
            ("NERI", "SARA", 2014, "NERI", "GINO"),
            ("GIALLI", "PIETRO", 2017, "GIALLI", "ELENA"),
        ]
        .into_iter()
        .enumerate()
        {
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let d = u32::try_from(i).unwrap_or(0) + 1;
            rows.push(vec![
                (i + 1).to_string(),
                code(ps, pg, 1980, 3, d, Sex::Male),
                format!("{d:02}/05/{y}"),
                pg.to_string(),
                s.to_string(),
                code(s, g, y, 5, d, sex),
                g.to_string(),
                ps.to_string(),
                "2025-09-01".to_string(),
            ]);
        }
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        Sample::from_rows(
            "x",
            &["ID", "P1", "D1", "N2", "S1", "C1", "N1", "S2", "D2"],
            &rows,
        )
    }

    #[test]
    fn the_person_is_the_code_its_names_and_birth_date_agree_with() {
        let s = pupils();
        let cols = recognise(&s, &NameTable::default(), today());
        let d = draft(&s, &cols, None, today());
        let mapping: Vec<(Attr, &str)> = d.mapping.iter().map(|(a, c)| (*a, c.as_str())).collect();
        assert_eq!(
            mapping,
            [
                (Attr::CodiceFiscale, "C1"),
                (Attr::Cognome, "S1"),
                (Attr::Nome, "N1"),
                (Attr::DataNascita, "D1"),
            ]
        );
        assert_eq!(d.others.len(), 1);
        assert_eq!(d.others[0].column, 1);
    }

    #[test]
    fn the_drafted_section_reads_back_as_the_defaults_of_its_mapping() {
        let s = pupils();
        let cols = recognise(&s, &NameTable::default(), today());
        let d = draft(&s, &cols, None, today());
        let mut text = String::new();
        for c in &s.columns {
            let _ = writeln!(text, "{}", field_header(c));
        }
        text.push_str(&d.text);
        let rules = crate::rules::load_str(
            &text,
            std::path::Path::new("draft.toml"),
            std::path::Path::new("."),
            today(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let spec = crate::link::spec::from_rules(&rules)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .unwrap_or_else(|| panic!("no [link] in\n{text}"));
        assert_eq!(spec, LinkSpec::with_fields(d.mapping.clone()), "{text}");
        assert_eq!(spec, d.spec);
    }

    /// The anagrafe of the pupils and their parents, a family each.
    fn anagrafe() -> Reference {
        let s = pupils();
        let mut rows: Vec<Vec<String>> = Vec::new();
        for (i, r) in s.rows.iter().enumerate() {
            let fam = (i + 1).to_string();
            let parent_birth = format!("1980-03-{:02}", i + 1);
            let child_birth = crate::identity::dates::parse_date(&r[2], today())
                .map(|d| d.to_string())
                .unwrap_or_default();
            rows.push(vec![
                fam.clone(),
                r[7].clone(),
                r[3].clone(),
                parent_birth,
                r[1].clone(),
            ]);
            rows.push(vec![
                fam,
                r[4].clone(),
                r[6].clone(),
                child_birth,
                r[5].clone(),
            ]);
        }
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let sample = Sample::from_rows("anagrafe", &["FAM", "COG", "NOM", "NATO", "CF"], &rows);
        let spec = LinkSpec::with_fields(vec![
            (Attr::CodiceFiscale, "CF".into()),
            (Attr::Cognome, "COG".into()),
            (Attr::Nome, "NOM".into()),
            (Attr::DataNascita, "NATO".into()),
        ]);
        Reference::new(sample, spec, Some(0), today())
    }

    #[test]
    fn a_second_code_of_an_older_member_of_the_family_is_a_parents() {
        let s = pupils();
        let r = anagrafe();
        let cols = recognise(&s, &r.names, today());
        let d = draft(&s, &cols, Some(&r), today());
        assert_eq!(d.others.len(), 1);
        let o = &d.others[0];
        assert_eq!((o.column, o.rows), (1, 4));
        assert_eq!(o.same_family, Some(1.0));
        assert!(o.older > 0.99 && o.same_person < 0.01, "{o:?}");
        assert!(o.reading().starts_with("a parent's"), "{}", o.reading());
        insta::assert_snapshot!("link_draft_pupils", d.text);
    }

    #[test]
    fn names_and_a_birth_date_next_to_a_parents_code_only_are_the_person() {
        let s = pupils();
        // Drop the pupil's own code.
        let keep = [0usize, 1, 2, 3, 4, 6, 7, 8];
        let rows: Vec<Vec<&str>> = s
            .rows
            .iter()
            .map(|r| keep.iter().map(|&i| r[i].as_str()).collect())
            .collect();
        let names: Vec<&str> = keep.iter().map(|&i| s.columns[i].as_str()).collect();
        let s = Sample::from_rows("x", &names, &rows);
        let r = anagrafe();
        let cols = recognise(&s, &r.names, today());
        let d = draft(&s, &cols, Some(&r), today());
        let mapping: Vec<(Attr, &str)> = d.mapping.iter().map(|(a, c)| (*a, c.as_str())).collect();
        assert_eq!(
            mapping,
            [
                (Attr::Cognome, "S1"),
                (Attr::Nome, "N1"),
                (Attr::DataNascita, "D1")
            ]
        );
        assert_eq!(d.others.len(), 1);
        assert_eq!(d.others[0].column, 1);
    }

    #[test]
    fn numbers_are_written_as_toml_floats() {
        assert_eq!(fmt_num(0.95), "0.95");
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_num(0.8), "0.8");
        assert_eq!(fmt_num(1.0), "1.0");
    }
}
