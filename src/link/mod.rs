//! Linking the people of an extract to the anagrafe: deterministic tiers,
//! then Fellegi–Sunter.
//!
//! | module | what |
//! |---|---|
//! | [`spec`] | the `[link]` section of a rule file, with span diagnostics |
//! | [`prepare`] | normalised person records (CF base form, folded names, dates), names interned |
//! | [`block`] | blocking rules OR-ed, as sorted-vector indexes of the anagrafe; pair counts per rule |
//! | [`compare`] | comparisons with levels, a pattern per pair; name-pair cache |
//! | [`model`] | the Fellegi–Sunter model: u by seeded sampling, m by EM on pattern counts, λ from the tiers |
//! | [`decide`] | per record: tier, best candidate, thresholds, near-ties, a CF that is someone else's |
//! | [`eval`] | precision, recall and F1 against a truth file |
//!
//! [`link`] runs the whole stage and returns one [`LinkRow`] per extract
//! record, in row order, independent of the number of threads.

pub mod block;
pub mod compare;
pub mod decide;
pub mod eval;
pub mod explain;
pub mod jaro;
pub mod model;
pub mod notes;
pub mod prepare;
pub mod spec;
pub mod tier;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rayon::prelude::*;

use self::block::{BlockIndex, BlockStats};
use self::compare::{Comparer, NameCache, Pattern};
use self::model::{ComparisonParams, LevelParams, Model};
use self::prepare::{NameTable, Person};
use self::spec::{Attr, CompKind, ComparisonSpec, LinkSpec};
use crate::read::Table;
use crate::rng::Rng;
use crate::rules::RuleSet;

pub use self::decide::{LinkRow, Status};

/// A candidate pair after comparison.
#[derive(Clone, Copy, Debug)]
pub struct Candidate {
    /// The resident (index into the anagrafe records).
    pub ana: u32,
    /// The comparison levels.
    pub pattern: Pattern,
    /// The reading of the extract's names used.
    pub split: u8,
}

/// Everything the linkage of one extract produced.
pub struct Linkage {
    /// The source name (rule file `name`, else the file stem).
    pub source: String,
    /// One row per extract record, in row order.
    pub rows: Vec<LinkRow>,
    /// The model used.
    pub model: Model,
    /// The comparisons, as used (those the anagrafe can answer).
    pub comparisons: Vec<ComparisonSpec>,
    /// Blocking statistics.
    pub blocking: BlockStats,
    /// The blocking rules, as names.
    pub blocking_rules: Vec<String>,
    /// The blocking rules.
    pub blocking_keys: Vec<Vec<spec::KeyPart>>,
    /// Records linked by each deterministic tier (before decisions).
    pub tier_hits: Vec<(String, u64)>,
    /// The extract records.
    pub records: usize,
    /// The anagrafe records.
    pub residents: usize,
    /// The prepared data, for explanations.
    pub data: Data,
    /// The deterministic tiers used.
    pub tiers: Vec<spec::Tier>,
    /// Their index.
    pub tier_index: Arc<decide::TierIndex>,
    /// Decision thresholds.
    pub thresholds: spec::Thresholds,
    /// Near-tie margin.
    pub tie_margin: f64,
}

/// A linking worker's blocking statistics, added to the run's total when
/// the worker is done with its share of the records.
struct Tally<'a> {
    stats: BlockStats,
    total: &'a Mutex<BlockStats>,
}

impl<'a> Tally<'a> {
    fn new(total: &'a Mutex<BlockStats>) -> Tally<'a> {
        Tally {
            stats: BlockStats::default(),
            total,
        }
    }
}

impl Drop for Tally<'_> {
    fn drop(&mut self) {
        if let Ok(mut t) = self.total.lock() {
            t.add(&self.stats);
        }
    }
}

