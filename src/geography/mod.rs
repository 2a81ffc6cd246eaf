//! Geography: the civic-number register (*stradario*) and the matching of
//! addresses to it, so that every address gets its area statistica, zona
//! and quartiere. A library: `vaglio run` does not call it yet.
//!
//! | module | what |
//! |---|---|
//! | [`register`] | the register read from a [`crate::read::Table`] through a column mapping ([`register::RegisterColumns`]), checked (duplicates and contradictions refused, codes `vaglio::geography::…`) and indexed |
//! | [`normalize`] | street-name keys (full, sorted, reduced: abbreviations, apostrophes, accents, particles, word order, given names), house-number keys (`12/A` = `12A` = `12 A`), the bounded typo distance |
//! | [`matching`] | an address (parts or one text) → a [`matching::Match`]: level (`civic`, `civic_normalised`, `street`, `none`), street, house number, area, and the reason of a miss; a whole table in parallel ([`matching::match_table`]) |
//! | [`eval`] | precision and recall of the matches against a truth file of `vaglio demo` |
//!
//! Street types and house numbers are read by [`crate::identity::address`]
//! (ANPR DUG table, house-number shapes); this module adds what comparing
//! with a register needs.
//!
//! ```no_run
//! use vaglio::geography::{matching::Level, register::{Register, RegisterColumns}};
//! use vaglio::read::{ReadOptions, Table};
//!
//! let table = Table::read("stradario.csv".as_ref(), &ReadOptions::default())?;
//! let register = Register::from_table(&table, &RegisterColumns::default())?;
//! let mut matcher = register.matcher();
//! let m = matcher.match_text("V.LE PEPOLI 12/A");
//! if m.level != Level::None {
//!     let area = m.area.and_then(|a| register.hierarchy(a));
//! }
//! # Ok::<(), miette::Report>(())
//! ```

pub mod eval;
pub mod matching;
pub mod normalize;
pub mod register;
