//! Blocking: which residents are compared with an extract record. Several
//! rules, OR-ed; each rule is a list of keys (attributes or keys derived
//! from them) that must all agree. Each rule is an index of the anagrafe:
//! a sorted vector of (key hash, resident), searched by binary search —
//! 12 bytes per resident and rule. Pairs found by several rules are
//! compared once. A block larger than the cap is skipped for that record
//! and counted, rather than exhausting memory.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::prepare::{NameTable, Person, NONE};
use super::spec::KeyPart;

/// The keys of `p` under `rule` (one per reading of its names; none when a
/// part is missing), appended to `out`.
pub fn keys(rule: &[KeyPart], p: &Person, names: &NameTable, out: &mut Vec<u64>) {
    let hasher = foldhash::fast::FixedState::with_seed(0x7661_676c_696f);
    let mut buf: Vec<u8> = Vec::with_capacity(64);
    for (k, &(s, n)) in p.splits.iter().enumerate() {
        // Only the name parts differ between readings.
        let uses_names = rule.iter().any(|part| {
            matches!(
                part,
                KeyPart::Cognome
                    | KeyPart::Nome
                    | KeyPart::CognomeFonetico
                    | KeyPart::NomeFonetico
                    | KeyPart::CfCognome
                    | KeyPart::CfNome
                    | KeyPart::Iniziali
                    | KeyPart::NomiOrdinati
            )
        });
        if k > 0 && !uses_names {
            break;
        }
        buf.clear();
        let mut ok = true;
        for part in rule {
            buf.push(0xFF);
            let si = (s != NONE).then(|| names.get(s)).flatten();
            let ni = (n != NONE).then(|| names.get(n)).flatten();
            match part {
                KeyPart::CodiceFiscale => match p.cf.base() {
                    Some(b) => buf.extend_from_slice(b),
                    None => ok = false,
                },
                KeyPart::Cognome => match si {
                    Some(i) => buf.extend_from_slice(i.joined.as_bytes()),
                    None => ok = false,
                },
                KeyPart::Nome => match ni {
                    Some(i) => buf.extend_from_slice(i.joined.as_bytes()),
                    None => ok = false,
                },
                KeyPart::CognomeFonetico => match si {
                    Some(i) if !i.phonetic.is_empty() => {
                        buf.extend_from_slice(i.phonetic.as_bytes())
                    }
                    _ => ok = false,
                },
                KeyPart::NomeFonetico => match ni {
                    Some(i) if !i.phonetic.is_empty() => {
                        buf.extend_from_slice(i.phonetic.as_bytes())
                    }
                    _ => ok = false,
                },
                KeyPart::DataNascita => match p.birth {
                    Some(d) => buf.extend_from_slice(&super::prepare::date_bytes(d)),
                    None => ok = false,
                },
                KeyPart::AnnoNascita => match p.birth {
                    Some(d) => buf.extend_from_slice(&chrono::Datelike::year(&d).to_le_bytes()),
                    None => ok = false,
                },
                KeyPart::Sesso => match p.sex {
                    Some(x) => buf.push(x.as_char() as u8),
                    None => ok = false,
                },
                KeyPart::LuogoNascita => match p.place {
                    Some(x) => buf.extend_from_slice(&x),
                    None => ok = false,
                },
                KeyPart::CfCognome => match (si, p.cf.text()) {
                    (Some(i), _) => buf.extend_from_slice(&i.surname_code),
                    (None, Some(t)) => buf.extend_from_slice(&t[..3]),
                    _ => ok = false,
                },
                KeyPart::CfNome => match (ni, p.cf.text()) {
                    (Some(i), _) => buf.extend_from_slice(&i.name_code),
                    (None, Some(t)) => buf.extend_from_slice(&t[3..6]),
                    _ => ok = false,
                },
                KeyPart::CfData => match p.cf.base().or(p.cf.text()) {
                    Some(t) => buf.extend_from_slice(&t[6..11]),
                    None => ok = false,
                },
                KeyPart::Indirizzo
                | KeyPart::Civico
                | KeyPart::Localita
                | KeyPart::Cap
                | KeyPart::Provincia
                | KeyPart::Codice => {
                    let id = part.generic().map_or(NONE, |a| p.generic(a));
                    match names.text(id) {
                        Some(t) => buf.extend_from_slice(t.as_bytes()),
                        None => ok = false,
                    }
                }
                KeyPart::NomiOrdinati => match (si, ni) {
                    (Some(a), Some(b)) => push_sorted_names(&mut buf, &a.joined, &b.joined),
                    _ => ok = false,
                },
                KeyPart::Iniziali => match (si, ni) {
                    (Some(a), Some(b)) => {
                        buf.push(a.joined.as_bytes().first().copied().unwrap_or(b'?'));
                        buf.push(b.joined.as_bytes().first().copied().unwrap_or(b'?'));
                    }
                    _ => ok = false,
                },
            }
            if !ok {
                break;
            }
        }
        if ok {
            let h = hasher.hash_one(&buf);
            if !out.contains(&h) {
                out.push(h);
            }
        }
    }
}

