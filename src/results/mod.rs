//! The results contract: what a results directory holds and how it is spelled. One typed row
//! ([`CellRow`]: one cell × metric profile of `cells.csv`), the per-cell record the runner
//! caches ([`CellRecord`]), the run's [`Manifest`], and the cell identifier. The runner writes
//! these types, the report and the regression gate read them; nobody else parses the files.
//! The column contract is documented in README.md ("Output files").
//!
//! `cells.csv` and `timings.csv` are read and written by header name through the `csv` crate
//! and serde; numbers are written as shortest round-trip text ([`crate::io::fmt_f64`]: `NaN`,
//! `inf`), so a value read back is bit-identical to the value written.

mod cells_csv;
mod manifest;
mod record;
pub mod text;

pub use cells_csv::{
    is_metric_column, render_cells_csv, render_timings_csv, write_results, Cells, KEY_COLUMN_COUNT, LEADING_COLUMNS,
    TRAILING_COLUMNS,
};
pub use manifest::{Manifest, ManifestDataset, ManifestGenerator, ManifestProfile, ManifestProtocol};
pub use record::{cell_id, CellFacts, CellKey, CellRecord, CellRow, Phase, ProfileRow, Status, Timings};
