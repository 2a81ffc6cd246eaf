//! Pseudonyms: HMAC-SHA256 of an identifier with a key the user keeps
//! outside the data (a plain hash would be reversible: identifiers and codici
//! fiscali can be enumerated). The same identifier and key give the same
//! pseudonym on every run; the key is never written anywhere.

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The demo city's key: public, for `vaglio demo` only. Never use it for
/// real data — anyone can recompute its pseudonyms.
pub const DEMO_KEY: &str = "vaglio-demo-key-NOT-SECRET-do-not-use-for-real-data";

/// The shortest key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 16;

/// What identifiers become in the datamart.
#[derive(Clone)]
pub enum Pseudonymizer {
    /// HMAC-SHA256 with this key, hex of the first 16 bytes.
    Keyed(Vec<u8>),
    /// `--no-pseudonyms`: identifiers as they are (local tests only).
    Plain,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        match self {
            Pseudonymizer::Keyed(_) => f.write_str("Keyed(…)"),
            Pseudonymizer::Plain => f.write_str("Plain"),
        }
    }
}

/// HMAC-SHA256 of `data` with `key`, the first 16 bytes as lowercase hex.
pub fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    // HMAC takes keys of any length.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(data);
    let bytes = mac.finalize().into_bytes();
    // Hex without formatting: a run computes one for every resident,
    // family and record.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(32);
    for b in &bytes[..16] {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xF)]));
    }
    s
}

impl Pseudonymizer {
    /// Whether identifiers are pseudonymised.
    pub fn keyed(&self) -> bool {
        matches!(self, Pseudonymizer::Keyed(_))
    }

    /// A resident's pseudonym: HMAC of the anagrafe identifier.
    pub fn person(&self, id: &str) -> String {
        match self {
            Pseudonymizer::Keyed(k) => hmac_hex(k, id.as_bytes()),
            Pseudonymizer::Plain => id.to_string(),
        }
    }

    /// A family's pseudonym: HMAC of `famiglia:` and the family identifier
    /// (a prefix, so that a family and a person with the same number do not
    /// share a pseudonym).
    pub fn family(&self, id: &str) -> String {
        match self {
            Pseudonymizer::Keyed(k) => hmac_hex(k, format!("famiglia:{id}").as_bytes()),
            Pseudonymizer::Plain => id.to_string(),
        }
    }

    /// A value of a column a rule file declares `datamart = "pseudonymise"`:
    /// HMAC of `valore:` and the trimmed, upper-cased value, so the same
    /// value (a parent's codice fiscale) gets the same pseudonym in every
    /// source.
    pub fn value(&self, v: &str) -> String {
        let v = v.trim().to_uppercase();
        match self {
            Pseudonymizer::Keyed(k) => hmac_hex(k, format!("valore:{v}").as_bytes()),
            Pseudonymizer::Plain => v,
        }
    }

    /// What tells one key from another without revealing it (HMAC of a
    /// fixed text), empty without a key: part of a run's id, so that runs
    /// with different keys get different ids.
    pub fn fingerprint(&self) -> String {
        match self {
            Pseudonymizer::Keyed(k) => hmac_hex(k, b"vaglio:impronta"),
            Pseudonymizer::Plain => String::new(),
        }
    }

    /// A record key that identifies (a DSU protocol): HMAC of `chiave:`,
    /// the source and the key.
    pub fn record_key(&self, source: &str, key: &str) -> String {
        match self {
            Pseudonymizer::Keyed(k) => hmac_hex(k, format!("chiave:{source}:{key}").as_bytes()),
            Pseudonymizer::Plain => key.to_string(),
        }
    }
}

/// Reads the key: the environment variable `env` if set and not empty, else
/// the file `file` (its content, trailing newline removed). `Ok(None)` when
/// neither gives one.
pub fn read_key(env: Option<&str>, file: Option<&Path>) -> miette::Result<Option<Vec<u8>>> {
    let check = |k: Vec<u8>, from: String| -> miette::Result<Option<Vec<u8>>> {
        if k.len() < MIN_KEY_BYTES {
            miette::bail!(
                code = "vaglio::privacy::key",
                help = "use a random key of at least 32 characters, e.g. `openssl rand -hex 32`",
                "the pseudonym key from {from} is too short ({} bytes; at least {MIN_KEY_BYTES})",
                k.len()
            );
        }
        Ok(Some(k))
    };
    if let Some(var) = env {
        if let Some(v) = std::env::var_os(var) {
            let bytes = v.into_encoded_bytes();
            if !bytes.is_empty() {
                return check(bytes, format!("the environment variable {var}"));
            }
        }
    }
    if let Some(path) = file {
        if path.exists() {
            let mut bytes = crate::read::read_regular(path).map_err(|e| {
                miette::miette!(
                    code = "vaglio::privacy::key_file",
                    "cannot read the key file {}: {e}",
                    path.display()
                )
            })?;
            while matches!(bytes.last(), Some(b'\n' | b'\r')) {
                bytes.pop();
            }
            return check(bytes, format!("the key file {}", path.display()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        // HMAC-SHA256("Jefe", "what do ya want for nothing?"), first 16 bytes.
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c7"
        );
    }

    #[test]
    fn pseudonyms_depend_on_the_key_and_the_kind() {
        let a = Pseudonymizer::Keyed(b"0123456789abcdef".to_vec());
        let b = Pseudonymizer::Keyed(b"0123456789abcdeg".to_vec());
        assert_eq!(a.person("42"), a.person("42"));
        assert_ne!(a.person("42"), b.person("42"));
        assert_ne!(a.person("42"), a.family("42"));
        assert_eq!(a.person("42").len(), 32);
        assert_eq!(Pseudonymizer::Plain.person("42"), "42");
        assert!(!format!("{a:?}").contains("0123"));
    }
}