/// The [`KeyPart::NomiOrdinati`] part of a key: the two names in sorted
/// order, apart (`MARIO`, `ROSSI` → `MARIO|ROSSI`, whichever was the
/// surname). The separator keeps `AB`+`C` and `A`+`BC` apart.
fn push_sorted_names(buf: &mut Vec<u8>, a: &str, b: &str) {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    buf.extend_from_slice(first.as_bytes());
    buf.push(b'|');
    buf.extend_from_slice(second.as_bytes());
}

/// The blocking index of the anagrafe: one [`RuleIndex`] per rule.
pub struct BlockIndex {
    rules: Vec<Vec<KeyPart>>,
    parts: Vec<Arc<RuleIndex>>,
}

/// The index of the anagrafe under one blocking rule (at its position in
/// its list, which its keys carry).
pub struct RuleIndex {
    /// The residents, grouped by key.
    residents: Vec<u32>,
    /// Key → (start, length) of its block in `residents` (one hash lookup
    /// per key: a binary search over a city's keys missed the cache at every
    /// step).
    blocks: HashMap<u64, (u32, u32), foldhash::fast::FixedState>,
}

impl RuleIndex {
    /// Indexes the residents under `rule` (its keys do not depend on where
    /// it stands in its list, so that lists that share it share its index).
    pub fn build(rule: &[KeyPart], people: &[Person], names: &NameTable) -> RuleIndex {
        let mut v: Vec<(u64, u32)> = Vec::with_capacity(people.len());
        let mut ks = Vec::new();
        for (i, p) in people.iter().enumerate() {
            ks.clear();
            keys(rule, p, names, &mut ks);
            v.extend(ks.iter().map(|&k| (k, i as u32)));
        }
        v.sort_unstable();
        v.dedup();
        let mut blocks: HashMap<u64, (u32, u32), foldhash::fast::FixedState> = HashMap::default();
        let mut start = 0usize;
        while start < v.len() {
            let k = v[start].0;
            let end = start + v[start..].iter().take_while(|e| e.0 == k).count();
            blocks.insert(k, (start as u32, (end - start) as u32));
            start = end;
        }
        RuleIndex {
            residents: v.into_iter().map(|e| e.1).collect(),
            blocks,
        }
    }
}

/// Pairs per blocking rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlockStats {
    /// Pairs each rule produced (before de-duplication).
    pub pairs: Vec<u64>,
    /// Pairs each rule added to those of the rules before it.
    pub new_pairs: Vec<u64>,
    /// Records for which a rule's block exceeded the cap and was skipped.
    pub capped: Vec<u64>,
}

impl BlockStats {
    /// Adds another record's statistics.
    pub fn add(&mut self, o: &BlockStats) {
        let n = self.pairs.len().max(o.pairs.len());
        for v in [&mut self.pairs, &mut self.new_pairs, &mut self.capped] {
            v.resize(n, 0);
        }
        for i in 0..o.pairs.len() {
            self.pairs[i] += o.pairs[i];
            self.new_pairs[i] += o.new_pairs[i];
            self.capped[i] += o.capped[i];
        }
    }
}

impl BlockIndex {
    /// Indexes the residents under every rule.
    pub fn build(rules: &[Vec<KeyPart>], people: &[Person], names: &NameTable) -> BlockIndex {
        let parts = rules
            .par_iter()
            .map(|rule| Arc::new(RuleIndex::build(rule, people, names)))
            .collect();
        BlockIndex::from_parts(rules, parts)
    }

    /// The index of `rules` from the index of each (`parts[r]` built for
    /// `rules[r]` at position `r`).
    pub fn from_parts(rules: &[Vec<KeyPart>], parts: Vec<Arc<RuleIndex>>) -> BlockIndex {
        BlockIndex {
            rules: rules.to_vec(),
            parts,
        }
    }

    /// The residents of rule `r` whose key is `k` (in resident order).
    fn block(&self, r: usize, k: u64) -> &[u32] {
        let part = &self.parts[r];
        match part.blocks.get(&k) {
            Some(&(start, len)) => {
                let (start, len) = (start as usize, len as usize);
                part.residents.get(start..start + len).unwrap_or(&[])
            }
            None => &[],
        }
    }