/// The prepared records.
pub struct Data {
    /// Interned names.
    pub names: NameTable,
    /// The residents (shared when several extracts are linked to one
    /// prepared anagrafe).
    pub anagrafe: Arc<Vec<Person>>,
    /// The extract records.
    pub extract: Vec<Person>,
    /// Candidates per extract record, compared (empty for a record a
    /// deterministic tier settled; see `blocked`).
    pub candidates: Vec<Vec<Candidate>>,
    /// For a record a deterministic tier settled, the residents blocking
    /// gave, not compared (compared on demand by `explain`); else empty.
    pub blocked: Vec<Vec<u32>>,
    /// Term frequencies per comparison (by name id), when adjusted.
    pub tf: Vec<Option<Vec<u32>>>,
}

/// What to link.
pub struct LinkJob<'a> {
    /// The extract, read.
    pub extract: &'a Table,
    /// Its rules.
    pub rules: &'a RuleSet,
    /// Its `[link]` section.
    pub spec: &'a LinkSpec,
    /// The anagrafe: a file to read, or records already prepared.
    pub anagrafe: Anagrafe<'a>,
    /// The anagrafe's rules.
    pub anagrafe_rules: &'a RuleSet,
    /// The anagrafe's `[link]` section.
    pub anagrafe_spec: &'a LinkSpec,
    /// Reference date for CF centuries and two-digit years.
    pub reference: NaiveDate,
    /// A model to use instead of training one.
    pub model: Option<Model>,
    /// A progress display whose message follows the stages.
    pub progress: Option<indicatif::ProgressBar>,
}

/// The anagrafe of a [`LinkJob`].
#[derive(Clone, Copy)]
pub enum Anagrafe<'a> {
    /// Read and normalise this file (with the job's anagrafe rules).
    File(&'a Path),
    /// Records read once by [`prepare_anagrafe`], for several extracts.
    Prepared(&'a PreparedAnagrafe),
}

/// The anagrafe read and normalised once, so that `vaglio run` links every
/// source without reading it again. Linking with it gives the same rows as
/// linking with the file: each job starts from a copy of its name table.
/// Its blocking and tier indexes are built the first time a job asks for
/// them and shared by the jobs that ask again (sources with the same rules).
pub struct PreparedAnagrafe {
    /// The residents, in file order.
    pub people: Arc<Vec<Person>>,
    /// The names interned while reading them.
    pub names: NameTable,
    blocks: Mutex<HashMap<Vec<spec::KeyPart>, Arc<block::RuleIndex>>>,
    tiers: Mutex<Vec<(Vec<spec::Tier>, Arc<decide::TierIndex>)>>,
}

impl PreparedAnagrafe {
    /// Prepared residents, with no index built yet.
    pub fn new(people: Vec<Person>, names: NameTable) -> PreparedAnagrafe {
        PreparedAnagrafe {
            people: Arc::new(people),
            names,
            blocks: Mutex::default(),
            tiers: Mutex::default(),
        }
    }

    /// The blocking index of the residents under `rules`, each rule's part
    /// built once (sources that share a rule, wherever it stands in their
    /// lists, share its part).
    pub fn block_index(&self, rules: &[Vec<spec::KeyPart>]) -> BlockIndex {
        let part = |rule: &Vec<spec::KeyPart>| {
            if let Some(i) = self.blocks.lock().ok().and_then(|m| m.get(rule).cloned()) {
                return i;
            }
            let index = Arc::new(block::RuleIndex::build(rule, &self.people, &self.names));
            if let Ok(mut m) = self.blocks.lock() {
                m.insert(rule.clone(), Arc::clone(&index));
            }
            index
        };
        let parts = rules.par_iter().map(part).collect();
        BlockIndex::from_parts(rules, parts)
    }

    /// The index of the residents' keys under the deterministic `tiers`,
    /// built once.
    pub fn tier_index(&self, tiers: &[spec::Tier]) -> Arc<decide::TierIndex> {
        if let Some(i) = self.tiers.lock().ok().and_then(|v| {
            v.iter()
                .find(|(t, _)| t.as_slice() == tiers)
                .map(|(_, i)| Arc::clone(i))
        }) {
            return i;
        }
        let index = Arc::new(decide::TierIndex::build(tiers, &self.people, &self.names));
        if let Ok(mut v) = self.tiers.lock() {
            v.push((tiers.to_vec(), Arc::clone(&index)));
        }
        index
    }
}

/// The anagrafe's person identifier column: `[link] id`, else the first key
/// column.
pub fn anagrafe_id_column(rules: &RuleSet, spec: &LinkSpec) -> Option<String> {
    spec.id.clone().or_else(|| rules.input.key.first().cloned())
}

/// Normalises the anagrafe, read, once.
pub fn prepare_anagrafe(
    data: &Table,
    rules: &RuleSet,
    spec: &LinkSpec,
    reference: NaiveDate,
) -> miette::Result<PreparedAnagrafe> {
    let mut names = NameTable::default();
    let id = anagrafe_id_column(rules, spec);
    let people = prepare::people(data, rules, spec, id.as_deref(), reference, &mut names)?;
    Ok(PreparedAnagrafe::new(people, names))
}

/// The source name of an extract.
pub fn source_name(rules: &RuleSet, path: &Path) -> String {
    rules.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "source".into())
    })
}

