//! Per-row cost of a compiled expression.
//!
//! `cargo bench --bench expr` evaluates
//! `eta >= 18 and eta < 120 and (comune == 'ROMA' or reddito > 1000.5)`
//! over 1M rows (`Vec<Value>`, text borrowed from a backing buffer as the
//! reader produces it) and prints ns/row for: the compiled closures
//! (`eval_bool` and `eval`), the same skeleton as an enum tree evaluated by
//! `match`, the tree-walking interpreter, and a hand-written closure as the
//! floor.

use std::borrow::Cow;
use std::hint::black_box;
use std::time::Instant;

use vaglio::expr::{compile_bool, Env, FunctionRegistry};
use vaglio::value::{RowValues, Value, ValueType};

const ROWS: usize = 1_000_000;
const RUNS: usize = 10;
const SOURCE: &str = "eta >= 18 and eta < 120 and (comune == 'ROMA' or reddito > 1000.5)";

/// Best of `RUNS` passes of `ROWS` evaluations, cycling over `rows`, in
/// ns/row; also the count of true rows.
fn time(rows: &[Vec<Value<'_>>], f: impl Fn(&dyn RowValues) -> bool) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut count = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        count = 0;
        for _ in 0..ROWS / rows.len() {
            for r in rows {
                if f(black_box(r)) {
                    count += 1;
                }
            }
        }
        best = best.min(start.elapsed().as_nanos() as f64 / ROWS as f64);
    }
    (best, count)
}

fn main() {
    let comuni = ["ROMA", "MILANO", "BOLOGNA", "NAPOLI", "TORINO"];
    // Deterministic pseudo-random data (xorshift).
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let rows: Vec<Vec<Value<'_>>> = (0..ROWS)
        .map(|_| {
            let n = next();
            let eta = if n % 50 == 0 {
                Value::Null
            } else {
                Value::Int((n % 130) as i64)
            };
            let comune = Value::Text(Cow::Borrowed(comuni[((n >> 8) % 5) as usize]));
            let reddito = Value::Decimal(((n >> 16) % 5000) as f64 + 0.25);
            vec![eta, comune, reddito]
        })
        .collect();

    let columns = vec![
        ("eta".to_string(), 0, ValueType::Int),
        ("comune".to_string(), 1, ValueType::Text),
        ("reddito".to_string(), 2, ValueType::Decimal),
    ];
    let functions = FunctionRegistry::builtin();
    let env = Env {
        columns: &columns,
        today: chrono::NaiveDate::from_ymd_opt(2024, 6, 15).unwrap(),
        functions: &functions,
    };
    let expr = compile_bool(SOURCE, &env).expect("the benchmark expression compiles");

    println!("{SOURCE}");
    for (window, what) in [
        (ROWS, "1M distinct rows (memory-bound: ~130 MB of rows streamed from RAM)"),
        (1_000, "1M evaluations over 1,000 rows in cache (as in the pipeline: a row is checked right after it is parsed)"),
    ] {
        println!("\n{what}, best of {RUNS} runs");
        let rows = &rows[..window];
        let (ns, n1) = time(rows, |r| expr.eval_bool(r) == Some(true));
        println!("  compiled closures, eval_bool   {ns:6.1} ns/row  ({n1} true)");
        let (ns, n2) = time(rows, |r| expr.eval(r) == Value::Bool(true));
        println!("  compiled closures, eval        {ns:6.1} ns/row");
        let (ns, n5) = time(rows, |r| expr.eval_bool_match_tree(r) == Some(true));
        println!("  enum tree + match, eval_bool   {ns:6.1} ns/row");
        let (ns, n3) = time(rows, |r| expr.eval_interpreted(r) == Value::Bool(true));
        println!("  tree-walking interpreter       {ns:6.1} ns/row");
        let (ns, n4) = time(rows, |r| {
            let eta = match r.value(0) {
                Value::Int(i) => Some(i),
                _ => None,
            };
            eta.is_some_and(|e| (18..120).contains(&e))
                && (r.value(1).as_str() == Some("ROMA")
                    || r.value(2).as_f64().is_some_and(|x| x > 1000.5))
        });
        println!("  hand-written closure (floor)   {ns:6.1} ns/row");
        assert!(n1 == n2 && n2 == n3 && n3 == n4 && n4 == n5, "the evaluators disagree");
    }
}
