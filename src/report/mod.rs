//! The machine-readable and terminal outputs of a check run:
//! `findings.csv`, `summary.json`, `junit.xml`, the terminal summary and the
//! comparison against a baseline.

pub mod baseline;
pub mod findings;
pub mod html;
pub mod junit;
pub mod summary;
pub mod terminal;

pub use summary::Summary;
