//! Readers for the challenge layout (genes × samples TSV + meta CSV) and tidy CSV
//! (data-formats.md §1–2).

use super::dataset::Dataset;
use crate::error::Result;
use std::path::Path;

/// Options of the challenge-layout reader.
#[derive(Clone, Debug)]
pub struct ChallengeOptions {
    pub sample_column: String,
    pub label_column: String,
    pub drop_unlabelled: bool,
    pub na_label: Option<String>,
}

/// Options of the tidy-CSV reader.
#[derive(Clone, Debug)]
pub struct TidyOptions {
    pub id_column: String,
    pub label_column: String,
    pub drop_unlabelled: bool,
    pub na_label: Option<String>,
}

/// Read a genes × samples TSV and its meta CSV into a dataset named `name`.
pub fn load_challenge(name: &str, matrix: &Path, meta: &Path, opts: &ChallengeOptions) -> Result<Dataset> {
    crate::bail!("challenge loader not implemented yet ({name}: {} {} {opts:?})", matrix.display(), meta.display())
}

/// Read a tidy samples × genes CSV into a dataset named `name`.
pub fn load_tidy(name: &str, path: &Path, opts: &TidyOptions) -> Result<Dataset> {
    crate::bail!("tidy loader not implemented yet ({name}: {} {opts:?})", path.display())
}
