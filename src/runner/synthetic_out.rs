//! Synthetic output of `bench run` (`save_synthetic`) and `bench export`: each cell's synthetic
//! rows in the challenge's submission layout (data-formats.md §4), so that a grid's output can be
//! submitted, handed to the official evaluator, or scored again with `bench score`.
//!
//! Layout: `<results>/synthetic/<dataset>__<generator>__eps-<ε>__seed-<s>/` holds
//! `synthetic_data_split_{k}.csv` and `synthetic_labels_split_{k}.csv` for every fold `k` (gene
//! columns in the real column order and names, label header = the dataset's label column),
//! each `.csv.gz` with `save_synthetic = "gz"`. Every file is written atomically.

use super::results::CellKey;
use crate::data::dataset::Labelled;
use crate::data::export::{synthetic_data_file, synthetic_labels_file, write_synthetic_split};
use crate::error::{Error, Result};
use crate::io::fmt_f64;
use std::path::{Path, PathBuf};

/// Whether (and how) a cell's synthetic set is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SaveSynthetic {
    #[default]
    Off,
    /// Plain `.csv`.
    Csv,
    /// `.csv.gz` (gzip).
    Gzip,
}

impl SaveSynthetic {
    /// The grid value: `true`, `false` or `"gz"`.
    pub fn from_toml(value: &toml::Value) -> Result<SaveSynthetic> {
        match value {
            toml::Value::Boolean(true) => Ok(SaveSynthetic::Csv),
            toml::Value::Boolean(false) => Ok(SaveSynthetic::Off),
            toml::Value::String(s) if s == "gz" => Ok(SaveSynthetic::Gzip),
            other => Err(Error::new(format!("key 'save_synthetic': expected true, false or \"gz\", got {other}"))),
        }
    }

    /// Whether the set is written at all.
    pub fn enabled(self) -> bool {
        self != SaveSynthetic::Off
    }

    fn gzip(self) -> bool {
        self == SaveSynthetic::Gzip
    }
}

/// The submission folder of one (dataset, generator, ε, seed) under a results directory.
pub fn submission_dir(results: &Path, dataset: &str, generator: &str, epsilon: f64, seed: u64) -> PathBuf {
    results.join("synthetic").join(format!("{dataset}__{generator}__eps-{}__seed-{seed}", fmt_f64(epsilon)))
}

fn cell_dir(results: &Path, key: &CellKey) -> PathBuf {
    submission_dir(results, &key.dataset, &key.generator, key.epsilon, key.seed)
}

/// Whether a finished cell's synthetic files are on disk (a cached cell is rerun otherwise).
pub fn is_saved(results: &Path, key: &CellKey, mode: SaveSynthetic) -> bool {
    let dir = cell_dir(results, key);
    let suffix = if mode.gzip() { ".gz" } else { "" };
    [synthetic_data_file(key.fold), synthetic_labels_file(key.fold)]
        .iter()
        .all(|name| dir.join(format!("{name}{suffix}")).is_file())
}

/// Write one cell's synthetic set as fold `key.fold` of its submission folder.
pub fn save(
    results: &Path,
    key: &CellKey,
    mode: SaveSynthetic,
    synthetic: &Labelled,
    gene_ids: &[String],
    label_column: &str,
) -> Result<()> {
    let dir = cell_dir(results, key);
    std::fs::create_dir_all(&dir).map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
    write_synthetic_split(&dir, key.fold, &synthetic.x, &synthetic.labels, gene_ids, label_column, mode.gzip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_values_parse_and_others_are_named_errors() {
        assert_eq!(SaveSynthetic::from_toml(&toml::Value::Boolean(true)).unwrap(), SaveSynthetic::Csv);
        assert_eq!(SaveSynthetic::from_toml(&toml::Value::String("gz".into())).unwrap(), SaveSynthetic::Gzip);
        let e = SaveSynthetic::from_toml(&toml::Value::String("zip".into())).unwrap_err().to_string();
        assert!(e.contains("save_synthetic") && e.contains("zip"), "{e}");
    }
}
