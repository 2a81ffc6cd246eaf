//! Decisions: per extract record, a deterministic tier if one links it to
//! exactly one resident (and, for a codice fiscale tier, the resident's
//! name or birth date agrees: otherwise the code is someone else's — a
//! parent's typed in a child's field — and the record is left to the
//! model, with a note); else the best candidate by match weight: `match`
//! at or above the match threshold, `review` in the band below, else
//! `unmatched`. Two candidates within the tie margin make a near-tie:
//! `review`.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;

use rayon::prelude::*;

use super::compare::{self, date_level, level_of, name_level, Comparer, NameCache, Pattern};
use super::model::{probability, Model};
use super::prepare::{NameTable, Person, NONE};
use super::spec::{Attr, CompKind, ComparisonSpec, Thresholds, Tier};
use super::tier::LinkTier;
use super::Candidate;

/// The outcome of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Linked.
    Match,
    /// A person should look at it.
    Review,
    /// Not linked.
    Unmatched,
}

impl Status {
    /// The name in links.csv.
    pub fn name(self) -> &'static str {
        match self {
            Status::Match => "match",
            Status::Review => "review",
            Status::Unmatched => "unmatched",
        }
    }

    /// The status named `s`.
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "match" => Some(Status::Match),
            "review" => Some(Status::Review),
            "unmatched" => Some(Status::Unmatched),
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub use super::notes::{LinkNotes, NOTE_CF_OTHER, NOTE_NEAR_TIE};

/// One row of links.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkRow {
    /// 1-based data row of the extract.
    pub row: u64,
    /// The record key.
    pub key: String,
    /// The resident's identifier (for `match` and `review`).
    pub person: Option<String>,
    /// Index of the resident in the anagrafe records.
    pub resident: Option<u32>,
    /// The outcome.
    pub status: Status,
    /// The deterministic tier, or the model.
    pub tier: LinkTier,
    /// Match weight of the chosen (or best) candidate.
    pub weight: Option<f64>,
    /// Its match probability.
    pub probability: Option<f64>,
    /// What the linkage noted.
    pub note: LinkNotes,
    /// For a record left to review: the second-best candidate's identifier
    /// and weight, so the reviewer sees the alternative.
    pub runner_up: Option<(String, f64)>,
}

/// Key hash → the one resident with that key ([`SHARED`] when several
/// have it).
type Owners = HashMap<u64, u32, foldhash::fast::FixedState>;

/// In [`Owners`]: the key is several residents'.
const SHARED: u32 = u32::MAX;

/// The index of the deterministic tiers: per tier, each key's owner.
pub struct TierIndex {
    tiers: Vec<Tier>,
    index: Vec<Owners>,
    cf_tier: Option<usize>,
    /// For the codice fiscale tier: the codes as written (twins with the
    /// same names share a base form, their codes differ by omocodia).
    written: Owners,
}

/// The owners of keys given as (key, resident) pairs.
fn owners(mut v: Vec<(u64, u32)>) -> Owners {
    v.sort_unstable();
    let mut out = Owners::default();
    let mut i = 0;
    while i < v.len() {
        let k = v[i].0;
        let n = v[i..].iter().take_while(|e| e.0 == k).count();
        out.insert(k, if n == 1 { v[i].1 } else { SHARED });
        i += n;
    }
    out
}

fn tier_key(tier: &Tier, p: &Person, split: usize, names: &NameTable) -> Option<u64> {
    tier_key_with(tier, p, split, names, false)
}