/// Links an extract to the anagrafe.
pub fn link(job: &LinkJob) -> miette::Result<Linkage> {
    let mut clock = crate::memory::Stages::new(job.progress.clone());
    let spec = job.spec;
    let read;
    let prepared: &PreparedAnagrafe = match job.anagrafe {
        Anagrafe::File(path) => {
            let data = Table::read(path, &job.anagrafe_rules.input.read)?;
            read = prepare_anagrafe(&data, job.anagrafe_rules, job.anagrafe_spec, job.reference)?;
            &read
        }
        Anagrafe::Prepared(p) => p,
    };
    let anagrafe = Arc::clone(&prepared.people);
    let mut names = prepared.names.clone();
    clock.stage("read anagrafe");
    let extract = prepare::people(
        job.extract,
        job.rules,
        spec,
        None,
        job.reference,
        &mut names,
    )?;
    clock.stage("read extract");
    // Only what both sides have is compared, blocked on, or a tier.
    let both = |a: Attr| spec.provides(a) && job.anagrafe_spec.provides(a);
    let comparisons: Vec<ComparisonSpec> = spec
        .comparisons
        .iter()
        .filter(|c| both(c.attr))
        .take(compare::MAX_COMPARISONS)
        .cloned()
        .collect();
    let blocking: Vec<Vec<spec::KeyPart>> = spec
        .blocking
        .iter()
        .filter(|r| {
            r.iter().all(|k| {
                let probe = LinkSpec::with_fields(
                    Attr::ALL
                        .into_iter()
                        .filter(|a| both(*a))
                        .map(|a| (a, String::new()))
                        .collect(),
                );
                probe.blocking_key_available(*k)
            })
        })
        .cloned()
        .collect();
    let tiers: Vec<spec::Tier> = spec
        .deterministic
        .iter()
        .filter(|t| t.attrs.iter().all(|a| both(*a)))
        .cloned()
        .collect();

    let comparer = Comparer {
        comparisons: &comparisons,
        names: &names,
    };
    // Term frequencies of names in the anagrafe.
    let tf: Vec<Option<Vec<u32>>> = comparisons
        .iter()
        .map(|c| {
            (c.term_frequency && matches!(c.attr, Attr::Cognome | Attr::Nome)).then(|| {
                let mut v = vec![0u32; names.infos.len()];
                for p in anagrafe.iter() {
                    let id = if c.attr == Attr::Cognome {
                        p.surname()
                    } else {
                        p.name()
                    };
                    if let Some(x) = v.get_mut(id as usize) {
                        *x += 1;
                    }
                }
                v
            })
        })
        .collect();

    clock.stage("term frequencies");
    // Deterministic tiers.
    let tier_index = prepared.tier_index(&tiers);
    let tier_hits: Vec<Vec<(usize, u32)>> = extract
        .par_iter()
        .map(|e| tier_index.lookup(e, &names))
        .collect();
    let mut tier_counts: Vec<(String, u64)> =
        tiers.iter().map(|t| (t.name.to_string(), 0)).collect();
    for hits in &tier_hits {
        if let Some((t, _)) = hits.first() {
            tier_counts[*t].1 += 1;
        }
    }
    clock.stage("deterministic tiers");
    // Training's sessions need no blocked pairs; when they estimate every
    // comparison (or a model is given), the records a tier links need not
    // have their blocked pairs compared (they are only counted).
    let sessions = job
        .model
        .is_none()
        .then(|| train_sessions(&comparer, &extract, prepared, spec));
    let compare_all = spec.compare_settled || sessions.as_ref().is_some_and(|s| !s.cover_all());
    clock.stage("train (sessions)");

    // Blocking and comparison, in parallel over extract records.
    let index = prepared.block_index(&blocking);
    clock.stage("blocking index");
    let max_block = spec.max_block_size;
    index.check_pairs(&extract, &names, max_block, spec.max_pairs, &job.rules.path)?;
    let compare = |e: &Person, residents: &[u32], cache: &mut NameCache| -> Vec<Candidate> {
        let prep = comparer.prepare(e);
        residents
            .iter()
            .map(|&a| {
                let (pattern, split) = comparer.compare(e, &prep, &anagrafe[a as usize], cache);
                Candidate {
                    ana: a,
                    pattern,
                    split,
                }
            })
            .collect()
    };
    // Each worker sums its records' statistics and adds them to the total
    // when done (sums: the same for any number of workers).
    let total = Mutex::new(BlockStats::default());
    let (mut candidates, mut blocked): (Vec<Vec<Candidate>>, Vec<Vec<u32>>) = extract
        .par_iter()
        .zip(tier_hits.par_iter())
        .map_init(
            || {
                (
                    NameCache::default(),
                    Tally::new(&total),
                    block::Scratch::default(),
                )
            },
            |(cache, tally, work), (e, hits)| {
                let cands = index.candidates(e, &names, max_block, &mut tally.stats, work);
                if compare_all || hits.is_empty() {
                    (compare(e, &cands, cache), Vec::new())
                } else {
                    (Vec::new(), cands)
                }
            },
        )
        .unzip();
    let stats = total.into_inner().unwrap_or_default();
    clock.stage("block and compare");

    let model = match (&job.model, sessions) {
        (Some(m), _) => m.clone(),
        (None, sessions) => {
            let det: u64 = tier_counts.iter().map(|t| t.1).sum();
            sessions
                .unwrap_or_else(|| train_sessions(&comparer, &extract, prepared, spec))
                .finish(&comparer, &extract, &candidates, det, spec)
        }
    };

    clock.stage("train");
    let ctx = decide::Context {
        model: &model,
        comparer: &comparer,
        comparisons: &comparisons,
        tiers: &tiers,
        tf: &tf,
        residents: anagrafe.len(),
        thresholds: spec.thresholds,
        tie_margin: spec.tie_margin,
    };
    let mut rows: Vec<LinkRow> = extract
        .par_iter()
        .zip(candidates.par_iter())
        .zip(tier_hits.par_iter())
        .map_init(NameCache::default, |cache, ((e, c), t)| {
            ctx.decide(e, c, t, &anagrafe, &tier_index, cache)
        })
        .collect();
    // A record whose tier did not settle it after all (its code is another
    // resident's) is compared and decided again with its blocked pairs, so
    // that the result is the one of comparing every pair.
    let unsettled = |i: usize| {
        !blocked[i].is_empty()
            && (!tiers.iter().any(|t| &*t.name == rows[i].tier.name())
                || rows[i].note.cf_of_other_resident)
    };
    let again: Vec<usize> = (0..rows.len()).filter(|&i| unsettled(i)).collect();
    if !again.is_empty() {
        let mut cache = NameCache::default();
        for &i in &again {
            candidates[i] = compare(&extract[i], &std::mem::take(&mut blocked[i]), &mut cache);
            rows[i] = ctx.decide(
                &extract[i],
                &candidates[i],
                &tier_hits[i],
                &anagrafe,
                &tier_index,
                &mut cache,
            );
        }
    }

    clock.stage("decide");
    let blocking_rules = blocking
        .iter()
        .map(|r| r.iter().map(|k| k.name()).collect::<Vec<_>>().join("+"))
        .collect();
    Ok(Linkage {
        source: source_name(job.rules, &job.extract.path),
        records: extract.len(),
        residents: anagrafe.len(),
        rows,
        model,
        comparisons,
        blocking: stats,
        blocking_rules,
        blocking_keys: blocking,
        tier_hits: tier_counts,
        tiers,
        tier_index,
        thresholds: spec.thresholds,
        tie_margin: spec.tie_margin,
        data: Data {
            names,
            anagrafe,
            extract,
            candidates,
            blocked,
            tf,
        },
    })
}

