//! Explanations: how the weight of the chosen and the runner-up candidate
//! of a record was reached, comparison by comparison (a waterfall in the
//! terminal). Values are masked unless the user asks for them.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::compare::{level_of, NameCache};
use super::decide::{Context, Term, NOTE_CF_OTHER, NOTE_NEAR_TIE};
use super::model::probability;
use super::notes::LinkNotes;
use super::prepare::{Person, NONE};
use super::spec::Attr;
use super::{Candidate, Linkage};
use crate::messages::{Lang, LevelShown};
use crate::privacy::mask;

fn value(l: &Linkage, p: &Person, split: usize, attr: Attr) -> String {
    let names = &l.data.names;
    let name = |id: u32| {
        if id == NONE {
            String::new()
        } else {
            names.get(id).map(|i| i.norm.clone()).unwrap_or_default()
        }
    };
    let (s, n) = p.splits.get(split).copied().unwrap_or((NONE, NONE));
    match attr {
        Attr::CodiceFiscale => {
            p.cf.text()
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .unwrap_or_default()
        }
        Attr::Cognome | Attr::Nominativo => name(s),
        Attr::Nome => name(n),
        Attr::DataNascita => p
            .birth
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Attr::Sesso => p.sex.map(|x| x.as_char().to_string()).unwrap_or_default(),
        Attr::LuogoNascita => p
            .place
            .map(|x| String::from_utf8_lossy(&x).into_owned())
            .unwrap_or_default(),
        _ => names.text(p.generic(attr)).unwrap_or_default().to_string(),
    }
}

fn bar(w: f64) -> String {
    let n = (w.abs().round() as usize).min(24);
    let c = if w >= 0.0 { '+' } else { '-' };
    std::iter::repeat_n(c, n).collect()
}

fn shown(v: &str, show_pii: bool) -> String {
    if v.is_empty() {
        "∅".to_string()
    } else {
        mask(v, show_pii)
    }
}

/// One candidate as an explanation shows it.
struct Shown {
    /// `chosen`, `best candidate` or `runner-up`.
    label: &'static str,
    cand: Candidate,
    weight: f64,
    terms: Vec<Term>,
}

/// One step of a match weight: the prior, or one comparison's partial
/// weight, with the values compared (masked unless asked otherwise).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreStep {
    /// `prior` or the attribute compared.
    pub name: String,
    /// The comparison level (empty for the prior; `ignored (not theirs)`
    /// for a codice fiscale that is another resident's).
    pub level: String,
    /// The weight it adds, in bits.
    pub weight: f64,
    /// The record's value (masked unless `show_pii`; `∅` when missing;
    /// empty for the prior).
    pub record: String,
    /// The resident's value, shown the same way.
    pub resident: String,
    /// `level`, typed, for the report in another language (absent when
    /// read back from a `summary.json`).
    #[serde(skip)]
    pub shown: Option<LevelShown>,
}

/// How the weight of a record's chosen (or best) candidate was built.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    /// The extract's data row.
    pub row: u64,
    /// The record key.
    pub key: String,
    /// The steps, the prior first; their weights add up to `weight`.
    pub steps: Vec<ScoreStep>,
    /// The final match weight.
    pub weight: f64,
    /// Its match probability.
    pub probability: f64,
}

