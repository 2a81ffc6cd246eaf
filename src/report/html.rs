//! `index.html`: the report people read and forward. One self-contained
//! page (inline CSS and SVG, a few lines of inline JavaScript for sorting
//! and filtering, nothing loaded from the network), in Italian by default or
//! English, readable on screen and printed.
//!
//! It never shows a person: examples carry the same masked samples and
//! value-free messages as `findings.csv` (values only with `--show-pii`),
//! and rows are referred to by number and record key.

use std::fmt::Write;

use askama::Template;

use super::charts::{self, ChartWords};
use super::linkage::{self, LinkageReport};
use super::summary::{Regression, Summary};
use crate::messages;
use crate::privacy::{rounded, suppress};
use crate::rules::Severity;
use crate::validate::{CheckResult, SourceOutcome, Verdict};

pub use crate::messages::Lang;

/// The words of the page, per language.
pub struct Strings {
    title: &'static str,
    generated: &'static str,
    reference_date: &'static str,
    back_to_run: &'static str,
    fail_on: &'static str,
    gate_passed: &'static str,
    gate_failed: &'static str,
    sources: &'static str,
    source: &'static str,
    rows: &'static str,
    checks_failed_error: &'static str,
    checks_failed_warning: &'static str,
    checks_passed: &'static str,
    checks_skipped: &'static str,
    verdict: &'static str,
    regressions: &'static str,
    subject: &'static str,
    previous: &'static str,
    current: &'static str,
    what: &'static str,
    rules: &'static str,
    overview: &'static str,
    findings_rows: &'static str,
    field_profile: &'static str,
    field: &'static str,
    type_: &'static str,
    completeness: &'static str,
    validity: &'static str,
    distinct: &'static str,
    checks: &'static str,
    filter: &'static str,
    code: &'static str,
    check: &'static str,
    severity: &'static str,
    level: &'static str,
    failed: &'static str,
    evaluated: &'static str,
    rate: &'static str,
    tolerance: &'static str,
    examples: &'static str,
    and_more: &'static str,
    findings_beside: &'static str,
    changes: &'static str,
    no_changes: &'static str,
    metric: &'static str,
    regression: &'static str,
    privacy: &'static str,
    levels: &'static str,
    passed: &'static str,
    failed_label: &'static str,
    warning_label: &'static str,
    skipped_label: &'static str,
    info_label: &'static str,
    row: &'static str,
    line: &'static str,
    file: &'static str,
    level_chart: &'static str,
    failed_rate: &'static str,
    completeness_metric: &'static str,
    linkage: &'static str,
    linked: &'static str,
    in_review: &'static str,
    not_linked: &'static str,
    by_tier: &'static str,
    tier: &'static str,
    kind: &'static str,
    kind_deterministic: &'static str,
    kind_probabilistic: &'static str,
    kind_decision: &'static str,
    weights_title: &'static str,
    weights_note: &'static str,
    without_weight: &'static str,
    weight_axis: &'static str,
    records_word: &'static str,
    model_title: &'static str,
    model_note: &'static str,
    prior_word: &'static str,
    em_word: &'static str,
    converged: &'static str,
    not_converged: &'static str,
    u_pairs_word: &'static str,
    examples_title: &'static str,
    examples_note: &'static str,
    examples_note_pii: &'static str,
    case_probabilistic_match: &'static str,
    case_review: &'static str,
    case_below_threshold: &'static str,
    case_deterministic_match: &'static str,
    final_weight: &'static str,
    record_word: &'static str,
    resident_word: &'static str,
    probability_word: &'static str,
    reasons_title: &'static str,
    reason: &'static str,
    no_reasons: &'static str,
    blocking_title: &'static str,
    rule: &'static str,
    pairs: &'static str,
    new_pairs: &'static str,
    capped: &'static str,
    thresholds_word: &'static str,
    review_from: &'static str,
    suppression: &'static str,
    addresses: &'static str,
    address_levels: [&'static str; 4],
    address_missing: &'static str,
    address_placed: &'static str,
    linked_rate: &'static str,
    reason_decision: &'static str,
    reason_cf_of_other_resident: &'static str,
    reason_near_tie: &'static str,
    reason_no_candidate: &'static str,
    reason_review_band: &'static str,
    reason_below_threshold: &'static str,
}

const IT: Strings = Strings {
    title: "Rapporto di qualità dei dati",
    generated: "Generato da",
    reference_date: "data di riferimento",
    back_to_run: "tutte le fonti dell'esecuzione",
    fail_on: "soglia di blocco:",
    gate_passed: "Controllo superato",
    gate_failed: "Controllo NON superato",
    sources: "Fonti",
    source: "Fonte",
    rows: "Righe",
    checks_failed_error: "Errori oltre tolleranza",
    checks_failed_warning: "Avvisi oltre tolleranza",
    checks_passed: "Controlli superati",
    checks_skipped: "Non valutati",
    verdict: "Esito",
    regressions: "Peggioramenti rispetto alla consegna precedente",
    subject: "Oggetto",
    previous: "Prima",
    current: "Ora",
    what: "Cosa",
    rules: "regole",
    overview: "Panoramica",
    findings_rows: "Segnalazioni",
    field_profile: "Profilo dei campi",
    field: "Campo",
    type_: "Tipo",
    completeness: "Completezza",
    validity: "Validità",
    distinct: "Valori distinti",
    checks: "Controlli",
    filter: "Filtra i controlli…",
    code: "Codice",
    check: "Controllo",
    severity: "Gravità",
    level: "Livello",
    failed: "Falliti",
    evaluated: "Valutati",
    rate: "Tasso",
    tolerance: "Tolleranza",
    examples: "Esempi",
    and_more: "e altri",
    findings_beside: "accanto a questa pagina: non viaggia con la pagina inoltrata da sola",
    changes: "Variazioni rispetto alla consegna precedente",
    no_changes: "Nessuna variazione.",
    metric: "Misura",
    regression: "peggioramento",
    privacy: "Nessun dato personale è mostrato: gli esempi sono mascherati (lettere → *, cifre → #; codice fiscale come RSS*************: prime tre lettere e lunghezza) e le righe sono indicate per numero, e per chiave solo quando la chiave non è un dato personale (altrimenti per uno pseudonimo breve).",
    levels: "Livelli di validazione: 0 struttura del file, 1 codici e formati, 2 coerenza nel record, 3 coerenza con fonti esterne.",
    passed: "superato",
    failed_label: "fallito",
    warning_label: "avviso",
    skipped_label: "non valutato",
    info_label: "informativo",
    row: "riga",
    line: "linea",
    file: "file",
    level_chart: "Segnalazioni per livello di validazione",
    failed_rate: "tasso di errore",
    completeness_metric: "completezza",
    linkage: "Collegamento all'anagrafe",
    linked: "Collegati",
    in_review: "Da rivedere",
    not_linked: "Non collegati",
    by_tier: "Esito per criterio",
    tier: "Criterio",
    kind: "Tipo",
    kind_deterministic: "deterministico",
    kind_probabilistic: "probabilistico (modello)",
    kind_decision: "decisione di un revisore",
    weights_title: "Distribuzione dei pesi di corrispondenza",
    weights_note: "Per ogni record, il peso del candidato scelto (o del migliore), in bit; verde collegati, giallo da rivedere, rosso non collegati. Le linee tratteggiate sono le soglie.",
    without_weight: "record senza alcun candidato (non nel grafico):",
    weight_axis: "peso di corrispondenza (bit)",
    records_word: "record",
    model_title: "Parametri del modello",
    model_note: "Per ogni confronto e livello, il peso log2(m/u) che aggiunge al punteggio: m è la probabilità del livello tra le coppie che sono la stessa persona, u tra coppie casuali.",
    prior_word: "probabilità a priori λ",
    em_word: "iterazioni EM",
    converged: "convergente",
    not_converged: "non convergente",
    u_pairs_word: "coppie casuali per u",
    examples_title: "Come si forma un punteggio (esempi)",
    examples_note: "Dalla probabilità a priori, ogni confronto aggiunge o toglie peso fino al peso finale; sotto ogni passo il valore del record e quello dell'anagrafe, mascherati.",
    examples_note_pii: "Dalla probabilità a priori, ogni confronto aggiunge o toglie peso fino al peso finale; sotto ogni passo il valore del record e quello dell'anagrafe (--show-pii: in chiaro).",
    case_probabilistic_match: "collegato dal modello",
    case_review: "da rivedere",
    case_below_threshold: "sotto la soglia",
    case_deterministic_match: "collegato da un criterio deterministico",
    final_weight: "peso finale",
    record_word: "record",
    resident_word: "anagrafe",
    probability_word: "probabilità",
    reasons_title: "Motivi del mancato collegamento",
    reason: "Motivo",
    no_reasons: "Ogni record è collegato.",
    blocking_title: "Regole di blocking",
    rule: "Regola",
    pairs: "Coppie",
    new_pairs: "Coppie nuove",
    capped: "Blocchi troppo grandi",
    thresholds_word: "soglie: collegamento con probabilità ≥",
    review_from: "revisione da",
    suppression: "I conteggi di persone pari a 1 o 2 sono mostrati come «<3», perché nessuno sia riconoscibile (i totali dei file e i conteggi dei controlli non lo sono).",
    addresses: "Indirizzi nello stradario",
    address_levels: [
        "civico",
        "civico, dopo la normalizzazione",
        "solo la via",
        "non trovato",
    ],
    address_missing: "senza indirizzo",
    address_placed: "in un'area statistica",
    linked_rate: "Collegati",
    reason_decision: "rifiutato da un revisore",
    reason_cf_of_other_resident: "codice fiscale di un altro residente (ad es. di un genitore)",
    reason_near_tie: "due candidati quasi a pari merito",
    reason_no_candidate: "nessun candidato: nessuna regola di blocking ha trovato un residente da confrontare",
    reason_review_band: "probabilità tra la soglia di revisione e quella di collegamento",
    reason_below_threshold: "probabilità sotto la soglia di revisione",
};

const EN: Strings = Strings {
    title: "Data quality report",
    generated: "Generated by",
    reference_date: "reference date",
    back_to_run: "every source of the run",
    fail_on: "gate fails on:",
    gate_passed: "Gate passed",
    gate_failed: "Gate FAILED",
    sources: "Sources",
    source: "Source",
    rows: "Rows",
    checks_failed_error: "Errors over tolerance",
    checks_failed_warning: "Warnings over tolerance",
    checks_passed: "Checks passed",
    checks_skipped: "Not evaluated",
    verdict: "Verdict",
    regressions: "Regressions against the previous delivery",
    subject: "Subject",
    previous: "Before",
    current: "Now",
    what: "What",
    rules: "rules",
    overview: "Overview",
    findings_rows: "Findings",
    field_profile: "Field profile",
    field: "Field",
    type_: "Type",
    completeness: "Completeness",
    validity: "Validity",
    distinct: "Distinct values",
    checks: "Checks",
    filter: "Filter checks…",
    code: "Code",
    check: "Check",
    severity: "Severity",
    level: "Level",
    failed: "Failed",
    evaluated: "Evaluated",
    rate: "Rate",
    tolerance: "Tolerance",
    examples: "Examples",
    and_more: "and",
    findings_beside: "next to this page: it does not travel when the page is forwarded alone",
    changes: "Change against the previous delivery",
    no_changes: "No change.",
    metric: "Metric",
    regression: "regression",
    privacy: "No personal data is shown: examples are masked (letters → *, digits → #; codice fiscale as RSS*************: first three letters and length) and rows are referred to by number, and by record key only when the key is not personal (else by a short pseudonym).",
    levels: "Validation levels: 0 file structure, 1 codes and formats, 2 coherence within a record, 3 coherence with external sources.",
    passed: "passed",
    failed_label: "failed",
    warning_label: "warning",
    skipped_label: "skipped",
    info_label: "info",
    row: "row",
    line: "line",
    file: "file",
    level_chart: "Findings by validation level",
    failed_rate: "failure rate",
    completeness_metric: "completeness",
    linkage: "Linkage to the anagrafe",
    linked: "Linked",
    in_review: "In review",
    not_linked: "Not linked",
    by_tier: "Outcome by tier",
    tier: "Tier",
    kind: "Kind",
    kind_deterministic: "deterministic",
    kind_probabilistic: "probabilistic (model)",
    kind_decision: "reviewer's decision",
    weights_title: "Distribution of match weights",
    weights_note: "For each record, the weight of the chosen (or best) candidate, in bits; green linked, yellow in review, red not linked. Dashed lines are the thresholds.",
    without_weight: "records without any candidate (not in the chart):",
    weight_axis: "match weight (bits)",
    records_word: "records",
    model_title: "Model parameters",
    model_note: "For each comparison and level, the weight log2(m/u) it adds to the score: m is the level's probability among pairs that are the same person, u among random pairs.",
    prior_word: "prior λ",
    em_word: "EM iterations",
    converged: "converged",
    not_converged: "not converged",
    u_pairs_word: "random pairs for u",
    examples_title: "How a score is built (examples)",
    examples_note: "From the prior, each comparison adds or removes weight up to the final weight; under each step the record's and the anagrafe's value, masked.",
    examples_note_pii: "From the prior, each comparison adds or removes weight up to the final weight; under each step the record's and the anagrafe's value (--show-pii: not masked).",
    case_probabilistic_match: "matched by the model",
    case_review: "in review",
    case_below_threshold: "below the threshold",
    case_deterministic_match: "matched by a deterministic tier",
    final_weight: "final weight",
    record_word: "record",
    resident_word: "anagrafe",
    probability_word: "probability",
    reasons_title: "Reasons for non-matches",
    reason: "Reason",
    no_reasons: "Every record is linked.",
    blocking_title: "Blocking rules",
    rule: "Rule",
    pairs: "Pairs",
    new_pairs: "New pairs",
    capped: "Blocks too large",
    thresholds_word: "thresholds: match at probability ≥",
    review_from: "review from",
    suppression: "Counts of people of 1 or 2 are shown as “<3”, so that nobody can be singled out (row counts of whole files and check failure counts are not).",
    addresses: "Addresses in the civic-number register",
    address_levels: [
        "house number",
        "house number, after normalising",
        "street only",
        "not found",
    ],
    address_missing: "no address",
    address_placed: "in an area statistica",
    linked_rate: "Linked",
    reason_decision: "rejected by a reviewer",
    reason_cf_of_other_resident: "codice fiscale of another resident (e.g. a parent's)",
    reason_near_tie: "two candidates nearly tied",
    reason_no_candidate: "no candidate: no blocking rule found a resident to compare",
    reason_review_band: "probability between the review and the match threshold",
    reason_below_threshold: "probability below the review threshold",
};

impl Lang {
    fn strings(self) -> &'static Strings {
        match self {
            Lang::It => &IT,
            Lang::En => &EN,
        }
    }
}