impl Linkage {
    /// Blocking recall against a truth file's row → person identifiers.
    pub fn blocking_recall(
        &self,
        truth: &std::collections::BTreeMap<u64, Option<String>>,
    ) -> block::BlockingRecall {
        let by_key: std::collections::HashMap<&str, u32> = self
            .data
            .anagrafe
            .iter()
            .enumerate()
            .map(|(i, p)| (&*p.key, i as u32))
            .collect();
        let t: Vec<Option<u32>> = self
            .data
            .extract
            .iter()
            .map(|e| {
                truth
                    .get(&e.row)
                    .and_then(|id| id.as_deref())
                    .and_then(|id| by_key.get(id).copied())
            })
            .collect();
        block::recall(
            &self.blocking_keys,
            &self.data.extract,
            &t,
            &self.data.anagrafe,
            &self.data.names,
        )
    }
}

impl LinkSpec {
    /// Whether a blocking key can be computed from the mapped attributes.
    pub fn blocking_key_available(&self, k: spec::KeyPart) -> bool {
        use spec::KeyPart::*;
        match k {
            CodiceFiscale | CfData => self.provides(Attr::CodiceFiscale),
            Cognome | CognomeFonetico => self.provides(Attr::Cognome),
            Nome | NomeFonetico => self.provides(Attr::Nome),
            CfCognome => self.provides(Attr::Cognome) || self.provides(Attr::CodiceFiscale),
            CfNome => self.provides(Attr::Nome) || self.provides(Attr::CodiceFiscale),
            Iniziali | NomiOrdinati => self.provides(Attr::Cognome) && self.provides(Attr::Nome),
            DataNascita | AnnoNascita => self.provides(Attr::DataNascita),
            Sesso => self.provides(Attr::Sesso),
            LuogoNascita => self.provides(Attr::LuogoNascita),
            Indirizzo | Civico | Localita | Cap | Provincia | Codice => {
                k.generic().is_some_and(|a| self.provides(a))
            }
        }
    }
}

