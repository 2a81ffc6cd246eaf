//! vaglio: checks the data extracts that a city's service systems deliver to
//! its welfare datamart, links every person in them to the population
//! registry (the anagrafe), and writes quality reports and a linked master
//! file.
//!
//! The binary is a thin layer over this library: see [`cli`] for the
//! command line and the modules below for each stage of the pipeline.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod checks;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod expr;
#[doc(hidden)]
pub mod fuzzing;
pub mod geography;
pub mod history;
pub mod identity;
pub mod infer;
pub mod link;
pub mod master;
pub mod memory;
pub mod messages;
pub mod output;
pub mod pipeline;
pub mod privacy;
pub mod project;
pub mod read;
pub mod report;
pub mod rng;
pub mod rules;
pub mod types;
pub mod validate;
pub mod value;
