//! The linked master: pseudonyms, the SQLite datamart feed, the review queue
//! and the reviewers' decisions.
//!
//! | module | what |
//! |---|---|
//! | [`pseudonym`] | keyed HMAC-SHA256 pseudonyms; the key from an environment variable or a file |
//! | [`datamart`] | `datamart.sqlite`: individui, famiglie, collegamenti, a table per source, metadata |
//! | [`datapackage`] | `datapackage.json`: the tables as a Frictionless Data Package |
//! | [`model`] | each table's columns (kinds, descriptions), keys and indexes |
//! | [`parquet`] | `parquet/<table>.parquet`: each table in Parquet, written as SQLite takes its rows |
//! | [`links`] | `links.csv`: each record's outcome, written and read back |
//! | [`review`] | `review/queue.csv` and the decisions file read back by `vaglio run --decisions` |

pub mod datamart;
pub mod datapackage;
pub mod links;
pub mod model;
pub mod parquet;
pub mod pseudonym;
pub mod review;