/// m of a level no match showed, by the rule of succession: 1 / (expected
/// matches + levels). Small, never zero: a disagreement never seen among
/// matches weighs strongly against, without a log of zero.
fn unseen_m(m_counts: &[f64]) -> f64 {
    let n: f64 = m_counts.iter().skip(1).sum();
    1.0 / (n + m_counts.len().saturating_sub(1).max(1) as f64)
}

/// What training learns before the blocked pairs are compared: u from
/// random pairs, m in sessions (see [`Sessions::finish`]).
pub struct Sessions {
    residents: usize,
    n_levels: Vec<usize>,
    u: Vec<Vec<f64>>,
    u_pairs: usize,
    m_sum: Vec<Vec<f64>>,
    m_sessions: Vec<usize>,
    /// The sessions' EM iterations (the most) and whether all converged.
    em: (usize, bool),
}

impl Sessions {
    /// Whether every comparison's m was estimated by a session: then the EM
    /// over all blocked pairs adds nothing, and the pairs of records a
    /// deterministic tier settles need not be compared.
    pub fn cover_all(&self) -> bool {
        self.m_sessions.iter().all(|&n| n > 0)
    }
}

/// Name-pair levels the u sampling and the sessions keep per thread before
/// starting over.
const U_CACHE_LIMIT: usize = 1 << 14;

