//! The challenge's split YAML layout (data-formats.md §3): read and write.

use super::dataset::Dataset;
use super::split::Split;
use crate::error::Result;
use std::path::Path;

/// Read `splits: split_k: {train_index, test_index}` and map sample IDs to dataset indices.
pub fn read_splits(path: &Path, dataset: &Dataset) -> Result<Vec<Split>> {
    crate::bail!("split YAML reader not implemented yet ({} for {})", path.display(), dataset.name)
}

/// Write splits in the challenge layout with a leading comment (seed, k, algorithm, RNG mode).
pub fn write_splits(path: &Path, dataset: &Dataset, splits: &[Split], comment: &str) -> Result<()> {
    crate::bail!(
        "split YAML writer not implemented yet ({} {} {} {comment})",
        path.display(),
        dataset.name,
        splits.len()
    )
}
