//! Jaro–Winkler similarity, as `strsim::jaro_winkler` computes it, with a
//! fast path for the ASCII text that normalised names and addresses are.
//!
//! `strsim` walks `char`s and, for every character of one string, the other
//! string from its start; here bytes are compared within the match window
//! only, and the match flags live on the stack. The arithmetic is the same,
//! in the same order, so every score is bit for bit `strsim`'s (a property
//! test holds it to that).

/// Strings this long or shorter take the fast path (longer ones are rare in
/// names; they go to `strsim`).
const MAX_FAST: usize = 64;

/// The Jaro–Winkler similarity of `a` and `b`, in [0, 1].
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > MAX_FAST || y.len() > MAX_FAST || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    let sim = jaro(x, y);
    if sim > 0.7 {
        let prefix = x.iter().take(4).zip(y).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Whether the Jaro–Winkler similarity of `a` and `b` is certainly below
/// `floor`, from a bound that costs a pass over each string: matching
/// characters are at most the characters the two have in common, and
/// with no transpositions. `false` says only "maybe not": then compute it.
/// Most pairs a linkage scores (random pairs for u, namesakes by birth
/// date) are far apart, and need no window scan.
pub fn certainly_below(a: &str, b: &str, floor: f64) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.is_empty()
        || y.is_empty()
        || x.len() > MAX_FAST
        || y.len() > MAX_FAST
        || !a.is_ascii()
        || !b.is_ascii()
    {
        return false;
    }
    // Counts per byte, folded into 64 buckets: folding only raises the
    // bound, which stays a bound.
    let mut count = [0i8; 64];
    for &c in x {
        count[usize::from(c & 63)] += 1;
    }
    let mut common = 0usize;
    for &c in y {
        let k = &mut count[usize::from(c & 63)];
        if *k > 0 {
            *k -= 1;
            common += 1;
        }
    }
    let m = common as f64;
    let jaro = if common == 0 {
        0.0
    } else {
        (m / x.len() as f64 + m / y.len() as f64 + 1.0) / 3.0
    };
    let prefix = x.iter().take(4).zip(y).take_while(|(p, q)| p == q).count();
    let best = if jaro > 0.7 {
        jaro + 0.1 * prefix as f64 * (1.0 - jaro)
    } else {
        jaro
    };
    // A margin far above rounding and far below any gap between two
    // scores of strings this short.
    best < floor - 1e-9
}

/// Jaro similarity of two byte strings of at most [`MAX_FAST`] bytes.
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    } else if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let range = (a_len.max(b_len) / 2).saturating_sub(1);
    let mut a_flags = [false; MAX_FAST];
    let mut b_flags = [false; MAX_FAST];
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = b_len.min(i + range + 1);
        for j in lo..hi {
            if !b_flags[j] && b[j] == c {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &c) in a.iter().enumerate() {
        if !a_flags[i] {
            continue;
        }
        while !b_flags[j] {
            j += 1;
        }
        if b[j] != c {
            transpositions += 1;
        }
        j += 1;
    }
    transpositions /= 2;
    ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn far_apart_pairs_are_told_cheaply() {
        assert!(certainly_below("ROSSI", "BIANCHI", 0.8));
        assert!(certainly_below("ZHANG", "FERRARI", 0.8));
        assert!(!certainly_below("ROSSI", "ROSSSI", 0.8));
        assert!(!certainly_below("MARTINI", "MARTELLI", 0.8));
        assert!(!certainly_below("", "ROSSI", 0.8));
    }

    #[test]
    fn known_scores() {
        assert_eq!(jaro_winkler("", ""), 1.0);
        assert_eq!(jaro_winkler("ROSSI", ""), 0.0);
        assert_eq!(jaro_winkler("ROSSI", "ROSSI"), 1.0);
        assert_eq!(jaro_winkler("ABC", "XYZ"), 0.0);
        let s = jaro_winkler("MARTHA", "MARHTA");
        assert!((s - 0.9611).abs() < 1e-4, "{s}");
        for (a, b) in [
            ("MARTINI", "MARTELLI"),
            ("ROSSI", "ROSSSI"),
            ("NICOLÒ", "NICOLO"),
        ] {
            assert_eq!(
                jaro_winkler(a, b).to_bits(),
                strsim::jaro_winkler(a, b).to_bits()
            );
        }
    }

    proptest! {
        #[test]
        fn a_score_certainly_below_is_below(a in "[A-H ]{0,14}", b in "[A-H ]{0,14}", floor in 0.5f64..1.0) {
            if certainly_below(&a, &b, floor) {
                prop_assert!(jaro_winkler(&a, &b) < floor);
            }
        }

        #[test]
        fn any_text_certainly_below_is_below(a in "\\PC{0,20}", b in "\\PC{0,20}", floor in 0.5f64..1.0) {
            if certainly_below(&a, &b, floor) {
                prop_assert!(jaro_winkler(&a, &b) < floor);
            }
        }

        #[test]
        fn bit_for_bit_strsim(a in "[A-F ']{0,12}", b in "[A-F ']{0,12}") {
            prop_assert_eq!(jaro_winkler(&a, &b).to_bits(), strsim::jaro_winkler(&a, &b).to_bits());
        }

        #[test]
        fn bit_for_bit_strsim_any_text(a in "\\PC{0,70}", b in "\\PC{0,70}") {
            prop_assert_eq!(jaro_winkler(&a, &b).to_bits(), strsim::jaro_winkler(&a, &b).to_bits());
        }
    }
}