impl Linkage {
    /// The candidates of the record at index `i` to show: the chosen
    /// resident first (it may come from a tier), then the best others, at
    /// most `max`; with the record's notes and its number of candidates.
    fn shown(&self, i: usize, max: usize) -> (Vec<Shown>, LinkNotes, usize) {
        let ext = &self.data.extract[i];
        let decided = &self.rows[i];
        let comparer = super::compare::Comparer {
            comparisons: &self.comparisons,
            names: &self.data.names,
        };
        let ctx = Context {
            model: &self.model,
            comparer: &comparer,
            comparisons: &self.comparisons,
            tiers: &self.tiers,
            tf: &self.data.tf,
            residents: self.residents,
            thresholds: self.thresholds,
            tie_margin: self.tie_margin,
        };
        let mut cache = NameCache::default();
        // A record a tier settled has its blocked residents, not compared:
        // compare them now.
        let compared: Vec<Candidate>;
        let cands: &[Candidate] = match self.data.blocked.get(i) {
            Some(b) if !b.is_empty() && self.data.candidates[i].is_empty() => {
                let prep = comparer.prepare(ext);
                compared = b
                    .iter()
                    .map(|&a| {
                        let (pattern, split) = comparer.compare(
                            ext,
                            &prep,
                            &self.data.anagrafe[a as usize],
                            &mut cache,
                        );
                        Candidate {
                            ana: a,
                            pattern,
                            split,
                        }
                    })
                    .collect();
                &compared
            }
            _ => &self.data.candidates[i],
        };
        let (scored, notes) = ctx.scored(
            ext,
            cands,
            &self.data.anagrafe,
            &self.tier_index,
            &mut cache,
        );
        let mut shown: Vec<(&'static str, Candidate, f64)> = Vec::new();
        if let Some(a) = decided.resident {
            let c = scored.iter().find(|x| x.1.ana == a).map_or_else(
                || {
                    let prep = comparer.prepare(ext);
                    let c =
                        ctx.candidate_for(ext, &prep, cands, a, &self.data.anagrafe, &mut cache);
                    (ctx.weight(&c, &self.data.anagrafe[a as usize]), c)
                },
                |x| *x,
            );
            shown.push(("chosen", c.1, c.0));
        }
        for (w, c) in &scored {
            if shown.len() >= max {
                break;
            }
            if shown.iter().any(|x| x.1.ana == c.ana) {
                continue;
            }
            let label = if shown.is_empty() {
                "best candidate"
            } else {
                "runner-up"
            };
            shown.push((label, *c, *w));
        }
        let out = shown
            .into_iter()
            .map(|(label, cand, weight)| Shown {
                label,
                cand,
                weight,
                terms: ctx.terms(&cand, &self.data.anagrafe[cand.ana as usize]),
            })
            .collect();
        (out, notes, cands.len())
    }

    /// The steps of a shown candidate of the record at index `i`.
    fn steps(&self, i: usize, c: &Shown, notes: LinkNotes, show_pii: bool) -> Vec<ScoreStep> {
        let ext = &self.data.extract[i];
        let ana = &self.data.anagrafe[c.cand.ana as usize];
        c.terms
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let (record, resident) = if k == 0 {
                    (String::new(), String::new())
                } else {
                    let attr = self.comparisons[k - 1].attr;
                    (
                        shown(&value(self, ext, usize::from(c.cand.split), attr), show_pii),
                        shown(&value(self, ana, 0, attr), show_pii),
                    )
                };
                let shown = if k == 0 {
                    LevelShown::Prior
                } else if level_of(c.cand.pattern, k - 1) == 0
                    && notes.cf_of_other_resident
                    && self.comparisons[k - 1].attr == Attr::CodiceFiscale
                {
                    LevelShown::NotTheirs
                } else {
                    LevelShown::Level {
                        name: t.level.clone(),
                        tf: t.tf_adjustment,
                    }
                };
                ScoreStep {
                    name: t.name.clone(),
                    level: shown.render(Lang::En),
                    shown: Some(shown),
                    weight: t.weight,
                    record,
                    resident,
                }
            })
            .collect()
    }

    /// How the weight of the chosen (or else the best) candidate of the
    /// record at index `i` (row order) was built; `None` when the index is
    /// out of range or the record had no candidate.
    pub fn breakdown(&self, i: usize, show_pii: bool) -> Option<ScoreBreakdown> {
        let row = self.rows.get(i)?;
        self.data.extract.get(i)?;
        self.data.candidates.get(i)?;
        let (shown, notes, _) = self.shown(i, 1);
        let c = shown.first()?;
        Some(ScoreBreakdown {
            row: row.row,
            key: row.key.clone(),
            steps: self.steps(i, c, notes, show_pii),
            weight: c.weight,
            probability: probability(c.weight),
        })
    }

    /// The explanation of the record at data row `row`, or `None` when
    /// there is no such row; the record's key shown as `keys` says.
    pub fn explain(
        &self,
        row: u64,
        show_pii: bool,
        keys: &crate::privacy::KeyShown,
    ) -> Option<String> {
        let i = self.data.extract.iter().position(|p| p.row == row)?;
        let ext = &self.data.extract[i];
        let decided = &self.rows[i];
        let (shown_cands, notes, n_cands) = self.shown(i, 2);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} row {} (key {}): {} · {} · weight {} · probability {}",
            self.source,
            ext.row,
            keys.show(ext.row, &decided.key),
            decided.status,
            decided.tier,
            decided.weight.map_or("–".into(), |w| format!("{w:+.2}")),
            decided
                .probability
                .map_or("–".into(), |p| format!("{p:.6}"))
        );
        if !decided.note.is_empty() {
            for n in decided.note.names() {
                let why = match n {
                    NOTE_CF_OTHER => "the record's codice fiscale is another resident's, whose birth date (or name) disagrees: it is not linked on, and it is ignored for the other candidates",
                    NOTE_NEAR_TIE => "the two best candidates are within the tie margin",
                    _ => "",
                };
                let _ = writeln!(s, "  note {n}: {why}");
            }
        }
        let _ = writeln!(
            s,
            "  {} candidates from blocking; thresholds: match ≥ {}, review ≥ {}",
            n_cands, self.thresholds.matched, self.thresholds.review
        );
        if shown_cands.is_empty() {
            let _ = writeln!(
                s,
                "  no candidate: no blocking rule found a resident to compare"
            );
            return Some(s);
        }
        for c in &shown_cands {
            let ana = &self.data.anagrafe[c.cand.ana as usize];
            let _ = writeln!(
                s,
                "\n  {}: person {} · weight {:+.2} · probability {:.6}",
                c.label,
                ana.key,
                c.weight,
                probability(c.weight)
            );
            let _ = writeln!(
                s,
                "    {:<15} {:<19} {:<18} {:<18} {:>7} {:>7}",
                "comparison", "level", "record", "resident", "weight", "total"
            );
            let mut total = 0.0;
            for st in self.steps(i, c, notes, show_pii) {
                total += st.weight;
                let _ = writeln!(
                    s,
                    "    {:<15} {:<19} {:<18} {:<18} {:>+7.2} {:>+7.2}  {}",
                    st.name,
                    st.level,
                    st.record,
                    st.resident,
                    st.weight,
                    total,
                    bar(st.weight)
                );
            }
        }
        if !show_pii {
            let _ = writeln!(s, "\n  (values masked; --show-pii shows them)");
        }
        Some(s)
    }
}
