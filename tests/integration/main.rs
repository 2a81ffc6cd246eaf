//! Integration tests: one binary, one module per area (ripgrep style). They
//! run the `vaglio` binary as a user would and assert on its exit code,
//! terminal output and output files.

mod bounded;
mod check_inputs;
mod check_kinds;
mod cli;
mod cross;
mod demo;
mod facts;
mod fidelity;
mod fuzz_replay;
mod geography;
mod geography_run;
mod history;
mod hostile;
mod html_report;
mod infer;
mod injection;
mod language;
mod link;
mod portable;
mod privacy;
mod rule_errors;
mod run;
mod transaction;
mod util;