/// The key of `p` under `tier`; `written` takes the codice fiscale as
/// written instead of its base form.
fn tier_key_with(
    tier: &Tier,
    p: &Person,
    split: usize,
    names: &NameTable,
    written: bool,
) -> Option<u64> {
    let hasher = foldhash::fast::FixedState::with_seed(0x7469_6572);
    let (s, n) = *p.splits.get(split)?;
    let mut buf: Vec<u8> = Vec::with_capacity(48);
    for a in &tier.attrs {
        buf.push(0xFF);
        match a {
            Attr::CodiceFiscale if written => match p.cf {
                super::prepare::CfValue::Valid { code, .. } => buf.extend_from_slice(&code),
                _ => return None,
            },
            Attr::CodiceFiscale => buf.extend_from_slice(p.cf.base()?),
            Attr::Cognome | Attr::Nominativo => {
                if s == NONE {
                    return None;
                }
                buf.extend_from_slice(names.get(s)?.joined.as_bytes());
            }
            Attr::Nome => {
                if n == NONE {
                    return None;
                }
                buf.extend_from_slice(names.get(n)?.joined.as_bytes());
            }
            Attr::DataNascita => buf.extend_from_slice(&super::prepare::date_bytes(p.birth?)),
            Attr::Sesso => buf.push(p.sex?.as_char() as u8),
            Attr::LuogoNascita => buf.extend_from_slice(&p.place?),
            Attr::Indirizzo
            | Attr::Civico
            | Attr::Localita
            | Attr::Cap
            | Attr::Provincia
            | Attr::Codice => buf.extend_from_slice(names.text(p.generic(*a))?.as_bytes()),
        }
    }
    Some(hasher.hash_one(&buf))
}

impl TierIndex {
    /// Indexes the residents under every tier.
    pub fn build(tiers: &[Tier], people: &[Person], names: &NameTable) -> TierIndex {
        let index = tiers
            .iter()
            .map(|t| {
                owners(
                    people
                        .par_iter()
                        .enumerate()
                        .filter_map(|(i, p)| tier_key(t, p, 0, names).map(|k| (k, i as u32)))
                        .collect(),
                )
            })
            .collect();
        let cf_tier = tiers.iter().position(|t| t.attrs == [Attr::CodiceFiscale]);
        let written = match cf_tier {
            None => Owners::default(),
            Some(t) => owners(
                people
                    .par_iter()
                    .enumerate()
                    .filter_map(|(i, p)| {
                        tier_key_with(&tiers[t], p, 0, names, true).map(|k| (k, i as u32))
                    })
                    .collect(),
            ),
        };
        TierIndex {
            tiers: tiers.to_vec(),
            index,
            cf_tier,
            written,
        }
    }

    fn unique(&self, t: usize, k: u64) -> Option<u32> {
        unique_in(&self.index[t], k)
    }

    /// The resident whose code is the record's as written, if exactly one.
    fn written_owner(&self, p: &Person, names: &NameTable) -> Option<u32> {
        let t = self.cf_tier?;
        let k = tier_key_with(&self.tiers[t], p, 0, names, true)?;
        unique_in(&self.written, k)
    }
}

fn unique_in(idx: &Owners, k: u64) -> Option<u32> {
    idx.get(&k).copied().filter(|&r| r != SHARED)
}

impl TierIndex {
    /// Per tier, in order, the resident it links `p` to (when exactly one).
    pub fn lookup(&self, p: &Person, names: &NameTable) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        'tiers: for t in 0..self.tiers.len() {
            if Some(t) == self.cf_tier {
                if let Some(r) = self.written_owner(p, names) {
                    out.push((t, r));
                    continue;
                }
            }
            for split in 0..p.splits.len() {
                if let Some(k) = tier_key(&self.tiers[t], p, split, names) {
                    if let Some(r) = self.unique(t, k) {
                        out.push((t, r));
                        continue 'tiers;
                    }
                }
            }
        }
        out
    }

    /// The resident whose CF (base form) is the record's, if any.
    pub fn cf_owner(&self, p: &Person, names: &NameTable) -> Option<u32> {
        if let Some(r) = self.written_owner(p, names) {
            return Some(r);
        }
        let t = self.cf_tier?;
        let k = tier_key(&self.tiers[t], p, 0, names)?;
        self.unique(t, k)
    }
}

/// What decisions need.
pub struct Context<'a> {
    /// The model.
    pub model: &'a Model,
    /// The comparer.
    pub comparer: &'a Comparer<'a>,
    /// The comparisons.
    pub comparisons: &'a [ComparisonSpec],
    /// The tiers.
    pub tiers: &'a [Tier],
    /// Term frequencies per comparison.
    pub tf: &'a [Option<Vec<u32>>],
    /// Number of residents.
    pub residents: usize,
    /// Thresholds.
    pub thresholds: Thresholds,
    /// Near-tie margin in bits.
    pub tie_margin: f64,
}

/// One term of a match weight, for explanations.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// `prior` or the comparison's field.
    pub name: String,
    /// The level (empty for the prior).
    pub level: String,
    /// The weight it adds.
    pub weight: f64,
    /// Of which term-frequency adjustment.
    pub tf_adjustment: f64,
}