struct ExampleView {
    place: String,
    key: String,
    message: String,
    sample: String,
}

struct CheckView {
    verdict_class: &'static str,
    verdict_label: &'static str,
    code: &'static str,
    id: String,
    description: String,
    skipped: String,
    severity: &'static str,
    level: u8,
    failed: u64,
    evaluated: u64,
    rate: String,
    tolerance: String,
    rate_bar: String,
    examples: Vec<ExampleView>,
    more: u64,
}

struct FieldView {
    name: String,
    field_type: String,
    completeness: String,
    completeness_bar: String,
    validity: String,
    validity_bar: String,
    distinct: String,
}

struct ChangeView {
    subject: String,
    metric: &'static str,
    previous: String,
    current: String,
    arrow: &'static str,
    class: &'static str,
    regression: bool,
}

struct TierRowView {
    tier: String,
    kind: &'static str,
    matched: String,
    review: String,
    unmatched: String,
}

struct ReasonView {
    label: &'static str,
    code: String,
    review: String,
    unmatched: String,
}

struct BlockingView {
    rule: String,
    pairs: u64,
    new_pairs: u64,
    capped: String,
}

struct ScoreView {
    title: String,
    svg: String,
}

struct LinkageView {
    matched: String,
    review: String,
    unmatched: String,
    matched_pct: String,
    review_pct: String,
    unmatched_pct: String,
    thresholds: String,
    tiers: Vec<TierRowView>,
    histogram: String,
    without_weight: String,
    model_line: String,
    model_chart: String,
    examples: Vec<ScoreView>,
    examples_note: &'static str,
    reasons: Vec<ReasonView>,
    blocking: Vec<BlockingView>,
}