/// A thread's count of each agreement pattern (summed into a sorted map, so
/// that the order of patterns never depends on the threads).
type PatternCounts = HashMap<Pattern, u64, foldhash::fast::FixedState>;

/// The first part of training, which needs no blocked pairs: u from seeded
/// random pairs, m by EM in sessions on the pairs that agree on the CF base
/// form and on the birth date.
pub fn train_sessions(
    comparer: &Comparer,
    extract: &[Person],
    prepared: &PreparedAnagrafe,
    spec: &LinkSpec,
) -> Sessions {
    let anagrafe: &[Person] = &prepared.people;
    let comps = comparer.comparisons;
    let n_levels: Vec<usize> = comps.iter().map(|c| c.kind.levels().len()).collect();
    // u: seeded random pairs, compared in parallel, counted in order.
    let mut u_counts: Vec<Vec<f64>> = n_levels.iter().map(|&n| vec![0.0; n]).collect();
    let pairs = if extract.is_empty() || anagrafe.is_empty() {
        0
    } else {
        spec.u_sample_pairs
    };
    if pairs > 0 {
        let mut rng = Rng::new(spec.seed);
        let idx: Vec<(u32, u32)> = (0..pairs)
            .map(|_| {
                (
                    rng.below(extract.len() as u64) as u32,
                    rng.below(anagrafe.len() as u64) as u32,
                )
            })
            .collect();
        let patterns: Vec<Pattern> = idx
            .par_iter()
            .map_init(NameCache::default, |cache, &(e, a)| {
                // Random pairs seldom meet again: a cache kept small stays
                // in the processor's cache instead of growing with them.
                if cache.len() > U_CACHE_LIMIT {
                    cache.clear();
                }
                let e = &extract[e as usize];
                let prep = comparer.prepare(e);
                comparer.compare(e, &prep, &anagrafe[a as usize], cache).0
            })
            .collect();
        for p in patterns {
            for (c, counts) in u_counts.iter_mut().enumerate() {
                let l = usize::from(compare::level_of(p, c));
                if l < counts.len() {
                    counts[l] += 1.0;
                }
            }
        }
    }
    let u: Vec<Vec<f64>> = u_counts.iter().map(|c| model::smooth(c, 0.5)).collect();
    let m0: Vec<Vec<f64>> = n_levels.iter().map(|&n| model::initial_m(n)).collect();
    let mut session_em = (0usize, true);
    // Blocking makes the blocked pairs agree on what the rules block on
    // (`cognome+nome` brings many namesakes), which EM mistakes for matches.
    // As Splink does, m is estimated in sessions on the pairs that agree on
    // one attribute (the CF base form; the birth date), that attribute's
    // comparison left out; each comparison takes the mean of the sessions
    // that estimated it, and the EM over all blocked pairs fills the rest.
    let mut m_sum: Vec<Vec<f64>> = n_levels.iter().map(|&n| vec![0.0; n]).collect();
    let mut m_sessions = vec![0usize; comps.len()];
    for (key, attr) in [
        (spec::KeyPart::CodiceFiscale, Attr::CodiceFiscale),
        (spec::KeyPart::DataNascita, Attr::DataNascita),
    ] {
        let Some(skip) = comps.iter().position(|c| c.attr == attr) else {
            continue;
        };
        let index = prepared.block_index(&[vec![key]]);
        // Pattern counts, summed per thread as they come (a map per record
        // would hold one for each of a large extract's records).
        let counts: BTreeMap<Pattern, u64> = extract
            .par_iter()
            .fold(
                || {
                    let work = (BlockStats::default(), block::Scratch::default());
                    (NameCache::default(), PatternCounts::default(), work)
                },
                |(mut cache, mut m, (mut stats, mut work)), e| {
                    // Residents born the same day seldom share a name: as
                    // for u, a small cache beats one that grows.
                    if cache.len() > U_CACHE_LIMIT {
                        cache.clear();
                    }
                    let cands = index.candidates(
                        e,
                        comparer.names,
                        spec.max_block_size,
                        &mut stats,
                        &mut work,
                    );
                    let prep = comparer.prepare(e);
                    for a in cands {
                        let (p, _) = comparer.compare(e, &prep, &anagrafe[a as usize], &mut cache);
                        *m.entry(p & !(0xF << (4 * skip))).or_insert(0u64) += 1;
                    }
                    (cache, m, (stats, work))
                },
            )
            .map(|(_, m, _)| m.into_iter().collect::<BTreeMap<Pattern, u64>>())
            .reduce(BTreeMap::new, |mut a, b| {
                for (p, n) in b {
                    *a.entry(p).or_insert(0) += n;
                }
                a
            });
        let pairs: u64 = counts.values().sum();
        if pairs < 100 {
            continue;
        }
        let lambda0 = (extract.len() as f64 / pairs as f64).clamp(0.01, 0.99);
        let r = model::em(&counts, &n_levels, m0.clone(), u.clone(), lambda0, 200);
        session_em = (session_em.0.max(r.iterations), session_em.1 && r.converged);
        for c in 0..comps.len() {
            if c == skip {
                continue;
            }
            m_sessions[c] += 1;
            let unseen = unseen_m(&r.m_counts[c]);
            for (l, sum) in m_sum[c].iter_mut().enumerate().skip(1) {
                // A level no match showed: the rule of succession.
                *sum += if r.m_counts[c][l] < 0.5 {
                    unseen
                } else {
                    r.m[c][l]
                };
            }
        }
    }
    Sessions {
        residents: anagrafe.len(),
        n_levels,
        u,
        u_pairs: pairs,
        m_sum,
        m_sessions,
        em: session_em,
    }
}