impl Context<'_> {
    /// The term-frequency adjustment of comparison `c` at `level` for the
    /// resident's value: at exact agreement, and at the swapped level (the
    /// record holds the resident's value, in the other column).
    fn tf_adjustment(&self, c: usize, level: u8, ana: &Person, cand: &Candidate) -> f64 {
        let _ = cand;
        let Some(Some(freq)) = self.tf.get(c) else {
            return 0.0;
        };
        if self.comparisons[c].kind != CompKind::Name
            || !matches!(
                level,
                compare::name_level::EXACT | compare::name_level::SWAPPED
            )
        {
            return 0.0;
        }
        let id = match self.comparisons[c].attr {
            Attr::Cognome => ana.surname(),
            _ => ana.name(),
        };
        let n = self.residents.max(1) as f64;
        let f = freq.get(id as usize).copied().unwrap_or(0).max(1) as f64 / n;
        let u_exact = self
            .model
            .comparisons
            .get(c)
            .and_then(|cp| cp.levels.first())
            .map_or(f, |l| l.u);
        (u_exact / f).log2()
    }

    /// The terms of a candidate's weight.
    pub fn terms(&self, cand: &Candidate, ana: &Person) -> Vec<Term> {
        let mut out = vec![Term {
            name: "prior".into(),
            level: String::new(),
            weight: self.model.prior_weight(),
            tf_adjustment: 0.0,
        }];
        for (c, spec) in self.comparisons.iter().enumerate() {
            let level = level_of(cand.pattern, c);
            let tf = self.tf_adjustment(c, level, ana, cand);
            out.push(Term {
                name: spec.attr.name().to_string(),
                level: spec
                    .kind
                    .levels()
                    .get(usize::from(level))
                    .map_or("?", |l| l.name)
                    .to_string(),
                weight: self.model.level_weight(c, level) + tf,
                tf_adjustment: tf,
            });
        }
        out
    }

    /// The match weight of a candidate.
    pub fn weight(&self, cand: &Candidate, ana: &Person) -> f64 {
        let mut w = self.model.pattern_weight(cand.pattern);
        for c in 0..self.comparisons.len() {
            w += self.tf_adjustment(c, level_of(cand.pattern, c), ana, cand);
        }
        w
    }

    fn level(&self, attr: Attr, p: Pattern) -> Option<u8> {
        self.comparisons
            .iter()
            .position(|c| c.attr == attr)
            .map(|i| level_of(p, i))
    }

    /// Whether a CF-tier resident is corroborated by the given name or the
    /// birth date (a parent's code in a child's field is not).
    fn corroborated(&self, ext: &Person, ana: &Person, p: Pattern, cache: &mut NameCache) -> bool {
        use name_level as nl;
        let names = self.comparer.names;
        let name = match self.level(Attr::Nome, p) {
            Some(l) => l,
            None => {
                let (es, en) = ext.splits[0];
                compare::name_level(
                    names,
                    en,
                    ana.name(),
                    es,
                    ana.surname(),
                    [0.92, 0.8],
                    // A cache slot no comparison uses.
                    compare::MAX_COMPARISONS as u64,
                    cache,
                )
            }
        };
        let date = self
            .level(Attr::DataNascita, p)
            .unwrap_or_else(|| compare::date_level(ext.birth, ana.birth));
        let name_ok = matches!(name, nl::EXACT | nl::VARIANT | nl::SWAPPED | nl::JW_HIGH);
        let date_ok = matches!(
            date,
            date_level::EXACT | date_level::SWAPPED | date_level::ONE_OFF
        );
        // A parent often shares the child's surname, sometimes the given
        // name too: when both records have a birth date, it decides.
        if date != date_level::NULL {
            return date_ok;
        }
        name_ok || name == nl::NULL
    }

    /// The candidates as scored: a code that is another resident's is
    /// ignored for the other candidates. Returns them with their weights,
    /// best first (ties by resident order), and the notes.
    pub fn scored(
        &self,
        ext: &Person,
        cands: &[Candidate],
        anagrafe: &[Person],
        tiers: &TierIndex,
        cache: &mut NameCache,
    ) -> (Vec<(f64, Candidate)>, LinkNotes) {
        let mut notes = LinkNotes::default();
        let prep = self.comparer.prepare(ext);
        let mut cf_mask: Option<(u32, Pattern)> = None;
        if let Some(owner) = tiers.cf_owner(ext, self.comparer.names) {
            let c = self.candidate_for(ext, &prep, cands, owner, anagrafe, cache);
            if !self.corroborated(ext, &anagrafe[owner as usize], c.pattern, cache) {
                notes.cf_of_other_resident = true;
                if let Some(i) = self
                    .comparisons
                    .iter()
                    .position(|c| c.kind == CompKind::CodiceFiscale)
                {
                    cf_mask = Some((owner, !(0xF << (4 * i))));
                }
            }
        }
        let mut scored: Vec<(f64, Candidate)> = cands
            .iter()
            .map(|c| {
                let mut c = *c;
                if let Some((owner, mask)) = cf_mask {
                    if c.ana != owner {
                        c.pattern &= mask;
                    }
                }
                (self.weight(&c, &anagrafe[c.ana as usize]), c)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.ana.cmp(&b.1.ana)));
        (scored, notes)
    }

    /// The candidate for resident `a`: from the blocked ones, or compared now.
    pub fn candidate_for(
        &self,
        ext: &Person,
        prep: &super::compare::Prepared,
        cands: &[Candidate],
        a: u32,
        anagrafe: &[Person],
        cache: &mut NameCache,
    ) -> Candidate {
        match cands.iter().find(|c| c.ana == a) {
            Some(c) => *c,
            None => {
                let (pattern, split) =
                    self.comparer
                        .compare(ext, prep, &anagrafe[a as usize], cache);
                Candidate {
                    ana: a,
                    pattern,
                    split,
                }
            }
        }
    }

    /// Decides one record.
    pub fn decide(
        &self,
        ext: &Person,
        cands: &[Candidate],
        tier_hits: &[(usize, u32)],
        anagrafe: &[Person],
        tiers: &TierIndex,
        cache: &mut NameCache,
    ) -> LinkRow {
        let (scored, mut notes) = self.scored(ext, cands, anagrafe, tiers, cache);
        for &(t, a) in tier_hits {
            let is_cf_tier = self.tiers[t].attrs.contains(&Attr::CodiceFiscale);
            if is_cf_tier && notes.cf_of_other_resident {
                continue;
            }
            let prep = self.comparer.prepare(ext);
            let c = self.candidate_for(ext, &prep, cands, a, anagrafe, cache);
            let ana = &anagrafe[a as usize];
            let w = scored
                .iter()
                .find(|s| s.1.ana == a)
                .map_or_else(|| self.weight(&c, ana), |s| s.0);
            return LinkRow {
                row: ext.row,
                key: ext.key.to_string(),
                person: Some(ana.key.to_string()),
                resident: Some(a),
                status: Status::Match,
                tier: LinkTier::Rule(self.tiers[t].name.clone()),
                weight: Some(w),
                probability: Some(probability(w)),
                note: notes,
                runner_up: None,
            };
        }
        // Probabilistic: the best candidate.
        let mut row = LinkRow {
            row: ext.row,
            key: ext.key.to_string(),
            person: None,
            resident: None,
            status: Status::Unmatched,
            tier: LinkTier::Probabilistic,
            weight: None,
            probability: None,
            note: LinkNotes::default(),
            runner_up: None,
        };
        if let Some(&(w, best)) = scored.first() {
            let p = probability(w);
            row.weight = Some(w);
            row.probability = Some(p);
            row.status = if p >= self.thresholds.matched {
                Status::Match
            } else if p >= self.thresholds.review {
                Status::Review
            } else {
                Status::Unmatched
            };
            if row.status != Status::Unmatched {
                if let Some(&(w2, _)) = scored.get(1) {
                    if w - w2 < self.tie_margin {
                        row.status = Status::Review;
                        notes.near_tie = true;
                    }
                }
                row.person = Some(anagrafe[best.ana as usize].key.to_string());
                row.resident = Some(best.ana);
            }
            if row.status == Status::Review {
                row.runner_up = scored
                    .get(1)
                    .map(|&(w2, c)| (anagrafe[c.ana as usize].key.to_string(), w2));
            }
        }
        row.note = notes;
        row
    }
}