impl LinkageView {
    fn new(l: &LinkageReport, t: &Strings, lang: Lang) -> LinkageView {
        let words = ChartWords {
            matched: t.linked,
            review: t.in_review,
            unmatched: t.not_linked,
            weight_axis: t.weight_axis,
            records: t.records_word,
            final_weight: t.final_weight,
            record: t.record_word,
            resident: t.resident_word,
        };
        let kind = |k: &str| match k {
            "probabilistic" => t.kind_probabilistic,
            "decision" => t.kind_decision,
            _ => t.kind_deterministic,
        };
        let examples = l
            .examples
            .iter()
            .map(|e| {
                let case = match e.case.as_str() {
                    "probabilistic_match" => t.case_probabilistic_match,
                    "review" => t.case_review,
                    "below_threshold" => t.case_below_threshold,
                    _ => t.case_deterministic_match,
                };
                let key = if e.score.key.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", e.score.key)
                };
                ScoreView {
                    title: format!(
                        "{case}: {} {}{key} · {} {} · {} {:+.2} · {} {:.4}",
                        t.row,
                        e.score.row,
                        t.tier,
                        e.tier.label(lang),
                        t.final_weight,
                        e.score.weight,
                        t.probability_word,
                        e.score.probability
                    ),
                    svg: charts::waterfall(
                        &linkage::waterfall(&e.score.steps, lang),
                        l.match_weight,
                        l.review_weight,
                        &words,
                    ),
                }
            })
            .collect();
        let reasons = l
            .reasons
            .iter()
            .map(|r| ReasonView {
                label: match r.reason.as_str() {
                    linkage::reason::DECISION => t.reason_decision,
                    linkage::reason::CF_OF_OTHER_RESIDENT => t.reason_cf_of_other_resident,
                    linkage::reason::NEAR_TIE => t.reason_near_tie,
                    linkage::reason::NO_CANDIDATE => t.reason_no_candidate,
                    linkage::reason::REVIEW_BAND => t.reason_review_band,
                    _ => t.reason_below_threshold,
                },
                code: r.reason.clone(),
                review: suppress(r.review),
                unmatched: suppress(r.unmatched),
            })
            .collect();
        let m = &l.model;
        LinkageView {
            matched: suppress(l.matched),
            review: suppress(l.review),
            unmatched: suppress(l.unmatched),
            // Of rounded counts, as the counts are shown.
            matched_pct: pct(l.percent(rounded(l.matched)), lang),
            review_pct: pct(l.percent(rounded(l.review)), lang),
            unmatched_pct: pct(l.percent(rounded(l.unmatched)), lang),
            thresholds: format!(
                "{} {} ({:+.2} bit) · {} {} ({:+.2} bit)",
                t.thresholds_word,
                l.match_threshold,
                l.match_weight,
                t.review_from,
                l.review_threshold,
                l.review_weight
            ),
            tiers: l
                .by_tier
                .iter()
                .map(|r| TierRowView {
                    tier: r.tier.label(lang).to_string(),
                    kind: kind(&r.kind),
                    matched: suppress(r.matched),
                    review: suppress(r.review),
                    unmatched: suppress(r.unmatched),
                })
                .collect(),
            histogram: charts::weight_histogram(
                &l.weights,
                l.match_weight,
                l.review_weight,
                &words,
            ),
            without_weight: suppress(l.weights.without_weight),
            model_line: format!(
                "{} {:.3e} ({:+.2} bit) · {} {} ({}) · {} {}",
                t.prior_word,
                m.prior,
                m.prior_weight,
                t.em_word,
                m.em_iterations,
                if m.em_converged {
                    t.converged
                } else {
                    t.not_converged
                },
                t.u_pairs_word,
                m.u_pairs
            ),
            model_chart: charts::model_weights(m, lang),
            examples,
            examples_note: if l.masked {
                t.examples_note
            } else {
                t.examples_note_pii
            },
            reasons,
            blocking: l
                .blocking
                .iter()
                .map(|b| BlockingView {
                    rule: b.rule.clone(),
                    pairs: b.pairs,
                    new_pairs: b.new_pairs,
                    capped: suppress(b.capped),
                })
                .collect(),
        }
    }
}

