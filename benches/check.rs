//! Throughput of `vaglio check`, end to end (reading, typing, 25 checks of
//! which 17 field constraints and 2 expressions, findings written), on a
//! generated 12-column extract.
//!
//! Run: `cargo bench --bench check` (1,000,000 rows), or
//! `cargo bench --bench check -- 10000000 --no-unique` for the memory
//! figure at 10 million rows without a uniqueness check.
//! The generated file is kept in `target/bench-data/`.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use vaglio::rules;

/// The allocator of the `vaglio` binary (src/main.rs), so that the figure is
/// the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use vaglio::validate::{validate, ValidateOptions};

const SURNAMES: &[&str] = &[
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
    "POPESCU",
    "EL IDRISSI",
    "ZHANG",
];
const NAMES: &[&str] = &[
    "MARIO",
    "LUCA",
    "GIULIA",
    "SARA",
    "FRANCESCO",
    "ANNA",
    "MOHAMED",
    "FATIMA",
    "ANDREI",
    "WEI",
    "NICOLÒ",
    "CHIARA",
    "MATTEO",
    "SOFIA",
];

/// A small deterministic generator (xorshift), so the data are reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn generate(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(
        w,
        "ID;CF;COGNOME;NOME;DATA_NASCITA;SESSO;COMUNE;CAP;ISEE;FASCIA;DATA_INIZIO;DATA_FINE"
    )?;
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for id in 1..=rows {
        let bad = r.below(100) == 0;
        let mut cf = String::with_capacity(16);
        for _ in 0..6 {
            cf.push(letters[r.below(26) as usize] as char);
        }
        let (day, month, year) = (1 + r.below(28), 1 + r.below(12), 1940 + r.below(80));
        cf.push_str(&format!(
            "{:02}{}{:02}A944",
            year % 100,
            ['A', 'B', 'C', 'D', 'E', 'H', 'L', 'M', 'P', 'R', 'S', 'T'][month as usize - 1],
            day
        ));
        cf.push(vaglio::identity::codice_fiscale::check_char(cf.as_bytes()).unwrap_or('X'));
        if bad && r.below(2) == 0 {
            cf.truncate(15);
        }
        let birth = if bad && r.below(3) == 0 {
            format!("31/02/{year}")
        } else {
            format!("{day:02}/{month:02}/{year}")
        };
        let isee = if bad && r.below(2) == 0 {
            "-5,00".to_string()
        } else {
            format!("{}.{:03},{:02}", r.below(60), r.below(1000), r.below(100))
        };
        writeln!(
            w,
            "{id};{cf};{};{};{birth};{};BOLOGNA;401{:02};{isee};{};01/09/2024;30/06/2025",
            SURNAMES[r.below(SURNAMES.len() as u64) as usize],
            NAMES[r.below(NAMES.len() as u64) as usize],
            if r.below(2) == 0 { "M" } else { "F" },
            r.below(40),
            ["A", "B", "C", "D", "E"][r.below(5) as usize],
        )?;
    }
    w.flush()
}

const RULES: &str = r#"
[input]
delimiter = ";"
encoding = "utf-8"
key = "ID"

[fields.ID]
type = "integer"
required = true
UNIQUE

[fields.CF]
type = "codice_fiscale"
required = true

[fields.COGNOME]
required = true
max_length = 60

[fields.NOME]
required = true

[fields.DATA_NASCITA]
type = "date"
format = "%d/%m/%Y"
range = { min = "1900-01-01", max = "today" }

[fields.SESSO]
enum = ["M", "F"]

[fields.COMUNE]

[fields.CAP]
pattern = '\d{5}'

[fields.ISEE]
type = "decimal"
decimal_separator = ","
thousands_separator = "."
minimum = 0

[fields.FASCIA]
enum = ["A", "B", "C", "D", "E"]

[fields.DATA_INIZIO]
type = "date"
format = "%d/%m/%Y"

[fields.DATA_FINE]
type = "date"
format = "%d/%m/%Y"

[[checks]]
id = "periodo"
assert = "DATA_FINE >= DATA_INIZIO"

[[checks]]
id = "adulto-isee"
assert = "age_at(DATA_NASCITA, DATA_INIZIO) >= 18 or ISEE is null or ISEE >= 0"
"#;

fn peak_rss_mib() -> f64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let rows: u64 = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let unique = !args.iter().any(|a| a == "--no-unique");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    fs::create_dir_all(&dir)?;
    let data = dir.join(format!("extract-v2-{rows}.csv"));
    if !data.exists() {
        let t = Instant::now();
        generate(&data, rows)?;
        eprintln!(
            "generated {} in {:.1} s",
            data.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let rules_path = dir.join("bench.toml");
    fs::write(
        &rules_path,
        RULES.replace("UNIQUE", if unique { "unique = true" } else { "" }),
    )?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).ok_or("bad date")?;
    let rules = rules::load(&rules_path, today)?;
    let findings_path = dir.join("findings.csv");
    let mut findings = vaglio::report::findings::FindingsWriter::create(
        &vaglio::output::Sink::default(),
        &findings_path,
    )?;
    let bytes = fs::metadata(&data)?.len();
    let t = Instant::now();
    let outcome = validate(
        &data,
        &rules,
        &ValidateOptions {
            source_name: "bench".into(),
            ..Default::default()
        },
        &mut |f| findings.write("bench", f),
    )?;
    findings.finish()?;
    let secs = t.elapsed().as_secs_f64();
    let checks = outcome.checks.len();
    println!(
        "check: {} rows x 12 columns, {checks} checks ({} field constraints), threads {}: {:.2} s, {:.0} rows/s, {:.0} MB/s, peak RSS {:.0} MiB, findings {}",
        outcome.rows,
        rules.fields.iter().map(|f| f.constraints.len()).sum::<usize>(),
        rayon::current_num_threads(),
        secs,
        outcome.rows as f64 / secs,
        bytes as f64 / secs / 1e6,
        peak_rss_mib(),
        outcome.checks.iter().map(|c| c.failed).sum::<u64>()
    );
    Ok(())
}
