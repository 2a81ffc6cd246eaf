//! Throughput of codice fiscale validation + decoding.
//!
//! `cargo bench --bench identity` generates 1,000,000 codes (60% valid base
//! codes, 20% omocodes of random level, 20% invalid: a changed character,
//! a wrong check character, a bad month or a wrong length), decodes each one
//! from `&[u8]` with `vaglio::identity::codice_fiscale::decode`, and prints
//! codes per second on one thread (best of several passes).

use std::hint::black_box;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use vaglio::identity::codice_fiscale::{decode, encode, omocode_variant, Sex};

const N: usize = 1_000_000;
const PASSES: usize = 7;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The codes in one contiguous buffer, as a CSV reader hands out fields.
struct Codes {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

fn generate() -> Codes {
    let surnames = [
        "Rossi",
        "Bianchi",
        "Hossain",
        "Popescu",
        "Li",
        "De Luca",
        "El Idrissi",
        "Kovalenko",
        "Hoxha",
        "Santos",
        "Khan",
        "Bo",
        "D'Amico",
        "Esposito",
    ];
    let names = [
        "Mario",
        "Giulia",
        "Mohammed",
        "Mohamed",
        "Ioana",
        "Wei",
        "Gianfranco",
        "Fatima",
        "Olena",
        "Ardit",
        "Maria",
        "Ali",
        "Ugo",
        "Nicolò",
    ];
    let places = [
        "A944", "H501", "Z249", "Z129", "Z210", "Z138", "Z100", "Z216", "Z236", "F205", "M320",
    ];
    let start = NaiveDate::from_ymd_opt(1927, 1, 1).unwrap_or_default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Codes {
        bytes: Vec::with_capacity(N * 16),
        ends: Vec::with_capacity(N),
    };
    while out.ends.len() < N {
        let s = surnames[rng.below(surnames.len() as u64) as usize];
        let n = names[rng.below(names.len() as u64) as usize];
        let p = places[rng.below(places.len() as u64) as usize];
        let date = start
            .checked_add_days(Days::new(rng.below(36_000)))
            .unwrap_or(start);
        let sex = if rng.below(2) == 0 {
            Sex::Male
        } else {
            Sex::Female
        };
        let Ok(cf) = encode(s, n, date, sex, p) else {
            continue;
        };
        let mut code = cf.into_bytes();
        match rng.below(10) {
            0..=5 => {}
            6 | 7 => {
                let mask = 1 + rng.below(127) as u8;
                if let Ok(v) = omocode_variant(std::str::from_utf8(&code).unwrap_or(""), mask) {
                    code = v.into_bytes();
                }
            }
            _ => match rng.below(4) {
                0 => {
                    let pos = rng.below(16) as usize;
                    code[pos] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rng.below(36) as usize];
                }
                1 => code[15] = if code[15] == b'Z' { b'A' } else { code[15] + 1 },
                2 => code[8] = b'F',
                _ => {
                    code.pop();
                }
            },
        }
        out.bytes.extend_from_slice(&code);
        out.ends.push(out.bytes.len());
    }
    out
}

fn main() {
    let codes = generate();
    let reference = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
    let mut best = f64::INFINITY;
    let mut valid = 0usize;
    for _ in 0..PASSES {
        let t = Instant::now();
        valid = 0;
        let mut start = 0;
        for &end in &codes.ends {
            let c = &codes.bytes[start..end];
            start = end;
            if let Ok(d) = decode(black_box(c), reference) {
                valid += 1;
                black_box(d);
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "codice fiscale decode: {} codes ({} valid) in {:.1} ms (best of {PASSES}) = {:.1} million codes/s on one thread",
        codes.ends.len(),
        valid,
        best * 1e3,
        codes.ends.len() as f64 / best / 1e6
    );
}