impl Sessions {
    /// The rest of training: m of a comparison no session estimated by EM
    /// over the blocked pairs' patterns (`candidates`; not run when the
    /// sessions cover every comparison), λ from the deterministic matches.
    pub fn finish(
        self,
        comparer: &Comparer,
        extract: &[Person],
        candidates: &[Vec<Candidate>],
        deterministic_matches: u64,
        spec: &LinkSpec,
    ) -> Model {
        let comps = comparer.comparisons;
        let Sessions {
            residents,
            n_levels,
            u,
            u_pairs: pairs,
            m_sum,
            m_sessions,
            em: session_em,
        } = self;
        let em = if m_sessions.iter().all(|&n| n > 0) {
            None
        } else {
            // m: EM on the blocked pairs' pattern counts.
            let mut counts: BTreeMap<Pattern, u64> = BTreeMap::new();
            let mut n_pairs = 0u64;
            for cs in candidates {
                for c in cs {
                    *counts.entry(c.pattern).or_insert(0) += 1;
                    n_pairs += 1;
                }
            }
            let m0: Vec<Vec<f64>> = n_levels.iter().map(|&n| model::initial_m(n)).collect();
            let lambda0 = if n_pairs == 0 {
                0.1
            } else {
                (extract.len() as f64 / n_pairs as f64).clamp(0.001, 0.5)
            };
            Some(model::em(&counts, &n_levels, m0, u.clone(), lambda0, 200))
        };
        let m_final: Vec<Vec<f64>> = (0..comps.len())
            .map(|c| {
                let mut m: Vec<f64> = (0..n_levels[c])
                    .map(|l| match &em {
                        _ if m_sessions[c] > 0 => m_sum[c][l] / m_sessions[c] as f64,
                        Some(em) if l > 0 && em.m_counts[c][l] < 0.5 => unseen_m(&em.m_counts[c]),
                        Some(em) => em.m[c][l],
                        None => 0.0,
                    })
                    .collect();
                if comps[c].kind == CompKind::Name {
                    model::tie_swapped_to_exact(&mut m, &u[c]);
                }
                m
            })
            .collect();
        // λ over all pairs, from the deterministic tiers (or half the records
        // when no tier matched).
        let total = (extract.len() as f64) * (residents as f64);
        let expected = if deterministic_matches > 0 {
            deterministic_matches as f64 / spec.prior_recall
        } else {
            extract.len() as f64 * 0.5
        };
        let prior = if total > 0.0 {
            (expected / total).clamp(1e-12, 0.5)
        } else {
            0.5
        };
        Model {
            prior,
            comparisons: comps
                .iter()
                .enumerate()
                .map(|(c, s)| ComparisonParams {
                    field: s.attr.name().to_string(),
                    term_frequency: s.term_frequency,
                    levels: s
                        .kind
                        .levels()
                        .iter()
                        .enumerate()
                        .skip(1)
                        .map(|(l, level)| LevelParams {
                            level: level.name.to_string(),
                            m: m_final[c][l],
                            u: u[c][l],
                        })
                        .collect(),
                })
                .collect(),
            em_iterations: em
                .as_ref()
                .map_or(session_em.0, |e| e.iterations.max(session_em.0)),
            em_converged: em
                .as_ref()
                .map_or(session_em.1, |e| e.converged && session_em.1),
            u_pairs: pairs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Skipping the comparisons of records a tier settles gives the rows of
    /// comparing every pair, on a demo city with every kind of error
    /// (a parent's code in a child's field among them).
    #[test]
    fn settled_records_need_no_comparisons() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::demo::Config {
            residents: 3000,
            seed: 11,
        };
        crate::demo::generate(&config, dir.path()).unwrap();
        // The rule files beside the city, as `vaglio demo` writes them
        // (they refer to ../anagrafe.csv).
        let rules_dir = dir.path().join("rules");
        std::fs::create_dir_all(&rules_dir).unwrap();
        for name in ["anagrafe", "refezione", "isee"] {
            let from =
                Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("rules/demo/{name}.toml"));
            std::fs::copy(from, rules_dir.join(format!("{name}.toml"))).unwrap();
        }
        let today = crate::demo::reference_date();
        let load = |name: &str| {
            let rules = crate::rules::load_without_references(
                &rules_dir.join(format!("{name}.toml")),
                today,
            )
            .unwrap();
            let spec = spec::from_rules(&rules).unwrap().unwrap();
            (rules, spec)
        };
        let (ana_rules, ana_spec) = load("anagrafe");
        let mut other_cf = 0;
        for (source, file) in [("refezione", "refezione.csv"), ("isee", "isee.csv")] {
            let (rules, spec) = load(source);
            let mut all = spec.clone();
            all.compare_settled = true;
            let run = |spec: &LinkSpec| {
                let data = Table::read(&dir.path().join(file), &rules.input.read).unwrap();
                link(&LinkJob {
                    extract: &data,
                    rules: &rules,
                    spec,
                    anagrafe: Anagrafe::File(&dir.path().join("anagrafe.csv")),
                    anagrafe_rules: &ana_rules,
                    anagrafe_spec: &ana_spec,
                    reference: today,
                    model: None,
                    progress: None,
                })
                .unwrap()
            };
            let (fast, full) = (run(&spec), run(&all));
            assert_eq!(fast.rows, full.rows, "{source}");
            let settled = fast.data.blocked.iter().filter(|b| !b.is_empty()).count();
            assert!(settled > fast.rows.len() / 2, "{source}: {settled} settled");
            assert!(full.data.blocked.iter().all(|b| b.is_empty()));
            other_cf += fast
                .rows
                .iter()
                .filter(|r| r.note.cf_of_other_resident)
                .count();
        }
        // Records whose code is another resident's are decided again with
        // their pairs compared: the path was taken.
        assert!(other_cf > 0);
    }
}