struct SourceView {
    anchor: String,
    name: String,
    file: String,
    rules: String,
    format_line: String,
    rows: u64,
    passed: usize,
    failed_error: usize,
    failed_warning: usize,
    skipped: usize,
    findings: u64,
    verdict_class: &'static str,
    verdict_label: &'static str,
    level_chart: String,
    fields: Vec<FieldView>,
    checks: Vec<CheckView>,
    has_baseline: bool,
    changes: Vec<ChangeView>,
    linkage: Option<LinkageView>,
    linked_pct: String,
    /// How its addresses matched the register: (label, share, count).
    addresses: Vec<(&'static str, String, String)>,
}

/// The cards of a table's address match rates: one per level, then the
/// addresses placed in an area and the records with none. Shares are of
/// the records. Counts are shown as they are, as check failure counts are:
/// they count addresses, not people with a trait.
fn address_cards(
    r: &crate::geography::matching::Rates,
    t: &Strings,
    lang: Lang,
) -> Vec<(&'static str, String, String)> {
    use crate::geography::matching::Level;
    let total = (r.given() + r.missing).max(1) as f64;
    let card = |label, n: u64| (label, pct(n as f64 * 100.0 / total, lang), n.to_string());
    let mut cards: Vec<_> = Level::ALL
        .iter()
        .zip(t.address_levels)
        .map(|(&l, label)| card(label, r.at(l)))
        .collect();
    cards.push(card(t.address_placed, r.placed));
    cards.push(card(t.address_missing, r.missing));
    cards
}

struct RegressionView {
    source: String,
    subject: String,
    previous: String,
    current: String,
    message: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    t: &'a Strings,
    lang: &'static str,
    version: &'static str,
    today: String,
    fail_on: &'static str,
    gate_class: &'static str,
    gate_label: &'static str,
    sources: Vec<SourceView>,
    regressions: Vec<RegressionView>,
    any_linkage: bool,
    /// The run's id, for a source's page of `vaglio run`, which links back
    /// to the run's index (the id itself is not shown: a source reused by
    /// `--against` keeps its page as it was); `None` for `vaglio check`.
    run: Option<String>,
}

/// A horizontal bar of `pct` percent (0–100), optionally with a marker at
/// `mark` percent, as inline SVG; its label, for screen readers, is the
/// percentage as `lang` writes it.
fn bar(pct: f64, color: &str, mark: Option<f64>, lang: Lang) -> String {
    let w = 120.0;
    let fill = (pct.clamp(0.0, 100.0) / 100.0 * w).round();
    let label = messages::percent(pct, 1, lang);
    let mut s = format!(
        "<svg width=\"{w}\" height=\"10\" role=\"img\" aria-label=\"{label}\"><rect width=\"{w}\" height=\"10\" fill=\"#eaeef2\"/><rect width=\"{fill}\" height=\"10\" fill=\"{color}\"/>"
    );
    if let Some(m) = mark {
        let x = (m.clamp(0.0, 100.0) / 100.0 * w).round();
        let _ = write!(
            s,
            "<rect x=\"{}\" width=\"2\" height=\"10\" fill=\"#1f2328\"/>",
            (x - 1.0).max(0.0)
        );
    }
    s.push_str("</svg>");
    s
}

/// A small bar chart of findings (failed values) per validation level.
fn level_chart(checks: &[CheckResult], title: &str) -> String {
    let mut counts = [0u64; 4];
    for c in checks {
        counts[usize::from(c.meta.level.min(3))] += c.failed;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut s = format!(
        "<figure><figcaption class=\"muted\">{title}</figcaption><svg width=\"360\" height=\"96\" role=\"img\" aria-label=\"{title}\">"
    );
    for (level, n) in counts.iter().enumerate() {
        let y = 6 + level as u32 * 22;
        let w = (*n as f64 / max * 260.0).round();
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"12\" fill=\"#59636e\">L{level}</text><rect x=\"28\" y=\"{y}\" width=\"{w}\" height=\"14\" fill=\"#cf222e\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{n}</text>",
            y + 11,
            34.0 + w,
            y + 11
        );
    }
    s.push_str("</svg></figure>");
    s
}

/// A percentage with two decimals, as `lang` writes it.
fn pct(x: f64, lang: Lang) -> String {
    messages::percent(x, 2, lang)
}

fn anchor(name: &str, i: usize) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("s{i}-{slug}")
}

