//! Jaro–Winkler on name pairs: `strsim` (what the linkage uses) against
//! `rapidfuzz`, to record why the choice was made.
//!
//! Run: `cargo bench --bench strings`.

use std::hint::black_box;
use std::time::Instant;

const NAMES: &[&str] = &[
    "ROSSI",
    "RUSSO",
    "FERRARI",
    "ESPOSITO",
    "BIANCHI",
    "ROMANO",
    "COLOMBO",
    "RICCI",
    "MARINO",
    "GRECO",
    "BRUNO",
    "GALLO",
    "CONTI",
    "DE LUCA",
    "MANCINI",
    "COSTA",
    "GIORDANO",
    "RIZZO",
    "LOMBARDI",
    "MORETTI",
    "HOSSAIN",
    "HUSSAIN",
    "POPESCU",
    "EL IDRISSI",
    "IDRISSI",
    "ZHANG",
    "MOHAMED",
    "MOHAMMED",
    "GUALLUMONI",
    "VALEDELLI",
    "PRAROGNASSI",
    "CALUSSINI",
];

fn main() {
    let pairs: Vec<(&str, &str)> = (0..1_000_000usize)
        .map(|i| {
            (
                NAMES[i % NAMES.len()],
                NAMES[(i * 7 + i / 32) % NAMES.len()],
            )
        })
        .collect();
    let mut best = [f64::MAX; 2];
    let mut sums = [0.0f64; 2];
    for _ in 0..5 {
        let t = Instant::now();
        let mut s = 0.0;
        for (a, b) in &pairs {
            s += strsim::jaro_winkler(black_box(a), black_box(b));
        }
        best[0] = best[0].min(t.elapsed().as_secs_f64());
        sums[0] = s;
        let t = Instant::now();
        let mut s = 0.0;
        for (a, b) in &pairs {
            s += rapidfuzz::distance::jaro_winkler::similarity(
                black_box(a.bytes()),
                black_box(b.bytes()),
            );
        }
        best[1] = best[1].min(t.elapsed().as_secs_f64());
        sums[1] = s;
    }
    println!(
        "Jaro-Winkler, 1M surname pairs, best of 5: strsim {:.0} ns/pair, rapidfuzz (bytes) {:.0} ns/pair; mean scores {:.6} / {:.6}",
        best[0] * 1e3,
        best[1] * 1e3,
        sums[0] / 1e6,
        sums[1] / 1e6
    );
}