    /// The residents to compare with `p` (sorted, distinct); this record's
    /// statistics are added to `stats`. `work` holds buffers reused from
    /// record to record: a large extract allocates nothing per record but
    /// the returned list.
    pub fn candidates(
        &self,
        p: &Person,
        names: &NameTable,
        max_block: usize,
        stats: &mut BlockStats,
        work: &mut Scratch,
    ) -> Vec<u32> {
        let n = self.rules.len();
        if stats.pairs.len() < n {
            for v in [&mut stats.pairs, &mut stats.new_pairs, &mut stats.capped] {
                v.resize(n, 0);
            }
        }
        let Scratch { all, keys: ks } = work;
        all.clear();
        for (r, rule) in self.rules.iter().enumerate() {
            ks.clear();
            keys(rule, p, names, ks);
            for &k in ks.iter() {
                let block = self.block(r, k);
                if block.len() > max_block {
                    stats.capped[r] += 1;
                    continue;
                }
                stats.pairs[r] += block.len() as u64;
                all.extend(block.iter().map(|&a| (a, r as u8)));
            }
        }
        all.sort_unstable();
        all.dedup_by_key(|e| e.0);
        for &(_, r) in all.iter() {
            stats.new_pairs[usize::from(r)] += 1;
        }
        all.iter().map(|e| e.0).collect()
    }
}

/// Buffers [`BlockIndex::candidates`] reuses from record to record.
#[derive(Default)]
pub struct Scratch {
    /// The residents found, with the rule that found them.
    all: Vec<(u32, u8)>,
    /// A record's keys under one rule.
    keys: Vec<u64>,
}

/// The blocking rules would give more candidate pairs than `[link]
/// max_pairs` allows: the linkage stops before comparing any.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("linking would compare {pairs} candidate pairs, more than max_pairs = {limit} ({rules})")]
#[diagnostic(
    code(vaglio::link::max_pairs),
    help("raise `max_pairs` in the [link] section of {rules} (now {limit}) if the machine has the memory for them, or make the blocking rules more selective (add a key to the broadest rule), or lower `max_block_size`")
)]
pub struct TooManyPairs {
    /// Candidate pairs the rules give (a pair found by several rules counts
    /// once per rule).
    pub pairs: u64,
    /// The limit.
    pub limit: u64,
    /// The rule file with the `[link]` section.
    pub rules: String,
}

impl BlockIndex {
    /// The candidate pairs `extract` would give, as
    /// [`BlockStats::pairs`] counts them (per rule, before a pair found by
    /// several rules is de-duplicated; blocks over `max_block` skipped).
    /// Only hash lookups: nothing is allocated per pair.
    pub fn count_pairs(&self, extract: &[Person], names: &NameTable, max_block: usize) -> u64 {
        extract
            .par_iter()
            .map_init(Vec::new, |ks, p| {
                let mut n = 0u64;
                for (r, rule) in self.rules.iter().enumerate() {
                    ks.clear();
                    keys(rule, p, names, ks);
                    for &k in ks.iter() {
                        let len = self.block(r, k).len();
                        if len <= max_block {
                            n = n.saturating_add(len as u64);
                        }
                    }
                }
                n
            })
            .reduce(|| 0, u64::saturating_add)
    }

    /// Stops with [`TooManyPairs`] when `extract` would give more than
    /// `limit` candidate pairs; `rules` names the rule file in the message.
    pub fn check_pairs(
        &self,
        extract: &[Person],
        names: &NameTable,
        max_block: usize,
        limit: u64,
        rules: &Path,
    ) -> Result<u64, TooManyPairs> {
        let pairs = self.count_pairs(extract, names, max_block);
        if pairs > limit {
            return Err(TooManyPairs {
                pairs,
                limit,
                rules: rules.display().to_string(),
            });
        }
        Ok(pairs)
    }
}

/// Blocking recall against labels: for each rule, the share of true pairs
/// (record, its resident) the rule alone finds, and the share the rules up
/// to it find together.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockingRecall {
    /// True pairs considered (records whose resident is in the anagrafe).
    pub pairs: u64,
    /// Per rule: (found by this rule, found by this rule or an earlier one).
    pub per_rule: Vec<(u64, u64)>,
}