/// Renders the report. `baseline` is the previous summary, if one was given.
pub fn render(
    outcomes: &[SourceOutcome],
    summary: &Summary,
    baseline: Option<&Summary>,
    fail_on: Severity,
    lang: Lang,
) -> Result<String, askama::Error> {
    let t = lang.strings();
    let mut sources = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        let src_summary = summary.sources.iter().find(|s| s.name == o.name);
        let failed_error = o
            .checks
            .iter()
            .filter(|c| c.verdict() == Verdict::Failed && c.meta.severity == Severity::Error)
            .count();
        let failed_warning = o
            .checks
            .iter()
            .filter(|c| c.verdict() == Verdict::Failed && c.meta.severity == Severity::Warning)
            .count();
        let gate_failed = o.gate_failures(fail_on).next().is_some();
        let mut format_line = src_summary.map(|s| s.format.clone()).unwrap_or_default();
        if let Some(e) = o.info.encoding {
            let _ = write!(format_line, " · {e}");
        }
        if let Some(d) = o.info.delimiter {
            let _ = write!(
                format_line,
                " · '{}'",
                if d == b'\t' {
                    "TAB".to_string()
                } else {
                    (d as char).to_string()
                }
            );
        }
        let fields = o
            .fields
            .iter()
            .map(|f| FieldView {
                name: f.name.clone(),
                field_type: f.field_type.clone(),
                completeness: if f.present {
                    pct(f.completeness(), lang)
                } else {
                    "—".into()
                },
                completeness_bar: if f.present {
                    bar(f.completeness(), "#0969da", None, lang)
                } else {
                    String::new()
                },
                validity: if f.present {
                    pct(f.validity(), lang)
                } else {
                    "—".into()
                },
                validity_bar: if f.present {
                    bar(f.validity(), "#1a7f37", None, lang)
                } else {
                    String::new()
                },
                distinct: if f.distinct_exact {
                    f.distinct.to_string()
                } else {
                    format!("≈{}", f.distinct)
                },
            })
            .collect();
        let checks: Vec<CheckView> = o
            .checks
            .iter()
            .map(|c| {
                let (class, label) = match c.verdict() {
                    Verdict::Passed => ("ok", t.passed),
                    Verdict::Skipped => ("skip", t.skipped_label),
                    Verdict::Failed => match c.meta.severity {
                        s if s >= fail_on => ("fail", t.failed_label),
                        Severity::Info => ("info", t.info_label),
                        _ => ("warn", t.warning_label),
                    },
                };
                let tolerance = match (c.meta.max_fail_count, c.meta.max_fail_percent) {
                    (None, None) => "0".to_string(),
                    (Some(n), None) => n.to_string(),
                    (None, Some(p)) => messages::percent_as_written(p, lang),
                    (Some(n), Some(p)) => {
                        format!("{n} / {}", messages::percent_as_written(p, lang))
                    }
                };
                let color = if class == "ok" { "#1a7f37" } else { "#cf222e" };
                CheckView {
                    verdict_class: class,
                    verdict_label: label,
                    code: c.kind.code,
                    id: c.meta.id.clone(),
                    description: c.meta.description.render(lang),
                    skipped: c
                        .skipped
                        .as_ref()
                        .map(|m| m.render(lang))
                        .unwrap_or_default(),
                    severity: messages::severity(c.meta.severity, lang),
                    level: c.meta.level,
                    failed: c.failed,
                    evaluated: c.evaluated,
                    rate: pct(c.failed_percent(), lang),
                    tolerance,
                    rate_bar: bar(c.failed_percent(), color, c.meta.max_fail_percent, lang),
                    more: c.failed.saturating_sub(c.examples.len() as u64),
                    examples: c
                        .examples
                        .iter()
                        .map(|e| ExampleView {
                            place: if e.row == 0 {
                                t.file.to_string()
                            } else {
                                format!("{} {} ({} {})", t.row, e.row, t.line, e.line)
                            },
                            key: e.key.clone(),
                            message: e.message.render(lang),
                            sample: e.sample.clone().unwrap_or_default(),
                        })
                        .collect(),
                }
            })
            .collect();
        let mut changes = Vec::new();
        let old = baseline.and_then(|b| b.sources.iter().find(|s| s.name == o.name));
        if let (Some(old), Some(now)) = (old, src_summary) {
            for c in &now.checks {
                if let Some(p) = old.checks.iter().find(|x| x.id == c.id) {
                    if (p.failed_percent - c.failed_percent).abs() > 1e-9 {
                        let regression = summary
                            .regressions
                            .iter()
                            .any(|r| r.source == o.name && r.subject == c.id);
                        changes.push(change(
                            c.id.clone(),
                            t.failed_rate,
                            p.failed_percent,
                            c.failed_percent,
                            true,
                            regression,
                            lang,
                        ));
                    }
                }
            }
            for f in &now.fields {
                if let Some(p) = old.fields.iter().find(|x| x.name == f.name) {
                    if (p.completeness - f.completeness).abs() > 1e-9 {
                        let subject = format!("field:{}", f.name);
                        let regression = summary
                            .regressions
                            .iter()
                            .any(|r| r.source == o.name && r.subject == subject);
                        changes.push(change(
                            subject,
                            t.completeness_metric,
                            p.completeness,
                            f.completeness,
                            false,
                            regression,
                            lang,
                        ));
                    }
                }
            }
            // Regressions first, then the largest changes.
            changes.sort_by_key(|c| std::cmp::Reverse(c.regression));
        }
        sources.push(SourceView {
            anchor: anchor(&o.name, i),
            name: o.name.clone(),
            file: o.path.clone(),
            rules: o.rules.clone(),
            format_line,
            rows: o.rows,
            passed: o
                .checks
                .iter()
                .filter(|c| c.verdict() == Verdict::Passed)
                .count(),
            failed_error,
            failed_warning,
            skipped: o
                .checks
                .iter()
                .filter(|c| c.verdict() == Verdict::Skipped)
                .count(),
            findings: o.checks.iter().map(|c| c.failed).sum(),
            verdict_class: if gate_failed { "fail" } else { "ok" },
            verdict_label: if gate_failed {
                t.gate_failed
            } else {
                t.gate_passed
            },
            level_chart: level_chart(&o.checks, t.level_chart),
            fields,
            checks,
            has_baseline: old.is_some(),
            changes,
            linked_pct: src_summary
                .and_then(|s| s.linkage.as_ref())
                .map(|l| pct(l.percent(l.matched), lang))
                .unwrap_or_else(|| "—".into()),
            linkage: src_summary
                .and_then(|s| s.linkage.as_ref())
                .map(|l| LinkageView::new(l, t, lang)),
            addresses: src_summary
                .and_then(|s| s.addresses.as_ref())
                .map(|a| address_cards(a, t, lang))
                .unwrap_or_default(),
        });
    }
    let regressions = summary
        .regressions
        .iter()
        .map(|r: &Regression| RegressionView {
            source: r.source.clone(),
            subject: r.subject.clone(),
            previous: format!("{:.2}", r.previous),
            current: format!("{:.2}", r.current),
            message: r.sentence(lang),
        })
        .collect();
    let failed = summary.gate == crate::validate::Gate::Failed;
    Page {
        t,
        lang: lang.code(),
        version: env!("CARGO_PKG_VERSION"),
        today: summary.today.clone(),
        fail_on: messages::severity(fail_on, lang),
        gate_class: if failed { "fail" } else { "ok" },
        gate_label: if failed { t.gate_failed } else { t.gate_passed },
        any_linkage: sources.iter().any(|s| s.linkage.is_some()),
        sources,
        regressions,
        run: summary.run.clone(),
    }
    .render()
}

fn change(
    subject: String,
    metric: &'static str,
    previous: f64,
    current: f64,
    lower_is_better: bool,
    regression: bool,
    lang: Lang,
) -> ChangeView {
    let worse = if lower_is_better {
        current > previous
    } else {
        current < previous
    };
    ChangeView {
        subject,
        metric,
        previous: pct(previous, lang),
        current: pct(current, lang),
        arrow: if current > previous { "▲" } else { "▼" },
        class: if worse { "up" } else { "down" },
        regression,
    }
}
