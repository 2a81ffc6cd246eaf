//! The Italian identity toolkit: everything needed to read, validate and
//! compare the identity fields of a municipal extract. A library only; the
//! checks and the linker build on it.
//!
//! | module | what |
//! |---|---|
//! | [`codice_fiscale`] | the codice fiscale: normalise, classify (personal / provisional / placeholder / malformed), validate with errors a data owner understands, decode (birth date with century against a reference date, sex, place), encode, omocodia (level, base form, all 128 variants), consistency with a record ([`codice_fiscale::cf_consistent`]), masking for reports. Decoding is allocation-free on `&[u8]`. |
//! | [`belfiore`] | municipality and foreign-country codes with their validity intervals (ANPR, CC BY 4.0, embedded): [`belfiore::place`], [`belfiore::valid_at`]. |
//! | [`names`] | personal names: normalisation (accents, apostrophes, particles), compound names, a phonetic key for blocking, known transliteration variants. |
//! | [`dates`] | dates in many formats, Excel serials, two-digit years, impossible dates with a reason, day/month swaps, explicit strftime-like format lists with a fast path. |
//! | [`address`] | street type (ANPR DUG) abbreviations, street name, house number (`12/A`, `12 BIS`, `12 INT 3`, `SNC`). |
//! | [`ids`] | ISEE DSU protocol numbers, partita IVA, CAP, ISTAT municipality codes. |
//!
//! Every function takes arbitrary user text and never panics; errors carry a
//! `message()` that names what is wrong without repeating personal data.
//! Embedded tables and their licences: `src/identity/data/ATTRIBUTION.md`.

pub mod address;
pub mod belfiore;
pub mod codice_fiscale;
pub mod dates;
pub mod functions;
pub mod ids;
pub mod names;

pub use codice_fiscale::{cf_consistent, decode, encode, mask_cf, CfError, Decoded, Sex};
