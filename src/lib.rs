//! `bench`: a benchmark harness for privacy-preserving synthetic bulk RNA-seq generators,
//! scored with the CAMDA Health Privacy Challenge metric suite.
//!
//! The modules follow the data's path: [`data`] (load, simulate, split) → [`privacy`]
//! (accountant, mechanisms) → [`generators`] (discretise, fit, sample) → [`metrics`] →
//! [`runner`] (grid, scheduling, cache) → [`report`] (tables, plots, HTML). [`results`] is the
//! contract of a results directory (typed rows of cells.csv, the manifest): the runner writes it,
//! the report and the gate read it. [`numeric`] holds the shared kernels.

pub mod check;
pub mod cli;
pub mod data;
pub mod error;
pub mod generators;
pub mod io;
pub mod metrics;
pub mod numeric;
pub mod perf;
pub mod privacy;
pub mod report;
pub mod results;
pub mod rng;
pub mod runner;
pub mod scale_cli;

/// The bench version recorded in every result row.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
