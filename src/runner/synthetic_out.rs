//! Synthetic output of `bench run` (`save_synthetic`) and `bench export`: each cell's synthetic
//! rows in the challenge's submission layout (data-formats.md §4), so that a grid's output can be
//! submitted, handed to the official evaluator, or scored again with `bench score`.
//!
//! Layout: `<results>/synthetic/<dataset>__<generator>__eps-<ε>__seed-<s>/` holds
//! `synthetic_data_split_{k}.csv` and `synthetic_labels_split_{k}.csv` for every fold `k` (gene
//! columns in the real column order and names, label header = the dataset's label column),
//! each `.csv.gz` with `save_synthetic = "gz"`. Every file is written atomically.

use super::datasets::{load_dataset, splits_for};
use super::grid::Grid;
use crate::data::dataset::Labelled;
use crate::data::export::{synthetic_data_file, synthetic_labels_file, write_real_split_files, write_synthetic_split};
use crate::data::split::Fold;
use crate::error::{Error, Result};
use crate::io::{fmt_f64, write_atomic};
use crate::results::CellKey;
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

/// Options of `bench export`.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub results: PathBuf,
    /// Needed only when the grid has several datasets.
    pub dataset: Option<String>,
    pub generator: String,
    pub epsilon: f64,
    pub seed: u64,
    pub out: PathBuf,
    /// Also write the real per-split files (`{X,y}_{train,test}_real_split_{k}.csv`).
    pub with_real: bool,
}

/// Assemble one submission folder from a results directory: the saved synthetic files of every
/// fold (1..=folds of the grid; a missing one is an error naming it) and, with `with_real`, the
/// real per-split files rebuilt from the grid copied into the results directory. Returns the
/// number of folds.
pub fn export(opts: &ExportOptions) -> Result<usize> {
    let grid = Grid::load_copy(&opts.results)?;
    let spec = match &opts.dataset {
        Some(name) => grid.datasets.iter().find(|d| d.name == *name).ok_or_else(|| {
            Error::new(format!("--dataset '{name}': not in {}", opts.results.join("grid.toml").display()))
        })?,
        None if grid.datasets.len() == 1 => &grid.datasets[0],
        None => crate::bail!("the grid has {} datasets; choose one with --dataset", grid.datasets.len()),
    };
    crate::ensure!(
        grid.generators.iter().any(|g| g.name == opts.generator),
        "--generator '{}': not in {}",
        opts.generator,
        opts.results.join("grid.toml").display()
    );
    let from = submission_dir(&opts.results, &spec.name, &opts.generator, opts.epsilon, opts.seed);
    let folds = grid.protocol.folds;
    let mut copies = Vec::new();
    for k in 1..=folds {
        for name in [synthetic_data_file(k), synthetic_labels_file(k)] {
            let found = [name.clone(), format!("{name}.gz")].into_iter().find(|n| from.join(n).is_file());
            let found = found.ok_or_else(|| {
                Error::new(format!(
                    "missing {} (was the grid run with save_synthetic = true, and this generator, epsilon and seed?)",
                    from.join(&name).display()
                ))
            })?;
            copies.push(found);
        }
    }
    for name in &copies {
        let bytes = std::fs::read(from.join(name))
            .map_err(|e| Error::new(format!("cannot read {}: {e}", from.join(name).display())))?;
        write_atomic(&opts.out.join(name), &bytes)?;
    }
    if opts.with_real {
        let data = load_dataset(spec)?;
        let range = (grid.protocol.public_range[0], grid.protocol.public_range[1]);
        for split in splits_for(spec, &data, &grid.protocol, opts.seed)? {
            write_real_split_files(&opts.out, &Fold::new(&data, &split, range), &data.label_column)?;
        }
    }
    Ok(folds)
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
