//! Reports: Table-1 CSVs, plots and the HTML/Markdown report built from a results directory.

mod csv;
pub mod inputs;
pub mod stats;
pub mod table;