/// Measures blocking recall: `truth` gives, per extract record, the index of
/// its resident in `anagrafe`.
pub fn recall(
    rules: &[Vec<KeyPart>],
    extract: &[Person],
    truth: &[Option<u32>],
    anagrafe: &[Person],
    names: &NameTable,
) -> BlockingRecall {
    let mut out = BlockingRecall {
        pairs: 0,
        per_rule: vec![(0, 0); rules.len()],
    };
    let (mut ka, mut kb) = (Vec::new(), Vec::new());
    for (e, t) in extract.iter().zip(truth) {
        let Some(a) = t else { continue };
        let Some(ana) = anagrafe.get(*a as usize) else {
            continue;
        };
        out.pairs += 1;
        let mut found_before = false;
        for (r, rule) in rules.iter().enumerate() {
            ka.clear();
            kb.clear();
            keys(rule, e, names, &mut ka);
            keys(rule, ana, names, &mut kb);
            let found = ka.iter().any(|k| kb.contains(k));
            if found {
                out.per_rule[r].0 += 1;
            }
            found_before |= found;
            if found_before {
                out.per_rule[r].1 += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::names::normalize_name;
    use crate::link::prepare::CfValue;
    use crate::link::spec::{Attr, LinkSpec};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn person(names: &mut NameTable, surname: &str, name: &str, birth: NaiveDate) -> Person {
        let s = names.intern(&normalize_name(surname));
        let n = names.intern(&normalize_name(name));
        Person {
            row: 1,
            key: "1".into(),
            cf: CfValue::None,
            splits: crate::link::prepare::Splits::one(s, n),
            birth: Some(birth),
            sex: None,
            place: None,
            extra: [NONE; 6],
        }
    }

    fn key(rule: &[KeyPart], p: &Person, names: &NameTable) -> Vec<u64> {
        let mut out = Vec::new();
        keys(rule, p, names, &mut out);
        out
    }

    const SORTED: [KeyPart; 2] = [KeyPart::NomiOrdinati, KeyPart::AnnoNascita];

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    proptest! {
        #[test]
        fn swapping_the_names_keeps_the_sorted_key(
            a in "[A-Za-z' ]{1,16}",
            b in "[A-Za-z' ]{1,16}",
            year in 1900i32..2025,
        ) {
            let mut names = NameTable::default();
            let d = date(year, 3, 4);
            let straight = person(&mut names, &a, &b, d);
            let swapped = person(&mut names, &b, &a, d);
            let k = key(&SORTED, &straight, &names);
            prop_assert_eq!(&k, &key(&SORTED, &swapped, &names));
            let both = !normalize_name(&a).is_empty() && !normalize_name(&b).is_empty();
            prop_assert_eq!(k.len(), usize::from(both), "one key when both names are there");
            // The birth year is still part of the key.
            let later = person(&mut names, &b, &a, date(year + 1, 3, 4));
            if both {
                prop_assert_ne!(k, key(&SORTED, &later, &names));
            }
        }
    }

    #[test]
    fn the_sorted_key_tells_names_apart() {
        let mut names = NameTable::default();
        let d = date(1980, 1, 1);
        let rossi_mario = person(&mut names, "Rossi", "Mario", d);
        let mario_rossi = person(&mut names, "MARIO", "ROSSI", d);
        let rossi_maria = person(&mut names, "Rossi", "Maria", d);
        let ab_c = person(&mut names, "AB", "C", d);
        let a_bc = person(&mut names, "A", "BC", d);
        let de_luca = person(&mut names, "De Luca", "Anna", d);
        let deluca = person(&mut names, "ANNA", "DELUCA", d);
        let no_name = person(&mut names, "Rossi", "", d);
        let k = |p: &Person| key(&SORTED, p, &names);
        assert_eq!(k(&rossi_mario), k(&mario_rossi));
        assert_ne!(k(&rossi_mario), k(&rossi_maria));
        assert_ne!(k(&ab_c), k(&a_bc));
        // Particles glued as in the other name keys.
        assert_eq!(k(&de_luca), k(&deluca));
        // A missing name gives no key (the one-name rules cover it).
        assert!(k(&no_name).is_empty());
    }

    /// A record with surname and name exchanged and no codice fiscale: no
    /// default rule finds its resident but the sorted-names one.
    #[test]
    fn only_the_sorted_names_rule_finds_a_swapped_record_without_cf() {
        let spec = LinkSpec::with_fields(
            [
                Attr::CodiceFiscale,
                Attr::Cognome,
                Attr::Nome,
                Attr::DataNascita,
            ]
            .into_iter()
            .map(|a| (a, String::new()))
            .collect(),
        );
        let mut names = NameTable::default();
        let d = date(1975, 6, 21);
        let mut resident = person(&mut names, "Bianchi", "Giulia", d);
        resident.cf = crate::link::prepare::cf_value("BNCGLI75H61A944E", date(2025, 12, 31));
        let swapped = person(&mut names, "Giulia", "Bianchi", d);
        let r = recall(&spec.blocking, &[swapped], &[Some(0)], &[resident], &names);
        let found: Vec<String> = spec
            .blocking
            .iter()
            .zip(&r.per_rule)
            .filter(|(_, (alone, _))| *alone > 0)
            .map(|(rule, _)| rule.iter().map(|k| k.name()).collect::<Vec<_>>().join("+"))
            .collect();
        assert_eq!(found, ["nomi_ordinati+anno_nascita"]);
    }
}
